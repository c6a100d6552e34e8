#!/usr/bin/env bash
# Side-by-side SQS benchmark: eventbrokerd vs moto_server on this machine, driven by sqs_load.
# Every scenario runs against a freshly started server (so leftovers of one run never slow the
# next); both servers are killed on exit. See bench/README.md for the knobs and how to read it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
PREFILL=${BENCH_PREFILL:-1000000}
MOTO_PREFILL=${BENCH_MOTO_PREFILL:-1000}
# Queue depth wanted before receive-delete (topped up on the prefilled queue): it must outlast
# the duration, or the run drains the queue and the table says so.
RD_DEPTH=${BENCH_RD_DEPTH:-2000000}
PREFILL_TIMEOUT=${BENCH_PREFILL_TIMEOUT:-300}
RATE=${BENCH_RATE:-5000}
TARGETS=${BENCH_TARGETS:-"eventbrokerd moto"}
BUILD=${BENCH_BUILD:-1}
OUT=${BENCH_OUT:-$ROOT/build/bench-results}
EVENTBROKERD=${EVENTBROKERD:-$ROOT/build/release/eventbrokerd}
EVENTBROKERD_ARGS=${BENCH_EVENTBROKERD_ARGS:-}
SQS_LOAD=${SQS_LOAD:-}

mkdir -p "$OUT"
log() { printf '[bench] %s\n' "$*" >&2; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# ---- build ---------------------------------------------------------------------------------
if [[ $BUILD == 1 ]]; then
  log "building release binaries in build/release"
  : >"$OUT/build.log"
  built=$(build_tools "$OUT/build.log" sqs_load)
  SQS_LOAD=${SQS_LOAD:-$built}
fi
SQS_LOAD=${SQS_LOAD:-$(find_tool sqs_load)}
[[ -x ${SQS_LOAD:-} ]] || { log "sqs_load not found; run with BENCH_BUILD=1 or set SQS_LOAD"; exit 2; }

# ---- process management ------------------------------------------------------------------------
trap stop_server EXIT
trap 'exit 130' INT TERM

# start_timed TARGET: start_server, keeping its time to first response in TTFR_<target>.
start_timed() {
  start_server "$1" || return 1
  eval "TTFR_$1+=($STARTUP_MS)"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }

# load TARGET NAME ARGS...: runs sqs_load, keeping its JSON line in $OUT/TARGET.NAME.json.
load() {
  local target=$1 name=$2
  shift 2
  local file="$OUT/$target.$name.json" limit=$((${DURATION%.*} + PREFILL_TIMEOUT + 60))
  log "$target: $name"
  timeout "$limit" "$SQS_LOAD" --endpoint "http://127.0.0.1:$PORT" --connections "$CONNECTIONS" \
    --max-prefill-seconds "$PREFILL_TIMEOUT" --json "$@" >"$file" 2>>"$OUT/$target.sqs_load.log" ||
    log "$target: $name reported errors or failed (see $OUT/$target.sqs_load.log)"
}

# ---- runs ----------------------------------------------------------------------------------
rm -f "$OUT"/*.json
for f in eventbrokerd.log moto.log eventbrokerd.sqs_load.log moto.sqs_load.log; do : >"$OUT/$f"; done
NOTES=()
declare -a TTFR_eventbrokerd=() TTFR_moto=()
declare -A RSS_PER_M=() PREFILLED=()

run_target() {
  local t=$1 n
  have_target "$t" || return 0
  n=$PREFILL
  [[ $t == moto ]] && n=$MOTO_PREFILL
  PREFILLED[$t]=$n
  for s in send send-batch cycle; do
    start_timed "$t" || return 0
    load "$t" "$s" --scenario "$s" --duration "$DURATION" --queue "bench-$s"
    stop_server
  done

  start_timed "$t" || return 0
  load "$t" rate --scenario send --duration "$DURATION" --rate "$RATE" --queue bench-rate
  stop_server

  # One big queue: RSS around the prefill, then a cycle over it (depth stays at N), then
  # receive-delete on it, topped up to RD_DEPTH for eventbrokerd (moto stays at its small N).
  start_timed "$t" || return 0
  local rss0 rss1 sent
  rss0=$(rss_kb)
  load "$t" prefill --scenario cycle --duration 0 --prefill "$n" --queue bench-big
  sleep 0.5
  rss1=$(rss_kb)
  sent=$(field "$OUT/$t.prefill.json" prefill_sent)
  if [[ -n $sent && $sent -gt 0 ]]; then
    RSS_PER_M[$t]=$(awk -v a="$rss0" -v b="$rss1" -v n="$sent" \
      'BEGIN {printf "%.0f MiB (%.0f B/msg; %d kB -> %d kB over %d msgs)", (b-a)/1024*1e6/n, (b-a)*1024/n, a, b, n}')
  fi
  load "$t" cycle-big --scenario cycle --duration "$DURATION" --queue bench-big
  local topup=0
  [[ $t == eventbrokerd ]] && ((RD_DEPTH > n)) && topup=$((RD_DEPTH - n))
  load "$t" receive-delete --scenario receive-delete --duration "$DURATION" --queue bench-big \
    --prefill "$topup"
  stop_server
}

for t in $TARGETS; do run_target "$t"; done

# ---- report --------------------------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "n/a"}'; }

row() {
  local label=$1 name=$2 mode=${3:-tput} e="$OUT/eventbrokerd.$2.json" m="$OUT/moto.$2.json"
  local er ep50 ep99 mr mp50 mp99 ratio="n/a"
  er=$(field "$e" msgs_per_s); ep50=$(field "$e" p50_us); ep99=$(field "$e" p99_us)
  mr=$(field "$m" msgs_per_s); mp50=$(field "$m" p50_us); mp99=$(field "$m" p99_us)
  if [[ $mode == p99 ]]; then
    [[ -n $ep99 && -n $mp99 ]] && ratio=$(awk -v a="$ep99" -v b="$mp99" \
      'BEGIN {if (a > 0) printf "%.1fx (p99)", b/a; else print "n/a"}')
  else
    [[ -n $er && -n $mr ]] && ratio=$(awk -v a="$er" -v b="$mr" \
      'BEGIN {if (b > 0) printf "%.1fx", a/b; else print "n/a"}')
  fi
  for f in "$e" "$m"; do
    local errs empty
    errs=$(field "$f" errors); empty=$(field "$f" empty_receives)
    [[ -n $errs && $errs != 0 ]] && NOTES+=("$label: ${f##*/} had $errs errors (samples in the logs)")
    [[ $name == receive-delete && -n $empty && $empty != 0 ]] &&
      NOTES+=("$label: ${f##*/} drained the queue ($empty empty receives), so msgs/s understates")
    [[ -f $f && -z $(field "$f" msgs_per_s) ]] && NOTES+=("$label: ${f##*/} produced no result")
  done
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$(fmt_rate "$er")" \
    "$(fmt_us "$ep50")" "$(fmt_us "$ep99")" "$(fmt_rate "$mr")" "$(fmt_us "$mp50")" \
    "$(fmt_us "$mp99")" "$ratio"
}

