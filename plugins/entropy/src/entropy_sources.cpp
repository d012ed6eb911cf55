// The built-in entropy sources. See entropy_sources.h.
#include "entropy_sources.h"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

namespace xj::entropy {
namespace {

Status Invalid(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, "公开随机源的值" + zh, "the entropy value " + en);
}

std::string CodePoint(std::uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

// Decodes the UTF-8 sequence at s[i]; returns the code point and advances i, or nullopt for
// an invalid sequence (truncated, overlong, a surrogate, above U+10FFFF).
std::optional<std::uint32_t> Next(std::string_view s, std::size_t& i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  std::size_t len = 0;
  std::uint32_t cp = 0, min = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + len > s.size()) return std::nullopt;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += len;
  return cp;
}

bool IsControl(std::uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

// Characters that are invisible or reorder the text around them: what a reader sees would
// not be the bytes the seed hashes.
bool IsInvisibleFormat(std::uint32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x00AD;
}

bool IsSpace(std::uint32_t cp) { return cp == 0x20 || cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A); }

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string Utf8(std::uint32_t cp) {
  std::string s;
  AppendUtf8(s, cp);
  return s;
}

// The full-width forms U+FF01–U+FF5E stand for ASCII U+0021–U+007E (Unicode's compatibility
// mapping, what NFKC does); 0 for any other code point.
std::uint32_t FullWidthToAscii(std::uint32_t cp) { return cp >= 0xFF01 && cp <= 0xFF5E ? cp - 0xFF01 + 0x21 : 0; }

// Distinct "from→to" pairs in the order first seen, for one conversion line.
class Pairs {
 public:
  void Add(const std::string& from, const std::string& to) {
    const std::string p = from + "→" + to;
    for (const auto& q : pairs_)
      if (q == p) return;
    pairs_.push_back(p);
  }
  bool empty() const { return pairs_.empty(); }
  std::string Join(const char* sep) const {
    std::string s;
    for (std::size_t i = 0; i < pairs_.size(); ++i) s += (i ? sep : "") + pairs_[i];
    return s;
  }

 private:
  std::vector<std::string> pairs_;
};

Status NotEmpty(std::string_view typed) {
  if (typed.empty()) return Invalid("不能为空", "must not be empty");
  return Status::Ok();
}

const char* kRfcFormZh =
    "RFC 3797 格式：每个号码写成不带前导零的十进制数、后面跟 “.”，每个来源（每期开奖）的号码之后写 “/”，"
    "如 7.8.11.17.19.25.46./";
const char* kRfcFormEn =
    "the RFC 3797 form: every number in decimal without leading zeros followed by '.', and '/' after "
    "the numbers of each source (each draw), e.g. 7.8.11.17.19.25.46./";

Status NotRfc(const std::string& zh, const std::string& en) {
  return Invalid(zh + "。" + kRfcFormZh, en + ". Expected " + kRfcFormEn);
}

}  // namespace

Status CheckPublishedValue(std::string_view value) {
  if (value.size() > kMaxValueBytes)
    return Invalid(
        "超过 " + std::to_string(kMaxValueBytes) + " 字节（实际 " + std::to_string(value.size()) + " 字节）",
        "is longer than " + std::to_string(kMaxValueBytes) + " bytes (" + std::to_string(value.size()) + " bytes)");
  std::optional<std::uint32_t> first, last;
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t at = i;
    const auto cp = Next(value, i);
    if (!cp)
      return Invalid("不是有效的 UTF-8（第 " + std::to_string(at) + " 字节）",
                     "is not valid UTF-8 (at byte " + std::to_string(at) + ")");
    if (IsControl(*cp))
      return Invalid(
          "含有控制字符 " + CodePoint(*cp) + "（第 " + std::to_string(at) + " 字节；制表符、换行等）",
          "contains the control character " + CodePoint(*cp) + " (at byte " + std::to_string(at) + "; tab, newline…)");
    if (IsInvisibleFormat(*cp))
      return Invalid("含有不可见的格式字符 " + CodePoint(*cp) + "（第 " + std::to_string(at) +
                         " 字节）：显示的文字将与参与计算的字节不同",
                     "contains the invisible formatting character " + CodePoint(*cp) + " (at byte " +
                         std::to_string(at) + "): the text shown would differ from the bytes the draw hashes");
    if (!first) first = cp;
    last = cp;
  }
  if (first && (IsSpace(*first) || IsSpace(*last)))
    return Invalid("首尾有空格：请按公布的原样录入，不要带首尾空格",
                   "starts or ends with a space: enter it exactly as published, without surrounding spaces");
  return Status::Ok();
}

