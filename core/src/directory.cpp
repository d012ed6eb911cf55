#include "directory.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>

#include "hash.h"
#include "identifiers.h"
#include "regions.h"
#include "text.h"

namespace xj {
namespace {

// ---- specs ---------------------------------------------------------------------------
const KindSpec kDepartments{DirectoryKind::kDepartments, "departments",
                            {{"code", "code", true}, {"name", "name", true}, {"level", "level", true},
                             {"jurisdiction", "jurisdiction", false}},
                            {0}};
const KindSpec kSubjects{DirectoryKind::kSubjects, "subjects",
                         {{"uscc", "uscc", true}, {"name", "name", true}, {"type", "type", true},
                          {"region", "region", true}, {"industry", "industry", false},
                          {"registered_on", "registered_on", true}, {"status", "status", true},
                          {"risk_class", "risk_class", false}, {"labels", "labels", false},
                          {"address", "address", false}},
                         {0}};
const KindSpec kInspectors{DirectoryKind::kInspectors, "inspectors",
                           {{"id", "id", true}, {"name", "name", true}, {"department", "department", true},
                            {"unit", "unit", false}, {"office_region", "office_region", true},
                            {"certificate_no", "certificate_no", true},
                            {"certificate_expires", "certificate_expires", true},
                            {"qualifications", "qualifications", false}, {"expert", "expert", true},
                            {"status", "status", true}, {"id_number", "id_number_masked", false}},
                           {0}};
const KindSpec kItems{DirectoryKind::kItems, "items",
                      {{"code", "code", true}, {"name", "name", true}, {"department", "department", true},
                       {"legal_basis", "legal_basis", true}, {"class", "class", true},
                       {"ratio_min", "ratio_min_ppm", false}, {"ratio_max", "ratio_max_ppm", false},
                       {"frequency_per_year", "frequency_per_year", true}, {"target_types", "target_types", false},
                       {"target_labels", "target_labels", false}, {"qualification", "qualification", false}},
                      {0}};
const KindSpec kRelations{DirectoryKind::kRelations, "relations",
                          {{"inspector_id", "inspector_id", true}, {"uscc", "uscc", true},
                           {"relation", "relation", true}, {"note", "note", false}},
                          {0, 1, 2}};

// ---- validators ----------------------------------------------------------------------
struct Ctx {
  std::vector<FieldError>* errors;
  const std::string* today;
  void Fail(const char* column, std::string_view value, const std::string& zh, const std::string& en) {
    std::string v(value);
    if (std::string_view(column) == "id_number") v = ids::MaskResidentId(v);
    errors->push_back({column, v, zh, en});
  }
};

// Text: trimmed, valid UTF-8 (guaranteed by the readers), bounded length, no control
// characters (multi-line fields may hold LF).
bool CheckText(Ctx& c, const char* col, std::string_view v, std::size_t max_chars, bool multiline = false) {
  if (multiline ? text::HasControlCharExceptWhitespace(v) : text::HasControlChar(v)) {
    c.Fail(col, v, "含有控制字符", "contains a control character");
    return false;
  }
  if (!text::IsValidUtf8(v)) {
    c.Fail(col, v, "不是有效的 UTF-8 文本", "is not valid UTF-8");
    return false;
  }
  std::size_t n = text::CodePointCount(v);
  if (n > max_chars) {
    c.Fail(col, v, "长度 " + std::to_string(n) + " 超过上限 " + std::to_string(max_chars),
           "length " + std::to_string(n) + " exceeds the limit of " + std::to_string(max_chars));
    return false;
  }
  return true;
}

bool CheckEnum(Ctx& c, const char* col, std::string_view v, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed)
    if (v == a) return true;
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : "|") + std::string(a);
  c.Fail(col, v, "取值无效，应为 " + list, "invalid value, expected " + list);
  return false;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool CheckDate(Ctx& c, const char* col, std::string_view v) {
  bool shape = v.size() == 10 && v[4] == '-' && v[7] == '-';
  for (std::size_t i = 0; shape && i < 10; ++i)
    if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9')) shape = false;
  if (!shape) {
    c.Fail(col, v, "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD");
    return false;
  }
  int y = std::stoi(std::string(v.substr(0, 4))), m = std::stoi(std::string(v.substr(5, 2))),
      d = std::stoi(std::string(v.substr(8, 2)));
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0)) {
    c.Fail(col, v, "日期不存在", "no such date");
    return false;
  }
  return true;
}

