// NextFireUs: a job's schedule through the cron evaluator (cron.h), with parsed schedules
// cached (10,000 jobs share a handful of expressions).
#include <map>
#include <mutex>

#include "calendar.h"
#include "cron.h"
#include "jobs.h"
#include "tz.h"

namespace xj::sched {

Result<std::int64_t> NextFireUs(const std::string& schedule, const std::string& time_zone, std::int64_t after_us) {
  static std::mutex mu;
  static std::map<std::string, CronSchedule> cache;
  const CronSchedule* parsed = nullptr;
  {
    std::lock_guard<std::mutex> l(mu);
    auto it = cache.find(schedule);
    if (it == cache.end()) {
      auto p = CronSchedule::Parse(schedule);
      if (!p.ok()) return p.status();
      it = cache.emplace(schedule, std::move(p).value()).first;
    }
    parsed = &it->second;  // std::map nodes are stable and never erased
  }
  auto zone = TimeZone::Find(time_zone);
  if (!zone.ok()) return zone.status();
  const WorkingCalendar* calendar = nullptr;
  if (parsed->NeedsCalendar()) {
    auto cal = WorkingCalendar::Shared("");
    if (!cal.ok()) return cal.status();
    calendar = cal.value();
  }
  const auto after = std::chrono::sys_seconds(std::chrono::seconds(after_us >= 0 ? after_us / 1000000 : (after_us - 999999) / 1000000));
  auto next = parsed->Next(after, *zone.value(), calendar);
  if (!next.ok()) return next.status();
  return static_cast<std::int64_t>(next->time_since_epoch().count()) * 1000000;
}

}  // namespace xj::sched
