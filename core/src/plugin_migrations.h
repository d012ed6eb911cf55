// Migrations owned by plugins: plugins/<name>/migrations/{sqlite,postgresql}/NNN_name.sql,
// shipped in the plugin's folder beside plugin.so, applied in order and recorded per
// (owner, version) in plugin_migrations (schemas/*/008_plugin_migrations.sql). The contract
// plugin authors see is in xinjian/plugin.h.
//
// Who applies them: `xinjian init`, `xinjian demo` and `xinjian serve` at start-up (cli/common.cpp
// MigratePlugins, which prints one line per migration). Every other command that uses the
// plugins' tables only checks (PendingPluginMigrations) and refuses while some are pending,
// naming `xinjian init`: the plugin folders a command loads may differ from the ones the
// operator initialised with (--plugin-dir, XINJIAN_PLUGIN_PATH), and a command run with
// another folder must not change the schema other processes use.
//
// Order between plugins: PluginHost::Migrations lists a plugin after the plugins providing the
// services it requires, otherwise by name. A plugin whose tables refer to another plugin's
// (a foreign key, a view) must therefore require a service of that plugin. The tables of the
// inspection plugin have no such reference to the draw plugin's (a visit names its task by
// id); inspection requires no service of draw yet, and its migrations come after draw's by
// name ("draw" < "inspection"), which tests/integration/test_plugin_schema.cpp keeps.
//
// Not thread-safe: one Database, one thread. On PostgreSQL the same advisory lock as the
// core's migrations serialises several nodes starting at once.
#pragma once
#include <string>
#include <vector>

#include "database.h"
#include "xinjian/status.h"

namespace xj {

struct PluginMigration {
  std::string owner;    // the plugin's name
  int version = 0;      // NNN
  std::string name;     // "NNN_name"
  std::string sql;
  std::string adopts;   // "NNN_name" of a core migration this one takes over, or ""
};

// Reads <plugin_dir>/migrations/<dialect>/*.sql. No folder: no migrations. Errors
// (kInvalidArgument, naming the file): a name that is not NNN_name.sql, a number that repeats
// or leaves a gap (001, 002, … in order), an unreadable file, a file over 4 MiB.
Result<std::vector<PluginMigration>> ReadPluginMigrations(const std::string& plugin_dir, const std::string& owner,
                                                          Dialect dialect);

struct PluginMigrationReport {
  int applied = 0;   // run now
  int adopted = 0;   // recorded without running (`-- xinjian: adopts core NNN_name`)
  // One bilingual line per migration applied or adopted, in order:
  //   插件 draw：已应用迁移 001_draws / plugin draw: applied migration 001_draws
  //   插件 draw：迁移 001_draws 记为已应用，未执行：其数据表已由旧版本的核心迁移 002_draws 建立 /
  //   plugin draw: migration 001_draws recorded as applied without running it: its tables
  //   were made by the core's migration 002_draws of an older release
  std::vector<std::string> lines;
};

// The migrations of `migrations` that the database has not recorded, in the list's order
// (those ApplyPluginMigrations would apply or adopt). Errors: kFailedPrecondition naming the
// plugin when the database records a version newer than the plugin ships (as
// ApplyPluginMigrations refuses it); reading plugin_migrations failed. Changes nothing.
Result<std::vector<PluginMigration>> PendingPluginMigrations(Database& db, const std::vector<PluginMigration>& migrations);

// Applies the pending migrations in the list's order (the list may hold several owners, each
// in version order; PluginHost::Migrations gives the order between owners). Refuses, before running anything of that owner (kFailedPrecondition,
// naming the plugin): a recorded version the plugin no longer ships (newer than the
// plugin), a recorded migration whose file changed (checksum). A failing migration is
// rolled back whole and returned as kInternal naming the plugin and the file; migrations
// applied before it stay.
Result<PluginMigrationReport> ApplyPluginMigrations(Database& db, const std::vector<PluginMigration>& migrations);

}  // namespace xj
