#!/usr/bin/env bash
# What the metrics cost: SQS send throughput of eventbrokerd --in-memory with --metrics true
# beside --metrics false, in one run. Each round starts a fresh server per mode (the order of the
# two modes alternates between rounds, so drift of the machine falls on both), runs sqs_load's
# send and send-batch scenarios, and stops it; the table gives the median msgs/s of each mode
# and the cost = 1 - on/off. Writes build/bench-results/metrics_cost.md.
# Knobs: BENCH_ROUNDS (5), BENCH_DURATION (5 s per scenario), BENCH_CONNECTIONS (8), BENCH_BUILD.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-5}
DURATION=${BENCH_DURATION:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
BUILD=${BENCH_BUILD:-1}
OUT=${BENCH_OUT:-$ROOT/build/bench-results}
EVENTBROKERD=${EVENTBROKERD:-$ROOT/build/release/eventbrokerd}
SQS_LOAD=${SQS_LOAD:-}
LOG_PREFIX=metrics_cost.

mkdir -p "$OUT"
log() { printf '[bench] %s\n' "$*" >&2; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

if [[ $BUILD == 1 ]]; then
  log "building release binaries in build/release"
  : >"$OUT/build.log"
  SQS_LOAD=$(build_tools "$OUT/build.log" sqs_load)
fi
SQS_LOAD=${SQS_LOAD:-$(find_tool sqs_load)}
[[ -x ${SQS_LOAD:-} ]] || { log "sqs_load not found; run with BENCH_BUILD=1 or set SQS_LOAD"; exit 2; }
have_target eventbrokerd || exit 2

trap stop_server EXIT
trap 'exit 130' INT TERM

SCENARIOS=(send send-batch)
declare -A RATES=()  # "mode scenario" -> space-separated msgs/s of each round
: >"$OUT/metrics_cost.sqs_load.log"
: >"$OUT/metrics_cost.eventbrokerd.log"

# run MODE ROUND: one fresh server with --metrics MODE, every scenario once.
run() {
  local mode=$1 round=$2 s file
  EVENTBROKERD_ARGS="--metrics $mode"
  start_server eventbrokerd || exit 1
  for s in "${SCENARIOS[@]}"; do
    file="$OUT/metrics_cost.$mode.$s.$round.json"
    log "round $round, --metrics $mode: $s"
    timeout $((${DURATION%.*} + 60)) "$SQS_LOAD" --endpoint "http://127.0.0.1:$PORT" \
      --connections "$CONNECTIONS" --json --scenario "$s" --duration "$DURATION" \
      --queue "bench-$s" >"$file" 2>>"$OUT/metrics_cost.sqs_load.log" ||
      log "$s reported errors or failed (see $OUT/metrics_cost.sqs_load.log)"
    RATES["$mode $s"]+="$(field "$file" msgs_per_s) "
  done
  stop_server
}

for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then run true "$round"; run false "$round"; else run false "$round"; run true "$round"; fi
done

median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print ""}'; }

{
  echo "## What the metrics cost (SQS sends, eventbrokerd --in-memory)"
  echo
  echo "$(nproc) cores shared by server and generator; $ROUNDS rounds of ${DURATION}s per scenario" \
    "and mode, a fresh server each; $CONNECTIONS keep-alive connections; 100-byte bodies;" \
    "$(date -u +%Y-%m-%dT%H:%MZ)."
  echo
  echo "| scenario | --metrics true msgs/s | --metrics false msgs/s | cost | cost per round |"
  echo "|---|---|---|---|---|"
  for s in "${SCENARIOS[@]}"; do
    on=$(median "${RATES["true $s"]}")
    off=$(median "${RATES["false $s"]}")
    # Each round's pair ran back to back, so its ratio is the least disturbed by drift.
    costs=$(paste -d' ' <(printf '%s\n' ${RATES["true $s"]}) <(printf '%s\n' ${RATES["false $s"]}) |
      awk 'NF == 2 && $2 > 0 {printf "%.1f ", (1 - $1 / $2) * 100}')
    cost=$(median "$costs")
    printf '| %s | %s | %s | %s | %s |\n' "$s" "$(fmt_rate "$on")" "$(fmt_rate "$off")" \
      "${cost:-n/a} %" "${costs% }"
  done
  echo
  echo "- cost: the median over the rounds of 1 - true/false, each round's two servers run back to"
  echo "  back; msgs/s columns are the medians of each mode. A negative cost is noise."
  echo "- --metrics false leaves the domain's counters (relaxed atomics) in place; it drops the"
  echo "  per-call clock reads and latency histograms of eventbrokerd_api_* and GET /metrics."
  echo "- raw JSON lines and logs: $OUT/metrics_cost.*"
} | tee "$OUT/metrics_cost.md"
