// The inspector's task list and a department's visits (see task_list.h).
#include "task_list.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "visits.h"
#include "xinjian/opendata.h"

namespace xj::inspection {
namespace {

struct TaskFacts {
  std::string title, due_date;
};

// The title and due date of each task, through the draw's service (a task gone from it, which
// cannot happen while its visits exist, shows neither).
Result<std::map<std::string, TaskFacts>> TasksOf(Sql& sql, const draw::TaskService& tasks,
                                                 const std::set<std::string>& ids) {
  std::map<std::string, TaskFacts> out;
  for (const std::string& id : ids) {
    if (id.empty()) continue;
    auto t = tasks.Find(sql, id);
    if (!t.ok()) {
      if (t.status().code() != StatusCode::kNotFound) return t.status();
      out[id] = TaskFacts{};
      continue;
    }
    out[id] = TaskFacts{t->title, t->due_date};
  }
  return out;
}

// The names of inspectors `ids` (never their id numbers).
Result<std::map<std::string, std::string>> NamesOf(Sql& sql, const std::vector<std::string>& ids) {
  std::map<std::string, std::string> out;
  if (ids.empty()) return out;
  std::string marks;
  SqlParams params;
  for (const std::string& id : ids) {
    marks += marks.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  Status st = sql.Query("SELECT id, name FROM inspectors WHERE id IN (" + marks + ")", params, [&](const SqlRow& r) {
    out[r.Text(0)] = r.Text(1);
    return true;
  });
  if (!st.ok()) return st;
  return out;
}

std::string EarliestDue(const std::vector<std::string>& task_ids, const std::map<std::string, TaskFacts>& facts) {
  std::string due;
  for (const std::string& t : task_ids) {
    auto it = facts.find(t);
    if (it == facts.end() || it->second.due_date.empty()) continue;
    if (due.empty() || it->second.due_date < due) due = it->second.due_date;
  }
  return due;
}

// The visit as a list shows it, for `inspector` ("" for a department's list).
Result<ListedVisit> Listed(Sql& sql, const Visit& v, const std::map<std::string, TaskFacts>& facts,
                           const std::string& inspector) {
  ListedVisit out;
  out.id = v.id;
  out.uscc = v.uscc;
  out.name = v.name;
  out.address = v.address;
  out.state = v.state;
  out.merged_into = v.merged_into;
  out.started_on = v.started_on;
  auto names = NamesOf(sql, v.team);
  if (!names.ok()) return names.status();
  for (std::size_t i = 0; i < v.team.size(); ++i) {
    TeamMember m;
    auto n = names->find(v.team[i]);
    m.name = n == names->end() ? "" : n->second;
    m.lead = i == 0;
    m.you = !inspector.empty() && v.team[i] == inspector;
    out.team.push_back(m);
  }
  if (!out.team.empty()) {
    out.lead_name = out.team.front().name;
    out.you_lead = out.team.front().you;
  }
  std::vector<std::string> task_ids;
  const ResultCatalog& cat = Results();
  for (const VisitItem& it : v.items) {
    ListedItem li;
    li.item = it.item_code;
    li.item_name = it.item_name;
    li.task = it.task_id;
    auto f = facts.find(it.task_id);
    li.task_title = f == facts.end() ? "" : f->second.title;
    li.department = it.department;
    li.state = it.state;
    li.result = it.result_code;
    if (const ResultCode* c = it.result_code.empty() ? nullptr : cat.Find(it.result_code)) {
      li.result_zh = c->zh;
      li.result_en = c->en;
    }
    li.inspected_on = it.inspected_on;
    li.findings = opendata::MaskPersonalNumbers(it.findings);
    li.due_date = it.due_date;
    li.card = it.card;
    li.due_provisional = it.due_provisional;
    li.published_on = it.published_on;
    if (it.state != "published" && !it.due_date.empty() && (out.publish_due.empty() || it.due_date < out.publish_due))
      out.publish_due = it.due_date;
    task_ids.push_back(it.task_id);
    out.items.push_back(std::move(li));
  }
  out.due_date = EarliestDue(task_ids, facts);
  return out;
}

}  // namespace

Result<VisitList> ListVisits(Sql& sql, const draw::TaskService& tasks, const VisitListQuery& q) {
  // The visits and their tasks: a few columns per visit, so that the whole list can be sorted by
  // the tasks' due dates (which the draw keeps) before one page of it is read in full.
  std::map<std::string, std::vector<std::string>> visit_tasks;
  const std::string states = q.include_closed ? "v.state <> 'merged'" : "v.state NOT IN ('published', 'merged')";
  std::string sql_text;
  SqlParams params;
  if (!q.inspector.empty()) {
    sql_text =
        "SELECT v.id, COALESCE(vi.task_id, '') FROM visit_inspectors m JOIN visits v ON v.id = m.visit_id "
        "LEFT JOIN visit_items vi ON vi.visit_id = v.id WHERE m.inspector_id = ? AND " +
        states;
    params.emplace_back(q.inspector);
  } else {
    sql_text =
        "SELECT v.id, COALESCE(vi.task_id, '') FROM visits v LEFT JOIN visit_items vi ON vi.visit_id = v.id "
        "WHERE v.id IN (SELECT d.visit_id FROM visit_items d WHERE d.department = ?) AND " +
        states;
    params.emplace_back(q.department);
  }
  Status st = sql.Query(sql_text, params, [&](const SqlRow& r) {
    auto& list = visit_tasks[r.Text(0)];
    const std::string t = r.Text(1);
    if (!t.empty() && std::find(list.begin(), list.end(), t) == list.end()) list.push_back(t);
    return true;
  });
  if (!st.ok()) return st;
  std::set<std::string> task_ids;
  for (const auto& [id, ts] : visit_tasks) task_ids.insert(ts.begin(), ts.end());
  auto facts = TasksOf(sql, tasks, task_ids);
  if (!facts.ok()) return facts.status();
  std::vector<std::tuple<bool, std::string, std::string>> order;  // (no due date, due date, id)
  order.reserve(visit_tasks.size());
  for (const auto& [id, ts] : visit_tasks) {
    const std::string due = EarliestDue(ts, facts.value());
    order.emplace_back(due.empty(), due, id);
  }
  std::sort(order.begin(), order.end());
  VisitList out;
  out.total = static_cast<std::int64_t>(order.size());
  const std::size_t from = static_cast<std::size_t>(std::min<std::int64_t>(q.offset, out.total));
  const std::size_t to = static_cast<std::size_t>(std::min<std::int64_t>(q.offset + q.limit, out.total));
  for (std::size_t i = from; i < to; ++i) {
    auto v = ReadVisitOn(sql, std::get<2>(order[i]));
    if (!v.ok()) return v.status();
    auto listed = Listed(sql, v.value(), facts.value(), q.inspector);
    if (!listed.ok()) return listed.status();
    out.visits.push_back(std::move(listed).value());
  }
  return out;
}

Result<std::optional<ListedVisit>> VisitOfInspector(Sql& sql, const draw::TaskService& tasks, const std::string& id,
                                                    const std::string& inspector) {
  std::optional<ListedVisit> none;
  if (id.empty() || inspector.empty()) return none;
  auto member = sql.Exists("SELECT 1 FROM visit_inspectors WHERE inspector_id = ? AND visit_id = ?", {inspector, id});
  if (!member.ok()) return member.status();
  if (!member.value()) return none;
  auto v = ReadVisitOn(sql, id);
  if (!v.ok())
    return v.status().code() == StatusCode::kNotFound ? Result<std::optional<ListedVisit>>(none) : v.status();
  std::set<std::string> task_ids;
  for (const VisitItem& it : v->items) task_ids.insert(it.task_id);
  auto facts = TasksOf(sql, tasks, task_ids);
  if (!facts.ok()) return facts.status();
  auto listed = Listed(sql, v.value(), facts.value(), inspector);
  if (!listed.ok()) return listed.status();
  return std::optional<ListedVisit>(std::move(listed).value());
}

}  // namespace xj::inspection
