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
