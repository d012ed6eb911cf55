// Parsing and validation of task specs. See task_spec.h.
#include "task_spec.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "draw_data.h"
#include "xinjian/directory.h"
#include "xinjian/text.h"

namespace xj::draw {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxSpecBytes = 1 << 20;
constexpr std::size_t kMaxList = 10000;
constexpr std::size_t kMaxText = 500;  // code points

Status FieldError(const std::string& field, const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, "任务说明字段 " + field + "：" + zh,
                       "task spec field " + field + ": " + en);
}

// A short, printable rendering of a JSON value for messages.
std::string Shown(const json& v) {
  std::string s = v.dump(-1, ' ', true, json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

Status CheckText(const std::string& field, const std::string& s, bool allow_empty, std::size_t max_cp = kMaxText) {
  if (s.empty() && !allow_empty) return FieldError(field, "不能为空", "must not be empty");
  if (!utf8::IsValid(s)) return FieldError(field, "不是有效的 UTF-8", "is not valid UTF-8");
  if (utf8::HasControlChar(s)) return FieldError(field, "含有控制字符（制表符、换行等）", "contains a control character (tab, newline...)");
  if (utf8::CodePointCount(s) > max_cp)
    return FieldError(field, "超过 " + std::to_string(max_cp) + " 个字符", "is longer than " + std::to_string(max_cp) + " characters");
  return Status::Ok();
}

Result<std::string> GetString(const json& obj, const char* key, const std::string& field, bool required,
                              bool allow_empty = false, std::size_t max_cp = kMaxText) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return FieldError(field, "缺少必填字段", "is required");
    return std::string();
  }
  if (!it->is_string()) return FieldError(field, "须为字符串，实际为 " + Shown(*it), "must be a string, got " + Shown(*it));
  std::string s = it->get<std::string>();
  if (auto st = CheckText(field, s, allow_empty || !required, max_cp); !st.ok()) return st;
  return s;
}

Result<std::vector<std::string>> GetStringList(const json& obj, const char* key, const std::string& field,
                                               std::size_t max_cp = 64) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return FieldError(field, "须为字符串数组", "must be an array of strings");
  if (it->size() > kMaxList)
    return FieldError(field, "最多 " + std::to_string(kMaxList) + " 项", "has more than " + std::to_string(kMaxList) + " entries");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    const json& v = (*it)[i];
    if (!v.is_string()) return FieldError(f, "须为字符串，实际为 " + Shown(v), "must be a string, got " + Shown(v));
    std::string s = v.get<std::string>();
    if (auto st = CheckText(f, s, false, max_cp); !st.ok()) return st;
    if (!seen.insert(s).second) return FieldError(f, "重复：" + s, "duplicate: " + s);
    out.push_back(std::move(s));
  }
  return out;
}

bool ValidDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  const int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

Result<std::string> GetDate(const json& obj, const char* key, const std::string& field) {
  auto s = GetString(obj, key, field, false);
  if (!s.ok()) return s.status();
  if (!s.value().empty() && !ValidDate(s.value()))
    return FieldError(field, "日期应为 YYYY-MM-DD 且存在，实际为 " + s.value(),
                      "must be an existing date YYYY-MM-DD, got " + s.value());
  return s;
}

Result<bool> GetBool(const json& obj, const char* key, const std::string& field, bool fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return FieldError(field, "须为 true 或 false，实际为 " + Shown(*it), "must be true or false, got " + Shown(*it));
  return it->get<bool>();
}

Result<std::uint64_t> GetCount(const json& v, const std::string& field, std::uint64_t max) {
  if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0))
    return FieldError(field, "须为非负整数，实际为 " + Shown(v), "must be a non-negative integer, got " + Shown(v));
  const std::uint64_t n = v.get<std::uint64_t>();
  if (n > max) return FieldError(field, "不能超过 " + std::to_string(max), "must not exceed " + std::to_string(max));
  return n;
}

