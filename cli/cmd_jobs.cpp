// xinjian serve [--no-scheduler], xinjian jobs list|add|pause|resume|run-now|history: the
// scheduler (scheduler/src/jobs.h) and the built-in job handlers.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "calendar.h"
#include "cli.h"
#include "database.h"
#include "event_pump.h"
#include "jobs.h"
#include "journal.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "scan.h"
#include "time_service.h"
#include "tz.h"
#include "web_server.h"
#include "xinjian/job.h"

namespace xj::cli {
extern int g_exit_code;

namespace {

using nlohmann::json;

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

// An instant in the job's time zone (Asia/Shanghai by default), e.g. 2026-03-02T09:00:00+08:00.
std::string Iso(std::int64_t us, const std::string& zone = kDefaultTimeZone) {
  if (us == 0) return "—";
  auto z = TimeZone::Find(zone);
  if (!z.ok()) z = TimeZone::Find(kDefaultTimeZone);
  const std::int64_t s = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  return FormatIsoTime(std::chrono::sys_seconds(std::chrono::seconds(s)), *z.value());
}

}  // namespace

// The handlers every node registers. Each is idempotent on (job, scheduled time): a run
// recovered from a dead node executes again.
void RegisterBuiltinHandlers(sched::HandlerRegistry& reg, Globals& /*g*/, const PluginHost* /*host*/,
                             const sched::Clock& clock) {
  // The features' handlers are their plugins' (RegisterPluginHandlers): draw.scheduled and
  // draws.pending of the draw plugin, deadlines.refresh of the inspection plugin.

  // The nightly audit check: an alert event when the chain is broken.
  (void)reg.Add("audit.verify", [](const sched::JobRun& run, Database& db) -> Status {
    auto rep = VerifyAudit(db);
    if (!rep.ok()) return rep.status();
    const bool ok = rep->ok;
    json payload{{"job", run.job},
                 {"scheduled_us", run.scheduled_us},
                 {"ok", ok},
                 {"records", rep->records},
                 {"first_bad_seq", rep->first_bad_seq}};
    return AppendJournal(db, "scheduler:" + run.job, run.scheduled_us, {},
                         {OutboxEvent{ok ? "audit.verified" : "alert.audit.broken", run.job, payload.dump()}});
  });
  // For tests: optionally sleeps (payload sleep_ms, in slices, stopping when cancelled) or
  // fails (payload fail), then writes one event per execution (topic scheduler.test.effect,
  // key job@scheduled_us) in the same transaction that completes the run (CompleteRun). A
  // second event with the same key would mean a run took effect twice.
  (void)reg.Add("test.record", [clock](const sched::JobRun& run, Database& db) -> Status {
    json p = json::parse(run.payload, nullptr, false);
    const long long sleep_ms = p.is_object() ? std::min(p.value("sleep_ms", 0LL), 600000LL) : 0LL;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(sleep_ms);
    while (std::chrono::steady_clock::now() < until) {
      if (run.Cancelled()) return Status::Error(StatusCode::kUnavailable, "已取消", "cancelled");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (p.is_object() && p.value("fail", false))
      return Status::Error(StatusCode::kInternal, "按要求失败", "failing as asked");
    WriteTransaction tx(db);
    if (auto st = tx.Begin(); !st.ok()) return st;
    json e{{"job", run.job}, {"scheduled_us", run.scheduled_us}, {"node", run.node}, {"attempt", run.attempt}};
    if (auto st = AppendJournal(
            db, "scheduler", run.scheduled_us, {},
            {OutboxEvent{"scheduler.test.effect", run.job + "@" + std::to_string(run.scheduled_us), e.dump()}});
        !st.ok())
      return st;
    if (auto st = sched::CompleteRun(run, db, clock.NowUs()); !st.ok()) return st;
    return tx.Commit();
  });
  (void)reg.Add("noop", [](const sched::JobRun&, Database&) -> Status { return Status::Ok(); });
}

namespace {

Status Cancelled() { return Status::Error(StatusCode::kUnavailable, "已取消", "cancelled"); }

// The run's transaction on the worker's connection, begun by the first unit of work
// (JobServices::RunInTransaction) or, for a handler that wrote nothing, after Run returned:
// a handler that never writes holds no lock while it runs (SQLite has one writer).
class RunTransaction {
 public:
  explicit RunTransaction(Database& db) : db_(db), tx_(db) {}
  bool open() const { return tx_.active(); }
  Status Begin() { return open() ? Status::Ok() : tx_.Begin(); }
  Status Commit() { return tx_.Commit(); }
  Database& db() { return db_; }

 private:
  Database& db_;
  WriteTransaction tx_;  // rolls back when destroyed uncommitted
};

// JobServices::platform(): the host's clock, time zones and calendar; reads on the run's
// connection (inside the run's transaction once it is open, so they see its writes). Writes
// go through JobServices::RunInTransaction: a unit of work of its own would commit apart
// from the run's outcome (or, on SQLite, wait for the write lock the run holds).
class RunPlatform final : public Platform {
 public:
  RunPlatform(RunTransaction& tx, const std::map<std::string, std::string>& config, const PluginHost* plugins)
      : tx_(tx), config_(config) {
    impl_.SetPlugins(plugins);
    impl_.Attach(&tx.db());
    impl_.SetConfig(config);
  }
  ~RunPlatform() override { impl_.Attach(nullptr); }
  Status RunInTransaction(const Principal&, const UnitOfWorkFn&) override {
    return Status::Error(
        StatusCode::kFailedPrecondition,
        "作业处理程序只能通过 JobServices::RunInTransaction 写入（随运行结果一并提交）",
        "a job handler writes through JobServices::RunInTransaction (committed with the run's outcome)");
  }
  Status Read(const ReadFn& fn) override { return tx_.open() ? impl_.ReadInCallerTransaction(fn) : impl_.Read(fn); }
  std::int64_t NowMicros() const override { return impl_.NowMicros(); }
  Result<SqlDialect> Dialect() const override { return impl_.Dialect(); }
  const TimeService& Time() const override { return impl_.Time(); }
  // Read afresh for each run, not WorkingCalendar::Shared: a notice added under calendar.dir
  // while `serve` runs counts from the next run, without a restart (docs/calendar.md).
  Result<const WorkingDays*> Calendar() const override {
    if (!calendar_) {
      auto dir = config_.find(WorkingCalendar::kDirConfigKey);
      Result<WorkingCalendar> cal = WorkingCalendar::Load(dir == config_.end() ? std::string() : dir->second);
      if (!cal.ok()) return cal.status();
      calendar_ = std::make_unique<WorkingCalendar>(std::move(cal).value());
      calendar_view_ = ViewOfCalendar(calendar_.get());
    }
    return static_cast<const WorkingDays*>(calendar_view_.get());
  }
  const Sampler* FindSampler(const std::string& algorithm) const override { return impl_.FindSampler(algorithm); }
  const EntropySource* FindEntropySource(const std::string& name) const override {
    return impl_.FindEntropySource(name);
  }
  std::vector<std::string> SamplerNames() const override { return impl_.SamplerNames(); }
  std::vector<std::string> EntropySourceNames() const override { return impl_.EntropySourceNames(); }
  Result<SubjectIndexLease> Subjects() override { return impl_.Subjects(); }
  const RegionCodes& Regions() const override { return impl_.Regions(); }
  Result<std::unique_ptr<TableReader>> OpenTable(const std::string& path, const TableReaderOptions& options) override {
    return impl_.OpenTable(path, options);
  }
  JobScheduler* Jobs() override { return nullptr; }  // a run adds no jobs (it would commit apart)
  const Scorer* FindScorer(const std::string& name) const override { return impl_.FindScorer(name); }
  std::vector<std::string> ScorerNames() const override { return impl_.ScorerNames(); }
  Result<std::int64_t> SetRiskClasses(UnitOfWork& uow, const std::vector<RiskClassChange>& changes) override {
    return impl_.SetRiskClasses(uow, changes);
  }
  const ListPolicy* FindListPolicy(const std::string& code) const override { return impl_.FindListPolicy(code); }
  std::vector<std::string> ListPolicyNames() const override { return impl_.ListPolicyNames(); }
  Result<std::int64_t> SetListings(UnitOfWork& uow, const std::vector<ListingsChange>& changes) override {
    return impl_.SetListings(uow, changes);
  }
  PlatformImpl& impl() { return impl_; }

 private:
  RunTransaction& tx_;
  PlatformImpl impl_;
  std::map<std::string, std::string> config_;
  // The run's calendar (one thread: the run's), loaded on first use.
  mutable std::unique_ptr<WorkingCalendar> calendar_;
  mutable std::unique_ptr<WorkingDays> calendar_view_;
};

// What a plugin's job handler sees (job.h). Units of work run in the run's transaction;
// events of PublishEvent are buffered and written with the run's completion. Either way they
// are committed once, together with the run's success.
class PluginJobServices final : public JobServices {
 public:
  PluginJobServices(const sched::JobRun& run, const Globals& g, std::string plugin, Database& db,
                    const PluginHost* plugins)
      : run_(run), g_(g), plugin_(std::move(plugin)), tx_(db), platform_(tx_, g.config, plugins),
        principal_(Principal::System("job:" + run.job)) {}
  Status PublishEvent(const std::string& topic, const std::string& key, const std::string& payload_json) override {
    if (topic.empty() || topic.size() > 200)
      return Status::Error(StatusCode::kInvalidArgument, "事件主题须为 1–200 字节",
                           "an event topic has 1 to 200 bytes");
    if (key.size() > 1000)
      return Status::Error(StatusCode::kInvalidArgument, "事件键超过 1000 字节",
                           "an event key is longer than 1000 bytes");
    if (payload_json.size() > 1024 * 1024)
      return Status::Error(StatusCode::kInvalidArgument, "事件内容超过 1 MiB", "an event payload is larger than 1 MiB");
    const json p = json::parse(payload_json, nullptr, false);
    if (!p.is_object())
      return Status::Error(StatusCode::kInvalidArgument, "事件内容须为 JSON 对象",
                           "an event payload must be a JSON object");
    if (events_.size() >= 10000)
      return Status::Error(StatusCode::kInvalidArgument, "一次运行最多 10000 个事件",
                           "a run publishes at most 10,000 events");
    events_.push_back(OutboxEvent{topic, key, p.dump()});
    return Status::Ok();
  }
  bool Cancelled() const override { return run_.Cancelled(); }
  std::string Config(const std::string& key, const std::string& fallback) const override {
    auto it = g_.config.find("plugins." + plugin_ + "." + key);
    return it == g_.config.end() ? fallback : it->second;
  }
  // Each call is a savepoint inside the run's transaction: a unit that fails leaves nothing,
  // and the earlier units stay for the run's outcome to decide.
  Status RunInTransaction(const UnitOfWorkFn& fn) override {
    if (InUnitOfWork()) return NestedUnitError();
    if (run_.Cancelled()) return ::xj::cli::Cancelled();
    if (Status st = tx_.Begin(); !st.ok()) return st;
    Database& db = tx_.db();
    if (Status st = db.ExecScript("SAVEPOINT xj_job_unit"); !st.ok()) return st;
    Status st = platform_.impl().RunInCallerTransaction(principal_, run_.scheduled_us, fn);
    if (!st.ok()) {
      (void)db.ExecScript("ROLLBACK TO SAVEPOINT xj_job_unit");  // a failure here fails the commit later
      (void)db.ExecScript("RELEASE SAVEPOINT xj_job_unit");
      return st;
    }
    return db.ExecScript("RELEASE SAVEPOINT xj_job_unit");
  }
  Platform& platform() override { return platform_; }

  // After Run returned OK: the buffered events, the run's completion and the units' writes
  // in one commit. kConflict (nothing kept) when the run is no longer this node's.
  Status Complete(std::int64_t finished_us) {
    if (Status st = tx_.Begin(); !st.ok()) return st;
    if (!events_.empty())
      if (Status st = AppendJournal(tx_.db(), "plugin:" + plugin_, run_.scheduled_us, {}, events_); !st.ok()) return st;
    if (Status st = sched::CompleteRun(run_, tx_.db(), finished_us); !st.ok()) return st;
    return tx_.Commit();
  }

 private:
  const sched::JobRun& run_;
  const Globals& g_;
  std::string plugin_;
  RunTransaction tx_;
  RunPlatform platform_;
  Principal principal_;
  std::vector<OutboxEvent> events_;
};

}  // namespace

// Job handlers registered by plugins, called on the worker's connection; on success their
// units of work, their events and the run's completion are committed together
// (sched::CompleteRun); on failure, a throw or a cancellation none of it is kept.
void RegisterPluginHandlers(sched::HandlerRegistry& reg, Globals& g, const PluginHost* host,
                            const sched::Clock& clock) {
  if (host == nullptr) return;
  for (const auto& [name, handler] : host->job_handlers()) {
    JobHandler* h = handler.get();
    const std::string plugin = host->JobHandlerPlugin(name);
    const std::string handler_name = name;
    const Status st =
        reg.Add(name, [h, plugin, handler_name, &g, host, clock](const sched::JobRun& run, Database& db) -> Status {
          PluginJobServices services(run, g, plugin, db, host);
          JobInvocation inv;
          inv.job = run.job;
          inv.handler = handler_name;
          inv.payload_json = run.payload;
          inv.time_zone = run.time_zone;
          inv.node = run.node;
          inv.scheduled_us = run.scheduled_us;
          inv.attempt = run.attempt;
          Status result;
          try {
            result = h->Run(inv, services);
          } catch (const std::exception& e) {
            result = Status::Error(StatusCode::kInternal, "插件处理程序异常：" + std::string(e.what()),
                                   "the plugin's handler threw: " + std::string(e.what()));
          } catch (...) {
            result = Status::Error(StatusCode::kInternal, "插件处理程序异常", "the plugin's handler threw");
          }
          if (!result.ok()) return result;  // `services` rolls the run's transaction back
          if (run.Cancelled()) return Cancelled();
          return services.Complete(clock.NowUs());
        });
    if (!st.ok())
      std::cerr << "警告 / warning: 插件 " << plugin << " 的处理程序 " << name << " 与已注册的同名，未采用 / plugin "
                << plugin << "'s handler " << name << " has the name of one registered already; not used\n";
  }
}

namespace {

// Platform::Jobs() of the command line: `xinjian jobs add` for plugin commands, on the
// database the platform is attached to.
class HostJobScheduler final : public JobScheduler {
 public:
  HostJobScheduler(Globals& g, PluginHost& host) : g_(g), host_(host) {}
  Result<std::int64_t> AddJob(const Principal& who, const JobDefinition& job) override {
    if (InUnitOfWork()) return NestedUnitError();
    Database* db = host_.platform().database();
    if (db == nullptr) return Status::Error(StatusCode::kFailedPrecondition, "没有打开的数据库", "no database is open");
    auto clock = sched::Clock::FromEnvironment();
    if (!clock.ok()) return clock.status();
    // The handler must be one this platform offers: a typo would otherwise fail at every fire.
    sched::HandlerRegistry reg;
    RegisterBuiltinHandlers(reg, g_, &host_, clock.value());
    RegisterPluginHandlers(reg, g_, &host_, clock.value());
    if (Status st = reg.CheckRegistered(job.handler); !st.ok()) return Status(StatusCode::kNotFound, st.message());
    if (job.misfire != "fire_once_now" && job.misfire != "skip" && job.misfire != "catch_up_all")
      return Status::Error(StatusCode::kInvalidArgument, "misfire 须为 fire_once_now、skip 或 catch_up_all",
                           "misfire must be fire_once_now, skip or catch_up_all");
    sched::JobSpec spec;
    spec.name = job.name;
    spec.schedule = job.schedule;
    spec.time_zone = job.time_zone;
    spec.handler = job.handler;
    spec.payload = job.payload_json;
    spec.misfire = job.misfire == "skip"           ? sched::Misfire::kSkip
                   : job.misfire == "catch_up_all" ? sched::Misfire::kCatchUpAll
                                                   : sched::Misfire::kFireOnceNow;
    const std::int64_t now = clock->NowUs();
    if (Status st = sched::AddJob(*db, spec, now, who.id); !st.ok()) return st;
    return sched::NextFireUs(spec.schedule, spec.time_zone, now);
  }

 private:
  Globals& g_;
  PluginHost& host_;
};

}  // namespace

void InstallJobScheduler(Globals& g, PluginHost& host) {
  static std::unique_ptr<HostJobScheduler> scheduler;
  scheduler = std::make_unique<HostJobScheduler>(g, host);
  host.platform().SetJobScheduler(scheduler.get());
}

// The jobs every platform runs, added once (by the first scheduler that starts on a
// database) and then managed like any other job: an operator may pause them or change them.
// The core's own; the features' come from their plugins (Registrar::AddDefaultJob: the
// draw plugin's builtin.draws-pending, the inspection plugin's builtin.deadlines).
struct DefaultJobRow {
  const char* name;
  const char* schedule;
  const char* handler;
  sched::Misfire misfire;
};
constexpr DefaultJobRow kDefaultJobs[] = {
    // The audit chain, nightly; a broken chain raises alert.audit.broken.
    {"builtin.audit-verify", "30 2 * * *", "audit.verify", sched::Misfire::kFireOnceNow},
};

Status EnsureDefaultJobs(Database& db, std::int64_t now, const PluginHost* host) {
  auto jobs = sched::ListJobs(db);
  if (!jobs.ok()) return jobs.status();
  std::set<std::string> have;
  for (const auto& j : jobs.value()) have.insert(j.spec.name);
  std::vector<std::pair<std::string, sched::JobSpec>> wanted;  // (who asked, spec)
  for (const auto& d : kDefaultJobs) {
    sched::JobSpec s;
    s.name = d.name;
    s.schedule = d.schedule;
    s.handler = d.handler;
    s.misfire = d.misfire;
    wanted.emplace_back("", std::move(s));
  }
  if (host != nullptr) {
    for (const RegisteredDefaultJob& d : host->default_jobs()) {
      sched::JobSpec s;
      s.name = d.job.name;
      s.schedule = d.job.schedule;
      s.handler = d.job.handler;
      s.payload = d.job.payload_json;
      s.misfire = d.job.misfire == "skip"           ? sched::Misfire::kSkip
                  : d.job.misfire == "catch_up_all" ? sched::Misfire::kCatchUpAll
                                                    : sched::Misfire::kFireOnceNow;
      wanted.emplace_back(d.plugin, std::move(s));
    }
  }
  for (const auto& [plugin, s] : wanted) {
    if (have.count(s.name)) continue;
    const Status st = sched::AddJob(db, s, now, "system");
    if (st.ok() || st.code() == StatusCode::kAlreadyExists) continue;  // another node was first
    if (plugin.empty()) return st;
    // A plugin's bad default job does not stop the platform: say which and why.
    std::cerr << "警告 / warning: 插件 " << plugin << " 的默认作业 " << s.name << " 未能添加 / plugin " << plugin
              << "'s default job " << s.name << " was not added: " << st.message() << "\n";
  }
  return Status::Ok();
}

void RegisterJobsCommands(CLI::App& app, Globals& g) {
  struct Args {
    sched::JobSpec spec;
    std::string misfire = "fire_once_now", overlap = "forbid", name;
    bool no_scheduler = false, json = false, paused = false, no_recover = false;
    int workers = 4;
    std::int64_t limit = 50, run_seconds = 0;
    std::string listen;
    // CivetWeb serves a kept-alive connection on one thread while it sends requests: the
    // threads bound the clients served at once (a browser opens up to six connections).
    int web_threads = 64;
    std::string api_listen;
    int api_threads = 0;
    int db_connections = 4;
  };
  static Args a;

  auto* serve = app.add_subcommand(
      "serve",
      "运行平台服务（调度器、事件投递，--listen 时还有网站和 API）/ run the platform (the scheduler, event delivery and, "
      "with --listen, the web site and API)");
  serve->add_option("--listen", a.listen,
                    "网站和 API 的监听地址，如 127.0.0.1:8080（端口 0 为任一空闲端口）/ serve the web site and API on this "
                    "address, e.g. 127.0.0.1:8080 (port 0: any free port)");
  serve->add_option("--web-threads", a.web_threads,
                    "网站处理线程数，即同时服务的连接数 / web server threads: the connections served at once (default 64)")
      ->check(CLI::Range(1, 1024));
  serve->add_option("--api-listen", a.api_listen,
                    "机器接口（信用核查等）的事件驱动监听地址，如 127.0.0.1:8081；需要 --listen / the event-driven listener "
                    "of the machine APIs (the credit check, …), e.g. 127.0.0.1:8081; needs --listen");
  serve
      ->add_option("--api-threads", a.api_threads,
                   "机器接口的线程数，0 为每个可用处理器一个 / threads of the machine listener; 0: one per CPU the "
                   "process may use (default 0)")
      ->check(CLI::Range(0, 256));
  serve->add_option("--db-connections", a.db_connections,
                    "网站读取（PostgreSQL 上还有写入）用的数据库连接数，0 为只用一个共享连接 / database connections of the "
                    "web site's reads (and writes on PostgreSQL); 0: one shared connection (default 4)")
      ->check(CLI::Range(0, 64));
  serve->add_flag("--no-scheduler", a.no_scheduler, "不运行调度器 / do not run the scheduler");
  serve->add_option("--workers", a.workers, "处理程序线程数 / handler threads (default 4)");
  serve->add_option("--run-seconds", a.run_seconds,
                    "运行这么多秒后退出（测试用）/ exit after this many seconds (tests)");
  serve->callback([&g] {
    if (!a.api_listen.empty() && a.listen.empty()) {
      PrintError("--api-listen 需要 --listen / --api-listen needs --listen");
      g_exit_code = kExitUsage;
      return;
    }
    auto host = LoadPlugins(g);
    if (!host) {
      g_exit_code = kExitFailure;
      return;
    }
    // The schema and the plugins' migrations are brought up to date before any node starts.
    {
      auto db = OpenDatabase(g);
      if (!db) {
        g_exit_code = kExitFailure;
        return;
      }
      if (Status st = MigratePlugins(*db, *host, true); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
        return;
      }
    }
    auto clock = sched::Clock::FromEnvironment();
    if (!clock.ok()) {
      PrintError(clock.status().message());
      g_exit_code = kExitUsage;
      return;
    }
    sched::HandlerRegistry reg;
    RegisterBuiltinHandlers(reg, g, host.get(), clock.value());
    RegisterPluginHandlers(reg, g, host.get(), clock.value());
    std::unique_ptr<sched::Scheduler> scheduler;
    if (!a.no_scheduler) {
      sched::SchedulerOptions o;
      o.db_url = g.db_url;
      o.workers = a.workers;
      o.clock = clock.value();
      if (o.clock.simulated) {
        // Simulated minutes pass in real seconds: scale the lease and tick with it.
        o.tick_us =
            std::max<std::int64_t>(20000, static_cast<std::int64_t>(500000 / std::max(1.0, o.clock.speed / 10)));
        o.lease_us = static_cast<std::int64_t>(30'000'000 * std::max(1.0, o.clock.speed / 10));
      }
      {
        auto db = OpenDatabase(g);
        if (!db) return (void)(g_exit_code = kExitFailure);
        if (auto st = EnsureDefaultJobs(*db, o.clock.NowUs(), host.get()); !st.ok()) {
          PrintError(st.message());
          g_exit_code = kExitFailure;
          return;
        }
      }
      if (auto it = g.config.find("scheduler.history_days"); it != g.config.end()) {
        char* end = nullptr;
        const long long days = std::strtoll(it->second.c_str(), &end, 10);
        if (it->second.empty() || *end != '\0' || days < 0 || days > 36500) {
          PrintError(
              "scheduler.history_days 须为 0–36500 的整数（0 表示永久保留）/ scheduler.history_days must be an integer "
              "from 0 to 36500 (0 keeps the history forever)");
          g_exit_code = kExitUsage;
          return;
        }
        o.history_us = days * 86400LL * 1'000'000;
      }
      scheduler = std::make_unique<sched::Scheduler>(o, &reg);
      if (auto st = scheduler->Start(); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
        return;
      }
      std::cerr << "调度器已启动 / scheduler started: node " << scheduler->node_id() << "\n";
    }
    // Events reach the plugins' subscribers continuously, from a thread of its own with its
    // own connection (event_pump.h says why), with or without the scheduler.
    EventPump events(g, *host);
    if (auto st = events.Start(); !st.ok()) {
      if (scheduler) scheduler->Stop();
      PrintError(st.message());
      g_exit_code = kExitFailure;
      return;
    }
    std::cerr << "事件投递已启动 / event delivery started\n";
    // The web site and API: the routes plugins registered, on a platform and a database
    // connection of their own (requests do not wait for event delivery).
    std::unique_ptr<Database> web_db;
    std::unique_ptr<PlatformImpl> web_platform;
    std::unique_ptr<web::WebServer> web_server;
    // The site cannot start: what runs already stops, and serve exits with the reason.
    const auto web_failed = [&](const Status& st) {
      if (scheduler) scheduler->Stop();
      events.Stop();
      PrintError(st.message());
      g_exit_code = kExitFailure;
    };
    if (!a.listen.empty()) {
      auto db = Database::Open(g.db_url, {.migrate = false, .create = false, .require_schema = true});
      if (!db.ok()) {
        web_failed(db.status());
        return;
      }
      web_db = std::move(db).value();
      web_platform = std::make_unique<PlatformImpl>();
      web_platform->SetPlugins(host.get());
      web_platform->SetConfig(g.config);
      web_platform->Attach(web_db.get());
      // Its reads (and units of work on PostgreSQL) run on a pool, several at once.
      std::vector<std::unique_ptr<Database>> pool;
      for (int i = 0; i < a.db_connections; ++i) {
        auto conn = Database::Open(g.db_url, {.migrate = false, .create = false, .require_schema = true});
        if (!conn.ok()) {
          web_failed(conn.status());
          return;
        }
        pool.push_back(std::move(conn).value());
      }
      web_platform->SetPool(std::move(pool));
      web::ServerOptions wo;
      wo.listen = a.listen;
      wo.threads = a.web_threads;
      wo.api_listen = a.api_listen;
      wo.api_threads = a.api_threads;
      wo.config = g.config;
      web_server = std::make_unique<web::WebServer>(*host, *web_platform, wo);
      if (auto st = web_server->Start(); !st.ok()) {
        web_failed(st);
        return;
      }
      const std::string address = a.listen.substr(0, a.listen.rfind(':'));
      std::cerr << "网站已启动 / web site started: http://" << address << ":" << web_server->port() << "/\n";
      if (!a.api_listen.empty())
        std::cerr << "机器接口已启动 / machine listener started: http://"
                  << a.api_listen.substr(0, a.api_listen.rfind(':')) << ":" << web_server->api_port() << "/ ("
                  << web_server->api_threads() << " 个线程 / threads)\n";
    }
    std::signal(SIGTERM, OnSignal);
    std::signal(SIGINT, OnSignal);
    const auto start = std::chrono::steady_clock::now();
    while (!g_stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (a.run_seconds > 0 && std::chrono::steady_clock::now() - start > std::chrono::seconds(a.run_seconds)) break;
    }
    if (web_server) web_server->Stop();  // first: no new requests while the rest stops
    if (web_platform) web_platform->Attach(nullptr);
    if (scheduler) scheduler->Stop();
    events.Stop();  // after the scheduler: the events of its last runs are delivered too
    std::cerr << "已停止 / stopped\n";
  });

  auto* jobs = app.add_subcommand("jobs", "定时任务 / scheduled jobs");
  jobs->require_subcommand(1);
  auto* list = jobs->add_subcommand("list", "列出定时任务 / list jobs");
  list->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  list->callback([&g] {
    auto db = OpenDatabase(g);
    if (!db) return (void)(g_exit_code = kExitFailure);
    auto r = sched::ListJobs(*db);
    if (!r.ok()) {
      PrintError(r.status().message());
      g_exit_code = kExitFailure;
      return;
    }
    json arr = json::array();
    if (!a.json)
      PrintHeader({"名称/name", "计划/schedule", "时区/time zone", "处理程序/handler", "状态/state", "错过时/misfire",
                   "下次触发/next fire"});
    for (const auto& j : r.value()) {
      if (a.json) {
        arr.push_back({{"name", j.spec.name},
                       {"schedule", j.spec.schedule},
                       {"time_zone", j.spec.time_zone},
                       {"handler", j.spec.handler},
                       {"enabled", j.spec.enabled},
                       {"misfire", sched::MisfireName(j.spec.misfire)},
                       {"overlap", sched::OverlapName(j.spec.overlap)},
                       {"next_fire_us", j.next_fire_us}});
        continue;
      }
      std::cout << j.spec.name << "\t" << j.spec.schedule << "\t" << j.spec.time_zone << "\t" << j.spec.handler << "\t"
                << (j.spec.enabled ? "启用/enabled" : "暂停/paused") << "\t" << sched::MisfireName(j.spec.misfire)
                << "\t" << Iso(j.next_fire_us) << "\n";
    }
    if (a.json) std::cout << arr.dump(2) << "\n";
    NoteListed(r->size(), r->size(), !a.json);
  });

  auto* add = jobs->add_subcommand("add", "新增定时任务 / add a job");
  add->add_option("name", a.spec.name, "名称 / name")->required();
  add->add_option("--schedule", a.spec.schedule, "cron 表达式或工作日计划 / cron expression or working-day schedule")
      ->required();
  add->add_option("--handler", a.spec.handler, "处理程序 / handler")->required();
  add->add_option("--tz", a.spec.time_zone, "时区 / IANA time zone (default Asia/Shanghai)");
  add->add_option("--payload", a.spec.payload, "JSON 参数 / JSON payload");
  add->add_option("--misfire", a.misfire, "fire_once_now|skip|catch_up_all")
      ->check(CLI::IsMember({"fire_once_now", "skip", "catch_up_all"}));
  add->add_option("--overlap", a.overlap, "forbid|allow")->check(CLI::IsMember({"forbid", "allow"}));
  add->add_option("--starting-deadline", a.spec.starting_deadline_s, "启动期限（秒）/ starting deadline, seconds");
  add->add_option("--retries", a.spec.max_retries, "重试次数 / retries");
  add->add_option("--backoff", a.spec.backoff_s, "首次重试等待（秒，逐次加倍）/ first retry wait, seconds (doubling)");
  add->add_option("--timeout", a.spec.timeout_s, "超时（秒）/ timeout, seconds");
  add->add_flag("--no-recover", a.no_recover, "节点失联时不重新执行 / do not re-run a dead node's run");
  add->add_flag("--paused", a.paused, "先暂停 / add paused");
  add->callback([&g] {
    auto clock = sched::Clock::FromEnvironment();
    if (!clock.ok()) return (void)(PrintError(clock.status().message()), g_exit_code = kExitUsage);
    if (!a.spec.handler.empty()) {
      // The handler must be one this platform offers (built in, or from a plugin loaded here,
      // as `serve` loads them): a typo would otherwise fail at every fire, silently.
      auto host = LoadPlugins(g);
      if (!host) return (void)(g_exit_code = kExitFailure);
      sched::HandlerRegistry reg;
      RegisterBuiltinHandlers(reg, g, host.get(), clock.value());
      RegisterPluginHandlers(reg, g, host.get(), clock.value());
      if (auto st = reg.CheckRegistered(a.spec.handler); !st.ok())
        return (void)(PrintError(st.message()), g_exit_code = kExitFailure);
    }
    auto db = OpenDatabase(g);
    if (!db) return (void)(g_exit_code = kExitFailure);
    a.spec.misfire = a.misfire == "skip"           ? sched::Misfire::kSkip
                     : a.misfire == "catch_up_all" ? sched::Misfire::kCatchUpAll
                                                   : sched::Misfire::kFireOnceNow;
    a.spec.overlap = a.overlap == "allow" ? sched::Overlap::kAllow : sched::Overlap::kForbid;
    a.spec.recover = !a.no_recover;
    a.spec.enabled = !a.paused;
    if (auto st = sched::AddJob(*db, a.spec, clock->NowUs(), g.actor); !st.ok()) {
      PrintError(st.message());
      g_exit_code = kExitFailure;
      return;
    }
    std::cout << "已新增 / added " << a.spec.name << "\n";
  });

  for (const char* verb : {"pause", "resume"}) {
    auto* c = jobs->add_subcommand(
        verb, std::string(verb) == "pause" ? "暂停 / pause a job" : "恢复 / resume a job (from now on)");
    c->add_option("name", a.name, "名称 / name")->required();
    const bool enable = std::string(verb) == "resume";
    c->callback([&g, enable] {
      auto db = OpenDatabase(g);
      if (!db) return (void)(g_exit_code = kExitFailure);
      auto clock = sched::Clock::FromEnvironment();
      if (!clock.ok()) return (void)(PrintError(clock.status().message()), g_exit_code = kExitUsage);
      if (auto st = sched::SetEnabled(*db, a.name, enable, clock->NowUs(), g.actor); !st.ok()) {
        PrintError(st.message());
        g_exit_code = kExitFailure;
      }
    });
  }

  auto* now = jobs->add_subcommand(
      "run-now", "立即运行一次（由运行中的调度器执行）/ queue a run now (a running scheduler executes it)");
  now->add_option("name", a.name, "名称 / name")->required();
  now->callback([&g] {
    auto db = OpenDatabase(g);
    if (!db) return (void)(g_exit_code = kExitFailure);
    auto clock = sched::Clock::FromEnvironment();
    if (!clock.ok()) return (void)(PrintError(clock.status().message()), g_exit_code = kExitUsage);
    auto r = sched::RunNow(*db, a.name, clock->NowUs(), g.actor);
    if (!r.ok()) return (void)(PrintError(r.status().message()), g_exit_code = kExitFailure);
    std::cout << "已排队 / queued " << a.name << " @ " << Iso(r.value()) << "\n";
  });

  auto* hist = jobs->add_subcommand("history", "运行记录 / run history");
  hist->add_option("name", a.name, "名称（默认全部）/ name (default all)");
  hist->add_option("--limit", a.limit, "最多（默认 50，0 为全部）/ at most (default 50, 0 = all)")
      ->check(NonNegativeCount());
  hist->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  hist->callback([&g] {
    auto db = OpenDatabase(g);
    if (!db) return (void)(g_exit_code = kExitFailure);
    // One more than asked tells whether --limit cut the list; only then are the runs counted.
    auto r = sched::History(*db, a.name, a.limit > 0 ? a.limit + 1 : 0);
    if (!r.ok()) return (void)(PrintError(r.status().message()), g_exit_code = kExitFailure);
    std::size_t total = r->size();
    if (a.limit > 0 && r->size() > static_cast<std::size_t>(a.limit)) {
      auto n = sched::CountRuns(*db, a.name);
      if (!n.ok()) return (void)(PrintError(n.status().message()), g_exit_code = kExitFailure);
      total = std::max(static_cast<std::size_t>(n.value()), r->size());  // a run may have ended in between
      r->erase(r->begin() + a.limit, r->end());
    }
    json arr = json::array();
    if (!a.json)
      PrintHeader({"定时任务/job", "计划时刻/scheduled", "状态/state", "次数/attempt", "节点/node", "说明/message"});
    for (const auto& x : r.value()) {
      if (a.json) {
        arr.push_back({{"job", x.job},
                       {"scheduled_us", x.scheduled_us},
                       {"state", x.state},
                       {"attempt", x.attempt},
                       {"node", x.node},
                       {"started_at_us", x.started_at_us},
                       {"finished_at_us", x.finished_at_us},
                       {"message", x.message}});
        continue;
      }
      std::cout << x.job << "\t" << Iso(x.scheduled_us) << "\t" << x.state << "\t" << x.attempt << "\t" << x.node
                << "\t" << x.message << "\n";
    }
    if (a.json) std::cout << arr.dump(2) << "\n";
    NoteListed(r->size(), total, !a.json);
  });
}

}  // namespace xj::cli
