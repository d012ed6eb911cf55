// Unit tests of core/src/clock.h: the XINJIAN_NOW forms accepted and refused. (The process
// clock itself is exercised through the binary: tests/e2e/visits.sh and scheduled_draw.sh run
// every command on XINJIAN_NOW.)
#include <catch2/catch.hpp>
#include <string>

#include "clock.h"

using xj::ParseNowOverride;

namespace {
constexpr long long kSecond = 1'000'000;
// 2026-06-15T00:00:00Z as UTC epoch seconds.
constexpr long long kJune15 = 1781481600;
}  // namespace

TEST_CASE("clock: XINJIAN_NOW forms", "[clock]") {
  // A date alone is 10:00 Beijing time, i.e. 02:00 UTC.
  CHECK(ParseNowOverride("2026-06-15").value() == (kJune15 + 2 * 3600) * kSecond);
  CHECK(ParseNowOverride("2026-06-15T08:30:00").value() == (kJune15 + 30 * 60) * kSecond);  // 08:30 +08:00
  CHECK(ParseNowOverride("2026-06-15 08:30:00").value() == (kJune15 + 30 * 60) * kSecond);
  CHECK(ParseNowOverride("2026-06-15T08:30:00Z").value() == (kJune15 + 8 * 3600 + 30 * 60) * kSecond);
  CHECK(ParseNowOverride("2026-06-15T00:30:00").value() == (kJune15 - 8 * 3600 + 30 * 60) * kSecond);  // the day before in UTC
}

TEST_CASE("clock: bad XINJIAN_NOW values are refused with the accepted forms", "[clock]") {
  for (const char* bad : {"", "2026", "2026-6-15", "2026-02-30", "2026-06-15T25:00:00", "2026-06-15T10:60:00",
                          "2026-06-15T10:00", "2026-06-15T10:00:00+08:00", "2026-06-15T10:00:00ZZ", "1999-12-31",
                          "2200-01-01", "tomorrow", "2026-06-15\n", "2026-06-15T10:00:00\x01"}) {
    INFO("'" << bad << "'");
    auto r = ParseNowOverride(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::StartsWith("XINJIAN_NOW/--now 的值") && Catch::Contains("YYYY-MM-DD") &&
                                         Catch::Contains(" / XINJIAN_NOW/--now value"));
  }
  // The value is shown printable and bounded.
  auto r = ParseNowOverride(std::string(500, 'x') + "\x07");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find('\x07') == std::string::npos);
  CHECK(r.status().message().size() < 600);
}
