// xj-draw-v1, implemented as docs/draw-v1.md prescribes. See draw_v1.h for the contracts.
#include "draw_v1.h"

// The ticket loop uses OpenSSL's low-level SHA256_CTX (deprecated in OpenSSL 3, still shipped):
// copying a plain struct that has absorbed the seed costs nothing, whereas in OpenSSL 3.0
// EVP_MD_CTX_copy_ex and EVP_DigestInit_ex2 allocate and free a provider context on every call
// (measured: one allocation per ticket, about 30% slower on a 1,000,000-subject pool).
// Everything else uses EVP. Builds without the deprecated API fall back to EVP for tickets.
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>

namespace xj::draw {
namespace {

// OpenSSL 3 looks an algorithm up on every implicit fetch; fetch SHA-256 once per process.
// The EVP_MD is deliberately never freed (it lives as long as the process).
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) throw std::runtime_error("EVP_MD_fetch(SHA256) failed");
    return m;
  }();
  return md;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

MdCtx NewCtx() {
  MdCtx c(EVP_MD_CTX_new());
  if (!c) throw std::runtime_error("EVP_MD_CTX_new failed");
  return c;
}

void Check(int rc, const char* what) {
  if (rc != 1) throw std::runtime_error(std::string(what) + " failed");
}

// Incremental SHA-256 over several pieces.
class Hasher {
 public:
  Hasher() : ctx_(NewCtx()) { Check(EVP_DigestInit_ex2(ctx_.get(), Sha256Md(), nullptr), "EVP_DigestInit_ex2"); }
  Hasher& Add(std::string_view s) {
    Check(EVP_DigestUpdate(ctx_.get(), s.data(), s.size()), "EVP_DigestUpdate");
    return *this;
  }
  Hasher& Add(const Digest& d) {
    Check(EVP_DigestUpdate(ctx_.get(), d.data(), d.size()), "EVP_DigestUpdate");
    return *this;
  }
  Digest Finish() {
    Digest d{};
    unsigned int n = 0;
    Check(EVP_DigestFinal_ex(ctx_.get(), d.data(), &n), "EVP_DigestFinal_ex");
    return d;
  }

 private:
  MdCtx ctx_;
};

constexpr char kHexDigits[] = "0123456789abcdef";

bool ValidUtf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t j = 1; j < len; ++j) {
      const auto cc = static_cast<unsigned char>(s[i + j]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values above U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

// A printable form of an id for error messages: control characters become \xNN.
std::string Printable(std::string_view id) {
  std::string out;
  for (char ch : id) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHexDigits[c >> 4];
      out += kHexDigits[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHexDigits[c >> 4];
          out += kHexDigits[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

template <typename Map>
std::string JsonCounts(const Map& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ", ";
    first = false;
    out += JsonString(k) + ": " + std::to_string(v);
  }
  return out + "}";
}

// The 8 most significant bytes of a ticket as an integer: a cheap first comparison key.
std::uint64_t Prefix(const Digest& d) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[static_cast<std::size_t>(i)];
  return v;
}

struct Key {
  std::uint64_t prefix;
  std::uint32_t index;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

Digest Sha256(std::string_view bytes) { return Hasher().Add(bytes).Finish(); }

std::string ToHex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 0xF];
  }
  return out;
}

std::string ToHex(const Digest& d) {
  return ToHex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

Result<std::string> FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0)
    return Status::Error(StatusCode::kInvalidArgument, "十六进制串长度为奇数", "hex string has an odd length");
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return Status::Error(StatusCode::kInvalidArgument, "十六进制串含非法字符", "hex string has a non-hex character");
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

Status ValidateId(std::string_view what, std::string_view id, bool allow_empty) {
  const std::string w(what);
  if (id.empty() && !allow_empty)
    return Status::Error(StatusCode::kInvalidArgument, w + " 不能为空", w + " must not be empty");
  for (char ch : id) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      const std::string p = Printable(id);
      return Status::Error(StatusCode::kInvalidArgument, w + " \"" + p + "\" 含有制表符、换行符或其他控制字符",
                           w + " \"" + p + "\" contains a tab, newline or other control character");
    }
  }
  if (!ValidUtf8(id)) {
    const std::string p = Printable(id);
    return Status::Error(StatusCode::kInvalidArgument, w + " \"" + p + "\" 不是有效的 UTF-8",
                         w + " \"" + p + "\" is not valid UTF-8");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------

Result<std::vector<PoolEntry>> CanonicalPool(std::vector<PoolEntry> entries) {
  for (const auto& e : entries) {
    if (auto st = ValidateId("uscc", e.uscc); !st.ok()) return st;
    if (auto st = ValidateId("stratum", e.stratum, /*allow_empty=*/true); !st.ok()) return st;
  }
  std::sort(entries.begin(), entries.end(),
            [](const PoolEntry& a, const PoolEntry& b) { return a.uscc < b.uscc; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].uscc == entries[i - 1].uscc)
      return Status::Error(StatusCode::kInvalidArgument, "检查对象池中 uscc \"" + entries[i].uscc + "\" 重复",
                           "uscc \"" + entries[i].uscc + "\" appears twice in the pool");
  }
  return entries;
}

