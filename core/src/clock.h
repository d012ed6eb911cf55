// The process clock. Every "now" and "today" of the core, the plugins and the scheduler comes
// from here, so that a test (or an operator replaying a day) can set it:
//
//   XINJIAN_NOW=2026-06-15            the process starts at 2026-06-15 10:00 Asia/Shanghai
//   XINJIAN_NOW=2026-06-15T08:30:00   the process starts at that Asia/Shanghai time
//   XINJIAN_NOW=2026-06-15T00:30:00Z  the process starts at that UTC instant
//
// and the clock then runs at real speed from there (a long command still sees time pass).
// Each process starts its own clock at that instant when it first asks the time: processes
// started later with the same value do not continue one another's clock. `xinjian --now
// VALUE` sets XINJIAN_NOW for the process and the processes it starts; the CLI refuses a bad
// value (exit 2) before any command runs, and NowMicros() ignores one it is given anyway (the
// system clock). Unset or empty: the system clock. The scheduler tests' simulated clock, XINJIAN_TEST_CLOCK
// ("SIM_START_US,REAL_START_US,SPEED", scheduler/src/jobs.h), takes precedence when set, so
// that a scheduler and the work it runs share one clock (a malformed value is refused by the
// scheduler, sched::Clock::FromEnvironment, and ignored here).
//
// Thread safety: every function may be called from any thread; the variable is read once,
// at the first call.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "xinjian/status.h"

namespace xj {

// The environment variable and the accepted forms, for messages.
inline constexpr const char* kNowEnvVar = "XINJIAN_NOW";

// The current time as UTC epoch microseconds (the system clock shifted by XINJIAN_NOW).
std::int64_t NowMicros();

// Today's date in Asia/Shanghai (UTC+8, no DST) as YYYY-MM-DD, on NowMicros().
std::string TodayShanghai();

// Parses a XINJIAN_NOW value into UTC epoch microseconds. kInvalidArgument, with a bilingual
// message that lists the accepted forms, for anything else (years 2000-2199 only).
Result<std::int64_t> ParseNowOverride(std::string_view text);

}  // namespace xj
