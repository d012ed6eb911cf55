# Sourced by the e2e scripts that serve the site (web_api.sh, draw_pages.sh, …), after
# `set -euo pipefail` and with XJ_CLI set: a temporary folder `tmp`, a cleanup on exit that
# stops the server and drops the PostgreSQL database `pg_db` a script made, and:
#   fail MESSAGE                 prints FAIL: MESSAGE and the server log's tail, exits 1
#   snapshot DB [EXCLUDE_ERE]    every table's rows as sorted INSERT lines (SQLite .dump or
#                                pg_dump), without the lines EXCLUDE_ERE matches
#   start_server DB LABEL [GLOBAL_OPTION ...]
#                                `xinjian --db DB --actor e2e GLOBAL_OPTION… serve --no-scheduler
#                                --listen 127.0.0.1:0` in the background; sets serve_pid and
#                                address (http://127.0.0.1:PORT) once it listens (up to 30 s)
#   stop_server                  stops it and waits for it
# The server is started as the binary itself, never through a function or a subshell, so that
# $! is its pid and the cleanup really stops it.
tmp="$(mktemp -d)"
serve_pid=""
pg_db=""
address=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -n "$pg_db" ] && psql -X -q "$XINJIAN_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [ -f "$tmp/serve.log" ] && tail -20 "$tmp/serve.log" >&2
  exit 1
}
snapshot() {
  local db="$1" exclude="${2:-^\$^}"
  if [[ "$db" == sqlite:* ]]; then
    sqlite3 -batch "${db#sqlite:}" .dump
  else
    pg_dump --data-only --inserts --no-owner "$db" 2>/dev/null
  fi | grep '^INSERT' | { grep -Ev "$exclude" || true; } | sort
}
start_server() {
  local db="$1" label="$2"
  shift 2
  "$XJ_CLI" --db "$db" --actor e2e "$@" serve --no-scheduler --listen 127.0.0.1:0 >"$tmp/serve.log" 2>&1 &
  serve_pid=$!
  address=""
  for _ in $(seq 1 1200); do  # up to 2 minutes: a bound for a loaded machine
    address="$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.log" | head -n 1 || true)"
    [ -n "$address" ] && return 0
    kill -0 "$serve_pid" 2>/dev/null || fail "$label: serve exited"
    sleep 0.1
  done
  fail "$label: serve did not start its web site"
}
stop_server() {
  [ -n "$serve_pid" ] || return 0
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
}
