#include "calendar.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "embedded.h"
#include "text.h"

namespace xj {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
std::int32_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(std::int32_t days, int* y, int* m, int* d) {
  const std::int64_t z = static_cast<std::int64_t>(days) + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t dd = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t mm = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yoe + era * 400 + (mm <= 2 ? 1 : 0));
  *m = static_cast<int>(mm);
  *d = static_cast<int>(dd);
}

const char* const kMonthsEn[] = {"January", "February", "March",     "April",   "May",      "June",
                                 "July",    "August",   "September", "October", "November", "December"};

// ---- Parsing one year's file -------------------------------------------------------------

// Thrown by the parser callback to stop at a duplicate key or too deep a nesting.
struct JsonShapeError {
  std::string zh, en;
};

class FileChecker {
 public:
  explicit FileChecker(std::string_view name) : name_(name) {}

  Status Fail(const std::string& where, const std::string& zh, const std::string& en) const {
    const std::string at = where.empty() ? "" : where + ": ";
    return Status::Error(StatusCode::kInvalidArgument, "工作日历文件 " + name_ + "：" + at + zh,
                         "calendar file " + name_ + ": " + at + en);
  }

  // Refuses keys other than `allowed`.
  Status OnlyKeys(const nlohmann::json& obj, const std::string& where,
                  std::initializer_list<const char*> allowed) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool known = false;
      for (const char* a : allowed) known = known || it.key() == a;
      if (!known) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        return Fail(where, "未知字段 '" + Printable(it.key()) + "'（允许：" + list + "）",
                    "unknown key '" + Printable(it.key()) + "' (allowed: " + list + ")");
      }
    }
    return Status::Ok();
  }

  // A string member: required or optional (absent -> ""), at most `max_bytes`, one line.
  Status Text(const nlohmann::json& obj, const std::string& where, const char* key, bool required,
              std::size_t max_bytes, std::string* out) const {
    const std::string at = Join(where, key);
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) return Fail(where, std::string("缺少字段 '") + key + "'", std::string("missing key '") + key + "'");
      out->clear();
      return Status::Ok();
    }
    if (!it->is_string()) return Fail(at, "应为字符串", "must be a string");
    const auto& s = it->get_ref<const std::string&>();
    if (required && s.empty()) return Fail(at, "不能为空", "must not be empty");
    if (s.size() > max_bytes)
      return Fail(at, "超过 " + std::to_string(max_bytes) + " 字节",
                  "longer than " + std::to_string(max_bytes) + " bytes");
    if (!text::IsValidUtf8(s) || text::HasControlChar(s))
      return Fail(at, "含无效的 UTF-8 或控制字符", "invalid UTF-8 or a control character");
    *out = s;
    return Status::Ok();
  }

  Result<Date> DateValue(const nlohmann::json& v, const std::string& at) const {
    if (!v.is_string()) return Fail(at, "日期应为 \"YYYY-MM-DD\" 字符串", "a date must be a \"YYYY-MM-DD\" string");
    const auto& text = v.get_ref<const std::string&>();
    Result<Date> d = Date::Parse(text);
    if (!d.ok())
      return Fail(at, "'" + Printable(text) + "' 不是 YYYY-MM-DD 格式的有效日期",
                  "'" + Printable(text) + "' is not a valid YYYY-MM-DD date");
    return d;
  }

  // A list of dates, each inside `year`, at most `max_items`.
  Status Dates(const nlohmann::json& obj, const std::string& where, const char* key, int year, std::size_t min_items,
               std::size_t max_items, std::vector<Date>* out) const {
    const std::string at = Join(where, key);
    auto it = obj.find(key);
    if (it == obj.end())
      return Fail(where, std::string("缺少字段 '") + key + "'", std::string("missing key '") + key + "'");
    if (!it->is_array()) return Fail(at, "应为日期数组", "must be an array of dates");
    if (it->size() < min_items) return Fail(at, "不能为空", "must not be empty");
    if (it->size() > max_items)
      return Fail(at, "超过 " + std::to_string(max_items) + " 个日期",
                  "more than " + std::to_string(max_items) + " dates");
    out->clear();
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string item_at = at + "[" + std::to_string(i) + "]";
      Result<Date> d = DateValue((*it)[i], item_at);
      if (!d.ok()) return d.status();
      if (d->year() != year)
        return Fail(item_at, "日期 " + d->ToString() + " 不在 " + std::to_string(year) + " 年内",
                    "date " + d->ToString() + " is not in " + std::to_string(year));
      out->push_back(d.value());
    }
    return Status::Ok();
  }

  static std::string Join(const std::string& where, const char* key) {
    return where.empty() ? std::string(key) : where + "." + key;
  }
  // A key as shown in a message: at most 64 bytes, control characters replaced.
  static std::string Printable(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 64)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (s.size() > 64) out += "...";
    return out;
  }

 private:
  std::string name_;
};

