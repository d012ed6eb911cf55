// Migrations owned by plugins: plugins/<name>/migrations/{sqlite,postgresql}/NNN_name.sql,
// shipped in the plugin's folder beside plugin.so, applied in order and recorded per
// (owner, version) in plugin_migrations (schemas/*/008_plugin_migrations.sql). The contract
// plugin authors see is in xinjian/plugin.h.
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
  std::vector<std::string> lines;  // one bilingual line per migration applied or adopted
};

// Applies the pending migrations of each owner (the list may hold several owners, each in
// version order). Refuses, before running anything of that owner (kFailedPrecondition,
// naming the plugin): a recorded version the plugin no longer ships (newer than the
// plugin), a recorded migration whose file changed (checksum). A failing migration is
// rolled back whole and returned as kInternal naming the plugin and the file; migrations
// applied before it stay.
Result<PluginMigrationReport> ApplyPluginMigrations(Database& db, const std::vector<PluginMigration>& migrations);

}  // namespace xj
