// The punishment plugin (docs/punishment.md): joint punishment and reward (联合奖惩) and the
// credit check (信用核查), on the SDK alone. It registers:
//   - the writing subscriber "punishment.cases" on the lists plugin's events: a listing in force
//     opens a case fanned out to the departments with a triggered measure, and its end asks them
//     to stop; both keep the check index's listings and sequence in step;
//   - the job punishment.retention (default job builtin.punishment-retention, daily): the check
//     log is kept 10 years (plugins.punishment.retention_years);
//   - the commands (commands.cpp) and the routes and pages (routes.cpp).
#include <xinjian/config.h>
#include <xinjian/events.h>
#include <xinjian/job.h>
#include <xinjian/plugin.h>

#include "punishment.h"

namespace xj::punishment {
namespace {

class OnListing final : public WritingSubscriber {
 public:
  explicit OnListing(Platform& platform) : platform_(platform) {}
  std::string TopicPrefix() const override { return "lists.listing."; }
  Status OnEvent(const Event& e, UnitOfWork& uow) override {
    return OnListingEvent(platform_, uow, e.topic, e.payload_json);
  }

 private:
  Platform& platform_;
};

class RetentionJob final : public JobHandler {
 public:
  std::string Description() const override {
    return "信用核查日志保存期满删除（默认 10 年） / deletes credit-check log entries past their retention (10 years "
           "by default)";
  }
  Status Run(const JobInvocation& run, JobServices& services) override {
    return services.RunInTransaction([&](UnitOfWork& uow) -> Status {
      auto n = RunRetention(services.platform(), uow, run.scheduled_us);
      return n.ok() ? Status::Ok() : n.status();
    });
  }
};

Status Init(Registrar& reg) {
  TypedConfig cfg(reg);
  Settings& s = CurrentSettings();
  auto respond = cfg.Int("respond_working_days", 5, 1, 60);
  if (!respond.ok()) return respond.status();
  auto feedback = cfg.Int("feedback_working_days", 10, 1, 120);
  if (!feedback.ok()) return feedback.status();
  auto stop = cfg.Int("stop_working_days", 5, 1, 60);
  if (!stop.ok()) return stop.status();
  auto retention = cfg.Int("retention_years", 10, 1, 100);
  if (!retention.ok()) return retention.status();
  s.respond_working_days = static_cast<int>(respond.value());
  s.feedback_working_days = static_cast<int>(feedback.value());
  s.stop_working_days = static_cast<int>(stop.value());
  s.retention_years = static_cast<int>(retention.value());
  auto flush = cfg.Int("check_log_flush_ms", 20, 0, 1000);
  if (!flush.ok()) return flush.status();
  s.check_log_flush_ms = static_cast<int>(flush.value());
  if (auto st = reg.AddWritingSubscriber("punishment.cases", std::make_unique<OnListing>(reg.platform())); !st.ok())
    return st;
  if (auto st = reg.AddJobHandler("punishment.retention", std::make_unique<RetentionJob>()); !st.ok()) return st;
  DefaultJob d;
  d.name = "builtin.punishment-retention";
  d.schedule = "40 2 * * *";
  d.handler = "punishment.retention";
  d.misfire = "fire_once_now";
  d.description = "信用核查日志保存 10 年 / the credit-check log is kept 10 years";
  if (auto st = reg.AddDefaultJob(d); !st.ok()) return st;
  if (auto st = RegisterCommands(reg); !st.ok()) return st;
  if (auto st = RegisterRoutes(reg); !st.ok()) return st;
  if (auto st = RegisterBench(reg); !st.ok()) return st;
  return RegisterDemo(reg);
}

}  // namespace
}  // namespace xj::punishment

XJ_PLUGIN(xj::punishment::Init)
