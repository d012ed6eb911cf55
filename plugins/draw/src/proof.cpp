// The proof folder: its public variant, writing it, and verifying it from the files alone.
// See proof.h; the order of the checks and every message are those of docs/draw.md,
// "Verifying a proof, step by step", which tools/verify_draw.py and
// plugins/draw/web/verify-draw.js follow too.
#include "proof.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "draw_v1.h"
#include "xinjian/entropy.h"
#include "xinjian/sampler.h"

namespace xj::draw {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr std::uintmax_t kMaxProofJson = 1 << 20;
constexpr std::uintmax_t kMaxTsv = std::uintmax_t{2} << 30;  // this verifier reads files up to 2 GiB
constexpr int kMaxJsonDepth = 20;
constexpr std::size_t kQuoteMax = 160;
constexpr std::uint64_t kSafeMax = (std::uint64_t{1} << 53) - 1;

// ---------------------------------------------------------------------------------------------
// Findings: a failed check, in Chinese and English (the English is what the three verifiers
// share). `not_a_proof`: the folder is no proof folder at all (exit 1 rather than 3).

struct Finding {
  std::string zh, en;
  bool not_a_proof = false;
};
using Check = std::optional<Finding>;  // nullopt: the check passed

Check Mis(std::string zh, std::string en) { return Finding{std::move(zh), std::move(en), false}; }

std::string Num(std::uint64_t n) { return std::to_string(n); }

// ---------------------------------------------------------------------------------------------
// Bytes.

// The length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7), or 0.
std::size_t Utf8Len(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c == 0xE0) {
    n = 3;
    lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    n = 3;
  } else if (c == 0xED) {
    n = 3;
    hi = 0x9F;
  } else if (c == 0xF0) {
    n = 4;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    n = 4;
  } else if (c == 0xF4) {
    n = 4;
    hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if (c1 < lo || c1 > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    const auto ck = static_cast<unsigned char>(s[i + k]);
    if (ck < 0x80 || ck > 0xBF) return 0;
  }
  return n;
}

// An identifier of docs/draw-v1.md: well-formed UTF-8 without a byte below 0x20 or 0x7F.
bool ValidIdBytes(std::string_view s, bool allow_empty = false) {
  if (s.empty()) return allow_empty;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    const std::size_t n = Utf8Len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool LowerHex64(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool EvenHex(std::string_view s) {
  return s.size() % 2 == 0 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// Splits `s` on LF as Python's bytes.split does (n LFs give n + 1 pieces).
class Pieces {
 public:
  explicit Pieces(std::string_view s) : s_(s) {}
  std::optional<std::string_view> Next() {
    if (done_) return std::nullopt;
    const std::size_t nl = s_.find('\n', pos_);
    if (nl == std::string_view::npos) {
      done_ = true;
      return s_.substr(pos_);
    }
    const std::string_view piece = s_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    return piece;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  bool done_ = false;
};

// ---------------------------------------------------------------------------------------------
// Files.

enum class ReadOutcome { kOk, kMissing, kTooLarge, kFailed };

ReadOutcome ReadWhole(const std::string& dir, const std::string& name, std::uintmax_t max, std::string* out) {
  namespace fs = std::filesystem;
  const fs::path p = fs::path(dir) / name;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec) || ec) return ReadOutcome::kMissing;
  const std::uintmax_t size = fs::file_size(p, ec);
  if (ec) return ReadOutcome::kFailed;
  if (size > max) return ReadOutcome::kTooLarge;
  std::ifstream f(p, std::ios::binary);
  out->assign(static_cast<std::size_t>(size), '\0');
  f.read(out->data(), static_cast<std::streamsize>(size));
  if (!f) return ReadOutcome::kFailed;
  return ReadOutcome::kOk;
}

// A file of the folder; *present false when it is absent and not `required`.
Check ReadProofFile(const std::string& dir, const std::string& name, bool required, std::string* out,
                    bool* present = nullptr) {
  switch (ReadWhole(dir, name, kMaxTsv, out)) {
    case ReadOutcome::kOk:
      if (present != nullptr) *present = true;
      return std::nullopt;
    case ReadOutcome::kMissing:
      if (present != nullptr) *present = false;
      if (!required) return std::nullopt;
      return Mis("证明目录缺少 " + name, name + " is missing");
    case ReadOutcome::kTooLarge:
      return Mis(name + " 超过 2 GiB（本验证程序的上限）", name + " is larger than 2 GiB (this verifier's limit)");
    case ReadOutcome::kFailed:
      break;
  }
  return Mis("无法读取 " + name, "cannot read " + name);
}

using Row = std::vector<std::string_view>;

// Checks that every line ends with LF and has `fields` tab-separated fields (all lines first).
Check CheckLines(std::string_view data, const std::string& name, std::size_t fields) {
  if (!data.empty() && data.back() != '\n')
    return Mis(name + "：最后一行没有以换行符结尾", name + ": the last line does not end with a newline");
  std::size_t pos = 0, line = 0;
  while (pos < data.size()) {
    ++line;
    const std::size_t nl = data.find('\n', pos);
    const std::size_t tabs =
        static_cast<std::size_t>(std::count(data.begin() + static_cast<std::ptrdiff_t>(pos),
                                            data.begin() + static_cast<std::ptrdiff_t>(nl), '\t'));
    if (tabs + 1 != fields) {
      if (fields == 1)
        return Mis(name + " 第 " + Num(line) + " 行：应只有 1 列（不含制表符）",
                   name + " line " + Num(line) + ": expected 1 field (no tab)");
      return Mis(name + " 第 " + Num(line) + " 行：应有 " + Num(fields) + " 个以制表符分隔的字段",
                 name + " line " + Num(line) + ": expected " + Num(fields) + " tab-separated fields");
    }
    pos = nl + 1;
  }
  return std::nullopt;
}

// The rows of a file CheckLines accepted (views into `data`).
std::vector<Row> Rows(std::string_view data) {
  std::vector<Row> rows;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const std::size_t nl = data.find('\n', pos);
    Row row;
    std::size_t start = pos;
    for (;;) {
      const std::size_t tab = data.find('\t', start);
      if (tab == std::string_view::npos || tab > nl) {
        row.push_back(data.substr(start, nl - start));
        break;
      }
      row.push_back(data.substr(start, tab - start));
      start = tab + 1;
    }
    rows.push_back(std::move(row));
    pos = nl + 1;
  }
  return rows;
}

// Sorted by bytes with no line twice: every line greater than the one before (`data` passed
// CheckLines).
Check CheckCanonical(std::string_view data, const std::string& name) {
  std::string_view prev;
  for (std::size_t pos = 0, line = 0; pos < data.size(); ++line) {
    const std::size_t nl = data.find('\n', pos);
    const std::string_view l = data.substr(pos, nl - pos);
    if (line > 0 && !(prev < l))
      return Mis(name + "：未按字节排序或有重复行", name + ": not sorted by bytes or has a duplicate line");
    prev = l;
    pos = nl + 1;
  }
  return std::nullopt;
}

Finding FirstDifference(std::string_view expected, std::string_view actual, const std::string& name) {
  Pieces e(expected), a(actual);
  for (std::size_t n = 1;; ++n) {
    const auto el = e.Next(), al = a.Next();
    if (!el && !al) break;
    if (el != al) {
      const std::string es = el ? QuoteBytes(*el) : "end of file", as = al ? QuoteBytes(*al) : "end of file";
      const std::string es_zh = el ? QuoteBytes(*el) : "文件结尾", as_zh = al ? QuoteBytes(*al) : "文件结尾";
      return Finding{name + " 第 " + Num(n) + " 行：重算应为 " + es_zh + "，实为 " + as_zh,
                     name + " line " + Num(n) + ": expected " + es + ", found " + as};
    }
  }
  return Finding{name + " 不同", name + " differs"};
}

// ---------------------------------------------------------------------------------------------
// proof.json.

bool TooDeep(std::string_view data) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char ch : data) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (ch == '\\')
        escaped = true;
      else if (ch == '"')
        in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (ch == ']' || ch == '}') {
      --depth;
    }
  }
  return false;
}

