# Sourced by the benchmarks' smoke tests (bench_web_smoke.sh, bench_credit_check_smoke.sh), after
# `set -euo pipefail` and with XJ_CLI set:
#   refuse_bad_options "bench NAME" DIR "OPTIONS" ...
#       runs `xinjian bench NAME OPTIONS --dir DIR` for each set of OPTIONS and fails unless each
#       exits 2 with a bilingual message (" / ") and leaves DIR unmade.
refuse_bad_options() {
  local cmd="$1" dir="$2" bad rc
  shift 2
  for bad in "$@"; do
    set +e
    # shellcheck disable=SC2086
    "$XJ_CLI" $cmd $bad --dir "$dir" >"$dir.out" 2>&1
    rc=$?
    set -e
    [ "$rc" = 2 ] || { cat "$dir.out"; echo "$cmd $bad: exit $rc, want 2"; exit 1; }
    grep -q ' / ' "$dir.out" || { cat "$dir.out"; echo "$cmd $bad: no bilingual message"; exit 1; }
    [ ! -e "$dir" ] || { echo "$cmd $bad made its folder"; exit 1; }
  done
}
