"""Malformed and hostile input: every case gets a clean 4xx (never a 500, never a hang) or a
closed connection, and the daemon keeps serving other clients afterwards.

Raw requests go through http.client or plain sockets with timeouts; SDK-level cases use boto3
with client-side parameter validation off, so the server is the one that says no.
"""
import json
import select
import socket
import threading
import time
import unittest
import xml.etree.ElementTree as ET

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from harness import Daemon
from test_query_protocol import (FORM, form_body, http_request, json_request, port_of,
                                 signed_headers, strip_namespaces)

SOCKET_TIMEOUT = 10
MIB = 1024 * 1024


def raw_client(endpoint):
    return boto3.client(
        "sqs", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(parameter_validation=False, retries={"total_max_attempts": 1},
                      connect_timeout=5, read_timeout=30))


def read_until_close(sock, limit=1 << 20):
    """Reads what the server sends until it closes, times out or resets; returns bytes.
    Raises socket.timeout if the server neither answers nor closes."""
    chunks = []
    total = 0
    while total < limit:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if b"\r\n\r\n" in b"".join(chunks):
            head, _, rest = b"".join(chunks).partition(b"\r\n\r\n")
            length = _content_length(head)
            if length is not None and len(rest) >= length:
                break
    return b"".join(chunks)


def _content_length(head):
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return int(value.strip())
            except ValueError:
                return None
    return None


