#include "text.h"

#include <errno.h>
#include <iconv.h>

#include <cstdint>
#include <cstring>

namespace xj::text {
namespace {

// True when the 8 bytes at p are all ASCII.
inline bool Ascii8(const unsigned char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return (w & 0x8080808080808080ULL) == 0;
}

// One converter per thread and direction: iconv_open loads a gconv module and costs far more
// than a short conversion, and an iconv_t must not be shared between threads.
class Converter {
 public:
  Converter(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
  ~Converter() {
    if (ok()) iconv_close(cd_);
  }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() {
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // back to the initial state
    return cd_;
  }

 private:
  iconv_t cd_;
};

Converter& FromGb18030() {
  thread_local Converter c("UTF-8", "GB18030");
  return c;
}
Converter& ToGb18030() {
  thread_local Converter c("GB18030", "UTF-8");
  return c;
}

Status IconvUnavailable() {
  return Status::Error(StatusCode::kInternal, "系统缺少 GB18030 编码转换（iconv）",
                       "GB18030 conversion (iconv) is not available on this system");
}

enum class StepResult { kDone, kInvalid, kTruncated };

// Converts as much of [*in, *in + *left) as possible, appending to *out. Stops at the end of
// the input, at an invalid sequence or at an incomplete sequence at the end; *in and *left
// are advanced past what was converted.
StepResult ConvertSome(iconv_t cd, const char** in, std::size_t* left, std::string* out,
                       std::size_t expansion_num, std::size_t expansion_den) {
  while (*left > 0) {
    std::size_t old = out->size();
    std::size_t room = *left * expansion_num / expansion_den + 16;
    out->resize(old + room);
    char* dst = out->data() + old;
    std::size_t dst_left = room;
    char* src = const_cast<char*>(*in);  // iconv's signature is not const-correct
    std::size_t r = iconv(cd, &src, left, &dst, &dst_left);
    int err = errno;
    *in = src;
    out->resize(old + (room - dst_left));
    if (r != static_cast<std::size_t>(-1)) continue;  // all converted (left == 0)
    if (err == E2BIG) continue;
    if (err == EINVAL) return StepResult::kTruncated;
    return StepResult::kInvalid;  // EILSEQ
  }
  return StepResult::kDone;
}

}  // namespace

std::size_t FindInvalidUtf8(std::string_view s, bool* truncated) {
  if (truncated) *truncated = false;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n && Ascii8(p + i)) {
      i += 8;
      continue;
    }
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t need;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;  // continuation byte, C0/C1 overlong lead, or F5..FF
    }
    for (std::size_t k = 1; k <= need; ++k) {
      if (i + k >= n) {
        if (truncated) *truncated = true;
        return i;
      }
      unsigned char b = p[i + k];
      unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (b < l || b > h) return i;
    }
    i += need + 1;
  }
  return std::string_view::npos;
}

bool IsValidUtf8(std::string_view s) { return FindInvalidUtf8(s) == std::string_view::npos; }

std::size_t CodePointCount(std::string_view s) {
  std::size_t count = 0;
  for (char ch : s) count += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return count;
}

namespace {
bool HasControl(std::string_view s, bool allow_whitespace) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = p[i];
    if (c < 0x20) {
      if (allow_whitespace && (c == '\t' || c == '\n' || c == '\r')) continue;
      return true;
    }
    if (c == 0x7F) return true;
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F) return true;
  }
  return false;
}
}  // namespace

bool HasControlChar(std::string_view s) { return HasControl(s, false); }
bool HasControlCharExceptWhitespace(std::string_view s) { return HasControl(s, true); }

std::string_view Trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

