// xinjian: the command-line tool of the XinJian platform. One subcommand per job; see
// `xinjian --help` and docs/cli.md.
#include <CLI/CLI.hpp>

#include <clocale>
#include <cstdlib>
#include <iostream>

#include "cli.h"
#include "database.h"
#include "plugin_host.h"

namespace xj::cli {
int g_exit_code = kExitOk;
}

int main(int argc, char** argv) {
  using namespace xj::cli;
  using xj::HostOptions;
  using xj::PluginHost;
  using xj::PluginRecord;
  using xj::DefaultPluginDirs;
  std::setlocale(LC_ALL, "C.UTF-8");
  CLI::App app{"信监 XinJian：双随机、一公开与信用监管平台 / regulation and credit supervision platform"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("xinjian ") + XJ_VERSION_STRING);
  Globals g;
  app.add_option("--db", g.db_url,
                 "数据库地址 / database URL: sqlite:PATH or postgresql://... (env XINJIAN_DB, default sqlite:xinjian.db)")
      ->envname("XINJIAN_DB");
  // The repeatable options take one value per occurrence: `--set K=V task list` must not read
  // `task` and `list` as two more values.
  app.add_option("--require-plugin", g.require_plugins, "必须加载的插件 / a plugin that must load (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--plugin-dir", g.plugin_dirs, "插件目录 / plugin folder (repeatable; env XINJIAN_PLUGIN_PATH)")
      ->allow_extra_args(false);
  app.add_option("--actor", g.actor, "记入审计日志的操作人 / who is recorded in the audit log (default $USER)");
  std::string now;
  app.add_option("--now", now,
                 "设定时钟起点（测试、重放）/ start the clock at: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS (Asia/Shanghai) or "
                 "...Z (UTC) (env XINJIAN_NOW)")
      ->envname(xj::kNowEnvVar);
  std::vector<std::string> sets;
  app.add_option("--set", sets, "配置 / configuration KEY=VALUE, e.g. plugins.event-feed.path=events.jsonl (repeatable)")
      ->allow_extra_args(false);
  app.parse_complete_callback([&] {
    if (!now.empty()) {
      // Checked here so that a bad value is a usage error, never a silent real clock; exported
      // so that the processes this one starts run on the same clock.
      if (auto at = xj::ParseNowOverride(now); !at.ok()) throw CLI::ValidationError("--now", at.status().message());
      setenv(xj::kNowEnvVar, now.c_str(), 1);
    }
    g.db_url = xj::ResolveDbUrl(g.db_url);
    if (g.actor.empty()) {
      const char* u = std::getenv("USER");
      g.actor = u && *u ? u : "system";
    }
    for (const std::string& kv : sets) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) throw CLI::ValidationError("--set", "expected KEY=VALUE, got '" + kv + "'");
      g.config[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  });

  RegisterDatabaseCommands(app, g);
  RegisterImportCommands(app, g);
  RegisterPluginsCommands(app, g);
  RegisterDemoCommands(app, g);
  RegisterBenchCommands(app, g);
  RegisterBenchSchedulerCommand(app, g);
  RegisterCalendarCommands(app, g);
  RegisterCronCommands(app, g);
  RegisterJobsCommands(app, g);
  RegisterUsersCommands(app, g);
  GroupBuiltinCommands(app);
  // The commands plugins registered: the plugins are loaded before parsing, from the plugin
  // options found anywhere on the command line (they are parsed again, and checked, below).
  Globals pre;
  PrescanPluginOptions(argc, argv, pre);
  HostOptions ho;
  ho.search_dirs = pre.plugin_dirs.empty() ? DefaultPluginDirs() : pre.plugin_dirs;
  ho.required = pre.require_plugins;
  ho.config = pre.config;
  PluginHost host(ho);
  (void)host.LoadAll();  // a required plugin that failed is reported when a command runs
  g.plugins = &host;
  InstallJobScheduler(g, host);
  RegisterPluginCommands(app, g, host);
  // The global options above are accepted after any subcommand too (`xinjian init --db URL`),
  // also for the subcommands registered later by plugins if they are added before this.
  EnableFallthrough(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = ReportParseError(app, e, argc, argv);
    // A command that is missing may belong to a plugin that did not load.
    if (code == kExitUsage)
      for (const PluginRecord& r : host.records())
        if (r.state != "loaded") std::cerr << "提示 / note: " << Printable(r.error, 400) << "\n";
    return code;
  } catch (const std::exception& e) {
    PrintError(e.what());
    return kExitFailure;
  }
  return g_exit_code;
}
