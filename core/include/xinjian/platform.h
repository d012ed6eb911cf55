// The platform a plugin runs on: units of work over the database, reads, the clock, time zones
// and the working-day calendar.
//
// A plugin reaches the database only through a unit of work: the host opens a transaction,
// hands the plugin an Sql for its statements (xinjian/sql.h) and collects the audit records
// and events the plugin adds. When the plugin's function returns OK the host appends the
// audit records to the tamper-evident chain, writes the events to the durable outbox and
// commits everything at once; when it returns an error (or throws) nothing of it is kept.
// So a change, its audit trail and its events exist together or not at all.
//
//   xj::Status st = platform.RunInTransaction(principal, [&](xj::UnitOfWork& uow) -> xj::Status {
//     auto n = uow.sql().Exec("UPDATE hello_notes SET text = ? WHERE id = ?", {text, id});
//     if (!n.ok()) return n.status();
//     if (n.value() == 0) return xj::Status::Error(xj::StatusCode::kNotFound, "没有该便条", "no such note");
//     if (auto st = uow.Audit({"hello.note.edit", "hello_note", id, before, after}); !st.ok()) return st;
//     return uow.Publish("hello.note.edited", id, R"({"id": ")" + id + R"("})");
//   });
//
// Writes outside a unit of work do not exist: Platform::Read hands out a read-only Sql.
//
// Thread safety: Platform may be used from several threads; each RunInTransaction or Read
// uses its own connection or waits for the process's one (SQLite). A UnitOfWork and its Sql
// belong to the thread running the function and only until it returns. Do not start a unit
// of work inside another (kFailedPrecondition): take the UnitOfWork you were given.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xinjian/directory.h"
#include "xinjian/principal.h"
#include "xinjian/sql.h"
#include "xinjian/status.h"
#include "xinjian/table_reader.h"
#include "xinjian/time.h"

namespace xj {

class Sampler;        // xinjian/sampler.h
class Scorer;         // xinjian/scorer.h
struct ListPolicy;    // xinjian/list_policy.h
class EntropySource;  // xinjian/entropy.h
class JobScheduler;   // xinjian/job.h
namespace opendata {  // xinjian/opendata.h
struct Table;
struct XlsxOptions;
}  // namespace opendata

// One audit record: who (the unit's principal) did `action` to `entity` `key`, and the
// SHA-256 digests (hex, 64 characters) of the entity's canonical form before and after
// ("" when it did not exist / no longer exists). The host adds the time and the chain hash.
struct AuditChange {
  std::string action;         // "<plugin>.<entity>.<verb>" or "insert" | "update" | "delete"
  std::string entity;         // e.g. "draw_task", "visit"
  std::string key;            // the entity's id
  std::string before_digest;  // hex SHA-256 or ""
  std::string after_digest;   // hex SHA-256 or ""
};

class UnitOfWork {
 public:
  virtual ~UnitOfWork() = default;
  // The statements of this unit (read and write), inside its transaction.
  virtual Sql& sql() = 0;
  // Who runs it: recorded as the actor of its audit records.
  virtual const Principal& principal() const = 0;
  // The instant of this unit (UTC epoch microseconds, the platform clock read once when the
  // unit began): every audit record and event of the unit carries it. Use it for the unit's
  // own timestamps so that they agree with the audit log.
  virtual std::int64_t now_us() const = 0;
  // Adds an audit record, appended to the chain at commit. kInvalidArgument for an empty
  // action, entity or key, or a digest that is neither "" nor 64 hex characters.
  virtual Status Audit(const AuditChange& change) = 0;
  // Adds an event for the outbox, written at commit (events.h: delivered at least once, in
  // commit order). kInvalidArgument for an empty topic or a payload that is not a JSON object.
  virtual Status Publish(const std::string& topic, const std::string& key, const std::string& payload_json) = 0;
};

using UnitOfWorkFn = std::function<Status(UnitOfWork&)>;
using ReadFn = std::function<Status(Sql&)>;

class Platform {
 public:
  virtual ~Platform() = default;
  // Runs `fn` in one write transaction as `principal` (see the top of this file). Returns
  // fn's status when it failed (nothing kept), kFailedPrecondition when no database is open
  // or when called inside another unit of work, kUnavailable when the database cannot be
  // reached or stays locked, kInternal when the commit failed (nothing kept). A plugin
  // exception thrown out of `fn` is caught and returned as kInternal.
  virtual Status RunInTransaction(const Principal& principal, const UnitOfWorkFn& fn) = 0;
  // Runs `fn` with a read-only Sql (Exec and BulkInsert answer kFailedPrecondition). Sees
  // committed data; on PostgreSQL one REPEATABLE READ snapshot for the whole call.
  virtual Status Read(const ReadFn& fn) = 0;
  // The platform clock: the system clock, shifted by XINJIAN_NOW / --now (UTC epoch
  // microseconds). Every "now" of a plugin comes from here so tests can set it.
  virtual std::int64_t NowMicros() const = 0;
  // The SQL dialect of the open database (kFailedPrecondition when none is open).
  virtual Result<SqlDialect> Dialect() const = 0;
  // The clock and time zones (time.h): local dates and times, never "+8 hours" by hand.
  virtual const TimeService& Time() const = 0;
  // The working-day calendar (time.h), with the years of calendar.dir when configured.
  // kInvalidArgument / kUnavailable when a configured calendar file is refused or unreadable.
  virtual Result<const WorkingDays*> Calendar() const = 0;

