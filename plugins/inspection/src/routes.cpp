// The inspection plugin's public routes (routes.h; docs/visits.md "Results API and downloads"):
//
//   GET /api/v1/results              the published result notices, newest first, paged (limit
//                                    1–500, default 50), with their count
//   GET /api/v1/results/{task}       one announced task (its public notice's summary) and its
//                                    published result notices, paged
//   GET /api/v1/results.csv          the rows (one per published item) as CSV: UTF-8 with a
//                                    byte-order mark, or ?encoding=gb18030
//   GET /api/v1/results.jsonl        … as JSON Lines
//   GET /api/v1/results.xlsx         … as an Excel workbook
//   GET /feeds/results.atom          an Atom feed of the newest result notices (limit 1–100,
//                                    default 50)
//
// Filters (any route but the feed takes all; the feed takes task and department):
// task, department, uscc, item, result (a code or its Chinese name), published_from and
// published_to (YYYY-MM-DD, Asia/Shanghai: the latest publication of the notice), order (newest
// | oldest). A filter naming a task that is not announced, a department or an item that does
// not exist is 404; any other bad value, an unknown parameter or a repeated one is 400, with
// the JSON error the host writes. Every answer has an ETag (the SHA-256 of its bytes) and a
// Last-Modified (the latest publication among the matching notices, or the latest change of a
// name it shows), and answers If-None-Match / If-Modified-Since with 304.
//
// Downloads hold at most RouteOptions::download_rows rows (?limit= asks for fewer, ?offset=
// skips rows); when rows follow, a Link header names the next page (rel="next"). The rows are
// read in one query with LIMIT, never all of a province's results at once.
#include "routes.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "results.h"
#include "visits.h"
#include "xinjian/config.h"
#include "xinjian/directory.h"
#include "xinjian/opendata.h"
#include "xinjian/text.h"
#include "xinjian/url.h"

namespace xj::inspection {
namespace {

using nlohmann::json;

Status BadParameter(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

// At most 40 bytes of what a caller typed, cut on a character boundary, for a message.
std::string Shown(const std::string& s) {
  if (s.size() <= 40) return s;
  std::size_t end = 40;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "…";
}

bool AllOf(const std::string& s, std::size_t max, bool dot) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [dot](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           (dot && c == '.');
  });
}

// A USCC (GB 32100-2015): 18 characters of the code's alphabet with a valid check character.
bool ValidUscc(const std::string& s) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr int kWeights[] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  if (s.size() != 18) return false;
  int sum = 0;
  for (std::size_t i = 0; i < 18; ++i) {
    const std::size_t v = kAlphabet.find(s[i]);
    if (v == std::string_view::npos) return false;
    if (i < 17) sum += static_cast<int>(v) * kWeights[i];
    else return kAlphabet[static_cast<std::size_t>((31 - sum % 31) % 31)] == s[i];
  }
  return false;
}

// What a route reads of its query: the parameters it knows, each at most once.
Status CheckParameters(const HttpRequest& req, const std::set<std::string>& allowed) {
  for (auto it = req.query.begin(); it != req.query.end(); it = req.query.upper_bound(it->first)) {
    if (!allowed.count(it->first)) {
      std::string known;
      for (const std::string& a : allowed) known += (known.empty() ? "" : ", ") + a;
      return BadParameter("未知参数 " + Shown(it->first) + "（可用：" + known + "）",
                          "unknown parameter " + Shown(it->first) + " (known: " + known + ")");
    }
    if (req.query.count(it->first) > 1)
      return BadParameter("参数 " + it->first + " 只能出现一次", "parameter " + it->first + " may be given once");
  }
  return Status::Ok();
}

