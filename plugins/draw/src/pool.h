// Building a task's pool: which subjects are eligible, and their strata.
//
// One predicate (PoolFilter) decides for both sources of subjects: a scan of the subjects
// table (the CLI, a one-shot process) and the platform's in-memory subject index
// (xinjian/directory.h: long-running processes and the benchmark), so both give the same pool.
// Thread safety: PoolFilter is immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "task_spec.h"
#include "xinjian/directory.h"
#include "xinjian/sampler.h"
#include "xinjian/sql.h"
#include "xinjian/status.h"

namespace xj::draw {

// A GB/T 2260 code without its trailing "00" pairs: the prefix that covers its area
// ("330200" -> "3302").
std::string TrimRegion(std::string r);

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

// Builds the frozen pool of a task from the subjects table (read through `sql`) or, when
// `index` is given, from the subject index (a lease's). `excluded` holds USCCs left out by the
// task's exclusions.
Result<FrozenPool> BuildPool(Sql& sql, const PoolFilter& filter, const std::unordered_set<std::string>& excluded,
                             const SubjectIndex* index);

}  // namespace xj::draw
