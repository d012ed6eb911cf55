// See listings.h.
#include "listings.h"
#include "remedies.h"

#include <xinjian/digest.h>
#include <xinjian/directory.h>
#include <xinjian/opendata.h>
#include <xinjian/text.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

// GCC 12 reports copies of SqlValue (a std::variant) out of long initializer lists as maybe
// uninitialized: a false positive (GCC bug 105562 and kin).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::lists {

extern const std::string_view kTypesJson;  // data/types.json, compiled in

namespace {

using nlohmann::json;

Status Invalid(const std::string& zh, const std::string& en) { return Status::Error(StatusCode::kInvalidArgument, zh, en); }
Status Precondition(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kFailedPrecondition, zh, en);
}

// Free text of a listing (reason, notes, decision number): trimmed, no control characters,
// bounded.
Result<std::string> CleanText(const std::string& field_zh, const std::string& field_en, const std::string& text,
                              std::size_t max_chars, bool required) {
  std::string t = text;
  while (!t.empty() && (t.back() == ' ' || t.back() == '\n' || t.back() == '\t' || t.back() == '\r')) t.pop_back();
  std::size_t b = 0;
  while (b < t.size() && (t[b] == ' ' || t[b] == '\n' || t[b] == '\t' || t[b] == '\r')) ++b;
  t = t.substr(b);
  if (required && t.empty()) return Invalid("缺少" + field_zh, field_en + " is required");
  if (!utf8::IsValid(t)) return Invalid(field_zh + "不是有效的 UTF-8 文本", field_en + " is not valid UTF-8");
  for (unsigned char c : t)
    if (c < 0x20 || c == 0x7f)
      return Invalid(field_zh + "含有控制字符", field_en + " contains control characters");
  if (utf8::CodePointCount(t) > max_chars)
    return Invalid(field_zh + "超过 " + std::to_string(max_chars) + " 个字符",
                   field_en + " is longer than " + std::to_string(max_chars) + " characters");
  return t;
}

}  // namespace

Result<std::string> CleanFreeText(const std::string& field_zh, const std::string& field_en, const std::string& text,
                                  std::size_t max_chars, bool required) {
  return CleanText(field_zh, field_en, text, max_chars, required);
}

const char* const kListingColumns =
    "id, list, uscc, subject_name, subject_type, ground, reason, evidence, department, state, source, source_ref, "
    "proposed_by, proposed_on, due_on, reviewed_by, reviewed_on, review_note, decided_by, decided_on, decision_no, "
    "starts_on, expires_on, correction_on, correction_due, notice_on, ended_on, end_reason, end_note, ended_by, "
    "moved_from, moved_to, disputed";

Listing ListingOfRow(const SqlRow& r) {
  Listing l;
  int i = 0;
  for (std::string* f : {&l.id, &l.list, &l.uscc, &l.subject_name, &l.subject_type, &l.ground, &l.reason,
                         &l.evidence_json, &l.department})
    *f = r.Text(i++);
  l.state = ParseState(r.Text(i++)).value_or(State::kProposed);
  for (std::string* f : {&l.source, &l.source_ref, &l.proposed_by, &l.proposed_on, &l.due_on, &l.reviewed_by,
                         &l.reviewed_on, &l.review_note, &l.decided_by, &l.decided_on, &l.decision_no, &l.starts_on,
                         &l.expires_on, &l.correction_on, &l.correction_due, &l.notice_on, &l.ended_on, &l.end_reason,
                         &l.end_note, &l.ended_by, &l.moved_from, &l.moved_to})
    *f = r.Text(i++);
  l.disputed = r.Bool(i);
  return l;
}

std::string MaskIdentifier(const std::string& id) {
  if (id.size() <= 5) return std::string(id.size(), '*');
  return id.substr(0, 3) + std::string(id.size() - 5, '*') + id.substr(id.size() - 2);
}

// ---- Policies ----------------------------------------------------------------------------------

