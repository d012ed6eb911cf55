// The punishment plugin's parts (docs/punishment.md): the catalogue and memoranda in the
// database, the cases, the credit check's keys, index and log. On the SDK alone.
#pragma once

#include <xinjian/command.h>
#include <xinjian/http.h>
#include <xinjian/platform.h>
#include <xinjian/plugin.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "model.h"

namespace xj::punishment {

// plugins.punishment.* (read once at init).
struct Settings {
  int respond_working_days = 5;
  int feedback_working_days = 10;
  int stop_working_days = 5;
  int retention_years = 10;
  int check_log_flush_ms = 20;  // 0: every check logged before its answer is sent
};
Settings& CurrentSettings();

// Today on the platform clock (Asia/Shanghai), as YYYY-MM-DD.
Result<CivilDate> Today(Platform& platform);

// ---- The index's sequence: every change that affects answers calls Bump in its unit. ----
Status Bump(UnitOfWork& uow, const std::string& what, const std::string& ref);

// ---- Catalogue and memoranda (store.cpp). ----
struct ImportCounts {
  int added = 0, updated = 0, unchanged = 0;
};
// The measures in the database, by code.
Result<std::map<std::string, Measure>> LoadMeasures(Sql& sql);
Result<std::vector<Memorandum>> LoadMemoranda(Sql& sql);
// Validates `text` against the registered list types and the departments (and, for memoranda,
// the catalogue) inside `uow`, then writes: nothing is written when any problem is found.
Result<ImportCounts> ImportMeasures(Platform& platform, UnitOfWork& uow, const std::string& file,
                                    const std::string& text);
Result<ImportCounts> ImportMemoranda(Platform& platform, UnitOfWork& uow, const std::string& file,
                                     const std::string& text);

// ---- Cases (cases.cpp). ----
// The writing subscriber's work on lists.listing.in_force / .ended.
Status OnListingEvent(Platform& platform, UnitOfWork& uow, const std::string& topic, const std::string& payload);
// Opens the cases of the listings in force that have none (a catalogue or memorandum imported
// after they came into force: the demo, a new memorandum), dated `today`. Returns how many.
Result<int> BackfillCases(Platform& platform, UnitOfWork& uow, CivilDate today);
// Adds to every open case a task for each department that a memorandum links to the case's list
// now (a published measure) and that has none yet, due from `today`, with an audit record
// (punishment.case.widen) and an event (punishment.case.widened). Returns the tasks added.
Result<int> WidenCases(Platform& platform, UnitOfWork& uow, CivilDate today);
struct TaskRow {
  std::string case_id, listing_id, list, uscc, kind, case_state, opened_on, ended_on;
  std::string department, state, respond_due, feedback_due, responded_on, responded_by, reason, fed_back_on;
  std::string stop_state, stop_due, stop_confirmed_on;
  std::vector<std::string> measures;
  std::vector<std::string> fed_back;  // measures reported applied
  // Computed: the deadline that counts now, its card, working days left.
  std::string due, due_what, card;
  int working_days_left = 0;
};
Result<std::vector<TaskRow>> LoadTasks(Platform& platform, Sql& sql, const std::string& department,
                                       const std::string& case_state, const std::string& case_id, CivilDate today);
Status Respond(Platform& platform, UnitOfWork& uow, const std::string& case_id, bool accept, const std::string& reason,
               CivilDate today);
Status Feedback(Platform& platform, UnitOfWork& uow, const std::string& case_id, const std::string& measure,
                const std::string& applied_on, const std::string& note, CivilDate today);
Status ConfirmStop(Platform& platform, UnitOfWork& uow, const std::string& case_id, CivilDate today);

// ---- Keys and the check (check.cpp). ----
// "xjk_" and 64 hex characters from /dev/urandom (std::random_device as a fallback).
std::string NewApiKey();

// Adds the key `key` (only its SHA-256 is stored) named `name` for `department` and `actions`
// inside `uow`: audited (punishment.key.add), published (punishment.key.added), the index's
// sequence bumped. kNotFound for an unknown department, kAlreadyExists for a name in use.
Status AddKey(UnitOfWork& uow, const std::string& created_by, const std::string& name, const std::string& department,
              const std::vector<std::string>& actions, const std::string& key);

struct KeyInfo {
  std::string name, department;
  std::vector<std::string> actions;
  bool Allows(const std::string& action) const;
};

// The in-memory index of one database (one per Platform of the process): uscc → listings in
// force, (list, action) → measures, key digest → key. Fresh() catches up with the database
// when it has not looked for 200 ms (one read of the sequence), so every change is answered
// within 200 ms of its commit plus the time of one request. Thread-safe.
class CheckIndex {
 public:
  static CheckIndex& Of(Platform& platform);
  ~CheckIndex();
  // Loads the index at the first use; afterwards catches up when due (or always when `force`).
  // Where the platform has Platform::AtDetach (serve), a thread of the index's own polls every
  // 200 ms and catches up, and a request never reads the database once the index is loaded.
  Status Fresh(Platform& platform, bool force = false);
  // The key whose SHA-256 (hex) is `sha256`; nullptr when unknown or revoked.
  std::shared_ptr<const KeyInfo> Key(const std::string& sha256) const {
    std::shared_lock lock(mu_);
    auto it = keys_.find(sha256);
    return it == keys_.end() ? nullptr : it->second;
  }
  // Under the shared lock: the answer for `uscc` and `action` as of `today`; `fn` reads it (its
  // pointers are valid during the call only).
  template <typename Fn>
  auto WithAnswer(const std::string& uscc, const std::string& action, const std::string& today, Fn&& fn) const {
    std::shared_lock lock(mu_);
    static const std::vector<ActiveListing> kNone;
    auto it = listings_.find(uscc);
    const std::vector<ActiveListing>& ls = it == listings_.end() ? kNone : it->second;
    Answer a = ComputeAnswer(ls, action, today,
                             [this](const std::string& list, const std::string& act) { return Triggered(list, act); });
    return fn(a);
  }
  std::int64_t seq() const { return seq_.load(); }
  // How often the index was rebuilt in full and caught up (for tests and `punishment index`).
  std::int64_t full_loads() const { return full_loads_.load(); }
  std::int64_t catch_ups() const { return catch_ups_.load(); }

