// Unit tests of the cron evaluator (scheduler/src/cron.h) and its time zones
// (scheduler/src/tz.h): known schedules (Vixie's day-of-month/day-of-week OR rule, 29 February,
// the 31st, names, steps, macros), daylight saving gaps and repeats in America/New_York,
// Europe/Berlin and Australia/Sydney, the TZif footer rule after 2037, working-day schedules
// across the 2025 Spring Festival with its make-up days, and every refusal. The differential
// test against python3-croniter is tests/cron/croniter_diff.py.
#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "calendar.h"
#include "cron.h"
#include "test_support.h"
#include "tz.h"

using std::chrono::sys_seconds;
using xj::CronSchedule;
using xj::StatusCode;
using xj::TimeZone;

namespace {

const TimeZone& Zone(const char* name) {
  auto z = TimeZone::Find(name);
  INFO(z.status().message());
  REQUIRE(z.ok());
  return *z.value();
}

sys_seconds At(const char* iso, const TimeZone& zone) {
  auto t = xj::ParseIsoTime(iso, zone);
  INFO(iso << ": " << t.status().message());
  REQUIRE(t.ok());
  return t.value();
}

CronSchedule Parse(const std::string& expr) {
  auto s = CronSchedule::Parse(expr);
  INFO(expr << ": " << s.status().message());
  REQUIRE(s.ok());
  return s.value();
}

// The next `n` fire times of `expr` after `from`, as ISO 8601 strings.
std::vector<std::string> Next(const std::string& expr, const char* from, int n, const char* zone = "Asia/Shanghai",
                              const xj::WorkingCalendar* calendar = nullptr) {
  const TimeZone& z = Zone(zone);
  auto times = Parse(expr).NextTimes(At(from, z), n, z, calendar);
  INFO(expr << ": " << times.status().message());
  REQUIRE(times.ok());
  std::vector<std::string> out;
  for (sys_seconds t : times.value()) out.push_back(xj::FormatIsoTime(t, z));
  return out;
}

using V = std::vector<std::string>;

// The calendar of 2025 alone (the shipped file), so that 2026 is a year without data
// whatever years are added to the repository later.
const xj::WorkingCalendar& Calendar2025() {
  static const xj::WorkingCalendar cal = [] {
    auto year = xj::ParseCalendarYear("2025.json",
                                      xj::test::ReadFile(std::string(XJ_SOURCE_DIR) + "/schemas/calendar/2025.json"));
    REQUIRE(year.ok());
    std::vector<xj::CalendarYear> years;
    years.push_back(std::move(year).value());
    auto c = xj::WorkingCalendar::FromYears(std::move(years));
    REQUIRE(c.ok());
    return std::move(c).value();
  }();
  return cal;
}

std::string ParseError(const std::string& expr) {
  auto s = CronSchedule::Parse(expr);
  INFO(expr);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == StatusCode::kInvalidArgument);
  return s.status().message();
}

}  // namespace

TEST_CASE("cron: fields, steps and strictly-after", "[cron]") {
  CHECK(Next("*/15 * * * *", "2025-01-01T10:07:30+08:00", 4) ==
        V{"2025-01-01T10:15:00+08:00", "2025-01-01T10:30:00+08:00", "2025-01-01T10:45:00+08:00",
          "2025-01-01T11:00:00+08:00"});
  // Strictly after: a start exactly on a fire time gives the next one.
  CHECK(Next("0 10 * * *", "2025-01-01T10:00:00+08:00", 1) == V{"2025-01-02T10:00:00+08:00"});
  CHECK(Next("0 10 * * *", "2025-01-01T09:59:59+08:00", 1) == V{"2025-01-01T10:00:00+08:00"});
  CHECK(Next("0 10 * * *", "2025-01-01T10:00:00.5+08:00", 1) == V{"2025-01-02T10:00:00+08:00"});
  CHECK(Next("1-30/7 * * * *", "2025-01-01T10:00:00+08:00", 6) ==
        V{"2025-01-01T10:01:00+08:00", "2025-01-01T10:08:00+08:00", "2025-01-01T10:15:00+08:00",
          "2025-01-01T10:22:00+08:00", "2025-01-01T10:29:00+08:00", "2025-01-01T11:01:00+08:00"});
  // "5/10" is "5-59/10".
  CHECK(Next("5/10 * * * *", "2025-01-01T10:50:00+08:00", 3) ==
        V{"2025-01-01T10:55:00+08:00", "2025-01-01T11:05:00+08:00", "2025-01-01T11:15:00+08:00"});
  CHECK(Next("0 */6 * * *", "2025-01-01T05:00:00+08:00", 3) ==
        V{"2025-01-01T06:00:00+08:00", "2025-01-01T12:00:00+08:00", "2025-01-01T18:00:00+08:00"});
  CHECK(Next("0,30 9-10 * * *", "2025-01-01T00:00:00+08:00", 5) ==
        V{"2025-01-01T09:00:00+08:00", "2025-01-01T09:30:00+08:00", "2025-01-01T10:00:00+08:00",
          "2025-01-01T10:30:00+08:00", "2025-01-02T09:00:00+08:00"});
  // Leading and inner blanks, tabs.
  CHECK(Next("  0\t12  *  * *  ", "2025-01-01T00:00:00+08:00", 1) == V{"2025-01-01T12:00:00+08:00"});
  CHECK(Parse("  0\t12  *  * *  ").expression() == "0\t12  *  * *");
}

