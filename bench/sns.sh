#!/usr/bin/env bash
# Side-by-side SNS benchmark: eventbrokerd --in-memory vs moto_server on this machine, driven by
# sns_load (a topic with three filtered raw SQS subscriptions): unbatched Publish, PublishBatch
# of 10, and publish → receive latency at a fixed rate; plus filter-policy evaluations/s
# (filter_policy_bench beside moto's own matcher on the same cases). Each scenario runs on a
# freshly started server, servers one after the other; the table goes to
# build/bench-results/sns.md. See bench/README.md for the knobs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
RATE=${BENCH_RATE:-2000}
CONSUMERS=${BENCH_CONSUMERS:-2}
DRAIN=${BENCH_DRAIN:-10}
TARGETS=${BENCH_TARGETS:-"eventbrokerd moto"}
FILTER=${BENCH_FILTER:-1}
BUILD=${BENCH_BUILD:-1}
OUT=${BENCH_OUT:-$ROOT/build/bench-results}
EVENTBROKERD=${EVENTBROKERD:-$ROOT/build/release/eventbrokerd}
EVENTBROKERD_ARGS=${BENCH_EVENTBROKERD_ARGS:-}
SNS_LOAD=${SNS_LOAD:-}
FILTER_BENCH=${FILTER_BENCH:-$ROOT/build/release/bench/filter_policy_bench}
LOG_PREFIX=sns-

mkdir -p "$OUT"
log() { printf '[sns-bench] %s\n' "$*" >&2; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# ---- build ---------------------------------------------------------------------------------
if [[ $BUILD == 1 ]]; then
  log "building release binaries in build/release"
  : >"$OUT/sns-build.log"
  built=$(build_tools "$OUT/sns-build.log" sns_load filter_policy_bench)
  SNS_LOAD=${SNS_LOAD:-$built}
fi
SNS_LOAD=${SNS_LOAD:-$(find_tool sns_load)}
[[ -x ${SNS_LOAD:-} ]] || { log "sns_load not found; run with BENCH_BUILD=1 or set SNS_LOAD"; exit 2; }

trap stop_server EXIT
trap 'exit 130' INT TERM

# load TARGET NAME ARGS...: sns_load against the running server; JSON line in $OUT/sns.TARGET.NAME.json.
load() {
  local target=$1 name=$2
  shift 2
  local file="$OUT/sns.$target.$name.json" limit=$((${DURATION%.*} + ${DRAIN%.*} + 120))
  log "$target: $name"
  timeout "$limit" "$SNS_LOAD" --endpoint "http://127.0.0.1:$PORT" --connections "$CONNECTIONS" \
    --drain-seconds "$DRAIN" --duration "$DURATION" --json "$@" >"$file" \
    2>>"$OUT/sns.$target.sns_load.log" ||
    log "$target: $name reported errors or failed (see $OUT/sns.$target.sns_load.log)"
}

# ---- runs ----------------------------------------------------------------------------------
rm -f "$OUT"/sns.*.json
for t in eventbrokerd moto; do : >"$OUT/sns-$t.log"; : >"$OUT/sns.$t.sns_load.log"; done
for t in $TARGETS; do
  have_target "$t" || continue
  for s in publish publish-batch latency; do
    start_server "$t" || continue
    if [[ $s == latency ]]; then
      load "$t" "$s" --scenario "$s" --rate "$RATE" --consumers "$CONSUMERS" --topic "bench-$s"
    else
      load "$t" "$s" --scenario "$s" --topic "bench-$s"
    fi
    stop_server
  done
  # The same unbatched publishes with the queues getting signed SNS envelopes (no raw delivery):
  # one RSA signature per publish.
  if start_server "$t"; then
    load "$t" publish-envelope --scenario publish --envelope true --topic bench-envelope
    stop_server
  fi
done

# Filter-policy evaluations/s on one core: eventbrokerd's engine (Google Benchmark) beside moto's
# matcher (in the interpreter moto_server runs on) for the same policies and inputs.
FILTER_E="$OUT/sns.filter.eventbrokerd.json" FILTER_M="$OUT/sns.filter.moto.json"
if [[ $FILTER == 1 ]]; then
  if [[ -x $FILTER_BENCH ]]; then
    log "filter_policy_bench"
    "$FILTER_BENCH" --benchmark_format=json --benchmark_min_time=1 >"$FILTER_E" \
      2>>"$OUT/sns.filter.log" || log "filter_policy_bench failed (see $OUT/sns.filter.log)"
  else
    log "no $FILTER_BENCH; skipping the filter-policy row"
  fi
  if [[ -x ${MOTO_SERVER:-} ]]; then
    log "moto filter matcher"
    "$(dirname "$(readlink -f "$MOTO_SERVER")")/python3" "$ROOT/bench/moto_filter_bench.py" 1 \
      >"$FILTER_M" 2>>"$OUT/sns.filter.log" || log "moto filter bench failed (see $OUT/sns.filter.log)"
  fi
fi

# ---- report --------------------------------------------------------------------------------
NOTES=()
ratio() { # ratio A B: A/B as "N.Nx", or n/a
  [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", a/b; else print "n/a"}' ||
    printf 'n/a'
}

# check FILE LABEL: notes errors, missing or duplicated deliveries of one run.
check() {
  local f=$1 label=$2 v
  [[ -f $f ]] || return 0
  [[ -z $(field "$f" msgs_per_s) ]] && { NOTES+=("$label: ${f##*/} produced no result"); return 0; }
  for k in errors consumer_errors missing duplicates foreign; do
    v=$(field "$f" "$k")
    [[ -n $v && $v != 0 ]] && NOTES+=("$label: ${f##*/} had $v $k")
  done
  [[ $(field "$f" delivered) == null ]] && NOTES+=("$label: ${f##*/}: deliveries could not be counted")
  return 0
}

tput_row() {
  local label=$1 name=$2 e="$OUT/sns.eventbrokerd.$2.json" m="$OUT/sns.moto.$2.json"
  local er mr
  er=$(field "$e" msgs_per_s); mr=$(field "$m" msgs_per_s)
  check "$e" "$label"; check "$m" "$label"
  printf '| %s | %s msg/s (p50 %s, p99 %s) | %s msg/s (p50 %s, p99 %s) | %s |\n' "$label" \
    "$(fmt_rate "$er")" "$(fmt_us "$(field "$e" p50_us)")" "$(fmt_us "$(field "$e" p99_us)")" \
    "$(fmt_rate "$mr")" "$(fmt_us "$(field "$m" p50_us)")" "$(fmt_us "$(field "$m" p99_us)")" \
    "$(ratio "$er" "$mr")"
}

latency_row() {
  local e="$OUT/sns.eventbrokerd.latency.json" m="$OUT/sns.moto.latency.json" f cells=()
  check "$e" latency; check "$m" latency
  for f in "$e" "$m"; do
    cells+=("p50 $(fmt_us "$(field "$f" e2e_p50_us)"), **p99 $(fmt_us "$(field "$f" e2e_p99_us)")**, max $(fmt_us "$(field "$f" e2e_max_us)"); $(fmt_rate "$(field "$f" msgs_per_s)") msg/s published, $(field "$f" delivered) of $(field "$f" messages) received")
  done
  for f in "$e" "$m"; do
    [[ -f $f ]] && awk -v r="$(field "$f" msgs_per_s)" -v t="$RATE" 'BEGIN {exit !(r < 0.95 * t)}' &&
      NOTES+=("latency: ${f##*/} published only $(fmt_rate "$(field "$f" msgs_per_s)") of $RATE msg/s; its percentiles include that backlog")
  done
  printf '| publish → receive at %s msg/s (p99 latency) | %s | %s | %s |\n' "$RATE" "${cells[0]}" \
    "${cells[1]}" "$(ratio "$(field "$m" e2e_p99_us)" "$(field "$e" e2e_p99_us)")"
}

# Google Benchmark JSON → evaluations_per_s of one case.
gbench_rate() {
  python3 -c 'import json,sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b["name"] == sys.argv[2]: print(b["evaluations_per_s"])' "$1" "$2" 2>/dev/null || true
}
moto_rate() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null || true; }

filter_rows() {
  local name label er mr
  for name in BM_OrderPolicyMatch BM_OrderPolicyMiss BM_MixedOperators BM_BodyScope; do
    case $name in
      BM_OrderPolicyMatch) label="filter policy: eventType in list, match" ;;
      BM_OrderPolicyMiss) label="filter policy: eventType in list, miss" ;;
      BM_MixedOperators) label="filter policy: prefix + numeric + anything-but + exists" ;;
      BM_BodyScope) label="filter policy: MessageBody scope on a JSON envelope" ;;
    esac
    er=$(gbench_rate "$FILTER_E" "$name"); mr=$(moto_rate "$FILTER_M" "$name")
    printf '| %s (evaluations/s, one core) | %s | %s | %s |\n' "$label" "$(fmt_rate "$er")" \
      "$(fmt_rate "$mr")" "$(ratio "$er" "$mr")"
  done
}

