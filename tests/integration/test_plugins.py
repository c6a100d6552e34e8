"""The built-in plugins against the real binary: the shipped configuration's inventory, payment
and order workers answering the design's events (published with boto3 as EventBus.publish does),
their /v1/plugins routes and errors, redrive of messages they cannot handle, their state after
kill -9, and how startup and SIGHUP treat plugin declarations.
"""

import json
import os
import signal
import tempfile
import time
import unittest
import uuid

from harness import Daemon, binary_path, boto3_client, call, eventually

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED = os.path.join(REPO, "config", "eventbrokerd.yaml")
TOPIC = "arn:aws:sns:us-east-1:000000000000:portfolio-events"


class Bus:
    """The design's EventBus over boto3: publish an envelope; read what the services answer from
    a queue of the test's own, subscribed to the topic (the saga engine consumes its queue)."""

    def __init__(self, daemon):
        self.sns = boto3_client("sns", daemon.endpoint)
        self.sqs = boto3_client("sqs", daemon.endpoint)
        name = "observer-" + uuid.uuid4().hex[:8]
        self.replies = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.sns.subscribe(TopicArn=TOPIC, Protocol="sqs",
                           Endpoint="arn:aws:sqs:us-east-1:000000000000:" + name)

    def publish(self, type_, data, correlation_id, metadata=None):
        event = {"id": str(uuid.uuid4()), "type": type_,
                 "timestamp": "2026-12-03T00:00:00.000Z", "version": "1.0",
                 "source": "integration-test", "correlationId": correlation_id,
                 "metadata": metadata or {}, "data": data}
        self.sns.publish(TopicArn=TOPIC, Message=json.dumps(event), MessageAttributes={
            "eventType": {"DataType": "String", "StringValue": type_},
            "correlationId": {"DataType": "String", "StringValue": correlation_id}})
        return event["id"]

    def answer(self, type_, correlation_id, timeout=10):
        """The first event of `type_` for `correlation_id` on the observer queue (others read on
        the way are deleted)."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            got = self.sqs.receive_message(QueueUrl=self.replies, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1)
            for m in got.get("Messages", []):
                self.sqs.delete_message(QueueUrl=self.replies, ReceiptHandle=m["ReceiptHandle"])
                event = json.loads(json.loads(m["Body"])["Message"])
                seen.append(event["type"])
                if event["type"] == type_ and event["correlationId"] == correlation_id:
                    return event
        raise AssertionError("no %s for %s; saw %s" % (type_, correlation_id, seen))


class ShippedPluginsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon("--config", SHIPPED).__enter__()
        cls.bus = Bus(cls.daemon)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def test_lists_the_shipped_instances(self):
        status, body = call(self.daemon, "GET", "/v1/plugins")
        self.assertEqual(status, 200)
        by_name = {p["name"]: p for p in body["plugins"]}
        self.assertEqual(list(by_name), ["inventory", "payment", "order", "order-creation",
                                        "dlq-monitor"])
        self.assertEqual(by_name["dlq-monitor"]["kind"], "dlq-monitor")
        self.assertEqual(by_name["dlq-monitor"]["state"], "running")
        self.assertIn("order-events-dlq", by_name["dlq-monitor"]["dlqMonitor"]["watching"])
        self.assertEqual(by_name["order-creation"]["kind"], "saga")
        self.assertEqual(by_name["order-creation"]["queue"], "saga-events-queue")
        for name, queue in (("inventory", "inventory-events-queue"),
                            ("payment", "payment-events-queue"),
                            ("order", "order-events-queue")):
            self.assertEqual(by_name[name]["kind"], name)
            self.assertEqual(by_name[name]["state"], "running")
            self.assertEqual(by_name[name]["queue"], queue)
            self.assertEqual(by_name[name]["source"], name + "-service")
            self.assertIn("received", by_name[name]["counters"])
        self.assertIn("inventory.reserve-requested", by_name["inventory"]["handles"])

    def test_reserve_and_release_through_the_topic(self):
        saga = str(uuid.uuid4())
        order = "o-" + saga[:8]
        request = self.bus.publish("inventory.reserve-requested",
                                   {"orderId": order,
                                    "items": [{"productId": "SKU-1", "quantity": 3}]}, saga)
        reserved = self.bus.answer("inventory.reserved", saga)
        self.assertEqual(reserved["causationId"], request)
        self.assertEqual(reserved["source"], "inventory-service")
        self.assertEqual(reserved["data"]["items"][0]["quantity"], 3)
        self.bus.publish("inventory.release-requested", {"orderId": order}, saga)
        released = self.bus.answer("inventory.released", saga)
        self.assertEqual(released["data"]["items"], [{"productId": "SKU-1", "quantity": 3}])

    def test_payment_rules_of_the_shipped_file(self):
        cases = [("card", 50, "payment.processed"), ("card_declined", 50, "payment.failed"),
                 ("card", 10000.01, "payment.failed")]
        for method, amount, expected in cases:
            with self.subTest(method=method, amount=amount):
                saga = str(uuid.uuid4())
                self.bus.publish("payment.process-requested",
                                 {"amount": amount, "currency": "EUR", "paymentMethod": method},
                                 saga)
                answer = self.bus.answer(expected, saga)
                if expected == "payment.processed":
                    payment = answer["data"]["paymentId"]
                    self.bus.publish("payment.refund-requested", {"paymentId": payment}, saga)
                    refund = self.bus.answer("payment.refunded", saga)
                    self.assertEqual(refund["data"]["amount"], amount)
                    status, body = call(self.daemon, "GET", "/v1/plugins/payment/payments/" + payment)
                    self.assertEqual((status, body["status"]), (200, "refunded"))

    def test_card_timeout_is_never_answered(self):
        saga = str(uuid.uuid4())
        self.bus.publish("payment.process-requested",
                         {"amount": 5, "currency": "EUR", "paymentMethod": "card_timeout"}, saga)
        marker = str(uuid.uuid4())  # handled after it, by the same worker
        self.bus.publish("payment.process-requested",
                         {"amount": 5, "currency": "EUR", "paymentMethod": "card"}, marker)
        self.bus.answer("payment.processed", marker)
        _, body = call(self.daemon, "GET", "/v1/plugins")
        payment = [p for p in body["plugins"] if p["name"] == "payment"][0]
        self.assertGreaterEqual(payment["unanswered"], 1)

    def test_order_create_and_cancel_fold_into_the_orders_stream(self):
        saga = str(uuid.uuid4())
        order = "o-" + saga[:8]
        self.bus.publish("order.create-requested", {"orderId": order, "totalAmount": 20}, saga)
        self.bus.answer("order.created", saga)
        self.bus.publish("order.cancel-requested", {"orderId": order}, saga)
        self.bus.answer("order.cancelled", saga)
        status, body = call(self.daemon, "GET", "/v1/streams/order-%s/state" % order)
        self.assertEqual(status, 200)
        self.assertEqual(body["state"]["status"], "cancelled")
        self.assertEqual(body["version"], 1)

    def test_stock_routes_and_their_errors(self):
        status, body = call(self.daemon, "PUT", "/v1/plugins/inventory/stock/NEW-1",
                            {"available": 12})
        self.assertEqual((status, body), (200, {"productId": "NEW-1", "available": 12,
                                                "reserved": 0}))
        status, body = call(self.daemon, "GET", "/v1/plugins/inventory/stock/NEW-1")
        self.assertEqual((status, body["available"]), (200, 12))
        status, body = call(self.daemon, "GET", "/v1/plugins/inventory/stock")
        self.assertIn("NEW-1", [s["productId"] for s in body["stock"]])
        cases = [
            ("GET", "/v1/plugins/inventory/stock/NOPE", None, 404, "NotFound"),
            ("GET", "/v1/plugins/nobody", None, 404, "NotFound"),
            ("PUT", "/v1/plugins/inventory/stock/NEW-1", "{", 400, "MalformedRequest"),
            ("PUT", "/v1/plugins/inventory/stock/NEW-1", "{}", 400, "MissingParameter"),
            ("PUT", "/v1/plugins/inventory/stock/NEW-1", '{"available":-3}', 400,
             "InvalidParameterValue"),
            ("DELETE", "/v1/plugins/inventory/stock/NEW-1", None, 405, "MethodNotAllowed"),
            ("POST", "/v1/plugins", "{}", 405, "MethodNotAllowed"),
        ]
        for method, path, raw, code, error in cases:
            with self.subTest(method=method, path=path, body=raw):
                status, body = call(self.daemon, method, path, raw=raw)
                self.assertEqual(status, code, body)
                self.assertEqual(body["error"]["code"], error)
                self.assertTrue(body["error"]["message"])


class PluginLifecycleTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="eb-plugins-")
        self.addCleanup(self.dir.cleanup)

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def shipped(self):
        with open(SHIPPED) as f:
            return f.read()

    def test_a_message_the_worker_cannot_handle_ends_in_the_dead_letter_queue(self):
        with Daemon("--config", SHIPPED, "--clock", "manual") as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.get_queue_url(QueueName="payment-events-queue")["QueueUrl"]
            dlq = sqs.get_queue_url(QueueName="payment-events-dlq")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="not an event")

            def failed():
                _, body = call(daemon, "GET", "/v1/plugins")
                return [p for p in body["plugins"] if p["name"] == "payment"][0]["counters"]["failed"]

            # Each failure hides it for the queue's 300 s visibility timeout; after three
            # receives (max_receive_count) the next receive moves it to the DLQ.
            for attempt in (1, 2, 3):
                eventually(lambda: failed() >= attempt)
                call(daemon, "POST", "/v1/clock/advance", {"seconds": 300})
            # The worker's next receive (its own long poll, not this thread's) makes the move.
            eventually(lambda: sqs.get_queue_attributes(
                QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
                ["Attributes"]["ApproximateNumberOfMessages"] == "1")
            got = sqs.receive_message(QueueUrl=dlq)["Messages"][0]
            self.assertEqual(got["Body"], "not an event")
            self.assertEqual(failed(), 3)

    def test_state_survives_kill_9(self):
        data = os.path.join(self.dir.name, "data")
        saga = str(uuid.uuid4())
        request = {"orderId": "o-kill", "items": [{"productId": "SKU-3", "quantity": 2}]}
        with Daemon("--config", SHIPPED, data_dir=data) as daemon:
            bus = Bus(daemon)
            bus.publish("inventory.reserve-requested", request, saga)
            first = bus.answer("inventory.reserved", saga)
            daemon.stop(check=False, sig=signal.SIGKILL)
        with Daemon("--config", SHIPPED, data_dir=data) as daemon:
            _, level = call(daemon, "GET", "/v1/plugins/inventory/stock/SKU-3")
            self.assertEqual(level, {"productId": "SKU-3", "available": 3, "reserved": 2})
            bus = Bus(daemon)
            bus.publish("inventory.reserve-requested", request, saga)
            again = bus.answer("inventory.reserved", saga)
            self.assertEqual(again["data"], first["data"])  # the same reservation ids
            _, level = call(daemon, "GET", "/v1/plugins/inventory/stock/SKU-3")
            self.assertEqual(level["available"], 3)

    def test_a_plugin_without_its_queue_stops_startup(self):
        text = self.shipped().replace("    queue: payment-events-queue\n",
                                      "    queue: payments-typo\n")
        config = self.write("eventbrokerd.yaml", text)
        from subprocess import run
        out = run([binary_path(), "--config", config, "--in-memory", "--listen", "127.0.0.1:0"],
                  capture_output=True, text=True, timeout=20)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("plugin payment: queue 'payments-typo' does not exist",
                      out.stdout + out.stderr)

    def test_unknown_plugin_keys_name_their_line(self):
        text = self.shipped().replace("    kind: order\n", "    kind: order\n    colour: red\n")
        config = self.write("eventbrokerd.yaml", text)
        from subprocess import run
        out = run([binary_path(), "--config", config, "--in-memory", "--listen", "127.0.0.1:0"],
                  capture_output=True, text=True, timeout=20)
        self.assertNotEqual(out.returncode, 0)
        line = text.splitlines().index("    colour: red") + 1
        self.assertIn("eventbrokerd.yaml:%d:5: unknown key 'colour'" % line,
                      out.stdout + out.stderr)

    def test_sighup_reapplies_plugins_and_rejects_a_broken_declaration(self):
        config = self.write("eventbrokerd.yaml", self.shipped())
        with Daemon("--config", config) as daemon:
            def state(name):
                _, body = call(daemon, "GET", "/v1/plugins")
                return {p["name"]: p["state"] for p in body["plugins"]}.get(name)

            self.write("eventbrokerd.yaml", self.shipped().replace(
                "    kind: order\n", "    kind: order\n    enabled: false\n"))
            daemon.process.send_signal(signal.SIGHUP)
            eventually(lambda: state("order") == "disabled")
            self.assertEqual(state("inventory"), "running")

            self.write("eventbrokerd.yaml", self.shipped().replace(
                "    queue: order-events-queue\n", "    queue: no-such-queue\n"))
            daemon.process.send_signal(signal.SIGHUP)
            eventually(lambda: "configuration reload rejected" in daemon.log)
            self.assertIn("plugin order: queue 'no-such-queue' does not exist", daemon.log)
            self.assertEqual(state("order"), "disabled")  # as it was


if __name__ == "__main__":
    unittest.main()
