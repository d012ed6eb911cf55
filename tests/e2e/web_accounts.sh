#!/usr/bin/env bash
# Accounts through the real binary, on SQLite and, when XINJIAN_TEST_PG_URL is set (./xj test),
# on PostgreSQL: `xinjian users add|passwd|disable|enable|list` with good, malformed and hostile
# input; then two `xinjian serve --listen` nodes on the one database, where
# web_accounts_check.py signs in on one node and is served by the other, signs out there,
# checks CSRF, the cookies, malformed sign-ins and the lock after a burst of wrong passwords
# (shared by the nodes), and the site's own pages (home, the language switch, the sign-in
# form, errors as pages, escaping of a hostile name, the style sheet); last a node started three hours later (XINJIAN_NOW) refuses the
# session as idle. The users' rows are the same before and after the web checks, and the
# audit chain verifies.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
pids=()
pg_db=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  [ -n "$pg_db" ] && psql -X -q "$XINJIAN_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
fail() {
  echo "FAIL: $*" >&2
  for f in "$tmp"/serve-*.log; do [ -f "$f" ] && { echo "-- $f" >&2; tail -20 "$f" >&2; }; done
  exit 1
}
GOOD="correct horse battery"
T0=2026-03-02T09:00:00

sql() {  # sql DB QUERY: the first column of the first row
  local db="$1" q="$2"
  if [[ "$db" == sqlite:* ]]; then sqlite3 -batch "${db#sqlite:}" "$q"; else psql -X -q -t -A "$db" -c "$q"; fi
}

# serve DB NAME NOW [OPTION...]: starts a node without a scheduler; sets $address. (Not in a
# command substitution: the subshell would keep the pid from the cleanup.)
serve() {
  local db="$1" name="$2" now="$3"
  shift 3
  address=""
  XINJIAN_NOW="$now" "$XJ_CLI" --db "$db" serve --no-scheduler --listen 127.0.0.1:0 "$@" >"$tmp/serve-$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 1200); do  # up to 2 minutes: a bound for a loaded machine
    address="$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve-$name.log" | head -n 1 || true)"
    [ -n "$address" ] && break
    kill -0 "$pid" 2>/dev/null || fail "serve $name exited"
    sleep 0.1
  done
  [ -n "$address" ] || fail "serve $name did not start its web site"
}

stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  pids=()
}

expect_exit() {  # expect_exit CODE WHAT -- command...
  local want="$1" what="$2" rc=0
  shift 3
  "$@" >"$tmp/out" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || { cat "$tmp/out" >&2; fail "$what: exit $rc, expected $want"; }
}

