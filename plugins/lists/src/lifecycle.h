// The life of a listing (docs/lists.md), as pure functions over a list policy
// (xinjian/list_policy.h) and a listing: no database, no clock. The store (listings.cpp) loads a
// listing, asks these functions what may happen and what must happen on a date, and writes the
// result with its audit record and event.
//
//   proposed ──初审 review──▶ reviewed ──审核 decide──▶ in_force ──exit──▶ ended
//       │                        │
//       └──────── rejected ◀─────┘
//
// Nothing is deleted: a rejected proposal and an ended listing stay, with who, when and why.
// Every listing in force has a date by which it ends (expires_on) or a policy whose exits
// include kExitSourceRemoved (InvariantProblem).
#pragma once

#include <xinjian/list_policy.h>
#include <xinjian/status.h>
#include <xinjian/time.h>

#include <optional>
#include <string>
#include <vector>

namespace xj::lists {

enum class State { kProposed, kReviewed, kInForce, kEnded, kRejected };
const char* StateName(State s);
std::optional<State> ParseState(const std::string& s);
// "已提出" …: for pages and listings.
const char* StateZh(State s);

struct Listing {
  std::string id;  // "LST-2026-000001"
  std::string list;
  std::string uscc, subject_name, subject_type;
  std::string ground, reason;
  std::string evidence_json = "[]";  // [{"kind": "record" | "result" | "document", "ref": "…"}]
  std::string department;            // the deciding department
  State state = State::kProposed;
  std::string source = "decision";  // decision | rule | import | grade | move
  std::string source_ref;           // what proposed it (a visit/item, a case number), unique per list
  std::string proposed_by, proposed_on;
  std::string due_on;  // a rule's deadline for the decision (10 working days), "" for none
  std::string reviewed_by, reviewed_on, review_note;
  std::string decided_by, decided_on, decision_no;
  std::string starts_on;   // in force from
  std::string expires_on;  // ends (or moves on) by itself on this date, "" for no fixed end
  std::string correction_on, correction_due;  // 经营异常名录: correction confirmed, end due by
  std::string notice_on;                      // a move's notice given on
  std::string ended_on, end_reason, end_note, ended_by;
  std::string moved_from, moved_to;  // the listing it came from / went to
  bool disputed = false;             // an objection is open (异议处理中)
};

// The date `months` calendar months after `d`, on the same day of the month or the month's last
// day when it has fewer days (2026-01-31 + 1 = 2026-02-28).
CivilDate AddMonths(CivilDate d, int months);

// May a subject of `subject_type` be proposed for `policy` on `ground`? kInvalidArgument naming
// the ground, the type and what is allowed.
Status CheckProposal(const ListPolicy& policy, const std::string& subject_type, const std::string& ground);

// The end of a listing starting on `starts`: the policy's maximum, or for a policy with
// validity_by_decision the decided `requested` end (required then, after `starts`, within the
// maximum). A requested end on another policy is refused. "" when the policy has no maximum.
Result<std::string> ExpiryOf(const ListPolicy& policy, CivilDate starts, const std::string& requested);

// Whether `listing` (in force) may end on `on` by `exit` at someone's request (the automatic
// ends, kExitExpired and kExitMoved, come from DueOn). kFailedPrecondition with the reason: not
// in force, an exit the policy does not have, a repair before the policy's minimum period, a
// date before the start.
Status CheckEnd(const ListPolicy& policy, const Listing& listing, const std::string& exit, CivilDate on);

// What falls due for an in-force listing on `today` (the daily rules):
struct Due {
  enum class What { kNone, kExpire, kMove, kMoveNotice, kCorrectionEnd } what = What::kNone;
  std::string on;  // the date the action takes effect (the expiry date, the due date)
};
Due DueOn(const ListPolicy& policy, const Listing& listing, CivilDate today);

// The invariant of every stored listing, the empty string when it holds, else what is wrong:
// in force ⇒ started, decided, an end date or the exit kExitSourceRemoved, and no end;
// ended ⇒ an end date not before the start and a reason the policy allows (its exits, or
// kExitExpired with a maximum); rejected ⇒ never in force.
std::string InvariantProblem(const ListPolicy& policy, const Listing& listing);

// The months between the start and `on` are at least `months` (start + months <= on).
bool PassedMonths(const std::string& starts_on, int months, CivilDate on);

}  // namespace xj::lists
