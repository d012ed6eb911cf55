// The inspection plugin's part of `xinjian demo` (demo.h): every visit of a drawn task gets
// its results, entered by the team's lead as inspected today (mostly nothing found, some
// problems ordered corrected, one subject unreachable), approved and published by its
// department. Publishing the last result of a task reveals it (the draw plugin's report then
// writes its proof). Idempotent: items already entered, approved or published move on from
// where they are.
#include "xinjian/demo.h"

#include <memory>
#include <set>

#include "commands.h"
#include "draw/task_service.h"
#include "visits.h"

namespace xj::inspection {
namespace {

class InspectionDemo final : public DemoStep {
 public:
  explicit InspectionDemo(const draw::TaskService* tasks) : tasks_(tasks) {}

  Status Load(DemoContext& ctx) override {
    VisitContext vc = Context(ctx);
    std::vector<std::string> drawn;
    Status st = ctx.platform().Read([&](Sql& sql) -> Status {
      auto ids = tasks_->IdsInStates(sql, {"drawn"});
      if (!ids.ok()) return ids.status();
      drawn = ids.value();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    auto today_date = ctx.platform().Time().LocalDate(ctx.platform().NowMicros());
    if (!today_date.ok()) return today_date.status();
    const std::string today = today_date->ToString();
    auto calendar = ctx.platform().Calendar();
    if (!calendar.ok()) return calendar.status();
    int n = 0;
    for (const std::string& task : drawn) {
      std::vector<std::string> visits;
      st = ctx.platform().Read([&](Sql& sql) {
        return sql.Query("SELECT DISTINCT visit_id FROM visit_items WHERE task_id = ? ORDER BY visit_id", {task},
                         [&](const SqlRow& r) {
                           visits.emplace_back(r.View(0));
                           return true;
                         });
      });
      if (!st.ok()) return st;
      for (const std::string& id : visits) {
        auto v = LoadVisit(vc, id);
        if (!v.ok()) return v.status();
        if (v->team.empty()) continue;
        std::set<std::string> departments;
        for (const VisitItem& item : v->items) {
          departments.insert(item.department);
          if (item.state != "pending" && item.state != "returned") continue;
          ResultEntry e;
          e.visit_id = id;
          e.item_code = item.item_code;
          e.inspected_on = today;
          e.method = "on_site";
          e.by = v->team.front();
          const int k = n++ % 10;
          e.result_code = k == 3 ? "corrected" : k == 7 ? "not_published" : n == 5 ? "unreachable" : "no_problem";
          if (e.result_code == "corrected" || e.result_code == "not_published") {
            e.follow_up.kind = "correct";
            auto d = calendar.value()->AddWorkingDays(today_date.value(), 10);
            if (!d.ok()) return d.status();
            e.follow_up.deadline = d->ToString();
            e.findings = "演示：发现问题，已责令限期改正 / demo: ordered to correct";
          }
          if (auto r = EnterResult(vc, e); !r.ok()) return r.status();
        }
        for (const std::string& dept : departments) {
          auto now = LoadVisit(vc, id);
          if (!now.ok()) return now.status();
          bool entered = false, approved = false;
          for (const VisitItem& item : now->items) {
            if (item.department != dept) continue;
            entered = entered || item.state == "entered";
            approved = approved || item.state == "approved" || item.state == "entered";
          }
          if (entered)
            if (auto r = ReviewResults(vc, id, dept, "", true, ""); !r.ok()) return r.status();
          if (approved)
            if (auto r = PublishResults(vc, id, dept); !r.ok()) return r.status();
        }
      }
    }
    return SuggestInspectors(ctx, vc);
  }

  Status Report(DemoContext& ctx) override {
    ctx.out() << "  检查结果 / inspection results: xinjian --db " << ctx.database() << " stats\n"
              << "                                 xinjian --db " << ctx.database()
              << " notices results --task SCJG-DEMO-0001\n"
              << "                                 xinjian --db " << ctx.database() << " deadlines --all --limit 5\n";
    return Status::Ok();
  }

 private:
  // Sign-ins for the site: the lead and one other member of the demo task's first visit, each
  // sees that visit in their task list (docs/web.md).
  Status SuggestInspectors(DemoContext& ctx, VisitContext& vc) const {
    std::string first;
    Status st = ctx.platform().Read([&](Sql& sql) -> Status {
      auto ids = tasks_->IdsInStates(sql, {"drawn", "revealed"});
      if (!ids.ok()) return ids.status();
      for (const std::string& task : ids.value()) {
        auto v = sql.QueryText("SELECT MIN(visit_id) FROM visit_items WHERE task_id = ?", {task});
        if (!v.ok()) return v.status();
        if (v.value()) {
          first = *v.value();
          break;
        }
      }
      return Status::Ok();
    });
    if (!st.ok() || first.empty()) return st;
    auto v = LoadVisit(vc, first);
    if (!v.ok()) return v.status();
    for (std::size_t i = 0; i < v->team.size() && i < 2; ++i) {
      std::string department;
      st = ctx.platform().Read([&](Sql& sql) -> Status {
        auto d = sql.QueryText("SELECT department FROM inspectors WHERE id = ?", {v->team[i]});
        if (!d.ok()) return d.status();
        if (d.value()) department = *d.value();
        return Status::Ok();
      });
      if (!st.ok()) return st;
      if (department.empty()) continue;
      ctx.SuggestAccount({v->team[i], kRoleInspector, department, v->team[i],
                          i == 0 ? "检查组组长：检查任务 " + first + " / team lead of visit " + first
                                 : "检查组成员：检查任务 " + first + " / team member of visit " + first});
    }
    return Status::Ok();
  }

  VisitContext Context(DemoContext& ctx) const {
    VisitContext vc;
    vc.platform = &ctx.platform();
    vc.tasks = tasks_;
    vc.principal = ctx.principal();
    return vc;
  }
  const draw::TaskService* tasks_;
};

}  // namespace

Status RegisterDemo(Registrar& reg, const draw::TaskService* tasks) {
  return reg.AddDemoStep("inspection", std::make_unique<InspectionDemo>(tasks));
}

}  // namespace xj::inspection
