// Open data for plugins: a table written as CSV (UTF-8 with a byte-order mark, or GB18030, for
// Excel), JSON Lines and Excel workbooks (.xlsx); an Atom 1.0 feed; conditional GET (ETag,
// Last-Modified, 304) for the routes that serve them (http.h); and the masking of personal
// numbers in free text.
//
//   xj::opendata::Table t;
//   t.columns = {{"uscc", "统一社会信用代码", "uscc"}, {"name", "名称", "name"}};
//   t.rows.push_back({"91330200MA2XXXXX0X", "宁波某某食品有限公司"});
//   auto csv = xj::opendata::WriteCsv(t, xj::opendata::CsvEncoding::kGb18030);
//   if (!csv.ok()) return csv.status();
//   http.response().body = std::move(csv).value();
//   http.response().content_type = xj::opendata::kCsvGb18030Type;
//   http.response().headers.emplace_back("Content-Disposition", xj::opendata::Attachment("results.csv"));
//   xj::opendata::AnswerConditional(http.request(), last_changed_us, &http.response());  // ETag, 304
//
// Everything here is header-only and pure except WriteXlsx, which asks the host
// (Platform::WriteXlsx, host API 9: the host links libxlsxwriter, a plugin links only the SDK).
// GB18030 uses the C library's iconv (glibc: no library to link).
//
// Text in, text out: every cell is UTF-8 text and stays text in every format (no number, date
// or formula is guessed from it). Bytes that are not UTF-8 become U+FFFD (�) everywhere, so
// every format carries the same characters. What each writer does with hostile text:
//   - CSV (RFC 4180, CRLF line ends): a field holding a comma, a quote, CR or LF is quoted with
//     quotes doubled; a field that begins with = + - @, a tab or a carriage return gets a
//     leading ' (OWASP's advice against formula injection) and is quoted. Only the CSV does
//     this: JSON Lines and .xlsx carry the text unchanged (an .xlsx string cell is never a
//     formula).
//   - GB18030: every Unicode character has a GB18030 code, but glibc's converter (Debian 12)
//     refuses 24 private-use characters (U+E78D–U+E796, U+E816–U+E818, U+E81E, U+E826, U+E82B,
//     U+E82C, U+E831, U+E832, U+E83B, U+E843, U+E854, U+E855, U+E864: the codes GB18030-2005
//     gave to characters Unicode encoded later; old systems used them for rare characters in
//     names). Such a character is written as the numeric character reference &#xE78D; (ASCII),
//     never dropped; CsvReport counts them. Only the GB18030 CSV does this.
//   - JSON Lines: one JSON object per row ("key": "text", in column order), control
//     characters escaped, non-ASCII text as UTF-8.
//   - Atom and XML: & < > " ' escaped; characters XML 1.0 cannot carry (C0 controls but tab,
//     LF and CR; U+FFFE, U+FFFF) become U+FFFD.
//
// Thread safety: pure functions over their arguments (WriteXlsx: as Platform::WriteXlsx, safe
// from any thread).
#pragma once

#include <iconv.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xinjian/digest.h"
#include "xinjian/http.h"
#include "xinjian/platform.h"
#include "xinjian/status.h"
#include "xinjian/text.h"

namespace xj::opendata {

// ---------------------------------------------------------------------------------------------
// Tables.

// One column: `key` names it in JSON Lines ([a-z][a-z0-9_]*); `zh` and `en` head it in CSV and
// .xlsx as "zh/en" (the way the command line heads its tables: "名称/name"). Give `en` the
// key's value when a program should find the key in the header: the part after the last '/'.
struct Column {
  std::string key;
  std::string zh;
  std::string en;
};

// Rows of text, each with exactly one cell per column.
struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;
};

