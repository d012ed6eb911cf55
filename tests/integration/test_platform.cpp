// The SDK's platform as the host implements it (xinjian/platform.h, xinjian/sql.h): units of
// work commit a plugin's writes with their audit records and events or nothing at all;
// reads cannot write; plugin migrations are applied, recorded per (owner, version) and
// refused when changed or newer; a writing subscriber's writes and its position commit
// together; a pool of connections serves several threads at once. Runs on SQLite and on
// PostgreSQL (XINJIAN_TEST_BACKEND).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "database.h"
#include "journal.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "plugin_migrations.h"
#include "scan.h"
#include "test_support.h"
#include "xinjian/platform.h"

using namespace xj;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Database> Fresh() {
  auto db = Database::Open(test::FreshDatabaseUrl());
  REQUIRE(db.ok());
  return std::move(db.value());
}

std::int64_t CountRows(Database& db, const std::string& sql) {
  std::int64_t n = -1;
  REQUIRE(ScanRows(db, sql, {}, [&](const ScanRow& r) {
            n = std::stoll(std::string(r.values[0]));
            return false;
          }).ok());
  return n;
}

Principal Clerk() {
  Principal p;
  p.id = "clerk-1";
  p.department = "SCJG";
  p.roles = {kRoleSupervisor};
  return p;
}

const std::string kDigest(64, 'b');

// A scratch table of the test's own, created outside any unit (the test is the host here).
void MakeScratch(Database& db) {
  const bool pg = db.dialect() == Dialect::kPostgresql;
  REQUIRE(db.ExecScript(std::string("CREATE TABLE scratch_parent (id TEXT PRIMARY KEY);"
                                    "CREATE TABLE scratch (id ") +
                        (pg ? "BIGSERIAL" : "INTEGER") +
                        " PRIMARY KEY, k TEXT UNIQUE, n BIGINT, r DOUBLE PRECISION, b BOOLEAN, t TEXT, "
                        "parent TEXT REFERENCES scratch_parent(id))")
              .ok());
}

}  // namespace

TEST_CASE("a unit of work commits its writes, audit records and events together", "[platform]") {
  auto db = Fresh();
  MakeScratch(*db);
  PlatformImpl platform;
  platform.Attach(db.get());
  const std::int64_t audit_before = CountRows(*db, "SELECT COUNT(*) FROM audit_log");
  const std::int64_t events_before = CountRows(*db, "SELECT COUNT(*) FROM events");

  std::int64_t seen_now = 0;
  Status st = platform.RunInTransaction(Clerk(), [&](UnitOfWork& uow) -> Status {
    seen_now = uow.now_us();
    CHECK(uow.principal().id == "clerk-1");
    auto n = uow.sql().Exec("INSERT INTO scratch(k, n, r, b, t) VALUES (?, ?, ?, ?, ?)",
                            {"a", std::numeric_limits<std::int64_t>::max(), 2.5, true, "中文 / text"});
    if (!n.ok()) return n.status();
    CHECK(n.value() == 1);
    if (auto s = uow.Audit({"scratch.add", "scratch", "a", "", kDigest}); !s.ok()) return s;
    return uow.Publish("scratch.added", "a", R"({"k": "a"})");
  });
  REQUIRE(st.ok());
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scratch") == 1);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM audit_log") == audit_before + 1);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM events") == events_before + 1);

  // Values come back as bound, through a read.
  st = platform.Read([&](Sql& sql) -> Status {
    return sql.Query("SELECT k, n, r, b, t, parent FROM scratch", {}, [&](const SqlRow& r) {
      CHECK(r.Text(0) == "a");
      CHECK(r.Int(1) == std::numeric_limits<std::int64_t>::max());
      CHECK(r.Real(2) == 2.5);
      CHECK(r.Bool(3));
      CHECK(r.Text(4) == "中文 / text");
      CHECK(r.IsNull(5));
      CHECK(r.Text(5).empty());
      return true;
    });
  });
  REQUIRE(st.ok());

  // The audit record names the principal and the unit's instant; the chain verifies.
  REQUIRE(ScanRows(*db, "SELECT actor, action, at_us FROM audit_log ORDER BY seq DESC", {}, [&](const ScanRow& r) {
            CHECK(r.values[0] == "clerk-1");
            CHECK(r.values[1] == "scratch.add");
            CHECK(std::stoll(std::string(r.values[2])) == seen_now);
            return false;
          }).ok());
  auto verify = VerifyAudit(*db);
  REQUIRE(verify.ok());
  CHECK(verify->ok);
  auto evs = ReadEvents(*db, 0, "scratch.", 10);
  REQUIRE(evs.ok());
  REQUIRE(evs->size() == 1);
  CHECK(evs->front().key == "a");
  CHECK(evs->front().at_us == seen_now);
}

