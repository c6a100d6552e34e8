#!/usr/bin/env python3
"""GET /metrics with many queues: creates --queues queues (default 10,000) on an in-memory
eventbrokerd, sends one message to each, then scrapes /metrics --scrapes times and reports the
median and worst time to the last byte, and the response size. No peer exposes Prometheus
metrics: absolute numbers (issue 15 asks for a scrape of 10,000 queues within 100 ms).

    python3 bench/metrics_scrape.py [--binary build/release/eventbrokerd] [--queues 10000]
"""
import argparse
import concurrent.futures
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start(binary):
    proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--in-memory"],
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if found:
            # Keep reading its log, so a full pipe never blocks the daemon.
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc, int(found.group(1))
    raise SystemExit("eventbrokerd did not start")


def call(conn, body):
    conn.request("POST", "/", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    res = conn.getresponse()
    res.read()
    if res.status != 200:
        raise SystemExit("SQS call failed: %d" % res.status)


def fill(port, first, count):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(first, first + count):
        call(conn, "Action=CreateQueue&QueueName=q%05d&Version=2012-11-05" % i)
        call(conn, "Action=SendMessage&QueueUrl=http://127.0.0.1:%d/000000000000/q%05d"
                   "&MessageBody=m&Version=2012-11-05" % (port, i))
    conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "release", "eventbrokerd"))
    parser.add_argument("--queues", type=int, default=10000)
    parser.add_argument("--scrapes", type=int, default=20)
    args = parser.parse_args()
    proc, port = start(args.binary)
    try:
        per = (args.queues + 7) // 8
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            jobs = [pool.submit(fill, port, i * per, min(per, args.queues - i * per))
                    for i in range(8) if i * per < args.queues]
            for job in jobs:
                job.result()
        times, size = [], 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(args.scrapes):
            t0 = time.perf_counter()
            conn.request("GET", "/metrics")
            body = conn.getresponse().read()
            times.append((time.perf_counter() - t0) * 1000)
            size = len(body)
        conn.close()
        print("| queues | scrapes | median ms | worst ms | bytes |")
        print("|---:|---:|---:|---:|---:|")
        print("| %d | %d | %.1f | %.1f | %d |" % (args.queues, args.scrapes,
                                                 statistics.median(times), max(times), size))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