Finding NotAProof(std::string zh, std::string en) { return Finding{std::move(zh), std::move(en), true}; }

Check LoadProofJson(const std::string& dir, json* proof) {
  std::string text;
  switch (ReadWhole(dir, "proof.json", kMaxProofJson, &text)) {
    case ReadOutcome::kOk:
      break;
    case ReadOutcome::kMissing:
      return NotAProof("证明目录缺少 proof.json", "proof.json is missing");
    case ReadOutcome::kTooLarge:
      return NotAProof("proof.json 超过 1 MiB", "proof.json is larger than 1 MiB");
    case ReadOutcome::kFailed:
      return NotAProof("无法读取 proof.json", "cannot read proof.json");
  }
  // nlohmann::json skips a byte order mark; JSON (and the other verifiers) do not.
  bool ok = !TooDeep(text) && text.rfind("\xEF\xBB\xBF", 0) != 0;
  if (ok) {
    try {
      *proof = json::parse(text);
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok) return NotAProof("proof.json 不是有效的 JSON", "proof.json is not valid JSON");
  if (!proof->is_object()) return NotAProof("proof.json 不是 JSON 对象", "proof.json is not a JSON object");
  return std::nullopt;
}

// A JSON number with a whole value from 0 to 2^53 - 1.
std::optional<std::uint64_t> Whole(const json& v) {
  if (v.is_number_unsigned()) {
    const auto n = v.get<std::uint64_t>();
    if (n <= kSafeMax) return n;
    return std::nullopt;
  }
  if (v.is_number_integer()) {
    if (v.get<std::int64_t>() == 0) return 0;  // -0
    return std::nullopt;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::floor(d) == d && d >= 0 && d <= static_cast<double>(kSafeMax))
      return static_cast<std::uint64_t>(d);
  }
  return std::nullopt;
}

