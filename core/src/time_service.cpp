// See time_service.h.
#include "time_service.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>

#include "clock.h"
#include "tz.h"

namespace xj {
namespace {

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int32_t kShanghaiRuleOffset = 8 * 3600;  // UTC+8, no daylight saving since 1991

std::int64_t FloorSeconds(std::int64_t us) { return us >= 0 ? us / kMicros : (us - kMicros + 1) / kMicros; }
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// The zone's offset at instant `secs`, or the error naming the zone.
Result<std::int32_t> OffsetAt(std::string_view zone, std::int64_t secs) {
  Result<const TimeZone*> z = TimeZone::Find(zone);
  if (z.ok()) return z.value()->OffsetAt(std::chrono::sys_seconds(std::chrono::seconds(secs)));
  if (zone == kPlatformTimeZone) return kShanghaiRuleOffset;
  return z.status();
}

class HostTimeService final : public TimeService {
 public:
  std::int64_t NowMicros() const override { return ::xj::NowMicros(); }

  Result<CivilDate> LocalDate(std::int64_t at_us, std::string_view zone) const override {
    const std::int64_t secs = FloorSeconds(at_us);
    Result<std::int32_t> off = OffsetAt(zone, secs);
    if (!off.ok()) return off.status();
    return CivilDate::FromDays(static_cast<std::int32_t>(FloorDiv(secs + off.value(), 86400)));
  }

  Result<std::string> FormatLocal(std::int64_t at_us, std::string_view zone) const override {
    const std::int64_t secs = FloorSeconds(at_us);
    Result<std::int32_t> off = OffsetAt(zone, secs);
    if (!off.ok()) return off.status();
    const std::int64_t local = secs + off.value();
    const CivilDate d = CivilDate::FromDays(static_cast<std::int32_t>(FloorDiv(local, 86400)));
    const std::int64_t in_day = local - static_cast<std::int64_t>(d.days()) * 86400;
    const int o = off.value();
    const int oa = o < 0 ? -o : o;
    char buf[64];
    std::snprintf(buf, sizeof buf, " %02d:%02d:%02d %c%02d:%02d", static_cast<int>(in_day / 3600),
                  static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60), o < 0 ? '-' : '+', oa / 3600,
                  oa / 60 % 60);
    return d.ToString() + buf;
  }

  Result<std::int64_t> StartOfDay(CivilDate date, std::string_view zone) const override {
    const LocalSeconds midnight = static_cast<LocalSeconds>(date.days()) * 86400;
    Result<const TimeZone*> z = TimeZone::Find(zone);
    if (!z.ok()) {
      if (zone != kPlatformTimeZone) return z.status();
      return (midnight - kShanghaiRuleOffset) * kMicros;
    }
    const TimeZone::Resolution r = z.value()->Resolve(midnight);
    return static_cast<std::int64_t>(r.first.time_since_epoch().count()) * kMicros;
  }
};

class CalendarView final : public WorkingDays {
 public:
  explicit CalendarView(const WorkingCalendar* c) : c_(c) {}
  Result<bool> IsWorkingDay(CivilDate d) const override { return c_->IsWorkingDay(ToDate(d)); }
  Result<CivilDate> AddWorkingDays(CivilDate from, int n) const override {
    Result<Date> r = c_->AddWorkingDays(ToDate(from), n);
    if (!r.ok()) return r.status();
    return ToCivil(r.value());
  }
  Result<int> WorkingDaysBetween(CivilDate a, CivilDate b) const override {
    return c_->WorkingDaysBetween(ToDate(a), ToDate(b));
  }
  bool IsProvisional(int year) const override { return c_->IsProvisional(year); }

 private:
  const WorkingCalendar* c_;
};

}  // namespace

const TimeService& HostTime() {
  static const HostTimeService kService;
  return kService;
}

std::unique_ptr<WorkingDays> ViewOfCalendar(const WorkingCalendar* calendar) {
  return std::make_unique<CalendarView>(calendar);
}

Result<const WorkingDays*> HostWorkingDays(const std::map<std::string, std::string>& config) {
  Result<const WorkingCalendar*> cal = WorkingCalendar::Shared(config);
  if (!cal.ok()) return cal.status();
  // One view per distinct calendar, kept for the life of the process like the calendar.
  static std::mutex mu;
  static std::map<const WorkingCalendar*, std::unique_ptr<CalendarView>> views;
  std::lock_guard<std::mutex> lock(mu);
  auto& v = views[cal.value()];
  if (!v) v = std::make_unique<CalendarView>(cal.value());
  return static_cast<const WorkingDays*>(v.get());
}

}  // namespace xj
