#!/usr/bin/env bash
# The deadlines benchmark program runs end to end on a small size and prints its table: our
# listing beside the naive peer, the ratio, and the two lists found identical. (Speed is
# measured by running it by hand with the default 1,000,000 visits; a test never fails
# because the machine was slow.)
set -euo pipefail
: "${XJ_CLI:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
check() {  # check OUTPUT: the three listings, each identical to the peer's
  local out="$1"
  for listing in 'all open' '--state yellow' '--state red'; do
    grep -qE "^\| ${listing} +\| +[0-9]+ \| +[0-9.]+ \| +[0-9.]+ \| +[0-9.]+ \| +[0-9.]+ \| +[0-9.]+ \| yes +\|$" <<<"$out" \
      || { echo "FAIL: no line for '$listing'" >&2; exit 1; }
  done
  grep -q 'target: ≤ 100 ms per listing' <<<"$out"
}
# Bad options: exit 2 with a message naming the option, before any database is made.
refused() {  # refused EXPECTED-TEXT ARGS...: exit 2, the text on stderr
  local expect="$1"; shift
  set +e
  err="$("$XJ_CLI" bench deadlines --dir "$tmp/bad" "$@" 2>&1 >/dev/null)"
  rc=$?
  set -e
  [ "$rc" = 2 ] || { echo "FAIL: bench deadlines $* exited $rc, not 2: $err" >&2; exit 1; }
  grep -qF -- "$expect" <<<"$err" || { echo "FAIL: bench deadlines $*: no '$expect' in: $err" >&2; exit 1; }
}
refused '--visits must be 1,000 to 100,000,000' --visits 5
refused '--visits must be 1,000 to 100,000,000' --visits 1000000000000
refused '--reps must be 1 to 1,000' --reps 0
refused '--today must be YYYY-MM-DD' --today 2026-13-45
refused '--department must be a department code' --department "D3'; DROP TABLE visits; --"
[ ! -e "$tmp/bad/deadlines.db" ] || { echo "FAIL: a refused run made a database" >&2; exit 1; }
out="$("$XJ_CLI" bench deadlines --visits 20000 --reps 2 --dir "$tmp/b")"
echo "$out"
check "$out"
grep -q 'inserting 20000 visits' <<<"$out"
# A second run reuses the database.
out="$("$XJ_CLI" bench deadlines --visits 20000 --reps 1 --dir "$tmp/b")"
grep -q 'reusing 20000 visits' <<<"$out"
check "$out"
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  out="$("$XJ_CLI" bench deadlines --visits 20000 --reps 2 --dir "$tmp/b" --pg "$XINJIAN_TEST_PG_URL")"
  echo "$out"
  grep -q '^\[PostgreSQL\]' <<<"$out"
  [ "$(grep -c ' yes ' <<<"$out")" = 6 ]
fi
