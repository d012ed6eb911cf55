#include "csv.h"

#include "xinjian/table_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "text.h"

namespace xj {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;  // raw bytes read at a time

// Characters that end an unquoted field or make it malformed.
constexpr std::array<bool, 256> MakeSpecial() {
  std::array<bool, 256> t{};
  t[','] = t['"'] = t['\r'] = t['\n'] = true;
  return t;
}
constexpr std::array<bool, 256> kSpecial = MakeSpecial();

// The first of , " CR LF in [p, end), or end.
inline const char* FindSpecial(const char* p, const char* end) {
#ifdef __SSE2__
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'),
                lf = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, quote)),
                             _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
    int mask = _mm_movemask_epi8(m);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && !kSpecial[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

std::string N(std::uint64_t v) { return std::to_string(v); }

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

Result<Encoding> ParseEncoding(std::string_view name) {
  std::string n = Lower(text::Trim(name));
  if (n == "utf-8" || n == "utf8") return Encoding::kUtf8;
  if (n == "gb18030") return Encoding::kGb18030;
  if (n == "auto") return Encoding::kAuto;
  return Status::Error(StatusCode::kInvalidArgument,
                       "未知的编码 '" + std::string(name) + "'（可用 utf-8、gb18030、auto）",
                       "unknown encoding '" + std::string(name) + "' (use utf-8, gb18030 or auto)");
}

struct CsvReader::Impl {
  CsvOptions options;
  // Source: a file descriptor, or an in-memory copy.
  int fd = -1;
  std::string path;
  std::string mem;
  std::size_t mem_pos = 0;
  bool src_eof = false;  // the source has no more bytes (and a GB18030 tail was flushed)
  std::uint64_t raw_read = 0;
  std::uint64_t total = 0;

  Encoding enc = Encoding::kAuto;
  bool started = false;
  std::string raw;         // GB18030: bytes read, including a tail carried from the previous chunk
  std::string buf;         // UTF-8 text
  std::size_t pos = 0;     // parse position in buf
  std::uint64_t line = 1;  // physical line number at pos
  std::uint64_t rec_line = 0;
  bool skipping = false;  // after an over-long line: discard input up to the next line break
  std::uint64_t skip_line = 0;
  Status fatal;  // a problem with the whole input (unreadable, UTF-16)
  bool fatal_reported = false;

  ~Impl() {
    if (fd >= 0) ::close(fd);
  }

  // Reads up to n raw bytes into dst; sets src_eof at the end.
  std::size_t ReadRaw(char* dst, std::size_t n) {
    std::size_t got = 0;
    if (fd < 0) {
      got = std::min(n, mem.size() - mem_pos);
      std::memcpy(dst, mem.data() + mem_pos, got);
      mem_pos += got;
      if (mem_pos == mem.size()) src_eof = true;
    } else {
      while (got < n) {
        ssize_t r = ::read(fd, dst + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
          fatal = Status::Error(StatusCode::kUnavailable, "读取文件 " + path + " 失败：" + std::strerror(errno),
                                "cannot read " + path + ": " + std::strerror(errno));
          src_eof = true;
          break;
        }
        if (r == 0) {
          src_eof = true;
          break;
        }
        got += static_cast<std::size_t>(r);
      }
    }
    raw_read += got;
    return got;
  }

  // Decides the encoding from the first bytes (in `raw`), strips a BOM.
  void Detect() {
    std::string_view head = raw;
    std::size_t skip = 0;
    if (StartsWith(head, "\xFF\xFE") || StartsWith(head, "\xFE\xFF")) {
      fatal = Status::Error(StatusCode::kInvalidArgument, "第 1 行：文件是 UTF-16 编码，请另存为 UTF-8 或 GB18030",
                            "line 1: the file is UTF-16; save it as UTF-8 or GB18030");
      return;
    }
    if (StartsWith(head, "\xEF\xBB\xBF") && enc != Encoding::kGb18030) {
      enc = Encoding::kUtf8;
      skip = 3;
    } else if (StartsWith(head, "\x84\x31\x95\x33") && enc != Encoding::kUtf8) {
      enc = Encoding::kGb18030;  // GB18030 byte order mark
      skip = 4;
    } else if (enc == Encoding::kAuto) {
      // UTF-8 unless the non-ASCII bytes mostly fail to decode as UTF-8: GB18030 text fails at
      // nearly every character, while a UTF-8 file with a damaged line fails at a few places
      // (and must keep its good lines' text, not be read as GB18030 throughout).
      std::size_t high = 0, invalid = 0;
      for (unsigned char ch : head) high += ch >= 0x80;
      std::string_view rest = head;
      while (!rest.empty()) {
        bool truncated = false;
        const std::size_t bad = text::FindInvalidUtf8(rest, &truncated);
        if (bad == std::string_view::npos || (truncated && !src_eof)) break;
        ++invalid;
        rest.remove_prefix(bad + 1);
      }
      const bool utf8 = invalid == 0 || invalid * 8 < high / 3;
      enc = utf8 ? Encoding::kUtf8 : Encoding::kGb18030;
    }
    raw.erase(0, skip);
  }

  // Appends the next chunk of input to buf (after dropping what was parsed).
  void Fill() {
    if (src_eof) return;
    buf.erase(0, pos);
    pos = 0;
    // Read at least as much as is pending, so that re-parsing a long record stays linear.
    std::size_t want = std::max(kChunk, buf.size());
    if (!started || enc == Encoding::kGb18030) {
      std::size_t old = raw.size();
      raw.resize(old + want);
      raw.resize(old + ReadRaw(raw.data() + old, want));
      if (!started) {
        started = true;
        Detect();
        if (!fatal.ok()) {
          raw.clear();
          src_eof = true;
          return;
        }
      }
      if (enc == Encoding::kGb18030) {
        std::size_t tail = text::AppendGb18030AsUtf8(raw, src_eof, &buf);
        raw.erase(0, raw.size() - tail);
      } else {
        buf.append(raw);
        raw.clear();
        raw.shrink_to_fit();
      }
      return;
    }
    std::size_t old = buf.size();
    buf.resize(old + want);
    buf.resize(old + ReadRaw(buf.data() + old, want));
  }

  enum class Parse { kRecord, kNeedMore, kError, kEnd };

  // Where parsing stopped and why, for errors.
  const char* rec_start = nullptr;
  const char* rec_end = nullptr;
  const char* err_at = nullptr;
  std::uint64_t rec_lines = 0;  // line breaks consumed by the record (incl. its terminator)
  Status error;

  Status Err(std::uint64_t at_line, const std::string& zh, const std::string& en) {
    return Status::Error(StatusCode::kInvalidArgument, "第 " + N(at_line) + " 行：" + zh,
                         "line " + N(at_line) + ": " + en);
  }

  // Parses one record at buf[pos]. On kRecord, [rec_start, rec_end) is the record including
  // its terminator and rec_lines the line breaks in it. Nothing is committed here.
  Parse ParseRecord(std::vector<std::string>* fields) {
    const char* const base = buf.data();
    const char* p = base + pos;
    const char* const end = base + buf.size();
    const bool eof = src_eof;
    // Empty lines are skipped (and counted).
    while (p < end && (*p == '\n' || *p == '\r')) {
      if (*p == '\r') {
        if (p + 1 == end && !eof) break;
        p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
      } else {
        ++p;
      }
      ++line;
      pos = static_cast<std::size_t>(p - base);
    }
    if (p == end) return eof ? Parse::kEnd : Parse::kNeedMore;
    if (*p == '\r') return Parse::kNeedMore;  // a CR at the end of the buffer
    rec_start = p;
    rec_line = line;
    std::uint64_t lines = 0;
    std::size_t nf = 0;
    const std::size_t max_fields = options.max_fields;
    for (;;) {
      if (nf == max_fields) {
        err_at = p;
        error = Err(rec_line, "字段数超过 " + N(max_fields), "more than " + N(max_fields) + " fields");
        rec_lines = lines;
        return Parse::kError;
      }
      if (nf == fields->size()) fields->emplace_back();
      std::string& f = (*fields)[nf++];
      if (p < end && *p == '"') {
        ++p;
        f.clear();
        for (;;) {
          const char* q = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
          if (q == nullptr) {
            if (!eof) return Parse::kNeedMore;
            lines += static_cast<std::uint64_t>(std::count(p, end, '\n'));
            err_at = end;
            rec_lines = lines;
            error = Err(rec_line, "引号未闭合（字段在文件结束前没有结束）",
                        "unterminated quoted field (no closing quote before the end of the file)");
            return Parse::kError;
          }
          f.append(p, q);
          lines += static_cast<std::uint64_t>(std::count(p, q, '\n'));
          if (q + 1 == end && !eof) return Parse::kNeedMore;
          if (q + 1 < end && q[1] == '"') {
            f.push_back('"');
            p = q + 2;
            continue;
          }
          p = q + 1;
          break;
        }
        if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
          err_at = p;
          rec_lines = lines;
          error = Err(rec_line + lines, "闭合引号后出现多余字符（字段中的引号应写成两个引号 \"\"）",
                      "unexpected character after a closing quote (write a quote inside a field as \"\")");
          return Parse::kError;
        }
      } else {
        const char* s = p;
        p = FindSpecial(p, end);
        if (p == end && !eof) return Parse::kNeedMore;
        if (p < end && *p == '"') {
          err_at = p;
          rec_lines = lines;
          error = Err(rec_line + lines, "未加引号的字段中出现引号（含引号的字段须整体加引号，引号写成 \"\"）",
                      "quote inside an unquoted field (quote the whole field and write the quote as \"\")");
          return Parse::kError;
        }
        f.clear();
        f.append(s, static_cast<std::size_t>(p - s));
      }
      // p is at a delimiter, a line break or the end of the input.
      if (p == end) break;
      if (*p == ',') {
        ++p;
        if (p == end) {
          if (!eof) return Parse::kNeedMore;
          if (nf == fields->size()) fields->emplace_back();
          (*fields)[nf++].clear();  // "a,b," at the very end: a last empty field
          break;
        }
        continue;
      }
      if (*p == '\r') {
        if (p + 1 == end && !eof) return Parse::kNeedMore;
        p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
      } else {
        ++p;
      }
      ++lines;
      break;
    }
    fields->resize(nf);
    rec_end = p;
    rec_lines = lines;
    return Parse::kRecord;
  }

  // After an error at err_at in the record starting at rec_start: continue at the record's
  // second physical line when the record already spans several lines (typically an
  // unclosed quote swallowed what follows), else at the line after the error.
  void Resync() {
    const char* const base = buf.data();
    const char* const end = base + buf.size();
    auto after_break = [&](const char* from, const char* limit) -> const char* {
      const char* b = from;
      while (b < limit && *b != '\n' && *b != '\r') ++b;
      if (b == limit) return nullptr;
      if (*b == '\r' && b + 1 < end && b[1] == '\n') return b + 2;
      return b + 1;
    };
    const char* next = rec_lines > 0 ? after_break(rec_start, end) : nullptr;
    if (next == nullptr) next = after_break(err_at, end);
    if (next != nullptr) {
      pos = static_cast<std::size_t>(next - base);
      line = rec_line + 1;
      return;
    }
    // No line break in the buffer: discard it and skip input up to the next one.
    pos = buf.size();
    line = rec_line;
    if (!src_eof) skipping = true;
  }

  // Skips input to the next line break; false at the end of input.
  bool Skip() {
    for (;;) {
      const char* const base = buf.data();
      const char* const end = base + buf.size();
      const char* p = base + pos;
      while (p < end && *p != '\n' && *p != '\r') ++p;
      if (p < end) {
        if (*p == '\r' && p + 1 == end && !src_eof) {
          pos = static_cast<std::size_t>(p - base);
          Fill();
          continue;
        }
        p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
        pos = static_cast<std::size_t>(p - base);
        line += 1;
        skipping = false;
        return true;
      }
      pos = buf.size();
      if (src_eof) {
        skipping = false;
        return false;
      }
      Fill();
    }
  }

  Status TooLong() {
    return Err(rec_line, "记录超过 " + N(options.max_record_bytes) + " 字节（可能是引号未闭合）",
               "record longer than " + N(options.max_record_bytes) + " bytes (maybe an unclosed quote)");
  }

  Result<bool> Next(std::vector<std::string>* fields) {
    if (!started) Fill();
    for (;;) {
      if (!fatal.ok()) {
        if (fatal_reported) return false;
        fatal_reported = true;
        return fatal;
      }
      if (skipping && !Skip()) return false;
      Parse r = ParseRecord(fields);
      if (r == Parse::kEnd) return false;
      if (r == Parse::kNeedMore) {
        std::size_t pending = buf.size() - pos;
        if (pending > options.max_record_bytes && rec_start == buf.data() + pos) {
          err_at = buf.data() + buf.size();
          rec_lines = static_cast<std::uint64_t>(std::count(rec_start, err_at, '\n'));
          Status s = TooLong();
          Resync();
          return s;
        }
        if (src_eof) return false;  // cannot happen: the parser handles the end of input
        Fill();
        continue;
      }
      if (r == Parse::kError) {
        Status s = error;
        Resync();
        return s;
      }
      // A complete record: check its size and encoding, then commit.
      std::size_t len = static_cast<std::size_t>(rec_end - rec_start);
      const char* rs = rec_start;
      std::uint64_t lines = rec_lines;
      pos = static_cast<std::size_t>(rec_end - buf.data());
      line = rec_line + lines;
      if (len > options.max_record_bytes) return TooLong();
      std::string_view span(rs, len);
      std::size_t bad = text::FindInvalidUtf8(span);
      std::size_t nul = span.find('\0');
      if (bad != std::string_view::npos || nul != std::string_view::npos) {
        bool is_nul = nul != std::string_view::npos && (bad == std::string_view::npos || nul < bad);
        std::size_t at = is_nul ? nul : bad;
        std::uint64_t at_line = rec_line + static_cast<std::uint64_t>(std::count(rs, rs + at, '\n'));
        if (is_nul) return Err(at_line, "含有 NUL 字节（不是文本文件？）", "contains a NUL byte (not a text file?)");
        if (enc == Encoding::kGb18030) return Err(at_line, "无效的 GB18030 编码", "invalid GB18030 byte sequence");
        return Err(at_line, "无效的 UTF-8 编码（如果文件是 GB18030 编码，请指定编码 gb18030）",
                   "invalid UTF-8 (if the file is GB18030, specify the encoding gb18030)");
      }
      return true;
    }
  }
};

