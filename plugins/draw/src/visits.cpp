// Visits, results, review, publication, deadlines and merging (see visits.h).
#include "visits.h"

#include <soci/soci.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "bulk.h"
#include "csv.h"
#include "embedded.h"
#include "hash.h"
#include "journal.h"
#include "platform_impl.h"
#include "scan.h"
#include "text.h"

namespace xj::draw {
namespace {

using json = nlohmann::json;

Status Refuse(const std::string& zh, const std::string& en) { return Status::Error(StatusCode::kInvalidArgument, zh, en); }
Status NotFound(const std::string& zh, const std::string& en) { return Status::Error(StatusCode::kNotFound, zh, en); }
Status WrongState(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kFailedPrecondition, zh, en);
}

// kNotFound naming `value` unless a row of `table` has it in `column` (or value is empty: no
// filter). Filters that name nothing known are errors, never an empty answer.
Status RequireKnown(Database& db, const char* table, const char* column, const std::string& value, const char* zh,
                    const char* en) {
  if (value.empty()) return Status::Ok();
  bool found = false;
  Status st = ScanRows(db, std::string("SELECT 1 FROM ") + table + " WHERE " + column + " = ? LIMIT 1", {value},
                       [&](const ScanRow&) {
                         found = true;
                         return false;
                       });
  if (!st.ok()) return st;
  if (!found) return NotFound(std::string(zh) + "不存在：" + value, std::string("no such ") + en + ": " + value);
  return Status::Ok();
}

}  // namespace

Status RequireKnownTask(VisitContext& ctx, const std::string& id) {
  return RequireKnown(*ctx.db, "draw_tasks", "id", id, "任务", "task");
}
Status RequireKnownDepartment(VisitContext& ctx, const std::string& code) {
  return RequireKnown(*ctx.db, "departments", "code", code, "部门", "department");
}
Status RequireKnownInspector(VisitContext& ctx, const std::string& id) {
  return RequireKnown(*ctx.db, "inspectors", "id", id, "检查人员", "inspector");
}

