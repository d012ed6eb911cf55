// The task service: 双随机 draw tasks from creation to reveal.
//
//   draft --announce--> announced --draw--> drawn --reveal--> revealed
//     \__________________\___________________\--cancel (with a reason)--> cancelled
//
// Announce freezes the pool and commits to a secret; draw mixes in the public entropy, asks
// the task's sampler (a plugin) for the selection and builds the inspector teams; reveal
// publishes the secret so anyone can re-run the draw from the proof files. Every transition
// is one write transaction with an audit record and an event. There is no redraw: a
// replacement is a new task naming the cancelled one it replaces.
//
// The entropy comes from the task's entropy source, a plugin (xinjian/entropy.h): with
// "manual" or "lottery" an operator supplies the published value (SupplyEntropy, or DrawTask
// with it), read in the source's declared format (full-width digits converted and the
// conversions shown, or the value refused with the reason); a wrong value can be replaced
// once before the draw, with a reason (ReplaceEntropy). With "none" the task draws with an
// empty entropy as soon as it is announced. DrawIfReady draws whenever the source has the
// value, and is what a scheduler calls.
//
// The reveal publishes the selection, so it waits for the inspections: RevealTask refuses
// while a drawn subject has no published result, unless the caller says why it must happen
// earlier (RevealOptions), which is recorded and shown on the notice.
//
// Confidentiality: until a task is revealed its selection and teams are shown only to its
// own departments, decided on the caller's Principal (MaySeeSelection: principal.ActsFor one
// of the task's departments); public output never contains them, and the secret is never
// shown before the reveal.
//
// The service runs on the SDK alone (xinjian/platform.h): every write is one unit of work of
// ctx.platform as ctx.principal (whose id is the audit actor), with its audit record and its
// event; reads go through an Sql (the functions taking `Sql&`, for callers inside a unit of
// work or a read) or through Platform::Read (the overloads taking `Platform&`). Dates are the
// platform's (Platform::Time, Asia/Shanghai), instants its clock (Platform::NowMicros; a
// unit of work's instant is UnitOfWork::now_us).
//
// Errors are Status values: kInvalidArgument (bad spec or a refusal with its reason),
// kNotFound, kFailedPrecondition (wrong state, unstaffable subjects, no platform),
// kInternal (database).
// Not thread-safe: one TaskContext per thread (the platform itself may be shared).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "draw/task_service.h"
#include "draw_v1.h"
#include "pool.h"
#include "task_spec.h"
#include "xinjian/entropy.h"
#include "xinjian/platform.h"
#include "xinjian/principal.h"
#include "xinjian/sampler.h"
#include "xinjian/sql.h"
#include "xinjian/status.h"

