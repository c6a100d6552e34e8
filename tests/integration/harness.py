"""Starts the built eventbrokerd for integration tests (python3 stdlib only).

    with Daemon() as daemon:
        sqs = boto3_client("sqs", daemon.endpoint)

The binary comes from $EB_BINARY (set by ctest) or build/test/eventbrokerd. The daemon
listens on a free port, which is read from its startup log line.
"""

import hashlib
import json
import os
import re
import signal
import struct
import subprocess
import threading
import time
import unittest
import urllib.error
import urllib.request

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STARTUP_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
_LISTENING = re.compile(r"listening on http://(\S+):(\d+)")


def binary_path():
    return os.environ.get("EB_BINARY") or os.path.join(REPO_ROOT, "build", "test", "eventbrokerd")


def run_binary(*args, timeout=10):
    """Runs the binary to completion (for --help, bad flags...); returns CompletedProcess."""
    return subprocess.run([binary_path(), *args], capture_output=True, text=True, timeout=timeout)


def http_get(url, timeout=5):
    """GET returning (status, headers, body bytes), also for 4xx/5xx answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class DaemonError(AssertionError):
    pass


class Daemon:
    """Context manager running one daemon; on exit it sends SIGTERM and asserts exit code 0
    within STOP_TIMEOUT seconds (killing the process if it does not stop)."""

    def __init__(self, *extra_args, log_level="info", data_dir=None):
        # In memory unless a data dir is given (then the daemon persists there).
        storage = ["--data-dir", data_dir] if data_dir else ["--in-memory"]
        self.args = [binary_path(), "--listen", "127.0.0.1:0", *storage,
                     "--log-level", log_level, *extra_args]
        self.process = None
        self.port = None
        self.endpoint = None
        self.returncode = None
        self._log = []
        self._log_lock = threading.Lock()
        self._port_found = threading.Event()
        self._reader = None

    @property
    def log(self):
        """Everything the daemon has logged so far (stderr and stdout, merged)."""
        with self._log_lock:
            return "".join(self._log)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.stop(check=exc_type is None)
        return False

    def start(self):
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, bufsize=1)
        # Keep draining the output so the daemon never blocks on a full pipe.
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._port_found.wait(0.05):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._kill()
                raise DaemonError("eventbrokerd did not start: exit code %s\n%s"
                                  % (self.process.returncode, self.log))
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self._wait_healthy(deadline)

    def _read_output(self):
        for line in self.process.stdout:
            with self._log_lock:
                self._log.append(line)
            match = _LISTENING.search(line)
            if match and not self._port_found.is_set():
                self.port = int(match.group(2))
                self._port_found.set()

    def _wait_healthy(self, deadline):
        while True:
            try:
                status, _, body = http_get(self.endpoint + "/health", timeout=1)
                if status == 200 and json.loads(body).get("status") == "ok":
                    return
            except (OSError, ValueError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._kill()
                raise DaemonError("eventbrokerd never became healthy\n" + self.log)
            time.sleep(0.05)

    def stop(self, check=True, sig=signal.SIGTERM):
        """Sends `sig`, then waits; returns the exit code. With check, a slow or failed exit
        raises."""
        if self.process is None or self.returncode is not None:
            return self.returncode
        started = time.monotonic()
        self.process.send_signal(sig)
        try:
            self.returncode = self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._kill()
            if check:
                raise DaemonError("eventbrokerd ignored the signal for %.0f s\n%s"
                                  % (STOP_TIMEOUT, self.log))
            return self.returncode
        finally:
            self._close_output()
        self.stop_seconds = time.monotonic() - started
        if check and self.returncode != 0:
            raise DaemonError("eventbrokerd exited with %d after the signal\n%s"
                              % (self.returncode, self.log))
        return self.returncode

    def _kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.returncode = self.process.wait()
        self._close_output()

    def _close_output(self):
        self._reader.join(timeout=1)
        if not self._reader.is_alive():
            self.process.stdout.close()


def call_json(daemon, method, path, body=None, raw=None):
    """One request to the daemon's native API: `body` is sent as JSON (or `raw` as it is).
    Returns (status, the decoded JSON answer or None, the response)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=10)
    try:
        payload = raw if raw is not None else (None if body is None else json.dumps(body))
        conn.request(method, path, body=payload,
                     headers={"Content-Type": "application/json"} if payload else {})
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None), response
    finally:
        conn.close()


def call(daemon, method, path, body=None, raw=None):
    """call_json without the response: (status, decoded JSON answer or None)."""
    status, answer, _ = call_json(daemon, method, path, body, raw)
    return status, answer


def eventually(check, timeout=30):
    """Polls `check` until it returns something true (exceptions count as not yet) and returns
    that; fails after `timeout` seconds. For waiting on another process, never on a timer. The
    default is generous: only a failure waits it out, and CI runs the daemon under ASan."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except Exception:  # noqa: BLE001 - keep polling until the deadline
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in %s s" % timeout)
        time.sleep(0.05)


def boto3_client(service, endpoint, key="test", secret="test"):
    """A boto3 client for `service` pointed at the daemon, with dummy credentials (or the access
    key id and secret given: a 12-digit key id is the account the calls act in)."""
    import boto3  # imported lazily so tests that need no SDK run without it
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def aws_cli_env(home):
    """The environment for running the AWS CLI with dummy credentials and `home` as its home,
    with none of the caller's AWS_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": "us-east-1", "HOME": home, "AWS_PAGER": "",
                "AWS_CONFIG_FILE": os.path.join(home, "config"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials")})
    return env


class SharedDaemonTest(unittest.TestCase):
    """A test class whose tests share one in-memory daemon and one boto3 client per name in
    CLIENTS (set as attributes: cls.sns, cls.sqs...)."""

    CLIENTS = ()

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.daemon.__enter__()
        for service in cls.CLIENTS:
            setattr(cls, service, boto3_client(service, cls.daemon.endpoint))

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)

    def client_error(self, fn, **kwargs):
        """Calls `fn`, which must fail with an AWS error; returns (code, message)."""
        from botocore.exceptions import ClientError

        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response["Error"]["Code"], ctx.exception.response["Error"]["Message"]


def md5_of_message_attributes(attributes):
    """AWS's MD5OfMessageAttributes: length-prefixed name, type, transport byte and value,
    names sorted by byte value. `attributes` is {name: {DataType, StringValue | BinaryValue (bytes)}}."""
    digest = hashlib.md5()

    def put(data):
        digest.update(struct.pack(">I", len(data)) + data)

    for name in sorted(attributes, key=lambda n: n.encode("utf-8")):
        value = attributes[name]
        put(name.encode("utf-8"))
        put(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            digest.update(b"\x02")
            put(value["BinaryValue"])
        else:
            digest.update(b"\x01")
            put(value["StringValue"].encode("utf-8"))
    return digest.hexdigest()