def status_of(raw):
    """The status code of a raw HTTP response, or None for no response at all."""
    if not raw:
        return None
    line = raw.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) >= 2 and line[1].isdigit() else -1


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.daemon.__enter__()
        cls.endpoint = cls.daemon.endpoint
        cls.port = port_of(cls.endpoint)
        cls.sqs = raw_client(cls.endpoint)
        cls.queues = 0

    def setUp(self):
        # A fresh queue per test (PurgeQueue may run once a minute per queue).
        type(self).queues += 1
        self.url = self.sqs.create_queue(QueueName="bad-%d" % self.queues)["QueueUrl"]

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    # -- helpers

    def alive(self):
        """The daemon still runs and answers an SDK call promptly."""
        self.assertIsNone(self.daemon.process.poll(),
                          "the daemon died\n" + self.daemon.log[-3000:])
        started = time.monotonic()
        self.sqs.list_queues()
        self.assertLess(time.monotonic() - started, 5)

    def tearDown(self):
        self.alive()

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=SOCKET_TIMEOUT)
        sock.settimeout(SOCKET_TIMEOUT)
        return sock

    def explain(self, what, status, headers, data):
        return ("%s\n-> HTTP %s %s\n%s\ndaemon log tail:\n%s"
                % (what, status, headers, data[:1500], self.daemon.log[-2000:]))

    def json_error(self, action, payload, expect=400, code=None, prefix="AmazonSQS"):
        """A raw JSON 1.0 request that must fail with `expect` and a JSON error document;
        `code`, if given, must end the __type (or start the x-amzn-query-error header)."""
        status, headers, data = json_request(self.endpoint, action, payload, prefix)
        what = "POST / X-Amz-Target: %s.%s body %r" % (prefix, action, payload[:300]
                                                       if isinstance(payload, (bytes, str))
                                                       else payload)
        self.assertEqual(status, expect, self.explain(what, status, headers, data))
        try:
            document = json.loads(data)
        except ValueError:
            self.fail("error body is not JSON\n" + self.explain(what, status, headers, data))
        self.assertIsInstance(document, dict, self.explain(what, status, headers, data))
        self.assertIn("__type", document, self.explain(what, status, headers, data))
        if code is not None:
            query_error = headers.get("x-amzn-query-error", "")
            self.assertTrue(document["__type"].endswith(code) or query_error.startswith(code),
                            self.explain(what, status, headers, data))
        self.alive()
        return document, headers

    def xml_error(self, body, path="/", expect=400, code=None):
        """A raw query-protocol POST that must fail with an XML <ErrorResponse>."""
        if isinstance(body, str):
            body = body.encode()
        status, headers, data = http_request(self.endpoint, "POST", path, body,
                                             {"Content-Type": FORM})
        what = "POST %s form body %r" % (path, body[:300])
        self.assertEqual(status, expect, self.explain(what, status, headers, data))
        try:
            root = strip_namespaces(ET.fromstring(data))
        except ET.ParseError:
            self.fail("error body is not XML\n" + self.explain(what, status, headers, data))
        self.assertEqual(root.tag, "ErrorResponse", self.explain(what, status, headers, data))
        self.assertEqual(root.findtext("Error/Type"), "Sender",
                         self.explain(what, status, headers, data))
        if code is not None:
            self.assertEqual(root.findtext("Error/Code"), code,
                             self.explain(what, status, headers, data))
        self.assertTrue(root.findtext("Error/Message"), self.explain(what, status, headers, data))
        self.alive()
        return root

    def sdk_error(self, code_part, fn, **kwargs):
        """A boto3 call that must fail with HTTP 400 and an error code containing code_part."""
        with self.assertRaises(ClientError, msg="%s(%s) succeeded"
                               % (fn.__name__, str(kwargs)[:200])) as ctx:
            fn(**kwargs)
        response = ctx.exception.response
        self.assertIn(code_part, response["Error"]["Code"],
                      "%s: %s" % (fn.__name__, response))
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 400, response)
        self.alive()
        return response

    # -- the JSON protocol

    def test_malformed_json(self):
        for payload in (b'{"QueueUrl": "x", "MessageBody": ', b"{{}", b"not json at all",
                        b'{"QueueUrl": "x"} trailing', b"\x00\x01\x02", b""):
            self.json_error("SendMessage", payload)

    def test_json_that_is_not_an_object(self):
        for payload in (b"[]", b'[{"QueueUrl": "x"}]', b'"a string"', b"42", b"null"):
            self.json_error("SendMessage", payload)

    def test_wrong_json_types(self):
        for action, payload in (
                ("ReceiveMessage", {"QueueUrl": self.url, "MaxNumberOfMessages": "ten"}),
                ("ReceiveMessage", {"QueueUrl": self.url, "WaitTimeSeconds": [1]}),
                ("SendMessage", {"QueueUrl": 12, "MessageBody": "x"}),
                ("SendMessage", {"QueueUrl": self.url, "MessageBody": {"nested": True}}),
                ("SendMessage", {"QueueUrl": self.url, "MessageBody": "x",
                                 "MessageAttributes": ["not", "a", "map"]}),
                ("SendMessage", {"QueueUrl": self.url, "MessageBody": "x",
                                 "DelaySeconds": 1.5}),
                ("SendMessageBatch", {"QueueUrl": self.url, "Entries": {"Id": "a"}}),
                ("CreateQueue", {"QueueName": "typed", "Attributes": "VisibilityTimeout=1"}),
        ):
            with self.subTest(action=action, payload=payload):
                self.json_error(action, payload)

    def test_unknown_target(self):
        document, _ = self.json_error("Nope", {"QueueName": "x"})
        self.json_error("nope.lower", {})
        self.json_error("", {})
        # An unknown service prefix in X-Amz-Target.
        status, headers, data = json_request(self.endpoint, "SendMessage", {}, "AmazonNope")
        self.assertEqual(status, 400, self.explain("X-Amz-Target: AmazonNope.SendMessage",
                                                   status, headers, data))
        self.alive()
        status, headers, data = json_request(self.endpoint, "", {}, "")
        self.assertEqual(status // 100, 4, self.explain("X-Amz-Target: .", status, headers, data))
        self.alive()

    def test_message_body_contents(self):
        # Characters outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
        for body in ("zero\x00byte", "\x01", "bell\x07", "\ufffe", "\uffff"):
            with self.subTest(body=body):
                self.sdk_error("InvalidMessageContents", self.sqs.send_message,
                               QueueUrl=self.url, MessageBody=body)
        # In a batch, a bad body fails its own entry only.
        result = self.sqs.send_message_batch(
            QueueUrl=self.url, Entries=[{"Id": "ok", "MessageBody": "fine"},
                                        {"Id": "bad", "MessageBody": "nul\x00"}])
        self.assertEqual([e["Id"] for e in result.get("Successful", [])], ["ok"], result)
        failed = result.get("Failed", [])
        self.assertEqual([(e["Id"], e["Code"], e["SenderFault"]) for e in failed],
                         [("bad", "InvalidMessageContents", True)], result)

        # Invalid UTF-8 inside a JSON document, and a lone surrogate escape.
        body = b'{"QueueUrl": "%s", "MessageBody": "bad \xff\xfe utf8"}' % self.url.encode()
        self.json_error("SendMessage", body)
        body = ('{"QueueUrl": "%s", "MessageBody": "lone \\ud800 surrogate"}' % self.url)
        self.json_error("SendMessage", body)

        # The same over the query protocol: %00 and bytes that are not UTF-8.
        for raw in ("%00", "%FF%FE", "%C3%28", "%ED%A0%80"):
            with self.subTest(query_body=raw):
                self.xml_error(b"Action=SendMessage&Version=2012-11-05&QueueUrl=%s"
                               b"&MessageBody=bad" % self.url.encode() + raw.encode(),
                               code="InvalidMessageContents")

    def test_message_size_limits(self):
        # 1 MiB (1,048,576 bytes) is the largest message SQS accepts.
        self.sqs.send_message(QueueUrl=self.url, MessageBody="x" * MIB)
        self.sdk_error("InvalidParameterValue", self.sqs.send_message,
                       QueueUrl=self.url, MessageBody="x" * (MIB + 1))

    def test_batch_limits(self):
        entries = [{"Id": "e%d" % i, "MessageBody": "m"} for i in range(11)]
        self.sdk_error("TooManyEntriesInBatchRequest", self.sqs.send_message_batch,
                       QueueUrl=self.url, Entries=entries)
        delete_entries = [{"Id": "e%d" % i, "ReceiptHandle": "h"} for i in range(11)]
        self.sdk_error("TooManyEntriesInBatchRequest", self.sqs.delete_message_batch,
                       QueueUrl=self.url, Entries=delete_entries)
        self.sdk_error("TooManyEntriesInBatchRequest",
                       self.sqs.change_message_visibility_batch, QueueUrl=self.url,
                       Entries=[dict(e, VisibilityTimeout=0) for e in delete_entries])
        big = [{"Id": "a", "MessageBody": "x" * (600 * 1024)},
               {"Id": "b", "MessageBody": "y" * (600 * 1024)}]
        self.sdk_error("BatchRequestTooLong", self.sqs.send_message_batch,
                       QueueUrl=self.url, Entries=big)
        self.sdk_error("EmptyBatchRequest", self.sqs.send_message_batch,
                       QueueUrl=self.url, Entries=[])
        self.sdk_error("BatchEntryIdsNotDistinct", self.sqs.send_message_batch,
                       QueueUrl=self.url, Entries=[{"Id": "same", "MessageBody": "1"},
                                                   {"Id": "same", "MessageBody": "2"}])
        self.sdk_error("InvalidBatchEntryId", self.sqs.send_message_batch,
                       QueueUrl=self.url, Entries=[{"Id": "bad id!", "MessageBody": "1"}])
        self.assertEqual(self.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"])
            ["Attributes"]["ApproximateNumberOfMessages"], "0")

    def test_missing_and_invalid_parameters(self):
        self.sdk_error("MissingParameter", self.sqs.send_message, MessageBody="x")
        self.sdk_error("MissingParameter", self.sqs.send_message, QueueUrl=self.url)
        self.sdk_error("MissingParameter", self.sqs.receive_message)
        self.sdk_error("MissingParameter", self.sqs.create_queue)
        self.sdk_error("InvalidParameterValue", self.sqs.receive_message,
                       QueueUrl=self.url, WaitTimeSeconds=21)
        self.sdk_error("InvalidParameterValue", self.sqs.receive_message,
                       QueueUrl=self.url, WaitTimeSeconds=-1)
        self.sdk_error("InvalidParameterValue", self.sqs.receive_message,
                       QueueUrl=self.url, MaxNumberOfMessages=0)
        self.sdk_error("InvalidParameterValue", self.sqs.receive_message,
                       QueueUrl=self.url, MaxNumberOfMessages=11)
        self.sdk_error("InvalidParameterValue", self.sqs.send_message,
                       QueueUrl=self.url, MessageBody="x", DelaySeconds=901)
        self.sdk_error("InvalidParameterValue", self.sqs.change_message_visibility,
                       QueueUrl=self.url, ReceiptHandle="whatever",
                       VisibilityTimeout=43201)
        self.xml_error(form_body("SendMessage", {"MessageBody": "x"}), code="MissingParameter")

    # -- the query protocol

    def test_broken_form_encoding(self):
        for body in (b"Action=ListQueues&QueueNamePrefix=%G1",
                     b"Action=ListQueues&Version=2012-11-05&QueueNamePrefix=%",
                     b"Action=ListQueues&Version=2012-11-05&QueueNamePrefix=%4"):
            with self.subTest(body=body):
                self.xml_error(body)

    def test_missing_and_unknown_action(self):
        self.xml_error(b"Version=2012-11-05&QueueNamePrefix=x", code="MissingAction")
        self.xml_error(b"", code="MissingAction")
        self.xml_error(b"Action=Nope&Version=2012-11-05", code="InvalidAction")
        self.xml_error(b"Action=&Version=2012-11-05")

    # -- the HTTP layer

    def test_body_over_the_limit(self):
        """9 MiB announced with Content-Length: 413 (maybe before the body is sent) or a
        closed connection."""
        sock = self.connect()
        try:
            head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    "X-Amz-Target: AmazonSQS.SendMessage\r\n"
                    "Content-Type: application/x-amz-json-1.0\r\n"
                    "Content-Length: %d\r\n\r\n" % (self.port, 9 * MIB)).encode()
            sock.sendall(head)
            early, _, _ = select.select([sock], [], [], 2)
            if not early:
                chunk = b"x" * 65536
                try:
                    for _ in range(9 * MIB // len(chunk)):
                        sock.sendall(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            try:
                raw = read_until_close(sock)
            except socket.timeout:
                self.fail("no answer and no close within %d s after a 9 MiB body"
                          % SOCKET_TIMEOUT)
        finally:
            sock.close()
        self.assertIn(status_of(raw), (413, None), raw[:500])

    def test_chunked_body_over_the_limit(self):
        sock = self.connect()
        try:
            head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    "X-Amz-Target: AmazonSQS.SendMessage\r\n"
                    "Content-Type: application/x-amz-json-1.0\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n" % self.port).encode()
            sock.sendall(head)
            chunk = b"%x\r\n%s\r\n" % (MIB, b"x" * MIB)
            try:
                for _ in range(10):
                    sock.sendall(chunk)
                sock.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:
                raw = read_until_close(sock)
            except socket.timeout:
                self.fail("no answer and no close within %d s after a 10 MiB chunked body"
                          % SOCKET_TIMEOUT)
        finally:
            sock.close()
        self.assertIn(status_of(raw), (413, None), raw[:500])

    def test_headers_over_the_limit(self):
        sock = self.connect()
        try:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (64 * 1024)
                         + b"\r\n\r\n")
            raw = read_until_close(sock)
        except (BrokenPipeError, ConnectionResetError):
            raw = b""
        except socket.timeout:
            self.fail("no answer and no close within %d s after 64 KiB of headers"
                      % SOCKET_TIMEOUT)
        finally:
            sock.close()
        self.assertIn(status_of(raw), (431, 400, None), raw[:500])

    def test_garbage_on_the_socket(self):
        for garbage in (b"HELLO\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" * 20,
                        b"GET / HTTP/9.9\r\n\r\n", b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                        b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                        b"\r\n\r\n\r\n\r\n", b"GET /\x00 HTTP/1.1\r\n\r\n"):
            with self.subTest(garbage=garbage[:40]):
                sock = self.connect()
                try:
                    sock.sendall(garbage)
                    raw = read_until_close(sock)
                except (BrokenPipeError, ConnectionResetError):
                    raw = b""
                except socket.timeout:
                    raw = b"TIMEOUT"
                finally:
                    sock.close()
                self.assertNotEqual(raw, b"TIMEOUT",
                                    "no answer and no close within %d s for %r"
                                    % (SOCKET_TIMEOUT, garbage[:60]))
                self.assertIn(status_of(raw), (400, 505, None), raw[:500])
                self.alive()

    def test_slow_clients_do_not_block_others(self):
        stalled = []
        try:
            for i in range(20):
                sock = self.connect()
                if i % 2:
                    sock.sendall(b"POST / HT")  # half a request line
                else:  # complete headers, a body that never arrives
                    sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 b"X-Amz-Target: AmazonSQS.ListQueues\r\n"
                                 b"Content-Type: application/x-amz-json-1.0\r\n"
                                 b"Content-Length: 100\r\n\r\n{\"Queue")
                stalled.append(sock)
            started = time.monotonic()
            for _ in range(5):
                self.sqs.list_queues()
                self.sqs.send_message(QueueUrl=self.url, MessageBody="meanwhile")
            self.assertLess(time.monotonic() - started, 5)
            # A long poll in progress on another connection doesn't block others either.
            done = threading.Event()

            def long_poll():
                try:
                    raw_client(self.endpoint).receive_message(
                        QueueUrl=self.sqs.create_queue(QueueName="bad-empty")["QueueUrl"],
                        WaitTimeSeconds=3)
                finally:
                    done.set()

            poller = threading.Thread(target=long_poll, daemon=True)
            poller.start()
            time.sleep(0.2)
            started = time.monotonic()
            self.sqs.list_queues()
            self.assertLess(time.monotonic() - started, 2)
            self.assertTrue(done.wait(10))
            poller.join(1)
        finally:
            for sock in stalled:
                sock.close()

    def test_concurrent_keep_alive_connections(self):
        import http.client
        clients = 50
        rounds = 4
        barrier = threading.Barrier(clients, timeout=20)
        failures = []
        reused = []

        def worker(n):
            connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                    timeout=SOCKET_TIMEOUT)
            try:
                barrier.wait()
                sockets = set()
                for r in range(rounds):
                    if r % 2:
                        target, payload = "ListQueues", {"QueueNamePrefix": "bad-"}
                    else:
                        target, payload = "SendMessage", {"QueueUrl": self.url,
                                                          "MessageBody": "c%d-%d" % (n, r)}
                    body = json.dumps(payload).encode()
                    headers = signed_headers("POST", self.endpoint + "/", body, {
                        "X-Amz-Target": "AmazonSQS." + target,
                        "Content-Type": "application/x-amz-json-1.0"})
                    connection.request("POST", "/", body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                    if response.status != 200:
                        failures.append((n, r, response.status, data[:300]))
                        return
                    sockets.add(id(connection.sock))
                reused.append(len(sockets) == 1)
            except Exception as error:  # reported below, with the client number
                failures.append((n, repr(error)))
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(n,), daemon=True)
                   for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertFalse(any(t.is_alive() for t in threads), "clients still running after 60 s")
        self.assertEqual(failures, [])
        self.assertEqual(len(reused), clients)
        self.assertTrue(all(reused), "some connections were not kept alive")
        count = self.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"])
        self.assertEqual(count["Attributes"]["ApproximateNumberOfMessages"],
                         str(clients * rounds // 2))


class ShutdownWithStalledClientsTest(unittest.TestCase):
    def test_sigterm_with_half_open_and_idle_connections(self):
        """SIGTERM exits 0 promptly even with a half-sent request and an idle keep-alive
        connection open (the harness asserts the exit code and the time)."""
        daemon = Daemon()
        daemon.start()
        stalled = []
        try:
            port = port_of(daemon.endpoint)
            half = socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT)
            half.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
            stalled.append(half)
            idle = socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT)
            idle.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            self.assertEqual(status_of(idle.recv(65536)), 200)
            stalled.append(idle)
            time.sleep(0.2)
            started = time.monotonic()
            self.assertEqual(daemon.stop(check=True), 0, daemon.log)
            self.assertLess(time.monotonic() - started, 5, daemon.log)
        finally:
            for sock in stalled:
                sock.close()
            if daemon.returncode is None:
                daemon.stop(check=False)


if __name__ == "__main__":
    unittest.main()
