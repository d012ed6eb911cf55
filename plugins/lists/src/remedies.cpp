// See remedies.h.
#include "remedies.h"

#include <xinjian/command.h>
#include <xinjian/digest.h>
#include <xinjian/directory.h>
#include <xinjian/text.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "credit/records_service.h"
#include "lists.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// GCC 12 reports copies of SqlValue (a std::variant) out of long initializer lists as maybe
// uninitialized: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::lists {
namespace {

using nlohmann::json;

Status NotFound(const std::string& what_zh, const std::string& what_en, const std::string& id) {
  return Status::Error(StatusCode::kNotFound, "没有" + what_zh + " " + id.substr(0, 40), "no " + what_en + " " + id.substr(0, 40));
}

const char* kRepairColumns =
    "id, listing_id, uscc, submitted_on, submitted_by, evidence, commitment, obligations_met, due_on, state, decided_by, "
    "decided_on, reasons, record_id";
const char* kObjectionColumnsO =
    "o.id, o.listing_id, o.objector, o.contact, o.grounds, o.submitted_on, o.due_on, o.extended, o.extension_reason, "
    "o.state, o.outcome, o.decision, o.decided_by, o.decided_on, o.record_id";
const char* kObjectionColumns =
    "id, listing_id, objector, contact, grounds, submitted_on, due_on, extended, extension_reason, state, outcome, decision, "
    "decided_by, decided_on, record_id";

Repair RepairOfRow(const SqlRow& r) {
  Repair x;
  x.id = r.Text(0);
  x.listing_id = r.Text(1);
  x.uscc = r.Text(2);
  x.submitted_on = r.Text(3);
  x.submitted_by = r.Text(4);
  x.evidence_json = r.Text(5);
  x.commitment = r.Text(6);
  x.obligations_met = r.Bool(7);
  x.due_on = r.Text(8);
  x.state = r.Text(9);
  x.decided_by = r.Text(10);
  x.decided_on = r.Text(11);
  x.reasons_json = r.Text(12);
  x.record_id = r.Text(13);
  return x;
}

Objection ObjectionOfRow(const SqlRow& r) {
  Objection o;
  o.id = r.Text(0);
  o.listing_id = r.Text(1);
  o.objector = r.Text(2);
  o.contact = r.Text(3);
  o.grounds = r.Text(4);
  o.submitted_on = r.Text(5);
  o.due_on = r.Text(6);
  o.extended = r.Bool(7);
  o.extension_reason = r.Text(8);
  o.state = r.Text(9);
  o.outcome = r.Text(10);
  o.decision = r.Text(11);
  o.decided_by = r.Text(12);
  o.decided_on = r.Text(13);
  o.record_id = r.Text(14);
  return o;
}

Status SaveRepair(UnitOfWork& uow, const Repair& x, bool insert) {
  if (insert) {
    auto n = uow.sql().Exec(std::string("INSERT INTO lists_repairs (") + kRepairColumns +
                                ", updated_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            {x.id, Nullable(x.listing_id), x.uscc, x.submitted_on, x.submitted_by, x.evidence_json,
                             x.commitment, x.obligations_met ? 1 : 0, x.due_on, x.state, x.decided_by, x.decided_on,
                             x.reasons_json, Nullable(x.record_id), uow.now_us()});
    return n.ok() ? Status::Ok() : n.status();
  }
  auto n = uow.sql().Exec(
      "UPDATE lists_repairs SET obligations_met = ?, state = ?, decided_by = ?, decided_on = ?, reasons = ?, updated_at_us = ? "
      "WHERE id = ?",
      {x.obligations_met ? 1 : 0, x.state, x.decided_by, x.decided_on, x.reasons_json, uow.now_us(), x.id});
  return n.ok() ? Status::Ok() : n.status();
}

Status SaveObjection(UnitOfWork& uow, const Objection& o, bool insert) {
  if (insert) {
    auto n = uow.sql().Exec(std::string("INSERT INTO lists_objections (") + kObjectionColumns +
                                ", updated_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            {o.id, Nullable(o.listing_id), o.objector, o.contact, o.grounds, o.submitted_on, o.due_on,
                             o.extended ? 1 : 0, o.extension_reason, o.state, o.outcome, o.decision, o.decided_by,
                             o.decided_on, Nullable(o.record_id), uow.now_us()});
    return n.ok() ? Status::Ok() : n.status();
  }
  auto n = uow.sql().Exec(
      "UPDATE lists_objections SET due_on = ?, extended = ?, extension_reason = ?, state = ?, outcome = ?, decision = ?, "
      "decided_by = ?, decided_on = ?, updated_at_us = ? WHERE id = ?",
      {o.due_on, o.extended ? 1 : 0, o.extension_reason, o.state, o.outcome, o.decision, o.decided_by, o.decided_on,
       uow.now_us(), o.id});
  return n.ok() ? Status::Ok() : n.status();
}

Status Trail(UnitOfWork& uow, const std::string& action, const std::string& entity, const std::string& id,
             const std::string& before_json, const std::string& after_json, const json& event) {
  if (Status st = uow.Audit({action, entity, id, before_json.empty() ? "" : digest::Sha256Hex(before_json),
                             digest::Sha256Hex(after_json)});
      !st.ok())
    return st;
  return uow.Publish(action, id, event.dump());
}

}  // namespace

std::string CardOf(const std::string& due_on, const std::string& state_open, CivilDate today) {
  if (state_open.empty() || due_on.empty()) return "";
  const std::string t = today.ToString();
  if (t > due_on) return "red";
  if (t == due_on) return "yellow";
  return "";
}

std::string RepairJson(const Repair& r) {
  return json{{"id", r.id},
              {"listing", r.listing_id.empty() ? json(nullptr) : json(r.listing_id)},
              {"record", r.record_id.empty() ? json(nullptr) : json(r.record_id)},
              {"uscc", r.uscc},
              {"submitted_on", r.submitted_on},
              {"submitted_by", r.submitted_by},
              {"evidence", json::parse(r.evidence_json, nullptr, false)},
              {"commitment", r.commitment},
              {"obligations_met", r.obligations_met},
              {"due_on", r.due_on},
              {"state", r.state},
              {"decided_by", r.decided_by},
              {"decided_on", r.decided_on},
              {"reasons", json::parse(r.reasons_json.empty() ? "[]" : r.reasons_json, nullptr, false)}}
      .dump();
}

