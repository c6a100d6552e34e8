"""Crash safety of the durable store, driven through boto3 against the real binary.

kill -9 under concurrent load must lose no acknowledged message and keep in-flight
messages in flight with working receipt handles, with both --durability modes. A data dir
that is locked, unwritable or corrupt stops the daemon at startup with a clear message; a
full disk makes writes fail with a retryable server error, and they work again once space
is back.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import botocore.exceptions

from harness import Daemon, boto3_client, http_get, run_binary

LOAD_SECONDS = 2.0
SENDERS = 6
RECEIVE_BATCH = 5
FIFO_SENDERS = 4


def mount_tmpfs(path, size, read_only=False):
    """Mounts a size-limited tmpfs at `path`; False when this machine does not allow it."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    options = "size=%s%s" % (size, ",ro" if read_only else "")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path],
                            capture_output=True, text=True)
    return result.returncode == 0


def unmount(path):
    subprocess.run(["umount", "-l", path], capture_output=True)


def kill_under_load(daemon, worker, workers, stop):
    """Runs worker(n) on `workers` threads for LOAD_SECONDS, kill -9s the daemon mid-flight,
    then sets `stop` and waits for the workers."""
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    time.sleep(LOAD_SECONDS)
    daemon.stop(sig=signal.SIGKILL, check=False)
    stop.set()
    for t in threads:
        t.join(timeout=30)


