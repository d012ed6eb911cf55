// Unit tests of core/src/calendar.h: civil dates, the embedded working-day calendar
// (schemas/calendar/*.json) against dates known from the State Council's notices, years
// without data, the calendar.dir override, and refused calendar files.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "calendar.h"
#include "test_support.h"
#include "text.h"

using xj::Date;
using xj::StatusCode;
using xj::WorkingCalendar;

namespace {

Date D(const char* s) {
  auto d = Date::Parse(s);
  REQUIRE(d.ok());
  return d.value();
}

const WorkingCalendar& Builtin() {
  auto cal = WorkingCalendar::Shared("");
  REQUIRE(cal.ok());
  return *cal.value();
}

std::string Add(const WorkingCalendar& cal, const char* from, int n) {
  auto r = cal.AddWorkingDays(D(from), n);
  INFO(r.status().message());
  REQUIRE(r.ok());
  return r->ToString();
}

bool Working(const WorkingCalendar& cal, const char* day) {
  auto r = cal.IsWorkingDay(D(day));
  INFO(r.status().message());
  REQUIRE(r.ok());
  return r.value();
}

// A valid, fictional year used as the base of the refused-file cases (2030-01-01 is a
// Tuesday, 2030-01-05 a Saturday).
const std::string kTestYear = R"({
  "format": "xj-calendar/1",
  "year": 2030,
  "source": {"issuer": "测试", "title": "测试通知", "document_number": "测试〔2029〕1号",
             "published": "2029-11-01", "url": "https://example.invalid/2030"},
  "holidays": [
    {"name_zh": "元旦", "name_en": "New Year's Day", "days_off": ["2030-01-01"], "makeup_workdays": ["2030-01-05"]}
  ]
})";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

// Expects ParseCalendarYear(name, json) to refuse the file with a bilingual message that
// names the file and contains `zh` and `en`.
void ExpectRefused(const std::string& json, const std::string& zh, const std::string& en,
                   const std::string& name = "2030.json") {
  auto r = xj::ParseCalendarYear(name, json);
  REQUIRE_FALSE(r.ok());
  const std::string m = r.status().message();
  INFO(m);
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(m.rfind("工作日历文件 " + name, 0) == 0);  // Chinese first, naming the file
  CHECK_THAT(m, Catch::Contains(" / calendar file " + name));
  CHECK_THAT(m, Catch::Contains(zh));
  CHECK_THAT(m, Catch::Contains(en));
  CHECK(m.find(zh) < m.find(" / "));
}

}  // namespace

TEST_CASE("calendar: dates parse, format and know their weekday", "[calendar]") {
  CHECK(D("1970-01-01").days() == 0);
  CHECK(D("1970-01-01").weekday() == 4);  // a Thursday
  CHECK(D("2025-01-26").weekday() == 7);  // Sunday
  CHECK(D("2025-02-08").weekday() == 6);  // Saturday
  CHECK(D("2000-02-29").weekday() == 2);  // Tuesday
  CHECK(D("2024-02-29").ToString() == "2024-02-29");
  CHECK(D("0001-01-01").ToString() == "0001-01-01");
  CHECK(D("9999-12-31").ToString() == "9999-12-31");
  CHECK(D("2025-03-01") - D("2025-02-28") == 1);
  CHECK(D("2024-03-01") - D("2024-02-28") == 2);
  CHECK(xj::Date::FromYmd(2025, 2, 29).status().code() == StatusCode::kInvalidArgument);
  for (const char* bad : {"", "2025-1-01", "20250101", "2025-13-01", "2025-00-10", "2025-02-29", "2100-02-29",
                          "0000-01-01", "2025-01-32", "2025/01/01", "2025-01-01 ", "+025-01-01", "2025-0a-01"}) {
    INFO(bad);
    auto r = Date::Parse(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::StartsWith("日期应为 YYYY-MM-DD") && Catch::Contains("a date must be"));
  }
  // Every day from 1900 to 2100: counting days one by one agrees with the conversion.
  int y = 1900, m = 1, d = 1;
  for (Date x = D("1900-01-01"); x <= D("2100-12-31"); x = x + 1) {
    int xy, xm, xd;
    x.ToYmd(&xy, &xm, &xd);
    REQUIRE((xy == y && xm == m && xd == d));
    REQUIRE(Date::FromYmd(y, m, d).value() == x);
    REQUIRE(x.weekday() == ((x.days() % 7 + 7) % 7 + 3) % 7 + 1);
    if (++d > xj::DaysInMonth(y, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        ++y;
      }
    }
  }
}

