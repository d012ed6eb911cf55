// The plugin host against the test plugins of tests/plugins (one case per search folder
// under XJ_TEST_PLUGIN_DIR) and ParsePluginManifest as a table test.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform_impl.h"
#include "plugin_host.h"
#include "test_support.h"

namespace {

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

std::string CaseDir(const std::string& name) { return std::string(XJ_TEST_PLUGIN_DIR) + "/" + name; }

xj::HostOptions Options(std::vector<std::string> dirs, std::vector<std::string> required = {},
                        std::map<std::string, std::string> config = {}) {
  xj::HostOptions o;
  o.search_dirs = std::move(dirs);
  o.required = std::move(required);
  o.config = std::move(config);
  return o;
}

const xj::PluginRecord* FindRecord(const xj::PluginHost& host, const std::string& dir_suffix) {
  for (const auto& r : host.records()) {
    if (r.dir.size() >= dir_suffix.size() && r.dir.compare(r.dir.size() - dir_suffix.size(), dir_suffix.size(),
                                                           dir_suffix) == 0) {
      return &r;
    }
  }
  return nullptr;
}

// Loads one case folder holding exactly one plugin; checks it failed, no subscriber was
// kept and the error is bilingual; returns the error.
std::string SingleFailure(const std::string& case_name) {
  xj::PluginHost host(Options({CaseDir(case_name)}));
  const xj::Status st = host.LoadAll();
  INFO(case_name);
  CHECK(st.ok());  // nothing required: the host keeps running
  REQUIRE(host.records().size() == 1);
  const auto& r = host.records()[0];
  CHECK(r.state == "failed");
  CHECK(r.dir == CaseDir(case_name) + "/p");
  CHECK_THAT(r.error, Contains(" / "));
  CHECK(host.subscribers().empty());
  return r.error;
}

const char* kMinimal = R"({"name":"ok","version":"1.0.0","abi":1,"capabilities":["subscriber"],"status":"stable"})";

// kMinimal with one field replaced (value is raw JSON) or removed (value nullopt).
std::string WithField(const std::string& field, const std::optional<std::string>& raw_value) {
  auto j = nlohmann::json::parse(kMinimal);
  if (raw_value) {
    j[field] = nlohmann::json::parse(*raw_value);
  } else {
    j.erase(field);
  }
  return j.dump();
}

}  // namespace

TEST_CASE("ParsePluginManifest accepts a valid manifest and fills the defaults", "[plugin]") {
  auto m = xj::ParsePluginManifest(kMinimal);
  REQUIRE(m.ok());
  CHECK(m->name == "ok");
  CHECK(m->version == "1.0.0");
  CHECK(m->abi == xj::kPluginAbiMajor);
  CHECK(m->capabilities == std::vector<std::string>{"subscriber"});
  CHECK(m->status == "stable");
  CHECK(m->description.empty());
  CHECK(m->library == "plugin.so");

  auto full = xj::ParsePluginManifest(
      R"({"$schema":"x","name":"a-1","version":"0.0.0-alpha.1+b.2","abi":1,"capabilities":[],)"
      R"("status":"deprecated","description":"说明 / text","library":"libfoo.so"})");
  REQUIRE(full.ok());
  CHECK(full->library == "libfoo.so");
  CHECK(full->description == "说明 / text");
  CHECK(full->capabilities.empty());
}

