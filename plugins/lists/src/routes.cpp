// The lists on the site and in the API (docs/lists.md):
//   GET /api/v1/lists                    the list types with their rules and counts in force
//   GET /api/v1/lists/{code}             a list's listings (?state=in_force|ended, paged)
//   GET /api/v1/listings/{id}            one listing (public fields; everything for its department)
//   GET /lists, /lists/{code}            the same as pages
//   GET /feeds/lists.atom                an Atom feed of listings and removals (?list=)
//   section "subject"                    a subject's listings on its public page
// The public sees public lists only: listings in force, and ended ones within the list's
// publicity after the end; never a natural person (those rows are left out), never a proposal.
#include <xinjian/html.h>
#include <xinjian/http.h>
#include <xinjian/opendata.h>
#include <xinjian/url.h>

#include <nlohmann/json.hpp>

#include "lists.h"
#include "remedies.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// GCC 12 reports copies of SqlValue (a std::variant) out of long initializer lists as maybe
// uninitialized: a false positive (GCC bug 105562 and kin).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::lists {
namespace {

using nlohmann::json;
using html::Escape;

// The public's rows of list `code` (a policy that is public), in force or ended within its
// publicity window, most recent first. `state`: "in_force" or "ended".
// Not withdrawn from disclosure by an objection's decision.
constexpr const char* kDisclosed =
    "NOT EXISTS (SELECT 1 FROM lists_objections o WHERE o.listing_id = lists_listings.id AND o.outcome = 'stop_disclosure')";

struct PublicQuery {
  std::string where;
  SqlParams params;
};

Result<PublicQuery> PublicWhere(const ListPolicy& p, const std::string& state, CivilDate today) {
  PublicQuery q;
  q.where = std::string(" WHERE list = ? AND subject_type <> 'natural_person' AND ") + kDisclosed;
  q.params.push_back(p.code);
  if (state == "in_force" || state.empty()) {
    q.where += " AND state = 'in_force'";
  } else if (state == "ended") {
    q.where += " AND state = 'ended' AND ended_on >= ?";
    q.params.push_back(AddMonths(today, -p.ended_public_months).ToString());
    if (p.ended_public_months == 0) q.where += " AND 1 = 0";
  } else {
    return Status::Error(StatusCode::kInvalidArgument, "参数 state 须为 in_force 或 ended", "state must be in_force or ended");
  }
  return q;
}

// The public's listings in force per list code.
Result<std::map<std::string, std::int64_t>> PublicCounts(Platform& platform) {
  std::map<std::string, std::int64_t> counts;
  Status st = platform.Read([&](Sql& sql) {
    return sql.Query(
        std::string("SELECT list, COUNT(*) FROM lists_listings WHERE state = 'in_force' AND subject_type <> 'natural_person' AND ") +
            kDisclosed + " GROUP BY list",
        {}, [&](const SqlRow& r) {
          counts[r.Text(0)] = r.Int(1);
          return true;
        });
  });
  if (!st.ok()) return st;
  return counts;
}

bool SeesAll(const Principal& who) {
  return who.authenticated && (who.ActsForAllDepartments() || who.HasRole(kRoleAuditor));
}

std::string KindZh(ListKind k) {
  switch (k) {
    case ListKind::kRed: return "红名单";
    case ListKind::kBlack: return "黑名单";
    case ListKind::kAbnormal: return "异常名录";
  }
  return "";
}

Result<std::vector<Listing>> Rows(Platform& platform, const std::string& where, const SqlParams& params, const Page& page,
                                  std::int64_t* total) {
  std::vector<Listing> rows;
  Status st = platform.Read([&](Sql& sql) -> Status {
    auto n = sql.QueryInt("SELECT COUNT(*) FROM lists_listings" + where, params);
    if (!n.ok()) return n.status();
    *total = n.value();
    SqlParams p = params;
    p.push_back(page.limit);
    p.push_back(page.offset);
    return sql.Query(std::string("SELECT ") + kListingColumns + " FROM lists_listings" + where +
                         " ORDER BY starts_on DESC, id DESC LIMIT ? OFFSET ?",
                     p, [&](const SqlRow& r) {
                       rows.push_back(ListingOfRow(r));
                       return true;
                     });
  });
  if (!st.ok()) return st;
  return rows;
}

std::string ListingRowHtml(const Listing& l, const ListPolicy* p, const std::string& lang) {
  const bool en = lang == "en";
  std::string ground = l.ground;
  if (p != nullptr)
    for (const auto& g : p->grounds)
      if (g.code == l.ground) ground = en ? g.en : g.zh;
  std::string status = en ? StateName(l.state) : StateZh(l.state);
  if (l.disputed) status += en ? " (disputed)" : "（异议处理中）";
  return "<tr><td>" + Escape(l.subject_name) + "</td><td><code>" + Escape(l.uscc) + "</code></td><td>" + Escape(ground) +
         "</td><td>" + Escape(l.decision_no) + "</td><td>" + Escape(l.starts_on) + "</td><td>" +
         Escape(l.state == State::kEnded ? l.ended_on : l.expires_on) + "</td><td>" + Escape(status) + "</td></tr>";
}

}  // namespace

