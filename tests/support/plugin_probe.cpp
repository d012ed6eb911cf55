// plugin_probe.h over the core's PluginHost.
#include "plugin_probe.h"

#include <utility>

#include "plugin_host.h"

namespace xj::test {

struct PluginProbe::Impl {
  explicit Impl(HostOptions options) : host(std::move(options)) {}
  PluginHost host;
  Status status;
  std::vector<ProbedPlugin> plugins;
};

namespace {

HostOptions ToHostOptions(ProbeOptions options) {
  HostOptions o;
  o.search_dirs = {std::string(XJ_BINARY_DIR) + "/plugins"};
  o.required = std::move(options.required);
  o.config = std::move(options.config);
  return o;
}

}  // namespace

PluginProbe::PluginProbe(ProbeOptions options) : impl_(std::make_unique<Impl>(ToHostOptions(std::move(options)))) {
  impl_->status = impl_->host.LoadAll();
  for (const PluginRecord& rec : impl_->host.records()) {
    impl_->plugins.push_back(ProbedPlugin{.name = rec.manifest.name,
                                          .state = rec.state,
                                          .error = rec.error,
                                          .capabilities = rec.manifest.capabilities,
                                          .registered = rec.registered});
  }
}

PluginProbe::~PluginProbe() = default;

const Status& PluginProbe::status() const { return impl_->status; }

const std::vector<ProbedPlugin>& PluginProbe::plugins() const { return impl_->plugins; }

const ProbedPlugin* PluginProbe::Plugin(const std::string& name) const {
  // The last record of that name, as the tests picked it before the probe existed (a second
  // folder with a name already taken is recorded as failed after the first).
  const ProbedPlugin* found = nullptr;
  for (const ProbedPlugin& p : impl_->plugins) {
    if (p.name == name) found = &p;
  }
  return found;
}

const Sampler* PluginProbe::FindSampler(const std::string& algorithm) const {
  return impl_->host.FindSampler(algorithm);
}

const EntropySource* PluginProbe::FindEntropySource(const std::string& name) const {
  return impl_->host.FindEntropySource(name);
}

EventSubscriber* PluginProbe::FindSubscriber(const std::string& name) const {
  const auto& subscribers = impl_->host.subscribers();
  const auto it = subscribers.find(name);
  return it == subscribers.end() ? nullptr : it->second.get();
}

std::size_t PluginProbe::EntropySourceCount() const { return impl_->host.entropy_sources().size(); }

}  // namespace xj::test
