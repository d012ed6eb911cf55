#include "records.h"

#include <xinjian/digest.h>
#include <xinjian/directory.h>
#include <xinjian/table_reader.h>
#include <xinjian/text.h>
#include <xinjian/uscc.h>
#include <xinjian/time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include "scoring.h"

namespace xj::credit {
namespace {

using nlohmann::json;

Status Refuse(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

Status FieldRefuse(const std::string& field, const std::string& zh, const std::string& en) {
  return Refuse(field + "：" + zh, field + ": " + en);
}

bool IsSeverity(const std::string& s) { return s == "minor" || s == "general" || s == "serious"; }

// Text from outside: valid UTF-8, no control characters, at most `max` code points.
Status CheckText(const std::string& field, const std::string& v, std::size_t max) {
  if (!utf8::IsValid(v)) return FieldRefuse(field, "不是有效的 UTF-8", "is not valid UTF-8");
  if (utf8::HasControlChar(v)) return FieldRefuse(field, "含有控制字符", "contains a control character");
  if (utf8::CodePointCount(v) > max)
    return FieldRefuse(field, "超过 " + std::to_string(max) + " 个字符", "is longer than " + std::to_string(max) + " characters");
  return Status::Ok();
}

// GB 32100-2015 (xinjian/uscc.h), named as the field.
Status CheckUscc(const std::string& u) {
  Status st = uscc::Check(u);
  return st.ok() ? st : Status(st.code(), "uscc：" + st.message());
}

Status CheckDate(const std::string& field, const std::string& v) {
  auto d = CivilDate::Parse(v);
  if (!d.ok()) return Status::Error(StatusCode::kInvalidArgument, field + "：", field + ": " + d.status().message());
  return Status::Ok();
}

// The natural key within a kind: printable, no separators that break the id.
Status CheckRef(const std::string& ref) {
  if (ref.empty()) return FieldRefuse("ref", "缺失（记录的编号，如处罚决定书文号）", "is missing (the record's number, e.g. the decision number)");
  if (auto st = CheckText("ref", ref, 200); !st.ok()) return st;
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Kinds.

Result<std::shared_ptr<Kinds>> Kinds::Parse(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("kinds") || !j["kinds"].is_array())
    return Refuse("记录种类文件无效（须有 kinds 数组）", "invalid record kinds file (needs a kinds array)");
  auto out = std::make_shared<Kinds>();
  for (const json& k : j["kinds"]) {
    RecordKind kind;
    try {
      kind.code = k.at("code").get<std::string>();
      kind.zh = k.at("zh").get<std::string>();
      kind.en = k.at("en").get<std::string>();
      kind.polarity = k.value("polarity", std::string("neutral"));
      kind.publicity = k.value("publicity", std::string("by_severity"));
      for (const json& f : k.value("requires", json::array())) kind.requires_fields.push_back(f.get<std::string>());
      for (auto it = k.at("categories").begin(); it != k.at("categories").end(); ++it)
        kind.categories[it.key()] = KindCategory{it.value().at("zh").get<std::string>(),
                                                 it.value().at("en").get<std::string>(),
                                                 it.value().at("severity").get<std::string>()};
    } catch (const json::exception& e) {
      return Refuse("记录种类文件无效：" + std::string(e.what()), "invalid record kinds file: " + std::string(e.what()));
    }
    if (auto st = out->Add(kind); !st.ok()) return st;
  }
  return out;
}

Status Kinds::Add(const RecordKind& kind) {
  auto bad = [&](const std::string& zh, const std::string& en) {
    return Refuse("记录种类 " + kind.code + " " + zh, "record kind " + kind.code + " " + en);
  };
  if (kind.code.empty() || kind.code.size() > 40) return bad("的代码须为 1 至 40 个字符", "needs a code of 1 to 40 characters");
  for (char c : kind.code)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return bad("的代码只能含小写字母、数字和 _", "may hold only lowercase letters, digits and _ in its code");
  if (kind.zh.empty() || kind.en.empty()) return bad("缺少中英文名称", "lacks its Chinese or English name");
  if (kind.publicity != "penalty" && kind.publicity != "by_severity")
    return bad("的 publicity 须为 penalty 或 by_severity", "needs publicity penalty or by_severity");
  if (kind.polarity != "negative" && kind.polarity != "positive" && kind.polarity != "neutral")
    return bad("的 polarity 须为 negative、positive 或 neutral", "needs polarity negative, positive or neutral");
  if (kind.categories.empty()) return bad("没有类别", "has no category");
  for (const auto& [code, c] : kind.categories)
    if (!IsSeverity(c.severity)) return bad("的类别 " + code + " 的严重程度无效", "has a category " + code + " with a bad severity");
  for (const auto& f : kind.requires_fields)
    if (f != "authority" && f != "basis" && f != "title")
      return bad("的 requires 只能含 authority、basis、title", "may require only authority, basis, title");
  std::lock_guard lock(mu_);
  if (kinds_.count(kind.code))
    return Status::Error(StatusCode::kAlreadyExists, "记录种类 " + kind.code + " 已存在", "the record kind " + kind.code + " exists");
  kinds_[kind.code] = std::make_shared<const RecordKind>(kind);
  return Status::Ok();
}

std::shared_ptr<const RecordKind> Kinds::Find(const std::string& code) const {
  std::lock_guard lock(mu_);
  auto it = kinds_.find(code);
  return it == kinds_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const RecordKind>> Kinds::All() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const RecordKind>> out;
  for (const auto& [code, k] : kinds_) out.push_back(k);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Publicity.

Result<PublicityRules> PublicityRules::FromConfig(
    const std::function<std::string(const std::string&, const std::string&)>& cfg) {
  PublicityRules r;
  auto num = [&](const std::string& key, int fallback, int lo, int hi, int* out) -> Status {
    const std::string v = cfg(key, std::to_string(fallback));
    char* end = nullptr;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || x < lo || x > hi)
      return Refuse("配置 plugins.credit." + key + " 须为 " + std::to_string(lo) + " 至 " + std::to_string(hi) +
                        " 的整数（国办发〔2025〕22号的范围），实际为 “" + v + "”",
                    "the setting plugins.credit." + key + " must be an integer from " + std::to_string(lo) + " to " +
                        std::to_string(hi) + " (the bounds of the rules), got '" + v + "'");
    *out = static_cast<int>(x);
    return Status::Ok();
  };
  if (auto st = num("publicity_months_minor", 0, 0, 3, &r.minor_months); !st.ok()) return st;
  if (auto st = num("publicity_months_general", 12, 3, 12, &r.general_months); !st.ok()) return st;
  if (auto st = num("publicity_months_serious", 36, 12, 36, &r.serious_months); !st.ok()) return st;
  if (auto st = num("penalty_short_months", 3, 3, 3, &r.penalty_short_months); !st.ok()) return st;
  if (auto st = num("penalty_long_months", 36, 36, 36, &r.penalty_long_months); !st.ok()) return st;
  int low = 10000;
  if (auto st = num("penalty_low_fine_yuan", 10000, 0, 100000000, &low); !st.ok()) return st;
  r.penalty_low_fine_yuan = low;
  return r;
}

std::string LastDayAfterMonths(const std::string& from, int months) {
  auto d = CivilDate::Parse(from);
  if (!d.ok() || months <= 0) return "";
  int y = d.value().year(), m = d.value().month() + months;
  y += (m - 1) / 12;
  m = (m - 1) % 12 + 1;
  int day = d.value().day();
  auto end = CivilDate::FromYmd(y, m, 1);
  // Clamp to the month's last day.
  while (day > 28) {
    auto t = CivilDate::FromYmd(y, m, day);
    if (t.ok()) break;
    --day;
  }
  auto t = CivilDate::FromYmd(y, m, day);
  if (!t.ok() || !end.ok()) return "";
  return CivilDate::FromDays(t.value().days() - 1).ToString();
}

Result<CreditRecord> NormaliseRecord(const Kinds& kinds, const PublicityRules& rules, const RecordInput& in) {
  CreditRecord r;
  if (auto st = CheckUscc(in.uscc); !st.ok()) return st;
  r.uscc = in.uscc;
  auto kind = kinds.Find(in.kind);
  if (!kind) {
    std::string known;
    for (const auto& k : kinds.All()) known += (known.empty() ? "" : ", ") + k->code;
    return FieldRefuse("kind", "未知的记录种类 “" + in.kind.substr(0, 40) + "”（已知：" + known + "）",
                       "unknown record kind '" + in.kind.substr(0, 40) + "' (known: " + known + ")");
  }
  r.kind = kind->code;
  if (auto st = CheckRef(in.ref); !st.ok()) return st;
  r.ref = in.ref;
  auto cat = kind->categories.find(in.category);
  if (cat == kind->categories.end()) {
    std::string known;
    for (const auto& [c, v] : kind->categories) known += (known.empty() ? "" : ", ") + c;
    return FieldRefuse("category", "“" + in.category.substr(0, 40) + "” 不是 " + kind->zh + " 的类别（可选：" + known + "）",
                       "'" + in.category.substr(0, 40) + "' is no category of " + kind->en + " (choose: " + known + ")");
  }
  r.category = in.category;
  if (auto st = CheckDate("occurred_on", in.occurred_on); !st.ok()) return st;
  r.occurred_on = in.occurred_on;
  if (!in.heavy.empty() && in.heavy != "0" && in.heavy != "1" && in.heavy != "true" && in.heavy != "false")
    return FieldRefuse("heavy", "须为 0 或 1", "must be 0 or 1");
  r.heavy = in.heavy == "1" || in.heavy == "true";
  if (r.heavy && r.kind != "penalty") return FieldRefuse("heavy", "只用于行政处罚", "applies to penalties only");
  if (!in.value.empty()) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(in.value.c_str(), &end);
    if (*end != '\0' || errno != 0 || !std::isfinite(v) || v < 0 || v > 1e13)
      return FieldRefuse("value", "须为 0 至 10^13 的数字，实际为 “" + in.value.substr(0, 40) + "”",
                         "must be a number from 0 to 10^13, got '" + in.value.substr(0, 40) + "'");
    r.value = v;
  }
  if (r.kind == "intermediary_evaluation" && (r.value < 0 || r.value > 100))
    return FieldRefuse("value", "中介服务评价须为 0 至 100 分", "an intermediary evaluation is 0 to 100 points");
  if (auto st = CheckText("authority", in.authority, 200); !st.ok()) return st;
  if (auto st = CheckText("basis", in.basis, 1000); !st.ok()) return st;
  if (auto st = CheckText("title", in.title, 500); !st.ok()) return st;
  r.authority = in.authority;
  r.basis = in.basis;
  r.title = in.title;
  for (const auto& f : kind->requires_fields) {
    const std::string& v = f == "authority" ? r.authority : f == "basis" ? r.basis : r.title;
    if (v.empty()) return FieldRefuse(f, "缺失（" + kind->zh + "必须写明）", "is missing (required for " + kind->en + ")");
  }
  if (!in.attributes.empty()) {
    if (in.attributes.size() > 1024) return FieldRefuse("attributes", "超过 1024 字节", "is longer than 1024 bytes");
    json a = json::parse(in.attributes, nullptr, false);
    if (a.is_discarded() || !a.is_object())
      return FieldRefuse("attributes", "须为 JSON 对象（属性 → 字符串）", "must be a JSON object (attribute → string)");
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!it.value().is_string())
        return FieldRefuse("attributes." + it.key(), "须为字符串", "must be a string");
      if (auto st = CheckText("attributes." + it.key(), it.value().get<std::string>(), 200); !st.ok()) return st;
      if (auto st = CheckText("attributes", it.key(), 40); !st.ok()) return st;
      r.attributes[it.key()] = it.value().get<std::string>();
    }
  }
  // Severity: given, or the category's; a heavy penalty is serious.
  if (!in.severity.empty()) {
    if (!IsSeverity(in.severity))
      return FieldRefuse("severity", "须为 minor（轻微）、general（一般）或 serious（严重）", "must be minor, general or serious");
    r.severity = in.severity;
  } else {
    r.severity = cat->second.severity;
    if (r.heavy) r.severity = "serious";
  }
  if (r.heavy && r.severity != "serious")
    return FieldRefuse("severity", "较重处罚须为 serious（严重）", "a heavy penalty is serious");
  // Publicity: from the given first day (or the date of the record), for the kind's period.
  r.public_from = in.public_from.empty() ? r.occurred_on : in.public_from;
  if (auto st = CheckDate("public_from", r.public_from); !st.ok()) return st;
  if (r.public_from < r.occurred_on) return FieldRefuse("public_from", "早于 occurred_on", "is before occurred_on");
  int months = 0;
  if (kind->publicity == "penalty") {
    const bool short_term = r.category == "warning" || r.category == "criticism" ||
                            (r.category == "fine" && !r.heavy && r.value <= rules.penalty_low_fine_yuan);
    months = short_term ? rules.penalty_short_months : rules.penalty_long_months;
  } else {
    months = r.severity == "minor" ? rules.minor_months : r.severity == "general" ? rules.general_months : rules.serious_months;
  }
  if (months > 0) {
    r.public_until = LastDayAfterMonths(r.public_from, months);
  } else {
    r.public_from.clear();
  }
  if (!in.withdrawn_on.empty()) {
    if (auto st = CheckDate("withdrawn_on", in.withdrawn_on); !st.ok()) return st;
    if (in.withdrawn_on < r.occurred_on) return FieldRefuse("withdrawn_on", "早于 occurred_on", "is before occurred_on");
    if (auto st = CheckText("withdrawn_reason", in.withdrawn_reason, 500); !st.ok()) return st;
    r.withdrawn_on = in.withdrawn_on;
    r.withdrawn_reason = in.withdrawn_reason.empty() ? "撤销 / revoked" : in.withdrawn_reason;
  } else if (!in.withdrawn_reason.empty()) {
    return FieldRefuse("withdrawn_reason", "只与 withdrawn_on 一起使用", "goes with withdrawn_on only");
  }
  return r;
}

