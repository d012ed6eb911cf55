#!/usr/bin/env bash
# Draw proofs on the web through the real binary: `xinjian serve --listen 127.0.0.1:0` on the
# demo data plus a risk-stratified task drawn and revealed, one drawn but not revealed, one
# announced and a draft, on SQLite and, when XINJIAN_TEST_PG_URL is set (./xj test), on
# PostgreSQL too. web_proof_check.py asks the draw plugin's proof routes and its browser
# verifier asset good and hostile questions: the proof only after the reveal (a 404 saying
# when before), the public variant for the risk-stratified task with no risk class in any
# byte served, the full files refused to an anonymous caller, every served file equal to what
# `task proof` writes, the full files to signed-in users of the task's department and to
# auditors (403 to another department, 401 anonymous), the verifier script with its caching
# headers, and verify-draw.js (under Node, over fetch) verifying the served proofs. The
# database is the same before and after, but for the sessions the sign-ins make.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
source "$XJ_SOURCE_DIR/tests/e2e/lib/web.sh"  # tmp, cleanup, fail, snapshot, start_server, stop_server
cd "$tmp"  # the demo writes its data files into the current folder
export XINJIAN_NOW=2026-03-02T09:00:00  # Asia/Shanghai; never the wall clock

cat >"$tmp/items.csv" <<'EOF'
code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,qualification
PROOF-1,证明测试事项,SCJG,《企业信息公示暂行条例》第十四条,key,,,1,,,
EOF
# A risk-stratified task (revealed), and tasks in the states before the reveal.
cat >"$tmp/risk.json" <<'EOF'
{"id": "WEB-RISK-1", "title": "按风险分类抽查 / by risk class", "department": "SCJG", "items": ["PROOF-1"],
 "filters": {"regions": ["33"]}, "strata": "risk_class",
 "rule": {"ratio_percent": {"*": 2, "C": 5, "D": 20}, "min": {"A": 1}},
 "exclusions": {"same_item_within_days": 0, "open_tasks": false},
 "team": {"slots": [{"group": "SCJG", "count": 2}]}, "due_date": "2026-12-31",
 "entropy": {"source": "manual", "description": "端到端测试 / e2e"}}
EOF
sed -e 's/WEB-RISK-1/WEB-DRAWN-2/' "$tmp/risk.json" >"$tmp/drawn.json"
sed -e 's/WEB-RISK-1/WEB-ANNOUNCED-3/' -e 's/, "due_date": "2026-12-31"//' "$tmp/risk.json" >"$tmp/announced.json"
sed -e 's/WEB-RISK-1/WEB-DRAFT-4/' "$tmp/risk.json" >"$tmp/draft.json"

# What must not change while the server answers: every table's rows, as a sorted text dump,
# but those a sign-in writes (its session, its audit record).
signed_in='^INSERT INTO (public\.)?"?(web_sessions|login_throttle|audit_log|audit_head)"? '


scenario() {
  local db="$1" label="$2"
  x() { "$XJ_CLI" --db "$db" --actor e2e "$@"; }
  echo "== $label"
  rm -rf "$tmp/proofs"
  mkdir -p "$tmp/proofs"
  x demo --subjects 2000 >"$tmp/demo.out" 2>&1 || { cat "$tmp/demo.out"; fail "$label: demo"; }
  x import items "$tmp/items.csv" >/dev/null || fail "$label: import items"
  # Signed-in callers of the full proof: the task's department, another one, an auditor.
  local password="proof-e2e-password-7"
  x users add scjg.sv --name 市场监管 --role supervisor --department SCJG --password-stdin <<<"$password" >/dev/null ||
    fail "$label: users add"
  x users add wjw.sv --name 卫健监管 --role supervisor --department WJW --password-stdin <<<"$password" >/dev/null
  x users add audit.au --name 审计 --role auditor --password-stdin <<<"$password" >/dev/null
  for spec in risk drawn announced draft; do x task create --spec "$tmp/$spec.json" >/dev/null; done
  for id in WEB-RISK-1 WEB-DRAWN-2 WEB-ANNOUNCED-3; do x task announce "$id" >/dev/null; done
  x task draw WEB-RISK-1 --entropy 2.7.18.28./ >/dev/null
  x task draw WEB-DRAWN-2 --entropy 3.14.15./ >/dev/null
  x task reveal WEB-RISK-1 --before-inspection --reason "端到端测试 / e2e" >/dev/null
  x task proof WEB-RISK-1 --out "$tmp/proofs/risk-full" >/dev/null
  x task proof WEB-RISK-1 --out "$tmp/proofs/risk-public" --public >/dev/null
  x task proof SCJG-DEMO-0001 --out "$tmp/proofs/demo" >/dev/null
  [ -f "$tmp/proofs/risk-public/pool-public.tsv" ] && [ ! -e "$tmp/proofs/risk-public/pool.tsv" ] ||
    fail "$label: task proof --public wrote no public variant"
  snapshot "$db" "$signed_in" >"$tmp/before.sql"
  # The binary itself in the background, not the function x (a subshell: killing it would leave
  # the server running).
  start_server "$db" "$label"
  python3 "$XJ_SOURCE_DIR/tests/e2e/web_proof_check.py" "$address" "$tmp/proofs" "$XJ_SOURCE_DIR" "$password" ||
    fail "$label: proof route checks"
  stop_server
  snapshot "$db" "$signed_in" >"$tmp/after.sql"
  cmp -s "$tmp/before.sql" "$tmp/after.sql" || { diff "$tmp/before.sql" "$tmp/after.sql" | head -20 >&2; fail "$label: the data changed"; }
  x audit verify >/dev/null || fail "$label: the audit chain"
}

scenario "sqlite:$tmp/web.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  pg_db="xj_e2e_proof_$$_$RANDOM"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" postgresql
fi
echo "ok"
