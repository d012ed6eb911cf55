// Samplers: the sampling methods of the 双随机 draws, registered by plugins.
//
// A task names its sampler by algorithm name ("xj-draw-v1" by default, shipped by the draw
// plugin; "rfc3797" by the rfc3797 plugin). The host freezes the pool, computes how many
// subjects each stratum gets (the allocation of docs/draw-v1.md section 5, the same for every
// sampler), and asks the sampler which members to take and in what order. Team assignment
// (section 7 of the spec) then runs on the sampler's seed, so every sampler gets teams with
// conflict avoidance for free.
//
// Write one like this (see docs/plugins.md and plugins/rfc3797/):
//
//   class MySampler final : public xj::Sampler {
//     std::string Description() const override { return "我的抽样 / my sampling"; }
//     xj::Result<xj::SampleResult> Sample(const xj::SampleRequest& r) const override { ... }
//   };
//   static xj::Status Init(xj::Registrar& reg) {
//     return reg.AddSampler("my-sampler-v1", std::make_unique<MySampler>());
//   }
//   XJ_PLUGIN(Init)
//
// and declare "sampler" in the manifest's capabilities. The algorithm name is written into
// every notice and proof, so a new behaviour needs a new name: never change what an existing
// name computes.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "xinjian/status.h"

namespace xj {

inline constexpr const char* kCapabilitySampler = "sampler";

// One member of a frozen pool: its USCC and its stratum label (empty when unstratified).
struct PoolMember {
  std::string uscc;
  std::string stratum;
  friend bool operator==(const PoolMember&, const PoolMember&) = default;
};

// SHA-256 sized value (the seed of the team streams).
using Digest256 = std::array<std::uint8_t, 32>;

// A frozen pool in canonical order, stored compactly (about 20 bytes per member, so a whole
// province of 10,000,000 subjects fits in 200 MB): the 18-character USCCs back to back, sorted
// ascending by bytes without duplicates, and per member the index of its stratum label.
// Member number i+1 in the published order is uscc(i). Build one with the draw plugin's
// FreezePool or fill the fields and keep the invariants; samplers only read it.
struct FrozenPool {
  static constexpr std::size_t kUsccLength = 18;
  std::string usccs;                         // size() * 18 bytes
  std::vector<std::uint16_t> stratum_index;  // one per member, into `labels`
  std::vector<std::string> labels;           // distinct stratum labels, sorted by bytes

  std::size_t size() const { return stratum_index.size(); }
  std::string_view uscc(std::size_t i) const { return {usccs.data() + i * kUsccLength, kUsccLength}; }
  const std::string& stratum(std::size_t i) const { return labels[stratum_index[i]]; }
};

struct SampleRequest {
  std::string task_id;
  std::string secret;     // raw bytes; committed to before the draw, revealed in the proof
  std::string entropy;    // the public value exactly as published (may be empty in demos)
  std::string pool_hash;  // lowercase hex SHA-256 of the canonical pool file
  // The canonical pool. Never null; owned by the caller for the call's duration.
  const FrozenPool* pool = nullptr;
  // k_s per stratum label, each at most that stratum's size; strata not listed get 0.
  std::map<std::string, std::uint64_t> allocation;
};

struct SampledMember {
  std::uint32_t index = 0;  // position in *pool
  std::string ticket;       // the sampler's value for this member, lowercase hex
};

struct SampleResult {
  Digest256 seed{};                    // seeds the team streams (docs/draw-v1.md section 7)
  std::vector<SampledMember> members;  // exactly Σ allocation members, in draw order
};

// Implemented by plugins. Sample must be a pure function of the request: the same request
// gives the same result on every machine, because `xinjian verify` and tools/verify_draw.py
// re-run it from the published proof. It may be called from any thread and must not keep
// state between calls. Expected failures (a request the method cannot handle, such as strata
// for a method that has none) are returned as kInvalidArgument with a bilingual message.
class Sampler {
 public:
  virtual ~Sampler() = default;
  // One line, "中文 / English", shown by `xinjian plugins list`.
  virtual std::string Description() const = 0;
  virtual Result<SampleResult> Sample(const SampleRequest& request) const = 0;
};

}  // namespace xj