std::string PoolFile(const std::vector<PoolEntry>& canonical_pool) {
  std::size_t size = 0;
  for (const auto& e : canonical_pool) size += e.uscc.size() + e.stratum.size() + 2;
  std::string out;
  out.reserve(size);
  for (const auto& e : canonical_pool) {
    out += e.uscc;
    out += '\t';
    out += e.stratum;
    out += '\n';
  }
  return out;
}

std::string PoolHash(const std::vector<PoolEntry>& canonical_pool) {
  return ToHex(Sha256(PoolFile(canonical_pool)));
}

std::string Commitment(std::string_view secret) { return ToHex(Sha256(secret)); }

Digest Seed(std::string_view task_id, std::string_view pool_hash, std::string_view secret,
            std::string_view entropy) {
  return Hasher()
      .Add("xj-draw-v1\n")
      .Add(task_id)
      .Add("\n")
      .Add(pool_hash)
      .Add("\n")
      .Add(ToHex(secret))
      .Add("\n")
      .Add(entropy)
      .Finish();
}

// ---------------------------------------------------------------------------------------------

std::vector<Digest> Tickets(const Digest& seed, const std::vector<PoolEntry>& pool) {
  std::vector<Digest> out(pool.size());
#ifndef OPENSSL_NO_DEPRECATED_3_0
  // A context that has absorbed the 32 seed bytes (the "midstate"); each ticket copies the
  // struct and absorbs only the uscc: one SHA-256 compression, no allocation.
  SHA256_CTX midstate;
  Check(SHA256_Init(&midstate), "SHA256_Init");
  Check(SHA256_Update(&midstate, seed.data(), seed.size()), "SHA256_Update");
  for (std::size_t i = 0; i < pool.size(); ++i) {
    const std::string& u = pool[i].uscc;
    SHA256_CTX c = midstate;
    SHA256_Update(&c, u.data(), u.size());
    SHA256_Final(out[i].data(), &c);
  }
  return out;
#else
  // A context that has absorbed the 32 seed bytes (the "midstate"); each ticket copies it into
  // a reused work context and absorbs only the uscc.
  MdCtx base = NewCtx();
  Check(EVP_DigestInit_ex2(base.get(), Sha256Md(), nullptr), "EVP_DigestInit_ex2");
  Check(EVP_DigestUpdate(base.get(), seed.data(), seed.size()), "EVP_DigestUpdate");
  MdCtx work = NewCtx();
  for (std::size_t i = 0; i < pool.size(); ++i) {
    const std::string& u = pool[i].uscc;
    unsigned int n = 0;
    Check(EVP_MD_CTX_copy_ex(work.get(), base.get()), "EVP_MD_CTX_copy_ex");
    Check(EVP_DigestUpdate(work.get(), u.data(), u.size()), "EVP_DigestUpdate");
    Check(EVP_DigestFinal_ex(work.get(), out[i].data(), &n), "EVP_DigestFinal_ex");
  }
  return out;
#endif
}

StratumCounts StratumSizes(const std::vector<PoolEntry>& pool) {
  StratumCounts sizes;
  const std::string* last = nullptr;
  std::uint64_t* last_count = nullptr;
  for (const auto& e : pool) {
    if (last == nullptr || *last != e.stratum) {
      auto [it, inserted] = sizes.try_emplace(e.stratum, 0);
      last = &it->first;
      last_count = &it->second;
    }
    ++*last_count;
  }
  return sizes;
}

Result<StratumCounts> Allocate(const Rule& rule, const StratumCounts& sizes) {
  StratumCounts k;
  if (const auto* r = std::get_if<RatioRule>(&rule)) {
    for (const auto* m : {&r->min, &r->max}) {
      for (const auto& [label, v] : *m) {
        (void)v;
        if (auto st = ValidateId("stratum", label, true); !st.ok()) return st;
      }
    }
    for (const auto& [label, ppm] : r->ppm) {
      if (label != "*") {
        if (auto st = ValidateId("stratum", label, true); !st.ok()) return st;
      }
      if (ppm > 1000000)
        return Status::Error(StatusCode::kInvalidArgument,
                             "分层 \"" + label + "\" 的抽取比例 " + std::to_string(ppm) + " ppm 超过 1000000",
                             "the ratio of stratum \"" + label + "\", " + std::to_string(ppm) +
                                 " ppm, exceeds 1000000");
    }
    for (const auto& [label, n] : sizes) {
      auto it = r->ppm.find(label);
      if (it == r->ppm.end()) it = r->ppm.find("*");
      if (it == r->ppm.end())
        return Status::Error(StatusCode::kInvalidArgument,
                             "比例规则未给出分层 \"" + label + "\" 的比例，也没有默认值 \"*\"",
                             "the ratio rule gives no ratio for stratum \"" + label + "\" and no default \"*\"");
      const auto ppm = static_cast<unsigned __int128>(it->second);
      std::uint64_t ks = static_cast<std::uint64_t>((static_cast<unsigned __int128>(n) * ppm + 999999) / 1000000);
      if (auto mi = r->min.find(label); mi != r->min.end()) ks = std::max(ks, mi->second);
      if (auto ma = r->max.find(label); ma != r->max.end()) ks = std::min(ks, ma->second);
      ks = std::min(ks, n);
      k[label] = ks;
    }
    return k;
  }
  const auto& c = std::get<CountRule>(rule);
  std::uint64_t total = 0;
  for (const auto& [label, n] : sizes) total += n;
  const std::uint64_t kk = std::min(c.count, total);
  struct Rem {
    std::uint64_t rem;
    const std::string* label;
  };
  std::vector<Rem> rems;
  std::uint64_t given = 0;
  for (const auto& [label, n] : sizes) {
    if (total == 0) {
      k[label] = 0;
      continue;
    }
    const unsigned __int128 prod = static_cast<unsigned __int128>(kk) * n;
    const auto base = static_cast<std::uint64_t>(prod / total);
    const auto rem = static_cast<std::uint64_t>(prod % total);
    k[label] = base;
    given += base;
    rems.push_back({rem, &label});
  }
  // Remainder descending, then label ascending (bytes); `sizes` is already in label order.
  std::stable_sort(rems.begin(), rems.end(), [](const Rem& a, const Rem& b) { return a.rem > b.rem; });
  for (std::size_t i = 0; given < kk && i < rems.size(); ++i, ++given) ++k[*rems[i].label];
  return k;
}

