// The inspection plugin's commands (see commands.h). What they print, their options and exit
// codes are those of the CLI's former visit commands: tables with one bilingual header row,
// --json as one document, 0 / 1 / 2 as exit codes.
#include "commands.h"

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "visits.h"
#include "xinjian/text.h"

namespace xj::inspection {
namespace {

using nlohmann::json;
using K = OptionKind;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// A refusal of the command line that the CLI cannot check itself (an option that needs
// another, a date): printed like the option parser's and exit 2, as before the commands moved
// into the plugin.
Status UsageError(CommandContext& ctx, const std::string& zh, const std::string& en) {
  ctx.err() << "错误 / error: " << zh << " / " << en << "\n";
  ctx.SetExitCode(kExitUsage);
  return Status::Ok();
}

// Identifiers, codes and dates typed on the command line: short, one line, UTF-8. Anything
// else is refused here with a clear message, before it reaches a query or an error message.
Status CheckWord(const std::string& option, const std::string& value, std::size_t max_bytes = 256) {
  if (value.size() > max_bytes)
    return Status::Error(StatusCode::kInvalidArgument,
                         "选项 " + option + " 的值过长（" + std::to_string(value.size()) + " 字节，最多 " +
                             std::to_string(max_bytes) + "）",
                         "the value of " + option + " is too long (" + std::to_string(value.size()) +
                             " bytes, at most " + std::to_string(max_bytes) + ")");
  if (!utf8::IsValid(value) || utf8::HasControlChar(value))
    return Status::Error(StatusCode::kInvalidArgument, "选项 " + option + " 的值含有控制字符或无效的 UTF-8",
                         "the value of " + option + " contains a control character or invalid UTF-8");
  return Status::Ok();
}

// The checks of CheckWord for several options of the command at once (those given).
Status CheckWords(CommandContext& ctx, const std::vector<std::string>& options) {
  for (const std::string& o : options) {
    if (!ctx.args().Has(o)) continue;
    if (Status st = CheckWord(o, ctx.args().Text(o)); !st.ok()) return st;
  }
  return CheckWord("--department", ctx.principal().department);
}

// The visit service for one command: the command's platform and principal, the plugin's
// configuration (plugins.inspection.*). A bad configuration value is a usage error (exit 2).
struct Service {
  VisitContext vc;
  bool ok = false;
};

Service Open(CommandContext& ctx, const draw::TaskService* tasks) {
  Service s;
  s.vc.platform = &ctx.platform();
  s.vc.tasks = tasks;
  s.vc.principal = ctx.principal();
  auto opts = VisitOptions::FromConfig("inspection",
                                       [&ctx](const std::string& k, const std::string& f) { return ctx.Config(k, f); });
  if (!opts.ok()) {
    ctx.err() << "错误 / error: " << opts.status().message() << "\n";
    ctx.SetExitCode(kExitUsage);
    return s;
  }
  s.vc.options = opts.value();
  s.ok = true;
  return s;
}

const char* VisitStateZh(const std::string& s) {
  if (s == "assigned") return "已派发";
  if (s == "in_progress") return "检查中";
  if (s == "entered") return "结果已录入";
  if (s == "reviewed") return "已审核";
  if (s == "published") return "已公示";
  if (s == "merged") return "已并入联合检查";
  return "?";
}

const char* ItemStateZh(const std::string& s) {
  if (s == "pending") return "待录入";
  if (s == "entered") return "已录入";
  if (s == "returned") return "已退回";
  if (s == "approved") return "审核通过";
  if (s == "published") return "已公示";
  return "?";
}

const char* CardZh(const std::string& c) {
  if (c == "red") return "红牌";
  if (c == "yellow") return "黄牌";
  if (c == "green") return "正常";
  return "—";
}

void PrintVisit(std::ostream& out, const Visit& v) {
  out << "检查记录 / visit: " << v.id << "\n"
      << "  状态 / state: " << VisitStateZh(v.state) << " / " << v.state << "\n"
      << "  对象 / subject: " << v.name << " (" << v.uscc << ")\n"
      << "  地址 / address: " << v.address << "\n"
      << "  检查组 / team: ";
  for (std::size_t i = 0; i < v.team.size(); ++i)
    out << (i ? ", " : "") << v.team[i] << (i == 0 ? "（主检 / lead）" : "");
  out << "\n";
  if (!v.merged_into.empty()) out << "  并入 / merged into: " << v.merged_into << "\n";
  if (!v.started_on.empty()) out << "  开始 / started: " << v.started_on << " " << v.started_by << "\n";
  const auto& cat = Results();
  for (const auto& it : v.items) {
    out << "  - " << it.item_code << " " << it.item_name << " [" << it.department << ", " << it.task_id << "] "
        << ItemStateZh(it.state) << " / " << it.state;
    if (!it.result_code.empty()) {
      const auto* c = cat.Find(it.result_code);
      out << "\n      结果 / result: " << (c ? c->zh + " / " + c->en : it.result_code) << "，检查日期 / inspected "
          << it.inspected_on << "，方式 / method " << it.method << "，录入 / by " << it.entered_by;
      if (!it.findings.empty()) out << "\n      情况 / findings: " << it.findings;
      if (it.follow_up.kind != "none")
        out << "\n      后续处置 / follow-up: " << it.follow_up.kind << " " << it.follow_up.deadline
            << it.follow_up.to_department << it.follow_up.case_no;
    }
    if (!it.due_date.empty())
      out << "\n      公示期限 / publish by: " << it.due_date << (it.due_provisional ? "（暂定 / provisional）" : "")
          << (it.card == "none" ? "" : std::string("  ") + CardZh(it.card) + " / " + it.card);
    if (!it.review_reason.empty()) out << "\n      退回理由 / returned: " << it.review_reason;
    if (!it.published_on.empty()) out << "\n      公示日期 / published: " << it.published_on;
    out << "\n";
  }
}

// Prints the visit after a change (JSON or text).
Status Done(CommandContext& ctx, const Result<Visit>& v) {
  if (!v.ok()) return v.status();
  if (ctx.json())
    ctx.out() << VisitJson(v.value()).dump(2) << "\n";
  else
    PrintVisit(ctx.out(), v.value());
  return Status::Ok();
}

CommandOption Positional(const std::string& name, const std::string& help) {
  return CommandOption{name, help, K::kText, true, "", {}};
}
CommandOption Text(const std::string& name, const std::string& help, bool required = false) {
  return CommandOption{name, help, K::kText, required, "", {}};
}
CommandOption Flag(const std::string& name, const std::string& help) {
  return CommandOption{name, help, K::kFlag, false, "", {}};
}

// ---------------------------------------------------------------------------------------------

Status Show(CommandContext& ctx, const draw::TaskService* tasks) {
  if (Status st = CheckWords(ctx, {"id"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  const std::string id = ctx.args().Text("id");
  const Principal& who = ctx.principal();
  if (Status st = RequireKnownDepartment(s.vc, who.department); !st.ok()) return st;
  auto v = LoadVisit(s.vc, id);
  if (!v.ok()) return v.status();
  bool mine = false;
  for (const auto& it : v->items) mine = mine || who.ActsFor(it.department);
  const bool published = v->state == "published";
  // Anyone may see a published visit; before that, only a department with an item on it.
  if (!published && !mine) {
    if (who.department.empty())
      return Status::Error(StatusCode::kPermissionDenied,
                           "检查记录 " + id + " 尚未公示：请用 --department 以有事项的部门身份查看",
                           "visit " + id +
                               " is not published: view it with --department, as a department with an item on it (not "
                               "visible)");
    return Status::Error(
        StatusCode::kPermissionDenied, "检查记录 " + id + " 没有部门 " + who.department + " 的事项，公示前不可查看",
        "visit " + id + " has no item of department " + who.department + " and is not published: not visible");
  }
  return Done(ctx, v);
}

Status Start(CommandContext& ctx, const draw::TaskService* tasks) {
  if (Status st = CheckWords(ctx, {"id", "--by", "--date"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  return Done(ctx, StartVisit(s.vc, ctx.args().Text("id"), ctx.args().Text("--by"), ctx.args().Text("--date")));
}

Status EnterOne(CommandContext& ctx, const draw::TaskService* tasks) {
  if (Status st = CheckWords(ctx, {"id", "--item", "--code", "--date", "--method", "--follow-up",
                                   "--follow-up-deadline", "--transfer-to", "--case-no", "--by"});
      !st.ok())
    return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  const CommandArgs& a = ctx.args();
  ResultEntry e;
  e.visit_id = a.Text("id");
  e.item_code = a.Text("--item");
  e.result_code = a.Text("--code");
  e.inspected_on = a.Text("--date");
  e.method = a.Text("--method");
  e.findings = a.Text("--findings");
  e.by = a.Text("--by");
  e.follow_up.kind = a.Text("--follow-up").empty() ? "none" : a.Text("--follow-up");
  e.follow_up.deadline = a.Text("--follow-up-deadline");
  e.follow_up.to_department = a.Text("--transfer-to");
  e.follow_up.case_no = a.Text("--case-no");
  return Done(ctx, EnterResult(s.vc, e));
}

Status Review(CommandContext& ctx, const draw::TaskService* tasks) {
  const std::string& department = ctx.principal().department;
  if (department.empty())
    return UsageError(ctx, "缺少必需的选项 --department（审核部门）",
                      "--department is required (the reviewing department)");
  const bool approve = ctx.args().Flag("--approve");
  const std::string reason = ctx.args().Text("--return");
  if (!approve && reason.empty())
    return UsageError(ctx, "须指定 --approve 或 --return 理由", "give --approve or --return REASON");
  if (Status st = CheckWords(ctx, {"id", "--item"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  return Done(ctx, ReviewResults(s.vc, ctx.args().Text("id"), department, ctx.args().Text("--item"), approve, reason));
}

Status PublishOne(CommandContext& ctx, const draw::TaskService* tasks) {
  const std::string& department = ctx.principal().department;
  if (department.empty())
    return UsageError(ctx, "缺少必需的选项 --department（公示部门）",
                      "--department is required (the publishing department)");
  if (Status st = CheckWords(ctx, {"id"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  return Done(ctx, PublishResults(s.vc, ctx.args().Text("id"), department));
}

Status For(CommandContext& ctx, const draw::TaskService* tasks) {
  if (Status st = CheckWords(ctx, {"inspector"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  const std::string inspector = ctx.args().Text("inspector");
  auto list = VisitsFor(s.vc, inspector);
  if (!list.ok()) return list.status();
  std::ostream& out = ctx.out();
  if (ctx.json()) {
    json arr = json::array();
    for (const auto& v : list.value()) arr.push_back(VisitJson(v));
    out << arr.dump(2) << "\n";
  } else {
    PrintTableHeader(out, {"检查记录/visit", "状态/state", "统一社会信用代码/uscc", "名称/name", "地址/address",
                           "事项/items", "主检/lead"});
    for (const auto& v : list.value()) {
      out << v.id << "\t" << v.state << "\t" << v.uscc << "\t" << v.name << "\t" << v.address << "\t";
      for (std::size_t i = 0; i < v.items.size(); ++i) out << (i ? "," : "") << v.items[i].item_code;
      out << "\t" << (v.team.empty() ? "" : v.team.front())
          << (!v.team.empty() && v.team.front() == inspector ? "（主检 / lead）" : "") << "\n";
    }
  }
  NoteListed(ctx, list->size(), list->size(), !ctx.json());
  return Status::Ok();
}

Status Merge(CommandContext& ctx, const draw::TaskService* tasks) {
  if (Status st = CheckWords(ctx, {"--period"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  const std::string period = ctx.args().Text("--period");
  auto rep = MergeVisits(s.vc, period, ctx.args().Flag("--apply"));
  if (!rep.ok()) return rep.status();
  std::ostream& out = ctx.out();
  if (ctx.json()) {
    json arr = json::array();
    for (const auto& p : rep->proposals)
      arr.push_back({{"uscc", p.uscc},
                     {"joint_visit", p.joint_id},
                     {"visits", p.visits},
                     {"tasks", p.tasks},
                     {"departments", p.departments},
                     {"items", p.items},
                     {"team", p.team}});
    out << json{{"period", period},
                {"applied", rep->applied},
                {"proposals", arr},
                {"visits_before", rep->visits_before},
                {"visits_after", rep->visits_after},
                {"saved", rep->saved}}
               .dump(2)
        << "\n";
    return Status::Ok();
  }
  PrintTableHeader(out, {"联合检查/joint visit", "检查记录/visits", "部门/departments"});
  for (const auto& p : rep->proposals) {
    out << p.joint_id << "\t";
    for (std::size_t i = 0; i < p.visits.size(); ++i) out << (i ? "+" : "") << p.visits[i];
    out << "\t";
    for (std::size_t i = 0; i < p.departments.size(); ++i) out << (i ? "," : "") << p.departments[i];
    out << "\n";
  }
  out << (rep->applied ? "已合并 / merged: " : "建议合并 / proposed: ") << rep->proposals.size()
      << " 个对象 / subjects, " << rep->visits_before << " 次检查 → " << rep->visits_after
      << " 次 / visits; 节省 / saved " << rep->saved << " 次上门 / visits\n";
  if (!rep->applied && !rep->proposals.empty()) out << "确认请加 --apply / add --apply to merge\n";
  return Status::Ok();
}

Status Dispatch(CommandContext& ctx, const draw::TaskService* tasks) {
  if (Status st = CheckWords(ctx, {"task"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  const std::string task = ctx.args().Text("task");
  auto n = CreateVisits(s.vc, task);
  if (!n.ok()) return n.status();
  if (ctx.json())
    ctx.out() << json{{"task", task}, {"visits_created", n.value()}}.dump(2) << "\n";
  else
    ctx.out() << "新建检查记录 / visits created: " << n.value() << "\n";
  return Status::Ok();
}

Status Import(CommandContext& ctx, const draw::TaskService* tasks) {
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  const std::string rejects = ctx.args().Text("--rejects");
  auto sum = ImportResults(s.vc, ctx.args().Text("file"), rejects);
  if (!sum.ok()) return sum.status();
  std::ostream& out = ctx.out();
  if (ctx.json()) {
    out << json{{"lines", sum->lines},
                {"entered", sum->entered},
                {"rejected", sum->rejected},
                {"sample_rejects", sum->sample_rejects},
                {"rejects_file", sum->rejected ? rejects : ""}}
               .dump(2)
        << "\n";
  } else {
    out << "行 / lines: " << sum->lines << "，录入 / entered: " << sum->entered
        << "，拒绝 / rejected: " << sum->rejected << "\n";
    for (const auto& r : sum->sample_rejects) out << "  " << r << "\n";
    if (sum->rejected && !rejects.empty()) out << "被拒行 / rejected lines: " << rejects << "\n";
  }
  if (sum->rejected > 0) ctx.SetExitCode(kExitFailure);
  return Status::Ok();
}

Status Deadlines(CommandContext& ctx, const draw::TaskService* tasks) {
  const CommandArgs& a = ctx.args();
  const std::int64_t limit = a.Int("--limit");
  if (limit < 0)
    return UsageError(ctx, "选项 --limit 的值无效：须为 0 或正整数", "--limit must be 0 or a positive whole number");
  if (Status st = CheckWords(ctx, {"--today"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  const std::string today = a.Text("--today");
  if (!today.empty()) {
    if (!CivilDate::Parse(today).ok()) return UsageError(ctx, "--today 须为 YYYY-MM-DD", "--today must be YYYY-MM-DD");
    s.vc.today = today;
  }
  if (a.Flag("--refresh")) {
    auto r = RefreshDeadlines(s.vc);
    if (!r.ok()) return r.status();
    ctx.err() << "黄牌 / yellow: " << r->yellow << "，红牌 / red: " << r->red
              << "，补建检查 / visits created: " << r->visits_created << "，揭示任务 / tasks revealed: " << r->revealed
              << "，暂定期限改动 / provisional deadlines moved: " << r->moved << "，确认 / confirmed: " << r->confirmed
              << "\n";
  }
  // All of them, then cut here: the total is named when --limit cuts the list (and the
  // yellow filter, applied after the SQL, cannot make a limit return fewer rows than it could).
  auto list = ListDeadlines(s.vc, DeadlineQuery{ctx.principal().department, a.Text("--state"), a.Flag("--all"), 0});
  if (!list.ok()) return list.status();
  const std::size_t total = list->size();
  if (limit > 0 && list->size() > static_cast<std::size_t>(limit)) list->erase(list->begin() + limit, list->end());
  std::ostream& out = ctx.out();
  if (ctx.json()) {
    json arr = json::array();
    for (const auto& d : list.value()) {
      json row{{"visit", d.visit_id},
               {"item", d.item_code},
               {"department", d.department},
               {"task", d.task_id},
               {"uscc", d.uscc},
               {"due_date", d.due_date},
               {"card", d.card},
               {"state", d.state},
               {"working_days_left", d.working_days_left},
               {"published_on", d.published_on},
               {"provisional", d.provisional}};
      if (d.state == "published") {
        row["working_days_left"] = nullptr;  // nothing counts down once published
        row["on_time"] = d.on_time;
      }
      arr.push_back(std::move(row));
    }
    out << arr.dump(2) << "\n";
    NoteListed(ctx, list->size(), total, false);
    return Status::Ok();
  }
  // Open items: the working days left (negative when overdue). Published items: when, and
  // whether in time. The last column only on provisional rows.
  PrintTableHeader(out, {"牌/card", "期限/due", "剩余工作日或公示/working days left or published", "部门/department",
                         "检查记录/visit", "事项/item", "状态/state", "暂定/provisional"});
  for (const auto& d : list.value()) {
    out << CardZh(d.card) << "/" << d.card << "\t" << d.due_date << "\t";
    if (d.state == "published")
      out << "已公示/published " << d.published_on << (d.on_time ? " 按时/on time" : " 逾期/late");
    else
      out << d.working_days_left;
    out << "\t" << d.department << "\t" << d.visit_id << "\t" << d.item_code << "\t" << d.state
        << (d.provisional ? "\t暂定/provisional" : "") << "\n";
  }
  NoteListed(ctx, list->size(), total, true);
  std::set<int> years;  // the provisional years the listed provisional deadlines were counted over
  for (const auto& d : list.value())
    if (d.provisional)
      for (int y : ProvisionalYears(s.vc, d.inspected_on, d.due_date)) years.insert(y);
  if (!years.empty())
    ctx.err() << ProvisionalMark(std::vector<int>(years.begin(), years.end()))
              << "；载入通知后运行 deadlines --refresh 重新计算 / run deadlines --refresh once the notice is loaded\n";
  return Status::Ok();
}

Status NoticeOfTask(CommandContext& ctx, const draw::TaskService* tasks) {
  if (Status st = CheckWords(ctx, {"task"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  auto j = TaskNotice(s.vc, ctx.args().Text("task"));
  if (!j.ok()) return j.status();
  ctx.out() << j.value().dump(2) << "\n";  // JSON, with or without --json
  return Status::Ok();
}

Status NoticesOfResults(CommandContext& ctx, const draw::TaskService* tasks) {
  if (Status st = CheckWords(ctx, {"--task"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  auto j = ResultNotices(s.vc, ctx.args().Text("--task"), ctx.principal().department);
  if (!j.ok()) return j.status();
  ctx.out() << j.value().dump(2) << "\n";  // JSON, with or without --json
  return Status::Ok();
}

Status Stats(CommandContext& ctx, const draw::TaskService* tasks) {
  if (Status st = CheckWords(ctx, {"--task"}); !st.ok()) return st;
  Service s = Open(ctx, tasks);
  if (!s.ok) return Status::Ok();
  auto arr = VisitStatistics(s.vc, ctx.args().Text("--task"), ctx.principal().department);
  if (!arr.ok()) return arr.status();
  if (ctx.json()) {
    ctx.out() << arr.value().dump(2) << "\n";
    return Status::Ok();
  }
  std::ostream& out = ctx.out();
  PrintTableHeader(out, {"任务/task", "部门/department", "抽中/drawn", "已检查/visited", "发现问题/problems",
                         "已公示/published", "按时公示/on time"});
  for (const auto& r : arr.value())
    out << r["task_id"].get<std::string>() << "\t" << r["department"].get<std::string>() << "\t" << r["drawn"] << "\t"
        << r["visited"] << "\t" << r["problems"] << "\t" << r["published"] << "\t" << r["published_on_time"] << "\n";
  NoteListed(ctx, arr->size(), arr->size(), true);
  return Status::Ok();
}

using Handler = Status (*)(CommandContext&, const draw::TaskService*);

Status Add(Registrar& reg, const draw::TaskService* tasks, CommandSpec spec, Handler h) {
  return reg.AddCommand(spec, [tasks, h](CommandContext& ctx) { return h(ctx, tasks); });
}

}  // namespace

Status DeadlinesCommand(CommandContext& ctx, const draw::TaskService* tasks) { return Deadlines(ctx, tasks); }

Status RegisterCommands(Registrar& reg, const draw::TaskService* tasks) {
  const std::string id_help = "检查记录编号 / visit id";
  std::vector<std::pair<CommandSpec, Handler>> commands;
  {
    CommandSpec c;
    c.path = {"visit", "show"};
    c.help =
        "显示检查记录（公示前须以有事项的部门身份 --department）/ show a visit (before publication, as a department "
        "with an item on it: --department)";
    c.options = {Positional("id", id_help)};
    commands.emplace_back(c, Show);
  }
  {
    CommandSpec c;
    c.path = {"visit", "start"};
    c.help = "开始检查 / start a visit";
    c.options = {Positional("id", id_help), Text("--by", "检查组成员 / a team member", true),
                 Text("--date", "日期 YYYY-MM-DD（默认今天）/ date (default today)")};
    commands.emplace_back(c, Start);
  }
  {
    CommandSpec c;
    c.path = {"visit", "result"};
    c.help = "录入一个事项的检查结果（谁检查、谁录入）/ enter an item's result";
    c.options = {
        Positional("id", id_help),
        Text("--item", "抽查事项 / item code", true),
        Text("--code",
             "结果代码或中文名称，如 no_problem 或 未发现问题（见 plugins/inspection/data/result-codes.json）/ result "
             "code "
             "or its Chinese name",
             true),
        Text("--date", "检查日期 YYYY-MM-DD / inspection date", true),
        Text("--method",
             "检查方式 on_site|documents|online|expert 或中文名称（实地核查…）/ method, by code or Chinese name", true),
        Text("--findings", "检查情况 / findings"),
        Text("--follow-up", "后续处置 none|correct|case|transfer 或中文名称 / follow-up, by code or Chinese name"),
        Text("--follow-up-deadline", "责令改正期限 / correction deadline"),
        Text("--transfer-to", "移送部门 / department transferred to"),
        Text("--case-no", "案件编号 / case number"),
        Text("--by", "录入的检查人员 / the inspector entering it", true)};
    commands.emplace_back(c, EnterOne);
  }
  {
    CommandSpec c;
    c.path = {"visit", "review"};
    c.help = "审核本部门（--department）已录入的结果 / review a department's (--department) entered results";
    c.options = {Positional("id", id_help), Text("--item", "只审核该事项 / only this item"),
                 Flag("--approve", "通过 / approve"), Text("--return", "退回并说明理由 / return with this reason")};
    c.excludes = {{"--approve", "--return"}};
    commands.emplace_back(c, Review);
  }
  {
    CommandSpec c;
    c.path = {"visit", "publish"};
    c.help =
        "公示本部门（--department）审核通过的结果（谁检查、谁公开）/ publish a department's (--department) approved "
        "results";
    c.options = {Positional("id", id_help)};
    commands.emplace_back(c, PublishOne);
  }
  {
    CommandSpec c;
    c.path = {"visits", "for"};
    c.help = "检查人员的待办检查 / an inspector's open visits";
    c.options = {Positional("inspector", "检查人员编号 / inspector id")};
    commands.emplace_back(c, For);
  }
  {
    CommandSpec c;
    c.path = {"visits", "merge"};
    c.help = "把同期不同部门抽中同一对象的检查合并为联合检查 / merge visits of one subject into joint visits";
    c.options = {Text("--period", "期间 YYYY-MM / period", true),
                 Flag("--apply", "确认并执行（默认只列出建议）/ apply (default: propose only)")};
    commands.emplace_back(c, Merge);
  }
  {
    CommandSpec c;
    c.path = {"visits", "dispatch"};
    c.help = "为已抽取的任务建立检查记录（已有则不变）/ create a drawn task's visits (idempotent)";
    c.options = {Positional("task", "任务编号 / task id")};
    commands.emplace_back(c, Dispatch);
  }
  {
    CommandSpec c;
    c.path = {"results", "import"};
    c.help = "从 CSV 文件批量录入结果 / enter results from a CSV file";
    c.options = {Positional("file", "CSV 文件 / CSV file"),
                 Text("--rejects", "被拒行写入此文件 / write rejected lines here")};
    commands.emplace_back(c, Import);
  }
  {
    CommandSpec c;
    c.path = {"deadlines"};
    c.help =
        "结果公示期限（黄牌、红牌；--department 只列该部门）/ publication deadlines (yellow and red cards; "
        "--department: one department's)";
    c.options = {
        CommandOption{"--state", "yellow|red", K::kText, false, "", {"yellow", "red"}},
        Text("--today", "以该日为今天 YYYY-MM-DD / take this date as today"),
        CommandOption{"--limit", "最多列出（0 为全部）/ at most this many (0: all)", K::kInteger, false, "", {}},
        Flag("--all", "含已公示（逾期公示的为红牌）/ include published results (late ones red)"),
        Flag("--refresh",
             "更新黄牌、红牌并发出事件，补建检查记录，揭示已全部公示的任务 / update cards, raise events, reveal "
             "complete tasks")};
    commands.emplace_back(c, Deadlines);
  }
  {
    CommandSpec c;
    c.path = {"notices", "task"};
    c.help = "任务公告（JSON）/ a task's notice (JSON)";
    c.options = {Positional("task", "任务编号 / task id")};
    commands.emplace_back(c, NoticeOfTask);
  }
  {
    CommandSpec c;
    c.path = {"notices", "results"};
    c.help =
        "已公示的检查结果（JSON；--department 只列该部门）/ published results (JSON; --department: one department's)";
    c.options = {Text("--task", "任务编号 / task id")};
    commands.emplace_back(c, NoticesOfResults);
  }
  {
    CommandSpec c;
    c.path = {"stats"};
    c.help =
        "按任务和部门统计（--department 只列该部门）/ statistics per task and department (--department: one "
        "department's)";
    c.options = {Text("--task", "任务编号 / task id")};
    commands.emplace_back(c, Stats);
  }
  for (auto& [spec, handler] : commands)
    if (Status st = Add(reg, tasks, spec, handler); !st.ok()) return st;
  return Status::Ok();
}

}  // namespace xj::inspection