TEST_CASE("calendar: the embedded years cite their notices", "[calendar]") {
  const WorkingCalendar& cal = Builtin();
  CHECK(&cal == &Builtin());  // loaded once
  const std::vector<int> years = cal.Years();
  REQUIRE(years.size() >= 3);
  CHECK(std::vector<int>(years.begin(), years.begin() + 3) == std::vector<int>{2024, 2025, 2026});
  for (int y : {2024, 2025, 2026}) CHECK_FALSE(cal.IsProvisional(y));
  struct Want {
    int year;
    const char* number;
    const char* published;
    int working_days;  // counted by hand from the notice: weekdays - weekday days off + make-up days
  };
  for (const Want& w : {Want{2024, "国办发明电〔2023〕7号", "2023-10-25", 262 - 19 + 8},
                        Want{2025, "国办发明电〔2024〕12号", "2024-11-12", 261 - 18 + 5},
                        Want{2026, "国办发明电〔2025〕7号", "2025-11-04", 261 - 19 + 6}}) {
    INFO(w.year);
    auto y = cal.Year(w.year);
    REQUIRE(y.ok());
    CHECK(y.value()->source.document_number == w.number);
    CHECK(y.value()->source.published.ToString() == w.published);
    CHECK(y.value()->source.issuer == "国务院办公厅");
    CHECK(y.value()->source.title == "国务院办公厅关于" + std::to_string(w.year) + "年部分节假日安排的通知");
    CHECK_THAT(y.value()->source.url, Catch::StartsWith("https://www.gov.cn/"));
    CHECK_THAT(y.value()->origin, Catch::Contains("schemas/calendar/" + std::to_string(w.year) + ".json"));
    int n = 0;
    for (Date d = Date::FromYmd(w.year, 1, 1).value(); d.year() == w.year; d = d + 1) n += cal.IsWorkingDay(d).value();
    CHECK(n == w.working_days);  // 251, 248, 248
  }
  auto y2025 = cal.Year(2025);
  REQUIRE(y2025.ok());
  const auto& h = y2025.value()->holidays;
  REQUIRE(h.size() == 6);
  CHECK(h[1].name_zh == "春节");
  CHECK(h[1].name_en == "Spring Festival");
  CHECK(h[1].days_off.front() == D("2025-01-28"));
  CHECK(h[1].days_off.back() == D("2025-02-04"));
  CHECK(h[1].days_off.size() == 8);
  CHECK(h[1].makeup_workdays == std::vector<Date>{D("2025-01-26"), D("2025-02-08")});
}

TEST_CASE("calendar: 20 working days after 2025-01-20 skip the Spring Festival and count its make-up days",
          "[calendar]") {
  const WorkingCalendar& cal = Builtin();
  // 2025-01-20 is a Monday and is not counted. Working days after it:
  //   Jan 21 Tue 1, 22 Wed 2, 23 Thu 3, 24 Fri 4, (25 Sat off), 26 Sun make-up 5, 27 Mon 6,
  //   Jan 28 - Feb 4 Spring Festival off (8 days),
  //   Feb 5 Wed 7, 6 Thu 8, 7 Fri 9, 8 Sat make-up 10, (9 Sun off),
  //   Feb 10 Mon 11, 11 12, 12 13, 13 14, 14 Fri 15, (15, 16 weekend),
  //   Feb 17 Mon 16, 18 17, 19 18, 20 19, 21 Fri 20.
  CHECK(Add(cal, "2025-01-20", 20) == "2025-02-21");
  CHECK(Working(cal, "2025-01-26"));  // Sunday, make-up working day
  CHECK(Working(cal, "2025-02-08"));  // Saturday, make-up working day
  for (Date d = D("2025-01-28"); d <= D("2025-02-04"); d = d + 1) CHECK_FALSE(cal.IsWorkingDay(d).value());
  CHECK_FALSE(Working(cal, "2025-01-25"));  // an ordinary Saturday
  CHECK_FALSE(Working(cal, "2025-02-09"));  // an ordinary Sunday
  CHECK(Add(cal, "2025-01-20", 5) == "2025-01-26");
  CHECK(Add(cal, "2025-01-20", 7) == "2025-02-05");
  CHECK(Add(cal, "2025-01-20", 10) == "2025-02-08");
  // The same walk backwards, and the count between.
  CHECK(Add(cal, "2025-02-21", -20) == "2025-01-20");
  CHECK(cal.WorkingDaysBetween(D("2025-01-20"), D("2025-02-21")).value() == 20);
  CHECK(cal.WorkingDaysBetween(D("2025-02-21"), D("2025-01-20")).value() == -20);
  CHECK(cal.WorkingDaysBetween(D("2025-01-27"), D("2025-02-05")).value() == 1);  // across the whole holiday
  CHECK(cal.WorkingDaysBetween(D("2025-01-28"), D("2025-02-04")).value() == 0);
  CHECK(cal.AddWorkingDays(D("2025-02-05"), 0).value() == D("2025-02-05"));  // n = 0 on a working day: unchanged
  CHECK(cal.AddWorkingDays(D("2025-01-29"), 0).value() == D("2025-02-05"));  // on a holiday: the next working day
}

