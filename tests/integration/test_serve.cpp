// `xinjian serve` as a real process, on SQLite and PostgreSQL (FreshDatabaseUrl):
// - it delivers events to the plugins' subscribers continuously: an event this test process
//   commits while serve runs reaches event-feed (plugins.event-feed.path) and xj-test-notes'
//   writing subscriber without any other command being run, and the events the writing
//   subscriber publishes in turn reach event-feed;
// - two serve processes on one database (the second without a scheduler on SQLite, which has
//   one scheduler node) share each subscriber's position: every event reaches event-feed once,
//   in one of the two processes' files, never in both;
// - job handlers of a plugin (tests/plugins/src/jobs.cpp) write through
//   JobServices::RunInTransaction: on success the row, its audit record (actor "job:<job>",
//   time = the scheduled time) and its events are committed with the run; on failure or a
//   throw nothing is kept and the run is failed; a retried run writes its row once; a
//   handler that has not called RunInTransaction yet holds no lock; PublishEvent still works.
//
// Nothing waits on a fixed sleep: every wait polls its effect with a generous bound (60 s).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "database.h"
#include "jobs.h"
#include "journal.h"
#include "platform_impl.h"
#include "scan.h"
#include "test_support.h"

using namespace xj;

namespace {

using json = nlohmann::json;

// Polls `cond` every 50 ms until it holds or 60 real seconds pass; returns whether it held.
template <typename F>
bool WaitFor(F cond) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

std::unique_ptr<Database> Open(const std::string& url) {
  auto db = Database::Open(url);  // creates and migrates, as `xinjian init` does
  INFO((db.ok() ? std::string() : db.status().message()));
  REQUIRE(db.ok());
  return std::move(db).value();
}

// The first column of every row as text; nullopt when the query fails (a plugin's table that
// serve has not created yet).
std::optional<std::vector<std::string>> Column(Database& db, const std::string& sql,
                                               const std::vector<std::optional<std::string>>& params = {}) {
  std::vector<std::string> out;
  Status st = ScanRows(db, sql, params, [&](const ScanRow& r) {
    out.emplace_back(r.null[0] ? "" : std::string(r.values[0]));
    return true;
  });
  if (!st.ok()) return std::nullopt;
  return out;
}

std::int64_t Number(Database& db, const std::string& sql, const std::vector<std::optional<std::string>>& params = {}) {
  auto c = Column(db, sql, params);
  INFO(sql);
  REQUIRE(c.has_value());
  REQUIRE(c->size() == 1);
  return std::stoll(c->front());
}

// The JSON lines of an event-feed file (a missing file has none; a line being written is
// left out).
std::vector<json> Feed(const std::string& path) {
  std::vector<json> out;
  std::istringstream in(test::ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

bool FeedHas(const std::string& path, const std::string& topic, const std::string& key) {
  for (const json& j : Feed(path))
    if (j.value("topic", "") == topic && j.value("key", "") == key) return true;
  return false;
}

// `xinjian serve` with the built plugins (event-feed, draw…), xj-test-notes and xj-test-jobs
// (and xj-test-sources for its PublishEvent handler), event-feed writing to `feed`.
std::vector<std::string> ServeArgs(const std::string& url, const std::string& feed,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"--db",         url,
                             "--plugin-dir", std::string(XJ_BINARY_DIR) + "/plugins",
                             "--plugin-dir", std::string(XJ_TEST_PLUGIN_DIR) + "/notes",
                             "--plugin-dir", std::string(XJ_TEST_PLUGIN_DIR) + "/jobs",
                             "--plugin-dir", std::string(XJ_TEST_PLUGIN_DIR) + "/sources",
                             "--set",        "plugins.event-feed.path=" + feed,
                             "serve"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// Commits, as another process would, one unit of work publishing `events` (topic, key,
// payload).
void Commit(Database& db, const std::vector<OutboxEvent>& events) {
  PlatformImpl platform;
  platform.Attach(&db);
  const Status st = platform.RunInTransaction(Principal::System("tester"), [&](UnitOfWork& uow) -> Status {
    for (const auto& e : events)
      if (Status s = uow.Publish(e.topic, e.key, e.payload_json); !s.ok()) return s;
    return Status::Ok();
  });
  platform.Attach(nullptr);
  INFO(st.message());
  REQUIRE(st.ok());
}

// Stops `serve` with SIGTERM: it must exit 0 and have warned about nothing.
void StopCleanly(test::BackgroundCli& serve) {
  const int code = serve.Stop();
  INFO(serve.Err());
  CHECK(code == 0);
  CHECK(serve.Err().find("警告 / warning") == std::string::npos);
}

}  // namespace

TEST_CASE("serve: an event committed by another process reaches the subscribers without any other command",
          "[serve][events]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  // No connection of this process while a command commits: its last connection closing is
  // what a SQLite process that lost its POSIX locks would see its WAL deleted by.
  db.reset();
  const std::string feed = test::TempDir() + "/events.jsonl";
  test::BackgroundCli serve(ServeArgs(url, feed));
  // Serve is up and delivering: the jobs its scheduler adds at start reach the feed.
  REQUIRE(WaitFor([&] { return !serve.Running() || FeedHas(feed, "scheduler.job.add", "builtin.draws-pending"); }));
  INFO(serve.Err());
  REQUIRE(serve.Running());

  // A command run by someone else commits an event (and does not deliver it itself).
  const auto added =
      test::RunCli({"--db", url, "jobs", "add", "outside-job", "--schedule", "0 3 1 1 *", "--handler", "noop"});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  CHECK(WaitFor([&] { return FeedHas(feed, "scheduler.job.add", "outside-job"); }));

  // A unit of work of this process.
  db = Open(url);
  Commit(*db, {{"notes.add", "from-outside", R"({"text": "写自另一个进程 / from another process"})"},
               {"outside.hello", "k1", R"({"n": 1})"}});
  const std::int64_t last = Number(*db, "SELECT MAX(id) FROM events");
  // The plain subscriber gets both; the writing subscriber makes its note (in serve's unit of
  // work) and publishes notes.added, which serve delivers to event-feed as well.
  CHECK(WaitFor([&] { return FeedHas(feed, "outside.hello", "k1") && FeedHas(feed, "notes.add", "from-outside"); }));
  CHECK(WaitFor([&] {
    auto notes = Column(*db, "SELECT text FROM xj_test_notes");
    return notes && notes->size() == 1 && notes->front() == "写自另一个进程 / from another process";
  }));
  CHECK(WaitFor([&] {
    for (const json& j : Feed(feed))
      if (j.value("topic", "") == "notes.added" && j["payload"].value("by", "") == "subscriber:notes") return true;
    return false;
  }));
  CHECK(Number(*db, "SELECT position FROM event_positions WHERE subscriber = 'notes'") >= last);
  // Once and in order: the feed's ids increase.
  std::int64_t prev = 0;
  for (const json& j : Feed(feed)) {
    CHECK(j["id"].get<std::int64_t>() > prev);
    prev = j["id"].get<std::int64_t>();
  }
  StopCleanly(serve);
  auto audit = VerifyAudit(*db);
  REQUIRE(audit.ok());
  CHECK(audit->ok);
}

TEST_CASE("serve: two serve processes on one database deliver each event to a subscriber once", "[serve][events]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  const std::string dir = test::TempDir();
  const std::string feed_a = dir + "/a.jsonl", feed_b = dir + "/b.jsonl";
  test::BackgroundCli a(ServeArgs(url, feed_a));
  // SQLite runs one scheduler node per database; the second serve only delivers there.
  test::BackgroundCli b(
      ServeArgs(url, feed_b,
                test::Backend() == "sqlite" ? std::vector<std::string>{"--no-scheduler"} : std::vector<std::string>{}));
  const std::string started = "event delivery started";
  REQUIRE(WaitFor([&] {
    return !a.Running() || !b.Running() ||
           (a.Err().find(started) != std::string::npos && b.Err().find(started) != std::string::npos);
  }));
  INFO(a.Err() + b.Err());
  REQUIRE(a.Running());
  REQUIRE(b.Running());

  // Events arrive while both deliver: 40 units, one note and one other event each.
  constexpr int kUnits = 40;
  for (int i = 0; i < kUnits; ++i) {
    const std::string k = "n" + std::to_string(i);
    Commit(*db, {{"notes.add", k, R"({"text": ")" + k + R"("})"}, {"outside.bulk", k, "{}"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(i % 4 == 0 ? 60 : 5));  // spread them over several rounds
  }
  REQUIRE(WaitFor([&] {
    auto notes = Column(*db, "SELECT COUNT(*) FROM xj_test_notes");
    return notes && notes->front() == std::to_string(kUnits);
  }));
  // Every event of the outbox (the notes.added ones included) is in exactly one of the feeds.
  auto all_ids = [&] {
    std::multiset<std::int64_t> ids;
    for (const auto& f : {feed_a, feed_b})
      for (const json& j : Feed(f)) ids.insert(j["id"].get<std::int64_t>());
    return ids;
  };
  REQUIRE(WaitFor([&] {
    const auto ids = all_ids();
    return Number(*db, "SELECT COUNT(*) FROM events WHERE topic = 'notes.added'") == kUnits &&
           static_cast<std::int64_t>(std::set<std::int64_t>(ids.begin(), ids.end()).size()) ==
               Number(*db, "SELECT COUNT(*) FROM events");
  }));
  StopCleanly(a);
  StopCleanly(b);
  const auto ids = all_ids();
  for (std::int64_t id : std::set<std::int64_t>(ids.begin(), ids.end())) {
    INFO("event " << id);
    CHECK(ids.count(id) == 1);
  }
  CHECK(static_cast<std::int64_t>(ids.size()) == Number(*db, "SELECT COUNT(*) FROM events"));
  // Each note once (event_id is unique: a second delivery would have failed and warned).
  CHECK(Number(*db, "SELECT COUNT(DISTINCT event_id) FROM xj_test_notes") == kUnits);
  CHECK(Number(*db, "SELECT COUNT(DISTINCT text) FROM xj_test_notes") == kUnits);
}

namespace {

// 2026-03-02 09:00 in Asia/Shanghai: the scheduled time of the runs below. serve runs at noon
// that day (XINJIAN_NOW), so they are due at once, whatever today's date is.
constexpr std::int64_t kRunAt = 1772413200LL * 1'000'000;
const char* const kServeNow = "2026-03-02T12:00:00";

void AddJob(Database& db, const std::string& name, const std::string& handler, const std::string& payload,
            std::int64_t retries = 0) {
  sched::JobSpec s;
  s.name = name;
  s.schedule = "0 3 1 1 *";  // not again in this test: its runs are queued by RunNow
  s.handler = handler;
  s.payload = payload;
  s.max_retries = retries;
  s.backoff_s = 0;
  Status st = sched::AddJob(db, s, kRunAt, "tester");
  INFO(st.message());
  REQUIRE(st.ok());
  auto at = sched::RunNow(db, name, kRunAt, "tester");
  INFO(at.status().message());
  REQUIRE(at.ok());
}

// The run of `job` at kRunAt once it is no longer due or running.
std::optional<sched::RunRecord> FinishedRun(Database& db, const std::string& job) {
  auto h = sched::History(db, job, 0);
  if (!h.ok()) return std::nullopt;
  for (const auto& r : h.value())
    if (r.scheduled_us == kRunAt && r.state != "due" && r.state != "running") return r;
  return std::nullopt;
}

std::string Key(const std::string& job) { return job + "@" + std::to_string(kRunAt); }

}  // namespace

TEST_CASE("serve: a plugin's job handler writes through RunInTransaction, committed with the run's outcome",
          "[serve][scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  const std::string dir = test::TempDir();
  const std::string feed = dir + "/events.jsonl", release = dir + "/release";
  AddJob(*db, "unit-ok", "xj-test.unit-write", R"({"units": 3, "notes": "来自作业 / from a job"})");
  AddJob(*db, "unit-fail", "xj-test.unit-write-fail", "{}");
  AddJob(*db, "unit-throw", "xj-test.unit-write", R"({"throw": true})");
  AddJob(*db, "unit-retry", "xj-test.unit-write", R"({"fail_attempts": 1})", 2);
  AddJob(*db, "unit-wait", "xj-test.unit-write", json{{"wait_for_file", release}}.dump());
  AddJob(*db, "echo", "xj-test.echo", R"({"n": 7})");  // host API 3: PublishEvent only

  test::BackgroundCli serve(ServeArgs(url, feed), {{"XINJIAN_NOW", kServeNow}});
  // While unit-wait's handler waits, before its first unit, it holds no lock: this process
  // can write (on SQLite a held write lock would make this fail after the busy timeout).
  REQUIRE(WaitFor([&] {
    auto h = sched::History(*db, "unit-wait", 0);
    return !serve.Running() || (h.ok() && !h->empty() && h->front().state == "running");
  }));
  INFO(serve.Err());
  REQUIRE(serve.Running());
  Commit(*db, {{"outside.during-run", "w", "{}"}});
  test::WriteFile(release, "go");

  for (const char* job : {"unit-ok", "unit-fail", "unit-throw", "unit-retry", "unit-wait", "echo"}) {
    INFO(job);
    CHECK(WaitFor([&] { return FinishedRun(*db, job).has_value(); }));
  }
  const std::string marks = "SELECT COUNT(*) FROM xj_test_job_marks WHERE job = ?";
  const std::string audits = "SELECT COUNT(*) FROM audit_log WHERE action = 'xj-test-jobs.mark.add' AND entity_key = ?";
  const std::string events =
      "SELECT COUNT(*) FROM events WHERE entity_key = ? AND topic IN ('xj-test-jobs.marked', 'notes.add')";

  {
    // Success: the row (3 units, each seeing the previous one's write), the audit record as
    // "job:unit-ok" at the scheduled time, and its events, with the run succeeded.
    auto run = FinishedRun(*db, "unit-ok");
    REQUIRE(run);
    INFO(run->message);
    CHECK(run->state == "succeeded");
    CHECK(run->attempt == 1);
    auto row = Column(
        *db, "SELECT scheduled_us || ':' || attempt || ':' || units FROM xj_test_job_marks WHERE job = 'unit-ok'");
    REQUIRE(row);
    CHECK(*row == std::vector<std::string>{std::to_string(kRunAt) + ":1:3"});
    auto actor = Column(
        *db, "SELECT actor || '@' || at_us FROM audit_log WHERE action = 'xj-test-jobs.mark.add' AND entity_key = ?",
        {Key("unit-ok")});
    REQUIRE(actor);
    CHECK(*actor == std::vector<std::string>{"job:unit-ok@" + std::to_string(kRunAt)});
    auto marked = Column(*db, "SELECT payload FROM events WHERE topic = 'xj-test-jobs.marked' AND entity_key = ?",
                         {Key("unit-ok")});
    REQUIRE(marked);
    REQUIRE(marked->size() == 1);
    const json m = json::parse(marked->front());
    CHECK(m["by"] == "job:unit-ok");
    CHECK(m["now_us"] == kRunAt);
    CHECK(Number(*db, "SELECT COUNT(*) FROM events WHERE entity_key = ? AND at_us = ?",
                 {Key("unit-ok"), std::to_string(kRunAt)}) == 2);
    // serve delivers the run's events too: the note of xj-test-notes, and the feed.
    CHECK(WaitFor([&] {
      auto notes = Column(*db, "SELECT text FROM xj_test_notes");
      return notes && *notes == std::vector<std::string>{"来自作业 / from a job"};
    }));
    CHECK(WaitFor([&] { return FeedHas(feed, "xj-test-jobs.marked", Key("unit-ok")); }));
  }
  for (const char* job : {"unit-fail", "unit-throw"}) {
    // Failure after writing, or a throw: the run failed, nothing of it kept.
    INFO(job);
    auto run = FinishedRun(*db, job);
    REQUIRE(run);
    CHECK(run->state == "failed");
    CHECK_THAT(run->message, Catch::Contains(std::string(job) == "unit-fail" ? "failing after writing" : "threw"));
    CHECK(Number(*db, marks, {std::string(job)}) == 0);
    CHECK(Number(*db, audits, {Key(job)}) == 0);
    CHECK(Number(*db, events, {Key(job)}) == 0);
  }
  {
    // The first attempt wrote and failed (rolled back); the retry of the same run wrote its
    // row once, with the same scheduled time.
    auto run = FinishedRun(*db, "unit-retry");
    REQUIRE(run);
    INFO(run->message);
    CHECK(run->state == "succeeded");
    CHECK(run->attempt == 2);
    auto row = Column(*db, "SELECT scheduled_us || ':' || attempt FROM xj_test_job_marks WHERE job = 'unit-retry'");
    REQUIRE(row);
    CHECK(*row == std::vector<std::string>{std::to_string(kRunAt) + ":2"});
    CHECK(Number(*db, audits, {Key("unit-retry")}) == 1);
    CHECK(Number(*db, events, {Key("unit-retry")}) == 1);
  }
  {
    auto run = FinishedRun(*db, "unit-wait");
    REQUIRE(run);
    INFO(run->message);
    CHECK(run->state == "succeeded");
    CHECK(Number(*db, marks, {std::string("unit-wait")}) == 1);
  }
  {
    // PublishEvent (host API 3) still works: its event committed with the run.
    auto run = FinishedRun(*db, "echo");
    REQUIRE(run);
    INFO(run->message);
    CHECK(run->state == "succeeded");
    auto echo = Column(*db, "SELECT payload FROM events WHERE topic = 'xj-test.echo' AND entity_key = 'echo'");
    REQUIRE(echo);
    REQUIRE(echo->size() == 1);
    CHECK(json::parse(echo->front())["scheduled_us"] == kRunAt);
  }
  StopCleanly(serve);
  auto audit = VerifyAudit(*db);
  REQUIRE(audit.ok());
  CHECK(audit->ok);
}
