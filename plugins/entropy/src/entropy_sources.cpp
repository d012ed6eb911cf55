// The built-in entropy sources. See entropy_sources.h.
#include "entropy_sources.h"

#include <cstdint>
#include <cstdio>
#include <optional>

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

// ---------------------------------------------------------------------------------------------

std::string ManualSource::Description() const {
  return "工作人员在公开值公布后原样录入（xinjian task entropy） / an operator enters the public value exactly as "
         "published (xinjian task entropy)";
}

Result<std::string> ManualSource::Value(const EntropyRequest& request, const std::string& supplied) const {
  if (supplied.empty())
    return Status::Error(StatusCode::kFailedPrecondition,
                         "任务 " + request.task_id + " 尚未录入公开随机源的值（公布后运行 xinjian task entropy " +
                             request.task_id + " 值）",
                         "the entropy value of task " + request.task_id +
                             " has not been supplied yet (once it is public: xinjian task entropy " + request.task_id +
                             " VALUE)");
  if (Status st = CheckPublishedValue(supplied); !st.ok()) return st;
  return supplied;
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

EntropyNotice NoneSource::Notice(const EntropyRequest&) const {
  return EntropyNotice{
      "本任务不使用外部公开随机数：抽取结果只取决于本公告中已承诺（公布其哈希值）、在检查结果公开后揭示的秘密值。"
      "任何人都可以据此复核抽取，但这不能证明平台没有在承诺之前挑选秘密值。",
      "This task uses no outside public entropy: the draw depends only on the secret committed to in this notice "
      "(its hash is published) and revealed after the inspection results. Anyone can then re-run the draw, but "
      "nothing shows that the platform did not choose the secret before committing to it."};
}

}  // namespace xj::entropy
