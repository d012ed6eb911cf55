// The punishment commands (docs/punishment.md):
//   punishment measures import FILE | list        the measures catalogue (清单制)
//   punishment memoranda import FILE | list       the memoranda (备忘录)
//   punishment cases list | show ID               the cases and their tasks, with cards
//   punishment respond CASE --accept|--decline    the department's response
//   punishment feedback CASE --measure --applied-on   a measure applied
//   punishment confirm-stop CASE                  the measures stopped after the listing ended
//   punishment stats                              per department: received, in time, applied, stopped
//   punishment keys add | list | revoke           the credit check's API keys
//   punishment check USCC --action A              one credit check from the command line (logged)
#include <xinjian/command.h>
#include <xinjian/digest.h>
#include <xinjian/text.h>
#include <xinjian/uscc.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "punishment.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::punishment {
namespace {

using nlohmann::json;

Status Usage(CommandContext& ctx, const std::string& zh, const std::string& en) {
  ctx.SetExitCode(2);
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

Status NeedStaff(const Principal& who) {
  if (who.HasRole(kRoleAdmin) || who.HasRole(kRoleSupervisor)) return Status::Ok();
  return Status::Error(StatusCode::kPermissionDenied, "须为监管人员或管理员", "a supervisor or an admin only");
}

Result<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::Error(StatusCode::kUnavailable, "无法读取文件 " + path, "cannot read the file " + path);
  if (size > 4 * 1024 * 1024)
    return Status::Error(StatusCode::kInvalidArgument, path + " 超过 4 MiB，未作任何更改",
                         path + " is larger than 4 MiB; nothing was changed");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in && !in.eof())
    return Status::Error(StatusCode::kUnavailable, "无法读取文件 " + path, "cannot read the file " + path);
  return s.str();
}

json MeasureJson(const Measure& m, const std::string& today) {
  return json{{"code", m.code},
              {"name_zh", m.name_zh},
              {"name_en", m.name_en},
              {"kind", m.kind},
              {"department", m.department},
              {"legal_basis", m.legal_basis},
              {"lists", m.lists},
              {"actions", m.actions},
              {"effect", m.effect},
              {"published_on", m.published_on},
              {"published", m.published_on <= today}};
}

json TaskJson(const TaskRow& t) {
  return json{{"case", t.case_id},
              {"listing", t.listing_id},
              {"list", t.list},
              {"uscc", t.uscc},
              {"kind", t.kind},
              {"case_state", t.case_state},
              {"opened_on", t.opened_on},
              {"ended_on", t.ended_on},
              {"department", t.department},
              {"state", t.state},
              {"measures", t.measures},
              {"fed_back", t.fed_back},
              {"respond_due", t.respond_due},
              {"feedback_due", t.feedback_due},
              {"responded_on", t.responded_on},
              {"responded_by", t.responded_by},
              {"reason", t.reason},
              {"fed_back_on", t.fed_back_on},
              {"stop_state", t.stop_state},
              {"stop_due", t.stop_due},
              {"stop_confirmed_on", t.stop_confirmed_on},
              {"due", t.due},
              {"due_what", t.due_what},
              {"card", t.card},
              {"working_days_left", t.due.empty() ? json(nullptr) : json(t.working_days_left)}};
}

const char* CardZh(const std::string& c) {
  if (c == "red") return "红牌";
  if (c == "yellow") return "黄牌";
  if (c == "green") return "正常";
  return "—";
}

