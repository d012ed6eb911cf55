// The public directory on the web (xinjian/http.h), served by `xinjian serve --listen`:
//
//   GET /api/v1/subjects/{uscc}  one subject's public facts (search_index.h: PublicSubject);
//                                400 for a malformed code, 404 for one the directory lacks
//   GET /api/v1/subjects?q=      search: a name substring (2–50 characters) or a USCC prefix
//                                (2–18 characters, the first a digit); ?limit= (1–100,
//                                default 20), ?offset=; at most kSearchCap matches
//   GET /api/v1/items            the item list (抽查事项清单), public fields; ?department=, paging
//   GET /subjects                the search form and its results (a GET form: bookmarkable)
//   GET /subjects/{uscc}         the subject page: its public facts, then the sections other
//                                plugins register for page "subject"
//   GET /items                   the item list as a page
//
// Everything here is public and read-only. What is never served: a subject's risk class,
// industry and labels (internal), anything of the inspectors; for an individual business,
// whose operator is a natural person, nothing beyond the fields every subject shows (the
// registered name, code, type, region, registration date, status and address, which the
// enterprise credit publicity rules publish). docs/web.md says so for readers.
#include <nlohmann/json.hpp>

#include "plugin_parts.h"
#include "search_index.h"
#include "search_text.h"
#include "xinjian/directory.h"
#include "xinjian/html.h"
#include "xinjian/http.h"
#include "xinjian/text.h"