// A percentage given as a JSON number or string, up to 4 decimals, turned into ppm exactly.
Result<std::uint32_t> GetPercent(const json& v, const std::string& field) {
  std::string text;
  if (v.is_string()) {
    text = v.get<std::string>();
  } else if (v.is_number_unsigned() || v.is_number_integer()) {
    text = v.dump();
  } else if (v.is_number_float()) {
    // nlohmann prints the shortest text that reads back as the same double ("0.1", "12.5"),
    // which is the decimal the author wrote for any percentage with at most 4 decimals.
    text = v.dump();
  } else {
    return FieldError(field, "须为百分比（数字或字符串，如 3 或 \"12.5\"），实际为 " + Shown(v),
                      "must be a percentage (number or string, e.g. 3 or \"12.5\"), got " + Shown(v));
  }
  auto ppm = PercentToPpm(text);
  if (!ppm.ok()) {
    const std::string m = ppm.status().message();
    const auto sep = m.find(" / ");
    return FieldError(field, m.substr(0, sep) + "：" + text, (sep == std::string::npos ? m : m.substr(sep + 3)) + ": " + text);
  }
  return static_cast<std::uint32_t>(ppm.value());
}

// A list code (xinjian/list_policy.h): [a-z][a-z0-9_]*, at most 48 characters.
bool ListCodeOk(const std::string& c) {
  if (c.empty() || c.size() > 48 || !(c[0] >= 'a' && c[0] <= 'z')) return false;
  for (char ch : c)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  return true;
}

Result<StrataKind> ParseStrata(const std::string& s, const std::string& field) {
  if (s.empty() || s == "none") return StrataKind::kNone;
  if (s == "risk_class") return StrataKind::kRiskClass;
  if (s == "region") return StrataKind::kRegion;
  if (s == "label") return StrataKind::kLabel;
  if (s == "listing") return StrataKind::kListing;
  return FieldError(field, "须为 risk_class、region、label、listing 或 none，实际为 " + s,
                    "must be risk_class, region, label, listing or none, got " + s);
}

Status CheckKeys(const json& obj, const std::string& field, std::initializer_list<const char*> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || it.key() == a;
    if (!ok) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      const std::string f = field.empty() ? it.key() : field + "." + it.key();
      return FieldError(f, "未知字段（可用：" + list + "）", "unknown field (known: " + list + ")");
    }
  }
  return Status::Ok();
}

Result<RatioRule> ParseRatioMaps(const json& r, const std::string& field) {
  RatioRule rule;
  const json& pct = r["ratio_percent"];
  if (!pct.is_object() || pct.empty())
    return FieldError(field + ".ratio_percent", "须为非空对象，如 {\"A\": 1, \"*\": 3}",
                      "must be a non-empty object, e.g. {\"A\": 1, \"*\": 3}");
  for (auto it = pct.begin(); it != pct.end(); ++it) {
    const std::string f = field + ".ratio_percent." + it.key();
    if (auto st = CheckText(f, it.key(), true, 64); !st.ok()) return st;
    auto ppm = GetPercent(it.value(), f);
    if (!ppm.ok()) return ppm.status();
    rule.ppm[it.key()] = ppm.value();
  }
  for (const char* bound : {"min", "max"}) {
    auto it = r.find(bound);
    if (it == r.end() || it->is_null()) continue;
    const std::string f = field + "." + bound;
    if (!it->is_object()) return FieldError(f, "须为对象 {分层: 个数}", "must be an object {stratum: count}");
    for (auto jt = it->begin(); jt != it->end(); ++jt) {
      const std::string ff = f + "." + jt.key();
      if (jt.key() == "*") return FieldError(ff, "min/max 须逐层给出，不能用 *", "min and max are per stratum, not \"*\"");
      if (auto st = CheckText(ff, jt.key(), true, 64); !st.ok()) return st;
      auto n = GetCount(jt.value(), ff, 100000000);
      if (!n.ok()) return n.status();
      (std::string(bound) == "min" ? rule.min : rule.max)[jt.key()] = n.value();
    }
  }
  for (const auto& [label, mn] : rule.min) {
    auto mx = rule.max.find(label);
    if (mx != rule.max.end() && mx->second < mn)
      return FieldError(field + ".min." + label, "大于 max", "is greater than max");
  }
  return rule;
}

Result<Slot> ParseSlot(const json& v, const std::string& field) {
  if (!v.is_object()) return FieldError(field, "须为对象 {\"group\": 部门代码, \"count\": 人数}", "must be an object {\"group\": department, \"count\": n}");
  if (auto st = CheckKeys(v, field, {"group", "count"}); !st.ok()) return st;
  auto g = GetString(v, "group", field + ".group", true, false, 64);
  if (!g.ok()) return g.status();
  auto c = v.find("count");
  if (c == v.end()) return FieldError(field + ".count", "缺少必填字段", "is required");
  auto n = GetCount(*c, field + ".count", 50);
  if (!n.ok()) return n.status();
  if (n.value() == 0) return FieldError(field + ".count", "须至少为 1", "must be at least 1");
  return Slot{g.value(), static_cast<std::uint32_t>(n.value())};
}

}  // namespace

