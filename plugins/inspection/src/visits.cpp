// Visits, results, review, publication, deadlines and merging (see visits.h), on the SDK.
#include "visits.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>

#include "inspection_data.h"
#include "xinjian/config.h"
#include "xinjian/digest.h"
#include "xinjian/directory.h"
#include "xinjian/table_reader.h"
#include "xinjian/text.h"

namespace xj::inspection {
namespace {

using json = nlohmann::json;

Status Refuse(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}
Status NotFound(const std::string& zh, const std::string& en) { return Status::Error(StatusCode::kNotFound, zh, en); }
Status WrongState(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kFailedPrecondition, zh, en);
}

Status Unconfigured() {
  return Status::Error(StatusCode::kFailedPrecondition, "检查记录服务缺少平台或任务服务",
                       "the visit service has no platform or task service");
}

// Runs `fn` as one unit of work of the context (ctx.run_unit, or the platform's as the
// context's principal).
Status RunUnit(VisitContext& ctx, const UnitOfWorkFn& fn) {
  if (ctx.platform == nullptr || ctx.tasks == nullptr) return Unconfigured();
  if (ctx.run_unit) return ctx.run_unit(fn);
  return ctx.platform->RunInTransaction(ctx.principal, fn);
}

// Runs `fn(uow)` (returning a Result<T>) as one unit of work: its writes, audit records and
// events commit together, or nothing does.
template <typename T, typename Fn>
Result<T> InUnit(VisitContext& ctx, Fn&& fn) {
  return CaptureValue<T>([&](const UnitOfWorkFn& unit) { return RunUnit(ctx, unit); }, std::forward<Fn>(fn));
}

// Runs `fn(sql)` (returning a Result<T>) in one Platform::Read.
template <typename T, typename Fn>
Result<T> ReadOn(VisitContext& ctx, Fn&& fn) {
  if (ctx.platform == nullptr || ctx.tasks == nullptr) return Unconfigured();
  return ReadValue<T>(*ctx.platform, std::forward<Fn>(fn));
}

// The date of `at_us` on the platform's wall clock (Asia/Shanghai).
std::string DateOf(const VisitContext& ctx, std::int64_t at_us) {
  Result<CivilDate> d = ctx.platform->Time().LocalDate(at_us);
  return d.ok() ? d.value().ToString() : std::string("1970-01-01");
}
// Today inside a unit of work (the unit's instant), or for a read (the platform's clock).
std::string TodayIn(const VisitContext& ctx, const UnitOfWork& uow) {
  return ctx.today.empty() ? DateOf(ctx, uow.now_us()) : ctx.today;
}
std::string TodayNow(const VisitContext& ctx) {
  return ctx.today.empty() ? DateOf(ctx, ctx.platform->NowMicros()) : ctx.today;
}

Result<const WorkingDays*> CalendarOf(const VisitContext& ctx) {
  if (ctx.calendar != nullptr) return ctx.calendar;
  return ctx.platform->Calendar();
}

bool IsDate(const std::string& s) { return CivilDate::Parse(s).ok(); }

Result<CivilDate> AddWorkdays(const VisitContext& ctx, const std::string& date, int n) {
  auto d = CivilDate::Parse(date);
  if (!d.ok()) return d.status();
  auto cal = CalendarOf(ctx);
  if (!cal.ok()) return cal.status();
  return cal.value()->AddWorkingDays(d.value(), n);
}

// The provisional years between two dates (both years included), on the context's calendar.
std::vector<int> ProvisionalYearsBetween(const VisitContext& ctx, CivilDate a, CivilDate b) {
  std::vector<int> out;
  auto cal = CalendarOf(ctx);
  if (!cal.ok()) return out;
  const int from = std::min(a.year(), b.year()), to = std::max(a.year(), b.year());
  for (int y = from; y <= to; ++y)
    if (cal.value()->IsProvisional(y)) out.push_back(y);
  return out;
}

// True when counting from `from` to `to` went through a provisional calendar year.
bool IsProvisionalSpan(const VisitContext& ctx, const std::string& from, CivilDate to) {
  auto f = CivilDate::Parse(from);
  return f.ok() && !ProvisionalYearsBetween(ctx, f.value(), to).empty();
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

std::string Sha256Hex(const std::string& s) { return digest::Sha256Hex(s); }

// kNotFound naming `value` unless a row of `table` has it in `column` (or value is empty: no
// filter). Filters that name nothing known are errors, never an empty answer.
Status RequireKnown(Sql& sql, const char* table, const char* column, const std::string& value, const char* zh,
                    const char* en) {
  if (value.empty()) return Status::Ok();
  auto found = sql.Exists(std::string("SELECT 1 FROM ") + table + " WHERE " + column + " = ? LIMIT 1", {value});
  if (!found.ok()) return found.status();
  if (!found.value())
    return NotFound(std::string(zh) + "不存在：" + value, std::string("no such ") + en + ": " + value);
  return Status::Ok();
}

Status RequireTask(const VisitContext& ctx, Sql& sql, const std::string& id) {
  if (id.empty()) return Status::Ok();
  auto found = ctx.tasks->Exists(sql, id);
  if (!found.ok()) return found.status();
  if (!found.value()) return NotFound("任务不存在：" + id, "no such task: " + id);
  return Status::Ok();
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
  json j{{"visit", visit},
         {"item", it.item_code},
         {"state", it.state},
         {"result", it.result_code},
         {"findings", it.findings},
         {"inspected_on", it.inspected_on},
         {"method", it.method},
         {"entered_by", it.entered_by},
         {"review_reason", it.review_reason},
         {"follow_up", FollowUpJson(it.follow_up)},
         {"due_date", it.due_date},
         {"published_on", it.published_on}};
  return Sha256Hex(j.dump());
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
    "vi.item_code, COALESCE(i.name, ''), vi.task_id, vi.department, vi.state, COALESCE(vi.result_code, ''), "
    "vi.findings, vi.follow_up, COALESCE(vi.inspected_on, ''), COALESCE(vi.method, ''), COALESCE(vi.entered_by, ''), "
    "vi.review_reason, COALESCE(vi.reviewed_by, ''), COALESCE(vi.due_date, ''), vi.card, COALESCE(vi.published_on, "
    "''), "
    "vi.due_provisional";

VisitItem ItemFromRow(const SqlRow& r) {
  VisitItem it;
  it.item_code = r.Text(0);
  it.item_name = r.Text(1);
  it.task_id = r.Text(2);
  it.department = r.Text(3);
  it.state = r.Text(4);
  it.result_code = r.Text(5);
  it.findings = r.Text(6);
  it.follow_up = FollowUpFromJson(r.Text(7));
  it.inspected_on = r.Text(8);
  it.method = r.Text(9);
  it.entered_by = r.Text(10);
  it.review_reason = r.Text(11);
  it.reviewed_by = r.Text(12);
  it.due_date = r.Text(13);
  it.card = r.Text(14);
  it.published_on = r.Text(15);
  it.due_provisional = r.View(16) == "1";
  return it;
}

Result<Visit> ReadVisit(Sql& sql, const std::string& id) {
  Visit v;
  bool found = false;
  Status st = sql.Query(
      "SELECT v.id, v.uscc, v.state, COALESCE(v.merged_into, ''), v.period, COALESCE(v.started_on, ''), "
      "COALESCE(v.started_by, ''), v.team, COALESCE(s.name, ''), COALESCE(s.address, '') "
      "FROM visits v LEFT JOIN subjects s ON s.uscc = v.uscc WHERE v.id = ?",
      {id}, [&](const SqlRow& r) {
        v.id = r.Text(0);
        v.uscc = r.Text(1);
        v.state = r.Text(2);
        v.merged_into = r.Text(3);
        v.period = r.Text(4);
        v.started_on = r.Text(5);
        v.started_by = r.Text(6);
        v.team = SplitComma(r.View(7));
        v.name = r.Text(8);
        v.address = r.Text(9);
        found = true;
        return false;
      });
  if (!st.ok()) return st;
  if (!found) return NotFound("没有检查记录 " + id, "no visit " + id);
  st = sql.Query(std::string("SELECT ") + kItemColumns +
                     " FROM visit_items vi LEFT JOIN items i ON i.code = vi.item_code WHERE vi.visit_id = ? "
                     "ORDER BY vi.department, vi.item_code",
                 {id}, [&](const SqlRow& r) {
                   v.items.push_back(ItemFromRow(r));
                   return true;
                 });
  if (!st.ok()) return st;
  return v;
}

// Locks the visit row on PostgreSQL (SQLite serialises writers anyway).
Status LockVisit(Sql& sql, const std::string& id) {
  if (sql.dialect() != SqlDialect::kPostgresql) return Status::Ok();
  return sql.Query("SELECT id FROM visits WHERE id = ? FOR UPDATE", {id}, [](const SqlRow&) { return true; });
}

Status SaveItem(Sql& sql, const std::string& visit, const VisitItem& it, std::int64_t now) {
  const bool published = !it.published_on.empty();
  auto n = sql.Exec(
      "UPDATE visit_items SET state = ?, result_code = ?, findings = ?, follow_up = ?, inspected_on = ?, method = ?, "
      "entered_by = ?, review_reason = ?, reviewed_by = ?, due_date = ?, card = ?, published_on = ?, "
      "published_at_us = COALESCE(published_at_us, ?), due_provisional = ?, updated_at_us = ? "
      "WHERE visit_id = ? AND item_code = ?",
      {it.state, Nullable(it.result_code), it.findings, FollowUpJson(it.follow_up).dump(), Nullable(it.inspected_on),
       Nullable(it.method), Nullable(it.entered_by), it.review_reason, Nullable(it.reviewed_by), Nullable(it.due_date),
       it.card, Nullable(it.published_on), published ? SqlValue(now) : SqlValue(), it.due_provisional ? 1 : 0, now,
       visit, it.item_code});
  return n.ok() ? Status::Ok() : n.status();
}

Status SaveVisitState(Sql& sql, const Visit& v, std::int64_t now) {
  auto n = sql.Exec("UPDATE visits SET state = ?, started_on = ?, started_by = ?, updated_at_us = ? WHERE id = ?",
                    {v.state, Nullable(v.started_on), Nullable(v.started_by), now, v.id});
  return n.ok() ? Status::Ok() : n.status();
}

// The department of an inspector, or nullopt when there is none.
Result<std::optional<std::string>> InspectorDepartment(Sql& sql, const std::string& id) {
  return sql.QueryText("SELECT department FROM inspectors WHERE id = ?", {id});
}

// The drawn tasks among `tasks` whose every visit item is published and that have items.
Result<std::vector<std::string>> CompleteTasks(VisitContext& ctx, Sql& sql, const std::set<std::string>& tasks) {
  std::vector<std::string> out;
  for (const auto& task : tasks) {
    auto t = ctx.tasks->Find(sql, task);
    if (!t.ok()) return t.status();
    if (t->state != "drawn") continue;
    std::int64_t open = -1, all = 0;
    Status st = sql.Query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state <> 'published' THEN 1 ELSE 0 END), 0) "
        "FROM visit_items WHERE task_id = ?",
        {task}, [&](const SqlRow& r) {
          all = r.Int(0);
          open = r.Int(1);
          return false;
        });
    if (!st.ok()) return st;
    if (open != 0 || all == 0) continue;
    out.push_back(task);
  }
  return out;
}