EntropyFormat TextFormat() {
  return EntropyFormat{
      "text", "按公布的原文录入；全角字母、数字和符号（输入法全角状态下输入的）读作对应的半角字符，其余字符原样保留",
      "the text exactly as published; full-width letters, digits and symbols (typed in an input method's full-width "
      "mode) are read as their ASCII forms, everything else is kept byte for byte",
      "7.8.11.17.19.25.46./"};
}

EntropyFormat Rfc3797Format() {
  return EntropyFormat{
      "rfc3797",
      std::string("只含半角数字、“.” 和 “/”，") + kRfcFormZh + "；全角数字和符号、中文句号 “。” 和前导零会被转换并列出",
      std::string("ASCII digits, '.' and '/' only, in ") + kRfcFormEn +
          "; full-width digits and separators, the ideographic full stop '。' and leading zeros are "
          "converted and listed",
      "7.8.11.17.19.25.46./"};
}

Result<EntropyReading> ReadText(std::string_view typed) {
  if (Status st = NotEmpty(typed); !st.ok()) return st;
  if (Status st = CheckPublishedValue(typed); !st.ok()) return st;
  EntropyReading r;
  Pairs width;
  bool ideographic_space = false;
  for (std::size_t i = 0; i < typed.size();) {
    const std::size_t at = i;
    const std::uint32_t cp = *Next(typed, i);  // valid: CheckPublishedValue passed
    if (const std::uint32_t a = FullWidthToAscii(cp)) {
      r.value += static_cast<char>(a);
      width.Add(Utf8(cp), std::string(1, static_cast<char>(a)));
    } else if (cp == 0x3000) {  // inside the text: CheckPublishedValue refuses it at either end
      r.value += ' ';
      ideographic_space = true;
    } else {
      r.value.append(typed.substr(at, i - at));
    }
  }
  if (!width.empty())
    r.conversions.push_back("全角字符读作半角：" + width.Join("、") +
                            " / full-width characters read as ASCII: " + width.Join(", "));
  if (ideographic_space)
    r.conversions.push_back("全角空格读作半角空格 / ideographic spaces (U+3000) read as ASCII spaces");
  return r;
}

