// The draw plugin's job handlers: draw.scheduled (a task created, announced and, when its
// entropy needs no value, drawn at a scheduled time) and draws.pending (announced tasks drawn
// as soon as their entropy is available), and the default job builtin.draws-pending.
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tasks.h"
#include "xinjian/job.h"

namespace xj::draw {
namespace {

using nlohmann::json;

// YYYYMMDDHHMM of the instant on the wall clock of `zone` (the platform's zone when `zone` is
// unknown), from FormatLocal's "YYYY-MM-DD HH:MM:SS +08:00".
std::string LocalStamp(const TimeService& time, std::int64_t at_us, const std::string& zone) {
  Result<std::string> t = time.FormatLocal(at_us, zone);
  if (!t.ok()) t = time.FormatLocal(at_us);
  if (!t.ok() || t.value().size() < 16) return std::to_string(at_us / 60000000);
  const std::string& s = t.value();
  return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2) + s.substr(11, 2) + s.substr(14, 2);
}

TaskContext JobTasks(JobPlatform& platform, const JobInvocation& run) {
  TaskContext tc;
  tc.platform = &platform;
  // The audit actor of the run's units is the job's system principal ("job:<job name>").
  tc.principal = Principal::System("job:" + run.job);
  tc.spec_options.regions = &platform.Regions();
  return tc;
}

// A scheduled draw: payload {"spec": {task spec without id}, "id_prefix": "SCJG-AUTO"}. The
// task id comes from the scheduled time, so a re-run continues the same task. It is created
// and announced; drawn at once when its entropy source is "none" (the notice says so),
// otherwise left announced for `task draw ID --entropy` once the declared value is public.
class ScheduledDraw final : public JobHandler {
 public:
  std::string Description() const override {
    return "按计划创建、公告任务（随机源为 none 时立即抽取）/ creates and announces a task on schedule (drawn at once "
           "when its entropy source is none)";
  }
  Status Run(const JobInvocation& run, JobServices& services) override {
    json p = json::parse(run.payload_json, nullptr, false);
    if (p.is_discarded() || !p.is_object())
      return Status::Error(StatusCode::kInvalidArgument, "payload 不是有效的 JSON", "the payload is not valid JSON");
    if (!p.contains("spec") || !p["spec"].is_object())
      return Status::Error(StatusCode::kInvalidArgument, "payload 缺少 spec", "the payload lacks spec");
    if (p.contains("id_prefix") && !p["id_prefix"].is_string())
      return Status::Error(StatusCode::kInvalidArgument, "payload 的 id_prefix 须为字符串",
                           "the payload's id_prefix must be a string");
    JobPlatform platform(services);
    json spec = p["spec"];
    const std::string id =
        p.value("id_prefix", run.job) + "-" + LocalStamp(platform.Time(), run.scheduled_us, run.time_zone);
    spec["id"] = id;
    TaskContext tc = JobTasks(platform, run);
    auto t = LoadTask(platform, id);
    if (!t.ok()) {
      auto parsed = ParseTaskSpec(spec.dump(), tc.spec_options);
      if (!parsed.ok()) return parsed.status();
      auto c = CreateTask(tc, parsed.value());
      if (!c.ok()) return c.status();
      t = c;
    }
    if (t->state == "draft") {
      auto a = AnnounceTask(tc, id);
      if (!a.ok()) return a.status();
      t = a;
    }
    // Source "none": drawn now; "manual": drawn by draws.pending once the value is supplied.
    // The visits follow from draw.task.drawn (the inspection plugin).
    if (t->state == "announced") return DrawIfReady(tc, id).status();
    return Status::Ok();
  }
};

// Every announced task whose entropy is available is drawn. Each draw is a unit of its own (a
// savepoint in the run's transaction): a task that fails leaves nothing and stops no other;
// its reason is kept as the event draw.pending.failed, and the run succeeds with the other
// draws (a failed run would keep none of them). The next run tries the task again.
class PendingDraws final : public JobHandler {
 public:
  std::string Description() const override {
    return "抽取随机源已可用的已公告任务 / draws the announced tasks whose entropy is available";
  }
  Status Run(const JobInvocation& run, JobServices& services) override {
    JobPlatform platform(services);
    auto tasks = ListTasks(platform, "", "announced");
    if (!tasks.ok()) return tasks.status();
    for (const auto& t : tasks.value()) {
      if (services.Cancelled()) break;
      TaskContext tc = JobTasks(platform, run);
      Status st = DrawIfReady(tc, t.id).status();
      if (st.ok()) continue;
      json e{{"id", t.id}, {"job", run.job}, {"scheduled_us", run.scheduled_us}, {"reason", st.message()}};
      if (Status pub = services.PublishEvent("draw.pending.failed", t.id, e.dump()); !pub.ok()) return pub;
    }
    return Status::Ok();
  }
};

}  // namespace

Status RegisterJobs(Registrar& reg) {
  if (Status st = reg.AddJobHandler("draw.scheduled", std::make_unique<ScheduledDraw>()); !st.ok()) return st;
  if (Status st = reg.AddJobHandler("draws.pending", std::make_unique<PendingDraws>()); !st.ok()) return st;
  // Announced tasks whose entropy is available are drawn within a minute.
  DefaultJob pending;
  pending.name = "builtin.draws-pending";
  pending.schedule = "* * * * *";
  pending.handler = "draws.pending";
  pending.misfire = "skip";
  pending.description = "每分钟抽取随机源已可用的任务 / draws tasks whose entropy is available, every minute";
  return reg.AddDefaultJob(pending);
}

}  // namespace xj::draw