// Reveals the drawn tasks among `tasks` whose every visit item is published: looked up in one
// read, then each revealed in a unit of work of its own (the draw's checks run again there).
Result<std::int64_t> RevealComplete(VisitContext& ctx, const std::set<std::string>& tasks) {
  if (tasks.empty()) return std::int64_t{0};
  auto complete = ReadOn<std::vector<std::string>>(ctx, [&](Sql& sql) { return CompleteTasks(ctx, sql, tasks); });
  if (!complete.ok()) return complete.status();
  std::int64_t revealed = 0;
  for (const auto& task : complete.value()) {
    Status st = RunUnit(ctx, [&](UnitOfWork& uow) -> Status {
      auto r = ctx.tasks->Reveal(uow, task, draw::RevealRequest{});
      return r.ok() ? Status::Ok() : r.status();
    });
    if (!st.ok()) return st;
    ++revealed;
  }
  return revealed;
}

// Appends " AND <column> = ?" when `value` is given (the optional filters of the listings).
void FilterEquals(std::string* sql, SqlParams* params, const char* column, const std::string& value) {
  if (value.empty()) return;
  *sql += std::string(" AND ") + column + " = ?";
  params->emplace_back(value);
}

// True when the ';'-separated `list` holds `value`.
bool ListHas(std::string_view list, std::string_view value) {
  for (std::string_view part : SplitStoredList(list))
    if (part == value) return true;
  return false;
}

struct ItemScope {
  std::string code, department;
  std::vector<std::string> target_types, target_labels;  // empty = any
};

// True when the item's target types and labels admit a subject of `type` with `labels` (as the
// draw's pool decides it).
bool ItemApplies(const ItemScope& item, std::string_view type, std::string_view labels) {
  if (!item.target_types.empty() &&
      std::find(item.target_types.begin(), item.target_types.end(), type) == item.target_types.end())
    return false;
  if (!item.target_labels.empty()) {
    bool in = false;
    for (const auto& l : item.target_labels) in = in || ListHas(labels, l);
    if (!in) return false;
  }
  return true;
}

}  // namespace

Status RequireKnownTask(VisitContext& ctx, const std::string& id) {
  if (id.empty()) return Status::Ok();
  if (ctx.platform == nullptr || ctx.tasks == nullptr) return Unconfigured();
  return ctx.platform->Read([&](Sql& sql) { return RequireTask(ctx, sql, id); });
}
Status RequireKnownDepartment(VisitContext& ctx, const std::string& code) {
  if (code.empty()) return Status::Ok();
  if (ctx.platform == nullptr) return Unconfigured();
  return ctx.platform->Read(
      [&](Sql& sql) { return RequireKnown(sql, "departments", "code", code, "部门", "department"); });
}
Status RequireKnownInspector(VisitContext& ctx, const std::string& id) {
  if (id.empty()) return Status::Ok();
  if (ctx.platform == nullptr) return Unconfigured();
  return ctx.platform->Read(
      [&](Sql& sql) { return RequireKnown(sql, "inspectors", "id", id, "检查人员", "inspector"); });
}

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
// ASCII spaces and tabs trimmed at both ends.
std::string Trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}
}  // namespace

ResultEntry CanonicalEntry(const ResultEntry& entry) {
  const ResultCatalog& cat = Results();
  ResultEntry e = entry;
  const std::string code = Trim(e.result_code);
  if (const ResultCode* c = cat.Find(code)) e.result_code = c->code;
  e.method = CodeOf(cat.methods, Trim(e.method));
  e.follow_up.kind = CodeOf(cat.follow_ups, Trim(e.follow_up.kind));
  return e;
}

const ResultCatalog& Results() {
  static const ResultCatalog catalog = [] {
    ResultCatalog c;
    const json j = json::parse(kResultCodesJson);
    for (const auto& e : j.at("codes"))
      c.codes.push_back(
          ResultCode{e.at("code"), e.at("zh"), e.at("en"), e.at("problem"), e.at("credit_event"), e.at("follow_up")});
    for (const auto& e : j.at("methods")) c.methods[e.at("code")] = {e.at("zh"), e.at("en")};
    for (const auto& e : j.at("follow_ups")) c.follow_ups[e.at("code")] = {e.at("zh"), e.at("en")};
    return c;
  }();
  return catalog;
}

Result<VisitOptions> VisitOptions::FromConfig(const std::string& plugin, RawLookup raw) {
  VisitOptions o;
  o.plugin = plugin;
  o.raw = raw;
  if (!raw) return o;
  const TypedConfig cfg(plugin, raw);
  auto days = cfg.Int("publish_days", o.publish_working_days, 1, 365);
  if (!days.ok()) return days.status();
  o.publish_working_days = static_cast<int>(days.value());
  auto yellow = cfg.Int("yellow_days", o.yellow_working_days, 0, 60);
  if (!yellow.ok()) return yellow.status();
  o.yellow_working_days = static_cast<int>(yellow.value());
  return o;
}

Result<int> VisitOptions::PublishDays(const std::string& item, const std::string& department) const {
  if (!raw) return publish_working_days;
  const TypedConfig cfg(plugin, raw);
  // 0 (outside the range, so never a value read) stands for "not set".
  auto by_item = cfg.Int("publish_days.item." + item, 0, 1, 365);
  if (!by_item.ok()) return by_item.status();
  if (by_item.value() != 0) return static_cast<int>(by_item.value());
  auto by_department = cfg.Int("publish_days.department." + department, 0, 1, 365);
  if (!by_department.ok()) return by_department.status();
  if (by_department.value() != 0) return static_cast<int>(by_department.value());
  return publish_working_days;
}

