// Cases (联合惩戒案件, docs/punishment.md "Cases"): a listing in force fans out to every
// department that has a published measure a memorandum links to its list; each department
// responds (accept or decline with a reason) within N working days and feeds back the measures
// it applied within M; the listing's end asks every department to stop and to confirm it.
// Every step writes the rows, an audit record and an event in one unit of work.
#include <xinjian/digest.h>
#include <xinjian/text.h>

#include <nlohmann/json.hpp>

#include <set>
#include <tuple>

#include "punishment.h"

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::punishment {

using nlohmann::json;

namespace {

Status Bad(StatusCode code, const std::string& zh, const std::string& en) { return Status::Error(code, zh, en); }

std::string Text(const json& p, const char* k) {
  return p.is_object() && p.contains(k) && p[k].is_string() ? p[k].get<std::string>() : std::string();
}

Result<CivilDate> AddWorkingDays(Platform& platform, CivilDate from, int n) {
  auto cal = platform.Calendar();
  if (!cal.ok()) return cal.status();
  return cal.value()->AddWorkingDays(from, n);
}

struct TaskState {
  std::string department, state, measures, respond_due, feedback_due, responded_on, responded_by, reason, fed_back_on,
      stop_state, stop_due, stop_confirmed_on, stop_confirmed_by;
  std::string Digest() const {
    json j{{"department", department},
           {"state", state},
           {"measures", measures},
           {"respond_due", respond_due},
           {"feedback_due", feedback_due},
           {"responded_on", responded_on},
           {"responded_by", responded_by},
           {"reason", reason},
           {"fed_back_on", fed_back_on},
           {"stop_state", stop_state},
           {"stop_due", stop_due},
           {"stop_confirmed_on", stop_confirmed_on},
           {"stop_confirmed_by", stop_confirmed_by}};
    return digest::Sha256Hex(j.dump());
  }
};

constexpr const char* kTaskColumns =
    "department, state, measures, respond_due, feedback_due, responded_on, responded_by, reason, fed_back_on, "
    "stop_state, "
    "stop_due, stop_confirmed_on, stop_confirmed_by";

TaskState TaskOfRow(const SqlRow& r) {
  return TaskState{r.Text(0), r.Text(1), r.Text(2), r.Text(3),  r.Text(4),  r.Text(5), r.Text(6),
                   r.Text(7), r.Text(8), r.Text(9), r.Text(10), r.Text(11), r.Text(12)};
}

Result<TaskState> LoadTask(Sql& sql, const std::string& case_id, const std::string& department) {
  std::optional<TaskState> t;
  Status st =
      sql.Query(std::string("SELECT ") + kTaskColumns + " FROM punishment_tasks WHERE case_id = ? AND department = ?",
                {case_id, department}, [&](const SqlRow& r) {
                  t = TaskOfRow(r);
                  return false;
                });
  if (!st.ok()) return st;
  if (!t) {
    auto exists = sql.Exists("SELECT 1 FROM punishment_cases WHERE id = ?", {case_id});
    if (!exists.ok()) return exists.status();
    if (!exists.value()) return Bad(StatusCode::kNotFound, "没有案件 " + case_id, "no case " + case_id);
    return Bad(StatusCode::kPermissionDenied, "部门 " + department + " 在案件 " + case_id + " 中没有任务",
               "department " + department + " has no task in case " + case_id);
  }
  return *t;
}

Status SaveTask(UnitOfWork& uow, const std::string& case_id, const TaskState& t) {
  auto n = uow.sql().Exec(
      "UPDATE punishment_tasks SET state = ?, responded_on = ?, responded_by = ?, reason = ?, fed_back_on = ?, "
      "stop_state = ?, "
      "stop_due = ?, stop_confirmed_on = ?, stop_confirmed_by = ?, updated_at_us = ? WHERE case_id = ? AND department "
      "= ?",
      {t.state, t.responded_on, t.responded_by, t.reason, t.fed_back_on, t.stop_state, t.stop_due, t.stop_confirmed_on,
       t.stop_confirmed_by, uow.now_us(), case_id, t.department});
  return n.ok() ? Status::Ok() : n.status();
}

// The department the caller acts for in a case: its own (an admin names it with --department).
Result<std::string> ActingDepartment(const Principal& who) {
  if (!who.authenticated) return Bad(StatusCode::kUnauthenticated, "请先登录", "sign in first");
  if (who.department.empty())
    return Bad(StatusCode::kPermissionDenied, "须以部门身份办理（--department）",
               "act for a department (--department)");
  return who.department;
}

Status OpenCase(Platform& platform, UnitOfWork& uow, const json& p) {
  const std::string id = Text(p, "id"), list = Text(p, "list"), uscc = Text(p, "uscc"), on = Text(p, "on"),
                    kind = Text(p, "kind");
  Sql& sql = uow.sql();
  const std::string case_id = "JC-" + id;
  auto exists = sql.Exists("SELECT 1 FROM punishment_cases WHERE listing_id = ?", {id});
  if (!exists.ok()) return exists.status();
  if (exists.value()) return Status::Ok();
  auto opened = CivilDate::Parse(on);
  if (!opened.ok()) return Status::Ok();  // a malformed event: nothing to open, do not block the ones after it
  // The published measures the memoranda link to this list, per department.
  std::map<std::string, std::vector<std::string>> per_department;
  Status st = sql.Query(
      "SELECT DISTINCT m.department, m.code, m.published_on FROM punishment_triggers t JOIN punishment_measures m "
      "ON m.code = t.measure WHERE t.list = ? ORDER BY m.department, m.code",
      {list}, [&](const SqlRow& r) {
        if (r.Text(2) <= on) per_department[r.Text(0)].push_back(r.Text(1));
        return true;
      });
  if (!st.ok()) return st;
  if (per_department.empty()) return Status::Ok();  // no measure: nothing to fan out
  auto respond_due = AddWorkingDays(platform, opened.value(), CurrentSettings().respond_working_days);
  if (!respond_due.ok()) return respond_due.status();
  auto feedback_due = AddWorkingDays(platform, opened.value(), CurrentSettings().feedback_working_days);
  if (!feedback_due.ok()) return feedback_due.status();
  auto n = sql.Exec(
      "INSERT INTO punishment_cases (id, listing_id, list, uscc, kind, state, opened_on, updated_at_us) "
      "VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
      {case_id, id, list, uscc, kind, on, uow.now_us()});
  if (!n.ok()) return n.status();
  json departments = json::array();
  for (const auto& [dept, codes] : per_department) {
    auto t = sql.Exec(
        "INSERT INTO punishment_tasks (case_id, department, measures, state, respond_due, feedback_due, updated_at_us) "
        "VALUES (?, ?, ?, 'pending', ?, ?, ?)",
        {case_id, dept, json(codes).dump(), respond_due.value().ToString(), feedback_due.value().ToString(),
         uow.now_us()});
    if (!t.ok()) return t.status();
    departments.push_back({{"department", dept}, {"measures", codes}});
  }
  json ev{{"id", case_id},
          {"listing", id},
          {"list", list},
          {"uscc", uscc},
          {"kind", kind},
          {"opened_on", on},
          {"respond_due", respond_due.value().ToString()},
          {"feedback_due", feedback_due.value().ToString()},
          {"tasks", departments}};
  if (auto s = uow.Audit({"punishment.case.open", "punishment_case", case_id, "", digest::Sha256Hex(ev.dump())});
      !s.ok())
    return s;
  return uow.Publish("punishment.case.opened", case_id, ev.dump());
}

Status RequestStop(Platform& platform, UnitOfWork& uow, const json& p) {
  const std::string id = Text(p, "id"), ended_on = Text(p, "ended_on").empty() ? Text(p, "on") : Text(p, "ended_on");
  Sql& sql = uow.sql();
  std::optional<std::string> case_id, state;
  Status st = sql.Query("SELECT id, state FROM punishment_cases WHERE listing_id = ?", {id}, [&](const SqlRow& r) {
    case_id = r.Text(0);
    state = r.Text(1);
    return false;
  });
  if (!st.ok()) return st;
  if (!case_id || *state != "open") return Status::Ok();
  auto ended = CivilDate::Parse(ended_on);
  if (!ended.ok()) return Status::Ok();
  auto due = AddWorkingDays(platform, ended.value(), CurrentSettings().stop_working_days);
  if (!due.ok()) return due.status();
  auto n = sql.Exec(
      "UPDATE punishment_cases SET state = 'stop_requested', ended_on = ?, end_reason = ?, updated_at_us = ? "
      "WHERE id = ?",
      {ended_on, Text(p, "end_reason"), uow.now_us(), *case_id});
  if (!n.ok()) return n.status();
  auto t = sql.Exec(
      "UPDATE punishment_tasks SET stop_state = 'requested', stop_due = ?, updated_at_us = ? WHERE case_id = ?",
      {due.value().ToString(), uow.now_us(), *case_id});
  if (!t.ok()) return t.status();
  json ev{{"id", *case_id},
          {"listing", id},
          {"ended_on", ended_on},
          {"end_reason", Text(p, "end_reason")},
          {"stop_due", due.value().ToString()},
          {"uscc", Text(p, "uscc")},
          {"list", Text(p, "list")}};
  if (auto s =
          uow.Audit({"punishment.case.stop_request", "punishment_case", *case_id, "", digest::Sha256Hex(ev.dump())});
      !s.ok())
    return s;
  return uow.Publish("punishment.case.stop_requested", *case_id, ev.dump());
}

}  // namespace

Status OnListingEvent(Platform& platform, UnitOfWork& uow, const std::string& topic, const std::string& payload) {
  const bool in_force = topic == "lists.listing.in_force", ended = topic == "lists.listing.ended";
  if (!in_force && !ended) return Status::Ok();
  const json p = json::parse(payload, nullptr, false);
  const std::string id = Text(p, "id"), list = Text(p, "list"), uscc = Text(p, "uscc");
  if (id.empty() || list.empty() || uscc.empty()) return Status::Ok();  // not a listing event we can use
  std::string kind = Text(p, "kind");
  if (kind.empty())
    if (const ListPolicy* lp = platform.FindListPolicy(list); lp != nullptr) kind = ListKindName(lp->kind);
  Sql& sql = uow.sql();
  auto n = sql.Exec(
      "INSERT INTO punishment_listings (id, list, uscc, kind, state, starts_on, expires_on, ended_on, updated_at_us) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
      "starts_on = CASE WHEN excluded.starts_on <> '' THEN excluded.starts_on ELSE punishment_listings.starts_on END, "
      "expires_on = CASE WHEN excluded.state = 'in_force' THEN excluded.expires_on ELSE punishment_listings.expires_on "
      "END, "
      "ended_on = excluded.ended_on, updated_at_us = excluded.updated_at_us",
      {id, list, uscc, kind, in_force ? "in_force" : "ended", Text(p, "starts_on"), Text(p, "expires_on"),
       ended ? Text(p, "ended_on") : std::string(), uow.now_us()});
  if (!n.ok()) return n.status();
  if (auto st = Bump(uow, "listing", uscc); !st.ok()) return st;
  return in_force ? OpenCase(platform, uow, p) : RequestStop(platform, uow, p);
}

Result<int> BackfillCases(Platform& platform, UnitOfWork& uow, CivilDate today) {
  std::vector<json> pending;
  Status st = uow.sql().Query(
      "SELECT l.id, l.list, l.uscc, l.kind, l.starts_on, l.expires_on FROM punishment_listings l WHERE l.state = 'in_force' "
      "AND NOT EXISTS (SELECT 1 FROM punishment_cases c WHERE c.listing_id = l.id) ORDER BY l.id",
      {}, [&](const SqlRow& r) {
        pending.push_back(json{{"id", r.Text(0)}, {"list", r.Text(1)}, {"uscc", r.Text(2)}, {"kind", r.Text(3)},
                               {"starts_on", r.Text(4)}, {"expires_on", r.Text(5)}, {"on", today.ToString()}});
        return true;
      });
  if (!st.ok()) return st;
  int opened = 0;
  for (const json& p : pending) {
    if (auto s = OpenCase(platform, uow, p); !s.ok()) return s;
    auto made = uow.sql().Exists("SELECT 1 FROM punishment_cases WHERE listing_id = ?", {p["id"].get<std::string>()});
    if (!made.ok()) return made.status();
    opened += made.value() ? 1 : 0;
  }
  return opened;
}

Result<int> WidenCases(Platform& platform, UnitOfWork& uow, CivilDate today) {
  Sql& sql = uow.sql();
  // The open cases and, per list, the departments whose published measures the memoranda link
  // to it now.
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> open;  // case, listing, list, uscc
  Status st = sql.Query("SELECT id, listing_id, list, uscc FROM punishment_cases WHERE state = 'open' ORDER BY id", {},
                        [&](const SqlRow& r) {
                          open.emplace_back(r.Text(0), r.Text(1), r.Text(2), r.Text(3));
                          return true;
                        });
  if (!st.ok() || open.empty()) return st.ok() ? Result<int>(0) : Result<int>(st);
  std::map<std::string, std::map<std::string, std::vector<std::string>>> by_list;  // list → department → measures
  st = sql.Query(
      "SELECT DISTINCT t.list, m.department, m.code, m.published_on FROM punishment_triggers t JOIN "
      "punishment_measures m ON m.code = t.measure ORDER BY t.list, m.department, m.code",
      {}, [&](const SqlRow& r) {
        if (r.Text(3) <= today.ToString()) by_list[r.Text(0)][r.Text(1)].push_back(r.Text(2));
        return true;
      });
  if (!st.ok()) return st;
  auto respond_due = AddWorkingDays(platform, today, CurrentSettings().respond_working_days);
  if (!respond_due.ok()) return respond_due.status();
  auto feedback_due = AddWorkingDays(platform, today, CurrentSettings().feedback_working_days);
  if (!feedback_due.ok()) return feedback_due.status();
  int added = 0;
  for (const auto& [case_id, listing, list, uscc] : open) {
    auto it = by_list.find(list);
    if (it == by_list.end()) continue;
    std::set<std::string> have;
    st = sql.Query("SELECT department FROM punishment_tasks WHERE case_id = ?", {case_id}, [&](const SqlRow& r) {
      have.insert(r.Text(0));
      return true;
    });
    if (!st.ok()) return st;
    json departments = json::array();
    for (const auto& [dept, codes] : it->second) {
      if (have.count(dept)) continue;
      auto t = sql.Exec(
          "INSERT INTO punishment_tasks (case_id, department, measures, state, respond_due, feedback_due, "
          "updated_at_us) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
          {case_id, dept, json(codes).dump(), respond_due.value().ToString(), feedback_due.value().ToString(),
           uow.now_us()});
      if (!t.ok()) return t.status();
      departments.push_back({{"department", dept}, {"measures", codes}});
      ++added;
    }
    if (departments.empty()) continue;
    json ev{{"id", case_id},
            {"listing", listing},
            {"list", list},
            {"uscc", uscc},
            {"on", today.ToString()},
            {"respond_due", respond_due.value().ToString()},
            {"feedback_due", feedback_due.value().ToString()},
            {"tasks", departments}};
    if (auto s = uow.Audit({"punishment.case.widen", "punishment_case", case_id, "", digest::Sha256Hex(ev.dump())});
        !s.ok())
      return s;
    if (auto s = uow.Publish("punishment.case.widened", case_id, ev.dump()); !s.ok()) return s;
  }
  return added;
}

Result<std::vector<TaskRow>> LoadTasks(Platform& platform, Sql& sql, const std::string& department,
                                       const std::string& case_state, const std::string& case_id, CivilDate today) {
  std::vector<TaskRow> out;
  std::string q =
      "SELECT c.id, c.listing_id, c.list, c.uscc, c.kind, c.state, c.opened_on, c.ended_on, t.department, t.state, "
      "t.respond_due, t.feedback_due, t.responded_on, t.responded_by, t.reason, t.fed_back_on, t.stop_state, "
      "t.stop_due, "
      "t.stop_confirmed_on, t.measures FROM punishment_cases c JOIN punishment_tasks t ON t.case_id = c.id WHERE 1 = 1";
  SqlParams params;
  if (!department.empty()) {
    q += " AND t.department = ?";
    params.push_back(department);
  }
  if (!case_state.empty()) {
    q += " AND c.state = ?";
    params.push_back(case_state);
  }
  if (!case_id.empty()) {
    q += " AND c.id = ?";
    params.push_back(case_id);
  }
  q += " ORDER BY c.opened_on DESC, c.id, t.department LIMIT 10000";
  Status st = sql.Query(q, params, [&](const SqlRow& r) {
    TaskRow t;
    t.case_id = r.Text(0);
    t.listing_id = r.Text(1);
    t.list = r.Text(2);
    t.uscc = r.Text(3);
    t.kind = r.Text(4);
    t.case_state = r.Text(5);
    t.opened_on = r.Text(6);
    t.ended_on = r.Text(7);
    t.department = r.Text(8);
    t.state = r.Text(9);
    t.respond_due = r.Text(10);
    t.feedback_due = r.Text(11);
    t.responded_on = r.Text(12);
    t.responded_by = r.Text(13);
    t.reason = r.Text(14);
    t.fed_back_on = r.Text(15);
    t.stop_state = r.Text(16);
    t.stop_due = r.Text(17);
    t.stop_confirmed_on = r.Text(18);
    json m = json::parse(r.View(19), nullptr, false);
    if (m.is_array())
      for (const auto& x : m)
        if (x.is_string()) t.measures.push_back(x.get<std::string>());
    out.push_back(std::move(t));
    return true;
  });
  if (!st.ok()) return st;
  auto cal = platform.Calendar();
  if (!cal.ok()) return cal.status();
  for (TaskRow& t : out) {
    Status fs =
        sql.Query("SELECT measure FROM punishment_feedback WHERE case_id = ? AND department = ? ORDER BY measure",
                  {t.case_id, t.department}, [&](const SqlRow& r) {
                    t.fed_back.push_back(r.Text(0));
                    return true;
                  });
    if (!fs.ok()) return fs;
    // The deadline that counts now: the stop's, else the response's, else the feedback's.
    if (t.stop_state == "requested") {
      t.due = t.stop_due;
      t.due_what = "confirm_stop";
    } else if (t.stop_state.empty() && t.state == "pending") {
      t.due = t.respond_due;
      t.due_what = "respond";
    } else if (t.stop_state.empty() && t.state == "accepted" && t.fed_back_on.empty()) {
      t.due = t.feedback_due;
      t.due_what = "feedback";
    }
    if (!t.due.empty()) {
      auto due = CivilDate::Parse(t.due);
      if (!due.ok()) return due.status();
      auto left = cal.value()->WorkingDaysBetween(today, due.value());
      if (!left.ok()) return left.status();
      t.working_days_left = left.value();
      t.card = Card(today.ToString(), t.due, left.value());
    }
  }
  return out;
}

Status Respond(Platform&, UnitOfWork& uow, const std::string& case_id, bool accept, const std::string& reason,
               CivilDate today) {
  auto dept = ActingDepartment(uow.principal());
  if (!dept.ok()) return dept.status();
  if (!accept && reason.empty())
    return Bad(StatusCode::kInvalidArgument, "不予实施须说明理由（--reason）", "a decline needs a reason (--reason)");
  if (reason.size() > 2000 || utf8::HasControlChar(reason, true) || !utf8::IsValid(reason))
    return Bad(StatusCode::kInvalidArgument, "理由须为不超过 2000 字节的文本",
               "the reason must be text of at most 2000 bytes");
  auto task = LoadTask(uow.sql(), case_id, dept.value());
  if (!task.ok()) return task.status();
  TaskState t = task.value();
  if (t.stop_state != "")
    return Bad(StatusCode::kConflict, "名单已移出，请确认停止（confirm-stop）",
               "the listing has ended: confirm the stop instead");
  if (t.state != "pending")
    return Bad(StatusCode::kConflict, "该部门已响应（" + t.state + "）",
               "the department has responded already (" + t.state + ")");
  const std::string before = t.Digest();
  t.state = accept ? "accepted" : "declined";
  t.responded_on = today.ToString();
  t.responded_by = uow.principal().id;
  t.reason = reason;
  if (auto st = SaveTask(uow, case_id, t); !st.ok()) return st;
  if (auto st =
          uow.Audit({"punishment.task.respond", "punishment_task", case_id + "/" + t.department, before, t.Digest()});
      !st.ok())
    return st;
  json ev{{"id", case_id},
          {"department", t.department},
          {"accepted", accept},
          {"reason", reason},
          {"responded_on", t.responded_on},
          {"respond_due", t.respond_due},
          {"in_time", t.responded_on <= t.respond_due}};
  return uow.Publish("punishment.case.responded", case_id, ev.dump());
}

Status Feedback(Platform&, UnitOfWork& uow, const std::string& case_id, const std::string& measure,
                const std::string& applied_on, const std::string& note, CivilDate today) {
  auto dept = ActingDepartment(uow.principal());
  if (!dept.ok()) return dept.status();
  if (!IsDate(applied_on))
    return Bad(StatusCode::kInvalidArgument, "--applied-on 须为 YYYY-MM-DD 日期",
               "--applied-on must be a date YYYY-MM-DD");
  if (applied_on > today.ToString())
    return Bad(StatusCode::kInvalidArgument, "实施日期不能晚于今天", "the date applied cannot be after today");
  if (note.size() > 2000 || utf8::HasControlChar(note, true) || !utf8::IsValid(note))
    return Bad(StatusCode::kInvalidArgument, "说明须为不超过 2000 字节的文本",
               "the note must be text of at most 2000 bytes");
  auto task = LoadTask(uow.sql(), case_id, dept.value());
  if (!task.ok()) return task.status();
  TaskState t = task.value();
  if (t.state != "accepted")
    return Bad(StatusCode::kConflict, "须先接受任务（respond --accept）", "accept the task first (respond --accept)");
  if (t.stop_state != "")
    return Bad(StatusCode::kConflict, "名单已移出，措施应停止", "the listing has ended: the measures stop");
  json measures = json::parse(t.measures, nullptr, false);
  bool listed = false;
  if (measures.is_array())
    for (const auto& m : measures) listed = listed || (m.is_string() && m.get<std::string>() == measure);
  if (!listed)
    return Bad(StatusCode::kInvalidArgument, "措施 “" + measure + "” 不是该部门在此案件中的措施",
               "the measure '" + measure + "' is not this department's in this case");
  auto opened = uow.sql().QueryText("SELECT opened_on FROM punishment_cases WHERE id = ?", {case_id});
  if (!opened.ok()) return opened.status();
  if (opened.value() && applied_on < *opened.value())
    return Bad(StatusCode::kInvalidArgument, "实施日期早于案件开始（" + *opened.value() + "）",
               "the date applied is before the case opened (" + *opened.value() + ")");
  auto n = uow.sql().Exec(
      "INSERT INTO punishment_feedback (case_id, department, measure, applied_on, note, reported_by, at_us) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {case_id, t.department, measure, applied_on, note, uow.principal().id, uow.now_us()});
  if (!n.ok()) {
    if (n.status().code() == StatusCode::kAlreadyExists)
      return Bad(StatusCode::kConflict, "措施 “" + measure + "” 已反馈",
                 "the measure '" + measure + "' was reported already");
    return n.status();
  }
  const std::string before = t.Digest();
  if (t.fed_back_on.empty()) t.fed_back_on = today.ToString();
  if (auto st = SaveTask(uow, case_id, t); !st.ok()) return st;
  json ev{{"id", case_id},
          {"department", t.department},
          {"measure", measure},
          {"applied_on", applied_on},
          {"note", note},
          {"reported_on", today.ToString()},
          {"in_time", today.ToString() <= t.feedback_due}};
  if (auto st = uow.Audit({"punishment.task.feedback", "punishment_task", case_id + "/" + t.department, before,
                           digest::Sha256Hex(ev.dump())});
      !st.ok())
    return st;
  return uow.Publish("punishment.case.fed_back", case_id, ev.dump());
}

Status ConfirmStop(Platform&, UnitOfWork& uow, const std::string& case_id, CivilDate today) {
  auto dept = ActingDepartment(uow.principal());
  if (!dept.ok()) return dept.status();
  auto task = LoadTask(uow.sql(), case_id, dept.value());
  if (!task.ok()) return task.status();
  TaskState t = task.value();
  if (t.stop_state.empty())
    return Bad(StatusCode::kConflict, "名单仍在有效期内，没有停止请求",
               "the listing is in force: no stop was requested");
  if (t.stop_state == "confirmed")
    return Bad(StatusCode::kConflict, "已确认停止（" + t.stop_confirmed_on + "）",
               "the stop was confirmed already (" + t.stop_confirmed_on + ")");
  const std::string before = t.Digest();
  t.stop_state = "confirmed";
  t.stop_confirmed_on = today.ToString();
  t.stop_confirmed_by = uow.principal().id;
  if (auto st = SaveTask(uow, case_id, t); !st.ok()) return st;
  auto open = uow.sql().QueryInt(
      "SELECT COUNT(*) FROM punishment_tasks WHERE case_id = ? AND stop_state <> 'confirmed'", {case_id});
  if (!open.ok()) return open.status();
  const bool closed = open.value() == 0;
  if (closed) {
    auto n = uow.sql().Exec("UPDATE punishment_cases SET state = 'closed', updated_at_us = ? WHERE id = ?",
                            {uow.now_us(), case_id});
    if (!n.ok()) return n.status();
  }
  if (auto st = uow.Audit(
          {"punishment.task.confirm_stop", "punishment_task", case_id + "/" + t.department, before, t.Digest()});
      !st.ok())
    return st;
  json ev{{"id", case_id},
          {"department", t.department},
          {"confirmed_on", t.stop_confirmed_on},
          {"stop_due", t.stop_due},
          {"in_time", t.stop_confirmed_on <= t.stop_due},
          {"case_closed", closed}};
  return uow.Publish("punishment.case.stop_confirmed", case_id, ev.dump());
}

}  // namespace xj::punishment
