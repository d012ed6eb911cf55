// Credit repair (信用修复) and objections (异议) to listings (docs/lists.md, "Repair" and
// "Objections"). Each operation runs in the caller's unit of work with its audit record and event.
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
// Objections: anyone may object to a published listing; the listing is marked disputed at once
// (the public pages show it), decided within plugins.lists.objection_working_days (default 5),
// extendable once to objection_extended_working_days (default 20) from the submission; cards:
// yellow on the last working day, red after it. Outcomes: keep (the mark goes), correct (the
// reason corrected), stop_disclosure (no longer public), remove (the listing ends by the exit
// "objection", or "revoked" when the list has no objection exit).
#pragma once

#include <xinjian/plugin.h>

#include <functional>
#include <string>
#include <vector>

#include "listings.h"

namespace xj::credit {
class RecordsService;
}

namespace xj::lists {

struct RemedyConfig {
  int repair_working_days = 10;
  int objection_working_days = 5;
  int objection_extended_working_days = 20;
  // The record kind a repair checks for new penalties ("penalty").
  std::string penalty_kind = "penalty";
};

struct Repair {
  std::string id, listing_id, uscc, submitted_on, submitted_by, evidence_json, commitment, due_on, state;
  bool obligations_met = false;
  std::string decided_by, decided_on, reasons_json;
};

struct Objection {
  std::string id, listing_id, objector, contact, grounds, submitted_on, due_on, state, outcome, decision, decided_by,
      decided_on, extension_reason;
  bool extended = false;
};

// "yellow" on the due day, "red" after it, "" otherwise (and for anything decided).
std::string CardOf(const std::string& due_on, const std::string& state_open, CivilDate today);

class Remedies {
 public:
  Remedies(Platform& platform, RemedyConfig config, const credit::RecordsService* records)
      : platform_(platform), config_(std::move(config)), records_(records) {}

  Result<Repair> ApplyRepair(UnitOfWork& uow, const std::string& listing_id, const std::vector<Evidence>& evidence,
                             const std::string& commitment, CivilDate today);
  // Decides: `approve` checks the conditions (a refusal names each unmet one); `obligations_met`
  // is the decider's confirmation. A refusal needs a reason.
  Result<Repair> DecideRepair(UnitOfWork& uow, const std::string& repair_id, bool approve, bool obligations_met,
                              const std::string& reason, CivilDate today);
  // The conditions a repair of `l` would meet or not on `today`: the reasons it cannot be
  // approved (empty when it can).
  Result<std::vector<std::string>> RepairObstacles(Sql& sql, const Listing& l, bool obligations_met, CivilDate today);

  Result<Objection> Object(UnitOfWork& uow, const std::string& listing_id, const std::string& objector,
                           const std::string& contact, const std::string& grounds, CivilDate today);
  Result<Objection> ExtendObjection(UnitOfWork& uow, const std::string& id, const std::string& reason, CivilDate today);
  Result<Objection> DecideObjection(UnitOfWork& uow, const std::string& id, const std::string& outcome,
                                    const std::string& decision, const std::string& corrected_reason, CivilDate today);

  static Result<std::optional<Repair>> LoadRepair(Sql& sql, const std::string& id);
  static Result<std::optional<Objection>> LoadObjection(Sql& sql, const std::string& id);
  // The repair notice (信用修复告知书) served with a listing decision (两书同达): when and how the
  // subject may apply, as text in both languages; "" for a list without repair.
  static std::string RepairNotice(const ListPolicy& p, const Listing& l);

 private:
  Platform& platform_;
  RemedyConfig config_;
  const credit::RecordsService* records_;
};

std::string RepairJson(const Repair& r);
// `full`: with the objector and contact (the deciding department); the public never sees them.
std::string ObjectionJson(const Objection& o, bool full, CivilDate today);

// The remedy commands (lists repair …, lists objection …).
Status RegisterRemedyCommands(Registrar& registrar, const RemedyConfig& config, const credit::RecordsService* records);

}  // namespace xj::lists
