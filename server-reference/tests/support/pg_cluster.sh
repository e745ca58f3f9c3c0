#!/bin/sh
# A throwaway PostgreSQL cluster for the tests and benches: initdb in DIR, then
# postgres on 127.0.0.1:PORT (no Unix socket outside DIR) with the superuser
# `oauth` whose password is in DIR/pwfile (scram-sha-256), until this script's
# stdin closes — that is, until the caller exits, however it exits. Then the
# server is stopped and DIR removed. Prints `ready` once connections are accepted.
# A `stop` line on stdin stops the server (`stopped`), `start` starts it again.
#
# PostgreSQL refuses to run as root: as root (CI), it runs as the `postgres` user
# that Debian's package creates; otherwise as the caller.
#
# The password is checked with scram-sha-256, or with md5 when asked: the
# client's side of SCRAM (4096 PBKDF2 rounds) is slow in a debug build, and a
# burst of new pool connections in a debug test would time out on it.
#
# Usage: pg_cluster.sh DIR PORT [fsync: on|off] [auth: scram-sha-256|md5]
#        (DIR exists and holds pwfile)
set -eu
dir=$1
port=$2
fsync=${3:-on}
auth=${4:-scram-sha-256}
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ ! -x "$bin/initdb" ]; then
    echo "pg_cluster.sh: no initdb under /usr/lib/postgresql (apt-get install postgresql)" >&2
    exit 1
fi
chmod 700 "$dir" # the local socket in it trusts whoever reaches it
if [ "$(id -u)" = 0 ]; then
    chown -R postgres "$dir"
    run() { runuser -u postgres -- "$@"; }
else
    run() { "$@"; }
fi
if ! run "$bin/initdb" -D "$dir/data" -U oauth --pwfile="$dir/pwfile" \
    --auth-host="$auth" --auth-local=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    exit 1
fi
start_pg() {
    run "$bin/postgres" -D "$dir/data" -h 127.0.0.1 -p "$port" -k "$dir" \
        -c fsync="$fsync" -c max_connections=400 -c shared_buffers=64MB \
        >>"$dir/postgres.log" 2>&1 &
    i=0
    until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; do
        i=$((i + 1))
        if [ "$i" -gt 400 ] || ! kill -0 $! 2>/dev/null; then
            cat "$dir/postgres.log" >&2
            exit 1
        fi
        sleep 0.05
    done
}
stop_pg() {
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then
        # Fast shutdown: open transactions are rolled back, connections cut.
        kill -INT "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    fi
}
start_pg
if [ "$auth" = md5 ]; then
    # initdb stored the password for SCRAM; md5 needs it stored as md5.
    printf "SET password_encryption = 'md5';\nALTER ROLE oauth PASSWORD '%s';\n" \
        "$(cat "$dir/pwfile")" |
        run "$bin/psql" -q -h "$dir" -p "$port" -U oauth -d postgres -v ON_ERROR_STOP=1 >/dev/null
fi
echo ready
# `stop` and `start` lines on stdin stop and restart the server (tests of a
# database lost mid-run); end of input stops it for good.
while read -r command; do
    case $command in
    stop) stop_pg && echo stopped ;;
    start) start_pg && echo ready ;;
    esac
done
stop_pg
rm -rf "$dir"