namespace {

// Selection over any pool representation: `sid[i]` is member i's stratum (index into
// `labels`), `counts[s]` the size of stratum s, `uscc_at(i)` and `stratum_at(i)` its ids.
template <typename Sid, typename UsccAt, typename StratumAt>
Selection SelectImpl(std::size_t n, const std::vector<std::string_view>& labels, const Sid& sid,
                     const std::vector<std::size_t>& counts, const UsccAt& uscc_at, const StratumAt& stratum_at,
                     const std::vector<Digest>& tickets, const StratumCounts& allocation) {
  Selection sel;
  // One array of keys, bucketed by stratum (a counting sort), in pool order inside a bucket.
  std::vector<std::size_t> offset(labels.size() + 1, 0);
  for (std::size_t s = 0; s < labels.size(); ++s) offset[s + 1] = offset[s] + counts[s];
  std::vector<Key> keys(n);
  {
    std::vector<std::size_t> fill(offset.begin(), offset.end() - 1);
    for (std::size_t i = 0; i < n; ++i) keys[fill[sid[i]]++] = Key{Prefix(tickets[i]), static_cast<std::uint32_t>(i)};
  }
  auto less = [&tickets](const Key& a, const Key& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    const int c = std::memcmp(tickets[a.index].data(), tickets[b.index].data(), 32);
    if (c != 0) return c < 0;
    return a.index < b.index;
  };
  std::vector<Key> chosen;
  for (std::size_t s = 0; s < labels.size(); ++s) {
    auto it = allocation.find(std::string(labels[s]));
    if (it == allocation.end()) continue;
    const std::size_t ks = static_cast<std::size_t>(std::min<std::uint64_t>(it->second, counts[s]));
    if (ks == 0) continue;
    auto first = keys.begin() + static_cast<std::ptrdiff_t>(offset[s]);
    auto last_it = keys.begin() + static_cast<std::ptrdiff_t>(offset[s + 1]);
    auto nth = first + static_cast<std::ptrdiff_t>(ks);
    if (nth < last_it) std::nth_element(first, nth, last_it, less);
    chosen.insert(chosen.end(), first, nth);
  }
  std::vector<Key>().swap(keys);
  std::sort(chosen.begin(), chosen.end(), less);

  sel.members.reserve(chosen.size());
  std::size_t file_size = 0;
  for (const Key& key : chosen) file_size += 24 + 64 + uscc_at(key.index).size() + stratum_at(key.index).size();
  sel.file.reserve(file_size);
  std::uint64_t rank = 0;
  for (const Key& key : chosen) {
    Selected m;
    m.rank = ++rank;
    m.index = key.index;
    m.uscc = std::string(uscc_at(key.index));
    m.stratum = std::string(stratum_at(key.index));
    m.ticket = tickets[key.index];
    char num[24];
    const auto conv = std::to_chars(num, num + sizeof num, m.rank);
    sel.file.append(num, conv.ptr);
    sel.file += '\t';
    sel.file += m.uscc;
    sel.file += '\t';
    sel.file += m.stratum;
    sel.file += '\t';
    for (const std::uint8_t b : m.ticket) {
      sel.file += kHexDigits[b >> 4];
      sel.file += kHexDigits[b & 0xF];
    }
    sel.file += '\n';
    sel.members.push_back(std::move(m));
  }
  sel.hash = ToHex(Sha256(sel.file));
  return sel;
}

}  // namespace

