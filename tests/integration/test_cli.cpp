// The real binary: import summaries and exit codes, and an import killed with SIGKILL in
// the middle, run again, ends in the same state as one clean import.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <soci/soci.h>

#include <chrono>
#include <fstream>
#include <map>
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

TEST_CASE("only init and demo create a database, every other command on a missing one fails", "[cli][hostile]") {
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
  // The import reads the file through a FIFO that this test feeds a piece at a time, so it
  // cannot reach the end before the kill however fast the machine is: the kill lands while it
  // waits for more input with some chunks committed.
  const std::string fifo = dir + "/s.fifo.csv";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(XJ_CLI, XJ_CLI, "--db", url.c_str(), "import", "subjects", fifo.c_str(), "--no-dispatch", "--chunk-rows",
          "2000", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Open the FIFO's writing end once the import has opened its reading end (a blocking open
  // would hang for ever if the import failed first).
  int w = -1;
  for (int i = 0; i < 6000 && w < 0; ++i) {
    w = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (w < 0) {
      int st = 0;
      REQUIRE(waitpid(pid, &st, WNOHANG) == 0);  // the import is still running
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  REQUIRE(w >= 0);
  REQUIRE(::fcntl(w, F_SETFL, ::fcntl(w, F_GETFL) & ~O_NONBLOCK) == 0);
  ::signal(SIGPIPE, SIG_IGN);
  const std::string content = test::ReadFile(csv);
  auto db = Database::Open(url);
  REQUIRE(db.ok());
  long long n = 0;
  std::size_t fed = 0;
  // A piece at a time until whole chunks are committed, never more than half of the file.
  for (int i = 0; i < 6000 && n < 20000; ++i) {
    if (fed < content.size() / 2) {
      const std::size_t piece = std::min<std::size_t>(64 * 1024, content.size() / 2 - fed);
      ssize_t r = ::write(w, content.data() + fed, piece);
      REQUIRE(r > 0);
      fed += static_cast<std::size_t>(r);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    db.value()->session() << "SELECT count(*) FROM subjects", soci::into(n);
  }
  INFO("bytes fed: " << fed << " of " << content.size());
  REQUIRE(n >= 20000);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ::close(w);
  REQUIRE(WIFSIGNALED(status));
  db.value()->session() << "SELECT count(*) FROM subjects", soci::into(n);
  INFO("rows committed before the kill: " << n);
  CHECK(n >= 20000);
  CHECK(n < 100000);  // at most the half that was fed
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

// Issue 12: `jobs history nosuch` printed nothing with exit 0. Every jobs subcommand that takes
// the name of an existing job says which name is unknown and exits 1.
TEST_CASE("jobs history, pause, resume and run-now of an unknown job fail naming it", "[cli][jobs]") {
  const std::string url = test::FreshDatabaseUrl();
  REQUIRE(test::RunCli({"--db", url, "init"}).exit_code == 0);
  const std::map<std::string, std::string> at{{"XINJIAN_NOW", "2026-06-15T10:00:00"}};
  auto add = test::RunCli({"--db", url, "jobs", "add", "nightly", "--schedule", "0 2 * * *", "--handler", "noop"}, at);
  INFO(add.err);
  REQUIRE(add.exit_code == 0);
  REQUIRE(test::RunCli({"--db", url, "jobs", "run-now", "nightly"}, at).exit_code == 0);
  auto known = test::RunCli({"--db", url, "jobs", "history", "nightly", "--json"}, at);
  REQUIRE(known.exit_code == 0);
  CHECK(nlohmann::json::parse(known.out).size() == 1);
  for (const std::string& name : {std::string("nosuch"), std::string("Nightly"), std::string("x'; DROP TABLE scheduler_jobs; --"),
                                  std::string("\x1b[2J")}) {
    for (const char* verb : {"history", "pause", "resume", "run-now"}) {
      auto r = test::RunCli({"--db", url, "jobs", verb, name}, at);
      INFO(verb << " " << name << ": " << r.err);
      CHECK(r.exit_code == 1);
      CHECK(r.out.empty());
      CHECK_THAT(r.err, Catch::Contains("没有定时任务 \""));
      CHECK_THAT(r.err, Catch::Contains("no job \""));
      CHECK(r.err.find("没有定时任务") < r.err.find("no job"));  // Chinese first
      CHECK(r.err.find('\x1b') == std::string::npos);
      if (name == "nosuch") CHECK_THAT(r.err, Catch::Contains("没有定时任务 \"nosuch\" / no job \"nosuch\""));
    }
  }
  auto json = test::RunCli({"--db", url, "jobs", "history", "nosuch", "--json"}, at);
  CHECK(json.exit_code == 1);
  CHECK(json.out.empty());  // not "[]"
  // Nothing changed: the job is still enabled with its one run.
  auto list = test::RunCli({"--db", url, "jobs", "list", "--json"}, at);
  REQUIRE(list.exit_code == 0);
  auto jobs = nlohmann::json::parse(list.out);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0]["name"] == "nightly");
  CHECK(jobs[0]["enabled"] == true);
  CHECK(nlohmann::json::parse(test::RunCli({"--db", url, "jobs", "history", "--json"}, at).out).size() == 1);
}

// Issue 12: `jobs add` accepted a handler that no plugin registered (every fire then failed).
TEST_CASE("jobs add refuses a handler no plugin registered and lists the registered ones", "[cli][jobs]") {
  const std::string url = test::FreshDatabaseUrl();
  REQUIRE(test::RunCli({"--db", url, "init"}).exit_code == 0);
  const std::map<std::string, std::string> at{{"XINJIAN_NOW", "2026-06-15T10:00:00"}};
  for (const std::string& handler : {std::string("hello.greet"), std::string("deadlines.refres"), std::string("NOOP"),
                                     std::string("noop "), std::string("\x1b]0;pwned\x07"), std::string(4000, 'h')}) {
    auto r = test::RunCli({"--db", url, "jobs", "add", "j1", "--schedule", "0 2 * * *", "--handler", handler}, at);
    INFO(handler.substr(0, 40) << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    const auto zh = r.err.find("没有已注册的处理程序 \""), en = r.err.find("no handler \"");
    REQUIRE(zh != std::string::npos);
    REQUIRE(en != std::string::npos);
    CHECK(zh < en);  // Chinese first, English second
    // The registered handlers, in both halves.
    for (const char* h : {"deadlines.refresh", "audit.verify", "draw.scheduled", "draws.pending", "noop"}) {
      CHECK(r.err.find(h, zh) < en);
      CHECK(r.err.find(h, en) != std::string::npos);
    }
    CHECK(r.err.find('\x1b') == std::string::npos);
    CHECK(r.err.size() < 2000);
  }
  auto exact = test::RunCli({"--db", url, "jobs", "add", "j1", "--schedule", "0 2 * * *", "--handler", "hello.greet"}, at);
  CHECK_THAT(exact.err, Catch::Contains("没有已注册的处理程序 \"hello.greet\"（提供它的插件未加载？）；已注册的处理程序："));
  CHECK_THAT(exact.err, Catch::Contains(" / no handler \"hello.greet\" is registered (is the plugin that offers it loaded?); "
                                        "registered handlers: "));
  // Nothing was stored.
  auto list = test::RunCli({"--db", url, "jobs", "list", "--json"}, at);
  REQUIRE(list.exit_code == 0);
  CHECK(nlohmann::json::parse(list.out).empty());
  // A built-in handler is accepted.
  auto ok = test::RunCli({"--db", url, "jobs", "add", "j1", "--schedule", "0 2 * * *", "--handler", "noop"}, at);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  // So is a plugin's handler, when the plugin that offers it is loaded (the test plugin
  // xj-test-sources registers xj-test.echo; it is built with the unit tests).
  const std::string plugins = std::string(XJ_TEST_PLUGIN_DIR) + "/sources";
  auto without = test::RunCli({"--db", url, "jobs", "add", "j2", "--schedule", "0 2 * * *", "--handler", "xj-test.echo"}, at);
  CHECK(without.exit_code == 1);
  CHECK_THAT(without.err, Catch::Contains("no handler \"xj-test.echo\" is registered"));
  // ./xj test builds the test plugins with everything else; without them this case fails.
  REQUIRE(std::ifstream(plugins + "/p/plugin.json").good());
  auto with = test::RunCli(
      {"--db", url, "--plugin-dir", plugins, "jobs", "add", "j2", "--schedule", "0 2 * * *", "--handler", "xj-test.echo"}, at);
  INFO(with.err);
  CHECK(with.exit_code == 0);
}

// Issue 13: the command line as users type it (docs/cli.md; tests/e2e/cli_usage.sh covers
// every listing command).
TEST_CASE("global options go before or after any subcommand, and mistakes are named in Chinese first", "[cli][usage]") {
  const std::string url = test::FreshDatabaseUrl();
  const std::map<std::string, std::string> at{{"XINJIAN_NOW", "2026-06-15T10:00:00"}};
  auto init = test::RunCli({"init", "--db", url}, at);  // refused before issue 13
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"task", "list", "--db", url}, {"task", "--db", url, "list"}, {"--db", url, "task", "list"},
           {"--set", "a=b", "task", "list", "--db", url, "--set", "c=d", "--actor", "e2e"}}) {
    auto r = test::RunCli(args, at);
    INFO(args[0] << " " << args[1] << ": " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("编号/id\t状态/state\t", 0) == 0);  // the header row
    CHECK_THAT(r.err, Catch::Contains("0 项 / 0 items"));
  }
  auto twice = test::RunCli({"--db", url, "task", "list", "--db", url}, at);
  CHECK(twice.exit_code == 2);
  CHECK_THAT(twice.err, Catch::Contains("选项 --db 只能给出一次 / --db: At Most 1"));

  auto typo = test::RunCli({"taks", "list", "--db", url}, at);
  CHECK(typo.exit_code == 2);
  CHECK(typo.out.empty());
  CHECK_THAT(typo.err, Catch::StartsWith("错误 / error: 未知命令 “taks” / unknown command \"taks\"") &&
                           Catch::Contains("did you mean: task, tasks"));
  auto nested = test::RunCli({"task", "lsit", "--db", url}, at);
  CHECK(nested.exit_code == 2);
  CHECK_THAT(nested.err, Catch::Contains("did you mean: list") && Catch::Contains("xinjian task --help"));

  auto missing = test::RunCli({"task", "create", "--db", url}, at);
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::StartsWith("错误 / error: 缺少必需的选项 --spec / --spec is required"));
  auto unknown = test::RunCli({"task", "list", "--colour", "--db", url}, at);
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::StartsWith("错误 / error: 未知选项 “--colour” / unknown option \"--colour\""));
  auto bad = test::RunCli({"deadlines", "--limit", "ten", "--db", url}, at);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::StartsWith("错误 / error: 选项 --limit 的值无效 / --limit: "));
  auto help = test::RunCli({"task", "list", "--help"}, at);
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--department"));

  // JSON is one document; a limit that cuts the list says so.
  auto events = test::RunCli({"events", "list", "--json", "--limit", "1", "--db", url}, at);
  INFO(events.err);
  REQUIRE(events.exit_code == 0);
  CHECK(nlohmann::json::parse(events.out).is_array());

  // Hostile words: short, printable refusals.
  for (const std::string& word : {std::string(100000, 'x'), std::string("ta\x01sk"), std::string("\xff\xfe")}) {
    auto r = test::RunCli({word, "list"}, at);
    CHECK(r.exit_code == 2);
    CHECK(r.err.size() < 4000);
    CHECK(r.err.find('\x01') == std::string::npos);
    CHECK(r.err.find('\xff') == std::string::npos);
  }
}
