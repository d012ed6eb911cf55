// xinjian visit show|start|result|review|publish, visits for|merge|dispatch, results import,
// deadlines, notices task|results, stats: the inspection after the draw
// (plugins/draw/src/visits.h does the work).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include <set>

#include "calendar.h"
#include "cli.h"
#include "database.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "visits.h"

namespace xj::cli {
extern int g_exit_code;

namespace {

using nlohmann::json;

struct VisitArgs {
  std::string id, by, date, item, code, method, findings, follow_up, follow_up_deadline, transfer_to, case_no;
  std::string department, reason, period, file, rejects, state, today, task, inspector;
  bool approve = false, json = false, apply = false, refresh = false, all = false;
  std::int64_t limit = 0;
};

// Everything a visit command needs, or nullptr after printing why not.
struct Session {
  std::unique_ptr<Database> db;
  std::unique_ptr<PluginHost> host;
  std::unique_ptr<AttachedDatabase> attached;  // db on the host's platform
  draw::TaskContext tasks;
  draw::VisitContext visits;
};

std::unique_ptr<Session> Open(Globals& g, const VisitArgs& a) {
  auto s = std::make_unique<Session>();
  s->db = OpenPluginDatabase(g);
  if (!s->db) {
    g_exit_code = kExitFailure;
    return nullptr;
  }
  s->host = LoadPlugins(g);  // automatic reveals need the sampler
  if (!s->host) {
    g_exit_code = kExitFailure;
    return nullptr;
  }
  auto cal = WorkingCalendar::Shared(g.config);
  if (!cal.ok()) {
    PrintError(cal.status().message());
    g_exit_code = kExitFailure;
    return nullptr;
  }
  auto opts = draw::VisitOptions::FromConfig(g.config);
  if (!opts.ok()) {
    PrintError(opts.status().message());
    g_exit_code = kExitUsage;
    return nullptr;
  }
  s->attached = std::make_unique<AttachedDatabase>(s->host->platform(), *s->db);
  s->tasks.platform = &s->host->platform();
  s->tasks.principal = CliPrincipal(g);
  s->visits.tasks = &s->tasks;
  s->visits.db = s->db.get();
  s->visits.calendar = cal.value();
  s->visits.options = opts.value();
  if (!a.today.empty()) {
    if (!Date::Parse(a.today).ok()) {
      PrintError("--today 须为 YYYY-MM-DD / --today must be YYYY-MM-DD");
      g_exit_code = kExitUsage;
      return nullptr;
    }
    s->visits.today = a.today;
  }
  return s;
}

bool Fail(const Status& st) {
  PrintError(st.message());
  g_exit_code = kExitFailure;
  return false;
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

void PrintVisit(const draw::Visit& v) {
  std::cout << "检查记录 / visit: " << v.id << "\n"
            << "  状态 / state: " << VisitStateZh(v.state) << " / " << v.state << "\n"
            << "  对象 / subject: " << v.name << " (" << v.uscc << ")\n"
            << "  地址 / address: " << v.address << "\n"
            << "  检查组 / team: ";
  for (std::size_t i = 0; i < v.team.size(); ++i) std::cout << (i ? ", " : "") << v.team[i] << (i == 0 ? "（主检 / lead）" : "");
  std::cout << "\n";
  if (!v.merged_into.empty()) std::cout << "  并入 / merged into: " << v.merged_into << "\n";
  if (!v.started_on.empty()) std::cout << "  开始 / started: " << v.started_on << " " << v.started_by << "\n";
  const auto& cat = draw::Results();
  for (const auto& it : v.items) {
    std::cout << "  - " << it.item_code << " " << it.item_name << " [" << it.department << ", " << it.task_id << "] "
              << ItemStateZh(it.state) << " / " << it.state;
    if (!it.result_code.empty()) {
      const auto* c = cat.Find(it.result_code);
      std::cout << "\n      结果 / result: " << (c ? c->zh + " / " + c->en : it.result_code) << "，检查日期 / inspected "
                << it.inspected_on << "，方式 / method " << it.method << "，录入 / by " << it.entered_by;
      if (!it.findings.empty()) std::cout << "\n      情况 / findings: " << it.findings;
      if (it.follow_up.kind != "none") std::cout << "\n      后续处置 / follow-up: " << it.follow_up.kind << " " << it.follow_up.deadline
                                                 << it.follow_up.to_department << it.follow_up.case_no;
    }
    if (!it.due_date.empty())
      std::cout << "\n      公示期限 / publish by: " << it.due_date << (it.due_provisional ? "（暂定 / provisional）" : "")
                << (it.card == "none" ? "" : std::string("  ") + CardZh(it.card) + " / " + it.card);
    if (!it.review_reason.empty()) std::cout << "\n      退回理由 / returned: " << it.review_reason;
    if (!it.published_on.empty()) std::cout << "\n      公示日期 / published: " << it.published_on;
    std::cout << "\n";
  }
}

// Prints the visit (or JSON) after a change; dispatches events.
void Done(Session& s, const VisitArgs& a, const Result<draw::Visit>& v) {
  if (!v.ok()) {
    Fail(v.status());
    return;
  }
  DispatchPending(*s.db, *s.host);
  if (a.json)
    std::cout << draw::VisitJson(v.value()).dump(2) << "\n";
  else
    PrintVisit(v.value());
}

void PrintJsonOr(const Result<json>& r, const std::function<void(const json&)>& human, bool as_json) {
  if (!r.ok()) {
    Fail(r.status());
    return;
  }
  if (as_json)
    std::cout << r.value().dump(2) << "\n";
  else
    human(r.value());
}

}  // namespace

void RegisterVisitCommands(CLI::App& app, Globals& g) {
  static VisitArgs a;
  auto* visit = app.add_subcommand("visit", "检查记录：开始、录入结果、审核、公示 / visits: start, results, review, publish");
  visit->require_subcommand(1);

  auto* show = visit->add_subcommand("show", "显示检查记录 / show a visit");
  show->add_option("id", a.id, "检查记录编号 / visit id")->required();
  show->add_option("--department", a.department,
                   "以该部门身份查看（公示前必需）/ view as this department (needed before publication)");
  show->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  show->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    if (Status st = draw::RequireKnownDepartment(s->visits, a.department); !st.ok()) return (void)Fail(st);
    auto v = draw::LoadVisit(s->visits, a.id);
    if (!v.ok()) return (void)Fail(v.status());
    bool mine = false;
    for (const auto& it : v->items) mine = mine || it.department == a.department;
    bool published = v->state == "published";
    // Anyone may see a published visit; before that, only a department with an item on it.
    if (!published && a.department.empty())
      return (void)Fail(Status::Error(StatusCode::kFailedPrecondition,
                                      "检查记录 " + a.id + " 尚未公示：请用 --department 以有事项的部门身份查看",
                                      "visit " + a.id + " is not published: view it with --department, as a department "
                                      "with an item on it (not visible)"));
    if (!mine && !published)
      return (void)Fail(Status::Error(StatusCode::kFailedPrecondition,
                                      "检查记录 " + a.id + " 没有部门 " + a.department + " 的事项，公示前不可查看",
                                      "visit " + a.id + " has no item of department " + a.department +
                                          " and is not published: not visible"));
    if (a.json)
      std::cout << draw::VisitJson(v.value()).dump(2) << "\n";
    else
      PrintVisit(v.value());
  });