// ---------------------------------------------------------------------------------------------
// Visits.

Result<std::int64_t> CreateVisitsIn(VisitContext& ctx, UnitOfWork& uow, const std::string& task_id) {
  if (ctx.platform == nullptr || ctx.tasks == nullptr) return Unconfigured();
  Sql& sql = uow.sql();
  const std::int64_t now = uow.now_us();
  auto task = ctx.tasks->Find(sql, task_id);
  if (!task.ok()) return task.status();
  const draw::TaskInfo& t = task.value();
  if (t.state != "drawn" && t.state != "revealed")
    return WrongState("任务 " + t.id + " 尚未抽取（状态 " + t.state + "），还没有检查对象",
                      "task " + t.id + " is not drawn (state " + t.state + "): it has no visits yet");
  auto exists = sql.Exists("SELECT 1 FROM visit_items WHERE task_id = ? LIMIT 1", {t.id});
  if (!exists.ok()) return exists.status();
  if (exists.value()) return std::int64_t{0};
  std::vector<ItemScope> items;
  for (const std::string& code : t.items) {  // sorted by code
    auto row = FindItem(sql, code);
    if (!row.ok()) return row.status();
    if (!row.value()) continue;
    items.push_back(
        ItemScope{row.value()->code, row.value()->department, row.value()->target_types, row.value()->target_labels});
  }
  if (items.empty())
    return WrongState("任务 " + t.id + " 的抽查事项不在事项清单中",
                      "the items of task " + t.id + " are not in the item list");
  auto selection = ctx.tasks->Selection(sql, t.id);
  if (!selection.ok()) return selection.status();
  const std::string period = t.draw_date.substr(0, 7);
  auto visits = sql.BulkInsert("visits", {"id", "uscc", "state", "team", "period", "created_at_us", "updated_at_us"});
  if (!visits.ok()) return visits.status();
  auto members = sql.BulkInsert("visit_inspectors", {"inspector_id", "visit_id"});
  if (!members.ok()) return members.status();
  auto rows = sql.BulkInsert("visit_items",
                             {"visit_id", "item_code", "task_id", "department", "uscc", "state", "updated_at_us"});
  if (!rows.ok()) return rows.status();
  std::int64_t created = 0;
  for (const draw::SelectionEntry& s : selection.value()) {
    const std::string id = t.id + "-" + std::to_string(s.rank);
    std::vector<const ItemScope*> mine;
    if (t.any_item_scope) {
      // Each subject is visited for the items whose target scope it is in.
      std::string type, labels;
      Status st = sql.Query("SELECT COALESCE(type, ''), COALESCE(labels, '') FROM subjects WHERE uscc = ?", {s.uscc},
                            [&](const SqlRow& r) {
                              type = r.Text(0);
                              labels = r.Text(1);
                              return false;
                            });
      if (!st.ok()) return st;
      for (const auto& it : items)
        if (ItemApplies(it, type, labels)) mine.push_back(&it);
    } else {
      for (const auto& it : items) mine.push_back(&it);
    }
    if (mine.empty()) mine.push_back(&items.front());  // cannot happen: the pool matched an item
    const std::string team = JoinComma(s.team);
    if (auto st = visits.value()->Add({id, s.uscc, "assigned", team, period, now, now}); !st.ok()) return st;
    for (const auto& officer : s.team)
      if (auto st = members.value()->Add({officer, id}); !st.ok()) return st;
    for (const auto* it : mine)
      if (auto st = rows.value()->Add({id, it->code, t.id, it->department, s.uscc, "pending", now}); !st.ok())
        return st;
    ++created;
  }
  for (SqlBulkWriter* w : {visits.value().get(), members.value().get(), rows.value().get()})
    if (auto st = w->Finish(); !st.ok()) return st;
  if (auto st = uow.Audit(AuditChange{"visits.create", "draw_task", t.id, t.digest, t.digest}); !st.ok()) return st;
  const json payload{{"task", t.id}, {"visits", created}};
  if (auto st = uow.Publish("visit.created", t.id, payload.dump()); !st.ok()) return st;
  return created;
}

Result<std::int64_t> CreateVisits(VisitContext& ctx, const std::string& task_id) {
  return InUnit<std::int64_t>(ctx, [&](UnitOfWork& uow) { return CreateVisitsIn(ctx, uow, task_id); });
}

Result<Visit> LoadVisit(VisitContext& ctx, const std::string& id) {
  return ReadOn<Visit>(ctx, [&](Sql& sql) { return ReadVisit(sql, id); });
}

Result<Visit> ReadVisitOn(Sql& sql, const std::string& id) { return ReadVisit(sql, id); }

json VisitJson(const Visit& v) {
  json items = json::array();
  const auto& cat = Results();
  for (const auto& it : v.items) {
    json j{{"item", it.item_code},        {"item_name", it.item_name}, {"task", it.task_id},
           {"department", it.department}, {"state", it.state},         {"card", it.card}};
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
  json j{{"id", v.id},       {"uscc", v.uscc},     {"name", v.name}, {"address", v.address},
         {"state", v.state}, {"period", v.period}, {"team", v.team}, {"lead", v.team.empty() ? "" : v.team.front()},
         {"items", items}};
  if (!v.merged_into.empty()) j["merged_into"] = v.merged_into;
  if (!v.started_on.empty()) j["started_on"] = v.started_on;
  return j;
}

Result<Visit> StartVisit(VisitContext& ctx, const std::string& id, const std::string& by, const std::string& date) {
  if (!date.empty() && !IsDate(date))
    return Refuse("日期须为 YYYY-MM-DD：" + date, "the date must be YYYY-MM-DD: " + date);
  return InUnit<Visit>(ctx, [&](UnitOfWork& uow) -> Result<Visit> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    const std::string today = TodayIn(ctx, uow);
    const std::string on = date.empty() ? today : date;
    if (auto st = LockVisit(sql, id); !st.ok()) return st;
    auto v = ReadVisit(sql, id);
    if (!v.ok()) return v.status();
    Visit visit = std::move(v).value();
    if (visit.state == "merged")
      return WrongState("检查记录 " + id + " 已并入联合检查 " + visit.merged_into,
                        "visit " + id + " was merged into " + visit.merged_into);
    if (visit.state != "assigned")
      return WrongState("检查记录 " + id + " 已开始（状态 " + visit.state + "）",
                        "visit " + id + " has started already (state " + visit.state + ")");
    if (std::find(visit.team.begin(), visit.team.end(), by) == visit.team.end())
      return Refuse(by + " 不在检查记录 " + id + " 的检查组中", by + " is not on the team of visit " + id);
    if (on > today) return Refuse("开始日期 " + on + " 晚于今天", "the start date " + on + " is in the future");
    for (const auto& it : visit.items) {
      auto task = ctx.tasks->Find(sql, it.task_id);
      if (!task.ok()) return task.status();
      if (!task->draw_date.empty() && on < task->draw_date)
        return Refuse("开始日期 " + on + " 早于抽取日期 " + task->draw_date,
                      "the start date " + on + " is before the draw on " + task->draw_date);
    }
    visit.started_on = on;
    visit.started_by = by;
    visit.state = "in_progress";
    if (auto st = SaveVisitState(sql, visit, now); !st.ok()) return st;
    const json payload{{"visit", id}, {"by", by}, {"date", on}};
    if (auto st = uow.Audit(AuditChange{"visit.start", "visit", id, "", Sha256Hex(payload.dump())}); !st.ok())
      return st;
    if (auto st = uow.Publish("visit.started", id, payload.dump()); !st.ok()) return st;
    return ReadVisit(sql, id);
  });
}

