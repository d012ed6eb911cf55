// The inspection plugin (docs/visits.md): visits, results, review, publication, deadlines,
// merging, notices and statistics, on the SDK alone. It registers:
//   - the commands of visits.h (commands.cpp): visit show|start|result|review|publish, visits
//     for|merge|dispatch, results import, deadlines, notices task|results, stats;
//   - the writing subscriber "inspection.visits": when draw.task.drawn is delivered, the
//     task's visits are created in the unit of work of the delivery (CreateVisitsIn does
//     nothing when they exist, so a second delivery changes nothing);
//   - the job handler "deadlines.refresh" and its default job builtin.deadlines (hourly):
//     deadline cards, provisional due dates, missing visits and automatic reveals, in the
//     run's transaction;
//   - its step of `xinjian demo` (demo.cpp): the demo task's results;
//   - the public routes of `xinjian serve --listen` (routes.cpp): the published results as a
//     JSON API, CSV / JSON Lines / .xlsx downloads and an Atom feed (results.cpp reads them);
//   - its pages (pages.cpp): the results pages, a home and a subject section, the inspector's
//     task list (task_list.cpp) and a supervisor's department's visits, with their JSON twins.
// It requires the draw plugin's service "draw.tasks" (draw/task_service.h): the tasks, their
// selection and the reveal. Without the draw plugin it does not load, and the host says why,
// naming both plugins.
//
// Its migrations take over tables an older release created as core migrations (001_visits
// adopts core 003_visits, 002_deadline_provisional adopts core 006_deadline_provisional:
// xinjian/plugin.h). The tables have no foreign key into the draw plugin's tables; a visit
// names its task by id only.
#include <xinjian/plugin.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "draw/task_service.h"
#include "pages.h"
#include "routes.h"
#include "visits.h"

namespace {

using nlohmann::json;

constexpr const char* kPluginName = "inspection";

// draw.task.drawn => the task's visits (once: a redelivery finds them and does nothing).
class OnDrawn final : public xj::WritingSubscriber {
 public:
  OnDrawn(xj::Platform& platform, const xj::draw::TaskService* tasks) : platform_(platform), tasks_(tasks) {}
  std::string TopicPrefix() const override { return "draw.task.drawn"; }

  xj::Status OnEvent(const xj::Event& e, xj::UnitOfWork& uow) override {
    if (e.topic != "draw.task.drawn") return xj::Status::Ok();
    const json p = json::parse(e.payload_json, nullptr, /*allow_exceptions=*/false);
    if (!p.is_object() || !p.contains("id") || !p["id"].is_string())
      return xj::Status::Error(xj::StatusCode::kInvalidArgument, "事件 " + std::to_string(e.id) + " 缺少任务编号",
                               "event " + std::to_string(e.id) + " has no task id");
    const std::string task = p["id"].get<std::string>();
    auto found = tasks_->Find(uow.sql(), task);
    if (!found.ok()) return found.status();
    // Cancelled since its draw: nobody inspects it, and the event must not block the ones
    // after it.
    if (found->state != "drawn" && found->state != "revealed") return xj::Status::Ok();
    xj::inspection::VisitContext vc;
    vc.platform = &platform_;  // the clock and calendar; the writes are the delivery's unit's
    vc.tasks = tasks_;
    vc.principal = uow.principal();
    auto n = xj::inspection::CreateVisitsIn(vc, uow, task);
    return n.ok() ? xj::Status::Ok() : n.status();
  }

 private:
  xj::Platform& platform_;
  const xj::draw::TaskService* tasks_;
};

// deadlines.refresh: RefreshDeadlines in the run's own transaction, "today" being the run's
// scheduled date (a retried run decides the same).
class RefreshDeadlinesJob final : public xj::JobHandler {
 public:
  explicit RefreshDeadlinesJob(const xj::draw::TaskService* tasks) : tasks_(tasks) {}
  std::string Description() const override {
    return "公示期限的黄牌、红牌，补建检查记录，揭示已全部公示的任务 / deadline cards, missing visits, automatic "
           "reveals";
  }
  xj::Status Run(const xj::JobInvocation& run, xj::JobServices& services) override {
    xj::Platform& platform = services.platform();
    auto today = platform.Time().LocalDate(run.scheduled_us);
    if (!today.ok()) return today.status();
    auto options = xj::inspection::VisitOptions::FromConfig(
        kPluginName, [&services](const std::string& k, const std::string& f) { return services.Config(k, f); });
    if (!options.ok()) return options.status();
    xj::inspection::VisitContext vc;
    vc.platform = &platform;
    vc.tasks = tasks_;
    vc.principal = xj::Principal::System("job:" + run.job);
    vc.options = options.value();
    vc.today = today.value().ToString();
    vc.run_unit = [&services](const xj::UnitOfWorkFn& fn) { return services.RunInTransaction(fn); };
    return xj::inspection::RefreshDeadlines(vc).status();
  }

 private:
  const xj::draw::TaskService* tasks_;
};

xj::Status Init(xj::Registrar& registrar) {
  xj::Result<xj::draw::TaskService*> tasks = xj::RequireService<xj::draw::TaskService>(registrar);
  if (!tasks.ok()) return tasks.status();
  // The draw asks this plugin what the inspection of its drawn tasks has come to (the reveal,
  // a task's view, an inspector's list) instead of reading the inspection's tables.
  if (auto st = tasks.value()->SetFollowUp(&xj::inspection::VisitFollowUp()); !st.ok()) return st;
  if (auto st = registrar.AddWritingSubscriber("inspection.visits",
                                               std::make_unique<OnDrawn>(registrar.platform(), tasks.value()));
      !st.ok())
    return st;
  if (auto st = registrar.AddJobHandler("deadlines.refresh", std::make_unique<RefreshDeadlinesJob>(tasks.value()));
      !st.ok())
    return st;
  // Deadline cards, visits of drawn tasks, automatic reveals: hourly, at five past.
  xj::DefaultJob deadlines;
  deadlines.name = "builtin.deadlines";
  deadlines.schedule = "5 * * * *";
  deadlines.handler = "deadlines.refresh";
  deadlines.misfire = "fire_once_now";
  deadlines.description = "每小时更新公示期限的黄牌、红牌 / hourly deadline cards";
  if (auto st = registrar.AddDefaultJob(deadlines); !st.ok()) return st;
  if (auto st = xj::inspection::RegisterDemo(registrar, tasks.value()); !st.ok()) return st;
  if (auto st = xj::inspection::RegisterCommands(registrar, tasks.value()); !st.ok()) return st;
  if (auto st = xj::inspection::RegisterRoutes(registrar, tasks.value()); !st.ok()) return st;
  if (auto st = xj::inspection::RegisterPages(registrar, tasks.value()); !st.ok()) return st;
  return xj::inspection::RegisterBench(registrar, tasks.value());
}

}  // namespace

XJ_PLUGIN(Init)
