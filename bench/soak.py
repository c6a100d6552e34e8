#!/usr/bin/env python3
"""Soak test (issue 16): eventbrokerd, durable, under a steady mixed workload for a long time.

Started by bench/soak.sh (which also installs gnuplot, sets ASan's options and plots); run
directly for a quick look:
  bench/soak.py --binary build/plain/eventbrokerd --duration 120 --out /tmp/soak [--check]
  bench/soak.py --table OUT_DIR [SECONDS]     (a markdown table of a finished run's samples)

The daemon runs with the shipped config (its plugins run the order sagas) on a fresh data dir
under --out, durable (`--durability wal`), on a free 127.0.0.1 port. Paced producers, all at once:
  send        SendMessage of a unique id to the standard queue soak-std
  fifo-send   SendMessage to soak.fifo: 8 message groups, a per-group sequence number, a unique
              MessageDeduplicationId
  publish     SNS Publish to soak-topic with attribute kind = a|b|c|d; soak-sns-a (raw delivery)
              subscribes with {"kind":["a"]}, soak-sns-b (SNS envelope) with {"kind":["b","c"]}
  put-events  PutEvents to the default bus; rule soak-big ({"source":["soak"], "detail":
              {"amount":[{"numeric":[">",50]}]}}) targets soak-eb
  saga        POST /v1/sagas/order-creation (card: completes; card_declined: compensates)
  plus sends to soak-redrive (maxReceiveCount 2 into soak-redrive-dlq) and to soak-replay-src.
Consumers long-poll (WaitTimeSeconds 2) and delete in batches. A few standard and FIFO messages
are left undeleted so their visibility timeout (3 s / 5 s) expires and they come back. Messages
on soak-redrive are received without deleting until they land in the dead-letter queue; every
--redrive-every seconds StartMessageMoveTask moves the DLQ back, and a message received a third
time (after the move) is deleted. Every --replay-every seconds POST /v1/replays copies what was
sent to soak-replay-src since the previous replay into soak-replay-dst, where each copy is
counted against its replay's total.

Latency is per request (client side, from the request's start), per class, over each sample
interval; `receive` is a long poll and includes its wait, so it is reported but not checked.

Accounting: every message carries a unique id. At the end the producers stop, the consumers stop
skipping deletes, the DLQ is moved back once more and everything is drained. Per queue type:
  lost        acknowledged sends never received and deleted
  duplicated  copies received after the message was deleted (standard: reported, at-least-once
              allows them; FIFO: must be 0)
  redelivered copies received again before the delete (visibility expiry; expected)
  unasked     of those, copies of a message the consumer had not left undeleted on purpose
              (its delete came after the visibility timeout, or a duplicate delivery)
  out of order (FIFO) a message received before an earlier one of its group was deleted
Fan-outs also count misrouted copies (a copy a filter should have kept out) as errors.

--check fails (exit 1) on: any request error; a lost standard message; a lost, duplicated or
out-of-order FIFO message; a misrouted copy; a replay copy missing or extra; a saga not
completed/compensated as its input says; or growth after --warmup seconds: a least-squares line
through RSS must rise less than --rss-slack-mb-per-min plus the growth of the RocksDB directory
(the memtable holds what the WAL holds until it is flushed, so RSS may follow the data written),
and the fitted p99 of the checked classes (send, fifo-send, publish, put-events, delete) must
not rise over the run after warm-up by more than --p99-growth-ms and by more than the fitted
line's own value at the start of that window (that is, more than double).
"""
import argparse
import collections
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "config", "eventbrokerd.yaml")
ACCOUNT = "000000000000"
REGION = "us-east-1"
CLASSES = ("send", "fifo-send", "publish", "put-events", "receive", "delete", "saga", "admin")
CHECKED_CLASSES = ("send", "fifo-send", "publish", "put-events", "delete")
FIFO_GROUPS = 8
STD_VISIBILITY = 3
FIFO_VISIBILITY = 5
SKIP_DELETE = 0.03


