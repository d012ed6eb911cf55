#include "calendar_notice.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "text.h"

namespace xj {
namespace {

// ---- Messages ----------------------------------------------------------------------------

Status LineError(int line, const std::string& zh, const std::string& en) {
  const std::string n = std::to_string(line);
  return Status::Error(StatusCode::kInvalidArgument, "第 " + n + " 行：" + zh, "line " + n + ": " + en);
}

Status NoticeError(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, "通知：" + zh, "notice: " + en);
}

const char* const kWeekdayNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
const char* const kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};

const char* WeekdayName(int iso) { return iso >= 1 && iso <= 7 ? kWeekdayNames[iso - 1] : "?"; }

// ---- Code points ---------------------------------------------------------------------------

void AppendUtf8(std::string* out, char32_t c) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string ToUtf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) AppendUtf8(&out, c);
  return out;
}

// The code point at s[*i] of valid UTF-8; advances *i past it.
char32_t NextCodePoint(std::string_view s, std::size_t* i) {
  const auto b = static_cast<unsigned char>(s[*i]);
  int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len && *i + static_cast<std::size_t>(k) < s.size(); ++k)
    c = (c << 6) | (static_cast<unsigned char>(s[*i + static_cast<std::size_t>(k)]) & 0x3F);
  *i += static_cast<std::size_t>(len);
  return c;
}

bool IsIdeograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) || c == U'〇';
}
bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

// 0..9 for a Chinese digit (〇 零 一 二 两 … 九), -1 otherwise.
int ZhDigit(char32_t c) {
  if (c == U'零') return 0;
  if (c == U'两') return 2;
  const std::size_t i = std::u32string_view(U"〇一二三四五六七八九").find(c);
  return i == std::u32string_view::npos ? -1 : static_cast<int>(i);
}
bool IsZhNumeral(char32_t c) { return ZhDigit(c) > 0 || c == U'十'; }

// A Chinese number 1..99 written 三, 十, 十一, 二十, 二十八 at s[pos]: its value in *v and its
// length, or 0.
std::size_t ReadZhNumber(std::u32string_view s, std::size_t pos, int* v) {
  auto at = [&](std::size_t k) -> char32_t { return pos + k < s.size() ? s[pos + k] : 0; };
  const int d0 = ZhDigit(at(0));
  if (at(0) == U'十') {
    const int d1 = ZhDigit(at(1));
    if (d1 > 0) {
      *v = 10 + d1;
      return 2;
    }
    *v = 10;
    return 1;
  }
  if (d0 <= 0) return 0;
  if (at(1) == U'十') {
    const int d2 = ZhDigit(at(2));
    if (d2 > 0) {
      *v = d0 * 10 + d2;
      return 3;
    }
    *v = d0 * 10;
    return 2;
  }
  *v = d0;
  return 1;
}

// ---- The text, normalised -----------------------------------------------------------------

// The notice with white space removed, full-width forms folded to ASCII (：，。；（）０-９ to
// : , . ; ( ) 0-9), and '\n' between lines. Each code point keeps its line and its bytes in
// the raw text, for messages and for quoting the notice as written.
struct Normalized {
  std::u32string s;
  std::vector<int> line;
  std::vector<std::size_t> begin, end;
};

Normalized Normalize(std::string_view raw) {
  Normalized t;
  int line = 1;
  std::size_t i = 0;
  while (i < raw.size()) {
    const std::size_t b = i;
    char32_t c = NextCodePoint(raw, &i);
    if (c == U'\r') {
      if (i < raw.size() && raw[i] == '\n') continue;  // the '\n' ends the line
      c = U'\n';
    }
    if (c == U'\n') {
      t.s.push_back(U'\n');
      t.line.push_back(line++);
      t.begin.push_back(b);
      t.end.push_back(i);
      continue;
    }
    if (c == U' ' || c == U'\t' || c == 0x3000 || c == 0xA0 || (c >= 0x2000 && c <= 0x200B) || c == 0xFEFF ||
        c == 0x202F)
      continue;
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if (c == U'。' || c == 0xFF61) c = U'.';
    if (c == 0x2236) c = U':';  // ∶ (ratio), used as a colon
    t.s.push_back(c);
    t.line.push_back(line);
    t.begin.push_back(b);
    t.end.push_back(i);
  }
  return t;
}

bool Contains(std::u32string_view s, std::u32string_view w) { return s.find(w) != std::u32string_view::npos; }

// The raw text of t.s[b, e) as written: each line trimmed of white space, the lines joined
// without a separator (Chinese text wraps anywhere), tabs made spaces.
std::string RawSpan(const Normalized& t, std::string_view raw, std::size_t b, std::size_t e) {
  while (b < e && t.s[b] == U'\n') ++b;
  while (e > b && t.s[e - 1] == U'\n') --e;
  if (b >= e) return "";
  const std::string_view span = raw.substr(t.begin[b], t.end[e - 1] - t.begin[b]);
  std::string out;
  std::size_t pos = 0;
  while (pos <= span.size()) {
    std::size_t nl = span.find_first_of("\r\n", pos);
    if (nl == std::string_view::npos) nl = span.size();
    std::string_view line = span.substr(pos, nl - pos);
    // Trim ASCII blanks and the ideographic space U+3000 (E3 80 80).
    for (;;) {
      line = text::Trim(line);
      if (line.substr(0, 3) == "\xE3\x80\x80") {
        line.remove_prefix(3);
      } else if (line.size() >= 3 && line.substr(line.size() - 3) == "\xE3\x80\x80") {
        line.remove_suffix(3);
      } else {
        break;
      }
    }
    for (char ch : line) out.push_back(ch == '\t' ? ' ' : ch);
    pos = nl + 1;
  }
  return out;
}

// At most `max` code points of valid UTF-8 `s`, with "…" when cut.
std::string Shorten(const std::string& s, std::size_t max) {
  std::size_t i = 0, n = 0;
  while (i < s.size() && n < max) {
    NextCodePoint(s, &i);
    ++n;
  }
  return i >= s.size() ? s : s.substr(0, i) + "…";
}

// ---- Festivals ------------------------------------------------------------------------------

struct Festival {
  const char32_t* zh;
  const char* zh8;
  const char* en;
};
const Festival kFestivals[] = {
    {U"元旦", "元旦", "New Year's Day"},           {U"春节", "春节", "Spring Festival"},
    {U"清明节", "清明节", "Qingming Festival"},    {U"劳动节", "劳动节", "Labour Day"},
    {U"端午节", "端午节", "Dragon Boat Festival"}, {U"中秋节", "中秋节", "Mid-Autumn Festival"},
    {U"国庆节", "国庆节", "National Day"},
};

const Festival* FindFestival(std::u32string_view name) {
  for (const Festival& f : kFestivals)
    if (name == f.zh) return &f;
  return nullptr;
}

std::string KnownFestivalsZh() {
  std::string out;
  for (const Festival& f : kFestivals) out += std::string(out.empty() ? "" : "、") + f.zh8;
  return out;
}