const json* Field(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}
bool IsNone(const json* v) { return v == nullptr || v->is_null(); }

Check CheckFields(const json& p) {
  struct F {
    const char* key;
    char kind;  // s: string, n: whole number, o: object
  };
  for (const F f : {F{"algorithm", 's'}, F{"task_id", 's'}, F{"commitment", 's'}, F{"secret", 's'},
                    F{"entropy", 's'}, F{"pool_hash", 's'}, F{"pool_size", 'n'}, F{"seed", 's'}, F{"rule", 'o'},
                    F{"allocation", 'o'}, F{"selection_hash", 's'}}) {
    const json* v = Field(p, f.key);
    const std::string key = f.key;
    if (f.kind == 's' && (v == nullptr || !v->is_string()))
      return Mis("proof.json：缺少字符串字段 " + key, "proof.json: " + key + " is missing or not a string");
    if (f.kind == 'n' && (v == nullptr || !Whole(*v)))
      return Mis("proof.json：缺少整数字段 " + key, "proof.json: " + key + " is missing or not a whole number");
    if (f.kind == 'o' && (v == nullptr || !v->is_object()))
      return Mis("proof.json：缺少对象字段 " + key, "proof.json: " + key + " is missing or not an object");
  }
  return std::nullopt;
}

// {label: whole number} with valid labels (the empty label too); nullopt otherwise. A missing
// or null value is the empty map when `allow_none`.
std::optional<StratumCounts> LabelMap(const json* v, bool allow_none) {
  if (IsNone(v) && allow_none) return StratumCounts{};
  if (v == nullptr || !v->is_object()) return std::nullopt;
  StratumCounts out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    const auto n = Whole(it.value());
    if (!ValidIdBytes(it.key(), true) || !n) return std::nullopt;
    out[it.key()] = *n;
  }
  return out;
}

std::string ShowCounts(const StratumCounts& counts) {
  std::string out = "{";
  for (const auto& [label, n] : counts) out += (out.size() > 1 ? ", " : "") + QuoteBytes(label) + ": " + Num(n);
  return out + "}";
}

// The rule of proof.json, pre-checked so that Allocate cannot refuse it: docs/draw.md says
// which failures are "rule is malformed" and which name a stratum.
Check ParseRule(const json& r, const StratumCounts& sizes, Rule* rule) {
  const Finding malformed{"proof.json：rule 格式无效", "proof.json: rule is malformed"};
  const json* type = Field(r, "type");
  if (type != nullptr && *type == "ratio") {
    const auto ppm = LabelMap(Field(r, "ppm"), false);
    const auto mins = LabelMap(Field(r, "min"), true);
    const auto maxs = LabelMap(Field(r, "max"), true);
    if (!ppm || !mins || !maxs) return malformed;
    RatioRule rr;
    rr.min = *mins;
    rr.max = *maxs;
    for (const auto& [label, n] : sizes) {
      (void)n;
      auto it = ppm->find(label);
      if (it == ppm->end()) it = ppm->find("*");
      if (it == ppm->end())
        return Mis("规则：分层 " + QuoteBytes(label) + " 没有比例，也没有默认值",
                   "rule: no ratio for stratum " + QuoteBytes(label) + " and no default");
      if (it->second > 1000000) return Mis("规则：比例超出范围", "rule: ratio out of range");
      rr.ppm[it->first] = static_cast<std::uint32_t>(it->second);  // only the ratios used
    }
    *rule = rr;
    return std::nullopt;
  }
  if (type != nullptr && *type == "count") {
    const json* count = Field(r, "count");
    const auto n = count == nullptr ? std::nullopt : Whole(*count);
    if (!n) return malformed;
    *rule = CountRule{*n};
    return std::nullopt;
  }
  return malformed;
}

// ---------------------------------------------------------------------------------------------
// The pool file, checked line by line (the fields of every line first).

struct PoolRows {
  std::vector<std::string_view> usccs;  // views into the file, sorted
  std::vector<std::string_view> strata;  // parallel to usccs (full variant)
};

