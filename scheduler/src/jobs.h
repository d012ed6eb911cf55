// Persistent jobs and the scheduler that runs them exactly once (issue 5).
//
// A job (table scheduler_jobs) has a schedule (5-field cron or a working-day schedule, see
// cron.h) in an IANA time zone, a handler name and a JSON payload. The scheduler turns each
// due fire time into a run row keyed by (job, scheduled time): inserting that key twice is a
// no-op, so two nodes can never create the same run. A node claims a due run with an UPDATE
// that only one transaction can win (on PostgreSQL under FOR UPDATE SKIP LOCKED, so nodes
// never wait on each other), runs the handler with the scheduled time as its key (never
// "now"), and records the outcome only if it still holds the run (fencing by node and
// lease). Nodes heartbeat and extend their runs' leases; a run whose node died is recovered
// after the lease expires when the job allows it (otherwise marked abandoned).
//
// Misfires (fire times that passed while nothing ran): fire_once_now runs the latest one and
// marks the others missed; skip marks them all skipped; catch_up_all runs them in order,
// at most 100 (older ones skipped). Overlap: forbid (default) claims a job's run only when
// none of its runs is running; allow runs them side by side.
//
// SQLite: one node; a second scheduler on the same database file is refused politely (an
// exclusive lock file). PostgreSQL: any number of nodes.
//
// Thread safety: a Scheduler owns its thread(s) and its own database connection(s); the
// JobStore functions take a Database used by one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "database.h"
#include "xinjian/status.h"

namespace xj::sched {

// The clock of a scheduler: the process clock (NowMicros: real time, shifted by XINJIAN_NOW),
// or (tests) a simulated time running `speed` times
// faster from `sim_start_us` at `real_start_us`, shared by every process that is given the
// same values (XINJIAN_TEST_CLOCK="SIM_START_US,REAL_START_US,SPEED"). Speed 0 is a clock that
// stands still at `sim_start_us`: every tick sees the same instant, so a test decides exactly
// how late a run is, whatever the machine's speed.
struct Clock {
  std::int64_t sim_start_us = 0, real_start_us = 0;
  double speed = 1.0;
  bool simulated = false;
  std::int64_t NowUs() const;
  // Real microseconds to sleep for `sim_us` of clock time.
  std::int64_t RealDelayUs(std::int64_t sim_us) const;
  static Result<Clock> FromEnvironment();  // real time when XINJIAN_TEST_CLOCK is unset
};

enum class Misfire { kFireOnceNow, kSkip, kCatchUpAll };
enum class Overlap { kForbid, kAllow };

// The longest starting deadline AddJob accepts: 366 days.
inline constexpr std::int64_t kMaxStartingDeadlineS = 366LL * 86400;

struct JobSpec {
  std::string name, schedule, time_zone = "Asia/Shanghai", handler, payload = "{}";
  bool enabled = true;
  Misfire misfire = Misfire::kFireOnceNow;
  Overlap overlap = Overlap::kForbid;
  // starting_deadline_s (0: none, at most kMaxStartingDeadlineS): a run may start up to this
  // long after its scheduled time, that instant included; a run not started by then is missed.
  std::int64_t starting_deadline_s = 0, max_retries = 0, backoff_s = 60, timeout_s = 3600;
  bool recover = true;
};
const char* MisfireName(Misfire m);
const char* OverlapName(Overlap o);

struct JobRecord {
  JobSpec spec;
  std::int64_t next_fire_us = 0;
};

struct RunRecord {
  std::string job;
  std::int64_t scheduled_us = 0;
  std::string state, node, message;
  int attempt = 0;
  std::int64_t started_at_us = 0, finished_at_us = 0;
};

// What a handler receives. `scheduled_us` is the run's key: a handler that writes must be
// idempotent on (job, scheduled_us) (a recovered run executes again), or make its effect and
// the run's completion one transaction with CompleteRun (then the effect happens exactly once).
struct JobRun {
  std::string job, handler, payload, time_zone, node;
  std::int64_t scheduled_us = 0;
  int attempt = 1;
  std::int64_t timeout_us = 0, max_retries = 0, backoff_us = 0;
  // Set when the run timed out or the node is stopping: a long handler should check it and
  // return early (its outcome is then not recorded).
  std::shared_ptr<const std::atomic<bool>> cancel;
  bool Cancelled() const { return cancel && cancel->load(); }
  // Set by CompleteRun.
  mutable bool completed = false;
};

// Marks `run` succeeded inside the caller's write transaction on `db`, only while this node
// still holds it (same node and attempt, still running). Commit the transaction with the
// handler's effect: both happen or neither. kConflict when the run was taken away (it timed
// out, or its lease expired and another node recovered it): roll back the effect.
Status CompleteRun(const JobRun& run, Database& db, std::int64_t finished_us);

// A handler runs on a worker thread with its own database connection.
using HandlerFn = std::function<Status(const JobRun& run, Database& db)>;

class HandlerRegistry {
 public:
  Status Add(const std::string& name, HandlerFn handler);
  const HandlerFn* Find(const std::string& name) const;
  std::vector<std::string> Names() const;  // ascending
  // Ok when `name` is registered; otherwise kNotFound naming it (quoted) and listing the
  // registered handlers, for a job that names a handler no plugin offers.
  Status CheckRegistered(const std::string& name) const;

