#include "scoring.h"

#include <xinjian/digest.h>
#include <xinjian/time.h>

#include <algorithm>
#include <chrono>
#include <unistd.h>

#include "engine.h"
#include "models_data.h"

namespace xj::credit {
namespace {

using nlohmann::json;

Status Refuse(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

std::string JoinKinds(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& k : v) s += (s.empty() ? "" : ";") + k;
  return s;
}

std::vector<std::string> SplitKinds(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// "?, ?, ?" for n parameters.
std::string Marks(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

constexpr std::size_t kInChunk = 500;

// The columns a row of FactOf reads, in its order.
constexpr const char* kFactColumns =
    "kind, ref, uscc, category, severity, occurred_on, COALESCE(public_until, ''), value, heavy, attributes, "
    "withdrawn_on IS NOT NULL, COALESCE(publicity_ended_on, '')";

CreditFact FactOf(const SqlRow& r) {
  CreditFact f;
  const std::string_view kind = r.View(0), ref = r.View(1);
  f.id.reserve(kind.size() + 1 + ref.size());
  f.id.append(kind).append("/").append(ref);
  f.kind = std::string(kind);
  f.category = r.Text(3);
  f.severity = r.Text(4);
  f.occurred_on = r.Text(5);
  f.withdrawn = r.View(10) == "1" || r.View(10) == "t";
  if (!f.withdrawn) f.public_until = r.Text(6);
  // Publicity stopped early (a repair, an objection's decision): out of publicity from that day.
  if (const std::string_view ended = r.View(11); !ended.empty() && !f.public_until.empty()) {
    auto e = CivilDate::Parse(std::string(ended));
    if (e.ok()) {
      const std::string last = (e.value() - 1).ToString();
      if (last < f.public_until) f.public_until = last;
    }
  }
  const std::string_view v = r.View(7);
  if (!v.empty() && v != "0" && v != "0.0") f.value = r.Real(7);
  const std::string_view attrs = r.View(9);
  if (attrs != "{}" && !attrs.empty()) {
    json a = json::parse(attrs, nullptr, false);
    if (a.is_object())
      for (auto it = a.begin(); it != a.end(); ++it)
        if (it.value().is_string()) f.attributes.emplace_back(it.key(), it.value().get<std::string>());
  }
  if (r.View(8) == "1" || r.View(8) == "t") f.attributes.emplace_back("heavy", "1");
  return f;
}

void SortFacts(std::vector<CreditFact>* facts) {
  std::sort(facts->begin(), facts->end(), [](const CreditFact& a, const CreditFact& b) {
    return std::tie(a.occurred_on, a.id) < std::tie(b.occurred_on, b.id);
  });
}

}  // namespace


namespace {
void JsonString(std::string* out, std::string_view v) {
  out->push_back('"');
  for (char c : v) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out->append(buf);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}
}  // namespace

// The digest of a stored score: only to tell a changed score from an unchanged one (not a
// security check), so a fast hash: two 64-bit FNV-1a over the text, 32 hex digits.
std::string ScoreDigest(const std::string& model, const std::string& version, const std::string& body) {
  std::uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
  auto mix = [&](std::string_view t) {
    for (unsigned char c : t) {
      a = (a ^ c) * 0x100000001b3ull;
      b = (b ^ c) * 0x100000001b3ull;
      b ^= b >> 29;
    }
    a = (a ^ 0xff) * 0x100000001b3ull;  // a separator no text byte can fake in UTF-8
    b = (b ^ 0xff) * 0x100000001b3ull;
  };
  mix(model);
  mix(version);
  mix(body);
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  return out;
}

std::string BreakdownText(const ScoreResult& r, bool labels) {
  std::string o;
  o.reserve(256 + r.lines.size() * 160);
  o += "{\"base\":" + std::to_string(r.base) + ",\"points\":" + std::to_string(r.points) + ",\"grade\":";
  JsonString(&o, r.grade);
  o += ",\"grade_zh\":";
  JsonString(&o, r.grade_zh);
  o += ",\"grade_en\":";
  JsonString(&o, r.grade_en);
  o += ",\"vetoes\":[";
  for (std::size_t i = 0; i < r.vetoes.size(); ++i) {
    if (i) o += ',';
    JsonString(&o, r.vetoes[i]);
  }
  o += "],\"lines\":[";
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const ScoreLine& l = r.lines[i];
    if (i) o += ',';
    o += "{\"dimension\":";
    JsonString(&o, l.dimension);
    o += ",\"indicator\":";
    JsonString(&o, l.indicator);
    if (labels) {
      o += ",\"zh\":";
      JsonString(&o, l.label_zh);
      o += ",\"en\":";
      JsonString(&o, l.label_en);
    }
    o += ",\"points\":" + std::to_string(l.points);
    if (!l.record_ids.empty()) {
      o += ",\"records\":[";
      for (std::size_t k = 0; k < l.record_ids.size(); ++k) {
        if (k) o += ',';
        JsonString(&o, l.record_ids[k]);
      }
      o += ']';
    }
    if (!l.record_points.empty()) {
      o += ",\"record_points\":[";
      for (std::size_t k = 0; k < l.record_points.size(); ++k) {
        if (k) o += ',';
        o += std::to_string(l.record_points[k]);
      }
      o += ']';
    }
    if (!l.note.empty()) {
      o += ",\"note\":";
      JsonString(&o, l.note);
    }
    o += '}';
  }
  o += "]}";
  return o;
}

std::string Scoring::TodayOf(std::int64_t at_us) const {
  auto d = platform_.Time().LocalDate(at_us);
  return d.ok() ? d.value().ToString() : std::string("1970-01-01");
}

Result<LoadedModel> Scoring::LoadModel(const std::string& body) const {
  if (body.size() > (4u << 20)) return Refuse("评分模型文件超过 4 MiB", "the model file is larger than 4 MiB");
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Refuse("评分模型文件不是有效的 JSON 对象", "the model file is not a valid JSON object");
  if (!j.contains("engine") || !j["engine"].is_string())
    return Refuse("评分模型缺少 engine（评分引擎名，如 xj-points-v1）", "the model lacks engine (the engine's name, e.g. xj-points-v1)");
  LoadedModel m;
  m.row.engine = j["engine"].get<std::string>();
  m.row.purpose = j.value("purpose", std::string("credit"));
  if (m.row.purpose != "credit" && m.row.purpose != "risk" && m.row.purpose != "intermediary")
    return Refuse("评分模型的 purpose 须为 credit、risk 或 intermediary", "the model's purpose must be credit, risk or intermediary");
  const Scorer* engine = platform_.FindScorer(m.row.engine);
  if (engine == nullptr) {
    std::string known;
    for (const auto& n : platform_.ScorerNames()) known += (known.empty() ? "" : ", ") + n;
    return Status::Error(StatusCode::kNotFound,
                         "没有名为 " + m.row.engine.substr(0, 64) + " 的评分引擎（已加载：" + known + "）",
                         "no scoring engine named " + m.row.engine.substr(0, 64) + " (loaded: " + known + ")");
  }
  auto compiled = engine->Compile(body);
  if (!compiled.ok()) return compiled.status();
  m.model = compiled.value();
  const ScoringModelInfo& info = m.model->info();
  m.row.name = info.name;
  m.row.version = info.version;
  m.row.subject_kinds = info.subject_kinds;
  m.row.body = body;
  m.row.digest = digest::Sha256Hex(body);
  m.row.state = "available";
  if (m.row.purpose == "risk") {
    std::vector<std::string> codes;
    for (const auto& g : info.grades) codes.push_back(g.code);
    if (codes != std::vector<std::string>{"a", "b", "c", "d"} && codes != std::vector<std::string>{"A", "B", "C", "D"})
      return Refuse("风险分类模型的等级须依次为 A、B、C、D", "a risk model's grades must be A, B, C, D in that order");
  }
  return m;
}

Result<std::shared_ptr<const LoadedModel>> Scoring::CompiledRow(const ModelRow& row) {
  const std::string key = row.name + "\t" + row.version + "\t" + row.digest;
  {
    std::lock_guard lock(cache_->mu);
    auto it = cache_->compiled.find(key);
    if (it != cache_->compiled.end()) return it->second;
  }
  auto m = LoadModel(row.body);
  if (!m.ok()) return m.status();
  m.value().row = row;
  auto shared = std::make_shared<const LoadedModel>(std::move(m).value());
  std::lock_guard lock(cache_->mu);
  cache_->compiled[key] = shared;
  return shared;
}

Result<std::vector<ModelRow>> Scoring::Models(Sql& sql) const {
  std::vector<ModelRow> out;
  Status st = sql.Query(
      "SELECT name, version, purpose, engine, subject_kinds, body, digest, state, COALESCE(activated_at_us, 0), "
      "COALESCE(activated_by, '') FROM credit_models ORDER BY purpose, name, version",
      {}, [&](const SqlRow& r) {
        ModelRow m;
        m.name = r.Text(0);
        m.version = r.Text(1);
        m.purpose = r.Text(2);
        m.engine = r.Text(3);
        m.subject_kinds = SplitKinds(r.View(4));
        m.body = r.Text(5);
        m.digest = r.Text(6);
        m.state = r.Text(7);
        m.activated_at_us = r.Int(8);
        m.activated_by = r.Text(9);
        out.push_back(std::move(m));
        return true;
      });
  if (!st.ok()) return st;
  return out;
}

Result<ModelRow> Scoring::AddModel(UnitOfWork& uow, const std::string& body) {
  auto m = LoadModel(body);
  if (!m.ok()) return m.status();
  ModelRow row = m.value().row;
  Sql& sql = uow.sql();
  auto existing = sql.QueryText("SELECT digest FROM credit_models WHERE name = ? AND version = ?", {row.name, row.version});
  if (!existing.ok()) return existing.status();
  if (existing.value()) {
    if (*existing.value() != row.digest)
      return Status::Error(StatusCode::kAlreadyExists,
                           "评分模型 " + row.name + " " + row.version + " 已存在且内容不同：修改模型须使用新的版本号",
                           "the scoring model " + row.name + " " + row.version +
                               " exists with another content: a changed model needs a new version");
    auto st = sql.QueryText("SELECT state FROM credit_models WHERE name = ? AND version = ?", {row.name, row.version});
    if (!st.ok()) return st.status();
    row.state = st.value().value_or("available");
    return row;
  }
  auto n = sql.Exec(
      "INSERT INTO credit_models (name, version, purpose, engine, subject_kinds, body, digest, state, added_at_us) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, 'available', ?)",
      {row.name, row.version, row.purpose, row.engine, JoinKinds(row.subject_kinds), row.body, row.digest, uow.now_us()});
  if (!n.ok()) return n.status();
  if (auto st = uow.Audit({"credit.model.add", "credit_model", row.name + "@" + row.version, "", row.digest}); !st.ok())
    return st;
  return row;
}

Result<ModelRow> Scoring::Activate(UnitOfWork& uow, const std::string& name, const std::string& version) {
  const Principal& who = uow.principal();
  if (who.kind != Principal::Kind::kSystem && !who.HasRole(kRoleAdmin))
    return Status::Error(StatusCode::kPermissionDenied, "启用评分模型须由管理员（admin）操作",
                         "activating a scoring model takes an admin");
  Sql& sql = uow.sql();
  auto models = Models(sql);
  if (!models.ok()) return models.status();
  const ModelRow* target = nullptr;
  for (const ModelRow& m : models.value())
    if (m.name == name && m.version == version) target = &m;
  if (target == nullptr)
    return Status::Error(StatusCode::kNotFound, "没有评分模型 " + name + " " + version + "（先用 credit models add 添加）",
                         "no scoring model " + name + " " + version + " (add it with credit models add first)");
  if (target->state == "active") return *target;
  // The model must still compile (its engine loaded).
  auto compiled = CompiledRow(*target);
  if (!compiled.ok()) return compiled.status();
  for (const ModelRow& m : models.value()) {
    if (m.state != "active" || m.purpose != target->purpose) continue;
    bool overlap = false;
    for (const auto& k : m.subject_kinds)
      overlap = overlap || std::find(target->subject_kinds.begin(), target->subject_kinds.end(), k) != target->subject_kinds.end();
    if (!overlap) continue;
    auto n = sql.Exec("UPDATE credit_models SET state = 'retired' WHERE name = ? AND version = ?", {m.name, m.version});
    if (!n.ok()) return n.status();
    if (auto st = uow.Audit({"credit.model.retire", "credit_model", m.name + "@" + m.version, m.digest, m.digest}); !st.ok())
      return st;
  }
  auto n = sql.Exec(
      "UPDATE credit_models SET state = 'active', activated_at_us = ?, activated_by = ? WHERE name = ? AND version = ?",
      {uow.now_us(), who.id, name, version});
  if (!n.ok()) return n.status();
  if (auto st = uow.Audit({"credit.model.activate", "credit_model", name + "@" + version, target->digest, target->digest});
      !st.ok())
    return st;
  json p = {{"model", name}, {"version", version}, {"purpose", target->purpose}, {"subject_kinds", target->subject_kinds}};
  if (auto st = uow.Publish("credit.model.activated", name + "@" + version, p.dump()); !st.ok()) return st;
  ModelRow out = *target;
  out.state = "active";
  out.activated_at_us = uow.now_us();
  out.activated_by = who.id;
  return out;
}

Status Scoring::EnsureModels(UnitOfWork& uow) {
  Sql& sql = uow.sql();
  auto models = Models(sql);
  if (!models.ok()) return models.status();
  std::vector<ModelRow> rows = models.value();
  for (std::string_view body : ShippedModels()) {
    const std::string text(body);
    const std::string digest = digest::Sha256Hex(text);
    bool present = false;
    for (const ModelRow& r : rows) present = present || r.digest == digest;
    if (present) continue;
    auto added = AddModel(uow, text);
    if (!added.ok()) return added.status();
    rows.push_back(added.value());
  }
  // Each purpose and kind of a shipped model: an active model, the shipped one when none.
  for (std::string_view body : ShippedModels()) {
    const std::string digest = digest::Sha256Hex(std::string(body));
    const ModelRow* shipped = nullptr;
    for (const ModelRow& r : rows)
      if (r.digest == digest) shipped = &r;
    if (shipped == nullptr || shipped->state != "available") continue;
    bool covered = true;
    for (const auto& k : shipped->subject_kinds) {
      bool any = false;
      for (const ModelRow& r : rows)
        if (r.state == "active" && r.purpose == shipped->purpose &&
            std::find(r.subject_kinds.begin(), r.subject_kinds.end(), k) != r.subject_kinds.end())
          any = true;
      covered = covered && any;
    }
    if (covered) continue;
    // Never activated, or retired? Only a model that was never active is activated by itself.
    auto n = sql.Exec(
        "UPDATE credit_models SET state = 'active', activated_at_us = ?, activated_by = ? WHERE name = ? AND version = ? "
        "AND state = 'available'",
        {uow.now_us(), uow.principal().id, shipped->name, shipped->version});
    if (!n.ok()) return n.status();
    if (n.value() == 0) continue;
    if (auto st = uow.Audit({"credit.model.activate", "credit_model", shipped->name + "@" + shipped->version,
                             shipped->digest, shipped->digest});
        !st.ok())
      return st;
    for (ModelRow& r : rows)
      if (r.digest == digest) r.state = "active";
  }
  return Status::Ok();
}

Result<std::shared_ptr<const LoadedModel>> Scoring::ActiveModel(Sql& sql, const std::string& purpose,
                                                                const std::string& subject_kind) {
  std::optional<ModelRow> found;
  Status st = sql.Query(
      "SELECT name, version, engine, subject_kinds, body, digest FROM credit_models WHERE purpose = ? AND state = 'active'",
      {purpose}, [&](const SqlRow& r) {
        auto kinds = SplitKinds(r.View(3));
        if (std::find(kinds.begin(), kinds.end(), subject_kind) == kinds.end()) return true;
        ModelRow m;
        m.name = r.Text(0);
        m.version = r.Text(1);
        m.purpose = purpose;
        m.engine = r.Text(2);
        m.subject_kinds = kinds;
        m.body = r.Text(4);
        m.digest = r.Text(5);
        m.state = "active";
        found = std::move(m);
        return false;
      });
  if (!st.ok()) return st;
  if (!found) return std::shared_ptr<const LoadedModel>();
  return CompiledRow(*found);
}

namespace {
// The directory's listings column ("a;b", xinjian/directory.h) as the engine's list.
std::vector<std::string> ListingsOf(std::string_view stored) {
  std::vector<std::string> out;
  for (auto code : SplitStoredList(stored)) out.emplace_back(code);
  return out;
}
}  // namespace

Status Scoring::LoadSubjects(Sql& sql, const std::vector<std::string>& usccs, std::vector<Subject>* out) {
  std::map<std::string, std::size_t> at;
  for (std::size_t from = 0; from < usccs.size(); from += kInChunk) {
    const std::size_t n = std::min(kInChunk, usccs.size() - from);
    SqlParams params(usccs.begin() + static_cast<std::ptrdiff_t>(from),
                     usccs.begin() + static_cast<std::ptrdiff_t>(from + n));
    Status st = sql.Query("SELECT uscc, type, listings FROM subjects WHERE uscc IN (" + Marks(n) + ")", params,
                          [&](const SqlRow& r) {
      at[r.Text(0)] = 0;
      out->push_back(Subject{r.Text(0), r.Text(1), {}, ListingsOf(r.View(2))});
      return true;
    });
    if (!st.ok()) return st;
  }
  std::sort(out->begin(), out->end(), [](const Subject& a, const Subject& b) { return a.uscc < b.uscc; });
  for (std::size_t i = 0; i < out->size(); ++i) at[(*out)[i].uscc] = i;
  std::vector<std::string> present;
  for (const Subject& s : *out) present.push_back(s.uscc);
  for (std::size_t from = 0; from < present.size(); from += kInChunk) {
    const std::size_t n = std::min(kInChunk, present.size() - from);
    SqlParams params(present.begin() + static_cast<std::ptrdiff_t>(from),
                     present.begin() + static_cast<std::ptrdiff_t>(from + n));
    Status st = sql.Query(std::string("SELECT ") + kFactColumns + " FROM credit_records WHERE uscc IN (" + Marks(n) + ")",
                          params, [&](const SqlRow& r) {
                            (*out)[at[r.Text(2)]].facts.push_back(FactOf(r));
                            return true;
                          });
    if (!st.ok()) return st;
  }
  // A stable order of the facts (the breakdown lists records in it).
  for (Subject& s : *out) SortFacts(&s.facts);
  return Status::Ok();
}

Status Scoring::LoadRun(Sql& sql, std::vector<Subject>* subjects) {
  if (subjects->empty()) return Status::Ok();
  std::size_t at = 0;
  Status st = sql.Query(std::string("SELECT ") + kFactColumns +
                            " FROM credit_records WHERE uscc >= ? AND uscc <= ? ORDER BY uscc",
                        {subjects->front().uscc, subjects->back().uscc}, [&](const SqlRow& r) {
                          const std::string_view uscc = r.View(2);
                          while (at < subjects->size() && (*subjects)[at].uscc < uscc) ++at;
                          if (at == subjects->size() || (*subjects)[at].uscc != uscc) return true;  // another kind
                          (*subjects)[at].facts.push_back(FactOf(r));
                          return true;
                        });
  if (!st.ok()) return st;
  for (Subject& s : *subjects) SortFacts(&s.facts);
  return Status::Ok();
}

Status Scoring::ScoreBatch(Sql& sql, const std::string& purpose, std::vector<Subject>& subjects,
                           const std::string& as_of, std::vector<StoredScore>* out, LabelMap* labels) {
  std::map<std::string, std::shared_ptr<const LoadedModel>> by_kind;
  for (Subject& s : subjects) {
    auto it = by_kind.find(s.kind);
    if (it == by_kind.end()) {
      auto m = ActiveModel(sql, purpose, s.kind);
      if (!m.ok()) return m.status();
      it = by_kind.emplace(s.kind, m.value()).first;
    }
    if (!it->second) continue;  // no model for this kind: not scored
    const LoadedModel& model = *it->second;
    ScoreInput in;
    in.uscc = s.uscc;
    in.subject_kind = s.kind;
    in.as_of = as_of;
    in.records = std::move(s.facts);
    in.listings = s.listings;
    ScoreResult res;
    if (auto st = model.model->Score(in, &res); !st.ok()) return st;
    if (SumOfLines(res) != res.points)
      return Status::Error(StatusCode::kInternal,
                           "评分引擎 " + model.row.engine + " 的分数与明细之和不符（" + s.uscc + "）",
                           "the scoring engine " + model.row.engine + " gave a score that is not the sum of its lines (" +
                               s.uscc + ")");
    StoredScore sc;
    sc.uscc = s.uscc;
    sc.subject_kind = s.kind;
    sc.model = model.row.name;
    sc.model_version = model.row.version;
    sc.as_of = as_of;
    sc.points = res.points;
    sc.grade = res.grade;
    sc.body = BreakdownText(res, labels == nullptr);
    if (labels != nullptr)
      for (const ScoreLine& l : res.lines) {
        std::string key = sc.model + "\t" + sc.model_version + "\t" + l.indicator;
        if (!labels->count(key)) labels->emplace(std::move(key), std::make_pair(l.label_zh, l.label_en));
      }
    out->push_back(std::move(sc));
  }
  return Status::Ok();
}

Status Scoring::WriteScores(UnitOfWork& uow, std::vector<StoredScore>& scores, std::int64_t* changed,
                            const LabelMap& labels, bool sorted_run) {
  Sql& sql = uow.sql();
  const std::int64_t now = uow.now_us();
  const std::string today = TodayOf(now);
  // The labels of the model versions met, once per version and indicator.
  {
    std::set<std::string> versions;
    for (const auto& [key, zh_en] : labels) versions.insert(key.substr(0, key.rfind('\t')));
    for (const std::string& v : versions) {
      const auto tab = v.find('\t');
      const std::string model = v.substr(0, tab), version = v.substr(tab + 1);
      std::set<std::string> have;
      Status st = sql.Query("SELECT indicator FROM credit_model_labels WHERE model = ? AND version = ?", {model, version},
                            [&](const SqlRow& r) {
                              have.insert(r.Text(0));
                              return true;
                            });
      if (!st.ok()) return st;
      for (auto it = labels.lower_bound(v + "\t"); it != labels.end() && it->first.compare(0, v.size() + 1, v + "\t") == 0; ++it) {
        const std::string indicator = it->first.substr(v.size() + 1);
        if (have.count(indicator)) continue;
        auto n = sql.Exec(
            "INSERT INTO credit_model_labels (model, version, indicator, zh, en) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (model, version, indicator) DO NOTHING",
            {model, version, indicator, it->second.first, it->second.second});
        if (!n.ok()) return n.status();
      }
    }
  }
  std::map<std::string, std::pair<std::string, std::string>> current;  // uscc => (digest, grade)
  if (sorted_run && !scores.empty()) {
    Status st = sql.Query("SELECT uscc, digest, grade FROM credit_scores WHERE uscc >= ? AND uscc <= ?",
                          {scores.front().uscc, scores.back().uscc}, [&](const SqlRow& r) {
                            current[r.Text(0)] = {r.Text(1), r.Text(2)};
                            return true;
                          });
    if (!st.ok()) return st;
  }
  for (std::size_t from = 0; !sorted_run && from < scores.size(); from += kInChunk) {
    const std::size_t n = std::min(kInChunk, scores.size() - from);
    SqlParams params;
    for (std::size_t i = from; i < from + n; ++i) params.emplace_back(scores[i].uscc);
    Status st = sql.Query("SELECT uscc, digest, grade FROM credit_scores WHERE uscc IN (" + Marks(n) + ")", params,
                          [&](const SqlRow& r) {
                            current[r.Text(0)] = {r.Text(1), r.Text(2)};
                            return true;
                          });
    if (!st.ok()) return st;
  }
  // Many changed scores (a step of a recompute): the scores copied into the stage table and
  // merged with one statement, the history rows (with the breakdowns) copied in directly,
  // instead of two statements per subject.
  std::unique_ptr<SqlBulkWriter> stage;
  std::string token;
  std::vector<const StoredScore*> staged;
  json grade_changes = json::array();
  if (sorted_run && scores.size() >= 64) {
    token = std::to_string(now) + "-" + scores.front().uscc;
    auto w = sql.BulkInsert("credit_score_stage", {"token", "uscc", "subject_kind", "model", "model_version", "points",
                                                   "grade", "as_of", "digest"});
    if (!w.ok()) return w.status();
    stage = std::move(w).value();
  }
  for (StoredScore& s : scores) {
    const std::string& body = s.body;
    const std::string digest = ScoreDigest(s.model, s.model_version, body);
    auto it = current.find(s.uscc);
    if (it != current.end() && it->second.first == digest) continue;
    const std::string before_grade = it == current.end() ? "" : it->second.second;
    if (before_grade != s.grade) {
      if (stage) {
        // A step of a recompute: the grades that changed in one event.
        grade_changes.push_back({{"uscc", s.uscc}, {"grade", s.grade}, {"before", before_grade}});
      } else {
        json p = {{"uscc", s.uscc},   {"grade", s.grade},         {"before", before_grade}, {"points", s.points},
                  {"model", s.model}, {"version", s.model_version}};
        if (auto st = uow.Publish("credit.grade.changed", s.uscc, p.dump()); !st.ok()) return st;
      }
    }
    ++*changed;
    if (stage) {
      if (auto st = stage->Add({token, s.uscc, s.subject_kind, s.model, s.model_version, s.points, s.grade, s.as_of, digest});
          !st.ok())
        return st;
      staged.push_back(&s);
      continue;
    }
    auto n = sql.Exec(
        "INSERT INTO credit_scores (uscc, subject_kind, model, model_version, points, grade, as_of, at_us, digest, "
        "updated_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uscc) DO UPDATE SET "
        "subject_kind = excluded.subject_kind, model = excluded.model, model_version = excluded.model_version, "
        "points = excluded.points, grade = excluded.grade, as_of = excluded.as_of, at_us = excluded.at_us, "
        "digest = excluded.digest, updated_at_us = excluded.updated_at_us",
        {s.uscc, s.subject_kind, s.model, s.model_version, s.points, s.grade, s.as_of, now, digest, now});
    if (!n.ok()) return n.status();
    n = sql.Exec(
        "INSERT INTO credit_score_history (uscc, at_us, effective_on, model, model_version, points, grade, breakdown) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uscc, at_us) DO UPDATE SET effective_on = excluded.effective_on, "
        "model = excluded.model, model_version = excluded.model_version, points = excluded.points, "
        "grade = excluded.grade, breakdown = excluded.breakdown",
        {s.uscc, now, today, s.model, s.model_version, s.points, s.grade, body});
    if (!n.ok()) return n.status();
  }
  if (!stage) return Status::Ok();
  if (auto st = stage->Finish(); !st.ok()) return st;
  if (!grade_changes.empty()) {
    json p = {{"first", staged.front()->uscc}, {"last", staged.back()->uscc}, {"changes", std::move(grade_changes)}};
    if (auto st = uow.Publish("credit.grades.changed", staged.front()->uscc, p.dump()); !st.ok()) return st;
  }
  if (staged.empty()) return Status::Ok();
  auto n = sql.Exec(
      "INSERT INTO credit_scores (uscc, subject_kind, model, model_version, points, grade, as_of, at_us, digest, "
      "updated_at_us) SELECT uscc, subject_kind, model, model_version, points, grade, as_of, ?, digest, ? "
      "FROM credit_score_stage WHERE token = ? ON CONFLICT (uscc) DO UPDATE SET "
      "subject_kind = excluded.subject_kind, model = excluded.model, model_version = excluded.model_version, "
      "points = excluded.points, grade = excluded.grade, as_of = excluded.as_of, at_us = excluded.at_us, "
      "digest = excluded.digest, updated_at_us = excluded.updated_at_us",
      {now, now, token});
  if (!n.ok()) return n.status();
  n = sql.Exec("DELETE FROM credit_score_stage WHERE token = ?", {token});
  if (!n.ok()) return n.status();
  // A history row of this instant is replaced (a fixed clock, or a second write in one unit).
  n = sql.Exec("DELETE FROM credit_score_history WHERE uscc >= ? AND uscc <= ? AND at_us = ?",
               {staged.front()->uscc, staged.back()->uscc, now});
  if (!n.ok()) return n.status();
  auto w = sql.BulkInsert("credit_score_history",
                          {"uscc", "at_us", "effective_on", "model", "model_version", "points", "grade", "breakdown"});
  if (!w.ok()) return w.status();
  for (const StoredScore* s : staged)
    if (auto st = w.value()->Add({s->uscc, now, today, s->model, s->model_version, s->points, s->grade, s->body}); !st.ok())
      return st;
  return w.value()->Finish();
}

Result<std::int64_t> Scoring::Rescore(UnitOfWork& uow, const std::set<std::string>& usccs) {
  if (usccs.empty()) return std::int64_t{0};
  std::vector<Subject> subjects;
  if (auto st = LoadSubjects(uow.sql(), std::vector<std::string>(usccs.begin(), usccs.end()), &subjects); !st.ok())
    return st;
  std::vector<StoredScore> scores;
  LabelMap labels;
  if (auto st = ScoreBatch(uow.sql(), "credit", subjects, TodayOf(uow.now_us()), &scores, &labels); !st.ok()) return st;
  std::int64_t changed = 0;
  if (auto st = WriteScores(uow, scores, &changed, labels); !st.ok()) return st;
  return changed;
}

Result<StoredScore> Scoring::Compute(Sql& sql, const std::string& uscc, const std::string& as_of,
                                     const std::string& purpose, const LoadedModel* model) {
  std::vector<Subject> subjects;
  if (auto st = LoadSubjects(sql, {uscc}, &subjects); !st.ok()) return st;
  if (subjects.empty())
    return Status::Error(StatusCode::kNotFound, "名录中没有统一社会信用代码为 " + uscc + " 的主体",
                         "no subject with the USCC " + uscc + " in the directory");
  std::vector<StoredScore> out;
  if (model == nullptr) {
    if (auto st = ScoreBatch(sql, purpose, subjects, as_of, &out); !st.ok()) return st;
    if (out.empty())
      return Status::Error(StatusCode::kNotFound, "没有适用于 " + subjects[0].kind + " 的启用模型（" + purpose + "）",
                           "no active " + purpose + " model applies to " + subjects[0].kind);
    out[0].breakdown = json::parse(out[0].body);
    return out[0];
  }
  ScoreInput in;
  in.uscc = uscc;
  in.subject_kind = subjects[0].kind;
  in.as_of = as_of;
  in.records = subjects[0].facts;
  in.listings = subjects[0].listings;
  ScoreResult res;
  if (auto st = model->model->Score(in, &res); !st.ok()) return st;
  StoredScore sc;
  sc.uscc = uscc;
  sc.subject_kind = subjects[0].kind;
  sc.model = model->row.name;
  sc.model_version = model->row.version;
  sc.as_of = as_of;
  sc.points = res.points;
  sc.grade = res.grade;
  sc.body = BreakdownText(res);
  sc.breakdown = json::parse(sc.body);
  return sc;
}

Result<std::optional<StoredScore>> Scoring::Stored(Sql& sql, const std::string& uscc, const std::string& as_of) {
  std::optional<StoredScore> out;
  // Both queries give the same columns in the same order.
  auto take = [&](const SqlRow& r) {
    StoredScore s;
    s.uscc = r.Text(0);
    s.subject_kind = r.Text(1);
    s.model = r.Text(2);
    s.model_version = r.Text(3);
    s.points = r.Int(4);
    s.grade = r.Text(5);
    s.as_of = r.Text(6);
    s.breakdown = json::parse(r.View(7), nullptr, false);
    s.at_us = r.Int(8);
    out = std::move(s);
    return false;
  };
  Status st;
  if (as_of.empty()) {
    st = sql.Query(
        "SELECT s.uscc, s.subject_kind, s.model, s.model_version, s.points, s.grade, s.as_of, h.breakdown, s.at_us "
        "FROM credit_scores s JOIN credit_score_history h ON h.uscc = s.uscc AND h.at_us = s.at_us WHERE s.uscc = ?",
        {uscc}, take);
  } else {
    if (auto d = CivilDate::Parse(as_of); !d.ok()) return d.status();
    st = sql.Query(
        "SELECT h.uscc, COALESCE(s.subject_kind, ''), h.model, h.model_version, h.points, h.grade, h.effective_on, "
        "h.breakdown, h.at_us FROM credit_score_history h LEFT JOIN credit_scores s ON s.uscc = h.uscc "
        "WHERE h.uscc = ? AND h.effective_on <= ? ORDER BY h.at_us DESC LIMIT 1",
        {uscc, as_of}, take);
  }
  if (!st.ok()) return st;
  if (out && out->breakdown.is_object() && out->breakdown.contains("lines")) {
    std::map<std::string, std::pair<std::string, std::string>> names;
    Status q = sql.Query("SELECT indicator, zh, en FROM credit_model_labels WHERE model = ? AND version = ?",
                         {out->model, out->model_version}, [&](const SqlRow& r) {
                           names[r.Text(0)] = {r.Text(1), r.Text(2)};
                           return true;
                         });
    if (!q.ok()) return q;
    for (json& l : out->breakdown["lines"]) {
      if (l.contains("zh")) continue;
      auto it = names.find(l.value("indicator", std::string()));
      l["zh"] = it == names.end() ? l.value("indicator", std::string()) : it->second.first;
      l["en"] = it == names.end() ? l.value("indicator", std::string()) : it->second.second;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Passes over every subject, in steps.

Result<Scoring::RecomputeSummary> Scoring::RunSteps(const Principal& who, const std::string& run_id,
                                                    const std::string& where, const RecomputeOptions& o,
                                                    const StepFn& fn, std::ostream* progress) {
  if (o.step < 1 || o.step > 100000) return Refuse("--step 须在 1 与 100000 之间", "--step must be between 1 and 100000");
  auto unit = [&](const UnitOfWorkFn& f) { return o.run_unit ? o.run_unit(f) : platform_.RunInTransaction(who, f); };
  RecomputeSummary sum;
  std::string cursor;
  std::int64_t total = 0;
  // Start or resume the run.
  Status st = unit([&](UnitOfWork& uow) -> Status {
    Sql& sql = uow.sql();
    if (auto s = EnsureModels(uow); !s.ok()) return s;
    std::optional<std::pair<std::string, std::string>> run;  // cursor, state
    std::int64_t done = 0;
    std::string as_of;
    Status q = sql.Query("SELECT cursor, state, done, as_of FROM credit_runs WHERE id = ?", {run_id}, [&](const SqlRow& r) {
      run = std::make_pair(r.Text(0), r.Text(1));
      done = r.Int(2);
      as_of = r.Text(3);
      return false;
    });
    if (!q.ok()) return q;
    auto count = sql.QueryInt("SELECT COUNT(*) FROM subjects" + (where.empty() ? std::string() : " WHERE " + where));
    if (!count.ok()) return count.status();
    total = count.value();
    if (run && run->second == "running" && !o.restart) {
      cursor = run->first;
      sum.resumed = true;
      sum.subjects = done;
      sum.as_of = as_of;
      return Status::Ok();
    }
    sum.as_of = TodayOf(uow.now_us());
    auto n = sql.Exec(
        "INSERT INTO credit_runs (id, cursor, done, total, state, as_of, started_at_us, updated_at_us) "
        "VALUES (?, '', 0, ?, 'running', ?, ?, ?) ON CONFLICT (id) DO UPDATE SET cursor = '', done = 0, "
        "total = excluded.total, state = 'running', as_of = excluded.as_of, started_at_us = excluded.started_at_us, "
        "updated_at_us = excluded.updated_at_us",
        {run_id, total, sum.as_of, uow.now_us(), uow.now_us()});
    return n.ok() ? Status::Ok() : n.status();
  });
  if (!st.ok()) return st;
  const bool tty = isatty(STDERR_FILENO) == 1;
  auto last = std::chrono::steady_clock::now();
  const auto started = last;
  while (true) {
    if (o.cancelled && o.cancelled())
      return Status::Error(StatusCode::kUnavailable, "已取消，下次从 " + cursor + " 之后继续",
                           "cancelled; the next run goes on after " + cursor);
    bool finished = false;
    st = unit([&](UnitOfWork& uow) -> Status {
      Sql& sql = uow.sql();
      std::vector<Subject> subjects;
      Status q = sql.Query("SELECT uscc, type, listings FROM subjects WHERE uscc > ?" +
                               (where.empty() ? std::string() : " AND " + where) + " ORDER BY uscc LIMIT ?",
                           {cursor, o.step}, [&](const SqlRow& r) {
                             subjects.push_back(Subject{r.Text(0), r.Text(1), {}, ListingsOf(r.View(2))});
                             return true;
                           });
      if (!q.ok()) return q;
      const std::int64_t n_subjects = static_cast<std::int64_t>(subjects.size());
      finished = n_subjects < o.step;
      const std::string next = subjects.empty() ? cursor : subjects.back().uscc;
      std::int64_t changed = 0;
      if (!subjects.empty())
        if (auto s = fn(uow, subjects, &changed); !s.ok()) return s;
      auto n = sql.Exec("UPDATE credit_runs SET cursor = ?, done = done + ?, state = ?, updated_at_us = ? WHERE id = ?",
                        {next, n_subjects, finished ? "done" : "running", uow.now_us(), run_id});
      if (!n.ok()) return n.status();
      cursor = next;
      sum.subjects += n_subjects;
      sum.changed += changed;
      return Status::Ok();
    });
    if (!st.ok()) return st;
    ++sum.steps;
    const auto now = std::chrono::steady_clock::now();
    if (progress && (finished || now - last >= std::chrono::seconds(tty ? 1 : 10))) {
      last = now;
      const double secs = std::chrono::duration<double>(now - started).count();
      *progress << (tty ? "\r" : "") << "已处理 " << sum.subjects << " / " << total << " 个主体，变化 " << sum.changed
                << " / processed " << sum.subjects << " of " << total << " subjects, " << sum.changed << " changed ("
                << static_cast<std::int64_t>(secs) << " s)" << (tty && !finished ? "" : "\n") << std::flush;
    }
    if (finished) break;
  }
  sum.done = true;
  return sum;
}

Result<Scoring::RecomputeSummary> Scoring::Recompute(const Principal& who, const RecomputeOptions& o,
                                                     std::ostream* progress) {
  std::string where;
  if (!o.kind.empty()) {
    static const std::set<std::string> kKinds = {"enterprise", "individual", "intermediary", "social_org",
                                                 "public_institution"};
    if (!kKinds.count(o.kind))
      return Refuse("--kind 须为 enterprise、individual、intermediary、social_org 或 public_institution",
                    "--kind must be enterprise, individual, intermediary, social_org or public_institution");
    where = "type = '" + o.kind + "'";  // one of the fixed words above
  }
  double load = 0, score = 0, write = 0;
  using Clock = std::chrono::steady_clock;
  auto secs = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
  auto sum = RunSteps(who, "recompute:" + (o.kind.empty() ? std::string("all") : o.kind), where, o,
                      [&](UnitOfWork& uow, std::vector<Subject>& subjects, std::int64_t* changed) -> Status {
                        const auto t0 = Clock::now();
                        if (auto st = LoadRun(uow.sql(), &subjects); !st.ok()) return st;
                        const auto t1 = Clock::now();
                        std::vector<StoredScore> scores;
                        LabelMap labels;
                        if (auto st = ScoreBatch(uow.sql(), "credit", subjects, TodayOf(uow.now_us()), &scores, &labels);
                            !st.ok())
                          return st;
                        const auto t2 = Clock::now();
                        Status st = WriteScores(uow, scores, changed, labels, /*sorted_run=*/true);
                        load += secs(t0, t1);
                        score += secs(t1, t2);
                        write += secs(t2, Clock::now());
                        return st;
                      },
                      progress);
  if (!sum.ok()) return sum;
  sum.value().load_s = load;
  sum.value().score_s = score;
  sum.value().write_s = write;
  return sum;
}

Result<std::int64_t> Scoring::ClassifyRisk(const Principal& who, const std::string& month, const RecomputeOptions& o,
                                           std::ostream* progress) {
  if (month.size() != 7 || month[4] != '-' || !CivilDate::Parse(month + "-01").ok())
    return Refuse("月份须为 YYYY-MM：" + month.substr(0, 20), "a month is YYYY-MM: " + month.substr(0, 20));
  auto sum = RunSteps(
      who, "risk:" + month, "", o,
      [&](UnitOfWork& uow, std::vector<Subject>& subjects, std::int64_t* changed) -> Status {
        if (auto st = LoadRun(uow.sql(), &subjects); !st.ok()) return st;
        std::vector<StoredScore> scores;
        if (auto st = ScoreBatch(uow.sql(), "risk", subjects, TodayOf(uow.now_us()), &scores); !st.ok()) return st;
        std::vector<Platform::RiskClassChange> classes;
        for (const StoredScore& s : scores) {
          std::string cls = s.grade;
          for (char& c : cls) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          auto n = uow.sql().Exec(
              "INSERT INTO credit_risk_classes (uscc, month, risk_class, model, model_version, points, breakdown, at_us) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uscc, month) DO UPDATE SET risk_class = excluded.risk_class, "
              "model = excluded.model, model_version = excluded.model_version, points = excluded.points, "
              "breakdown = excluded.breakdown, at_us = excluded.at_us",
              {s.uscc, month, cls, s.model, s.model_version, s.points, s.body, uow.now_us()});
          if (!n.ok()) return n.status();
          classes.push_back({s.uscc, cls});
        }
        auto n = platform_.SetRiskClasses(uow, classes);
        if (!n.ok()) return n.status();
        *changed += n.value();
        return Status::Ok();
      },
      progress);
  if (!sum.ok()) return sum.status();
  return sum.value().subjects;
}

Result<std::int64_t> Scoring::GradeIntermediaries(const Principal& who, int year, const RecomputeOptions& o,
                                                  std::ostream* progress) {
  if (year < 2000 || year > 9999) return Refuse("年份无效", "invalid year");
  auto sum = RunSteps(
      who, "grades:" + std::to_string(year), "type = 'intermediary'", o,
      [&](UnitOfWork& uow, std::vector<Subject>& subjects, std::int64_t* changed) -> Status {
        if (auto st = LoadRun(uow.sql(), &subjects); !st.ok()) return st;
        std::string as_of = TodayOf(uow.now_us());
        const std::string year_end = std::to_string(year) + "-12-31";
        if (year_end < as_of) as_of = year_end;
        std::vector<StoredScore> scores;
        if (auto st = ScoreBatch(uow.sql(), "intermediary", subjects, as_of, &scores); !st.ok()) return st;
        for (const StoredScore& s : scores) {
          auto before = uow.sql().QueryText("SELECT grade FROM credit_intermediary_grades WHERE uscc = ? AND year = ?",
                                            {s.uscc, year});
          if (!before.ok()) return before.status();
          auto n = uow.sql().Exec(
              "INSERT INTO credit_intermediary_grades (uscc, year, grade, points, model, model_version, breakdown, at_us) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uscc, year) DO UPDATE SET grade = excluded.grade, "
              "points = excluded.points, model = excluded.model, model_version = excluded.model_version, "
              "breakdown = excluded.breakdown, at_us = excluded.at_us",
              {s.uscc, year, s.grade, s.points, s.model, s.model_version, s.body, uow.now_us()});
          if (!n.ok()) return n.status();
          if (before.value().value_or("") != s.grade) {
            ++*changed;
            json p = {{"uscc", s.uscc}, {"year", year}, {"grade", s.grade}, {"before", before.value().value_or("")},
                      {"points", s.points}};
            if (auto st = uow.Publish("credit.intermediary.graded", s.uscc, p.dump()); !st.ok()) return st;
          }
        }
        return Status::Ok();
      },
      progress);
  if (!sum.ok()) return sum.status();
  return sum.value().subjects;
}

Result<Scoring::Simulation> Scoring::Simulate(const std::string& body, std::size_t top) {
  auto candidate = LoadModel(body);
  if (!candidate.ok()) return candidate.status();
  if (candidate.value().row.purpose != "credit")
    return Refuse("模拟只用于公共信用评价模型（purpose: credit）", "simulation is for credit models (purpose: credit)");
  Simulation sim;
  sim.model = candidate.value().row.name;
  sim.version = candidate.value().row.version;
  sim.grades = candidate.value().model->info().grades;
  const auto& kinds = candidate.value().row.subject_kinds;
  std::string where;
  for (const auto& k : kinds) where += (where.empty() ? "" : ", ") + std::string("'") + k + "'";  // checked kinds
  where = "type IN (" + where + ")";
  const std::string today = TodayOf(platform_.NowMicros());
  std::string cursor;
  std::set<std::string> current_models;
  while (true) {
    std::vector<std::string> usccs;
    Status st = platform_.Read([&](Sql& sql) -> Status {
      usccs.clear();
      Status q = sql.Query("SELECT uscc FROM subjects WHERE uscc > ? AND " + where + " ORDER BY uscc LIMIT 5000", {cursor},
                           [&](const SqlRow& r) {
                             usccs.push_back(r.Text(0));
                             return true;
                           });
      if (!q.ok()) return q;
      if (usccs.empty()) return Status::Ok();
      std::vector<Subject> subjects;
      if (auto s = LoadSubjects(sql, usccs, &subjects); !s.ok()) return s;
      std::map<std::string, std::pair<std::string, std::int64_t>> now;  // uscc => (grade, points)
      for (std::size_t from = 0; from < usccs.size(); from += kInChunk) {
        const std::size_t n = std::min(kInChunk, usccs.size() - from);
        SqlParams params(usccs.begin() + static_cast<std::ptrdiff_t>(from),
                         usccs.begin() + static_cast<std::ptrdiff_t>(from + n));
        Status s = sql.Query("SELECT uscc, grade, points, model || ' ' || model_version FROM credit_scores WHERE uscc IN (" +
                                 Marks(n) + ")",
                             params, [&](const SqlRow& r) {
                               now[r.Text(0)] = {r.Text(1), r.Int(2)};
                               current_models.insert(r.Text(3));
                               return true;
                             });
        if (!s.ok()) return s;
      }
      for (const Subject& subj : subjects) {
        ScoreInput in;
        in.uscc = subj.uscc;
        in.subject_kind = subj.kind;
        in.as_of = today;
        in.records = subj.facts;
        in.listings = subj.listings;
        ScoreResult res;
        if (auto s = candidate.value().model->Score(in, &res); !s.ok()) return s;
        ++sim.subjects;
        ++sim.then[res.grade];
        auto it = now.find(subj.uscc);
        const std::string grade_now = it == now.end() ? "" : it->second.first;
        const std::int64_t points_now = it == now.end() ? 0 : it->second.second;
        ++sim.now[grade_now.empty() ? "(none)" : grade_now];
        if (grade_now != res.grade) ++sim.changed_grade;
        // A subject without a score yet has no "now" to move from.
        if (it != now.end()) sim.movers.push_back({subj.uscc, grade_now, res.grade, points_now, res.points});
        // Keep the list short as it grows.
        if (sim.movers.size() > top * 4 + 64) {
          std::sort(sim.movers.begin(), sim.movers.end(), [](const Simulation::Mover& a, const Simulation::Mover& b) {
            return std::llabs(a.points_then - a.points_now) > std::llabs(b.points_then - b.points_now);
          });
          sim.movers.resize(top);
        }
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    if (usccs.empty()) break;
    cursor = usccs.back();
  }
  std::stable_sort(sim.movers.begin(), sim.movers.end(), [](const Simulation::Mover& a, const Simulation::Mover& b) {
    const auto da = std::llabs(a.points_then - a.points_now), db = std::llabs(b.points_then - b.points_now);
    return da != db ? da > db : a.uscc < b.uscc;
  });
  if (sim.movers.size() > top) sim.movers.resize(top);
  for (const auto& m : current_models) sim.current_model += (sim.current_model.empty() ? "" : ", ") + m;
  return sim;
}

}  // namespace xj::credit
