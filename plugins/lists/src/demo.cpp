// The lists plugin's step of `xinjian demo` (docs/lists.md, "Demo"): subjects of the first
// department's jurisdiction put on each list type through the real steps (proposed, reviewed
// and decided by three different people, on dates in the past), then the daily rules run for
// today; so some listings are in force, and others ended by each kind of exit: expired, moved
// to the serious-illegal list, corrected, repaired, revoked after an objection, the penalty
// revoked, removed by the court. One listing is disputed (an objection open). Deterministic and
// idempotent: each scenario is keyed (source_ref "demo:…") and skipped when it exists.
#include <xinjian/demo.h>

#include "lists.h"

namespace xj::lists {
namespace {

class ListsDemo final : public DemoStep {
 public:
  ListsDemo(RemedyConfig config, credit::RecordsService* records) : config_(std::move(config)), records_(records) {}

  Status Load(DemoContext& ctx) override {
    Platform& platform = ctx.platform();
    auto today = Today(platform);
    if (!today.ok()) return today.status();
    std::string dept;
    std::vector<std::pair<std::string, std::string>> subjects;  // uscc, type
    Status st = platform.Read([&](Sql& sql) -> Status {
      auto d = sql.QueryText("SELECT code FROM departments ORDER BY code LIMIT 1");
      if (!d.ok()) return d.status();
      dept = d.value().value_or("");
      return sql.Query(
          "SELECT uscc, type FROM subjects WHERE status = 'active' AND type IN ('enterprise', 'intermediary', 'individual') "
          "ORDER BY uscc LIMIT 4000",
          {}, [&](const SqlRow& r) {
            subjects.emplace_back(r.Text(0), r.Text(1));
            return true;
          });
    });
    if (!st.ok()) return st;
    if (dept.empty() || subjects.empty()) return Status::Ok();
    auto person = [&](const char* id) {
      Principal p;
      p.id = id;
      p.department = dept;
      p.roles = {kRoleSupervisor};
      return p;
    };
    const Principal proposer = person("demo.zhang"), reviewer = person("demo.li"), decider = person("demo.wang");
    Listings listings(platform);
    Remedies remedies(platform, config_, records_);
    std::size_t next_enterprise = 0, next_intermediary = 0;
    auto take = [&](bool intermediary) -> std::string {
      std::size_t& i = intermediary ? next_intermediary : next_enterprise;
      while (i < subjects.size()) {
        const auto& s = subjects[i++];
        if ((s.second == "intermediary") == intermediary) return s.first;
      }
      return "";
    };
    struct Scenario {
      std::string key, list, ground;
      int months_ago;
      std::string then;  // "" | repair | objection_remove | objection_open | penalty_revoked | correct
      bool intermediary = false;
      int validity_months = 0;
    };
    const std::vector<Scenario> scenarios = {
        {"serious-1", "serious_illegal", "heavy_penalty", 4, ""},
        {"serious-2", "serious_illegal", "heavy_penalty", 20, ""},
        {"serious-repaired", "serious_illegal", "heavy_penalty", 15, "repair"},
        {"serious-expired", "serious_illegal", "heavy_penalty", 37, ""},
        {"serious-penalty-revoked", "serious_illegal", "heavy_penalty", 8, "penalty_revoked"},
        {"abnormal-1", "abnormal_operations", "unreachable_address", 2, ""},
        {"abnormal-2", "abnormal_operations", "annual_report_missed", 10, ""},
        {"abnormal-disputed", "abnormal_operations", "false_information", 3, "objection_open"},
        {"abnormal-corrected", "abnormal_operations", "unreachable_address", 5, "correct"},
        {"abnormal-objection", "abnormal_operations", "false_information", 6, "objection_remove"},
        {"abnormal-moved", "abnormal_operations", "annual_report_missed", 37, ""},
        {"red-1", "red_trustworthy", "trustworthy", 3, "", false, 24},
        {"red-expired", "red_trustworthy", "trustworthy", 14, "", false, 12},
        {"ban-1", "intermediary_ban", "serious_misconduct", 5, "", true},
        {"intermediary-red-1", "intermediary_red", "grade_a", 2, "", true},
        {"intermediary-black-1", "intermediary_black", "grade_c", 2, "", true},
    };
    int made = 0;
    for (const Scenario& s : scenarios) {
      if (platform.FindListPolicy(s.list) == nullptr) continue;
      const std::string ref = "demo:" + s.key;
      auto exists = ReadValue<bool>(platform, [&](Sql& sql) -> Result<bool> {
        auto n = sql.QueryInt("SELECT COUNT(*) FROM lists_listings WHERE source_ref = ?", {ref});
        if (!n.ok()) return n.status();
        return n.value() > 0;
      });
      if (!exists.ok()) return exists.status();
      if (exists.value()) continue;
      const std::string uscc = take(s.intermediary);
      if (uscc.empty()) continue;
      const CivilDate on = AddMonths(today.value(), -s.months_ago);
      ProposeInput in;
      in.list = s.list;
      in.uscc = uscc;
      in.ground = s.ground;
      in.reason = "演示数据 / demo data (" + s.key + ")";
      in.evidence = {{"document", "演示-" + s.key}};
      in.department = dept;
      in.source = "decision";
      in.source_ref = ref;
      std::string id;
      Status made_one = platform.RunInTransaction(proposer, [&](UnitOfWork& uow) -> Status {
        auto p = listings.Propose(uow, in, on);
        if (!p.ok()) return p.status();
        id = p.value().id;
        return Status::Ok();
      });
      if (!made_one.ok()) return made_one;
      made_one = platform.RunInTransaction(reviewer, [&](UnitOfWork& uow) -> Status {
        auto r = listings.Review(uow, id, true, "", on);
        return r.ok() ? Status::Ok() : r.status();
      });
      if (!made_one.ok()) return made_one;
      made_one = platform.RunInTransaction(decider, [&](UnitOfWork& uow) -> Status {
        DecideInput d{"演示决字〔" + std::to_string(on.year()) + "〕" + std::to_string(++made) + "号", on.ToString(),
                      s.validity_months > 0 ? AddMonths(on, s.validity_months).ToString() : ""};
        auto r = listings.Decide(uow, id, true, d, "", on);
        return r.ok() ? Status::Ok() : r.status();
      });
      if (!made_one.ok()) return made_one;
      const CivilDate later = on + 30;
      Status then = Status::Ok();
      if (s.then == "repair") {
        then = platform.RunInTransaction(proposer, [&](UnitOfWork& uow) -> Status {
          auto r = remedies.ApplyRepair(uow, id, {{"document", "罚款缴纳凭证（演示）"}}, "依法诚信经营（演示） / demo commitment",
                                        AddMonths(on, 13));
          if (!r.ok()) return r.status();
          auto d = remedies.DecideRepair(uow, r.value().id, true, true, "", AddMonths(on, 13) + 3);
          return d.ok() ? Status::Ok() : d.status();
        });
      } else if (s.then == "penalty_revoked") {
        then = platform.RunInTransaction(decider, [&](UnitOfWork& uow) -> Status {
          auto e = listings.End(uow, id, kExitPenaltyRevoked, later, "行政复议撤销原处罚（演示） / the penalty was revoked (demo)");
          return e.ok() ? Status::Ok() : e.status();
        });
      } else if (s.then == "correct") {
        then = platform.RunInTransaction(decider, [&](UnitOfWork& uow) -> Status {
          auto c = listings.ConfirmCorrection(uow, id, later, "已办理住所变更登记（演示） / address registered (demo)");
          return c.ok() ? Status::Ok() : c.status();
        });
      } else if (s.then == "objection_open" || s.then == "objection_remove") {
        const CivilDate when = s.then == "objection_open" ? today.value() : later;
        then = platform.RunInTransaction(Principal::System("public:objection"), [&](UnitOfWork& uow) -> Status {
          auto o = remedies.Object(uow, id, "演示企业法定代表人", "0574-00000000", "列入依据的检查记录有误（演示） / the inspection record is wrong (demo)", when);
          if (!o.ok()) return o.status();
          if (s.then == "objection_open") return Status::Ok();
          auto d = remedies.DecideObjection(uow, o.value().id, "remove", "异议成立（演示） / upheld (demo)", "", when + 4);
          return d.ok() ? Status::Ok() : d.status();
        });
      }
      if (!then.ok()) return then;
    }
    // The courts' list, as an import gives it: two companies (one removed by the court since)
    // and a natural person (kept, never published).
    if (platform.FindListPolicy("dishonest_judgment_debtors") != nullptr) {
      struct Court {
        std::string key, uscc, name, type;
        int months_ago;
        bool removed;
      };
      const std::vector<Court> court = {
          {"court-1", take(false), "", "", 7, false},
          {"court-removed", take(false), "", "", 11, true},
          {"court-person", "330203198001010018", "张某（演示）", "natural_person", 5, false},
      };
      for (const Court& c : court) {
        if (c.uscc.empty()) continue;
        const CivilDate on = AddMonths(today.value(), -c.months_ago);
        Status one = platform.RunInTransaction(Principal::System("demo:court-import"), [&](UnitOfWork& uow) -> Status {
          ProposeInput in;
          in.list = "dishonest_judgment_debtors";
          in.uscc = c.uscc;
          in.subject_name = c.name;
          in.subject_type = c.type;
          in.ground = "court_listed";
          in.reason = "（" + std::to_string(on.year()) + "）浙0203执" + std::to_string(100 + c.months_ago) + "号（演示）";
          in.evidence = {{"document", in.reason}};
          in.department = dept;
          in.source = "import";
          in.source_ref = "demo:" + c.key;
          bool created = false;
          auto l = listings.Enact(uow, in, DecideInput{in.reason, on.ToString(), ""}, on, "", &created);
          if (!l.ok()) return l.status();
          if (created && c.removed) {
            auto e = listings.End(uow, l.value().id, kExitSourceRemoved, on + 60, "法院已屏蔽（演示） / removed by the court (demo)");
            if (!e.ok()) return e.status();
          }
          return Status::Ok();
        });
        if (!one.ok()) return one;
      }
    }
    // The daily rules for today: expiries, the move of the 3-year abnormal listing, the
    // correction's end.
    auto counts = TransactValue<Listings::RuleCounts>(platform, Principal::System("job:lists.daily"),
                                                      [&](UnitOfWork& uow) { return listings.RunDaily(uow, today.value()); });
    if (!counts.ok()) return counts.status();
    return Status::Ok();
  }

