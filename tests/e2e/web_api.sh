#!/usr/bin/env bash
# The web server through the real binary: `xinjian serve --listen 127.0.0.1:0` on the demo data
# with one more task drawn but not revealed, on SQLite and, when XINJIAN_TEST_PG_URL is set
# (./xj test), on PostgreSQL too. web_api_check.py asks /healthz and the draw plugin's
# /api/v1/tasks routes good and bad questions (malformed, hostile and oversized requests
# included) and checks the answers: statuses, the JSON error shape, the security headers, no
# selection before the reveal. The database is the same before and after.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
serve_pid=""
pg_db=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -n "$pg_db" ] && psql -X -q "$XINJIAN_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"  # the demo writes its data files into the current folder
fail() {
  echo "FAIL: $*" >&2
  [ -f "$tmp/serve.log" ] && tail -20 "$tmp/serve.log" >&2
  exit 1
}
export XINJIAN_NOW=2026-03-02T09:00:00  # Asia/Shanghai; never the wall clock

cat >"$tmp/items.csv" <<'EOF'
code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,qualification
WEB-1,网页测试事项,SCJG,《企业信息公示暂行条例》第十四条,key,,,1,,,
EOF
cat >"$tmp/drawn.json" <<'EOF'
{"id": "WEB-DRAWN-1", "title": "已抽取未揭示 / drawn, not revealed", "department": "SCJG", "items": ["WEB-1"],
 "rule": {"count": 3}, "exclusions": {"same_item_within_days": 0, "open_tasks": false},
 "team": {"slots": [{"group": "SCJG", "count": 2}]},
 "entropy": {"source": "manual", "description": "端到端测试 / e2e"}}
EOF
sed -e 's/WEB-DRAWN-1/WEB-DRAFT-1/' -e 's/已抽取未揭示 \/ drawn, not revealed/草稿 \/ a draft/' "$tmp/drawn.json" >"$tmp/draft.json"

# What must not change while the server answers: every table's rows, as a sorted text dump.
snapshot() {
  local db="$1"
  if [[ "$db" == sqlite:* ]]; then
    sqlite3 -batch "${db#sqlite:}" .dump | grep '^INSERT' | sort
  else
    pg_dump --data-only --inserts --no-owner "$db" 2>/dev/null | grep '^INSERT' | sort
  fi
}

scenario() {
  local db="$1" label="$2"
  x() { "$XJ_CLI" --db "$db" --actor e2e "$@"; }
  echo "== $label"
  x demo --subjects 2000 >"$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out"; fail "$label: demo"; }
  x import items "$tmp/items.csv" >/dev/null || fail "$label: import items"
  x task create --spec "$tmp/drawn.json" >/dev/null
  x task announce WEB-DRAWN-1 >/dev/null
  x task draw WEB-DRAWN-1 --entropy 3.14.15.26.53.58./ >/dev/null
  x task create --spec "$tmp/draft.json" >/dev/null
  local selected
  selected="$(x task show WEB-DRAWN-1 --json --department SCJG |
    python3 -c 'import json, sys; print(",".join(s["uscc"] for s in json.load(sys.stdin)["selection"]))')"
  [ -n "$selected" ] || fail "$label: no selection to look for"
  snapshot "$db" >"$tmp/before.sql"
  # Not through x: $! must be the server's pid, not a subshell's, for the cleanup to stop it.
  "$XJ_CLI" --db "$db" --actor e2e serve --no-scheduler --listen 127.0.0.1:0 >"$tmp/serve.log" 2>&1 &
  serve_pid=$!
  local address=""
  for _ in $(seq 1 200); do  # up to 20 s for the server to say where it listens
    address="$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.log" | head -n 1 || true)"
    [ -n "$address" ] && break
    kill -0 "$serve_pid" 2>/dev/null || fail "$label: serve exited"
    sleep 0.1
  done
  [ -n "$address" ] || fail "$label: serve did not start its web site"
  python3 "$XJ_SOURCE_DIR/tests/e2e/web_api_check.py" "$address" "$selected" || fail "$label: web API checks"
  kill "$serve_pid"
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=""
  snapshot "$db" >"$tmp/after.sql"
  cmp -s "$tmp/before.sql" "$tmp/after.sql" || { diff "$tmp/before.sql" "$tmp/after.sql" | head -20 >&2; fail "$label: the data changed"; }
  x audit verify >/dev/null || fail "$label: the audit chain"
}

scenario "sqlite:$tmp/web.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  pg_db="xj_e2e_web_$$"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" postgresql
fi
echo "ok"
