#include "text.h"

#include <errno.h>
#include <iconv.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#endif

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
StepResult ConvertSome(iconv_t cd, const char** in, std::size_t* left, std::string* out, std::size_t expansion_num,
                       std::size_t expansion_den) {
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

namespace {
// Per lead byte: sequence length (0: not a lead byte) and the allowed range of the second
// byte (which excludes overlongs, surrogates and code points above U+10FFFF).
struct Lead {
  std::uint8_t len, lo, hi;
};
constexpr std::array<Lead, 256> MakeLeads() {
  std::array<Lead, 256> t{};
  for (int c = 0; c < 0x80; ++c) t[c] = {1, 0, 0};
  for (int c = 0xC2; c <= 0xDF; ++c) t[c] = {2, 0x80, 0xBF};
  for (int c = 0xE0; c <= 0xEF; ++c) t[c] = {3, 0x80, 0xBF};
  t[0xE0].lo = 0xA0;
  t[0xED].hi = 0x9F;
  for (int c = 0xF0; c <= 0xF4; ++c) t[c] = {4, 0x80, 0xBF};
  t[0xF0].lo = 0x90;
  t[0xF4].hi = 0x8F;
  return t;
}
constexpr std::array<Lead, 256> kLeads = MakeLeads();

// Offset of the first non-ASCII byte at or after i, or n.
inline std::size_t SkipAscii(const unsigned char* p, std::size_t i, std::size_t n) {
#ifdef __SSE2__
  while (n - i >= 16) {
    int mask = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#else
  while (n - i >= 8 && Ascii8(p + i)) i += 8;
#endif
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

// The scalar validator from offset i (a character boundary); authoritative for offsets.
std::size_t FindInvalidUtf8Scalar(const unsigned char* p, std::size_t n, std::size_t i, bool* truncated) {
  for (;;) {
    i = SkipAscii(p, i, n);
    if (i == n) return std::string_view::npos;
    // A run of multi-byte sequences (Chinese text): stay here until the next ASCII byte.
    while (i < n && p[i] >= 0x80) {
      const Lead& l = kLeads[p[i]];
      if (l.len < 2) return i;  // a continuation byte, C0/C1 or F5..FF
      if (n - i < l.len) {      // cut at the end: valid so far?
        bool ok = n - i < 2 || (p[i + 1] >= l.lo && p[i + 1] <= l.hi);
        for (std::size_t k = i + 2; ok && k < n; ++k) ok = (p[k] & 0xC0) == 0x80;
        if (ok && truncated) *truncated = true;
        return i;
      }
      if (p[i + 1] < l.lo || p[i + 1] > l.hi) return i;
      if (l.len >= 3 && (p[i + 2] & 0xC0) != 0x80) return i;
      if (l.len == 4 && (p[i + 3] & 0xC0) != 0x80) return i;
      i += l.len;
    }
  }
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define XJ_UTF8_SSSE3 1
// Vectorised check (the "lookup" algorithm of Keiser and Lemire, "Validating UTF-8 in less
// than one instruction per byte", 2021): three 16-entry tables indexed by the high and low
// nibble of the previous byte and the high nibble of the current byte flag every invalid
// pair of bytes; a second test demands continuation bytes after 3- and 4-byte leads.
// Returns the length of a prefix ending at a character boundary that is valid UTF-8; the
// scalar code continues from there (and finds the exact place of an error).
__attribute__((target("ssse3"))) std::size_t ValidPrefixSsse3(const unsigned char* p, std::size_t n) {
  constexpr std::uint8_t kTooShort = 1 << 0;      // lead followed by ASCII or another lead
  constexpr std::uint8_t kTooLong = 1 << 1;       // ASCII followed by a continuation
  constexpr std::uint8_t kOverlong3 = 1 << 2;     // E0 80..9F
  constexpr std::uint8_t kTooLarge = 1 << 3;      // F4 90..BF, F5..FF
  constexpr std::uint8_t kSurrogate = 1 << 4;     // ED A0..BF
  constexpr std::uint8_t kOverlong2 = 1 << 5;     // C0, C1
  constexpr std::uint8_t kTooLarge1000 = 1 << 6;  // F5..FF 80..8F
  constexpr std::uint8_t kOverlong4 = 1 << 6;     // F0 80..8F
  constexpr std::uint8_t kTwoConts = 1 << 7;      // continuation after continuation
  constexpr std::uint8_t kCarry = kTooShort | kTooLong | kTwoConts;
  const __m128i byte1_high = _mm_setr_epi8(
      kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, static_cast<char>(kTwoConts),
      static_cast<char>(kTwoConts), static_cast<char>(kTwoConts), static_cast<char>(kTwoConts), kTooShort | kOverlong2,
      kTooShort, kTooShort | kOverlong3 | kSurrogate, kTooShort | kTooLarge | kTooLarge1000 | kOverlong4);
  const __m128i byte1_low = _mm_setr_epi8(
      static_cast<char>(kCarry | kOverlong3 | kOverlong2 | kOverlong4), static_cast<char>(kCarry | kOverlong2),
      static_cast<char>(kCarry), static_cast<char>(kCarry), static_cast<char>(kCarry | kTooLarge),
      static_cast<char>(kCarry | kTooLarge | kTooLarge1000), static_cast<char>(kCarry | kTooLarge | kTooLarge1000),
      static_cast<char>(kCarry | kTooLarge | kTooLarge1000), static_cast<char>(kCarry | kTooLarge | kTooLarge1000),
      static_cast<char>(kCarry | kTooLarge | kTooLarge1000), static_cast<char>(kCarry | kTooLarge | kTooLarge1000),
      static_cast<char>(kCarry | kTooLarge | kTooLarge1000), static_cast<char>(kCarry | kTooLarge | kTooLarge1000),
      static_cast<char>(kCarry | kTooLarge | kTooLarge1000 | kSurrogate),
      static_cast<char>(kCarry | kTooLarge | kTooLarge1000), static_cast<char>(kCarry | kTooLarge | kTooLarge1000));
  const __m128i byte2_high =
      _mm_setr_epi8(kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort,
                    static_cast<char>(kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge1000 | kOverlong4),
                    static_cast<char>(kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge),
                    static_cast<char>(kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge),
                    static_cast<char>(kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge), kTooShort, kTooShort,
                    kTooShort, kTooShort);
  const __m128i nibble = _mm_set1_epi8(0x0F);
  const __m128i sub3 = _mm_set1_epi8(static_cast<char>(0xE0 - 0x80));
  const __m128i sub4 = _mm_set1_epi8(static_cast<char>(0xF0 - 0x80));
  const __m128i high_bit = _mm_set1_epi8(static_cast<char>(0x80));
  __m128i prev = _mm_setzero_si128();  // as if preceded by ASCII
  std::size_t i = 0;
  for (; n - i >= 16; i += 16) {
    __m128i in = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    if (_mm_movemask_epi8(_mm_or_si128(in, prev)) == 0) {  // ASCII after ASCII
      prev = in;
      continue;
    }
    __m128i prev1 = _mm_alignr_epi8(in, prev, 15);
    __m128i special =
        _mm_and_si128(_mm_and_si128(_mm_shuffle_epi8(byte1_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), nibble)),
                                    _mm_shuffle_epi8(byte1_low, _mm_and_si128(prev1, nibble))),
                      _mm_shuffle_epi8(byte2_high, _mm_and_si128(_mm_srli_epi16(in, 4), nibble)));
    __m128i prev2 = _mm_alignr_epi8(in, prev, 14);
    __m128i prev3 = _mm_alignr_epi8(in, prev, 13);
    __m128i must23 = _mm_and_si128(_mm_or_si128(_mm_subs_epu8(prev2, sub3), _mm_subs_epu8(prev3, sub4)), high_bit);
    __m128i err = _mm_xor_si128(must23, special);
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(err, _mm_setzero_si128())) != 0xFFFF) break;
    prev = in;
  }
  // Everything before i is consistent with what precedes it, but the last character may be
  // incomplete or an invalid lead (C0, F5..FF) that only the next byte reveals: hand over
  // at the start of the last character unless it is ASCII.
  std::size_t j = i;
  while (j > 0 && i - j < 3 && (p[j - 1] & 0xC0) == 0x80) --j;
  if (j > 0 && p[j - 1] >= 0x80) --j;
  return j;
}

bool HaveSsse3() {
  static const bool have = __builtin_cpu_supports("ssse3");
  return have;
}
#endif

}  // namespace

