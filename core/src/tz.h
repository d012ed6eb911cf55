// IANA time zones for the scheduler: a small reader of the system's TZif files
// (/usr/share/zoneinfo, or $TZDIR), RFC 8536 versions 1 to 4, including the POSIX TZ rule of
// the file's footer, so that daylight saving time is right after the last transition stored
// in the file (2037 in Debian's files) up to the end of year kTimeZoneLastYear.
//
// Why not a library: GCC 12 has no std::chrono time-zone database, and the Debian build of
// Howard Hinnant's date (libhowardhinnant-date-dev, USE_OS_TZDB) ignores the footer rule:
// America/New_York has no summer time from 2038 on there. glibc's localtime_r reads the zone
// from the process-wide TZ variable, so it cannot serve two zones from two threads.
//
// Instants are std::chrono::sys_seconds (Unix seconds, no leap seconds). A "local time" is a
// wall-clock reading counted like an instant: seconds since 1970-01-01 00:00 of the same
// wall clock (LocalSeconds).
//
// Thread safety: a TimeZone is immutable after it is loaded; every const member may be
// called from any number of threads. TimeZone::Find caches the zones it loaded for the life
// of the process and may be called from any thread.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xinjian/status.h"

namespace xj {

// The zone of a schedule that names none (the State Council's calendar is Beijing time).
inline constexpr const char* kDefaultTimeZone = "Asia/Shanghai";
// Footer rules are expanded up to the end of this year; after it the last offset stays.
inline constexpr int kTimeZoneLastYear = 2400;

// Seconds since 1970-01-01 00:00 of a wall clock (not an instant).
using LocalSeconds = std::int64_t;

class TimeZone {
 public:
  // The zone named `name` ("Asia/Shanghai", "America/New_York", "UTC"), loaded once per
  // process; the pointer stays valid until exit. Returns kInvalidArgument when the name is
  // not a well-formed zone name (empty, longer than 64 bytes, "..", characters outside
  // A-Z a-z 0-9 / _ - +), kNotFound when no such file exists, kUnavailable when the file
  // cannot be read, kInvalidArgument when it is not a TZif file this reader accepts (leap
  // second "right/" zones are refused). Thread-safe.
  static Result<const TimeZone*> Find(std::string_view name);
  // Parses TZif data directly (for tests). `name` is only used in messages.
  static Result<TimeZone> FromTzif(std::string_view name, std::string_view data);

  const std::string& name() const { return name_; }

  // The UTC offset, in seconds, in force at instant t.
  std::int32_t OffsetAt(std::chrono::sys_seconds t) const;
  // The wall-clock reading at instant t.
  LocalSeconds ToLocal(std::chrono::sys_seconds t) const { return t.time_since_epoch().count() + OffsetAt(t); }

  // How a wall-clock reading maps to instants.
  struct Resolution {
    enum class Kind { kUnique, kRepeated, kSkipped };
    Kind kind = Kind::kUnique;
    // kUnique: the instant. kRepeated (the clock was turned back and shows this reading
    // twice): the first of the two instants, `second` the later one. kSkipped (the clock
    // jumped over it): the instant the jump happened, i.e. the first instant after the gap.
    std::chrono::sys_seconds first{};
    std::chrono::sys_seconds second{};
  };
  Resolution Resolve(LocalSeconds local) const;

 private:
  TimeZone() = default;
  std::string name_;
  std::int32_t initial_offset_ = 0;   // before the first transition
  std::vector<std::int64_t> at_;      // transition instants, ascending
  std::vector<std::int32_t> offset_;  // offset_[i] is in force from at_[i]
};

// Formats instant t as ISO 8601 with the zone's offset: "2025-03-09T03:00:00-04:00"
// ("+00:00" for UTC; seconds of the offset, which only old local mean times have, are dropped).
std::string FormatIsoTime(std::chrono::sys_seconds t, const TimeZone& zone);

// Parses "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by "Z" or an offset "+HH:MM" / "-HH:MM"
// / "+HHMM" / "+HH" (a space may replace the T), or the same without an offset, or a bare
// date "YYYY-MM-DD" (midnight): without an offset the reading is local time in `zone`,
// resolved like a fire time (a repeated reading is its first instant, a skipped one the end
// of the gap). A fraction is dropped (the instant is rounded down to the second). Returns
// kInvalidArgument with a bilingual message for anything else or a year outside 1900-2399.
Result<std::chrono::sys_seconds> ParseIsoTime(std::string_view text, const TimeZone& zone);

}  // namespace xj
