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
  std::size_t total = 0;
  Status st = http.platform().Read([&](Sql& sql) -> Status {
    if (!department.empty())
      if (Status s = RequireDepartment(sql, department); !s.ok()) return s;
    auto list = ListTasks(sql, department, state);
    if (!list.ok()) return list.status();
    std::vector<TaskRecord> tasks;
    for (auto& t : list.value())
      if (t.announced_at_us != 0) tasks.push_back(std::move(t));  // drafts are not public
    std::stable_sort(tasks.begin(), tasks.end(), [](const TaskRecord& a, const TaskRecord& b) {
      return a.announced_at_us != b.announced_at_us ? a.announced_at_us > b.announced_at_us : a.id < b.id;
    });
    total = tasks.size();
    const std::size_t from = std::min<std::size_t>(total, static_cast<std::size_t>(page->offset));
    const std::size_t to = std::min<std::size_t>(total, from + static_cast<std::size_t>(page->limit));
    for (std::size_t i = from; i < to; ++i) {
      TaskRecord& t = tasks[i];
      if (t.items.empty()) {
        Status q = sql.Query("SELECT item_code FROM draw_task_items WHERE task_id = ? ORDER BY item_code", {t.id},
                             [&](const SqlRow& r) {
                               t.items.push_back(r.Text(0));
                               return true;
                             });
        if (!q.ok()) return q;
      }
      items.push_back({{"id", t.id},
                       {"title", t.title},
                       {"department", t.department},
                       {"state", t.state},
                       {"announce_date", t.announce_date},
                       {"draw_date", t.draw_date},
                       {"due_date", t.due_date},
                       {"pool_size", t.pool_size},
                       {"items", t.items}});
    }
    return Status::Ok();
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
