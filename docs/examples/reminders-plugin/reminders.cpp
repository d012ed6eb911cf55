// reminders: a small, real XinJian feature written against the SDK only.
//
// After a 双随机 draw the department has to inspect the drawn subjects and publish the
// results. This plugin keeps one reminder per drawn task:
//   - a writing subscriber reacts to the draw plugin's event draw.task.drawn and creates the
//     reminder, due `plugins.reminders.days` working days (default 10) after the draw, on
//     the platform's working-day calendar; in the same unit of work as the event's delivery,
//     with an audit record and the event reminders.created;
//   - `xinjian reminders list [--state S] [--json]` lists the reminders the caller may see
//     (their own department's; an admin sees all);
//   - `xinjian reminders done TASK [--note TEXT]` closes one, for the task's department only
//     (kPermissionDenied otherwise), with an audit record and the event reminders.done;
//   - the job handler reminders.overdue (`xinjian jobs add … --handler reminders.overdue`)
//     marks open reminders past their due date as overdue, with an audit record each and the
//     event reminders.overdue, in the run's own transaction.
//
// Its table is created by its own migration (migrations/{sqlite,postgresql}/001_reminders.sql).
// Only SDK headers (<xinjian/...>) and header-only libraries are included.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <xinjian/config.h>
#include <xinjian/digest.h>
#include <xinjian/plugin.h>

namespace {

using nlohmann::json;

xj::Status Error(xj::StatusCode code, const std::string& zh, const std::string& en) { return xj::Status::Error(code, zh, en); }

struct Reminder {
  std::string task_id, department, due_date, state, note, done_by;
  std::int64_t selected = 0;
  bool provisional = false;
};

constexpr const char* kColumns = "task_id, department, selected, due_date, provisional, state, note, done_by";

Reminder FromRow(const xj::SqlRow& r) {
  return Reminder{r.Text(0), r.Text(1), r.Text(3), r.Text(5), r.Text(6), r.Text(7), r.Int(2), r.Int(4) != 0};
}

json ToJson(const Reminder& m) {
  return json{{"task_id", m.task_id},   {"department", m.department}, {"selected", m.selected},
              {"due_date", m.due_date}, {"provisional", m.provisional}, {"state", m.state},
              {"note", m.note},         {"done_by", m.done_by}};
}

// The digest the audit log keeps of a reminder's state.
std::string Digest(const Reminder& m) { return xj::digest::Sha256Hex(ToJson(m).dump()); }

xj::Result<std::optional<Reminder>> Find(xj::Sql& sql, const std::string& task_id) {
  std::optional<Reminder> out;
  xj::Status st = sql.Query(std::string("SELECT ") + kColumns + " FROM reminders_tasks WHERE task_id = ?", {task_id},
                            [&](const xj::SqlRow& r) {
                              out = FromRow(r);
                              return false;
                            });
  if (!st.ok()) return st;
  return out;
}

// draw.task.drawn => a reminder, due `days` working days after the draw's local date.
class OnDrawn final : public xj::WritingSubscriber {
 public:
  OnDrawn(xj::Platform& platform, std::int64_t days) : platform_(platform), days_(days) {}
  std::string TopicPrefix() const override { return "draw.task.drawn"; }

