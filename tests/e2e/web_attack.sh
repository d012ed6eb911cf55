#!/usr/bin/env bash
# The attack suite (issue 14): the real binary prepares a database, `xinjian serve --listen`
# serves it, and web_attack.py attacks every route it knows (and the pages other steps of
# issue 14 add, where they exist), on SQLite and, when XINJIAN_TEST_PG_URL is set (./xj test),
# on PostgreSQL:
#   - the directory holds subjects whose names and addresses are stored XSS payloads, CSV/Excel
#     formulas and javascript: URLs (web_attack.py --make-data writes the files);
#   - task ATK-R-1 (SCJG, stratified by risk class) is drawn, its results (hostile findings)
#     entered, approved and published, and revealed; task ATK-S-1 (WJW) is drawn and NOT
#     revealed: its selection is the secret;
#   - users: an admin, a supervisor of SCJG and one of WJW, two inspectors (one on an SCJG
#     visit, one on a WJW visit) and an auditor, plus a spare account for the lock test.
# The server runs with a short request timeout (web.request_timeout_ms) for the slowloris
# check. After the attacks the data is the same as before, but for the tables a sign-in writes
# by design: web_sessions (the sessions the checks open), login_throttle (the failures the
# throttle checks count), audit_head (the chain's head moves with each record) and the
# audit_log records of action account.session.created (one per sign-in); every other audit
# record, and every other table, must be byte for byte the same. The audit chain verifies.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
source "$XJ_SOURCE_DIR/tests/e2e/lib/web.sh"  # tmp, cleanup, fail, snapshot, start_server, stop_server
cd "$tmp"
fail() {
  echo "FAIL: $*" >&2
  [ -f "$tmp/serve.log" ] && tail -30 "$tmp/serve.log" >&2
  exit 1
}
export XINJIAN_NOW=2026-11-23T09:00:00  # Asia/Shanghai; never the wall clock
check="$XJ_SOURCE_DIR/tests/e2e/web_attack.py"
password="attack-e2e-password-9"

python3 "$check" --make-data "$tmp" || fail "make data"

# What must not change: every table's rows as a sorted text dump, but what a sign-in writes.
sign_in_rows='^INSERT INTO (public\.)?"?(web_sessions|login_throttle|audit_head)"? '

scenario() {
  local db="$1" label="$2"
  x() { "$XJ_CLI" --db "$db" --actor e2e "$@"; }
  echo "== $label"
  rm -rf "$tmp/proof-R-full"
  x init >/dev/null
  x import departments "$XJ_SOURCE_DIR/docs/examples/departments.csv" >/dev/null || fail "$label: departments"
  x import items "$tmp/items.csv" >/dev/null || fail "$label: items"
  x import subjects "$tmp/subjects.csv" >/dev/null || fail "$label: subjects"
  x import inspectors "$tmp/inspectors.csv" >/dev/null || fail "$label: inspectors"
  x credit import records "$tmp/records.csv" >/dev/null || fail "$label: credit records"
  for t in R S; do
    x task create --spec "$tmp/task-$t.json" >/dev/null || fail "$label: task create ATK-$t-1"
    x task announce "ATK-$t-1" >/dev/null || fail "$label: announce ATK-$t-1"
    x task draw "ATK-$t-1" --entropy 1.2.3.4.5./ >/dev/null || fail "$label: draw ATK-$t-1"
  done
  # Every visit of ATK-R-1: hostile findings entered by its lead, approved, published.
  local visits v lead n=0
  visits="$(x task show ATK-R-1 --json --department SCJG | python3 -c '
import json, sys
print(" ".join(str(s["rank"]) for s in json.load(sys.stdin)["selection"]))')"
  for rank in $visits; do
    v="ATK-R-1-$rank"
    lead="$(x visit show "$v" --department SCJG --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["team"][0])')"
    x visit result "$v" --item ATK-SCJG --code corrected --date 2026-11-23 --method on_site --by "$lead" \
      --follow-up correct --follow-up-deadline 2026-12-07 --findings "$(python3 "$check" --findings "$rank")" >/dev/null ||
      fail "$label: result $v"
    x visit review "$v" --department SCJG --approve >/dev/null || fail "$label: review $v"
    x visit publish "$v" --department SCJG >/dev/null || fail "$label: publish $v"
    n=$((n + 1))
  done
  [ "$n" -ge 3 ] || fail "$label: only $n visits of ATK-R-1"
  # The last publication revealed the task (every drawn subject's results are public).
  x task show ATK-R-1 --json | python3 -c 'import json,sys; assert json.load(sys.stdin)["state"] == "revealed"' ||
    fail "$label: ATK-R-1 is not revealed"
  # The facts the checks need: the secret selection, the teams, who is on which visit.
  x task show ATK-R-1 --json --department SCJG >"$tmp/shown-R.json"
  x task show ATK-S-1 --json --department WJW >"$tmp/shown-S.json"
  x task proof ATK-R-1 --out "$tmp/proof-R-full" >/dev/null || fail "$label: task proof"
  local insp_a insp_b
  insp_a="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["selection"][0]["team"][0])' "$tmp/shown-R.json")"
  insp_b="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["selection"][0]["team"][0])' "$tmp/shown-S.json")"
  [ -n "$insp_a" ] && [ -n "$insp_b" ] || fail "$label: no inspectors on the visits"
  for u in "atk.admin:管理员:admin:" "scjg.sv:<script>alert(1)</script>市监:supervisor:SCJG" \
    "wjw.sv:卫健监管:supervisor:WJW" "$insp_a:检查员甲:inspector:SCJG" "$insp_b:检查员乙:inspector:WJW" \
    "atk.audit:审计:auditor:" "victim.sv:被锁账号:supervisor:SCJG"; do
    IFS=: read -r login name role dept <<<"$u"
    x users add "$login" --name "$name" --role "$role" ${dept:+--department "$dept"} --password-stdin <<<"$password" \
      >/dev/null || fail "$label: users add $login"
  done
  printf '{"inspector_a": "%s", "inspector_b": "%s", "password": "%s"}\n' "$insp_a" "$insp_b" "$password" >"$tmp/people.json"

  snapshot "$db" "$sign_in_rows|'account\.session\.created'" >"$tmp/before.sql"
  start_server "$db" "$label" --set web.request_timeout_ms=2000
  python3 "$check" --attack "$address" "$tmp" || fail "$label: attacks"
  kill -0 "$serve_pid" 2>/dev/null || fail "$label: the server died"
  stop_server
  ! grep -qi 'handler threw\|sanitizer\|terminate called' "$tmp/serve.log" || fail "$label: the server's log shows a crash"
  snapshot "$db" "$sign_in_rows|'account\.session\.created'" >"$tmp/after.sql"
  cmp -s "$tmp/before.sql" "$tmp/after.sql" || { diff "$tmp/before.sql" "$tmp/after.sql" | head -20 >&2; fail "$label: the data changed"; }
  x audit verify >/dev/null || fail "$label: the audit chain"
}

scenario "sqlite:$tmp/attack.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  pg_db="xj_e2e_attack_$$_$RANDOM"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" postgresql
fi
echo "ok"
