#!/usr/bin/env bash
# Side-by-side EventBridge benchmark: eventbrokerd --in-memory (and durable, --durability wal) vs
# moto_server on this machine, driven by events_load: the default bus with BENCH_RULES rules of
# mixed pattern operators, some with SQS targets. Case 1: PutEvents of 10 entries, unpaced,
# events/s accepted, then every queue's depth checked against the deliveries the generator
# expects (exactly once). Case 2: PutEvents → SQS receive latency at BENCH_RATE events/s with
# long-polling consumers. Each run on a freshly started server; the table goes to
# build/bench-results/events.md. See bench/README.md ("EventBridge") for the knobs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
RATE=${BENCH_RATE:-2000}
RULES=${BENCH_RULES:-300}
QUEUES=${BENCH_QUEUES:-10}
MATCH_PCT=${BENCH_MATCH_PCT:-50}
CONSUMERS=${BENCH_CONSUMERS:-1}
DRAIN=${BENCH_DRAIN:-10}
TARGETS=${BENCH_TARGETS:-"eventbrokerd moto"}
DURABLE=${BENCH_DURABLE:-1}
MOTO_LATENCY_RATE=${BENCH_MOTO_LATENCY_RATE:-auto}
BUILD=${BENCH_BUILD:-1}
OUT=${BENCH_OUT:-$ROOT/build/bench-results}
EVENTBROKERD=${EVENTBROKERD:-$ROOT/build/release/eventbrokerd}
EVENTBROKERD_ARGS=${BENCH_EVENTBROKERD_ARGS:-}
EVENTS_LOAD=${EVENTS_LOAD:-}
LOG_PREFIX=events-
TARGET_EPS=30000   # the issue's targets, for eventbrokerd
TARGET_P99_US=5000

mkdir -p "$OUT"
log() { printf '[events-bench] %s\n' "$*" >&2; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# ---- build ---------------------------------------------------------------------------------
if [[ $BUILD == 1 ]]; then
  log "building release binaries in build/release"
  : >"$OUT/events-build.log"
  built=$(build_tools "$OUT/events-build.log" events_load)
  EVENTS_LOAD=${EVENTS_LOAD:-$built}
fi
EVENTS_LOAD=${EVENTS_LOAD:-$(find_tool events_load)}
[[ -x ${EVENTS_LOAD:-} ]] || { log "events_load not found; run with BENCH_BUILD=1 or set EVENTS_LOAD"; exit 2; }

DATA=$(mktemp -d "${TMPDIR:-/tmp}/events-bench.XXXXXX")
cleanup() { stop_server; rm -rf "$DATA"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# cpu_snapshot: "<machine busy ticks> <machine total ticks> <server cpu ticks>" from /proc.
cpu_snapshot() {
  local srv
  srv=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0)
  awk -v srv="$srv" '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t, srv}' /proc/stat
}

# load LABEL NAME ARGS...: events_load against the running server; JSON line in
# $OUT/events.LABEL.NAME.json, and in $OUT/events.LABEL.NAME.cpu the machine's busy % and the
# server's CPU % (of one core) over the run: other work on the machine shows as the difference.
load() {
  local label=$1 name=$2
  shift 2
  local file="$OUT/events.$label.$name.json" limit=$((${DURATION%.*} + ${DRAIN%.*} + 120)) c0 c1
  log "$label: $name"
  c0=$(cpu_snapshot)
  timeout "$limit" "$EVENTS_LOAD" --endpoint "http://127.0.0.1:$PORT" --connections "$CONNECTIONS" \
    --rules "$RULES" --queues "$QUEUES" --drain-seconds "$DRAIN" --duration "$DURATION" --json \
    "$@" >"$file" 2>>"$OUT/events.$label.events_load.log" ||
    log "$label: $name reported errors or failed (see $OUT/events.$label.events_load.log)"
  c1=$(cpu_snapshot)
  awk -v a="$c0" -v b="$c1" -v n="$(nproc)" 'BEGIN {
    split(a, x, " "); split(b, y, " "); t = y[2] - x[2]
    if (t > 0) printf "machine busy %.0f%%, server %.0f%% of a core\n", 100 * (y[1] - x[1]) / t, 100 * n * (y[3] - x[3]) / t
  }' >"${file%.json}.cpu"
}

throughput() { load "$1" put-events --scenario put-events --batch 10 --match-pct "$MATCH_PCT"; }
latency() { # latency LABEL NAME RATE
  load "$1" "$2" --scenario latency --batch 1 --rate "$3" --consumers "$CONSUMERS"
}

# ---- runs ----------------------------------------------------------------------------------
rm -f "$OUT"/events.*.json "$OUT"/events.*.cpu
for f in eventbrokerd moto eventbrokerd-wal; do
  : >"$OUT/events-$f.log"; : >"$OUT/events.$f.events_load.log"