Result<EntropyReading> ReadRfc3797(std::string_view typed) {
  if (Status st = NotEmpty(typed); !st.ok()) return st;
  if (Status st = CheckPublishedValue(typed); !st.ok()) return st;
  // 1. Characters: ASCII digits, '.' and '/', or their full-width forms and '。'.
  std::string ascii;
  Pairs width;
  bool ideographic_stop = false;
  std::size_t n = 0;
  for (std::size_t i = 0; i < typed.size();) {
    const std::uint32_t cp = *Next(typed, i);
    ++n;
    std::uint32_t a = cp < 0x80 ? cp : FullWidthToAscii(cp);
    if (cp == 0x3002) a = '.';
    const bool allowed = (a >= '0' && a <= '9') || a == '.' || a == '/';
    if (!allowed) {
      const std::string ch = Utf8(cp), pos = std::to_string(n);
      const bool separator = a == ' ' || a == ',' || a == ';' || a == '+' || a == '-' || a == '|' || cp == 0x3001 ||
                             cp == 0x00A0 || cp == 0x3000;
      const std::string zh = "第 " + pos + " 个字符 “" + ch + "”（" + CodePoint(cp) + "）不是数字、“.” 或 “/”" +
                             (separator ? "：号码之间用 “.” 分隔，不用空格、逗号或其他符号" : "");
      const std::string en = "character " + pos + " '" + ch + "' (" + CodePoint(cp) + ") is not a digit, '.' or '/'" +
                             (separator ? ": numbers are separated by '.', not by spaces, commas or other signs" : "");
      return NotRfc(zh, en);
    }
    if (cp == 0x3002) {
      ideographic_stop = true;
    } else if (cp >= 0x80) {
      width.Add(Utf8(cp), std::string(1, static_cast<char>(a)));
    }
    ascii += static_cast<char>(a);
  }
  // 2. Shape: one or more groups, each one or more "number." followed by '/'. A suggestion in
  // the RFC form is built from the same digits and group ends when the shape is wrong.
  std::vector<std::vector<std::string>> groups(1);
  std::string number;
  bool shape_ok = true;
  char prev = 0;
  for (const char c : ascii) {
    if (c >= '0' && c <= '9') {
      number += c;
    } else if (c == '.') {
      if (number.empty())
        shape_ok = false;  // "..", a leading '.', "/."
      else
        groups.back().push_back(number);
      number.clear();
    } else {  // '/'
      if (!number.empty()) {
        shape_ok = false;  // "11/": the number lacks its '.'
        groups.back().push_back(number);
        number.clear();
      }
      if (groups.back().empty())
        shape_ok = false;  // "//" or a leading '/'
      else
        groups.emplace_back();
    }
    prev = c;
  }
  if (!number.empty()) {
    shape_ok = false;  // "7.8.11": the last number lacks its '.' and the group its '/'
    groups.back().push_back(number);
  } else if (prev != '/') {
    shape_ok = false;  // "7.8.11.": the group lacks its '/'
  }
  if (groups.back().empty()) groups.pop_back();
  // 3. Leading zeros.
  Pairs zeros;
  std::string canonical;
  for (auto& g : groups) {
    for (auto& num : g) {
      const std::size_t nz = num.find_first_not_of('0');
      const std::string stripped = nz == std::string::npos ? "0" : num.substr(nz);
      if (stripped != num) zeros.Add(num, stripped);
      canonical += stripped + ".";
    }
    canonical += "/";
  }
  if (!shape_ok) {
    const std::string seen = ascii == typed ? "" : "（转换后为 " + ascii + "）";
    const std::string seen_en = ascii == typed ? "" : " (converted: " + ascii + ")";
    if (groups.empty())
      return NotRfc("“" + std::string(typed) + "”" + seen + " 中没有号码",
                    "'" + std::string(typed) + "'" + seen_en + " holds no number");
    return NotRfc(
        "“" + std::string(typed) + "”" + seen + " 不符合格式：是否应为 " + canonical + "？",
        "'" + std::string(typed) + "'" + seen_en + " does not have the form: did you mean " + canonical + "?");
  }
  EntropyReading r;
  r.value = canonical;
  if (!width.empty())
    r.conversions.push_back("全角字符读作半角：" + width.Join("、") +
                            " / full-width characters read as ASCII: " + width.Join(", "));
  if (ideographic_stop) r.conversions.push_back("中文句号 “。” 读作 “.” / the ideographic full stop '。' read as '.'");
  if (!zeros.empty())
    r.conversions.push_back("去掉前导零：" + zeros.Join("、") + " / leading zeros dropped: " + zeros.Join(", "));
  return r;
}