// The last path component.
std::string_view BaseName(std::string_view path) {
  auto slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// 2025 for "2025.json", 0 when the name is not four digits and ".json".
int YearOfFileName(std::string_view base) {
  if (base.size() != 9 || base.substr(4) != ".json") return 0;
  int y = 0;
  for (int i = 0; i < 4; ++i) {
    if (base[i] < '0' || base[i] > '9') return 0;
    y = y * 10 + (base[i] - '0');
  }
  return y;
}

}  // namespace

// ---- Date ----------------------------------------------------------------------------------

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

const char* WeekdayZh(int wd) {
  static const char* const kNames[] = {"周一", "周二", "周三", "周四", "周五", "周六", "周日"};
  return wd >= 1 && wd <= 7 ? kNames[wd - 1] : "?";
}

const char* WeekdayEn(int wd) {
  static const char* const kNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  return wd >= 1 && wd <= 7 ? kNames[wd - 1] : "?";
}

Result<Date> Date::FromYmd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    const std::string ymd = std::to_string(year) + "-" + std::to_string(month) + "-" + std::to_string(day);
    return Status::Error(StatusCode::kInvalidArgument, "不是有效的日期：" + ymd, "not a calendar date: " + ymd);
  }
  return FromDays(DaysFromCivil(year, month, day));
}

Result<Date> Date::Parse(std::string_view s) {
  auto bad = [&] {
    std::string shown(s.substr(0, 40));
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return Status::Error(StatusCode::kInvalidArgument, "日期应为 YYYY-MM-DD 格式的有效日期，实际为 '" + shown + "'",
                         "a date must be a valid YYYY-MM-DD, got '" + shown + "'");
  };
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return bad();
  auto num = [&](std::size_t pos, std::size_t len, int* out) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!num(0, 4, &y) || !num(5, 2, &m) || !num(8, 2, &d)) return bad();
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return bad();
  return FromDays(DaysFromCivil(y, m, d));
}

void Date::ToYmd(int* y, int* m, int* d) const { CivilFromDays(days_, y, m, d); }

int Date::year() const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  return y;
}
int Date::month() const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  return m;
}
int Date::day() const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  return d;
}

int Date::weekday() const {
  // 1970-01-01 was a Thursday (ISO 4).
  const int r = static_cast<int>(((static_cast<std::int64_t>(days_) % 7) + 7) % 7);
  return (r + 3) % 7 + 1;
}

std::string Date::ToString() const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

// ---- One year's file ------------------------------------------------------------------------