 private:
  const std::vector<const Measure*>* Triggered(const std::string& list, const std::string& action) const;
  Status FullLoad(Platform& platform);
  Status CatchUp(Platform& platform, std::int64_t to_seq);
  // Reads (epoch, seq) and catches up; `due_only`: unless polled less than 200 ms ago.
  Status Poll(Platform& platform, bool force, bool due_only);
  void StopRefresher();

  mutable std::shared_mutex mu_;
  std::mutex refresh_mu_;
  std::atomic<std::int64_t> last_poll_ns_{0};
  std::atomic<bool> loaded_{false};
  std::atomic<bool> detach_hook_{false};  // AtDetach registered: another database means a full load
  // The refresher thread (started with the detach hook, stopped by it).
  std::thread refresher_;
  std::mutex refresher_mu_;
  std::condition_variable refresher_cv_;
  bool refresher_stop_ = false;
  std::atomic<bool> refresher_on_{false};
  std::atomic<std::int64_t> seq_{0};
  std::atomic<std::int64_t> full_loads_{0}, catch_ups_{0};
  std::string epoch_;
  std::unordered_map<std::string, std::vector<ActiveListing>> listings_;
  std::map<std::string, Measure> measures_;
  std::unordered_map<std::string, std::unordered_map<std::string, std::vector<const Measure*>>> triggers_;
  std::unordered_map<std::string, std::shared_ptr<const KeyInfo>> keys_;
};

// One logged check.
struct CheckRecord {
  std::string check_id, key_name, department, uscc, action, answer, listing_ids, measure_codes;
  std::int64_t at_us = 0;
};
std::string NewCheckId();
// One batch request's checks, logged as one row (punishment_check_batches): `items` holds a
// line per check, "index\tuscc\tanswer\tlisting ids\tmeasure codes\n", in request order; the
// check id of the item at `index` is BatchItemId(batch_id, index).
struct CheckBatchRecord {
  std::string batch_id, key_name, department, action, items;
  std::int64_t checks = 0, at_us = 0;
};
std::string BatchItemId(const std::string& batch_id, std::size_t index);
// What the log writes: single checks and batches.
struct LogRows {
  std::vector<CheckRecord> checks;
  std::vector<CheckBatchRecord> batches;
  bool empty() const { return checks.empty() && batches.empty(); }
  std::size_t rows() const { return checks.size() + batches.size(); }
  void Append(LogRows&& other);
};
// Writes the rows in one unit of work.
Status LogChecks(Platform& platform, const LogRows& rows);
// The checks logged on the database: single checks plus the checks of batches.
Result<std::int64_t> LoggedChecks(Sql& sql);

// The check log of one database (one per Platform of the process). Two modes
// (plugins.punishment.check_log_flush_ms, docs/punishment.md "The log"):
//  - batched (N > 0, default 20): Write queues the rows and returns; a thread of the log's own
//    writes the queue in one unit of work N ms after its first row (at once past 5,000 rows;
//    asleep while nothing waits). It starts at the
//    first Write and registers Platform::AtDetach, which writes what waits and stops it: a clean
//    stop loses nothing, a crash of the process at most the last N ms. A platform without
//    AtDetach (one command, one job) writes synchronously; a failed write is retried at the
//    next interval.
//  - synchronous (0): Write returns once the unit of work holding `records` committed (group
//    commit: the requests that arrive while one commits share the next), with its status.
// Thread-safe.
class CheckLog {
 public:
  static CheckLog& Of(Platform& platform);
  ~CheckLog();
  // Logs `rows` as the mode says (above). In the batched mode a caller waits while 50,000 rows
  // are queued (the writer behind), and after 5 s answers kUnavailable: no answer without its
  // row.
  Status Write(Platform& platform, LogRows rows);
  // A single check in the batched mode: its line joins the open group of its key and action
  // (one row of punishment_check_batches per key and action and flush, written with the next
  // round: a few rows instead of one per check), and its check id, "<group id>-<index>", is
  // returned. The same back pressure as Write. nullopt when the log is not in the batched mode
  // (the caller then logs a CheckRecord with Write).
  Result<std::optional<std::string>> LogSingle(Platform& platform, const CheckRecord& record);
  // Returns once the rows queued before the call are written (or the writer stopped).
  void Flush();
  // Units of work written and rows in them (for tests and the benchmark).
  std::int64_t batches() const { return batches_.load(); }
  std::int64_t rows() const { return rows_.load(); }

