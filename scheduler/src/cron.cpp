// The cron evaluator. See cron.h and docs/scheduler.md.
#include "cron.h"

#include <algorithm>
#include <bit>
#include <cctype>

#include "calendar.h"
#include "civil.h"
#include "quote.h"

namespace xj {
namespace {

using std::chrono::sys_seconds;

constexpr int kMinuteField = 0, kHourField = 1, kDayField = 2, kMonthField = 3, kWeekdayField = 4;

struct FieldSpec {
  const char* zh;
  const char* en;
  int min, max;  // values accepted (the weekday field takes 0-7)
  int span;      // number of distinct values; a step must be smaller
};
constexpr FieldSpec kFields[5] = {
    {"分钟", "minute", 0, 59, 60}, {"小时", "hour", 0, 23, 24},      {"日", "day of month", 1, 31, 31},
    {"月", "month", 1, 12, 12},    {"星期", "day of week", 0, 7, 7},
};
constexpr const char* kMonthNames[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kWeekdayNames[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

using sched_detail::Quote;

Status Invalid(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

Status FieldError(int field, std::string_view text, const std::string& zh, const std::string& en) {
  const FieldSpec& f = kFields[field];
  return Invalid(
      "cron 表达式第 " + std::to_string(field + 1) + " 个字段（" + f.zh + "）" + Quote(text) + " 有误：" + zh,
      "cron expression field " + std::to_string(field + 1) + " (" + f.en + ") " + Quote(text) + ": " + en);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string RangeText(const FieldSpec& f) { return std::to_string(f.min) + "-" + std::to_string(f.max); }

// One value of a field: a number or, in the month and weekday fields, a three-letter name.
Result<int> ParseValue(int field, std::string_view field_text, std::string_view v) {
  const FieldSpec& f = kFields[field];
  if (v.empty()) return FieldError(field, field_text, "缺少数值", "a value is missing");
  const std::string lower = Lower(v);
  if (lower == "l" || lower == "w" || lower == "lw" || lower == "h" ||
      (lower.size() > 1 && lower.back() == 'w' && std::isdigit(static_cast<unsigned char>(lower[0]))))
    return FieldError(field, field_text, "不支持 " + Quote(v) + "（Quartz/Jenkins 扩展语法，标准 cron 没有）",
                      Quote(v) + " is not supported (a Quartz/Jenkins extension, not standard cron)");
  if (std::isdigit(static_cast<unsigned char>(v[0]))) {
    std::int64_t n = 0;
    for (char c : v) {
      if (!std::isdigit(static_cast<unsigned char>(c)))
        return FieldError(field, field_text, Quote(v) + " 不是数字", Quote(v) + " is not a number");
      n = n * 10 + (c - '0');
      if (n > 1000000) break;
    }
    if (n < f.min || n > f.max)
      return FieldError(field, field_text, Quote(v) + " 超出范围 " + RangeText(f),
                        Quote(v) + " is out of range " + RangeText(f));
    return static_cast<int>(n);
  }
  const std::string& name = lower;
  if (field == kMonthField)
    for (int i = 0; i < 12; ++i)
      if (name == kMonthNames[i]) return i + 1;
  if (field == kWeekdayField)
    for (int i = 0; i < 7; ++i)
      if (name == kWeekdayNames[i]) return i;
  if (field == kMonthField || field == kWeekdayField) {
    const bool month = field == kMonthField;
    return FieldError(field, field_text,
                      "未知的名称 " + Quote(v) + (month ? "（月份用 JAN–DEC）" : "（星期用 SUN–SAT）"),
                      "unknown name " + Quote(v) + (month ? " (months are JAN-DEC)" : " (weekdays are SUN-SAT)"));
  }
  return FieldError(field, field_text, Quote(v) + " 不是数字（名称只能用于月和星期字段）",
                    Quote(v) + " is not a number (names are only for the month and day-of-week fields)");
}

// Parses one field into a bit set (bit v for value v).
Result<std::uint64_t> ParseField(int field, std::string_view text) {
  const FieldSpec& f = kFields[field];
  for (char c : text) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '*' || c == ',' || c == '-' || c == '/';
    if (ok) continue;
    if (c == '?' || c == '#')
      return FieldError(field, text, std::string("不支持 '") + c + "'（Quartz 扩展语法，标准 cron 没有）",
                        std::string("'") + c + "' is not supported (a Quartz extension, not standard cron)");
    return FieldError(field, text, std::string("含有不允许的字符 '") + c + "'",
                      std::string("unexpected character '") + c + "'");
  }
  std::uint64_t bits = 0;
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = text.find(',', begin);
    const std::string_view item = text.substr(begin, comma == std::string_view::npos ? text.npos : comma - begin);
    if (item.empty()) return FieldError(field, text, "列表中有空项", "an empty list item");
    const std::size_t slash = item.find('/');
    const std::string_view base = item.substr(0, slash);
    int step = 1;
    bool has_step = slash != std::string_view::npos;
    if (has_step) {
      const std::string_view s = item.substr(slash + 1);
      if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos)
        return FieldError(field, text, "步长 " + Quote(s) + " 不是正整数",
                          "step " + Quote(s) + " is not a positive integer");
      std::int64_t n = 0;
      for (char c : s) n = std::min<std::int64_t>(n * 10 + (c - '0'), 1000000);
      if (n == 0) return FieldError(field, text, "步长不能为 0", "the step must not be 0");
      if (n >= f.span)
        return FieldError(field, text,
                          "步长 " + std::to_string(n) + " 不小于该字段的取值个数 " + std::to_string(f.span) +
                              "（步长不跨字段，如每 90 分钟无法用一个 cron 表达式表示）",
                          "step " + std::to_string(n) + " is not smaller than the field's " + std::to_string(f.span) +
                              " values (steps do not carry over: every 90 minutes is not a cron schedule)");
      step = static_cast<int>(n);
    }
    int lo = 0, hi = 0;
    if (base == "*") {
      lo = f.min;
      hi = f.max;
    } else {
      if (base.find('*') != std::string_view::npos)
        return FieldError(field, text, "'*' 只能单独使用或写作 */步长", "'*' stands alone or as */step");
      const std::size_t dash = base.find('-');
      if (dash == 0)
        return FieldError(field, text, "不允许负数，范围应写作 起-止",
                          "negative numbers are not allowed; a range is first-last");
      Result<int> a = ParseValue(field, text, base.substr(0, dash));
      if (!a.ok()) return a.status();
      lo = a.value();
      if (dash == std::string_view::npos) {
        hi = has_step ? f.max : lo;  // "5/10" is "5-59/10"
      } else {
        const std::string_view rest = base.substr(dash + 1);
        if (rest.find('-') != std::string_view::npos)
          return FieldError(field, text, "范围中有多个 '-'", "a range has more than one '-'");
        Result<int> b = ParseValue(field, text, rest);
        if (!b.ok()) return b.status();
        hi = b.value();
        if (field == kWeekdayField && hi == 0 && lo > 0) hi = 7;  // "FRI-SUN", "5-0": up to Sunday
        if (lo > hi)
          return FieldError(field, text, "范围 " + Quote(base) + " 的起点大于终点",
                            "range " + Quote(base) + " starts after it ends");
      }
    }
    for (int v = lo; v <= hi; v += step) bits |= std::uint64_t{1} << v;
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return bits;
}

void SetTime(std::array<std::uint64_t, 23>& times, int minute_of_day) {
  times[static_cast<std::size_t>(minute_of_day / 64)] |= std::uint64_t{1} << (minute_of_day % 64);
}

// "HH:MM[,HH:MM...]" of a working-day schedule.
Status ParseTimesOfDay(std::string_view text, std::array<std::uint64_t, 23>& times) {
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = text.find(',', begin);
    const std::string_view t = text.substr(begin, comma == std::string_view::npos ? text.npos : comma - begin);
    const std::size_t colon = t.find(':');
    bool ok = colon != std::string_view::npos && (colon == 1 || colon == 2) && t.size() == colon + 3;
    int h = 0, m = 0;
    for (std::size_t i = 0; ok && i < t.size(); ++i) {
      if (i == colon) continue;
      if (!std::isdigit(static_cast<unsigned char>(t[i])))
        ok = false;
      else if (i < colon)
        h = h * 10 + (t[i] - '0');
      else
        m = m * 10 + (t[i] - '0');
    }
    if (!ok || h > 23 || m > 59)
      return Invalid(
          "时刻 " + Quote(t) + " 有误（应为 HH:MM，00:00–23:59，多个时刻用逗号分隔）",
          "time of day " + Quote(t) + " is malformed (expected HH:MM, 00:00-23:59, several separated by commas)");
    SetTime(times, h * 60 + m);
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return Status::Ok();
}

std::vector<std::string_view> SplitBlanks(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const std::size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

constexpr std::int64_t kFirstSupportedDay = civil::DaysFromCivil(1900, 1, 1);
constexpr std::int64_t kEndDay = civil::DaysFromCivil(kTimeZoneLastYear, 1, 1);

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view expression) {
  if (expression.size() > kCronMaxExpressionBytes)
    return Invalid("cron 表达式过长（最多 " + std::to_string(kCronMaxExpressionBytes) + " 字节）",
                   "the cron expression is longer than " + std::to_string(kCronMaxExpressionBytes) + " bytes");
  for (char ch : expression) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || (c < 0x20 && c != '\t') || c == 0x7f)
      return Invalid("cron 表达式含有控制字符或非 ASCII 字符（如全角空格）",
                     "the cron expression has a control or non-ASCII character (a full-width space, say)");
  }
  const std::vector<std::string_view> words = SplitBlanks(expression);
  if (words.empty()) return Invalid("cron 表达式为空", "the cron expression is empty");

  CronSchedule s;
  s.expression_ = std::string(
      expression.substr(static_cast<std::size_t>(words.front().data() - expression.data()),
                        static_cast<std::size_t>(words.back().data() + words.back().size() - words.front().data())));
  std::vector<std::string_view> fields = words;

  if (words[0][0] == '@') {
    const std::string macro = Lower(words[0]);
    if (macro == "@workdays" || macro == "@workday-of-month") {
      const bool nth = macro == "@workday-of-month";
      const std::size_t want = nth ? 3 : 2;
      if (words.size() != want)
        return Invalid(nth ? "应写作 @workday-of-month N HH:MM（如 @workday-of-month 1 09:00）"
                           : "应写作 @workdays HH:MM（如 @workdays 09:00）",
                       nth ? "expected @workday-of-month N HH:MM (e.g. @workday-of-month 1 09:00)"
                           : "expected @workdays HH:MM (e.g. @workdays 09:00)");
      if (Status st = ParseTimesOfDay(words.back(), s.times_); !st.ok()) return st;
      s.kind_ = nth ? Kind::kWorkdayOfMonth : Kind::kWorkdays;
      if (nth) {
        std::string_view list = words[1];
        std::size_t begin = 0;
        while (true) {
          const std::size_t comma = list.find(',', begin);
          const std::string_view t = list.substr(begin, comma == std::string_view::npos ? list.npos : comma - begin);
          std::size_t i = (!t.empty() && t[0] == '-') ? 1 : 0;
          bool ok = t.size() > i && t.size() <= i + 2;
          int n = 0;
          for (; ok && i < t.size(); ++i) {
            if (!std::isdigit(static_cast<unsigned char>(t[i])))
              ok = false;
            else
              n = n * 10 + (t[i] - '0');
          }
          if (!ok || n < 1 || n > 31)
            return Invalid("第几个工作日 " + Quote(t) + " 有误（应为 1 到 31，或 -1 到 -31 表示倒数第几个）",
                           "working day number " + Quote(t) +
                               " is malformed (expected 1 to 31, or -1 to -31 counting from the month's end)");
          s.nth_.push_back(t[0] == '-' ? -n : n);
          if (comma == std::string_view::npos) break;
          begin = comma + 1;
        }
      }
      s.months_ = 0x1FFE;
      return s;
    }
    struct Macro {
      const char* name;
      const char* fields;
    };
    static constexpr Macro kMacros[] = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
        {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"}};
    const Macro* found = nullptr;
    for (const Macro& m : kMacros)
      if (macro == m.name) found = &m;
    if (found == nullptr)
      return Invalid("未知的 cron 宏 " + Quote(words[0]) +
                         "（可用 @yearly @annually @monthly @weekly @daily @midnight @hourly @workdays "
                         "@workday-of-month）",
                     "unknown cron macro " + Quote(words[0]) +
                         " (known: @yearly @annually @monthly @weekly @daily @midnight @hourly @workdays "
                         "@workday-of-month)");
    if (words.size() != 1)
      return Invalid("cron 宏 " + Quote(words[0]) + " 后面不能再有字段",
                     "cron macro " + Quote(words[0]) + " takes no fields");
    fields = SplitBlanks(found->fields);
  }

  if (fields.size() != 5)
    return Invalid("cron 表达式应有 5 个字段（分 时 日 月 星期），实际有 " + std::to_string(fields.size()) + " 个",
                   "a cron expression has 5 fields (minute hour day-of-month month day-of-week), got " +
                       std::to_string(fields.size()));
  std::uint64_t bits[5];
  for (int i = 0; i < 5; ++i) {
    Result<std::uint64_t> b = ParseField(i, fields[static_cast<std::size_t>(i)]);
    if (!b.ok()) return b.status();
    bits[i] = b.value();
  }
  s.minutes_ = bits[kMinuteField];
  s.hours_ = static_cast<std::uint32_t>(bits[kHourField]);
  s.days_ = static_cast<std::uint32_t>(bits[kDayField]);
  s.months_ = static_cast<std::uint16_t>(bits[kMonthField]);
  s.weekdays_ = static_cast<std::uint8_t>((bits[kWeekdayField] | (bits[kWeekdayField] >> 7)) & 0x7F);
  // Vixie cron: a day field whose text starts with '*' is unrestricted for the OR rule.
  s.day_star_ = fields[kDayField][0] == '*';
  s.weekday_star_ = fields[kWeekdayField][0] == '*';
  for (int h = 0; h < 24; ++h)
    if (s.hours_ >> h & 1)
      for (int m = 0; m < 60; ++m)
        if (s.minutes_ >> m & 1) SetTime(s.times_, h * 60 + m);

  // Both day fields must match: some listed day must exist in some listed month.
  if (s.day_star_ || s.weekday_star_) {
    bool possible = false;
    for (int m = 1; m <= 12 && !possible; ++m)
      if (s.months_ >> m & 1)
        for (int d = 1; d <= civil::DaysInMonth(2000, m) && !possible; ++d) possible = (s.days_ >> d & 1) != 0;
    if (!possible)
      return Invalid(
          "cron 表达式永远不会触发：所列的日在所列的月中都不存在（如 2 月 30 日）",
          "the cron expression never fires: none of its days of month exists in its months (30 February, say)");
  }
  return s;
}

int CronSchedule::NextTimeOfDay(int minute) const {
  if (minute >= 1440) return -1;
  std::size_t w = static_cast<std::size_t>(minute / 64);
  std::uint64_t word = times_[w] & (~std::uint64_t{0} << (minute % 64));
  while (true) {
    if (word != 0) return static_cast<int>(w * 64) + std::countr_zero(word);
    if (++w == times_.size()) return -1;
    word = times_[w];
  }
}

Result<LocalSeconds> CronSchedule::NextLocal(LocalSeconds from, const WorkingCalendar* calendar) const {
  std::int64_t day = civil::FloorDiv(from, civil::kSecondsPerDay);
  int minute = static_cast<int>((from - day * civil::kSecondsPerDay) / 60);
  std::vector<std::int64_t> targets;  // kWorkdayOfMonth: the month's fire days
  while (day < kEndDay) {
    const civil::Ymd ymd = civil::CivilFromDays(day);
    if (!(months_ >> ymd.month & 1)) {
      // The next listed month (this year or the next).
      const unsigned rest = static_cast<unsigned>(months_) >> (ymd.month + 1);
      day = rest != 0 ? civil::DaysFromCivil(ymd.year, ymd.month + 1 + std::countr_zero(rest), 1)
                      : civil::DaysFromCivil(ymd.year + 1, std::countr_zero(static_cast<unsigned>(months_)), 1);
      minute = 0;
      continue;
    }
    const std::int64_t month_start = day - ymd.day + 1;
    const std::int64_t month_end = month_start + civil::DaysInMonth(ymd.year, ymd.month);
    if (kind_ == Kind::kWorkdayOfMonth) {
      targets.clear();
      for (int n : nth_) {
        Result<Date> d = calendar->NthWorkingDayOfMonth(static_cast<int>(ymd.year), ymd.month, n);
        if (d.ok())
          targets.push_back(d->days());
        else if (d.status().code() != StatusCode::kNotFound)
          return d.status();
      }
      std::sort(targets.begin(), targets.end());
      for (std::int64_t t : targets) {
        if (t < day) continue;
        const int found = NextTimeOfDay(t == day ? minute : 0);
        if (found >= 0) return t * civil::kSecondsPerDay + found * 60;
      }
      day = month_end;
      minute = 0;
      continue;
    }
    for (; day < month_end; ++day, minute = 0) {
      bool match = false;
      if (kind_ == Kind::kWorkdays) {
        Result<bool> w = calendar->IsWorkingDay(Date::FromDays(static_cast<std::int32_t>(day)));
        if (!w.ok()) return w.status();
        match = w.value();
      } else {
        const int dom = static_cast<int>(day - month_start) + 1;
        const bool by_day = days_ >> dom & 1;
        const bool by_weekday = weekdays_ >> civil::WeekdayFromDays(day) & 1;
        match = (day_star_ || weekday_star_) ? (by_day && by_weekday) : (by_day || by_weekday);
      }
      if (!match) continue;
      const int found = NextTimeOfDay(minute);
      if (found >= 0) return day * civil::kSecondsPerDay + found * 60;
    }
  }
  return Status::Error(StatusCode::kNotFound, "该计划在 " + std::to_string(kTimeZoneLastYear) + " 年之前不会再触发",
                       "the schedule does not fire again before the year " + std::to_string(kTimeZoneLastYear));
}

Result<sys_seconds> CronSchedule::Next(sys_seconds after, const TimeZone& zone, const WorkingCalendar* calendar) const {
  const std::int64_t a = after.time_since_epoch().count();
  if (a < kFirstSupportedDay * civil::kSecondsPerDay || a >= kEndDay * civil::kSecondsPerDay)
    return Invalid("起始时刻超出支持范围（1900–2399 年）", "the start time is outside the supported years 1900-2399");
  if (NeedsCalendar() && calendar == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition, "工作日计划需要工作日历",
                         "a working-day schedule needs the working-day calendar");
  LocalSeconds from = civil::FloorDiv(zone.ToLocal(after), 60) * 60 + 60;
  // Usually one round. More only when `after` lies in the second pass of a repeated hour:
  // the wall-clock minutes up to the end of the repeat fired in the first pass already.
  while (true) {
    Result<LocalSeconds> local = NextLocal(from, calendar);
    if (!local.ok()) return local.status();
    const TimeZone::Resolution r = zone.Resolve(local.value());
    if (r.first > after) return r.first;
    from = local.value() + 60;
  }
}

Result<std::vector<sys_seconds>> CronSchedule::NextTimes(sys_seconds after, int count, const TimeZone& zone,
                                                         const WorkingCalendar* calendar) const {
  std::vector<sys_seconds> out;
  out.reserve(static_cast<std::size_t>(std::max(count, 0)));
  for (int i = 0; i < count; ++i) {
    Result<sys_seconds> t = Next(after, zone, calendar);
    if (!t.ok()) return t.status();
    out.push_back(t.value());
    after = t.value();
  }
  return out;
}

}  // namespace xj
