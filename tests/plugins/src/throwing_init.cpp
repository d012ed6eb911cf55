// Registers a subscriber, then throws from init: the host must report "init threw: ..." and
// discard the subscriber.
#include <memory>
#include <stdexcept>

#include <xinjian/plugin.h>

namespace {
class Discarded final : public xj::EventSubscriber {
 public:
  std::string TopicPrefix() const override { return ""; }
  xj::Status OnEvent(const xj::Event&) override { return xj::Status::Ok(); }
};

xj::Status Init(xj::Registrar& r) {
  (void)r.AddSubscriber("xj-test-throwing-sub", std::make_unique<Discarded>());
  throw std::runtime_error("boom from init");
}
}  // namespace

XJ_PLUGIN(Init)
