#include "clock.h"

#include "time_service.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "calendar.h"

namespace xj {
namespace {

std::int64_t SystemMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kShanghaiOffsetSeconds = 8 * 3600;

// XINJIAN_TEST_CLOCK="SIM_START_US,REAL_START_US,SPEED": the simulated clock the scheduler's
// tests share between processes (scheduler/src/jobs.h reads the same variable).
struct Simulated {
  bool on = false;
  std::int64_t sim_start = 0, real_start = 0;
  double speed = 1.0;
};

const Simulated& TestClock() {
  static const Simulated sim = [] {
    Simulated s;
    const char* v = std::getenv("XINJIAN_TEST_CLOCK");
    long long a = 0, b = 0;
    double speed = 0;
    if (v != nullptr && std::sscanf(v, "%lld,%lld,%lf", &a, &b, &speed) == 3 && speed > 0 && speed <= 100000) {
      s.on = true;
      s.sim_start = a;
      s.real_start = b;
      s.speed = speed;
    }
    return s;
  }();
  return sim;
}

// The shift XINJIAN_NOW asks for: (override - system time at the first call), 0 when unset or
// invalid (CheckNowOverride reports an invalid value).
std::int64_t ShiftMicros() {
  static const std::int64_t shift = [] {
    const char* v = std::getenv(kNowEnvVar);
    if (v == nullptr || *v == '\0') return std::int64_t{0};
    Result<std::int64_t> at = ParseNowOverride(v);
    return at.ok() ? at.value() - SystemMicros() : std::int64_t{0};
  }();
  return shift;
}

bool TwoDigits(std::string_view s, std::size_t at, int* out) {
  if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
  *out = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return true;
}

}  // namespace

std::int64_t NowMicros() {
  const Simulated& sim = TestClock();
  if (sim.on)
    return sim.sim_start + static_cast<std::int64_t>(static_cast<double>(SystemMicros() - sim.real_start) * sim.speed);
  // The shift first: it is computed (once) from a reading of the system clock, and reading
  // the clock before it would put the first instant a few microseconds before XINJIAN_NOW.
  const std::int64_t shift = ShiftMicros();
  return SystemMicros() + shift;
}

std::string TodayShanghai() {
  // Asia/Shanghai never fails in HostTime (it falls back to the zone's rule).
  Result<CivilDate> d = HostTime().LocalDate(NowMicros(), kPlatformTimeZone);
  return d.ok() ? d.value().ToString() : std::string("1970-01-01");
}

Result<std::int64_t> ParseNowOverride(std::string_view text) {
  auto bad = [&] {
    std::string shown(text.substr(0, 64));
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    return Status::Error(StatusCode::kInvalidArgument,
                         std::string(kNowEnvVar) + "/--now 的值 '" + shown +
                             "' 无效：应为 YYYY-MM-DD（北京时间 10:00）、YYYY-MM-DDTHH:MM:SS（北京时间）或 "
                             "YYYY-MM-DDTHH:MM:SSZ（UTC），年份 2000–2199",
                         std::string(kNowEnvVar) + "/--now value '" + shown +
                             "' is invalid: expected YYYY-MM-DD (10:00 Asia/Shanghai), YYYY-MM-DDTHH:MM:SS "
                             "(Asia/Shanghai) or YYYY-MM-DDTHH:MM:SSZ (UTC), years 2000-2199");
  };
  if (text.size() < 10) return bad();
  Result<Date> date = Date::Parse(text.substr(0, 10));
  if (!date.ok() || date->year() < kCalendarMinYear || date->year() > kCalendarMaxYear) return bad();
  int h = 10, m = 0, s = 0;
  bool utc = false;
  if (text.size() > 10) {
    if ((text[10] != 'T' && text[10] != ' ') || !TwoDigits(text, 11, &h) || text.size() < 19 || text[13] != ':' ||
        !TwoDigits(text, 14, &m) || text[16] != ':' || !TwoDigits(text, 17, &s))
      return bad();
    if (text.size() == 20 && text[19] == 'Z')
      utc = true;
    else if (text.size() != 19)
      return bad();
    if (h > 23 || m > 59 || s > 59) return bad();
  }
  const std::int64_t secs = static_cast<std::int64_t>(date->days()) * 86400 + h * 3600 + m * 60 + s -
                            (utc ? 0 : kShanghaiOffsetSeconds);
  return secs * kMicrosPerSecond;
}

}  // namespace xj