Status Import(CommandContext& ctx, bool measures) {
  if (auto st = NeedStaff(ctx.principal()); !st.ok()) return st;
  const std::string file = ctx.args().Text("file");
  auto text = ReadFile(file);
  if (!text.ok()) return text.status();
  Platform& platform = ctx.platform();
  auto today = Today(platform);
  if (!today.ok()) return today.status();
  // The listings in force that have no case yet (listed before a memorandum triggered anything
  // for their list) get theirs in the same unit of work, and open cases get a task for each
  // department a new memorandum brings: a new memorandum reaches them too.
  int opened = 0, tasks_added = 0;
  auto counts = TransactValue<ImportCounts>(platform, ctx.principal(), [&](UnitOfWork& uow) -> Result<ImportCounts> {
    auto c = measures ? ImportMeasures(platform, uow, file, text.value())
                      : ImportMemoranda(platform, uow, file, text.value());
    if (!c.ok()) return c.status();
    auto b = BackfillCases(platform, uow, today.value());
    if (!b.ok()) return b.status();
    opened = b.value();
    auto wider = WidenCases(platform, uow, today.value());
    if (!wider.ok()) return wider.status();
    tasks_added = wider.value();
    return c;
  });
  if (!counts.ok()) return counts.status();
  const ImportCounts& c = counts.value();
  if (ctx.json())
    ctx.out() << json{{"added", c.added},
                      {"updated", c.updated},
                      {"unchanged", c.unchanged},
                      {"cases_opened", opened},
                      {"tasks_added", tasks_added}}
                     .dump()
              << "\n";
  else
    ctx.out() << "新增 " << c.added << "，更新 " << c.updated << "，未变 " << c.unchanged << "，开启案件 " << opened
              << "，新增任务 " << tasks_added << " / added " << c.added << ", updated " << c.updated << ", unchanged "
              << c.unchanged << ", cases opened " << opened << ", tasks added " << tasks_added << "\n";
  return Status::Ok();
}

Status Mutate(CommandContext& ctx, const std::function<Status(UnitOfWork&, CivilDate)>& fn) {
  if (auto st = NeedStaff(ctx.principal()); !st.ok()) return st;
  auto today = Today(ctx.platform());
  if (!today.ok()) return today.status();
  Status st = ctx.platform().RunInTransaction(ctx.principal(), [&](UnitOfWork& uow) { return fn(uow, today.value()); });
  if (!st.ok()) return st;
  // The task as it is now.
  auto rows = ReadValue<std::vector<TaskRow>>(ctx.platform(), [&](Sql& sql) {
    return LoadTasks(ctx.platform(), sql, ctx.principal().department, "", ctx.args().Text("case"), today.value());
  });
  if (!rows.ok()) return rows.status();
  for (const TaskRow& t : rows.value()) {
    if (ctx.json())
      ctx.out() << TaskJson(t).dump() << "\n";
    else
      ctx.out() << t.case_id << "\t" << t.department << "\t" << t.state << "\t"
                << (t.stop_state.empty() ? "-" : t.stop_state) << "\t" << (t.due.empty() ? "-" : t.due) << "\t"
                << CardZh(t.card) << "/" << (t.card.empty() ? "-" : t.card) << "\n";
  }
  return Status::Ok();
}

}  // namespace