CsvReader::CsvReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CsvReader::~CsvReader() = default;

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, const CsvOptions& options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Error(StatusCode::kUnavailable, "无法打开文件 " + path + "：" + std::strerror(errno),
                         "cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::Error(StatusCode::kUnavailable, "无法读取 " + path + "（不是普通文件）",
                         "cannot read " + path + " (not a regular file)");
  }
  auto impl = std::make_unique<Impl>();
  impl->fd = fd;
  impl->path = path;
  impl->options = options;
  impl->enc = options.encoding;
  impl->total = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(impl)));
}

std::unique_ptr<CsvReader> CsvReader::FromString(std::string data, const CsvOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->total = data.size();
  impl->mem = std::move(data);
  impl->src_eof = false;
  impl->options = options;
  impl->enc = options.encoding;
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(impl)));
}

Result<bool> CsvReader::Next(std::vector<std::string>* fields) { return impl_->Next(fields); }
std::uint64_t CsvReader::record_line() const { return impl_->rec_line; }
std::uint64_t CsvReader::bytes_read() const { return impl_->raw_read; }
std::uint64_t CsvReader::total_bytes() const { return impl_->total; }
Encoding CsvReader::encoding() const { return impl_->enc; }

void AppendCsvRecord(std::string* out, const std::vector<std::string>& fields, bool neutralise_formulas) {
  // One writer for the host and the plugins: the SDK's (xinjian/table_reader.h).
  csv::AppendCsvRecord(out, fields, neutralise_formulas);
}

}  // namespace xj
