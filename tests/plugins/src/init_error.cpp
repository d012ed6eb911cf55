// Registers a subscriber, then returns a non-OK Status from init: the host must record the
// plugin's message and discard the subscriber.
#include <memory>

#include <xinjian/plugin.h>

namespace {
class Discarded final : public xj::EventSubscriber {
 public:
  std::string TopicPrefix() const override { return ""; }
  xj::Status OnEvent(const xj::Event&) override { return xj::Status::Ok(); }
};

xj::Status Init(xj::Registrar& r) {
  (void)r.AddSubscriber("xj-test-init-error-sub", std::make_unique<Discarded>());
  return xj::Status::Error(xj::StatusCode::kFailedPrecondition, "缺少配置 plugins.xj-test-init-error.token",
                           "missing configuration plugins.xj-test-init-error.token");
}
}  // namespace

XJ_PLUGIN(Init)
