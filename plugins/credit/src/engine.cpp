#include "engine.h"

#include <xinjian/time.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>

namespace xj::credit {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxAbsPoints = 100000000;  // hundredths: one million points

Status Bad(const std::string& path, const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, "评分模型 " + path + " " + zh, "scoring model " + path + " " + en);
}

struct Label {
  std::string zh, en;
};

// A record filter: every given part must hold. Lists are short: a linear scan beats a set.
struct Filter {
  std::vector<std::string> kinds, severities, categories;
  std::optional<bool> in_publicity;
  std::vector<std::pair<std::string, std::string>> attributes;
  int within_days = -1;  // occurred within this many days before as_of (-1: any age)

  static bool In(const std::vector<std::string>& list, const std::string& v) {
    if (list.empty()) return true;
    for (const auto& x : list)
      if (x == v) return true;
    return false;
  }
  // `until_days`: the fact's last public day (days since the epoch), -1 when never public.
  bool Matches(const CreditFact& f, std::int32_t as_of_days, std::int32_t age_days, std::int32_t until_days) const {
    if (!In(kinds, f.kind) || !In(severities, f.severity) || !In(categories, f.category)) return false;
    if (in_publicity && (until_days >= as_of_days) != *in_publicity) return false;
    for (const auto& [k, v] : attributes)
      if (f.Attribute(k) != v) return false;
    if (within_days >= 0 && age_days > within_days) return false;
    return true;
  }
};

struct DecayStep {
  int within_days = -1;  // -1: any age (the last step)
  int percent = 100;
};

struct Band {
  std::int64_t min = 0;  // hundredths of the averaged value
  std::int64_t points = 0;
};

struct Indicator {
  std::string id;
  Label label;
  Filter filter;
  enum class Kind { kCount, kAverage } kind = Kind::kCount;
  std::int64_t points = 0;
  std::map<std::string, std::int64_t> by_category, by_severity;
  std::vector<DecayStep> decay;
  std::optional<std::int64_t> min, max;
  std::vector<Band> bands;                // kAverage, highest min first
  std::optional<std::int64_t> when_none;  // points when no record matches
};

struct Dimension {
  std::string id;
  Label label;
  std::optional<std::int64_t> min, max;
  std::vector<Indicator> indicators;
};

struct Veto {
  std::string id;
  Label label;
  std::string listing;
  std::optional<Filter> filter;
};

struct GradeBand {
  ScoringModelInfo::Grade grade;
  std::int64_t min = 0;
};