namespace {

// Checks an entry against the catalog and the visit; `item` is the visit's row of the item.
Status CheckEntry(Sql& sql, const std::string& today, const ResultEntry& e, const VisitItem& item,
                  const draw::TaskInfo& task) {
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
    return Refuse("未知的检查方式：" + e.method + "（可用：" + known + "）",
                  "unknown inspection method: " + e.method + " (known: " + known + ")");
  }
  if (!IsDate(e.inspected_on))
    return Refuse("检查日期须为 YYYY-MM-DD 的有效日期：" + e.inspected_on,
                  "the inspection date must be a valid YYYY-MM-DD: " + e.inspected_on);
  if (e.inspected_on > today)
    return Refuse("检查日期 " + e.inspected_on + " 晚于今天",
                  "the inspection date " + e.inspected_on + " is in the future");
  if (!task.draw_date.empty() && e.inspected_on < task.draw_date)
    return Refuse("检查日期 " + e.inspected_on + " 早于抽取日期 " + task.draw_date,
                  "the inspection date " + e.inspected_on + " is before the draw on " + task.draw_date);
  if (!utf8::IsValid(e.findings)) return Refuse("检查情况不是有效的 UTF-8 文本", "the findings are not valid UTF-8");
  if (utf8::CodePointCount(e.findings) > 2000)
    return Refuse("检查情况最多 2000 字", "the findings are limited to 2,000 characters");
  if (e.findings.find('\0') != std::string::npos)
    return Refuse("检查情况含有 NUL 字符", "the findings contain a NUL character");
  const FollowUp& f = e.follow_up;
  if (cat.follow_ups.count(f.kind) == 0)
    return Refuse("未知的后续处置：" + f.kind + "（可用：" + KnownList(cat.follow_ups) + "）",
                  "unknown follow-up: " + f.kind + " (known: " + KnownList(cat.follow_ups) + ")");
  if (code->follow_up == "none" && f.kind != "none")
    return Refuse("检查结果 " + code->zh + " 无需后续处置", "result " + code->en + " takes no follow-up");
  if ((code->follow_up == "correct" || code->follow_up == "case") && f.kind != code->follow_up)
    return Refuse("检查结果 " + code->zh + " 须填写后续处置 " + code->follow_up,
                  "result " + code->en + " needs the follow-up " + code->follow_up);
  if (f.kind == "correct") {
    if (!IsDate(f.deadline) || f.deadline < e.inspected_on)
      return Refuse("责令改正须有不早于检查日期的改正期限（YYYY-MM-DD）",
                    "an order to correct needs a deadline (YYYY-MM-DD) not before the inspection");
  } else if (!f.deadline.empty()) {
    return Refuse("只有责令改正有改正期限", "only an order to correct has a deadline");
  }
  if (f.kind == "transfer") {
    bool exists = false;
    if (!f.to_department.empty()) {
      auto found = FindDepartment(sql, f.to_department);
      if (!found.ok()) return found.status();
      exists = found.value().has_value();
    }
    if (!exists)
      return Refuse("移送须指明存在的接收部门：" + f.to_department,
                    "a transfer names an existing department: " + f.to_department);
    if (f.to_department == item.department) return Refuse("不能移送给本部门", "a transfer goes to another department");
  } else if (!f.to_department.empty()) {
    return Refuse("只有移送有接收部门", "only a transfer names a department");
  }
  if (f.kind == "case") {
    if (f.case_no.empty() || f.case_no.size() > 64 || !utf8::IsValid(f.case_no))
      return Refuse("立案查处须填写案件编号（最多 64 字节）", "a case filed needs its case number (at most 64 bytes)");
  } else if (!f.case_no.empty()) {
    return Refuse("只有立案查处有案件编号", "only a case filed has a case number");
  }
  return Status::Ok();
}

}  // namespace

Result<Visit> EnterResult(VisitContext& ctx, const ResultEntry& entry) {
  const ResultEntry e = CanonicalEntry(entry);  // Chinese names of codes, methods, follow-ups
  return InUnit<Visit>(ctx, [&](UnitOfWork& uow) -> Result<Visit> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    const std::string today = TodayIn(ctx, uow);
    if (auto st = LockVisit(sql, e.visit_id); !st.ok()) return st;
    auto v = ReadVisit(sql, e.visit_id);
    if (!v.ok()) return v.status();
    Visit visit = std::move(v).value();
    if (visit.state == "merged")
      return WrongState("检查记录 " + visit.id + " 已并入联合检查 " + visit.merged_into,
                        "visit " + visit.id + " was merged into " + visit.merged_into);
    auto it = std::find_if(visit.items.begin(), visit.items.end(),
                           [&](const VisitItem& x) { return x.item_code == e.item_code; });
    if (it == visit.items.end())
      return NotFound("检查记录 " + visit.id + " 没有抽查事项 " + e.item_code,
                      "visit " + visit.id + " has no item " + e.item_code);
    if (it->state == "approved" || it->state == "published")
      return WrongState(
          "事项 " + e.item_code + " 的结果已" + (it->state == "approved" ? "审核通过" : "公示") + "，不能再修改",
          "the result of item " + e.item_code + " is " + it->state + " and cannot change");
    if (std::find(visit.team.begin(), visit.team.end(), e.by) == visit.team.end())
      return Refuse(e.by + " 不在检查记录 " + visit.id + " 的检查组中（谁检查、谁录入）",
                    e.by + " is not on the team of visit " + visit.id + " (who inspects enters)");
    auto who = InspectorDepartment(sql, e.by);
    if (!who.ok()) return who.status();
    const std::string who_department = who.value().value_or("");
    if (who_department != it->department)
      return Refuse(
          e.by + " 属于部门 " + who_department + "，事项 " + e.item_code + " 的结果由部门 " + it->department + " 录入",
          e.by + " belongs to " + who_department + "; the result of item " + e.item_code + " is entered by " +
              it->department);
    auto task = ctx.tasks->Find(sql, it->task_id);
    if (!task.ok()) return task.status();
    if (auto st = CheckEntry(sql, today, e, *it, task.value()); !st.ok()) return st;
    auto days = ctx.options.PublishDays(it->item_code, it->department);
    if (!days.ok()) return days.status();
    auto due = AddWorkdays(ctx, e.inspected_on, days.value());
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
    if (auto st = SaveItem(sql, visit.id, *it, now); !st.ok()) return st;
    if (visit.started_on.empty()) {
      visit.started_on = e.inspected_on;
      visit.started_by = e.by;
    }
    visit.state = AggregateState(visit.items, true);
    if (auto st = SaveVisitState(sql, visit, now); !st.ok()) return st;
    const json payload{
        {"visit", visit.id},         {"item", it->item_code},    {"department", it->department},
        {"result", it->result_code}, {"due_date", it->due_date}, {"due_provisional", it->due_provisional}};
    if (auto st = uow.Audit(AuditChange{"visit.result", "visit_item", visit.id + "/" + it->item_code, before,
                                        ItemDigest(visit.id, *it)});
        !st.ok())
      return st;
    if (auto st = uow.Publish("visit.result.entered", visit.id, payload.dump()); !st.ok()) return st;
    return ReadVisit(sql, visit.id);
  });
}

Result<Visit> ReviewResults(VisitContext& ctx, const std::string& id, const std::string& department,
                            const std::string& item, bool approve, const std::string& reason) {
  if (!approve && (reason.empty() || !utf8::IsValid(reason) || utf8::CodePointCount(reason) > 500))
    return Refuse("退回须写明理由（最多 500 字）", "a return needs its reason (at most 500 characters)");
  return InUnit<Visit>(ctx, [&](UnitOfWork& uow) -> Result<Visit> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    const std::string today = TodayIn(ctx, uow);
    if (auto st = LockVisit(sql, id); !st.ok()) return st;
    auto v = ReadVisit(sql, id);
    if (!v.ok()) return v.status();
    Visit visit = std::move(v).value();
    std::vector<AuditChange> audit;
    struct Outgoing {
      std::string topic, key;
      json payload;
    };
    std::vector<Outgoing> events;
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
      it.reviewed_by = uow.principal().id;
      it.review_reason = approve ? "" : reason;
      if (auto st = SaveItem(sql, id, it, now); !st.ok()) return st;
      audit.push_back(AuditChange{approve ? "visit.approve" : "visit.return", "visit_item", id + "/" + it.item_code,
                                  before, ItemDigest(id, it)});
      json payload{{"visit", id}, {"item", it.item_code}, {"department", department}};
      if (!approve) payload["reason"] = reason;
      events.push_back(Outgoing{approve ? "visit.result.approved" : "visit.result.returned", id, payload});
      if (approve) {
        const ResultCode* code = Results().Find(it.result_code);
        if (code != nullptr && !code->credit_event.empty()) {
          // For the credit side: 经营异常名录 within 10 working days of the verification.
          auto listing_due = AddWorkdays(ctx, today, 10);
          if (!listing_due.ok()) return listing_due.status();
          json c{{"uscc", visit.uscc},
                 {"visit", id},
                 {"item", it.item_code},
                 {"department", department},
                 {"result", it.result_code},
                 {"inspected_on", it.inspected_on},
                 {"verified_on", today},
                 {"listing_due", listing_due->ToString()},
                 {"listing_due_provisional", IsProvisionalSpan(ctx, today, listing_due.value())}};
          events.push_back(Outgoing{code->credit_event, visit.uscc, c});
        }
      }
      ++touched;
    }
    if (touched == 0)
      return WrongState("检查记录 " + id + " 没有部门 " + department + " 待审核的结果",
                        "visit " + id + " has no entered result of department " + department + " to review");
    visit.state = AggregateState(visit.items, true);
    if (auto st = SaveVisitState(sql, visit, now); !st.ok()) return st;
    for (const AuditChange& a : audit)
      if (auto st = uow.Audit(a); !st.ok()) return st;
    for (const Outgoing& e : events)
      if (auto st = uow.Publish(e.topic, e.key, e.payload.dump()); !st.ok()) return st;
    return ReadVisit(sql, id);
  });
}

