"""SQS FIFO queues and fair queues (standard queues with MessageGroupId) driven by boto3
(AWS JSON 1.0) against the built daemon.

Every assertion is AWS-documented behaviour (SQS Developer Guide: FIFO delivery logic,
exactly-once processing, ReceiveRequestAttemptId, dead-letter queues and redrive, fair
queues). The 5-minute deduplication window is not waited for here: unit tests move an
injected clock for that. Only tests that need a visibility expiry use a short
VisibilityTimeout (1 s); the daemon runs on the real clock.
"""
import hashlib
import itertools
import json
import shutil
import tempfile
import threading
import time
import unittest

from botocore.exceptions import ClientError

from harness import Daemon, boto3_client

ARN = "arn:aws:sqs:us-east-1:000000000000:"
_names = itertools.count()


def unique(prefix):
    """A queue name no other test uses (the daemon is shared by the class)."""
    return "%s-%d" % (prefix, next(_names))


class FifoTestBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.daemon.__enter__()
        cls.sqs = boto3_client("sqs", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def queue(self, prefix, fifo=True, **attributes):
        """Creates a queue with a unique name; returns (url, name)."""
        name = unique(prefix) + (".fifo" if fifo else "")
        attrs = {k: str(v) for k, v in attributes.items()}
        if fifo:
            attrs["FifoQueue"] = "true"
        return self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"], name

    def error(self, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response

    def error_code(self, fn, **kwargs):
        return self.error(fn, **kwargs)["Error"]["Code"]

    def send(self, url, body, group, dedup=None, **kwargs):
        if dedup is not None:
            kwargs["MessageDeduplicationId"] = dedup
        return self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group,
                                     **kwargs)

    def receive(self, url, n=10, **kwargs):
        return self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=n,
                                        MessageSystemAttributeNames=["All"],
                                        **kwargs).get("Messages", [])

    def delete(self, url, messages):
        if not messages:
            return
        out = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
        self.assertEqual(out.get("Failed", []), [])

    def drain(self, url, expected, seconds=10):
        """Receives (10 at a time) and deletes until `expected` messages came; returns them in
        delivery order."""
        got = []
        deadline = time.monotonic() + seconds
        while len(got) < expected and time.monotonic() < deadline:
            batch = self.receive(url, WaitTimeSeconds=1)
            got += batch
            self.delete(url, batch)
        return got

    def wait_move_task(self, source_arn, seconds=10):
        deadline = time.monotonic() + seconds
        while True:
            tasks = self.sqs.list_message_move_tasks(SourceArn=source_arn)["Results"]
            if tasks and tasks[0]["Status"] in ("COMPLETED", "FAILED", "CANCELLED"):
                return tasks[0]
            if time.monotonic() > deadline:
                self.fail("move task not finished within %d s: %s" % (seconds, tasks))
            time.sleep(0.05)