scenario() {
  local db="$1" label="$2"
  x() { XINJIAN_NOW=$T0 "$XJ_CLI" --db "$db" --actor e2e-admin "$@"; }
  echo "== $label"
  x demo --subjects 200 >"$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out"; fail "$label: demo"; }
  # The demo's own accounts (xinjian demo makes them) are there before this test's.
  local demo_scjg demo_audited
  demo_scjg="$(x users list | grep -c 'SCJG' || true)"
  demo_audited="$(sql "$db" "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'account.user.%'")"

  # The command line: good users…
  x users add wang.sv --name 王监管 --role supervisor --department SCJG --password-stdin <<<"$GOOD" >/dev/null \
    || fail "$label: users add"
  x users add zhao.sv --name 赵监管 --role supervisor --department SCJG --password-stdin <<<"$GOOD" >/dev/null
  x users add xss.sv --name '<script>alert(1)</script>' --role auditor --password-stdin <<<"$GOOD" >/dev/null
  x users add gone.sv --name 已离职 --role supervisor,auditor --department SCJG --password-stdin <<<"$GOOD" >/dev/null
  local inspector
  inspector="$(sql "$db" "SELECT id FROM inspectors WHERE department = 'SCJG' AND id NOT IN (SELECT login FROM users) ORDER BY id LIMIT 1")"
  [ -n "$inspector" ] || fail "$label: no inspector in the demo data"
  x users add "$inspector" --name 检查员 --role inspector --department SCJG --password-stdin <<<"$GOOD" >/dev/null \
    || fail "$label: an inspector's account"
  x users disable gone.sv >/dev/null || fail "$label: disable"
  # …and bad ones: nothing is added.
  expect_exit 1 "$label: a taken login" -- x users add wang.sv --name 重复 --role supervisor --department SCJG --password-stdin <<<"$GOOD"
  expect_exit 2 "$label: a malformed login" -- x users add "a b" --name x --role supervisor --department SCJG --password-stdin <<<"$GOOD"
  expect_exit 2 "$label: SQL in a login" -- x users add "x'; DROP TABLE users; --" --name x --role admin --password-stdin <<<"$GOOD"
  expect_exit 2 "$label: a short password" -- x users add li.sv --name 李 --role supervisor --department SCJG --password-stdin <<<"short"
  expect_exit 2 "$label: an unknown role" -- x users add li.sv --name 李 --role root --department SCJG --password-stdin <<<"$GOOD"
  grep -q "unknown role root" "$tmp/out" || fail "$label: the role is named"
  expect_exit 2 "$label: an unknown department" -- x users add li.sv --name 李 --role supervisor --department NOPE --password-stdin <<<"$GOOD"
  expect_exit 2 "$label: a supervisor without a department" -- x users add li.sv --name 李 --role supervisor --password-stdin <<<"$GOOD"
  expect_exit 2 "$label: an inspector login that is no inspector" -- x users add li.sv --name 李 --role inspector --department SCJG --password-stdin <<<"$GOOD"
  expect_exit 2 "$label: no password on stdin" -- x users add li.sv --name 李 --role admin --password-stdin </dev/null
  expect_exit 2 "$label: no terminal" -- x users add li.sv --name 李 --role admin <<<"$GOOD"
  grep -q "password-stdin" "$tmp/out" || fail "$label: the way to give a password is named"
  head -c 100000 /dev/urandom | tr -d '\n' >"$tmp/huge"
  expect_exit 2 "$label: too many database connections" -- x serve --no-scheduler --run-seconds 1 --listen 127.0.0.1:0 --db-connections 65
  grep -q "db-connections" "$tmp/out" || fail "$label: the bad option is named"
  expect_exit 2 "$label: negative database connections" -- x serve --no-scheduler --run-seconds 1 --listen 127.0.0.1:0 --db-connections -1
  expect_exit 2 "$label: a 100 KB password" -- x users add li.sv --name 李 --role admin --password-stdin <"$tmp/huge"
  expect_exit 1 "$label: passwd of nobody" -- x users passwd nobody.sv --password-stdin <<<"$GOOD"
  expect_exit 1 "$label: disable nobody" -- x users disable nobody.sv
  x users list >"$tmp/list" || fail "$label: users list"
  [ "$(grep -c 'SCJG' "$tmp/list")" = $((demo_scjg + 4)) ] && grep -q '^xss.sv' "$tmp/list" || { cat "$tmp/list"; fail "$label: users list shows the four users"; }
  grep -q "gone.sv.*disabled" "$tmp/list" || fail "$label: the disabled user is shown so"
  x users list --json | python3 -c '
import json, sys
users = json.load(sys.stdin)
assert [u["login"] for u in users if u["login"].endswith(".sv")] == ["gone.sv", "wang.sv", "xss.sv", "zhao.sv"], users
assert all("password" not in json.dumps(u) for u in users), users
assert [u["roles"] for u in users if u["login"] == "gone.sv"] == [["supervisor", "auditor"]], users
' || fail "$label: users list --json"
  ! grep -q argon2 "$tmp/list" || fail "$label: a hash was printed"
  # passwd: the old password no longer works (checked by the web phase signing in with GOOD after a round trip).
  x users passwd zhao.sv --password-stdin <<<"temporary password 1" >/dev/null || fail "$label: passwd"
  x users passwd zhao.sv --password-stdin <<<"$GOOD" >/dev/null || fail "$label: passwd back"
  [ "$(sql "$db" "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'account.user.%'")" = $((demo_audited + 8)) ] \
    || fail "$label: 5 added, 1 disabled, 2 passwords audited"

  sql "$db" "SELECT login, display_name, roles, disabled, password_hash FROM users ORDER BY login" >"$tmp/users-before"
  local a b
  serve "$db" a $T0
  a="$address"
  # Node b reads and writes on its one shared connection, node a on a pool (the default).
  serve "$db" b $T0 --db-connections 0
  b="$address"
  python3 "$XJ_SOURCE_DIR/tests/e2e/web_accounts_check.py" "$a" "$b" main >"$tmp/check.out" || fail "$label: web checks"
  local cookie
  cookie="$(tail -n 1 "$tmp/check.out")"
  [ ${#cookie} = 43 ] || fail "$label: no session cookie handed over"
  stop_all
  # Three hours later the session is idle.
  serve "$db" c 2026-03-02T12:00:00
  b="$address"
  python3 "$XJ_SOURCE_DIR/tests/e2e/web_accounts_check.py" "$b" "$b" expired "$cookie" >/dev/null || fail "$label: expiry"
  stop_all
  sql "$db" "SELECT login, display_name, roles, disabled, password_hash FROM users ORDER BY login" >"$tmp/users-after"
  cmp -s "$tmp/users-before" "$tmp/users-after" || fail "$label: the users changed"
  x audit verify >/dev/null || fail "$label: the audit chain"
}

scenario "sqlite:$tmp/web.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  pg_db="xj_e2e_acc_$$"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" postgresql
fi
echo "ok"
