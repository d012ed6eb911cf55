// The event-feed plugin, loaded the way the product loads it: through the PluginHost from
// the built plugins folder (tests/support/plugin_probe.h).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "plugin_probe.h"
#include "test_support.h"

namespace {

using Catch::Matchers::Contains;

// A probe that has loaded the built-in plugins with plugins.event-feed.path = `path`, and
// holds the subscriber "event-feed".
std::unique_ptr<xj::test::PluginProbe> LoadFeed(const std::string& path) {
  xj::test::ProbeOptions o;
  o.required = {"event-feed"};
  if (!path.empty()) o.config["plugins.event-feed.path"] = path;
  auto probe = std::make_unique<xj::test::PluginProbe>(o);
  const auto& st = probe->status();
  INFO(st.message());
  REQUIRE(st.ok());
  REQUIRE(probe->FindSubscriber("event-feed") != nullptr);
  return probe;
}

xj::Event MakeEvent(std::int64_t id, std::string topic = "directory.subjects.changed") {
  xj::Event e;
  e.id = id;
  e.topic = std::move(topic);
  e.key = "91110000MA0000000" + std::to_string(id % 10);
  e.at_us = 1700000000000000 + id;
  e.payload_json = R"({"名称":"示例公司","n":)" + std::to_string(id) + "}";
  return e;
}

std::vector<nlohmann::json> Lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::istringstream in(xj::test::ReadFile(path));
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::vector<std::int64_t> Ids(const std::string& path) {
  std::vector<std::int64_t> ids;
  for (const auto& j : Lines(path)) ids.push_back(j.at("id").get<std::int64_t>());
  return ids;
}

}  // namespace

TEST_CASE("event-feed writes one JSON line per event", "[event-feed][plugin]") {
  const std::string path = xj::test::TempDir() + "/feed.jsonl";
  auto probe = LoadFeed(path);
  auto& feed = *probe->FindSubscriber("event-feed");
  CHECK(feed.TopicPrefix().empty());
  for (int id = 1; id <= 3; ++id) REQUIRE(feed.OnEvent(MakeEvent(id)).ok());

  const std::string text = xj::test::ReadFile(path);
  CHECK(
      text.rfind(R"({"id":1,"topic":"directory.subjects.changed","key":"91110000MA00000001","at_us":1700000000000001,)"
                 R"("payload":{"名称":"示例公司","n":1}})"
                 "\n",
                 0) == 0);
  const auto lines = Lines(path);
  REQUIRE(lines.size() == 3);
  CHECK(lines[2]["id"] == 3);
  CHECK(lines[2]["payload"]["n"] == 3);
  CHECK(lines[2]["at_us"] == 1700000000000003);
}

TEST_CASE("event-feed is idempotent under at-least-once delivery", "[event-feed][plugin]") {
  const std::string path = xj::test::TempDir() + "/feed.jsonl";
  {
    auto probe = LoadFeed(path);
    auto& feed = *probe->FindSubscriber("event-feed");
    for (int id : {1, 2, 3, 2, 3}) REQUIRE(feed.OnEvent(MakeEvent(id)).ok());  // redelivery in-process
  }
  CHECK(Ids(path) == std::vector<std::int64_t>{1, 2, 3});
  {
    // A restart: a new subscriber reads the last id from the file; 1..3 come again, then 4.
    auto probe = LoadFeed(path);
    auto& feed = *probe->FindSubscriber("event-feed");
    for (int id : {1, 2, 3, 4}) REQUIRE(feed.OnEvent(MakeEvent(id)).ok());
  }
  CHECK(Ids(path) == std::vector<std::int64_t>{1, 2, 3, 4});
}

TEST_CASE("event-feed removes a line cut short by a crash and writes it again", "[event-feed][plugin]") {
  const std::string path = xj::test::TempDir() + "/feed.jsonl";
  {
    auto probe = LoadFeed(path);
    for (int id : {1, 2}) REQUIRE(probe->FindSubscriber("event-feed")->OnEvent(MakeEvent(id)).ok());
  }
  {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << R"({"id":3,"topic":"direc)";  // the process died in the middle of the write
  }
  auto probe = LoadFeed(path);
  for (int id : {2, 3}) REQUIRE(probe->FindSubscriber("event-feed")->OnEvent(MakeEvent(id)).ok());
  CHECK(Ids(path) == std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("event-feed without a path accepts events and writes nothing", "[event-feed][plugin]") {
  const std::string dir = xj::test::TempDir();
  auto probe = LoadFeed("");
  CHECK(probe->FindSubscriber("event-feed")->OnEvent(MakeEvent(1)).ok());
  CHECK(std::filesystem::is_empty(dir));
}

TEST_CASE("event-feed keeps a payload that is not JSON as a string", "[event-feed][plugin]") {
  const std::string path = xj::test::TempDir() + "/feed.jsonl";
  auto probe = LoadFeed(path);
  auto e = MakeEvent(7);
  e.payload_json = "not json";
  REQUIRE(probe->FindSubscriber("event-feed")->OnEvent(e).ok());
  e.id = 8;
  e.payload_json = "";
  REQUIRE(probe->FindSubscriber("event-feed")->OnEvent(e).ok());
  const auto lines = Lines(path);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["payload"] == "not json");
  CHECK(lines[1]["payload"] == nlohmann::json::object());
}

TEST_CASE("event-feed refuses to append to a file whose last line is not its own", "[event-feed][plugin]") {
  const std::string path = xj::test::TempDir() + "/feed.jsonl";
  xj::test::WriteFile(path, "hello\n");
  auto probe = LoadFeed(path);
  const auto st = probe->FindSubscriber("event-feed")->OnEvent(MakeEvent(1));
  CHECK(st.code() == xj::StatusCode::kFailedPrecondition);
  CHECK_THAT(st.message(), Contains(path) && Contains("refusing to append"));
  CHECK(xj::test::ReadFile(path) == "hello\n");
}

TEST_CASE("event-feed reports a file it cannot open and succeeds once it can", "[event-feed][plugin]") {
  const std::string dir = xj::test::TempDir();
  const std::string path = dir + "/missing-dir/feed.jsonl";
  auto probe = LoadFeed(path);
  auto& feed = *probe->FindSubscriber("event-feed");
  const auto st = feed.OnEvent(MakeEvent(1));
  CHECK(st.code() == xj::StatusCode::kUnavailable);
  CHECK_THAT(st.message(), Contains("cannot open the event feed file " + path));
  std::filesystem::create_directory(dir + "/missing-dir");
  CHECK(feed.OnEvent(MakeEvent(1)).ok());  // the dispatcher offers the same event again
  CHECK(Ids(path) == std::vector<std::int64_t>{1});
}

TEST_CASE("event-feed refuses a configured path it cannot use, naming the key", "[event-feed][plugin]") {
  for (const std::string& bad : std::vector<std::string>{"/tmp/a\nb.jsonl", std::string(5000, 'p')}) {
    const xj::test::PluginProbe probe({.required = {"event-feed"}, .config = {{"plugins.event-feed.path", bad}}});
    const auto& st = probe.status();
    REQUIRE(!st.ok());
    CHECK_THAT(st.message(), Contains("plugins.event-feed.path") && Contains("event-feed"));
    CHECK(probe.FindSubscriber("event-feed") == nullptr);
  }
}
