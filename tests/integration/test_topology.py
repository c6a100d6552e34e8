"""The declarative topology in the config file: applied at startup, re-applied on SIGHUP (an
invalid file is rejected and the running topology stays), exported by GET /v1/topology in the
same YAML, and refused with file:line:column when invalid at startup."""
import json
import os
import signal
import subprocess
import tempfile
import unittest

from harness import Daemon, binary_path, boto3_client, eventually, http_get

ACCOUNT = "000000000000"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TOPOLOGY = """
topics:
  - name: events
queues:
  - name: orders
    attributes: {VisibilityTimeout: 300}
    redrive: {dead_letter_queue: orders-dlq, max_receive_count: 3}
  - name: orders-dlq
subscriptions:
  - topic: events
    protocol: sqs
    endpoint: orders
    raw_message_delivery: true
    filter_policy: {eventType: [order.created]}
"""


class TopologyTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="eb-topology-")
        self.addCleanup(self.dir.cleanup)

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_applied_at_startup_and_exported(self):
        config = self.write("eventbrokerd.yaml", TOPOLOGY)
        with Daemon("--config", config) as daemon:
            sns = boto3_client("sns", daemon.endpoint)
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            self.assertEqual(attrs["VisibilityTimeout"], "300")
            self.assertEqual(json.loads(attrs["RedrivePolicy"])["maxReceiveCount"], 3)
            topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:events"
            for kind in ("order.created", "order.paid"):
                sns.publish(TopicArn=topic, Message=kind, MessageAttributes={
                    "eventType": {"DataType": "String", "StringValue": kind}})
            got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, MaxNumberOfMessages=10)
            self.assertEqual([m["Body"] for m in got["Messages"]], ["order.created"])

            status, headers, exported = http_get(daemon.endpoint + "/v1/topology")
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], "application/yaml")
            text = exported.decode()
            self.assertIn("orders-dlq", text)
        # The export is a topology file: a fresh daemon started from it exports the same.
        again = self.write("exported.yaml", text)
        with Daemon("--config", again) as daemon:
            _, _, second = http_get(daemon.endpoint + "/v1/topology")
            self.assertEqual(second.decode(), text)

    def test_event_buses_and_rules_are_declared_applied_and_exported(self):
        config = self.write("eventbrokerd.yaml", """
queues:
  - name: big-orders
event_buses:
  - name: shop
    description: the shop's events
    tags: {team: orders}
rules:
  - name: big-orders
    bus: shop
    event_pattern: {source: [shop], detail: {total: [{numeric: [">", 100]}]}}
    targets:
      - Id: q
        Arn: arn:aws:sqs:us-east-1:000000000000:big-orders
        InputPath: $.detail
  - name: hourly
    schedule: rate(1 hour)
    state: DISABLED
""")
        with Daemon("--config", config) as daemon:
            events = boto3_client("events", daemon.endpoint)
            sqs = boto3_client("sqs", daemon.endpoint)
            self.assertEqual(events.describe_event_bus(Name="shop")["Description"],
                             "the shop's events")
            self.assertEqual(events.describe_rule(Name="hourly")["State"], "DISABLED")
            events.put_events(Entries=[{"Source": "shop", "DetailType": "OrderPlaced",
                                        "Detail": '{"total": 250}', "EventBusName": "shop"}])
            url = sqs.get_queue_url(QueueName="big-orders")["QueueUrl"]
            self.assertEqual(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"],
                             '{"total":250}')
            # An archive's managed rule belongs to the archive, not to the topology.
            events.create_archive(ArchiveName="shop-archive", EventSourceArn=events.
                                  describe_event_bus(Name="shop")["Arn"])
            status, _, exported = http_get(daemon.endpoint + "/v1/topology")
            text = exported.decode()
            self.assertIn("event_buses:", text)
            self.assertIn("InputPath: $.detail", text)
            self.assertNotIn("Events-Archive-shop-archive", text)
            # A target changed by hand is put back by SIGHUP; an undeclared one is removed.
            events.put_targets(Rule="big-orders", EventBusName="shop", Targets=[
                {"Id": "extra", "Arn": "arn:aws:sqs:us-east-1:000000000000:big-orders"}])
            daemon.process.send_signal(signal.SIGHUP)
            eventually(lambda: [t["Id"] for t in events.list_targets_by_rule(
                Rule="big-orders", EventBusName="shop")["Targets"]] == ["q"])
        # The export is a topology file: a fresh daemon started from it exports the same.
        again = self.write("exported.yaml", text)
        with Daemon("--config", again) as daemon:
            _, _, second = http_get(daemon.endpoint + "/v1/topology")
            self.assertEqual(second.decode(), text)

    def test_sighup_reapplies_and_rejects_an_invalid_file(self):
        config = self.write("eventbrokerd.yaml", TOPOLOGY)
        with Daemon("--config", config) as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            # One more queue and a subscription for it.
            text = TOPOLOGY.replace("  - name: orders-dlq\n", "  - name: orders-dlq\n  - name: audit\n")
            self.write("eventbrokerd.yaml",
                       text + "  - topic: events\n    protocol: sqs\n    endpoint: audit\n")
            daemon.process.send_signal(signal.SIGHUP)
            eventually(lambda: sqs.get_queue_url(QueueName="audit")["QueueUrl"])

            self.write("eventbrokerd.yaml", "queues:\n  - name: [not, a, name]\n")
            daemon.process.send_signal(signal.SIGHUP)
            eventually(lambda: "configuration reload rejected" in daemon.log)
            self.assertIn("eventbrokerd.yaml:2:", daemon.log)
            # Still serving, topology unchanged.
            self.assertTrue(sqs.get_queue_url(QueueName="orders")["QueueUrl"])
            self.assertTrue(sqs.get_queue_url(QueueName="audit")["QueueUrl"])

    def test_invalid_file_stops_startup_with_its_position(self):
        config = self.write("bad.yaml", "topics:\n  - name: ok\n    colour: red\n")
        out = subprocess.run([binary_path(), "--config", config, "--in-memory", "--listen",
                              "127.0.0.1:0"], capture_output=True, text=True, timeout=20)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("bad.yaml:3:5", out.stdout + out.stderr)

    def test_shipped_config_applies_the_designs_topology(self):
        shipped = os.path.join(REPO, "config", "eventbrokerd.yaml")
        with Daemon("--config", shipped) as daemon:
            sns = boto3_client("sns", daemon.endpoint)
            sqs = boto3_client("sqs", daemon.endpoint)
            topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:portfolio-events"
            url = sqs.get_queue_url(QueueName="order-events-queue")["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            self.assertEqual(attrs["VisibilityTimeout"], "300")
            self.assertEqual(attrs["MessageRetentionPeriod"], "1209600")
            self.assertEqual(attrs["ReceiveMessageWaitTimeSeconds"], "20")
            self.assertEqual(attrs["MaximumMessageSize"], "262144")
            redrive = json.loads(attrs["RedrivePolicy"])
            self.assertEqual(redrive["maxReceiveCount"], 3)
            self.assertTrue(redrive["deadLetterTargetArn"].endswith(":order-events-dlq"))
            subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
            self.assertGreaterEqual(len(subs), 4)
            # The subscription routes order.paid to order-events-queue, where the built-in
            # order worker folds it into the order's stream.
            event = {"id": "evt-paid", "type": "order.paid", "correlationId": "c-1",
                     "source": "test", "data": {"orderId": "o-topology", "paymentId": "p-1"}}
            sns.publish(TopicArn=topic, Message=json.dumps(event), MessageAttributes={
                "eventType": {"DataType": "String", "StringValue": "order.paid"}})
            state = eventually(lambda: json.loads(http_get(
                daemon.endpoint + "/v1/streams/order-o-topology/state")[2]).get("state"))
            self.assertEqual(state["paymentId"], "p-1")


if __name__ == "__main__":
    unittest.main()
