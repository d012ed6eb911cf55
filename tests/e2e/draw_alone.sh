#!/usr/bin/env bash
# The draw plugin without the inspection plugin, through the real binary: the draw reads no
# table of the inspection's and asks only the follow-up the inspection would register
# (draw/task_service.h, FollowUp). With the plugin folder holding draw and entropy only:
# a task is created, announced and drawn; nothing counts as inspected, so a plain reveal is
# refused naming every drawn subject; the notice has no results deadline; the lead inspector's
# list shows the drawn subjects; the visit commands do not exist; a reveal before the
# inspections, with its reason, goes through and the proof verifies. On SQLite and, when
# XINJIAN_TEST_PG_URL is set (./xj test), on PostgreSQL too.
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_BINARY_DIR:?}"
tmp="$(mktemp -d)"
pg_db=""
cleanup() {
  [ -n "$pg_db" ] && psql -X -q "$XINJIAN_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
pyjson() { python3 -c "import json, sys; j = json.load(sys.stdin); $1"; }

mkdir -p "$tmp/plugins"
for p in draw entropy; do ln -s "$XJ_BINARY_DIR/plugins/$p" "$tmp/plugins/$p"; done
export XINJIAN_NOW=2026-03-02T09:00:00  # Asia/Shanghai, a Monday; never the wall clock

# The directory: one department, one item, 200 subjects, 10 inspectors.
cat >"$tmp/departments.csv" <<'EOF'
code,name,level,jurisdiction
SCJG,市场监督管理局,province,33
EOF
cat >"$tmp/items.csv" <<'EOF'
code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,qualification
ALONE-1,单独抽取测试事项,SCJG,《企业信息公示暂行条例》第十四条,key,,,1,,,
EOF
"$XJ_CLI" gen subjects --count 200 --seed 5 -o "$tmp/subjects.csv" >/dev/null
"$XJ_CLI" gen inspectors --count 10 --departments 1 --seed 5 -o "$tmp/inspectors.csv" >/dev/null
cat >"$tmp/spec.json" <<'EOF'
{"id": "ALONE-0001", "title": "只有抽取插件 / the draw alone", "department": "SCJG", "items": ["ALONE-1"],
 "rule": {"count": 3}, "exclusions": {"same_item_within_days": 0, "open_tasks": false},
 "team": {"slots": [{"group": "SCJG", "count": 2}]},
 "entropy": {"source": "manual", "description": "端到端测试：公布的开奖号码 / e2e: the published numbers"}}
EOF

scenario() {
  local db="$1" label="$2"
  x() { "$XJ_CLI" --db "$db" --plugin-dir "$tmp/plugins" --actor e2e "$@"; }
  echo "== $label"
  x plugins list >"$tmp/plugins.out" 2>/dev/null
  grep -q 'draw' "$tmp/plugins.out" || fail "$label: the draw plugin is not loaded"
  ! grep -q 'inspection' "$tmp/plugins.out" || fail "$label: the inspection plugin is loaded"
  x init >/dev/null
  for kind in departments items subjects inspectors; do
    x import "$kind" "$tmp/$kind.csv" --json >/dev/null || fail "$label: import $kind"
  done
  x task create --spec "$tmp/spec.json" >/dev/null
  x task announce ALONE-0001 >/dev/null
  x task draw ALONE-0001 --entropy 3.14.15.26.53.58./ >/dev/null

  # Nothing is inspected without the inspection plugin: a plain reveal is refused.
  set +e
  err="$(x task reveal ALONE-0001 2>&1 >/dev/null)"
  rc=$?
  set -e
  [ "$rc" = 1 ] || fail "$label: task reveal exited $rc, not 1: $err"
  grep -qF '3 of its 3 drawn subjects have no published inspection result' <<<"$err" \
    || fail "$label: the refusal does not count the 3 drawn subjects: $err"
  [ "$(x task show ALONE-0001 --json --department SCJG | pyjson 'print(j["state"], "results_due" in j)')" = "drawn False" ] \
    || fail "$label: the drawn task's view"

  # The lead inspector's list: the drawn subjects (there are no visits).
  lead="$(x task show ALONE-0001 --json --department SCJG | pyjson 'print(j["selection"][0]["team"][0])')"
  x tasks for "$lead" --json | pyjson '
assert j and all(t["task_id"] == "ALONE-0001" and t["rank"] >= 1 for t in j), j
assert all(not t["visit_id"] for t in j), j' || fail "$label: tasks for $lead"

  # The inspection's commands are not there.
  set +e
  x visit show ALONE-0001-1 >/dev/null 2>&1
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$label: visit show exited $rc without the inspection plugin, not 2"

  # An early reveal, with its reason, goes through; the proof verifies.
  x task reveal ALONE-0001 --before-inspection --reason "端到端测试：没有检查插件 / e2e: no inspection plugin" >/dev/null
  [ "$(x task show ALONE-0001 --json | pyjson 'print(j["state"])')" = revealed ] || fail "$label: not revealed"
  x task proof ALONE-0001 --out "$tmp/proof-$label" >/dev/null
  x verify "$tmp/proof-$label" | grep -q verified || fail "$label: the proof does not verify"
}

scenario "sqlite:$tmp/alone.db" sqlite
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  pg_db="xj_e2e_alone_$$"
  psql -X -q "$XINJIAN_TEST_PG_URL" -c "CREATE DATABASE $pg_db" >/dev/null
  scenario "${XINJIAN_TEST_PG_URL%/*}/$pg_db" postgresql
fi
echo "ok"
