// Percent-encoding for the links and query strings a plugin's pages and API build (RFC 3986):
// every byte but the unreserved characters A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex), so
// the result is safe as a query parameter's name or value, and as one path segment.
//
//   "/subjects?q=" + xj::UrlEncode("浙江 & Co")   // "/subjects?q=%E6%B5%99%E6%B1%9F%20%26%20Co"
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace xj {

inline std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace xj
