// The inspection plugin's own integration tests: the task world (tests/support/task_world.h:
// the database on either backend, the build tree's plugins loaded as the product loads them,
// tasks from draft to revealed by the draw plugin's commands) with the visit service of this
// plugin's library (visits.h) on the world's platform, and the helpers that drive visits to
// published results. Nothing of the draw plugin is linked.
//
// The task data reach the visit service only through the draw plugin's service "draw.tasks",
// taken from the loaded draw plugin (TaskServiceOf): the same object the inspection plugin
// gets in its init.
//
// As in task_world.h, a helper that must succeed fails the running Catch2 test (REQUIRE).
#pragma once
#include <memory>
#include <string>

#include "draw/task_service.h"
#include "task_world.h"
#include "visits.h"
#include "xinjian/time.h"

namespace xj::test {

// A task world with the visit service's context on its platform: the draw plugin's task
// service, principal "tester" (a supervisor of no department), the default options, the
// platform's working-day calendar (built in) and the clock's date as today. Tests change the
// context between steps (today, options, calendar).
struct InspectionWorld : TaskWorld {
  inspection::VisitContext vc;
};
std::unique_ptr<InspectionWorld> MakeInspectionWorld(const WorldOptions& options);

// The calendar of `dir` (calendar.dir) through the SDK's interface; kept until exit.
const WorkingDays* CalendarOfDir(const std::string& dir);

inspection::Visit LoadVisit(InspectionWorld& w, const std::string& id);
// The first team member of `department` on the visit (fails the test when there is none).
std::string OfficerOn(const inspection::Visit& v, const std::string& department);
// A result entry by the method on_site.
inspection::ResultEntry Entry(const std::string& visit, const std::string& item, const std::string& code,
                              const std::string& on, const std::string& by);
// The visit service's steps, each of which must succeed; they return the visit after it.
inspection::Visit Start(InspectionWorld& w, const std::string& visit, const std::string& by);
inspection::Visit Enter(InspectionWorld& w, const inspection::ResultEntry& e);
inspection::Visit Review(InspectionWorld& w, const std::string& visit, const std::string& dept, bool approve,
                         const std::string& reason = "", const std::string& item = "");
inspection::Visit Publish(InspectionWorld& w, const std::string& visit, const std::string& dept);
// Starts the visit if it is assigned (by its first team member), enters no_problem inspected
// on `on` for every pending or returned item (by an officer of the item's department on the
// team), then approves and publishes department by department.
void CompleteVisit(InspectionWorld& w, const std::string& id, const std::string& on);
// CompleteVisit for every visit of a drawn task.
void PublishAll(InspectionWorld& w, const std::string& task, const std::string& on);

}  // namespace xj::test
