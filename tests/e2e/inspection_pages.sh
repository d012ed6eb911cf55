#!/usr/bin/env bash
# The inspection plugin's pages through the real binary (`xinjian serve --listen 127.0.0.1:0`),
# on SQLite and, when XINJIAN_TEST_PG_URL is set (./xj test), on PostgreSQL too. The command line
# makes two tasks (SCJG and WJW), draws them, publishes some results and leaves others entered
# or untouched; one drawn subject gets a hostile name and address, an inspector a hostile name,
# a task a hostile title, a result hostile findings. Users: the inspectors SCJG001 and WJW001,
# supervisors of SCJG and WJW. inspection_pages_check.py then checks:
#   - GET /results, /results/{task}, the home and subject sections: the published notices only
#     (exactly those `xinjian notices results --json` lists), zh and en, the download links and
#     the last change, filters, paging, hostile text escaped, no ID number, no unpublished
#     result, no drawn subject without a published result;
#   - GET /my/visits[/{visit}] and /api/v1/my/visits[/{visit}]: each inspector sees his own
#     visits only; another's visit is 404 exactly like one that does not exist; team members by
#     name, never an ID number; anonymous: 303 to /login (pages), 401 (API); a supervisor: 403;
#   - GET /department/visits: the supervisor's own department only, another department 403;
#   - malformed, repeated, unknown and oversized parameters: 400 (404 for what does not exist)
#     with a clear message; and the database is the same before and after.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
source "$XJ_SOURCE_DIR/tests/e2e/lib/web.sh"  # tmp, cleanup, fail, snapshot, start_server, stop_server
cd "$tmp"
ex="$XJ_SOURCE_DIR/docs/examples"
GOOD="correct horse battery"

# The example inspectors with ID numbers (kept masked by the directory; never shown) and a
# hostile name.
cat >"$tmp/inspectors.csv" <<'EOF'
id,name,department,unit,office_region,certificate_no,certificate_expires,qualifications,expert,status,id_number
SCJG001,王晓明,SCJG,执法稽查处,330203,浙02-10001,2029-06-30,食品安全;价格监管,0,active,33020319800101001X
SCJG002,"李娜<script>alert(""insp"")</script>",SCJG,执法稽查处,330205,浙02-10002,2029-06-30,食品安全,0,active,330205197506150024
SCJG003,陈静,SCJG,食品安全专家组,330203,浙02-10003,2028-12-31,食品安全,1,active,330212198808080031
WJW001,张伟,WJW,卫生监督所,330203,浙02-20001,2029-06-30,卫生监督,0,active,330203199202290040
WJW002,刘洋,WJW,卫生监督所,330212,浙02-20002,2029-06-30,卫生监督,0,active,330225198511110051
EOF
cat >"$tmp/scjg.json" <<'EOF'
{"title": "食品经营者抽查 \"页面\" <b>测试</b>", "department": "SCJG", "items": ["SCJG-2026-001"],
 "rule": {"count": 3}, "team": {"slots": [{"group": "SCJG", "count": 2}]}, "entropy": {"source": "none"},
 "due_date": "2026-12-31"}
EOF
cat >"$tmp/wjw.json" <<'EOF'
{"title": "公共场所卫生抽查", "department": "WJW", "items": ["WJW-2026-001"],
 "rule": {"count": 3}, "exclusions": {"open_tasks": false}, "team": {"slots": [{"group": "WJW", "count": 2}]},
 "entropy": {"source": "none"}, "due_date": "2026-12-15"}
EOF
findings=$'负责人身份证33020319700707006X，电话13912345678；"冷藏柜", 温度</p><script>alert(1)</script>'

# What a sign-in writes (sessions, throttling, the audit records of sign-ins) is left out of the comparison.
signed_in='^INSERT INTO (public\.)?"?(web_sessions|login_throttle|audit_log|audit_head)"? '

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
  # SCJG-2026-0003: due before the first, so it heads SCJG001's list.
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s.update(title="复查", due_date="2026-12-10", rule={"count": 1},
exclusions={"open_tasks": False}); json.dump(s, open(sys.argv[2], "w"), ensure_ascii=False)' "$tmp/scjg.json" "$tmp/scjg3.json"
  x task create --spec "$tmp/scjg3.json" >/dev/null
  x task announce SCJG-2026-0003 >/dev/null
  x task draw SCJG-2026-0003 >/dev/null
  x visit show SCJG-2026-0003-1 --department SCJG --json >"$tmp/s3.json"
  x visit show SCJG-2026-0001-1 --department SCJG --json >"$tmp/v1.json"
  x visit show SCJG-2026-0001-2 --department SCJG --json >"$tmp/v2.json"
  x visit show SCJG-2026-0001-3 --department SCJG --json >"$tmp/v3.json"
  x visit show WJW-2026-0001-1 --department WJW --json >"$tmp/w1.json"
  x visit show WJW-2026-0001-2 --department WJW --json >"$tmp/w2.json"
  # The first SCJG subject gets a hostile name and address (a re-import changes them).
  local hostile
  hostile="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["uscc"])' "$tmp/v1.json")"
  python3 - "$tmp/subjects.csv" "$hostile" <<'PY'
