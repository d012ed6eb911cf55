// The task service. See tasks.h.
#include "tasks.h"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "proof.h"
#include "xinjian/list_policy.h"
#include "xinjian/directory.h"
#include "xinjian/time.h"

namespace xj::draw {

namespace {
std::atomic<const FollowUp*> g_follow_up{nullptr};
}  // namespace

bool SetFollowUp(const FollowUp* follow_up) {
  const FollowUp* expected = nullptr;
  return g_follow_up.compare_exchange_strong(expected, follow_up) || expected == follow_up;
}
const FollowUp* CurrentFollowUp() { return g_follow_up.load(); }
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

Status Refuse(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

Status NoPlatform() {
  return Status::Error(StatusCode::kFailedPrecondition, "任务服务没有平台（TaskContext.platform）",
                       "the task service has no platform (TaskContext.platform)");
}

// The instant of 00:00 Asia/Shanghai on 1 January of the year of `at_us`.
std::int64_t YearStartUs(const Platform& platform, std::int64_t at_us) {
  const TimeService& t = platform.Time();
  Result<CivilDate> today = t.LocalDate(at_us);
  if (!today.ok()) return 0;
  Result<CivilDate> jan = CivilDate::FromYmd(today.value().year(), 1, 1);
  Result<std::int64_t> start = jan.ok() ? t.StartOfDay(jan.value()) : Result<std::int64_t>(jan.status());
  return start.ok() ? start.value() : 0;
}

class Timer {
 public:
  explicit Timer(std::map<std::string, double>* sink) : sink_(sink), t_(std::chrono::steady_clock::now()) {}
  void Lap(const std::string& name) {
    if (sink_ == nullptr) return;
    const auto now = std::chrono::steady_clock::now();
    (*sink_)[name] += std::chrono::duration<double>(now - t_).count();
    t_ = now;
  }

 private:
  std::map<std::string, double>* sink_;
  std::chrono::steady_clock::time_point t_;
};

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  for (auto part : SplitStoredList(s)) out.emplace_back(part);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading and writing task rows.

constexpr const char* kTaskColumns =
    "id, title, department, sampler, state, spec, entropy_source, COALESCE(replaces, ''), replace_reason, "
    "cancel_reason, created_by, created_at_us, COALESCE(announced_at_us, 0), COALESCE(drawn_at_us, 0), "
    "COALESCE(revealed_at_us, 0), COALESCE(cancelled_at_us, 0), COALESCE(announce_date, ''), COALESCE(draw_date, ''), "
    "COALESCE(due_date, ''), COALESCE(pool_size, 0), COALESCE(pool_hash, ''), COALESCE(strata, ''), "
    "COALESCE(commitment, ''), COALESCE(secret, ''), COALESCE(entropy, ''), COALESCE(seed, ''), "
    "COALESCE(allocation, ''), COALESCE(selection_hash, ''), COALESCE(slots, ''), COALESCE(assignment_hash, ''), "
    "COALESCE(conflicts_hash, ''), digest, entropy_source_name, entropy_notice, COALESCE(entropy_supplied, ''), "
    "COALESCE(entropy_supplied_at_us, 0), COALESCE(entropy_supplied_by, ''), COALESCE(entropy_supplied_input, ''), "
    "COALESCE(entropy_replaced, ''), COALESCE(entropy_replaced_by, ''), COALESCE(entropy_replaced_at_us, 0), "
    "COALESCE(entropy_replace_reason, ''), COALESCE(reveal_reason, ''), COALESCE(reveal_unpublished, 0)";

TaskRecord TaskFromRow(const SqlRow& r) {
  TaskRecord t;
  auto s = [&](int i) { return r.Text(i); };
  auto n = [&](int i) { return r.Int(i); };
  t.id = s(0);
  t.title = s(1);
  t.department = s(2);
  t.sampler = s(3);
  t.state = s(4);
  t.spec_json = s(5);
  t.entropy_source = s(6);
  t.replaces = s(7);
  t.replace_reason = s(8);
  t.cancel_reason = s(9);
  t.created_by = s(10);
  t.created_at_us = n(11);
  t.announced_at_us = n(12);
  t.drawn_at_us = n(13);
  t.revealed_at_us = n(14);
  t.cancelled_at_us = n(15);
  t.announce_date = s(16);
  t.draw_date = s(17);
  t.due_date = s(18);
  t.pool_size = n(19);
  t.pool_hash = s(20);
  t.strata_json = s(21);
  t.commitment = s(22);
  t.secret_hex = s(23);
  t.entropy = s(24);
  t.seed_hex = s(25);
  t.allocation_json = s(26);
  t.selection_hash = s(27);
  t.slots_json = s(28);
  t.assignment_hash = s(29);
  t.conflicts_hash = s(30);
  t.digest = s(31);
  t.entropy_source_name = s(32);
  t.entropy_notice = s(33);
  t.entropy_supplied = s(34);
  t.entropy_supplied_at_us = n(35);
  t.entropy_supplied_by = s(36);
  t.entropy_supplied_input = s(37);
  t.entropy_replaced = s(38);
  t.entropy_replaced_by = s(39);
  t.entropy_replaced_at_us = n(40);
  t.entropy_replace_reason = s(41);
  t.reveal_reason = s(42);
  t.reveal_unpublished = n(43);
  return t;
}

// The digest of a task's public state, chained by the audit log.
std::string TaskDigest(const TaskRecord& t) {
  std::string c = "draw_task\n";
  for (const std::string* f :
       {&t.id, &t.state, &t.department, &t.sampler, &t.spec_json, &t.pool_hash, &t.commitment, &t.entropy,
        &t.selection_hash, &t.assignment_hash, &t.conflicts_hash, &t.cancel_reason, &t.secret_hex}) {
    c += *f;
    c += '\n';
  }
  // Added with entropy sources; only when set, so that older tasks keep their digests.
  if (!t.entropy_supplied.empty()) c += "entropy_supplied\n" + t.entropy_supplied + '\n';
  // Added with the corrections of issue 12, the same way.
  if (!t.entropy_replaced.empty())
    c += "entropy_replaced\n" + t.entropy_replaced + '\n' + t.entropy_replace_reason + '\n';
  if (!t.reveal_reason.empty())
    c += "reveal_reason\n" + t.reveal_reason + '\n' + std::to_string(t.reveal_unpublished) + '\n';
  return ToHex(Sha256(c));
}

// The audit record and the event of one transition, committed with the unit of work (at the
// unit's instant, as its principal).
Status Journal(UnitOfWork& uow, const std::string& action, const std::string& id, const std::string& before,
               const std::string& after, const std::string& topic, const json& payload) {
  if (Status st = uow.Audit(AuditChange{action, "draw_task", id, before, after}); !st.ok()) return st;
  return uow.Publish(topic, id, payload.dump());
}

Result<std::string> ReadFile(Sql& sql, const std::string& id, const std::string& name) {
  std::string content;
  bool found = false;
  Status st =
      sql.Query("SELECT content FROM draw_files WHERE task_id = ? AND name = ?", {id, name}, [&](const SqlRow& r) {
        content.assign(r.View(0));
        found = true;
        return false;
      });
  if (!st.ok()) return st;
  if (!found)
    return Status::Error(StatusCode::kInternal, "任务 " + id + " 缺少文件 " + name,
                         "task " + id + " has no file " + name);
  return content;
}

constexpr const char* kSaveFile = "INSERT INTO draw_files(task_id, name, content) VALUES (?, ?, ?)";

Status SaveFile(Sql& sql, const std::string& id, const std::string& name, const std::string& content) {
  return sql.Exec(kSaveFile, {id, name, content}).status();
}

// Parses a canonical pool file ("uscc\tstratum\n", sorted by uscc, distinct) into a
// FrozenPool, checking every rule of the format.
Result<FrozenPool> ParsePoolFile(std::string_view data) {
  FrozenPool pool;
  std::map<std::string, std::uint16_t, std::less<>> label_ids;
  std::vector<std::uint16_t> raw;
  std::size_t pos = 0, line = 0;
  while (pos < data.size()) {
    ++line;
    const std::size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos)
      return Refuse("pool.tsv 第 " + std::to_string(line) + " 行没有换行符结尾",
                    "pool.tsv line " + std::to_string(line) + " does not end with a newline");
    const std::string_view l = data.substr(pos, nl - pos);
    pos = nl + 1;
    const std::size_t tab = l.find('\t');
    if (tab == std::string_view::npos || l.find('\t', tab + 1) != std::string_view::npos)
      return Refuse("pool.tsv 第 " + std::to_string(line) + " 行应为 uscc<TAB>分层",
                    "pool.tsv line " + std::to_string(line) + " must be uscc<TAB>stratum");
    const std::string_view u = l.substr(0, tab), s = l.substr(tab + 1);
    if (auto st = ValidateId("uscc", u); !st.ok()) return st;
    if (auto st = ValidateId("stratum", s, true); !st.ok()) return st;
    if (u.size() != FrozenPool::kUsccLength)
      return Refuse("pool.tsv 第 " + std::to_string(line) + " 行的 uscc 不是 18 位",
                    "pool.tsv line " + std::to_string(line) + ": the uscc is not 18 characters long");
    if (!pool.usccs.empty()) {
      const std::string_view prev(pool.usccs.data() + pool.usccs.size() - 18, 18);
      if (!(prev < u))
        return Refuse("pool.tsv 第 " + std::to_string(line) + " 行未按 uscc 升序排列或重复",
                      "pool.tsv line " + std::to_string(line) + " is out of order or repeats a uscc");
    }
    auto it = label_ids.find(s);
    if (it == label_ids.end()) {
      if (label_ids.size() >= 65535) return Refuse("分层超过 65535 个", "more than 65,535 strata");
      it = label_ids.emplace(std::string(s), static_cast<std::uint16_t>(label_ids.size())).first;
    }
    pool.usccs.append(u);
    raw.push_back(it->second);
  }
  std::vector<std::uint16_t> renumber(label_ids.size());
  std::uint16_t next = 0;
  for (const auto& [label, id] : label_ids) {
    renumber[id] = next++;
    pool.labels.push_back(label);
  }
  pool.stratum_index.reserve(raw.size());
  for (auto r : raw) pool.stratum_index.push_back(renumber[r]);
  return pool;
}

std::string CountsJson(const StratumCounts& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump();
}

Result<StratumCounts> CountsFromJson(const std::string& text) {
  StratumCounts out;
  try {
    const json j = json::parse(text.empty() ? "{}" : text);
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value().get<std::uint64_t>();
  } catch (const std::exception& e) {
    return Status::Error(StatusCode::kInternal, "任务数据损坏", std::string("corrupt task data: ") + e.what());
  }
  return out;
}

// The items of a task, in the order given; kNotFound naming the first that does not exist.
Result<std::vector<ItemRow>> LoadItems(Sql& sql, const std::vector<std::string>& codes) {
  std::vector<ItemRow> out;
  for (const auto& code : codes) {
    auto item = FindItem(sql, code);
    if (!item.ok()) return item.status();
    if (!item.value()) return Status::Error(StatusCode::kNotFound, "抽查事项 " + code + " 不存在", "no item " + code);
    out.push_back(std::move(*item.value()));
  }
  return out;
}

Result<std::string> Jurisdiction(Sql& sql, const std::string& department) {
  auto d = FindDepartment(sql, department);
  if (!d.ok()) return d.status();
  if (!d.value())
    return Status::Error(StatusCode::kNotFound, "部门 " + department + " 不存在", "no department " + department);
  return d.value()->jurisdiction;
}

std::string PpmText(std::int64_t ppm) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%04lld", static_cast<long long>(ppm / 10000),
                static_cast<long long>(ppm % 10000));
  std::string t = buf;
  while (t.back() == '0') t.pop_back();
  if (t.back() == '.') t.pop_back();
  return t + "%";
}

Result<TaskSpec> SpecOf(const TaskRecord& t, const SpecOptions& options) {
  // The stored spec is normalised; parsing it again gives the same TaskSpec (with the
  // preset already expanded into ratio_percent, so the preset table cannot change it).
  std::string text = t.spec_json;
  try {
    json j = json::parse(text);
    if (j.contains("rule") && j["rule"].contains("preset") && j["rule"].contains("ratio_percent")) {
      const std::string preset = j["rule"]["preset"];
      j["rule"].erase("preset");
      auto s = ParseTaskSpec(j.dump(), options);
      if (!s.ok()) return s.status();
      TaskSpec spec = std::move(s).value();
      spec.rule_preset = preset;
      return spec;
    }
  } catch (const std::exception& e) {
    return Status::Error(StatusCode::kInternal, "任务说明损坏", std::string("corrupt task spec: ") + e.what());
  }
  return ParseTaskSpec(text, options);
}

