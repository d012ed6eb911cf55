// The credit plugin's web parts (docs/credit.md, "Public and API"):
//   GET /api/v1/subjects/{uscc}/credit   the grade, the model version and the breakdown: to the
//       public only records within their publicity period (with basis and authority); to a
//       supervisor of the subject's jurisdiction (or an admin, an auditor) every record.
//   the "subject" section of the subject's page: the same, as HTML.
// A risk class is never part of either.
#include <xinjian/html.h>
#include <xinjian/http.h>

#include <nlohmann/json.hpp>

#include "credit.h"
#include "engine.h"

namespace xj::credit {
namespace {

using nlohmann::json;

// True when the caller sees the full breakdown of a subject in `region`.
Result<bool> SeesEverything(Sql& sql, const Principal& p, const std::string& region) {
  if (!p.authenticated) return false;
  if (p.HasRole(kRoleAdmin) || p.HasRole(kRoleAuditor)) return true;
  if (!p.HasRole(kRoleSupervisor) || p.department.empty()) return false;
  auto dept = FindDepartment(sql, p.department);
  if (!dept.ok()) return dept.status();
  if (!dept.value()) return false;
  return JurisdictionHolds(*dept.value(), region);
}

struct CreditView {
  bool found = false;
  bool full = false;
  std::optional<StoredScore> score;
  std::vector<CreditRecord> records;  // what the caller may see
  std::string name;
};

Result<CreditView> LoadView(Credit* credit, HttpContext& http, const std::string& uscc) {
  const std::string today = credit->On(http.platform()).TodayOf(http.platform().NowMicros());
  return ReadValue<CreditView>(http.platform(), [&](Sql& sql) -> Result<CreditView> {
    CreditView v;
    std::string region;
    Status st = sql.Query("SELECT name, region FROM subjects WHERE uscc = ?", {uscc}, [&](const SqlRow& r) {
      v.found = true;
      v.name = r.Text(0);
      region = r.Text(1);
      return false;
    });
    if (!st.ok()) return st;
    if (!v.found) return v;
    auto full = SeesEverything(sql, http.principal(), region);
    if (!full.ok()) return full.status();
    v.full = full.value();
    auto score = credit->On(http.platform()).Stored(sql, uscc);
    if (!score.ok()) return score.status();
    v.score = score.value();
    auto recs = LoadRecordsOf(sql, uscc);
    if (!recs.ok()) return recs.status();
    for (auto& r : recs.value())
      if (v.full || r.PublicOn(today)) v.records.push_back(std::move(r));
    return v;
  });
}

json RecordJson(const Kinds& kinds, const CreditRecord& r, bool full, const std::string& today) {
  auto kind = kinds.Find(r.kind);
  json j = {{"id", r.Id()},
            {"kind", r.kind},
            {"kind_zh", kind ? kind->zh : r.kind},
            {"kind_en", kind ? kind->en : r.kind},
            {"category", r.category},
            {"severity", r.severity},
            {"occurred_on", r.occurred_on},
            {"public_until", r.public_until},
            {"authority", r.authority},
            {"basis", r.basis},
            {"title", r.title},
            {"disputed", r.disputed}};
  if (kind) {
    auto c = kind->categories.find(r.category);
    if (c != kind->categories.end()) {
      j["category_zh"] = c->second.zh;
      j["category_en"] = c->second.en;
    }
  }
  if (r.kind == "penalty") j["fine_yuan"] = r.value;
  if (full) {
    j["public"] = r.PublicOn(today);
    j["withdrawn_on"] = r.withdrawn_on;
    j["publicity_ended_on"] = r.publicity_ended_on;
    j["publicity_end_reason"] = r.publicity_end_reason;
    j["source"] = r.source;
  }
  return j;
}

// The breakdown as the caller may see it: every line's points, only visible records named.
json VisibleBreakdown(const json& breakdown, const std::set<std::string>& visible, bool full) {
  json out = breakdown;
  if (full) return out;
  json lines = json::array();
  for (json l : breakdown.value("lines", json::array())) {
    if (l.contains("records")) {
      json ids = json::array(), pts = json::array();
      const json rp = l.value("record_points", json::array());
      std::size_t hidden = 0;
      for (std::size_t i = 0; i < l["records"].size(); ++i) {
        const std::string id = l["records"][i].get<std::string>();
        if (visible.count(id)) {
          ids.push_back(id);
          if (i < rp.size()) pts.push_back(rp[i]);
        } else {
          ++hidden;
        }
      }
      l["records"] = ids;
      if (l.contains("record_points")) l["record_points"] = pts;
      if (hidden) l["records_not_public"] = hidden;
      l.erase("note");  // counts over records the public does not see
    }
    lines.push_back(std::move(l));
  }
  out["lines"] = std::move(lines);
  return out;
}

}  // namespace

Status RegisterRoutes(Registrar& reg, Credit* credit) {
  RouteSpec spec{HttpMethod::kGet, "/api/v1/subjects/{uscc}/credit", RouteAccess::kPublic, {},
                 "主体的公共信用评价及其公开的明细 / a subject's credit evaluation with its public breakdown"};
  auto st = reg.AddRoute(spec, [credit](HttpContext& http) -> Status {
    const std::string& uscc = http.request().path_params.at("uscc");
    if (uscc.size() != 18)
      return Status::Error(StatusCode::kInvalidArgument, "统一社会信用代码须为 18 个字符", "a USCC has 18 characters");
    auto v = LoadView(credit, http, uscc);
    if (!v.ok()) return v.status();
    if (!v->found) return Status::Error(StatusCode::kNotFound, "没有该主体", "no such subject");
    const std::string today = credit->On(http.platform()).TodayOf(http.platform().NowMicros());
    json recs = json::array();
    std::set<std::string> visible;
    for (const auto& r : v->records) {
      recs.push_back(RecordJson(*credit->kinds, r, v->full, today));
      visible.insert(r.Id());
    }
    json body = {{"uscc", uscc}, {"name", v->name}, {"scope", v->full ? "full" : "public"}, {"records", recs}};
    if (v->score) {
      const StoredScore& s = *v->score;
      body["score"] = {{"points", s.points},
                       {"points_text", FormatPoints(s.points)},
                       {"grade", s.grade},
                       {"grade_zh", s.breakdown.value("grade_zh", std::string())},
                       {"grade_en", s.breakdown.value("grade_en", std::string())},
                       {"model", s.model},
                       {"model_version", s.model_version},
                       {"as_of", s.as_of},
                       {"breakdown", VisibleBreakdown(s.breakdown, visible, v->full)}};
    } else {
      body["score"] = nullptr;
    }
    http.response().body = body.dump();
    return Status::Ok();
  });
  if (!st.ok()) return st;

  SectionSpec section{"subject", 40};
  return reg.AddSection(section, [credit](HttpContext& http, const std::string& uscc) -> Result<std::string> {
    auto v = LoadView(credit, http, uscc);
    if (!v.ok()) return v.status();
    if (!v->found) return std::string();
    const bool en = http.lang() == "en";
    std::string h = "<section class=\"credit\"><h2>" + std::string(en ? "Credit evaluation" : "公共信用评价") + "</h2>";
    if (!v->score) {
      h += "<p>" + std::string(en ? "Not scored yet." : "尚未评价。") + "</p>";
    } else {
      const StoredScore& s = *v->score;
      h += "<p class=\"grade\"><strong>" + html::Escape(s.breakdown.value(en ? "grade_en" : "grade_zh", s.grade)) +
           "</strong> " + html::Escape(FormatPoints(s.points)) + (en ? " points" : " 分") + " · " +
           html::Escape(s.model + " " + s.model_version) + " · " + (en ? "as of " : "截至 ") + html::Escape(s.as_of) +
           "</p>";
      std::set<std::string> visible;
      for (const auto& r : v->records) visible.insert(r.Id());
      const json b = VisibleBreakdown(s.breakdown, visible, v->full);
      h += "<table><thead><tr><th>" + std::string(en ? "Item" : "项目") + "</th><th>" + (en ? "Points" : "分值") +
           "</th></tr></thead><tbody><tr><td>" + (en ? "Base" : "基础分") + "</td><td>" +
           html::Escape(FormatPoints(b.value("base", std::int64_t{0}))) + "</td></tr>";
      for (const json& l : b.value("lines", json::array()))
        h += "<tr><td>" + html::Escape(l.value(en ? "en" : "zh", std::string())) + "</td><td>" +
             html::Escape(FormatPoints(l.value("points", std::int64_t{0}))) + "</td></tr>";
      h += "</tbody></table>";
    }
    if (!v->records.empty()) {
      h += "<h3>" + std::string(en ? "Records in publicity" : "公示中的信用记录") + "</h3><ul>";
      for (const auto& r : v->records) {
        auto kind = credit->kinds->Find(r.kind);
        h += "<li>" + html::Escape(kind ? (en ? kind->en : kind->zh) : r.kind) + " · " + html::Escape(r.occurred_on) +
             " · " + html::Escape(r.ref) + (r.authority.empty() ? "" : " · " + html::Escape(r.authority)) +
             (r.basis.empty() ? "" : " · " + html::Escape(r.basis)) +
             (r.disputed ? std::string(" · <strong class=\"disputed\">") + (en ? "disputed" : "异议处理中") + "</strong>" : "") +
             "</li>";
      }
      h += "</ul>";
    }
    return h + "</section>";
  });
}

}  // namespace xj::credit
