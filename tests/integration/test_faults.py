"""Fault injection (/v1/faults, the config file's faults:) against the built daemon with boto3:
AWS errors for matched calls only and for exactly `count` of them, latency that waits on the
(manual) clock, outbound HTTP deliveries dropped or failed and then retried by SNS's delivery
policy, validation, rules kept across /v1/reset, and config-declared, seeded rules."""
import json
import os
import tempfile
import threading
import unittest
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from harness import Daemon, call, eventually
from test_sns_boto3 import Endpoint, confirmed_http_subscription


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def single_try(service, endpoint):
    """A boto3 client that never retries: botocore's legacy max_attempts 1 still retries a
    throttled or 5xx call once; total_max_attempts counts the first try."""
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=30))


class FaultsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon("--clock", "manual").__enter__()
        cls.sqs = single_try("sqs", cls.daemon.endpoint)
        cls.sns = single_try("sns", cls.daemon.endpoint)
        cls.events = single_try("events", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def setUp(self):
        status, body = call(self.daemon, "DELETE", "/v1/faults")
        self.assertEqual(status, 200, body)

    def add(self, **rule):
        status, body = call(self.daemon, "POST", "/v1/faults", rule)
        self.assertEqual(status, 201, body)
        return body["faultId"]

    def rule(self, fault_id):
        status, body = call(self.daemon, "GET", "/v1/faults")
        self.assertEqual(status, 200, body)
        return next(r for r in body["faults"] if r["faultId"] == fault_id)

    def advance(self, seconds):
        status, body = call(self.daemon, "POST", "/v1/clock/advance", {"seconds": seconds})
        self.assertEqual(status, 200, body)

    def error(self, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response

    def test_sqs_throttles_the_matched_queue_for_count_calls(self):
        faulty = self.sqs.create_queue(QueueName=unique("faulty"))["QueueUrl"]
        calm = self.sqs.create_queue(QueueName=unique("calm"))["QueueUrl"]
        fault = self.add(service="sqs", action="SendMessage", resource="faulty-*",
                         error="RequestThrottled", count=2)
        for _ in range(3):
            self.sqs.send_message(QueueUrl=calm, MessageBody="fine")
        for _ in range(2):
            err = self.error(self.sqs.send_message, QueueUrl=faulty, MessageBody="no")
            self.assertEqual(err["Error"]["Code"], "RequestThrottled")
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.sqs.send_message(QueueUrl=faulty, MessageBody="now")  # the count is spent
        # Another action on the queue is never matched; only the third send landed.
        got = self.sqs.receive_message(QueueUrl=faulty, MaxNumberOfMessages=10).get("Messages")
        self.assertEqual([m["Body"] for m in got], ["now"])
        rule = self.rule(fault)
        self.assertEqual((rule["injected"], rule["count"]), (2, 0))
        # The daemon's log reaches the harness through a pipe and a reader thread.
        eventually(lambda: "fault %s injected: sqs SendMessage" % fault in self.daemon.log)

    def test_a_retrying_client_gets_through(self):
        url = self.sqs.create_queue(QueueName=unique("retry"))["QueueUrl"]
        self.add(service="sqs", action="SendMessage", resource=url,
                 error="ThrottlingException", count=2)
        retrying = boto3.client("sqs", endpoint_url=self.daemon.endpoint, region_name="us-east-1",
                                aws_access_key_id="test", aws_secret_access_key="test",
                                config=Config(retries={"mode": "standard", "max_attempts": 3}))
        out = retrying.send_message(QueueUrl=url, MessageBody="third time")
        self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 2)

    def test_each_protocol_answers_its_own_error(self):
        topic = self.sns.create_topic(Name=unique("faulty-topic"))["TopicArn"]
        self.add(service="sns", action="Publish", resource=topic.rsplit(":", 1)[1],
                 error="Throttled", count=1)
        err = self.error(self.sns.publish, TopicArn=topic, Message="m")
        self.assertEqual(err["Error"]["Code"], "Throttled")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 429)
        self.sns.publish(TopicArn=topic, Message="m")

        self.add(service="events", action="PutEvents", error="InternalException", count=1)
        err = self.error(self.events.put_events, Entries=[
            {"Source": "s", "DetailType": "d", "Detail": "{}"}])
        self.assertEqual(err["Error"]["Code"], "InternalException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 500)

        self.add(service="sqs", action="GetQueueUrl", error="KMS.ThrottlingException", count=1)
        err = self.error(self.sqs.get_queue_url, QueueName="any")
        self.assertEqual(err["Error"]["Code"], "KMS.ThrottlingException")

    def test_latency_waits_for_the_clock(self):
        fault = self.add(service="sqs", action="ListQueues", latencyMs=5000, count=1)
        answers = []
        caller = threading.Thread(target=lambda: answers.append(self.sqs.list_queues()))
        caller.start()
        eventually(lambda: self.rule(fault)["injected"] == 1)
        self.assertTrue(caller.is_alive())  # held until time moves; nothing else releases it
        self.advance(5)
        caller.join(10)
        self.assertFalse(caller.is_alive())
        self.assertEqual(answers[0]["ResponseMetadata"]["HTTPStatusCode"], 200)

    def http_subscription(self, endpoint):
        topic = self.sns.create_topic(Name=unique("hooks"))["TopicArn"]
        confirmed_http_subscription(self.sns, topic, endpoint, num_retries=10)
        return topic

    def delivered_after_advancing(self, endpoint):
        def arrived():
            if endpoint.received.empty():
                self.advance(1)  # the next retry falls due
                return None
            return endpoint.next()
        headers, body = eventually(arrived)
        self.assertEqual(headers["x-amz-sns-message-type"], "Notification")
        return json.loads(body)["Message"]

    def test_dropped_deliveries_are_retried_and_land_once_the_fault_is_gone(self):
        endpoint = Endpoint()
        try:
            topic = self.http_subscription(endpoint)
            fault = self.add(service="http", resource=endpoint.url, error="drop")
            self.sns.publish(TopicArn=topic, Message="after the outage")
            # The first try and at least one retry (each second moved) are dropped.
            eventually(lambda: self.rule(fault)["injected"] >= 2 or self.advance(1))
            self.assertTrue(endpoint.received.empty())
            status, _ = call(self.daemon, "DELETE", "/v1/faults/" + fault)
            self.assertEqual(status, 200)
            self.assertEqual(self.delivered_after_advancing(endpoint), "after the outage")
        finally:
            endpoint.close()

    def test_failed_deliveries_count_down_then_deliver(self):
        endpoint = Endpoint()
        try:
            topic = self.http_subscription(endpoint)
            fault = self.add(service="http", action="POST", resource="http://127.0.0.1:*/hook",
                             error=503, count=2)
            self.sns.publish(TopicArn=topic, Message="third try")
            self.assertEqual(self.delivered_after_advancing(endpoint), "third try")
            self.assertEqual(self.rule(fault)["injected"], 2)
        finally:
            endpoint.close()

    def test_bad_rules_and_unknown_ids(self):
        for rule in ({"service": "s3", "error": "X"}, {"service": "sqs", "error": "X",
                                                        "probability": 2},
                     {"service": "sqs", "error": "X", "count": -1},
                     {"service": "sqs", "error": "X", "latencyMs": -1},
                     {"service": "http", "error": "ThrottlingException"}):
            status, body = call(self.daemon, "POST", "/v1/faults", rule)
            self.assertEqual(status, 400, rule)
            self.assertEqual(body["error"]["code"], "InvalidParameterValue")
        status, body = call(self.daemon, "POST", "/v1/faults", raw="{nope")
        self.assertEqual((status, body["error"]["code"]), (400, "MalformedRequest"))
        status, body = call(self.daemon, "DELETE", "/v1/faults/fault-999")
        self.assertEqual((status, body["error"]["code"]), (404, "FaultNotFound"))

    def test_reset_keeps_the_rules(self):
        fault = self.add(service="sqs", action="ListQueues", error="ServiceUnavailable")
        status, _ = call(self.daemon, "POST", "/v1/reset")
        self.assertEqual(status, 200)
        self.assertEqual(self.rule(fault)["injected"], 0)
        err = self.error(self.sqs.list_queues)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 503)
        status, body = call(self.daemon, "DELETE", "/v1/faults")
        self.assertEqual(body, {"deleted": 1})
        self.sqs.list_queues()


