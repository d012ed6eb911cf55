#!/usr/bin/env bash
# The published results as open data through the real binary: `xinjian serve --listen
# 127.0.0.1:0` over a database where the command line made two tasks, drew them, entered,
# reviewed and published some results and left others entered, approved or untouched; on SQLite
# and, when XINJIAN_TEST_PG_URL is set (./xj test), on PostgreSQL too. results_api_check.py asks
# the inspection plugin's routes (/api/v1/results…, the CSV, GB18030, JSON Lines and .xlsx
# downloads, /feeds/results.atom) and checks:
#   - only published results appear, exactly those `xinjian notices results --json` lists;
#   - every download holds the same rows as the JSON API;
#   - ETag / Last-Modified answer 304, and a new publication changes them;
#   - hostile, malformed and oversized parameters are 400 (or 404 for what does not exist)
#     with the JSON error, and the database is the same before and after;
#   - no byte served holds an inspector's ID number (whole or masked), a number typed into the
#     findings (ID, mobile), a case number, text of an unpublished result, or a drawn subject
#     whose results are not published.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
source "$XJ_SOURCE_DIR/tests/e2e/lib/web.sh"  # tmp, cleanup, fail, snapshot, start_server, stop_server
cd "$tmp"
ex="$XJ_SOURCE_DIR/docs/examples"

# The example inspectors with ID numbers (the directory keeps them masked; no route may serve
# them, whole or masked).
cat >"$tmp/inspectors.csv" <<'EOF'
id,name,department,unit,office_region,certificate_no,certificate_expires,qualifications,expert,status,id_number
SCJG001,王晓明,SCJG,执法稽查处,330203,浙02-10001,2029-06-30,食品安全;价格监管,0,active,33020319800101001X
SCJG002,李娜,SCJG,执法稽查处,330205,浙02-10002,2029-06-30,食品安全,0,active,330205197506150024
SCJG003,陈静,SCJG,食品安全专家组,330203,浙02-10003,2028-12-31,食品安全,1,active,330212198808080031
WJW001,张伟,WJW,卫生监督所,330203,浙02-20001,2029-06-30,卫生监督,0,active,330203199202290040
WJW002,刘洋,WJW,卫生监督所,330212,浙02-20002,2029-06-30,卫生监督,0,active,330225198511110051
EOF
cat >"$tmp/scjg.json" <<'EOF'
{"title": "食品经营者抽查 \"开放数据\" <测试>", "department": "SCJG", "items": ["SCJG-2026-001"],
 "rule": {"count": 3}, "team": {"slots": [{"group": "SCJG", "count": 2}]}, "entropy": {"source": "none"}}
EOF
cat >"$tmp/wjw.json" <<'EOF'
{"title": "公共场所卫生抽查", "department": "WJW", "items": ["WJW-2026-001"],
 "rule": {"count": 3}, "exclusions": {"open_tasks": false}, "team": {"slots": [{"group": "WJW", "count": 2}]},
 "entropy": {"source": "none"}}
EOF
# Findings an officer typed: a formula, markup, CSV's separators, a control character, a
# private-use character GB18030 (glibc) cannot encode, a resident ID number and a mobile number.
findings=$'=cmd|\' /C calc\'!A0 负责人身份证33020319700707006X，电话13912345678；\n"冷藏柜", 温度</title><script>alert(1)</script>\x01 \xee\x9e\x8d'