Selection Select(const std::vector<PoolEntry>& pool, const std::vector<Digest>& tickets,
                 const StratumCounts& allocation) {
  const std::size_t n = pool.size();
  if (tickets.size() != n) throw std::invalid_argument("Select: tickets and pool differ in length");

  // Stratum of every entry as a small integer, and the bucket sizes.
  std::unordered_map<std::string_view, std::uint32_t> ids;
  std::vector<std::string_view> labels;
  std::vector<std::uint32_t> sid(n);
  std::vector<std::size_t> counts;
  std::string_view last;
  std::uint32_t last_id = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view s = pool[i].stratum;
    if (labels.empty() || s != last) {
      // Few strata (the usual case): a linear search; many: a hash map.
      std::size_t found = labels.size();
      if (labels.size() <= 16) {
        for (std::size_t j = 0; j < labels.size(); ++j) {
          if (labels[j] == s) {
            found = j;
            break;
          }
        }
        if (found == labels.size() && labels.size() == 16)
          for (std::size_t j = 0; j < labels.size(); ++j) ids.emplace(labels[j], static_cast<std::uint32_t>(j));
      } else if (auto it = ids.find(s); it != ids.end()) {
        found = it->second;
      }
      if (found == labels.size()) {
        if (labels.size() >= 16) ids.emplace(s, static_cast<std::uint32_t>(labels.size()));
        labels.push_back(s);
        counts.push_back(0);
      }
      last = s;
      last_id = static_cast<std::uint32_t>(found);
    }
    sid[i] = last_id;
    ++counts[last_id];
  }
  return SelectImpl(
      n, labels, sid, counts, [&pool](std::size_t i) -> std::string_view { return pool[i].uscc; },
      [&pool](std::size_t i) -> std::string_view { return pool[i].stratum; }, tickets, allocation);
}

Selection Select(const FrozenPool& pool, const std::vector<Digest>& tickets, const StratumCounts& allocation) {
  const std::size_t n = pool.size();
  if (tickets.size() != n) throw std::invalid_argument("Select: tickets and pool differ in length");
  std::vector<std::string_view> labels(pool.labels.begin(), pool.labels.end());
  std::vector<std::size_t> counts(labels.size(), 0);
  for (const auto s : pool.stratum_index) ++counts[s];
  return SelectImpl(
      n, labels, pool.stratum_index, counts, [&pool](std::size_t i) { return pool.uscc(i); },
      [&pool](std::size_t i) -> std::string_view { return pool.stratum(i); }, tickets, allocation);
}

// ---------------------------------------------------------------------------------------------

Result<FrozenPool> FreezePool(std::vector<PoolEntry> entries) {
  auto canon = CanonicalPool(std::move(entries));
  if (!canon.ok()) return canon.status();
  const auto& pool = canon.value();
  FrozenPool out;
  std::map<std::string, std::uint32_t> label_ids;
  for (const auto& e : pool) {
    if (e.uscc.size() != FrozenPool::kUsccLength)
      return Status::Error(StatusCode::kInvalidArgument, "uscc \"" + Printable(e.uscc) + "\" 不是 18 位",
                           "uscc \"" + Printable(e.uscc) + "\" is not 18 characters long");
    label_ids.emplace(e.stratum, 0);
  }
  if (label_ids.size() > 65535)
    return Status::Error(StatusCode::kInvalidArgument, "分层超过 65535 个", "more than 65,535 strata");
  std::uint32_t next = 0;
  for (auto& [label, id] : label_ids) {
    id = next++;
    out.labels.push_back(label);
  }
  out.usccs.reserve(pool.size() * FrozenPool::kUsccLength);
  out.stratum_index.reserve(pool.size());
  for (const auto& e : pool) {
    out.usccs += e.uscc;
    out.stratum_index.push_back(static_cast<std::uint16_t>(label_ids[e.stratum]));
  }
  return out;
}

std::vector<PoolEntry> Unfreeze(const FrozenPool& pool) {
  std::vector<PoolEntry> out;
  out.reserve(pool.size());
  for (std::size_t i = 0; i < pool.size(); ++i) out.push_back({std::string(pool.uscc(i)), pool.stratum(i)});
  return out;
}

std::string PoolFile(const FrozenPool& pool) {
  std::string out;
  std::size_t size = 0;
  for (std::size_t i = 0; i < pool.size(); ++i) size += FrozenPool::kUsccLength + pool.stratum(i).size() + 2;
  out.reserve(size);
  for (std::size_t i = 0; i < pool.size(); ++i) {
    out += pool.uscc(i);
    out += '\t';
    out += pool.stratum(i);
    out += '\n';
  }
  return out;
}

std::string PoolHash(const FrozenPool& pool) {
  Hasher h;
  std::string buf;
  buf.reserve(1 << 20);
  for (std::size_t i = 0; i < pool.size(); ++i) {
    buf += pool.uscc(i);
    buf += '\t';
    buf += pool.stratum(i);
    buf += '\n';
    if (buf.size() >= (1 << 20) - 256) {
      h.Add(buf);
      buf.clear();
    }
  }
  h.Add(buf);
  return ToHex(h.Finish());
}

StratumCounts StratumSizes(const FrozenPool& pool) {
  std::vector<std::uint64_t> counts(pool.labels.size(), 0);
  for (const auto s : pool.stratum_index) ++counts[s];
  StratumCounts out;
  for (std::size_t s = 0; s < counts.size(); ++s)
    if (counts[s] > 0) out[pool.labels[s]] = counts[s];
  return out;
}

}  // namespace xj::draw