TEST_CASE("cron: day of month and day of week follow Vixie cron's OR rule", "[cron]") {
  // Both restricted: the 13th OR a Friday (June 2025: Fridays 6, 13, 20, 27; 13 July a Sunday).
  CHECK(Next("0 0 13 * 5", "2025-06-01T00:00:00+08:00", 8) ==
        V{"2025-06-06T00:00:00+08:00", "2025-06-13T00:00:00+08:00", "2025-06-20T00:00:00+08:00",
          "2025-06-27T00:00:00+08:00", "2025-07-04T00:00:00+08:00", "2025-07-11T00:00:00+08:00",
          "2025-07-13T00:00:00+08:00", "2025-07-18T00:00:00+08:00"});
  CHECK(Next("0 0 1,15 * mon", "2025-09-01T00:00:00+08:00", 5) ==
        V{"2025-09-08T00:00:00+08:00", "2025-09-15T00:00:00+08:00", "2025-09-22T00:00:00+08:00",
          "2025-09-29T00:00:00+08:00", "2025-10-01T00:00:00+08:00"});
  // One field starting with '*' (even "*/2"): both must match. Odd days that are Fridays.
  CHECK(Next("0 0 */2 * 5", "2025-06-01T00:00:00+08:00", 4) ==
        V{"2025-06-13T00:00:00+08:00", "2025-06-27T00:00:00+08:00", "2025-07-11T00:00:00+08:00",
          "2025-07-25T00:00:00+08:00"});
  CHECK(Next("0 0 13 * */1", "2025-06-01T00:00:00+08:00", 2) ==
        V{"2025-06-13T00:00:00+08:00", "2025-07-13T00:00:00+08:00"});
  CHECK(Next("0 0 * * 1", "2025-06-01T00:00:00+08:00", 2) ==
        V{"2025-06-02T00:00:00+08:00", "2025-06-09T00:00:00+08:00"});
  // "1-31" does not start with '*': restricted, so OR with Monday means every day (croniter
  // would take only Mondays here).
  CHECK(Next("0 0 1-31 * 1", "2025-06-01T00:00:00+08:00", 3) ==
        V{"2025-06-02T00:00:00+08:00", "2025-06-03T00:00:00+08:00", "2025-06-04T00:00:00+08:00"});
  // "0-6" likewise: the 20th OR any day.
  CHECK(Next("0 0 20 * 0-6", "2025-06-01T00:00:00+08:00", 2) ==
        V{"2025-06-02T00:00:00+08:00", "2025-06-03T00:00:00+08:00"});
}

TEST_CASE("cron: 29 February, the 31st, and days that never come", "[cron]") {
  CHECK(Next("0 0 29 2 *", "2025-01-01T00:00:00+08:00", 3) ==
        V{"2028-02-29T00:00:00+08:00", "2032-02-29T00:00:00+08:00", "2036-02-29T00:00:00+08:00"});
  // 2100 is not a leap year.
  CHECK(Next("0 0 29 2 *", "2096-03-01T00:00:00+08:00", 1) == V{"2104-02-29T00:00:00+08:00"});
  // OR: 29 February or any Monday of February (2027-02-01 a Monday; 2028-02-29 a Tuesday).
  CHECK(Next("0 0 29 feb mon", "2027-01-31T00:00:00+08:00", 6) ==
        V{"2027-02-01T00:00:00+08:00", "2027-02-08T00:00:00+08:00", "2027-02-15T00:00:00+08:00",
          "2027-02-22T00:00:00+08:00", "2028-02-07T00:00:00+08:00", "2028-02-14T00:00:00+08:00"});
  CHECK(Next("0 0 29 feb mon", "2028-02-27T00:00:00+08:00", 2) ==
        V{"2028-02-28T00:00:00+08:00", "2028-02-29T00:00:00+08:00"});
  // AND (the weekday field starts with '*'): 29 February on a Sunday, Tuesday, Thursday or
  // Saturday: 2028 (Tue), 2032 (Sun), 2048 (Sat), 2052 (Thu).
  CHECK(Next("0 0 29 2 */2", "2025-01-01T00:00:00+08:00", 4) ==
        V{"2028-02-29T00:00:00+08:00", "2032-02-29T00:00:00+08:00", "2048-02-29T00:00:00+08:00",
          "2052-02-29T00:00:00+08:00"});
  CHECK(Next("0 0 31 * *", "2025-01-31T12:00:00+08:00", 6) ==
        V{"2025-03-31T00:00:00+08:00", "2025-05-31T00:00:00+08:00", "2025-07-31T00:00:00+08:00",
          "2025-08-31T00:00:00+08:00", "2025-10-31T00:00:00+08:00", "2025-12-31T00:00:00+08:00"});
  CHECK(Next("0 0 30 * *", "2025-01-30T12:00:00+08:00", 2) ==
        V{"2025-03-30T00:00:00+08:00", "2025-04-30T00:00:00+08:00"});
  CHECK_THAT(ParseError("0 0 30 2 *"), Catch::Contains("永远不会触发") && Catch::Contains("never fires"));
  CHECK_THAT(ParseError("0 0 31 4,6,9,11 *"), Catch::Contains("never fires"));
  CHECK_THAT(ParseError("0 0 31 2 *"), Catch::Contains("never fires"));
  // With the OR rule the weekday still fires.
  CHECK(Next("0 0 30 2 1", "2025-01-31T00:00:00+08:00", 1) == V{"2025-02-03T00:00:00+08:00"});
}