done
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for t in $TARGETS; do
  have_target "$t" || continue
  if start_server "$t"; then throughput "$t"; stop_server; fi
  if [[ $t == eventbrokerd && $DURABLE == 1 ]]; then
    rm -rf "$DATA/db"
    if EVENTBROKERD_STORAGE_ARGS="--data-dir $DATA/db --durability wal" LOG_PREFIX=events-wal- \
      start_server eventbrokerd; then
      throughput eventbrokerd-wal
      stop_server
    fi
  fi
  if start_server "$t"; then latency "$t" latency "$RATE"; stop_server; fi
  # moto: when it cannot publish at BENCH_RATE, once more at a rate it can sustain (half of what
  # it sent under that pacing unless BENCH_MOTO_LATENCY_RATE says otherwise), for a p99 without
  # the backlog.
  if [[ $t == moto ]]; then
    got=$(field "$OUT/events.moto.latency.json" events_per_s || true)
    if [[ -n $got ]] && awk -v r="$got" -v t="$RATE" 'BEGIN {exit !(r < 0.95 * t)}'; then
      low=$MOTO_LATENCY_RATE
      if [[ $low == auto ]]; then
        low=$(awk -v v="$got" 'BEGIN {r = int(v / 2); if (r < 1) r = 1; print r}')
      fi
      if start_server moto; then latency moto latency-low "$low"; stop_server; fi
    fi
  fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report --------------------------------------------------------------------------------