TEST_CASE("a unit of work that fails, throws or adds a bad record keeps nothing", "[platform]") {
  auto db = Fresh();
  MakeScratch(*db);
  PlatformImpl platform;
  platform.Attach(db.get());
  const std::int64_t audit_before = CountRows(*db, "SELECT COUNT(*) FROM audit_log");
  const std::int64_t events_before = CountRows(*db, "SELECT COUNT(*) FROM events");
  auto write_then = [&](const std::function<Status(UnitOfWork&)>& tail) {
    return platform.RunInTransaction(Clerk(), [&](UnitOfWork& uow) -> Status {
      auto n = uow.sql().Exec("INSERT INTO scratch(k) VALUES (?)", {"x"});
      if (!n.ok()) return n.status();
      if (auto s = uow.Publish("scratch.added", "x", "{}"); !s.ok()) return s;
      return tail(uow);
    });
  };

  Status st = write_then([](UnitOfWork&) { return Status::Error(StatusCode::kConflict, "冲突", "conflict"); });
  CHECK(st.code() == StatusCode::kConflict);
  st = write_then([](UnitOfWork&) -> Status { throw std::runtime_error("boom"); });
  CHECK(st.code() == StatusCode::kInternal);
  CHECK_THAT(st.message(), Catch::Contains("boom"));
  st = write_then([](UnitOfWork& uow) { return uow.Audit({"scratch.add", "scratch", "x", "", "not-a-digest"}); });
  CHECK(st.code() == StatusCode::kInvalidArgument);
  st = write_then([](UnitOfWork& uow) { return uow.Audit({"", "scratch", "x", "", ""}); });
  CHECK(st.code() == StatusCode::kInvalidArgument);
  st = write_then([](UnitOfWork& uow) { return uow.Publish("scratch.added", "x", "[1, 2]"); });
  CHECK(st.code() == StatusCode::kInvalidArgument);
  st = write_then([](UnitOfWork& uow) { return uow.Publish("", "x", "{}"); });
  CHECK(st.code() == StatusCode::kInvalidArgument);
  st = write_then([](UnitOfWork& uow) { return uow.Publish("scratch.added", "x", std::string(1, '{')); });
  CHECK(st.code() == StatusCode::kInvalidArgument);

  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scratch") == 0);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM audit_log") == audit_before);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM events") == events_before);

  // The platform still works after all that.
  REQUIRE(write_then([](UnitOfWork&) { return Status::Ok(); }).ok());
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scratch") == 1);
}

TEST_CASE("constraint violations have their own codes, reads cannot write and units do not nest", "[platform]") {
  auto db = Fresh();
  MakeScratch(*db);
  PlatformImpl platform;
  platform.Attach(db.get());
  REQUIRE(platform.RunInTransaction(Clerk(), [](UnitOfWork& uow) -> Status {
                    return uow.sql().Exec("INSERT INTO scratch(k) VALUES (?)", {"dup"}).status();
                  }).ok());
  Status st = platform.RunInTransaction(Clerk(), [](UnitOfWork& uow) -> Status {
    return uow.sql().Exec("INSERT INTO scratch(k) VALUES (?)", {"dup"}).status();
  });
  CHECK(st.code() == StatusCode::kAlreadyExists);
  CHECK_THAT(st.message(), Catch::Contains("INSERT INTO scratch"));
  st = platform.RunInTransaction(Clerk(), [](UnitOfWork& uow) -> Status {
    return uow.sql().Exec("INSERT INTO scratch(k, parent) VALUES (?, ?)", {"orphan", "no-such-parent"}).status();
  });
  CHECK(st.code() == StatusCode::kFailedPrecondition);
  st = platform.RunInTransaction(Clerk(), [](UnitOfWork& uow) -> Status {
    return uow.sql().Exec("INSERT INTO no_such_table(k) VALUES (?)", {"x"}).status();
  });
  CHECK(st.code() == StatusCode::kInternal);

  // A read gets a read-only Sql.
  st = platform.Read([](Sql& sql) -> Status {
    auto n = sql.Exec("DELETE FROM scratch");
    CHECK(n.status().code() == StatusCode::kFailedPrecondition);
    auto b = sql.BulkInsert("scratch", {"k"});
    CHECK(b.status().code() == StatusCode::kFailedPrecondition);
    auto c = sql.QueryInt("SELECT COUNT(*) FROM scratch");
    REQUIRE(c.ok());
    CHECK(c.value() == 1);
    auto missing = sql.QueryText("SELECT k FROM scratch WHERE k = ?", {"none"});
    REQUIRE(missing.ok());
    CHECK(!missing.value().has_value());
    auto exists = sql.Exists("SELECT 1 FROM scratch WHERE k = ?", {"dup"});
    REQUIRE(exists.ok());
    CHECK(exists.value());
    return Status::Ok();
  });
  REQUIRE(st.ok());

  // No unit inside a unit or a read, and no read inside a unit.
  st = platform.RunInTransaction(Clerk(), [&](UnitOfWork&) -> Status {
    Status inner = platform.RunInTransaction(Clerk(), [](UnitOfWork&) { return Status::Ok(); });
    CHECK(inner.code() == StatusCode::kFailedPrecondition);
    Status read = platform.Read([](Sql&) { return Status::Ok(); });
    CHECK(read.code() == StatusCode::kFailedPrecondition);
    return Status::Ok();
  });
  REQUIRE(st.ok());
  st = platform.Read([&](Sql&) -> Status {
    return platform.RunInTransaction(Clerk(), [](UnitOfWork&) { return Status::Ok(); });
  });
  CHECK(st.code() == StatusCode::kFailedPrecondition);

  // An anonymous caller cannot write; without a database nothing runs.
  st = platform.RunInTransaction(Principal::Anonymous(), [](UnitOfWork&) { return Status::Ok(); });
  CHECK(st.code() == StatusCode::kUnauthenticated);
  PlatformImpl detached;
  CHECK(detached.RunInTransaction(Clerk(), [](UnitOfWork&) { return Status::Ok(); }).code() ==
        StatusCode::kFailedPrecondition);
  CHECK(detached.Read([](Sql&) { return Status::Ok(); }).code() == StatusCode::kFailedPrecondition);
  CHECK(!detached.Dialect().ok());
}

