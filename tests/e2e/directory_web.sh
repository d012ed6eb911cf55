#!/usr/bin/env bash
# The public directory (plugins/directory) through the real binary, on SQLite and, when
# XINJIAN_TEST_PG_URL is set (./xj test), on PostgreSQL (also in a database whose LC_CTYPE is C): a directory of 3,000 generated subjects
# (every one with a risk class, some with labels) and a few written here (hostile names, ASCII
# names, an individual business), the search index built by the import's own event delivery;
# then `xinjian serve --listen 127.0.0.1:0` and directory_web_check.py: the API and the pages,
# the search against a brute-force scan of the subjects table (2-, 3-, 4-character and ASCII
# names, USCC prefixes, paging), hostile queries (400 or the right answer, never a 500), and
# that no byte served holds a risk class, an industry, a label or anything of the inspectors.
# The database is the same before and after the server answered. Then a second import (renamed
# and new subjects) while the server runs: the index follows it (delivered by the server's
# event pump), and `directory index` after a kill -9 in the middle of a rebuild resumes.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
source "$XJ_SOURCE_DIR/tests/e2e/lib/web.sh"  # tmp, cleanup, fail, snapshot, start_server, stop_server
export XINJIAN_NOW=2026-03-02T09:00:00  # Asia/Shanghai; never the wall clock
checker="$XJ_SOURCE_DIR/tests/e2e/directory_web_check.py"

"$XJ_CLI" gen subjects --count 3000 --seed 7 -o "$tmp/generated.csv" >/dev/null
# Written here: names that attack the page and the FTS5 query syntax, ASCII names, an
# individual business with labels and a risk class. Valid USCCs (check characters computed).
python3 "$checker" --make-extra "$tmp/extra.csv"
python3 "$checker" --make-second "$tmp/generated.csv" "$tmp/second.csv"

# Every subject as the database holds it (tab-separated), for the brute-force oracle.
export_subjects() {
  local db="$1" out="$2"
  local q="SELECT uscc, name, type, region, registered_on, status, COALESCE(address, ''), COALESCE(risk_class, ''),
           COALESCE(industry, ''), labels FROM subjects ORDER BY uscc"
  if [[ "$db" == sqlite:* ]]; then
    sqlite3 -batch -separator $'\t' "${db#sqlite:}" "$q" >"$out"
  else
    psql -X -q -At -F $'\t' "$db" -c "$q" >"$out"
  fi
}
scenario() {
  local db="$1" label="$2"
  x() { "$XJ_CLI" --db "$db" --actor e2e "$@"; }
  echo "== $label"
  x init >/dev/null
  x import departments "$XJ_SOURCE_DIR/docs/examples/departments.csv" >/dev/null || fail "$label: departments"
  x import items "$XJ_SOURCE_DIR/docs/examples/items.csv" >/dev/null || fail "$label: items"
  x import subjects "$tmp/generated.csv" >/dev/null || fail "$label: import subjects"
  x import subjects "$tmp/extra.csv" >/dev/null || fail "$label: import extra subjects"
  # The import delivered its events: the subscriber built the index.
  x directory index --status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["phase"] == "ready" and s["indexed"] == 3012, s' || fail "$label: the index after the import"
  export_subjects "$db" "$tmp/subjects.tsv"
  snapshot "$db" >"$tmp/before.sql"
  start_server "$db" "$label"
  python3 "$checker" --check "$address" "$tmp/subjects.tsv" || fail "$label: directory checks"
  stop_server
  snapshot "$db" >"$tmp/after.sql"
  cmp -s "$tmp/before.sql" "$tmp/after.sql" || { diff "$tmp/before.sql" "$tmp/after.sql" | head -20 >&2; fail "$label: the data changed"; }

  # A second import while the server runs, its events left to the server's event pump:
  # renamed and new subjects are found under their new names, the renamed ones no longer
  # under the old.
  start_server "$db" "$label"
  x import subjects "$tmp/second.csv" --no-dispatch >/dev/null || fail "$label: second import"
  export_subjects "$db" "$tmp/subjects2.tsv"
  python3 "$checker" --follow "$address" "$tmp/subjects.tsv" "$tmp/subjects2.tsv" || fail "$label: the index follows"
  stop_server

  # A rebuild stopped after 3 steps, then one killed with kill -9 in the middle, resumes.
  x directory index --rebuild --step 100 --max-steps 3 >/dev/null 2>&1 || fail "$label: rebuild, 3 steps"
  x directory index --status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["phase"] == "build" and s["indexed"] == 300, s' || fail "$label: the index after 3 steps"
  # The binary itself in the background (a function would put a subshell there, and the kill
  # would leave the rebuild running).
  "$XJ_CLI" --db "$db" --actor e2e directory index --step 100 >"$tmp/rebuild.out" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    grep -q 'building' "$tmp/rebuild.out" && break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  x directory index --status --json >"$tmp/mid.json" || fail "$label: status after kill -9"
  x directory index --step 500 >/dev/null 2>&1 || fail "$label: resume"
  x directory index --status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["phase"] == "ready" and s["indexed"] == int(sys.argv[1]), s' "$(wc -l <"$tmp/subjects2.tsv")" || fail "$label: resumed index"
  start_server "$db" "$label"
  python3 "$checker" --search-only "$address" "$tmp/subjects2.tsv" || fail "$label: search after the resumed rebuild"
  stop_server
  x audit verify >/dev/null || fail "$label: the audit chain"
}

scenario "sqlite:$tmp/web.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  pg_db="xj_e2e_directory_$$"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" postgresql
  # A database whose LC_CTYPE is C, where pg_trgm sees no Chinese: every query is answered
  # from the bigrams and the substring check.
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
  pg_db="xj_e2e_directory_c_$$"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" "postgresql, LC_CTYPE C"
fi
echo "ok"
