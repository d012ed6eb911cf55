// The punishment plugin's step of `xinjian demo` (docs/punishment.md, "Demo"): a measures
// catalogue and two memoranda for the demo's departments, the cases of the listings the lists
// step put in force (the lists' events reach this plugin before its step runs), responses and
// feedback from several departments, and an API key for the credit check; the report prints
// `curl` commands of the check for a listed and an unlisted subject. Idempotent: the catalogue
// and the memoranda are upserted, cases are opened once per listing, a response is given once,
// the key is made once and kept in the demo's folder.
#include <xinjian/demo.h>
#include <xinjian/digest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "punishment.h"

namespace xj::punishment {
namespace {

using nlohmann::json;

constexpr const char* kKeyName = "demo-bidding";

class PunishmentDemo final : public DemoStep {
 public:
  Status Load(DemoContext& ctx) override {
    Platform& platform = ctx.platform();
    auto today = Today(platform);
    if (!today.ok()) return today.status();
    std::set<std::string> departments;
    Status st = platform.Read([&](Sql& sql) {
      return sql.Query("SELECT code FROM departments", {}, [&](const SqlRow& r) {
        departments.insert(r.Text(0));
        return true;
      });
    });
    if (!st.ok()) return st;
    // The demo's departments (xinjian demo: SCJG, ZJ, STHJ, WJW, YJGL); a measure whose
    // department is missing is left out.
    const std::string lead = departments.count("SCJG") ? "SCJG" : (departments.empty() ? "" : *departments.begin());
    if (lead.empty()) return Status::Ok();
    auto dept = [&](const char* code) { return departments.count(code) ? std::string(code) : lead; };
    const json measures = json::array({
        {{"code", "demo_more_inspections"}, {"name_zh", "列为重点监管对象，提高抽查比例"}, {"name_en", "key supervision target, more inspections"},
         {"kind", "punishment"}, {"department", lead}, {"legal_basis", "《企业信息公示暂行条例》第十八条"},
         {"lists", {"serious_illegal", "abnormal_operations"}}, {"actions", {"inspection_frequency"}}, {"effect", "restrict"},
         {"published_on", "2025-01-01"}},
        {{"code", "demo_deny_bidding"}, {"name_zh", "禁止参加工程建设项目招标投标"}, {"name_en", "barred from construction bidding"},
         {"kind", "punishment"}, {"department", dept("ZJ")}, {"legal_basis", "《中华人民共和国招标投标法实施条例》"},
         {"lists", {"serious_illegal", "dishonest_judgment_debtors", "intermediary_ban", "intermediary_black"}},
         {"actions", {"bidding"}}, {"effect", "deny"}, {"published_on", "2025-01-01"}},
        {{"code", "demo_restrict_bidding"}, {"name_zh", "招标投标中予以审慎核查"}, {"name_en", "bids checked with extra care"},
         {"kind", "punishment"}, {"department", dept("ZJ")}, {"legal_basis", "《企业信息公示暂行条例》第十八条"},
         {"lists", {"abnormal_operations"}}, {"actions", {"bidding"}}, {"effect", "restrict"}, {"published_on", "2025-01-01"}},
        {{"code", "demo_deny_subsidies"}, {"name_zh", "不予安排财政补助资金"}, {"name_en", "no public subsidies"},
         {"kind", "punishment"}, {"department", dept("STHJ")}, {"legal_basis", "国发〔2016〕33号"},
         {"lists", {"serious_illegal", "dishonest_judgment_debtors"}}, {"actions", {"subsidies"}}, {"effect", "deny"},
         {"published_on", "2025-01-01"}},
        {{"code", "demo_deny_honours"}, {"name_zh", "不得参加评先评优"}, {"name_en", "no honours"}, {"kind", "punishment"},
         {"department", dept("WJW")}, {"legal_basis", "国发〔2016〕33号"}, {"lists", {"serious_illegal"}},
         {"actions", {"honours"}}, {"effect", "deny"}, {"published_on", "2025-01-01"}},
        {{"code", "demo_restrict_qualifications"}, {"name_zh", "资质许可从严审查"}, {"name_en", "qualifications examined strictly"},
         {"kind", "punishment"}, {"department", dept("YJGL")}, {"legal_basis", "国发〔2016〕33号"},
         {"lists", {"serious_illegal", "abnormal_operations"}}, {"actions", {"qualifications"}}, {"effect", "restrict"},
         {"published_on", "2025-01-01"}},
        {{"code", "demo_green_channel"}, {"name_zh", "行政审批绿色通道、容缺受理"}, {"name_en", "green channel and 容缺受理"},
         {"kind", "reward"}, {"department", lead}, {"legal_basis", "国发〔2016〕33号"},
         {"lists", {"red_trustworthy", "intermediary_red"}}, {"actions", {"green_channel", "tolerance_acceptance"}},
         {"effect", "ease"}, {"published_on", "2025-01-01"}},
    });
    std::set<std::string> black_departments;
    for (const auto& m : measures)
      if (m["kind"] == "punishment") black_departments.insert(m["department"].get<std::string>());
    const json memoranda = json::array({
        {{"code", "demo_black_2026"},
         {"title", "关于对失信主体实施联合惩戒的合作备忘录（演示）"},
         {"departments", std::vector<std::string>(black_departments.begin(), black_departments.end())},
         {"signed_on", "2025-06-01"},
         {"entries",
          {{{"list", "serious_illegal"},
            {"measures", {"demo_more_inspections", "demo_deny_bidding", "demo_deny_subsidies", "demo_deny_honours",
                          "demo_restrict_qualifications"}}},
           {{"list", "abnormal_operations"},
            {"measures", {"demo_more_inspections", "demo_restrict_bidding", "demo_restrict_qualifications"}}},
           {{"list", "dishonest_judgment_debtors"}, {"measures", {"demo_deny_bidding", "demo_deny_subsidies"}}}}}},
        {{"code", "demo_red_2026"},
         {"title", "关于对守信主体实施联合激励的合作备忘录（演示）"},
         {"departments", {lead}},
         {"signed_on", "2025-06-01"},
         {"entries", {{{"list", "red_trustworthy"}, {"measures", {"demo_green_channel"}}}}}},
    });
    const Principal who = Principal::System("demo:punishment");
    st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
      auto m = ImportMeasures(platform, uow, "demo-measures.json", measures.dump());
      if (!m.ok()) return m.status();
      auto d = ImportMemoranda(platform, uow, "demo-memoranda.json", memoranda.dump());
      if (!d.ok()) return d.status();
      auto b = BackfillCases(platform, uow, today.value());
      return b.ok() ? Status::Ok() : b.status();
    });
    if (!st.ok()) return st;
    // Responses: on each of the first cases, the first department accepts and feeds back, the
    // second declines with a reason; the rest stay open (their cards show on the pages).
    std::vector<TaskRow> tasks;
    st = platform.Read([&](Sql& sql) -> Status {
      auto t = LoadTasks(platform, sql, "", "open", "", today.value());
      if (!t.ok()) return t.status();
      tasks = t.value();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    std::map<std::string, int> seen;
    for (const TaskRow& t : tasks) {
      const int n = seen[t.case_id]++;
      if (t.state != "pending" || seen.size() > 4 || n > 1) continue;
      Principal p;
      p.id = "demo." + t.department;
      p.department = t.department;
      p.roles = {kRoleSupervisor};
      Status r = platform.RunInTransaction(p, [&](UnitOfWork& uow) -> Status {
        if (n == 1) return Respond(platform, uow, t.case_id, false, "该主体不在本部门业务范围内（演示） / outside this department's business (demo)", today.value());
        if (auto s = Respond(platform, uow, t.case_id, true, "", today.value()); !s.ok()) return s;
        if (t.measures.empty()) return Status::Ok();
        return Feedback(platform, uow, t.case_id, t.measures.front(), today.value().ToString(), "已在系统中设置限制（演示） / restriction set (demo)", today.value());
      });
      if (!r.ok()) return r;
    }
    // The API key, made once; kept beside the demo database for the report.
    const std::string key_file = (std::filesystem::path(ctx.work_dir()) / "credit-check-key.txt").string();
    auto exists = ReadValue<bool>(platform, [&](Sql& sql) { return sql.Exists("SELECT 1 FROM punishment_keys WHERE name = ?", {kKeyName}); });
    if (!exists.ok()) return exists.status();
    if (!exists.value()) {
      const std::string key = NewApiKey();
      Principal p;
      p.id = "demo." + dept("ZJ");
      p.department = dept("ZJ");
      p.roles = {kRoleSupervisor};
      st = platform.RunInTransaction(p, [&](UnitOfWork& uow) -> Status {
        const json actions = json::array({"bidding", "subsidies", "qualifications"});
        auto n = uow.sql().Exec(
            "INSERT INTO punishment_keys (name, department, actions, key_sha256, created_by, created_at_us) VALUES (?, ?, ?, ?, ?, ?)",
            {kKeyName, p.department, actions.dump(), digest::Sha256Hex(key), p.id, uow.now_us()});
        if (!n.ok()) return n.status();
        json row{{"name", kKeyName}, {"department", p.department}, {"actions", actions}};
        if (auto s = uow.Audit({"punishment.key.add", "punishment_key", kKeyName, "", digest::Sha256Hex(row.dump())}); !s.ok())
          return s;
        return Bump(uow, "keys", kKeyName);
      });
      if (!st.ok()) return st;
      std::filesystem::create_directories(ctx.work_dir());
      std::ofstream out(key_file, std::ios::trunc);
      out << key << "\n";
      std::filesystem::permissions(key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    return Status::Ok();
  }

  Status Report(DemoContext& ctx) override {
    Platform& platform = ctx.platform();
    std::string listed, unlisted;
    std::int64_t cases = 0, answered = 0;
    Status st = platform.Read([&](Sql& sql) -> Status {
      auto l = sql.QueryText(
          "SELECT l.uscc FROM punishment_listings l JOIN subjects s ON s.uscc = l.uscc WHERE l.state = 'in_force' AND "
          "l.list = 'serious_illegal' ORDER BY l.uscc LIMIT 1");
      if (!l.ok()) return l.status();
      listed = l.value().value_or("");
      auto u = sql.QueryText(
          "SELECT s.uscc FROM subjects s WHERE s.listings = '' AND s.status = 'active' ORDER BY s.uscc LIMIT 1");
      if (!u.ok()) return u.status();
      unlisted = u.value().value_or("");
      auto c = sql.QueryInt("SELECT COUNT(*) FROM punishment_cases");
      if (!c.ok()) return c.status();
      cases = c.value();
      auto a = sql.QueryInt("SELECT COUNT(*) FROM punishment_tasks WHERE responded_on <> ''");
      if (!a.ok()) return a.status();
      answered = a.value();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    std::string key;
    std::ifstream in((std::filesystem::path(ctx.work_dir()) / "credit-check-key.txt").string());
    std::getline(in, key);
    ctx.out() << "联合奖惩：案件 " << cases << " 件，已响应 " << answered << " 项 / joint punishment: " << cases << " cases, "
              << answered << " responses\n";
    if (key.empty()) return Status::Ok();
    ctx.out() << "信用核查 / the credit check (API 密钥保存在 / key kept in " << ctx.work_dir() << "/credit-check-key.txt):\n";
    for (const std::string& u : {listed, unlisted})
      if (!u.empty())
        ctx.out() << "  curl -H 'Authorization: Bearer " << key << "' 'http://127.0.0.1:8080/api/v1/credit-check?uscc=" << u
                  << "&action=bidding'   # " << (u == listed ? "列入严重违法失信名单 / listed" : "未列入 / not listed") << "\n";
    return Status::Ok();
  }
};

}  // namespace

Status RegisterDemo(Registrar& reg) { return reg.AddDemoStep("punishment", std::make_unique<PunishmentDemo>()); }

}  // namespace xj::punishment