import csv, sys
path, uscc = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
for r in rows[1:]:
    if r[0] == uscc:
        r[1] = '恶意<script>alert("name")</script>&amp;餐饮店'
        r[9] = '宁波市<img src=x onerror=alert(2)>路1号'
with open(path, "w", newline="", encoding="utf-8") as f:
    csv.writer(f).writerows(rows)
PY
  x import subjects "$tmp/subjects.csv" >/dev/null
  # SCJG-2026-0001-1: published with the hostile findings. -2: entered, approved, not published.
  x visit result SCJG-2026-0001-1 --item SCJG-2026-001 --code corrected --date 2026-11-23 --method on_site --by SCJG001 \
    --follow-up correct --follow-up-deadline 2026-12-07 --findings "$findings" >/dev/null
  x visit review SCJG-2026-0001-1 --department SCJG --approve >/dev/null
  XINJIAN_NOW=2026-11-23T10:00:00 x visit publish SCJG-2026-0001-1 --department SCJG >/dev/null
  x visit result SCJG-2026-0001-2 --item SCJG-2026-001 --code no_problem --date 2026-11-23 --method documents \
    --by SCJG002 --findings "UNPUBLISHED-MARKER 未公示的检查情况" >/dev/null
  x visit review SCJG-2026-0001-2 --department SCJG --approve >/dev/null
  # WJW-2026-0001-1: published the next day.
  local wby
  wby="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["team"][0])' "$tmp/w1.json")"
  XINJIAN_NOW=2026-11-24T09:00:00 x visit result WJW-2026-0001-1 --item WJW-2026-001 --code no_problem \
    --date 2026-11-24 --method on_site --by "$wby" >/dev/null
  XINJIAN_NOW=2026-11-24T09:00:00 x visit review WJW-2026-0001-1 --department WJW --approve >/dev/null
  XINJIAN_NOW=2026-11-24T10:00:00 x visit publish WJW-2026-0001-1 --department WJW >/dev/null

  # Users: two inspectors (login = inspector id), two supervisors.
  x users add SCJG001 --name 王晓明 --role inspector --department SCJG --password-stdin <<<"$GOOD" >/dev/null
  x users add WJW001 --name 张伟 --role inspector --department WJW --password-stdin <<<"$GOOD" >/dev/null
  x users add wang.sv --name 王监管 --role supervisor --department SCJG --password-stdin <<<"$GOOD" >/dev/null
  x users add li.sv --name 李监管 --role supervisor --department WJW --password-stdin <<<"$GOOD" >/dev/null

  # The oracles: what is published, the drawn subjects that must stay unnamed in public, and
  # the visits of each inspector.
  x notices results --json >"$tmp/published.json"
  x visits for SCJG001 --json >"$tmp/for-SCJG001.json"
  x visits for WJW001 --json >"$tmp/for-WJW001.json"
  python3 - "$tmp" <<'PY'
import json, sys, os
tmp = sys.argv[1]
published = {r["uscc"] for r in json.load(open(os.path.join(tmp, "published.json")))}
drawn = {json.load(open(os.path.join(tmp, f)))["uscc"] for f in ("v1.json", "v2.json", "v3.json", "w1.json", "w2.json", "s3.json")}
open(os.path.join(tmp, "secret.txt"), "w").write(",".join(sorted(drawn - published)))
PY
  [ -s "$tmp/secret.txt" ] || fail "$label: no unpublished subject to look for"
  echo "$hostile" >"$tmp/hostile.txt"

  snapshot "$db" "$signed_in" >"$tmp/before.sql"
  XINJIAN_NOW=2026-11-25T09:00:00 start_server "$db" "$label"
  python3 "$XJ_SOURCE_DIR/tests/e2e/inspection_pages.py" "$address" "$tmp" || fail "$label: page checks"
  stop_server
  snapshot "$db" "$signed_in" >"$tmp/after.sql"
  cmp -s "$tmp/before.sql" "$tmp/after.sql" || { diff "$tmp/before.sql" "$tmp/after.sql" | head -20 >&2; fail "$label: the data changed"; }
  x audit verify >/dev/null || fail "$label: the audit chain"
}

scenario "sqlite:$tmp/pages.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  pg_db="xj_e2e_pages_$$_$RANDOM"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
  rm -f "$tmp/published.json" "$tmp/secret.txt"
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" postgresql
fi
echo "ok"