// The filters of a query, checked for their shape (400); whether what they name exists is
// checked in the read (404).
Status ReadFilters(const HttpRequest& req, const Platform& platform, ResultQuery* q) {
  q->task = req.Query("task");
  if (!q->task.empty() && !AllOf(q->task, 100, true))
    return BadParameter("参数 task 须为任务编号（字母、数字、. _ -，至多 100 个字符）",
                        "task must be a task id (letters, digits, . _ -, at most 100 characters)");
  q->department = req.Query("department");
  if (!q->department.empty() && !AllOf(q->department, 64, false))
    return BadParameter("参数 department 须为部门代码（字母、数字、_ -，至多 64 个字符）",
                        "department must be a department code (letters, digits, _ -, at most 64 characters)");
  q->uscc = req.Query("uscc");
  if (!q->uscc.empty() && !ValidUscc(q->uscc))
    return BadParameter("参数 uscc 须为有效的 18 位统一社会信用代码（大写，校验位正确）",
                        "uscc must be a valid 18-character unified social credit code (upper case, right check character)");
  q->item = req.Query("item");
  if (!q->item.empty() && !AllOf(q->item, 100, true))
    return BadParameter("参数 item 须为抽查事项编码（字母、数字、. _ -，至多 100 个字符）",
                        "item must be an item code (letters, digits, . _ -, at most 100 characters)");
  const std::string result = req.Query("result");
  if (!result.empty()) {
    const ResultCode* code = result.size() <= 100 ? Results().Find(result) : nullptr;
    if (code == nullptr) {
      std::string codes;
      for (const ResultCode& c : Results().codes) codes += (codes.empty() ? "" : ", ") + c.code;
      return BadParameter("参数 result 须为检查结果代码之一：" + codes, "result must be one of the result codes: " + codes);
    }
    q->result = code->code;
  }
  CivilDate dates[2];
  const char* names[2] = {"published_from", "published_to"};
  bool given[2] = {false, false};
  for (int i = 0; i < 2; ++i) {
    const std::string text = req.Query(names[i]);
    if (text.empty()) continue;
    auto d = CivilDate::Parse(text);
    if (!d.ok() || d->year() < 2000 || d->year() > 2099)
      return BadParameter(std::string("参数 ") + names[i] + " 须为 2000-01-01 至 2099-12-31 之间的日期（YYYY-MM-DD）",
                          std::string(names[i]) + " must be a date from 2000-01-01 to 2099-12-31 (YYYY-MM-DD)");
    dates[i] = d.value();
    given[i] = true;
  }
  if (given[0] && given[1] && dates[1] < dates[0])
    return BadParameter("published_to 不能早于 published_from", "published_to cannot be before published_from");
  if (given[0]) {
    auto at = platform.Time().StartOfDay(dates[0]);
    if (!at.ok()) return at.status();
    q->from_us = at.value();
  }
  if (given[1]) {
    auto at = platform.Time().StartOfDay(dates[1] + 1);
    if (!at.ok()) return at.status();
    q->to_us = at.value();
  }
  const std::string order = req.Query("order", "newest");
  if (order != "newest" && order != "oldest")
    return BadParameter("参数 order 须为 newest 或 oldest", "order must be newest or oldest");
  q->newest_first = order == "newest";
  return Status::Ok();
}

Status NoTask(const std::string& id) {
  return Status::Error(StatusCode::kNotFound, "没有已公告的抽查任务 " + id, "no announced draw task " + id);
}

// Inside the read: the task, department and item the filters name exist (a draft task is not
// public, so it is "no announced task" like one that does not exist).
Status RequireNamed(Sql& sql, const draw::TaskService& tasks, const ResultQuery& q) {
  if (!q.task.empty()) {
    auto t = tasks.Find(sql, q.task);
    if (!t.ok()) return t.status().code() == StatusCode::kNotFound ? NoTask(q.task) : t.status();
    if (t->state == "draft") return NoTask(q.task);
  }
  if (!q.department.empty()) {
    auto d = FindDepartment(sql, q.department);
    if (!d.ok()) return d.status();
    if (!d.value())
      return Status::Error(StatusCode::kNotFound, "没有部门 " + q.department, "no department " + q.department);
  }
  if (!q.item.empty()) {
    auto i = FindItem(sql, q.item);
    if (!i.ok()) return i.status();
    if (!i.value()) return Status::Error(StatusCode::kNotFound, "没有抽查事项 " + q.item, "no item " + q.item);
  }
  return Status::Ok();
}

