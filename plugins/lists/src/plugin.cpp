// The lists plugin (docs/lists.md): red and black lists and the abnormal-operations list, every
// listing with a legal basis, a decision, a period and an exit. On the SDK alone. It registers:
//   - the shipped list types (data/types.json; capability list_policy): other plugins add theirs
//     the same way, and every command, rule and page works on all registered types;
//   - the writing subscriber "lists.findings": an approved inspection result "unreachable" or
//     "false information" (credit.finding.*, from the inspection plugin) proposes an
//     abnormal-operations listing, due within 10 working days of the verification, exactly once;
//   - the jobs lists.daily (expiries, moves with their notices, ends after corrections) and
//     lists.annual-reports (on 1 July: proposals for the annual reports not filed), with their
//     default jobs;
//   - credit repair and objections (remedies.cpp), which require the credit plugin's service
//     credit.records (new penalties of the same kind block a repair);
//   - the commands (commands.cpp), the routes, pages, feed and the subject page's section
//     (routes.cpp), and the demo step (demo.cpp).
#include <xinjian/plugin.h>

#include <nlohmann/json.hpp>

#include "credit/records_service.h"
#include "lists.h"

namespace xj::lists {
namespace {

using nlohmann::json;

class OnFinding final : public WritingSubscriber {
 public:
  explicit OnFinding(Platform& platform) : platform_(platform) {}
  std::string TopicPrefix() const override { return "credit.finding."; }
  Status OnEvent(const Event& e, UnitOfWork& uow) override {
    std::string ground;
    if (e.topic == "credit.finding.unreachable_address") ground = "unreachable_address";
    if (e.topic == "credit.finding.false_information") ground = "false_information";
    if (ground.empty()) return Status::Ok();
    const json p = json::parse(e.payload_json, nullptr, false);
    auto text = [&](const char* k) {
      return p.is_object() && p.contains(k) && p[k].is_string() ? p[k].get<std::string>() : std::string();
    };
    const std::string uscc = text("uscc"), visit = text("visit"), item = text("item"), department = text("department"),
                      verified = text("verified_on"), due = text("listing_due");
    if (uscc.empty() || visit.empty() || item.empty() || department.empty())
      return Status::Error(StatusCode::kInvalidArgument,
                           "事件 " + std::to_string(e.id) + " 缺少字段（uscc、visit、item、department）",
                           "event " + std::to_string(e.id) + " lacks fields (uscc, visit, item, department)");
    if (platform_.FindListPolicy("abnormal_operations") == nullptr) return Status::Ok();
    auto today = platform_.Time().LocalDate(uow.now_us());
    if (!today.ok()) return today.status();
    Listings listings(platform_);
    ProposeInput in;
    in.list = "abnormal_operations";
    in.uscc = uscc;
    in.ground = ground;
    in.reason = std::string(ground == "unreachable_address" ? "经检查，通过登记的住所或者经营场所无法联系"
                                                            : "经检查，公示信息隐瞒真实情况、弄虚作假") +
                "（检查记录 " + visit + "，事项 " + item + "，核实日期 " + verified + "） / found by inspection " + visit;
    in.evidence = {{"result", visit + "/" + item}};
    in.department = department;
    in.due_on = due;
    in.source = "rule";
    in.source_ref = "finding:" + visit + "/" + item;
    auto r = listings.Propose(uow, in, today.value());
    // A subject that left the directory or a department that is gone: nothing to propose, and
    // the event must not block the ones after it.
    if (!r.ok() && (r.status().code() == StatusCode::kNotFound || r.status().code() == StatusCode::kInvalidArgument))
      return Status::Ok();
    return r.ok() ? Status::Ok() : r.status();
  }

 private:
  Platform& platform_;
};

// An intermediary's yearly grade (credit.intermediary.graded, published for every intermediary
// at its year's first grading and at every change): the A and C lists follow it.
class OnGrade final : public WritingSubscriber {
 public:
  explicit OnGrade(Platform& platform) : platform_(platform) {}
  std::string TopicPrefix() const override { return "credit.intermediary.graded"; }
  Status OnEvent(const Event& e, UnitOfWork& uow) override {
    if (e.topic != "credit.intermediary.graded") return Status::Ok();
    const json p = json::parse(e.payload_json, nullptr, false);
    if (!p.is_object() || !p.contains("uscc") || !p["uscc"].is_string() || !p.contains("year") ||
        !p["year"].is_number_integer() || !p.contains("grade") || !p["grade"].is_string())
      return Status::Error(StatusCode::kInvalidArgument,
                           "事件 " + std::to_string(e.id) + " 缺少字段（uscc、year、grade）",
                           "event " + std::to_string(e.id) + " lacks fields (uscc, year, grade)");
    auto today = platform_.Time().LocalDate(uow.now_us());
    if (!today.ok()) return today.status();
    Listings listings(platform_);
    auto r = listings.ApplyGrade(uow, p["uscc"].get<std::string>(), p["year"].get<int>(), p["grade"].get<std::string>(),
                                 p.contains("points") && p["points"].is_number() ? p["points"].get<double>() : 0.0,
                                 today.value());
    if (!r.ok() && r.status().code() == StatusCode::kInvalidArgument) return Status::Ok();  // not ours to block on
    return r.ok() ? Status::Ok() : r.status();
  }

