// The draw plugin's registrations besides its sampler: the command-line commands of tasks
// (commands.cpp), the job handlers of scheduled and pending draws (jobs.cpp) and the demo
// task (demo.cpp).
#pragma once

#include <string>
#include <vector>

#include "xinjian/plugin.h"
#include "xinjian/status.h"

namespace xj::draw {

// One option or argument of a command (command.h: CommandOption).
inline CommandOption Opt(std::string name, std::string help, OptionKind kind = OptionKind::kText, bool required = false,
                         std::vector<std::string> choices = {}, std::string fallback = "") {
  CommandOption o;
  o.name = std::move(name);
  o.help = std::move(help);
  o.kind = kind;
  o.required = required;
  o.choices = std::move(choices);
  o.fallback = std::move(fallback);
  return o;
}

// task create|announce|entropy|draw|reveal|cancel|show|list|proof, tasks for, verify.
Status RegisterCommands(Registrar& reg);
// draw.scheduled, draws.pending and the default job builtin.draws-pending.
Status RegisterJobs(Registrar& reg);
// The demo task of `xinjian demo` (demo.cpp).
Status RegisterDemo(Registrar& reg);
// bench draw and bench draw-run (bench.cpp).
Status RegisterBench(Registrar& reg);
// The JSON API routes (routes.cpp): GET /api/v1/tasks and /api/v1/tasks/{id}.
Status RegisterRoutes(Registrar& reg);

}  // namespace xj::draw
