// xinjian/config.h: a plugin's settings read as the types it expects; bad values are named
// with the full key, the value and what was expected; unset keys give the fallback.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>

#include "xinjian/config.h"

using xj::TypedConfig;

namespace {
TypedConfig Make(const std::map<std::string, std::string>& values) {
  return TypedConfig("demo", [values](const std::string& k, const std::string& fallback) {
    auto it = values.find(k);
    return it == values.end() ? fallback : it->second;
  });
}
}  // namespace

TEST_CASE("typed configuration reads good values and falls back when unset", "[config]") {
  auto c = Make({{"n", "42"}, {"neg", "-7"}, {"flag", "on"}, {"mode", "fast"}, {"name", "中文 名称\twith tab"},
                 {"empty", ""}, {"max", "9223372036854775807"}});
  CHECK(c.Int("n", 1, 0, 100).value() == 42);
  CHECK(c.Int("neg", 1, -10, 10).value() == -7);
  CHECK(c.Int("unset", 5, 0, 10).value() == 5);
  CHECK(c.Int("max", 0, 0, INT64_MAX).value() == INT64_MAX);
  CHECK(c.Bool("flag", false).value());
  CHECK(!c.Bool("unset", false).value());
  CHECK(c.Choice("mode", "slow", {"slow", "fast"}).value() == "fast");
  CHECK(c.Text("name", "").value() == "中文 名称\twith tab");
  CHECK(c.Text("empty", "x").value().empty());  // set to empty is not unset
  CHECK(c.Text("unset", "dflt").value() == "dflt");
}

TEST_CASE("typed configuration names the key, the value and what was expected", "[config]") {
  auto c = Make({{"n", "4x2"}, {"big", "101"}, {"huge", "99999999999999999999999"}, {"minus", "-"}, {"flag", "maybe"},
                 {"mode", "warp"}, {"ctl", std::string("a\x01") + "b"}, {"long", std::string(5000, 'z')}});
  auto expect = [](const xj::Status& st, const std::string& key) {
    REQUIRE(!st.ok());
    CHECK(st.code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), Catch::Contains("plugins.demo." + key) && Catch::Contains(" / "));
    CHECK(st.message().size() < 400);
  };
  expect(c.Int("n", 0, 0, 1000).status(), "n");
  expect(c.Int("big", 0, 0, 100).status(), "big");
  expect(c.Int("huge", 0, INT64_MIN, INT64_MAX).status(), "huge");
  expect(c.Int("minus", 0, -5, 5).status(), "minus");
  expect(c.Bool("flag", true).status(), "flag");
  expect(c.Choice("mode", "slow", {"slow", "fast"}).status(), "mode");
  expect(c.Text("ctl", "").status(), "ctl");
  expect(c.Text("long", "", 4096).status(), "long");
  CHECK_THAT(c.Choice("mode", "slow", {"slow", "fast"}).status().message(), Catch::Contains("slow|fast"));
}