scenario() {
  local db="$1" label="$2"
  x() { "$XJ_CLI" --db "$db" --actor e2e "$@"; }
  echo "== $label"
  export XINJIAN_NOW=2026-11-23T09:00:00  # Asia/Shanghai; never the wall clock
  x init >/dev/null
  x import departments "$ex/departments.csv" >/dev/null
  x gen subjects --count 2000 --seed 1 -o "$tmp/subjects.csv" >/dev/null
  x import subjects "$tmp/subjects.csv" >/dev/null
  x import inspectors "$tmp/inspectors.csv" >/dev/null
  x import items "$ex/items.csv" >/dev/null
  x task create --spec "$tmp/scjg.json" >/dev/null
  x task announce SCJG-2026-0001 >/dev/null
  x task draw SCJG-2026-0001 >/dev/null
  x task create --spec "$tmp/wjw.json" >/dev/null
  x task announce WJW-2026-0001 >/dev/null
  x task draw WJW-2026-0001 >/dev/null
  x task create --spec "$tmp/scjg.json" >/dev/null  # SCJG-2026-0002, a draft: not public
  # SCJG-2026-0001-1: published with the hostile findings and a correction deadline.
  local by1 by2 wby
  by1="$(x visit show SCJG-2026-0001-1 --department SCJG --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["team"][0])')"
  by2="$(x visit show SCJG-2026-0001-2 --department SCJG --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["team"][0])')"
  wby="$(x visit show WJW-2026-0001-1 --department WJW --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["team"][0])')"
  x visit result SCJG-2026-0001-1 --item SCJG-2026-001 --code corrected --date 2026-11-23 --method on_site --by "$by1" \
    --follow-up correct --follow-up-deadline 2026-12-07 --findings "$findings" >/dev/null
  x visit review SCJG-2026-0001-1 --department SCJG --approve >/dev/null
  XINJIAN_NOW=2026-11-23T10:00:00 x visit publish SCJG-2026-0001-1 --department SCJG >/dev/null
  # SCJG-2026-0001-2: entered and approved, not published (published in the second phase).
  x visit result SCJG-2026-0001-2 --item SCJG-2026-001 --code no_problem --date 2026-11-23 --method documents \
    --by "$by2" --findings "UNPUBLISHED-MARKER 未公示的检查情况" >/dev/null
  x visit review SCJG-2026-0001-2 --department SCJG --approve >/dev/null
  # WJW-2026-0001-1: a case filed (its case number is not open data), published the next day.
  XINJIAN_NOW=2026-11-24T09:00:00 x visit result WJW-2026-0001-1 --item WJW-2026-001 --code case_filed \
    --date 2026-11-24 --method on_site --by "$wby" --follow-up case --case-no "CASE-NO-SECRET-77" \
    --findings "从业人员健康证过期" >/dev/null
  XINJIAN_NOW=2026-11-24T09:00:00 x visit review WJW-2026-0001-1 --department WJW --approve >/dev/null
  XINJIAN_NOW=2026-11-24T10:00:00 x visit publish WJW-2026-0001-1 --department WJW >/dev/null
  # SCJG-2026-0001-3, WJW-2026-0001-2 and -3: nothing entered.

  # What the command line says is published, and the drawn subjects that must stay unnamed.
  x notices results --json >"$tmp/published.json"
  {
    x task show SCJG-2026-0001 --json --department SCJG
    x task show WJW-2026-0001 --json --department WJW
  } | python3 -c '
import json, sys
published = {r["uscc"] for r in json.load(open(sys.argv[1]))}
dec = json.JSONDecoder(); text = sys.stdin.read(); at = 0; secret = set()
while at < len(text):
    while at < len(text) and text[at].isspace(): at += 1
    if at >= len(text): break
    task, at = dec.raw_decode(text, at)
    secret |= {s["uscc"] for s in task["selection"]}
print(",".join(sorted(secret - published)))' "$tmp/published.json" >"$tmp/secret.txt"
  [ -s "$tmp/secret.txt" ] || fail "$label: no unpublished subject to look for"

  snapshot "$db" >"$tmp/before.sql"
  # The binary itself in the background (not through the function x: $! would be the subshell
  # running it, and killing that would leave the server running).
  XINJIAN_NOW=2026-11-25T09:00:00 start_server "$db" "$label"
  local check="$XJ_SOURCE_DIR/tests/e2e/results_api_check.py"
  python3 "$check" first "$address" "$tmp" || fail "$label: results API checks"
  snapshot "$db" >"$tmp/after.sql"
  cmp -s "$tmp/before.sql" "$tmp/after.sql" || { diff "$tmp/before.sql" "$tmp/after.sql" | head -20 >&2; fail "$label: the data changed"; }

  # A publication while the server runs: the validators change, a cached copy is stale.
  XINJIAN_NOW=2026-11-26T10:00:00 x visit publish SCJG-2026-0001-2 --department SCJG >/dev/null
  x notices results --json >"$tmp/published.json"
  python3 "$check" second "$address" "$tmp" || fail "$label: results API checks after a new publication"
  stop_server
  x audit verify >/dev/null || fail "$label: the audit chain"
}

scenario "sqlite:$tmp/results.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  pg_db="xj_e2e_results_$$_$RANDOM"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
  rm -f "$tmp/state.json"
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" postgresql
fi
echo "ok"
