// RFC 3797 section 4 selection; see rfc3797.h.
#include "rfc3797.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace xj::rfc3797 {
namespace {

// The EVP_MD objects are fetched once and never freed (they live as long as the process).
const EVP_MD* FetchMd(const char* name) {
  EVP_MD* m = EVP_MD_fetch(nullptr, name, nullptr);
  if (m == nullptr) throw std::runtime_error(std::string("EVP_MD_fetch(") + name + ") failed");
  return m;
}

const EVP_MD* Md5Md() {
  static const EVP_MD* md = FetchMd("MD5");
  return md;
}

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = FetchMd("SHA256");
  return md;
}

void Digest(const EVP_MD* md, std::string_view bytes, unsigned char* out, unsigned int expected_size) {
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out, &n, md, nullptr) != 1 || n != expected_size) {
    throw std::runtime_error("EVP_Digest failed");
  }
}

Status Invalid(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

bool IsSeparator(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ','; }

// A Fenwick tree over the candidates 1 … n, each present (1) or removed (0): finds the r-th
// remaining candidate in O(log n), so that a pool of 65535 with k = 65535 costs no more than
// the hashing.
class Remaining {
 public:
  explicit Remaining(std::uint32_t n) : tree_(n + 1, 0) {
    for (std::uint32_t i = 1; i <= n; ++i) {
      tree_[i] += 1;
      const std::uint32_t parent = i + (i & (~i + 1));
      if (parent <= n) tree_[parent] += tree_[i];
    }
    top_ = 1;
    while (top_ * 2 <= n) top_ *= 2;
  }

  // The number (1-based) of the remaining candidate with r remaining candidates before it.
  // Requires r < the number of remaining candidates.
  std::uint32_t Find(std::uint32_t r) const {
    std::uint32_t pos = 0;
    const auto n = static_cast<std::uint32_t>(tree_.size() - 1);
    for (std::uint32_t step = top_; step > 0; step /= 2) {
      if (pos + step <= n && tree_[pos + step] <= r) {
        pos += step;
        r -= tree_[pos];
      }
    }
    return pos + 1;
  }

  void Remove(std::uint32_t number) {
    for (std::uint32_t i = number; i < tree_.size(); i += i & (~i + 1)) tree_[i] -= 1;
  }

 private:
  std::vector<std::uint32_t> tree_;
  std::uint32_t top_ = 1;
};

}  // namespace

