// Pools: the eligibility predicate and the pool builder (over the subjects table or the
// platform's subject index, xinjian/directory.h).
#include "pool.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <set>
#include <unordered_map>

namespace xj::draw {

std::string TrimRegion(std::string r) {
  while (r.size() > 2 && r.size() % 2 == 0 && r.compare(r.size() - 2, 2, "00") == 0) r.resize(r.size() - 2);
  return r;
}

namespace {

bool ListHas(std::string_view list, std::string_view value) {
  for (auto v : SplitStoredList(list))
    if (v == value) return true;
  return false;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

constexpr const char* kSubjectColumns =
    "uscc, type, region, COALESCE(industry, ''), registered_on, status, COALESCE(risk_class, ''), labels, listings";

SubjectFacts FactsOfRow(const SqlRow& r) {
  return SubjectFacts{r.View(0), r.View(1), r.View(2), r.View(3), r.View(4),
                      r.View(5), r.View(6), r.View(7), r.View(8)};
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<std::vector<std::string>> EffectivePrefixes(const std::string& jurisdiction,
                                                   const std::vector<std::string>& filters) {
  std::vector<std::string> juris;
  for (auto p : SplitStoredList(jurisdiction)) juris.push_back(TrimRegion(std::string(p)));
  std::vector<std::string> wanted;
  for (const auto& f : filters) wanted.push_back(TrimRegion(f));
  std::set<std::string> out;
  if (juris.empty()) {
    out.insert(wanted.begin(), wanted.end());
  } else if (wanted.empty()) {
    out.insert(juris.begin(), juris.end());
  } else {
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      bool inside = false;
      for (const auto& j : juris) {
        if (StartsWith(wanted[i], j)) {
          out.insert(wanted[i]);
          inside = true;
        } else if (StartsWith(j, wanted[i])) {
          out.insert(j);  // the filter is wider than this part of the jurisdiction
          inside = true;
        }
      }
      if (!inside) {
        return Status::Error(
            StatusCode::kInvalidArgument, "筛选区划 " + filters[i] + " 不在部门辖区（" + jurisdiction + "）内",
            "filter region " + filters[i] + " lies outside the department's jurisdiction (" + jurisdiction + ")");
      }
    }
  }
  // Drop prefixes covered by a shorter one.
  std::vector<std::string> result;
  for (const auto& p : out) {
    if (!result.empty() && StartsWith(p, result.back())) continue;
    result.push_back(p);
  }
  return result;
}

PoolFilter::PoolFilter(const TaskSpec& spec, std::vector<std::string> region_prefixes, std::vector<ItemScope> items)
    : spec_(spec), prefixes_(std::move(region_prefixes)), items_(std::move(items)) {}

bool PoolFilter::MatchesPlace(const SubjectFacts& s) const {
  if (!prefixes_.empty()) {
    bool in = false;
    for (const auto& p : prefixes_) in = in || StartsWith(s.region, p);
    if (!in) return false;
  }
  const auto& f = spec_.filters;
  return f.registered_before.empty() || s.registered_on < std::string_view(f.registered_before);
}

bool PoolFilter::MatchesCategories(const SubjectFacts& s) const {
  if (s.status != "active") return false;
  const auto& f = spec_.filters;
  if (!f.types.empty() && std::find(f.types.begin(), f.types.end(), s.type) == f.types.end()) return false;
  if (!f.industries.empty()) {
    bool in = false;
    for (const auto& p : f.industries) in = in || StartsWith(s.industry, p);
    if (!in) return false;
  }
  if (!f.labels.empty()) {
    bool in = false;
    for (const auto& l : f.labels) in = in || ListHas(s.labels, l);
    if (!in) return false;
  }
  if (!f.listings.empty()) {
    bool in = false;
    for (const auto& l : f.listings) in = in || ListHas(s.listings, l);
    if (!in) return false;
  }
  for (const auto& l : f.not_listings)
    if (ListHas(s.listings, l)) return false;
  if (items_.empty()) return true;
  const bool any = spec_.scope == TaskSpec::Scope::kAnyItem;
  for (const auto& item : items_) {
    const bool applies = ItemApplies(item, s);
    if (any && applies) return true;
    if (!any && !applies) return false;
  }
  return !any;
}

bool ItemApplies(const ItemScope& item, const SubjectFacts& s) {
  if (!item.target_types.empty() &&
      std::find(item.target_types.begin(), item.target_types.end(), s.type) == item.target_types.end())
    return false;
  if (!item.target_labels.empty()) {
    bool in = false;
    for (const auto& l : item.target_labels) in = in || ListHas(s.labels, l);
    if (!in) return false;
  }
  return true;
}

std::string PoolFilter::StratumOf(const SubjectFacts& s) const {
  switch (spec_.strata) {
    case StrataKind::kNone:
      return std::string();
    case StrataKind::kRiskClass:
      return s.risk_class.empty() ? std::string("none") : std::string(s.risk_class);
    case StrataKind::kRegion:
      return std::string(s.region.substr(0, static_cast<std::size_t>(spec_.region_digits)));
    case StrataKind::kLabel:
      for (const auto& l : spec_.strata_labels)
        if (ListHas(s.labels, l)) return l;
      return "other";
    case StrataKind::kListing:
      for (const auto& l : spec_.strata_listings)
        if (ListHas(s.listings, l)) return l;
      return "other";
  }
  return std::string();
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------

Result<FrozenPool> BuildPool(Sql& sql, const PoolFilter& filter, const std::unordered_set<std::string>& excluded,
                             const SubjectIndex* index) {
  // Collected with label ids assigned in first-seen order, renumbered by label at the end.
  FrozenPool pool;
  std::vector<std::string> first_seen;
  std::vector<std::uint16_t> raw;
  std::string usccs;
  Status problem = Status::Ok();
  // The stratum id of a matching subject, by label in first-seen order.
  auto stratum_id = [&](const std::string& label) -> std::int32_t {
    std::size_t id = first_seen.size();
    for (std::size_t i = 0; i < first_seen.size(); ++i) {
      if (first_seen[i] == label) {
        id = i;
        break;
      }
    }
    if (id == first_seen.size()) {
      if (first_seen.size() >= 65535) {
        problem = Status::Error(StatusCode::kInvalidArgument, "分层超过 65535 个", "more than 65,535 strata");
        return -1;
      }
      first_seen.push_back(label);
    }
    return static_cast<std::int32_t>(id);
  };
  auto add = [&](const SubjectFacts& f) {
    if (!filter.Matches(f)) return;
    if (!excluded.empty() && excluded.count(std::string(f.uscc))) return;
    if (f.uscc.size() != FrozenPool::kUsccLength) return;  // never stored: imports validate USCCs
    const std::int32_t id = stratum_id(filter.StratumOf(f));
    if (id < 0) return;
    usccs.append(f.uscc);
    raw.push_back(static_cast<std::uint16_t>(id));
  };

  if (index != nullptr) {
    usccs.reserve(index->size() * FrozenPool::kUsccLength);  // address space; pages are touched as used
    raw.reserve(index->size());
    // The same decisions as `add`, with the categorical half of the filter (and the
    // stratum, unless it is by region) memoised per distinct combination of those facts:
    // a province has a few thousand combinations for millions of subjects.
    constexpr std::int32_t kNoMatch = -1, kByPlace = -2;
    // A direct-mapped cache in front of the memo map keeps the common case to one probe.
    struct Slot {
      std::uint64_t key = ~std::uint64_t{0};
      std::int32_t value = 0;
    };
    constexpr std::size_t kSlots = 1 << 14;
    std::vector<Slot> cache(kSlots);
    std::unordered_map<std::uint64_t, std::int32_t> memo;
    const bool by_place = filter.StratumByPlace();
    index->ScanIndices(filter.region_prefixes(), [&](std::size_t i) {
      const std::uint64_t key = index->CategoryKey(i);
      Slot& slot = cache[(key * 0x9E3779B97F4A7C15ull) >> 50];
      std::int32_t v;
      if (slot.key == key) {
        v = slot.value;
      } else {
        auto it = memo.find(key);
        if (it == memo.end()) {
          const SubjectFacts f = index->FactsOf(i);
          v = !filter.MatchesCategories(f) ? kNoMatch : by_place ? kByPlace : stratum_id(filter.StratumOf(f));
          if (!problem.ok()) return false;
          memo.emplace(key, v);
        } else {
          v = it->second;
        }
        slot = {key, v};
      }
      if (v == kNoMatch) return true;
      const SubjectFacts f = index->PlaceOf(i);
      if (!filter.MatchesPlace(f)) return true;
      if (!excluded.empty() && excluded.count(std::string(f.uscc))) return true;
      if (v == kByPlace) {
        v = stratum_id(filter.StratumOf(f));
        if (v < 0) return false;
      }
      usccs.append(f.uscc);
      raw.push_back(static_cast<std::uint16_t>(v));
      return true;
    });
  } else {
    // One range scan per prefix over the region index; the pieces are merged by USCC below.
    const std::string base = std::string("SELECT ") + kSubjectColumns + " FROM subjects WHERE status = 'active'";
    std::vector<std::string> prefixes = filter.region_prefixes();
    if (prefixes.empty()) prefixes.push_back("");
    for (const auto& p : prefixes) {
      Status st;
      auto row_fn = [&](const SqlRow& r) {
        add(FactsOfRow(r));
        return problem.ok();
      };
      if (p.empty()) {
        st = sql.Query(base, {}, row_fn);
      } else {
        std::string hi = p;
        hi.back() = static_cast<char>(hi.back() + 1);
        st = sql.Query(base + " AND region >= ? AND region < ?", {p, hi}, row_fn);
      }
      if (!st.ok()) return st;
    }
  }
  if (!problem.ok()) return problem;

  // Sort labels, renumber, and order the members by USCC bytes.
  std::vector<std::size_t> order(first_seen.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return first_seen[a] < first_seen[b]; });
  std::vector<std::uint16_t> renumber(first_seen.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    renumber[order[i]] = static_cast<std::uint16_t>(i);
    pool.labels.push_back(first_seen[order[i]]);
  }
  const std::size_t n = raw.size();
  auto key = [&](std::uint32_t i) { return std::string_view(usccs.data() + std::size_t{i} * 18, 18); };
  bool sorted = true;
  for (std::size_t i = 1; i < n && sorted; ++i)
    sorted = key(static_cast<std::uint32_t>(i - 1)) < key(static_cast<std::uint32_t>(i));
  if (sorted) {  // always from the index (it is in USCC order): take the arrays as they are
    pool.usccs = std::move(usccs);
    for (auto& r : raw) r = renumber[r];
    pool.stratum_index = std::move(raw);
    return pool;
  }
  std::vector<std::uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  std::sort(perm.begin(), perm.end(), [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });
  pool.usccs.reserve(n * 18);
  pool.stratum_index.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && key(perm[i]) == key(perm[i - 1])) continue;  // two prefixes cannot overlap, but be safe
    pool.usccs.append(key(perm[i]));
    pool.stratum_index.push_back(renumber[raw[perm[i]]]);
  }
  return pool;
}

}  // namespace xj::draw