  xj::Status OnEvent(const xj::Event& e, xj::UnitOfWork& uow) override {
    if (e.topic != "draw.task.drawn") return xj::Status::Ok();
    json p = json::parse(e.payload_json, nullptr, /*allow_exceptions=*/false);
    if (!p.is_object() || !p.contains("id") || !p["id"].is_string() || !p.contains("department"))
      return Error(xj::StatusCode::kInvalidArgument, "事件 " + std::to_string(e.id) + " 缺少任务编号或部门",
                   "event " + std::to_string(e.id) + " has no task id or department");
    Reminder m;
    m.task_id = p["id"].get<std::string>();
    m.department = p.value("department", "");
    m.selected = p.value("selected", std::int64_t{0});
    m.state = "open";
    // Delivered at least once: a reminder that exists already is left as it is.
    auto existing = Find(uow.sql(), m.task_id);
    if (!existing.ok()) return existing.status();
    if (existing.value()) return xj::Status::Ok();
    auto drawn_on = platform_.Time().LocalDate(e.at_us);
    if (!drawn_on.ok()) return drawn_on.status();
    auto calendar = platform_.Calendar();
    if (!calendar.ok()) return calendar.status();
    auto due = calendar.value()->AddWorkingDays(drawn_on.value(), static_cast<int>(days_));
    if (!due.ok()) return due.status();
    m.due_date = due.value().ToString();
    m.provisional = calendar.value()->IsProvisional(due.value().year());
    auto ins = uow.sql().Exec(
        "INSERT INTO reminders_tasks(task_id, department, selected, drawn_event, due_date, provisional, state, updated_at_us) "
        "VALUES (?, ?, ?, ?, ?, ?, 'open', ?)",
        {m.task_id, m.department, m.selected, e.id, m.due_date, m.provisional ? 1 : 0, uow.now_us()});
    if (!ins.ok()) return ins.status();
    if (auto st = uow.Audit({"reminders.create", "reminder", m.task_id, "", Digest(m)}); !st.ok()) return st;
    return uow.Publish("reminders.created", m.task_id, ToJson(m).dump());
  }