TEST_CASE("calendar: known dates of each year's notice", "[calendar]") {
  const WorkingCalendar& cal = Builtin();
  // National Day weeks: the first working day after 30 September.
  CHECK(Add(cal, "2024-09-30", 1) == "2024-10-08");  // 1-7 Oct off
  CHECK(Add(cal, "2025-09-30", 1) == "2025-10-09");  // 1-8 Oct off (with Mid-Autumn)
  CHECK(Add(cal, "2026-09-30", 1) == "2026-10-08");  // 1-7 Oct off
  // Make-up Saturdays and Sundays.
  for (const char* d :
       {"2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12",
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11", "2026-01-04", "2026-02-14", "2026-02-28",
        "2026-05-09", "2026-09-20", "2026-10-10"}) {
    INFO(d);
    CHECK(D(d).IsWeekend());
    CHECK(Working(cal, d));
  }
  CHECK(Add(cal, "2024-10-11", 1) == "2024-10-12");  // Friday -> make-up Saturday
  CHECK(Add(cal, "2026-10-09", 1) == "2026-10-10");
  CHECK(Add(cal, "2024-09-28", 1) == "2024-09-29");  // Saturday -> make-up Sunday
  // 2024: New Year's Eve (9 Feb) was only encouraged as a rest day: it is a working day.
  CHECK(Working(cal, "2024-02-09"));
  CHECK(Add(cal, "2024-02-09", 1) == "2024-02-18");
  // Weekend days inside a holiday period are days off; those around it are ordinary.
  CHECK_FALSE(Working(cal, "2024-06-08"));  // Saturday of the 2024 Dragon Boat Festival
  CHECK_FALSE(Working(cal, "2026-02-15"));  // Sunday, first day of the 2026 Spring Festival
  CHECK_FALSE(Working(cal, "2026-02-23"));  // Monday, last day
  CHECK(Working(cal, "2026-02-24"));
  // Crossing from 2024 into 2025 and from 2025 into 2026.
  CHECK(Add(cal, "2024-12-31", 1) == "2025-01-02");  // 1 January off
  CHECK(Add(cal, "2024-12-27", 5) == "2025-01-06");  // 30, 31 Dec, 2, 3 Jan, 6 Jan
  CHECK(Add(cal, "2025-12-31", 1) == "2026-01-04");  // 1-3 Jan off, 4 Jan make-up Sunday
  // Negative n: working days before.
  CHECK(Add(cal, "2025-01-02", -1) == "2024-12-31");
  CHECK(Add(cal, "2026-01-05", -1) == "2026-01-04");
  CHECK(Add(cal, "2026-01-05", -2) == "2025-12-31");
  CHECK(Add(cal, "2025-10-09", -1) == "2025-09-30");
  CHECK(Add(cal, "2024-02-18", -1) == "2024-02-09");
  CHECK(cal.WorkingDaysBetween(D("2024-01-02"), D("2026-12-31")).value() == 250 + 248 + 248);
}

TEST_CASE("calendar: AddWorkingDays and WorkingDaysBetween agree with a day-by-day walk", "[calendar]") {
  const WorkingCalendar& cal = Builtin();
  // The shipped notices and the first provisional year; before 2024 there is no data, after
  // 2027 the walk stops (the calendar goes on).
  const Date first = D("2024-01-01"), last = D("2027-12-31");
  std::vector<Date> working;
  for (Date d = first; d <= last; d = d + 1)
    if (cal.IsWorkingDay(d).value()) working.push_back(d);
  for (Date from = first; from <= last; from = from + 1) {
    for (int n : {-45, -20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20, 45}) {
      // The naive answer: walk day by day (n = 0: from `from` to the first working day).
      Date d = from;
      int left = n > 0 ? n : -n;
      bool inside = true;
      while (n == 0 && !std::binary_search(working.begin(), working.end(), d)) {
        d = d + 1;
        if (d > last) {
          inside = false;
          break;
        }
      }
      while (left > 0) {
        d = d + (n > 0 ? 1 : -1);
        if (d < first || d > last) {
          inside = false;
          break;
        }
        if (std::binary_search(working.begin(), working.end(), d)) --left;
      }
      auto r = cal.AddWorkingDays(from, n);
      if (!inside && d > last) continue;  // past the walk, not past the calendar
      if (!inside) {
        REQUIRE_FALSE(r.ok());
        REQUIRE(r.status().code() == StatusCode::kFailedPrecondition);
        continue;
      }
      REQUIRE(r.ok());
      REQUIRE(r.value() == d);
      REQUIRE(cal.IsWorkingDay(d).value());
      // The inverse, except n = 0 from a rest day (then the next working day, one away).
      const bool rest = !std::binary_search(working.begin(), working.end(), from);
      REQUIRE(cal.WorkingDaysBetween(from, d).value() == (n == 0 && rest ? 1 : n));
    }
  }
}

