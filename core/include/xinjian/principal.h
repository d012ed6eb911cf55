// The caller: who runs a command, a job or (later) an HTTP request.
//
// The host builds a Principal for every entry point and passes it into the feature: the CLI
// from --actor and --department, the scheduler for its jobs (a system principal named after
// the job), the web server from the logged-in user. Features decide confidentiality and
// permissions on it (who sees a selection before its reveal, who enters or publishes which
// department's results) and answer kPermissionDenied or kUnauthenticated; the entry points
// only pass it on. Its id is what the audit log records as the actor.
//
// Thread safety: a plain value.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace xj {

// Roles a principal may hold. Plugins may define more ("credit.reviewer"); these are the
// ones the built-in features decide on.
inline constexpr const char* kRoleSupervisor = "supervisor";  // a department's staff: launch and publish work
inline constexpr const char* kRoleInspector = "inspector";    // enters results of their own visits
inline constexpr const char* kRoleAuditor = "auditor";        // reads everything (audit log, full proofs), changes nothing
inline constexpr const char* kRoleAdmin = "admin";            // platform operator: every department
inline constexpr const char* kRolePublic = "public";          // anyone; sees only published data

struct Principal {
  enum class Kind { kUser, kSystem };
  Kind kind = Kind::kUser;
  // The user's login (or an inspector id), or for a system principal what runs ("scheduler",
  // "job:<name>", "demo"). Recorded as the audit actor. Empty only for an anonymous caller.
  std::string id;
  // The department the caller acts for (a department code), "" for none.
  std::string department;
  std::vector<std::string> roles;
  // False for a caller nobody identified (a public web visitor): such a principal may read
  // published data only.
  bool authenticated = true;

  bool HasRole(const std::string& role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  // True for a system principal or one with the admin role: acts for every department.
  bool ActsForAllDepartments() const { return kind == Kind::kSystem || HasRole(kRoleAdmin); }
  // True when the caller may act for `dept`: its own department, or every department.
  bool ActsFor(const std::string& dept) const {
    return ActsForAllDepartments() || (!department.empty() && department == dept);
  }

  static Principal System(std::string id) {
    Principal p;
    p.kind = Kind::kSystem;
    p.id = std::move(id);
    p.roles = {kRoleAdmin};
    return p;
  }
  static Principal Anonymous() {
    Principal p;
    p.authenticated = false;
    p.roles = {kRolePublic};
    return p;
  }
};

}  // namespace xj
