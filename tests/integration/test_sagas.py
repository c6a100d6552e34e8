"""The shipped order saga (order-creation) against the real binary: started through
POST /v1/sagas and by the order.checkout-requested event (published with boto3), completing and
compensating through the built-in workers, timeouts and retries driven by --clock manual, the
/v1/sagas routes and their errors, and kill -9 at every transition of a saga's life.
"""

import json
import os
import signal
import tempfile
import unittest
import uuid

from collections import namedtuple

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
                # A second at a time, so that each timeout and retry is armed before the clock
                # passes its deadline however slowly the workers run (the 10 s timeouts, three
                # attempts and their backoff fit in well under 200 s).
                for _ in range(200):
                    if all(saga_status(daemon, s) == "compensated" for s in (waiting, retrying)):
                        break
                    advance(daemon, 1)
                for saga_id in (waiting, retrying):
                    saga = ends_as(daemon, saga_id, "compensated")
                    self.assertEqual(saga["steps"][1]["error"], "timed out after 3 attempts")
                self.assertEqual(saga_status(daemon, done), "completed")
                # Two compensated sagas and one completed: only the completed one holds stock.
                _, level = call(daemon, "GET", "/v1/plugins/inventory/stock/SKU-2")
                self.assertEqual(level, {"productId": "SKU-2", "available": 49, "reserved": 1})


# The saga's stream, by event type (GET /v1/streams/saga-{id}/events).
STARTED, SUCCEEDED, FAILED = "saga.started", "saga.step-succeeded", "saga.step-failed"
RETRY, COMPENSATED_STEP = "saga.retry-scheduled", "saga.step-compensated"
COMPENSATION_FAILED, REDRIVEN = "saga.compensation-failed", "saga.redriven"
COMPLETED, COMPENSATED = "saga.completed", "saga.compensated"
RESERVE, RELEASE = "inventory.reserve-requested", "inventory.release-requested"
CHARGE, REFUND = "payment.process-requested", "payment.refund-requested"
CREATE = "order.create-requested"
COMPLETED_STREAM = [STARTED, RESERVE, SUCCEEDED, CHARGE, SUCCEEDED, CREATE, SUCCEEDED, COMPLETED]
DECLINED_STREAM = [STARTED, RESERVE, SUCCEEDED, CHARGE, FAILED, RELEASE, COMPENSATED_STEP,
                   COMPENSATED]
TIMED_OUT_STREAM = [STARTED, RESERVE, SUCCEEDED, CHARGE, RETRY, CHARGE, RETRY, CHARGE, FAILED,
                    REFUND, COMPENSATED_STEP, RELEASE, COMPENSATED_STEP, COMPENSATED]

ALL_DONE = [("reserve-inventory", "completed", 1), ("process-payment", "completed", 1),
            ("create-order", "completed", 1)]
DECLINED = [("reserve-inventory", "compensated", 1), ("process-payment", "failed", 1)]
TIMED_OUT = [("reserve-inventory", "compensated", 1), ("process-payment", "compensated", 1)]
RESERVING = [("reserve-inventory", "started", 1)]
CHARGING = [("reserve-inventory", "completed", 1), ("process-payment", "started", 1)]
RELEASING = [("reserve-inventory", "compensating", 1), ("process-payment", "failed", 1)]
WORKER_QUEUES = ("inventory-events-queue", "payment-events-queue", "order-events-queue",
                 "saga-events-queue")

# A stage runs one daemon with the named built-in workers disabled (the saga waits for them),
# performs its actions, and ends with kill -9; the next stage restarts on the same data dir. A
# last daemon runs every worker and the row's `resume` actions.
# Actions: ("start",); ("advance", seconds...); ("expect", status, steps or None: wait for the
# saga to be there); ("last", type: the stream's last event); ("delete-topic",): the requests'
# topic is gone, so a request cannot be published; ("take", queue): receive one message as its
# worker would and hold it (the worker killed while handling it); ("redrive",).
Stage = namedtuple("Stage", "disabled actions")
# After its stages the saga must be `status` with `steps` [(name, status, attempts)], SKU-2 at
# `stock` (available, reserved; 50 and 0 at first start), `charged` payments left processed for
# the order, and exactly `stream` in its stream. Each row runs on a data dir of its own.
Row = namedtuple("Row", "name method stages resume status steps stock charged stream")