TEST_CASE("ParsePluginManifest rejects each invalid field and names it", "[plugin]") {
  struct Row {
    std::string text;
    std::string field_named;
  };
  const std::string name63(63, 'a');
  const std::vector<Row> rows{
      {"{", "not valid JSON"},
      {"[1]", "top level"},
      {WithField("name", std::nullopt), "field name is missing"},
      {WithField("version", std::nullopt), "field version is missing"},
      {WithField("abi", std::nullopt), "field abi is missing"},
      {WithField("capabilities", std::nullopt), "field capabilities is missing"},
      {WithField("status", std::nullopt), "field status is missing"},
      {WithField("name", R"("Bad")"), "field name"},
      {WithField("name", R"("-lead")"), "field name"},
      {WithField("name", R"("a_b")"), "field name"},
      {WithField("name", R"("")"), "field name"},
      {WithField("name", "\"" + name63 + "a\""), "field name"},
      {WithField("name", "7"), "field name"},
      {WithField("version", R"("1.0")"), "field version"},
      {WithField("version", R"("v1.0.0")"), "field version"},
      {WithField("version", R"("01.0.0")"), "field version"},
      {WithField("version", R"("1.0.0-")"), "field version"},
      {WithField("version", R"("1.0.0-01")"), "field version"},
      {WithField("version", R"("1.0.0+")"), "field version"},
      {WithField("version", "100"), "field version"},
      {WithField("abi", "2"), "field abi is 2 but this host's plugin ABI is 1"},
      {WithField("abi", "0"), "field abi"},
      {WithField("abi", "-1"), "field abi"},
      {WithField("abi", "1.0"), "field abi"},
      {WithField("abi", R"("1")"), "field abi"},
      {WithField("capabilities", R"("subscriber")"), "field capabilities"},
      {WithField("capabilities", R"(["teleport"])"), "unknown capability \"teleport\""},
      {WithField("capabilities", R"(["subscriber","subscriber"])"), "twice"},
      {WithField("capabilities", "[1]"), "field capabilities"},
      {WithField("status", R"("beta")"), "field status"},
      {WithField("status", "null"), "field status"},
      {WithField("description", "3"), "field description"},
      {WithField("library", R"("../x.so")"), "field library"},
      {WithField("library", R"("sub/x.so")"), "field library"},
      {WithField("library", R"("..")"), "field library"},
      {WithField("library", R"("")"), "field library"},
      {WithField("entry", R"("init")"), "field entry is unknown"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto m = xj::ParsePluginManifest(row.text);
    REQUIRE_FALSE(m.ok());
    CHECK(m.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(m.status().message(), Contains(row.field_named));
    CHECK_THAT(m.status().message(), Contains("插件清单无效") && Contains("invalid plugin manifest"));
  }
  CHECK(xj::ParsePluginManifest(WithField("name", "\"" + name63 + "\"")).ok());
  for (const char* v : {"0.0.0", "1.2.3-alpha", "1.2.3-0.3.7", "1.2.3-x.7.z.92", "1.0.0+20130313144700",
                        "1.0.0-beta+exp.sha.5114f85", "10.20.30"}) {
    INFO(v);
    CHECK(xj::ParsePluginManifest(WithField("version", std::string("\"") + v + "\"")).ok());
  }
}

TEST_CASE("The manifest schema lists exactly the capabilities the host knows", "[plugin]") {
  const std::string text = xj::test::ReadFile(std::string(XJ_SOURCE_DIR) + "/schemas/plugin-manifest.schema.json");
  REQUIRE_FALSE(text.empty());
  const auto schema = nlohmann::json::parse(text);
  CHECK(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  CHECK(schema["properties"]["capabilities"]["items"]["enum"].get<std::vector<std::string>>() ==
        xj::KnownPluginCapabilities());
  CHECK(schema["properties"]["abi"]["const"] == xj::kPluginAbiMajor);
}

TEST_CASE("The manifest schema and ParsePluginManifest agree on every test manifest", "[plugin]") {
  // python3-jsonschema is the independent oracle; without it the test only warns.
  if (xj::test::RunShell("python3 -c 'import jsonschema' 2>/dev/null").exit_code != 0) {
    WARN("python3 jsonschema is not installed: schema cross-check skipped");
    return;
  }
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(std::string(XJ_SOURCE_DIR) + "/tests/plugins/manifests")) {
    files.push_back(e.path().string());
  }
  for (const auto& e : fs::directory_iterator(std::string(XJ_SOURCE_DIR) + "/plugins")) {
    if (fs::exists(e.path() / "plugin.json")) files.push_back((e.path() / "plugin.json").string());
  }
  files.push_back(std::string(XJ_SOURCE_DIR) + "/docs/examples/hello-plugin/plugin.json");
  REQUIRE(files.size() > 10);
  for (const auto& f : files) {
    INFO(f);
    const auto r = xj::test::RunShell(
        "python3 -c 'import json,sys,jsonschema\n"
        "s=json.load(open(sys.argv[1]))\n"
        "try:\n  d=json.load(open(sys.argv[2]))\nexcept ValueError:\n  sys.exit(1)\n"
        "sys.exit(0 if jsonschema.Draft202012Validator(s).is_valid(d) else 1)' '" +
        std::string(XJ_SOURCE_DIR) + "/schemas/plugin-manifest.schema.json' '" + f + "'");
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    CHECK((r.exit_code == 0) == xj::ParsePluginManifest(xj::test::ReadFile(f)).ok());
  }
}

TEST_CASE("A good plugin loads, gets its configuration and its subscriber works", "[plugin]") {
  xj::PluginHost host(Options({CaseDir("good")}, {"xj-test-good"}, {{"plugins.xj-test-good.prefix", "test."}}));
  REQUIRE(host.LoadAll().ok());
  REQUIRE(host.records().size() == 1);
  const auto& r = host.records()[0];
  CHECK(r.state == "loaded");
  CHECK(r.error.empty());
  CHECK(r.dir == CaseDir("good") + "/good");
  CHECK(r.manifest.name == "xj-test-good");
  CHECK(r.manifest.version == "1.2.3-rc.1+build.5");
  CHECK(r.manifest.status == "experimental");
  REQUIRE(host.subscribers().count("xj-test-good-sub") == 1);
  auto& sub = *host.subscribers().at("xj-test-good-sub");
  CHECK(sub.TopicPrefix() == "test.");
  xj::Event e;
  e.id = 1;
  e.topic = "test.ok";
  CHECK(sub.OnEvent(e).ok());
  e.topic = "test.fail";
  const auto st = sub.OnEvent(e);
  CHECK(st.code() == xj::StatusCode::kUnavailable);
  CHECK(st.message() == "测试失败 1 / test failure after 1 events");
}

TEST_CASE("The same plugin loads again in a second host (never unloaded)", "[plugin]") {
  for (int i = 0; i < 3; ++i) {
    xj::PluginHost host(Options({CaseDir("good"), CaseDir("good") + "/", CaseDir("good") + "/../good"}));
    REQUIRE(host.LoadAll().ok());
    CHECK(host.records().size() == 1);  // the same folder named three ways is scanned once
    CHECK(host.subscribers().count("xj-test-good-sub") == 1);
    CHECK(host.LoadAll().ok());  // a second call changes nothing
    CHECK(host.records().size() == 1);
  }
}

TEST_CASE("Invalid manifests fail before any code is loaded, naming the file and field", "[plugin]") {
  struct Row {
    std::string case_name;
    std::string expected;
  };
  for (const Row& row : std::vector<Row>{{"bad-json", "not valid JSON"},
                                         {"bad-name", "field name is invalid"},
                                         {"bad-semver", "field version is invalid"},
                                         {"unknown-capability", "unknown capability \"teleport\""},
                                         {"unknown-field", "field entry_point is unknown"},
                                         {"bad-library", "field library"}}) {
    const std::string err = SingleFailure(row.case_name);
    CHECK_THAT(err, Contains("invalid plugin manifest " + CaseDir(row.case_name) + "/p/plugin.json"));
    CHECK_THAT(err, Contains("插件清单 " + CaseDir(row.case_name) + "/p/plugin.json"));
    CHECK_THAT(err, Contains(row.expected));
  }
  // The name is kept when it could be read, so a listing still says which plugin it was.
  xj::PluginHost host(Options({CaseDir("bad-semver")}));
  CHECK(host.LoadAll().ok());
  CHECK(host.records().at(0).manifest.name == "xj-test-bad-semver");
}

TEST_CASE("A manifest without its library fails naming the library", "[plugin]") {
  const std::string err = SingleFailure("missing-library");
  CHECK_THAT(err, Contains("plugin library not found: " + CaseDir("missing-library") + "/p/plugin.so"));
}

TEST_CASE("A library the loader refuses fails with the loader's reason", "[plugin]") {
  CHECK_THAT(SingleFailure("not-elf"),
             Contains("cannot load the plugin library " + CaseDir("not-elf") + "/p/plugin.so: ") &&
                 Contains("无法加载插件库"));
  // RTLD_NOW: an unresolved symbol is found at load time, before any plugin code runs.
  CHECK_THAT(SingleFailure("undefined-symbol"),
             Contains("cannot load the plugin library " + CaseDir("undefined-symbol") + "/p/plugin.so: ") &&
                 Contains("undefined symbol: xj_test_symbol_nobody_defines"));
}

TEST_CASE("An ABI mismatch fails naming the field and the library and init is not called", "[plugin]") {
  const std::string lib_major = CaseDir("abi-mismatch") + "/p/plugin.so";
  CHECK_THAT(SingleFailure("abi-mismatch"),
             Contains("plugin library " + lib_major + ": ABI mismatch (abi_major: plugin 2, host 1)") &&
                 Contains("ABI 不匹配"));
  CHECK_THAT(SingleFailure("abi-host-api"), Contains("host_api: plugin " + std::to_string(xj::kHostApiVersion + 1) +
                                                     " > host " + std::to_string(xj::kHostApiVersion)) &&
                                                Contains(CaseDir("abi-host-api") + "/p/plugin.so"));
  CHECK_THAT(SingleFailure("abi-boost"),
             Contains("ABI mismatch (boost_version: plugin " + std::to_string(BOOST_VERSION + 100)) &&
                 Contains(CaseDir("abi-boost") + "/p/plugin.so"));
}

TEST_CASE("A library without xj_plugin_init fails naming the symbol and the library", "[plugin]") {
  CHECK_THAT(SingleFailure("missing-init"),
             Contains("the plugin library " + CaseDir("missing-init") + "/p/plugin.so does not export xj_plugin_init"));
}

TEST_CASE("An init that throws fails with \"init threw\" and its registrations are discarded", "[plugin]") {
  CHECK_THAT(SingleFailure("throwing-init"),
             Contains("init threw: boom from init (" + CaseDir("throwing-init") + "/p/plugin.so)") &&
                 Contains("插件初始化抛出异常"));
}

TEST_CASE("An init that returns an error fails with its message and is discarded", "[plugin]") {
  CHECK_THAT(SingleFailure("init-error"),
             Contains("plugin init failed (" + CaseDir("init-error") + "/p/plugin.so)") &&
                 Contains("missing configuration plugins.xj-test-init-error.token"));
}

TEST_CASE("Registering a capability the manifest does not declare fails the plugin", "[plugin]") {
  CHECK_THAT(SingleFailure("undeclared-capability"),
             Contains("registered the capability subscriber that its manifest " + CaseDir("undeclared-capability") +
                      "/p/plugin.json does not declare"));
}

namespace {

// The JobServices a scheduler gives a handler, as a test double: records the events.
class RecordingServices final : public xj::JobServices {
 public:
  struct Published {
    std::string topic, key, payload;
  };
  explicit RecordingServices(std::map<std::string, std::string> config) : config_(std::move(config)) {}
  xj::Status PublishEvent(const std::string& topic, const std::string& key, const std::string& payload) override {
    events.push_back({topic, key, payload});
    return xj::Status::Ok();
  }
  bool Cancelled() const override { return cancelled; }
  std::string Config(const std::string& key, const std::string& fallback) const override {
    auto it = config_.find(key);
    return it == config_.end() ? fallback : it->second;
  }
  // Host API 6: no database in this double (the scheduler's tests run them on one).
  xj::Status RunInTransaction(const xj::UnitOfWorkFn&) override {
    return xj::Status::Error(xj::StatusCode::kFailedPrecondition, "测试替身没有数据库", "the test double has no database");
  }
  xj::Platform& platform() override { return platform_; }
  std::vector<Published> events;
  bool cancelled = false;

 private:
  std::map<std::string, std::string> config_;
  xj::PlatformImpl platform_;
};

}  // namespace

TEST_CASE("A plugin built against host API 3 loads, and the host never calls Format or Read on its entropy source",
          "[plugin]") {
  xj::PluginHost host(Options({CaseDir("sources-api3")}, {"xj-test-sources"}));
  const auto st = host.LoadAll();
  INFO(st.message());
  REQUIRE(st.ok());
  const xj::EntropySource* source = host.FindEntropySource("xj-test.fixed");
  REQUIRE(source != nullptr);
  xj::EntropyRequest req;
  req.task_id = "T-1";
  // The functions of host API 3 reach the plugin ...
  CHECK(source->Value(req, "").value() == "fixed:T-1");
  CHECK(source->Notice(req).en == "a fixed value for T-1");
  CHECK_FALSE(source->NeedsValue());
  CHECK(source->Description() == "测试用固定随机源 / a fixed test source");
  // ... those of host API 4 are the SDK's defaults, not the plugin's overrides.
  CHECK(source->Format().name == "text");
  auto read = source->Read(req, "x");
  REQUIRE(read.ok());
  CHECK(read.value().value == "x");
  CHECK(read.value().conversions.empty());
}

TEST_CASE("A plugin's entropy source and job handler are registered, listed and found by name", "[plugin]") {
  xj::PluginHost host(Options({CaseDir("sources")}, {"xj-test-sources"}));
  const auto st = host.LoadAll();
  INFO(st.message());
  REQUIRE(st.ok());
  REQUIRE(host.records().size() == 1);
  const auto& r = host.records()[0];
  CHECK(r.state == "loaded");  // its init also checked the registrar's refusals
  CHECK(r.registered == std::map<std::string, std::vector<std::string>>{{"entropy_source", {"xj-test.fixed"}},
                                                                       {"job", {"xj-test.echo"}}});

  const xj::EntropySource* source = host.FindEntropySource("xj-test.fixed");
  REQUIRE(source != nullptr);
  CHECK(host.entropy_sources().size() == 1);
  CHECK(host.FindEntropySource("manual") == nullptr);  // not in this search folder
  CHECK_FALSE(source->NeedsValue());
  xj::EntropyRequest req;
  req.task_id = "T-1";
  CHECK(source->Value(req, "").value() == "fixed:T-1");
  CHECK(source->Value(req, "x").status().code() == xj::StatusCode::kInvalidArgument);
  CHECK(source->Notice(req).en == "a fixed value for T-1");
  // Host API 4: the source's own format and reading.
  CHECK(source->Format().name == "xj-test.format");
  CHECK(source->Read(req, "x").value().value == "read:x");

  xj::JobHandler* job = host.FindJobHandler("xj-test.echo");
  REQUIRE(job != nullptr);
  CHECK(host.job_handlers().size() == 1);
  CHECK(host.FindJobHandler("xj-test.null") == nullptr);
  CHECK(host.FindJobHandler("nope") == nullptr);
  CHECK(host.JobHandlerPlugin("xj-test.echo") == "xj-test-sources");
  CHECK(host.JobHandlerPlugin("nope").empty());
  CHECK_THAT(job->Description(), Contains(" / "));
  xj::JobInvocation run;
  run.job = "nightly-echo";
  run.handler = "xj-test.echo";
  run.payload_json = R"({"n": 1})";
  run.time_zone = "Asia/Shanghai";
  run.node = "test-node";
  run.scheduled_us = 1767225600000000;
  run.attempt = 2;
  RecordingServices services(std::map<std::string, std::string>{{"greeting", "你好"}});
  REQUIRE(job->Run(run, services).ok());
  REQUIRE(services.events.size() == 1);
  CHECK(services.events[0].topic == "xj-test.echo");
  CHECK(services.events[0].key == "nightly-echo");
  const auto payload = nlohmann::json::parse(services.events[0].payload);
  CHECK(payload["payload"]["n"] == 1);
  CHECK(payload["scheduled_us"] == 1767225600000000);
  CHECK(payload["attempt"] == 2);
  CHECK(payload["greeting"] == "你好");
  services.cancelled = true;
  CHECK(job->Run(run, services).code() == xj::StatusCode::kUnavailable);
  CHECK(services.events.size() == 1);
}

TEST_CASE("Registering a job handler the manifest does not declare fails the plugin and discards all", "[plugin]") {
  CHECK_THAT(SingleFailure("undeclared-job"), Contains("registered the capability job that its manifest") &&
                                                  Contains("undeclared-job/p/plugin.json does not declare"));
  xj::PluginHost host(Options({CaseDir("undeclared-job")}));
  REQUIRE(host.LoadAll().ok());
  CHECK(host.entropy_sources().empty());  // the source it did declare is discarded too
  CHECK(host.job_handlers().empty());
  CHECK(host.records()[0].registered.empty());
}

TEST_CASE("A duplicate plugin name fails the second one, naming both files", "[plugin]") {
  xj::PluginHost host(Options({CaseDir("duplicate")}, {"xj-test-duplicate"}));
  CHECK(host.LoadAll().ok());  // the name is required and one of the two loaded
  REQUIRE(host.records().size() == 2);
  const auto* a = FindRecord(host, "/duplicate/a");
  const auto* b = FindRecord(host, "/duplicate/b");
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CHECK(a->state == "loaded");
  CHECK(b->state == "failed");
  CHECK_THAT(b->error, Contains("duplicate plugin name 'xj-test-duplicate': " + CaseDir("duplicate") +
                                "/b/plugin.json has the same name as " + CaseDir("duplicate") + "/a/plugin.json"));
  CHECK(host.subscribers().size() == 1);

  // Across search folders the first folder wins.
  xj::PluginHost two(Options({CaseDir("good"), CaseDir("mixed")}));
  CHECK(two.LoadAll().ok());
  const auto* second = FindRecord(two, "/mixed/good");
  REQUIRE(second != nullptr);
  CHECK(second->state == "failed");
  CHECK_THAT(second->error, Contains(CaseDir("good") + "/good/plugin.json"));
}

TEST_CASE("The host keeps running and loads the good plugin beside broken ones", "[plugin]") {
  xj::PluginHost host(Options({CaseDir("mixed"), CaseDir("does-not-exist")}));
  REQUIRE(host.LoadAll().ok());
  CHECK(host.records().size() == 4);  // not-a-plugin/ has no plugin.json and is ignored
  REQUIRE(FindRecord(host, "/mixed/good") != nullptr);
  CHECK(FindRecord(host, "/mixed/good")->state == "loaded");
  for (const char* bad : {"/mixed/abi-mismatch", "/mixed/throwing-init", "/mixed/bad-json"}) {
    INFO(bad);
    const auto* r = FindRecord(host, bad);
    REQUIRE(r != nullptr);
    CHECK(r->state == "failed");
    CHECK_THAT(r->error, Contains(std::string(XJ_TEST_PLUGIN_DIR) + bad));
  }
  CHECK(host.subscribers().size() == 1);
  CHECK(host.subscribers().count("xj-test-good-sub") == 1);
}

TEST_CASE("A required plugin that failed or is missing makes LoadAll fail naming it", "[plugin]") {
  SECTION("failed") {
    xj::PluginHost host(Options({CaseDir("mixed")}, {"xj-test-good", "xj-test-throwing-init"}));
    const auto st = host.LoadAll();
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == xj::StatusCode::kFailedPrecondition);
    CHECK_THAT(st.message(), Contains("必需的插件 “xj-test-throwing-init” 加载失败") &&
                                 Contains("required plugin 'xj-test-throwing-init' failed to load") &&
                                 Contains("init threw: boom from init"));
    CHECK_THAT(st.message(), !Contains("'xj-test-good'"));
    // The good plugin is loaded all the same; the caller decides whether to stop.
    CHECK(host.subscribers().count("xj-test-good-sub") == 1);
  }
  SECTION("not found") {
    xj::PluginHost host(Options({CaseDir("good")}, {"xj-test-absent"}));
    const auto st = host.LoadAll();
    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.message(), Contains("required plugin 'xj-test-absent' not found (searched: " + CaseDir("good") + ")"));
  }
  SECTION("abi mismatch") {
    xj::PluginHost host(Options({CaseDir("abi-mismatch")}, {"xj-test-abi-mismatch"}));
    const auto st = host.LoadAll();
    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.message(), Contains("xj-test-abi-mismatch") && Contains("abi_major"));
  }
}

