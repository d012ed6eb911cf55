// The inspection plugin's pages (pages.h; docs/visits.md "Pages"):
//
//   GET /results                 the result notices, newest first, 20 a page (?limit= 1–100),
//                                filtered by the API's filters (task, department, uscc, item,
//                                result, published_from, published_to, order), with links to
//                                the downloads and the feed and the data's last change
//   GET /results/{task}          one announced task's notice summary and its published results
//   home section (order 30)      the five newest result notices
//   subject section (order 30)   the subject's published results (key: the USCC)
//   GET /my/visits               the signed-in inspector's own visits (role inspector), by due date
//   GET /my/visits/{visit}       one of them; 404 for a visit the caller is not on the team of
//   GET /api/v1/my/visits[/{visit}]   the same as JSON
//   GET /department/visits       a supervisor's department's visits (role supervisor or admin)
//   GET /api/v1/department/visits     the same as JSON
//
// The public pages read exactly what the results API reads (results.h: published results only,
// findings masked). The lists of visits are never public (task_list.h): a visit names a drawn
// subject before the task's reveal. Every text from data goes through a {{value}} of a template;
// {{{…}}} only holds HTML built here from escaped parts.
#include "pages.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "results.h"
#include "routes.h"
#include "task_list.h"
#include "visits.h"
#include "xinjian/directory.h"
#include "xinjian/html.h"
#include "xinjian/url.h"