class FifoQueueTest(FifoTestBase):
    # 1. Queue attributes.
    def test_fifo_queue_attributes(self):
        url, name = self.queue("attrs", ContentBasedDeduplication="true",
                               DeduplicationScope="messageGroup",
                               FifoThroughputLimit="perMessageGroupId")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["FifoQueue"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "true")
        self.assertEqual(attrs["DeduplicationScope"], "messageGroup")
        self.assertEqual(attrs["FifoThroughputLimit"], "perMessageGroupId")
        self.assertEqual(attrs["QueueArn"], ARN + name)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={
            "ContentBasedDeduplication": "false", "DeduplicationScope": "queue",
            "FifoThroughputLimit": "perQueue"})
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"])
        self.assertEqual(attrs["Attributes"], {"ContentBasedDeduplication": "false",
                                               "DeduplicationScope": "queue",
                                               "FifoThroughputLimit": "perQueue"})
        # Defaults of a plain FIFO queue.
        plain, _ = self.queue("plain")
        attrs = self.sqs.get_queue_attributes(QueueUrl=plain, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["FifoQueue"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "false")
        self.assertEqual(attrs["DeduplicationScope"], "queue")
        self.assertEqual(attrs["FifoThroughputLimit"], "perQueue")
        # Idempotent create with the same attributes; name and attribute must agree.
        self.assertEqual(self.sqs.create_queue(QueueName=_name_of(plain),
                                               Attributes={"FifoQueue": "true"})["QueueUrl"], plain)
        self.assertEqual(self.error_code(self.sqs.create_queue, QueueName=unique("nosuffix"),
                                         Attributes={"FifoQueue": "true"}),
                         "InvalidParameterValue")
        self.assertEqual(self.error_code(self.sqs.create_queue,
                                         QueueName=unique("noattr") + ".fifo"),
                         "InvalidParameterValue")
        self.assertEqual(self.error_code(self.sqs.set_queue_attributes, QueueUrl=url,
                                         Attributes={"DeduplicationScope": "bogus"}),
                         "InvalidAttributeValue")

    # 2. Parameter validation on send.
    def test_send_validation(self):
        url, _ = self.queue("validate")
        response = self.error(self.sqs.send_message, QueueUrl=url, MessageBody="x",
                              MessageDeduplicationId="d")
        self.assertEqual(response["Error"]["Code"], "MissingParameter")
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(self.error_code(self.sqs.send_message, QueueUrl=url, MessageBody="x",
                                         MessageGroupId="g"), "InvalidParameterValue")
        self.assertEqual(self.error_code(self.sqs.send_message, QueueUrl=url, MessageBody="x",
                                         MessageGroupId="g", MessageDeduplicationId="d",
                                         DelaySeconds=5), "InvalidParameterValue")
        # Per-entry failures in a batch; the valid entry goes through.
        out = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "ok", "MessageBody": "fine", "MessageGroupId": "g",
             "MessageDeduplicationId": "ok"},
            {"Id": "nogroup", "MessageBody": "x", "MessageDeduplicationId": "d1"},
            {"Id": "nodedup", "MessageBody": "x", "MessageGroupId": "g"},
            {"Id": "delay", "MessageBody": "x", "MessageGroupId": "g",
             "MessageDeduplicationId": "d2", "DelaySeconds": 5},
        ])
        self.assertEqual([e["Id"] for e in out["Successful"]], ["ok"])
        failed = {e["Id"]: e for e in out["Failed"]}
        self.assertEqual(sorted(failed), ["delay", "nodedup", "nogroup"])
        self.assertEqual(failed["nogroup"]["Code"], "MissingParameter")
        self.assertEqual(failed["nodedup"]["Code"], "InvalidParameterValue")
        self.assertEqual(failed["delay"]["Code"], "InvalidParameterValue")
        for entry in failed.values():
            self.assertIs(entry["SenderFault"], True)
        got = self.receive(url)
        self.assertEqual([m["Body"] for m in got], ["fine"])
        # The queue-level DelaySeconds is allowed on a FIFO queue.
        delayed, _ = self.queue("qdelay", DelaySeconds=1)
        self.send(delayed, "later", "g", "d")
        self.assertEqual(self.receive(delayed), [])
        self.assertEqual([m["Body"] for m in self.receive(delayed, WaitTimeSeconds=5)], ["later"])

    # 3. SequenceNumber.
    def test_sequence_numbers_increase(self):
        url, _ = self.queue("seq")
        numbers = []
        for i in range(10):
            out = self.send(url, "m%d" % i, "g%d" % (i % 3), "d%d" % i)
            self.assertRegex(out["SequenceNumber"], r"^\d{20}$")
            numbers.append(int(out["SequenceNumber"]))
        batch = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "b%d" % i, "MessageBody": "b%d" % i, "MessageGroupId": "g",
             "MessageDeduplicationId": "b%d" % i} for i in range(5)])
        self.assertEqual([e["Id"] for e in batch["Successful"]], ["b%d" % i for i in range(5)])
        for entry in batch["Successful"]:
            self.assertRegex(entry["SequenceNumber"], r"^\d{20}$")
            numbers.append(int(entry["SequenceNumber"]))
        self.assertEqual(numbers, sorted(set(numbers)), "not strictly increasing")

    # 4. Deduplication.
    def test_explicit_deduplication_id(self):
        url, _ = self.queue("dedup")
        first = self.send(url, "one", "g", "same")
        second = self.send(url, "two", "g", "same")
        self.assertEqual(second["MessageId"], first["MessageId"])
        self.assertEqual(second["SequenceNumber"], first["SequenceNumber"])
        # A duplicate inside a batch is accepted too and answers the original id.
        batch = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "dup", "MessageBody": "three", "MessageGroupId": "g",
             "MessageDeduplicationId": "same"}])
        self.assertEqual(batch["Successful"][0]["MessageId"], first["MessageId"])
        got = self.receive(url, WaitTimeSeconds=1)
        self.assertEqual([(m["MessageId"], m["Body"]) for m in got],
                         [(first["MessageId"], "one")])
        # Still deduplicated after the message was received and deleted.
        self.delete(url, got)
        self.assertEqual(self.send(url, "four", "g", "same")["MessageId"], first["MessageId"])
        self.assertEqual(self.receive(url), [])

    def test_deduplication_edge_cases(self):
        url, _ = self.queue("dedup-edges")
        # Two entries of one batch with the same id: both accepted, one message.
        out = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": i, "MessageBody": i, "MessageGroupId": "g", "MessageDeduplicationId": "pair"}
            for i in ("x", "y")])
        ids = {e["Id"]: e["MessageId"] for e in out["Successful"]}
        self.assertEqual(sorted(ids), ["x", "y"])
        self.assertEqual(ids["x"], ids["y"])
        # A rejected send does not take its deduplication id.
        self.assertEqual(self.error_code(self.sqs.send_message, QueueUrl=url,
                                         MessageBody="bad \x01", MessageGroupId="g",
                                         MessageDeduplicationId="rejected"),
                         "InvalidMessageContents")
        accepted = self.send(url, "good", "g", "rejected")
        self.assertNotEqual(accepted["MessageId"], ids["x"])
        self.assertEqual([m["Body"] for m in self.drain(url, 2)], ["x", "good"])
        self.assertEqual(self.receive(url), [])
        # MessageGroupId and MessageDeduplicationId are at most 128 characters.
        self.assertEqual(self.error_code(self.sqs.send_message, QueueUrl=url, MessageBody="m",
                                         MessageGroupId="g" * 129, MessageDeduplicationId="d"),
                         "InvalidParameterValue")
        self.assertEqual(self.error_code(self.sqs.send_message, QueueUrl=url, MessageBody="m",
                                         MessageGroupId="g", MessageDeduplicationId="d" * 129),
                         "InvalidParameterValue")
        self.send(url, "longest", "g" * 128, "d" * 128)

    def test_content_based_deduplication(self):
        url, _ = self.queue("cbd", ContentBasedDeduplication="true")
        first = self.send(url, "same body", "g")
        second = self.send(url, "same body", "g")
        self.assertEqual(second["MessageId"], first["MessageId"])
        # Only the body counts, not the attributes (nor the group, with scope queue).
        with_attrs = self.send(url, "same body", "h", MessageAttributes={
            "a": {"DataType": "String", "StringValue": "v"}})
        self.assertEqual(with_attrs["MessageId"], first["MessageId"])
        other = self.send(url, "other body", "g")
        self.assertNotEqual(other["MessageId"], first["MessageId"])
        # An explicit id overrides the generated one: same body, new id -> a new message.
        explicit = self.send(url, "same body", "g", "explicit")
        self.assertNotEqual(explicit["MessageId"], first["MessageId"])
        got = self.drain(url, 3)
        self.assertEqual([m["Body"] for m in got], ["same body", "other body", "same body"])
        self.assertEqual(self.receive(url), [])

    def test_deduplication_scope(self):
        per_group, _ = self.queue("scope-group", DeduplicationScope="messageGroup",
                                  FifoThroughputLimit="perMessageGroupId")
        a = self.send(per_group, "a", "g1", "same")
        b = self.send(per_group, "b", "g2", "same")
        self.assertNotEqual(a["MessageId"], b["MessageId"])
        self.assertEqual(self.send(per_group, "c", "g1", "same")["MessageId"], a["MessageId"])
        self.assertEqual(sorted(m["Body"] for m in self.drain(per_group, 2)), ["a", "b"])
        self.assertEqual(self.receive(per_group), [])

        per_queue, _ = self.queue("scope-queue", DeduplicationScope="queue")
        a = self.send(per_queue, "a", "g1", "same")
        b = self.send(per_queue, "b", "g2", "same")
        self.assertEqual(b["MessageId"], a["MessageId"])
        self.assertEqual([m["Body"] for m in self.drain(per_queue, 1)], ["a"])
        self.assertEqual(self.receive(per_queue), [])

    # 5. Order within groups.
    def test_group_order_across_receives(self):
        url, _ = self.queue("order")
        for i in range(20):
            self.send(url, "g1-%02d" % i, "g1", "g1-%d" % i)
            self.send(url, "g2-%02d" % i, "g2", "g2-%d" % i)
        got = []
        deadline = time.monotonic() + 10
        while len(got) < 40 and time.monotonic() < deadline:
            batch = self.receive(url)
            self.assertLessEqual(len(batch), 10)
            # Within one answer the messages of a group are consecutive and in order.
            groups = [m["Attributes"]["MessageGroupId"] for m in batch]
            runs = [g for g, _ in itertools.groupby(groups)]
            self.assertEqual(len(runs), len(set(runs)), "a group is split in one answer: %s"
                             % groups)
            for g in set(groups):
                bodies = [m["Body"] for m in batch if m["Attributes"]["MessageGroupId"] == g]
                self.assertEqual(bodies, sorted(bodies))
            got += batch
            self.delete(url, batch)
        for g in ("g1", "g2"):
            self.assertEqual([m["Body"] for m in got if m["Body"].startswith(g)],
                             ["%s-%02d" % (g, i) for i in range(20)])
        self.assertEqual(len(got), 40)

    def test_single_receive_returns_a_group_in_order(self):
        url, _ = self.queue("one-receive")
        for i in range(10):
            self.send(url, "a%d" % i, "A", "a%d" % i)
        batch = self.receive(url)
        self.assertEqual([m["Body"] for m in batch], ["a%d" % i for i in range(10)])

    # 6. In-flight blocking.
    def test_in_flight_message_blocks_its_group(self):
        url, _ = self.queue("blocking")
        self.send(url, "a1", "A", "a1")
        self.send(url, "a2", "A", "a2")
        self.send(url, "b1", "B", "b1")
        first = self.receive(url, 1)
        self.assertEqual([m["Body"] for m in first], ["a1"])
        seen = []
        for _ in range(3):
            batch = self.receive(url)
            seen += [m["Body"] for m in batch]
        self.assertNotIn("a2", seen, "a2 was delivered while a1 was in flight")
        self.assertEqual(seen, ["b1"])
        self.delete(url, first)
        self.assertEqual([m["Body"] for m in self.receive(url)], ["a2"])

    def test_long_poll_woken_when_the_group_is_released(self):
        url, _ = self.queue("release-poll")
        self.send(url, "a1", "A", "a1")
        self.send(url, "a2", "A", "a2")
        first = self.receive(url, 1)
        self.assertEqual([m["Body"] for m in first], ["a1"])
        result = {}

        def poll():
            client = boto3_client("sqs", self.daemon.endpoint)
            start = time.monotonic()
            result["messages"] = client.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=10).get("Messages", [])
            result["elapsed"] = time.monotonic() - start

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.3)  # let the receive park first; a2 is visible but its group is blocked
        self.delete(url, first)
        t.join(15)
        self.assertFalse(t.is_alive())
        self.assertEqual([m["Body"] for m in result["messages"]], ["a2"])
        self.assertLess(result["elapsed"], 5, "the waiting receive was not woken by the delete")

    def test_purge_releases_blocked_groups(self):
        url, _ = self.queue("purge")
        self.send(url, "a1", "A", "a1")
        self.send(url, "a2", "A", "a2")
        self.assertEqual([m["Body"] for m in self.receive(url, 1)], ["a1"])
        self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(self.receive(url), [])
        self.send(url, "a3", "A", "a3")
        self.assertEqual([m["Body"] for m in self.receive(url)], ["a3"])

    def test_expired_message_comes_back_before_the_next(self):
        url, _ = self.queue("expiry", VisibilityTimeout=1)
        self.send(url, "a1", "A", "a1")
        self.send(url, "a2", "A", "a2")
        first = self.receive(url, 1)
        self.assertEqual([m["Body"] for m in first], ["a1"])
        self.assertEqual(self.receive(url), [])
        again = self.receive(url, 1, WaitTimeSeconds=5)
        self.assertEqual([m["Body"] for m in again], ["a1"])
        self.assertEqual(again[0]["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(again[0]["MessageId"], first[0]["MessageId"])
        self.assertNotEqual(again[0]["ReceiptHandle"], first[0]["ReceiptHandle"])
        # ChangeMessageVisibility 0 releases the group at once, with a1 still first.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"],
                                           VisibilityTimeout=0)
        both = self.receive(url, VisibilityTimeout=30)
        self.assertEqual([m["Body"] for m in both], ["a1", "a2"])

    # 7. System attributes on receive.
    def test_system_attributes(self):
        url, _ = self.queue("sysattrs", ContentBasedDeduplication="true")
        explicit = self.send(url, "explicit", "G1", "my-dedup-id")
        generated = self.send(url, "generated", "G2")
        by_body = {m["Body"]: m for m in self.receive(url)}
        self.assertEqual(sorted(by_body), ["explicit", "generated"])
        m = by_body["explicit"]
        self.assertEqual(m["Attributes"]["MessageGroupId"], "G1")
        self.assertEqual(m["Attributes"]["MessageDeduplicationId"], "my-dedup-id")
        self.assertEqual(m["Attributes"]["SequenceNumber"], explicit["SequenceNumber"])
        self.assertEqual(m["MessageId"], explicit["MessageId"])
        m = by_body["generated"]
        self.assertEqual(m["Attributes"]["MessageGroupId"], "G2")
        self.assertTrue(m["Attributes"].get("MessageDeduplicationId"))
        # AWS documents it as the SHA-256 of the body; this is what it is in practice.
        self.assertEqual(m["Attributes"]["MessageDeduplicationId"],
                         hashlib.sha256(b"generated").hexdigest())
        self.assertEqual(m["Attributes"]["SequenceNumber"], generated["SequenceNumber"])
        # The legacy AttributeNames parameter selects them too.
        url2, _ = self.queue("sysattrs-legacy")
        sent = self.send(url2, "x", "G", "d")
        got = self.sqs.receive_message(QueueUrl=url2, AttributeNames=["All"])["Messages"]
        self.assertEqual(got[0]["Attributes"]["MessageGroupId"], "G")
        self.assertEqual(got[0]["Attributes"]["SequenceNumber"], sent["SequenceNumber"])

    # 8. ReceiveRequestAttemptId.
    def test_receive_request_attempt_id(self):
        url, _ = self.queue("attempt")
        for i in range(3):
            self.send(url, "a%d" % i, "A", "a%d" % i)
        first = self.receive(url, ReceiveRequestAttemptId="x")
        self.assertEqual([m["Body"] for m in first], ["a0", "a1", "a2"])
        # A message of another group that arrives after the first attempt.
        self.send(url, "b0", "B", "b0")
        retry = self.receive(url, ReceiveRequestAttemptId="x")
        self.assertEqual([m["MessageId"] for m in retry], [m["MessageId"] for m in first])
        self.assertEqual([m["ReceiptHandle"] for m in retry],
                         [m["ReceiptHandle"] for m in first])
        other = self.receive(url, ReceiveRequestAttemptId="y")
        self.assertEqual([m["Body"] for m in other], ["b0"], "group A is locked by attempt x")
        # The handles of the retried answer work.
        self.delete(url, retry)
        self.delete(url, other)
        self.assertEqual(self.receive(url), [])

    # 9. Dead-letter queues.
    def test_dead_letter_queue_types_must_match(self):
        standard_dlq = unique("std-dlq")
        self.sqs.create_queue(QueueName=standard_dlq)
        _, fifo_dlq = self.queue("fifo-dlq")
        self.assertEqual(self.error_code(
            self.sqs.create_queue, QueueName=unique("src") + ".fifo", Attributes={
                "FifoQueue": "true", "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": ARN + standard_dlq, "maxReceiveCount": 1})}),
            "InvalidParameterValue")
        self.assertEqual(self.error_code(
            self.sqs.create_queue, QueueName=unique("src"), Attributes={
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": ARN + fifo_dlq, "maxReceiveCount": 1})}),
            "InvalidParameterValue")
        # SetQueueAttributes checks the same.
        url, _ = self.queue("src-set")
        self.assertEqual(self.error_code(
            self.sqs.set_queue_attributes, QueueUrl=url, Attributes={
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": ARN + standard_dlq, "maxReceiveCount": 1})}),
            "InvalidParameterValue")

    def make_fifo_redrive_pair(self, prefix, **source_attributes):
        dlq_url, dlq_name = self.queue(prefix + "-dlq")
        src_url, src_name = self.queue(prefix, RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": ARN + dlq_name, "maxReceiveCount": 1}), **source_attributes)
        return src_url, src_name, dlq_url, dlq_name

    def test_fifo_redrive_to_fifo_dead_letter_queue(self):
        src, src_name, dlq, _ = self.make_fifo_redrive_pair("redrive", VisibilityTimeout=1)
        poison = self.send(src, "poison", "G", "p")
        self.send(src, "next", "G", "n")
        first = self.receive(src, 1)
        self.assertEqual([m["Body"] for m in first], ["poison"])
        # The visibility timeout runs out; the next receive moves the message (received once,
        # maxReceiveCount 1) to the DLQ and delivers the group's next message.
        got = self.receive(src, WaitTimeSeconds=5)
        self.assertEqual([m["Body"] for m in got], ["next"])
        dead = self.receive(dlq, WaitTimeSeconds=1)
        self.assertEqual([m["Body"] for m in dead], ["poison"])
        self.assertEqual(dead[0]["Attributes"]["MessageGroupId"], "G")
        self.assertEqual(dead[0]["Attributes"]["DeadLetterQueueSourceArn"], ARN + src_name)
        # AWS (Developer Guide, DLQ redrive): a message moved to a FIFO DLQ gets its original
        # MessageId as its deduplication id, so distinct messages that shared one both fit.
        self.assertEqual(dead[0]["Attributes"]["MessageDeduplicationId"], poison["MessageId"])

    def test_dead_letter_queue_keeps_messages_that_shared_a_deduplication_id(self):
        # With DeduplicationScope messageGroup two groups may use the same deduplication id.
        # AWS gives a message moved to a FIFO DLQ its MessageId as deduplication id, so the
        # (queue-scoped) DLQ keeps both.
        src, _, dlq, _ = self.make_fifo_redrive_pair(
            "shared-dedup", DeduplicationScope="messageGroup",
            FifoThroughputLimit="perMessageGroupId")
        self.send(src, "from g1", "g1", "same")
        self.send(src, "from g2", "g2", "same")
        self.assertEqual(len(self.receive(src, VisibilityTimeout=0)), 2)
        self.assertEqual(self.receive(src), [])
        dead = self.drain(dlq, 2, seconds=3)
        self.assertEqual(sorted(m["Body"] for m in dead), ["from g1", "from g2"])

    # 10. Move task from a FIFO DLQ back to its FIFO source.
    def test_move_task_from_fifo_dead_letter_queue(self):
        src, _, dlq, dlq_name = self.make_fifo_redrive_pair("move")
        originals = []
        for i in range(3):
            originals.append(self.send(src, "a%d" % i, "A", "a%d" % i)["MessageId"])
        for i in range(2):
            originals.append(self.send(src, "b%d" % i, "B", "b%d" % i)["MessageId"])
        # Received once with VisibilityTimeout 0: the next receive dead-letters all five.
        self.assertEqual(len(self.receive(src, VisibilityTimeout=0)), 5)
        self.assertEqual(self.receive(src), [])
        attrs = self.sqs.get_queue_attributes(QueueUrl=dlq,
                                              AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessages"], "5")
        self.assertTrue(self.sqs.start_message_move_task(SourceArn=ARN + dlq_name)["TaskHandle"])
        task = self.wait_move_task(ARN + dlq_name)
        self.assertEqual(task["Status"], "COMPLETED")
        self.assertEqual(task["ApproximateNumberOfMessagesMoved"], 5)
        back = self.drain(src, 5)
        for prefix, group, n in (("a", "A", 3), ("b", "B", 2)):
            mine = [m for m in back if m["Attributes"]["MessageGroupId"] == group]
            self.assertEqual([m["Body"] for m in mine], ["%s%d" % (prefix, i) for i in range(n)])
        self.assertEqual(len(back), 5)
        self.assertEqual(self.receive(dlq), [])
        # AWS (Developer Guide, "configure a dead-letter queue redrive"): "All redriven messages
        # are considered new messages and are assigned a new messageID and enqueueTime".
        self.assertFalse({m["MessageId"] for m in back} & set(originals),
                         "a redriven message kept its MessageId")

    # 11. Concurrent producers and consumers.
    def test_concurrent_producers_and_consumers(self):
        url, _ = self.queue("concurrent")
        producers, per_producer = 4, 50
        groups_of = lambda p: ["own-%d" % p, "shared-0", "shared-1"]  # noqa: E731
        total = producers * per_producer
        sent = {}  # body -> (group, MessageId, SequenceNumber)
        received = []  # (group, body, sequence number) in the order receives answered
        errors = []
        lock = threading.Lock()
        done = threading.Event()

        def producer(p):
            client = boto3_client("sqs", self.daemon.endpoint)
            try:
                for i in range(per_producer):
                    group = groups_of(p)[i % 3]
                    body = "%s|%d|%d" % (group, p, i)
                    out = client.send_message(QueueUrl=url, MessageBody=body,
                                              MessageGroupId=group,
                                              MessageDeduplicationId="p%d-%d" % (p, i))
                    with lock:
                        sent[body] = (group, out["MessageId"], out["SequenceNumber"])
            except Exception as error:  # reported by the main thread
                errors.append(error)

        def consumer():
            client = boto3_client("sqs", self.daemon.endpoint)
            try:
                while not done.is_set():
                    batch = client.receive_message(
                        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                        MessageSystemAttributeNames=["All"]).get("Messages", [])
                    if not batch:
                        continue
                    # Recorded before the delete: the group's next messages can only be
                    # delivered after it, so this list keeps each group's delivery order.
                    with lock:
                        received.extend((m["Attributes"]["MessageGroupId"], m["Body"],
                                         int(m["Attributes"]["SequenceNumber"])) for m in batch)
                        if len(received) >= total:
                            done.set()
                    out = client.delete_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]}
                        for k, m in enumerate(batch)])
                    if out.get("Failed"):
                        errors.append(AssertionError("delete failed: %s" % out["Failed"]))
            except Exception as error:
                errors.append(error)
                done.set()

        threads = [threading.Thread(target=producer, args=(p,)) for p in range(producers)]
        threads += [threading.Thread(target=consumer) for _ in range(2)]
        for t in threads:
            t.start()
        done.wait(30)
        done.set()
        for t in threads:
            t.join(10)
        self.assertEqual(errors, [])
        self.assertEqual(len(sent), total)
        bodies = [body for _, body, _ in received]
        self.assertEqual(len(bodies), len(set(bodies)), "a message was delivered twice")
        self.assertEqual(set(bodies), set(sent), "messages lost or unknown")
        last = {}
        last_seq = {}
        for group, body, seq in received:
            g, p, i = body.split("|")
            self.assertEqual(group, g)
            self.assertEqual(seq, int(sent[body][2]))
            key = (g, p)
            self.assertGreater(int(i), last.get(key, -1), "out of order in %s: %s" % (key, body))
            last[key] = int(i)
            self.assertGreater(seq, last_seq.get(g, -1), "sequence went back in " + g)
            last_seq[g] = seq
        self.assertEqual(self.receive(url), [])

    # 14. (standard queues) MessageDeduplicationId is FIFO-only.
    def test_standard_queue_rejects_deduplication_id(self):
        url, _ = self.queue("std-dedup", fifo=False)
        self.assertEqual(self.error_code(self.sqs.send_message, QueueUrl=url, MessageBody="x",
                                         MessageDeduplicationId="d"), "InvalidParameterValue")


class FairQueueTest(FifoTestBase):
    # 13. A standard queue with MessageGroupId is a fair queue.
    def test_standard_queue_accepts_message_group_id(self):
        url, _ = self.queue("fair", fifo=False)
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="tenant-1")
        self.assertNotIn("SequenceNumber", sent)
        batch = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "e", "MessageBody": "y", "MessageGroupId": "tenant-2"}])
        self.assertEqual([e["Id"] for e in batch["Successful"]], ["e"])
        got = {m["Body"]: m for m in self.drain(url, 2)}
        self.assertEqual(got["x"]["Attributes"]["MessageGroupId"], "tenant-1")
        self.assertEqual(got["y"]["Attributes"]["MessageGroupId"], "tenant-2")
        # No FIFO semantics: per-message DelaySeconds stays allowed.
        self.sqs.send_message(QueueUrl=url, MessageBody="z", MessageGroupId="t", DelaySeconds=1)

    def test_noisy_group_does_not_starve_a_quiet_one(self):
        url, _ = self.queue("noisy", fifo=False, VisibilityTimeout=300)
        for start in range(0, 100, 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": "noisy-%d" % i, "MessageGroupId": "noisy"}
                for i in range(start, start + 10)])
        for i in range(5):
            self.sqs.send_message(QueueUrl=url, MessageBody="quiet-%d" % i,
                                  MessageGroupId="quiet")
        # AWS fair queues: when one group (tenant) has many messages in flight, SQS prefers
        # the other groups' messages, so a quiet tenant's dwell time stays low behind a
        # backlog of a noisy one. In plain FIFO order the quiet messages would only come
        # after all 100 noisy ones (receive 11). We assert only that they are not stuck
        # behind the backlog: with the noisy group holding messages in flight, quiet
        # messages are among the first two answers (20 of 105 messages). Nothing is deleted,
        # so the noisy group's in-flight count only grows.
        first_two = self.receive(url) + self.receive(url)
        quiet = [m["Body"] for m in first_two if m["Body"].startswith("quiet")]
        self.assertTrue(quiet, "no quiet message in the first two receives: %s"
                        % [m["Body"] for m in first_two])
        for m in first_two:
            self.assertEqual(m["Attributes"]["MessageGroupId"], m["Body"].split("-")[0])