std::string CreditRecord::AttributesJson() const {
  json a = json::object();
  for (const auto& [k, v] : attributes) a[k] = v;
  return a.dump();
}

std::string CreditRecord::Digest() const {
  json j = {kind, ref, uscc, category, severity, occurred_on, public_from, public_until, value, heavy, authority,
            basis, title, AttributesJson(), withdrawn_on, withdrawn_reason};
  return digest::Sha256Hex(j.dump());
}

// ---------------------------------------------------------------------------------------------
// The store.

namespace {

constexpr const char* kRecordColumns =
    "kind, ref, uscc, category, severity, occurred_on, COALESCE(public_from, ''), COALESCE(public_until, ''), value, "
    "heavy, authority, basis, title, attributes, COALESCE(withdrawn_on, ''), COALESCE(withdrawn_reason, ''), source, "
    "disputed, COALESCE(publicity_ended_on, ''), COALESCE(publicity_end_reason, '')";

CreditRecord RecordOf(const SqlRow& r) {
  CreditRecord c;
  c.kind = r.Text(0);
  c.ref = r.Text(1);
  c.uscc = r.Text(2);
  c.category = r.Text(3);
  c.severity = r.Text(4);
  c.occurred_on = r.Text(5);
  c.public_from = r.Text(6);
  c.public_until = r.Text(7);
  c.value = r.Real(8);
  c.heavy = r.Int(9) != 0;
  c.authority = r.Text(10);
  c.basis = r.Text(11);
  c.title = r.Text(12);
  json a = json::parse(r.View(13), nullptr, false);
  if (a.is_object())
    for (auto it = a.begin(); it != a.end(); ++it)
      if (it.value().is_string()) c.attributes[it.key()] = it.value().get<std::string>();
  c.withdrawn_on = r.Text(14);
  c.withdrawn_reason = r.Text(15);
  c.source = r.Text(16);
  c.disputed = r.Int(17) != 0;
  c.publicity_ended_on = r.Text(18);
  c.publicity_end_reason = r.Text(19);
  return c;
}

}  // namespace

