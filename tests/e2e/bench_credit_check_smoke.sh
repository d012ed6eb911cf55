#!/usr/bin/env bash
# `xinjian bench credit-check` runs end to end on a small directory: it prints its table with
# the nginx peer, the single checks and the batches of 1,000, the answer's size, the first check
# and the log's rows (the run fails when fewer rows were logged than answers sent), and the
# targets; on PostgreSQL too when XINJIAN_TEST_PG_URL is set. Bad options exit 2 before
# anything is made. (Speed is measured by running it by hand with 10,000,000 subjects and
# 500,000 listings; a test never fails because the machine was slow.)
set -euo pipefail
: "${XJ_CLI:?}"
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "wrk and nginx are needed (./xj test installs them)"; exit 1; }
# shellcheck source=lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
refuse_bad_options "bench credit-check" "$tmp/bad" "--subjects 10" "--subjects 1000000000" "--listings 0" \
           "--subjects 5000 --listings 4000" "--measures 3" "--measures 1001" "--duration 0" "--connections 100000" \
           "--threads -1" "--threads 65" "--web-threads -1" "--db-connections 65" "--listener bogus" "--api-threads -1" \
           "--api-threads 257" "--cpus bogus" "--cpus"
pg=()
[ -n "${XINJIAN_TEST_PG_URL:-}" ] && pg=(--pg "$XINJIAN_TEST_PG_URL")
"$XJ_CLI" bench credit-check --subjects 25000 --listings 2000 --measures 12 --duration 1 --connections 4 --threads 2 \
  --dir "$tmp/data" "${pg[@]}" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" "$tmp/out"; exit 1; }
cat "$tmp/out"
grep -qE '^\| peer: nginx, static file of the same size +\|( +[0-9.]+ \|){4} +0 \|' "$tmp/out"
grep -qE '^\| xinjian GET /api/v1/credit-check +\|( +[0-9.]+ \|){4} +0 \| +0 \|.*\| +[0-9]+\.[0-9]+ \|$' "$tmp/out"
grep -qE '^\| xinjian POST /credit-check/batch \(1,000\) +\|( +[0-9.]+ \|){4} +0 \|' "$tmp/out"
grep -qE 'checks logged during the measured runs: [0-9]+ \(answers: [0-9]+\)$' "$tmp/out"
grep -q '目标 / targets: ratio ≥ 0.80' "$tmp/out"
grep -q '\[SQLite\] 25000 subjects, 2000 listings in force, 12 measures' "$tmp/out"
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then grep -q '\[PostgreSQL\] 25000 subjects' "$tmp/out"; fi
grep -q 'the machine listener (--api-listen, --api-threads 0)' "$tmp/out"
# --cpus split (the default): wrk on the first half of the CPUs, serve and nginx on the rest, as
# the kernel has their affinity; one CPU: shared, with a note.
if [ "$(nproc)" -ge 2 ]; then
  grep -qE 'wrk on CPU [0-9,]+, the server on CPU [0-9,]+$' "$tmp/out"
  server_cpus="$(sed -nE 's/.*the server on CPU ([0-9,]+)$/\1/p' "$tmp/out" | head -n 1)"
  allowed="$(python3 -c 'import sys
def expand(t):
    out = []
    for part in t.split(","):
        a, _, b = part.partition("-")
        out += range(int(a), int(b or a) + 1)
    return out
print(",".join(map(str, expand(sys.argv[1]))))' "$(sed -nE "s/^  serve's CPUs \(Cpus_allowed_list\): ([0-9,-]+)$/\1/p" "$tmp/out" | head -n 1)")"
  [ "$allowed" = "$server_cpus" ] || { echo "serve ran on CPUs $allowed, not $server_cpus"; exit 1; }
  grep -qE "^  nginx's CPUs \(Cpus_allowed_list\): " "$tmp/out"
else
  grep -q 'fewer than 2 usable CPUs' "$tmp/out"
fi
# The data is reused: a second run prepares nothing (on the site's listener this time).
"$XJ_CLI" bench credit-check --subjects 25000 --listings 2000 --measures 12 --duration 1 --connections 2 --threads 1 \
  --listener site --cpus shared --dir "$tmp/data" >"$tmp/out2" 2>"$tmp/err2" || { cat "$tmp/err2" "$tmp/out2"; exit 1; }
grep -q "the site's listener; CPUs shared by wrk and the server" "$tmp/out2"
if grep -q 'credit-check-fill' "$tmp/out2"; then echo "the second run filled the database again"; exit 1; fi
echo "bench credit-check smoke: ok"
