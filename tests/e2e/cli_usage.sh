#!/usr/bin/env bash
# The command line as users type it (issue 13, docs/cli.md), through the real binary:
# - the global options before or after the subcommand, at depth 1 and 2, and from the
#   environment; one given twice is refused;
# - a misspelled command (top level and nested) or option is named with the nearest ones,
#   exit 2; the option parser's refusals are Chinese first ("错误 / error: 缺少…");
# - every listing command's --json is one document that `python3 -m json.tool` accepts; the
#   tables print one bilingual header row; a --limit that cuts a list says so on stderr;
# - hostile arguments (100 KB, control characters, invalid UTF-8) get a short, clean
#   refusal, never a crash.
set -euo pipefail
: "${XJ_CLI:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# The clock the project controls: nothing depends on the day the test runs.
export XINJIAN_NOW=2026-06-15T10:00:00
unset XINJIAN_DB || true
cd "$tmp"
db="sqlite:$tmp/x.db"

# run CMD...: runs xinjian; $rc, stdout in $tmp/out, stderr in $tmp/err. Never stops the script.
run() {
  rc=0
  "$XJ_CLI" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  # No crash: a signal would give 128+N.
  [ "$rc" -lt 128 ] || fail "xinjian $*: killed by a signal (exit $rc)"
}
# expect RC TEXT CMD...: exit RC and TEXT (fixed string) on stderr.
expect() {
  local want="$1" text="$2"; shift 2
  run "$@"
  [ "$rc" = "$want" ] || fail "xinjian $*: exit $rc, expected $want; stderr: $(head -c 2000 "$tmp/err")"
  [ -z "$text" ] || grep -qF -- "$text" "$tmp/err" || fail "xinjian $*: expected '$text' on stderr, got: $(head -c 2000 "$tmp/err")"
}
# chinese_first: the first line of stderr is "错误 / error: " followed by Chinese, then " / ".
chinese_first() {
  head -n 1 "$tmp/err" | grep -qP '^错误 / error: .*\p{Han}.* / ' || fail "not Chinese first: $(head -n 1 "$tmp/err")"
}
json_ok() {  # json_ok CMD...: exit 0 and stdout is one JSON document
  run "$@"
  [ "$rc" = 0 ] || fail "xinjian $*: exit $rc: $(cat "$tmp/err")"
  python3 -m json.tool <"$tmp/out" >/dev/null || fail "xinjian $*: stdout is not one JSON document: $(head -c 500 "$tmp/out")"
}
header_is() {  # header_is 'FIRST COLUMN' CMD...: the first stdout line is the header row
  local first="$1"; shift
  run "$@"
  [ "$rc" = 0 ] || fail "xinjian $*: exit $rc: $(cat "$tmp/err")"
  head -n 1 "$tmp/out" | grep -qP "^\Q$first\E\t" || fail "xinjian $*: header row expected, got: $(head -n 1 "$tmp/out")"
  [ "$(grep -cP "^\Q$first\E\t" "$tmp/out")" = 1 ] || fail "xinjian $*: more than one header row"
}

# --- Global options before or after the subcommand, at any depth, and from the environment.
expect 0 "" init --db "$db"
[ -f "$tmp/x.db" ] || fail "init --db: no database created"
expect 0 "" --db "$db" init
expect 0 "" task list --db "$db"                   # depth 2, after
expect 0 "" task --db "$db" list                   # between the two levels
expect 0 "" --db "$db" task list                   # before
expect 0 "" task list --db="$db" --actor e2e --now 2026-06-15 --set a=b --set c=d
expect 0 "" --set a=b task list --db "$db"         # one value per --set: `task` is not a value
XINJIAN_DB="$db" run task list
[ "$rc" = 0 ] || fail "XINJIAN_DB: exit $rc: $(cat "$tmp/err")"
# The command line wins over the environment.
XINJIAN_DB="sqlite:$tmp/none.db" run task list --db "$db"
[ "$rc" = 0 ] && [ ! -e "$tmp/none.db" ] || fail "--db after the subcommand did not win over XINJIAN_DB"
XINJIAN_NOW=tomorrow run task list --db "$db"
[ "$rc" = 2 ] && grep -q 'YYYY-MM-DD' "$tmp/err" || fail "a bad XINJIAN_NOW was not refused: $rc $(cat "$tmp/err")"
# The same option twice: refused, naming it, never a silent choice between two databases.
expect 2 "--db" --db "$db" task list --db "sqlite:$tmp/other.db"
chinese_first
grep -qF '只能给出一次' "$tmp/err" || fail "--db twice: $(cat "$tmp/err")"
# A repeatable one accumulates, before and after.
expect 1 "required plugin 'nope-a' not found" --require-plugin nope-a plugins list --require-plugin nope-b
grep -qF "nope-b" "$tmp/err" || fail "--require-plugin after the subcommand was lost: $(cat "$tmp/err")"
echo "cli e2e: global options ok"

