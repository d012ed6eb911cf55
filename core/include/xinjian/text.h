// Checks of outside text for plugins: well-formed UTF-8, its length in code points, and
// control characters. Header-only, pure functions, thread-safe.
//
// A plugin that takes text from a person or a file (a task title, a reason, a value typed on
// the command line) checks it with these before storing or echoing it:
//
//   if (!xj::utf8::IsValid(title)) return Refuse("不是有效的 UTF-8", "is not valid UTF-8");
//   if (xj::utf8::HasControlChar(title)) return Refuse("含有控制字符", "contains a control character");
//   if (xj::utf8::CodePointCount(title) > 500) return Refuse("超过 500 个字符", "is longer than 500 characters");
//
// These are the plain, scalar forms; the host's importer uses a vectorised validator with
// the same answers (tests/unit/test_sdk_text.cpp compares the two).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace xj::utf8 {

// Offset of the first byte that makes `s` ill-formed UTF-8 (an overlong form, a surrogate,
// a code point above U+10FFFF, a stray continuation byte, a sequence cut at the end), or
// std::string_view::npos when `s` is well-formed.
inline std::size_t FindInvalid(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The length of the sequence and the range of its second byte, which excludes overlong
    // forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points above
    // U+10FFFF (F4 90..BF, F5..FF).
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;  // a continuation byte where a character starts, C0, C1 or F5..FF
    }
    if (n - i < len) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string_view::npos;
}

// True when `s` is well-formed UTF-8.
inline bool IsValid(std::string_view s) { return FindInvalid(s) == std::string_view::npos; }

// The number of code points of well-formed UTF-8 `s` (for another `s`: of its lead bytes).
inline std::size_t CodePointCount(std::string_view s) {
  std::size_t count = 0;
  for (char ch : s) count += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return count;
}

// True when `s` holds a C0 control character (U+0000..U+001F), DEL (U+007F) or a C1 control
// (U+0080..U+009F, encoded C2 80..C2 9F): what single-line fields and identifiers refuse.
// With `allow_whitespace`, tab, carriage return and line feed are allowed (free text of
// several lines: a note, a reason).
inline bool HasControlChar(std::string_view s, bool allow_whitespace = false) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    if (c < 0x20) {
      if (allow_whitespace && (c == '\t' || c == '\n' || c == '\r')) continue;
      return true;
    }
    if (c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F) return true;
  }
  return false;
}

}  // namespace xj::utf8