Result<TaskRecord> LoadForUpdate(Sql& sql, const std::string& id) {
  if (sql.dialect() == SqlDialect::kPostgresql) {
    // Serialise transitions of one task across nodes.
    Status st =
        sql.Query("SELECT id FROM draw_tasks WHERE id = ? FOR UPDATE", {id}, [](const SqlRow&) { return true; });
    if (!st.ok()) return st;
  }
  return LoadTask(sql, id);
}

Status WrongState(const TaskRecord& t, const std::string& action_zh, const std::string& action_en) {
  return Status::Error(StatusCode::kFailedPrecondition, "任务 " + t.id + " 处于 " + t.state + " 状态，不能" + action_zh,
                       "task " + t.id + " is " + t.state + "; cannot " + action_en);
}

// The entropy source a task names, or an error listing the loaded ones (`code`:
// kInvalidArgument when creating or announcing, kNotFound when drawing).
Result<const EntropySource*> FindSource(const Platform& platform, const std::string& name, StatusCode code) {
  if (!PluginsLoaded(platform))
    return Status::Error(StatusCode::kFailedPrecondition, "没有加载插件，找不到公开随机源 " + name,
                         "no plugins loaded; cannot find the entropy source " + name);
  if (const EntropySource* s = platform.FindEntropySource(name)) return s;
  std::string list;
  for (const auto& n : platform.EntropySourceNames()) list += (list.empty() ? "" : ", ") + n;
  if (list.empty()) list = "-";
  return Status::Error(code, "没有名为 " + name + " 的公开随机源（已加载：" + list + "；缺少插件？）",
                       "no entropy source named " + name + " (loaded: " + list + "; plugin missing?)");
}

EntropyRequest RequestFor(const TaskRecord& t, std::int64_t now) {
  EntropyRequest r;
  r.task_id = t.id;
  r.description = t.entropy_source;
  r.commitment = t.commitment;
  r.announced_at_us = t.announced_at_us;
  r.now_us = now;
  return r;
}

std::string NoticeText(const EntropySource& source, const EntropyRequest& request) {
  const EntropyNotice n = source.Notice(request);
  return n.zh + " / " + n.en;
}

// The checks every entropy value gets before a draw uses it, whoever produced it.
Status CheckEntropy(const std::string& entropy) {
  if (entropy.size() > 4096) return Refuse("公开随机源超过 4096 字节", "the entropy is longer than 4096 bytes");
  return ValidateId("entropy", entropy, true);
}

// A reason an operator gives (a replaced entropy value, an early reveal): non-empty, no
// control characters, at most 2000 bytes.
Status CheckReason(const std::string& reason, const std::string& what_zh, const std::string& what_en) {
  if (reason.empty() || !ValidateId("reason", reason).ok() || reason.size() > 2000)
    return Refuse(what_zh + "须说明原因（不能为空、不含控制字符、不超过 2000 字节）",
                  what_en + " needs a reason (non-empty, no control characters, at most 2000 bytes)");
  return Status::Ok();
}

// What an operator typed, read in the source's declared format (EntropySource::Read) and
// checked by its Value: the value to record or draw with, and the conversions to show.
// A refusal names the format and an example.
Result<EntropyReading> ReadTyped(const EntropySource& source, const EntropyRequest& request, const std::string& typed,
                                 const std::string& source_name) {
  auto reading = source.Read(request, typed);
  if (!reading.ok()) {
    if (reading.status().code() != StatusCode::kInvalidArgument) return reading.status();
    // Name the format, unless the source's message shows it already.
    const EntropyFormat f = source.Format();
    if (f.example.empty() || reading.status().message().find(f.example) != std::string::npos) return reading.status();
    return Status(StatusCode::kInvalidArgument, reading.status().message() + "（格式 / format " + f.name + "：" + f.zh +
                                                    " / " + f.en + "；例如 / e.g. " + f.example + "）");
  }
  EntropyReading r = std::move(reading).value();
  auto checked = source.Value(request, r.value);
  if (!checked.ok()) return checked.status();
  if (checked.value().empty() || !CheckEntropy(checked.value()).ok())
    return Status::Error(StatusCode::kInternal, "公开随机源 " + source_name + " 返回的值不可用",
                         "the entropy source " + source_name + " returned an unusable value");
  r.value = std::move(checked).value();
  return r;
}

json RuleJson(const Rule& rule) {
  if (const auto* r = std::get_if<RatioRule>(&rule)) {
    json ppm = json::object(), mn = json::object(), mx = json::object();
    for (const auto& [k, v] : r->ppm) ppm[k] = v;
    for (const auto& [k, v] : r->min) mn[k] = v;
    for (const auto& [k, v] : r->max) mx[k] = v;
    return json{{"type", "ratio"}, {"ppm", ppm}, {"min", mn}, {"max", mx}};
  }
  return json{{"type", "count"}, {"count", std::get<CountRule>(rule).count}};
}

}  // namespace

// Builds a draw::Selection (what AssignTeams reads) and the canonical selection file from a
// sampler's answer, checking the sampler kept its contract.
Result<Selection> SelectionFromSample(const FrozenPool& pool, const StratumCounts& allocation, const SampleResult& r,
                                      const std::string& sampler) {
  auto bad = [&](const std::string& why) {
    return Status::Error(StatusCode::kInternal, "抽样插件 " + sampler + " 返回的结果无效：" + why,
                         "the sampler " + sampler + " returned an invalid selection: " + why);
  };
  std::uint64_t expected = 0;
  for (const auto& [label, k] : allocation) expected += k;
  if (r.members.size() != expected)
    return bad("count " + std::to_string(r.members.size()) + " != " + std::to_string(expected));
  std::vector<bool> taken(pool.size(), false);
  StratumCounts per;
  Selection sel;
  sel.members.reserve(r.members.size());
  std::uint64_t rank = 0;
  for (const auto& m : r.members) {
    if (m.index >= pool.size() || taken[m.index]) return bad("index " + std::to_string(m.index));
    if (auto st = ValidateId("ticket", m.ticket); !st.ok()) return bad("ticket");
    taken[m.index] = true;
    ++per[pool.stratum(m.index)];
    Selected s;
    s.rank = ++rank;
    s.index = m.index;
    s.uscc = std::string(pool.uscc(m.index));
    s.stratum = pool.stratum(m.index);
    sel.file += std::to_string(s.rank) + "\t" + s.uscc + "\t" + s.stratum + "\t" + m.ticket + "\n";
    sel.members.push_back(std::move(s));
  }
  for (const auto& [label, k] : allocation)
    if (k > 0 && per[label] != k) return bad("stratum " + label);
  sel.hash = ToHex(Sha256(sel.file));
  return sel;
}