class Stats:
    """Per-class latencies and counts of the current sample interval, plus run totals."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = collections.defaultdict(list)
        self.ops = 0
        self.errors = 0
        self.total_ops = 0
        self.total_errors = 0
        self.error_samples = []

    def record(self, cls, seconds, ok=True, detail=None):
        with self.lock:
            self.latencies[cls].append(seconds)
            self.ops += 1
            self.total_ops += 1
            if not ok:
                self.errors += 1
                self.total_errors += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append("%s: %s" % (cls, detail))

    def take(self):
        with self.lock:
            latencies, self.latencies = self.latencies, collections.defaultdict(list)
            ops, errors = self.ops, self.errors
            self.ops = self.errors = 0
        return latencies, ops, errors


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Api:
    """One keep-alive connection per thread to the daemon; SQS (JSON 1.0), EventBridge
    (JSON 1.1), SNS (query) and /v1 requests, each timed into Stats under a class."""

    def __init__(self, port, stats):
        self.port = port
        self.stats = stats
        self.local = threading.local()
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self.auth = ("AWS4-HMAC-SHA256 Credential=AKID/%s/%s/%%s/aws4_request, "
                     "SignedHeaders=host;x-amz-date, Signature=0000" % (stamp[:8], REGION))
        self.stamp = stamp

    def _raw(self, method, path, body, headers, timeout):
        for attempt in (0, 1):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                    timeout=timeout)
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed while idle: reconnect once.
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                raise
        raise AssertionError("unreachable")

    def call(self, cls, method, path, body, headers, timeout=30, ok_statuses=(200,)):
        """The status and parsed body, or (None, error text) when the request failed."""
        start = time.monotonic()
        try:
            status, data = self._raw(method, path, body, headers, timeout)
        except (OSError, http.client.HTTPException) as e:
            self.stats.record(cls, time.monotonic() - start, False, repr(e))
            return None, repr(e)
        elapsed = time.monotonic() - start
        ok = status in ok_statuses
        self.stats.record(cls, elapsed, ok, "%d %s" % (status, data[:200]))
        return status, data

    def sqs(self, cls, action, payload, timeout=30):
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": "AmazonSQS." + action, "X-Amz-Date": self.stamp,
                   "Authorization": self.auth % "sqs"}
        status, data = self.call(cls, "POST", "/", json.dumps(payload), headers, timeout)
        return json.loads(data) if status == 200 else None

    def events(self, cls, action, payload):
        headers = {"Content-Type": "application/x-amz-json-1.1",
                   "X-Amz-Target": "AWSEvents." + action, "X-Amz-Date": self.stamp,
                   "Authorization": self.auth % "events"}
        status, data = self.call(cls, "POST", "/", json.dumps(payload), headers)
        return json.loads(data) if status == 200 else None

    def sns(self, cls, form):
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                   "X-Amz-Date": self.stamp, "Authorization": self.auth % "sns"}
        status, data = self.call(cls, "POST", "/", urllib.parse.urlencode(form), headers)
        return data if status == 200 else None

    def v1(self, cls, method, path, body=None, ok_statuses=(200,)):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        status, data = self.call(cls, method, path, None if body is None else json.dumps(body),
                                 headers, ok_statuses=ok_statuses)
        if status in ok_statuses:
            return json.loads(data) if data else {}
        return None


def queue_url(port, name):
    return "http://127.0.0.1:%d/%s/%s" % (port, ACCOUNT, name)


def queue_arn(name):
    return "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)


class Book:
    """What one queue was sent and what came back, by message id. Thread-safe."""

    def __init__(self, name, kind):
        self.name = name
        self.kind = kind
        self.lock = threading.Lock()
        self.sent = set()
        self.uncertain = set()  # sends that failed: maybe stored, maybe not
        self.received = collections.Counter()
        self.deleted = set()
        self.duplicated = 0
        self.redelivered = 0
        self.skipped = set()  # ids the consumer left undeleted on purpose
        self.unasked = 0  # redeliveries of a message that was not left undeleted on purpose
        self.out_of_order = 0
        self.misrouted = 0
        self.disorder = []  # the first out-of-order receives, for the report

    def add_sent(self, mid, ok):
        with self.lock:
            (self.sent if ok else self.uncertain).add(mid)

    def on_receive(self, mid):
        """Counts one received copy; False when the message was already deleted."""
        with self.lock:
            self.received[mid] += 1
            if mid in self.deleted:
                self.duplicated += 1
                return False
            if self.received[mid] > 1:
                self.redelivered += 1
                if mid not in self.skipped:
                    self.unasked += 1
            return True

    def on_deleted(self, mids):
        with self.lock:
            self.deleted.update(mids)

    def outstanding(self):
        with self.lock:
            return len(self.sent - self.deleted)

    def report(self):
        with self.lock:
            lost = len(self.sent - self.deleted)
            # Counted at the end: a copy may be received before its send's answer arrives.
            unknown = len(set(self.received) - self.sent - self.uncertain)
            return {"queue": self.name, "type": self.kind, "sent": len(self.sent),
                    "uncertain": len(self.uncertain), "deleted": len(self.deleted),
                    "lost": lost, "duplicated": self.duplicated,
                    "redelivered": self.redelivered, "unasked": self.unasked, "outOfOrder": self.out_of_order,
                    "misrouted": self.misrouted, "unknown": unknown,
                    "disorder": list(self.disorder)}


class Soak:
    def __init__(self, args, port, pid):
        self.args = args
        self.port = port
        self.pid = pid
        self.stats = Stats()
        self.api = Api(port, self.stats)
        self.stop = threading.Event()  # producers stop
        self.draining = threading.Event()  # consumers delete everything from now on
        self.done = threading.Event()  # consumers stop
        self.books = {
            "soak-std": Book("soak-std", "standard"),
            "soak.fifo": Book("soak.fifo", "fifo"),
            "soak-sns-a": Book("soak-sns-a", "standard (SNS fan-out)"),
            "soak-sns-b": Book("soak-sns-b", "standard (SNS fan-out)"),
            "soak-eb": Book("soak-eb", "standard (EventBridge rule)"),
            "soak-redrive": Book("soak-redrive", "standard (DLQ + redrive)"),
            "soak-replay-src": Book("soak-replay-src", "standard"),
        }
        self.fifo_next_send = [0] * FIFO_GROUPS
        self.fifo_expected = [0] * FIFO_GROUPS  # next sequence number each group must deliver
        self.fifo_lock = threading.Lock()
        self.redrive_receives = collections.Counter()
        self.move_tasks = 0
        self.redriven_back = 0  # messages received again after a move task brought them back
        self.replays = {}  # replayId -> expected total
        self.replay_received = collections.Counter()
        self.replay_lock = threading.Lock()
        self.replay_to_seq = 0
        self.sagas = {}  # id -> expected final status
        self.saga_status = collections.Counter()
        self.saga_wrong = 0
        self.saga_lock = threading.Lock()

    # --- setup -----------------------------------------------------------------------------

    def setup(self):
        api = self.api

        def create(name, attributes):
            got = api.sqs("admin", "CreateQueue", {"QueueName": name, "Attributes": attributes})
            if got is None:
                raise SystemExit("CreateQueue %s failed: %s" % (name, self.stats.error_samples))

        create("soak-std", {"VisibilityTimeout": str(STD_VISIBILITY)})
        create("soak.fifo", {"FifoQueue": "true", "VisibilityTimeout": str(FIFO_VISIBILITY)})
        for name in ("soak-sns-a", "soak-sns-b", "soak-eb", "soak-replay-src",
                     "soak-replay-dst", "soak-redrive-dlq"):
            create(name, {"VisibilityTimeout": str(STD_VISIBILITY)})
        create("soak-redrive", {"VisibilityTimeout": "1", "RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": queue_arn("soak-redrive-dlq"), "maxReceiveCount": "2"})})

        created = api.sns("admin", {"Action": "CreateTopic", "Name": "soak-topic"})
        if created is None:
            raise SystemExit("CreateTopic failed: %s" % self.stats.error_samples)
        topic = "arn:aws:sns:%s:%s:soak-topic" % (REGION, ACCOUNT)
        self.topic_arn = topic
        for queue, policy, raw in (("soak-sns-a", {"kind": ["a"]}, "true"),
                                   ("soak-sns-b", {"kind": ["b", "c"]}, "false")):
            got = api.sns("admin", {
                "Action": "Subscribe", "TopicArn": topic, "Protocol": "sqs",
                "Endpoint": queue_arn(queue), "ReturnSubscriptionArn": "true",
                "Attributes.entry.1.key": "FilterPolicy",
                "Attributes.entry.1.value": json.dumps(policy),
                "Attributes.entry.2.key": "RawMessageDelivery",
                "Attributes.entry.2.value": raw})
            if got is None:
                raise SystemExit("Subscribe failed: %s" % self.stats.error_samples)

        rule = api.events("admin", "PutRule", {
            "Name": "soak-big", "EventPattern": json.dumps(
                {"source": ["soak"], "detail": {"amount": [{"numeric": [">", 50]}]}})})
        targets = api.events("admin", "PutTargets", {
            "Rule": "soak-big", "Targets": [{"Id": "q", "Arn": queue_arn("soak-eb")}]})
        if rule is None or targets is None or targets.get("FailedEntryCount"):
            raise SystemExit("PutRule/PutTargets failed: %s %s" % (targets,
                                                                   self.stats.error_samples))
        if api.v1("admin", "PUT", "/v1/plugins/inventory/stock/SKU-1",
                  {"available": 10 ** 9}) is None:
            raise SystemExit("setting the saga stock failed: %s" % self.stats.error_samples)

    # --- producers -------------------------------------------------------------------------

    def paced(self, rate, step):
        """Calls step() `rate` times a second until stop; a late schedule does not burst."""
        if rate <= 0:
            return
        interval = 1.0 / rate
        next_at = time.monotonic()
        while not self.stop.is_set():
            step()
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                self.stop.wait(delay)
            elif delay < -1:
                next_at = time.monotonic()

    def send_standard(self, queue, cls, body_of=None):
        mid = uuid.uuid4().hex
        body = body_of(mid) if body_of else json.dumps({"id": mid, "pad": "x" * 100})
        got = self.api.sqs(cls, "SendMessage", {
            "QueueUrl": queue_url(self.port, queue), "MessageBody": body,
            "MessageAttributes": {"soakId": {"DataType": "String", "StringValue": mid}}})
        self.books[queue].add_sent(mid, got is not None)

    def send_fifo(self):
        with self.fifo_lock:
            group = random.randrange(FIFO_GROUPS)
            seq = self.fifo_next_send[group]
            self.fifo_next_send[group] += 1
            # Sends of one group must go in order: hold the lock across the request.
            mid = "g%d-%d" % (group, seq)
            got = self.api.sqs("fifo-send", "SendMessage", {
                "QueueUrl": queue_url(self.port, "soak.fifo"),
                "MessageBody": json.dumps({"id": mid, "group": group, "seq": seq}),
                "MessageGroupId": "g%d" % group, "MessageDeduplicationId": uuid.uuid4().hex})
            if got is None:
                # Unknown outcome: the group's numbering would have a hole; resend under the same
                # dedup id is not possible after the lock, so record it and move on.
                self.books["soak.fifo"].add_sent(mid, False)
            else:
                self.books["soak.fifo"].add_sent(mid, True)

    def publish(self):
        mid = uuid.uuid4().hex
        kind = random.choice("abcd")
        got = self.api.sns("publish", {
            "Action": "Publish", "TopicArn": self.topic_arn,
            "Message": json.dumps({"id": mid, "kind": kind}),
            "MessageAttributes.entry.1.Name": "kind",
            "MessageAttributes.entry.1.Value.DataType": "String",
            "MessageAttributes.entry.1.Value.StringValue": kind})
        target = {"a": "soak-sns-a", "b": "soak-sns-b", "c": "soak-sns-b"}.get(kind)
        if target:
            self.books[target].add_sent(mid, got is not None)

    def put_event(self):
        mid = uuid.uuid4().hex
        amount = random.randint(0, 100)
        got = self.api.events("put-events", "PutEvents", {"Entries": [{
            "Source": "soak", "DetailType": "soak.tick",
            "Detail": json.dumps({"id": mid, "amount": amount})}]})
        ok = got is not None and not got.get("FailedEntryCount")
        if amount > 50:
            self.books["soak-eb"].add_sent(mid, ok)

    def start_saga(self):
        saga_id = "soak-%s" % uuid.uuid4().hex[:16]
        declined = random.random() < 0.1
        got = self.api.v1("saga", "POST", "/v1/sagas/order-creation", {
            "id": saga_id, "input": {
                "orderId": saga_id, "items": [{"productId": "SKU-1", "quantity": 1}],
                "totalAmount": 10, "currency": "EUR",
                "paymentMethod": "card_declined" if declined else "card"}}, ok_statuses=(201,))
        if got is not None:
            with self.saga_lock:
                self.sagas[saga_id] = (time.monotonic(),
                                       "compensated" if declined else "completed")

    # --- consumers -------------------------------------------------------------------------

    def receive(self, queue, max_messages=10, wait=2, attributes=False):
        payload = {"QueueUrl": queue_url(self.port, queue), "MaxNumberOfMessages": max_messages,
                   "WaitTimeSeconds": wait, "MessageAttributeNames": ["All"]}
        if attributes:
            payload["MessageSystemAttributeNames"] = ["All"]
        got = self.api.sqs("receive", "ReceiveMessage", payload, timeout=wait + 30)
        return (got or {}).get("Messages", [])

    def delete(self, queue, handles):
        """Deletes (id, receipt handle) pairs; the ids whose delete succeeded."""
        if not handles:
            return []
        entries = [{"Id": str(i), "ReceiptHandle": h} for i, (_, h) in enumerate(handles)]
        got = self.api.sqs("delete", "DeleteMessageBatch", {
            "QueueUrl": queue_url(self.port, queue), "Entries": entries})
        if got is None:
            return []
        ok = {e["Id"] for e in got.get("Successful", [])}
        for failed in got.get("Failed", []):
            self.stats.record("delete", 0, False, json.dumps(failed))
        return [mid for i, (mid, _) in enumerate(handles) if str(i) in ok]

    def consume_plain(self, queue, id_of, skip=0.0, check=None):
        """Receives, accounts and deletes (but for a `skip` fraction) until done."""
        book = self.books[queue]
        while not self.done.is_set():
            batch = []
            for m in self.receive(queue):
                mid = id_of(m)
                if check and not check(m):
                    with book.lock:
                        book.misrouted += 1
                if not book.on_receive(mid):
                    continue
                if not self.draining.is_set() and random.random() < skip:
                    with book.lock:
                        book.skipped.add(mid)
                    continue  # left for its visibility timeout to expire
                batch.append((mid, m["ReceiptHandle"]))
            book.on_deleted(self.delete(queue, batch))

    def consume_fifo(self):
        book = self.books["soak.fifo"]
        while not self.done.is_set():
            batch = []
            skipped = set()
            previous = {}  # group -> the last sequence number this receive returned for it
            for m in self.receive("soak.fifo", attributes=True):
                body = json.loads(m["Body"])
                group, seq, mid = body["group"], body["seq"], body["id"]
                self.trace("receive", group, seq, m.get("Attributes", {}).get(
                    "ApproximateReceiveCount"))
                if not book.on_receive(mid):
                    continue
                with self.fifo_lock:
                    expected = previous[group] + 1 if group in previous else \
                        self.fifo_expected[group]
                previous[group] = seq
                if seq != expected and "g%d-%d" % (group, expected) not in book.uncertain:
                    with book.lock:
                        book.out_of_order += 1
                        if len(book.disorder) < 20:
                            book.disorder.append({
                                "group": group, "seq": seq, "expected": expected,
                                "receiveCount": m.get("Attributes", {}).get(
                                    "ApproximateReceiveCount"),
                                "at": round(time.monotonic(), 3)})
                if group in skipped or (not self.draining.is_set()
                                        and random.random() < SKIP_DELETE / 3):
                    skipped.add(group)  # the group's later messages wait with it
                    with book.lock:
                        book.skipped.add(mid)
                    continue
                batch.append((mid, m["ReceiptHandle"]))
                with self.fifo_lock:
                    self.fifo_expected[group] = seq + 1
            deleted = self.delete("soak.fifo", batch)
            for mid in deleted:
                self.trace("deleted", *mid[1:].split("-"))
            book.on_deleted(deleted)
            if len(deleted) != len(batch):
                # A failed delete comes back after the visibility timeout: expect it again.
                with self.fifo_lock:
                    for mid, _ in batch:
                        if mid not in deleted:
                            group, seq = (int(x) for x in mid[1:].split("-"))
                            self.fifo_expected[group] = min(self.fifo_expected[group], seq)

    def trace(self, *fields):
        """One line of fifo-trace.tsv: what the FIFO consumer saw, to explain any disorder."""
        self.fifo_trace.write("%.3f\t%s\n" % (time.monotonic(), "\t".join(map(str, fields))))

    def consume_redrive(self):
        book = self.books["soak-redrive"]
        while not self.done.is_set():
            batch = []
            for m in self.receive("soak-redrive"):
                mid = json.loads(m["Body"])["id"]
                with book.lock:
                    self.redrive_receives[mid] += 1
                    times = self.redrive_receives[mid]
                    book.received[mid] += 1
                    if mid in book.deleted:
                        book.duplicated += 1
                        continue
                # Twice without a delete moves it to the DLQ (maxReceiveCount 2); the copy that
                # comes back by a move task is deleted.
                if times >= 3 or self.draining.is_set():
                    batch.append((mid, m["ReceiptHandle"]))
                    if times >= 3:
                        self.redriven_back += 1
            book.on_deleted(self.delete("soak-redrive", batch))

    def redrive_once(self):
        source = queue_arn("soak-redrive-dlq")
        tasks = self.api.sqs("admin", "ListMessageMoveTasks", {"SourceArn": source})
        if tasks and any(t.get("Status") == "RUNNING" for t in tasks.get("Results", [])):
            return
        if self.api.sqs("admin", "StartMessageMoveTask", {"SourceArn": source}) is not None:
            self.move_tasks += 1

    def consume_replays(self):
        while not self.done.is_set():
            batch = []
            for m in self.receive("soak-replay-dst"):
                replay = m.get("MessageAttributes", {}).get("eventbroker.replayId", {})
                with self.replay_lock:
                    self.replay_received[replay.get("StringValue", "?")] += 1
                batch.append(("", m["ReceiptHandle"]))
            self.delete("soak-replay-dst", batch)

    def replay_once(self):
        got = self.api.v1("admin", "POST", "/v1/replays", {
            "fromSeq": self.replay_to_seq + 1, "source": queue_arn("soak-replay-src"),
            "target": "soak-replay-dst"}, ok_statuses=(202,))
        if got is not None:
            with self.replay_lock:
                self.replays[got["replayId"]] = got["total"]
            self.replay_to_seq = max(self.replay_to_seq, got["toSeq"])

    def check_sagas(self, older_than):
        """Looks up sagas started more than `older_than` s ago; finished ones leave the set."""
        now = time.monotonic()
        with self.saga_lock:
            due = [(s, want) for s, (at, want) in self.sagas.items() if now - at > older_than]
        for saga_id, want in due:
            doc = self.api.v1("admin", "GET", "/v1/sagas/" + saga_id)
            if doc is None or doc.get("status") not in ("completed", "compensated", "stuck"):
                continue
            with self.saga_lock:
                del self.sagas[saga_id]
                self.saga_status[doc["status"]] += 1
                if doc["status"] != want:
                    self.saga_wrong += 1

    def periodic(self):
        last_redrive = last_replay = time.monotonic()
        while not self.stop.wait(1):
            now = time.monotonic()
            if now - last_redrive >= self.args.redrive_every:
                last_redrive = now
                self.redrive_once()
            if now - last_replay >= self.args.replay_every:
                last_replay = now
                self.replay_once()
            self.check_sagas(older_than=30)

    # --- sampling --------------------------------------------------------------------------

    def sample_daemon(self):
        with open("/proc/%d/status" % self.pid) as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        fds = len(os.listdir("/proc/%d/fd" % self.pid))
        db = 0
        for base, _, files in os.walk(self.args.data_dir):
            for name in files:
                try:
                    db += os.stat(os.path.join(base, name)).st_blocks * 512
                except FileNotFoundError:
                    pass  # a RocksDB file deleted by a compaction meanwhile
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return rss, fds, db, cpu

    def storage_gauges(self):
        """RocksDB's memtable and SST bytes from /metrics (-1 each when unavailable)."""
        status, data = self.api.call("admin", "GET", "/metrics", None, {})
        found = {"eventbrokerd_storage_memtable_bytes": -1,
                 "eventbrokerd_storage_sst_files_bytes": -1}
        if status == 200:
            for line in data.decode().splitlines():
                name, _, value = line.partition(" ")
                if name in found:
                    found[name] = int(float(value))
        return (found["eventbrokerd_storage_memtable_bytes"],
                found["eventbrokerd_storage_sst_files_bytes"])

    def held(self):
        listing = self.api.v1("admin", "GET", "/v1/queues")
        if listing is None:
            return -1
        return sum(q["visible"] + q["inFlight"] + q["delayed"] for q in listing["queues"])

    def sampler(self, out, started):
        header = ["t_s", "rss_kb", "fds", "db_bytes", "held_msgs", "ops", "errors",
                  "daemon_cpu_s", "memtable_bytes", "sst_bytes"]
        for cls in CLASSES:
            header += ["%s_p50_ms" % cls, "%s_p99_ms" % cls]
        out.write("\t".join(header) + "\n")
        out.flush()
        rows = []
        next_at = started + self.args.interval
        while not self.done.wait(max(0, next_at - time.monotonic())):
            next_at += self.args.interval
            rows.append(self.sample_row(out, started))
        return rows

    def sample_row(self, out, started):
        latencies, ops, errors = self.stats.take()
        rss, fds, db, cpu = self.sample_daemon()
        memtable, sst = self.storage_gauges()
        row = {"t_s": round(time.monotonic() - started, 1), "rss_kb": rss, "fds": fds,
               "db_bytes": db, "held_msgs": self.held(), "ops": ops, "errors": errors,
               "daemon_cpu_s": round(cpu, 2), "memtable_bytes": memtable, "sst_bytes": sst}
        for cls in CLASSES:
            values = latencies.get(cls, [])
            row["%s_p50_ms" % cls] = round(percentile(values, 50) * 1000, 2)
            row["%s_p99_ms" % cls] = round(percentile(values, 99) * 1000, 2)
        out.write("\t".join(str(v) for v in row.values()) + "\n")
        out.flush()
        return row

    # --- run -------------------------------------------------------------------------------

    def run(self):
        self.setup()
        rate = self.args.rate
        producers = [
            (0.35, lambda: self.send_standard("soak-std", "send")),
            (0.20, self.send_fifo),
            (0.15, self.publish),
            (0.15, self.put_event),
            (0.05, lambda: self.send_standard("soak-redrive", "send")),
            (0.05, lambda: self.send_standard(
                "soak-replay-src", "send",
                lambda mid: json.dumps({"id": mid, "type": "soak.replayable", "data": {}}))),
            (0.01, self.start_saga),
        ]
        body_id = lambda m: json.loads(m["Body"])["id"]
        envelope_id = lambda m: json.loads(json.loads(m["Body"])["Message"])["id"]

        def kind_in(kinds, parse):
            return lambda m: parse(m) in kinds

        raw_kind = lambda m: json.loads(m["Body"])["kind"]
        envelope_kind = lambda m: json.loads(json.loads(m["Body"])["Message"])["kind"]
        consumers = [
            lambda: self.consume_plain("soak-std", body_id, skip=SKIP_DELETE),
            lambda: self.consume_plain("soak-std", body_id, skip=SKIP_DELETE),
            self.consume_fifo,
            lambda: self.consume_plain("soak-sns-a", body_id, check=kind_in("a", raw_kind)),
            lambda: self.consume_plain("soak-sns-b", envelope_id,
                                       check=kind_in("bc", envelope_kind)),
            lambda: self.consume_plain(
                "soak-eb", lambda m: json.loads(m["Body"])["detail"]["id"],
                check=lambda m: json.loads(m["Body"])["detail"]["amount"] > 50),
            lambda: self.consume_plain("soak-replay-src", body_id),
            self.consume_redrive,
            self.consume_replays,
        ]
        threads = [threading.Thread(target=self.paced, args=(share * rate, step), daemon=True)
                   for share, step in producers]
        threads += [threading.Thread(target=c, daemon=True) for c in consumers]
        periodic = threading.Thread(target=self.periodic, daemon=True)
        started = time.monotonic()
        rows_box = []
        with open(os.path.join(self.args.out, "samples.tsv"), "w") as out, \
                open(os.path.join(self.args.out, "fifo-trace.tsv"), "w") as self.fifo_trace:
            sampler = threading.Thread(
                target=lambda: rows_box.append(self.sampler(out, started)), daemon=True)
            for t in threads + [periodic, sampler]:
                t.start()
            self.stop.wait(self.args.duration)
            self.stop.set()
            for t in threads[:len(producers)] + [periodic]:
                t.join()
            load_ops = self.stats.total_ops
            self.drain()
            self.done.set()
            sampler.join()
            for t in threads[len(producers):]:
                t.join(timeout=40)
        return rows_box[0], load_ops

    def drain(self):
        """Stops skipping deletes, moves the DLQ back and waits for every book to empty."""
        self.draining.set()
        deadline = time.monotonic() + self.args.drain_timeout
        last_move = 0
        while time.monotonic() < deadline:
            if time.monotonic() - last_move > 5:
                last_move = time.monotonic()
                self.redrive_once()
            pending = sum(b.outstanding() for b in self.books.values())
            with self.replay_lock:
                replays_pending = sum(self.replays.values()) - sum(
                    self.replay_received[r] for r in self.replays)
            self.check_sagas(older_than=0)
            with self.saga_lock:
                sagas_pending = len(self.sagas)
            if pending == 0 and replays_pending <= 0 and sagas_pending == 0:
                return
            time.sleep(0.5)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("eventbrokerd exited with %s" % process.returncode)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("eventbrokerd did not answer /health in %d s" % timeout)


