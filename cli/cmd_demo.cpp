// xinjian demo: loads generated demo data (departments, ~50,000 subjects, 300 inspectors,
// 30 items, relations) into the database and prints what it loaded.
#include <CLI/CLI.hpp>
#include <soci/soci.h>
#include "soci_util.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "cli.h"
#include "command_runner.h"
#include "database.h"
#include "generator.h"
#include "importer.h"
#include "journal.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "scan.h"
#include "tasks.h"

namespace xj::cli {
extern int g_exit_code;

namespace {
struct DemoArgs {
  std::uint64_t subjects = 50000, inspectors = 300, items = 30, relations = 200, seed = 2026;
  std::string province = "33";
  std::string work_dir;
};

Status Load(Database& db, const Globals& g, const std::string& dir, const std::string& kind, const gen::Options& o) {
  std::string path = dir + "/" + kind + ".csv";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (Status s = gen::WriteCsv(kind, o, out); !s.ok()) return s;
  }
  ImportOptions io;
  io.kind = ParseDirectoryKind(kind).value();
  io.path = path;
  io.rejects_path = dir + "/" + kind + ".rejects.csv";
  io.actor = g.actor;
  ProgressBar bar("导入 / import " + kind);
  io.progress = [&](const ImportProgress& p) { bar.Update(p.bytes, p.total_bytes, p.rows); };
  auto sum = ImportFile(db, io);
  bar.Finish();
  if (!sum.ok()) return sum.status();
  std::cout << "  " << kind << ": 读取/read " << sum->read << ", 新增/inserted " << sum->inserted << ", 更新/updated "
            << sum->updated << ", 未变/unchanged " << sum->unchanged << ", 拒绝/rejected " << sum->rejected << "\n";
  return Status::Ok();
}
// Runs the plugin command `path` (its words joined by ' ') in this process on the host's
// platform (the database attached), as the demo's caller acting for `department`; its output
// in *out. An error when no loaded plugin registered the command, or when it failed.
Status RunPluginCommand(PluginHost& host, const Globals& g, const std::string& path, const std::string& department,
                        std::map<std::string, std::vector<std::string>> args, std::string* out = nullptr) {
  auto it = host.commands().find(path);
  if (it == host.commands().end())
    return Status::Error(StatusCode::kFailedPrecondition, "演示需要插件命令 “" + path + "”（inspection 插件未加载？）",
                         "the demo needs the plugin command '" + path + "' (is the inspection plugin loaded?)");
  CommandInvocation inv;
  inv.args = std::move(args);
  inv.json = out != nullptr;
  inv.principal = CliPrincipal(g, department);
  inv.config = g.config;
  CommandRun r = RunCommandInProcess(it->second, host.platform(), inv);
  if (!r.status.ok()) return r.status;
  if (r.exit_code != 0) return Status(StatusCode::kInternal, r.err);
  if (out != nullptr) *out = r.out;
  return Status::Ok();
}

// Results for the demo task's visits (the inspection plugin's commands, as an inspector and
// the department would enter them): mostly nothing found, some problems, one unreachable.
Status DemoResults(Database& db, PluginHost& host, const Globals& g, const std::string& task) {
  std::vector<std::pair<std::string, std::string>> visits;  // id, lead
  Status st = ScanRows(db, "SELECT id, team FROM visits WHERE id LIKE ? ORDER BY id", {task + "-%"},
                       [&](const ScanRow& r) {
                         const std::string team(r.values[1]);
                         visits.emplace_back(std::string(r.values[0]), team.substr(0, team.find(',')));
                         return true;
                       });
  if (!st.ok()) return st;
  Platform& platform = host.platform();
  const std::string today = draw::PlatformDate(platform, platform.NowMicros());
  auto calendar = platform.Calendar();
  if (!calendar.ok()) return calendar.status();
  auto deadline = calendar.value()->AddWorkingDays(CivilDate::Parse(today).value(), 10);
  if (!deadline.ok()) return deadline.status();
  const std::string department = "SCJG";
  int n = 0;
  for (const auto& [id, lead] : visits) {
    std::string shown;
    if (Status s = RunPluginCommand(host, g, "visit show", department, {{"id", {id}}}, &shown); !s.ok()) return s;
    const nlohmann::json v = nlohmann::json::parse(shown, nullptr, false);
    if (!v.is_object() || !v.contains("items"))
      return Status::Error(StatusCode::kInternal, "无法读取检查记录 " + id, "cannot read visit " + id);
    for (const auto& item : v["items"]) {
      const int k = n++ % 10;
      const std::string code = k == 3 ? "corrected" : k == 7 ? "not_published" : n == 5 ? "unreachable" : "no_problem";
      std::map<std::string, std::vector<std::string>> args{{"id", {id}},
                                                           {"--item", {item.value("item", "")}},
                                                           {"--code", {code}},
                                                           {"--date", {today}},
                                                           {"--method", {"on_site"}},
                                                           {"--by", {lead}}};
      if (code == "corrected" || code == "not_published") {
        args["--follow-up"] = {"correct"};
        args["--follow-up-deadline"] = {deadline.value().ToString()};
        args["--findings"] = {"演示：发现问题，已责令限期改正 / demo: ordered to correct"};
      }
      if (Status s = RunPluginCommand(host, g, "visit result", department, args); !s.ok()) return s;
    }
    if (Status s = RunPluginCommand(host, g, "visit review", department, {{"id", {id}}, {"--approve", {}}}); !s.ok())
      return s;
    if (Status s = RunPluginCommand(host, g, "visit publish", department, {{"id", {id}}}); !s.ok()) return s;
  }
  return Status::Ok();
}

// A demo draw task over Ningbo (3302) for the first SCJG item: created, announced, drawn,
// revealed and verified once; later runs show it again.
Status DemoDraw(Database& db, PluginHost& host, const Globals& g, const std::string& dir) {
  const std::string id = "SCJG-DEMO-0001";
  PlatformImpl& platform = host.platform();
  AttachedDatabase attached(platform, db);
  draw::TaskContext ctx;
  ctx.platform = &platform;
  ctx.principal = CliPrincipal(g);
  ctx.spec_options.regions = &platform.Regions();
  auto existing = draw::LoadTask(platform, id);
  if (!existing.ok()) {
    std::string item;
    long long min_ppm = -1;
    Status st = ScanRows(db,
                         "SELECT code, COALESCE(ratio_min_ppm, -1) FROM items WHERE department = 'SCJG' AND qualification = '' "
                         "AND target_labels = '' ORDER BY code",
                         {}, [&](const ScanRow& r) {
                           item = std::string(r.values[0]);
                           min_ppm = std::stoll(std::string(r.values[1]));
                           return false;
                         });
    if (!st.ok()) return st;
    if (item.empty()) return Status::Ok();  // nothing suitable in this data: no demo draw
    const long long ppm = std::max(min_ppm, 30000LL);
    char pct[32];
    std::snprintf(pct, sizeof pct, "%lld.%04lld", ppm / 10000, ppm % 10000);
    const std::string spec_text = std::string(R"({"id": ")") + id + R"(", "title": "演示：宁波市企业公示信息抽查 / demo draw",
      "department": "SCJG", "items": [")" + item + R"("], "filters": {"regions": ["3302"]},
      "rule": {"ratio_percent": {"*": ")" + pct + R"("}}, "team": {"slots": [{"group": "SCJG", "count": 2}]},
      "entropy_source": "演示用固定数字串 / a fixed demo string, a real task names a public lottery draw"})";
    auto spec = draw::ParseTaskSpec(spec_text, ctx.spec_options);
    if (!spec.ok()) return spec.status();
    if (auto t = draw::CreateTask(ctx, spec.value()); !t.ok()) return t.status();
    if (auto t = draw::AnnounceTask(ctx, id); !t.ok()) return t.status();
    if (auto t = draw::DrawTask(ctx, id, "7.8.11.17.19.25.46./"); !t.ok()) return t.status();
    // The visits: the inspection plugin creates them when draw.task.drawn is delivered. Every
    // drawn subject is inspected today, its result entered by the lead, approved and
    // published; publishing the last one reveals the task.
    DispatchPending(db, host);
    // A task is revealed only after its results are published: when they cannot be entered
    // (a calendar that cannot count the deadline), the demo stops with the reason instead of
    // revealing a task nobody inspected.
    if (Status results = DemoResults(db, host, g, id); !results.ok()) return results;
  }
  auto t = draw::LoadTask(platform, id);
  if (!t.ok()) return t.status();
  const std::string proof = dir + "/proof-" + id;
  if (t.value().state == "revealed") {
    if (auto st = draw::WriteTaskProof(platform, id, proof); !st.ok()) return st;
  }
  const Status verified = draw::VerifyProofFolder(proof, &platform);
  std::cout << "\n演示抽查任务 / demo draw task " << id << "（" << t.value().state << "）: 对象池 / pool "
            << t.value().pool_size << ", 抽中 / selected " << t.value().allocation_json << "\n"
            << "  证明 / proof: " << proof << " — " << (verified.ok() ? "verified" : verified.message()) << "\n";
  return verified;
}

}  // namespace

