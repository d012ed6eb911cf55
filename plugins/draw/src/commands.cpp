// The draw plugin's commands: xinjian task create|announce|entropy|draw|reveal|cancel|show|
// list|proof, xinjian tasks for, xinjian verify (the task service, tasks.h, does the work).
#include "commands.h"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "proof.h"
#include "tasks.h"
#include "xinjian/command.h"
#include "xinjian/config.h"
#include "xinjian/job.h"

namespace xj::draw {
namespace {

const char* StateZh(const std::string& s) {
  if (s == "draft") return "草稿";
  if (s == "announced") return "已公告";
  if (s == "drawn") return "已抽取";
  if (s == "revealed") return "已揭示";
  if (s == "cancelled") return "已撤销";
  return "?";
}

// The configuration of task specs: --set plugins.draw.default_preset=… and
// plugins.draw.min_team_size=… (kInvalidArgument naming the key for a bad value).
Result<SpecOptions> SpecOptionsOf(CommandContext& ctx) {
  TypedConfig cfg("draw", [&ctx](const std::string& k, const std::string& f) { return ctx.Config(k, f); });
  SpecOptions o;
  o.regions = &ctx.platform().Regions();
  auto preset = cfg.Text("default_preset", o.default_preset, 64);
  if (!preset.ok()) return preset.status();
  o.default_preset = preset.value();
  auto team = cfg.Int("min_team_size", o.min_team_size, 1, 50);
  if (!team.ok()) return team.status();
  o.min_team_size = static_cast<std::uint32_t>(team.value());
  return o;
}

// A wrong combination of options: exit 2, as for the host's own option checks.
Status UsageError(CommandContext& ctx, const std::string& zh, const std::string& en) {
  ctx.SetExitCode(2);
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

class Printer {
 public:
  Printer(CommandContext& ctx) : ctx_(ctx), out_(ctx.out()) {}

  std::string Instant(std::int64_t us) const {
    if (us == 0) return "—";
    Result<std::string> t = ctx_.platform().Time().FormatLocal(us);
    return t.ok() ? t.value() : std::string("?");
  }

  // The human form of a task (notice fields; selection per the viewer's rights).
  Status Task(const TaskRecord& t, const Principal& viewer) {
    std::ostream& o = out_;
    o << "任务 / task: " << t.id << "  " << t.title << "\n"
      << "状态 / state: " << StateZh(t.state) << " / " << t.state << "\n"
      << "部门 / department: " << t.department << "\n"
      << "抽查事项 / items: ";
    for (std::size_t i = 0; i < t.items.size(); ++i) o << (i ? ", " : "") << t.items[i];
    o << "\n算法 / algorithm: " << t.sampler << "\n"
      << "公开随机源 / entropy source: " << t.entropy_source_name
      << (t.entropy_source.empty() ? "" : "（" + t.entropy_source + "）") << "\n";
    if (!t.entropy_notice.empty()) o << "随机源说明 / entropy notice: " << t.entropy_notice << "\n";
    if (!t.replaces.empty()) o << "替代任务 / replaces: " << t.replaces << "（" << t.replace_reason << "）\n";
    if (!t.replaced_by.empty()) o << "已被替代 / replaced by: " << t.replaced_by << "\n";
    if (!t.due_date.empty()) o << "完成期限 / due: " << t.due_date << "\n";
    if (t.announced_at_us) {
      o << "公告时间 / announced: " << Instant(t.announced_at_us) << "\n"
        << "对象池规模 / pool size: " << t.pool_size << "\n"
        << "对象池哈希 / pool hash: " << t.pool_hash << "\n"
        << "承诺值 / commitment: " << t.commitment << "\n";
      if (!t.entropy_supplied.empty() && !t.drawn_at_us)
        o << "已录入的公开随机数 / entropy supplied: " << t.entropy_supplied << "（" << t.entropy_supplied_by << "，"
          << Instant(t.entropy_supplied_at_us) << "）\n";
      if (!t.entropy_supplied_input.empty())
        o << "录入原文 / as typed: " << t.entropy_supplied_input
          << "（按随机源的格式转换 / converted to the source's format）\n";
    }
    // What this command converted, shown back to whoever typed it.
    for (const auto& c : t.entropy_conversions) o << "已转换 / converted: " << c << "\n";
    if (!t.entropy_replaced.empty())
      o << "已更正的公开随机数 / entropy replaced: " << t.entropy_replaced << "（" << t.entropy_replaced_by << "，"
        << Instant(t.entropy_replaced_at_us) << "）→ " << t.entropy_supplied << "（" << t.entropy_supplied_by << "，"
        << Instant(t.entropy_supplied_at_us) << "）\n"
        << "更正原因 / reason: " << t.entropy_replace_reason << "\n";
    if (t.drawn_at_us) {
      o << "抽取时间 / drawn: " << Instant(t.drawn_at_us) << "\n"
        << "公开随机数 / entropy: " << (t.entropy.empty() ? "（空 / empty）" : t.entropy) << "\n";
      if (t.entropy.empty())
        o << "警告 / warning: 公开随机源为空：抽取可复现，但未能防止操作者选择秘密值 / empty entropy: reproducible, "
             "but "
             "not protected against the operator choosing the secret\n";
      o << "分配 / allocation: " << t.allocation_json << "\n"
        << "抽取结果哈希 / selection hash: " << t.selection_hash << "\n"
        << "分组哈希 / assignment hash: " << t.assignment_hash << "\n";
    }
    if (t.state == "cancelled")
      o << "撤销时间 / cancelled: " << Instant(t.cancelled_at_us) << "\n撤销原因 / reason: " << t.cancel_reason << "\n";
    if (t.state == "revealed")
      o << "揭示时间 / revealed: " << Instant(t.revealed_at_us) << "\n秘密值 / secret: " << t.secret_hex
        << "\n种子 / seed: " << t.seed_hex << "\n";
    if (!t.reveal_reason.empty())
      o << "提前揭示 / revealed before the inspections: " << t.reveal_unpublished
        << " 个抽中对象当时尚无公开的检查结果 / " << t.reveal_unpublished
        << " drawn subjects had no published result then\n"
        << "提前揭示原因 / reason: " << t.reveal_reason << "\n";
    if (!t.drawn_at_us || t.state == "cancelled") return Status::Ok();
    if (!MaySeeSelection(t, viewer)) {
      o << "抽取名单：揭示前仅本部门可见 / selection: visible only to the task's department until revealed\n";
      return Status::Ok();
    }
    auto sel = LoadSelection(ctx_.platform(), t.id);
    if (!sel.ok()) return sel.status();
    PrintTableHeader(o, {"序号/rank", "统一社会信用代码/uscc", "名称/name", "检查组（首位为主检）/team (lead first)"});
    for (const auto& s : sel.value()) {
      o << s.rank << "\t" << s.uscc << "\t" << s.name << "\t";
      for (std::size_t i = 0; i < s.team.size(); ++i) o << (i ? "," : "") << s.team[i];
      o << "\n";
    }
    return Status::Ok();
  }

 private:
  CommandContext& ctx_;
  std::ostream& out_;
};

// Prints a task as the public sees it (text or --json), or the view for `viewer`.
Status PrintTaskView(CommandContext& ctx, const TaskRecord& t, const Principal& viewer) {
  if (ctx.json()) {
    Result<std::string> view = TaskViewJson(ctx.platform(), t, viewer);
    if (!view.ok()) return view.status();
    ctx.out() << view.value() << "\n";
    return Status::Ok();
  }
  return Printer(ctx).Task(t, viewer);
}

using Transition = std::function<Result<TaskRecord>(CommandContext&, TaskContext&)>;

// A task transition run as the caller; prints the task as the public sees it afterwards (the
// selection stays out of terminals and logs until the reveal: `task show ID --department D`
// shows it to the department).
CommandFn RunTransition(Transition fn, bool allow_empty_entropy_flag = false) {
  return [fn = std::move(fn), allow_empty_entropy_flag](CommandContext& ctx) -> Status {
    auto options = SpecOptionsOf(ctx);
    if (!options.ok()) return options.status();
    TaskContext tc;
    tc.platform = &ctx.platform();
    tc.principal = ctx.principal();
    tc.spec_options = options.value();
    if (allow_empty_entropy_flag) tc.allow_empty_entropy = ctx.args().Flag("--allow-empty-entropy");
    Result<TaskRecord> r = fn(ctx, tc);
    if (!r.ok()) return r.status();
    return PrintTaskView(ctx, r.value(), Principal::Anonymous());
  };
}

CommandOption IdArg() { return Opt("id", "任务编号 / task id", OptionKind::kText, true); }

Status AddTaskCommands(Registrar& reg) {
  // task create
  {
    CommandSpec spec;
    spec.path = {"task", "create"};
    spec.help = "按说明文件创建任务（草稿）/ create a task (draft) from a spec file";
    spec.options = {Opt("--spec", "任务说明 JSON 文件（见 schemas/task-spec.schema.json）/ task spec JSON file",
                        OptionKind::kText, true)};
    auto st = reg.AddCommand(spec, RunTransition([](CommandContext& ctx, TaskContext& tc) -> Result<TaskRecord> {
                               const std::string path = ctx.args().Text("--spec");
                               std::ifstream f(path, std::ios::binary);
                               if (!f)
                                 return Status::Error(StatusCode::kNotFound, "无法读取任务说明文件 " + path,
                                                      "cannot read the task spec " + path);
                               // ParseTaskSpec refuses more than 1 MiB: read a little beyond it, never a huge file
                               // whole.
                               std::string text(1024 * 1024 + 1, '\0');
                               f.read(text.data(), static_cast<std::streamsize>(text.size()));
                               text.resize(static_cast<std::size_t>(f.gcount()));
                               auto spec = ParseTaskSpec(text, tc.spec_options);
                               if (!spec.ok()) return spec.status();
                               return CreateTask(tc, std::move(spec).value());
                             }));
    if (!st.ok()) return st;
  }
  // task announce
  {
    CommandSpec spec;
    spec.path = {"task", "announce"};
    spec.help = "冻结对象池、生成承诺值并公告 / freeze the pool, commit, announce";
    spec.options = {IdArg()};
    auto st = reg.AddCommand(spec, RunTransition([](CommandContext& ctx, TaskContext& tc) {
                               return AnnounceTask(tc, ctx.args().Text("id"));
                             }));
    if (!st.ok()) return st;
  }
  // task entropy
  {
    CommandSpec spec;
    spec.path = {"task", "entropy"};
    spec.help =
        "录入公告中指明的公开随机源公布的值（不抽取）/ record the published value of the task's entropy source (no "
        "draw)";
    spec.options = {
        IdArg(),
        Opt("value",
            "公布的值（按随机源的格式读取：全角字符会转换并列出；以 - 开头时先写 --）/ the value as published (read in "
            "the "
            "source's format: full-width characters are converted and listed; after -- if it starts with -)",
            OptionKind::kText, true),
        Opt("--replace",
            "更正已录入的错误值（抽取前，仅一次，须 --reason）/ replace a wrongly entered value (before the draw, "
            "once, with "
            "--reason)",
            OptionKind::kFlag),
        Opt("--reason", "更正原因（记入审计日志并在公告中注明）/ why it is replaced (audited, on the notice)")};
    auto st = reg.AddCommand(spec, RunTransition([](CommandContext& ctx, TaskContext& tc) -> Result<TaskRecord> {
                               const bool replace = ctx.args().Flag("--replace");
                               const std::string reason = ctx.args().Text("--reason");
                               if (replace == reason.empty())
                                 return replace ? UsageError(ctx, "--replace 须同时给出 --reason 原因",
                                                             "--replace needs --reason WHY")
                                                : UsageError(ctx, "--reason 只用于 --replace（更正已录入的值）",
                                                             "--reason goes with --replace (replacing a value)");
                               const std::string id = ctx.args().Text("id"), value = ctx.args().Text("value");
                               return replace ? ReplaceEntropy(tc, id, value, reason) : SupplyEntropy(tc, id, value);
                             }));
    if (!st.ok()) return st;
  }
  // task draw
  {
    CommandSpec spec;
    spec.path = {"task", "draw"};
    spec.help =
        "抽取并分配检查组：用 --entropy 给出的值，或随机源已有的值 / draw and assign teams: with --entropy, or with "
        "the "
        "value its entropy source has";
    spec.options = {
        IdArg(),
        Opt("--entropy",
            "公告中指明的公开随机源的值，原样；省略时用已录入的值（task entropy），随机源为 none 时不需要 / the public "
            "entropy "
            "exactly as published; without it, the value supplied with `task entropy` (none needs no value)"),
        Opt("--allow-empty-entropy", "允许空随机源（仅演示和测试）/ allow an empty entropy (demos, tests)",
            OptionKind::kFlag)};
    auto st =
        reg.AddCommand(spec, RunTransition(
                                 [](CommandContext& ctx, TaskContext& tc) -> Result<TaskRecord> {
                                   const std::string id = ctx.args().Text("id");
                                   // The visits of the drawn subjects follow from the event draw.task.drawn
                                   // (the inspection plugin), delivered as soon as the command returns.
                                   if (ctx.args().Has("--entropy"))
                                     return DrawTask(tc, id, ctx.args().Text("--entropy"));
                                   auto ready = DrawIfReady(tc, id);
                                   if (!ready.ok()) return ready.status();
                                   if (!ready.value())
                                     return Status::Error(
                                         StatusCode::kFailedPrecondition,
                                         "任务 " + id + " 仍在等待公开随机源的值：公布后运行 xinjian task entropy " +
                                             id + " 值，或 xinjian task draw " + id + " --entropy 值",
                                         "task " + id +
                                             " is still waiting for its entropy value: once it is public, run xinjian "
                                             "task entropy " +
                                             id + " VALUE, or xinjian task draw " + id + " --entropy VALUE");
                                   return std::move(*ready.value());
                                 },
                                 /*allow_empty_entropy_flag=*/true));
    if (!st.ok()) return st;
  }
  // task reveal
  {
    CommandSpec spec;
    spec.path = {"task", "reveal"};
    spec.help =
        "揭示秘密值，公开抽取名单和证明（检查结果全部公开后；结果全部公开时自动揭示）/ reveal the secret, publish "
        "selection and proof (after the inspection results are published; the last publication reveals by itself)";
    spec.options = {
        IdArg(),
        Opt("--before-inspection",
            "在检查结果公开前揭示（须 --reason，记入审计日志并在公告中注明）/ reveal before the inspection results "
            "are published (needs --reason; audited and shown on the notice)",
            OptionKind::kFlag),
        Opt("--reason", "提前揭示的原因 / why the reveal cannot wait")};
    auto st = reg.AddCommand(spec, RunTransition([](CommandContext& ctx, TaskContext& tc) -> Result<TaskRecord> {
                               const bool early = ctx.args().Flag("--before-inspection");
                               const std::string reason = ctx.args().Text("--reason");
                               if (early == reason.empty())
                                 return early ? UsageError(ctx, "--before-inspection 须同时给出 --reason 原因",
                                                           "--before-inspection needs --reason WHY")
                                              : UsageError(ctx, "--reason 只用于 --before-inspection（提前揭示）",
                                                           "--reason goes with --before-inspection");
                               return RevealTask(tc, ctx.args().Text("id"), RevealOptions{early, reason});
                             }));
    if (!st.ok()) return st;
  }
  // task cancel
  {
    CommandSpec spec;
    spec.path = {"task", "cancel"};
    spec.help = "撤销任务（须说明原因，保留可查）/ cancel a task with a reason (stays visible)";
    spec.options = {IdArg(), Opt("--reason", "撤销原因 / why", OptionKind::kText, true)};
    auto st = reg.AddCommand(spec, RunTransition([](CommandContext& ctx, TaskContext& tc) {
                               return CancelTask(tc, ctx.args().Text("id"), ctx.args().Text("--reason"));
                             }));
    if (!st.ok()) return st;
  }
  // task show
  {
    CommandSpec spec;
    spec.path = {"task", "show"};
    spec.help =
        "显示任务（--department：以该部门身份查看，揭示前本部门可见抽取名单）/ show a task (--department: as that "
        "department, which sees its own selection before the reveal)";
    spec.options = {IdArg()};
    auto st = reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
      auto t = LoadTask(ctx.platform(), ctx.args().Text("id"));
      if (!t.ok()) return t.status();
      // A mistyped department would see the public view as if it were one: name it instead.
      if (!ctx.principal().department.empty())
        if (Status st = RequireDepartment(ctx.platform(), ctx.principal().department); !st.ok()) return st;
      return PrintTaskView(ctx, t.value(), ctx.principal());
    });
    if (!st.ok()) return st;
  }
  // task list
  {
    CommandSpec spec;
    spec.path = {"task", "list"};
    spec.help = "列出任务（--department：该部门的任务）/ list tasks (--department: that department's)";
    spec.options = {Opt("--state", "状态 / state", OptionKind::kText, false,
                        {"draft", "announced", "drawn", "revealed", "cancelled"})};
    auto st = reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
      const std::string& department = ctx.principal().department;
      if (!department.empty())
        if (Status st = RequireDepartment(ctx.platform(), department); !st.ok()) return st;
      auto tasks = ListTasks(ctx.platform(), department, ctx.args().Text("--state"));
      if (!tasks.ok()) return tasks.status();
      nlohmann::json arr = nlohmann::json::array();
      if (!ctx.json())
        PrintTableHeader(ctx.out(), {"编号/id", "状态/state", "部门/department", "对象池/pool size", "标题/title"});
      for (const auto& t : tasks.value()) {
        if (ctx.json()) {
          arr.push_back({{"id", t.id},
                         {"title", t.title},
                         {"department", t.department},
                         {"state", t.state},
                         {"pool_size", t.pool_size},
                         {"algorithm", t.sampler}});
        } else {
          ctx.out() << t.id << "\t" << t.state << "\t" << t.department << "\t" << t.pool_size << "\t" << t.title
                    << "\n";
        }
      }
      if (ctx.json()) ctx.out() << arr.dump(2) << "\n";
      NoteListed(ctx, tasks->size(), tasks->size(), !ctx.json());
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // task proof
  {
    CommandSpec spec;
    spec.path = {"task", "proof"};
    spec.help = "写出揭示后的抽取证明 / write the proof folder of a revealed task";
    spec.options = {IdArg(), Opt("--out", "输出目录 / output folder", OptionKind::kText, true),
                    Opt("--public",
                        "写出公众可见的版本：按风险分类分层的任务不含各对象的分层（公开版本）/ write what everyone may "
                        "have: without each subject's stratum for a task stratified by risk class (the public variant)",
                        OptionKind::kFlag)};
    spec.json = false;
    auto st = reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
      const std::string out = ctx.args().Text("--out"), id = ctx.args().Text("id");
      const bool for_public = ctx.args().Flag("--public");
      if (Status st = WriteTaskProof(ctx.platform(), id, out, for_public); !st.ok()) return st;
      bool withheld = false;
      if (for_public) {
        auto t = LoadTask(ctx.platform(), id);
        withheld = t.ok() && StrataWithheld(t.value());
      }
      ctx.out() << "证明已写入 / proof written to " << out << "\n";
      if (withheld)
        ctx.out() << "公开版本：各对象的分层（风险分类）不公开 / public variant: the stratum (risk class) of each "
                     "subject is withheld\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // tasks for
  {
    CommandSpec spec;
    spec.path = {"tasks", "for"};
    spec.help = "某检查人员的检查任务 / the inspections assigned to an inspector";
    spec.options = {Opt("inspector", "检查人员编号 / inspector id", OptionKind::kText, true)};
    auto st = reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
      auto list = TasksForInspector(ctx.platform(), ctx.args().Text("inspector"));
      if (!list.ok()) return list.status();
      if (ctx.json()) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& t : list.value())
          arr.push_back({{"visit_id", t.visit_id},
                         {"task_id", t.task_id},
                         {"title", t.title},
                         {"department", t.department},
                         {"state", t.state},
                         {"due_date", t.due_date},
                         {"rank", t.rank},
                         {"uscc", t.uscc},
                         {"name", t.name},
                         {"address", t.address},
                         {"items", t.items},
                         {"team", t.team},
                         {"lead", t.lead},
                         {"is_lead", t.is_lead}});
        ctx.out() << arr.dump(2) << "\n";
        return Status::Ok();
      }
      std::ostream& o = ctx.out();
      PrintTableHeader(o, {"任务/task", "检查记录/visit", "统一社会信用代码/uscc", "名称/name", "地址/address",
                           "事项/items", "检查组/team", "主检/lead", "期限/due"});
      for (const auto& t : list.value()) {
        o << t.task_id << "\t" << (t.visit_id.empty() ? "—" : t.visit_id) << "\t" << t.uscc << "\t" << t.name << "\t"
          << t.address << "\t";
        for (std::size_t i = 0; i < t.items.size(); ++i) o << (i ? "," : "") << t.items[i];
        o << "\t";
        for (std::size_t i = 0; i < t.team.size(); ++i) o << (i ? "," : "") << t.team[i];
        o << "\t" << t.lead << (t.is_lead ? "（本人 / you）" : "") << "\t" << (t.due_date.empty() ? "—" : t.due_date)
          << "\n";
      }
      NoteListed(ctx, list->size(), list->size(), true, "（没有检查任务 / no inspections assigned）");
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // verify
  {
    CommandSpec spec;
    spec.path = {"verify"};
    spec.help = "仅凭证明文件复核一次抽取 / re-compute a draw from its proof folder alone";
    spec.options = {Opt("dir", "证明目录 / proof folder", OptionKind::kText, true)};
    spec.needs_database = false;
    auto st = reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
      const ProofVerdict v = VerifyProof(ctx.args().Text("dir"), &ctx.platform());
      const Status& st = v.status;
      if (ctx.json()) {
        nlohmann::json j{{"verified", st.ok()}, {"variant", v.public_variant ? "public" : "full"}};
        if (!st.ok()) j["problem"] = st.message();
        if (!v.mismatch.empty()) j["mismatch"] = v.mismatch;  // the text after "mismatch: "
        nlohmann::json nc = nlohmann::json::array();
        for (const auto& [zh, en] : v.not_checked) nc.push_back(en);
        j["not_checked"] = nc;
        ctx.out() << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      } else if (st.ok() && !v.public_variant) {
        ctx.out() << "verified\n";
      } else if (st.ok()) {
        ctx.out() << "已验证（公开版本：各对象的分层未公开）/ verified (public variant: the strata are withheld)\n";
        for (const auto& [zh, en] : v.not_checked) ctx.out() << "未能核对：" << zh << " / not checked: " << en << "\n";
      } else {
        ctx.out() << "未通过 / NOT verified: " << st.message() << "\n";
      }
      // The answer is printed already: a mismatch exits 3, any other failure 1.
      if (!st.ok()) ctx.SetExitCode(st.code() == StatusCode::kConflict ? 3 : 1);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

// jobs schedule-draw: the task spec (without its id) and a schedule become a job of the
// draw.scheduled handler (jobs.cpp); each fire creates and announces the task
// <prefix>-YYYYMMDDHHMM.
Status AddScheduleCommand(Registrar& reg) {
  CommandSpec spec;
  spec.path = {"jobs", "schedule-draw"};
  spec.help = "按计划创建并公告抽查任务 / create and announce a draw task on a schedule";
  spec.options = {
      Opt("name", "定时任务名称 / job name", OptionKind::kText, true),
      Opt("--spec", "任务说明 JSON（id 可省略）/ task spec JSON (the id may be left out)", OptionKind::kText, true),
      Opt("--schedule", "cron 表达式或工作日计划 / cron expression or working-day schedule", OptionKind::kText, true),
      Opt("--id-prefix",
          "任务编号前缀（默认取 spec 的 id 或定时任务名称）/ task id prefix (default: the spec's id, or the job name)"),
      Opt("--tz", "时区 / IANA time zone (default Asia/Shanghai)")};
  spec.json = false;
  return reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
    JobScheduler* jobs = ctx.platform().Jobs();
    if (jobs == nullptr)
      return Status::Error(StatusCode::kFailedPrecondition, "此处没有调度器", "no scheduler is available here");
    const std::string file = ctx.args().Text("--spec"), name = ctx.args().Text("name");
    std::ifstream f(file, std::ios::binary);
    if (!f) return Status::Error(StatusCode::kNotFound, "无法读取 " + file, "cannot read " + file);
    std::string text(60 * 1024 + 1, '\0');
    f.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(f.gcount()));
    if (text.size() > 60 * 1024)
      return Status::Error(StatusCode::kInvalidArgument, "任务说明超过 60 KiB", "the spec is larger than 60 KiB");
    nlohmann::json task = nlohmann::json::parse(text, nullptr, false);
    if (!task.is_object())
      return Status::Error(StatusCode::kInvalidArgument, file + " 不是 JSON 对象", file + " is not a JSON object");
    std::string prefix = ctx.args().Text("--id-prefix");
    if (prefix.empty()) prefix = task.contains("id") && task["id"].is_string() ? task["id"].get<std::string>() : name;
    task.erase("id");
    // Checked now, with the id the first run would give it, rather than at the first fire.
    nlohmann::json probe = task;
    probe["id"] = prefix + "-202601010000";
    auto options = SpecOptionsOf(ctx);
    if (!options.ok()) return options.status();
    if (auto parsed = ParseTaskSpec(probe.dump(), options.value()); !parsed.ok()) return parsed.status();
    JobDefinition job;
    job.name = name;
    job.schedule = ctx.args().Text("--schedule");
    if (ctx.args().Has("--tz")) job.time_zone = ctx.args().Text("--tz");
    job.handler = "draw.scheduled";
    job.payload_json = nlohmann::json{{"spec", task}, {"id_prefix", prefix}}.dump();
    auto first = jobs->AddJob(ctx.principal(), job);
    if (!first.ok()) return first.status();
    Result<std::string> at = ctx.platform().Time().FormatLocal(first.value(), job.time_zone);
    const std::string when = at.ok() ? at.value() : std::string("?");
    // The task id of the first fire: YYYYMMDDHHMM of its local time.
    const std::string stamp = when.size() >= 16 ? when.substr(0, 4) + when.substr(5, 2) + when.substr(8, 2) +
                                                      when.substr(11, 2) + when.substr(14, 2)
                                                : std::string("?");
    ctx.out() << "已新增 / added " << name << "：首个任务 / first task " << prefix << "-" << stamp << " @ " << when
              << "\n";
    return Status::Ok();
  });
}

}  // namespace

Status RegisterCommands(Registrar& reg) {
  if (Status st = AddTaskCommands(reg); !st.ok()) return st;
  return AddScheduleCommand(reg);
}

}  // namespace xj::draw
