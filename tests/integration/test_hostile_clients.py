"""Slow and hostile clients (issue 16, item 5): a byte per second, a client that never reads,
10,000 idle connections, a 1 GiB body, 1 MiB of headers and a flood of new connections.

Each test starts the daemon with short timeouts, attacks it over 127.0.0.1 with raw sockets
and checks that (a) the attacker is cut off or refused with the right status within a bound,
(b) a boto3 SQS call made meanwhile is answered promptly, and (c) where memory is the point,
the daemon's resident memory (VmRSS from /proc) stays bounded.
"""
import contextlib
import json
import os
import resource
import select
import selectors
import socket
import threading
import time
import unittest

from harness import Daemon, boto3_client

PROMPT = 2.0  # seconds a boto3 call may take while the daemon is under attack
MIB = 1024 * 1024
GIB = 1024 * MIB


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


def server_holds(daemon_port, client_port):
    """True while the daemon still owns its end of the connection from `client_port`: an entry
    in /proc/net/tcp from the daemon's port to the client's with a socket inode (a socket
    the daemon closed is gone, or kept by the kernel alone with inode 0)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    local_port = int(fields[1].rsplit(":", 1)[1], 16)
                    remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                    if (local_port, remote_port) == (daemon_port, client_port):
                        if fields[9] != "0":
                            return True
        except FileNotFoundError:
            continue
    return False


def wait_until(check, timeout, interval=0.02):
    """Polls `check` until it is true; returns the seconds it took, or None after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(interval)
    return None


def peer_closed(sock):
    """True once the peer has closed or reset the connection (without reading any data)."""
    poller = select.poll()
    poller.register(sock, select.POLLRDHUP)
    return bool(poller.poll(0))


def read_response(sock, timeout):
    """Reads until the server closes (or resets) the connection or `timeout` passes; returns
    (status or None, head as text, whether the connection was closed)."""
    sock.settimeout(timeout)
    data = b""
    closed = False
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                closed = True
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        closed = True
    except socket.timeout:
        pass
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    parts = head.split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[0].startswith("HTTP/") else None
    return status, head, closed