 private:
  Platform& platform_;
};

class ListsJob final : public JobHandler {
 public:
  enum class What { kDaily, kAnnualReports };
  ListsJob(What what, std::string description) : what_(what), description_(std::move(description)) {}
  std::string Description() const override { return description_; }
  Status Run(const JobInvocation& run, JobServices& services) override {
    Platform& platform = services.platform();
    auto today = platform.Time().LocalDate(run.scheduled_us);
    if (!today.ok()) return today.status();
    Listings listings(platform);
    return services.RunInTransaction([&](UnitOfWork& uow) -> Status {
      if (what_ == What::kDaily) {
        auto r = listings.RunDaily(uow, today.value());
        return r.ok() ? Status::Ok() : r.status();
      }
      // From 1 July: the reports of the year before last June.
      if (today.value().month() < 7) return Status::Ok();
      auto r = listings.ProposeMissedAnnualReports(uow, today.value().year() - 1, today.value());
      return r.ok() ? Status::Ok() : r.status();
    });
  }

 private:
  What what_;
  std::string description_;
};

Status Init(Registrar& reg) {
  auto policies = ShippedPolicies();
  if (!policies.ok()) return policies.status();
  for (const ListPolicy& p : policies.value())
    if (auto st = reg.AddListPolicy(std::make_unique<ListPolicy>(p)); !st.ok()) return st;
  if (auto st = reg.AddWritingSubscriber("lists.findings", std::make_unique<OnFinding>(reg.platform())); !st.ok())
    return st;
  if (auto st = reg.AddWritingSubscriber("lists.grades", std::make_unique<OnGrade>(reg.platform())); !st.ok())
    return st;
  {
    // The department the rules propose for (RuleDepartments): a department code, or "" for the
    // one whose jurisdiction holds the subject.
    const std::string d = reg.Config("rule_department", "");
    bool ok = d.size() <= 64;
    for (char c : d) ok = ok && c > 0x20 && c < 0x7f;  // a code: printable ASCII, no space
    if (!ok)
      return Status::Error(StatusCode::kInvalidArgument, "配置 plugins.lists.rule_department 须为部门代码",
                           "plugins.lists.rule_department must be a department code");
    RuleDepartments::Configured() = d;
  }
  struct JobSpec {
    const char* handler;
    ListsJob::What what;
    const char* description;
    const char* default_name;
    const char* schedule;
  };
  const JobSpec jobs[] = {
      {"lists.daily", ListsJob::What::kDaily,
       "名单每日规则：期满移出、转入及告知、改正后移出 / the lists' daily rules: expiries, moves and notices, ends after corrections",
       "builtin.lists-daily", "20 0 * * *"},
      {"lists.annual-reports", ListsJob::What::kAnnualReports,
       "7 月 1 日：未报送年度报告的主体提出经营异常名录列入 / 1 July: abnormal-operations proposals for missing annual reports",
       "builtin.lists-annual-reports", "0 6 1 7 *"},
  };
  for (const JobSpec& j : jobs) {
    if (auto st = reg.AddJobHandler(j.handler, std::make_unique<ListsJob>(j.what, j.description)); !st.ok()) return st;
    DefaultJob d;
    d.name = j.default_name;
    d.schedule = j.schedule;
    d.handler = j.handler;
    d.misfire = "fire_once_now";
    d.description = j.description;
    if (auto st = reg.AddDefaultJob(d); !st.ok()) return st;
  }
  auto records = RequireService<credit::RecordsService>(reg);
  if (!records.ok()) return records.status();
  RemedyConfig remedy;
  auto number = [&](const char* key, int fallback, int lo, int hi, int* out) -> Status {
    const std::string v = reg.Config(key, std::to_string(fallback));
    int n = 0;
    bool ok = !v.empty() && v.size() <= 3;
    for (char c : v) ok = ok && c >= '0' && c <= '9';
    if (ok) n = std::stoi(v);
    if (!ok || n < lo || n > hi)
      return Status::Error(StatusCode::kInvalidArgument,
                           "配置 plugins.lists." + std::string(key) + " 须为 " + std::to_string(lo) + " 至 " + std::to_string(hi) + " 的整数",
                           "plugins.lists." + std::string(key) + " must be a whole number from " + std::to_string(lo) + " to " +
                               std::to_string(hi));
    *out = n;
    return Status::Ok();
  };
  if (auto st = number("repair_working_days", 10, 1, 60, &remedy.repair_working_days); !st.ok()) return st;
  if (auto st = number("objection_working_days", 5, 1, 30, &remedy.objection_working_days); !st.ok()) return st;
  if (auto st = number("objection_extended_working_days", 20, 1, 60, &remedy.objection_extended_working_days); !st.ok())
    return st;
  if (remedy.objection_extended_working_days < remedy.objection_working_days)
    return Status::Error(StatusCode::kInvalidArgument, "异议延期后的期限不能短于原期限",
                         "the extended objection deadline cannot be shorter than the first");
  if (auto st = RegisterCommands(reg); !st.ok()) return st;
  if (auto st = RegisterRemedyCommands(reg, remedy, records.value()); !st.ok()) return st;
  if (auto st = RegisterDemo(reg, remedy, records.value()); !st.ok()) return st;
  return RegisterRoutes(reg, remedy, records.value());
}

}  // namespace
}  // namespace xj::lists

XJ_PLUGIN(xj::lists::Init)
