// See plugin_migrations.h.
#include "plugin_migrations.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "clock.h"
#include "hash.h"
#include "scan.h"

namespace xj {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxMigrationBytes = 4u << 20;
// Serialises plugin migrations of several nodes on PostgreSQL ("XINJIAN" 02).
constexpr long long kPluginMigrationLockKey = 0x58494e4a49414e02LL;

Status Bad(const std::string& file, const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, "插件迁移文件 " + file + "：" + zh,
                       "plugin migration file " + file + ": " + en);
}

// "-- xinjian: adopts core 002_draws" on the first line.
std::string AdoptsOf(const std::string& sql) {
  const std::string first = sql.substr(0, sql.find('\n'));
  const std::string tag = "-- xinjian: adopts core ";
  if (first.rfind(tag, 0) != 0) return {};
  std::string name = first.substr(tag.size());
  while (!name.empty() && (name.back() == '\r' || name.back() == ' ')) name.pop_back();
  return name;
}

// What is recorded: owner => version => (name, checksum).
using Recorded = std::map<std::string, std::map<int, std::pair<std::string, std::string>>>;

Result<Recorded> ReadRecorded(Database& db) {
  Recorded recorded;
  Status st = ScanRows(db, "SELECT owner, version, name, checksum FROM plugin_migrations", {}, [&](const ScanRow& r) {
    recorded[std::string(r.values[0])][std::stoi(std::string(r.values[1]))] = {std::string(r.values[2]),
                                                                                std::string(r.values[3])};
    return true;
  });
  if (!st.ok()) return st;
  return recorded;
}