Result<std::string> FormatSource(std::string_view numbers) {
  std::vector<std::string> values;
  std::size_t i = 0;
  while (i < numbers.size()) {
    if (IsSeparator(numbers[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < numbers.size() && !IsSeparator(numbers[end])) ++end;
    const std::string_view token = numbers.substr(i, end - i);
    if (!std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Invalid("随机源 “" + std::string(numbers) + "” 含非十进制整数 “" + std::string(token) + "”",
                     "the random source '" + std::string(numbers) + "' holds '" + std::string(token) +
                         "', which is not a decimal integer (only digits; no sign or fraction)");
    }
    const std::size_t first = token.find_first_not_of('0');
    values.emplace_back(first == std::string_view::npos ? "0" : std::string(token.substr(first)));
    i = end;
  }
  if (values.empty()) {
    return Invalid("随机源 “" + std::string(numbers) + "” 不含任何数字",
                   "the random source '" + std::string(numbers) + "' holds no number");
  }
  // Without leading zeros a shorter number is smaller; equal lengths compare as text.
  std::sort(values.begin(), values.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  std::string out;
  for (const auto& v : values) {
    out += v;
    out += '.';
  }
  out += '/';
  return out;
}

Result<std::string> KeyString(const std::vector<std::string>& sources) {
  if (sources.empty()) return Invalid("没有随机源", "there is no random source");
  std::string key;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    auto s = FormatSource(sources[i]);
    if (!s.ok()) {
      return Status(s.status().code(), "第 " + std::to_string(i + 1) + " 个随机源：" + s.status().message() +
                                           " (source " + std::to_string(i + 1) + ")");
    }
    key += s.value();
  }
  return key;
}

Md5 SelectionHash(std::string_view key, std::uint16_t j) {
  std::string buf;
  buf.reserve(key.size() + 4);
  const char hi = static_cast<char>(j >> 8);
  const char lo = static_cast<char>(j & 0xFF);
  buf += hi;
  buf += lo;
  buf.append(key);
  buf += hi;
  buf += lo;
  Md5 out{};
  Digest(Md5Md(), buf, out.data(), static_cast<unsigned int>(out.size()));
  return out;
}

std::uint32_t Remainder(const Md5& value, std::uint32_t divisor) {
  if (divisor == 0 || divisor > kMaxCandidates) throw std::invalid_argument("Remainder: divisor out of range");
  // The long division of the RFC's reference code (longremainder): r < 65535, so r·256 + 255
  // fits in 32 bits.
  std::uint32_t r = 0;
  for (const std::uint8_t b : value) r = ((r << 8) | b) % divisor;
  return r;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

Result<std::vector<Pick>> Select(std::string_view key, std::uint32_t n, std::uint32_t k) {
  if (n > kMaxCandidates) {
    return Invalid("候选人数 " + std::to_string(n) + " 超过 RFC 3797 的上限 65535（16 位序号）",
                   "the pool has " + std::to_string(n) + " candidates; RFC 3797 allows at most 65535 (16-bit indices)");
  }
  if (k > n) {
    return Invalid("抽取数 " + std::to_string(k) + " 超过候选人数 " + std::to_string(n),
                   "cannot select " + std::to_string(k) + " of " + std::to_string(n) + " candidates");
  }
  std::vector<Pick> picks;
  picks.reserve(k);
  Remaining remaining(n);
  for (std::uint32_t j = 0; j < k; ++j) {
    const Md5 h = SelectionHash(key, static_cast<std::uint16_t>(j));
    const std::uint32_t number = remaining.Find(Remainder(h, n - j));
    remaining.Remove(number);
    picks.push_back({number, ToHex(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()))});
  }
  return picks;
}

Digest256 Seed(std::string_view task_id, std::string_view pool_hash, std::string_view secret,
               std::string_view entropy) {
  std::string buf;
  buf.reserve(8 + task_id.size() + pool_hash.size() + 2 * secret.size() + entropy.size() + 3);
  buf.append(kAlgorithm);
  buf += '\n';
  buf.append(task_id);
  buf += '\n';
  buf.append(pool_hash);
  buf += '\n';
  buf += ToHex(secret);
  buf += '\n';
  buf.append(entropy);
  Digest256 out{};
  Digest(Sha256Md(), buf, out.data(), static_cast<unsigned int>(out.size()));
  return out;
}

Result<SampleResult> Sample(const SampleRequest& request) {
  if (request.pool == nullptr) return Invalid("抽样请求没有抽样池", "the sample request has no pool");
  const FrozenPool& pool = *request.pool;

  // RFC 3797 has no strata: at most one stratum may be allocated, and it must be the whole pool.
  const Status strata = Invalid("rfc3797 抽样不支持分层", "rfc3797 sampling does not support strata; use xj-draw-v1");
  std::uint64_t k = 0;
  const std::string* allocated = nullptr;
  for (const auto& [label, k_s] : request.allocation) {
    if (k_s == 0) continue;
    if (allocated != nullptr) return strata;
    allocated = &label;
    k = k_s;
  }
  if (allocated != nullptr) {
    for (std::size_t i = 0; i < pool.size(); ++i) {
      const std::uint16_t s = pool.stratum_index[i];
      if (s >= pool.labels.size() || pool.labels[s] != *allocated) return strata;
    }
  }

  if (request.entropy.empty()) {
    return Invalid("rfc3797 抽样需要公开的随机源（熵），例如彩票开奖号码 “7.8.11.17.19.25.46./”，但熵为空",
                   "rfc3797 sampling needs public entropy (e.g. lottery numbers written as '7.8.11.17.19.25.46./'); "
                   "the entropy is empty");
  }
  if (pool.size() > kMaxCandidates) {
    return Invalid("抽样池有 " + std::to_string(pool.size()) +
                       " 个成员，rfc3797 最多支持 65535 个（16 位序号），请使用 xj-draw-v1",
                   "the pool has " + std::to_string(pool.size()) +
                       " members; rfc3797 supports at most 65535 (16-bit indices); use xj-draw-v1");
  }
  if (k > kMaxCandidates) {
    return Invalid("抽取数 " + std::to_string(k) + " 超过 rfc3797 的上限 65535（16 位序号）",
                   "rfc3797 cannot select " + std::to_string(k) + " members: at most 65535 (16-bit indices)");
  }
  if (k > pool.size()) {
    return Invalid("抽取数 " + std::to_string(k) + " 超过抽样池的 " + std::to_string(pool.size()) + " 个成员",
                   "cannot select " + std::to_string(k) + " of a pool of " + std::to_string(pool.size()));
  }

  try {
    auto picks = Select(request.entropy, static_cast<std::uint32_t>(pool.size()), static_cast<std::uint32_t>(k));
    if (!picks.ok()) return picks.status();
    SampleResult result;
    result.seed = Seed(request.task_id, request.pool_hash, request.secret, request.entropy);
    result.members.reserve(picks->size());
    for (auto& p : picks.value()) result.members.push_back({p.number - 1, std::move(p.hash)});
    return result;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return Status::Error(StatusCode::kInternal, std::string("rfc3797 内部错误：") + e.what(),
                         std::string("rfc3797 internal error: ") + e.what());
  }
}

}  // namespace xj::rfc3797
