// The credit plugin (docs/credit.md): credit records with publicity periods, scoring models as
// data with every point explained, risk classes that feed the draws, intermediaries' grades.
// On the SDK alone. It registers:
//   - the scoring engine "xj-points-v1" (capability scorer; engine.h);
//   - the service "credit.records" (include/credit/records_service.h): record kinds and records
//     from other plugins;
//   - the writing subscriber "credit.listings": a subject put on or taken off a list
//     (directory.subject.listings) is rescored, so the models' vetoes on listings apply;
//   - the writing subscriber "credit.findings": a published inspection result
//     (visit.result.published, from the inspection plugin) becomes an inspection_finding record
//     in the delivery's unit of work, and the subject's score follows there;
//   - the jobs: credit.publicity (daily: records entering and leaving publicity), credit.recompute
//     (nightly: every score), credit.risk (monthly: risk classes), credit.grades (yearly:
//     intermediaries' grades), with their default jobs;
//   - the commands (commands.cpp), the route and the subject page's section (routes.cpp), the
//     demo step (demo.cpp) and the benchmark (bench.cpp).
#include <xinjian/plugin.h>

#include <charconv>

#include <nlohmann/json.hpp>

#include "credit.h"
#include "credit/records_service.h"
#include "engine.h"
#include "models_data.h"

namespace xj::credit {
namespace {

using nlohmann::json;

Credit& State() {
  static Credit credit;
  return credit;
}

class RecordsServiceImpl final : public RecordsService {
 public:
  // `platform`: the registrar's (its engines and time zones; the writes are the caller's unit's).
  RecordsServiceImpl(Credit* c, Platform& platform) : c_(c), platform_(platform) {}
  Status AddKind(const RecordKindSpec& spec) override {
    RecordKind k;
    k.code = spec.code;
    k.zh = spec.zh;
    k.en = spec.en;
    k.polarity = spec.polarity;
    k.publicity = spec.publicity;
    k.requires_fields = spec.requires_fields;
    for (const auto& [code, cat] : spec.categories) k.categories[code] = KindCategory{cat.zh, cat.en, cat.severity};
    return c_->kinds->Add(k);
  }
  Status Record(UnitOfWork& uow, const RecordSpec& s) override {
    auto rules = c_->Rules();
    if (!rules.ok()) return rules.status();
    RecordInput in;
    in.uscc = s.uscc;
    in.kind = s.kind;
    in.ref = s.ref;
    in.category = s.category;
    in.severity = s.severity;
    in.occurred_on = s.occurred_on;
    in.public_from = s.public_from;
    in.value = s.value;
    in.heavy = s.heavy;
    in.authority = s.authority;
    in.basis = s.basis;
    in.title = s.title;
    in.attributes = s.attributes_json;
    auto r = NormaliseRecord(*c_->kinds, rules.value(), in);
    if (!r.ok()) return r.status();
    r.value().source = s.source.empty() ? "plugin" : s.source.substr(0, 200);
    return WriteAndScore(uow, {r.value()});
  }
  Status Withdraw(UnitOfWork& uow, const std::string& kind, const std::string& ref, const std::string& on,
                  const std::string& reason) override {
    Scoring scoring = c_->On(platform_);
    return WithdrawRecord(uow, &scoring, kind, ref, on, reason);
  }

  Result<std::int64_t> CountSince(Sql& sql, const std::string& uscc, const std::string& kind,
                                  const std::string& since) const override {
    return sql.QueryInt(
        "SELECT COUNT(*) FROM credit_records WHERE uscc = ? AND kind = ? AND occurred_on >= ? AND withdrawn_on IS NULL",
        {uscc, kind, since});
  }

  Result<std::optional<RecordState>> Find(Sql& sql, const std::string& kind, const std::string& ref,
                                          const std::string& today) const override {
    auto found = LoadRecord(sql, kind, ref);
    if (!found.ok()) return found.status();
    if (!found.value()) return std::optional<RecordState>();
    const CreditRecord& r = *found.value();
    RecordState st;
    st.record.uscc = r.uscc;
    st.record.kind = r.kind;
    st.record.ref = r.ref;
    st.record.category = r.category;
    st.record.severity = r.severity;
    st.record.occurred_on = r.occurred_on;
    st.record.public_from = r.public_from;
    {
      char buf[40];
      const auto end = std::to_chars(buf, buf + sizeof buf, r.value).ptr;  // the shortest text that reads back the same
      st.record.value.assign(buf, end);
    }
    st.record.heavy = r.heavy ? "1" : "0";
    st.record.authority = r.authority;
    st.record.basis = r.basis;
    st.record.title = r.title;
    st.record.attributes_json = r.AttributesJson();
    st.record.source = r.source;
    st.public_until = r.public_until;
    st.public_now = r.PublicOn(today);
    st.disputed = r.disputed;
    st.withdrawn_on = r.withdrawn_on;
    st.publicity_ended_on = r.publicity_ended_on;
    st.publicity_end_reason = r.publicity_end_reason;
    if (auto k = c_->kinds->Find(r.kind)) {
      st.publicity = k->publicity;
      st.polarity = k->polarity;
    }
    return std::optional<RecordState>(std::move(st));
  }
  Status SetDisputed(UnitOfWork& uow, const std::string& kind, const std::string& ref, bool disputed,
                     const std::string& reason) override {
    return SetRecordDisputed(uow, kind, ref, disputed, reason);
  }
  Status EndPublicity(UnitOfWork& uow, const std::string& kind, const std::string& ref, const std::string& on,
                      const std::string& reason) override {
    Scoring scoring = c_->On(platform_);
    if (auto st = scoring.EnsureModels(uow); !st.ok()) return st;
    return EndRecordPublicity(uow, &scoring, kind, ref, on, reason);
  }

