#!/usr/bin/env bash
# The working-day calendar through the real binary: xinjian calendar add-workdays and show,
# their errors and exit codes, the calendar.dir override; the shipped files against
# schemas/calendar.schema.json; and add-workdays against an independent Python walk over
# the same files.
set -euo pipefail
: "${XJ_CLI:?}" "${XJ_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect EXPECTED ARGS...: stdout of xinjian ARGS must be EXPECTED
  local want="$1"; shift
  local got
  got="$("$XJ_CLI" "$@")" || fail "xinjian $* exited $?"
  [ "$got" = "$want" ] || fail "xinjian $*: expected '$want', got '$got'"
}

# The issue's known case: 20 working days after 2025-01-20 skip the Spring Festival
# (28 Jan - 4 Feb) and count the make-up days 26 Jan (Sunday) and 8 Feb (Saturday).
expect 2025-02-21 calendar add-workdays 2025-01-20 20
expect 2025-01-20 calendar add-workdays 2025-02-21 -20
expect 2025-10-09 calendar add-workdays 2025-09-30 1
expect 2025-01-02 calendar add-workdays 2024-12-31 1
expect 2024-12-31 calendar add-workdays 2025-01-02 -1
expect 2026-01-04 calendar add-workdays 2025-12-31 1
# N = 0: DATE when it is a working day, else the next working day (a deadline on a rest day
# moves to the next working day); never a holiday, as docs/calendar.md says of every result.
expect 2025-02-05 calendar add-workdays 2025-01-29 0
expect 2025-02-05 calendar add-workdays 2025-02-05 0
expect 2025-01-26 calendar add-workdays 2025-01-25 0
expect 2025-10-09 calendar add-workdays 2025-10-01 0
"$XJ_CLI" calendar add-workdays 2025-01-29 0 --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["from"] == "2025-01-29" and j["n"] == 0 and j["date"] == "2025-02-05" and j["weekday"] == 3, j'
json="$("$XJ_CLI" calendar add-workdays 2025-01-20 20 --json)"
python3 - "$json" <<'EOF'
import json, sys
j = json.loads(sys.argv[1])
assert j["from"] == "2025-01-20" and j["n"] == 20 and j["date"] == "2025-02-21" and j["weekday"] == 5, j
assert j["calendar_years"][:3] == [2024, 2025, 2026] and j["calendar_years"][-1] >= 2050, j
assert j["provisional"] is False and j["provisional_years"] == [], j
EOF

# show: the notice cited, Chinese first then English.
out="$("$XJ_CLI" calendar show 2025)"
echo "$out"
head -n 1 <<<"$out" | grep -q '^2025 年工作日历 / working-day calendar for 2025$' || fail "show: first line"
grep -q '^依据 / source: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）$' <<<"$out" || fail "show: source"
grep -q '^发文机关 / issued by: 国务院办公厅，2024-11-12$' <<<"$out" || fail "show: issuer and date"
grep -q '^网址 / URL: https://www.gov.cn/' <<<"$out" || fail "show: URL"
grep -q '^全年工作日 / working days in the year: 248$' <<<"$out" || fail "show: working days"
grep -q '^春节 / Spring Festival$' <<<"$out" || fail "show: Spring Festival"
grep -q '放假 / days off: 2025-01-28（周二 / Tue） 至 / to 2025-02-04（周二 / Tue），共 8 天 / 8 days' <<<"$out" || fail "show: days off"
grep -q '调休上班 / make-up working days: 2025-01-26（周日 / Sun）、2025-02-08（周六 / Sat）' <<<"$out" || fail "show: make-up days"
grep -q '国办发明电〔2023〕7号' <<<"$("$XJ_CLI" calendar show 2024)" || fail "show 2024"
grep -q '国办发明电〔2025〕7号' <<<"$("$XJ_CLI" calendar show 2026)" || fail "show 2026"
"$XJ_CLI" calendar show 2026 --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["year"] == 2026 and j["working_days"] == 248, j
assert j["source"]["document_number"] == "国办发明电〔2025〕7号" and j["source"]["published"] == "2025-11-04", j["source"]
spring = [h for h in j["holidays"] if h["name_en"] == "Spring Festival"][0]
assert spring["days_off"][0] == "2026-02-15" and spring["days_off"][-1] == "2026-02-23" and len(spring["days_off"]) == 9
assert spring["makeup_workdays"] == ["2026-02-14", "2026-02-28"]
'

# Past the last notice: provisional years from the holiday law, marked as such.
expect "2027-01-18  暂定 / provisional (no State Council notice loaded for 2027; statutory holidays only)" \
  calendar add-workdays 2026-12-20 20
