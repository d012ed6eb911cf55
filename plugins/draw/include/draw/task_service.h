// The service "draw.tasks": what other plugins may know and do of the draw's tasks.
//
// The draw plugin provides it (manifest "provides": ["draw.tasks"]); a plugin that works on
// drawn tasks (the inspection: visits of the drawn subjects, their results, the reveal once
// every result is published) requires it (manifest "requires": ["draw.tasks"]), includes this
// header and asks for it in its init:
//
//   xj::Result<xj::draw::TaskService*> tasks = xj::RequireService<xj::draw::TaskService>(reg);
//   if (!tasks.ok()) return tasks.status();   // the draw plugin is missing: the host names both
//
// It is an interface only: nothing of the draw plugin is linked into the consumer. The records
// are plain data copied out of the draw's tables; the consumer never reads those tables.
//
// Every function works inside the caller's unit of work or read: reads take the Sql the
// caller holds (UnitOfWork::sql() or the Sql of Platform::Read), so that what they answer is
// consistent with the caller's own reads and writes; Reveal takes the UnitOfWork, so that the
// reveal commits (audit record and event included) together with the caller's writes, or not
// at all. The service opens no transaction of its own and keeps no state but the follow-up
// registered with it (SetFollowUp, at init): its functions may be called from any thread, at
// the same time.
//
// Confidentiality: a TaskInfo carries what the public notice of the task shows, and the
// secret only once the task is revealed. The selection (Selection) is not public before the
// reveal: a consumer shows it only to principals acting for one of the task's departments
// (TaskInfo::departments), as the draw's own commands do.
//
// Errors are Status values: kNotFound naming a task that does not exist, the Sql's error
// (kInternal) when the database fails, and for Reveal the refusals listed there.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "xinjian/platform.h"
#include "xinjian/service.h"
#include "xinjian/sql.h"
#include "xinjian/status.h"

namespace xj::draw {

// A task as other plugins see it. States: "draft", "announced", "drawn", "revealed",
// "cancelled" (docs/draw.md).
struct TaskInfo {
  std::string id, title, state;
  std::string department;                          // the initiating department
  std::vector<std::string> departments;            // `department` first, then a joint task's participants
  std::vector<std::string> items;                  // the item codes, sorted
  bool any_item_scope = false;                     // a joint task with "scope": "any_item": each subject is
                                                   // visited for the items whose target scope it is in
  std::string spec_json;                           // the task spec as stored (JSON)
  std::string announce_date, draw_date, due_date;  // YYYY-MM-DD (Asia/Shanghai); "" until set
  // The SHA-256 (hex) of the task's public state, as the audit log records it.
  std::string digest;
  // The public notice (from the announcement on).
  std::int64_t pool_size = 0;
  std::string pool_hash, commitment;
  std::string sampler;                               // the algorithm ("xj-draw-v1")
  std::string entropy_source;                        // the declared description of the public source
  std::string entropy_source_name;                   // the registered source ("manual", "none", ...)
  std::string entropy_notice;                        // the source's sentence, "中文 / English"
  std::string entropy_supplied;                      // a value an operator supplied before the draw
  std::string entropy;                               // the value drawn with ("" before the draw)
  std::string cancel_reason;                         // a cancelled task's reason
  std::int64_t selected = 0;                         // subjects drawn (0 before the draw)
  std::string secret_hex, seed_hex, selection_hash;  // "" unless revealed
  // What the notice adds when an operator corrected a slip (a converted or replaced entropy
  // value, a reveal before the inspections), as a JSON object ("{}" when none applies; the
  // keys are those of `task show --json`).
  std::string slip_notes_json = "{}";
};

// One drawn subject of a task, in draw order (rank 1, 2, ...).
struct SelectionEntry {
  std::int64_t rank = 0;
  std::string uscc, stratum;
  std::vector<std::string> team;  // inspector ids, [0] the lead
};

// How Reveal reveals (as `xinjian task reveal`): by default only when every drawn subject has
// a published result; before that only with `before_inspection` and a `reason` (no control
// characters, at most 2000 bytes), which are recorded, audited and shown on the notice.
struct RevealRequest {
  bool before_inspection = false;
  std::string reason;
};

// One open visit of an inspector, as the follow-up reports it (FollowUp::OpenVisitsOf).
struct OpenVisit {
  std::string visit_id, uscc, state;
  std::vector<std::string> team;  // inspector ids, [0] the lead
  // The visit's items as (task id, item code), sorted by task, then item. A joint visit merged
  // from several tasks names each.
  std::vector<std::pair<std::string, std::string>> items;
};

// The latest publication deadline of a task's results (FollowUp::LatestDeadline).
struct ResultsDeadline {
  std::string date;          // YYYY-MM-DD
  bool provisional = false;  // counted over a year without the State Council's notice
};

// What the inspection of a task's drawn subjects has come to, as the plugin that inspects
// them reports it to the draw. That plugin (the inspection) registers one with
// TaskService::SetFollowUp in its init; the draw asks it, with the Sql of the draw's own unit
// of work or read, when it decides a reveal, writes a task's view and lists an inspector's
// work, and never reads that plugin's tables itself. Without one (no such plugin loaded),
// nothing drawn has been inspected: a task is revealed only before the inspections (with a
// reason), its view has no results_due, and an inspector's list (`tasks for`) shows the drawn
// subjects of every drawn or revealed task.
//
// The functions only read, and may be called from any thread at the same time.
class FollowUp {
 public:
  virtual ~FollowUp() = default;
  // The drawn subjects (USCCs) of task `task_id` whose inspection is over: the task has at
  // least one result item for the subject and every one of them is published.
  virtual Result<std::set<std::string>> Published(Sql& sql, const std::string& task_id) const = 0;
  // True once the task's visits exist: from then on an inspector's list shows the visits.
  virtual Result<bool> HasVisits(Sql& sql, const std::string& task_id) const = 0;
  // The latest publication deadline of the task's results entered so far; nullopt when none.
  virtual Result<std::optional<ResultsDeadline>> LatestDeadline(Sql& sql, const std::string& task_id) const = 0;
  // The open visits (neither published nor merged) with `inspector_id` on the team, by visit id.
  virtual Result<std::vector<OpenVisit>> OpenVisitsOf(Sql& sql, const std::string& inspector_id) const = 0;
};

class TaskService : public xj::Service {
 public:
  static constexpr const char* kServiceName = "draw.tasks";
  static constexpr std::uint32_t kServiceVersion = 1;