namespace {

std::int64_t Now(const VisitContext& ctx) { return ctx.tasks->platform->NowMicros(); }
std::string Today(const VisitContext& ctx) {
  return ctx.today.empty() ? PlatformDate(*ctx.tasks->platform, Now(ctx)) : ctx.today;
}
Database& Db(VisitContext& ctx) { return *ctx.db; }
// The audit actor: the principal's id.
const std::string& Actor(const VisitContext& ctx) { return ctx.tasks->principal.id; }

// A task, read on the visits' own connection and within their transaction when one is open:
// the task service reads through the SDK's Sql (step 4a), handed one over the Database visits
// still use (platform_impl.h's MakeSql; goes in step 4b).
Result<TaskRecord> LoadTaskOn(Database& db, const std::string& id) {
  std::unique_ptr<Sql> sql = MakeSql(db, /*writable=*/false);
  return LoadTask(*sql, id);
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (!s.empty() && start <= s.size()) {
    std::size_t end = s.find(',', start);
    if (end == std::string_view::npos) end = s.size();
    out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string JoinComma(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// The context's calendar; without one (library callers that do not configure it) the
// embedded calendar alone (no calendar.dir).
const WorkingCalendar& Calendar(const VisitContext& ctx) {
  if (ctx.calendar != nullptr) return *ctx.calendar;
  auto shared = WorkingCalendar::Shared("");
  if (!shared.ok()) throw std::runtime_error(shared.status().message());
  return *shared.value();
}

Result<Date> AddWorkdays(const VisitContext& ctx, const std::string& date, int n) {
  auto d = Date::Parse(date);
  if (!d.ok()) return d.status();
  try {
    return Calendar(ctx).AddWorkingDays(d.value(), n);
  } catch (const std::exception& e) {
    return Status::Error(StatusCode::kFailedPrecondition, e.what(), e.what());
  }
}

// True when counting from `from` to `to` went through a provisional calendar year.
bool IsProvisionalSpan(const VisitContext& ctx, const std::string& from, Date to) {
  auto f = Date::Parse(from);
  return f.ok() && !Calendar(ctx).ProvisionalYearsBetween(f.value(), to).empty();
}

json FollowUpJson(const FollowUp& f) {
  json j{{"kind", f.kind}};
  if (!f.deadline.empty()) j["deadline"] = f.deadline;
  if (!f.to_department.empty()) j["to_department"] = f.to_department;
  if (!f.case_no.empty()) j["case_no"] = f.case_no;
  return j;
}

FollowUp FollowUpFromJson(const std::string& text) {
  FollowUp f;
  try {
    const json j = json::parse(text);
    f.kind = j.value("kind", "none");
    f.deadline = j.value("deadline", "");
    f.to_department = j.value("to_department", "");
    f.case_no = j.value("case_no", "");
  } catch (const std::exception&) {
  }
  return f;
}

// The canonical state of a visit item, hashed for the audit log.
std::string ItemDigest(const std::string& visit, const VisitItem& it) {
  json j{{"visit", visit},        {"item", it.item_code},         {"state", it.state},
         {"result", it.result_code}, {"findings", it.findings},    {"inspected_on", it.inspected_on},
         {"method", it.method},   {"entered_by", it.entered_by},  {"review_reason", it.review_reason},
         {"follow_up", FollowUpJson(it.follow_up)}, {"due_date", it.due_date}, {"published_on", it.published_on}};
  return ToHex(Sha256(j.dump()));
}

// The state of a visit from its items.
std::string AggregateState(const std::vector<VisitItem>& items, bool started) {
  if (items.empty()) return started ? "in_progress" : "assigned";
  bool any_open = false, any_entered = false, all_published = true, any_result = false;
  for (const auto& it : items) {
    any_open = any_open || it.state == "pending" || it.state == "returned";
    any_entered = any_entered || it.state == "entered";
    all_published = all_published && it.state == "published";
    any_result = any_result || it.state != "pending";
  }
  if (all_published) return "published";
  if (any_open) return started || any_result ? "in_progress" : "assigned";
  if (any_entered) return "entered";
  return "reviewed";  // every item approved or published
}

constexpr const char* kItemColumns =
    "vi.item_code, COALESCE(i.name, ''), vi.task_id, vi.department, vi.state, COALESCE(vi.result_code, ''), vi.findings, "
    "vi.follow_up, COALESCE(vi.inspected_on, ''), COALESCE(vi.method, ''), COALESCE(vi.entered_by, ''), vi.review_reason, "
    "COALESCE(vi.reviewed_by, ''), COALESCE(vi.due_date, ''), vi.card, COALESCE(vi.published_on, ''), vi.due_provisional";

VisitItem ItemFromRow(const ScanRow& r) {
  VisitItem it;
  it.item_code = std::string(r.values[0]);
  it.item_name = std::string(r.values[1]);
  it.task_id = std::string(r.values[2]);
  it.department = std::string(r.values[3]);
  it.state = std::string(r.values[4]);
  it.result_code = std::string(r.values[5]);
  it.findings = std::string(r.values[6]);
  it.follow_up = FollowUpFromJson(std::string(r.values[7]));
  it.inspected_on = std::string(r.values[8]);
  it.method = std::string(r.values[9]);
  it.entered_by = std::string(r.values[10]);
  it.review_reason = std::string(r.values[11]);
  it.reviewed_by = std::string(r.values[12]);
  it.due_date = std::string(r.values[13]);
  it.card = std::string(r.values[14]);
  it.published_on = std::string(r.values[15]);
  it.due_provisional = r.values[16] == "1";
  return it;
}

Result<Visit> ReadVisit(Database& db, const std::string& id) {
  Visit v;
  bool found = false;
  Status st = ScanRows(db,
                       "SELECT v.id, v.uscc, v.state, COALESCE(v.merged_into, ''), v.period, COALESCE(v.started_on, ''), "
                       "COALESCE(v.started_by, ''), v.team, COALESCE(s.name, ''), COALESCE(s.address, '') "
                       "FROM visits v LEFT JOIN subjects s ON s.uscc = v.uscc WHERE v.id = ?",
                       {id}, [&](const ScanRow& r) {
                         v.id = std::string(r.values[0]);
                         v.uscc = std::string(r.values[1]);
                         v.state = std::string(r.values[2]);
                         v.merged_into = std::string(r.values[3]);
                         v.period = std::string(r.values[4]);
                         v.started_on = std::string(r.values[5]);
                         v.started_by = std::string(r.values[6]);
                         v.team = SplitComma(r.values[7]);
                         v.name = std::string(r.values[8]);
                         v.address = std::string(r.values[9]);
                         found = true;
                         return false;
                       });
  if (!st.ok()) return st;
  if (!found) return NotFound("没有检查记录 " + id, "no visit " + id);
  st = ScanRows(db,
                std::string("SELECT ") + kItemColumns +
                    " FROM visit_items vi LEFT JOIN items i ON i.code = vi.item_code WHERE vi.visit_id = ? "
                    "ORDER BY vi.department, vi.item_code",
                {id}, [&](const ScanRow& r) {
                  v.items.push_back(ItemFromRow(r));
                  return true;
                });
  if (!st.ok()) return st;
  return v;
}

// Locks the visit row on PostgreSQL (SQLite serialises writers anyway).
Status LockVisit(Database& db, const std::string& id) {
  if (db.dialect() != Dialect::kPostgresql) return Status::Ok();
  return ScanRows(db, "SELECT id FROM visits WHERE id = ? FOR UPDATE", {id}, [](const ScanRow&) { return true; });
}

Status SaveItem(Database& db, const std::string& visit, const VisitItem& it, std::int64_t now) {
  try {
    std::string v = visit, code = it.item_code, state = it.state, result = it.result_code, findings = it.findings,
                fu = FollowUpJson(it.follow_up).dump(), on = it.inspected_on, method = it.method, by = it.entered_by,
                reason = it.review_reason, rby = it.reviewed_by, due = it.due_date, card = it.card, pub = it.published_on;
    soci::indicator ni = result.empty() ? soci::i_null : soci::i_ok, oni = on.empty() ? soci::i_null : soci::i_ok,
                    mi = method.empty() ? soci::i_null : soci::i_ok, bi = by.empty() ? soci::i_null : soci::i_ok,
                    ri = rby.empty() ? soci::i_null : soci::i_ok, di = due.empty() ? soci::i_null : soci::i_ok,
                    pi = pub.empty() ? soci::i_null : soci::i_ok;
    long long at = now;
    int provisional = it.due_provisional ? 1 : 0;
    long long pub_at = pub.empty() ? 0 : now;
    soci::indicator pai = pub.empty() ? soci::i_null : soci::i_ok;
    db.session() << "UPDATE visit_items SET state = :s, result_code = :r, findings = :f, follow_up = :fu, inspected_on = :o, "
                    "method = :m, entered_by = :b, review_reason = :rr, reviewed_by = :rb, due_date = :d, card = :c, "
                    "published_on = :p, published_at_us = COALESCE(published_at_us, :pa), due_provisional = :dp, updated_at_us = :at "
                    "WHERE visit_id = :v AND item_code = :i",
        soci::use(state), soci::use(result, ni), soci::use(findings), soci::use(fu), soci::use(on, oni),
        soci::use(method, mi), soci::use(by, bi), soci::use(reason), soci::use(rby, ri), soci::use(due, di),
        soci::use(card), soci::use(pub, pi), soci::use(pub_at, pai), soci::use(provisional), soci::use(at), soci::use(v),
        soci::use(code);
  } catch (const std::exception& e) {
    return DbError(e, "保存检查结果失败", "saving the result failed");
  }
  return Status::Ok();
}

Status SaveVisitState(Database& db, const Visit& v, std::int64_t now) {
  try {
    std::string id = v.id, state = v.state, on = v.started_on, by = v.started_by;
    soci::indicator oi = on.empty() ? soci::i_null : soci::i_ok, bi = by.empty() ? soci::i_null : soci::i_ok;
    long long at = now;
    db.session() << "UPDATE visits SET state = :s, started_on = :o, started_by = :b, updated_at_us = :at WHERE id = :id",
        soci::use(state), soci::use(on, oi), soci::use(by, bi), soci::use(at), soci::use(id);
  } catch (const std::exception& e) {
    return DbError(e, "保存检查记录失败", "saving the visit failed");
  }
  return Status::Ok();
}

Status Journal(VisitContext& ctx, std::int64_t now, const std::string& action, const std::string& key,
               const std::string& before, const std::string& after, std::vector<OutboxEvent> events) {
  return AppendJournal(Db(ctx), Actor(ctx), now, {AuditEntry{action, "visit_item", key, before, after, ""}}, events);
}

struct InspectorInfo {
  std::string department;
  bool found = false;
};

Result<InspectorInfo> Inspector(Database& db, const std::string& id) {
  InspectorInfo info;
  Status st = ScanRows(db, "SELECT department FROM inspectors WHERE id = ?", {id}, [&](const ScanRow& r) {
    info.department = std::string(r.values[0]);
    info.found = true;
    return false;
  });
  if (!st.ok()) return st;
  return info;
}

bool DepartmentExists(Database& db, const std::string& code, Status* st) {
  bool found = false;
  *st = ScanRows(db, "SELECT 1 FROM departments WHERE code = ?", {code}, [&](const ScanRow&) {
    found = true;
    return false;
  });
  return found;
}

// Reveals the drawn tasks among `tasks` whose every visit item is published.
Result<std::int64_t> RevealComplete(VisitContext& ctx, const std::set<std::string>& tasks) {
  std::int64_t revealed = 0;
  for (const auto& task : tasks) {
    auto t = LoadTaskOn(Db(ctx), task);
    if (!t.ok()) return t.status();
    if (t->state != "drawn") continue;
    std::int64_t open = -1, all = 0;
    Status st = ScanRows(Db(ctx),
                         "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state <> 'published' THEN 1 ELSE 0 END), 0) "
                         "FROM visit_items WHERE task_id = ?",
                         {task}, [&](const ScanRow& r) {
                           all = std::stoll(std::string(r.values[0]));
                           open = std::stoll(std::string(r.values[1]));
                           return false;
                         });
    if (!st.ok()) return st;
    if (open != 0 || all == 0) continue;
    auto r = RevealTask(*ctx.tasks, task);
    if (!r.ok()) return r.status();
    ++revealed;
  }
  return revealed;
}

bool IsDate(const std::string& s) { return Date::Parse(s).ok(); }

using Params = std::vector<std::optional<std::string>>;

// Appends " AND <column> = ?" when `value` is given (the optional filters of the listings).
void FilterEquals(std::string* sql, Params* params, const char* column, const std::string& value) {
  if (value.empty()) return;
  *sql += std::string(" AND ") + column + " = ?";
  params->emplace_back(value);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Catalog and options.

const ResultCode* ResultCatalog::Find(const std::string& code) const {
  for (const auto& c : codes)
    if (c.code == code || c.zh == code) return &c;
  return nullptr;
}

namespace {
// The code of a method or follow-up given by its code or its Chinese name; `name` itself
// when neither (the check then names it).
std::string CodeOf(const std::map<std::string, std::pair<std::string, std::string>>& names, const std::string& name) {
  if (names.count(name)) return name;
  for (const auto& [code, zh_en] : names)
    if (zh_en.first == name) return code;
  return name;
}
std::string KnownList(const std::map<std::string, std::pair<std::string, std::string>>& names) {
  std::string known;
  for (const auto& [code, zh_en] : names) known += (known.empty() ? "" : ", ") + code + " " + zh_en.first;
  return known;
}
}  // namespace

ResultEntry CanonicalEntry(const ResultEntry& entry) {
  const ResultCatalog& cat = Results();
  ResultEntry e = entry;
  const std::string code(text::Trim(e.result_code));
  if (const ResultCode* c = cat.Find(code)) e.result_code = c->code;
  e.method = CodeOf(cat.methods, std::string(text::Trim(e.method)));
  e.follow_up.kind = CodeOf(cat.follow_ups, std::string(text::Trim(e.follow_up.kind)));
  return e;
}

const ResultCatalog& Results() {
  static const ResultCatalog catalog = [] {
    ResultCatalog c;
    const EmbeddedFile* f = FindSchemaFile("data/result-codes.json");
    if (f == nullptr) return c;
    const json j = json::parse(f->view());
    for (const auto& e : j.at("codes"))
      c.codes.push_back(ResultCode{e.at("code"), e.at("zh"), e.at("en"), e.at("problem"), e.at("credit_event"),
                                   e.at("follow_up")});
    for (const auto& e : j.at("methods")) c.methods[e.at("code")] = {e.at("zh"), e.at("en")};
    for (const auto& e : j.at("follow_ups")) c.follow_ups[e.at("code")] = {e.at("zh"), e.at("en")};
    return c;
  }();
  return catalog;
}

Result<VisitOptions> VisitOptions::FromConfig(const std::map<std::string, std::string>& config) {
  VisitOptions o;
  auto number = [](const std::string& key, const std::string& value, int lo, int hi) -> Result<int> {
    int n = 0;
    if (value.empty() || value.size() > 4 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        (n = std::stoi(value)) < lo || n > hi)
      return Status::Error(StatusCode::kInvalidArgument,
                           "配置 " + key + " 须为 " + std::to_string(lo) + "–" + std::to_string(hi) + " 的整数，实际为 " + value,
                           "setting " + key + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                               ", got " + value);
    return n;
  };
  for (const auto& [key, value] : config) {
    if (key == "results.publish_days") {
      auto n = number(key, value, 1, 365);
      if (!n.ok()) return n.status();
      o.publish_working_days = n.value();
    } else if (key.rfind("results.publish_days.item.", 0) == 0) {
      auto n = number(key, value, 1, 365);
      if (!n.ok()) return n.status();
      o.publish_days_by_item[key.substr(26)] = n.value();
    } else if (key.rfind("results.publish_days.department.", 0) == 0) {
      auto n = number(key, value, 1, 365);
      if (!n.ok()) return n.status();
      o.publish_days_by_department[key.substr(32)] = n.value();
    } else if (key == "results.yellow_days") {
      auto n = number(key, value, 0, 60);
      if (!n.ok()) return n.status();
      o.yellow_working_days = n.value();
    }
  }
  return o;
}

int VisitOptions::PublishDays(const std::string& item, const std::string& department) const {
  if (auto it = publish_days_by_item.find(item); it != publish_days_by_item.end()) return it->second;
  if (auto it = publish_days_by_department.find(department); it != publish_days_by_department.end()) return it->second;
  return publish_working_days;
}

// ---------------------------------------------------------------------------------------------
// Visits.

Result<std::int64_t> CreateVisits(VisitContext& ctx, const std::string& task_id) {
  Database& db = Db(ctx);
  const std::int64_t now = Now(ctx);
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  auto task = LoadTaskOn(db, task_id);
  if (!task.ok()) return task.status();
  const TaskRecord& t = task.value();
  if (t.state != "drawn" && t.state != "revealed")
    return WrongState("任务 " + t.id + " 尚未抽取（状态 " + t.state + "），还没有检查对象",
                      "task " + t.id + " is not drawn (state " + t.state + "): it has no visits yet");
  bool exists = false;
  Status st = ScanRows(db, "SELECT 1 FROM visit_items WHERE task_id = ? LIMIT 1", {t.id}, [&](const ScanRow&) {
    exists = true;
    return false;
  });
  if (!st.ok()) return st;
  if (exists) return std::int64_t{0};
  auto spec = ParseTaskSpec(t.spec_json, ctx.tasks->spec_options);
  if (!spec.ok()) return spec.status();
  struct ItemInfo {
    ItemScope scope;
    std::string department;
  };
  std::vector<ItemInfo> items;
  st = ScanRows(db, "SELECT i.code, i.department, i.target_types, i.target_labels FROM draw_task_items ti "
                    "JOIN items i ON i.code = ti.item_code WHERE ti.task_id = ? ORDER BY i.code",
                {t.id}, [&](const ScanRow& r) {
                  ItemInfo info;
                  info.scope.code = std::string(r.values[0]);
                  info.department = std::string(r.values[1]);
                  for (auto p : SplitStoredList(r.values[2])) info.scope.target_types.emplace_back(p);
                  for (auto p : SplitStoredList(r.values[3])) info.scope.target_labels.emplace_back(p);
                  items.push_back(std::move(info));
                  return true;
                });
  if (!st.ok()) return st;
  const bool any_item = spec->scope == TaskSpec::Scope::kAnyItem;
  const std::string period = t.draw_date.substr(0, 7);
  auto visits = RowSink::Create(db, "visits",
                                {"id", "uscc", "state", "team", "period", "created_at_us", "updated_at_us"});
  if (!visits.ok()) return visits.status();
  auto members = RowSink::Create(db, "visit_inspectors", {"inspector_id", "visit_id"});
  if (!members.ok()) return members.status();
  auto rows = RowSink::Create(db, "visit_items",
                              {"visit_id", "item_code", "task_id", "department", "uscc", "state", "updated_at_us"});
  if (!rows.ok()) return rows.status();
  const std::string at = std::to_string(now);
  std::int64_t created = 0;
  Status problem = Status::Ok();
  st = ScanRows(db,
                "SELECT sel.rank, sel.uscc, sel.team, COALESCE(s.type, ''), COALESCE(s.labels, '') FROM draw_selection sel "
                "LEFT JOIN subjects s ON s.uscc = sel.uscc WHERE sel.task_id = ? ORDER BY sel.rank",
                {t.id}, [&](const ScanRow& r) {
                  const std::string id = t.id + "-" + std::string(r.values[0]);
                  const std::string uscc(r.values[1]);
                  SubjectFacts facts;
                  facts.type = r.values[3];
                  facts.labels = r.values[4];
                  std::vector<const ItemInfo*> mine;
                  for (const auto& it : items)
                    if (!any_item || ItemApplies(it.scope, facts)) mine.push_back(&it);
                  if (mine.empty()) mine.push_back(&items.front());  // cannot happen: the pool matched an item
                  problem = visits.value()->Add({id, uscc, std::string("assigned"), std::string(r.values[2]), period, at, at});
                  for (const auto& officer : SplitComma(r.values[2]))
                    if (problem.ok()) problem = members.value()->Add({officer, id});
                  for (const auto* it : mine)
                    if (problem.ok())
                      problem = rows.value()->Add(
                          {id, it->scope.code, t.id, it->department, uscc, std::string("pending"), at});
                  ++created;
                  return problem.ok();
                });
  if (!st.ok()) return st;
  if (!problem.ok()) return problem;
  for (auto* sink : {visits.value().get(), members.value().get(), rows.value().get()})
    if (auto s = sink->Finish(); !s.ok()) return s;
  json payload{{"task", t.id}, {"visits", created}};
  if (auto s = AppendJournal(db, Actor(ctx), now,
                             {AuditEntry{"visits.create", "draw_task", t.id, t.digest, t.digest, ""}},
                             {OutboxEvent{"visit.created", t.id, payload.dump()}});
      !s.ok())
    return s;
  if (auto s = tx.Commit(); !s.ok()) return s;
  return created;
}

Result<Visit> LoadVisit(VisitContext& ctx, const std::string& id) { return ReadVisit(Db(ctx), id); }

json VisitJson(const Visit& v) {
  json items = json::array();
  const auto& cat = Results();
  for (const auto& it : v.items) {
    json j{{"item", it.item_code}, {"item_name", it.item_name}, {"task", it.task_id}, {"department", it.department},
           {"state", it.state}, {"card", it.card}};
    if (!it.result_code.empty()) {
      j["result"] = it.result_code;
      if (const auto* c = cat.Find(it.result_code)) j["result_text"] = {{"zh", c->zh}, {"en", c->en}};
      j["findings"] = it.findings;
      j["inspected_on"] = it.inspected_on;
      j["method"] = it.method;
      j["entered_by"] = it.entered_by;
      j["follow_up"] = FollowUpJson(it.follow_up);
    }
    if (!it.review_reason.empty()) j["review_reason"] = it.review_reason;
    if (!it.reviewed_by.empty()) j["reviewed_by"] = it.reviewed_by;
    if (!it.due_date.empty()) {
      j["due_date"] = it.due_date;
      j["due_provisional"] = it.due_provisional;  // counted over a year without a holiday notice
    }
    if (!it.published_on.empty()) j["published_on"] = it.published_on;
    items.push_back(j);
  }
  json j{{"id", v.id}, {"uscc", v.uscc}, {"name", v.name}, {"address", v.address}, {"state", v.state},
         {"period", v.period}, {"team", v.team}, {"lead", v.team.empty() ? "" : v.team.front()}, {"items", items}};
  if (!v.merged_into.empty()) j["merged_into"] = v.merged_into;
  if (!v.started_on.empty()) j["started_on"] = v.started_on;
  return j;
}

Result<Visit> StartVisit(VisitContext& ctx, const std::string& id, const std::string& by, const std::string& date) {
  Database& db = Db(ctx);
  const std::int64_t now = Now(ctx);
  const std::string on = date.empty() ? Today(ctx) : date;
  if (!IsDate(on)) return Refuse("日期须为 YYYY-MM-DD：" + on, "the date must be YYYY-MM-DD: " + on);
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  if (auto st = LockVisit(db, id); !st.ok()) return st;
  auto v = ReadVisit(db, id);
  if (!v.ok()) return v.status();
  Visit visit = std::move(v).value();
  if (visit.state == "merged")
    return WrongState("检查记录 " + id + " 已并入联合检查 " + visit.merged_into, "visit " + id + " was merged into " + visit.merged_into);
  if (visit.state != "assigned")
    return WrongState("检查记录 " + id + " 已开始（状态 " + visit.state + "）", "visit " + id + " has started already (state " + visit.state + ")");
  if (std::find(visit.team.begin(), visit.team.end(), by) == visit.team.end())
    return Refuse(by + " 不在检查记录 " + id + " 的检查组中", by + " is not on the team of visit " + id);
  if (on > Today(ctx)) return Refuse("开始日期 " + on + " 晚于今天", "the start date " + on + " is in the future");
  for (const auto& it : visit.items) {
    auto task = LoadTaskOn(db, it.task_id);
    if (!task.ok()) return task.status();
    if (!task->draw_date.empty() && on < task->draw_date)
      return Refuse("开始日期 " + on + " 早于抽取日期 " + task->draw_date, "the start date " + on + " is before the draw on " + task->draw_date);
  }
  visit.started_on = on;
  visit.started_by = by;
  visit.state = "in_progress";
  if (auto st = SaveVisitState(db, visit, now); !st.ok()) return st;
  json payload{{"visit", id}, {"by", by}, {"date", on}};
  if (auto st = AppendJournal(db, Actor(ctx), now, {AuditEntry{"visit.start", "visit", id, "", ToHex(Sha256(payload.dump())), ""}},
                              {OutboxEvent{"visit.started", id, payload.dump()}});
      !st.ok())
    return st;
  if (auto st = tx.Commit(); !st.ok()) return st;
  return ReadVisit(db, id);
}

namespace {

// Checks an entry against the catalog and the visit; fills the item.
Status CheckEntry(VisitContext& ctx, const ResultEntry& e, VisitItem* item, const TaskRecord& task) {
  const auto& cat = Results();
  const ResultCode* code = cat.Find(e.result_code);
  if (code == nullptr) {
    std::string known;
    for (const auto& c : cat.codes) known += (known.empty() ? "" : ", ") + c.code + " " + c.zh;
    return Refuse("未知的检查结果代码：" + e.result_code + "（可用：" + known + "）",
                  "unknown result code: " + e.result_code + " (known: " + known + ")");
  }
  if (cat.methods.count(e.method) == 0) {
    const std::string known = KnownList(cat.methods);
    return Refuse("未知的检查方式：" + e.method + "（可用：" + known + "）", "unknown inspection method: " + e.method + " (known: " + known + ")");
  }
  if (!IsDate(e.inspected_on))
    return Refuse("检查日期须为 YYYY-MM-DD 的有效日期：" + e.inspected_on, "the inspection date must be a valid YYYY-MM-DD: " + e.inspected_on);
  if (e.inspected_on > Today(ctx))
    return Refuse("检查日期 " + e.inspected_on + " 晚于今天", "the inspection date " + e.inspected_on + " is in the future");
  if (!task.draw_date.empty() && e.inspected_on < task.draw_date)
    return Refuse("检查日期 " + e.inspected_on + " 早于抽取日期 " + task.draw_date,
                  "the inspection date " + e.inspected_on + " is before the draw on " + task.draw_date);
  if (!text::IsValidUtf8(e.findings)) return Refuse("检查情况不是有效的 UTF-8 文本", "the findings are not valid UTF-8");
  if (text::CodePointCount(e.findings) > 2000) return Refuse("检查情况最多 2000 字", "the findings are limited to 2,000 characters");
  if (e.findings.find('\0') != std::string::npos) return Refuse("检查情况含有 NUL 字符", "the findings contain a NUL character");
  const FollowUp& f = e.follow_up;
  if (cat.follow_ups.count(f.kind) == 0)
    return Refuse("未知的后续处置：" + f.kind + "（可用：" + KnownList(cat.follow_ups) + "）",
                  "unknown follow-up: " + f.kind + " (known: " + KnownList(cat.follow_ups) + ")");
  if (code->follow_up == "none" && f.kind != "none")
    return Refuse("检查结果 " + code->zh + " 无需后续处置", "result " + code->en + " takes no follow-up");
  if ((code->follow_up == "correct" || code->follow_up == "case") && f.kind != code->follow_up)
    return Refuse("检查结果 " + code->zh + " 须填写后续处置 " + code->follow_up, "result " + code->en + " needs the follow-up " + code->follow_up);
  if (f.kind == "correct") {
    if (!IsDate(f.deadline) || f.deadline < e.inspected_on)
      return Refuse("责令改正须有不早于检查日期的改正期限（YYYY-MM-DD）", "an order to correct needs a deadline (YYYY-MM-DD) not before the inspection");
  } else if (!f.deadline.empty()) {
    return Refuse("只有责令改正有改正期限", "only an order to correct has a deadline");
  }
  if (f.kind == "transfer") {
    Status st;
    if (f.to_department.empty() || !DepartmentExists(Db(ctx), f.to_department, &st))
      return st.ok() ? Refuse("移送须指明存在的接收部门：" + f.to_department, "a transfer names an existing department: " + f.to_department) : st;
    if (f.to_department == item->department)
      return Refuse("不能移送给本部门", "a transfer goes to another department");
  } else if (!f.to_department.empty()) {
    return Refuse("只有移送有接收部门", "only a transfer names a department");
  }
  if (f.kind == "case") {
    if (f.case_no.empty() || f.case_no.size() > 64 || !text::IsValidUtf8(f.case_no))
      return Refuse("立案查处须填写案件编号（最多 64 字节）", "a case filed needs its case number (at most 64 bytes)");
  } else if (!f.case_no.empty()) {
    return Refuse("只有立案查处有案件编号", "only a case filed has a case number");
  }
  return Status::Ok();
}

}  // namespace

Result<Visit> EnterResult(VisitContext& ctx, const ResultEntry& entry) {
  const ResultEntry e = CanonicalEntry(entry);  // Chinese names of codes, methods, follow-ups
  Database& db = Db(ctx);
  const std::int64_t now = Now(ctx);
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  if (auto st = LockVisit(db, e.visit_id); !st.ok()) return st;
  auto v = ReadVisit(db, e.visit_id);
  if (!v.ok()) return v.status();
  Visit visit = std::move(v).value();
  if (visit.state == "merged")
    return WrongState("检查记录 " + visit.id + " 已并入联合检查 " + visit.merged_into,
                      "visit " + visit.id + " was merged into " + visit.merged_into);
  auto it = std::find_if(visit.items.begin(), visit.items.end(), [&](const VisitItem& x) { return x.item_code == e.item_code; });
  if (it == visit.items.end())
    return NotFound("检查记录 " + visit.id + " 没有抽查事项 " + e.item_code, "visit " + visit.id + " has no item " + e.item_code);
  if (it->state == "approved" || it->state == "published")
    return WrongState("事项 " + e.item_code + " 的结果已" + (it->state == "approved" ? "审核通过" : "公示") + "，不能再修改",
                      "the result of item " + e.item_code + " is " + it->state + " and cannot change");
  if (std::find(visit.team.begin(), visit.team.end(), e.by) == visit.team.end())
    return Refuse(e.by + " 不在检查记录 " + visit.id + " 的检查组中（谁检查、谁录入）",
                  e.by + " is not on the team of visit " + visit.id + " (who inspects enters)");
  auto who = Inspector(db, e.by);
  if (!who.ok()) return who.status();
  if (who->department != it->department)
    return Refuse(e.by + " 属于部门 " + who->department + "，事项 " + e.item_code + " 的结果由部门 " + it->department + " 录入",
                  e.by + " belongs to " + who->department + "; the result of item " + e.item_code + " is entered by " +
                      it->department);
  auto task = LoadTaskOn(db, it->task_id);
  if (!task.ok()) return task.status();
  if (auto st = CheckEntry(ctx, e, &*it, task.value()); !st.ok()) return st;
  auto due = AddWorkdays(ctx, e.inspected_on, ctx.options.PublishDays(it->item_code, it->department));
  if (!due.ok()) return due.status();
  const bool provisional = IsProvisionalSpan(ctx, e.inspected_on, due.value());
  const std::string before = ItemDigest(visit.id, *it);
  it->state = "entered";
  it->result_code = e.result_code;
  it->findings = e.findings;
  it->inspected_on = e.inspected_on;
  it->method = e.method;
  it->entered_by = e.by;
  it->follow_up = e.follow_up;
  it->due_date = due->ToString();
  it->due_provisional = provisional;
  it->card = "none";
  if (auto st = SaveItem(db, visit.id, *it, now); !st.ok()) return st;
  if (visit.started_on.empty()) {
    visit.started_on = e.inspected_on;
    visit.started_by = e.by;
  }
  visit.state = AggregateState(visit.items, true);
  if (auto st = SaveVisitState(db, visit, now); !st.ok()) return st;
  json payload{{"visit", visit.id}, {"item", it->item_code}, {"department", it->department}, {"result", it->result_code},
               {"due_date", it->due_date}, {"due_provisional", it->due_provisional}};
  if (auto st = Journal(ctx, now, "visit.result", visit.id + "/" + it->item_code, before, ItemDigest(visit.id, *it),
                        {OutboxEvent{"visit.result.entered", visit.id, payload.dump()}});
      !st.ok())
    return st;
  if (auto st = tx.Commit(); !st.ok()) return st;
  return ReadVisit(db, visit.id);
}

Result<Visit> ReviewResults(VisitContext& ctx, const std::string& id, const std::string& department,
                            const std::string& item, bool approve, const std::string& reason) {
  Database& db = Db(ctx);
  const std::int64_t now = Now(ctx);
  if (!approve && (reason.empty() || !text::IsValidUtf8(reason) || text::CodePointCount(reason) > 500))
    return Refuse("退回须写明理由（最多 500 字）", "a return needs its reason (at most 500 characters)");
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  if (auto st = LockVisit(db, id); !st.ok()) return st;
  auto v = ReadVisit(db, id);
  if (!v.ok()) return v.status();
  Visit visit = std::move(v).value();
  const std::string today = Today(ctx);
  std::vector<AuditEntry> audit;
  std::vector<OutboxEvent> events;
  int touched = 0;
  for (auto& it : visit.items) {
    if (it.department != department || (!item.empty() && it.item_code != item)) continue;
    if (it.state != "entered") {
      if (!item.empty())
        return WrongState("事项 " + item + " 的结果处于 " + it.state + " 状态，只能审核已录入的结果",
                          "the result of item " + item + " is " + it.state + "; only entered results are reviewed");
      continue;
    }
    const std::string before = ItemDigest(id, it);
    it.state = approve ? "approved" : "returned";
    it.reviewed_by = Actor(ctx);
    it.review_reason = approve ? "" : reason;
    if (auto st = SaveItem(db, id, it, now); !st.ok()) return st;
    audit.push_back(AuditEntry{approve ? "visit.approve" : "visit.return", "visit_item", id + "/" + it.item_code, before,
                               ItemDigest(id, it), ""});
    json payload{{"visit", id}, {"item", it.item_code}, {"department", department}};
    if (!approve) payload["reason"] = reason;
    events.push_back(OutboxEvent{approve ? "visit.result.approved" : "visit.result.returned", id, payload.dump()});
    if (approve) {
      const ResultCode* code = Results().Find(it.result_code);
      if (code != nullptr && !code->credit_event.empty()) {
        // For the credit side: 经营异常名录 within 10 working days of the verification.
        auto listing_due = AddWorkdays(ctx, today, 10);
        if (!listing_due.ok()) return listing_due.status();
        json credit{{"uscc", visit.uscc}, {"visit", id}, {"item", it.item_code}, {"department", department},
                    {"result", it.result_code}, {"inspected_on", it.inspected_on}, {"verified_on", today},
                    {"listing_due", listing_due->ToString()},
                    {"listing_due_provisional", IsProvisionalSpan(ctx, today, listing_due.value())}};
        events.push_back(OutboxEvent{code->credit_event, visit.uscc, credit.dump()});
      }
    }
    ++touched;
  }
  if (touched == 0)
    return WrongState("检查记录 " + id + " 没有部门 " + department + " 待审核的结果",
                      "visit " + id + " has no entered result of department " + department + " to review");
  visit.state = AggregateState(visit.items, true);
  if (auto st = SaveVisitState(db, visit, now); !st.ok()) return st;
  if (auto st = AppendJournal(db, Actor(ctx), now, audit, events); !st.ok()) return st;
  if (auto st = tx.Commit(); !st.ok()) return st;
  return ReadVisit(db, id);
}

Result<Visit> PublishResults(VisitContext& ctx, const std::string& id, const std::string& department) {
  Database& db = Db(ctx);
  const std::int64_t now = Now(ctx);
  const std::string today = Today(ctx);
  std::set<std::string> tasks;
  {
    WriteTransaction tx(db);
    if (auto st = tx.Begin(); !st.ok()) return st;
    if (auto st = LockVisit(db, id); !st.ok()) return st;
    auto v = ReadVisit(db, id);
    if (!v.ok()) return v.status();
    Visit visit = std::move(v).value();
    std::vector<AuditEntry> audit;
    std::vector<OutboxEvent> events;
    int pending = 0;
    for (auto& it : visit.items) {
      if (it.department != department) continue;
      if (it.state != "approved") {
        if (it.state != "published") ++pending;
        continue;
      }
      const std::string before = ItemDigest(id, it);
      it.state = "published";
      it.published_on = today;
      const bool late = !it.due_date.empty() && today > it.due_date;
      if (!late) it.card = "none";  // published in time: no warning stays on it
      if (late && it.card != "red") {
        it.card = "red";
        events.push_back(OutboxEvent{"visit.deadline.red", id,
                                     json{{"visit", id}, {"item", it.item_code}, {"department", department},
                                          {"due_date", it.due_date}, {"published_on", today}}
                                         .dump()});
      }
      if (auto st = SaveItem(db, id, it, now); !st.ok()) return st;
      audit.push_back(AuditEntry{"visit.publish", "visit_item", id + "/" + it.item_code, before, ItemDigest(id, it), ""});
      events.push_back(OutboxEvent{"visit.result.published", id,
                                   json{{"visit", id}, {"item", it.item_code}, {"department", department},
                                        {"task", it.task_id}, {"uscc", visit.uscc}, {"result", it.result_code},
                                        {"published_on", today}, {"late", late}}
                                       .dump()});
      tasks.insert(it.task_id);
    }
    if (audit.empty())
      return WrongState("检查记录 " + id + " 没有部门 " + department + " 已审核待公示的结果" +
                            (pending ? "（" + std::to_string(pending) + " 项尚未审核通过）" : ""),
                        "visit " + id + " has no approved result of department " + department + " to publish" +
                            (pending ? " (" + std::to_string(pending) + " not approved yet)" : ""));
    visit.state = AggregateState(visit.items, true);
    if (auto st = SaveVisitState(db, visit, now); !st.ok()) return st;
    if (auto st = AppendJournal(db, Actor(ctx), now, audit, events); !st.ok()) return st;
    if (auto st = tx.Commit(); !st.ok()) return st;
  }
  // A task whose results are all published is revealed (a failure here is retried by the
  // next RefreshDeadlines: nothing is lost).
  auto r = RevealComplete(ctx, tasks);
  if (!r.ok()) return r.status();
  return ReadVisit(db, id);
}

// ---------------------------------------------------------------------------------------------
// Results files.

Result<ResultsImportSummary> ImportResults(VisitContext& ctx, const std::string& path, const std::string& rejects_path) {
  static const std::vector<std::string> kColumns = {"visit_id", "item",    "result",      "inspected_on",
                                                    "method",   "findings", "follow_up",  "follow_up_deadline",
                                                    "transfer_to", "case_no", "inspector"};
  constexpr std::uint64_t kMaxBytes = 64ull << 20;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::Error(StatusCode::kUnavailable, "无法读取文件 " + path, "cannot read " + path);
  if (size > kMaxBytes)
    return Refuse("结果文件超过 64 MiB：" + path, "the results file is larger than 64 MiB: " + path);
  CsvOptions o;
  o.max_record_bytes = 64 * 1024;
  o.max_fields = 32;
  auto reader = CsvReader::Open(path, o);
  if (!reader.ok()) return reader.status();
  CsvReader& csv = *reader.value();
  std::vector<std::string> fields;
  auto header = csv.Next(&fields);
  if (!header.ok()) return header.status();
  if (!header.value()) return Refuse("结果文件为空：" + path, "the results file is empty: " + path);
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string name = fields[i];
    if (i == 0 && name.rfind("\xEF\xBB\xBF", 0) == 0) name = name.substr(3);
    if (std::find(kColumns.begin(), kColumns.end(), name) == kColumns.end())
      return Refuse("结果文件的表头有未知列：" + name, "unknown column in the results header: " + name);
    if (col.count(name)) return Refuse("结果文件的表头重复列：" + name, "column listed twice in the results header: " + name);
    col[name] = i;
  }
  for (const char* required : {"visit_id", "item", "result", "inspected_on", "method", "inspector"})
    if (!col.count(required))
      return Refuse(std::string("结果文件缺少列：") + required, std::string("the results file lacks the column ") + required);
  ResultsImportSummary sum;
  sum.rejects_path = rejects_path;
  std::string rejects;
  std::vector<std::string> header_out{"line"};
  header_out.insert(header_out.end(), kColumns.begin(), kColumns.end());
  header_out.push_back("reason");
  AppendCsvRecord(&rejects, header_out, true);
  auto reject = [&](std::uint64_t line, const std::vector<std::string>& f, const std::string& reason) {
    ++sum.rejected;
    if (sum.sample_rejects.size() < 20) sum.sample_rejects.push_back("line " + std::to_string(line) + ": " + reason);
    std::vector<std::string> out{std::to_string(line)};
    for (const auto& c : kColumns) out.push_back(col.count(c) && col[c] < f.size() ? f[col[c]] : "");
    out.push_back(reason);
    AppendCsvRecord(&rejects, out, true);
  };
  while (true) {
    auto next = csv.Next(&fields);
    const std::uint64_t line = csv.record_line();
    if (!next.ok()) {
      ++sum.lines;
      reject(line, {}, next.status().message());
      continue;
    }
    if (!next.value()) break;
    ++sum.lines;
    if (fields.size() != col.size()) {
      reject(line, fields, "列数为 " + std::to_string(fields.size()) + "，表头为 " + std::to_string(col.size()) + " / " +
                               std::to_string(fields.size()) + " fields, the header has " + std::to_string(col.size()));
      continue;
    }
    auto get = [&](const char* name) { return col.count(name) ? fields[col[name]] : std::string(); };
    ResultEntry e;
    e.visit_id = get("visit_id");
    e.item_code = get("item");
    e.result_code = get("result");
    e.inspected_on = get("inspected_on");
    e.method = get("method");
    e.findings = get("findings");
    e.by = get("inspector");
    e.follow_up.kind = get("follow_up").empty() ? "none" : get("follow_up");
    e.follow_up.deadline = get("follow_up_deadline");
    e.follow_up.to_department = get("transfer_to");
    e.follow_up.case_no = get("case_no");
    auto r = EnterResult(ctx, e);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kInternal) return r.status();
      reject(line, fields, r.status().message());
      continue;
    }
    ++sum.entered;
  }
  if (!rejects_path.empty() && sum.rejected > 0) {
    std::ofstream out(rejects_path, std::ios::binary | std::ios::trunc);
    out << rejects;
    if (!out) return Status::Error(StatusCode::kUnavailable, "无法写入 " + rejects_path, "cannot write " + rejects_path);
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Deadlines.

Result<std::vector<Deadline>> ListDeadlines(VisitContext& ctx, const DeadlineQuery& q) {
  Database& db = Db(ctx);
  const std::string today = Today(ctx);
  auto today_d = Date::Parse(today);
  if (!today_d.ok()) return today_d.status();
  // The SQL takes a calendar-day bound that no run of yellow_working_days working days can
  // pass (holidays are at most 9 days off); each row is then classified exactly, which only
  // needs the calendar between today and its due date.
  const std::string yellow_until = (today_d.value() + (2 * ctx.options.yellow_working_days + 20)).ToString();
  if (!q.state.empty() && q.state != "yellow" && q.state != "red")
    return Refuse("状态须为 yellow 或 red：" + q.state, "the state must be yellow or red: " + q.state);
  if (Status s = RequireKnownDepartment(ctx, q.department); !s.ok()) return s;
  std::vector<Deadline> out;
  std::vector<std::optional<std::string>> params;
  auto where = [&](bool open) {
    std::string sql = std::string(" WHERE ") + (open ? "state <> 'published'" : "state = 'published'") +
                      " AND due_date IS NOT NULL";
    FilterEquals(&sql, &params, "department", q.department);
    return sql;
  };
  std::string sql =
      "SELECT visit_id, item_code, department, task_id, uscc, due_date, state, card, '', due_provisional, "
      "COALESCE(inspected_on, '') FROM visit_items" +
      where(true);
  if (q.state == "red") {
    sql += " AND due_date < ?";
    params.emplace_back(today);
  } else if (q.state == "yellow") {
    sql += " AND due_date >= ? AND due_date <= ?";
    params.emplace_back(today);
    params.emplace_back(yellow_until);
  }
  sql += " ORDER BY due_date, visit_id, item_code";
  if (q.limit > 0) sql += " LIMIT " + std::to_string(q.limit);
  const WorkingCalendar& cal = Calendar(ctx);
  Status problem = Status::Ok();
  auto add = [&](const ScanRow& r, bool published) {
    Deadline d;
    d.visit_id = std::string(r.values[0]);
    d.item_code = std::string(r.values[1]);
    d.department = std::string(r.values[2]);
    d.task_id = std::string(r.values[3]);
    d.uscc = std::string(r.values[4]);
    d.due_date = std::string(r.values[5]);
    d.state = std::string(r.values[6]);
    d.published_on = std::string(r.values[8]);
    d.provisional = r.values[9] == "1";
    d.inspected_on = std::string(r.values[10]);
    auto due = Date::Parse(d.due_date);
    if (!due.ok()) {
      problem = due.status();
      return false;
    }
    if (published) {
      // Nothing counts down once published: the row says when, and whether in time.
      d.on_time = d.published_on <= d.due_date;
      d.card = d.on_time ? "green" : "red";
      out.push_back(std::move(d));
      return true;
    }
    auto left = cal.WorkingDaysBetween(today_d.value(), due.value());
    if (!left.ok()) {
      problem = left.status();
      return false;
    }
    d.working_days_left = left.value();
    d.card = d.due_date < today ? "red" : d.working_days_left <= ctx.options.yellow_working_days ? "yellow" : "green";
    if (q.state == "yellow" && d.card != "yellow") return true;
    out.push_back(std::move(d));
    return true;
  };
  Status st = ScanRows(db, sql, params, [&](const ScanRow& r) { return add(r, false); });
  if (!st.ok()) return st;
  if (!problem.ok()) return problem;
  if (q.include_published && (q.state.empty() || q.state == "red") && (q.limit <= 0 || static_cast<std::int64_t>(out.size()) < q.limit)) {
    params.clear();
    std::string psql =
        "SELECT visit_id, item_code, department, task_id, uscc, due_date, state, card, published_on, due_provisional, "
        "COALESCE(inspected_on, '') FROM visit_items" +
        where(false);
    if (q.state == "red") psql += " AND published_on > due_date";
    psql += " ORDER BY due_date, visit_id, item_code";
    if (q.limit > 0) psql += " LIMIT " + std::to_string(q.limit - static_cast<std::int64_t>(out.size()));
    st = ScanRows(db, psql, params, [&](const ScanRow& r) { return add(r, true); });
    if (!st.ok()) return st;
    if (!problem.ok()) return problem;
  }
  return out;
}

Result<RefreshSummary> RefreshDeadlines(VisitContext& ctx) {
  Database& db = Db(ctx);
  RefreshSummary sum;
  // Drawn tasks without visits (a crash between the draw and CreateVisits).
  std::vector<std::string> missing;
  Status st = ScanRows(db,
                       "SELECT t.id FROM draw_tasks t WHERE t.state IN ('drawn', 'revealed') AND NOT EXISTS "
                       "(SELECT 1 FROM visit_items vi WHERE vi.task_id = t.id) ORDER BY t.id",
                       {}, [&](const ScanRow& r) {
                         missing.emplace_back(r.values[0]);
                         return true;
                       });
  if (!st.ok()) return st;
  for (const auto& t : missing) {
    auto n = CreateVisits(ctx, t);
    if (!n.ok()) return n.status();
    sum.visits_created += n.value();
  }
  const std::string today = Today(ctx);
  auto today_d = Date::Parse(today);
  if (!today_d.ok()) return today_d.status();
  const std::string yellow_until = (today_d.value() + (2 * ctx.options.yellow_working_days + 20)).ToString();
  const WorkingCalendar& cal = Calendar(ctx);
  const std::int64_t now = Now(ctx);
  {
    WriteTransaction tx(db);
    if (auto s = tx.Begin(); !s.ok()) return s;
    std::vector<OutboxEvent> events;
    std::vector<AuditEntry> audit;
    // Provisional due dates, recomputed on the calendar as it is now (a notice loaded since
    // they were counted moves them, or confirms them), published ones too (whether they were
    // published late is judged again).
    struct Recount {
      std::string visit, item, department, inspected_on, due, card, state, published_on, new_due, new_card;
      bool still_provisional = false;
    };
    std::vector<Recount> recounts;
    st = ScanRows(db,
                  "SELECT visit_id, item_code, department, inspected_on, due_date, card, state, COALESCE(published_on, '') "
                  "FROM visit_items WHERE due_provisional = 1 AND due_date IS NOT NULL AND inspected_on IS NOT NULL "
                  "ORDER BY visit_id, item_code",
                  {}, [&](const ScanRow& r) {
                    Recount c;
                    c.visit = r.values[0];
                    c.item = r.values[1];
                    c.department = r.values[2];
                    c.inspected_on = r.values[3];
                    c.due = r.values[4];
                    c.card = r.values[5];
                    c.state = r.values[6];
                    c.published_on = r.values[7];
                    recounts.push_back(std::move(c));
                    return true;
                  });
    if (!st.ok()) return st;
    for (Recount& c : recounts) {
      auto due = AddWorkdays(ctx, c.inspected_on, ctx.options.PublishDays(c.item, c.department));
      if (!due.ok()) return due.status();
      c.new_due = due->ToString();
      c.still_provisional = IsProvisionalSpan(ctx, c.inspected_on, due.value());
      // The card the new date calls for. Published: red when it was published late. Open, a
      // date moved later: the card is taken back to what the new date calls for; moved
      // earlier: the card given stays, and the card pass below turns it yellow or red with
      // its event when the new date calls for more.
      if (c.state == "published") {
        c.new_card = c.published_on > c.new_due ? "red" : "none";
      } else if (c.new_due > c.due) {
        c.new_card = c.new_due < today ? "red" : "none";
        if (c.new_card == "none" && c.card != "none") {
          auto left = cal.WorkingDaysBetween(today_d.value(), due.value());
          if (!left.ok()) return left.status();
          if (left.value() <= ctx.options.yellow_working_days) c.new_card = "yellow";
        }
      } else {
        c.new_card = c.card;
      }
    }
    try {
      for (const Recount& c : recounts) {
        if (c.new_due == c.due && c.still_provisional) continue;
        // Guarded by what was read: an entry or a publication that committed in between
        // (PostgreSQL, another node) is not overwritten; the next refresh looks again.
        bool changed = false;
        Status u = ScanRows(db,
                            "UPDATE visit_items SET due_date = ?, due_provisional = ?, card = ?, updated_at_us = ? "
                            "WHERE visit_id = ? AND item_code = ? AND due_date = ? AND due_provisional = 1 AND state = ? "
                            "RETURNING visit_id",
                            {c.new_due, std::string(c.still_provisional ? "1" : "0"), c.new_card, std::to_string(now),
                             c.visit, c.item, c.due, c.state},
                            [&](const ScanRow&) {
                              changed = true;
                              return true;
                            });
        if (!u.ok()) return u;
        if (!changed) continue;
        const std::string key = c.visit + "/" + c.item + ": " + c.due + " -> " + c.new_due;
        const std::string before = ToHex(Sha256(json{{"due_date", c.due}, {"provisional", true}, {"card", c.card}}.dump()));
        const std::string after =
            ToHex(Sha256(json{{"due_date", c.new_due}, {"provisional", c.still_provisional}, {"card", c.new_card}}.dump()));
        if (c.new_due == c.due) {
          ++sum.confirmed;
          audit.push_back(AuditEntry{"visit.deadline.confirm", "visit_item", key, before, after, ""});
          continue;
        }
        ++sum.moved;
        const json payload{{"visit", c.visit},   {"item", c.item},         {"department", c.department},
                           {"state", c.state},   {"inspected_on", c.inspected_on}, {"from", c.due},
                           {"to", c.new_due},    {"provisional", c.still_provisional},
                           {"card_before", c.card}, {"card_after", c.new_card}};
        audit.push_back(AuditEntry{"visit.deadline.move", "visit_item", key, before, after, ""});
        events.push_back(OutboxEvent{"visit.deadline.moved", c.visit, payload.dump()});
      }
    } catch (const std::exception& e) {
      return DbError(e, "重新计算暂定期限失败", "recomputing the provisional deadlines failed");
    }
    struct Change {
      std::string visit, item, card;
    };
    std::vector<Change> changes;
    Status problem = Status::Ok();
    st = ScanRows(db,
                  "SELECT visit_id, item_code, department, due_date, card FROM visit_items WHERE state <> 'published' "
                  "AND due_date IS NOT NULL AND due_date <= ? AND card <> 'red' ORDER BY due_date, visit_id, item_code",
                  {yellow_until}, [&](const ScanRow& r) {
                    const std::string due(r.values[3]), card(r.values[4]);
                    std::string next = "red";
                    if (due >= today) {
                      auto due_d = Date::Parse(due);
                      if (!due_d.ok()) return true;  // never stored: EnterResult writes the date
                      auto left = cal.WorkingDaysBetween(today_d.value(), due_d.value());
                      if (!left.ok()) {
                        problem = left.status();
                        return false;
                      }
                      if (left.value() > ctx.options.yellow_working_days) return true;
                      next = "yellow";
                    }
                    if (next == card) return true;
                    changes.push_back({std::string(r.values[0]), std::string(r.values[1]), next});
                    events.push_back(OutboxEvent{"visit.deadline." + next, std::string(r.values[0]),
                                                 json{{"visit", r.values[0]}, {"item", r.values[1]},
                                                      {"department", r.values[2]}, {"due_date", due}, {"today", today}}
                                                     .dump()});
                    return true;
                  });
    if (!st.ok()) return st;
    if (!problem.ok()) return problem;
    try {
      for (const auto& c : changes) {
        std::string card = c.card, v = c.visit, i = c.item;
        db.session() << "UPDATE visit_items SET card = :c WHERE visit_id = :v AND item_code = :i", soci::use(card),
            soci::use(v), soci::use(i);
        (c.card == "red" ? sum.red : sum.yellow)++;
      }
    } catch (const std::exception& e) {
      return DbError(e, "更新期限状态失败", "updating the deadline cards failed");
    }
    if (!changes.empty())
      audit.push_back(AuditEntry{"deadlines.refresh", "deadlines", today, "", ToHex(Sha256(std::to_string(changes.size()))), ""});
    if (!audit.empty() || !events.empty()) {
      if (auto s = AppendJournal(db, Actor(ctx), now, audit, events); !s.ok()) return s;
    }
    if (auto s = tx.Commit(); !s.ok()) return s;
  }
  std::set<std::string> drawn;
  st = ScanRows(db, "SELECT id FROM draw_tasks WHERE state = 'drawn'", {}, [&](const ScanRow& r) {
    drawn.emplace(r.values[0]);
    return true;
  });
  if (!st.ok()) return st;
  auto revealed = RevealComplete(ctx, drawn);
  if (!revealed.ok()) return revealed.status();
  sum.revealed = revealed.value();
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Merging.

Result<MergeReport> MergeVisits(VisitContext& ctx, const std::string& period, bool apply) {
  Database& db = Db(ctx);
  if (period.size() != 7 || period[4] != '-' || !IsDate(period + "-01"))
    return Refuse("期间须为 YYYY-MM：" + period, "the period must be YYYY-MM: " + period);
  struct Row {
    std::string visit, uscc, team, task, department, item;
  };
  std::vector<Row> rows;
  Status st = ScanRows(db,
                       "SELECT v.id, v.uscc, v.team, vi.task_id, vi.department, vi.item_code FROM visits v "
                       "JOIN visit_items vi ON vi.visit_id = v.id WHERE v.period = ? AND v.state = 'assigned' "
                       "ORDER BY v.uscc, v.id, vi.item_code",
                       {period}, [&](const ScanRow& r) {
                         rows.push_back({std::string(r.values[0]), std::string(r.values[1]), std::string(r.values[2]),
                                         std::string(r.values[3]), std::string(r.values[4]), std::string(r.values[5])});
                         return true;
                       });
  if (!st.ok()) return st;
  MergeReport rep;
  std::map<std::string, std::string> team_of;
  for (std::size_t i = 0; i < rows.size();) {
    // The subject's not-yet-started visits of this period, each with its items.
    std::size_t j = i;
    const std::string uscc = rows[i].uscc;
    std::vector<std::string> order;
    std::map<std::string, std::vector<const Row*>> rows_of;
    while (j < rows.size() && rows[j].uscc == uscc) {
      if (!rows_of.count(rows[j].visit)) order.push_back(rows[j].visit);
      rows_of[rows[j].visit].push_back(&rows[j]);
      team_of[rows[j].visit] = rows[j].team;
      ++j;
    }
    i = j;
    // A joint visit from an earlier merge ("<visit>@J") takes the others in; otherwise the
    // first visit's id names the joint one. A visit is added only when none of its items is
    // there already (the same item twice is two inspections, not one visit).
    std::stable_partition(order.begin(), order.end(), [](const std::string& v) { return v.size() > 2 && v.compare(v.size() - 2, 2, "@J") == 0; });
    MergeProposal p;
    p.uscc = uscc;
    std::set<std::string> departments, tasks, items;
    for (const auto& v : order) {
      bool clash = false;
      for (const Row* r : rows_of[v]) clash = clash || items.count(r->item) != 0;
      if (clash) continue;
      p.visits.push_back(v);
      for (const Row* r : rows_of[v]) {
        departments.insert(r->department);
        tasks.insert(r->task);
        items.insert(r->item);
      }
    }
    if (p.visits.size() < 2 || departments.size() < 2) continue;
    const std::string& first = p.visits.front();
    p.joint_id = first.size() > 2 && first.compare(first.size() - 2, 2, "@J") == 0 ? first : first + "@J";
    p.departments.assign(departments.begin(), departments.end());
    p.tasks.assign(tasks.begin(), tasks.end());
    p.items.assign(items.begin(), items.end());
    for (const auto& v : p.visits)
      for (const auto& officer : SplitComma(team_of[v]))
        if (std::find(p.team.begin(), p.team.end(), officer) == p.team.end()) p.team.push_back(officer);
    rep.visits_before += static_cast<std::int64_t>(p.visits.size());
    rep.visits_after += 1;
    rep.proposals.push_back(std::move(p));
  }
  rep.saved = rep.visits_before - rep.visits_after;
  if (!apply || rep.proposals.empty()) return rep;
  const std::int64_t now = Now(ctx);
  WriteTransaction tx(db);
  if (auto s = tx.Begin(); !s.ok()) return s;
  std::vector<AuditEntry> audit;
  std::vector<OutboxEvent> events;
  try {
    for (const auto& p : rep.proposals) {
      std::string joint = p.joint_id, uscc = p.uscc, team = JoinComma(p.team), per = period, assigned = "assigned";
      long long at = now;
      const bool reuse = p.visits.front() == p.joint_id;
      if (reuse) {
        db.session() << "UPDATE visits SET team = :t, updated_at_us = :at WHERE id = :id", soci::use(team), soci::use(at),
            soci::use(joint);
      } else {
        db.session() << "INSERT INTO visits(id, uscc, state, team, period, created_at_us, updated_at_us) "
                        "VALUES (:id, :u, :s, :t, :p, :c, :at)",
            soci::use(joint), soci::use(uscc), soci::use(assigned), soci::use(team), soci::use(per), soci::use(at),
            soci::use(at);
      }
      db.session() << "DELETE FROM visit_inspectors WHERE visit_id = :id", soci::use(joint);
      for (const auto& officer : p.team) {
        std::string o = officer;
        db.session() << "INSERT INTO visit_inspectors(inspector_id, visit_id) VALUES (:o, :v)", soci::use(o), soci::use(joint);
      }
      for (const auto& v : p.visits) {
        if (v == p.joint_id) continue;
        std::string old = v;
        db.session() << "UPDATE visit_items SET visit_id = :j, updated_at_us = :at WHERE visit_id = :v", soci::use(joint),
            soci::use(at), soci::use(old);
        db.session() << "UPDATE visits SET state = 'merged', merged_into = :j, updated_at_us = :at WHERE id = :v",
            soci::use(joint), soci::use(at), soci::use(old);
      }
      json payload{{"joint_visit", p.joint_id}, {"visits", p.visits}, {"tasks", p.tasks}, {"departments", p.departments},
                   {"items", p.items}, {"team", p.team}, {"saved", static_cast<int>(p.visits.size()) - 1}};
      audit.push_back(AuditEntry{"visit.merge", "visit", p.joint_id, "", ToHex(Sha256(payload.dump())), ""});
      events.push_back(OutboxEvent{"visit.merged", p.joint_id, payload.dump()});
    }
  } catch (const std::exception& e) {
    return DbError(e, "合并检查失败", "merging the visits failed");
  }
  if (auto s = AppendJournal(db, Actor(ctx), now, audit, events); !s.ok()) return s;
  if (auto s = tx.Commit(); !s.ok()) return s;
  rep.applied = true;
  return rep;
}

// ---------------------------------------------------------------------------------------------
// Publicity.

Result<json> TaskNotice(VisitContext& ctx, const std::string& task_id) {
  Database& db = Db(ctx);
  auto t = LoadTaskOn(db, task_id);
  if (!t.ok()) return t.status();
  if (t->state == "draft")
    return WrongState("任务 " + task_id + " 尚未公告", "task " + task_id + " is not announced yet");
  json items = json::array();
  Status st = ScanRows(db,
                       "SELECT i.code, i.name, i.department, i.legal_basis FROM draw_task_items ti JOIN items i "
                       "ON i.code = ti.item_code WHERE ti.task_id = ? ORDER BY i.department, i.code",
                       {task_id}, [&](const ScanRow& r) {
                         items.push_back({{"code", r.values[0]}, {"name", r.values[1]}, {"department", r.values[2]},
                                          {"legal_basis", r.values[3]}});
                         return true;
                       });
  if (!st.ok()) return st;
  const auto departments = DepartmentsOf(t.value());
  json j{{"kind", "task_notice"},
         {"task_id", t->id},
         {"title", t->title},
         {"department", t->department},
         {"participants", json(std::vector<std::string>(departments.begin() + 1, departments.end()))},
         {"items", items},
         {"state", t->state},
         {"announce_date", t->announce_date},
         {"pool_size", t->pool_size},
         {"pool_hash", t->pool_hash},
         {"commitment", t->commitment},
         {"entropy_source", t->entropy_source},
         {"entropy_source_name", t->entropy_source_name},
         {"entropy_notice", t->entropy_notice},
         {"algorithm", t->sampler}};
  if (t->state == "cancelled") j["cancel_reason"] = t->cancel_reason;
  if (t->state == "announced" && !t->entropy_supplied.empty()) j["entropy_supplied"] = t->entropy_supplied;
  j.update(SlipNotes(t.value()));  // a typed entropy converted, a replaced one, an early reveal
  if (t->state == "drawn" || t->state == "revealed") {
    j["draw_date"] = t->draw_date;
    j["entropy"] = t->entropy;
    j["selected"] = 0;
    Status st = ScanRows(db, "SELECT COUNT(*) FROM draw_selection WHERE task_id = ?", {task_id}, [&](const ScanRow& r) {
      j["selected"] = std::stoll(std::string(r.values[0]));
      return false;
    });
    if (!st.ok()) return st;
  }
  if (t->state == "drawn" || t->state == "revealed") {
    // When the results are due: the latest publication deadline of the items entered so far
    // (no subject is named), provisional when any was counted over a year without a notice.
    Status st = ScanRows(db, "SELECT MAX(due_date), MAX(due_provisional) FROM visit_items WHERE task_id = ? AND due_date IS NOT NULL",
             {task_id}, [&](const ScanRow& r) {
               if (!r.null[0]) {
                 j["results_due"] = r.values[0];
                 j["results_due_provisional"] = r.values[1] == "1";
               }
               return false;
             });
    if (!st.ok()) return st;
  }
  if (t->state == "revealed") {
    j["secret"] = t->secret_hex;
    j["seed"] = t->seed_hex;
    j["selection_hash"] = t->selection_hash;
    j["proof"] = "xinjian task proof " + t->id + " --out DIR";
  }
  return j;
}

Result<json> ResultNotices(VisitContext& ctx, const std::string& task_id, const std::string& department) {
  if (Status s = RequireKnownTask(ctx, task_id); !s.ok()) return s;
  if (Status s = RequireKnownDepartment(ctx, department); !s.ok()) return s;
  std::string sql =
      "SELECT vi.uscc, COALESCE(s.name, ''), vi.item_code, COALESCE(i.name, ''), vi.result_code, vi.inspected_on, "
      "vi.department, vi.published_on, vi.task_id, vi.visit_id, COALESCE(vi.due_date, ''), vi.due_provisional "
      "FROM visit_items vi LEFT JOIN subjects s ON s.uscc = vi.uscc "
      "LEFT JOIN items i ON i.code = vi.item_code WHERE vi.state = 'published'";
  std::vector<std::optional<std::string>> params;
  FilterEquals(&sql, &params, "vi.task_id", task_id);
  FilterEquals(&sql, &params, "vi.department", department);
  sql += " ORDER BY vi.published_on, vi.visit_id, vi.item_code";
  json out = json::array();
  const auto& cat = Results();
  Status st = ScanRows(Db(ctx), sql, params, [&](const ScanRow& r) {
    json n{{"kind", "result_notice"}, {"uscc", r.values[0]},       {"name", r.values[1]},
           {"item", r.values[2]},     {"item_name", r.values[3]},  {"result", r.values[4]},
           {"inspected_on", r.values[5]}, {"department", r.values[6]}, {"published_on", r.values[7]},
           {"task_id", r.values[8]},  {"visit_id", r.values[9]}, {"due_date", r.values[10]},
           {"due_provisional", r.values[11] == "1"}};
    if (const auto* c = cat.Find(std::string(r.values[4]))) n["result_text"] = {{"zh", c->zh}, {"en", c->en}};
    out.push_back(std::move(n));
    return true;
  });
  if (!st.ok()) return st;
  return out;
}

Result<json> VisitStatistics(VisitContext& ctx, const std::string& task_id, const std::string& department) {
  if (Status s = RequireKnownTask(ctx, task_id); !s.ok()) return s;
  if (Status s = RequireKnownDepartment(ctx, department); !s.ok()) return s;
  std::string problems;
  for (const auto& c : Results().codes)
    if (c.problem) problems += (problems.empty() ? "'" : ", '") + c.code + "'";
  std::string sql =
      "SELECT task_id, department, COUNT(DISTINCT uscc), "
      "COUNT(DISTINCT CASE WHEN state <> 'pending' THEN uscc END), "
      "SUM(CASE WHEN result_code IN (" + problems + ") THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN state = 'published' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN state = 'published' AND published_on <= due_date THEN 1 ELSE 0 END), COUNT(*) "
      "FROM visit_items WHERE 1 = 1";
  std::vector<std::optional<std::string>> params;
  FilterEquals(&sql, &params, "task_id", task_id);
  FilterEquals(&sql, &params, "department", department);
  sql += " GROUP BY task_id, department ORDER BY task_id, department";
  json out = json::array();
  Status st = ScanRows(Db(ctx), sql, params, [&](const ScanRow& r) {
    auto n = [&](int i) { return r.values[i].empty() ? 0LL : std::stoll(std::string(r.values[i])); };
    out.push_back({{"task_id", r.values[0]}, {"department", r.values[1]}, {"drawn", n(2)}, {"visited", n(3)},
                   {"problems", n(4)}, {"published", n(5)}, {"published_on_time", n(6)}, {"items", n(7)}});
    return true;
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<Visit>> VisitsFor(VisitContext& ctx, const std::string& inspector) {
  if (Status s = RequireKnownInspector(ctx, inspector); !s.ok()) return s;
  std::vector<std::string> ids;
  Status st = ScanRows(Db(ctx),
                       "SELECT vi.visit_id FROM visit_inspectors vi JOIN visits v ON v.id = vi.visit_id "
                       "WHERE vi.inspector_id = ? AND v.state NOT IN ('published', 'merged') ORDER BY vi.visit_id",
                       {inspector}, [&](const ScanRow& r) {
                         ids.emplace_back(r.values[0]);
                         return true;
                       });
  if (!st.ok()) return st;
  std::vector<Visit> out;
  for (const auto& id : ids) {
    auto v = ReadVisit(Db(ctx), id);
    if (!v.ok()) return v.status();
    out.push_back(std::move(v).value());
  }
  return out;
}

}  // namespace xj::draw
