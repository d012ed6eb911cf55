// The host side of the SDK's storage and units of work (xinjian/sql.h, xinjian/platform.h)
// on a Database: SQLite through the native statement API, PostgreSQL through libpq (scan.h),
// bulk inserts through RowSink (bulk.h), audit records and events through AppendJournal
// (journal.h) in the unit's own transaction.
//
// Thread safety: PlatformImpl serialises units of work and reads on its attached Database with
// a mutex (a Database is one connection); the Sql objects it hands out belong to the calling
// thread for the duration of the call. With a pool (SetPool), reads, and on PostgreSQL units
// of work too, run on the pool's connections instead, several at once. The subject index has its own shared mutex (leases
// share it, a catch-up takes it alone; see xinjian/directory.h).
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "database.h"
#include "journal.h"
#include "xinjian/events.h"
#include "xinjian/platform.h"
#include "xinjian/sql.h"

namespace xj {

// An Sql over `db` for the caller's current transaction (or none). `writable` false makes
// Exec and BulkInsert answer kFailedPrecondition.
std::unique_ptr<Sql> MakeSql(Database& db, bool writable);

// Validates what UnitOfWork::Audit and ::Publish accept (shared with the scheduler's
// JobServices): kInvalidArgument naming the problem.
Status CheckAuditChange(const AuditChange& change);
Status CheckEvent(const std::string& topic, const std::string& payload_json);

// True while the calling thread runs a unit of work or a read (of any PlatformImpl): starting
// another one then answers kFailedPrecondition (NestedUnitError).
bool InUnitOfWork();
Status NestedUnitError();

class PluginHost;

// Platform::OpenTable of the host (xinjian/table_reader.h): the importer's CsvReader behind
// the SDK's TableReader. For platforms that wrap PlatformImpl (the scheduler's job platform).
Result<std::unique_ptr<TableReader>> OpenHostTable(const std::string& path, const TableReaderOptions& options);

class PlatformImpl final : public Platform {
 public:
  PlatformImpl();
  ~PlatformImpl() override;
  // The database units of work run on (not owned; nullptr detaches). Attach before handing
  // the platform to code that runs units; detach before the Database is destroyed. Attaching
  // another database drops the subject index (it waits for the leases held).
  void Attach(Database* db);
  Database* database() const { return db_; }
  // More connections to the attached database, owned by the platform from now on: each Read,
  // and on PostgreSQL each RunInTransaction, takes a free one for its duration (waiting while
  // all are busy) instead of waiting for the attached connection, so requests of several
  // threads run at once (xinjian serve's web platform). SQLite units of work stay on the
  // attached connection, one at a time: SQLite has one writer anyway, and in-process waiting
  // is fairer than its busy timeout. The subject index, the caller-transaction calls and
  // Lock() keep to the attached connection. An empty vector removes the pool (waiting for the
  // connections in use). Each connection must be of the attached database's dialect. A pooled
  // PostgreSQL connection the server dropped is connected again when it is next taken, so a
  // restart of the server costs the requests that were running, not the process.
  void SetPool(std::vector<std::unique_ptr<Database>> pool);
  std::size_t pool_size() const;
  // The plugins whose samplers and entropy sources FindSampler, FindEntropySource and the
  // *Names functions answer with (not owned; nullptr: none). The host sets its own after
  // loading; a platform made for one job run or one test sets the host it runs with.
  void SetPlugins(const PluginHost* host) { plugins_ = host; }
  // A fixed clock: NowMicros (and so every unit of work's instant) answers `now_us`; 0 goes
  // back to the process clock (the default: the system clock shifted by XINJIAN_NOW). For
  // tests that set the time of each step.
  void SetNow(std::int64_t now_us) { fixed_now_us_.store(now_us); }

