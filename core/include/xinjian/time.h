// Time for plugins: civil dates, the platform clock with time zones, and the working-day
// calendar (public holidays and make-up working days, docs/calendar.md).
//
// A plugin never computes a local date by adding eight hours: it asks the platform
// (Platform::Time(), Platform::Calendar(), xinjian/platform.h). The clock is the one tests
// and operators set (XINJIAN_NOW, --now), time zones are the system's tz database, and the
// calendar is the one `xinjian calendar` shows, provisional years included.
//
//   const xj::TimeService& t = platform.Time();
//   xj::Result<xj::CivilDate> today = t.LocalDate(t.NowMicros());          // Asia/Shanghai
//   xj::Result<const xj::WorkingDays*> cal = platform.Calendar();
//   xj::Result<xj::CivilDate> due = cal.value()->AddWorkingDays(today.value(), 20);
//
// Thread safety: CivilDate is a value; TimeService and WorkingDays are immutable and may be
// used from any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "xinjian/status.h"

namespace xj {

// The zone every date of the platform is in unless a job says otherwise.
inline constexpr const char* kPlatformTimeZone = "Asia/Shanghai";

// A date of the proleptic Gregorian calendar, without a time zone. Years 1..9999.
class CivilDate {
 public:
  constexpr CivilDate() = default;  // 1970-01-01
  // kInvalidArgument for a date that does not exist (2026-02-29) or a year outside 1..9999.
  static Result<CivilDate> FromYmd(int year, int month, int day) {
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month))
      return Status::Error(StatusCode::kInvalidArgument, "日期不存在：" + Ymd(year, month, day),
                           "no such date: " + Ymd(year, month, day));
    return CivilDate(DaysFromCivil(year, month, day));
  }
  // "YYYY-MM-DD" exactly; kInvalidArgument naming the text otherwise.
  static Result<CivilDate> Parse(std::string_view text) {
    auto digit = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
    bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) shaped = shaped && digit(i);
    if (!shaped) {
      std::string shown(text.substr(0, 40));
      for (char& c : shown)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
      return Status::Error(StatusCode::kInvalidArgument, "日期格式应为 YYYY-MM-DD：“" + shown + "”",
                           "a date must be YYYY-MM-DD: '" + shown + "'");
    }
    auto num = [&](std::size_t at, std::size_t n) {
      int v = 0;
      for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
      return v;
    };
    return FromYmd(num(0, 4), num(5, 2), num(8, 2));
  }
  static constexpr CivilDate FromDays(std::int32_t days_since_epoch) { return CivilDate(days_since_epoch); }

  constexpr std::int32_t days() const { return days_; }  // since 1970-01-01
  int year() const { return Split().y; }
  int month() const { return Split().m; }
  int day() const { return Split().d; }
  // 1 = Monday … 7 = Sunday.
  constexpr int iso_weekday() const {
    const std::int32_t w = (days_ % 7 + 7 + 3) % 7;  // 1970-01-01 was a Thursday
    return w + 1;
  }
  std::string ToString() const {
    const Parts p = Split();
    return Ymd(p.y, p.m, p.d);
  }
  constexpr CivilDate operator+(std::int32_t n) const { return CivilDate(days_ + n); }
  constexpr CivilDate operator-(std::int32_t n) const { return CivilDate(days_ - n); }
  constexpr std::int32_t operator-(CivilDate other) const { return days_ - other.days_; }
  friend constexpr auto operator<=>(CivilDate, CivilDate) = default;
  friend constexpr bool operator==(CivilDate, CivilDate) = default;

 private:
  constexpr explicit CivilDate(std::int32_t d) : days_(d) {}
  struct Parts {
    int y, m, d;
  };
  static constexpr bool IsLeap(int y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }
  static constexpr int DaysInMonth(int y, int m) {
    constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
  }
  // Howard Hinnant's days_from_civil / civil_from_days.
  static constexpr std::int32_t DaysFromCivil(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  }
  constexpr Parts Split() const {
    const int z = days_ + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int d = doy - (153 * mp + 2) / 5 + 1;
    const int m = mp < 10 ? mp + 3 : mp - 9;
    return Parts{yoe + era * 400 + (m <= 2), m, d};
  }
  static std::string Ymd(int y, int m, int d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
  }
  std::int32_t days_ = 0;
};

// The clock and the time zones. Zone names are IANA names ("Asia/Shanghai", "UTC"); an
// unknown or malformed name is kInvalidArgument / kNotFound naming it. Instants are UTC epoch
// microseconds.
class TimeService {
 public:
  virtual ~TimeService() = default;
  // The platform clock: the system clock shifted by XINJIAN_NOW / --now.
  virtual std::int64_t NowMicros() const = 0;
  // The date on the wall clock of `zone` at instant `at_us`.
  virtual Result<CivilDate> LocalDate(std::int64_t at_us, std::string_view zone = kPlatformTimeZone) const = 0;
  // "YYYY-MM-DD HH:MM:SS +08:00": instant `at_us` on the wall clock of `zone`, seconds
  // rounded down.
  virtual Result<std::string> FormatLocal(std::int64_t at_us, std::string_view zone = kPlatformTimeZone) const = 0;
  // The first instant of `date` in `zone` (its local midnight, or the end of a daylight-saving
  // gap that swallowed midnight).
  virtual Result<std::int64_t> StartOfDay(CivilDate date, std::string_view zone = kPlatformTimeZone) const = 0;
};

// The working-day calendar of the mainland: weekends, the statutory holidays of 国务院令第795号
// and the yearly State Council notices' arrangements (调休). A year without a notice is built
// from the law and is provisional (IsProvisional): results that depend on it carry a
// "暂定 / provisional" mark wherever they are shown. A year outside the calendar's range is
// kFailedPrecondition naming it.
class WorkingDays {
 public:
  virtual ~WorkingDays() = default;
  virtual Result<bool> IsWorkingDay(CivilDate date) const = 0;
  // The date `n` working days after `from` (`from` not counted; the result is always a working
  // day); n < 0 counts backwards. n = 0 is `from` when it is a working day, otherwise the next
  // working day (a deadline on a rest day moves to the next working day, 民法典 第二百零三条).
  virtual Result<CivilDate> AddWorkingDays(CivilDate from, int n) const = 0;
  // The working days met walking from `a` to `b`, `a` excluded and `b` included: the count in
  // (a, b] when a <= b, minus the count in [b, a) when b < a (the inverse of AddWorkingDays).
  virtual Result<int> WorkingDaysBetween(CivilDate a, CivilDate b) const = 0;
  // True when the year's arrangement is built from the law, not from a published notice.
  virtual bool IsProvisional(int year) const = 0;
};

}  // namespace xj