def slope(xs, ys):
    """Least-squares slope of ys over xs (0 with fewer than two points)."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0


def verdict(args, soak, rows, books):
    """The summary's lines and the --check failures."""
    lines, failures = [], []
    after = [r for r in rows if r["t_s"] > args.warmup]
    ts = [r["t_s"] for r in after]
    rss_slope = slope(ts, [r["rss_kb"] / 1024 for r in after]) * 60  # MiB/min
    memtable_slope = slope(ts, [max(r["memtable_bytes"], 0) / 2 ** 20 for r in after]) * 60
    beyond = rss_slope - memtable_slope
    lines.append("RSS trend after %d s warm-up: %+.2f MiB/min, of which RocksDB's memtables "
                 "%+.2f; beyond them %+.2f (allowed %.2f)" % (
                     args.warmup, rss_slope, memtable_slope, beyond,
                     args.rss_slack_mb_per_min))
    if beyond > args.rss_slack_mb_per_min:
        failures.append("RSS beyond the memtables grows %.2f MiB/min > %.2f" % (
            beyond, args.rss_slack_mb_per_min))
    if rows:
        lines.append("RSS %.1f -> %.1f MiB (max %.1f); memtables %.1f -> %.1f MiB; SST files "
                     "%.1f -> %.1f MiB; data dir (du) %.1f -> %.1f MiB" % (
                         rows[0]["rss_kb"] / 1024, rows[-1]["rss_kb"] / 1024,
                         max(r["rss_kb"] for r in rows) / 1024,
                         rows[0]["memtable_bytes"] / 2 ** 20, rows[-1]["memtable_bytes"] / 2 ** 20,
                         rows[0]["sst_bytes"] / 2 ** 20, rows[-1]["sst_bytes"] / 2 ** 20,
                         rows[0]["db_bytes"] / 2 ** 20, rows[-1]["db_bytes"] / 2 ** 20))
    fd_slope = slope(ts, [r["fds"] for r in after]) * 60
    lines.append("open files trend: %+.2f /min (first %s, last %s, max %s)" % (
        fd_slope, rows[0]["fds"] if rows else "-", rows[-1]["fds"] if rows else "-",
        max((r["fds"] for r in rows), default="-")))
    span = (ts[-1] - ts[0]) if len(ts) > 1 else 0
    for cls in CHECKED_CLASSES:
        points = [(r["t_s"], r["%s_p99_ms" % cls]) for r in after
                  if r["%s_p99_ms" % cls] == r["%s_p99_ms" % cls]]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        s = slope(xs, ys)
        rise = s * span
        # The fitted line's value where the window starts: growth must also double it.
        start = (sum(ys) / len(ys) - s * (sum(xs) / len(xs) - ts[0])) if points else 0
        lines.append("p99 %-10s trend: %+.2f ms over the run after warm-up (median p99 %.2f ms)"
                     % (cls, rise, percentile([p[1] for p in points], 50) if points else
                        float("nan")))
        if rise > args.p99_growth_ms and rise > start:
            failures.append("p99 of %s rises %.1f ms > %.1f" % (cls, rise, args.p99_growth_ms))

    lines.append("")
    lines.append("%-18s %-28s %8s %6s %8s %5s %6s %6s %7s %6s %6s" % (
        "queue", "type", "sent", "uncert", "deleted", "lost", "dup", "redel", "unasked", "order",
        "misrt"))
    for b in books:
        lines.append("%-18s %-28s %8d %6d %8d %5d %6d %6d %7d %6d %6d" % (
            b["queue"], b["type"], b["sent"], b["uncertain"], b["deleted"], b["lost"],
            b["duplicated"], b["redelivered"], b["unasked"], b["outOfOrder"], b["misrouted"]))
        if b["lost"]:
            failures.append("%s: %d lost" % (b["queue"], b["lost"]))
        if b["misrouted"] or b["unknown"]:
            failures.append("%s: %d misrouted, %d unknown" % (b["queue"], b["misrouted"],
                                                               b["unknown"]))
        if b["type"] == "fifo" and (b["duplicated"] or b["outOfOrder"]):
            failures.append("%s: %d duplicated, %d out of order" % (
                b["queue"], b["duplicated"], b["outOfOrder"]))
    lines.append("")
    replayed_expected = sum(soak.replays.values())
    replayed_got = sum(soak.replay_received[r] for r in soak.replays)
    stray = sum(n for r, n in soak.replay_received.items() if r not in soak.replays)
    lines.append("replays: %d started, %d copies expected, %d received, %d stray" % (
        len(soak.replays), replayed_expected, replayed_got, stray))
    for replay_id, total in soak.replays.items():
        if soak.replay_received[replay_id] != total:
            failures.append("replay %s: %d of %d copies" % (
                replay_id, soak.replay_received[replay_id], total))
    if stray:
        failures.append("%d replay copies of no replay" % stray)
    lines.append("redrive: %d move tasks started; %d messages came back from the DLQ and were "
                 "deleted" % (soak.move_tasks, soak.redriven_back))
    lines.append("sagas: %s, %d unfinished, %d ended other than their input says" % (
        dict(soak.saga_status), len(soak.sagas), soak.saga_wrong))
    if soak.sagas or soak.saga_wrong:
        failures.append("sagas: %d unfinished, %d wrong outcome" % (len(soak.sagas),
                                                                    soak.saga_wrong))
    lines.append("requests: %d, errors %d" % (soak.stats.total_ops, soak.stats.total_errors))
    for sample in soak.stats.error_samples:
        lines.append("  error: " + sample)
    if soak.stats.total_errors:
        failures.append("%d requests failed" % soak.stats.total_errors)
    return lines, failures


