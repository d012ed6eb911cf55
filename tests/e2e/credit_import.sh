#!/usr/bin/env bash
# `xinjian credit import records` with the real binary on a SQLite file: killed with SIGKILL in
# the middle, it keeps whole batches (records, audit records and scores together) and a second
# run finishes the file, finding the kept rows unchanged; the audit chain verifies; every record
# is scored once. Also: the shipped scoring models and the example follow
# schemas/credit-model.schema.json (python3-jsonschema).
set -euo pipefail
: "${XJ_CLI:?}"
: "${XJ_SOURCE_DIR:?}"
tmp="$(mktemp -d)"
cleanup() {
  rm -rf "$tmp"
}
trap cleanup EXIT
export XINJIAN_NOW=2026-06-15T10:00:00
db="sqlite:$tmp/credit.db"
x() { "$XJ_CLI" --db "$db" --actor e2e "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

x init >/dev/null
"$XJ_CLI" gen subjects --count 3000 --seed 5 -o "$tmp/subjects.csv" >/dev/null
x import subjects "$tmp/subjects.csv" >/dev/null
# 60,000 records over the subjects, in batches of 500: the kill lands between commits.
python3 - "$tmp/subjects.csv" "$tmp/records.csv" <<'EOF'
import csv, sys
subjects = [r["uscc"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))]
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["uscc", "kind", "ref", "category", "occurred_on", "value", "authority", "basis"])
    cats = ["warning", "fine", "confiscation", "suspension"]
    for i in range(60000):
        w.writerow([subjects[(i * 7919) % len(subjects)], "penalty", "KILL-%06d" % i, cats[i % 4],
                    "2026-%02d-%02d" % (1 + i % 5, 1 + i % 28), str(1000 + i % 50000), "测试局", "测试依据"])
EOF
n_records() { sqlite3 "$tmp/credit.db" "SELECT COUNT(*) FROM credit_records" 2>/dev/null || echo 0; }
# The binary reads the file through a FIFO that python feeds a piece at a time, never more than
# half of it, so the import cannot finish before the kill however fast the machine is; once
# 5,000 records are committed, python kills it with SIGKILL.
mkfifo "$tmp/records.fifo.csv"
python3 - "$XJ_CLI" "$db" "$tmp/records.csv" "$tmp/records.fifo.csv" "$tmp/credit.db" "$tmp/first.out" <<'EOF'
import atexit, os, signal, sqlite3, subprocess, sys, time
cli, db, src, fifo, dbfile, out = sys.argv[1:]
data = open(src, "rb").read()
p = subprocess.Popen([cli, "--db", db, "--actor", "e2e", "credit", "import", "records", fifo, "--batch-rows", "500"],
                     stdout=open(out, "wb"), stderr=subprocess.STDOUT)
atexit.register(lambda: p.poll() is None and p.kill())
w = None
deadline = time.monotonic() + 60
while w is None:
    try:
        w = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        assert p.poll() is None, "the import ended before it opened the FIFO: " + open(out).read()
        assert time.monotonic() < deadline, "the import never opened the FIFO"
        time.sleep(0.01)
os.set_blocking(w, True)
def committed():
    try:
        c = sqlite3.connect(dbfile, timeout=10)
        n = c.execute("SELECT COUNT(*) FROM credit_records").fetchone()[0]
        c.close()
        return n
    except sqlite3.Error:
        return 0
fed, half = 0, len(data) // 2
deadline = time.monotonic() + 120
while committed() < 5000:
    assert p.poll() is None, "the import ended early: " + open(out).read()
    assert time.monotonic() < deadline, "no 5,000 records committed within two minutes"
    if fed < half:
        fed += os.write(w, data[fed:min(half, fed + 65536)])
    else:
        time.sleep(0.01)
p.send_signal(signal.SIGKILL)
p.wait()
os.close(w)
assert p.returncode == -signal.SIGKILL, p.returncode
EOF
kept="$(n_records)"
[ "$kept" -ge 5000 ] && [ "$kept" -lt 30000 ] || fail "kept $kept records after the kill"
[ $((kept % 500)) -eq 0 ] || fail "a batch was cut in half: $kept records"
# What was kept is whole: every record's subject has its score, every record its audit record.
audits="$(sqlite3 "$tmp/credit.db" "SELECT COUNT(*) FROM audit_log WHERE action = 'credit.record.insert'")"
[ "$audits" -eq "$kept" ] || fail "$audits audit records for $kept records"
unscored="$(sqlite3 "$tmp/credit.db" "SELECT COUNT(DISTINCT r.uscc) FROM credit_records r LEFT JOIN credit_scores s ON s.uscc = r.uscc WHERE s.uscc IS NULL")"
[ "$unscored" -eq 0 ] || fail "$unscored subjects with records but no score"
# Again: the rest is imported, the kept rows are found unchanged.
x credit import records "$tmp/records.csv" --batch-rows 500 --json >"$tmp/second.json"
python3 - "$tmp/second.json" "$kept" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
kept = int(sys.argv[2])
assert s["read"] == 60000 and s["rejected"] == 0, s
assert s["unchanged"] == kept and s["inserted"] == 60000 - kept and s["updated"] == 0, (s, kept)
EOF
[ "$(n_records)" -eq 60000 ] || fail "$(n_records) records after the second run"
x audit verify | grep -q '审计链完整' || fail "the audit chain"
# Every subject with records is scored, and a recompute finds nothing to change.
x credit recompute --json | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s["changed"] == 0, s'

# From a pipe: CSV read once (the first rows again: unchanged); JSON refused with a clear error.
head -n 3 "$tmp/records.csv" | x credit import records /dev/stdin --json >"$tmp/pipe.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["read"] == 2 and s["unchanged"] == 2, s' "$tmp/pipe.json"
if echo '[]' | x credit import records /dev/stdin --format json >"$tmp/pipe.out" 2>&1; then fail "JSON from a pipe was accepted"; fi
grep -q 'regular files only' "$tmp/pipe.out" || fail "JSON from a pipe: $(cat "$tmp/pipe.out")"
[ "$(n_records)" -eq 60000 ] || fail "$(n_records) records after the pipes"

# The models against their schema.
/usr/bin/python3 - "$XJ_SOURCE_DIR" <<'EOF'
import glob, json, os, sys
import jsonschema
root = sys.argv[1]
schema = json.load(open(os.path.join(root, "schemas/credit-model.schema.json")))
files = sorted(glob.glob(os.path.join(root, "plugins/credit/data/models/*.json"))) + \
    [os.path.join(root, "docs/examples/credit-model-stricter.json")]
assert len(files) >= 8, files
for f in files:
    jsonschema.validate(json.load(open(f, encoding="utf-8")), schema)
EOF
echo "credit import: ok (killed after $kept records)"