TEST_CASE("bulk inserts write many rows in a unit and refuse bad identifiers and rows", "[platform]") {
  auto db = Fresh();
  MakeScratch(*db);
  PlatformImpl platform;
  platform.Attach(db.get());
  Status st = platform.RunInTransaction(Clerk(), [](UnitOfWork& uow) -> Status {
    CHECK(uow.sql().BulkInsert("scratch; DROP TABLE scratch", {"k"}).status().code() == StatusCode::kInvalidArgument);
    CHECK(uow.sql().BulkInsert("scratch", {"k\"x"}).status().code() == StatusCode::kInvalidArgument);
    CHECK(uow.sql().BulkInsert("scratch", {}).status().code() == StatusCode::kInvalidArgument);
    auto w = uow.sql().BulkInsert("scratch", {"k", "n", "t"});
    if (!w.ok()) return w.status();
    CHECK(w.value()->Add({"too few"}).code() == StatusCode::kInvalidArgument);
    for (int i = 0; i < 20000; ++i) {
      if (auto s = w.value()->Add({"k" + std::to_string(i), i, i % 7 == 0 ? SqlValue() : SqlValue("t'\"\\\t\n")}); !s.ok())
        return s;
    }
    return w.value()->Finish();
  });
  REQUIRE(st.ok());
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scratch") == 20000);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scratch WHERE t IS NULL") == (20000 + 6) / 7);
  CHECK(CountRows(*db, "SELECT SUM(n) FROM scratch") == 19999LL * 20000 / 2);
  REQUIRE(ScanRows(*db, "SELECT t FROM scratch WHERE k = 'k1'", {}, [](const ScanRow& r) {
            CHECK(r.values[0] == "t'\"\\\t\n");
            return false;
          }).ok());
}

namespace {

// A plugin folder with migrations for the current dialect, written by the test.
std::string MigrationFolder(Database& db, const std::vector<std::pair<std::string, std::string>>& files) {
  const std::string dir = test::TempDir() + "/plugin";
  const std::string sub = dir + "/migrations/" + (db.dialect() == Dialect::kSqlite ? "sqlite" : "postgresql");
  fs::create_directories(sub);
  for (const auto& [name, sql] : files) test::WriteFile(sub + "/" + name, sql);
  return dir;
}

}  // namespace

