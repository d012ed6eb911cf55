// The inspection plugin's commands (xinjian/command.h): visit show|start|result|review|publish,
// visits for|merge|dispatch, results import, deadlines, notices task|results, stats
// (docs/visits.md). Each runs the visit service (visits.h) on the command's platform as the
// caller's principal; the department of --department is the principal's.
#pragma once

#include "draw/task_service.h"
#include "xinjian/command.h"
#include "xinjian/plugin.h"

namespace xj::inspection {

// Registers every command with `registrar` (capability "command"). `tasks` is the draw
// plugin's service, valid for the life of the process.
Status RegisterCommands(Registrar& registrar, const draw::TaskService* tasks);
// The inspection's step of `xinjian demo` (demo.cpp): the results of every drawn task's
// visits, entered, approved and published.
Status RegisterDemo(Registrar& registrar, const draw::TaskService* tasks);
// `bench deadlines` and `bench deadlines-run` (bench.cpp): one department's deadlines over a
// million visits beside a full scan with day-by-day counting.
Status RegisterBench(Registrar& registrar, const draw::TaskService* tasks);

// The `deadlines` command's handler, for running it in the same process as a user runs it
// (bench.cpp): the options it reads are --limit, --today, --state, --all and --refresh.
Status DeadlinesCommand(CommandContext& ctx, const draw::TaskService* tasks);

}  // namespace xj::inspection