class FifoRestartTest(unittest.TestCase):
    # 12. FIFO state survives a normal restart.
    def test_fifo_state_survives_restart(self):
        data = tempfile.mkdtemp(prefix="eb-fifo-restart-")
        self.addCleanup(shutil.rmtree, data, True)
        with Daemon(data_dir=data) as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.create_queue(QueueName="restart.fifo", Attributes={
                "FifoQueue": "true", "VisibilityTimeout": "30"})["QueueUrl"]
            sent = {}
            for body, group in (("a1", "A"), ("a2", "A"), ("b1", "B"), ("b2", "B")):
                sent[body] = sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group,
                                              MessageDeduplicationId="dedup-" + body)
            first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"]
            self.assertEqual([m["Body"] for m in first], ["a1"])
        max_seq = max(int(s["SequenceNumber"]) for s in sent.values())

        with Daemon(data_dir=data) as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.get_queue_url(QueueName="restart.fifo")["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            self.assertEqual(attrs["FifoQueue"], "true")
            self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "1")
            # a1 is still in flight, so group A stays blocked: only B comes.
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                      MessageSystemAttributeNames=["All"])["Messages"]
            self.assertEqual([m["Body"] for m in got], ["b1", "b2"])
            self.assertEqual(got[0]["Attributes"]["SequenceNumber"], sent["b1"]["SequenceNumber"])
            # Sequence numbers keep growing.
            new = sqs.send_message(QueueUrl=url, MessageBody="c1", MessageGroupId="C",
                                   MessageDeduplicationId="dedup-c1")
            self.assertGreater(int(new["SequenceNumber"]), max_seq)
            # The deduplication window survived.
            again = sqs.send_message(QueueUrl=url, MessageBody="a2 again", MessageGroupId="A",
                                     MessageDeduplicationId="dedup-a2")
            self.assertEqual(again["MessageId"], sent["a2"]["MessageId"])
            # The handle from before the restart still deletes a1; then a2 (once) is next.
            sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
            self.assertEqual(sorted(m["Body"] for m in got), ["a2", "c1"])


def _name_of(url):
    return url.rsplit("/", 1)[1]


if __name__ == "__main__":
    unittest.main()
