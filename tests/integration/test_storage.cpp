// Storage: migrations, refusal of newer schemas, connection settings. Runs on both backends.
#include <catch2/catch.hpp>
#include <soci/soci.h>

#include "database.h"
#include "test_support.h"

using namespace xj;

TEST_CASE("opening a new database applies every migration once", "[storage]") {
  std::string url = test::FreshDatabaseUrl();
  {
    auto db = Database::Open(url);
    REQUIRE(db.ok());
    auto v = db.value()->SchemaVersion();
    REQUIRE(v.ok());
    CHECK(v.value() == Database::KnownSchemaVersion());
    CHECK(Database::KnownSchemaVersion() >= 1);
  }
  auto db = Database::Open(url);
  REQUIRE(db.ok());
  auto again = db.value()->Migrate();
  REQUIRE(again.ok());
  CHECK(again.value() == 0);
  // One row per core migration, the newest the binary's. The numbers have gaps: the tables of
  // 002, 003, 005, 006 and 007 moved into the draw and inspection plugins' own migrations.
  long long n = 0, distinct = 0, newest = 0;
  db.value()->session() << "SELECT count(*), count(DISTINCT version), max(version) FROM schema_migrations", soci::into(n),
      soci::into(distinct), soci::into(newest);
  CHECK(n == distinct);
  CHECK(n >= 1);
  CHECK(newest == Database::KnownSchemaVersion());
}

TEST_CASE("a database with a newer schema is refused", "[storage]") {
  std::string url = test::FreshDatabaseUrl();
  {
    auto db = Database::Open(url);
    REQUIRE(db.ok());
    db.value()->session() << "INSERT INTO schema_migrations(version, name, checksum, applied_at_us) VALUES (999, 'future', 'x', 0)";
  }
  auto db = Database::Open(url);
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(db.status().message(), Catch::Contains("999") && Catch::Contains("upgrade xinjian"));
  // The command line says the same and fails.
  auto r = test::RunCli({"--db", url, "init"});
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("newer than this binary"));
}

TEST_CASE("database URLs are parsed and passwords hidden", "[storage]") {
  auto s = ParseDbUrl("sqlite:/tmp/x.db");
  REQUIRE(s.ok());
  CHECK(s->dialect == Dialect::kSqlite);
  CHECK(s->sqlite_path == "/tmp/x.db");
  auto p = ParseDbUrl("postgresql://u:secret@localhost:5432/db");
  REQUIRE(p.ok());
  CHECK(p->dialect == Dialect::kPostgresql);
  CHECK(p->display.find("secret") == std::string::npos);
  CHECK_FALSE(ParseDbUrl("mysql://x").ok());
  CHECK_FALSE(ParseDbUrl("sqlite:").ok());
}

TEST_CASE("SQLite runs in WAL mode with foreign keys and a busy timeout", "[storage][sqlite-only]") {
  if (test::Backend() != "sqlite") {
    SUCCEED("PostgreSQL has no such settings");
    return;
  }
  auto db = Database::Open(test::FreshDatabaseUrl());
  REQUIRE(db.ok());
  std::string mode;
  int fk = 0, timeout = 0;
  db.value()->session() << "PRAGMA journal_mode", soci::into(mode);
  db.value()->session() << "PRAGMA foreign_keys", soci::into(fk);
  db.value()->session() << "PRAGMA busy_timeout", soci::into(timeout);
  CHECK(mode == "wal");
  CHECK(fk == 1);
  CHECK(timeout >= 5000);
}

TEST_CASE("a write transaction rolls back unless committed", "[storage]") {
  auto db = Database::Open(test::FreshDatabaseUrl());
  REQUIRE(db.ok());
  {
    WriteTransaction tx(*db.value());
    REQUIRE(tx.Begin().ok());
    db.value()->session() << "INSERT INTO departments(code, name, level, jurisdiction, digest, updated_at_us) "
                             "VALUES ('X', 'x', 'city', '', 'd', 1)";
  }
  long long n = -1;
  db.value()->session() << "SELECT count(*) FROM departments", soci::into(n);
  CHECK(n == 0);
}
