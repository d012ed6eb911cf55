#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli.h"
#include "database.h"
#include "journal.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "plugin_migrations.h"
#include "xinjian/principal.h"

namespace xj::cli {

void PrintError(const std::string& message) {
  std::cerr << "错误 / error: " << Printable(message, 3000, /*multiline=*/true) << "\n";
}

std::unique_ptr<Database> OpenDatabase(const Globals& g, bool create) {
  auto db = Database::Open(g.db_url, {.migrate = true, .create = create, .require_schema = !create});
  if (!db.ok()) {
    PrintError(db.status().message());
    return nullptr;
  }
  return std::move(db.value());
}

std::unique_ptr<PluginHost> LoadPlugins(const Globals& g) {
  HostOptions o;
  o.search_dirs = g.plugin_dirs.empty() ? DefaultPluginDirs() : g.plugin_dirs;
  o.required = g.require_plugins;
  o.config = g.config;
  auto host = std::make_unique<PluginHost>(o);
  Status s = host->LoadAll();
  for (const PluginRecord& r : host->records())
    if (r.state != "loaded") std::cerr << "警告 / warning: " << r.error << "\n";
  if (!s.ok()) {
    PrintError(s.message());
    return nullptr;
  }
  return host;
}

void DispatchPending(Database& db, PluginHost& host) {
  std::map<std::string, EventSubscriber*> subs;
  for (const auto& [name, sub] : host.subscribers()) subs[name] = sub.get();
  std::map<std::string, WritingSubscriber*> writers;
  for (const auto& [name, sub] : host.writing_subscribers()) writers[name] = sub.get();
  auto report = [](const Result<DispatchReport>& rep) {
    if (!rep.ok()) {
      std::cerr << "警告 / warning: " << rep.status().message() << "\n";
      return;
    }
    for (const std::string& f : rep->failures)
      std::cerr << "警告 / warning: 事件投递失败 / event delivery failed: " << f << "\n";
  };
  // Writing subscribers first: the events they publish reach the others in the same call.
  if (!writers.empty()) {
    PlatformImpl& platform = host.platform();
    Database* before = platform.database();
    platform.Attach(&db);
    report(DispatchWritingEvents(platform, writers));
    platform.Attach(before);
  }
  if (!subs.empty()) report(DispatchEvents(db, subs));
}

Principal CliPrincipal(const Globals& g, const std::string& department) {
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.id = g.actor;
  p.department = department;
  p.roles = {kRoleSupervisor};
  return p;
}

AttachedDatabase::AttachedDatabase(PlatformImpl& platform, Database& db) : platform_(platform) { platform_.Attach(&db); }
AttachedDatabase::~AttachedDatabase() { platform_.Attach(nullptr); }

Status MigratePlugins(Database& db, const PluginHost& host, bool print) {
  Result<std::vector<PluginMigration>> ms = host.Migrations(db.dialect());
  if (!ms.ok()) return ms.status();
  Result<PluginMigrationReport> rep = ApplyPluginMigrations(db, ms.value());
  if (!rep.ok()) return rep.status();
  if (!print) return Status::Ok();
  for (const std::string& line : rep->lines) std::cout << line << "\n";
  if (ms->empty()) {
    std::cout << "插件迁移：已加载的插件没有迁移 / plugin migrations: the loaded plugins have none\n";
  } else if (rep->applied + rep->adopted == 0) {
    std::cout << "插件迁移：均已应用 / plugin migrations: all applied already\n";
  } else {
    std::cout << "插件迁移：应用 " << rep->applied << " 个，接管 " << rep->adopted << " 个 / plugin migrations: "
              << rep->applied << " applied, " << rep->adopted << " adopted\n";
  }
  return Status::Ok();
}

Status RequirePluginMigrations(Database& db, const PluginHost& host) {
  Result<std::vector<PluginMigration>> ms = host.Migrations(db.dialect());
  if (!ms.ok()) return ms.status();
  Result<std::vector<PluginMigration>> pending = PendingPluginMigrations(db, ms.value());
  if (!pending.ok()) return pending.status();
  if (pending->empty()) return Status::Ok();
  // Grouped by plugin, in the order they would apply.
  std::vector<std::pair<std::string, std::vector<std::string>>> by_plugin;
  for (const PluginMigration& m : pending.value()) {
    if (by_plugin.empty() || by_plugin.back().first != m.owner) by_plugin.push_back({m.owner, {}});
    by_plugin.back().second.push_back(m.name);
  }
  std::string zh, en;
  for (const auto& [plugin, names] : by_plugin) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    const std::string count = std::to_string(names.size());
    zh += "插件 " + plugin + " 有 " + count + " 个迁移尚未应用（" + list + "）；";
    en += "plugin " + plugin + " has " + count + (names.size() == 1 ? " migration" : " migrations") + " not applied yet (" +
          list + "); ";
  }
  const std::string init = "xinjian --db " + db.url().display + " init";
  return Status::Error(StatusCode::kFailedPrecondition, zh + "请先运行 " + init + "（加载同样的插件）",
                       en + "run `" + init + "` first, with the same plugins loaded");
}

std::unique_ptr<Database> OpenPluginDatabase(const Globals& g) {
  std::unique_ptr<Database> db = OpenDatabase(g);
  if (!db || g.plugins == nullptr) return db;
  if (Status st = RequirePluginMigrations(*db, *g.plugins); !st.ok()) {
    PrintError(st.message());
    return nullptr;
  }
  return db;
}

namespace {
long long NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), tty_(isatty(2) == 1), start_us_(NowUs()) {}
ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(std::uint64_t done, std::uint64_t total, std::uint64_t rows) {
  if (!tty_) return;
  long long now = NowUs();
  if (now - last_us_ < 200000 && done != total) return;
  last_us_ = now;
  double secs = (now - start_us_) / 1e6;
  if (total == 0) {  // a pipe: its size is not known, so bytes instead of a percentage
    std::fprintf(stderr, "\r%s %.1f MiB  %llu 行/rows  %.0f 行/秒 rows/s ", label_.c_str(),
                 static_cast<double>(done) / (1024.0 * 1024.0), static_cast<unsigned long long>(rows),
                 secs > 0 ? static_cast<double>(rows) / secs : 0.0);
    std::fflush(stderr);
    shown_ = true;
    return;
  }
  double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0;
  int width = 30, filled = static_cast<int>(pct / 100 * width);
  std::string bar(static_cast<std::size_t>(std::max(0, std::min(width, filled))), '#');
  bar.resize(static_cast<std::size_t>(width), ' ');
  std::fprintf(stderr, "\r%s [%s] %5.1f%%  %llu 行/rows  %.0f 行/秒 rows/s ", label_.c_str(), bar.c_str(), pct,
               static_cast<unsigned long long>(rows), secs > 0 ? static_cast<double>(rows) / secs : 0.0);
  std::fflush(stderr);
  shown_ = true;
}

void ProgressBar::Finish() {
  if (shown_) std::fprintf(stderr, "\n");
  shown_ = false;
}

}  // namespace xj::cli
