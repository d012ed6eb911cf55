#!/usr/bin/env bash
# The scheduler benchmark program runs end to end on a small size and prints its table: our
# Scheduler beside the naive poller, every run of the measured minute executed exactly once by
# each. Minutes pass in seconds on the test clock (XINJIAN_TEST_CLOCK, 12 times faster), so
# the figures are not real-time ones and nothing about speed is asserted: a test never fails
# because the machine was slow (a slow machine only waits longer for the last runs). The
# real figures come from running `xinjian bench scheduler` by hand (docs/scheduler.md).
set -euo pipefail
: "${XJ_CLI:?}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
clock() {  # a simulated clock that starts 50 s into the current minute
  local now
  now="$(date +%s%6N)"
  echo "$(( now / 60000000 * 60000000 + 50000000 )),$now,12"
}
row() {  # row OUTPUT LABEL: the line of the table whose figure label starts with LABEL
  grep -F "| $2" <<<"$1" || { echo "FAIL: no table line '$2'" >&2; exit 1; }
}
expect_row() {  # expect_row OUTPUT LABEL VALUE...: the ours (and peer) columns
  local line values
  line="$(row "$1" "$2")"
  values="$(awk -F'|' '{ for (i = 3; i < NF; i++) { gsub(/ /, "", $i); printf "%s ", $i } }' <<<"$line")"
  shift 2
  local want="$* "
  [[ "$values" == "$want"* ]] || { echo "FAIL: '$line' does not start with: $want" >&2; exit 1; }
}
check() {  # check OUTPUT JOBS [peer]
  local out="$1" n="$2"
  if [ "${3:-}" = peer ]; then
    expect_row "$out" '应执行 / runs expected' "$n" "$n"
    expect_row "$out" '处理程序调用 / handler calls' "$n" "$n"
    expect_row "$out" '丢失 / lost' 0 0
    expect_row "$out" '重复 / doubled' 0 0
    expect_row "$out" '成功的运行记录 / run rows succeeded' "$n" "$n"
    expect_row "$out" '缺失或异常记录 / run rows missing or wrong' 0 0
    grep -q 'no run lost or doubled: ours 是 / yes, peer 是 / yes' <<<"$out"
    grep -q '^  peer: 朴素轮询 / naive poller' <<<"$out"
    for label in '进程 CPU / process cpu' '触发延迟 p50' '触发延迟 p99' '触发延迟最大' '峰值内存 / peak RSS'; do
      grep -qE "^\| ${label}.*\| +[0-9.]+ \| +[0-9.]+ \| +[0-9.]* \|$" <<<"$out" \
        || { echo "FAIL: no figures for '$label'" >&2; exit 1; }
    done
  else
    expect_row "$out" '应执行 / runs expected' "$n"
    expect_row "$out" '丢失 / lost' 0
    expect_row "$out" '重复 / doubled' 0
    expect_row "$out" '缺失或异常记录 / run rows missing or wrong' 0
    grep -q 'no run lost or doubled: ours 是 / yes$' <<<"$out"
    if grep -q 'naive poller' <<<"$out"; then echo "FAIL: --no-peer ran the peer" >&2; exit 1; fi
  fi
  grep -q 'not judged on a simulated clock' <<<"$out"
}

out="$(XINJIAN_TEST_CLOCK="$(clock)" "$XJ_CLI" bench scheduler --jobs 200 --minutes 1 --workers 2 --dir "$tmp/b")"
echo "$out"
check "$out" 200 peer
[ -f "$tmp/b/scheduler-ours.db" ] && [ -f "$tmp/b/scheduler-peer.db" ]  # --dir keeps the databases

# Our side alone, on PostgreSQL when ./xj test gives a server (its CPU is then counted too).
if [ -n "${XINJIAN_TEST_PG_URL:-}" ]; then
  out="$(XINJIAN_TEST_CLOCK="$(clock)" "$XJ_CLI" bench scheduler --jobs 100 --minutes 1 --no-peer --pg "$XINJIAN_TEST_PG_URL")"
  echo "$out"
  check "$out" 100
  grep -qE '^\| 合计 CPU / total cpu, % of one core +\| +([0-9.]+|n/a) \|$' <<<"$out"
else
  out="$(XINJIAN_TEST_CLOCK="$(clock)" "$XJ_CLI" bench scheduler --jobs 100 --minutes 1 --no-peer)"
  echo "$out"
  check "$out" 100
fi
