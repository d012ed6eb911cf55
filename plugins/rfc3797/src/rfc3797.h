// rfc3797: the sampler of RFC 3797 ("Publicly Verifiable Nominations Committee (NomCom) Random
// Selection", section 4), registered under the algorithm name "rfc3797".
//
// The algorithm (RFC 3797 section 4, reproduced exactly, including its section 6 example):
// - The key string is built from public random sources. Each source's numbers are written in
//   decimal without leading zeros, sorted ascending, each followed by '.', and the source is
//   terminated by '/'; the sources are concatenated in their announced order, e.g.
//   "9319./2.5.8.10.12./9.18.26.34.41.45./". FormatSource and KeyString build it.
// - The candidates are numbered 1 … N in their published order.
// - For selection j = 0, 1, 2, … (j is 0 for the first pick; the RFC's printed "index" column
//   is j + 1), h_j = MD5(u16be(j) || key || u16be(j)) where u16be(j) is j as two bytes, most
//   significant first. h_j read as a 128-bit big-endian unsigned integer, taken modulo the
//   number of candidates not yet selected (N − j), gives r; the pick is the (r + 1)-th of the
//   remaining candidates counted in published order (r = 0 is the lowest-numbered remaining
//   one). It is removed and the next selection continues with one candidate fewer.
// - Consequence the RFC relies on: the first k picks for k = 10 are the first 10 picks for
//   k = 16, so alternates can be announced as "the next ones" after the fact.
// - 16-bit counters: the RFC's reference code refuses pools above 65535; so does this one.
//
// The sampler (plugin.cpp registers Sample below):
// - The pool given in SampleRequest is already in canonical published order (sorted by USCC
//   bytes, the pool file of docs/draw-v1.md): candidate number i + 1 is pool->uscc(i).
// - RFC 3797 has no strata. k is the sum of the allocation. If more than one stratum has
//   k_s > 0, or the one stratum with k_s > 0 does not hold every pool member (selecting from
//   the whole list would then pick members of strata allocated 0), the request is refused with
//   kInvalidArgument "rfc3797 抽样不支持分层 / rfc3797 sampling does not support strata; use
//   xj-draw-v1".
// - The key is the request's entropy, byte for byte. An empty entropy is refused
//   (kInvalidArgument): RFC 3797 is only verifiable with public entropy.
// - Pools above 65535 members and k above 65535 are refused (kInvalidArgument), and so is
//   k > pool size.
// - SampleResult.seed (which seeds the team streams of docs/draw-v1.md section 7 after the
//   sampling) = SHA-256("rfc3797\n" || task_id || "\n" || pool_hash || "\n" || hex(secret) ||
//   "\n" || entropy), hex lowercase. It binds the secret, so the team assignment stays
//   unpredictable to anyone who only knows the entropy; the selection itself depends on the
//   entropy and the pool order only, exactly as in the RFC.
// - SampleResult.members: the picks in selection order; index = number − 1 (position in the
//   pool) and ticket = lowercase hex of that pick's MD5 value (32 characters).
//
// Every function is pure: the same arguments give the same result on every machine, and none
// keeps state between calls, so all may be called from any thread. Expected failures are
// returned as kInvalidArgument with a bilingual message; OpenSSL failures (no MD5 or SHA-256
// available) throw std::runtime_error, which Sample converts into kInternal.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xinjian/sampler.h"
#include "xinjian/status.h"

namespace xj::rfc3797 {

// The algorithm name written in notices and proofs. Never reuse it for another computation.
inline constexpr std::string_view kAlgorithm = "rfc3797";

// The largest pool (and k): the selection counter and the candidate numbers are 16-bit.
inline constexpr std::uint32_t kMaxCandidates = 65535;

// An MD5 value.
using Md5 = std::array<std::uint8_t, 16>;

// One pick: the candidate's 1-based number in published order and the MD5 value that chose
// it, as lowercase hex.
struct Pick {
  std::uint32_t number = 0;
  std::string hash;
  friend bool operator==(const Pick&, const Pick&) = default;
};

// Formats one source of decimal integers the RFC 3797 way: "9 18 26 8" -> "8.9.18.26./".
// The numbers are separated by spaces, tabs, newlines or commas; leading zeros are dropped
// ("007" -> "7", "00" -> "0"); they are sorted ascending by value (any magnitude, no overflow)
// and duplicates are kept. Returns kInvalidArgument for a source with no number or with
// anything but digits (signs and fractions are not supported).
Result<std::string> FormatSource(std::string_view numbers);

// The key string of several sources in their announced order: the concatenation of
// FormatSource of each. Returns kInvalidArgument for an empty list or a bad source (the
// message names the source's 1-based position).
Result<std::string> KeyString(const std::vector<std::string>& sources);

// MD5(u16be(j) || key || u16be(j)). Throws std::runtime_error if OpenSSL fails.
Md5 SelectionHash(std::string_view key, std::uint16_t j);

// The 128-bit big-endian value of `value` modulo `divisor` (1 … 65535).
std::uint32_t Remainder(const Md5& value, std::uint32_t divisor);

// Lowercase hex of raw bytes.
std::string ToHex(std::string_view bytes);

// Selects k of the candidates 1 … n with key `key`; returns the picks in selection order.
// Returns kInvalidArgument when n > 65535 or k > n. k = 0 gives no picks. Runs in
// O(k · (|key| + log n)). Throws std::runtime_error if OpenSSL fails.
Result<std::vector<Pick>> Select(std::string_view key, std::uint32_t n, std::uint32_t k);

// SHA-256("rfc3797\n" || task_id || "\n" || pool_hash || "\n" || hex(secret) || "\n" ||
// entropy); `secret` is raw bytes. Throws std::runtime_error if OpenSSL fails.
Digest256 Seed(std::string_view task_id, std::string_view pool_hash, std::string_view secret, std::string_view entropy);

// The whole sampler (see the header comment for the semantics). Never throws except
// std::bad_alloc: an OpenSSL failure is returned as kInternal.
Result<SampleResult> Sample(const SampleRequest& request);

}  // namespace xj::rfc3797