Result<CalendarYear> ParseCalendarYear(std::string_view name, std::string_view json) {
  FileChecker c(name);
  const int file_year = YearOfFileName(BaseName(name));
  if (file_year == 0) return c.Fail("", "文件名应为 YYYY.json", "the file name must be YYYY.json");
  if (json.size() > kCalendarMaxFileBytes)
    return c.Fail(
        "", "文件大小 " + std::to_string(json.size()) + " 字节，超过上限 " + std::to_string(kCalendarMaxFileBytes),
        "file of " + std::to_string(json.size()) + " bytes exceeds the limit of " +
            std::to_string(kCalendarMaxFileBytes));

  // Duplicate keys (which nlohmann would silently resolve to the last one) and nesting
  // deeper than the format has are refused while parsing.
  std::vector<std::set<std::string>> keys;
  auto callback = [&keys](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (depth > 4) throw JsonShapeError{"嵌套层次过深", "nested too deeply"};
    if (event == E::object_start) {
      keys.emplace_back();
    } else if (event == E::object_end) {
      if (!keys.empty()) keys.pop_back();
    } else if (event == E::key && !keys.empty()) {
      const auto& k = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(k).second)
        throw JsonShapeError{"字段 '" + FileChecker::Printable(k) + "' 重复",
                             "duplicate key '" + FileChecker::Printable(k) + "'"};
    }
    return true;
  };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json.begin(), json.end(), callback);
  } catch (const JsonShapeError& e) {
    return c.Fail("", e.zh, e.en);
  } catch (const nlohmann::json::exception& e) {
    // The parser's message may quote the offending bytes: keep it printable.
    std::string what = e.what();
    if (!text::IsValidUtf8(what) || text::HasControlChar(what))
      for (char& ch : what)
        if (static_cast<unsigned char>(ch) >= 0x80 || static_cast<unsigned char>(ch) < 0x20) ch = '?';
    return c.Fail("", "不是有效的 JSON：" + what, "not valid JSON: " + what);
  }
  if (!doc.is_object()) return c.Fail("", "顶层应为 JSON 对象", "the top level must be a JSON object");
  Status s = c.OnlyKeys(doc, "", {"$schema", "format", "year", "source", "note_zh", "note_en", "holidays"});
  if (!s.ok()) return s;

  std::string ignored;
  if (s = c.Text(doc, "", "$schema", false, 500, &ignored); !s.ok()) return s;
  std::string format;
  if (s = c.Text(doc, "", "format", true, 64, &format); !s.ok()) return s;
  if (format != "xj-calendar/1")
    return c.Fail("format", "应为 \"xj-calendar/1\"，实际为 \"" + format + "\"",
                  "must be \"xj-calendar/1\", got \"" + format + "\"");

  CalendarYear out;
  auto year_it = doc.find("year");
  if (year_it == doc.end()) return c.Fail("", "缺少字段 'year'", "missing key 'year'");
  if (!year_it->is_number_integer()) return c.Fail("year", "应为整数", "must be an integer");
  const auto year = year_it->get<std::int64_t>();
  if (year < kCalendarMinYear || year > kCalendarMaxYear)
    return c.Fail("year",
                  "年份 " + std::to_string(year) + " 超出 " + std::to_string(kCalendarMinYear) + "–" +
                      std::to_string(kCalendarMaxYear),
                  "year " + std::to_string(year) + " outside " + std::to_string(kCalendarMinYear) + "-" +
                      std::to_string(kCalendarMaxYear));
  if (year != file_year)
    return c.Fail("year", "年份 " + std::to_string(year) + " 与文件名不符",
                  "year " + std::to_string(year) + " does not match the file name");
  out.year = static_cast<int>(year);

  // source
  auto src = doc.find("source");
  if (src == doc.end()) return c.Fail("", "缺少字段 'source'（所依据的通知）", "missing key 'source' (the notice)");
  if (!src->is_object()) return c.Fail("source", "应为对象", "must be an object");
  if (s = c.OnlyKeys(*src, "source", {"issuer", "title", "document_number", "published", "url"}); !s.ok()) return s;
  if (s = c.Text(*src, "source", "issuer", true, 200, &out.source.issuer); !s.ok()) return s;
  if (s = c.Text(*src, "source", "title", true, 200, &out.source.title); !s.ok()) return s;
  if (s = c.Text(*src, "source", "document_number", true, 200, &out.source.document_number); !s.ok()) return s;
  if (s = c.Text(*src, "source", "url", true, 500, &out.source.url); !s.ok()) return s;
  if (out.source.url.rfind("https://", 0) != 0 && out.source.url.rfind("http://", 0) != 0)
    return c.Fail("source.url", "应以 https:// 或 http:// 开头", "must start with https:// or http://");
  auto pub = src->find("published");
  if (pub == src->end()) return c.Fail("source", "缺少字段 'published'", "missing key 'published'");
  Result<Date> published = c.DateValue(*pub, "source.published");
  if (!published.ok()) return published.status();
  if (published->year() > out.year)
    return c.Fail("source.published", "通知日期 " + published->ToString() + " 晚于该年",
                  "notice date " + published->ToString() + " is after the year");
  out.source.published = published.value();

  if (s = c.Text(doc, "", "note_zh", false, 2000, &out.note_zh); !s.ok()) return s;
  if (s = c.Text(doc, "", "note_en", false, 2000, &out.note_en); !s.ok()) return s;

  // holidays
  auto hol = doc.find("holidays");
  if (hol == doc.end()) return c.Fail("", "缺少字段 'holidays'", "missing key 'holidays'");
  if (!hol->is_array()) return c.Fail("holidays", "应为数组", "must be an array");
  if (hol->empty()) return c.Fail("holidays", "不能为空", "must not be empty");
  if (hol->size() > 20) return c.Fail("holidays", "超过 20 个节日", "more than 20 holidays");
  std::map<std::int32_t, std::string> seen;  // every listed date -> where it was listed
  for (std::size_t i = 0; i < hol->size(); ++i) {
    const std::string at = "holidays[" + std::to_string(i) + "]";
    const nlohmann::json& h = (*hol)[i];
    if (!h.is_object()) return c.Fail(at, "应为对象", "must be an object");
    if (s = c.OnlyKeys(h, at, {"name_zh", "name_en", "days_off", "makeup_workdays", "notice", "note_zh", "note_en"});
        !s.ok())
      return s;
    HolidayPeriod p;
    if (s = c.Text(h, at, "name_zh", true, 200, &p.name_zh); !s.ok()) return s;
    if (s = c.Text(h, at, "name_en", true, 200, &p.name_en); !s.ok()) return s;
    if (s = c.Text(h, at, "notice", false, 2000, &p.notice); !s.ok()) return s;
    if (s = c.Text(h, at, "note_zh", false, 2000, &p.note_zh); !s.ok()) return s;
    if (s = c.Text(h, at, "note_en", false, 2000, &p.note_en); !s.ok()) return s;
    if (s = c.Dates(h, at, "days_off", out.year, 1, 31, &p.days_off); !s.ok()) return s;
    if (s = c.Dates(h, at, "makeup_workdays", out.year, 0, 10, &p.makeup_workdays); !s.ok()) return s;
    for (std::size_t k = 0; k < p.days_off.size(); ++k) {
      const std::string dat = at + ".days_off[" + std::to_string(k) + "]";
      const Date d = p.days_off[k];
      auto [it, fresh] = seen.emplace(d.days(), dat);
      if (!fresh && it->second.find("makeup_workdays") != std::string::npos)
        return c.Fail(dat, "放假日 " + d.ToString() + " 同时是调休上班日（" + it->second + "）",
                      "day off " + d.ToString() + " is also a make-up working day (" + it->second + ")");
      if (!fresh)
        return c.Fail(dat, "日期 " + d.ToString() + " 重复（已见于 " + it->second + "）",
                      "date " + d.ToString() + " listed twice (also at " + it->second + ")");
      if (k > 0 && d != p.days_off[k - 1] + 1)
        return c.Fail(dat, "放假日应连续、升序：" + d.ToString() + " 不是 " + p.days_off[k - 1].ToString() + " 的次日",
                      "days off must be consecutive and ascending: " + d.ToString() + " does not follow " +
                          p.days_off[k - 1].ToString());
    }
    for (std::size_t k = 0; k < p.makeup_workdays.size(); ++k) {
      const std::string dat = at + ".makeup_workdays[" + std::to_string(k) + "]";
      const Date d = p.makeup_workdays[k];
      if (!d.IsWeekend())
        return c.Fail(
            dat, "调休上班日 " + d.ToString() + " 是" + WeekdayZh(d.weekday()) + "，应为周六或周日",
            "make-up working day " + d.ToString() + " is a " + WeekdayEn(d.weekday()) + ", not a Saturday or Sunday");
      auto [it, fresh] = seen.emplace(d.days(), dat);
      if (!fresh) {
        const bool is_off = it->second.find("days_off") != std::string::npos;
        return c.Fail(dat,
                      std::string(is_off ? "调休上班日 " + d.ToString() + " 同时是放假日（"
                                         : "日期 " + d.ToString() + " 重复（已见于 ") +
                          it->second + "）",
                      std::string(is_off ? "make-up working day " + d.ToString() + " is also a day off ("
                                         : "date " + d.ToString() + " listed twice (also at ") +
                          it->second + ")");
      }
    }
    std::sort(p.makeup_workdays.begin(), p.makeup_workdays.end());
    out.holidays.push_back(std::move(p));
  }
  std::sort(out.holidays.begin(), out.holidays.end(),
            [](const HolidayPeriod& a, const HolidayPeriod& b) { return a.days_off.front() < b.days_off.front(); });
  return out;
}