 private:
  std::map<std::string, HandlerFn> handlers_;
};

// The next fire time strictly after `after_us` of `schedule` in `time_zone` (cron.h), or an
// error for a bad schedule.
Result<std::int64_t> NextFireUs(const std::string& schedule, const std::string& time_zone, std::int64_t after_us);

// Job administration (the `jobs` commands). Each change writes an audit record. A job named
// that does not exist is kNotFound, the message naming it (quoted), never an empty answer.
Status AddJob(Database& db, const JobSpec& spec, std::int64_t now_us, const std::string& actor);
Status SetEnabled(Database& db, const std::string& name, bool enabled, std::int64_t now_us, const std::string& actor);
// Inserts a run keyed by now (a manual run) unless one with that key exists.
Result<std::int64_t> RunNow(Database& db, const std::string& name, std::int64_t now_us, const std::string& actor);
Result<std::vector<JobRecord>> ListJobs(Database& db);
// The runs of `job` (every job's when empty), latest first, at most `limit` (0: all).
Result<std::vector<RunRecord>> History(Database& db, const std::string& job, std::int64_t limit);
// How many runs History(db, job, 0) would return (a listing cut by --limit names the total).
Result<std::int64_t> CountRuns(Database& db, const std::string& job);

struct SchedulerOptions {
  std::string db_url;
  std::string node_id;                 // default host:pid:random
  int workers = 4;                     // handler threads
  std::int64_t lease_us = 30'000'000;  // a run's lease; heartbeats extend it every lease/3
  std::int64_t tick_us = 500'000;      // at most this long between looks at the tables
  std::int64_t misfire_grace_us = 60'000'000;  // a fire time this late is still on time
  std::int64_t history_us = 90LL * 86400 * 1'000'000;  // finished runs kept this long (0: forever)
  Clock clock;
};

// Counters for the benchmark and the status line.
struct SchedulerStats {
  std::atomic<std::int64_t> runs_started{0}, runs_succeeded{0}, runs_failed{0}, runs_timed_out{0}, ticks{0};
};

class Scheduler {
 public:
  Scheduler(SchedulerOptions options, const HandlerRegistry* handlers);
  ~Scheduler();
  // Opens the connections, registers the node (refused on SQLite when another node holds the
  // lock) and starts the threads.
  Status Start();
  // Stops claiming, sets the running handlers' cancel flags and waits for them, gives back
  // the runs claimed but not started, marks the node stopped.
  void Stop();
  const std::string& node_id() const { return options_.node_id; }
  const SchedulerStats& stats() const { return stats_; }
  // Fire latency samples (clock time from scheduled to started), microseconds.
  std::vector<std::int64_t> TakeLatencies();

 private:
  struct InFlight;
  struct Outcome {
    JobRun run;
    Status result;
    std::int64_t finished_us = 0;
    bool released = false;  // cancelled because the node stops: back to due, not failed
  };
  struct Pool;
  void Loop();
  // One pass; *more when a batch was full (look again at once); *wake_us: the next instant
  // something is due (job fire time or retry), for the sleep.
  Status Tick(bool* more, std::int64_t* wake_us);
  Status Materialize(std::int64_t now, bool* more);
  Status Recover(std::int64_t now);
  Status RecoverOwnCrash(std::int64_t now);  // SQLite: runs left running by a dead process
  Status Claim(std::int64_t now, int capacity, std::vector<JobRun>* runs);
  Status Flush();                  // records the finished runs' outcomes in one transaction
  Status CheckTimeouts(std::int64_t now);
  Status Prune(std::int64_t now);  // drops finished runs older than history_us
  Status Heartbeat(std::int64_t now);
  Result<std::int64_t> NextWake();
  void Work(std::shared_ptr<Database> conn);

  SchedulerOptions options_;
  const HandlerRegistry* handlers_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Pool> pool_;
  int lock_fd_ = -1;
  std::thread loop_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;                         // guards outcomes_, latencies_, inflight_
  std::condition_variable wake_;          // the loop's sleep (Stop wakes it)
  std::vector<Outcome> outcomes_;
  std::map<std::pair<std::string, std::int64_t>, std::shared_ptr<InFlight>> inflight_;
  std::vector<std::thread> workers_;
  std::atomic<int> busy_{0};
  std::vector<std::int64_t> latencies_;
  SchedulerStats stats_;
  std::int64_t last_heartbeat_ = 0, last_prune_ = 0;
  int claim_window_ = 0;  // runs claimed at most per transaction (adaptive, see Tick)
  int live_nodes_ = 1;    // nodes with a recent heartbeat (PostgreSQL), from Heartbeat
};

}  // namespace xj::sched
