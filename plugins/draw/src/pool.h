// Building a task's pool: which subjects are eligible, and their strata.
//
// One predicate (PoolFilter) decides for both sources of subjects: a scan of the subjects
// table (the CLI, a one-shot process) and the in-memory SubjectIndex (long-running
// processes and the benchmark), so both give the same pool.
// Thread safety: PoolFilter is immutable after construction; SubjectIndex is not
// thread-safe (one owner; CatchUp mutates it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "database.h"
#include "task_spec.h"
#include "xinjian/sampler.h"
#include "xinjian/status.h"

namespace xj::draw {

// A ';'-separated stored list (labels, qualifications, jurisdiction), empty parts dropped.
std::vector<std::string_view> SplitStoredList(std::string_view s);
// A GB/T 2260 code without its trailing "00" pairs: the prefix that covers its area
// ("330200" -> "3302").
std::string TrimRegion(std::string r);

// The columns of a subject that the pool looks at, as stored.
struct SubjectFacts {
  std::string_view uscc, type, region, industry, registered_on, status, risk_class, labels;
};

// What an item requires of its subjects (from the item list).
struct ItemScope {
  std::string code;
  std::vector<std::string> target_types;   // empty = any
  std::vector<std::string> target_labels;  // empty = any
};

// True when the item's target types and labels admit the subject.
bool ItemApplies(const ItemScope& item, const SubjectFacts& s);

class PoolFilter {
 public:
  // `region_prefixes`: the effective prefixes (jurisdiction ∩ filters), empty = everywhere.
  PoolFilter(const TaskSpec& spec, std::vector<std::string> region_prefixes, std::vector<ItemScope> items);
  // True when the subject is active, inside the prefixes and matches every filter and every
  // item (or, for a task of scope any_item, at least one item).
  bool Matches(const SubjectFacts& s) const { return MatchesPlace(s) && MatchesCategories(s); }
  // Matches in two halves, for callers that memoise the second: the checks on the
  // subject's own region and registration date, and those on its categorical facts
  // (status, type, industry, labels, the items' scopes).
  bool MatchesPlace(const SubjectFacts& s) const;
  bool MatchesCategories(const SubjectFacts& s) const;
  // The stratum label of a matching subject.
  std::string StratumOf(const SubjectFacts& s) const;
  // True when StratumOf looks at the region (otherwise only at categorical facts).
  bool StratumByPlace() const { return spec_.strata == StrataKind::kRegion; }
  const std::vector<std::string>& region_prefixes() const { return prefixes_; }

 private:
  const TaskSpec& spec_;
  std::vector<std::string> prefixes_;
  std::vector<ItemScope> items_;
};

// Intersects a department's jurisdiction ("" = unlimited, else ';'-separated prefixes) with a
// task's region filters. Returns the effective prefixes (empty = everywhere), or
// kInvalidArgument naming a filter region that lies outside the jurisdiction.
Result<std::vector<std::string>> EffectivePrefixes(const std::string& jurisdiction, const std::vector<std::string>& filters);

// The in-memory subject directory: about 45 bytes per subject in flat arrays, sorted by
// USCC, kept in step with the database through the audit log (every directory write leaves
// one audit record per changed subject, so CatchUp re-reads exactly the changed ones).
class SubjectIndex {
 public:
  // Loads every subject (progress: rows loaded so far, may be empty).
  static Result<std::unique_ptr<SubjectIndex>> Load(Database& db,
                                                    const std::function<void(std::uint64_t)>& progress = {});
  // Applies the directory changes committed since the last Load/CatchUp.
  Status CatchUp(Database& db);
  std::size_t size() const { return n_; }
  std::size_t MemoryBytes() const;
  // Calls `fn(i, facts)` for each subject whose region starts with one of `prefixes` (all
  // when empty), in USCC order.
  void Scan(const std::vector<std::string>& prefixes, const std::function<void(std::size_t, const SubjectFacts&)>& fn) const;
  // The same walk giving only the position; stops when `fn` returns false.
  void ScanIndices(const std::vector<std::string>& prefixes, const std::function<bool(std::size_t)>& fn) const;
  std::string_view uscc(std::size_t i) const { return {usccs_.data() + i * 18, 18}; }
  // The subject's facts; CategoryKey(i) == CategoryKey(j) implies equal status, type,
  // industry, risk class and labels (a key for memoising decisions on those).
  SubjectFacts FactsOf(std::size_t i) const;
  // Only the USCC, region and registration date (what PoolFilter::MatchesPlace reads).
  SubjectFacts PlaceOf(std::size_t i) const {
    SubjectFacts f;
    f.uscc = uscc(i);
    f.region = std::string_view(regions_.data() + i * 6, 6);
    f.registered_on = std::string_view(registered_.data() + i * 10, 10);
    return f;
  }
  std::uint64_t CategoryKey(std::size_t i) const {
    return std::uint64_t{type_[i]} | std::uint64_t{status_[i]} << 8 | std::uint64_t{risk_[i]} << 16 |
           std::uint64_t{industry_[i]} << 24 | std::uint64_t{labels_[i]} << 40;
  }

 private:
  SubjectIndex() = default;
  void Append(const SubjectFacts& f);
  void Set(std::size_t i, const SubjectFacts& f);
  std::uint32_t Intern(std::vector<std::string>& dict, std::string_view s);

  std::size_t n_ = 0;
  std::string usccs_;         // 18 bytes each
  std::string regions_;       // 6 bytes each
  std::string registered_;    // 10 bytes each
  std::vector<std::uint8_t> type_, status_, risk_;
  std::vector<std::uint16_t> industry_;  // into industries_
  std::vector<std::uint32_t> labels_;    // into label_sets_
  std::vector<std::string> industries_, label_sets_;
  std::unordered_map<std::string, std::uint32_t> industry_ids_, label_ids_;  // lookups for Intern
  std::int64_t audit_seq_ = 0;  // the audit record the index reflects
  // Subjects inserted since the load that fall between existing USCCs are kept in order by
  // rebuilding (rare: imports append new subjects in bulk and CatchUp re-sorts once).
};

// Builds the frozen pool of a task from the database or, when `index` is given, from it.
// `excluded` holds USCCs left out by the task's exclusions.
Result<FrozenPool> BuildPool(Database& db, const PoolFilter& filter, const std::unordered_set<std::string>& excluded,
                             const SubjectIndex* index);

}  // namespace xj::draw
