// The unified social credit code (统一社会信用代码, GB 32100-2015) for plugins: the one check every
// plugin that takes a USCC from outside uses. Header-only, pure, thread-safe.
//
// 18 characters of 0-9 and the capitals but I, O, Z, S, V; the 18th the check character of the
// first 17 (weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, modulo 31).
#pragma once

#include <string>
#include <string_view>

#include "xinjian/status.h"

namespace xj::uscc {

inline constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// OK for a well-formed code; kInvalidArgument saying which rule it breaks otherwise (the length,
// the position of a bad character, or the check character expected).
inline Status Check(std::string_view code) {
  auto bad = [](const std::string& zh, const std::string& en) { return Status::Error(StatusCode::kInvalidArgument, zh, en); };
  if (code.size() != 18)
    return bad("统一社会信用代码须为 18 位（收到 " + std::to_string(code.size()) + " 个字节）",
               "a unified social credit code has 18 characters (got " + std::to_string(code.size()) + " bytes)");
  static constexpr int kWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  int sum = 0;
  for (std::size_t i = 0; i < 18; ++i) {
    const auto at = kAlphabet.find(code[i]);
    if (code[i] == '\0' || at == std::string_view::npos)
      return bad("统一社会信用代码第 " + std::to_string(i + 1) + " 位不是允许的字符（0-9 及除 I、O、Z、S、V 外的大写字母）",
                 "character " + std::to_string(i + 1) +
                     " of the unified social credit code is not allowed (0-9 and capitals but I, O, Z, S, V)");
    if (i < 17) sum += static_cast<int>(at) * kWeights[i];
  }
  const char check = kAlphabet[static_cast<std::size_t>((31 - sum % 31) % 31)];
  if (code[17] != check)
    return bad(std::string("统一社会信用代码校验位错误（应为 ") + check + "）",
               std::string("the check character of the unified social credit code is wrong (expected ") + check + ")");
  return Status::Ok();
}

}  // namespace xj::uscc