TEST_CASE("cron: month and weekday names, Sunday as 0 and 7, macros", "[cron]") {
  // 2025-01-01 is a Wednesday.
  CHECK(Next("30 6 * jan,JUL Mon-Fri", "2025-01-30T07:00:00+08:00", 3) ==
        V{"2025-01-31T06:30:00+08:00", "2025-07-01T06:30:00+08:00", "2025-07-02T06:30:00+08:00"});
  const V sundays{"2025-01-05T12:00:00+08:00", "2025-01-12T12:00:00+08:00"};
  CHECK(Next("0 12 * * 0", "2025-01-01T00:00:00+08:00", 2) == sundays);
  CHECK(Next("0 12 * * 7", "2025-01-01T00:00:00+08:00", 2) == sundays);
  CHECK(Next("0 12 * * sun", "2025-01-01T00:00:00+08:00", 2) == sundays);
  CHECK(Next("0 12 * * SUN", "2025-01-01T00:00:00+08:00", 2) == sundays);
  // A range ending on Sunday, by name or as 0.
  const V weekend{"2025-01-03T12:00:00+08:00", "2025-01-04T12:00:00+08:00", "2025-01-05T12:00:00+08:00",
                  "2025-01-10T12:00:00+08:00"};
  CHECK(Next("0 12 * * fri-sun", "2025-01-01T00:00:00+08:00", 4) == weekend);
  CHECK(Next("0 12 * * 5-0", "2025-01-01T00:00:00+08:00", 4) == weekend);
  CHECK(Next("0 12 * * 5-7", "2025-01-01T00:00:00+08:00", 4) == weekend);
  CHECK(Next("0 0 1 mar-may/2 *", "2025-01-01T00:00:00+08:00", 3) ==
        V{"2025-03-01T00:00:00+08:00", "2025-05-01T00:00:00+08:00", "2026-03-01T00:00:00+08:00"});

  CHECK(Next("@hourly", "2025-01-01T10:20:00+08:00", 2) == V{"2025-01-01T11:00:00+08:00", "2025-01-01T12:00:00+08:00"});
  CHECK(Next("@daily", "2025-01-01T10:20:00+08:00", 1) == V{"2025-01-02T00:00:00+08:00"});
  CHECK(Next("@midnight", "2025-01-01T10:20:00+08:00", 1) == V{"2025-01-02T00:00:00+08:00"});
  CHECK(Next("@weekly", "2025-01-01T10:20:00+08:00", 1) == V{"2025-01-05T00:00:00+08:00"});
  CHECK(Next("@monthly", "2025-01-01T10:20:00+08:00", 1) == V{"2025-02-01T00:00:00+08:00"});
  CHECK(Next("@YEARLY", "2025-01-01T10:20:00+08:00", 1) == V{"2026-01-01T00:00:00+08:00"});
  CHECK(Next("@annually", "2025-01-01T10:20:00+08:00", 1) == V{"2026-01-01T00:00:00+08:00"});
}