  // Appended in host API 6 (kHostApiVersion), in this order.
  //
  // The capabilities other plugins registered: the sampler of an algorithm name
  // ("xj-draw-v1") and the entropy source of a name ("manual"), nullptr when no loaded plugin
  // registered it. Owned by the host, valid for the life of the process, usable from any
  // thread. Call them when a command, a job or an event runs, not during a plugin's init (the
  // other plugins may not be loaded yet).
  virtual const Sampler* FindSampler(const std::string& algorithm) const = 0;
  virtual const EntropySource* FindEntropySource(const std::string& name) const = 0;
  // The registered names, sorted (for messages that list what is loaded). Empty when no
  // plugin is loaded.
  virtual std::vector<std::string> SamplerNames() const = 0;
  virtual std::vector<std::string> EntropySourceNames() const = 0;
  // The in-memory subject index (directory.h): loaded from the subjects table on the first
  // call, and at every call caught up with the directory changes committed since (through the
  // audit log, which records every changed subject), so a lease always reflects what was
  // committed when it was taken. Inside a unit of work the catch-up reads within its
  // transaction. Loading takes seconds for millions of subjects and about 45 bytes each: use it
  // in long-running processes; a one-shot command scans the table instead.
  // kFailedPrecondition when no database is open; the database's error otherwise. See
  // SubjectIndexLease for the rules while a lease is held.
  virtual Result<SubjectIndexLease> Subjects() = 0;
  // The GB/T 2260 region codes the host knows (directory.h).
  virtual const RegionCodes& Regions() const = 0;

  // Appended in host API 7.
  //
  // Opens the CSV file at `path` with the host's reader (table_reader.h: UTF-8 with or
  // without a byte-order mark or GB18030, quoted fields, bounded memory, line numbers). The
  // caller owns the reader; it reads the file, not the database, so it may be used outside a
  // unit of work and kept across several. kUnavailable naming the file when it cannot be
  // read, kInvalidArgument when it is larger than options.max_file_bytes or the encoding name
  // is unknown.
  virtual Result<std::unique_ptr<TableReader>> OpenTable(const std::string& path,
                                                         const TableReaderOptions& options) = 0;

  // The scheduler's jobs (job.h: JobScheduler), for a command that schedules its plugin's work
  // (`jobs schedule-draw`); nullptr when this host runs no scheduler (library callers, tests).
  virtual JobScheduler* Jobs() = 0;

  // Appended in host API 9.
  //
  // Writes `table` (opendata.h: columns with keys and zh/en headers, rows of UTF-8 text) as an
  // Excel workbook (.xlsx) with the host's libxlsxwriter and returns the file's bytes: one sheet
  // named options.sheet_name, the header row ("zh/en", bold, frozen, with a filter), every cell a
  // string (never a number, a date or a formula), bytes that are not UTF-8 as U+FFFD and
  // characters a worksheet cannot hold (C0 controls but tab and LF) as U+FFFD. The same table
  // and options give the same bytes (options.created_us is the creation time in the workbook's
  // properties; the archive's own times are fixed). Plugins call opendata::WriteXlsx, which
  // checks the table first. Memory: the rows are streamed to a temporary file (constant-memory
  // mode), then read back. kInvalidArgument for a table opendata::CheckTable refuses, a bad
  // sheet name, a cell over 32,767 characters or more rows than a sheet holds (1,048,575 under
  // the header); kUnavailable when no temporary file can be written, and (this default) on a
  // platform that has no writer: platforms that wrap another forward the call (JobPlatform).
  virtual Result<std::string> WriteXlsx(const opendata::Table& table, const opendata::XlsxOptions& options);

