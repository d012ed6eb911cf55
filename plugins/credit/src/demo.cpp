// The credit plugin's step of `xinjian demo` (docs/credit.md, "Demo"): generated credit records
// for about a third of the demo directory (penalties of each severity, honours, annual reports,
// commitments, complaints, a court entry, intermediaries' evaluations), dated within the last
// three years; then every subject scored, risk classes set (they feed the demo draws' risk
// strata) and the intermediaries graded. The inspection step's published results reach the
// credit records through the subscriber credit.findings afterwards. Deterministic (the records
// follow from each USCC) and idempotent (records are upserted by their refs; scores that did
// not change are not rewritten).
#include <xinjian/demo.h>
#include <xinjian/digest.h>
#include <xinjian/time.h>

#include <nlohmann/json.hpp>

#include "credit.h"
#include "engine.h"

namespace xj::credit {
namespace {

using nlohmann::json;

// A number from the USCC and a salt (deterministic).
std::uint64_t Pick(const std::string& uscc, const char* salt) {
  const std::string h = digest::Sha256Hex(uscc + salt);
  return std::stoull(h.substr(0, 12), nullptr, 16);
}

class CreditDemo final : public DemoStep {
 public:
  explicit CreditDemo(Credit* c) : c_(c) {}

  Status Load(DemoContext& ctx) override {
    auto rules = c_->Rules();
    if (!rules.ok()) return rules.status();
    Platform& platform = ctx.platform();
    Scoring scoring = c_->On(platform);
    const std::string today = scoring.TodayOf(platform.NowMicros());
    auto today_d = CivilDate::Parse(today);
    if (!today_d.ok()) return today_d.status();
    std::vector<std::pair<std::string, std::string>> subjects;  // uscc, type
    std::vector<std::string> departments;
    Status st = platform.Read([&](Sql& sql) -> Status {
      Status q = sql.Query("SELECT uscc, type FROM subjects WHERE status = 'active' ORDER BY uscc", {}, [&](const SqlRow& r) {
        subjects.emplace_back(r.Text(0), r.Text(1));
        return true;
      });
      if (!q.ok()) return q;
      return sql.Query("SELECT name FROM departments ORDER BY code", {}, [&](const SqlRow& r) {
        departments.push_back(r.Text(0));
        return true;
      });
    });
    if (!st.ok()) return st;
    if (departments.empty()) departments.push_back("市场监督管理局");
    auto date_back = [&](std::uint64_t days) { return CivilDate::FromDays(today_d.value().days() - static_cast<std::int32_t>(days)).ToString(); };
    std::vector<CreditRecord> records;
    auto add = [&](const std::string& uscc, const std::string& kind, const std::string& ref, const std::string& category,
                   const std::string& on, double value, bool heavy, const std::string& authority, const std::string& basis,
                   const std::string& title, const std::string& attributes = "") -> Status {
      RecordInput in;
      in.uscc = uscc;
      in.kind = kind;
      in.ref = ref;
      in.category = category;
      in.occurred_on = on;
      in.value = value > 0 ? std::to_string(static_cast<long long>(value)) : "";
      in.heavy = heavy ? "1" : "";
      in.authority = authority;
      in.basis = basis;
      in.title = title;
      in.attributes = attributes;
      auto r = NormaliseRecord(*c_->kinds, rules.value(), in);
      if (!r.ok()) return r.status();
      r.value().source = "demo";
      records.push_back(std::move(r).value());
      return Status::Ok();
    };
    static const char* kPenaltyBasis = "《中华人民共和国市场主体登记管理条例》第四十六条";
    for (std::size_t i = 0; i < subjects.size(); ++i) {
      const auto& [uscc, type] = subjects[i];
      const std::uint64_t r = Pick(uscc, "credit-demo");
      const std::string dept = departments[r % departments.size()];
      if (type == "intermediary") {
        // Each intermediary: a year of evaluated engagements.
        const int n = 2 + static_cast<int>(r % 4);
        for (int k = 0; k < n; ++k) {
          const std::uint64_t e = Pick(uscc, ("eval" + std::to_string(k)).c_str());
          const int client = 60 + static_cast<int>(e % 41), dep = 60 + static_cast<int>((e >> 8) % 41),
                    office = 60 + static_cast<int>((e >> 16) % 41);
          const double weighted = (client * 70 + dep * 10 + office * 20) / 100.0;
          json attrs = {{"client", std::to_string(client)},     {"department", std::to_string(dep)},
                        {"approval_office", std::to_string(office)}, {"on_time", (e >> 24) % 5 ? "1" : "0"},
                        {"fee_within", (e >> 28) % 6 ? "1" : "0"}};
          if (auto s = add(uscc, "intermediary_evaluation", "DEMO-EVAL-" + uscc + "-" + std::to_string(k), "engagement",
                           date_back(10 + (e >> 32) % 300), static_cast<double>(static_cast<long long>(weighted)), false,
                           "", "", "中介服务评价（演示）", attrs.dump());
              !s.ok())
            return s;
        }
      }
      switch (r % 12) {
        case 0:  // a low fine, three months of publicity
          if (auto s = add(uscc, "penalty", "DEMO-PEN-" + uscc + "-1", "fine", date_back(20 + r % 60), 2000, false, dept,
                           kPenaltyBasis, "未按规定公示年度报告（演示）");
              !s.ok())
            return s;
          break;
        case 1:  // a heavy penalty: serious, three years, a veto of the grade
          if (auto s = add(uscc, "penalty", "DEMO-PEN-" + uscc + "-2", "suspension", date_back(100 + r % 400), 200000, true,
                           dept, "《中华人民共和国食品安全法》第一百二十二条", "未取得许可从事食品生产（演示）");
              !s.ok())
            return s;
          break;
        case 2:
          if (auto s = add(uscc, "honour", "DEMO-HON-" + uscc, (r >> 8) % 2 ? "city" : "province", date_back(30 + r % 700),
                           0, false, dept, "", "守合同重信用企业（演示）");
              !s.ok())
            return s;
          break;
        case 3:
          if (auto s = add(uscc, "annual_report", "DEMO-AR-" + uscc + "-" + std::to_string(today_d.value().year() - 1),
                           "missed", date_back(150), 0, false, dept, "", "");
              !s.ok())
            return s;
          break;
        case 4:
          if (auto s = add(uscc, "commitment", "DEMO-CMT-" + uscc, (r >> 8) % 3 ? "kept" : "breached", date_back(60 + r % 500),
                           0, false, dept, "", "告知承诺制审批（演示）");
              !s.ok())
            return s;
          break;
        case 5:
          if (auto s = add(uscc, "complaint", "DEMO-CPL-" + uscc, "upheld", date_back(10 + r % 300), 0, false, dept, "",
                           "消费投诉（演示）");
              !s.ok())
            return s;
          break;
        case 6:
          if (auto s = add(uscc, "annual_report", "DEMO-AR-" + uscc + "-" + std::to_string(today_d.value().year() - 1),
                           "filed", date_back(200), 0, false, dept, "", "");
              !s.ok())
            return s;
          break;
        case 7:
          if (r % 7 == 0)
            if (auto s = add(uscc, "court_dishonest", "DEMO-CRT-" + uscc, "listed", date_back(40 + r % 200), 0, false,
                             "人民法院", "《最高人民法院关于公布失信被执行人名单信息的若干规定》", "失信被执行人（演示）");
                !s.ok())
              return s;
          break;
        case 8:  // a warning long ago: no longer public, counts no more
          if (auto s = add(uscc, "penalty", "DEMO-PEN-" + uscc + "-3", "warning", date_back(400 + r % 300), 0, false, dept,
                           kPenaltyBasis, "警告（演示）");
              !s.ok())
            return s;
          break;
        default: break;
      }
    }
    const Principal who = Principal::System("demo");
    // Records in batches, each with its scores.
    for (std::size_t from = 0; from < records.size(); from += 2000) {
      std::vector<CreditRecord> batch(records.begin() + static_cast<std::ptrdiff_t>(from),
                                      records.begin() + static_cast<std::ptrdiff_t>(std::min(records.size(), from + 2000)));
      st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
        if (auto s = scoring.EnsureModels(uow); !s.ok()) return s;
        UpsertCounts counts;
        std::set<std::string> touched;
        return UpsertRecords(uow, batch, today, &counts, &touched);
      });
      if (!st.ok()) return st;
    }
    records_ = records.size();
    Scoring::RecomputeOptions o;
    auto sum = scoring.Recompute(who, o, nullptr);
    if (!sum.ok()) return sum.status();
    if (!sum.value().done) {
      o.restart = false;
    }
    auto risk = scoring.ClassifyRisk(who, today.substr(0, 7), o, nullptr);
    if (!risk.ok()) return risk.status();
    auto grades = scoring.GradeIntermediaries(who, today_d.value().year(), o, nullptr);
    if (!grades.ok()) return grades.status();
    // A subject with a veto and one without, for the report.
    st = platform.Read([&](Sql& sql) -> Status {
      auto a = sql.QueryText("SELECT uscc FROM credit_records WHERE ref LIKE 'DEMO-PEN-%-2' ORDER BY uscc LIMIT 1");
      if (!a.ok()) return a.status();
      example_heavy_ = a.value().value_or("");
      auto b = sql.QueryText("SELECT uscc FROM credit_records WHERE kind = 'honour' ORDER BY uscc LIMIT 1");
      if (!b.ok()) return b.status();
      example_honour_ = b.value().value_or("");
      return Status::Ok();
    });
    return st;
  }

  Status Report(DemoContext& ctx) override {
    ctx.out() << "\n信用 / credit: " << records_ << " 条演示信用记录，已评分、分类 / demo credit records, scored and classified\n";
    ctx.out() << "  xinjian --db " << ctx.database() << " credit models list\n";
    if (!example_heavy_.empty())
      ctx.out() << "  xinjian --db " << ctx.database() << " credit explain " << example_heavy_
                << "    # 较重处罚，一票否决 / a heavy penalty, vetoed\n";
    if (!example_honour_.empty())
      ctx.out() << "  xinjian --db " << ctx.database() << " credit explain " << example_honour_ << "    # 表彰 / an honour\n";
    if (!example_honour_.empty()) ctx.out() << "  网站 / site: /subjects/" << example_honour_ << "  ·  /api/v1/subjects/" << example_honour_ << "/credit\n";
    return Status::Ok();
  }

 private:
  Credit* c_;
  std::size_t records_ = 0;
  std::string example_heavy_, example_honour_;
};

}  // namespace

Status RegisterDemo(Registrar& reg, Credit* credit) {
  return reg.AddDemoStep("credit", std::make_unique<CreditDemo>(credit));
}

}  // namespace xj::credit
