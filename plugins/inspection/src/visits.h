// Visits, results, review, publication and deadlines (issue 4): what happens after a draw.
//
// A drawn task gets one visit per selected subject (CreateVisits, idempotent; the plugin's
// writing subscriber runs it when draw.task.drawn is delivered). A visit holds the team and
// one row per item: pending -> entered -> approved -> published, or returned with a reason
// and entered again. Each department enters, reviews and publishes the results of its own
// items (谁检查、谁录入、谁公开). Publication is due a number of working days after the
// inspection (20 by default, configurable per item and per department) on the working-day
// calendar; a deadline card turns yellow some working days before (5 by default) and red when
// passed, and stays red when the result was published late. When every item of a task is
// published, the task is revealed (through the draw plugin's service, in a unit of work of
// this plugin).
//
// Separate tasks of different departments that drew the same subject in one month can be
// merged into one joint visit (MergeVisits): the items keep their task, so each task's proof
// stays valid.
//
// The service runs on the SDK alone: every write is a unit of work (xinjian/platform.h) run
// as the context's principal, with its audit records and events; reads go through
// Platform::Read; the tasks are the draw plugin's, reached through the service "draw.tasks"
// (draw/task_service.h); dates are the platform's (Asia/Shanghai), the calendar the
// platform's working-day calendar.
//
// Errors are Status values: kInvalidArgument (a refusal with its reason), kNotFound,
// kFailedPrecondition (wrong state), kInternal (database).
// Thread safety: a VisitContext is used by one thread at a time; the catalog is immutable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "draw/task_service.h"
#include "xinjian/platform.h"
#include "xinjian/principal.h"
#include "xinjian/status.h"
#include "xinjian/time.h"

