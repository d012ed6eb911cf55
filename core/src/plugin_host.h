// The plugin host: finds plugin manifests, validates them, loads the libraries with
// Boost.DLL (rtld_now | rtld_local, never unloaded), checks the ABI and calls init.
// A failing plugin is recorded with its error and skipped, unless it is required.
// Not thread-safe during LoadAll; read-only afterwards.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "xinjian/entropy.h"
#include "xinjian/events.h"
#include "xinjian/job.h"
#include "xinjian/plugin.h"
#include "xinjian/sampler.h"
#include "xinjian/list_policy.h"
#include "xinjian/scorer.h"
#include "xinjian/status.h"
#include "plugin_migrations.h"

namespace xj {

class PlatformImpl;

// A command a plugin registered (xinjian/command.h).
struct RegisteredCommand {
  std::string plugin;  // the plugin's name
  CommandSpec spec;
  CommandFn fn;
  std::uint64_t order = 0;  // registration order in the process (--help lists in this order)
};

// An HTTP route a plugin registered (xinjian/http.h).
struct RegisteredRoute {
  std::string plugin;
  RouteSpec spec;
  RouteFn fn;
  std::vector<std::string> segments;  // the pattern split at '/', "{}" for a parameter
  std::vector<std::string> params;    // the parameters' names, in order
  bool machine = false;               // AddMachineRoute: served on the machine listener too
};

// A navigation link and a page section a plugin registered (xinjian/http.h).
struct RegisteredNavLink {
  std::string plugin;
  NavLink link;
};
struct RegisteredSection {
  std::string plugin;
  SectionSpec spec;
  SectionFn fn;
};

// A job a plugin asks every platform to run (Registrar::AddDefaultJob), with its plugin.
struct RegisteredDefaultJob {
  std::string plugin;
  DefaultJob job;
};

struct PluginManifest {
  std::string name;          // [a-z0-9][a-z0-9-]{0,62}
  std::string version;       // semver MAJOR.MINOR.PATCH[-pre][+build]
  std::uint32_t abi = 0;     // must equal kPluginAbiMajor
  std::vector<std::string> capabilities;  // known kinds, see plugin.h
  std::string status;        // "stable" | "experimental" | "deprecated"
  std::string description;   // optional
  std::string library = "plugin.so";  // file name beside the manifest, no path separators
  std::vector<std::string> provides;  // service names it provides (service.h)
  std::vector<std::string> requires_; // service names it requires ("requires" in JSON)
};

// Parses and validates a manifest (schemas/plugin-manifest.schema.json describes it).
// The error names the field.
Result<PluginManifest> ParsePluginManifest(const std::string& json_text);

// The capability kinds a manifest may declare, in the order they were introduced. This is
// the one list the host checks against; schemas/plugin-manifest.schema.json repeats it (a
// unit test keeps the two equal). Add a kind here together with its Registrar function.
const std::vector<std::string>& KnownPluginCapabilities();

struct PluginRecord {
  std::string dir;              // folder holding plugin.json
  PluginManifest manifest;      // as far as it could be read
  std::string state;            // "loaded" | "failed"
  std::string error;            // bilingual, names the file, when failed
  // What a loaded plugin registered: capability kind => names, sorted (e.g. "sampler" =>
  // {"xj-draw-v1"}, "entropy_source" => {"manual", "none"}). Empty when it failed.
  std::map<std::string, std::vector<std::string>> registered;
};

struct HostOptions {
  std::vector<std::string> search_dirs;        // each holds one folder per plugin
  std::vector<std::string> required;           // names that must load
  std::map<std::string, std::string> config;   // "plugins.<name>.<key>" => value
};

class PluginHost {
 public:
  explicit PluginHost(HostOptions options);
  ~PluginHost();
  // Loads every plugin found. Returns non-OK only when a required plugin failed or is
  // missing; the message names it and its error. Other failures are in records().
  Status LoadAll();
  const std::vector<PluginRecord>& records() const;
  // Registered subscribers by name (owned by the host).
  const std::map<std::string, std::unique_ptr<EventSubscriber>>& subscribers() const;
  // Registered writing subscribers by name (events.h; names shared with subscribers()).
  const std::map<std::string, std::unique_ptr<WritingSubscriber>>& writing_subscribers() const;
  // The platform handed to plugins (Registrar::platform). Attach the database to it once
  // it is open, and detach before closing it.
  PlatformImpl& platform();
  // The service `name` and the plugin providing it, or {nullptr, ""}.
  std::pair<Service*, std::string> FindService(const std::string& name) const;
  // Registered commands, keyed by their path joined with ' ' ("task draw"), sorted.
  const std::map<std::string, RegisteredCommand>& commands() const;
  // Registered HTTP routes, in registration order.
  const std::vector<RegisteredRoute>& routes() const;
  // Registered navigation links, by order then path; page sections, by page, order, plugin.
  std::vector<RegisteredNavLink> nav_links() const;
  std::vector<const RegisteredSection*> sections(const std::string& page) const;
  // The default jobs plugins registered, in registration order.
  const std::vector<RegisteredDefaultJob>& default_jobs() const;
  // The demo steps plugins registered, in load order (demo.h).
  std::vector<DemoStep*> demo_steps() const;
  // The migrations of every loaded plugin for `dialect` (plugin_migrations.h), each plugin's
  // in version order, the plugins in the order they must apply: a plugin after the plugins
  // providing the services its manifest requires, otherwise by name ("draw" before
  // "inspection"). An error names the plugin's file.
  Result<std::vector<PluginMigration>> Migrations(Dialect dialect) const;
  // Registered samplers by algorithm name (owned by the host), and one by name or nullptr.
  const std::map<std::string, std::unique_ptr<Sampler>>& samplers() const;
  const Sampler* FindSampler(const std::string& algorithm) const;
  // Registered scoring engines by name (owned by the host), and one by name or nullptr.
  const std::map<std::string, std::unique_ptr<Scorer>>& scorers() const;
  const Scorer* FindScorer(const std::string& name) const;
  const std::map<std::string, std::unique_ptr<ListPolicy>>& list_policies() const;
  const ListPolicy* FindListPolicy(const std::string& code) const;
  // Registered entropy sources by name (owned by the host), and one by name or nullptr.
  const std::map<std::string, std::unique_ptr<EntropySource>>& entropy_sources() const;
  const EntropySource* FindEntropySource(const std::string& name) const;
  // Registered job handlers by name (owned by the host), and one by name or nullptr. Run may
  // be called on them from several threads (job.h).
  const std::map<std::string, std::unique_ptr<JobHandler>>& job_handlers() const;
  JobHandler* FindJobHandler(const std::string& name) const;
  // The name of the plugin that registered a job handler ("" if none did): the scheduler
  // reads "plugins.<that name>.<key>" for JobServices::Config.
  std::string JobHandlerPlugin(const std::string& name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The default plugin folders: $XINJIAN_PLUGIN_PATH (colon-separated) if set, else
// <dir of the executable>/../plugins (the build tree layout) and
// <dir of the executable>/../lib/xinjian/plugins (the installed layout).
std::vector<std::string> DefaultPluginDirs();

}  // namespace xj
