// The draw plugin's implementation of the service "draw.tasks" (include/draw/task_service.h)
// over the task service (tasks.h).
#pragma once

#include <memory>

#include "draw/task_service.h"
#include "xinjian/plugin.h"

namespace xj::draw {

// A new TaskService object (stateless: every function works on the caller's Sql or unit).
std::unique_ptr<TaskService> MakeTaskService();

// Provides MakeTaskService() as "draw.tasks" (the manifest lists it under "provides").
Status ProvideTaskService(Registrar& registrar);

}  // namespace xj::draw
