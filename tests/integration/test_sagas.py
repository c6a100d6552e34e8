"""The shipped order saga (order-creation) against the real binary: started through
POST /v1/sagas and by the order.checkout-requested event (published with boto3), completing and
compensating through the built-in workers, timeouts and retries driven by --clock manual, the
/v1/sagas routes and their errors, and kill -9 at several points of a saga's life.
"""

import json
import os
import signal
import tempfile
import unittest
import uuid

from harness import Daemon, boto3_client, call, eventually

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED = os.path.join(REPO, "config", "eventbrokerd.yaml")
TOPIC = "arn:aws:sns:us-east-1:000000000000:portfolio-events"


def order_input(order_id, method="card", quantity=1, amount=25):
    return {"orderId": order_id, "userId": "user-1",
            "items": [{"productId": "SKU-2", "quantity": quantity, "price": 25}],
            "totalAmount": amount, "currency": "EUR", "paymentMethod": method,
            "shippingAddress": {"street": "1 Main St", "city": "Springfield"}}


def saga_status(daemon, saga_id):
    status, body = call(daemon, "GET", "/v1/sagas/" + saga_id)
    return body["status"] if status == 200 else None


def ends_as(daemon, saga_id, *statuses):
    return eventually(lambda: saga_status(daemon, saga_id) in statuses and
                      call(daemon, "GET", "/v1/sagas/" + saga_id)[1])


def advance(daemon, seconds):
    status, _ = call(daemon, "POST", "/v1/clock/advance", {"seconds": seconds})
    assert status == 200


class ShippedSagaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon("--config", SHIPPED, "--clock", "manual").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def start(self, saga_id, body_input):
        return call(self.daemon, "POST", "/v1/sagas/order-creation",
                    {"id": saga_id, "input": body_input})

    def test_an_order_saga_completes_through_the_built_in_workers(self):
        saga_id = "o-" + uuid.uuid4().hex[:12]
        status, body = self.start(saga_id, order_input(saga_id))
        self.assertEqual(status, 201, body)
        self.assertEqual((body["sagaId"], body["type"]), (saga_id, "order-creation"))
        saga = ends_as(self.daemon, saga_id, "completed")
        self.assertEqual([s["name"] for s in saga["steps"]],
                         ["reserve-inventory", "process-payment", "create-order"])
        for step in saga["steps"]:
            self.assertEqual(step["status"], "completed")
            self.assertIn("startedAt", step)
            self.assertIn("completedAt", step)
        _, order = call(self.daemon, "GET", "/v1/streams/order-%s/state" % saga_id)
        self.assertEqual(order["state"]["status"], "created")
        # The whole saga is one causation tree under its id.
        _, trace = call(self.daemon, "GET", "/v1/trace/" + saga_id)
        self.assertEqual(len(trace["roots"]), 1)
        self.assertEqual(trace["roots"][0]["event"]["type"], "saga.started")
        types = []

        def walk(node):
            types.append(node["event"]["type"])
            for child in node["children"]:
                walk(child)
        walk(trace["roots"][0])
        for expected in ("inventory.reserve-requested", "inventory.reserved",
                         "payment.process-requested", "payment.processed",
                         "order.create-requested", "order.created", "saga.completed"):
            self.assertIn(expected, types)

    def test_a_declined_card_compensates_and_releases_the_stock(self):
        _, before = call(self.daemon, "GET", "/v1/plugins/inventory/stock/SKU-2")
        saga_id = "o-" + uuid.uuid4().hex[:12]
        self.start(saga_id, order_input(saga_id, "card_declined"))
        saga = ends_as(self.daemon, saga_id, "compensated")
        self.assertEqual([(s["name"], s["status"]) for s in saga["steps"]],
                         [("reserve-inventory", "compensated"), ("process-payment", "failed")])
        self.assertEqual(saga["steps"][1]["error"], "card declined")
        _, after = call(self.daemon, "GET", "/v1/plugins/inventory/stock/SKU-2")
        self.assertEqual(after, before)

    def test_a_payment_that_never_answers_times_out_retries_and_compensates(self):
        saga_id = "o-" + uuid.uuid4().hex[:12]
        self.start(saga_id, order_input(saga_id, "card_timeout"))
        eventually(lambda: call(self.daemon, "GET", "/v1/sagas/" + saga_id)[1]["steps"][-1]
                   ["name"] == "process-payment")
        # process-payment: 10 s per attempt, 3 attempts, 1 s and 2 s between them.
        for seconds, attempts in ((10, 1), (1, 2), (10, 2), (2, 3)):
            advance(self.daemon, seconds)
            eventually(lambda: call(self.daemon, "GET", "/v1/sagas/" + saga_id)[1]["steps"][1]
                       ["attempts"] == attempts)
        self.assertEqual(saga_status(self.daemon, saga_id), "started")
        advance(self.daemon, 10)
        saga = ends_as(self.daemon, saga_id, "compensated")
        self.assertEqual(saga["steps"][1]["error"], "timed out after 3 attempts")
        self.assertEqual(saga["steps"][1]["status"], "compensated")  # refunded: nothing charged
        self.assertEqual(saga["steps"][0]["status"], "compensated")

    def test_the_checkout_event_starts_a_saga(self):
        saga_id = "o-" + uuid.uuid4().hex[:12]
        sns = boto3_client("sns", self.daemon.endpoint)
        event = {"id": str(uuid.uuid4()), "type": "order.checkout-requested",
                 "timestamp": "2026-12-03T00:00:00.000Z", "version": "1.0",
                 "source": "checkout-service", "correlationId": saga_id, "metadata": {},
                 "data": order_input(saga_id)}
        sns.publish(TopicArn=TOPIC, Message=json.dumps(event), MessageAttributes={
            "eventType": {"DataType": "String", "StringValue": "order.checkout-requested"},
            "correlationId": {"DataType": "String", "StringValue": saga_id}})
        ends_as(self.daemon, saga_id, "completed")

    def test_starting_twice_and_the_routes_errors(self):
        saga_id = "o-" + uuid.uuid4().hex[:12]
        body_input = order_input(saga_id)
        self.assertEqual(self.start(saga_id, body_input)[0], 201)
        status, again = self.start(saga_id, body_input)
        self.assertEqual((status, again["sagaId"]), (200, saga_id))
        status, conflict = self.start(saga_id, order_input(saga_id, quantity=2))
        self.assertEqual((status, conflict["error"]["code"]), (409, "SagaAlreadyExists"))
        ends_as(self.daemon, saga_id, "completed")

        status, listed = call(self.daemon, "GET",
                              "/v1/sagas?definition=order-creation&status=completed")
        self.assertEqual(status, 200)
        self.assertIn(saga_id, [s["sagaId"] for s in listed["sagas"]])
        self.assertTrue(all(s["status"] == "completed" for s in listed["sagas"]))
        cases = [
            ("POST", "/v1/sagas/no-such-definition", '{"id":"x","input":{}}', 404, "NotFound"),
            ("POST", "/v1/sagas/order-creation", "{", 400, "MalformedRequest"),
            ("POST", "/v1/sagas/order-creation", '{"id":"x"}', 400, "MissingParameter"),
            ("POST", "/v1/sagas/order-creation", '{"id":"bad id","input":{}}', 400,
             "InvalidParameterValue"),
            ("POST", "/v1/sagas/order-creation", '{"id":7,"input":{}}', 400,
             "InvalidParameterValue"),
            ("GET", "/v1/sagas/no-such-saga", None, 404, "SagaNotFound"),
            ("GET", "/v1/sagas?status=running", None, 400, "InvalidParameterValue"),
            ("GET", "/v1/sagas?limit=0", None, 400, "InvalidParameterValue"),
            ("GET", "/v1/sagas?definition=nope", None, 404, "NotFound"),
            ("POST", "/v1/sagas/%s/redrive" % saga_id, None, 409, "InvalidState"),
            ("POST", "/v1/sagas/no-such-saga/redrive", None, 404, "SagaNotFound"),
            ("DELETE", "/v1/sagas/" + saga_id, None, 405, "MethodNotAllowed"),
            ("PUT", "/v1/sagas", "{}", 405, "MethodNotAllowed"),
        ]
        for method, path, raw, code, error in cases:
            with self.subTest(method=method, path=path, body=raw):
                status, body = call(self.daemon, method, path, raw=raw)
                self.assertEqual(status, code, body)
                self.assertEqual(body["error"]["code"], error)
                self.assertTrue(body["error"]["message"])

    def test_a_missing_id_gets_one(self):
        status, body = call(self.daemon, "POST", "/v1/sagas/order-creation",
                            {"input": order_input("o-" + uuid.uuid4().hex[:12])})
        self.assertEqual(status, 201)
        self.assertRegex(body["sagaId"], r"^[0-9a-f-]{36}$")


