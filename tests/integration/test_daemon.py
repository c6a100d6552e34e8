"""The daemon as a process: flags, startup, /health, native 404s and shutdown."""

import json
import os
import signal
import socket
import tempfile
import threading
import time
import unittest

from harness import Daemon, boto3_client, http_get, run_binary


class CommandLineTest(unittest.TestCase):
    def test_help_exits_zero(self):
        result = run_binary("--help")
        self.assertEqual(result.returncode, 0, result.stderr)
        for flag in ("--listen", "--data-dir", "--in-memory", "--config", "--log-level",
                     "--threads", "--region", "--version"):
            self.assertIn(flag, result.stdout)

    def test_version(self):
        result = run_binary("--version")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "eventbrokerd 0.1.0")

    def test_unknown_flag_fails_with_a_message(self):
        result = run_binary("--no-such-flag")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--no-such-flag", result.stderr)

    def test_bad_values_fail_with_a_message(self):
        cases = [
            (["--threads", "0"], "--threads"),
            (["--threads", "many"], "--threads"),
            (["--listen", "nowhere"], "HOST:PORT"),
            (["--listen", "127.0.0.1:99999"], "port"),
            (["--log-level", "loud"], "--log-level"),
            (["--region", "Not A Region"], "region"),
            (["--config", "/nonexistent/eventbrokerd.yaml"], "/nonexistent/eventbrokerd.yaml"),
        ]
        for args, fragment in cases:
            with self.subTest(args=args):
                result = run_binary(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(fragment, result.stderr)

    def test_config_errors_name_file_and_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "eventbrokerd.yaml")
            with open(config, "w") as out:
                out.write("region: us-east-1\nthreds: 2\n")
            result = run_binary("--config", config)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(config + ":2:1: unknown key 'threds'", result.stderr)

    def test_taken_port_fails_clearly(self):
        with Daemon() as daemon:
            result = run_binary("--listen", "127.0.0.1:%d" % daemon.port, "--in-memory")
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("127.0.0.1:%d" % daemon.port, result.stderr)
            self.assertIn("in use", result.stderr)


class DaemonTest(unittest.TestCase):
    def test_startup_line_names_address_version_and_storage(self):
        with Daemon() as daemon:
            self.assertRegex(daemon.log,
                             r"eventbrokerd 0\.1\.0 listening on http://127\.0\.0\.1:%d "
                             r"\(in-memory" % daemon.port)

    def test_health(self):
        with Daemon() as daemon:
            status, headers, body = http_get(daemon.endpoint + "/health")
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], "application/json")
            health = json.loads(body)
            self.assertEqual(health["status"], "ok")
            self.assertEqual(health["version"], "0.1.0")
            self.assertIsInstance(health["uptimeSeconds"], int)

    def test_unknown_native_path_is_404_json(self):
        with Daemon() as daemon:
            status, headers, body = http_get(daemon.endpoint + "/v1/no/such/thing")
            self.assertEqual(status, 404)
            self.assertEqual(headers["Content-Type"], "application/json")
            error = json.loads(body)["error"]
            self.assertEqual(error["code"], "NotFound")
            self.assertIn("/v1/no/such/thing", error["message"])

    def test_flags_override_the_config_file(self):
        config = os.path.join(os.path.dirname(__file__), "..", "..", "config",
                              "eventbrokerd.yaml")
        with Daemon("--config", config, "--threads", "3", "--region", "eu-west-1") as daemon:
            self.assertIn("3 threads, region eu-west-1", daemon.log)

    def test_sigterm_exits_zero_promptly(self):
        daemon = Daemon()
        daemon.start()
        self.assertEqual(daemon.stop(), 0)
        self.assertLess(daemon.stop_seconds, 2.0)
        self.assertIn("shutting down", daemon.log)

    def test_sigint_exits_zero(self):
        daemon = Daemon()
        daemon.start()
        self.assertEqual(daemon.stop(sig=signal.SIGINT), 0)
        self.assertIn("SIGINT", daemon.log)

    def test_sigterm_with_an_idle_keep_alive_connection(self):
        with Daemon() as daemon:
            # An open keep-alive connection must not hold the shutdown up.
            conn = socket.create_connection(("127.0.0.1", daemon.port))
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertIn(b"200 OK", conn.recv(4096))
            started = time.monotonic()
            self.assertEqual(daemon.stop(), 0)
            self.assertLess(time.monotonic() - started, 2.0)
            self.assertEqual(conn.recv(4096), b"")  # closed by the server
            conn.close()

    def test_sigterm_with_a_half_sent_request(self):
        with Daemon() as daemon:
            conn = socket.create_connection(("127.0.0.1", daemon.port))
            conn.sendall(b"GET /health HTTP/1.1\r\nHo")
            time.sleep(0.1)
            started = time.monotonic()
            self.assertEqual(daemon.stop(), 0)
            self.assertLess(time.monotonic() - started, 2.0)
            conn.close()

    def test_sigterm_answers_a_pending_long_poll(self):
        with Daemon() as daemon:
            sqs = boto3_client("sqs", daemon.endpoint)
            url = sqs.create_queue(QueueName="shutdown-poll")["QueueUrl"]
            outcome = {}

            def poll():
                started = time.monotonic()
                try:
                    outcome["messages"] = sqs.receive_message(
                        QueueUrl=url, WaitTimeSeconds=20).get("Messages", [])
                except Exception as error:  # a reset connection would land here
                    outcome["error"] = error
                outcome["seconds"] = time.monotonic() - started

            poller = threading.Thread(target=poll)
            poller.start()
            time.sleep(0.5)  # let the receive park
            self.assertEqual(daemon.stop(), 0)
            self.assertLess(daemon.stop_seconds, 2.0)
            poller.join(timeout=5)
            self.assertEqual(outcome.get("messages"), [], outcome)
            self.assertLess(outcome["seconds"], 3.0)


if __name__ == "__main__":
    unittest.main()
