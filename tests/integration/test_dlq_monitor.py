"""The dlq-monitor plugin against the real binary under --clock manual: a message really exhausts
its receives (boto3, visibility timeouts expired by advancing the clock) and moves to its
dead-letter queue; the alert reaches webhooks of each format (a local http.server) and an SNS
topic; later arrivals come as one follow-up; purging the queue resolves the alert.
"""

import http.server
import json
import os
import tempfile
import threading
import unittest

from harness import Daemon, boto3_client, call, eventually

CONFIG = """
topics:
  - name: alerts
queues:
  - name: work
    attributes: {{VisibilityTimeout: 5}}
    redrive: {{dead_letter_queue: work-dlq, max_receive_count: 2}}
  - name: work-dlq
  - name: alerts-inbox
subscriptions:
  - {{topic: alerts, protocol: sqs, endpoint: alerts-inbox, raw_message_delivery: true}}
plugins:
  - name: dlq-monitor
    kind: dlq-monitor
    sinks:
      - webhook: http://127.0.0.1:{port}/generic
      - {{webhook: 'http://127.0.0.1:{port}/slack', format: slack}}
      - {{webhook: 'http://127.0.0.1:{port}/am', format: alertmanager}}
      - sns_topic: alerts
    group_seconds: 60
    severity: critical
"""


