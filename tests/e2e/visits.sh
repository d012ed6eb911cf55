#!/usr/bin/env bash
# Visits through the real binary (issue 4), on a fresh SQLite database with demo data:
# two tasks of SCJG and WJW drawn over the same small county, `visits dispatch`, a start /
# result / return / result / approve / publish round, `deadlines --all`, `stats`,
# `notices results`, `results import` of a file with one good and one bad line (exit 1, the
# rejects file written, the good line entered), `visit show` refused to a department without
# items, and `visits merge --period` proposing without --apply (nothing changed).
set -euo pipefail
: "${XJ_CLI:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
dbf="$tmp/xinjian.db"
x() { "$XJ_CLI" --db "sqlite:$dbf" --actor e2e "$@"; }
q() { sqlite3 -batch -noheader "$dbf" "$1"; }
pyjson() { python3 -c "import json, sys; j = json.load(sys.stdin); $1"; }  # reads stdin, asserts
# A fixed day inside a year with a State Council notice, on the clock the project controls:
# the outcome never depends on the day the test runs.
export XINJIAN_NOW=2026-06-15T10:00:00
today=2026-06-15
period=2026-06

x demo --subjects 5000 >"$tmp/demo.out" || { cat "$tmp/demo.out"; fail "demo"; }
grep -q 'demo draw task SCJG-DEMO-0001（revealed）' "$tmp/demo.out" || fail "the demo task is not revealed"

# Two items without ratio bounds or qualification, one per department, so that both tasks can
# draw a whole county: every drawn subject is then drawn twice.
cat >"$tmp/items.csv" <<'EOF'
code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,qualification
E2E-SCJG,端到端测试抽查事项（市监）,SCJG,《企业信息公示暂行条例》第十四条,key,,,1,,,
E2E-WJW,端到端测试抽查事项（卫健）,WJW,《公共场所卫生管理条例》第十一条,key,,,1,,,
EOF
x import items "$tmp/items.csv" --json | grep -q '"inserted":2' || fail "import items"
read -r county n <<<"$(q "SELECT region, COUNT(*) FROM subjects WHERE status = 'active' GROUP BY region
                          HAVING COUNT(*) BETWEEN 5 AND 40 ORDER BY COUNT(*), region LIMIT 1" | tr '|' ' ')"
[ -n "${county:-}" ] || fail "no county with 5 to 40 active subjects"
echo "county $county: $n active subjects"
for spec in A:SCJG:E2E-SCJG B:WJW:E2E-WJW; do
  IFS=: read -r letter dept item <<<"$spec"
  cat >"$tmp/spec-$letter.json" <<EOF
{"id": "E2E-$letter", "title": "端到端测试 $letter", "department": "$dept", "items": ["$item"],
 "filters": {"regions": ["$county"]}, "rule": {"count": $n},
 "exclusions": {"same_item_within_days": 0, "open_tasks": false},
 "team": {"slots": [{"group": "$dept", "count": 2}]}, "entropy_source": "端到端测试固定值 / e2e fixed value"}
EOF
  x task create --spec "$tmp/spec-$letter.json" >/dev/null || fail "task create E2E-$letter"
  x task announce "E2E-$letter" >/dev/null || fail "task announce E2E-$letter"
  x task draw "E2E-$letter" --entropy "1.2.3.4.5.6./" >/dev/null || fail "task draw E2E-$letter"
done
[ "$(q "SELECT COUNT(*) FROM visits WHERE id LIKE 'E2E-A-%'")" = "$n" ] || fail "task draw did not create the visits"

# dispatch: the visits exist already (task draw created them), nothing new.
out="$(x visits dispatch E2E-A)"
grep -q 'visits created: 0' <<<"$out" || fail "visits dispatch: $out"
x visits dispatch NO-SUCH-TASK >/dev/null 2>&1 && fail "dispatch of an unknown task succeeded"

# One round on E2E-A-1.
v=E2E-A-1
lead="$(q "SELECT team FROM visits WHERE id = '$v'" | cut -d, -f1)"
x visit start "$v" --by "$lead" >/dev/null || fail "visit start"
x visit result "$v" --item E2E-SCJG --code no_problem --date "$today" --method on_site --by "$lead" \
  --findings "端到端：未发现问题" >/dev/null || fail "visit result"