namespace xj::inspection {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The visitor's half of a "中文 / English" message.
std::string Local(const std::string& message, const std::string& lang) {
  const auto at = message.find(" / ");
  if (at == std::string::npos) return message;
  return lang == "en" ? message.substr(at + 3) : message.substr(0, at);
}

std::string When(Platform& platform, std::int64_t at_us) {
  if (at_us <= 0) return "—";
  auto t = platform.Time().FormatLocal(at_us);
  return t.ok() ? t.value() : "—";
}

const std::string& Pick(const std::string& lang, const std::string& zh, const std::string& en) {
  return html::Pick(lang, zh, en);
}

// ---- Result notices as HTML

const std::string kNoticeList = R"({{#has_notices}}<ul class="cards">
{{#notices}}<li>
<h3>{{#show_subject}}<a href="/subjects/{{uscc}}">{{name}}</a>{{/show_subject}}{{^show_subject}}{{department_name}}{{/show_subject}}</h3>
<dl class="facts">
{{#show_subject}}<dt>{{#en}}Unified social credit code{{/en}}{{^en}}统一社会信用代码{{/en}}</dt><dd><code>{{uscc}}</code></dd>
<dt>{{#en}}Inspected and published by{{/en}}{{^en}}检查部门{{/en}}</dt><dd>{{department_name}}</dd>{{/show_subject}}
{{#show_task}}<dt>{{#en}}Draw task{{/en}}{{^en}}抽查任务{{/en}}</dt><dd><a href="/results/{{task}}">{{task_title}}</a> <code>{{task}}</code></dd>{{/show_task}}
<dt>{{#en}}Published on{{/en}}{{^en}}公示日期{{/en}}</dt><dd>{{published_on}}</dd>
</dl>
<ul>
{{#items}}<li><strong>{{item_name}}</strong> <code>{{item}}</code>：<span class="{{#problem}}verdict-bad{{/problem}}{{^problem}}verdict-ok{{/problem}}">{{result_text}}</span>{{#problem}}（{{#en}}problem found{{/en}}{{^en}}发现问题{{/en}}）{{/problem}}<br>
<small>{{#en}}Inspected on{{/en}}{{^en}}检查日期{{/en}} {{inspected_on}} · {{method_text}}{{#has_follow_up}} · {{follow_up_text}}{{/has_follow_up}}</small>
{{#has_findings}}<br>{{#en}}Findings{{/en}}{{^en}}检查情况{{/en}}：{{findings}}{{/has_findings}}</li>
{{/items}}</ul>
</li>
{{/notices}}</ul>{{/has_notices}})";

std::string FollowUpText(const std::string& lang, const PublishedItem& it) {
  if (it.follow_up.empty() || it.follow_up == "none") return "";
  const ResultCatalog& cat = Results();
  std::string text = it.follow_up;
  if (auto f = cat.follow_ups.find(it.follow_up); f != cat.follow_ups.end())
    text = Pick(lang, f->second.first, f->second.second);
  if (!it.follow_up_deadline.empty()) text += Pick(lang, "，期限 ", ", by ") + it.follow_up_deadline;
  if (!it.follow_up_to_department.empty()) text += Pick(lang, "：", ": ") + it.follow_up_to_department;
  return text;
}

Result<std::string> NoticesHtml(const std::string& lang, const std::vector<ResultNotice>& notices, bool show_subject,
                                bool show_task) {
  html::Data list{html::Data::type::list};
  for (const ResultNotice& n : notices) {
    html::Data d;
    d.set("task", n.task);
    d.set("task_title", n.task_title.empty() ? n.task : n.task_title);
    d.set("uscc", n.uscc);
    d.set("name", n.name.empty() ? n.uscc : n.name);
    d.set("department_name", n.department_name.empty() ? n.department : n.department_name);
    d.set("published_on", n.published_on);
    d.set("show_subject", show_subject);
    d.set("show_task", show_task);
    html::Data items{html::Data::type::list};
    for (const PublishedItem& it : n.items) {
      html::Data i;
      i.set("item", it.item);
      i.set("item_name", it.item_name.empty() ? it.item : it.item_name);
      i.set("result_text",
            Pick(lang, it.result_zh, it.result_en).empty() ? it.result : Pick(lang, it.result_zh, it.result_en));
      i.set("problem", it.problem);
      i.set("inspected_on", it.inspected_on);
      i.set("method_text",
            Pick(lang, it.method_zh, it.method_en).empty() ? it.method : Pick(lang, it.method_zh, it.method_en));
      const std::string follow = FollowUpText(lang, it);
      i.set("has_follow_up", !follow.empty());
      i.set("follow_up_text", follow);
      i.set("has_findings", !it.findings.empty());
      i.set("findings", it.findings);  // masked by the read (results.h)
      items.push_back(i);
    }
    d.set("items", items);
    list.push_back(d);
  }
  html::Data data;
  data.set("en", lang == "en");
  data.set("has_notices", !notices.empty());
  data.set("notices", list);
  return html::Render(kNoticeList, data);
}

// ---- GET /results and GET /results/{task}

const std::string kResultsPage = R"(<h1>{{title}}</h1>
{{#task}}<dl class="facts">
<dt>{{#en}}Task{{/en}}{{^en}}任务编号{{/en}}</dt><dd><code>{{id}}</code></dd>
<dt>{{#en}}Department{{/en}}{{^en}}发起部门{{/en}}</dt><dd>{{department}}</dd>
{{#has_participants}}<dt>{{#en}}Participating departments{{/en}}{{^en}}参与部门{{/en}}</dt><dd>{{participants}}</dd>{{/has_participants}}
<dt>{{#en}}Items{{/en}}{{^en}}抽查事项{{/en}}</dt><dd>{{items}}</dd>
<dt>{{#en}}State{{/en}}{{^en}}状态{{/en}}</dt><dd>{{state}}</dd>
{{#has_draw}}<dt>{{#en}}Drawn on{{/en}}{{^en}}抽取日期{{/en}}</dt><dd>{{draw_date}}</dd>
<dt>{{#en}}Subjects drawn{{/en}}{{^en}}抽取对象数{{/en}}</dt><dd>{{selected}}</dd>{{/has_draw}}
<dt>{{#en}}Task notice{{/en}}{{^en}}任务公告{{/en}}</dt><dd><a href="/api/v1/tasks/{{id}}">/api/v1/tasks/{{id}}</a></dd>
</dl>{{/task}}
{{^task}}<p class="lead">{{#en}}What each department found when it inspected the subjects drawn at random, as it published it (谁检查、谁公开). Only published results are shown.{{/en}}{{^en}}各部门对随机抽取的检查对象进行检查后公示的检查结果（谁检查、谁公示）。仅列出已公示的结果。{{/en}}</p>{{/task}}
<form method="get" action="{{action}}" class="stack" role="search">
{{^one_task}}<label for="task">{{#en}}Task number{{/en}}{{^en}}抽查任务编号{{/en}}</label>
<input id="task" name="task" value="{{f_task}}" maxlength="100" autocomplete="off" spellcheck="false">{{/one_task}}
<label for="department">{{#en}}Inspecting department{{/en}}{{^en}}检查部门{{/en}}</label>
<select id="department" name="department"><option value="">{{#en}}All departments{{/en}}{{^en}}全部部门{{/en}}</option>
{{#departments}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{name}}（{{code}}）</option>
{{/departments}}</select>
<button type="submit">{{#en}}Show{{/en}}{{^en}}筛选{{/en}}</button>
</form>
{{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
{{^error}}<h2 id="notices">{{#en}}Result notices{{/en}}{{^en}}检查结果公示{{/en}}</h2>
<p role="status">{{summary}}</p>
{{{notices}}}
{{#paged}}<nav aria-label="{{#en}}Result pages{{/en}}{{^en}}结果分页{{/en}}"><p>
{{#prev}}<a href="{{prev_href}}" rel="prev">{{#en}}Newer{{/en}}{{^en}}上一页{{/en}}</a>{{/prev}}
{{page_label}}
{{#next}}<a href="{{next_href}}" rel="next">{{#en}}Older{{/en}}{{^en}}下一页{{/en}}</a>{{/next}}
</p></nav>{{/paged}}
<section aria-labelledby="downloads"><h2 id="downloads">{{#en}}Downloads (open data){{/en}}{{^en}}数据下载（开放数据）{{/en}}</h2>
<p>{{#en}}The same results, one row per item, with the filters above. Last changed:{{/en}}{{^en}}与上述筛选条件相同的结果，每个检查事项一行。最后更新：{{/en}} <time>{{last_changed}}</time></p>
<ul>
<li><a href="{{csv_href}}">CSV（UTF-8）</a></li>
<li><a href="{{gb_href}}">CSV（GB18030{{#en}}, for Excel in a Chinese locale{{/en}}{{^en}}，适用于中文版 Excel{{/en}}）</a></li>
<li><a href="{{xlsx_href}}">Excel（.xlsx）</a></li>
<li><a href="{{jsonl_href}}">JSON Lines</a></li>
<li><a href="{{api_href}}">JSON API</a></li>
<li><a href="{{feed_href}}">{{#en}}Atom feed of new results{{/en}}{{^en}}新公示结果订阅（Atom）{{/en}}</a></li>
</ul></section>{{/error}})";

const std::string& TaskStateLabel(const std::string& lang, const std::string& state) {
  static const std::map<std::string, std::pair<std::string, std::string>> kLabels = {
      {"announced", {"已公告，待抽取", "announced, not drawn yet"}},
      {"drawn", {"已抽取，检查中", "drawn, being inspected"}},
      {"revealed", {"已公开抽取证明", "drawn, proof published"}},
      {"cancelled", {"已取消", "cancelled"}}};
  auto it = kLabels.find(state);
  return it == kLabels.end() ? state : Pick(lang, it->second.first, it->second.second);
}

struct ResultsPageData {
  NoticePage page;
  std::vector<DepartmentRow> departments;
  std::optional<draw::TaskInfo> task;
  std::map<std::string, std::string> department_names, item_names;
};

Result<std::vector<DepartmentRow>> AllDepartments(Sql& sql) {
  std::vector<DepartmentRow> out;
  Status st = sql.Query("SELECT code, name FROM departments ORDER BY code LIMIT 1000", {}, [&](const SqlRow& r) {
    DepartmentRow d;
    d.code = r.Text(0);
    d.name = r.Text(1);
    out.push_back(std::move(d));
    return true;
  });
  if (!st.ok()) return st;
  return out;
}

Status ResultsPage(HttpContext& http, const draw::TaskService& tasks, const std::string& task_id) {
  const HttpRequest& req = http.request();
  const std::string lang = http.lang();
  const bool en = lang == "en";
  const bool one_task = !task_id.empty();
  if (one_task && !IsIdText(task_id, 100))
    return Status::Error(StatusCode::kNotFound, "没有已公告的抽查任务", "no announced draw task");
  html::Data data;
  data.set("en", en);
  data.set("one_task", one_task);
  data.set("action", one_task ? "/results/" + UrlEncode(task_id) : std::string("/results"));
  const std::string raw_task = req.Query("task");
  data.set("f_task", raw_task.size() <= 100 ? raw_task : std::string());
  std::string title = Pick(lang, "抽查检查结果公示", "Inspection results");
  const auto render = [&]() -> Status {
    data.set("title", title);
    auto body = html::Render(kResultsPage, data);
    if (!body.ok()) return body.status();
    http.Page(title, body.value());
    return Status::Ok();
  };
  auto departments = ReadValue<std::vector<DepartmentRow>>(http.platform(), AllDepartments);
  if (!departments.ok()) return departments.status();
  const std::string raw_department = req.Query("department");
  const auto set_departments = [&]() {
    html::Data list{html::Data::type::list};
    for (const DepartmentRow& d : departments.value()) {
      html::Data o;
      o.set("code", d.code);
      o.set("name", d.name);
      o.set("selected", d.code == raw_department);
      list.push_back(o);
    }
    data.set("departments", list);
  };
  set_departments();
  // A refused query is shown on the page, beside the form (400, or 404 for a task, department
  // or item that does not exist).
  const auto refuse = [&](const Status& st) -> Status {
    if (st.code() != StatusCode::kInvalidArgument && st.code() != StatusCode::kNotFound) return st;
    http.response().status = st.code() == StatusCode::kNotFound ? 404 : 400;
    data.set("error", Local(st.message(), lang));
    if (one_task && st.code() == StatusCode::kNotFound) return st;  // no such task: the site's 404 page
    return render();
  };
  std::set<std::string> allowed = ResultFilterNames();
  allowed.insert({"limit", "offset", "lang"});
  if (one_task) allowed.erase("task");
  if (Status st = CheckResultParameters(req, allowed); !st.ok()) return refuse(st);
  ResultQuery q;
  if (Status st = ReadResultFilters(req, http.platform(), &q); !st.ok()) return refuse(st);
  if (one_task) q.task = task_id;
  auto paging = ReadPage(req, 20, 100);
  if (!paging.ok()) return refuse(paging.status());
  q.limit = paging->limit;
  q.offset = paging->offset;
  ResultsPageData out;
  Status read = http.platform().Read([&](Sql& sql) -> Status {
    if (Status st = RequireNamedFilters(sql, tasks, q); !st.ok()) return st;
    if (one_task) {
      auto t = tasks.Find(sql, task_id);
      if (!t.ok()) return t.status();
      out.task = t.value();
      for (const std::string& d : t->departments) {
        auto row = FindDepartment(sql, d);
        if (!row.ok()) return row.status();
        out.department_names[d] = row.value() ? row.value()->name : d;
      }
      for (const std::string& i : t->items) {
        auto row = FindItem(sql, i);
        if (!row.ok()) return row.status();
        out.item_names[i] = row.value() ? row.value()->name : i;
      }
    }
    auto page = QueryNotices(sql, tasks, q);
    if (!page.ok()) return page.status();
    out.page = std::move(page).value();
    return Status::Ok();
  });
  if (!read.ok()) return refuse(read);
  if (out.task) {
    const draw::TaskInfo& t = *out.task;
    title = t.title.empty() ? t.id : t.title;
    html::Data td;
    td.set("id", t.id);
    td.set("department", out.department_names[t.department] + "（" + t.department + "）");
    std::string participants, items;
    for (const std::string& d : t.departments)
      if (d != t.department)
        participants += (participants.empty() ? "" : "、") + out.department_names[d] + "（" + d + "）";
    for (const std::string& i : t.items) items += (items.empty() ? "" : "、") + out.item_names[i] + "（" + i + "）";
    td.set("has_participants", !participants.empty());
    td.set("participants", participants);
    td.set("items", items);
    td.set("state", TaskStateLabel(lang, t.state));
    td.set("has_draw", !t.draw_date.empty());
    td.set("draw_date", t.draw_date);
    td.set("selected", std::to_string(t.selected));
    data.set("task", td);
  }
  const NoticePage& page = out.page;
  auto notices = NoticesHtml(lang, page.notices, /*show_subject=*/true, /*show_task=*/!one_task);
  if (!notices.ok()) return notices.status();
  data.set("notices", notices.value());
  const std::string total = std::to_string(page.total);
  data.set("summary", page.total == 0 ? Pick(lang, "没有符合条件的已公示检查结果。", "No published result matches.")
                                      : (en ? total + (page.total == 1 ? " result notice." : " result notices.")
                                            : "共 " + total + " 条检查结果公示。"));
  // The filters the visitor gave (not the paging), for the page links and the downloads.
  std::multimap<std::string, std::string> filters;
  for (const auto& [k, v] : req.query)
    if (k != "limit" && k != "offset" && k != "lang" && !v.empty()) filters.emplace(k, v);
  std::multimap<std::string, std::string> download = filters;
  if (one_task) download.emplace("task", task_id);
  const std::string base = one_task ? "/results/" + UrlEncode(task_id) : std::string("/results");
  const auto page_href = [&](std::int64_t offset) {
    auto p = filters;
    if (q.limit != 20) p.emplace("limit", std::to_string(q.limit));
    if (offset > 0) p.emplace("offset", std::to_string(offset));
    return base + ResultQueryString(p) + "#notices";
  };
  const bool prev = q.offset > 0, next = q.offset + q.limit < page.total;
  data.set("paged", prev || next);
  data.set("prev", prev);
  data.set("next", next);
  data.set("prev_href", page_href(std::max<std::int64_t>(0, q.offset - q.limit)));
  data.set("next_href", page_href(q.offset + q.limit));
  const std::int64_t pages = std::max<std::int64_t>(1, (page.total + q.limit - 1) / q.limit);
  const std::string at = std::to_string(q.offset / q.limit + 1);
  data.set("page_label",
           en ? "page " + at + " of " + std::to_string(pages) : "第 " + at + " / " + std::to_string(pages) + " 页");
  data.set("last_changed", When(http.platform(), page.last_changed_us));
  const std::string qs = ResultQueryString(download);
  auto gb = download;
  gb.emplace("encoding", "gb18030");
  std::multimap<std::string, std::string> feed;
  for (const auto& [k, v] : download)
    if (k == "task" || k == "department") feed.emplace(k, v);
  data.set("csv_href", "/api/v1/results.csv" + qs);
  data.set("gb_href", "/api/v1/results.csv" + ResultQueryString(gb));
  data.set("xlsx_href", "/api/v1/results.xlsx" + qs);
  data.set("jsonl_href", "/api/v1/results.jsonl" + qs);
  data.set("api_href",
           (one_task ? "/api/v1/results/" + UrlEncode(task_id) + ResultQueryString(filters) : "/api/v1/results" + qs));
  data.set("feed_href", "/feeds/results.atom" + ResultQueryString(feed));
  return render();
}

// ---- Sections

Result<std::string> HomeSection(HttpContext& http, const draw::TaskService& tasks) {
  ResultQuery q;
  q.limit = 5;
  auto page = ReadValue<NoticePage>(http.platform(), [&](Sql& sql) { return QueryNotices(sql, tasks, q); });
  if (!page.ok()) return page.status();
  if (page->notices.empty()) return std::string();
  const std::string lang = http.lang();
  auto notices = NoticesHtml(lang, page->notices, true, true);
  if (!notices.ok()) return notices.status();
  html::Data data;
  data.set("en", lang == "en");
  data.set("notices", notices.value());
  return html::Render(
      R"(<section aria-labelledby="latest-results"><h2 id="latest-results">{{#en}}Latest inspection results{{/en}}{{^en}}最新检查结果{{/en}}</h2>
{{{notices}}}
<p><a href="/results">{{#en}}All inspection results and downloads{{/en}}{{^en}}全部检查结果及数据下载{{/en}}</a></p></section>)",
      data);
}

Result<std::string> SubjectSection(HttpContext& http, const draw::TaskService& tasks, const std::string& uscc) {
  if (!IsValidUscc(uscc)) return std::string();
  ResultQuery q;
  q.uscc = uscc;
  q.limit = 20;
  auto page = ReadValue<NoticePage>(http.platform(), [&](Sql& sql) { return QueryNotices(sql, tasks, q); });
  if (!page.ok()) return page.status();
  const std::string lang = http.lang();
  auto notices = NoticesHtml(lang, page->notices, /*show_subject=*/false, /*show_task=*/true);
  if (!notices.ok()) return notices.status();
  html::Data data;
  data.set("en", lang == "en");
  data.set("notices", notices.value());
  data.set("none", page->notices.empty());
  data.set("more", page->total > q.limit);
  data.set("total", std::to_string(page->total));
  data.set("uscc", uscc);
  return html::Render(
      R"(<section aria-labelledby="subject-results"><h2 id="subject-results">{{#en}}Random inspection results{{/en}}{{^en}}双随机抽查检查结果{{/en}}</h2>
{{#none}}<p>{{#en}}No inspection result of this subject is published.{{/en}}{{^en}}暂无该主体已公示的抽查检查结果。{{/en}}</p>{{/none}}
{{{notices}}}
{{#more}}<p><a href="/results?uscc={{uscc}}">{{#en}}All {{total}} result notices{{/en}}{{^en}}全部 {{total}} 条检查结果{{/en}}</a></p>{{/more}}</section>)",
      data);
}

// ---- The task lists

const std::string& VisitStateLabel(const std::string& lang, const std::string& state) {
  static const std::map<std::string, std::pair<std::string, std::string>> kLabels = {
      {"assigned", {"待检查", "to inspect"}},
      {"in_progress", {"检查中", "in progress"}},
      {"entered", {"结果已录入，待审核", "results entered, to review"}},
      {"reviewed", {"已审核，待公示", "reviewed, to publish"}},
      {"published", {"已公示", "published"}},
      {"merged", {"已并入联合检查", "merged into a joint visit"}}};
  auto it = kLabels.find(state);
  return it == kLabels.end() ? state : Pick(lang, it->second.first, it->second.second);
}

const std::string& ItemStateLabel(const std::string& lang, const std::string& state) {
  static const std::map<std::string, std::pair<std::string, std::string>> kLabels = {
      {"pending", {"待录入", "to enter"}},
      {"entered", {"已录入，待审核", "entered, to review"}},
      {"returned", {"已退回，请重新录入", "returned, enter again"}},
      {"approved", {"已审核，待公示", "approved, to publish"}},
      {"published", {"已公示", "published"}}};
  auto it = kLabels.find(state);
  return it == kLabels.end() ? state : Pick(lang, it->second.first, it->second.second);
}

std::string CardLabel(const std::string& lang, const std::string& card) {
  if (card == "yellow") return Pick(lang, "黄牌（临近公示期限）", "yellow card (the deadline is near)");
  if (card == "red") return Pick(lang, "红牌（超过公示期限）", "red card (the deadline has passed)");
  return "";
}

html::Data VisitData(const std::string& lang, const ListedVisit& v, bool link) {
  const bool en = lang == "en";
  html::Data d;
  d.set("id", v.id);
  d.set("href", "/my/visits/" + UrlEncode(v.id));
  d.set("link", link);
  d.set("uscc", v.uscc);
  d.set("name", v.name.empty() ? v.uscc : v.name);
  d.set("has_address", !v.address.empty());
  d.set("address", v.address);
  d.set("state", v.state);
  d.set("state_label", VisitStateLabel(lang, v.state));
  d.set("due", v.due_date.empty() ? Pick(lang, "未设定", "not set") : v.due_date);
  d.set("has_publish_due", !v.publish_due.empty());
  d.set("publish_due", v.publish_due);
  d.set("merged", !v.merged_into.empty());
  d.set("merged_into", v.merged_into);
  d.set("merged_href", "/my/visits/" + UrlEncode(v.merged_into));
  d.set("started_on", v.started_on);
  d.set("has_started", !v.started_on.empty());
  const std::string unknown = Pick(lang, "（姓名未登记）", "(name not on file)");
  d.set("lead", (v.lead_name.empty() ? unknown : v.lead_name) + (v.you_lead ? Pick(lang, "（本人）", " (you)") : ""));
  std::string team;
  for (const TeamMember& m : v.team) {
    std::string one = m.name.empty() ? unknown : m.name;
    std::string notes;
    if (m.lead) notes += Pick(lang, "主检", "lead");
    if (m.you) notes += (notes.empty() ? "" : (en ? ", " : "、")) + Pick(lang, "本人", "you");
    if (!notes.empty()) one += en ? " (" + notes + ")" : "（" + notes + "）";
    team += (team.empty() ? "" : (en ? ", " : "、")) + one;
  }
  d.set("team", team);
  html::Data items{html::Data::type::list};
  std::set<std::string> seen_tasks;
  html::Data tasks{html::Data::type::list};
  for (const ListedItem& it : v.items) {
    html::Data i;
    i.set("item", it.item);
    i.set("item_name", it.item_name.empty() ? it.item : it.item_name);
    i.set("department", it.department);
    i.set("task", it.task);
    i.set("task_title", it.task_title.empty() ? it.task : it.task_title);
    i.set("state_label", ItemStateLabel(lang, it.state));
    i.set("has_result", !it.result.empty());
    i.set("result_text",
          Pick(lang, it.result_zh, it.result_en).empty() ? it.result : Pick(lang, it.result_zh, it.result_en));
    i.set("inspected_on", it.inspected_on);
    i.set("has_findings", !it.findings.empty());
    i.set("findings", it.findings);
    i.set("has_due", !it.due_date.empty());
    i.set("due_date", it.due_date + (it.due_provisional ? Pick(lang, "（暂定）", " (provisional)") : ""));
    const std::string card = CardLabel(lang, it.card);
    i.set("has_card", !card.empty());
    i.set("card_label", card);
    i.set("card_bad", it.card == "red");
    i.set("has_published", !it.published_on.empty());
    i.set("published_on", it.published_on);
    items.push_back(i);
    if (seen_tasks.insert(it.task).second) {
      html::Data t;
      t.set("task", it.task);
      t.set("task_title", it.task_title.empty() ? it.task : it.task_title);
      tasks.push_back(t);
    }
  }
  d.set("items", items);
  d.set("tasks", tasks);
  return d;
}

const std::string kVisitCards = R"({{#visits}}<li>
<h2>{{#link}}<a href="{{href}}">{{name}}</a>{{/link}}{{^link}}{{name}}{{/link}}</h2>
<dl class="facts">
<dt>{{#en}}Inspections due{{/en}}{{^en}}检查期限{{/en}}</dt><dd>{{due}}</dd>
<dt>{{#en}}State{{/en}}{{^en}}状态{{/en}}</dt><dd>{{state_label}}</dd>
<dt>{{#en}}Address{{/en}}{{^en}}地址{{/en}}</dt><dd>{{#has_address}}{{address}}{{/has_address}}{{^has_address}}—{{/has_address}}</dd>
<dt>{{#en}}Items{{/en}}{{^en}}检查事项{{/en}}</dt><dd>{{#items}}{{item_name}} <code>{{item}}</code><br>{{/items}}</dd>
<dt>{{#en}}Lead inspector{{/en}}{{^en}}主检{{/en}}</dt><dd>{{lead}}</dd>
<dt>{{#en}}Team{{/en}}{{^en}}检查组{{/en}}</dt><dd>{{team}}</dd>
{{#has_publish_due}}<dt>{{#en}}Publish results by{{/en}}{{^en}}结果公示期限{{/en}}</dt><dd>{{publish_due}}</dd>{{/has_publish_due}}
<dt>{{#en}}Code{{/en}}{{^en}}统一社会信用代码{{/en}}</dt><dd><code>{{uscc}}</code></dd>
<dt>{{#en}}Visit{{/en}}{{^en}}检查记录{{/en}}</dt><dd><code>{{id}}</code></dd>
</dl>
</li>
{{/visits}})";

const std::string kListPage = R"(<h1>{{title}}</h1>
<p class="lead">{{lead}}</p>
<p>{{#all}}<a href="{{open_href}}">{{#en}}Only the visits still open{{/en}}{{^en}}只看未完成的检查{{/en}}</a>{{/all}}{{^all}}<a href="{{all_href}}">{{#en}}With the published visits{{/en}}{{^en}}包括已公示的检查{{/en}}</a>{{/all}}</p>
<p role="status">{{summary}}</p>
{{#has_visits}}<ul class="cards">
{{{cards}}}</ul>{{/has_visits}}
{{#paged}}<nav aria-label="{{#en}}Pages{{/en}}{{^en}}分页{{/en}}"><p>
{{#prev}}<a href="{{prev_href}}" rel="prev">{{#en}}Previous page{{/en}}{{^en}}上一页{{/en}}</a>{{/prev}}
{{#next}}<a href="{{next_href}}" rel="next">{{#en}}Next page{{/en}}{{^en}}下一页{{/en}}</a>{{/next}}
</p></nav>{{/paged}})";

struct ListRequest {
  bool all = false;
  Page page;
};

// ?state=open|all, ?limit= (1–500, default 100), ?offset=, ?lang= on the pages; nothing else.
Result<ListRequest> ReadListRequest(const HttpRequest& req, bool department) {
  std::set<std::string> allowed = {"state", "limit", "offset", "lang"};
  if (department) allowed.insert("department");
  if (Status st = CheckResultParameters(req, allowed); !st.ok()) return st;
  ListRequest out;
  const std::string state = req.Query("state", "open");
  if (state != "open" && state != "all" && !state.empty())
    return Status::Error(StatusCode::kInvalidArgument, "参数 state 须为 open 或 all", "state must be open or all");
  out.all = state == "all";
  auto page = ReadPage(req, 100, 500);
  if (!page.ok()) return page.status();
  out.page = page.value();
  return out;
}

// The department a supervisor's list is for: ?department= (own department only, unless the
// caller acts for every department), else the caller's.
Result<std::string> ListDepartment(HttpContext& http) {
  const Principal& who = http.principal();
  const std::string asked = http.request().Query("department");
  if (!asked.empty()) {
    if (asked.size() > 64 || !IsIdText(asked, 64))
      return Status::Error(StatusCode::kInvalidArgument, "参数 department 须为部门代码",
                           "department must be a department code");
    if (!who.ActsFor(asked))
      return Status::Error(StatusCode::kPermissionDenied, "只能查看本部门的检查",
                           "you may see your own department's visits only");
    return asked;
  }
  if (who.department.empty())
    return Status::Error(StatusCode::kInvalidArgument, "请用参数 department 指明部门",
                         "name the department with ?department=");
  return who.department;
}

Result<VisitList> LoadList(HttpContext& http, const draw::TaskService& tasks, const VisitListQuery& q) {
  return ReadValue<VisitList>(http.platform(), [&](Sql& sql) -> Result<VisitList> {
    if (!q.department.empty()) {
      auto d = FindDepartment(sql, q.department);
      if (!d.ok()) return d.status();
      if (!d.value())
        return Status::Error(StatusCode::kNotFound, "没有部门 " + q.department, "no department " + q.department);
    }
    return ListVisits(sql, tasks, q);
  });
}

// The query of a task list from the request (the caller's own visits, or a department's) and
// its rows; `q` keeps what the page shows of it (state, paging).
Result<VisitList> ListFor(HttpContext& http, const draw::TaskService& tasks, bool department, VisitListQuery* q) {
  auto lr = ReadListRequest(http.request(), department);
  if (!lr.ok()) return lr.status();
  if (department) {
    auto d = ListDepartment(http);
    if (!d.ok()) return d.status();
    q->department = d.value();
  } else {
    q->inspector = http.principal().id;
  }
  q->include_closed = lr->all;
  q->limit = lr->page.limit;
  q->offset = lr->page.offset;
  return LoadList(http, tasks, *q);
}

Status ListPage(HttpContext& http, const draw::TaskService& tasks, bool department) {
  const HttpRequest& req = http.request();
  VisitListQuery q;
  auto list = ListFor(http, tasks, department, &q);
  if (!list.ok()) return list.status();
  const std::string lang = http.lang();
  const bool en = lang == "en";
  html::Data cards_data;
  cards_data.set("en", en);
  html::Data visits{html::Data::type::list};
  for (const ListedVisit& v : list->visits) visits.push_back(VisitData(lang, v, /*link=*/!department));
  cards_data.set("visits", visits);
  auto cards = html::Render(kVisitCards, cards_data);
  if (!cards.ok()) return cards.status();
  html::Data data;
  data.set("en", en);
  const std::string title =
      department ? Pick(lang, "本部门的检查", "My department's visits") : Pick(lang, "我的检查任务", "My inspections");
  data.set("title", title);
  data.set("lead", department
                       ? (en ? "The visits with an item of department " + q.department +
                                   ", by the day their inspections are due. Not public: a drawn subject is named "
                                   "only to the task's departments until the draw is revealed."
                             : "有本部门（" + q.department +
                                   "）检查事项的检查记录，按检查期限排列。在抽取结果公开之前，被抽取的检查对象仅向任务"
                                   "的部门展示，请勿外传。")
                       : (en ? "The subjects you are to inspect, by the day the inspections are due. Keep them to "
                               "yourself: the subjects drawn are not public before the inspection."
                             : "分派给您的检查对象，按检查期限排列。检查前被抽取的对象不得公开，请勿外传。"));
  const std::string base = department ? "/department/visits" : "/my/visits";
  std::multimap<std::string, std::string> keep;
  if (department && !req.Query("department").empty()) keep.emplace("department", q.department);
  auto with = [&](std::multimap<std::string, std::string> p) {
    for (const auto& kv : keep) p.insert(kv);
    return base + ResultQueryString(p);
  };
  data.set("all", q.include_closed);
  data.set("open_href", with({}));
  data.set("all_href", with({{"state", "all"}}));
  const std::string total = std::to_string(list->total);
  data.set("summary", list->total == 0
                          ? (q.include_closed ? Pick(lang, "没有检查记录。", "No visits.")
                                              : Pick(lang, "没有未完成的检查。", "No open visits."))
                          : (en ? total + (list->total == 1 ? " visit." : " visits.") : "共 " + total + " 项检查。"));
  data.set("has_visits", !list->visits.empty());
  data.set("cards", cards.value());
  const bool prev = q.offset > 0, next = q.offset + q.limit < list->total;
  auto page_href = [&](std::int64_t offset) {
    std::multimap<std::string, std::string> p;
    if (q.include_closed) p.emplace("state", "all");
    if (q.limit != 100) p.emplace("limit", std::to_string(q.limit));
    if (offset > 0) p.emplace("offset", std::to_string(offset));
    return with(p);
  };
  data.set("paged", prev || next);
  data.set("prev", prev);
  data.set("next", next);
  data.set("prev_href", page_href(std::max<std::int64_t>(0, q.offset - q.limit)));
  data.set("next_href", page_href(q.offset + q.limit));
  auto body = html::Render(kListPage, data);
  if (!body.ok()) return body.status();
  http.Page(title, body.value());
  return Status::Ok();
}

json VisitJsonOf(const ListedVisit& v) {
  json team = json::array();
  for (const TeamMember& m : v.team) team.push_back({{"name", m.name}, {"lead", m.lead}, {"you", m.you}});
  json items = json::array();
  for (const ListedItem& it : v.items) {
    json i{{"item", it.item},
           {"item_name", it.item_name},
           {"task", it.task},
           {"task_title", it.task_title},
           {"department", it.department},
           {"state", it.state}};
    if (!it.result.empty()) {
      i["result"] = it.result;
      i["result_text"] = {{"zh", it.result_zh}, {"en", it.result_en}};
      i["inspected_on"] = it.inspected_on;
      i["findings"] = it.findings;
    }
    if (!it.due_date.empty()) {
      i["publish_due"] = it.due_date;
      i["publish_due_provisional"] = it.due_provisional;
      i["card"] = it.card;
    }
    if (!it.published_on.empty()) i["published_on"] = it.published_on;
    items.push_back(i);
  }
  json j{{"id", v.id},
         {"uscc", v.uscc},
         {"name", v.name},
         {"address", v.address},
         {"state", v.state},
         {"due_date", v.due_date.empty() ? json(nullptr) : json(v.due_date)},
         {"publish_due", v.publish_due.empty() ? json(nullptr) : json(v.publish_due)},
         {"lead", v.lead_name},
         {"team", team},
         {"items", items}};
  if (!v.merged_into.empty()) j["merged_into"] = v.merged_into;
  if (!v.started_on.empty()) j["started_on"] = v.started_on;
  return j;
}

Status ListApi(HttpContext& http, const draw::TaskService& tasks, bool department) {
  VisitListQuery q;
  auto list = ListFor(http, tasks, department, &q);
  if (!list.ok()) return list.status();
  json items = json::array();
  for (const ListedVisit& v : list->visits) items.push_back(VisitJsonOf(v));
  json out{{"items", items},
           {"total", list->total},
           {"limit", q.limit},
           {"offset", q.offset},
           {"state", q.include_closed ? "all" : "open"}};
  if (department) out["department"] = q.department;
  http.response().body = Dump(out);
  return Status::Ok();
}

Status NoVisit() {
  // The same answer for a visit that does not exist and one of another team.
  return Status::Error(StatusCode::kNotFound, "您的检查任务中没有这条检查记录", "no such visit among your inspections");
}

Result<ListedVisit> OwnVisit(HttpContext& http, const draw::TaskService& tasks) {
  const HttpRequest& req = http.request();
  const std::string& id = req.path_params.at("visit");
  if (id.empty() || id.size() > 200) return NoVisit();
  if (Status st = CheckResultParameters(req, {"lang"}); !st.ok()) return st;
  auto v = ReadValue<std::optional<ListedVisit>>(
      http.platform(), [&](Sql& sql) { return VisitOfInspector(sql, tasks, id, http.principal().id); });
  if (!v.ok()) return v.status();
  if (!v.value()) return NoVisit();
  return *v.value();
}

const std::string kVisitPage =
    R"(<p><a href="/my/visits">{{#en}}← My inspections{{/en}}{{^en}}← 我的检查任务{{/en}}</a></p>
<h1>{{name}}</h1>
{{#merged}}<p class="lead">{{#en}}This visit was merged into the joint visit{{/en}}{{^en}}本检查已并入联合检查{{/en}} <a href="{{merged_href}}">{{merged_into}}</a>.</p>{{/merged}}
<dl class="facts">
<dt>{{#en}}Inspections due{{/en}}{{^en}}检查期限{{/en}}</dt><dd>{{due}}</dd>
<dt>{{#en}}State{{/en}}{{^en}}状态{{/en}}</dt><dd>{{state_label}}</dd>
{{#has_started}}<dt>{{#en}}Started on{{/en}}{{^en}}开始日期{{/en}}</dt><dd>{{started_on}}</dd>{{/has_started}}
<dt>{{#en}}Address{{/en}}{{^en}}地址{{/en}}</dt><dd>{{#has_address}}{{address}}{{/has_address}}{{^has_address}}—{{/has_address}}</dd>
<dt>{{#en}}Unified social credit code{{/en}}{{^en}}统一社会信用代码{{/en}}</dt><dd><code>{{uscc}}</code></dd>
<dt>{{#en}}Lead inspector{{/en}}{{^en}}主检{{/en}}</dt><dd>{{lead}}</dd>
<dt>{{#en}}Team{{/en}}{{^en}}检查组{{/en}}</dt><dd>{{team}}</dd>
<dt>{{#en}}Draw task{{/en}}{{^en}}抽查任务{{/en}}</dt><dd>{{#tasks}}{{task_title}} <code>{{task}}</code><br>{{/tasks}}</dd>
<dt>{{#en}}Visit{{/en}}{{^en}}检查记录{{/en}}</dt><dd><code>{{id}}</code></dd>
</dl>
<h2>{{#en}}Items to inspect{{/en}}{{^en}}检查事项{{/en}}</h2>
<ul class="cards">
{{#items}}<li><h3>{{item_name}}</h3>
<dl class="facts">
<dt>{{#en}}Item{{/en}}{{^en}}事项编码{{/en}}</dt><dd><code>{{item}}</code></dd>
<dt>{{#en}}Department{{/en}}{{^en}}检查部门{{/en}}</dt><dd>{{department}}</dd>
<dt>{{#en}}State{{/en}}{{^en}}状态{{/en}}</dt><dd>{{state_label}}</dd>
{{#has_result}}<dt>{{#en}}Result{{/en}}{{^en}}检查结果{{/en}}</dt><dd>{{result_text}}（{{inspected_on}}）</dd>{{/has_result}}
{{#has_findings}}<dt>{{#en}}Findings{{/en}}{{^en}}检查情况{{/en}}</dt><dd>{{findings}}</dd>{{/has_findings}}
{{#has_due}}<dt>{{#en}}Publish by{{/en}}{{^en}}公示期限{{/en}}</dt><dd>{{due_date}}{{#has_card}} · <span class="{{#card_bad}}verdict-bad{{/card_bad}}">{{card_label}}</span>{{/has_card}}</dd>{{/has_due}}
{{#has_published}}<dt>{{#en}}Published on{{/en}}{{^en}}公示日期{{/en}}</dt><dd>{{published_on}}</dd>{{/has_published}}
</dl></li>
{{/items}}</ul>
<p class="lead">{{#en}}Results are entered with the command line for now (xinjian visit result).{{/en}}{{^en}}检查结果目前通过命令行录入（xinjian visit result）。{{/en}}</p>)";

Status VisitPage(HttpContext& http, const draw::TaskService& tasks) {
  auto v = OwnVisit(http, tasks);
  if (!v.ok()) return v.status();
  const std::string lang = http.lang();
  html::Data data = VisitData(lang, v.value(), true);
  data.set("en", lang == "en");
  auto body = html::Render(kVisitPage, data);
  if (!body.ok()) return body.status();
  http.Page(v->name.empty() ? v->id : v->name, body.value());
  return Status::Ok();
}

Status VisitApi(HttpContext& http, const draw::TaskService& tasks) {
  auto v = OwnVisit(http, tasks);
  if (!v.ok()) return v.status();
  http.response().body = Dump(VisitJsonOf(v.value()));
  return Status::Ok();
}

}  // namespace

Status RegisterPages(Registrar& reg, const draw::TaskService* tasks) {
  // The service lives as long as the process (plugins are never unloaded): the handlers keep
  // its pointer.
  const std::vector<std::string> inspector = {kRoleInspector};
  const std::vector<std::string> supervisor = {kRoleSupervisor, kRoleAdmin};
  struct R {
    RouteSpec spec;
    RouteFn fn;
  };
  const R routes[] = {
      {{HttpMethod::kGet, "/results", RouteAccess::kPublic, {}, "检查结果公示（页面） / the published results page"},
       [tasks](HttpContext& http) { return ResultsPage(http, *tasks, ""); }},
      {{HttpMethod::kGet,
        "/results/{task}",
        RouteAccess::kPublic,
        {},
        "一个抽查任务的检查结果（页面） / one task's results page"},
       [tasks](HttpContext& http) { return ResultsPage(http, *tasks, http.request().path_params.at("task")); }},
      {{HttpMethod::kGet, "/my/visits", RouteAccess::kSignedIn, inspector, "我的检查任务（页面） / my inspections"},
       [tasks](HttpContext& http) { return ListPage(http, *tasks, false); }},
      {{HttpMethod::kGet, "/my/visits/{visit}", RouteAccess::kSignedIn, inspector,
        "我的一项检查（页面） / one of my visits"},
       [tasks](HttpContext& http) { return VisitPage(http, *tasks); }},
      {{HttpMethod::kGet, "/api/v1/my/visits", RouteAccess::kSignedIn, inspector, "我的检查任务 / my inspections"},
       [tasks](HttpContext& http) { return ListApi(http, *tasks, false); }},
      {{HttpMethod::kGet, "/api/v1/my/visits/{visit}", RouteAccess::kSignedIn, inspector,
        "我的一项检查 / one of my visits"},
       [tasks](HttpContext& http) { return VisitApi(http, *tasks); }},
      {{HttpMethod::kGet, "/department/visits", RouteAccess::kSignedIn, supervisor,
        "本部门的检查（页面） / my department's visits"},
       [tasks](HttpContext& http) { return ListPage(http, *tasks, true); }},
      {{HttpMethod::kGet, "/api/v1/department/visits", RouteAccess::kSignedIn, supervisor,
        "本部门的检查 / my department's visits"},
       [tasks](HttpContext& http) { return ListApi(http, *tasks, true); }},
  };
  for (const R& r : routes)
    if (Status st = reg.AddRoute(r.spec, r.fn); !st.ok()) return st;
  if (Status st = reg.AddNavLink(NavLink{"/results", "检查结果", "Results", RouteAccess::kPublic, {}, 40}); !st.ok())
    return st;
  if (Status st =
          reg.AddNavLink(NavLink{"/my/visits", "我的检查", "My inspections", RouteAccess::kSignedIn, inspector, 50});
      !st.ok())
    return st;
  if (Status st = reg.AddNavLink(NavLink{
          "/department/visits", "本部门检查", "Department visits", RouteAccess::kSignedIn, {kRoleSupervisor}, 60});
      !st.ok())
    return st;
  if (Status st = reg.AddSection(SectionSpec{"home", 30},
                                 [tasks](HttpContext& http, const std::string&) { return HomeSection(http, *tasks); });
      !st.ok())
    return st;
  return reg.AddSection(SectionSpec{"subject", 30}, [tasks](HttpContext& http, const std::string& uscc) {
    return SubjectSection(http, *tasks, uscc);
  });
}

}  // namespace xj::inspection
