// The punishment plugin's routes (docs/punishment.md, "The credit check API" and "Public"):
//   GET  /api/v1/credit-check?uscc=&action=          one check (API key: Authorization: Bearer xjk_…)
//   POST /api/v1/credit-check/batch                  up to 1000 subjects, one action
//   POST /api/v1/credit-check/{check_id}/applied     the caller's department applied a measure
//   GET  /api/v1/measures, /api/v1/memoranda         the published catalogue and the memoranda
//   GET  /measures, /memoranda                       the same as pages
// The check routes are public for the host (no session) and authenticate the key themselves:
// 401 without a valid key, 403 for an action outside the key's scope.
#include <xinjian/digest.h>
#include <xinjian/html.h>
#include <xinjian/opendata.h>
#include <xinjian/text.h>
#include <xinjian/uscc.h>

#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>

#include "punishment.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::punishment {
namespace {

using nlohmann::json;
using xj::html::Pick;

constexpr std::size_t kMaxBatch = 1000;
constexpr std::size_t kMaxBatchBody = 256 * 1024;

Status Unauthenticated() {
  return Status::Error(StatusCode::kUnauthenticated, "须提供有效的 API 密钥（Authorization: Bearer xjk_…）",
                       "a valid API key is required (Authorization: Bearer xjk_…)");
}

// An error with a status the SDK's codes do not map (413): the JSON error shape, by hand.
Status Reply(HttpContext& http, int status, const char* code, const std::string& zh, const std::string& en) {
  http.response().status = status;
  http.response().body = json{{"error", {{"code", code}, {"message", zh + " / " + en}}}}.dump();
  return Status::Ok();
}

// The caller's key, authenticated against the index (fresh).
Result<std::shared_ptr<const KeyInfo>> Authenticate(HttpContext& http, CheckIndex& index) {
  const auto& headers = http.request().headers;
  auto h = headers.find("authorization");
  if (h == headers.end()) return Unauthenticated();
  std::string_view v = h->second;
  if (v.size() < 7 || (v.substr(0, 7) != "Bearer " && v.substr(0, 7) != "bearer ")) return Unauthenticated();
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.size() != 68 || v.substr(0, 4) != "xjk_") return Unauthenticated();
  if (auto st = index.Fresh(http.platform()); !st.ok()) return st;
  // A caller sends the same key request after request: the thread keeps its last digest.
  thread_local std::string last_key, last_sha;
  if (v != last_key) {
    last_sha = digest::Sha256Hex(v);
    last_key.assign(v);
  }
  std::shared_ptr<const KeyInfo> key = index.Key(last_sha);
  if (!key) return Unauthenticated();
  return key;
}

Status CheckAction(const KeyInfo& key, const std::string& action) {
  if (!IsKnownAction(action))
    return Status::Error(StatusCode::kInvalidArgument, "未知的事项 “" + action.substr(0, 64) + "”",
                         "unknown action '" + action.substr(0, 64) + "'");
  if (!key.Allows(action))
    return Status::Error(StatusCode::kPermissionDenied, "该密钥无权核查事项 " + action,
                         "this key may not ask about the action " + action);
  return Status::Ok();
}

// Today and the instant as the answer states them, for the second of `now_us` (kept per thread:
// every answer of a second says the same).
struct Clock {
  std::int64_t second = INT64_MIN;
  std::string today, checked_at;
};
Status ClockAt(Platform& platform, std::int64_t now_us, const Clock** out) {
  thread_local Clock c;
  const std::int64_t second = now_us >= 0 ? now_us / 1000000 : (now_us - 999999) / 1000000;
  if (second != c.second) {
    auto today = platform.Time().LocalDate(now_us);
    if (!today.ok()) return today.status();
    auto at = platform.Time().FormatLocal(now_us);
    c.today = today.value().ToString();
    c.checked_at = at.ok() ? at.value() : std::to_string(now_us);
    c.second = second;
  }
  *out = &c;
  return Status::Ok();
}