Check ReadPool(std::string_view data, const std::string& name, std::size_t fields, PoolRows* pool) {
  if (auto f = CheckLines(data, name, fields)) return f;
  std::size_t pos = 0, line = 0;
  while (pos < data.size()) {
    ++line;
    const std::size_t nl = data.find('\n', pos);
    const std::string_view l = data.substr(pos, nl - pos);
    pos = nl + 1;
    const std::size_t tab = fields == 1 ? l.size() : l.find('\t');
    const std::string_view u = l.substr(0, tab);
    const std::string_view s = fields == 1 ? std::string_view() : l.substr(tab + 1);
    if (!ValidIdBytes(u) || !ValidIdBytes(s, true))
      return Mis(name + " 第 " + Num(line) + " 行：编号无效", name + " line " + Num(line) + ": invalid id");
    if (!pool->usccs.empty() && !(pool->usccs.back() < u))
      return Mis(name + " 第 " + Num(line) + " 行：未按统一社会信用代码升序排列或重复",
                 name + " line " + Num(line) + ": not sorted by uscc or duplicate uscc");
    pool->usccs.push_back(u);
    if (fields == 2) pool->strata.push_back(s);
  }
  return std::nullopt;
}

// The pool as draw_v1.h's functions take it: compact when every uscc has 18 bytes.
struct PoolForDraw {
  std::optional<FrozenPool> frozen;
  std::vector<PoolEntry> entries;  // when not frozen
};

