#!/usr/bin/env python3
"""Order sagas end to end through the built-in workers (issue 12): eventbrokerd with the shipped
configuration, durable (--durability wal, a temporary data dir).

Phase 1 (throughput): N sagas (default 1,000) started at once through POST /v1/sagas, written
pipelined on K connections (default 8; so the Python client does not bound the start rate);
sagas/s = N / (last saga's completion - first saga's start), both from the sagas' own
startedAt/updatedAt; the daemon's CPU time (user + system, /proc) over the burst per saga, which
other tenants of a shared machine disturb less than sagas/s; then every saga's stream is checked
to hold all 8 of its events. A start is
answered once the saga engine ran it, so K is also how many starts wait at once.
Phase 2 (latency): C client threads (default 8) each start a saga and wait for it to complete,
again and again, for M sagas (default 1,000); start-to-completed latency from the same
timestamps (millisecond resolution), p50/p99/max.

No peer emulator runs sagas, so the numbers are absolute; run it on a quiet machine.
Usage: bench/sagas.py [--sagas N] [--connections K] [--latency-sagas M] [--concurrency C]
                      [--unsigned] [--binary PATH]
"""
import argparse
import concurrent.futures
import datetime
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "config", "eventbrokerd.yaml")
EVENTS_PER_SAGA = 8  # started, 3 requests, 3 step-succeeded, completed


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


class Client:
    def __init__(self, port):
        self.port = port
        self.local = threading.local()

    def request(self, method, path, body=None):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        payload = None if body is None else json.dumps(body)
        conn.request(method, path, body=payload,
                     headers={"Content-Type": "application/json"} if payload else {})
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None


def order(saga_id):
    return {"id": saga_id, "input": {
        "orderId": saga_id, "items": [{"productId": "SKU-1", "quantity": 1}],
        "totalAmount": 10, "currency": "EUR", "paymentMethod": "card"}}