x visit review "$v" --department SCJG --return "缺少现场照片" --json | pyjson '
it = j["items"][0]; assert it["state"] == "returned" and it["review_reason"] == "缺少现场照片", it'
x visit result "$v" --item E2E-SCJG --code no_problem --date "$today" --method on_site --by "$lead" \
  --findings "端到端：已补充照片" >/dev/null || fail "visit result again"
x visit review "$v" --department SCJG --approve >/dev/null || fail "visit review --approve"
x visit publish "$v" --department SCJG --json | pyjson "
assert j['state'] == 'published', j
it = j['items'][0]; assert it['state'] == 'published' and it['published_on'] == '$today', it"
set +e
x visit review "$v" --department SCJG >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 2 ] || fail "visit review without --approve or --return: exit $rc"

# Deadlines, statistics, notices.
out="$(x deadlines --all)"
echo "$out"
# A published item shows when it was published and whether in time; nothing counts down.
grep -qP "^正常/green\t[0-9-]{10}\t已公示/published $today 按时/on time\tSCJG\t$v\tE2E-SCJG\tpublished$" <<<"$out" || fail "deadlines --all: $v"
x deadlines --department SCJG --all --json | pyjson "
d = [r for r in j if r['visit'] == '$v']; assert len(d) == 1 and d[0]['card'] == 'green', d
assert d[0]['on_time'] is True and d[0]['working_days_left'] is None and d[0]['published_on'] == '$today', d"
x deadlines --state yellow >/dev/null || fail "deadlines --state yellow"
x deadlines --state blue >/dev/null 2>&1 && fail "deadlines --state blue accepted"
out="$(x stats --task E2E-A)"
echo "$out"
grep -qP "^E2E-A\tSCJG\t$n\t1\t0\t1\t1$" <<<"$out" || fail "stats"
x notices results --task E2E-A | pyjson "
assert len(j) == 1 and j[0]['visit_id'] == '$v' and j[0]['item'] == 'E2E-SCJG' and j[0]['published_on'] == '$today', j"
x notices task E2E-A | pyjson "assert j['pool_size'] == $n and j['selected'] == $n and j['state'] == 'drawn', j"

# Before publication a department without items on the visit may not look at it.
set +e
x visit show E2E-A-3 --department WJW >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 1 ] || fail "visit show for WJW: exit $rc"
grep -q 'not visible' "$tmp/err" || fail "visit show for WJW: $(cat "$tmp/err")"
x visit show E2E-A-3 --department SCJG >/dev/null || fail "visit show for SCJG"

# A results file with one good and one bad line: exit 1, the rejects file written, the good
# line entered.
v2=E2E-A-2
lead2="$(q "SELECT team FROM visits WHERE id = '$v2'" | cut -d, -f1)"
cat >"$tmp/results.csv" <<EOF
visit_id,item,result,inspected_on,method,findings,follow_up,follow_up_deadline,transfer_to,case_no,inspector
$v2,E2E-SCJG,no_problem,$today,on_site,批量录入,,,,,$lead2
$v2,E2E-SCJG,fine,$today,on_site,=cmd|' /C calc'!A0,,,,,$lead2
EOF
set +e
x results import "$tmp/results.csv" --rejects "$tmp/rejects.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
cat "$tmp/out"
[ "$rc" = 1 ] || fail "results import with a bad line: exit $rc"
grep -q 'lines: 2，录入 / entered: 1，拒绝 / rejected: 1' "$tmp/out" || fail "results import summary"
grep -q 'line 3: .*unknown result code: fine' "$tmp/out" || fail "results import: the bad line's number and reason"
[ -f "$tmp/rejects.csv" ] || fail "no rejects file"
grep -q "unknown result code: fine" "$tmp/rejects.csv" || fail "rejects file: reason"
grep -q ",'=cmd" "$tmp/rejects.csv" || fail "rejects file: the formula is not neutralised"
[ "$(wc -l <"$tmp/rejects.csv")" = 2 ] || fail "rejects file: expected the header and one line"
x visit show "$v2" --department SCJG --json | pyjson "
it = j['items'][0]; assert it['state'] == 'entered' and it['findings'] == '批量录入', it"