def receive_bodies(sqs, name):
    """The bodies of every message visible in queue `name`, received once each (they stay
    hidden for 600 s)."""
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  VisibilityTimeout=600).get("Messages", [])
        if not got:
            return bodies
        bodies += [m["Body"] for m in got]


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="eb-durability-")
        self.data = os.path.join(self.dir, "data")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def crash_under_load(self, *args):
        daemon = Daemon(*args, data_dir=self.data)
        daemon.start()
        try:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.create_queue(QueueName="orders",
                                   Attributes={"VisibilityTimeout": "600"})["QueueUrl"]
            acked = {}  # message id -> (body, attributes) for every 200 the senders got
            in_flight = {}  # message id -> receipt handle for every receive answered
            lock = threading.Lock()
            stop = threading.Event()

            def sender(n):
                client = boto3_client("sqs", daemon.endpoint)
                i = 0
                while not stop.is_set():
                    body = "sender %d message %d %s" % (n, i, "x" * (i % 50))
                    attributes = {"n": {"DataType": "Number", "StringValue": str(i)}}
                    try:
                        if i % 3 == 0:
                            entries = [{"Id": "e%d" % k, "MessageBody": "%s/%d" % (body, k),
                                        "MessageAttributes": attributes} for k in range(3)]
                            result = client.send_message_batch(QueueUrl=url, Entries=entries)
                            with lock:
                                for ok in result.get("Successful", []):
                                    k = int(ok["Id"][1:])
                                    acked[ok["MessageId"]] = ("%s/%d" % (body, k), attributes)
                        else:
                            result = client.send_message(QueueUrl=url, MessageBody=body,
                                                         MessageAttributes=attributes)
                            with lock:
                                acked[result["MessageId"]] = (body, attributes)
                    except (botocore.exceptions.BotoCoreError,
                            botocore.exceptions.ClientError):
                        return  # the daemon died under us: that request was never acked
                    i += 1

            def receiver():
                client = boto3_client("sqs", daemon.endpoint)
                while not stop.is_set():
                    try:
                        result = client.receive_message(QueueUrl=url,
                                                        MaxNumberOfMessages=RECEIVE_BATCH)
                    except (botocore.exceptions.BotoCoreError,
                            botocore.exceptions.ClientError):
                        return
                    with lock:
                        for m in result.get("Messages", []):
                            in_flight[m["MessageId"]] = m["ReceiptHandle"]

            threads = [threading.Thread(target=sender, args=(n,)) for n in range(SENDERS)]
            threads.append(threading.Thread(target=receiver))
            for t in threads:
                t.start()
            time.sleep(LOAD_SECONDS)  # load runs for a while, then the process dies mid-flight
            daemon.stop(sig=signal.SIGKILL, check=False)
            stop.set()
            for t in threads:
                t.join(timeout=30)
        finally:
            daemon.stop(sig=signal.SIGKILL, check=False)

        with lock:
            acked = dict(acked)
            in_flight = dict(in_flight)
        self.assertGreater(len(acked), 100, "the load never got going")
        self.assertGreater(len(in_flight), 0, "nothing was received before the crash")

        with Daemon(*args, data_dir=self.data) as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.get_queue_url(QueueName="orders")["QueueUrl"]
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            attributes = attributes["Attributes"]
            self.assertEqual(attributes["VisibilityTimeout"], "600")
            # Every receive that was answered is still in flight after the restart. At most
            # one more may be: the receive whose answer the kill cut off (it was recorded, the
            # client never saw it), which holds up to RECEIVE_BATCH messages.
            unknown_in_flight = (int(attributes["ApproximateNumberOfMessagesNotVisible"])
                                 - len(in_flight))
            self.assertGreaterEqual(unknown_in_flight, 0)
            self.assertLessEqual(unknown_in_flight, RECEIVE_BATCH)
            visible = {}
            while True:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          MessageAttributeNames=["All"],
                                          VisibilityTimeout=600).get("Messages", [])
                if not got:
                    break
                for m in got:
                    self.assertNotIn(m["MessageId"], visible, "delivered twice")
                    visible[m["MessageId"]] = m
            not_seen = []
            for message_id, (body, attrs) in acked.items():
                if message_id in in_flight:
                    self.assertNotIn(message_id, visible, "in-flight message became visible")
                elif message_id not in visible:
                    not_seen.append(message_id)
                else:
                    self.assertEqual(visible[message_id]["Body"], body)
                    self.assertEqual(visible[message_id]["MessageAttributes"], attrs)
            # An acknowledged message not seen can only be in that cut-off receive.
            self.assertLessEqual(len(not_seen), unknown_in_flight,
                                 "acknowledged messages lost: %s" % not_seen[:5])
            def not_visible():
                result = sqs.get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
                return int(result["Attributes"]["ApproximateNumberOfMessagesNotVisible"])

            # Handles issued before the crash still delete their messages.
            before = not_visible()
            handles = list(in_flight.values())
            for start in range(0, len(handles), 10):
                chunk = handles[start:start + 10]
                result = sqs.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(k), "ReceiptHandle": h} for k, h in enumerate(chunk)])
                self.assertEqual(result.get("Failed", []), [])
            self.assertEqual(before - not_visible(), len(in_flight))

    def test_kill_minus_nine_under_load_loses_nothing_acknowledged(self):
        self.crash_under_load()

    def test_kill_minus_nine_with_fsync_durability(self):
        self.crash_under_load("--durability", "fsync")


