// The XinJian plugin SDK: what a plugin exports and how it registers its capabilities.
//
// A plugin is a shared library `plugin.so` with a manifest `plugin.json` beside it. The host
// validates the manifest before loading any code, loads the library with RTLD_NOW|RTLD_LOCAL,
// calls xj_plugin_abi() and compares the answer with its own build, then calls
// xj_plugin_init() with a Registrar. A plugin is never unloaded.
//
// Write a plugin like this (see docs/plugins.md):
//
//   #include <xinjian/plugin.h>
//   static xj::Status Init(xj::Registrar& r) {
//     return r.AddSubscriber("my-feed", std::make_unique<MyFeed>());
//   }
//   XJ_PLUGIN(Init)
//
// Capabilities registered in init must be declared in the manifest's "capabilities".
//
// Migrations: a plugin that keeps data ships its schema as SQL files beside its library,
// `migrations/sqlite/NNN_name.sql` and `migrations/postgresql/NNN_name.sql` (NNN from 001,
// no gaps, the same numbers and names for both dialects). `xinjian init`, `xinjian demo` and
// `xinjian serve` at start-up apply the pending ones in order, each in its own transaction
// (other commands that use the plugins' tables refuse while some are pending, naming
// `xinjian init`), one plugin after another: a plugin after the plugins providing the
// services it requires, otherwise by name; a plugin whose tables refer to another plugin's
// must require a service of that plugin. They are recorded per (plugin, version) in
// plugin_migrations with a checksum:
// a recorded migration whose file changed, or a database recording a version newer than the
// plugin ships, is refused with a message naming the plugin. Name your tables after your
// plugin ("hello_notes"). A first line `-- xinjian: adopts core NNN_name` marks a migration
// whose tables an older release created as the core's migration NNN_name: on a database
// where that core migration ran, it is recorded as applied without running.
// Thread safety: the Registrar is only valid during the init call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/version.hpp>

#include "xinjian/command.h"
#include "xinjian/demo.h"
#include "xinjian/entropy.h"
#include "xinjian/events.h"
#include "xinjian/http.h"
#include "xinjian/job.h"
#include "xinjian/list_policy.h"
#include "xinjian/platform.h"
#include "xinjian/sampler.h"
#include "xinjian/scorer.h"
#include "xinjian/service.h"
#include "xinjian/status.h"