// kInvalidArgument, bilingual, for a table without columns, a key that is empty, not
// [a-z][a-z0-9_]* or repeated, or a row whose number of cells is not the number of columns
// (naming the row, from 1).
inline Status CheckTable(const Table& table) {
  auto bad = [](const std::string& zh, const std::string& en) {
    return Status::Error(StatusCode::kInvalidArgument, zh, en);
  };
  if (table.columns.empty()) return bad("表格没有列", "the table has no columns");
  std::set<std::string> keys;
  for (const Column& c : table.columns) {
    bool ok = !c.key.empty() && c.key[0] >= 'a' && c.key[0] <= 'z';
    for (char ch : c.key) ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
    if (!ok) return bad("列名无效：" + c.key, "invalid column key: " + c.key);
    if (!keys.insert(c.key).second) return bad("列名重复：" + c.key, "repeated column key: " + c.key);
  }
  for (std::size_t i = 0; i < table.rows.size(); ++i)
    if (table.rows[i].size() != table.columns.size())
      return bad("第 " + std::to_string(i + 1) + " 行有 " + std::to_string(table.rows[i].size()) + " 个单元格，应为 " +
                     std::to_string(table.columns.size()),
                 "row " + std::to_string(i + 1) + " has " + std::to_string(table.rows[i].size()) + " cells, not " +
                     std::to_string(table.columns.size()));
  return Status::Ok();
}

// The header cell of a column: "zh/en".
inline std::string HeaderText(const Column& c) { return c.zh + "/" + c.en; }

// `s` with every byte that does not belong to well-formed UTF-8 replaced by U+FFFD; *replaced
// (when given) grows by their number.
inline std::string ValidUtf8(std::string_view s, std::size_t* replaced = nullptr) {
  std::size_t bad = utf8::FindInvalid(s);
  if (bad == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  while (bad != std::string_view::npos) {
    out.append(s.substr(0, bad));
    out.append("\xEF\xBF\xBD");
    if (replaced) ++*replaced;
    s.remove_prefix(bad + 1);
    bad = utf8::FindInvalid(s);
  }
  out.append(s);
  return out;
}

// True when a spreadsheet would read `cell` as a formula (or could be led to): it begins with
// = + - @, a tab or a carriage return (OWASP, "CSV Injection").
inline bool LooksLikeFormula(std::string_view cell) {
  if (cell.empty()) return false;
  const char c = cell.front();
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// ---------------------------------------------------------------------------------------------
// CSV.

enum class CsvEncoding {
  kUtf8Bom,  // UTF-8 with a byte-order mark: Excel opens it as UTF-8
  kGb18030,  // GB18030 without a mark: what Excel in a Chinese locale opens by default
};

inline constexpr const char* kCsvUtf8Type = "text/csv; charset=utf-8; header=present";
inline constexpr const char* kCsvGb18030Type = "text/csv; charset=gb18030; header=present";
inline constexpr const char* kJsonLinesType = "application/jsonl; charset=utf-8";
inline constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
inline constexpr const char* kAtomType = "application/atom+xml; charset=utf-8";

// What a writer changed so that the text could be written.
struct CsvReport {
  std::size_t replaced_invalid = 0;    // bytes that were not UTF-8, written as U+FFFD
  std::size_t escaped_unmappable = 0;  // characters GB18030 (glibc) cannot encode, written as &#xHHHH;
  std::size_t neutralised = 0;         // cells prefixed with ' against formula injection
};

// Appends one CSV field of UTF-8 text (RFC 4180 quoting, the formula prefix) to *out.
inline void AppendCsvField(std::string* out, std::string_view cell, CsvReport* report) {
  const std::string text = ValidUtf8(cell, report ? &report->replaced_invalid : nullptr);
  const bool neutralise = LooksLikeFormula(text);
  const bool quote = neutralise || text.find_first_of(",\"\r\n") != std::string::npos;
  if (neutralise && report) ++report->neutralised;
  if (!quote) {
    out->append(text);
    return;
  }
  out->push_back('"');
  if (neutralise) out->push_back('\'');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// UTF-8 text (well-formed) to GB18030 with glibc's iconv; a character the converter refuses is
// written as &#xHHHH; and counted in *escaped. kInternal when the converter is missing.
inline Result<std::string> Utf8ToGb18030(std::string_view utf8_text, std::size_t* escaped = nullptr) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1))
    return Status::Error(StatusCode::kInternal, "系统缺少 GB18030 转换器", "the system has no GB18030 converter");
  std::string out;
  out.resize(utf8_text.size() + utf8_text.size() / 2 + 16);
  char* in = const_cast<char*>(utf8_text.data());
  std::size_t in_left = utf8_text.size();
  std::size_t used = 0;
  Status failure;
  while (in_left > 0) {
    char* op = out.data() + used;
    std::size_t out_left = out.size() - used;
    const std::size_t r = iconv(cd, &in, &in_left, &op, &out_left);
    used = out.size() - out_left;
    if (r != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    if (errno == EILSEQ || errno == EINVAL) {
      // A well-formed character the converter has no code for (or a cut sequence: not for
      // well-formed input). Its code point, as a character reference in ASCII.
      const auto* p = reinterpret_cast<const unsigned char*>(in);
      std::size_t len = 1;
      std::uint32_t cp = p[0];
      if (p[0] >= 0xF0) len = 4, cp = p[0] & 0x07;
      else if (p[0] >= 0xE0) len = 3, cp = p[0] & 0x0F;
      else if (p[0] >= 0xC0) len = 2, cp = p[0] & 0x1F;
      if (len > in_left) len = in_left;
      for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[k] & 0x3F);
      char ref[16];
      const int n = std::snprintf(ref, sizeof ref, "&#x%X;", static_cast<unsigned>(cp));
      out.resize(used);
      out.append(ref, static_cast<std::size_t>(n));
      used = out.size();
      out.resize(used + in_left + in_left / 2 + 16);
      in += len;
      in_left -= len;
      if (escaped) ++*escaped;
      continue;
    }
    failure = Status::Error(StatusCode::kInternal, "GB18030 转换失败", "the GB18030 conversion failed");
    break;
  }
  iconv_close(cd);
  if (!failure.ok()) return failure;
  out.resize(used);
  return out;
}

