#!/usr/bin/env bash
# The schema of a new database is the one the core's migrations made before the draw and
# inspection tables moved into the plugins' own migrations (issue 13, step 4c), and an old
# database upgraded in place ends with the same schema as a new one.
#
# - tests/fixtures/schema/sqlite.sql and postgresql.sql: the schema of a database made by
#   `xinjian init` at commit 7b3d6bb (core migrations 001-008, the last before the move),
#   dumped as below. A new database made by `xinjian init` now (the core's migrations, then
#   the plugins') must dump the same. PostgreSQL is checked when XINJIAN_TEST_PG_URL names a
#   server (./xj test starts one).
# - tests/fixtures/upgrade-v7 (schema 7), upgraded by `xinjian init`, must dump the same as
#   the new SQLite database.
#
# A migration added on purpose changes the schema: rewrite the files with
#   XJ_UPDATE_SCHEMA=1 bash tests/e2e/schema.sh   (XJ_CLI, XJ_SOURCE_DIR set as ctest sets them)
# and review their diff with the migration.
set -euo pipefail
: "${XJ_CLI:?}" "${XJ_SOURCE_DIR:?}"
fx="$XJ_SOURCE_DIR/tests/fixtures/schema"
tmp="$(mktemp -d)"
pg_base="${XINJIAN_TEST_PG_URL:-}"
pg_name="xje2e_schema_$$"
cleanup() {
  if [ -n "$pg_base" ]; then psql -q -X "$pg_base" -c "DROP DATABASE IF EXISTS $pg_name" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Every table, index, view and trigger, sorted by kind and name (creation order is not part of
# the schema: the plugins' tables are now made after the core's).
sqlite_schema() {
  /usr/bin/python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for kind, name, sql in db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"):
    print(sql + ";\n")
PY
}
# pg_dump sorts objects by kind and name itself; its comments and settings name the versions,
# and its \restrict lines carry a random key.
pg_schema() {
  pg_dump --schema-only --no-owner --no-privileges "$1" |
    grep -v -E '^(--|SET |SELECT pg_catalog\.set_config|\\(un)?restrict )' | cat -s
}
compare() {  # expected-file actual-file what
  if [ -n "${XJ_UPDATE_SCHEMA:-}" ]; then
    cp "$2" "$1"
    echo "wrote $1"
  else
    diff -u "$1" "$2" || fail "$3 differs from $(basename "$1") (the lines with + are new)"
  fi
}

x() { "$XJ_CLI" --db "$@"; }

# SQLite: a new database.
x "sqlite:$tmp/new.db" init >"$tmp/init.txt"
sqlite_schema "$tmp/new.db" >"$tmp/new-sqlite.sql"
compare "$fx/sqlite.sql" "$tmp/new-sqlite.sql" "the schema of a new SQLite database"

# SQLite: the old database, upgraded in place.
gunzip -c "$XJ_SOURCE_DIR/tests/fixtures/upgrade-v7/xinjian-v7.db.gz" >"$tmp/old.db"
x "sqlite:$tmp/old.db" init >"$tmp/upgrade.txt"
sqlite_schema "$tmp/old.db" >"$tmp/old-sqlite.sql"
[ -n "${XJ_UPDATE_SCHEMA:-}" ] || diff -u "$tmp/new-sqlite.sql" "$tmp/old-sqlite.sql" ||
  fail "the upgraded database's schema differs from a new one's (the lines with + are the upgraded one's)"

# PostgreSQL: a new database on the test server.
if [ -n "$pg_base" ]; then
  psql -q -X -v ON_ERROR_STOP=1 "$pg_base" -c "CREATE DATABASE $pg_name" >/dev/null
  pg_url="${pg_base%/*}/$pg_name"
  x "$pg_url" init >"$tmp/init-pg.txt"
  pg_schema "$pg_url" >"$tmp/new-postgresql.sql"
  compare "$fx/postgresql.sql" "$tmp/new-postgresql.sql" "the schema of a new PostgreSQL database"
else
  echo "note: XINJIAN_TEST_PG_URL is not set; the PostgreSQL schema was not checked"
fi
echo "schema ok"