def start_daemon(binary, data_dir, extra):
    process = subprocess.Popen(
        [binary, "--config", CONFIG, "--data-dir", data_dir, "--durability", "wal",
         "--listen", "127.0.0.1:0", "--log-level", "warn", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # --log-level warn hides the listening line: find the port from /proc instead.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if "pid=%d," % process.pid in line:
                port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
                return process, port
        time.sleep(0.05)
    process.kill()
    raise SystemExit("eventbrokerd did not start")


def start_pipelined(port, ids, connections):
    """POSTs one saga per id, the requests of each connection written at once (HTTP/1.1
    pipelining), so the client's own cost does not bound how fast sagas start. The statuses."""
    def run(chunk):
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        payload = bytearray()
        for saga_id in chunk:
            body = json.dumps(order(saga_id)).encode()
            payload += (b"POST /v1/sagas/order-creation HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                        % len(body)) + body
        sock.sendall(payload)
        reader = sock.makefile("rb")
        statuses = []
        for _ in chunk:
            statuses.append(int(reader.readline().split()[1]))
            length = 0
            while True:
                line = reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode().partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            reader.read(length)
        sock.close()
        return statuses
    chunks = [ids[i::connections] for i in range(connections)]
    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        return [s for got in pool.map(run, chunks) for s in got]


def stock(client, units):
    status, _ = client.request("PUT", "/v1/plugins/inventory/stock/SKU-1", {"available": units})
    assert status == 200


def wait_completed(client, ids, timeout=120):
    deadline = time.monotonic() + timeout
    pending = set(ids)
    docs = {}
    while pending and time.monotonic() < deadline:
        for saga_id in list(pending):
            status, doc = client.request("GET", "/v1/sagas/" + saga_id)
            if status == 200 and doc["status"] in ("completed", "compensated", "stuck"):
                docs[saga_id] = doc
                pending.discard(saga_id)
        if pending:
            time.sleep(0.05)
    if pending:
        raise SystemExit("%d sagas did not finish in %d s" % (len(pending), timeout))
    return docs


def cpu_seconds(pid):
    """User + system CPU the process has used so far (all its threads)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sagas", type=int, default=1000)
    parser.add_argument("--latency-sagas", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8,
                        help="connections the burst's starts are pipelined on")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "release", "eventbrokerd"))
    parser.add_argument("--unsigned", action="store_true",
                        help="--sns-sign-sqs-envelopes false (no RSA signature per delivery)")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        raise SystemExit("no binary at %s: build it (cmake --preset release && ninja -C "
                         "build/release eventbrokerd)" % args.binary)
    data_dir = tempfile.mkdtemp(prefix="eb-bench-sagas-")
    extra = ["--sns-sign-sqs-envelopes", "false"] if args.unsigned else []
    process, port = start_daemon(args.binary, data_dir, extra)
    try:
        client = Client(port)
        stock(client, 10 ** 9)
        run = "b%d" % int(time.time())

        ids = ["%s-t-%d" % (run, i) for i in range(args.sagas)]
        cpu_before = cpu_seconds(process.pid)
        statuses = start_pipelined(port, ids, connections=args.connections)
        assert all(s == 201 for s in statuses), set(statuses)
        # Wait on one cheap count rather than per-saga polls, which would load the server.
        deadline = time.monotonic() + 120
        while True:
            _, listed = client.request(
                "GET", "/v1/sagas?definition=order-creation&status=started&limit=1")
            _, compensating = client.request(
                "GET", "/v1/sagas?definition=order-creation&status=compensating&limit=1")
            if listed["total"] + compensating["total"] == 0:
                cpu = cpu_seconds(process.pid) - cpu_before
                break
            if time.monotonic() > deadline:
                raise SystemExit("sagas did not finish in 120 s")
            time.sleep(0.1)
        docs = {saga_id: client.request("GET", "/v1/sagas/" + saga_id)[1] for saga_id in ids}
        completed = [d for d in docs.values() if d["status"] == "completed"]
        first = min(parse_time(d["startedAt"]) for d in docs.values())
        last = max(parse_time(d["updatedAt"]) for d in docs.values())
        throughput = len(docs) / max(last - first, 1e-3)
        durations = [(parse_time(d["updatedAt"]) - parse_time(d["startedAt"])) * 1000
                     for d in docs.values()]
        incomplete = 0
        for saga_id in ids:
            _, page = client.request("GET", "/v1/streams/saga-%s/events?limit=100" % saga_id)
            if len(page["events"]) != EVENTS_PER_SAGA:
                incomplete += 1

        latency_ids = []
        lock = threading.Lock()
        counter = iter(range(args.latency_sagas))

        def worker():
            local = Client(port)
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                saga_id = "%s-l-%d" % (run, n)
                local.request("POST", "/v1/sagas/order-creation", order(saga_id))
                wait_completed(local, [saga_id])
                with lock:
                    latency_ids.append(saga_id)

        threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        latency_docs = wait_completed(client, latency_ids)
        latencies = [(parse_time(d["updatedAt"]) - parse_time(d["startedAt"])) * 1000
                     for d in latency_docs.values()]

        print("| measure | value |")
        print("|---|---|")
        print("| sagas started at once | %d (%d completed) |" % (len(ids), len(completed)))
        print("| throughput, first start to last completion | %.0f sagas/s |" % throughput)
        print("| start-to-completed with %d in flight: p50 / p99 | %.0f / %.0f ms |"
              % (len(ids), percentile(durations, 50), percentile(durations, 99)))
        print("| daemon CPU per saga in the burst (all threads; includes the wait's polls) | "
              "%.0f µs |" % (cpu / len(ids) * 1e6))
        print("| sagas missing events in their stream | %d of %d |" % (incomplete, len(ids)))
        print("| start-to-completed with %d in flight: p50 / p99 / max | %.0f / %.0f / %.0f ms |"
              % (args.concurrency, percentile(latencies, 50), percentile(latencies, 99),
                 max(latencies, default=float("nan"))))
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
