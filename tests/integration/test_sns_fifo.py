"""SNS FIFO topics driven by boto3 against the built daemon: publish rules, SequenceNumber,
deduplication (explicit, content-based, per message group), subscription rules, fan-out into
FIFO and standard queues with filter policies and raw delivery, PublishBatch, concurrent
publishers, DeleteTopic, and the deduplication window and sequence across a restart."""
import itertools
import json
import shutil
import signal
import tempfile
import threading
import time
import unittest

from botocore.exceptions import ClientError

from harness import Daemon, boto3_client

_names = itertools.count()


def unique(prefix):
    """A name no other test uses (the daemon is shared by the class)."""
    return "%s-%d" % (prefix, next(_names))


def seq(text):
    return int(text)


class SnsFifoBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.daemon.__enter__()
        cls.sns = boto3_client("sns", cls.daemon.endpoint)
        cls.sqs = boto3_client("sqs", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def error(self, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response

    def fifo_topic(self, prefix, **attributes):
        attrs = {k: str(v) for k, v in attributes.items()}
        attrs["FifoTopic"] = "true"
        return self.sns.create_topic(Name=unique(prefix) + ".fifo", Attributes=attrs)["TopicArn"]

    def queue(self, prefix, fifo=True, **attributes):
        """Creates a queue with a unique name; returns (url, arn)."""
        name = unique(prefix) + (".fifo" if fifo else "")
        attrs = {k: str(v) for k, v in attributes.items()}
        if fifo:
            attrs["FifoQueue"] = "true"
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def subscribe(self, topic, queue_arn, **attributes):
        return self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                  Attributes=attributes,
                                  ReturnSubscriptionArn=True)["SubscriptionArn"]

    def drain(self, url, expected, seconds=10):
        """Receives (10 at a time) and deletes until `expected` messages came; returns them in
        delivery order."""
        got = []
        deadline = time.monotonic() + seconds
        while len(got) < expected and time.monotonic() < deadline:
            batch = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"]).get("Messages", [])
            got += batch
            if batch:
                out = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(batch)])
                self.assertEqual(out.get("Failed", []), [])
        return got

    def drain_until(self, url, sentinel, raw=False, seconds=10):
        """Everything in the queue once the message whose text is `sentinel` (published last)
        has arrived: publishes are in their queues when Publish returns, so a receive that finds
        nothing after the sentinel proves nothing else was delivered."""
        got = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            got += self.drain(url, 1, seconds=1)
            if any(text_of(m, raw) == sentinel for m in got):
                while True:
                    more = self.receive_now(url)
                    if not more:
                        return got
                    got += more
        self.fail("sentinel %r never arrived; got %s" % (sentinel, [text_of(m, raw) for m in got]))

    def receive_now(self, url):
        batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                         MessageSystemAttributeNames=["All"]).get("Messages", [])
        for m in batch:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return batch


def text_of(message, raw=False):
    return message["Body"] if raw else json.loads(message["Body"])["Message"]