class ConfigFaultsTest(unittest.TestCase):
    CONFIG = """fault_seed: 7
queues: [{name: declared}]
faults:
  - service: sqs
    action: GetQueueUrl
    error: ServiceUnavailable
    count: 1
  - service: sqs
    action: ListQueues
    error: ThrottlingException
    probability: 0.5
"""

    def outcomes(self, path):
        with Daemon("--config", path) as daemon:
            sqs = single_try("sqs", daemon.endpoint)
            err = self.error(sqs.get_queue_url, QueueName="declared")
            self.assertEqual(err["Error"]["Code"], "ServiceUnavailable")
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 503)
            self.assertTrue(sqs.get_queue_url(QueueName="declared")["QueueUrl"])
            seen = []
            for _ in range(24):
                try:
                    sqs.list_queues()
                    seen.append(False)
                except ClientError as error:
                    self.assertEqual(error.response["Error"]["Code"], "ThrottlingException")
                    seen.append(True)
            status, body = call(daemon, "GET", "/v1/faults")
            self.assertEqual(status, 200)
            self.assertEqual(body["seed"], 7)
            self.assertEqual(body["injected"], 1 + seen.count(True))
            return seen

    def error(self, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response

    def test_declared_rules_apply_and_the_seed_makes_runs_repeat(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "eventbrokerd.yaml")
            with open(path, "w") as f:
                f.write(self.CONFIG)
            first = self.outcomes(path)
            self.assertIn(True, first)
            self.assertIn(False, first)
            self.assertEqual(self.outcomes(path), first)

    def test_a_bad_declared_rule_stops_the_start(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "eventbrokerd.yaml")
            with open(path, "w") as f:
                f.write("faults:\n  - service: sqs\n    error: X\n    probability: 3\n")
            daemon = Daemon("--config", path)
            with self.assertRaises(AssertionError):
                daemon.start()
            self.assertIn("probability must be between 0 and 1", daemon.log)


if __name__ == "__main__":
    unittest.main()