// ---- The holiday law ------------------------------------------------------------------------

namespace {

constexpr const char* kStatutoryDatesFile = "calendar/statutory-dates.json";

// The embedded festival dates, parsed once. The file is generated and checked by the tests;
// a malformed one is a build defect, reported as kInternal by every call.
struct FestivalTable {
  int first = 0, last = -1;
  std::vector<FestivalDates> years;  // years[i].year == first + i
  Status error = Status::Ok();
};

const FestivalTable& Festivals() {
  static const FestivalTable* table = [] {
    auto* t = new FestivalTable();  // never destroyed: used until exit
    auto broken = [t](const std::string& why) {
      t->years.clear();
      t->first = 0;
      t->last = -1;
      t->error = Status::Error(StatusCode::kInternal, std::string("内置数据 schemas/") + kStatutoryDatesFile + " 无效：" + why,
                               std::string("embedded data schemas/") + kStatutoryDatesFile + " is invalid: " + why);
      return t;
    };
    const EmbeddedFile* f = FindSchemaFile(kStatutoryDatesFile);
    if (f == nullptr) return broken("missing");
    try {
      const auto doc = nlohmann::json::parse(f->view());
      if (doc.at("format").get<std::string>() != "xj-statutory-dates/1") return broken("unknown format");
      t->first = doc.at("first_year").get<int>();
      t->last = doc.at("last_year").get<int>();
      const auto& ys = doc.at("years");
      if (t->last < t->first || ys.size() != static_cast<std::size_t>(t->last - t->first + 1))
        return broken("years do not match first_year..last_year");
      for (std::size_t i = 0; i < ys.size(); ++i) {
        FestivalDates d;
        d.year = ys[i].at("year").get<int>();
        if (d.year != t->first + static_cast<int>(i)) return broken("year " + std::to_string(d.year) + " out of order");
        auto date = [&](const char* key, Date* out) {
          Result<Date> r = Date::Parse(ys[i].at(key).get<std::string>());
          if (!r.ok()) return false;
          *out = r.value();
          return true;
        };
        if (!date("chuxi", &d.chuxi) || !date("chunjie", &d.chunjie) || !date("qingming", &d.qingming) ||
            !date("duanwu", &d.duanwu) || !date("zhongqiu", &d.zhongqiu) || d.chunjie != d.chuxi + 1 ||
            d.chunjie.year() != d.year || d.qingming.year() != d.year || d.duanwu.year() != d.year ||
            d.zhongqiu.year() != d.year)
          return broken("bad dates for " + std::to_string(d.year));
        t->years.push_back(d);
      }
    } catch (const nlohmann::json::exception& e) {
      return broken(e.what());
    }
    return t;
  }();
  return *table;
}

Status OutsideLaw(int year) {
  const FestivalTable& t = Festivals();
  if (!t.error.ok()) return t.error;
  const std::string y = std::to_string(year);
  const std::string range = std::to_string(std::max(t.first, 2014)) + "–" + std::to_string(t.last);
  return Status::Error(StatusCode::kFailedPrecondition,
                       "无法按放假办法推算 " + y + " 年的法定节假日（内置农历与清明日期仅覆盖 " + range + " 年）",
                       "cannot derive the statutory holidays of " + y +
                           " from the holiday law (the embedded lunar and Qingming dates cover " + range + " only)");
}

}  // namespace

