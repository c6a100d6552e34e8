#!/usr/bin/env python3
"""Recovery of in-flight order sagas after kill -9 (issue 12's target: 100,000 in-flight sagas
back, answering, within 2 s).

eventbrokerd with the shipped configuration, durable (--durability wal, a temporary data dir),
--clock manual. N sagas (default 100,000) are started through POST /v1/sagas by many client
threads with paymentMethod card_timeout, which the shipped payment worker never answers: each
saga reserves its stock and then waits in process-payment. Once the payment worker has taken
all N requests (its `unanswered` count), the daemon is killed with SIGKILL and started again on
the same data dir and port. Measured from the exec of the restarted daemon:
  - the port accepting a connection;
  - GET /v1/sagas/{id} of the last saga started answering 200 (the first answer);
  - GET /v1/sagas?status=started listing all N again.
Then the manual clock is advanced past the payment step's deadline (10 s after the requests) and
a sample of sagas must have moved on (saga.retry-scheduled last in their stream): their timers
were re-armed from the persisted deadlines.

The manual clock starts at the wall clock and stands still, so the requests' deadlines are
10 s after the first daemon's start; a restart minutes later (the wall clock again) would find
them all passed and time every saga out during recovery. The first daemon's clock is therefore
moved an hour ahead before any saga starts, and the restarted one is advanced to just past that
deadline.

No peer emulator runs sagas, so the numbers are absolute; run it on a quiet machine.
Usage: bench/saga_recovery.py [--sagas N] [--clients C] [--sample S] [--unsigned]
                              [--binary PATH]
"""
import argparse
import concurrent.futures
import http.client
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from sagas import ROOT, Client, order, stock