std::vector<std::string> SplitTeam(std::string_view team) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= team.size() && !team.empty()) {
    std::size_t end = team.find(',', start);
    if (end == std::string_view::npos) end = team.size();
    out.emplace_back(team.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

// The date of `at_us` on the platform's wall clock (time.h; Asia/Shanghai never fails).
std::string PlatformDate(const Platform& platform, std::int64_t at_us) {
  Result<CivilDate> d = platform.Time().LocalDate(at_us);
  return d.ok() ? d.value().ToString() : std::string("1970-01-01");
}

bool PluginsLoaded(const Platform& platform) {
  return !platform.SamplerNames().empty() || !platform.EntropySourceNames().empty();
}

namespace {

// Runs `fn(sql)` (returning a Result<T>) in one Platform::Read.
template <typename T, typename Fn>
Result<T> ReadOn(Platform& platform, Fn&& fn) {
  return ReadValue<T>(platform, std::forward<Fn>(fn));
}

}  // namespace

Status RequireDepartment(Sql& sql, const std::string& code) {
  auto j = Jurisdiction(sql, code);
  return j.ok() ? Status::Ok() : j.status();
}
Status RequireDepartment(Platform& platform, const std::string& code) {
  return platform.Read([&](Sql& sql) { return RequireDepartment(sql, code); });
}
Result<TaskRecord> LoadTask(Platform& platform, const std::string& id) {
  return ReadOn<TaskRecord>(platform, [&](Sql& sql) { return LoadTask(sql, id); });
}
Result<std::vector<TaskRecord>> ListTasks(Platform& platform, const std::string& department, const std::string& state) {
  return ReadOn<std::vector<TaskRecord>>(platform, [&](Sql& sql) { return ListTasks(sql, department, state); });
}
Result<std::vector<SelectedSubject>> LoadSelection(Platform& platform, const std::string& id) {
  return ReadOn<std::vector<SelectedSubject>>(platform, [&](Sql& sql) { return LoadSelection(sql, id); });
}
Result<std::vector<InspectorTask>> TasksForInspector(Platform& platform, const std::string& inspector_id) {
  return ReadOn<std::vector<InspectorTask>>(platform, [&](Sql& sql) { return TasksForInspector(sql, inspector_id); });
}
Result<std::string> TaskViewJson(Platform& platform, const TaskRecord& task, const Principal& viewer) {
  return ReadOn<std::string>(platform, [&](Sql& sql) { return TaskViewJson(sql, task, viewer); });
}
Status WriteTaskProof(Platform& platform, const std::string& id, const std::string& dir, bool for_public) {
  return platform.Read([&](Sql& sql) { return WriteTaskProof(sql, id, dir, for_public); });
}

json SlipNotes(const TaskRecord& t) {
  json j = json::object();
  if (!t.entropy_supplied_input.empty()) j["entropy_supplied_input"] = t.entropy_supplied_input;
  if (!t.entropy_replaced.empty())
    j["entropy_replaced"] = {{"value", t.entropy_replaced},
                             {"supplied_at_us", t.entropy_replaced_at_us},
                             {"replaced_at_us", t.entropy_supplied_at_us},
                             {"reason", t.entropy_replace_reason}};
  if (!t.reveal_reason.empty())
    j["revealed_before_inspection"] = {{"reason", t.reveal_reason}, {"unpublished", t.reveal_unpublished}};
  return j;
}

Result<TaskRecord> LoadTask(Sql& sql, const std::string& id) {
  std::optional<TaskRecord> t;
  Status st =
      sql.Query(std::string("SELECT ") + kTaskColumns + " FROM draw_tasks WHERE id = ?", {id}, [&](const SqlRow& r) {
        t = TaskFromRow(r);
        return false;
      });
  if (!st.ok()) return st;
  if (!t) return Status::Error(StatusCode::kNotFound, "抽查任务 " + id + " 不存在", "no draw task " + id);
  st = sql.Query("SELECT item_code FROM draw_task_items WHERE task_id = ? ORDER BY item_code", {id},
                 [&](const SqlRow& r) {
                   t->items.emplace_back(r.View(0));
                   return true;
                 });
  if (!st.ok()) return st;
  st = sql.Query("SELECT id FROM draw_tasks WHERE replaces = ? ORDER BY id", {id}, [&](const SqlRow& r) {
    t->replaced_by = std::string(r.View(0));
    return false;
  });
  if (!st.ok()) return st;
  return *t;
}

Result<std::vector<TaskRecord>> ListTasks(Sql& sql, const std::string& department, const std::string& state) {
  std::vector<TaskRecord> out;
  std::string q = std::string("SELECT ") + kTaskColumns + " FROM draw_tasks WHERE 1 = 1";
  SqlParams params;
  if (!department.empty()) {
    q += " AND department = ?";
    params.emplace_back(department);
  }
  if (!state.empty()) {
    q += " AND state = ?";
    params.emplace_back(state);
  }
  q += " ORDER BY created_at_us, id";
  Status st = sql.Query(q, params, [&](const SqlRow& r) {
    out.push_back(TaskFromRow(r));
    return true;
  });
  if (!st.ok()) return st;
  return out;
}

namespace {

// A due date before today (Asia/Shanghai, on the context's clock) is a slip, not a plan.
Status CheckDueDate(const Platform& platform, const std::string& due_date, std::int64_t now) {
  const std::string today = PlatformDate(platform, now);
  if (!due_date.empty() && due_date < today)
    return Refuse("完成期限 " + due_date + " 早于今天（" + today + "）：请给出今天或以后的日期",
                  "the due date " + due_date + " is before today (" + today + "): give today or a later date");
  return Status::Ok();
}

// Runs `fn(uow)` (returning a Result<T>) as one unit of work of the context's platform, as its
// principal: the writes, the audit record and the event commit together, or nothing does.
template <typename T, typename Fn>
Result<T> InUnit(TaskContext& ctx, Fn&& fn) {
  if (ctx.platform == nullptr) return NoPlatform();
  return TransactValue<T>(*ctx.platform, ctx.principal, std::forward<Fn>(fn));
}

}  // namespace

Result<TaskRecord> CreateTask(TaskContext& ctx, TaskSpec spec) {
  if (ctx.platform == nullptr) return NoPlatform();
  Platform& platform = *ctx.platform;
  // ParseTaskSpec checks the codes when told the platform's; a spec built in code is checked here.
  if (auto st = CheckRegionCodes(spec.filters.regions, platform.Regions()); !st.ok()) return st;
  return InUnit<TaskRecord>(ctx, [&](UnitOfWork& uow) -> Result<TaskRecord> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    if (auto st = CheckDueDate(platform, spec.due_date, now); !st.ok()) return st;
    auto juris = Jurisdiction(sql, spec.department);
    if (!juris.ok()) return juris.status();
    auto prefixes = EffectivePrefixes(juris.value(), spec.filters.regions);
    if (!prefixes.ok()) return prefixes.status();
    auto items = LoadItems(sql, spec.items);
    if (!items.ok()) return items.status();
    const std::vector<std::string> departments = TaskDepartments(spec);
    auto is_task_department = [&](const std::string& d) {
      return std::find(departments.begin(), departments.end(), d) != departments.end();
    };
    for (const auto& p : spec.participants) {
      auto pj = Jurisdiction(sql, p);  // the participant exists
      if (!pj.ok()) return pj.status();
      bool brings = false;
      for (const auto& item : items.value()) brings = brings || item.department == p;
      if (!brings)
        return Refuse(
            "参与部门 " + p + " 没有带来抽查事项（联合抽查中每个参与部门至少一项）",
            "participating department " + p + " brings no item (each participant of a joint task brings at least one)");
    }
    for (const auto& item : items.value()) {
      if (!is_task_department(item.department))
        return Refuse("抽查事项 " + item.code + " 属于部门 " + item.department + "，不属于 " + spec.department +
                          (spec.participants.empty() ? "" : " 或参与部门"),
                      "item " + item.code + " belongs to department " + item.department + ", not " + spec.department +
                          (spec.participants.empty() ? "" : " or a participant"));
      if (const auto* r = std::get_if<RatioRule>(&spec.rule); r != nullptr && spec.strata == StrataKind::kNone) {
        const std::int64_t ppm = r->ppm.begin()->second;
        if (item.ratio_min_ppm >= 0 && ppm < item.ratio_min_ppm)
          return Refuse(
              "抽取比例 " + PpmText(ppm) + " 低于抽查事项 " + item.code + " 的最低比例 " + PpmText(item.ratio_min_ppm),
              "the ratio " + PpmText(ppm) + " is below the minimum " + PpmText(item.ratio_min_ppm) + " of item " +
                  item.code);
        if (item.ratio_max_ppm >= 0 && ppm > item.ratio_max_ppm)
          return Refuse(
              "抽取比例 " + PpmText(ppm) + " 高于抽查事项 " + item.code + " 的最高比例 " + PpmText(item.ratio_max_ppm),
              "the ratio " + PpmText(ppm) + " is above the maximum " + PpmText(item.ratio_max_ppm) + " of item " +
                  item.code);
      }
    }
    std::vector<Slot> all_slots = spec.slots;
    if (spec.expert_slot) all_slots.push_back(*spec.expert_slot);
    for (const auto& slot : all_slots) {
      if (!is_task_department(slot.group))
        return Refuse("检查组名额的部门 " + slot.group + " 不是任务的部门 " + spec.department +
                          (spec.participants.empty() ? "（多部门联合抽查须列出参与部门）" : " 或参与部门"),
                      "team slot department " + slot.group + " is not the task's department " + spec.department +
                          (spec.participants.empty() ? " (a joint task lists its participating departments)"
                                                     : " or a participant"));
    }
    for (const auto& d : departments) {
      bool has = false;
      for (const auto& slot : spec.slots) has = has || (slot.group == d && slot.count > 0);
      if (!has)
        return Refuse(
            "检查组没有部门 " + d + " 的名额（联合抽查的检查组须含每个参与部门的执法人员）",
            "the team has no slot for department " + d + " (a joint team includes officers of every department)");
    }
    {
      // ParseTaskSpec checks this too, but a spec built in code reaches here without it.
      std::uint32_t officers = 0;
      for (const auto& slot : spec.slots) officers += slot.count;
      const std::uint32_t min_team = ctx.spec_options.min_team_size;
      if (officers < min_team)
        return Refuse("每组至少 " + std::to_string(min_team) + " 名执法人员（行政处罚法第四十二条），实际 " +
                          std::to_string(officers) + " 名",
                      "a team needs at least " + std::to_string(min_team) +
                          " officers (Administrative Penalty Law art. 42), got " + std::to_string(officers));
    }
    const bool plugins = PluginsLoaded(platform);
    if (plugins && platform.FindSampler(spec.sampler) == nullptr) {
      std::string list;
      for (const auto& name : platform.SamplerNames()) list += (list.empty() ? "" : ", ") + name;
      return Refuse("没有名为 " + spec.sampler + " 的抽样算法（已加载：" + list + "）",
                    "no sampler named " + spec.sampler + " (loaded: " + list + ")");
    }
    if (plugins) {
      // List codes name registered list types, and public ones: the spec is published.
      const auto check_lists = [&](const std::vector<std::string>& codes, const std::string& field) -> Status {
        for (std::size_t i = 0; i < codes.size(); ++i) {
          const std::string where = field + "[" + std::to_string(i) + "]";
          const ListPolicy* p = platform.FindListPolicy(codes[i]);
          if (p == nullptr) {
            std::string known;
            for (const auto& c : platform.ListPolicyNames()) known += (known.empty() ? "" : ", ") + c;
            return Refuse(where + "：名单类型 " + codes[i] + " 未注册（已注册：" + known + "）",
                          where + ": the list type " + codes[i] + " is not registered (registered: " + known + ")");
          }
          if (!p->is_public)
            return Refuse(where + "：名单类型 " + codes[i] + " 不公开，不能写入公开的抽查计划",
                          where + ": the list type " + codes[i] + " is not public, and a task's spec is published");
        }
        return Status::Ok();
      };
      if (Status st = check_lists(spec.filters.listings, "filters.listings"); !st.ok()) return st;
      if (Status st = check_lists(spec.filters.not_listings, "filters.not_listings"); !st.ok()) return st;
      if (Status st = check_lists(spec.strata_listings, "strata_listings"); !st.ok()) return st;
    }
    const EntropySource* entropy_source = nullptr;
    if (plugins) {
      auto source = FindSource(platform, spec.entropy_source_name, StatusCode::kInvalidArgument);
      if (!source.ok()) return source.status();
      entropy_source = source.value();
      if (entropy_source->NeedsValue() && spec.entropy_source.empty())
        return Refuse("公开随机源 " + spec.entropy_source_name + " 需要说明将使用哪一个公开值（entropy.description）",
                      "the entropy source " + spec.entropy_source_name +
                          " needs a description of the public value it will use (entropy.description)");
    }
    if (spec.rule_preset.empty() && std::holds_alternative<RatioRule>(spec.rule)) {
      // Every stratum must get a ratio; strata are known at announce, but a risk-class rule can
      // be checked now.
      const auto& r = std::get<RatioRule>(spec.rule);
      if (spec.strata == StrataKind::kRiskClass && !r.ppm.count("*")) {
        for (const char* c : {"A", "B", "C", "D", "none"})
          if (!r.ppm.count(c))
            return Refuse("比例规则缺少风险分类 " + std::string(c) + " 的比例，且没有默认值 \"*\"",
                          "the ratio rule has no ratio for risk class " + std::string(c) + " and no default \"*\"");
      }
    }

    if (!spec.replaces.empty()) {
      auto old = LoadTask(sql, spec.replaces);
      if (!old.ok()) return old.status();
      if (old.value().state != "cancelled")
        return Status::Error(
            StatusCode::kFailedPrecondition,
            "被替代的任务 " + spec.replaces + " 处于 " + old.value().state + " 状态：只能替代已撤销的任务（不能重抽）",
            "the replaced task " + spec.replaces + " is " + old.value().state +
                ": only a cancelled task can be replaced (there is no redraw)");
      if (!old.value().replaced_by.empty())
        return Status::Error(StatusCode::kAlreadyExists,
                             "任务 " + spec.replaces + " 已被 " + old.value().replaced_by + " 替代",
                             "task " + spec.replaces + " is already replaced by " + old.value().replaced_by);
    }
    if (spec.id.empty()) {
      const std::string prefix = spec.department + "-" + PlatformDate(platform, now).substr(0, 4) + "-";
      std::int64_t n = 0;
      Status st = sql.Query("SELECT COUNT(*) FROM draw_tasks WHERE id LIKE ?", {prefix + "%"}, [&](const SqlRow& r) {
        n = std::stoll(std::string(r.View(0)));
        return false;
      });
      if (!st.ok()) return st;
      for (;; ++n) {
        char num[32];
        std::snprintf(num, sizeof num, "%04lld", static_cast<long long>(n + 1));
        spec.id = prefix + num;
        bool exists = false;
        st = sql.Query("SELECT 1 FROM draw_tasks WHERE id = ?", {spec.id}, [&](const SqlRow&) {
          exists = true;
          return false;
        });
        if (!st.ok()) return st;
        if (!exists) break;
      }
    } else {
      bool exists = false;
      Status st = sql.Query("SELECT 1 FROM draw_tasks WHERE id = ?", {spec.id}, [&](const SqlRow&) {
        exists = true;
        return false;
      });
      if (!st.ok()) return st;
      if (exists)
        return Status::Error(StatusCode::kAlreadyExists, "任务编号 " + spec.id + " 已存在",
                             "task id " + spec.id + " already exists");
    }

    TaskRecord t;
    t.id = spec.id;
    t.title = spec.title;
    t.department = spec.department;
    t.sampler = spec.sampler;
    t.state = "draft";
    t.spec_json = SpecToJson(spec);
    t.entropy_source = spec.entropy_source;
    t.entropy_source_name = spec.entropy_source_name;
    // Shown in the draft; fixed again at the announcement.
    if (entropy_source != nullptr) t.entropy_notice = NoticeText(*entropy_source, RequestFor(t, now));
    t.replaces = spec.replaces;
    t.replace_reason = spec.replace_reason;
    t.created_by = uow.principal().id;
    t.created_at_us = now;
    t.due_date = spec.due_date;
    t.items = spec.items;
    t.digest = TaskDigest(t);
    {
      Result<std::int64_t> n = sql.Exec(
          "INSERT INTO draw_tasks(id, title, department, sampler, state, spec, entropy_source, entropy_source_name, "
          "entropy_notice, replaces, replace_reason, created_by, created_at_us, due_date, digest, updated_at_us) "
          "VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {t.id, t.title, t.department, t.sampler, t.spec_json, t.entropy_source, t.entropy_source_name,
           t.entropy_notice, Nullable(t.replaces), t.replace_reason, t.created_by, t.created_at_us,
           Nullable(t.due_date), t.digest, t.created_at_us});
      if (!n.ok()) return n.status();
      for (const auto& item : spec.items) {
        Result<std::int64_t> i =
            sql.Exec("INSERT INTO draw_task_items(task_id, item_code) VALUES (?, ?)", {t.id, item});
        if (!i.ok()) return i.status();
      }
    }
    json payload{
        {"id", t.id}, {"department", t.department}, {"state", "draft"}, {"entropy_source_name", t.entropy_source_name}};
    if (!t.replaces.empty()) payload["replaces"] = t.replaces;
    if (auto st = Journal(uow, "task.create", t.id, "", t.digest, "draw.task.created", payload); !st.ok()) return st;
    return LoadTask(sql, t.id);
  });
}