Status RegisterRoutes(Registrar& reg, const RemedyConfig& remedy_config, credit::RecordsService* records) {
  {
    RouteSpec s{HttpMethod::kGet, "/api/v1/lists", RouteAccess::kPublic, {}, "名单类型 / the list types"};
    Status st = reg.AddRoute(s, [](HttpContext& http) -> Status {
      Platform& p = http.platform();
      auto in_force = PublicCounts(p);
      if (!in_force.ok()) return in_force.status();
      std::map<std::string, std::int64_t>& counts = in_force.value();
      json out = json::array();
      for (const std::string& code : p.ListPolicyNames()) {
        const ListPolicy* x = p.FindListPolicy(code);
        if (x == nullptr || (!x->is_public && !SeesAll(http.principal()))) continue;
        json g = json::array();
        for (const auto& ground : x->grounds)
          g.push_back({{"code", ground.code}, {"zh", ground.zh}, {"en", ground.en}, {"legal_basis", ground.legal_basis}});
        out.push_back({{"code", x->code},
                       {"name", {{"zh", x->name_zh}, {"en", x->name_en}}},
                       {"kind", ListKindName(x->kind)},
                       {"grounds", g},
                       {"legal_basis", x->legal_basis},
                       {"authority", {{"zh", x->authority_zh}, {"en", x->authority_en}}},
                       {"min_months", x->min_months},
                       {"max_months", x->max_months},
                       {"exits", x->exits},
                       {"move_to", x->move_to},
                       {"in_force", counts.count(code) ? counts[code] : 0}});
      }
      http.response().body = json{{"lists", out}}.dump();
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  auto list_rows = [](HttpContext& http, const ListPolicy** policy_out, std::vector<Listing>* rows, std::int64_t* total,
                      std::int64_t page_fallback = 50, std::int64_t page_max = 500) -> Status {
    Platform& p = http.platform();
    const std::string code = http.request().path_params.at("code");
    const ListPolicy* policy = p.FindListPolicy(code);
    if (policy == nullptr || (!policy->is_public && !SeesAll(http.principal())))
      return Status::Error(StatusCode::kNotFound, "没有名单 “" + code.substr(0, 60) + "”", "no list '" + code.substr(0, 60) + "'");
    *policy_out = policy;
    auto page = ReadPage(http.request(), page_fallback, page_max);
    if (!page.ok()) return page.status();
    auto today = Today(p);
    if (!today.ok()) return today.status();
    auto q = PublicWhere(*policy, http.request().Query("state", "in_force"), today.value());
    if (!q.ok()) return q.status();
    auto r = Rows(p, q.value().where, q.value().params, page.value(), total);
    if (!r.ok()) return r.status();
    *rows = std::move(r).value();
    return Status::Ok();
  };
  {
    RouteSpec s{HttpMethod::kGet, "/api/v1/lists/{code}", RouteAccess::kPublic, {}, "名单公示 / a list's listings"};
    Status st = reg.AddRoute(s, [list_rows](HttpContext& http) -> Status {
      const ListPolicy* policy = nullptr;
      std::vector<Listing> rows;
      std::int64_t total = 0;
      if (Status st = list_rows(http, &policy, &rows, &total); !st.ok()) return st;
      json items = json::array();
      for (const Listing& l : rows) items.push_back(json::parse(ListingJson(l, policy, false)));
      http.response().body = json{{"list", policy->code}, {"total", total}, {"items", items}}.dump();
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // Open data: a list's public listings (the same rows and fields as /api/v1/lists/{code}) as
  // CSV (UTF-8 with a BOM, or GB18030), JSON Lines or Excel, 10,000 a page with a Link to the
  // next.
  {
    struct Download {
      const char* suffix;
      opendata::DownloadFormat format;
      const char* help;
    };
    const Download downloads[] = {
        {".csv", opendata::DownloadFormat::kCsv, "名单公示下载（CSV，UTF-8 或 GB18030） / a list as CSV (UTF-8 or GB18030)"},
        {".jsonl", opendata::DownloadFormat::kJsonLines, "名单公示下载（JSON Lines） / a list as JSON Lines"},
        {".xlsx", opendata::DownloadFormat::kXlsx, "名单公示下载（Excel） / a list as an Excel workbook"}};
    for (const Download& d : downloads) {
      RouteSpec s{HttpMethod::kGet, std::string("/api/v1/lists/{code}/listings") + d.suffix, RouteAccess::kPublic, {},
                  d.help};
      const opendata::DownloadFormat format = d.format;
      Status st = reg.AddRoute(s, [list_rows, format](HttpContext& http) -> Status {
        const HttpRequest& req = http.request();
        for (const auto& [name, value] : req.query)
          if (name != "state" && name != "limit" && name != "offset" &&
              !(name == "encoding" && format == opendata::DownloadFormat::kCsv))
            return Status::Error(StatusCode::kInvalidArgument, "未知参数 " + name.substr(0, 40),
                                 "unknown parameter " + name.substr(0, 40));
        const std::string encoding = req.Query("encoding", "utf-8");
        if (encoding != "utf-8" && encoding != "gb18030")
          return Status::Error(StatusCode::kInvalidArgument, "参数 encoding 须为 utf-8 或 gb18030",
                               "encoding must be utf-8 or gb18030");
        const ListPolicy* policy = nullptr;
        std::vector<Listing> rows;
        std::int64_t total = 0;
        if (Status st = list_rows(http, &policy, &rows, &total, 10000, 10000); !st.ok()) return st;
        opendata::Table t;
        t.columns = {{"id", "编号", "id"},
                     {"list", "名单", "list"},
                     {"subject_name", "名称", "name"},
                     {"uscc", "统一社会信用代码", "USCC"},
                     {"reason", "列入事由", "reason"},
                     {"legal_basis", "依据", "legal basis"},
                     {"authority", "作出决定机关", "authority"},
                     {"decision_no", "决定书文号", "decision number"},
                     {"starts_on", "列入日期", "starts on"},
                     {"expires_on", "届满日期", "expires on"},
                     {"state", "状态", "state"},
                     {"disputed", "异议中", "disputed"},
                     {"ended_on", "移出日期", "ended on"},
                     {"end_reason", "移出原因", "end reason"}};
        // No instant of change is kept per listing: the strong ETag of the body validates copies,
        // and a workbook's properties carry no time (the same rows give the same bytes).
        const std::int64_t last_us = 0;
        for (const Listing& l : rows) {
          const json j = json::parse(ListingJson(l, policy, false));
          auto text = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
          t.rows.push_back({text("id"), policy->name_zh, text("subject_name"), text("uscc"), text("reason"),
                            policy->legal_basis, policy->authority_zh, text("decision_no"), text("starts_on"),
                            text("expires_on"), text("state"), l.disputed ? "是/yes" : "", text("ended_on"),
                            text("end_reason")});
        }
        HttpResponse& res = http.response();
        opendata::DownloadOptions dl;
        dl.basename = "list-" + policy->code;
        dl.gb18030 = encoding == "gb18030";
        dl.xlsx.sheet_name = policy->code.substr(0, 31);
        dl.xlsx.title = policy->name_zh + " / " + policy->name_en;
        dl.xlsx.created_us = last_us;
        if (Status st = opendata::WriteDownload(http.platform(), t, format, dl, &res); !st.ok()) return st;
        auto page = ReadPage(req, 10000, 10000);
        if (page.ok() && page->offset + page->limit < total) {
          std::string next = req.path + "?offset=" + std::to_string(page->offset + page->limit);
          if (req.query.count("state")) next += "&state=" + UrlEncode(req.Query("state"));
          if (req.query.count("limit")) next += "&limit=" + std::to_string(page->limit);
          if (encoding != "utf-8") next += "&encoding=" + encoding;
          res.headers.emplace_back("Link", "<" + next + ">; rel=\"next\"");
        }
        opendata::AnswerConditional(req, last_us, &res);
        return Status::Ok();
      });
      if (!st.ok()) return st;
    }
  }
  {
    RouteSpec s{HttpMethod::kGet, "/api/v1/listings/{id}", RouteAccess::kPublic, {}, "名单记录 / a listing"};
    Status st = reg.AddRoute(s, [](HttpContext& http) -> Status {
      Platform& p = http.platform();
      const std::string id = http.request().path_params.at("id");
      std::optional<Listing> l;
      std::vector<Listings::Transition> history;
      bool stopped = false;
      Status st = p.Read([&](Sql& sql) -> Status {
        auto r = Listings::Load(sql, id);
        if (!r.ok()) return r.status();
        l = r.value();
        if (l) {
          auto h = Listings::History(sql, id);
          if (!h.ok()) return h.status();
          history = h.value();
          auto hidden = sql.QueryInt(
              "SELECT COUNT(*) FROM lists_objections WHERE listing_id = ? AND outcome = 'stop_disclosure'", {id});
          if (!hidden.ok()) return hidden.status();
          stopped = hidden.value() > 0;
        }
        return Status::Ok();
      });
      if (!st.ok()) return st;
      auto not_found = Status::Error(StatusCode::kNotFound, "没有名单记录 " + id.substr(0, 40), "no listing " + id.substr(0, 40));
      if (!l) return not_found;
      const ListPolicy* policy = p.FindListPolicy(l->list);
      const Principal& who = http.principal();
      const bool full = who.authenticated && (who.ActsFor(l->department) || who.HasRole(kRoleAuditor));
      if (!full) {
        auto today = Today(p);
        if (!today.ok()) return today.status();
        const bool visible =
            policy != nullptr && policy->is_public && l->subject_type != "natural_person" && !stopped &&
            (l->state == State::kInForce ||
             (l->state == State::kEnded && policy->ended_public_months > 0 &&
              l->ended_on >= AddMonths(today.value(), -policy->ended_public_months).ToString()));
        if (!visible) return not_found;
      }
      json j = json::parse(ListingJson(*l, policy, full));
      if (full) {
        j["history"] = json::array();
        for (const auto& t : history)
          j["history"].push_back({{"on", t.on}, {"actor", t.actor}, {"action", t.action}, {"from", t.from}, {"to", t.to}, {"note", t.note}});
      }
      http.response().body = j.dump();
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    RouteSpec s{HttpMethod::kGet, "/lists", RouteAccess::kPublic, {}, "名单公示 / the lists"};
    Status st = reg.AddRoute(s, [](HttpContext& http) -> Status {
      Platform& p = http.platform();
      const std::string lang = http.lang();
      const bool en = lang == "en";
      auto in_force = PublicCounts(p);
      if (!in_force.ok()) return in_force.status();
      std::map<std::string, std::int64_t>& counts = in_force.value();
      std::string body = std::string("<h1>") + (en ? "Red and black lists" : "信用名单公示") + "</h1><table><thead><tr><th>" +
                         (en ? "list" : "名单") + "</th><th>" + (en ? "kind" : "性质") + "</th><th>" +
                         (en ? "legal basis" : "依据") + "</th><th>" + (en ? "in force" : "列入中") + "</th></tr></thead><tbody>";
      for (const std::string& code : p.ListPolicyNames()) {
        const ListPolicy* x = p.FindListPolicy(code);
        if (x == nullptr || !x->is_public) continue;
        body += "<tr><td><a href=\"/lists/" + Escape(code) + "\">" + Escape(en ? x->name_en : x->name_zh) + "</a></td><td>" +
                Escape(en ? ListKindName(x->kind) : KindZh(x->kind)) + "</td><td>" + Escape(x->legal_basis) + "</td><td>" +
                std::to_string(counts.count(code) ? counts[code] : 0) + "</td></tr>";
      }
      body += "</tbody></table><p><a href=\"/feeds/lists.atom\">Atom</a></p>";
      http.Page(en ? "Lists" : "信用名单", body);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    RouteSpec s{HttpMethod::kGet, "/feeds/lists.atom", RouteAccess::kPublic, {}, "名单列入与移出（Atom 订阅） / listings and removals (Atom feed)"};
    Status st = reg.AddRoute(s, [](HttpContext& http) -> Status {
      Platform& p = http.platform();
      auto page = ReadPage(http.request(), 50, 100);
      if (!page.ok()) return page.status();
      const std::string only = http.request().Query("list");
      struct Entry {
        Listing l;
        std::int64_t at_us;
        std::string action;
      };
      std::vector<Entry> entries;
      std::string cols;
      {
        const std::string all = kListingColumns;
        std::size_t start = 0;
        while (start < all.size()) {
          std::size_t end = all.find(", ", start);
          if (end == std::string::npos) end = all.size();
          cols += (cols.empty() ? "l." : ", l.") + all.substr(start, end - start);
          start = end + 2;
        }
      }
      SqlParams params;
      std::string where =
          " WHERE t.action IN ('in_force', 'ended') AND l.subject_type <> 'natural_person' AND NOT EXISTS (SELECT 1 FROM "
          "lists_objections o WHERE o.listing_id = l.id AND o.outcome = 'stop_disclosure')";
      if (!only.empty()) {
        where += " AND l.list = ?";
        params.push_back(only);
      }
      params.push_back(page.value().limit);
      Status st = p.Read([&](Sql& sql) {
        return sql.Query("SELECT t.at_us, t.action, " + cols +
                             " FROM lists_transitions t JOIN lists_listings l ON l.id = t.listing_id" + where +
                             " ORDER BY t.at_us DESC, t.listing_id DESC LIMIT ?",
                         params, [&](const SqlRow& r) {
                           // The listing's columns start at 2.
                           struct Shifted final : SqlRow {
                             const SqlRow& r;
                             explicit Shifted(const SqlRow& row) : r(row) {}
                             int size() const override { return r.size() - 2; }
                             bool IsNull(int c) const override { return r.IsNull(c + 2); }
                             std::string_view View(int c) const override { return r.View(c + 2); }
                           } shifted(r);
                           entries.push_back({ListingOfRow(shifted), r.Int(0), r.Text(1)});
                           return true;
                         });
      });
      if (!st.ok()) return st;
      opendata::AtomFeed feed;
      feed.id = opendata::StableId("lists", "feed:" + only);
      feed.title = "信用名单列入与移出 / listings and removals";
      feed.self_link = "/feeds/lists.atom" + (only.empty() ? std::string() : "?list=" + only);
      feed.alternate_link = "/lists";
      feed.author = "XinJian";
      for (const Entry& e : entries) {
        const ListPolicy* policy = p.FindListPolicy(e.l.list);
        if (policy == nullptr || !policy->is_public) continue;
        const bool in = e.action == "in_force";
        opendata::AtomEntry a;
        a.id = opendata::StableId("lists", e.l.id + ":" + e.action);
        a.title = std::string(in ? "列入" : "移出") + policy->name_zh + "：" + e.l.subject_name + " / " +
                  (in ? "listed on the " : "removed from the ") + policy->name_en;
        a.summary = e.l.uscc + " " + (in ? e.l.decision_no + " " + e.l.starts_on : e.l.end_reason + " " + e.l.ended_on);
        a.link = "/api/v1/listings/" + e.l.id;
        a.updated_us = e.at_us;
        a.categories = {e.l.list, e.action};
        feed.entries.push_back(std::move(a));
      }
      feed.updated_us = feed.entries.empty() ? 0 : feed.entries.front().updated_us;
      http.response().content_type = opendata::kAtomType;
      http.response().body = opendata::WriteAtom(feed);
      opendata::AnswerConditional(http.request(), feed.updated_us, &http.response());
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    RouteSpec s{HttpMethod::kGet, "/lists/{code}", RouteAccess::kPublic, {}, "名单公示 / a list"};
    Status st = reg.AddRoute(s, [list_rows](HttpContext& http) -> Status {
      const ListPolicy* policy = nullptr;
      std::vector<Listing> rows;
      std::int64_t total = 0;
      if (Status st = list_rows(http, &policy, &rows, &total); !st.ok()) return st;
      const std::string lang = http.lang();
      const bool en = lang == "en";
      std::string body = "<h1>" + Escape(en ? policy->name_en : policy->name_zh) + "</h1><p>" + Escape(policy->legal_basis) +
                         " · " + Escape(en ? policy->authority_en : policy->authority_zh) + "</p><table><thead><tr><th>" +
                         (en ? "name" : "名称") + "</th><th>" + (en ? "USCC" : "统一社会信用代码") + "</th><th>" +
                         (en ? "ground" : "列入事由") + "</th><th>" + (en ? "decision" : "决定书文号") + "</th><th>" +
                         (en ? "from" : "列入日期") + "</th><th>" + (en ? "until" : "截止日期") + "</th><th>" +
                         (en ? "status" : "状态") + "</th></tr></thead><tbody>";
      for (const Listing& l : rows) body += ListingRowHtml(l, policy, lang);
      if (rows.empty()) body += std::string("<tr><td colspan=\"7\">") + (en ? "none" : "无") + "</td></tr>";
      body += "</tbody></table><p>" + std::to_string(rows.size()) + " / " + std::to_string(total) + "</p>";
      http.Page(en ? policy->name_en : policy->name_zh, body);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // Objections from anyone: to a listing in force of a public list, or to a credit record in
  // publicity (the subject's, named in the body as "record": "KIND/REF").
  auto object = [remedy_config, records](HttpContext& http, bool record) -> Status {
    const json body = json::parse(http.request().body, nullptr, false);
    if (!body.is_object())
      return Status::Error(StatusCode::kInvalidArgument,
                           record ? "请求体须为 JSON 对象 {record, objector, contact, grounds}"
                                  : "请求体须为 JSON 对象 {objector, contact, grounds}",
                           record ? "the body must be a JSON object {record, objector, contact, grounds}"
                                  : "the body must be a JSON object {objector, contact, grounds}");
    auto text = [&](const char* k) { return body.contains(k) && body[k].is_string() ? body[k].get<std::string>() : std::string(); };
    Platform& p = http.platform();
    auto today = Today(p);
    if (!today.ok()) return today.status();
    std::string target = http.request().path_params.count("id") ? http.request().path_params.at("id") : std::string();
    if (record) {
      const std::string id = text("record");
      const std::string& uscc = http.request().path_params.at("uscc");
      if (id.empty() || id.size() > 400)
        return Status::Error(StatusCode::kInvalidArgument, "须给出信用记录 record（种类/编号）", "give the credit record: record (KIND/REF)");
      target = "record:" + id;
      // The record is the subject's: anything else is "not found", like a record not public.
      auto t = ParseRemedyTarget(target);
      if (!t.ok()) return t.status();
      auto found = ReadValue<bool>(p, [&](Sql& sql) -> Result<bool> {
        if (records == nullptr) return false;
        auto r = records->Find(sql, t.value().record_kind, t.value().record_ref, today.value().ToString());
        if (!r.ok()) return r.status();
        return r.value().has_value() && r.value()->record.uscc == uscc && r.value()->public_now;
      });
      if (!found.ok()) return found.status();
      if (!found.value())
        return Status::Error(StatusCode::kNotFound, "该主体没有公示中的信用记录 " + id.substr(0, 200),
                             "the subject has no published credit record " + id.substr(0, 200));
    }
    Remedies remedies(p, remedy_config, records);
    Principal who = http.principal();
    if (!who.authenticated) who = Principal::System("public:objection");
    auto o = TransactValue<Objection>(p, who, [&](UnitOfWork& uow) {
      return remedies.Object(uow, target, text("objector"), text("contact"), text("grounds"), today.value());
    });
    if (!o.ok()) return o.status();
    http.response().status = 201;
    http.response().body = ObjectionJson(o.value(), false, today.value());
    return Status::Ok();
  };
  {
    RouteSpec s{HttpMethod::kPost, "/api/v1/listings/{id}/objections", RouteAccess::kPublic, {},
                "对公示的名单记录提出异议 / object to a published listing"};
    Status st = reg.AddRoute(s, [object](HttpContext& http) { return object(http, false); });
    if (!st.ok()) return st;
  }
  {
    RouteSpec s{HttpMethod::kPost, "/api/v1/subjects/{uscc}/credit/objections", RouteAccess::kPublic, {},
                "对主体公示中的信用记录提出异议 / object to a subject's published credit record"};
    Status st = reg.AddRoute(s, [object](HttpContext& http) { return object(http, true); });
    if (!st.ok()) return st;
  }
  SectionSpec section{"subject", 40};
  return reg.AddSection(section, [](HttpContext& http, const std::string& uscc) -> Result<std::string> {
    Platform& p = http.platform();
    std::vector<Listing> rows;
    Status st = p.Read([&](Sql& sql) {
      return sql.Query(std::string("SELECT ") + kListingColumns +
                           " FROM lists_listings WHERE uscc = ? AND state = 'in_force' AND subject_type <> 'natural_person' AND " +
                           kDisclosed + " ORDER BY starts_on DESC",
                       {uscc}, [&](const SqlRow& r) {
                         rows.push_back(ListingOfRow(r));
                         return true;
                       });
    });
    if (!st.ok()) return st;
    const bool en = http.lang() == "en";
    std::string out;
    for (const Listing& l : rows) {
      const ListPolicy* policy = p.FindListPolicy(l.list);
      if (policy == nullptr || !policy->is_public) continue;
      out += ListingRowHtml(l, policy, http.lang());
    }
    if (out.empty()) return std::string();
    return std::string("<section><h2>") + (en ? "Lists" : "信用名单") + "</h2><table><tbody>" + out + "</tbody></table></section>";
  });
}

}  // namespace xj::lists
