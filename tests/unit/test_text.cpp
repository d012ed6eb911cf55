// Unit tests of core/src/text.h: UTF-8 validation, control characters, GB18030 conversion.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "text.h"

namespace {

using xj::text::FindInvalidUtf8;
constexpr std::size_t kNpos = std::string_view::npos;

// An independent, deliberately naive reference: decode code point by code point.
std::size_t ReferenceInvalidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (b & 0x3F);
    }
    std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return kNpos;
}

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

struct TestRng {
  std::uint64_t s;
  std::uint64_t Next() {
    s += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint32_t Below(std::uint32_t n) { return static_cast<std::uint32_t>(Next() % n); }
};

// A random valid code point, mostly ASCII and CJK like our data, sometimes anything.
std::uint32_t RandomCodePoint(TestRng& r) {
  switch (r.Below(6)) {
    case 0:
    case 1:
      return 0x20 + r.Below(0x5F);
    case 2:
    case 3:
      return 0x4E00 + r.Below(0x51A5);
    case 4:
      return 0x80 + r.Below(0x780);
    default: {
      std::uint32_t cp;
      do cp = 0x800 + r.Below(0x10FFFF - 0x800);
      while (cp >= 0xD800 && cp <= 0xDFFF);
      return cp;
    }
  }
}

}  // namespace

TEST_CASE("text: UTF-8 validity table", "[text]") {
  struct Case {
    std::string in;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"", true},
      {"plain ascii", true},
      {"中文", true},
      {"é", true},
      {"\xF0\x9F\x98\x80", true},      // U+1F600
      {"\xF4\x8F\xBF\xBF", true},      // U+10FFFF
      {"\xEF\xBF\xBF", true},          // U+FFFF
      {std::string("a\0b", 3), true},  // NUL is valid UTF-8
      {"\xC0\x80", false},             // overlong NUL
      {"\xC1\xBF", false},             // overlong
      {"\xE0\x80\x80", false},         // overlong 3-byte
      {"\xE0\x9F\xBF", false},         // overlong 3-byte
      {"\xF0\x80\x80\x80", false},     // overlong 4-byte
      {"\xF0\x8F\xBF\xBF", false},     // overlong 4-byte
      {"\xED\xA0\x80", false},         // surrogate U+D800
      {"\xED\xBF\xBF", false},         // surrogate U+DFFF
      {"\xF4\x90\x80\x80", false},     // U+110000
      {"\xF5\x80\x80\x80", false},
      {"\x80", false},  // lone continuation
      {"a\xBF", false},
      {"\xE4\xB8", false},      // truncated 中
      {"\xE4\xB8\x41", false},  // continuation missing
      {"\xFE", false},
      {"\xFF", false},
      {"\xD6\xD0\xCE\xC4", false},  // 中文 in GB18030
  };
  for (const Case& c : cases) {
    INFO("input bytes: " << c.in.size());
    CHECK(xj::text::IsValidUtf8(c.in) == c.valid);
    CHECK((ReferenceInvalidUtf8(c.in) == kNpos) == c.valid);
  }
}

TEST_CASE("text: FindInvalidUtf8 reports the offset and a truncated tail", "[text]") {
  bool truncated = true;
  CHECK(FindInvalidUtf8("abc", &truncated) == kNpos);
  CHECK_FALSE(truncated);
  CHECK(FindInvalidUtf8("ab\xE4\xB8", &truncated) == 2);
  CHECK(truncated);
  CHECK(FindInvalidUtf8("ab\xE4", &truncated) == 2);
  CHECK(truncated);
  CHECK(FindInvalidUtf8("ab\xF0\x9F\x98", &truncated) == 2);
  CHECK(truncated);
  CHECK(FindInvalidUtf8("ab\xE4\x41", &truncated) == 2);
  CHECK_FALSE(truncated);
  CHECK(FindInvalidUtf8("ab\xE0\x80", &truncated) == 2);  // cut, but already overlong
  CHECK_FALSE(truncated);
  CHECK(FindInvalidUtf8("中文\x80xyz", &truncated) == 6);
  CHECK_FALSE(truncated);
  // Long inputs take the vectorised path: errors at every position of a 100-byte text.
  std::string base;
  while (base.size() < 100) base += "统一社会信用代码,91110000600037341L,";
  for (std::size_t pos = 0; pos < base.size(); ++pos) {
    std::string s = base;
    s[pos] = '\xFF';
    INFO("pos " << pos);
    CHECK(FindInvalidUtf8(s) == ReferenceInvalidUtf8(s));
    CHECK(FindInvalidUtf8(s) <= pos);
  }
  std::string cut = base + "\xE4\xB8";
  CHECK(FindInvalidUtf8(cut, &truncated) == base.size());
  CHECK(truncated);
}

