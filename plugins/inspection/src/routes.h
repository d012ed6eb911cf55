// The inspection plugin's HTTP routes (xinjian/http.h, capability "http"), served by `xinjian
// serve --listen`: the published results as a JSON API, as downloads (CSV in UTF-8 with a
// byte-order mark or GB18030, JSON Lines, .xlsx) and as an Atom feed of new result notices.
// docs/visits.md ("Results API and downloads") is the reference; routes.cpp has the details.
//
// Everything here is public and reads published results only (results.h): no route serves a
// result before its department published it, an inspector, a team, a rank, a risk class or
// any personal number.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "draw/task_service.h"
#include "xinjian/http.h"
#include "xinjian/plugin.h"
#include "xinjian/status.h"

namespace xj::inspection {

struct RouteOptions {
  // The most rows one download holds (plugins.inspection.download_rows, 1–1,000,000): its
  // ?limit= may ask for fewer; more are reached with ?offset= (the Link: rel="next" header).
  std::int64_t download_rows = 20000;
};

// The routes (spec and handler) with the task service they read tasks through.
std::vector<std::pair<RouteSpec, RouteFn>> ResultRoutes(const draw::TaskService* tasks, RouteOptions options);

// Registers ResultRoutes, with RouteOptions read from the plugin's configuration (a bad value
// fails the plugin, naming the key).
Status RegisterRoutes(Registrar& registrar, const draw::TaskService* tasks);

}  // namespace xj::inspection