// Eight tickets at once with AVX2. A ticket hashes seed (32 bytes) || uscc (18 bytes): 50
// bytes, so the padded message is exactly one 64-byte block whose words 0-7 (the seed) and
// 13-15 (zeros and the bit length 400) are the same for every subject; only words 8-12 differ.
// Eight lanes run the SHA-256 compression side by side. The results are byte-identical to
// OpenSSL's (the unit tests compare them on random pools).
#if defined(__x86_64__)
#include <immintrin.h>
namespace {
constexpr std::uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
    0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
    0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
constexpr std::uint32_t kSha256H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

__attribute__((target("avx2"))) inline __m256i Rotr(__m256i x, int n) {
  return _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - n));
}

// usccs: 8 consecutive 18-byte USCCs; out: 8 digests.
__attribute__((target("avx2"))) void Tickets8(const std::uint32_t seed_words[8], const char* usccs, xj::draw::Digest* out) {
  __m256i w[64];
  for (int i = 0; i < 8; ++i) w[i] = _mm256_set1_epi32(static_cast<int>(seed_words[i]));
  alignas(32) std::uint32_t lane[5][8];
  for (int l = 0; l < 8; ++l) {
    unsigned char b[20] = {0};
    std::memcpy(b, usccs + l * 18, 18);
    b[18] = 0x80;  // the padding bit right after the 50 message bytes
    for (int k = 0; k < 5; ++k)
      lane[k][l] = (std::uint32_t{b[4 * k]} << 24) | (std::uint32_t{b[4 * k + 1]} << 16) |
                   (std::uint32_t{b[4 * k + 2]} << 8) | std::uint32_t{b[4 * k + 3]};
  }
  for (int k = 0; k < 5; ++k) w[8 + k] = _mm256_load_si256(reinterpret_cast<const __m256i*>(lane[k]));
  w[13] = _mm256_setzero_si256();
  w[14] = _mm256_setzero_si256();
  w[15] = _mm256_set1_epi32(400);  // 50 bytes = 400 bits
  for (int t = 16; t < 64; ++t) {
    const __m256i s0 = _mm256_xor_si256(_mm256_xor_si256(Rotr(w[t - 15], 7), Rotr(w[t - 15], 18)), _mm256_srli_epi32(w[t - 15], 3));
    const __m256i s1 = _mm256_xor_si256(_mm256_xor_si256(Rotr(w[t - 2], 17), Rotr(w[t - 2], 19)), _mm256_srli_epi32(w[t - 2], 10));
    w[t] = _mm256_add_epi32(_mm256_add_epi32(w[t - 16], s0), _mm256_add_epi32(w[t - 7], s1));
  }
  __m256i v[8];
  for (int i = 0; i < 8; ++i) v[i] = _mm256_set1_epi32(static_cast<int>(kSha256H0[i]));
  __m256i a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
  for (int t = 0; t < 64; ++t) {
    const __m256i S1 = _mm256_xor_si256(_mm256_xor_si256(Rotr(e, 6), Rotr(e, 11)), Rotr(e, 25));
    const __m256i ch = _mm256_xor_si256(_mm256_and_si256(e, f), _mm256_andnot_si256(e, g));
    const __m256i t1 = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(h, S1), _mm256_add_epi32(ch, w[t])),
                                        _mm256_set1_epi32(static_cast<int>(kSha256K[t])));
    const __m256i S0 = _mm256_xor_si256(_mm256_xor_si256(Rotr(a, 2), Rotr(a, 13)), Rotr(a, 22));
    const __m256i maj = _mm256_xor_si256(_mm256_xor_si256(_mm256_and_si256(a, b), _mm256_and_si256(a, c)), _mm256_and_si256(b, c));
    const __m256i t2 = _mm256_add_epi32(S0, maj);
    h = g;
    g = f;
    f = e;
    e = _mm256_add_epi32(d, t1);
    d = c;
    c = b;
    b = a;
    a = _mm256_add_epi32(t1, t2);
  }
  const __m256i r[8] = {_mm256_add_epi32(a, v[0]), _mm256_add_epi32(b, v[1]), _mm256_add_epi32(c, v[2]), _mm256_add_epi32(d, v[3]),
                        _mm256_add_epi32(e, v[4]), _mm256_add_epi32(f, v[5]), _mm256_add_epi32(g, v[6]), _mm256_add_epi32(h, v[7])};
  alignas(32) std::uint32_t words[8][8];
  for (int i = 0; i < 8; ++i) _mm256_store_si256(reinterpret_cast<__m256i*>(words[i]), r[i]);
  for (int l = 0; l < 8; ++l)
    for (int i = 0; i < 8; ++i) {
      const std::uint32_t x = words[i][l];
      out[l][4 * i] = static_cast<std::uint8_t>(x >> 24);
      out[l][4 * i + 1] = static_cast<std::uint8_t>(x >> 16);
      out[l][4 * i + 2] = static_cast<std::uint8_t>(x >> 8);
      out[l][4 * i + 3] = static_cast<std::uint8_t>(x);
    }
}