Result<std::string> Gb18030ToUtf8(std::string_view in, bool allow_truncated_tail, std::size_t* tail_bytes) {
  if (tail_bytes) *tail_bytes = 0;
  Converter& conv = FromGb18030();
  if (!conv.ok()) return IconvUnavailable();
  std::string out;
  out.reserve(in.size() + in.size() / 2 + 16);
  const char* p = in.data();
  std::size_t left = in.size();
  // GB18030 -> UTF-8 grows at most 3/2 (2 bytes -> 3 bytes).
  StepResult r = ConvertSome(conv.get(), &p, &left, &out, 3, 2);
  std::size_t offset = static_cast<std::size_t>(p - in.data());
  if (r == StepResult::kTruncated && allow_truncated_tail) {
    if (tail_bytes) *tail_bytes = left;
    return out;
  }
  if (r == StepResult::kTruncated) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "GB18030 文本在第 " + std::to_string(offset) + " 字节处被截断（多字节字符不完整）",
                         "GB18030 text is truncated at byte offset " + std::to_string(offset) +
                             " (incomplete multi-byte character)");
  }
  if (r == StepResult::kInvalid) {
    return Status::Error(StatusCode::kInvalidArgument,
                         "无效的 GB18030 字节序列，位于第 " + std::to_string(offset) + " 字节",
                         "invalid GB18030 byte sequence at byte offset " + std::to_string(offset));
  }
  return out;
}

Result<std::string> Utf8ToGb18030(std::string_view in) {
  std::size_t bad = FindInvalidUtf8(in);
  if (bad != std::string_view::npos) {
    return Status::Error(StatusCode::kInvalidArgument, "无效的 UTF-8 字节序列，位于第 " + std::to_string(bad) + " 字节",
                         "invalid UTF-8 byte sequence at byte offset " + std::to_string(bad));
  }
  Converter& conv = ToGb18030();
  if (!conv.ok()) return IconvUnavailable();
  std::string out;
  out.reserve(in.size() + 16);
  const char* p = in.data();
  std::size_t left = in.size();
  // UTF-8 -> GB18030 grows at most 4/3 (3 bytes -> 4 bytes).
  StepResult r = ConvertSome(conv.get(), &p, &left, &out, 4, 3);
  if (r != StepResult::kDone) {
    std::size_t offset = static_cast<std::size_t>(p - in.data());
    return Status::Error(StatusCode::kInvalidArgument,
                         "第 " + std::to_string(offset) + " 字节处的字符无法转换为 GB18030",
                         "the character at byte offset " + std::to_string(offset) + " cannot be converted to GB18030");
  }
  return out;
}

std::size_t AppendGb18030AsUtf8(std::string_view in, bool final, std::string* out) {
  Converter& conv = FromGb18030();
  const char* p = in.data();
  std::size_t left = in.size();
  if (!conv.ok()) {  // no converter: everything non-ASCII is invalid
    for (char ch : in) out->push_back(static_cast<unsigned char>(ch) < 0x80 ? ch : '\xFF');
    return 0;
  }
  iconv_t cd = conv.get();
  while (left > 0) {
    // Plain ASCII is the same in both encodings: copy it without iconv.
    const char* run = p;
    while (left >= 8 && Ascii8(reinterpret_cast<const unsigned char*>(p))) {
      p += 8;
      left -= 8;
    }
    while (left > 0 && static_cast<unsigned char>(*p) < 0x80) {
      ++p;
      --left;
    }
    if (p != run) out->append(run, p);
    if (left == 0) break;
    // Convert up to the next long ASCII stretch, so that iconv sees few, long calls.
    const char* stop = p;
    const char* const end = p + left;
    std::size_t ascii = 0;
    while (stop < end) {
      if (static_cast<unsigned char>(*stop) < 0x80) {
        if (++ascii == 64) break;
      } else {
        ascii = 0;
      }
      ++stop;
    }
    std::size_t part = static_cast<std::size_t>(stop - p);
    const char* q = p;
    std::size_t part_left = part;
    StepResult r = ConvertSome(cd, &q, &part_left, out, 3, 2);
    std::size_t used = static_cast<std::size_t>(q - p);
    p = q;
    left -= used;
    if (r == StepResult::kDone) continue;
    if (r == StepResult::kTruncated && stop != end) {
      // Cut by our own stop inside a character: cannot happen (we stop after ASCII), but
      // treat it as invalid to make progress.
      r = StepResult::kInvalid;
    }
    if (r == StepResult::kTruncated) {
      if (!final) return left;
      out->push_back('\xFF');
      return 0;
    }
    out->push_back('\xFF');  // invalid: mark it and skip one byte
    ++p;
    --left;
    cd = conv.get();
  }
  return 0;
}

}  // namespace xj::text