namespace xj::directory {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json SubjectJson(const PublicSubject& s) {
  return json{{"uscc", s.uscc},
              {"name", s.name},
              {"type", s.type},
              {"region", s.region},
              {"registered_on", s.registered_on},
              {"status", s.status},
              {"address", s.address ? json(*s.address) : json(nullptr)}};
}

const std::string& TypeLabel(const std::string& lang, const std::string& type) {
  static const std::string kEnterprise[] = {"企业", "enterprise"};
  static const std::string kIndividual[] = {"个体工商户", "individual business"};
  static const std::string kIntermediary[] = {"中介机构", "intermediary"};
  static const std::string kSocial[] = {"社会组织", "social organisation"};
  static const std::string kPublic[] = {"事业单位", "public institution"};
  const std::string* pair = type == "individual"           ? kIndividual
                            : type == "intermediary"       ? kIntermediary
                            : type == "social_org"         ? kSocial
                            : type == "public_institution" ? kPublic
                                                           : kEnterprise;
  return html::Pick(lang, pair[0], pair[1]);
}

const std::string& StatusLabel(const std::string& lang, const std::string& status) {
  static const std::string kActive[] = {"存续", "active"};
  static const std::string kSuspended[] = {"停业", "suspended"};
  static const std::string kRevoked[] = {"吊销", "revoked"};
  static const std::string kDeregistered[] = {"注销", "deregistered"};
  const std::string* pair = status == "suspended"      ? kSuspended
                            : status == "revoked"      ? kRevoked
                            : status == "deregistered" ? kDeregistered
                                                       : kActive;
  return html::Pick(lang, pair[0], pair[1]);
}

html::Data SubjectData(const std::string& lang, const PublicSubject& s) {
  html::Data d;
  d.set("uscc", s.uscc);
  d.set("name", s.name);
  d.set("type_label", TypeLabel(lang, s.type));
  d.set("status_label", StatusLabel(lang, s.status));
  d.set("region", s.region);
  d.set("registered_on", s.registered_on);
  d.set("address", s.address.value_or(""));
  d.set("has_address", s.address.has_value() && !s.address->empty());
  return d;
}

// ---- GET /api/v1/subjects/{uscc}

Status SubjectRoute(HttpContext& http) {
  const std::string& uscc = http.request().path_params.at("uscc");
  if (Status st = CheckUscc(uscc); !st.ok()) return st;
  // One statement: a read without a transaction's round trips (Platform::ReadSingle).
  auto found =
      ReadSingleValue<std::optional<PublicSubject>>(http.platform(), [&](Sql& sql) { return FindPublicSubject(sql, uscc); });
  if (!found.ok()) return found.status();
  if (!found.value()) return NoSubject(uscc);
  http.response().body = Dump(SubjectJson(*found.value()));
  return Status::Ok();
}

// ---- GET /api/v1/subjects?q=

Result<SearchResult> RunSearch(HttpContext& http, const SearchQuery& q, const Page& page) {
  return ReadValue<SearchResult>(http.platform(), [&](Sql& sql) { return Search(sql, q, page.limit, page.offset); });
}

Status SearchRoute(HttpContext& http) {
  const HttpRequest& req = http.request();
  auto page = ReadPage(req, 20, 100);
  if (!page.ok()) return page.status();
  auto q = ParseQuery(req.Query("q"));
  if (!q.ok()) return q.status();
  auto result = RunSearch(http, q.value(), page.value());
  if (!result.ok()) return result.status();
  json items = json::array();
  for (const auto& s : result->items) items.push_back(SubjectJson(s));
  json out{{"query", q->text},
           {"mode", q->kind == QueryKind::kUsccPrefix ? "uscc_prefix" : "name"},
           {"items", items},
           {"total", result->total},
           {"capped", result->capped},
           {"limit", page->limit},
           {"offset", page->offset},
           {"index_complete", result->index_complete}};
  http.response().body = Dump(out);
  return Status::Ok();
}

// ---- GET /api/v1/items

struct ItemPage {
  std::vector<ItemRow> items;
  std::vector<std::string> department_names;
  std::int64_t total = 0;
};

// A percentage from parts per million: 30000 -> "3", 125000 -> "12.5".
std::string Percent(std::int64_t ppm) {
  std::string s = std::to_string(ppm / 10000);
  std::int64_t f = ppm % 10000;
  if (f == 0) return s;
  std::string frac = std::to_string(f);
  frac.insert(0, 4 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return s + "." + frac;
}

Result<ItemPage> LoadItems(HttpContext& http, const std::string& department, const Page& page) {
  return ReadValue<ItemPage>(http.platform(), [&](Sql& sql) -> Result<ItemPage> {
    ItemPage out;
    std::string where;
    SqlParams params;
    if (!department.empty()) {
      if (auto d = FindDepartment(sql, department); !d.ok()) {
        return d.status();
      } else if (!d.value()) {
        return Status::Error(StatusCode::kNotFound, "没有部门 " + department, "no department " + department);
      }
      where = " WHERE i.department = ?";
      params.emplace_back(department);
    }
    auto n = sql.QueryInt("SELECT COUNT(*) FROM items i" + where, params);
    if (!n.ok()) return n.status();
    out.total = n.value();
    params.emplace_back(page.limit);
    params.emplace_back(page.offset);
    Status st = sql.Query(
        "SELECT i.code, i.name, i.department, i.legal_basis, i.class, COALESCE(i.ratio_min_ppm, -1), "
        "COALESCE(i.ratio_max_ppm, -1), i.frequency_per_year, i.target_types, i.target_labels, COALESCE(d.name, '') "
        "FROM items i LEFT JOIN departments d ON d.code = i.department" +
            where + " ORDER BY i.code LIMIT ? OFFSET ?",
        params, [&](const SqlRow& r) {
          ItemRow it;
          it.code = r.Text(0);
          it.name = r.Text(1);
          it.department = r.Text(2);
          it.legal_basis = r.Text(3);
          it.item_class = r.Text(4);
          it.ratio_min_ppm = r.Int(5);
          it.ratio_max_ppm = r.Int(6);
          it.frequency_per_year = r.Int(7);
          for (std::string_view v : SplitStoredList(r.View(8))) it.target_types.emplace_back(v);
          for (std::string_view v : SplitStoredList(r.View(9))) it.target_labels.emplace_back(v);
          out.items.push_back(std::move(it));
          out.department_names.push_back(r.Text(10));
          return true;
        });
    if (!st.ok()) return st;
    return out;
  });
}

Status CheckDepartmentParam(const std::string& department) {
  if (department.size() > 64 || utf8::HasControlChar(department))
    return Status::Error(StatusCode::kInvalidArgument, "参数 department 无效", "department is not valid");
  return Status::Ok();
}

json ItemJson(const ItemRow& it, const std::string& department_name) {
  return json{{"code", it.code},
              {"name", it.name},
              {"department", it.department},
              {"department_name", department_name},
              {"legal_basis", it.legal_basis},
              {"class", it.item_class},
              {"ratio_min", it.ratio_min_ppm < 0 ? json(nullptr) : json(Percent(it.ratio_min_ppm))},
              {"ratio_max", it.ratio_max_ppm < 0 ? json(nullptr) : json(Percent(it.ratio_max_ppm))},
              {"frequency_per_year", it.frequency_per_year},
              {"target_types", it.target_types},
              {"target_labels", it.target_labels}};
}

Status ItemsRoute(HttpContext& http) {
  const HttpRequest& req = http.request();
  auto page = ReadPage(req, 50, 500);
  if (!page.ok()) return page.status();
  const std::string department = req.Query("department");
  if (Status st = CheckDepartmentParam(department); !st.ok()) return st;
  auto items = LoadItems(http, department, page.value());
  if (!items.ok()) return items.status();
  json list = json::array();
  for (std::size_t i = 0; i < items->items.size(); ++i) list.push_back(ItemJson(items->items[i], items->department_names[i]));
  http.response().body =
      Dump(json{{"items", list}, {"total", items->total}, {"limit", page->limit}, {"offset", page->offset}});
  return Status::Ok();
}

// ---- Pages

const std::string kSearchForm = R"(<form method="get" action="/subjects" role="search" class="stack">
<label for="q">{{#en}}Name, or the first characters of the unified social credit code{{/en}}{{^en}}名称，或统一社会信用代码（可只输入前几位）{{/en}}</label>
<input id="q" name="q" type="search" value="{{q}}" maxlength="50" autocomplete="off" spellcheck="false"{{#error}} aria-invalid="true" aria-describedby="q-error"{{/error}}>
{{#error}}<p id="q-error" class="error">{{error}}</p>{{/error}}
<button type="submit">{{#en}}Search{{/en}}{{^en}}查询{{/en}}</button>
</form>)";

const std::string kSearchPage = R"(<h1>{{#en}}Look up a subject{{/en}}{{^en}}查询企业{{/en}}</h1>
<p class="lead">{{#en}}Enterprises, individual businesses and other subjects of the inspection directory: search by a part of the name (2 characters or more) or by the unified social credit code.{{/en}}{{^en}}检查对象名录中的企业、个体工商户等市场主体：可按名称中的任意连续 2 个字以上查询，或按统一社会信用代码查询。{{/en}}</p>
)" + kSearchForm + R"(
{{#searched}}
<h2 id="results">{{#en}}Results{{/en}}{{^en}}查询结果{{/en}}</h2>
<p role="status">{{summary}}</p>
{{^index_complete}}<p class="lead">{{#en}}The search index is still being built: some subjects may be missing from the results.{{/en}}{{^en}}名称检索索引正在建立，部分主体可能暂未列出。{{/en}}</p>{{/index_complete}}
{{#has_items}}
<ul class="cards">
{{#items}}<li><a href="/subjects/{{uscc}}"><strong>{{name}}</strong></a><br>
<code>{{uscc}}</code> · {{type_label}} · {{status_label}}<br>
<small>{{#en}}Region{{/en}}{{^en}}地区{{/en}} {{region}} · {{#en}}registered{{/en}}{{^en}}成立{{/en}} {{registered_on}}</small></li>
{{/items}}
</ul>
{{/has_items}}
{{#paged}}<nav aria-label="{{#en}}Result pages{{/en}}{{^en}}结果分页{{/en}}"><p>
{{#prev}}<a href="{{prev_href}}" rel="prev">{{#en}}Previous page{{/en}}{{^en}}上一页{{/en}}</a>{{/prev}}
{{page_label}}
{{#next}}<a href="{{next_href}}" rel="next">{{#en}}Next page{{/en}}{{^en}}下一页{{/en}}</a>{{/next}}
</p></nav>{{/paged}}
{{/searched}})";

std::string PageHref(const std::string& q, std::int64_t offset) {
  return "/subjects?q=" + UrlEncode(q) + (offset > 0 ? "&offset=" + std::to_string(offset) : std::string()) + "#results";
}

Status SearchPageRoute(HttpContext& http) {
  const HttpRequest& req = http.request();
  const std::string lang = http.lang();
  const bool en = lang == "en";
  html::Data data;
  data.set("en", en);
  const std::string raw = req.Query("q");
  data.set("q", raw.size() <= kMaxQueryBytes && utf8::IsValid(raw) ? raw : std::string());
  data.set("searched", false);
  const auto fail = [&](const Status& st) -> Status {
    http.response().status = 400;
    data.set("error", LocalMessage(st.message(), lang));
    return Status::Ok();
  };
  const std::string title = html::Pick(lang, "查询企业", "Look up a subject");
  const auto render = [&]() -> Status {
    auto body = html::Render(kSearchPage, data);
    if (!body.ok()) return body.status();
    http.Page(title, body.value());
    return Status::Ok();
  };
  if (req.query.find("q") == req.query.end()) return render();  // the empty form
  constexpr std::int64_t kPerPage = 20;
  auto page = ReadPage(req, kPerPage, kPerPage);
  if (!page.ok()) {
    if (Status st = fail(page.status()); !st.ok()) return st;
    return render();
  }
  auto q = ParseQuery(raw);
  if (!q.ok()) {
    if (Status st = fail(q.status()); !st.ok()) return st;
    return render();
  }
  auto result = RunSearch(http, q.value(), page.value());
  if (!result.ok()) {
    if (result.status().code() != StatusCode::kInvalidArgument) return result.status();
    if (Status st = fail(result.status()); !st.ok()) return st;
    return render();
  }
  data.set("searched", true);
  data.set("index_complete", result->index_complete || q->kind == QueryKind::kUsccPrefix);
  html::Data items{html::Data::type::list};
  for (const auto& s : result->items) items.push_back(SubjectData(lang, s));
  data.set("items", items);
  data.set("has_items", !result->items.empty());
  const std::string total = std::to_string(result->total);
  std::string summary;
  if (result->total == 0) {
    summary = en ? "No subject matches “" + q->text + "”." : "没有与“" + q->text + "”相符的主体。";
  } else if (result->capped) {
    summary = en ? "More than " + total + " subjects match “" + q->text + "”: " + total +
                       " of them are listed. Type more of the name to narrow the search."
                 : "与“" + q->text + "”相符的主体超过 " + total + " 个，以下列出其中 " + total + " 个；请输入更完整的名称以缩小范围。";
  } else {
    summary = en ? total + (result->total == 1 ? " subject matches “" : " subjects match “") + q->text + "”."
                 : "与“" + q->text + "”相符的主体共 " + total + " 个。";
  }
  data.set("summary", summary);
  const std::int64_t off = page->offset;
  const bool prev = off > 0, next = off + kPerPage < result->total;
  data.set("paged", prev || next);
  data.set("prev", prev);
  data.set("next", next);
  data.set("prev_href", PageHref(q->text, std::max<std::int64_t>(0, off - kPerPage)));
  data.set("next_href", PageHref(q->text, off + kPerPage));
  const std::int64_t pages = (result->total + kPerPage - 1) / kPerPage;
  data.set("page_label", en ? "page " + std::to_string(off / kPerPage + 1) + " of " + std::to_string(pages)
                            : "第 " + std::to_string(off / kPerPage + 1) + " / " + std::to_string(pages) + " 页");
  return render();
}

const std::string kSubjectPage = R"(<h1>{{name}}</h1>
<dl class="facts">
<dt>{{#en}}Unified social credit code{{/en}}{{^en}}统一社会信用代码{{/en}}</dt><dd><code>{{uscc}}</code></dd>
<dt>{{#en}}Type{{/en}}{{^en}}类型{{/en}}</dt><dd>{{type_label}}</dd>
<dt>{{#en}}Status{{/en}}{{^en}}登记状态{{/en}}</dt><dd>{{status_label}}</dd>
<dt>{{#en}}Registered on{{/en}}{{^en}}成立日期{{/en}}</dt><dd>{{registered_on}}</dd>
<dt>{{#en}}Region (GB/T 2260 code){{/en}}{{^en}}所在地区（行政区划代码）{{/en}}</dt><dd>{{region}}</dd>
<dt>{{#en}}Address{{/en}}{{^en}}住所（经营场所）{{/en}}</dt><dd>{{#has_address}}{{address}}{{/has_address}}{{^has_address}}{{#en}}not published{{/en}}{{^en}}未公示{{/en}}{{/has_address}}</dd>
</dl>
{{{sections}}}
<p class="lead">{{#en}}Public information from the inspection directory (检查对象名录库).{{/en}}{{^en}}以上为检查对象名录库中的公示信息。{{/en}} <a href="/subjects">{{#en}}Look up another subject{{/en}}{{^en}}查询其他企业{{/en}}</a></p>)";

Status SubjectPageRoute(HttpContext& http) {
  const std::string& uscc = http.request().path_params.at("uscc");
  if (Status st = CheckUscc(uscc); !st.ok()) return st;
  // One statement: a read without a transaction's round trips (Platform::ReadSingle).
  auto found =
      ReadSingleValue<std::optional<PublicSubject>>(http.platform(), [&](Sql& sql) { return FindPublicSubject(sql, uscc); });
  if (!found.ok()) return found.status();
  if (!found.value()) return NoSubject(uscc);
  const std::string lang = http.lang();
  html::Data data = SubjectData(lang, *found.value());
  data.set("en", lang == "en");
  // Other plugins' sections read the database themselves: outside this plugin's read.
  data.set("sections", http.Sections("subject", uscc));
  auto body = html::Render(kSubjectPage, data);
  if (!body.ok()) return body.status();
  http.Page(found.value()->name, body.value());
  return Status::Ok();
}

const std::string kItemsPage = R"(<h1>{{#en}}Random inspection items{{/en}}{{^en}}随机抽查事项清单{{/en}}</h1>
<p class="lead">{{#en}}What the departments may inspect, each with its legal basis (一单). {{total}} items.{{/en}}{{^en}}各部门可以开展随机抽查的事项及其法律依据（一单），共 {{total}} 项。{{/en}}</p>
{{#has_items}}<ul class="cards">
{{#items}}<li><h2>{{name}}</h2>
<dl class="facts">
<dt>{{#en}}Code{{/en}}{{^en}}事项编码{{/en}}</dt><dd><code>{{code}}</code></dd>
<dt>{{#en}}Department{{/en}}{{^en}}实施部门{{/en}}</dt><dd>{{department_name}}（{{department}}）</dd>
<dt>{{#en}}Class{{/en}}{{^en}}事项类别{{/en}}</dt><dd>{{class_label}}</dd>
<dt>{{#en}}Ratio{{/en}}{{^en}}抽查比例{{/en}}</dt><dd>{{ratio}}</dd>
<dt>{{#en}}Times a year{{/en}}{{^en}}抽查频次（次/年）{{/en}}</dt><dd>{{frequency}}</dd>
{{#has_targets}}<dt>{{#en}}Subjects{{/en}}{{^en}}检查对象{{/en}}</dt><dd>{{targets}}</dd>{{/has_targets}}
<dt>{{#en}}Legal basis{{/en}}{{^en}}法律依据{{/en}}</dt><dd>{{legal_basis}}</dd>
</dl></li>
{{/items}}</ul>{{/has_items}}
{{^has_items}}<p>{{#en}}No item is listed yet.{{/en}}{{^en}}暂无抽查事项。{{/en}}</p>{{/has_items}}
{{#paged}}<nav aria-label="{{#en}}Pages{{/en}}{{^en}}分页{{/en}}"><p>
{{#prev}}<a href="{{prev_href}}" rel="prev">{{#en}}Previous page{{/en}}{{^en}}上一页{{/en}}</a>{{/prev}}
{{#next}}<a href="{{next_href}}" rel="next">{{#en}}Next page{{/en}}{{^en}}下一页{{/en}}</a>{{/next}}
</p></nav>{{/paged}})";

Status ItemsPageRoute(HttpContext& http) {
  const HttpRequest& req = http.request();
  auto page = ReadPage(req, 50, 500);
  if (!page.ok()) return page.status();
  const std::string department = req.Query("department");
  if (Status st = CheckDepartmentParam(department); !st.ok()) return st;
  auto items = LoadItems(http, department, page.value());
  if (!items.ok()) return items.status();
  const std::string lang = http.lang();
  const bool en = lang == "en";
  html::Data data;
  data.set("en", en);
  data.set("total", std::to_string(items->total));
  html::Data list{html::Data::type::list};
  for (std::size_t i = 0; i < items->items.size(); ++i) {
    const ItemRow& it = items->items[i];
    html::Data d;
    d.set("code", it.code);
    d.set("name", it.name);
    d.set("department", it.department);
    d.set("department_name", items->department_names[i].empty() ? it.department : items->department_names[i]);
    d.set("class_label", it.item_class == "key" ? html::Pick(lang, "重点", "key") : html::Pick(lang, "一般", "general"));
    const std::string lo = it.ratio_min_ppm < 0 ? "" : Percent(it.ratio_min_ppm) + "%";
    const std::string hi = it.ratio_max_ppm < 0 ? "" : Percent(it.ratio_max_ppm) + "%";
    std::string ratio = lo.empty() && hi.empty() ? html::Pick(lang, "不限", "not set")
                        : hi.empty()             ? html::Pick(lang, "不低于 ", "at least ") + lo
                        : lo.empty()             ? html::Pick(lang, "不高于 ", "at most ") + hi
                                                 : lo + " – " + hi;
    d.set("ratio", ratio);
    d.set("frequency", std::to_string(it.frequency_per_year));
    std::string targets;
    for (const auto& t : it.target_types) targets += (targets.empty() ? "" : "、") + TypeLabel(lang, t);
    for (const auto& t : it.target_labels) targets += (targets.empty() ? "" : "、") + t;
    d.set("targets", targets);
    d.set("has_targets", !targets.empty());
    d.set("legal_basis", it.legal_basis);
    list.push_back(d);
  }
  data.set("items", list);
  data.set("has_items", !items->items.empty());
  const std::int64_t off = page->offset, lim = page->limit;
  const bool prev = off > 0, next = off + lim < items->total;
  const std::string dep = department.empty() ? "" : "&department=" + UrlEncode(department);
  data.set("paged", prev || next);
  data.set("prev", prev);
  data.set("next", next);
  data.set("prev_href", "/items?offset=" + std::to_string(std::max<std::int64_t>(0, off - lim)) + "&limit=" +
                            std::to_string(lim) + dep);
  data.set("next_href", "/items?offset=" + std::to_string(off + lim) + "&limit=" + std::to_string(lim) + dep);
  auto body = html::Render(kItemsPage, data);
  if (!body.ok()) return body.status();
  http.Page(html::Pick(lang, "抽查事项清单", "Inspection items"), body.value());
  return Status::Ok();
}

// The home page's search box.
Result<std::string> HomeSection(HttpContext& http, const std::string&) {
  html::Data data;
  data.set("en", http.lang() == "en");
  data.set("q", std::string());
  return html::Render(R"(<section aria-labelledby="directory-search"><h2 id="directory-search">{{#en}}Look up a subject{{/en}}{{^en}}查询企业{{/en}}</h2>
)" + kSearchForm + "</section>",
                      data);
}

}  // namespace

Status NoSubject(const std::string& uscc) {
  return Status::Error(StatusCode::kNotFound, "检查对象名录中没有统一社会信用代码为 " + uscc + " 的主体",
                       "the directory has no subject with the unified social credit code " + uscc);
}

std::string LocalMessage(const std::string& message, const std::string& lang) {
  const auto at = message.find(" / ");
  if (at == std::string::npos) return message;
  return lang == "en" ? message.substr(at + 3) : message.substr(0, at);
}

Status RegisterRoutes(Registrar& reg) {
  struct R {
    const char* pattern;
    const char* help;
    RouteFn fn;
  };
  const R routes[] = {
      {"/api/v1/subjects/{uscc}", "一个检查对象的公示信息 / one subject's public facts", SubjectRoute},
      {"/api/v1/subjects", "按名称或统一社会信用代码查询 / search subjects by name or code", SearchRoute},
      {"/api/v1/items", "抽查事项清单 / the inspection item list", ItemsRoute},
      {"/subjects", "查询企业（页面）/ the subject search page", SearchPageRoute},
      {"/subjects/{uscc}", "主体页面 / a subject's page", SubjectPageRoute},
      {"/items", "抽查事项清单（页面）/ the item list page", ItemsPageRoute},
  };
  for (const R& r : routes)
    if (Status st = reg.AddRoute(RouteSpec{HttpMethod::kGet, r.pattern, RouteAccess::kPublic, {}, r.help}, r.fn); !st.ok())
      return st;
  if (Status st = reg.AddNavLink(NavLink{"/subjects", "查询企业", "Subjects", RouteAccess::kPublic, {}, 20}); !st.ok())
    return st;
  if (Status st = reg.AddNavLink(NavLink{"/items", "抽查事项", "Items", RouteAccess::kPublic, {}, 30}); !st.ok())
    return st;
  return reg.AddSection(SectionSpec{"home", 10}, HomeSection);
}

}  // namespace xj::directory
