// The built-in entropy sources (plugins/entropy/src/entropy_sources.h): what manual accepts and
// refuses, how manual and lottery read typed values into their formats (full-width forms, the
// RFC 3797 shape; a table and a random differential of the reading's stability), that none
// draws with nothing and refuses a value, the notices, and the built plugin loaded through
// the real PluginHost (tests/support/plugin_probe.h).
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "entropy_sources.h"
#include "plugin_probe.h"

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

  // Nothing is trimmed, reordered or re-encoded: the value as published (in the text format,
  // i.e. without full-width forms: see the reading below).
  for (const std::string& v : std::vector<std::string>{
           "7.8.11.17.19.25.46./", "9319./2.5.8.10.12./9.18.26.34.41.45./", "03 11 19 23 28 31 + 12",
           "第 2026321 期。3、8、1", std::string(e::kMaxValueBytes, '7'), "x", "0", "a\u00e9\U0001F3B2"}) {
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

TEST_CASE("manual reads full-width forms as ASCII, lists the conversion, and refuses a stored value not in its format",
          "[entropy]") {
  const e::ManualSource manual;
  CHECK(manual.Format().name == "text");
  CHECK_THAT(manual.Format().en, Contains("full-width"));
  struct Case {
    std::string typed, value, conversion;
  };
  const std::vector<Case> cases{
      {"７．８．１１", "7.8.11", "full-width characters read as ASCII: ７→7, ．→., ８→8, １→1"},
      {"第２０２６０６８期：０３　１１", "第2026068期:03 11", "ideographic spaces (U+3000) read as ASCII spaces"},
      {"ＡＢｃ／＋～", "ABc/+~", "Ａ→A, Ｂ→B, ｃ→c, ／→/, ＋→+, ～→~"},
      {"7.8.11./", "7.8.11./", ""},
      {"第 2026321 期：3 8 1", "第 2026321 期:3 8 1", "：→:"},   // U+FF1A, the full-width colon
      {"第 2026321 期。3、8、1", "第 2026321 期。3、8、1", ""},  // '。' and '、' are not full-width forms
  };
  for (const auto& c : cases) {
    INFO(c.typed);
    auto r = manual.Read(Request(), c.typed);
    INFO(r.status().message());
    REQUIRE(r.ok());
    CHECK(r.value().value == c.value);
    if (c.conversion.empty()) {
      CHECK(r.value().conversions.empty());
    } else {
      std::string all;
      for (const auto& x : r.value().conversions) all += x + "\n";
      CHECK_THAT(all, Contains(c.conversion));
    }
    // Stable: the value reads as itself, and Value accepts it unchanged.
    auto again = manual.Read(Request(), r.value().value);
    REQUIRE(again.ok());
    CHECK(again.value().value == r.value().value);
    CHECK(again.value().conversions.empty());
    CHECK(manual.Value(Request(), r.value().value).value() == r.value().value);
  }
  // A full-width value stored before the format existed is not drawn with: it must be entered
  // again (replaced).
  auto stored = manual.Value(Request(), "７．８．１１");
  REQUIRE_FALSE(stored.ok());
  CHECK(stored.status().code() == xj::StatusCode::kInvalidArgument);
  CHECK_THAT(stored.status().message(),
             Contains("is not written in the format text (it reads as '7.8.11')") && Contains("--replace --reason"));
  // Hostile input is refused by the reading as by Value.
  for (const std::string& bad : {std::string(""), std::string("７\n８"), std::string("\u202e７"),
                                 std::string("７．\xff"), std::string("７．８\u3000")}) {
    INFO(bad);
    auto r = manual.Read(Request(), bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("lottery reads numbers in the RFC 3797 form and converts or refuses everything else with the reason",
          "[entropy][hostile]") {
  const e::LotterySource lottery;
  CHECK(lottery.NeedsValue());
  CHECK(lottery.Format().name == "rfc3797");
  CHECK(lottery.Format().example == "7.8.11.17.19.25.46./");
  CHECK_THAT(lottery.Notice(Request()).zh, Contains("RFC 3797") && Contains("中国福利彩票 3D 第 2026321 期开奖号码"));
  struct Ok {
    std::string typed, value;
    std::vector<std::string> conversions;
  };
  const std::vector<Ok> accepted{
      {"7.8.11.17.19.25.46./", "7.8.11.17.19.25.46./", {}},
      {"9319./2.5.8.10.12./9.18.26.34.41.45./", "9319./2.5.8.10.12./9.18.26.34.41.45./", {}},
      {"0./", "0./", {}},
      {"７．８．１１．／", "7.8.11./", {"full-width characters read as ASCII: ７→7, ．→., ８→8, １→1, ／→/"}},
      {"7。8。11。/", "7.8.11./", {"the ideographic full stop '。' read as '.'"}},
      {"07.08.011./00./", "7.8.11./0./", {"leading zeros dropped: 07→7, 08→8, 011→11, 00→0"}},
      {"０７。１１．／",
       "7.11./",
       {"full-width characters read as ASCII: ０→0, ７→7, １→1, ．→., ／→/", "'。' read as '.'",
        "leading zeros dropped: 07→7"}},
  };
  for (const auto& c : accepted) {
    INFO(c.typed);
    auto r = lottery.Read(Request(), c.typed);
    INFO(r.status().message());
    REQUIRE(r.ok());
    CHECK(r.value().value == c.value);
    REQUIRE(r.value().conversions.size() == c.conversions.size());
    for (std::size_t i = 0; i < c.conversions.size(); ++i)
      CHECK_THAT(r.value().conversions[i], Contains(c.conversions[i]));
    CHECK(lottery.Value(Request(), r.value().value).value() == c.value);
  }
  struct Bad {
    std::string name, typed, expect;
  };
  const std::vector<Bad> refused{
      {"spaces", "03 11 19", "character 3 ' ' (U+0020) is not a digit, '.' or '/': numbers are separated by '.'"},
      {"commas", "3,11./", "character 2 ',' (U+002C)"},
      {"a plus sign", "3.11./+12./", "character 7 '+' (U+002B)"},
      {"a full-width comma", "3，11./", "character 2 '，' (U+FF0C)"},
      {"Chinese text", "第2026期", "character 1 '第' (U+7B2C)"},
      {"a no-break space", "3.\u00a011./", "(U+00A0)"},
      {"a letter", "3.b./", "character 3 'b'"},
      {"no separators at all", "381", "did you mean 381./?"},
      {"the last number without its '.'", "7.8.11", "did you mean 7.8.11./?"},
      {"no final slash", "7.8.11.", "did you mean 7.8.11./?"},
      {"a slash right after a number", "7.8.11/2./", "did you mean 7.8.11./2./?"},
      {"a double dot", "7..8./", "did you mean 7.8./?"},
      {"a leading dot", ".7./", "did you mean 7./?"},
      {"a leading slash", "/7./", "did you mean 7./?"},
      {"only a slash", "/", "holds no number"},
      {"empty", "", "must not be empty"},
      {"a trailing space", "7.8./ ", "starts or ends with a space"},
      {"a control character", "7.8./\t", "control character U+0009"},
      {"a bidirectional override", "\u202e7.8./", "invisible formatting character U+202E"},
      {"invalid UTF-8", "7.\xc3./", "not valid UTF-8"},
      {"too long", std::string(e::kMaxValueBytes + 1, '7'), "longer than 4096 bytes"},
  };
  for (const auto& c : refused) {
    INFO(c.name);
    auto r = lottery.Read(Request(), c.typed);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Contains(c.expect));
  }
  // Value: waits without a value; refuses a stored value that is not in the form.
  CHECK(lottery.Value(Request(), "").status().code() == xj::StatusCode::kFailedPrecondition);
  CHECK(lottery.Value(Request(), "07.8./").status().code() == xj::StatusCode::kInvalidArgument);
  CHECK(lottery.Value(Request(), "7 8").status().code() == xj::StatusCode::kInvalidArgument);
}

TEST_CASE("readings are stable and total on random input: a value reads as itself, nothing throws",
          "[entropy][hostile]") {
  // Inputs drawn from the characters that matter (digits, separators, their full-width forms,
  // '。', spaces, a few letters and controls) and from raw bytes.
  const std::vector<std::string> atoms{"0",  "1",      "7",    "9",        ".",  "/",  "０", "７", "．",
                                       "／", "。",     " ",    "\u3000",   ",",  "、", "a",  "Ａ", "\t",
                                       "\n", "\u202e", "\xff", "\xe4\xb8", "第", "+",  "-"};
  std::mt19937_64 rng(20261202);
  const e::ManualSource manual;
  const e::LotterySource lottery;
  int accepted_manual = 0, accepted_lottery = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string typed;
    if (n % 4 == 1) {
      // Numbers in groups, the way people type them: full-width or not, with leading zeros,
      // '.' or '。' or '．' after each, '/' or '／' after each group.
      const int groups = 1 + static_cast<int>(rng() % 3);
      for (int g = 0; g < groups; ++g) {
        const int numbers = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < numbers; ++k) {
          const int digits = 1 + static_cast<int>(rng() % 3);
          for (int d = 0; d < digits; ++d) typed += atoms[rng() % 2 == 0 ? rng() % 4 : 6 + rng() % 2];
          typed += atoms[rng() % 3 == 0 ? 8 : rng() % 2 == 0 ? 4 : 10];
        }
        typed += atoms[rng() % 2 == 0 ? 5 : 9];
      }
    } else {
      const int len = static_cast<int>(rng() % 12);
      const std::size_t alphabet = n % 4 == 0 ? 11 : atoms.size();  // lottery characters only, or all
      for (int i = 0; i < len; ++i) {
        if (rng() % 10 == 0) {
          typed += static_cast<char>(rng() % 256);
        } else {
          typed += atoms[rng() % alphabet];
        }
      }
    }
    INFO(typed);
    for (const xj::EntropySource* source :
         {static_cast<const xj::EntropySource*>(&manual), static_cast<const xj::EntropySource*>(&lottery)}) {
      auto r = source->Read(Request(), typed);
      if (!r.ok()) {
        CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
        continue;
      }
      (source == &manual ? accepted_manual : accepted_lottery)++;
      CHECK_FALSE(r.value().value.empty());
      CHECK(xj::entropy::CheckPublishedValue(r.value().value).ok());
      CHECK(r.value().conversions.empty() == (r.value().value == typed));
      auto again = source->Read(Request(), r.value().value);
      REQUIRE(again.ok());
      CHECK(again.value().value == r.value().value);
      CHECK(again.value().conversions.empty());
      auto v = source->Value(Request(), r.value().value);
      REQUIRE(v.ok());
      CHECK(v.value() == r.value().value);
    }
  }
  // The generator reaches both outcomes for both formats.
  CHECK(accepted_manual > 5000);
  CHECK(accepted_lottery > 4000);
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

TEST_CASE("the entropy plugin loads through the PluginHost and registers manual, lottery and none",
          "[entropy][plugin]") {
  const xj::test::PluginProbe probe({.required = {"entropy"}});
  const auto& st = probe.status();
  INFO(st.message());
  REQUIRE(st.ok());
  const xj::test::ProbedPlugin* record = probe.Plugin("entropy");
  REQUIRE(record != nullptr);
  CHECK(record->state == "loaded");
  CHECK(record->capabilities == std::vector<std::string>{"entropy_source"});
  CHECK(record->registered.at("entropy_source") == std::vector<std::string>{"lottery", "manual", "none"});
  CHECK(record->registered.size() == 1);

  const xj::EntropySource* manual = probe.FindEntropySource("manual");
  const xj::EntropySource* none = probe.FindEntropySource("none");
  REQUIRE(manual != nullptr);
  REQUIRE(none != nullptr);
  CHECK(probe.FindEntropySource("beacon") == nullptr);
  CHECK(probe.EntropySourceCount() >= 2);
  CHECK(manual->NeedsValue());
  CHECK_FALSE(none->NeedsValue());
  auto v = manual->Value(Request(), "7.8.11./");
  REQUIRE(v.ok());
  CHECK(v.value() == "7.8.11./");
  CHECK(none->Value(Request(), "").value().empty());
  // The formats come through the host (the plugin is built against host API 4).
  const xj::EntropySource* lottery = probe.FindEntropySource("lottery");
  REQUIRE(lottery != nullptr);
  CHECK(lottery->Format().name == "rfc3797");
  CHECK(manual->Format().name == "text");
  auto read = lottery->Read(Request(), "７．８．１１．／");
  REQUIRE(read.ok());
  CHECK(read.value().value == "7.8.11./");
  CHECK_FALSE(none->Read(Request(), "1./").ok());
}