Result<Visit> PublishResults(VisitContext& ctx, const std::string& id, const std::string& department) {
  std::set<std::string> tasks;
  auto published = InUnit<Visit>(ctx, [&](UnitOfWork& uow) -> Result<Visit> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    const std::string today = TodayIn(ctx, uow);
    if (auto st = LockVisit(sql, id); !st.ok()) return st;
    auto v = ReadVisit(sql, id);
    if (!v.ok()) return v.status();
    Visit visit = std::move(v).value();
    std::vector<AuditChange> audit;
    std::vector<std::pair<std::string, json>> events;
    std::set<std::string> published_tasks;  // of this unit (the outer set survives a retry)
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
        events.emplace_back("visit.deadline.red", json{{"visit", id},
                                                       {"item", it.item_code},
                                                       {"department", department},
                                                       {"due_date", it.due_date},
                                                       {"published_on", today}});
      }
      if (auto st = SaveItem(sql, id, it, now); !st.ok()) return st;
      audit.push_back(AuditChange{"visit.publish", "visit_item", id + "/" + it.item_code, before, ItemDigest(id, it)});
      events.emplace_back("visit.result.published", json{{"visit", id},
                                                         {"item", it.item_code},
                                                         {"department", department},
                                                         {"task", it.task_id},
                                                         {"uscc", visit.uscc},
                                                         {"result", it.result_code},
                                                         {"published_on", today},
                                                         {"late", late}});
      tasks.insert(it.task_id);
      published_tasks.insert(it.task_id);
    }
    if (audit.empty())
      return WrongState("检查记录 " + id + " 没有部门 " + department + " 已审核待公示的结果" +
                            (pending ? "（" + std::to_string(pending) + " 项尚未审核通过）" : ""),
                        "visit " + id + " has no approved result of department " + department + " to publish" +
                            (pending ? " (" + std::to_string(pending) + " not approved yet)" : ""));
    visit.state = AggregateState(visit.items, true);
    if (auto st = SaveVisitState(sql, visit, now); !st.ok()) return st;
    // The public result notice of each task's subject and this department (the results API's
    // listing, migrations/*/003_result_notices.sql): made now or brought up to this publication.
    for (const std::string& task : published_tasks) {
      auto n = sql.Exec(
          "INSERT INTO inspection_result_notices (task_id, uscc, department, first_published_at_us, "
          "last_published_at_us, first_published_on, published_on) VALUES (?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (task_id, uscc, department) DO UPDATE SET last_published_at_us = excluded.last_published_at_us, "
          "published_on = excluded.published_on",
          {task, visit.uscc, department, now, now, today, today});
      if (!n.ok()) return n.status();
    }
    for (const AuditChange& a : audit)
      if (auto st = uow.Audit(a); !st.ok()) return st;
    for (const auto& [topic, p] : events)
      if (auto st = uow.Publish(topic, id, p.dump()); !st.ok()) return st;
    return visit;
  });
  if (!published.ok()) return published.status();
  // A task whose results are all published is revealed (a failure here is retried by the
  // next RefreshDeadlines: nothing is lost).
  auto r = RevealComplete(ctx, tasks);
  if (!r.ok()) return r.status();
  return LoadVisit(ctx, id);
}

// ---------------------------------------------------------------------------------------------
// Results files.

