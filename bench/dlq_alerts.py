#!/usr/bin/env python3
"""How soon a dead-letter alert reaches a webhook (issue 12's target: p99 <= 1 s after the
message moves, over 100 moves).

eventbrokerd (durable, a temporary data dir, the real clock) with a source queue whose
RedrivePolicy moves a message to its dead-letter queue on the second receive
(maxReceiveCount 1) and the shipped file's dlq-monitor, its sink a generic webhook: a local
http.server in this process that records when each notification arrives. Each of N moves
(default 100), with boto3:
  1. send a message to the source queue;
  2. receive it with VisibilityTimeout 0 (receive count 1, visible again at once);
  3. receive again: this receive moves it to the dead-letter queue; its return starts the clock;
  4. wait for the `alert` notification for that message: latency = its arrival - 3's return;
  5. receive and delete the dead-letter message and wait for the `resolved` notification (the
     monitor checks a firing queue every second), so the next move is a first arrival again.
Reports p50/p99/max of the alert latency and of the resolution (delete to `resolved`).

No peer emulator has a DLQ monitor, so the numbers are absolute; run it on a quiet machine.
Usage: bench/dlq_alerts.py [--moves N] [--binary PATH]
"""
import argparse
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import boto3
from botocore.config import Config

from sagas import ROOT, percentile
from saga_recovery import free_port, get_status

CONFIG = """\
queues:
  - name: bench-source
    redrive: {{dead_letter_queue: bench-dlq, max_receive_count: 1}}
  - name: bench-dlq
plugins:
  # The shipped dlq-monitor, its sink a local webhook.
  - name: dlq-monitor
    kind: dlq-monitor
    sinks:
      - webhook: http://127.0.0.1:{port}/alerts
    group_seconds: 60
    severity: high
    delete_after_alert: false
"""


class Webhook:
    """Records (arrival time, body) of every notification POSTed to it."""

    def __init__(self):
        self.cond = threading.Condition()
        self.received = []
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrived = time.perf_counter()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with hook.cond:
                    hook.received.append((arrived, json.loads(body)))
                    hook.cond.notify_all()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, match, after, timeout=10):
        """The arrival time of the first notification from index `after` on that `match`es."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for arrived, body in self.received[after:]:
                    if match(body):
                        return arrived
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit("no matching notification within %d s; got %s"
                                     % (timeout, [b.get("notification")
                                                  for _, b in self.received[after:]]))
                self.cond.wait(left)

    def count(self):
        with self.cond:
            return len(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=100)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "release", "eventbrokerd"))
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        raise SystemExit("no binary at %s: build it (cmake --preset release && ninja -C "
                         "build/release eventbrokerd)" % args.binary)
    hook = Webhook()
    work = tempfile.mkdtemp(prefix="eb-bench-dlq-alerts-")
    config = os.path.join(work, "eventbrokerd.yaml")
    with open(config, "w") as f:
        f.write(CONFIG.format(port=hook.port))
    port = free_port()
    log = open(os.path.join(work, "daemon.log"), "w")
    process = subprocess.Popen(
        [args.binary, "--config", config, "--data-dir", os.path.join(work, "data"),
         "--listen", "127.0.0.1:%d" % port, "--log-level", "warn"],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get_status(port, "/health") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("eventbrokerd did not start")
            time.sleep(0.05)
        endpoint = "http://127.0.0.1:%d" % port
        sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test",
                           config=Config(retries={"max_attempts": 1}))
        source = sqs.get_queue_url(QueueName="bench-source")["QueueUrl"]
        dlq = sqs.get_queue_url(QueueName="bench-dlq")["QueueUrl"]

        alert_ms, resolve_ms = [], []
        for n in range(args.moves):
            message_id = sqs.send_message(QueueUrl=source, MessageBody="move %d" % n)["MessageId"]
            got = sqs.receive_message(QueueUrl=source, VisibilityTimeout=0, WaitTimeSeconds=0)
            assert got["Messages"][0]["MessageId"] == message_id, got
            before = hook.count()
            moving = sqs.receive_message(QueueUrl=source, WaitTimeSeconds=0)
            moved_at = time.perf_counter()
            assert "Messages" not in moving, moving
            arrived = hook.wait(lambda b: b["notification"] == "alert" and
                                b["messageId"] == message_id, before)
            alert_ms.append((arrived - moved_at) * 1000)

            dead = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1)["Messages"][0]
            assert dead["MessageId"] == message_id, dead
            before = hook.count()
            sqs.delete_message(QueueUrl=dlq, ReceiptHandle=dead["ReceiptHandle"])
            deleted_at = time.perf_counter()
            resolved = hook.wait(lambda b: b["notification"] == "resolved" and
                                 b["queue"] == "bench-dlq", before)
            resolve_ms.append((resolved - deleted_at) * 1000)

        other = [b["notification"] for _, b in hook.received
                 if b["notification"] not in ("alert", "resolved")]
        print("| measure (%d moves) | p50 | p99 | max |" % args.moves)
        print("|---|---|---|---|")
        print("| message moved (the moving receive returned) → `alert` at the webhook | "
              "%.1f ms | %.1f ms | %.1f ms |" % (percentile(alert_ms, 50),
                                                 percentile(alert_ms, 99), max(alert_ms)))
        print("| dead-letter message deleted → `resolved` at the webhook | %.0f ms | %.0f ms | "
              "%.0f ms |" % (percentile(resolve_ms, 50), percentile(resolve_ms, 99),
                             max(resolve_ms)))
        print("\nnotifications: %d (other than alert/resolved: %d); target p99 <= 1 s: %s"
              % (len(hook.received), len(other),
                 "met" if percentile(alert_ms, 99) <= 1000 else "missed"))
        return 0
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        hook.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
