// The draw feature as another plugin's tests see it: through the loaded draw plugin only, as
// the product sees it. Tasks go from draft to revealed by the draw plugin's commands, run in
// this process (RunCommandInProcess), and are read through its service "draw.tasks"
// (plugins/draw/include/draw/task_service.h, an interface: nothing of the draw plugin is
// linked). The inspection plugin's suite (plugins/inspection/tests/integration) builds on this;
// the draw plugin's own suite adds the draw's code on top (draw_world.h, DrawWorld).
//
// What follows a draw is the inspection plugin's: its writing subscriber creates the visits
// when draw.task.drawn is delivered (DeliverEvents, which Drawn calls; Draw does not), and
// its commands, run in this process (RunPluginCommand), enter and publish results.
//
// As in world.h, a helper that must succeed fails the running Catch2 test (REQUIRE) with the
// status message, and the Try… helpers are the ones that look at failures. For the test
// thread only.
#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "command_runner.h"
#include "draw/task_service.h"
#include "platform_impl.h"
#include "world.h"
#include "xinjian/job.h"
#include "xinjian/principal.h"

namespace xj::test {

// The plugin host (Plugins()) after checking that it offers what the draw tests use: the
// sampler xj-draw-v1 and the entropy sources manual, none and lottery.
const PluginHost& DrawHost();
// A platform with DrawHost()'s samplers and entropy sources and no database: what the
// verifier needs.
const Platform* DrawPlugins();
// The service "draw.tasks" of the loaded draw plugin: the object the inspection plugin gets in
// its init.
const draw::TaskService& TaskServiceOf(const PluginHost& host);

// A world with its own platform: the world's database attached, DrawHost()'s plugins, the
// world's clock (SetNow(clock.now_us), so 0 is the process clock). Tests may change the clock
// (platform.SetNow) or the plugins (platform.SetPlugins) between steps.
struct TaskWorld : World {
  PlatformImpl platform;
};
// Opens `w` (a TaskWorld or a world built on it) as MakeTaskWorld does.
void OpenTaskWorld(TaskWorld& w, const WorldOptions& options);
std::unique_ptr<TaskWorld> MakeTaskWorld(const WorldOptions& options);

// Who runs or looks: the public, and a supervisor acting for `department`.
Principal Public();
Principal ViewerOf(const std::string& department);

// ---------------------------------------------------------------------------------------------
// Tasks through the draw plugin's commands, as a supervisor named "tester" of no department.
// `spec` is a task spec as JSON (docs/tasks.md).

// The entropy value the helpers draw with unless told otherwise.
inline constexpr const char* kTestEntropy = "3.14.15.26.53.58./";

// `task create --spec FILE`: the status the command returned (OK when it created the task).
Status TryCreate(TaskWorld& w, const nlohmann::json& spec);
// Each of these must succeed and leave the task in the state its name says (checked); they
// return the task as the service reads it afterwards. None delivers events.
draw::TaskInfo Create(TaskWorld& w, const nlohmann::json& spec);
draw::TaskInfo Announce(TaskWorld& w, const std::string& id);
draw::TaskInfo CreateAndAnnounce(TaskWorld& w, const nlohmann::json& spec);
draw::TaskInfo Draw(TaskWorld& w, const std::string& id, const std::string& entropy = kTestEntropy);
draw::TaskInfo Cancel(TaskWorld& w, const std::string& id, const std::string& reason);
// Create, announce, draw with kTestEntropy and deliver the events (the inspection plugin
// creates the visits); returns the drawn task.
draw::TaskInfo Drawn(TaskWorld& w, const nlohmann::json& spec);

// The stored task and its selection, through the service (both must load).
draw::TaskInfo Load(TaskWorld& w, const std::string& id);
std::vector<draw::SelectionEntry> Selection(TaskWorld& w, const std::string& id);
std::set<std::string> SelectedUsccs(TaskWorld& w, const std::string& id);

// `task proof ID --out DIR`, then `verify DIR`: both succeed.
void ExpectProofVerifies(TaskWorld& w, const std::string& task);

// ---------------------------------------------------------------------------------------------
// Events and the plugins' commands.

// Delivers the pending events to the plugins' writing subscribers on the world's platform,
// as the CLI does after a command (the inspection plugin creates a drawn task's visits); fails
// the test when a delivery fails.
void DeliverEvents(TaskWorld& w);

// What a running job gets (job.h), over the world's platform, as the scheduler would give it:
// units of work as "job:test", the configuration's fallbacks, never cancelled.
class TestJobServices final : public JobServices {
 public:
  explicit TestJobServices(TaskWorld& w) : w_(w) {}
  Status PublishEvent(const std::string& topic, const std::string& key, const std::string& payload) override;
  bool Cancelled() const override { return false; }
  std::string Config(const std::string&, const std::string& fallback) const override { return fallback; }
  Status RunInTransaction(const UnitOfWorkFn& fn) override;
  Platform& platform() override;

 private:
  TaskWorld& w_;
};

// Runs DrawHost()'s job handler `handler` (it must exist) as if scheduled at `local_time`
// (Asia/Shanghai, "YYYY-MM-DDTHH:MM:SS"), with TestJobServices.
Status RunJob(TaskWorld& w, const std::string& handler, const std::string& local_time);

// Runs the plugin command `path` ("visit show") in this process on the world's platform
// (RunCommandInProcess), as a supervisor named "tester" acting for `department` ("" for none;
// "*" for an admin of every department). RunPluginCommand then delivers the events it
// published; RunPluginCommandOnly does not.
CommandRun RunPluginCommandOnly(TaskWorld& w, const std::string& path,
                                std::map<std::string, std::vector<std::string>> args,
                                const std::string& department = "", bool json = true);
CommandRun RunPluginCommand(TaskWorld& w, const std::string& path, std::map<std::string, std::vector<std::string>> args,
                            const std::string& department = "", bool json = true);
// The same as `who`, a principal the test builds (its own actor id and department: for rules
// that look at who did what, such as the lists' four eyes).
CommandRun RunPluginCommandOnlyAs(TaskWorld& w, const Principal& who, const std::string& path,
                                  std::map<std::string, std::vector<std::string>> args, bool json = true);
CommandRun RunPluginCommandAs(TaskWorld& w, const Principal& who, const std::string& path,
                              std::map<std::string, std::vector<std::string>> args, bool json = true);
// The same, which must succeed (exit 0); its stdout parsed as JSON.
nlohmann::json PluginJson(TaskWorld& w, const std::string& path, std::map<std::string, std::vector<std::string>> args,
                          const std::string& department = "");

// The public notice of a task (`notices task ID`).
nlohmann::json TaskNoticeJson(TaskWorld& w, const std::string& id);

// The visit of a task's selection rank `rank`, by the id the inspection plugin gives it.
std::string VisitId(const std::string& task, int rank);
// Whether an officer id belongs to `department` ("SCJG-03" to SCJG).
bool IsOf(const std::string& officer, const std::string& department);
// Every visit of a drawn task through the inspection plugin's commands: started by its lead
// when assigned, no_problem inspected on `on` entered for each pending or returned item by an
// officer of the item's department on the team, then approved and published department by
// department. Publishing the last result reveals the task.
void PublishAllResults(TaskWorld& w, const std::string& task, const std::string& on);

}  // namespace xj::test
