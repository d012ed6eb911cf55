// The punishment plugin's pure parts (docs/punishment.md): the measures catalogue and the
// memoranda as data, their validation (line- and field-precise, bilingual), proportionality,
// the credit check's answer and the deadline cards. No database, no clock: everything a function
// needs is passed in, so the unit tests (tests/test_model.cpp) call them directly.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <xinjian/list_policy.h>
#include <xinjian/status.h>
#include <xinjian/time.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace xj::punishment {

// The actions a measure may concern and a credit check may ask about (a fixed set).
const std::vector<std::string>& KnownActions();
bool IsKnownAction(std::string_view action);
// The effects, strongest first: deny > restrict > ease (ease never restricts).
inline constexpr const char* kDeny = "deny";
inline constexpr const char* kRestrict = "restrict";
inline constexpr const char* kEase = "ease";

struct Measure {
  std::string code;  // [a-z][a-z0-9_]*, at most 64 characters
  std::string name_zh, name_en;
  std::string kind;  // punishment | reward
  std::string department;
  std::string legal_basis;
  std::vector<std::string> lists;    // list type codes, sorted, unique
  std::vector<std::string> actions;  // KnownActions(), sorted, unique
  std::string effect;                // deny | restrict | ease
  std::string published_on;          // YYYY-MM-DD
  // The canonical JSON (sorted keys) and its SHA-256: what the audit records and the
  // idempotent import compare.
  std::string CanonicalJson() const;
};

struct MemorandumEntry {
  std::string list;
  std::vector<std::string> measures;
};
struct Memorandum {
  std::string code, title;
  std::vector<std::string> departments;
  std::string signed_on;
  std::vector<MemorandumEntry> entries;
  std::string CanonicalJson() const;
};

// What validation needs to know of the world: registered list types (nullptr: unknown) and
// existing departments.
struct CatalogueWorld {
  std::function<const ListPolicy*(const std::string&)> list_policy;
  std::function<bool(const std::string&)> department_exists;
  // For memoranda: the measures known (the catalogue in the database); nullptr: unknown.
  std::function<const Measure*(const std::string&)> measure;
};

// One problem of a file: line (1-based, 0 when the whole file), entry (1-based, 0 for none),
// field ("" for none) and the bilingual message.
struct Problem {
  int line = 0;
  int entry = 0;
  std::string field;
  std::string zh, en;
  std::string Text() const;  // "第 3 行，第 2 项，字段 effect：… / line 3, entry 2, field effect: …"
};

// The proportionality rule (比例原则): a punishment only for black and abnormal lists, a reward
// only for red lists; deny only for black lists; abnormal lists at most restrict; a reward
// eases and only a reward does. OK or kInvalidArgument naming the rule.
Status CheckProportionate(const std::string& measure_kind, const std::string& effect, ListKind list_kind,
                          const std::string& list_code);

// Parses and validates a measures file (a JSON array). Every problem is reported (at most 100);
// the measures are returned only when there is none. Hostile input (over 4 MiB, deeper than 8
// levels, over 10,000 entries, bad UTF-8, control characters, over-long texts) is a problem too.
bool ParseMeasures(std::string_view text, const CatalogueWorld& world, std::vector<Measure>* out,
                   std::vector<Problem>* problems);
// The same for a memoranda file; every measure named must exist (world.measure), list its
// entry's list, be proportionate to it and belong to one of the memorandum's departments.
bool ParseMemoranda(std::string_view text, const CatalogueWorld& world, std::vector<Memorandum>* out,
                    std::vector<Problem>* problems);
// The problems as one Status (kInvalidArgument), the file named, at most 20 lines shown.
Status ProblemsStatus(const std::string& file, const std::vector<Problem>& problems);

// The start line (1-based) of each element of a top-level JSON array, in order (a light scan
// aware of strings; for messages only).
std::vector<int> ElementLines(std::string_view text);

// ---- The credit check's answer. ----

struct ActiveListing {
  std::string id, list, starts_on, expires_on;
};
struct Answer {
  std::string answer;                          // allowed | restricted | denied
  std::vector<const ActiveListing*> listings;  // the listings that triggered a measure
  std::vector<const Measure*> measures;        // the measures applied, in code order, no duplicates
};
// The answer for `action` over a subject's listings in force: `triggered(list, action)` gives the
// measures memoranda link to that list for that action (any order); a measure published after
// `today` is left out. The strongest effect wins (deny > restrict); ease measures are named and
// the answer stays allowed.
using TriggeredFn =
    std::function<const std::vector<const Measure*>*(const std::string& list, const std::string& action)>;
Answer ComputeAnswer(const std::vector<ActiveListing>& listings, const std::string& action, const std::string& today,
                     const TriggeredFn& triggered);

// ---- Deadline cards (the inspection plugin's convention: yellow near, red passed). ----

// "red" when `today` is after `due`; "yellow" when `due` is at most `yellow_working_days` working
// days ahead (`working_days_left` = WorkingDaysBetween(today, due)); "green" otherwise; "" when
// there is no due date.
std::string Card(const std::string& today, const std::string& due, int working_days_left, int yellow_working_days = 1);

// Dates: YYYY-MM-DD that CivilDate::Parse accepts.
bool IsDate(std::string_view text);

}  // namespace xj::punishment
