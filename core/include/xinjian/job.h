// Job handlers: the work a scheduled job does, registered by plugins.
//
// A job (`xinjian jobs add`) has a schedule, a time zone, a JSON payload and the name of a
// handler. When a fire time is due, the scheduler creates a run keyed by (job, scheduled
// time), claims it on exactly one node and calls the handler registered under that name
// (docs/scheduler.md). The host and plugins register handlers the same way; a plugin's
// handler reaches the database only through JobServices: units of work in the run's own
// transaction (RunInTransaction, host API 6) and reads (platform().Read).
//
// Write one like this (see docs/plugins.md and docs/examples/hello-plugin/):
//
//   class Greet final : public xj::JobHandler {
//     std::string Description() const override { return "问候 / greets"; }
//     xj::Status Run(const xj::JobInvocation& run, xj::JobServices& services) override {
//       return services.RunInTransaction([&](xj::UnitOfWork& uow) -> xj::Status {
//         // Keyed by the scheduled time: a retried or recovered run writes the same row.
//         auto n = uow.sql().Exec("INSERT INTO hello_greetings(job, at_us) VALUES (?, ?) ON CONFLICT DO NOTHING",
//                                 {run.job, uow.now_us()});
//         if (!n.ok()) return n.status();
//         return uow.Publish("hello.greeted", run.job, R"({"hello": "world"})");
//       });
//     }
//   };
//
// The run's transaction begins at the first RunInTransaction call and ends when Run returns
// (committed with the run's success, rolled back otherwise). Until then it holds the write
// lock of SQLite (one writer per database: the scheduler and every other writer wait) and,
// once a unit added audit records or events, the audit log's lock on PostgreSQL. So do the
// long work (reading files, calling services) before the first call, write at the end, and
// return. A handler that never calls it holds no lock while it runs. Inside Run, write only
// through RunInTransaction: platform().RunInTransaction answers kFailedPrecondition there,
// and a unit started on the platform kept from init would wait for the run's lock.
//   static xj::Status Init(xj::Registrar& reg) {
//     return reg.AddJobHandler("hello.greet", std::make_unique<Greet>());
//   }
//   XJ_PLUGIN(Init)
//
// and declare "job" in the manifest's capabilities.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xinjian/platform.h"
#include "xinjian/status.h"