// A ';'-separated list: each element trimmed, non-empty, bounded; duplicates dropped;
// stored joined by ';' in the order given.
bool NormaliseList(Ctx& c, const char* col, std::string_view v, std::size_t max_items, std::size_t max_chars,
                   std::string* out, const std::vector<std::string_view>* allowed = nullptr) {
  out->clear();
  std::vector<std::string_view> seen;
  std::size_t start = 0;
  std::size_t count = 0;
  while (start <= v.size()) {
    std::size_t end = v.find(';', start);
    if (end == std::string_view::npos) end = v.size();
    std::string_view item = text::Trim(v.substr(start, end - start));
    start = end + 1;
    if (item.empty()) {
      if (end == v.size()) break;
      continue;
    }
    if (!CheckText(c, col, item, max_chars)) return false;
    if (allowed && std::find(allowed->begin(), allowed->end(), item) == allowed->end()) {
      std::string list;
      for (auto a : *allowed) list += (list.empty() ? "" : "|") + std::string(a);
      c.Fail(col, v, "列表中的 '" + std::string(item) + "' 无效，应为 " + list,
             "'" + std::string(item) + "' in the list is invalid, expected " + list);
      return false;
    }
    if (std::find(seen.begin(), seen.end(), item) != seen.end()) continue;
    seen.push_back(item);
    if (++count > max_items) {
      c.Fail(col, v, "列表项超过 " + std::to_string(max_items) + " 个", "more than " + std::to_string(max_items) + " items");
      return false;
    }
    if (!out->empty()) *out += ';';
    out->append(item);
  }
  return true;
}

bool CheckCode(Ctx& c, const char* col, std::string_view v, std::size_t max_len, bool allow_lower) {
  bool ok = !v.empty() && v.size() <= max_len;
  for (char ch : v) {
    bool good = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
                (allow_lower && ch >= 'a' && ch <= 'z');
    ok = ok && good;
  }
  if (!ok) {
    c.Fail(col, v,
           std::string("编码应为 1–") + std::to_string(max_len) + " 个" + (allow_lower ? "字母、" : "大写字母、") + "数字或 -_.",
           "code must be 1-" + std::to_string(max_len) + (allow_lower ? " letters" : " upper-case letters") + ", digits or -_.");
  }
  return ok;
}

bool CheckRegion(Ctx& c, const char* col, std::string_view v) {
  Status s = RegionTable::Builtin().Validate(v);
  if (!s.ok()) {
    auto slash = s.message().find(" / ");
    c.Fail(col, v, s.message().substr(0, slash), slash == std::string::npos ? s.message() : s.message().substr(slash + 3));
    return false;
  }
  return true;
}

void FailStatus(Ctx& c, const char* col, std::string_view v, const Status& s) {
  auto slash = s.message().find(" / ");
  c.Fail(col, v, s.message().substr(0, slash), slash == std::string::npos ? s.message() : s.message().substr(slash + 3));
}

// The subject types (xinjian/directory.h), as NormaliseList takes them.
const std::vector<std::string_view> kSubjectTypeList(std::begin(kSubjectTypes), std::end(kSubjectTypes));

}  // namespace

Result<DirectoryKind> ParseDirectoryKind(std::string_view name) {
  if (name == "departments") return DirectoryKind::kDepartments;
  if (name == "subjects") return DirectoryKind::kSubjects;
  if (name == "inspectors") return DirectoryKind::kInspectors;
  if (name == "items") return DirectoryKind::kItems;
  if (name == "relations") return DirectoryKind::kRelations;
  return Status::Error(StatusCode::kInvalidArgument, "未知的名录类型 '" + std::string(name) + "'",
                       "unknown directory kind '" + std::string(name) +
                           "' (departments|subjects|inspectors|items|relations)");
}

