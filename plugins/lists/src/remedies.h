// Credit repair (信用修复) and objections (异议) to listings and to credit records (docs/lists.md,
// "Repair" and "Objections"). Each operation runs in the caller's unit of work with its audit
// record and event. A target is a listing's id, or "record:KIND/REF" for a record of the credit
// plugin, reached through its service credit.records (the record's disputed mark, the end of
// its publicity, its correction and withdrawal are the credit plugin's writes).
//
// Repair: an application for a listing in force, with its evidence and a credit commitment
// (信用承诺); decided within the configured working days (plugins.lists.repair_working_days,
// default 10). The conditions are checked when it is decided: the list type has the exit
// "repaired"; its minimum period has passed (repair_after_months, else min_months); the
// obligations are met (the decider confirms); no new penalty of the same kind since the start
// (the credit plugin's records, service credit.records); not otherwise barred (no later
// listing on the same list in force). Approval ends the listing by "repaired"; the subject's
// directory listings, its score and (in the punishment plugin) every measure follow.
//
// Repair of a record: it is in publicity; its minimum period has passed since the publicity
// began (a penalty: record_repair_penalty_months, 6, or record_repair_penalty_long_months, 12,
// when its attribute "domain" is food, drug or special_equipment; other kinds by severity:
// record_repair_{minor,general,serious}_months, 0, 3, 12); the obligations are met; no new
// record of the same kind since it occurred; not otherwise barred (no listing in force cites it
// as evidence: that listing is repaired first). Approval ends its publicity ("repaired"); the
// score follows. The deciding department is one whose jurisdiction holds the subject.
//
// Objections: anyone may object to a published listing or record; it is marked disputed at once
// (the public pages show it), decided within plugins.lists.objection_working_days (default 5),
// extendable once to objection_extended_working_days (default 20) from the submission; cards:
// yellow on the last working day, red after it. Outcomes: keep (the mark goes), correct (the
// reason corrected), stop_disclosure (no longer public), remove (the listing ends by the exit
// "objection", or "revoked" when the list has no objection exit). For a record: correct (the
// fields given rewritten through the credit plugin, which rescores), stop_disclosure (its
// publicity ends), remove (it is withdrawn).
#pragma once

#include <xinjian/plugin.h>

#include <functional>
#include <string>
#include <vector>

#include "listings.h"

#include "credit/records_service.h"

namespace xj::lists {

struct RemedyConfig {
  int repair_working_days = 10;
  int objection_working_days = 5;
  int objection_extended_working_days = 20;
  // The record kind a repair checks for new penalties ("penalty").
  std::string penalty_kind = "penalty";
  // Minimum months in publicity before a record's repair (DOMAIN.md, rules 100 and 101).
  int record_repair_minor_months = 0, record_repair_general_months = 3, record_repair_serious_months = 12;
  int record_repair_penalty_months = 6, record_repair_penalty_long_months = 12;
};

// What a repair or an objection is about: a listing, or a credit record ("record:KIND/REF").
struct RemedyTarget {
  std::string listing_id;
  std::string record_kind, record_ref;
  bool is_record() const { return !record_kind.empty(); }
  std::string record_id() const { return record_kind + "/" + record_ref; }
};
// A listing's id as given, or "record:KIND/REF" (KIND before the first '/'); kInvalidArgument
// for an empty, oversized or malformed target.
Result<RemedyTarget> ParseRemedyTarget(const std::string& text);

struct Repair {
  std::string id, listing_id, record_id, uscc, submitted_on, submitted_by, evidence_json, commitment, due_on, state;
  bool obligations_met = false;
  std::string decided_by, decided_on, reasons_json;
};

struct Objection {
  std::string id, listing_id, record_id, objector, contact, grounds, submitted_on, due_on, state, outcome, decision, decided_by,
      decided_on, extension_reason;
  bool extended = false;
};

// "yellow" on the due day, "red" after it, "" otherwise (and for anything decided).
std::string CardOf(const std::string& due_on, const std::string& state_open, CivilDate today);

class Remedies {
 public:
  Remedies(Platform& platform, RemedyConfig config, credit::RecordsService* records)
      : platform_(platform), config_(std::move(config)), records_(records) {}

  Result<Repair> ApplyRepair(UnitOfWork& uow, const std::string& target, const std::vector<Evidence>& evidence,
                             const std::string& commitment, CivilDate today);
  // Decides: `approve` checks the conditions (a refusal names each unmet one); `obligations_met`
  // is the decider's confirmation. A refusal needs a reason.
  Result<Repair> DecideRepair(UnitOfWork& uow, const std::string& repair_id, bool approve, bool obligations_met,
                              const std::string& reason, CivilDate today);
  // The conditions a repair of `l` would meet or not on `today`: the reasons it cannot be
  // approved (empty when it can).
  Result<std::vector<std::string>> RepairObstacles(Sql& sql, const Listing& l, bool obligations_met, CivilDate today);
  // The same for a credit record.
  Result<std::vector<std::string>> RecordRepairObstacles(Sql& sql, const credit::RecordState& r, bool obligations_met,
                                                         CivilDate today);

  Result<Objection> Object(UnitOfWork& uow, const std::string& target, const std::string& objector,
                           const std::string& contact, const std::string& grounds, CivilDate today);
  Result<Objection> ExtendObjection(UnitOfWork& uow, const std::string& id, const std::string& reason, CivilDate today);
  // `corrected_reason`: a listing's corrected reason; `corrections`: a record's fields to
  // rewrite (category, severity, occurred_on, value, authority, basis, title), each "FIELD=VALUE".
  Result<Objection> DecideObjection(UnitOfWork& uow, const std::string& id, const std::string& outcome,
                                    const std::string& decision, const std::string& corrected_reason, CivilDate today,
                                    const std::vector<std::string>& corrections = {});

  static Result<std::optional<Repair>> LoadRepair(Sql& sql, const std::string& id);
  static Result<std::optional<Objection>> LoadObjection(Sql& sql, const std::string& id);
  // The repair notice (信用修复告知书) served with a listing decision (两书同达): when and how the
  // subject may apply, as text in both languages; "" for a list without repair.
  static std::string RepairNotice(const ListPolicy& p, const Listing& l);

 private:
  // The record of a target, refused (kNotFound) when missing; kFailedPrecondition without the
  // credit plugin's service.
  Result<credit::RecordState> LoadRecordOf(Sql& sql, const RemedyTarget& t, CivilDate today) const;
  // A supervisor of a department whose jurisdiction holds the subject, or every department.
  Status MayDecideForSubject(Sql& sql, const Principal& who, const std::string& uscc, const char* what_zh,
                             const char* what_en) const;
  Status UndisputeIfLast(UnitOfWork& uow, const Objection& o, const std::string& why, CivilDate today);
  // Who may extend or decide the objection: the listing's department, or for a record one
  // whose jurisdiction holds the subject.
  Status MayHandle(UnitOfWork& uow, const Objection& o, CivilDate today);
  Status DecideRecordObjection(UnitOfWork& uow, const Objection& o, const std::string& outcome,
                               const std::string& decision, const std::vector<std::string>& corrections, CivilDate today);

  Platform& platform_;
  RemedyConfig config_;
  credit::RecordsService* records_;
};

std::string RepairJson(const Repair& r);
// `full`: with the objector and contact (the deciding department); the public never sees them.
std::string ObjectionJson(const Objection& o, bool full, CivilDate today);

// The remedy commands (lists repair …, lists objection …).
Status RegisterRemedyCommands(Registrar& registrar, const RemedyConfig& config, credit::RecordsService* records);

}  // namespace xj::lists