  Status WriteAndScore(UnitOfWork& uow, const std::vector<CreditRecord>& records) {
    UpsertCounts counts;
    std::set<std::string> touched;
    Scoring scoring = c_->On(platform_);
    if (auto st = UpsertRecords(uow, records, scoring.TodayOf(uow.now_us()), &counts, &touched); !st.ok()) return st;
    if (touched.empty()) return Status::Ok();
    if (auto st = scoring.EnsureModels(uow); !st.ok()) return st;
    auto n = scoring.Rescore(uow, touched);
    return n.ok() ? Status::Ok() : n.status();
  }

 private:
  Credit* c_;
  Platform& platform_;
};

// visit.result.published => an inspection_finding record (ref "<visit>/<item>"): a second
// delivery finds the same record and changes nothing.
class OnResultPublished final : public WritingSubscriber {
 public:
  explicit OnResultPublished(RecordsServiceImpl* records) : records_(records) {}
  std::string TopicPrefix() const override { return "visit.result.published"; }
  Status OnEvent(const Event& e, UnitOfWork& uow) override {
    if (e.topic != "visit.result.published") return Status::Ok();
    const json p = json::parse(e.payload_json, nullptr, false);
    auto text = [&](const char* k) {
      return p.is_object() && p.contains(k) && p[k].is_string() ? p[k].get<std::string>() : std::string();
    };
    const std::string visit = text("visit"), item = text("item"), uscc = text("uscc"), result = text("result"),
                      on = text("published_on"), department = text("department");
    if (visit.empty() || item.empty() || uscc.empty() || result.empty() || on.empty())
      return Status::Error(StatusCode::kInvalidArgument,
                           "事件 " + std::to_string(e.id) + " 缺少检查结果的字段（visit、item、uscc、result、published_on）",
                           "event " + std::to_string(e.id) + " lacks fields of a result (visit, item, uscc, result, published_on)");
    RecordSpec s;
    s.uscc = uscc;
    s.kind = "inspection_finding";
    s.ref = visit + "/" + item;
    auto kind = State().kinds->Find("inspection_finding");
    s.category = kind && kind->categories.count(result) ? result : "other";
    s.occurred_on = on;
    s.source = "event:" + std::to_string(e.id);
    auto dept = FindDepartment(uow.sql(), department);
    if (!dept.ok()) return dept.status();
    s.authority = dept.value() ? dept.value()->name : department;
    auto it = FindItem(uow.sql(), item);
    if (!it.ok()) return it.status();
    if (it.value()) {
      s.basis = it.value()->legal_basis;
      s.title = it.value()->name;
    }
    s.attributes_json = json{{"result", result}, {"department", department}, {"task", text("task")}}.dump();
    return records_->Record(uow, s);
  }

 private:
  RecordsServiceImpl* records_;
};

// directory.subject.listings (Platform::SetListings: the lists plugin put a subject on a list or
// took it off) => the subject rescored, so a veto on a listing (serious_illegal) applies at once
// and ends with the listing.
class OnListingsChanged final : public WritingSubscriber {
 public:
  explicit OnListingsChanged(Platform& platform) : platform_(platform) {}
  std::string TopicPrefix() const override { return "directory.subject.listings"; }
  Status OnEvent(const Event& e, UnitOfWork& uow) override {
    if (e.topic != "directory.subject.listings" || e.key.empty()) return Status::Ok();
    Scoring scoring = State().On(platform_);
    if (auto st = scoring.EnsureModels(uow); !st.ok()) return st;
    auto n = scoring.Rescore(uow, {e.key});
    return n.ok() ? Status::Ok() : n.status();
  }

