#!/usr/bin/env bash
# schemas/openapi.json against the real server: every JSON API and feed route the plugins
# register (`xinjian plugins routes --json`) and the host's own (/healthz, /api/v1/session) is
# described, nothing else is, and every GET the description lists answers on the demo data
# with a status and a content type it documents (openapi_check.py). SQLite.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
export XINJIAN_NOW=2026-03-02T09:00:00  # Asia/Shanghai; never the wall clock
db="sqlite:$tmp/xinjian.db"
"$XJ_CLI" --db "$db" --actor e2e demo --subjects 2000 >"$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out"; exit 1; }
"$XJ_CLI" plugins routes --json >"$tmp/routes.json"
# (Into a file first: `grep -q` in a pipe may close it before the writer is done, and
# pipefail would count that SIGPIPE as a failure.)
"$XJ_CLI" plugins routes >"$tmp/routes.txt"
grep -q '/api/v1/tasks/{id}' "$tmp/routes.txt"
"$XJ_CLI" --db "$db" --actor e2e serve --no-scheduler --listen 127.0.0.1:0 >"$tmp/serve.log" 2>&1 &
serve_pid=$!
address=""
for _ in $(seq 1 1200); do  # up to 2 minutes: a bound for a loaded machine
  address="$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.log" | head -n 1 || true)"
  [ -n "$address" ] && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
  sleep 0.1
done
[ -n "$address" ] || { echo "serve did not start"; exit 1; }
uscc="$(sqlite3 "$tmp/xinjian.db" "SELECT uscc FROM subjects ORDER BY uscc LIMIT 1")"
python3 "$XJ_SOURCE_DIR/tests/e2e/openapi_check.py" "$XJ_SOURCE_DIR/schemas/openapi.json" "$tmp/routes.json" \
  "$address" "$uscc"
echo "openapi: ok"
