"""The queue routes of the native API (GET /v1/queues, /v1/queues/{name}, and the peek
/v1/queues/{name}/messages) against the real binary with a data dir (payloads read from
RocksDB): queues and messages made with boto3 are listed as they are, and peeking changes
nothing a later boto3 receive could see.
"""

import base64
import hashlib
import json
import re
import shutil
import tempfile
import unittest

from harness import Daemon, boto3_client, call, call_json, eventually

RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class QueuesApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="eb-queues-api-")
        cls.daemon = Daemon(data_dir=cls.data_dir)
        cls.daemon.__enter__()
        cls.sqs = boto3_client("sqs", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def create(self, name, **attributes):
        return self.sqs.create_queue(
            QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]

    def peek(self, name, query=""):
        status, body = call(self.daemon, "GET", "/v1/queues/%s/messages%s" % (name, query))
        self.assertEqual(status, 200, body)
        return body

    def assert_error(self, method, path, status, code):
        got, body, response = call_json(self.daemon, method, path)
        self.assertEqual(got, status, body)
        self.assertEqual(body["error"]["code"], code, body)
        self.assertTrue(body["error"]["message"])
        return response

    def test_list_shows_counts_types_and_dead_letter_targets(self):
        dlq = self.create("lst-dlq")
        dlq_arn = self.sqs.get_queue_attributes(
            QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        work = self.create("lst-work", VisibilityTimeout=600, RedrivePolicy=(
            '{"deadLetterTargetArn":"%s","maxReceiveCount":"3"}' % dlq_arn))
        self.create("lst-work.fifo", FifoQueue="true")
        for body in ("a", "b", "c"):
            self.sqs.send_message(QueueUrl=work, MessageBody=body)
        self.sqs.send_message(QueueUrl=work, MessageBody="later", DelaySeconds=900)
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=work)["Messages"]), 1)

        status, body = call(self.daemon, "GET", "/v1/queues?prefix=lst-")
        self.assertEqual(status, 200, body)
        queues = body["queues"]
        self.assertEqual([q["name"] for q in queues], ["lst-dlq", "lst-work", "lst-work.fifo"])
        plain, with_redrive, fifo = queues
        self.assertEqual(plain["type"], "standard")
        self.assertIsNone(plain["deadLetterTarget"])
        self.assertIsNone(plain["oldestMessageAgeSeconds"])
        self.assertEqual(plain["url"], dlq)
        self.assertEqual(plain["arn"], dlq_arn)
        self.assertRegex(plain["createdAt"], RFC3339_MS)
        self.assertEqual((with_redrive["visible"], with_redrive["inFlight"],
                          with_redrive["delayed"]), (2, 1, 1))
        self.assertEqual(with_redrive["deadLetterTarget"], "lst-dlq")
        self.assertEqual(with_redrive["deadLetterTargetArn"], dlq_arn)
        self.assertGreaterEqual(with_redrive["oldestMessageAgeSeconds"], 0)
        # The totals the console's rates come from.
        self.assertEqual((with_redrive["sent"], with_redrive["received"],
                          with_redrive["deleted"]), (4, 1, 0))
        self.assertEqual((plain["sent"], plain["received"], plain["deleted"]), (0, 0, 0))
        self.assertEqual(fifo["type"], "fifo")

        status, everything = call(self.daemon, "GET", "/v1/queues")
        self.assertEqual(status, 200)
        names = [q["name"] for q in everything["queues"]]
        self.assertEqual(names, sorted(names))
        self.assertIn("lst-work", names)

    def test_one_queue_has_its_attributes_and_tags(self):
        url = self.create("one-queue", VisibilityTimeout=45)
        self.sqs.tag_queue(QueueUrl=url, Tags={"team": "orders"})
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        status, body = call(self.daemon, "GET", "/v1/queues/one-queue")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["name"], "one-queue")
        self.assertEqual(body["url"], url)
        self.assertEqual(body["visible"], 1)
        self.assertEqual(body["tags"], {"team": "orders"})
        expected = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(body["attributes"]["VisibilityTimeout"], "45")
        self.assertEqual(set(body["attributes"]), set(expected))

    def test_peek_shows_the_message_and_changes_nothing(self):
        url = self.create("peek-plain")
        sent = self.sqs.send_message(
            QueueUrl=url, MessageBody="hello from boto3",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "order"},
                               "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"}})
        for _ in range(3):
            page = self.peek("peek-plain")
        self.assertIsNone(page["next"])
        [message] = page["messages"]
        self.assertEqual(message["messageId"], sent["MessageId"])
        self.assertEqual(message["state"], "visible")
        self.assertNotIn("visibleAt", message)
        self.assertEqual(message["body"], "hello from boto3")
        self.assertEqual(message["md5OfBody"], hashlib.md5(b"hello from boto3").hexdigest())
        self.assertEqual(message["md5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(message["messageAttributes"]["kind"],
                         {"dataType": "String", "stringValue": "order"})
        self.assertEqual(base64.b64decode(message["messageAttributes"]["blob"]["binaryValue"]),
                         b"\x00\x01\xff")
        self.assertEqual(message["attributes"]["ApproximateReceiveCount"], "0")
        self.assertIn("SentTimestamp", message["attributes"])

        got = self.sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["MessageId"], sent["MessageId"])
        self.assertEqual(got[0]["Attributes"]["ApproximateReceiveCount"], "1")

        [inflight] = self.peek("peek-plain")["messages"]
        self.assertEqual(inflight["state"], "inflight")
        self.assertRegex(inflight["visibleAt"], RFC3339_MS)
        self.assertEqual(inflight["attributes"]["ApproximateReceiveCount"], "1")

    def test_peek_does_not_redrive(self):
        dlq = self.create("redrive-dlq")
        dlq_arn = self.sqs.get_queue_attributes(
            QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        src = self.create("redrive-src", RedrivePolicy=(
            '{"deadLetterTargetArn":"%s","maxReceiveCount":"1"}' % dlq_arn))
        self.sqs.send_message(QueueUrl=src, MessageBody="poison")
        self.assertEqual(len(self.sqs.receive_message(
            QueueUrl=src, VisibilityTimeout=0)["Messages"]), 1)
        for _ in range(3):
            [message] = self.peek("redrive-src")["messages"]
            self.assertEqual(message["state"], "visible")
            self.assertEqual(message["attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(self.peek("redrive-dlq")["messages"], [])

    def test_states_filters_and_paging(self):
        url = self.create("peek-states", VisibilityTimeout=600)
        for i in range(4):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=900)
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=url)["Messages"]), 1)

        states = [m["state"] for m in self.peek("peek-states")["messages"]]
        self.assertEqual(sorted(states), ["delayed", "inflight", "visible", "visible", "visible"])
        [delayed] = self.peek("peek-states", "?state=delayed")["messages"]
        self.assertEqual(delayed["body"], "delayed")
        self.assertRegex(delayed["visibleAt"], RFC3339_MS)
        both = self.peek("peek-states", "?state=inflight,delayed")["messages"]
        self.assertEqual(sorted(m["state"] for m in both), ["delayed", "inflight"])

        bodies, after, pages = [], 0, 0
        while True:
            page = self.peek("peek-states", "?state=visible&limit=2&after=%d" % after)
            pages += 1
            bodies += [m["body"] for m in page["messages"]]
            seqs = [m["seq"] for m in page["messages"]]
            self.assertEqual(seqs, sorted(seqs))
            if page["next"] is None:
                break
            after = page["next"]
        self.assertEqual(pages, 2)
        self.assertEqual(len(bodies), 3)
        self.assertEqual(len(self.peek("peek-states", "?limit=5000")["messages"]), 5)

    def test_fifo_system_attributes(self):
        url = self.create("peek-fifo.fifo", FifoQueue="true")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="g1",
                                     MessageDeduplicationId="d1")
        [message] = self.peek("peek-fifo.fifo")["messages"]
        self.assertEqual(message["attributes"]["MessageGroupId"], "g1")
        self.assertEqual(message["attributes"]["MessageDeduplicationId"], "d1")
        self.assertEqual(message["attributes"]["SequenceNumber"], sent["SequenceNumber"])

    def test_errors(self):
        self.create("errors-queue")
        self.assert_error("GET", "/v1/queues/missing", 404, "QueueNotFound")
        self.assert_error("GET", "/v1/queues/missing/messages", 404, "QueueNotFound")
        self.assert_error("GET", "/v1/queues/errors-queue/other", 404, "NotFound")
        for query in ("?state=bogus", "?state=visible,nope", "?limit=0", "?limit=-1",
                      "?limit=abc", "?after=-3"):
            self.assert_error("GET", "/v1/queues/errors-queue/messages" + query, 400,
                              "ValidationError")
        for method, path, allow in (("POST", "/v1/queues", "GET"),
                                    ("DELETE", "/v1/queues/errors-queue", "GET"),
                                    ("DELETE", "/v1/queues/errors-queue/messages", "GET, POST"),
                                    ("GET", "/v1/queues/errors-queue/purge", "POST")):
            response = self.assert_error(method, path, 405, "MethodNotAllowed")
            self.assertEqual(response.getheader("Allow"), allow)
        self.assert_error("POST", "/v1/queues/errors-queue/messages", 400, "MalformedRequest")

    def test_send_purge_and_redrive(self):
        sqs = self.sqs
        dlq_url = self.create("actions-dlq")
        source_url = self.create("actions-src", RedrivePolicy=json.dumps({
            "deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:actions-dlq",
            "maxReceiveCount": "1"}))
        status, sent = call(self.daemon, "POST", "/v1/queues/actions-src/messages",
                            {"body": "order 42", "messageAttributes": {
                                "kind": {"dataType": "String", "stringValue": "order"}}})
        self.assertEqual(status, 201, sent)
        # What the SDK receives is what the console sent, with SQS's own MD5s.
        got = sqs.receive_message(QueueUrl=source_url, MessageAttributeNames=["All"],
                                  VisibilityTimeout=0)["Messages"][0]
        self.assertEqual((got["MessageId"], got["Body"], got["MD5OfBody"]),
                         (sent["messageId"], "order 42", sent["md5OfBody"]))
        self.assertEqual(got["MD5OfMessageAttributes"], sent["md5OfMessageAttributes"])
        # A second receive moves it to the dead-letter queue; the console moves it back.
        self.assertNotIn("Messages", sqs.receive_message(QueueUrl=source_url, VisibilityTimeout=0))
        status, started = call(self.daemon, "POST", "/v1/queues/actions-dlq/redrive", {})
        self.assertEqual(status, 202, started)
        tasks = eventually(lambda: next(
            (t for t in call(self.daemon, "GET", "/v1/queues/actions-dlq/redrive")[1]["tasks"]
             if t["status"] == "COMPLETED"), None))
        self.assertEqual((tasks["taskHandle"], tasks["moved"]), (started["taskHandle"], 1))
        status, purged = call(self.daemon, "POST", "/v1/queues/actions-src/purge")
        self.assertEqual((status, purged), (200, {"queue": "actions-src", "purged": True}))
        self.assertEqual(sqs.get_queue_attributes(
            QueueUrl=source_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"],
            {"ApproximateNumberOfMessages": "0"})
        self.assert_error("POST", "/v1/queues/actions-src/purge", 403, "PurgeQueueInProgress")
        self.assertTrue(dlq_url)


class QueuesApiRestartTest(unittest.TestCase):
    def test_peek_reads_payloads_from_the_store_after_a_restart(self):
        data_dir = tempfile.mkdtemp(prefix="eb-queues-api-restart-")
        try:
            with Daemon(data_dir=data_dir) as daemon:
                sqs = boto3_client("sqs", daemon.endpoint)
                url = sqs.create_queue(QueueName="kept")["QueueUrl"]
                sent = sqs.send_message(QueueUrl=url, MessageBody="survives a restart")
            with Daemon(data_dir=data_dir) as daemon:
                status, page = call(daemon, "GET", "/v1/queues/kept/messages")
                self.assertEqual(status, 200, page)
                [message] = page["messages"]
                self.assertEqual(message["messageId"], sent["MessageId"])
                self.assertEqual(message["body"], "survives a restart")
                got = boto3_client("sqs", daemon.endpoint).receive_message(
                    QueueUrl=url.replace(url.split("/")[2], daemon.endpoint.split("/")[2]),
                    AttributeNames=["All"])["Messages"]
                self.assertEqual(got[0]["Attributes"]["ApproximateReceiveCount"], "1")
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