Result<std::pair<int, int>> FestivalDatesRange() {
  const FestivalTable& t = Festivals();
  if (!t.error.ok()) return t.error;
  return std::make_pair(t.first, t.last);
}

Result<FestivalDates> FestivalDatesOf(int year) {
  const FestivalTable& t = Festivals();
  if (!t.error.ok()) return t.error;
  if (year < t.first || year > t.last) return OutsideLaw(year);
  return t.years[static_cast<std::size_t>(year - t.first)];
}

Result<std::vector<StatutoryDay>> StatutoryDaysOff(int year) {
  if (year < 2014) return OutsideLaw(year);
  Result<FestivalDates> f = FestivalDatesOf(year);
  if (!f.ok()) return f.status();
  const bool law_2024 = year >= 2025;  // 国务院令第795号, in force 2025-01-01
  std::vector<StatutoryDay> out;
  auto add = [&](Date first, int days, const char* zh, const char* en) {
    for (int i = 0; i < days; ++i) out.push_back(StatutoryDay{first + i, zh, en});
  };
  add(Date::FromYmd(year, 1, 1).value(), 1, "元旦", "New Year's Day");
  if (law_2024)
    add(f->chuxi, 4, "春节", "Spring Festival");
  else
    add(f->chunjie, 3, "春节", "Spring Festival");
  add(f->qingming, 1, "清明节", "Qingming Festival");
  add(Date::FromYmd(year, 5, 1).value(), law_2024 ? 2 : 1, "劳动节", "Labour Day");
  add(f->duanwu, 1, "端午节", "Dragon Boat Festival");
  add(f->zhongqiu, 1, "中秋节", "Mid-Autumn Festival");
  add(Date::FromYmd(year, 10, 1).value(), 3, "国庆节", "National Day");
  std::stable_sort(out.begin(), out.end(), [](const StatutoryDay& a, const StatutoryDay& b) { return a.date < b.date; });
  return out;
}

std::string ProvisionalMark(const std::vector<int>& years) {
  if (years.empty()) return "";
  std::string list;
  for (int y : years) list += (list.empty() ? "" : ", ") + std::to_string(y);
  return "暂定 / provisional (no State Council notice loaded for " + list + "; statutory holidays only)";
}