const char* KindName(DirectoryKind k) { return SpecOf(k).table; }

const char* EntityName(DirectoryKind k) {
  switch (k) {
    case DirectoryKind::kDepartments: return "department";
    case DirectoryKind::kSubjects: return "subject";
    case DirectoryKind::kInspectors: return "inspector";
    case DirectoryKind::kItems: return "item";
    case DirectoryKind::kRelations: return "relation";
  }
  return "?";
}

const KindSpec& SpecOf(DirectoryKind k) {
  switch (k) {
    case DirectoryKind::kDepartments: return kDepartments;
    case DirectoryKind::kSubjects: return kSubjects;
    case DirectoryKind::kInspectors: return kInspectors;
    case DirectoryKind::kItems: return kItems;
    case DirectoryKind::kRelations: return kRelations;
  }
  return kSubjects;
}

std::vector<FieldError> ValidateRecord(DirectoryKind kind, const std::vector<std::optional<std::string>>& values,
                                       const std::string& today, Row* out) {
  std::vector<FieldError> errors;
  Ctx c{&errors, &today};
  const KindSpec& spec = SpecOf(kind);
  out->assign(spec.columns.size(), std::nullopt);
  // Presence and trimming first.
  std::vector<std::string_view> v(spec.columns.size());
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    const ColumnSpec& col = spec.columns[i];
    if (i < values.size() && values[i]) v[i] = text::Trim(*values[i]);
    if (col.required && v[i].empty()) c.Fail(col.name, v[i], "必填字段为空", "required field is empty");
  }
  if (!errors.empty()) return errors;
  auto set = [&](std::size_t i, std::string_view s) { (*out)[i] = std::string(s); };
  std::string tmp;
  switch (kind) {
    case DirectoryKind::kDepartments: {
      if (CheckCode(c, "code", v[0], 32, false)) set(0, v[0]);
      if (CheckText(c, "name", v[1], 100)) set(1, v[1]);
      if (CheckEnum(c, "level", v[2], {"province", "city", "county"})) set(2, v[2]);
      // Jurisdiction: region prefixes of 2, 4 or 6 digits naming a real region.
      std::string list;
      if (NormaliseList(c, "jurisdiction", v[3], 500, 6, &list)) {
        bool ok = true;
        std::size_t s = 0;
        while (ok && s < list.size()) {
          std::size_t e = list.find(';', s);
          if (e == std::string::npos) e = list.size();
          std::string p = list.substr(s, e - s);
          s = e + 1;
          std::string full = p + std::string(6 - std::min<std::size_t>(6, p.size()), '0');
          bool digits = std::all_of(p.begin(), p.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
          if (!digits || (p.size() != 2 && p.size() != 4 && p.size() != 6) || !RegionTable::Builtin().IsValid(full)) {
            c.Fail("jurisdiction", v[3], "辖区前缀 '" + p + "' 无效（应为 2、4 或 6 位行政区划代码前缀）",
                   "jurisdiction prefix '" + p + "' is invalid (a 2, 4 or 6 digit GB/T 2260 prefix)");
            ok = false;
          }
        }
        if (ok) set(3, list);
      }
      break;
    }
    case DirectoryKind::kSubjects: {
      if (Status s = ids::ValidateUscc(v[0]); s.ok()) set(0, v[0]); else FailStatus(c, "uscc", v[0], s);
      if (CheckText(c, "name", v[1], 200)) set(1, v[1]);
      if (CheckEnum(c, "type", v[2], {"enterprise", "individual", "intermediary", "social_org", "public_institution"})) set(2, v[2]);
      if (CheckRegion(c, "region", v[3])) set(3, v[3]);
      if (!v[4].empty()) {
        if (Status s = ids::ValidateIndustry(v[4]); s.ok()) set(4, v[4]); else FailStatus(c, "industry", v[4], s);
      }
      if (CheckDate(c, "registered_on", v[5])) {
        if (std::string(v[5]) > today)
          c.Fail("registered_on", v[5], "登记日期晚于今天", "registration date is in the future");
        else
          set(5, v[5]);
      }
      if (CheckEnum(c, "status", v[6], {"active", "suspended", "revoked", "deregistered"})) set(6, v[6]);
      if (!v[7].empty() && CheckEnum(c, "risk_class", v[7], {"A", "B", "C", "D"})) set(7, v[7]);
      if (NormaliseList(c, "labels", v[8], 20, 50, &tmp)) set(8, tmp);
      if (!v[9].empty() && CheckText(c, "address", v[9], 300, true)) set(9, v[9]);
      break;
    }
    case DirectoryKind::kInspectors: {
      if (CheckCode(c, "id", v[0], 32, true)) set(0, v[0]);
      if (CheckText(c, "name", v[1], 50)) set(1, v[1]);
      if (CheckCode(c, "department", v[2], 32, false)) set(2, v[2]);
      if (CheckText(c, "unit", v[3], 100)) set(3, v[3]);
      if (CheckRegion(c, "office_region", v[4])) set(4, v[4]);
      if (CheckText(c, "certificate_no", v[5], 50)) set(5, v[5]);
      if (CheckDate(c, "certificate_expires", v[6])) set(6, v[6]);
      if (NormaliseList(c, "qualifications", v[7], 30, 50, &tmp)) set(7, tmp);
      if (CheckEnum(c, "expert", v[8], {"0", "1"})) set(8, v[8]);
      if (CheckEnum(c, "status", v[9], {"active", "inactive"})) set(9, v[9]);
      if (!v[10].empty()) {
        // Stored masked only: the full number never reaches the database.
        if (Status s = ids::ValidateResidentId(v[10]); s.ok()) set(10, ids::MaskResidentId(v[10]));
        else FailStatus(c, "id_number", v[10], s);
      }
      break;
    }
    case DirectoryKind::kItems: {
      if (CheckCode(c, "code", v[0], 64, true)) set(0, v[0]);
      if (CheckText(c, "name", v[1], 200)) set(1, v[1]);
      if (CheckCode(c, "department", v[2], 32, false)) set(2, v[2]);
      if (CheckText(c, "legal_basis", v[3], 1000, true)) set(3, v[3]);
      bool cls_ok = CheckEnum(c, "class", v[4], {"key", "general"});
      if (cls_ok) set(4, v[4]);
      std::optional<long long> mn, mx;
      for (std::size_t i : {5u, 6u}) {
        if (v[i].empty()) continue;
        Result<long long> p = PercentToPpm(v[i]);
        if (!p.ok()) {
          FailStatus(c, spec.columns[i].name, v[i], p.status());
          continue;
        }
        (i == 5 ? mn : mx) = p.value();
        set(i, std::to_string(p.value()));
      }
      // Rules between the ratios and the class; a ratio the record did not carry keeps its
      // stored value, so the importer checks those records after merging
      // (CheckRecordConsistency).
      const bool carried = values.size() > 6 && values[5] && values[6];
      if (carried && mn && mx && *mn > *mx)
        c.Fail("ratio_min", v[5], "最低比例大于最高比例", "ratio_min is greater than ratio_max");
      if (carried && cls_ok && v[4] == "general" && !mx)
        c.Fail("ratio_max", v[6], "一般事项必须设定最高抽查比例", "a general item must have a ratio_max");
      bool num = !v[7].empty() && v[7].size() <= 3 && std::all_of(v[7].begin(), v[7].end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      if (!num || std::stoi(std::string(v[7])) > 366)
        c.Fail("frequency_per_year", v[7], "每年频次应为 0–366 的整数", "frequency_per_year must be an integer 0-366");
      else
        set(7, std::to_string(std::stoi(std::string(v[7]))));
      if (NormaliseList(c, "target_types", v[8], 5, 20, &tmp, &kSubjectTypeList)) set(8, tmp);
      if (NormaliseList(c, "target_labels", v[9], 20, 50, &tmp)) set(9, tmp);
      if (CheckText(c, "qualification", v[10], 50)) set(10, v[10]);
      break;
    }
    case DirectoryKind::kRelations: {
      if (CheckCode(c, "inspector_id", v[0], 32, true)) set(0, v[0]);
      if (Status s = ids::ValidateUscc(v[1]); s.ok()) set(1, v[1]); else FailStatus(c, "uscc", v[1], s);
      if (CheckEnum(c, "relation", v[2], {"spouse", "relative", "former_employer", "shareholding", "other"})) set(2, v[2]);
      if (CheckText(c, "note", v[3], 500, true)) set(3, v[3]);
      break;
    }
  }
  // Columns stored as NOT NULL DEFAULT '' keep '' rather than NULL.
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    std::string_view col = spec.columns[i].db_column;
    bool empty_text = col == "labels" || col == "unit" || col == "qualifications" || col == "target_types" ||
                      col == "target_labels" || col == "qualification" || col == "note" || col == "jurisdiction";
    if (empty_text && !(*out)[i] && errors.empty()) (*out)[i] = std::string();
  }
  return errors;
}