Result<TaskRecord> AnnounceTask(TaskContext& ctx, const std::string& id) {
  if (ctx.platform == nullptr) return NoPlatform();
  Platform& platform = *ctx.platform;
  Timer timer(ctx.timings);
  std::shared_ptr<const FrozenPool> frozen;  // kept in ctx.cached_pool once committed
  Result<TaskRecord> announced = InUnit<TaskRecord>(ctx, [&](UnitOfWork& uow) -> Result<TaskRecord> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    auto task = LoadForUpdate(sql, id);
    if (!task.ok()) return task.status();
    TaskRecord t = std::move(task).value();
    if (t.state != "draft") return WrongState(t, "公告", "announce it");
    const EntropySource* entropy_source = nullptr;
    if (PluginsLoaded(platform)) {
      auto source = FindSource(platform, t.entropy_source_name, StatusCode::kInvalidArgument);
      if (!source.ok()) return source.status();
      entropy_source = source.value();
    }
    if (!t.due_date.empty() && t.due_date < PlatformDate(platform, now))
      return Refuse("任务 " + t.id + " 的完成期限 " + t.due_date + " 早于今天（" + PlatformDate(platform, now) +
                        "），不能公告：请撤销任务并创建新任务",
                    "task " + t.id + " cannot be announced: its due date " + t.due_date + " is before today (" +
                        PlatformDate(platform, now) + "); cancel it and create a new task");
    auto spec_r = SpecOf(t, ctx.spec_options);
    if (!spec_r.ok()) return spec_r.status();
    const TaskSpec spec = std::move(spec_r).value();
    auto juris = Jurisdiction(sql, spec.department);
    if (!juris.ok()) return juris.status();
    auto prefixes = EffectivePrefixes(juris.value(), spec.filters.regions);
    if (!prefixes.ok()) return prefixes.status();
    auto items = LoadItems(sql, spec.items);
    if (!items.ok()) return items.status();
    std::vector<ItemScope> scopes;
    for (const auto& it : items.value()) scopes.push_back({it.code, it.target_types, it.target_labels});
    PoolFilter filter(spec, prefixes.value(), scopes);

    // Exclusions: subjects in open tasks, and subjects drawn for one of these items recently.
    std::unordered_set<std::string> excluded;
    {
      std::string in_items;
      SqlParams params;
      for (const auto& code : spec.items) {
        in_items += in_items.empty() ? "?" : ", ?";
        params.emplace_back(code);
      }
      std::int64_t cutoff = 0;
      bool window = true;
      if (spec.exclusions.same_item_within_days) {
        window = *spec.exclusions.same_item_within_days > 0;
        cutoff = now - static_cast<std::int64_t>(*spec.exclusions.same_item_within_days) * 86400LL * 1000000LL;
      } else {
        cutoff = YearStartUs(platform, now);
      }
      // First the tasks concerned (few), then their selections by primary key: the
      // selection table grows with every task ever drawn.
      std::string cond;
      if (spec.exclusions.open_tasks == OpenTasks::kAll) cond = "state = 'drawn'";
      if (window) {
        if (!cond.empty()) cond += " OR ";
        cond +=
            "((state = 'drawn' OR state = 'revealed') AND drawn_at_us >= ? AND EXISTS (SELECT 1 FROM "
            "draw_task_items i WHERE i.task_id = draw_tasks.id AND i.item_code IN (" +
            in_items + ")))";
        SqlParams p2{std::to_string(cutoff)};
        p2.insert(p2.end(), params.begin(), params.end());
        params = p2;
      } else {
        params.clear();
      }
      std::set<std::string> tasks;
      if (!cond.empty()) {
        Status st = sql.Query("SELECT id FROM draw_tasks WHERE " + cond, params, [&](const SqlRow& r) {
          tasks.emplace(r.View(0));
          return true;
        });
        if (!st.ok()) return st;
      }
      if (spec.exclusions.open_tasks == OpenTasks::kOwn) {
        // The open tasks of this task's departments (a joint task's participants count), and
        // those sharing one of its items. Another department's picks stay drawable: the same
        // subject drawn by two departments is what `visits merge` turns into one joint visit.
        const std::vector<std::string> mine = TaskDepartments(spec);
        SqlParams item_params(spec.items.begin(), spec.items.end());
        std::string in_own;
        for (std::size_t i = 0; i < spec.items.size(); ++i) in_own += i ? ", ?" : "?";
        Status st = sql.Query(
            "SELECT id, department, spec, CASE WHEN EXISTS (SELECT 1 FROM draw_task_items i WHERE "
            "i.task_id = draw_tasks.id AND i.item_code IN (" +
                in_own +
                ")) THEN 1 ELSE 0 END "
                "FROM draw_tasks WHERE state = 'drawn'",
            item_params, [&](const SqlRow& r) {
              TaskRecord open;
              open.department = std::string(r.View(1));
              open.spec_json = std::string(r.View(2));
              bool own = r.View(3) == "1";
              for (const auto& d : DepartmentsOf(open))
                own = own || std::find(mine.begin(), mine.end(), d) != mine.end();
              if (own) tasks.emplace(r.View(0));
              return true;
            });
        if (!st.ok()) return st;
      }
      for (const auto& task_id : tasks) {
        Status st = sql.Query("SELECT uscc FROM draw_selection WHERE task_id = ?", {task_id}, [&](const SqlRow& r) {
          excluded.emplace(r.View(0));
          return true;
        });
        if (!st.ok()) return st;
      }
    }
    timer.Lap("exclusions");
    Result<FrozenPool> pool_r = Status::Error(StatusCode::kInternal, "未建立对象池", "no pool built");
    if (ctx.subject_index) {
      // The index caught up with the directory as this transaction sees it; the lease ends
      // with the pool.
      Result<SubjectIndexLease> lease = platform.Subjects();
      if (!lease.ok()) return lease.status();
      pool_r = BuildPool(sql, filter, excluded, &*lease.value());
    } else {
      pool_r = BuildPool(sql, filter, excluded, nullptr);
    }
    if (!pool_r.ok()) return pool_r.status();
    auto pool_ptr = std::make_shared<const FrozenPool>(std::move(pool_r).value());
    const FrozenPool& pool = *pool_ptr;
    timer.Lap("pool");
    if (pool.size() == 0)
      return Refuse("任务 " + id + " 的检查对象池为空：没有符合筛选条件、辖区和抽查事项范围的存续对象",
                    "the pool of task " + id +
                        " is empty: no active subject matches the filters, the jurisdiction and the items");
    const StratumCounts sizes = StratumSizes(pool);
    auto alloc = Allocate(spec.rule, sizes);
    if (!alloc.ok()) return alloc.status();
    std::uint64_t k = 0, strata_drawn = 0;
    for (const auto& [label, ks] : alloc.value()) {
      k += ks;
      strata_drawn += ks > 0 ? 1 : 0;
    }
    const auto n = static_cast<unsigned __int128>(pool.size());
    for (const auto& item : items.value()) {
      // k / N against the item's bounds; each stratum rounds up by less than one subject.
      if (item.ratio_min_ppm >= 0 &&
          static_cast<unsigned __int128>(k) * 1000000 < n * static_cast<unsigned __int128>(item.ratio_min_ppm) &&
          k < pool.size())
        return Refuse("本任务抽取 " + std::to_string(k) + "/" + std::to_string(pool.size()) + "，低于抽查事项 " +
                          item.code + " 的最低比例 " + PpmText(item.ratio_min_ppm),
                      "the task draws " + std::to_string(k) + " of " + std::to_string(pool.size()) +
                          ", below the minimum ratio " + PpmText(item.ratio_min_ppm) + " of item " + item.code);
      if (item.ratio_max_ppm >= 0 &&
          static_cast<unsigned __int128>(k) * 1000000 > n * static_cast<unsigned __int128>(item.ratio_max_ppm) +
                                                            static_cast<unsigned __int128>(strata_drawn) * 1000000)
        return Refuse("本任务抽取 " + std::to_string(k) + "/" + std::to_string(pool.size()) + "，高于抽查事项 " +
                          item.code + " 的最高比例 " + PpmText(item.ratio_max_ppm),
                      "the task draws " + std::to_string(k) + " of " + std::to_string(pool.size()) +
                          ", above the maximum ratio " + PpmText(item.ratio_max_ppm) + " of item " + item.code);
    }
    if (k == 0) return Refuse("按抽取规则本任务不抽取任何对象", "the rule draws no subject at all");

    std::string secret(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1)
      return Status::Error(StatusCode::kInternal, "无法生成随机秘密值", "cannot generate the random secret");
    // The pool file goes straight into the statement's parameters (tens of MB for a province:
    // never copied), where a second thread hashes it while it is stored (both take about as
    // long); the task row, which needs the hash, is written after.
    SqlParams file_row;
    file_row.reserve(3);
    file_row.emplace_back(t.id);
    file_row.emplace_back("pool.tsv");
    file_row.emplace_back(PoolFile(pool));
    const std::string& pool_file = std::get<std::string>(file_row[2].variant());
    timer.Lap("pool_file");
    auto hashing = std::async(std::launch::async, [&pool_file] { return ToHex(Sha256(pool_file)); });
    const Status saved = sql.Exec(kSaveFile, file_row).status();
    const std::string pool_hash = hashing.get();
    if (!saved.ok()) return saved;
    timer.Lap("pool_save_and_hash");
    const std::string before = t.digest;
    t.state = "announced";
    t.announced_at_us = now;
    t.announce_date = PlatformDate(platform, now);
    t.pool_size = static_cast<std::int64_t>(pool.size());
    t.pool_hash = pool_hash;
    t.strata_json = CountsJson(sizes);
    t.commitment = Commitment(secret);
    // The notice as the announcement publishes it (kept from the creation without plugins).
    if (entropy_source != nullptr) t.entropy_notice = NoticeText(*entropy_source, RequestFor(t, now));
    t.digest = TaskDigest(t);  // before the secret is set: it is not public yet
    t.secret_hex = ToHex(secret);
    {
      Result<std::int64_t> n = sql.Exec(
          "UPDATE draw_tasks SET state = 'announced', announced_at_us = ?, announce_date = ?, pool_size = ?, pool_hash "
          "= ?, "
          "strata = ?, commitment = ?, secret = ?, entropy_notice = ?, digest = ?, updated_at_us = ? WHERE id = ?",
          {now, t.announce_date, t.pool_size, t.pool_hash, t.strata_json, t.commitment, t.secret_hex, t.entropy_notice,
           t.digest, now, t.id});
      if (!n.ok()) return n.status();
    }
    json payload{{"id", t.id},
                 {"department", t.department},
                 {"pool_size", t.pool_size},
                 {"pool_hash", t.pool_hash},
                 {"commitment", t.commitment},
                 {"entropy_source", t.entropy_source},
                 {"entropy_source_name", t.entropy_source_name},
                 {"entropy_notice", t.entropy_notice},
                 {"algorithm", t.sampler}};
    if (auto st = Journal(uow, "task.announce", t.id, before, t.digest, "draw.task.announced", payload); !st.ok())
      return st;
    frozen = std::move(pool_ptr);
    return LoadTask(sql, id);
  });
  if (!announced.ok()) return announced;
  ctx.cached_pool = {announced->id, announced->pool_hash, std::move(frozen)};
  timer.Lap("announce_commit");
  return announced;
}

namespace {

// The entropy an explicit DrawTask draws with (see DrawTask in tasks.h); the conversions of
// the source's format go to *conversions.
Result<std::string> GivenEntropy(const TaskContext& ctx, const TaskRecord& t, const EntropySource& source,
                                 const EntropyRequest& request, const std::string& typed,
                                 std::vector<std::string>* conversions) {
  if (!source.NeedsValue()) return source.Value(request, typed);
  std::string given;
  if (!typed.empty()) {
    auto reading = ReadTyped(source, request, typed, t.entropy_source_name);
    if (!reading.ok()) return reading.status();
    given = reading.value().value;
    *conversions = reading.value().conversions;
  }
  if (!t.entropy_supplied.empty() && given != t.entropy_supplied)
    return Status::Error(StatusCode::kConflict,
                         "任务 " + t.id + " 已录入公开随机源的值 “" + t.entropy_supplied + "”（" +
                             t.entropy_supplied_by + "）：只能用该值抽取（xinjian task draw " + t.id + "）",
                         "task " + t.id + " has the entropy value '" + t.entropy_supplied + "' supplied already (by " +
                             t.entropy_supplied_by + "): it can only be drawn with that value (xinjian task draw " +
                             t.id + ")");
  if (given.empty()) {
    if (!ctx.allow_empty_entropy)
      return Refuse("须提供公告时指明的公开随机源的值（--entropy）；空值只用于演示和测试（--allow-empty-entropy）",
                    "give the value of the public entropy source named in the notice (--entropy); an empty value is "
                    "for demos and tests only (--allow-empty-entropy)");
    return std::string();
  }
  return given;
}

}  // namespace