bool HaveAvx2() {
  static const bool have = __builtin_cpu_supports("avx2");
  return have;
}
}  // namespace
#endif

namespace xj::draw {

std::vector<Digest> Tickets(const Digest& seed, const FrozenPool& pool, unsigned threads) {
  const std::size_t n = pool.size();
  std::vector<Digest> out(n);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (n < 65536) threads = 1;
  auto work = [&](std::size_t begin, std::size_t end) {
#if defined(__x86_64__)
    if (HaveAvx2()) {
      std::uint32_t seed_words[8];
      for (int i = 0; i < 8; ++i)
        seed_words[i] = (std::uint32_t{seed[4 * i]} << 24) | (std::uint32_t{seed[4 * i + 1]} << 16) |
                        (std::uint32_t{seed[4 * i + 2]} << 8) | std::uint32_t{seed[4 * i + 3]};
      for (; begin + 8 <= end; begin += 8) Tickets8(seed_words, pool.usccs.data() + begin * FrozenPool::kUsccLength, &out[begin]);
    }
#endif
#ifndef OPENSSL_NO_DEPRECATED_3_0
    SHA256_CTX midstate;
    SHA256_Init(&midstate);
    SHA256_Update(&midstate, seed.data(), seed.size());
    for (std::size_t i = begin; i < end; ++i) {
      SHA256_CTX c = midstate;
      SHA256_Update(&c, pool.usccs.data() + i * FrozenPool::kUsccLength, FrozenPool::kUsccLength);
      SHA256_Final(out[i].data(), &c);
    }
#else
    for (std::size_t i = begin; i < end; ++i) out[i] = Hasher().Add(seed).Add(pool.uscc(i)).Finish();
#endif
  };
  std::vector<std::thread> pool_threads;
  const std::size_t per = (n + threads - 1) / threads;
  for (unsigned t = 1; t < threads; ++t) {
    const std::size_t b = std::min(n, per * t), e = std::min(n, per * (t + 1));
    pool_threads.emplace_back(work, b, e);
  }
  work(0, std::min(n, per));
  for (auto& t : pool_threads) t.join();
  return out;
}

// ---------------------------------------------------------------------------------------------

Status ValidateTeamInputs(const TeamInputs& inputs) {
  for (const auto& [group, members] : inputs.groups) {
    if (auto st = ValidateId("group", group); !st.ok()) return st;
    std::vector<std::string_view> sorted;
    for (const auto& m : members) {
      if (auto st = ValidateId("inspector_id", m); !st.ok()) return st;
      sorted.push_back(m);
    }
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      if (sorted[i] == sorted[i - 1]) {
        const std::string id(sorted[i]);
        return Status::Error(StatusCode::kInvalidArgument, "检查人员 \"" + id + "\" 在组 \"" + group + "\" 中重复",
                             "inspector \"" + id + "\" is listed twice in group \"" + group + "\"");
      }
    }
  }
  for (const auto& slot : inputs.slots) {
    if (auto st = ValidateId("group", slot.group); !st.ok()) return st;
    if (inputs.groups.find(slot.group) == inputs.groups.end())
      return Status::Error(StatusCode::kInvalidArgument, "名额中的组 \"" + slot.group + "\" 不存在",
                           "slot group \"" + slot.group + "\" is not one of the groups");
  }
  for (const auto& [uscc, id] : inputs.conflicts) {
    if (auto st = ValidateId("uscc", uscc); !st.ok()) return st;
    if (auto st = ValidateId("inspector_id", id); !st.ok()) return st;
  }
  return Status::Ok();
}

namespace {

// One group's stream (rounds of its members in hash order) and its deferred list.
class GroupStream {
 public:
  GroupStream(const Digest& seed, std::string group, std::vector<std::string> members)
      : seed_(seed), group_(std::move(group)), members_(std::move(members)) {
    for (const auto& m : members_) member_set_.insert(m);
  }
  GroupStream(const GroupStream&) = delete;
  GroupStream& operator=(const GroupStream&) = delete;

  const std::vector<std::string>& members() const { return members_; }
  bool Has(std::string_view id) const { return member_set_.count(id) != 0; }
  std::vector<const std::string*>& deferred() { return deferred_; }

  // The next member of the stream (the group must not be empty).
  const std::string* Next() {
    if (pos_ >= order_.size()) {
      BuildRound(round_++);
      pos_ = 0;
    }
    return order_[pos_++];
  }

