// The working-day calendar: Chinese public holidays and make-up working days (调休上班) as
// published each year by the General Office of the State Council
// (国务院办公厅关于YYYY年部分节假日安排的通知), one file per year in schemas/calendar/YYYY.json
// (compiled into the binary; format in docs/calendar.md and schemas/calendar.schema.json).
//
// A day is a working day when it is a make-up working day, or a Monday to Friday that is not a
// holiday day off. A year without a notice file is built from the holiday law (ProvisionalYear:
// statutory days and the weekend days given back, no make-up days) and marked provisional;
// every caller that shows a result computed from such a year says so (ProvisionalYearsBetween).
// Only a year the law cannot be applied to (outside the embedded lunar data, see
// FestivalDatesRange) is an error (kFailedPrecondition), never a guess.
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
#include <utility>
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
  // True for a year built from the holiday law alone (ProvisionalYear) because no State
  // Council notice was loaded for it: statutory days off and the weekend days given back,
  // no make-up working days. Its source names the law, not a notice.
  bool provisional = false;
  CalendarSource source;
  std::string note_zh, note_en;
  std::vector<HolidayPeriod> holidays;  // ascending by first day off
};

// ---- The holiday law: statutory days and the provisional year ----------------------------
//
// 《全国年节及纪念日放假办法》 gives everyone these statutory days off (全体公民放假的节日):
//   from 2025-01-01 (国务院令第795号, 2024 amendment), 13 days: 元旦 1 (1 January), 春节 4
//   (除夕 to 正月初三), 清明节 1 (the 清明 solar term), 劳动节 2 (1–2 May), 端午节 1 (五月初五),
//   中秋节 1 (八月十五), 国庆节 3 (1–3 October);
//   2014–2024 (国务院令第644号, 2013 amendment), 11 days: the same but 春节 3 (正月初一 to
//   初三) and 劳动节 1 (1 May).
// Article 6: a statutory day that falls on a Saturday or Sunday is given back on a working day
// (应当在工作日补假). The lunar dates and the 清明 dates come from
// schemas/calendar/statutory-dates.json (generated by tools/gen_statutory_dates.py from an
// astronomical computation, checked against python3-lunardate in the tests).

// The dates a year's festivals fall on.
struct FestivalDates {
  int year = 0;
  Date chuxi;     // 除夕: the last day of the twelfth lunar month of the previous lunar year
  Date chunjie;   // 春节: 正月初一
  Date qingming;  // 清明: the day (China Standard Time) the sun reaches 15° ecliptic longitude
  Date duanwu;    // 端午节: 五月初五
  Date zhongqiu;  // 中秋节: 八月十五
};
// The dates of `year` from the embedded data. kFailedPrecondition naming the years the data
// covers when `year` is outside them. Thread-safe (the data is parsed once per process).
Result<FestivalDates> FestivalDatesOf(int year);
// The first and last year FestivalDatesOf knows; kInternal when the embedded data is broken
// (a build defect, caught by the tests).
Result<std::pair<int, int>> FestivalDatesRange();

// One statutory day off.
struct StatutoryDay {
  Date date;
  std::string festival_zh, festival_en;  // 春节 / Spring Festival
};
// The statutory days off of `year` under the version of the law in force that year,
// ascending by date (one entry per festival day: when two festivals share a date, e.g.
// 中秋节 on 1–3 October, the date is listed twice). kFailedPrecondition for a year before 2014
// or outside FestivalDatesRange().
Result<std::vector<StatutoryDay>> StatutoryDaysOff(int year);

// The year as the law alone makes it, for a year without a State Council notice: one holiday
// period per festival with its statutory days; each statutory day on a Saturday or Sunday,
// and each day two festivals share, is given back on the first working day (Monday to
// Friday, not already off) after the period, and the period's days_off run from its first
// statutory day to its last day given back; no make-up working days (only a notice sets
// them). provisional is true, the source names the law, the notes say what it is.
// kFailedPrecondition as StatutoryDaysOff.
Result<CalendarYear> ProvisionalYear(int year);

// The mark shown beside anything computed from provisional years (empty list: ""):
// "暂定 / provisional (no State Council notice loaded for 2027; statutory holidays only)".
std::string ProvisionalMark(const std::vector<int>& years);

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
  // adding its year; then every year of FestivalDatesRange() still without a file gets
  // ProvisionalYear(year) (so the calendar never stops at the last published notice). Returns
  // kUnavailable when `dir` cannot be read, kInvalidArgument when a file is refused (the
  // whole load fails: no partial calendar).
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
  // n == 0 returns `from` when it is a working day, otherwise the next working day: a deadline
  // that falls on a rest day moves to the next working day (民法典 第二百零三条), as every
  // result of this function is a working day.
  Result<Date> AddWorkingDays(Date from, int n) const;
  // The working days met walking from `a` to `b`, `a` excluded and `b` included: the count in
  // (a, b] when a <= b, minus the count in [b, a) when b < a. It is the inverse of
  // AddWorkingDays: WorkingDaysBetween(a, AddWorkingDays(a, n)) == n for every n != 0, and
  // for n == 0 when `a` is a working day (from a rest day, n == 0 and n == 1 give the same
  // date, one working day away).
  Result<int> WorkingDaysBetween(Date a, Date b) const;
  // The n-th working day of the month (n = 1 the first, n = -1 the last, n = -2 the one
  // before...). Returns kInvalidArgument for n == 0 or a month outside 1..12, kNotFound when
  // the month has fewer than |n| working days.
  Result<Date> NthWorkingDayOfMonth(int year, int month, int n) const;

  bool HasYear(int year) const { return years_.count(year) != 0; }
  std::vector<int> Years() const;  // ascending, provisional years included
  // True when `year` has data built from the law alone (no notice loaded for it).
  bool IsProvisional(int year) const;
  // The provisional years among those from a.year() to b.year() (either order), ascending.
  // A deadline counted from a to b depends on them: it is provisional when this is not empty.
  std::vector<int> ProvisionalYearsBetween(Date a, Date b) const;
  // The years built from the law, ascending.
  std::vector<int> ProvisionalYears() const;
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