// DrawTask (`given` set) and DrawIfReady (`given` null: the source's value, nullopt while it
// waits). One write transaction; the state and the supplied value are read under its lock.
static Result<std::optional<TaskRecord>> DrawLocked(TaskContext& ctx, const std::string& id, const std::string* given) {
  if (ctx.platform == nullptr) return NoPlatform();
  Platform& platform = *ctx.platform;
  Timer timer(ctx.timings);
  if (!PluginsLoaded(platform))
    return Status::Error(StatusCode::kFailedPrecondition, "没有加载插件，无法抽取", "no plugins loaded; cannot draw");
  if (given != nullptr) {
    // Hostile input is refused before anything is locked.
    if (auto st = CheckEntropy(*given); !st.ok()) return st;
  }
  std::vector<std::string> conversions;
  Result<std::optional<TaskRecord>> drawn = InUnit<
      std::optional<TaskRecord>>(ctx, [&](UnitOfWork& uow) -> Result<std::optional<TaskRecord>> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    auto task = LoadForUpdate(sql, id);
    if (!task.ok()) return task.status();
    TaskRecord t = std::move(task).value();
    if (given == nullptr && (t.state == "drawn" || t.state == "revealed"))
      return std::optional<TaskRecord>(std::move(t));
    if (t.state != "announced") return WrongState(t, "抽取", "draw it");
    auto source = FindSource(platform, t.entropy_source_name, StatusCode::kNotFound);
    if (!source.ok()) return source.status();
    const EntropyRequest entropy_request = RequestFor(t, now);
    std::string entropy;
    if (given != nullptr) {
      auto e = GivenEntropy(ctx, t, *source.value(), entropy_request, *given, &conversions);
      if (!e.ok()) return e.status();
      entropy = std::move(e).value();
    } else {
      auto e = source.value()->Value(entropy_request, t.entropy_supplied);
      if (!e.ok()) {
        if (e.status().code() == StatusCode::kFailedPrecondition) return std::optional<TaskRecord>();  // still waiting
        return e.status();
      }
      entropy = std::move(e).value();
      if (entropy.empty() && source.value()->NeedsValue())
        return Status::Error(StatusCode::kInternal, "公开随机源 " + t.entropy_source_name + " 返回了空值",
                             "the entropy source " + t.entropy_source_name + " returned an empty value");
    }
    // Whatever the source returned: a value the notice and the proof can carry.
    if (auto st = CheckEntropy(entropy); !st.ok())
      return Status::Error(
          st.code(), "公开随机源 " + t.entropy_source_name + " 的值不可用：" + st.message(),
          "the value of the entropy source " + t.entropy_source_name + " cannot be used: " + st.message());
    auto spec_r = SpecOf(t, ctx.spec_options);
    if (!spec_r.ok()) return spec_r.status();
    const TaskSpec spec = std::move(spec_r).value();
    const Sampler* sampler = platform.FindSampler(t.sampler);
    if (sampler == nullptr)
      return Status::Error(StatusCode::kNotFound, "抽样算法 " + t.sampler + " 未加载（缺少插件？）",
                           "the sampler " + t.sampler + " is not loaded (plugin missing?)");
    std::shared_ptr<const FrozenPool> pool_ptr;
    if (ctx.cached_pool.pool && ctx.cached_pool.task_id == t.id && ctx.cached_pool.pool_hash == t.pool_hash) {
      pool_ptr = ctx.cached_pool.pool;
    } else {
      auto pool_text = ReadFile(sql, t.id, "pool.tsv");
      if (!pool_text.ok()) return pool_text.status();
      if (ToHex(Sha256(pool_text.value())) != t.pool_hash)
        return Status::Error(StatusCode::kInternal, "任务 " + t.id + " 冻结的检查对象池与其哈希不符（被篡改？）",
                             "the frozen pool of task " + t.id + " does not match its hash (tampered with?)");
      auto pool_r = ParsePoolFile(pool_text.value());
      if (!pool_r.ok()) return pool_r.status();
      pool_ptr = std::make_shared<const FrozenPool>(std::move(pool_r).value());
    }
    ctx.cached_pool = {};
    const FrozenPool& pool = *pool_ptr;
    timer.Lap("load_pool");
    auto alloc = Allocate(spec.rule, StratumSizes(pool));
    if (!alloc.ok()) return alloc.status();
    auto secret = FromHex(t.secret_hex);
    if (!secret.ok()) return secret.status();

    SampleRequest req;
    req.task_id = t.id;
    req.secret = secret.value();
    req.entropy = entropy;
    req.pool_hash = t.pool_hash;
    req.pool = &pool;
    req.allocation = alloc.value();
    auto sample = sampler->Sample(req);
    if (!sample.ok()) return sample.status();
    timer.Lap("sample");
    auto sel_r = SelectionFromSample(pool, alloc.value(), sample.value(), t.sampler);
    if (!sel_r.ok()) return sel_r.status();
    const Selection& selection = sel_r.value();
    timer.Lap("selection");

    // Teams: eligible officers per group, conflicts for the selected subjects.
    const std::string draw_date = PlatformDate(platform, now);
    auto items = LoadItems(sql, spec.items);
    if (!items.ok()) return items.status();
    // An officer needs the qualifications of his own department's items.
    std::map<std::string, std::set<std::string>> required_of;
    for (const auto& it : items.value())
      if (!it.qualification.empty()) required_of[it.department].insert(it.qualification);
    TeamInputs teams;
    std::unordered_map<std::string, std::string> office_of;
    std::vector<Slot> slots = spec.slots;
    if (spec.expert_slot) slots.push_back(Slot{spec.expert_slot->group + "#expert", spec.expert_slot->count});
    for (const auto& slot : slots) {
      const bool expert = slot.group.size() > 7 && slot.group.compare(slot.group.size() - 7, 7, "#expert") == 0;
      const std::string dept = expert ? slot.group.substr(0, slot.group.size() - 7) : slot.group;
      const std::set<std::string>& required = required_of[dept];
      auto& members = teams.groups[slot.group];
      Status st = sql.Query(
          "SELECT id, qualifications, office_region FROM inspectors WHERE department = ? AND status = 'active' "
          "AND certificate_expires >= ? AND expert = ? ORDER BY id",
          {dept, draw_date, std::string(expert ? "1" : "0")}, [&](const SqlRow& r) {
            const auto quals = SplitList(r.View(1));
            for (const auto& q : required)
              if (std::find(quals.begin(), quals.end(), q) == quals.end()) return true;
            members.emplace_back(r.View(0));
            office_of[members.back()] = TrimRegion(std::string(r.View(2)));
            return true;
          });
      if (!st.ok()) return st;
      if (members.size() < slot.count) {
        std::string quals;
        for (const auto& q : required) quals += (quals.empty() ? "" : "、") + q;
        return Status::Error(
            StatusCode::kFailedPrecondition,
            "部门 " + dept + (expert ? " 的专家" : " ") + "只有 " + std::to_string(members.size()) +
                " 名合格人员（在岗、执法证在 " + draw_date + " 有效" + (quals.empty() ? "" : "、具备 " + quals) +
                "），每组需要 " + std::to_string(slot.count) + " 名",
            "department " + dept + " has only " + std::to_string(members.size()) +
                (expert ? " eligible experts" : " eligible officers") + " (active, certificate valid on " + draw_date +
                (quals.empty() ? "" : ", qualified") + "); each team needs " + std::to_string(slot.count));
      }
      teams.slots.push_back(slot);
    }
    std::unordered_set<std::string> selected;
    for (const auto& m : selection.members) selected.insert(m.uscc);
    std::unordered_set<std::string> staff;
    for (const auto& [g, members] : teams.groups) staff.insert(members.begin(), members.end());
    if (spec.conflicts.declared_relations) {
      Status st = sql.Query("SELECT uscc, inspector_id FROM relations", {}, [&](const SqlRow& r) {
        std::string u(r.View(0)), i(r.View(1));
        if (selected.count(u) && staff.count(i)) teams.conflicts.emplace(std::move(u), std::move(i));
        return true;
      });
      if (!st.ok()) return st;
    }
    if (spec.conflicts.previous_inspector) {
      // The team of the latest earlier task that selected the subject for a shared item.
      std::string in_items;
      SqlParams params{t.id};
      for (const auto& code : spec.items) {
        in_items += in_items.empty() ? "?" : ", ?";
        params.emplace_back(code);
      }
      std::vector<std::string> earlier;  // drawn or revealed tasks sharing an item, oldest first
      Status st = sql.Query(
          "SELECT id FROM draw_tasks t WHERE (t.state = 'drawn' OR t.state = 'revealed') AND t.id <> ? AND "
          "EXISTS (SELECT 1 FROM draw_task_items i WHERE i.task_id = t.id AND i.item_code IN (" +
              in_items + ")) ORDER BY t.drawn_at_us, t.id",
          params, [&](const SqlRow& r) {
            earlier.emplace_back(r.View(0));
            return true;
          });
      if (!st.ok()) return st;
      std::unordered_map<std::string, std::pair<std::size_t, std::vector<std::string>>> last;  // uscc => (task, team)
      for (std::size_t k = 0; k < earlier.size(); ++k) {
        st = sql.Query("SELECT uscc, team FROM draw_selection WHERE task_id = ?", {earlier[k]}, [&](const SqlRow& r) {
          std::string u(r.View(0));
          if (!selected.count(u)) return true;
          last[u] = {k, SplitTeam(r.View(1))};  // tasks come oldest first: the latest team wins
          return true;
        });
        if (!st.ok()) return st;
      }
      for (auto& [u, e] : last)
        for (auto& i : e.second)
          if (staff.count(i)) teams.conflicts.emplace(u, i);
    }
    if (spec.conflicts.same_office) {
      // 所所交叉: an officer does not inspect subjects in his own office's area.
      std::vector<std::string> usccs(selected.begin(), selected.end());
      std::sort(usccs.begin(), usccs.end());
      for (std::size_t b = 0; b < usccs.size(); b += 500) {
        std::string in;
        SqlParams params;
        for (std::size_t i = b; i < std::min(usccs.size(), b + 500); ++i) {
          in += in.empty() ? "?" : ", ?";
          params.emplace_back(usccs[i]);
        }
        Status st =
            sql.Query("SELECT uscc, region FROM subjects WHERE uscc IN (" + in + ")", params, [&](const SqlRow& r) {
              const std::string_view region = r.View(1);
              for (const auto& [inspector, office] : office_of)
                if (!office.empty() && region.substr(0, office.size()) == office)
                  teams.conflicts.emplace(std::string(r.View(0)), inspector);
              return true;
            });
        if (!st.ok()) return st;
      }
    }
    timer.Lap("team_inputs");
    auto assignment = AssignTeams(sample.value().seed, selection, teams);
    if (!assignment.ok()) return assignment.status();
    timer.Lap("assign");
    const std::string conflicts_file = ConflictsFile(teams.conflicts);
    const std::string groups_file = GroupsFile(teams.groups);

    // Persist: selection, teams, files, the task row, audit and event.
    {
      auto sink = sql.BulkInsert("draw_selection", {"task_id", "rank", "uscc", "stratum", "ticket", "team"});
      if (!sink.ok()) return sink.status();
      std::vector<SqlValue> row(6);
      row[0] = SqlValue(t.id);
      for (std::size_t i = 0; i < selection.members.size(); ++i) {
        const auto& m = selection.members[i];
        std::string team;
        for (const auto& member : assignment.value().teams[i]) team += (team.empty() ? "" : ",") + member;
        row[1] = SqlValue(static_cast<std::int64_t>(m.rank));
        row[2] = SqlValue(m.uscc);
        row[3] = SqlValue(m.stratum);
        row[4] = SqlValue(sample.value().members[i].ticket);
        row[5] = SqlValue(std::move(team));
        if (auto st = sink.value()->Add(row); !st.ok()) return st;
      }
      if (auto st = sink.value()->Finish(); !st.ok()) return st;
    }
    if (auto st = SaveFile(sql, t.id, "groups.tsv", groups_file); !st.ok()) return st;
    if (auto st = SaveFile(sql, t.id, "conflicts.tsv", conflicts_file); !st.ok()) return st;
    const std::string before = t.digest;
    t.state = "drawn";
    t.drawn_at_us = now;
    t.draw_date = draw_date;
    t.entropy = entropy;
    t.seed_hex = ToHex(sample.value().seed);
    t.allocation_json = CountsJson(alloc.value());
    t.selection_hash = selection.hash;
    json slots_j = json::array();
    for (const auto& s : teams.slots) slots_j.push_back(json::array({s.group, s.count}));
    t.slots_json = slots_j.dump();
    t.assignment_hash = assignment.value().hash;
    t.conflicts_hash = ToHex(Sha256(conflicts_file));
    const std::string secret_hex = t.secret_hex;
    t.secret_hex.clear();  // not part of the public digest until revealed
    t.digest = TaskDigest(t);
    t.secret_hex = secret_hex;
    {
      Result<std::int64_t> n = sql.Exec(
          "UPDATE draw_tasks SET state = 'drawn', drawn_at_us = ?, draw_date = ?, entropy = ?, seed = ?, "
          "allocation = ?, selection_hash = ?, slots = ?, assignment_hash = ?, conflicts_hash = ?, digest = ?, "
          "updated_at_us = ? WHERE id = ?",
          {now, t.draw_date, t.entropy, t.seed_hex, t.allocation_json, t.selection_hash, t.slots_json,
           t.assignment_hash, t.conflicts_hash, t.digest, now, t.id});
      if (!n.ok()) return n.status();
    }
    // The event carries no selection: it is confidential until the reveal.
    json payload{{"id", t.id},
                 {"department", t.department},
                 {"selected", selection.members.size()},
                 {"entropy_source_name", t.entropy_source_name},
                 {"entropy", t.entropy},
                 {"selection_hash", t.selection_hash},
                 {"assignment_hash", t.assignment_hash}};
    if (!conversions.empty()) {
      payload["entropy_input"] = *given;
      payload["entropy_conversions"] = conversions;
    }
    if (auto st = Journal(uow, "task.draw", t.id, before, t.digest, "draw.task.drawn", payload); !st.ok()) return st;
    timer.Lap("persist");
    auto loaded = LoadTask(sql, id);
    if (!loaded.ok()) return loaded.status();
    return std::optional<TaskRecord>(std::move(loaded).value());
  });
  if (!drawn.ok()) return drawn;
  timer.Lap("commit");
  if (drawn.value() && !conversions.empty()) drawn.value()->entropy_conversions = std::move(conversions);
  return drawn;
}