namespace xj {

// Bumped when anything in the SDK headers changes incompatibly.
inline constexpr std::uint32_t kPluginAbiMajor = 1;
// Bumped when the Registrar gains functions (a plugin built against a newer host API is refused;
// an older plugin still loads: new functions are only ever appended).
// 2: AddSampler. 3: AddEntropySource and AddJobHandler. 4: EntropySource::Format and ::Read
// (appended virtual functions: the host calls them only on sources of plugins built against 4
// or later, and answers with the SDK's defaults for older ones). 5: platform() (units of
// work, reads, the clock: platform.h, sql.h, time.h), AddWritingSubscriber, plugin
// migrations, AddCommand. 6: services (ProvideService, FindService; manifest "provides" and
// "requires"), JobServices::RunInTransaction and ::platform (job.h); Platform::FindSampler,
// FindEntropySource, SamplerNames, EntropySourceNames, Subjects and Regions (the directories
// and the subject index, directory.h; text checks, text.h).
// 7: AddDefaultJob (job.h: DefaultJob, JobPlatform), AddDemoStep (demo.h); Platform::OpenTable
// (the host's CSV reader, table_reader.h) and Platform::Jobs (JobScheduler); CommandSpec::excludes
// (read only from plugins built against 7 or later); CommandContext::SetExitCode applies to
// failures too; PrintTableHeader and NoteListed (command.h).
// 8: AddRoute (http.h). 9: AddNavLink and AddSection; HttpContext::lang, csrf_token, Page and
// Sections (appended virtual functions; the host's contexts have them for every plugin);
// Platform::WriteXlsx (Excel workbooks for the open-data writers of opendata.h).
// 10: Platform::ReadSingle (a read of one statement without a transaction's round trips).
// 11: AddScorer (scorer.h: scoring engines, capability "scorer"); Platform::FindScorer,
// ScorerNames and SetRiskClasses (the one directory column a plugin may change).
// 12: AddListPolicy (list_policy.h: list types, capability "list_policy");
// Platform::FindListPolicy, ListPolicyNames and SetListings (the directory's listings column,
// which the subject index carries: SubjectFacts::listings, a changed SubjectIndex layout).
// 13: Platform::AtDetach (a hook before the platform's database is detached: a plugin's
// in-memory queue is written at a clean stop).
// 14: AddMachineRoute (a public API route served also by the event-driven machine listener of
// `serve --api-listen`).
inline constexpr std::uint32_t kHostApiVersion = 14;

// Returned by xj_plugin_abi(). Only 32-bit fields: no padding, same layout everywhere.
struct PluginAbi {
  std::uint32_t struct_size;
  std::uint32_t abi_major;
  std::uint32_t host_api;
  std::uint32_t compiler_major;   // __GNUC__
  std::uint32_t compiler_minor;   // __GNUC_MINOR__
  std::uint32_t cxx11_abi;        // _GLIBCXX_USE_CXX11_ABI
  std::uint32_t boost_version;    // BOOST_VERSION
  std::uint32_t reserved;
};
static_assert(sizeof(PluginAbi) == 8 * sizeof(std::uint32_t), "PluginAbi must have no padding");

// The ABI of the code that includes this header (the host uses it for its own side).
inline PluginAbi CurrentPluginAbi() {
  return PluginAbi{sizeof(PluginAbi), kPluginAbiMajor, kHostApiVersion,
                   static_cast<std::uint32_t>(__GNUC__), static_cast<std::uint32_t>(__GNUC_MINOR__),
                   static_cast<std::uint32_t>(_GLIBCXX_USE_CXX11_ABI),
                   static_cast<std::uint32_t>(BOOST_VERSION), 0};
}

// Capability kinds a manifest may declare (kCapabilitySampler is in sampler.h,
// kCapabilityEntropySource in entropy.h, kCapabilityJob in job.h, kCapabilityScorer in
// scorer.h, kCapabilityHttp in http.h, kCapabilityListPolicy in list_policy.h). Later issues
// add assigner, measure.
inline constexpr const char* kCapabilitySubscriber = "subscriber";

// Passed to a plugin's init. The host owns it; do not keep it after init returns.
class Registrar {
 public:
  virtual ~Registrar() = default;
  // The plugin's name as its manifest declares it.
  virtual const std::string& PluginName() const = 0;
  // A configuration value for this plugin ("plugins.<name>.<key>"), or `fallback`.
  virtual std::string Config(const std::string& key, const std::string& fallback) const = 0;
  // Registers an event subscriber under a name unique among all subscribers. The host takes
  // ownership. Returns kAlreadyExists if the name is taken.
  virtual Status AddSubscriber(const std::string& name, std::unique_ptr<EventSubscriber> subscriber) = 0;
  // Registers a sampler under its algorithm name ([a-z0-9][a-z0-9.-]*, unique among all
  // samplers). The host takes ownership. Returns kAlreadyExists if the name is taken and
  // kInvalidArgument for a bad name or a null sampler. Host API 2.
  virtual Status AddSampler(const std::string& algorithm, std::unique_ptr<Sampler> sampler) = 0;
  // Registers an entropy source under the name task specs use ("entropy": {"source": name}),
  // with the same rules as AddSampler: [a-z0-9][a-z0-9.-]*, at most 64 characters, unique
  // among all entropy sources. The host takes ownership. Returns kAlreadyExists if the name
  // is taken, kInvalidArgument for a bad name or a null source, kFailedPrecondition when the
  // manifest does not declare "entropy_source". Host API 3.
  virtual Status AddEntropySource(const std::string& name, std::unique_ptr<EntropySource> source) = 0;
  // Registers a job handler under the name jobs refer to (`xinjian jobs add --handler name`),
  // with the same rules and errors as AddEntropySource (capability "job"). Names are unique
  // among all plugins' handlers; do not reuse a built-in handler's name (deadlines.refresh,
  // draw.scheduled…): prefix yours with your plugin's name ("hello.greet"). The host takes
  // ownership. Host API 3.
  virtual Status AddJobHandler(const std::string& name, std::unique_ptr<JobHandler> handler) = 0;

  // Host API 5.
  // The platform: units of work over the database, reads, the clock (platform.h). The
  // reference stays valid for the life of the process, so a plugin may keep it for its
  // commands, jobs and subscribers; a database is attached later (RunInTransaction answers
  // kFailedPrecondition until one is open).
  virtual Platform& platform() = 0;
  // Registers a subscriber that writes inside the unit of work that delivers each event
  // (events.h: WritingSubscriber). Names share one namespace with AddSubscriber's; the same
  // rules and errors (capability "subscriber").
  virtual Status AddWritingSubscriber(const std::string& name, std::unique_ptr<WritingSubscriber> subscriber) = 0;
  // Registers a command of the `xinjian` command line (command.h; capability "command").
  // kInvalidArgument naming the problem: a path word or option name that is not
  // [a-z][a-z0-9-]* (options "--" + that), an empty help text, an option declared twice, a
  // required positional after an optional one, kTexts positional not last, a fallback that
  // is not among the choices, a null function. kAlreadyExists when another plugin (or this
  // one) registered the same path, or the path is a group of other commands or the other way
  // round. The host keeps `fn` for the life of the process.
  virtual Status AddCommand(const CommandSpec& spec, CommandFn fn) = 0;

  // Host API 6 (service.h).
  // Offers `service` to other plugins under `name` ([a-z0-9][a-z0-9.-]*, at most 64
  // characters) at `version` (1 or more). The host takes ownership. kFailedPrecondition when
  // the manifest's "provides" does not list the name, kInvalidArgument for a bad name, a
  // version 0 or a null object, kAlreadyExists when it was provided already. A plugin that
  // returns from init without providing everything its manifest lists fails to load.
  virtual Status ProvideService(const std::string& name, std::uint32_t version, std::unique_ptr<Service> service) = 0;
  // The service `name` at `version`, provided by a plugin loaded earlier (the host orders
  // loading by the manifests). kFailedPrecondition when the manifest's "requires" does not
  // list the name or the provider offers another version (the message names both plugins and
  // versions); kNotFound when no loaded plugin provides it.
  virtual Result<Service*> FindService(const std::string& name, std::uint32_t version) = 0;