TEST_CASE("plugin migrations apply once, are recorded per owner and refuse changes and newer databases",
          "[platform][migrations]") {
  auto db = Fresh();
  const std::string dir = MigrationFolder(
      *db, {{"001_first.sql", "CREATE TABLE mig_a (id TEXT PRIMARY KEY);"},
            {"002_second.sql", "CREATE TABLE mig_b (id TEXT PRIMARY KEY);\nINSERT INTO mig_b(id) VALUES ('seed');"}});
  auto ms = ReadPluginMigrations(dir, "mig", db->dialect());
  REQUIRE(ms.ok());
  REQUIRE(ms->size() == 2);
  CHECK(ms->at(1).name == "002_second");

  auto rep = ApplyPluginMigrations(*db, ms.value());
  REQUIRE(rep.ok());
  CHECK(rep->applied == 2);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM mig_b") == 1);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM plugin_migrations WHERE owner = 'mig'") == 2);
  // Again: nothing to do; another owner with the same version numbers is separate.
  rep = ApplyPluginMigrations(*db, ms.value());
  REQUIRE(rep.ok());
  CHECK(rep->applied == 0);
  std::vector<PluginMigration> other = ms.value();
  for (PluginMigration& m : other) {
    m.owner = "other";
    m.sql = m.version == 1 ? "CREATE TABLE other_a (id TEXT);" : "CREATE TABLE other_b (id TEXT);";
  }
  rep = ApplyPluginMigrations(*db, other);
  REQUIRE(rep.ok());
  CHECK(rep->applied == 2);

  // A changed file is refused, naming the plugin and the migration; nothing runs.
  std::vector<PluginMigration> changed = ms.value();
  changed[0].sql += "\n-- edited";
  changed.push_back({"mig", 3, "003_third", "CREATE TABLE mig_c (id TEXT);", ""});
  rep = ApplyPluginMigrations(*db, changed);
  REQUIRE(!rep.ok());
  CHECK(rep.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(rep.status().message(), Catch::Contains("mig") && Catch::Contains("001_first"));
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM plugin_migrations WHERE owner = 'mig'") == 2);

  // A plugin older than its data is refused.
  std::vector<PluginMigration> older(ms.value().begin(), ms.value().begin() + 1);
  rep = ApplyPluginMigrations(*db, older);
  REQUIRE(!rep.ok());
  CHECK(rep.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(rep.status().message(), Catch::Contains("upgrade the plugin"));

  // A failing migration is rolled back whole; those before it stay.
  std::vector<PluginMigration> failing = ms.value();
  failing.push_back({"mig", 3, "003_ok", "CREATE TABLE mig_c (id TEXT);", ""});
  failing.push_back({"mig", 4, "004_bad", "CREATE TABLE mig_d (id TEXT);\nINSERT INTO no_such_table VALUES (1);", ""});
  rep = ApplyPluginMigrations(*db, failing);
  REQUIRE(!rep.ok());
  CHECK(rep.status().code() == StatusCode::kInternal);
  CHECK_THAT(rep.status().message(), Catch::Contains("004_bad"));
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM plugin_migrations WHERE owner = 'mig'") == 3);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM mig_c") == 0);
  CHECK(!ScanRows(*db, "SELECT COUNT(*) FROM mig_d", {}, [](const ScanRow&) { return false; }).ok());
}

TEST_CASE("a plugin migration that adopts a core migration is recorded without running where that one ran",
          "[platform][migrations]") {
  auto db = Fresh();
  // A database made before the draw tables moved into the draw plugin: the core's migration
  // 002_draws ran there, and its tables exist.
  REQUIRE(db->ExecScript("CREATE TABLE draw_tasks (x TEXT); INSERT INTO schema_migrations(version, name, checksum, "
                         "applied_at_us) VALUES (2, '002_draws', 'legacy', 0)")
              .ok());
  std::vector<PluginMigration> ms{{"adopter", 1, "001_draws", "-- xinjian: adopts core 002_draws\nCREATE TABLE draw_tasks (x TEXT);", "002_draws"},
                                  {"adopter", 2, "002_more", "CREATE TABLE adopter_more (x TEXT);", ""}};
  auto rep = ApplyPluginMigrations(*db, ms);
  REQUIRE(rep.ok());
  CHECK(rep->adopted == 1);
  CHECK(rep->applied == 1);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM plugin_migrations WHERE owner = 'adopter' AND adopted") == 1);
  // Adopting a core migration that never ran runs it.
  std::vector<PluginMigration> fresh{{"runner", 1, "001_x", "CREATE TABLE runner_x (x TEXT);", "099_never"}};
  rep = ApplyPluginMigrations(*db, fresh);
  REQUIRE(rep.ok());
  CHECK(rep->applied == 1);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM runner_x") == 0);
}