Result<TaskRecord> DrawTask(TaskContext& ctx, const std::string& id, const std::string& entropy) {
  auto r = DrawLocked(ctx, id, &entropy);
  if (!r.ok()) return r.status();
  if (!r.value())  // not reached: an explicit entropy never waits
    return Status::Error(StatusCode::kInternal, "抽取未完成", "the draw did not happen");
  return std::move(*r.value());
}

Result<std::optional<TaskRecord>> DrawIfReady(TaskContext& ctx, const std::string& id) {
  // A look without a write transaction first: a scheduler asks every minute, and a task
  // usually waits for days.
  if (ctx.platform == nullptr) return NoPlatform();
  auto task = LoadTask(*ctx.platform, id);
  if (!task.ok()) return task.status();
  const TaskRecord& t = task.value();
  if (t.state == "drawn" || t.state == "revealed") return std::optional<TaskRecord>(t);
  if (t.state != "announced") return WrongState(t, "抽取", "draw it");
  auto source = FindSource(*ctx.platform, t.entropy_source_name, StatusCode::kNotFound);
  if (!source.ok()) return source.status();
  auto value = source.value()->Value(RequestFor(t, ctx.platform->NowMicros()), t.entropy_supplied);
  if (!value.ok() && value.status().code() == StatusCode::kFailedPrecondition) return std::optional<TaskRecord>();
  // Ready (or an error the locked path reports with the same words): draw under the lock.
  return DrawLocked(ctx, id, nullptr);
}

namespace {

// The message for a value supplied already (SupplyEntropy with another value).
Status SuppliedAlready(const TaskRecord& t) {
  if (!t.entropy_replaced.empty())
    return Status::Error(StatusCode::kConflict,
                         "任务 " + t.id + " 的公开随机源的值已更正过一次（现为 “" + t.entropy_supplied + "”，" +
                             t.entropy_supplied_by + "），不能再更改；如仍有误，请撤销任务并创建替代任务",
                         "task " + t.id + " has had its entropy value replaced once already (now '" +
                             t.entropy_supplied + "', by " + t.entropy_supplied_by +
                             "); it cannot be changed again: if it is still wrong, cancel the task and create a "
                             "replacement");
  return Status::Error(StatusCode::kConflict,
                       "任务 " + t.id + " 已录入公开随机源的值 “" + t.entropy_supplied + "”（" + t.entropy_supplied_by +
                           "），不能再次录入另一个值；如录入有误，在抽取前可更正一次：xinjian task entropy " + t.id +
                           " 新值 --replace --reason 原因",
                       "task " + t.id + " has the entropy value '" + t.entropy_supplied + "' supplied already (by " +
                           t.entropy_supplied_by +
                           "); it cannot be changed by supplying another: if it was entered "
                           "wrongly, replace it once before the draw with xinjian task entropy " +
                           t.id + " VALUE --replace --reason WHY");
}

// The source of a task that takes an operator's value, or the refusal.
Result<const EntropySource*> ValueSource(const Platform& platform, const TaskRecord& t) {
  auto source = FindSource(platform, t.entropy_source_name, StatusCode::kNotFound);
  if (!source.ok()) return source.status();
  if (!source.value()->NeedsValue())
    return Status::Error(StatusCode::kFailedPrecondition,
                         "任务 " + t.id + " 的公开随机源为 " + t.entropy_source_name + "，不需要录入值",
                         "the entropy source of task " + t.id + " is " + t.entropy_source_name + ": it takes no value");
  return source.value();
}

Status SaveSupplied(Sql& sql, const TaskRecord& t, std::int64_t now) {
  // The replacement's four columns are NULL unless a value was replaced.
  const bool replaced = !t.entropy_replaced.empty();
  return sql
      .Exec(
          "UPDATE draw_tasks SET entropy_supplied = ?, entropy_supplied_at_us = ?, entropy_supplied_by = ?, "
          "entropy_supplied_input = ?, entropy_replaced = ?, entropy_replaced_by = ?, entropy_replaced_at_us = ?, "
          "entropy_replace_reason = ?, digest = ?, updated_at_us = ? WHERE id = ?",
          {t.entropy_supplied, now, t.entropy_supplied_by, Nullable(t.entropy_supplied_input),
           replaced ? SqlValue(t.entropy_replaced) : SqlValue(),
           replaced ? SqlValue(t.entropy_replaced_by) : SqlValue(),
           replaced ? SqlValue(t.entropy_replaced_at_us) : SqlValue(),
           replaced ? SqlValue(t.entropy_replace_reason) : SqlValue(), t.digest, now, t.id})
      .status();
}

}  // namespace

namespace {
// What a typed entropy value needs before its task is read: the plugins (the source reads
// it), a value, and the bounds every value keeps (CheckEntropy).
Status CheckTyped(const TaskContext& ctx, const std::string& typed) {
  if (ctx.platform == nullptr) return NoPlatform();
  if (!PluginsLoaded(*ctx.platform))
    return Status::Error(StatusCode::kFailedPrecondition, "没有加载插件，无法核对公开随机源的值",
                         "no plugins loaded; cannot check the entropy value");
  if (typed.empty()) return Refuse("公开随机源的值不能为空", "the entropy value must not be empty");
  return CheckEntropy(typed);
}
}  // namespace

Result<TaskRecord> SupplyEntropy(TaskContext& ctx, const std::string& id, const std::string& typed) {
  if (auto st = CheckTyped(ctx, typed); !st.ok()) return st;
  const Platform& platform = *ctx.platform;
  return InUnit<TaskRecord>(ctx, [&](UnitOfWork& uow) -> Result<TaskRecord> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    auto task = LoadForUpdate(sql, id);
    if (!task.ok()) return task.status();
    TaskRecord t = std::move(task).value();
    // The same value again once it is in (a repeated command, the scheduler drew meanwhile).
    if (!t.entropy_supplied.empty() && t.state != "cancelled" &&
        (t.entropy_supplied == typed || (!t.entropy_supplied_input.empty() && t.entropy_supplied_input == typed)))
      return t;
    const bool settled = t.state == "drawn" || t.state == "revealed";
    if (t.state != "announced" && !(settled && !t.entropy_supplied.empty()))
      return WrongState(t, "录入公开随机源的值", "supply its entropy value");
    auto source = ValueSource(platform, t);
    if (!source.ok()) {
      if (settled) return WrongState(t, "录入公开随机源的值", "supply its entropy value");
      return source.status();
    }
    auto reading = ReadTyped(*source.value(), RequestFor(t, now), typed, t.entropy_source_name);
    if (settled) {
      // Typed another way (full-width…), the same value is still the same value.
      if (reading.ok() && reading.value().value == t.entropy_supplied) {
        t.entropy_conversions = reading.value().conversions;
        return t;
      }
      return WrongState(t, "录入公开随机源的值", "supply its entropy value");
    }
    if (!reading.ok()) return reading.status();
    const EntropyReading& r = reading.value();
    if (!t.entropy_supplied.empty()) {
      if (t.entropy_supplied == r.value) {
        t.entropy_conversions = r.conversions;
        return t;
      }
      return SuppliedAlready(t);
    }
    const std::string before = t.digest;
    t.entropy_supplied = r.value;
    t.entropy_supplied_input = r.value == typed ? "" : typed;
    t.entropy_supplied_at_us = now;
    t.entropy_supplied_by = uow.principal().id;
    t.digest = TaskDigest(t);
    if (auto st = SaveSupplied(sql, t, now); !st.ok()) return st;
    json payload{{"id", t.id},
                 {"department", t.department},
                 {"entropy_source_name", t.entropy_source_name},
                 {"entropy", t.entropy_supplied},
                 {"by", t.entropy_supplied_by}};
    if (!t.entropy_supplied_input.empty()) {
      payload["input"] = t.entropy_supplied_input;
      payload["conversions"] = r.conversions;
    }
    if (auto st = Journal(uow, "task.entropy", t.id, before, t.digest, "draw.task.entropy_supplied", payload); !st.ok())
      return st;
    auto out = LoadTask(sql, id);
    if (out.ok()) out.value().entropy_conversions = r.conversions;
    return out;
  });
}

Result<TaskRecord> ReplaceEntropy(TaskContext& ctx, const std::string& id, const std::string& typed,
                                  const std::string& reason) {
  if (auto st = CheckReason(reason, "更正公开随机源的值", "replacing an entropy value"); !st.ok()) return st;
  if (auto st = CheckTyped(ctx, typed); !st.ok()) return st;
  const Platform& platform = *ctx.platform;
  return InUnit<TaskRecord>(ctx, [&](UnitOfWork& uow) -> Result<TaskRecord> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    auto task = LoadForUpdate(sql, id);
    if (!task.ok()) return task.status();
    TaskRecord t = std::move(task).value();
    if (t.state != "announced") return WrongState(t, "更正公开随机源的值", "replace its entropy value");
    auto source = ValueSource(platform, t);
    if (!source.ok()) return source.status();
    if (t.entropy_supplied.empty())
      return Status::Error(StatusCode::kFailedPrecondition,
                           "任务 " + t.id + " 尚未录入公开随机源的值，无可更正：xinjian task entropy " + t.id + " 值",
                           "no entropy value has been supplied for task " + t.id +
                               " yet, so there is nothing to "
                               "replace: xinjian task entropy " +
                               t.id + " VALUE");
    if (!t.entropy_replaced.empty()) return SuppliedAlready(t);
    auto reading = ReadTyped(*source.value(), RequestFor(t, now), typed, t.entropy_source_name);
    if (!reading.ok()) return reading.status();
    const EntropyReading& r = reading.value();
    if (r.value == t.entropy_supplied)
      return Refuse("“" + r.value + "” 就是已录入的值，无需更正",
                    "'" + r.value + "' is the value recorded already: nothing to replace");
    const std::string before = t.digest;
    t.entropy_replaced = t.entropy_supplied;
    t.entropy_replaced_by = t.entropy_supplied_by;
    t.entropy_replaced_at_us = t.entropy_supplied_at_us;
    t.entropy_replace_reason = reason;
    t.entropy_supplied = r.value;
    t.entropy_supplied_input = r.value == typed ? "" : typed;
    t.entropy_supplied_at_us = now;
    t.entropy_supplied_by = uow.principal().id;
    t.digest = TaskDigest(t);
    if (auto st = SaveSupplied(sql, t, now); !st.ok()) return st;
    json payload{{"id", t.id},
                 {"department", t.department},
                 {"entropy_source_name", t.entropy_source_name},
                 {"replaced", t.entropy_replaced},
                 {"replaced_by", t.entropy_replaced_by},
                 {"entropy", t.entropy_supplied},
                 {"by", t.entropy_supplied_by},
                 {"reason", reason}};
    if (!t.entropy_supplied_input.empty()) {
      payload["input"] = t.entropy_supplied_input;
      payload["conversions"] = r.conversions;
    }
    if (auto st = Journal(uow, "task.entropy.replace", t.id, before, t.digest, "draw.task.entropy_replaced", payload);
        !st.ok())
      return st;
    auto out = LoadTask(sql, id);
    if (out.ok()) out.value().entropy_conversions = r.conversions;
    return out;
  });
}

