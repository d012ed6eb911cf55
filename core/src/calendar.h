// The working-day calendar: Chinese public holidays and make-up working days (调休上班) as
// published each year by the General Office of the State Council
// (国务院办公厅关于YYYY年部分节假日安排的通知), one file per year in schemas/calendar/YYYY.json
// (compiled into the binary; format in docs/calendar.md and schemas/calendar.schema.json).
//
// A day is a working day when it is a make-up working day, or a Monday to Friday that is not a
// holiday day off. A date in a year without data is an error (kFailedPrecondition), never a
// guess: deadlines (issue 4) and working-day schedules (issue 5) must not silently count a
// year whose holidays nobody entered.
//
// Thread safety: Date is a plain value. A WorkingCalendar is immutable after it is built:
// every const member may be called from any number of threads. WorkingCalendar::Shared
// loads once per process and may itself be called from any thread.
#pragma once
#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "xinjian/status.h"

namespace xj {

// A civil date of the proleptic Gregorian calendar, without time or zone, stored as the
// number of days since 1970-01-01.
class Date {
 public:
  constexpr Date() = default;  // 1970-01-01
  static constexpr Date FromDays(std::int32_t days) {
    Date d;
    d.days_ = days;
    return d;
  }
  // Returns the date, or kInvalidArgument when year-month-day is not a calendar date of the
  // years 1 to 9999.
  static Result<Date> FromYmd(int year, int month, int day);
  // Parses exactly "YYYY-MM-DD" (ten characters, a real calendar date, years 0001-9999).
  // Returns kInvalidArgument with a bilingual message otherwise.
  static Result<Date> Parse(std::string_view text);

  std::int32_t days() const { return days_; }  // since 1970-01-01
  int year() const;
  int month() const;  // 1..12
  int day() const;    // 1..31
  void ToYmd(int* year, int* month, int* day) const;
  // ISO weekday: 1 = Monday ... 7 = Sunday.
  int weekday() const;
  bool IsWeekend() const { return weekday() >= 6; }
  std::string ToString() const;  // "YYYY-MM-DD"

  Date operator+(std::int32_t n) const { return FromDays(days_ + n); }
  Date operator-(std::int32_t n) const { return FromDays(days_ - n); }
  std::int32_t operator-(Date other) const { return days_ - other.days_; }
  friend constexpr auto operator<=>(Date, Date) = default;
  friend constexpr bool operator==(Date, Date) = default;

 private:
  std::int32_t days_ = 0;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);  // 0 for a month outside 1..12
// "周一".."周日" and "Mon".."Sun" for an ISO weekday 1..7 ("?" otherwise).
const char* WeekdayZh(int iso_weekday);
const char* WeekdayEn(int iso_weekday);

// The notice a year's file transcribes.
struct CalendarSource {
  std::string issuer;           // 国务院办公厅
  std::string title;            // 国务院办公厅关于2025年部分节假日安排的通知
  std::string document_number;  // 国办发明电〔2024〕12号
  Date published;
  std::string url;
};

// One holiday period of the notice: every day off (the weekend days inside the period
// included) and the make-up working days that belong to it.
struct HolidayPeriod {
  std::string name_zh;                // 春节
  std::string name_en;                // Spring Festival
  std::vector<Date> days_off;         // consecutive, ascending, at least one
  std::vector<Date> makeup_workdays;  // ascending, each a Saturday or Sunday
  std::string notice;                 // the notice's own sentence (may be empty)
  std::string note_zh, note_en;       // may be empty
};

// One year's data, validated.
struct CalendarYear {
  int year = 0;
  std::string origin;  // where it was read: "schemas/calendar/2025.json (内置 / embedded)" or a file path
  CalendarSource source;
  std::string note_zh, note_en;
  std::vector<HolidayPeriod> holidays;  // ascending by first day off
};

// Limits on a calendar file; a larger or longer file is refused.
inline constexpr std::size_t kCalendarMaxFileBytes = 64 * 1024;
inline constexpr int kCalendarMinYear = 2000;
inline constexpr int kCalendarMaxYear = 2199;

// Parses and validates one year's file. `name` is the file's name as shown in messages; its
// last path component must be "YYYY.json" with YYYY the file's "year". Returns
// kInvalidArgument with a bilingual message naming the file and the problem (bad JSON, an
// unknown or duplicate key, a date outside the year, a date listed twice, a make-up day on a
// weekday or on a day off, days off not consecutive, a file larger than
// kCalendarMaxFileBytes, a list or text longer than its limit).
Result<CalendarYear> ParseCalendarYear(std::string_view name, std::string_view json);

class WorkingCalendar {
 public:
  // The configuration key (xinjian --set calendar.dir=/path) naming a folder whose YYYY.json
  // files replace or add years to the embedded ones.
  static constexpr const char* kDirConfigKey = "calendar.dir";