// The answer as a JSON object (keys in order, as the other routes' JSON) appended to `out`, and
// its log record (whose check_id the caller set).
// `id_at`: where the check id goes in `out` (when it is not known yet: rec->check_id empty).
void AppendAnswer(std::string& out, Platform& platform, CheckIndex& index, const KeyInfo& key, const std::string& uscc,
                  const std::string& action, const Clock& clock, std::int64_t now_us, CheckRecord* rec,
                  std::size_t* id_at = nullptr) {
  rec->key_name = key.name;
  rec->department = key.department;
  rec->uscc = uscc;
  rec->action = action;
  rec->at_us = now_us;
  index.WithAnswer(uscc, action, clock.today, [&](const Answer& a) {
    rec->answer = a.answer;
    out += "{\"action\":";
    opendata::AppendJsonString(&out, action);
    out += ",\"answer\":\"";
    out += a.answer;
    out += "\",\"check_id\":\"";
    if (id_at != nullptr) *id_at = out.size();
    out += rec->check_id;
    out += "\",\"checked_at\":";
    opendata::AppendJsonString(&out, clock.checked_at);
    out += ",\"listings\":[";
    bool first = true;
    for (const ActiveListing* l : a.listings) {
      const ListPolicy* p = platform.FindListPolicy(l->list);
      out += first ? "{\"expires_on\":" : ",{\"expires_on\":";
      first = false;
      opendata::AppendJsonString(&out, l->expires_on);
      out += ",\"id\":";
      opendata::AppendJsonString(&out, l->id);
      out += ",\"legal_basis\":";
      opendata::AppendJsonString(&out, p ? p->legal_basis : std::string());
      out += ",\"list\":";
      opendata::AppendJsonString(&out, l->list);
      out += ",\"name_en\":";
      opendata::AppendJsonString(&out, p ? p->name_en : l->list);
      out += ",\"name_zh\":";
      opendata::AppendJsonString(&out, p ? p->name_zh : l->list);
      out += ",\"starts_on\":";
      opendata::AppendJsonString(&out, l->starts_on);
      out += '}';
      if (!rec->listing_ids.empty()) rec->listing_ids += ';';
      rec->listing_ids += l->id;
    }
    out += "],\"measures\":[";
    first = true;
    for (const Measure* m : a.measures) {
      out += first ? "{\"code\":" : ",{\"code\":";
      first = false;
      opendata::AppendJsonString(&out, m->code);
      out += ",\"department\":";
      opendata::AppendJsonString(&out, m->department);
      out += ",\"effect\":";
      opendata::AppendJsonString(&out, m->effect);
      out += ",\"legal_basis\":";
      opendata::AppendJsonString(&out, m->legal_basis);
      out += ",\"name_en\":";
      opendata::AppendJsonString(&out, m->name_en);
      out += ",\"name_zh\":";
      opendata::AppendJsonString(&out, m->name_zh);
      out += '}';
      if (!rec->measure_codes.empty()) rec->measure_codes += ';';
      rec->measure_codes += m->code;
    }
    out += "],\"uscc\":";
    opendata::AppendJsonString(&out, uscc);
    out += '}';
    return 0;
  });
}

Status CheckOne(HttpContext& http) {
  Platform& platform = http.platform();
  CheckIndex& index = CheckIndex::Of(platform);
  auto key = Authenticate(http, index);
  if (!key.ok()) return key.status();
  const std::string uscc = http.request().Query("uscc"), action = http.request().Query("action");
  if (auto st = uscc::Check(uscc); !st.ok()) return st;
  if (auto st = CheckAction(*key.value(), action); !st.ok()) return st;
  const std::int64_t now = platform.NowMicros();
  const Clock* clock = nullptr;
  if (auto st = ClockAt(platform, now, &clock); !st.ok()) return st;
  // The answer first, its check id put in once the log has taken the check: in the batched
  // log, the id of its line in the open group of its key and action.
  CheckRecord rec;
  std::string body;
  body.reserve(512);
  std::size_t id_at = 0;
  AppendAnswer(body, platform, index, *key.value(), uscc, action, *clock, now, &rec, &id_at);
  CheckLog& log = CheckLog::Of(platform);
  auto grouped = log.LogSingle(platform, rec);
  if (!grouped.ok()) return grouped.status();
  if (grouped.value()) {
    body.insert(id_at, *grouped.value());
  } else {
    rec.check_id = NewCheckId();
    body.insert(id_at, rec.check_id);
    LogRows rows;
    rows.checks.push_back(std::move(rec));
    if (auto st = log.Write(platform, std::move(rows)); !st.ok()) return st;
  }
  http.response().body = std::move(body);
  return Status::Ok();
}