const char* OpenTasksName(OpenTasks o) {
  switch (o) {
    case OpenTasks::kNone:
      return "none";
    case OpenTasks::kAll:
      return "all";
    case OpenTasks::kOwn:
      break;
  }
  return "own";
}

const char* StrataName(StrataKind k) {
  switch (k) {
    case StrataKind::kNone: return "none";
    case StrataKind::kRiskClass: return "risk_class";
    case StrataKind::kRegion: return "region";
    case StrataKind::kLabel: return "label";
    case StrataKind::kListing: return "listing";
  }
  return "none";
}

const RatioPresets& BuiltinRatioPresets() {
  static const RatioPresets presets = [] {
    RatioPresets out;
    const json j = json::parse(kRatioPresetsJson);
    for (auto it = j.begin(); it != j.end(); ++it) {
      RatioPreset p;
      auto s = ParseStrata(it.value().value("strata", "none"), "strata");
      p.strata = s.ok() ? s.value() : StrataKind::kNone;
      auto r = ParseRatioMaps(it.value(), it.key());
      if (!r.ok()) throw std::logic_error("bad built-in ratio preset " + it.key() + ": " + r.status().message());
      p.rule = r.value();
      p.source = it.value().value("source", "");
      out.emplace(it.key(), std::move(p));
    }
    return out;
  }();
  return presets;
}

Status CheckRegionCodes(const std::vector<std::string>& regions, const RegionCodes& codes) {
  for (std::size_t i = 0; i < regions.size(); ++i) {
    std::string full = regions[i];
    if (full.size() < 6) full.resize(6, '0');
    if (!codes.IsValid(full))
      return FieldError("filters.regions[" + std::to_string(i) + "]", "GB/T 2260 表中没有该区划：" + regions[i],
                        "no such region in GB/T 2260: " + regions[i]);
  }
  return Status::Ok();
}