Status RegisterCommands(Registrar& reg) {
  using K = OptionKind;
  auto add = [&](CommandSpec s, CommandFn fn) { return reg.AddCommand(s, std::move(fn)); };
  {
    CommandSpec s;
    s.path = {"punishment", "measures", "import"};
    s.help = "导入措施清单（JSON 数组，按代码幂等） / import the measures catalogue (a JSON array, idempotent by code)";
    s.options = {{"file", "措施文件 / the measures file", K::kText, true}};
    if (auto st = add(s, [](CommandContext& ctx) { return Import(ctx, true); }); !st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "measures", "list"};
    s.help = "措施清单 / the measures catalogue";
    if (auto st = add(s,
                      [](CommandContext& ctx) -> Status {
                        auto today = Today(ctx.platform());
                        if (!today.ok()) return today.status();
                        auto ms = ReadValue<std::map<std::string, Measure>>(ctx.platform(),
                                                                            [](Sql& sql) { return LoadMeasures(sql); });
                        if (!ms.ok()) return ms.status();
                        const std::string t = today.value().ToString();
                        json out = json::array();
                        if (!ctx.json())
                          PrintTableHeader(ctx.out(), {"代码/code", "性质/kind", "效果/effect", "部门/department",
                                                       "名单/lists", "事项/actions", "公布/published", "名称/name"});
                        for (const auto& [code, m] : ms.value()) {
                          if (ctx.json()) {
                            out.push_back(MeasureJson(m, t));
                            continue;
                          }
                          std::string lists, actions;
                          for (const auto& l : m.lists) lists += (lists.empty() ? "" : ",") + l;
                          for (const auto& a : m.actions) actions += (actions.empty() ? "" : ",") + a;
                          ctx.out() << m.code << "\t" << m.kind << "\t" << m.effect << "\t" << m.department << "\t"
                                    << lists << "\t" << actions << "\t" << m.published_on
                                    << (m.published_on <= t ? "" : "（未生效/not yet）") << "\t" << m.name_zh << " / "
                                    << m.name_en << "\n";
                        }
                        if (ctx.json()) ctx.out() << out.dump(1) << "\n";
                        NoteListed(ctx, ms.value().size(), ms.value().size(), !ctx.json());
                        return Status::Ok();
                      });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "memoranda", "import"};
    s.help = "导入联合奖惩合作备忘录（JSON 数组，按代码幂等） / import memoranda (a JSON array, idempotent by code)";
    s.options = {{"file", "备忘录文件 / the memoranda file", K::kText, true}};
    if (auto st = add(s, [](CommandContext& ctx) { return Import(ctx, false); }); !st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "memoranda", "list"};
    s.help = "联合奖惩合作备忘录 / the memoranda";
    if (auto st = add(s,
                      [](CommandContext& ctx) -> Status {
                        auto ms = ReadValue<std::vector<Memorandum>>(ctx.platform(),
                                                                     [](Sql& sql) { return LoadMemoranda(sql); });
                        if (!ms.ok()) return ms.status();
                        json out = json::array();
                        if (!ctx.json())
                          PrintTableHeader(ctx.out(), {"代码/code", "签署/signed", "部门/departments",
                                                       "名单→措施/list→measures", "标题/title"});
                        for (const Memorandum& m : ms.value()) {
                          json entries = json::array();
                          std::string deps, links;
                          for (const auto& d : m.departments) deps += (deps.empty() ? "" : ",") + d;
                          for (const auto& e : m.entries) {
                            entries.push_back({{"list", e.list}, {"measures", e.measures}});
                            std::string ms2;
                            for (const auto& c : e.measures) ms2 += (ms2.empty() ? "" : ",") + c;
                            links += (links.empty() ? "" : "; ") + e.list + "→" + ms2;
                          }
                          if (ctx.json())
                            out.push_back({{"code", m.code},
                                           {"title", m.title},
                                           {"departments", m.departments},
                                           {"signed_on", m.signed_on},
                                           {"entries", entries}});
                          else
                            ctx.out() << m.code << "\t" << m.signed_on << "\t" << deps << "\t" << links << "\t"
                                      << m.title << "\n";
                        }
                        if (ctx.json()) ctx.out() << out.dump(1) << "\n";
                        NoteListed(ctx, ms.value().size(), ms.value().size(), !ctx.json());
                        return Status::Ok();
                      });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "cases", "list"};
    s.help =
        "联合惩戒案件的任务（本部门；管理员看全部），含黄牌、红牌 / the cases' tasks (your department's; an admin "
        "sees all), with yellow and red cards";
    s.options = {{"--state", "案件状态 / the case's state", K::kText, false, "", {"open", "stop_requested", "closed"}},
                 {"--card", "只列该颜色 / only this card", K::kText, false, "", {"yellow", "red"}}};
    if (auto st = add(
            s,
            [](CommandContext& ctx) -> Status {
              if (auto st = NeedStaff(ctx.principal()); !st.ok()) return st;
              const Principal& who = ctx.principal();
              if (who.department.empty() && !who.ActsForAllDepartments())
                return Status::Error(StatusCode::kPermissionDenied, "须以部门身份查看（--department）",
                                     "act for a department (--department)");
              auto today = Today(ctx.platform());
              if (!today.ok()) return today.status();
              auto rows = ReadValue<std::vector<TaskRow>>(ctx.platform(), [&](Sql& sql) {
                return LoadTasks(ctx.platform(), sql, who.department, ctx.args().Text("--state"), "", today.value());
              });
              if (!rows.ok()) return rows.status();
              const std::string card = ctx.args().Text("--card");
              json out = json::array();
              std::size_t shown = 0;
              if (!ctx.json())
                PrintTableHeader(ctx.out(), {"案件/case", "部门/department", "主体/uscc", "名单/list", "任务/task",
                                             "停止/stop", "期限/due", "剩余工作日/left", "牌/card"});
              for (const TaskRow& t : rows.value()) {
                if (!card.empty() && t.card != card) continue;
                ++shown;
                if (ctx.json()) {
                  out.push_back(TaskJson(t));
                  continue;
                }
                ctx.out() << t.case_id << "\t" << t.department << "\t" << t.uscc << "\t" << t.list << "\t" << t.state
                          << "\t" << (t.stop_state.empty() ? "-" : t.stop_state) << "\t"
                          << (t.due.empty() ? "-" : t.due + "(" + t.due_what + ")") << "\t"
                          << (t.due.empty() ? "-" : std::to_string(t.working_days_left)) << "\t" << CardZh(t.card)
                          << "/" << (t.card.empty() ? "-" : t.card) << "\n";
              }
              if (ctx.json()) ctx.out() << out.dump(1) << "\n";
              NoteListed(ctx, shown, shown, !ctx.json());
              return Status::Ok();
            });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "cases", "show"};
    s.help = "一个案件及其各部门任务 / one case with its departments' tasks";
    s.options = {{"case", "案件编号 / the case id", K::kText, true}};
    if (auto st = add(
            s,
            [](CommandContext& ctx) -> Status {
              if (auto st = NeedStaff(ctx.principal()); !st.ok()) return st;
              auto today = Today(ctx.platform());
              if (!today.ok()) return today.status();
              const std::string id = ctx.args().Text("case");
              auto rows = ReadValue<std::vector<TaskRow>>(
                  ctx.platform(), [&](Sql& sql) { return LoadTasks(ctx.platform(), sql, "", "", id, today.value()); });
              if (!rows.ok()) return rows.status();
              const Principal& who = ctx.principal();
              bool mine = who.ActsForAllDepartments();
              for (const TaskRow& t : rows.value()) mine = mine || t.department == who.department;
              if (rows.value().empty() || !mine)
                return Status::Error(StatusCode::kNotFound, "没有案件 " + id, "no case " + id);
              const TaskRow& c = rows.value().front();
              if (ctx.json()) {
                json tasks = json::array();
                for (const TaskRow& t : rows.value()) tasks.push_back(TaskJson(t));
                ctx.out() << json{{"id", c.case_id},          {"listing", c.listing_id}, {"list", c.list},
                                  {"uscc", c.uscc},           {"kind", c.kind},          {"state", c.case_state},
                                  {"opened_on", c.opened_on}, {"ended_on", c.ended_on},  {"tasks", tasks}}
                                 .dump(1)
                          << "\n";
                return Status::Ok();
              }
              ctx.out() << c.case_id << "\t" << c.case_state << "\t" << c.list << "\t" << c.uscc << "\t" << c.listing_id
                        << "\n"
                        << "开始 / opened: " << c.opened_on
                        << (c.ended_on.empty() ? "" : "\t移出 / ended: " + c.ended_on) << "\n";
              for (const TaskRow& t : rows.value()) {
                std::string ms, fb;
                for (const auto& m : t.measures) ms += (ms.empty() ? "" : ",") + m;
                for (const auto& m : t.fed_back) fb += (fb.empty() ? "" : ",") + m;
                ctx.out() << "  " << t.department << "\t" << t.state << "\t响应期限/respond by " << t.respond_due
                          << "\t反馈期限/feed back by " << t.feedback_due << "\t措施/measures " << ms
                          << "\t已实施/applied " << (fb.empty() ? "-" : fb)
                          << (t.stop_state.empty() ? "" : "\t停止/stop " + t.stop_state + " (" + t.stop_due + ")")
                          << "\t" << CardZh(t.card) << "/" << (t.card.empty() ? "-" : t.card) << "\n";
              }
              return Status::Ok();
            });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "respond"};
    s.help =
        "本部门响应案件：接受或不予实施（须说明理由） / your department responds: accept, or decline with a reason";
    s.options = {{"case", "案件编号 / the case id", K::kText, true},
                 {"--accept", "接受 / accept", K::kFlag},
                 {"--decline", "不予实施 / decline", K::kFlag},
                 {"--reason", "理由 / the reason", K::kText}};
    s.excludes = {{"--accept", "--decline"}};
    if (auto st = add(s,
                      [](CommandContext& ctx) -> Status {
                        if (!ctx.args().Flag("--accept") && !ctx.args().Flag("--decline"))
                          return Usage(ctx, "须给出 --accept 或 --decline", "give --accept or --decline");
                        const bool accept = ctx.args().Flag("--accept");
                        return Mutate(ctx, [&](UnitOfWork& uow, CivilDate today) {
                          return Respond(ctx.platform(), uow, ctx.args().Text("case"), accept,
                                         ctx.args().Text("--reason"), today);
                        });
                      });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "feedback"};
    s.help = "反馈已实施的措施 / report a measure applied";
    s.options = {{"case", "案件编号 / the case id", K::kText, true},
                 {"--measure", "措施代码 / the measure's code", K::kText, true},
                 {"--applied-on", "实施日期 YYYY-MM-DD / the date applied", K::kText, true},
                 {"--note", "说明 / a note", K::kText}};
    if (auto st = add(s,
                      [](CommandContext& ctx) -> Status {
                        return Mutate(ctx, [&](UnitOfWork& uow, CivilDate today) {
                          return Feedback(ctx.platform(), uow, ctx.args().Text("case"), ctx.args().Text("--measure"),
                                          ctx.args().Text("--applied-on"), ctx.args().Text("--note"), today);
                        });
                      });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "confirm-stop"};
    s.help = "名单移出后确认已停止措施 / confirm the measures stopped after the listing ended";
    s.options = {{"case", "案件编号 / the case id", K::kText, true}};
    if (auto st = add(s,
                      [](CommandContext& ctx) -> Status {
                        return Mutate(ctx, [&](UnitOfWork& uow, CivilDate today) {
                          return ConfirmStop(ctx.platform(), uow, ctx.args().Text("case"), today);
                        });
                      });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "stats"};
    s.help =
        "各部门：收到任务、按时响应、实施措施、确认停止 / per department: tasks received, answered in time, measures "
        "applied, stops confirmed";
    if (auto st = add(s,
                      [](CommandContext& ctx) -> Status {
                        if (auto st = NeedStaff(ctx.principal()); !st.ok()) return st;
                        struct Row {
                          std::int64_t received = 0, answered = 0, in_time = 0, declined = 0, applied = 0,
                                       checks_applied = 0, stops_requested = 0, stops_confirmed = 0;
                        };
                        std::map<std::string, Row> rows;
                        Status st = ctx.platform().Read([&](Sql& sql) -> Status {
                          Status s = sql.Query(
                              "SELECT department, COUNT(*), SUM(CASE WHEN responded_on <> '' THEN 1 ELSE 0 END), "
                              "SUM(CASE WHEN responded_on <> '' AND responded_on <= respond_due THEN 1 ELSE 0 END), "
                              "SUM(CASE WHEN state = 'declined' THEN 1 ELSE 0 END), "
                              "SUM(CASE WHEN stop_state <> '' THEN 1 ELSE 0 END), "
                              "SUM(CASE WHEN stop_state = 'confirmed' THEN 1 ELSE 0 END) FROM punishment_tasks GROUP "
                              "BY department",
                              {}, [&](const SqlRow& r) {
                                Row& x = rows[r.Text(0)];
                                x.received = r.Int(1);
                                x.answered = r.Int(2);
                                x.in_time = r.Int(3);
                                x.declined = r.Int(4);
                                x.stops_requested = r.Int(5);
                                x.stops_confirmed = r.Int(6);
                                return true;
                              });
                          if (!s.ok()) return s;
                          s = sql.Query("SELECT department, COUNT(*) FROM punishment_feedback GROUP BY department", {},
                                        [&](const SqlRow& r) {
                                          rows[r.Text(0)].applied = r.Int(1);
                                          return true;
                                        });
                          if (!s.ok()) return s;
                          return sql.Query("SELECT department, COUNT(*) FROM punishment_applied GROUP BY department",
                                           {}, [&](const SqlRow& r) {
                                             rows[r.Text(0)].checks_applied = r.Int(1);
                                             return true;
                                           });
                        });
                        if (!st.ok()) return st;
                        json out = json::array();
                        if (!ctx.json())
                          PrintTableHeader(ctx.out(),
                                           {"部门/department", "收到/received", "已响应/answered", "按时/in_time",
                                            "不予实施/declined", "已实施/applied", "核查后实施/applied_after_check",
                                            "停止请求/stops", "已确认停止/confirmed"});
                        for (const auto& [d, x] : rows) {
                          if (ctx.json()) {
                            out.push_back({{"department", d},
                                           {"received", x.received},
                                           {"answered", x.answered},
                                           {"answered_in_time", x.in_time},
                                           {"declined", x.declined},
                                           {"measures_applied", x.applied},
                                           {"applied_after_check", x.checks_applied},
                                           {"stops_requested", x.stops_requested},
                                           {"stops_confirmed", x.stops_confirmed}});
                            continue;
                          }
                          ctx.out() << d << "\t" << x.received << "\t" << x.answered << "\t" << x.in_time << "\t"
                                    << x.declined << "\t" << x.applied << "\t" << x.checks_applied << "\t"
                                    << x.stops_requested << "\t" << x.stops_confirmed << "\n";
                        }
                        if (ctx.json()) ctx.out() << out.dump(1) << "\n";
                        NoteListed(ctx, rows.size(), rows.size(), !ctx.json());
                        return Status::Ok();
                      });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "keys", "add"};
    s.help =
        "为本部门新增信用核查 API 密钥（只显示一次） / add a credit-check API key for your department (shown once)";
    s.options = {
        {"--name", "密钥名称 / the key's name", K::kText, true},
        {"--actions", "可核查的事项，逗号分隔 / the actions it may ask about, comma-separated", K::kText, true}};
    if (auto st = add(
            s,
            [](CommandContext& ctx) -> Status {
              if (auto st = NeedStaff(ctx.principal()); !st.ok()) return st;
              const std::string name = ctx.args().Text("--name");
              const std::string department = ctx.principal().department;
              bool name_ok = !name.empty() && name.size() <= 64 &&
                             ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9'));
              for (char c : name)
                name_ok =
                    name_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
              if (!name_ok)
                return Usage(ctx, "密钥名称须为小写字母或数字开头的小写字母、数字、. _ -，至多 64 个字符",
                             "the key's name must be [a-z0-9][a-z0-9._-]*, at most 64 characters");
              if (department.empty())
                return Usage(ctx, "须以部门身份新增密钥（--department）", "add a key for a department (--department)");
              std::set<std::string> actions;
              std::stringstream ss(ctx.args().Text("--actions"));
              for (std::string a; std::getline(ss, a, ',');) {
                if (a.empty()) continue;
                if (!IsKnownAction(a))
                  return Usage(ctx, "未知的事项 “" + a.substr(0, 64) + "”", "unknown action '" + a.substr(0, 64) + "'");
                actions.insert(a);
              }
              if (actions.empty()) return Usage(ctx, "须给出至少一个事项", "give at least one action");
              const std::string key = NewApiKey();
              const std::vector<std::string> list(actions.begin(), actions.end());
              Status st = ctx.platform().RunInTransaction(ctx.principal(), [&](UnitOfWork& uow) -> Status {
                return AddKey(uow, ctx.principal().id, name, department, list, key);
              });
              if (!st.ok()) return st;
              if (ctx.json())
                ctx.out() << json{{"name", name}, {"department", department}, {"actions", list}, {"key", key}}.dump()
                          << "\n";
              else
                ctx.out() << key << "\n";
              ctx.err() << "密钥只显示这一次，请妥善保存 / the key is shown this once: keep it safe\n";
              return Status::Ok();
            });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "keys", "list"};
    s.help = "信用核查 API 密钥（不含密钥本身） / the credit-check API keys (never the keys themselves)";
    if (auto st = add(s,
                      [](CommandContext& ctx) -> Status {
                        if (auto st = NeedStaff(ctx.principal()); !st.ok()) return st;
                        const Principal& who = ctx.principal();
                        json out = json::array();
                        if (!ctx.json())
                          PrintTableHeader(ctx.out(), {"名称/name", "部门/department", "事项/actions", "状态/state"});
                        std::size_t n = 0;
                        Status st = ctx.platform().Read([&](Sql& sql) {
                          return sql.Query(
                              "SELECT name, department, actions, revoked_at_us FROM punishment_keys ORDER BY name", {},
                              [&](const SqlRow& r) {
                                if (!who.ActsFor(r.Text(1))) return true;
                                ++n;
                                json actions = json::parse(r.View(2), nullptr, false);
                                const bool revoked = r.Int(3) != 0;
                                if (ctx.json()) {
                                  out.push_back({{"name", r.Text(0)},
                                                 {"department", r.Text(1)},
                                                 {"actions", actions},
                                                 {"revoked", revoked}});
                                } else {
                                  std::string a;
                                  if (actions.is_array())
                                    for (const auto& x : actions) a += (a.empty() ? "" : ",") + x.get<std::string>();
                                  ctx.out() << r.Text(0) << "\t" << r.Text(1) << "\t" << a << "\t"
                                            << (revoked ? "已吊销/revoked" : "有效/active") << "\n";
                                }
                                return true;
                              });
                        });
                        if (!st.ok()) return st;
                        if (ctx.json()) ctx.out() << out.dump(1) << "\n";
                        NoteListed(ctx, n, n, !ctx.json());
                        return Status::Ok();
                      });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "keys", "revoke"};
    s.help = "吊销一个 API 密钥 / revoke an API key";
    s.options = {{"name", "密钥名称 / the key's name", K::kText, true}};
    if (auto st = add(
            s,
            [](CommandContext& ctx) -> Status {
              if (auto st = NeedStaff(ctx.principal()); !st.ok()) return st;
              const std::string name = ctx.args().Text("name");
              Status st = ctx.platform().RunInTransaction(ctx.principal(), [&](UnitOfWork& uow) -> Status {
                std::optional<std::string> dept;
                std::int64_t revoked = 0;
                Status q = uow.sql().Query("SELECT department, revoked_at_us FROM punishment_keys WHERE name = ?",
                                           {name}, [&](const SqlRow& r) {
                                             dept = r.Text(0);
                                             revoked = r.Int(1);
                                             return false;
                                           });
                if (!q.ok()) return q;
                if (!dept || !uow.principal().ActsFor(*dept))
                  return Status::Error(StatusCode::kNotFound, "没有名为 " + name + " 的密钥", "no key named " + name);
                if (revoked != 0)
                  return Status::Error(StatusCode::kConflict, "密钥 " + name + " 已吊销",
                                       "the key " + name + " is revoked already");
                auto n =
                    uow.sql().Exec("UPDATE punishment_keys SET revoked_at_us = ? WHERE name = ?", {uow.now_us(), name});
                if (!n.ok()) return n.status();
                json row{{"name", name}, {"department", *dept}, {"revoked", true}};
                if (auto s =
                        uow.Audit({"punishment.key.revoke", "punishment_key", name, "", digest::Sha256Hex(row.dump())});
                    !s.ok())
                  return s;
                if (auto s = uow.Publish("punishment.key.revoked", name, row.dump()); !s.ok()) return s;
                return Bump(uow, "keys", name);
              });
              if (!st.ok()) return st;
              ctx.out() << (ctx.json() ? json{{"name", name}, {"revoked", true}}.dump() : "已吊销 / revoked " + name)
                        << "\n";
              return Status::Ok();
            });
        !st.ok())
      return st;
  }
  {
    CommandSpec s;
    s.path = {"punishment", "check"};
    s.help = "信用核查（同 API 的答复，记入核查日志） / a credit check (the API's answer, logged)";
    s.options = {{"uscc", "统一社会信用代码 / the subject's USCC", K::kText, true},
                 {"--action", "事项 / the action", K::kText, true}};
    if (auto st = add(
            s,
            [](CommandContext& ctx) -> Status {
              if (auto st = NeedStaff(ctx.principal()); !st.ok()) return st;
              const std::string uscc = ctx.args().Text("uscc"), action = ctx.args().Text("--action");
              if (auto u = uscc::Check(uscc); !u.ok())
                return Usage(ctx, u.message().substr(0, u.message().find(" / ")),
                             u.message().substr(u.message().find(" / ") + 3));
              if (!IsKnownAction(action))
                return Usage(ctx, "未知的事项 “" + action.substr(0, 64) + "”",
                             "unknown action '" + action.substr(0, 64) + "'");
              Platform& platform = ctx.platform();
              CheckIndex& index = CheckIndex::Of(platform);
              if (auto st = index.Fresh(platform, true); !st.ok()) return st;
              auto today = Today(platform);
              if (!today.ok()) return today.status();
              CheckRecord rec;
              rec.check_id = NewCheckId();
              rec.key_name = "cli:" + ctx.principal().id;
              rec.department = ctx.principal().department;
              rec.uscc = uscc;
              rec.action = action;
              rec.at_us = platform.NowMicros();
              json out = index.WithAnswer(uscc, action, today.value().ToString(), [&](const Answer& a) {
                json ls = json::array(), ms = json::array();
                for (const ActiveListing* l : a.listings) {
                  ls.push_back(
                      {{"id", l->id}, {"list", l->list}, {"starts_on", l->starts_on}, {"expires_on", l->expires_on}});
                  rec.listing_ids += (rec.listing_ids.empty() ? "" : ";") + l->id;
                }
                for (const Measure* m : a.measures) {
                  ms.push_back({{"code", m->code},
                                {"department", m->department},
                                {"effect", m->effect},
                                {"name_zh", m->name_zh}});
                  rec.measure_codes += (rec.measure_codes.empty() ? "" : ";") + m->code;
                }
                rec.answer = a.answer;
                return json{{"check_id", rec.check_id}, {"uscc", uscc},   {"action", action},
                            {"answer", a.answer},       {"listings", ls}, {"measures", ms}};
              });
              LogRows log;
              log.checks.push_back(rec);
              if (auto st = LogChecks(platform, log); !st.ok()) return st;
              if (ctx.json()) {
                ctx.out() << out.dump() << "\n";
                return Status::Ok();
              }
              ctx.out() << rec.answer << "\t" << uscc << "\t" << action << "\t" << rec.check_id << "\n";
              for (const auto& m : out["measures"])
                ctx.out() << "  " << m["code"].get<std::string>() << "\t" << m["effect"].get<std::string>() << "\t"
                          << m["department"].get<std::string>() << "\t" << m["name_zh"].get<std::string>() << "\n";
              return Status::Ok();
            });
        !st.ok())
      return st;
  }
  return Status::Ok();
}

}  // namespace xj::punishment
