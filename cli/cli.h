// Shared declarations of the xinjian command-line tool: global options and the
// registration function of each subcommand group (one file per group).
#pragma once
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace xj {
class PluginHost;
}

namespace CLI {
class App;
class ParseError;
class Validator;
}

namespace xj::cli {

struct Globals {
  std::string db_url;                         // --db or XINJIAN_DB, default sqlite:xinjian.db
  std::vector<std::string> require_plugins;   // --require-plugin NAME (repeatable)
  std::vector<std::string> plugin_dirs;       // --plugin-dir DIR (repeatable); default DefaultPluginDirs()
  bool json = false;
  std::string actor;                          // --actor, default $USER; recorded in the audit log
  std::map<std::string, std::string> config;  // --set KEY=VALUE, e.g. plugins.event-feed.path=/x
  // The plugins main loaded before parsing (from the same plugin options): their commands,
  // and what OpenPluginDatabase checks. Null outside the executable's main.
  const PluginHost* plugins = nullptr;
};

void RegisterPluginsCommands(CLI::App& app, Globals& g);
void RegisterDatabaseCommands(CLI::App& app, Globals& g);   // init, audit, events
void RegisterImportCommands(CLI::App& app, Globals& g);     // import, gen
void RegisterBenchCommands(CLI::App& app, Globals& g);      // bench
void RegisterDemoCommands(CLI::App& app, Globals& g);       // demo
void RegisterBenchSchedulerCommand(CLI::App& app, Globals& g);  // bench scheduler (after RegisterBenchCommands)
void RegisterCalendarCommands(CLI::App& app, Globals& g);   // calendar
void RegisterCalendarNoticeCommand(CLI::App& calendar, Globals& g);  // calendar import-notice (called by RegisterCalendarCommands)
void RegisterCronCommands(CLI::App& app, Globals& g);       // cron next
void RegisterJobsCommands(CLI::App& app, Globals& g);       // serve, jobs
void RegisterUsersCommands(CLI::App& app, Globals& g);      // users (the web site's accounts)

// Plugin commands (cli/plugin_commands.cpp, xinjian/command.h).
//
// Reads --plugin-dir, --require-plugin and --set from anywhere on the command line (before
// parsing: the plugins must be loaded to know their commands) into `g`.
void PrescanPluginOptions(int argc, char** argv, Globals& g);
// Adds every command `host` holds as a subcommand, listed in `xinjian --help` under its
// plugin's name, with --json (unless the spec says not), --department and --role; running it
// builds the caller's Principal (--actor, --department, --role), opens the database when the
// spec needs one, runs the function and delivers the events it published. A command whose
// path is a built-in command is skipped with a warning.
void RegisterPluginCommands(CLI::App& app, Globals& g, PluginHost& host);
// Offers the scheduler's jobs to plugins (Platform::Jobs) on the host's platform.
void InstallJobScheduler(Globals& g, PluginHost& host);
// Lists the built-in top-level commands under "核心命令 / core commands" in --help.
void GroupBuiltinCommands(CLI::App& app);

// The command line as users type it (cli/usage.cpp, docs/cli.md).
//
// Makes every subcommand, at every depth, fall through to its parent, so that the global
// options (--db, --actor, --set, ...) are accepted before or after any subcommand. Call after
// every command is registered.
void EnableFallthrough(CLI::App& app);
// Prints a refusal of the option parser, Chinese first with CLI11's English after it, and the
// usage hint; a misspelled command or long option is named with the nearest registered ones.
// Returns the exit status: kExitOk for --help and --version (printed by CLI11), else kExitUsage.
int ReportParseError(CLI::App& app, const CLI::ParseError& e, int argc, char** argv);
// `s` fit for a message on a terminal: control characters (but newlines and tabs when
// `multiline`) and invalid UTF-8 bytes as \xNN, and cut after about max_bytes with the full
// size named.
std::string Printable(std::string_view s, std::size_t max_bytes = 120, bool multiline = false);

// The check of a --limit or count option: digits only, 0 or more (CLI11's NonNegativeNumber
// names a 300-digit bound).
const CLI::Validator& NonNegativeCount();

// Listings (docs/cli.md, "Listings"). A table is one header row of bilingual column names
// ("编号/id"), tab-separated, always printed on stdout, then one row per item.
void PrintHeader(std::initializer_list<std::string_view> columns);
// After a listing. An empty table gets the line `empty` on stdout, under its header ("" for
// none). Then on stderr: "已截断：显示 N / 共 M 项 / truncated: showing N of M" when a --limit
// cut the list (in table and JSON mode alike); otherwise "N 项 / N items" after a table and
// nothing after JSON. Flushes stdout first so that the note follows the rows on a terminal.
void NoteListed(std::size_t shown, std::size_t total, bool table, std::string_view empty = "（无 / none）");

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the operation could not be done
inline constexpr int kExitUsage = 2;     // bad command line
inline constexpr int kExitVerifyFailed = 3;  // a verification found a mismatch

}  // namespace xj::cli