namespace xj::inspection {

// Result codes, methods and follow-ups, from data/result-codes.json (compiled in).
struct ResultCode {
  std::string code, zh, en;
  bool problem = false;
  std::string credit_event;  // topic raised when approved, or empty
  std::string follow_up;     // required follow-up kind: none, correct, case, any
};
struct ResultCatalog {
  std::vector<ResultCode> codes;
  std::map<std::string, std::pair<std::string, std::string>> methods, follow_ups;  // code -> (zh, en)
  // By code (no_problem) or by Chinese name (未发现问题).
  const ResultCode* Find(const std::string& code) const;
};
const ResultCatalog& Results();

// The plugin's configuration (--set plugins.inspection.KEY=VALUE, xinjian/config.h).
struct VisitOptions {
  using RawLookup = std::function<std::string(const std::string& key, const std::string& fallback)>;
  int publish_working_days = 20;  // publish_days: working days to publish (1-365)
  int yellow_working_days = 5;    // yellow_days: a card turns yellow this many working days before (0-60)
  // The raw configuration, for publish_days.item.<CODE> and publish_days.department.<CODE>
  // (1-365), read when a due date is counted; null: none set.
  RawLookup raw;
  // Reads publish_days and yellow_days through `raw` (Registrar::Config,
  // CommandContext::Config, JobServices::Config), checked: kInvalidArgument naming the full key
  // (plugins.<plugin>.<key>), the value and the range.
  static Result<VisitOptions> FromConfig(const std::string& plugin, RawLookup raw);
  // The working days to publish a result of `item` of `department`: the item's setting, else
  // the department's, else publish_working_days. kInvalidArgument naming the key for a bad
  // value.
  Result<int> PublishDays(const std::string& item, const std::string& department) const;
  std::string plugin = "inspection";  // for the keys named in messages
};

struct VisitContext {
  // Reads (Platform::Read), the clock, the time zone and the working-day calendar; and units of
  // work unless run_unit says otherwise. Required (kFailedPrecondition without it).
  Platform* platform = nullptr;
  // The draw plugin's tasks (the service "draw.tasks"). Required.
  const draw::TaskService* tasks = nullptr;
  // Who acts: units of work run as this principal, whose id the audit log records.
  Principal principal;
  VisitOptions options;
  // YYYY-MM-DD; empty: the date (Asia/Shanghai) of the unit of work's instant, or of the
  // platform's clock for reads.
  std::string today;
  // The working-day calendar; nullptr: the platform's (Platform::Calendar).
  const WorkingDays* calendar = nullptr;
  // How a unit of work runs; empty: platform->RunInTransaction(principal, fn). A job handler
  // sets its run's (JobServices::RunInTransaction), so that its writes commit with the run.
  std::function<Status(const UnitOfWorkFn&)> run_unit;
};

struct FollowUp {
  std::string kind = "none";  // none, correct, case, transfer
  std::string deadline;       // correct: YYYY-MM-DD
  std::string to_department;  // transfer
  std::string case_no;        // case
};

struct VisitItem {
  std::string item_code, item_name, task_id, department, state;
  std::string result_code, findings, inspected_on, method, entered_by, review_reason, reviewed_by;
  FollowUp follow_up;
  std::string due_date, card, published_on;
  // The due date was counted over a provisional calendar year (no State Council notice
  // loaded): it may move when the notice is loaded (RefreshDeadlines recomputes it).
  bool due_provisional = false;
};

struct Visit {
  std::string id, uscc, name, address, state, merged_into, period, started_on, started_by;
  std::vector<std::string> team;  // [0] is the lead
  std::vector<VisitItem> items;
};

// Creates the visits of a drawn task (idempotent: nothing happens when they exist), with the
// audit record visits.create and the event visit.created. Returns the number created.
// kFailedPrecondition for a task that is not drawn or revealed.
Result<std::int64_t> CreateVisits(VisitContext& ctx, const std::string& task_id);
// The same inside the caller's unit of work (the writing subscriber of draw.task.drawn).
Result<std::int64_t> CreateVisitsIn(VisitContext& ctx, UnitOfWork& uow, const std::string& task_id);

// The visit with its items (no access check: `visit show` refuses a department without an
// item on an unpublished visit).
Result<Visit> LoadVisit(VisitContext& ctx, const std::string& id);
nlohmann::json VisitJson(const Visit& v);
// The same on the caller's read or unit of work (no access check either).
Result<Visit> ReadVisitOn(Sql& sql, const std::string& id);

// assigned -> in_progress; `by` must be on the team.
Result<Visit> StartVisit(VisitContext& ctx, const std::string& id, const std::string& by, const std::string& date);

struct ResultEntry {
  std::string visit_id, item_code, result_code, inspected_on, method, findings, by;
  FollowUp follow_up;
};
// The entry with its result code, method and follow-up given by Chinese name (未发现问题,
// 实地核查, 责令限期改正) replaced by their codes; anything else unchanged (the checks name it).
ResultEntry CanonicalEntry(const ResultEntry& entry);
// Enters (or re-enters after a return) the result of one item. `by` must be on the team and
// an officer of the item's department. Sets the publication deadline. Codes, methods and
// follow-ups may be given by code or by Chinese name (CanonicalEntry); the code is stored.
Result<Visit> EnterResult(VisitContext& ctx, const ResultEntry& e);

// Approves or returns (with a reason) the entered results of `department` on a visit
// (`item` empty: all of them). Approval raises the credit events of the result codes.
Result<Visit> ReviewResults(VisitContext& ctx, const std::string& id, const std::string& department,
                            const std::string& item, bool approve, const std::string& reason);

// Publishes the approved results of `department` on a visit; reveals tasks that are complete
// (each in a unit of its own after the publication's: a reveal that fails is done by the
// next RefreshDeadlines).
Result<Visit> PublishResults(VisitContext& ctx, const std::string& id, const std::string& department);

// The results file (CSV, read with the host's reader: Platform::OpenTable):
// visit_id,item,result,inspected_on,method,findings,follow_up,follow_up_deadline,transfer_to,
// case_no,inspector. Each line is checked as EnterResult does; bad lines are rejected with
// their line number and reason, the good ones entered (each in its own unit of work).
struct ResultsImportSummary {
  std::int64_t lines = 0, entered = 0, rejected = 0;
  std::vector<std::string> sample_rejects;  // the first few, "line N: reason"
  std::string rejects_path;                 // where every rejected line went (when asked)
};
Result<ResultsImportSummary> ImportResults(VisitContext& ctx, const std::string& path, const std::string& rejects_path);

// kNotFound naming the value when no task / department / inspector has it; OK for "" (no
// filter). Every listing filtered by a name checks it first, so a typo is an error rather
// than an empty answer.
Status RequireKnownTask(VisitContext& ctx, const std::string& id);
Status RequireKnownDepartment(VisitContext& ctx, const std::string& code);
Status RequireKnownInspector(VisitContext& ctx, const std::string& id);

// Deadlines: unpublished items with a due date (and, with include_published, published ones
// with their final card). `state` filters yellow or red; `department` one department.
struct Deadline {
  std::string visit_id, item_code, department, task_id, uscc, due_date, card, state, published_on, inspected_on;
  std::int64_t working_days_left = 0;  // open items: negative when overdue; 0 for published ones
  bool provisional = false;            // counted over a provisional calendar year
  bool on_time = false;                // published items: published_on <= due_date
};
struct DeadlineQuery {
  std::string department, state;  // state: "", yellow, red
  bool include_published = false;
  std::int64_t limit = 0;  // 0: all
};
Result<std::vector<Deadline>> ListDeadlines(VisitContext& ctx, const DeadlineQuery& q);
// The provisional years (no State Council notice) a deadline counted from `inspected_on` to
// `due_date` went through, on the context's calendar (for the 暂定 / provisional note).
std::vector<int> ProvisionalYears(VisitContext& ctx, const std::string& inspected_on, const std::string& due_date);
// "暂定 / provisional (no State Council notice loaded for 2027; statutory holidays only)".
std::string ProvisionalMark(const std::vector<int>& years);

// First creates missing visits of drawn tasks; then recomputes every open provisional due
// date on the calendar of the context: a date that changes is stored with an audit record
// naming both dates ("VISIT/ITEM: OLD -> NEW") and one visit.deadline.moved event, and loses
// its provisional mark once the calendar of its span is real; a card already given (yellow or
// red) is taken back when the new date is later (the card pass below gives the right one
// again). Then turns cards yellow or red as due dates approach and pass, raising one event per
// change (visit.deadline.yellow / visit.deadline.red); and reveals complete tasks. Each step
// is a unit of work (ctx.run_unit).
struct RefreshSummary {
  std::int64_t yellow = 0, red = 0, visits_created = 0, revealed = 0;
  std::int64_t moved = 0;      // provisional due dates that changed
  std::int64_t confirmed = 0;  // provisional due dates that kept their date and lost the mark
};
Result<RefreshSummary> RefreshDeadlines(VisitContext& ctx);

// Merging separate tasks' visits of one subject in one period into joint visits.
struct MergeProposal {
  std::string uscc, joint_id;
  std::vector<std::string> visits, tasks, departments, items, team;
};
struct MergeReport {
  std::vector<MergeProposal> proposals;
  std::int64_t visits_before = 0, visits_after = 0, saved = 0;
  bool applied = false;
};
Result<MergeReport> MergeVisits(VisitContext& ctx, const std::string& period, bool apply);

// Publicity data (rendered by the web UI).
Result<nlohmann::json> TaskNotice(VisitContext& ctx, const std::string& task_id);
Result<nlohmann::json> ResultNotices(VisitContext& ctx, const std::string& task_id, const std::string& department);
// Per task and department: drawn, visited, problems, published, published on time.
Result<nlohmann::json> VisitStatistics(VisitContext& ctx, const std::string& task_id, const std::string& department);

// Visits of an inspector that are not published yet (their task list).
Result<std::vector<Visit>> VisitsFor(VisitContext& ctx, const std::string& inspector);

// What the inspection of drawn tasks has come to, for the draw (draw/task_service.h,
// FollowUp): which drawn subjects have every result published (the reveal waits for them),
// whether a task's visits exist, the latest deadline of its results, an inspector's open
// visits. The plugin registers it with the draw's service in its init. One object for the
// process; it only reads, on the Sql it is given.
const draw::FollowUp& VisitFollowUp();

}  // namespace xj::inspection