PoolForDraw ToDrawPool(const PoolRows& rows) {
  PoolForDraw out;
  std::map<std::string_view, std::uint32_t> label_ids;
  bool compact = true;
  for (std::size_t i = 0; i < rows.usccs.size(); ++i) {
    compact = compact && rows.usccs[i].size() == FrozenPool::kUsccLength;
    label_ids.emplace(rows.strata[i], 0);
  }
  compact = compact && label_ids.size() <= 65535;
  if (compact) {
    FrozenPool fp;
    std::uint32_t next = 0;
    for (auto& [label, id] : label_ids) {
      id = next++;
      fp.labels.emplace_back(label);
    }
    fp.usccs.reserve(rows.usccs.size() * FrozenPool::kUsccLength);
    fp.stratum_index.reserve(rows.usccs.size());
    for (std::size_t i = 0; i < rows.usccs.size(); ++i) {
      fp.usccs.append(rows.usccs[i]);
      fp.stratum_index.push_back(static_cast<std::uint16_t>(label_ids[rows.strata[i]]));
    }
    out.frozen = std::move(fp);
  } else {
    out.entries.reserve(rows.usccs.size());
    for (std::size_t i = 0; i < rows.usccs.size(); ++i)
      out.entries.push_back(PoolEntry{std::string(rows.usccs[i]), std::string(rows.strata[i])});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The checks.

struct Verification {
  Verification(const std::string& d, const Platform* p) : dir(d), platform(p) {}
  const std::string& dir;
  const Platform* platform;
  json proof;
  std::string task_id, secret, entropy, pool_hash, algorithm;
  bool public_variant = false;
  StratumCounts sizes;
  PoolRows pool;
  std::string pool_text;
  Digest seed{};
  std::optional<SampleResult> sample;  // another sampler's answer
  StratumCounts allocation;
  std::vector<std::string> selected;  // usccs in draw order
};

Check CheckEntropy(Verification& v) {
  const json* name_json = Field(v.proof, "entropy_source_name");
  if (name_json == nullptr || !name_json->is_string()) return std::nullopt;
  const std::string name = name_json->get<std::string>();
  const Finding differs{"公开随机数：随机源 " + QuoteBytes(name) + " 给出的值与证明中的不同",
                        "entropy: the entropy source " + QuoteBytes(name) + " gives another value than the proof's"};
  const EntropySource* source = v.platform == nullptr ? nullptr : v.platform->FindEntropySource(name);
  if (source == nullptr) {
    // The built-in "none" gives the empty value, loaded or not.
    if (name == "none" && !v.entropy.empty()) return differs;
    return std::nullopt;
  }
  if (source->NeedsValue()) return std::nullopt;
  EntropyRequest er;
  er.task_id = v.task_id;
  if (const json* d = Field(v.proof, "entropy_source"); d != nullptr && d->is_string()) er.description = d->get<std::string>();
  er.commitment = v.proof["commitment"].get<std::string>();
  auto expected = source->Value(er, "");
  if (!expected.ok())
    return Mis("公开随机数：随机源 " + QuoteBytes(name) + " 对该任务不给出值",
               "entropy: the entropy source " + QuoteBytes(name) + " gives no value for this task");
  if (expected.value() != v.entropy) return differs;
  return std::nullopt;
}

Check CheckAllocation(Verification& v) {
  Rule rule;
  if (auto f = ParseRule(v.proof["rule"], v.sizes, &rule)) return f;
  auto alloc = Allocate(rule, v.sizes);
  if (!alloc.ok()) return Mis(alloc.status().message(), alloc.status().message());  // ParseRule prevents it
  const auto published = LabelMap(Field(v.proof, "allocation"), false);
  if (!published) return Mis("proof.json：allocation 格式无效", "proof.json: allocation is malformed");
  if (*published != alloc.value())
    return Mis("分配：按规则重算为 " + ShowCounts(alloc.value()), "allocation: recomputed " + ShowCounts(alloc.value()));
  v.allocation = std::move(alloc).value();
  return std::nullopt;
}

Check CheckFullSelection(Verification& v) {
  const PoolForDraw pool = ToDrawPool(v.pool);
  Selection sel;
  if (v.sample) {
    auto s = SelectionFromSample(*pool.frozen, v.allocation, *v.sample, v.algorithm);
    if (!s.ok()) return Mis(s.status().message(), s.status().message());
    sel = std::move(s).value();
  } else if (pool.frozen) {
    sel = Select(*pool.frozen, Tickets(v.seed, *pool.frozen), v.allocation);
  } else {
    sel = Select(pool.entries, Tickets(v.seed, pool.entries), v.allocation);
  }
  std::string actual;
  if (auto f = ReadProofFile(v.dir, "selection.tsv", true, &actual)) return f;
  if (actual != sel.file) return FirstDifference(sel.file, actual, "selection.tsv");
  if (sel.hash != v.proof["selection_hash"].get<std::string>())
    return Mis("selection_hash：H(selection.tsv) = " + sel.hash, "selection_hash: H(selection.tsv) = " + sel.hash);
  for (const auto& m : sel.members) v.selected.push_back(m.uscc);
  return std::nullopt;
}

Check CheckPublicSelection(Verification& v) {
  const std::string name = "selection-public.tsv";
  std::string data;
  if (auto f = ReadProofFile(v.dir, name, true, &data)) return f;
  if (auto f = CheckLines(data, name, 3)) return f;
  const std::vector<Row> rows = Rows(data);
  std::unordered_set<std::string_view> seen;
  std::string previous;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string n = Num(i + 1);
    const std::string_view rank = rows[i][0], u = rows[i][1], ticket = rows[i][2];
    const std::string at_zh = name + " 第 " + n + " 行：", at = name + " line " + n + ": ";
    if (rank != n) return Mis(at_zh + "名次不是 " + n, at + "rank is not " + n);
    if (!std::binary_search(v.pool.usccs.begin(), v.pool.usccs.end(), u))
      return Mis(at_zh + QuoteBytes(u) + " 不在对象池中", at + QuoteBytes(u) + " is not in the pool");
    if (!seen.insert(u).second)
      return Mis(at_zh + QuoteBytes(u) + " 被抽中两次", at + QuoteBytes(u) + " is selected twice");
    std::string input(v.seed.begin(), v.seed.end());
    input.append(u);
    const std::string expected = ToHex(Sha256(input));
    if (ticket != expected)
      return Mis(at_zh + "签应为 " + expected + "，实为 " + QuoteBytes(ticket),
                 at + "ticket: expected " + expected + ", found " + QuoteBytes(ticket));
    if (!previous.empty() && !(previous < ticket))
      return Mis(at_zh + "签未按升序排列", at + "the tickets are not in ascending order");
    previous = std::string(ticket);
    v.selected.emplace_back(u);
  }
  std::uint64_t wanted = 0;
  for (const auto& [label, k] : v.allocation) wanted += k;
  if (rows.size() != wanted)
    return Mis(name + "：有 " + Num(rows.size()) + " 个对象，而分配之和为 " + Num(wanted),
               name + ": " + Num(rows.size()) + " subjects, but the allocation adds up to " + Num(wanted));
  return std::nullopt;
}

Check CheckTeams(Verification& v) {
  const json* ah = Field(v.proof, "assignment_hash");
  if (IsNone(ah)) return std::nullopt;
  if (!ah->is_string()) return Mis("proof.json：assignment_hash 格式无效", "proof.json: assignment_hash is malformed");
  const json* raw_slots = Field(v.proof, "slots");
  if (IsNone(raw_slots))
    return Mis("proof.json：有 assignment_hash 却缺少 slots",
               "proof.json: slots are missing while assignment_hash is present");
  TeamInputs teams;
  bool ok = raw_slots->is_array();
  if (ok) {
    for (const json& s : *raw_slots) {
      std::optional<std::uint64_t> count;
      ok = s.is_array() && s.size() == 2 && s[0].is_string() && ValidIdBytes(s[0].get<std::string>()) &&
           (count = Whole(s[1])).has_value();
      if (!ok) break;
      constexpr std::uint64_t kMaxCount = std::numeric_limits<std::uint32_t>::max();
      // More than 2^32 - 1 is as unstaffable as 2^32 - 1 for any group this verifier reads.
      teams.slots.push_back(Slot{s[0].get<std::string>(), static_cast<std::uint32_t>(std::min(*count, kMaxCount))});
    }
  }
  if (!ok) return Mis("proof.json：slots 格式无效", "proof.json: slots are malformed");
  const json* conflicts_hash = Field(v.proof, "conflicts_hash");
  if (conflicts_hash == nullptr || !conflicts_hash->is_string())
    return Mis("proof.json：缺少字符串字段 conflicts_hash", "proof.json: conflicts_hash is missing or not a string");

  std::string groups_text;
  if (auto f = ReadProofFile(v.dir, "groups.tsv", true, &groups_text)) return f;
  if (auto f = CheckLines(groups_text, "groups.tsv", 2)) return f;
  if (auto f = CheckCanonical(groups_text, "groups.tsv")) return f;
  const std::vector<Row> group_rows = Rows(groups_text);
  for (std::size_t i = 0; i < group_rows.size(); ++i) {
    if (!ValidIdBytes(group_rows[i][0]) || !ValidIdBytes(group_rows[i][1]))
      return Mis("groups.tsv 第 " + Num(i + 1) + " 行：编号无效", "groups.tsv line " + Num(i + 1) + ": invalid id");
    teams.groups[std::string(group_rows[i][0])].emplace_back(group_rows[i][1]);
  }
  // A slot's group without members has no line in groups.tsv: nobody can fill it.
  for (const Slot& s : teams.slots) teams.groups.try_emplace(s.group);
  std::string conflicts_text;
  if (auto f = ReadProofFile(v.dir, "conflicts.tsv", false, &conflicts_text)) return f;
  if (auto f = CheckLines(conflicts_text, "conflicts.tsv", 2)) return f;
  if (auto f = CheckCanonical(conflicts_text, "conflicts.tsv")) return f;
  const std::string ch = ToHex(Sha256(conflicts_text));
  if (ch != conflicts_hash->get<std::string>())
    return Mis("conflicts_hash：H(conflicts.tsv) = " + ch, "conflicts_hash: H(conflicts.tsv) = " + ch);
  // A pair with an invalid id can meet no selected subject nor group member: leaving it out
  // changes nothing (and AssignTeams refuses invalid ids).
  for (const Row& r : Rows(conflicts_text))
    if (ValidIdBytes(r[0]) && ValidIdBytes(r[1])) teams.conflicts.emplace(r[0], r[1]);

  Selection selection;
  for (std::size_t i = 0; i < v.selected.size(); ++i) {
    Selected s;
    s.rank = i + 1;
    s.uscc = v.selected[i];
    selection.members.push_back(std::move(s));
  }
  std::vector<std::pair<std::string, std::string>> unstaffed;
  auto assignment = AssignTeams(v.seed, selection, teams, &unstaffed);
  if (!assignment.ok()) {
    if (unstaffed.empty()) return Mis(assignment.status().message(), assignment.status().message());
    const std::string u = QuoteBytes(unstaffed.front().first), g = QuoteBytes(unstaffed.front().second);
    return Mis("对象 " + u + " 无法由组 " + g + " 配齐检查人员", "subject " + u + " cannot be staffed from group " + g);
  }
  std::string actual;
  if (auto f = ReadProofFile(v.dir, "assignment.tsv", true, &actual)) return f;
  if (actual != assignment.value().file) return FirstDifference(assignment.value().file, actual, "assignment.tsv");
  if (assignment.value().hash != ah->get<std::string>())
    return Mis("assignment_hash：H(assignment.tsv) = " + assignment.value().hash,
               "assignment_hash: H(assignment.tsv) = " + assignment.value().hash);
  return std::nullopt;
}

Check Run(Verification& v) {
  if (auto f = LoadProofJson(v.dir, &v.proof)) return f;
  if (auto f = CheckFields(v.proof)) return f;
  json& p = v.proof;
  v.algorithm = p["algorithm"].get<std::string>();
  const Sampler* sampler = nullptr;
  if (v.algorithm != kAlgorithm) {
    sampler = v.platform == nullptr ? nullptr : v.platform->FindSampler(v.algorithm);
    if (sampler == nullptr)
      return Mis("算法：本验证程序不认识 " + QuoteBytes(v.algorithm),
                 "algorithm: this verifier does not know " + QuoteBytes(v.algorithm));
  }
  v.task_id = p["task_id"].get<std::string>();
  if (!ValidIdBytes(v.task_id)) return Mis("task_id 为空或含有控制字符", "task_id is empty or has a control character");
  const std::string secret_hex = p["secret"].get<std::string>();
  auto secret = FromHex(secret_hex);
  if (!EvenHex(secret_hex) || !secret.ok()) return Mis("secret 不是十六进制", "secret is not hexadecimal");
  v.secret = std::move(secret).value();
  if (Commitment(v.secret) != p["commitment"].get<std::string>())
    return Mis("承诺值：H(secret) 与承诺值不符", "commitment: H(secret) does not match the commitment");
  const json* withheld = Field(p, "withheld");
  v.public_variant = !IsNone(withheld);
  if (v.public_variant && !(withheld->is_array() && withheld->size() == 1 && (*withheld)[0] == kWithheldStratum))
    return Mis("proof.json：withheld 只能为 null 或 [\"stratum\"]", "proof.json: withheld must be null or [\"stratum\"]");
  v.pool_hash = p["pool_hash"].get<std::string>();
  const std::uint64_t pool_size = *Whole(p["pool_size"]);

  if (!v.public_variant) {
    if (auto f = ReadProofFile(v.dir, "pool.tsv", true, &v.pool_text)) return f;
    if (auto f = ReadPool(v.pool_text, "pool.tsv", 2, &v.pool)) return f;
    const std::string hash = ToHex(Sha256(v.pool_text));
    if (hash != v.pool_hash) return Mis("pool_hash：H(pool.tsv) = " + hash, "pool_hash: H(pool.tsv) = " + hash);
    if (v.pool.usccs.size() != pool_size)
      return Mis("pool_size：pool.tsv 有 " + Num(v.pool.usccs.size()) + " 个对象",
                 "pool_size: pool.tsv has " + Num(v.pool.usccs.size()) + " subjects");
    for (const auto& s : v.pool.strata) ++v.sizes[std::string(s)];
  } else {
    if (v.algorithm != kAlgorithm)
      return Mis("withheld：公开版本只适用于 xj-draw-v1", "withheld: the public variant is defined for xj-draw-v1 only");
    const auto sizes = LabelMap(Field(p, "stratum_sizes"), false);
    if (!sizes || std::any_of(sizes->begin(), sizes->end(), [](const auto& kv) { return kv.second < 1; }))
      return Mis("proof.json：stratum_sizes 缺失或格式无效", "proof.json: stratum_sizes is missing or malformed");
    v.sizes = *sizes;
    if (!LowerHex64(v.pool_hash))
      return Mis("pool_hash：不是 64 位小写十六进制", "pool_hash: not 64 lowercase hexadecimal characters");
    if (auto f = ReadProofFile(v.dir, "pool-public.tsv", true, &v.pool_text)) return f;
    if (auto f = ReadPool(v.pool_text, "pool-public.tsv", 1, &v.pool)) return f;
    if (v.pool.usccs.size() != pool_size)
      return Mis("pool_size：pool-public.tsv 有 " + Num(v.pool.usccs.size()) + " 个对象",
                 "pool_size: pool-public.tsv has " + Num(v.pool.usccs.size()) + " subjects");
    std::uint64_t total = 0;
    for (const auto& [label, n] : v.sizes) total += n;  // each below 2^53, at most 2^16… of them: no overflow
    if (total != pool_size)
      return Mis("各层规模之和为 " + Num(total) + "，不是 pool_size " + Num(pool_size),
                 "stratum_sizes add up to " + Num(total) + ", not pool_size " + Num(pool_size));
  }

  v.entropy = p["entropy"].get<std::string>();
  if (auto f = CheckEntropy(v)) return f;
  if (sampler == nullptr) {
    v.seed = Seed(v.task_id, v.pool_hash, v.secret, v.entropy);
  } else {
    // Another sampler makes its seed itself, and needs the allocation for it.
    if (auto f = CheckAllocation(v)) return f;
    const PoolForDraw pool = ToDrawPool(v.pool);
    if (!pool.frozen)
      return Mis("抽样算法 " + v.algorithm + " 需要 18 位统一社会信用代码",
                 "the sampler " + v.algorithm + " needs 18-character usccs");
    SampleRequest req;
    req.task_id = v.task_id;
    req.secret = v.secret;
    req.entropy = v.entropy;
    req.pool_hash = v.pool_hash;
    req.pool = &*pool.frozen;
    req.allocation = v.allocation;
    auto sample = sampler->Sample(req);
    if (!sample.ok()) return Mis(sample.status().message(), sample.status().message());
    v.sample = std::move(sample).value();
    v.seed = v.sample->seed;
  }
  const std::string seed_hex = ToHex(v.seed);
  if (seed_hex != p["seed"].get<std::string>()) return Mis("种子：重算为 " + seed_hex, "seed: recomputed " + seed_hex);
  if (sampler == nullptr)
    if (auto f = CheckAllocation(v)) return f;

  if (auto f = v.public_variant ? CheckPublicSelection(v) : CheckFullSelection(v)) return f;
  return CheckTeams(v);
}

}  // namespace