// The table as CSV: a header row of "zh/en" cells, then the rows; CRLF after each record. UTF-8
// starts with the byte-order mark EF BB BF. kInvalidArgument for a table CheckTable refuses.
inline Result<std::string> WriteCsv(const Table& table, CsvEncoding encoding, CsvReport* report = nullptr) {
  if (Status st = CheckTable(table); !st.ok()) return st;
  const bool utf8 = encoding == CsvEncoding::kUtf8Bom;
  std::string text = utf8 ? "\xEF\xBB\xBF" : "";
  auto record = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) text.push_back(',');
      AppendCsvField(&text, cells[i], report);
    }
    text.append("\r\n");
  };
  std::vector<std::string> header;
  for (const Column& c : table.columns) header.push_back(HeaderText(c));
  record(header);
  for (const auto& row : table.rows) record(row);
  if (utf8) return text;
  return Utf8ToGb18030(text, report ? &report->escaped_unmappable : nullptr);
}

// ---------------------------------------------------------------------------------------------
// JSON Lines.

// `s` as a JSON string, quotes included, appended to `*out`: " and \ escaped, control
// characters as \b \f \n \r \t or \u00XX, U+2028 and U+2029 as \u2028 \u2029, anything else
// as UTF-8 (invalid bytes as U+FFFD). For answers built as text on a hot path (no allocation
// for text that is valid UTF-8).
inline void AppendJsonString(std::string* out, std::string_view s) {
  std::string fixed;
  if (utf8::FindInvalid(s) != std::string_view::npos) {
    fixed = ValidUtf8(s);
    s = fixed;
  }
  out->push_back('"');
  // The bytes between two that need escaping go in as one run (most strings are one run).
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F && c != 0xE2) continue;
    const bool line_separator =
        c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9);
    if (c == 0xE2 && !line_separator) continue;
    out->append(s.data() + run, i - run);
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case 0xE2:
        *out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
        i += 2;
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        *out += buf;
      }
    }
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