TEST_CASE("migration folders with bad names, gaps or oversized files are refused naming the file",
          "[platform][migrations]") {
  auto db = Fresh();
  auto expect_bad = [&](const std::vector<std::pair<std::string, std::string>>& files, const std::string& needle) {
    const std::string dir = MigrationFolder(*db, files);
    auto ms = ReadPluginMigrations(dir, "bad", db->dialect());
    REQUIRE(!ms.ok());
    CHECK(ms.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(ms.status().message(), Catch::Contains(needle));
  };
  expect_bad({{"001_a.sql", "SELECT 1;"}, {"003_c.sql", "SELECT 1;"}}, "003_c.sql");
  expect_bad({{"001_a.sql", "SELECT 1;"}, {"1_b.sql", "SELECT 1;"}}, "1_b.sql");
  expect_bad({{"001_a.sql", "SELECT 1;"}, {"001_b.sql", "SELECT 1;"}}, "001_b.sql");
  expect_bad({{"001_a.txt", "SELECT 1;"}}, "001_a.txt");
  expect_bad({{"001_a.sql", std::string((4u << 20) + 1, '-')}}, "4 MiB");
  // No folder: no migrations.
  auto none = ReadPluginMigrations(test::TempDir(), "none", db->dialect());
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("a writing subscriber's writes, audit records, events and position commit together", "[platform][events]") {
  auto db = Fresh();
  HostOptions o;
  o.search_dirs = {std::string(XJ_TEST_PLUGIN_DIR) + "/notes"};
  o.required = {"xj-test-notes"};
  PluginHost host(o);
  REQUIRE(host.LoadAll().ok());
  REQUIRE(host.records().size() == 1);
  INFO(host.records()[0].error);  // the plugin checks AddCommand's refusals in its init
  REQUIRE(host.records()[0].state == "loaded");
  REQUIRE(host.writing_subscribers().count("notes") == 1);
  // Its commands are registered under their paths, with the plugin's name.
  REQUIRE(host.commands().size() == 2);
  CHECK(host.commands().at("notes add").plugin == "xj-test-notes");
  CHECK(host.commands().at("notes add").spec.options.size() == 3);
  CHECK(!host.commands().at("notes check").spec.needs_database);
  CHECK(host.records()[0].registered.at("command") == std::vector<std::string>{"notes add", "notes check"});
  auto ms = host.Migrations(db->dialect());
  REQUIRE(ms.ok());
  REQUIRE(ms->size() == 1);
  REQUIRE(ApplyPluginMigrations(*db, ms.value()).ok());

  PlatformImpl& platform = host.platform();
  platform.Attach(db.get());
  auto add = [&](const std::string& payload) {
    REQUIRE(platform.RunInTransaction(Clerk(), [&](UnitOfWork& uow) { return uow.Publish("notes.add", "n", payload); }).ok());
  };
  add(R"({"text": "one"})");
  add(R"({"text": "two", "fail": true})");
  add(R"({"text": "three"})");
  std::map<std::string, WritingSubscriber*> subs{{"notes", host.writing_subscribers().at("notes").get()}};

  auto rep = DispatchWritingEvents(platform, subs);
  REQUIRE(rep.ok());
  CHECK(rep->delivered == 1);
  REQUIRE(rep->failures.size() == 1);
  CHECK_THAT(rep->failures[0], Catch::Contains("failing as asked"));
  // The failed event's insert was rolled back with it; the position stays before it.
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM xj_test_notes") == 1);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM events WHERE topic = 'notes.added'") == 1);
  const std::int64_t pos = CountRows(*db, "SELECT position FROM event_positions WHERE subscriber = 'notes'");
  CHECK(pos == CountRows(*db, "SELECT MIN(id) FROM events WHERE topic = 'notes.add'"));
  // Offered again: it fails again, nothing changes.
  rep = DispatchWritingEvents(platform, subs);
  REQUIRE(rep.ok());
  CHECK(rep->delivered == 0);
  CHECK(CountRows(*db, "SELECT position FROM event_positions WHERE subscriber = 'notes'") == pos);
  // The audit record of the delivered event names the subscriber's system principal.
  REQUIRE(ScanRows(*db, "SELECT actor FROM audit_log WHERE action = 'notes.add'", {}, [](const ScanRow& r) {
            CHECK(r.values[0] == "subscriber:notes");
            return true;
          }).ok());
  auto verify = VerifyAudit(*db);
  REQUIRE(verify.ok());
  CHECK(verify->ok);
  platform.Attach(nullptr);
}