namespace xj::draw {

struct TaskContext {
  // Units of work, reads, the clock, the samplers and entropy sources, the subject index.
  // Required (kFailedPrecondition without it).
  Platform* platform = nullptr;
  // Who acts: units of work run as this principal, whose id the audit log records.
  Principal principal;
  SpecOptions spec_options;
  // Pools come from the platform's in-memory subject index (Platform::Subjects: loaded once,
  // caught up at each announce) instead of a scan of the subjects table: for long-running
  // processes and the benchmark. Both give the same pool.
  bool subject_index = false;
  // Lets DrawTask draw with an empty entropy for a source that needs a value ("manual"):
  // demos and tests only. A "none" task draws with an empty entropy without it.
  bool allow_empty_entropy = false;
  // Timings of the last Announce/Draw, for the benchmark (step name => seconds).
  std::map<std::string, double>* timings = nullptr;
  // The pool frozen by the last Announce in this context, so that a long-running process
  // that announces and later draws does not read and parse it back (Draw uses it only when
  // the task id and the stored pool hash match).
  struct CachedPool {
    std::string task_id, pool_hash;
    std::shared_ptr<const FrozenPool> pool;
  } cached_pool;
};

// True when the platform has plugins loaded (a sampler or an entropy source registered).
// Without any, CreateTask and AnnounceTask skip the checks of the sampler and the entropy
// source (library callers and tests without plugins), and nothing can be drawn.
bool PluginsLoaded(const Platform& platform);

struct TaskRecord {
  // entropy_source is the declared description of the public source (as in the spec).
  std::string id, title, department, sampler, state, spec_json, entropy_source;
  // The entropy source's registered name ("manual", "none", …) and its sentence for the
  // public notice ("中文 / English", fixed at the announcement; empty if it was created and
  // announced without plugins loaded).
  std::string entropy_source_name = kDefaultEntropySource, entropy_notice;
  // The value an operator supplied (SupplyEntropy, ReplaceEntropy) before the draw, in the
  // source's format, by whom and when; empty until then. entropy_supplied_input is what was
  // typed when the format converted it (full-width digits…), else empty.
  std::string entropy_supplied, entropy_supplied_by, entropy_supplied_input;
  std::int64_t entropy_supplied_at_us = 0;
  // A supplied value replaced before the draw (ReplaceEntropy, once): the replaced value, who
  // had entered it and when, and the reason. Empty / 0 unless replaced.
  std::string entropy_replaced, entropy_replaced_by, entropy_replace_reason;
  std::int64_t entropy_replaced_at_us = 0;
  // A reveal before the inspections' results were all published (RevealOptions): the reason
  // and how many drawn subjects had no published result then. Empty / 0 otherwise.
  std::string reveal_reason;
  std::int64_t reveal_unpublished = 0;
  // Not stored: the conversions the source's format applied to the value typed in the call
  // that returned this record (SupplyEntropy, ReplaceEntropy, DrawTask), one "中文 / English"
  // line each, for showing back to the operator.
  std::vector<std::string> entropy_conversions;
  std::string replaces, replace_reason, cancel_reason, created_by;
  std::int64_t created_at_us = 0, announced_at_us = 0, drawn_at_us = 0, revealed_at_us = 0, cancelled_at_us = 0;
  std::string announce_date, draw_date, due_date;
  std::int64_t pool_size = 0;
  std::string pool_hash, strata_json, commitment, secret_hex, entropy, seed_hex, allocation_json, selection_hash;
  std::string slots_json, assignment_hash, conflicts_hash, digest;
  std::vector<std::string> items;
  std::string replaced_by;  // a later task that names this one, if any
};

struct SelectedSubject {
  std::int64_t rank = 0;
  std::string uscc, stratum, ticket;
  std::string name, address;      // from the directory
  std::vector<std::string> team;  // [0] is the lead
};

// Creates a draft task. Checks, with the database: the due date is not before today (the
// platform's date of the unit of work's instant), the filter regions are GB/T 2260 codes
// (Platform::Regions) inside the jurisdiction, the department and every item exist, each item
// belongs to the department, an unstratified ratio lies within every item's ratio_min /
// ratio_max, the team's groups are the department, the sampler and the entropy source are
// registered (when plugins are loaded, PluginsLoaded; a source that needs a value needs a
// description), a replaced task exists, is cancelled and not already replaced. One unit of
// work with an audit record (task.create) and the event draw.task.created. Returns the stored
// task.
Result<TaskRecord> CreateTask(TaskContext& ctx, TaskSpec spec);

// Freezes the pool (refused when empty, or when the resulting ratio leaves an item's bounds,
// or when the due date has passed meanwhile), draws the 32-byte secret and records the
// commitment. The pool leaves out subjects selected in open tasks (drawn, not revealed) as the
// spec's exclusions.open_tasks says: by default those of tasks of the same department(s) or
// sharing an item ("own"), so that another department's picks stay drawable and their
// overlap can be merged into joint visits; "all" leaves out every open task's subjects.
// With plugins loaded, the entropy source must be loaded and its notice sentence is fixed now.
// The pool comes from a table scan, or from the platform's subject index with
// ctx.subject_index.
Result<TaskRecord> AnnounceTask(TaskContext& ctx, const std::string& id);

// Draws with the given entropy, assigns teams, saves selection and teams. When subjects
// cannot be staffed, nothing is saved and the error names all of them. Needs the task's
// sampler and entropy source on the platform. The entropy goes through the source (Read, then
// Value):
//   - a source that needs a value ("manual", "lottery"): `entropy` is that value as typed,
//     read in the source's format (the conversions are returned in entropy_conversions and
//     the typed text is in the draw event as entropy_input); empty only with
//     ctx.allow_empty_entropy (demos, tests); when a value was supplied already
//     (SupplyEntropy), `entropy` must read as that value (kConflict otherwise);
//   - a source that needs none ("none"): `entropy` must be empty (kInvalidArgument otherwise).
// Refused with kFailedPrecondition unless the task is announced (no redraw).
Result<TaskRecord> DrawTask(TaskContext& ctx, const std::string& id, const std::string& entropy);

// Records the operator-supplied entropy value of an announced task whose source needs one
// ("manual", "lottery"), without drawing: one write transaction with an audit record (action
// "task.entropy") and the event draw.task.entropy_supplied (the value is public; the event
// names who entered it, and what was typed when the format converted it). `typed` is read in
// the source's declared format (EntropySource::Read: manual converts full-width forms, lottery
// takes the RFC 3797 form and converts full-width digits, '。' and leading zeros) and checked
// by its Value; the value is stored in the format, the typed text beside it when they differ,
// and the conversions are returned in entropy_conversions. A refusal (kInvalidArgument) says
// what is wrong and what the format expects; nothing is stored. A value is supplied once:
// the same value again (typed either way) returns the task unchanged (also after the draw),
// a different one is kConflict (ReplaceEntropy corrects it once before the draw). Refused: an
// empty value (kInvalidArgument), a source that takes no value such as "none"
// (kFailedPrecondition), a task that is not announced (kFailedPrecondition), a source that is
// not loaded (kNotFound). Needs plugins (kFailedPrecondition without any).
Result<TaskRecord> SupplyEntropy(TaskContext& ctx, const std::string& id, const std::string& typed);

// Replaces a wrongly supplied entropy value of an announced task, once, before the draw:
// `typed` is read and checked as by SupplyEntropy and must differ from the value recorded;
// `reason` is required (no control characters, at most 2000 bytes). The replaced value, who
// had entered it and when, and the reason are kept (entropy_replaced*, shown on every notice
// beside the new value); the new value is recorded with ctx.principal's id. One write transaction with
// an audit record (action "task.entropy.replace"; its digest covers the reason) and the event
// draw.task.entropy_replaced {replaced, entropy, reason, by}. Refused: no reason or a bad one
// (kInvalidArgument), no value supplied yet (kFailedPrecondition: use SupplyEntropy), a value
// replaced already (kConflict: cancel the task and create a replacement), a task that is not
// announced, e.g. drawn (kFailedPrecondition), a value the format refuses (kInvalidArgument).
Result<TaskRecord> ReplaceEntropy(TaskContext& ctx, const std::string& id, const std::string& typed,
                                  const std::string& reason);

// Draws an announced task as soon as its entropy source has the value: "none" at once (an
// empty entropy), "manual" once a value was supplied (exactly that value). Returns the drawn
// task, or std::nullopt while the source is still waiting (its Value answered
// kFailedPrecondition; nothing is written and no write transaction is opened). Idempotent
// and safe to call repeatedly and from several nodes: a task already drawn or revealed is
// returned as it is (a concurrent call that lost the race gets the winner's task). Errors:
// a draft or cancelled task (kFailedPrecondition), the source or sampler not loaded
// (kNotFound), a value the source refuses, and everything DrawTask can fail with. Does not
// create the visits (draw::CreateVisits does; the caller runs it after a draw).
Result<std::optional<TaskRecord>> DrawIfReady(TaskContext& ctx, const std::string& id);

// How a task is revealed. By default only after the inspections: every drawn subject has all
// its visit items published (publishing the last result reveals the task by itself,
// visits.h). `before_inspection` with a `reason` (required, no control characters, at most
// 2000 bytes) reveals it earlier; the reason and the number of subjects still unpublished are
// stored, covered by the audit record's digest, carried by the event and shown on the notice.
struct RevealOptions {
  bool before_inspection = false;
  std::string reason;
};
// Publishes the secret of a drawn task (the selection and the proof become public). Refused:
// a task that is not drawn (kFailedPrecondition); drawn subjects without a published result
// (kFailedPrecondition naming how many, and how to reveal early) unless before_inspection;
// before_inspection without a reason, or a reason without before_inspection
// (kInvalidArgument); before_inspection when every result is published (kFailedPrecondition:
// nothing is early). One write transaction with an audit record (task.reveal) and the event
// draw.task.revealed (with before_inspection, and then the reason and the count).
Result<TaskRecord> RevealTask(TaskContext& ctx, const std::string& id, const RevealOptions& options = {});
// The same reveal inside the caller's unit of work (the draw.tasks service's Reveal, for a
// plugin revealing a task together with its own writes): the same checks and messages, the
// audit record as the unit's principal, the event committed with the unit.
Result<TaskRecord> RevealTaskIn(UnitOfWork& uow, const std::string& id, const RevealOptions& options = {});
// The follow-up of drawn tasks (draw/task_service.h: what the inspection of the drawn subjects
// has come to), which the reveal, a task's view and an inspector's list ask: registered by the
// plugin that inspects them, through the service's SetFollowUp; nullptr until then (nothing
// drawn counts as inspected). Process-wide; safe to read from any thread. SetFollowUp is false
// (and changes nothing) when another follow-up is registered already.
bool SetFollowUp(const FollowUp* follow_up);
const FollowUp* CurrentFollowUp();
Result<TaskRecord> CancelTask(TaskContext& ctx, const std::string& id, const std::string& reason);

// Reads. Each takes the Sql of the caller's unit of work or read, or a Platform (then it runs
// in one Platform::Read).
//
// The task; kNotFound naming the id when there is none.
Result<TaskRecord> LoadTask(Sql& sql, const std::string& id);
Result<TaskRecord> LoadTask(Platform& platform, const std::string& id);
// OK when the department exists; kNotFound naming the code otherwise ("no department NOPE").
Status RequireDepartment(Sql& sql, const std::string& code);
Status RequireDepartment(Platform& platform, const std::string& code);
// The tasks of a department (all when ""), in a state (all when ""), by creation.
Result<std::vector<TaskRecord>> ListTasks(Sql& sql, const std::string& department, const std::string& state);
Result<std::vector<TaskRecord>> ListTasks(Platform& platform, const std::string& department, const std::string& state);
// The selection of a drawn task, by rank, with names and addresses from the directory. No
// access check: callers decide with MaySeeSelection.
Result<std::vector<SelectedSubject>> LoadSelection(Sql& sql, const std::string& id);
Result<std::vector<SelectedSubject>> LoadSelection(Platform& platform, const std::string& id);

// YYYY-MM-DD on the platform's wall clock (kPlatformTimeZone, Asia/Shanghai) of an instant
// (UTC epoch microseconds).
std::string PlatformDate(const Platform& platform, std::int64_t at_us);

// One line of an inspector's task list.
struct InspectorTask {
  std::string visit_id;  // the visit, once the task's visits exist (a merged joint visit lists its tasks joined by ',')
  std::string task_id, title, department, state, due_date;
  std::int64_t rank = 0;
  std::string uscc, name, address;
  std::vector<std::string> items;
  std::vector<std::string> team;
  std::string lead;
  bool is_lead = false;
};
// An inspector's open inspections (also those of inactive officers; never of a cancelled task,
// whose visits stay but are nobody's work). kNotFound naming the id
// when no inspector has it: a mistyped id is an error, not an empty list.
Result<std::vector<InspectorTask>> TasksForInspector(Sql& sql, const std::string& inspector_id);
Result<std::vector<InspectorTask>> TasksForInspector(Platform& platform, const std::string& inspector_id);

// The task as JSON text for `task show --json` and the web: the notice fields always; the
// selection and teams when revealed or when the viewer may see them (MaySeeSelection); the
// secret only when revealed. The public's view: Principal::Anonymous().
Result<std::string> TaskViewJson(Sql& sql, const TaskRecord& task, const Principal& viewer);
Result<std::string> TaskViewJson(Platform& platform, const TaskRecord& task, const Principal& viewer);
// What the public notice adds when an operator corrected a slip: the typed entropy text when
// the format converted it ("entropy_supplied_input"), a replaced entropy value
// ("entropy_replaced": {value, supplied_at_us, replaced_at_us, reason}) and an early reveal
// ("revealed_before_inspection": {reason, unpublished}). An empty object when none applies.
// Used by TaskViewJson and the task notice (visits.h).
nlohmann::json SlipNotes(const TaskRecord& task);
// The departments of a task: its own and, for a joint task, the participants (from the spec).
std::vector<std::string> DepartmentsOf(const TaskRecord& task);
// True when the viewer may see the selection and teams: after the reveal everyone, before it
// a principal acting for one of the task's departments (Principal::ActsFor: its own
// department, or every department for a system or admin principal; a joint task's
// participants inspect too).
bool MaySeeSelection(const TaskRecord& task, const Principal& viewer);

// A stored team "A,B,C" as its officers' ids, the lead first ("" gives none).
std::vector<std::string> SplitTeam(std::string_view team);

// Writes the proof folder of a revealed task (refused before the reveal): the full variant,
// or with `for_public` the files everyone may have (proof.h: the public variant for a task
// whose strata are risk classes, else the full one).
Status WriteTaskProof(Sql& sql, const std::string& id, const std::string& dir, bool for_public = false);
Status WriteTaskProof(Platform& platform, const std::string& id, const std::string& dir, bool for_public = false);

// Re-computes a proof folder from its files alone (no database), full or public variant:
// proof.h's VerifyProof, which says what could not be checked and names the first mismatch.
// Returns OK, or kConflict naming the first mismatch (a sampler that is not loaded is one);
// kInvalidArgument when the folder is no proof folder (no proof.json, or not a JSON object).
// The samplers and entropy sources are the platform's (no database needed); nullptr: none
// (only xj-draw-v1 proofs are checked then).
Status VerifyProofFolder(const std::string& dir, const Platform* platform);

// Builds a draw::Selection (what AssignTeams reads) and the canonical selection file from a
// sampler's answer, checking the sampler kept its contract (kInternal otherwise).
Result<Selection> SelectionFromSample(const FrozenPool& pool, const StratumCounts& allocation, const SampleResult& r,
                                      const std::string& sampler);

}  // namespace xj::draw
