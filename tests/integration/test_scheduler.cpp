// The scheduler (issue 5) in process, on SQLite and PostgreSQL (FreshDatabaseUrl): job
// validation with hostile input, runs keyed by their scheduled time, the three misfire
// policies after downtime (catch_up_all capped at 100), retries with backoff, timeouts,
// overlap forbid/allow, recovery of a dead node's run after its lease (and abandonment when
// the job forbids recovery), fencing of CompleteRun, pause/resume, run-now, starting
// deadlines, retention, and the single-node rule of SQLite.
//
// Every test runs a real Scheduler against a real database on a simulated clock (Clock with
// a speed): simulated minutes pass in fractions of a real second. Waits poll the database
// with a generous real-time bound; nothing asserts how fast anything was.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "database.h"
#include "jobs.h"
#include "journal.h"
#include "scan.h"
#include "test_support.h"

using namespace xj;
using namespace xj::sched;

namespace {

constexpr std::int64_t kMinute = 60'000'000;
// 2026-03-02 00:00:30 +08:00 (a Monday), half a minute before a fire of "* * * * *".
constexpr std::int64_t kT0 = 1772380830LL * 1'000'000;

std::int64_t RealUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A clock that starts at `sim_start` now and runs `speed` times faster than real time.
Clock SimClock(std::int64_t sim_start, double speed) {
  Clock c;
  c.simulated = true;
  c.sim_start_us = sim_start;
  c.real_start_us = RealUs();
  c.speed = speed;
  return c;
}

// A clock that stands still at `at` (speed 0): every tick of the scheduler sees the same
// instant, so how late each run starts is exactly what the test set, however slow the machine.
Clock FrozenClock(std::int64_t at) {
  Clock c;
  c.simulated = true;
  c.sim_start_us = at;
  c.real_start_us = 0;
  c.speed = 0;
  return c;
}

std::unique_ptr<Database> Open(const std::string& url) {
  auto db = Database::Open(url);
  INFO((db.ok() ? std::string() : db.status().message()));
  REQUIRE(db.ok());
  return std::move(db).value();
}

JobSpec Job(const std::string& name, const std::string& schedule, const std::string& handler) {
  JobSpec s;
  s.name = name;
  s.schedule = schedule;
  s.handler = handler;
  return s;
}

void Add(Database& db, const JobSpec& s, std::int64_t now = kT0) {
  auto st = AddJob(db, s, now, "tester");
  INFO(st.message());
  REQUIRE(st.ok());
}

// The misfire grace is at least two real minutes at the clock's speed, so a busy test machine
// (a stalled scheduler) is never taken for downtime, however fast the clock.
SchedulerOptions Options(const std::string& url, Clock clock) {
  SchedulerOptions o;
  o.db_url = url;
  o.workers = 3;
  o.clock = clock;
  o.tick_us = 20'000;                      // real time
  o.lease_us = 10 * kMinute;               // clock time
  o.misfire_grace_us = std::max<std::int64_t>(10 * kMinute, static_cast<std::int64_t>(120'000'000 * clock.speed));
  return o;
}

std::map<std::string, int> StateCounts(Database& db, const std::string& job) {
  auto h = History(db, job, 0);
  REQUIRE(h.ok());
  std::map<std::string, int> out;
  for (const auto& r : h.value()) ++out[r.state];
  return out;
}

// The one run row of `job` (the test fails when there is not exactly one).
RunRecord OnlyRun(Database& db, const std::string& job) {
  auto h = History(db, job, 0);
  INFO(job);
  REQUIRE(h.ok());
  REQUIRE(h->size() == 1);
  return h->front();
}

// Polls `cond` until it holds or 120 real seconds pass (a bound for a loaded machine); returns
// whether it held.
template <typename F>
bool WaitFor(F cond) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

std::int64_t CountRows(Database& db, const std::string& sql, const std::vector<std::optional<std::string>>& p = {}) {
  std::int64_t n = 0;
  auto st = ScanRows(db, sql, p, [&](const ScanRow& r) {
    n = std::stoll(std::string(r.values[0]));
    return false;
  });
  INFO(st.message());
  REQUIRE(st.ok());
  return n;
}

struct Recorder {
  std::mutex mu;
  std::vector<std::pair<std::string, std::int64_t>> calls;  // (job, scheduled_us)
  void Add(const JobRun& r) {
    std::lock_guard<std::mutex> l(mu);
    calls.emplace_back(r.job, r.scheduled_us);
  }
  std::size_t Count(const std::string& job) {
    std::lock_guard<std::mutex> l(mu);
    return static_cast<std::size_t>(std::count_if(calls.begin(), calls.end(), [&](const auto& c) { return c.first == job; }));
  }
};

}  // namespace

