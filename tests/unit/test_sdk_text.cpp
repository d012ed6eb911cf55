// Unit tests of the SDK's header-only text checks (xinjian/text.h) and directory utilities
// (xinjian/directory.h: SplitStoredList, PercentToPpm): tables of cases, and the text checks
// against the host's own implementation (core/src/text.h, vectorised) on random input.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "text.h"
#include "xinjian/directory.h"
#include "xinjian/text.h"

namespace {

constexpr std::size_t kNpos = std::string_view::npos;

std::string Utf8(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

}  // namespace

TEST_CASE("sdk text: UTF-8 validity, offsets, code points and control characters", "[sdk][text]") {
  struct Case {
    std::string in;
    std::size_t invalid_at;  // kNpos: valid
  };
  const std::vector<Case> cases = {
      {"", kNpos},
      {"plain ascii", kNpos},
      {"宁波市市场监督管理局", kNpos},
      {"\xF0\x9F\x98\x80", kNpos},      // U+1F600
      {"\xF4\x8F\xBF\xBF", kNpos},      // U+10FFFF
      {std::string("a\0b", 3), kNpos},  // NUL is valid UTF-8 (HasControlChar refuses it)
      {"\xC0\x80", 0},                  // overlong NUL
      {"a\xC1\xBF", 1},                 // overlong
      {"\xE0\x9F\xBF", 0},              // overlong 3-byte
      {"\xF0\x8F\xBF\xBF", 0},          // overlong 4-byte
      {"中\xED\xA0\x80", 3},            // surrogate U+D800
      {"\xF4\x90\x80\x80", 0},          // U+110000
      {"\xF5\x80\x80\x80", 0},
      {"ab\x80", 2},              // lone continuation
      {"ab\xE4\xB8", 2},          // 中 cut at the end
      {"\xE4\xB8\x41", 0},        // continuation missing
      {"\xD6\xD0\xCE\xC4", 0},    // 中文 in GB18030
  };
  for (const Case& c : cases) {
    INFO("case of " << c.in.size() << " bytes, invalid at " << c.invalid_at);
    CHECK(xj::utf8::FindInvalid(c.in) == c.invalid_at);
    CHECK(xj::utf8::IsValid(c.in) == (c.invalid_at == kNpos));
    CHECK(xj::text::FindInvalidUtf8(c.in) == c.invalid_at);  // the host agrees
  }
  CHECK(xj::utf8::CodePointCount("") == 0);
  CHECK(xj::utf8::CodePointCount("宁波市海曙区") == 6);
  CHECK(xj::utf8::CodePointCount("a😀b") == 3);

  CHECK_FALSE(xj::utf8::HasControlChar("宁波 市"));
  CHECK(xj::utf8::HasControlChar(std::string("a\0b", 3)));
  CHECK(xj::utf8::HasControlChar("a\tb"));
  CHECK(xj::utf8::HasControlChar("a\x7F"));
  CHECK(xj::utf8::HasControlChar("a\xC2\x85"));        // U+0085 (C1)
  CHECK_FALSE(xj::utf8::HasControlChar("\xC2\xA0"));   // U+00A0 is no control
  CHECK_FALSE(xj::utf8::HasControlChar("line 1\r\nline 2\tx", /*allow_whitespace=*/true));
  CHECK(xj::utf8::HasControlChar("a\x0B", true));       // vertical tab
  CHECK(xj::utf8::HasControlChar("a\xC2\x80", true));
}

TEST_CASE("sdk text: the same answers as the host's vectorised checks on random input", "[sdk][text]") {
  std::mt19937_64 rng(20260613);
  auto below = [&](std::uint64_t n) { return static_cast<std::size_t>(rng() % n); };
  for (int iter = 0; iter < 5000; ++iter) {
    std::string s;
    const std::size_t n = 1 + below(200);
    while (s.size() < n) {
      switch (below(4)) {
        case 0: s += static_cast<char>(below(0x80)); break;
        case 1: s += Utf8(0x4E00 + static_cast<std::uint32_t>(below(0x5200))); break;  // CJK
        case 2: s += Utf8(static_cast<std::uint32_t>(below(0x110000))); break;        // surrogates too
        default: s += static_cast<char>(below(256)); break;                          // any byte
      }
    }
    INFO("iteration " << iter << ", " << s.size() << " bytes");
    REQUIRE(xj::utf8::FindInvalid(s) == xj::text::FindInvalidUtf8(s));
    REQUIRE(xj::utf8::CodePointCount(s) == xj::text::CodePointCount(s));
    REQUIRE(xj::utf8::HasControlChar(s) == xj::text::HasControlChar(s));
    REQUIRE(xj::utf8::HasControlChar(s, true) == xj::text::HasControlCharExceptWhitespace(s));
  }
}

TEST_CASE("sdk directory: stored lists and percentages", "[sdk][directory]") {
  using V = std::vector<std::string_view>;
  CHECK(xj::SplitStoredList("") == V{});
  CHECK(xj::SplitStoredList("食品经营") == V{"食品经营"});
  CHECK(xj::SplitStoredList("a;b;;c;") == V{"a", "b", "c"});
  CHECK(xj::SplitStoredList(";;") == V{});

  struct Case {
    std::string text;
    long long ppm;  // -1: refused
  };
  const std::vector<Case> cases = {
      {"0", 0},          {"3", 30000},     {"12.5", 125000},  {"0.0001", 1},   {"100", 1000000},
      {"100.0000", 1000000}, {"2.50", 25000}, {"100.0001", -1}, {"101", -1},     {"1000", -1},
      {"", -1},          {".5", -1},       {"5.", -1},        {"1.23456", -1}, {"-1", -1},
      {"3%", -1},        {"1e2", -1},      {"３", -1},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto r = xj::PercentToPpm(c.text);
    CHECK(r.ok() == (c.ppm >= 0));
    if (r.ok()) CHECK(r.value() == c.ppm);
    if (!r.ok()) CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
  }
}
