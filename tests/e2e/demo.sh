#!/usr/bin/env bash
# `xinjian demo` (what ./xj demo runs) loads the demo directories and prints the summary;
# a second run changes nothing; the audit chain verifies.
set -euo pipefail
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
db="sqlite:$tmp/xinjian.db"
out="$("$XJ_CLI" --db "$db" demo)"
echo "$out"
grep -q '检查对象 / subjects:  50000' <<<"$out"
grep -q '检查人员 / inspectors: 300' <<<"$out"
grep -q '抽查事项 / items:      30' <<<"$out"
grep -q '部门 / departments:   5' <<<"$out"
again="$("$XJ_CLI" --db "$db" demo)"
grep -q 'subjects: 读取/read 50000, 新增/inserted 0, 更新/updated 0, 未变/unchanged 50000' <<<"$again"
"$XJ_CLI" --db "$db" audit verify | grep -q '审计链完整'
# The demo draw: created, drawn, revealed and verified once; shown again on the second run.
grep -q 'demo draw task SCJG-DEMO-0001（revealed）' <<<"$out"
grep -q 'verified' <<<"$out"
grep -q 'demo draw task SCJG-DEMO-0001（revealed）' <<<"$again"
"$XJ_CLI" --db "$db" task list | grep -c SCJG-DEMO-0001 | grep -qx 1
/usr/bin/python3 "$XJ_SOURCE_DIR/tools/verify_draw.py" "$tmp/demo-data/proof-SCJG-DEMO-0001" | grep -q verified
# The task was revealed because its results were published, not instead: every drawn subject
# has a published result.
"$XJ_CLI" --db "$db" notices task SCJG-DEMO-0001 | /usr/bin/python3 -c '
import json, subprocess, sys
n = json.load(sys.stdin)
r = json.loads(subprocess.check_output(sys.argv[1:] + ["notices", "results", "--task", "SCJG-DEMO-0001"]))
assert n["selected"] > 0 and len(r) == n["selected"], (n["selected"], len(r))
' "$XJ_CLI" --db "$db"