json NoticeJson(const ResultNotice& n) {
  json items = json::array();
  for (const PublishedItem& it : n.items)
    items.push_back({{"item", it.item},
                     {"item_name", it.item_name},
                     {"result", it.result},
                     {"result_text", {{"zh", it.result_zh}, {"en", it.result_en}}},
                     {"problem", it.problem},
                     {"method", it.method},
                     {"method_text", {{"zh", it.method_zh}, {"en", it.method_en}}},
                     {"inspected_on", it.inspected_on},
                     {"findings", it.findings},
                     {"follow_up",
                      {{"kind", it.follow_up},
                       {"deadline", it.follow_up_deadline},
                       {"to_department", it.follow_up_to_department}}},
                     {"published_on", it.published_on}});
  return {{"task", n.task},
          {"task_title", n.task_title},
          {"uscc", n.uscc},
          {"name", n.name},
          {"department", n.department},
          {"department_name", n.department_name},
          {"first_published_on", n.first_published_on},
          {"published_on", n.published_on},
          {"items", items}};
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A query string of `params` (percent-encoded, sorted by name).
std::string QueryString(const std::multimap<std::string, std::string>& params) {
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "?" : "&") + UrlEncode(k) + "=" + UrlEncode(v);
  return out;
}

const std::set<std::string> kFilterNames = {"task",        "department",     "uscc",         "item",  "result",
                                            "published_from", "published_to", "order"};

std::set<std::string> With(std::set<std::string> names, std::initializer_list<const char*> more) {
  for (const char* m : more) names.insert(m);
  return names;
}

// GET /api/v1/results
Status ListRoute(HttpContext& http, const draw::TaskService& tasks) {
  const HttpRequest& req = http.request();
  if (Status st = CheckParameters(req, With(kFilterNames, {"limit", "offset"})); !st.ok()) return st;
  ResultQuery q;
  if (Status st = ReadFilters(req, http.platform(), &q); !st.ok()) return st;
  auto page = ReadPage(req);
  if (!page.ok()) return page.status();
  q.limit = page->limit;
  q.offset = page->offset;
  auto notices = ReadValue<NoticePage>(http.platform(), [&](Sql& sql) -> Result<NoticePage> {
    if (Status st = RequireNamed(sql, tasks, q); !st.ok()) return st;
    return QueryNotices(sql, tasks, q);
  });
  if (!notices.ok()) return notices.status();
  json items = json::array();
  for (const ResultNotice& n : notices->notices) items.push_back(NoticeJson(n));
  HttpResponse& res = http.response();
  res.body = Dump({{"items", items}, {"total", notices->total}, {"limit", q.limit}, {"offset", q.offset}});
  opendata::AnswerConditional(req, notices->last_changed_us, &res);
  return Status::Ok();
}

// GET /api/v1/results/{task}
Status TaskRoute(HttpContext& http, const draw::TaskService& tasks) {
  const HttpRequest& req = http.request();
  const std::string& id = req.path_params.at("task");
  if (!AllOf(id, 100, true)) return NoTask(Shown(id));
  auto filters = kFilterNames;
  filters.erase("task");
  if (Status st = CheckParameters(req, With(filters, {"limit", "offset"})); !st.ok()) return st;
  ResultQuery q;
  if (Status st = ReadFilters(req, http.platform(), &q); !st.ok()) return st;
  q.task = id;
  auto page = ReadPage(req);
  if (!page.ok()) return page.status();
  q.limit = page->limit;
  q.offset = page->offset;
  json task;
  auto notices = ReadValue<NoticePage>(http.platform(), [&](Sql& sql) -> Result<NoticePage> {
    if (Status st = RequireNamed(sql, tasks, q); !st.ok()) return st;
    auto t = tasks.Find(sql, id);
    if (!t.ok()) return t.status();
    // What the task's public notice says (no selection, no secret: those are /api/v1/tasks/{id}'s
    // to decide).
    task = {{"id", t->id},
            {"title", t->title},
            {"department", t->department},
            {"departments", t->departments},
            {"state", t->state},
            {"items", t->items},
            {"draw_date", t->draw_date},
            {"selected", t->selected}};
    return QueryNotices(sql, tasks, q);
  });
  if (!notices.ok()) return notices.status();
  json items = json::array();
  for (const ResultNotice& n : notices->notices) items.push_back(NoticeJson(n));
  HttpResponse& res = http.response();
  res.body = Dump({{"task", task}, {"items", items}, {"total", notices->total}, {"limit", q.limit}, {"offset", q.offset}});
  opendata::AnswerConditional(req, notices->last_changed_us, &res);
  return Status::Ok();
}

enum class Format { kCsv, kJsonLines, kXlsx };