std::size_t FindInvalidUtf8(std::string_view s, bool* truncated) {
  if (truncated) *truncated = false;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t start = 0;
#ifdef XJ_UTF8_SSSE3
  if (n >= 64 && HaveSsse3()) start = ValidPrefixSsse3(p, n);
#endif
  return FindInvalidUtf8Scalar(p, n, start, truncated);
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
    return Status::Error(
        StatusCode::kInvalidArgument,
        "GB18030 文本在第 " + std::to_string(offset) + " 字节处被截断（多字节字符不完整）",
        "GB18030 text is truncated at byte offset " + std::to_string(offset) + " (incomplete multi-byte character)");
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

namespace {
// UTF-8 of every two-byte GB18030 sequence (lead 81..FE, trail 40..7E or 80..FE), built once
// from iconv: a table lookup is several times faster than iconv on Chinese text. Entry:
// length in the low byte (0: invalid), UTF-8 bytes above it.
class TwoByteTable {
 public:
  TwoByteTable() : entries_(126 * 191, 0) {
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1)) return;
    for (int lead = 0x81; lead <= 0xFE; ++lead) {
      for (int trail = 0x40; trail <= 0xFE; ++trail) {
        if (trail == 0x7F) continue;
        char in[2] = {static_cast<char>(lead), static_cast<char>(trail)};
        char out[8];
        char* src = in;
        char* dst = out;
        std::size_t in_left = 2, out_left = sizeof out;
        iconv(cd, nullptr, nullptr, nullptr, nullptr);
        if (iconv(cd, &src, &in_left, &dst, &out_left) == static_cast<std::size_t>(-1) || in_left != 0) continue;
        std::size_t len = sizeof out - out_left;
        if (len == 0 || len > 3) continue;
        std::uint32_t e = static_cast<std::uint32_t>(len);
        for (std::size_t k = 0; k < len; ++k)
          e |= static_cast<std::uint32_t>(static_cast<unsigned char>(out[k])) << (8 * (k + 1));
        entries_[static_cast<std::size_t>((lead - 0x81) * 191 + (trail - 0x40))] = e;
      }
    }
    iconv_close(cd);
    ok_ = true;
  }
  bool ok() const { return ok_; }
  std::uint32_t Get(unsigned char lead, unsigned char trail) const {
    return entries_[static_cast<std::size_t>((lead - 0x81) * 191 + (trail - 0x40))];
  }

 private:
  std::vector<std::uint32_t> entries_;
  bool ok_ = false;
};