  Status RunInTransaction(const Principal& principal, const UnitOfWorkFn& fn) override;
  Status Read(const ReadFn& fn) override;
  Status ReadSingle(const ReadFn& fn) override;
  std::int64_t NowMicros() const override;
  Result<SqlDialect> Dialect() const override;
  const TimeService& Time() const override;
  Result<const WorkingDays*> Calendar() const override;
  const Sampler* FindSampler(const std::string& algorithm) const override;
  const EntropySource* FindEntropySource(const std::string& name) const override;
  std::vector<std::string> SamplerNames() const override;
  const Scorer* FindScorer(const std::string& name) const override;
  std::vector<std::string> ScorerNames() const override;
  const ListPolicy* FindListPolicy(const std::string& code) const override;
  std::vector<std::string> ListPolicyNames() const override;
  Status AtDetach(std::function<void()> fn) override;
  Result<std::int64_t> SetListings(UnitOfWork& uow, const std::vector<ListingsChange>& changes) override;
  Result<std::int64_t> SetRiskClasses(UnitOfWork& uow, const std::vector<RiskClassChange>& changes) override;
  std::vector<std::string> EntropySourceNames() const override;
  Result<SubjectIndexLease> Subjects() override;
  const RegionCodes& Regions() const override;
  Result<std::unique_ptr<TableReader>> OpenTable(const std::string& path, const TableReaderOptions& options) override;
  Result<std::string> WriteXlsx(const opendata::Table& table, const opendata::XlsxOptions& options) override;
  JobScheduler* Jobs() override { return jobs_; }
  // The scheduler's jobs Jobs() answers with (not owned; nullptr: none). The command line sets
  // its own (cli/cmd_jobs.cpp), which knows the scheduler.
  void SetJobScheduler(JobScheduler* jobs) { jobs_ = jobs; }
  // The configuration the calendar is read with (calendar.dir); set by the host before use.
  void SetConfig(std::map<std::string, std::string> config) { config_ = std::move(config); }

  // Runs `fn` as a unit of work inside a transaction the caller already began on the
  // attached database (the event dispatcher and the scheduler, which add their own
  // bookkeeping to the same transaction). The audit records and events are appended before
  // returning; the caller commits or rolls back.
  Status RunInCallerTransaction(const Principal& principal, std::int64_t now_us, const UnitOfWorkFn& fn);
  // Runs `fn` with a read-only Sql inside a transaction the caller already began on the
  // attached database (it sees that transaction's writes); no BEGIN or COMMIT of its own.
  Status ReadInCallerTransaction(const ReadFn& fn);

  // Holds the platform's lock: units of work and reads of other threads wait until it is
  // released. For the host's own use of the attached connection beside them (xinjian serve
  // delivers events on it). Recursive: the holder may run units and reads itself.
  std::unique_lock<std::recursive_mutex> Lock() { return std::unique_lock<std::recursive_mutex>(mu_); }

 private:
  JobScheduler* jobs_ = nullptr;
  Database* db_ = nullptr;
  std::recursive_mutex mu_;
  std::map<std::string, std::string> config_;
  const PluginHost* plugins_ = nullptr;
  std::atomic<std::int64_t> fixed_now_us_{0};
  // The subject index of db_ (nullptr until the first Subjects()).
  std::shared_mutex index_mu_;
  std::unique_ptr<SubjectIndex> index_;
  // The pool (SetPool): all connections, the free ones, and how many are out.
  mutable std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Database>> pool_;
  std::vector<Database*> pool_free_;
  std::size_t pool_out_ = 0;
  std::atomic<bool> pool_writes_{false};  // units of work run on the pool too (PostgreSQL)
  // AtDetach's hooks, run (and forgotten) by Attach of another database and by the destructor:
  // detach or destroy the platform before its database when a plugin may have registered one.
  std::mutex detach_mu_;
  std::vector<std::function<void()>> detach_hooks_;
  void RunDetachHooks();
  class PoolLease;
  Status ReadWith(const ReadFn& fn, bool single);  // Read / ReadSingle: on a pooled or the attached connection
  Status ReadOn(Database& db, const ReadFn& fn);
  Status ReadSingleOn(Database& db, const ReadFn& fn);
  Status TransactOn(Database& db, const Principal& principal, const UnitOfWorkFn& fn);
};

// Delivers pending events to writing subscribers (events.h), each event in its own unit of
// work on `platform`'s database together with the subscriber's new position (event_positions,
// shared with DispatchEvents). A subscriber whose OnEvent fails keeps its position and is
// skipped until the next call; the others go on. At most `max_events` per subscriber per call.
// Holds the platform's lock during each event's transaction.
Result<DispatchReport> DispatchWritingEvents(PlatformImpl& platform, const std::map<std::string, WritingSubscriber*>& subscribers,
                                             int max_events = 1000);

}  // namespace xj
