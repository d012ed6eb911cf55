#!/usr/bin/env bash
# The jobs commands through the real binary (issue 12), on SQLite and, when XINJIAN_TEST_PG_URL
# is set (./xj test), on PostgreSQL too:
# - docs/scheduler.md's example: a job with --starting-deadline 3600, `jobs run-now`, and
#   `xinjian serve` running it: on time and exactly at the deadline it runs, a microsecond
#   past the deadline it is missed (before the fix every run was missed on SQLite);
# - an unknown job name is an error naming it (history, pause, resume, run-now);
# - `jobs add` refuses a handler no plugin registered, listing the registered ones.
# Clocks the test controls, never the wall clock: each command runs on XINJIAN_TEST_CLOCK
# with speed 0 (a clock that stands still), so how late a run starts is exact however slow
# the machine; only the wait for serve to act is bounded in real time.
set -euo pipefail
: "${XJ_CLI:?}"
tmp="$(mktemp -d)"
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [ -f "$tmp/serve.log" ] && tail -20 "$tmp/serve.log" >&2
  exit 1
}
pyjson() { python3 -c "import json, sys; j = json.load(sys.stdin); $1"; }

scenario() {
  local db="$1" label="$2"
  x() { "$XJ_CLI" --db "$db" --actor e2e "$@"; }
  # at US CMD...: run xinjian CMD with the clock standing at US (epoch microseconds).
  at() { local us="$1"; shift; XINJIAN_TEST_CLOCK="$us,0,0" x "$@"; }
  expect_fail() {  # expect_fail TEXT CMD...: exit 1, nothing on stdout, TEXT on stderr
    local text="$1"; shift
    local rc=0
    x "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [ "$rc" = 1 ] || fail "$label: xinjian $*: exit $rc, expected 1 ($(cat "$tmp/err"))"
    [ ! -s "$tmp/out" ] || fail "$label: xinjian $*: printed $(cat "$tmp/out")"
    grep -qF -- "$text" "$tmp/err" || fail "$label: xinjian $*: expected '$text' in: $(cat "$tmp/err")"
  }
  echo "== $label"
  x init >/dev/null || fail "$label: init"

  # 2026-06-15 11:00:00 +08:00: serve's clock stands here.
  local s=$(( $(date -d '2026-06-15 11:00:00 +0800' +%s) * 1000000 ))
  local hour=3600000000
  for j in on-time inside outside; do
    at $((s - 2 * hour)) jobs add "$j" --schedule '0 2 * * *' --handler noop --misfire fire_once_now --overlap forbid \
      --retries 3 --backoff 60 --timeout 600 --starting-deadline 3600 >/dev/null || fail "$label: jobs add $j"
  done
  at "$s" jobs run-now on-time >/dev/null || fail "$label: run-now on-time"
  at $((s - hour)) jobs run-now inside >/dev/null || fail "$label: run-now inside"            # exactly at the deadline
  at $((s - hour - 1)) jobs run-now outside >/dev/null || fail "$label: run-now outside"      # 1 µs past it
  x jobs history --json | pyjson 'assert sorted(r["state"] for r in j) == ["due"] * 3, j'

  XINJIAN_TEST_CLOCK="$s,0,0" "$XJ_CLI" --db "$db" serve >"$tmp/serve.log" 2>&1 &
  serve_pid=$!
  local i done=0
  for i in $(seq 1 90); do
    if x jobs history --json | pyjson '
states = {r["job"]: r["state"] for r in j}
sys.exit(0 if all(states.get(k) not in (None, "due", "running") for k in ("on-time", "inside", "outside")) else 1)'; then
      done=1
      break
    fi
    sleep 1
  done
  kill "$serve_pid"
  wait "$serve_pid" || true
  serve_pid=""
  [ "$done" = 1 ] || fail "$label: serve did not run the queued runs"
  x jobs history on-time --json | pyjson "assert len(j) == 1 and j[0]['state'] == 'succeeded' and j[0]['scheduled_us'] == $s, j"
  x jobs history inside --json | pyjson "assert len(j) == 1 and j[0]['state'] == 'succeeded' and j[0]['scheduled_us'] == $s - $hour, j"
  x jobs history outside --json | pyjson "
assert len(j) == 1 and j[0]['state'] == 'missed' and j[0]['started_at_us'] == 0, j
assert '超过启动期限 / past the starting deadline' in j[0]['message'], j"

  # Unknown names: an error naming the name, exit 1, for every subcommand that takes one.
  local verb
  for verb in history pause resume run-now; do
    expect_fail '没有定时任务 "nosuch" / no job "nosuch"' jobs "$verb" nosuch
    expect_fail '没有定时任务 "On-time" / no job "On-time"' jobs "$verb" On-time
  done
  expect_fail 'no job "x?[31m"' jobs history $'x\e[31m'
  grep -q $'\e' "$tmp/err" && fail "$label: an escape sequence was echoed"

  # A handler no plugin registered: refused, the registered ones listed, nothing stored.
  expect_fail '没有已注册的处理程序 "hello.gret"（提供它的插件未加载？）；已注册的处理程序：' \
    jobs add typo --schedule '0 2 * * *' --handler hello.gret
  grep -qF 'deadlines.refresh' "$tmp/err" && grep -qF 'registered handlers: ' "$tmp/err" \
    || fail "$label: the registered handlers are not listed: $(cat "$tmp/err")"
  x jobs list --json | pyjson 'assert "typo" not in [r["name"] for r in j], j'
  echo "$label: ok"
}

scenario "sqlite:$tmp/xinjian.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  name="xjjobs_$$_$RANDOM"
  psql -q -X -v ON_ERROR_STOP=1 "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$name" postgresql
  psql -q -X "$XINJIAN_TEST_PG_URL" -c "DROP DATABASE $name WITH (FORCE)" >/dev/null || true
fi
echo "jobs e2e: ok"
