#!/usr/bin/env bash
# Multi-core scaling: SendMessage/s of eventbrokerd --in-memory with 1, 2, 4 and 8 I/O threads
# (--threads) and its default (one per core), into one queue and spread over many, at 1 to 64
# connections, beside nginx answering a fixed SendMessage-sized 200 (the HTTP ceiling of this
# machine) at the same connection counts in the same run. Load: wrk (one thread, Lua script
# bench/wrk/send_message.lua). Where the machine has 4 or more cores, wrk is pinned to the last
# core and the servers to the others (taskset); on fewer, nothing is pinned (the table says so).
# wrk and nginx come from Debian: wrk is installed with apt-get when missing, nginx's binary is
# taken out of its package into build/tools/ (installing the package would start a server on
# port 80). Writes build/bench-results/scaling.md. See bench/README.md, "Scaling".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${BENCH_DURATION:-5}
THREADS=${BENCH_THREADS:-"1 2 4 8 default"}
CONNECTIONS=${BENCH_CONNECTIONS:-"1 4 16 64"}
MANY_QUEUES=${BENCH_QUEUES:-64}
BUILD=${BENCH_BUILD:-1}
OUT=${BENCH_OUT:-$ROOT/build/bench-results}
EVENTBROKERD=${EVENTBROKERD:-$ROOT/build/release/eventbrokerd}
TOOLS=$ROOT/build/tools

mkdir -p "$OUT" "$TOOLS"
log() { printf '[bench] %s\n' "$*" >&2; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

# ---- tools ---------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  log "installing wrk (apt)"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends wrk
fi
NGINX=$TOOLS/nginx
if [[ ! -x $NGINX ]]; then
  log "taking nginx's binary out of Debian's package into build/tools"
  dir=$(mktemp -d)
  if ! (cd "$dir" && apt-get download -qq nginx 2>/dev/null); then
    "${sudo[@]}" apt-get update -qq
    (cd "$dir" && apt-get download -qq nginx)
  fi
  dpkg-deb -x "$dir"/nginx_*.deb "$dir/root"
  install -m 755 "$dir/root/usr/sbin/nginx" "$NGINX"
  rm -rf "$dir"
fi
if [[ $BUILD == 1 ]]; then
  log "building eventbrokerd (Release) in build/release"
  cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DEB_BUILD_TESTS=OFF -DEB_BUILD_BENCH=ON >"$OUT/scaling-build.log" 2>&1
  ninja -C "$ROOT/build/release" eventbrokerd >>"$OUT/scaling-build.log" 2>&1
fi
[[ -x $EVENTBROKERD ]] || { log "no $EVENTBROKERD; run with BENCH_BUILD=1"; exit 2; }

# ---- pinning -------------------------------------------------------------------------------
cores=$(nproc)
server_pin=() load_pin=()
pinning="nothing pinned: $cores cores are too few to keep one for the load generator"
if ((cores >= 4)); then
  server_pin=(taskset -c "0-$((cores - 2))")
  load_pin=(taskset -c "$((cores - 1))")
  pinning="wrk on core $((cores - 1)), servers on cores 0-$((cores - 2))"
fi

# ---- nginx ---------------------------------------------------------------------------------
NGINX_DIR=$OUT/nginx
NGINX_PID=""
stop_nginx() {
  if [[ -n $NGINX_PID ]]; then
    kill "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
  fi
}
start_nginx() {
  local port
  port=$(free_port)
  mkdir -p "$NGINX_DIR/logs"
  cat >"$NGINX_DIR/nginx.conf" <<EOF
daemon off;
worker_processes $((cores >= 4 ? cores - 1 : cores));
error_log $NGINX_DIR/logs/error.log warn;
pid $NGINX_DIR/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $NGINX_DIR/body;
  proxy_temp_path $NGINX_DIR/proxy;
  fastcgi_temp_path $NGINX_DIR/fastcgi;
  uwsgi_temp_path $NGINX_DIR/uwsgi;
  scgi_temp_path $NGINX_DIR/scgi;
  server {
    listen 127.0.0.1:$port;
    location / {
      default_type application/x-amz-json-1.0;
      return 200 '{"MD5OfMessageBody":"2c5eb8c6a7e5e6e3b5b1e2a1f6a2f3b4","MessageId":"6b1c7e52-5d0e-4c5f-9d7a-3f2a1b0c9d8e"}';
    }
  }
}
EOF
  "${server_pin[@]}" "$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/logs/error.log" &
  NGINX_PID=$!
  NGINX_PORT=$port
  local deadline=$((SECONDS + 10))
  until probe "$port"; do
    ((SECONDS < deadline)) || { log "nginx did not start (see $NGINX_DIR/logs)"; exit 1; }
    sleep 0.05
  done
}
trap 'stop_server; stop_nginx' EXIT
trap 'exit 130' INT TERM