# --- Misspelled commands: named, with the nearest ones, exit 2.
expect 2 '未知命令 “taks” / unknown command "taks"' taks list --db "$db"
grep -qF 'did you mean: task, tasks' "$tmp/err" || fail "taks: $(cat "$tmp/err")"
chinese_first
expect 2 'did you mean: list' task lsit --db "$db"
grep -qF 'xinjian task --help' "$tmp/err" || fail "task lsit: no usage hint of task"
expect 2 'did you mean: history' --db "$db" jobs histroy
expect 2 'did you mean: for' visits fro ZZ
expect 2 '未知命令 “frobnicate”' frobnicate
grep -qF 'deadlines' "$tmp/err" || fail "frobnicate: the commands are not listed"
expect 2 '缺少子命令 / A subcommand is required' task
grep -qF 'create, announce' "$tmp/err" || fail "task: the subcommands are not listed"
expect 2 '缺少子命令' ""  # an empty word is not a command either
echo "cli e2e: misspelled commands ok"

# --- The option parser's refusals, Chinese first with CLI11's English after.
expect 2 '缺少必需的选项 --spec / --spec is required' task create --db "$db"
chinese_first
expect 2 '缺少必需的参数 id / id is required' task show
expect 2 '未知选项 “--colour” / unknown option "--colour"' task list --colour --db "$db"
chinese_first
expect 2 'did you mean: --json' task list --jsn
expect 2 '--json 是子命令的选项：请写在子命令之后' --json task list
expect 2 '选项 --limit 的值无效' deadlines --limit abc --db "$db"
chinese_first
expect 2 'must be 0 or a positive whole number' jobs history --limit -3 --db "$db"
expect 2 '选项 --count 的取值不在允许的范围内' cron next @daily --count 0
expect 2 '--state: nope not in {' task list --state nope --db "$db"
chinese_first
expect 2 '选项 --approve 与 --return 不能同时使用 / --approve excludes --return' \
  visit review V1 --department SCJG --approve --return why
expect 2 '多余的参数 / The following argument was not expected: extra' task list extra --db "$db"
expect 2 '选项 --actor 缺少值' --actor
# --help still prints the help and exits 0, at any depth.
run task list --help
[ "$rc" = 0 ] && grep -q -- '--department' "$tmp/out" || fail "task list --help: exit $rc"
run --help
[ "$rc" = 0 ] && grep -q 'deadlines' "$tmp/out" || fail "--help: exit $rc"
echo "cli e2e: parser messages ok"

# --- Listings on the demo data: one JSON document each, one header row each.
demo="sqlite:$tmp/demo.db"
"$XJ_CLI" --db "$demo" demo --subjects 2000 >"$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out"; fail "demo"; }
x() { "$XJ_CLI" --db "$demo" --actor e2e "$@"; }
inspector="$(x task show SCJG-DEMO-0001 --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(j["selection"][0]["team"][0])')"
[ -n "$inspector" ] || fail "no inspector in the demo selection"
x jobs add e2e-audit --schedule '0 2 * * *' --handler audit.verify >/dev/null
for at in 2026-06-15T10:00:00 2026-06-15T11:00:00 2026-06-15T12:00:00; do
  XINJIAN_NOW=$at x jobs run-now e2e-audit >/dev/null
done

json_ok --db "$demo" task list --json
json_ok --db "$demo" task list --department SCJG --json
json_ok --db "$demo" tasks for "$inspector" --json
json_ok --db "$demo" visits for "$inspector" --json
json_ok --db "$demo" visits merge --period 2026-06 --json
json_ok --db "$demo" deadlines --all --json
json_ok --db "$demo" stats --json
json_ok --db "$demo" jobs list --json
json_ok --db "$demo" jobs history --json
json_ok --db "$demo" jobs history e2e-audit --limit 0 --json
json_ok --db "$demo" plugins list --json
json_ok --db "$demo" events list --json
json_ok --db "$demo" notices results --task SCJG-DEMO-0001
json_ok --db "$demo" cron next @daily --count 3 --json
json_ok --db "$demo" calendar show 2026 --json
json_ok --db "$demo" audit verify --json
# The JSON shapes: arrays, and merge's object.
x events list --json | python3 -c 'import json, sys; j = json.load(sys.stdin); assert isinstance(j, list) and j and "topic" in j[0], j'
x cron next @daily --count 3 --json | python3 -c 'import json, sys; j = json.load(sys.stdin); assert len(j) == 3, j'
echo "cli e2e: --json ok"