TEST_CASE("jobs: a job is validated and hostile input is refused with nothing stored", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  Add(*db, Job("good", "*/5 * * * *", "noop"));

  struct Bad {
    std::string what;
    JobSpec spec;
    StatusCode code;
  };
  std::vector<Bad> bad;
  auto with = [](auto f) {
    JobSpec s = Job("x", "* * * * *", "noop");
    f(s);
    return s;
  };
  bad.push_back({"empty name", with([](JobSpec& s) { s.name = ""; }), StatusCode::kInvalidArgument});
  bad.push_back({"long name", with([](JobSpec& s) { s.name = std::string(129, 'a'); }), StatusCode::kInvalidArgument});
  bad.push_back({"SQL in the name", with([](JobSpec& s) { s.name = "x'; DROP TABLE scheduler_jobs; --"; }),
                 StatusCode::kInvalidArgument});
  bad.push_back({"NUL in the name", with([](JobSpec& s) { s.name = std::string("a\0b", 3); }), StatusCode::kInvalidArgument});
  bad.push_back({"bad schedule", with([](JobSpec& s) { s.schedule = "61 * * * *"; }), StatusCode::kInvalidArgument});
  bad.push_back({"six fields", with([](JobSpec& s) { s.schedule = "* * * * * *"; }), StatusCode::kInvalidArgument});
  bad.push_back({"huge schedule", with([](JobSpec& s) { s.schedule = std::string(100000, '*'); }), StatusCode::kInvalidArgument});
  bad.push_back({"unknown zone", with([](JobSpec& s) { s.time_zone = "Mars/Olympus"; }), StatusCode::kInvalidArgument});
  bad.push_back({"zone path traversal", with([](JobSpec& s) { s.time_zone = "../../etc/passwd"; }), StatusCode::kInvalidArgument});
  bad.push_back({"no handler", with([](JobSpec& s) { s.handler = ""; }), StatusCode::kInvalidArgument});
  bad.push_back({"payload not JSON", with([](JobSpec& s) { s.payload = "{oops"; }), StatusCode::kInvalidArgument});
  bad.push_back({"payload an array", with([](JobSpec& s) { s.payload = "[1,2]"; }), StatusCode::kInvalidArgument});
  bad.push_back({"payload too big", with([](JobSpec& s) { s.payload = "{\"a\":\"" + std::string(70000, 'x') + "\"}"; }),
                 StatusCode::kInvalidArgument});
  bad.push_back({"negative retries", with([](JobSpec& s) { s.max_retries = -1; }), StatusCode::kInvalidArgument});
  bad.push_back({"zero timeout", with([](JobSpec& s) { s.timeout_s = 0; }), StatusCode::kInvalidArgument});
  bad.push_back({"existing name", with([](JobSpec& s) { s.name = "good"; }), StatusCode::kAlreadyExists});
  for (const auto& b : bad) {
    INFO(b.what);
    const Status st = AddJob(*db, b.spec, kT0, "tester");
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == b.code);
    CHECK_FALSE(st.message().empty());
  }
  auto jobs = ListJobs(*db);
  REQUIRE(jobs.ok());
  REQUIRE(jobs->size() == 1);
  const JobRecord& j = jobs->front();
  CHECK(j.spec.name == "good");
  CHECK(j.spec.schedule == "*/5 * * * *");
  CHECK(j.spec.time_zone == "Asia/Shanghai");
  CHECK(j.spec.misfire == Misfire::kFireOnceNow);
  CHECK(j.spec.overlap == Overlap::kForbid);
  CHECK(j.next_fire_us == kT0 - 30'000'000 + 5 * kMinute);  // 00:05:00
  // The job's creation is in the audit log and the chain is intact.
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'scheduler_job' AND entity_key = 'good'") == 1);
  auto v = VerifyAudit(*db);
  REQUIRE(v.ok());
  CHECK(v->ok);
  // Unknown names for the other commands.
  CHECK(SetEnabled(*db, "nope", false, kT0, "t").code() == StatusCode::kNotFound);
  CHECK(RunNow(*db, "nope", kT0, "t").status().code() == StatusCode::kNotFound);
}

