// xinjian cron next EXPR [--from ISO-TIME] [--tz ZONE] [--count N]: when a schedule fires
// (scheduler/src/cron.h; syntax in docs/scheduler.md). Prints one ISO 8601 time with its
// offset per line.
//
// Working-day schedules (@workdays, @workday-of-month) read the working-day calendar
// (--set calendar.dir=/path adds or replaces years, as for `xinjian calendar`).
// Exit status: 0; kExitUsage for a malformed expression, time, zone or count; kExitFailure
// when the schedule cannot answer (a year without calendar data, no fire time before 2400):
// the times found before the failure are printed first.
//
// A hidden --batch mode serves the differential test (tests/cron/croniter_diff.py): it reads
// lines "ZONE<TAB>FROM<TAB>COUNT<TAB>EXPR" from stdin and writes one line per input,
// "OK<TAB>TIME<TAB>TIME..." or "ERR<TAB>CODE<TAB>MESSAGE", and the time spent on stderr.
#include <CLI/CLI.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "calendar.h"
#include "cli.h"
#include "clock.h"
#include "cron.h"
#include "tz.h"

namespace xj::cli {
extern int g_exit_code;

namespace {

using std::chrono::sys_seconds;

constexpr int kMaxCount = 10000;

struct CronArgs {
  std::vector<std::string> expr;  // joined with spaces: the fields may come as separate words
  std::string from;
  std::string tz = kDefaultTimeZone;
  int count = 1;
  bool batch = false;
  bool json = false;
};


// The process clock (XINJIAN_NOW / --now), to the second.
sys_seconds Now() {
  return std::chrono::floor<std::chrono::seconds>(
      std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(NowMicros())));
}

// The calendar, loaded on first use; nullptr with `*error` set when it cannot be loaded.
const WorkingCalendar* Calendar(const Globals& g, Status* error) {
  auto cal = WorkingCalendar::Shared(g.config);
  if (!cal.ok()) {
    *error = cal.status();
    return nullptr;
  }
  return cal.value();
}

void NextTimes(const Globals& g, const CronArgs& a) {
  std::string text;
  for (const std::string& w : a.expr) text += (text.empty() ? "" : " ") + w;
  if (text.empty()) {
    PrintError("缺少 cron 表达式 / a cron expression is needed, e.g. xinjian cron next '0 9 * * 1-5'");
    g_exit_code = kExitUsage;
    return;
  }
  Result<CronSchedule> schedule = CronSchedule::Parse(text);
  if (!schedule.ok()) {
    PrintError(schedule.status().message());
    g_exit_code = kExitUsage;
    return;
  }
  Result<const TimeZone*> zone = TimeZone::Find(a.tz);
  if (!zone.ok()) {
    PrintError(zone.status().message());
    g_exit_code = zone.status().code() == StatusCode::kUnavailable ? kExitFailure : kExitUsage;
    return;
  }
  sys_seconds after = Now();
  if (!a.from.empty()) {
    Result<sys_seconds> from = ParseIsoTime(a.from, *zone.value());
    if (!from.ok()) {
      PrintError(from.status().message());
      g_exit_code = kExitUsage;
      return;
    }
    after = from.value();
  }
  const WorkingCalendar* calendar = nullptr;
  if (schedule->NeedsCalendar()) {
    Status error;
    calendar = Calendar(g, &error);
    if (calendar == nullptr) {
      PrintError(error.message());
      g_exit_code = kExitFailure;
      return;
    }
  }
  std::vector<std::string> times;
  Status stop = Status::Ok();
  for (int i = 0; i < a.count; ++i) {
    Result<sys_seconds> t = schedule->Next(after, *zone.value(), calendar);
    if (!t.ok()) {
      stop = t.status();
      break;
    }
    times.push_back(FormatIsoTime(t.value(), *zone.value()));
    if (!a.json) std::cout << times.back() << "\n";
    after = t.value();
  }
  if (a.json) std::cout << nlohmann::json(times).dump() << "\n";
  if (!stop.ok()) {
    std::cout.flush();
    PrintError(stop.message());
    g_exit_code = kExitFailure;
  }
}

void Batch(const Globals& g) {
  const auto start = std::chrono::steady_clock::now();
  std::string line, out;
  long long lines = 0, times = 0;
  const WorkingCalendar* calendar = nullptr;
  Status calendar_error;
  bool calendar_loaded = false;
  auto fail = [&out](const Status& s) {
    out += "ERR\t";
    out += StatusCodeName(s.code());
    out += "\t";
    for (char c : s.message()) out += (c == '\t' || c == '\n') ? ' ' : c;
    out += "\n";
  };
  while (std::getline(std::cin, line)) {
    ++lines;
    std::vector<std::string> cols;
    std::size_t begin = 0;
    for (int k = 0; k < 3; ++k) {
      const std::size_t tab = line.find('\t', begin);
      if (tab == std::string::npos) break;
      cols.push_back(line.substr(begin, tab - begin));
      begin = tab + 1;
    }
    if (cols.size() != 3) {
      fail(Status::Error(StatusCode::kInvalidArgument, "批量输入行应为 时区<TAB>起始<TAB>个数<TAB>表达式",
                         "a batch line is ZONE<TAB>FROM<TAB>COUNT<TAB>EXPR"));
      continue;
    }
    const std::string expr = line.substr(begin);
    int count = 0;
    try {
      count = std::stoi(cols[2]);
    } catch (const std::exception&) {
      count = -1;
    }
    if (count < 1 || count > kMaxCount) {
      fail(Status::Error(StatusCode::kInvalidArgument, "个数有误", "bad count"));
      continue;
    }
    Result<CronSchedule> schedule = CronSchedule::Parse(expr);
    if (!schedule.ok()) {
      fail(schedule.status());
      continue;
    }
    Result<const TimeZone*> zone = TimeZone::Find(cols[0]);
    if (!zone.ok()) {
      fail(zone.status());
      continue;
    }
    Result<sys_seconds> from = ParseIsoTime(cols[1], *zone.value());
    if (!from.ok()) {
      fail(from.status());
      continue;
    }
    if (schedule->NeedsCalendar() && !calendar_loaded) {
      calendar = Calendar(g, &calendar_error);
      calendar_loaded = true;
    }
    if (schedule->NeedsCalendar() && calendar == nullptr) {
      fail(calendar_error);
      continue;
    }
    Result<std::vector<sys_seconds>> next = schedule->NextTimes(from.value(), count, *zone.value(), calendar);
    if (!next.ok()) {
      fail(next.status());
      continue;
    }
    out += "OK";
    for (sys_seconds t : next.value()) {
      out += "\t";
      out += FormatIsoTime(t, *zone.value());
      ++times;
    }
    out += "\n";
  }
  std::cout << out;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "cron next --batch: %lld lines, %lld fire times, %.1f ms\n", lines, times, ms);
}

}  // namespace

