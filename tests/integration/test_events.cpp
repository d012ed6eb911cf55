// The durable outbox: events are written in the transaction of the change, delivered at
// least once in order, and a subscriber's position survives failures and restarts.
#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "database.h"
#include "generator.h"
#include "importer.h"
#include "journal.h"
#include "test_support.h"

using namespace xj;

namespace {
struct Recorder : EventSubscriber {
  std::string prefix;
  std::vector<std::int64_t> seen;
  int fail_at = -1;  // fail on the n-th call (0-based), once
  int calls = 0;
  std::string TopicPrefix() const override { return prefix; }
  Status OnEvent(const Event& e) override {
    if (calls++ == fail_at) {
      fail_at = -1;
      return Status::Error(StatusCode::kUnavailable, "下游不可用", "downstream unavailable");
    }
    seen.push_back(e.id);
    return Status::Ok();
  }
};

std::unique_ptr<Database> LoadedDb(int rows, std::size_t chunk) {
  auto db = Database::Open(test::FreshDatabaseUrl());
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
  io.chunk_rows = chunk;
  REQUIRE(ImportFile(*db.value(), io).ok());
  return std::move(db.value());
}
}  // namespace

TEST_CASE("each committed chunk carries one event naming its changed keys", "[events]") {
  auto db = LoadedDb(25, 10);
  auto evs = ReadEvents(*db, 0, "directory.", 100);
  REQUIRE(evs.ok());
  REQUIRE(evs->size() == 3);
  std::size_t keys = 0;
  for (const Event& e : evs.value()) {
    CHECK(e.topic == "directory.subjects.changed");
    auto j = nlohmann::json::parse(e.payload_json);
    keys += j["inserted"].size();
  }
  CHECK(keys == 25);
  CHECK(evs.value()[0].id < evs.value()[1].id);
}

TEST_CASE("an aborted transaction leaves no event behind", "[events]") {
  auto db = Database::Open(test::FreshDatabaseUrl());
  REQUIRE(db.ok());
  {
    WriteTransaction tx(*db.value());
    REQUIRE(tx.Begin().ok());
    REQUIRE(AppendJournal(*db.value(), "t", NowMicros(), {{"insert", "subject", "k", "", "d", ""}},
                          {{"directory.subjects.changed", "k", "{}"}}).ok());
    // No commit: the destructor rolls back.
  }
  auto evs = ReadEvents(*db.value(), 0, "", 10);
  REQUIRE(evs.ok());
  CHECK(evs->empty());
  auto v = VerifyAudit(*db.value());
  REQUIRE(v.ok());
  CHECK(v->ok);
  CHECK(v->records == 0);
}

TEST_CASE("subscribers get every event at least once, in order, and keep their position", "[events]") {
  auto db = LoadedDb(50, 10);  // 5 events
  Recorder a, b;
  b.fail_at = 2;  // b fails on its third event
  std::map<std::string, EventSubscriber*> subs{{"a", &a}, {"b", &b}};
  auto r1 = DispatchEvents(*db, subs, 2);
  REQUIRE(r1.ok());
  CHECK(a.seen.size() == 5);
  CHECK(b.seen.size() == 2);
  CHECK(r1->failures.size() == 1);
  // A new dispatcher (as after a restart) resumes b from its stored position.
  Recorder b2;
  std::map<std::string, EventSubscriber*> subs2{{"a", &a}, {"b", &b2}};
  auto r2 = DispatchEvents(*db, subs2, 2);
  REQUIRE(r2.ok());
  CHECK(a.seen.size() == 5);          // nothing new for a
  CHECK(b2.seen.size() == 3);         // the failed event and the two after it
  CHECK(b2.seen.front() == a.seen[2]);
  CHECK(std::is_sorted(b2.seen.begin(), b2.seen.end()));
  long long pos = 0;
  db->session() << "SELECT position FROM event_positions WHERE subscriber = 'b'", soci::into(pos);
  CHECK(pos == a.seen.back());
}

TEST_CASE("events committed while no dispatcher ran are delivered later through the plugin", "[events][plugins]") {
  // Import with --no-dispatch: the change and its events are committed, nothing delivered
  // (as if the process died right after the commit). A later dispatch delivers them once.
  std::string url = test::FreshDatabaseUrl();
  std::string dir = test::TempDir();
  gen::Options o;
  o.count = 30;
  std::ostringstream out;
  REQUIRE(gen::WriteCsv("subjects", o, out).ok());
  test::WriteFile(dir + "/s.csv", out.str());
  std::string feed = dir + "/feed.jsonl";
  std::vector<std::string> common{"--db", url, "--plugin-dir", std::string(XJ_BINARY_DIR) + "/plugins", "--set",
                                  "plugins.event-feed.path=" + feed};
  REQUIRE(test::RunCli({"--db", url, "init"}).exit_code == 0);
  auto args = common;
  args.insert(args.end(), {"import", "subjects", dir + "/s.csv", "--no-dispatch", "--chunk-rows", "10"});
  auto r = test::RunCli(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(test::ReadFile(feed).empty());
  args = common;
  args.insert(args.end(), {"events", "dispatch"});
  r = test::RunCli(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string lines = test::ReadFile(feed);
  CHECK(std::count(lines.begin(), lines.end(), '\n') == 3);
  // Dispatching again delivers nothing twice.
  r = test::RunCli(args);
  REQUIRE(r.exit_code == 0);
  CHECK(test::ReadFile(feed) == lines);
}