 private:
  struct Batch {
    LogRows rows;
    bool done = false;
    Status status;
  };
  Status WriteNow(Platform& platform, LogRows rows);
  // With mu_ held: starts the writer at the first write (true when it runs), else false.
  bool EnsureWriter(Platform& platform, int flush_ms);
  // With mu_ held: waits while the writer is behind; false after kMaxWait.
  bool WaitForRoom(std::unique_lock<std::mutex>& lock);
  void Run(Platform* platform, int flush_ms);
  void Stop();
  std::mutex mu_;
  std::condition_variable cv_;       // the writer: rows to write, or stop
  std::condition_variable space_cv_;  // callers waiting for the queue to drain, or a write to end
  // Synchronous mode: the batch collecting rows while another is written.
  std::shared_ptr<Batch> open_;
  bool writing_ = false;
  // Batched mode.
  LogRows queue_;
  // Single checks of this round, grouped by (key, action); the checks waiting in all.
  std::map<std::pair<std::string, std::string>, CheckBatchRecord> groups_;
  std::size_t pending_ = 0;
  std::thread thread_;
  bool running_ = false, stop_ = false, unavailable_ = false, flush_asked_ = false;
  std::int64_t cycles_ = 0;  // the writer's finished rounds
  std::atomic<std::int64_t> batches_{0}, rows_{0};
};

Status RegisterCommands(Registrar& registrar);
Status RegisterRoutes(Registrar& registrar);
Status RegisterDemo(Registrar& registrar);
// bench credit-check and its steps (bench.cpp).
Status RegisterBench(Registrar& registrar);
// Deletes log rows older than retention_years before `now_us` (the retention job).
Result<std::int64_t> RunRetention(Platform& platform, UnitOfWork& uow, std::int64_t now_us);

}  // namespace xj::punishment