  // Appended in host API 10.
  //
  // A read of one statement, for the hottest reads (a lookup by key): Read, with the promise
  // that `fn` runs at most one Query. One statement sees one snapshot by itself, so the
  // platform spends no round trips on a transaction: on PostgreSQL, BEGIN READ ONLY, the
  // statement and COMMIT reach the server together (one round trip instead of two); on SQLite
  // the statement runs without BEGIN and COMMIT. A second Query in `fn` answers
  // kFailedPrecondition (nothing ran), and so do Exec and BulkInsert, as in Read. This default,
  // for platforms that wrap another, runs `fn` as Read; PlatformImpl keeps the promise checked.
  virtual Status ReadSingle(const ReadFn& fn);

  // Appended in host API 11.
  //
  // The scoring engine registered under `name` ("xj-points-v1"; scorer.h), nullptr when no
  // loaded plugin registered it; and the registered names, sorted. Like FindSampler: owned by
  // the host, usable from any thread, not during a plugin's init. These defaults (for
  // platforms that wrap another and do not forward) know no engine.
  virtual const Scorer* FindScorer(const std::string& name) const;
  virtual std::vector<std::string> ScorerNames() const;
  // Sets subjects' risk classes (信用风险分类, the directory's risk_class: 'A' … 'D', or "" for
  // none) inside `uow`, for the plugin that classifies subjects (the credit plugin's monthly
  // risk classification). The directory otherwise belongs to the host (directory.h); this is
  // the one column a plugin may change, and only through here: the host updates the row, its
  // digest and updated_at_us and adds one audit record per changed subject (action
  // "directory.subject.classify", entity "subject", the USCC), so the subject index and every
  // reader of the directory change feed catch up, and the draws' risk_class strata use the new
  // class at once. A subject whose class is already the given one is left alone (no record).
  // Returns how many subjects changed. kInvalidArgument naming the first bad entry (a class
  // other than A-D or "", a USCC given twice) before anything is written; kNotFound naming
  // the first USCC that is not in the directory (then return the error: the unit rolls back);
  // the database's error otherwise. This default answers kUnavailable: platforms that wrap
  // another forward the call (JobPlatform).
  struct RiskClassChange {
    std::string uscc;
    std::string risk_class;  // "A" … "D", or "" for none
  };
  virtual Result<std::int64_t> SetRiskClasses(UnitOfWork& uow, const std::vector<RiskClassChange>& changes);

  // Appended in host API 12.
  //
  // The list type (list_policy.h) registered under `code` ("abnormal_operations"), nullptr when
  // no loaded plugin registered it; and the registered codes, sorted. Like FindScorer: owned by
  // the host, usable from any thread, not during a plugin's init. These defaults know none.
  virtual const ListPolicy* FindListPolicy(const std::string& code) const;
  virtual std::vector<std::string> ListPolicyNames() const;
  // Sets the list types each subject is on now (the directory's `listings` column: the codes
  // of its listings in force, sorted, ';'-separated), inside `uow`, for the plugin that keeps
  // the lists. Like SetRiskClasses, the one other directory column a plugin may change: the
  // host stores the set and adds one audit record per changed subject (action
  // "directory.subject.listings", entity "subject", the USCC; the digests are those of the
  // listings text before and after), so the subject index catches up and a draw's pool filter
  // and strata see the listings at once (docs/draw.md: filters.listings, strata "listing"). It
  // also publishes the event "directory.subject.listings" (key: the USCC; payload
  // {"uscc": …, "listings": [codes]}) per changed subject, so other features (the credit
  // scores' vetoes) follow. `listings` is the whole set (duplicates collapse; order does not
  // matter); a subject whose set is unchanged is left alone. Returns how many subjects
  // changed. kInvalidArgument naming the first bad entry (a code that is not
  // [a-z][a-z0-9_]* up to 48 characters, a USCC given twice, more than 32 codes) before
  // anything is written; kNotFound naming the first USCC that is not in the directory; the
  // database's error otherwise. The listings column is not part of a subject's digest (the
  // directory import neither reads nor changes it). This default answers kUnavailable.
  struct ListingsChange {
    std::string uscc;
    std::vector<std::string> listings;
  };
  virtual Result<std::int64_t> SetListings(UnitOfWork& uow, const std::vector<ListingsChange>& changes);