# wrk_rate PORT CONNECTIONS QUEUE_PREFIX QUEUES: SendMessage/s of one wrk run ("n/a" on errors).
wrk_rate() {
  local out
  out=$(EB_QUEUE_PREFIX=$3 EB_QUEUES=$4 "${load_pin[@]}" wrk -t1 -c"$2" -d"${DURATION}s" \
    -s "$ROOT/bench/wrk/send_message.lua" "http://127.0.0.1:$1/" 2>&1) || true
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    log "wrk saw errors on port $1: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ')"
  fi
  awk '/^Requests\/sec:/ {printf "%.0f", $2; found = 1} END {if (!found) printf "n/a"}' <<<"$out"
}

create_queues() {
  local i
  for ((i = 0; i < $1; i++)); do
    printf '{"QueueName":"scale-%d"}' "$i" |
      curl -sf -o /dev/null -X POST -H 'Content-Type: application/x-amz-json-1.0' \
        -H 'X-Amz-Target: AmazonSQS.CreateQueue' --data-binary @- "http://127.0.0.1:$PORT/"
  done
}

# ---- runs ----------------------------------------------------------------------------------
declare -A rate
log "nginx ($pinning)"
start_nginx
for c in $CONNECTIONS; do
  rate[nginx,$c]=$(wrk_rate "$NGINX_PORT" "$c" "http://127.0.0.1:$NGINX_PORT/000000000000/scale-" 1)
  log "nginx, $c connections: ${rate[nginx,$c]}/s"
done
stop_nginx

for t in $THREADS; do
  for q in 1 "$MANY_QUEUES"; do
    EVENTBROKERD_ARGS=""
    [[ $t == default ]] || EVENTBROKERD_ARGS="--threads $t"
    EVENTBROKERD="$EVENTBROKERD" LOG_PREFIX=scaling- start_server eventbrokerd
    if ((${#server_pin[@]} > 0)); then taskset -a -p -c "0-$((cores - 2))" "$SERVER_PID" >/dev/null; fi
    create_queues "$q"
    for c in $CONNECTIONS; do
      rate[$t,$q,$c]=$(wrk_rate "$PORT" "$c" "http://127.0.0.1:$PORT/000000000000/scale-" "$q")
      log "eventbrokerd --threads $t, $q queue(s), $c connections: ${rate[$t,$q,$c]}/s"
    done
    stop_server
  done
done

# ---- table ---------------------------------------------------------------------------------
ratio() {
  [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || { printf 'n/a'; return; }
  awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'
}
{
  echo "# Scaling: SendMessage/s by I/O threads and connections"
  echo
  echo "$(date -u +%F), $(nproc) cores, $pinning; wrk 1 thread, ${DURATION} s a cell,"
  echo "eventbrokerd \`--in-memory\`, 100-byte bodies; in brackets: the ratio to nginx answering a"
  echo "fixed 200 at the same connection count in this run. \`default\` is one thread per core."
  echo
  printf '| threads | queues |'
  for c in $CONNECTIONS; do printf ' %s conn |' "$c"; done
  printf '\n|---|---|'
  for _ in $CONNECTIONS; do printf -- '---|'; done
  printf '\n| nginx | — |'
  for c in $CONNECTIONS; do printf ' %s |' "${rate[nginx,$c]}"; done
  echo
  for t in $THREADS; do
    for q in 1 "$MANY_QUEUES"; do
      printf '| %s | %s |' "$t" "$q"
      for c in $CONNECTIONS; do
        printf ' %s (%s) |' "${rate[$t,$q,$c]}" "$(ratio "${rate[$t,$q,$c]}" "${rate[nginx,$c]}")"
      done
      echo
    done
  done
} >"$OUT/scaling.md"
cat "$OUT/scaling.md"
