// Reading a State Council holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知) as text
// and turning it into the year's calendar file (xj-calendar/1, core/src/calendar.h), for
// `xinjian calendar import-notice` (docs/calendar.md).
//
// Thread safety: pure functions of their arguments (StatutoryDaysOff reads embedded data
// parsed once per process); safe from any thread.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "calendar.h"
#include "xinjian/status.h"

namespace xj {

// What the notice text may lack, or what the operator corrects.
struct NoticeImportOptions {
  int year = 0;  // 0: from the text (title "…关于2027年部分节假日安排的通知" or the body "现将2027年…")
  std::string document_number;  // overrides / supplies 国办发明电〔2026〕N号 when the text lacks it
  std::string url;              // the notice's URL (http(s)://), required when the text has none
  std::string published;        // YYYY-MM-DD; else the date at the end of the text ("2026年11月4日")
};

// The largest notice text accepted (the same limit as a calendar file).
inline constexpr std::size_t kNoticeMaxTextBytes = kCalendarMaxFileBytes;

// Parses the text of a holiday notice and checks it; returns the year's calendar as
// ParseCalendarYear reads it back from CalendarYearJson (origin left empty).
//
// The text is UTF-8 (a leading byte-order mark is skipped), at most kNoticeMaxTextBytes, without
// control characters other than tab, CR and LF. Full-width or ASCII punctuation (：，。；（）
// or : , . ; ( )), full-width digits and white space anywhere are accepted. The holidays are
// the numbered paragraphs "一、元旦：…" (the number may be left out when the paragraph starts
// its line with a festival name and a colon); a paragraph runs to the next one; the last one
// runs over the lines that carry 放假/上班 or go on with its sentence, and stops at the closing
// paragraph (节假日期间…), the issuer or the date line. In a paragraph:
//   - "M月D日至D日" / "M月D日至M月D日" / "YYYY年M月D日…" followed by 放假 (or 补休, in notices
//     before 2016) are days off; "…放假1天" and "共N天" (in the same sentence or the next)
//     state their number; "与周末连休" adds the Saturday and Sunday next to the stated days;
//   - dates (separated by 、 , 和) followed by 上班 are make-up working days;
//   - a note in brackets after a date ("（周日）", "（星期日）", "（农历除夕、周二）",
//     "（农历正月初七、周一）") is checked against the date: the weekday, 除夕 and 正月初一..初十;
//   - every other sentence (such as "鼓励…安排职工在除夕（2月9日）休息") is not a day off; when
//     it mentions a number it is recorded in the holiday's note_zh/note_en as not counted.
// The names: name_zh as written ("国庆节、中秋节"), name_en from a fixed table joined with
// " and ". Title, document number (…〔YYYY〕N号; [ ] and ( ) are read as 〔 〕), issuer (the title
// before 关于), the date line at the end ("2025年11月4日" or "二〇二五年十一月四日") and an
// http(s) URL are taken from the text; `options` supplies or overrides them.
//
// Refused, with kInvalidArgument and a bilingual message, Chinese first, that starts with the
// line of the text concerned ("第 N 行：… / line N: …") or, for the text as a whole, "通知：… /
// notice: …":
//   - empty or oversized text, text that is not UTF-8, control characters;
//   - no paragraph, more than 20, an unknown or repeated festival name, a paragraph longer than
//     2000 bytes or without days off, a sentence about 放假/上班 whose dates cannot be read, an
//     arrangement outside the paragraphs;
//   - a date that is not a calendar date, a range that runs backwards or over 31 days, a
//     bracketed weekday or lunar day that is not the date's, a stated count that is not the
//     number of days off;
//   - days off that are not consecutive (a gap of Saturdays and Sundays only, as in
//     "6月20日放假，6月22日（星期一）补休", is filled: it is off anyway); a date listed twice, a
//     make-up day that is also a day off or falls on a Monday to Friday;
//   - a date outside the year, except the leading days off of the 元旦 period in the previous
//     December that fall on a Saturday or Sunday: those are left out and named in the
//     period's note (a weekday off or a make-up day in the previous December is refused: the
//     previous year's file must carry it);
//   - a festival of the law in force that year (StatutoryDaysOff) that no paragraph names, or
//     one of its statutory days that is not a day off; a year StatutoryDaysOff cannot answer
//     for (outside the embedded festival dates) is refused too, with its message;
//   - years that disagree (title, body, options.year); a document number whose year is not
//     the notice date's; a notice dated after its year;
//   - no year, document number, date line or URL found and none given (the message names the
//     option to pass: --year, --document-number, --published, --url), or a malformed option;
//   - a result that ParseCalendarYear refuses (a limit of the file format).
Result<CalendarYear> ParseHolidayNotice(std::string_view text, const NoticeImportOptions& options);

// The xj-calendar/1 JSON text of a year, 2-space indented like schemas/calendar/*.json, with a
// final newline: ParseCalendarYear("YYYY.json", CalendarYearJson(y)) gives back the same year
// (source, notes, holidays; origin and provisional are not part of the format).
std::string CalendarYearJson(const CalendarYear& year);

}  // namespace xj