std::vector<FieldError> CheckRecordConsistency(DirectoryKind kind, const Row& row) {
  std::vector<FieldError> errors;
  if (kind != DirectoryKind::kItems || row.size() < 7) return errors;
  auto num = [](const Cell& c) -> std::optional<long long> {
    if (!c || c->empty()) return std::nullopt;
    try {
      return std::stoll(*c);
    } catch (...) {
      return std::nullopt;
    }
  };
  auto pct = [](long long ppm) {
    std::string s = std::to_string(ppm / 10000);
    if (long long f = ppm % 10000) {
      std::string d = std::to_string(f);
      d = std::string(4 - d.size(), '0') + d;
      while (d.back() == '0') d.pop_back();
      s += "." + d;
    }
    return s;
  };
  std::optional<long long> mn = num(row[5]), mx = num(row[6]);
  if (mn && mx && *mn > *mx)
    errors.push_back({"ratio_min", pct(*mn), "最低比例大于最高比例（" + pct(*mx) + "）",
                      "ratio_min is greater than ratio_max (" + pct(*mx) + ")"});
  if (row[4] && *row[4] == "general" && !mx)
    errors.push_back({"ratio_max", "", "一般事项必须设定最高抽查比例", "a general item must have a ratio_max"});
  return errors;
}

