// The service "draw.tasks" (include/draw/task_service.h) over the task service (tasks.h).
#include <algorithm>
#include <string>
#include <vector>

#include "task_service_impl.h"
#include "tasks.h"

namespace xj::draw {
namespace {

Result<std::int64_t> SelectedCount(Sql& sql, const std::string& id) {
  return sql.QueryInt("SELECT COUNT(*) FROM draw_selection WHERE task_id = ?", {id});
}

// What other plugins see of a stored task: the public notice, the secret once revealed.
Result<TaskInfo> InfoOf(Sql& sql, const TaskRecord& t) {
  TaskInfo i;
  i.id = t.id;
  i.title = t.title;
  i.state = t.state;
  i.department = t.department;
  i.departments = DepartmentsOf(t);
  i.items = t.items;
  std::sort(i.items.begin(), i.items.end());
  i.spec_json = t.spec_json;
  Result<TaskSpec> spec = ParseTaskSpec(t.spec_json);
  if (!spec.ok()) return spec.status();
  i.any_item_scope = spec->scope == TaskSpec::Scope::kAnyItem;
  i.announce_date = t.announce_date;
  i.draw_date = t.draw_date;
  i.due_date = t.due_date;
  i.digest = t.digest;
  i.pool_size = t.pool_size;
  i.pool_hash = t.pool_hash;
  i.commitment = t.commitment;
  i.sampler = t.sampler;
  i.entropy_source = t.entropy_source;
  i.entropy_source_name = t.entropy_source_name;
  i.entropy_notice = t.entropy_notice;
  i.entropy_supplied = t.entropy_supplied;
  i.entropy = t.entropy;
  i.cancel_reason = t.cancel_reason;
  if (t.state == "drawn" || t.state == "revealed") {
    Result<std::int64_t> n = SelectedCount(sql, t.id);
    if (!n.ok()) return n.status();
    i.selected = n.value();
  }
  if (t.state == "revealed") {
    i.secret_hex = t.secret_hex;
    i.seed_hex = t.seed_hex;
    i.selection_hash = t.selection_hash;
  }
  i.slip_notes_json = SlipNotes(t).dump();
  return i;
}

class TaskServiceImpl final : public TaskService {
 public:
  Result<TaskInfo> Find(Sql& sql, const std::string& id) const override {
    Result<TaskRecord> t = LoadTask(sql, id);
    if (!t.ok()) return t.status();
    return InfoOf(sql, t.value());
  }

  Result<bool> Exists(Sql& sql, const std::string& id) const override {
    return sql.Exists("SELECT 1 FROM draw_tasks WHERE id = ?", {id});
  }

  Result<std::vector<std::string>> IdsInStates(Sql& sql, const std::vector<std::string>& states) const override {
    std::string q = "SELECT id FROM draw_tasks";
    SqlParams params;
    for (const std::string& s : states) {
      q += params.empty() ? " WHERE state IN (?" : ", ?";
      params.emplace_back(s);
    }
    if (!params.empty()) q += ")";
    q += " ORDER BY id";
    std::vector<std::string> out;
    Status st = sql.Query(q, params, [&](const SqlRow& r) {
      out.push_back(r.Text(0));
      return true;
    });
    if (!st.ok()) return st;
    return out;
  }

  Result<std::vector<SelectionEntry>> Selection(Sql& sql, const std::string& id) const override {
    Result<bool> exists = Exists(sql, id);
    if (!exists.ok()) return exists.status();
    if (!exists.value())
      return Status::Error(StatusCode::kNotFound, "抽查任务 " + id + " 不存在", "no draw task " + id);
    std::vector<SelectionEntry> out;
    Status st = sql.Query("SELECT rank, uscc, stratum, team FROM draw_selection WHERE task_id = ? ORDER BY rank", {id},
                          [&](const SqlRow& r) {
                            out.push_back(SelectionEntry{r.Int(0), r.Text(1), r.Text(2), SplitTeam(r.View(3))});
                            return true;
                          });
    if (!st.ok()) return st;
    return out;
  }

  Result<TaskInfo> Reveal(UnitOfWork& uow, const std::string& id, const RevealRequest& request) const override {
    Result<TaskRecord> t = RevealTaskIn(uow, id, RevealOptions{request.before_inspection, request.reason});
    if (!t.ok()) return t.status();
    return InfoOf(uow.sql(), t.value());
  }

  Status SetFollowUp(const FollowUp* follow_up) override {
    if (follow_up == nullptr)
      return Status::Error(StatusCode::kInvalidArgument, "跟进对象为空", "the follow-up is null");
    if (!draw::SetFollowUp(follow_up))
      return Status::Error(StatusCode::kAlreadyExists, "抽查任务的跟进已由另一插件登记",
                           "another plugin already registered the follow-up of drawn tasks");
    return Status::Ok();
  }

  const FollowUp* follow_up() const override { return CurrentFollowUp(); }
};

}  // namespace

std::unique_ptr<TaskService> MakeTaskService() { return std::make_unique<TaskServiceImpl>(); }

Status ProvideTaskService(Registrar& registrar) {
  return ProvideService<TaskService>(registrar, std::make_unique<TaskServiceImpl>());
}

}  // namespace xj::draw