"$XJ_CLI" calendar add-workdays 2026-12-20 20 --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["date"] == "2027-01-18" and j["provisional"] is True and j["provisional_years"] == [2027], j'
out="$("$XJ_CLI" calendar show 2027)"
echo "$out"
head -n 2 <<<"$out" | tail -n 1 | grep -qx '暂定 / provisional (no State Council notice loaded for 2027; statutory holidays only)' \
  || fail "show 2027: the provisional mark"
grep -q '^依据 / source: 全国年节及纪念日放假办法（国务院令第795号）$' <<<"$out" || fail "show 2027: the law cited"
grep -q '放假 / days off: 2027-02-05（周五 / Fri） 至 / to 2027-02-10（周三 / Wed），共 6 天 / 6 days' <<<"$out" \
  || fail "show 2027: Spring Festival with the weekend days given back"
grep -q '^全年工作日 / working days in the year: 248$' <<<"$out" || fail "show 2027: working days"
"$XJ_CLI" calendar show 2027 --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["year"] == 2027 and j["provisional"] is True and j["working_days"] == 248, j
assert all(h["makeup_workdays"] == [] for h in j["holidays"]), j'
"$XJ_CLI" calendar show 2026 --json | python3 -c '
import json, sys
assert json.load(sys.stdin)["provisional"] is False'

# Errors: a year the law cannot be applied to exits 1 with the bilingual message, a bad date
# exits 2.
set +e
"$XJ_CLI" calendar show 2051 >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "show 2051: exit $rc"
grep -q '错误 / error: 缺少 2051 年的工作日历（国务院办公厅关于2051年部分节假日安排的通知）' "$tmp/err" || fail "show 2051: message"
grep -q 'no working-day calendar for 2051' "$tmp/err" || fail "show 2051: English message"
grep -q '已有年份 / years available: 2024–2050（暂定 / provisional: 2027–2050）' "$tmp/err" || fail "show 2051: years $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "show 2051 printed to stdout"
set +e
"$XJ_CLI" calendar add-workdays 2050-12-20 20 >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "add-workdays into 2051: exit $rc"
grep -q '缺少 2051 年的工作日历' "$tmp/err" || fail "add-workdays into 2051: message"
set +e
"$XJ_CLI" calendar add-workdays 2050-12-31 0 >"$tmp/out" 2>"$tmp/err"; rc=$?  # a Saturday: next working day in 2051
set -e
[ "$rc" -eq 1 ] || fail "add-workdays 2050-12-31 0: exit $rc"
grep -q '缺少 2051 年的工作日历' "$tmp/err" || fail "add-workdays 2050-12-31 0: message"
[ ! -s "$tmp/out" ] || fail "add-workdays 2050-12-31 0 printed $(cat "$tmp/out")"
# A malformed N is a usage error (2) saying what N must be, never read as 0 ('') or as hex.
for bad in abc 1.5 '' 0x1 ' 1' '1 ' + - 1e3 99999999999 '０'; do
  set +e
  "$XJ_CLI" calendar add-workdays 2025-01-29 "$bad" >"$tmp/out" 2>"$tmp/err"; rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "add-workdays N='$bad': exit $rc, printed $(cat "$tmp/out")"
  [ ! -s "$tmp/out" ] || fail "add-workdays N='$bad' printed $(cat "$tmp/out")"
  grep -q '工作日数应为整数（如 20、-5、0）.* / the number of working days must be a whole number' "$tmp/err" \
    || fail "add-workdays N='$bad': message $(cat "$tmp/err")"
done
expect 2025-02-05 calendar add-workdays 2025-01-29 +1
expect 2025-02-05 calendar add-workdays 2025-01-29 -0
set +e
"$XJ_CLI" calendar add-workdays 2025-02-30 1 >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad date: exit $rc"
grep -q '日期应为 YYYY-MM-DD.* / a date must be a valid YYYY-MM-DD' "$tmp/err" || fail "bad date: message"

# calendar.dir: a (fictional, test-only) 2027 file adds the year; a refused file fails.
cat >"$tmp/2027.json" <<'EOF'
{
  "format": "xj-calendar/1",
  "year": 2027,
  "source": {"issuer": "测试", "title": "测试通知", "document_number": "测试〔2026〕1号",
             "published": "2026-11-01", "url": "https://example.invalid/2027"},
  "holidays": [{"name_zh": "元旦", "name_en": "New Year's Day", "days_off": ["2027-01-01"], "makeup_workdays": []}]
}
EOF
expect 2027-01-18 --set "calendar.dir=$tmp" calendar add-workdays 2026-12-20 20
grep -q "数据文件 / data file: $tmp/2027.json" <<<"$("$XJ_CLI" --set "calendar.dir=$tmp" calendar show 2027)" \
  || fail "show 2027 from calendar.dir"
