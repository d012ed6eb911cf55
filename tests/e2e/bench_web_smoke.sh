#!/usr/bin/env bash
# `xinjian bench web` runs end to end on a small directory: it prints its table with the nginx
# peer, the lookups and the name search, and the notes (database alone, search in process,
# index); on PostgreSQL too when XINJIAN_TEST_PG_URL is set. Bad options exit 2 before
# anything is made. (Speed is measured by running it by hand with 10,000,000 subjects; a test
# never fails because the machine was slow.)
set -euo pipefail
: "${XJ_CLI:?}"
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "wrk and nginx are needed (./xj test installs them)"; exit 1; }
# shellcheck source=lib/bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/bench.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
refuse_bad_options "bench web" "$tmp/bad" "--subjects 0" "--subjects 1000000000" "--duration 0" \
           "--connections 100000" "--threads -1" \
           "--web-threads -1" "--db-connections -1" "--db-connections 65" "--sample 1" "--naive -1" "--cpus bogus"
pg=()
[ -n "${XINJIAN_TEST_PG_URL:-}" ] && pg=(--pg "$XINJIAN_TEST_PG_URL")
out="$("$XJ_CLI" bench web --subjects 3000 --duration 1 --connections 4 --threads 2 --web-threads 4 --sample 200 \
  --naive 2 --dir "$tmp/data" "${pg[@]}" 2>"$tmp/err")" || { cat "$tmp/err"; echo "$out"; exit 1; }
echo "$out"
grep -qE '^\| peer: nginx, static file of the same size +\| +[0-9]+ \|' <<<"$out"
# The peer served the file (no error answers), else the comparison is void.
[ "$(grep -cE '^\| peer: nginx, static file of the same size +\|( +[0-9.]+ \|){4} +0 \|' <<<"$out")" = \
  "$(grep -cE '^\| peer: nginx' <<<"$out")" ]
[ "$(grep -cE '^\| xinjian GET /api/v1/subjects/\{uscc\} +\| +[0-9]+ \|.*\| +[0-9]+\.[0-9]+ \|$' <<<"$out")" -ge 1 ]
grep -qE '^\| xinjian GET /api/v1/subjects\?q= \(2-4 Chinese\) +\| +[0-9]+ \|' <<<"$out"
grep -q 'database alone' <<<"$out"
grep -q 'name search in process' <<<"$out"
grep -q 'index: 3000 subjects' <<<"$out"
grep -q '\[SQLite\] 3000 subjects' <<<"$out"
grep -q 'CPUs shared by wrk and the server' <<<"$out"  # --cpus shared, its default
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then grep -q '\[PostgreSQL\] 3000 subjects' <<<"$out"; fi
echo "bench web smoke: ok"