// kFailedPrecondition when the database records a version of a plugin in `migrations` newer
// than the newest that plugin ships. A plugin not in the list (not loaded now) is left alone.
Status RefuseNewer(const Recorded& recorded, const std::vector<PluginMigration>& migrations) {
  std::map<std::string, int> shipped;
  for (const PluginMigration& m : migrations) shipped[m.owner] = std::max(shipped[m.owner], m.version);
  for (const auto& [owner, versions] : recorded) {
    auto it = shipped.find(owner);
    if (it == shipped.end() || versions.empty()) continue;
    const int newest = versions.rbegin()->first;
    if (newest > it->second)
      return Status::Error(StatusCode::kFailedPrecondition,
                           "插件 " + owner + " 的数据结构版本 " + std::to_string(newest) + " 比已安装的插件（" +
                               std::to_string(it->second) + "）更新，请升级该插件",
                           "plugin " + owner + ": the database is at its schema version " + std::to_string(newest) +
                               ", newer than the installed plugin knows (" + std::to_string(it->second) + "); upgrade the plugin");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<PluginMigration>> ReadPluginMigrations(const std::string& plugin_dir, const std::string& owner,
                                                          Dialect dialect) {
  std::vector<PluginMigration> out;
  const fs::path dir = fs::path(plugin_dir) / "migrations" / (dialect == Dialect::kSqlite ? "sqlite" : "postgresql");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) files.push_back(e.path());
  if (ec) return Bad(dir.string(), "无法读取目录：" + ec.message(), "cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& p : files) {
    const std::string file = p.filename().string();
    const bool shaped = file.size() > 8 && file.substr(file.size() - 4) == ".sql" && std::isdigit(static_cast<unsigned char>(file[0])) &&
                        std::isdigit(static_cast<unsigned char>(file[1])) && std::isdigit(static_cast<unsigned char>(file[2])) &&
                        file[3] == '_';
    if (!shaped)
      return Bad(p.string(), "文件名须为 NNN_名称.sql", "the file name must be NNN_name.sql");
    const int version = std::stoi(file.substr(0, 3));
    if (version != static_cast<int>(out.size()) + 1)
      return Bad(p.string(), "编号须从 001 起连续（应为 " + std::to_string(out.size() + 1) + "）",
                 "numbers must run from 001 without gaps or repeats (expected " + std::to_string(out.size() + 1) + ")");
    if (fs::file_size(p, ec) > kMaxMigrationBytes || ec)
      return Bad(p.string(), "文件过大或不可读（上限 4 MiB）", "too large or unreadable (limit 4 MiB)");
    std::ifstream in(p, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    if (!in.good() && !in.eof()) return Bad(p.string(), "无法读取", "cannot be read");
    PluginMigration m;
    m.owner = owner;
    m.version = version;
    m.name = file.substr(0, file.size() - 4);
    m.sql = buf.str();
    m.adopts = AdoptsOf(m.sql);
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<PluginMigration>> PendingPluginMigrations(Database& db, const std::vector<PluginMigration>& migrations) {
  std::vector<PluginMigration> out;
  if (migrations.empty()) return out;
  Result<Recorded> recorded = ReadRecorded(db);
  if (!recorded.ok()) return recorded.status();
  if (Status st = RefuseNewer(recorded.value(), migrations); !st.ok()) return st;
  for (const PluginMigration& m : migrations) {
    auto owner = recorded->find(m.owner);
    if (owner == recorded->end() || owner->second.count(m.version) == 0) out.push_back(m);
  }
  return out;
}

Result<PluginMigrationReport> ApplyPluginMigrations(Database& db, const std::vector<PluginMigration>& migrations) {
  PluginMigrationReport rep;
  if (migrations.empty()) return rep;
  const bool pg = db.dialect() == Dialect::kPostgresql;
  if (pg) {
    if (Status s = db.ExecScript("SELECT pg_advisory_lock(" + std::to_string(kPluginMigrationLockKey) + ")"); !s.ok()) return s;
  }
  struct Unlock {
    Database& db;
    bool pg;
    ~Unlock() {
      if (pg) (void)db.ExecScript("SELECT pg_advisory_unlock(" + std::to_string(kPluginMigrationLockKey) + ")");
    }
  } unlock{db, pg};

  Result<Recorded> read = ReadRecorded(db);
  if (!read.ok()) return read.status();
  Recorded& recorded = read.value();
  std::map<std::string, bool> core_applied;  // core migration name => ran
  Status st = ScanRows(db, "SELECT name FROM schema_migrations", {}, [&](const ScanRow& r) {
    core_applied[std::string(r.values[0])] = true;
    return true;
  });
  if (!st.ok()) return st;

  // Check every owner before running anything of it.
  for (const PluginMigration& m : migrations) {
    auto owner = recorded.find(m.owner);
    if (owner == recorded.end()) continue;
    auto v = owner->second.find(m.version);
    if (v != owner->second.end() && v->second.second != Sha256Hex(m.sql))
      return Status::Error(StatusCode::kFailedPrecondition,
                           "插件 " + m.owner + " 的迁移 " + m.name + " 在应用之后被改动（校验和不同）；已应用的迁移不能修改，请新增一个迁移",
                           "plugin " + m.owner + ": migration " + m.name +
                               " changed after it was applied (checksum differs); add a new migration instead of editing one");
  }
  if (Status newer = RefuseNewer(recorded, migrations); !newer.ok()) return newer;

  for (const PluginMigration& m : migrations) {
    auto owner = recorded.find(m.owner);
    if (owner != recorded.end() && owner->second.count(m.version)) continue;
    const bool adopt = !m.adopts.empty() && core_applied.count(m.adopts) != 0;
    const std::string checksum = Sha256Hex(m.sql);
    if (Status s = db.ExecScript(pg ? "BEGIN" : "BEGIN IMMEDIATE"); !s.ok()) return s;
    if (!pg) {
      // SQLite has no advisory lock: another process (a second `serve` starting at the same
      // moment) may have applied it since the list above was read. Under the write lock now.
      bool done = false;
      Status s = ScanRows(db, "SELECT 1 FROM plugin_migrations WHERE owner = ? AND version = ?",
                          {m.owner, std::to_string(m.version)}, [&](const ScanRow&) {
                            done = true;
                            return false;
                          });
      if (!s.ok() || done) {
        (void)db.ExecScript("ROLLBACK");
        if (!s.ok()) return s;
        recorded[m.owner][m.version] = {m.name, checksum};
        continue;
      }
    }
    Status s = adopt ? Status::Ok() : db.ExecScript(m.sql);
    if (s.ok()) {
      Result<std::int64_t> ins = ExecRows(
          db, "INSERT INTO plugin_migrations(owner, version, name, checksum, applied_at_us, adopted) VALUES (?, ?, ?, ?, ?, ?)",
          {m.owner, std::to_string(m.version), m.name, checksum, std::to_string(NowMicros()), std::string(adopt ? "1" : "0")});
      if (!ins.ok()) s = ins.status();
    }
    if (s.ok()) s = db.ExecScript("COMMIT");
    if (!s.ok()) {
      (void)db.ExecScript("ROLLBACK");
      return Status::Error(StatusCode::kInternal, "插件 " + m.owner + " 的迁移 " + m.name + " 失败，已回滚：" + s.message(),
                           "plugin " + m.owner + ": migration " + m.name + " failed and was rolled back: " + s.message());
    }
    recorded[m.owner][m.version] = {m.name, checksum};
    if (adopt) {
      ++rep.adopted;
      rep.lines.push_back("插件 " + m.owner + "：迁移 " + m.name + " 记为已应用，未执行：其数据表已由旧版本的核心迁移 " +
                          m.adopts + " 建立 / plugin " + m.owner + ": migration " + m.name +
                          " recorded as applied without running it: its tables were made by the core's migration " +
                          m.adopts + " of an older release");
    } else {
      ++rep.applied;
      rep.lines.push_back("插件 " + m.owner + "：已应用迁移 " + m.name + " / plugin " + m.owner + ": applied migration " +
                          m.name);
    }
  }
  return rep;
}

}  // namespace xj