ROWS = [
    # POST /v1/sagas writes saga.started before the first request: with the topic gone the
    # request fails to go out, so the saga is started with no step begun.
    Row("started, its first request not published", "card",
        [Stage((), [("delete-topic",), ("start",), ("expect", "started", [])])], [],
        "completed", ALL_DONE, (49, 1), 1, COMPLETED_STREAM),
    Row("waiting for reserve-inventory", "card",
        [Stage(("inventory",), [("start",), ("expect", "started", RESERVING)])], [],
        "completed", ALL_DONE, (49, 1), 1, COMPLETED_STREAM),
    # The restarted inventory answers the first attempt too; the saga ignores that late reply.
    Row("reserve-inventory's retry scheduled", "card",
        [Stage(("inventory",), [("start",), ("expect", "started", RESERVING), ("advance", 30),
                                ("last", RETRY)])],
        [("advance", 31)],
        "completed", [("reserve-inventory", "completed", 2)] + ALL_DONE[1:], (49, 1), 1,
        [STARTED, RESERVE, RETRY] + COMPLETED_STREAM[1:]),
    Row("waiting for process-payment", "card",
        [Stage(("payment",), [("start",), ("expect", "started", CHARGING)])], [],
        "completed", ALL_DONE, (49, 1), 1, COMPLETED_STREAM),
    Row("process-payment's retry scheduled", "card",
        [Stage(("payment",), [("start",), ("expect", "started", CHARGING), ("advance", 10),
                              ("last", RETRY)])],
        [("advance", 11)],
        "completed", [ALL_DONE[0], ("process-payment", "completed", 2), ALL_DONE[2]], (49, 1), 1,
        COMPLETED_STREAM[:4] + [RETRY] + COMPLETED_STREAM[3:]),
    Row("waiting for create-order", "card",
        [Stage(("order",), [("start",), ("expect", "started",
                                         ALL_DONE[:2] + [("create-order", "started", 1)])])],
        [], "completed", ALL_DONE, (49, 1), 1, COMPLETED_STREAM),
    Row("compensating: waiting for the release", "card_declined",
        [Stage(("payment",), [("start",), ("expect", "started", CHARGING)]),
         Stage(("inventory",), [("expect", "compensating", RELEASING)])], [],
        "compensated", DECLINED, (50, 0), 0, DECLINED_STREAM),
    Row("compensating: the release's retry scheduled", "card_declined",
        [Stage(("payment",), [("start",), ("expect", "started", CHARGING)]),
         Stage(("inventory",), [("expect", "compensating", RELEASING), ("advance", 30),
                                ("last", RETRY)])],
        [("advance", 31)],
        "compensated", [("reserve-inventory", "compensated", 2), DECLINED[1]], (50, 0), 0,
        DECLINED_STREAM[:6] + [RETRY] + DECLINED_STREAM[5:]),
    # The payment service was down for all three attempts: the step's effect is unknown, so it
    # is refunded before the release. The restarted service charges the queued requests once,
    # then refunds that charge.
    Row("compensating: waiting for the refund of a timed-out payment", "card",
        [Stage(("payment",), [("start",), ("expect", "started", CHARGING),
                              ("advance", 10, 1, 10, 2, 10),
                              ("expect", "compensating",
                               [CHARGING[0], ("process-payment", "compensating", 1)])])],
        [], "compensated", TIMED_OUT, (50, 0), 0, TIMED_OUT_STREAM),
    # The payment service was killed while it held the charge request: the request is
    # invisible for the queue's 300 s visibility timeout, so the saga's retry is what the
    # restarted service answers; the held request comes back later and is answered again from
    # the same charge, which the finished saga ignores.
    Row("waiting for process-payment, its request held by the killed payment service", "card",
        [Stage(("payment",), [("start",), ("expect", "started", CHARGING),
                              ("take", "payment-events-queue")])],
        [("advance", 10, 1), ("expect", "completed", None), ("advance", 300)],
        "completed", [ALL_DONE[0], ("process-payment", "completed", 2), ALL_DONE[2]], (49, 1), 1,
        COMPLETED_STREAM[:4] + [RETRY] + COMPLETED_STREAM[3:]),
    Row("compensated", "card_declined",
        [Stage((), [("start",), ("expect", "compensated", DECLINED)])], [],
        "compensated", DECLINED, (50, 0), 0, DECLINED_STREAM),
    # The release times out three times (stuck); the restarted daemon keeps it stuck, a redrive
    # makes it request the release again, and a last restart lets the inventory answer.
    Row("stuck, redriven after a restart", "card_declined",
        [Stage(("payment",), [("start",), ("expect", "started", CHARGING)]),
         Stage(("inventory",), [("expect", "compensating", RELEASING),
                                ("advance", 30, 1, 30, 2, 30),
                                ("expect", "stuck", [("reserve-inventory", "compensation-failed",
                                                      3), DECLINED[1]])]),
         Stage(("inventory",), [("expect", "stuck", [("reserve-inventory",
                                                      "compensation-failed", 3), DECLINED[1]]),
                                ("redrive",), ("expect", "compensating", RELEASING)])],
        [], "compensated", DECLINED, (50, 0), 0,
        DECLINED_STREAM[:6] + [RETRY, RELEASE, RETRY, RELEASE, COMPENSATION_FAILED, REDRIVEN,
                               RELEASE] + DECLINED_STREAM[6:]),
    Row("completed", "card", [Stage((), [("start",), ("expect", "completed", ALL_DONE)])], [],
        "completed", ALL_DONE, (49, 1), 1, COMPLETED_STREAM),
]


