#!/usr/bin/env bash
# The plugin SDK as an author outside the XinJian tree uses it: install the SDK, build
# docs/examples/hello-plugin against it with find_package(xinjian), and check that the
# xinjian executable loads the result. Also checks that the built plugin exports only the
# two plugin symbols and that the installed executable finds the installed built-in plugins.
# Environment (set by tests/CMakeLists.txt): XJ_CLI, XJ_SOURCE_DIR, XJ_BINARY_DIR.
set -euo pipefail
: "${XJ_CLI:?}" "${XJ_SOURCE_DIR:?}" "${XJ_BINARY_DIR:?}"

tmp=$(mktemp -d)
serve_pid=""
trap 'if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT

step() { echo "== $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }
# Runs a command quietly; shows its output when it fails.
quiet() { "$@" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "$*"; }; }

step "install the SDK into $tmp/sdk"
quiet cmake --install "$XJ_BINARY_DIR" --prefix "$tmp/sdk"
for f in include/xinjian/plugin.h include/xinjian/events.h include/xinjian/status.h include/xinjian/sampler.h \
    include/xinjian/entropy.h include/xinjian/job.h; do
  [[ -f "$tmp/sdk/$f" ]] || fail "$f was not installed"
done
config=$(find "$tmp/sdk" -name xinjianConfig.cmake -print -quit)
[[ -n "$config" ]] || fail "xinjianConfig.cmake was not installed"

step "configure and build docs/examples/hello-plugin out of tree"
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
quiet cmake -S "$XJ_SOURCE_DIR/docs/examples/hello-plugin" -B "$tmp/hello" "${generator[@]}" \
  -DCMAKE_PREFIX_PATH="$tmp/sdk" -DCMAKE_BUILD_TYPE=RelWithDebInfo
quiet cmake --build "$tmp/hello"
lib="$tmp/hello/plugins/hello/plugin.so"
[[ -f "$lib" && -f "$tmp/hello/plugins/hello/plugin.json" ]] || fail "plugins/hello/{plugin.so,plugin.json} not built"

step "only xj_plugin_abi and xj_plugin_init are exported (hidden visibility)"
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
[[ "$exported" == "xj_plugin_abi xj_plugin_init " ]] || fail "exported functions: $exported"

step "xinjian plugins list --json lists hello as loaded, with its subscriber and job handler"
out=$(XINJIAN_PLUGIN_PATH="$tmp/hello/plugins" "$XJ_CLI" plugins list --json)
python3 -c '
import json, sys
plugins = json.loads(sys.argv[1])
hello = [p for p in plugins if p["name"] == "hello"]
assert len(hello) == 1, plugins
h = hello[0]
assert h["state"] == "loaded", h
assert h["error"] == "", h
assert h["version"] == "1.0.0" and h["abi"] == 1 and h["capabilities"] == ["subscriber", "job"], h
assert h["registered"] == {"subscriber": ["hello"], "job": ["hello.greet"]}, h
assert h["status"] == "experimental", h
print("hello:", h["state"], h["dir"])
' "$out"
XINJIAN_PLUGIN_PATH="$tmp/hello/plugins" "$XJ_CLI" plugins list >"$tmp/plugins.txt"
grep -q "job:hello.greet" "$tmp/plugins.txt" \
  || fail "the plugins table does not show the job handler hello.greet"

step "--require-plugin hello succeeds, --require-plugin missing fails"
XINJIAN_PLUGIN_PATH="$tmp/hello/plugins" "$XJ_CLI" --require-plugin hello plugins list >/dev/null
if XINJIAN_PLUGIN_PATH="$tmp/hello/plugins" "$XJ_CLI" --require-plugin no-such-plugin plugins list \
    >/dev/null 2>"$tmp/err"; then
  fail "a missing required plugin did not fail the command"
fi
grep -q "required plugin 'no-such-plugin' not found" "$tmp/err" || { cat "$tmp/err" >&2; fail "error text"; }

step "docs/examples/reminders-plugin: a real feature built out of tree (table, commands, subscriber, job)"
quiet cmake -S "$XJ_SOURCE_DIR/docs/examples/reminders-plugin" -B "$tmp/reminders" "${generator[@]}" \
  -DCMAKE_PREFIX_PATH="$tmp/sdk" -DCMAKE_BUILD_TYPE=RelWithDebInfo
