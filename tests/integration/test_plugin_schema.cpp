// The tables of the draw and inspection plugins come from the plugins' own migrations (issue
// 13, step 4c): on a new database they run after the core's, the draw plugin's before the
// inspection plugin's; on a database made before the move (the core's migrations 002, 003,
// 005, 006 and 007 recorded in schema_migrations) they are adopted without running, and the
// ones that old database never ran are run; a command that needs the plugins' tables refuses,
// naming `xinjian init`, while they are pending. Runs on SQLite and PostgreSQL
// (XINJIAN_TEST_BACKEND). tests/e2e/upgrade.sh upgrades a real old database; tests/e2e/schema.sh
// compares the schema of a new database with the one the core's migrations made before.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "database.h"
#include "plugin_host.h"
#include "plugin_migrations.h"
#include "scan.h"
#include "test_support.h"
#include "world.h"

using namespace xj;
using Catch::Matchers::Contains;

namespace {

// A database with the core's migrations only: what `xinjian init` makes with no plugin loaded.
std::unique_ptr<Database> CoreOnly() {
  auto db = Database::Open(test::FreshDatabaseUrl());
  INFO(db.status().message());
  REQUIRE(db.ok());
  return std::move(db.value());
}

std::vector<PluginMigration> ProductMigrations(Dialect dialect) {
  auto ms = test::Plugins().Migrations(dialect);
  INFO(ms.status().message());
  REQUIRE(ms.ok());
  return ms.value();
}

std::int64_t CountRows(Database& db, const std::string& sql) {
  std::int64_t n = -1;
  Status st = ScanRows(db, sql, {}, [&](const ScanRow& r) {
    n = std::stoll(std::string(r.values[0]));
    return false;
  });
  INFO(sql << ": " << st.message());
  REQUIRE(st.ok());
  return n;
}

bool Runs(Database& db, const std::string& sql) {
  return ScanRows(db, sql, {}, [](const ScanRow&) { return false; }).ok();
}

// The core migration a plugin migration adopts, as its old number ("003_visits" => 3).
int AdoptedVersion(const PluginMigration& m) { return m.adopts.empty() ? 0 : std::atoi(m.adopts.c_str()); }

}  // namespace

TEST_CASE("a new database gets the draw and inspection tables from the plugins, draw's first", "[plugin-schema]") {
  auto db = CoreOnly();
  // The core's own tables only.
  CHECK(!Runs(*db, "SELECT COUNT(*) FROM draw_tasks"));
  CHECK(!Runs(*db, "SELECT COUNT(*) FROM visit_items"));
  const std::vector<PluginMigration> ms = ProductMigrations(db->dialect());
  // The inspection plugin's migrations come after every migration of the draw plugin. It
  // requires no service of draw yet (draw provides none): the order comes from the names
  // ("draw" < "inspection", PluginHost::Migrations), and this test keeps it so.
  std::ptrdiff_t last_draw = -1, first_inspection = -1;
  std::vector<std::string> draw, inspection;
  for (std::size_t i = 0; i < ms.size(); ++i) {
    if (ms[i].owner == "draw") {
      last_draw = static_cast<std::ptrdiff_t>(i);
      draw.push_back(ms[i].name + "<" + ms[i].adopts);
    }
    if (ms[i].owner == "inspection") {
      if (first_inspection < 0) first_inspection = static_cast<std::ptrdiff_t>(i);
      inspection.push_back(ms[i].name + "<" + ms[i].adopts);
    }
  }
  CHECK(draw ==
        std::vector<std::string>{"001_draws<002_draws", "002_entropy<005_entropy", "003_draw_slips<007_draw_slips"});
  // 003_result_notices (issue 14) came after the move: it adopts nothing.
  CHECK(inspection == std::vector<std::string>{"001_visits<003_visits",
                                               "002_deadline_provisional<006_deadline_provisional",
                                               "003_result_notices<"});
  REQUIRE(last_draw >= 0);
  REQUIRE(first_inspection >= 0);
  CHECK(last_draw < first_inspection);

  auto rep = ApplyPluginMigrations(*db, ms);
  INFO(rep.status().message());
  REQUIRE(rep.ok());
  CHECK(rep->adopted == 0);
  CHECK(rep->applied == static_cast<int>(ms.size()));
  // Applied in that order, each said in both languages.
  std::string lines;
  for (const std::string& l : rep->lines) lines += l + "\n";
  const auto at = [&](const std::string& s) { return lines.find(s); };
  CHECK_THAT(lines, Contains("插件 draw：已应用迁移 001_draws / plugin draw: applied migration 001_draws"));
  CHECK(at("plugin draw: applied migration 003_draw_slips") < at("plugin inspection: applied migration 001_visits"));
  CHECK(at("plugin inspection: applied migration 001_visits") <
        at("plugin inspection: applied migration 002_deadline_provisional"));
  CHECK(at("plugin inspection: applied migration 002_deadline_provisional") <
        at("plugin inspection: applied migration 003_result_notices"));
  CHECK(CountRows(*db,
                  "SELECT COUNT(*) FROM plugin_migrations WHERE owner IN ('draw', 'inspection') AND NOT adopted") == 6);
  // Every column of the old schema is there, the last ones of each table too.
  CHECK(Runs(*db, "SELECT entropy_supplied_input, reveal_unpublished, entropy_notice FROM draw_tasks"));
  CHECK(Runs(*db, "SELECT task_id, rank, team FROM draw_selection"));
  CHECK(Runs(*db, "SELECT due_provisional, card FROM visit_items"));
  CHECK(Runs(*db, "SELECT visit_id FROM visit_inspectors"));
  // Nothing is left to do.
  rep = ApplyPluginMigrations(*db, ms);
  REQUIRE(rep.ok());
  CHECK(rep->applied + rep->adopted == 0);
  CHECK(rep->lines.empty());
}