namespace {

// Waits until `count` reaches `want` or `limit` passes; true when it did.
bool AwaitCount(const std::atomic<int>& count, int want, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (count.load() < want) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A new database of the current backend with the scratch tables, and `connections` more
// connections to it for a pool.
struct PoolWorld {
  std::string url = test::FreshDatabaseUrl();
  std::unique_ptr<Database> db;
  PoolWorld() {
    auto opened = Database::Open(url);
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    MakeScratch(*db);
  }
  std::vector<std::unique_ptr<Database>> Connections(int connections) const {
    std::vector<std::unique_ptr<Database>> out;
    for (int i = 0; i < connections; ++i) {
      auto c = Database::Open(url, {.migrate = false, .create = false, .require_schema = true});
      REQUIRE(c.ok());
      out.push_back(std::move(c).value());
    }
    return out;
  }
};

}  // namespace

TEST_CASE("a pool runs reads of several threads at once, and units of work keep one audit chain", "[platform][pool]") {
  PoolWorld world;
  std::unique_ptr<Database>& db = world.db;
  const bool pg = db->dialect() == Dialect::kPostgresql;
  PlatformImpl platform;
  platform.Attach(db.get());
  platform.SetPool(world.Connections(3));
  CHECK(platform.pool_size() == 3);

  // Three reads are inside their callbacks at the same time: each waits for the other two.
  // One connection would run them one after the other, and the first would wait in vain.
  std::atomic<int> inside{0};
  std::atomic<int> met{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i)
    readers.emplace_back([&] {
      Status st = platform.Read([&](Sql& sql) -> Status {
        ++inside;
        if (AwaitCount(inside, 3, std::chrono::seconds(30))) ++met;
        return sql.QueryInt("SELECT COUNT(*) FROM scratch").status();
      });
      CHECK(st.ok());
    });
  for (auto& t : readers) t.join();
  CHECK(met.load() == 3);

  // While the attached connection is held (as serve's event delivery holds it), reads still
  // run, on the pool.
  {
    auto held = platform.Lock();
    std::atomic<int> done{0};
    std::thread reader([&] {
      if (platform.Read([](Sql& sql) { return sql.QueryInt("SELECT 1").status(); }).ok()) ++done;
    });
    CHECK(AwaitCount(done, 1, std::chrono::seconds(30)));
    reader.join();
  }

  // Units of work from four threads at once: every one commits, and the audit chain has each
  // record once, in one unbroken chain (PostgreSQL runs them on the pool, SQLite one at a
  // time on the attached connection).
  const std::int64_t audit_before = CountRows(*db, "SELECT COUNT(*) FROM audit_log");
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < 20; ++i) {
        const std::string k = std::to_string(w) + "-" + std::to_string(i);
        Status st = platform.RunInTransaction(Clerk(), [&](UnitOfWork& uow) -> Status {
          auto n = uow.sql().Exec("INSERT INTO scratch(k, n) VALUES (?, ?)", {k, std::int64_t{i}});
          if (!n.ok()) return n.status();
          return uow.Audit({"scratch.add", "scratch", k, "", kDigest});
        });
        if (!st.ok()) {
          ++failed;
          UNSCOPED_INFO(st.message());
        }
      }
    });
  for (auto& t : writers) t.join();
  CHECK(failed.load() == 0);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scratch") == 80);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM audit_log") == audit_before + 80);
  auto verify = VerifyAudit(*db);
  REQUIRE(verify.ok());
  CHECK(verify->ok);
  // A read on the pool sees every committed unit.
  auto seen = ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM scratch"); });
  REQUIRE(seen.ok());
  CHECK(seen.value() == 80);

  // On PostgreSQL a unit of work runs on the pool too: it commits while the attached
  // connection is held. On SQLite it waits for it.
  {
    auto held = platform.Lock();
    std::atomic<int> done{0};
    std::thread writer([&] {
      Status st = platform.RunInTransaction(Clerk(), [](UnitOfWork& uow) -> Status {
        return uow.sql().Exec("INSERT INTO scratch(k, n) VALUES ('held', 1)").status();
      });
      if (st.ok()) ++done;
    });
    if (pg) {
      CHECK(AwaitCount(done, 1, std::chrono::seconds(30)));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      CHECK(done.load() == 0);  // a unit cannot end while the lock is held, whatever the timing
    }
    held.unlock();
    writer.join();
    CHECK(done.load() == 1);
  }

  // Nested calls are refused on the pool as on the attached connection.
  Status nested = platform.Read([&](Sql&) { return platform.Read([](Sql&) { return Status::Ok(); }); });
  CHECK(nested.code() == StatusCode::kFailedPrecondition);

  // Without the pool, everything runs on the attached connection again.
  platform.SetPool({});
  CHECK(platform.pool_size() == 0);
  auto after = ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM scratch"); });
  REQUIRE(after.ok());
  CHECK(after.value() == 81);
  platform.Attach(nullptr);
}

TEST_CASE("a read sees one snapshot, ends cleanly without statements or after a failed one", "[platform][pool]") {
  PoolWorld world;
  const std::string& url = world.url;
  PlatformImpl platform;
  platform.Attach(world.db.get());
  for (const bool pooled : {false, true}) {
    INFO("pool: " << pooled);
    if (pooled) platform.SetPool(world.Connections(1));
    const std::string tag = pooled ? "p" : "a";
    // A unit of work commits between the read's two statements (on a connection of its own,
    // as another node's would): the second still sees what the first saw.
    auto other_db = Database::Open(url, {.migrate = false, .create = false, .require_schema = true});
    REQUIRE(other_db.ok());
    PlatformImpl other;
    other.Attach(other_db.value().get());
    std::int64_t first = -1, second = -1;
    Status st = platform.Read([&](Sql& sql) -> Status {
      auto n = sql.QueryInt("SELECT COUNT(*) FROM scratch");
      if (!n.ok()) return n.status();
      first = n.value();
      std::thread writer([&] {
        CHECK(other.RunInTransaction(Clerk(), [&](UnitOfWork& uow) -> Status {
          return uow.sql().Exec("INSERT INTO scratch(k, n) VALUES (?, 1)", {"snap-" + tag}).status();
        }).ok());
      });
      writer.join();
      auto m = sql.QueryInt("SELECT COUNT(*) FROM scratch");
      if (!m.ok()) return m.status();
      second = m.value();
      return Status::Ok();
    });
    other.Attach(nullptr);
    REQUIRE(st.ok());
    CHECK(second == first);
    auto now = ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM scratch"); });
    REQUIRE(now.ok());
    CHECK(now.value() == first + 1);

    // A read that runs nothing, and one whose first statement fails: the next reads and units
    // of work on the same connection go on normally.
    CHECK(platform.Read([](Sql&) { return Status::Ok(); }).ok());
    Status bad = platform.Read([](Sql& sql) { return sql.QueryInt("SELECT no_such_column FROM scratch").status(); });
    CHECK(bad.code() == StatusCode::kInternal);
    CHECK(bad.message().find("no_such_column") != std::string::npos);
    auto again = ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM scratch"); });
    REQUIRE(again.ok());
    CHECK(again.value() == first + 1);
    CHECK(platform.RunInTransaction(Clerk(), [&](UnitOfWork& uow) -> Status {
      return uow.sql().Exec("INSERT INTO scratch(k, n) VALUES (?, 2)", {"after-" + tag}).status();
    }).ok());
    // Many short reads in a row (each COMMIT answered by the next read) stay consistent.
    for (int i = 0; i < 200; ++i) {
      auto n = ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM scratch"); });
      REQUIRE(n.ok());
      REQUIRE(n.value() == first + 2);
    }
  }
  platform.SetPool({});
  platform.Attach(nullptr);
}

