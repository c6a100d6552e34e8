#!/usr/bin/env bash
# Durable storage benchmark: the same SQS load against eventbrokerd --in-memory, durable
# (--durability wal), durable with fsync, and moto_server, in one run, reported as ratios;
# then restart time and memory with a million durable messages queued. Results go to
# build/bench-results/storage.md. See bench/README.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
FSYNC_CONNECTIONS=${BENCH_FSYNC_CONNECTIONS:-64}
PREFILL=${BENCH_PREFILL:-1000000}
BUILD=${BENCH_BUILD:-1}
OUT=${BENCH_OUT:-$ROOT/build/bench-results}
EVENTBROKERD=${EVENTBROKERD:-$ROOT/build/release/eventbrokerd}
SQS_LOAD=${SQS_LOAD:-$ROOT/build/release/bench/sqs_load}
DATA=$(mktemp -d "${TMPDIR:-/tmp}/eb-bench-storage.XXXXXX")
if [[ -z ${MOTO_SERVER:-} ]]; then
  MOTO_SERVER=$(pyenv which moto_server 2>/dev/null || command -v moto_server || true)
fi

mkdir -p "$OUT"
log() { printf '[storage-bench] %s\n' "$*" >&2; }

if [[ $BUILD == 1 ]]; then
  log "building release binaries in build/release"
  cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DEB_BUILD_TESTS=OFF -DEB_BUILD_BENCH=ON >"$OUT/storage-build.log" 2>&1
  ninja -C "$ROOT/build/release" eventbrokerd sqs_load >>"$OUT/storage-build.log" 2>&1
fi

PID=""
cleanup() {
  if [[ -n $PID ]]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
  fi
}
trap 'cleanup; rm -rf "$DATA"' EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
healthy() { curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/health"; }
wait_healthy() {
  local deadline=$(($(date +%s) + 60))
  until healthy; do
    kill -0 "$PID" 2>/dev/null || { log "server exited during start-up"; PID=""; return 1; }
    (($(date +%s) < deadline)) || { log "server did not start"; return 1; }
    sleep 0.01
  done
}

# start MODE: MODE is memory, wal, fsync (eventbrokerd) or moto. Sets PORT and PID.
start() {
  PORT=$(free_port)
  case $1 in
    memory) "$EVENTBROKERD" --listen "127.0.0.1:$PORT" --in-memory --log-level warn \
      >>"$OUT/storage-eventbrokerd.log" 2>&1 & ;;
    wal | fsync)
      rm -rf "$DATA/db"
      "$EVENTBROKERD" --listen "127.0.0.1:$PORT" --data-dir "$DATA/db" --durability "$1" \
        --log-level warn >>"$OUT/storage-eventbrokerd.log" 2>&1 &
      ;;
    moto) "$MOTO_SERVER" -H 127.0.0.1 -p "$PORT" >>"$OUT/storage-moto.log" 2>&1 & ;;
  esac
  PID=$!
  wait_healthy
}

field() { sed -n "s/.*\"$2\":\\([^,}]*\\).*/\\1/p" "$1" 2>/dev/null | head -n1; }

# run MODE SCENARIO CONNECTIONS: one fresh server, one scenario; JSON in $OUT/storage.MODE.SCENARIO.C.json
run() {
  local mode=$1 scenario=$2 connections=$3 file="$OUT/storage.$1.$2.$3.json"
  if [[ $mode == moto && ! -x ${MOTO_SERVER:-} ]]; then return; fi
  start "$mode" || return 0
  log "$mode: $scenario, $connections connections"
  "$SQS_LOAD" --endpoint "http://127.0.0.1:$PORT" --scenario "$scenario" --connections "$connections" \
    --duration "$DURATION" --queue "bench-$scenario" --json >"$file" 2>>"$OUT/storage-sqs_load.log" ||
    log "$mode $scenario reported errors (see $OUT/storage-sqs_load.log)"
  cleanup
}

rm -f "$OUT"/storage.*.json
for mode in memory wal fsync moto; do
  for scenario in send send-batch cycle; do run "$mode" "$scenario" "$CONNECTIONS"; done
done
for mode in memory wal fsync; do run "$mode" send "$FSYNC_CONNECTIONS"; done

# A million durable messages: memory while queued, then kill -9 and time the restart.
log "wal: prefill $PREFILL, kill -9, restart"
start wal
rss0=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")
"$SQS_LOAD" --endpoint "http://127.0.0.1:$PORT" --scenario cycle --duration 0 --prefill "$PREFILL" \
  --max-prefill-seconds 600 --queue bench-big --json >"$OUT/storage.prefill.json" \
  2>>"$OUT/storage-sqs_load.log" || true