TEST_CASE("a database made before the move adopts the plugins' migrations and runs only what it never ran",
          "[plugin-schema][upgrade]") {
  // An old database, made by the core's migrations of its time: the plugins' files are those
  // migrations (their SQL is the same text), run in the old global order and recorded under
  // their old core names.
  auto [legacy, adopted, applied] = GENERATE(table<int, int, int>({
      {7, 5, 0},  // the last release before the move (tests/fixtures/upgrade-v7): all adopted
      {5, 3, 2},  // 006 and 007 never ran there: inspection's 002 and draw's 003 run now
      {4, 2, 3},  // only 002 and 003 of the plugins' tables existed
  }));
  INFO("old schema version " << legacy);
  auto db = CoreOnly();
  std::vector<PluginMigration> ms = ProductMigrations(db->dialect());
  std::vector<PluginMigration> old;  // the five that adopt a core migration (not the newer ones)
  for (const PluginMigration& m : ms)
    if ((m.owner == "draw" || m.owner == "inspection") && !m.adopts.empty()) old.push_back(m);
  REQUIRE(old.size() == 5);
  std::sort(old.begin(), old.end(),
            [](const PluginMigration& a, const PluginMigration& b) { return AdoptedVersion(a) < AdoptedVersion(b); });
  for (const PluginMigration& m : old) {
    if (AdoptedVersion(m) > legacy) continue;
    REQUIRE(AdoptedVersion(m) > 0);
    Status st = db->ExecScript(m.sql);
    INFO(m.name << ": " << st.message());
    REQUIRE(st.ok());
    REQUIRE(ExecRows(*db,
                     "INSERT INTO schema_migrations(version, name, checksum, applied_at_us) VALUES (?, ?, 'legacy', 0)",
                     {std::to_string(AdoptedVersion(m)), m.adopts})
                .ok());
  }
  // Rows of the old release, which must survive.
  REQUIRE(db->ExecScript("INSERT INTO visit_inspectors(inspector_id, visit_id) VALUES ('SCJG-01', 'T-1')").ok());

  auto rep = ApplyPluginMigrations(*db, ms);
  INFO(rep.status().message());
  REQUIRE(rep.ok());
  CHECK(rep->adopted == adopted);
  // Other plugins' migrations and the newer ones of draw and inspection aside.
  CHECK(rep->applied - (static_cast<int>(ms.size()) - 5) == applied);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM plugin_migrations WHERE owner IN ('draw', 'inspection') AND adopted") ==
        adopted);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM plugin_migrations WHERE owner IN ('draw', 'inspection')") == 6);
  if (adopted > 0) {
    std::string lines;
    for (const std::string& l : rep->lines) lines += l + "\n";
    CHECK_THAT(lines,
               Contains("插件 draw：迁移 001_draws 记为已应用，未执行") &&
                   Contains("plugin draw: migration 001_draws recorded as applied without running it: its tables "
                            "were made by the core's migration 002_draws of an older release"));
  }
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM visit_inspectors") == 1);
  CHECK(Runs(*db, "SELECT entropy_supplied_input, reveal_unpublished, entropy_notice FROM draw_tasks"));
  CHECK(Runs(*db, "SELECT due_provisional FROM visit_items"));
  // The core's records stay as they were.
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM schema_migrations WHERE checksum = 'legacy'") == adopted);
  rep = ApplyPluginMigrations(*db, ms);
  REQUIRE(rep.ok());
  CHECK(rep->applied + rep->adopted == 0);
}