TEST_CASE("calendar: 0 working days from a rest day is the next working day, never the rest day", "[calendar]") {
  // Issue 12: add-workdays DATE 0 printed DATE even on a holiday, although a result of
  // AddWorkingDays is documented to be a working day. A deadline falling on a rest day moves
  // to the next working day (民法典 第二百零三条).
  const WorkingCalendar& cal = Builtin();
  CHECK(Add(cal, "2025-01-28", 0) == "2025-02-05");  // first day of the 2025 Spring Festival
  CHECK(Add(cal, "2025-02-04", 0) == "2025-02-05");  // its last day
  CHECK(Add(cal, "2025-02-09", 0) == "2025-02-10");  // an ordinary Sunday
  CHECK(Add(cal, "2025-01-25", 0) == "2025-01-26");  // a Saturday before a make-up Sunday
  CHECK(Add(cal, "2025-01-26", 0) == "2025-01-26");  // the make-up Sunday is a working day
  CHECK(Add(cal, "2025-10-01", 0) == "2025-10-09");  // National Day with Mid-Autumn, 1-8 Oct
  CHECK(Add(cal, "2025-12-31", 0) == "2025-12-31");  // a working Wednesday
  CHECK(Add(cal, "2026-01-01", 0) == "2026-01-04");  // New Year 1-3 Jan, make-up Sunday 4 Jan
  CHECK(Add(cal, "2024-12-29", 0) == "2024-12-30");  // across nothing: Sunday to Monday
  // From a rest day, n = 0 and n = 1 agree; from a working day they differ by one day.
  for (const char* d : {"2025-01-29", "2025-05-03", "2026-02-16", "2027-02-06"}) {
    INFO(d);
    REQUIRE_FALSE(Working(cal, d));
    CHECK(Add(cal, d, 0) == Add(cal, d, 1));
  }
  // The rest days at the very end of the calendar: their next working day lies in a year
  // without data, an error naming that year, never the rest day itself.
  const int last = cal.Years().back();
  const std::string after = std::to_string(last + 1);
  for (Date d = D((std::to_string(last) + "-12-31").c_str()); !cal.IsWorkingDay(d).value(); d = d - 1) {
    INFO(d.ToString());
    auto r = cal.AddWorkingDays(d, 0);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(r.status().message(), Catch::StartsWith("缺少 " + after + " 年的工作日历"));
  }
  // Before the calendar: an error, as for any n.
  CHECK(cal.AddWorkingDays(D("2023-12-31"), 0).status().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("calendar: a year the law cannot be applied to is an error, never a guess", "[calendar]") {
  const WorkingCalendar& cal = Builtin();
  const int last = xj::FestivalDatesRange().value().second;
  REQUIRE(last >= 2050);
  const int after = last + 1;
  auto check = [](const xj::Status& s, int year) {
    INFO(s.message());
    CHECK(s.code() == StatusCode::kFailedPrecondition);
    const std::string y = std::to_string(year);
    CHECK_THAT(s.message(),
               Catch::StartsWith("缺少 " + y + " 年的工作日历（国务院办公厅关于" + y + "年部分节假日安排的通知）"));
    CHECK_THAT(s.message(), Catch::Contains(" / no working-day calendar for " + y));
    CHECK_THAT(s.message(), Catch::Contains("calendar.dir"));
  };
  const std::string a = std::to_string(after);
  check(cal.IsWorkingDay(D("2023-06-01")).status(), 2023);
  check(cal.IsWorkingDay(D((a + "-06-02").c_str())).status(), after);
  check(cal.AddWorkingDays(D("2024-01-05"), -10).status(), 2023);
  check(cal.AddWorkingDays(D("2023-12-29"), 1).status(), 2023);  // the start date too
  check(cal.AddWorkingDays(D("2023-12-29"), 0).status(), 2023);
  check(cal.AddWorkingDays(D((std::to_string(last) + "-12-20").c_str()), 20).status(), after);
  check(cal.WorkingDaysBetween(D("2024-01-01"), D((a + "-01-05").c_str())).status(), after);
  check(cal.WorkingDaysBetween(D("2022-01-01"), D("2025-01-05")).status(), 2022);
  check(cal.NthWorkingDayOfMonth(after, 1, 1).status(), after);
  check(cal.Year(after).status(), after);
  CHECK_FALSE(cal.HasYear(after));
  CHECK_FALSE(cal.HasYear(2023));
  CHECK_FALSE(cal.AddWorkingDays(D("2026-06-01"), 2000000000).ok());  // no overflow
  CHECK_FALSE(cal.AddWorkingDays(D("2026-06-01"), -2000000000).ok());
}

TEST_CASE("calendar: past the last notice the calendar goes on, provisional, from the holiday law", "[calendar]") {
  const WorkingCalendar& cal = Builtin();
  // The years shipped with a notice are not provisional; every later year to the end of the
  // lunar data is.
  for (int y : {2024, 2025, 2026}) CHECK_FALSE(cal.IsProvisional(y));
  const auto [first, last] = xj::FestivalDatesRange().value();
  CHECK(first <= 2024);
  for (int y = 2027; y <= last; ++y) {
    INFO(y);
    CHECK(cal.HasYear(y));
    CHECK(cal.IsProvisional(y));
  }
  // The issue's example: Sunday 2026-12-20 + 20 working days: 21-25 Dec (5), 28-31 Dec (9),
  // Friday 1 January 2027 off (元旦), 4-8 Jan (14), 11-15 Jan (19), Monday 18 January (20).
  CHECK(Add(cal, "2026-12-20", 20) == "2027-01-18");
  CHECK(cal.ProvisionalYearsBetween(D("2026-12-20"), D("2027-01-18")) == std::vector<int>{2027});
  CHECK(cal.ProvisionalYearsBetween(D("2026-01-20"), D("2026-12-18")).empty());
  CHECK(cal.ProvisionalYearsBetween(D("2028-03-01"), D("2026-12-18")) == std::vector<int>{2027, 2028});
  CHECK(Add(cal, "2026-12-31", 1) == "2027-01-04");
  CHECK(xj::ProvisionalMark({2027}) ==
        "暂定 / provisional (no State Council notice loaded for 2027; statutory holidays only)");
  CHECK(xj::ProvisionalMark({}).empty());
  const xj::CalendarYear& y2027 = *cal.Year(2027).value();
  CHECK(y2027.provisional);
  CHECK(y2027.source.document_number == "国务院令第795号");
  CHECK_THAT(y2027.origin, Catch::StartsWith("暂定 / provisional"));
  // A far year works the same: no error, working days on the law alone.
  CHECK(cal.IsWorkingDay(D("2049-10-01")).ok());
  CHECK_FALSE(cal.IsWorkingDay(D("2049-10-01")).value());
}

// The provisional year of 2027, day by day from the law (2027: 除夕 Friday 5 February,
// 清明 Monday 5 April, 端午 Wednesday 9 June, 中秋 Wednesday 15 September).
TEST_CASE("calendar: the provisional 2027 gives back statutory days that fall on a weekend", "[calendar]") {
  auto y = xj::ProvisionalYear(2027);
  INFO(y.status().message());
  REQUIRE(y.ok());
  std::map<std::string, std::pair<std::string, std::string>> want = {
      {"元旦", {"2027-01-01", "2027-01-01"}},    // Friday
      {"春节", {"2027-02-05", "2027-02-10"}},    // 除夕 Fri 5 .. 初三 Mon 8; Sat 6 and Sun 7 given back on Tue 9, Wed 10
      {"清明节", {"2027-04-05", "2027-04-05"}},  // Monday
      {"劳动节", {"2027-05-01", "2027-05-04"}},  // Sat 1, Sun 2 given back on Mon 3, Tue 4
      {"端午节", {"2027-06-09", "2027-06-09"}},
      {"中秋节", {"2027-09-15", "2027-09-15"}},
      {"国庆节", {"2027-10-01", "2027-10-05"}},  // Fri 1; Sat 2, Sun 3 given back on Mon 4, Tue 5
  };
  REQUIRE(y->holidays.size() == want.size());
  for (const auto& h : y->holidays) {
    INFO(h.name_zh);
    REQUIRE(want.count(h.name_zh) == 1);
    CHECK(h.days_off.front().ToString() == want[h.name_zh].first);
    CHECK(h.days_off.back().ToString() == want[h.name_zh].second);
    CHECK(h.makeup_workdays.empty());
  }
  // It loads like a notice file would: ParseCalendarYear's rules hold (consecutive days, no
  // date twice), so FromYears takes it.
  auto cal = WorkingCalendar::FromYears({y.value()});
  REQUIRE(cal.ok());
  int working = 0;
  for (Date d = D("2027-01-01"); d < D("2028-01-01"); d = d + 1) working += cal->IsWorkingDay(d).value() ? 1 : 0;
  // 261 weekdays in 2027, minus the 13 statutory days' weekday equivalents (each statutory day
  // is a day off on a weekday, given back or not).
  CHECK(working == 261 - 13);
}

// The law against the notices: every statutory day of 2024 (the 2013 law), 2025 and 2026
// (the 2024 law) is off in the State Council's notice of that year.
TEST_CASE("calendar: the statutory days are off in every shipped notice", "[calendar]") {
  for (int year : {2024, 2025, 2026}) {
    const xj::CalendarYear& notice = *Builtin().Year(year).value();
    std::set<std::int32_t> off;
    for (const auto& h : notice.holidays)
      for (Date d : h.days_off) off.insert(d.days());
    auto days = xj::StatutoryDaysOff(year);
    REQUIRE(days.ok());
    CHECK(days->size() == (year >= 2025 ? 13u : 11u));
    for (const auto& d : days.value()) {
      INFO(year << " " << d.festival_zh << " " << d.date.ToString());
      CHECK(off.count(d.date.days()) == 1);
    }
  }
  CHECK(xj::StatutoryDaysOff(2013).status().code() == StatusCode::kFailedPrecondition);
  CHECK(xj::FestivalDatesOf(1999).status().code() == StatusCode::kFailedPrecondition);
  // 中秋节 on 1 October: the two festivals share a day, which is given back like a weekend.
  for (int y = 2027; y <= xj::FestivalDatesRange().value().second; ++y) {
    auto f = xj::FestivalDatesOf(y);
    REQUIRE(f.ok());
    auto p = xj::ProvisionalYear(y);
    REQUIRE(p.ok());
    std::set<std::int32_t> off;
    for (const auto& h : p->holidays)
      for (Date d : h.days_off) off.insert(d.days());
    int weekday_off = 0;
    for (std::int32_t d : off) weekday_off += Date::FromDays(d).IsWeekend() ? 0 : 1;
    INFO(y);
    CHECK(weekday_off == 13);  // the law's 13 days, each on a weekday in the end
  }
}

TEST_CASE("calendar: NthWorkingDayOfMonth", "[calendar]") {
  const WorkingCalendar& cal = Builtin();
  auto nth = [&](int y, int m, int n) {
    auto r = cal.NthWorkingDayOfMonth(y, m, n);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return r->ToString();
  };
  // February 2025: 20 weekdays, 3 and 4 Feb off, Saturday 8 Feb a make-up day: 19 working days.
  CHECK(nth(2025, 2, 1) == "2025-02-05");
  CHECK(nth(2025, 2, 4) == "2025-02-08");
  CHECK(nth(2025, 2, -1) == "2025-02-28");
  CHECK(nth(2025, 2, 19) == "2025-02-28");
  CHECK(nth(2025, 2, -19) == "2025-02-05");
  CHECK(nth(2025, 1, -1) == "2025-01-27");  // 28-31 Jan off
  CHECK(nth(2025, 1, 1) == "2025-01-02");
  CHECK(nth(2025, 10, 1) == "2025-10-09");
  CHECK(nth(2026, 10, 1) == "2026-10-08");
  CHECK(nth(2026, 1, 1) == "2026-01-04");  // the make-up Sunday
  CHECK(nth(2024, 12, -1) == "2024-12-31");
  CHECK(nth(2024, 6, 1) == "2024-06-03");
  auto none = cal.NthWorkingDayOfMonth(2025, 2, 20);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == StatusCode::kNotFound);
  CHECK_THAT(none.status().message(), Catch::StartsWith("2025 年 2 月只有 19 个工作日") &&
                                          Catch::Contains("February 2025 has only 19 working days"));
  CHECK_FALSE(cal.NthWorkingDayOfMonth(2025, 2, -20).ok());
  CHECK(cal.NthWorkingDayOfMonth(2025, 2, 0).status().code() == StatusCode::kInvalidArgument);
  CHECK(cal.NthWorkingDayOfMonth(2025, 13, 1).status().code() == StatusCode::kInvalidArgument);
  CHECK(cal.NthWorkingDayOfMonth(2025, 0, 1).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("calendar: the test base file is valid", "[calendar]") {
  auto r = xj::ParseCalendarYear("some/dir/2030.json", kTestYear);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->year == 2030);
  CHECK(r->holidays.size() == 1);
  auto cal = WorkingCalendar::FromYears({r.value()});
  REQUIRE(cal.ok());
  CHECK_FALSE(cal->IsWorkingDay(D("2030-01-01")).value());
  CHECK(cal->IsWorkingDay(D("2030-01-05")).value());
  CHECK(cal->AddWorkingDays(D("2029-12-31"), 1).status().code() == StatusCode::kFailedPrecondition);
  auto twice = WorkingCalendar::FromYears({r.value(), r.value()});
  CHECK(twice.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("calendar: malformed and hostile files are refused with a clear error", "[calendar]") {
  const std::string& b = kTestYear;
  ExpectRefused("{", "不是有效的 JSON", "not valid JSON");
  ExpectRefused("", "不是有效的 JSON", "not valid JSON");
  ExpectRefused("[1, 2]", "顶层应为 JSON 对象", "must be a JSON object");
  ExpectRefused(b + "x", "不是有效的 JSON", "not valid JSON");
  {
    auto r = xj::ParseCalendarYear("2030.json", Replace(b, "测试通知", "测试\xff通知"));  // invalid UTF-8
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("不是有效的 JSON") && Catch::Contains("not valid JSON"));
    CHECK(xj::text::IsValidUtf8(r.status().message()));  // the message itself stays printable
  }
  // A date outside the file's year.
  ExpectRefused(Replace(b, "[\"2030-01-01\"]", "[\"2029-12-31\"]"), "不在 2030 年内", "is not in 2030");
  ExpectRefused(Replace(b, "[\"2030-01-05\"]", "[\"2031-01-04\"]"), "不在 2030 年内", "is not in 2030");
  // Not a date.
  ExpectRefused(Replace(b, "[\"2030-01-01\"]", "[\"2030-02-30\"]"), "不是 YYYY-MM-DD 格式的有效日期",
                "is not a valid YYYY-MM-DD date");
  ExpectRefused(Replace(b, "[\"2030-01-01\"]", "[20300101]"), "日期应为", "a date must be");
  // A date listed twice.
  ExpectRefused(Replace(b, "[\"2030-01-01\"]", "[\"2030-01-01\", \"2030-01-01\"]"), "重复", "listed twice");
  ExpectRefused(
      Replace(b, "]\n}", R"(, {"name_zh": "又", "name_en": "Again", "days_off": ["2030-01-01"], "makeup_workdays": []}]
})"),
      "日期 2030-01-01 重复", "date 2030-01-01 listed twice (also at holidays[0].days_off[0])");
  ExpectRefused(Replace(b, "[\"2030-01-05\"]", "[\"2030-01-05\", \"2030-01-05\"]"), "重复", "listed twice");
  // A make-up day on a weekday, and a make-up day that is also a day off.
  ExpectRefused(Replace(b, "[\"2030-01-05\"]", "[\"2030-01-07\"]"), "调休上班日 2030-01-07 是周一，应为周六或周日",
                "make-up working day 2030-01-07 is a Mon, not a Saturday or Sunday");
  ExpectRefused(Replace(b, "[\"2030-01-01\"]", "[\"2030-01-05\"]"), "同时是放假日", "is also a day off");
  ExpectRefused(
      Replace(b, "]\n}", R"(, {"name_zh": "又", "name_en": "Again", "days_off": ["2030-01-05"], "makeup_workdays": []}]
})"),
      "放假日 2030-01-05 同时是调休上班日（holidays[0].makeup_workdays[0]）",
      "day off 2030-01-05 is also a make-up working day (holidays[0].makeup_workdays[0])");
  // Days off that are not consecutive.
  ExpectRefused(Replace(b, "[\"2030-01-01\"]", "[\"2030-01-01\", \"2030-01-03\"]"), "放假日应连续", "consecutive");
  ExpectRefused(Replace(b, "[\"2030-01-01\"]", "[\"2030-01-02\", \"2030-01-01\"]"), "放假日应连续", "consecutive");
  // Unknown and duplicate keys, wrong types, missing fields.
  ExpectRefused(Replace(b, "\"year\": 2030,", "\"year\": 2030, \"extra\": 1,"), "未知字段 'extra'",
                "unknown key 'extra'");
  ExpectRefused(Replace(b, "\"name_zh\": \"元旦\",", "\"name_zh\": \"元旦\", \"days\": [],"),
                "holidays[0]: 未知字段 'days'", "holidays[0]: unknown key 'days'");
  ExpectRefused(Replace(b, "\"issuer\": \"测试\",", "\"issuer\": \"测试\", \"signed\": true,"), "未知字段 'signed'",
                "unknown key 'signed'");
  ExpectRefused(Replace(b, "\"year\": 2030,", "\"year\": 2030, \"year\": 2030,"), "字段 'year' 重复",
                "duplicate key 'year'");
  ExpectRefused(Replace(b, "\"year\": 2030", "\"year\": \"2030\""), "应为整数", "must be an integer");
  ExpectRefused(Replace(b, "\"year\": 2030", "\"year\": 2030.0"), "应为整数", "must be an integer");
  ExpectRefused(Replace(b, "\"year\": 2030", "\"year\": 2031"), "与文件名不符", "does not match the file name");
  ExpectRefused(Replace(b, "\"format\": \"xj-calendar/1\",", ""), "缺少字段 'format'", "missing key 'format'");
  ExpectRefused(Replace(b, "xj-calendar/1", "xj-calendar/2"), "应为 \"xj-calendar/1\"", "must be \"xj-calendar/1\"");
  ExpectRefused(Replace(b, "\"document_number\": \"测试〔2029〕1号\",", ""), "缺少字段 'document_number'",
                "missing key 'document_number'");
  ExpectRefused(Replace(b, "https://example.invalid/2030", "javascript:alert(1)"), "source.url",
                "must start with https://");
  ExpectRefused(Replace(b, "\"published\": \"2029-11-01\"", "\"published\": \"2031-01-01\""), "晚于该年",
                "is after the year");
  ExpectRefused(Replace(b, "\"name_en\": \"New Year's Day\"", "\"name_en\": \"New\\u0007Year\""), "控制字符",
                "control character");
  ExpectRefused(Replace(b, "\"name_en\": \"New Year's Day\"", "\"name_en\": \"\""), "不能为空", "must not be empty");
  ExpectRefused(Replace(b, "[\"2030-01-01\"]", "[]"), "不能为空", "must not be empty");
  ExpectRefused(Replace(b, "\"holidays\": [", "\"holidays\": [[[[[[[1]]]]]], "), "嵌套层次过深", "nested too deeply");
  ExpectRefused(std::string(100000, '[') + std::string(100000, ']'), "文件大小", "exceeds the limit");
  ExpectRefused(std::string(50000, '['), "嵌套层次过深", "nested too deeply");
  ExpectRefused(Replace(b, "测试通知", std::string(300, 'x')), "超过 200 字节", "longer than 200 bytes");
  // Bounded sizes: a file just over 64 KiB, a list or a count over its limit.
  ExpectRefused(Replace(b, "测试通知", std::string(xj::kCalendarMaxFileBytes, 'x')), "超过上限 65536",
                "exceeds the limit of 65536");
  {
    std::string many = "[";
    for (int i = 1; i <= 32; ++i)
      many += std::string(i > 1 ? ", " : "") + "\"2030-03-" + (i < 10 ? "0" : "") + std::to_string(i) + "\"";
    ExpectRefused(Replace(b, "[\"2030-01-01\"]", many + "]"), "超过 31 个日期", "more than 31 dates");
    std::string holidays;
    for (int i = 0; i < 21; ++i)
      holidays += std::string(i ? ", " : "") + R"({"name_zh": "x", "name_en": "x", "days_off": ["2030-05-)" +
                  (i + 1 < 10 ? "0" : "") + std::to_string(i + 1) + "\"], \"makeup_workdays\": []}";
    std::string big = b.substr(0, b.find("\"holidays\": [") + 13) + holidays + "]\n}";
    ExpectRefused(big, "超过 20 个节日", "more than 20 holidays");
  }
  // The file name must be YYYY.json.
  ExpectRefused(b, "文件名应为 YYYY.json", "the file name must be YYYY.json", "calendar.json");
  ExpectRefused(b, "文件名应为 YYYY.json", "the file name must be YYYY.json", "2030.json.bak");
  ExpectRefused(Replace(b, "2030,", "1999,"), "超出 2000–2199", "outside 2000-2199", "1999.json");
}

