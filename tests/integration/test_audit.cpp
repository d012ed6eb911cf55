// The tamper-evident audit log: a record edited or removed behind the platform's back (with
// the database's own shell) is found by `xinjian audit verify`, which names it.
#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <sstream>

#include "database.h"
#include "generator.h"
#include "importer.h"
#include "journal.h"
#include "test_support.h"

using namespace xj;

namespace {
// Runs SQL with the backend's own shell (sqlite3 or psql), as an intruder would.
void Tamper(const std::string& url, const std::string& sql) {
  std::string cmd;
  if (url.rfind("sqlite:", 0) == 0) {
    cmd = "sqlite3 '" + url.substr(7) + "' \"" + sql + "\"";
  } else {
    cmd = "psql -q -X -v ON_ERROR_STOP=1 '" + url + "' -c \"" + sql + "\"";
  }
  auto r = test::RunShell(cmd);
  INFO(cmd << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
}

std::string DisableGuard(const std::string& url) {
  return url.rfind("sqlite:", 0) == 0 ? "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; "
                                      : "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change; ";
}

std::string Loaded(int rows) {
  std::string url = test::FreshDatabaseUrl();
  auto db = Database::Open(url);
  REQUIRE(db.ok());
  gen::Options o;
  o.count = static_cast<std::uint64_t>(rows);
  std::ostringstream out;
  REQUIRE(gen::WriteCsv("subjects", o, out).ok());
  std::string path = test::TempDir() + "/s.csv";
  test::WriteFile(path, out.str());
  ImportOptions io;
  io.kind = DirectoryKind::kSubjects;
  io.path = path;
  io.chunk_rows = 7;
  REQUIRE(ImportFile(*db.value(), io).ok());
  return url;
}
}  // namespace

TEST_CASE("audit verify passes on an untouched chain", "[audit]") {
  std::string url = Loaded(30);
  auto r = test::RunCli({"--db", url, "audit", "verify", "--json"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("\"ok\":true") && Catch::Contains("\"records\":30"));
}

TEST_CASE("the audit log refuses updates and deletes through SQL", "[audit]") {
  std::string url = Loaded(3);
  auto db = Database::Open(url);
  REQUIRE(db.ok());
  CHECK_THROWS(db.value()->session() << "UPDATE audit_log SET actor = 'x' WHERE seq = 1");
  CHECK_THROWS(db.value()->session() << "DELETE FROM audit_log WHERE seq = 1");
}

TEST_CASE("an edited audit record is found and named", "[audit]") {
  std::string url = Loaded(30);
  Tamper(url, DisableGuard(url) + "UPDATE audit_log SET actor = 'mallory' WHERE seq = 17;");
  auto r = test::RunCli({"--db", url, "audit", "verify"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("#17") && Catch::Contains("altered"));
  auto db = Database::Open(url);
  REQUIRE(db.ok());
  auto v = VerifyAudit(*db.value());
  REQUIRE(v.ok());
  CHECK_FALSE(v->ok);
  CHECK(v->first_bad_seq == 17);
}

TEST_CASE("an edited digest with a recomputed hash breaks the next link", "[audit]") {
  std::string url = Loaded(30);
  // The intruder changes a digest and the record's own hash, but cannot fix the chain.
  Tamper(url, DisableGuard(url) + "UPDATE audit_log SET after_digest = 'ff', hash = 'aa' WHERE seq = 5;");
  auto db = Database::Open(url);
  REQUIRE(db.ok());
  auto v = VerifyAudit(*db.value());
  REQUIRE(v.ok());
  CHECK_FALSE(v->ok);
  CHECK(v->first_bad_seq == 5);
}

TEST_CASE("a removed audit record is found and named", "[audit]") {
  std::string url = Loaded(30);
  Tamper(url, DisableGuard(url) + "DELETE FROM audit_log WHERE seq = 9;");
  auto r = test::RunCli({"--db", url, "audit", "verify"});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.out, Catch::Contains("#9") && Catch::Contains("removed"));
}

TEST_CASE("removing the newest records is found through the chain head", "[audit]") {
  std::string url = Loaded(30);
  Tamper(url, DisableGuard(url) + "DELETE FROM audit_log WHERE seq >= 29;");
  auto db = Database::Open(url);
  REQUIRE(db.ok());
  auto v = VerifyAudit(*db.value());
  REQUIRE(v.ok());
  CHECK_FALSE(v->ok);
  CHECK(v->first_bad_seq == 29);
}
