// Services: what one plugin offers the others, typed, without either including the other's
// code.
//
// Plugins meet in two ways only: through events (events.h) and through services. A service
// is an abstract class the providing plugin publishes as a header in its own include folder
// (plugins/<name>/include/<name>/…); a plugin that needs it includes that header (it is an
// interface, no code of the provider is linked) and asks the host for the object.
//
//   // plugins/draw/include/draw/tasks_service.h
//   class TaskDirectory : public xj::Service {
//    public:
//     static constexpr const char* kServiceName = "draw.tasks";
//     static constexpr std::uint32_t kServiceVersion = 1;
//     virtual xj::Result<TaskInfo> Find(xj::Sql& sql, const std::string& id) const = 0;
//   };
//
//   // the provider's init (manifest: "provides": ["draw.tasks"])
//   reg.ProvideService(TaskDirectory::kServiceName, TaskDirectory::kServiceVersion,
//                      std::make_unique<TaskDirectoryImpl>(reg.platform()));
//
//   // the consumer's init (manifest: "requires": ["draw.tasks"])
//   auto tasks = xj::RequireService<TaskDirectory>(reg);
//   if (!tasks.ok()) return tasks.status();
//   TaskDirectory* directory = tasks.value();  // valid for the life of the process
//
// The manifests are the truth: the host loads a plugin only after the plugins that provide
// what it requires, and refuses to load it, with a message naming both plugins, when no
// loaded plugin provides a required service or its provider failed to load. A plugin may
// only provide what its manifest lists under "provides" (and must provide all of it) and
// only find what it lists under "requires".
//
// Versions: kServiceVersion is bumped when the interface changes incompatibly (a function
// changed or removed). A consumer asking for another version than the provider's is
// refused naming both. Append-only changes may keep the version only if every consumer is
// rebuilt together with the provider (the built-in plugins are).
//
// Thread safety: a service object is shared by every caller in the process; its functions
// must be safe to call from several threads (commands, jobs and subscribers run
// concurrently in `xinjian serve`).
#pragma once

#include <cstdint>
#include <string>

namespace xj {

// The base of every service interface. The host owns the object (it lives as long as the
// process: plugins are never unloaded).
class Service {
 public:
  virtual ~Service() = default;
};

// Service names: [a-z0-9][a-z0-9.-]*, at most 64 characters, by convention
// "<plugin>.<what>" ("draw.tasks").

}  // namespace xj