class SagaCrashTest(unittest.TestCase):
    """kill -9 while a saga waits for its payment, while a retry is scheduled, and after it
    completed: after the restart every saga goes on from where it was."""

    def test_sagas_resume_after_kill_9(self):
        with tempfile.TemporaryDirectory(prefix="eb-sagas-") as tmp:
            data = os.path.join(tmp, "data")
            args = ("--config", SHIPPED, "--clock", "manual")
            waiting, retrying, done = ("o-" + uuid.uuid4().hex[:12] for _ in range(3))
            with Daemon(*args, data_dir=data) as daemon:
                for saga_id, method in ((waiting, "card_timeout"), (retrying, "card_timeout"),
                                        (done, "card")):
                    call(daemon, "POST", "/v1/sagas/order-creation",
                         {"id": saga_id, "input": order_input(saga_id, method)})
                ends_as(daemon, done, "completed")
                for saga_id in (waiting, retrying):
                    eventually(lambda: len(call(daemon, "GET", "/v1/sagas/" + saga_id)[1]
                                           ["steps"]) == 2)
                daemon.stop(check=False, sig=signal.SIGKILL)

            # The manual clock starts again at the wall clock: the persisted deadlines (10 s
            # after the requests) are still ahead.
            with Daemon(*args, data_dir=data) as daemon:
                self.assertEqual(saga_status(daemon, done), "completed")
                self.assertEqual(saga_status(daemon, waiting), "started")
                advance(daemon, 10)  # both time out; retries scheduled 1 s later
                eventually(lambda: call(daemon, "GET", "/v1/sagas/" + retrying)[1]["updatedAt"]
                           != call(daemon, "GET", "/v1/sagas/" + done)[1]["updatedAt"])
                daemon.stop(check=False, sig=signal.SIGKILL)

            with Daemon(*args, data_dir=data) as daemon:
                for seconds in (1, 10, 2, 10, 30):
                    advance(daemon, seconds)
                for saga_id in (waiting, retrying):
                    saga = ends_as(daemon, saga_id, "compensated")
                    self.assertEqual(saga["steps"][1]["error"], "timed out after 3 attempts")
                self.assertEqual(saga_status(daemon, done), "completed")
                # Two compensated sagas and one completed: only the completed one holds stock.
                _, level = call(daemon, "GET", "/v1/plugins/inventory/stock/SKU-2")
                self.assertEqual(level, {"productId": "SKU-2", "available": 49, "reserved": 1})


if __name__ == "__main__":
    unittest.main()
