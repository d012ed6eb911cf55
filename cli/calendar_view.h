// How the calendar commands show a year (cmd_calendar.cpp, cmd_calendar_notice.cpp): one
// place for the text and JSON forms, so that `calendar show` and `calendar import-notice`
// print a year the same way.
#pragma once
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "calendar.h"

namespace xj::cli {

// "2025-01-28（周二 / Tue）".
std::string DayZhEn(Date d);
// The working days of `year` in `cal` (0 when the calendar has no such year).
int WorkingDaysIn(const WorkingCalendar& cal, int year);
// {"issuer", "title", "document_number", "published", "url"}.
nlohmann::ordered_json SourceJson(const CalendarSource& source);
// One object per holiday: names, days_off, makeup_workdays, notice, notes.
nlohmann::ordered_json HolidaysJson(const CalendarYear& year);
// Each holiday: its names, days off, make-up days, the notice's sentence and the notes.
void PrintHolidays(std::ostream& out, const CalendarYear& year);

}  // namespace xj::cli
