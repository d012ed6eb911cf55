// Exports an xj_plugin_abi written by hand that differs from the host in one field, chosen
// by XJ_TEST_ABI_FIELD: 1 abi_major, 2 host_api (newer than the host), 3 boost_version.
// Its init registers a subscriber; the host must never call it.
#include <memory>

#include <xinjian/plugin.h>

namespace {
class Never final : public xj::EventSubscriber {
 public:
  std::string TopicPrefix() const override { return ""; }
  xj::Status OnEvent(const xj::Event&) override { return xj::Status::Ok(); }
};
}  // namespace

XJ_PLUGIN_EXPORT xj::PluginAbi xj_plugin_abi() {
  xj::PluginAbi abi = xj::CurrentPluginAbi();
#if XJ_TEST_ABI_FIELD == 1
  abi.abi_major = xj::kPluginAbiMajor + 1;
#elif XJ_TEST_ABI_FIELD == 2
  abi.host_api = xj::kHostApiVersion + 1;
#elif XJ_TEST_ABI_FIELD == 3
  abi.boost_version = abi.boost_version + 100;
#else
#error "XJ_TEST_ABI_FIELD must be 1, 2 or 3"
#endif
  return abi;
}

XJ_PLUGIN_EXPORT xj::Status xj_plugin_init(xj::Registrar& r) {
  return r.AddSubscriber("never-registered", std::make_unique<Never>());
}
