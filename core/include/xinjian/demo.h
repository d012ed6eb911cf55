// Demo data: what a feature adds to `xinjian demo` (host API 7; capability "demo").
//
// `xinjian demo` (what `./xj demo` runs) loads generated directories (departments, subjects,
// inspectors, items, relations) into the database and applies the plugins' migrations. Then
// it calls every registered DemoStep in the plugins' load order (a plugin comes after the
// plugins whose services it requires):
//   1. Load on each step; the events a step published are delivered to the subscribers
//      before the next step runs, so the draw's step draws a task, the inspection plugin's
//      subscriber creates its visits, and the inspection's step finds them and enters results;
//   2. Report on each step, in the same order: what a newcomer should look at, and the
//      commands to try.
// A step may suggest sign-ins for the web site (DemoContext::SuggestAccount): the inspector
// who leads a demo visit, say. `./xj demo` then serves the site and prints them.
// A second `xinjian demo` on the same database runs the steps again: Load leaves the data it
// finds in place (idempotent), Report shows it again. A step that fails stops the demo with
// its message (exit 1).
//
//   class HelloDemo final : public xj::DemoStep {
//     xj::Status Load(xj::DemoContext& ctx) override {
//       return ctx.platform().RunInTransaction(ctx.principal(), [](xj::UnitOfWork& uow) { ... });
//     }
//     xj::Status Report(xj::DemoContext& ctx) override {
//       ctx.out() << "  xinjian --db " << ctx.database() << " hello list\n";
//       return xj::Status::Ok();
//     }
//   };
//   reg.AddDemoStep("hello", std::make_unique<HelloDemo>());
#pragma once

#include <ostream>
#include <string>

#include "xinjian/platform.h"
#include "xinjian/principal.h"
#include "xinjian/status.h"

namespace xj {

inline constexpr const char* kCapabilityDemo = "demo";

// What a running step gets. Valid during the call only.
class DemoContext {
 public:
  virtual ~DemoContext() = default;
  // The platform with the demo database attached.
  virtual Platform& platform() = 0;
  // The operator running the demo (--actor), as an admin of every department: the demo acts
  // for all of them.
  virtual const Principal& principal() const = 0;
  // A folder for the files a step writes (proofs, exports): beside the demo database.
  virtual const std::string& work_dir() const = 0;
  // The database as the operator names it on the command line (for the commands to try).
  virtual const std::string& database() const = 0;
  // stdout: the demo's own output (progress goes to stderr, std::cerr).
  virtual std::ostream& out() = 0;
  // Suggests a sign-in for the demo's web site (appended in host API 9): after every step's
  // Load, the host creates each suggested account that does not exist yet, with the demo
  // database's one password, and `xinjian demo` prints them all with that password. A login
  // already there is kept as it is (a second demo run changes nothing). `account.role` is
  // admin, supervisor, inspector or auditor; an inspector's login is its inspector id and
  // its department the inspector's (accounts, docs/web.md). A suggestion the host cannot
  // create (a login that breaks the rules) is reported as a warning, never a failed demo.
  struct Account {
    std::string login;
    std::string role;
    std::string department;    // "" for none (admin, auditor)
    std::string display_name;  // shown on the site
    std::string why;           // one line, "中文 / English": what to look at with it
  };
  virtual void SuggestAccount(const Account& account) = 0;
};

// Implemented by plugins (Registrar::AddDemoStep). Called from one thread.
class DemoStep {
 public:
  virtual ~DemoStep() = default;
  virtual Status Load(DemoContext& ctx) = 0;
  virtual Status Report(DemoContext& ctx) = 0;
};

}  // namespace xj