std::string ObjectionJson(const Objection& o, bool full, CivilDate today) {
  json j{{"id", o.id},
         {"listing", o.listing_id.empty() ? json(nullptr) : json(o.listing_id)},
         {"record", o.record_id.empty() ? json(nullptr) : json(o.record_id)},
         {"submitted_on", o.submitted_on},
         {"due_on", o.due_on},
         {"extended", o.extended},
         {"state", o.state},
         {"outcome", o.outcome},
         {"decided_on", o.decided_on},
         {"card", CardOf(o.due_on, o.state == "open" ? "open" : "", today)}};
  if (full) {
    j["objector"] = o.objector;
    j["contact"] = o.contact;
    j["grounds"] = o.grounds;
    j["decision"] = o.decision;
    j["decided_by"] = o.decided_by;
    j["extension_reason"] = o.extension_reason;
  }
  return j.dump();
}

std::string Remedies::RepairNotice(const ListPolicy& p, const Listing& l) {
  if (std::find(p.exits.begin(), p.exits.end(), kExitRepaired) == p.exits.end() || l.starts_on.empty()) return "";
  const int months = p.repair_after_months > 0 ? p.repair_after_months : p.min_months;
  auto starts = CivilDate::Parse(l.starts_on);
  if (!starts.ok()) return "";
  const std::string earliest = AddMonths(starts.value(), months).ToString();
  return "信用修复告知：自 " + earliest + " 起，履行相关义务、作出信用承诺且未再受到同类处罚的，可向" + p.authority_zh +
         "申请信用修复（xinjian lists repair apply " + l.id + "）。 / Repair notice: from " + earliest +
         ", having met its obligations, made a credit commitment and received no new penalty of the same kind, the subject "
         "may apply to " + p.authority_en + " for credit repair (xinjian lists repair apply " + l.id + ").";
}

Result<std::optional<Repair>> Remedies::LoadRepair(Sql& sql, const std::string& id) {
  std::optional<Repair> out;
  Status st = sql.Query(std::string("SELECT ") + kRepairColumns + " FROM lists_repairs WHERE id = ?", {id},
                        [&](const SqlRow& r) {
                          out = RepairOfRow(r);
                          return false;
                        });
  if (!st.ok()) return st;
  return out;
}

Result<std::optional<Objection>> Remedies::LoadObjection(Sql& sql, const std::string& id) {
  std::optional<Objection> out;
  Status st = sql.Query(std::string("SELECT ") + kObjectionColumns + " FROM lists_objections WHERE id = ?", {id},
                        [&](const SqlRow& r) {
                          out = ObjectionOfRow(r);
                          return false;
                        });
  if (!st.ok()) return st;
  return out;
}

Result<RemedyTarget> ParseRemedyTarget(const std::string& text) {
  RemedyTarget t;
  if (text.empty() || text.size() > 400 || !utf8::IsValid(text))
    return Status::Error(StatusCode::kInvalidArgument, "须给出名单记录编号或 record:种类/编号",
                         "give a listing's id or record:KIND/REF");
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return Status::Error(StatusCode::kInvalidArgument, "对象含有控制字符", "the target contains control characters");
  if (text.rfind("record:", 0) != 0) {
    t.listing_id = text;
    return t;
  }
  const std::string rest = text.substr(7);
  const auto slash = rest.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= rest.size())
    return Status::Error(StatusCode::kInvalidArgument, "信用记录须写作 record:种类/编号，实际为 “" + text.substr(0, 60) + "”",
                         "a credit record is record:KIND/REF, got '" + text.substr(0, 60) + "'");
  t.record_kind = rest.substr(0, slash);
  t.record_ref = rest.substr(slash + 1);
  return t;
}

Result<credit::RecordState> Remedies::LoadRecordOf(Sql& sql, const RemedyTarget& t, CivilDate today) const {
  if (records_ == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition, "信用记录服务 credit.records 未加载",
                         "the service credit.records is not loaded");
  auto found = records_->Find(sql, t.record_kind, t.record_ref, today.ToString());
  if (!found.ok()) return found.status();
  if (!found.value()) return NotFound("信用记录", "credit record", t.record_id());
  return *found.value();
}

Status Remedies::MayDecideForSubject(Sql& sql, const Principal& who, const std::string& uscc, const char* what_zh,
                                     const char* what_en) const {
  if (who.ActsForAllDepartments()) return Status::Ok();
  if (who.HasRole(kRoleSupervisor) && !who.department.empty()) {
    auto holds = DepartmentHoldsSubject(sql, who.department, uscc);
    if (!holds.ok()) return holds.status();
    if (holds.value()) return Status::Ok();
  }
  return Status::Error(StatusCode::kPermissionDenied,
                       std::string("只有辖区包含该主体的部门能") + what_zh,
                       std::string("only a department whose jurisdiction holds the subject can ") + what_en);
}

