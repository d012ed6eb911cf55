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
source "$XJ_SOURCE_DIR/tests/e2e/lib/web.sh"  # tmp, cleanup, fail, snapshot, start_server, stop_server
cd "$tmp"  # the demo writes its data files into the current folder
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
  start_server "$db" "$label"
  python3 "$XJ_SOURCE_DIR/tests/e2e/web_api_check.py" "$address" "$selected" || fail "$label: web API checks"
  stop_server
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
