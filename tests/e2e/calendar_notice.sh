#!/usr/bin/env bash
# xinjian calendar import-notice through the real binary: the 2026 notice as published,
# written to a temporary folder, loads with `calendar show` as the shipped year; a refused
# notice exits 1 naming the line and writes nothing; an existing file is kept unless --force;
# a GB18030 text is converted; hostile files and bad options are refused with their exit code.
set -euo pipefail
: "${XJ_CLI:?}" "${XJ_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
url=https://www.gov.cn/zhengce/content/202511/content_7047090.htm

# run EXPECTED_EXIT ARGS...: runs xinjian ARGS with stdout in $tmp/out, stderr in $tmp/err.
run() {
  local want="$1"; shift
  local rc=0
  "$XJ_CLI" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [ "$rc" -eq "$want" ] || fail "xinjian $*: exit $rc, expected $want; stderr: $(cat "$tmp/err")"
}
# nothing_written DIR: DIR holds no file at all (no YYYY.json, no temporary file).
nothing_written() {
  [ -z "$(ls -A "$1")" ] || fail "files left in $1: $(ls -A "$1")"
}

# The notice of 国办发明电〔2025〕7号 as copied from www.gov.cn: indented with ideographic
# spaces, one paragraph with ASCII punctuation and 星期X, two paragraphs on one line, the last
# one split over two lines.
cat >"$tmp/notice-2026.txt" <<'EOF'
国务院办公厅关于2026年部分节假日安排的通知
国办发明电〔2025〕7号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
　　经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
　　一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
　　二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
　　三、清明节：4月4日（周六）至6日（周一）放假，共3天。
　　四、劳动节: 5月1日(星期五)至5日(星期二)放假调休, 共5天. 5月9日(星期六)上班.
　　五、端午节：6月19日（周五）至21日（周日）放假，共3天。六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
　　七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。
9月20日（周日）、10月10日（周六）上班。
　　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

　　　　　　　　　　　　　　　　　　　　国务院办公厅
　　　　　　　　　　　　　　　　　　　　2025年11月4日
　　（此件公开发布）
EOF

# Imported, it writes 2026.json and prints the year.
mkdir "$tmp/cal"
run 0 calendar import-notice "$tmp/notice-2026.txt" --out "$tmp/cal" --url "$url"
cat "$tmp/out"
[ -f "$tmp/cal/2026.json" ] || fail "2026.json not written"
[ "$(ls -A "$tmp/cal")" = "2026.json" ] || fail "other files in the folder: $(ls -A "$tmp/cal")"
head -n 1 "$tmp/out" | grep -qx "已写入 / written: $tmp/cal/2026.json" || fail "first line: $(head -n 1 "$tmp/out")"
grep -qx '依据 / source: 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号），国务院办公厅，2025-11-04' \
  "$tmp/out" || fail "source line"
grep -qx '春节 / Spring Festival' "$tmp/out" || fail "Spring Festival"
grep -q '放假 / days off: 2026-02-15（周日 / Sun） 至 / to 2026-02-23（周一 / Mon），共 9 天 / 9 days' "$tmp/out" \
  || fail "Spring Festival days off"
grep -q '调休上班 / make-up working days: 2026-02-14（周六 / Sat）、2026-02-28（周六 / Sat）' "$tmp/out" \
  || fail "Spring Festival make-up days"
grep -qx '全年工作日 / working days in the year: 248' "$tmp/out" || fail "working days"

# The file loads: `calendar show` from that folder gives the shipped days of every holiday.
run 0 --set "calendar.dir=$tmp/cal" calendar show 2026 --json
python3 - "$tmp/out" "$XJ_SOURCE_DIR/schemas/calendar/2026.json" "$tmp/cal/2026.json" "$url" <<'EOF'
import json, sys
shown, shipped, written = (json.load(open(p)) for p in sys.argv[1:4])
def days(j):
    return [(h["name_zh"], h["name_en"], h["days_off"], h["makeup_workdays"]) for h in j["holidays"]]
assert days(shown) == days(shipped), (days(shown), days(shipped))
assert days(written) == days(shipped)
assert shown["working_days"] == 248, shown["working_days"]
assert "origin" not in shown or shown["origin"].endswith("/2026.json"), shown["origin"]
assert written["format"] == "xj-calendar/1" and written["year"] == 2026
assert written["source"] == dict(shipped["source"], url=sys.argv[4]), written["source"]
assert all(h["notice"] for h in written["holidays"])
EOF

