#!/usr/bin/env bash
# Side-by-side FIFO benchmark: eventbrokerd --in-memory vs moto_server on this machine, driven by
# sqs_load. SendMessageBatch×10, ReceiveMessage(10) + DeleteMessageBatch on a prefilled queue, and
# the send → receive → delete cycle, each on a standard queue and on FIFO queues whose messages
# are spread over 1, 10 and 1,000 message groups. Every run gets a freshly started server; the
# table (msgs/s, FIFO ÷ standard for eventbrokerd, eventbrokerd ÷ moto) goes to
# build/bench-results/fifo.md. See bench/README.md ("FIFO") for the knobs and how to read it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
GROUPS_LIST=${BENCH_FIFO_GROUPS:-"1 10 1000"}
SCENARIOS=${BENCH_FIFO_SCENARIOS:-"send-batch receive-delete cycle"}
# Queue depth prefilled before receive-delete: it must outlast the run, or the table says
# "drained" (200,000 messages per second of run by default, as run.sh's 2,000,000 for 10 s).
RD_DEPTH=${BENCH_RD_DEPTH:-$(awk -v d="$DURATION" 'BEGIN {printf "%d", d * 200000}')}
MOTO_PREFILL=${BENCH_MOTO_PREFILL:-1000}
# moto answers a few requests a second on FIFO queues; with more prefilling connections some
# wait past sqs_load's 10 s I/O timeout.
MOTO_PREFILL_CONNECTIONS=${BENCH_MOTO_PREFILL_CONNECTIONS:-2}
PREFILL_TIMEOUT=${BENCH_PREFILL_TIMEOUT:-300}
TARGETS=${BENCH_TARGETS:-"eventbrokerd moto"}
BUILD=${BENCH_BUILD:-1}
OUT=${BENCH_OUT:-$ROOT/build/bench-results}
EVENTBROKERD=${EVENTBROKERD:-$ROOT/build/release/eventbrokerd}
EVENTBROKERD_ARGS=${BENCH_EVENTBROKERD_ARGS:-}
SQS_LOAD=${SQS_LOAD:-}
LOG_PREFIX=fifo-