  Status Report(DemoContext& ctx) override {
    std::int64_t in_force = 0, ended = 0, disputed = 0;
    Status st = ctx.platform().Read([&](Sql& sql) -> Status {
      auto a = sql.QueryInt("SELECT COUNT(*) FROM lists_listings WHERE state = 'in_force'");
      if (!a.ok()) return a.status();
      in_force = a.value();
      auto b = sql.QueryInt("SELECT COUNT(*) FROM lists_listings WHERE state = 'ended'");
      if (!b.ok()) return b.status();
      ended = b.value();
      auto c = sql.QueryInt("SELECT COUNT(*) FROM lists_listings WHERE disputed = 1");
      if (!c.ok()) return c.status();
      disputed = c.value();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    ctx.out() << "信用名单：列入中 " << in_force << " 条，已移出 " << ended << " 条（期满、转入、改正、修复、异议、撤销处罚），异议处理中 "
              << disputed << " 条 / lists: " << in_force << " in force, " << ended
              << " ended (expired, moved, corrected, repaired, objection, penalty revoked), " << disputed << " disputed\n"
              << "  xinjian --db " << ctx.database() << " lists list --state ended\n"
              << "  网站 / site: /lists, /lists/serious_illegal, /feeds/lists.atom\n";
    return Status::Ok();
  }

 private:
  RemedyConfig config_;
  credit::RecordsService* records_;
};

}  // namespace

Status RegisterDemo(Registrar& reg, const RemedyConfig& config, credit::RecordsService* records) {
  return reg.AddDemoStep("lists", std::make_unique<ListsDemo>(config, records));
}

}  // namespace xj::lists
