"""SQS standard queues driven by boto3 (AWS JSON 1.0) against the built daemon."""
import hashlib
import json
import threading
import time
import unittest

from botocore.exceptions import ClientError

from harness import Daemon, boto3_client

ARN = "arn:aws:sqs:us-east-1:000000000000:"


class Boto3SqsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.daemon.__enter__()
        cls.sqs = boto3_client("sqs", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def queue(self, name, **attributes):
        attrs = {k: str(v) for k, v in attributes.items()}
        return self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]

    def error_code(self, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response["Error"]["Code"]

    def test_queue_lifecycle_and_urls(self):
        url = self.queue("life", VisibilityTimeout=45)
        host = self.daemon.endpoint.split("//")[1]
        self.assertEqual(url, f"http://{host}/000000000000/life")
        self.assertEqual(self.sqs.get_queue_url(QueueName="life")["QueueUrl"], url)
        self.assertEqual(self.queue("life", VisibilityTimeout=45), url)
        self.assertEqual(self.error_code(self.sqs.create_queue, QueueName="life",
                                         Attributes={"VisibilityTimeout": "46"}),
                         "QueueAlreadyExists")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertEqual(attrs["QueueArn"], ARN + "life")
        self.assertEqual(attrs["MaximumMessageSize"], "1048576")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "3"})
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])
        self.assertEqual(attrs["Attributes"], {"DelaySeconds": "3"})
        self.sqs.delete_queue(QueueUrl=url)
        self.assertEqual(self.error_code(self.sqs.get_queue_url, QueueName="life"),
                         "AWS.SimpleQueueService.NonExistentQueue")

    def test_list_queues_prefix_and_pages(self):
        for i in range(5):
            self.queue(f"page-{i}")
        first = self.sqs.list_queues(QueueNamePrefix="page-", MaxResults=3)
        self.assertEqual(len(first["QueueUrls"]), 3)
        rest = self.sqs.list_queues(QueueNamePrefix="page-", MaxResults=3,
                                    NextToken=first["NextToken"])
        self.assertEqual(len(rest["QueueUrls"]), 2)
        self.assertNotIn("NextToken", rest)
        names = [u.rsplit("/", 1)[1] for u in first["QueueUrls"] + rest["QueueUrls"]]
        self.assertEqual(names, [f"page-{i}" for i in range(5)])

    def test_send_receive_delete_with_attributes_and_md5(self):
        url = self.queue("attrs")
        body = "héllo \r\n <world> & \U0001F600"
        sent = self.sqs.send_message(
            QueueUrl=url, MessageBody=body,
            MessageAttributes={
                "eventType": {"DataType": "String", "StringValue": "order.created"},
                "amount": {"DataType": "Number", "StringValue": "12.50"},
                "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
                "custom": {"DataType": "String.json", "StringValue": "{}"},
            },
            MessageSystemAttributes={
                "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}})
        self.assertEqual(sent["MD5OfMessageBody"], hashlib.md5(body.encode()).hexdigest())
        self.assertIn("MD5OfMessageAttributes", sent)
        self.assertIn("MD5OfMessageSystemAttributes", sent)
        got = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                       MessageSystemAttributeNames=["All"])["Messages"]
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["MD5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(m["MessageAttributes"]["blob"]["BinaryValue"], b"\x00\x01\xff")
        self.assertEqual(m["MessageAttributes"]["amount"],
                         {"DataType": "Number", "StringValue": "12.50"})
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(m["Attributes"]["AWSTraceHeader"], "Root=1-5759e988-bd862e3fe1be46a994272793")
        self.assertAlmostEqual(int(m["Attributes"]["SentTimestamp"]) / 1000, time.time(), delta=30)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_attribute_name_selection(self):
        url = self.queue("select")
        self.sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes={
            "order.id": {"DataType": "String", "StringValue": "1"},
            "order.total": {"DataType": "Number", "StringValue": "2"},
            "other": {"DataType": "String", "StringValue": "3"}})
        m = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["order.*"],
                                     AttributeNames=["SentTimestamp"],
                                     VisibilityTimeout=0)["Messages"][0]
        self.assertEqual(sorted(m["MessageAttributes"]), ["order.id", "order.total"])
        self.assertEqual(list(m["Attributes"]), ["SentTimestamp"])
        m = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.assertNotIn("MessageAttributes", m)
        self.assertNotIn("Attributes", m)

    def test_batches(self):
        url = self.queue("batch")
        entries = [{"Id": f"e{i}", "MessageBody": f"m{i}"} for i in range(10)]
        out = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(sorted(e["Id"] for e in out["Successful"]), sorted(f"e{i}" for i in range(10)))
        for e in out["Successful"]:
            self.assertEqual(e["MD5OfMessageBody"], hashlib.md5(f"m{e['Id'][1:]}".encode()).hexdigest())
        partial = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "ok", "MessageBody": "x"}, {"Id": "bad", "MessageBody": "y", "DelaySeconds": 1000}])
        self.assertEqual([e["Id"] for e in partial["Successful"]], ["ok"])
        self.assertEqual(partial["Failed"][0]["Id"], "bad")
        self.assertTrue(partial["Failed"][0]["SenderFault"])
        self.assertEqual(partial["Failed"][0]["Code"], "InvalidParameterValue")

        received = []
        while len(received) < 11:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            self.assertTrue(got)
            self.assertLessEqual(len(got), 10)
            received += got
        vis = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "v", "ReceiptHandle": received[0]["ReceiptHandle"], "VisibilityTimeout": 100}])
        self.assertEqual([e["Id"] for e in vis["Successful"]], ["v"])
        dels = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received[:10])])
        self.assertEqual(len(dels["Successful"]), 10)
        self.assertEqual(self.error_code(self.sqs.send_message_batch, QueueUrl=url, Entries=[
            {"Id": "x", "MessageBody": "a"}, {"Id": "x", "MessageBody": "b"}]),
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
        self.assertEqual(self.error_code(self.sqs.send_message_batch, QueueUrl=url, Entries=[
            {"Id": f"i{i}", "MessageBody": "a"} for i in range(11)]),
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")

    def test_visibility_timeout_and_receipt_handles(self):
        url = self.queue("vis", VisibilityTimeout=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        first = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        # A long poll is woken when the visibility timeout runs out.
        start = time.monotonic()
        second = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10,
                                          AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(second["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertNotEqual(first["ReceiptHandle"], second["ReceiptHandle"])
        # The superseded handle no longer deletes the message.
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"],
                                           VisibilityTimeout=0)
        third = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]
        self.assertEqual(third["Body"], "m")
        self.assertEqual(self.error_code(self.sqs.delete_message, QueueUrl=url,
                                         ReceiptHandle="garbage"), "ReceiptHandleIsInvalid")

    def test_long_poll_woken_by_send(self):
        url = self.queue("poll")
        result = {}

        def receive():
            start = time.monotonic()
            result["resp"] = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
            result["elapsed"] = time.monotonic() - start

        client = boto3_client("sqs", self.daemon.endpoint)
        t = threading.Thread(target=receive)
        t.start()
        time.sleep(0.3)  # let the receive park first; the assertion is on how soon it returns
        client.send_message(QueueUrl=url, MessageBody="wake")
        t.join(15)
        self.assertFalse(t.is_alive())
        self.assertEqual(result["resp"]["Messages"][0]["Body"], "wake")
        self.assertLess(result["elapsed"], 5)

    def test_long_poll_times_out_empty(self):
        url = self.queue("empty-poll", ReceiveMessageWaitTimeSeconds=1)
        start = time.monotonic()
        resp = self.sqs.receive_message(QueueUrl=url)
        elapsed = time.monotonic() - start
        self.assertNotIn("Messages", resp)
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertLess(elapsed, 5)

    def test_delay_seconds(self):
        url = self.queue("delay", DelaySeconds=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="later")
        self.sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessagesDelayed"], "1")
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["now"])
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["later"])

    def test_redrive_to_dead_letter_queue_and_move_back(self):
        dlq = self.queue("dead")
        src = self.queue("source", RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": ARN + "dead", "maxReceiveCount": 1}))
        self.sqs.send_message(QueueUrl=src, MessageBody="poison")
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)["Messages"]), 1)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src))
        dead = self.sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0,
                                        MessageSystemAttributeNames=["All"])["Messages"]
        self.assertEqual(dead[0]["Body"], "poison")
        self.assertEqual(dead[0]["Attributes"]["DeadLetterQueueSourceArn"], ARN + "source")
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [src])
        handle = self.sqs.start_message_move_task(SourceArn=ARN + "dead")["TaskHandle"]
        self.assertTrue(handle)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            tasks = self.sqs.list_message_move_tasks(SourceArn=ARN + "dead")["Results"]
            if tasks and tasks[0]["Status"] == "COMPLETED":
                break
            time.sleep(0.05)
        self.assertEqual(tasks[0]["Status"], "COMPLETED")
        self.assertEqual(tasks[0]["ApproximateNumberOfMessagesMoved"], 1)
        back = self.sqs.receive_message(QueueUrl=src)["Messages"]
        self.assertEqual(back[0]["Body"], "poison")

    def test_redrive_allow_policy_deny(self):
        self.queue("closed-dlq", RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
        self.assertEqual(self.error_code(self.sqs.create_queue, QueueName="denied", Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": ARN + "closed-dlq",
                                         "maxReceiveCount": 3})}), "InvalidParameterValue")

    def test_tags_permissions_and_purge(self):
        url = self.queue("tagged")
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "dev", "team": "orders"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "dev"})
        self.sqs.add_permission(QueueUrl=url, Label="p1", AWSAccountIds=["111122223333"],
                                Actions=["SendMessage"])
        policy = json.loads(self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
        self.assertEqual(policy["Statement"][0]["Sid"], "p1")
        self.sqs.remove_permission(QueueUrl=url, Label="p1")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        self.sqs.purge_queue(QueueUrl=url)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        self.assertEqual(self.error_code(self.sqs.purge_queue, QueueUrl=url),
                         "AWS.SimpleQueueService.PurgeQueueInProgress")

    def test_validation_errors(self):
        url = self.queue("validate")
        self.assertEqual(self.error_code(self.sqs.get_queue_attributes, QueueUrl=url,
                                         AttributeNames=["Bogus"]), "InvalidAttributeName")
        self.assertEqual(self.error_code(self.sqs.create_queue, QueueName="bad name"),
                         "InvalidParameterValue")
        self.assertEqual(self.error_code(self.sqs.create_queue, QueueName="v2",
                                         Attributes={"VisibilityTimeout": "99999"}),
                         "InvalidAttributeValue")
        self.assertEqual(self.error_code(self.sqs.receive_message, QueueUrl=url,
                                         MaxNumberOfMessages=11), "InvalidParameterValue")
        self.assertEqual(self.error_code(self.sqs.send_message, QueueUrl=url,
                                         MessageBody="x" * (1024 * 1024 + 1)),
                         "InvalidParameterValue")
        self.assertEqual(self.error_code(self.sqs.send_message, QueueUrl=url,
                                         MessageBody="bad \x01"), "InvalidMessageContents")
        self.assertEqual(self.error_code(self.sqs.send_message, QueueUrl=url + "-missing",
                                         MessageBody="x"),
                         "AWS.SimpleQueueService.NonExistentQueue")


if __name__ == "__main__":
    unittest.main()