 private:
  Platform& platform_;
};

// A job of the plugin, its work in the run's transaction, "today" the run's scheduled date.
class CreditJob final : public JobHandler {
 public:
  enum class What { kPublicity, kRecompute, kRisk, kGrades };
  CreditJob(What what, std::string description) : what_(what), description_(std::move(description)) {}
  std::string Description() const override { return description_; }
  Status Run(const JobInvocation& run, JobServices& services) override {
    Credit& c = State();
    Platform& platform = services.platform();
    Scoring scoring = c.On(platform);
    auto today = platform.Time().LocalDate(run.scheduled_us);
    if (!today.ok()) return today.status();
    const Principal who = Principal::System("job:" + run.job);
    Scoring::RecomputeOptions o;
    o.run_unit = [&services](const UnitOfWorkFn& fn) { return services.RunInTransaction(fn); };
    o.cancelled = [&services]() { return services.Cancelled(); };
    o.restart = true;  // a run is one transaction: nothing of an earlier attempt was kept
    switch (what_) {
      case What::kPublicity:
        return services.RunInTransaction([&](UnitOfWork& uow) -> Status {
          if (auto st = scoring.EnsureModels(uow); !st.ok()) return st;
          auto n = RefreshPublicity(uow, &scoring, today.value().ToString());
          return n.ok() ? Status::Ok() : n.status();
        });
      case What::kRecompute:
        return scoring.Recompute(who, o, nullptr).status();
      case What::kRisk:
        return scoring.ClassifyRisk(who, today.value().ToString().substr(0, 7), o, nullptr).status();
      case What::kGrades:
        // In January, the year just ended.
        return scoring.GradeIntermediaries(who, today.value().year() - (today.value().month() == 1 ? 1 : 0), o, nullptr)
            .status();
    }
    return Status::Ok();
  }

 private:
  What what_;
  std::string description_;
};

Status Init(Registrar& reg) {
  Credit& c = State();
  c.platform = &reg.platform();
  auto kinds = Kinds::Parse(kKindsJson);
  if (!kinds.ok()) return kinds.status();
  c.kinds = kinds.value();
  std::map<std::string, std::string> config;
  for (const char* key : {"publicity_months_minor", "publicity_months_general", "publicity_months_serious",
                          "penalty_short_months", "penalty_long_months", "penalty_low_fine_yuan",
                          "evaluation_weights"}) {
    const std::string v = reg.Config(key, "");
    if (!v.empty()) config[key] = v;
  }
  c.config = [config](const std::string& k, const std::string& f) {
    auto it = config.find(k);
    return it == config.end() ? f : it->second;
  };
  if (auto rules = c.Rules(); !rules.ok()) return rules.status();
  if (auto w = EvaluationWeights::Parse(c.config("evaluation_weights", "70,10,20")); !w.ok()) return w.status();

  if (auto st = reg.AddScorer(kPointsEngine, std::make_unique<PointsEngine>()); !st.ok()) return st;
  auto service = std::make_unique<RecordsServiceImpl>(&c, reg.platform());
  RecordsServiceImpl* records = service.get();
  if (auto st = ProvideService<RecordsService>(reg, std::move(service)); !st.ok()) return st;
  if (auto st = reg.AddWritingSubscriber("credit.findings", std::make_unique<OnResultPublished>(records)); !st.ok())
    return st;
  if (auto st = reg.AddWritingSubscriber("credit.listings", std::make_unique<OnListingsChanged>(reg.platform())); !st.ok())
    return st;

  struct JobSpec {
    const char* handler;
    CreditJob::What what;
    const char* description;
    const char* default_name;
    const char* schedule;
  };
  const JobSpec jobs[] = {
      {"credit.publicity", CreditJob::What::kPublicity,
       "信用记录进入和结束公示，评分随之更新 / records entering and leaving publicity, scores follow",
       "builtin.credit-publicity", "10 1 * * *"},
      {"credit.recompute", CreditJob::What::kRecompute, "重算全部信用评分 / recompute every credit score",
       "builtin.credit-recompute", "30 2 * * *"},
      {"credit.risk", CreditJob::What::kRisk, "每月风险分类（内部）/ the monthly risk classification (internal)",
       "builtin.credit-risk", "0 4 1 * *"},
      {"credit.grades", CreditJob::What::kGrades, "中介机构年度等级 / the intermediaries' yearly grades",
       "builtin.credit-grades", "0 5 10 1 *"},
  };
  for (const JobSpec& j : jobs) {
    if (auto st = reg.AddJobHandler(j.handler, std::make_unique<CreditJob>(j.what, j.description)); !st.ok()) return st;
    DefaultJob d;
    d.name = j.default_name;
    d.schedule = j.schedule;
    d.handler = j.handler;
    d.misfire = "fire_once_now";
    d.description = j.description;
    if (auto st = reg.AddDefaultJob(d); !st.ok()) return st;
  }
  if (auto st = RegisterCommands(reg, &c); !st.ok()) return st;
  if (auto st = RegisterRoutes(reg, &c); !st.ok()) return st;
  if (auto st = RegisterDemo(reg, &c); !st.ok()) return st;
  if (auto st = RegisterSelection(reg, &c); !st.ok()) return st;
  return RegisterBench(reg, &c);
}

}  // namespace
}  // namespace xj::credit

XJ_PLUGIN(xj::credit::Init)