Status CheckBatch(HttpContext& http) {
  Platform& platform = http.platform();
  CheckIndex& index = CheckIndex::Of(platform);
  auto key = Authenticate(http, index);
  if (!key.ok()) return key.status();
  const std::string& body = http.request().body;
  if (body.size() > kMaxBatchBody)
    return Reply(http, 413, "payload_too_large", "请求体超过 256 KiB", "the body is larger than 256 KiB");
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Status::Error(StatusCode::kInvalidArgument, "请求体须为 JSON 对象 {\"action\", \"usccs\"}",
                         "the body must be a JSON object {\"action\", \"usccs\"}");
  if (!doc.contains("action") || !doc["action"].is_string())
    return Status::Error(StatusCode::kInvalidArgument, "缺少 action", "action is missing");
  if (!doc.contains("usccs") || !doc["usccs"].is_array())
    return Status::Error(StatusCode::kInvalidArgument, "usccs 须为数组", "usccs must be an array");
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key() != "action" && it.key() != "usccs")
      return Status::Error(StatusCode::kInvalidArgument, "未知字段 " + it.key().substr(0, 64),
                           "unknown field " + it.key().substr(0, 64));
  const json& usccs = doc["usccs"];
  if (usccs.size() > kMaxBatch)
    return Reply(http, 413, "payload_too_large", "一次至多核查 1000 个主体", "at most 1000 subjects per batch");
  const std::string action = doc["action"].get<std::string>();
  if (auto st = CheckAction(*key.value(), action); !st.ok()) return st;
  const std::int64_t now = platform.NowMicros();
  const Clock* clock = nullptr;
  if (auto st = ClockAt(platform, now, &clock); !st.ok()) return st;
  std::string out = "{\"results\":[";
  out.reserve(usccs.size() * 256 + 16);
  // The whole batch is one row of the log; each item's check id is the batch's and its index.
  CheckBatchRecord batch;
  batch.batch_id = NewCheckId();
  batch.key_name = key.value()->name;
  batch.department = key.value()->department;
  batch.action = action;
  batch.at_us = now;
  batch.items.reserve(usccs.size() * 48);
  std::size_t i = 0;
  for (const json& u : usccs) {
    const std::size_t at = i++;
    if (at > 0) out += ',';
    if (!u.is_string()) {
      out += json{{"uscc", nullptr}, {"error", {{"code", "invalid_argument"}, {"message", "须为文本 / must be a string"}}}}
                 .dump();
      continue;
    }
    const std::string code = u.get<std::string>();
    if (auto st = uscc::Check(code); !st.ok()) {
      out += json{{"uscc", utf8::IsValid(code) ? code.substr(0, 64) : std::string()},
                  {"error", {{"code", "invalid_argument"}, {"message", st.message()}}}}
                 .dump();
      continue;
    }
    CheckRecord rec;
    rec.check_id = BatchItemId(batch.batch_id, at);
    AppendAnswer(out, platform, index, *key.value(), code, action, *clock, now, &rec);
    batch.items += std::to_string(at);
    batch.items += '\t';
    batch.items += code;
    batch.items += '\t';
    batch.items += rec.answer;
    batch.items += '\t';
    batch.items += rec.listing_ids;
    batch.items += '\t';
    batch.items += rec.measure_codes;
    batch.items += '\n';
    ++batch.checks;
  }
  out += "]}";
  LogRows log;
  if (batch.checks > 0) log.batches.push_back(std::move(batch));
  if (auto st = CheckLog::Of(platform).Write(platform, std::move(log)); !st.ok()) return st;
  http.response().body = std::move(out);
  return Status::Ok();
}