namespace {

// The options' own rules (RevealOptions): a reason exactly with before_inspection.
Status CheckRevealOptions(const RevealOptions& options) {
  if (options.before_inspection) {
    if (auto st = CheckReason(options.reason, "在检查结果公开前揭示", "revealing before the inspections"); !st.ok())
      return st;
  } else if (!options.reason.empty()) {
    return Refuse("揭示原因只用于提前揭示（--before-inspection --reason）",
                  "a reveal reason is only for a reveal before the inspections (--before-inspection --reason)");
  }
  return Status::Ok();
}

}  // namespace

Result<TaskRecord> RevealTask(TaskContext& ctx, const std::string& id, const RevealOptions& options) {
  if (auto st = CheckRevealOptions(options); !st.ok()) return st;
  return InUnit<TaskRecord>(ctx, [&](UnitOfWork& uow) { return RevealTaskIn(uow, id, options); });
}

Result<TaskRecord> RevealTaskIn(UnitOfWork& uow, const std::string& id, const RevealOptions& options) {
  if (auto st = CheckRevealOptions(options); !st.ok()) return st;
  Sql& sql = uow.sql();
  const std::int64_t now = uow.now_us();
  auto task = LoadForUpdate(sql, id);
  if (!task.ok()) return task.status();
  TaskRecord t = std::move(task).value();
  if (t.state != "drawn") return WrongState(t, "揭示", "reveal it");
  // The drawn subjects not yet inspected and published, as the follow-up (the inspection)
  // reports them: without one, none is.
  std::int64_t drawn = 0, unpublished = 0;
  std::set<std::string> published;
  if (const FollowUp* follow_up = CurrentFollowUp()) {
    auto p = follow_up->Published(sql, t.id);
    if (!p.ok()) return p.status();
    published = std::move(p).value();
  }
  Status st = sql.Query("SELECT uscc FROM draw_selection WHERE task_id = ?", {t.id}, [&](const SqlRow& r) {
    ++drawn;
    if (published.count(std::string(r.View(0))) == 0) ++unpublished;
    return true;
  });
  if (!st.ok()) return st;
  if (unpublished > 0 && !options.before_inspection)
    return Status::Error(
        StatusCode::kFailedPrecondition,
        "任务 " + t.id + " 抽中的 " + std::to_string(drawn) + " 个对象中有 " + std::to_string(unpublished) +
            " 个还没有公开的检查结果：揭示会在检查之前公开抽取名单。结果全部公开时任务自动揭示；确需提前揭示，请用 "
            "xinjian task reveal " +
            t.id + " --before-inspection --reason 原因（记入审计日志并在公告中注明）",
        "task " + t.id + ": " + std::to_string(unpublished) + " of its " + std::to_string(drawn) +
            " drawn subjects have no published inspection result yet, and a reveal would publish the selection "
            "before "
            "the inspections. The task is revealed by itself when every result is published; to reveal it earlier, "
            "run xinjian task reveal " +
            t.id + " --before-inspection --reason WHY (audited and shown on the notice)");
  if (unpublished == 0 && options.before_inspection)
    return Status::Error(StatusCode::kFailedPrecondition,
                         "任务 " + t.id + " 的检查结果已全部公开，不是提前揭示：去掉 --before-inspection 和 --reason",
                         "every inspection result of task " + t.id +
                             " is published, so this is no early reveal: leave out --before-inspection and --reason");
  const std::string before = t.digest;
  t.state = "revealed";
  t.revealed_at_us = now;
  if (options.before_inspection) {
    t.reveal_reason = options.reason;
    t.reveal_unpublished = unpublished;
  }
  t.digest = TaskDigest(t);
  {
    // The reason and the count stay NULL unless the reveal came early.
    const bool early = !t.reveal_reason.empty();
    Result<std::int64_t> n = sql.Exec(
        "UPDATE draw_tasks SET state = 'revealed', revealed_at_us = ?, reveal_reason = ?, reveal_unpublished = ?, "
        "digest = ?, updated_at_us = ? WHERE id = ?",
        {now, early ? SqlValue(t.reveal_reason) : SqlValue(), early ? SqlValue(t.reveal_unpublished) : SqlValue(),
         t.digest, now, t.id});
    if (!n.ok()) return n.status();
  }
  json payload{{"id", t.id},
               {"department", t.department},
               {"secret", t.secret_hex},
               {"seed", t.seed_hex},
               {"before_inspection", options.before_inspection}};
  if (options.before_inspection) {
    payload["reason"] = t.reveal_reason;
    payload["unpublished"] = t.reveal_unpublished;
  }
  if (auto st = Journal(uow, "task.reveal", t.id, before, t.digest, "draw.task.revealed", payload); !st.ok()) return st;
  return LoadTask(sql, id);
}

Result<TaskRecord> CancelTask(TaskContext& ctx, const std::string& id, const std::string& reason) {
  if (auto st = ValidateId("reason", reason); !st.ok())
    return Refuse("撤销任务须说明原因（不能为空、不含控制字符）",
                  "cancelling a task needs a reason (non-empty, no control characters)");
  if (reason.size() > 2000) return Refuse("撤销原因超过 2000 字节", "the reason is longer than 2000 bytes");
  return InUnit<TaskRecord>(ctx, [&](UnitOfWork& uow) -> Result<TaskRecord> {
    Sql& sql = uow.sql();
    const std::int64_t now = uow.now_us();
    auto task = LoadForUpdate(sql, id);
    if (!task.ok()) return task.status();
    TaskRecord t = std::move(task).value();
    if (t.state == "revealed" || t.state == "cancelled") return WrongState(t, "撤销", "cancel it");
    const std::string before = t.digest;
    const std::string secret_hex = t.secret_hex;
    const std::string previous_state = t.state;
    t.state = "cancelled";
    t.cancelled_at_us = now;
    t.cancel_reason = reason;
    t.secret_hex.clear();
    t.digest = TaskDigest(t);
    {
      Result<std::int64_t> n = sql.Exec(
          "UPDATE draw_tasks SET state = 'cancelled', cancelled_at_us = ?, cancel_reason = ?, digest = ?, "
          "updated_at_us = ? WHERE id = ?",
          {now, t.cancel_reason, t.digest, now, t.id});
      if (!n.ok()) return n.status();
    }
    json payload{{"id", t.id}, {"department", t.department}, {"reason", reason}, {"previous_state", previous_state}};
    if (auto st = Journal(uow, "task.cancel", t.id, before, t.digest, "draw.task.cancelled", payload); !st.ok())
      return st;
    return LoadTask(sql, id);
  });
}