TEST_CASE("a command that uses the plugins' tables refuses while their migrations are pending, naming init",
          "[plugin-schema][cli]") {
  const std::string url = test::FreshDatabaseUrl();
  // Initialised without the plugins (an empty plugin folder): the core's tables only.
  const std::string none = test::TempDir();
  auto init = test::RunCli({"--db", url, "--plugin-dir", none, "init"});
  INFO(init.out << init.err);
  REQUIRE(init.exit_code == 0);
  CHECK_THAT(init.out, !Contains("plugin draw"));
  // Then used with them: a clear refusal, no SQL error, nothing changed.
  for (const std::vector<std::string>& cmd :
       std::vector<std::vector<std::string>>{{"task", "list"}, {"task", "show", "T-1"}, {"deadlines", "--all"}}) {
    std::vector<std::string> args{"--db", url};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto r = test::RunCli(args);
    INFO(cmd[0] << ": " << r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err,
               Contains("插件 draw 有 3 个迁移尚未应用（001_draws, 002_entropy, 003_draw_slips）") &&
                   Contains("plugin draw has 3 migrations not applied yet (001_draws, 002_entropy, 003_draw_slips)") &&
                   Contains("plugin inspection has 3 migrations not applied yet") && Contains(" init"));
    CHECK_THAT(r.err, !Contains("SQL"));
  }
  {
    auto db = Database::Open(url);
    REQUIRE(db.ok());
    CHECK(CountRows(*db.value(), "SELECT COUNT(*) FROM plugin_migrations") == 0);
  }
  // init with the plugins makes their tables and says so, in order; then the commands work.
  init = test::RunCli({"--db", url, "init"});
  INFO(init.out << init.err);
  REQUIRE(init.exit_code == 0);
  const auto at = [&](const std::string& s) { return init.out.find(s); };
  CHECK(at("插件 draw：已应用迁移 001_draws / plugin draw: applied migration 001_draws") != std::string::npos);
  CHECK(at("plugin draw: applied migration 003_draw_slips") < at("plugin inspection: applied migration 001_visits"));
  CHECK(at("plugin inspection: applied migration 002_deadline_provisional") != std::string::npos);
  // The credit plugin's 1, the draw's 3, the inspection's 3, the directory's 1 and the lists' 1
  // (after the credit plugin's: it requires its service).
  CHECK(at("plugin credit: applied migration 001_credit") != std::string::npos);
  CHECK(at("plugin credit: applied migration 001_credit") < at("plugin lists: applied migration 001_lists"));
  // The summary counts every migration that ran (at least those 9; more when other plugins are built).
  std::size_t ran = 0;
  for (std::size_t at_line = init.out.find(": applied migration "); at_line != std::string::npos;
       at_line = init.out.find(": applied migration ", at_line + 1))
    ++ran;
  CHECK(ran >= 9);
  CHECK_THAT(init.out, Contains("插件迁移：应用 " + std::to_string(ran) + " 个，接管 0 个 / plugin migrations: " +
                                std::to_string(ran) + " applied, 0 adopted"));
  auto list = test::RunCli({"--db", url, "task", "list"});
  INFO(list.err);
  CHECK(list.exit_code == 0);
  CHECK(test::RunCli({"--db", url, "deadlines", "--all"}).exit_code == 0);
  // A second init has nothing to do and says that.
  init = test::RunCli({"--db", url, "init"});
  REQUIRE(init.exit_code == 0);
  CHECK_THAT(init.out, !Contains("applied migration") && Contains("plugin migrations: all applied already"));
}

TEST_CASE("the check of pending plugin migrations changes nothing and refuses a database newer than a plugin",
          "[plugin-schema]") {
  auto db = CoreOnly();
  const std::vector<PluginMigration> ms = ProductMigrations(db->dialect());
  auto pending = PendingPluginMigrations(*db, ms);
  REQUIRE(pending.ok());
  CHECK(pending->size() == ms.size());
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM plugin_migrations") == 0);
  REQUIRE(ApplyPluginMigrations(*db, ms).ok());
  pending = PendingPluginMigrations(*db, ms);
  REQUIRE(pending.ok());
  CHECK(pending->empty());
  // A newer draw plugin ran here before (a version this one does not ship): refused, as init
  // refuses it, rather than letting a command work on tables it does not know.
  REQUIRE(ExecRows(*db,
                   "INSERT INTO plugin_migrations(owner, version, name, checksum, applied_at_us) VALUES "
                   "('draw', 99, '099_future', 'x', 0)",
                   {})
              .ok());
  pending = PendingPluginMigrations(*db, ms);
  REQUIRE(!pending.ok());
  CHECK(pending.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(pending.status().message(), Contains("plugin draw") && Contains("upgrade the plugin"));
}
