// Persistent jobs and the exactly-once scheduler (see jobs.h).
#include "jobs.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <soci/soci.h>

#include "hash.h"
#include "journal.h"
#include "quote.h"
#include "scan.h"
#include "tz.h"

namespace xj::sched {
namespace {

using json = nlohmann::json;

std::int64_t RealNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Refuse(const std::string& zh, const std::string& en) { return Status::Error(StatusCode::kInvalidArgument, zh, en); }

std::string Str(std::int64_t v) { return std::to_string(v); }

Status Exec(Database& db, const std::string& sql, const std::vector<std::optional<std::string>>& params = {}) {
  // ScanRows runs any statement with '?' parameters on both backends.
  return ScanRows(db, sql, params, [](const ScanRow&) { return true; });
}

bool IsPg(Database& db) { return db.dialect() == Dialect::kPostgresql; }

Status Audit(Database& db, const std::string& actor, std::int64_t now, const std::string& action, const std::string& key,
             const json& payload) {
  return AppendJournal(db, actor, now, {AuditEntry{action, "scheduler_job", key, "", Sha256Hex(payload.dump()), ""}},
                       {OutboxEvent{"scheduler." + action, key, payload.dump()}});
}

// The error for a job name that is not in scheduler_jobs, the name quoted (it was typed).
Status NoSuchJob(const std::string& name) {
  const std::string q = sched_detail::Quote(name);
  return Status::Error(StatusCode::kNotFound, "没有定时任务 " + q, "no job " + q);
}

// Ok when the job exists, NoSuchJob otherwise (or the database's error).
Status CheckJobExists(Database& db, const std::string& name) {
  bool found = false;
  if (auto st = ScanRows(db, "SELECT 1 FROM scheduler_jobs WHERE name = ?", {name}, [&](const ScanRow&) {
        found = true;
        return false;
      });
      !st.ok())
    return st;
  return found ? Status::Ok() : NoSuchJob(name);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::int64_t Clock::NowUs() const {
  if (!simulated) return NowMicros();  // the process clock (XINJIAN_NOW)
  const std::int64_t real = RealNowUs();
  return sim_start_us + static_cast<std::int64_t>(static_cast<double>(real - real_start_us) * speed);
}

std::int64_t Clock::RealDelayUs(std::int64_t sim_us) const {
  if (!simulated || speed <= 0) return sim_us;
  return static_cast<std::int64_t>(static_cast<double>(sim_us) / speed);
}

Result<Clock> Clock::FromEnvironment() {
  Clock c;
  const char* v = std::getenv("XINJIAN_TEST_CLOCK");
  if (v == nullptr || *v == '\0') return c;
  long long sim = 0, real = 0;
  double speed = -1;
  int used = 0;
  // SPEED 0 stops the clock at SIM_START_US (tests: how late a run starts is then exact).
  if (std::sscanf(v, "%lld,%lld,%lf%n", &sim, &real, &speed, &used) != 3 || v[used] != '\0' ||
      !(speed >= 0 && speed <= 100000))
    return Refuse("XINJIAN_TEST_CLOCK 须为 SIM_START_US,REAL_START_US,SPEED（SPEED 为 0–100000，0 表示时钟静止）",
                  "XINJIAN_TEST_CLOCK must be SIM_START_US,REAL_START_US,SPEED (SPEED from 0 to 100000, 0 stops the clock)");
  c.simulated = true;
  c.sim_start_us = sim;
  c.real_start_us = real;
  c.speed = speed;
  return c;
}

const char* MisfireName(Misfire m) {
  switch (m) {
    case Misfire::kFireOnceNow: return "fire_once_now";
    case Misfire::kSkip: return "skip";
    case Misfire::kCatchUpAll: return "catch_up_all";
  }
  return "fire_once_now";
}

const char* OverlapName(Overlap o) { return o == Overlap::kAllow ? "allow" : "forbid"; }

Status HandlerRegistry::Add(const std::string& name, HandlerFn handler) {
  if (name.empty() || !handler) return Refuse("处理程序名称不能为空", "a handler needs a name and a function");
  if (!handlers_.emplace(name, std::move(handler)).second)
    return Status::Error(StatusCode::kAlreadyExists, "处理程序已注册：" + name, "handler already registered: " + name);
  return Status::Ok();
}

const HandlerFn* HandlerRegistry::Find(const std::string& name) const {
  auto it = handlers_.find(name);
  return it == handlers_.end() ? nullptr : &it->second;
}

std::vector<std::string> HandlerRegistry::Names() const {
  std::vector<std::string> out;
  for (const auto& [n, h] : handlers_) out.push_back(n);
  return out;
}

Status HandlerRegistry::CheckRegistered(const std::string& name) const {
  if (Find(name) != nullptr) return Status::Ok();
  std::string zh, en;
  for (const auto& n : Names()) {
    zh += (zh.empty() ? "" : "、") + n;
    en += (en.empty() ? "" : ", ") + n;
  }
  if (zh.empty()) zh = en = "—";
  const std::string q = sched_detail::Quote(name);
  return Status::Error(StatusCode::kNotFound,
                       "没有已注册的处理程序 " + q + "（提供它的插件未加载？）；已注册的处理程序：" + zh,
                       "no handler " + q + " is registered (is the plugin that offers it loaded?); registered handlers: " + en);
}

// ---------------------------------------------------------------------------------------------
// Administration.

Status AddJob(Database& db, const JobSpec& s, std::int64_t now, const std::string& actor) {
  if (s.name.empty() || s.name.size() > 128)
    return Refuse("任务名称须为 1–128 字节", "a job name has 1 to 128 bytes");
  for (char c : s.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':'))
      return Refuse("任务名称只能含字母、数字和 - _ . :：" + s.name, "a job name may contain letters, digits and - _ . : only: " + s.name);
  if (s.handler.empty()) return Refuse("须指定处理程序", "a job needs a handler");
  try {
    const json p = json::parse(s.payload);
    if (!p.is_object()) return Refuse("payload 须为 JSON 对象", "the payload must be a JSON object");
  } catch (const std::exception&) {
    return Refuse("payload 不是有效的 JSON", "the payload is not valid JSON");
  }
  if (s.payload.size() > 64 * 1024) return Refuse("payload 超过 64 KiB", "the payload is larger than 64 KiB");
  if (s.max_retries < 0 || s.max_retries > 100 || s.backoff_s < 0 || s.timeout_s <= 0 || s.starting_deadline_s < 0)
    return Refuse("重试、退避、超时或启动期限超出范围", "retries, backoff, timeout or starting deadline out of range");
  // In microseconds the deadline is added to instants in SQL: a huge one would overflow there
  // (PostgreSQL: "bigint out of range" at every tick, for every job).
  if (s.starting_deadline_s > kMaxStartingDeadlineS)
    return Refuse("启动期限最长 366 天（31622400 秒）：" + Str(s.starting_deadline_s),
                  "a starting deadline is at most 366 days (31622400 s): " + Str(s.starting_deadline_s));
  if (s.schedule.size() > 1024) return Refuse("计划表达式超过 1024 字节", "the schedule is longer than 1024 bytes");
  if (auto zone = TimeZone::Find(s.time_zone); !zone.ok())
    return Status(StatusCode::kInvalidArgument, "时区无效 / bad time zone: " + zone.status().message());
  auto next = NextFireUs(s.schedule, s.time_zone, now);
  if (!next.ok()) return next.status();
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  // One statement decides: when several nodes add the same job at once (the built-in jobs at
  // start), one inserts and the others see kAlreadyExists, never a unique-key error.
  bool inserted = false;
  if (auto st = ScanRows(db,
                         "INSERT INTO scheduler_jobs(name, schedule, time_zone, handler, payload, enabled, misfire, overlap, "
                         "starting_deadline_s, max_retries, backoff_s, timeout_s, recover, next_fire_us, created_at_us, "
                         "updated_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT (name) DO NOTHING RETURNING name",
                         {s.name, s.schedule, s.time_zone, s.handler, s.payload, Str(s.enabled ? 1 : 0),
                          MisfireName(s.misfire), OverlapName(s.overlap), Str(s.starting_deadline_s), Str(s.max_retries),
                          Str(s.backoff_s), Str(s.timeout_s), Str(s.recover ? 1 : 0), Str(next.value()), Str(now), Str(now)},
                         [&](const ScanRow&) {
                           inserted = true;
                           return true;
                         });
      !st.ok())
    return st;
  if (!inserted) return Status::Error(StatusCode::kAlreadyExists, "定时任务已存在：" + s.name, "job exists: " + s.name);
  json payload{{"name", s.name}, {"schedule", s.schedule}, {"time_zone", s.time_zone}, {"handler", s.handler}};
  if (auto st = Audit(db, actor, now, "job.add", s.name, payload); !st.ok()) return st;
  return tx.Commit();
}

Status SetEnabled(Database& db, const std::string& name, bool enabled, std::int64_t now, const std::string& actor) {
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  std::string schedule, zone;
  bool found = false;
  if (auto st = ScanRows(db, "SELECT schedule, time_zone FROM scheduler_jobs WHERE name = ?", {name}, [&](const ScanRow& r) {
        schedule = std::string(r.values[0]);
        zone = std::string(r.values[1]);
        found = true;
        return false;
      });
      !st.ok())
    return st;
  if (!found) return NoSuchJob(name);
  // Resuming starts from now: the fire times while paused are not misfires.
  std::optional<std::string> next;
  if (enabled) {
    auto n = NextFireUs(schedule, zone, now);
    if (!n.ok()) return n.status();
    next = Str(n.value());
  }
  if (auto st = enabled ? Exec(db, "UPDATE scheduler_jobs SET enabled = 1, next_fire_us = ?, updated_at_us = ? WHERE name = ?",
                               {next, Str(now), name})
                        : Exec(db, "UPDATE scheduler_jobs SET enabled = 0, updated_at_us = ? WHERE name = ?", {Str(now), name});
      !st.ok())
    return st;
  if (auto st = Audit(db, actor, now, enabled ? "job.resume" : "job.pause", name, json{{"name", name}}); !st.ok()) return st;
  return tx.Commit();
}

Result<std::int64_t> RunNow(Database& db, const std::string& name, std::int64_t now, const std::string& actor) {
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  if (auto st = CheckJobExists(db, name); !st.ok()) return st;
  if (auto st = Exec(db,
                     "INSERT INTO scheduler_runs(job, scheduled_us, state, attempt, not_before_us, message) VALUES "
                     "(?, ?, 'due', 0, ?, 'run-now') ON CONFLICT DO NOTHING",
                     {name, Str(now), Str(now)});
      !st.ok())
    return st;
  if (auto st = Audit(db, actor, now, "job.run_now", name, json{{"name", name}, {"scheduled_us", now}}); !st.ok()) return st;
  if (auto st = tx.Commit(); !st.ok()) return st;
  return now;
}

Result<std::vector<JobRecord>> ListJobs(Database& db) {
  std::vector<JobRecord> out;
  Status st = ScanRows(db,
                       "SELECT name, schedule, time_zone, handler, payload, enabled, misfire, overlap, starting_deadline_s, "
                       "max_retries, backoff_s, timeout_s, recover, COALESCE(next_fire_us, 0) FROM scheduler_jobs ORDER BY name",
                       {}, [&](const ScanRow& r) {
                         JobRecord j;
                         auto n = [&](int i) { return std::stoll(std::string(r.values[i])); };
                         j.spec.name = std::string(r.values[0]);
                         j.spec.schedule = std::string(r.values[1]);
                         j.spec.time_zone = std::string(r.values[2]);
                         j.spec.handler = std::string(r.values[3]);
                         j.spec.payload = std::string(r.values[4]);
                         j.spec.enabled = n(5) != 0;
                         const std::string m(r.values[6]);
                         j.spec.misfire = m == "skip" ? Misfire::kSkip : m == "catch_up_all" ? Misfire::kCatchUpAll : Misfire::kFireOnceNow;
                         j.spec.overlap = r.values[7] == "allow" ? Overlap::kAllow : Overlap::kForbid;
                         j.spec.starting_deadline_s = n(8);
                         j.spec.max_retries = n(9);
                         j.spec.backoff_s = n(10);
                         j.spec.timeout_s = n(11);
                         j.spec.recover = n(12) != 0;
                         j.next_fire_us = n(13);
                         out.push_back(std::move(j));
                         return true;
                       });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<RunRecord>> History(Database& db, const std::string& job, std::int64_t limit) {
  std::vector<RunRecord> out;
  std::string sql =
      "SELECT job, scheduled_us, state, attempt, COALESCE(node, ''), COALESCE(started_at_us, 0), COALESCE(finished_at_us, 0), "
      "message FROM scheduler_runs";
  std::vector<std::optional<std::string>> params;
  if (!job.empty()) {
    // A mistyped name is an error, not an empty history.
    if (auto st = CheckJobExists(db, job); !st.ok()) return st;
    sql += " WHERE job = ?";
    params.emplace_back(job);
  }
  sql += " ORDER BY scheduled_us DESC, job";
  if (limit > 0) sql += " LIMIT " + Str(limit);
  Status st = ScanRows(db, sql, params, [&](const ScanRow& r) {
    RunRecord x;
    x.job = std::string(r.values[0]);
    x.scheduled_us = std::stoll(std::string(r.values[1]));
    x.state = std::string(r.values[2]);
    x.attempt = std::stoi(std::string(r.values[3]));
    x.node = std::string(r.values[4]);
    x.started_at_us = std::stoll(std::string(r.values[5]));
    x.finished_at_us = std::stoll(std::string(r.values[6]));
    x.message = std::string(r.values[7]);
    out.push_back(std::move(x));
    return true;
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::int64_t> CountRuns(Database& db, const std::string& job) {
  std::string sql = "SELECT COUNT(*) FROM scheduler_runs";
  std::vector<std::optional<std::string>> params;
  if (!job.empty()) {
    sql += " WHERE job = ?";
    params.emplace_back(job);
  }
  std::int64_t n = 0;
  Status st = ScanRows(db, sql, params, [&](const ScanRow& r) {
    n = std::stoll(std::string(r.values[0]));
    return false;
  });
  if (!st.ok()) return st;
  return n;
}

// ---------------------------------------------------------------------------------------------
// The scheduler.

namespace {

// Rows per multi-row statement (7 parameters each stays far below both backends' limits).
constexpr std::size_t kBatchRows = 400;

// A multi-row VALUES list of `rows` tuples of `width` parameters, each cast as `types` says
// ('t' text, 'b' bigint) so that PostgreSQL knows the types of a VALUES list in a CTE.
std::string ValuesList(std::size_t rows, const std::string& types) {
  std::string one = "(";
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i) one += ", ";
    one += types[i] == 'b' ? "CAST(? AS BIGINT)" : "CAST(? AS TEXT)";
  }
  one += ")";
  std::string out;
  out.reserve(rows * (one.size() + 2));
  for (std::size_t r = 0; r < rows; ++r) out += (r ? ", " : "") + one;
  return out;
}

std::int64_t ToInt(std::string_view v) { return v.empty() ? 0 : std::stoll(std::string(v)); }

}  // namespace

struct Scheduler::Pool {
  std::mutex mu;
  std::condition_variable cv;     // work for the workers
  std::condition_variable space;  // a worker took a run: the loop may claim more
  std::deque<JobRun> queue;
};

struct Scheduler::InFlight {
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  std::int64_t deadline_us = 0;  // clock time after which the run has timed out
  bool timed_out = false;
  JobRun run;
};

Status CompleteRun(const JobRun& run, Database& db, std::int64_t finished_us) {
  bool held = false;
  Status st = ScanRows(db,
                       "UPDATE scheduler_runs SET state = 'succeeded', finished_at_us = ?, lease_until_us = NULL WHERE job = ? "
                       "AND scheduled_us = ? AND node = ? AND attempt = ? AND state = 'running' RETURNING job",
                       {Str(finished_us), run.job, Str(run.scheduled_us), run.node, Str(run.attempt)}, [&](const ScanRow&) {
                         held = true;
                         return true;
                       });
  if (!st.ok()) return st;
  if (!held)
    return Status::Error(StatusCode::kConflict,
                         "运行 " + run.job + "@" + Str(run.scheduled_us) + " 已不属于本节点（超时或租约过期后由其他节点接管）",
                         "the run " + run.job + "@" + Str(run.scheduled_us) +
                             " is no longer held by this node (it timed out, or its lease expired and another node took it)");
  run.completed = true;
  return Status::Ok();
}

Scheduler::Scheduler(SchedulerOptions options, const HandlerRegistry* handlers)
    : options_(std::move(options)), handlers_(handlers), pool_(std::make_unique<Pool>()) {
  if (options_.node_id.empty()) {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    std::random_device rd;
    options_.node_id = std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(rd() % 100000);
  }
}

Scheduler::~Scheduler() { Stop(); }

Status Scheduler::Start() {
  auto db = Database::Open(options_.db_url);
  if (!db.ok()) return db.status();
  db_ = std::move(db).value();
  const std::int64_t now = options_.clock.NowUs();
  if (!IsPg(*db_)) {
    // One node per SQLite file: an exclusive lock beside the database, released by the
    // kernel when the process dies (so a crash never blocks the next start).
    const std::string lock_path = db_->url().sqlite_path + ".scheduler.lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0)
      return Status::Error(StatusCode::kUnavailable, "无法创建调度锁文件 " + lock_path, "cannot create the scheduler lock " + lock_path);
    if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(lock_fd_);
      lock_fd_ = -1;
      std::string holder;
      (void)ScanRows(*db_, "SELECT id FROM scheduler_nodes WHERE stopped_at_us IS NULL ORDER BY heartbeat_us DESC LIMIT 1", {},
                     [&](const ScanRow& r) {
                       holder = std::string(r.values[0]);
                       return false;
                     });
      return Status::Error(StatusCode::kFailedPrecondition,
                           "此 SQLite 数据库已有一个调度节点在运行（" + holder +
                               "）；SQLite 只支持一个节点，多节点请使用 PostgreSQL，或以 --no-scheduler 启动",
                           "a scheduler node is already running on this SQLite database (" + holder +
                               "); SQLite supports one node: use PostgreSQL for several, or start with --no-scheduler");
    }
    // Holding the lock, this is the only node: runs still marked running belong to a process
    // that died. Recover them now rather than after their lease.
    if (auto st = RecoverOwnCrash(now); !st.ok()) return st;
  }
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  if (auto st = Exec(*db_,
                     "INSERT INTO scheduler_nodes(id, host, pid, started_at_us, heartbeat_us) VALUES (?, ?, ?, ?, ?) "
                     "ON CONFLICT (id) DO UPDATE SET heartbeat_us = excluded.heartbeat_us, stopped_at_us = NULL",
                     {options_.node_id, std::string(host), Str(getpid()), Str(now), Str(now)});
      !st.ok())
    return st;
  last_heartbeat_ = now;
  stopping_ = false;
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    auto wdb = Database::Open(options_.db_url);
    if (!wdb.ok()) {
      Stop();
      return wdb.status();
    }
    std::shared_ptr<Database> conn(std::move(wdb).value());
    workers_.emplace_back([this, conn] { Work(conn); });
  }
  loop_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

Status Scheduler::RecoverOwnCrash(std::int64_t now) {
  WriteTransaction tx(*db_);
  if (auto st = tx.Begin(); !st.ok()) return st;
  const std::string msg = "上次运行的进程已退出 / the process that ran it exited";
  if (auto st = Exec(*db_,
                     "UPDATE scheduler_runs SET state = 'due', lease_until_us = NULL, not_before_us = ?, message = ? || "
                     "'（节点 / node ' || COALESCE(node, '') || '，重新执行 / recovered）' WHERE state = 'running' AND job IN "
                     "(SELECT name FROM scheduler_jobs WHERE recover = 1)",
                     {Str(now), msg});
      !st.ok())
    return st;
  if (auto st = Exec(*db_,
                     "UPDATE scheduler_runs SET state = 'abandoned', finished_at_us = ?, lease_until_us = NULL, message = ? || "
                     "'（任务不允许恢复 / the job does not allow recovery）' WHERE state = 'running'",
                     {Str(now), msg});
      !st.ok())
    return st;
  if (auto st = Exec(*db_, "UPDATE scheduler_nodes SET stopped_at_us = heartbeat_us WHERE stopped_at_us IS NULL"); !st.ok())
    return st;
  return tx.Commit();
}

void Scheduler::Work(std::shared_ptr<Database> conn) {
  Pool& pool = *pool_;
  while (true) {
    JobRun run;
    {
      std::unique_lock<std::mutex> l(pool.mu);
      pool.cv.wait(l, [&] { return stopping_ || !pool.queue.empty(); });
      if (pool.queue.empty()) return;
      run = std::move(pool.queue.front());
      pool.queue.pop_front();
      ++busy_;
    }
    const std::int64_t start = options_.clock.NowUs();
    const auto key = std::make_pair(run.job, run.scheduled_us);
    {
      std::lock_guard<std::mutex> l(mu_);
      latencies_.push_back(start - run.scheduled_us);
      auto f = std::make_shared<InFlight>();
      f->deadline_us = start + run.timeout_us;
      f->run = run;
      run.cancel = f->cancel;
      if (stopping_) f->cancel->store(true);
      inflight_[key] = f;
    }
    // A connection the server dropped (a PostgreSQL restart) is connected again first; when
    // that fails, the handler fails with the server's message and the run is retried.
    (void)conn->ReviveIfBroken();
    const HandlerFn* h = handlers_ ? handlers_->Find(run.handler) : nullptr;
    Status result = h == nullptr ? Status::Error(StatusCode::kNotFound, "没有处理程序 " + run.handler + "（缺少插件？）",
                                                 "no handler " + run.handler + " (plugin missing?)")
                                 : Status::Ok();
    if (h != nullptr) {
      try {
        result = (*h)(run, *conn);
      } catch (const std::exception& e) {
        result = Status::Error(StatusCode::kInternal, std::string("处理程序异常：") + e.what(), std::string("handler threw: ") + e.what());
      }
    }
    const std::int64_t end = options_.clock.NowUs();
    {
      std::lock_guard<std::mutex> l(mu_);
      auto it = inflight_.find(key);
      const bool timed_out = it != inflight_.end() && it->second->timed_out;
      if (it != inflight_.end()) inflight_.erase(it);
      if (timed_out) {
        // Already recorded as timed out; whatever the handler did last is not its outcome.
      } else if (result.ok() && run.completed) {
        ++stats_.runs_succeeded;  // recorded by the handler's own transaction
      } else {
        const bool released = !result.ok() && stopping_ && run.Cancelled();
        if (result.ok())
          ++stats_.runs_succeeded;
        else if (!released)
          ++stats_.runs_failed;
        outcomes_.push_back(Outcome{run, result, end, released});
      }
    }
    --busy_;
    pool.space.notify_one();
  }
}

void Scheduler::Stop() {
  if (!loop_.joinable() && workers_.empty()) return;
  stopping_ = true;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [k, f] : inflight_) f->cancel->store(true);
  }
  wake_.notify_all();
  if (loop_.joinable()) loop_.join();
  std::deque<JobRun> unstarted;
  {
    std::lock_guard<std::mutex> l(pool_->mu);
    unstarted.swap(pool_->queue);
  }
  pool_->cv.notify_all();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
  workers_.clear();
  if (db_) {
    const std::int64_t now = options_.clock.NowUs();
    if (auto st = Flush(); !st.ok()) std::fprintf(stderr, "警告 / warning: scheduler: %s\n", st.message().c_str());
    // Runs claimed but never handed to a handler go back to due at once.
    for (const auto& r : unstarted)
      (void)Exec(*db_, "UPDATE scheduler_runs SET state = 'due', attempt = attempt - 1, node = NULL, lease_until_us = NULL "
                       "WHERE job = ? AND scheduled_us = ? AND node = ? AND attempt = ? AND state = 'running'",
                 {r.job, Str(r.scheduled_us), options_.node_id, Str(r.attempt)});
    (void)Exec(*db_, "UPDATE scheduler_nodes SET stopped_at_us = ? WHERE id = ?", {Str(now), options_.node_id});
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

std::vector<std::int64_t> Scheduler::TakeLatencies() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::int64_t> out;
  out.swap(latencies_);
  return out;
}

void Scheduler::Loop() {
  std::int64_t failures = 0;
  while (!stopping_) {
    bool more = false;
    std::int64_t wake = 0;
    // After a PostgreSQL restart the node's connection is connected again here (each tick
    // tries while the server is away: the ticks fail and slow down meanwhile).
    (void)db_->ReviveIfBroken();
    const Status st = Tick(&more, &wake);
    ++stats_.ticks;
    if (!st.ok()) {
      // A database hiccup: log and keep going (the next tick retries), a little slower each
      // time so that a database that is down is not hammered.
      ++failures;
      std::fprintf(stderr, "警告 / warning: scheduler: %s\n", st.message().c_str());
    } else {
      failures = 0;
    }
    if (more && st.ok()) continue;
    // Sleep until the next thing is due, at most one tick (new jobs, other nodes' changes).
    std::int64_t sleep_us = options_.tick_us;
    if (st.ok() && wake > 0) sleep_us = std::min(sleep_us, options_.clock.RealDelayUs(wake - options_.clock.NowUs()));
    if (failures > 0) sleep_us = std::min<std::int64_t>(options_.tick_us * (1 + std::min<std::int64_t>(failures, 10)), 10'000'000);
    sleep_us = std::max<std::int64_t>(1000, sleep_us);
    std::unique_lock<std::mutex> l(mu_);
    wake_.wait_for(l, std::chrono::microseconds(sleep_us), [&] { return stopping_.load(); });
  }
}

Status Scheduler::Tick(bool* more, std::int64_t* wake_us) {
  const std::int64_t now = options_.clock.NowUs();
  if (now - last_heartbeat_ >= options_.lease_us / 3) {
    if (auto st = Heartbeat(now); !st.ok()) return st;
    last_heartbeat_ = now;
  }
  if (auto st = CheckTimeouts(now); !st.ok()) return st;
  if (auto st = Flush(); !st.ok()) return st;
  if (options_.history_us > 0 && now - last_prune_ >= 3600LL * 1'000'000) {
    if (auto st = Prune(now); !st.ok()) return st;
    last_prune_ = now;
  }
  bool more_fires = false;
  if (auto st = Materialize(now, &more_fires); !st.ok()) return st;
  // After Materialize: a caught-up run already past its starting deadline is missed, not run.
  if (auto st = Recover(now); !st.ok()) return st;
  // Claim no more than the workers can start soon (a few runs per worker), so that the other
  // nodes get their share; claim again at once while runs are due and the workers keep up.
  // The window adapts: it doubles (up to 1,000) while the workers empty the queue between two
  // claims (quick handlers: fewer, larger transactions when thousands of runs fire at once)
  // and halves when they fall behind (slow handlers: runs stay unclaimed for other nodes).
  const int min_window = std::max(1, options_.workers) * 8;
  if (claim_window_ < min_window || live_nodes_ > 1) claim_window_ = min_window;
  bool claims_full = false;
  while (!stopping_) {
    const int window = claim_window_;
    std::size_t queued = 0;
    {
      std::unique_lock<std::mutex> l(pool_->mu);
      // Wait (briefly) for the workers when the queue is more than half full.
      pool_->space.wait_for(l, std::chrono::milliseconds(50), [&] {
        return stopping_ || static_cast<int>(pool_->queue.size()) + busy_.load() <= window / 2;
      });
      queued = pool_->queue.size();
    }
    const int capacity = window - busy_.load() - static_cast<int>(queued);
    if (capacity <= 0) {
      claim_window_ = std::max(min_window, claim_window_ / 2);
      claims_full = true;
      break;
    }
    std::vector<JobRun> runs;
    const std::int64_t t = options_.clock.NowUs();
    if (auto st = Claim(t, capacity, &runs); !st.ok()) return st;
    if (!runs.empty()) {
      {
        std::lock_guard<std::mutex> l(pool_->mu);
        for (auto& r : runs) pool_->queue.push_back(std::move(r));
      }
      pool_->cv.notify_all();
    }
    if (static_cast<int>(runs.size()) < capacity) break;
    // Large windows only for a node alone (always on SQLite): with several nodes, small
    // windows let the others take their share of the runs.
    if (queued == 0 && live_nodes_ <= 1) claim_window_ = std::min(1000, claim_window_ * 2);
    claims_full = true;
    if (more_fires) break;  // turn the next jobs' fire times into runs first
  }
  *more = more_fires || claims_full;
  if (!*more) {
    auto w = NextWake();
    if (!w.ok()) return w.status();
    *wake_us = w.value();
  }
  return Status::Ok();
}

Result<std::int64_t> Scheduler::NextWake() {
  std::int64_t wake = 0;
  auto take = [&](const ScanRow& r) {
    if (!r.null[0]) {
      const std::int64_t v = ToInt(r.values[0]);
      if (wake == 0 || v < wake) wake = v;
    }
    return false;
  };
  if (auto st = ScanRows(*db_, "SELECT MIN(next_fire_us) FROM scheduler_jobs WHERE enabled = 1", {}, take); !st.ok()) return st;
  if (auto st = ScanRows(*db_, "SELECT MIN(not_before_us) FROM scheduler_runs WHERE state = 'due'", {}, take); !st.ok())
    return st;
  return wake;
}

Status Scheduler::Heartbeat(std::int64_t now) {
  if (auto st = Exec(*db_, "UPDATE scheduler_nodes SET heartbeat_us = ? WHERE id = ?", {Str(now), options_.node_id}); !st.ok())
    return st;
  if (IsPg(*db_)) {
    // The nodes alive (a heartbeat within a lease), for the claim window.
    if (auto st = ScanRows(*db_, "SELECT COUNT(*) FROM scheduler_nodes WHERE stopped_at_us IS NULL AND heartbeat_us >= ?",
                           {Str(now - options_.lease_us)}, [&](const ScanRow& r) {
                             live_nodes_ = static_cast<int>(ToInt(r.values[0]));
                             return false;
                           });
        !st.ok())
      return st;
  }
  return Exec(*db_, "UPDATE scheduler_runs SET lease_until_us = ? WHERE node = ? AND state = 'running'",
              {Str(now + options_.lease_us), options_.node_id});
}

Status Scheduler::CheckTimeouts(std::int64_t now) {
  std::vector<JobRun> expired;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [k, f] : inflight_)
      if (!f->timed_out && f->run.timeout_us > 0 && now > f->deadline_us) {
        f->timed_out = true;
        f->cancel->store(true);
        expired.push_back(f->run);
      }
  }
  for (const auto& run : expired) {
    ++stats_.runs_timed_out;
    ++stats_.runs_failed;
    const bool retry = run.attempt <= run.max_retries;
    const std::int64_t wait = run.backoff_us * (std::int64_t{1} << std::min(run.attempt - 1, 20));
    const std::string msg = "超时（" + Str(run.timeout_us / 1000000) + " 秒）/ timed out after " + Str(run.timeout_us / 1000000) +
                            " s" + (retry ? "（将重试 / will retry）" : "");
    if (auto st = Exec(*db_,
                       "UPDATE scheduler_runs SET state = ?, not_before_us = ?, finished_at_us = ?, message = ?, "
                       "lease_until_us = NULL WHERE job = ? AND scheduled_us = ? AND node = ? AND attempt = ? AND state = 'running'",
                       {std::string(retry ? "due" : "failed"), Str(now + wait),
                        retry ? std::optional<std::string>() : Str(now), msg, run.job, Str(run.scheduled_us),
                        options_.node_id, Str(run.attempt)});
        !st.ok())
      return st;
  }
  return Status::Ok();
}