Result<std::int64_t> Points(const json& v, const std::string& path) {
  if (!v.is_number()) return Bad(path, "须为数字", "must be a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || std::fabs(d) * 100 > static_cast<double>(kMaxAbsPoints))
    return Bad(path, "超出范围（±1,000,000 分以内）", "is out of range (within ±1,000,000 points)");
  const double h = d * 100;
  const double r = std::round(h);
  if (std::fabs(h - r) > 1e-6) return Bad(path, "最多两位小数", "has more than two decimals");
  return static_cast<std::int64_t>(r);
}

Result<int> Int(const json& v, const std::string& path, int lo, int hi) {
  if (!v.is_number_integer()) return Bad(path, "须为整数", "must be an integer");
  const auto x = v.get<std::int64_t>();
  if (x < lo || x > hi)
    return Bad(path, "须在 " + std::to_string(lo) + " 与 " + std::to_string(hi) + " 之间",
               "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return static_cast<int>(x);
}

Result<std::string> Id(const json& v, const std::string& path, bool upper = false) {
  if (!v.is_string()) return Bad(path, "须为字符串", "must be a string");
  const std::string s = v.get<std::string>();
  if (s.empty() || s.size() > 64) return Bad(path, "须为 1 至 64 个字符", "must have 1 to 64 characters");
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (upper && c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.'))
      return Bad(path, upper ? "只能含字母、数字、-、_ 和 ." : "只能含小写字母、数字、-、_ 和 .",
                 upper ? "may hold only letters, digits, -, _ and ." : "may hold only lowercase letters, digits, -, _ and .");
  return s;
}

Result<Label> LabelOf(const json& v, const std::string& path) {
  if (!v.is_object() || !v.contains("zh") || !v.contains("en") || !v["zh"].is_string() || !v["en"].is_string())
    return Bad(path, "须为 {\"zh\": …, \"en\": …}", "must be {\"zh\": …, \"en\": …}");
  Label l{v["zh"].get<std::string>(), v["en"].get<std::string>()};
  if (l.zh.empty() || l.en.empty() || l.zh.size() > 200 || l.en.size() > 200)
    return Bad(path, "的中英文名须为 1 至 200 字节", "needs a Chinese and an English name of 1 to 200 bytes");
  return l;
}

Status Known(const json& obj, const std::string& path, std::initializer_list<const char*> keys) {
  if (!obj.is_object()) return Bad(path, "须为对象", "must be an object");
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = it.key().rfind("_", 0) == 0;  // "_comment" and the like
    for (const char* k : keys) ok = ok || it.key() == k;
    if (!ok) return Bad(path + "." + it.key(), "是未知字段", "is an unknown field");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> StringSet(const json& v, const std::string& path) {
  if (!v.is_array() || v.empty()) return Bad(path, "须为非空字符串数组", "must be a non-empty array of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string() || e.get<std::string>().empty())
      return Bad(path, "须为非空字符串数组", "must be a non-empty array of strings");
    if (std::find(out.begin(), out.end(), e.get<std::string>()) == out.end()) out.push_back(e.get<std::string>());
  }
  return out;
}

Result<Filter> FilterOf(const json& v, const std::string& path) {
  if (auto st = Known(v, path, {"kind", "severity", "category", "in_publicity", "attributes", "within_days"}); !st.ok())
    return st;
  Filter f;
  if (v.contains("kind")) {
    auto s = StringSet(v["kind"], path + ".kind");
    if (!s.ok()) return s.status();
    f.kinds = s.value();
  }
  if (v.contains("severity")) {
    auto s = StringSet(v["severity"], path + ".severity");
    if (!s.ok()) return s.status();
    for (const auto& x : s.value())
      if (x != "minor" && x != "general" && x != "serious")
        return Bad(path + ".severity", "只能含 minor、general、serious，实际有 " + x,
                   "may hold only minor, general, serious; has " + x);
    f.severities = s.value();
  }
  if (v.contains("category")) {
    auto s = StringSet(v["category"], path + ".category");
    if (!s.ok()) return s.status();
    f.categories = s.value();
  }
  if (v.contains("in_publicity")) {
    if (!v["in_publicity"].is_boolean()) return Bad(path + ".in_publicity", "须为 true 或 false", "must be true or false");
    f.in_publicity = v["in_publicity"].get<bool>();
  }
  if (v.contains("attributes")) {
    const json& a = v["attributes"];
    if (!a.is_object()) return Bad(path + ".attributes", "须为对象（属性 → 值）", "must be an object (attribute → value)");
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!it.value().is_string())
        return Bad(path + ".attributes." + it.key(), "须为字符串", "must be a string");
      f.attributes.emplace_back(it.key(), it.value().get<std::string>());
    }
  }
  if (v.contains("within_days")) {
    auto d = Int(v["within_days"], path + ".within_days", 0, 36600);
    if (!d.ok()) return d.status();
    f.within_days = d.value();
  }
  return f;
}

Result<std::map<std::string, std::int64_t>> PointsMap(const json& v, const std::string& path) {
  if (!v.is_object() || v.empty()) return Bad(path, "须为非空对象（类别 → 分值）", "must be a non-empty object (category → points)");
  std::map<std::string, std::int64_t> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    auto p = Points(it.value(), path + "." + it.key());
    if (!p.ok()) return p.status();
    out[it.key()] = p.value();
  }
  return out;
}

Result<Indicator> IndicatorOf(const json& v, const std::string& path) {
  if (auto st = Known(v, path,
                      {"id", "label", "filter", "aggregate", "points", "by_category", "by_severity", "decay", "min", "max",
                       "bands", "when_none"});
      !st.ok())
    return st;
  Indicator in;
  if (!v.contains("id")) return Bad(path + ".id", "缺失", "is missing");
  auto id = Id(v["id"], path + ".id");
  if (!id.ok()) return id.status();
  in.id = id.value();
  if (!v.contains("label")) return Bad(path + ".label", "缺失", "is missing");
  auto label = LabelOf(v["label"], path + ".label");
  if (!label.ok()) return label.status();
  in.label = label.value();
  if (!v.contains("filter")) return Bad(path + ".filter", "缺失（计入哪些记录）", "is missing (which records count)");
  auto f = FilterOf(v["filter"], path + ".filter");
  if (!f.ok()) return f.status();
  in.filter = f.value();
  const std::string aggregate = v.value("aggregate", std::string("count"));
  if (aggregate == "count") {
    in.kind = Indicator::Kind::kCount;
    if (!v.contains("points") && !v.contains("by_category") && !v.contains("by_severity"))
      return Bad(path, "须有 points、by_category 或 by_severity", "needs points, by_category or by_severity");
    if (v.contains("bands")) return Bad(path + ".bands", "只用于 aggregate: average", "is for aggregate: average only");
  } else if (aggregate == "average") {
    in.kind = Indicator::Kind::kAverage;
    if (!v.contains("bands")) return Bad(path + ".bands", "缺失（平均值的分档）", "is missing (the bands of the average)");
    if (v.contains("points") || v.contains("by_category") || v.contains("by_severity") || v.contains("decay"))
      return Bad(path, "aggregate: average 只用 bands", "with aggregate: average takes bands only");
    const json& b = v["bands"];
    if (!b.is_array() || b.empty()) return Bad(path + ".bands", "须为非空数组", "must be a non-empty array");
    for (std::size_t i = 0; i < b.size(); ++i) {
      const std::string bp = path + ".bands[" + std::to_string(i) + "]";
      if (auto st = Known(b[i], bp, {"min", "points"}); !st.ok()) return st;
      if (!b[i].contains("min") || !b[i].contains("points")) return Bad(bp, "须有 min 和 points", "needs min and points");
      auto mn = Points(b[i]["min"], bp + ".min");
      if (!mn.ok()) return mn.status();
      auto pt = Points(b[i]["points"], bp + ".points");
      if (!pt.ok()) return pt.status();
      if (!in.bands.empty() && mn.value() >= in.bands.back().min)
        return Bad(bp + ".min", "须从高到低排列", "must be in descending order");
      in.bands.push_back({mn.value(), pt.value()});
    }
  } else {
    return Bad(path + ".aggregate", "须为 count 或 average，实际为 " + aggregate, "must be count or average, got " + aggregate);
  }
  if (v.contains("points")) {
    auto p = Points(v["points"], path + ".points");
    if (!p.ok()) return p.status();
    in.points = p.value();
  }
  if (v.contains("by_category")) {
    auto m = PointsMap(v["by_category"], path + ".by_category");
    if (!m.ok()) return m.status();
    in.by_category = m.value();
  }
  if (v.contains("by_severity")) {
    auto m = PointsMap(v["by_severity"], path + ".by_severity");
    if (!m.ok()) return m.status();
    for (const auto& [k, p] : m.value())
      if (k != "minor" && k != "general" && k != "serious")
        return Bad(path + ".by_severity." + k, "须为 minor、general 或 serious", "must be minor, general or serious");
    in.by_severity = m.value();
  }
  if (v.contains("decay")) {
    const json& d = v["decay"];
    if (!d.is_array() || d.empty()) return Bad(path + ".decay", "须为非空数组", "must be a non-empty array");
    for (std::size_t i = 0; i < d.size(); ++i) {
      const std::string dp = path + ".decay[" + std::to_string(i) + "]";
      if (auto st = Known(d[i], dp, {"within_days", "percent"}); !st.ok()) return st;
      DecayStep s;
      if (!d[i].contains("percent")) return Bad(dp + ".percent", "缺失", "is missing");
      auto pc = Int(d[i]["percent"], dp + ".percent", 0, 100);
      if (!pc.ok()) return pc.status();
      s.percent = pc.value();
      if (d[i].contains("within_days")) {
        auto w = Int(d[i]["within_days"], dp + ".within_days", 0, 36600);
        if (!w.ok()) return w.status();
        s.within_days = w.value();
        if (!in.decay.empty() && in.decay.back().within_days >= s.within_days)
          return Bad(dp + ".within_days", "须从小到大排列", "must be in ascending order");
      } else if (i + 1 != d.size()) {
        return Bad(dp, "只有最后一档可以不写 within_days", "may omit within_days only as the last step");
      }
      in.decay.push_back(s);
    }
  }
  for (const char* bound : {"min", "max"}) {
    if (!v.contains(bound)) continue;
    auto p = Points(v[bound], path + "." + bound);
    if (!p.ok()) return p.status();
    (std::string(bound) == "min" ? in.min : in.max) = p.value();
  }
  if (in.min && in.max && *in.min > *in.max) return Bad(path + ".min", "大于 max", "is greater than max");
  if (v.contains("when_none")) {
    auto p = Points(v["when_none"], path + ".when_none");
    if (!p.ok()) return p.status();
    in.when_none = p.value();
  }
  return in;
}

class PointsModel final : public ScoringModel {
 public:
  ScoringModelInfo info_;
  std::int64_t base_ = 0, min_ = 0;
  std::vector<Dimension> dimensions_;
  std::vector<Veto> vetoes_;
  std::vector<GradeBand> grades_;

  const ScoringModelInfo& info() const override { return info_; }

  Status Score(const ScoreInput& in, ScoreResult* out) const override {
    if (std::find(info_.subject_kinds.begin(), info_.subject_kinds.end(), in.subject_kind) == info_.subject_kinds.end())
      return Status::Error(StatusCode::kInvalidArgument,
                           "评分模型 " + info_.name + " 不适用于 " + in.subject_kind + " 类主体",
                           "scoring model " + info_.name + " does not apply to subjects of kind " + in.subject_kind);
    auto as_of = CivilDate::Parse(in.as_of);
    if (!as_of.ok()) return as_of.status();
    const CivilDate today = as_of.value();
    // The records that exist as of the date, with their ages; withdrawn ones count for nothing.
    struct Live {
      const CreditFact* f;
      std::int32_t age, until;
    };
    std::vector<Live> live;
    live.reserve(in.records.size());
    const std::int32_t as_of_days = today.days();
    for (const CreditFact& f : in.records) {
      if (f.withdrawn) continue;
      auto on = CivilDate::Parse(f.occurred_on);
      if (!on.ok() || on.value().days() > as_of_days) continue;
      std::int32_t until = -1;
      if (!f.public_until.empty()) {
        auto u = CivilDate::Parse(f.public_until);
        if (u.ok()) until = u.value().days();
      }
      live.push_back({&f, as_of_days - on.value().days(), until});
    }
    ScoreResult r;
    r.base = base_;
    for (const Dimension& d : dimensions_) {
      std::int64_t dim_sum = 0;
      for (const Indicator& ind : d.indicators) {
        ScoreLine line;
        line.dimension = d.id;
        line.indicator = ind.id;
        line.label_zh = ind.label.zh;
        line.label_en = ind.label.en;
        std::vector<const CreditFact*> hits;
        std::vector<std::int32_t> ages;
        for (const Live& l : live)
          if (ind.filter.Matches(*l.f, as_of_days, l.age, l.until)) {
            hits.push_back(l.f);
            ages.push_back(l.age);
          }
        if (hits.empty()) {
          if (!ind.when_none) continue;
          line.points = *ind.when_none;
          line.note = "无相关记录 / no such record";
        } else if (ind.kind == Indicator::Kind::kCount) {
          std::int64_t sum = 0;
          int decayed = 0;
          for (std::size_t i = 0; i < hits.size(); ++i) {
            const CreditFact& f = *hits[i];
            std::int64_t p = ind.points;
            if (auto c = ind.by_category.find(f.category); c != ind.by_category.end())
              p = c->second;
            else if (auto s = ind.by_severity.find(f.severity); s != ind.by_severity.end())
              p = s->second;
            int percent = 100;
            for (const DecayStep& s : ind.decay)
              if (s.within_days < 0 || ages[i] <= s.within_days) {
                percent = s.percent;
                break;
              }
            if (percent != 100) ++decayed;
            p = p * percent / 100;
            line.record_ids.push_back(f.id);
            line.record_points.push_back(p);
            sum += p;
          }
          // The records are listed: the note says only what is not plain from them.
          if (decayed) line.note = std::to_string(decayed) + " 条按时间衰减 / " + std::to_string(decayed) + " decayed by age";
          std::int64_t bounded = sum;
          if (ind.min && bounded < *ind.min) bounded = *ind.min;
          if (ind.max && bounded > *ind.max) bounded = *ind.max;
          if (bounded != sum)
            line.note += (line.note.empty() ? "" : "；") + std::string("合计 ") + FormatPoints(sum) + "，封顶为 " +
                         FormatPoints(bounded) + " / sum " + FormatPoints(sum) + ", bounded to " + FormatPoints(bounded);
          line.points = bounded;
        } else {
          std::int64_t total = 0;
          for (const CreditFact* f : hits) {
            line.record_ids.push_back(f->id);
            total += static_cast<std::int64_t>(std::llround(f->value * 100));
          }
          const std::int64_t avg = total / static_cast<std::int64_t>(hits.size());
          std::int64_t p = 0;
          bool banded = false;
          for (const Band& b : ind.bands)
            if (avg >= b.min) {
              p = b.points;
              banded = true;
              break;
            }
          line.points = p;
          line.note = std::to_string(hits.size()) + " 条记录平均 " + FormatPoints(avg) + (banded ? "" : "（低于各档）") + " / " +
                      std::to_string(hits.size()) + " records, average " + FormatPoints(avg) +
                      (banded ? "" : " (below every band)");
        }
        dim_sum += line.points;
        r.lines.push_back(std::move(line));
      }
      std::int64_t bounded = dim_sum;
      if (d.min && bounded < *d.min) bounded = *d.min;
      if (d.max && bounded > *d.max) bounded = *d.max;
      if (bounded != dim_sum) {
        ScoreLine cap;
        cap.dimension = d.id;
        cap.indicator = "cap:" + d.id;
        cap.label_zh = d.label.zh + "（上下限）";
        cap.label_en = d.label.en + " (bounds)";
        cap.points = bounded - dim_sum;
        cap.note = "维度合计 " + FormatPoints(dim_sum) + "，限于 " + FormatPoints(bounded) + " / dimension sum " +
                   FormatPoints(dim_sum) + ", bounded to " + FormatPoints(bounded);
        r.lines.push_back(std::move(cap));
      }
    }
    std::int64_t total = SumOfLines(r);
    std::int64_t bounded = std::clamp(total, min_, info_.max_points);
    if (bounded != total) {
      ScoreLine cap;
      cap.dimension = "total";
      cap.indicator = "bounds";
      cap.label_zh = "总分上下限";
      cap.label_en = "bounds of the score";
      cap.points = bounded - total;
      cap.note = "合计 " + FormatPoints(total) + "，限于 " + FormatPoints(min_) + "–" + FormatPoints(info_.max_points) +
                 " / sum " + FormatPoints(total) + ", bounded to " + FormatPoints(min_) + "–" +
                 FormatPoints(info_.max_points);
      r.lines.push_back(std::move(cap));
    }
    r.points = SumOfLines(r);
    const GradeBand* g = &grades_.back();
    for (const GradeBand& b : grades_)
      if (r.points >= b.min) {
        g = &b;
        break;
      }
    for (const Veto& v : vetoes_) {
      bool hit = false;
      if (!v.listing.empty())
        hit = std::find(in.listings.begin(), in.listings.end(), v.listing) != in.listings.end();
      if (!hit && v.filter)
        for (const Live& l : live)
          if (v.filter->Matches(*l.f, as_of_days, l.age, l.until)) {
            hit = true;
            break;
          }
      if (hit) r.vetoes.push_back(v.id);
    }
    if (!r.vetoes.empty()) g = &grades_.back();
    r.grade = g->grade.code;
    r.grade_zh = g->grade.zh;
    r.grade_en = g->grade.en;
    *out = std::move(r);
    return Status::Ok();
  }
};

Result<std::shared_ptr<const ScoringModel>> CompileModel(const json& j) {
  const std::string p = "$";
  if (auto st = Known(j, p,
                      {"$schema", "engine", "name", "version", "purpose", "title", "subject_kinds", "base", "min", "max",
                       "dimensions", "vetoes", "grades"});
      !st.ok())
    return st;
  auto m = std::make_shared<PointsModel>();
  for (const char* k : {"engine", "name", "version", "subject_kinds", "base", "max", "dimensions", "grades"})
    if (!j.contains(k)) return Bad(p + "." + k, "缺失", "is missing");
  if (j["engine"] != kPointsEngine)
    return Bad(p + ".engine", "须为 " + std::string(kPointsEngine), "must be " + std::string(kPointsEngine));
  auto name = Id(j["name"], p + ".name");
  if (!name.ok()) return name.status();
  m->info_.name = name.value();
  if (!j["version"].is_string() || j["version"].get<std::string>().empty() || j["version"].get<std::string>().size() > 32)
    return Bad(p + ".version", "须为 1 至 32 个字符的字符串", "must be a string of 1 to 32 characters");
  m->info_.version = j["version"].get<std::string>();
  for (char c : m->info_.version)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'))
      return Bad(p + ".version", "只能含字母、数字、. 和 -", "may hold only letters, digits, . and -");
  auto kinds = StringSet(j["subject_kinds"], p + ".subject_kinds");
  if (!kinds.ok()) return kinds.status();
  for (const auto& k : kinds.value()) {
    if (k != "enterprise" && k != "individual" && k != "intermediary" && k != "social_org" && k != "public_institution")
      return Bad(p + ".subject_kinds", "含未知主体类型 " + k, "holds the unknown subject kind " + k);
    m->info_.subject_kinds.push_back(k);
  }
  auto base = Points(j["base"], p + ".base");
  if (!base.ok()) return base.status();
  auto max = Points(j["max"], p + ".max");
  if (!max.ok()) return max.status();
  std::int64_t min = 0;
  if (j.contains("min")) {
    auto mn = Points(j["min"], p + ".min");
    if (!mn.ok()) return mn.status();
    min = mn.value();
  }
  if (!(min <= base.value() && base.value() <= max.value()))
    return Bad(p + ".base", "须在 min 与 max 之间", "must lie between min and max");
  m->base_ = base.value();
  m->min_ = min;
  m->info_.max_points = max.value();
  const json& dims = j["dimensions"];
  if (!dims.is_array() || dims.empty()) return Bad(p + ".dimensions", "须为非空数组", "must be a non-empty array");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const std::string dp = p + ".dimensions[" + std::to_string(i) + "]";
    if (auto st = Known(dims[i], dp, {"id", "label", "min", "max", "indicators"}); !st.ok()) return st;
    Dimension d;
    if (!dims[i].contains("id") || !dims[i].contains("label") || !dims[i].contains("indicators"))
      return Bad(dp, "须有 id、label 和 indicators", "needs id, label and indicators");
    auto id = Id(dims[i]["id"], dp + ".id");
    if (!id.ok()) return id.status();
    d.id = id.value();
    if (!ids.insert("d:" + d.id).second) return Bad(dp + ".id", "重复：" + d.id, "is repeated: " + d.id);
    auto label = LabelOf(dims[i]["label"], dp + ".label");
    if (!label.ok()) return label.status();
    d.label = label.value();
    for (const char* bound : {"min", "max"}) {
      if (!dims[i].contains(bound)) continue;
      auto b = Points(dims[i][bound], dp + "." + bound);
      if (!b.ok()) return b.status();
      (std::string(bound) == "min" ? d.min : d.max) = b.value();
    }
    if (d.min && d.max && *d.min > *d.max) return Bad(dp + ".min", "大于 max", "is greater than max");
    const json& inds = dims[i]["indicators"];
    if (!inds.is_array() || inds.empty()) return Bad(dp + ".indicators", "须为非空数组", "must be a non-empty array");
    for (std::size_t k = 0; k < inds.size(); ++k) {
      auto in = IndicatorOf(inds[k], dp + ".indicators[" + std::to_string(k) + "]");
      if (!in.ok()) return in.status();
      if (!ids.insert("i:" + in.value().id).second)
        return Bad(dp + ".indicators[" + std::to_string(k) + "].id", "重复：" + in.value().id,
                   "is repeated: " + in.value().id);
      d.indicators.push_back(std::move(in).value());
    }
    m->dimensions_.push_back(std::move(d));
  }
  if (j.contains("vetoes")) {
    const json& vs = j["vetoes"];
    if (!vs.is_array()) return Bad(p + ".vetoes", "须为数组", "must be an array");
    for (std::size_t i = 0; i < vs.size(); ++i) {
      const std::string vp = p + ".vetoes[" + std::to_string(i) + "]";
      if (auto st = Known(vs[i], vp, {"id", "label", "listing", "filter"}); !st.ok()) return st;
      Veto v;
      if (!vs[i].contains("id") || !vs[i].contains("label")) return Bad(vp, "须有 id 和 label", "needs id and label");
      auto id = Id(vs[i]["id"], vp + ".id");
      if (!id.ok()) return id.status();
      v.id = id.value();
      auto label = LabelOf(vs[i]["label"], vp + ".label");
      if (!label.ok()) return label.status();
      v.label = label.value();
      if (vs[i].contains("listing")) {
        auto l = Id(vs[i]["listing"], vp + ".listing");
        if (!l.ok()) return l.status();
        v.listing = l.value();
      }
      if (vs[i].contains("filter")) {
        auto f = FilterOf(vs[i]["filter"], vp + ".filter");
        if (!f.ok()) return f.status();
        v.filter = f.value();
      }
      if (v.listing.empty() && !v.filter) return Bad(vp, "须有 listing 或 filter", "needs a listing or a filter");
      m->vetoes_.push_back(std::move(v));
    }
  }
  const json& gs = j["grades"];
  if (!gs.is_array() || gs.size() < 2) return Bad(p + ".grades", "须为至少两档的数组", "must be an array of at least two grades");
  std::set<std::string> codes;
  for (std::size_t i = 0; i < gs.size(); ++i) {
    const std::string gp = p + ".grades[" + std::to_string(i) + "]";
    if (auto st = Known(gs[i], gp, {"code", "zh", "en", "min"}); !st.ok()) return st;
    if (!gs[i].contains("code") || !gs[i].contains("zh") || !gs[i].contains("en") || !gs[i].contains("min"))
      return Bad(gp, "须有 code、zh、en 和 min", "needs code, zh, en and min");
    GradeBand g;
    auto code = Id(gs[i]["code"], gp + ".code", /*upper=*/true);
    if (!code.ok()) return code.status();
    if (!gs[i]["zh"].is_string() || !gs[i]["en"].is_string())
      return Bad(gp, "的 zh 和 en 须为字符串", "needs zh and en as strings");
    g.grade = {code.value(), gs[i]["zh"].get<std::string>(), gs[i]["en"].get<std::string>()};
    if (!codes.insert(g.grade.code).second) return Bad(gp + ".code", "重复：" + g.grade.code, "is repeated: " + g.grade.code);
    auto mn = Points(gs[i]["min"], gp + ".min");
    if (!mn.ok()) return mn.status();
    g.min = mn.value();
    if (!m->grades_.empty() && g.min >= m->grades_.back().min)
      return Bad(gp + ".min", "须从高到低排列（最好的等级在前）", "must be in descending order (the best grade first)");
    m->grades_.push_back(g);
    m->info_.grades.push_back(g.grade);
  }
  if (m->grades_.back().min > min)
    return Bad(p + ".grades", "最低一档的 min 须不高于模型的 min（每个分数都有等级）",
               "the last grade's min must not exceed the model's min (every score has a grade)");
  return std::shared_ptr<const ScoringModel>(std::move(m));
}

}  // namespace

std::string PointsEngine::Description() const {
  return "积分制评分：维度、指标、时间衰减、上下限、一票否决、等级 / points engine: dimensions, indicators, decay, "
         "bounds, vetoes, grades";
}

Result<std::shared_ptr<const ScoringModel>> PointsEngine::Compile(const std::string& model_json) const {
  if (model_json.size() > (4u << 20)) return Bad("$", "超过 4 MiB", "is larger than 4 MiB");
  json j = json::parse(model_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("$", "不是有效的 JSON", "is not valid JSON");
  return CompileModel(j);
}

std::string FormatPoints(std::int64_t h) {
  const bool neg = h < 0;
  const std::uint64_t a = neg ? static_cast<std::uint64_t>(-(h + 1)) + 1 : static_cast<std::uint64_t>(h);
  std::string frac = std::to_string(a % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return (neg ? "-" : "") + std::to_string(a / 100) + "." + frac;
}

}  // namespace xj::credit