namespace {

// What Value answers for a supplied value: the value itself when `read` keeps it unchanged.
Result<std::string> Stored(const EntropyRequest& request, const std::string& supplied, const EntropyFormat& format,
                           Result<EntropyReading> read) {
  if (supplied.empty())
    return Status::Error(StatusCode::kFailedPrecondition,
                         "任务 " + request.task_id + " 尚未录入公开随机源的值（公布后运行 xinjian task entropy " +
                             request.task_id + " 值）",
                         "the entropy value of task " + request.task_id +
                             " has not been supplied yet (once it is public: xinjian task entropy " + request.task_id +
                             " VALUE)");
  if (!read.ok()) return read.status();
  if (read.value().value != supplied)
    return Invalid("“" + supplied + "” 不是格式 " + format.name + " 的写法（应为 “" + read.value().value +
                       "”）：请重新录入（xinjian task entropy " + request.task_id + " 值 --replace --reason 原因）",
                   "'" + supplied + "' is not written in the format " + format.name + " (it reads as '" +
                       read.value().value + "'): enter it again (xinjian task entropy " + request.task_id +
                       " VALUE --replace --reason WHY)");
  return supplied;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string ManualSource::Description() const {
  return "工作人员在公开值公布后原样录入（xinjian task entropy） / an operator enters the public value exactly as "
         "published (xinjian task entropy)";
}

Result<std::string> ManualSource::Value(const EntropyRequest& request, const std::string& supplied) const {
  return Stored(request, supplied, TextFormat(),
                supplied.empty() ? Result<EntropyReading>(EntropyReading{}) : ReadText(supplied));
}

Result<EntropyReading> ManualSource::Read(const EntropyRequest&, const std::string& typed) const {
  return ReadText(typed);
}

EntropyNotice ManualSource::Notice(const EntropyRequest& request) const {
  const std::string zh_source = request.description.empty() ? "（未说明）" : "“" + request.description + "”";
  const std::string en_source = request.description.empty() ? "(not described)" : "\"" + request.description + "\"";
  return EntropyNotice{
      "抽取使用公开随机源 " + zh_source +
          " 的值：该值在本公告之后才产生，公布后由工作人员原样录入，与公告前已承诺的秘密值共同决定抽取结果。",
      "The draw uses the value of the public source " + en_source +
          ": it becomes known only after this announcement, is entered exactly as published, and decides the draw "
          "together with the secret committed to before it."};
}

// ---------------------------------------------------------------------------------------------

std::string LotterySource::Description() const {
  return "工作人员在开奖后按 RFC 3797 格式录入彩票开奖号码（如 7.8.11.17.19.25.46./） / an operator enters the lottery "
         "numbers once drawn, in the RFC 3797 form (e.g. 7.8.11.17.19.25.46./)";
}

Result<std::string> LotterySource::Value(const EntropyRequest& request, const std::string& supplied) const {
  return Stored(request, supplied, Rfc3797Format(),
                supplied.empty() ? Result<EntropyReading>(EntropyReading{}) : ReadRfc3797(supplied));
}

Result<EntropyReading> LotterySource::Read(const EntropyRequest&, const std::string& typed) const {
  return ReadRfc3797(typed);
}

EntropyNotice LotterySource::Notice(const EntropyRequest& request) const {
  const std::string zh_source = request.description.empty() ? "（未说明）" : "“" + request.description + "”";
  const std::string en_source = request.description.empty() ? "(not described)" : "\"" + request.description + "\"";
  return EntropyNotice{
      "抽取使用彩票开奖号码 " + zh_source +
          "：号码在本公告之后才开出，开奖后由工作人员按 RFC 3797 的格式录入（每个号码后写 “.”，每期号码之后写 “/”，"
          "如 7.8.11.17.19.25.46./），与公告前已承诺的秘密值共同决定抽取结果。",
      "The draw uses the lottery numbers " + en_source +
          ": they are drawn only after this announcement, are entered once published in the RFC 3797 form ('.' after "
          "every number, '/' after each draw's numbers, e.g. 7.8.11.17.19.25.46./), and decide the draw together with "
          "the secret committed to before them."};
}

// ---------------------------------------------------------------------------------------------

std::string NoneSource::Description() const {
  return "不使用外部公开随机数，到期即抽取 / no outside public value: the draw runs as soon as it is due";
}

Result<std::string> NoneSource::Value(const EntropyRequest& request, const std::string& supplied) const {
  if (!supplied.empty())
    return Status::Error(
        StatusCode::kInvalidArgument,
        "任务 " + request.task_id + " 的公开随机源为 none（不使用外部公开随机数），不接受录入的值",
        "the entropy source of task " + request.task_id + " is none (no outside public value); it takes no value");
  return std::string();
}

EntropyFormat NoneSource::Format() const { return EntropyFormat{"none", "不接受任何值", "takes no value", ""}; }

Result<EntropyReading> NoneSource::Read(const EntropyRequest& request, const std::string& typed) const {
  auto v = Value(request, typed);
  if (!v.ok()) return v.status();
  return EntropyReading{};
}

EntropyNotice NoneSource::Notice(const EntropyRequest&) const {
  return EntropyNotice{
      "本任务不使用外部公开随机数：抽取结果只取决于本公告中已承诺（公布其哈希值）、在检查结果公开后揭示的秘密值。"
      "任何人都可以据此复核抽取，但这不能证明平台没有在承诺之前挑选秘密值。",
      "This task uses no outside public entropy: the draw depends only on the secret committed to in this notice "
      "(its hash is published) and revealed after the inspection results. Anyone can then re-run the draw, but "
      "nothing shows that the platform did not choose the secret before committing to it."};
}

}  // namespace xj::entropy