// Splits "国庆节、中秋节" (also with 和 or 与) into names.
std::vector<std::u32string> SplitNames(std::u32string_view s) {
  std::vector<std::u32string> out;
  std::u32string cur;
  for (char32_t c : s) {
    if (c == U'、' || c == U'和' || c == U'与') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

bool AllKnown(const std::vector<std::u32string>& names) {
  return std::all_of(names.begin(), names.end(), [](const std::u32string& n) { return FindFestival(n) != nullptr; });
}

// ---- Paragraphs ---------------------------------------------------------------------------

struct Paragraph {
  std::size_t start = 0;  // the marker "一、" (or the name at the start of a line)
  std::size_t name_begin = 0, name_end = 0;
  std::size_t body_begin = 0;  // after the colon
  std::size_t end = 0;         // one past the last code point
  int line = 0;
};

// Finds "一、元旦：" (a Chinese number, 、, names, a colon) anywhere, and "元旦：" at the start
// of a line when every name is a festival's.
std::vector<Paragraph> FindParagraphs(const Normalized& t) {
  std::vector<Paragraph> out;
  const std::u32string& s = t.s;
  auto names_at = [&](std::size_t k, std::size_t* colon) {
    std::size_t j = k;
    while (j < s.size() && j - k <= 24 && (IsIdeograph(s[j]) || s[j] == U'、')) ++j;
    if (j == k || j >= s.size() || s[j] != U':') return false;
    *colon = j;
    return true;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool line_start = i == 0 || s[i - 1] == U'\n';
    std::size_t colon = 0;
    if (IsZhNumeral(s[i]) && (i == 0 || !IsZhNumeral(s[i - 1]))) {
      std::size_t j = i;
      while (j < s.size() && IsZhNumeral(s[j]) && j - i < 3) ++j;
      if (j < s.size() && s[j] == U'、' && names_at(j + 1, &colon)) {
        const bool plain_before = i == 0 || !IsIdeograph(s[i - 1]);
        if (plain_before || AllKnown(SplitNames(std::u32string_view(s).substr(j + 1, colon - j - 1)))) {
          out.push_back(Paragraph{i, j + 1, colon, colon + 1, 0, t.line[i]});
          i = colon;
          continue;
        }
      }
    }
    if (line_start && IsIdeograph(s[i]) && names_at(i, &colon) &&
        AllKnown(SplitNames(std::u32string_view(s).substr(i, colon - i)))) {
      out.push_back(Paragraph{i, i, colon, colon + 1, 0, t.line[i]});
      i = colon;
    }
  }
  return out;
}

// A line that is only a date, "2025年11月4日" or "二〇二五年十一月四日".
std::optional<Date> DateLine(std::u32string_view s) {
  std::size_t k = 0;
  int y = 0;
  int n = 0;
  for (; k < s.size() && n < 4; ++k, ++n) {
    const int d = IsDigit(s[k]) ? static_cast<int>(s[k] - U'0') : ZhDigit(s[k]);
    if (d < 0 || s[k] == U'两') return std::nullopt;
    y = y * 10 + d;
  }
  if (n != 4 || k >= s.size() || s[k] != U'年') return std::nullopt;
  ++k;
  auto number = [&](int* v) -> bool {
    if (k < s.size() && IsDigit(s[k])) {
      *v = 0;
      std::size_t len = 0;
      while (k < s.size() && IsDigit(s[k]) && len < 3) {
        *v = *v * 10 + static_cast<int>(s[k++] - U'0');
        ++len;
      }
      return true;
    }
    const std::size_t len = ReadZhNumber(s, k, v);
    k += len;
    return len > 0;
  };
  int m = 0, d = 0;
  if (!number(&m) || k >= s.size() || s[k++] != U'月') return std::nullopt;
  if (!number(&d) || k >= s.size() || s[k++] != U'日' || k != s.size()) return std::nullopt;
  Result<Date> r = Date::FromYmd(y, m, d);
  if (!r.ok()) return std::nullopt;
  return r.value();
}

// A line after the last paragraph that ends it: the closing paragraph, the issuer, the date.
bool EndsNotice(std::u32string_view line) {
  if (line.substr(0, 5) == U"节假日期间" || DateLine(line)) return true;
  if (line.size() <= 15 && std::all_of(line.begin(), line.end(), IsIdeograph) && !Contains(line, U"放假") &&
      !Contains(line, U"上班"))
    return true;
  return !line.empty() && line.front() == U'(';  // (此件公开发布)
}

// Sets the end of each paragraph: the next one's start, or for the last the end of its line
// and of the lines after it that go on with it.
void SetEnds(const Normalized& t, std::vector<Paragraph>* ps) {
  const std::u32string& s = t.s;
  for (std::size_t i = 0; i + 1 < ps->size(); ++i) (*ps)[i].end = (*ps)[i + 1].start;
  if (ps->empty()) return;
  Paragraph& last = ps->back();
  std::size_t e = s.find(U'\n', last.body_begin);
  if (e == std::u32string::npos) e = s.size();
  last.end = e;
  auto ends_sentence = [&](std::size_t end) {
    std::size_t k = end;
    while (k > last.start && s[k - 1] == U'\n') --k;
    return k > last.start && (s[k - 1] == U'.' || s[k - 1] == U';');
  };
  std::size_t b = e;
  while (b < s.size()) {
    b += 1;  // past '\n'
    std::size_t le = s.find(U'\n', b);
    if (le == std::u32string::npos) le = s.size();
    const std::u32string_view line = std::u32string_view(s).substr(b, le - b);
    if (!line.empty()) {
      if (EndsNotice(line)) break;
      if (!Contains(line, U"放假") && !Contains(line, U"上班") && ends_sentence(last.end)) break;
      last.end = le;
    }
    b = le;
  }
  // The closing paragraph may follow on the same line.
  if (const std::size_t closing = s.find(U"节假日期间", last.body_begin); closing < last.end) last.end = closing;
}

// ---- Tokens -------------------------------------------------------------------------------

enum class Tk { kDate, kTo, kSep, kComma, kStop, kOff, kWork, kTotal, kDays, kJoin, kOther };

struct Token {
  Tk kind = Tk::kOther;
  int line = 0;
  std::size_t begin = 0, end = 0;  // in Normalized::s
  int y = 0, m = 0, d = 0;         // kDate: 0 for a year or month not written
  int n = 0;                       // kTotal, kDays
  bool has_bracket = false;        // kDate: a note in brackets after it
  std::u32string bracket;
  std::size_t bracket_end = 0;
};

std::vector<Token> Tokenize(const Normalized& t, std::size_t b, std::size_t e) {
  std::vector<std::size_t> idx;  // the code points of [b, e) without line breaks
  for (std::size_t i = b; i < e; ++i)
    if (t.s[i] != U'\n') idx.push_back(i);
  auto at = [&](std::size_t k) -> char32_t { return k < idx.size() ? t.s[idx[k]] : 0; };
  auto starts = [&](std::size_t k, std::u32string_view w) {
    for (std::size_t j = 0; j < w.size(); ++j)
      if (at(k + j) != w[j]) return false;
    return true;
  };
  // Up to 4 ASCII digits at k: their value and count (0 when none, or more than 4).
  auto number = [&](std::size_t k, int* v) -> std::size_t {
    std::size_t n = 0;
    int val = 0;
    while (IsDigit(at(k + n)) && n < 5) val = val * 10 + static_cast<int>(at(k + n++) - U'0');
    if (n == 0 || n > 4) return 0;
    *v = val;
    return n;
  };
  auto zh_number = [&](std::size_t k, int* v) -> std::size_t {
    if (k >= idx.size()) return 0;
    std::u32string window;
    for (std::size_t j = k; j < k + 3 && j < idx.size(); ++j) window.push_back(at(j));
    return ReadZhNumber(window, 0, v);
  };
  std::vector<Token> out;
  auto emit = [&](Tk kind, std::size_t k0, std::size_t k1) -> Token& {
    if (kind == Tk::kOther && !out.empty() && out.back().kind == Tk::kOther) {
      out.back().end = idx[k1 - 1] + 1;
      return out.back();
    }
    Token tok;
    tok.kind = kind;
    tok.begin = idx[k0];
    tok.end = idx[k1 - 1] + 1;
    tok.line = t.line[idx[k0]];
    out.push_back(tok);
    return out.back();
  };
  std::size_t k = 0;
  while (k < idx.size()) {
    const char32_t c = at(k);
    if (IsDigit(c)) {
      int a = 0;
      const std::size_t n = number(k, &a);
      if (n == 0) {
        std::size_t j = k;
        while (IsDigit(at(j))) ++j;
        emit(Tk::kOther, k, j);
        k = j;
        continue;
      }
      const std::size_t j = k + n;
      int m = 0, d = 0;
      if (at(j) == U'年' && n == 4) {
        const std::size_t nm = number(j + 1, &m);
        const std::size_t jd = j + 1 + nm + 1;
        const std::size_t nd = nm && at(j + 1 + nm) == U'月' ? number(jd, &d) : 0;
        if (nd && at(jd + nd) == U'日') {
          Token& tok = emit(Tk::kDate, k, jd + nd + 1);
          tok.y = a, tok.m = m, tok.d = d;
          k = jd + nd + 1;
        } else {
          emit(Tk::kOther, k, j + 1);
          k = j + 1;
        }
        continue;
      }
      if (at(j) == U'月') {
        const std::size_t nd = number(j + 1, &d);
        if (nd && at(j + 1 + nd) == U'日') {
          Token& tok = emit(Tk::kDate, k, j + 2 + nd);
          tok.m = a, tok.d = d;
          k = j + 2 + nd;
        } else {
          emit(Tk::kOther, k, j + 1);
          k = j + 1;
        }
        continue;
      }
      if (at(j) == U'日') {
        emit(Tk::kDate, k, j + 1).d = a;
        k = j + 1;
        continue;
      }
      if (at(j) == U'天') {
        emit(Tk::kDays, k, j + 1).n = a;
        k = j + 1;
        continue;
      }
      emit(Tk::kOther, k, j);
      k = j;
      continue;
    }
    if (c == U'共') {
      int v = 0;
      std::size_t n = number(k + 1, &v);
      if (n == 0) n = zh_number(k + 1, &v);
      if (n > 0 && at(k + 1 + n) == U'天') {
        emit(Tk::kTotal, k, k + 2 + n).n = v;
        k += 2 + n;
        continue;
      }
    }
    if (IsZhNumeral(c)) {
      int v = 0;
      const std::size_t n = zh_number(k, &v);
      if (n > 0 && at(k + n) == U'天') {
        emit(Tk::kDays, k, k + n + 1).n = v;
        k += n + 1;
        continue;
      }
    }
    if (c == U'(') {
      std::size_t close = k + 1;
      while (close < idx.size() && close - k <= 40 && at(close) != U')' && at(close) != U'(') ++close;
      if (close < idx.size() && at(close) == U')') {
        if (!out.empty() && out.back().kind == Tk::kDate && !out.back().has_bracket &&
            out.back().end == idx[k - 1] + 1) {
          Token& date = out.back();
          date.has_bracket = true;
          for (std::size_t j = k + 1; j < close; ++j) date.bracket.push_back(at(j));
          date.bracket_end = idx[close] + 1;
        } else {
          emit(Tk::kOther, k, close + 1);
        }
        k = close + 1;
        continue;
      }
    }
    if (starts(k, U"放假") || starts(k, U"补休")) {  // "4月6日（星期一）补休" (notices before 2016)
      emit(Tk::kOff, k, k + 2);
      k += 2;
    } else if (starts(k, U"上班")) {
      emit(Tk::kWork, k, k + 2);
      k += 2;
    } else if (starts(k, U"周末连休")) {
      emit(Tk::kJoin, k, k + 4);
      k += 4;
    } else if (c == U'至' || c == U'~') {
      emit(Tk::kTo, k, k + 1);
      ++k;
    } else if (c == U'、' || c == U'和') {
      emit(Tk::kSep, k, k + 1);
      ++k;
    } else if (c == U',') {
      emit(Tk::kComma, k, k + 1);
      ++k;
    } else if (c == U'.' || c == U';' || c == U'!' || c == U'?') {
      emit(Tk::kStop, k, k + 1);
      ++k;
    } else {
      emit(Tk::kOther, k, k + 1);
      ++k;
    }
  }
  return out;
}

// ---- Reading the dates of a paragraph -----------------------------------------------------

struct DayRef {
  Date date;
  int line = 0;
};

struct OffGroup {
  std::vector<DayRef> days;
  int line = 0;
  std::string written;                        // the dates as written, for messages
  std::vector<std::pair<int, Token>> stated;  // "放假N天", "共N天": the number and its token
  bool join = false;                          // "与周末连休"
  int join_line = 0;
};

struct Sentences {
  std::vector<OffGroup> off;
  std::vector<DayRef> work;
  std::vector<std::pair<std::size_t, std::size_t>> ignored;  // sentences with a number but no arrangement
  std::vector<Token> stray;  // the first token of a date group followed by 放假/上班 (outside paragraphs)
};

class NoticeReader {
 public:
  NoticeReader(const Normalized& t, std::string_view raw, int year) : t_(t), raw_(raw), year_(year) {}

  std::string Written(std::size_t b, std::size_t e) const {
    std::u32string w;
    for (std::size_t i = b; i < e && i < t_.s.size(); ++i)
      if (t_.s[i] != U'\n') w.push_back(t_.s[i]);
    return Shorten(ToUtf8(w), 60);
  }
  std::string Written(const Token& tok) const {
    return Written(tok.begin, tok.has_bracket ? tok.bracket_end : tok.end);
  }
  std::string Raw(std::size_t b, std::size_t e) const { return RawSpan(t_, raw_, b, e); }

  // Reads the sentences of t.s[b, e). `new_year`: the 元旦 paragraph, whose dates may start in
  // the previous December.
  // `lenient`: a sentence that cannot be read is skipped instead of refused (text outside the
  // paragraphs, searched only for arrangements that belong in one).
  Status Read(std::size_t b, std::size_t e, bool new_year, bool lenient, Sentences* out) {
    const std::vector<Token> tokens = Tokenize(t_, b, e);
    current_.reset();
    std::size_t first = 0;
    while (first < tokens.size()) {
      std::size_t last = first;
      while (last < tokens.size() && tokens[last].kind != Tk::kStop) ++last;
      const std::size_t stop = last < tokens.size() ? last + 1 : last;
      bool ignored = false;
      Status s = Sentence(std::vector<Token>(tokens.begin() + static_cast<std::ptrdiff_t>(first),
                                             tokens.begin() + static_cast<std::ptrdiff_t>(last)),
                          new_year, lenient, out, &ignored);
      if (!s.ok() && !lenient) return s;
      if (ignored) out->ignored.emplace_back(tokens[first].begin, tokens[stop - 1].end);
      first = stop;
    }
    return Status::Ok();
  }

 private:
  // One sentence (no kStop inside). *ignored: it mentions a number but arranges nothing.
  Status Sentence(const std::vector<Token>& s, bool new_year, bool lenient, Sentences* out, bool* ignored) {
    if (s.empty()) return Status::Ok();
    const bool arrangement =
        std::any_of(s.begin(), s.end(), [](const Token& x) { return x.kind == Tk::kOff || x.kind == Tk::kWork; });
    int ctx_year = year_, ctx_month = 0;
    bool bound = false, number = false;
    for (std::size_t i = 0; i < s.size();) {
      number = number || s[i].kind == Tk::kDate || s[i].kind == Tk::kTotal || s[i].kind == Tk::kDays ||
               std::any_of(t_.s.begin() + static_cast<std::ptrdiff_t>(s[i].begin),
                           t_.s.begin() + static_cast<std::ptrdiff_t>(s[i].end), IsDigit);
      if (s[i].kind == Tk::kTotal && current_) {
        out->off[*current_].stated.emplace_back(s[i].n, s[i]);
        bound = true;
        ++i;
        continue;
      }
      if (s[i].kind == Tk::kJoin && current_) {
        out->off[*current_].join = true;
        out->off[*current_].join_line = s[i].line;
        bound = true;
        ++i;
        continue;
      }
      if (s[i].kind != Tk::kDate) {
        ++i;
        continue;
      }
      // A group: DATE [至 DATE] {、|, DATE [至 DATE]}.
      std::vector<std::pair<std::size_t, std::optional<std::size_t>>> items;
      std::size_t j = i;
      for (;;) {
        const std::size_t a = j;
        std::optional<std::size_t> z;
        if (j + 2 < s.size() && s[j + 1].kind == Tk::kTo && s[j + 2].kind == Tk::kDate) {
          z = j + 2;
          j += 3;
        } else {
          j += 1;
        }
        items.emplace_back(a, z);
        if (j + 1 < s.size() && (s[j].kind == Tk::kSep || s[j].kind == Tk::kComma) && s[j + 1].kind == Tk::kDate) {
          ++j;
          continue;
        }
        break;
      }
      const Tk kind = j < s.size() ? s[j].kind : Tk::kOther;
      const std::size_t group_end = j > 0 ? (s[j - 1].has_bracket ? s[j - 1].bracket_end : s[j - 1].end) : 0;
      const std::string written = Written(s[i].begin, group_end);
      if (kind != Tk::kOff && kind != Tk::kWork) {
        if (arrangement && !lenient)
          return LineError(s[i].line, "无法理解“" + written + "”：日期后应紧接“放假”或“上班”",
                           "cannot read \"" + written +
                               "\": the dates must be followed by 放假 (days off) or 上班 "
                               "(make-up working day)");
        current_.reset();
        i = j;
        continue;
      }
      bound = true;
      out->stray.push_back(s[i]);
      std::vector<DayRef> days;
      for (const auto& [a, z] : items) {
        Status st = Item(s[a], z ? &s[*z] : nullptr, new_year, &ctx_year, &ctx_month, &days);
        if (!st.ok()) return st;
      }
      if (kind == Tk::kOff) {
        OffGroup g;
        g.days = std::move(days);
        g.line = s[i].line;
        g.written = written;
        if (j + 1 < s.size() && s[j + 1].kind == Tk::kDays) g.stated.emplace_back(s[j + 1].n, s[j + 1]);
        out->off.push_back(std::move(g));
        current_ = out->off.size() - 1;
        i = j + 1;
      } else {
        out->work.insert(out->work.end(), days.begin(), days.end());
        current_.reset();
        i = j + 1;
      }
    }
    *ignored = !bound && number;
    return Status::Ok();
  }

  // The date of a token, the year and month taken from the sentence when not written.
  Result<Date> Resolve(const Token& tok, int y, int m) const {
    if (tok.y) y = tok.y;
    if (tok.m) m = tok.m;
    if (m == 0) return LineError(tok.line, "“" + Written(tok) + "”没有写月份", "\"" + Written(tok) + "\" has no month");
    Result<Date> d = Date::FromYmd(y, m, tok.d);
    if (!d.ok()) {
      const std::string ymd = std::to_string(y) + "-" + std::to_string(m) + "-" + std::to_string(tok.d);
      return LineError(tok.line, "“" + Written(tok) + "”不是有效的日期（" + ymd + "）",
                       "\"" + Written(tok) + "\" is not a calendar date (" + ymd + ")");
    }
    return d;
  }

  // One date or range of a group, appended to *days.
  Status Item(const Token& a, const Token* z, bool new_year, int* ctx_year, int* ctx_month, std::vector<DayRef>* days) {
    Result<Date> from = Resolve(a, *ctx_year, *ctx_month);
    if (!from.ok()) return from.status();
    Date first = from.value();
    Date last = first;
    *ctx_year = first.year();
    *ctx_month = first.month();
    if (z != nullptr) {
      Result<Date> to = Resolve(*z, *ctx_year, *ctx_month);
      if (!to.ok()) return to.status();
      last = to.value();
      if (last < first && z->y == 0) {
        // "2018年12月30日至1月1日": the end is in the next year; "12月30日至1月1日" in the 元旦
        // paragraph: the start is in the previous one.
        if (a.y != 0) {
          Result<Date> next = Date::FromYmd(last.year() + 1, last.month(), last.day());
          if (next.ok()) last = next.value();
        } else if (new_year && first.month() == 12) {
          Result<Date> prev = Date::FromYmd(first.year() - 1, 12, first.day());
          if (prev.ok()) first = prev.value();
        }
      }
      const std::string w = Written(a.begin, z->has_bracket ? z->bracket_end : z->end);
      if (last < first)
        return LineError(a.line, "“" + w + "”的结束日早于开始日", "\"" + w + "\" ends before it starts");
      if (last - first >= 31) return LineError(a.line, "“" + w + "”超过 31 天", "\"" + w + "\" is longer than 31 days");
      *ctx_year = last.year();
      *ctx_month = last.month();
    }
    if (Status s = CheckNote(a, first); !s.ok()) return s;
    if (z != nullptr)
      if (Status s = CheckNote(*z, last); !s.ok()) return s;
    for (Date d = first; d <= last; d = d + 1) days->push_back(DayRef{d, a.line});
    return Status::Ok();
  }

  // The weekday and lunar day written in brackets after a date must be the date's.
  Status CheckNote(const Token& tok, Date d) const {
    if (!tok.has_bracket) return Status::Ok();
    const std::u32string& b = tok.bracket;
    const std::string w = Written(tok);
    for (std::u32string_view prefix :
         {std::u32string_view(U"星期"), std::u32string_view(U"礼拜"), std::u32string_view(U"周")}) {
      const std::size_t p = b.find(prefix);
      if (p == std::u32string::npos || p + prefix.size() >= b.size()) continue;
      const char32_t x = b[p + prefix.size()];
      int wd = x == U'日' || x == U'天' ? 7 : ZhDigit(x);
      if (wd < 1 || wd > 7) continue;
      if (wd != d.weekday())
        return LineError(
            tok.line,
            "“" + w + "”：" + d.ToString() + " 是" + WeekdayZh(d.weekday()) + "，不是" +
                ToUtf8(b.substr(p, prefix.size() + 1)),
            "\"" + w + "\": " + d.ToString() + " is a " + WeekdayName(d.weekday()) + ", not a " + WeekdayName(wd));
      break;
    }
    Result<FestivalDates> f = FestivalDatesOf(d.year());
    if (!f.ok()) return Status::Ok();  // no lunar data for that year: only the weekday is checked
    std::optional<Date> want;
    std::string what;
    if (Contains(b, U"除夕")) {
      want = f->chuxi;
      what = "除夕";
    } else if (std::size_t p = b.find(U"正月初"); p != std::u32string::npos) {
      int n = 0;
      const std::size_t len = ReadZhNumber(b, p + 3, &n);
      if (len > 0 && n >= 1 && n <= 10) {
        want = f->chunjie + (n - 1);
        what = ToUtf8(b.substr(p, 3 + len));
      }
    }
    if (want && *want != d)
      return LineError(tok.line,
                       "“" + w + "”：" + std::to_string(d.year()) + " 年的农历" + what + "是 " + want->ToString() +
                           "，不是 " + d.ToString(),
                       "\"" + w + "\": " + what + " (lunar calendar) of " + std::to_string(d.year()) + " is " +
                           want->ToString() + ", not " + d.ToString());
    return Status::Ok();
  }

  const Normalized& t_;
  std::string_view raw_;
  int year_;
  // The last group of days off, which "共N天" and "与周末连休" refer to (also in the next
  // sentence: "…放假。共3天。"); none after a make-up day or an unread group.
  std::optional<std::size_t> current_;
};

// "2023年12月30日、31日" / "30 and 31 December 2023" (the days lie in one month).
std::pair<std::string, std::string> DayListText(const std::vector<Date>& days) {
  std::string zh, en;
  for (std::size_t i = 0; i < days.size(); ++i) {
    const Date d = days[i];
    zh += i == 0 ? std::to_string(d.year()) + "年" + std::to_string(d.month()) + "月" + std::to_string(d.day()) + "日"
                 : "、" + std::to_string(d.day()) + "日";
    en += (i == 0 ? "" : i + 1 == days.size() ? " and " : ", ") + std::to_string(d.day());
  }
  en += std::string(" ") + kMonthNames[days.back().month() - 1] + " " + std::to_string(days.back().year());
  return {zh, en};
}

// ---- The source of the notice -------------------------------------------------------------

struct Found {
  std::string value;
  int line = 0;
};

// The year in "关于2026年…" (title) or "现将2026年…" (body) of a normalised line, 0 when absent.
int YearAfter(std::u32string_view line, std::u32string_view word) {
  const std::size_t p = line.find(word);
  if (p == std::u32string_view::npos) return 0;
  std::size_t k = p + word.size();
  int y = 0, n = 0;
  while (k < line.size() && IsDigit(line[k]) && n < 5) {
    y = y * 10 + static_cast<int>(line[k++] - U'0');
    ++n;
  }
  return n == 4 && k < line.size() && line[k] == U'年' ? y : 0;
}

// "国办发明电〔2025〕7号" in a normalised line ([ ] ( ) 【 】 accepted for 〔 〕); the
// number in *doc_year.
std::optional<std::string> DocumentNumber(std::u32string_view line, int* doc_year) {
  for (std::size_t i = 1; i < line.size(); ++i) {
    const char32_t open = line[i];
    if (open != U'〔' && open != U'[' && open != U'(' && open != U'【' && open != U'［') continue;
    std::size_t b = i;
    while (b > 0 && i - b < 12 && IsIdeograph(line[b - 1])) --b;
    if (b == i) continue;
    std::size_t k = i + 1;
    int y = 0, n = 0;
    while (k < line.size() && IsDigit(line[k]) && n < 5) {
      y = y * 10 + static_cast<int>(line[k++] - U'0');
      ++n;
    }
    if (n != 4 || k >= line.size()) continue;
    const char32_t close = line[k];
    if (close != U'〕' && close != U']' && close != U')' && close != U'】' && close != U'］') continue;
    const std::size_t num = ++k;
    while (k < line.size() && IsDigit(line[k]) && k - num < 6) ++k;
    if (k == num || k >= line.size() || line[k] != U'号') continue;
    *doc_year = y;
    return ToUtf8(line.substr(b, i - b)) + "〔" + std::to_string(y) + "〕" + ToUtf8(line.substr(num, k - num)) + "号";
  }
  return std::nullopt;
}

// The first http(s) URL of the raw text.
std::optional<Found> UrlIn(std::string_view raw) {
  std::size_t p = std::min(raw.find("https://"), raw.find("http://"));
  if (p == std::string_view::npos) return std::nullopt;
  std::size_t e = p;
  while (e < raw.size() && static_cast<unsigned char>(raw[e]) > 0x20 && static_cast<unsigned char>(raw[e]) < 0x7F &&
         std::string_view("\"'<>()[]{}`").find(raw[e]) == std::string_view::npos)
    ++e;
  while (e > p && std::string_view(".,;:!?").find(raw[e - 1]) != std::string_view::npos) --e;
  const int line = 1 + static_cast<int>(std::count(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(p), '\n'));
  return Found{std::string(raw.substr(p, e - p)), line};
}

bool IsHttpUrl(const std::string& u) {
  return (u.rfind("https://", 0) == 0 && u.size() > 8) || (u.rfind("http://", 0) == 0 && u.size() > 7);
}

}  // namespace

// ---- ParseHolidayNotice ---------------------------------------------------------------------

Result<CalendarYear> ParseHolidayNotice(std::string_view text, const NoticeImportOptions& options) {
  // The bytes.
  if (text.size() > kNoticeMaxTextBytes)
    return NoticeError(
        "文本 " + std::to_string(text.size()) + " 字节，超过上限 " + std::to_string(kNoticeMaxTextBytes) + " 字节",
        "text of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
            std::to_string(kNoticeMaxTextBytes) + " bytes");
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (const std::size_t bad = text::FindInvalidUtf8(text); bad != std::string_view::npos) {
    const int line =
        1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
    return LineError(
        line,
        "不是有效的 UTF-8 文本（第 " + std::to_string(bad + 1) + " 字节）；GB18030/GBK 编码的文本请先转换为 UTF-8",
        "not valid UTF-8 (byte " + std::to_string(bad + 1) + "); convert a GB18030/GBK text to UTF-8 first");
  }
  {
    int line = 1;
    std::size_t i = 0;
    while (i < text.size()) {
      const char32_t c = NextCodePoint(text, &i);
      if (c == U'\n') ++line;
      if ((c < 0x20 && c != U'\t' && c != U'\n' && c != U'\r') || (c >= 0x7F && c <= 0x9F)) {
        char code[16];
        std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
        return LineError(line, std::string("含控制字符 ") + code,
                         std::string("contains the control character ") + code);
      }
    }
  }
  const Normalized t = Normalize(text);
  if (std::all_of(t.s.begin(), t.s.end(), [](char32_t c) { return c == U'\n'; }))
    return NoticeError("文本为空", "the text is empty");

  // The lines, normalised.
  std::vector<std::pair<std::size_t, std::size_t>> lines;
  for (std::size_t b = 0;;) {
    std::size_t e = t.s.find(U'\n', b);
    if (e == std::u32string::npos) e = t.s.size();
    lines.emplace_back(b, e);
    if (e == t.s.size()) break;
    b = e + 1;
  }
  auto line_text = [&](std::size_t i) {
    return std::u32string_view(t.s).substr(lines[i].first, lines[i].second - lines[i].first);
  };
  auto line_no = [&](std::size_t i) {
    return lines[i].first < t.s.size() ? t.line[lines[i].first] : (t.line.empty() ? 1 : t.line.back() + 1);
  };

  // The paragraphs.
  std::vector<Paragraph> paragraphs = FindParagraphs(t);
  if (paragraphs.empty())
    return NoticeError("找不到放假安排的段落（应为“一、元旦：1月1日放假……”这样的编号段落）",
                       "no holiday paragraph found (numbered paragraphs such as \"一、元旦：1月1日放假……\")");
  if (paragraphs.size() > 20)
    return LineError(paragraphs[20].line, "段落超过 20 个", "more than 20 holiday paragraphs");
  SetEnds(t, &paragraphs);

  // The year.
  Found title;
  int title_year = 0, title_line = 0, body_year = 0, body_line = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::u32string_view l = line_text(i);
    if (title_line == 0 && Contains(l, U"节假日安排的通知") && l.size() <= 60) {
      // A title broken over two lines: "国务院办公厅关于2026年部分" / "节假日安排的通知".
      std::size_t first = i;
      if (!Contains(l, U"关于") && i > 0 && Contains(line_text(i - 1), U"关于") && line_text(i - 1).size() <= 40)
        first = i - 1;
      title_line = line_no(first);
      std::u32string whole;
      for (std::size_t k = first; k <= i; ++k) whole += line_text(k);
      title_year = YearAfter(whole, U"关于");
      std::string raw = RawSpan(t, text, lines[first].first, lines[i].second);
      for (const char* strip : {"《", "》", "。", "."}) {
        const std::string st(strip);
        if (raw.rfind(st, 0) == 0) raw.erase(0, st.size());
        if (raw.size() >= st.size() && raw.compare(raw.size() - st.size(), st.size(), st) == 0)
          raw.erase(raw.size() - st.size());
      }
      title = Found{raw, title_line};
    }
    if (const int y = body_line == 0 ? YearAfter(l, U"现将") : 0; y != 0) {
      body_year = y;
      body_line = line_no(i);
    }
  }
  if (title_year != 0 && body_year != 0 && title_year != body_year)
    return LineError(body_line,
                     "正文的年份 " + std::to_string(body_year) + " 与标题的年份 " + std::to_string(title_year) +
                         "（第 " + std::to_string(title_line) + " 行）不符",
                     "the year " + std::to_string(body_year) + " of the text does not match the year " +
                         std::to_string(title_year) + " of the title (line " + std::to_string(title_line) + ")");
  const int text_year = title_year != 0 ? title_year : body_year;
  const int text_year_line = title_year != 0 ? title_line : body_line;
  if (options.year != 0 && text_year != 0 && options.year != text_year)
    return LineError(
        text_year_line,
        "通知是 " + std::to_string(text_year) + " 年的，与指定的年份 " + std::to_string(options.year) +
            "（--year）不符",
        "the notice is for " + std::to_string(text_year) + ", not " + std::to_string(options.year) + " (--year)");
  const int year = options.year != 0 ? options.year : text_year;
  if (year == 0)
    return NoticeError(
        "找不到通知的年份（标题“国务院办公厅关于YYYY年部分节假日安排的通知”或正文“现将YYYY年……”）；"
        "请用 --year 指定",
        "the year of the notice was not found (title \"国务院办公厅关于YYYY年部分节假日安排的通知\" or "
        "\"现将YYYY年……\" in the text); pass --year");
  if (year < kCalendarMinYear || year > kCalendarMaxYear)
    return NoticeError("年份 " + std::to_string(year) + " 超出 " + std::to_string(kCalendarMinYear) + "–" +
                           std::to_string(kCalendarMaxYear),
                       "year " + std::to_string(year) + " outside " + std::to_string(kCalendarMinYear) + "-" +
                           std::to_string(kCalendarMaxYear));

  // Nothing that reads as an arrangement may lie outside the paragraphs.
  NoticeReader reader(t, text, year);
  {
    const std::size_t tail = paragraphs.back().end;
    for (auto [b, e] : {std::pair<std::size_t, std::size_t>{0, paragraphs.front().start}, {tail, t.s.size()}}) {
      Sentences part;
      (void)reader.Read(b, e, false, /*lenient=*/true, &part);
      if (!part.stray.empty())
        return LineError(part.stray.front().line,
                         "“" + reader.Written(part.stray.front()) +
                             "……”的放假或上班安排不在任何节日段落中（段落应以“一、元旦：”这样的标题开始）",
                         "the arrangement \"" + reader.Written(part.stray.front()) +
                             "...\" is not inside a holiday paragraph (a paragraph starts like \"一、元旦：\")");
    }
  }

  // Each paragraph.
  struct Parsed {
    HolidayPeriod period;
    int line = 0;
    std::vector<std::u32string> names;
    std::map<std::int32_t, int> off_line, work_line;  // date -> line
  };
  std::vector<Parsed> parsed;
  std::map<std::u32string, int> named;  // festival -> line of its paragraph
  for (const Paragraph& p : paragraphs) {
    Parsed h;
    h.line = p.line;
    const std::u32string_view name_text = std::u32string_view(t.s).substr(p.name_begin, p.name_end - p.name_begin);
    h.names = SplitNames(name_text);
    std::string en;
    for (const std::u32string& n : h.names) {
      const Festival* f = FindFestival(n);
      if (f == nullptr)
        return LineError(p.line, "未知的节日“" + Shorten(ToUtf8(n), 20) + "”（应为：" + KnownFestivalsZh() + "）",
                         "unknown festival \"" + Shorten(ToUtf8(n), 20) + "\" (known: " + KnownFestivalsZh() + ")");
      if (auto [it, fresh] = named.emplace(n, p.line); !fresh)
        return LineError(p.line,
                         std::string("节日“") + f->zh8 + "”重复（第 " + std::to_string(it->second) + " 行已有）",
                         std::string("festival ") + f->zh8 + " (" + f->en + ") appears twice (also line " +
                             std::to_string(it->second) + ")");
      en += (en.empty() ? "" : " and ") + std::string(f->en);
    }
    h.period.name_zh = ToUtf8(name_text);
    h.period.name_en = en;
    const bool new_year = std::find(h.names.begin(), h.names.end(), U"元旦") != h.names.end();
    h.period.notice = reader.Raw(p.start, p.end);
    if (h.period.notice.size() > 2000)
      return LineError(p.line, "段落超过 2000 字节", "the paragraph is longer than 2000 bytes");

    Sentences s;
    if (Status st = reader.Read(p.body_begin, p.end, new_year, /*lenient=*/false, &s); !st.ok()) return st;
    if (s.off.empty())
      return LineError(p.line, h.period.name_zh + "段落中没有放假日期（“……放假”）",
                       "the paragraph of " + en + " has no days off (\"……放假\")");

    // Days off: "与周末连休", the stated numbers, then all together consecutive.
    std::vector<DayRef> off;
    bool joined = false;
    for (OffGroup& g : s.off) {
      if (g.join) {
        joined = true;
        Date first = g.days.front().date, last = g.days.front().date;
        for (const DayRef& d : g.days) first = std::min(first, d.date), last = std::max(last, d.date);
        const bool has_weekend =
            std::any_of(g.days.begin(), g.days.end(), [](const DayRef& d) { return d.date.IsWeekend(); });
        std::vector<DayRef> added;
        for (Date d = first - 1; d.IsWeekend(); d = d - 1) added.push_back(DayRef{d, g.join_line});
        for (Date d = last + 1; d.IsWeekend(); d = d + 1) added.push_back(DayRef{d, g.join_line});
        if (added.empty() && !has_weekend)
          return LineError(g.join_line,
                           "“与周末连休”，但“" + g.written + "”（" + first.ToString() + " 至 " + last.ToString() +
                               "）不与周六、周日相邻",
                           "\"与周末连休\" (joined with the weekend), but \"" + g.written + "\" (" + first.ToString() +
                               " to " + last.ToString() + ") is next to no Saturday or Sunday");
        g.days.insert(g.days.end(), added.begin(), added.end());
      }
      for (const auto& [n, tok] : g.stated) {
        if (static_cast<std::size_t>(n) != g.days.size())
          return LineError(tok.line,
                           "“" + reader.Written(tok) + "”与放假日数不符：“" + g.written + "”共 " +
                               std::to_string(g.days.size()) + " 天",
                           "\"" + reader.Written(tok) + "\" says " + std::to_string(n) + " days, but \"" + g.written +
                               "\" is " + std::to_string(g.days.size()) + (g.days.size() == 1 ? " day" : " days"));
      }
      off.insert(off.end(), g.days.begin(), g.days.end());
    }
    for (const DayRef& d : off) {
      if (auto [it, fresh] = h.off_line.emplace(d.date.days(), d.line); !fresh)
        return LineError(
            d.line, "放假日 " + d.date.ToString() + " 重复（第 " + std::to_string(it->second) + " 行已列出）",
            "day off " + d.date.ToString() + " listed twice (also line " + std::to_string(it->second) + ")");
      if (d.date.year() != year && !(new_year && d.date.year() == year - 1))
        return LineError(d.line, "放假日 " + d.date.ToString() + " 不在 " + std::to_string(year) + " 年内",
                         "day off " + d.date.ToString() + " is not in " + std::to_string(year));
    }
    std::sort(off.begin(), off.end(), [](const DayRef& a, const DayRef& b) { return a.date < b.date; });
    // Consecutive, but a gap of Saturdays and Sundays is part of the period ("6月20日放假，6月22日
    // （星期一）补休" of a Saturday and a Monday: the Sunday between is off anyway).
    for (std::size_t i = 1; i < off.size(); ++i) {
      if (off[i].date == off[i - 1].date + 1) continue;
      bool weekend = true;
      for (Date d = off[i - 1].date + 1; d < off[i].date; d = d + 1) weekend = weekend && d.IsWeekend();
      if (!weekend)
        return LineError(
            off[i].line, "放假日不连续：" + off[i - 1].date.ToString() + " 之后是 " + off[i].date.ToString(),
            "the days off are not consecutive: " + off[i].date.ToString() + " follows " + off[i - 1].date.ToString());
      const DayRef fill{off[i - 1].date + 1, off[i].line};
      if (fill.date.year() != year && !(new_year && fill.date.year() == year - 1))
        return LineError(fill.line, "放假日 " + fill.date.ToString() + " 不在 " + std::to_string(year) + " 年内",
                         "day off " + fill.date.ToString() + " is not in " + std::to_string(year));
      h.off_line.emplace(fill.date.days(), fill.line);
      off.insert(off.begin() + static_cast<std::ptrdiff_t>(i), fill);
    }
    // Leading days of the previous December (元旦): a weekend adds nothing and is left out; a
    // weekday off belongs in the previous year's file.
    std::vector<Date> dropped;
    while (!off.empty() && off.front().date.year() == year - 1) {
      const DayRef d = off.front();
      if (!d.date.IsWeekend())
        return LineError(
            d.line,
            "放假日 " + d.date.ToString() + "（" + WeekdayZh(d.date.weekday()) + "）在 " + std::to_string(year - 1) +
                " 年，是工作日放假：应记入 " + std::to_string(year - 1) + " 年的日历文件（" + std::to_string(year - 1) +
                ".json），本文件只能包含 " + std::to_string(year) + " 年的日期",
            "day off " + d.date.ToString() + " (" + WeekdayName(d.date.weekday()) + ") is a weekday of " +
                std::to_string(year - 1) + ": the " + std::to_string(year - 1) + " file (" + std::to_string(year - 1) +
                ".json) must carry it; this file holds dates of " + std::to_string(year) + " only");
      dropped.push_back(d.date);
      h.off_line.erase(d.date.days());
      off.erase(off.begin());
    }
    if (off.empty())
      return LineError(p.line, h.period.name_zh + "段落在 " + std::to_string(year) + " 年内没有放假日",
                       "the paragraph of " + en + " has no day off in " + std::to_string(year));
    for (const DayRef& d : off) h.period.days_off.push_back(d.date);

    // Make-up working days.
    for (const DayRef& d : s.work) {
      if (d.date.year() == year - 1 && new_year)
        return LineError(d.line,
                         "调休上班日 " + d.date.ToString() + " 在 " + std::to_string(year - 1) + " 年：应记入 " +
                             std::to_string(year - 1) + " 年的日历文件（" + std::to_string(year - 1) +
                             ".json），本文件只能包含 " + std::to_string(year) + " 年的日期",
                         "make-up working day " + d.date.ToString() + " is in " + std::to_string(year - 1) + ": the " +
                             std::to_string(year - 1) + " file (" + std::to_string(year - 1) +
                             ".json) must carry it; this file holds dates of " + std::to_string(year) + " only");
      if (d.date.year() != year)
        return LineError(d.line, "调休上班日 " + d.date.ToString() + " 不在 " + std::to_string(year) + " 年内",
                         "make-up working day " + d.date.ToString() + " is not in " + std::to_string(year));
      if (!d.date.IsWeekend())
        return LineError(d.line,
                         "调休上班日 " + d.date.ToString() + " 是" + WeekdayZh(d.date.weekday()) + "，应为周六或周日",
                         "make-up working day " + d.date.ToString() + " is a " + WeekdayName(d.date.weekday()) +
                             ", not a Saturday or Sunday");
      if (auto [it, fresh] = h.work_line.emplace(d.date.days(), d.line); !fresh)
        return LineError(d.line,
                         "调休上班日 " + d.date.ToString() + " 重复（第 " + std::to_string(it->second) + " 行已列出）",
                         "make-up working day " + d.date.ToString() + " listed twice (also line " +
                             std::to_string(it->second) + ")");
      h.period.makeup_workdays.push_back(d.date);
    }
    std::sort(h.period.makeup_workdays.begin(), h.period.makeup_workdays.end());

    // Notes: the days left out, the sentences that are not arrangements.
    std::string note_zh, note_en;
    if (!dropped.empty()) {
      const auto [zh, en_days] = DayListText(dropped);
      const std::string py = std::to_string(year - 1);
      note_zh = (joined ? "与之连休的周末（" : "放假日中的周末（") + zh + "）属于" + py + "年，不在本文件中。";
      note_en = (joined ? "The weekend joined to it (" : "Its days off on the weekend (") + en_days + ") " +
                (joined ? "falls" : "fall") + " in " + py + " and " + (joined ? "is" : "are") + " not in this file.";
    }
    for (const auto& [b, e] : s.ignored) {
      const std::string sentence = Shorten(reader.Raw(b, e), 200);
      note_zh += std::string(note_zh.empty() ? "" : " ") + "未计入：“" + sentence +
                 "”不是放假或调休上班安排，其中的日期按通常的工作日与周末计。";
      note_en += std::string(note_en.empty() ? "" : " ") + "Not counted: \"" + sentence +
                 "\" is not a day off or a make-up working day; its dates count as usual.";
    }
    h.period.note_zh = Shorten(note_zh, 600);
    h.period.note_en = Shorten(note_en, 600);
    parsed.push_back(std::move(h));
  }

  // Across paragraphs: a date once.
  {
    std::map<std::int32_t, std::pair<int, bool>> seen;  // date -> line, is a make-up day
    for (const Parsed& h : parsed)
      for (const auto& [day, line] : h.off_line)
        if (auto [it, fresh] = seen.emplace(day, std::make_pair(line, false)); !fresh) {
          const Date d = Date::FromDays(day);
          const int first = std::min(line, it->second.first), second = std::max(line, it->second.first);
          return LineError(second, "放假日 " + d.ToString() + " 重复（第 " + std::to_string(first) + " 行已列出）",
                           "day off " + d.ToString() + " listed twice (also line " + std::to_string(first) + ")");
        }
    for (const Parsed& h : parsed)
      for (const auto& [day, line] : h.work_line)
        if (auto [it, fresh] = seen.emplace(day, std::make_pair(line, true)); !fresh) {
          const Date d = Date::FromDays(day);
          const std::string other = std::to_string(it->second.first);
          if (!it->second.second)
            return LineError(line, "调休上班日 " + d.ToString() + " 同时是放假日（第 " + other + " 行）",
                             "make-up working day " + d.ToString() + " is also a day off (line " + other + ")");
          return LineError(line, "调休上班日 " + d.ToString() + " 重复（第 " + other + " 行已列出）",
                           "make-up working day " + d.ToString() + " listed twice (also line " + other + ")");
        }
  }

  // The law: every festival has its paragraph, every statutory day is off.
  {
    Result<std::vector<StatutoryDay>> law = StatutoryDaysOff(year);
    if (!law.ok())
      return Status(StatusCode::kInvalidArgument,
                    "通知：无法对照放假办法检查法定假日 / notice: cannot check the statutory days against the holiday "
                    "law: " +
                        law.status().message());
    std::set<std::int32_t> off;
    for (const Parsed& h : parsed)
      for (Date d : h.period.days_off) off.insert(d.days());
    for (const StatutoryDay& d : law.value()) {
      std::u32string name;
      for (const Festival& f : kFestivals)
        if (d.festival_zh == f.zh8) name = f.zh;
      auto it = named.find(name);
      if (it == named.end())
        return NoticeError("缺少" + d.festival_zh + "的段落（法定假日 " + d.date.ToString() + "）",
                           "no paragraph for the " + d.festival_en + " (statutory day " + d.date.ToString() + ")");
      if (!off.count(d.date.days()))
        return LineError(
            it->second,
            d.festival_zh + "的法定假日 " + d.date.ToString() + "（" + WeekdayZh(d.date.weekday()) + "）不是放假日",
            "the statutory day " + d.date.ToString() + " (" + WeekdayName(d.date.weekday()) + ") of the " +
                d.festival_en + " is not a day off");
    }
  }

  // The source.
  CalendarYear out;
  out.year = year;
  out.source.title =
      title.value.empty() ? "国务院办公厅关于" + std::to_string(year) + "年部分节假日安排的通知" : title.value;
  if (title.value.size() > 200) return LineError(title.line, "标题超过 200 字节", "the title is longer than 200 bytes");
  out.source.issuer = "国务院办公厅";
  if (const std::size_t about = out.source.title.find("关于"); about != std::string::npos && about > 0 && about <= 30)
    out.source.issuer = out.source.title.substr(0, about);

  int doc_year = 0, doc_line = 0;
  if (!options.document_number.empty()) {
    const std::string& n = options.document_number;
    if (n.size() > 200 || !text::IsValidUtf8(n) || text::HasControlChar(n))
      return NoticeError("--document-number 无效（至多 200 字节、单行文本）",
                         "--document-number is invalid (at most 200 bytes, one line)");
    out.source.document_number = n;
    const Normalized nn = Normalize(n);
    (void)DocumentNumber(nn.s, &doc_year);
  } else {
    for (std::size_t i = 0; i < lines.size() && out.source.document_number.empty(); ++i)
      if (auto n = DocumentNumber(line_text(i), &doc_year)) {
        out.source.document_number = *n;
        doc_line = line_no(i);
      }
    if (out.source.document_number.empty())
      return NoticeError(
          "找不到发文字号（如“国办发明电〔" + std::to_string(year - 1) + "〕7号”）；请用 --document-number 指定",
          "no document number (such as \"国办发明电〔" + std::to_string(year - 1) +
              "〕7号\") found in the text; pass --document-number");
  }

  int published_line = 0;
  if (!options.published.empty()) {
    Result<Date> d = Date::Parse(options.published);
    if (!d.ok()) return Status(StatusCode::kInvalidArgument, "--published: " + d.status().message());
    out.source.published = d.value();
  } else {
    for (std::size_t i = lines.size(); i-- > 0;)
      if (auto d = DateLine(line_text(i))) {
        out.source.published = *d;
        published_line = line_no(i);
        break;
      }
    if (published_line == 0)
      return NoticeError("找不到文末的发文日期（如“2025年11月4日”）；请用 --published YYYY-MM-DD 指定",
                         "the date at the end of the notice (such as \"2025年11月4日\") was not found; pass "
                         "--published YYYY-MM-DD");
  }
  if (out.source.published.year() > year)
    return published_line
               ? LineError(published_line,
                           "发文日期 " + out.source.published.ToString() + " 晚于 " + std::to_string(year) + " 年",
                           "the notice date " + out.source.published.ToString() + " is after " + std::to_string(year))
               : NoticeError("发文日期 " + out.source.published.ToString() + "（--published）晚于 " +
                                 std::to_string(year) + " 年",
                             "the notice date " + out.source.published.ToString() + " (--published) is after " +
                                 std::to_string(year));
  if (doc_year != 0 && doc_year != out.source.published.year()) {
    const std::string zh = "发文字号“" + out.source.document_number + "”的年份 " + std::to_string(doc_year) +
                           " 与发文日期 " + out.source.published.ToString() + " 不符";
    const std::string en = "the year " + std::to_string(doc_year) +
                           " of the document number does not match the notice date " + out.source.published.ToString();
    return doc_line ? LineError(doc_line, zh, en)
                    : NoticeError(zh + "（--document-number）", en + " (--document-number)");
  }

  if (!options.url.empty()) {
    if (!IsHttpUrl(options.url) || options.url.size() > 500 || text::HasControlChar(options.url))
      return NoticeError("--url 应以 https:// 或 http:// 开头（至多 500 字节）",
                         "--url must start with https:// or http:// (at most 500 bytes)");
    out.source.url = options.url;
  } else if (auto u = UrlIn(text); u && IsHttpUrl(u->value)) {
    if (u->value.size() > 500) return LineError(u->line, "网址超过 500 字节", "the URL is longer than 500 bytes");
    out.source.url = u->value;
  } else {
    return NoticeError("文中没有通知的网址（https://www.gov.cn/…）；请用 --url 指定",
                       "the text has no URL of the notice (https://www.gov.cn/...); pass --url");
  }

  for (Parsed& h : parsed) out.holidays.push_back(std::move(h.period));
  std::sort(out.holidays.begin(), out.holidays.end(),
            [](const HolidayPeriod& a, const HolidayPeriod& b) { return a.days_off.front() < b.days_off.front(); });

  // The file it makes must load.
  const std::string name = std::to_string(year) + ".json";
  Result<CalendarYear> back = ParseCalendarYear(name, CalendarYearJson(out));
  if (!back.ok())
    return Status(StatusCode::kInvalidArgument,
                  "通知：生成的日历文件无法载入 / notice: the calendar file made from it does not load: " +
                      back.status().message());
  back.value().origin.clear();
  return back;
}

