// The draw feature on top of the test world (world.h): a world with a task context, and the
// helpers the integration suites share to take tasks from draft to revealed, read what they
// stored and check proofs with both verifiers. What follows a draw is the inspection
// plugin's: its writing subscriber creates the visits when draw.task.drawn is delivered
// (DeliverEvents, which Drawn calls), and its commands, run in this process
// (RunPluginCommand), enter and publish results. The inspection plugin's own tests
// (plugins/inspection/tests) add its library's helpers on top (visit_world.h). When the draw
// feature's commands are the plugin's, this file (and draw_world.cpp) is what changes;
// world.h stays.
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
#include "tasks.h"
#include "world.h"
#include "xinjian/principal.h"

namespace xj::test {

// The plugin host (Plugins()) after checking that it offers what the draw tests use: the
// sampler xj-draw-v1 and the entropy sources manual, none and lottery.
const PluginHost& DrawHost();
// A platform with DrawHost()'s samplers and entropy sources and no database: what the
// verifier needs (VerifyProofFolder).
const Platform* DrawPlugins();

// A world with its own platform (the world's database attached, DrawHost()'s plugins, the
// world's clock: SetNow(clock.now_us), so 0 is the process clock) and the draw service's
// context on it (principal "tester", a supervisor of no department). Tests may change the
// clock (platform.SetNow), the plugins (platform.SetPlugins) or the context between steps.
struct DrawWorld : World {
  PlatformImpl platform;
  draw::TaskContext ctx;
};
std::unique_ptr<DrawWorld> MakeDrawWorld(const WorldOptions& options);

// Who looks at a task (draw::TaskViewJson, MaySeeSelection): the public, and a user acting
// for `department`.
Principal Public();
Principal ViewerOf(const std::string& department);

// ---------------------------------------------------------------------------------------------
// Tasks. `spec` is a task spec as JSON (docs/tasks.md), parsed with ctx.spec_options.

// The entropy value the helpers draw with unless told otherwise.
inline constexpr const char* kTestEntropy = "3.14.15.26.53.58./";

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

// ---------------------------------------------------------------------------------------------
// Events and the plugins' commands.

// Delivers the pending events to the plugins' writing subscribers on the world's platform,
// as the CLI does after a command (the inspection plugin creates a drawn task's visits); fails
// the test when a delivery fails.
void DeliverEvents(DrawWorld& w);

// Runs the plugin command `path` ("visit show") in this process on the world's platform
// (RunCommandInProcess), as a supervisor named "tester" acting for `department` ("" for none;
// "*" for an admin of every department), then delivers the events it published.
CommandRun RunPluginCommand(DrawWorld& w, const std::string& path, std::map<std::string, std::vector<std::string>> args,
                            const std::string& department = "", bool json = true);
// The same, which must succeed (exit 0); its stdout parsed as JSON.
nlohmann::json PluginJson(DrawWorld& w, const std::string& path, std::map<std::string, std::vector<std::string>> args,
                          const std::string& department = "");

// The public notice of a task (`notices task ID`).
nlohmann::json TaskNoticeJson(DrawWorld& w, const std::string& id);

// The visit of a task's selection rank `rank`, by the id the inspection plugin gives it.
std::string VisitId(const std::string& task, int rank);
// Whether an officer id belongs to `department` ("SCJG-03" to SCJG).
bool IsOf(const std::string& officer, const std::string& department);
// Every visit of a drawn task through the inspection plugin's commands: started by its lead
// when assigned, no_problem inspected on `on` entered for each pending or returned item by an
// officer of the item's department on the team, then approved and published department by
// department. Publishing the last result reveals the task.
void PublishAllResults(DrawWorld& w, const std::string& task, const std::string& on);

}  // namespace xj::test
