// GB/T 2260 administrative division codes, from the table shipped in schemas/data/gb2260.tsv
// (compiled into the binary). The table lists county-level codes; a prefecture code
// (XXYY00) or a province code (XX0000) is valid when the table has a county under it.
// Thread-safe after construction (read-only).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "xinjian/directory.h"
#include "xinjian/status.h"

namespace xj {

struct Region {
  std::string code;        // 6 digits
  std::string county;      // 县级名称 (empty for a prefecture or province code)
  std::string prefecture;  // 地级名称
  std::string province;    // 省级名称
};

class RegionTable {
 public:
  // The table compiled into the binary. Built on first use.
  static const RegionTable& Builtin();
  // Parses the TSV format of gb2260.tsv (comment lines start with '#', a header line
  // "code\tcounty\tprefecture\tprovince").
  static Result<RegionTable> Parse(std::string_view tsv);

  // True for a listed county code, or a prefecture/province code with a listed county.
  bool IsValid(std::string_view code) const;
  // Validates and returns a bilingual message on failure (6 digits, known code).
  Status Validate(std::string_view code) const;
  // County codes whose code starts with `prefix` (e.g. "33", "3302"), sorted.
  std::vector<const Region*> CountiesUnder(std::string_view prefix) const;
  const Region* Find(std::string_view code) const;  // county codes only
  std::size_t size() const { return regions_.size(); }

 private:
  std::vector<Region> regions_;  // sorted by code
};

// RegionTable::Builtin() as the SDK's RegionCodes (xinjian/directory.h: Platform::Regions).
const RegionCodes& BuiltinRegionCodes();

}  // namespace xj