class SnsCrashTest(unittest.TestCase):
    """kill -9 while publishers fan out into two queues: every acknowledged publish is in both
    queues and in the event log after the restart; no queue has a copy the log lacks."""

    def test_kill_minus_nine_while_publishing(self):
        with tempfile.TemporaryDirectory(prefix="eb-sns-crash-") as data:
            daemon = Daemon(data_dir=data)
            daemon.start()
            acked = set()  # message ids of publishes answered 200
            lock = threading.Lock()
            stop = threading.Event()
            try:
                sns = boto3_client("sns", daemon.endpoint)
                sqs = boto3_client("sqs", daemon.endpoint)
                topic = sns.create_topic(Name="crash")["TopicArn"]
                for name in ("copy-a", "copy-b"):
                    sqs.create_queue(QueueName=name)
                    sns.subscribe(TopicArn=topic, Protocol="sqs",
                                  Endpoint="arn:aws:sqs:us-east-1:000000000000:" + name,
                                  Attributes={"RawMessageDelivery": "true"})

                def publisher(n):
                    client = boto3_client("sns", daemon.endpoint)
                    i = 0
                    while not stop.is_set():
                        try:
                            if i % 2:
                                out = client.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
                                    {"Id": str(k), "Message": "p%d-%d-%d" % (n, i, k)}
                                    for k in range(5)])
                                ids = [ok["MessageId"] for ok in out["Successful"]]
                            else:
                                ids = [client.publish(TopicArn=topic,
                                                      Message="p%d-%d" % (n, i))["MessageId"]]
                        except (botocore.exceptions.BotoCoreError,
                                botocore.exceptions.ClientError):
                            return
                        with lock:
                            acked.update(ids)
                        i += 1

                kill_under_load(daemon, publisher, 4, stop)
            finally:
                daemon.stop(sig=signal.SIGKILL, check=False)
            self.assertGreater(len(acked), 50, "the load never got going")

            with Daemon(data_dir=data) as daemon:
                logged = {}  # message id -> body, from the event log
                after = 0
                while True:
                    _, _, body = http_get("%s/v1/events?after=%d&limit=1000&source=%s"
                                          % (daemon.endpoint, after, topic))
                    page = json.loads(body)
                    for e in page["events"]:
                        logged[e["messageId"]] = e["body"]
                    if page["next"] is None:
                        break
                    after = page["next"]
                missing = acked - logged.keys()
                self.assertEqual(missing, set(), "acknowledged publishes missing from the log")
                sqs = boto3_client("sqs", daemon.endpoint)
                for name in ("copy-a", "copy-b"):
                    # The copies and the log record are one write: the same set of messages.
                    self.assertEqual(sorted(receive_bodies(sqs, name)),
                                     sorted(logged.values()), name)


class EventsCrashTest(unittest.TestCase):
    """kill -9 while PutEvents runs: a rule sends each event to another bus (whose rule copies
    it into a queue) and to an SNS topic (whose subscription copies it into another queue).
    After the restart every acknowledged event is in both queues; the bus hop, whose record
    goes in the write that makes its copy, repeats none."""

    SENDERS = 4
    BATCH = 5

    @staticmethod
    def receive_ids(sqs, name):
        return [json.loads(body)["id"] for body in receive_bodies(sqs, name)]

    def test_kill_minus_nine_while_putting_events(self):
        with tempfile.TemporaryDirectory(prefix="eb-events-crash-") as data:
            daemon = Daemon(data_dir=data)
            daemon.start()
            acked = set()  # ids of events PutEvents accepted in an answered request
            lock = threading.Lock()
            stop = threading.Event()
            try:
                events = boto3_client("events", daemon.endpoint)
                sns = boto3_client("sns", daemon.endpoint)
                sqs = boto3_client("sqs", daemon.endpoint)
                queue_arn = "arn:aws:sqs:us-east-1:000000000000:"
                for name in ("via-bus", "via-topic"):
                    sqs.create_queue(QueueName=name)
                topic = sns.create_topic(Name="events-crash")["TopicArn"]
                sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn + "via-topic",
                              Attributes={"RawMessageDelivery": "true"})
                hop = events.create_event_bus(Name="hop-bus")["EventBusArn"]
                pattern = json.dumps({"source": ["crash.test"]})
                events.put_rule(Name="out", EventPattern=pattern)
                events.put_targets(Rule="out", Targets=[{"Id": "bus", "Arn": hop},
                                                        {"Id": "topic", "Arn": topic}])
                events.put_rule(Name="in", EventBusName="hop-bus", EventPattern=pattern)
                events.put_targets(Rule="in", EventBusName="hop-bus",
                                   Targets=[{"Id": "q", "Arn": queue_arn + "via-bus"}])

                def putter(n):
                    client = boto3_client("events", daemon.endpoint)
                    i = 0
                    while not stop.is_set():
                        try:
                            out = client.put_events(Entries=[
                                {"Source": "crash.test", "DetailType": "t",
                                 "Detail": json.dumps({"n": n, "i": i, "k": k})}
                                for k in range(self.BATCH)])
                        except (botocore.exceptions.BotoCoreError,
                                botocore.exceptions.ClientError):
                            return
                        with lock:
                            acked.update(e["EventId"] for e in out["Entries"]
                                         if "ErrorCode" not in e)
                        i += 1

                kill_under_load(daemon, putter, self.SENDERS, stop)
            finally:
                daemon.stop(sig=signal.SIGKILL, check=False)
            self.assertGreater(len(acked), 50, "the load never got going")

            # The deliveries a crash cut short are made before the daemon listens.
            with Daemon(data_dir=data) as daemon:
                sqs = boto3_client("sqs", daemon.endpoint)
                in_flight = self.SENDERS * self.BATCH  # events of requests the kill cut off
                via_bus = self.receive_ids(sqs, "via-bus")
                self.assertEqual(acked - set(via_bus), set(), "acknowledged events lost")
                self.assertEqual(len(via_bus), len(set(via_bus)), "a bus hop repeated events")
                self.assertLessEqual(len(set(via_bus) - acked), in_flight)
                via_topic = self.receive_ids(sqs, "via-topic")
                self.assertEqual(acked - set(via_topic), set(), "acknowledged events lost")
                # At least once: a copy the topic made just before the kill may come again.
                self.assertLessEqual(len(via_topic) - len(set(via_topic)), in_flight)
                self.assertLessEqual(len(set(via_topic) - acked), in_flight)


class StartupFailureTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="eb-startup-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assert_refuses(self, data_dir, expected):
        result = run_binary("--listen", "127.0.0.1:0", "--data-dir", data_dir, timeout=20)
        self.assertNotEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(expected, result.stdout + result.stderr)

    def test_data_dir_in_use_by_another_daemon(self):
        data = os.path.join(self.dir, "data")
        with Daemon(data_dir=data):
            self.assert_refuses(data, "in use by another eventbrokerd")

    def test_corrupt_data_dir(self):
        data = os.path.join(self.dir, "data")
        with Daemon(data_dir=data):
            pass
        for name in os.listdir(data):
            if name.startswith("MANIFEST"):
                with open(os.path.join(data, name), "w") as f:
                    f.write("this is not a manifest")
        self.assert_refuses(data, "corrupt")

    def test_data_dir_that_is_a_file(self):
        path = os.path.join(self.dir, "file")
        with open(path, "w") as f:
            f.write("x")
        self.assert_refuses(path, "Not a directory")

    def test_unwritable_data_dir(self):
        mount_point = os.path.join(self.dir, "ro")
        os.mkdir(mount_point)
        if not mount_tmpfs(mount_point, "1m", read_only=True):
            self.skipTest("cannot mount a read-only tmpfs here (needs root)")
        try:
            self.assert_refuses(os.path.join(mount_point, "data"), "cannot create data dir")
            self.assert_refuses(mount_point, "not writable")
        finally:
            unmount(mount_point)


class DiskFullTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="eb-diskfull-")
        self.mount_point = os.path.join(self.dir, "small")
        os.mkdir(self.mount_point)
        if not mount_tmpfs(self.mount_point, "48m"):
            self.skipTest("cannot mount a size-limited tmpfs here (needs root)")

    def tearDown(self):
        unmount(self.mount_point)
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_full_disk_fails_writes_cleanly_and_recovers(self):
        data = os.path.join(self.mount_point, "data")
        filler = os.path.join(self.mount_point, "filler")
        acked = {}
        with Daemon("--min-free-disk", "8", data_dir=data) as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.create_queue(QueueName="big")["QueueUrl"]
            # Fill what is left of the disk, then keep sending until the daemon refuses.
            stat = os.statvfs(self.mount_point)
            with open(filler, "wb") as f:
                f.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - (12 << 20)))
            body = "y" * 200_000
            refused = None
            for i in range(200):
                try:
                    result = sqs.send_message(QueueUrl=url, MessageBody="%d %s" % (i, body))
                    acked[result["MessageId"]] = "%d %s" % (i, body)
                except botocore.exceptions.ClientError as error:
                    refused = error
                    break
            self.assertIsNotNone(refused, "the disk never filled up")
            self.assertEqual(refused.response["Error"]["Code"], "ServiceUnavailable")
            self.assertEqual(refused.response["ResponseMetadata"]["HTTPStatusCode"], 503)
            # Reads still work while the disk is full.
            count = sqs.get_queue_attributes(QueueUrl=url,
                                             AttributeNames=["ApproximateNumberOfMessages"])
            self.assertEqual(count["Attributes"]["ApproximateNumberOfMessages"], str(len(acked)))
            # Space comes back: writes succeed again without a restart.
            os.remove(filler)
            result = sqs.send_message(QueueUrl=url, MessageBody="after")
            acked[result["MessageId"]] = "after"
        with Daemon("--min-free-disk", "8", data_dir=data) as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.get_queue_url(QueueName="big")["QueueUrl"]
            seen = {}
            while True:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          VisibilityTimeout=600).get("Messages", [])
                if not got:
                    break
                for m in got:
                    seen[m["MessageId"]] = m["Body"]
            self.assertEqual(seen, acked)