Status Applied(HttpContext& http) {
  Platform& platform = http.platform();
  CheckIndex& index = CheckIndex::Of(platform);
  auto key = Authenticate(http, index);
  if (!key.ok()) return key.status();
  const std::string check_id = http.request().path_params.at("check_id");
  // chk_ and 24 hex digits (a single check), or that, a hyphen and an index (an item of a batch).
  const auto hex = [](std::string_view t) {
    return std::all_of(t.begin(), t.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  };
  std::string base = check_id.substr(0, 28);
  long item = -1;
  bool well_formed = check_id.size() >= 28 && check_id.rfind("chk_", 0) == 0 && hex(std::string_view(base).substr(4));
  if (well_formed && check_id.size() > 28) {
    const std::string_view n = std::string_view(check_id).substr(29);
    well_formed = check_id[28] == '-' && !n.empty() && n.size() <= 3 &&
                  std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                  (n.size() == 1 || n[0] != '0');
    if (well_formed) item = std::stol(std::string(n));
  }
  if (!well_formed)
    return Status::Error(StatusCode::kNotFound, "没有核查 " + check_id.substr(0, 64),
                         "no check " + check_id.substr(0, 64));
  if (http.request().body.size() > 16 * 1024)
    return Reply(http, 413, "payload_too_large", "请求体超过 16 KiB", "the body is larger than 16 KiB");
  json doc = json::parse(http.request().body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("measure") || !doc["measure"].is_string() ||
      !doc.contains("applied_on") || !doc["applied_on"].is_string() ||
      (doc.contains("note") && !doc["note"].is_string()))
    return Status::Error(StatusCode::kInvalidArgument, "请求体须为 {\"measure\", \"applied_on\", \"note\"}",
                         "the body must be {\"measure\", \"applied_on\", \"note\"}");
  const std::string measure = doc["measure"].get<std::string>(), applied_on = doc["applied_on"].get<std::string>();
  const std::string note = doc.value("note", "");
  if (!IsDate(applied_on))
    return Status::Error(StatusCode::kInvalidArgument, "applied_on 须为 YYYY-MM-DD 日期",
                         "applied_on must be a date YYYY-MM-DD");
  if (note.size() > 2000 || utf8::HasControlChar(note, true))
    return Status::Error(StatusCode::kInvalidArgument, "note 须为不超过 2000 字节的文本",
                         "note must be text of at most 2000 bytes");
  const KeyInfo& k = *key.value();
  Principal who;
  who.id = "key:" + k.name;
  who.department = k.department;
  who.roles = {};
  json ev;
  // The check as logged: its department, measure codes, USCC and action (nothing when unknown).
  const auto find = [&](Sql& sql, std::optional<std::string>* dept, std::optional<std::string>* measures) -> Status {
    if (item < 0)
      return sql.Query("SELECT department, measure_codes, uscc, action FROM punishment_checks WHERE check_id = ?",
                       {check_id}, [&](const SqlRow& r) {
                         *dept = r.Text(0);
                         *measures = r.Text(1);
                         ev = json{{"check_id", check_id}, {"uscc", r.Text(2)}, {"action", r.Text(3)}};
                         return false;
                       });
    return sql.Query("SELECT department, items, action FROM punishment_check_batches WHERE batch_id = ?", {base},
                     [&](const SqlRow& r) {
                       // The item's line: "index\tuscc\tanswer\tlisting ids\tmeasure codes", and
                       // "\tat_us" for a single check of a group.
                       const std::string items = r.Text(1), head = std::to_string(item) + "\t";
                       std::size_t at = std::string::npos;
                       if (items.compare(0, head.size(), head) == 0) {
                         at = 0;
                       } else if (const std::size_t p = items.find("\n" + head); p != std::string::npos) {
                         at = p + 1;
                       }
                       if (at == std::string::npos) return false;
                       const std::string line = items.substr(at, items.find('\n', at) - at);
                       std::vector<std::string> f;
                       std::size_t from = 0;
                       while (true) {
                         const std::size_t tab = line.find('\t', from);
                         f.push_back(line.substr(from, tab == std::string::npos ? std::string::npos : tab - from));
                         if (tab == std::string::npos) break;
                         from = tab + 1;
                       }
                       if (f.size() != 5 && f.size() != 6) return false;
                       *dept = r.Text(0);
                       *measures = f[4];
                       ev = json{{"check_id", check_id}, {"uscc", f[1]}, {"action", r.Text(2)}};
                       return false;
                     });
  };
  {
    // A check answered a moment ago on this node may still wait in the log's queue.
    std::optional<std::string> dept, measures;
    Status q = platform.Read([&](Sql& sql) { return find(sql, &dept, &measures); });
    if (!q.ok()) return q;
    if (!dept) CheckLog::Of(platform).Flush();
  }
  Status st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    std::optional<std::string> dept, measures;
    Status q = find(uow.sql(), &dept, &measures);
    if (!q.ok()) return q;
    if (!dept || *dept != k.department)
      return Status::Error(StatusCode::kNotFound, "没有本部门的核查 " + check_id,
                           "no check " + check_id + " of your department");
    bool named = false;
    std::size_t pos = 0;
    const std::string& list = *measures;
    while (pos <= list.size()) {
      const std::size_t end = list.find(';', pos);
      if (list.substr(pos, end == std::string::npos ? std::string::npos : end - pos) == measure) named = true;
      if (end == std::string::npos) break;
      pos = end + 1;
    }
    if (!named)
      return Status::Error(StatusCode::kInvalidArgument, "措施 “" + measure.substr(0, 64) + "” 不在该次核查的答复中",
                           "the measure '" + measure.substr(0, 64) + "' is not in that check's answer");
    auto n = uow.sql().Exec(
        "INSERT INTO punishment_applied (check_id, measure, department, key_name, applied_on, note, at_us) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {check_id, measure, k.department, k.name, applied_on, note, uow.now_us()});
    if (!n.ok()) {
      if (n.status().code() == StatusCode::kAlreadyExists)
        return Status::Error(StatusCode::kAlreadyExists, "已报告过该措施", "this measure was reported already");
      return n.status();
    }
    ev["measure"] = measure;
    ev["department"] = k.department;
    ev["key"] = k.name;
    ev["applied_on"] = applied_on;
    ev["note"] = note;
    if (auto s = uow.Audit({"punishment.check.applied", "punishment_check", check_id + "/" + measure, "",
                            digest::Sha256Hex(ev.dump())});
        !s.ok())
      return s;
    return uow.Publish("punishment.check.applied", check_id, ev.dump());
  });
  if (!st.ok()) return st;
  http.response().status = 201;
  http.response().body = ev.dump();
  return Status::Ok();
}