  // Appended in host API 13.
  //
  // Runs `fn` once, on the thread that detaches, just before the database attached now is
  // detached from this platform (another database attached, or none: `xinjian serve` detaches
  // its site's platform when it stops, after the last request) or the platform is destroyed,
  // with the database still attached. For a plugin that keeps writes in memory for a moment (a
  // queue of log rows a thread of its own writes in batches): the hook writes what is waiting
  // and stops the thread, so a clean stop loses nothing. Hooks run in reverse order of
  // registration; `fn` may use the platform (units of work, reads) but must not call AtDetach;
  // a hook registered with no database attached runs at the next detach. Returns kUnavailable
  // where the platform cannot keep the promise: this default, and the platforms that live for
  // one job's run or one command (JobPlatform): keep nothing in memory there, write at once.
  virtual Status AtDetach(std::function<void()> fn);
};

inline Status Platform::AtDetach(std::function<void()>) {
  return Status::Error(StatusCode::kUnavailable, "此平台不提供分离前的回调", "this platform offers no hook before detaching");
}

inline const ListPolicy* Platform::FindListPolicy(const std::string&) const { return nullptr; }
inline std::vector<std::string> Platform::ListPolicyNames() const { return {}; }
inline Result<std::int64_t> Platform::SetListings(UnitOfWork&, const std::vector<ListingsChange>&) {
  return Status::Error(StatusCode::kUnavailable, "此平台不能设置名单状态", "this platform cannot set listings");
}

inline const Scorer* Platform::FindScorer(const std::string&) const { return nullptr; }
inline std::vector<std::string> Platform::ScorerNames() const { return {}; }
inline Result<std::int64_t> Platform::SetRiskClasses(UnitOfWork&, const std::vector<RiskClassChange>&) {
  return Status::Error(StatusCode::kUnavailable, "此平台不能设置风险分类", "this platform cannot set risk classes");
}

inline Status Platform::ReadSingle(const ReadFn& fn) { return Read(fn); }

inline Result<std::string> Platform::WriteXlsx(const opendata::Table&, const opendata::XlsxOptions&) {
  return Status::Error(StatusCode::kUnavailable, "此平台不能生成 Excel 文件", "this platform cannot write Excel workbooks");
}

// Result-returning forms. Run `fn`, which returns a Result<T>, inside a read or a unit of
// work, and hand back what it returned: its value, its error, or the error of the read or of
// the commit (then nothing it wrote is kept).
//
//   Result<Note> n = xj::ReadValue<Note>(platform, [&](xj::Sql& sql) { return LoadNote(sql, id); });
//   Result<Note> e = xj::TransactValue<Note>(platform, who, [&](xj::UnitOfWork& uow) { return Edit(uow, id); });
//
// CaptureValue is the general form, for a plugin that runs its units its own way: `run` takes
// a callback (a Status(Sql&) or Status(UnitOfWork&) function) and runs it.
template <typename T, typename Run, typename Fn>
Result<T> CaptureValue(Run&& run, Fn&& fn) {
  std::optional<T> out;
  Status st = run([&](auto& handle) -> Status {
    Result<T> r = fn(handle);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return std::move(*out);
}
template <typename T, typename Fn>
Result<T> ReadValue(Platform& platform, Fn&& fn) {
  return CaptureValue<T>([&](const ReadFn& read) { return platform.Read(read); }, std::forward<Fn>(fn));
}
template <typename T, typename Fn>
Result<T> ReadSingleValue(Platform& platform, Fn&& fn) {
  return CaptureValue<T>([&](const ReadFn& read) { return platform.ReadSingle(read); }, std::forward<Fn>(fn));
}
template <typename T, typename Fn>
Result<T> TransactValue(Platform& platform, const Principal& principal, Fn&& fn) {
  return CaptureValue<T>([&](const UnitOfWorkFn& unit) { return platform.RunInTransaction(principal, unit); },
                         std::forward<Fn>(fn));
}

}  // namespace xj