Result<CalendarYear> ProvisionalYear(int year) {
  Result<std::vector<StatutoryDay>> days = StatutoryDaysOff(year);
  if (!days.ok()) return days.status();
  const bool law_2024 = year >= 2025;
  CalendarYear y;
  y.year = year;
  y.provisional = true;
  y.source.issuer = "国务院";
  y.source.title = "全国年节及纪念日放假办法";
  y.source.document_number = law_2024 ? "国务院令第795号" : "国务院令第644号";
  y.source.published = law_2024 ? Date::FromYmd(2024, 11, 10).value() : Date::FromYmd(2013, 12, 11).value();
  // The law's text: the State Council's policy library (no deep link is invented here).
  y.source.url = "https://www.gov.cn/zhengce/";
  y.origin = "暂定 / provisional: " + y.source.title + "（" + y.source.document_number + "）";
  const std::string ys = std::to_string(year);
  y.note_zh = "暂定：尚未载入国务院办公厅关于" + ys +
              "年部分节假日安排的通知，仅按《全国年节及纪念日放假办法》计算法定假日（逢周六、周日的法定假日在其后的工作日补假），"
              "不含调休安排。通知发布后请用 xinjian calendar import-notice 导入。";
  y.note_en = "Provisional: no State Council notice on the " + ys +
              " holiday arrangements is loaded; statutory holidays only, from the holiday law (a statutory day on a "
              "Saturday or Sunday is given back on the working day after), no make-up working days. Import the "
              "notice with xinjian calendar import-notice once it is published.";

  // Every statutory day is off; then each festival, in the order of its first day, gives back
  // its days that fall on a weekend or that an earlier festival already took, on the first
  // working days after its last day.
  std::vector<std::pair<std::string, std::vector<StatutoryDay>>> festivals;  // by first day
  for (const StatutoryDay& d : days.value()) {
    auto it = std::find_if(festivals.begin(), festivals.end(), [&](const auto& f) { return f.first == d.festival_zh; });
    if (it == festivals.end()) it = festivals.insert(festivals.end(), {d.festival_zh, {}});
    it->second.push_back(d);
  }
  std::set<std::int32_t> off;
  for (const StatutoryDay& d : days.value()) off.insert(d.date.days());
  std::set<std::int32_t> taken;  // statutory days already counted by an earlier festival
  for (const auto& [name, list] : festivals) {
    HolidayPeriod p;
    p.name_zh = list.front().festival_zh;
    p.name_en = list.front().festival_en;
    int owed = 0;
    std::string statutory_zh, statutory_en;
    for (const StatutoryDay& d : list) {
      if (d.date.IsWeekend() || !taken.insert(d.date.days()).second) ++owed;
      statutory_zh += (statutory_zh.empty() ? "" : "、") + d.date.ToString();
      statutory_en += (statutory_en.empty() ? "" : ", ") + d.date.ToString();
    }
    Date last = list.back().date;
    std::string given_zh, given_en;
    for (Date d = last + 1; owed > 0; d = d + 1) {
      if (d.IsWeekend() || off.count(d.days())) continue;
      off.insert(d.days());
      last = d;
      --owed;
      given_zh += (given_zh.empty() ? "" : "、") + d.ToString();
      given_en += (given_en.empty() ? "" : ", ") + d.ToString();
    }
    for (Date d = list.front().date; d <= last; d = d + 1) p.days_off.push_back(d);
    p.note_zh = "法定假日 " + statutory_zh + (given_zh.empty() ? "" : "；补假 " + given_zh);
    p.note_en = "statutory " + statutory_en + (given_en.empty() ? "" : "; given back on " + given_en);
    y.holidays.push_back(std::move(p));
  }
  // A period may have reached into the next one (a day given back after a festival that
  // another festival follows closely): merge overlapping periods so that days_off stay
  // consecutive and no date is listed twice.
  std::vector<HolidayPeriod> merged;
  for (HolidayPeriod& p : y.holidays) {
    if (!merged.empty() && p.days_off.front() <= merged.back().days_off.back() + 1) {
      HolidayPeriod& m = merged.back();
      for (Date d : p.days_off)
        if (d > m.days_off.back()) m.days_off.push_back(d);
      m.name_zh += "、" + p.name_zh;
      m.name_en += " and " + p.name_en;
      m.note_zh += "；" + p.note_zh;
      m.note_en += "; " + p.note_en;
      continue;
    }
    merged.push_back(std::move(p));
  }
  y.holidays = std::move(merged);
  return y;
}

// ---- WorkingCalendar ------------------------------------------------------------------------

Status WorkingCalendar::MissingYear(int year) {
  const std::string y = std::to_string(year);
  return Status::Error(StatusCode::kFailedPrecondition,
                       "缺少 " + y + " 年的工作日历（国务院办公厅关于" + y +
                           "年部分节假日安排的通知），且无法按放假办法推算（内置农历数据不含该年）；请用 xinjian calendar "
                           "import-notice 导入该通知，或在 " +
                           kDirConfigKey + " 指定的目录中添加 " + y + ".json（见 docs/calendar.md）",
                       "no working-day calendar for " + y + " (the State Council General Office's notice on the " + y +
                           " holiday arrangements), and the holiday law cannot be applied (the embedded lunar data does "
                           "not cover it); import the notice with xinjian calendar import-notice, or add " + y +
                           ".json to the folder named by " + kDirConfigKey + " (see docs/calendar.md)");
}

Result<WorkingCalendar> WorkingCalendar::FromYears(std::vector<CalendarYear> years) {
  WorkingCalendar cal;
  for (CalendarYear& y : years) {
    const int n = y.year;
    if (!cal.years_.emplace(n, std::move(y)).second)
      return Status::Error(StatusCode::kInvalidArgument, std::to_string(n) + " 年的工作日历重复",
                           "working-day calendar for " + std::to_string(n) + " given twice");
  }
  for (auto it = cal.years_.begin(); it != cal.years_.end();) {
    Run run;
    run.first_year = run.last_year = it->first;
    auto next = std::next(it);
    while (next != cal.years_.end() && next->first == run.last_year + 1) {
      run.last_year = next->first;
      ++next;
    }
    run.first_day = DaysFromCivil(run.first_year, 1, 1);
    run.end_day = DaysFromCivil(run.last_year + 1, 1, 1);
    const std::size_t n_days = static_cast<std::size_t>(run.end_day - run.first_day);
    std::vector<std::uint8_t> work(n_days);
    for (std::size_t i = 0; i < n_days; ++i)
      work[i] = Date::FromDays(run.first_day + static_cast<std::int32_t>(i)).IsWeekend() ? 0 : 1;
    for (auto y = it; y != next; ++y) {
      for (const HolidayPeriod& p : y->second.holidays) {
        for (Date d : p.days_off) work[static_cast<std::size_t>(d.days() - run.first_day)] = 0;
        for (Date d : p.makeup_workdays) work[static_cast<std::size_t>(d.days() - run.first_day)] = 1;
      }
    }
    run.cum.resize(n_days + 1);
    run.cum[0] = 0;
    for (std::size_t i = 0; i < n_days; ++i) {
      run.cum[i + 1] = run.cum[i] + work[i];
      if (work[i]) run.working.push_back(run.first_day + static_cast<std::int32_t>(i));
    }
    cal.runs_.push_back(std::move(run));
    it = next;
  }
  return cal;
}