  // The task `id`; kNotFound ("no draw task ID") when there is none.
  virtual Result<TaskInfo> Find(Sql& sql, const std::string& id) const = 0;
  // True when a task `id` exists (in any state).
  virtual Result<bool> Exists(Sql& sql, const std::string& id) const = 0;
  // The ids of the tasks in one of `states` (all tasks when empty), sorted.
  virtual Result<std::vector<std::string>> IdsInStates(Sql& sql, const std::vector<std::string>& states) const = 0;
  // The drawn subjects of task `id` by rank with their teams; empty before the draw;
  // kNotFound when there is no such task. Confidential before the reveal (see the top).
  virtual Result<std::vector<SelectionEntry>> Selection(Sql& sql, const std::string& id) const = 0;
  // Reveals the drawn task `id` inside `uow`: the secret and the proof become public, with the
  // audit record task.reveal (as the unit's principal) and the event draw.task.revealed,
  // committed with the unit. Returns the revealed task. Refused, with the messages of `xinjian
  // task reveal`: a task that is not drawn (kFailedPrecondition), drawn subjects without a
  // published result unless request.before_inspection (kFailedPrecondition naming how many),
  // a reason without before_inspection or before_inspection without a valid reason
  // (kInvalidArgument), before_inspection when every result is published
  // (kFailedPrecondition). A refusal writes nothing; the caller's unit may go on or fail.
  virtual Result<TaskInfo> Reveal(UnitOfWork& uow, const std::string& id, const RevealRequest& request) const = 0;

  // Appended (the version kept: the built-in consumer is built with the provider).
  // Registers the follow-up the draw asks (see FollowUp), for the life of the process: call it
  // from the consuming plugin's init, with an object that lives as long (plugins are never
  // unloaded). Registering the same object again is OK; another one while one is registered
  // is kAlreadyExists (one plugin inspects the drawn subjects).
  virtual Status SetFollowUp(const FollowUp* follow_up) = 0;
  // The follow-up registered, or nullptr.
  virtual const FollowUp* follow_up() const = 0;
};

}  // namespace xj::draw
