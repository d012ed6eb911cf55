// xinjian demo: loads generated demo data (departments, ~50,000 subjects, 300 inspectors,
// 30 items, relations) into the database and prints what it loaded.
#include <soci/soci.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "cli.h"
#include "database.h"
#include "generator.h"
#include "importer.h"
#include "journal.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "scan.h"
#include "soci_util.h"
#include "xinjian/demo.h"

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
// What a plugin's demo step sees (xinjian/demo.h).
class DemoContextImpl final : public DemoContext {
 public:
  DemoContextImpl(Platform& platform, const Globals& g, std::string dir, std::string database)
      : platform_(platform), dir_(std::move(dir)), database_(std::move(database)) {
    principal_.kind = Principal::Kind::kUser;
    principal_.id = g.actor;
    principal_.roles = {kRoleAdmin};
  }
  Platform& platform() override { return platform_; }
  const Principal& principal() const override { return principal_; }
  const std::string& work_dir() const override { return dir_; }
  const std::string& database() const override { return database_; }
  std::ostream& out() override { return std::cout; }

 private:
  Platform& platform_;
  Principal principal_;
  std::string dir_, database_;
};

// The plugins' demo steps in load order: every Load (the events of each delivered before the
// next runs), then every Report.
Status RunDemoSteps(Database& db, PluginHost& host, const Globals& g, const std::string& dir) {
  PlatformImpl& platform = host.platform();
  AttachedDatabase attached(platform, db);
  DemoContextImpl ctx(platform, g, dir, db.url().display);
  const std::vector<DemoStep*> steps = host.demo_steps();
  for (DemoStep* step : steps) {
    if (Status st = step->Load(ctx); !st.ok()) return st;
    DispatchPending(db, host);
  }
  for (DemoStep* step : steps)
    if (Status st = step->Report(ctx); !st.ok()) return st;
  return Status::Ok();
}

}  // namespace

void RegisterDemoCommands(CLI::App& app, Globals& g) {
  static DemoArgs a;
  auto* demo = app.add_subcommand("demo", "载入演示数据并汇总 / load demo data and print a summary");
  demo->add_option("--subjects", a.subjects, "检查对象数 / subjects (default 50000)");
  demo->add_option("--inspectors", a.inspectors, "检查人员数 / inspectors (default 300)");
  demo->add_option("--items", a.items, "抽查事项数 / items (default 30)");
  demo->add_option("--seed", a.seed, "随机种子 / seed (default 2026)");
  demo->add_option("--work-dir", a.work_dir,
                   "生成文件的目录 / where the generated files go (default: beside the database)");
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
    } steps[] = {{"departments", 5},
                 {"subjects", a.subjects},
                 {"inspectors", a.inspectors},
                 {"items", a.items},
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
      if (Status st = RunDemoSteps(*db, *host, g, dir); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
      }
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
      soci::rowset<soci::row> rs =
          (sql.prepare << "SELECT d.code, d.name, count(i.id) FROM departments d LEFT JOIN "
                          "inspectors i ON i.department = d.code GROUP BY d.code, d.name ORDER BY d.code");
      for (const soci::row& r : rs)
        std::cout << "    " << RowText(r, 0) << "  " << RowText(r, 1) << "  " << RowInt64(r, 2) << "\n";
    } catch (const std::exception& e) {
      PrintError(e.what());
      g_exit_code = kExitFailure;
      return;
    }
    // The features' own commands to try were printed by their demo steps above.
    std::cout
        << "\n演示数据已载入。Web 界面随后续版本提供；现在可以试试 / demo data loaded. The web UI comes in a later "
           "release; meanwhile try:\n  build/bin/xinjian --db "
        << db->url().display << " audit verify\n  build/bin/xinjian plugins list\n  build/bin/xinjian --help\n";
  });
}

}  // namespace xj::cli
