// The real binary: import summaries and exit codes, and an import killed with SIGKILL in
// the middle, run again, ends in the same state as one clean import.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "database.h"
#include "hash.h"
#include "test_support.h"

using namespace xj;

namespace {
std::string StateDigest(const std::string& url) {
  auto db = Database::Open(url);
  REQUIRE(db.ok());
  Sha256Stream h;
  soci::rowset<soci::row> rs = (db.value()->session().prepare << "SELECT uscc, digest FROM subjects ORDER BY uscc");
  long long n = 0;
  for (const soci::row& r : rs) {
    h.Update(r.get<std::string>(0));
    h.Update(r.get<std::string>(1));
    ++n;
  }
  return std::to_string(n) + ":" + ToHex(h.Final());
}
}  // namespace

TEST_CASE("import --json prints exactly the five counts and the exit status tells processed from failed", "[cli]") {
  std::string url = test::FreshDatabaseUrl();
  std::string dir = test::TempDir();
  auto g = test::RunCli({"gen", "subjects", "--count", "100", "--seed", "3", "-o", dir + "/s.csv"});
  REQUIRE(g.exit_code == 0);
  test::WriteFile(dir + "/s.csv", test::ReadFile(dir + "/s.csv") + "BAD,x,enterprise,330225,,2010-01-01,active,,,\n");
  auto r = test::RunCli({"--db", url, "import", "subjects", dir + "/s.csv", "--json", "--rejects", dir + "/rej.csv"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j.size() == 5);
  CHECK(j["read"] == 101);
  CHECK(j["inserted"] == 100);
  CHECK(j["updated"] == 0);
  CHECK(j["unchanged"] == 0);
  CHECK(j["rejected"] == 1);
  CHECK_THAT(test::ReadFile(dir + "/rej.csv"), Catch::Contains("18"));
  auto missing = test::RunCli({"--db", url, "import", "subjects", dir + "/nope.csv"});
  CHECK(missing.exit_code != 0);
  CHECK_THAT(missing.err, Catch::Contains("错误 / error"));
  auto badkind = test::RunCli({"--db", url, "import", "companies", dir + "/s.csv"});
  CHECK(badkind.exit_code == 2);
}

TEST_CASE("an import killed with SIGKILL and run again ends like one clean import", "[cli][crash]") {
  std::string dir = test::TempDir();
  std::string csv = dir + "/s.csv";
  auto g = test::RunCli({"gen", "subjects", "--count", "200000", "--seed", "9", "-o", csv});
  REQUIRE(g.exit_code == 0);
  std::string clean = test::FreshDatabaseUrl();
  auto c = test::RunCli({"--db", clean, "import", "subjects", csv, "--json", "--no-dispatch"});
  REQUIRE(c.exit_code == 0);

  std::string url = test::FreshDatabaseUrl();
  REQUIRE(test::RunCli({"--db", url, "init"}).exit_code == 0);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(XJ_CLI, XJ_CLI, "--db", url.c_str(), "import", "subjects", csv.c_str(), "--no-dispatch", "--chunk-rows",
          "2000", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill it once some chunks are committed but well before the end.
  auto db = Database::Open(url);
  REQUIRE(db.ok());
  long long n = 0;
  for (int i = 0; i < 600 && n < 20000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    db.value()->session() << "SELECT count(*) FROM subjects", soci::into(n);
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  db.value()->session() << "SELECT count(*) FROM subjects", soci::into(n);
  INFO("rows committed before the kill: " << n);
  CHECK(n > 0);
  CHECK(n < 200000);
  CHECK(n % 2000 == 0);  // whole chunks only
  auto again = test::RunCli({"--db", url, "import", "subjects", csv, "--json", "--no-dispatch"});
  REQUIRE(again.exit_code == 0);
  auto j = nlohmann::json::parse(again.out);
  CHECK(j["inserted"].get<long long>() + j["unchanged"].get<long long>() == 200000);
  CHECK(j["unchanged"].get<long long>() == n);
  CHECK(StateDigest(url) == StateDigest(clean));
  auto v = test::RunCli({"--db", url, "audit", "verify"});
  CHECK(v.exit_code == 0);
}
