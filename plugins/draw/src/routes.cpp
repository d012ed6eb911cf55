// The draw plugin's JSON API (xinjian/http.h), served by `xinjian serve --listen`:
//
//   GET /api/v1/tasks        the task notices: every task announced (drafts are not public),
//                            newest first; ?state= announced|drawn|revealed|cancelled,
//                            ?department= CODE, ?limit= (1–500, default 50), ?offset=
//   GET /api/v1/tasks/{id}   one task's notice as `task show --json` prints it for the caller:
//                            the selection and teams only once revealed (or for the task's
//                            departments), never before
//
// A draft, and a task that does not exist, are the same 404: a draft's id is not public.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tasks.h"
#include "xinjian/http.h"

namespace xj::draw {
namespace {

using nlohmann::json;

Status NoTask(const std::string& id) {
  return Status::Error(StatusCode::kNotFound, "没有已公告的抽查任务 " + id, "no announced draw task " + id);
}

// A task id typed into a URL: short, printable, no separators.
bool PlausibleId(const std::string& id) {
  if (id.empty() || id.size() > 100) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

Status ListRoute(HttpContext& http) {
  const HttpRequest& req = http.request();
  auto page = ReadPage(req);
  if (!page.ok()) return page.status();
  const std::string state = req.Query("state"), department = req.Query("department");
  if (!state.empty() && state != "announced" && state != "drawn" && state != "revealed" && state != "cancelled")
    return Status::Error(StatusCode::kInvalidArgument, "参数 state 须为 announced、drawn、revealed 或 cancelled",
                         "state must be announced, drawn, revealed or cancelled");
  if (department.size() > 64)
    return Status::Error(StatusCode::kInvalidArgument, "参数 department 过长", "department is too long");
  json items = json::array();
  std::int64_t total = 0;
  Status st = http.platform().Read([&](Sql& sql) -> Status {
    if (!department.empty())
      if (Status s = RequireDepartment(sql, department); !s.ok()) return s;
    // Announced tasks only (drafts are not public), paged in the database.
    std::string where = " FROM draw_tasks WHERE COALESCE(announced_at_us, 0) <> 0";
    SqlParams params;
    if (!department.empty()) {
      where += " AND department = ?";
      params.emplace_back(department);
    }
    if (!state.empty()) {
      where += " AND state = ?";
      params.emplace_back(state);
    }
    auto n = sql.QueryInt("SELECT COUNT(*)" + where, params);
    if (!n.ok()) return n.status();
    total = n.value();
    SqlParams page_params = params;
    page_params.emplace_back(page->limit);
    page_params.emplace_back(page->offset);
    std::map<std::string, std::size_t> row_of;  // task id => index in items
    SqlParams ids;
    std::string in;
    Status q = sql.Query(
        "SELECT id, title, department, state, COALESCE(announce_date, ''), COALESCE(draw_date, ''), "
        "COALESCE(due_date, ''), COALESCE(pool_size, 0)" +
            where + " ORDER BY announced_at_us DESC, id LIMIT ? OFFSET ?",
        page_params, [&](const SqlRow& r) {
          row_of[r.Text(0)] = items.size();
          ids.emplace_back(r.Text(0));
          in += in.empty() ? "?" : ", ?";
          items.push_back({{"id", r.Text(0)},
                           {"title", r.Text(1)},
                           {"department", r.Text(2)},
                           {"state", r.Text(3)},
                           {"announce_date", r.Text(4)},
                           {"draw_date", r.Text(5)},
                           {"due_date", r.Text(6)},
                           {"pool_size", r.Int(7)},
                           {"items", json::array()}});
          return true;
        });
    if (!q.ok() || ids.empty()) return q;
    // The page's item codes in one query.
    return sql.Query("SELECT task_id, item_code FROM draw_task_items WHERE task_id IN (" + in +
                         ") ORDER BY task_id, item_code",
                     ids, [&](const SqlRow& r) {
                       items[row_of.at(r.Text(0))]["items"].push_back(r.Text(1));
                       return true;
                     });
  });
  if (!st.ok()) return st;
  json out{{"items", items}, {"total", total}, {"limit", page->limit}, {"offset", page->offset}};
  http.response().body = out.dump(-1, ' ', false, json::error_handler_t::replace);
  return Status::Ok();
}

Status TaskRoute(HttpContext& http) {
  const std::string& id = http.request().path_params.at("id");
  if (!PlausibleId(id)) return NoTask(id.substr(0, 100));
  std::string body;
  Status st = http.platform().Read([&](Sql& sql) -> Status {
    auto t = LoadTask(sql, id);
    if (!t.ok()) return t.status().code() == StatusCode::kNotFound ? NoTask(id) : t.status();
    if (t->announced_at_us == 0) return NoTask(id);
    auto view = TaskViewJson(sql, t.value(), http.principal());
    if (!view.ok()) return view.status();
    body = std::move(view).value();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  http.response().body = std::move(body);
  return Status::Ok();
}

}  // namespace

Status RegisterRoutes(Registrar& reg) {
  if (Status st = reg.AddRoute(RouteSpec{HttpMethod::kGet, "/api/v1/tasks", RouteAccess::kPublic, {},
                                         "抽查任务公告列表 / the task notices"},
                               ListRoute);
      !st.ok())
    return st;
  return reg.AddRoute(RouteSpec{HttpMethod::kGet, "/api/v1/tasks/{id}", RouteAccess::kPublic, {},
                                "一个抽查任务的公告 / one task's notice"},
                      TaskRoute);
}

}  // namespace xj::draw