Result<WorkingCalendar> WorkingCalendar::Load(const std::string& dir) {
  std::map<int, CalendarYear> years;
  const std::string_view prefix = "calendar/";
  for (std::size_t i = 0; i < kSchemaFiles_count; ++i) {
    std::string_view path = kSchemaFiles[i].path;
    if (path.substr(0, prefix.size()) != prefix || YearOfFileName(path.substr(prefix.size())) == 0) continue;
    const std::string name = "schemas/" + std::string(path);
    Result<CalendarYear> y = ParseCalendarYear(name, kSchemaFiles[i].view());
    if (!y.ok()) return y.status();
    y->origin = name + "（内置 / embedded）";
    const int n = y->year;
    years[n] = std::move(y).value();
  }
  if (!dir.empty()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto unavailable = [&](const std::string& why) {
      return Status::Error(StatusCode::kUnavailable,
                           "无法读取工作日历目录 " + dir + "（" + kDirConfigKey + "）：" + why,
                           "cannot read the working-day calendar folder " + dir + " (" + kDirConfigKey + "): " + why);
    };
    if (!fs::is_directory(dir, ec)) return unavailable(ec ? ec.message() : "not a directory");
    std::vector<std::string> files;
    fs::directory_iterator iter(dir, ec), end;
    if (ec) return unavailable(ec.message());
    for (; iter != end; iter.increment(ec)) {
      if (ec) return unavailable(ec.message());
      const std::string base = iter->path().filename().string();
      if (YearOfFileName(base) == 0) continue;
      files.push_back(iter->path().string());
      if (files.size() > static_cast<std::size_t>(kCalendarMaxYear - kCalendarMinYear + 1))
        return unavailable("too many YYYY.json files");
    }
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      if (!fs::is_regular_file(f, ec))
        return Status::Error(StatusCode::kInvalidArgument, "工作日历文件 " + f + "：不是普通文件",
                             "calendar file " + f + ": not a regular file");
      const auto size = fs::file_size(f, ec);
      if (ec) return unavailable(f + ": " + ec.message());
      if (size > kCalendarMaxFileBytes)
        return Status::Error(StatusCode::kInvalidArgument,
                             "工作日历文件 " + f + "：文件大小 " + std::to_string(size) + " 字节，超过上限 " +
                                 std::to_string(kCalendarMaxFileBytes),
                             "calendar file " + f + ": file of " + std::to_string(size) +
                                 " bytes exceeds the limit of " + std::to_string(kCalendarMaxFileBytes));
      std::ifstream in(f, std::ios::binary);
      if (!in) return unavailable(f + ": cannot open");
      std::string data(kCalendarMaxFileBytes + 1, '\0');
      in.read(data.data(), static_cast<std::streamsize>(data.size()));
      data.resize(static_cast<std::size_t>(in.gcount()));
      Result<CalendarYear> y = ParseCalendarYear(f, data);
      if (!y.ok()) return y.status();
      y->origin = f;
      const int n = y->year;
      years[n] = std::move(y).value();
    }
  }
  // Years without a notice: built from the law, so that deadlines never stop at the last
  // published notice.
  const auto range = FestivalDatesRange();
  if (!range.ok()) return range.status();
  for (int n = std::max(range->first, 2014); n <= range->second; ++n) {
    if (years.count(n)) continue;
    Result<CalendarYear> y = ProvisionalYear(n);
    if (!y.ok()) return y.status();
    years[n] = std::move(y).value();
  }
  std::vector<CalendarYear> list;
  for (auto& [n, y] : years) list.push_back(std::move(y));
  return FromYears(std::move(list));
}

Result<const WorkingCalendar*> WorkingCalendar::Shared(const std::string& dir) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<const WorkingCalendar>>* loaded =
      new std::map<std::string, std::unique_ptr<const WorkingCalendar>>();  // never destroyed: used until exit
  std::lock_guard<std::mutex> lock(mu);
  auto it = loaded->find(dir);
  if (it != loaded->end()) return it->second.get();
  Result<WorkingCalendar> cal = Load(dir);
  if (!cal.ok()) return cal.status();
  auto owned = std::make_unique<const WorkingCalendar>(std::move(cal).value());
  const WorkingCalendar* p = owned.get();
  loaded->emplace(dir, std::move(owned));
  return p;
}

Result<const WorkingCalendar*> WorkingCalendar::Shared(const std::map<std::string, std::string>& config) {
  auto it = config.find(kDirConfigKey);
  return Shared(it == config.end() ? std::string() : it->second);
}

const WorkingCalendar::Run* WorkingCalendar::RunOf(Date d) const {
  for (const Run& r : runs_)
    if (d.days() >= r.first_day && d.days() < r.end_day) return &r;
  return nullptr;
}

