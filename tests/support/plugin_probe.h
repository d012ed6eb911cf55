// A plugin's own tests (plugins/<name>/tests/) load the built plugins the way the product
// does, without reaching the core: this header includes only the SDK (xinjian/*.h) and the
// standard library, so that a plugin test including it stays inside the plugin rule of issue
// 13 (tests/layout/check_plugin_includes.py). The implementation (plugin_probe.cpp) is the
// core's PluginHost over the build tree's plugin folder, XJ_BINARY_DIR "/plugins" (where
// `xinjian` run from the build tree finds them): every plugin found there is loaded, the
// required ones must load.
//
//   xj::test::PluginProbe probe({.required = {"entropy"}});
//   INFO(probe.status().message());
//   REQUIRE(probe.status().ok());
//   const xj::test::ProbedPlugin* entropy = probe.Plugin("entropy");
//   const xj::EntropySource* manual = probe.FindEntropySource("manual");
//
// Nothing here knows a feature. A probe owns what the plugins registered (samplers, entropy
// sources, subscribers): pointers it hands out are valid while it lives. The libraries are
// never unloaded. Not thread-safe; for the test thread only.
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "xinjian/entropy.h"
#include "xinjian/events.h"
#include "xinjian/sampler.h"
#include "xinjian/status.h"

namespace xj::test {

// What the probe loads: the plugins that must load (a missing or failed one makes status()
// non-OK, naming it) and the configuration handed to them ("plugins.<name>.<key>" => value,
// as `--set` gives it). The default member initializers let a designated initializer name
// only the fields it sets ({.required = {"entropy"}}) under -Wmissing-field-initializers.
struct ProbeOptions {
  std::vector<std::string> required{};
  std::map<std::string, std::string> config{};
};

// One plugin the probe found, loaded or not.
struct ProbedPlugin {
  std::string name;                       // the manifest's name (as far as it could be read)
  std::string state;                      // "loaded" | "failed"
  std::string error;                      // bilingual, names the file, when failed
  std::vector<std::string> capabilities;  // the manifest's capabilities, in its order
  // What it registered: capability kind => names, sorted ("entropy_source" => {"manual",
  // "none"}). Empty when it failed.
  std::map<std::string, std::vector<std::string>> registered;
};

class PluginProbe {
 public:
  // Loads every plugin of the build tree's plugin folder with `options`; the outcome is in
  // status(). Never fails the running test itself.
  explicit PluginProbe(ProbeOptions options = {});
  ~PluginProbe();
  PluginProbe(const PluginProbe&) = delete;
  PluginProbe& operator=(const PluginProbe&) = delete;

  // OK unless a required plugin failed or is missing; the message names it and its error.
  const Status& status() const;
  // Every plugin found, in the host's order, and one by name (the last record of that name;
  // nullptr if none has it).
  const std::vector<ProbedPlugin>& plugins() const;
  const ProbedPlugin* Plugin(const std::string& name) const;

  // What the loaded plugins registered, by name, or nullptr.
  const Sampler* FindSampler(const std::string& algorithm) const;
  const EntropySource* FindEntropySource(const std::string& name) const;
  EventSubscriber* FindSubscriber(const std::string& name) const;
  // How many entropy sources all loaded plugins registered together.
  std::size_t EntropySourceCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xj::test
