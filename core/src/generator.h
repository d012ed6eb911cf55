// Deterministic, realistic directory data for demos, tests and benchmarks
// (`xinjian gen`). The same kind, seed, province and index always give the same record, so
// relations generated separately refer to subjects and inspectors that exist.
// Thread-safe (no shared state).
#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include "xinjian/status.h"

namespace xj::gen {

struct Options {
  std::uint64_t count = 1000;
  std::uint64_t seed = 1;
  std::string province = "33";      // 2-digit GB/T 2260 province prefix; most regions fall in it
  std::uint32_t departments = 5;    // inspectors and items are spread over the first N departments
  // For relations: the sizes of the subject and inspector sets generated with the same seed.
  std::uint64_t subjects = 50000;
  std::uint64_t inspectors = 300;
  // Subjects: with the risk_class column (a class for 98 % of them). Without it, an import
  // leaves the stored classes alone (the directory import keeps columns a file does not carry):
  // what the demo does, where the credit plugin's risk classification sets them.
  bool risk_class = true;
};

// Kinds: "subjects", "inspectors", "items", "relations", "departments".
// Writes a CSV file with a header row in the import format (docs/import.md) to `out`.
// Progress is not reported here. Returns kInvalidArgument for an unknown kind or province.
Status WriteCsv(const std::string& kind, const Options& options, std::ostream& out);

// The USCC of subject number `index` (0-based) for `seed` and `province` (valid check char).
std::string SubjectUscc(std::uint64_t seed, const std::string& province, std::uint64_t index);
// The id of inspector number `index` for `seed` (e.g. "SCJG000123"; the prefix is its department code).
std::string InspectorId(std::uint64_t seed, std::uint32_t departments, std::uint64_t index);

// The built-in department codes in order: SCJG 市场监督管理局, WJW 卫生健康委员会,
// YJGL 应急管理局, ZJ 住房和城乡建设局, STHJ 生态环境局, then D06, D07, ...
std::string DepartmentCode(std::uint32_t index);
std::string DepartmentName(std::uint32_t index);

}  // namespace xj::gen