void RegisterCronCommands(CLI::App& app, Globals& g) {
  static CronArgs a;
  auto* cron = app.add_subcommand("cron", "cron 计划 / cron schedules (docs/scheduler.md)");
  cron->require_subcommand(1);
  auto* next = cron->add_subcommand("next", "列出计划接下来的触发时刻 / print the next fire times of a schedule");
  next->add_option("expr", a.expr,
                   "cron 表达式（5 个字段、@daily 等宏或 @workdays 09:00）/ "
                   "the schedule: 5 fields, a macro such as @daily, or @workdays 09:00");
  next->add_option("--from", a.from,
                   "从此时刻之后开始（ISO 8601；不带偏移时按 --tz 的当地时间；默认现在）/ "
                   "start strictly after this time (ISO 8601; local time in --tz without an offset; default now)");
  next->add_option("--tz", a.tz, "IANA 时区 / IANA time zone (default Asia/Shanghai)");
  next->add_option("--count", a.count, "个数 / how many fire times (default 1)")->check(CLI::Range(1, kMaxCount));
  next->add_flag("--json", a.json, "以 JSON 数组输出 / print a JSON array");
  next->add_flag("--batch", a.batch, "differential-test mode (stdin: ZONE\\tFROM\\tCOUNT\\tEXPR)")->group("");
  next->callback([&g] {
    if (a.batch) return Batch(g);
    NextTimes(g, a);
  });
}

}  // namespace xj::cli