Result<std::vector<std::string>> Remedies::RecordRepairObstacles(Sql& sql, const credit::RecordState& r,
                                                                 bool obligations_met, CivilDate today) {
  std::vector<std::string> out;
  if (!r.withdrawn_on.empty()) out.push_back("记录已撤回 / the record is withdrawn");
  if (!r.publicity_ended_on.empty()) out.push_back("记录已停止公示 / the record's publicity has ended");
  if (!r.public_now && r.withdrawn_on.empty() && r.publicity_ended_on.empty())
    out.push_back("记录不在公示中 / the record is not in publicity");
  if (r.polarity != "negative") out.push_back("只有失信记录适用信用修复 / only negative records are repaired");
  int months = 0;
  if (r.publicity == "penalty") {
    std::string domain;
    const json a = json::parse(r.record.attributes_json.empty() ? "{}" : r.record.attributes_json, nullptr, false);
    if (a.is_object() && a.contains("domain") && a["domain"].is_string()) domain = a["domain"].get<std::string>();
    const bool longer = domain == "food" || domain == "drug" || domain == "special_equipment";
    months = longer ? config_.record_repair_penalty_long_months : config_.record_repair_penalty_months;
  } else if (r.record.severity == "serious") {
    months = config_.record_repair_serious_months;
  } else if (r.record.severity == "general") {
    months = config_.record_repair_general_months;
  } else {
    months = config_.record_repair_minor_months;
  }
  const std::string since = r.record.public_from.empty() ? r.record.occurred_on : r.record.public_from;
  if (months > 0 && !PassedMonths(since, months, today))
    out.push_back("公示未满 " + std::to_string(months) + " 个月 / fewer than " + std::to_string(months) +
                  " months in publicity");
  if (!obligations_met) out.push_back("未确认已履行相关义务 / the obligations are not confirmed as met");
  auto occurred = CivilDate::Parse(r.record.occurred_on);
  if (!occurred.ok()) return occurred.status();
  auto later = records_->CountSince(sql, r.record.uscc, r.record.kind, (occurred.value() + 1).ToString());
  if (!later.ok()) return later.status();
  if (later.value() > 0)
    out.push_back("其后又有同类记录 " + std::to_string(later.value()) + " 条 / " + std::to_string(later.value()) +
                  " new records of the same kind since");
  // A listing in force that cites the record as evidence is repaired first.
  std::vector<std::string> citing;
  Status st = sql.Query("SELECT id, evidence FROM lists_listings WHERE uscc = ? AND state = 'in_force' ORDER BY id",
                        {r.record.uscc}, [&](const SqlRow& row) {
                          const json ev = json::parse(row.View(1), nullptr, false);
                          if (ev.is_array())
                            for (const json& e : ev)
                              if (e.is_object() && e.value("kind", std::string()) == "record" &&
                                  e.value("ref", std::string()) == r.record.kind + "/" + r.record.ref)
                                citing.push_back(row.Text(0));
                          return true;
                        });
  if (!st.ok()) return st;
  for (const std::string& id : citing)
    out.push_back("名单记录 " + id + " 以该记录为依据且仍在列入中 / listing " + id + " in force cites the record");
  return out;
}

Result<std::vector<std::string>> Remedies::RepairObstacles(Sql& sql, const Listing& l, bool obligations_met,
                                                           CivilDate today) {
  const ListPolicy* p = platform_.FindListPolicy(l.list);
  if (p == nullptr) return Status::Error(StatusCode::kNotFound, "名单类型未加载：" + l.list, "list type not loaded: " + l.list);
  std::vector<std::string> out;
  if (l.state != State::kInForce) out.push_back("名单记录不在列入中 / the listing is not in force");
  if (std::find(p->exits.begin(), p->exits.end(), kExitRepaired) == p->exits.end())
    out.push_back("“" + p->name_zh + "”不适用信用修复 / the " + p->name_en + " has no credit repair");
  const int months = p->repair_after_months > 0 ? p->repair_after_months : p->min_months;
  if (months > 0 && !PassedMonths(l.starts_on, months, today))
    out.push_back("列入未满 " + std::to_string(months) + " 个月 / fewer than " + std::to_string(months) +
                  " months since the start");
  if (!obligations_met) out.push_back("未确认已履行相关义务 / the obligations are not confirmed as met");
  if (records_ != nullptr && !l.starts_on.empty()) {
    // The penalty that caused the listing is on its start date or before; one after it is new.
    auto later = records_->CountSince(sql, l.uscc, config_.penalty_kind, (CivilDate::Parse(l.starts_on).value() + 1).ToString());
    if (!later.ok()) return later.status();
    if (later.value() > 0)
      out.push_back("列入后又受到同类行政处罚 " + std::to_string(later.value()) + " 次 / " + std::to_string(later.value()) +
                    " new penalties of the same kind since the start");
  }
  auto barred = sql.QueryInt(
      "SELECT COUNT(*) FROM lists_listings WHERE uscc = ? AND list = ? AND state = 'in_force' AND id <> ? AND starts_on > ?",
      {l.uscc, l.list, l.id, l.starts_on});
  if (!barred.ok()) return barred.status();
  if (barred.value() > 0) out.push_back("其后又被列入同一名单 / listed again on the same list since");
  return out;
}

Result<Repair> Remedies::ApplyRepair(UnitOfWork& uow, const std::string& target, const std::vector<Evidence>& evidence,
                                     const std::string& commitment, CivilDate today) {
  if (Status st = NotAfterToday(platform_, uow, today); !st.ok()) return st;
  auto t = ParseRemedyTarget(target);
  if (!t.ok()) return t.status();
  Repair r;
  std::string open_sql;
  if (t.value().is_record()) {
    auto rec = LoadRecordOf(uow.sql(), t.value(), today);
    if (!rec.ok()) return rec.status();
    if (!rec.value().public_now)
      return Status::Error(StatusCode::kFailedPrecondition, "信用记录 " + t.value().record_id() + " 不在公示中，无需修复",
                           "credit record " + t.value().record_id() + " is not in publicity; there is nothing to repair");
    r.record_id = t.value().record_id();
    r.uscc = rec.value().record.uscc;
    open_sql = "SELECT COUNT(*) FROM lists_repairs WHERE record_id = ? AND state = 'submitted'";
  } else {
    auto loaded = Listings::Load(uow.sql(), t.value().listing_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded.value()) return NotFound("名单记录", "listing", t.value().listing_id);
    const Listing& l = *loaded.value();
    if (l.state != State::kInForce)
      return Status::Error(StatusCode::kFailedPrecondition, "名单记录 " + l.id + " 不在列入中，无需修复",
                           "listing " + l.id + " is not in force; there is nothing to repair");
    r.listing_id = l.id;
    r.uscc = l.uscc;
    open_sql = "SELECT COUNT(*) FROM lists_repairs WHERE listing_id = ? AND state = 'submitted'";
  }
  const std::string what = r.record_id.empty() ? r.listing_id : r.record_id;
  auto open = uow.sql().QueryInt(open_sql, {what});
  if (!open.ok()) return open.status();
  if (open.value() > 0)
    return Status::Error(StatusCode::kAlreadyExists, what + " 已有待决定的修复申请",
                         what + " already has a repair application awaiting its decision");
  auto c = CleanFreeText("信用承诺", "the credit commitment", commitment, 4000, true);
  if (!c.ok()) return c.status();
  if (evidence.empty()) return Status::Error(StatusCode::kInvalidArgument, "须提交修复证明材料", "evidence of the correction is required");
  json ev = json::array();
  for (const Evidence& e : evidence) ev.push_back({{"kind", e.kind}, {"ref", e.ref}});
  auto cal = platform_.Calendar();
  if (!cal.ok()) return cal.status();
  auto due = cal.value()->AddWorkingDays(today, config_.repair_working_days);
  if (!due.ok()) return due.status();
  auto id = NextNumber(uow.sql(), "REP", today.year());
  if (!id.ok()) return id.status();
  r.id = id.value();
  r.submitted_on = today.ToString();
  r.submitted_by = uow.principal().id;
  r.evidence_json = ev.dump();
  r.commitment = c.value();
  r.due_on = due.value().ToString();
  r.state = "submitted";
  if (Status st = SaveRepair(uow, r, true); !st.ok()) return st;
  const std::string after = RepairJson(r);
  json event{{"id", r.id}, {"uscc", r.uscc}, {"due_on", r.due_on}};
  event[r.record_id.empty() ? "listing" : "record"] = what;
  if (Status st = Trail(uow, "lists.repair.submitted", "repair", r.id, "", after, event); !st.ok()) return st;
  return r;
}