TEST_CASE("cron: time zones and daylight saving gaps and repeats", "[cron][tz]") {
  // The default zone and a zone without DST: the same wall-clock schedule, other instants.
  CHECK(Next("0 9 * * *", "2025-01-01T00:00:00Z", 1, "Asia/Shanghai") == V{"2025-01-01T09:00:00+08:00"});
  CHECK(Next("0 9 * * *", "2025-01-01T00:00:00Z", 1, "Asia/Kolkata") == V{"2025-01-01T09:00:00+05:30"});
  CHECK(Next("0 9 * * *", "2025-01-01T00:00:00Z", 1, "UTC") == V{"2025-01-01T09:00:00+00:00"});

  // New York, 9 March 2025: 02:00 EST jumps to 03:00 EDT. 02:30 does not exist: it fires
  // once, at 03:00 EDT, the first instant after the gap.
  CHECK(Next("30 2 * * *", "2025-03-08T12:00:00-05:00", 3, "America/New_York") ==
        V{"2025-03-09T03:00:00-04:00", "2025-03-10T02:30:00-04:00", "2025-03-11T02:30:00-04:00"});
  // Several missing times and the time the clock lands on fire once together.
  CHECK(Next("*/15 2 * * *", "2025-03-09T01:00:00-05:00", 2, "America/New_York") ==
        V{"2025-03-09T03:00:00-04:00", "2025-03-10T02:00:00-04:00"});
  CHECK(Next("*/30 * * * *", "2025-03-09T01:00:00-05:00", 4, "America/New_York") ==
        V{"2025-03-09T01:30:00-05:00", "2025-03-09T03:00:00-04:00", "2025-03-09T03:30:00-04:00",
          "2025-03-09T04:00:00-04:00"});
  CHECK(Next("0 3 * * *", "2025-03-08T12:00:00-05:00", 1, "America/New_York") == V{"2025-03-09T03:00:00-04:00"});
  // A monthly job keeps its wall-clock time across the change.
  CHECK(Next("0 12 1 * *", "2025-03-01T13:00:00-05:00", 1, "America/New_York") == V{"2025-04-01T12:00:00-04:00"});

  // New York, 2 November 2025: 02:00 EDT goes back to 01:00 EST; 01:00-01:59 happens twice
  // and fires once, at its first occurrence (EDT).
  CHECK(Next("30 1 * * *", "2025-11-01T12:00:00-04:00", 2, "America/New_York") ==
        V{"2025-11-02T01:30:00-04:00", "2025-11-03T01:30:00-05:00"});
  CHECK(Next("*/20 * * * *", "2025-11-02T00:30:00-04:00", 6, "America/New_York") ==
        V{"2025-11-02T00:40:00-04:00", "2025-11-02T01:00:00-04:00", "2025-11-02T01:20:00-04:00",
          "2025-11-02T01:40:00-04:00", "2025-11-02T02:00:00-05:00", "2025-11-02T02:20:00-05:00"});
  // Asked during the second pass: the repeated minutes fired in the first pass already.
  CHECK(Next("*/20 * * * *", "2025-11-02T01:10:00-05:00", 1, "America/New_York") == V{"2025-11-02T02:00:00-05:00"});
  CHECK(Next("0 1 * * *", "2025-11-02T01:30:00-05:00", 1, "America/New_York") == V{"2025-11-03T01:00:00-05:00"});

  // Berlin, 30 March 2025 (02:00 CET -> 03:00 CEST) and 26 October 2025 (03:00 -> 02:00).
  CHECK(Next("30 2 * * *", "2025-03-29T12:00:00+01:00", 2, "Europe/Berlin") ==
        V{"2025-03-30T03:00:00+02:00", "2025-03-31T02:30:00+02:00"});
  CHECK(Next("30 2 * * *", "2025-10-25T12:00:00+02:00", 2, "Europe/Berlin") ==
        V{"2025-10-26T02:30:00+02:00", "2025-10-27T02:30:00+01:00"});
  // Sydney, southern hemisphere: 5 October 2025 02:00 AEST -> 03:00 AEDT.
  CHECK(Next("15 2 * * *", "2025-10-04T12:00:00+10:00", 2, "Australia/Sydney") ==
        V{"2025-10-05T03:00:00+11:00", "2025-10-06T02:15:00+11:00"});
  // After 2037 the TZif footer rule keeps summer time (2040: 11 March to 4 November).
  CHECK(Next("0 12 1 7 *", "2039-12-01T00:00:00Z", 1, "America/New_York") == V{"2040-07-01T12:00:00-04:00"});
  CHECK(Next("30 2 11 3 *", "2040-01-01T00:00:00Z", 1, "America/New_York") == V{"2040-03-11T03:00:00-04:00"});
}

