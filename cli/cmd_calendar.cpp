// xinjian calendar add-workdays DATE N, xinjian calendar show YEAR: the working-day calendar
// (core/src/calendar.h; data and sources in schemas/calendar/, docs/calendar.md).
//
// The embedded years can be replaced or extended without rebuilding: --set
// calendar.dir=/path names a folder whose YYYY.json files are read as well.
// Exit status: 0, kExitUsage for a malformed DATE or YEAR, kExitFailure when the calendar
// cannot answer (a year without data, a refused calendar file).
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "calendar.h"
#include "calendar_view.h"
#include "cli.h"

namespace xj::cli {
extern int g_exit_code;

std::string DayZhEn(Date d) {
  return d.ToString() + "（" + WeekdayZh(d.weekday()) + " / " + WeekdayEn(d.weekday()) + "）";
}

int WorkingDaysIn(const WorkingCalendar& cal, int year) {
  if (!cal.HasYear(year)) return 0;
  int n = 0;
  const Date next = Date::FromYmd(year + 1, 1, 1).value();
  for (Date d = Date::FromYmd(year, 1, 1).value(); d < next; d = d + 1) n += cal.IsWorkingDay(d).value() ? 1 : 0;
  return n;
}

nlohmann::ordered_json SourceJson(const CalendarSource& s) {
  return {{"issuer", s.issuer},
          {"title", s.title},
          {"document_number", s.document_number},
          {"published", s.published.ToString()},
          {"url", s.url}};
}

nlohmann::ordered_json HolidaysJson(const CalendarYear& y) {
  nlohmann::ordered_json hs = nlohmann::ordered_json::array();
  for (const HolidayPeriod& p : y.holidays) {
    nlohmann::ordered_json off = nlohmann::ordered_json::array(), make = nlohmann::ordered_json::array();
    for (Date d : p.days_off) off.push_back(d.ToString());
    for (Date d : p.makeup_workdays) make.push_back(d.ToString());
    hs.push_back(nlohmann::ordered_json{{"name_zh", p.name_zh},
                                        {"name_en", p.name_en},
                                        {"days_off", off},
                                        {"makeup_workdays", make},
                                        {"notice", p.notice},
                                        {"note_zh", p.note_zh},
                                        {"note_en", p.note_en}});
  }
  return hs;
}

void PrintHolidays(std::ostream& out, const CalendarYear& y) {
  for (const HolidayPeriod& p : y.holidays) {
    const Date first = p.days_off.front(), last = p.days_off.back();
    out << "\n" << p.name_zh << " / " << p.name_en << "\n  放假 / days off: " << DayZhEn(first);
    if (last != first) out << " 至 / to " << DayZhEn(last);
    out << "，共 " << p.days_off.size() << " 天 / " << p.days_off.size() << (p.days_off.size() == 1 ? " day" : " days")
        << "\n  调休上班 / make-up working days: ";
    if (p.makeup_workdays.empty()) out << "无 / none";
    for (std::size_t i = 0; i < p.makeup_workdays.size(); ++i) out << (i ? "、" : "") << DayZhEn(p.makeup_workdays[i]);
    out << "\n";
    if (!p.notice.empty()) out << "  通知原文 / notice: " << p.notice << "\n";
    if (!p.note_zh.empty()) out << "  说明: " << p.note_zh << "\n";
    if (!p.note_en.empty()) out << "  Note: " << p.note_en << "\n";
  }
}

namespace {

struct CalendarArgs {
  std::string date, n_text;
  int n = 0;
  int year = 0;
  bool json = false;
};


// Loads the shared calendar; prints the error and sets the exit code on failure.
const WorkingCalendar* CalendarOrFail(const Globals& g) {
  auto cal = WorkingCalendar::Shared(g.config);
  if (!cal.ok()) {
    PrintError(cal.status().message());
    g_exit_code = kExitFailure;
    return nullptr;
  }
  return cal.value();
}

// "2024–2050" or "2024, 2026–2030" for ascending years; "—" when there are none.
std::string YearRanges(const std::vector<int>& years) {
  std::string out;
  for (std::size_t i = 0; i < years.size();) {
    std::size_t j = i;
    while (j + 1 < years.size() && years[j + 1] == years[j] + 1) ++j;
    out += (out.empty() ? "" : ", ") + std::to_string(years[i]) + (j > i ? "–" + std::to_string(years[j]) : "");
    i = j + 1;
  }
  return out.empty() ? "—" : out;
}

// Prints a failed query, naming the years the calendar has when one is missing.
void Fail(const WorkingCalendar& cal, const Status& s) {
  std::string msg = s.message();
  if (s.code() == StatusCode::kFailedPrecondition) {
    const std::string provisional = YearRanges(cal.ProvisionalYears());
    msg += "\n  已有年份 / years available: " + YearRanges(cal.Years()) +
           (provisional == "—" ? "" : "（暂定 / provisional: " + provisional + "）");
  }
  PrintError(msg);
  g_exit_code = kExitFailure;
}

// N of add-workdays: decimal digits with an optional sign, nothing else (the parser of an int
// option read "" as 0 and "0x1" as 1: a silently wrong deadline).
Result<int> ParseWorkdayCount(const std::string& text) {
  std::size_t i = text.empty() || (text[0] != '+' && text[0] != '-') ? 0 : 1;
  const bool digits = i < text.size() && text.size() - i <= 9 &&
                      text.find_first_not_of("0123456789", i) == std::string::npos;
  if (!digits) {
    std::string shown;
    for (unsigned char c : text.substr(0, 40)) shown += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
    return Status::Error(StatusCode::kInvalidArgument,
                         "工作日数应为整数（如 20、-5、0），实际为 \"" + shown + "\"",
                         "the number of working days must be a whole number such as 20, -5 or 0, got \"" + shown + "\"");
  }
  return std::stoi(text);
}

void AddWorkdays(const Globals& g, CalendarArgs& a) {
  Result<Date> from = Date::Parse(a.date);
  if (!from.ok()) {
    PrintError(from.status().message());
    g_exit_code = kExitUsage;
    return;
  }
  Result<int> n = ParseWorkdayCount(a.n_text);
  if (!n.ok()) {
    PrintError(n.status().message());
    g_exit_code = kExitUsage;
    return;
  }
  a.n = n.value();
  const WorkingCalendar* cal = CalendarOrFail(g);
  if (cal == nullptr) return;
  Result<Date> to = cal->AddWorkingDays(from.value(), a.n);
  if (!to.ok()) return Fail(*cal, to.status());
  const std::vector<int> provisional = cal->ProvisionalYearsBetween(from.value(), to.value());
  if (a.json) {
    nlohmann::ordered_json j{{"from", from->ToString()},
                             {"n", a.n},
                             {"date", to->ToString()},
                             {"weekday", to->weekday()},
                             {"provisional", !provisional.empty()},
                             {"provisional_years", provisional},
                             {"calendar_years", cal->Years()}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << to->ToString();
    if (!provisional.empty()) std::cout << "  " << ProvisionalMark(provisional);
    std::cout << "\n";
  }
}

void ShowYear(const Globals& g, const CalendarArgs& a) {
  const WorkingCalendar* cal = CalendarOrFail(g);
  if (cal == nullptr) return;
  auto year = cal->Year(a.year);
  if (!year.ok()) return Fail(*cal, year.status());
  const CalendarYear& y = *year.value();
  const int working_days = WorkingDaysIn(*cal, y.year);
  if (a.json) {
    nlohmann::ordered_json j{{"year", y.year},
                             {"provisional", y.provisional},
                             {"source", SourceJson(y.source)},
                             {"origin", y.origin},
                             {"working_days", working_days},
                             {"note_zh", y.note_zh},
                             {"note_en", y.note_en},
                             {"holidays", HolidaysJson(y)}};
    std::cout << j.dump(2) << "\n";
    return;
  }

  std::cout << y.year << " 年工作日历 / working-day calendar for " << y.year << "\n";
  if (y.provisional) std::cout << ProvisionalMark({y.year}) << "\n";
  std::cout << "依据 / source: " << y.source.title << "（" << y.source.document_number << "）\n"
            << "发文机关 / issued by: " << y.source.issuer << "，" << y.source.published.ToString() << "\n"
            << "网址 / URL: " << y.source.url << "\n"
            << "数据文件 / data file: " << y.origin << "\n";
  if (!y.note_zh.empty()) std::cout << "说明: " << y.note_zh << "\n";
  if (!y.note_en.empty()) std::cout << "Note: " << y.note_en << "\n";
  std::cout << "全年工作日 / working days in the year: " << working_days << "\n";
  PrintHolidays(std::cout, y);
}

}  // namespace

void RegisterCalendarCommands(CLI::App& app, Globals& g) {
  static CalendarArgs a;
  auto* cal = app.add_subcommand(
      "calendar", "工作日历（法定节假日与调休）/ the working-day calendar (public holidays and make-up working days)");
  cal->require_subcommand(1);
  RegisterCalendarNoticeCommand(*cal, g);

  auto* add = cal->add_subcommand("add-workdays",
                                  "DATE 之后第 N 个工作日（不含 DATE 当天；N 可为负；N 为 0 时：DATE 是工作日则为 DATE，"
                                  "否则为其后第一个工作日）/ the date N working days after DATE (DATE not counted; N may "
                                  "be negative; N = 0: DATE if it is a working day, else the next working day)");
  add->add_option("date", a.date, "起算日期 YYYY-MM-DD / start date YYYY-MM-DD")->required();
  add->add_option("n", a.n_text, "工作日数（整数，可为负或 0）/ number of working days (a whole number, may be negative or 0)")
      ->required();
  add->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  add->callback([&g] { AddWorkdays(g, a); });

  auto* show = cal->add_subcommand(
      "show", "某年的放假与调休安排及其依据 / a year's holidays and make-up days with their source");
  show->add_option("year", a.year, "年份 / year")->required()->check(CLI::Range(1, 9999));
  show->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  show->callback([&g] { ShowYear(g, a); });
}

}  // namespace xj::cli