// ---- Public: the published catalogue and the memoranda. ----

Result<json> PublishedMeasures(Platform& platform) {
  auto today = Today(platform);
  if (!today.ok()) return today.status();
  auto ms = ReadValue<std::map<std::string, Measure>>(platform, [](Sql& sql) { return LoadMeasures(sql); });
  if (!ms.ok()) return ms.status();
  json out = json::array();
  for (const auto& [code, m] : ms.value()) {
    if (m.published_on > today.value().ToString()) continue;
    out.push_back({{"code", m.code},
                   {"name_zh", m.name_zh},
                   {"name_en", m.name_en},
                   {"kind", m.kind},
                   {"department", m.department},
                   {"legal_basis", m.legal_basis},
                   {"lists", m.lists},
                   {"actions", m.actions},
                   {"effect", m.effect},
                   {"published_on", m.published_on}});
  }
  return out;
}

Result<json> MemorandaJson(Platform& platform) {
  auto ms = ReadValue<std::vector<Memorandum>>(platform, [](Sql& sql) { return LoadMemoranda(sql); });
  if (!ms.ok()) return ms.status();
  json out = json::array();
  for (const Memorandum& m : ms.value()) {
    json entries = json::array();
    for (const auto& e : m.entries) entries.push_back({{"list", e.list}, {"measures", e.measures}});
    out.push_back({{"code", m.code},
                   {"title", m.title},
                   {"departments", m.departments},
                   {"signed_on", m.signed_on},
                   {"entries", entries}});
  }
  return out;
}