Status Scheduler::Recover(std::int64_t now) {
  Database& db = *db_;
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  struct Lost {
    std::string job, scheduled, node, attempt;
    bool recover = true;
  };
  std::vector<Lost> lost;
  Status st = ScanRows(db,
                       std::string("SELECT r.job, r.scheduled_us, COALESCE(r.node, ''), r.attempt, j.recover FROM scheduler_runs r "
                                   "JOIN scheduler_jobs j ON j.name = r.job WHERE r.state = 'running' AND r.lease_until_us < ?") +
                           (IsPg(db) ? " FOR UPDATE OF r SKIP LOCKED" : ""),
                       {Str(now)}, [&](const ScanRow& r) {
                         lost.push_back({std::string(r.values[0]), std::string(r.values[1]), std::string(r.values[2]),
                                         std::string(r.values[3]), r.values[4] == "1"});
                         return true;
                       });
  if (!st.ok()) return st;
  for (const auto& l : lost) {
    const std::string msg = "节点 " + l.node + " 的租约已过期 / the lease of node " + l.node + " expired";
    // Fenced on node and attempt: a node that comes back after its lease loses the run.
    st = Exec(db,
              l.recover ? "UPDATE scheduler_runs SET state = 'due', lease_until_us = NULL, not_before_us = ?, message = ? "
                          "WHERE job = ? AND scheduled_us = ? AND node = ? AND attempt = ? AND state = 'running'"
                        : "UPDATE scheduler_runs SET state = 'abandoned', finished_at_us = ?, lease_until_us = NULL, message = ? "
                          "WHERE job = ? AND scheduled_us = ? AND node = ? AND attempt = ? AND state = 'running'",
              {Str(now), msg + (l.recover ? "（重新执行 / recovered）" : "（任务不允许恢复 / the job does not allow recovery）"),
               l.job, l.scheduled, l.node, l.attempt});
    if (!st.ok()) return st;
  }
  // Due runs past their starting deadline are missed: a run may start up to scheduled time +
  // deadline (inclusive), never after (Claim checks the same bound at the instant it claims).
  // The CAST matters on SQLite: parameters travel as text, an arithmetic expression has no
  // affinity, and there an integer compares below any text, so without it every run of a job
  // with a deadline was "past" it.
  st = Exec(db,
            "UPDATE scheduler_runs SET state = 'missed', finished_at_us = ?, message = '超过启动期限 / past the starting deadline' "
            "WHERE state = 'due' AND EXISTS (SELECT 1 FROM scheduler_jobs j WHERE j.name = scheduler_runs.job AND "
            "j.starting_deadline_s > 0 AND scheduler_runs.scheduled_us + j.starting_deadline_s * 1000000 < CAST(? AS BIGINT))",
            {Str(now), Str(now)});
  if (!st.ok()) return st;
  return tx.Commit();
}

