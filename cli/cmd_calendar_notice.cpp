// xinjian calendar import-notice FILE: reads the text of a State Council holiday notice
// (国务院办公厅关于YYYY年部分节假日安排的通知), checks it (core/src/calendar_notice.h) and writes
// the year's calendar file DIR/YYYY.json for the calendar.dir folder (docs/calendar.md).
//
// Nothing is written unless every check passes: the file is written to a temporary file in
// DIR and moved into place; an existing YYYY.json is kept unless --force.
// Exit status: 0; kExitFailure for a refused notice or a file that cannot be read or written;
// kExitUsage for a malformed option.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "calendar.h"
#include "calendar_notice.h"
#include "calendar_view.h"
#include "cli.h"
#include "text.h"

namespace xj::cli {
extern int g_exit_code;

namespace {

struct NoticeArgs {
  std::string file;
  std::string out_dir = ".";
  int year = 0;
  std::string url, document_number, published;
  bool force = false;
  bool json = false;
};

void Refuse(const std::string& message, int exit_code) {
  PrintError(message);
  g_exit_code = exit_code;
}

// The bytes of FILE ("-": standard input), at most kNoticeMaxTextBytes + 1.
Result<std::string> ReadNoticeFile(const std::string& path) {
  auto fail = [&](const std::string& zh, const std::string& en) {
    return Status::Error(StatusCode::kUnavailable, "无法读取通知文件 " + path + "：" + zh,
                         "cannot read the notice file " + path + ": " + en);
  };
  std::string data(kNoticeMaxTextBytes + 1, '\0');
  if (path == "-") {
    std::cin.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<std::size_t>(std::cin.gcount()));
    return data;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail("是目录", "it is a folder");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::strerror(errno), std::strerror(errno));
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  if (in.bad()) return fail("读取出错", "read error");
  data.resize(static_cast<std::size_t>(in.gcount()));
  return data;
}

// Writes `content` to dir/name through a temporary file in `dir`: a rename with `force`,
// otherwise a hard link that fails when the file exists (no window in which another writer's
// file could be replaced). Nothing is left behind on failure.
Status WriteNew(const std::filesystem::path& dir, const std::string& name, const std::string& content, bool force) {
  const std::string target = (dir / name).string();
  auto fail = [&](const std::string& what) {
    return Status::Error(StatusCode::kUnavailable, "无法写入 " + target + "：" + what,
                         "cannot write " + target + ": " + what);
  };
  auto exists = [&] {
    return Status::Error(StatusCode::kAlreadyExists, "文件 " + target + " 已存在；要替换它请加 --force",
                         "the file " + target + " exists; pass --force to replace it");
  };
  std::error_code ec;
  if (!force && std::filesystem::exists(target, ec)) return exists();
  std::string tmp = (dir / ("." + name + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return fail(std::strerror(errno));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(why);
    }
    done += static_cast<std::size_t>(n);
  }
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0 || ::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(why);
  }
  if (::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return fail(why);
  }
  int rc = 0;
  if (force) {
    rc = ::rename(tmp.c_str(), target.c_str());
  } else {
    rc = ::link(tmp.c_str(), target.c_str());
    if (rc != 0 && errno != EEXIST) {  // a file system without hard links: check, then rename
      if (std::filesystem::exists(target, ec))
        errno = EEXIST;
      else
        rc = ::rename(tmp.c_str(), target.c_str());
    }
  }
  const int err = errno;
  ::unlink(tmp.c_str());  // after link(), or a leftover after a failed rename(); gone after a rename()
  if (rc != 0) return err == EEXIST ? exists() : fail(std::strerror(err));
  return Status::Ok();
}

