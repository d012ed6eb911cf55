// The real binary: import summaries and exit codes, and an import killed with SIGKILL in
// the middle, run again, ends in the same state as one clean import.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
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

TEST_CASE("only init and demo create a database; every other command on a missing one fails", "[cli][hostile]") {
  std::string dir = test::TempDir();
  const std::string path = dir + "/typo.db";
  const std::string url = "sqlite:" + path;
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{{"task", "list"},
                                                                           {"audit", "verify"},
                                                                           {"events", "list"},
                                                                           {"deadlines"},
                                                                           {"jobs", "list"},
                                                                           {"import", "subjects", dir + "/none.csv"}}) {
    std::vector<std::string> args{"--db", url};
    args.insert(args.end(), cmd.begin(), cmd.end());
    auto r = test::RunCli(args);
    INFO(cmd[0] << ": " << r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("no database at sqlite:" + path) && Catch::Contains("init"));
    CHECK(!std::filesystem::exists(path));
  }
  // An empty file (touched, or a copy gone wrong) is not a database either, and stays as it was.
  test::WriteFile(path, "");
  auto r = test::RunCli({"--db", url, "task", "list"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("never initialised"));
  CHECK(std::filesystem::file_size(path) == 0);
  std::filesystem::remove(path);
  // init creates it; then the same command works.
  REQUIRE(test::RunCli({"--db", url, "init"}).exit_code == 0);
  auto ok = test::RunCli({"--db", url, "task", "list"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  // On the configured backend too (PostgreSQL: a database without the schema).
  const std::string fresh = test::FreshDatabaseUrl();
  if (fresh.rfind("postgres", 0) == 0) {
    auto pg = test::RunCli({"--db", fresh, "task", "list"});
    CHECK(pg.exit_code == 1);
    CHECK_THAT(pg.err, Catch::Contains("never initialised"));
    CHECK(test::RunCli({"--db", fresh, "init"}).exit_code == 0);
    CHECK(test::RunCli({"--db", fresh, "task", "list"}).exit_code == 0);
  }
}

TEST_CASE("import --json prints the five counts and the two lists, and the exit status tells processed from failed", "[cli]") {
  std::string url = test::FreshDatabaseUrl();
  std::string dir = test::TempDir();
  REQUIRE(test::RunCli({"--db", url, "init"}).exit_code == 0);
  auto g = test::RunCli({"gen", "subjects", "--count", "100", "--seed", "3", "-o", dir + "/s.csv"});
  REQUIRE(g.exit_code == 0);
  test::WriteFile(dir + "/s.csv", test::ReadFile(dir + "/s.csv") + "BAD,x,enterprise,330225,,2010-01-01,active,,,\n");
  auto r = test::RunCli({"--db", url, "import", "subjects", dir + "/s.csv", "--json", "--rejects", dir + "/rej.csv"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j.size() == 7);
  CHECK(j["not_carried"] == nlohmann::json::array());
  CHECK(j["departments_created"] == nlohmann::json::array());
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
  REQUIRE(test::RunCli({"--db", clean, "init"}).exit_code == 0);
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

TEST_CASE("import names the columns a file did not carry and creates departments only when asked", "[cli][import]") {
  std::string url = test::FreshDatabaseUrl();
  std::string dir = test::TempDir();
  REQUIRE(test::RunCli({"--db", url, "init"}).exit_code == 0);
  test::WriteFile(dir + "/i.csv",
                  "id,name,department,office_region,certificate_no,certificate_expires,expert,status\n"
                  "SCJG000001,张三,SCJJ,330225,浙001,2030-12-31,0,active\n");
  auto r = test::RunCli({"--db", url, "import", "inspectors", dir + "/i.csv"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);  // processed, one record rejected
  CHECK_THAT(r.out, Catch::Contains("拒绝 / rejected: 1"));
  CHECK_THAT(r.err, Catch::Contains("SCJJ") && Catch::Contains("no such department"));
  CHECK_THAT(r.out, Catch::Contains("columns the file did not carry (stored values kept): unit, qualifications, id_number"));
  auto c = test::RunCli({"--db", url, "import", "inspectors", dir + "/i.csv", "--create-departments", "--json"});
  INFO(c.out << c.err);
  REQUIRE(c.exit_code == 0);
  auto j = nlohmann::json::parse(c.out);
  CHECK(j["inserted"] == 1);
  CHECK(j["departments_created"] == nlohmann::json::array({"SCJJ"}));
  CHECK_THAT(c.err, Catch::Contains("unlimited jurisdiction") && Catch::Contains("SCJJ"));
}