TEST_CASE("cron: working-day schedules across the 2025 Spring Festival", "[cron][calendar]") {
  const xj::WorkingCalendar& cal = Calendar2025();
  // Spring Festival 2025: days off 28 January - 4 February; make-up working days Sunday
  // 26 January and Saturday 8 February. 24 January is a Friday.
  CHECK(Next("@workdays 09:00", "2025-01-24T10:00:00+08:00", 7, "Asia/Shanghai", &cal) ==
        V{"2025-01-26T09:00:00+08:00", "2025-01-27T09:00:00+08:00", "2025-02-05T09:00:00+08:00",
          "2025-02-06T09:00:00+08:00", "2025-02-07T09:00:00+08:00", "2025-02-08T09:00:00+08:00",
          "2025-02-10T09:00:00+08:00"});
  CHECK(Next("@WORKDAYS 9:00,17:30", "2025-01-27T12:00:00+08:00", 3, "Asia/Shanghai", &cal) ==
        V{"2025-01-27T17:30:00+08:00", "2025-02-05T09:00:00+08:00", "2025-02-05T17:30:00+08:00"});
  // The first working day of each month: 1 January is New Year's Day, 1-4 February are days
  // off, 1 March is a Saturday, 1-8 October are days off.
  CHECK(Next("@workday-of-month 1 09:00", "2025-01-01T00:00:00+08:00", 4, "Asia/Shanghai", &cal) ==
        V{"2025-01-02T09:00:00+08:00", "2025-02-05T09:00:00+08:00", "2025-03-03T09:00:00+08:00",
          "2025-04-01T09:00:00+08:00"});
  CHECK(Next("@workday-of-month 1 09:00", "2025-09-30T00:00:00+08:00", 1, "Asia/Shanghai", &cal) ==
        V{"2025-10-09T09:00:00+08:00"});
  // The last working day: 27 January (the festival starts on the 28th); 30 September.
  CHECK(Next("@workday-of-month -1 17:30", "2025-01-01T00:00:00+08:00", 2, "Asia/Shanghai", &cal) ==
        V{"2025-01-27T17:30:00+08:00", "2025-02-28T17:30:00+08:00"});
  CHECK(Next("@workday-of-month -1 17:30", "2025-09-01T00:00:00+08:00", 1, "Asia/Shanghai", &cal) ==
        V{"2025-09-30T17:30:00+08:00"});
  // First and last of the month; the same day named twice fires once.
  CHECK(Next("@workday-of-month 1,-1,1 08:00", "2025-01-01T00:00:00+08:00", 3, "Asia/Shanghai", &cal) ==
        V{"2025-01-02T08:00:00+08:00", "2025-01-27T08:00:00+08:00", "2025-02-05T08:00:00+08:00"});
  // A month with fewer working days is skipped: February 2025 has 18 (with 8 February).
  CHECK(Next("@workday-of-month 20 09:00", "2025-01-31T00:00:00+08:00", 1, "Asia/Shanghai", &cal) ==
        V{"2025-03-28T09:00:00+08:00"});

  // A year without data is an error, not a guess.
  const TimeZone& sh = Zone("Asia/Shanghai");
  auto past = Parse("@workdays 09:00").Next(At("2025-12-31T10:00:00+08:00", sh), sh, &cal);
  REQUIRE_FALSE(past.ok());
  CHECK(past.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(past.status().message(), Catch::Contains("2026"));
  auto nth = Parse("@workday-of-month -1 09:00").Next(At("2025-12-31T10:00:00+08:00", sh), sh, &cal);
  CHECK(nth.status().code() == StatusCode::kFailedPrecondition);
  auto before = Parse("@workdays 09:00").Next(At("2024-12-31T10:00:00+08:00", sh), sh, &cal);
  CHECK(before.status().code() == StatusCode::kFailedPrecondition);
  auto none = Parse("@workdays 09:00").Next(At("2025-06-01T10:00:00+08:00", sh), sh, nullptr);
  CHECK(none.status().code() == StatusCode::kFailedPrecondition);
  CHECK(Parse("@workdays 09:00").NeedsCalendar());
  CHECK_FALSE(Parse("@daily").NeedsCalendar());
}

TEST_CASE("cron: malformed expressions are refused naming the field and the problem", "[cron][errors]") {
  struct Case {
    const char* expr;
    const char* zh;
    const char* en;
  };
  const Case cases[] = {
      {"", "为空", "is empty"},
      {"   ", "为空", "is empty"},
      {"* * * *", "应有 5 个字段", "has 5 fields"},
      {"* * * * * *", "实际有 6 个", "got 6"},
      {"60 * * * *", "第 1 个字段（分钟）", "field 1 (minute) \"60\": \"60\" is out of range 0-59"},
      {"* 24 * * *", "第 2 个字段（小时）", "out of range 0-23"},
      {"* * 0 * *", "第 3 个字段（日）", "field 3 (day of month)"},
      {"* * 32 * *", "超出范围 1-31", "out of range 1-31"},
      {"* * * 13 *", "第 4 个字段（月）", "field 4 (month)"},
      {"* * * 0 *", "第 4 个字段（月）", "out of range 1-12"},
      {"* * * * 8", "第 5 个字段（星期）", "out of range 0-7"},
      {"* * * foo *", "未知的名称", "unknown name \"foo\" (months are JAN-DEC)"},
      {"* * * * monday", "未知的名称", "(weekdays are SUN-SAT)"},
      {"* * * * jan", "未知的名称", "unknown name"},
      {"* * mon * *", "名称只能用于月和星期字段", "names are only for the month and day-of-week fields"},
      {"5-1 * * * *", "起点大于终点", "starts after it ends"},
      {"* * * * 6-1", "起点大于终点", "starts after it ends"},
      {"1,,2 * * * *", "空项", "an empty list item"},
      {"1, * * * *", "空项", "an empty list item"},
      {"*/0 * * * *", "步长不能为 0", "must not be 0"},
      {"*/60 * * * *", "步长 60", "not smaller than the field's 60 values"},
      {"*/90 * * * *", "每 90 分钟", "every 90 minutes is not a cron schedule"},
      {"0 0 * * */7", "步长 7", "step 7"},
      {"*/x * * * *", "不是正整数", "is not a positive integer"},
      {"*/5/2 * * * *", "不是正整数", "is not a positive integer"},
      {"1-2-3 * * * *", "多个 '-'", "more than one '-'"},
      {"** * * * *", "'*'", "'*' stands alone"},
      {"-5 * * * *", "不允许负数", "negative numbers are not allowed"},
      {"0 0 ? * *", "Quartz", "not supported"},
      {"0 0 L * *", "Quartz", "not supported"},
      {"0 0 15W * *", "Quartz", "not supported"},
      {"0 0 * * 1#2", "Quartz", "not supported"},
      {"H * * * *", "Jenkins", "not supported"},
      {"0 0 * * 1;", "不允许的字符", "unexpected character ';'"},
      {"@reboot", "未知的 cron 宏", "unknown cron macro \"@reboot\""},
      {"@daily 5", "后面不能再有字段", "takes no fields"},
      {"0 0\xe3\x80\x80* * *", "非 ASCII", "non-ASCII"},
      {"0 0 * * *\n", "控制字符", "control"},
      {"@workdays", "@workdays HH:MM", "expected @workdays HH:MM"},
      {"@workdays 9:0", "HH:MM", "time of day \"9:0\" is malformed"},
      {"@workdays 24:00", "HH:MM", "time of day \"24:00\""},
      {"@workdays 09:00,", "HH:MM", "time of day \"\""},
      {"@workdays 09:00 10:00", "@workdays HH:MM", "expected @workdays HH:MM"},
      {"@workday-of-month 0 09:00", "1 到 31", "working day number \"0\""},
      {"@workday-of-month 32 09:00", "1 到 31", "working day number \"32\""},
      {"@workday-of-month -0 09:00", "1 到 31", "working day number \"-0\""},
      {"@workday-of-month x 09:00", "1 到 31", "working day number \"x\""},
      {"@workday-of-month 1", "@workday-of-month N HH:MM", "expected @workday-of-month N HH:MM"},
  };
  for (const Case& c : cases) {
    const std::string msg = ParseError(c.expr);
    INFO(c.expr << " -> " << msg);
    CHECK_THAT(msg, Catch::Contains(c.zh) && Catch::Contains(c.en));
    // Chinese first, then English.
    CHECK(msg.find(" / ") != std::string::npos);
    CHECK(msg.find(c.zh) < msg.find(" / "));
  }
  CHECK_THAT(ParseError(std::string(300, '*')), Catch::Contains("256"));
  // 256 bytes are still accepted.
  CHECK(CronSchedule::Parse("0 0 * * *" + std::string(247, ' ')).ok());
}

TEST_CASE("cron: start times outside 1900-2399 and schedules that end", "[cron][errors]") {
  const TimeZone& utc = Zone("UTC");
  const CronSchedule daily = Parse("@daily");
  CHECK(daily.Next(At("1900-01-01T00:00:00Z", utc), utc).ok());
  CHECK(daily.Next(sys_seconds{std::chrono::seconds{-2208988801}}, utc).status().code() ==
        StatusCode::kInvalidArgument);
  auto end = Parse("0 0 1 1 *").Next(At("2399-06-01T00:00:00Z", utc), utc);
  REQUIRE_FALSE(end.ok());
  CHECK(end.status().code() == StatusCode::kNotFound);
  CHECK_THAT(end.status().message(), Catch::Contains("2400"));
}

namespace {

// A TZif version 2 file without transitions: one local time type and a footer rule.
std::string TzifWithFooter(std::int32_t utoff, bool isdst, const std::string& footer) {
  auto u32 = [](std::string& s, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) s += static_cast<char>(v >> (8 * i) & 0xFF);
  };
  std::string block;
  // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
  for (std::uint32_t v : {0u, 0u, 0u, 0u, 1u, 4u}) u32(block, v);
  std::string data;
  u32(data, static_cast<std::uint32_t>(utoff));
  data += static_cast<char>(isdst ? 1 : 0);
  data += '\0';
  data += std::string("ABC\0", 4);
  std::string header = std::string("TZif2") + std::string(15, '\0');
  return header + block + data + header + block + data + "\n" + footer + "\n";
}

}  // namespace