void RegisterDemoCommands(CLI::App& app, Globals& g) {
  static DemoArgs a;
  auto* demo = app.add_subcommand("demo", "载入演示数据并汇总 / load demo data and print a summary");
  demo->add_option("--subjects", a.subjects, "检查对象数 / subjects (default 50000)");
  demo->add_option("--inspectors", a.inspectors, "检查人员数 / inspectors (default 300)");
  demo->add_option("--items", a.items, "抽查事项数 / items (default 30)");
  demo->add_option("--seed", a.seed, "随机种子 / seed (default 2026)");
  demo->add_option("--work-dir", a.work_dir, "生成文件的目录 / where the generated files go (default: beside the database)");
  demo->callback([&g] {
    auto db = OpenDatabase(g, /*create=*/true);
    if (!db) {
      g_exit_code = kExitFailure;
      return;
    }
    std::string dir = a.work_dir;
    if (dir.empty()) {
      std::filesystem::path base = db->dialect() == Dialect::kSqlite
                                       ? std::filesystem::path(db->url().sqlite_path).parent_path()
                                       : std::filesystem::path();
      dir = (base.empty() ? std::filesystem::path("demo-data") : base / "demo-data").string();
    }
    std::filesystem::create_directories(dir);
    std::cout << "信监 XinJian 演示数据 / demo data → " << db->url().display << "\n";
    gen::Options o;
    o.seed = a.seed;
    o.province = a.province;
    o.departments = 5;
    o.subjects = a.subjects;
    o.inspectors = a.inspectors;
    struct Step {
      const char* kind;
      std::uint64_t count;
    } steps[] = {{"departments", 5}, {"subjects", a.subjects}, {"inspectors", a.inspectors}, {"items", a.items},
                 {"relations", a.relations}};
    for (const Step& s : steps) {
      o.count = s.count;
      if (Status st = Load(*db, g, dir, s.kind, o); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
        return;
      }
    }
    auto host = LoadPlugins(g);
    if (host) {
      if (Status st = MigratePlugins(*db, *host, true); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
        return;
      }
      if (Status st = DemoDraw(*db, *host, g, dir); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
      }
      DispatchPending(*db, *host);
    }
    try {
      soci::session& sql = db->session();
      auto count = [&](const std::string& q) {
        long long n = 0;
        sql << q, soci::into(n);
        return n;
      };
      std::cout << "\n汇总 / summary\n"
                << "  部门 / departments:   " << count("SELECT count(*) FROM departments") << "\n"
                << "  检查对象 / subjects:  " << count("SELECT count(*) FROM subjects") << "（在业 / active "
                << count("SELECT count(*) FROM subjects WHERE status='active'") << "）\n"
                << "  检查人员 / inspectors: " << count("SELECT count(*) FROM inspectors") << "\n"
                << "  抽查事项 / items:      " << count("SELECT count(*) FROM items") << "\n"
                << "  回避关系 / relations:  " << count("SELECT count(*) FROM relations") << "\n"
                << "  审计记录 / audit records: " << count("SELECT count(*) FROM audit_log") << "\n"
                << "  事件 / events:         " << count("SELECT count(*) FROM events") << "\n";
      std::cout << "  按部门的检查人员 / inspectors by department:\n";
      soci::rowset<soci::row> rs = (sql.prepare << "SELECT d.code, d.name, count(i.id) FROM departments d LEFT JOIN "
                                                   "inspectors i ON i.department = d.code GROUP BY d.code, d.name ORDER BY d.code");
      for (const soci::row& r : rs)
        std::cout << "    " << RowText(r, 0) << "  " << RowText(r, 1) << "  "
                  << RowInt64(r, 2) << "\n";
    } catch (const std::exception& e) {
      PrintError(e.what());
      g_exit_code = kExitFailure;
      return;
    }
    std::cout << "\n演示数据已载入。Web 界面随后续版本提供；现在可以试试 / demo data loaded. The web UI comes in a later "
                 "release; meanwhile try:\n  build/bin/xinjian --db "
              << db->url().display << " audit verify\n  build/bin/xinjian plugins list\n  build/bin/xinjian --db "
              << db->url().display << " task show SCJG-DEMO-0001\n  build/bin/xinjian --db " << db->url().display
              << " stats\n  build/bin/xinjian --db " << db->url().display
              << " notices results --task SCJG-DEMO-0001\n  build/bin/xinjian --db " << db->url().display
              << " deadlines --all --limit 5\n  python3 tools/verify_draw.py " << dir << "/proof-SCJG-DEMO-0001\n";
  });
}

}  // namespace xj::cli