 private:
  void BuildRound(std::uint64_t r) {
    std::vector<std::pair<Digest, const std::string*>> keyed;
    keyed.reserve(members_.size());
    const std::string prefix = "\ninspector-round\n" + group_ + "\n" + std::to_string(r) + "\n";
#ifndef OPENSSL_NO_DEPRECATED_3_0
    // The seed and the round's prefix absorbed once (the midstate), then one short update per
    // member, without the allocations of an EVP context per hash.
    SHA256_CTX midstate;
    SHA256_Init(&midstate);
    SHA256_Update(&midstate, seed_.data(), seed_.size());
    SHA256_Update(&midstate, prefix.data(), prefix.size());
    for (const auto& m : members_) {
      SHA256_CTX c = midstate;
      SHA256_Update(&c, m.data(), m.size());
      Digest d{};
      SHA256_Final(d.data(), &c);
      keyed.emplace_back(d, &m);
    }
#else
    for (const auto& m : members_) keyed.emplace_back(Hasher().Add(seed_).Add(prefix).Add(m).Finish(), &m);
#endif
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return *a.second < *b.second;
    });
    order_.clear();
    for (const auto& k : keyed) order_.push_back(k.second);
  }

  Digest seed_;
  std::string group_;
  std::vector<std::string> members_;
  std::set<std::string_view> member_set_;  // views into members_, which never reallocates
  std::vector<const std::string*> order_;
  std::size_t pos_ = 0;
  std::uint64_t round_ = 0;
  std::vector<const std::string*> deferred_;
};

}  // namespace

Result<Assignment> AssignTeams(const Digest& seed, const Selection& selection, const TeamInputs& inputs) {
  return AssignTeams(seed, selection, inputs, nullptr);
}

Result<Assignment> AssignTeams(const Digest& seed, const Selection& selection, const TeamInputs& inputs,
                               std::vector<std::pair<std::string, std::string>>* unstaffed) {
  if (auto st = ValidateTeamInputs(inputs); !st.ok()) return st;

  std::map<std::string, GroupStream, std::less<>> streams;
  for (const auto& [group, members] : inputs.groups)
    streams.emplace(std::piecewise_construct, std::forward_as_tuple(group), std::forward_as_tuple(seed, group, members));
  std::map<std::string_view, std::set<std::string_view>> conflicts;
  for (const auto& [uscc, id] : inputs.conflicts) conflicts[uscc].insert(id);

  Assignment out;
  std::vector<std::pair<std::string, std::string>> failures;
  out.teams.reserve(selection.members.size());
  for (const auto& subject : selection.members) {
    auto cit = conflicts.find(subject.uscc);
    const std::set<std::string_view>* conf = cit == conflicts.end() ? nullptr : &cit->second;
    std::vector<std::string> team;
    auto usable = [&](const std::string& m) {
      if (conf != nullptr && conf->count(m) != 0) return false;
      return std::find(team.begin(), team.end(), m) == team.end();
    };
    for (const auto& slot : inputs.slots) {
      GroupStream& g = streams.find(slot.group)->second;
      // Members of the group that are neither in conflict nor on the team. Counted from the
      // (few) conflicts and team members, not by walking the group: O(team + conflicts).
      std::size_t excluded = 0;
      for (const auto& t : team) excluded += g.Has(t) ? 1 : 0;
      if (conf != nullptr)
        for (const auto& c : *conf)
          if (g.Has(c) && std::find(team.begin(), team.end(), c) == team.end()) ++excluded;
      const std::size_t available = g.members().size() - excluded;
      if (available < slot.count) {
        failures.emplace_back(subject.uscc, slot.group);
        continue;
      }
      std::uint32_t filled = 0;
      auto& deferred = g.deferred();
      for (auto it = deferred.begin(); filled < slot.count && it != deferred.end();) {
        if (usable(**it)) {
          team.push_back(**it);
          ++filled;
          it = deferred.erase(it);
        } else {
          ++it;
        }
      }
      while (filled < slot.count) {
        const std::string* m = g.Next();
        if (usable(*m)) {
          team.push_back(*m);
          ++filled;
        } else {
          deferred.push_back(m);
        }
      }
    }
    out.file += subject.uscc;
    out.file += '\t';
    for (std::size_t i = 0; i < team.size(); ++i) {
      if (i > 0) out.file += ',';
      out.file += team[i];
    }
    out.file += '\n';
    out.teams.push_back(std::move(team));
  }
  if (!failures.empty()) {
    if (unstaffed != nullptr) *unstaffed = failures;
    std::string zh = "以下被抽中对象无法配齐检查人员（可用人员不足或均有回避关系）：";
    std::string en = "these selected subjects cannot be staffed (too few members without a conflict):";
    for (std::size_t i = 0; i < failures.size(); ++i) {
      zh += (i > 0 ? "，" : "") + failures[i].first + "（组 " + failures[i].second + "）";
      en += (i > 0 ? ", " : " ") + failures[i].first + " (group " + failures[i].second + ")";
    }
    return Status::Error(StatusCode::kFailedPrecondition, zh, en);
  }
  out.hash = ToHex(Sha256(out.file));
  return out;
}

