# shellcheck shell=bash
# Shell helpers shared by the side-by-side benchmark scripts (run.sh, sns.sh, fifo.sh,
# events.sh); sourced, not run.
# Building the release tools, starting and stopping one server under test on a free loopback
# port, and reading the load generators' JSON lines. The caller sets ROOT, OUT, EVENTBROKERD,
# MOTO_SERVER and may set EVENTBROKERD_ARGS, LOG_PREFIX (log file names) and STARTUP_TIMEOUT_S.

if [[ -z ${MOTO_SERVER:-} ]]; then
  # Resolve past the pyenv shim: its start-up cost would otherwise count as moto's.
  MOTO_SERVER=$(pyenv which moto_server 2>/dev/null || command -v moto_server || true)
fi
STARTUP_TIMEOUT_S=${STARTUP_TIMEOUT_S:-30}

# build_tools LOG TOOL [TARGET...]: builds eventbrokerd, the load generator TOOL and TARGETs in
# build/release (Release, no tests, benchmarks on); when that tree does not build, TOOL alone with
# bench/ as its own CMake project in build/bench. Prints the path of TOOL.
build_tools() {
  local logfile=$1 tool=$2
  shift 2
  if cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DEB_BUILD_TESTS=OFF -DEB_BUILD_BENCH=ON >>"$logfile" 2>&1 &&
    ninja -C "$ROOT/build/release" eventbrokerd "$tool" "$@" >>"$logfile" 2>&1; then
    echo "$ROOT/build/release/bench/$tool"
    return
  fi
  log "top-level release build failed (see $logfile); building $tool alone"
  cmake -S "$ROOT/bench" -B "$ROOT/build/bench" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    >>"$logfile" 2>&1 && ninja -C "$ROOT/build/bench" "$tool" >>"$logfile" 2>&1
  echo "$ROOT/build/bench/$tool"
}

# find_tool TOOL: the path of an already built load generator (release tree first), or nothing.
find_tool() {
  local c
  for c in "$ROOT/build/release/bench/$1" "$ROOT/build/bench/$1"; do
    [[ -x $c ]] && echo "$c" && return
  done
  return 0
}

SERVER_PID=""
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Succeeds once anything answers GET /health with an HTTP status line (bash's /dev/tcp: no fork).
probe() {
  local line=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$1" >&3 ||
    { exec 3<&-; return 1; }
  IFS= read -r -t 2 line <&3 || true
  exec 3<&-
  [[ $line == HTTP/1.* ]]
}

# start_server TARGET (eventbrokerd | moto): sets PORT, SERVER_PID and STARTUP_MS (spawn → first
# HTTP answer). eventbrokerd runs --in-memory unless EVENTBROKERD_STORAGE_ARGS says otherwise
# (e.g. "--data-dir DIR --durability wal"). Logs go to $OUT/${LOG_PREFIX}TARGET.log.
start_server() {
  local target=$1 t0 deadline logfile="$OUT/${LOG_PREFIX:-}$1.log"
  PORT=$(free_port)
  t0=$(date +%s%N)
  case $target in
    eventbrokerd)
      # shellcheck disable=SC2086
      "$EVENTBROKERD" --listen "127.0.0.1:$PORT" ${EVENTBROKERD_STORAGE_ARGS:---in-memory} \
        --log-level warn ${EVENTBROKERD_ARGS:-} >>"$logfile" 2>&1 &
      ;;
    moto) "$MOTO_SERVER" -H 127.0.0.1 -p "$PORT" >>"$logfile" 2>&1 & ;;
  esac
  SERVER_PID=$!
  deadline=$((t0 + STARTUP_TIMEOUT_S * 1000000000))
  until probe "$PORT"; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      log "$target exited during start-up (see $logfile)"
      SERVER_PID=""
      return 1
    fi
    if (($(date +%s%N) > deadline)); then
      log "$target did not answer within ${STARTUP_TIMEOUT_S}s"
      stop_server
      return 1
    fi
  done
  # shellcheck disable=SC2034  # read by the caller
  STARTUP_MS=$((($(date +%s%N) - t0) / 1000000))
}

# have_target TARGET: whether its binary is there (says so when it is not).
have_target() {
  case $1 in
    eventbrokerd) [[ -x $EVENTBROKERD ]] || { log "no $EVENTBROKERD; skipping eventbrokerd"; return 1; } ;;
    moto) [[ -x ${MOTO_SERVER:-} ]] || { log "moto_server not found; skipping moto"; return 1; } ;;
  esac
}

# field FILE KEY: a numeric field of a load generator's JSON line; nothing for a missing file (a
# target not run), which under pipefail would otherwise end the caller with sed's status.
field() { [[ -f $1 ]] || return 0; sed -n "s/.*\"$2\":\\([^,}]*\\).*/\\1/p" "$1" | head -n1; }

fmt_rate() { [[ -n $1 ]] && awk -v v="$1" 'BEGIN {printf "%.0f", v}' || printf 'n/a'; }
fmt_us() {
  [[ -z $1 ]] && { printf 'n/a'; return; }
  awk -v v="$1" 'BEGIN { if (v >= 1000) printf "%.2f ms", v/1000; else printf "%.0f µs", v }'
}
