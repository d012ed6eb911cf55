#include "identifiers.h"

#include "clock.h"

#include <array>
#include <cstdio>
#include <ctime>

#include "text.h"

namespace xj::ids {
namespace {

// Index of each character in the USCC alphabet, -1 for characters outside it.
constexpr std::array<signed char, 256> MakeUsccIndex() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (std::size_t i = 0; i < kUsccAlphabet.size(); ++i)
    t[static_cast<unsigned char>(kUsccAlphabet[i])] = static_cast<signed char>(i);
  return t;
}
constexpr std::array<signed char, 256> kUsccIndex = MakeUsccIndex();
constexpr int kUsccWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
constexpr int kRicWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr char kRicCheck[] = "10X98765432";

Status Invalid(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

// A character for a message: printable ASCII as is, anything else as hex.
std::string Show(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7F) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", u);
  return buf;
}

// Length for messages: code points when the input is UTF-8, bytes otherwise.
std::size_t DisplayLength(std::string_view s) { return text::IsValidUtf8(s) ? text::CodePointCount(s) : s.size(); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0);
}

// Today's date in China (UTC+8) as yyyymmdd.
int TodayYmd() {
  const std::string t = TodayShanghai();  // YYYY-MM-DD on the process clock
  return std::stoi(t.substr(0, 4)) * 10000 + std::stoi(t.substr(5, 2)) * 100 + std::stoi(t.substr(8, 2));
}

}  // namespace

char UsccCheckChar(std::string_view first17) {
  int sum = 0;
  for (std::size_t i = 0; i < 17 && i < first17.size(); ++i) {
    int v = kUsccIndex[static_cast<unsigned char>(first17[i])];
    if (v < 0) return '?';
    sum += v * kUsccWeights[i];
  }
  return kUsccAlphabet[(31 - sum % 31) % 31];
}

Status ValidateUscc(std::string_view uscc) {
  if (uscc.size() != 18) {
    std::string n = std::to_string(DisplayLength(uscc));
    return Invalid("统一社会信用代码长度应为 18 位，实际为 " + n + " 位",
                   "a unified social credit code must have 18 characters, got " + n);
  }
  for (std::size_t i = 0; i < 18; ++i) {
    char c = uscc[i];
    std::string pos = std::to_string(i + 1);
    if (kUsccIndex[static_cast<unsigned char>(c)] < 0) {
      bool lower = c >= 'a' && c <= 'z';
      return Invalid("统一社会信用代码第 " + pos + " 位字符 " + Show(c) +
                         " 无效（只允许数字和除 I、O、Z、S、V 以外的大写字母" + (lower ? "，小写字母须转为大写" : "") +
                         "）",
                     "unified social credit code: position " + pos + " character " + Show(c) +
                         " is not allowed (digits and upper-case letters except I, O, Z, S, V" +
                         (lower ? "; lower-case letters must be upper-cased" : "") + ")");
    }
    if (i >= 2 && i < 8 && !IsDigit(c)) {
      return Invalid("统一社会信用代码第 " + pos + " 位字符 " + Show(c) + " 无效（第 3–8 位是行政区划码，应为数字）",
                     "unified social credit code: position " + pos + " character " + Show(c) +
                         " is not allowed (positions 3-8 are the region code and must be digits)");
    }
  }
  char expected = UsccCheckChar(uscc.substr(0, 17));
  if (uscc[17] != expected) {
    return Invalid(
        std::string("统一社会信用代码校验位错误：应为 '") + expected + "'，实际为 '" + uscc[17] + "'",
        std::string("unified social credit code: check character expected '") + expected + "' got '" + uscc[17] + "'");
  }
  return Status::Ok();
}

char ResidentIdCheckChar(std::string_view first17) {
  int sum = 0;
  for (std::size_t i = 0; i < 17 && i < first17.size(); ++i) {
    if (!IsDigit(first17[i])) return '?';
    sum += (first17[i] - '0') * kRicWeights[i];
  }
  return kRicCheck[sum % 11];
}