// GET /api/v1/results.{csv,jsonl,xlsx}
Status DownloadRoute(HttpContext& http, const draw::TaskService& tasks, const RouteOptions& options, Format format) {
  const HttpRequest& req = http.request();
  auto names = With(kFilterNames, {"limit", "offset"});
  if (format == Format::kCsv) names.insert("encoding");
  if (Status st = CheckParameters(req, names); !st.ok()) return st;
  ResultQuery q;
  if (Status st = ReadFilters(req, http.platform(), &q); !st.ok()) return st;
  auto page = ReadPage(req, options.download_rows, options.download_rows);
  if (!page.ok()) return page.status();
  q.limit = page->limit;
  q.offset = page->offset;
  const std::string encoding = req.Query("encoding", "utf-8");
  if (encoding != "utf-8" && encoding != "gb18030")
    return BadParameter("参数 encoding 须为 utf-8 或 gb18030", "encoding must be utf-8 or gb18030");
  auto rows = ReadValue<NoticePage>(http.platform(), [&](Sql& sql) -> Result<NoticePage> {
    if (Status st = RequireNamed(sql, tasks, q); !st.ok()) return st;
    return QueryRows(sql, tasks, q);
  });
  if (!rows.ok()) return rows.status();
  // Written outside the read: the database is free again while the file is made. The notices
  // go as soon as their table is made (a download may hold tens of thousands of rows).
  const opendata::Table table = ResultTable(rows->notices);
  const bool more = rows->more;
  const std::int64_t last_changed_us = rows->last_changed_us;
  rows.value().notices = {};
  HttpResponse& res = http.response();
  opendata::DownloadOptions dl;
  dl.basename = "results" + (q.task.empty() ? std::string() : "-" + q.task);
  dl.gb18030 = encoding == "gb18030";
  dl.xlsx.sheet_name = "results";
  dl.xlsx.title = "抽查检查结果 / inspection results";
  dl.xlsx.created_us = last_changed_us;
  const opendata::DownloadFormat as = format == Format::kCsv         ? opendata::DownloadFormat::kCsv
                                      : format == Format::kJsonLines ? opendata::DownloadFormat::kJsonLines
                                                                     : opendata::DownloadFormat::kXlsx;
  if (Status st = opendata::WriteDownload(http.platform(), table, as, dl, &res); !st.ok()) return st;
  if (more) {
    auto next = req.query;
    next.erase("offset");
    next.emplace("offset", std::to_string(q.offset + q.limit));
    res.headers.emplace_back("Link", "<" + req.path + QueryString(next) + ">; rel=\"next\"");
  }
  opendata::AnswerConditional(req, last_changed_us, &res);
  return Status::Ok();
}

// GET /feeds/results.atom
Status FeedRoute(HttpContext& http, const draw::TaskService& tasks) {
  const HttpRequest& req = http.request();
  if (Status st = CheckParameters(req, {"task", "department", "limit"}); !st.ok()) return st;
  ResultQuery q;
  if (Status st = ReadFilters(req, http.platform(), &q); !st.ok()) return st;
  auto page = ReadPage(req, 50, 100);
  if (!page.ok()) return page.status();
  q.limit = page->limit;
  auto notices = ReadValue<NoticePage>(http.platform(), [&](Sql& sql) -> Result<NoticePage> {
    if (Status st = RequireNamed(sql, tasks, q); !st.ok()) return st;
    return QueryNotices(sql, tasks, q);
  });
  if (!notices.ok()) return notices.status();
  std::multimap<std::string, std::string> filters;
  if (!q.task.empty()) filters.emplace("task", q.task);
  if (!q.department.empty()) filters.emplace("department", q.department);
  opendata::AtomFeed feed;
  feed.id = opendata::StableId("xinjian:feed:results", QueryString(filters));
  feed.title = "抽查检查结果公示 / published inspection results";
  if (!q.task.empty()) feed.subtitle = "抽查任务 / task " + q.task;
  if (!q.department.empty())
    feed.subtitle += (feed.subtitle.empty() ? "" : "; ") + std::string("检查部门 / department ") + q.department;
  feed.self_link = "/feeds/results.atom" + QueryString(filters);
  feed.alternate_link = "/api/v1/results" + QueryString(filters);
  feed.author = "信监 XinJian";
  feed.updated_us = notices->last_changed_us;
  for (const ResultNotice& n : notices->notices) {
    opendata::AtomEntry e;
    e.id = opendata::StableId("xinjian:result-notice", n.task + "\n" + n.uscc + "\n" + n.department);
    e.title = (n.name.empty() ? n.uscc : n.name) + "（" + n.uscc + "）" + n.department_name + "抽查检查结果 / inspection result of " +
              n.uscc + " by " + n.department;
    for (const PublishedItem& it : n.items)
      e.summary += (e.summary.empty() ? "" : "\n") + (it.item_name.empty() ? it.item : it.item_name) + "：" +
                   it.result_zh + " / " + it.item + ": " + it.result_en;
    std::multimap<std::string, std::string> p{{"uscc", n.uscc}, {"department", n.department}};
    e.link = "/api/v1/results/" + n.task + QueryString(p);
    e.updated_us = n.last_published_us;
    e.published_us = n.first_published_us;
    e.categories.push_back(n.department);
    for (const PublishedItem& it : n.items) e.categories.push_back(it.result);
    feed.entries.push_back(std::move(e));
  }
  HttpResponse& res = http.response();
  res.body = opendata::WriteAtom(feed);
  res.content_type = opendata::kAtomType;
  opendata::AnswerConditional(req, notices->last_changed_us, &res);
  return Status::Ok();
}

}  // namespace