# --json prints a summary; standard input is read for "-".
mkdir "$tmp/cal2"
"$XJ_CLI" calendar import-notice - --out "$tmp/cal2" --url "$url" --json <"$tmp/notice-2026.txt" >"$tmp/out" \
  || fail "import-notice - --json exited $?"
python3 - "$tmp/out" "$tmp/cal2" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["file"] == sys.argv[2] + "/2026.json" and j["year"] == 2026 and j["working_days"] == 248, j
assert j["converted_from"] is None, j
assert j["source"]["document_number"] == "国办发明电〔2025〕7号" and j["source"]["published"] == "2025-11-04", j
assert [h["name_en"] for h in j["holidays"]][:2] == ["New Year's Day", "Spring Festival"], j
EOF
cmp -s "$tmp/cal/2026.json" "$tmp/cal2/2026.json" || fail "stdin and file give different files"

# An existing file is kept without --force, replaced with it.
sum="$(sha256sum <"$tmp/cal/2026.json")"
run 1 calendar import-notice "$tmp/notice-2026.txt" --out "$tmp/cal" --url "$url" --document-number '国办发明电〔2025〕8号'
grep -q "错误 / error: 文件 $tmp/cal/2026.json 已存在；要替换它请加 --force / the file $tmp/cal/2026.json exists" "$tmp/err" \
  || fail "exists: message $(cat "$tmp/err")"
[ "$(sha256sum <"$tmp/cal/2026.json")" = "$sum" ] || fail "the existing file was changed without --force"
[ "$(ls -A "$tmp/cal")" = "2026.json" ] || fail "temporary file left: $(ls -A "$tmp/cal")"
run 0 calendar import-notice "$tmp/notice-2026.txt" --out "$tmp/cal" --url "$url" --document-number '国办发明电〔2025〕8号' --force
grep -q '"document_number": "国办发明电〔2025〕8号"' "$tmp/cal/2026.json" || fail "--force did not replace the file"
[ "$(ls -A "$tmp/cal")" = "2026.json" ] || fail "temporary file left after --force: $(ls -A "$tmp/cal")"

# A refused notice: exit 1, the line and the reason in both languages, nothing written.
mkdir "$tmp/empty"
sed 's/6日（周一）放假，共3天。/6日（周一）放假，共2天。/' "$tmp/notice-2026.txt" >"$tmp/bad-count.txt"
run 1 calendar import-notice "$tmp/bad-count.txt" --out "$tmp/empty" --url "$url"
grep -q '^错误 / error: 第 8 行：“共2天”与放假日数不符.* / line 8: "共2天" says 2 days' "$tmp/err" \
  || fail "bad count: message $(cat "$tmp/err")"
grep -q "未写入任何文件 / nothing written" "$tmp/err" || fail "bad count: nothing written"
[ ! -s "$tmp/out" ] || fail "bad count printed to stdout"
nothing_written "$tmp/empty"
sed 's/1月4日（周日）上班/1月5日上班/' "$tmp/notice-2026.txt" >"$tmp/bad-makeup.txt"
run 1 calendar import-notice "$tmp/bad-makeup.txt" --out "$tmp/empty" --url "$url"
grep -q '第 6 行：调休上班日 2026-01-05 是周一，应为周六或周日 / line 6: make-up working day 2026-01-05 is a Monday' "$tmp/err" \
  || fail "make-up on a Monday: message $(cat "$tmp/err")"
nothing_written "$tmp/empty"
sed 's/六、中秋节：9月25日（周五）至27日（周日）放假，共3天。//' "$tmp/notice-2026.txt" >"$tmp/no-zhongqiu.txt"
run 1 calendar import-notice "$tmp/no-zhongqiu.txt" --out "$tmp/empty" --url "$url"
grep -q '缺少中秋节的段落（法定假日 2026-09-25）' "$tmp/err" || fail "missing festival: $(cat "$tmp/err")"
nothing_written "$tmp/empty"
# A refused notice never replaces an existing file, even with --force.
sum="$(sha256sum <"$tmp/cal/2026.json")"
run 1 calendar import-notice "$tmp/bad-count.txt" --out "$tmp/cal" --url "$url" --force
[ "$(sha256sum <"$tmp/cal/2026.json")" = "$sum" ] || fail "a refused notice changed the existing file"
# The year given and the year of the title disagree; no URL anywhere.
run 1 calendar import-notice "$tmp/notice-2026.txt" --out "$tmp/empty" --url "$url" --year 2027
grep -q '第 1 行：通知是 2026 年的，与指定的年份 2027（--year）不符' "$tmp/err" || fail "--year: $(cat "$tmp/err")"
run 1 calendar import-notice "$tmp/notice-2026.txt" --out "$tmp/empty"
grep -q '请用 --url 指定 / .*pass --url' "$tmp/err" || fail "no URL: $(cat "$tmp/err")"
nothing_written "$tmp/empty"

