// The draw plugin's part of `xinjian demo` (demo.h): a draw task over Ningbo (3302) for the
// first SCJG item, created, announced and drawn; once its results are published (the
// inspection plugin's step) it is revealed, and the report writes its proof and verifies it.
#include "xinjian/demo.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "tasks.h"

namespace xj::draw {
namespace {

constexpr const char* kDemoTask = "SCJG-DEMO-0001";

class DrawDemo final : public DemoStep {
 public:
  Status Load(DemoContext& ctx) override {
    Platform& platform = ctx.platform();
    if (LoadTask(platform, kDemoTask).ok()) return Status::Ok();  // loaded by an earlier demo
    std::string item;
    long long min_ppm = -1;
    Status st = platform.Read([&](Sql& sql) {
      return sql.Query(
          "SELECT code, COALESCE(ratio_min_ppm, -1) FROM items WHERE department = 'SCJG' AND qualification = '' "
          "AND target_labels = '' ORDER BY code",
          {}, [&](const SqlRow& r) {
            item = std::string(r.View(0));
            min_ppm = std::stoll(std::string(r.View(1)));
            return false;
          });
    });
    if (!st.ok()) return st;
    if (item.empty()) return Status::Ok();  // nothing suitable in this data: no demo draw
    const long long ppm = std::max(min_ppm, 30000LL);
    char pct[32];
    std::snprintf(pct, sizeof pct, "%lld.%04lld", ppm / 10000, ppm % 10000);
    const std::string spec_text = std::string(R"({"id": ")") + kDemoTask +
                                  R"(", "title": "演示：宁波市企业公示信息抽查 / demo draw",
      "department": "SCJG", "items": [")" +
                                  item +
                                  R"("], "filters": {"regions": ["3302"]},
      "rule": {"ratio_percent": {"*": ")" +
                                  pct +
                                  R"("}}, "team": {"slots": [{"group": "SCJG", "count": 2}]},
      "entropy_source": "演示用固定数字串 / a fixed demo string, a real task names a public lottery draw"})";
    TaskContext tc;
    tc.platform = &platform;
    tc.principal = ctx.principal();
    tc.spec_options.regions = &platform.Regions();
    auto spec = ParseTaskSpec(spec_text, tc.spec_options);
    if (!spec.ok()) return spec.status();
    if (auto t = CreateTask(tc, spec.value()); !t.ok()) return t.status();
    if (auto t = AnnounceTask(tc, kDemoTask); !t.ok()) return t.status();
    // The visits follow from draw.task.drawn (the inspection plugin's subscriber).
    return DrawTask(tc, kDemoTask, "7.8.11.17.19.25.46./").status();
  }

  Status Report(DemoContext& ctx) override {
    Platform& platform = ctx.platform();
    auto t = LoadTask(platform, kDemoTask);
    if (!t.ok()) return Status::Ok();  // no demo draw in this data
    std::ostream& out = ctx.out();
    out << "\n演示抽查任务 / demo draw task " << kDemoTask << "（" << t->state << "）: 对象池 / pool " << t->pool_size
        << ", 抽中 / selected " << t->allocation_json << "\n";
    if (t->state != "revealed") {
      out << "  证明 / proof: 检查结果全部公开后任务揭示，证明随之公开 / published with the reveal, once every result "
             "is "
             "published\n";
      return Status::Ok();
    }
    const std::string proof = ctx.work_dir() + "/proof-" + kDemoTask;
    if (Status st = WriteTaskProof(platform, kDemoTask, proof); !st.ok()) return st;
    const Status verified = VerifyProofFolder(proof, &platform);
    out << "  证明 / proof: " << proof << " — " << (verified.ok() ? "verified" : verified.message()) << "\n"
        << "  试试 / try: xinjian --db " << ctx.database() << " task show " << kDemoTask << "\n"
        << "             python3 tools/verify_draw.py " << proof << "\n";
    return verified;
  }
};

}  // namespace

Status RegisterDemo(Registrar& reg) { return reg.AddDemoStep("draw", std::make_unique<DrawDemo>()); }

}  // namespace xj::draw