Status Scheduler::Prune(std::int64_t now) {
  return Exec(*db_,
              "DELETE FROM scheduler_runs WHERE state IN ('succeeded', 'failed', 'skipped', 'missed', 'abandoned') AND "
              "finished_at_us < ?",
              {Str(now - options_.history_us)});
}

Status Scheduler::Materialize(std::int64_t now, bool* more) {
  Database& db = *db_;
  constexpr int kJobsPerPass = 10000;  // one transaction for 10,000 jobs firing at once
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  struct Due {
    std::string name, schedule, zone, misfire;
    std::int64_t next = 0;
  };
  std::vector<Due> due;
  Status st = ScanRows(db,
                       std::string("SELECT name, schedule, time_zone, misfire, next_fire_us FROM scheduler_jobs WHERE enabled = 1 "
                                   "AND next_fire_us <= ? ORDER BY next_fire_us LIMIT ") +
                           Str(kJobsPerPass) + (IsPg(db) ? " FOR UPDATE SKIP LOCKED" : ""),
                       {Str(now)}, [&](const ScanRow& r) {
                         due.push_back({std::string(r.values[0]), std::string(r.values[1]), std::string(r.values[2]),
                                        std::string(r.values[3]), ToInt(r.values[4])});
                         return true;
                       });
  if (!st.ok()) return st;
  *more = due.size() == static_cast<std::size_t>(kJobsPerPass);
  if (due.empty()) return tx.Commit();
  constexpr int kCatchUpCap = 100, kRecordCap = 100, kEnumerateCap = 20000;
  struct Row {
    std::string job;
    std::int64_t at;
    const char* state;
    std::string note;
  };
  std::vector<Row> rows;
  std::vector<std::pair<std::string, std::int64_t>> next_fire;
  for (const auto& d : due) {
    // The fire times up to now: on time (within the grace) or misfired.
    std::vector<std::int64_t> missed, on_time;
    std::int64_t t = d.next, count = 0;
    bool truncated = false;
    Status bad;
    while (t <= now) {
      if (now - t <= options_.misfire_grace_us)
        on_time.push_back(t);
      else
        missed.push_back(t);
      Result<std::int64_t> n = std::int64_t{0};  // assigned below
      if (++count >= kEnumerateCap) {
        // Down for a very long time: jump to the fire times within the grace.
        truncated = true;
        n = NextFireUs(d.schedule, d.zone, now - options_.misfire_grace_us);
        count = 0;
      } else {
        n = NextFireUs(d.schedule, d.zone, t);
      }
      if (!n.ok()) {
        bad = n.status();
        break;
      }
      t = n.value();
    }
    if (!bad.ok()) {
      // A schedule that no longer evaluates (e.g. a working-day schedule past the last
      // calendar year): pause the job and say why, rather than stopping every other job.
      st = Exec(db, "UPDATE scheduler_jobs SET enabled = 0, updated_at_us = ? WHERE name = ?", {Str(now), d.name});
      if (!st.ok()) return st;
      st = Audit(db, "scheduler", now, "job.pause", d.name, json{{"name", d.name}, {"reason", bad.message()}});
      if (!st.ok()) return st;
      std::fprintf(stderr, "警告 / warning: scheduler: %s: %s\n", d.name.c_str(), bad.message().c_str());
      continue;
    }
    std::string note;
    if (!missed.empty()) {
      const std::string n = std::to_string(missed.size()) + (truncated ? "+" : "");
      note = "停机期间错过 " + n + " 次（" + d.misfire + "）/ " + n + " fire times missed while down (" + d.misfire + ")";
      auto add = [&](std::int64_t at, const char* state) { rows.push_back({d.name, at, state, note}); };
      if (d.misfire == "skip") {
        for (std::size_t i = missed.size() > kRecordCap ? missed.size() - kRecordCap : 0; i < missed.size(); ++i)
          add(missed[i], "skipped");
      } else if (d.misfire == "catch_up_all") {
        const std::size_t first_run = missed.size() > kCatchUpCap ? missed.size() - kCatchUpCap : 0;
        for (std::size_t i = first_run > kRecordCap ? first_run - kRecordCap : 0; i < first_run; ++i) add(missed[i], "skipped");
        for (std::size_t i = first_run; i < missed.size(); ++i) add(missed[i], "due");
      } else {  // fire_once_now: the latest misfire runs now (keyed by its own scheduled time)
        const std::size_t keep = on_time.empty() ? missed.size() - 1 : missed.size();
        for (std::size_t i = keep > kRecordCap ? keep - kRecordCap : 0; i < keep; ++i) add(missed[i], "missed");
        if (on_time.empty()) add(missed.back(), "due");
      }
    }
    for (auto t2 : on_time) rows.push_back({d.name, t2, "due", note});
    next_fire.emplace_back(d.name, t);
  }
  for (std::size_t i = 0; i < rows.size(); i += kBatchRows) {
    const std::size_t n = std::min(kBatchRows, rows.size() - i);
    std::vector<std::optional<std::string>> p;
    p.reserve(n * 6);
    for (std::size_t k = i; k < i + n; ++k) {
      const Row& r = rows[k];
      const bool closed = std::string_view(r.state) != "due";
      p.emplace_back(r.job);
      p.emplace_back(Str(r.at));
      p.emplace_back(std::string(r.state));
      p.emplace_back(Str(r.at));
      p.push_back(closed ? std::optional<std::string>(Str(now)) : std::nullopt);
      p.emplace_back(r.note);
    }
    st = Exec(db,
              "INSERT INTO scheduler_runs(job, scheduled_us, state, not_before_us, finished_at_us, message) VALUES " +
                  ValuesList(n, "tbtbbt") + " ON CONFLICT DO NOTHING",
              p);
    if (!st.ok()) return st;
  }
  for (std::size_t i = 0; i < next_fire.size(); i += kBatchRows) {
    const std::size_t n = std::min(kBatchRows, next_fire.size() - i);
    std::vector<std::optional<std::string>> p;
    for (std::size_t k = i; k < i + n; ++k) {
      p.emplace_back(next_fire[k].first);
      p.emplace_back(Str(next_fire[k].second));
    }
    st = Exec(db,
              "WITH v(name, next_fire) AS (VALUES " + ValuesList(n, "tb") +
                  ") UPDATE scheduler_jobs SET next_fire_us = v.next_fire FROM v WHERE scheduler_jobs.name = v.name",
              p);
    if (!st.ok()) return st;
  }
  return tx.Commit();
}