TEST_CASE("text: FindInvalidUtf8 agrees with a naive decoder on random input", "[text]") {
  TestRng r{42};
  for (int iter = 0; iter < 4000; ++iter) {
    std::string s;
    std::size_t n = 1 + r.Below(300);
    while (s.size() < n) s += Utf8(RandomCodePoint(r));
    int corruptions = static_cast<int>(r.Below(3));
    for (int k = 0; k < corruptions; ++k) {
      std::size_t at = r.Below(static_cast<std::uint32_t>(s.size()));
      switch (r.Below(4)) {
        case 0:
          s[at] = static_cast<char>(0x80 + r.Below(0x80));
          break;  // any high byte
        case 1:
          s[at] = static_cast<char>(r.Below(256));
          break;
        case 2:
          s.erase(at, 1);
          break;  // drop a byte
        default:
          s.insert(at, 1, static_cast<char>(0xC0 + r.Below(0x40)));
          break;  // a stray lead
      }
      if (s.empty()) s.push_back('x');  // (not s = "x": GCC 12 -Wrestrict false positive)
    }
    INFO("iteration " << iter << " size " << s.size());
    REQUIRE(FindInvalidUtf8(s) == ReferenceInvalidUtf8(s));
  }
}

TEST_CASE("text: code points, control characters, trimming", "[text]") {
  CHECK(xj::text::CodePointCount("") == 0);
  CHECK(xj::text::CodePointCount("abc") == 3);
  CHECK(xj::text::CodePointCount("宁波市海曙区") == 6);
  CHECK(xj::text::CodePointCount("a😀b") == 3);

  CHECK_FALSE(xj::text::HasControlChar("宁波 市"));
  CHECK(xj::text::HasControlChar(std::string("a\0b", 3)));
  CHECK(xj::text::HasControlChar("a\tb"));
  CHECK(xj::text::HasControlChar("a\nb"));
  CHECK(xj::text::HasControlChar("a\x1F"));
  CHECK(xj::text::HasControlChar("a\x7F"));
  CHECK(xj::text::HasControlChar("a\xC2\x85"));       // U+0085 NEL (C1)
  CHECK(xj::text::HasControlChar("\xC2\x9F"));        // U+009F
  CHECK_FALSE(xj::text::HasControlChar("\xC2\xA0"));  // U+00A0 no-break space is not a control
  CHECK_FALSE(xj::text::HasControlChar("é"));

  CHECK_FALSE(xj::text::HasControlCharExceptWhitespace("line 1\r\nline 2\tx"));
  CHECK(xj::text::HasControlCharExceptWhitespace("a\x0B"));  // vertical tab
  CHECK(xj::text::HasControlCharExceptWhitespace(std::string("a\0", 2)));
  CHECK(xj::text::HasControlCharExceptWhitespace("a\xC2\x80"));

  CHECK(xj::text::Trim("  a b \t") == "a b");
  CHECK(xj::text::Trim("\t\t") == "");
  CHECK(xj::text::Trim("") == "");
  CHECK(xj::text::Trim("\u3000中\u3000") == "\u3000中\u3000");  // only ASCII space and tab
  CHECK(xj::text::Trim(" \n ") == "\n");
}

TEST_CASE("text: GB18030 to UTF-8", "[text]") {
  auto r = xj::text::Gb18030ToUtf8("\xD6\xD0\xCE\xC4,abc");
  REQUIRE(r.ok());
  CHECK(r.value() == "中文,abc");

  // Four-byte sequences: U+0080 and U+1F600.
  auto four = xj::text::Gb18030ToUtf8("\x81\x30\x81\x30");
  REQUIRE(four.ok());
  CHECK(four.value() == "\xC2\x80");
  auto emoji = xj::text::Gb18030ToUtf8("\x94\x39\xFC\x36");
  REQUIRE(emoji.ok());
  CHECK(emoji.value() == "\xF0\x9F\x98\x80");

  auto bad = xj::text::Gb18030ToUtf8("ab\x81\x20");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == xj::StatusCode::kInvalidArgument);
  CHECK_THAT(bad.status().message(),
             Catch::Contains("offset 2") && Catch::Contains("第 2 字节") && Catch::Contains(" / "));

  auto single_ff = xj::text::Gb18030ToUtf8("a\xFF");
  REQUIRE_FALSE(single_ff.ok());
  CHECK_THAT(single_ff.status().message(), Catch::Contains("offset 1"));

  // A truncated tail: an error, unless the caller streams.
  auto cut = xj::text::Gb18030ToUtf8("\xD6\xD0\xCE");
  REQUIRE_FALSE(cut.ok());
  CHECK_THAT(cut.status().message(), Catch::Contains("truncated") && Catch::Contains("offset 2"));
  std::size_t tail = 99;
  auto streamed = xj::text::Gb18030ToUtf8("\xD6\xD0\xCE", true, &tail);
  REQUIRE(streamed.ok());
  CHECK(streamed.value() == "中");
  CHECK(tail == 1);
  auto streamed4 = xj::text::Gb18030ToUtf8("a\x94\x39\xFC", true, &tail);
  REQUIRE(streamed4.ok());
  CHECK(streamed4.value() == "a");
  CHECK(tail == 3);
  auto whole = xj::text::Gb18030ToUtf8("ab", true, &tail);
  REQUIRE(whole.ok());
  CHECK(tail == 0);
}