sed 's/"makeup_workdays": \[\]/"makeup_workdays": ["2027-01-04"]/' "$tmp/2027.json" >"$tmp/2027.tmp" && mv "$tmp/2027.tmp" "$tmp/2027.json"
set +e
"$XJ_CLI" --set "calendar.dir=$tmp" calendar add-workdays 2026-12-20 20 >"$tmp/out" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "refused calendar file: exit $rc"
grep -q "工作日历文件 $tmp/2027.json：holidays\[0\].makeup_workdays\[0\]: 调休上班日 2027-01-04 是周一，应为周六或周日" "$tmp/err" \
  || fail "refused calendar file: message $(cat "$tmp/err")"

# The shipped files validate against the JSON Schema (when python3-jsonschema is installed),
# and add-workdays agrees with a day-by-day walk in Python over the same files and, for the
# years without a notice, over the holiday law implemented again here with python3-lunardate
# (an independent source of the lunar dates) and the 清明 formula.
/usr/bin/python3 - "$XJ_SOURCE_DIR" "$XJ_CLI" <<'EOF'
import datetime as dt, glob, json, random, subprocess, sys
src, cli = sys.argv[1], sys.argv[2]
sys.path.insert(0, src + "/tests/calendar")
import law_model
try:
    import jsonschema
    schema = json.load(open(src + "/schemas/calendar.schema.json"))
    for f in sorted(glob.glob(src + "/schemas/calendar/[0-9][0-9][0-9][0-9].json")):
        jsonschema.validate(json.load(open(f)), schema)
except ImportError:
    print("python3-jsonschema missing: schema check skipped")
years, off, work, notice_years = law_model.load(src)
off = {d.isoformat() for d in off}
work = {d.isoformat() for d in work}
def working(d):
    s = d.isoformat()
    return s in work or (s not in off and d.weekday() < 5)
def add(d, n):
    step, left = (1 if n > 0 else -1), abs(n)
    while n == 0 and not working(d):  # 0 days: the first working day on or after d
        d += dt.timedelta(days=1)
        if d.year not in years: return None
    while left:
        d += dt.timedelta(days=step)
        if d.year not in years: return None
        left -= working(d)
    return d
rnd = random.Random(20250120)
first, span = dt.date(min(years), 1, 1), (dt.date(max(years) + 1, 1, 1) - dt.date(min(years), 1, 1)).days
checked = 0
for i in range(180):
    d, n = first + dt.timedelta(days=rnd.randrange(span)), rnd.choice([-1, 1]) * rnd.randrange(1, 60)
    if i % 6 == 0:
        n = 0  # and often a rest day (a third of the days are)
    want = add(d, n)
    if want is None:
        continue  # outside 2024-2050: the error cases are checked above
    r = subprocess.run([cli, "calendar", "add-workdays", d.isoformat(), str(n)], capture_output=True, text=True)
    assert r.returncode == 0, (d, n, r.stdout, r.stderr)
    assert r.stdout.split()[0] == want.isoformat(), (d, n, want, r.stdout, r.stderr)
    provisional = any(y not in notice_years for y in range(min(d, want).year, max(d, want).year + 1))
    assert ("暂定 / provisional" in r.stdout) == provisional, (d, n, r.stdout)
    checked += 1
assert checked >= 120, checked
print(f"calendar e2e: ok ({checked} dates against the independent walk)")
EOF

# The process clock: a bad --now or XINJIAN_NOW is a usage error (exit 2) naming the forms,
# never a silent real clock.
for bad in tomorrow 2026-02-30 "2026-06-15T10:00:00+08:00"; do
  set +e
  "$XJ_CLI" --now "$bad" calendar show 2026 >/dev/null 2>"$tmp/err"; rc=$?
  XINJIAN_NOW="$bad" "$XJ_CLI" calendar show 2026 >/dev/null 2>"$tmp/err2"; rc2=$?
  set -e
  [ "$rc" = 2 ] && [ "$rc2" = 2 ] || fail "--now '$bad': exit $rc / $rc2"
  grep -q 'YYYY-MM-DD' "$tmp/err" && grep -q 'YYYY-MM-DD' "$tmp/err2" || fail "--now '$bad': message $(cat "$tmp/err")"
done
echo "calendar e2e: clock ok"