quiet cmake --build "$tmp/reminders"
rdir="$tmp/reminders/plugins/reminders"
[[ -f "$rdir/plugin.so" && -f "$rdir/migrations/sqlite/001_reminders.sql" ]] || fail "reminders not built with its migrations"
exported=$(nm -D --defined-only "$rdir/plugin.so" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
[[ "$exported" == "xj_plugin_abi xj_plugin_init " ]] || fail "reminders exports: $exported"

# The feature beside the built-in plugins (the draw publishes the event it reacts to), on a
# fixed clock: Monday 2026-06-15 10:00 in Shanghai.
export XINJIAN_PLUGIN_PATH="$tmp/reminders/plugins:$XJ_BINARY_DIR/plugins"
db="sqlite:$tmp/reminders.db"
x() { XINJIAN_NOW=2026-06-15T10:00:00 "$XJ_CLI" --db "$db" --actor e2e "$@"; }
pyjson() { python3 -c "import json, sys; j = json.load(sys.stdin); $1"; }
quiet x init
x plugins list --json | pyjson '
r = [p for p in j if p["name"] == "reminders"][0]
assert r["state"] == "loaded", r
assert r["registered"] == {"command": ["reminders done", "reminders list"], "job": ["reminders.overdue"], "subscriber": ["reminders"]}, r'
ex="$XJ_SOURCE_DIR/docs/examples"
quiet x import departments "$ex/departments.csv"
quiet x gen subjects --count 300 --seed 1 -o "$tmp/subjects.csv"
quiet x import subjects "$tmp/subjects.csv"
quiet x import inspectors "$ex/inspectors.csv"
quiet x import items "$ex/items.csv"
# Into a file first: `grep -q` in a pipe may close it while --help is still writing, and pipefail
# would count that SIGPIPE as a failure (the help grows with every plugin's commands).
x --help >"$tmp/help.txt"
grep -q "插件 reminders 的命令 / commands of plugin reminders" "$tmp/help.txt" || fail "--help does not list the reminders commands"

step "a draw creates the reminder, due 10 working days later on the calendar"
id=$(x task create --spec "$ex/task.json" --json | pyjson 'print(j["id"])')
quiet x task announce "$id"
quiet x task draw "$id" --entropy 123
due=$(x calendar add-workdays 2026-06-15 10 | head -n 1 | awk '{print $1}')
x reminders list --department SCJG --json | pyjson "
assert len(j) == 1, j
r = j[0]
assert r['task_id'] == '$id' and r['department'] == 'SCJG' and r['state'] == 'open' and r['selected'] == 2, r
assert r['due_date'] == '$due', (r, '$due')"
# Delivered again (at least once), nothing doubles.
quiet x events dispatch
x reminders list --role admin --json | pyjson 'assert len(j) == 1, j'
# Another department sees nothing and may not close it.
x reminders list --department AMR-OTHER --json | pyjson 'assert j == [], j'
if x reminders done "$id" --department AMR-OTHER >"$tmp/out" 2>"$tmp/err"; then fail "another department closed the reminder"; fi
grep -q "only department SCJG may close this reminder" "$tmp/err" || { cat "$tmp/err" >&2; fail "permission message"; }
if x reminders done NO-SUCH-TASK --department SCJG >"$tmp/out" 2>"$tmp/err"; then fail "an unknown task was closed"; fi
grep -q "no reminder for task NO-SUCH-TASK" "$tmp/err" || { cat "$tmp/err" >&2; fail "unknown task message"; }
if x reminders done "$id" --department SCJG --note "$(printf 'a\001b')" >/dev/null 2>"$tmp/err"; then fail "a control character was accepted"; fi

step "the job marks the open reminder overdue once its due date has passed"
second=$(x task create --spec "$ex/task.json" --json | pyjson 'print(j["id"])')
quiet x task announce "$second"
quiet x task draw "$second" --entropy 456
quiet x reminders done "$id" --department SCJG --note "已全部录入 / all entered"
x reminders list --department SCJG --state done --json | pyjson "assert [r['task_id'] for r in j] == ['$id'] and j[0]['done_by'] == 'e2e', j"
quiet x jobs add overdue --schedule '0 9 * * *' --handler reminders.overdue
# serve's clock stands a month later; the queued run is executed by its scheduler.
late=$(( $(date -d '2026-07-15 09:30:00 +0800' +%s) * 1000000 ))
XINJIAN_TEST_CLOCK="$late,0,0" "$XJ_CLI" --db "$db" jobs run-now overdue >/dev/null || fail "run-now"
XINJIAN_TEST_CLOCK="$late,0,0" "$XJ_CLI" --db "$db" serve >"$tmp/serve.log" 2>&1 &
serve_pid=$!
ok=0
for i in $(seq 1 90); do
  if x reminders list --department SCJG --state overdue --json | pyjson "sys.exit(0 if [r['task_id'] for r in j] == ['$second'] else 1)"; then
    ok=1; break
  fi
  sleep 1
done
kill "$serve_pid"; wait "$serve_pid" || true
serve_pid=""
[ "$ok" = 1 ] || { tail -20 "$tmp/serve.log" >&2; fail "the overdue job did not mark $second"; }
x jobs history overdue --json | pyjson 'assert j[0]["state"] == "succeeded", j'
x events list --topic reminders. --limit 1000 --json | pyjson "
topics = [e['topic'] for e in j]
for t in ('reminders.created', 'reminders.done', 'reminders.overdue'):
    assert t in topics, (t, topics)
assert topics.count('reminders.created') == 2, topics"
quiet x audit verify
unset XINJIAN_PLUGIN_PATH

step "the installed xinjian finds the installed built-in plugins (lib/xinjian/plugins)"
if [[ -x "$tmp/sdk/bin/xinjian" ]]; then
  out=$(env -u XINJIAN_PLUGIN_PATH "$tmp/sdk/bin/xinjian" plugins list --json)
  python3 -c '
import json, sys
plugins = {p["name"]: p for p in json.loads(sys.argv[1])}
assert plugins.get("event-feed", {}).get("state") == "loaded", plugins
' "$out"
else
  fail "bin/xinjian was not installed"
fi
echo "OK"