TEST_CASE("a pooled connection the server dropped is connected again for the next call", "[platform][pool]") {
  PoolWorld world;
  std::unique_ptr<Database>& db = world.db;
  if (db->dialect() != Dialect::kPostgresql) {
    SUCCEED("SQLite has no server to drop a connection");
    return;
  }
  PlatformImpl platform;
  platform.Attach(db.get());
  platform.SetPool(world.Connections(1));
  const auto backend = [&] {
    return ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT pg_backend_pid()"); });
  };
  auto before = backend();
  REQUIRE(before.ok());
  // The server ends the pool's backend (as a restart would), and has ended it when this
  // returns (the timeout form waits for the backend to exit: PostgreSQL 14 and later).
  REQUIRE(db->ExecScript("SELECT pg_terminate_backend(" + std::to_string(before.value()) + ", 30000)").ok());
  // The call that finds it gone fails with a clear error; the ones after it are served on a
  // new connection, reads and units of work alike.
  Status found = platform.Read([](Sql& sql) { return sql.QueryInt("SELECT 1").status(); });
  CHECK_FALSE(found.ok());
  auto after = backend();
  REQUIRE(after.ok());
  CHECK(after.value() != before.value());
  CHECK(platform.RunInTransaction(Clerk(), [](UnitOfWork& uow) -> Status {
    return uow.sql().Exec("INSERT INTO scratch(k, n) VALUES ('revived', 1)").status();
  }).ok());
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scratch WHERE k = 'revived'") == 1);
  platform.SetPool({});
  platform.Attach(nullptr);
}

TEST_CASE("a single-statement read runs one query by itself, read-only, and leaves its connection clean",
          "[platform][pool]") {
  PoolWorld world;
  const bool pg = world.db->dialect() == Dialect::kPostgresql;
  PlatformImpl platform;
  platform.Attach(world.db.get());
  auto count = [&] {
    return ReadSingleValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM scratch"); });
  };
  std::int64_t rows = 0;
  for (const bool pooled : {false, true}) {
    INFO("pool: " << pooled);
    if (pooled) platform.SetPool(world.Connections(1));
    REQUIRE(platform.RunInTransaction(Clerk(), [&](UnitOfWork& uow) -> Status {
      return uow.sql().Exec("INSERT INTO scratch(k, n) VALUES (?, 1)", {pooled ? "single-p" : "single-a"}).status();
    }).ok());
    ++rows;
    // It sees what was committed.
    auto n = count();
    REQUIRE(n.ok());
    CHECK(n.value() == rows);
    // One query only: the second is refused without running; writes are refused as in Read.
    bool second_ran = false;
    Status two = platform.ReadSingle([&](Sql& sql) -> Status {
      if (auto a = sql.QueryInt("SELECT COUNT(*) FROM scratch"); !a.ok()) return a.status();
      Status b = sql.Query("SELECT k FROM scratch", {}, [&](const SqlRow&) {
        second_ran = true;
        return true;
      });
      return b;
    });
    CHECK(two.code() == StatusCode::kFailedPrecondition);
    CHECK(two.message().find("ReadSingle") != std::string::npos);
    CHECK_FALSE(second_ran);
    Status write = platform.ReadSingle([](Sql& sql) { return sql.Exec("DELETE FROM scratch").status(); });
    CHECK(write.code() == StatusCode::kFailedPrecondition);
    // A statement that writes through a query is refused by the database (PostgreSQL: a READ
    // ONLY transaction; SQLite has no writing WITH).
    Status cte = platform.ReadSingle([](Sql& sql) {
      return sql.QueryInt("WITH d AS (DELETE FROM scratch RETURNING id) SELECT COUNT(*) FROM d").status();
    });
    CHECK_FALSE(cte.ok());
    if (pg) CHECK(cte.message().find("read-only") != std::string::npos);
    // A statement that fails: its error, then the connection serves the next calls normally.
    Status bad = platform.ReadSingle([](Sql& sql) { return sql.QueryInt("SELECT no_such_column FROM scratch").status(); });
    CHECK(bad.code() == StatusCode::kInternal);
    CHECK(bad.message().find("no_such_column") != std::string::npos);
    n = count();
    REQUIRE(n.ok());
    CHECK(n.value() == rows);
    auto in_read = ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM scratch"); });
    REQUIRE(in_read.ok());
    CHECK(in_read.value() == rows);
    REQUIRE(platform.RunInTransaction(Clerk(), [&](UnitOfWork& uow) -> Status {
      return uow.sql().Exec("INSERT INTO scratch(k, n) VALUES (?, 2)", {pooled ? "after-p" : "after-a"}).status();
    }).ok());
    ++rows;
    for (int i = 0; i < 100; ++i) {
      n = count();
      REQUIRE(n.ok());
      REQUIRE(n.value() == rows);
    }
    // Not inside a unit of work (as Read).
    Status nested = platform.RunInTransaction(Clerk(), [&](UnitOfWork&) { return platform.ReadSingle([](Sql&) { return Status::Ok(); }); });
    CHECK(nested.code() == StatusCode::kFailedPrecondition);
  }
  platform.SetPool({});
  platform.Attach(nullptr);
}

