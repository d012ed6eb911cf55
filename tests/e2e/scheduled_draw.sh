#!/usr/bin/env bash
# A scheduled draw goes from announce to draw to reveal by itself (issue 5), through the real
# binary with `xinjian serve` running the scheduler on a simulated clock (a minute per real
# second) and every other command on a fixed time (XINJIAN_NOW), on SQLite and, when XINJIAN_TEST_PG_URL is set (./xj test), on PostgreSQL too.
#
# Two scheduled draws over a small county fire at the same scheduled minute:
# - E2E-NONE (entropy source none): created, announced and drawn by the scheduler at once,
#   its visits created; the notice says that no outside entropy is used;
# - E2E-MAN (manual): created and announced, then left waiting (several draws.pending runs
#   pass) until `task entropy` supplies the published value; builtin.draws-pending then
#   draws it with exactly that value.
# The inspectors then enter, approve and publish E2E-NONE's results; the task is revealed
# when the last one is published, and its proof verifies. Hostile schedule-draw input is
# refused with nothing stored.
set -euo pipefail
: "${XJ_CLI:?}"
tmp="$(mktemp -d)"
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"  # the demo writes its data files into the current folder
fail() {
  echo "FAIL: $*" >&2
  [ -f "$tmp/serve.log" ] && tail -20 "$tmp/serve.log" >&2
  exit 1
}
pyjson() { python3 -c "import json, sys; j = json.load(sys.stdin); $1"; }

