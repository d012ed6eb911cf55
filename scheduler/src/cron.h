// Cron schedules: when a job fires. Syntax and behaviour in docs/scheduler.md.
//
// A CronSchedule is parsed from
//   - a standard five-field expression "minute hour day-of-month month day-of-week" with
//     lists, ranges and steps ("*/15", "1-30/7", "5/10" = "5-59/10"), month names JAN-DEC and
//     weekday names SUN-SAT (any case), 0 and 7 both Sunday, and Vixie cron's rule for the
//     two day fields: when neither field starts with '*', a day matches when EITHER matches;
//     otherwise both must match (so "*/2" counts as unrestricted for this rule, as in Vixie);
//   - a macro: @yearly @annually @monthly @weekly @daily @midnight @hourly;
//   - a working-day schedule on the State Council calendar (core/src/calendar.h):
//     "@workdays HH:MM[,HH:MM...]": every working day at these times;
//     "@workday-of-month N[,N...] HH:MM[,HH:MM...]": the N-th working day of each month at
//     these times (1 the first, -1 the last, 1 <= |N| <= 31; a month with fewer working
//     days is skipped).
//
// Fire times are wall-clock times in an IANA time zone (default Asia/Shanghai). A wall-clock
// time that does not exist (the clock jumps over it when daylight saving time starts) fires
// once, at the first instant after the jump; several such times of one jump, and the time
// the clock lands on, fire once together. A wall-clock time that happens twice (the clock is
// turned back) fires once, at its first occurrence.
//
// Thread safety: a CronSchedule is immutable after parsing; Next may be called from any
// number of threads.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tz.h"
#include "xinjian/status.h"

namespace xj {

class WorkingCalendar;

// Longer expressions are refused.
inline constexpr std::size_t kCronMaxExpressionBytes = 256;

class CronSchedule {
 public:
  enum class Kind {
    kFields,          // five fields or a macro
    kWorkdays,        // @workdays
    kWorkdayOfMonth,  // @workday-of-month
  };

  // Parses `expression` (leading and trailing blanks ignored, fields separated by spaces or
  // tabs). Returns kInvalidArgument with a bilingual message naming the field and the
  // problem: a wrong number of fields, an empty list item, an unknown name, a value out of
  // the field's range, a reversed range, a step of 0 or a step not smaller than the field's
  // span ("*/90" in the minute field), syntax cron does not have ("?", "L", "W", "#", "H"),
  // a day that never exists ("0 0 30 2 *"), a control or non-ASCII character, or an
  // expression longer than kCronMaxExpressionBytes.
  static Result<CronSchedule> Parse(std::string_view expression);

  // The first fire time strictly after `after`, the fields read on the wall clock of `zone`.
  // `calendar` is needed by working-day schedules only (it may be nullptr otherwise).
  // Returns kInvalidArgument when `after` lies outside the years 1900-2399,
  // kFailedPrecondition when a working-day schedule has no calendar or must look at a day in
  // a year the calendar has no data for (never a guess), kNotFound when the schedule does
  // not fire again before the year 2400.
  Result<std::chrono::sys_seconds> Next(std::chrono::sys_seconds after, const TimeZone& zone,
                                        const WorkingCalendar* calendar = nullptr) const;
  // The next `count` fire times after `after` (each strictly after the one before).
  Result<std::vector<std::chrono::sys_seconds>> NextTimes(std::chrono::sys_seconds after, int count,
                                                          const TimeZone& zone,
                                                          const WorkingCalendar* calendar = nullptr) const;

  Kind kind() const { return kind_; }
  bool NeedsCalendar() const { return kind_ != Kind::kFields; }
  // The expression as given, without surrounding blanks.
  const std::string& expression() const { return expression_; }

 private:
  CronSchedule() = default;
  // The first wall-clock minute at or after `from` (a whole minute) whose day and time
  // match; kNotFound past the year 2399.
  Result<LocalSeconds> NextLocal(LocalSeconds from, const WorkingCalendar* calendar) const;
  // The first minute of the day at or after `minute` (0..1439) that is a fire time, or -1.
  int NextTimeOfDay(int minute) const;

  Kind kind_ = Kind::kFields;
  std::string expression_;
  // kFields: the sets of each field, as bits (minute 0-59, hour 0-23, day 1-31, month 1-12,
  // weekday 0-6 with 7 folded onto 0), and whether the day fields start with '*'.
  std::uint64_t minutes_ = 0;
  std::uint32_t hours_ = 0;
  std::uint32_t days_ = 0;
  std::uint16_t months_ = 0;
  std::uint8_t weekdays_ = 0;
  bool day_star_ = false, weekday_star_ = false;
  // Every kind: the fire times of a matching day, one bit per minute of the day.
  std::array<std::uint64_t, 23> times_{};
  // kWorkdayOfMonth: which working days of the month (1, 2, ... or -1, -2, ...).
  std::vector<int> nth_;
};

}  // namespace xj