{
  echo "## eventbrokerd vs moto_server (SQS, AWS JSON 1.0)"
  echo
  echo "$(nproc) cores shared by server and generator; ${DURATION}s per scenario; $CONNECTIONS keep-alive" \
    "connections; 100-byte bodies; eventbrokerd --in-memory; $(date -u +%Y-%m-%dT%H:%MZ)."
  echo
  echo "| scenario | eventbrokerd msgs/s | p50 | p99 | moto msgs/s | p50 | p99 | ratio |"
  echo "|---|---|---|---|---|---|---|---|"
  row "send (SendMessage)" send
  row "send-batch (SendMessageBatch×10)" send-batch
  row "cycle (send→receive→delete, empty queue)" cycle
  row "cycle, ${PREFILLED[eventbrokerd]:-$PREFILL} prefilled (moto: ${PREFILLED[moto]:-$MOTO_PREFILL})" cycle-big
  row "receive-delete (Receive×10 + DeleteBatch; depth ${RD_DEPTH}, moto ${PREFILLED[moto]:-$MOTO_PREFILL})" receive-delete
  row "send at fixed $RATE msg/s" rate p99
  echo
  for n in "${NOTES[@]}"; do echo "- $n"; done
  echo "- time to first response (spawn → first HTTP answer on /health, median of starts):" \
    "eventbrokerd $(median "${TTFR_eventbrokerd[@]}") ms [${TTFR_eventbrokerd[*]:-}]," \
    "moto $(median "${TTFR_moto[@]}") ms [${TTFR_moto[*]:-}]"
  echo "- RSS per million queued 100-byte messages: eventbrokerd ${RSS_PER_M[eventbrokerd]:-n/a};" \
    "moto ${RSS_PER_M[moto]:-n/a} (extrapolated)"
  for t in eventbrokerd moto; do
    f="$OUT/$t.prefill.json"
    [[ -f $f ]] || continue
    echo "- $t prefill: $(field "$f" prefill_sent) of $(field "$f" prefill) messages in" \
      "$(field "$f" prefill_s) s"
  done
  if [[ ${PREFILLED[moto]:-} && ${PREFILLED[moto]} != "${PREFILLED[eventbrokerd]:-$PREFILL}" ]]; then
    echo "- moto's prefill is smaller (${PREFILLED[moto]}): its send and receive cost grows" \
      "linearly with queue depth, so a 1,000,000-message prefill would not finish in bounded time."
  fi
  echo "- ratio = eventbrokerd msgs/s ÷ moto msgs/s; for the fixed-rate row, moto p99 ÷ eventbrokerd p99." \
    "Latency is per operation (a cycle or a receive+delete pair is one), from the scheduled start."
  echo "- raw JSON lines and logs: $OUT"
} | tee "$OUT/results.md"
