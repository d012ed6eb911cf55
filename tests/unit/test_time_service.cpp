// The SDK's time (xinjian/time.h) as the host implements it (time_service.h): CivilDate
// arithmetic and parsing, local dates and times from the tz database, the first instant of a
// day across a daylight-saving gap, and the working-day calendar seen through the SDK.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "calendar.h"
#include "time_service.h"
#include "xinjian/time.h"

using namespace xj;

namespace {
constexpr std::int64_t kUs = 1'000'000;
// UTC instant of a date and time (seconds), for building test instants.
std::int64_t Utc(int y, int m, int d, int hh, int mm, int ss) {
  return (static_cast<std::int64_t>(CivilDate::FromYmd(y, m, d).value().days()) * 86400 + hh * 3600 + mm * 60 + ss) * kUs;
}
}  // namespace

TEST_CASE("CivilDate agrees with the calendar's Date over four centuries", "[time]") {
  std::mt19937 rng(13);
  std::uniform_int_distribution<std::int32_t> days(-150000, 150000);
  for (int i = 0; i < 20000; ++i) {
    const std::int32_t n = days(rng);
    const CivilDate c = CivilDate::FromDays(n);
    const Date d = Date::FromDays(n);
    REQUIRE(c.ToString() == d.ToString());
    REQUIRE(c.iso_weekday() == d.weekday());
    auto back = CivilDate::Parse(c.ToString());
    REQUIRE(back.ok());
    REQUIRE(back.value() == c);
  }
  CHECK(CivilDate::FromYmd(2024, 2, 29).ok());
  CHECK(CivilDate::FromYmd(2000, 2, 29).ok());
  CHECK(!CivilDate::FromYmd(1900, 2, 29).ok());
  CHECK(!CivilDate::FromYmd(2026, 2, 29).ok());
  CHECK(CivilDate::Parse("2026-06-15").value().iso_weekday() == 1);
  CHECK((CivilDate::Parse("2027-01-01").value() - CivilDate::Parse("2026-01-01").value()) == 365);
}

TEST_CASE("CivilDate::Parse refuses malformed and hostile text with a bilingual message", "[time]") {
  for (const std::string& bad : std::vector<std::string>{"", "2026-6-15", "2026/06/15", "20260615", "2026-06-15T00:00", "２０２６-06-15", "2026-13-01",
                                "2026-00-10", "2026-04-31", "0000-01-01", std::string("2026-06-1\0", 10), "2026-06-15 ",
                                std::string(100000, '9')}) {
    auto r = CivilDate::Parse(bad);
    INFO(bad.substr(0, 40));
    REQUIRE(!r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::Contains(" / "));
    CHECK(r.status().message().size() < 300);
  }
}

TEST_CASE("local dates and times come from the time zone, not from added hours", "[time]") {
  const TimeService& t = HostTime();
  // 2026-06-14T15:59:59Z is 23:59:59 in Shanghai; one second later it is the 15th.
  CHECK(t.LocalDate(Utc(2026, 6, 14, 15, 59, 59)).value().ToString() == "2026-06-14");
  CHECK(t.LocalDate(Utc(2026, 6, 14, 16, 0, 0)).value().ToString() == "2026-06-15");
  // Microseconds before an instant round down, also before 1970.
  CHECK(t.LocalDate(Utc(1969, 12, 31, 15, 59, 59) + 999999).value().ToString() == "1969-12-31");
  CHECK(t.LocalDate(-1, "UTC").value().ToString() == "1969-12-31");
  CHECK(t.FormatLocal(Utc(2026, 6, 15, 2, 0, 0) + 999999).value() == "2026-06-15 10:00:00 +08:00");
  CHECK(t.FormatLocal(Utc(2026, 6, 15, 2, 0, 0), "UTC").value() == "2026-06-15 02:00:00 +00:00");
  // New York (daylight saving; before 2038, see ENGINEERING.md).
  CHECK(t.FormatLocal(Utc(2026, 1, 15, 12, 0, 0), "America/New_York").value() == "2026-01-15 07:00:00 -05:00");
  CHECK(t.FormatLocal(Utc(2026, 7, 15, 12, 0, 0), "America/New_York").value() == "2026-07-15 08:00:00 -04:00");
  CHECK(t.LocalDate(Utc(2026, 7, 16, 3, 0, 0), "America/New_York").value().ToString() == "2026-07-15");
  // Day starts: Shanghai midnight is 16:00Z the day before; in São Paulo 2018-11-04 the clocks
  // jumped from 00:00 to 01:00, so that day began at 01:00 local (03:00Z).
  CHECK(t.StartOfDay(CivilDate::Parse("2026-01-01").value()).value() == Utc(2025, 12, 31, 16, 0, 0));
  CHECK(t.StartOfDay(CivilDate::Parse("2018-11-04").value(), "America/Sao_Paulo").value() == Utc(2018, 11, 4, 3, 0, 0));
  CHECK(t.StartOfDay(CivilDate::Parse("2018-11-05").value(), "America/Sao_Paulo").value() == Utc(2018, 11, 5, 2, 0, 0));
  // Unknown and hostile zone names are errors naming them.
  for (const std::string& zone : std::vector<std::string>{"Mars/Olympus", "../../etc/passwd", "", std::string(200, 'A')}) {
    INFO(zone.substr(0, 20));
    auto r = t.LocalDate(0, zone);
    REQUIRE(!r.ok());
    CHECK(r.status().code() != StatusCode::kOk);
    CHECK(!t.FormatLocal(0, zone).ok());
    CHECK(!t.StartOfDay(CivilDate(), zone).ok());
  }
}

TEST_CASE("the working-day calendar through the SDK is the calendar the CLI shows", "[time][calendar]") {
  auto view = HostWorkingDays({});
  REQUIRE(view.ok());
  auto cal = WorkingCalendar::Shared(std::string());
  REQUIRE(cal.ok());
  const WorkingDays& w = *view.value();
  // National Day 2026: 10-01..10-07 off; 2026-10-10 (a Saturday) is a make-up working day.
  CHECK(!w.IsWorkingDay(CivilDate::Parse("2026-10-01").value()).value());
  CHECK(w.IsWorkingDay(CivilDate::Parse("2026-10-09").value()).value());
  CHECK(w.AddWorkingDays(CivilDate::Parse("2026-09-30").value(), 1).value().ToString() == "2026-10-08");
  for (int d = 0; d < 800; d += 7) {
    const CivilDate from = CivilDate::Parse("2026-01-01").value() + d;
    for (int n : {-3, 0, 1, 20}) {
      auto a = w.AddWorkingDays(from, n);
      auto b = cal.value()->AddWorkingDays(ToDate(from), n);
      REQUIRE(a.ok());
      REQUIRE(b.ok());
      CHECK(a.value().ToString() == b.value().ToString());
      CHECK(w.WorkingDaysBetween(from, a.value()).value() == cal.value()->WorkingDaysBetween(ToDate(from), b.value()).value());
    }
  }
  CHECK(w.IsProvisional(2040));
  CHECK(!w.IsProvisional(2026));
  auto far = w.AddWorkingDays(CivilDate::Parse("9990-01-01").value(), 1);
  CHECK(far.status().code() == StatusCode::kFailedPrecondition);
  // The same calendar view is handed out every time.
  CHECK(HostWorkingDays({}).value() == view.value());
}