TEST_CASE("calendar: calendar.dir replaces and adds years", "[calendar]") {
  const std::string dir = xj::test::TempDir();
  // A fictional 2027 for the test only (1 January 2027 is a Friday), and a replaced 2025
  // without its National Day holiday.
  std::string y2027 =
      Replace(Replace(Replace(kTestYear, "2030", "2027"), "2030-01-01", "2027-01-01"), "\"2030-01-05\"", "");
  y2027 = Replace(Replace(Replace(y2027, "2030", "2027"), "2029", "2026"), "2029-11-01", "2026-11-01");
  xj::test::WriteFile(dir + "/2027.json", y2027);
  std::string y2025 = xj::test::ReadFile(std::string(XJ_SOURCE_DIR) + "/schemas/calendar/2025.json");
  const auto cut = y2025.find(",\n    {\n      \"name_zh\": \"国庆节、中秋节\"");
  REQUIRE(cut != std::string::npos);
  y2025 = y2025.substr(0, cut) + "\n  ]\n}\n";
  xj::test::WriteFile(dir + "/2025.json", y2025);
  xj::test::WriteFile(dir + "/README.md", "not a calendar");
  xj::test::WriteFile(dir + "/notes.json", "{ not read }");

  auto cal = WorkingCalendar::Load(dir);
  INFO(cal.status().message());
  REQUIRE(cal.ok());
  CHECK(cal->Years().front() == 2024);
  CHECK(cal->Years().back() == xj::FestivalDatesRange().value().second);
  CHECK(cal->Year(2027).value()->origin == dir + "/2027.json");
  CHECK_FALSE(cal->IsProvisional(2027));  // the file replaces the provisional year
  CHECK(cal->IsProvisional(2028));
  CHECK(cal->Year(2025).value()->origin == dir + "/2025.json");
  CHECK(cal->Year(2025).value()->holidays.size() == 5);
  CHECK(cal->IsWorkingDay(D("2025-10-01")).value());  // replaced: no National Day any more
  CHECK(cal->IsWorkingDay(D("2025-01-26")).value());
  // Sunday 2026-12-20 + 20: 21-25 Dec (5), 28-31 Dec (9), 1 Jan off, 4-8 Jan (14), 11-15 Jan (19), 18 Jan (20).
  CHECK(cal->AddWorkingDays(D("2026-12-20"), 20).value() == D("2027-01-18"));
  CHECK(cal->ProvisionalYearsBetween(D("2026-12-20"), D("2027-01-18")).empty());
  // 2028 is provisional: 1 January is a Saturday, given back on Monday 3 January.
  CHECK(cal->AddWorkingDays(D("2027-12-31"), 1).value() == D("2028-01-04"));
  CHECK(cal->ProvisionalYearsBetween(D("2027-12-31"), D("2028-01-04")) == std::vector<int>{2028});

  auto shared = WorkingCalendar::Shared(std::map<std::string, std::string>{{"calendar.dir", dir}});
  REQUIRE(shared.ok());
  CHECK(shared.value()->HasYear(2027));
  CHECK(WorkingCalendar::Shared(dir).value() == shared.value());
  CHECK(WorkingCalendar::Shared(std::map<std::string, std::string>{}).value() == &Builtin());

  // One refused file fails the whole load, naming the file.
  xj::test::WriteFile(dir + "/2028.json", Replace(Replace(y2027, "2027,", "2028,"), "2027-01-01", "2027-12-31"));
  auto bad = WorkingCalendar::Load(dir);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(bad.status().message(), Catch::StartsWith("工作日历文件 " + dir + "/2028.json") &&
                                         Catch::Contains("不在 2028 年内") && Catch::Contains("is not in 2028"));
  // An oversized file is refused before it is read.
  xj::test::WriteFile(dir + "/2028.json", std::string(xj::kCalendarMaxFileBytes + 1, ' '));
  CHECK_THAT(WorkingCalendar::Load(dir).status().message(), Catch::Contains("exceeds the limit"));
  // A folder that cannot be read.
  auto missing = WorkingCalendar::Load(dir + "/nope");
  CHECK(missing.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(missing.status().message(), Catch::StartsWith("无法读取工作日历目录") && Catch::Contains("calendar.dir"));
}

TEST_CASE("calendar: a gap between years is an error inside the gap", "[calendar]") {
  std::vector<xj::CalendarYear> years;
  for (int y : {2024, 2026}) {
    std::string text =
        xj::test::ReadFile(std::string(XJ_SOURCE_DIR) + "/schemas/calendar/" + std::to_string(y) + ".json");
    auto parsed = xj::ParseCalendarYear(std::to_string(y) + ".json", text);
    REQUIRE(parsed.ok());
    years.push_back(parsed.value());
  }
  auto cal = WorkingCalendar::FromYears(years);
  REQUIRE(cal.ok());
  CHECK_THAT(cal->AddWorkingDays(D("2024-12-31"), 1).status().message(), Catch::StartsWith("缺少 2025 年"));
  CHECK_THAT(cal->AddWorkingDays(D("2026-01-05"), -2).status().message(), Catch::StartsWith("缺少 2025 年"));
  CHECK_THAT(cal->WorkingDaysBetween(D("2024-06-01"), D("2026-06-01")).status().message(),
             Catch::StartsWith("缺少 2025 年"));
  CHECK_THAT(cal->WorkingDaysBetween(D("2026-06-01"), D("2024-06-01")).status().message(),
             Catch::StartsWith("缺少 2025 年"));
  CHECK(cal->AddWorkingDays(D("2026-01-05"), -1).value() == D("2026-01-04"));
  CHECK(cal->AddWorkingDays(D("2024-12-30"), 1).value() == D("2024-12-31"));
}

TEST_CASE("calendar: one shared calendar answers many threads", "[calendar]") {
  std::vector<std::thread> threads;
  std::vector<long long> sums(4, 0);
  const std::int32_t base = D("2024-01-01").days();  // no Catch2 assertion inside the threads
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, base, &sums] {
      auto cal = WorkingCalendar::Shared("");
      if (!cal.ok()) return;
      long long sum = 0;
      for (int i = 0; i < 100000; ++i) {
        auto r = cal.value()->AddWorkingDays(Date::FromDays(base + i % 900), 1 + i % 20);
        if (r.ok()) sum += r->days();
      }
      sums[static_cast<std::size_t>(t)] = sum;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(sums[0] != 0);
  CHECK(std::all_of(sums.begin(), sums.end(), [&](long long s) { return s == sums[0]; }));
}