TEST_CASE("DefaultPluginDirs reads XINJIAN_PLUGIN_PATH, else the executable's layouts", "[plugin]") {
  const char* old = std::getenv("XINJIAN_PLUGIN_PATH");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;

  ::setenv("XINJIAN_PLUGIN_PATH", "/a/plugins::/b/plugins:", 1);
  CHECK(xj::DefaultPluginDirs() == std::vector<std::string>{"/a/plugins", "/b/plugins"});

  ::unsetenv("XINJIAN_PLUGIN_PATH");
  const auto dirs = xj::DefaultPluginDirs();
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe").parent_path();
  REQUIRE(dirs.size() == 2);
  CHECK(dirs[0] == (exe_dir.parent_path() / "plugins").string());
  CHECK(dirs[1] == (exe_dir.parent_path() / "lib" / "xinjian" / "plugins").string());
  // xj_unit lives in <build>/bin, so the first one is the build tree's plugins folder.
  CHECK(fs::equivalent(dirs[0], std::string(XJ_BINARY_DIR) + "/plugins"));

  if (saved) ::setenv("XINJIAN_PLUGIN_PATH", saved->c_str(), 1);
}

TEST_CASE("xinjian plugins list shows failures but exits 0 unless a required plugin failed", "[plugin][cli]") {
  const std::map<std::string, std::string> env{{"XINJIAN_PLUGIN_PATH", CaseDir("mixed")}};
  auto r = xj::test::RunCli({"plugins", "list", "--json"}, env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto list = nlohmann::json::parse(r.out);
  REQUIRE(list.size() == 4);
  std::map<std::string, nlohmann::json> by_dir;
  for (const auto& p : list) by_dir[fs::path(p["dir"].get<std::string>()).filename().string()] = p;
  CHECK(by_dir["good"]["name"] == "xj-test-good");
  CHECK(by_dir["good"]["state"] == "loaded");
  CHECK(by_dir["good"]["error"] == "");
  CHECK(by_dir["good"]["abi"] == 1);
  CHECK(by_dir["good"]["capabilities"] == nlohmann::json::array({"subscriber"}));
  CHECK(by_dir["good"]["status"] == "experimental");
  CHECK(by_dir["good"]["version"] == "1.2.3-rc.1+build.5");
  CHECK(by_dir["good"]["registered"] == nlohmann::json{{"subscriber", {"xj-test-good-sub"}}});
  CHECK(by_dir["throwing-init"]["registered"] == nlohmann::json::object());
  CHECK(by_dir["throwing-init"]["state"] == "failed");
  CHECK_THAT(by_dir["throwing-init"]["error"].get<std::string>(), Contains("init threw: boom from init"));
  CHECK(by_dir["bad-json"]["name"] == "");

  r = xj::test::RunCli({"plugins", "list"}, env);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("名称/name", 0) == 0);
  CHECK_THAT(r.out, Contains("版本/version") && Contains("错误/error") && Contains("xj-test-good") &&
                        Contains("注册/registered") && Contains("subscriber:xj-test-good-sub") &&
                        Contains("ABI mismatch (abi_major: plugin 2, host 1)"));

  r = xj::test::RunCli({"--require-plugin", "xj-test-throwing-init", "plugins", "list"}, env);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("xj-test-good"));  // the listing is still printed
  CHECK_THAT(r.err, Contains("required plugin 'xj-test-throwing-init' failed to load"));

  r = xj::test::RunCli({"plugins", "list", "--plugin-dir", CaseDir("good"), "--require-plugin", "xj-test-good"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("xj-test-good") && !Contains("xj-test-throwing-init"));
}