Result<std::optional<CreditRecord>> LoadRecord(Sql& sql, const std::string& kind, const std::string& ref) {
  std::optional<CreditRecord> out;
  Status st = sql.Query(std::string("SELECT ") + kRecordColumns + " FROM credit_records WHERE kind = ? AND ref = ?",
                        {kind, ref}, [&](const SqlRow& r) {
                          out = RecordOf(r);
                          return false;
                        });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<CreditRecord>> LoadRecordsOf(Sql& sql, const std::string& uscc) {
  std::vector<CreditRecord> out;
  Status st = sql.Query(std::string("SELECT ") + kRecordColumns +
                            " FROM credit_records WHERE uscc = ? ORDER BY occurred_on, kind, ref",
                        {uscc}, [&](const SqlRow& r) {
                          out.push_back(RecordOf(r));
                          return true;
                        });
  if (!st.ok()) return st;
  return out;
}

Status UpsertRecords(UnitOfWork& uow, const std::vector<CreditRecord>& records, const std::string& today,
                     UpsertCounts* counts, std::set<std::string>* touched, bool subjects_checked) {
  Sql& sql = uow.sql();
  const std::int64_t now = uow.now_us();
  // The subjects must exist: one query per distinct USCC of the batch (unless the caller looked).
  std::set<std::string> known;
  for (const CreditRecord& r : records) {
    if (subjects_checked) break;
    if (known.count(r.uscc)) continue;
    auto found = sql.Exists("SELECT 1 FROM subjects WHERE uscc = ?", {r.uscc});
    if (!found.ok()) return found.status();
    if (!found.value())
      return Status::Error(StatusCode::kNotFound, "名录中没有统一社会信用代码为 " + r.uscc + " 的主体",
                           "no subject with the USCC " + r.uscc + " in the directory");
    known.insert(r.uscc);
  }
  for (const CreditRecord& r : records) {
    const std::string digest = r.Digest();
    std::optional<std::string> before, before_uscc;
    Status q = sql.Query("SELECT digest, uscc FROM credit_records WHERE kind = ? AND ref = ?", {r.kind, r.ref},
                         [&](const SqlRow& row) {
                           before = row.Text(0);
                           before_uscc = row.Text(1);
                           return false;
                         });
    if (!q.ok()) return q;
    if (before && *before == digest) {
      ++counts->unchanged;
      continue;
    }
    // A record that moved to another subject changes both.
    if (before_uscc) touched->insert(*before_uscc);
    auto n = sql.Exec(
        "INSERT INTO credit_records (kind, ref, uscc, category, severity, occurred_on, public_from, public_until, "
        "is_public, value, heavy, authority, basis, title, attributes, withdrawn_on, withdrawn_reason, source, digest, "
        "created_at_us, updated_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (kind, ref) DO UPDATE SET uscc = excluded.uscc, category = excluded.category, "
        "severity = excluded.severity, occurred_on = excluded.occurred_on, public_from = excluded.public_from, "
        "public_until = excluded.public_until, "
        "is_public = CASE WHEN credit_records.publicity_ended_on IS NULL THEN excluded.is_public ELSE 0 END, value = excluded.value, heavy = excluded.heavy, "
        "authority = excluded.authority, basis = excluded.basis, title = excluded.title, "
        "attributes = excluded.attributes, withdrawn_on = excluded.withdrawn_on, "
        "withdrawn_reason = excluded.withdrawn_reason, source = excluded.source, digest = excluded.digest, "
        "updated_at_us = excluded.updated_at_us",
        {r.kind, r.ref, r.uscc, r.category, r.severity, r.occurred_on, Nullable(r.public_from), Nullable(r.public_until),
         r.PublicOn(today) ? 1 : 0, r.value, r.heavy ? 1 : 0, r.authority, r.basis, r.title, r.AttributesJson(), Nullable(r.withdrawn_on),
         Nullable(r.withdrawn_reason), r.source, digest, now, now});
    if (!n.ok()) return n.status();
    if (auto st = uow.Audit({before ? "credit.record.update" : "credit.record.insert", "credit_record", r.Id(),
                             before ? *before : "", digest});
        !st.ok())
      return st;
    ++(before ? counts->updated : counts->inserted);
    touched->insert(r.uscc);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// The import.

namespace {

}  // namespace

const std::vector<std::string>& RecordColumns() {
  static const std::vector<std::string> k = {"uscc",     "kind",       "ref",       "category",     "severity",
                                             "occurred_on", "public_from", "value",   "heavy",        "authority",
                                             "basis",    "title",      "attributes", "withdrawn_on", "withdrawn_reason"};
  return k;
}

RecordInput RecordInputOf(const std::map<std::string, std::string>& v) {
  auto get = [&](const char* k) {
    auto it = v.find(k);
    if (it == v.end()) return std::string();
    // Trimmed: exports pad cells.
    std::string s = it->second;
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return std::string();
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
  };
  RecordInput in;
  in.uscc = get("uscc");
  in.kind = get("kind");
  in.ref = get("ref");
  in.category = get("category");
  in.severity = get("severity");
  in.occurred_on = get("occurred_on");
  in.public_from = get("public_from");
  in.value = get("value");
  in.heavy = get("heavy");
  in.authority = get("authority");
  in.basis = get("basis");
  in.title = get("title");
  in.attributes = get("attributes");
  in.withdrawn_on = get("withdrawn_on");
  in.withdrawn_reason = get("withdrawn_reason");
  return in;
}

const std::vector<std::string>& EvaluationColumns() {
  static const std::vector<std::string> k = {"uscc",        "engagement",  "service_category", "evaluated_on",
                                             "client_score", "department_score", "office_score", "promised_days",
                                             "actual_days", "declared_fee", "charged_fee", "title"};
  return k;
}

Result<EvaluationWeights> EvaluationWeights::Parse(const std::string& text) {
  EvaluationWeights w;
  int v[3] = {0, 0, 0};
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d,%d,%d%c", &v[0], &v[1], &v[2], &extra) != 3 || v[0] < 0 || v[1] < 0 || v[2] < 0 ||
      v[0] + v[1] + v[2] != 100)
    return Refuse("配置 plugins.credit.evaluation_weights 须为三个相加为 100 的非负整数（委托方、监管部门、审批部门），实际为 “" +
                      text.substr(0, 40) + "”",
                  "the setting plugins.credit.evaluation_weights must be three whole numbers adding up to 100 (client, "
                  "department, approval office), got '" + text.substr(0, 40) + "'");
  w.client = v[0];
  w.department = v[1];
  w.approval_office = v[2];
  return w;
}

Result<RecordInput> EvaluationInputOf(const EvaluationWeights& w, const std::map<std::string, std::string>& values) {
  auto get = [&](const char* k) {
    auto it = values.find(k);
    if (it == values.end()) return std::string();
    const auto b = it->second.find_first_not_of(" \t");
    if (b == std::string::npos) return std::string();
    return it->second.substr(b, it->second.find_last_not_of(" \t") - b + 1);
  };
  auto number = [&](const char* field, double lo, double hi) -> Result<std::optional<double>> {
    const std::string t = get(field);
    if (t.empty()) return std::optional<double>();
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(t.c_str(), &end);
    if (*end != '\0' || errno != 0 || !std::isfinite(v) || v < lo || v > hi)
      return FieldRefuse(field, "须为 " + std::to_string(static_cast<long long>(lo)) + " 至 " +
                                    std::to_string(static_cast<long long>(hi)) + " 的数字，实际为 “" + t.substr(0, 40) + "”",
                         "must be a number from " + std::to_string(static_cast<long long>(lo)) + " to " +
                             std::to_string(static_cast<long long>(hi)) + ", got '" + t.substr(0, 40) + "'");
    return std::optional<double>(v);
  };
  RecordInput in;
  in.uscc = get("uscc");
  in.kind = "intermediary_evaluation";
  in.ref = get("engagement");
  in.category = "engagement";
  in.occurred_on = get("evaluated_on");
  in.title = get("title");
  const std::string service = get("service_category");
  if (service.empty()) return FieldRefuse("service_category", "缺失（如测绘、评估、设计审查）", "is missing (surveying, appraisal, …)");
  if (auto st = CheckText("service_category", service, 40); !st.ok()) return st;
  const std::pair<const char*, int> marks[] = {{"client_score", w.client}, {"department_score", w.department},
                                               {"office_score", w.approval_office}};
  double sum = 0;
  int weight = 0;
  nlohmann::json attrs = {{"service_category", service}};
  for (const auto& [field, wt] : marks) {
    auto m = number(field, 0, 100);
    if (!m.ok()) return m.status();
    if (!m.value()) continue;
    attrs[std::string(field)] = get(field);
    sum += *m.value() * wt;
    weight += wt;
  }
  if (weight == 0)
    return FieldRefuse("client_score", "至少需要一个有权重的评分", "at least one weighted mark is needed");
  char mark[32];
  std::snprintf(mark, sizeof mark, "%.2f", sum / weight);
  in.value = mark;
  auto promised = number("promised_days", 0, 3650), actual = number("actual_days", 0, 3650);
  if (!promised.ok()) return promised.status();
  if (!actual.ok()) return actual.status();
  if (promised.value() && actual.value()) attrs["on_time"] = *actual.value() <= *promised.value() ? "1" : "0";
  auto declared = number("declared_fee", 0, 1e10), charged = number("charged_fee", 0, 1e10);
  if (!declared.ok()) return declared.status();
  if (!charged.ok()) return charged.status();
  if (declared.value() && charged.value()) attrs["fee_within"] = *charged.value() <= *declared.value() ? "1" : "0";
  in.attributes = attrs.dump();
  return in;
}

namespace {

// One source row: its line and its values by column (or a read error).
struct SourceRow {
  std::uint64_t line = 0;
  std::map<std::string, std::string> values;
  std::vector<std::string> raw;  // for the rejects file
  std::string error;             // bilingual, when the row could not be read
};

// A reader of rows from CSV or JSON.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual Result<bool> Next(SourceRow* row) = 0;
};

class CsvSource final : public RowSource {
 public:
  CsvSource(std::unique_ptr<TableReader> r, std::map<std::string, std::size_t> cols, std::size_t width)
      : r_(std::move(r)), cols_(std::move(cols)), width_(width) {}
  Result<bool> Next(SourceRow* row) override {
    std::vector<std::string> f;
    auto n = r_->Next(&f);
    row->values.clear();
    row->raw.clear();
    row->error.clear();
    row->line = r_->record_line();
    if (!n.ok()) {
      row->error = n.status().message();
      return true;
    }
    if (!n.value()) return false;
    row->raw = f;
    if (f.size() != width_) {
      row->error = "列数为 " + std::to_string(f.size()) + "，表头为 " + std::to_string(width_) + " / " +
                   std::to_string(f.size()) + " fields, the header has " + std::to_string(width_);
      return true;
    }
    for (const auto& [name, i] : cols_) row->values[name] = f[i];
    return true;
  }

 private:
  std::unique_ptr<TableReader> r_;
  std::map<std::string, std::size_t> cols_;
  std::size_t width_;
};

// JSON: an array of objects (the whole file parsed; bounded by the file size check) or JSON
// Lines (one object per line, read line by line).
class JsonSource final : public RowSource {
 public:
  static Result<std::unique_ptr<JsonSource>> Open(const std::string& path, const std::vector<std::string>* columns,
                                                  std::vector<std::string>* warnings) {
    auto s = std::make_unique<JsonSource>();
    s->columns_ = columns;
    s->in_.open(path, std::ios::binary);
    if (!s->in_) return Status::Error(StatusCode::kUnavailable, "无法读取文件 " + path, "cannot read " + path);
    s->warnings_ = warnings;
    // The first non-blank byte decides: '[' is an array, '{' JSON Lines.
    char c = 0;
    std::streampos at = 0;
    while (s->in_.get(c)) {
      if (c == '\xEF') {  // a UTF-8 byte-order mark
        s->in_.get(c);
        s->in_.get(c);
        at = 3;
        continue;
      }
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
    }
    if (!s->in_) return Refuse("JSON 文件为空：" + path, "the JSON file is empty: " + path);
    s->in_.clear();
    s->in_.seekg(at);
    if (c == '[') {
      std::stringstream buf;
      buf << s->in_.rdbuf();
      json a = json::parse(buf.str(), nullptr, false);
      if (a.is_discarded() || !a.is_array())
        return Refuse("JSON 文件不是有效的对象数组：" + path, "the JSON file is not a valid array of objects: " + path);
      s->array_ = std::move(a);
      s->is_array_ = true;
    } else if (c != '{') {
      return Refuse("JSON 文件须以 [ 或 { 开始：" + path, "a JSON file must start with [ or {: " + path);
    }
    return s;
  }
  Result<bool> Next(SourceRow* row) override {
    row->values.clear();
    row->raw.clear();
    row->error.clear();
    json obj;
    if (is_array_) {
      if (index_ >= array_.size()) return false;
      row->line = index_ + 1;  // the element's number
      obj = std::move(array_[index_++]);
    } else {
      std::string line;
      do {
        if (!std::getline(in_, line)) return false;
        ++line_;
        if (line.size() > (1u << 20)) {
          row->line = line_;
          row->error = "记录超过 1 MiB / a record is larger than 1 MiB";
          return true;
        }
      } while (line.find_first_not_of(" \t\r") == std::string::npos);
      row->line = line_;
      obj = json::parse(line, nullptr, false);
      if (obj.is_discarded()) {
        row->error = "不是有效的 JSON / not valid JSON";
        row->raw = {line.substr(0, 200)};
        return true;
      }
    }
    if (!obj.is_object()) {
      row->error = "不是 JSON 对象 / not a JSON object";
      return true;
    }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const auto& cols = *columns_;
      if (std::find(cols.begin(), cols.end(), it.key()) == cols.end()) {
        if (warned_.insert(it.key()).second && warnings_->size() < 20)
          warnings_->push_back("忽略未知字段 " + it.key().substr(0, 40) + " / ignored the unknown field " + it.key().substr(0, 40));
        continue;
      }
      const json& v = it.value();
      if (v.is_string()) {
        row->values[it.key()] = v.get<std::string>();
      } else if (v.is_null()) {
        row->values[it.key()] = "";
      } else if (v.is_boolean()) {
        row->values[it.key()] = v.get<bool>() ? "1" : "0";
      } else if (v.is_number()) {
        row->values[it.key()] = v.dump();
      } else if (it.key() == "attributes" && v.is_object()) {
        row->values[it.key()] = v.dump();
      } else {
        row->error = "字段 " + it.key() + " 的值类型无效 / the field " + it.key() + " has a value of a bad type";
        return true;
      }
    }
    for (const auto& c : *columns_) row->raw.push_back(row->values.count(c) ? row->values[c] : "");
    return true;
  }

  std::ifstream in_;
  json array_;
  bool is_array_ = false;
  std::size_t index_ = 0;
  std::uint64_t line_ = 0;
  std::set<std::string> warned_;
  std::vector<std::string>* warnings_ = nullptr;
  const std::vector<std::string>* columns_ = nullptr;
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<ImportSummary> ImportRecords(Platform& platform, const Principal& who, const Kinds& kinds,
                                    const PublicityRules& rules, Scoring* scoring, const ImportOptions& o,
                                    std::ostream* progress) {
  constexpr std::uint64_t kMaxBytes = 4ull << 30;  // 4 GiB (CSV and JSON Lines stream; an array is parsed whole)
  constexpr std::uint64_t kMaxArrayBytes = 256ull << 20;
  // A regular file, or a pipe (a FIFO, /dev/stdin) read once from the start as CSV: its size
  // is not known beforehand and the CSV reader stops it at the same 4 GiB; JSON, which is
  // sniffed and may be parsed whole, needs a regular file.
  std::error_code ec;
  const auto file_status = std::filesystem::status(o.path, ec);
  if (ec || !std::filesystem::exists(file_status))
    return Status::Error(StatusCode::kUnavailable, "无法读取文件 " + o.path, "cannot read " + o.path);
  if (std::filesystem::is_directory(file_status))
    return Status::Error(StatusCode::kUnavailable, "无法读取 " + o.path + "（是目录）", "cannot read " + o.path + " (a directory)");
  const bool regular = std::filesystem::is_regular_file(file_status);
  const std::uintmax_t size = regular ? std::filesystem::file_size(o.path, ec) : 0;
  if (ec) return Status::Error(StatusCode::kUnavailable, "无法读取文件 " + o.path, "cannot read " + o.path);
  if (size > kMaxBytes) return Refuse("记录文件超过 4 GiB：" + o.path, "the records file is larger than 4 GiB: " + o.path);
  if (o.batch_rows < 1 || o.batch_rows > 100000)
    return Refuse("--batch-rows 须在 1 与 100000 之间", "--batch-rows must be between 1 and 100000");
  std::string format = o.format;
  if (format == "auto") {
    if (EndsWith(o.path, ".json") || EndsWith(o.path, ".jsonl") || EndsWith(o.path, ".ndjson")) {
      format = "json";
    } else if (EndsWith(o.path, ".csv") || !regular) {
      format = "csv";
    } else {
      std::ifstream f(o.path, std::ios::binary);
      char c = 0;
      while (f.get(c) && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
      }
      format = (c == '[' || c == '{') ? "json" : "csv";
    }
  }
  ImportSummary sum;
  sum.rejects_path = o.rejects_path;
  const std::vector<std::string>& columns = o.columns.empty() ? RecordColumns() : o.columns;
  const std::vector<std::string> required =
      o.columns.empty() ? std::vector<std::string>{"uscc", "kind", "ref", "category", "occurred_on"} : o.required;
  const RowMapper map_row = o.map_row ? o.map_row : RowMapper([](const std::map<std::string, std::string>& v) -> Result<RecordInput> {
    return RecordInputOf(v);
  });
  std::unique_ptr<RowSource> source;
  if (format == "json" && !regular)
    return Refuse("JSON 记录只能从普通文件导入，管道只读 CSV：" + o.path,
                  "JSON records are imported from regular files only; a pipe is read as CSV: " + o.path);
  if (format == "json") {
    if (size > kMaxArrayBytes) {
      std::ifstream f(o.path, std::ios::binary);
      char c = 0;
      while (f.get(c) && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
      }
      if (c == '[')
        return Refuse("JSON 数组文件超过 256 MiB（更大的文件请用 JSON Lines）：" + o.path,
                      "a JSON array file is larger than 256 MiB (use JSON Lines for more): " + o.path);
    }
    auto s = JsonSource::Open(o.path, &columns, &sum.warnings);
    if (!s.ok()) return s.status();
    source = std::move(s).value();
  } else if (format == "csv") {
    TableReaderOptions ro;
    ro.max_record_bytes = 64 * 1024;
    ro.max_fields = 64;
    ro.max_file_bytes = kMaxBytes;
    ro.encoding = o.encoding;
    auto reader = platform.OpenTable(o.path, ro);
    if (!reader.ok()) return reader.status();
    std::vector<std::string> header;
    auto h = reader.value()->Next(&header);
    if (!h.ok()) return h.status();
    if (!h.value()) return Refuse("记录文件为空：" + o.path, "the records file is empty: " + o.path);
    std::map<std::string, std::size_t> cols;
    const auto& known = columns;
    for (std::size_t i = 0; i < header.size(); ++i) {
      std::string name = header[i];
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto b = name.find_first_not_of(' '), e = name.find_last_not_of(' ');
      name = b == std::string::npos ? "" : name.substr(b, e - b + 1);
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        if (sum.warnings.size() < 20)
          sum.warnings.push_back("忽略未知列 " + name.substr(0, 40) + " / ignored the unknown column " + name.substr(0, 40));
        continue;
      }
      if (cols.count(name)) return Refuse("表头重复列：" + name, "the header names a column twice: " + name);
      cols[name] = i;
    }
    for (const std::string& r : required)
      if (!cols.count(r))
        return Refuse("文件缺少必需的列：" + r, "the file lacks the required column " + r);
    source = std::make_unique<CsvSource>(std::move(reader).value(), std::move(cols), header.size());
  } else {
    return Refuse("--format 须为 auto、csv 或 json", "--format must be auto, csv or json");
  }

  std::string rejects;
  {
    std::vector<std::string> h{"line"};
    for (const auto& c : columns) h.push_back(c);
    h.push_back("reason");
    csv::AppendCsvRecord(&rejects, h, true);
  }
  const bool to_file = !o.rejects_path.empty();
  auto reject = [&](const SourceRow& row, const std::string& reason) {
    ++sum.rejected;
    if (sum.sample_rejects.size() < 20) sum.sample_rejects.push_back("第 " + std::to_string(row.line) + " 行 / line " + std::to_string(row.line) + ": " + reason);
    if (!to_file || rejects.size() > (256u << 20)) return;
    std::vector<std::string> out{std::to_string(row.line)};
    for (const auto& c : columns) {
      auto it = row.values.find(c);
      out.push_back(it == row.values.end() ? "" : it->second.substr(0, 1000));
    }
    out.push_back(reason);
    csv::AppendCsvRecord(&rejects, out, true);
  };

  const std::string file_name = std::filesystem::path(o.path).filename().string();
  std::vector<CreditRecord> batch;
  std::vector<SourceRow> batch_rows;
  const bool tty = isatty(STDERR_FILENO) == 1;
  auto last_note = std::chrono::steady_clock::now();
  auto note = [&](bool final) {
    if (!progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (!final && now - last_note < std::chrono::seconds(tty ? 1 : 10)) return;
    last_note = now;
    const std::string line = "已读 " + std::to_string(sum.read) + " 行：新增 " + std::to_string(sum.inserted) + "，更新 " +
                             std::to_string(sum.updated) + "，未变 " + std::to_string(sum.unchanged) + "，拒绝 " +
                             std::to_string(sum.rejected) + " / read " + std::to_string(sum.read) + ": " +
                             std::to_string(sum.inserted) + " new, " + std::to_string(sum.updated) + " updated, " +
                             std::to_string(sum.unchanged) + " unchanged, " + std::to_string(sum.rejected) + " rejected";
    *progress << (tty ? "\r" : "") << line << (tty && !final ? "" : "\n") << std::flush;
  };
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    UpsertCounts counts;
    std::set<std::string> touched;
    // A subject missing from the directory (or an evaluation of a subject that is no
    // intermediary) rejects its rows, not the batch: found first.
    std::map<std::size_t, std::string> refused;  // batch index => reason
    Status st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
      counts = UpsertCounts{};
      touched.clear();
      refused.clear();
      std::map<std::string, std::string> types;  // uscc => type ("" when not in the directory)
      for (const CreditRecord& r : batch) {
        if (types.count(r.uscc)) continue;
        auto type = uow.sql().QueryText("SELECT type FROM subjects WHERE uscc = ?", {r.uscc});
        if (!type.ok()) return type.status();
        types[r.uscc] = type.value().value_or("");
      }
      std::vector<CreditRecord> good;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const std::string& type = types[batch[i].uscc];
        if (type.empty())
          refused[i] = "名录中没有该主体（先导入检查对象名录）/ the subject is not in the directory (import it first)";
        else if (batch[i].kind == "intermediary_evaluation" && type != "intermediary")
          refused[i] = "该主体不是中介机构（名录类型为 " + type + "）/ the subject is no intermediary (its type is " + type + ")";
        else
          good.push_back(batch[i]);
      }
      auto today = platform.Time().LocalDate(uow.now_us());
      if (!today.ok()) return today.status();
      if (auto s = UpsertRecords(uow, good, today.value().ToString(), &counts, &touched, /*subjects_checked=*/true); !s.ok())
        return s;
      if (scoring != nullptr && o.score && !touched.empty()) {
        if (auto s = scoring->EnsureModels(uow); !s.ok()) return s;
        auto n = scoring->Rescore(uow, touched);
        if (!n.ok()) return n.status();
      }
      if (counts.inserted + counts.updated > 0) {
        json p = {{"file", file_name}, {"inserted", counts.inserted}, {"updated", counts.updated}};
        if (auto s = uow.Publish("credit.records.imported", file_name, p.dump()); !s.ok()) return s;
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    for (const auto& [i, reason] : refused) reject(batch_rows[i], reason);
    sum.inserted += counts.inserted;
    sum.updated += counts.updated;
    sum.unchanged += counts.unchanged;
    ++sum.batches;
    batch.clear();
    batch_rows.clear();
    note(false);
    return Status::Ok();
  };
  std::set<std::string> keys_in_batch;
  SourceRow row;
  while (true) {
    auto more = source->Next(&row);
    if (!more.ok()) return more.status();
    if (!more.value()) break;
    ++sum.read;
    if (!row.error.empty()) {
      reject(row, row.error);
      continue;
    }
    auto input = map_row(row.values);
    if (!input.ok()) {
      reject(row, input.status().message());
      continue;
    }
    auto rec = NormaliseRecord(kinds, rules, input.value());
    if (!rec.ok()) {
      reject(row, rec.status().message());
      continue;
    }
    CreditRecord r = std::move(rec).value();
    r.source = "import:" + file_name.substr(0, 200);
    // A key twice in one batch: the later row wins, as in a later batch.
    if (!keys_in_batch.insert(r.Id()).second) {
      if (auto st = flush(); !st.ok()) return st;
      keys_in_batch.clear();
      keys_in_batch.insert(r.Id());
    }
    batch.push_back(std::move(r));
    batch_rows.push_back(row);
    if (static_cast<std::int64_t>(batch.size()) >= o.batch_rows) {
      if (auto st = flush(); !st.ok()) return st;
      keys_in_batch.clear();
    }
  }
  if (auto st = flush(); !st.ok()) return st;
  note(true);
  if (to_file && sum.rejected > 0) {
    std::ofstream out(o.rejects_path, std::ios::binary | std::ios::trunc);
    out << rejects;
    if (!out) return Status::Error(StatusCode::kUnavailable, "无法写入 " + o.rejects_path, "cannot write " + o.rejects_path);
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Intermediaries' profiles.

Result<ProfileSummary> ImportIntermediaries(Platform& platform, const Principal& who, const std::string& path,
                                            const std::string& rejects_path) {
  TableReaderOptions ro;
  ro.max_record_bytes = 16 * 1024;
  ro.max_fields = 16;
  ro.max_file_bytes = 256ull << 20;
  auto reader = platform.OpenTable(path, ro);
  if (!reader.ok()) return reader.status();
  std::vector<std::string> f;
  auto h = reader.value()->Next(&f);
  if (!h.ok()) return h.status();
  if (!h.value()) return Refuse("文件为空：" + path, "the file is empty: " + path);
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (col.count(f[i])) return Refuse("表头重复列：" + f[i], "the header names a column twice: " + f[i]);
    col[f[i]] = i;
  }
  for (const char* c : {"uscc", "categories"})
    if (!col.count(c)) return Refuse(std::string("文件缺少必需的列：") + c, std::string("the file lacks the required column ") + c);
  ProfileSummary sum;
  std::string rejects;
  csv::AppendCsvRecord(&rejects, {"line", "uscc", "reason"}, true);
  auto reject = [&](std::uint64_t line, const std::string& uscc, const std::string& reason) {
    ++sum.rejected;
    if (sum.sample_rejects.size() < 20)
      sum.sample_rejects.push_back("第 " + std::to_string(line) + " 行 / line " + std::to_string(line) + ": " + reason);
    csv::AppendCsvRecord(&rejects, {std::to_string(line), uscc.substr(0, 40), reason}, true);
  };
  struct Row {
    std::uint64_t line;
    std::string uscc, categories, qualifications;
  };
  std::vector<Row> batch;
  auto normalise = [](const std::string& list, const char* field, std::string* out) -> Status {
    std::string joined;
    int n = 0;
    for (std::string_view part : SplitStoredList(list)) {
      std::string p(part);
      const auto b = p.find_first_not_of(' ');
      if (b == std::string::npos) continue;
      p = p.substr(b, p.find_last_not_of(' ') - b + 1);
      if (auto st = CheckText(field, p, 40); !st.ok()) return st;
      if (++n > 20) return FieldRefuse(field, "最多 20 项", "has at most 20 entries");
      joined += (joined.empty() ? "" : ";") + p;
    }
    *out = joined;
    return Status::Ok();
  };
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    std::vector<std::pair<std::uint64_t, std::string>> refused;
    std::int64_t written = 0;
    Status st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
      refused.clear();
      written = 0;
      for (const Row& r : batch) {
        auto type = uow.sql().QueryText("SELECT type FROM subjects WHERE uscc = ?", {r.uscc});
        if (!type.ok()) return type.status();
        if (!type.value()) {
          refused.emplace_back(r.line, "名录中没有该主体 / the subject is not in the directory");
          continue;
        }
        if (*type.value() != "intermediary") {
          refused.emplace_back(r.line, "该主体不是中介机构 / the subject is no intermediary");
          continue;
        }
        auto before = uow.sql().QueryText("SELECT categories || '|' || qualifications FROM credit_intermediaries WHERE uscc = ?", {r.uscc});
        if (!before.ok()) return before.status();
        const std::string after = r.categories + "|" + r.qualifications;
        if (before.value() && *before.value() == after) continue;
        auto n = uow.sql().Exec(
            "INSERT INTO credit_intermediaries (uscc, categories, qualifications, updated_at_us) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (uscc) DO UPDATE SET categories = excluded.categories, qualifications = excluded.qualifications, "
            "updated_at_us = excluded.updated_at_us",
            {r.uscc, r.categories, r.qualifications, uow.now_us()});
        if (!n.ok()) return n.status();
        if (auto a = uow.Audit({"credit.intermediary.profile", "credit_intermediary", r.uscc,
                                before.value() ? digest::Sha256Hex(*before.value()) : "", digest::Sha256Hex(after)});
            !a.ok())
          return a;
        ++written;
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    for (const auto& [line, reason] : refused) reject(line, "", reason);
    sum.written += written;
    batch.clear();
    return Status::Ok();
  };
  std::set<std::string> in_batch;
  while (true) {
    auto n = reader.value()->Next(&f);
    const std::uint64_t line = reader.value()->record_line();
    if (!n.ok()) {
      ++sum.read;
      reject(line, "", n.status().message());
      continue;
    }
    if (!n.value()) break;
    ++sum.read;
    if (f.size() != col.size()) {
      reject(line, "", "列数与表头不符 / the number of fields differs from the header");
      continue;
    }
    Row r{line, f[col["uscc"]], "", ""};
    if (auto st = CheckUscc(r.uscc); !st.ok()) {
      reject(line, r.uscc, st.message());
      continue;
    }
    Status st = normalise(f[col["categories"]], "categories", &r.categories);
    if (st.ok() && r.categories.empty()) st = FieldRefuse("categories", "缺失（至少一类服务）", "is missing (at least one service)");
    if (st.ok() && col.count("qualifications")) st = normalise(f[col["qualifications"]], "qualifications", &r.qualifications);
    if (!st.ok()) {
      reject(line, r.uscc, st.message());
      continue;
    }
    if (!in_batch.insert(r.uscc).second) {
      if (auto s2 = flush(); !s2.ok()) return s2;
      in_batch = {r.uscc};
    }
    batch.push_back(std::move(r));
    if (batch.size() >= 2000) {
      if (auto s2 = flush(); !s2.ok()) return s2;
      in_batch.clear();
    }
  }
  if (auto st = flush(); !st.ok()) return st;
  if (!rejects_path.empty() && sum.rejected > 0) {
    std::ofstream out(rejects_path, std::ios::binary | std::ios::trunc);
    out << rejects;
    if (!out) return Status::Error(StatusCode::kUnavailable, "无法写入 " + rejects_path, "cannot write " + rejects_path);
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Publicity and withdrawal.

Result<std::int64_t> RefreshPublicity(UnitOfWork& uow, Scoring* scoring, const std::string& today) {
  Sql& sql = uow.sql();
  struct Change {
    std::string kind, ref, uscc;
    bool now_public;
  };
  std::vector<Change> changes;
  // Ended (or withdrawn) but still marked public; begun but not marked yet.
  Status st = sql.Query(
      "SELECT kind, ref, uscc, 0 FROM credit_records WHERE is_public = 1 AND "
      "(public_until IS NULL OR public_until < ? OR withdrawn_on IS NOT NULL OR publicity_ended_on <= ?) "
      "UNION ALL SELECT kind, ref, uscc, 1 FROM credit_records WHERE is_public = 0 AND withdrawn_on IS NULL AND "
      "public_until IS NOT NULL AND public_from <= ? AND public_until >= ? AND "
      "(publicity_ended_on IS NULL OR publicity_ended_on > ?)",
      {today, today, today, today, today}, [&](const SqlRow& r) {
        changes.push_back({r.Text(0), r.Text(1), r.Text(2), r.Int(3) == 1});
        return true;
      });
  if (!st.ok()) return st;
  std::set<std::string> touched;
  for (const Change& c : changes) {
    auto n = sql.Exec("UPDATE credit_records SET is_public = ?, updated_at_us = ? WHERE kind = ? AND ref = ?",
                      {c.now_public ? 1 : 0, uow.now_us(), c.kind, c.ref});
    if (!n.ok()) return n.status();
    const std::string id = c.kind + "/" + c.ref;
    json p = {{"record", id}, {"uscc", c.uscc}, {"on", today}};
    if (auto s = uow.Publish(c.now_public ? "credit.record.published" : "credit.record.expired", id, p.dump()); !s.ok())
      return s;
    touched.insert(c.uscc);
  }
  if (scoring != nullptr && !touched.empty()) {
    auto n = scoring->Rescore(uow, touched);
    if (!n.ok()) return n.status();
  }
  return static_cast<std::int64_t>(changes.size());
}

namespace {

// The digest of a record with what the remedies keep (the audit records' before and after).
std::string RemedyStateDigest(const CreditRecord& r) {
  return digest::Sha256Hex(json{r.Digest(), r.disputed, r.publicity_ended_on, r.publicity_end_reason}.dump());
}

Result<CreditRecord> MustLoad(Sql& sql, const std::string& kind, const std::string& ref) {
  auto found = LoadRecord(sql, kind, ref);
  if (!found.ok()) return found.status();
  if (!found.value())
    return Status::Error(StatusCode::kNotFound, "没有记录 " + kind.substr(0, 40) + "/" + ref.substr(0, 200),
                         "no record " + kind.substr(0, 40) + "/" + ref.substr(0, 200));
  return *found.value();
}

}  // namespace

Status SetRecordDisputed(UnitOfWork& uow, const std::string& kind, const std::string& ref, bool disputed,
                         const std::string& reason) {
  auto loaded = MustLoad(uow.sql(), kind, ref);
  if (!loaded.ok()) return loaded.status();
  CreditRecord r = loaded.value();
  if (r.disputed == disputed) return Status::Ok();
  if (auto st = CheckText("reason", reason, 500); !st.ok()) return st;
  const std::string before = RemedyStateDigest(r);
  r.disputed = disputed;
  auto n = uow.sql().Exec("UPDATE credit_records SET disputed = ?, updated_at_us = ? WHERE kind = ? AND ref = ?",
                          {disputed ? 1 : 0, uow.now_us(), kind, ref});
  if (!n.ok()) return n.status();
  if (auto st = uow.Audit({disputed ? "credit.record.dispute" : "credit.record.undispute", "credit_record", r.Id(), before,
                           RemedyStateDigest(r)});
      !st.ok())
    return st;
  json p = {{"record", r.Id()}, {"uscc", r.uscc}, {"reason", reason}};
  return uow.Publish(disputed ? "credit.record.disputed" : "credit.record.undisputed", r.Id(), p.dump());
}

Status EndRecordPublicity(UnitOfWork& uow, Scoring* scoring, const std::string& kind, const std::string& ref,
                          const std::string& on, const std::string& reason) {
  if (reason != "repaired" && reason != "stop_disclosure")
    return FieldRefuse("reason", "须为 repaired 或 stop_disclosure", "must be repaired or stop_disclosure");
  if (auto st = CheckDate("on", on); !st.ok()) return st;
  auto loaded = MustLoad(uow.sql(), kind, ref);
  if (!loaded.ok()) return loaded.status();
  CreditRecord r = loaded.value();
  if (!r.withdrawn_on.empty())
    return Status::Error(StatusCode::kFailedPrecondition, "记录 " + r.Id() + " 已于 " + r.withdrawn_on + " 撤回",
                         "the record " + r.Id() + " was withdrawn on " + r.withdrawn_on);
  if (!r.publicity_ended_on.empty())
    return Status::Error(StatusCode::kFailedPrecondition, "记录 " + r.Id() + " 已于 " + r.publicity_ended_on + " 停止公示",
                         "the publicity of the record " + r.Id() + " ended on " + r.publicity_ended_on);
  if (on < r.occurred_on) return FieldRefuse("on", "早于 occurred_on", "is before occurred_on");
  const std::string before = RemedyStateDigest(r);
  r.publicity_ended_on = on;
  r.publicity_end_reason = reason;
  auto n = uow.sql().Exec(
      "UPDATE credit_records SET publicity_ended_on = ?, publicity_end_reason = ?, is_public = 0, updated_at_us = ? "
      "WHERE kind = ? AND ref = ?",
      {on, reason, uow.now_us(), kind, ref});
  if (!n.ok()) return n.status();
  if (auto st = uow.Audit({"credit.record.publicity_end", "credit_record", r.Id(), before, RemedyStateDigest(r)}); !st.ok())
    return st;
  json p = {{"record", r.Id()}, {"uscc", r.uscc}, {"on", on}, {"reason", reason}};
  if (auto st = uow.Publish("credit.record.publicity_ended", r.Id(), p.dump()); !st.ok()) return st;
  if (scoring != nullptr) {
    auto s = scoring->Rescore(uow, {r.uscc});
    if (!s.ok()) return s.status();
  }
  return Status::Ok();
}

Status WithdrawRecord(UnitOfWork& uow, Scoring* scoring, const std::string& kind, const std::string& ref,
                      const std::string& on, const std::string& reason) {
  Sql& sql = uow.sql();
  if (auto st = CheckDate("on", on); !st.ok()) return st;
  if (reason.empty()) return FieldRefuse("reason", "缺失", "is missing");
  if (auto st = CheckText("reason", reason, 500); !st.ok()) return st;
  auto found = LoadRecord(sql, kind, ref);
  if (!found.ok()) return found.status();
  if (!found.value())
    return Status::Error(StatusCode::kNotFound, "没有记录 " + kind + "/" + ref, "no record " + kind + "/" + ref);
  CreditRecord r = *found.value();
  if (!r.withdrawn_on.empty())
    return Status::Error(StatusCode::kFailedPrecondition, "记录 " + r.Id() + " 已于 " + r.withdrawn_on + " 撤回",
                         "the record " + r.Id() + " was withdrawn on " + r.withdrawn_on);
  const std::string before = r.Digest();
  r.withdrawn_on = on;
  r.withdrawn_reason = reason;
  const std::string after = r.Digest();
  auto n = sql.Exec(
      "UPDATE credit_records SET withdrawn_on = ?, withdrawn_reason = ?, is_public = 0, digest = ?, updated_at_us = ? "
      "WHERE kind = ? AND ref = ?",
      {on, reason, after, uow.now_us(), kind, ref});
  if (!n.ok()) return n.status();
  if (auto st = uow.Audit({"credit.record.withdraw", "credit_record", r.Id(), before, after}); !st.ok()) return st;
  json p = {{"record", r.Id()}, {"uscc", r.uscc}, {"on", on}, {"reason", reason}};
  if (auto st = uow.Publish("credit.record.withdrawn", r.Id(), p.dump()); !st.ok()) return st;
  if (scoring != nullptr) {
    auto s = scoring->Rescore(uow, {r.uscc});
    if (!s.ok()) return s.status();
  }
  return Status::Ok();
}

}  // namespace xj::credit