  // Host API 7.
  // A job every platform runs (DefaultJob), with one of this plugin's handlers (register it
  // first with AddJobHandler). The first scheduler that starts on a database adds it, once;
  // from then on it is an ordinary job an operator may pause or change (`xinjian jobs`). A
  // removed default job comes back at the next start. kFailedPrecondition without the
  // capability "job"; kInvalidArgument for a bad name, an empty schedule, a handler this
  // plugin has not registered or an unknown misfire policy (the schedule itself is checked
  // when the scheduler adds the job: a bad one is a warning of `serve` naming the job);
  // kAlreadyExists when a plugin registered the name already.
  virtual Status AddDefaultJob(const DefaultJob& job) = 0;
  // Adds a step to `xinjian demo` (demo.h; capability "demo") under a name
  // ([a-z0-9][a-z0-9.-]*, unique among all plugins' steps). The host takes ownership.
  // kFailedPrecondition without the capability, kInvalidArgument for a bad name or a null
  // step, kAlreadyExists when the name is taken.
  virtual Status AddDemoStep(const std::string& name, std::unique_ptr<DemoStep> step) = 0;

  // Host API 8.
  // Registers an HTTP route of `xinjian serve --listen` (http.h; capability "http").
  // kFailedPrecondition without the capability; kInvalidArgument naming the problem: a
  // pattern that does not start with "/" or has a bad segment or parameter name, a parameter
  // named twice, an empty help text, roles with kPublic, a null function; kAlreadyExists when
  // a plugin registered the same method and pattern (or one that differs only in its
  // parameters' names). The host keeps `fn` for the life of the process.
  virtual Status AddRoute(const RouteSpec& spec, RouteFn fn) = 0;
  // Host API 9: a link in the site's navigation to one of this plugin's pages, and a section
  // of another plugin's page (http.h: NavLink, SectionSpec). kInvalidArgument for a path that
  // is no route pattern or an empty label or page name. Capability "http".
  virtual Status AddNavLink(const NavLink& link) = 0;
  virtual Status AddSection(const SectionSpec& spec, SectionFn fn) = 0;

  // Host API 11: a scoring engine (scorer.h) under the name model files give as "engine",
  // with the same rules and errors as AddSampler (capability "scorer"). The host takes
  // ownership.
  virtual Status AddScorer(const std::string& name, std::unique_ptr<Scorer> scorer) = 0;

  // Host API 12: a list type (list_policy.h) under its code. The host takes ownership.
  // kFailedPrecondition without the capability "list_policy"; kInvalidArgument for a null
  // policy or one CheckListPolicy refuses (the message names the problem); kAlreadyExists when
  // a plugin registered the code already.
  virtual Status AddListPolicy(std::unique_ptr<ListPolicy> policy) = 0;

  // Host API 14: a route of the site (as AddRoute, same rules and errors) that the machine
  // listener of `xinjian serve --api-listen ADDR` serves too: an event-driven listener on few
  // threads (one per core), for programs calling at high rates (docs/web.md, "The machine
  // listener"). There every caller is anonymous (no cookies, no sessions, no CSRF check): the
  // route must be public (RouteAccess::kPublic) and under /api/, else kInvalidArgument; it
  // authenticates its callers itself (an API key). Its function runs on one of those few
  // threads, so it must answer from memory and not wait on the database or the network: a
  // wait stalls every connection of that thread. HttpContext::Page and Sections are not
  // available there (they answer an empty page).
  virtual Status AddMachineRoute(const RouteSpec& spec, RouteFn fn) = 0;
};

// The service T (a Service subclass with kServiceName and kServiceVersion), typed.
template <typename T>
Result<T*> RequireService(Registrar& registrar) {
  Result<Service*> found = registrar.FindService(T::kServiceName, T::kServiceVersion);
  if (!found.ok()) return found.status();
  return static_cast<T*>(found.value());
}

// Offers `service` (a T, T a Service subclass with kServiceName and kServiceVersion).
template <typename T, typename Impl>
Status ProvideService(Registrar& registrar, std::unique_ptr<Impl> service) {
  static_assert(std::is_base_of_v<T, Impl>, "the object must implement the service interface");
  std::unique_ptr<Service> base(static_cast<T*>(service.release()));
  return registrar.ProvideService(T::kServiceName, T::kServiceVersion, std::move(base));
}

}  // namespace xj

// The two symbols every plugin exports (C linkage, default visibility).
#define XJ_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))
#define XJ_PLUGIN(init_function)                                                          \
  XJ_PLUGIN_EXPORT ::xj::PluginAbi xj_plugin_abi() { return ::xj::CurrentPluginAbi(); }  \
  XJ_PLUGIN_EXPORT ::xj::Status xj_plugin_init(::xj::Registrar& registrar) {            \
    return init_function(registrar);                                                     \
  }