class HostileClientTest(unittest.TestCase):
    def start(self, *flags):
        self.daemon = Daemon(*flags)
        self.daemon.__enter__()
        self.addCleanup(self.daemon.__exit__, None, None, None)
        self.sqs = boto3_client("sqs", self.daemon.endpoint)
        self.queue_url = self.sqs.create_queue(QueueName="bystander")["QueueUrl"]
        self.pid = self.daemon.process.pid
        # Under AddressSanitizer (CI's build) every allocation carries redzones and freed
        # memory waits in a quarantine: the memory bounds are scaled for it.
        with open("/proc/%d/maps" % self.pid) as maps:
            self.rss_scale = 4 if "libasan" in maps.read() else 1

    @contextlib.contextmanager
    def bounded_rss(self, mib):
        """Fails if the daemon's VmRSS grows by `mib` MiB (times rss_scale) or more over the
        block."""
        before = rss_mib(self.pid)
        yield
        after = rss_mib(self.pid)
        self.assertLess(after - before, mib * self.rss_scale,
                        "RSS %.1f -> %.1f MiB" % (before, after))

    def connect(self, timeout=10):
        sock = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=timeout)
        self.addCleanup(sock.close)
        return sock

    def assert_served_promptly(self):
        """A send and a receive by boto3, each answered within PROMPT seconds."""
        for call, kwargs in ((self.sqs.send_message, {"MessageBody": "meanwhile"}),
                             (self.sqs.receive_message, {"VisibilityTimeout": 0})):
            started = time.monotonic()
            call(QueueUrl=self.queue_url, **kwargs)
            self.assertLess(time.monotonic() - started, PROMPT, call.__name__)

    def flood(self, sock, piece, total, seconds=10):
        """Sends `piece` over and over from a thread, `total` bytes in all, until the server
        cuts the connection, everything is sent, or `seconds` pass; returns a function that
        joins the thread and reports (bytes sent, whether the server cut it off)."""
        result = {"sent": 0, "cut": False}
        sender_sock = sock.dup()

        def send():
            deadline = time.monotonic() + seconds
            try:
                while result["sent"] < total and time.monotonic() < deadline:
                    data = piece[:total - result["sent"]]
                    sender_sock.sendall(data)
                    result["sent"] += len(data)
            except OSError:
                result["cut"] = True
            finally:
                sender_sock.close()

        thread = threading.Thread(target=send, daemon=True)
        thread.start()

        def join():
            thread.join(seconds + 5)
            self.assertFalse(thread.is_alive(), "the sender is still blocked")
            return result["sent"], result["cut"]

        return join

    def expect_refusal(self, sock, join, status):
        """The daemon's answer to a request still being sent by `flood`: `status` within 4 s,
        then the connection closed, and a boto3 call meanwhile answered promptly. Returns the
        sender's (bytes sent, whether it was cut off)."""
        started = time.monotonic()
        got, head, closed = read_response(sock, timeout=5)
        self.assertEqual(got, status, head)
        self.assertIn("Connection: close", head)
        self.assertTrue(closed)
        self.assertLess(time.monotonic() - started, 4.0)
        self.assert_served_promptly()
        return join()

    def test_a_byte_per_second_is_cut_off_at_the_request_timeout(self):
        """Each byte does not buy more time: the request timeout counts from the first one."""
        self.start("--request-timeout-ms", "2000")
        sock = self.connect()
        request = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n"
                   b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}")
        started = time.monotonic()
        cut_after = None
        for i in range(len(request)):
            try:
                sock.sendall(request[i:i + 1])
            except OSError:
                cut_after = time.monotonic() - started
                break
            if i == 1:
                self.assert_served_promptly()
            waited = wait_until(lambda: peer_closed(sock), 1.0)
            if waited is not None:
                cut_after = time.monotonic() - started
                break
        self.assertIsNotNone(cut_after, "a trickled request was never cut off")
        self.assertGreater(cut_after, 1.5)
        self.assertLess(cut_after, 4.0)
        self.assertLess(i, len(request) - 1)
        self.assert_served_promptly()

    def test_a_client_that_never_reads_is_dropped_at_the_write_timeout(self):
        """Large answers the client never reads: the daemon gives up on the connection (and
        the response it buffers) once the write timeout passes."""
        self.start("--write-timeout-ms", "2000")
        big = "x" * 250_000
        for i in range(10):
            self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=big + str(i))
        body = json.dumps({"QueueUrl": self.queue_url, "MaxNumberOfMessages": 10,
                           "VisibilityTimeout": 0}).encode()
        request = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ReceiveMessage"
                   b"\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: %d\r\n\r\n%s"
                   % (len(body), body))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(sock.close)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", self.daemon.port))
        client_port = sock.getsockname()[1]
        # Eight pipelined receives of 2.5 MB answers: more than the socket buffers hold.
        sock.sendall(request * 8)
        started = time.monotonic()
        time.sleep(0.5)  # within the 2 s write timeout
        self.assertTrue(server_holds(self.daemon.port, client_port))
        self.assert_served_promptly()
        dropped = wait_until(lambda: not server_holds(self.daemon.port, client_port), 8)
        self.assertIsNotNone(dropped, "the daemon still holds a connection nobody reads")
        self.assertGreater(time.monotonic() - started, 1.5)
        self.assertLess(time.monotonic() - started, 6.0)
        self.assert_served_promptly()

    def test_ten_thousand_idle_connections(self):
        """10,000 connections that never send: a few KiB each, closed at the idle timeout."""
        count = 10_000
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard < count + 200:
            self.skipTest("the hard open-file limit (%d) is below %d" % (hard, count + 200))
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        self.start("--idle-timeout-ms", "6000", "--max-connections", str(count + 50))
        self.assert_served_promptly()
        selector = selectors.DefaultSelector()
        self.addCleanup(selector.close)
        started = time.monotonic()
        # 2.0 KiB a connection was measured (20 MiB for 10,000); 7 KiB before new
        # connections waited without a read buffer (68 MiB), which this bound refuses.
        with self.bounded_rss(48):
            for _ in range(count):
                sock = self.connect()
                selector.register(sock, selectors.EVENT_READ)
            self.assert_served_promptly()
        # Every one is closed by the daemon once idle for 6 s.
        open_count = count
        deadline = started + 6 + 10
        while open_count and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.5):
                if key.fileobj.recv(1) == b"":
                    selector.unregister(key.fileobj)
                    open_count -= 1
        self.assertEqual(open_count, 0, "connections still open after the idle timeout")
        self.assertGreater(time.monotonic() - started, 5.5)
        self.assert_served_promptly()

    def attack_each(self, cases, status):
        """For each case {name: (first bytes, piece, total)}: a connection sends its first
        bytes, then `piece` over and over from a thread (`total` bytes in all); the daemon
        must answer `status` (expect_refusal). Returns each sender's (bytes sent, cut off)."""
        results = []
        for name, (first, piece, total) in cases.items():
            with self.subTest(case=name):
                sock = self.connect()
                sock.sendall(first)
                results.append(self.expect_refusal(sock, self.flood(sock, piece, total), status))
        return results

    def test_a_gigabyte_body_is_refused_without_being_read(self):
        """Content-Length: 1 GiB is answered 413 from the header alone; chunked, at 8 MiB."""
        self.start()
        head = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n"
                b"Content-Type: application/x-amz-json-1.0\r\n")
        cases = {
            "content-length": (head + b"Content-Length: %d\r\n\r\n" % GIB, b"x" * MIB, GIB),
            "chunked": (head + b"Transfer-Encoding: chunked\r\n\r\n",
                        b"%x\r\n%s\r\n" % (MIB, b"x" * MIB), GIB),
        }
        with self.bounded_rss(48):
            # The daemon reads on for at most 16 MiB (or 2 s) past its answer, so the client
            # sees the 413 rather than a reset, then cuts the sender off.
            for sent, cut in self.attack_each(cases, 413):
                self.assertTrue(cut, "the daemon read all %d bytes" % sent)
                self.assertLess(sent, 256 * MIB)

    def test_a_megabyte_of_headers_is_refused_with_431(self):
        self.start()
        start = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        one = start + b"X-Big: " + b"a" * MIB + b"\r\n\r\n"
        many = start + b"".join(b"X-H%d: %s\r\n" % (i, b"a" * 1000) for i in range(1024)) + b"\r\n"
        with self.bounded_rss(16):
            self.attack_each({"one header": (b"", one, len(one)),
                              "many headers": (b"", many, len(many))}, 431)

    def test_a_flood_of_new_connections_meets_the_connection_cap(self):
        """Over --max-connections a connection gets a 503 with Retry-After (or, once 256
        refusals are in flight, an immediate close); connections already served go on."""
        cap = 200
        self.start("--max-connections", str(cap))
        self.assert_served_promptly()  # boto3's keep-alive connection is one of the 200
        held = [self.connect() for _ in range(cap - 1)]
        statuses = {}
        with self.bounded_rss(16):
            flood = [self.connect() for _ in range(1000)]
            started = time.monotonic()
            for sock in flood:
                status, head, closed = read_response(sock, timeout=5)
                self.assertTrue(closed, "an over-the-cap connection was left open: %r" % head)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 503:
                    self.assertIn("Retry-After: 1", head)
                    self.assertIn("Connection: close", head)
                else:
                    self.assertIsNone(status, head)
            self.assertGreater(statuses.get(503, 0), 0, statuses)
            self.assertLess(time.monotonic() - started, 10)
            self.assert_served_promptly()
        # The served connections, at most 256 refusals being answered, and a few files.
        self.assertLess(len(os.listdir("/proc/%d/fd" % self.pid)), cap + 256 + 64)
        # A connection and its slot given back: a new one is served.
        for sock in held + flood:
            sock.close()

        def served():
            sock = self.connect()
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return read_response(sock, timeout=5)[0] == 200

        self.assertIsNotNone(wait_until(served, 5), "no connection served after the flood")


if __name__ == "__main__":
    unittest.main()