const std::string kMeasuresPage = R"(<h1>{{title}}</h1>
<p>{{intro}}</p>
<table class="table"><thead><tr><th>{{h_code}}</th><th>{{h_name}}</th><th>{{h_kind}}</th><th>{{h_effect}}</th><th>{{h_department}}</th><th>{{h_lists}}</th><th>{{h_actions}}</th><th>{{h_basis}}</th><th>{{h_published}}</th></tr></thead>
<tbody>{{#rows}}<tr><td>{{code}}</td><td>{{name}}</td><td>{{kind}}</td><td>{{effect}}</td><td>{{department}}</td><td>{{lists}}</td><td>{{actions}}</td><td>{{basis}}</td><td>{{published_on}}</td></tr>{{/rows}}
{{^rows}}<tr><td colspan="9">{{none}}</td></tr>{{/rows}}</tbody></table>)";

const std::string kMemorandaPage = R"(<h1>{{title}}</h1>
<p>{{intro}}</p>
{{#rows}}<section><h2>{{title}}</h2><p>{{h_code}}: {{code}} · {{h_signed}}: {{signed_on}} · {{h_departments}}: {{departments}}</p>
<ul>{{#entries}}<li>{{list}} → {{measures}}</li>{{/entries}}</ul></section>{{/rows}}
{{^rows}}<p>{{none}}</p>{{/rows}})";

std::string Joined(const json& a) {
  std::string out;
  for (const auto& x : a) out += (out.empty() ? "" : ", ") + x.get<std::string>();
  return out;
}

std::string ListName(Platform& platform, const std::string& lang, const std::string& code) {
  const ListPolicy* p = platform.FindListPolicy(code);
  return p ? Pick(lang, p->name_zh, p->name_en) : code;
}

}  // namespace

Status RegisterRoutes(Registrar& reg) {
  using A = RouteAccess;
  using M = HttpMethod;
  // The checks answer from the in-memory index (and queue their log rows): served by the
  // machine listener of `serve --api-listen` too.
  if (auto st = reg.AddMachineRoute(
          {M::kGet, "/api/v1/credit-check", A::kPublic, {}, "信用核查（API 密钥） / a credit check (API key)"},
          CheckOne);
      !st.ok())
    return st;
  if (auto st = reg.AddMachineRoute({M::kPost,
                              "/api/v1/credit-check/batch",
                              A::kPublic,
                              {},
                              "批量信用核查（至多 1000 个） / credit checks in a batch (up to 1000)"},
                             CheckBatch);
      !st.ok())
    return st;
  if (auto st = reg.AddRoute({M::kPost,
                              "/api/v1/credit-check/{check_id}/applied",
                              A::kPublic,
                              {},
                              "报告依核查实施的措施 / report a measure applied after a check"},
                             Applied);
      !st.ok())
    return st;
  if (auto st = reg.AddRoute({M::kGet, "/api/v1/measures", A::kPublic, {}, "已公布的措施清单 / the published measures"},
                             [](HttpContext& http) -> Status {
                               auto ms = PublishedMeasures(http.platform());
                               if (!ms.ok()) return ms.status();
                               http.response().body = json{{"measures", ms.value()}}.dump();
                               return Status::Ok();
                             });
      !st.ok())
    return st;
  if (auto st = reg.AddRoute({M::kGet, "/api/v1/memoranda", A::kPublic, {}, "联合奖惩合作备忘录 / the memoranda"},
                             [](HttpContext& http) -> Status {
                               auto ms = MemorandaJson(http.platform());
                               if (!ms.ok()) return ms.status();
                               http.response().body = json{{"memoranda", ms.value()}}.dump();
                               return Status::Ok();
                             });
      !st.ok())
    return st;
  if (auto st = reg.AddRoute(
          {M::kGet, "/measures", A::kPublic, {}, "联合奖惩措施清单 / the measures catalogue"},
          [](HttpContext& http) -> Status {
            auto ms = PublishedMeasures(http.platform());
            if (!ms.ok()) return ms.status();
            const std::string lang = http.lang();
            xj::html::Data rows{xj::html::Data::type::list};
            for (const auto& m : ms.value()) {
              xj::html::Data d;
              d.set("code", m["code"].get<std::string>());
              d.set("name", Pick(lang, m["name_zh"].get<std::string>(), m["name_en"].get<std::string>()));
              const bool punish = m["kind"] == "punishment";
              d.set("kind", punish ? Pick(lang, "惩戒", "punishment") : Pick(lang, "激励", "reward"));
              const std::string e = m["effect"].get<std::string>();
              d.set("effect", e == "deny"       ? Pick(lang, "禁止", "deny")
                              : e == "restrict" ? Pick(lang, "限制", "restrict")
                                                : Pick(lang, "便利", "ease"));
              d.set("department", m["department"].get<std::string>());
              std::string lists;
              for (const auto& l : m["lists"])
                lists += (lists.empty() ? "" : ", ") + ListName(http.platform(), lang, l.get<std::string>());
              d.set("lists", lists);
              d.set("actions", Joined(m["actions"]));
              d.set("basis", m["legal_basis"].get<std::string>());
              d.set("published_on", m["published_on"].get<std::string>());
              rows.push_back(d);
            }
            xj::html::Data data;
            const std::string title = Pick(lang, "联合奖惩措施清单", "Joint punishment and reward measures");
            data.set("title", title);
            data.set(
                "intro",
                Pick(lang, "清单之外的措施不得实施；每项措施均有实施部门和法律依据。",
                     "No measure outside this catalogue may be applied; each has its department and legal basis."));
            data.set("h_code", Pick(lang, "代码", "Code"));
            data.set("h_name", Pick(lang, "措施", "Measure"));
            data.set("h_kind", Pick(lang, "性质", "Kind"));
            data.set("h_effect", Pick(lang, "效果", "Effect"));
            data.set("h_department", Pick(lang, "实施部门", "Department"));
            data.set("h_lists", Pick(lang, "适用名单", "Lists"));
            data.set("h_actions", Pick(lang, "事项", "Actions"));
            data.set("h_basis", Pick(lang, "法律依据", "Legal basis"));
            data.set("h_published", Pick(lang, "公布日期", "Published"));
            data.set("none", Pick(lang, "暂无已公布的措施", "No measure is published yet"));
            data.set("rows", rows);
            auto html = xj::html::Render(kMeasuresPage, data);
            if (!html.ok()) return html.status();
            http.Page(title, html.value());
            return Status::Ok();
          });
      !st.ok())
    return st;
  if (auto st = reg.AddRoute(
          {M::kGet, "/memoranda", A::kPublic, {}, "联合奖惩合作备忘录 / the memoranda"},
          [](HttpContext& http) -> Status {
            auto ms = MemorandaJson(http.platform());
            if (!ms.ok()) return ms.status();
            const std::string lang = http.lang();
            xj::html::Data rows{xj::html::Data::type::list};
            for (const auto& m : ms.value()) {
              xj::html::Data d;
              d.set("title", m["title"].get<std::string>());
              d.set("code", m["code"].get<std::string>());
              d.set("signed_on", m["signed_on"].get<std::string>());
              d.set("departments", Joined(m["departments"]));
              d.set("h_code", Pick(lang, "编号", "Code"));
              d.set("h_signed", Pick(lang, "签署日期", "Signed"));
              d.set("h_departments", Pick(lang, "签署部门", "Departments"));
              xj::html::Data entries{xj::html::Data::type::list};
              for (const auto& e : m["entries"]) {
                xj::html::Data x;
                x.set("list", ListName(http.platform(), lang, e["list"].get<std::string>()));
                x.set("measures", Joined(e["measures"]));
                entries.push_back(x);
              }
              d.set("entries", entries);
              rows.push_back(d);
            }
            xj::html::Data data;
            const std::string title = Pick(lang, "联合奖惩合作备忘录", "Joint punishment and reward memoranda");
            data.set("title", title);
            data.set("intro", Pick(lang, "备忘录规定哪些名单触发哪些部门的哪些措施。",
                                   "A memorandum says which lists trigger which departments' measures."));
            data.set("none", Pick(lang, "暂无备忘录", "No memorandum yet"));
            data.set("rows", rows);
            auto html = xj::html::Render(kMemorandaPage, data);
            if (!html.ok()) return html.status();
            http.Page(title, html.value());
            return Status::Ok();
          });
      !st.ok())
    return st;
  if (auto st = reg.AddNavLink({"/measures", "奖惩措施", "Measures", A::kPublic, {}, 60}); !st.ok()) return st;
  return Status::Ok();
}

}  // namespace xj::punishment