scenario() {
  local db="$1" label="$2"
  x() { "$XJ_CLI" --db "$db" --actor e2e "$@"; }
  q() {
    if [[ "$db" == sqlite:* ]]; then sqlite3 -batch -noheader "${db#sqlite:}" "$1"; else psql -X -Atq "$db" -c "$1"; fi
  }
  echo "== $label"
  x demo --subjects 3000 >"$tmp/demo.out" || { cat "$tmp/demo.out"; fail "$label: demo"; }
  cat >"$tmp/items.csv" <<'EOF'
code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,qualification
E2E-SD,端到端定时抽查事项,SCJG,《企业信息公示暂行条例》第十四条,key,,,1,,,
EOF
  x import items "$tmp/items.csv" >/dev/null || fail "$label: import items"
  # A county with a handful of active subjects (the demo's generator spreads them).
  county="$(q "SELECT region FROM subjects WHERE status = 'active' GROUP BY region
               HAVING COUNT(*) BETWEEN 4 AND 40 ORDER BY COUNT(*), region LIMIT 1")"
  [ -n "$county" ] || fail "$label: no county with 4 to 40 active subjects"
  for kind in NONE MAN; do
    if [ "$kind" = NONE ]; then entropy='{"source": "none"}'; else
      entropy='{"source": "manual", "description": "端到端测试：公布的开奖号码 / e2e: the published numbers"}'; fi
    cat >"$tmp/spec-$kind.json" <<EOF
{"title": "端到端定时抽查 $kind", "department": "SCJG", "items": ["E2E-SD"],
 "filters": {"regions": ["$county"]}, "rule": {"count": 3},
 "exclusions": {"same_item_within_days": 0, "open_tasks": false},
 "team": {"slots": [{"group": "SCJG", "count": 2}]}, "entropy": $entropy}
EOF
  done

  # Clocks the test controls, never the wall clock: every command runs at a fixed time of
  # 15 June 2026 (XINJIAN_NOW), and the draws are scheduled for 10:00 that day. The jobs are
  # added at 09:00; only then does `serve` start, on a simulated clock (60 times faster) that
  # begins 30 seconds before the fire time, so however slow the machine, no fire time can pass
  # before its job exists.
  local fire_s cron stamp
  export XINJIAN_NOW=2026-06-15T09:00:00
  fire_s="$(date -d '2026-06-15 10:00:00 +0800' +%s)"
  cron='0 10 15 6 *'
  stamp=202606151000

  # Hostile input first: nothing may be stored.
  echo '{"title": "x", "department": "SCJG"' >"$tmp/broken.json"
  x jobs schedule-draw bad1 --spec "$tmp/broken.json" --schedule "$cron" >/dev/null 2>&1 && fail "$label: a broken spec was accepted"
  x jobs schedule-draw bad2 --spec "$tmp/spec-NONE.json" --schedule '61 * * * *' >/dev/null 2>&1 && fail "$label: a bad schedule was accepted"
  x jobs schedule-draw 'bad 3' --spec "$tmp/spec-NONE.json" --schedule "$cron" >/dev/null 2>&1 && fail "$label: a bad name was accepted"
  x jobs schedule-draw bad4 --spec "$tmp/no-such.json" --schedule "$cron" >/dev/null 2>&1 && fail "$label: a missing file was accepted"
  head -c 70000 /dev/zero | tr '\0' ' ' >"$tmp/huge.json"
  x jobs schedule-draw bad5 --spec "$tmp/huge.json" --schedule "$cron" >/dev/null 2>&1 && fail "$label: an oversized spec was accepted"
  x jobs list --json | pyjson 'assert not [r for r in j if r["name"].startswith("bad")], j'

  x jobs schedule-draw e2e-none --spec "$tmp/spec-NONE.json" --schedule "$cron" --id-prefix E2E-NONE >/dev/null \
    || fail "$label: schedule-draw none"
  x jobs schedule-draw e2e-man --spec "$tmp/spec-MAN.json" --schedule "$cron" --id-prefix E2E-MAN >/dev/null \
    || fail "$label: schedule-draw manual"
  local none="E2E-NONE-$stamp" man="E2E-MAN-$stamp"

  XINJIAN_TEST_CLOCK="$(( (fire_s - 30) * 1000000 )),$(date +%s%6N),60" \
    "$XJ_CLI" --db "$db" serve >"$tmp/serve.log" 2>&1 &
  serve_pid=$!
  # From here the commands act later that day (after the draws); the simulated clock of serve
  # may be ahead or behind them: nothing below depends on which.
  export XINJIAN_NOW=2026-06-15T18:00:00

  # Poll (real time bound; the scheduler's speed is not what is tested).
  wait_state() {  # task state [seconds]
    local i
    for i in $(seq 1 "${3:-60}"); do
      if x task show "$1" --json 2>/dev/null | pyjson "assert j['state'] == '$2'" 2>/dev/null; then return 0; fi
      sleep 1
    done
    x task show "$1" --json >&2 2>/dev/null || true
    fail "$label: $1 did not reach $2"
  }
  wait_state "$none" drawn
  wait_state "$man" announced
  # The notice of the none task says that no outside entropy is used.
  x task show "$none" --json | pyjson '
s = json.dumps(j, ensure_ascii=False)
assert "none" in s, s[:400]'
  x notices task "$none" >"$tmp/notice.txt" || fail "$label: notices task"
  grep -q "none" "$tmp/notice.txt" || { cat "$tmp/notice.txt"; fail "$label: the notice does not name the source none"; }
  # Visits were created for the drawn task.
  [ "$(q "SELECT COUNT(*) FROM visits WHERE id LIKE '$none-%'")" = 3 ] || fail "$label: the visits of $none were not created"

  # The manual task waits while draws.pending runs (at least three simulated minutes).
  local runs_before runs_after
  runs_before="$(x jobs history builtin.draws-pending --limit 0 --json | pyjson 'print(len(j))')"
  for _ in $(seq 1 30); do
    runs_after="$(x jobs history builtin.draws-pending --limit 0 --json | pyjson 'print(len([r for r in j if r["state"] == "succeeded"]))')"
    [ "$runs_after" -ge $((runs_before + 3)) ] && break
    sleep 1
  done
  [ "$runs_after" -ge $((runs_before + 3)) ] || fail "$label: draws.pending did not run"
  wait_state "$man" announced 1
  x task entropy "$man" "7.8.11.17.19.25.46./" >/dev/null || fail "$label: task entropy"
  wait_state "$man" drawn
  x task show "$man" --json | pyjson '
s = json.dumps(j, ensure_ascii=False)
assert "7.8.11.17.19.25.46./" in s, s[:400]'

  # The inspectors' work on E2E-NONE; the task is revealed when the last result is published.
  local today=2026-06-15 v lead
  mapfile -t visits < <(q "SELECT id FROM visits WHERE id LIKE '$none-%' ORDER BY id")
  for v in "${visits[@]}"; do
    lead="$(q "SELECT team FROM visits WHERE id = '$v'" | cut -d, -f1)"
    x visit start "$v" --by "$lead" >/dev/null || fail "$label: visit start $v"
    x visit result "$v" --item E2E-SD --code no_problem --date "$today" --method on_site --by "$lead" \
      --findings "端到端：未发现问题" >/dev/null || fail "$label: visit result $v"
    x visit review "$v" --department SCJG --approve >/dev/null || fail "$label: review $v"
    x task show "$none" --json | pyjson "assert j['state'] == 'drawn', j['state']"
    x visit publish "$v" --department SCJG >/dev/null || fail "$label: publish $v"
  done
  wait_state "$none" revealed 5
  x task proof "$none" --out "$tmp/proof-$label" >/dev/null || fail "$label: task proof"
  x verify "$tmp/proof-$label" >/dev/null || fail "$label: the proof does not verify"

  # The history shows what happened: one run of each draw job at the scheduled minute.
  x jobs history e2e-none --json | pyjson "
assert len(j) == 1 and j[0]['state'] == 'succeeded' and j[0]['scheduled_us'] == $fire_s * 1000000, j"
  kill "$serve_pid"
  wait "$serve_pid" || true
  serve_pid=""
  unset XINJIAN_NOW
  echo "$label: ok ($none revealed, $man drawn with the supplied value)"
}

scenario "sqlite:$tmp/xinjian.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  name="xjsd_$$_$RANDOM"
  psql -q -X -v ON_ERROR_STOP=1 "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$name" postgresql
  psql -q -X "$XINJIAN_TEST_PG_URL" -c "DROP DATABASE $name WITH (FORCE)" >/dev/null || true
fi
echo "scheduled draw: ok"
