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
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "draw/task_service.h"
#include "results.h"
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

// Shared with the pages (pages.cpp), so that a page and its API twin read a query alike:
// CheckResultParameters refuses (400) a parameter not in `allowed` or one given twice;
// ReadResultFilters reads the filters of ResultFilterNames() (400 for a bad shape);
// RequireNamedFilters (inside a read) is 404 for a task that is not announced, a department or
// an item that does not exist; ResultQueryString makes "?k=v&…" (percent-encoded, by name).
Status CheckResultParameters(const HttpRequest& req, const std::set<std::string>& allowed);
Status ReadResultFilters(const HttpRequest& req, const Platform& platform, ResultQuery* q);
Status RequireNamedFilters(Sql& sql, const draw::TaskService& tasks, const ResultQuery& q);
std::string ResultQueryString(const std::multimap<std::string, std::string>& params);
const std::set<std::string>& ResultFilterNames();
// Letters, digits, '.', '_', '-', 1..max bytes (a task or visit id).
bool IsIdText(const std::string& s, std::size_t max);
// An 18-character USCC with a valid check character.
bool IsValidUscc(const std::string& s);

}  // namespace xj::inspection
