#include "regions.h"

#include <algorithm>
#include <stdexcept>

#include "embedded.h"
#include "text.h"

namespace xj {
namespace {

bool SixDigits(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool Less(const Region& r, std::string_view code) { return std::string_view(r.code) < code; }

}  // namespace

const RegionTable& RegionTable::Builtin() {
  static const RegionTable table = [] {
    const EmbeddedFile* f = FindSchemaFile("data/gb2260.tsv");
    if (f == nullptr) throw std::logic_error("data/gb2260.tsv is not embedded in the binary");
    Result<RegionTable> t = Parse(f->view());
    if (!t.ok()) throw std::logic_error("embedded data/gb2260.tsv is invalid: " + t.status().message());
    return std::move(t).value();
  }();
  return table;
}

Result<RegionTable> RegionTable::Parse(std::string_view tsv) {
  RegionTable table;
  std::size_t start = 0;
  std::size_t line_no = 0;
  bool header_seen = false;
  auto fail = [&](const std::string& zh, const std::string& en) {
    return Status::Error(StatusCode::kInvalidArgument, "行政区划表第 " + std::to_string(line_no) + " 行：" + zh,
                         "region table line " + std::to_string(line_no) + ": " + en);
  };
  while (start < tsv.size()) {
    std::size_t end = tsv.find('\n', start);
    if (end == std::string_view::npos) end = tsv.size();
    std::string_view line = tsv.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    std::string_view cols[4];
    std::size_t n = 0, s = 0;
    while (n < 4) {
      std::size_t e = line.find('\t', s);
      if (e == std::string_view::npos) {
        cols[n++] = line.substr(s);
        s = line.size() + 1;
        break;
      }
      cols[n++] = line.substr(s, e - s);
      s = e + 1;
    }
    if (n != 4 || s <= line.size()) return fail("应为 4 列（以制表符分隔）", "expected 4 tab-separated columns");
    if (!header_seen && cols[0] == "code") {
      header_seen = true;
      continue;
    }
    if (!SixDigits(cols[0]))
      return fail("代码 '" + std::string(cols[0]) + "' 不是 6 位数字",
                  "code '" + std::string(cols[0]) + "' is not 6 digits");
    if (cols[0].substr(4) == "00") {
      return fail("代码 " + std::string(cols[0]) + " 不是县级代码",
                  "code " + std::string(cols[0]) + " is not a county code");
    }
    for (std::size_t i = 1; i < 4; ++i) {
      if (cols[i].empty() || !text::IsValidUtf8(cols[i]) || text::HasControlChar(cols[i]))
        return fail("名称为空或无效", "a name is empty or invalid");
    }
    table.regions_.push_back(
        Region{std::string(cols[0]), std::string(cols[1]), std::string(cols[2]), std::string(cols[3])});
  }
  std::sort(table.regions_.begin(), table.regions_.end(),
            [](const Region& a, const Region& b) { return a.code < b.code; });
  for (std::size_t i = 1; i < table.regions_.size(); ++i) {
    if (table.regions_[i].code == table.regions_[i - 1].code) {
      line_no = 0;
      return Status::Error(StatusCode::kInvalidArgument, "行政区划表中代码 " + table.regions_[i].code + " 重复",
                           "region table: duplicate code " + table.regions_[i].code);
    }
  }
  return table;
}

const Region* RegionTable::Find(std::string_view code) const {
  auto it = std::lower_bound(regions_.begin(), regions_.end(), code, Less);
  if (it == regions_.end() || it->code != code) return nullptr;
  return &*it;
}

bool RegionTable::IsValid(std::string_view code) const {
  if (!SixDigits(code)) return false;
  std::string_view prefix = code;
  if (code.substr(2) == "0000") {
    prefix = code.substr(0, 2);
  } else if (code.substr(4) == "00") {
    prefix = code.substr(0, 4);
  } else {
    return Find(code) != nullptr;
  }
  auto it = std::lower_bound(regions_.begin(), regions_.end(), prefix, Less);
  return it != regions_.end() && std::string_view(it->code).substr(0, prefix.size()) == prefix;
}

Status RegionTable::Validate(std::string_view code) const {
  if (!SixDigits(code)) {
    return Status::Error(StatusCode::kInvalidArgument, "行政区划代码应为 6 位数字，实际为 '" + std::string(code) + "'",
                         "a region code must be 6 digits, got '" + std::string(code) + "'");
  }
  if (!IsValid(code)) {
    return Status::Error(StatusCode::kInvalidArgument, "未知的行政区划代码 " + std::string(code) + "（GB/T 2260）",
                         "unknown region code " + std::string(code) + " (GB/T 2260)");
  }
  return Status::Ok();
}

std::vector<const Region*> RegionTable::CountiesUnder(std::string_view prefix) const {
  std::vector<const Region*> out;
  auto it = std::lower_bound(regions_.begin(), regions_.end(), prefix, Less);
  for (; it != regions_.end() && std::string_view(it->code).substr(0, prefix.size()) == prefix; ++it)
    out.push_back(&*it);
  return out;
}

const RegionCodes& BuiltinRegionCodes() {
  class Builtin final : public RegionCodes {
   public:
    bool IsValid(std::string_view code) const override { return RegionTable::Builtin().IsValid(code); }
  };
  static const Builtin codes;
  return codes;
}

}  // namespace xj