TEST_CASE("jobs: each fire time is one run keyed by its scheduled time, run once", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  Add(*db, Job("every-minute", "* * * * *", "record"));
  Add(*db, Job("shanghai-0002", "2 0 * * *", "record"));
  JobSpec utc = Job("utc-0002", "2 0 * * *", "record");  // 00:02 UTC = 08:02 in Shanghai
  utc.time_zone = "UTC";
  Add(*db, utc);
  Recorder rec;
  HandlerRegistry reg;
  REQUIRE(reg.Add("record", [&](const JobRun& r, Database&) {
    rec.Add(r);
    return Status::Ok();
  }).ok());
  CHECK(reg.Add("record", [](const JobRun&, Database&) { return Status::Ok(); }).code() == StatusCode::kAlreadyExists);
  {
    Scheduler s(Options(url, SimClock(kT0, 600)), &reg);  // a simulated minute per 0.1 s
    REQUIRE(s.Start().ok());
    REQUIRE(WaitFor([&] { return rec.Count("every-minute") >= 4; }));
    s.Stop();
  }
  // Every run: an exact minute, strictly increasing, each once; all succeeded.
  std::set<std::int64_t> seen;
  for (const auto& [job, at] : rec.calls) {
    if (job != "every-minute") continue;
    CHECK(at % kMinute == 0);
    CHECK(seen.insert(at).second);
  }
  CHECK(*seen.begin() == kT0 + 30'000'000);  // 00:01:00, the first fire after the start
  auto h = History(*db, "every-minute", 0);
  REQUIRE(h.ok());
  // Each run the handler saw succeeded once; the stop may leave the next fires queued (due,
  // never claimed) after them, and nothing else.
  for (const auto& r : h.value()) {
    INFO(r.state << " at " << r.scheduled_us << ", attempt " << r.attempt);
    if (seen.count(r.scheduled_us) == 1) {
      CHECK(r.state == "succeeded");
      CHECK(r.attempt == 1);
    } else {
      CHECK(r.state == "due");
      CHECK(r.attempt == 0);
      CHECK(r.scheduled_us > *seen.rbegin());
    }
  }
  // 00:02 in Shanghai fired; 00:02 UTC (08:02 in Shanghai) did not.
  CHECK(rec.Count("shanghai-0002") == 1);
  CHECK(rec.Count("utc-0002") == 0);
  for (const auto& [job, at] : rec.calls)
    if (job == "shanghai-0002") CHECK(at == kT0 + 90'000'000);
}

TEST_CASE("jobs: after three hours down each misfire policy does what it says", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  for (const auto& [name, m] : std::vector<std::pair<std::string, Misfire>>{
           {"once", Misfire::kFireOnceNow}, {"skip", Misfire::kSkip}, {"all", Misfire::kCatchUpAll}}) {
    JobSpec s = Job("hourly-" + name, "0 * * * *", "record");
    s.misfire = m;
    Add(*db, s);
    JobSpec e = Job("minutely-" + name, "* * * * *", "record");  // 210 misfires: over the cap of 100
    e.misfire = m;
    Add(*db, e);
  }
  Recorder rec;
  HandlerRegistry reg;
  REQUIRE(reg.Add("record", [&](const JobRun& r, Database&) {
    rec.Add(r);
    return Status::Ok();
  }).ok());
  // Nothing ran from 00:00:30 to 03:30:30; the scheduler starts then, its clock stopped there
  // (no fire comes due while the catch-up runs, however long it takes).
  SchedulerOptions o = Options(url, FrozenClock(kT0 + 210 * kMinute));
  o.misfire_grace_us = 10'000'000;  // 03:30:00 is then a misfire too
  {
    Scheduler s(o, &reg);
    REQUIRE(s.Start().ok());
    REQUIRE(WaitFor([&] {
      // Runs first, then none due: the other order could see "none due" before the scheduler
      // committed its runs and "some runs" just after, and stop it before any ran.
      return CountRows(*db, "SELECT COUNT(*) FROM scheduler_runs") > 0 &&
             CountRows(*db, "SELECT COUNT(*) FROM scheduler_runs WHERE state IN ('due', 'running')") == 0;
    }));
    s.Stop();
  }
  // Hourly: 01:00, 02:00, 03:00 were missed.
  CHECK(StateCounts(*db, "hourly-once") == std::map<std::string, int>{{"missed", 2}, {"succeeded", 1}});
  CHECK(StateCounts(*db, "hourly-skip") == std::map<std::string, int>{{"skipped", 3}});
  CHECK(StateCounts(*db, "hourly-all") == std::map<std::string, int>{{"succeeded", 3}});
  CHECK(rec.Count("hourly-once") == 1);
  CHECK(rec.Count("hourly-all") == 3);
  // fire_once_now runs the latest misfire, keyed by its own time (03:00), never by "now".
  for (const auto& [job, at] : rec.calls)
    if (job == "hourly-once") CHECK(at == kT0 - 30'000'000 + 180 * kMinute);
  // catch_up_all runs the hourly ones in order.
  std::vector<std::int64_t> order;
  for (const auto& [job, at] : rec.calls)
    if (job == "hourly-all") order.push_back(at);
  CHECK(std::is_sorted(order.begin(), order.end()));
  // Every minute from 00:01 to 03:30: 210 misfires. catch_up_all runs the last 100 and records
  // the rest as skipped (at most 100 records per kind); skip records the last 100.
  CHECK(rec.Count("minutely-all") == 100);
  auto all = StateCounts(*db, "minutely-all");
  CHECK(all["succeeded"] == 100);
  CHECK(all["skipped"] == 100);
  CHECK(StateCounts(*db, "minutely-skip") == std::map<std::string, int>{{"skipped", 100}});
  CHECK(rec.Count("minutely-once") == 1);
  CHECK(rec.Count("minutely-skip") == 0);
  // The history says why.
  auto h = History(*db, "hourly-skip", 1);
  REQUIRE(h.ok());
  REQUIRE(h->size() == 1);
  CHECK(h->front().message.find("missed") != std::string::npos);
}