class SnsFifoTest(SnsFifoBase):
    # 1. Publish rules.
    def test_publish_validation(self):
        topic = self.fifo_topic("rules")
        no_group = self.error(self.sns.publish, TopicArn=topic, Message="m",
                              MessageDeduplicationId="d")
        self.assertEqual(no_group["Error"]["Code"], "InvalidParameter")
        self.assertEqual(no_group["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIn("MessageGroupId", no_group["Error"]["Message"])
        no_dedup = self.error(self.sns.publish, TopicArn=topic, Message="m", MessageGroupId="g")
        self.assertEqual(no_dedup["Error"]["Code"], "InvalidParameter")
        self.assertIn("ContentBasedDeduplication", no_dedup["Error"]["Message"])

        standard = self.sns.create_topic(Name=unique("standard"))["TopicArn"]
        dedup_on_standard = self.error(self.sns.publish, TopicArn=standard, Message="m",
                                       MessageDeduplicationId="d")
        self.assertEqual(dedup_on_standard["Error"]["Code"], "InvalidParameter")
        self.assertNotIn("SequenceNumber", self.sns.publish(TopicArn=standard, Message="m"))

        attrs = self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]
        self.assertEqual(attrs["FifoTopic"], "true")
        self.assertEqual(attrs["ContentBasedDeduplication"], "false")

    # 2. SequenceNumber and deduplication.
    def test_sequence_numbers_and_duplicates(self):
        topic = self.fifo_topic("dedup")
        url, arn = self.queue("dedup-q")
        self.subscribe(topic, arn)
        outs = [self.sns.publish(TopicArn=topic, Message="m%d" % i, MessageGroupId="g%d" % (i % 2),
                                 MessageDeduplicationId="d%d" % i) for i in range(5)]
        for out in outs:
            self.assertRegex(out["SequenceNumber"], r"^[0-9]{20}$")
        numbers = [seq(o["SequenceNumber"]) for o in outs]
        self.assertEqual(numbers, sorted(set(numbers)))

        dup = self.sns.publish(TopicArn=topic, Message="again", MessageGroupId="g0",
                               MessageDeduplicationId="d2")
        self.assertEqual(dup["MessageId"], outs[2]["MessageId"])
        self.assertEqual(dup["SequenceNumber"], outs[2]["SequenceNumber"])
        self.sns.publish(TopicArn=topic, Message="end", MessageGroupId="g0",
                         MessageDeduplicationId="end")
        got = self.drain_until(url, "end")
        self.assertEqual(sorted(text_of(m) for m in got), ["end", "m0", "m1", "m2", "m3", "m4"])

    def test_content_based_deduplication(self):
        topic = self.fifo_topic("cbd", ContentBasedDeduplication="true")
        url, arn = self.queue("cbd-q")
        self.subscribe(topic, arn)
        one = self.sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
        two = self.sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
        self.assertEqual(one["MessageId"], two["MessageId"])
        self.assertEqual(one["SequenceNumber"], two["SequenceNumber"])
        self.sns.publish(TopicArn=topic, Message="end", MessageGroupId="g")
        got = self.drain_until(url, "end")
        self.assertEqual([text_of(m) for m in got], ["same", "end"])

    def test_message_group_scope(self):
        topic = self.fifo_topic("scope", FifoThroughputScope="MessageGroup")
        url, arn = self.queue("scope-q", DeduplicationScope="messageGroup",
                              FifoThroughputLimit="perMessageGroupId")
        self.subscribe(topic, arn)
        a = self.sns.publish(TopicArn=topic, Message="a", MessageGroupId="g1",
                             MessageDeduplicationId="d")
        b = self.sns.publish(TopicArn=topic, Message="b", MessageGroupId="g2",
                             MessageDeduplicationId="d")
        self.assertNotEqual(a["MessageId"], b["MessageId"])
        again = self.sns.publish(TopicArn=topic, Message="a2", MessageGroupId="g1",
                                 MessageDeduplicationId="d")
        self.assertEqual(again["MessageId"], a["MessageId"])
        got = self.drain(url, 2)
        self.assertEqual(sorted(text_of(m) for m in got), ["a", "b"])

    # 3. Subscriptions.
    def test_subscription_rules(self):
        topic = self.fifo_topic("subs")
        http = self.error(self.sns.subscribe, TopicArn=topic, Protocol="http",
                          Endpoint="http://127.0.0.1:9/hook")
        self.assertEqual(http["Error"]["Code"], "InvalidParameter")
        standard = self.sns.create_topic(Name=unique("subs-standard"))["TopicArn"]
        _, fifo_arn = self.queue("subs-fifo")
        _, standard_arn = self.queue("subs-standard", fifo=False)
        refused = self.error(self.sns.subscribe, TopicArn=standard, Protocol="sqs",
                             Endpoint=fifo_arn)
        self.assertEqual(refused["Error"]["Code"], "InvalidParameter")
        self.subscribe(topic, fifo_arn)
        self.subscribe(topic, standard_arn)
        subs = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual(sorted(s["Endpoint"] for s in subs), sorted([fifo_arn, standard_arn]))

    # 4. Fan-out.
    def test_fan_out_to_fifo_and_standard_queues(self):
        topic = self.fifo_topic("fan")
        all_url, all_arn = self.queue("fan-all")
        red_url, red_arn = self.queue("fan-red")
        std_url, std_arn = self.queue("fan-std", fifo=False)
        self.subscribe(topic, all_arn)
        self.subscribe(topic, red_arn, FilterPolicy=json.dumps({"colour": ["red"]}),
                       RawMessageDelivery="true")
        self.subscribe(topic, std_arn)
        outs = []
        for i in range(30):
            outs.append(self.sns.publish(
                TopicArn=topic, Message="m%d" % i, MessageGroupId="g%d" % (i % 3),
                MessageDeduplicationId="d%d" % i,
                MessageAttributes={"colour": {"DataType": "String",
                                              "StringValue": "red" if i % 3 == 0 else "blue"}}))

        def check(url, raw, expected):
            got = self.drain(url, len(expected))
            self.assertEqual(len(got), len(expected))
            indices = [int(text_of(m, raw)[1:]) for m in got]
            self.assertEqual(sorted(indices), expected)
            per_group = {}
            for m, i in zip(got, indices):
                group = "g%d" % (i % 3)
                self.assertEqual(m["Attributes"]["MessageGroupId"], group)
                self.assertEqual(m["Attributes"]["MessageDeduplicationId"], "d%d" % i)
                per_group.setdefault(group, []).append(i)
                if raw:
                    self.assertEqual(m["Body"], "m%d" % i)
                    self.assertEqual(m["MessageAttributes"]["colour"]["StringValue"], "red")
                else:
                    envelope = json.loads(m["Body"])
                    self.assertEqual(envelope["Type"], "Notification")
                    self.assertEqual(envelope["TopicArn"], topic)
                    self.assertEqual(envelope["MessageId"], outs[i]["MessageId"])
                    self.assertEqual(envelope["SequenceNumber"], outs[i]["SequenceNumber"])
            for group, order in per_group.items():
                self.assertEqual(order, sorted(order), "group %s out of order" % group)

        check(all_url, False, list(range(30)))
        check(red_url, True, [i for i in range(30) if i % 3 == 0])

        std = self.drain(std_url, 30)
        self.assertEqual(sorted(int(text_of(m)[1:]) for m in std), list(range(30)))
        for m in std:
            i = int(text_of(m)[1:])
            self.assertEqual(json.loads(m["Body"])["SequenceNumber"], outs[i]["SequenceNumber"])

    # 5. PublishBatch.
    def test_publish_batch_orders_per_group_and_deduplicates(self):
        topic = self.fifo_topic("batch")
        url, arn = self.queue("batch-q")
        self.subscribe(topic, arn)
        entries = [{"Id": "e%d" % i, "Message": "b%d" % i, "MessageGroupId": "AB"[i % 2],
                    "MessageDeduplicationId": "bd%d" % i} for i in range(6)]
        out = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        self.assertEqual(out.get("Failed", []), [])
        self.assertEqual([s["Id"] for s in out["Successful"]], ["e%d" % i for i in range(6)])
        numbers = [seq(s["SequenceNumber"]) for s in out["Successful"]]
        self.assertEqual(numbers, sorted(set(numbers)))
        got = self.drain(url, 6)
        per_group = {}
        for m in got:
            per_group.setdefault(m["Attributes"]["MessageGroupId"], []).append(text_of(m))
        self.assertEqual(per_group, {"A": ["b0", "b2", "b4"], "B": ["b1", "b3", "b5"]})

        out = self.sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "x", "Message": "x", "MessageGroupId": "A", "MessageDeduplicationId": "same"},
            {"Id": "y", "Message": "y", "MessageGroupId": "A", "MessageDeduplicationId": "same"},
        ])
        self.assertEqual(out.get("Failed", []), [])
        ok = {s["Id"]: s for s in out["Successful"]}
        self.assertEqual(sorted(ok), ["x", "y"])
        self.assertEqual(ok["x"]["MessageId"], ok["y"]["MessageId"])
        self.assertEqual(ok["x"]["SequenceNumber"], ok["y"]["SequenceNumber"])
        self.sns.publish(TopicArn=topic, Message="end", MessageGroupId="A",
                         MessageDeduplicationId="end")
        self.assertEqual([text_of(m) for m in self.drain_until(url, "end")], ["x", "end"])

    # 6. Concurrent publishers.
    def test_concurrent_publishers(self):
        topic = self.fifo_topic("busy")
        a_url, a_arn = self.queue("busy-a")
        b_url, b_arn = self.queue("busy-b")
        self.subscribe(topic, a_arn)
        self.subscribe(topic, b_arn)
        publishers, each = 4, 50
        errors = []

        def publish(p):
            sns = boto3_client("sns", self.daemon.endpoint)
            try:
                for i in range(each):
                    group = "own%d" % p if i % 2 == 0 else "shared"
                    sns.publish(TopicArn=topic, Message="%d:%d:%s" % (p, i, group),
                                MessageGroupId=group, MessageDeduplicationId="%d-%d" % (p, i))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=publish, args=(p,)) for p in range(publishers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])

        shared_orders = []
        for url in (a_url, b_url):
            got = self.drain(url, publishers * each, seconds=20)
            self.assertEqual(len(got), publishers * each)
            last = {}
            last_seq = {}
            shared = []
            for m in got:
                envelope = json.loads(m["Body"])
                p, i, group = envelope["Message"].split(":")
                self.assertEqual(m["Attributes"]["MessageGroupId"], group)
                key = (group, int(p))
                self.assertLess(last.get(key, -1), int(i), "out of order: %s" % envelope["Message"])
                last[key] = int(i)
                number = seq(envelope["SequenceNumber"])
                self.assertLess(last_seq.get(group, -1), number)
                last_seq[group] = number
                if group == "shared":
                    shared.append(envelope["Message"])
            shared_orders.append(shared)
        self.assertEqual(len(shared_orders[0]), publishers * each // 2)
        self.assertEqual(shared_orders[0], shared_orders[1])

    # 8. DeleteTopic, then CreateTopic with the same name.
    def test_recreated_topic_forgets_the_window(self):
        name = unique("again") + ".fifo"
        topic = self.sns.create_topic(Name=name, Attributes={"FifoTopic": "true"})["TopicArn"]
        first = self.sns.publish(TopicArn=topic, Message="m", MessageGroupId="g",
                                 MessageDeduplicationId="d")
        self.sns.delete_topic(TopicArn=topic)
        again = self.sns.create_topic(Name=name, Attributes={"FifoTopic": "true"})["TopicArn"]
        self.assertEqual(again, topic)
        url, arn = self.queue("again-q")
        self.subscribe(again, arn)
        second = self.sns.publish(TopicArn=again, Message="m2", MessageGroupId="g",
                                  MessageDeduplicationId="d")
        self.assertNotEqual(second["MessageId"], first["MessageId"])
        got = self.drain(url, 1)
        self.assertEqual([text_of(m) for m in got], ["m2"])
        self.assertEqual(json.loads(got[0]["Body"])["MessageId"], second["MessageId"])

    # 7. Restart.
    # 9. ArchivePolicy and ReplayPolicy.
    def test_a_subscription_replays_the_topic_archive_then_gets_live_messages(self):
        topic = self.fifo_topic("archive", ContentBasedDeduplication="true",
                                ArchivePolicy=json.dumps({"MessageRetentionPeriod": "7"}))
        begins = self.sns.get_topic_attributes(TopicArn=topic)["Attributes"]["BeginningArchiveTime"]
        self.assertRegex(begins, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        published = [self.sns.publish(TopicArn=topic, Message="old%d" % i, MessageGroupId="g")
                     for i in range(3)]
        url, arn = self.queue("replayer")
        sub = self.subscribe(topic, arn, ReplayPolicy=json.dumps(
            {"PointType": "Timestamp", "StartingPoint": begins}))
        attributes = self.sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual(attributes["ReplayStatus"], "Completed")
        self.sns.publish(TopicArn=topic, Message="live", MessageGroupId="g")
        got = [json.loads(m["Body"]) for m in self.drain(url, 4)]
        self.assertEqual([m["Message"] for m in got], ["old0", "old1", "old2", "live"])
        self.assertEqual([m["MessageId"] for m in got[:3]], [p["MessageId"] for p in published])
        self.assertEqual([m.get("Replayed", False) for m in got], [True, True, True, False])
        # A topic without an archive has nothing to replay.
        plain = self.fifo_topic("no-archive", ContentBasedDeduplication="true")
        response = self.error(self.sns.subscribe, TopicArn=plain, Protocol="sqs", Endpoint=arn,
                              Attributes={"ReplayPolicy": json.dumps(
                                  {"PointType": "Timestamp", "StartingPoint": begins})})
        self.assertEqual(response["Error"]["Code"], "InvalidParameter")


class SnsFifoRestartTest(SnsFifoBase):
    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def test_window_and_sequence_survive_restart(self):
        data = tempfile.mkdtemp(prefix="eb-sns-fifo-restart-")
        self.addCleanup(shutil.rmtree, data, True)
        with Daemon(data_dir=data) as daemon:
            self.sns = boto3_client("sns", daemon.endpoint)
            self.sqs = boto3_client("sqs", daemon.endpoint)
            topic = self.sns.create_topic(Name="restart.fifo",
                                          Attributes={"FifoTopic": "true"})["TopicArn"]
            url, arn = self.queue("restart-q")
            self.subscribe(topic, arn)
            before = [self.sns.publish(TopicArn=topic, Message="m%d" % i, MessageGroupId="g",
                                       MessageDeduplicationId="d%d" % i) for i in range(3)]
            self.assertEqual(len(self.drain(url, 3)), 3)
        highest = max(seq(o["SequenceNumber"]) for o in before)

        with Daemon(data_dir=data) as daemon:
            self.sns = boto3_client("sns", daemon.endpoint)
            self.sqs = boto3_client("sqs", daemon.endpoint)
            again = self.sns.publish(TopicArn=topic, Message="again", MessageGroupId="g",
                                     MessageDeduplicationId="d1")
            self.assertEqual(again["MessageId"], before[1]["MessageId"])
            self.assertEqual(again["SequenceNumber"], before[1]["SequenceNumber"])
            new = self.sns.publish(TopicArn=topic, Message="new", MessageGroupId="g",
                                   MessageDeduplicationId="d3")
            self.assertRegex(new["SequenceNumber"], r"^[0-9]{20}$")
            self.assertGreater(seq(new["SequenceNumber"]), highest)
            got = self.drain_until(url, "new")
            self.assertEqual([text_of(m) for m in got], ["new"])
            # Acknowledged publishes are durable: kill -9 right after one keeps its window.
            last = self.sns.publish(TopicArn=topic, Message="last", MessageGroupId="g",
                                    MessageDeduplicationId="d4")
            daemon.stop(sig=signal.SIGKILL, check=False)

        with Daemon(data_dir=data) as daemon:
            self.sns = boto3_client("sns", daemon.endpoint)
            self.sqs = boto3_client("sqs", daemon.endpoint)
            for dedup, original in (("d4", last), ("d3", new), ("d0", before[0])):
                out = self.sns.publish(TopicArn=topic, Message="dup", MessageGroupId="g",
                                       MessageDeduplicationId=dedup)
                self.assertEqual(out["MessageId"], original["MessageId"], dedup)
                self.assertEqual(out["SequenceNumber"], original["SequenceNumber"], dedup)
            after = self.sns.publish(TopicArn=topic, Message="after", MessageGroupId="g",
                                     MessageDeduplicationId="d5")
            self.assertGreater(seq(after["SequenceNumber"]), seq(last["SequenceNumber"]))
            got = self.drain_until(url, "after")
            self.assertEqual([text_of(m) for m in got], ["last", "after"])


if __name__ == "__main__":
    unittest.main()
