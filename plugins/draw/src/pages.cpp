// The draw's public pages and open data (xinjian/http.h, html.h, opendata.h), served by
// `xinjian serve --listen` (docs/draw.md "On the web", docs/web.md "The draw on the site"):
//
//   GET /tasks               the task notices (announced tasks only, drafts never), newest
//                            first; ?state=, ?department=, ?limit= (1–100, default 20), ?offset=
//   GET /tasks/{id}          one task's notice: items, departments, plan, pool size and hash,
//                            commitment, entropy source (and the entropy once drawn), dates,
//                            state; after the reveal the selection, the teams and the proof
//                            with the browser verifier; before it, when they will appear
//   GET /api/v1/tasks.csv    the notices as CSV (UTF-8 with a byte-order mark, ?encoding=gb18030)
//   GET /api/v1/tasks.jsonl  … as JSON Lines
//   GET /api/v1/tasks.xlsx   … as an Excel workbook
//   GET /feeds/tasks.atom    an Atom feed of the newest notices (?limit= 1–100, default 50)
//   section "home"           the latest notices
//   section "subject"        the revealed tasks that drew the subject
//
// Who sees the selection is decided as for the JSON API (tasks.h MaySeeSelection, the rule of
// TaskViewJson): after the reveal everyone, before it only a principal acting for one of the
// task's departments; the public pages, downloads, feed and sections never show a selection
// before the reveal, never a secret before the reveal, never a risk class (a risk-stratified
// task's strata are named only as aggregates, as its public proof does), and the officers of a
// team only by their directory ids (personal numbers masked).
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "notices.h"
#include "proof.h"
#include "tasks.h"
#include "xinjian/html.h"
#include "xinjian/url.h"
#include "xinjian/http.h"
#include "xinjian/opendata.h"
#include "xinjian/plugin.h"
#include "xinjian/text.h"