TEST_CASE("statements prepared on a connection survive failures, changed tables and many texts", "[platform][pool]") {
  PoolWorld world;
  Database& db = *world.db;
  auto other = world.Connections(1);
  auto columns = [&](Database& on) -> Result<std::size_t> {
    std::size_t cols = 0;
    Status st = ScanRows(on, "SELECT * FROM scratch_parent", {}, [&](const ScanRow& r) {
      cols = r.values.size();
      return false;
    });
    if (!st.ok()) return st;
    return cols;
  };
  REQUIRE(db.ExecScript("INSERT INTO scratch_parent(id) VALUES ('p1')").ok());
  for (int i = 0; i < 3; ++i) {
    auto c = columns(db);
    REQUIRE(c.ok());
    CHECK(c.value() == 1);
  }
  // Another connection changes the table's shape: PostgreSQL refuses the plan prepared before
  // it once ("cached plan must not change result type"); the statement is prepared again and
  // the next run sees the new column. SQLite prepares again by itself.
  REQUIRE(other[0]->ExecScript("ALTER TABLE scratch_parent ADD COLUMN note TEXT").ok());
  auto c = columns(db);
  if (!c.ok()) c = columns(db);
  REQUIRE(c.ok());
  CHECK(c.value() == 2);

  // A statement that does not prepare (a syntax error) is an error with the database's words,
  // and prepares nothing: the connection goes on.
  Status syntax = ScanRows(db, "SELEC 1", {}, [](const ScanRow&) { return true; });
  CHECK(syntax.code() == StatusCode::kInternal);
  CHECK(syntax.message().find("SELEC") != std::string::npos);
  CHECK(CountRows(db, "SELECT COUNT(*) FROM scratch_parent") == 1);

  // In a transaction that failed, a new text cannot be prepared; it is prepared later.
  PlatformImpl platform;
  platform.Attach(&db);
  Status in_failed;
  Status failed = platform.RunInTransaction(Clerk(), [&](UnitOfWork& uow) -> Status {
    (void)uow.sql().QueryInt("SELECT no_such_column FROM scratch");
    in_failed = uow.sql().QueryInt("SELECT 42 + COUNT(*) FROM scratch_parent").status();
    return Status::Error(StatusCode::kInvalidArgument, "回滚", "roll back");
  });
  CHECK(failed.code() == StatusCode::kInvalidArgument);
  if (db.dialect() == Dialect::kPostgresql) CHECK_FALSE(in_failed.ok());  // the transaction is aborted
  auto fresh = ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT 42 + COUNT(*) FROM scratch_parent"); });
  REQUIRE(fresh.ok());
  CHECK(fresh.value() == 43);

  // More texts than the connection keeps prepared, and statements with many parameters: all
  // run, the first ones again too.
  for (int i = 0; i < 300; ++i) {
    auto v = ReadValue<std::int64_t>(platform, [&](Sql& sql) {
      return sql.QueryInt("SELECT " + std::to_string(i) + " + COUNT(*) FROM scratch_parent WHERE id = ?", {"p1"});
    });
    REQUIRE(v.ok());
    REQUIRE(v.value() == i + 1);
  }
  auto first = ReadValue<std::int64_t>(platform, [&](Sql& sql) {
    return sql.QueryInt("SELECT 0 + COUNT(*) FROM scratch_parent WHERE id = ?", {"p1"});
  });
  REQUIRE(first.ok());
  CHECK(first.value() == 1);
  SqlParams many;
  std::string in;
  for (int i = 0; i < 40; ++i) {
    many.push_back(i == 39 ? std::string("p1") : "x" + std::to_string(i));
    in += i ? ", ?" : "?";
  }
  auto wide = ReadValue<std::int64_t>(platform, [&](Sql& sql) {
    return sql.QueryInt("SELECT COUNT(*) FROM scratch_parent WHERE id IN (" + in + ")", many);
  });
  REQUIRE(wide.ok());
  CHECK(wide.value() == 1);
  platform.Attach(nullptr);
}
