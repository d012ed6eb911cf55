// The host's implementation of the SDK's time (xinjian/time.h): the process clock (clock.h),
// the system tz database (tz.h) and the working-day calendar (calendar.h). Every local date
// and local time of the core, the CLI and the plugins comes from here, so there is one place
// that turns an instant into a date.
//
// Thread safety: both objects are immutable after construction and shared by the process.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "calendar.h"
#include "xinjian/time.h"

namespace xj {

// The process's time service. Asia/Shanghai is resolved from the tz database; when that has
// no such zone (a machine without tzdata), from its rule: UTC+8 without daylight saving, in
// force since 1991 and so for every date the platform handles. Other zones need the database.
const TimeService& HostTime();

// The working-day calendar of `config` (calendar.dir, WorkingCalendar::Shared) seen through
// the SDK interface; the pointer stays valid until exit. Errors as WorkingCalendar::Shared.
Result<const WorkingDays*> HostWorkingDays(const std::map<std::string, std::string>& config);

// The SDK view of a calendar the caller owns (the scheduler reads the calendar afresh for each
// job run); valid as long as `calendar` is.
std::unique_ptr<WorkingDays> ViewOfCalendar(const WorkingCalendar* calendar);

// Conversions between the SDK's CivilDate and the calendar's Date (same day numbers).
inline Date ToDate(CivilDate d) { return Date::FromDays(d.days()); }
inline CivilDate ToCivil(Date d) { return CivilDate::FromDays(d.days()); }

}  // namespace xj