CLOCK_HEAD_START_S = 3600  # the first daemon's clock lead over the wall clock (see above)
PAYMENT_TIMEOUT_S = 10  # process-payment's timeout_seconds in the shipped file


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(binary, data_dir, port, log_path, extra):
    log = open(log_path, "w")
    process = subprocess.Popen(
        [binary, "--config", os.path.join(ROOT, "config", "eventbrokerd.yaml"),
         "--data-dir", data_dir, "--durability", "wal", "--clock", "manual",
         "--listen", "127.0.0.1:%d" % port, "--log-level", "info", *extra],
        stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return process


def get_status(port, path):
    """One GET on a connection of its own (polling a daemon that may not listen yet)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def wait_for(what, check, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("%s: not within %d s" % (what, timeout))
        time.sleep(interval)


def started_total(client):
    status, listed = client.request(
        "GET", "/v1/sagas?definition=order-creation&status=started&limit=1")
    return listed["total"] if status == 200 else -1


def payment_unanswered(client):
    _, listed = client.request("GET", "/v1/plugins")
    return next(p for p in listed["plugins"] if p["name"] == "payment").get("unanswered", 0)


def last_event(client, saga_id):
    _, page = client.request("GET", "/v1/streams/saga-%s/events?limit=100" % saga_id)
    return page["events"][-1]["event"]["type"]


def plugin_starts(log):
    """Seconds each plugin took to start (its replay of the event log; plugins start side by
    side), from the restart log's "plugin NAME (KIND) ... (started in N ms)" lines."""
    return [(m.group(1), int(m.group(2)) / 1000)
            for m in re.finditer(r"plugin (\S+) \(.*\(started in (\d+) ms\)$", log, re.M)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sagas", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16, help="client threads starting sagas")
    parser.add_argument("--sample", type=int, default=100, help="sagas checked after the advance")
    parser.add_argument("--create-timeout", type=int, default=3000, help="seconds")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "release", "eventbrokerd"))
    parser.add_argument("--keep", action="store_true",
                        help="keep the data dir, copied as it was at the kill (to profile a restart)")
    parser.add_argument("--unsigned", action="store_true",
                        help="--sns-sign-sqs-envelopes false (quicker to set up; recovery reads "
                             "the event log either way)")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        raise SystemExit("no binary at %s: build it (cmake --preset release && ninja -C "
                         "build/release eventbrokerd)" % args.binary)
    extra = ["--sns-sign-sqs-envelopes", "false"] if args.unsigned else []
    work = tempfile.mkdtemp(prefix="eb-bench-saga-recovery-")
    data_dir = os.path.join(work, "data")
    port = free_port()
    client = Client(port)
    process = spawn(args.binary, data_dir, port, os.path.join(work, "first.log"), extra)
    try:
        wait_for("first start", lambda: get_status(port, "/health") == 200, 30, 0.05)
        client.request("POST", "/v1/clock/advance", {"seconds": CLOCK_HEAD_START_S})
        stock(client, 10 ** 9)
        _, clock = client.request("GET", "/v1/clock")
        deadline_ms = clock["now"] + PAYMENT_TIMEOUT_S * 1000

        run = "r%d" % int(time.time())
        ids = ["%s-%d" % (run, i) for i in range(args.sagas)]

        def start(saga_id):
            body = order(saga_id)
            body["input"]["paymentMethod"] = "card_timeout"
            return client.request("POST", "/v1/sagas/order-creation", body)[0]

        began = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            statuses = list(pool.map(start, ids, chunksize=64))
        bad = [s for s in statuses if s != 201]
        if bad:
            raise SystemExit("%d starts failed: %s" % (len(bad), sorted(set(bad))))
        created_s = time.monotonic() - began
        wait_for("all sagas waiting in process-payment",
                 lambda: payment_unanswered(client) >= args.sagas, args.create_timeout, 1)
        waiting_s = time.monotonic() - began
        if started_total(client) != args.sagas:
            raise SystemExit("not every saga is started: %d" % started_total(client))
        sample = random.Random(1).sample(ids, min(args.sample, len(ids)))
        before = {last_event(client, saga_id) for saga_id in sample}
        if before != {"payment.process-requested"}:
            raise SystemExit("sampled sagas are not waiting for their payment: %s" % before)
        data_mib = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(data_dir)
                       for f in fs) / 2 ** 20

        process.kill()
        process.wait()
        if args.keep:
            shutil.copytree(data_dir, os.path.join(work, "killed"))
        probe = ids[-1]
        t0 = time.perf_counter()
        process = spawn(args.binary, data_dir, port, os.path.join(work, "restart.log"), extra)
        accepted = answered = None
        while answered is None:
            if process.poll() is not None:
                raise SystemExit("the restarted daemon exited: %s" % process.returncode)
            if time.perf_counter() - t0 > 300:
                raise SystemExit("no answer within 300 s of the restart")
            try:
                if accepted is None:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    accepted = time.perf_counter() - t0
                if get_status(port, "/v1/sagas/" + probe) == 200:
                    answered = time.perf_counter() - t0
            except (OSError, http.client.HTTPException):
                time.sleep(0.002)
        client = Client(port)  # the old keep-alive connections died with the daemon
        wait_for("all sagas listed", lambda: started_total(client) == args.sagas, 300, 0.01)
        listed = time.perf_counter() - t0
        with open(os.path.join(work, "restart.log")) as f:
            log = f.read()
        recovered = re.search(r"recovered data dir .* in (\d+) ms", log)
        still = sum(last_event(client, saga_id) == "payment.process-requested"
                    for saga_id in sample)

        _, clock = client.request("GET", "/v1/clock")
        seconds = max(0.0, (deadline_ms - clock["now"]) / 1000) + 0.5
        advanced = time.perf_counter()
        status, _ = client.request("POST", "/v1/clock/advance", {"seconds": seconds})
        advanced = time.perf_counter() - advanced
        if status != 200:
            raise SystemExit("advancing the clock failed: %d" % status)
        moved = sum(last_event(client, saga_id) == "saga.retry-scheduled" for saga_id in sample)

        print("| measure | value |")
        print("|---|---|")
        print("| sagas in flight (waiting in process-payment) | %d (started in %.0f s, all "
              "waiting after %.0f s, %d clients%s) |"
              % (args.sagas, created_s, waiting_s, args.clients,
                 ", unsigned" if args.unsigned else ""))
        print("| data dir at the kill | %.0f MiB |" % data_mib)
        print("| exec to port accepting | %.3f s |" % accepted)
        print("| exec to first answer (GET /v1/sagas/{id} 200) | %.3f s |" % answered)
        print("| exec to all %d listed again | %.3f s |" % (args.sagas, listed))
        print("| recovery as logged (data dir and plugins, before listening) | %s |"
              % ("%s ms" % recovered.group(1) if recovered else "n/a"))
        print("| of which plugin starts (replaying the event log, side by side) | %s |"
              % ", ".join("%s %.2f s" % p for p in plugin_starts(log)))
        print("| sampled sagas still waiting after the restart | %d of %d |"
              % (still, len(sample)))
        print("| advance %.1f s past the deadline (every saga times out) | answered in %.2f s |"
              % (seconds, advanced))
        print("| sampled sagas with a retry scheduled after it | %d of %d |"
              % (moved, len(sample)))
        print("\ntarget: first answer <= 2 s with %d in flight: %s"
              % (args.sagas, "met" if answered <= 2 else "missed"))
        return 0 if still == moved == len(sample) else 1
    finally:
        process.kill()
        process.wait()
        if args.keep:
            print("kept: %s (killed/: the data dir at the kill)" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
