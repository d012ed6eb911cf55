// The draw plugin: registers the xj-draw-v1 sampler (docs/draw-v1.md), the task commands
// (commands.cpp), the draw jobs (jobs.cpp), the benchmark (bench.cpp) and the demo task
// (demo.cpp) with the host, and provides the service "draw.tasks"
// (include/draw/task_service.h) to other plugins. Tasks, pools and teams are driven by the
// task service (tasks.h), which asks the host for the task's sampler by name, so this sampler
// and any other (plugins/rfc3797) are used the same way.
#include <xinjian/plugin.h>
#include <xinjian/sampler.h>

#include <memory>

#include "commands.h"
#include "draw_v1.h"
#include "task_service_impl.h"

namespace {

class DrawV1Sampler final : public xj::Sampler {
 public:
  std::string Description() const override {
    return "每个对象的签 = H(种子 || 统一社会信用代码)，各层取最小者 / ticket = H(seed || uscc), the smallest "
           "tickets of each stratum";
  }

  xj::Result<xj::SampleResult> Sample(const xj::SampleRequest& r) const override {
    if (r.pool == nullptr)
      return xj::Status::Error(xj::StatusCode::kInvalidArgument, "未提供检查对象池", "no pool given");
    if (auto st = xj::draw::ValidateId("task_id", r.task_id); !st.ok()) return st;
    xj::SampleResult out;
    out.seed = xj::draw::Seed(r.task_id, r.pool_hash, r.secret, r.entropy);
    const auto tickets = xj::draw::Tickets(out.seed, *r.pool);
    const auto selection = xj::draw::Select(*r.pool, tickets, r.allocation);
    out.members.reserve(selection.members.size());
    for (const auto& m : selection.members) out.members.push_back({m.index, xj::draw::ToHex(m.ticket)});
    return out;
  }
};

xj::Status Init(xj::Registrar& registrar) {
  // The service "draw.tasks" (include/draw/task_service.h) for the inspection plugin.
  if (auto st = xj::draw::ProvideTaskService(registrar); !st.ok()) return st;
  if (auto st = registrar.AddSampler(std::string(xj::draw::kAlgorithm), std::make_unique<DrawV1Sampler>()); !st.ok())
    return st;
  if (auto st = xj::draw::RegisterCommands(registrar); !st.ok()) return st;
  if (auto st = xj::draw::RegisterJobs(registrar); !st.ok()) return st;
  if (auto st = xj::draw::RegisterBench(registrar); !st.ok()) return st;
  if (auto st = xj::draw::RegisterRoutes(registrar); !st.ok()) return st;
  return xj::draw::RegisterDemo(registrar);
}

}  // namespace

XJ_PLUGIN(Init)