header_is '编号/id' --db "$demo" task list
grep -qP '^SCJG-DEMO-0001\trevealed\t' "$tmp/out" || fail "task list: no row of the demo task"
grep -qxF '1 项 / 1 items' "$tmp/err" || fail "task list: count note: $(cat "$tmp/err")"
header_is '任务/task' --db "$demo" tasks for "$inspector"
header_is '检查记录/visit' --db "$demo" visits for "$inspector"
header_is '联合检查/joint visit' --db "$demo" visits merge --period 2026-06
header_is '牌/card' --db "$demo" deadlines --all
header_is '任务/task' --db "$demo" stats
header_is '名称/name' --db "$demo" jobs list
grep -qP '^e2e-audit\t0 2 \* \* \*\t' "$tmp/out" || fail "jobs list: no row of e2e-audit"
header_is '定时任务/job' --db "$demo" jobs history
header_is '编号/id' --db "$demo" events list
run --db "$demo" plugins list
head -n 1 "$tmp/out" | grep -q '^名称/name ' || fail "plugins list: header $(head -n 1 "$tmp/out")"
run --db "$demo" task show SCJG-DEMO-0001
grep -qP '^序号/rank\t统一社会信用代码/uscc\t' "$tmp/out" || fail "task show: no header of the selection"
# An empty table is its header, a line saying so, and the count.
idle=""
for id in $(sqlite3 -batch -noheader "$tmp/demo.db" "SELECT id FROM inspectors ORDER BY id DESC LIMIT 20"); do
  if [ "$(x tasks for "$id" --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 0 ]; then
    idle="$id"
    break
  fi
done
[ -n "$idle" ] || fail "every inspector has visits"
header_is '任务/task' --db "$demo" tasks for "$idle"
grep -qF 'no inspections assigned' "$tmp/out" && grep -qxF '0 项 / 0 items' "$tmp/err" || fail "tasks for, empty"
echo "cli e2e: header rows ok"

# --- Truncation: named on stderr, in table and in JSON mode; stdout stays one table or document.
total="$(x deadlines --all --json 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')"
[ "$total" -gt 2 ] || fail "the demo has only $total deadlines"
run --db "$demo" deadlines --all --limit 2
[ "$(wc -l <"$tmp/out")" = 3 ] || fail "deadlines --limit 2: $(cat "$tmp/out")"
grep -qxF "已截断：显示 2 / 共 $total 项 / truncated: showing 2 of $total" "$tmp/err" || fail "deadlines: $(cat "$tmp/err")"
run --db "$demo" deadlines --all --limit 2 --json
python3 -c 'import json, sys; assert len(json.load(open(sys.argv[1]))) == 2' "$tmp/out" || fail "deadlines --json --limit"
grep -qxF "已截断：显示 2 / 共 $total 项 / truncated: showing 2 of $total" "$tmp/err" || fail "deadlines --json: $(cat "$tmp/err")"
run --db "$demo" deadlines --all --limit "$total"
grep -qxF "$total 项 / $total items" "$tmp/err" || fail "deadlines, limit not reached: $(cat "$tmp/err")"
run --db "$demo" deadlines --all --limit "$total" --json
[ ! -s "$tmp/err" ] || fail "deadlines --json, limit not reached, printed on stderr: $(cat "$tmp/err")"
events="$(x events list --limit 100000 --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')"
run --db "$demo" events list --limit 1
grep -qxF "已截断：显示 1 / 共 $events 项 / truncated: showing 1 of $events" "$tmp/err" || fail "events: $(cat "$tmp/err")"
run --db "$demo" jobs history e2e-audit --limit 1 --json
python3 -c 'import json, sys; assert len(json.load(open(sys.argv[1]))) == 1' "$tmp/out" || fail "jobs history --limit 1"
grep -qxF "已截断：显示 1 / 共 3 项 / truncated: showing 1 of 3" "$tmp/err" || fail "jobs history: $(cat "$tmp/err")"
echo "cli e2e: truncation ok"

# --- Hostile arguments: a short refusal, valid UTF-8, exit 1 or 2, no crash.
big="$(head -c 100000 /dev/zero | tr '\0' 'x')"
check_clean() {  # the refusal is short, valid UTF-8, without raw control characters
  [ "$rc" = 1 ] || [ "$rc" = 2 ] || fail "$1: exit $rc"
  [ "$(wc -c <"$tmp/err")" -lt 4000 ] || fail "$1: $(wc -c <"$tmp/err") bytes on stderr"
  python3 -c '
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
assert not any(ord(c) < 32 and c != "\n" for c in t), repr(t[:300])' "$tmp/err" || fail "$1: stderr not clean"
}
run "$big"; check_clean "a 100 KB command"; grep -qF '100000 bytes' "$tmp/err" || fail "100 KB: size not named"
run task list --db "$db" "--$big"; check_clean "a 100 KB option"
run task list --db "$db" --department "$big"; check_clean "a 100 KB value"
run task show "$big" --db "$db"; check_clean "a 100 KB id"
run $'ta\x01sk' list; check_clean "a control character"; grep -qF '\x01' "$tmp/err" || fail "control character not shown"
run $'\xff\xfe' list; check_clean "invalid UTF-8"; grep -qF '\xFF' "$tmp/err" || fail "invalid byte not shown"
run task list --db "$db" --state $'\e[31mred'; check_clean "an escape sequence as a value"
run task show $'\xff\x01' --db "$db"; check_clean "invalid UTF-8 as an id"
echo "cli e2e: hostile arguments ok"
echo "cli e2e: ok"
