#!/usr/bin/env bash
# Normal-client latency while slow and silent clients hold connections (issue 12,
# item 6).
#
#   bash bench/slow_clients.sh      # FLOODS="0 64 512" REQUESTS=200 REPEAT=3
#
# Builds the release `oauth-server` and the example `slow_clients`, starts the
# server on 127.0.0.1 with its defaults (demo fixture, memory store: header-read
# timeout 10 s, idle timeout 60 s, at most 1024 connections), and for each FLOOD
# of FLOODS runs examples/slow_clients.rs REPEAT times against a fresh server:
# FLOOD connections trickling a request head one byte a second plus FLOOD silent
# ones, then REQUESTS client-credentials token requests one at a time, each on a
# new connection. Prints each run's line and, per FLOOD, the median over the
# repeats of the p50 and p99 latency (ms). Every run is bounded: the flood is
# held at most 30 s, the requests stop after 100,000 or 60 s. Keep 2 × FLOOD
# under the cap (1024): past it, connections wait in the listen backlog until the
# timeouts free slots, and once the backlog is full too a connect times out
# (5 s) and the run stops — the cap working, but nothing left to measure.
set -euo pipefail
cd "$(dirname "$0")/.."

FLOODS="${FLOODS:-0 64 512}"
REQUESTS="${REQUESTS:-200}"
REPEAT="${REPEAT:-3}"
PORT="${PORT:-18180}"
HOST=127.0.0.1
TARGET_DIR="${CARGO_TARGET_DIR:-target}"

echo "building release binaries…" >&2
cargo build --release --locked -q -p oauth-server-reference --bin oauth-server --example slow_clients
SERVER="$TARGET_DIR/release/oauth-server"
CLIENT="$TARGET_DIR/release/examples/slow_clients"

# WORK (removed at exit), PIDS (killed at exit), median, start
. bench/lib.sh
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

summary=()
for flood in $FLOODS; do
    p50s=(); p99s=()
    for _ in $(seq 1 "$REPEAT"); do
        start server "$SERVER" --listen "$HOST:$PORT"
        line="$("$CLIENT" "http://$HOST:$PORT" "$flood" "$REQUESTS")"
        echo "$line"
        p50s+=("$(field p50_ms " $line")"); p99s+=("$(field p99_ms " $line")")
        kill "$pid"; wait "$pid" 2>/dev/null || true
    done
    summary+=("flood=${flood}+${flood} median_p50_ms=$(median "${p50s[@]}") median_p99_ms=$(median "${p99s[@]}")")
done
echo
printf '%s\n' "${summary[@]}"