std::string QuoteBytes(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  const bool cut = bytes.size() > kQuoteMax;
  if (cut) bytes = bytes.substr(0, kQuoteMax);
  std::string out = "\"";
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = Utf8Len(bytes, i);
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (n == 0) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
      continue;
    }
    std::uint32_t cp = n == 1 ? c : (c & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u));
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(bytes[i + k]) & 0x3Fu);
    if (cp == '"') {
      out += "\\\"";
    } else if (cp == '\\') {
      out += "\\\\";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
               (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF) {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 15];
    } else {
      out.append(bytes.substr(i, n));
    }
    i += n;
  }
  out += "\"";
  if (cut) out += "\u2026";
  return out;
}

const ProofFile* FindProofFile(const ProofFiles& files, std::string_view name) {
  for (const auto& f : files)
    if (f.name == name) return &f;
  return nullptr;
}

Result<ProofFiles> PublicProofVariant(const ProofFiles& full) {
  const ProofFile* proof_file = FindProofFile(full, "proof.json");
  const ProofFile* pool_file = FindProofFile(full, "pool.tsv");
  const ProofFile* selection_file = FindProofFile(full, "selection.tsv");
  const Status malformed = Status::Error(StatusCode::kInvalidArgument, "完整证明缺少文件或格式无效",
                                         "the full proof lacks a file or is malformed");
  if (proof_file == nullptr || pool_file == nullptr || selection_file == nullptr) return malformed;
  ojson proof;
  try {
    proof = ojson::parse(proof_file->content);
  } catch (const std::exception&) {
    return malformed;
  }
  if (!proof.is_object()) return malformed;
  if (CheckLines(pool_file->content, "pool.tsv", 2) || CheckLines(selection_file->content, "selection.tsv", 4))
    return malformed;
  std::map<std::string, std::uint64_t> sizes;
  std::string pool_public, selection_public;
  for (const Row& r : Rows(pool_file->content)) {
    ++sizes[std::string(r[1])];
    pool_public.append(r[0]).push_back('\n');
  }
  for (const Row& r : Rows(selection_file->content)) {
    selection_public.append(r[0]).append("\t").append(r[1]).append("\t").append(r[3]).push_back('\n');
  }
  ojson stratum_sizes = ojson::object();
  for (const auto& [label, n] : sizes) stratum_sizes[label] = n;
  // The same keys in the same order, "withheld" after "algorithm", "stratum_sizes" before
  // "allocation".
  ojson out = ojson::object();
  for (auto it = proof.begin(); it != proof.end(); ++it) {
    if (it.key() == "withheld" || it.key() == "stratum_sizes") continue;
    if (it.key() == "allocation") out["stratum_sizes"] = stratum_sizes;
    out[it.key()] = it.value();
    if (it.key() == "algorithm") out["withheld"] = ojson::array({kWithheldStratum});
  }
  if (!out.contains("stratum_sizes")) out["stratum_sizes"] = stratum_sizes;
  if (!out.contains("withheld")) out["withheld"] = ojson::array({kWithheldStratum});
  ProofFiles files{{"pool-public.tsv", std::move(pool_public)}, {"selection-public.tsv", std::move(selection_public)}};
  for (const auto& f : full)
    if (f.name != "pool.tsv" && f.name != "selection.tsv" && f.name != "proof.json") files.push_back(f);
  files.push_back({"proof.json", out.dump(2) + "\n"});
  return files;
}