namespace xj::draw {

// ---------------------------------------------------------------------------------------------
// The notices' query (notices.h).

Status ReadNoticeFilter(const HttpRequest& req, NoticeFilter* filter) {
  filter->state = req.Query("state");
  filter->department = req.Query("department");
  const std::string& state = filter->state;
  if (!state.empty() && state != "announced" && state != "drawn" && state != "revealed" && state != "cancelled")
    return Status::Error(StatusCode::kInvalidArgument, "参数 state 须为 announced、drawn、revealed 或 cancelled",
                         "state must be announced, drawn, revealed or cancelled");
  if (filter->department.size() > 64)
    return Status::Error(StatusCode::kInvalidArgument, "参数 department 过长", "department is too long");
  if (utf8::HasControlChar(filter->department) || !utf8::IsValid(filter->department))
    return Status::Error(StatusCode::kInvalidArgument, "参数 department 无效", "department is not valid");
  return Status::Ok();
}

Result<NoticeList> QueryNotices(Sql& sql, const NoticeFilter& filter) {
  NoticeList out;
  if (!filter.department.empty())
    if (Status s = RequireDepartment(sql, filter.department); !s.ok()) return s;
  // Announced tasks only (drafts are not public), paged in the database.
  std::string where = " FROM draw_tasks t WHERE COALESCE(t.announced_at_us, 0) <> 0";
  SqlParams params;
  if (!filter.department.empty()) {
    where += " AND t.department = ?";
    params.emplace_back(filter.department);
  }
  if (!filter.state.empty()) {
    where += " AND t.state = ?";
    params.emplace_back(filter.state);
  }
  Status st = sql.Query("SELECT COUNT(*), COALESCE(MAX(t.updated_at_us), 0)" + where, params, [&](const SqlRow& r) {
    out.total = r.Int(0);
    out.last_changed_us = r.Int(1);
    return true;
  });
  if (!st.ok()) return st;
  SqlParams page_params = params;
  page_params.emplace_back(filter.limit);
  page_params.emplace_back(filter.offset);
  std::map<std::string, std::size_t> row_of;  // task id => index in rows
  SqlParams ids;
  std::string in;
  st = sql.Query(
      "SELECT t.id, t.title, t.department, t.state, COALESCE(t.announce_date, ''), COALESCE(t.draw_date, ''), "
      "COALESCE(t.due_date, ''), COALESCE(t.pool_size, 0), COALESCE(t.pool_hash, ''), COALESCE(t.commitment, ''), "
      "t.entropy_source, COALESCE(t.entropy, ''), COALESCE(t.announced_at_us, 0), COALESCE(t.drawn_at_us, 0), "
      "COALESCE(t.revealed_at_us, 0), COALESCE(t.cancelled_at_us, 0), t.updated_at_us, "
      "COALESCE((SELECT d.name FROM departments d WHERE d.code = t.department), '')" +
          where + " ORDER BY t.announced_at_us DESC, t.id LIMIT ? OFFSET ?",
      page_params, [&](const SqlRow& r) {
        NoticeRow n;
        n.id = r.Text(0);
        n.title = r.Text(1);
        n.department = r.Text(2);
        n.state = r.Text(3);
        n.announce_date = r.Text(4);
        n.draw_date = r.Text(5);
        n.due_date = r.Text(6);
        n.pool_size = r.Int(7);
        n.pool_hash = r.Text(8);
        n.commitment = r.Text(9);
        n.entropy_source = r.Text(10);
        n.drawn_at_us = r.Int(13);
        if (n.drawn_at_us != 0) n.entropy = r.Text(11);
        n.announced_at_us = r.Int(12);
        n.revealed_at_us = r.Int(14);
        n.cancelled_at_us = r.Int(15);
        n.updated_at_us = r.Int(16);
        n.department_name = r.Text(17);
        row_of[n.id] = out.rows.size();
        ids.emplace_back(n.id);
        in += in.empty() ? "?" : ", ?";
        out.rows.push_back(std::move(n));
        return true;
      });
  if (!st.ok()) return st;
  if (ids.empty()) return out;
  // The page's item codes in one query.
  st = sql.Query(
      "SELECT task_id, item_code FROM draw_task_items WHERE task_id IN (" + in + ") ORDER BY task_id, item_code", ids,
      [&](const SqlRow& r) {
        out.rows[row_of.at(r.Text(0))].items.push_back(r.Text(1));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

std::string LocalText(const std::string& text, const std::string& lang) {
  const auto at = text.find(" / ");
  if (at == std::string::npos) return text;
  return lang == "en" ? text.substr(at + 3) : text.substr(0, at);
}

namespace {

using nlohmann::json;

Status NoTask(const std::string& id) {
  return Status::Error(StatusCode::kNotFound, "没有已公告的抽查任务 " + id, "no announced draw task " + id);
}

// At most 40 bytes of what a caller typed, cut on a character boundary, for a message.
std::string Shown(const std::string& s) {
  if (s.size() <= 40) return s;
  std::size_t end = 40;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "…";
}

const std::string& StateLabel(const std::string& lang, const std::string& state) {
  static const std::string kAnnounced[] = {"已公告，待抽取", "announced, not drawn yet"};
  static const std::string kDrawn[] = {"已抽取，待揭示", "drawn, not revealed yet"};
  static const std::string kRevealed[] = {"已揭示", "revealed"};
  static const std::string kCancelled[] = {"已撤销", "cancelled"};
  const std::string* pair = state == "drawn"       ? kDrawn
                            : state == "revealed"  ? kRevealed
                            : state == "cancelled" ? kCancelled
                                                   : kAnnounced;
  return html::Pick(lang, pair[0], pair[1]);
}

// The entropy source's sentence in the reader's language. It is fixed at the announcement as
// "中文 / English" and quotes the source's description (“…” in the Chinese part, "…" in the
// English one), which may hold " / " itself: the split is the first " / " outside quotes. A
// sentence without one is shown whole.
std::string NoticeSentence(const std::string& text, const std::string& lang) {
  int curly = 0;
  bool ascii = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\xE2\x80\x9C") == 0)
      ++curly;
    else if (text.compare(i, 3, "\xE2\x80\x9D") == 0 && curly > 0)
      --curly;
    else if (text[i] == '"')
      ascii = !ascii;
    else if (curly == 0 && !ascii && text.compare(i, 3, " / ") == 0)
      return lang == "en" ? text.substr(i + 3) : text.substr(0, i);
  }
  return text;
}

// "YYYY-MM-DD HH:MM" in Asia/Shanghai, or "" for 0.
std::string LocalTime(const Platform& platform, std::int64_t at_us) {
  if (at_us == 0) return "";
  auto t = platform.Time().FormatLocal(at_us);
  if (!t.ok()) return "";
  return t.value().substr(0, 16);
}

std::string Joined(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

// Names of the given codes in table `table` (departments or items), code => name.
Result<std::map<std::string, std::string>> NamesOf(Sql& sql, const char* table, const std::vector<std::string>& codes) {
  std::map<std::string, std::string> out;
  if (codes.empty()) return out;
  std::string in;
  SqlParams params;
  for (const auto& c : codes) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(c);
  }
  Status st = sql.Query(std::string("SELECT code, name FROM ") + table + " WHERE code IN (" + in + ")", params,
                        [&](const SqlRow& r) {
                          out[r.Text(0)] = r.Text(1);
                          return true;
                        });
  if (!st.ok()) return st;
  return out;
}

html::Data NoticeData(const Platform& platform, const std::string& lang, const NoticeRow& n) {
  html::Data d;
  d.set("id", n.id);
  d.set("title", n.title);
  d.set("department", n.department);
  d.set("department_name", n.department_name.empty() ? n.department : n.department_name);
  d.set("state_label", StateLabel(lang, n.state));
  d.set("state", n.state);
  d.set("announce_date", n.announce_date);
  d.set("has_draw_date", !n.draw_date.empty());
  d.set("draw_date", n.draw_date);
  d.set("has_due_date", !n.due_date.empty());
  d.set("due_date", n.due_date);
  d.set("pool_size", std::to_string(n.pool_size));
  d.set("items", Joined(n.items, "、"));
  d.set("revealed", n.state == "revealed");
  d.set("revealed_at", LocalTime(platform, n.revealed_at_us));
  return d;
}

// ---------------------------------------------------------------------------------------------
// GET /tasks

const std::string kNoticeCard =
    R"(<li><a href="/tasks/{{id}}"><strong>{{title}}</strong></a><br>
<code>{{id}}</code> · {{department_name}} · {{state_label}}<br>
<small>{{#en}}Announced{{/en}}{{^en}}公告{{/en}} {{announce_date}} · {{#en}}pool{{/en}}{{^en}}检查对象{{/en}} {{pool_size}}{{#has_draw_date}} · {{#en}}drawn{{/en}}{{^en}}抽取{{/en}} {{draw_date}}{{/has_draw_date}}{{#has_due_date}} · {{#en}}due{{/en}}{{^en}}检查期限{{/en}} {{due_date}}{{/has_due_date}}</small></li>
)";

const std::string kListPage = R"(<h1>{{#en}}Draw tasks{{/en}}{{^en}}抽查任务公告{{/en}}</h1>
<p class="lead">{{#en}}Every random inspection task is announced before its draw: the number of subjects in its pool, the pool's hash and a commitment to the secret fix the draw in advance. The drawn subjects and the proof are published once the inspections' results are published and the task is revealed; anyone can then re-run the draw.{{/en}}{{^en}}每个双随机抽查任务在抽取前公告：检查对象数、对象名录的哈希值和秘密值的承诺值事先固定了抽取。被抽中的对象和抽取证明在检查结果公示、任务揭示后公开，任何人都可以复核抽取。{{/en}}</p>
<form method="get" action="/tasks" class="inline">
<label for="state">{{#en}}State{{/en}}{{^en}}状态{{/en}}</label>
<select id="state" name="state">{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select>
<label for="department">{{#en}}Department{{/en}}{{^en}}实施部门{{/en}}</label>
<select id="department" name="department">{{#departments}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/departments}}</select>
<button type="submit">{{#en}}Show{{/en}}{{^en}}筛选{{/en}}</button>
</form>
<p role="status">{{summary}}</p>
{{#has_rows}}<ul class="cards">
{{#rows}})" + kNoticeCard + R"({{/rows}}</ul>{{/has_rows}}
{{#paged}}<nav aria-label="{{#en}}Pages{{/en}}{{^en}}分页{{/en}}"><p>
{{#prev}}<a href="{{prev_href}}" rel="prev">{{#en}}Previous page{{/en}}{{^en}}上一页{{/en}}</a>{{/prev}}
{{page_label}}
{{#next}}<a href="{{next_href}}" rel="next">{{#en}}Next page{{/en}}{{^en}}下一页{{/en}}</a>{{/next}}
</p></nav>{{/paged}}
<p><small>{{#en}}Open data:{{/en}}{{^en}}开放数据：{{/en}} <a href="/api/v1/tasks.csv">CSV</a> · <a href="/api/v1/tasks.csv?encoding=gb18030">CSV (GB18030)</a> · <a href="/api/v1/tasks.xlsx">Excel</a> · <a href="/api/v1/tasks.jsonl">JSON Lines</a> · <a href="/feeds/tasks.atom">{{#en}}Atom feed{{/en}}{{^en}}Atom 订阅{{/en}}</a></small></p>)";

std::string ListHref(const NoticeFilter& f, std::int64_t offset) {
  std::string q;
  auto add = [&](const std::string& k, const std::string& v) { q += (q.empty() ? "?" : "&") + k + "=" + UrlEncode(v); };
  if (!f.state.empty()) add("state", f.state);
  if (!f.department.empty()) add("department", f.department);
  if (offset > 0) add("offset", std::to_string(offset));
  if (f.limit != 20) add("limit", std::to_string(f.limit));
  return "/tasks" + q;
}

Status ListPageRoute(HttpContext& http) {
  const HttpRequest& req = http.request();
  auto page = ReadPage(req, 20, 100);
  if (!page.ok()) return page.status();
  NoticeFilter filter;
  if (Status st = ReadNoticeFilter(req, &filter); !st.ok()) return st;
  filter.limit = page->limit;
  filter.offset = page->offset;
  std::vector<std::pair<std::string, std::string>> departments;  // of announced tasks: code, name
  auto notices = ReadValue<NoticeList>(http.platform(), [&](Sql& sql) -> Result<NoticeList> {
    Status st = sql.Query(
        "SELECT DISTINCT t.department, COALESCE(d.name, '') FROM draw_tasks t LEFT JOIN departments d ON d.code = "
        "t.department WHERE COALESCE(t.announced_at_us, 0) <> 0 ORDER BY t.department",
        {}, [&](const SqlRow& r) {
          departments.emplace_back(r.Text(0), r.Text(1));
          return true;
        });
    if (!st.ok()) return st;
    return QueryNotices(sql, filter);
  });
  if (!notices.ok()) return notices.status();
  const std::string lang = http.lang();
  const bool en = lang == "en";
  const Platform& platform = http.platform();
  html::Data data;
  data.set("en", en);
  html::Data states{html::Data::type::list};
  for (const char* s : {"", "announced", "drawn", "revealed", "cancelled"}) {
    html::Data o;
    o.set("value", std::string(s));
    o.set("label", *s == 0 ? html::Pick(lang, "全部", "all") : StateLabel(lang, s));
    o.set("selected", filter.state == s);
    states.push_back(o);
  }
  data.set("states", states);
  html::Data deps{html::Data::type::list};
  {
    html::Data o;
    o.set("value", std::string());
    o.set("label", html::Pick(lang, "全部", "all"));
    o.set("selected", filter.department.empty());
    deps.push_back(o);
  }
  for (const auto& [code, name] : departments) {
    html::Data o;
    o.set("value", code);
    o.set("label", name.empty() ? code : name + "（" + code + "）");
    o.set("selected", filter.department == code);
    deps.push_back(o);
  }
  data.set("departments", deps);
  html::Data rows{html::Data::type::list};
  for (const NoticeRow& n : notices->rows) {
    html::Data d = NoticeData(platform, lang, n);
    d.set("en", en);
    rows.push_back(d);
  }
  data.set("rows", rows);
  data.set("has_rows", !notices->rows.empty());
  const std::string total = std::to_string(notices->total);
  data.set("summary", notices->total == 0 ? html::Pick(lang, "没有符合条件的抽查任务。", "No task matches.")
                                          : (en ? total + (notices->total == 1 ? " task." : " tasks.")
                                                : "共 " + total + " 个抽查任务。"));
  const std::int64_t off = filter.offset, lim = filter.limit;
  const bool prev = off > 0, next = off + lim < notices->total;
  data.set("paged", prev || next);
  data.set("prev", prev);
  data.set("next", next);
  data.set("prev_href", ListHref(filter, std::max<std::int64_t>(0, off - lim)));
  data.set("next_href", ListHref(filter, off + lim));
  const std::int64_t pages = (notices->total + lim - 1) / lim;
  data.set("page_label", en ? "page " + std::to_string(off / lim + 1) + " of " + std::to_string(pages)
                            : "第 " + std::to_string(off / lim + 1) + " / " + std::to_string(pages) + " 页");
  auto body = html::Render(kListPage, data);
  if (!body.ok()) return body.status();
  http.Page(html::Pick(lang, "抽查任务公告", "Draw tasks"), body.value());
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// GET /tasks/{id}

const std::string kTaskPage = R"(<h1>{{title}}</h1>
<p class="lead"><code>{{id}}</code> · {{state_label}}</p>
{{#cancelled}}<p class="error">{{#en}}This task was cancelled on {{cancelled_at}}. Reason:{{/en}}{{^en}}本任务已于 {{cancelled_at}} 撤销。理由：{{/en}} {{cancel_reason}}</p>{{/cancelled}}
{{#replaced_by}}<p>{{#en}}Replaced by task{{/en}}{{^en}}替代任务：{{/en}} <a href="/tasks/{{replaced_by}}">{{replaced_by}}</a></p>{{/replaced_by}}
<section aria-labelledby="notice"><h2 id="notice">{{#en}}The notice{{/en}}{{^en}}任务公告{{/en}}</h2>
<dl class="facts">
<dt>{{#en}}Departments{{/en}}{{^en}}实施部门{{/en}}</dt><dd>{{#departments}}{{label}}{{^last}}、{{/last}}{{/departments}}</dd>
<dt>{{#en}}Items{{/en}}{{^en}}抽查事项{{/en}}</dt><dd><ul>{{#items}}<li><code>{{code}}</code> {{name}}</li>{{/items}}</ul></dd>
<dt>{{#en}}Plan: who may be drawn{{/en}}{{^en}}抽取范围{{/en}}</dt><dd>{{scope}}</dd>
<dt>{{#en}}Plan: how many{{/en}}{{^en}}抽取比例或数量{{/en}}</dt><dd>{{rule}}</dd>
<dt>{{#en}}Plan: teams{{/en}}{{^en}}检查组{{/en}}</dt><dd>{{team}}</dd>
{{#has_due_date}}<dt>{{#en}}Inspections due{{/en}}{{^en}}检查期限{{/en}}</dt><dd>{{due_date}}</dd>{{/has_due_date}}
<dt>{{#en}}Announced{{/en}}{{^en}}公告时间{{/en}}</dt><dd>{{announced_at}}</dd>
<dt>{{#en}}Subjects in the pool{{/en}}{{^en}}检查对象数（名录冻结）{{/en}}</dt><dd>{{pool_size}}</dd>
{{#has_strata}}<dt>{{#en}}Strata and their sizes{{/en}}{{^en}}分层及各层对象数{{/en}}</dt><dd>{{strata}}</dd>{{/has_strata}}
<dt>{{#en}}Pool hash (SHA-256){{/en}}{{^en}}对象名录哈希值（SHA-256）{{/en}}</dt><dd><code class="hash">{{pool_hash}}</code></dd>
<dt>{{#en}}Commitment to the secret{{/en}}{{^en}}秘密值承诺值{{/en}}</dt><dd><code class="hash">{{commitment}}</code></dd>
<dt>{{#en}}Public entropy source{{/en}}{{^en}}公开随机源{{/en}}</dt><dd>{{entropy_source}}{{#has_entropy_notice}}<br><small>{{entropy_notice}}</small>{{/has_entropy_notice}}</dd>
{{#has_entropy_supplied}}<dt>{{#en}}Entropy value published{{/en}}{{^en}}已公布的随机数{{/en}}</dt><dd><code>{{entropy_supplied}}</code></dd>{{/has_entropy_supplied}}
{{#has_entropy_replaced}}<dt>{{#en}}Entropy value corrected{{/en}}{{^en}}随机数更正{{/en}}</dt><dd>{{#en}}replaced{{/en}}{{^en}}原值{{/en}} <code>{{entropy_replaced}}</code>{{#en}}, reason:{{/en}}{{^en}}，理由：{{/en}} {{entropy_replace_reason}}</dd>{{/has_entropy_replaced}}
{{#drawn}}<dt>{{#en}}Drawn{{/en}}{{^en}}抽取时间{{/en}}</dt><dd>{{drawn_at}}</dd>
<dt>{{#en}}Entropy used{{/en}}{{^en}}抽取所用随机数{{/en}}</dt><dd>{{#has_entropy}}<code>{{entropy}}</code>{{/has_entropy}}{{^has_entropy}}{{#en}}none (the draw is reproducible, but the secret was not protected against the operator's choice){{/en}}{{^en}}无（抽取可复现，但未能防止操作者选择秘密值）{{/en}}{{/has_entropy}}</dd>
{{#has_allocation}}<dt>{{#en}}Subjects to draw{{/en}}{{^en}}应抽取对象数{{/en}}</dt><dd>{{allocation}}</dd>{{/has_allocation}}{{/drawn}}
{{#revealed}}<dt>{{#en}}Revealed{{/en}}{{^en}}揭示时间{{/en}}</dt><dd>{{revealed_at}}</dd>
<dt>{{#en}}Secret{{/en}}{{^en}}秘密值{{/en}}</dt><dd><code class="hash">{{secret}}</code></dd>{{/revealed}}
{{#early}}<dt>{{#en}}Revealed before the inspections{{/en}}{{^en}}提前揭示{{/en}}</dt><dd>{{#en}}{{early_unpublished}} drawn subjects had no published result. Reason:{{/en}}{{^en}}揭示时尚有 {{early_unpublished}} 个被抽中对象的结果未公示。理由：{{/en}} {{early_reason}}</dd>{{/early}}
{{#replaces}}<dt>{{#en}}Replaces{{/en}}{{^en}}替代{{/en}}</dt><dd><a href="/tasks/{{replaces}}">{{replaces}}</a>{{#en}}, reason:{{/en}}{{^en}}，理由：{{/en}} {{replace_reason}}</dd>{{/replaces}}
</dl></section>
<section aria-labelledby="selection"><h2 id="selection">{{#en}}Drawn subjects and teams{{/en}}{{^en}}抽取结果与检查组{{/en}}</h2>
{{#show_selection}}
{{#internal}}<p class="error">{{#en}}Not public yet: you see the drawn subjects because you act for one of the task's departments. Do not disclose them before the reveal.{{/en}}{{^en}}尚未公开：您代表本任务的实施部门，因此可以看到抽取结果。揭示前请勿泄露。{{/en}}</p>{{/internal}}
<p>{{#en}}{{selected}} subjects drawn. Each team's lead is listed first; officers are named by their directory ids.{{/en}}{{^en}}共抽中 {{selected}} 个对象。检查组第一位为主检人员；执法人员以名录编号表示。{{/en}}</p>
<ul class="cards">
{{#rows}}<li>{{rank}}. <a href="/subjects/{{uscc}}"><strong>{{name}}</strong></a><br><code>{{uscc}}</code><br><small>{{#en}}Team{{/en}}{{^en}}检查组{{/en}}: {{team}}</small></li>
{{/rows}}</ul>
{{/show_selection}}
{{^show_selection}}<p>{{pending}}</p>{{/show_selection}}
</section>
<section aria-labelledby="proof"><h2 id="proof">{{#en}}The proof{{/en}}{{^en}}抽取证明{{/en}}</h2>
{{#revealed}}
<p>{{#en}}The proof folder holds everything needed to re-run this draw:{{/en}}{{^en}}抽取证明包含复核本次抽取所需的全部数据：{{/en}}</p>
<ul>{{#files}}<li><a href="/api/v1/tasks/{{id}}/proof/{{name}}"><code>{{name}}</code></a></li>{{/files}}</ul>
<p>{{#en}}The button below re-runs the draw in your browser, from these files alone: it checks that the revealed secret matches the commitment announced before the draw, that the seed follows from the secret, the public entropy and the pool's hash, that the number drawn follows the published rule, that each drawn subject's ticket is computed right and that the drawn subjects are those with the smallest tickets, and that the teams follow from the seed. Nothing is sent anywhere. The same check runs with <code>python3 tools/verify_draw.py</code> or <code>xinjian verify</code>.{{/en}}{{^en}}下面的按钮在您的浏览器中仅根据以上文件重新运行本次抽取：核对揭示的秘密值与抽取前公告的承诺值相符，种子由秘密值、公开随机数和对象名录哈希值得出，抽取数量符合公布的规则，每个被抽中对象的签计算无误且被抽中的正是签最小的对象，检查组由种子得出。数据不发送到任何地方。也可以用 <code>python3 tools/verify_draw.py</code> 或 <code>xinjian verify</code> 进行同样的核对。{{/en}}</p>
{{#withheld}}<p>{{#en}}This task was stratified by risk class, and risk classes are not public: the public proof withholds each subject's class (its pool and selection files list the subjects without it). The check can still verify the commitment, the seed, the number drawn from the stratum sizes, every ticket, that the drawn subjects are distinct members of the pool in ticket order, and the teams. It cannot verify that the pool's hash covers the pool with its classes (so neither the stratum sizes), nor that each class's drawn subjects are those with its smallest tickets. The task's departments and the auditors hold the full proof and can check those too.{{/en}}{{^en}}本任务按信用风险分类分层抽取，而风险分类不公开：公开的证明不含各对象的分类（对象名录和抽取结果文件只列对象）。公开核对仍可验证承诺值、种子、按各层对象数得出的抽取数量、每个签、被抽中对象均为名录中不重复的对象并按签排列，以及检查组。公开核对无法验证：对象名录哈希值是否对应带分类的名录（因而也无法验证各层对象数），以及每一类中被抽中的是否正是该类签最小的对象。任务实施部门和审计人员持有完整证明，可以核对这些内容。{{/en}}</p>{{/withheld}}
<section id="xj-verifier" data-proof="/api/v1/tasks/{{id}}/proof" data-lang="{{lang}}"><noscript><p>{{#en}}The in-browser check needs JavaScript; the files above and tools/verify_draw.py work without it.{{/en}}{{^en}}浏览器核对需要启用 JavaScript；也可下载以上文件，用 tools/verify_draw.py 核对。{{/en}}</p></noscript></section>
<script src="/assets/draw/verify-draw.js"></script>
{{/revealed}}
{{^revealed}}<p>{{proof_pending}}</p>{{/revealed}}
</section>
<p><a href="/tasks">{{#en}}All draw tasks{{/en}}{{^en}}全部抽查任务{{/en}}</a> · <a href="/api/v1/tasks/{{id}}">JSON</a></p>)";

// The plan of a task in words, from its stored spec (the parameters the JSON API publishes).
struct PlanText {
  std::string scope, rule, team;
  bool stratified = false;
};

PlanText PlanOf(const std::string& spec_json, const std::string& lang) {
  const bool en = lang == "en";
  PlanText p;
  json spec;
  try {
    spec = json::parse(spec_json);
  } catch (const std::exception&) {
    return p;
  }
  auto list = [&](const json& j) {
    std::vector<std::string> v;
    if (j.is_array())
      for (const auto& x : j)
        if (x.is_string()) v.push_back(x.get<std::string>());
    return v;
  };
  const json filters = spec.value("filters", json::object());
  std::vector<std::string> parts;
  parts.push_back(en ? "active subjects" : "存续的市场主体");
  if (auto r = list(filters.value("regions", json::array())); !r.empty())
    parts.push_back((en ? "in the regions " : "地区 ") + Joined(r, en ? ", " : "、"));
  if (auto t = list(filters.value("types", json::array())); !t.empty())
    parts.push_back((en ? "of the types " : "类型 ") + Joined(t, en ? ", " : "、"));
  if (auto i = list(filters.value("industries", json::array())); !i.empty())
    parts.push_back((en ? "in the industries " : "行业 ") + Joined(i, en ? ", " : "、"));
  if (auto l = list(filters.value("labels", json::array())); !l.empty())
    parts.push_back((en ? "with the labels " : "专项库 ") + Joined(l, en ? ", " : "、"));
  if (filters.contains("registered_before") && filters["registered_before"].is_string() &&
      !filters["registered_before"].get<std::string>().empty())
    parts.push_back((en ? "registered before " : "成立于 ") + filters["registered_before"].get<std::string>() +
                    (en ? "" : " 之前"));
  p.scope = Joined(parts, en ? ", " : "；");
  const std::string strata = spec.value("strata", std::string("none"));
  p.stratified = strata != "none";
  std::string strata_text = strata == "risk_class"
                                ? (en ? "stratified by risk class (not public)" : "按信用风险分类分层（分类不公开）")
                            : strata == "region" ? (en ? "stratified by region" : "按地区分层")
                            : strata == "label"  ? (en ? "stratified by label" : "按专项库分层")
                            : strata == "none"   ? ""
                                                 : (en ? "stratified: " : "分层：") + strata;
  const json rule = spec.value("rule", json::object());
  std::string rule_text;
  if (rule.contains("count") && rule["count"].is_number_integer()) {
    rule_text = en ? std::to_string(rule["count"].get<std::int64_t>()) + " subjects"
                   : std::to_string(rule["count"].get<std::int64_t>()) + " 个对象";
  } else if (rule.contains("ratio_percent") && rule["ratio_percent"].is_object()) {
    std::vector<std::string> r;
    std::string rest;
    for (const auto& [label, pct] : rule["ratio_percent"].items()) {
      const std::string v = pct.is_string() ? pct.get<std::string>() : pct.dump();
      if (label == "*")
        rest = v + "%";
      else
        r.push_back(label + (en ? ": " : "：") + v + "%");
    }
    if (!rest.empty()) r.push_back((r.empty() ? "" : (en ? "others: " : "其余：")) + rest);
    rule_text = (en ? "ratio " : "比例 ") + Joined(r, en ? ", " : "，");
    auto bounds = [&](const char* key, const char* zh, const char* enw) {
      if (!rule.contains(key) || !rule[key].is_object()) return;
      std::vector<std::string> b;
      for (const auto& [label, n] : rule[key].items())
        b.push_back((label == "*" ? std::string(en ? "each" : "每层") : label) + " " + n.dump());
      if (!b.empty())
        rule_text += (en ? "; " + std::string(enw) + " " : "；" + std::string(zh)) + Joined(b, en ? ", " : "，");
    };
    bounds("min", "至少 ", "at least");
    bounds("max", "至多 ", "at most");
  }
  if (!strata_text.empty()) rule_text = strata_text + (en ? "; " : "；") + rule_text;
  p.rule = rule_text;
  std::vector<std::string> slots;
  const json team = spec.value("team", json::object());
  if (team.contains("slots") && team["slots"].is_array())
    for (const auto& s : team["slots"])
      if (s.is_object())
        slots.push_back(s.value("group", std::string()) + (en ? " × " : " ") + std::to_string(s.value("count", 0)) +
                        (en ? "" : " 人"));
  if (team.contains("expert") && team["expert"].is_object())
    slots.push_back((en ? "experts " : "专家 ") + team["expert"].value("group", std::string()) + (en ? " × " : " ") +
                    std::to_string(team["expert"].value("count", 0)) + (en ? "" : " 人"));
  p.team = (en ? "officers per subject: " : "每个对象的检查人员：") + Joined(slots, en ? ", " : "、");
  return p;
}

// "A: 3, B: 5" of a stored {label: n} object ("" when empty or unreadable).
std::string Counts(const std::string& stored, const std::string& lang) {
  try {
    const json j = json::parse(stored.empty() ? "{}" : stored);
    if (j.size() == 1 && j.begin().key().empty()) return j.begin()->dump();  // one stratum without a name
    std::vector<std::string> parts;
    for (const auto& [label, n] : j.items())
      parts.push_back((label.empty() ? std::string("—") : label) + (lang == "en" ? ": " : "：") + n.dump());
    return Joined(parts, lang == "en" ? ", " : "，");
  } catch (const std::exception&) {
    return "";
  }
}

// What the page shows of a task, read in one transaction.
struct TaskPageData {
  TaskRecord task;
  std::map<std::string, std::string> item_names, department_names;
  bool show_selection = false;
  std::vector<SelectedSubject> selection;
};

Status TaskPageRoute(HttpContext& http) {
  const std::string& id = http.request().path_params.at("id");
  if (!PlausibleId(id)) return NoTask(Shown(id));
  const Principal& who = http.principal();
  auto read = ReadValue<TaskPageData>(http.platform(), [&](Sql& sql) -> Result<TaskPageData> {
    TaskPageData out;
    auto t = LoadTask(sql, id);
    if (!t.ok()) return t.status().code() == StatusCode::kNotFound ? NoTask(id) : t.status();
    if (t->announced_at_us == 0) return NoTask(id);  // a draft is not public
    out.task = std::move(t).value();
    const TaskRecord& task = out.task;
    auto items = NamesOf(sql, "items", task.items);
    if (!items.ok()) return items.status();
    out.item_names = std::move(items).value();
    auto deps = NamesOf(sql, "departments", DepartmentsOf(task));
    if (!deps.ok()) return deps.status();
    out.department_names = std::move(deps).value();
    // The rule of TaskViewJson: the selection once revealed, or before it to the task's departments.
    out.show_selection = task.drawn_at_us != 0 && task.state != "cancelled" && MaySeeSelection(task, who);
    if (out.show_selection) {
      auto sel = LoadSelection(sql, id);
      if (!sel.ok()) return sel.status();
      out.selection = std::move(sel).value();
    }
    return out;
  });
  if (!read.ok()) return read.status();
  const TaskRecord& t = read->task;
  const std::string lang = http.lang();
  const bool en = lang == "en";
  const Platform& platform = http.platform();
  html::Data data;
  data.set("en", en);
  data.set("lang", lang == "en" ? std::string("en") : std::string("zh"));
  data.set("id", t.id);
  data.set("title", t.title);
  data.set("state_label", StateLabel(lang, t.state));
  data.set("cancelled", t.state == "cancelled");
  data.set("cancelled_at", LocalTime(platform, t.cancelled_at_us));
  data.set("cancel_reason", t.cancel_reason);
  if (!t.replaced_by.empty())
    data.set("replaced_by", t.replaced_by);
  else
    data.set("replaced_by", false);
  if (!t.replaces.empty()) {
    data.set("replaces", t.replaces);
    data.set("replace_reason", t.replace_reason);
  } else {
    data.set("replaces", false);
  }
  html::Data deps{html::Data::type::list};
  const auto dep_codes = DepartmentsOf(t);
  for (std::size_t i = 0; i < dep_codes.size(); ++i) {
    html::Data d;
    auto it = read->department_names.find(dep_codes[i]);
    const std::string name = it == read->department_names.end() || it->second.empty() ? "" : it->second;
    d.set("label", name.empty() ? dep_codes[i] : name + "（" + dep_codes[i] + "）");
    d.set("last", i + 1 == dep_codes.size());
    deps.push_back(d);
  }
  data.set("departments", deps);
  html::Data items{html::Data::type::list};
  for (const auto& code : t.items) {
    html::Data d;
    d.set("code", code);
    auto it = read->item_names.find(code);
    d.set("name", it == read->item_names.end() ? std::string() : it->second);
    items.push_back(d);
  }
  data.set("items", items);
  const PlanText plan = PlanOf(t.spec_json, lang);
  data.set("scope", plan.scope);
  data.set("rule", plan.rule);
  data.set("team", plan.team);
  data.set("has_due_date", !t.due_date.empty());
  data.set("due_date", t.due_date);
  data.set("announced_at", LocalTime(platform, t.announced_at_us));
  data.set("pool_size", std::to_string(t.pool_size));
  const std::string strata = Counts(t.strata_json, lang);
  data.set("has_strata", !strata.empty() && plan.stratified);
  data.set("strata", strata);
  data.set("pool_hash", t.pool_hash);
  data.set("commitment", t.commitment);
  data.set("entropy_source", t.entropy_source);
  data.set("has_entropy_notice", !t.entropy_notice.empty());
  data.set("entropy_notice", NoticeSentence(t.entropy_notice, lang));
  data.set("has_entropy_supplied", !t.entropy_supplied.empty() && t.drawn_at_us == 0);
  data.set("entropy_supplied", t.entropy_supplied);
  data.set("has_entropy_replaced", !t.entropy_replaced.empty());
  data.set("entropy_replaced", t.entropy_replaced);
  data.set("entropy_replace_reason", t.entropy_replace_reason);
  data.set("drawn", t.drawn_at_us != 0);
  data.set("drawn_at", LocalTime(platform, t.drawn_at_us));
  data.set("has_entropy", !t.entropy.empty());
  data.set("entropy", t.entropy);
  const std::string allocation = Counts(t.allocation_json, lang);
  data.set("has_allocation", !allocation.empty());
  data.set("allocation", allocation);
  const bool revealed = t.state == "revealed";
  data.set("revealed", revealed);
  data.set("revealed_at", LocalTime(platform, t.revealed_at_us));
  data.set("secret", revealed ? t.secret_hex : std::string());
  data.set("early", revealed && !t.reveal_reason.empty());
  data.set("early_reason", t.reveal_reason);
  data.set("early_unpublished", std::to_string(t.reveal_unpublished));
  // The selection.
  data.set("show_selection", read->show_selection);
  data.set("internal", read->show_selection && !revealed);
  data.set("selected", std::to_string(read->selection.size()));
  html::Data rows{html::Data::type::list};
  for (const SelectedSubject& s : read->selection) {
    html::Data d;
    d.set("rank", std::to_string(s.rank));
    d.set("uscc", s.uscc);
    d.set("name", s.name.empty() ? s.uscc : s.name);
    std::vector<std::string> team;
    for (const auto& officer : s.team) team.push_back(opendata::MaskPersonalNumbers(officer));
    std::string team_text = Joined(team, en ? ", " : "、");
    if (!team.empty()) team_text += en ? " (lead: " + team.front() + ")" : "（主检：" + team.front() + "）";
    d.set("team", team_text);
    d.set("en", en);
    rows.push_back(d);
  }
  data.set("rows", rows);
  const std::string due_zh = t.due_date.empty() ? "" : "（检查期限 " + t.due_date + "）";
  const std::string due_en = t.due_date.empty() ? "" : " (the inspections are due " + t.due_date + ")";
  std::string pending;
  if (t.state == "cancelled") {
    pending = html::Pick(lang, "任务已撤销，不公开抽取结果。", "The task was cancelled: no selection is published.");
  } else if (t.state == "announced") {
    pending = en ? "Not drawn yet. The drawn subjects and their teams are published after the inspections' results are "
                   "published and the task is revealed" +
                       due_en + "."
                 : "尚未抽取。被抽中的对象及其检查组在检查结果公示、任务揭示后公开" + due_zh + "。";
  } else {
    pending = en ? "Drawn on " + t.draw_date +
                       ". The drawn subjects and their teams stay confidential until the "
                       "inspections' results are published and the task is revealed" +
                       due_en + "."
                 : "已于 " + t.draw_date + " 抽取。被抽中的对象及其检查组在检查结果公示、任务揭示前保密，揭示后公开" +
                       due_zh + "。";
  }
  data.set("pending", pending);
  data.set("proof_pending",
           t.state == "cancelled"
               ? html::Pick(lang, "任务已撤销，不公开抽取证明。", "The task was cancelled: no proof is published.")
               : (en ? "The proof (the secret and every file needed to re-run the draw) is published when the task is "
                       "revealed, after the inspections' results are published" +
                           due_en + ". The commitment above binds the secret now."
                     : "抽取证明（秘密值及复核抽取所需的全部文件）在检查结果公示、任务揭示后公开" + due_zh +
                           "。上面的承诺值现在就锁定了秘密值。"));
  // The proof's files: the public variant's for a risk-stratified task.
  const bool withheld = StrataWithheld(t);
  data.set("withheld", withheld);
  html::Data files{html::Data::type::list};
  for (const char* f :
       {"proof.json", withheld ? "pool-public.tsv" : "pool.tsv", withheld ? "selection-public.tsv" : "selection.tsv",
        "assignment.tsv", "groups.tsv", "conflicts.tsv"}) {
    html::Data d;
    d.set("name", std::string(f));
    d.set("id", t.id);
    files.push_back(d);
  }
  data.set("files", files);
  auto body = html::Render(kTaskPage, data);
  if (!body.ok()) return body.status();
  http.Page(t.title, body.value());
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Sections.

const std::string kHomeSection =
    R"(<section aria-labelledby="draw-tasks"><h2 id="draw-tasks">{{#en}}Latest draw tasks{{/en}}{{^en}}最新抽查任务公告{{/en}}</h2>
{{#has_rows}}<ul class="cards">
{{#rows}})" +
    kNoticeCard + R"({{/rows}}</ul>{{/has_rows}}
{{^has_rows}}<p>{{#en}}No task is announced yet.{{/en}}{{^en}}暂无抽查任务公告。{{/en}}</p>{{/has_rows}}
<p><a href="/tasks">{{#en}}All draw tasks{{/en}}{{^en}}全部抽查任务{{/en}}</a></p></section>)";

Result<std::string> HomeSection(HttpContext& http, const std::string&) {
  NoticeFilter filter;
  filter.limit = 5;
  auto notices = ReadValue<NoticeList>(http.platform(), [&](Sql& sql) { return QueryNotices(sql, filter); });
  if (!notices.ok()) return notices.status();
  const std::string lang = http.lang();
  html::Data data;
  data.set("en", lang == "en");
  html::Data rows{html::Data::type::list};
  for (const NoticeRow& n : notices->rows) {
    html::Data d = NoticeData(http.platform(), lang, n);
    d.set("en", lang == "en");
    rows.push_back(d);
  }
  data.set("rows", rows);
  data.set("has_rows", !notices->rows.empty());
  return html::Render(kHomeSection, data);
}

const std::string kSubjectSection =
    R"(<section aria-labelledby="draw-drawn"><h2 id="draw-drawn">{{#en}}Drawn for random inspections{{/en}}{{^en}}双随机抽查记录{{/en}}</h2>
<ul>{{#rows}}<li><a href="/tasks/{{id}}">{{title}}</a> <code>{{id}}</code> · {{department_name}} · {{#en}}drawn{{/en}}{{^en}}抽取{{/en}} {{draw_date}}</li>
{{/rows}}</ul>
<p><small>{{#en}}Only tasks that are revealed are listed: a selection stays confidential until the inspections' results are published.{{/en}}{{^en}}仅列出已揭示的任务：抽取结果在检查结果公示前保密。{{/en}}</small></p></section>)";

// The revealed tasks that drew subject `uscc` (public: after the reveal only).
Result<std::string> SubjectSection(HttpContext& http, const std::string& uscc) {
  struct Row {
    std::string id, title, department_name, draw_date;
  };
  auto rows = ReadValue<std::vector<Row>>(http.platform(), [&](Sql& sql) -> Result<std::vector<Row>> {
    std::vector<Row> out;
    Status st = sql.Query(
        "SELECT t.id, t.title, COALESCE(d.name, t.department), COALESCE(t.draw_date, '') FROM draw_selection s "
        "JOIN draw_tasks t ON t.id = s.task_id LEFT JOIN departments d ON d.code = t.department "
        "WHERE s.uscc = ? AND t.state = 'revealed' ORDER BY t.revealed_at_us DESC, t.id LIMIT 100",
        {uscc}, [&](const SqlRow& r) {
          out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3)});
          return true;
        });
    if (!st.ok()) return st;
    return out;
  });
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::string();
  const bool en = http.lang() == "en";
  html::Data data;
  data.set("en", en);
  html::Data list{html::Data::type::list};
  for (const Row& r : rows.value()) {
    html::Data d;
    d.set("id", r.id);
    d.set("title", r.title);
    d.set("department_name", r.department_name);
    d.set("draw_date", r.draw_date);
    d.set("en", en);
    list.push_back(d);
  }
  data.set("rows", list);
  return html::Render(kSubjectSection, data);
}

// ---------------------------------------------------------------------------------------------
// Open data.

Status BadParameter(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

// The parameters a route knows, each at most once.
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

opendata::Table NoticeTable(const Platform& platform, const std::vector<NoticeRow>& rows) {
  opendata::Table t;
  t.columns = {{"id", "任务编号", "id"},
               {"title", "任务名称", "title"},
               {"department", "实施部门代码", "department"},
               {"department_name", "实施部门", "department_name"},
               {"state", "状态", "state"},
               {"items", "抽查事项", "items"},
               {"announced_at", "公告时间", "announced_at"},
               {"draw_date", "抽取日期", "draw_date"},
               {"due_date", "检查期限", "due_date"},
               {"pool_size", "检查对象数", "pool_size"},
               {"pool_hash", "对象名录哈希值", "pool_hash"},
               {"commitment", "承诺值", "commitment"},
               {"entropy_source", "公开随机源", "entropy_source"},
               {"entropy", "抽取所用随机数", "entropy"},
               {"revealed_at", "揭示时间", "revealed_at"},
               {"page", "公告页面", "page"}};
  for (const NoticeRow& n : rows)
    t.rows.push_back({n.id, n.title, n.department, n.department_name, n.state, Joined(n.items, ";"),
                      LocalTime(platform, n.announced_at_us), n.draw_date, n.due_date, std::to_string(n.pool_size),
                      n.pool_hash, n.commitment, n.entropy_source, n.entropy, LocalTime(platform, n.revealed_at_us),
                      "/tasks/" + n.id});
  return t;
}

enum class Format { kCsv, kJsonLines, kXlsx };
constexpr std::int64_t kDownloadRows = 10000;

opendata::DownloadFormat ToDownload(Format f) {
  return f == Format::kCsv         ? opendata::DownloadFormat::kCsv
         : f == Format::kJsonLines ? opendata::DownloadFormat::kJsonLines
                                   : opendata::DownloadFormat::kXlsx;
}

Status DownloadRoute(HttpContext& http, Format format) {
  const HttpRequest& req = http.request();
  std::set<std::string> names{"state", "department", "limit", "offset"};
  if (format == Format::kCsv) names.insert("encoding");
  if (Status st = CheckParameters(req, names); !st.ok()) return st;
  auto page = ReadPage(req, kDownloadRows, kDownloadRows);
  if (!page.ok()) return page.status();
  NoticeFilter filter;
  if (Status st = ReadNoticeFilter(req, &filter); !st.ok()) return st;
  filter.limit = page->limit;
  filter.offset = page->offset;
  const std::string encoding = req.Query("encoding", "utf-8");
  if (encoding != "utf-8" && encoding != "gb18030")
    return BadParameter("参数 encoding 须为 utf-8 或 gb18030", "encoding must be utf-8 or gb18030");
  auto notices = ReadValue<NoticeList>(http.platform(), [&](Sql& sql) { return QueryNotices(sql, filter); });
  if (!notices.ok()) return notices.status();
  const opendata::Table table = NoticeTable(http.platform(), notices->rows);
  HttpResponse& res = http.response();
  opendata::DownloadOptions dl;
  dl.basename = "tasks";
  dl.gb18030 = encoding == "gb18030";
  dl.xlsx.sheet_name = "tasks";
  dl.xlsx.title = "抽查任务公告 / draw task notices";
  dl.xlsx.created_us = notices->last_changed_us;
  if (Status st = opendata::WriteDownload(http.platform(), table, ToDownload(format), dl, &res); !st.ok()) return st;
  if (filter.offset + filter.limit < notices->total) {
    std::string next = req.path + "?offset=" + std::to_string(filter.offset + filter.limit);
    if (!filter.state.empty()) next += "&state=" + UrlEncode(filter.state);
    if (!filter.department.empty()) next += "&department=" + UrlEncode(filter.department);
    if (req.query.count("limit")) next += "&limit=" + std::to_string(filter.limit);
    if (format == Format::kCsv && encoding != "utf-8") next += "&encoding=" + encoding;
    res.headers.emplace_back("Link", "<" + next + ">; rel=\"next\"");
  }
  opendata::AnswerConditional(req, notices->last_changed_us, &res);
  return Status::Ok();
}

Status FeedRoute(HttpContext& http) {
  const HttpRequest& req = http.request();
  if (Status st = CheckParameters(req, {"state", "department", "limit"}); !st.ok()) return st;
  auto page = ReadPage(req, 50, 100);
  if (!page.ok()) return page.status();
  NoticeFilter filter;
  if (Status st = ReadNoticeFilter(req, &filter); !st.ok()) return st;
  filter.limit = page->limit;
  auto notices = ReadValue<NoticeList>(http.platform(), [&](Sql& sql) { return QueryNotices(sql, filter); });
  if (!notices.ok()) return notices.status();
  std::string query;
  if (!filter.state.empty()) query += "?state=" + UrlEncode(filter.state);
  if (!filter.department.empty())
    query += (query.empty() ? "?" : "&") + std::string("department=") + UrlEncode(filter.department);
  opendata::AtomFeed feed;
  feed.id = opendata::StableId("xinjian:feed:tasks", query);
  feed.title = "抽查任务公告 / draw task notices";
  if (!filter.state.empty()) feed.subtitle = "状态 / state " + filter.state;
  if (!filter.department.empty())
    feed.subtitle += (feed.subtitle.empty() ? "" : "; ") + std::string("实施部门 / department ") + filter.department;
  feed.self_link = "/feeds/tasks.atom" + query;
  feed.alternate_link = "/tasks" + query;
  feed.author = "信监 XinJian";
  feed.updated_us = notices->last_changed_us;
  const Platform& platform = http.platform();
  for (const NoticeRow& n : notices->rows) {
    opendata::AtomEntry e;
    e.id = opendata::StableId("xinjian:task-notice", n.id);
    e.title = n.title + "（" + n.id + "）";
    const std::string dep = n.department_name.empty() ? n.department : n.department_name;
    e.summary = dep + "；" + StateLabel("zh", n.state) + "；检查对象 " + std::to_string(n.pool_size) + " 个；公告 " +
                n.announce_date + (n.draw_date.empty() ? "" : "；抽取 " + n.draw_date) +
                (n.revealed_at_us ? "；揭示 " + LocalTime(platform, n.revealed_at_us) : "") + "\n" + n.department +
                "; " + StateLabel("en", n.state) + "; pool of " + std::to_string(n.pool_size) +
                " subjects; announced " + n.announce_date + (n.draw_date.empty() ? "" : "; drawn " + n.draw_date);
    e.link = "/tasks/" + n.id;
    e.updated_us = n.updated_at_us;
    e.published_us = n.announced_at_us;
    e.categories.push_back(n.department);
    e.categories.push_back(n.state);
    feed.entries.push_back(std::move(e));
  }
  HttpResponse& res = http.response();
  res.body = opendata::WriteAtom(feed);
  res.content_type = opendata::kAtomType;
  opendata::AnswerConditional(req, notices->last_changed_us, &res);
  return Status::Ok();
}

}  // namespace

Status RegisterPages(Registrar& reg) {
  struct R {
    const char* pattern;
    const char* help;
    RouteFn fn;
  };
  const R routes[] = {
      {"/tasks", "抽查任务公告（页面）/ the draw task notices page", ListPageRoute},
      {"/tasks/{id}", "一个抽查任务的公告页面 / one task's notice page", TaskPageRoute},
      {"/api/v1/tasks.csv", "抽查任务公告下载（CSV，UTF-8 或 GB18030）/ the task notices as CSV (UTF-8 or GB18030)",
       [](HttpContext& http) { return DownloadRoute(http, Format::kCsv); }},
      {"/api/v1/tasks.jsonl", "抽查任务公告下载（JSON Lines）/ the task notices as JSON Lines",
       [](HttpContext& http) { return DownloadRoute(http, Format::kJsonLines); }},
      {"/api/v1/tasks.xlsx", "抽查任务公告下载（Excel）/ the task notices as an Excel workbook",
       [](HttpContext& http) { return DownloadRoute(http, Format::kXlsx); }},
      {"/feeds/tasks.atom", "新公告的抽查任务（Atom 订阅）/ new task notices (Atom feed)", FeedRoute},
  };
  for (const R& r : routes)
    if (Status st = reg.AddRoute(RouteSpec{HttpMethod::kGet, r.pattern, RouteAccess::kPublic, {}, r.help}, r.fn);
        !st.ok())
      return st;
  if (Status st = reg.AddNavLink(NavLink{"/tasks", "抽查任务", "Draw tasks", RouteAccess::kPublic, {}, 40}); !st.ok())
    return st;
  if (Status st = reg.AddSection(SectionSpec{"home", 20}, HomeSection); !st.ok()) return st;
  return reg.AddSection(SectionSpec{"subject", 20}, SubjectSection);
}

}  // namespace xj::draw
