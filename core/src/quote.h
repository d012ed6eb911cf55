// Quoting user text in the scheduler's messages. Internal to the scheduler.
#pragma once
#include <string>
#include <string_view>

namespace xj::sched_detail {

// `s` in double quotes for a message: printable ASCII kept, any other byte shown as '?'
// (messages stay printable whatever was typed), at most 80 bytes then "...".
inline std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < 80; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (s.size() > 80) out += "...";
  return out + "\"";
}

}  // namespace xj::sched_detail