Result<TaskSpec> ParseTaskSpec(const std::string& text, const SpecOptions& options) {
  const RatioPresets& presets = options.presets != nullptr ? *options.presets : BuiltinRatioPresets();
  if (text.size() > kMaxSpecBytes)
    return Status::Error(StatusCode::kInvalidArgument, "任务说明文件超过 1 MiB", "the task spec is larger than 1 MiB");
  if (!utf8::IsValid(text))
    return Status::Error(StatusCode::kInvalidArgument, "任务说明不是有效的 UTF-8", "the task spec is not valid UTF-8");
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return Status::Error(StatusCode::kInvalidArgument, "任务说明不是有效的 JSON（字节 " + std::to_string(e.byte) + "）",
                         "the task spec is not valid JSON (byte " + std::to_string(e.byte) + ")");
  }
  if (!j.is_object())
    return Status::Error(StatusCode::kInvalidArgument, "任务说明须为 JSON 对象", "the task spec must be a JSON object");
  if (auto st = CheckKeys(j, "", {"id", "title", "department", "items", "filters", "exclusions", "strata", "strata_labels", "strata_listings",
                                  "region_digits", "rule", "team", "conflicts", "entropy", "entropy_source", "sampler", "replaces",
                                  "due_date", "participants", "scope", "$schema", "comment"});
      !st.ok())
    return st;

  TaskSpec s;
  auto id = GetString(j, "id", "id", false, true, 64);
  if (!id.ok()) return id.status();
  s.id = id.value();
  for (char ch : s.id) {
    const bool ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '-' ||
                    ch == '_' || ch == '.';
    if (!ok) return FieldError("id", "只能含字母、数字、- _ .，实际为 " + s.id, "may contain only letters, digits, - _ ., got " + s.id);
  }
  auto title = GetString(j, "title", "title", true, false, 200);
  if (!title.ok()) return title.status();
  s.title = title.value();
  auto dept = GetString(j, "department", "department", true, false, 64);
  if (!dept.ok()) return dept.status();
  s.department = dept.value();
  auto items = GetStringList(j, "items", "items");
  if (!items.ok()) return items.status();
  s.items = items.value();
  if (s.items.empty()) return FieldError("items", "至少需要一个抽查事项", "needs at least one item");
  auto participants = GetStringList(j, "participants", "participants");
  if (!participants.ok()) return participants.status();
  s.participants = participants.value();
  if (s.participants.size() > 16) return FieldError("participants", "参与部门最多 16 个", "at most 16 participating departments");
  for (std::size_t i = 0; i < s.participants.size(); ++i) {
    const std::string& p = s.participants[i];
    const std::string field = "participants[" + std::to_string(i) + "]";
    if (p.empty() || p.size() > 64) return FieldError(field, "部门代码须为 1–64 个字符", "a department code of 1 to 64 characters");
    if (p == s.department)
      return FieldError(field, "发起部门 " + p + " 不必列为参与部门", "the initiating department " + p + " is not a participant");
    if (std::find(s.participants.begin(), s.participants.begin() + static_cast<std::ptrdiff_t>(i), p) !=
        s.participants.begin() + static_cast<std::ptrdiff_t>(i))
      return FieldError(field, "参与部门重复：" + p, "participating department listed twice: " + p);
  }
  auto scope = GetString(j, "scope", "scope", false, true, 16);
  if (!scope.ok()) return scope.status();
  if (scope.value() == "any_item") {
    s.scope = TaskSpec::Scope::kAnyItem;
  } else if (!scope.value().empty() && scope.value() != "all_items") {
    return FieldError("scope", "须为 all_items（每个事项都适用的对象）或 any_item（任一事项适用的对象），实际为 " + scope.value(),
                      "must be all_items (subjects in scope of every item) or any_item (of any item), got " + scope.value());
  }

  if (auto it = j.find("filters"); it != j.end() && !it->is_null()) {
    const json& f = *it;
    if (!f.is_object()) return FieldError("filters", "须为对象", "must be an object");
    if (auto st = CheckKeys(f, "filters", {"regions", "types", "industries", "labels", "listings", "not_listings", "registered_before", "status"}); !st.ok())
      return st;
    auto regions = GetStringList(f, "regions", "filters.regions");
    if (!regions.ok()) return regions.status();
    for (std::size_t i = 0; i < regions.value().size(); ++i) {
      const std::string& r = regions.value()[i];
      const bool digits = std::all_of(r.begin(), r.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || r.size() < 2 || r.size() > 6 || r.size() % 2 != 0)
        return FieldError("filters.regions[" + std::to_string(i) + "]", "须为 2、4 或 6 位 GB/T 2260 代码前缀，实际为 " + r,
                          "must be a GB/T 2260 prefix of 2, 4 or 6 digits, got " + r);
    }
    if (options.regions != nullptr)
      if (auto st = CheckRegionCodes(regions.value(), *options.regions); !st.ok()) return st;
    s.filters.regions = regions.value();
    auto types = GetStringList(f, "types", "filters.types");
    if (!types.ok()) return types.status();
    for (std::size_t i = 0; i < types.value().size(); ++i) {
      static const std::set<std::string> kTypes{"enterprise", "individual", "intermediary", "social_org", "public_institution"};
      if (!kTypes.count(types.value()[i]))
        return FieldError("filters.types[" + std::to_string(i) + "]",
                          "须为 enterprise、individual、intermediary、social_org 或 public_institution，实际为 " + types.value()[i],
                          "must be enterprise, individual, intermediary, social_org or public_institution, got " +
                              types.value()[i]);
    }
    s.filters.types = types.value();
    auto inds = GetStringList(f, "industries", "filters.industries", 8);
    if (!inds.ok()) return inds.status();
    s.filters.industries = inds.value();
    auto labels = GetStringList(f, "labels", "filters.labels");
    if (!labels.ok()) return labels.status();
    s.filters.labels = labels.value();
    for (const char* key : {"listings", "not_listings"}) {
      auto codes = GetStringList(f, key, std::string("filters.") + key);
      if (!codes.ok()) return codes.status();
      for (std::size_t i = 0; i < codes.value().size(); ++i)
        if (!ListCodeOk(codes.value()[i]))
          return FieldError(std::string("filters.") + key + "[" + std::to_string(i) + "]",
                            "须为名单代码（小写字母开头的小写字母、数字和下划线，至多 48 个字符），实际为 " + codes.value()[i],
                            "must be a list code ([a-z][a-z0-9_]*, at most 48 characters), got " + codes.value()[i]);
      (std::string(key) == "listings" ? s.filters.listings : s.filters.not_listings) = codes.value();
    }
    auto before = GetDate(f, "registered_before", "filters.registered_before");
    if (!before.ok()) return before.status();
    s.filters.registered_before = before.value();
    if (auto st = f.find("status"); st != f.end() && !(st->is_string() && *st == "active"))
      return FieldError("filters.status", "只能抽取存续（active）的对象", "only active subjects can be drawn");
  }

  if (auto it = j.find("exclusions"); it != j.end() && !it->is_null()) {
    const json& e = *it;
    if (!e.is_object()) return FieldError("exclusions", "须为对象", "must be an object");
    if (auto st = CheckKeys(e, "exclusions", {"same_item_within_days", "open_tasks"}); !st.ok()) return st;
    if (auto d = e.find("same_item_within_days"); d != e.end()) {
      if (d->is_string() && *d == "calendar_year") {
        s.exclusions.same_item_within_days.reset();
      } else {
        auto n = GetCount(*d, "exclusions.same_item_within_days", 3660);
        if (!n.ok()) return n.status();
        s.exclusions.same_item_within_days = static_cast<std::uint32_t>(n.value());
      }
    }
    if (auto o = e.find("open_tasks"); o != e.end() && !o->is_null()) {
      if (o->is_boolean()) {
        s.exclusions.open_tasks = o->get<bool>() ? OpenTasks::kOwn : OpenTasks::kNone;
      } else if (o->is_string() && (*o == "own" || *o == "all" || *o == "none")) {
        s.exclusions.open_tasks = *o == "own" ? OpenTasks::kOwn : *o == "all" ? OpenTasks::kAll : OpenTasks::kNone;
      } else {
        return FieldError("exclusions.open_tasks",
                          "须为 \"own\"（默认：本部门及相同事项的未揭示任务）、\"all\"（所有部门的未揭示任务）、"
                          "\"none\"、true（同 \"own\"）或 false（同 \"none\"），实际为 " +
                              Shown(*o),
                          "must be \"own\" (the default: open tasks of the same department or item), \"all\" (every "
                          "department's open tasks), \"none\", true (\"own\") or false (\"none\"), got " +
                              Shown(*o));
      }
    }
  }

  auto strata_text = GetString(j, "strata", "strata", false, true, 32);
  if (!strata_text.ok()) return strata_text.status();
  auto strata = ParseStrata(strata_text.value(), "strata");
  if (!strata.ok()) return strata.status();
  s.strata = strata.value();
  auto slabels = GetStringList(j, "strata_labels", "strata_labels");
  if (!slabels.ok()) return slabels.status();
  s.strata_labels = slabels.value();
  if (s.strata == StrataKind::kLabel && s.strata_labels.empty())
    return FieldError("strata_labels", "按标签分层时须列出标签", "must list the labels when strata is label");
  if (s.strata != StrataKind::kLabel && !s.strata_labels.empty())
    return FieldError("strata_labels", "仅在 strata 为 label 时使用", "is only used when strata is label");
  auto slistings = GetStringList(j, "strata_listings", "strata_listings");
  if (!slistings.ok()) return slistings.status();
  s.strata_listings = slistings.value();
  for (std::size_t i = 0; i < s.strata_listings.size(); ++i)
    if (!ListCodeOk(s.strata_listings[i]) || s.strata_listings[i] == "other")
      return FieldError("strata_listings[" + std::to_string(i) + "]",
                        "须为名单代码（小写字母开头的小写字母、数字和下划线，至多 48 个字符，不能是 other），实际为 " + s.strata_listings[i],
                        "must be a list code ([a-z][a-z0-9_]*, at most 48 characters, not 'other'), got " + s.strata_listings[i]);
  if (s.strata == StrataKind::kListing && s.strata_listings.empty())
    return FieldError("strata_listings", "按名单分层时须列出名单", "must list the lists when strata is listing");
  if (s.strata != StrataKind::kListing && !s.strata_listings.empty())
    return FieldError("strata_listings", "仅在 strata 为 listing 时使用", "is only used when strata is listing");
  if (auto it = j.find("region_digits"); it != j.end() && !it->is_null()) {
    if (!(it->is_number_integer() && (*it == 4 || *it == 6)))
      return FieldError("region_digits", "须为 4（地市）或 6（县区）", "must be 4 (prefecture) or 6 (county)");
    s.region_digits = it->get<int>();
  }

  // The rule: {"ratio_percent": {...}, "min": {...}, "max": {...}}, {"count": N} or
  // {"preset": "henan-2020"}; absent with risk_class strata: the configured default preset.
  const json* rule = nullptr;
  if (auto it = j.find("rule"); it != j.end() && !it->is_null()) rule = &*it;
  auto use_preset = [&](const std::string& name, const std::string& field) -> Status {
    auto p = presets.find(name);
    if (p == presets.end()) {
      std::string list;
      for (const auto& [n, v] : presets) list += (list.empty() ? "" : ", ") + n;
      return FieldError(field, "没有名为 " + name + " 的比例预设（可用：" + list + "）",
                        "no ratio preset named " + name + " (known: " + list + ")");
    }
    if (p->second.strata != s.strata)
      return FieldError(field, "比例预设 " + name + " 须配合 strata = " + StrataName(p->second.strata),
                        "the ratio preset " + name + " needs strata = " + StrataName(p->second.strata));
    s.rule = p->second.rule;
    s.rule_preset = name;
    return Status::Ok();
  };
  if (rule == nullptr) {
    if (s.strata != StrataKind::kRiskClass)
      return FieldError("rule", "缺少抽取规则（ratio_percent、count 或 preset）", "is required (ratio_percent, count or preset)");
    if (auto st = use_preset(options.default_preset, "rule"); !st.ok()) return st;
  } else {
    if (!rule->is_object()) return FieldError("rule", "须为对象", "must be an object");
    if (auto st = CheckKeys(*rule, "rule", {"ratio_percent", "min", "max", "count", "preset"}); !st.ok()) return st;
    const int kinds = static_cast<int>(rule->contains("ratio_percent")) + static_cast<int>(rule->contains("count")) +
                      static_cast<int>(rule->contains("preset"));
    if (kinds != 1)
      return FieldError("rule", "须且只能给出 ratio_percent、count、preset 之一", "needs exactly one of ratio_percent, count, preset");
    if (rule->contains("count")) {
      if (rule->contains("min") || rule->contains("max"))
        return FieldError("rule", "count 规则不用 min/max", "a count rule takes no min or max");
      auto n = GetCount((*rule)["count"], "rule.count", 100000000);
      if (!n.ok()) return n.status();
      if (n.value() == 0) return FieldError("rule.count", "须至少为 1", "must be at least 1");
      s.rule = CountRule{n.value()};
    } else if (rule->contains("preset")) {
      if (!(*rule)["preset"].is_string()) return FieldError("rule.preset", "须为字符串", "must be a string");
      if (auto st = use_preset((*rule)["preset"].get<std::string>(), "rule.preset"); !st.ok()) return st;
    } else {
      auto r = ParseRatioMaps(*rule, "rule");
      if (!r.ok()) return r.status();
      s.rule = r.value();
    }
  }
  if (const auto* r = std::get_if<RatioRule>(&s.rule); r != nullptr && s.strata == StrataKind::kNone) {
    for (const auto& [label, ppm] : r->ppm) {
      (void)ppm;
      if (label != "*" && !label.empty())
        return FieldError("rule.ratio_percent." + label, "不分层时只能用 \"*\"", "use \"*\" when the task has no strata");
    }
  }

  const json* team = nullptr;
  if (auto it = j.find("team"); it != j.end() && !it->is_null()) team = &*it;
  if (team == nullptr) return FieldError("team", "缺少检查组配置（slots）", "is required (slots)");
  if (!team->is_object()) return FieldError("team", "须为对象", "must be an object");
  if (auto st = CheckKeys(*team, "team", {"slots", "expert"}); !st.ok()) return st;
  auto slots = team->find("slots");
  if (slots == team->end() || !slots->is_array() || slots->empty())
    return FieldError("team.slots", "须为非空数组，如 [{\"group\": \"SCJG\", \"count\": 2}]",
                      "must be a non-empty array, e.g. [{\"group\": \"SCJG\", \"count\": 2}]");
  if (slots->size() > 20) return FieldError("team.slots", "最多 20 个", "has more than 20 entries");
  std::uint32_t officers = 0;
  std::set<std::string> slot_groups;
  for (std::size_t i = 0; i < slots->size(); ++i) {
    auto slot = ParseSlot((*slots)[i], "team.slots[" + std::to_string(i) + "]");
    if (!slot.ok()) return slot.status();
    if (!slot_groups.insert(slot.value().group).second)
      return FieldError("team.slots[" + std::to_string(i) + "].group", "同一部门只能有一个名额项，请合并人数",
                        "one slot per department; add the counts together");
    officers += slot.value().count;
    s.slots.push_back(slot.value());
  }
  if (officers < options.min_team_size)
    return FieldError("team.slots",
                      "每组至少 " + std::to_string(options.min_team_size) + " 名执法人员（行政处罚法第四十二条），实际 " +
                          std::to_string(officers) + " 名",
                      "a team needs at least " + std::to_string(options.min_team_size) +
                          " officers (Administrative Penalty Law art. 42), got " + std::to_string(officers));
  if (auto ex = team->find("expert"); ex != team->end() && !ex->is_null()) {
    auto slot = ParseSlot(*ex, "team.expert");
    if (!slot.ok()) return slot.status();
    s.expert_slot = slot.value();
  }

  if (auto it = j.find("conflicts"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return FieldError("conflicts", "须为对象", "must be an object");
    if (auto st = CheckKeys(*it, "conflicts", {"declared_relations", "previous_inspector", "same_office"}); !st.ok()) return st;
    auto a = GetBool(*it, "declared_relations", "conflicts.declared_relations", true);
    if (!a.ok()) return a.status();
    auto b = GetBool(*it, "previous_inspector", "conflicts.previous_inspector", true);
    if (!b.ok()) return b.status();
    auto c = GetBool(*it, "same_office", "conflicts.same_office", false);
    if (!c.ok()) return c.status();
    s.conflicts = {a.value(), b.value(), c.value()};
  }

  // The entropy: {"source": name, "description": text}, or the older "entropy_source": text
  // (= manual with that description).
  const bool has_entropy = j.contains("entropy") && !j["entropy"].is_null();
  const bool has_old_entropy = j.contains("entropy_source") && !j["entropy_source"].is_null();
  if (has_entropy && has_old_entropy)
    return FieldError("entropy", "与旧字段 entropy_source 只能给出一个", "give either entropy or the older entropy_source, not both");
  if (has_old_entropy) {
    auto source = GetString(j, "entropy_source", "entropy_source", true, false, 500);
    if (!source.ok()) return source.status();
    s.entropy_source = source.value();
    s.entropy_source_name = kDefaultEntropySource;
  } else if (has_entropy) {
    const json& e = j["entropy"];
    if (!e.is_object())
      return FieldError("entropy", "须为对象 {\"source\": 随机源, \"description\": 说明}",
                        "must be an object {\"source\": name, \"description\": text}");
    if (auto st = CheckKeys(e, "entropy", {"source", "description"}); !st.ok()) return st;
    auto name = GetString(e, "source", "entropy.source", false, true, 64);
    if (!name.ok()) return name.status();
    if (!name.value().empty()) s.entropy_source_name = name.value();
    const std::string& n = s.entropy_source_name;
    bool valid = !n.empty() && n.size() <= 64;
    for (std::size_t i = 0; valid && i < n.size(); ++i) {
      const char c = n[i];
      valid = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '-' || c == '.'));
    }
    if (!valid)
      return FieldError("entropy.source", "须为随机源插件注册的名称（小写字母、数字、点和连字符，如 manual、none），实际为 " + n,
                        "must be the name an entropy source plugin registers (lowercase letters, digits, '.' and '-', "
                        "e.g. manual, none), got " + n);
    auto description = GetString(e, "description", "entropy.description", false, true, 500);
    if (!description.ok()) return description.status();
    s.entropy_source = description.value();
    if (s.entropy_source.empty() && s.entropy_source_name == kDefaultEntropySource)
      return FieldError("entropy.description", "随机源为 manual 时必填：说明将使用哪一个公开值（如彩票的期号）",
                        "is required when the source is manual: say which public value will be used (e.g. which "
                        "lottery draw)");
  } else {
    return FieldError("entropy", "缺少必填字段，如 {\"source\": \"manual\", \"description\": \"福彩 3D 第 2026321 期开奖号码\"} 或 {\"source\": \"none\"}",
                      "is required, e.g. {\"source\": \"manual\", \"description\": \"the numbers of lottery draw "
                      "2026321\"} or {\"source\": \"none\"}");
  }
  auto sampler = GetString(j, "sampler", "sampler", false, true, 64);
  if (!sampler.ok()) return sampler.status();
  if (!sampler.value().empty()) s.sampler = sampler.value();

  if (auto it = j.find("replaces"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return FieldError("replaces", "须为对象 {\"task\": 任务编号, \"reason\": 原因}", "must be an object {\"task\": id, \"reason\": why}");
    if (auto st = CheckKeys(*it, "replaces", {"task", "reason"}); !st.ok()) return st;
    auto t = GetString(*it, "task", "replaces.task", true, false, 64);
    if (!t.ok()) return t.status();
    auto r = GetString(*it, "reason", "replaces.reason", true, false, 500);
    if (!r.ok()) return r.status();
    s.replaces = t.value();
    s.replace_reason = r.value();
  }
  auto due = GetDate(j, "due_date", "due_date");
  if (!due.ok()) return due.status();
  s.due_date = due.value();
  return s;
}

