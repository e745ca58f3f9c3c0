#!/usr/bin/env bash
# Password-check flood (issue 12): the server's peak RSS while CONNS (default 64)
# connections send failed sign-ins for DURATION seconds (default 60), each for a
# new username, so every request costs an Argon2id check (19 MiB of memory).
# The target is a peak RSS under 150 MB: checks run in a bounded pool with reused
# memory (server-reference/src/hashing.rs), and the excess gets 503.
#
#   bash bench/password_flood.sh                  # login form, 64 conns, 60 s
#   MODE=password bash bench/password_flood.sh    # the password grant instead
#   DURATION=10 CONNS=32 bash bench/password_flood.sh
#
# 127.0.0.1 only; the run is bounded by DURATION (wrk -d) and the server is
# stopped at the end. Prints the answers by kind and the server's peak RSS
# (VmHWM of /proc/PID/status: the high-water mark over the whole run, idle
# start-up included) and its RSS at the end (VmRSS).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-60}"
CONNS="${CONNS:-64}"
MODE="${MODE:-login}"
PORT="${PORT:-18090}"
HOST=127.0.0.1
TARGET_DIR="${CARGO_TARGET_DIR:-target}"

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian package)…" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi

echo "building oauth-server (release)…" >&2
cargo build --release --locked -q -p oauth-server-reference --bin oauth-server
SERVER="$TARGET_DIR/release/oauth-server"

WORK="$(mktemp -d)"
pid=""
cleanup() {
    [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

"$SERVER" --listen "$HOST:$PORT" >"$WORK/out" 2>"$WORK/err" &
pid=$!
for _ in $(seq 1 300); do
    grep -q "listening on" "$WORK/out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/err" >&2; exit 1; }
    sleep 0.1
done
grep -q "listening on" "$WORK/out" || { echo "the server did not start" >&2; exit 1; }

mb() { awk -v k="$1" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
idle=$(mb VmRSS)

case $MODE in
    login) url="http://$HOST:$PORT/oauth/login" ;;
    password) url="http://$HOST:$PORT/oauth/token" ;;
    *) echo "MODE must be login or password" >&2; exit 2 ;;
esac
auth="Basic $(printf 'demo-confidential:demo-confidential-secret' | base64 -w0)"

echo "machine: $(nproc) cores; $MODE flood, $CONNS connections, ${DURATION}s; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
read -r _ requests checked busy locked other <<<"$(
    FLOOD_MODE="$MODE" FLOOD_AUTH="$auth" \
        wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s -s bench/flood.lua "$url" \
        | awk '/^RESULT/'
)"
kill -0 "$pid" 2>/dev/null || { echo "the server died" >&2; cat "$WORK/err" >&2; exit 1; }
printf 'answers: %d (checked and refused %d, 503 busy %d, 429 locked %d, other %d)\n' \
    "$requests" "$checked" "$busy" "$locked" "$other"
printf 'RSS: idle %s MB, peak %s MB (VmHWM), at the end %s MB\n' "$idle" "$(mb VmHWM)" "$(mb VmRSS)"
