// The credit plugin's service "credit.records" (version 1): what another plugin may do with
// credit records without including the credit plugin's code. An interface only (service.h).
//
//   // manifest: "requires": ["credit.records"]
//   auto records = xj::RequireService<xj::credit::RecordsService>(reg);
//   records.value()->AddKind(kind);                          // in init: a kind of its own
//   records.value()->Record(uow, record);                    // in a unit of work
//   records.value()->Find(sql, kind, ref, today);            // a record and its state
//
// Thread safety: every function may be called from several threads.
#pragma once

#include <xinjian/platform.h>
#include <xinjian/service.h>
#include <xinjian/status.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xj::credit {

// A kind of record (docs/credit.md, "Record kinds").
struct RecordKindSpec {
  std::string code;       // [a-z0-9_]+, at most 40 characters, unique
  std::string zh, en;     // its names
  std::string polarity;   // "negative" | "positive" | "neutral"
  std::string publicity;  // "by_severity" (the configured months per severity) | "penalty" (总局令45)
  std::vector<std::string> requires_fields;  // of "authority", "basis", "title"
  struct Category {
    std::string zh, en, severity;  // severity: "minor" | "general" | "serious"
  };
  std::map<std::string, Category> categories;  // at least one
};

// A record as a plugin gives it: text fields as an import file has them ("" = not given).
struct RecordSpec {
  std::string uscc, kind, ref, category, severity, occurred_on, public_from, value, heavy, authority, basis, title;
  std::string attributes_json;  // a JSON object of strings, "" for none
  std::string source;           // where it came from ("lists", "event:123"), recorded with it
};

// A stored record as another plugin sees it (Find).
struct RecordState {
  RecordSpec record;                       // as stored; record.public_from as stored
  std::string public_until;                // last day of publicity, "" when never public
  bool public_now = false;                 // in publicity on the day Find was asked about
  bool disputed = false;                   // an objection is open (SetDisputed)
  std::string withdrawn_on;                // "" when standing
  std::string publicity_ended_on;          // publicity stopped early (EndPublicity), "" if not
  std::string publicity_end_reason;        // "repaired" | "stop_disclosure" | ""
  std::string publicity;                   // the kind's rule: "by_severity" | "penalty"
  std::string polarity;                    // the kind's: "negative" | "positive" | "neutral"
};

class RecordsService : public Service {
 public:
  static constexpr const char* kServiceName = "credit.records";
  static constexpr std::uint32_t kServiceVersion = 1;

  // Adds a record kind. kAlreadyExists when the code is taken, kInvalidArgument naming the
  // problem.
  virtual Status AddKind(const RecordKindSpec& kind) = 0;
  // Writes a record (insert, or update by (kind, ref)) in the caller's unit of work, with its
  // audit record, and rescores its subject in the same unit. kInvalidArgument naming the field,
  // kNotFound when the subject is not in the directory.
  virtual Status Record(UnitOfWork& uow, const RecordSpec& record) = 0;
  // Withdraws a record (it stops counting and showing at once; the score follows).
  virtual Status Withdraw(UnitOfWork& uow, const std::string& kind, const std::string& ref, const std::string& on,
                          const std::string& reason) = 0;
  // Appended (the built-in consumers are rebuilt with it): how many records of `kind` the
  // subject has, not withdrawn, that occurred on or after `since` (YYYY-MM-DD), read with
  // `sql` (a read or the caller's unit of work). The lists plugin asks it before a credit
  // repair ("no new penalty of the same kind"). The database's error otherwise.
  virtual Result<std::int64_t> CountSince(Sql& sql, const std::string& uscc, const std::string& kind,
                                          const std::string& since) const = 0;

  // Appended for objections and repair of records (the lists plugin's remedies; docs/credit.md,
  // "Objections and repair"). Each writing function runs in the caller's unit of work with its
  // audit record and event, and fails with kNotFound when there is no record (kind, ref).
  //
  // The record (kind, ref) with its state on `today` (YYYY-MM-DD), read with `sql`; nullopt
  // when there is none.
  virtual Result<std::optional<RecordState>> Find(Sql& sql, const std::string& kind, const std::string& ref,
                                                  const std::string& today) const = 0;
  // Marks the record disputed (an objection is open) or not. The public pages show the mark at
  // once; the score does not change. Audit credit.record.dispute / credit.record.undispute,
  // event credit.record.disputed / credit.record.undisputed. Setting the state it has is a
  // no-op.
  virtual Status SetDisputed(UnitOfWork& uow, const std::string& kind, const std::string& ref, bool disputed,
                             const std::string& reason) = 0;
  // Stops the record's publicity on `on` (YYYY-MM-DD, not before its occurrence), for `reason`
  // "repaired" (an approved credit repair) or "stop_disclosure" (an objection's decision): it
  // is no longer public from that day, counts as out of publicity for scoring (the subject is
  // rescored in the unit), and an import of the same record does not bring it back. Audit
  // credit.record.publicity_end, event credit.record.publicity_ended. kFailedPrecondition when
  // the record is withdrawn or its publicity already ended; kInvalidArgument for another reason.
  virtual Status EndPublicity(UnitOfWork& uow, const std::string& kind, const std::string& ref, const std::string& on,
                              const std::string& reason) = 0;
};

}  // namespace xj::credit