Status Scheduler::Claim(std::int64_t now, int capacity, std::vector<JobRun>* runs) {
  Database& db = *db_;
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  // The earliest due run of each job (every due run of an overlap=allow job). On PostgreSQL
  // the candidates are locked with SKIP LOCKED, so another node takes other runs instead of
  // waiting; the guarded UPDATE below (a statement of its own, with a fresh snapshot) is what
  // makes a claim exclusive and keeps a forbid job to one running run across nodes.
  struct Cand {
    std::string job, at, handler, payload, zone;
    std::int64_t timeout_s = 0, retries = 0, backoff_s = 0;
    bool allow = false;  // overlap allow
  };
  std::vector<Cand> cand;
  Status st = ScanRows(
      db,
      std::string("SELECT r.job, r.scheduled_us, j.handler, j.payload, j.time_zone, j.timeout_s, j.max_retries, j.backoff_s, "
                  "j.overlap "
                  "FROM scheduler_runs r JOIN scheduler_jobs j ON j.name = r.job WHERE r.state = 'due' AND r.not_before_us <= ? "
                  // Not past its starting deadline (Recover marks those missed).
                  "AND (j.starting_deadline_s = 0 OR r.scheduled_us + j.starting_deadline_s * 1000000 >= CAST(? AS BIGINT)) "
                  "AND (j.overlap = 'allow' OR NOT EXISTS (SELECT 1 FROM scheduler_runs y WHERE y.job = r.job AND "
                  "y.state = 'due' AND y.scheduled_us < r.scheduled_us)) ORDER BY r.not_before_us LIMIT ") +
          Str(capacity) + (IsPg(db) ? " FOR UPDATE OF r SKIP LOCKED" : ""),
      {Str(now), Str(now)}, [&](const ScanRow& r) {
        cand.push_back({std::string(r.values[0]), std::string(r.values[1]), std::string(r.values[2]), std::string(r.values[3]),
                        std::string(r.values[4]), ToInt(r.values[5]), ToInt(r.values[6]), ToInt(r.values[7]),
                        r.values[8] == "allow"});
        return true;
      });
  if (!st.ok()) return st;
  std::map<std::pair<std::string, std::string>, const Cand*> by_key;
  for (const auto& c : cand) by_key[{c.job, c.at}] = &c;
  for (std::size_t i = 0; i < cand.size(); i += kBatchRows) {
    const std::size_t n = std::min(kBatchRows, cand.size() - i);
    std::vector<std::optional<std::string>> params;
    for (std::size_t k = i; k < i + n; ++k) {
      params.emplace_back(cand[k].job);
      params.emplace_back(cand[k].at);
      params.emplace_back(cand[k].allow ? "1" : "0");
    }
    params.emplace_back(options_.node_id);
    params.emplace_back(Str(now + options_.lease_us));
    params.emplace_back(Str(now));
    st = ScanRows(db,
                  "WITH v(job, scheduled_us, allow) AS (VALUES " + ValuesList(n, "tbb") +
                      ") UPDATE scheduler_runs SET state = 'running', node = ?, attempt = attempt + 1, lease_until_us = ?, "
                      "started_at_us = ? FROM v WHERE scheduler_runs.job = v.job AND scheduler_runs.scheduled_us = "
                      "v.scheduled_us AND scheduler_runs.state = 'due' AND (v.allow = 1 OR NOT EXISTS (SELECT 1 FROM "
                      "scheduler_runs x WHERE x.job = scheduler_runs.job AND x.state = 'running')) "
                      "RETURNING scheduler_runs.job, scheduler_runs.scheduled_us, scheduler_runs.attempt",
                  params, [&](const ScanRow& r) {
                    auto it = by_key.find({std::string(r.values[0]), std::string(r.values[1])});
                    if (it == by_key.end()) return true;
                    const Cand& c = *it->second;
                    JobRun run;
                    run.job = c.job;
                    run.scheduled_us = ToInt(c.at);
                    run.attempt = static_cast<int>(ToInt(r.values[2]));
                    run.handler = c.handler;
                    run.payload = c.payload;
                    run.time_zone = c.zone;
                    run.node = options_.node_id;
                    run.timeout_us = c.timeout_s * 1'000'000;
                    run.max_retries = c.retries;
                    run.backoff_us = c.backoff_s * 1'000'000;
                    runs->push_back(std::move(run));
                    ++stats_.runs_started;
                    return true;
                  });
    if (!st.ok()) return st;
  }
  return tx.Commit();
}

