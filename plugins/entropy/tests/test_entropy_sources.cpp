// The built-in entropy sources (plugins/entropy/src/entropy_sources.h): what manual accepts and
// refuses, that none draws with nothing and refuses a value, the notices, and the built plugin
// loaded through the real PluginHost.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "entropy_sources.h"
#include "plugin_host.h"

namespace {

using Catch::Matchers::Contains;
namespace e = xj::entropy;

xj::EntropyRequest Request() {
  xj::EntropyRequest r;
  r.task_id = "SCJG-2026-0001";
  r.description = "中国福利彩票 3D 第 2026321 期开奖号码";
  return r;
}

}  // namespace

TEST_CASE("manual waits for a value, then returns it byte for byte", "[entropy]") {
  const e::ManualSource manual;
  CHECK(manual.NeedsValue());
  CHECK_THAT(manual.Description(), Contains(" / "));

  auto waiting = manual.Value(Request(), "");
  REQUIRE_FALSE(waiting.ok());
  CHECK(waiting.status().code() == xj::StatusCode::kFailedPrecondition);
  CHECK_THAT(waiting.status().message(),
             Contains("has not been supplied yet") && Contains("xinjian task entropy SCJG-2026-0001"));

  // Nothing is trimmed, reordered or re-encoded: the value as published.
  for (const std::string& v : std::vector<std::string>{
           "7.8.11.17.19.25.46./", "9319./2.5.8.10.12./9.18.26.34.41.45./", "03 11 19 23 28 31 + 12",
           "第 2026321 期：3 8 1", std::string(e::kMaxValueBytes, '7'), "x", "0", "a\u00e9\U0001F3B2"}) {
    INFO(v);
    auto r = manual.Value(Request(), v);
    INFO(r.status().message());
    REQUIRE(r.ok());
    CHECK(r.value() == v);
  }
}

TEST_CASE("manual refuses what cannot be a faithfully published value", "[entropy][hostile]") {
  const e::ManualSource manual;
  struct Case {
    std::string name, value, expect;
  };
  const std::vector<Case> cases{
      {"too long", std::string(e::kMaxValueBytes + 1, '1'), "longer than 4096 bytes"},
      {"a newline", "1.2.3./\n4./", "control character U+000A"},
      {"a tab", "1\t2", "control character U+0009"},
      {"a NUL byte",
       std::string("12\0"
                   "3",
                   4),
       "control character U+0000"},
      {"an escape sequence", "\x1b[31m1.2./", "control character U+001B"},
      {"DEL", "1.2\x7f", "control character U+007F"},
      {"a C1 control", "1.2\u0085", "control character U+0085"},
      {"the line separator", "1\u20282", "control character U+2028"},
      {"a zero-width space", "1.2\u200b.3", "invisible formatting character U+200B"},
      {"a right-to-left override", "\u202e1.2.3", "invisible formatting character U+202E"},
      {"a byte order mark", "\ufeff1.2.3", "invisible formatting character U+FEFF"},
      {"invalid UTF-8", "1.2.\xff", "not valid UTF-8 (at byte 4)"},
      {"a truncated sequence", "1.2.\xe4\xb8", "not valid UTF-8"},
      {"an overlong encoding", "\xc0\xaf", "not valid UTF-8"},
      {"a surrogate", "\xed\xa0\x80", "not valid UTF-8"},
      {"a leading space", " 1.2.3./", "starts or ends with a space"},
      {"a trailing space", "1.2.3./ ", "starts or ends with a space"},
      {"an ideographic space", "1.2.3./\u3000", "starts or ends with a space"},
      {"only a space", " ", "starts or ends with a space"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto r = manual.Value(Request(), c.value);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Contains(c.expect) && Contains(" / the entropy value "));
  }
}

TEST_CASE("none draws with an empty entropy and refuses any value", "[entropy]") {
  const e::NoneSource none;
  CHECK_FALSE(none.NeedsValue());
  CHECK_THAT(none.Description(), Contains(" / "));
  auto r = none.Value(Request(), "");
  REQUIRE(r.ok());
  CHECK(r.value().empty());
  auto refused = none.Value(Request(), "7.8.11./");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == xj::StatusCode::kInvalidArgument);
  CHECK_THAT(refused.status().message(), Contains("is none (no outside public value); it takes no value"));
}

TEST_CASE("the notices say where the value comes from, and none says plainly that there is none", "[entropy]") {
  const auto manual = e::ManualSource().Notice(Request());
  CHECK_THAT(manual.zh, Contains("中国福利彩票 3D 第 2026321 期开奖号码"));
  CHECK_THAT(manual.en, Contains("\"中国福利彩票 3D 第 2026321 期开奖号码\"") && Contains("exactly as published"));
  const auto none = e::NoneSource().Notice(Request());
  CHECK_THAT(none.zh, Contains("不使用外部公开随机数") && Contains("秘密值"));
  CHECK_THAT(none.en, Contains("no outside public entropy") && Contains("depends only on the secret") &&
                          Contains("revealed after the inspection results"));
  // The same request gives the same sentence (a notice is published once and must not drift).
  CHECK(e::NoneSource().Notice(Request()).en == none.en);
}

TEST_CASE("the entropy plugin loads through the PluginHost and registers manual and none", "[entropy][plugin]") {
  xj::HostOptions o;
  o.search_dirs = {std::string(XJ_BINARY_DIR) + "/plugins"};
  o.required = {"entropy"};
  xj::PluginHost host(o);
  const auto st = host.LoadAll();
  INFO(st.message());
  REQUIRE(st.ok());
  const xj::PluginRecord* record = nullptr;
  for (const auto& rec : host.records())
    if (rec.manifest.name == "entropy") record = &rec;
  REQUIRE(record != nullptr);
  CHECK(record->state == "loaded");
  CHECK(record->manifest.capabilities == std::vector<std::string>{"entropy_source"});
  CHECK(record->registered.at("entropy_source") == std::vector<std::string>{"manual", "none"});
  CHECK(record->registered.size() == 1);

  const xj::EntropySource* manual = host.FindEntropySource("manual");
  const xj::EntropySource* none = host.FindEntropySource("none");
  REQUIRE(manual != nullptr);
  REQUIRE(none != nullptr);
  CHECK(host.FindEntropySource("beacon") == nullptr);
  CHECK(host.entropy_sources().size() >= 2);
  CHECK(manual->NeedsValue());
  CHECK_FALSE(none->NeedsValue());
  auto v = manual->Value(Request(), "7.8.11./");
  REQUIRE(v.ok());
  CHECK(v.value() == "7.8.11./");
  CHECK(none->Value(Request(), "").value().empty());
}
