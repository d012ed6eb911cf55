// The pure parts of the punishment plugin: see model.h.
#include "model.h"

#include <xinjian/digest.h>
#include <xinjian/text.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace xj::punishment {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxFileBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxEntries = 10000;
constexpr int kMaxDepth = 8;
constexpr std::size_t kMaxProblems = 100;

bool CodeOk(std::string_view c, std::size_t max = 64) {
  if (c.empty() || c.size() > max || !(c[0] >= 'a' && c[0] <= 'z')) return false;
  for (char ch : c)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  return true;
}

bool DeptCodeOk(std::string_view c) {
  if (c.empty() || c.size() > 32) return false;
  for (char ch : c)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
      return false;
  return true;
}

// The scan of a top-level array: each element's first line and the lines of its object's keys.
struct ElementScan {
  int line = 0;
  std::map<std::string, int> keys;
};

// Returns false when the nesting is deeper than kMaxDepth.
bool Scan(std::string_view text, std::vector<ElementScan>* out, int* max_depth) {
  int line = 1, depth = 0;
  bool in_string = false, escape = false;
  std::string str;
  int str_line = 0;
  bool pending_key = false;  // a string at depth 2 just ended: a key when ':' follows
  *max_depth = 0;
  for (char c : text) {
    if (c == '\n') ++line;
    if (in_string) {
      if (escape) {
        escape = false;
        if (depth == 2 && str.size() < 64) str += c;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
        if (depth == 2) pending_key = true;
      } else if (depth == 2 && str.size() < 64) {
        str += c;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (pending_key) {
      pending_key = false;
      if (c == ':' && !out->empty()) out->back().keys.emplace(str, str_line);
    }
    if (depth == 1 && c != ',' && c != ']') out->push_back(ElementScan{line, {}});
    if (c == '"') {
      in_string = true;
      str.clear();
      str_line = line;
      continue;
    }
    if (c == '[' || c == '{') {
      ++depth;
      *max_depth = std::max(*max_depth, depth);
      if (depth > kMaxDepth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

class Collector {
 public:
  Collector(std::vector<Problem>* problems, const std::vector<ElementScan>& scan) : problems_(problems), scan_(scan) {}
  void Add(int entry, const std::string& field, const std::string& zh, const std::string& en) {
    if (problems_->size() >= kMaxProblems) return;
    Problem p;
    p.entry = entry;
    p.field = field;
    p.zh = zh;
    p.en = en;
    if (entry > 0 && static_cast<std::size_t>(entry) <= scan_.size()) {
      const ElementScan& e = scan_[static_cast<std::size_t>(entry - 1)];
      p.line = e.line;
      if (auto it = e.keys.find(field); it != e.keys.end()) p.line = it->second;
    }
    problems_->push_back(std::move(p));
  }
  std::size_t count() const { return problems_->size(); }

 private:
  std::vector<Problem>* problems_;
  const std::vector<ElementScan>& scan_;
};

// The file as a JSON array, or problems.
bool ParseArray(std::string_view text, const char* what, json* doc, std::vector<ElementScan>* scan,
                std::vector<Problem>* problems) {
  auto whole = [&](const std::string& zh, const std::string& en) {
    problems->push_back(Problem{0, 0, "", zh, en});
    return false;
  };
  if (text.size() > kMaxFileBytes) return whole("文件超过 4 MiB", "the file is larger than 4 MiB");
  if (!xj::utf8::IsValid(text)) {
    const std::size_t at = xj::utf8::FindInvalid(text);
    const int line =
        1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    problems->push_back(Problem{line, 0, "", "文件含有无效的 UTF-8 字节", "the file has bytes that are not UTF-8"});
    return false;
  }
  int depth = 0;
  if (!Scan(text, scan, &depth))
    return whole("嵌套超过 " + std::to_string(kMaxDepth) + " 层",
                 "nested deeper than " + std::to_string(kMaxDepth) + " levels");
  try {
    *doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    const std::size_t at = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    const int line =
        1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    problems->push_back(Problem{line, 0, "", "不是有效的 JSON", "not valid JSON"});
    return false;
  }
  if (!doc->is_array())
    return whole(std::string("须为 JSON 数组（") + what + "）", std::string("must be a JSON array (of ") + what + ")");
  if (doc->size() > kMaxEntries)
    return whole("超过 " + std::to_string(kMaxEntries) + " 项",
                 "more than " + std::to_string(kMaxEntries) + " entries");
  return true;
}

// A text field: present, a string, not empty, at most `max` characters, no control characters.
bool TextField(const json& o, const char* field, std::size_t max, int entry, Collector& c, std::string* out,
               bool required = true) {
  if (!o.contains(field)) {
    if (required) c.Add(entry, field, "缺少字段", "the field is missing");
    return !required;
  }
  const json& v = o.at(field);
  if (!v.is_string()) {
    c.Add(entry, field, "须为文本", "must be a string");
    return false;
  }
  const std::string s = v.get<std::string>();
  if (s.empty() && required) {
    c.Add(entry, field, "不能为空", "must not be empty");
    return false;
  }
  if (xj::utf8::CodePointCount(s) > max) {
    c.Add(entry, field, "超过 " + std::to_string(max) + " 个字符",
          "longer than " + std::to_string(max) + " characters");
    return false;
  }
  if (xj::utf8::HasControlChar(s)) {
    c.Add(entry, field, "含有控制字符", "has control characters");
    return false;
  }
  *out = s;
  return true;
}

bool TextArray(const json& o, const char* field, int entry, Collector& c, std::vector<std::string>* out,
               std::size_t max_items = 64) {
  if (!o.contains(field)) {
    c.Add(entry, field, "缺少字段", "the field is missing");
    return false;
  }
  const json& v = o.at(field);
  if (!v.is_array() || v.empty()) {
    c.Add(entry, field, "须为非空数组", "must be a non-empty array");
    return false;
  }
  if (v.size() > max_items) {
    c.Add(entry, field, "超过 " + std::to_string(max_items) + " 项",
          "more than " + std::to_string(max_items) + " items");
    return false;
  }
  std::set<std::string> seen;
  for (const json& x : v) {
    if (!x.is_string() || x.get<std::string>().empty() || x.get<std::string>().size() > 64) {
      c.Add(entry, field, "每一项须为不超过 64 字节的非空文本",
            "every item must be a non-empty string of at most 64 bytes");
      return false;
    }
    if (!seen.insert(x.get<std::string>()).second) {
      c.Add(entry, field, "“" + x.get<std::string>() + "” 重复", "'" + x.get<std::string>() + "' is given twice");
      return false;
    }
  }
  out->assign(seen.begin(), seen.end());
  return true;
}

bool UnknownFields(const json& o, std::initializer_list<const char*> known, int entry, Collector& c) {
  bool ok = true;
  for (auto it = o.begin(); it != o.end(); ++it) {
    bool k = false;
    for (const char* n : known) k = k || it.key() == n;
    if (!k) {
      const std::string key = it.key().substr(0, 64);
      c.Add(entry, key, "未知字段", "unknown field");
      ok = false;
    }
  }
  return ok;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

const std::vector<std::string>& KnownActions() {
  static const std::vector<std::string> k{"bidding",       "bond_issuance",    "franchises", "government_procurement",
                                          "green_channel", "high_consumption", "honours",    "inspection_frequency",
                                          "land_supply",   "qualifications",   "subsidies",  "tolerance_acceptance"};
  return k;
}

bool IsKnownAction(std::string_view action) {
  for (const auto& a : KnownActions())
    if (a == action) return true;
  return false;
}

bool IsDate(std::string_view text) { return text.size() == 10 && CivilDate::Parse(text).ok(); }

std::string Measure::CanonicalJson() const {
  json j{{"code", code},
         {"name_zh", name_zh},
         {"name_en", name_en},
         {"kind", kind},
         {"department", department},
         {"legal_basis", legal_basis},
         {"lists", lists},
         {"actions", actions},
         {"effect", effect},
         {"published_on", published_on}};
  return j.dump();
}

std::string Memorandum::CanonicalJson() const {
  json e = json::array();
  for (const auto& x : entries) e.push_back({{"list", x.list}, {"measures", x.measures}});
  json j{{"code", code}, {"title", title}, {"departments", departments}, {"signed_on", signed_on}, {"entries", e}};
  return j.dump();
}

std::string Problem::Text() const {
  std::string zh, en;
  if (line > 0) {
    zh += "第 " + std::to_string(line) + " 行，";
    en += "line " + std::to_string(line) + ", ";
  }
  if (entry > 0) {
    zh += "第 " + std::to_string(entry) + " 项，";
    en += "entry " + std::to_string(entry) + ", ";
  }
  if (!field.empty()) {
    zh += "字段 " + field + "：";
    en += "field " + field + ": ";
  }
  return zh + this->zh + " / " + en + this->en;
}

Status CheckProportionate(const std::string& kind, const std::string& effect, ListKind list_kind,
                          const std::string& list_code) {
  auto bad = [&](const std::string& zh, const std::string& en) {
    return Status::Error(StatusCode::kInvalidArgument, "不符合比例原则（名单 " + list_code + "）：" + zh,
                         "not proportionate (list " + list_code + "): " + en);
  };
  if (kind == "punishment" && list_kind == ListKind::kRed)
    return bad("惩戒措施只适用于黑名单和经营异常名录", "a punishment applies to black and abnormal lists only");
  if (kind == "reward" && list_kind != ListKind::kRed)
    return bad("激励措施只适用于红名单", "a reward applies to red lists only");
  if (kind == "reward" && effect != kEase)
    return bad("激励措施的效果只能是 ease", "a reward's effect can only be ease");
  if (kind == "punishment" && effect == kEase)
    return bad("惩戒措施的效果不能是 ease", "a punishment's effect cannot be ease");
  if (effect == kDeny && list_kind != ListKind::kBlack)
    return bad("“禁止”（deny）只适用于黑名单", "the effect deny applies to black lists only");
  if (list_kind == ListKind::kAbnormal && effect != kRestrict)
    return bad("经营异常名录至多“限制”（restrict）", "the abnormal-operations lists allow at most restrict");
  return Status::Ok();
}

bool ParseMeasures(std::string_view text, const CatalogueWorld& world, std::vector<Measure>* out,
                   std::vector<Problem>* problems) {
  json doc;
  std::vector<ElementScan> scan;
  if (!ParseArray(text, "measures", &doc, &scan, problems)) return false;
  Collector c(problems, scan);
  std::set<std::string> codes;
  int entry = 0;
  for (const json& o : doc) {
    ++entry;
    if (c.count() >= kMaxProblems) break;
    if (!o.is_object()) {
      c.Add(entry, "", "须为 JSON 对象", "must be a JSON object");
      continue;
    }
    const std::size_t before = c.count();
    UnknownFields(o,
                  {"code", "name_zh", "name_en", "kind", "department", "legal_basis", "lists", "actions", "effect",
                   "published_on"},
                  entry, c);
    Measure m;
    if (TextField(o, "code", 64, entry, c, &m.code) && !CodeOk(m.code))
      c.Add(entry, "code", "代码须为小写字母开头的小写字母、数字和下划线（至多 64 个字符）",
            "the code must be [a-z][a-z0-9_]*, at most 64 characters");
    else if (!m.code.empty() && !codes.insert(m.code).second)
      c.Add(entry, "code", "代码 “" + m.code + "” 在文件中重复",
            "the code '" + m.code + "' is given twice in the file");
    TextField(o, "name_zh", 200, entry, c, &m.name_zh);
    TextField(o, "name_en", 300, entry, c, &m.name_en);
    TextField(o, "legal_basis", 500, entry, c, &m.legal_basis);
    if (TextField(o, "kind", 16, entry, c, &m.kind) && m.kind != "punishment" && m.kind != "reward")
      c.Add(entry, "kind", "须为 punishment 或 reward", "must be punishment or reward");
    if (TextField(o, "effect", 16, entry, c, &m.effect) && m.effect != kDeny && m.effect != kRestrict &&
        m.effect != kEase)
      c.Add(entry, "effect", "须为 deny、restrict 或 ease", "must be deny, restrict or ease");
    if (TextField(o, "department", 32, entry, c, &m.department) &&
        (!DeptCodeOk(m.department) || !world.department_exists || !world.department_exists(m.department)))
      c.Add(entry, "department", "部门 “" + m.department + "” 不存在", "no department '" + m.department + "'");
    if (TextField(o, "published_on", 10, entry, c, &m.published_on) && !IsDate(m.published_on))
      c.Add(entry, "published_on", "须为 YYYY-MM-DD 日期", "must be a date YYYY-MM-DD");
    if (TextArray(o, "actions", entry, c, &m.actions))
      for (const auto& a : m.actions)
        if (!IsKnownAction(a))
          c.Add(entry, "actions", "未知的事项 “" + a + "”（可用：" + Join(KnownActions()) + "）",
                "unknown action '" + a + "' (known: " + Join(KnownActions()) + ")");
    if (TextArray(o, "lists", entry, c, &m.lists)) {
      for (const auto& l : m.lists) {
        const ListPolicy* p = world.list_policy ? world.list_policy(l) : nullptr;
        if (p == nullptr) {
          c.Add(entry, "lists", "名单类型 “" + l + "” 未注册", "the list type '" + l + "' is not registered");
          continue;
        }
        if ((m.kind == "punishment" || m.kind == "reward") &&
            (m.effect == kDeny || m.effect == kRestrict || m.effect == kEase)) {
          Status st = CheckProportionate(m.kind, m.effect, p->kind, l);
          if (!st.ok()) {
            const auto at = st.message().find(" / ");
            c.Add(entry, "lists", st.message().substr(0, at), st.message().substr(at + 3));
          }
        }
      }
    }
    if (c.count() == before) out->push_back(std::move(m));
  }
  if (doc.empty()) problems->push_back(Problem{0, 0, "", "文件中没有措施", "the file has no measures"});
  return problems->empty();
}

bool ParseMemoranda(std::string_view text, const CatalogueWorld& world, std::vector<Memorandum>* out,
                    std::vector<Problem>* problems) {
  json doc;
  std::vector<ElementScan> scan;
  if (!ParseArray(text, "memoranda", &doc, &scan, problems)) return false;
  Collector c(problems, scan);
  std::set<std::string> codes;
  int entry = 0;
  for (const json& o : doc) {
    ++entry;
    if (c.count() >= kMaxProblems) break;
    if (!o.is_object()) {
      c.Add(entry, "", "须为 JSON 对象", "must be a JSON object");
      continue;
    }
    const std::size_t before = c.count();
    UnknownFields(o, {"code", "title", "departments", "signed_on", "entries"}, entry, c);
    Memorandum m;
    if (TextField(o, "code", 64, entry, c, &m.code) && !CodeOk(m.code))
      c.Add(entry, "code", "代码须为小写字母开头的小写字母、数字和下划线（至多 64 个字符）",
            "the code must be [a-z][a-z0-9_]*, at most 64 characters");
    else if (!m.code.empty() && !codes.insert(m.code).second)
      c.Add(entry, "code", "代码 “" + m.code + "” 在文件中重复",
            "the code '" + m.code + "' is given twice in the file");
    TextField(o, "title", 300, entry, c, &m.title);
    if (TextField(o, "signed_on", 10, entry, c, &m.signed_on) && !IsDate(m.signed_on))
      c.Add(entry, "signed_on", "须为 YYYY-MM-DD 日期", "must be a date YYYY-MM-DD");
    if (TextArray(o, "departments", entry, c, &m.departments))
      for (const auto& d : m.departments)
        if (!DeptCodeOk(d) || !world.department_exists || !world.department_exists(d))
          c.Add(entry, "departments", "部门 “" + d + "” 不存在", "no department '" + d + "'");
    if (!o.contains("entries") || !o.at("entries").is_array() || o.at("entries").empty() ||
        o.at("entries").size() > 64) {
      c.Add(entry, "entries", "须为 1 至 64 项的数组", "must be an array of 1 to 64 entries");
    } else {
      std::set<std::string> lists;
      for (const json& e : o.at("entries")) {
        if (!e.is_object() || !e.contains("list") || !e.at("list").is_string() || !e.contains("measures")) {
          c.Add(entry, "entries", "每一项须为 {list, measures}", "every entry must be {list, measures}");
          break;
        }
        UnknownFields(e, {"list", "measures"}, entry, c);
        MemorandumEntry me;
        me.list = e.at("list").get<std::string>();
        const ListPolicy* p = world.list_policy && me.list.size() <= 64 ? world.list_policy(me.list) : nullptr;
        if (p == nullptr) {
          c.Add(entry, "entries", "名单类型 “" + me.list.substr(0, 64) + "” 未注册",
                "the list type '" + me.list.substr(0, 64) + "' is not registered");
          continue;
        }
        if (!lists.insert(me.list).second) {
          c.Add(entry, "entries", "名单 “" + me.list + "” 重复", "the list '" + me.list + "' is given twice");
          continue;
        }
        if (!TextArray(e, "measures", entry, c, &me.measures, 256)) continue;
        for (const auto& code : me.measures) {
          const Measure* ms = world.measure ? world.measure(code) : nullptr;
          if (ms == nullptr) {
            c.Add(entry, "entries", "措施 “" + code + "” 不在措施清单中",
                  "the measure '" + code + "' is not in the catalogue");
            continue;
          }
          if (std::find(ms->lists.begin(), ms->lists.end(), me.list) == ms->lists.end())
            c.Add(entry, "entries", "措施 “" + code + "” 不适用于名单 " + me.list,
                  "the measure '" + code + "' does not apply to the list " + me.list);
          Status st = CheckProportionate(ms->kind, ms->effect, p->kind, me.list);
          if (!st.ok()) {
            const auto at = st.message().find(" / ");
            c.Add(entry, "entries", "措施 “" + code + "”：" + st.message().substr(0, at),
                  "measure '" + code + "': " + st.message().substr(at + 3));
          }
          if (std::find(m.departments.begin(), m.departments.end(), ms->department) == m.departments.end())
            c.Add(entry, "entries", "措施 “" + code + "” 的实施部门 " + ms->department + " 不是备忘录的签署部门",
                  "the measure '" + code + "' belongs to " + ms->department + ", not a department of the memorandum");
        }
        m.entries.push_back(std::move(me));
      }
      std::sort(m.entries.begin(), m.entries.end(),
                [](const MemorandumEntry& a, const MemorandumEntry& b) { return a.list < b.list; });
    }
    if (c.count() == before) out->push_back(std::move(m));
  }
  if (doc.empty()) problems->push_back(Problem{0, 0, "", "文件中没有备忘录", "the file has no memoranda"});
  return problems->empty();
}

Status ProblemsStatus(const std::string& file, const std::vector<Problem>& problems) {
  std::string zh = file + " 有 " + std::to_string(problems.size()) + " 处错误，未作任何更改";
  std::string en = file + " has " + std::to_string(problems.size()) + " problem(s); nothing was changed";
  std::string lines;
  std::size_t n = 0;
  for (const Problem& p : problems) {
    if (++n > 20) break;
    lines += "\n  " + p.Text();
  }
  return Status(StatusCode::kInvalidArgument, zh + " / " + en + lines);
}

std::vector<int> ElementLines(std::string_view text) {
  std::vector<ElementScan> scan;
  int depth = 0;
  (void)Scan(text, &scan, &depth);  // the lines up to the depth limit are enough for messages
  std::vector<int> out;
  for (const auto& e : scan) out.push_back(e.line);
  return out;
}

Answer ComputeAnswer(const std::vector<ActiveListing>& listings, const std::string& action, const std::string& today,
                     const TriggeredFn& triggered) {
  Answer a;
  a.answer = "allowed";
  int strength = 0;  // 0 allowed, 1 restricted, 2 denied
  for (const ActiveListing& l : listings) {
    const std::vector<const Measure*>* ms = triggered(l.list, action);
    if (ms == nullptr) continue;
    bool any = false;
    for (const Measure* m : *ms) {
      if (m->published_on > today) continue;  // not yet published: not applied (清单之外不得实施)
      any = true;
      if (std::find(a.measures.begin(), a.measures.end(), m) == a.measures.end()) a.measures.push_back(m);
      if (m->effect == kDeny) strength = std::max(strength, 2);
      if (m->effect == kRestrict) strength = std::max(strength, 1);
    }
    if (any) a.listings.push_back(&l);
  }
  std::sort(a.measures.begin(), a.measures.end(), [](const Measure* x, const Measure* y) { return x->code < y->code; });
  a.answer = strength == 2 ? "denied" : strength == 1 ? "restricted" : "allowed";
  return a;
}

std::string Card(const std::string& today, const std::string& due, int working_days_left, int yellow_working_days) {
  if (due.empty()) return "";
  if (today > due) return "red";
  if (working_days_left <= yellow_working_days) return "yellow";
  return "green";
}

}  // namespace xj::punishment