Status Scheduler::Flush() {
  std::vector<Outcome> done;
  {
    std::lock_guard<std::mutex> l(mu_);
    done.swap(outcomes_);
  }
  if (done.empty()) return Status::Ok();
  Database& db = *db_;
  auto give_back = [&](const Status& st) {
    std::lock_guard<std::mutex> l(mu_);
    outcomes_.insert(outcomes_.begin(), done.begin(), done.end());
    return st;
  };
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return give_back(st);
  // Recorded only while this node still holds the run (fencing by node and attempt).
  std::vector<const Outcome*> ok;
  for (const auto& o : done) {
    if (o.result.ok()) {
      ok.push_back(&o);
      continue;
    }
    if (o.released) {
      Status st = Exec(db,
                       "UPDATE scheduler_runs SET state = 'due', attempt = attempt - 1, lease_until_us = NULL, message = "
                       "'节点停止时交还 / given back when its node stopped' WHERE job = ? AND scheduled_us = ? AND node = ? "
                       "AND attempt = ? AND state = 'running'",
                       {o.run.job, Str(o.run.scheduled_us), options_.node_id, Str(o.run.attempt)});
      if (!st.ok()) return give_back(st);
      continue;
    }
    const bool retry = o.run.attempt <= o.run.max_retries;
    const std::int64_t wait = o.run.backoff_us * (std::int64_t{1} << std::min(o.run.attempt - 1, 20));
    Status st = Exec(db,
                     "UPDATE scheduler_runs SET state = ?, not_before_us = ?, finished_at_us = ?, message = ?, "
                     "lease_until_us = NULL WHERE job = ? AND scheduled_us = ? AND node = ? AND attempt = ? AND state = 'running'",
                     {std::string(retry ? "due" : "failed"), Str(o.finished_us + wait),
                      retry ? std::optional<std::string>() : Str(o.finished_us),
                      o.result.message() + (retry ? "（将重试 / will retry）" : ""), o.run.job, Str(o.run.scheduled_us),
                      options_.node_id, Str(o.run.attempt)});
    if (!st.ok()) return give_back(st);
  }
  for (std::size_t i = 0; i < ok.size(); i += kBatchRows) {
    const std::size_t n = std::min(kBatchRows, ok.size() - i);
    std::vector<std::optional<std::string>> p;
    for (std::size_t k = i; k < i + n; ++k) {
      p.emplace_back(ok[k]->run.job);
      p.emplace_back(Str(ok[k]->run.scheduled_us));
      p.emplace_back(Str(ok[k]->run.attempt));
      p.emplace_back(Str(ok[k]->finished_us));
    }
    p.emplace_back(options_.node_id);
    Status st = Exec(db,
                     "WITH v(job, scheduled_us, attempt, finished) AS (VALUES " + ValuesList(n, "tbbb") +
                         ") UPDATE scheduler_runs SET state = 'succeeded', finished_at_us = v.finished, lease_until_us = NULL "
                         "FROM v WHERE scheduler_runs.job = v.job AND scheduler_runs.scheduled_us = v.scheduled_us AND "
                         "scheduler_runs.attempt = v.attempt AND scheduler_runs.node = ? AND scheduler_runs.state = 'running'",
                     p);
    if (!st.ok()) return give_back(st);
  }
  if (auto st = tx.Commit(); !st.ok()) return give_back(st);
  return Status::Ok();
}

}  // namespace xj::sched
