#!/usr/bin/env bash
# Load benchmark of the reference server's token endpoint (issue 7, SPEC §5).
#
#   bash bench/run.sh            # from a clean checkout; needs root for apt-get if wrk is missing
#
# Builds release binaries, then on 127.0.0.1 only measures, at 1, 16 and 64
# connections (DURATION seconds each, default 10):
#   baseline    an axum handler returning a fixed JSON body (examples/baseline.rs)
#   cc          POST /oauth/token grant_type=client_credentials, client_secret_basic
#   introspect  POST /oauth/introspect (RFC 7662) of a live token, client_secret_basic
# for the memory store and the SQLite store (--database sqlite://…), and prints
# requests/s, p50 and p99 latency, errors (non-2xx + socket errors), the server's
# RSS idle and after load, and each result as a fraction of the baseline.
# Authorization code exchange is not measured: each code needs a browser-style
# login and consent round trip first (see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
CONNS="${CONNS:-1 16 64}"
PORT_BASE="${PORT_BASE:-18080}"
HOST=127.0.0.1
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
BASIC="Basic $(printf '%s' 'demo-confidential:demo-confidential-secret' | base64 -w0)"

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian package)…" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
command -v curl >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq curl >/dev/null; }

echo "building release binaries…" >&2
cargo build --release --locked -q -p oauth-server-reference --bin oauth-server --example baseline
SERVER="$TARGET_DIR/release/oauth-server"
BASELINE="$TARGET_DIR/release/examples/baseline"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout))
end
LUA

rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# start NAME CMD… — starts a server, waits for its "listening on" line; sets $pid.
start() {
    local name=$1; shift
    "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 1 300); do
        grep -q "listening on" "$WORK/$name.out" 2>/dev/null && return
        kill -0 "$pid" 2>/dev/null || { cat "$WORK/$name.err" >&2; exit 1; }
        sleep 0.1
    done
    echo "$name did not start" >&2; exit 1
}

# run LABEL URL BODY — one wrk run per connection count; appends to the table.
declare -A BASE_RPS
run() {
    local label=$1 url=$2 body=$3 pid=$4
    for c in $CONNS; do
        local threads=$(( c < 2 ? 1 : 2 ))
        local out
        out=$(BENCH_BODY="$body" BENCH_AUTH="$BASIC" wrk -t"$threads" -c"$c" -d"${DURATION}s" \
            --timeout 2s -s "$WORK/post.lua" "$url" | grep '^RESULT')
        read -r _ rps p50 p99 errs <<<"$out"
        local frac="-"
        if [[ $label == baseline ]]; then
            BASE_RPS[$c]=$rps
        else
            frac=$(awk -v a="$rps" -v b="${BASE_RPS[$c]}" 'BEGIN { printf "%.0f%%", 100 * a / b }')
        fi
        printf '%-22s %5s %10.0f %9.2f %9.2f %7s %8s %8s\n' \
            "$label" "$c" "$rps" "$p50" "$p99" "$errs" "$(rss_mb "$pid")" "$frac" | tee -a "$WORK/table"
    done
}

header() {
    printf '%-22s %5s %10s %9s %9s %7s %8s %8s\n' \
        scenario conns "req/s" "p50 ms" "p99 ms" errors "RSS MB" "of base"
}

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'); ${DURATION}s per run" >&2
header
start baseline "$BASELINE" "$HOST:$PORT_BASE"
run baseline "http://$HOST:$PORT_BASE/oauth/token" "grant_type=client_credentials" "$pid"
kill "$pid"

bench_store() {
    local store=$1 port=$2; shift 2
    start "$store" "$SERVER" --listen "$HOST:$port" "$@"
    sleep 1
    local idle
    idle=$(rss_mb "$pid")
    local url="http://$HOST:$port"
    run "$store cc" "$url/oauth/token" "grant_type=client_credentials" "$pid"
    local token
    token=$(curl -sf -u demo-confidential:demo-confidential-secret \
        -d grant_type=client_credentials "$url/oauth/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    run "$store introspect" "$url/oauth/introspect" "token=$token" "$pid"
    echo "RSS $store: idle ${idle} MB, after load $(rss_mb "$pid") MB" >>"$WORK/rss"
    kill "$pid"
}

bench_store memory $((PORT_BASE + 1))
bench_store sqlite $((PORT_BASE + 2)) --database "sqlite://$WORK/bench.sqlite"
cat "$WORK/rss"