NOTES=()
ratio() { # ratio A B: A/B as "N.Nx", or n/a
  [[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.1fx", a/b; else print "n/a"}' ||
    printf 'n/a'
}

# check FILE LABEL: notes a missing result, errors and delivery mismatches of one run.
check() {
  local f=$1 label=$2 v
  [[ -f $f ]] || return 0
  [[ -z $(field "$f" events_per_s) ]] && { NOTES+=("$label: ${f##*/} produced no result"); return 0; }
  for k in errors consumer_errors missing extra duplicates foreign queues_off; do
    v=$(field "$f" "$k")
    [[ -n $v && $v != 0 ]] && NOTES+=("$label: ${f##*/} had $v $k")
  done
  [[ $(field "$f" delivered) == null ]] && NOTES+=("$label: ${f##*/}: deliveries could not be counted")
  return 0
}

# exact FILE: "exactly once" when delivered = expected on every queue (no missing, no extra).
exact() {
  local f=$1
  [[ -f $f && -n $(field "$f" delivered) && $(field "$f" delivered) != null ]] || { printf 'not counted'; return; }
  if [[ $(field "$f" missing) == 0 && $(field "$f" extra) == 0 && $(field "$f" queues_off) == 0 ]]; then
    printf 'exactly once'
  else
    printf 'MISMATCH (missing %s, extra %s)' "$(field "$f" missing)" "$(field "$f" extra)"
  fi
}

tput_cell() {
  local f=$1
  [[ -f $f ]] || { printf 'not run'; return; }
  printf '**%s events/s** (%s req/s; per request p50 %s, p99 %s); %s of %s matched events delivered, %s; %s of %s events matched' \
    "$(fmt_rate "$(field "$f" events_per_s)")" "$(fmt_rate "$(field "$f" requests_per_s)")" \
    "$(fmt_us "$(field "$f" p50_us)")" "$(fmt_us "$(field "$f" p99_us)")" \
    "$(field "$f" delivered)" "$(field "$f" expected)" "$(exact "$f")" \
    "$(field "$f" matched)" "$(field "$f" events)"
}

lat_cell() {
  local f=$1
  [[ -f $f ]] || { printf 'not run'; return; }
  printf 'p50 %s, **p99 %s**, max %s; %s events/s sent of %s, %s of %s received' \
    "$(fmt_us "$(field "$f" e2e_p50_us)")" "$(fmt_us "$(field "$f" e2e_p99_us)")" \
    "$(fmt_us "$(field "$f" e2e_max_us)")" "$(fmt_rate "$(field "$f" events_per_s)")" \
    "$(fmt_rate "$(field "$f" target_rate)")" "$(field "$f" delivered)" "$(field "$f" expected)"
}

E1="$OUT/events.eventbrokerd.put-events.json" W1="$OUT/events.eventbrokerd-wal.put-events.json"
M1="$OUT/events.moto.put-events.json"
E2="$OUT/events.eventbrokerd.latency.json" M2="$OUT/events.moto.latency.json"
M3="$OUT/events.moto.latency-low.json"
for f in "$E1" "$W1" "$M1"; do check "$f" "case 1"; done
for f in "$E2" "$M2" "$M3"; do
  check "$f" "case 2"
  [[ -f $f ]] && awk -v r="$(field "$f" events_per_s)" -v t="$(field "$f" target_rate)" 'BEGIN {exit !(r < 0.95 * t)}' &&
    NOTES+=("case 2: ${f##*/} sent only $(fmt_rate "$(field "$f" events_per_s)") of $(fmt_rate "$(field "$f" target_rate)") events/s (its most under that pacing); its percentiles include that backlog")
done

target_note() {
  local e p w
  # field fails (pipefail) on a run that left no file; that is "no figure", not an error.
  e=$(field "$E1" events_per_s || true)
  p=$(field "$E2" e2e_p99_us || true)
  w=$(field "$W1" events_per_s || true)
  if [[ -n $e ]]; then
    awk -v v="$e" -v t="$TARGET_EPS" 'BEGIN {exit !(v >= t)}' &&
      echo "- target case 1 (≥ $TARGET_EPS events/s, eventbrokerd --in-memory): **met** ($(fmt_rate "$e") events/s)" ||
      echo "- target case 1 (≥ $TARGET_EPS events/s, eventbrokerd --in-memory): **missed** ($(fmt_rate "$e") events/s)"
  fi
  [[ -n $w ]] && echo "- durable (wal) eventbrokerd: $(fmt_rate "$w") events/s, $(ratio "$w" "$e") of in-memory"
  if [[ -n $p ]]; then
    awk -v v="$p" -v t="$TARGET_P99_US" 'BEGIN {exit !(v <= t)}' &&
      echo "- target case 2 (p99 ≤ 5 ms at $RATE events/s, eventbrokerd --in-memory): **met** (p99 $(fmt_us "$p"))" ||
      echo "- target case 2 (p99 ≤ 5 ms at $RATE events/s, eventbrokerd --in-memory): **missed** (p99 $(fmt_us "$p"))"
  fi
}

{
  echo "## eventbrokerd vs moto_server (EventBridge: default bus, $RULES rules, SQS targets)"
  echo
  echo "$(nproc) cores shared by server and generator; ${DURATION}s per run; $CONNECTIONS keep-alive" \
    "PutEvents connections; load average $LOAD_START at the start, $LOAD_END at the end;" \
    "$(date -u +%Y-%m-%dT%H:%MZ)."
  echo
  echo "| case | eventbrokerd --in-memory | eventbrokerd durable (wal) | moto | ratio (in-memory ÷ moto) |"
  echo "|---|---|---|---|---|"
  printf '| 1. PutEvents ×10, unpaced (events/s accepted) | %s | %s | %s | %s |\n' \
    "$(tput_cell "$E1")" "$([[ $DURABLE == 1 ]] && tput_cell "$W1" || printf 'not run')" \
    "$(tput_cell "$M1")" "$(ratio "$(field "$E1" events_per_s)" "$(field "$M1" events_per_s)")"
  # A p99 ratio only when both servers kept the pace: a backlogged p99 measures the backlog.
  lat_ratio=$(ratio "$(field "$M2" e2e_p99_us)" "$(field "$E2" e2e_p99_us)")
  for f in "$E2" "$M2"; do
    [[ -f $f ]] && awk -v r="$(field "$f" events_per_s)" -v t="$RATE" 'BEGIN {exit !(r < 0.95 * t)}' &&
      lat_ratio="n/a (${f#"$OUT"/events.} fell short of the rate)"
  done
  printf '| 2. PutEvents → SQS receive at %s events/s (p99) | %s | not run | %s | %s |\n' "$RATE" \
    "$(lat_cell "$E2")" "$(lat_cell "$M2")" "$lat_ratio"
  [[ -f $M3 ]] && printf '| 2b. moto at a rate it sustains (%s events/s) | | | %s | |\n' \
    "$(fmt_rate "$(field "$M3" target_rate)")" "$(lat_cell "$M3")"
  echo
  target_note
  cpu=()
  for f in "$E1" "$W1" "$M1" "$E2" "$M2" "$M3"; do
    [[ -s ${f%.json}.cpu ]] && cpu+=("${f#"$OUT"/events.}: $(cat "${f%.json}.cpu")")
  done
  ((${#cpu[@]})) && echo "- CPU over each run (busy of all $(nproc) cores; the rest of the busy time is the generator and other work on the machine): $(printf '%s; ' "${cpu[@]}" | sed 's/; $//')"
  for n in "${NOTES[@]}"; do echo "- $n"; done
  echo "- $RULES rules on the default bus: each pins \`source\` (bench.app0..) and \`detail-type\`" \
    "(Event0..29) exactly plus one \`detail\` condition, cycling prefix, suffix, numeric range," \
    "anything-but, exists, equals-ignore-case, wildcard, cidr, \$or; 3 rules in 10 have one SQS" \
    "target, round robin over $QUEUES queues. Events (~370 bytes of detail) name one rule;" \
    "$MATCH_PCT% satisfy its condition, the rest fail it or carry a detail-type no rule pins."
  echo "- case 1: the queues are not consumed; afterwards each queue's ApproximateNumberOfMessages" \
    "must equal the deliveries the generator computed for the acknowledged events (matched events" \
    "whose rule has a target). p50/p99 are per PutEvents request of 10 entries."
  echo "- case 2: PutEvents of 1 entry paced at the rate over $CONNECTIONS connections, every event" \
    "matching a targeted rule; $CONSUMERS consumer(s) per queue long-poll ReceiveMessage(10," \
    "WaitTimeSeconds=1) + DeleteMessageBatch; latency = ReceiveMessage response arrival − scheduled" \
    "send time (no coordinated omission); every acknowledged event must be received once."
  echo "- ratio = eventbrokerd ÷ moto for events/s; moto p99 ÷ eventbrokerd p99 for latency when" \
    "both kept the rate (higher is better for eventbrokerd)."
  echo "- raw JSON lines and logs: $OUT (events.*)"
} | tee "$OUT/events.md"