TEST_CASE("jobs: failures are retried with doubling backoff, then recorded as failed", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  JobSpec flaky = Job("flaky", "0 1 * * *", "flaky");
  flaky.max_retries = 3;
  flaky.backoff_s = 10;
  Add(*db, flaky);
  JobSpec broken = Job("broken", "0 1 * * *", "broken");
  broken.max_retries = 1;
  broken.backoff_s = 10;
  Add(*db, broken);
  Add(*db, Job("orphan", "0 1 * * *", "no.such.handler"));
  std::mutex mu;
  std::vector<std::int64_t> flaky_starts;
  std::atomic<int> flaky_calls{0};
  HandlerRegistry reg;
  Clock clock = SimClock(kT0 + 59 * kMinute, 60);  // 00:59:30, half a minute before the fire
  REQUIRE(reg.Add("flaky", [&](const JobRun& r, Database&) {
    {
      std::lock_guard<std::mutex> l(mu);
      flaky_starts.push_back(clock.NowUs());
    }
    if (++flaky_calls < 3) return Status::Error(StatusCode::kUnavailable, "暂时不可用 " + std::to_string(r.attempt),
                                                "unavailable " + std::to_string(r.attempt));
    return Status::Ok();
  }).ok());
  REQUIRE(reg.Add("broken", [](const JobRun&, Database&) {
    return Status::Error(StatusCode::kInternal, "坏了", "broken");
  }).ok());
  {
    Scheduler s(Options(url, clock), &reg);
    REQUIRE(s.Start().ok());
    REQUIRE(WaitFor([&] {
      return CountRows(*db, "SELECT COUNT(*) FROM scheduler_runs WHERE state IN ('succeeded', 'failed')") == 3;
    }));
    s.Stop();
  }
  const RunRecord f = OnlyRun(*db, "flaky");
  CHECK(f.state == "succeeded");
  CHECK(f.attempt == 3);
  REQUIRE(flaky_starts.size() == 3);
  // Waits of 10 s then 20 s (clock time), at least.
  CHECK(flaky_starts[1] - flaky_starts[0] >= 10'000'000);
  CHECK(flaky_starts[2] - flaky_starts[1] >= 20'000'000);
  const RunRecord b = OnlyRun(*db, "broken");
  CHECK(b.state == "failed");
  CHECK(b.attempt == 2);
  CHECK(b.message.find("broken") != std::string::npos);
  const RunRecord o = OnlyRun(*db, "orphan");
  CHECK(o.state == "failed");
  CHECK(o.message.find("no handler no.such.handler") != std::string::npos);
}

TEST_CASE("jobs: a run past its timeout is cancelled and failed, its late completion refused", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  JobSpec slow = Job("slow", "* * * * *", "slow");
  slow.timeout_s = 5;
  Add(*db, slow);
  std::atomic<int> saw_cancel{0};
  std::atomic<int> late_refused{0};
  HandlerRegistry reg;
  Clock clock = SimClock(kT0, 60);
  REQUIRE(reg.Add("slow", [&](const JobRun& r, Database& conn) {
    // Works until cancelled (at most a real minute, however late the scheduler's check comes),
    // then tries to complete anyway.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until && !r.Cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (r.Cancelled()) ++saw_cancel;
    WriteTransaction tx(conn);
    if (auto st = tx.Begin(); !st.ok()) return st;
    const Status st = CompleteRun(r, conn, clock.NowUs());
    if (st.code() == StatusCode::kConflict) ++late_refused;
    return st;
  }).ok());
  {
    Scheduler s(Options(url, clock), &reg);
    REQUIRE(s.Start().ok());
    REQUIRE(WaitFor([&] { return CountRows(*db, "SELECT COUNT(*) FROM scheduler_runs WHERE state = 'failed'") >= 1; }));
    REQUIRE(WaitFor([&] { return late_refused.load() >= 1; }));
    s.Stop();
    CHECK(s.stats().runs_timed_out >= 1);
  }
  CHECK(saw_cancel >= 1);
  auto h = History(*db, "slow", 0);
  REQUIRE(h.ok());
  bool found = false;
  for (const auto& r : h.value())
    if (r.state == "failed") {
      found = true;
      CHECK(r.message.find("timed out") != std::string::npos);
    }
  CHECK(found);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scheduler_runs WHERE state = 'succeeded'") == 0);
}