TEST_CASE("tz: zone lookup, refusals, resolution of skipped and repeated wall times", "[tz]") {
  auto a = TimeZone::Find("America/New_York");
  auto b = TimeZone::Find("America/New_York");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.value() == b.value());
  CHECK(a.value()->name() == "America/New_York");
  CHECK(TimeZone::Find("Mars/Olympus_Mons").status().code() == StatusCode::kNotFound);
  CHECK(TimeZone::Find("America").status().code() == StatusCode::kNotFound);  // a folder
  CHECK(TimeZone::Find("../etc/passwd").status().code() == StatusCode::kInvalidArgument);
  CHECK(TimeZone::Find("/etc/localtime").status().code() == StatusCode::kInvalidArgument);
  CHECK(TimeZone::Find("").status().code() == StatusCode::kInvalidArgument);
  CHECK(TimeZone::Find("Asia/Shang hai").status().code() == StatusCode::kInvalidArgument);
  CHECK(TimeZone::Find(std::string(65, 'A')).status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(TimeZone::Find("Mars/Olympus_Mons").status().message(),
             Catch::Contains("未知的时区") && Catch::Contains("unknown time zone"));
  // Leap-second zones are refused when installed.
  if (TimeZone::Find("right/UTC").status().code() != StatusCode::kNotFound)
    CHECK_THAT(TimeZone::Find("right/UTC").status().message(), Catch::Contains("leap seconds"));

  const TimeZone& ny = *a.value();
  using Kind = TimeZone::Resolution::Kind;
  auto local = [](const char* iso) {  // a wall time read as if it were UTC
    return At(iso, Zone("UTC")).time_since_epoch().count();
  };
  TimeZone::Resolution gap = ny.Resolve(local("2025-03-09T02:30:00Z"));
  CHECK(gap.kind == Kind::kSkipped);
  CHECK(xj::FormatIsoTime(gap.first, ny) == "2025-03-09T03:00:00-04:00");
  TimeZone::Resolution rep = ny.Resolve(local("2025-11-02T01:30:00Z"));
  CHECK(rep.kind == Kind::kRepeated);
  CHECK(xj::FormatIsoTime(rep.first, ny) == "2025-11-02T01:30:00-04:00");
  CHECK(xj::FormatIsoTime(rep.second, ny) == "2025-11-02T01:30:00-05:00");
  TimeZone::Resolution one = ny.Resolve(local("2025-07-01T12:00:00Z"));
  CHECK(one.kind == Kind::kUnique);
  CHECK(xj::FormatIsoTime(one.first, ny) == "2025-07-01T12:00:00-04:00");
  // Summer time after 2037 comes from the footer rule; Shanghai's 1986-1991 summer time
  // from the stored transitions.
  CHECK(ny.OffsetAt(At("2050-07-01T00:00:00Z", ny)) == -4 * 3600);
  CHECK(ny.OffsetAt(At("2050-01-01T00:00:00Z", ny)) == -5 * 3600);
  CHECK(ny.OffsetAt(At("2399-07-01T00:00:00Z", ny)) == -4 * 3600);
  const TimeZone& sh = Zone("Asia/Shanghai");
  CHECK(sh.OffsetAt(At("1988-07-01T00:00:00Z", sh)) == 9 * 3600);
  CHECK(sh.OffsetAt(At("2025-07-01T00:00:00Z", sh)) == 8 * 3600);
}