Result<ResultsImportSummary> ImportResults(VisitContext& ctx, const std::string& path,
                                           const std::string& rejects_path) {
  if (ctx.platform == nullptr || ctx.tasks == nullptr) return Unconfigured();
  static const std::vector<std::string> kColumns = {"visit_id",    "item",     "result",    "inspected_on",
                                                    "method",      "findings", "follow_up", "follow_up_deadline",
                                                    "transfer_to", "case_no",  "inspector"};
  constexpr std::uint64_t kMaxBytes = 64ull << 20;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Status::Error(StatusCode::kUnavailable, "无法读取文件 " + path, "cannot read " + path);
  if (size > kMaxBytes)
    return Refuse("结果文件超过 64 MiB：" + path, "the results file is larger than 64 MiB: " + path);
  TableReaderOptions o;
  o.max_record_bytes = 64 * 1024;
  o.max_fields = 32;
  o.max_file_bytes = kMaxBytes;
  auto reader = ctx.platform->OpenTable(path, o);
  if (!reader.ok()) return reader.status();
  TableReader& csv = *reader.value();
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
    if (col.count(name))
      return Refuse("结果文件的表头重复列：" + name, "column listed twice in the results header: " + name);
    col[name] = i;
  }
  for (const char* required : {"visit_id", "item", "result", "inspected_on", "method", "inspector"})
    if (!col.count(required))
      return Refuse(std::string("结果文件缺少列：") + required,
                    std::string("the results file lacks the column ") + required);
  ResultsImportSummary sum;
  sum.rejects_path = rejects_path;
  std::string rejects;
  std::vector<std::string> header_out{"line"};
  header_out.insert(header_out.end(), kColumns.begin(), kColumns.end());
  header_out.push_back("reason");
  csv::AppendCsvRecord(&rejects, header_out, true);
  auto reject = [&](std::uint64_t line, const std::vector<std::string>& f, const std::string& reason) {
    ++sum.rejected;
    if (sum.sample_rejects.size() < 20) sum.sample_rejects.push_back("line " + std::to_string(line) + ": " + reason);
    std::vector<std::string> out{std::to_string(line)};
    for (const auto& c : kColumns) out.push_back(col.count(c) && col[c] < f.size() ? f[col[c]] : "");
    out.push_back(reason);
    csv::AppendCsvRecord(&rejects, out, true);
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
      reject(line, fields,
             "列数为 " + std::to_string(fields.size()) + "，表头为 " + std::to_string(col.size()) + " / " +
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
    if (!out)
      return Status::Error(StatusCode::kUnavailable, "无法写入 " + rejects_path, "cannot write " + rejects_path);
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Deadlines.

std::vector<int> ProvisionalYears(VisitContext& ctx, const std::string& inspected_on, const std::string& due_date) {
  auto on = CivilDate::Parse(inspected_on), due = CivilDate::Parse(due_date);
  if (!on.ok() || !due.ok() || ctx.platform == nullptr) return {};
  return ProvisionalYearsBetween(ctx, on.value(), due.value());
}

std::string ProvisionalMark(const std::vector<int>& years) {
  if (years.empty()) return "";
  std::string list;
  for (int y : years) list += (list.empty() ? "" : ", ") + std::to_string(y);
  return "暂定 / provisional (no State Council notice loaded for " + list + "; statutory holidays only)";
}

Result<std::vector<Deadline>> ListDeadlines(VisitContext& ctx, const DeadlineQuery& q) {
  if (ctx.platform == nullptr || ctx.tasks == nullptr) return Unconfigured();
  const std::string today = TodayNow(ctx);
  auto today_d = CivilDate::Parse(today);
  if (!today_d.ok()) return today_d.status();
  // The SQL takes a calendar-day bound that no run of yellow_working_days working days can
  // pass (holidays are at most 9 days off); each row is then classified exactly, which only
  // needs the calendar between today and its due date.
  const std::string yellow_until = (today_d.value() + (2 * ctx.options.yellow_working_days + 20)).ToString();
  if (!q.state.empty() && q.state != "yellow" && q.state != "red")
    return Refuse("状态须为 yellow 或 red：" + q.state, "the state must be yellow or red: " + q.state);
  if (Status s = RequireKnownDepartment(ctx, q.department); !s.ok()) return s;
  auto cal = CalendarOf(ctx);
  if (!cal.ok()) return cal.status();
  const WorkingDays& calendar = *cal.value();
  return ReadOn<std::vector<Deadline>>(ctx, [&](Sql& sql) -> Result<std::vector<Deadline>> {
    std::vector<Deadline> out;
    SqlParams params;
    auto where = [&](bool open) {
      std::string s = std::string(" WHERE ") + (open ? "state <> 'published'" : "state = 'published'") +
                      " AND due_date IS NOT NULL";
      FilterEquals(&s, &params, "department", q.department);
      return s;
    };
    std::string query =
        "SELECT visit_id, item_code, department, task_id, uscc, due_date, state, card, '', due_provisional, "
        "COALESCE(inspected_on, '') FROM visit_items" +
        where(true);
    if (q.state == "red") {
      query += " AND due_date < ?";
      params.emplace_back(today);
    } else if (q.state == "yellow") {
      query += " AND due_date >= ? AND due_date <= ?";
      params.emplace_back(today);
      params.emplace_back(yellow_until);
    }
    query += " ORDER BY due_date, visit_id, item_code";
    if (q.limit > 0) query += " LIMIT " + std::to_string(q.limit);
    Status problem = Status::Ok();
    auto add = [&](const SqlRow& r, bool published) {
      Deadline d;
      d.visit_id = r.Text(0);
      d.item_code = r.Text(1);
      d.department = r.Text(2);
      d.task_id = r.Text(3);
      d.uscc = r.Text(4);
      d.due_date = r.Text(5);
      d.state = r.Text(6);
      d.published_on = r.Text(8);
      d.provisional = r.View(9) == "1";
      d.inspected_on = r.Text(10);
      auto due = CivilDate::Parse(d.due_date);
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
      auto left = calendar.WorkingDaysBetween(today_d.value(), due.value());
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
    Status st = sql.Query(query, params, [&](const SqlRow& r) { return add(r, false); });
    if (!st.ok()) return st;
    if (!problem.ok()) return problem;
    if (q.include_published && (q.state.empty() || q.state == "red") &&
        (q.limit <= 0 || static_cast<std::int64_t>(out.size()) < q.limit)) {
      params.clear();
      std::string pq =
          "SELECT visit_id, item_code, department, task_id, uscc, due_date, state, card, published_on, "
          "due_provisional, "
          "COALESCE(inspected_on, '') FROM visit_items" +
          where(false);
      if (q.state == "red") pq += " AND published_on > due_date";
      pq += " ORDER BY due_date, visit_id, item_code";
      if (q.limit > 0) pq += " LIMIT " + std::to_string(q.limit - static_cast<std::int64_t>(out.size()));
      st = sql.Query(pq, params, [&](const SqlRow& r) { return add(r, true); });
      if (!st.ok()) return st;
      if (!problem.ok()) return problem;
    }
    return out;
  });
}

Result<RefreshSummary> RefreshDeadlines(VisitContext& ctx) {
  if (ctx.platform == nullptr || ctx.tasks == nullptr) return Unconfigured();
  RefreshSummary sum;
  // Drawn tasks without visits (their draw.task.drawn not delivered yet, or a failure then).
  auto missing = ReadOn<std::vector<std::string>>(ctx, [&](Sql& sql) -> Result<std::vector<std::string>> {
    auto ids = ctx.tasks->IdsInStates(sql, {"drawn", "revealed"});
    if (!ids.ok()) return ids.status();
    std::vector<std::string> out;
    for (const auto& id : ids.value()) {
      auto has = sql.Exists("SELECT 1 FROM visit_items WHERE task_id = ? LIMIT 1", {id});
      if (!has.ok()) return has.status();
      if (!has.value()) out.push_back(id);
    }
    return out;
  });
  if (!missing.ok()) return missing.status();
  for (const auto& t : missing.value()) {
    auto n = CreateVisits(ctx, t);
    if (!n.ok()) return n.status();
    sum.visits_created += n.value();
  }
  auto cal = CalendarOf(ctx);
  if (!cal.ok()) return cal.status();
  const WorkingDays& calendar = *cal.value();
  Status refreshed = RunUnit(ctx, [&](UnitOfWork& uow) -> Status {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    const std::string today = TodayIn(ctx, uow);
    auto today_d = CivilDate::Parse(today);
    if (!today_d.ok()) return today_d.status();
    const std::string yellow_until = (today_d.value() + (2 * ctx.options.yellow_working_days + 20)).ToString();
    std::int64_t yellow = 0, red = 0, moved = 0, confirmed = 0;
    // Provisional due dates, recomputed on the calendar as it is now (a notice loaded since
    // they were counted moves them, or confirms them), published ones too (whether they were
    // published late is judged again).
    struct Recount {
      std::string visit, item, department, inspected_on, due, card, state, published_on, new_due, new_card;
      bool still_provisional = false;
    };
    std::vector<Recount> recounts;
    Status st = sql.Query(
        "SELECT visit_id, item_code, department, inspected_on, due_date, card, state, COALESCE(published_on, '') "
        "FROM visit_items WHERE due_provisional = 1 AND due_date IS NOT NULL AND inspected_on IS NOT NULL "
        "ORDER BY visit_id, item_code",
        {}, [&](const SqlRow& r) {
          Recount c;
          c.visit = r.Text(0);
          c.item = r.Text(1);
          c.department = r.Text(2);
          c.inspected_on = r.Text(3);
          c.due = r.Text(4);
          c.card = r.Text(5);
          c.state = r.Text(6);
          c.published_on = r.Text(7);
          recounts.push_back(std::move(c));
          return true;
        });
    if (!st.ok()) return st;
    for (Recount& c : recounts) {
      auto days = ctx.options.PublishDays(c.item, c.department);
      if (!days.ok()) return days.status();
      auto due = AddWorkdays(ctx, c.inspected_on, days.value());
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
          auto left = calendar.WorkingDaysBetween(today_d.value(), due.value());
          if (!left.ok()) return left.status();
          if (left.value() <= ctx.options.yellow_working_days) c.new_card = "yellow";
        }
      } else {
        c.new_card = c.card;
      }
    }
    for (const Recount& c : recounts) {
      if (c.new_due == c.due && c.still_provisional) continue;
      // Guarded by what was read: an entry or a publication that committed in between
      // (PostgreSQL, another node) is not overwritten; the next refresh looks again.
      auto changed = sql.Exec(
          "UPDATE visit_items SET due_date = ?, due_provisional = ?, card = ?, updated_at_us = ? "
          "WHERE visit_id = ? AND item_code = ? AND due_date = ? AND due_provisional = 1 AND state = ?",
          {c.new_due, c.still_provisional ? 1 : 0, c.new_card, now, c.visit, c.item, c.due, c.state});
      if (!changed.ok()) return changed.status();
      if (changed.value() == 0) continue;
      const std::string key = c.visit + "/" + c.item + ": " + c.due + " -> " + c.new_due;
      const std::string before = Sha256Hex(json{{"due_date", c.due}, {"provisional", true}, {"card", c.card}}.dump());
      const std::string after =
          Sha256Hex(json{{"due_date", c.new_due}, {"provisional", c.still_provisional}, {"card", c.new_card}}.dump());
      if (c.new_due == c.due) {
        ++confirmed;
        if (auto a = uow.Audit(AuditChange{"visit.deadline.confirm", "visit_item", key, before, after}); !a.ok())
          return a;
        continue;
      }
      ++moved;
      const json payload{{"visit", c.visit},
                         {"item", c.item},
                         {"department", c.department},
                         {"state", c.state},
                         {"inspected_on", c.inspected_on},
                         {"from", c.due},
                         {"to", c.new_due},
                         {"provisional", c.still_provisional},
                         {"card_before", c.card},
                         {"card_after", c.new_card}};
      if (auto a = uow.Audit(AuditChange{"visit.deadline.move", "visit_item", key, before, after}); !a.ok()) return a;
      if (auto p = uow.Publish("visit.deadline.moved", c.visit, payload.dump()); !p.ok()) return p;
    }
    struct Change {
      std::string visit, item, card;
      json payload;
    };
    std::vector<Change> changes;
    Status problem = Status::Ok();
    st = sql.Query(
        "SELECT visit_id, item_code, department, due_date, card FROM visit_items WHERE state <> 'published' "
        "AND due_date IS NOT NULL AND due_date <= ? AND card <> 'red' ORDER BY due_date, visit_id, item_code",
        {yellow_until}, [&](const SqlRow& r) {
          const std::string due = r.Text(3), card = r.Text(4);
          std::string next = "red";
          if (due >= today) {
            auto due_d = CivilDate::Parse(due);
            if (!due_d.ok()) return true;  // never stored: EnterResult writes the date
            auto left = calendar.WorkingDaysBetween(today_d.value(), due_d.value());
            if (!left.ok()) {
              problem = left.status();
              return false;
            }
            if (left.value() > ctx.options.yellow_working_days) return true;
            next = "yellow";
          }
          if (next == card) return true;
          changes.push_back(Change{r.Text(0), r.Text(1), next,
                                   json{{"visit", r.Text(0)},
                                        {"item", r.Text(1)},
                                        {"department", r.Text(2)},
                                        {"due_date", due},
                                        {"today", today}}});
          return true;
        });
    if (!st.ok()) return st;
    if (!problem.ok()) return problem;
    for (const auto& c : changes) {
      auto n =
          sql.Exec("UPDATE visit_items SET card = ? WHERE visit_id = ? AND item_code = ?", {c.card, c.visit, c.item});
      if (!n.ok()) return n.status();
      (c.card == "red" ? red : yellow)++;
    }
    if (!changes.empty())
      if (auto a = uow.Audit(
              AuditChange{"deadlines.refresh", "deadlines", today, "", Sha256Hex(std::to_string(changes.size()))});
          !a.ok())
        return a;
    for (const auto& c : changes)
      if (auto p = uow.Publish("visit.deadline." + c.card, c.visit, c.payload.dump()); !p.ok()) return p;
    sum.yellow = yellow;
    sum.red = red;
    sum.moved = moved;
    sum.confirmed = confirmed;
    return Status::Ok();
  });
  if (!refreshed.ok()) return refreshed;
  auto drawn = ReadOn<std::vector<std::string>>(ctx, [&](Sql& sql) { return ctx.tasks->IdsInStates(sql, {"drawn"}); });
  if (!drawn.ok()) return drawn.status();
  auto revealed = RevealComplete(ctx, std::set<std::string>(drawn->begin(), drawn->end()));
  if (!revealed.ok()) return revealed.status();
  sum.revealed = revealed.value();
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Merging.

namespace {

// The joint visits `period` calls for, from the visits not started yet.
Result<MergeReport> ProposeMerges(Sql& sql, const std::string& period, std::map<std::string, std::string>* team_of) {
  struct Row {
    std::string visit, uscc, team, task, department, item;
  };
  std::vector<Row> rows;
  Status st = sql.Query(
      "SELECT v.id, v.uscc, v.team, vi.task_id, vi.department, vi.item_code FROM visits v "
      "JOIN visit_items vi ON vi.visit_id = v.id WHERE v.period = ? AND v.state = 'assigned' "
      "ORDER BY v.uscc, v.id, vi.item_code",
      {period}, [&](const SqlRow& r) {
        rows.push_back({r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
        return true;
      });
  if (!st.ok()) return st;
  MergeReport rep;
  for (std::size_t i = 0; i < rows.size();) {
    // The subject's not-yet-started visits of this period, each with its items.
    std::size_t j = i;
    const std::string uscc = rows[i].uscc;
    std::vector<std::string> order;
    std::map<std::string, std::vector<const Row*>> rows_of;
    while (j < rows.size() && rows[j].uscc == uscc) {
      if (!rows_of.count(rows[j].visit)) order.push_back(rows[j].visit);
      rows_of[rows[j].visit].push_back(&rows[j]);
      (*team_of)[rows[j].visit] = rows[j].team;
      ++j;
    }
    i = j;
    // A joint visit from an earlier merge ("<visit>@J") takes the others in; otherwise the
    // first visit's id names the joint one. A visit is added only when none of its items is
    // there already (the same item twice is two inspections, not one visit).
    std::stable_partition(order.begin(), order.end(),
                          [](const std::string& v) { return v.size() > 2 && v.compare(v.size() - 2, 2, "@J") == 0; });
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
      for (const auto& officer : SplitComma((*team_of)[v]))
        if (std::find(p.team.begin(), p.team.end(), officer) == p.team.end()) p.team.push_back(officer);
    rep.visits_before += static_cast<std::int64_t>(p.visits.size());
    rep.visits_after += 1;
    rep.proposals.push_back(std::move(p));
  }
  rep.saved = rep.visits_before - rep.visits_after;
  return rep;
}

}  // namespace

Result<MergeReport> MergeVisits(VisitContext& ctx, const std::string& period, bool apply) {
  if (period.size() != 7 || period[4] != '-' || !IsDate(period + "-01"))
    return Refuse("期间须为 YYYY-MM：" + period, "the period must be YYYY-MM: " + period);
  if (!apply) {
    return ReadOn<MergeReport>(ctx, [&](Sql& sql) {
      std::map<std::string, std::string> team_of;
      return ProposeMerges(sql, period, &team_of);
    });
  }
  // Applying: the proposals are made again inside the unit that carries them out, so that
  // what is merged is what the unit sees.
  return InUnit<MergeReport>(ctx, [&](UnitOfWork& uow) -> Result<MergeReport> {
    Sql& sql = uow.sql();
    std::map<std::string, std::string> team_of;
    auto proposed = ProposeMerges(sql, period, &team_of);
    if (!proposed.ok()) return proposed.status();
    MergeReport rep = std::move(proposed).value();
    if (rep.proposals.empty()) return rep;
    const std::int64_t now = uow.now_us();
    for (const auto& p : rep.proposals) {
      const std::string team = JoinComma(p.team);
      const bool reuse = p.visits.front() == p.joint_id;
      auto n = reuse ? sql.Exec("UPDATE visits SET team = ?, updated_at_us = ? WHERE id = ?", {team, now, p.joint_id})
                     : sql.Exec(
                           "INSERT INTO visits(id, uscc, state, team, period, created_at_us, updated_at_us) "
                           "VALUES (?, ?, 'assigned', ?, ?, ?, ?)",
                           {p.joint_id, p.uscc, team, period, now, now});
      if (!n.ok()) return n.status();
      n = sql.Exec("DELETE FROM visit_inspectors WHERE visit_id = ?", {p.joint_id});
      if (!n.ok()) return n.status();
      for (const auto& officer : p.team) {
        n = sql.Exec("INSERT INTO visit_inspectors(inspector_id, visit_id) VALUES (?, ?)", {officer, p.joint_id});
        if (!n.ok()) return n.status();
      }
      for (const auto& v : p.visits) {
        if (v == p.joint_id) continue;
        n = sql.Exec("UPDATE visit_items SET visit_id = ?, updated_at_us = ? WHERE visit_id = ?", {p.joint_id, now, v});
        if (!n.ok()) return n.status();
        n = sql.Exec("UPDATE visits SET state = 'merged', merged_into = ?, updated_at_us = ? WHERE id = ?",
                     {p.joint_id, now, v});
        if (!n.ok()) return n.status();
      }
      const json payload{{"joint_visit", p.joint_id},
                         {"visits", p.visits},
                         {"tasks", p.tasks},
                         {"departments", p.departments},
                         {"items", p.items},
                         {"team", p.team},
                         {"saved", static_cast<int>(p.visits.size()) - 1}};
      if (auto st = uow.Audit(AuditChange{"visit.merge", "visit", p.joint_id, "", Sha256Hex(payload.dump())}); !st.ok())
        return st;
      if (auto st = uow.Publish("visit.merged", p.joint_id, payload.dump()); !st.ok()) return st;
    }
    rep.applied = true;
    return rep;
  });
}

// ---------------------------------------------------------------------------------------------
// Publicity.

Result<json> TaskNotice(VisitContext& ctx, const std::string& task_id) {
  return ReadOn<json>(ctx, [&](Sql& sql) -> Result<json> {
    auto t = ctx.tasks->Find(sql, task_id);
    if (!t.ok()) return t.status();
    if (t->state == "draft")
      return WrongState("任务 " + task_id + " 尚未公告", "task " + task_id + " is not announced yet");
    std::vector<ItemRow> rows;
    for (const std::string& code : t->items) {
      auto row = FindItem(sql, code);
      if (!row.ok()) return row.status();
      if (row.value()) rows.push_back(*row.value());
    }
    std::sort(rows.begin(), rows.end(), [](const ItemRow& a, const ItemRow& b) {
      return a.department != b.department ? a.department < b.department : a.code < b.code;
    });
    json items = json::array();
    for (const ItemRow& r : rows)
      items.push_back(
          {{"code", r.code}, {"name", r.name}, {"department", r.department}, {"legal_basis", r.legal_basis}});
    const auto& departments = t->departments;
    json j{{"kind", "task_notice"},
           {"task_id", t->id},
           {"title", t->title},
           {"department", t->department},
           {"participants",
            json(departments.size() > 1 ? std::vector<std::string>(departments.begin() + 1, departments.end())
                                        : std::vector<std::string>())},
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
    j.update(json::parse(t->slip_notes_json));  // a typed entropy converted, a replaced one, an early reveal
    if (t->state == "drawn" || t->state == "revealed") {
      j["draw_date"] = t->draw_date;
      j["entropy"] = t->entropy;
      j["selected"] = t->selected;
      // When the results are due: the latest publication deadline of the items entered so far
      // (no subject is named), provisional when any was counted over a year without a notice.
      Status st = sql.Query(
          "SELECT MAX(due_date), MAX(due_provisional) FROM visit_items WHERE task_id = ? AND due_date IS NOT NULL",
          {task_id}, [&](const SqlRow& r) {
            if (!r.IsNull(0)) {
              j["results_due"] = r.Text(0);
              j["results_due_provisional"] = r.View(1) == "1";
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
  });
}

Result<json> ResultNotices(VisitContext& ctx, const std::string& task_id, const std::string& department) {
  if (Status s = RequireKnownTask(ctx, task_id); !s.ok()) return s;
  if (Status s = RequireKnownDepartment(ctx, department); !s.ok()) return s;
  std::string query =
      "SELECT vi.uscc, COALESCE(s.name, ''), vi.item_code, COALESCE(i.name, ''), vi.result_code, vi.inspected_on, "
      "vi.department, vi.published_on, vi.task_id, vi.visit_id, COALESCE(vi.due_date, ''), vi.due_provisional "
      "FROM visit_items vi LEFT JOIN subjects s ON s.uscc = vi.uscc "
      "LEFT JOIN items i ON i.code = vi.item_code WHERE vi.state = 'published'";
  SqlParams params;
  FilterEquals(&query, &params, "vi.task_id", task_id);
  FilterEquals(&query, &params, "vi.department", department);
  query += " ORDER BY vi.published_on, vi.visit_id, vi.item_code";
  return ReadOn<json>(ctx, [&](Sql& sql) -> Result<json> {
    json out = json::array();
    const auto& cat = Results();
    Status st = sql.Query(query, params, [&](const SqlRow& r) {
      json n{{"kind", "result_notice"},
             {"uscc", r.Text(0)},
             {"name", r.Text(1)},
             {"item", r.Text(2)},
             {"item_name", r.Text(3)},
             {"result", r.Text(4)},
             {"inspected_on", r.Text(5)},
             {"department", r.Text(6)},
             {"published_on", r.Text(7)},
             {"task_id", r.Text(8)},
             {"visit_id", r.Text(9)},
             {"due_date", r.Text(10)},
             {"due_provisional", r.View(11) == "1"}};
      if (const auto* c = cat.Find(r.Text(4))) n["result_text"] = {{"zh", c->zh}, {"en", c->en}};
      out.push_back(std::move(n));
      return true;
    });
    if (!st.ok()) return st;
    return out;
  });
}

Result<json> VisitStatistics(VisitContext& ctx, const std::string& task_id, const std::string& department) {
  if (Status s = RequireKnownTask(ctx, task_id); !s.ok()) return s;
  if (Status s = RequireKnownDepartment(ctx, department); !s.ok()) return s;
  std::string problems;
  for (const auto& c : Results().codes)
    if (c.problem) problems += (problems.empty() ? "'" : ", '") + c.code + "'";
  std::string query =
      "SELECT task_id, department, COUNT(DISTINCT uscc), "
      "COUNT(DISTINCT CASE WHEN state <> 'pending' THEN uscc END), "
      "SUM(CASE WHEN result_code IN (" +
      problems +
      ") THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN state = 'published' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN state = 'published' AND published_on <= due_date THEN 1 ELSE 0 END), COUNT(*) "
      "FROM visit_items WHERE 1 = 1";
  SqlParams params;
  FilterEquals(&query, &params, "task_id", task_id);
  FilterEquals(&query, &params, "department", department);
  query += " GROUP BY task_id, department ORDER BY task_id, department";
  return ReadOn<json>(ctx, [&](Sql& sql) -> Result<json> {
    json out = json::array();
    Status st = sql.Query(query, params, [&](const SqlRow& r) {
      auto n = [&](int i) { return r.IsNull(i) || r.View(i).empty() ? 0LL : static_cast<long long>(r.Int(i)); };
      out.push_back({{"task_id", r.Text(0)},
                     {"department", r.Text(1)},
                     {"drawn", n(2)},
                     {"visited", n(3)},
                     {"problems", n(4)},
                     {"published", n(5)},
                     {"published_on_time", n(6)},
                     {"items", n(7)}});
      return true;
    });
    if (!st.ok()) return st;
    return out;
  });
}

Result<std::vector<Visit>> VisitsFor(VisitContext& ctx, const std::string& inspector) {
  if (Status s = RequireKnownInspector(ctx, inspector); !s.ok()) return s;
  return ReadOn<std::vector<Visit>>(ctx, [&](Sql& sql) -> Result<std::vector<Visit>> {
    std::vector<std::string> ids;
    Status st = sql.Query(
        "SELECT vi.visit_id FROM visit_inspectors vi JOIN visits v ON v.id = vi.visit_id "
        "WHERE vi.inspector_id = ? AND v.state NOT IN ('published', 'merged') ORDER BY vi.visit_id",
        {inspector}, [&](const SqlRow& r) {
          ids.push_back(r.Text(0));
          return true;
        });
    if (!st.ok()) return st;
    std::vector<Visit> out;
    for (const auto& id : ids) {
      auto v = ReadVisit(sql, id);
      if (!v.ok()) return v.status();
      out.push_back(std::move(v).value());
    }
    return out;
  });
}

namespace {

class VisitFollowUpImpl final : public draw::FollowUp {
 public:
  Result<std::set<std::string>> Published(Sql& sql, const std::string& task_id) const override {
    std::set<std::string> out;
    Status st = sql.Query(
        "SELECT uscc FROM visit_items WHERE task_id = ? GROUP BY uscc "
        "HAVING SUM(CASE WHEN state <> 'published' THEN 1 ELSE 0 END) = 0",
        {task_id}, [&](const SqlRow& r) {
          out.insert(r.Text(0));
          return true;
        });
    if (!st.ok()) return st;
    return out;
  }

  Result<bool> HasVisits(Sql& sql, const std::string& task_id) const override {
    return sql.Exists("SELECT 1 FROM visit_items WHERE task_id = ?", {task_id});
  }

  Result<std::optional<draw::ResultsDeadline>> LatestDeadline(Sql& sql, const std::string& task_id) const override {
    std::optional<draw::ResultsDeadline> out;
    Status st = sql.Query(
        "SELECT MAX(due_date), MAX(due_provisional) FROM visit_items WHERE task_id = ? AND due_date IS NOT NULL",
        {task_id}, [&](const SqlRow& r) {
          if (!r.IsNull(0)) out = draw::ResultsDeadline{r.Text(0), r.View(1) == "1"};
          return false;
        });
    if (!st.ok()) return st;
    return out;
  }

  Result<std::vector<draw::OpenVisit>> OpenVisitsOf(Sql& sql, const std::string& inspector_id) const override {
    std::vector<draw::OpenVisit> out;
    Status st = sql.Query(
        "SELECT v.id, v.uscc, v.team, v.state, vi.task_id, vi.item_code FROM visit_inspectors m "
        "JOIN visits v ON v.id = m.visit_id JOIN visit_items vi ON vi.visit_id = v.id "
        "WHERE m.inspector_id = ? AND v.state NOT IN ('published', 'merged') ORDER BY v.id, vi.task_id, vi.item_code",
        {inspector_id}, [&](const SqlRow& r) {
          if (out.empty() || out.back().visit_id != r.View(0))
            out.push_back(draw::OpenVisit{r.Text(0), r.Text(1), r.Text(3), SplitComma(r.View(2)), {}});
          out.back().items.emplace_back(r.Text(4), r.Text(5));
          return true;
        });
    if (!st.ok()) return st;
    return out;
  }
};

}  // namespace

const draw::FollowUp& VisitFollowUp() {
  static const VisitFollowUpImpl follow_up;
  return follow_up;
}

}  // namespace xj::inspection
