#!/usr/bin/env bash
# The import benchmark program runs end to end on a small count and prints its table with
# our row, the sqlite3 peer and a ratio. (Speed is measured by running it by hand with the
# default 1,000,000 rows; a test never fails because the machine was slow.)
set -euo pipefail
out="$("$XJ_CLI" bench import --count 3000)"
echo "$out"
grep -q 'sqlite3 .import (no validation, our settings)' <<<"$out"
grep -qE '^\| xinjian import \(SQLite, validated\) +\| +3000 \|.*\| +[0-9]+\.[0-9]+ \|$' <<<"$out"
grep -q '"inserted":3000' <<<"$out"
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  out="$("$XJ_CLI" bench import --count 2000 --pg "$XINJIAN_TEST_PG_URL")"
  grep -qE '^\| xinjian import \(PostgreSQL, validated\) +\| +2000 \|' <<<"$out"
  grep -q 'psql \\copy (no validation)' <<<"$out"
fi
