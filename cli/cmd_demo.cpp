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

#include <sodium.h>
#include <sys/stat.h>

#include "accounts.h"
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
  void SuggestAccount(const Account& account) override {
    for (const Account& a : accounts_)
      if (a.login == account.login) return;
    accounts_.push_back(account);
  }
  const std::vector<Account>& accounts() const { return accounts_; }

 private:
  Platform& platform_;
  Principal principal_;
  std::string dir_, database_;
  std::vector<Account> accounts_;
};

// The demo database's one password for every demo account: made once, kept beside the
// database in demo-password.txt (mode 0600), so that a second run prints the same. Never a
// fixed password: a demo left on a network is not an open door.
Result<std::string> DemoPassword(const std::string& dir) {
  const std::string path = dir + "/demo-password.txt";
  {
    std::ifstream in(path);
    std::string line;
    if (in && std::getline(in, line) && line.size() >= 10 && line.size() <= 64) return line;
  }
  if (sodium_init() < 0) return Status::Error(StatusCode::kInternal, "libsodium 无法初始化", "libsodium failed to start");
  static const char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";  // no 0/o, 1/l
  std::string password;
  for (int i = 0; i < 16; ++i) {
    if (i > 0 && i % 4 == 0) password += '-';
    password += kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)];
  }
  {
    std::ofstream out(path, std::ios::trunc);
    out << password << "\n";
    if (!out) return Status::Error(StatusCode::kInternal, "无法写入 " + path, "cannot write " + path);
  }
  ::chmod(path.c_str(), 0600);
  return password;
}

// Creates the demo's accounts that are missing: the site's own (an administrator, a
// supervisor of each of two departments, an auditor) and those the plugins suggested.
Result<std::vector<DemoContext::Account>> MakeDemoAccounts(Platform& platform, const Globals& g,
                                                           const std::string& dir,
                                                           const std::vector<DemoContext::Account>& suggested,
                                                           std::string* password_out) {
  std::vector<DemoContext::Account> all = {
      {"admin", kRoleAdmin, "", "演示管理员 / demo administrator", "管理员：所有部门 / administrator: every department"},
      {"scjg.supervisor", kRoleSupervisor, "SCJG", "市场监管演示科员 / SCJG demo supervisor",
       "市场监管局的监管人员：本部门的抽查任务和全部证明 / supervisor of SCJG: its tasks and full proofs"},
      {"wjw.supervisor", kRoleSupervisor, "WJW", "卫健演示科员 / WJW demo supervisor",
       "卫健委的监管人员：联合抽查的另一个部门 / supervisor of WJW: the other department of the joint task"},
      {"auditor", kRoleAuditor, "", "演示审计员 / demo auditor", "审计：只读 / auditor: reads everything"}};
  for (const auto& a : suggested) all.push_back(a);
  auto password = DemoPassword(dir);
  if (!password.ok()) return password.status();
  *password_out = password.value();
  auto existing = web::ListUsers(platform);
  if (!existing.ok()) return existing.status();
  std::set<std::string> have;
  for (const auto& u : existing.value()) have.insert(u.login);
  Principal actor;
  actor.kind = Principal::Kind::kUser;
  actor.id = g.actor;
  actor.roles = {kRoleAdmin};
  std::vector<DemoContext::Account> made;
  for (const auto& a : all) {
    if (!have.count(a.login)) {
      web::User u;
      u.login = a.login;
      u.display_name = a.display_name;
      u.department = a.department;
      u.roles = {a.role};
      if (Status st = web::AddUser(platform, actor, u, password.value()); !st.ok()) {
        std::cerr << "警告 / warning: 演示账号 / demo account " << a.login << ": " << st.message() << "\n";
        continue;
      }
      have.insert(a.login);
    }
    made.push_back(a);
  }
  return made;
}

// The plugins' demo steps in load order: every Load (the events of each delivered before the
// next runs), then every Report.
Status RunDemoSteps(Database& db, PluginHost& host, const Globals& g, const std::string& dir,
                    std::vector<DemoContext::Account>* accounts, std::string* password) {
  PlatformImpl& platform = host.platform();
  AttachedDatabase attached(platform, db);
  DemoContextImpl ctx(platform, g, dir, db.url().display);
  const std::vector<DemoStep*> steps = host.demo_steps();
  for (DemoStep* step : steps) {
    if (Status st = step->Load(ctx); !st.ok()) return st;
    DispatchPending(db, host);
  }
  auto made = MakeDemoAccounts(platform, g, dir, ctx.accounts(), password);
  if (!made.ok()) return made.status();
  *accounts = made.value();
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
    // The subjects come without risk classes, as registration data does: the risk
    // classification sets them (the credit plugin's demo step, before the draws'), and a second
    // demo run leaves them as it found them (an import keeps the columns a file does not carry).
    o.risk_class = false;
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
    std::vector<DemoContext::Account> accounts;
    std::string password;
    auto host = LoadPlugins(g);
    if (host) {
      if (Status st = MigratePlugins(*db, *host, true); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
        return;
      }
      if (Status st = RunDemoSteps(*db, *host, g, dir, &accounts, &password); !st.ok()) {
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
    if (!accounts.empty()) {
      std::cout << "\n演示账号 / demo accounts（密码 / password: " << password << "，保存在 / kept in " << dir
                << "/demo-password.txt）\n";
      for (const auto& a : accounts)
        std::cout << "  " << a.login << std::string(a.login.size() < 18 ? 18 - a.login.size() : 1, ' ') << a.role
                  << (a.department.empty() ? "" : " " + a.department) << "  " << a.why << "\n";
    }
    std::cout << "\n演示数据已载入 / demo data loaded. 网站 / the web site: build/bin/xinjian --db " << db->url().display
              << " serve --listen 127.0.0.1:8080（./xj demo 会自动启动 / ./xj demo starts it）\n";
  });
}

}  // namespace xj::cli