void ImportNotice(const Globals& g, const NoticeArgs& a) {
  // The command line.
  if (!a.published.empty()) {
    if (Result<Date> d = Date::Parse(a.published); !d.ok())
      return Refuse("--published: " + d.status().message(), kExitUsage);
  }
  if (!a.url.empty() && a.url.rfind("https://", 0) != 0 && a.url.rfind("http://", 0) != 0)
    return Refuse("--url 应以 https:// 或 http:// 开头 / --url must start with https:// or http://", kExitUsage);
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = a.out_dir.empty() ? fs::path(".") : fs::path(a.out_dir);
  if (!fs::is_directory(dir, ec))
    return Refuse("输出目录 " + dir.string() + " 不存在或不是目录 / the output folder " + dir.string() +
                      " does not exist or is not a folder",
                  kExitFailure);

  // The text.
  Result<std::string> data = ReadNoticeFile(a.file);
  if (!data.ok()) return Refuse(data.status().message(), kExitFailure);
  std::string text = std::move(data).value();
  if (text.size() > kNoticeMaxTextBytes)
    return Refuse("通知文件 " + a.file + " 超过 " + std::to_string(kNoticeMaxTextBytes) +
                      " 字节的上限，不像是一份节假日通知；未写入任何文件 / the notice file " + a.file +
                      " exceeds the limit of " + std::to_string(kNoticeMaxTextBytes) +
                      " bytes and is not a holiday notice; nothing written",
                  kExitFailure);
  if (text.rfind("\xFF\xFE", 0) == 0 || text.rfind("\xFE\xFF", 0) == 0)
    return Refuse("通知文件 " + a.file +
                      " 是 UTF-16 编码；请另存为 UTF-8（iconv -f UTF-16 -t UTF-8）/ the notice file " + a.file +
                      " is UTF-16; save it as UTF-8 (iconv -f UTF-16 -t UTF-8)",
                  kExitFailure);
  std::string converted_from;
  if (!text::IsValidUtf8(text)) {
    // Texts copied on Chinese Windows are often GB18030 (GBK): convert when that gives a notice.
    Result<std::string> utf8 = text::Gb18030ToUtf8(text);
    if (utf8.ok() && (utf8->find("放假") != std::string::npos || utf8->find("节假日") != std::string::npos)) {
      text = std::move(utf8).value();
      converted_from = "GB18030";
      std::cerr << "提示 / note: 通知文件 " << a.file
                << " 不是 UTF-8，已按 GB18030 编码读取 / the notice file is not "
                   "UTF-8 and was read as GB18030\n";
    }
    // Otherwise ParseHolidayNotice names the line and byte that are not UTF-8.
  }

  NoticeImportOptions options;
  options.year = a.year;
  options.url = a.url;
  options.document_number = a.document_number;
  options.published = a.published;
  Result<CalendarYear> year = ParseHolidayNotice(text, options);
  if (!year.ok())
    return Refuse(
        year.status().message() + "\n  通知文件 / notice file: " + a.file + "；未写入任何文件 / nothing written",
        kExitFailure);
  CalendarYear& y = year.value();
  const std::string name = std::to_string(y.year) + ".json";
  const std::string json = CalendarYearJson(y);
  if (Status s = WriteNew(dir, name, json, a.force); !s.ok()) return Refuse(s.message(), kExitFailure);
  const std::string written = (dir / name).string();
  y.origin = written;

  Result<WorkingCalendar> cal = WorkingCalendar::FromYears({y});
  const int working_days = cal.ok() ? WorkingDaysIn(cal.value(), y.year) : 0;

  if (a.json || g.json) {
    nlohmann::ordered_json j{{"file", written},
                             {"year", y.year},
                             {"converted_from", converted_from.empty() ? nlohmann::ordered_json(nullptr)
                                                                       : nlohmann::ordered_json(converted_from)},
                             {"source", SourceJson(y.source)},
                             {"working_days", working_days},
                             {"holidays", HolidaysJson(y)}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "已写入 / written: " << written << "\n"
            << "依据 / source: " << y.source.title << "（" << y.source.document_number << "），" << y.source.issuer
            << "，" << y.source.published.ToString() << "\n"
            << "网址 / URL: " << y.source.url << "\n";
  PrintHolidays(std::cout, y);
  std::cout << "\n全年工作日 / working days in the year: " << working_days << "\n"
            << "使用 / to use it: xinjian --set calendar.dir=" << dir.string() << " calendar show " << y.year << "\n";
}

}  // namespace

void RegisterCalendarNoticeCommand(CLI::App& calendar, Globals& g) {
  static NoticeArgs a;
  auto* imp = calendar.add_subcommand(
      "import-notice",
      "把国务院办公厅节假日安排通知的文本检查后写成日历文件 YYYY.json / check the text of a State Council holiday "
      "notice and write it as the calendar file YYYY.json");
  imp->add_option("file", a.file, "通知全文（UTF-8 文本，- 为标准输入）/ the text of the notice (UTF-8; - for stdin)")
      ->required();
  imp->add_option("--year", a.year, "年份（默认取自通知标题）/ the year (default: from the notice's title)")
      ->check(CLI::Range(kCalendarMinYear, kCalendarMaxYear));
  imp->add_option("--out", a.out_dir, "写入的目录（默认当前目录）/ the folder to write YYYY.json to (default: .)");
  imp->add_option("--url", a.url, "通知的网址（文中没有时必填）/ the notice's URL (required when the text has none)");
  imp->add_option("--document-number", a.document_number,
                  "发文字号，如 国办发明电〔2025〕7号（文中没有时必填）/ the document number (when the text has none)");
  imp->add_option("--published", a.published,
                  "发文日期 YYYY-MM-DD（文末没有日期时必填）/ the notice's date (when the text does not end with it)");
  imp->add_flag("--force", a.force, "覆盖已有的 YYYY.json / replace an existing YYYY.json");
  imp->add_flag("--json", a.json, "以 JSON 输出摘要 / print a JSON summary");
  imp->callback([&g] { ImportNotice(g, a); });
}

}  // namespace xj::cli
