#!/usr/bin/env bash
# Load benchmark of the reference server's token endpoint (issue 7, docs/performance.md).
#
#   bash bench/run.sh            # from a clean checkout; needs root for apt-get if wrk is missing
#
# Builds release binaries, then on 127.0.0.1 only measures, at each connection
# count of CONNS (default 1 16 64), REPEAT times (default 3) for DURATION seconds
# (default 10):
#   baseline    an axum handler returning a fixed JSON body (examples/baseline.rs)
#   cc          POST /oauth/token grant_type=client_credentials, client_secret_basic
#   code        POST /oauth/token grant_type=authorization_code, client_secret_basic,
#               a fresh code per request (minted beforehand by examples/mint_codes.rs
#               through the login form and GET /oauth/authorize)
#   introspect  POST /oauth/introspect (RFC 7662) of a live token, client_secret_basic
# for the memory store, the SQLite store (--database sqlite://…) and, when Debian's
# postgresql is installed, the PostgreSQL store (--database postgres://…, a
# throwaway cluster with fsync on, started by server-reference/tests/support/
# pg_cluster.sh on a free loopback port and stopped at exit); STORES (default
# "memory sqlite postgres") picks some of them. It prints the
# median requests/s, p50 and p99 latency over the repeats, the errors of all
# repeats (non-2xx + socket errors), the server's RSS after the last repeat, the
# median as a fraction of the baseline's, and the RSS of each store idle and at
# the end. The server runs with bench/bench.toml (demo values, 10-minute codes);
# idle RSS is also measured with the built-in demo fixture.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10}"
CONNS="${CONNS:-1 16 64}"
REPEAT="${REPEAT:-3}"
PORT_BASE="${PORT_BASE:-18080}"
STORES="${STORES:-memory sqlite postgres}"
HOST=127.0.0.1
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
# basic CLIENT — client_secret_basic for a bench.toml client (secret: "CLIENT-secret").
basic() { printf 'Basic %s' "$(printf '%s:%s-secret' "$1" "$1" | base64 -w0)"; }
CC_AUTH="$(basic demo-confidential)"
CODE_AUTH="$(basic demo-trusted)"
CODE_BODY="grant_type=authorization_code&redirect_uri=http%3A%2F%2F127.0.0.1%3A9876%2Fcallback&code="

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian package)…" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
command -v curl >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq curl >/dev/null; }

echo "building release binaries…" >&2
cargo build --release --locked -q -p oauth-server-reference --bin oauth-server \
    --example baseline --example mint_codes
SERVER="$TARGET_DIR/release/oauth-server"
BASELINE="$TARGET_DIR/release/examples/baseline"
MINTER="$TARGET_DIR/release/examples/mint_codes"
LUA="bench/post.lua"

# WORK (removed at exit), PIDS (killed at exit), median, start
. bench/lib.sh

rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }


# wrk_once CONNS SECONDS URL BODY AUTH [CODES] — one wrk run; prints
# "req/s p50 p99 errors taken short requests" (post.lua's RESULT line).
wrk_once() {
    local c=$1 secs=$2 url=$3 body=$4 auth=$5 codes=${6:-}
    local threads=$(( c < 2 ? 1 : 2 ))
    BENCH_BODY="$body" BENCH_AUTH="$auth" BENCH_CODES="$codes" BENCH_THREADS=$threads \
        wrk -t"$threads" -c"$c" -d"${secs}s" --timeout 2s -s "$LUA" "$url" \
        | awk '/^RESULT/ { $1 = ""; print }'
}

# mint BASE COUNT FILE — COUNT fresh codes for demo-trusted into FILE.
mint() { MINT_CONCURRENCY=16 "$MINTER" "$1" "$2" "$3"; }

declare -A RPS       # "label conns" -> median req/s
SHORT=0              # code-exchange requests that found no code left (reported runs)
REDONE=0             # code-exchange runs redone because they ran out of codes
OK=0                 # successful requests of the reported runs so far