Result<Repair> Remedies::DecideRepair(UnitOfWork& uow, const std::string& repair_id, bool approve, bool obligations_met,
                                      const std::string& reason, CivilDate today) {
  if (Status st = NotAfterToday(platform_, uow, today); !st.ok()) return st;
  auto loaded = LoadRepair(uow.sql(), repair_id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return NotFound("修复申请", "repair application", repair_id);
  Repair r = *loaded.value();
  const std::string before = RepairJson(r);
  if (r.state != "submitted")
    return Status::Error(StatusCode::kFailedPrecondition, "修复申请 " + r.id + " 已决定（" + r.state + "）",
                         "repair application " + r.id + " was decided already (" + r.state + ")");
  std::optional<Listing> listing;
  std::optional<credit::RecordState> record;
  RemedyTarget target;
  if (!r.record_id.empty()) {
    auto t = ParseRemedyTarget("record:" + r.record_id);
    if (!t.ok()) return t.status();
    target = t.value();
    auto rec = LoadRecordOf(uow.sql(), target, today);
    if (!rec.ok()) return rec.status();
    record = rec.value();
    if (Status st = MayDecideForSubject(uow.sql(), uow.principal(), r.uscc, "决定该修复申请", "decide this repair application");
        !st.ok())
      return st;
  } else {
    auto l = Listings::Load(uow.sql(), r.listing_id);
    if (!l.ok()) return l.status();
    if (!l.value()) return NotFound("名单记录", "listing", r.listing_id);
    listing = *l.value();
    if (!uow.principal().ActsFor(listing->department))
      return Status::Error(StatusCode::kPermissionDenied, "只有部门 " + listing->department + " 能决定该修复申请",
                           "only department " + listing->department + " decides this repair application");
  }
  json reasons = json::array();
  if (approve) {
    auto obstacles = record ? RecordRepairObstacles(uow.sql(), *record, obligations_met, today)
                            : RepairObstacles(uow.sql(), *listing, obligations_met, today);
    if (!obstacles.ok()) return obstacles.status();
    if (!obstacles.value().empty()) {
      std::string all;
      for (const auto& o : obstacles.value()) all += (all.empty() ? "" : "；") + o;
      return Status::Error(StatusCode::kFailedPrecondition, "不符合信用修复条件：" + all,
                           "the conditions of credit repair are not met: " + all);
    }
    reasons.push_back("符合修复条件 / the conditions are met");
  } else {
    auto why = CleanFreeText("不予修复的理由", "the reason of the refusal", reason, 2000, true);
    if (!why.ok()) return why.status();
    reasons.push_back(why.value());
  }
  r.obligations_met = obligations_met;
  r.state = approve ? "approved" : "refused";
  r.decided_by = uow.principal().id;
  r.decided_on = today.ToString();
  r.reasons_json = reasons.dump();
  if (Status st = SaveRepair(uow, r, false); !st.ok()) return st;
  if (approve && record) {
    if (Status st = records_->EndPublicity(uow, target.record_kind, target.record_ref, today.ToString(), "repaired"); !st.ok())
      return st;
  } else if (approve) {
    Listings listings(platform_);
    auto ended = listings.End(uow, listing->id, kExitRepaired, today, "信用修复 " + r.id + " / credit repair " + r.id);
    if (!ended.ok()) return ended.status();
  }
  json event{{"id", r.id}, {"uscc", r.uscc}, {"state", r.state}};
  if (record) {
    event["record"] = r.record_id;
  } else {
    event["listing"] = r.listing_id;
  }
  if (Status st = Trail(uow, approve ? "lists.repair.approved" : "lists.repair.refused", "repair", r.id, before,
                        RepairJson(r), event);
      !st.ok())
    return st;
  return r;
}

Result<Objection> Remedies::Object(UnitOfWork& uow, const std::string& target, const std::string& objector,
                                   const std::string& contact, const std::string& grounds, CivilDate today) {
  if (Status st = NotAfterToday(platform_, uow, today); !st.ok()) return st;
  auto t = ParseRemedyTarget(target);
  if (!t.ok()) return t.status();
  Objection o;
  bool disputed = false;
  if (t.value().is_record()) {
    // Only what is published can be objected to: a record in publicity.
    auto found = records_ == nullptr ? Result<std::optional<credit::RecordState>>(std::optional<credit::RecordState>())
                                     : records_->Find(uow.sql(), t.value().record_kind, t.value().record_ref,
                                                      today.ToString());
    if (!found.ok()) return found.status();
    if (!found.value() || !found.value()->public_now) return NotFound("公示中的信用记录", "published credit record", t.value().record_id());
    o.record_id = t.value().record_id();
    disputed = found.value()->disputed;
  } else {
    auto loaded = Listings::Load(uow.sql(), t.value().listing_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded.value()) return NotFound("名单记录", "listing", t.value().listing_id);
    const Listing& l = *loaded.value();
    const ListPolicy* p = platform_.FindListPolicy(l.list);
    // Only what is published can be objected to: a listing in force of a public list.
    if (l.state != State::kInForce || p == nullptr || !p->is_public || l.subject_type == "natural_person")
      return NotFound("公示中的名单记录", "published listing", t.value().listing_id);
    o.listing_id = l.id;
    disputed = l.disputed;
  }
  auto who = CleanFreeText("异议人", "the objector", objector, 200, true);
  if (!who.ok()) return who.status();
  auto how = CleanFreeText("联系方式", "the contact", contact, 200, false);
  if (!how.ok()) return how.status();
  auto why = CleanFreeText("异议理由", "the grounds", grounds, 4000, true);
  if (!why.ok()) return why.status();
  const std::string what = o.record_id.empty() ? o.listing_id : o.record_id;
  auto open = uow.sql().QueryInt(o.record_id.empty()
                                     ? "SELECT COUNT(*) FROM lists_objections WHERE listing_id = ? AND state = 'open'"
                                     : "SELECT COUNT(*) FROM lists_objections WHERE record_id = ? AND state = 'open'",
                                 {what});
  if (!open.ok()) return open.status();
  if (open.value() >= 20)
    return Status::Error(StatusCode::kFailedPrecondition, "该对象的待处理异议过多，请等待处理",
                         "too many open objections to this; wait for their decision");
  auto cal = platform_.Calendar();
  if (!cal.ok()) return cal.status();
  auto due = cal.value()->AddWorkingDays(today, config_.objection_working_days);
  if (!due.ok()) return due.status();
  auto id = NextNumber(uow.sql(), "OBJ", today.year());
  if (!id.ok()) return id.status();
  o.id = id.value();
  o.objector = who.value();
  o.contact = how.value();
  o.grounds = why.value();
  o.submitted_on = today.ToString();
  o.due_on = due.value().ToString();
  o.state = "open";
  if (Status st = SaveObjection(uow, o, true); !st.ok()) return st;
  if (!disputed) {
    if (o.record_id.empty()) {
      Listings listings(platform_);
      auto marked = listings.MarkDisputed(uow, o.listing_id, true, "异议 " + o.id + " / objection " + o.id, today);
      if (!marked.ok()) return marked.status();
    } else if (Status st = records_->SetDisputed(uow, t.value().record_kind, t.value().record_ref, true,
                                                 "异议 " + o.id + " / objection " + o.id);
               !st.ok()) {
      return st;
    }
  }
  json event{{"id", o.id}, {"due_on", o.due_on}};
  event[o.record_id.empty() ? "listing" : "record"] = what;
  if (Status st = Trail(uow, "lists.objection.submitted", "objection", o.id, "", ObjectionJson(o, true, today), event);
      !st.ok())
    return st;
  return o;
}

Result<Objection> Remedies::ExtendObjection(UnitOfWork& uow, const std::string& id, const std::string& reason,
                                            CivilDate today) {
  if (Status st = NotAfterToday(platform_, uow, today); !st.ok()) return st;
  auto loaded = LoadObjection(uow.sql(), id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return NotFound("异议", "objection", id);
  Objection o = *loaded.value();
  const std::string before = ObjectionJson(o, true, today);
  if (Status st = MayHandle(uow, o, today); !st.ok()) return st;
  if (o.state != "open") return Status::Error(StatusCode::kFailedPrecondition, "异议 " + o.id + " 已办结", "objection " + o.id + " is decided");
  if (o.extended)
    return Status::Error(StatusCode::kFailedPrecondition, "异议 " + o.id + " 已延期一次，不能再延期",
                         "objection " + o.id + " was extended once already; it cannot be extended again");
  if (today.ToString() > o.due_on)
    return Status::Error(StatusCode::kFailedPrecondition, "异议 " + o.id + " 已逾期（" + o.due_on + "），不能再延期",
                         "objection " + o.id + " is overdue (" + o.due_on + "); it can no longer be extended");
  auto why = CleanFreeText("延期理由", "the reason of the extension", reason, 2000, true);
  if (!why.ok()) return why.status();
  auto cal = platform_.Calendar();
  if (!cal.ok()) return cal.status();
  auto submitted = CivilDate::Parse(o.submitted_on);
  if (!submitted.ok()) return submitted.status();
  auto due = cal.value()->AddWorkingDays(submitted.value(), config_.objection_extended_working_days);
  if (!due.ok()) return due.status();
  o.extended = true;
  o.extension_reason = why.value();
  o.due_on = due.value().ToString();
  if (Status st = SaveObjection(uow, o, false); !st.ok()) return st;
  json event{{"id", o.id}, {"due_on", o.due_on}};
  event[o.record_id.empty() ? "listing" : "record"] = o.record_id.empty() ? o.listing_id : o.record_id;
  if (Status st = Trail(uow, "lists.objection.extended", "objection", o.id, before, ObjectionJson(o, true, today), event);
      !st.ok())
    return st;
  return o;
}

Status Remedies::MayHandle(UnitOfWork& uow, const Objection& o, CivilDate today) {
  if (!o.record_id.empty()) {
    auto t = ParseRemedyTarget("record:" + o.record_id);
    if (!t.ok()) return t.status();
    auto rec = LoadRecordOf(uow.sql(), t.value(), today);
    if (!rec.ok()) return rec.status();
    return MayDecideForSubject(uow.sql(), uow.principal(), rec.value().record.uscc, "处理该异议", "handle this objection");
  }
  auto listing = Listings::Load(uow.sql(), o.listing_id);
  if (!listing.ok()) return listing.status();
  if (!listing.value()) return NotFound("名单记录", "listing", o.listing_id);
  if (!uow.principal().ActsFor(listing.value()->department))
    return Status::Error(StatusCode::kPermissionDenied, "只有部门 " + listing.value()->department + " 能处理该异议",
                         "only department " + listing.value()->department + " handles this objection");
  return Status::Ok();
}

Result<Objection> Remedies::DecideObjection(UnitOfWork& uow, const std::string& id, const std::string& outcome,
                                            const std::string& decision, const std::string& corrected_reason,
                                            CivilDate today, const std::vector<std::string>& corrections) {
  if (Status st = NotAfterToday(platform_, uow, today); !st.ok()) return st;
  auto loaded = LoadObjection(uow.sql(), id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return NotFound("异议", "objection", id);
  Objection o = *loaded.value();
  const std::string before = ObjectionJson(o, true, today);
  if (o.state != "open") return Status::Error(StatusCode::kFailedPrecondition, "异议 " + o.id + " 已办结", "objection " + o.id + " is decided");
  if (outcome != "keep" && outcome != "correct" && outcome != "stop_disclosure" && outcome != "remove")
    return Status::Error(StatusCode::kInvalidArgument, "处理结果须为 keep、correct、stop_disclosure 或 remove",
                         "the outcome must be keep, correct, stop_disclosure or remove");
  if (Status st = MayHandle(uow, o, today); !st.ok()) return st;
  auto text = CleanFreeText("处理意见", "the decision", decision, 4000, true);
  if (!text.ok()) return text.status();
  if (!o.record_id.empty()) {
    if (!corrected_reason.empty())
      return Status::Error(StatusCode::kInvalidArgument, "信用记录的更正用 --correct 字段=值，不用 --corrected-reason",
                           "a record is corrected with --correct FIELD=VALUE, not --corrected-reason");
    if (outcome != "correct" && !corrections.empty())
      return Status::Error(StatusCode::kInvalidArgument, "只有处理结果为 correct 时才能给出 --correct",
                           "--correct goes with the outcome correct only");
    if (Status st = DecideRecordObjection(uow, o, outcome, text.value(), corrections, today); !st.ok()) return st;
  } else {
    if (!corrections.empty())
      return Status::Error(StatusCode::kInvalidArgument, "名单记录的更正用 --corrected-reason",
                           "a listing is corrected with --corrected-reason");
    auto listing = Listings::Load(uow.sql(), o.listing_id);
    if (!listing.ok()) return listing.status();
    if (!listing.value()) return NotFound("名单记录", "listing", o.listing_id);
    const Listing l = *listing.value();
    Listings listings(platform_);
    if (outcome == "correct") {
      if (corrected_reason.empty())
        return Status::Error(StatusCode::kInvalidArgument, "更正须给出更正后的理由（--corrected-reason）",
                             "a correction needs the corrected reason (--corrected-reason)");
      auto c = listings.CorrectReason(uow, l.id, corrected_reason, today);
      if (!c.ok()) return c.status();
    }
    if (outcome == "remove" && l.state == State::kInForce) {
      const ListPolicy* p = platform_.FindListPolicy(l.list);
      const bool has_objection = p != nullptr && std::find(p->exits.begin(), p->exits.end(), kExitObjection) != p->exits.end();
      auto e = listings.End(uow, l.id, has_objection ? kExitObjection : kExitRevoked, today,
                            "异议 " + o.id + " 成立：" + text.value() + " / objection " + o.id + " upheld");
      if (!e.ok()) return e.status();
    }
  }
  o.state = "decided";
  o.outcome = outcome;
  o.decision = text.value();
  o.decided_by = uow.principal().id;
  o.decided_on = today.ToString();
  if (Status st = SaveObjection(uow, o, false); !st.ok()) return st;
  if (Status st = UndisputeIfLast(uow, o, "异议 " + o.id + " 办结：" + outcome + " / objection decided", today); !st.ok())
    return st;
  json event{{"id", o.id}, {"outcome", outcome}, {"in_time", o.decided_on <= o.due_on}};
  event[o.record_id.empty() ? "listing" : "record"] = o.record_id.empty() ? o.listing_id : o.record_id;
  if (Status st = Trail(uow, "lists.objection.decided", "objection", o.id, before, ObjectionJson(o, true, today), event);
      !st.ok())
    return st;
  return o;
}

// The record's side of a decision: correct rewrites the given fields (the credit plugin checks
// them and rescores), stop_disclosure ends its publicity, remove withdraws it.
Status Remedies::DecideRecordObjection(UnitOfWork& uow, const Objection& o, const std::string& outcome,
                                       const std::string& decision, const std::vector<std::string>& corrections,
                                       CivilDate today) {
  auto t = ParseRemedyTarget("record:" + o.record_id);
  if (!t.ok()) return t.status();
  auto rec = LoadRecordOf(uow.sql(), t.value(), today);
  if (!rec.ok()) return rec.status();
  const credit::RecordState& r = rec.value();
  if (outcome == "correct") {
    if (corrections.empty())
      return Status::Error(StatusCode::kInvalidArgument, "更正须给出更正的字段（--correct 字段=值）",
                           "a correction needs the corrected fields (--correct FIELD=VALUE)");
    if (corrections.size() > 8) return Status::Error(StatusCode::kInvalidArgument, "更正的字段过多", "too many corrections");
    credit::RecordSpec spec = r.record;
    spec.source = "objection:" + o.id;
    std::set<std::string> seen;
    for (const std::string& c : corrections) {
      const auto eq = c.find('=');
      const std::string field = eq == std::string::npos ? c : c.substr(0, eq);
      const std::string value = eq == std::string::npos ? std::string() : c.substr(eq + 1);
      std::string* slot = field == "category"      ? &spec.category
                          : field == "severity"    ? &spec.severity
                          : field == "occurred_on" ? &spec.occurred_on
                          : field == "value"       ? &spec.value
                          : field == "authority"   ? &spec.authority
                          : field == "basis"       ? &spec.basis
                          : field == "title"       ? &spec.title
                                                   : nullptr;
      if (eq == std::string::npos || slot == nullptr)
        return Status::Error(StatusCode::kInvalidArgument,
                             "更正须写作 字段=值，字段为 category、severity、occurred_on、value、authority、basis 或 title，实际为 “" +
                                 c.substr(0, 60) + "”",
                             "a correction is FIELD=VALUE with FIELD one of category, severity, occurred_on, value, "
                             "authority, basis, title; got '" + c.substr(0, 60) + "'");
      if (!seen.insert(field).second)
        return Status::Error(StatusCode::kInvalidArgument, "字段 " + field + " 更正了两次", "the field " + field + " is corrected twice");
      *slot = value;
    }
    // A new category brings its own severity unless one is given.
    if (seen.count("category") && !seen.count("severity")) spec.severity.clear();
    return records_->Record(uow, spec);
  }
  if (outcome == "stop_disclosure" && r.public_now)
    return records_->EndPublicity(uow, t.value().record_kind, t.value().record_ref, today.ToString(), "stop_disclosure");
  if (outcome == "remove" && r.withdrawn_on.empty())
    return records_->Withdraw(uow, t.value().record_kind, t.value().record_ref, today.ToString(),
                              "异议 " + o.id + " 成立：" + decision.substr(0, 300) + " / objection " + o.id + " upheld");
  return Status::Ok();
}

// The mark goes when no other objection to the same listing or record stays open.
Status Remedies::UndisputeIfLast(UnitOfWork& uow, const Objection& o, const std::string& why, CivilDate today) {
  const bool record = !o.record_id.empty();
  auto others = uow.sql().QueryInt(record ? "SELECT COUNT(*) FROM lists_objections WHERE record_id = ? AND state = 'open'"
                                          : "SELECT COUNT(*) FROM lists_objections WHERE listing_id = ? AND state = 'open'",
                                   {record ? o.record_id : o.listing_id});
  if (!others.ok()) return others.status();
  if (others.value() > 0) return Status::Ok();
  if (record) {
    auto t = ParseRemedyTarget("record:" + o.record_id);
    if (!t.ok()) return t.status();
    return records_->SetDisputed(uow, t.value().record_kind, t.value().record_ref, false, why);
  }
  auto now = Listings::Load(uow.sql(), o.listing_id);
  if (!now.ok()) return now.status();
  if (now.value() && now.value()->disputed) {
    Listings listings(platform_);
    auto m = listings.MarkDisputed(uow, o.listing_id, false, why, today);
    if (!m.ok()) return m.status();
  }
  return Status::Ok();
}

// ---- Commands -----------------------------------------------------------------------------------

Status RegisterRemedyCommands(Registrar& reg, const RemedyConfig& config, credit::RecordsService* records) {
  using K = OptionKind;
  auto run = [config, records](CommandContext& ctx, const std::string& date_opt,
                               const std::function<Result<std::string>(UnitOfWork&, Remedies&, CivilDate)>& fn) -> Status {
    Remedies remedies(ctx.platform(), config, records);
    Result<CivilDate> today = Today(ctx.platform());
    if (!date_opt.empty() && ctx.args().Has(date_opt) && !ctx.args().Text(date_opt).empty())
      today = CivilDate::Parse(ctx.args().Text(date_opt));
    if (!today.ok()) return today.status();
    auto out = TransactValue<std::string>(ctx.platform(), ctx.principal(),
                                          [&](UnitOfWork& uow) { return fn(uow, remedies, today.value()); });
    if (!out.ok()) return out.status();
    if (ctx.json()) {
      ctx.out() << out.value() << "\n";
    } else {
      json j = json::parse(out.value());
      ctx.out() << j.value("id", std::string()) << "\t" << j.value("state", std::string()) << "\t"
                << j.value("due_on", std::string()) << "\t" << j.value("outcome", std::string()) << "\n";
    }
    return Status::Ok();
  };
  struct Spec {
    std::vector<std::string> path;
    std::string help;
    std::vector<CommandOption> options;
    std::vector<std::pair<std::string, std::string>> excludes;
    std::function<Status(CommandContext&)> fn;
  };
  std::vector<Spec> specs;
  specs.push_back({{"lists", "repair", "apply"},
                   "申请信用修复（提交证明材料和信用承诺） / apply for credit repair (evidence and a credit commitment)",
                   {{"target", "名单记录编号，或 record:种类/编号 / a listing's id, or record:KIND/REF", K::kText, true},
                    {"--evidence", "证明材料（document:…、record:…） / evidence", K::kTexts, true},
                    {"--commitment", "信用承诺 / the credit commitment", K::kText, true},
                    {"--on", "申请日期（默认今天） / the date (default today)", K::kText}},
                   {},
                   [run](CommandContext& ctx) -> Status {
                     std::vector<Evidence> ev;
                     for (const std::string& e : ctx.args().Texts("--evidence")) {
                       auto x = ParseEvidence(e);
                       if (!x.ok()) return x.status();
                       ev.push_back(x.value());
                     }
                     return run(ctx, "--on", [&](UnitOfWork& uow, Remedies& r, CivilDate today) -> Result<std::string> {
                       auto x = r.ApplyRepair(uow, ctx.args().Text("target"), ev, ctx.args().Text("--commitment"), today);
                       if (!x.ok()) return x.status();
                       return RepairJson(x.value());
                     });
                   }});
  specs.push_back({{"lists", "repair", "decide"},
                   "决定信用修复申请（核查条件） / decide a repair application (the conditions are checked)",
                   {{"id", "修复申请编号 / the application's id", K::kText, true},
                    {"--approve", "准予修复 / approve", K::kFlag},
                    {"--refuse", "不予修复 / refuse", K::kFlag},
                    {"--obligations-met", "确认已履行相关义务 / confirm the obligations are met", K::kFlag},
                    {"--reason", "不予修复的理由 / the reason of a refusal", K::kText},
                    {"--on", "决定日期（默认今天） / the date (default today)", K::kText}},
                   {{"--approve", "--refuse"}},
                   [run](CommandContext& ctx) -> Status {
                     if (!ctx.args().Flag("--approve") && !ctx.args().Flag("--refuse")) {
                       ctx.SetExitCode(2);
                       return Status::Error(StatusCode::kInvalidArgument, "须给出 --approve 或 --refuse", "give --approve or --refuse");
                     }
                     return run(ctx, "--on", [&](UnitOfWork& uow, Remedies& r, CivilDate today) -> Result<std::string> {
                       auto x = r.DecideRepair(uow, ctx.args().Text("id"), ctx.args().Flag("--approve"),
                                               ctx.args().Flag("--obligations-met"), ctx.args().Text("--reason"), today);
                       if (!x.ok()) return x.status();
                       return RepairJson(x.value());
                     });
                   }});
  specs.push_back({{"lists", "objection", "submit"},
                   "登记对名单记录或信用记录的异议（即时标注“异议处理中”） / register an objection to a listing or a record (marked disputed at once)",
                   {{"target", "名单记录编号，或 record:种类/编号 / a listing's id, or record:KIND/REF", K::kText, true},
                    {"--objector", "异议人 / who objects", K::kText, true},
                    {"--contact", "联系方式 / contact", K::kText},
                    {"--grounds", "异议理由 / the grounds", K::kText, true},
                    {"--on", "提出日期（默认今天） / the date (default today)", K::kText}},
                   {},
                   [run](CommandContext& ctx) -> Status {
                     return run(ctx, "--on", [&](UnitOfWork& uow, Remedies& r, CivilDate today) -> Result<std::string> {
                       auto x = r.Object(uow, ctx.args().Text("target"), ctx.args().Text("--objector"),
                                         ctx.args().Text("--contact"), ctx.args().Text("--grounds"), today);
                       if (!x.ok()) return x.status();
                       return ObjectionJson(x.value(), true, today);
                     });
                   }});
  specs.push_back({{"lists", "objection", "extend"},
                   "异议处理延期一次（至 20 个工作日） / extend an objection's deadline once (to 20 working days)",
                   {{"id", "异议编号 / the objection's id", K::kText, true},
                    {"--reason", "延期理由 / the reason", K::kText, true},
                    {"--on", "日期（默认今天） / the date (default today)", K::kText}},
                   {},
                   [run](CommandContext& ctx) -> Status {
                     return run(ctx, "--on", [&](UnitOfWork& uow, Remedies& r, CivilDate today) -> Result<std::string> {
                       auto x = r.ExtendObjection(uow, ctx.args().Text("id"), ctx.args().Text("--reason"), today);
                       if (!x.ok()) return x.status();
                       return ObjectionJson(x.value(), true, today);
                     });
                   }});
  specs.push_back({{"lists", "objection", "decide"},
                   "异议处理决定：维持、更正、停止公示或撤销 / decide an objection: keep, correct, stop disclosure, remove",
                   {{"id", "异议编号 / the objection's id", K::kText, true},
                    {"--outcome", "处理结果 / the outcome", K::kText, true, "", {"keep", "correct", "stop_disclosure", "remove"}},
                    {"--decision", "处理意见 / the decision", K::kText, true},
                    {"--corrected-reason", "更正后的列入理由（名单记录） / the corrected reason (a listing)", K::kText},
                    {"--correct", "更正信用记录的字段：字段=值（可多次） / a record's corrected field: FIELD=VALUE (repeatable)", K::kTexts},
                    {"--on", "日期（默认今天） / the date (default today)", K::kText}},
                   {},
                   [run](CommandContext& ctx) -> Status {
                     return run(ctx, "--on", [&](UnitOfWork& uow, Remedies& r, CivilDate today) -> Result<std::string> {
                       auto x = r.DecideObjection(uow, ctx.args().Text("id"), ctx.args().Text("--outcome"),
                                                  ctx.args().Text("--decision"), ctx.args().Text("--corrected-reason"), today,
                                                  ctx.args().Texts("--correct"));
                       if (!x.ok()) return x.status();
                       return ObjectionJson(x.value(), true, today);
                     });
                   }});
  specs.push_back({{"lists", "objection", "list"},
                   "异议及其期限（黄牌、红牌） / objections and their deadlines (yellow and red cards)",
                   {{"--state", "状态 / state", K::kText, false, "open", {"open", "decided"}}},
                   {},
                   [records](CommandContext& ctx) -> Status {
                     auto today = Today(ctx.platform());
                     if (!today.ok()) return today.status();
                     std::vector<Objection> rows;
                     std::vector<bool> visible;
                     Status st = ctx.platform().Read([&](Sql& sql) {
                       std::vector<std::string> departments, usccs;
                       // A listing's department decides; for a record, a department whose
                       // jurisdiction holds its subject (read through the records service).
                       Status q = sql.Query(std::string("SELECT ") + kObjectionColumnsO +
                                                ", COALESCE(l.department, '') FROM lists_objections o "
                                                "LEFT JOIN lists_listings l ON l.id = o.listing_id "
                                                "WHERE o.state = ? ORDER BY o.due_on, o.id",
                                            {ctx.args().Text("--state")}, [&](const SqlRow& r) {
                                              rows.push_back(ObjectionOfRow(r));
                                              departments.push_back(r.Text(15));
                                              return true;
                                            });
                       if (!q.ok()) return q;
                       for (std::size_t i = 0; i < rows.size(); ++i) {
                         if (rows[i].record_id.empty()) {
                           visible.push_back(ctx.principal().ActsFor(departments[i]));
                           continue;
                         }
                         if (ctx.principal().ActsForAllDepartments()) {
                           visible.push_back(true);
                           continue;
                         }
                         auto t = ParseRemedyTarget("record:" + rows[i].record_id);
                         std::string uscc;
                         if (t.ok() && records != nullptr) {
                           auto rec = records->Find(sql, t.value().record_kind, t.value().record_ref, today.value().ToString());
                           if (!rec.ok()) return rec.status();
                           if (rec.value()) uscc = rec.value()->record.uscc;
                         }
                         bool may = false;
                         if (!uscc.empty() && ctx.principal().HasRole(kRoleSupervisor) && !ctx.principal().department.empty()) {
                           auto holds = DepartmentHoldsSubject(sql, ctx.principal().department, uscc);
                           if (!holds.ok()) return holds.status();
                           may = holds.value();
                         }
                         visible.push_back(may);
                       }
                       return Status::Ok();
                     });
                     if (!st.ok()) return st;
                     json out = json::array();
                     if (!ctx.json()) PrintTableHeader(ctx.out(), {"编号/id", "对象/target", "期限/due", "牌/card", "结果/outcome"});
                     std::size_t shown = 0;
                     for (std::size_t i = 0; i < rows.size(); ++i) {
                       if (!visible[i]) continue;
                       ++shown;
                       const Objection& o = rows[i];
                       if (ctx.json()) {
                         out.push_back(json::parse(ObjectionJson(o, true, today.value())));
                         continue;
                       }
                       ctx.out() << o.id << "\t" << (o.record_id.empty() ? o.listing_id : "record:" + o.record_id) << "\t" << o.due_on << "\t"
                                 << CardOf(o.due_on, o.state == "open" ? "open" : "", today.value()) << "\t" << o.outcome << "\n";
                     }
                     if (ctx.json()) ctx.out() << out.dump(1) << "\n";
                     NoteListed(ctx, shown, shown, !ctx.json());
                     return Status::Ok();
                   }});
  for (Spec& s : specs) {
    CommandSpec c;
    c.path = s.path;
    c.help = s.help;
    c.options = s.options;
    c.excludes = s.excludes;
    if (Status st = reg.AddCommand(c, s.fn); !st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace xj::lists