Result<ProofFiles> PublishedProofFiles(Sql& sql, const TaskRecord& task) {
  auto full = FullProofFiles(sql, task.id);
  if (!full.ok() || !StrataWithheld(task)) return full;
  return PublicProofVariant(full.value());
}

Status WriteProofFiles(const std::string& dir, const ProofFiles& files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return Status::Error(StatusCode::kUnavailable, "无法创建证明目录 " + dir + "：" + ec.message(),
                         "cannot create the proof folder " + dir + ": " + ec.message());
  // proof.json last: a folder with a proof.json is complete.
  std::vector<const ProofFile*> order;
  for (const auto& f : files)
    if (f.name != "proof.json") order.push_back(&f);
  if (const ProofFile* p = FindProofFile(files, "proof.json")) order.push_back(p);
  for (const ProofFile* f : order) {
    const std::string path = (fs::path(dir) / f->name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(f->content.data(), static_cast<std::streamsize>(f->content.size()));
    out.close();
    if (!out) return Status::Error(StatusCode::kUnavailable, "无法写入 " + path, "cannot write " + path);
  }
  return Status::Ok();
}

ProofVerdict VerifyProof(const std::string& dir, const Platform* platform) {
  Verification v(dir, platform);
  ProofVerdict out;
  const Check finding = Run(v);
  out.public_variant = v.public_variant;
  if (finding) {
    out.mismatch = finding->en;
    out.mismatch_zh = finding->zh;
    out.status = Status::Error(finding->not_a_proof ? StatusCode::kInvalidArgument : StatusCode::kConflict,
                               "不一致：" + finding->zh, "mismatch: " + finding->en);
    return out;
  }
  if (v.public_variant) {
    out.not_checked = {
        {"pool_hash 是否为含分层的对象池的哈希（因而各层规模是否属实）",
         "that pool_hash is the hash of the pool with its strata, and so the stratum sizes"},
        {"各层抽中的是否恰为该层签最小的对象，以及 selection_hash",
         "that each stratum's selected subjects are those with its smallest tickets, and selection_hash"}};
  }
  out.status = Status::Ok();
  return out;
}

Status VerifyProofFolder(const std::string& dir, const Platform* platform) { return VerifyProof(dir, platform).status; }

}  // namespace xj::draw