// `s` as a JSON string, quotes included (AppendJsonString).
inline std::string JsonString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonString(&out, s);
  return out;
}

// The table as JSON Lines (https://jsonlines.org): one object per row, {"key": "text", …} in
// column order, each ended by LF; no header line. kInvalidArgument for a table CheckTable
// refuses.
inline Result<std::string> WriteJsonLines(const Table& table) {
  if (Status st = CheckTable(table); !st.ok()) return st;
  std::vector<std::string> keys;
  for (const Column& c : table.columns) keys.push_back(JsonString(c.key));
  std::string out;
  for (const auto& row : table.rows) {
    out.push_back('{');
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out.append(", ");
      out.append(keys[i]);
      out.append(": ");
      out.append(JsonString(row[i]));
    }
    out.append("}\n");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Excel workbooks (through the host).

struct XlsxOptions {
  // The sheet's name: 1 to 31 characters, none of [ ] : * ? / \ (Excel's rule).
  std::string sheet_name = "data";
  std::string title;  // the workbook's title property ("" for none)
  // The workbook's creation time in its properties (UTC epoch microseconds; 0: 1980-01-01).
  // Pass the data's last-changed instant: the same table and options then give the same bytes,
  // so a strong ETag of them stays valid.
  std::int64_t created_us = 0;
};

// The table as an Excel workbook (.xlsx): one sheet, the header row ("zh/en", bold, frozen,
// with a filter), every cell a string (never a number, a date or a formula), column widths from
// the text. Asks the host (Platform::WriteXlsx): see there for the errors.
inline Result<std::string> WriteXlsx(Platform& platform, const Table& table, const XlsxOptions& options = {}) {
  if (Status st = CheckTable(table); !st.ok()) return st;
  return platform.WriteXlsx(table, options);
}

// ---------------------------------------------------------------------------------------------
// Dates.

namespace detail {
// Days since 1970-01-01 to the civil date (proleptic Gregorian), and back (H. Hinnant's
// algorithms).
inline void CivilFromDays(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2);
}
inline std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
inline std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace detail

// An instant (UTC epoch microseconds) in RFC 3339, UTC, whole seconds: "2026-11-23T01:00:00Z".
inline std::string Rfc3339(std::int64_t us) {
  const std::int64_t s = detail::FloorDiv(us, 1000000);
  const std::int64_t days = detail::FloorDiv(s, 86400), sod = s - days * 86400;
  std::int64_t y;
  unsigned m, d;
  detail::CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                static_cast<long long>(sod % 60));
  return buf;
}

// An instant as an HTTP date (RFC 9110 IMF-fixdate, always GMT): "Mon, 23 Nov 2026 01:00:00 GMT".
inline std::string HttpDate(std::int64_t us) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t s = detail::FloorDiv(us, 1000000);
  const std::int64_t days = detail::FloorDiv(s, 86400), sod = s - days * 86400;
  std::int64_t y;
  unsigned m, d;
  detail::CivilFromDays(days, &y, &m, &d);
  const auto wd = static_cast<std::size_t>(((days % 7) + 7) % 7);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02lld:%02lld:%02lld GMT", kDays[wd], d, kMonths[m - 1],
                static_cast<long long>(y), static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                static_cast<long long>(sod % 60));
  return buf;
}

