// The listings store and the operations on it (docs/lists.md): each operation runs inside the
// caller's unit of work and leaves, with its change, one audit record
// ("lists.listing.<action>", entity "listing"), a transition row and an event
// ("lists.listing.<action>"); a listing coming into force or ending updates the subject's
// listings in the directory (Platform::SetListings), which the draws and the credit scores read.
#pragma once

#include <xinjian/plugin.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lifecycle.h"

namespace xj::lists {

// The shipped list types (data/types.json), checked; the host registers them.
Result<std::vector<ListPolicy>> ShippedPolicies();
// Reads a types document ({"types": [...]}) into checked policies.
Result<std::vector<ListPolicy>> ParsePolicies(const std::string& json_text);

struct Evidence {
  std::string kind;  // record | result | document
  std::string ref;
};
// "record:KIND/REF", "result:VISIT/ITEM", "document:TEXT" → Evidence; kInvalidArgument naming it.
Result<Evidence> ParseEvidence(const std::string& text);

struct ProposeInput {
  std::string list, uscc, ground, reason;
  std::vector<Evidence> evidence;
  std::string department;  // the deciding department ("" = the principal's)
  std::string due_on;      // a deadline for the decision ("" = none)
  std::string source = "decision";
  std::string source_ref;
  std::string subject_name, subject_type;  // for subjects outside the directory (imports)
};

struct DecideInput {
  std::string decision_no;
  std::string starts_on;  // "" = today
  std::string ends_on;    // for validity_by_decision
};

// The department the rules propose and enact for (the annual-report rule, the intermediary
// grades): plugins.lists.rule_department when configured (it must exist), else the department
// whose jurisdiction holds the subject's region most specifically (ties by code), else the first
// department of unlimited jurisdiction; "" when none covers the subject.
class RuleDepartments {
 public:
  // The configured code (set once at the plugin's init).
  static std::string& Configured();
  static Result<RuleDepartments> Load(Sql& sql);
  Result<std::string> For(Sql& sql, const std::string& uscc) const;

 private:
  std::string configured_;
  std::vector<std::pair<std::string, std::string>> departments_;  // code, jurisdiction
};

// The operations. `platform` gives the policies and the calendar; the writes go to `uow`.
class Listings {
 public:
  explicit Listings(Platform& platform) : platform_(platform) {}

  const ListPolicy* Policy(const std::string& code) const { return platform_.FindListPolicy(code); }
  Result<const ListPolicy*> RequirePolicy(const std::string& code) const;

  // A proposal (提出): the subject must be in the directory unless the input names it (imports).
  // Returns the new listing. With a source_ref already proposed for that list, returns the
  // existing listing unchanged (idempotent rules and imports).
  // `created` (when given) tells whether a new listing was written.
  Result<Listing> Propose(UnitOfWork& uow, const ProposeInput& in, CivilDate today, bool* created = nullptr);
  // 初审: approve (→ reviewed) or reject (→ rejected, with a reason). The reviewer acts for
  // the listing's department and is not the proposer (system principals excepted).
  Result<Listing> Review(UnitOfWork& uow, const std::string& id, bool approve, const std::string& note, CivilDate today);
  // 审核/决定: → in force (a decision number, a start, the end from the policy) or rejected.
  // The decider is neither the proposer nor the reviewer.
  Result<Listing> Decide(UnitOfWork& uow, const std::string& id, bool approve, const DecideInput& in,
                         const std::string& note, CivilDate today);
  // In force at once (imports, grades, moves): a listing that needs no review.
  Result<Listing> Enact(UnitOfWork& uow, const ProposeInput& in, const DecideInput& d, CivilDate today,
                        const std::string& moved_from = "", bool* created = nullptr);
  // 经营异常名录: the correction confirmed on `on`; the listing ends within the policy's
  // correction_working_days (by the daily rules at the latest).
  Result<Listing> ConfirmCorrection(UnitOfWork& uow, const std::string& id, CivilDate on, const std::string& note);
  // Ends a listing in force by `exit` on `on` (CheckEnd decides whether it may).
  Result<Listing> End(UnitOfWork& uow, const std::string& id, const std::string& exit, CivilDate on,
                      const std::string& note);
  // The daily rules for `today`: expiries, moves (with their notices), corrections due.
  struct RuleCounts {
    int expired = 0, moved = 0, notices = 0, corrected = 0;
  };
  Result<RuleCounts> RunDaily(UnitOfWork& uow, CivilDate today);
  // The 1 July rule: every active enterprise, individual business or intermediary registered
  // before `year` with no annual report for `year` gets an abnormal-operations proposal
  // (ground annual_report_missed, source_ref "annual-report:<year>"). Returns how many.
  Result<int> ProposeMissedAnnualReports(UnitOfWork& uow, int year, CivilDate today);
  // An intermediary's yearly grade (the credit plugin's event credit.intermediary.graded): A puts
  // it on the intermediary red list, C on the black list, in force at once for the year (the
  // grade is the decision; source_ref "grade:<year>", decision number 中介信用评价〔year〕X类);
  // a listing of the other grade list, or of an earlier year's grade, ends by kExitReplaced.
  // Returns the listings ended and enacted. Nothing when the subject is not in the directory.
  struct GradeOutcome {
    int ended = 0, enacted = 0;
  };
  Result<GradeOutcome> ApplyGrade(UnitOfWork& uow, const std::string& uscc, int year, const std::string& grade,
                                  double points, CivilDate today);