Result<std::vector<SelectedSubject>> LoadSelection(Sql& sql, const std::string& id) {
  std::vector<SelectedSubject> out;
  Status st = sql.Query(
      "SELECT s.rank, s.uscc, s.stratum, s.ticket, COALESCE(d.name, ''), COALESCE(d.address, ''), s.team FROM "
      "draw_selection s LEFT JOIN subjects d ON d.uscc = s.uscc WHERE s.task_id = ? ORDER BY s.rank",
      {id}, [&](const SqlRow& r) {
        SelectedSubject s;
        s.rank = std::stoll(std::string(r.View(0)));
        s.uscc = std::string(r.View(1));
        s.stratum = std::string(r.View(2));
        s.ticket = std::string(r.View(3));
        s.name = std::string(r.View(4));
        s.address = std::string(r.View(5));
        s.team = SplitTeam(r.View(6));
        out.push_back(std::move(s));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<InspectorTask>> TasksForInspector(Sql& sql, const std::string& inspector_id) {
  bool known = false;
  if (Status st = sql.Query("SELECT 1 FROM inspectors WHERE id = ?", {inspector_id},
                            [&](const SqlRow&) {
                              known = true;
                              return false;
                            });
      !st.ok())
    return st;
  if (!known)
    return Status::Error(StatusCode::kNotFound, "检查人员 " + inspector_id + " 不存在（检查编号是否有误）",
                         "no inspector " + inspector_id + " (is the id mistyped?)");
  std::vector<InspectorTask> out;
  // LIKE narrows the rows; the exact membership test is done on the split team (an id may
  // contain LIKE's wildcards '_' and '%').
  Status st = sql.Query(
      "SELECT t.id, t.title, t.department, t.state, COALESCE(t.due_date, ''), s.rank, s.uscc, COALESCE(d.name, ''), "
      "COALESCE(d.address, ''), s.team FROM draw_tasks t JOIN draw_selection s ON s.task_id = t.id LEFT JOIN subjects "
      "d "
      "ON d.uscc = s.uscc WHERE (t.state = 'drawn' OR t.state = 'revealed') AND (',' || s.team || ',') LIKE ? "
      "ORDER BY COALESCE(t.due_date, '9999'), t.id, s.rank",
      {"%," + inspector_id + ",%"}, [&](const SqlRow& r) {
        std::vector<std::string> team = SplitTeam(r.View(9));
        if (std::find(team.begin(), team.end(), inspector_id) == team.end()) return true;
        InspectorTask it;
        it.task_id = std::string(r.View(0));
        it.title = std::string(r.View(1));
        it.department = std::string(r.View(2));
        it.state = std::string(r.View(3));
        it.due_date = std::string(r.View(4));
        it.rank = std::stoll(std::string(r.View(5)));
        it.uscc = std::string(r.View(6));
        it.name = std::string(r.View(7));
        it.address = std::string(r.View(8));
        it.team = std::move(team);
        it.lead = it.team.front();
        it.is_lead = it.lead == inspector_id;
        out.push_back(std::move(it));
        return true;
      });
  if (!st.ok()) return st;
  const FollowUp* follow_up = CurrentFollowUp();
  if (follow_up != nullptr) {
    // A task whose visits exist is listed by its visits (below), not by its selection.
    std::map<std::string, bool> has_visits;
    for (const auto& it : out)
      if (!has_visits.count(it.task_id)) {
        auto v = follow_up->HasVisits(sql, it.task_id);
        if (!v.ok()) return v.status();
        has_visits[it.task_id] = v.value();
      }
    out.erase(std::remove_if(out.begin(), out.end(), [&](const InspectorTask& it) { return has_visits[it.task_id]; }),
              out.end());
  }
  std::map<std::string, std::vector<std::string>> items_of;
  for (auto& it : out) {
    auto found = items_of.find(it.task_id);
    if (found == items_of.end()) {
      std::vector<std::string> items;
      st = sql.Query("SELECT item_code FROM draw_task_items WHERE task_id = ? ORDER BY item_code", {it.task_id},
                     [&](const SqlRow& r) {
                       items.emplace_back(r.View(0));
                       return true;
                     });
      if (!st.ok()) return st;
      found = items_of.emplace(it.task_id, std::move(items)).first;
    }
    it.items = found->second;
  }
  // Tasks with visits (issue 4): the inspector's open visits, merged joint visits included, as
  // the follow-up (the inspection) reports them; the tasks' own data from here.
  std::vector<InspectorTask> visits;
  if (follow_up == nullptr) return out;
  auto open = follow_up->OpenVisitsOf(sql, inspector_id);
  if (!open.ok()) return open.status();
  struct TaskLine {
    std::string title, department, due_date, state;
  };
  std::map<std::string, std::optional<TaskLine>> tasks;  // nullopt: no such task
  auto task_line = [&](const std::string& id) -> Result<std::optional<TaskLine>> {
    if (auto found = tasks.find(id); found != tasks.end()) return found->second;
    std::optional<TaskLine> line;
    Status q = sql.Query("SELECT title, department, COALESCE(due_date, ''), state FROM draw_tasks WHERE id = ?", {id},
                         [&](const SqlRow& r) {
                           line = TaskLine{r.Text(0), r.Text(1), r.Text(2), r.Text(3)};
                           return false;
                         });
    if (!q.ok()) return q;
    tasks.emplace(id, line);
    return line;
  };
  for (const OpenVisit& v : open.value()) {
    bool started = false;
    for (const auto& [task, item] : v.items) {
      auto line = task_line(task);
      if (!line.ok()) return line.status();
      // A cancelled task's visits are nobody's work.
      if (!line->has_value() || line->value().state == "cancelled") continue;
      const TaskLine& tl = line->value();
      if (!started) {
        started = true;
        InspectorTask it;
        it.visit_id = v.visit_id;
        it.uscc = v.uscc;
        it.team = v.team;
        it.lead = it.team.empty() ? "" : it.team.front();
        it.is_lead = it.lead == inspector_id;
        it.task_id = task;
        it.title = tl.title;
        it.department = tl.department;
        it.due_date = tl.due_date;
        it.state = tl.state;
        const auto dash = v.visit_id.rfind('-');
        if (v.visit_id.compare(0, task.size(), task) == 0 && dash == task.size())
          it.rank = std::stoll(v.visit_id.substr(dash + 1));
        if (Status q = sql.Query("SELECT name, address FROM subjects WHERE uscc = ?", {v.uscc},
                                 [&](const SqlRow& r) {
                                   it.name = r.Text(0);
                                   it.address = r.Text(1);
                                   return false;
                                 });
            !q.ok())
          return q;
        visits.push_back(std::move(it));
      }
      InspectorTask& it = visits.back();
      if ((',' + it.task_id + ',').find(',' + task + ',') == std::string::npos) {
        it.task_id += "," + task;  // a joint visit merged from several tasks
        if (tl.due_date < it.due_date || it.due_date.empty()) it.due_date = tl.due_date;
      }
      it.items.push_back(item);
    }
  }
  // As above: by due date, task and rank (merged joint visits, rank 0, after their tasks').
  std::stable_sort(visits.begin(), visits.end(), [](const InspectorTask& a, const InspectorTask& b) {
    return std::make_tuple(a.due_date.empty() ? std::string("9999") : a.due_date, a.task_id, a.rank == 0, a.rank,
                           a.visit_id) < std::make_tuple(b.due_date.empty() ? std::string("9999") : b.due_date,
                                                         b.task_id, b.rank == 0, b.rank, b.visit_id);
  });
  out.insert(out.end(), visits.begin(), visits.end());
  return out;
}

std::vector<std::string> DepartmentsOf(const TaskRecord& t) {
  std::vector<std::string> out{t.department};
  try {
    const json spec = json::parse(t.spec_json);
    if (auto it = spec.find("participants"); it != spec.end() && it->is_array())
      for (const auto& p : *it)
        if (p.is_string()) out.push_back(p.get<std::string>());
  } catch (const std::exception&) {
    // The stored spec is written by SpecToJson; a damaged one shows no participants.
  }
  return out;
}

bool MaySeeSelection(const TaskRecord& t, const Principal& viewer) {
  if (t.state == "revealed") return true;
  for (const auto& d : DepartmentsOf(t))
    if (viewer.ActsFor(d)) return true;
  return false;
}

Result<std::string> TaskViewJson(Sql& sql, const TaskRecord& t, const Principal& viewer) {
  ojson j;
  j["id"] = t.id;
  j["title"] = t.title;
  j["department"] = t.department;
  j["state"] = t.state;
  j["items"] = t.items;
  j["algorithm"] = t.sampler;
  j["entropy_source"] = t.entropy_source;
  j["entropy_source_name"] = t.entropy_source_name;
  if (!t.entropy_notice.empty()) j["entropy_notice"] = t.entropy_notice;
  j["created_at_us"] = t.created_at_us;
  try {
    const json spec = json::parse(t.spec_json);
    j["parameters"] = spec;
  } catch (const std::exception&) {
  }
  if (!t.replaces.empty()) j["replaces"] = {{"task", t.replaces}, {"reason", t.replace_reason}};
  if (!t.replaced_by.empty()) j["replaced_by"] = t.replaced_by;
  if (!t.due_date.empty()) j["due_date"] = t.due_date;
  if (t.announced_at_us != 0) {
    j["announced_at_us"] = t.announced_at_us;
    j["pool_size"] = t.pool_size;
    j["pool_hash"] = t.pool_hash;
    j["commitment"] = t.commitment;
    try {
      j["strata"] = json::parse(t.strata_json.empty() ? "{}" : t.strata_json);
    } catch (const std::exception&) {
    }
    // A supplied value is public (it is the published value), also before the draw.
    if (!t.entropy_supplied.empty()) {
      j["entropy_supplied"] = t.entropy_supplied;
      j["entropy_supplied_at_us"] = t.entropy_supplied_at_us;
    }
  }
  if (t.drawn_at_us != 0) {
    // The latest publication deadline of the results entered so far, provisional when any was
    // counted over a calendar year without a State Council notice (the follow-up's).
    if (const FollowUp* follow_up = CurrentFollowUp()) {
      auto due = follow_up->LatestDeadline(sql, t.id);
      if (!due.ok()) return due.status();
      if (due->has_value()) {
        j["results_due"] = due->value().date;
        j["results_due_provisional"] = due->value().provisional;
      }
    }
    j["drawn_at_us"] = t.drawn_at_us;
    j["draw_date"] = t.draw_date;
    j["entropy"] = t.entropy;
    if (t.entropy.empty())
      j["warning"] =
          "公开随机源为空：抽取可复现，但未能防止操作者选择秘密值 / empty entropy: the draw is reproducible but was "
          "not protected against the operator choosing the secret";
    try {
      j["allocation"] = json::parse(t.allocation_json.empty() ? "{}" : t.allocation_json);
    } catch (const std::exception&) {
    }
    j["selection_hash"] = t.selection_hash;
    j["assignment_hash"] = t.assignment_hash;
    j["conflicts_hash"] = t.conflicts_hash;
  }
  if (t.state == "cancelled") {
    j["cancelled_at_us"] = t.cancelled_at_us;
    j["cancel_reason"] = t.cancel_reason;
  }
  const json notes = SlipNotes(t);
  for (const auto& [key, value] : notes.items()) j[key] = value;
  // What the call that returned this record converted (task entropy --json shows it back).
  if (!t.entropy_conversions.empty()) j["entropy_conversions"] = t.entropy_conversions;
  const bool revealed = t.state == "revealed";
  if (revealed) {
    j["revealed_at_us"] = t.revealed_at_us;
    j["secret"] = t.secret_hex;
    j["seed"] = t.seed_hex;
  }
  const bool may_see = revealed || MaySeeSelection(t, viewer);
  if (t.drawn_at_us != 0 && may_see && t.state != "cancelled") {
    auto sel = LoadSelection(sql, t.id);
    if (sel.ok()) {
      ojson rows = ojson::array();
      for (const auto& s : sel.value()) {
        ojson r;
        r["rank"] = s.rank;
        r["uscc"] = s.uscc;
        r["name"] = s.name;
        r["address"] = s.address;
        if (revealed) r["ticket"] = s.ticket;
        r["team"] = s.team;
        r["lead"] = s.team.empty() ? "" : s.team.front();
        rows.push_back(r);
      }
      j["selection"] = rows;
    }
  } else if (t.drawn_at_us != 0 && t.state == "drawn") {
    j["selection_visibility"] = "揭示前仅本部门可见 / visible only to the task's department until revealed";
  }
  return j.dump(2, ' ', false, ojson::error_handler_t::replace);
}

bool StrataWithheld(const TaskRecord& task) {
  auto spec = SpecOf(task, SpecOptions{});
  return spec.ok() && spec.value().strata == StrataKind::kRiskClass;
}

Result<ProofFiles> FullProofFiles(Sql& sql, const std::string& id) {
  auto task = LoadTask(sql, id);
  if (!task.ok()) return task.status();
  const TaskRecord& t = task.value();
  if (t.state != "revealed")
    return Status::Error(StatusCode::kFailedPrecondition,
                         "任务 " + id + " 处于 " + t.state + " 状态：证明在揭示后才能公开",
                         "task " + id + " is " + t.state + ": the proof is published only after the reveal");
  auto spec = SpecOf(t, SpecOptions{});
  if (!spec.ok()) return spec.status();
  auto pool = ReadFile(sql, id, "pool.tsv");
  if (!pool.ok()) return pool.status();
  auto groups = ReadFile(sql, id, "groups.tsv");
  if (!groups.ok()) return groups.status();
  auto conflicts = ReadFile(sql, id, "conflicts.tsv");
  if (!conflicts.ok()) return conflicts.status();
  auto sel = LoadSelection(sql, id);
  if (!sel.ok()) return sel.status();
  std::string selection_file, assignment_file;
  for (const auto& s : sel.value()) {
    selection_file += std::to_string(s.rank) + "\t" + s.uscc + "\t" + s.stratum + "\t" + s.ticket + "\n";
    assignment_file += s.uscc + "\t";
    for (std::size_t i = 0; i < s.team.size(); ++i) assignment_file += (i > 0 ? "," : "") + s.team[i];
    assignment_file += "\n";
  }
  // The stored rows must still be what was drawn.
  const std::pair<const std::string*, std::string> checks[] = {{&pool.value(), t.pool_hash},
                                                               {&selection_file, t.selection_hash},
                                                               {&assignment_file, t.assignment_hash},
                                                               {&conflicts.value(), t.conflicts_hash}};
  for (const auto& [content, hash] : checks) {
    if (ToHex(Sha256(*content)) != hash)
      return Status::Error(StatusCode::kInternal, "任务 " + id + " 存储的抽取结果与其哈希不符（被篡改？）",
                           "the stored draw of task " + id + " no longer matches its hashes (tampered with?)");
  }
  auto alloc = CountsFromJson(t.allocation_json);
  if (!alloc.ok()) return alloc.status();
  ojson proof;
  proof["algorithm"] = t.sampler;
  proof["task_id"] = t.id;
  proof["commitment"] = t.commitment;
  proof["secret"] = t.secret_hex;
  proof["entropy"] = t.entropy;
  proof["entropy_source"] = t.entropy_source;
  proof["entropy_source_name"] = t.entropy_source_name;
  proof["entropy_notice"] = t.entropy_notice;
  proof["pool_hash"] = t.pool_hash;
  proof["pool_size"] = t.pool_size;
  proof["seed"] = t.seed_hex;
  proof["rule"] = RuleJson(spec.value().rule);
  ojson a = ojson::object();
  for (const auto& [k, v] : alloc.value()) a[k] = v;
  proof["allocation"] = a;
  proof["selection_hash"] = t.selection_hash;
  proof["slots"] = json::parse(t.slots_json.empty() ? "[]" : t.slots_json);
  proof["assignment_hash"] = t.assignment_hash;
  proof["conflicts_hash"] = t.conflicts_hash;

  ProofFiles files{{"pool.tsv", std::move(pool).value()},
                   {"selection.tsv", std::move(selection_file)},
                   {"assignment.tsv", std::move(assignment_file)},
                   {"groups.tsv", std::move(groups).value()},
                   {"conflicts.tsv", std::move(conflicts).value()},
                   {"proof.json", proof.dump(2) + "\n"}};
  return files;
}

Status WriteTaskProof(Sql& sql, const std::string& id, const std::string& dir, bool for_public) {
  Result<ProofFiles> files = FullProofFiles(sql, id);
  if (!files.ok()) return files.status();
  if (for_public) {
    auto t = LoadTask(sql, id);
    if (!t.ok()) return t.status();
    if (StrataWithheld(t.value())) files = PublicProofVariant(files.value());
    if (!files.ok()) return files.status();
  }
  return WriteProofFiles(dir, files.value());
}

}  // namespace xj::draw
