#!/usr/bin/env bash
# The draw's public pages and open data through the real binary (plugins/draw/src/pages.cpp):
# `xinjian serve --listen 127.0.0.1:0` on the demo data plus subjects with hostile names (from
# the directory import), a task with a hostile title that drew them (revealed), a
# risk-stratified task (revealed), one drawn but not revealed, one announced and a draft; on
# SQLite and, when XINJIAN_TEST_PG_URL is set (./xj test), on PostgreSQL too.
# draw_pages_check.py reads /tasks, /tasks/{id}, the home page, subject pages, the downloads
# and the feed: content in Chinese and English, escaping, drafts never shown, no selection of
# an unrevealed task in any byte, hostile and oversized parameters refused clearly, 304 on
# conditional requests; a signed-in user of the task's department sees the selection before
# the reveal, another department's does not. The database is the same before and after the server answered.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
source "$XJ_SOURCE_DIR/tests/e2e/lib/web.sh"  # tmp, cleanup, fail, snapshot, start_server, stop_server
cd "$tmp"  # the demo writes its data files into the current folder
export XINJIAN_NOW=2026-03-02T09:00:00  # Asia/Shanghai; never the wall clock
checker="$XJ_SOURCE_DIR/tests/e2e/draw_pages_check.py"
python3 "$checker" --make-subjects "$tmp/hostile.csv"

cat >"$tmp/items.csv" <<'EOF'
code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,qualification
PAGES-1,页面测试事项,SCJG,《企业信息公示暂行条例》第十四条,key,,,1,,,
EOF
cat >"$tmp/hostile.json" <<'EOF'
{"id": "HOSTILE-1", "title": "<script>alert(1)</script> 恶意标题 & \"quotes\"", "department": "SCJG", "items": ["PAGES-1"],
 "filters": {"regions": ["33"], "labels": ["xjtest"]}, "rule": {"ratio_percent": {"*": 100}},
 "exclusions": {"same_item_within_days": 0, "open_tasks": false},
 "team": {"slots": [{"group": "SCJG", "count": 2}]}, "due_date": "2026-12-31",
 "entropy": {"source": "manual", "description": "端到端测试 / e2e"}}
EOF
cat >"$tmp/risk.json" <<'EOF'
{"id": "WEB-RISK-1", "title": "按风险分类抽查 / by risk class", "department": "SCJG", "items": ["PAGES-1"],
 "filters": {"regions": ["33"]}, "strata": "risk_class",
 "rule": {"ratio_percent": {"*": 2, "C": 5, "D": 20}, "min": {"A": 1}},
 "exclusions": {"same_item_within_days": 0, "open_tasks": false},
 "team": {"slots": [{"group": "SCJG", "count": 2}]}, "due_date": "2026-12-31",
 "entropy": {"source": "manual", "description": "端到端测试 / e2e"}}
EOF
sed -e 's/WEB-RISK-1/WEB-DRAWN-2/' -e 's/按风险分类抽查/已抽取未揭示/' "$tmp/risk.json" >"$tmp/drawn.json"
sed -e 's/WEB-RISK-1/WEB-ANNOUNCED-3/' -e 's/按风险分类抽查/已公告/' -e 's/, "due_date": "2026-12-31"//' "$tmp/risk.json" >"$tmp/announced.json"
sed -e 's/WEB-RISK-1/WEB-DRAFT-4/' -e 's/按风险分类抽查/草稿不公开/' "$tmp/risk.json" >"$tmp/draft.json"

# What must not change while the server answers: every table's rows, as a sorted text dump,
# but those a sign-in writes (its session, its audit record).
signed_in='^INSERT INTO (public\.)?"?(web_sessions|login_throttle|audit_log|audit_head)"? '

scenario() {
  local db="$1" label="$2"
  x() { "$XJ_CLI" --db "$db" --actor e2e "$@"; }
  echo "== $label"
  x demo --subjects 2000 >"$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out"; fail "$label: demo"; }
  x import items "$tmp/items.csv" >/dev/null || fail "$label: import items"
  x import subjects "$tmp/hostile.csv" >/dev/null || fail "$label: import hostile subjects"
  # Signed-in callers: the tasks' department and another one.
  local password="pages-e2e-password-7"
  x users add scjg.sv --name 市场监管 --role supervisor --department SCJG --password-stdin <<<"$password" >/dev/null ||
    fail "$label: users add"
  x users add wjw.sv --name 卫健监管 --role supervisor --department WJW --password-stdin <<<"$password" >/dev/null
  for spec in hostile risk drawn announced draft; do x task create --spec "$tmp/$spec.json" >/dev/null || fail "$label: create $spec"; done
  for id in HOSTILE-1 WEB-RISK-1 WEB-DRAWN-2 WEB-ANNOUNCED-3; do x task announce "$id" >/dev/null; done
  x task draw HOSTILE-1 --entropy 1.2.3./ >/dev/null
  x task draw WEB-RISK-1 --entropy 2.7.18.28./ >/dev/null
  x task draw WEB-DRAWN-2 --entropy 3.14.15./ >/dev/null
  x task reveal HOSTILE-1 --before-inspection --reason "端到端测试 / e2e" >/dev/null
  x task reveal WEB-RISK-1 --before-inspection --reason "端到端测试 / e2e" >/dev/null
  # What must never be served: the selection of the task drawn but not revealed.
  local q="SELECT uscc FROM draw_selection WHERE task_id = 'WEB-DRAWN-2' ORDER BY rank"
  if [[ "$db" == sqlite:* ]]; then sqlite3 -batch "${db#sqlite:}" "$q" >"$tmp/drawn-codes.txt"; else psql -X -q -At "$db" -c "$q" >"$tmp/drawn-codes.txt"; fi
  [ -s "$tmp/drawn-codes.txt" ] || fail "$label: WEB-DRAWN-2 drew nothing"
  snapshot "$db" "$signed_in" >"$tmp/before.sql"
  # The binary itself in the background, not the function x (a subshell: killing it would leave
  # the server running).
  start_server "$db" "$label"
  python3 "$checker" --check "$address" "$tmp/drawn-codes.txt" "$password" || fail "$label: page checks"
  stop_server
  snapshot "$db" "$signed_in" >"$tmp/after.sql"
  cmp -s "$tmp/before.sql" "$tmp/after.sql" || { diff "$tmp/before.sql" "$tmp/after.sql" | head -20 >&2; fail "$label: the data changed"; }
}

scenario "sqlite:$tmp/web.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  pg_db="xj_e2e_pages_$$_$RANDOM"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" postgresql
fi
echo "ok"