namespace xj {

inline constexpr const char* kCapabilityJob = "job";

// One run of a job, as the handler sees it. Plain data, owned by the host for the call.
struct JobInvocation {
  std::string job;           // the job's name
  std::string handler;       // the name the handler was registered under
  std::string payload_json;  // the job's payload, a JSON object ("{}" when none)
  std::string time_zone;     // the IANA zone of the job's schedule, e.g. "Asia/Shanghai"
  std::string node;          // the node running it (for messages; never for decisions)
  // The run's key: the scheduled fire time, UTC epoch microseconds. Never "now": a run that
  // is retried, recovered from a dead node or started late gets the same value, so derive
  // everything time-dependent (dates, ids) from it.
  std::int64_t scheduled_us = 0;
  int attempt = 1;  // 1 for the first execution, 2, 3… for retries and recoveries of the run
};

// What the host offers a running handler. Valid only during Run; do not keep it. Used by one
// thread (the run's) at a time.
class JobServices {
 public:
  virtual ~JobServices() = default;
  // Records an event (topic, entity key, payload: a JSON object) in the platform's outbox,
  // in the run's own transaction: the events of a run are committed together with its
  // successful outcome, and discarded when Run returns an error, throws or is cancelled.
  // Subscribers then receive them at least once (events.h). Returns kInvalidArgument for an
  // empty topic or a payload that is not a JSON object.
  virtual Status PublishEvent(const std::string& topic, const std::string& key, const std::string& payload_json) = 0;
  // True once the run should stop: its timeout passed or the node is shutting down. A long
  // handler checks it between steps and returns (any status; the run is not a success).
  virtual bool Cancelled() const = 0;
  // The configuration value "plugins.<plugin name>.<key>" of the plugin that registered the
  // handler (as Registrar::Config), or `fallback`.
  virtual std::string Config(const std::string& key, const std::string& fallback) const = 0;
  // Host API 6. Runs `fn` as a unit of work (platform.h) as the system principal
  // "job:<job name>", inside the run's own transaction: its writes, audit records and events
  // commit together with the run's successful outcome and are discarded with it when Run
  // returns an error, throws or is cancelled. now_us() of the unit is the run's scheduled
  // time, so a retried run writes the same timestamps. May be called more than once in a run;
  // each call sees the writes of the previous ones. kFailedPrecondition when called inside
  // another unit of work.
  virtual Status RunInTransaction(const UnitOfWorkFn& fn) = 0;
  // The platform of the run: the clock, time zones, reads on the run's connection (inside its
  // transaction once it began). Its working-day calendar (Calendar) is read afresh for each
  // run, so a notice added under calendar.dir while `xinjian serve` runs counts from the next
  // run, without a restart.
  virtual Platform& platform() = 0;
};

// A job a plugin asks every platform to run (Registrar::AddDefaultJob, host API 7), e.g. the
// draw plugin's "builtin.draws-pending" every minute with its handler "draws.pending".
struct DefaultJob {
  std::string name;      // the job's name ([a-z0-9][a-z0-9.-]*), by convention "builtin.<what>"
  std::string schedule;  // 5-field cron or a working-day schedule (docs/scheduler.md)
  std::string handler;   // a handler this plugin registered
  std::string misfire = "fire_once_now";  // fire_once_now | skip | catch_up_all
  std::string payload_json = "{}";        // a JSON object
  std::string description;                // "中文 / English", for `plugins list`
};

// A job as a plugin command adds it (JobScheduler::AddJob): the fields of `xinjian jobs add`.
struct JobDefinition {
  std::string name;                       // unique among the jobs
  std::string schedule;                   // 5-field cron or a working-day schedule
  std::string time_zone = "Asia/Shanghai";
  std::string handler;                    // a registered handler (built in or a plugin's)
  std::string payload_json = "{}";        // a JSON object
  std::string misfire = "fire_once_now";  // fire_once_now | skip | catch_up_all
};

// The scheduler's jobs, as the host offers them to plugins (Platform::Jobs, host API 7).
class JobScheduler {
 public:
  virtual ~JobScheduler() = default;
  // Adds `job` (enabled), recorded in the audit log as added by `who`, committed at once (so
  // not inside a unit of work: kFailedPrecondition there). Returns its first fire time (UTC
  // epoch microseconds). kInvalidArgument naming the field for a bad name, schedule, time
  // zone, payload or misfire policy; kNotFound for a handler nobody registered;
  // kAlreadyExists when a job has the name.
  virtual Result<std::int64_t> AddJob(const Principal& who, const JobDefinition& job) = 0;
};

// A Platform for code written against Platform (a service that runs its own units of work)
// when it is called from a job handler: its units of work become JobServices::RunInTransaction
// calls (each a savepoint in the run's transaction, as the job's principal "job:<job name>"
// whatever principal the code passes), and everything else is services.platform(). So a
// library function runs the same way from a command and from a job. Valid during Run only,
// like the JobServices it wraps.
//
//   xj::JobPlatform platform(services);
//   TaskContext ctx{&platform, ...};   // CreateTask(ctx, ...) now writes in the run
class JobPlatform final : public Platform {
 public:
  explicit JobPlatform(JobServices& services) : services_(services), platform_(services.platform()) {}
  Status RunInTransaction(const Principal&, const UnitOfWorkFn& fn) override { return services_.RunInTransaction(fn); }
  Status Read(const ReadFn& fn) override { return platform_.Read(fn); }
  Status ReadSingle(const ReadFn& fn) override { return platform_.ReadSingle(fn); }
  std::int64_t NowMicros() const override { return platform_.NowMicros(); }
  Result<SqlDialect> Dialect() const override { return platform_.Dialect(); }
  const TimeService& Time() const override { return platform_.Time(); }
  Result<const WorkingDays*> Calendar() const override { return platform_.Calendar(); }
  const Sampler* FindSampler(const std::string& algorithm) const override { return platform_.FindSampler(algorithm); }
  const EntropySource* FindEntropySource(const std::string& name) const override {
    return platform_.FindEntropySource(name);
  }
  std::vector<std::string> SamplerNames() const override { return platform_.SamplerNames(); }
  std::vector<std::string> EntropySourceNames() const override { return platform_.EntropySourceNames(); }
  Result<SubjectIndexLease> Subjects() override { return platform_.Subjects(); }
  const RegionCodes& Regions() const override { return platform_.Regions(); }
  JobScheduler* Jobs() override { return platform_.Jobs(); }
  Result<std::unique_ptr<TableReader>> OpenTable(const std::string& path, const TableReaderOptions& options) override {
    return platform_.OpenTable(path, options);
  }
  Result<std::string> WriteXlsx(const opendata::Table& table, const opendata::XlsxOptions& options) override {
    return platform_.WriteXlsx(table, options);
  }
  const Scorer* FindScorer(const std::string& name) const override { return platform_.FindScorer(name); }
  std::vector<std::string> ScorerNames() const override { return platform_.ScorerNames(); }
  Result<std::int64_t> SetRiskClasses(UnitOfWork& uow, const std::vector<RiskClassChange>& changes) override {
    return platform_.SetRiskClasses(uow, changes);
  }
  const ListPolicy* FindListPolicy(const std::string& code) const override { return platform_.FindListPolicy(code); }
  std::vector<std::string> ListPolicyNames() const override { return platform_.ListPolicyNames(); }
  Result<std::int64_t> SetListings(UnitOfWork& uow, const std::vector<ListingsChange>& changes) override {
    return platform_.SetListings(uow, changes);
  }

 private:
  JobServices& services_;
  Platform& platform_;
};

// Implemented by plugins. Run may be called from several worker threads at the same time
// (different runs; with the overlap policy "allow" even runs of the same job): keep no
// mutable state without a lock. A run can execute more than once for the same
// (job, scheduled_us) (a retry, or a recovery after its node died), so its effects must be
// idempotent on that key. Return OK when the work is done; an error marks the run failed
// (retried as the job says) with the message recorded, bilingual "中文 / English". Do not
// throw across the plugin boundary (the host catches it and records the run as failed).
class JobHandler {
 public:
  virtual ~JobHandler() = default;
  // One line, "中文 / English", shown by `xinjian plugins list`.
  virtual std::string Description() const = 0;
  virtual Status Run(const JobInvocation& invocation, JobServices& services) = 0;
};

}  // namespace xj