 private:
  xj::Platform& platform_;
  std::int64_t days_;
};

// The job: open reminders whose due date passed (in the run's time zone, on the run's
// scheduled time, so that a retried run decides the same) become overdue.
class MarkOverdue final : public xj::JobHandler {
 public:
  std::string Description() const override { return "把逾期未办的提醒标为逾期 / marks reminders past their due date as overdue"; }
  xj::Status Run(const xj::JobInvocation& run, xj::JobServices& services) override {
    auto today = services.platform().Time().LocalDate(run.scheduled_us, run.time_zone);
    if (!today.ok()) return today.status();
    const std::string date = today.value().ToString();
    return services.RunInTransaction([&](xj::UnitOfWork& uow) -> xj::Status {
      std::vector<Reminder> late;
      xj::Status st = uow.sql().Query(std::string("SELECT ") + kColumns +
                                          " FROM reminders_tasks WHERE state = 'open' AND due_date < ? ORDER BY task_id",
                                      {date}, [&](const xj::SqlRow& r) {
                                        late.push_back(FromRow(r));
                                        return true;
                                      });
      if (!st.ok()) return st;
      for (Reminder& m : late) {
        const std::string before = Digest(m);
        m.state = "overdue";
        auto n = uow.sql().Exec("UPDATE reminders_tasks SET state = 'overdue', updated_at_us = ? WHERE task_id = ? AND state = 'open'",
                                {uow.now_us(), m.task_id});
        if (!n.ok()) return n.status();
        if (auto a = uow.Audit({"reminders.overdue", "reminder", m.task_id, before, Digest(m)}); !a.ok()) return a;
        if (auto p = uow.Publish("reminders.overdue", m.task_id, ToJson(m).dump()); !p.ok()) return p;
      }
      return xj::Status::Ok();
    });
  }
};

xj::Status ListCommand(xj::CommandContext& ctx) {
  const xj::Principal& who = ctx.principal();
  const std::string state = ctx.args().Text("--state");
  std::vector<Reminder> out;
  xj::Status st = ctx.platform().Read([&](xj::Sql& sql) {
    std::string q = std::string("SELECT ") + kColumns + " FROM reminders_tasks WHERE 1 = 1";
    xj::SqlParams params;
    if (!who.ActsForAllDepartments()) {  // a department sees its own reminders only
      q += " AND department = ?";
      params.emplace_back(who.department);
    }
    if (!state.empty()) {
      q += " AND state = ?";
      params.emplace_back(state);
    }
    return sql.Query(q + " ORDER BY due_date, task_id", params, [&](const xj::SqlRow& r) {
      out.push_back(FromRow(r));
      return true;
    });
  });
  if (!st.ok()) return st;
  if (ctx.json()) {
    json arr = json::array();
    for (const Reminder& m : out) arr.push_back(ToJson(m));
    ctx.out() << arr.dump(2) << "\n";
  } else {
    ctx.out() << "任务/task\t部门/department\t抽中/selected\t期限/due\t状态/state\n";
    for (const Reminder& m : out)
      ctx.out() << m.task_id << "\t" << m.department << "\t" << m.selected << "\t" << m.due_date
                << (m.provisional ? "（暂定 / provisional）" : "") << "\t" << m.state << "\n";
  }
  ctx.err() << out.size() << " 项 / items\n";
  return xj::Status::Ok();
}

xj::Status DoneCommand(xj::CommandContext& ctx) {
  const std::string task_id = ctx.args().Text("task");
  const std::string note = ctx.args().Text("--note");
  if (note.size() > 2000)
    return Error(xj::StatusCode::kInvalidArgument, "备注过长（最多 2000 字节）", "the note is too long (at most 2000 bytes)");
  for (unsigned char c : note)
    if (c < 0x20 && c != '\t')
      return Error(xj::StatusCode::kInvalidArgument, "备注含控制字符", "the note contains control characters");
  Reminder done;
  xj::Status st = ctx.platform().RunInTransaction(ctx.principal(), [&](xj::UnitOfWork& uow) -> xj::Status {
    auto found = Find(uow.sql(), task_id);
    if (!found.ok()) return found.status();
    if (!found.value())
      return Error(xj::StatusCode::kNotFound, "任务 " + task_id + " 没有提醒", "no reminder for task " + task_id);
    Reminder m = *found.value();
    if (!uow.principal().ActsFor(m.department))
      return Error(xj::StatusCode::kPermissionDenied, "只有部门 " + m.department + " 可以办结该提醒",
                   "only department " + m.department + " may close this reminder");
    if (m.state == "done") {
      done = m;
      return xj::Status::Ok();  // closing twice changes nothing
    }
    const std::string before = Digest(m);
    m.state = "done";
    m.note = note;
    m.done_by = uow.principal().id;
    auto n = uow.sql().Exec("UPDATE reminders_tasks SET state = 'done', note = ?, done_by = ?, updated_at_us = ? WHERE task_id = ?",
                            {m.note, m.done_by, uow.now_us(), m.task_id});
    if (!n.ok()) return n.status();
    if (auto a = uow.Audit({"reminders.done", "reminder", m.task_id, before, Digest(m)}); !a.ok()) return a;
    done = m;
    return uow.Publish("reminders.done", m.task_id, ToJson(m).dump());
  });
  if (!st.ok()) return st;
  if (ctx.json()) {
    ctx.out() << ToJson(done).dump(2) << "\n";
  } else {
    ctx.out() << "已办结 / done: " << done.task_id << "\n";
  }
  return xj::Status::Ok();
}

xj::Status Init(xj::Registrar& reg) {
  const xj::TypedConfig config(reg);
  auto days = config.Int("days", 10, 1, 60);
  if (!days.ok()) return days.status();
  xj::Platform& platform = reg.platform();
  if (auto st = reg.AddWritingSubscriber("reminders", std::make_unique<OnDrawn>(platform, days.value())); !st.ok()) return st;
  if (auto st = reg.AddJobHandler("reminders.overdue", std::make_unique<MarkOverdue>()); !st.ok()) return st;

  xj::CommandSpec list;
  list.path = {"reminders", "list"};
  list.help = "列出本部门的结果录入提醒 / list your department's reminders";
  list.options = {{"--state", "只列该状态 / only this state", xj::OptionKind::kText, false, "", {"open", "overdue", "done"}}};
  if (auto st = reg.AddCommand(list, ListCommand); !st.ok()) return st;

  xj::CommandSpec done;
  done.path = {"reminders", "done"};
  done.help = "办结一条提醒 / close a reminder";
  done.options = {{"task", "任务编号 / the task's id", xj::OptionKind::kText, true, "", {}},
                  {"--note", "备注 / a note", xj::OptionKind::kText, false, "", {}}};
  return reg.AddCommand(done, DoneCommand);
}

}  // namespace

XJ_PLUGIN(Init)