Result<bool> WorkingCalendar::IsWorkingDay(Date d) const {
  const Run* r = RunOf(d);
  if (r == nullptr) return MissingYear(d.year());
  const auto i = static_cast<std::size_t>(d.days() - r->first_day);
  return r->cum[i + 1] != r->cum[i];
}

Result<Date> WorkingCalendar::AddWorkingDays(Date from, int n) const {
  const Run* r = RunOf(from);
  if (r == nullptr) return MissingYear(from.year());
  const auto i = static_cast<std::size_t>(from.days() - r->first_day);
  // Working days are numbered 0, 1, ... in r->working; cum[i] is the number of those before
  // day i. Forwards: the n-th working day after `from` has number cum[i + 1] + n - 1.
  // Backwards: the |n|-th working day before `from` has number cum[i] - |n|. n == 0: the
  // first working day on or after `from` (`from` itself when it is one), number cum[i].
  const std::int64_t k =
      n > 0 ? static_cast<std::int64_t>(r->cum[i + 1]) + n - 1 : static_cast<std::int64_t>(r->cum[i]) + n;
  if (k < 0) return MissingYear(r->first_year - 1);
  if (k >= static_cast<std::int64_t>(r->working.size())) return MissingYear(r->last_year + 1);
  return Date::FromDays(r->working[static_cast<std::size_t>(k)]);
}

Result<int> WorkingCalendar::WorkingDaysBetween(Date a, Date b) const {
  const Run* ra = RunOf(a);
  if (ra == nullptr) return MissingYear(a.year());
  const Run* rb = RunOf(b);
  if (rb == nullptr) return MissingYear(b.year());
  if (ra != rb) return MissingYear(a < b ? ra->last_year + 1 : rb->last_year + 1);
  const auto ia = static_cast<std::size_t>(a.days() - ra->first_day);
  const auto ib = static_cast<std::size_t>(b.days() - ra->first_day);
  if (a <= b) return ra->cum[ib + 1] - ra->cum[ia + 1];
  return -(ra->cum[ia] - ra->cum[ib]);
}

Result<Date> WorkingCalendar::NthWorkingDayOfMonth(int year, int month, int n) const {
  if (month < 1 || month > 12)
    return Status::Error(StatusCode::kInvalidArgument, "月份应为 1–12，实际为 " + std::to_string(month),
                         "the month must be 1-12, got " + std::to_string(month));
  if (n == 0)
    return Status::Error(StatusCode::kInvalidArgument, "n 不能为 0（1 为第一个工作日，-1 为最后一个）",
                         "n must not be 0 (1 is the first working day, -1 the last)");
  if (!HasYear(year)) return MissingYear(year);
  const Date first = Date::FromDays(DaysFromCivil(year, month, 1));
  const Run* r = RunOf(first);
  if (r == nullptr) return MissingYear(year);
  const auto i0 = static_cast<std::size_t>(first.days() - r->first_day);
  const auto i1 = i0 + static_cast<std::size_t>(DaysInMonth(year, month));  // one past the month's last day
  const std::int64_t count = r->cum[i1] - r->cum[i0];
  const std::int64_t want = n > 0 ? static_cast<std::int64_t>(n) : -static_cast<std::int64_t>(n);
  if (want > count)
    return Status::Error(StatusCode::kNotFound,
                         std::to_string(year) + " 年 " + std::to_string(month) + " 月只有 " + std::to_string(count) +
                             " 个工作日，没有第 " + std::to_string(n) + " 个",
                         std::string(kMonthsEn[month - 1]) + " " + std::to_string(year) + " has only " +
                             std::to_string(count) + " working days, no number " + std::to_string(n));
  const std::int64_t k = n > 0 ? r->cum[i0] + n - 1 : r->cum[i1] + n;
  return Date::FromDays(r->working[static_cast<std::size_t>(k)]);
}

bool WorkingCalendar::IsProvisional(int year) const {
  auto it = years_.find(year);
  return it != years_.end() && it->second.provisional;
}

std::vector<int> WorkingCalendar::ProvisionalYearsBetween(Date a, Date b) const {
  std::vector<int> out;
  const int from = std::min(a.year(), b.year()), to = std::max(a.year(), b.year());
  for (auto it = years_.lower_bound(from); it != years_.end() && it->first <= to; ++it)
    if (it->second.provisional) out.push_back(it->first);
  return out;
}

std::vector<int> WorkingCalendar::ProvisionalYears() const {
  std::vector<int> out;
  for (const auto& [y, data] : years_)
    if (data.provisional) out.push_back(y);
  return out;
}

std::vector<int> WorkingCalendar::Years() const {
  std::vector<int> out;
  for (const auto& [y, data] : years_) out.push_back(y);
  return out;
}

Result<const CalendarYear*> WorkingCalendar::Year(int year) const {
  auto it = years_.find(year);
  if (it == years_.end()) return MissingYear(year);
  return &it->second;
}

}  // namespace xj