Result<std::vector<ListPolicy>> ParsePolicies(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("types") || !doc["types"].is_array())
    return Invalid("名单类型文件须为含 types 数组的 JSON 对象", "a list types file is a JSON object with a 'types' array");
  std::vector<ListPolicy> out;
  for (const json& t : doc["types"]) {
    if (!t.is_object()) return Invalid("名单类型须为对象", "a list type must be an object");
    ListPolicy p;
    try {
      p.code = t.at("code").get<std::string>();
      p.name_zh = t.at("name_zh").get<std::string>();
      p.name_en = t.at("name_en").get<std::string>();
      const std::string kind = t.at("kind").get<std::string>();
      if (kind == "red") p.kind = ListKind::kRed;
      else if (kind == "black") p.kind = ListKind::kBlack;
      else if (kind == "abnormal") p.kind = ListKind::kAbnormal;
      else return Invalid("名单类型 " + p.code + " 的性质须为 red、black 或 abnormal", "list type " + p.code + ": kind must be red, black or abnormal");
      p.subject_types = t.value("subject_types", std::vector<std::string>{});
      for (const json& g : t.at("grounds"))
        p.grounds.push_back({g.at("code").get<std::string>(), g.at("zh").get<std::string>(), g.at("en").get<std::string>(),
                             g.at("legal_basis").get<std::string>()});
      p.legal_basis = t.at("legal_basis").get<std::string>();
      p.authority_zh = t.at("authority_zh").get<std::string>();
      p.authority_en = t.at("authority_en").get<std::string>();
      p.min_months = t.value("min_months", 0);
      p.max_months = t.value("max_months", 0);
      p.validity_by_decision = t.value("validity_by_decision", false);
      p.exits = t.value("exits", std::vector<std::string>{});
      p.correction_working_days = t.value("correction_working_days", 0);
      p.repair_after_months = t.value("repair_after_months", 0);
      p.move_to = t.value("move_to", std::string());
      p.move_after_months = t.value("move_after_months", 0);
      p.move_notice_days = t.value("move_notice_days", 0);
      p.is_public = t.value("is_public", true);
      p.ended_public_months = t.value("ended_public_months", 0);
      p.source = t.value("source", std::string("decision"));
    } catch (const json::exception& e) {
      return Invalid("名单类型 " + p.code + " 的字段缺失或类型错误：" + e.what(),
                     "list type " + p.code + ": a field is missing or of the wrong type: " + e.what());
    }
    if (Status st = CheckListPolicy(p); !st.ok()) return st;
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<ListPolicy>> ShippedPolicies() { return ParsePolicies(std::string(kTypesJson)); }

Result<Evidence> ParseEvidence(const std::string& text) {
  const auto colon = text.find(':');
  Evidence e;
  if (colon != std::string::npos) {
    e.kind = text.substr(0, colon);
    e.ref = text.substr(colon + 1);
  }
  bool shaped = true;
  if (e.kind == "record" || e.kind == "result") {
    // KIND/REF (a record's ref may hold '/': an inspection finding's is VISIT/ITEM), VISIT/ITEM.
    const auto slash = e.ref.find('/');
    shaped = slash != std::string::npos && slash > 0 && slash + 1 < e.ref.size() &&
             (e.kind == "record" || e.ref.find('/', slash + 1) == std::string::npos);
  }
  if ((e.kind != "record" && e.kind != "result" && e.kind != "document") || e.ref.empty() || e.ref.size() > 400 ||
      !utf8::IsValid(e.ref) || !shaped)
    return Invalid("证据须写作 record:种类/编号、result:检查记录/事项 或 document:文书，实际为 “" + text.substr(0, 60) + "”",
                   "evidence is record:KIND/REF, result:VISIT/ITEM or document:TEXT, got '" + text.substr(0, 60) + "'");
  for (unsigned char c : e.ref)
    if (c < 0x20 || c == 0x7f) return Invalid("证据含有控制字符", "evidence contains control characters");
  return e;
}

// ---- JSON and digests -------------------------------------------------------------------------

std::string ListingJson(const Listing& l, const ListPolicy* p, bool full) {
  const bool person = l.subject_type == "natural_person";
  json j{{"id", l.id},
         {"list", l.list},
         {"list_name", p ? json{{"zh", p->name_zh}, {"en", p->name_en}} : json(nullptr)},
         {"uscc", person ? MaskIdentifier(l.uscc) : l.uscc},
         {"subject_name", person && !full ? std::string("（自然人）") : l.subject_name},
         {"subject_type", l.subject_type},
         {"ground", l.ground},
         {"reason", full ? l.reason : opendata::MaskPersonalNumbers(l.reason)},
         {"state", StateName(l.state)},
         {"decision_no", l.decision_no},
         {"starts_on", l.starts_on},
         {"expires_on", l.expires_on},
         {"ended_on", l.ended_on},
         {"end_reason", l.end_reason},
         {"disputed", l.disputed}};
  if (p != nullptr) {
    for (const auto& g : p->grounds)
      if (g.code == l.ground) j["ground_text"] = {{"zh", g.zh}, {"en", g.en}, {"legal_basis", g.legal_basis}};
    j["legal_basis"] = p->legal_basis;
    j["authority"] = {{"zh", p->authority_zh}, {"en", p->authority_en}};
  }
  if (!l.moved_from.empty()) j["moved_from"] = l.moved_from;
  if (!l.moved_to.empty()) j["moved_to"] = l.moved_to;
  if (full) {
    j["department"] = l.department;
    j["evidence"] = json::parse(l.evidence_json, nullptr, false);
    j["source"] = l.source;
    j["source_ref"] = l.source_ref;
    j["proposed_by"] = l.proposed_by;
    j["proposed_on"] = l.proposed_on;
    j["due_on"] = l.due_on;
    j["reviewed_by"] = l.reviewed_by;
    j["reviewed_on"] = l.reviewed_on;
    j["review_note"] = l.review_note;
    j["decided_by"] = l.decided_by;
    j["decided_on"] = l.decided_on;
    j["correction_on"] = l.correction_on;
    j["correction_due"] = l.correction_due;
    j["notice_on"] = l.notice_on;
    j["end_note"] = l.end_note;
    j["ended_by"] = l.ended_by;
  }
  return j.dump();
}

std::string ListingDigest(const Listing& l) {
  json j = json::parse(ListingJson(l, nullptr, true));
  return digest::Sha256Hex(j.dump());
}

// ---- Reads ------------------------------------------------------------------------------------

Result<std::optional<Listing>> Listings::Load(Sql& sql, const std::string& id) {
  std::optional<Listing> out;
  Status st = sql.Query(std::string("SELECT ") + kListingColumns + " FROM lists_listings WHERE id = ?", {id},
                        [&](const SqlRow& r) {
                          out = ListingOfRow(r);
                          return false;
                        });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<Listings::Transition>> Listings::History(Sql& sql, const std::string& id) {
  std::vector<Transition> out;
  Status st = sql.Query(
      "SELECT seq, at_us, on_date, actor, action, from_state, to_state, note FROM lists_transitions WHERE listing_id = ? "
      "ORDER BY seq",
      {id}, [&](const SqlRow& r) {
        out.push_back({static_cast<int>(r.Int(0)), r.Int(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7)});
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Result<const ListPolicy*> Listings::RequirePolicy(const std::string& code) const {
  const ListPolicy* p = platform_.FindListPolicy(code);
  if (p == nullptr) {
    std::string names;
    for (const auto& n : platform_.ListPolicyNames()) names += (names.empty() ? "" : ", ") + n;
    return Status::Error(StatusCode::kNotFound, "没有名单类型 “" + code.substr(0, 60) + "”（已有：" + names + "）",
                         "no list type '" + code.substr(0, 60) + "' (loaded: " + names + ")");
  }
  return p;
}

// ---- Writes -----------------------------------------------------------------------------------

Result<std::string> NextNumber(Sql& sql, const std::string& series, int year) {
  auto n = sql.Exec("UPDATE lists_counters SET next = next + 1 WHERE series = ? AND year = ?", {series, year});
  if (!n.ok()) return n.status();
  if (n.value() == 0) {
    auto ins = sql.Exec("INSERT INTO lists_counters (series, year, next) VALUES (?, ?, 2)", {series, year});
    if (!ins.ok()) return ins.status();
  }
  auto v = sql.QueryInt("SELECT next - 1 FROM lists_counters WHERE series = ? AND year = ?", {series, year});
  if (!v.ok()) return v.status();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s-%04d-%06lld", series.c_str(), year, static_cast<long long>(v.value()));
  return std::string(buf);
}

Result<std::string> Listings::NextId(Sql& sql, int year) { return NextNumber(sql, "LST", year); }

Status Listings::SyncSubject(UnitOfWork& uow, const std::string& uscc) {
  auto in_dir = uow.sql().QueryText("SELECT uscc FROM subjects WHERE uscc = ?", {uscc});
  if (!in_dir.ok()) return in_dir.status();
  if (!in_dir.value()) return Status::Ok();  // not in the directory (a natural person, an outside subject)
  std::vector<std::string> codes;
  Status st = uow.sql().Query("SELECT DISTINCT list FROM lists_listings WHERE uscc = ? AND state = 'in_force'", {uscc},
                              [&](const SqlRow& r) {
                                codes.push_back(r.Text(0));
                                return true;
                              });
  if (!st.ok()) return st;
  auto n = platform_.SetListings(uow, {{uscc, codes}});
  return n.ok() ? Status::Ok() : n.status();
}

Result<Listing> Listings::Write(UnitOfWork& uow, Listing& l, const std::string& action, State from,
                                const std::string& note, const std::optional<Listing>& before, CivilDate today,
                                bool sync_subject) {
  const ListPolicy* p = platform_.FindListPolicy(l.list);
  if (p != nullptr) {
    const std::string problem = InvariantProblem(*p, l);
    if (!problem.empty())
      return Status::Error(StatusCode::kInternal, "名单记录 " + l.id + " 违反不变式：" + problem,
                           "listing " + l.id + " breaks the invariant: " + problem);
  }
  Sql& sql = uow.sql();
  const std::int64_t now = uow.now_us();
  const SqlParams values{l.id, l.list, l.uscc, l.subject_name, l.subject_type, l.ground, l.reason, l.evidence_json,
                         l.department, StateName(l.state), l.source, l.source_ref, l.proposed_by, l.proposed_on, l.due_on,
                         l.reviewed_by, l.reviewed_on, l.review_note, l.decided_by, l.decided_on, l.decision_no,
                         l.starts_on, l.expires_on, l.correction_on, l.correction_due, l.notice_on, l.ended_on,
                         l.end_reason, l.end_note, l.ended_by, l.moved_from, l.moved_to, l.disputed ? 1 : 0, now};
  if (!before) {
    auto n = sql.Exec(std::string("INSERT INTO lists_listings (") + kListingColumns +
                          ", updated_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      values);
    if (!n.ok()) return n.status();
  } else {
    SqlParams upd(values.begin() + 1, values.end());
    upd.push_back(l.id);
    auto n = sql.Exec(
        "UPDATE lists_listings SET list = ?, uscc = ?, subject_name = ?, subject_type = ?, ground = ?, reason = ?, "
        "evidence = ?, department = ?, state = ?, source = ?, source_ref = ?, proposed_by = ?, proposed_on = ?, due_on = ?, "
        "reviewed_by = ?, reviewed_on = ?, review_note = ?, decided_by = ?, decided_on = ?, decision_no = ?, starts_on = ?, "
        "expires_on = ?, correction_on = ?, correction_due = ?, notice_on = ?, ended_on = ?, end_reason = ?, end_note = ?, "
        "ended_by = ?, moved_from = ?, moved_to = ?, disputed = ?, updated_at_us = ? WHERE id = ?",
        upd);
    if (!n.ok()) return n.status();
  }
  auto seq = sql.QueryInt("SELECT COALESCE(MAX(seq), 0) + 1 FROM lists_transitions WHERE listing_id = ?", {l.id});
  if (!seq.ok()) return seq.status();
  auto t = sql.Exec(
      "INSERT INTO lists_transitions (listing_id, seq, at_us, on_date, actor, action, from_state, to_state, note) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {l.id, seq.value(), now, today.ToString(), uow.principal().id, action, before ? StateName(from) : "",
       StateName(l.state), note});
  if (!t.ok()) return t.status();
  if (Status st = uow.Audit({"lists.listing." + action, "listing", l.id, before ? ListingDigest(*before) : "",
                             ListingDigest(l)});
      !st.ok())
    return st;
  json ev{{"id", l.id},       {"list", l.list},         {"uscc", l.uscc},           {"state", StateName(l.state)},
          {"on", today.ToString()}, {"department", l.department}, {"subject_type", l.subject_type}};
  if (l.state == State::kInForce) {
    ev["starts_on"] = l.starts_on;
    ev["expires_on"] = l.expires_on;
  }
  if (l.state == State::kEnded) {
    ev["ended_on"] = l.ended_on;
    ev["end_reason"] = l.end_reason;
  }
  if (p != nullptr) ev["kind"] = ListKindName(p->kind);
  if (Status st = uow.Publish("lists.listing." + action, l.id, ev.dump()); !st.ok()) return st;
  if (sync_subject)
    if (Status st = SyncSubject(uow, l.uscc); !st.ok()) return st;
  return l;
}

namespace {
// A listing comes into force only for a period that includes today: not starting later (it
// would be listed before its start) and not already over (it would be listed after its end).
Status CheckPeriod(CivilDate starts, const std::string& expires_on, CivilDate today) {
  if (starts > today)
    return Invalid("列入日期 " + starts.ToString() + " 晚于今天（" + today.ToString() + "）",
                   "the start " + starts.ToString() + " is after today (" + today.ToString() + ")");
  if (!expires_on.empty() && expires_on <= today.ToString())
    return Invalid("期限已于 " + expires_on + " 届满，不能列入", "the period ended on " + expires_on + "; nothing to put in force");
  return Status::Ok();
}
}  // namespace

Status NotAfterToday(Platform& platform, const UnitOfWork& uow, CivilDate on) {
  auto today = platform.Time().LocalDate(uow.now_us());
  if (!today.ok()) return today.status();
  if (on > today.value())
    return Status::Error(StatusCode::kInvalidArgument, "日期 " + on.ToString() + " 晚于今天（" + today.value().ToString() + "）",
                         "the date " + on.ToString() + " is after today (" + today.value().ToString() + ")");
  return Status::Ok();
}

Result<Listing> Listings::Propose(UnitOfWork& uow, const ProposeInput& in, CivilDate today, bool* created) {
  if (created != nullptr) *created = false;
  auto policy = RequirePolicy(in.list);
  if (!policy.ok()) return policy.status();
  const ListPolicy& p = *policy.value();
  Sql& sql = uow.sql();
  if (!in.source_ref.empty()) {
    std::optional<Listing> existing;
    Status st = sql.Query(std::string("SELECT ") + kListingColumns + " FROM lists_listings WHERE list = ? AND source_ref = ?",
                          {in.list, in.source_ref}, [&](const SqlRow& r) {
                            existing = ListingOfRow(r);
                            return false;
                          });
    if (!st.ok()) return st;
    if (existing) return *existing;
  }
  Listing l;
  l.list = in.list;
  if (in.uscc.empty() || in.uscc.size() > 64) return Invalid("缺少主体代码或代码过长", "the subject's code is missing or too long");
  l.uscc = in.uscc;
  // The directory's name and type for a subject in it; an outside subject (the courts' data:
  // a natural person, a subject not in the directory) brings its own.
  std::optional<std::pair<std::string, std::string>> subject;
  Status found = sql.Query("SELECT name, type FROM subjects WHERE uscc = ?", {in.uscc}, [&](const SqlRow& r) {
    subject = std::make_pair(r.Text(0), r.Text(1));
    return false;
  });
  if (!found.ok()) return found;
  if (subject) {
    l.subject_name = subject->first;
    l.subject_type = subject->second;
  } else if (!in.subject_type.empty()) {
    auto name = CleanText("名称", "the name", in.subject_name, 200, true);
    if (!name.ok()) return name.status();
    l.subject_name = name.value();
    l.subject_type = in.subject_type;
  } else {
    return Status::Error(StatusCode::kNotFound, "名录中没有统一社会信用代码为 " + in.uscc.substr(0, 20) + " 的主体",
                         "no subject with the USCC " + in.uscc.substr(0, 20) + " in the directory");
  }
  if (Status st = CheckProposal(p, l.subject_type, in.ground); !st.ok()) return st;
  l.ground = in.ground;
  auto reason = CleanText("列入理由", "the reason", in.reason, 2000, true);
  if (!reason.ok()) return reason.status();
  l.reason = reason.value();
  json ev = json::array();
  for (const Evidence& e : in.evidence) ev.push_back({{"kind", e.kind}, {"ref", e.ref}});
  if (ev.size() > 50) return Invalid("证据至多 50 项", "at most 50 pieces of evidence");
  l.evidence_json = ev.dump();
  l.department = in.department.empty() ? uow.principal().department : in.department;
  if (l.department.empty())
    return Invalid("须指明决定部门（--department）", "the deciding department is required (--department)");
  if (!uow.principal().ActsFor(l.department))
    return Status::Error(StatusCode::kPermissionDenied, "不能代表部门 " + l.department + " 提出列入",
                         "you cannot propose listings for department " + l.department);
  auto dept = FindDepartment(sql, l.department);
  if (!dept.ok()) return dept.status();
  if (!dept.value())
    return Status::Error(StatusCode::kNotFound, "没有部门 " + l.department.substr(0, 40), "no department " + l.department.substr(0, 40));
  if (!in.due_on.empty() && !CivilDate::Parse(in.due_on).ok()) return CivilDate::Parse(in.due_on).status();
  l.due_on = in.due_on;
  l.source = in.source;
  l.source_ref = in.source_ref;
  l.proposed_by = uow.principal().id;
  l.proposed_on = today.ToString();
  l.state = State::kProposed;
  auto id = NextId(sql, today.year());
  if (!id.ok()) return id.status();
  l.id = id.value();
  if (created != nullptr) *created = true;
  return Write(uow, l, "proposed", State::kProposed, l.reason, std::nullopt, today, false);
}

namespace {

Status CheckActor(const UnitOfWork& uow, const Listing& l, const std::vector<std::string>& not_these,
                  const std::string& step_zh, const std::string& step_en) {
  const Principal& who = uow.principal();
  if (!who.ActsFor(l.department))
    return Status::Error(StatusCode::kPermissionDenied, "只有部门 " + l.department + " 能" + step_zh + "名单记录 " + l.id,
                         "only department " + l.department + " can " + step_en + " listing " + l.id);
  if (who.kind == Principal::Kind::kUser)
    for (const std::string& other : not_these)
      if (!other.empty() && other == who.id)
        return Status::Error(StatusCode::kPermissionDenied,
                             "提出、初审和审核须由不同人员办理：" + who.id + " 已经办过名单记录 " + l.id,
                             "proposal, review and decision need different people: " + who.id + " already handled listing " + l.id);
  return Status::Ok();
}

}  // namespace

Result<Listing> Listings::Review(UnitOfWork& uow, const std::string& id, bool approve, const std::string& note,
                                 CivilDate today) {
  auto loaded = Load(uow.sql(), id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return Status::Error(StatusCode::kNotFound, "没有名单记录 " + id.substr(0, 40), "no listing " + id.substr(0, 40));
  Listing l = *loaded.value();
  const Listing before = l;
  if (l.state != State::kProposed)
    return Precondition("名单记录 " + id + " 处于“" + std::string(StateZh(l.state)) + "”状态，只能初审待初审的记录",
                        "listing " + id + " is " + StateName(l.state) + "; only a proposed listing is reviewed");
  if (Status st = CheckActor(uow, l, {l.proposed_by}, "初审", "review"); !st.ok()) return st;
  auto clean = CleanText("初审意见", "the review note", note, 2000, !approve);
  if (!clean.ok()) return clean.status();
  l.reviewed_by = uow.principal().id;
  l.reviewed_on = today.ToString();
  l.review_note = clean.value();
  l.state = approve ? State::kReviewed : State::kRejected;
  return Write(uow, l, approve ? "reviewed" : "rejected", before.state, l.review_note, before, today, false);
}

Result<Listing> Listings::Decide(UnitOfWork& uow, const std::string& id, bool approve, const DecideInput& in,
                                 const std::string& note, CivilDate today) {
  auto loaded = Load(uow.sql(), id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return Status::Error(StatusCode::kNotFound, "没有名单记录 " + id.substr(0, 40), "no listing " + id.substr(0, 40));
  Listing l = *loaded.value();
  const Listing before = l;
  if (l.state != State::kReviewed)
    return Precondition("名单记录 " + id + " 处于“" + std::string(StateZh(l.state)) + "”状态，只能审核已初审的记录",
                        "listing " + id + " is " + StateName(l.state) + "; only a reviewed listing is decided");
  if (Status st = CheckActor(uow, l, {l.proposed_by, l.reviewed_by}, "审核", "decide"); !st.ok()) return st;
  auto policy = RequirePolicy(l.list);
  if (!policy.ok()) return policy.status();
  auto clean = CleanText("审核意见", "the decision note", note, 2000, !approve);
  if (!clean.ok()) return clean.status();
  l.decided_by = uow.principal().id;
  l.decided_on = today.ToString();
  if (!approve) {
    l.state = State::kRejected;
    l.end_note = "";
    l.review_note = l.review_note;  // kept
    return Write(uow, l, "rejected", before.state, clean.value(), before, today, false);
  }
  auto no = CleanText("决定书文号", "the decision number", in.decision_no, 100, true);
  if (!no.ok()) return no.status();
  l.decision_no = no.value();
  CivilDate starts = today;
  if (!in.starts_on.empty()) {
    auto s = CivilDate::Parse(in.starts_on);
    if (!s.ok()) return s.status();
    starts = s.value();
    if (starts < today - 366 || starts > today + 366)
      return Invalid("列入日期须在今天前后一年内", "the start must be within a year of today");
  }
  auto expiry = ExpiryOf(*policy.value(), starts, in.ends_on);
  if (!expiry.ok()) return expiry.status();
  if (Status st = CheckPeriod(starts, expiry.value(), today); !st.ok()) return st;
  l.starts_on = starts.ToString();
  l.expires_on = expiry.value();
  l.state = State::kInForce;
  // 两书同达: the repair notice goes with the decision, in its transition.
  std::string trail = clean.value();
  const std::string notice = Remedies::RepairNotice(*policy.value(), l);
  if (!notice.empty()) trail += (trail.empty() ? "" : "\n") + notice;
  return Write(uow, l, "in_force", before.state, trail, before, today, true);
}

Result<Listing> Listings::Enact(UnitOfWork& uow, const ProposeInput& in, const DecideInput& d, CivilDate today,
                                const std::string& moved_from, bool* created) {
  auto proposed = Propose(uow, in, today, created);
  if (!proposed.ok()) return proposed.status();
  Listing l = proposed.value();
  if (l.state != State::kProposed) return l;  // the same source_ref enacted before
  const Listing before = l;
  auto policy = RequirePolicy(l.list);
  if (!policy.ok()) return policy.status();
  auto no = CleanText("决定书文号", "the decision number", d.decision_no, 100, true);
  if (!no.ok()) return no.status();
  CivilDate starts = today;
  if (!d.starts_on.empty()) {
    auto s = CivilDate::Parse(d.starts_on);
    if (!s.ok()) return s.status();
    starts = s.value();
  }
  auto expiry = ExpiryOf(*policy.value(), starts, d.ends_on);
  if (!expiry.ok()) return expiry.status();
  if (Status st = CheckPeriod(starts, expiry.value(), today); !st.ok()) return st;
  l.decision_no = no.value();
  l.decided_by = uow.principal().id;
  l.decided_on = today.ToString();
  l.starts_on = starts.ToString();
  l.expires_on = expiry.value();
  l.moved_from = moved_from;
  l.state = State::kInForce;
  return Write(uow, l, "in_force", before.state, "", before, today, true);
}

Result<Listing> Listings::ConfirmCorrection(UnitOfWork& uow, const std::string& id, CivilDate on, const std::string& note) {
  auto loaded = Load(uow.sql(), id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return Status::Error(StatusCode::kNotFound, "没有名单记录 " + id.substr(0, 40), "no listing " + id.substr(0, 40));
  Listing l = *loaded.value();
  const Listing before = l;
  auto policy = RequirePolicy(l.list);
  if (!policy.ok()) return policy.status();
  const ListPolicy& p = *policy.value();
  if (l.state != State::kInForce)
    return Precondition("名单记录 " + id + " 不在列入中", "listing " + id + " is not in force");
  if (p.correction_working_days <= 0)
    return Precondition("“" + p.name_zh + "”没有改正移出", "the " + p.name_en + " has no exit by correction");
  if (!l.correction_on.empty())
    return Status::Error(StatusCode::kAlreadyExists, "名单记录 " + id + " 已于 " + l.correction_on + " 确认改正",
                         "listing " + id + "'s correction was confirmed on " + l.correction_on);
  if (Status st = CheckActor(uow, l, {}, "办理", "handle"); !st.ok()) return st;
  if (on.ToString() < l.starts_on)
    return Invalid("改正日期不能早于列入日期 " + l.starts_on, "the correction cannot be before the start " + l.starts_on);
  if (Status st = NotAfterToday(platform_, uow, on); !st.ok()) return st;
  auto clean = CleanText("改正说明", "the note", note, 2000, true);
  if (!clean.ok()) return clean.status();
  auto cal = platform_.Calendar();
  if (!cal.ok()) return cal.status();
  auto due = cal.value()->AddWorkingDays(on, p.correction_working_days);
  if (!due.ok()) return due.status();
  l.correction_on = on.ToString();
  l.correction_due = due.value().ToString();
  return Write(uow, l, "correction_confirmed", before.state, clean.value(), before, on, false);
}

Result<Listing> Listings::End(UnitOfWork& uow, const std::string& id, const std::string& exit, CivilDate on,
                              const std::string& note) {
  auto loaded = Load(uow.sql(), id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return Status::Error(StatusCode::kNotFound, "没有名单记录 " + id.substr(0, 40), "no listing " + id.substr(0, 40));
  Listing l = *loaded.value();
  const Listing before = l;
  auto policy = RequirePolicy(l.list);
  if (!policy.ok()) return policy.status();
  if (Status st = CheckEnd(*policy.value(), l, exit, on); !st.ok()) return st;
  if (Status st = NotAfterToday(platform_, uow, on); !st.ok()) return st;
  if (Status st = CheckActor(uow, l, {}, "移出", "end"); !st.ok()) return st;
  auto clean = CleanText("移出理由", "the reason", note, 2000, true);
  if (!clean.ok()) return clean.status();
  l.state = State::kEnded;
  l.ended_on = on.ToString();
  l.end_reason = exit;
  l.end_note = clean.value();
  l.ended_by = uow.principal().id;
  return Write(uow, l, "ended", before.state, clean.value(), before, on, true);
}

Result<Listing> Listings::MarkDisputed(UnitOfWork& uow, const std::string& id, bool disputed, const std::string& note,
                                       CivilDate today) {
  auto loaded = Load(uow.sql(), id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return Status::Error(StatusCode::kNotFound, "没有名单记录 " + id.substr(0, 40), "no listing " + id.substr(0, 40));
  Listing l = *loaded.value();
  const Listing before = l;
  l.disputed = disputed;
  return Write(uow, l, disputed ? "disputed" : "undisputed", before.state, note, before, today, false);
}

Result<Listing> Listings::CorrectReason(UnitOfWork& uow, const std::string& id, const std::string& reason, CivilDate today) {
  auto loaded = Load(uow.sql(), id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return Status::Error(StatusCode::kNotFound, "没有名单记录 " + id.substr(0, 40), "no listing " + id.substr(0, 40));
  Listing l = *loaded.value();
  const Listing before = l;
  auto clean = CleanText("更正后的理由", "the corrected reason", reason, 2000, true);
  if (!clean.ok()) return clean.status();
  l.reason = clean.value();
  return Write(uow, l, "corrected", before.state, "异议更正 / corrected after an objection", before, today, false);
}

Result<Listings::RuleCounts> Listings::RunDaily(UnitOfWork& uow, CivilDate today) {
  RuleCounts counts;
  std::vector<Listing> due;
  Status st = uow.sql().Query(std::string("SELECT ") + kListingColumns +
                                  " FROM lists_listings WHERE state = 'in_force' AND (correction_due <> '' OR "
                                  "(expires_on <> '' AND expires_on <= ?)) ORDER BY id",
                              {(today + 400).ToString()}, [&](const SqlRow& r) {
                                due.push_back(ListingOfRow(r));
                                return true;
                              });
  if (!st.ok()) return st;
  for (Listing& l : due) {
    const ListPolicy* p = platform_.FindListPolicy(l.list);
    if (p == nullptr) continue;  // its plugin is not loaded: left as it is
    const Due d = DueOn(*p, l, today);
    const Listing before = l;
    auto parsed = CivilDate::Parse(d.on);
    const CivilDate on = parsed.ok() ? parsed.value() : today;
    switch (d.what) {
      case Due::What::kNone:
        break;
      case Due::What::kExpire:
      case Due::What::kCorrectionEnd: {
        const bool expired = d.what == Due::What::kExpire;
        l.state = State::kEnded;
        l.ended_on = d.on;
        l.end_reason = expired ? kExitExpired : kExitCorrected;
        l.end_note = expired ? "期满自动移出 / expired" : "改正后到期移出 / ended after the correction";
        l.ended_by = uow.principal().id;
        auto w = Write(uow, l, "ended", before.state, l.end_note, before, on, true);
        if (!w.ok()) return w.status();
        ++(expired ? counts.expired : counts.corrected);
        break;
      }
      case Due::What::kMoveNotice: {
        l.notice_on = today.ToString();
        auto w = Write(uow, l, "move_notice", before.state,
                       "将于 " + l.expires_on + " 转入 " + p->move_to + " / moves to " + p->move_to + " on " + l.expires_on,
                       before, today, false);
        if (!w.ok()) return w.status();
        ++counts.notices;
        break;
      }
      case Due::What::kMove: {
        auto target = RequirePolicy(p->move_to);
        if (!target.ok()) return target.status();
        // The successor's ground: the target's ground naming this list's move, else its first.
        std::string ground = target.value()->grounds.front().code;
        for (const auto& g : target.value()->grounds)
          if (g.code == "abnormal_three_years") ground = g.code;
        ProposeInput in;
        in.list = p->move_to;
        in.uscc = l.uscc;
        in.subject_name = l.subject_name;
        in.subject_type = l.subject_type;
        in.ground = ground;
        in.reason = "自" + p->name_zh + "转入（原记录 " + l.id + "，列入满 " + std::to_string(p->move_after_months) +
                    " 个月） / moved from the " + p->name_en + " (" + l.id + ")";
        in.evidence = {{"document", l.decision_no.empty() ? l.id : l.decision_no}};
        in.department = l.department;
        in.source = "move";
        in.source_ref = "move:" + l.id;
        DecideInput dec;
        dec.decision_no = l.decision_no.empty() ? ("转入-" + l.id) : (l.decision_no + "（转入）");
        dec.starts_on = d.on;
        auto moved = Enact(uow, in, dec, on, l.id);
        if (!moved.ok()) return moved.status();
        l.state = State::kEnded;
        l.ended_on = d.on;
        l.end_reason = kExitMoved;
        l.end_note = "转入 " + moved.value().id + " / moved to " + moved.value().id;
        l.ended_by = uow.principal().id;
        l.moved_to = moved.value().id;
        auto w = Write(uow, l, "ended", before.state, l.end_note, before, on, true);
        if (!w.ok()) return w.status();
        ++counts.moved;
        break;
      }
    }
  }
  return counts;
}

std::string& RuleDepartments::Configured() {
  static std::string configured;
  return configured;
}

Result<RuleDepartments> RuleDepartments::Load(Sql& sql) {
  RuleDepartments r;
  r.configured_ = Configured();
  if (!r.configured_.empty()) {
    auto e = sql.Exists("SELECT 1 FROM departments WHERE code = ?", {r.configured_});
    if (!e.ok()) return e.status();
    if (!e.value())
      return Status::Error(StatusCode::kFailedPrecondition,
                           "配置 plugins.lists.rule_department 的部门 " + r.configured_ + " 不存在",
                           "plugins.lists.rule_department names " + r.configured_ + ", which is not a department");
    return r;
  }
  Status st = sql.Query("SELECT code, jurisdiction FROM departments ORDER BY code", {}, [&](const SqlRow& row) {
    r.departments_.emplace_back(row.Text(0), row.Text(1));
    return true;
  });
  if (!st.ok()) return st;
  return r;
}

Result<std::string> RuleDepartments::For(Sql& sql, const std::string& uscc) const {
  if (!configured_.empty()) return configured_;
  auto region = sql.QueryText("SELECT region FROM subjects WHERE uscc = ?", {uscc});
  if (!region.ok()) return region.status();
  std::string dept;
  std::size_t best = 0;
  for (const auto& [code, juris] : departments_) {
    if (juris.empty() && dept.empty()) dept = code;  // unlimited jurisdiction: the first such
    for (auto prefix : SplitStoredList(juris))
      if (region.value().value_or("").rfind(std::string(prefix), 0) == 0 && prefix.size() > best) {
        best = prefix.size();
        dept = code;
      }
  }
  return dept;
}

Result<Listings::GradeOutcome> Listings::ApplyGrade(UnitOfWork& uow, const std::string& uscc, int year,
                                                   const std::string& grade, double points, CivilDate today) {
  GradeOutcome out;
  if (year < 2000 || year > 9999 || uscc.size() != 18)
    return Invalid("评价事件的年份或代码无效", "the grade event's year or code is invalid");
  auto exists = uow.sql().Exists("SELECT 1 FROM subjects WHERE uscc = ?", {uscc});
  if (!exists.ok()) return exists.status();
  if (!exists.value()) return out;
  const std::string target = grade == "A" ? "intermediary_red" : grade == "C" ? "intermediary_black" : "";
  const std::string ref = "grade:" + std::to_string(year);
  // The grade lists' listings in force: those of another list or another year's grade end.
  std::vector<std::string> ending;
  Status st = uow.sql().Query(
      "SELECT id FROM lists_listings WHERE uscc = ? AND state = 'in_force' AND list IN ('intermediary_red', "
      "'intermediary_black') AND (list <> ? OR source_ref <> ?) ORDER BY id",
      {uscc, target, ref + ":" + uscc}, [&](const SqlRow& r) {
        ending.push_back(r.Text(0));
        return true;
      });
  if (!st.ok()) return st;
  const std::string why = "中介机构 " + std::to_string(year) + " 年度信用评价为 " + (grade.empty() ? "-" : grade) +
                          " 类 / graded " + (grade.empty() ? "-" : grade) + " for " + std::to_string(year);
  for (const std::string& id : ending) {
    auto e = End(uow, id, kExitReplaced, today, why);
    if (!e.ok()) return e.status();
    ++out.ended;
  }
  if (target.empty() || Policy(target) == nullptr) return out;
  auto deciders = RuleDepartments::Load(uow.sql());
  if (!deciders.ok()) return deciders.status();
  auto dept = deciders.value().For(uow.sql(), uscc);
  if (!dept.ok()) return dept.status();
  if (dept.value().empty()) return out;  // no department covers it
  char pts[32];
  std::snprintf(pts, sizeof pts, "%.1f", points);
  ProposeInput in;
  in.list = target;
  in.uscc = uscc;
  in.ground = grade == "A" ? "grade_a" : "grade_c";
  in.reason = "中介机构 " + std::to_string(year) + " 年度信用评价为 " + grade + " 类（" + pts + " 分） / graded " + grade +
              " for " + std::to_string(year) + " (" + pts + " points)";
  in.evidence = {{"document", "中介机构信用评价 " + std::to_string(year) + " / intermediary grade " + std::to_string(year)}};
  in.department = dept.value();
  in.source = "grade";
  in.source_ref = ref + ":" + uscc;
  DecideInput d;
  d.decision_no = "中介信用评价〔" + std::to_string(year) + "〕" + grade + "类";
  bool created = false;
  auto l = Enact(uow, in, d, today, "", &created);
  if (!l.ok()) return l.status();
  if (created) ++out.enacted;
  return out;
}

Result<int> Listings::ProposeMissedAnnualReports(UnitOfWork& uow, int year, CivilDate today) {
  auto policy = RequirePolicy("abnormal_operations");
  if (!policy.ok()) return policy.status();
  std::vector<std::pair<std::string, std::string>> missing;  // uscc, department
  const std::string before = std::to_string(year) + "-01-01";
  Status st = uow.sql().Query(
      "SELECT s.uscc FROM subjects s WHERE s.status = 'active' AND s.type IN ('enterprise', 'individual', 'intermediary') "
      "AND s.registered_on < ? AND NOT EXISTS (SELECT 1 FROM lists_annual_reports r WHERE r.uscc = s.uscc AND r.year = ?) "
      "ORDER BY s.uscc",
      {before, year}, [&](const SqlRow& r) {
        missing.emplace_back(r.Text(0), "");
        return true;
      });
  if (!st.ok()) return st;
  // The deciding department of each: RuleDepartments.
  int proposed = 0;
  auto deciders = RuleDepartments::Load(uow.sql());
  if (!deciders.ok()) return deciders.status();
  for (auto& [uscc, dept] : missing) {
    auto d = deciders.value().For(uow.sql(), uscc);
    if (!d.ok()) return d.status();
    dept = d.value();
    if (dept.empty()) continue;  // no department covers it
    ProposeInput in;
    in.list = "abnormal_operations";
    in.uscc = uscc;
    in.ground = "annual_report_missed";
    in.reason = "未在 " + std::to_string(year + 1) + " 年 6 月 30 日前报送 " + std::to_string(year) +
                " 年度报告 / no annual report for " + std::to_string(year) + " by 30 June " + std::to_string(year + 1);
    in.department = dept;
    in.source = "rule";
    in.source_ref = "annual-report:" + std::to_string(year) + ":" + uscc;
    auto cal = platform_.Calendar();
    if (!cal.ok()) return cal.status();
    auto due = cal.value()->AddWorkingDays(today, 10);
    if (!due.ok()) return due.status();
    in.due_on = due.value().ToString();
    bool created = false;
    auto r = Propose(uow, in, today, &created);
    if (!r.ok()) return r.status();
    if (created) ++proposed;
  }
  return proposed;
}

}  // namespace xj::lists