{
  echo "## eventbrokerd vs moto_server (SNS → 3 filtered SQS subscriptions)"
  echo
  echo "$(nproc) cores shared by server and generator; ${DURATION}s per scenario; $CONNECTIONS keep-alive" \
    "publishing connections; 100-byte messages; eventbrokerd --in-memory; $(date -u +%Y-%m-%dT%H:%MZ)."
  echo
  echo "| scenario | eventbrokerd | moto | ratio |"
  echo "|---|---|---|---|"
  tput_row "Publish (unbatched, max rate)" publish
  tput_row "Publish, signed JSON envelopes (RawMessageDelivery=false)" publish-envelope
  tput_row "PublishBatch ×10 (messages/s)" publish-batch
  latency_row
  [[ $FILTER == 1 ]] && filter_rows
  echo
  for n in "${NOTES[@]}"; do echo "- $n"; done
  echo "- topic with 3 SQS subscriptions, RawMessageDelivery=true, FilterPolicy on the eventType" \
    "attribute: {\"prefix\":\"order.\"} / inventory.reserved|released / payment.authorized|captured|failed;" \
    "publishes cycle through 6 eventTypes, each matching exactly one subscription (1 delivery per message)."
  echo "- throughput rows: the queues are not consumed during the run; their summed depth afterwards" \
    "is checked against the acknowledged messages. p50/p99 are per request (a batch is one)."
  echo "- latency row: Publish paced at $RATE msg/s over $CONNECTIONS connections; $CONSUMERS" \
    "consumers per queue long-poll ReceiveMessage(10, WaitTimeSeconds=1) + DeleteMessageBatch;" \
    "latency = ReceiveMessage response arrival − scheduled publish time (no coordinated omission)."
  echo "- ratio = eventbrokerd ÷ moto for throughput and evaluations/s; moto p99 ÷ eventbrokerd p99" \
    "for latency (higher is better for eventbrokerd)."
  echo "- raw JSON lines and logs: $OUT (sns.*)"
} | tee "$OUT/sns.md"