// ---------------------------------------------------------------------------------------
// Services (host API 6, xinjian/service.h)

TEST_CASE("A plugin that requires a service loads after its provider and gets it", "[plugin][services]") {
  // a-consumer sorts before b-provider: only the ordering by "requires" lets it load.
  xj::PluginHost host(Options({CaseDir("services")}, {"xj-test-svc-consumer", "xj-test-svc-provider"}));
  const xj::Status st = host.LoadAll();
  INFO(st.message());
  REQUIRE(st.ok());
  REQUIRE(host.records().size() == 2);
  CHECK(host.records()[0].manifest.name == "xj-test-svc-consumer");  // records keep folder order
  CHECK(host.records()[0].state == "loaded");
  CHECK(host.records()[1].state == "loaded");
  CHECK(host.records()[0].manifest.requires_ == std::vector<std::string>{"test.counter"});
  CHECK(host.records()[1].manifest.provides == std::vector<std::string>{"test.counter"});
  const auto [service, provider] = host.FindService("test.counter");
  CHECK(service != nullptr);
  CHECK(provider == "xj-test-svc-provider");
  CHECK(host.FindService("test.undeclared").first == nullptr);  // refused inside the provider's init
  CHECK(host.commands().count("svc next") == 1);
}

TEST_CASE("A plugin's migrations come after those of the plugins whose services it requires", "[plugin][services][migrations]") {
  // By name xj-test-svc-consumer sorts first; its table refers to the provider's.
  xj::PluginHost host(Options({CaseDir("services")}, {"xj-test-svc-consumer", "xj-test-svc-provider"}));
  REQUIRE(host.LoadAll().ok());
  for (const xj::Dialect dialect : {xj::Dialect::kSqlite, xj::Dialect::kPostgresql}) {
    const auto ms = host.Migrations(dialect);
    INFO(ms.status().message());
    REQUIRE(ms.ok());
    REQUIRE(ms->size() == 2);
    CHECK(ms->at(0).owner == "xj-test-svc-provider");
    CHECK(ms->at(0).name == "001_counter");
    CHECK(ms->at(1).owner == "xj-test-svc-consumer");
    CHECK(ms->at(1).name == "001_uses");
  }
  // Without the requirement (the provider failed, so the consumer did too) nothing is listed
  // of either.
  xj::PluginHost failed(Options({CaseDir("services")}, {}, {{"plugins.xj-test-svc-provider.fail", "1"}}));
  REQUIRE(failed.LoadAll().ok());
  const auto none = failed.Migrations(xj::Dialect::kSqlite);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("A requirement that fails makes the requiring plugin fail, naming both", "[plugin][services]") {
  const std::string consumer = "/services/a-consumer", provider = "/services/b-provider";
  SECTION("the provider's init fails") {
    xj::PluginHost host(Options({CaseDir("services")}, {}, {{"plugins.xj-test-svc-provider.fail", "1"}}));
    REQUIRE(host.LoadAll().ok());
    CHECK(FindRecord(host, provider)->state == "failed");
    const auto* c = FindRecord(host, consumer);
    CHECK(c->state == "failed");
    CHECK_THAT(c->error, Contains("插件 xj-test-svc-consumer 需要插件 xj-test-svc-provider 提供的服务 “test.counter”") &&
                             Contains("plugin xj-test-svc-consumer requires the service 'test.counter' of plugin "
                                      "xj-test-svc-provider, which failed to load"));
    CHECK(host.commands().empty());
  }
  SECTION("the provider does not provide what its manifest declares") {
    xj::PluginHost host(Options({CaseDir("services")}, {}, {{"plugins.xj-test-svc-provider.skip", "1"}}));
    REQUIRE(host.LoadAll().ok());
    CHECK_THAT(FindRecord(host, provider)->error,
               Contains("declares that it provides the service 'test.counter' but its init did not provide it"));
    CHECK(FindRecord(host, consumer)->state == "failed");
  }
  SECTION("another version") {
    xj::PluginHost host(Options({CaseDir("services")}, {}, {{"plugins.xj-test-svc-consumer.version", "2"}}));
    REQUIRE(host.LoadAll().ok());
    CHECK(FindRecord(host, provider)->state == "loaded");
    CHECK_THAT(FindRecord(host, consumer)->error,
               Contains("plugin xj-test-svc-consumer requires version 2 of the service 'test.counter', plugin "
                        "xj-test-svc-provider provides version 1"));
  }
  SECTION("a service the manifest does not require") {
    xj::PluginHost host(Options({CaseDir("services")}, {}, {{"plugins.xj-test-svc-consumer.undeclared", "1"}}));
    REQUIRE(host.LoadAll().ok());
    CHECK_THAT(FindRecord(host, consumer)->error, Contains("the manifest's requires does not list the service 'test.other'"));
  }
  SECTION("nobody provides it") {
    xj::PluginHost host(Options({CaseDir("services-missing")}, {"xj-test-svc-consumer"}));
    const xj::Status st = host.LoadAll();
    CHECK_FALSE(st.ok());
    CHECK_THAT(st.message(), Contains("requires the service 'test.counter', which no plugin provides"));
  }
  SECTION("a cycle") {
    xj::PluginHost host(Options({CaseDir("services-cycle")}));
    REQUIRE(host.LoadAll().ok());
    REQUIRE(host.records().size() == 2);
    CHECK_THAT(host.records()[0].error, Contains("plugin xj-test-cycle-a is in a cycle of required services: it requires "
                                                 "test.b (xj-test-cycle-b)"));
    CHECK_THAT(host.records()[1].error, Contains("it requires test.a (xj-test-cycle-a)"));
  }
}

TEST_CASE("ParsePluginManifest checks provides and requires", "[plugin][services]") {
  const std::string base = R"({"name":"ok","version":"1.0.0","abi":1,"capabilities":[],"status":"stable")";
  auto parse = [&](const std::string& extra) { return xj::ParsePluginManifest(base + "," + extra + "}"); };
  auto good = parse(R"("provides":["a.b","c-d.e"],"requires":["x.y"])");
  REQUIRE(good.ok());
  CHECK(good->provides == std::vector<std::string>{"a.b", "c-d.e"});
  CHECK(good->requires_ == std::vector<std::string>{"x.y"});
  const std::pair<const char*, const char*> bad[] = {
      {R"("provides":"a.b")", "field provides must be an array of service names"},
      {R"("requires":[1])", "field requires contains the invalid service name 1"},
      {R"("provides":["A.b"])", "invalid service name \"A.b\""},
      {R"("provides":[".a"])", "invalid service name \".a\""},
      {R"("requires":["a","a"])", "field requires lists \"a\" twice"},
      {R"("provides":["a"],"requires":["a"])", "lists a, which the plugin provides itself"},
  };
  for (const auto& [extra, message] : bad) {
    INFO(extra);
    auto r = parse(extra);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Contains(message));
  }
  const std::string long_name(65, 'a');
  CHECK_FALSE(parse(R"("provides":[")" + long_name + R"("])").ok());
}
