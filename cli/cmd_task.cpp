// xinjian task create|announce|entropy|draw|reveal|cancel|show|proof|list, xinjian tasks for,
// xinjian verify: the 双随机 draws (plugins/draw/src/tasks.h does the work).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.h"
#include "time_service.h"
#include "database.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "tasks.h"

namespace xj::cli {
extern int g_exit_code;

namespace {

struct TaskArgs {
  std::string spec_file, id, entropy, value, reason, out, department, state, inspector, dir;
  bool json = false, allow_empty_entropy = false, replace = false, before_inspection = false;
};

draw::SpecOptions SpecOptionsFrom(const Globals& g, const Platform& platform) {
  draw::SpecOptions o;
  o.regions = &platform.Regions();
  if (auto it = g.config.find("draw.default_preset"); it != g.config.end()) o.default_preset = it->second;
  if (auto it = g.config.find("draw.min_team_size"); it != g.config.end()) {
    try {
      o.min_team_size = static_cast<std::uint32_t>(std::stoul(it->second));
    } catch (const std::exception&) {
      throw CLI::ValidationError("--set draw.min_team_size", "expected a number");
    }
  }
  return o;
}

std::string Instant(std::int64_t us) {
  if (us == 0) return "—";
  Result<std::string> t = HostTime().FormatLocal(us);
  return t.ok() ? t.value() : std::string("?");
}

const char* StateZh(const std::string& s) {
  if (s == "draft") return "草稿";
  if (s == "announced") return "已公告";
  if (s == "drawn") return "已抽取";
  if (s == "revealed") return "已揭示";
  if (s == "cancelled") return "已撤销";
  return "?";
}

// The human form of a task (notice fields; selection per the viewer's rights).
void PrintTask(Platform& platform, const draw::TaskRecord& t, const Principal& viewer) {
  std::cout << "任务 / task: " << t.id << "  " << t.title << "\n"
            << "状态 / state: " << StateZh(t.state) << " / " << t.state << "\n"
            << "部门 / department: " << t.department << "\n"
            << "抽查事项 / items: ";
  for (std::size_t i = 0; i < t.items.size(); ++i) std::cout << (i ? ", " : "") << t.items[i];
  std::cout << "\n算法 / algorithm: " << t.sampler << "\n"
            << "公开随机源 / entropy source: " << t.entropy_source_name
            << (t.entropy_source.empty() ? "" : "（" + t.entropy_source + "）") << "\n";
  if (!t.entropy_notice.empty()) std::cout << "随机源说明 / entropy notice: " << t.entropy_notice << "\n";
  if (!t.replaces.empty()) std::cout << "替代任务 / replaces: " << t.replaces << "（" << t.replace_reason << "）\n";
  if (!t.replaced_by.empty()) std::cout << "已被替代 / replaced by: " << t.replaced_by << "\n";
  if (!t.due_date.empty()) std::cout << "完成期限 / due: " << t.due_date << "\n";
  if (t.announced_at_us) {
    std::cout << "公告时间 / announced: " << Instant(t.announced_at_us) << "\n"
              << "对象池规模 / pool size: " << t.pool_size << "\n"
              << "对象池哈希 / pool hash: " << t.pool_hash << "\n"
              << "承诺值 / commitment: " << t.commitment << "\n";
    if (!t.entropy_supplied.empty() && !t.drawn_at_us)
      std::cout << "已录入的公开随机数 / entropy supplied: " << t.entropy_supplied << "（" << t.entropy_supplied_by << "，"
                << Instant(t.entropy_supplied_at_us) << "）\n";
    if (!t.entropy_supplied_input.empty())
      std::cout << "录入原文 / as typed: " << t.entropy_supplied_input
                << "（按随机源的格式转换 / converted to the source's format）\n";
  }
  // What this command converted, shown back to whoever typed it.
  for (const auto& c : t.entropy_conversions) std::cout << "已转换 / converted: " << c << "\n";
  if (!t.entropy_replaced.empty())
    std::cout << "已更正的公开随机数 / entropy replaced: " << t.entropy_replaced << "（" << t.entropy_replaced_by
              << "，" << Instant(t.entropy_replaced_at_us) << "）→ " << t.entropy_supplied << "（"
              << t.entropy_supplied_by << "，" << Instant(t.entropy_supplied_at_us) << "）\n"
              << "更正原因 / reason: " << t.entropy_replace_reason << "\n";
  if (t.drawn_at_us) {
    std::cout << "抽取时间 / drawn: " << Instant(t.drawn_at_us) << "\n"
              << "公开随机数 / entropy: " << (t.entropy.empty() ? "（空 / empty）" : t.entropy) << "\n";
    if (t.entropy.empty())
      std::cout << "警告 / warning: 公开随机源为空：抽取可复现，但未能防止操作者选择秘密值 / empty entropy: reproducible, but "
                   "not protected against the operator choosing the secret\n";
    std::cout << "分配 / allocation: " << t.allocation_json << "\n"
              << "抽取结果哈希 / selection hash: " << t.selection_hash << "\n"
              << "分组哈希 / assignment hash: " << t.assignment_hash << "\n";
  }
  if (t.state == "cancelled")
    std::cout << "撤销时间 / cancelled: " << Instant(t.cancelled_at_us) << "\n撤销原因 / reason: " << t.cancel_reason << "\n";
  if (t.state == "revealed")
    std::cout << "揭示时间 / revealed: " << Instant(t.revealed_at_us) << "\n秘密值 / secret: " << t.secret_hex
              << "\n种子 / seed: " << t.seed_hex << "\n";
  if (!t.reveal_reason.empty())
    std::cout << "提前揭示 / revealed before the inspections: " << t.reveal_unpublished
              << " 个抽中对象当时尚无公开的检查结果 / " << t.reveal_unpublished
              << " drawn subjects had no published result then\n"
              << "提前揭示原因 / reason: " << t.reveal_reason << "\n";
  const bool may_see = draw::MaySeeSelection(t, viewer);
  if (t.drawn_at_us && t.state != "cancelled") {
    if (!may_see) {
      std::cout << "抽取名单：揭示前仅本部门可见 / selection: visible only to the task's department until revealed\n";
      return;
    }
    auto sel = draw::LoadSelection(platform, t.id);
    if (!sel.ok()) {
      PrintError(sel.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    PrintHeader({"序号/rank", "统一社会信用代码/uscc", "名称/name", "检查组（首位为主检）/team (lead first)"});
    for (const auto& s : sel.value()) {
      std::cout << s.rank << "\t" << s.uscc << "\t" << s.name << "\t";
      for (std::size_t i = 0; i < s.team.size(); ++i) std::cout << (i ? "," : "") << s.team[i];
      std::cout << "\n";
    }
  }
}

std::unique_ptr<PluginHost> HostOrFail(const Globals& g) {
  auto host = LoadPlugins(g);
  if (!host) g_exit_code = kExitFailure;
  return host;
}

// Runs one task transition with the usual plumbing; prints the task or the error.
template <typename Fn>
void RunTransition(Globals& g, const TaskArgs& a, Fn fn) {
  auto db = OpenPluginDatabase(g);
  if (!db) {
    g_exit_code = kExitFailure;
    return;
  }
  auto host = HostOrFail(g);
  if (!host) return;
  PlatformImpl& platform = host->platform();
  AttachedDatabase attached(platform, *db);
  draw::TaskContext ctx;
  ctx.platform = &platform;
  ctx.principal = CliPrincipal(g);
  try {
    ctx.spec_options = SpecOptionsFrom(g, platform);
  } catch (const CLI::ValidationError& e) {
    PrintError(e.what());
    g_exit_code = kExitUsage;
    return;
  }
  ctx.allow_empty_entropy = a.allow_empty_entropy;
  Result<draw::TaskRecord> r = fn(ctx);
  if (!r.ok()) {
    PrintError(r.status().message());
    g_exit_code = kExitFailure;
    return;
  }
  DispatchPending(*db, *host);
  // The public view: the selection stays out of terminals and logs until the reveal
  // (`task show ID --department D` shows it to the department).
  const Principal viewer = Principal::Anonymous();
  if (a.json) {
    Result<std::string> view = draw::TaskViewJson(platform, r.value(), viewer);
    if (!view.ok()) {
      PrintError(view.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    std::cout << view.value() << "\n";
  } else {
    PrintTask(platform, r.value(), viewer);
  }
}

}  // namespace

void RegisterTaskCommands(CLI::App& app, Globals& g) {
  static TaskArgs a;
  auto* task = app.add_subcommand("task", "双随机抽查任务 / 双随机 draw tasks");
  task->require_subcommand(1);

  auto* create = task->add_subcommand("create", "按说明文件创建任务（草稿）/ create a task (draft) from a spec file");
  create->add_option("--spec", a.spec_file, "任务说明 JSON 文件（见 schemas/task-spec.schema.json）/ task spec JSON file")
      ->required();
  create->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  create->callback([&g] {
    std::ifstream f(a.spec_file, std::ios::binary);
    if (!f) {
      PrintError("无法读取任务说明文件 " + a.spec_file + " / cannot read the task spec " + a.spec_file);
      g_exit_code = kExitFailure;
      return;
    }
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    RunTransition(g, a, [&](draw::TaskContext& ctx) -> Result<draw::TaskRecord> {
      auto spec = draw::ParseTaskSpec(text, ctx.spec_options);
      if (!spec.ok()) return spec.status();
      return draw::CreateTask(ctx, std::move(spec).value());
    });
  });

  auto* announce = task->add_subcommand("announce", "冻结对象池、生成承诺值并公告 / freeze the pool, commit, announce");
  announce->add_option("id", a.id, "任务编号 / task id")->required();
  announce->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  announce->callback([&g] { RunTransition(g, a, [](draw::TaskContext& ctx) { return draw::AnnounceTask(ctx, a.id); }); });

  auto* entropy = task->add_subcommand(
      "entropy", "录入公告中指明的公开随机源公布的值（不抽取）/ record the published value of the task's entropy source (no draw)");
  entropy->add_option("id", a.id, "任务编号 / task id")->required();
  entropy
      ->add_option(
          "value", a.value,
          "公布的值（按随机源的格式读取：全角字符会转换并列出；以 - 开头时先写 --）/ the value as published (read in "
          "the source's format: full-width characters are converted and listed; after -- if it starts with -)")
      ->required();
  entropy->add_flag(
      "--replace", a.replace,
      "更正已录入的错误值（抽取前，仅一次，须 --reason）/ replace a wrongly entered value (before the draw, "
      "once, with --reason)");
  entropy->add_option("--reason", a.reason,
                      "更正原因（记入审计日志并在公告中注明）/ why it is replaced (audited, on the notice)");
  entropy->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  entropy->callback([&g] {
    if (a.replace != !a.reason.empty()) {
      PrintError(a.replace
                     ? "--replace 须同时给出 --reason 原因 / --replace needs --reason WHY"
                     : "--reason 只用于 --replace（更正已录入的值）/ --reason goes with --replace (replacing a value)");
      g_exit_code = kExitUsage;
      return;
    }
    RunTransition(g, a, [](draw::TaskContext& ctx) {
      return a.replace ? draw::ReplaceEntropy(ctx, a.id, a.value, a.reason) : draw::SupplyEntropy(ctx, a.id, a.value);
    });
  });

  auto* drw = task->add_subcommand(
      "draw", "抽取并分配检查组：用 --entropy 给出的值，或随机源已有的值 / draw and assign teams: with --entropy, or with the value its entropy source has");
  drw->add_option("id", a.id, "任务编号 / task id")->required();
  auto* entropy_opt = drw->add_option(
      "--entropy", a.entropy,
      "公告中指明的公开随机源的值，原样；省略时用已录入的值（task entropy），随机源为 none 时不需要 / the public entropy exactly "
      "as published; without it, the value supplied with `task entropy` (none needs no value)");
  drw->add_flag("--allow-empty-entropy", a.allow_empty_entropy, "允许空随机源（仅演示和测试）/ allow an empty entropy (demos, tests)");
  drw->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  drw->callback([&g, entropy_opt] {
    const bool explicit_entropy = entropy_opt->count() > 0;
    RunTransition(g, a, [explicit_entropy](draw::TaskContext& ctx) -> Result<draw::TaskRecord> {
      Result<draw::TaskRecord> t = Status::Error(StatusCode::kInternal, "未抽取", "not drawn");
      if (explicit_entropy) {
        t = draw::DrawTask(ctx, a.id, a.entropy);
      } else {
        auto ready = draw::DrawIfReady(ctx, a.id);
        if (!ready.ok()) return ready.status();
        if (!ready.value())
          return Status::Error(StatusCode::kFailedPrecondition,
                               "任务 " + a.id + " 仍在等待公开随机源的值：公布后运行 xinjian task entropy " + a.id +
                                   " 值，或 xinjian task draw " + a.id + " --entropy 值",
                               "task " + a.id + " is still waiting for its entropy value: once it is public, run xinjian "
                               "task entropy " + a.id + " VALUE, or xinjian task draw " + a.id + " --entropy VALUE");
        t = std::move(*ready.value());
      }
      // The visits (one per drawn subject) are the inspection plugin's: it creates them when
      // the event draw.task.drawn is delivered, right after this command (RunTransition).
      return t;
    });
  });

  auto* reveal = task->add_subcommand(
      "reveal",
      "揭示秘密值，公开抽取名单和证明（检查结果全部公开后；结果全部公开时自动揭示）/ reveal the secret, publish "
      "selection and proof (after the inspection results are published; the last publication reveals by itself)");
  reveal->add_option("id", a.id, "任务编号 / task id")->required();
  reveal->add_flag(
      "--before-inspection", a.before_inspection,
      "在检查结果公开前揭示（须 --reason，记入审计日志并在公告中注明）/ reveal before the inspection results are "
      "published (needs --reason; audited and shown on the notice)");
  reveal->add_option("--reason", a.reason, "提前揭示的原因 / why the reveal cannot wait");
  reveal->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  reveal->callback([&g] {
    if (a.before_inspection != !a.reason.empty()) {
      PrintError(a.before_inspection
                     ? "--before-inspection 须同时给出 --reason 原因 / --before-inspection needs --reason WHY"
                     : "--reason 只用于 --before-inspection（提前揭示）/ --reason goes with --before-inspection");
      g_exit_code = kExitUsage;
      return;
    }
    RunTransition(g, a, [](draw::TaskContext& ctx) {
      return draw::RevealTask(ctx, a.id, draw::RevealOptions{a.before_inspection, a.reason});
    });
  });

  auto* cancel = task->add_subcommand("cancel", "撤销任务（须说明原因，保留可查）/ cancel a task with a reason (stays visible)");
  cancel->add_option("id", a.id, "任务编号 / task id")->required();
  cancel->add_option("--reason", a.reason, "撤销原因 / why")->required();
  cancel->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  cancel->callback([&g] { RunTransition(g, a, [](draw::TaskContext& ctx) { return draw::CancelTask(ctx, a.id, a.reason); }); });

  auto* show = task->add_subcommand("show", "显示任务 / show a task");
  show->add_option("id", a.id, "任务编号 / task id")->required();
  show->add_option("--department", a.department,
                   "以该部门身份查看（揭示前本部门可见抽取名单）/ view as this department (sees its own selection before reveal)");
  show->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  show->callback([&g] {
    auto db = OpenPluginDatabase(g);
    if (!db) {
      g_exit_code = kExitFailure;
      return;
    }
    PlatformImpl platform;  // reads only: no plugins needed
    AttachedDatabase attached(platform, *db);
    auto t = draw::LoadTask(platform, a.id);
    if (!t.ok()) {
      PrintError(t.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    // A mistyped department would see the public view as if it were one: name it instead.
    if (!a.department.empty()) {
      if (Status st = draw::RequireDepartment(platform, a.department); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
        return;
      }
    }
    // The caller acts for --department: its own tasks' selections before the reveal.
    const Principal viewer = CliPrincipal(g, a.department);
    if (a.json) {
      Result<std::string> view = draw::TaskViewJson(platform, t.value(), viewer);
      if (!view.ok()) {
        PrintError(view.status().message());
        g_exit_code = kExitFailure;
        return;
      }
      std::cout << view.value() << "\n";
    } else {
      PrintTask(platform, t.value(), viewer);
    }
  });

  auto* list = task->add_subcommand("list", "列出任务 / list tasks");
  list->add_option("--department", a.department, "部门 / department");
  list->add_option("--state", a.state, "状态 / state")->check(CLI::IsMember({"draft", "announced", "drawn", "revealed", "cancelled"}));
  list->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  list->callback([&g] {
    auto db = OpenPluginDatabase(g);
    if (!db) {
      g_exit_code = kExitFailure;
      return;
    }
    PlatformImpl platform;
    AttachedDatabase attached(platform, *db);
    if (!a.department.empty()) {
      if (Status st = draw::RequireDepartment(platform, a.department); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
        return;
      }
    }
    auto tasks = draw::ListTasks(platform, a.department, a.state);
    if (!tasks.ok()) {
      PrintError(tasks.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    nlohmann::json arr = nlohmann::json::array();
    if (!a.json) PrintHeader({"编号/id", "状态/state", "部门/department", "对象池/pool size", "标题/title"});
    for (const auto& t : tasks.value()) {
      if (a.json) {
        arr.push_back({{"id", t.id}, {"title", t.title}, {"department", t.department}, {"state", t.state},
                       {"pool_size", t.pool_size}, {"algorithm", t.sampler}});
      } else {
        std::cout << t.id << "\t" << t.state << "\t" << t.department << "\t" << t.pool_size << "\t" << t.title << "\n";
      }
    }
    if (a.json) std::cout << arr.dump(2) << "\n";
    NoteListed(tasks->size(), tasks->size(), !a.json);
  });

  auto* proof = task->add_subcommand("proof", "写出揭示后的抽取证明 / write the proof folder of a revealed task");
  proof->add_option("id", a.id, "任务编号 / task id")->required();
  proof->add_option("--out", a.out, "输出目录 / output folder")->required();
  proof->callback([&g] {
    auto db = OpenPluginDatabase(g);
    if (!db) {
      g_exit_code = kExitFailure;
      return;
    }
    PlatformImpl platform;
    AttachedDatabase attached(platform, *db);
    Status st = draw::WriteTaskProof(platform, a.id, a.out);
    if (!st.ok()) {
      PrintError(st.message());
      g_exit_code = kExitFailure;
      return;
    }
    std::cout << "证明已写入 / proof written to " << a.out << "\n";
  });

  auto* tasks = app.add_subcommand("tasks", "检查人员的任务清单 / an inspector's task list");
  tasks->require_subcommand(1);
  auto* for_cmd = tasks->add_subcommand("for", "某检查人员的检查任务 / the inspections assigned to an inspector");
  for_cmd->add_option("inspector", a.inspector, "检查人员编号 / inspector id")->required();
  for_cmd->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  for_cmd->callback([&g] {
    auto db = OpenPluginDatabase(g);
    if (!db) {
      g_exit_code = kExitFailure;
      return;
    }
    PlatformImpl platform;
    AttachedDatabase attached(platform, *db);
    auto list = draw::TasksForInspector(platform, a.inspector);
    if (!list.ok()) {
      PrintError(list.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    if (a.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& t : list.value())
        arr.push_back({{"visit_id", t.visit_id}, {"task_id", t.task_id}, {"title", t.title}, {"department", t.department}, {"state", t.state},
                       {"due_date", t.due_date}, {"rank", t.rank}, {"uscc", t.uscc}, {"name", t.name},
                       {"address", t.address}, {"items", t.items}, {"team", t.team}, {"lead", t.lead},
                       {"is_lead", t.is_lead}});
      std::cout << arr.dump(2) << "\n";
      return;
    }
    PrintHeader({"任务/task", "检查记录/visit", "统一社会信用代码/uscc", "名称/name", "地址/address", "事项/items",
                 "检查组/team", "主检/lead", "期限/due"});
    for (const auto& t : list.value()) {
      std::cout << t.task_id << "\t" << (t.visit_id.empty() ? "—" : t.visit_id) << "\t" << t.uscc << "\t" << t.name << "\t" << t.address << "\t";
      for (std::size_t i = 0; i < t.items.size(); ++i) std::cout << (i ? "," : "") << t.items[i];
      std::cout << "\t";
      for (std::size_t i = 0; i < t.team.size(); ++i) std::cout << (i ? "," : "") << t.team[i];
      std::cout << "\t" << t.lead << (t.is_lead ? "（本人 / you）" : "") << "\t" << (t.due_date.empty() ? "—" : t.due_date)
                << "\n";
    }
    NoteListed(list->size(), list->size(), true, "（没有检查任务 / no inspections assigned）");
  });

  auto* verify = app.add_subcommand("verify", "仅凭证明文件复核一次抽取 / re-compute a draw from its proof folder alone");
  verify->add_option("dir", a.dir, "证明目录 / proof folder")->required();
  verify->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  verify->callback([&g] {
    auto host = HostOrFail(g);
    if (!host) return;
    Status st = draw::VerifyProofFolder(a.dir, &host->platform());
    if (a.json) {
      nlohmann::json j{{"verified", st.ok()}};
      if (!st.ok()) j["problem"] = st.message();
      std::cout << j.dump() << "\n";
    } else if (st.ok()) {
      std::cout << "verified\n";
    } else {
      std::cout << "未通过 / NOT verified: " << st.message() << "\n";
    }
    if (!st.ok()) g_exit_code = st.code() == StatusCode::kConflict ? kExitVerifyFailed : kExitFailure;
  });
}

}  // namespace xj::cli
