// The entropy plugin: registers the entropy sources "manual", "lottery" and "none"
// (entropy_sources.h).
#include <xinjian/plugin.h>

#include <memory>

#include "entropy_sources.h"

namespace {

xj::Status Init(xj::Registrar& registrar) {
  if (auto st = registrar.AddEntropySource(xj::entropy::kManual, std::make_unique<xj::entropy::ManualSource>());
      !st.ok())
    return st;
  if (auto st = registrar.AddEntropySource(xj::entropy::kLottery, std::make_unique<xj::entropy::LotterySource>());
      !st.ok())
    return st;
  return registrar.AddEntropySource(xj::entropy::kNone, std::make_unique<xj::entropy::NoneSource>());
}

}  // namespace

XJ_PLUGIN(Init)