mkdir -p "$OUT"
log() { printf '[fifo-bench] %s\n' "$*" >&2; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# ---- build ---------------------------------------------------------------------------------
if [[ $BUILD == 1 ]]; then
  log "building release binaries in build/release"
  : >"$OUT/fifo-build.log"
  built=$(build_tools "$OUT/fifo-build.log" sqs_load)
  SQS_LOAD=${SQS_LOAD:-$built}
fi
SQS_LOAD=${SQS_LOAD:-$(find_tool sqs_load)}
[[ -x ${SQS_LOAD:-} ]] || { log "sqs_load not found; run with BENCH_BUILD=1 or set SQS_LOAD"; exit 2; }

trap stop_server EXIT
trap 'exit 130' INT TERM

# Queue kinds: "std" (a standard queue) and "g<N>" (a FIFO queue, messages over N groups).
KINDS=(std)
for g in $GROUPS_LIST; do KINDS+=("g$g"); done
groups_of() { [[ $1 == std ]] && echo 0 || echo "${1#g}"; }
kind_label() { [[ $1 == std ]] && echo "standard" || echo "FIFO, ${1#g} group$([[ $1 != g1 ]] && echo s)"; }

# load TARGET SCENARIO KIND NAME ARGS...: sqs_load against the running server (ARGS last, so they
# may override); its JSON line goes to $OUT/fifo.TARGET.NAME.KIND.json, stderr to the .err beside.
load() {
  local target=$1 scenario=$2 kind=$3 name=$4
  shift 4
  local base="$OUT/fifo.$target.$name.$kind" limit=$((${DURATION%.*} + PREFILL_TIMEOUT + 60))
  log "$target: $name, $(kind_label "$kind")"
  timeout "$limit" "$SQS_LOAD" --endpoint "http://127.0.0.1:$PORT" --connections "$CONNECTIONS" \
    --max-prefill-seconds "$PREFILL_TIMEOUT" --duration "$DURATION" --scenario "$scenario" \
    --queue "bench-$scenario" --fifo-groups "$(groups_of "$kind")" --json "$@" \
    >"$base.json" 2>"$base.err" || log "$target: $name, $kind reported errors or failed (see $base.err)"
  cat "$base.err" >>"$OUT/fifo.$target.sqs_load.log"
}

# ---- runs ----------------------------------------------------------------------------------
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
rm -f "$OUT"/fifo.*.json "$OUT"/fifo.*.err
for t in eventbrokerd moto; do : >"$OUT/fifo-$t.log"; : >"$OUT/fifo.$t.sqs_load.log"; done
for t in $TARGETS; do
  have_target "$t" || continue
  depth=$RD_DEPTH prefill_connections=$CONNECTIONS
  [[ $t == moto ]] && depth=$MOTO_PREFILL prefill_connections=$MOTO_PREFILL_CONNECTIONS
  for s in $SCENARIOS; do
    for k in "${KINDS[@]}"; do
      start_server "$t" || continue
      if [[ $s == receive-delete ]]; then
        # Prefilled with the same group spread as the sends, so the run measures receiving.
        load "$t" "$s" "$k" prefill --duration 0 --prefill "$depth" --connections "$prefill_connections"
      fi
      load "$t" "$s" "$k" "$s"
      stop_server
    done
  done
done

# ---- report --------------------------------------------------------------------------------
NOTES=()
declare -A NO_RESULT=()  # why a run gave no result → the runs that did not, for one note each
ratio() { # ratio A B: A/B as "0.85x" (below 10) or "1234x", or n/a
  [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" \
    'BEGIN {if (b <= 0) print "n/a"; else if (a / b < 10) printf "%.2fx", a/b; else printf "%.0fx", a/b}' ||
    printf 'n/a'
}

# msgs_per_s FILE: the msgs/s of a run. A cycle counts only the messages that went all the way
# (sent, received, deleted): sqs_load counts a cycle whose receive came back empty too, which on a
# FIFO queue with few groups is most of them, and costs less than a full cycle.
msgs_per_s() {
  case $1 in
    *.cycle.*)
      [[ -f $1 ]] || return 0
      awk -v o="$(field "$1" ops)" -v e="$(field "$1" empty_receives)" -v d="$(field "$1" duration_s)" \
        'BEGIN {if (o != "" && d > 0) printf "%.1f", (o - e) / d}' ;;
    *) field "$1" msgs_per_s ;;
  esac
}

# check FILE LABEL: notes what makes one run's figure doubtful (errors, no result, a drained queue).
check() {
  local f=$1 label=$2 v sent msgs ops
  [[ -f $f ]] || return 0
  if [[ -z $(field "$f" msgs_per_s) ]]; then
    v=$(grep -m1 -v '^prefill:' "${f%.json}.err" 2>/dev/null || true)
    NO_RESULT[${v:-no output}]+="${NO_RESULT[${v:-no output}]:+, }${f##*/}"
    return 0
  fi
  v=$(field "$f" errors)
  [[ -n $v && $v != 0 ]] && NOTES+=("$label: ${f##*/} had $v errors (samples in ${f%.json}.err)")
  [[ $f == *.receive-delete.* ]] && v=$(field "${f/.receive-delete./.prefill.}" prefill_errors) &&
    [[ -n $v && $v != 0 ]] && NOTES+=("$label: its prefill had $v failed batches (some retried)")
  sent=$(field "${f/.receive-delete./.prefill.}" prefill_sent); msgs=$(field "$f" messages)
  ops=$(field "$f" ops)
  v=$(field "$f" empty_receives)
  case $label in
    receive-delete*)
      [[ -n $sent && $sent -gt 0 && $msgs -ge $sent ]] &&
        NOTES+=("$label: ${f##*/} drained its $sent prefilled messages, so msgs/s understates") ;;
    cycle*)
      [[ -n $v && $v != 0 ]] &&
        NOTES+=("$label: ${f##*/}: $v of $ops receives came back empty (not counted)") ;;
  esac
  return 0
}

