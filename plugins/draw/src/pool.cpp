// Pools: the eligibility predicate, the in-memory subject index and the pool builder.
#include "pool.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <set>

#include "scan.h"

namespace xj::draw {

std::vector<std::string_view> SplitStoredList(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

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

const char* const kTypes[] = {"enterprise", "individual", "intermediary", "social_org", "public_institution"};
const char* const kStatuses[] = {"active", "suspended", "revoked", "deregistered", "missing"};
const char* const kRisks[] = {"", "A", "B", "C", "D"};

template <std::size_t N>
std::uint8_t Code(const char* const (&table)[N], std::string_view v) {
  for (std::size_t i = 0; i < N; ++i)
    if (v == table[i]) return static_cast<std::uint8_t>(i);
  return 0;
}

constexpr const char* kSubjectColumns =
    "uscc, type, region, COALESCE(industry, ''), registered_on, status, COALESCE(risk_class, ''), labels";

SubjectFacts FactsOfRow(const ScanRow& r) {
  return SubjectFacts{r.values[0], r.values[1], r.values[2], r.values[3], r.values[4], r.values[5], r.values[6], r.values[7]};
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<std::vector<std::string>> EffectivePrefixes(const std::string& jurisdiction, const std::vector<std::string>& filters) {
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
        return Status::Error(StatusCode::kInvalidArgument,
                             "筛选区划 " + filters[i] + " 不在部门辖区（" + jurisdiction + "）内",
                             "filter region " + filters[i] + " lies outside the department's jurisdiction (" +
                                 jurisdiction + ")");
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
    case StrataKind::kNone: return std::string();
    case StrataKind::kRiskClass: return s.risk_class.empty() ? std::string("none") : std::string(s.risk_class);
    case StrataKind::kRegion: return std::string(s.region.substr(0, static_cast<std::size_t>(spec_.region_digits)));
    case StrataKind::kLabel:
      for (const auto& l : spec_.strata_labels)
        if (ListHas(s.labels, l)) return l;
      return "other";
  }
  return std::string();
}

// ---------------------------------------------------------------------------------------------

std::uint32_t SubjectIndex::Intern(std::vector<std::string>& dict, std::string_view s) {
  auto& ids = &dict == &industries_ ? industry_ids_ : label_ids_;
  if (ids.size() != dict.size()) {  // dictionaries copied or swapped in: rebuild the lookup
    ids.clear();
    for (std::size_t i = 0; i < dict.size(); ++i) ids.emplace(dict[i], static_cast<std::uint32_t>(i));
  }
  auto it = ids.find(std::string(s));
  if (it != ids.end()) return it->second;
  dict.emplace_back(s);
  ids.emplace(std::string(s), static_cast<std::uint32_t>(dict.size() - 1));
  return static_cast<std::uint32_t>(dict.size() - 1);
}

void SubjectIndex::Append(const SubjectFacts& f) {
  usccs_.append(f.uscc.substr(0, 18));
  usccs_.append(18 - std::min<std::size_t>(18, f.uscc.size()), ' ');
  regions_.append(f.region.substr(0, 6));
  regions_.append(6 - std::min<std::size_t>(6, f.region.size()), ' ');
  registered_.append(f.registered_on.substr(0, 10));
  registered_.append(10 - std::min<std::size_t>(10, f.registered_on.size()), ' ');
  type_.push_back(Code(kTypes, f.type));
  status_.push_back(Code(kStatuses, f.status));
  risk_.push_back(Code(kRisks, f.risk_class));
  industry_.push_back(static_cast<std::uint16_t>(Intern(industries_, f.industry)));
  labels_.push_back(Intern(label_sets_, f.labels));
  ++n_;
}

void SubjectIndex::Set(std::size_t i, const SubjectFacts& f) {
  std::memcpy(&regions_[i * 6], f.region.data(), std::min<std::size_t>(6, f.region.size()));
  std::memcpy(&registered_[i * 10], f.registered_on.data(), std::min<std::size_t>(10, f.registered_on.size()));
  type_[i] = Code(kTypes, f.type);
  status_[i] = Code(kStatuses, f.status);
  risk_[i] = Code(kRisks, f.risk_class);
  industry_[i] = static_cast<std::uint16_t>(Intern(industries_, f.industry));
  labels_[i] = Intern(label_sets_, f.labels);
}

SubjectFacts SubjectIndex::FactsOf(std::size_t i) const {
  return SubjectFacts{uscc(i),
                      kTypes[type_[i]],
                      std::string_view(regions_.data() + i * 6, 6),
                      industries_[industry_[i]],
                      std::string_view(registered_.data() + i * 10, 10),
                      kStatuses[status_[i]],
                      kRisks[risk_[i]],
                      label_sets_[labels_[i]]};
}

std::size_t SubjectIndex::MemoryBytes() const {
  std::size_t b = usccs_.capacity() + regions_.capacity() + registered_.capacity() + type_.capacity() +
                  status_.capacity() + risk_.capacity() + industry_.capacity() * 2 + labels_.capacity() * 4;
  for (const auto& s : industries_) b += sizeof(std::string) + s.capacity();
  for (const auto& s : label_sets_) b += sizeof(std::string) + s.capacity();
  return b;
}

Result<std::unique_ptr<SubjectIndex>> SubjectIndex::Load(Database& db, const std::function<void(std::uint64_t)>& progress) {
  std::unique_ptr<SubjectIndex> idx(new SubjectIndex());
  // The audit position first: changes committed after it are applied by the next CatchUp
  // (applying a change twice is harmless).
  Status st = ScanRows(db, "SELECT seq FROM audit_head WHERE id = 1", {}, [&](const ScanRow& r) {
    idx->audit_seq_ = std::stoll(std::string(r.values[0]));
    return true;
  });
  if (!st.ok()) return st;
  std::int64_t count = 0;
  st = ScanRows(db, "SELECT COUNT(*) FROM subjects", {}, [&](const ScanRow& r) {
    count = std::stoll(std::string(r.values[0]));
    return true;
  });
  if (!st.ok()) return st;
  const auto n = static_cast<std::size_t>(count);
  idx->usccs_.reserve(n * 18);
  idx->regions_.reserve(n * 6);
  idx->registered_.reserve(n * 10);
  for (auto* v : {&idx->type_, &idx->status_, &idx->risk_}) v->reserve(n);
  idx->industry_.reserve(n);
  idx->labels_.reserve(n);
  std::uint64_t rows = 0;
  // ORDER BY the primary key: the index comes out sorted by USCC, as pools must be.
  st = ScanRows(db, std::string("SELECT ") + kSubjectColumns + " FROM subjects ORDER BY uscc", {},
                [&](const ScanRow& r) {
                  idx->Append(FactsOfRow(r));
                  if (progress && (++rows % 100000) == 0) progress(rows);
                  return true;
                });
  if (!st.ok()) return st;
  // PostgreSQL sorts by the collation; the pool needs byte order (USCCs are ASCII
  // digits and capitals, for which C and most collations agree, but do not rely on it).
  bool sorted = true;
  for (std::size_t i = 1; i < idx->n_ && sorted; ++i) sorted = idx->uscc(i - 1) < idx->uscc(i);
  if (!sorted) {
    std::vector<std::uint32_t> perm(idx->n_);
    std::iota(perm.begin(), perm.end(), 0u);
    std::sort(perm.begin(), perm.end(), [&](std::uint32_t a, std::uint32_t b) { return idx->uscc(a) < idx->uscc(b); });
    std::unique_ptr<SubjectIndex> sorted_idx(new SubjectIndex());
    sorted_idx->audit_seq_ = idx->audit_seq_;
    sorted_idx->industries_ = idx->industries_;
    sorted_idx->label_sets_ = idx->label_sets_;
    for (auto i : perm) sorted_idx->Append(idx->FactsOf(i));
    idx = std::move(sorted_idx);
  }
  return idx;
}

Status SubjectIndex::CatchUp(Database& db) {
  std::set<std::string> changed;
  std::int64_t last = audit_seq_;
  Status st = ScanRows(db, "SELECT seq, entity_key FROM audit_log WHERE seq > ? AND entity = 'subject' ORDER BY seq",
                       {std::to_string(audit_seq_)}, [&](const ScanRow& r) {
                         last = std::max<std::int64_t>(last, std::stoll(std::string(r.values[0])));
                         changed.emplace(r.values[1]);
                         return true;
                       });
  if (!st.ok()) return st;
  // The head may have moved on through other entities; remember it so the scan stays short.
  st = ScanRows(db, "SELECT seq FROM audit_head WHERE id = 1", {}, [&](const ScanRow& r) {
    last = std::max<std::int64_t>(last, std::stoll(std::string(r.values[0])));
    return true;
  });
  if (!st.ok()) return st;
  if (changed.empty()) {
    audit_seq_ = last;
    return Status::Ok();
  }
  const std::size_t sorted_n = n_;  // [0, sorted_n) is sorted; appended subjects follow
  const std::string sql = std::string("SELECT ") + kSubjectColumns + " FROM subjects WHERE uscc = ?";
  for (const auto& key : changed) {
    std::size_t lo = 0, hi = sorted_n;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (uscc(mid) < std::string_view(key)) lo = mid + 1; else hi = mid;
    }
    const bool known = lo < sorted_n && uscc(lo) == std::string_view(key);
    bool found = false;
    st = ScanRows(db, sql, {key}, [&](const ScanRow& r) {
      found = true;
      if (known) Set(lo, FactsOfRow(r)); else Append(FactsOfRow(r));
      return true;
    });
    if (!st.ok()) return st;
    // Removed from the directory: keep the slot, never eligible.
    if (!found && known) status_[lo] = static_cast<std::uint8_t>(std::size(kStatuses) - 1);
  }
  if (n_ > sorted_n) {
    // New subjects: one re-sort for the whole batch.
    std::vector<std::uint32_t> perm(n_);
    std::iota(perm.begin(), perm.end(), 0u);
    std::sort(perm.begin(), perm.end(), [&](std::uint32_t a, std::uint32_t b) { return uscc(a) < uscc(b); });
    SubjectIndex copy;
    copy.industries_ = industries_;
    copy.label_sets_ = label_sets_;
    for (auto i : perm) copy.Append(FactsOf(i));
    usccs_.swap(copy.usccs_);
    regions_.swap(copy.regions_);
    registered_.swap(copy.registered_);
    type_.swap(copy.type_);
    status_.swap(copy.status_);
    risk_.swap(copy.risk_);
    industry_.swap(copy.industry_);
    labels_.swap(copy.labels_);
    industries_.swap(copy.industries_);
    label_sets_.swap(copy.label_sets_);
    industry_ids_.clear();
    label_ids_.clear();
  }
  audit_seq_ = last;
  return Status::Ok();
}

void SubjectIndex::Scan(const std::vector<std::string>& prefixes,
                        const std::function<void(std::size_t, const SubjectFacts&)>& fn) const {
  ScanIndices(prefixes, [&](std::size_t i) {
    fn(i, FactsOf(i));
    return true;
  });
}

void SubjectIndex::ScanIndices(const std::vector<std::string>& prefixes, const std::function<bool(std::size_t)>& fn) const {
  for (std::size_t i = 0; i < n_; ++i) {
    if (!prefixes.empty()) {
      const char* r = regions_.data() + i * 6;
      bool in = false;
      for (const auto& p : prefixes) {
        if (std::memcmp(r, p.data(), std::min<std::size_t>(6, p.size())) == 0) {
          in = true;
          break;
        }
      }
      if (!in) continue;
    }
    if (!fn(i)) return;
  }
}

// ---------------------------------------------------------------------------------------------

Result<FrozenPool> BuildPool(Database& db, const PoolFilter& filter, const std::unordered_set<std::string>& excluded,
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
      auto row_fn = [&](const ScanRow& r) {
        add(FactsOfRow(r));
        return problem.ok();
      };
      if (p.empty()) {
        st = ScanRows(db, base, {}, row_fn);
      } else {
        std::string hi = p;
        hi.back() = static_cast<char>(hi.back() + 1);
        st = ScanRows(db, base + " AND region >= ? AND region < ?", {p, hi}, row_fn);
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
  for (std::size_t i = 1; i < n && sorted; ++i) sorted = key(static_cast<std::uint32_t>(i - 1)) < key(static_cast<std::uint32_t>(i));
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