sleep 1
rss1=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")
kill -9 "$PID"
wait "$PID" 2>/dev/null || true
PID=""
t0=$(date +%s%N)
"$EVENTBROKERD" --listen "127.0.0.1:$PORT" --data-dir "$DATA/db" --log-level info \
  >"$OUT/storage-restart.log" 2>&1 &
PID=$!
wait_healthy
t1=$(date +%s%N)
restart_ms=$(((t1 - t0) / 1000000))
rss2=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")
depth=$(curl -s -X POST "http://127.0.0.1:$PORT/" -H 'Content-Type: application/x-amz-json-1.0' \
  -H 'X-Amz-Target: AmazonSQS.GetQueueAttributes' \
  -d "{\"QueueUrl\":\"http://127.0.0.1:$PORT/000000000000/bench-big\",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}")
cleanup
sent=$(field "$OUT/storage.prefill.json" prefill_sent)

rate() { local v; v=$(field "$1" msgs_per_s); [[ -n $v ]] && awk -v v="$v" 'BEGIN {printf "%.0f", v}' || printf 'n/a'; }
p99() { local v; v=$(field "$1" p99_us); [[ -n $v ]] && awk -v v="$v" 'BEGIN {if (v >= 1000) printf "%.2f ms", v/1000; else printf "%.0f µs", v}' || printf 'n/a'; }
ratio() {
  local a b
  a=$(field "$1" msgs_per_s); b=$(field "$2" msgs_per_s)
  [[ -n $a && -n $b ]] && awk -v a="$a" -v b="$b" 'BEGIN {if (b > 0) printf "%.0f%%", 100*a/b; else print "n/a"}' || printf 'n/a'
}
mratio() {
  local a b
  a=$(field "$1" msgs_per_s); b=$(field "$2" msgs_per_s)
  [[ -n $a && -n $b ]] && awk -v a="$a" -v b="$b" 'BEGIN {if (b > 0) printf "%.0fx", a/b; else print "n/a"}' || printf 'n/a'
}
row() {
  local label=$1 s=$2 c=$3 m w f o
  m="$OUT/storage.memory.$s.$c.json"; w="$OUT/storage.wal.$s.$c.json"
  f="$OUT/storage.fsync.$s.$c.json"; o="$OUT/storage.moto.$s.$c.json"
  printf '| %s | %s | %s (p99 %s) | %s | %s (p99 %s) | %s | %s | %s |\n' "$label" "$(rate "$m")" \
    "$(rate "$w")" "$(p99 "$w")" "$(ratio "$w" "$m")" "$(rate "$f")" "$(p99 "$f")" \
    "$(ratio "$f" "$m")" "$(rate "$o")" "$(mratio "$w" "$o")"
}
{
  echo "## Durable storage: eventbrokerd in-memory vs wal vs fsync, and moto_server"
  echo
  echo "$(nproc) cores shared by server and generator; ${DURATION}s per scenario; 100-byte bodies;" \
    "$(date -u +%Y-%m-%dT%H:%MZ). Percentages are durable ÷ in-memory; the last column is wal ÷ moto."
  echo
  echo "| scenario | in-memory msgs/s | wal msgs/s | wal ÷ mem | fsync msgs/s | fsync ÷ mem | moto msgs/s | wal ÷ moto |"
  echo "|---|---|---|---|---|---|---|---|"
  row "SendMessage, $CONNECTIONS connections" send "$CONNECTIONS"
  row "SendMessageBatch×10, $CONNECTIONS connections" send-batch "$CONNECTIONS"
  row "send→receive→delete, $CONNECTIONS connections" cycle "$CONNECTIONS"
  row "SendMessage, $FSYNC_CONNECTIONS connections" send "$FSYNC_CONNECTIONS"
  echo
  echo "- restart with $sent durable messages queued (kill -9, then spawn → first /health answer):" \
    "${restart_ms} ms; queue depth after restart: $(sed -n 's/.*"ApproximateNumberOfMessages":"\([0-9]*\)".*/\1/p' <<<"$depth")"
  if [[ -n $sent && $sent -gt 0 ]]; then
    awk -v a="$rss0" -v b="$rss1" -v c="$rss2" -v n="$sent" 'BEGIN {
      printf "- RSS per million durable messages: %.0f MiB while they were sent (%d kB -> %d kB), %.0f MiB after the restart (%d kB); both include the 32 MiB block cache and up to 64 MiB of memtables\n",
        (b-a)/1024*1e6/n, a, b, (c-a)/1024*1e6/n, c }'
  fi
  echo "- prefill rate (SendMessageBatch, durable): $(field "$OUT/storage.prefill.json" prefill_s) s for $sent messages"
  echo "- raw JSON lines and logs: $OUT/storage.*"
} | tee "$OUT/storage.md"