row() {
  local scenario=$1 kind=$2 label
  label="$scenario, $(kind_label "$kind")"
  local e="$OUT/fifo.eventbrokerd.$scenario.$kind.json" m="$OUT/fifo.moto.$scenario.$kind.json"
  local es="$OUT/fifo.eventbrokerd.$scenario.std.json" er mr vs_std="—"
  check "$e" "$label"; check "$m" "$label"
  er=$(msgs_per_s "$e"); mr=$(msgs_per_s "$m")
  [[ $kind != std ]] && vs_std=$(ratio "$er" "$(msgs_per_s "$es")")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$scenario" "$(kind_label "$kind")" \
    "$(fmt_rate "$er")" "$(fmt_us "$(field "$e" p50_us)")" "$(fmt_us "$(field "$e" p99_us)")" \
    "$vs_std" "$(fmt_rate "$mr")" "$(fmt_us "$(field "$m" p99_us)")" "$(ratio "$er" "$mr")"
}

# The issue's target: FIFO with 1,000 groups at >= 70% of the standard queue (a report, no gate).
target_note() {
  local s e std r parts=()
  for s in $SCENARIOS; do
    e=$(msgs_per_s "$OUT/fifo.eventbrokerd.$s.g1000.json")
    std=$(msgs_per_s "$OUT/fifo.eventbrokerd.$s.std.json")
    [[ -n $e && -n $std ]] || continue
    r=$(awk -v a="$e" -v b="$std" 'BEGIN {if (b > 0) printf "%.2f", a/b; else print 0}')
    parts+=("$s $r ($(awk -v r="$r" 'BEGIN {print (r >= 0.7 ? "met" : "not met")}'))")
  done
  ((${#parts[@]})) || return 0
  local joined
  joined=$(printf '%s; ' "${parts[@]}")
  echo "- target, eventbrokerd FIFO with 1,000 groups ≥ 0.70 × standard: ${joined%; }."
}

{
  echo "## FIFO queues: eventbrokerd vs moto_server (SQS, AWS JSON 1.0)"
  echo
  echo "$(nproc) cores shared by server and generator; ${DURATION}s per run; $CONNECTIONS keep-alive" \
    "connections; 100-byte bodies; eventbrokerd --in-memory; $(date -u +%Y-%m-%dT%H:%MZ);" \
    "load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo
  echo "| scenario | queue | eventbrokerd msgs/s | p50 | p99 | FIFO ÷ standard | moto msgs/s | moto p99 | eventbrokerd ÷ moto |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for s in $SCENARIOS; do
    for k in "${KINDS[@]}"; do row "$s" "$k"; done
  done
  echo
  for v in "${!NO_RESULT[@]}"; do echo "- no result from ${NO_RESULT[$v]}: $v"; done
  for n in "${NOTES[@]}"; do echo "- $n"; done
  target_note
  echo "- send-batch: SendMessageBatch of 10, the queue not consumed. receive-delete:" \
    "ReceiveMessage(10, WaitTimeSeconds=0) + DeleteMessageBatch on a queue prefilled with" \
    "$RD_DEPTH messages (moto: $MOTO_PREFILL; its send and receive cost grows with queue depth)." \
    "cycle: SendMessage → ReceiveMessage(1) → DeleteMessage, counted per message received and deleted."
  echo "- FIFO messages: MessageGroupId g<k>, k = message number mod the group count (one counter over" \
    "all connections, so concurrent requests hit different groups), a unique MessageDeduplicationId," \
    "ContentBasedDeduplication=false."
  echo "- FIFO with 1 group: a receive only gets messages of a group with none in flight, so while one" \
    "connection holds g0's messages the others' receives come back empty. Its low receive-delete and" \
    "cycle figures are FIFO semantics, not overhead."
  echo "- FIFO ÷ standard = eventbrokerd FIFO msgs/s ÷ eventbrokerd standard msgs/s, same scenario;" \
    "eventbrokerd ÷ moto = msgs/s ratio of the row. p50/p99 are per operation."
  echo "- raw JSON lines and logs: $OUT (fifo.*)"
} | tee "$OUT/fifo.md"