  auto* start = visit->add_subcommand("start", "开始检查 / start a visit");
  start->add_option("id", a.id, "检查记录编号 / visit id")->required();
  start->add_option("--by", a.by, "检查组成员 / a team member")->required();
  start->add_option("--date", a.date, "日期 YYYY-MM-DD（默认今天）/ date (default today)");
  start->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  start->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    Done(*s, a, draw::StartVisit(s->visits, a.id, a.by, a.date));
  });

  auto* result = visit->add_subcommand("result", "录入一个事项的检查结果（谁检查、谁录入）/ enter an item's result");
  result->add_option("id", a.id, "检查记录编号 / visit id")->required();
  result->add_option("--item", a.item, "抽查事项 / item code")->required();
  result->add_option("--code", a.code, "结果代码或中文名称，如 no_problem 或 未发现问题（见 schemas/data/result-codes.json）/ result code or its Chinese name")->required();
  result->add_option("--date", a.date, "检查日期 YYYY-MM-DD / inspection date")->required();
  result->add_option("--method", a.method, "检查方式 on_site|documents|online|expert 或中文名称（实地核查…）/ method, by code or Chinese name")->required();
  result->add_option("--findings", a.findings, "检查情况 / findings");
  result->add_option("--follow-up", a.follow_up, "后续处置 none|correct|case|transfer 或中文名称 / follow-up, by code or Chinese name");
  result->add_option("--follow-up-deadline", a.follow_up_deadline, "责令改正期限 / correction deadline");
  result->add_option("--transfer-to", a.transfer_to, "移送部门 / department transferred to");
  result->add_option("--case-no", a.case_no, "案件编号 / case number");
  result->add_option("--by", a.by, "录入的检查人员 / the inspector entering it")->required();
  result->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  result->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    draw::ResultEntry e;
    e.visit_id = a.id;
    e.item_code = a.item;
    e.result_code = a.code;
    e.inspected_on = a.date;
    e.method = a.method;
    e.findings = a.findings;
    e.by = a.by;
    e.follow_up.kind = a.follow_up.empty() ? "none" : a.follow_up;
    e.follow_up.deadline = a.follow_up_deadline;
    e.follow_up.to_department = a.transfer_to;
    e.follow_up.case_no = a.case_no;
    Done(*s, a, draw::EnterResult(s->visits, e));
  });

  auto* review = visit->add_subcommand("review", "审核本部门已录入的结果 / review a department's entered results");
  review->add_option("id", a.id, "检查记录编号 / visit id")->required();
  review->add_option("--department", a.department, "审核部门 / reviewing department")->required();
  review->add_option("--item", a.item, "只审核该事项 / only this item");
  auto* approve = review->add_flag("--approve", a.approve, "通过 / approve");
  auto* ret = review->add_option("--return", a.reason, "退回并说明理由 / return with this reason");
  approve->excludes(ret);
  review->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  review->callback([&g] {
    if (!a.approve && a.reason.empty()) {
      PrintError("须指定 --approve 或 --return 理由 / give --approve or --return REASON");
      g_exit_code = kExitUsage;
      return;
    }
    auto s = Open(g, a);
    if (!s) return;
    Done(*s, a, draw::ReviewResults(s->visits, a.id, a.department, a.item, a.approve, a.reason));
  });

  auto* publish = visit->add_subcommand("publish", "公示本部门审核通过的结果（谁检查、谁公开）/ publish a department's approved results");
  publish->add_option("id", a.id, "检查记录编号 / visit id")->required();
  publish->add_option("--department", a.department, "公示部门 / publishing department")->required();
  publish->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  publish->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    Done(*s, a, draw::PublishResults(s->visits, a.id, a.department));
  });

  auto* visits = app.add_subcommand("visits", "检查记录的批量操作 / visits in bulk");
  visits->require_subcommand(1);
  auto* vfor = visits->add_subcommand("for", "检查人员的待办检查 / an inspector's open visits");
  vfor->add_option("inspector", a.inspector, "检查人员编号 / inspector id")->required();
  vfor->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  vfor->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    auto list = draw::VisitsFor(s->visits, a.inspector);
    if (!list.ok()) return (void)Fail(list.status());
    json arr = json::array();
    if (!a.json)
      PrintHeader({"检查记录/visit", "状态/state", "统一社会信用代码/uscc", "名称/name", "地址/address", "事项/items",
                   "主检/lead"});
    for (const auto& v : list.value()) {
      if (a.json) {
        arr.push_back(draw::VisitJson(v));
        continue;
      }
      std::cout << v.id << "\t" << v.state << "\t" << v.uscc << "\t" << v.name << "\t" << v.address << "\t";
      for (std::size_t i = 0; i < v.items.size(); ++i) std::cout << (i ? "," : "") << v.items[i].item_code;
      std::cout << "\t" << (v.team.empty() ? "" : v.team.front()) << (!v.team.empty() && v.team.front() == a.inspector ? "（主检 / lead）" : "") << "\n";
    }
    if (a.json) std::cout << arr.dump(2) << "\n";
    NoteListed(list->size(), list->size(), !a.json);
  });

  auto* merge = visits->add_subcommand("merge", "把同期不同部门抽中同一对象的检查合并为联合检查 / merge visits of one subject into joint visits");
  merge->add_option("--period", a.period, "期间 YYYY-MM / period")->required();
  merge->add_flag("--apply", a.apply, "确认并执行（默认只列出建议）/ apply (default: propose only)");
  merge->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  merge->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    auto rep = draw::MergeVisits(s->visits, a.period, a.apply);
    if (!rep.ok()) return (void)Fail(rep.status());
    DispatchPending(*s->db, *s->host);
    if (a.json) {
      json arr = json::array();
      for (const auto& p : rep->proposals)
        arr.push_back({{"uscc", p.uscc}, {"joint_visit", p.joint_id}, {"visits", p.visits}, {"tasks", p.tasks},
                       {"departments", p.departments}, {"items", p.items}, {"team", p.team}});
      std::cout << json{{"period", a.period}, {"applied", rep->applied}, {"proposals", arr},
                        {"visits_before", rep->visits_before}, {"visits_after", rep->visits_after}, {"saved", rep->saved}}
                       .dump(2)
                << "\n";
      return;
    }
    PrintHeader({"联合检查/joint visit", "检查记录/visits", "部门/departments"});
    for (const auto& p : rep->proposals) {
      std::cout << p.joint_id << "\t";
      for (std::size_t i = 0; i < p.visits.size(); ++i) std::cout << (i ? "+" : "") << p.visits[i];
      std::cout << "\t";
      for (std::size_t i = 0; i < p.departments.size(); ++i) std::cout << (i ? "," : "") << p.departments[i];
      std::cout << "\n";
    }
    std::cout << (rep->applied ? "已合并 / merged: " : "建议合并 / proposed: ") << rep->proposals.size() << " 个对象 / subjects, "
              << rep->visits_before << " 次检查 → " << rep->visits_after << " 次 / visits; 节省 / saved " << rep->saved
              << " 次上门 / visits\n";
    if (!rep->applied && !rep->proposals.empty()) std::cout << "确认请加 --apply / add --apply to merge\n";
  });

  auto* dispatch = visits->add_subcommand("dispatch", "为已抽取的任务建立检查记录（已有则不变）/ create a drawn task's visits (idempotent)");
  dispatch->add_option("task", a.task, "任务编号 / task id")->required();
  dispatch->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    auto n = draw::CreateVisits(s->visits, a.task);
    if (!n.ok()) return (void)Fail(n.status());
    DispatchPending(*s->db, *s->host);
    std::cout << "新建检查记录 / visits created: " << n.value() << "\n";
  });

  auto* results = app.add_subcommand("results", "检查结果文件 / results files");
  results->require_subcommand(1);
  auto* import = results->add_subcommand("import", "从 CSV 文件批量录入结果 / enter results from a CSV file");
  import->add_option("file", a.file, "CSV 文件 / CSV file")->required();
  import->add_option("--rejects", a.rejects, "被拒行写入此文件 / write rejected lines here");
  import->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  import->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    auto sum = draw::ImportResults(s->visits, a.file, a.rejects);
    if (!sum.ok()) return (void)Fail(sum.status());
    DispatchPending(*s->db, *s->host);
    if (a.json) {
      std::cout << json{{"lines", sum->lines}, {"entered", sum->entered}, {"rejected", sum->rejected},
                        {"sample_rejects", sum->sample_rejects}, {"rejects_file", sum->rejected ? a.rejects : ""}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << "行 / lines: " << sum->lines << "，录入 / entered: " << sum->entered << "，拒绝 / rejected: " << sum->rejected << "\n";
      for (const auto& r : sum->sample_rejects) std::cout << "  " << r << "\n";
      if (sum->rejected && !a.rejects.empty()) std::cout << "被拒行 / rejected lines: " << a.rejects << "\n";
    }
    if (sum->rejected > 0) g_exit_code = kExitFailure;
  });

  auto* deadlines = app.add_subcommand("deadlines", "结果公示期限（黄牌、红牌）/ publication deadlines (yellow and red cards)");
  deadlines->add_option("--department", a.department, "部门 / department");
  deadlines->add_option("--state", a.state, "yellow|red")->check(CLI::IsMember({"yellow", "red"}));
  deadlines->add_option("--today", a.today, "以该日为今天 YYYY-MM-DD / take this date as today");
  deadlines->add_option("--limit", a.limit, "最多列出（0 为全部）/ at most this many (0: all)")->check(NonNegativeCount());
  deadlines->add_flag("--all", a.all, "含已公示（逾期公示的为红牌）/ include published results (late ones red)");
  deadlines->add_flag("--refresh", a.refresh,
                      "更新黄牌、红牌并发出事件，补建检查记录，揭示已全部公示的任务 / update cards, raise events, reveal complete tasks");
  deadlines->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  deadlines->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    if (a.refresh) {
      auto r = draw::RefreshDeadlines(s->visits);
      if (!r.ok()) return (void)Fail(r.status());
      DispatchPending(*s->db, *s->host);
      std::cerr << "黄牌 / yellow: " << r->yellow << "，红牌 / red: " << r->red << "，补建检查 / visits created: " << r->visits_created
                << "，揭示任务 / tasks revealed: " << r->revealed << "，暂定期限改动 / provisional deadlines moved: " << r->moved
                << "，确认 / confirmed: " << r->confirmed << "\n";
    }
    // All of them, then cut here: the total is named when --limit cuts the list (and the
    // yellow filter, applied after the SQL, cannot make a limit return fewer rows than it could).
    auto list = draw::ListDeadlines(s->visits, draw::DeadlineQuery{a.department, a.state, a.all, 0});
    if (!list.ok()) return (void)Fail(list.status());
    const std::size_t total = list->size();
    if (a.limit > 0 && list->size() > static_cast<std::size_t>(a.limit))
      list->erase(list->begin() + a.limit, list->end());
    if (a.json) {
      json arr = json::array();
      for (const auto& d : list.value()) {
        json row{{"visit", d.visit_id}, {"item", d.item_code}, {"department", d.department}, {"task", d.task_id},
                 {"uscc", d.uscc}, {"due_date", d.due_date}, {"card", d.card}, {"state", d.state},
                 {"working_days_left", d.working_days_left}, {"published_on", d.published_on},
                 {"provisional", d.provisional}};
        if (d.state == "published") {
          row["working_days_left"] = nullptr;  // nothing counts down once published
          row["on_time"] = d.on_time;
        }
        arr.push_back(std::move(row));
      }
      std::cout << arr.dump(2) << "\n";
      NoteListed(list->size(), total, false);
      return;
    }
    // Open items: the working days left (negative when overdue). Published items: when, and
    // whether in time. The last column only on provisional rows.
    PrintHeader({"牌/card", "期限/due", "剩余工作日或公示/working days left or published", "部门/department", "检查记录/visit",
                 "事项/item", "状态/state", "暂定/provisional"});
    for (const auto& d : list.value()) {
      std::cout << CardZh(d.card) << "/" << d.card << "\t" << d.due_date << "\t";
      if (d.state == "published")
        std::cout << "已公示/published " << d.published_on << (d.on_time ? " 按时/on time" : " 逾期/late");
      else
        std::cout << d.working_days_left;
      std::cout << "\t" << d.department << "\t" << d.visit_id << "\t" << d.item_code << "\t" << d.state
                << (d.provisional ? "\t暂定/provisional" : "") << "\n";
    }
    NoteListed(list->size(), total, true);
    std::set<int> years;  // the provisional years the listed provisional deadlines were counted over
    for (const auto& d : list.value())
      if (auto due = Date::Parse(d.due_date), on = Date::Parse(d.inspected_on);
          d.provisional && due.ok() && on.ok() && s->visits.calendar != nullptr)
        for (int y : s->visits.calendar->ProvisionalYearsBetween(on.value(), due.value())) years.insert(y);
    if (!years.empty())
      std::cerr << ProvisionalMark(std::vector<int>(years.begin(), years.end()))
                << "；载入通知后运行 deadlines --refresh 重新计算 / run deadlines --refresh once the notice is loaded\n";
  });

  auto* notices = app.add_subcommand("notices", "公示数据 / publicity data");
  notices->require_subcommand(1);
  auto* ntask = notices->add_subcommand("task", "任务公告 / a task's notice");
  ntask->add_option("task", a.task, "任务编号 / task id")->required();
  ntask->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    PrintJsonOr(draw::TaskNotice(s->visits, a.task), [](const json& j) { std::cout << j.dump(2) << "\n"; }, true);
  });
  auto* nres = notices->add_subcommand("results", "已公示的检查结果 / published results");
  nres->add_option("--task", a.task, "任务编号 / task id");
  nres->add_option("--department", a.department, "部门 / department");
  nres->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    PrintJsonOr(draw::ResultNotices(s->visits, a.task, a.department), [](const json& j) { std::cout << j.dump(2) << "\n"; }, true);
  });

  auto* stats = app.add_subcommand("stats", "按任务和部门统计 / statistics per task and department");
  stats->add_option("--task", a.task, "任务编号 / task id");
  stats->add_option("--department", a.department, "部门 / department");
  stats->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  stats->callback([&g] {
    auto s = Open(g, a);
    if (!s) return;
    PrintJsonOr(
        draw::VisitStatistics(s->visits, a.task, a.department),
        [](const json& arr) {
          PrintHeader({"任务/task", "部门/department", "抽中/drawn", "已检查/visited", "发现问题/problems", "已公示/published",
                       "按时公示/on time"});
          for (const auto& r : arr)
            std::cout << r["task_id"].get<std::string>() << "\t" << r["department"].get<std::string>() << "\t" << r["drawn"] << "\t"
                      << r["visited"] << "\t" << r["problems"] << "\t" << r["published"] << "\t" << r["published_on_time"] << "\n";
          NoteListed(arr.size(), arr.size(), true);
        },
        a.json);
  });
}

}  // namespace xj::cli