// Shared with the pages (pages.cpp): the same parameter rules as the API.
Status CheckResultParameters(const HttpRequest& req, const std::set<std::string>& allowed) {
  return CheckParameters(req, allowed);
}
Status ReadResultFilters(const HttpRequest& req, const Platform& platform, ResultQuery* q) {
  return ReadFilters(req, platform, q);
}
Status RequireNamedFilters(Sql& sql, const draw::TaskService& tasks, const ResultQuery& q) {
  return RequireNamed(sql, tasks, q);
}
std::string ResultQueryString(const std::multimap<std::string, std::string>& params) { return QueryString(params); }
const std::set<std::string>& ResultFilterNames() { return kFilterNames; }
bool IsIdText(const std::string& s, std::size_t max) { return AllOf(s, max, true); }
bool IsValidUscc(const std::string& s) { return ValidUscc(s); }

std::vector<std::pair<RouteSpec, RouteFn>> ResultRoutes(const draw::TaskService* tasks, RouteOptions options) {
  // The service lives as long as the process (plugins are never unloaded): the handlers keep
  // its pointer.
  auto spec = [](const char* pattern, const char* help) {
    return RouteSpec{HttpMethod::kGet, pattern, RouteAccess::kPublic, {}, help};
  };
  auto download = [tasks, options](Format f) {
    return [tasks, options, f](HttpContext& http) { return DownloadRoute(http, *tasks, options, f); };
  };
  return {
      {spec("/api/v1/results", "已公示的抽查检查结果 / the published inspection results"),
       [tasks](HttpContext& http) { return ListRoute(http, *tasks); }},
      {spec("/api/v1/results/{task}", "一个抽查任务已公示的结果 / one task's published results"),
       [tasks](HttpContext& http) { return TaskRoute(http, *tasks); }},
      {spec("/api/v1/results.csv", "检查结果下载（CSV，UTF-8 或 GB18030） / the results as CSV (UTF-8 or GB18030)"),
       download(Format::kCsv)},
      {spec("/api/v1/results.jsonl", "检查结果下载（JSON Lines） / the results as JSON Lines"), download(Format::kJsonLines)},
      {spec("/api/v1/results.xlsx", "检查结果下载（Excel） / the results as an Excel workbook"), download(Format::kXlsx)},
      {spec("/feeds/results.atom", "新公示的检查结果（Atom 订阅） / newly published results (Atom feed)"),
       [tasks](HttpContext& http) { return FeedRoute(http, *tasks); }},
  };
}

Status RegisterRoutes(Registrar& registrar, const draw::TaskService* tasks) {
  TypedConfig cfg(registrar);
  auto rows = cfg.Int("download_rows", 20000, 1, 1000000);
  if (!rows.ok()) return rows.status();
  RouteOptions options;
  options.download_rows = rows.value();
  for (auto& [spec, fn] : ResultRoutes(tasks, options))
    if (Status st = registrar.AddRoute(spec, std::move(fn)); !st.ok()) return st;
  return Status::Ok();
}

}  // namespace xj::inspection