class FifoCrashTest(unittest.TestCase):
    """kill -9 while senders load a FIFO queue: after the restart every acknowledged message
    is delivered exactly once and in order within its group, and the deduplication window
    survived (re-sending an acknowledged deduplication id answers the original MessageId
    and adds nothing)."""

    GROUPS_PER_SENDER = 2

    def test_kill_minus_nine_while_sending_to_fifo_groups(self):
        with tempfile.TemporaryDirectory(prefix="eb-fifo-crash-") as data:
            daemon = Daemon(data_dir=data)
            daemon.start()
            acked = {}  # dedup id -> (group, counter, body, message id) of every 200
            attempted = {}  # dedup id -> (group, counter, body) of every send started
            lock = threading.Lock()
            stop = threading.Event()
            try:
                sqs = boto3_client("sqs", daemon.endpoint)
                url = sqs.create_queue(QueueName="crash.fifo", Attributes={
                    "FifoQueue": "true", "VisibilityTimeout": "600"})["QueueUrl"]

                def sender(n):
                    # Each sender owns its groups, so a group's counters are sent in order.
                    client = boto3_client("sqs", daemon.endpoint)
                    groups = ["g%d" % (n * self.GROUPS_PER_SENDER + k)
                              for k in range(self.GROUPS_PER_SENDER)]
                    counters = dict.fromkeys(groups, 0)
                    i = 0
                    while not stop.is_set():
                        group = groups[i % len(groups)]
                        count = 3 if i % 3 == 0 else 1
                        messages = []
                        for _ in range(count):
                            c = counters[group]
                            counters[group] += 1
                            messages.append(("%s-%d" % (group, c), c, "%s/%d" % (group, c)))
                        with lock:
                            for dedup, c, body in messages:
                                attempted[dedup] = (group, c, body)
                        try:
                            if count > 1:
                                out = client.send_message_batch(QueueUrl=url, Entries=[
                                    {"Id": "e%d" % k, "MessageBody": body, "MessageGroupId": group,
                                     "MessageDeduplicationId": dedup}
                                    for k, (dedup, _, body) in enumerate(messages)])
                                if out.get("Failed"):
                                    return  # a failed entry ends this sender's ordered stream
                                ids = {ok["Id"]: ok["MessageId"] for ok in out["Successful"]}
                                results = [ids["e%d" % k] for k in range(count)]
                            else:
                                dedup, _, body = messages[0]
                                results = [client.send_message(
                                    QueueUrl=url, MessageBody=body, MessageGroupId=group,
                                    MessageDeduplicationId=dedup)["MessageId"]]
                        except (botocore.exceptions.BotoCoreError,
                                botocore.exceptions.ClientError):
                            return  # the daemon died under us: that request was never acked
                        with lock:
                            for (dedup, c, body), message_id in zip(messages, results):
                                acked[dedup] = (group, c, body, message_id)
                        i += 1

                kill_under_load(daemon, sender, FIFO_SENDERS, stop)
            finally:
                daemon.stop(sig=signal.SIGKILL, check=False)
            with lock:
                acked = dict(acked)
                attempted = dict(attempted)
            self.assertGreater(len(acked), 100, "the load never got going")

            with Daemon(data_dir=data) as daemon:
                sqs = boto3_client("sqs", daemon.endpoint)
                url = sqs.get_queue_url(QueueName="crash.fifo")["QueueUrl"]
                received = []  # (dedup id, message) in delivery order
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                              VisibilityTimeout=600,
                                              MessageSystemAttributeNames=["All"]
                                              ).get("Messages", [])
                    if not got:
                        break  # nothing in flight (all deleted), so the queue is empty
                    received += [(m["Attributes"]["MessageDeduplicationId"], m) for m in got]
                    result = sqs.delete_message_batch(QueueUrl=url, Entries=[
                        {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]}
                        for k, m in enumerate(got)])
                    self.assertEqual(result.get("Failed", []), [])
                dedups = [d for d, _ in received]
                self.assertEqual(len(dedups), len(set(dedups)), "a message was delivered twice")
                by_dedup = dict(received)
                missing = sorted(set(acked) - set(by_dedup))
                self.assertEqual(missing, [], "acknowledged messages lost")
                last = {}
                for dedup, m in received:
                    # Anything not acknowledged must at least have been sent (the request the
                    # kill cut off), and must come after every acknowledged one of its group.
                    self.assertIn(dedup, attempted, "a message nobody sent")
                    group, counter, body = attempted[dedup]
                    self.assertEqual(m["Body"], body)
                    self.assertEqual(m["Attributes"]["MessageGroupId"], group)
                    if dedup in acked:
                        self.assertEqual(m["MessageId"], acked[dedup][3])
                    self.assertGreater(counter, last.get(group, -1),
                                       "group %s out of order at %s" % (group, body))
                    last[group] = counter
                unacked = set(by_dedup) - set(acked)
                self.assertLessEqual(len(unacked), 3 * FIFO_SENDERS,
                                     "more unacknowledged messages than requests cut off")

                # The deduplication window survived the crash: every acknowledged id is
                # still known, answers the original MessageId and enqueues nothing.
                items = sorted(acked.items())
                for start in range(0, len(items), 10):
                    chunk = items[start:start + 10]
                    out = sqs.send_message_batch(QueueUrl=url, Entries=[
                        {"Id": "r%d" % k, "MessageBody": "again " + body, "MessageGroupId": group,
                         "MessageDeduplicationId": dedup}
                        for k, (dedup, (group, _, body, _)) in enumerate(chunk)])
                    self.assertEqual(out.get("Failed", []), [])
                    answered = {ok["Id"]: ok["MessageId"] for ok in out["Successful"]}
                    for k, (dedup, (_, _, _, message_id)) in enumerate(chunk):
                        self.assertEqual(answered["r%d" % k], message_id,
                                         "deduplication forgot " + dedup)
                attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
                self.assertEqual(attributes["Attributes"],
                                 {"ApproximateNumberOfMessages": "0",
                                  "ApproximateNumberOfMessagesNotVisible": "0"})
                self.assertNotIn("Messages", sqs.receive_message(QueueUrl=url))


if __name__ == "__main__":
    unittest.main()
