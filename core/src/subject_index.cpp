// See subject_index.h. Moved from the draw's pool.cpp (issue 13, step 4a) unchanged in what it
// reads and how it orders.
#include "subject_index.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <numeric>
#include <set>
#include <string>

#include "scan.h"

namespace xj {
namespace {

template <std::size_t N>
std::uint8_t Code(const std::string_view (&table)[N], std::string_view v) {
  for (std::size_t i = 0; i < N; ++i)
    if (v == table[i]) return static_cast<std::uint8_t>(i);
  return 0;
}

constexpr const char* kSubjectColumns =
    "uscc, type, region, COALESCE(industry, ''), registered_on, status, COALESCE(risk_class, ''), labels, listings";

SubjectFacts FactsOfRow(const ScanRow& r) {
  return SubjectFacts{r.values[0], r.values[1], r.values[2], r.values[3], r.values[4],
                      r.values[5], r.values[6], r.values[7], r.values[8]};
}

}  // namespace

std::uint32_t SubjectIndexBuilder::Intern(SubjectIndex& x, std::vector<std::string>& dict, std::string_view s) {
  auto& ids = &dict == &x.industries_ ? x.industry_ids_ : &dict == &x.label_sets_ ? x.label_ids_ : x.listing_ids_;
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

void SubjectIndexBuilder::Append(SubjectIndex& x, const SubjectFacts& f) {
  x.usccs_.append(f.uscc.substr(0, 18));
  x.usccs_.append(18 - std::min<std::size_t>(18, f.uscc.size()), ' ');
  x.regions_.append(f.region.substr(0, 6));
  x.regions_.append(6 - std::min<std::size_t>(6, f.region.size()), ' ');
  x.registered_.append(f.registered_on.substr(0, 10));
  x.registered_.append(10 - std::min<std::size_t>(10, f.registered_on.size()), ' ');
  x.type_.push_back(Code(kSubjectTypes, f.type));
  x.status_.push_back(Code(kSubjectStatuses, f.status));
  x.risk_.push_back(Code(kRiskClasses, f.risk_class));
  x.industry_.push_back(static_cast<std::uint16_t>(Intern(x, x.industries_, f.industry)));
  x.labels_.push_back(Intern(x, x.label_sets_, f.labels));
  x.listings_.push_back(Intern(x, x.listing_sets_, f.listings));
  ++x.n_;
}

void SubjectIndexBuilder::Set(SubjectIndex& x, std::size_t i, const SubjectFacts& f) {
  std::memcpy(&x.regions_[i * 6], f.region.data(), std::min<std::size_t>(6, f.region.size()));
  std::memcpy(&x.registered_[i * 10], f.registered_on.data(), std::min<std::size_t>(10, f.registered_on.size()));
  x.type_[i] = Code(kSubjectTypes, f.type);
  x.status_[i] = Code(kSubjectStatuses, f.status);
  x.risk_[i] = Code(kRiskClasses, f.risk_class);
  x.industry_[i] = static_cast<std::uint16_t>(Intern(x, x.industries_, f.industry));
  x.labels_[i] = Intern(x, x.label_sets_, f.labels);
  x.listings_[i] = Intern(x, x.listing_sets_, f.listings);
}

std::unique_ptr<SubjectIndex> SubjectIndexBuilder::Sorted(const SubjectIndex& x) {
  std::vector<std::uint32_t> perm(x.n_);
  std::iota(perm.begin(), perm.end(), 0u);
  std::sort(perm.begin(), perm.end(), [&](std::uint32_t a, std::uint32_t b) { return x.uscc(a) < x.uscc(b); });
  std::unique_ptr<SubjectIndex> out(new SubjectIndex());
  out->audit_seq_ = x.audit_seq_;
  out->industries_ = x.industries_;
  out->label_sets_ = x.label_sets_;
  out->listing_sets_ = x.listing_sets_;
  for (auto i : perm) Append(*out, x.FactsOf(i));
  return out;
}

Result<std::unique_ptr<SubjectIndex>> SubjectIndexBuilder::Load(Database& db,
                                                                const std::function<void(std::uint64_t)>& progress) {
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
  idx->listings_.reserve(n);
  std::uint64_t rows = 0;
  // ORDER BY the primary key: the index comes out sorted by USCC, as pools must be.
  st = ScanRows(db, std::string("SELECT ") + kSubjectColumns + " FROM subjects ORDER BY uscc", {},
                [&](const ScanRow& r) {
                  Append(*idx, FactsOfRow(r));
                  if (progress && (++rows % 100000) == 0) progress(rows);
                  return true;
                });
  if (!st.ok()) return st;
  // PostgreSQL sorts by the collation; the pool needs byte order (USCCs are ASCII
  // digits and capitals, for which C and most collations agree, but do not rely on it).
  bool sorted = true;
  for (std::size_t i = 1; i < idx->n_ && sorted; ++i) sorted = idx->uscc(i - 1) < idx->uscc(i);
  if (!sorted) idx = Sorted(*idx);
  return idx;
}

Status SubjectIndexBuilder::CatchUp(SubjectIndex& x, Database& db) {
  std::set<std::string> changed;
  std::int64_t last = x.audit_seq_;
  Status st = ScanRows(db, "SELECT seq, entity_key FROM audit_log WHERE seq > ? AND entity = 'subject' ORDER BY seq",
                       {std::to_string(x.audit_seq_)}, [&](const ScanRow& r) {
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
    x.audit_seq_ = last;
    return Status::Ok();
  }
  const std::size_t sorted_n = x.n_;  // [0, sorted_n) is sorted; appended subjects follow
  const std::string sql = std::string("SELECT ") + kSubjectColumns + " FROM subjects WHERE uscc = ?";
  for (const auto& key : changed) {
    std::size_t lo = 0, hi = sorted_n;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (x.uscc(mid) < std::string_view(key))
        lo = mid + 1;
      else
        hi = mid;
    }
    const bool known = lo < sorted_n && x.uscc(lo) == std::string_view(key);
    bool found = false;
    st = ScanRows(db, sql, {key}, [&](const ScanRow& r) {
      found = true;
      if (known)
        Set(x, lo, FactsOfRow(r));
      else
        Append(x, FactsOfRow(r));
      return true;
    });
    if (!st.ok()) return st;
    // Removed from the directory: keep the slot, never eligible ("missing").
    if (!found && known) x.status_[lo] = static_cast<std::uint8_t>(std::size(kSubjectStatuses) - 1);
  }
  if (x.n_ > sorted_n) {
    // New subjects: one re-sort for the whole batch.
    std::unique_ptr<SubjectIndex> copy = Sorted(x);
    x.usccs_.swap(copy->usccs_);
    x.regions_.swap(copy->regions_);
    x.registered_.swap(copy->registered_);
    x.type_.swap(copy->type_);
    x.status_.swap(copy->status_);
    x.risk_.swap(copy->risk_);
    x.industry_.swap(copy->industry_);
    x.labels_.swap(copy->labels_);
    x.listings_.swap(copy->listings_);
    x.industries_.swap(copy->industries_);
    x.label_sets_.swap(copy->label_sets_);
    x.listing_sets_.swap(copy->listing_sets_);
    x.industry_ids_.clear();
    x.label_ids_.clear();
    x.listing_ids_.clear();
  }
  x.audit_seq_ = last;
  return Status::Ok();
}

}  // namespace xj