// An HTTP date in any of the three forms RFC 9110 (section 5.6.7) makes a recipient accept:
// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" (a
// two-digit year is 19xx or 20xx, whichever is not more than 50 years ahead of 2000… read as
// 1970–2069) and asctime "Sun Nov  6 08:49:37 1994". Returns UTC epoch seconds, or nullopt for
// anything else (the caller then ignores the header, as RFC 9110 says). The weekday is not
// checked against the date.
inline std::optional<std::int64_t> ParseHttpDate(std::string_view s) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto digits = [&](std::string_view t, std::size_t n, int* out) {
    if (t.size() < n) return false;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return true;
  };
  auto month = [&](std::string_view t, int* out) {
    for (int i = 0; i < 12; ++i)
      if (t.substr(0, 3) == kMonths[i]) {
        *out = i + 1;
        return true;
      }
    return false;
  };
  // "HH:MM:SS"
  auto clock = [&](std::string_view t, int* h, int* mi, int* se) {
    return t.size() == 8 && t[2] == ':' && t[5] == ':' && digits(t, 2, h) && digits(t.substr(3), 2, mi) &&
           digits(t.substr(6), 2, se) && *h < 24 && *mi < 60 && *se < 61;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  const std::size_t comma = s.find(',');
  if (comma == 3) {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (29 characters).
    if (s.size() != 29 || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s.substr(25) != " GMT")
      return std::nullopt;
    if (!digits(s.substr(5), 2, &d) || !month(s.substr(8, 3), &mo) || !digits(s.substr(12), 4, &y) ||
        !clock(s.substr(17, 8), &h, &mi, &se))
      return std::nullopt;
  } else if (comma != std::string_view::npos && comma >= 6 && comma <= 9) {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT".
    std::string_view t = s.substr(comma + 1);
    if (t.size() != 23 || t[0] != ' ' || t[3] != '-' || t[7] != '-' || t[10] != ' ' || t.substr(19) != " GMT")
      return std::nullopt;
    int yy = 0;
    if (!digits(t.substr(1), 2, &d) || !month(t.substr(4, 3), &mo) || !digits(t.substr(8), 2, &yy) ||
        !clock(t.substr(11, 8), &h, &mi, &se))
      return std::nullopt;
    y = yy < 70 ? 2000 + yy : 1900 + yy;
  } else if (comma == std::string_view::npos) {
    // asctime: "Sun Nov  6 08:49:37 1994" (24 characters; the day padded with a space).
    if (s.size() != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ') return std::nullopt;
    if (!month(s.substr(4, 3), &mo)) return std::nullopt;
    const std::string day = s[8] == ' ' ? std::string("0") + s[9] : std::string(s.substr(8, 2));
    if (!digits(day, 2, &d) || !clock(s.substr(11, 8), &h, &mi, &se) || !digits(s.substr(20), 4, &y))
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  static constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d < 1 || d > kDaysIn[mo - 1] || (mo == 2 && d == 29 && !leap)) return std::nullopt;
  return detail::DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 +
         (se > 59 ? 59 : se);
}

// ---------------------------------------------------------------------------------------------
// XML and Atom 1.0 (RFC 4287).

// `s` as XML 1.0 character data or attribute value: & < > " ' as entities; characters XML
// cannot carry (C0 controls except tab, LF, CR; U+FFFE and U+FFFF) and bytes that are not
// UTF-8 as U+FFFD.
inline std::string XmlEscape(std::string_view s) {
  const std::string text = ValidUtf8(s);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += "\xEF\xBF\xBD";
        } else if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
                   (static_cast<unsigned char>(text[i + 2]) == 0xBE || static_cast<unsigned char>(text[i + 2]) == 0xBF)) {
          out += "\xEF\xBF\xBD";  // U+FFFE, U+FFFF
          i += 2;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

// A stable, absolute entry or feed id for `key` in `space`: "urn:uuid:" and an RFC 9562
// version 8 UUID made of the SHA-256 of space, LF, key. The same pair gives the same id on every
// machine and at every later date, and needs no host name (RFC 4287 wants ids that never
// change, and a site's address can).
inline std::string StableId(std::string_view space, std::string_view key) {
  digest::Sha256 h;
  h.Update(space);
  h.Update("\n");
  h.Update(key);
  auto b = h.Final();
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x80);  // version 8
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "urn:uuid:";
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

struct AtomEntry {
  std::string id;       // an absolute IRI that never changes (StableId)
  std::string title;    // plain text
  std::string summary;  // plain text ("" for none)
  std::string link;     // the entry's page or resource (rel="alternate"); may be relative
  std::int64_t updated_us = 0;
  std::int64_t published_us = 0;  // 0: none
  std::vector<std::string> categories;  // terms
};

struct AtomFeed {
  std::string id;         // an absolute IRI that never changes (StableId)
  std::string title;      // plain text
  std::string subtitle;   // plain text ("" for none)
  std::string self_link;  // where the feed is served (rel="self"); may be relative
  std::string alternate_link;  // "" for none
  std::string author;     // the feed's author (every entry inherits it; Atom wants one)
  std::int64_t updated_us = 0;  // the latest change; use the newest entry's updated
  std::vector<AtomEntry> entries;
};

// The feed as an Atom 1.0 document (RFC 4287): UTF-8, every text construct type="text" and
// escaped (XmlEscape), dates in RFC 3339 (UTC). The caller orders the entries (newest first).
inline std::string WriteAtom(const AtomFeed& feed) {
  std::string x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  auto element = [&](const char* indent, const char* name, const std::string& text, bool typed) {
    x += indent;
    x += "<";
    x += name;
    if (typed) x += " type=\"text\"";
    x += ">" + XmlEscape(text) + "</" + name + ">\n";
  };
  element("  ", "id", feed.id, false);
  element("  ", "title", feed.title, true);
  if (!feed.subtitle.empty()) element("  ", "subtitle", feed.subtitle, true);
  element("  ", "updated", Rfc3339(feed.updated_us), false);
  x += "  <author><name>" + XmlEscape(feed.author) + "</name></author>\n";
  if (!feed.self_link.empty())
    x += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" + XmlEscape(feed.self_link) + "\"/>\n";
  if (!feed.alternate_link.empty()) x += "  <link rel=\"alternate\" href=\"" + XmlEscape(feed.alternate_link) + "\"/>\n";
  x += "  <generator>XinJian</generator>\n";
  for (const AtomEntry& e : feed.entries) {
    x += "  <entry>\n";
    element("    ", "id", e.id, false);
    element("    ", "title", e.title, true);
    element("    ", "updated", Rfc3339(e.updated_us), false);
    if (e.published_us != 0) element("    ", "published", Rfc3339(e.published_us), false);
    if (!e.link.empty()) x += "    <link rel=\"alternate\" href=\"" + XmlEscape(e.link) + "\"/>\n";
    for (const std::string& c : e.categories) x += "    <category term=\"" + XmlEscape(c) + "\"/>\n";
    if (!e.summary.empty()) element("    ", "summary", e.summary, true);
    x += "  </entry>\n";
  }
  x += "</feed>\n";
  return x;
}

// ---------------------------------------------------------------------------------------------
// Conditional GET (RFC 9110 section 13) and downloads.

// A strong entity tag of the representation's bytes: the quoted hex SHA-256 of `body`.
inline std::string StrongEtag(std::string_view body) { return "\"" + digest::Sha256Hex(body) + "\""; }

// True when the If-None-Match field value `field` matches `etag` (a quoted entity tag): "*", or
// a comma-separated list holding an entity tag whose opaque part equals etag's (the weak
// comparison RFC 9110 section 13.1.2 prescribes: a W/ prefix on either side does not matter).
// A malformed member matches nothing.
inline bool IfNoneMatchMatches(std::string_view field, std::string_view etag) {
  auto trim = [](std::string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    return t;
  };
  auto opaque = [](std::string_view t) -> std::optional<std::string_view> {
    if (t.size() >= 2 && t[0] == 'W' && t[1] == '/') t.remove_prefix(2);
    if (t.size() < 2 || t.front() != '"' || t.back() != '"') return std::nullopt;
    t = t.substr(1, t.size() - 2);
    if (t.find('"') != std::string_view::npos) return std::nullopt;
    return t;
  };
  field = trim(field);
  if (field == "*") return !etag.empty();
  const auto mine = opaque(etag);
  if (!mine) return false;
  while (!field.empty()) {
    const std::size_t comma = field.find(',');
    const auto theirs = opaque(trim(field.substr(0, comma)));
    if (theirs && *theirs == *mine) return true;
    if (comma == std::string_view::npos) break;
    field.remove_prefix(comma + 1);
  }
  return false;
}

// True when a GET with these request headers (names in lower case, as HttpRequest has them)
// may be answered 304 Not Modified for a representation with `etag` ("" for none) last changed
// at `last_modified_us` (0 for unknown): RFC 9110 section 13.2.2 for GET. If-None-Match, when
// present, decides alone (If-Modified-Since is then ignored); otherwise If-Modified-Since, when
// a valid HTTP date, answers 304 when the representation has not changed after it (compared in
// whole seconds, the precision of HTTP dates). An invalid date is ignored.
inline bool NotModified(const std::map<std::string, std::string>& headers, std::string_view etag,
                        std::int64_t last_modified_us) {
  if (auto inm = headers.find("if-none-match"); inm != headers.end()) return IfNoneMatchMatches(inm->second, etag);
  if (last_modified_us <= 0) return false;
  auto ims = headers.find("if-modified-since");
  if (ims == headers.end()) return false;
  const std::optional<std::int64_t> since = ParseHttpDate(ims->second);
  return since && detail::FloorDiv(last_modified_us, 1000000) <= *since;
}

// Finishes a 200 response of a GET for conditional requests: sets ETag (StrongEtag of the
// body), Last-Modified (HttpDate of last_modified_us, when above 0) and Cache-Control ("public,
// no-cache": caches keep it and ask again each time, with the validators), then, when the
// request's headers say the client's copy is current (NotModified), turns it into 304 Not
// Modified with an empty body and the same validators. Returns true for a 304. A response that
// is not a 200 is left alone (false).
inline bool AnswerConditional(const HttpRequest& request, std::int64_t last_modified_us, HttpResponse* response) {
  if (response->status != 200) return false;
  const std::string etag = StrongEtag(response->body);
  response->headers.emplace_back("ETag", etag);
  if (last_modified_us > 0) response->headers.emplace_back("Last-Modified", HttpDate(last_modified_us));
  response->headers.emplace_back("Cache-Control", "public, no-cache");
  if (!NotModified(request.headers, etag, last_modified_us)) return false;
  response->status = 304;
  response->body.clear();
  return true;
}

// A Content-Disposition value that makes a browser save the body as `filename`: attachment;
// filename="…" with characters outside [A-Za-z0-9._-] replaced by '_' (a name is never a path
// or a header injection).
inline std::string Attachment(std::string_view filename) {
  std::string safe;
  for (char c : filename)
    safe.push_back(((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_')
                       ? c
                       : '_');
  if (safe.empty() || safe[0] == '.') safe.insert(safe.begin(), '_');
  return "attachment; filename=\"" + safe + "\"";
}

// ---------------------------------------------------------------------------------------------
// Personal numbers in free text.

// `text` with the personal numbers a person may have typed into free text (findings, reasons)
// masked, for anything served to the public:
//   - resident ID numbers (GB 11643): 18 characters, 17 digits and a digit or X with a valid
//     ISO 7064 MOD 11-2 check and a birth date of 1900–2099; and the old 15-digit ones with a
//     valid date. The first 6 and last 4 characters of an 18-character number are kept
//     ("330225********123X", as the host masks them), of a 15-digit one the last 2;
//   - mainland mobile numbers: 11 digits 1[3-9]…, kept as "138****5678".
// A number counts when its digits stand alone: a run of ASCII digits (and the final X of an ID
// number) with no digit before or after it, whatever surrounds it ("身份证号330225…", "ID:…",
// "ID330225…"). Longer or shorter runs (a bank account, a case number) are unchanged, as is
// everything else; the result is as long as the input.
inline std::string MaskPersonalNumbers(std::string_view text) {
  std::string out(text);
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) v = v * 10 + (out[at + k] - '0');
    return v;
  };
  auto valid_date = [](int y, int m, int d) {
    static constexpr int kDaysIn[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m >= 1 && m <= 12 && d >= 1 && d <= kDaysIn[m - 1] &&
           !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
  };
  std::size_t i = 0;
  while (i < out.size()) {
    if (!is_digit(out[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < out.size() && is_digit(out[j])) ++j;
    std::size_t n = j - i;
    if (n == 17 && j < out.size() && (out[j] == 'X' || out[j] == 'x')) ++j, ++n;
    if (n == 18) {
      static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
      static constexpr char kCheck[] = "10X98765432";
      int sum = 0;
      for (std::size_t k = 0; k < 17; ++k) sum += (out[i + k] - '0') * kWeights[k];
      const char got = out[i + 17] == 'x' ? 'X' : out[i + 17];
      const int y = num(i + 6, 4);
      if (got == kCheck[sum % 11] && y >= 1900 && y <= 2099 && valid_date(y, num(i + 10, 2), num(i + 12, 2)))
        for (std::size_t k = i + 6; k < i + 14; ++k) out[k] = '*';
    } else if (n == 15 && valid_date(1900 + num(i + 6, 2), num(i + 8, 2), num(i + 10, 2))) {
      for (std::size_t k = i; k < i + 13; ++k) out[k] = '*';
    } else if (n == 11 && out[i] == '1' && out[i + 1] >= '3') {
      for (std::size_t k = i + 3; k < i + 7; ++k) out[k] = '*';
    }
    i = j;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Downloads: one table, the format the route was asked for.

enum class DownloadFormat { kCsv, kJsonLines, kXlsx };

struct DownloadOptions {
  std::string basename;    // the file's name without its extension ("results", "tasks")
  bool gb18030 = false;    // kCsv: GB18030 (name ending -gb18030.csv), else UTF-8 with a BOM
  XlsxOptions xlsx;        // kXlsx: sheet name, title, created_us (pass the last change)
};

// `table` written into `response` as a download: its body, its Content-Type and a
// Content-Disposition naming `basename` with the format's ending. The caller adds paging links
// and then AnswerConditional. Errors as the writers'.
inline Status WriteDownload(Platform& platform, const Table& table, DownloadFormat format,
                            const DownloadOptions& options, HttpResponse* response) {
  std::string filename = options.basename;
  if (format == DownloadFormat::kCsv) {
    auto csv = WriteCsv(table, options.gb18030 ? CsvEncoding::kGb18030 : CsvEncoding::kUtf8Bom);
    if (!csv.ok()) return csv.status();
    response->body = std::move(csv).value();
    response->content_type = options.gb18030 ? kCsvGb18030Type : kCsvUtf8Type;
    filename += options.gb18030 ? "-gb18030.csv" : ".csv";
  } else if (format == DownloadFormat::kJsonLines) {
    auto lines = WriteJsonLines(table);
    if (!lines.ok()) return lines.status();
    response->body = std::move(lines).value();
    response->content_type = kJsonLinesType;
    filename += ".jsonl";
  } else {
    auto book = WriteXlsx(platform, table, options.xlsx);
    if (!book.ok()) return book.status();
    response->body = std::move(book).value();
    response->content_type = kXlsxType;
    filename += ".xlsx";
  }
  response->headers.emplace_back("Content-Disposition", Attachment(filename));
  return Status::Ok();
}

}  // namespace xj::opendata