TEST_CASE("jobs: overlap forbid never runs a job twice at once, allow does", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  JobSpec f = Job("forbid", "* * * * *", "slow");
  Add(*db, f);
  JobSpec a = Job("allow", "* * * * *", "slow");
  a.overlap = Overlap::kAllow;
  Add(*db, a);
  std::mutex mu;
  std::map<std::string, int> running, peak;
  HandlerRegistry reg;
  Clock clock = SimClock(kT0, 600);
  REQUIRE(reg.Add("slow", [&](const JobRun& r, Database&) {
    {
      std::lock_guard<std::mutex> l(mu);
      peak[r.job] = std::max(peak[r.job], ++running[r.job]);
    }
    // Three simulated minutes: longer than the period.
    const std::int64_t until = clock.NowUs() + 3 * kMinute;
    while (clock.NowUs() < until && !r.Cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard<std::mutex> l(mu);
    --running[r.job];
    return Status::Ok();
  }).ok());
  SchedulerOptions o = Options(url, clock);
  o.workers = 6;
  {
    Scheduler s(o, &reg);
    REQUIRE(s.Start().ok());
    REQUIRE(WaitFor([&] {
      std::lock_guard<std::mutex> l(mu);
      return peak["allow"] >= 2;
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(800));  // several more minutes
    s.Stop();
  }
  CHECK(peak["forbid"] == 1);
  CHECK(peak["allow"] >= 2);
  // The forbid job's runs waited their turn: none was lost, they are due or done.
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scheduler_runs WHERE job = 'forbid' AND state NOT IN ('due', 'succeeded')") == 0);
}

TEST_CASE("jobs: a dead node's run is recovered after its lease, or abandoned when the job says so", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  Add(*db, Job("recoverable", "0 12 * * *", "record"));
  JobSpec no = Job("not-recoverable", "0 12 * * *", "record");
  no.recover = false;
  Add(*db, no);
  // A node claimed both runs at 00:00:00 with a lease to 00:00:10 and died.
  for (const char* job : {"recoverable", "not-recoverable"})
    REQUIRE(ScanRows(*db,
                     "INSERT INTO scheduler_runs(job, scheduled_us, state, attempt, not_before_us, node, lease_until_us, "
                     "started_at_us) VALUES (?, ?, 'running', 1, ?, 'dead-node', ?, ?)",
                     {std::string(job), std::to_string(kT0 - 30'000'000), std::to_string(kT0 - 30'000'000),
                      std::to_string(kT0 - 20'000'000), std::to_string(kT0 - 30'000'000)},
                     [](const ScanRow&) { return true; })
                .ok());
  Recorder rec;
  HandlerRegistry reg;
  REQUIRE(reg.Add("record", [&](const JobRun& r, Database&) {
    rec.Add(r);
    return Status::Ok();
  }).ok());
  SchedulerOptions o = Options(url, SimClock(kT0, 60));
  {
    // On SQLite the first node also recovers at once on start (it holds the lock, so the
    // other process is gone); on PostgreSQL the expired lease is what counts.
    Scheduler s(o, &reg);
    REQUIRE(s.Start().ok());
    REQUIRE(WaitFor([&] { return rec.Count("recoverable") == 1; }));
    REQUIRE(WaitFor([&] { return StateCounts(*db, "recoverable")["succeeded"] == 1; }));
    s.Stop();
  }
  const RunRecord h = OnlyRun(*db, "recoverable");
  CHECK(h.attempt == 2);
  CHECK(h.node != "dead-node");
  CHECK(rec.Count("not-recoverable") == 0);
  const RunRecord n = OnlyRun(*db, "not-recoverable");
  CHECK(n.state == "abandoned");
  CHECK(n.message.find("does not allow recovery") != std::string::npos);
}

TEST_CASE("jobs: a run taken away from its node cannot complete (fencing)", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  Add(*db, Job("j", "0 12 * * *", "x"));
  REQUIRE(ScanRows(*db,
                   "INSERT INTO scheduler_runs(job, scheduled_us, state, attempt, not_before_us, node, lease_until_us) "
                   "VALUES ('j', 1, 'running', 2, 1, 'node-b', 99)",
                   {}, [](const ScanRow&) { return true; })
              .ok());
  JobRun mine;
  mine.job = "j";
  mine.scheduled_us = 1;
  mine.node = "node-a";
  mine.attempt = 1;
  {
    WriteTransaction tx(*db);
    REQUIRE(tx.Begin().ok());
    CHECK(CompleteRun(mine, *db, 5).code() == StatusCode::kConflict);
    CHECK_FALSE(mine.completed);
  }
  mine.node = "node-b";  // the right node but an old attempt
  {
    WriteTransaction tx(*db);
    REQUIRE(tx.Begin().ok());
    CHECK(CompleteRun(mine, *db, 5).code() == StatusCode::kConflict);
  }
  mine.attempt = 2;
  {
    WriteTransaction tx(*db);
    REQUIRE(tx.Begin().ok());
    REQUIRE(CompleteRun(mine, *db, 5).ok());
    CHECK(mine.completed);
    REQUIRE(tx.Commit().ok());
  }
  CHECK(StateCounts(*db, "j") == std::map<std::string, int>{{"succeeded", 1}});
}

TEST_CASE("jobs: pause, resume from now, run-now, starting deadline and retention", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  Add(*db, Job("paused", "* * * * *", "record"));
  REQUIRE(SetEnabled(*db, "paused", false, kT0, "tester").ok());
  JobSpec strict = Job("strict", "0 * * * *", "record");
  strict.starting_deadline_s = 60;
  strict.misfire = Misfire::kCatchUpAll;
  Add(*db, strict);
  Add(*db, Job("manual", "0 0 1 1 *", "record"));
  // A finished run from long ago, past the retention.
  REQUIRE(ScanRows(*db,
                   "INSERT INTO scheduler_runs(job, scheduled_us, state, attempt, not_before_us, finished_at_us) "
                   "VALUES ('manual', 5, 'succeeded', 1, 5, 5)",
                   {}, [](const ScanRow&) { return true; })
              .ok());
  Recorder rec;
  HandlerRegistry reg;
  REQUIRE(reg.Add("record", [&](const JobRun& r, Database&) {
    rec.Add(r);
    return Status::Ok();
  }).ok());
  // Down for two hours: the strict job's misfires are caught up, but past their starting
  // deadline (60 s), so missed rather than run late.
  const std::int64_t start = kT0 + 122 * kMinute;  // 02:02:30
  Clock clock = SimClock(start, 60);
  SchedulerOptions o = Options(url, clock);
  o.misfire_grace_us = 10'000'000;
  o.history_us = 86400LL * 1'000'000;
  {
    Scheduler s(o, &reg);
    REQUIRE(s.Start().ok());
    auto r = RunNow(*db, "manual", clock.NowUs(), "tester");
    REQUIRE(r.ok());
    REQUIRE(WaitFor([&] { return rec.Count("manual") == 1; }));
    REQUIRE(WaitFor([&] { return StateCounts(*db, "strict")["missed"] == 2; }));
    s.Stop();
  }
  CHECK(rec.Count("paused") == 0);
  CHECK(rec.Count("strict") == 0);
  CHECK(StateCounts(*db, "strict") == std::map<std::string, int>{{"missed", 2}});
  // The old run was pruned; the run-now run is there.
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scheduler_runs WHERE job = 'manual' AND scheduled_us = 5") == 0);
  CHECK(StateCounts(*db, "manual") == std::map<std::string, int>{{"succeeded", 1}});
  // Resumed at 05:00:30: the next fire is 05:01, the paused hours are not misfires.
  REQUIRE(SetEnabled(*db, "paused", true, kT0 + 300 * kMinute, "tester").ok());
  auto jobs = ListJobs(*db);
  REQUIRE(jobs.ok());
  for (const auto& j : jobs.value())
    if (j.spec.name == "paused") {
      CHECK(j.spec.enabled);
      CHECK(j.next_fire_us == kT0 + 300 * kMinute + 30'000'000);
    }
  CHECK(StateCounts(*db, "paused").empty());
}

TEST_CASE("jobs: SQLite runs one scheduler node and refuses a second politely", "[scheduler]") {
  if (test::Backend() != "sqlite") return;  // PostgreSQL runs several (tests/e2e/scheduler_nodes.py)
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  HandlerRegistry reg;
  Scheduler a(Options(url, SimClock(kT0, 1)), &reg);
  REQUIRE(a.Start().ok());
  Scheduler b(Options(url, SimClock(kT0, 1)), &reg);
  const Status st = b.Start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.code() == StatusCode::kFailedPrecondition);
  CHECK(st.message().find("PostgreSQL") != std::string::npos);
  CHECK(st.message().find(a.node_id()) != std::string::npos);
  a.Stop();
  Scheduler c(Options(url, SimClock(kT0, 1)), &reg);
  CHECK(c.Start().ok());  // the lock is free again
  c.Stop();
}

TEST_CASE("jobs: a starting deadline misses only the runs not started in time, to the microsecond", "[scheduler]") {
  // Issue 12: on SQLite every run of a job with a starting deadline was marked missed, on time
  // or not (the bound was compared with a text parameter), through fire times and run-now.
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  constexpr std::int64_t kSecond = 1'000'000;
  const std::int64_t now = kT0 + 90 * kSecond;  // 00:02:00: the scheduler's clock stands here
  auto job = [](const std::string& name, const std::string& schedule, std::int64_t deadline_s) {
    JobSpec s = Job(name, schedule, "record");
    s.starting_deadline_s = deadline_s;
    return s;
  };
  // Fire times 00:01 (60 s late at 00:02) and 00:02 (on time), within the misfire grace.
  Add(*db, job("cron-inside", "* * * * *", 60));   // 00:01 starts exactly at its deadline
  Add(*db, job("cron-outside", "* * * * *", 59));  // 00:01 is one second past it
  Add(*db, job("cron-none", "* * * * *", 0));      // no deadline
  // Manual runs (docs/scheduler.md's example: run-now of a job with --starting-deadline 3600).
  const std::string yearly = "0 0 1 1 *";
  Add(*db, job("now-on-time", yearly, 3600));
  Add(*db, job("now-inside", yearly, 3600));
  Add(*db, job("now-outside", yearly, 3600));
  Add(*db, job("now-longest", yearly, kMaxStartingDeadlineS));
  REQUIRE(RunNow(*db, "now-on-time", now, "tester").ok());
  REQUIRE(RunNow(*db, "now-inside", now - 3600 * kSecond, "tester").ok());       // exactly at the deadline
  REQUIRE(RunNow(*db, "now-outside", now - 3600 * kSecond - 1, "tester").ok());  // 1 µs past it
  REQUIRE(RunNow(*db, "now-longest", now - kMaxStartingDeadlineS * kSecond, "tester").ok());

  Recorder rec;
  HandlerRegistry reg;
  REQUIRE(reg.Add("record", [&](const JobRun& r, Database&) {
    rec.Add(r);
    return Status::Ok();
  }).ok());
  const std::map<std::string, std::map<std::string, int>> want{
      {"cron-inside", {{"succeeded", 2}}},
      {"cron-outside", {{"missed", 1}, {"succeeded", 1}}},
      {"cron-none", {{"succeeded", 2}}},
      {"now-on-time", {{"succeeded", 1}}},
      {"now-inside", {{"succeeded", 1}}},
      {"now-outside", {{"missed", 1}}},
      {"now-longest", {{"succeeded", 1}}},
  };
  auto all = [&] {
    std::map<std::string, std::map<std::string, int>> got;
    for (const auto& [name, counts] : want) got[name] = StateCounts(*db, name);
    return got;
  };
  {
    Scheduler s(Options(url, FrozenClock(now)), &reg);
    REQUIRE(s.Start().ok());
    const bool done = WaitFor([&] { return all() == want; });
    s.Stop();
    CHECK(done);
  }
  CHECK(all() == want);
  // A missed run never reached its handler and says why; the others ran at their own key.
  CHECK(rec.Count("now-outside") == 0);
  CHECK(rec.Count("cron-outside") == 1);
  CHECK(rec.Count("now-inside") == 1);
  const RunRecord late = OnlyRun(*db, "now-outside");
  CHECK(late.state == "missed");
  CHECK(late.started_at_us == 0);
  CHECK(late.message.find("超过启动期限 / past the starting deadline") != std::string::npos);
  auto h = History(*db, "cron-outside", 0);
  REQUIRE(h.ok());
  for (const auto& r : h.value()) CHECK(r.state == (r.scheduled_us == now - kMinute ? "missed" : "succeeded"));

  // Hostile deadlines are refused with nothing stored: negative, past the longest (a huge one
  // overflowed the bound in SQL: on PostgreSQL every tick failed, for every job).
  for (std::int64_t bad : {std::int64_t{-1}, kMaxStartingDeadlineS + 1, std::int64_t{9'300'000'000'000},
                           std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}) {
    INFO(bad);
    const Status st = AddJob(*db, job("hostile", "* * * * *", bad), now, "tester");
    CHECK(st.code() == StatusCode::kInvalidArgument);
  }
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scheduler_jobs WHERE name = 'hostile'") == 0);
}

TEST_CASE("jobs: an unknown job name is an error naming it, for history, pause, resume and run-now", "[scheduler]") {
  // Issue 12: `jobs history nosuch` printed nothing with exit 0.
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  Add(*db, Job("known", "* * * * *", "noop"));
  REQUIRE(RunNow(*db, "known", kT0, "tester").ok());
  auto known = History(*db, "known", 0);
  REQUIRE(known.ok());
  CHECK(known->size() == 1);
  auto none = History(*db, "", 0);  // every job's runs
  REQUIRE(none.ok());
  CHECK(none->size() == 1);
  for (const std::string& name : {std::string("nosuch"), std::string("KNOWN"), std::string("known "),
                                  std::string("x'; DROP TABLE scheduler_runs; --"), std::string("\x1b[31mred\x1b[0m"),
                                  std::string(5000, 'k')}) {
    INFO(name.substr(0, 40));
    auto h = History(*db, name, 0);
    REQUIRE_FALSE(h.ok());
    CHECK(h.status().code() == StatusCode::kNotFound);
    const std::string m = h.status().message();
    CHECK_THAT(m, Catch::StartsWith("没有定时任务 \""));
    CHECK(m.find(" / no job \"") != std::string::npos);
    CHECK(m.find('\x1b') == std::string::npos);  // typed text is quoted, control bytes shown as '?'
    CHECK(m.size() < 300);
    CHECK(SetEnabled(*db, name, false, kT0, "tester").code() == StatusCode::kNotFound);
    CHECK(SetEnabled(*db, name, true, kT0, "tester").code() == StatusCode::kNotFound);
    CHECK(RunNow(*db, name, kT0, "tester").status().code() == StatusCode::kNotFound);
  }
  CHECK_THAT(History(*db, "nosuch", 0).status().message(),
             Catch::Equals("没有定时任务 \"nosuch\" / no job \"nosuch\""));
  // Nothing was changed by the refused commands.
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scheduler_runs") == 1);
  CHECK(CountRows(*db, "SELECT COUNT(*) FROM scheduler_jobs") == 1);
}

TEST_CASE("jobs: a handler must be registered, and the refusal lists the registered ones", "[scheduler]") {
  HandlerRegistry reg;
  REQUIRE(reg.Add("noop", [](const JobRun&, Database&) { return Status::Ok(); }).ok());
  REQUIRE(reg.Add("deadlines.refresh", [](const JobRun&, Database&) { return Status::Ok(); }).ok());
  CHECK(reg.CheckRegistered("noop").ok());
  CHECK(reg.CheckRegistered("deadlines.refresh").ok());
  for (const std::string& name : {std::string("hello.greet"), std::string("NOOP"), std::string("noop "), std::string(""),
                                  std::string("\x1b]0;title\x07"), std::string(10000, 'h')}) {
    INFO(name.substr(0, 40));
    const Status st = reg.CheckRegistered(name);
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == StatusCode::kNotFound);
    CHECK(st.message().find('\x1b') == std::string::npos);
    CHECK(st.message().size() < 600);
  }
  CHECK_THAT(reg.CheckRegistered("hello.greet").message(),
             Catch::Equals("没有已注册的处理程序 \"hello.greet\"（提供它的插件未加载？）；已注册的处理程序：deadlines.refresh、noop"
                           " / no handler \"hello.greet\" is registered (is the plugin that offers it loaded?); registered "
                           "handlers: deadlines.refresh, noop"));
  HandlerRegistry empty;
  CHECK_THAT(empty.CheckRegistered("x").message(), Catch::Contains("已注册的处理程序：—"));
}

TEST_CASE("jobs: a node goes on running jobs after PostgreSQL ended its connections", "[scheduler]") {
  const std::string url = test::FreshDatabaseUrl();
  auto db = Open(url);
  if (db->dialect() != Dialect::kPostgresql) {
    SUCCEED("SQLite has no server to end a connection");
    return;
  }
  Add(*db, Job("every-minute", "* * * * *", "record"));
  Recorder rec;
  HandlerRegistry reg;
  REQUIRE(reg.Add("record", [&](const JobRun& r, Database& conn) {
    // The handler's connection works (a handler writes through it).
    auto st = ScanRows(conn, "SELECT 1", {}, [](const ScanRow&) { return true; });
    if (!st.ok()) return st;
    rec.Add(r);
    return Status::Ok();
  }).ok());
  Scheduler s(Options(url, SimClock(kT0, 600)), &reg);  // a simulated minute per 0.1 s
  REQUIRE(s.Start().ok());
  REQUIRE(WaitFor([&] { return rec.Count("every-minute") >= 2; }));
  // The server ends every other connection to this database, the node's and its workers'
  // (as a restart would), and has ended them when this returns (PostgreSQL 14 and later).
  REQUIRE(db->ExecScript("SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity WHERE datname = "
                         "current_database() AND pid <> pg_backend_pid()")
              .ok());
  const std::size_t before = rec.Count("every-minute");
  CHECK(WaitFor([&] { return rec.Count("every-minute") >= before + 3; }));
  s.Stop();
  // Every run the handler saw is recorded once, and none is left running.
  auto counts = StateCounts(*db, "every-minute");
  CHECK(counts["running"] == 0);
  CHECK(counts["succeeded"] >= static_cast<int>(before + 3));
}
