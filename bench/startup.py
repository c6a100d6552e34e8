#!/usr/bin/env python3
"""Time from spawn to the first answered request: eventbrokerd (--in-memory, and durable on a
fresh data dir) beside moto_server, each the median of --runs starts, plus the floor of
process creation (/bin/true) and `eventbrokerd --version`.

    python3 bench/startup.py [--binary build/release/eventbrokerd] [--runs 10] [--no-moto]

"Answered" means GET /health returned a status line: the client connects in a tight loop
(every 0.2 ms) from the moment the process is spawned.
"""
import argparse
import shutil
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(port, deadline):
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(request)
                if s.recv(16).startswith(b"HTTP/1."):
                    return True
        except OSError:
            time.sleep(0.0002)
    return False


def time_start(argv, port):
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not first_answer(port, start + 30):
            raise RuntimeError(f"no answer from {argv[0]} within 30 s")
        return (time.monotonic() - start) * 1000
    finally:
        proc.terminate()
        proc.wait()


def time_run(argv):
    start = time.monotonic()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return (time.monotonic() - start) * 1000


def median_ms(runs, fn):
    return statistics.median(fn() for _ in range(runs))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="build/release/eventbrokerd")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-moto", action="store_true")
    args = parser.parse_args()
    quiet = ["--log-level", "warn"]

    def in_memory():
        port = free_port()
        return time_start([args.binary, "--in-memory", "--listen", f"127.0.0.1:{port}", *quiet],
                          port)

    def fresh_dir():
        port = free_port()
        with tempfile.TemporaryDirectory() as d:
            return time_start(
                [args.binary, "--data-dir", d, "--listen", f"127.0.0.1:{port}", *quiet], port)

    rows = [
        ("/bin/true (process floor)", median_ms(args.runs, lambda: time_run(["/bin/true"]))),
        ("eventbrokerd --version", median_ms(args.runs, lambda: time_run([args.binary, "--version"]))),
        ("eventbrokerd --in-memory: first answer", median_ms(args.runs, in_memory)),
        ("eventbrokerd fresh --data-dir: first answer", median_ms(args.runs, fresh_dir)),
    ]
    moto = shutil.which("moto_server")
    if moto and not args.no_moto:
        def moto_start():
            port = free_port()
            return time_start([moto, "-p", str(port)], port)
        rows.append(("moto_server: first answer", median_ms(max(3, args.runs // 3), moto_start)))

    print(f"| start (median of {args.runs}) | ms |")
    print("|---|---:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} |")
    if moto and not args.no_moto:
        print(f"\nmoto_server / eventbrokerd --in-memory: {rows[-1][1] / rows[2][1]:.1f}x")


if __name__ == "__main__":
    main()