Status ValidateResidentId(std::string_view id) {
  if (id.size() != 18) {
    std::string n = std::to_string(DisplayLength(id));
    return Invalid("身份证号码长度应为 18 位，实际为 " + n + " 位",
                   "a resident identity number must have 18 characters, got " + n);
  }
  for (std::size_t i = 0; i < 17; ++i) {
    if (!IsDigit(id[i])) {
      std::string pos = std::to_string(i + 1);
      return Invalid("身份证号码第 " + pos + " 位应为数字，实际为 " + Show(id[i]),
                     "resident identity number: position " + pos + " must be a digit, got " + Show(id[i]));
    }
  }
  if (!IsDigit(id[17]) && id[17] != 'X') {
    return Invalid("身份证号码第 18 位应为数字或大写 X，实际为 " + Show(id[17]),
                   "resident identity number: position 18 must be a digit or upper-case X, got " + Show(id[17]));
  }
  int y = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
  int m = (id[10] - '0') * 10 + (id[11] - '0');
  int d = (id[12] - '0') * 10 + (id[13] - '0');
  std::string date(id.substr(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) {
    return Invalid("身份证号码中的出生日期 " + date + " 不存在",
                   "resident identity number: birth date " + date + " does not exist");
  }
  if (y * 10000 + m * 100 + d > TodayYmd()) {
    return Invalid("身份证号码中的出生日期 " + date + " 晚于今天",
                   "resident identity number: birth date " + date + " is in the future");
  }
  char expected = ResidentIdCheckChar(id.substr(0, 17));
  if (id[17] != expected) {
    return Invalid(
        std::string("身份证号码校验位错误：应为 '") + expected + "'，实际为 '" + id[17] + "'",
        std::string("resident identity number: check character expected '") + expected + "' got '" + id[17] + "'");
  }
  return Status::Ok();
}

std::string MaskResidentId(std::string_view id) {
  if (id.size() == 18) return std::string(id.substr(0, 6)) + "********" + std::string(id.substr(14));
  // Other lengths: mask by character (code point) when the text is UTF-8, so that a
  // multi-byte character is never cut in half.
  if (!text::IsValidUtf8(id)) {
    std::string r(id);
    for (std::size_t i = 0; i + 2 < r.size(); ++i) r[i] = '*';
    return r;
  }
  std::size_t n = text::CodePointCount(id);
  if (n <= 2) return std::string(id);
  // Byte offset of the second to last code point.
  std::size_t keep_from = id.size();
  for (std::size_t seen = 0; seen < 2 && keep_from > 0;) {
    --keep_from;
    if ((static_cast<unsigned char>(id[keep_from]) & 0xC0) != 0x80) ++seen;
  }
  return std::string(n - 2, '*') + std::string(id.substr(keep_from));
}

Status ValidateIndustry(std::string_view code) {
  // GB/T 4754-2017 sections and the range of their two-digit divisions.
  struct Section {
    char letter;
    int first, last;
  };
  static constexpr Section kSections[] = {{'A', 1, 5},   {'B', 6, 12},  {'C', 13, 43}, {'D', 44, 46}, {'E', 47, 50},
                                          {'F', 51, 52}, {'G', 53, 60}, {'H', 61, 62}, {'I', 63, 65}, {'J', 66, 69},
                                          {'K', 70, 70}, {'L', 71, 72}, {'M', 73, 75}, {'N', 76, 79}, {'O', 80, 82},
                                          {'P', 83, 83}, {'Q', 84, 85}, {'R', 86, 90}, {'S', 91, 96}, {'T', 97, 97}};
  auto bad_shape = [&] {
    return Invalid(
        "国民经济行业代码 '" + std::string(code) + "' 格式无效（应为门类字母 A–T，或字母加 2–4 位数字，如 C1311）",
        "industry code '" + std::string(code) +
            "' is malformed (a section letter A-T, or a letter and 2-4 digits, e.g. C1311)");
  };
  if (code.empty() || code.size() == 2 || code.size() > 5) return bad_shape();
  const Section* section = nullptr;
  for (const Section& s : kSections)
    if (s.letter == code[0]) section = &s;
  if (section == nullptr) return bad_shape();
  for (std::size_t i = 1; i < code.size(); ++i)
    if (!IsDigit(code[i])) return bad_shape();
  if (code.size() == 1) return Status::Ok();
  int division = (code[1] - '0') * 10 + (code[2] - '0');
  if (division < section->first || division > section->last) {
    char range[32];
    std::snprintf(range, sizeof range, "%02d-%02d", section->first, section->last);
    return Invalid("国民经济行业代码 '" + std::string(code) + "' 的大类 " + std::string(code.substr(1, 2)) +
                       " 不属于门类 " + code[0] + "（应为 " + range + "）",
                   "industry code '" + std::string(code) + "': division " + std::string(code.substr(1, 2)) +
                       " is not in section " + code[0] + " (expected " + range + ")");
  }
  return Status::Ok();
}

}  // namespace xj::ids