std::string SpecToJson(const TaskSpec& s) {
  json j = json::object();
  j["id"] = s.id;
  j["title"] = s.title;
  j["department"] = s.department;
  j["items"] = s.items;
  if (!s.participants.empty()) {
    j["participants"] = s.participants;
    j["scope"] = s.scope == TaskSpec::Scope::kAnyItem ? "any_item" : "all_items";
  } else if (s.scope == TaskSpec::Scope::kAnyItem) {
    j["scope"] = "any_item";
  }
  j["filters"] = {{"regions", s.filters.regions},
                  {"types", s.filters.types},
                  {"industries", s.filters.industries},
                  {"labels", s.filters.labels},
                  {"registered_before", s.filters.registered_before},
                  {"status", "active"}};
  // Only when used: a spec without them keeps the canonical form it always had.
  if (!s.filters.listings.empty()) j["filters"]["listings"] = s.filters.listings;
  if (!s.filters.not_listings.empty()) j["filters"]["not_listings"] = s.filters.not_listings;
  j["exclusions"] = {
      {"same_item_within_days",
       s.exclusions.same_item_within_days ? json(*s.exclusions.same_item_within_days) : json("calendar_year")},
      {"open_tasks", OpenTasksName(s.exclusions.open_tasks)}};
  j["strata"] = StrataName(s.strata);
  if (s.strata == StrataKind::kLabel) j["strata_labels"] = s.strata_labels;
  if (s.strata == StrataKind::kListing) j["strata_listings"] = s.strata_listings;
  if (s.strata == StrataKind::kRegion) j["region_digits"] = s.region_digits;
  json rule = json::object();
  if (const auto* r = std::get_if<RatioRule>(&s.rule)) {
    json pct = json::object();
    for (const auto& [label, ppm] : r->ppm) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%u.%04u", ppm / 10000, ppm % 10000);
      std::string t = buf;
      while (t.back() == '0') t.pop_back();
      if (t.back() == '.') t.pop_back();
      pct[label] = t;
    }
    rule["ratio_percent"] = pct;
    if (!r->min.empty()) rule["min"] = r->min;
    if (!r->max.empty()) rule["max"] = r->max;
    if (!s.rule_preset.empty()) rule["preset"] = s.rule_preset;
  } else {
    rule["count"] = std::get<CountRule>(s.rule).count;
  }
  j["rule"] = rule;
  json slots = json::array();
  for (const auto& sl : s.slots) slots.push_back({{"group", sl.group}, {"count", sl.count}});
  j["team"] = {{"slots", slots}};
  if (s.expert_slot) j["team"]["expert"] = {{"group", s.expert_slot->group}, {"count", s.expert_slot->count}};
  j["conflicts"] = {{"declared_relations", s.conflicts.declared_relations},
                    {"previous_inspector", s.conflicts.previous_inspector},
                    {"same_office", s.conflicts.same_office}};
  j["entropy"] = {{"source", s.entropy_source_name}, {"description", s.entropy_source}};
  j["sampler"] = s.sampler;
  if (!s.replaces.empty()) j["replaces"] = {{"task", s.replaces}, {"reason", s.replace_reason}};
  if (!s.due_date.empty()) j["due_date"] = s.due_date;
  return j.dump(2, ' ', false);
}

std::vector<std::string> TaskDepartments(const TaskSpec& spec) {
  std::vector<std::string> out{spec.department};
  out.insert(out.end(), spec.participants.begin(), spec.participants.end());
  return out;
}

}  // namespace xj::draw