#include <map>
#include <memory>

#include "xinjian/status.h"

namespace xj {
class Database;
class PluginHost;
class PlatformImpl;
struct Principal;
}  // namespace xj

namespace xj::cli {

// Prints a bilingual error to stderr ("错误 / error: ..."), made Printable (what a user typed
// may come back in it: control characters, invalid UTF-8, 100 KB).
void PrintError(const std::string& message);
// Opens the database named by g.db_url (migrating it); prints the error and returns nullptr
// on failure.
// Opens the database of --db. Only `create` (init, demo) makes a new one; otherwise a
// missing or uninitialised database is an error printed here (nullptr).
std::unique_ptr<Database> OpenDatabase(const Globals& g, bool create = false);
// Loads the plugins (search dirs from g or the defaults). Returns nullptr and prints the
// error when a required plugin failed.
std::unique_ptr<PluginHost> LoadPlugins(const Globals& g);
// Delivers pending events to the plugins' subscribers (writing ones first, each event in a
// unit of work); prints failures to stderr.
void DispatchPending(Database& db, PluginHost& host);
// Applies the loaded plugins' pending migrations (plugin_migrations.h); with `print`, one
// line per migration applied or adopted on stdout, then a count ("插件迁移：应用 N 个，接管 M
// 个 / plugin migrations: N applied, M adopted", or that all were applied already, or that
// the loaded plugins have none). Returns the error naming the plugin. Only init, demo and
// serve call it: they are the commands that change the plugins' schema.
Status MigratePlugins(Database& db, const PluginHost& host, bool print);
// For the other commands that use plugins' tables: OK when every migration of the plugins
// `host` loaded is recorded in the database, else kFailedPrecondition naming each plugin with
// its pending migrations and `xinjian --db URL init` (no SQL error later). Changes nothing.
Status RequirePluginMigrations(Database& db, const PluginHost& host);
// OpenDatabase(g), then RequirePluginMigrations with g.plugins (when set): the database of a
// command that uses plugins' tables (task, visit, deadlines…). Prints the error and returns
// nullptr.
std::unique_ptr<Database> OpenPluginDatabase(const Globals& g);

// The caller of a built-in command (task, visit, demo…): a user principal named by --actor,
// acting for `department` (the command's --department, "" for none), with the supervisor role;
// the feature decides confidentiality on it (Principal::ActsFor).
Principal CliPrincipal(const Globals& g, const std::string& department = "");

// Attaches `db` to `platform` for the life of this object (units of work and reads of the
// built-in commands run on it), and detaches it at the end.
class AttachedDatabase {
 public:
  AttachedDatabase(PlatformImpl& platform, Database& db);
  ~AttachedDatabase();
  AttachedDatabase(const AttachedDatabase&) = delete;
  AttachedDatabase& operator=(const AttachedDatabase&) = delete;

 private:
  PlatformImpl& platform_;
};

// A progress line on stderr when it is a terminal; silent otherwise.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();
  void Update(std::uint64_t done_units, std::uint64_t total_units, std::uint64_t rows);
  void Finish();
 private:
  std::string label_;
  bool tty_;
  long long start_us_;
  long long last_us_ = 0;
  bool shown_ = false;
};

}  // namespace xj::cli