namespace {
inline bool NeedsEscape(char c) { return c == '\\' || c == '\t' || c == '\n' || c == '\r'; }
}  // namespace

std::string CanonicalRow(DirectoryKind kind, const Row& row) {
  std::string s = EntityName(kind);
  std::size_t n = s.size();
  for (const Cell& cell : row) n += 1 + (cell ? cell->size() : 2);
  s.reserve(n + 16);
  for (const Cell& cell : row) {
    s += '\t';
    if (!cell) {
      s += "\\N";
      continue;
    }
    // Copy runs without a character to escape in one go.
    std::string_view v = *cell;
    for (;;) {
      std::size_t e = 0;
      while (e < v.size() && !NeedsEscape(v[e])) ++e;
      if (e == v.size()) {
        s.append(v);
        break;
      }
      s.append(v.substr(0, e));
      switch (v[e]) {
        case '\\': s += "\\\\"; break;
        case '\t': s += "\\t"; break;
        case '\n': s += "\\n"; break;
        default: s += "\\r"; break;
      }
      v.remove_prefix(e + 1);
    }
  }
  return s;
}

std::string RowDigest(DirectoryKind kind, const Row& row) { return Sha256Hex(CanonicalRow(kind, row)); }

std::string RowKey(DirectoryKind kind, const Row& row) {
  std::string k;
  const KindSpec& spec = SpecOf(kind);
  for (std::size_t i = 0; i < spec.key.size(); ++i) {
    if (i) k += '\t';
    k += row[spec.key[i]].value_or("");
  }
  return k;
}

}  // namespace xj