TEST_CASE("text: UTF-8 to GB18030 round trip", "[text]") {
  const std::string s = "统一社会信用代码 91110000600037341L € ㄅ 𠀀 😀 é ü ÿ";
  auto gb = xj::text::Utf8ToGb18030(s);
  REQUIRE(gb.ok());
  CHECK(gb.value() != s);
  CHECK(gb.value().substr(0, 4) == "\xCD\xB3\xD2\xBB");  // 统一
  auto back = xj::text::Gb18030ToUtf8(gb.value());
  REQUIRE(back.ok());
  CHECK(back.value() == s);

  auto bad = xj::text::Utf8ToGb18030("ok\xC0\x80");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("UTF-8") && Catch::Contains("offset 2"));
}

TEST_CASE("text: streaming GB18030 conversion equals the one-shot conversion", "[text]") {
  TestRng r{7};
  for (int iter = 0; iter < 200; ++iter) {
    std::string utf8;
    std::size_t n = 1 + r.Below(200);
    while (utf8.size() < n) utf8 += Utf8(RandomCodePoint(r));
    auto gb = xj::text::Utf8ToGb18030(utf8);
    REQUIRE(gb.ok());
    const std::string& g = gb.value();
    std::string whole;
    CHECK(xj::text::AppendGb18030AsUtf8(g, true, &whole) == 0);
    REQUIRE(whole == utf8);
    // Every split point: the first part leaves an incomplete tail that the second completes.
    for (std::size_t cut = 0; cut <= g.size(); cut += 1 + r.Below(7)) {
      std::string out;
      std::size_t t = xj::text::AppendGb18030AsUtf8(std::string_view(g).substr(0, cut), false, &out);
      REQUIRE(t <= 3);
      std::string rest = g.substr(cut - t);
      CHECK(xj::text::AppendGb18030AsUtf8(rest, true, &out) == 0);
      INFO("iteration " << iter << " cut " << cut);
      REQUIRE(out == utf8);
    }
  }
}

TEST_CASE("text: lenient GB18030 conversion marks invalid bytes and agrees with iconv", "[text]") {
  std::string out;
  xj::text::AppendGb18030AsUtf8(
      "a\x81\x20"
      "b\xFF"
      "c\x80\xD6\xD0",
      true, &out);
  CHECK(out ==
        "a\xFF b\xFF"
        "c\xFF中");
  out.clear();
  CHECK(xj::text::AppendGb18030AsUtf8("x\xD6", true, &out) == 0);  // final: the tail is invalid
  CHECK(out == "x\xFF");
  out.clear();
  CHECK(xj::text::AppendGb18030AsUtf8("x\xD6", false, &out) == 1);
  CHECK(out == "x");

  // Random bytes: wherever the strict conversion succeeds, both agree; where it fails, the
  // lenient output is not valid UTF-8 (so a CSV record with it is reported).
  TestRng r{99};
  int strict_ok = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string in;
    std::size_t n = 1 + r.Below(12);
    for (std::size_t k = 0; k < n; ++k) {
      std::uint32_t kind = r.Below(4);
      if (kind == 0)
        in += static_cast<char>(0x20 + r.Below(0x5F));
      else if (kind == 1)
        in += static_cast<char>(0x30 + r.Below(10));
      else
        in += static_cast<char>(0x80 + r.Below(0x80));
    }
    auto strict = xj::text::Gb18030ToUtf8(in);
    std::string lenient;
    xj::text::AppendGb18030AsUtf8(in, true, &lenient);
    INFO("iteration " << iter);
    if (strict.ok()) {
      ++strict_ok;
      CHECK(lenient == strict.value());
    } else {
      CHECK_FALSE(xj::text::IsValidUtf8(lenient));
    }
  }
  CHECK(strict_ok > 100);  // the comparison was exercised
}
