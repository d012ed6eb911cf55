// Unit tests of core/src/calendar_notice.h: the State Council holiday notices of 2024, 2025 and
// 2026 (their paragraphs as kept in schemas/calendar/YYYY.json, and a full 2026 text as
// published) give back exactly the shipped days off and make-up days; damaged and hostile
// notices are refused naming the line and the reason; CalendarYearJson round-trips.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calendar.h"
#include "calendar_notice.h"
#include "test_support.h"
#include "text.h"

using xj::CalendarYear;
using xj::Date;
using xj::NoticeImportOptions;
using xj::StatusCode;

namespace {

std::string ShippedJson(int year) {
  return xj::test::ReadFile(std::string(XJ_SOURCE_DIR) + "/schemas/calendar/" + std::to_string(year) + ".json");
}

CalendarYear Shipped(int year) {
  auto y = xj::ParseCalendarYear(std::to_string(year) + ".json", ShippedJson(year));
  INFO(y.status().message());
  REQUIRE(y.ok());
  return y.value();
}

// A notice made of a title line, the document number line and the `notice` paragraphs of the
// shipped file, one a line.
std::string NoticeFromShipped(int year) {
  const auto j = nlohmann::json::parse(ShippedJson(year));
  std::string text =
      j["source"]["title"].get<std::string>() + "\n" + j["source"]["document_number"].get<std::string>() + "\n";
  for (const auto& h : j["holidays"]) text += h["notice"].get<std::string>() + "\n";
  return text;
}

NoticeImportOptions OptionsFromShipped(int year) {
  const CalendarYear y = Shipped(year);
  NoticeImportOptions o;
  o.published = y.source.published.ToString();
  o.url = y.source.url;
  return o;
}

CalendarYear Parse(const std::string& text, const NoticeImportOptions& options) {
  auto r = xj::ParseHolidayNotice(text, options);
  INFO(r.status().message());
  REQUIRE(r.ok());
  return r.value();
}

// The holidays of `got` are exactly those of `want`: names, days off, make-up days.
void SameHolidays(const CalendarYear& got, const CalendarYear& want) {
  CHECK(got.year == want.year);
  REQUIRE(got.holidays.size() == want.holidays.size());
  for (std::size_t i = 0; i < want.holidays.size(); ++i) {
    INFO(want.holidays[i].name_zh);
    CHECK(got.holidays[i].name_zh == want.holidays[i].name_zh);
    CHECK(got.holidays[i].name_en == want.holidays[i].name_en);
    CHECK(got.holidays[i].days_off == want.holidays[i].days_off);
    CHECK(got.holidays[i].makeup_workdays == want.holidays[i].makeup_workdays);
  }
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  INFO(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

// The 2026 notice as published on www.gov.cn (国办发明电〔2025〕7号), laid out as copied from
// the page: indented with ideographic spaces, some paragraphs with ASCII punctuation and
// 星期X, two paragraphs on one line, the last one split over two lines. Line numbers matter
// to the tests below.
const std::vector<std::string> kNotice2026Lines = {
    /* 1 */ "国务院办公厅关于2026年部分节假日安排的通知",
    /* 2 */ "国办发明电〔2025〕7号",
    /* 3 */ "",
    /* 4 */ "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
    /* 5 */
    "　　经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。",
    /* 6 */ "　　一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。",
    /* 7 */
    "　　二、春节:2月15日(农历腊月二十八、星期日)至23日(农历正月初七、星期一)放假调休,共9天.2月14日(星期六)、2月28日("
    "星期六)上班.",
    /* 8 */ "　　三、清明节：4月4日（周六）至6日（周一）放假，共3天。",
    /* 9 */ "　　四、劳动节: 5月1日(星期五)至5日(星期二)放假调休, 共5天. 5月9日(星期六)上班.",
    /* 10 */
    "　　五、端午节：6月19日（周五）至21日（周日）放假，共3天。六、中秋节：9月25日（周五）至27日（周日）放假，共3天。",
    /* 11 */ "　　七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。",
    /* 12 */ "9月20日（周日）、10月10日（周六）上班。",
    /* 13 */
    "　　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确"
    "保人民群众祥和平安度过节日假期。",
    /* 14 */ "",
    /* 15 */ "　　　　　　　　　　　　　　　　　　　　国务院办公厅",
    /* 16 */ "　　　　　　　　　　　　　　　　　　　　2025年11月4日",
    /* 17 */ "　　（此件公开发布）",
};

std::string Join(const std::vector<std::string>& lines, const std::string& eol = "\n") {
  std::string out;
  for (const std::string& l : lines) out += l + eol;
  return out;
}

const std::string kUrl2026 = "https://www.gov.cn/zhengce/content/202511/content_7047090.htm";

NoticeImportOptions Url2026() {
  NoticeImportOptions o;
  o.url = kUrl2026;
  return o;
}

// Expects the notice to be refused with a bilingual message that starts with `where`
// ("第 7 行：" or "通知：") and contains `zh` before " / " and `en` after it.
void ExpectRefused(const std::string& text, const std::string& where, const std::string& zh, const std::string& en,
                   const NoticeImportOptions& options = Url2026()) {
  INFO("expected: " + where + zh);
  auto r = xj::ParseHolidayNotice(text, options);
  REQUIRE_FALSE(r.ok());
  const std::string m = r.status().message();
  INFO(m);
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(m, Catch::StartsWith(where));
  CHECK_THAT(m, Catch::Contains(zh));
  CHECK_THAT(m, Catch::Contains(en));
  const auto slash = m.find(" / ");
  REQUIRE(slash != std::string::npos);
  CHECK(m.find(zh) < slash);
  CHECK(m.rfind(en) > slash);
  if (where.rfind("第 ", 0) == 0) {  // "第 7 行：" -> " / line 7: "
    const std::string n = where.substr(std::string("第 ").size(), where.find(" 行") - std::string("第 ").size());
    CHECK_THAT(m, Catch::Contains(" / line " + n + ": "));
  }
  CHECK(xj::text::IsValidUtf8(m));
  CHECK_FALSE(xj::text::HasControlCharExceptWhitespace(m));
}

}  // namespace

TEST_CASE("calendar notice: the shipped paragraphs of 2024, 2025 and 2026 give back the shipped years",
          "[calendar][notice]") {
  for (int year : {2024, 2025, 2026}) {
    INFO(year);
    const CalendarYear want = Shipped(year);
    const CalendarYear got = Parse(NoticeFromShipped(year), OptionsFromShipped(year));
    SameHolidays(got, want);
    CHECK(got.source.issuer == "国务院办公厅");
    CHECK(got.source.title == want.source.title);
    CHECK(got.source.document_number == want.source.document_number);
    CHECK(got.source.published == want.source.published);
    CHECK(got.source.url == want.source.url);
    for (std::size_t i = 0; i < want.holidays.size(); ++i) CHECK(got.holidays[i].notice == want.holidays[i].notice);
    // What it writes loads as the same year.
    auto back = xj::ParseCalendarYear(std::to_string(year) + ".json", xj::CalendarYearJson(got));
    INFO(back.status().message());
    REQUIRE(back.ok());
    SameHolidays(back.value(), want);
  }
}

TEST_CASE("calendar notice: 2024, joined weekends and the encouraged New Year's Eve", "[calendar][notice]") {
  const CalendarYear y = Parse(NoticeFromShipped(2024), OptionsFromShipped(2024));
  // 元旦 "1月1日放假，与周末连休": the weekend before (30, 31 December 2023) lies in 2023 and is
  // left out, and the note says so.
  REQUIRE(y.holidays[0].name_zh == "元旦");
  CHECK(y.holidays[0].days_off == std::vector<Date>{Date::Parse("2024-01-01").value()});
  CHECK(y.holidays[0].note_zh == "与之连休的周末（2023年12月30日、31日）属于2023年，不在本文件中。");
  CHECK(y.holidays[0].note_en ==
        "The weekend joined to it (30 and 31 December 2023) falls in 2023 and is not in this file.");
  // 春节: the sentence encouraging a rest on 除夕 (9 February) is no day off, and is named as such.
  REQUIRE(y.holidays[1].name_zh == "春节");
  CHECK(y.holidays[1].days_off.front() == Date::Parse("2024-02-10").value());
  CHECK_THAT(y.holidays[1].note_zh, Catch::StartsWith("未计入：“鼓励各单位") && Catch::Contains("除夕（2月9日）休息"));
  CHECK_THAT(y.holidays[1].note_en, Catch::StartsWith("Not counted: "));
  auto cal = xj::WorkingCalendar::FromYears({y});
  REQUIRE(cal.ok());
  CHECK(cal->IsWorkingDay(Date::Parse("2024-02-09").value()).value());
  // 端午节 "6月10日放假，与周末连休": Saturday 8 and Sunday 9 June before Monday 10 June.
  REQUIRE(y.holidays[4].name_zh == "端午节");
  CHECK(y.holidays[4].days_off.size() == 3);
  CHECK(y.holidays[4].days_off.front() == Date::Parse("2024-06-08").value());
  CHECK(y.holidays[4].note_zh.empty());
  // "与周末连休" after a Friday joins the weekend after it (2026: 19 June is a Friday).
  const CalendarYear y26 = Parse(Replace(Join(kNotice2026Lines), "6月19日（周五）至21日（周日）放假，共3天。",
                                         "6月19日（周五）放假，与周末连休。"),
                                 Url2026());
  CHECK(y26.holidays[4].days_off == Shipped(2026).holidays[4].days_off);
  // Older notices give a day back with 补休; a gap of Saturdays and Sundays between days off is
  // part of the period (2026-04-05 is a Sunday).
  const CalendarYear b26 = Parse(Replace(Join(kNotice2026Lines), "4月4日（周六）至6日（周一）放假，共3天。",
                                         "4月4日（周六）放假，4月6日（星期一）补休。"),
                                 Url2026());
  CHECK(b26.holidays[2].days_off == Shipped(2026).holidays[2].days_off);
  // "共N天" in a sentence of its own counts the days off before it.
  const std::string own = Replace(Join(kNotice2026Lines), "4月4日（周六）至6日（周一）放假，共3天。",
                                  "4月4日（周六）至6日（周一）放假。共3天。");
  CHECK(Parse(own, Url2026()).holidays[2].days_off == Shipped(2026).holidays[2].days_off);
  ExpectRefused(Replace(own, "放假。共3天。", "放假。共4天。"), "第 8 行：", "“共4天”与放假日数不符", "says 4 days");
}

TEST_CASE("calendar notice: the full 2026 text as published", "[calendar][notice]") {
  const CalendarYear want = Shipped(2026);
  const CalendarYear y = Parse(Join(kNotice2026Lines), Url2026());
  SameHolidays(y, want);
  CHECK(y.source.issuer == "国务院办公厅");
  CHECK(y.source.title == "国务院办公厅关于2026年部分节假日安排的通知");
  CHECK(y.source.document_number == "国办发明电〔2025〕7号");
  CHECK(y.source.published == Date::Parse("2025-11-04").value());
  CHECK(y.source.url == kUrl2026);
  // The paragraphs as written, trimmed; a paragraph split over two lines is joined; the
  // closing paragraph is not part of the last one.
  CHECK(y.holidays[0].notice == "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。");
  CHECK(y.holidays[3].notice == "四、劳动节: 5月1日(星期五)至5日(星期二)放假调休, 共5天. 5月9日(星期六)上班.");
  CHECK(y.holidays[4].notice == "五、端午节：6月19日（周五）至21日（周日）放假，共3天。");
  CHECK(y.holidays[5].notice == "六、中秋节：9月25日（周五）至27日（周日）放假，共3天。");
  CHECK(y.holidays[6].notice ==
        "七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。");
  for (const auto& h : y.holidays) CHECK(h.note_zh.empty());

  // The same with CRLF line ends, a byte-order mark, full-width digits, the date in Chinese
  // numerals, the number in ASCII brackets and a URL in the text.
  std::vector<std::string> lines = kNotice2026Lines;
  lines[1] = "国办发明电[2025]7号";
  lines[5] = "　　一、元旦：１月１日（周四）至３日（周六）放假调休，共３天。１月４日（周日）上班。";
  lines[15] = "二〇二五年十一月四日";
  lines.push_back("来源：" + kUrl2026 + "。");
  const CalendarYear v = Parse("\xEF\xBB\xBF" + Join(lines, "\r\n"), NoticeImportOptions{});
  SameHolidays(v, want);
  CHECK(v.source.document_number == "国办发明电〔2025〕7号");
  CHECK(v.source.published == Date::Parse("2025-11-04").value());
  CHECK(v.source.url == kUrl2026);

  // Options supply and override: a text with paragraphs only.
  std::string bare;
  for (std::size_t i = 5; i <= 11; ++i) bare += kNotice2026Lines[i] + "\n";
  NoticeImportOptions o;
  o.year = 2026;
  o.document_number = "国办发明电〔2025〕7号";
  o.published = "2025-11-04";
  o.url = kUrl2026;
  const CalendarYear b = Parse(bare, o);
  SameHolidays(b, want);
  CHECK(b.source.title == "国务院办公厅关于2026年部分节假日安排的通知");
  CHECK(b.source.document_number == "国办发明电〔2025〕7号");

  // Paragraphs without their numbers, each starting its line, are read too.
  std::string unnumbered;
  for (const auto& h : want.holidays) unnumbered += h.notice.substr(h.notice.find("、") + 3) + "\n";
  SameHolidays(Parse(unnumbered, o), want);
}

TEST_CASE("calendar notice: CalendarYearJson writes what ParseCalendarYear reads", "[calendar][notice]") {
  for (int year : {2024, 2025, 2026}) {
    INFO(year);
    const CalendarYear y = Shipped(year);
    const std::string json = xj::CalendarYearJson(y);
    auto back = xj::ParseCalendarYear(std::to_string(year) + ".json", json);
    INFO(back.status().message());
    REQUIRE(back.ok());
    SameHolidays(back.value(), y);
    CHECK(back->note_zh == y.note_zh);
    CHECK(back->note_en == y.note_en);
    CHECK(back->source.url == y.source.url);
    CHECK(back->source.published == y.source.published);
    for (std::size_t i = 0; i < y.holidays.size(); ++i) {
      CHECK(back->holidays[i].notice == y.holidays[i].notice);
      CHECK(back->holidays[i].note_zh == y.holidays[i].note_zh);
      CHECK(back->holidays[i].note_en == y.holidays[i].note_en);
    }
    // Same shape as the shipped files: the parsed JSON documents are equal.
    CHECK(nlohmann::json::parse(json) == nlohmann::json::parse(ShippedJson(year)));
  }
  // Quotes, backslashes and non-ASCII text are escaped.
  CalendarYear y = Shipped(2026);
  y.note_zh = "引号\"与反斜杠\\";
  auto back = xj::ParseCalendarYear("2026.json", xj::CalendarYearJson(y));
  REQUIRE(back.ok());
  CHECK(back->note_zh == y.note_zh);
}

TEST_CASE("calendar notice: damaged notices are refused naming the line and the reason", "[calendar][notice]") {
  const std::string n26 = Join(kNotice2026Lines);
  // A wrong count: 共7天 for the 8 days of the 2025 National Day and Mid-Autumn Festival.
  {
    const std::string n25 = NoticeFromShipped(2025);
    REQUIRE(n25.find("放假调休，共8天。9月28日") != std::string::npos);
    ExpectRefused(Replace(n25, "放假调休，共8天。9月28日", "放假调休，共7天。9月28日"), "第 8 行：",
                  "“共7天”与放假日数不符", "says 7 days, but \"10月1日(周三)至8日(周三)\" is 8 days",
                  OptionsFromShipped(2025));
  }
  ExpectRefused(Replace(n26, "放假，共3天。六、", "放假，共2天。六、"), "第 10 行：", "与放假日数不符", "says 2 days");
  // A make-up day on a weekday.
  ExpectRefused(Replace(n26, "1月4日（周日）上班", "1月5日上班"), "第 6 行：",
                "调休上班日 2026-01-05 是周一，应为周六或周日",
                "make-up working day 2026-01-05 is a Monday, not a Saturday or Sunday");
  // Dates outside the year.
  ExpectRefused(Replace(n26, "10月10日（周六）上班", "2027年1月9日（周六）上班"), "第 12 行：",
                "调休上班日 2027-01-09 不在 2026 年内", "make-up working day 2027-01-09 is not in 2026");
  ExpectRefused(Replace(n26, "6月19日（周五）至21日（周日）", "2025年6月19日至21日"), "第 10 行：",
                "放假日 2025-06-19 不在 2026 年内", "day off 2025-06-19 is not in 2026");
  // A festival missing: the Mid-Autumn paragraph dropped.
  ExpectRefused(Replace(n26, "六、中秋节：9月25日（周五）至27日（周日）放假，共3天。", ""), "通知：",
                "缺少中秋节的段落（法定假日 2026-09-25）",
                "no paragraph for the Mid-Autumn Festival (statutory day 2026-09-25)");
  // A statutory day not off: the 2026 Spring Festival from 正月初一 (17 February) leaves out 除夕
  // (Monday 16 February), a statutory day since 2025.
  ExpectRefused(Replace(n26, "2月15日(农历腊月二十八、星期日)至23日(农历正月初七、星期一)放假调休,共9天",
                        "2月17日至23日放假调休,共7天"),
                "第 7 行：", "春节的法定假日 2026-02-16（周一）不是放假日",
                "the statutory day 2026-02-16 (Monday) of the Spring Festival is not a day off");
  // A bracketed weekday or lunar day that does not match the date.
  ExpectRefused(Replace(n26, "1月1日（周四）", "1月1日（周五）"), "第 6 行：", "2026-01-01 是周四，不是周五",
                "2026-01-01 is a Thursday, not a Friday");
  ExpectRefused(Replace(n26, "5月9日(星期六)", "5月9日(星期日)"), "第 9 行：", "2026-05-09 是周六，不是星期日",
                "2026-05-09 is a Saturday, not a Sunday");
  ExpectRefused(Replace(n26, "至23日(农历正月初七、星期一)", "至22日(农历正月初七、星期日)"), "第 7 行：",
                "2026 年的农历正月初七是 2026-02-23，不是 2026-02-22",
                "正月初七 (lunar calendar) of 2026 is 2026-02-23, not 2026-02-22");
  // Not a date.
  ExpectRefused(Replace(n26, "2月28日(星期六)上班", "2月30日上班"), "第 7 行：", "“2月30日”不是有效的日期（2026-2-30）",
                "\"2月30日\" is not a calendar date (2026-2-30)");
  ExpectRefused(Replace(n26, "4月4日（周六）至6日（周一）", "4月6日至4日"), "第 8 行：", "结束日早于开始日",
                "ends before it starts");
  // A make-up day that is also a day off, a date listed twice.
  ExpectRefused(Replace(n26, "1月4日（周日）上班", "1月3日（周六）上班"), "第 6 行：",
                "调休上班日 2026-01-03 同时是放假日（第 6 行）",
                "make-up working day 2026-01-03 is also a day off (line 6)");
  ExpectRefused(Replace(n26, "2月28日(星期六)上班", "2月14日(星期六)上班"), "第 7 行：",
                "调休上班日 2026-02-14 重复（第 7 行已列出）", "make-up working day 2026-02-14 listed twice");
  ExpectRefused(Replace(n26, "9月25日（周五）至27日（周日）", "10月1日至3日"), "第 11 行：",
                "放假日 2026-10-01 重复（第 10 行已列出）", "day off 2026-10-01 listed twice (also line 10)");
  ExpectRefused(Replace(n26, "10月1日（周四）至7日（周三）放假调休，共7天", "10月1日至5日、7日放假调休，共6天"),
                "第 11 行：", "放假日不连续：2026-10-05 之后是 2026-10-07",
                "the days off are not consecutive: 2026-10-07 follows 2026-10-05");
  // The year: --year against the title, the title against the body.
  {
    NoticeImportOptions o = Url2026();
    o.year = 2027;
    ExpectRefused(n26, "第 1 行：", "通知是 2026 年的，与指定的年份 2027（--year）不符",
                  "the notice is for 2026, not 2027 (--year)", o);
  }
  ExpectRefused(Replace(n26, "现将2026年", "现将2027年"), "第 5 行：",
                "正文的年份 2027 与标题的年份 2026（第 1 行）不符",
                "does not match the year 2026 of the title (line 1)");
  // An unknown or repeated festival.
  ExpectRefused(Replace(n26, "　　七、国庆节", "八、植树节：3月12日（周四）放假，共1天。\n　　七、国庆节"),
                "第 11 行：", "未知的节日“植树节”", "unknown festival \"植树节\"");
  ExpectRefused(Replace(n26, "三、清明节", "三、春节"), "第 8 行：", "节日“春节”重复（第 7 行已有）",
                "appears twice (also line 7)");
  // A sentence about 上班 whose dates cannot be read, an arrangement outside the paragraphs.
  ExpectRefused(Replace(n26, "1月4日（周日）上班", "1月4日（周日）照常上班"), "第 6 行：",
                "无法理解“1月4日(周日)”：日期后应紧接“放假”或“上班”", "cannot read \"1月4日(周日)\"");
  ExpectRefused(n26 + "另，12月26日（周六）上班。\n", "第 18 行：", "不在任何节日段落中",
                "is not inside a holiday paragraph");
  // Garbage, empty, oversized, not UTF-8, control characters.
  ExpectRefused("这不是通知。Lorem ipsum 2026 1234 (x) 至 放假\n\x5c\x5c\x5c", "通知：", "找不到放假安排的段落",
                "no holiday paragraph found");
  ExpectRefused(std::string(3000, '\xE5') + "\n", "第 1 行：", "不是有效的 UTF-8", "not valid UTF-8");
  ExpectRefused("", "通知：", "文本为空", "the text is empty");
  ExpectRefused(" \n\t\r\n　\n", "通知：", "文本为空", "the text is empty");
  ExpectRefused(n26 + std::string(xj::kNoticeMaxTextBytes, ' '), "通知：", "超过上限 65536 字节",
                "exceeds the limit of 65536 bytes");
  ExpectRefused(Replace(n26, "经国务院批准", "经国务院\xFF批准"), "第 5 行：", "不是有效的 UTF-8 文本（第 ",
                "not valid UTF-8 (byte ");
  ExpectRefused(Replace(n26, "经国务院批准", "经国务院\xE6\x89批准"), "第 5 行：",
                "GB18030/GBK 编码的文本请先转换为 UTF-8", "convert a GB18030/GBK text to UTF-8 first");
  ExpectRefused(Replace(n26, "三、清明节", "三、清明\x07节"), "第 8 行：", "含控制字符 U+0007",
                "contains the control character U+0007");
  ExpectRefused(Replace(n26, "三、清明节", "三、清明\xC2\x85节"), "第 8 行：", "含控制字符 U+0085", "U+0085");
  ExpectRefused(Replace(n26, "\n", std::string(1, '\0') + "\n"), "第 1 行：", "含控制字符 U+0000", "U+0000");
  // No paragraph, or one without days off.
  ExpectRefused("国务院办公厅关于2026年部分节假日安排的通知\n国办发明电〔2025〕7号\n", "通知：", "找不到放假安排的段落",
                "no holiday paragraph found");
  ExpectRefused(Replace(n26, "三、清明节：4月4日（周六）至6日（周一）放假，共3天。", "三、清明节：另行通知。"),
                "第 8 行：", "清明节段落中没有放假日期", "the paragraph of Qingming Festival has no days off");
}

TEST_CASE("calendar notice: the source must be complete", "[calendar][notice]") {
  const std::string n26 = Join(kNotice2026Lines);
  ExpectRefused(n26, "通知：", "文中没有通知的网址", "pass --url", NoticeImportOptions{});
  ExpectRefused(Replace(n26, "国办发明电〔2025〕7号\n", "\n"), "通知：", "找不到发文字号（如“国办发明电〔2025〕7号”）",
                "pass --document-number");
  ExpectRefused(Replace(n26, "2025年11月4日", "二〇二五年"), "通知：", "找不到文末的发文日期", "pass --published");
  ExpectRefused(Replace(Replace(n26, "国务院办公厅关于2026年", "国务院办公厅关于部分"), "现将2026年", "现将"), "通知：",
                "找不到通知的年份", "pass --year");
  ExpectRefused(Replace(n26, "2025年11月4日", "2024年11月4日"), "第 2 行：",
                "发文字号“国办发明电〔2025〕7号”的年份 2025 与发文日期 2024-11-04 不符",
                "does not match the notice date 2024-11-04");
  ExpectRefused(Replace(n26, "2025年11月4日", "2027年1月4日"), "第 16 行：", "发文日期 2027-01-04 晚于 2026 年",
                "is after 2026");
  NoticeImportOptions bad_url;
  bad_url.url = "ftp://example.invalid/x";
  ExpectRefused(n26, "通知：", "--url 应以 https:// 或 http:// 开头", "--url must start with", bad_url);
  NoticeImportOptions bad_date = Url2026();
  bad_date.published = "2025-11-31";
  ExpectRefused(n26, "--published: ", "日期应为 YYYY-MM-DD", "a date must be a valid YYYY-MM-DD", bad_date);
  // The options override the text.
  NoticeImportOptions o = Url2026();
  o.document_number = "国办发明电〔2025〕8号";
  o.published = "2025-11-05";
  const CalendarYear y = Parse(n26, o);
  CHECK(y.source.document_number == "国办发明电〔2025〕8号");
  CHECK(y.source.published == Date::Parse("2025-11-05").value());
}

TEST_CASE("calendar notice: days of the previous December", "[calendar][notice]") {
  // A 元旦 period may start in the previous December (the 2019 notice: "2018年12月30日至
  // 2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。"). Its Saturdays and Sundays there
  // are left out and named in the note; a weekday off or a make-up day there is refused: the
  // previous year's file must carry it.
  //
  // The 2024 notice with its 元旦 written as the full period (30 and 31 December 2023 are a
  // Saturday and a Sunday):
  std::string n24 = Replace(NoticeFromShipped(2024), "一、元旦：1月1日放假，与周末连休。",
                            "一、元旦：2023年12月30日（星期六）至2024年1月1日（星期一）放假，共3天。");
  const CalendarYear y = Parse(n24, OptionsFromShipped(2024));
  SameHolidays(y, Shipped(2024));
  CHECK(y.holidays[0].note_zh == "放假日中的周末（2023年12月30日、31日）属于2023年，不在本文件中。");
  CHECK(y.holidays[0].note_en ==
        "Its days off on the weekend (30 and 31 December 2023) fall in 2023 and are not in this file.");
  // Without the years: "12月30日至1月1日" in the 元旦 paragraph runs from the previous December.
  SameHolidays(Parse(Replace(NoticeFromShipped(2024), "一、元旦：1月1日放假，与周末连休。",
                             "一、元旦：12月30日至1月1日放假，共3天。"),
                     OptionsFromShipped(2024)),
               Shipped(2024));

  // 2030: 1 January is a Tuesday, 31 December 2029 a Monday, 29 December 2029 a Saturday.
  const std::string y30 = "国务院办公厅关于2030年部分节假日安排的通知\n国办发明电〔2029〕9号\n";
  ExpectRefused(y30 + "一、元旦：2029年12月29日至2030年1月1日放假调休，共4天。2030年1月5日（星期六）上班。\n",
                "第 3 行：", "放假日 2029-12-31（周一）在 2029 年，是工作日放假：应记入 2029 年的日历文件（2029.json）",
                "day off 2029-12-31 (Monday) is a weekday of 2029: the 2029 file (2029.json) must carry it");
  ExpectRefused(y30 + "一、元旦：12月29日至1月1日放假调休，共4天。\n", "第 3 行：",
                "放假日 2029-12-31（周一）在 2029 年", "is a weekday of 2029");
  ExpectRefused(y30 + "一、元旦：1月1日（周二）放假1天。2029年12月29日（星期六）上班。\n", "第 3 行：",
                "调休上班日 2029-12-29 在 2029 年：应记入 2029 年的日历文件",
                "make-up working day 2029-12-29 is in 2029: the 2029 file (2029.json) must carry it");
  // Only the 元旦 period may reach into the previous year.
  ExpectRefused(y30 + "一、元旦：1月1日（周二）放假1天。\n二、春节：2029年12月30日放假。\n", "第 4 行：",
                "放假日 2029-12-30 不在 2030 年内", "day off 2029-12-30 is not in 2030");
}

TEST_CASE("calendar notice: hostile input never crashes and is refused or read", "[calendar][notice]") {
  // Random cuts and splices of the real text: every result is a value, and an accepted one
  // loads.
  const std::string n26 = Join(kNotice2026Lines);
  std::uint32_t seed = 20251104;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
  };
  const std::vector<std::string> kPieces = {
      "0",  "1",  "9",  "12", "(",    ")",    "（", "）", "至", "、",   "，",     "。",         ".",          ":",
      "：", "日", "月", "年", "上班", "放假", "共", "天", "\n", "周六", "星期日", "与周末连休", "一、元旦：", "2025年"};
  int accepted = 0;
  for (int i = 0; i < 400; ++i) {
    std::string t = n26;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t a = next() % t.size(), len = next() % 24;
      switch (next() % 4) {
        case 0:
          t.erase(a, len);
          break;
        case 1:
          t.insert(a, t.substr(next() % t.size(), len));
          break;
        case 2:
          t[a] = static_cast<char>(next() % 256);
          break;
        default:
          t.insert(a, kPieces[next() % kPieces.size()]);
          break;
      }
    }
    auto r = xj::ParseHolidayNotice(t, Url2026());
    if (r.ok()) {
      ++accepted;
      auto back = xj::ParseCalendarYear(std::to_string(r->year) + ".json", xj::CalendarYearJson(r.value()));
      INFO(t);
      REQUIRE(back.ok());
    } else {
      const std::string m = r.status().message();
      INFO(m);
      REQUIRE(xj::text::IsValidUtf8(m));
      REQUIRE((m.rfind("第 ", 0) == 0 || m.rfind("通知：", 0) == 0));
    }
  }
  CHECK(accepted > 0);
  // Deep or long inputs: many paragraphs, long lines.
  std::string many = "国务院办公厅关于2026年部分节假日安排的通知\n";
  for (int i = 0; i < 25; ++i) many += "一、元旦：1月1日放假。\n";
  ExpectRefused(many, "第 22 行：", "段落超过 20 个", "more than 20 holiday paragraphs");
  ExpectRefused("国务院办公厅关于2026年部分节假日安排的通知\n一、元旦：" + std::string(3000, '1') + "日放假。\n",
                "第 2 行：", "段落超过 2000 字节", "longer than 2000 bytes");
}
