// xinjian init | audit verify | events list | events dispatch
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "cli.h"
#include "database.h"
#include "journal.h"
#include "plugin_host.h"
#include "scan.h"

namespace xj::cli {
extern int g_exit_code;

namespace {

// How many events ReadEvents(db, after, prefix, unlimited) would return (the same filter).
Result<std::int64_t> CountEvents(Database& db, std::int64_t after, const std::string& prefix) {
  std::string pat;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') pat += '\\';
    pat += c;
  }
  pat += '%';
  std::int64_t n = 0;
  Status st = ScanRows(db, "SELECT COUNT(*) FROM events WHERE id > ? AND topic LIKE ? ESCAPE '\\'",
                       {std::to_string(after), pat}, [&](const ScanRow& r) {
                         n = std::stoll(std::string(r.values[0]));
                         return false;
                       });
  if (!st.ok()) return st;
  return n;
}

std::string LocalInstant(std::int64_t us) {
  std::time_t t = static_cast<std::time_t>(us / 1000000) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace

void RegisterDatabaseCommands(CLI::App& app, Globals& g) {
  auto* init = app.add_subcommand("init", "创建或升级数据库结构 / create or upgrade the database schema");
  init->callback([&g] {
    auto db = Database::Open(g.db_url, {.migrate = false});
    if (!db.ok()) {
      PrintError(db.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    auto before = db.value()->SchemaVersion();
    auto applied = db.value()->Migrate();
    if (!applied.ok()) {
      PrintError(applied.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    std::cout << "数据库 / database " << db.value()->url().display << "：结构版本 / schema version "
              << (before.ok() ? before.value() : 0) << " → " << Database::KnownSchemaVersion() << "（应用 / applied "
              << applied.value() << " 个迁移 / migrations）\n";
    // Then the migrations of the plugins that load here (each plugin's own tables).
    auto host = LoadPlugins(g);
    if (!host) {
      g_exit_code = kExitFailure;
      return;
    }
    if (Status st = MigratePlugins(*db.value(), *host, true); !st.ok()) {
      PrintError(st.message());
      g_exit_code = kExitFailure;
      return;
    }
  });

  auto* audit = app.add_subcommand("audit", "审计日志 / the audit log");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "重新计算哈希链 / recompute the hash chain and name the first altered or removed record");
  static bool verify_json = false;
  verify->add_flag("--json", verify_json, "JSON 输出 / JSON output");
  verify->callback([&g] {
    auto db = OpenDatabase(g);
    if (!db) {
      g_exit_code = kExitFailure;
      return;
    }
    ProgressBar bar("校验 / verify");
    auto rep = VerifyAudit(*db, [&](std::int64_t n) { bar.Update(0, 0, static_cast<std::uint64_t>(n)); });
    bar.Finish();
    if (!rep.ok()) {
      PrintError(rep.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    if (verify_json) {
      nlohmann::json j{{"ok", rep->ok}, {"records", rep->records}};
      if (!rep->ok) {
        j["first_bad_seq"] = rep->first_bad_seq;
        j["problem"] = rep->problem;
      }
      std::cout << j.dump() << "\n";
    } else if (rep->ok) {
      std::cout << "审计链完整 / audit chain intact: " << rep->records << " 条记录 / records\n";
    } else {
      std::cout << "审计链被破坏 / audit chain BROKEN: " << rep->problem << "\n";
    }
    if (!rep->ok) g_exit_code = kExitVerifyFailed;
  });

  auto* events = app.add_subcommand("events", "事件发件箱 / the event outbox");
  events->require_subcommand(1);
  auto* list = events->add_subcommand("list", "列出事件 / list events");
  static long long after = 0;
  static int limit = 100;
  static std::string prefix;
  static bool list_json = false;
  list->add_option("--after", after, "从此编号之后 / events after this id");
  list->add_option("--limit", limit, "最多条数（默认 100）/ at most this many (default 100)")->check(CLI::Range(1, 100000));
  list->add_option("--topic", prefix, "主题前缀 / topic prefix");
  list->add_flag("--json", list_json, "以 JSON 数组输出 / print a JSON array");
  list->callback([&g] {
    auto db = OpenDatabase(g);
    if (!db) {
      g_exit_code = kExitFailure;
      return;
    }
    // One more than asked tells whether --limit cut the list; only then are they counted.
    auto evs = ReadEvents(*db, after, prefix, limit + 1);
    if (!evs.ok()) {
      PrintError(evs.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    std::size_t total = evs->size();
    if (evs->size() > static_cast<std::size_t>(limit)) {
      auto n = CountEvents(*db, after, prefix);
      if (!n.ok()) {
        PrintError(n.status().message());
        g_exit_code = kExitFailure;
        return;
      }
      total = std::max(static_cast<std::size_t>(n.value()), evs->size());
      evs->erase(evs->begin() + limit, evs->end());
    }
    nlohmann::json arr = nlohmann::json::array();
    if (!list_json) PrintHeader({"编号/id", "主题/topic", "键/key", "时间/at", "内容/payload"});
    for (const Event& e : evs.value()) {
      nlohmann::json payload = nlohmann::json::parse(e.payload_json, nullptr, false);
      if (payload.is_discarded()) payload = e.payload_json;  // never "<discarded>": the text as stored
      if (list_json) {
        arr.push_back({{"id", e.id}, {"topic", e.topic}, {"key", e.key}, {"at_us", e.at_us}, {"payload", payload}});
        continue;
      }
      std::cout << e.id << "\t" << e.topic << "\t" << e.key << "\t" << LocalInstant(e.at_us) << "\t"
                << payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                << "\n";
    }
    if (list_json) std::cout << arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    NoteListed(evs->size(), total, !list_json);
  });
  auto* dispatch = events->add_subcommand("dispatch", "把待投递事件交给插件订阅者 / deliver pending events to plugin subscribers");
  dispatch->callback([&g] {
    auto db = OpenDatabase(g);
    auto host = db ? LoadPlugins(g) : nullptr;
    if (!db || !host) {
      g_exit_code = kExitFailure;
      return;
    }
    std::map<std::string, EventSubscriber*> subs;
    for (const auto& [name, sub] : host->subscribers()) subs[name] = sub.get();
    auto rep = DispatchEvents(*db, subs);
    if (!rep.ok()) {
      PrintError(rep.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    std::cout << "已投递 / delivered: " << rep->delivered << "\n";
    for (const std::string& f : rep->failures) {
      PrintError(f);
      g_exit_code = kExitFailure;
    }
  });
}

}  // namespace xj::cli
