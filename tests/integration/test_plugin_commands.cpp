// Commands registered by plugins (xinjian/command.h), run by the real binary: the CLI knows
// no feature, parses the options the plugin declared, builds the caller's Principal, runs
// the command on the database of --db and delivers what it published.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "database.h"
#include "scan.h"
#include "test_support.h"

using Catch::Matchers::Contains;

namespace {

std::string Case(const std::string& name) { return std::string(XJ_TEST_PLUGIN_DIR) + "/" + name; }

xj::test::CommandResult Cli(std::vector<std::string> args) {
  // Only the test plugins: the product's plugins are not what these tests are about.
  auto r = xj::test::RunCli(args, {{"XINJIAN_PLUGIN_PATH", Case("services") + ":" + Case("notes")}});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  return r;
}

std::int64_t Count(const std::string& url, const std::string& sql) {
  auto db = xj::Database::Open(url);
  REQUIRE(db.ok());
  std::int64_t n = -1;
  REQUIRE(xj::ScanRows(*db.value(), sql, {}, [&](const xj::ScanRow& r) {
            n = std::stoll(std::string(r.values[0]));
            return false;
          }).ok());
  return n;
}

}  // namespace

TEST_CASE("A plugin's command runs with its options, the caller's principal and --json", "[cli][plugin-commands]") {
  auto r = Cli({"svc", "next", "--times", "3", "--json", "--actor", "alice", "--department", "SCJG", "--role", "inspector"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["next"] == 3);
  CHECK(j["actor"] == "alice");
  CHECK(j["department"] == "SCJG");
  CHECK(j["roles"] == 1);
  // Global options before the command, options in any order, repeatable ones, a flag.
  r = Cli({"--actor", "bob", "svc", "next", "--echo", "一", "--echo", "two"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "next=1\nactor=bob department= role=supervisor\necho=一\necho=two\n");
  r = Cli({"svc", "next", "--quiet"});
  CHECK(r.out == "next=1\n");
}

TEST_CASE("A plugin command's bad options are usage errors, its own refusals failures", "[cli][plugin-commands][hostile]") {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"svc", "next", "--times", "abc"},
           {"svc", "next", "--times", "1e3"},
           {"svc", "next", "--times", "99999999999999999999999999"},
           {"svc", "next", "--times"},
           {"svc", "next", "--role", "root"},
           {"svc", "next", "--bogus"},
           {"svc", "next", "extra"},
           {"notes", "add", "x", "--tag", "loud"},
           {"svc"}}) {
    INFO(args[args.size() - 1]);
    auto r = Cli(args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains("错误 / error"));
  }
  auto r = Cli({"svc", "next", "--times", "abc"});
  CHECK_THAT(r.err, Contains("须为整数 / must be an integer: abc"));
  r = Cli({"svc", "nxet"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("未知命令 “nxet”") && Contains("did you mean: next"));
  // The command's own refusal: exit 1 with its bilingual message.
  r = Cli({"svc", "next", "--times", "0"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Contains("--times 须为 1–1000 / --times must be 1-1000"));
  // A command that sets its exit code (a verification that found a mismatch).
  CHECK(Cli({"notes", "check"}).exit_code == 3);
  // Hostile values reach the plugin as they were typed, and come back printable.
  const std::string big(100000, 'x');
  r = Cli({"svc", "next", "--echo", big, "--quiet"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.size() == std::string("next=1\necho=").size() + big.size() + 1);
}

TEST_CASE("xinjian --help lists plugin commands under their plugin, a failed plugin is named", "[cli][plugin-commands]") {
  auto r = Cli({"--help"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("核心命令 / core commands") && Contains("init"));
  CHECK_THAT(r.out, Contains("插件 xj-test-svc-consumer 的命令 / commands of plugin xj-test-svc-consumer"));
  CHECK_THAT(r.out, Contains("插件 xj-test-notes 的命令 / commands of plugin xj-test-notes"));
  r = Cli({"svc", "next", "--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("--times") && Contains("次数 / how many") && Contains("--department") && Contains("--json"));
  // The provider fails: the consumer fails with it, and its command is unknown, with the reason.
  r = Cli({"--set", "plugins.xj-test-svc-provider.fail=1", "svc", "next"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("未知命令 “svc”") && Contains("提示 / note") &&
                        Contains("requires the service 'test.counter' of plugin xj-test-svc-provider, which failed to load"));
  // A required plugin that failed stops the command.
  r = Cli({"--require-plugin", "xj-test-absent", "svc", "next"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Contains("required plugin 'xj-test-absent' not found"));
}

TEST_CASE("A plugin command writes through a unit of work as the caller, with its audit record", "[cli][plugin-commands]") {
  const std::string url = xj::test::FreshDatabaseUrl();
  // Without a database: refused like every command, nothing created.
  auto r = Cli({"--db", url, "notes", "add", "hello"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Contains("init"));
  REQUIRE(Cli({"init", "--db", url}).exit_code == 0);
  r = Cli({"notes", "add", "你好", "--repeat", "2", "--tag", "urgent", "--db", url, "--actor", "carol", "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out) == nlohmann::json{{"added", 2}});
  CHECK(Count(url, "SELECT COUNT(*) FROM xj_test_notes WHERE text = '你好#urgent'") == 2);
  CHECK(Count(url, "SELECT COUNT(*) FROM audit_log WHERE action = 'notes.add' AND actor = 'carol'") == 1);
  // A refusal inside the unit keeps nothing.
  r = Cli({"--db", url, "notes", "add", "no", "--repeat", "101"});
  CHECK(r.exit_code == 1);
  CHECK(Count(url, "SELECT COUNT(*) FROM xj_test_notes WHERE text LIKE 'no#%'") == 0);
  // SQL in a value is data.
  r = Cli({"--db", url, "notes", "add", "x'); DROP TABLE xj_test_notes; --"});
  CHECK(r.exit_code == 0);
  CHECK(Count(url, "SELECT COUNT(*) FROM xj_test_notes") == 3);
  CHECK(Cli({"--db", url, "audit", "verify"}).exit_code == 0);
}

TEST_CASE("A plugin command refuses while a loaded plugin's migrations are pending, naming init",
          "[cli][plugin-commands][migrations]") {
  const std::string url = xj::test::FreshDatabaseUrl();
  // Initialised with the services plugins only: the notes plugin's table is not there. The
  // provider's migration runs before the consumer's, whose table refers to it.
  auto init = xj::test::RunCli({"--db", url, "init"}, {{"XINJIAN_PLUGIN_PATH", Case("services")}});
  INFO(init.out << init.err);
  REQUIRE(init.exit_code == 0);
  CHECK(init.out.find("plugin xj-test-svc-provider: applied migration 001_counter") <
        init.out.find("plugin xj-test-svc-consumer: applied migration 001_uses"));
  // Used with the notes plugin too: refused before anything runs, no SQL error.
  auto r = Cli({"--db", url, "notes", "add", "hello"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Contains("插件 xj-test-notes 有 1 个迁移尚未应用（001_notes）") &&
                        Contains("plugin xj-test-notes has 1 migration not applied yet (001_notes); run `xinjian --db ") &&
                        Contains(" init` first, with the same plugins loaded"));
  CHECK(Count(url, "SELECT COUNT(*) FROM plugin_migrations WHERE owner = 'xj-test-notes'") == 0);
  CHECK(Count(url, "SELECT COUNT(*) FROM audit_log WHERE action = 'notes.add'") == 0);
  // init with the same plugins makes the table; then the command works.
  init = Cli({"--db", url, "init"});
  REQUIRE(init.exit_code == 0);
  CHECK_THAT(init.out, Contains("plugin xj-test-notes: applied migration 001_notes") &&
                           Contains("plugin migrations: 1 applied, 0 adopted"));
  CHECK(Cli({"--db", url, "notes", "add", "hello"}).exit_code == 0);
}
