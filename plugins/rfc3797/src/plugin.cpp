// The rfc3797 plugin: registers the RFC 3797 sampler under the algorithm name "rfc3797".
// The algorithm and the sampler semantics are documented in rfc3797.h.
#include <memory>
#include <string>

#include <xinjian/plugin.h>

#include "rfc3797.h"

namespace {

class Rfc3797Sampler final : public xj::Sampler {
 public:
  std::string Description() const override {
    return "RFC 3797 公开可验证随机抽取（按公布顺序编号，不分层，最多 65535 个） / RFC 3797 publicly verifiable "
           "random selection (numbered in published order, no strata, at most 65535)";
  }
  xj::Result<xj::SampleResult> Sample(const xj::SampleRequest& request) const override {
    return xj::rfc3797::Sample(request);
  }
};

xj::Status Init(xj::Registrar& registrar) {
  return registrar.AddSampler(std::string(xj::rfc3797::kAlgorithm), std::make_unique<Rfc3797Sampler>());
}

}  // namespace

XJ_PLUGIN(Init)