  // Reads.
  static Result<std::optional<Listing>> Load(Sql& sql, const std::string& id);
  struct Transition {
    int seq = 0;
    std::int64_t at_us = 0;
    std::string on, actor, action, from, to, note;
  };
  static Result<std::vector<Transition>> History(Sql& sql, const std::string& id);

 private:
  Result<Listing> Write(UnitOfWork& uow, Listing& l, const std::string& action, State from, const std::string& note,
                        const std::optional<Listing>& before, CivilDate today, bool sync_subject);
  Result<std::string> NextId(Sql& sql, int year);
  Platform& platform_;

 public:
  // Sets the subject's listings in the directory from its listings in force.
  Status SyncSubject(UnitOfWork& uow, const std::string& uscc);
  // Sets or clears the "disputed" mark of a listing (an objection opened or decided), with a
  // transition, an audit record and an event ("lists.listing.disputed" / "undisputed").
  Result<Listing> MarkDisputed(UnitOfWork& uow, const std::string& id, bool disputed, const std::string& note,
                               CivilDate today);
  // Corrects a listing's reason after an objection (异议更正), with its trail.
  Result<Listing> CorrectReason(UnitOfWork& uow, const std::string& id, const std::string& reason, CivilDate today);
};

// A listing as JSON (the API's and --json's shape). `full`: everything (supervisors); otherwise
// the public fields only.
std::string ListingJson(const Listing& l, const ListPolicy* policy, bool full);
// The canonical digest of a listing (its audit records').
std::string ListingDigest(const Listing& l);
// Row columns in the order Load reads them (for other readers in the plugin).
extern const char* const kListingColumns;
Listing ListingOfRow(const SqlRow& r);
// Free text (a reason, a note): trimmed, valid UTF-8 without control characters, at most
// `max_chars` characters; kInvalidArgument naming the field otherwise (or when required and empty).
Result<std::string> CleanFreeText(const std::string& field_zh, const std::string& field_en, const std::string& text,
                                  std::size_t max_chars, bool required);
// The next number of `series` ("LST", "REP", "OBJ") in `year`: "LST-2026-000001".
Result<std::string> NextNumber(Sql& sql, const std::string& series, int year);
// kInvalidArgument when `on` lies after today on the platform clock (the unit's instant): a
// step dated in the future would let a period (a repair's minimum) be skipped.
Status NotAfterToday(Platform& platform, const UnitOfWork& uow, CivilDate on);
// Masks a natural person's identifier (only the first 3 and the last 2 characters shown).
std::string MaskIdentifier(const std::string& id);

}  // namespace xj::lists