TEST_CASE("tz: the footer rule of a file without transitions matches the full files", "[tz]") {
  struct Pair {
    const char* zone;
    std::int32_t utoff;
    bool dst;
    const char* footer;
  };
  for (const Pair& p : {Pair{"America/New_York", -5 * 3600, false, "EST5EDT,M3.2.0,M11.1.0"},
                        Pair{"Australia/Sydney", 11 * 3600, true, "AEST-10AEDT,M10.1.0,M4.1.0/3"},
                        Pair{"Europe/Berlin", 3600, false, "CET-1CEST,M3.5.0,M10.5.0/3"},
                        Pair{"Asia/Kolkata", 19800, false, "IST-5:30"}}) {
    INFO(p.zone);
    auto synthetic = TimeZone::FromTzif("test", TzifWithFooter(p.utoff, p.dst, p.footer));
    INFO(synthetic.status().message());
    REQUIRE(synthetic.ok());
    const TimeZone& real = Zone(p.zone);
    std::mt19937_64 rng(7);
    // From 2010 (the rules above hold since 2008) to 2399, hourly samples at random.
    std::uniform_int_distribution<std::int64_t> when(1262304000, 13569465600 - 1);
    for (int i = 0; i < 20000; ++i) {
      const sys_seconds t{std::chrono::seconds{when(rng)}};
      if (real.OffsetAt(t) != synthetic->OffsetAt(t)) {
        FAIL(p.zone << " differs at " << xj::FormatIsoTime(t, real));
      }
    }
  }
  auto bad = TimeZone::FromTzif("bad", TzifWithFooter(0, false, "EST5EDT,M3.2"));
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(TimeZone::FromTzif("bad", "TZif").status().code() == StatusCode::kInvalidArgument);
  CHECK(TimeZone::FromTzif("bad", "not a zone").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("tz: ISO 8601 times in and out", "[tz]") {
  const TimeZone& sh = Zone("Asia/Shanghai");
  const TimeZone& ny = Zone("America/New_York");
  CHECK(xj::FormatIsoTime(At("2025-03-09T01:30:00+08:00", sh), sh) == "2025-03-09T01:30:00+08:00");
  CHECK(xj::FormatIsoTime(At("2025-03-09 01:30", sh), sh) == "2025-03-09T01:30:00+08:00");
  CHECK(xj::FormatIsoTime(At("2025-03-09", sh), sh) == "2025-03-09T00:00:00+08:00");
  CHECK(xj::FormatIsoTime(At("2025-03-08T17:30:00Z", sh), sh) == "2025-03-09T01:30:00+08:00");
  CHECK(xj::FormatIsoTime(At("2025-03-08T12:30:00.999-0500", sh), sh) == "2025-03-09T01:30:00+08:00");
  CHECK(xj::FormatIsoTime(At("2025-03-09T01:30:00+08", sh), sh) == "2025-03-09T01:30:00+08:00");
  // Local readings in a zone with DST: a skipped one is the end of the gap, a repeated one
  // its first occurrence.
  CHECK(xj::FormatIsoTime(At("2025-03-09T02:30", ny), ny) == "2025-03-09T03:00:00-04:00");
  CHECK(xj::FormatIsoTime(At("2025-11-02T01:30", ny), ny) == "2025-11-02T01:30:00-04:00");
  // Shanghai's local mean time before 1901 has seconds in its offset.
  CHECK(xj::FormatIsoTime(At("1900-06-01T00:00:00Z", sh), sh) == "1900-06-01T08:05:43+08:05:43");
  for (const char* bad : {"2025-02-30", "2025-3-9", "1899-12-31", "2400-01-01", "2025-03-09T24:00", "2025-03-09T12:60",
                          "2025-03-09T12", "2025-03-09T12:00:00+2400", "2025-03-09Z", "2025-03-09T12:00:00 +08:00",
                          "tomorrow", "", "2025-03-09T12:00:00+08:00x"}) {
    auto t = xj::ParseIsoTime(bad, sh);
    INFO(bad);
    CHECK(t.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(t.status().message(), Catch::Contains(" / "));
  }
}

TEST_CASE("cron: random input never crashes the parser, and whatever parses can run", "[cron][fuzz]") {
  std::mt19937_64 rng(20251122);
  const std::string alphabet = "0123456789*/,-  \tJjAaNnMmOoSsUuLW?#@HhwdekyrlFfTt";
  const TimeZone& ny = Zone("America/New_York");
  const sys_seconds start = At("2025-03-01T00:00:00Z", ny);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int len = static_cast<int>(rng() % 24);
    for (int k = 0; k < len; ++k) s += alphabet[rng() % alphabet.size()];
    if (rng() % 4 == 0) s = "1 2 3 4 " + s;
    auto c = CronSchedule::Parse(s);
    if (!c.ok()) {
      CHECK(c.status().code() == StatusCode::kInvalidArgument);
      continue;
    }
    ++parsed;
    if (c->NeedsCalendar()) continue;
    auto t = c->Next(start, ny);
    CHECK((t.ok() ? t.value() > start : t.status().code() == StatusCode::kNotFound));
  }
  CHECK(parsed > 0);
}

TEST_CASE("cron: one schedule and one zone serve many threads", "[cron][threads]") {
  const CronSchedule every = Parse("*/7 1-22 * * mon-fri");
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  const char* zones[] = {"America/New_York", "Europe/Berlin", "Asia/Shanghai", "Australia/Lord_Howe"};
  for (int k = 0; k < 8; ++k) {
    threads.emplace_back([&, k] {
      auto z = TimeZone::Find(zones[k % 4]);  // found concurrently
      if (!z.ok()) {
        ++mismatches;
        return;
      }
      sys_seconds t{std::chrono::seconds{1735689600}};
      for (int i = 0; i < 2000; ++i) {
        auto n = every.Next(t, *z.value());
        if (!n.ok() || n.value() <= t) ++mismatches;
        if (n.ok()) t = n.value();
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(mismatches == 0);
}