const TwoByteTable& Gb2Table() {
  static const TwoByteTable table;
  return table;
}
}  // namespace

std::size_t AppendGb18030AsUtf8(std::string_view in, bool final, std::string* out) {
  const TwoByteTable& table = Gb2Table();
  Converter& conv = FromGb18030();
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  if (!table.ok() || !conv.ok()) {  // no converter: everything non-ASCII is invalid
    for (char ch : in) out->push_back(static_cast<unsigned char>(ch) < 0x80 ? ch : '\xFF');
    return 0;
  }
  std::size_t old = out->size();
  out->resize(old + n + n / 2 + 16);  // GB18030 -> UTF-8 grows at most 3/2
  char* dst = out->data() + old;
  std::size_t i = 0;
  while (i < n) {
    std::size_t a = SkipAscii(p, i, n);
    std::memcpy(dst, p + i, a - i);
    dst += a - i;
    i = a;
    // A run of multi-byte characters.
    while (i < n && p[i] >= 0x80) {
      unsigned char lead = p[i];
      if (lead == 0x80 || lead == 0xFF) {  // never a lead byte
        *dst++ = '\xFF';
        ++i;
        continue;
      }
      if (i + 1 == n) {  // a lead byte at the very end
        if (!final) {
          out->resize(static_cast<std::size_t>(dst - out->data()));
          return 1;
        }
        *dst++ = '\xFF';
        ++i;
        continue;
      }
      unsigned char b = p[i + 1];
      if (b >= 0x40 && b <= 0xFE && b != 0x7F) {
        std::uint32_t e = table.Get(lead, b);
        std::size_t len = e & 0xFF;
        if (len == 0) {
          *dst++ = '\xFF';
          ++i;
          continue;
        }
        if constexpr (std::endian::native == std::endian::little) {
          std::uint32_t bytes = e >> 8;  // may write one byte past the character: within the slack
          std::memcpy(dst, &bytes, 4);
          dst += len;
        } else {
          for (std::size_t k = 0; k < len; ++k) *dst++ = static_cast<char>(e >> (8 * (k + 1)));
        }
        i += 2;
        continue;
      }
      if (b >= 0x30 && b <= 0x39) {  // a four-byte sequence: rare, left to iconv
        std::size_t avail = std::min<std::size_t>(4, n - i);
        bool plausible = avail < 3 || (p[i + 2] >= 0x81 && p[i + 2] <= 0xFE);
        if (avail < 4 && plausible) {
          if (!final) {
            out->resize(static_cast<std::size_t>(dst - out->data()));
            return avail;
          }
          *dst++ = '\xFF';
          ++i;
          continue;
        }
        char* src = const_cast<char*>(reinterpret_cast<const char*>(p + i));
        std::size_t in_left = 4, out_left = 8;
        if (plausible && iconv(conv.get(), &src, &in_left, &dst, &out_left) != static_cast<std::size_t>(-1) &&
            in_left == 0) {
          i += 4;
          continue;
        }
        *dst++ = '\xFF';
        ++i;
        continue;
      }
      *dst++ = '\xFF';  // a lead byte followed by a byte that cannot follow it
      ++i;
    }
  }
  out->resize(static_cast<std::size_t>(dst - out->data()));
  return 0;
}

}  // namespace xj::text
