"""The event log's native API (/v1) against the real binary: stream appends with expected
versions (conflicts, idempotent retries), reads and paging, filters, traces, the order
projection, replays into a queue (received with boto3), cancel, the Server-Sent Events tail,
and SQS sends showing up in the log with their source ARN.
"""

import http.client
import json
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid

from harness import Daemon, boto3_client


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


def envelope(event_id, event_type, data=None, correlation=None, causation=None, **extra):
    e = {"id": event_id, "type": event_type, "data": {} if data is None else data,
         "source": "order-service"}
    if correlation:
        e["correlationId"] = correlation
    if causation:
        e["causationId"] = causation
    e.update(extra)
    return e


class Api:
    """A small JSON client for /v1 (http.client, one connection per call)."""

    def __init__(self, daemon):
        self.host = "127.0.0.1"
        self.port = daemon.port

    def call(self, method, path, body=None, raw=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            payload = raw if raw is not None else (None if body is None else json.dumps(body))
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
            try:
                parsed = json.loads(data) if data else None
            except ValueError:
                parsed = None
            return response.status, parsed, response
        finally:
            conn.close()

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body=None, raw=None):
        return self.call("POST", path, body, raw)

    def append(self, stream, events, expected="any"):
        return self.post("/v1/streams/%s/events" % urllib.parse.quote(stream, safe=""),
                         {"expectedVersion": expected, "events": events})


class SseReader:
    """Reads Server-Sent Events from one streaming GET."""

    def __init__(self, daemon, path, headers=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=10)
        self.conn.request("GET", path, headers=headers or {})
        self.response = self.conn.getresponse()

    def next_event(self):
        """The next event with an id, as (id, parsed data)."""
        fields = {}
        while True:
            line = self.response.readline()
            if not line:
                raise EOFError("stream ended")
            line = line.decode("utf-8").rstrip("\n")
            if line == "":
                if "id" in fields:
                    return int(fields["id"]), json.loads(fields["data"])
                fields = {}
                continue
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value

    def close(self):
        self.conn.close()


class EventLogApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon().__enter__()
        cls.api = Api(cls.daemon)
        cls.sqs = boto3_client("sqs", cls.daemon.endpoint)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    # Streams ---------------------------------------------------------------------------

    def test_append_then_read_the_stream_in_pages(self):
        stream = unique("order")
        status, body, _ = self.api.append(stream, [envelope("e%d" % i, "order.note")
                                                   for i in range(5)], expected=-1)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["streamId"], stream)
        self.assertEqual((body["firstVersion"], body["lastVersion"]), (0, 4))
        self.assertEqual(len(body["positions"]), 5)
        self.assertEqual(body["positions"], sorted(body["positions"]))

        status, page, _ = self.api.get("/v1/streams/%s/events?from=0&limit=2" % stream)
        self.assertEqual(status, 200)
        self.assertEqual([e["version"] for e in page["events"]], [0, 1])
        self.assertEqual(page["events"][0]["event"]["id"], "e0")
        self.assertEqual(page["events"][0]["seq"], body["positions"][0])
        self.assertEqual(page["next"], 2)
        versions = []
        cursor = 0
        while cursor is not None:
            _, page, _ = self.api.get("/v1/streams/%s/events?from=%d&limit=2" % (stream, cursor))
            versions += [e["version"] for e in page["events"]]
            cursor = page["next"]
        self.assertEqual(versions, [0, 1, 2, 3, 4])

        status, body, _ = self.api.get("/v1/streams/%s/events" % unique("missing"))
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["code"], "StreamNotFound")

    def test_expected_version_conflicts_are_409(self):
        stream = unique("order")
        self.assertEqual(self.api.append(stream, [envelope("a", "t")], expected=-1)[0], 200)
        status, body, _ = self.api.append(stream, [envelope("b", "t")], expected=-1)
        self.assertEqual(status, 409)
        self.assertEqual(body["error"]["code"], "WrongExpectedVersion")
        self.assertEqual(body["currentVersion"], 0)
        status, body, _ = self.api.append(stream, [envelope("b", "t")], expected=3)
        self.assertEqual(status, 409)
        self.assertEqual(body["currentVersion"], 0)
        status, body, _ = self.api.append(stream, [envelope("b", "t")], expected=0)
        self.assertEqual(status, 200)
        self.assertEqual(body["firstVersion"], 1)

    def test_concurrent_appends_with_the_same_expected_version_conflict(self):
        stream = unique("race")
        self.api.append(stream, [envelope("seed", "t")], expected=-1)
        results = []
        lock = threading.Lock()

        def contender(i):
            status, body, _ = self.api.append(stream, [envelope("c%d" % i, "t")], expected=0)
            with lock:
                results.append((status, body))

        threads = [threading.Thread(target=contender, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(status for status, _ in results)
        self.assertEqual(statuses.count(200), 1, results)
        self.assertEqual(statuses.count(409), 11, results)
        for status, body in results:
            if status == 409:
                self.assertEqual(body["currentVersion"], 1)
        _, page, _ = self.api.get("/v1/streams/%s/events" % stream)
        self.assertEqual([e["version"] for e in page["events"]], [0, 1])

    def test_reappending_the_same_events_is_idempotent(self):
        stream = unique("order")
        events = [envelope("x1", "order.created"), envelope("x2", "order.paid")]
        status, first, _ = self.api.append(stream, events, expected=-1)
        self.assertEqual(status, 200)
        status, retry, _ = self.api.append(stream, events, expected=-1)
        self.assertEqual(status, 200, retry)
        self.assertEqual(retry, first)
        _, page, _ = self.api.get("/v1/streams/%s/events" % stream)
        self.assertEqual(len(page["events"]), 2)

    def test_bad_appends_are_400_naming_the_field(self):
        stream = unique("bad")
        cases = [
            ([{"type": "t", "data": {}}], "events[0].id"),
            ([{"id": "a", "data": {}}], "events[0].type"),
            ([{"id": "a", "type": "t"}], "events[0].data"),
            ([envelope("a", "t"), {"id": "b", "type": "", "data": 1}], "events[1].type"),
        ]
        for events, field in cases:
            with self.subTest(field=field):
                status, body, _ = self.api.append(stream, events)
                self.assertEqual(status, 400, body)
                self.assertIn(field, body["error"]["message"])
        status, body, _ = self.api.post("/v1/streams/%s/events" % stream, raw="{not json")
        self.assertEqual(status, 400)
        self.assertEqual(body["error"]["code"], "MalformedJson")
        status, body, _ = self.api.post("/v1/streams/%s/events" % stream,
                                        {"expectedVersion": "latest", "events": []})
        self.assertEqual(status, 400)
        self.assertIn("expectedVersion", body["error"]["message"])
        self.assertEqual(self.api.get("/v1/streams/%s/events" % stream)[0], 404)

    def test_state_folds_the_order_projection(self):
        order = unique("order")
        events = [
            envelope("c", "order.created", {"orderId": order, "totalAmount": 42.5,
                                            "items": [{"productId": "p", "quantity": 2}]}),
            envelope("p", "order.paid", {"paymentId": "pay-1", "amount": 42.5}),
            envelope("s", "order.shipped", {"trackingNumber": "TRK-9", "carrier": "ups"}),
        ]
        self.api.append(order, events[:2], expected=-1)
        status, body, _ = self.api.get("/v1/streams/%s/state" % order)
        self.assertEqual(status, 200)
        self.assertEqual(body["version"], 1)
        self.assertEqual(body["state"]["status"], "paid")
        self.assertEqual(body["state"]["paymentId"], "pay-1")
        self.assertEqual(body["state"]["items"], [{"productId": "p", "quantity": 2}])
        self.api.append(order, events[2:], expected=1)
        _, body, _ = self.api.get("/v1/streams/%s/state" % order)
        self.assertEqual(body["streamId"], order)
        self.assertEqual(body["version"], 2)
        self.assertEqual(body["state"], {"orderId": order, "totalAmount": 42.5,
                                         "items": [{"productId": "p", "quantity": 2}],
                                         "status": "shipped", "paymentId": "pay-1",
                                         "trackingNumber": "TRK-9"})
        self.api.append(order, [envelope("x", "order.cancelled")])
        self.assertEqual(self.api.get("/v1/streams/%s/state" % order)[1]["state"]["status"],
                         "cancelled")
        status, body, _ = self.api.get("/v1/streams/%s/state" % unique("none"))
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["code"], "StreamNotFound")

    # The global log ----------------------------------------------------------------------

    def events(self, query):
        status, body, _ = self.api.get("/v1/events?" + query)
        self.assertEqual(status, 200, body)
        return body

    def test_filters_and_paging(self):
        corr = unique("corr")
        kind = unique("kind")
        stream = unique("s")
        self.api.append(stream, [envelope("a", kind, correlation=corr),
                                 envelope("b", kind + ".other", correlation=corr),
                                 envelope("c", kind)])
        by_type = self.events("type=" + kind)
        self.assertEqual([e["event"]["id"] for e in by_type["events"]], ["a", "c"])
        self.assertTrue(all(e["stream"] == stream for e in by_type["events"]))
        by_corr = self.events("correlationId=" + corr)
        self.assertEqual([e["event"]["id"] for e in by_corr["events"]], ["a", "b"])
        by_stream = self.events("stream=" + stream)
        self.assertEqual(len(by_stream["events"]), 3)
        both = self.events("type=%s&correlationId=%s" % (kind, corr))
        self.assertEqual([e["event"]["id"] for e in both["events"]], ["a"])
        by_source = self.events("source=" + urllib.parse.quote("eventbroker:streams/" + stream))
        self.assertEqual(len(by_source["events"]), 3)

        first = self.events("stream=%s&limit=2" % stream)
        self.assertEqual(len(first["events"]), 2)
        self.assertEqual(first["next"], first["events"][-1]["seq"])
        rest = self.events("stream=%s&after=%d" % (stream, first["next"]))
        self.assertEqual([e["event"]["id"] for e in rest["events"]], ["c"])
        self.assertIsNone(rest["next"])

        huge = self.events("limit=100000000")
        self.assertLessEqual(len(huge["events"]), 1000)
        for bad in ("after=-1", "after=x", "limit=-3", "limit=0"):
            with self.subTest(query=bad):
                status, body, _ = self.api.get("/v1/events?" + bad)
                self.assertEqual(status, 400)
                self.assertIn("error", body)

    def test_sqs_sends_show_up_with_their_source_arn(self):
        name = unique("logged")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        corr = unique("corr")
        self.sqs.send_message(QueueUrl=url, MessageBody="hello from boto3",
                              MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(
            envelope("env-1", "order.created", {"aggregateId": "agg-" + corr},
                     correlation=corr)))
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "one", "MessageBody": "batch one"}, {"Id": "two", "MessageBody": "batch two"}])
        body = self.events("source=" + urllib.parse.quote(arn))
        items = body["events"]
        self.assertEqual(len(items), 4)
        self.assertTrue(all(item["source"] == arn for item in items))
        self.assertEqual(items[0]["body"], "hello from boto3")
        self.assertEqual(items[0]["attributes"]["k"], {"DataType": "String", "StringValue": "v"})
        self.assertEqual(items[1]["event"]["id"], "env-1")
        self.assertEqual(items[1]["stream"], "agg-" + corr)
        self.assertEqual([i["body"] for i in items[2:]], ["batch one", "batch two"])
        self.assertEqual([i["seq"] for i in items], sorted(i["seq"] for i in items))
        # The envelope's aggregateId put it in a stream.
        _, page, _ = self.api.get("/v1/streams/agg-%s/events" % corr)
        self.assertEqual(page["events"][0]["event"]["id"], "env-1")

    def test_trace_builds_the_causation_tree(self):
        corr = unique("flow")
        self.api.append(unique("a"), [envelope("root-" + corr, "order.created", correlation=corr)])
        url = self.sqs.create_queue(QueueName=unique("trace"))["QueueUrl"]
        self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(envelope(
            "inv-" + corr, "inventory.reserved", correlation=corr, causation="root-" + corr)))
        self.api.append(unique("b"), [envelope("pay-" + corr, "payment.processed",
                                               correlation=corr, causation="inv-" + corr)])
        self.api.append(unique("c"), [envelope("lost-" + corr, "x", correlation=corr,
                                               causation="never-logged")])
        status, body, _ = self.api.get("/v1/trace/" + corr)
        self.assertEqual(status, 200)
        self.assertEqual(body["correlationId"], corr)
        roots = body["roots"]
        self.assertEqual([r["event"]["id"] for r in roots], ["root-" + corr, "lost-" + corr])
        child = roots[0]["children"][0]
        self.assertEqual(child["event"]["id"], "inv-" + corr)
        self.assertEqual(child["children"][0]["event"]["id"], "pay-" + corr)
        self.assertEqual(child["children"][0]["children"], [])
        self.assertEqual(roots[1]["children"], [])
        self.assertEqual(self.api.get("/v1/trace/" + unique("none"))[1]["roots"], [])

    # Replays -----------------------------------------------------------------------------

    def receive_all(self, url, count, timeout=10):
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            response = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                                WaitTimeSeconds=1, MessageAttributeNames=["All"])
            got += response.get("Messages", [])
        return got

    def wait_replay(self, replay_id, states=("completed",), timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            status, body, _ = self.api.get("/v1/replays/" + replay_id)
            self.assertEqual(status, 200)
            if body["state"] in states or time.monotonic() > deadline:
                return body
            time.sleep(0.05)

    def test_replay_into_a_queue(self):
        kind = unique("replayed")
        stream = unique("s")
        self.api.append(stream, [envelope("r%d" % i, kind, {"n": i}) for i in range(3)])
        self.api.append(stream, [envelope("skip", "other.type")])
        url = self.sqs.create_queue(QueueName=unique("target"))["QueueUrl"]
        status, body, _ = self.api.post("/v1/replays", {"fromSeq": 0, "types": [kind],
                                                        "target": url, "ratePerSecond": 50})
        self.assertEqual(status, 202, body)
        replay_id = body["replayId"]
        self.assertEqual(body["total"], 3)
        done = self.wait_replay(replay_id)
        self.assertEqual((done["state"], done["replayed"], done["total"]), ("completed", 3, 3))
        messages = self.receive_all(url, 3)
        self.assertEqual(len(messages), 3)
        bodies = [json.loads(m["Body"]) for m in messages]
        self.assertEqual(sorted(b["id"] for b in bodies), ["r0", "r1", "r2"])
        for m in messages:
            self.assertEqual(m["MessageAttributes"]["eventbroker.replayId"],
                             {"DataType": "String", "StringValue": replay_id})
        # The copies entered the log again, marked, but did not extend the stream.
        copies = self.events("type=" + kind)["events"]
        self.assertEqual(len(copies), 6)
        self.assertEqual(sum(1 for c in copies
                             if c.get("attributes", {}).get("eventbroker.replayId")), 3)
        _, page, _ = self.api.get("/v1/streams/%s/events" % stream)
        self.assertEqual(len(page["events"]), 4)

    def test_replay_into_a_fifo_queue_keeps_each_message_group(self):
        source = unique("fifo-source") + ".fifo"
        src_url = self.sqs.create_queue(QueueName=source, Attributes={
            "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        for i in range(6):
            self.sqs.send_message(QueueUrl=src_url, MessageBody="m%d" % i,
                                  MessageGroupId="g%d" % (i % 2))
        target = self.sqs.create_queue(QueueName=unique("fifo-target") + ".fifo",
                                       Attributes={"FifoQueue": "true"})["QueueUrl"]
        status, body, _ = self.api.post("/v1/replays", {
            "source": "arn:aws:sqs:us-east-1:000000000000:" + source, "target": target})
        self.assertEqual(status, 202, body)
        self.assertEqual(self.wait_replay(body["replayId"])["replayed"], 6)
        per_group = {}
        deadline = time.monotonic() + 10
        while sum(len(v) for v in per_group.values()) < 6 and time.monotonic() < deadline:
            got = self.sqs.receive_message(QueueUrl=target, MaxNumberOfMessages=10,
                                           AttributeNames=["MessageGroupId"]).get("Messages", [])
            for m in got:
                per_group.setdefault(m["Attributes"]["MessageGroupId"], []).append(m["Body"])
                self.sqs.delete_message(QueueUrl=target, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(per_group, {"g0": ["m0", "m2", "m4"], "g1": ["m1", "m3", "m5"]})

    def test_replay_by_queue_arn_and_cancel(self):
        kind = unique("slow")
        self.api.append(unique("s"), [envelope("e%d" % i, kind) for i in range(20)])
        name = unique("slow-target")
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = "arn:aws:sqs:us-east-1:000000000000:" + name
        status, body, _ = self.api.post("/v1/replays", {"types": [kind], "target": arn,
                                                        "ratePerSecond": 2})
        self.assertEqual(status, 202, body)
        replay_id = body["replayId"]
        time.sleep(0.3)
        status, body, _ = self.api.call("DELETE", "/v1/replays/" + replay_id)
        self.assertEqual(status, 200)
        self.assertEqual(body["state"], "cancelled")
        replayed = body["replayed"]
        self.assertLess(replayed, 20)
        time.sleep(1.2)
        after = self.api.get("/v1/replays/" + replay_id)[1]
        self.assertEqual(after["state"], "cancelled")
        self.assertEqual(after["replayed"], replayed)
        got = self.sqs.get_queue_attributes(QueueUrl=url,
                                            AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(int(got["Attributes"]["ApproximateNumberOfMessages"]), replayed)

    def test_replay_errors(self):
        status, body, _ = self.api.get("/v1/replays/" + unique("nope"))
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["code"], "ReplayNotFound")
        status, body, _ = self.api.call("DELETE", "/v1/replays/" + unique("nope"))
        self.assertEqual(status, 404)
        status, body, _ = self.api.post(
            "/v1/replays", {"target": "http://127.0.0.1:1/000000000000/" + unique("missing")})
        self.assertEqual(status, 400)
        self.assertEqual(body["error"]["code"], "InvalidTarget")
        # A topic that is not there is the caller's mistake too (this was a 500).
        missing_topic = "arn:aws:sns:us-east-1:000000000000:" + unique("missing")
        status, body, _ = self.api.post("/v1/replays", {"target": missing_topic})
        self.assertEqual(status, 400)
        self.assertEqual(body["error"]["code"], "InvalidTarget")
        self.assertIn("does not exist", body["error"]["message"])
        for bad in ({}, {"target": 7}, {"target": "q", "fromSeq": -1},
                    {"target": "q", "ratePerSecond": 0}, {"target": "q", "types": "x"}):
            with self.subTest(body=bad):
                self.assertEqual(self.api.post("/v1/replays", bad)[0], 400)

    # Live tail ---------------------------------------------------------------------------

    def test_sse_tail_catches_up_then_follows(self):
        stream = unique("live")
        _, appended, _ = self.api.append(stream, [envelope("old1", "t"), envelope("old2", "t")])
        first = appended["positions"][0]
        reader = SseReader(self.daemon, "/v1/events/stream?after=%d&stream=%s" % (first - 1,
                                                                                  stream))
        try:
            self.assertEqual(reader.response.status, 200)
            self.assertEqual(reader.response.getheader("Content-Type"), "text/event-stream")
            seq, item = reader.next_event()
            self.assertEqual((seq, item["event"]["id"]), (first, "old1"))
            seq, item = reader.next_event()
            self.assertEqual(item["event"]["id"], "old2")
            # Appended after connecting: delivered live.
            _, later, _ = self.api.append(stream, [envelope("new", "t")])
            seq, item = reader.next_event()
            self.assertEqual(seq, later["positions"][0])
            self.assertEqual(item["event"]["id"], "new")
            self.assertEqual(item["seq"], seq)
            self.assertEqual(item["stream"], stream)
        finally:
            reader.close()

    def test_sse_resumes_from_last_event_id(self):
        stream = unique("resume")
        _, appended, _ = self.api.append(stream, [envelope("a", "t"), envelope("b", "t")])
        reader = SseReader(self.daemon, "/v1/events/stream?stream=" + stream,
                           headers={"Last-Event-ID": str(appended["positions"][0])})
        try:
            seq, item = reader.next_event()
            self.assertEqual((seq, item["event"]["id"]), (appended["positions"][1], "b"))
        finally:
            reader.close()

    # Routes ------------------------------------------------------------------------------

    def test_unknown_routes_and_methods(self):
        status, body, _ = self.api.get("/v1/no/such/thing")
        self.assertEqual(status, 404)
        self.assertEqual(body["error"]["code"], "NotFound")
        status, body, response = self.api.call("PUT", "/v1/streams/x/events")
        self.assertEqual(status, 405)
        self.assertEqual(body["error"]["code"], "MethodNotAllowed")
        self.assertEqual(response.getheader("Allow"), "GET, POST")
        self.assertEqual(self.api.call("DELETE", "/v1/events")[0], 405)


class EventLogLifecycleTest(unittest.TestCase):
    def test_an_open_sse_stream_does_not_delay_shutdown(self):
        daemon = Daemon()
        daemon.start()
        reader = SseReader(daemon, "/v1/events/stream")
        try:
            self.assertEqual(reader.response.status, 200)
            daemon.stop()  # asserts exit code 0 within the harness's limit
            self.assertLess(daemon.stop_seconds, 2.0)
        finally:
            reader.close()

    def test_a_restart_continues_the_sequence_and_streams(self):
        with tempfile.TemporaryDirectory() as data_dir:
            with Daemon(data_dir=data_dir) as daemon:
                api = Api(daemon)
                _, first, _ = api.append("order-r", [envelope("a", "order.created",
                                                              {"orderId": "order-r"})],
                                         expected=-1)
                url = boto3_client("sqs", daemon.endpoint).create_queue(
                    QueueName="kept")["QueueUrl"]
                api.append("order-r", [envelope("b", "order.paid", {"paymentId": "p"})])
                status, replay, _ = api.post("/v1/replays", {"target": url})
                self.assertEqual(status, 202)
            with Daemon(data_dir=data_dir) as daemon:
                api = Api(daemon)
                _, events, _ = api.get("/v1/events")
                self.assertEqual([e["event"]["id"] for e in events["events"]][:2], ["a", "b"])
                status, body, _ = api.append("order-r", [envelope("c", "order.shipped",
                                                                  {"trackingNumber": "T"})],
                                             expected=1)
                self.assertEqual(status, 200, body)
                self.assertEqual(body["firstVersion"], 2)
                self.assertGreater(body["positions"][0], events["events"][-1]["seq"])
                _, state, _ = api.get("/v1/streams/order-r/state")
                self.assertEqual(state["state"]["status"], "shipped")
                # Retrying the first append after the restart is still idempotent.
                status, retry, _ = api.append("order-r", [envelope("a", "order.created",
                                                                   {"orderId": "order-r"})],
                                              expected=-1)
                self.assertEqual((status, retry), (200, first))
                status, saved, _ = api.get("/v1/replays/" + replay["replayId"])
                self.assertEqual(status, 200)
                self.assertIn(saved["state"], ("running", "completed"))


if __name__ == "__main__":
    unittest.main()