  // Builds a calendar from validated years. Returns kInvalidArgument when a year is given twice.
  static Result<WorkingCalendar> FromYears(std::vector<CalendarYear> years);
  // The files compiled into the binary (schemas/calendar/*.json), then, when `dir` is not
  // empty, every file of `dir` named YYYY.json (other names are ignored), each replacing or
  // adding its year. Returns kUnavailable when `dir` cannot be read, kInvalidArgument when a
  // file is refused (the whole load fails: no partial calendar).
  static Result<WorkingCalendar> Load(const std::string& dir = "");
  // Load(dir), done once per distinct `dir` for the life of the process; the returned
  // pointer stays valid until exit. A failed load is not remembered (a later call retries).
  // Thread-safe. Files changed after the first load are not seen until the process restarts.
  static Result<const WorkingCalendar*> Shared(const std::string& dir = "");
  // Shared(config["calendar.dir"]), or Shared("") when the key is absent.
  static Result<const WorkingCalendar*> Shared(const std::map<std::string, std::string>& config);

  // Every query below returns kFailedPrecondition ("缺少 YYYY 年的工作日历 ... / no
  // working-day calendar for YYYY ...") when a date it must look at lies in a year without
  // data, and kInvalidArgument for meaningless arguments. All are O(1) apart from a scan
  // over the runs of consecutive years (one run in practice).

  Result<bool> IsWorkingDay(Date d) const;
  // The date `n` working days after `from` (`from` itself not counted; the result is always a
  // working day). A negative n counts backwards: the |n|-th working day before `from`.
  // n == 0 returns `from` unchanged (after checking that its year has data).
  Result<Date> AddWorkingDays(Date from, int n) const;
  // The working days met walking from `a` to `b`, `a` excluded and `b` included: the count in
  // (a, b] when a <= b, minus the count in [b, a) when b < a. It is the inverse of
  // AddWorkingDays: WorkingDaysBetween(a, AddWorkingDays(a, n)) == n for every n.
  Result<int> WorkingDaysBetween(Date a, Date b) const;
  // The n-th working day of the month (n = 1 the first, n = -1 the last, n = -2 the one
  // before...). Returns kInvalidArgument for n == 0 or a month outside 1..12, kNotFound when
  // the month has fewer than |n| working days.
  Result<Date> NthWorkingDayOfMonth(int year, int month, int n) const;

  bool HasYear(int year) const { return years_.count(year) != 0; }
  std::vector<int> Years() const;  // ascending
  // The year's holidays, make-up days and source, for display. kFailedPrecondition when missing.
  Result<const CalendarYear*> Year(int year) const;

 private:
  // A run of consecutive years with data: cumulative working-day counts over every day.
  struct Run {
    int first_year = 0, last_year = 0;
    std::int32_t first_day = 0;         // Date::days() of 1 January of first_year
    std::int32_t end_day = 0;           // Date::days() of 1 January of last_year + 1
    std::vector<std::int32_t> cum;      // cum[i]: working days in [first_day, first_day + i)
    std::vector<std::int32_t> working;  // Date::days() of each working day, ascending
  };
  const Run* RunOf(Date d) const;
  static Status MissingYear(int year);

  std::map<int, CalendarYear> years_;
  std::vector<Run> runs_;  // ascending, never adjacent
};

}  // namespace xj
