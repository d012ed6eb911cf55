// Its manifest declares no capability, yet init registers a subscriber and ignores the
// error AddSubscriber returns: the host must fail the plugin anyway.
#include <memory>

#include <xinjian/plugin.h>

namespace {
class Undeclared final : public xj::EventSubscriber {
 public:
  std::string TopicPrefix() const override { return ""; }
  xj::Status OnEvent(const xj::Event&) override { return xj::Status::Ok(); }
};

xj::Status Init(xj::Registrar& r) {
  (void)r.AddSubscriber("xj-test-undeclared-sub", std::make_unique<Undeclared>());
  return xj::Status::Ok();
}
}  // namespace

XJ_PLUGIN(Init)