// ---- CalendarYearJson -----------------------------------------------------------------------

std::string CalendarYearJson(const CalendarYear& y) {
  auto str = [](const std::string& s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  auto dates = [](const std::vector<Date>& ds) {
    std::string out = "[";
    for (std::size_t i = 0; i < ds.size(); ++i) out += (i ? ", \"" : "\"") + ds[i].ToString() + "\"";
    return out + "]";
  };
  std::string out = "{\n";
  out += "  \"$schema\": \"../calendar.schema.json\",\n";
  out += "  \"format\": \"xj-calendar/1\",\n";
  out += "  \"year\": " + std::to_string(y.year) + ",\n";
  out += "  \"source\": {\n";
  out += "    \"issuer\": " + str(y.source.issuer) + ",\n";
  out += "    \"title\": " + str(y.source.title) + ",\n";
  out += "    \"document_number\": " + str(y.source.document_number) + ",\n";
  out += "    \"published\": \"" + y.source.published.ToString() + "\",\n";
  out += "    \"url\": " + str(y.source.url) + "\n";
  out += "  },\n";
  if (!y.note_zh.empty()) out += "  \"note_zh\": " + str(y.note_zh) + ",\n";
  if (!y.note_en.empty()) out += "  \"note_en\": " + str(y.note_en) + ",\n";
  out += "  \"holidays\": [";
  for (std::size_t i = 0; i < y.holidays.size(); ++i) {
    const HolidayPeriod& p = y.holidays[i];
    out += i ? ",\n    {\n" : "\n    {\n";
    out += "      \"name_zh\": " + str(p.name_zh) + ",\n";
    out += "      \"name_en\": " + str(p.name_en) + ",\n";
    out += "      \"days_off\": " + dates(p.days_off) + ",\n";
    out += "      \"makeup_workdays\": " + dates(p.makeup_workdays);
    if (!p.notice.empty()) out += ",\n      \"notice\": " + str(p.notice);
    if (!p.note_zh.empty()) out += ",\n      \"note_zh\": " + str(p.note_zh);
    if (!p.note_en.empty()) out += ",\n      \"note_en\": " + str(p.note_en);
    out += "\n    }";
  }
  out += y.holidays.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace xj