def table(out_dir, every):
    """A markdown table of an earlier run's samples.tsv, one row per `every` seconds."""
    with open(os.path.join(out_dir, "samples.tsv")) as f:
        names = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(names, line.rstrip("\n").split("\t"))) for line in f]
    picked, next_t = [], 0.0
    for row in rows:
        if float(row["t_s"]) >= next_t:
            picked.append(row)
            next_t = float(row["t_s"]) + every - 1
    if rows and picked[-1] is not rows[-1]:
        picked.append(rows[-1])
    head = ["min", "RSS MiB", "memtables MiB", "fds", "data dir MiB", "SST MiB", "held",
            "req/s"] + ["%s p99 ms" % c for c in CLASSES if c not in ("receive", "admin")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    interval = float(rows[1]["t_s"]) - float(rows[0]["t_s"]) if len(rows) > 1 else 1.0
    for r in picked:
        cells = ["%.0f" % (float(r["t_s"]) / 60), "%.1f" % (int(r["rss_kb"]) / 1024),
                 "%.1f" % (int(r["memtable_bytes"]) / 2 ** 20), r["fds"],
                 "%.1f" % (int(r["db_bytes"]) / 2 ** 20), "%.1f" % (int(r["sst_bytes"]) / 2 ** 20),
                 r["held_msgs"], "%.0f" % (int(r["ops"]) / interval)]
        cells += [r["%s_p99_ms" % c] for c in CLASSES if c not in ("receive", "admin")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--table":
        # bench/soak.py --table OUT_DIR [SECONDS]: the README's table of a finished run.
        print(table(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 300))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "release", "eventbrokerd"))
    parser.add_argument("--config", default=CONFIG,
                        help="the daemon's config; its plugins must include the shipped ones")
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--rate", type=float, default=100,
                        help="producer requests/s in all (receives and deletes come on top)")
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--out", default=os.path.join(ROOT, "build", "soak"))
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--rss-slack-mb-per-min", type=float, default=2.0)
    parser.add_argument("--p99-growth-ms", type=float, default=50.0)
    parser.add_argument("--redrive-every", type=float, default=30)
    parser.add_argument("--replay-every", type=float, default=60)
    parser.add_argument("--drain-timeout", type=float, default=120)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    args.data_dir = os.path.join(args.out, "data")
    if os.path.exists(args.data_dir):
        subprocess.run(["rm", "-rf", args.data_dir], check=True)
    port = free_port()
    log = open(os.path.join(args.out, "eventbrokerd.log"), "w")
    process = subprocess.Popen(
        [args.binary, "--config", args.config, "--data-dir", args.data_dir, "--durability", "wal",
         "--listen", "127.0.0.1:%d" % port, "--log-level", "warn"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(port, process)
        soak = Soak(args, port, process.pid)
        started = time.monotonic()
        rows, load_ops = soak.run()
        elapsed = time.monotonic() - started
        final = soak.sample_daemon()
    finally:
        process.terminate()
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
    books = [b.report() for b in soak.books.values()]
    lines, failures = verdict(args, soak, rows, books)
    head = ["eventbrokerd soak: %s, durable (wal), %.0f s at %.0f producer req/s, %.0f s with "
            "the drain; %d requests (%.0f/s during the load)" % (
                args.binary, args.duration, args.rate, elapsed, soak.stats.total_ops,
                load_ops / max(args.duration, 1)),
            "daemon at the end: RSS %.1f MiB, %d fds, data dir %.1f MiB, CPU %.1f s; exit "
            "code %d" % (final[0] / 1024, final[1], final[2] / 2 ** 20, final[3], code)]
    if code != 0:
        failures.append("eventbrokerd exited with %d (see eventbrokerd.log)" % code)
    summary = head + [""] + lines + ["", "check: " + ("FAIL: " + "; ".join(failures)
                                                       if failures else "pass")]
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write("\n".join(summary) + "\n")
    with open(os.path.join(args.out, "accounting.json"), "w") as f:
        json.dump(books, f, indent=1)
    print("\n".join(summary))
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
