"""--clock manual against the real binary: the daemon's timers (message delays, visibility
timeouts, long polls, retention, FIFO deduplication windows) fire when POST /v1/clock/advance
moves time, and not before; GET /v1/clock tells the time; bad bodies get 400; without the flag
both routes are 404. No test sleeps to wait for a timer.
"""

import json
import threading
import unittest
import uuid

from harness import Daemon, boto3_client, call_json


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def call(daemon, method, path, body=None, raw=None):
    return call_json(daemon, method, path, body, raw)


class ManualClockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon("--clock", "manual").__enter__()
        cls.sqs = boto3_client("sqs", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def advance(self, seconds):
        status, body, _ = call(self.daemon, "POST", "/v1/clock/advance", {"seconds": seconds})
        self.assertEqual(status, 200, body)
        return body

    def now(self):
        status, body, _ = call(self.daemon, "GET", "/v1/clock")
        self.assertEqual(status, 200, body)
        return body["now"]

    def receive(self, url, **kwargs):
        kwargs.setdefault("WaitTimeSeconds", 0)
        return self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                        AttributeNames=["All"], **kwargs).get("Messages", [])

    def test_time_stands_still_until_advanced(self):
        before = self.now()
        self.assertEqual(self.now(), before)
        body = self.advance(1.5)
        self.assertEqual(body["now"], before + 1500)
        self.assertEqual(body["advancedMs"], 1500)
        self.assertEqual(body["mode"], "manual")
        self.assertTrue(body["time"].endswith("Z"))
        self.assertEqual(self.now(), before + 1500)

    def test_delayed_messages_appear_when_their_delay_has_passed(self):
        url = self.sqs.create_queue(QueueName=unique("delay"))["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=900)
        self.assertEqual(self.receive(url), [])
        self.advance(899)
        self.assertEqual(self.receive(url), [])
        self.advance(1)
        got = self.receive(url)
        self.assertEqual([m["Body"] for m in got], ["later"])
        # SentTimestamp is the daemon's time, not the wall clock's.
        self.assertLessEqual(int(got[0]["Attributes"]["SentTimestamp"]), self.now() - 900_000)

    def test_visibility_timeout_runs_on_the_manual_clock(self):
        url = self.sqs.create_queue(QueueName=unique("visibility"))["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        self.assertEqual(len(self.receive(url, VisibilityTimeout=600)), 1)
        self.advance(599)
        self.assertEqual(self.receive(url), [])
        self.advance(1)
        again = self.receive(url)
        self.assertEqual(len(again), 1)
        self.assertEqual(again[0]["Attributes"]["ApproximateReceiveCount"], "2")

    def test_a_long_poll_ends_when_time_reaches_its_wait(self):
        url = self.sqs.create_queue(QueueName=unique("poll"))["QueueUrl"]
        result = {}
        started = self.now()
        thread = threading.Thread(
            target=lambda: result.update(messages=self.receive(url, WaitTimeSeconds=20)))
        thread.start()
        thread.join(timeout=0.3)
        self.assertTrue(thread.is_alive(), "the long poll did not wait")
        # One second at a time until the poll answers: it parked at `started` or later, so it
        # cannot end before 20 s have passed, and must end soon after.
        for _ in range(40):
            now = self.advance(1)["now"]
            thread.join(timeout=0.05)
            if not thread.is_alive():
                break
        thread.join(timeout=5)
        self.assertFalse(thread.is_alive(), "the long poll did not end when time reached it")
        self.assertGreaterEqual(now - started, 20_000)
        self.assertEqual(result["messages"], [])

    def test_a_parked_receive_gets_a_delayed_message_when_it_is_due(self):
        url = self.sqs.create_queue(QueueName=unique("parked"))["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="due", DelaySeconds=10)
        result = {}
        thread = threading.Thread(
            target=lambda: result.update(messages=self.receive(url, WaitTimeSeconds=20)))
        thread.start()
        thread.join(timeout=0.3)
        self.assertTrue(thread.is_alive())
        self.advance(10)  # the message becomes visible 10 s before the wait would end
        thread.join(timeout=5)
        self.assertFalse(thread.is_alive())
        self.assertEqual([m["Body"] for m in result["messages"]], ["due"])

    def test_retention_expires_messages(self):
        url = self.sqs.create_queue(QueueName=unique("retention"),
                                    Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody="short-lived")
        self.advance(61)
        self.assertEqual(self.receive(url), [])
        attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        self.assertEqual(attributes["Attributes"]["ApproximateNumberOfMessages"], "0")

    def test_fifo_deduplication_window_is_five_manual_minutes(self):
        url = self.sqs.create_queue(QueueName=unique("dedup") + ".fifo",
                                    Attributes={"FifoQueue": "true"})["QueueUrl"]

        def send():
            return self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g",
                                         MessageDeduplicationId="same")["MessageId"]

        first = send()
        self.advance(299)
        self.assertEqual(send(), first)  # still a duplicate
        self.advance(1)
        self.assertNotEqual(send(), first)  # the window has ended

    def test_bad_requests(self):
        for raw, code in [("not json", "MalformedRequest"), ("[1]", "MalformedRequest"),
                          ("{}", "MissingParameter"), ('{"seconds": -1}', "InvalidParameterValue"),
                          ('{"seconds": "10"}', "InvalidParameterValue"),
                          ('{"seconds": 1e300}', "InvalidParameterValue")]:
            status, body, _ = call(self.daemon, "POST", "/v1/clock/advance", raw=raw)
            self.assertEqual(status, 400, raw)
            self.assertEqual(body["error"]["code"], code, raw)
        status, _, response = call(self.daemon, "GET", "/v1/clock/advance")
        self.assertEqual(status, 405)
        self.assertEqual(response.getheader("Allow"), "POST")
        status, _, response = call(self.daemon, "POST", "/v1/clock", {"seconds": 1})
        self.assertEqual(status, 405)
        status, _, _ = call(self.daemon, "GET", "/v1/clock/elsewhere")
        self.assertEqual(status, 404)


class SystemClockTest(unittest.TestCase):
    def test_clock_routes_do_not_exist_without_the_flag(self):
        with Daemon() as daemon:
            status, body, _ = call(daemon, "GET", "/v1/clock")
            self.assertEqual(status, 404, body)
            status, body, _ = call(daemon, "POST", "/v1/clock/advance", {"seconds": 1})
            self.assertEqual(status, 404, body)


if __name__ == "__main__":
    unittest.main()
