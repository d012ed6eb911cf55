// The inspection plugin's pages (xinjian/http.h, html.h; capability "http"), served by `xinjian
// serve --listen`: the published results as pages of the site (GET /results, /results/{task}),
// a section of the home page (the newest result notices) and of a subject's page (its published
// results), the inspector's own task list (GET /my/visits, /my/visits/{visit} and their JSON
// twins under /api/v1/my/visits) and a supervisor's department's visits (GET
// /department/visits, /api/v1/department/visits), with navigation links. docs/visits.md
// ("Pages") is the reference; pages.cpp has the details.
//
// The results pages are public and read what the results API reads (results.h). The task lists
// are not public (task_list.h): an inspector sees only the visits he is on the team of (404 for
// any other, whether it exists or not), a supervisor only his department's.
#pragma once

#include "draw/task_service.h"
#include "xinjian/plugin.h"
#include "xinjian/status.h"

namespace xj::inspection {

// Registers the pages, the JSON twins of the task lists, the navigation links and the sections.
Status RegisterPages(Registrar& registrar, const draw::TaskService* tasks);

}  // namespace xj::inspection
