#!/usr/bin/env bash
# xinjian cron next through the real binary: output format, --from/--tz/--count, working-day
# schedules on the shipped calendar, and the exit codes of every refusal.
set -euo pipefail
: "${XJ_CLI:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect EXPECTED ARGS...: stdout of xinjian ARGS must be EXPECTED
  local want="$1"; shift
  local got
  got="$("$XJ_CLI" "$@")" || fail "xinjian $* exited $?"
  [ "$got" = "$want" ] || fail "xinjian $*: expected '$want', got '$got'"
}
expect_exit() {  # expect_exit CODE TEXT ARGS...: exit status CODE, TEXT on stderr
  local code="$1" text="$2"; shift 2
  local rc=0 err
  err="$("$XJ_CLI" "$@" 2>&1 >/dev/null)" || rc=$?
  [ "$rc" = "$code" ] || fail "xinjian $*: exit $rc, expected $code ($err)"
  grep -qF -- "$text" <<<"$err" || fail "xinjian $*: expected '$text' in: $err"
}

expect $'2025-01-01T10:15:00+08:00\n2025-01-01T10:30:00+08:00' \
  cron next '*/15 * * * *' --from 2025-01-01T10:07:30+08:00 --count 2
# The fields may come as separate words; --from without an offset is local time in --tz.
expect $'2025-03-09T03:00:00-04:00\n2025-03-10T02:30:00-04:00' \
  cron next 30 2 '*' '*' '*' --tz America/New_York --from 2025-03-08T12:00 --count 2
expect $'2025-11-02T01:30:00-04:00\n2025-11-03T01:30:00-05:00' \
  cron next '30 1 * * *' --tz America/New_York --from '2025-11-01 12:00' --count 2
# Working-day schedules across the 2025 Spring Festival (make-up days 26 Jan and 8 Feb).
expect $'2025-01-26T09:00:00+08:00\n2025-01-27T09:00:00+08:00\n2025-02-05T09:00:00+08:00' \
  cron next @workdays 09:00 --from 2025-01-24T10:00 --count 3
expect $'2025-01-02T09:00:00+08:00\n2025-02-05T09:00:00+08:00' \
  cron next '@workday-of-month 1 09:00' --from 2025-01-01 --count 2
# Without --from: the next time after now, one line.
"$XJ_CLI" cron next @hourly | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:00:00\+08:00$' || fail "default --from"

# Refusals: a malformed expression, zone, time or count is a usage error (2).
expect_exit 2 'field 3 (day of month) "32"' cron next '0 0 32 * *'
expect_exit 2 'never fires' cron next '0 0 30 2 *'
expect_exit 2 'unknown time zone "Mars/Base"' cron next @daily --tz Mars/Base
expect_exit 2 'is malformed' cron next @daily --from yesterday
expect_exit 2 'a cron expression is needed' cron next
expect_exit 2 'count' cron next @daily --count 0
# The schedule cannot answer: the times found are printed, then the error (1).
rc=0
"$XJ_CLI" cron next @workdays 09:00 --from 2099-12-30T10:00 --count 2 >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a year without calendar data: exit $rc"
expect_exit 1 'no working-day calendar for 2099' cron next @workdays 09:00 --from 2099-12-30T10:00
expect_exit 1 'does not fire again before the year 2400' cron next '0 0 1 1 *' --from 2399-06-01 --tz UTC
echo "cron.sh: ok"