# Merging proposed, not applied: the two visited subjects are no longer assigned, the others are
# proposed; nothing changes without --apply.
expected=$((n - 2))
out="$(x visits merge --period "$period")"
echo "$out"
grep -q "建议合并 / proposed: $expected 个对象" <<<"$out" || fail "visits merge: proposals"
grep -q "节省 / saved $expected 次上门" <<<"$out" || fail "visits merge: saved"
grep -q 'add --apply to merge' <<<"$out" || fail "visits merge: no hint to apply"
x visits merge --period "$period" --json | pyjson "
assert j['applied'] is False and j['saved'] == $expected and len(j['proposals']) == $expected, j
assert all(p['departments'] == ['SCJG', 'WJW'] and len(p['visits']) == 2 for p in j['proposals']), j"
[ "$(q "SELECT COUNT(*) FROM visits WHERE state = 'merged'")" = 0 ] || fail "visits merge without --apply changed visits"
x visits merge --period 2026-13 >/dev/null 2>&1 && fail "visits merge accepted a bad period"
x audit verify | grep -q '审计链完整' || fail "audit verify"
echo "visits e2e: ok"

# A result entered in late December: its deadline falls in 2027, a year without a notice, and
# is marked provisional; once a (fictional, test-only) 2027 notice is loaded, --refresh moves
# it with an audit record naming both dates, and the mark is gone.
v3=E2E-A-3
lead3="$(q "SELECT team FROM visits WHERE id = '$v3'" | cut -d, -f1)"
XINJIAN_NOW=2026-12-21 x visit start "$v3" --by "$lead3" >/dev/null || fail "visit start $v3"
XINJIAN_NOW=2026-12-21 x visit result "$v3" --item E2E-SCJG --code no_problem --date 2026-12-18 --method on_site \
  --by "$lead3" --json | pyjson "
it = j['items'][0]; assert it['due_date'] == '2027-01-18' and it['due_provisional'] is True, it"
out="$(XINJIAN_NOW=2026-12-21 x deadlines --department SCJG 2>&1)"
echo "$out"
grep -qP "\t$v3\tE2E-SCJG\tentered\t暂定/provisional$" <<<"$out" || fail "deadlines: no provisional mark"
grep -q '暂定 / provisional (no State Council notice loaded for 2027; statutory holidays only)' <<<"$out" \
  || fail "deadlines: no provisional note"
XINJIAN_NOW=2026-12-21 x notices task E2E-A | pyjson "
assert j['results_due'] == '2027-01-18' and j['results_due_provisional'] is True, j"
mkdir "$tmp/cal"
cat >"$tmp/cal/2027.json" <<'EOF'
{"format": "xj-calendar/1", "year": 2027,
 "source": {"issuer": "测试", "title": "测试通知", "document_number": "测试〔2026〕1号",
            "published": "2026-11-01", "url": "https://example.invalid/2027"},
 "holidays": [{"name_zh": "元旦", "name_en": "New Year's Day",
               "days_off": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"], "makeup_workdays": []}]}
EOF
out="$(XINJIAN_NOW=2026-12-22 x --set "calendar.dir=$tmp/cal" deadlines --refresh --department SCJG --json 2>"$tmp/err")"
grep -q '暂定期限改动 / provisional deadlines moved: 1' "$tmp/err" || fail "refresh: $(cat "$tmp/err")"
pyjson "
d = [r for r in j if r['visit'] == '$v3']; assert len(d) == 1 and d[0]['due_date'] == '2027-01-19' and d[0]['provisional'] is False, d
assert not [r for r in j if r['provisional']], j" <<<"$out"
[ "$(q "SELECT COUNT(*) FROM audit_log WHERE action = 'visit.deadline.move' AND entity_key = '$v3/E2E-SCJG: 2027-01-18 -> 2027-01-19'")" = 1 ] \
  || fail "no audit record naming both dates"
[ "$(q "SELECT COUNT(*) FROM events WHERE topic = 'visit.deadline.moved'")" = 1 ] || fail "no visit.deadline.moved event"
out="$(XINJIAN_NOW=2026-12-22 x --set "calendar.dir=$tmp/cal" deadlines --refresh 2>&1)"
grep -q 'provisional deadlines moved: 0' <<<"$out" || fail "a second refresh moved again: $out"
x audit verify | grep -q '审计链完整' || fail "audit verify after the move"
echo "visits e2e: provisional deadline ok"