# GB18030 (as saved by Chinese Windows) is converted; the result is the same file.
python3 -c 'import sys; sys.stdout.buffer.write(open(sys.argv[1], encoding="utf-8").read().encode("gb18030"))' \
  "$tmp/notice-2026.txt" >"$tmp/notice-gb.txt"
mkdir "$tmp/gb"
run 0 calendar import-notice "$tmp/notice-gb.txt" --out "$tmp/gb" --url "$url"
grep -q 'GB18030' "$tmp/err" || fail "GB18030: no note on stderr"
cmp -s "$tmp/cal2/2026.json" "$tmp/gb/2026.json" || fail "GB18030 text gives another file"

# Hostile files: not UTF-8, UTF-16, too large, control characters, a folder, missing.
printf '国务院办公厅关于2026年部分节假日安排的通知\n\xff\xfe\xfd garbage\n' >"$tmp/binary.txt"
run 1 calendar import-notice "$tmp/binary.txt" --out "$tmp/empty" --url "$url"
grep -q '第 2 行：不是有效的 UTF-8 文本' "$tmp/err" || fail "not UTF-8: $(cat "$tmp/err")"
printf '\xff\xfe\x3d\x56' >"$tmp/utf16.txt"
run 1 calendar import-notice "$tmp/utf16.txt" --out "$tmp/empty" --url "$url"
grep -q 'UTF-16' "$tmp/err" || fail "UTF-16: $(cat "$tmp/err")"
head -c 70000 /dev/zero | tr '\0' 'x' >"$tmp/huge.txt"
run 1 calendar import-notice "$tmp/huge.txt" --out "$tmp/empty" --url "$url"
grep -q '超过 65536 字节的上限' "$tmp/err" || fail "huge: $(cat "$tmp/err")"
sed 's/三、清明节/三、清明\x07节/' "$tmp/notice-2026.txt" >"$tmp/control.txt"
run 1 calendar import-notice "$tmp/control.txt" --out "$tmp/empty" --url "$url"
grep -q '第 8 行：含控制字符 U+0007' "$tmp/err" || fail "control character: $(cat "$tmp/err")"
: >"$tmp/zero.txt"
run 1 calendar import-notice "$tmp/zero.txt" --out "$tmp/empty" --url "$url"
grep -q '通知：文本为空 / notice: the text is empty' "$tmp/err" || fail "empty: $(cat "$tmp/err")"
run 1 calendar import-notice "$tmp" --out "$tmp/empty" --url "$url"
grep -q '无法读取通知文件' "$tmp/err" || fail "a folder: $(cat "$tmp/err")"
run 1 calendar import-notice "$tmp/nope.txt" --out "$tmp/empty" --url "$url"
grep -q '无法读取通知文件' "$tmp/err" || fail "missing file: $(cat "$tmp/err")"
run 1 calendar import-notice "$tmp/notice-2026.txt" --out "$tmp/no-such-folder" --url "$url"
grep -q '输出目录 .* 不存在' "$tmp/err" || fail "missing folder: $(cat "$tmp/err")"
nothing_written "$tmp/empty"

# A malformed command line exits 2.
run 2 calendar import-notice "$tmp/notice-2026.txt" --out "$tmp/empty" --url "$url" --published 2025-13-01
grep -q '日期应为 YYYY-MM-DD' "$tmp/err" || fail "--published: $(cat "$tmp/err")"
run 2 calendar import-notice "$tmp/notice-2026.txt" --out "$tmp/empty" --url "ftp://example.invalid/x"
run 2 calendar import-notice "$tmp/notice-2026.txt" --out "$tmp/empty" --url "$url" --year 1999
run 2 calendar import-notice
nothing_written "$tmp/empty"

# The default folder is the current one.
(cd "$tmp/empty" && "$XJ_CLI" calendar import-notice "$tmp/notice-2026.txt" --url "$url" >/dev/null) \
  || fail "import into the current folder"
[ -f "$tmp/empty/2026.json" ] || fail "2026.json not written to the current folder"
echo "calendar_notice e2e: ok"
