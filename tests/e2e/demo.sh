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

# The demo accounts: the site's own four and the two inspectors of the demo visit, all with the
# one password made for this database (mode 0600), the same on the second run; each signs in
# on the real server and gets its role.
pw="$(cat "$tmp/demo-data/demo-password.txt")"
[ "${#pw}" -ge 16 ] || { echo "demo password too short: $pw"; exit 1; }
[ "$(stat -c %a "$tmp/demo-data/demo-password.txt")" = 600 ]
grep -q "演示账号 / demo accounts（密码 / password: $pw" <<<"$out"
grep -q "演示账号 / demo accounts（密码 / password: $pw" <<<"$again"
for login in admin scjg.supervisor wjw.supervisor auditor; do grep -q "^  $login " <<<"$out"; done
inspectors="$(grep -E '^  [^ ]+ +inspector ' <<<"$out" | awk '{print $1}')"
[ "$(wc -l <<<"$inspectors")" -eq 2 ] || { echo "want 2 inspector accounts: $inspectors"; exit 1; }
[ "$("$XJ_CLI" --db "$db" users list | grep -c inspector)" -eq 2 ]
"$XJ_CLI" --db "$db" serve --no-scheduler --listen 127.0.0.1:0 >"$tmp/serve.log" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null; rm -rf "$tmp"' EXIT
address=""
for _ in $(seq 1 1200); do  # up to 2 minutes: a bound for a loaded machine
  address="$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.log" | head -n 1 || true)"
  [ -n "$address" ] && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
  sleep 0.1
done
[ -n "$address" ] || { cat "$tmp/serve.log"; exit 1; }
/usr/bin/python3 - "$address" "$pw" admin:admin scjg.supervisor:supervisor auditor:auditor $(sed 's/$/:inspector/' <<<"$inspectors") <<'PY'
import http.cookiejar, json, sys, urllib.request
base, pw = sys.argv[1], sys.argv[2]
for pair in sys.argv[3:]:
    login, role = pair.split(":")
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    op.open(base + "/api/v1/session").read()  # sets the xj_csrf cookie
    csrf = next(c.value for c in jar if c.name == "xj_csrf")
    req = urllib.request.Request(base + "/api/v1/session", method="POST",
                                 data=json.dumps({"login": login, "password": pw}).encode(),
                                 headers={"Content-Type": "application/json", "X-CSRF-Token": csrf, "Origin": base})
    s = json.load(op.open(req))
    assert s["signed_in"] and s["login"] == login and role in s["roles"], s
print("demo accounts sign in")
PY
