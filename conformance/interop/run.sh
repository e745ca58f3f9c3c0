#!/usr/bin/env bash
# The interop run: oidc-provider (a server nobody here wrote) on a free
# loopback port, the whole suite against it, and every verdict compared with
# oidc-provider.expected. Exit 0 only when every verdict is the pinned one;
# each difference is printed.
#
#   npm ci --prefix conformance/interop      # once
#   conformance/interop/run.sh [extra oauth-conformance options]
#
# OAUTH_CONFORMANCE: the binary to run (default: `cargo run`).
# INTEROP_TIMEOUT: seconds the whole suite may take (default 300).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."

if [ ! -d "$here/node_modules/oidc-provider" ]; then
  echo "interop: oidc-provider is not installed; run: npm ci --prefix conformance/interop" >&2
  exit 2
fi

port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
log="$(mktemp)"
target="$here/oidc-provider.run.toml"   # beside the original: key paths are relative to it
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -f "$log" "$target"
}
trap cleanup EXIT

node "$here/server.js" "$port" >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$log" && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "interop: oidc-provider exited before listening:" >&2
    cat "$log" >&2
    exit 2
  fi
  sleep 0.2
done
if ! grep -q "listening on" "$log"; then
  echo "interop: oidc-provider did not listen within 20 s:" >&2
  cat "$log" >&2
  exit 2
fi
echo "interop: oidc-provider $(node -p 'require("'"$here"'/node_modules/oidc-provider/package.json").version') at http://127.0.0.1:$port"

sed "s|^issuer = \"http://127.0.0.1:3000\"|issuer = \"http://127.0.0.1:$port\"|" \
  "$here/oidc-provider.toml" >"$target"
grep -q "127.0.0.1:$port" "$target" || { echo "interop: could not set the issuer's port" >&2; exit 2; }

if [ -n "${OAUTH_CONFORMANCE:-}" ]; then
  run=("$OAUTH_CONFORMANCE")
else
  run=(cargo run --quiet --locked -p oauth-conformance --)
fi
status=0
# The target file first: a mistake in it is one line here, not a pile of
# moved verdicts below.
timeout 60 "${run[@]}" --target "$target" --check || status=$?
if [ "$status" -ne 0 ]; then
  echo "interop: --check found problems in oidc-provider.toml (above)" >&2
  tail -n 40 "$log" >&2
  exit "$status"
fi
timeout "${INTEROP_TIMEOUT:-300}" "${run[@]}" \
  --target "$target" \
  --expected-verdicts "$here/oidc-provider.expected" \
  "$@" || status=$?
if [ "$status" -eq 124 ]; then
  echo "interop: the suite did not finish within ${INTEROP_TIMEOUT:-300} s" >&2
fi
if [ "$status" -ne 0 ]; then
  echo "interop: oidc-provider's log:" >&2
  tail -n 40 "$log" >&2
fi
exit "$status"