# run LABEL URL BODY AUTH PID [MINT_BASE] — REPEAT wrk runs per connection count,
# one table line each. With MINT_BASE (code exchange), each run gets its own fresh
# codes: 1.5 × DURATION × the rate of a 1-second unreported warm-up run (itself
# given codes for 1.5 × the same store's client-credentials rate); a run that still
# runs out is redone (at most twice) with more, and the last attempt is reported
# whatever happens, its refusals counted as errors.
run() {
    local label=$1 url=$2 body=$3 auth=$4 pid=$5 mint_base=${6:-}
    for c in $CONNS; do
        local rps=() p50=() p99=() errs=0 codes="" need=0 warm
        if [[ -n $mint_base ]]; then
            codes="$WORK/codes"
            local cc_label="${label% *} cc"
            mint "$mint_base" "$(awk -v r="${RPS[$cc_label $c]}" 'BEGIN { printf "%d", 1.5 * r + 100 }')" "$codes"
            read -r warm _ <<<"$(wrk_once "$c" 1 "$url" "$body" "$auth" "$codes")"
            need=$(awk -v r="$warm" -v d="$DURATION" 'BEGIN { printf "%d", 1.5 * r * d + 100 }')
        fi
        for _ in $(seq 1 "$REPEAT"); do
            for attempt in 1 2 3; do
                [[ -n $codes ]] && mint "$mint_base" "$need" "$codes"
                read -r r a b e t s n <<<"$(wrk_once "$c" "$DURATION" "$url" "$body" "$auth" "$codes")"
                ((s == 0 || attempt == 3)) && break
                # Out of codes: the run measured cheap refusals; redo it with 1.5 × the
                # requests it made (an over-estimate, refusals being faster).
                REDONE=$((REDONE + 1))
                need=$(awk -v t="$t" 'BEGIN { printf "%d", 1.5 * t + 100 }')
            done
            rps+=("$r"); p50+=("$a"); p99+=("$b")
            errs=$((errs + e)); SHORT=$((SHORT + s)); OK=$((OK + n - e))
        done
        RPS[$label $c]=$(median "${rps[@]}")
        local frac="-"
        [[ $label == baseline ]] ||
            frac=$(awk -v a="${RPS[$label $c]}" -v b="${RPS[baseline $c]}" 'BEGIN { printf "%.0f%%", 100 * a / b }')
        printf '%-22s %5s %10.0f %9.2f %9.2f %7s %8s %8s\n' \
            "$label" "$c" "${RPS[$label $c]}" "$(median "${p50[@]}")" "$(median "${p99[@]}")" \
            "$errs" "$(rss_mb "$pid")" "$frac"
    done
}

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo); wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'); ${DURATION}s per run, median of $REPEAT; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
printf '%-22s %5s %10s %9s %9s %7s %8s %8s\n' \
    scenario conns "req/s" "p50 ms" "p99 ms" errors "RSS MB" "of base"
start baseline "$BASELINE" "$HOST:$PORT_BASE"
run baseline "http://$HOST:$PORT_BASE/oauth/token" "grant_type=client_credentials" "$CC_AUTH" "$pid"
kill "$pid"

bench_store() {
    local store=$1 port=$2; shift 2
    start "$store" "$SERVER" --config bench/bench.toml --listen "$HOST:$port" "$@"
    sleep 1
    local idle url="http://$HOST:$port"
    idle=$(rss_mb "$pid")
    OK=0
    run "$store cc" "$url/oauth/token" "grant_type=client_credentials" "$CC_AUTH" "$pid"
    # Tokens are kept until they expire (2 h), so the RSS growth is their cost
    # (the SQLite store keeps them on disk).
    [[ $store == memory ]] && awk -v n="$OK" -v a="$idle" -v b="$(rss_mb "$pid")" -v s="$store" 'BEGIN {
        printf "RSS %s: %d tokens issued by cc, +%.1f MB: %.0f bytes per token\n", s, n, b - a, (b - a) * 1048576 / n }' >>"$WORK/rss"
    run "$store code" "$url/oauth/token" "$CODE_BODY" "$CODE_AUTH" "$pid" "$url"
    local token
    token=$(curl -sf -u demo-confidential:demo-confidential-secret \
        -d grant_type=client_credentials "$url/oauth/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    run "$store introspect" "$url/oauth/introspect" "token=$token" "$CC_AUTH" "$pid"
    echo "RSS $store: idle ${idle} MB, after load $(rss_mb "$pid") MB" >>"$WORK/rss"
    kill "$pid"
}

wants() { [[ " $STORES " == *" $1 "* ]]; }
wants memory && bench_store memory $((PORT_BASE + 1))
wants sqlite && bench_store sqlite $((PORT_BASE + 2)) --database "sqlite://$WORK/bench.sqlite"
if wants postgres && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    # A cluster of our own (initdb, fsync on, scram-sha-256), as the postgres
    # user when run as root; it stops when its stdin (fd PG_IN) closes at exit.
    pg_dir="$WORK/pg"
    mkdir -p "$pg_dir"
    chmod 711 "$WORK" # the postgres user must reach its directory in it
    pg_pass=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    printf '%s' "$pg_pass" >"$pg_dir/pwfile"
    pg_port=$((PORT_BASE + 4))
    exec {PG_IN}> >(sh server-reference/tests/support/pg_cluster.sh "$pg_dir" "$pg_port" on >"$WORK/pg.out")
    for _ in $(seq 1 600); do grep -q ready "$WORK/pg.out" 2>/dev/null && break; sleep 0.1; done
    grep -q ready "$WORK/pg.out" || { echo "the PostgreSQL cluster did not start" >&2; exit 1; }
    bench_store postgres $((PORT_BASE + 5)) \
        --database "postgres://oauth:$pg_pass@127.0.0.1:$pg_port/postgres"
    exec {PG_IN}>&-
elif wants postgres; then
    echo "postgres: skipped, PostgreSQL is not installed (apt-get install postgresql)" >&2
fi
# The idle-RSS target of docs/performance.md is the server as users start it: the demo fixture, whose two
# Argon2id password hashes at start-up leave more heap behind than bench.toml's one.
start demo "$SERVER" --listen "$HOST:$((PORT_BASE + 3))"
sleep 1
echo "RSS demo fixture (no --config, memory store): idle $(rss_mb "$pid") MB" >>"$WORK/rss"
kill "$pid"
cat "$WORK/rss"
echo "code exchange: $REDONE runs redone with more codes after running out;" \
    "$SHORT requests of reported runs found no fresh code left (counted as errors)"