std::string ConflictsFile(const std::set<std::pair<std::string, std::string>>& conflicts) {
  std::vector<std::string> lines;
  lines.reserve(conflicts.size());
  for (const auto& [u, id] : conflicts) lines.push_back(u + "\t" + id + "\n");
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

std::string GroupsFile(const std::map<std::string, std::vector<std::string>>& groups) {
  std::vector<std::string> lines;
  for (const auto& [g, members] : groups)
    for (const auto& m : members) lines.push_back(g + "\t" + m + "\n");
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

// ---------------------------------------------------------------------------------------------

Result<DrawResult> Draw(const DrawInputs& inputs) {
  if (auto st = ValidateId("task_id", inputs.task_id); !st.ok()) return st;
  if (!ValidUtf8(inputs.entropy))
    return Status::Error(StatusCode::kInvalidArgument, "公开随机源（entropy）不是有效的 UTF-8",
                         "the entropy is not valid UTF-8");
  DrawResult r;
  auto pool = CanonicalPool(inputs.pool);
  if (!pool.ok()) return pool.status();
  r.pool = std::move(pool).value();
  auto alloc = Allocate(inputs.rule, StratumSizes(r.pool));
  if (!alloc.ok()) return alloc.status();
  r.allocation = std::move(alloc).value();
  r.pool_file = PoolFile(r.pool);
  r.pool_hash = ToHex(Sha256(r.pool_file));
  r.commitment = Commitment(inputs.secret);
  r.seed = Seed(inputs.task_id, r.pool_hash, inputs.secret, inputs.entropy);
  r.selection = Select(r.pool, Tickets(r.seed, r.pool), r.allocation);
  if (inputs.teams) {
    auto a = AssignTeams(r.seed, r.selection, *inputs.teams);
    if (!a.ok()) return a.status();
    r.assignment = std::move(a).value();
    r.conflicts_hash = ToHex(Sha256(ConflictsFile(inputs.teams->conflicts)));
  }
  return r;
}

std::string ProofJson(const DrawInputs& inputs, const DrawResult& result) {
  std::string rule;
  if (const auto* ratio = std::get_if<RatioRule>(&inputs.rule)) {
    rule = "{\"type\": \"ratio\", \"ppm\": " + JsonCounts(ratio->ppm) + ", \"min\": " + JsonCounts(ratio->min) +
           ", \"max\": " + JsonCounts(ratio->max) + "}";
  } else {
    rule = "{\"type\": \"count\", \"count\": " + std::to_string(std::get<CountRule>(inputs.rule).count) + "}";
  }
  std::string slots = "null";
  std::string assignment_hash = "null";
  std::string conflicts_hash = "null";
  if (inputs.teams && result.assignment) {
    slots = "[";
    for (std::size_t i = 0; i < inputs.teams->slots.size(); ++i) {
      if (i > 0) slots += ", ";
      slots += "[" + JsonString(inputs.teams->slots[i].group) + ", " + std::to_string(inputs.teams->slots[i].count) + "]";
    }
    slots += "]";
    assignment_hash = JsonString(result.assignment->hash);
    conflicts_hash = JsonString(result.conflicts_hash);
  }
  std::string j = "{\n";
  j += "  \"algorithm\": " + JsonString(kAlgorithm) + ",\n";
  j += "  \"task_id\": " + JsonString(inputs.task_id) + ",\n";
  j += "  \"commitment\": " + JsonString(result.commitment) + ",\n";
  j += "  \"secret\": " + JsonString(ToHex(inputs.secret)) + ",\n";
  j += "  \"entropy\": " + JsonString(inputs.entropy) + ",\n";
  j += "  \"pool_hash\": " + JsonString(result.pool_hash) + ",\n";
  j += "  \"pool_size\": " + std::to_string(result.pool.size()) + ",\n";
  j += "  \"seed\": " + JsonString(ToHex(result.seed)) + ",\n";
  j += "  \"rule\": " + rule + ",\n";
  j += "  \"allocation\": " + JsonCounts(result.allocation) + ",\n";
  j += "  \"selection_hash\": " + JsonString(result.selection.hash) + ",\n";
  j += "  \"slots\": " + slots + ",\n";
  j += "  \"assignment_hash\": " + assignment_hash + ",\n";
  j += "  \"conflicts_hash\": " + conflicts_hash + "\n";
  j += "}\n";
  return j;
}

Status WriteProofFolder(const std::string& dir, const DrawInputs& inputs, const DrawResult& result) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return Status::Error(StatusCode::kUnavailable, "无法创建证明目录 " + dir + "：" + ec.message(),
                         "cannot create the proof folder " + dir + ": " + ec.message());
  auto write = [&dir](const std::string& name, const std::string& bytes) -> Status {
    const std::string path = (fs::path(dir) / name).string();
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (f) f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.close();
    if (!f) return Status::Error(StatusCode::kUnavailable, "无法写入 " + path, "cannot write " + path);
    return Status::Ok();
  };
  if (auto st = write("proof.json", ProofJson(inputs, result)); !st.ok()) return st;
  if (auto st = write("pool.tsv", result.pool_file); !st.ok()) return st;
  if (auto st = write("selection.tsv", result.selection.file); !st.ok()) return st;
  if (inputs.teams && result.assignment) {
    if (auto st = write("assignment.tsv", result.assignment->file); !st.ok()) return st;
    if (auto st = write("groups.tsv", GroupsFile(inputs.teams->groups)); !st.ok()) return st;
    if (auto st = write("conflicts.tsv", ConflictsFile(inputs.teams->conflicts)); !st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace xj::draw