class Hooks:
    """A local webhook receiver: every POST body (JSON) by path, answered with 200."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []
        hooks = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with hooks.lock:
                    hooks.received.append((self.path, json.loads(body),
                                           self.headers.get("Content-Type")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self, path):
        with self.lock:
            return [body for p, body, _ in self.received if p == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class DlqMonitorTest(unittest.TestCase):
    def setUp(self):
        self.hooks = Hooks()
        self.addCleanup(self.hooks.close)
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        config = os.path.join(self.dir.name, "eventbrokerd.yaml")
        with open(config, "w") as f:
            f.write(CONFIG.format(port=self.hooks.port))
        self.daemon = Daemon("--config", config, "--clock", "manual")
        self.daemon.start()
        self.addCleanup(self.daemon.stop)
        self.sqs = boto3_client("sqs", self.daemon.endpoint)
        self.work = self.sqs.get_queue_url(QueueName="work")["QueueUrl"]
        self.dlq = self.sqs.get_queue_url(QueueName="work-dlq")["QueueUrl"]
        self.inbox = self.sqs.get_queue_url(QueueName="alerts-inbox")["QueueUrl"]

    def advance(self, seconds):
        status, _ = call(self.daemon, "POST", "/v1/clock/advance", {"seconds": seconds})
        self.assertEqual(status, 200)

    def fail_message(self, body, event_type):
        """Sends a message and receives it without deleting until its redrive moves it."""
        message_id = self.sqs.send_message(QueueUrl=self.work, MessageBody=body, MessageAttributes={
            "eventType": {"DataType": "String", "StringValue": event_type}})["MessageId"]
        for _ in range(2):
            got = self.sqs.receive_message(QueueUrl=self.work, WaitTimeSeconds=0)
            self.assertEqual(got["Messages"][0]["MessageId"], message_id)
            self.advance(5)  # its visibility timeout
        # The third receive would exceed maxReceiveCount: the message moves instead.
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=self.work,
                                                              WaitTimeSeconds=0))
        return message_id

    def test_alerts_follows_up_and_resolves_on_every_sink(self):
        first = self.fail_message('{"type":"order.created"}', "order.created")
        # The first arrival is sent at once (no clock advance is needed for it).
        generic = eventually(lambda: self.hooks.bodies("/generic"))[0]
        self.assertEqual(generic["status"], "firing")
        self.assertEqual(generic["notification"], "alert")
        self.assertEqual(generic["severity"], "critical")
        self.assertEqual(generic["title"], "Messages in dead-letter queue work-dlq")
        self.assertEqual(generic["queue"], "work-dlq")
        self.assertEqual(generic["messageId"], first)
        self.assertEqual(generic["receiveCount"], 2)
        self.assertEqual(generic["eventType"], "order.created")
        self.assertEqual(generic["details"]["sourceQueue"], "work")
        self.assertEqual(generic["details"]["count"], 1)
        self.assertIn(first, generic["message"])

        slack = eventually(lambda: self.hooks.bodies("/slack"))[0]
        self.assertTrue(slack["text"].startswith(
            "[FIRING:critical] Messages in dead-letter queue work-dlq\n"), slack)
        am = eventually(lambda: self.hooks.bodies("/am"))[0]
        self.assertIsInstance(am, list)
        self.assertEqual(am[0]["labels"], {"alertname": "DeadLetterQueueMessages",
                                           "queue": "work-dlq", "severity": "critical"})
        self.assertEqual(am[0]["annotations"]["summary"], "Messages in dead-letter queue work-dlq")
        self.assertIn("startsAt", am[0])
        self.assertNotIn("endsAt", am[0])
        with self.hooks.lock:
            self.assertTrue(all(t == "application/json" for _, _, t in self.hooks.received))

        got = self.sqs.receive_message(QueueUrl=self.inbox, WaitTimeSeconds=0)["Messages"]
        self.assertEqual(json.loads(got[0]["Body"])["messageId"], first)

        # Two more arrivals within the window: one follow-up when it ends.
        second = self.fail_message("second", "payment.failed")
        third = self.fail_message("third", "payment.failed")
        self.assertEqual(len(self.hooks.bodies("/generic")), 1)
        # The monitor counts arrivals on its own thread: both, before the window ends.
        eventually(lambda: call(self.daemon, "GET", "/v1/plugins/dlq-monitor/alerts")[1]
                   ["alerts"][0]["count"] == 3)
        self.advance(60)
        follow_up = eventually(lambda: self.hooks.bodies("/generic")[1:])[0]
        self.assertEqual(follow_up["notification"], "follow-up")
        self.assertEqual(follow_up["status"], "firing")
        self.assertEqual(follow_up["details"]["count"], 2)
        self.assertEqual(follow_up["details"]["total"], 3)
        self.assertEqual([s["messageId"] for s in follow_up["details"]["samples"]],
                         [second, third])
        self.assertEqual(follow_up["messageId"], third)

        status, alerts = call(self.daemon, "GET", "/v1/plugins/dlq-monitor/alerts")
        self.assertEqual(status, 200)
        self.assertEqual(len(alerts["alerts"]), 1)
        self.assertEqual(alerts["alerts"][0]["queue"], "work-dlq")
        self.assertEqual(alerts["alerts"][0]["status"], "firing")
        self.assertEqual(alerts["alerts"][0]["count"], 3)
        self.assertEqual(alerts["alerts"][0]["notifications"], 2)
        # It never deleted anything.
        attrs = self.sqs.get_queue_attributes(QueueUrl=self.dlq,
                                              AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessages"], "3")

        self.sqs.purge_queue(QueueUrl=self.dlq)
        self.advance(1)
        resolved = eventually(lambda: self.hooks.bodies("/generic")[2:])[0]
        self.assertEqual(resolved["status"], "resolved")
        self.assertEqual(resolved["title"], "Dead-letter queue work-dlq is empty")
        am = eventually(lambda: self.hooks.bodies("/am")[2:])[0]
        self.assertIn("endsAt", am[0])
        self.assertTrue(eventually(lambda: self.hooks.bodies("/slack")[2:])[0]["text"]
                        .startswith("[RESOLVED] "))
        status, alerts = call(self.daemon, "GET", "/v1/plugins/dlq-monitor/alerts")
        self.assertEqual(alerts["alerts"][0]["status"], "resolved")
        self.assertIn("resolvedAt", alerts["alerts"][0])

        status, plugins = call(self.daemon, "GET", "/v1/plugins")
        monitor = [p for p in plugins["plugins"] if p["name"] == "dlq-monitor"][0]
        self.assertEqual(monitor["dlqMonitor"]["watching"], ["work-dlq"])
        self.assertEqual(monitor["counters"]["failed"], 0)
        self.assertEqual(monitor["counters"]["published"], 3)

    def test_a_dead_letter_queue_created_through_the_api_is_watched(self):
        dlq = self.sqs.create_queue(QueueName="late-dlq")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.sqs.set_queue_attributes(QueueUrl=self.work, Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 2})})
        self.fail_message("late", "x.y")
        generic = eventually(lambda: self.hooks.bodies("/generic"))[0]
        self.assertEqual(generic["queue"], "late-dlq")


if __name__ == "__main__":
    unittest.main()
