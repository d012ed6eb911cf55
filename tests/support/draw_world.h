// The draw plugin's own integration suite (plugins/draw/tests/integration): the task world
// (task_world.h: the loaded plugins, their commands and events) with the draw's code on top,
// linked as the plugin's own tests may: a task context on the world's platform and the
// helpers that take tasks from draft to revealed through the task service (tasks.h), read
// what they stored and check proofs with both verifiers. Another plugin's suite uses
// task_world.h alone. Overloads here take a DrawWorld and return the draw's own records;
// task_world.h's take any TaskWorld and go through the plugin.
//
// As in world.h, a helper that must succeed fails the running Catch2 test (REQUIRE) with the
// status message, and the Try…/Expect… helpers are the ones that look at failures. For the
// test thread only.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "command_runner.h"
#include "platform_impl.h"
#include "task_world.h"
#include "tasks.h"
#include "world.h"
#include "xinjian/principal.h"

namespace xj::test {

// A task world (task_world.h) with the draw service's context on its platform (principal
// "tester", a supervisor of no department), the linked draw code asking the follow-up the
// loaded inspection plugin registered (draw::SetFollowUp). Tests may change the context
// between steps.
struct DrawWorld : TaskWorld {
  draw::TaskContext ctx;
};
std::unique_ptr<DrawWorld> MakeDrawWorld(const WorldOptions& options);

// ---------------------------------------------------------------------------------------------
// Tasks. `spec` is a task spec as JSON (docs/tasks.md), parsed with ctx.spec_options.

// Parses and creates; the status of whichever failed, or OK.
Status TryCreate(DrawWorld& w, const nlohmann::json& spec);
// Each of these must succeed and leave the task in the state its name says (checked); they
// return the task as the service returned it.
draw::TaskRecord Create(DrawWorld& w, const nlohmann::json& spec);
draw::TaskRecord Announce(DrawWorld& w, const std::string& id);
draw::TaskRecord CreateAndAnnounce(DrawWorld& w, const nlohmann::json& spec);
draw::TaskRecord Draw(DrawWorld& w, const std::string& id, const std::string& entropy = kTestEntropy);
// Create, announce, draw with kTestEntropy and deliver the events (the inspection plugin
// creates the visits); returns the drawn task.
draw::TaskRecord Drawn(DrawWorld& w, const nlohmann::json& spec);
// A reveal before the results are published, with the reason the draw tests give (they check
// proofs without inspecting anybody).
extern const draw::RevealOptions kEarly;
draw::TaskRecord Reveal(DrawWorld& w, const std::string& id);
// DrawIfReady, which must not fail: the drawn task, or nullopt while it waits for its entropy.
std::optional<draw::TaskRecord> IfReady(DrawWorld& w, const std::string& id);

// The stored task and its selection (both must load).
draw::TaskRecord Load(DrawWorld& w, const std::string& id);
std::vector<draw::SelectedSubject> Selection(DrawWorld& w, const std::string& id);
std::set<std::string> SelectedUsccs(DrawWorld& w, const std::string& id);

// A task's stored file (draw_files) by name; "" when there is none.
std::string StoredFile(Database& db, const std::string& task, const std::string& name);
// The stored pool file as (uscc, stratum) lines, and its USCCs.
std::vector<std::pair<std::string, std::string>> Pool(Database& db, const std::string& task);
std::set<std::string> PoolUsccs(Database& db, const std::string& task);

// Audit records of draw task `id` with `action`.
long long TaskAuditCount(DrawWorld& w, const std::string& id, const std::string& action);

// A refused call: not OK, with this code and a message containing `expect`.
void ExpectRefused(const Result<draw::TaskRecord>& r, StatusCode code, const std::string& expect);

// ---------------------------------------------------------------------------------------------
// Proofs.

// The shell command that runs tools/verify_draw.py on a proof folder (stderr into stdout).
std::string PythonVerifier(const std::string& dir);
// Both verifiers accept the proof folder: ours in-process (DrawHost()) and through the CLI
// (`xinjian verify`, exit 0, "verified"), and the Python one ("verified").
void ExpectVerified(const std::string& dir);
// Both verifiers reject a copy of the proof folder `good` edited by `edit`: ours with a
// mismatch (kConflict; exit 3 through the CLI) naming `expect`, the Python one with a
// non-zero exit and "mismatch".
void ExpectTamperRejected(const std::string& good, const std::function<void(const std::string&)>& edit,
                          const std::string& expect);
// Writes the task's proof to a new folder and checks it with our verifier, in-process.
void ExpectProofVerifies(DrawWorld& w, const std::string& task);

}  // namespace xj::test