def saga_doc(daemon, saga_id):
    return call(daemon, "GET", "/v1/sagas/" + saga_id)[1]


def steps_of(saga):
    return [(s["name"], s["status"], s["attempts"]) for s in saga["steps"]]


def stream_of(daemon, saga_id):
    status, page = call(daemon, "GET", "/v1/streams/saga-%s/events?limit=1000" % saga_id)
    assert status == 200, page
    return [e["event"] for e in page["events"]]


class SagaKillAtEveryTransitionTest(unittest.TestCase):
    """kill -9 at every point of an order saga's life where it waits (ROWS), under --clock
    manual with the durable default (--durability wal): after the restarts the saga ends as it
    should, each step's record, the stock and the payments are right, every worker queue is
    drained, and its stream holds each event once. A last kill -9 and restart changes nothing."""

    def test_kill_9_at_every_transition(self):
        for row in ROWS:
            with self.subTest(row.name):
                self.run_row(row)

    def run_row(self, row):
        with tempfile.TemporaryDirectory(prefix="eb-saga-kill-") as tmp:
            data = os.path.join(tmp, "data")
            saga_id = "o-" + uuid.uuid4().hex[:12]
            # The last daemon runs every worker and the row's `resume` actions: the saga ends.
            stages = row.stages + [Stage((), row.resume)]
            for n, stage in enumerate(stages):
                config = self.config(tmp, stage.disabled)
                with Daemon("--config", config, "--clock", "manual", data_dir=data) as daemon:
                    for action in stage.actions:
                        self.act(daemon, row, saga_id, action)
                    if n == len(stages) - 1:
                        saga = ends_as(daemon, saga_id, row.status)
                        self.assertEqual(steps_of(saga), row.steps)
                        # A worker killed between handling a message and deleting it left that
                        # message in flight: it comes back after the queues' 300 s visibility
                        # timeout and must change nothing.
                        advance(daemon, 301)
                        try:
                            eventually(lambda: not self.undrained(daemon))
                        except AssertionError:
                            self.fail("not drained: %s" % self.undrained(daemon))
                        final = saga_doc(daemon, saga_id)
                    daemon.stop(check=False, sig=signal.SIGKILL)

            with Daemon("--config", SHIPPED, "--clock", "manual", data_dir=data) as daemon:
                saga = saga_doc(daemon, saga_id)
                self.assertEqual(saga, final)
                self.assertEqual((saga["status"], steps_of(saga)), (row.status, row.steps))
                errors = [s.get("error") for s in saga["steps"]]
                if row.status == "compensated":
                    failure = ("card declined" if row.method == "card_declined"
                               else "timed out after 3 attempts")
                    self.assertEqual(errors, [None, failure])
                else:
                    self.assertEqual(errors, [None] * 3)
                events = stream_of(daemon, saga_id)
                self.assertEqual([e["type"] for e in events], row.stream)
                self.assertEqual(len({e["id"] for e in events}), len(events))
                _, level = call(daemon, "GET", "/v1/plugins/inventory/stock/SKU-2")
                self.assertEqual((level["available"], level["reserved"]), row.stock)
                _, listed = call(daemon, "GET", "/v1/plugins/payment/payments")
                payments = [p for p in listed["payments"] if p.get("orderId") == saga_id]
                self.assertEqual(len([p for p in payments if p["status"] == "processed"]),
                                 row.charged, payments)
                self.assertLessEqual(len(payments), 1, payments)  # never charged twice
                if row.status == "completed":
                    _, order = call(daemon, "GET", "/v1/streams/order-%s/state" % saga_id)
                    self.assertEqual(order["state"]["status"], "created")

    @staticmethod
    def config(tmp, disabled):
        with open(SHIPPED) as f:
            text = f.read()
        for name in disabled:
            text = text.replace("    kind: %s\n" % name, "    kind: %s\n    enabled: false\n"
                                % name)
        path = os.path.join(tmp, "eventbrokerd-%s.yaml" % "-".join(disabled or ["all"]))
        with open(path, "w") as f:
            f.write(text)
        return path

    @staticmethod
    def undrained(daemon):
        """The worker queues still holding messages (visible or in flight), with their counts."""
        sqs = boto3_client("sqs", daemon.endpoint)
        out = {}
        for queue in WORKER_QUEUES:
            attributes = sqs.get_queue_attributes(
                QueueUrl="%s/000000000000/%s" % (daemon.endpoint, queue),
                AttributeNames=["ApproximateNumberOfMessages",
                                "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            if any(int(v) for v in attributes.values()):
                out[queue] = attributes
        return out

    def act(self, daemon, row, saga_id, action):
        kind, args = action[0], action[1:]
        if kind == "start":
            status, body = call(daemon, "POST", "/v1/sagas/order-creation",
                                {"id": saga_id, "input": order_input(saga_id, row.method)})
            self.assertEqual(status, 201, body)
        elif kind == "advance":
            for seconds in args:
                advance(daemon, seconds)
        elif kind == "expect":
            status, steps = args
            eventually(lambda: saga_doc(daemon, saga_id)["status"] == status and
                       (steps is None or steps_of(saga_doc(daemon, saga_id)) == steps))
        elif kind == "last":
            eventually(lambda: stream_of(daemon, saga_id)[-1]["type"] == args[0])
        elif kind == "delete-topic":
            boto3_client("sns", daemon.endpoint).delete_topic(TopicArn=TOPIC)
        elif kind == "take":
            sqs = boto3_client("sqs", daemon.endpoint)
            url = "%s/000000000000/%s" % (daemon.endpoint, args[0])
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1)
            self.assertEqual(len(got.get("Messages", [])), 1)
        elif kind == "redrive":
            status, body = call(daemon, "POST", "/v1/sagas/%s/redrive" % saga_id)
            self.assertEqual(status, 200, body)
        else:
            raise AssertionError("unknown action %r" % (action,))


if __name__ == "__main__":
    unittest.main()
