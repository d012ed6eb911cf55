#include "visit_world.h"

#include <deque>
#include <memory>

#include <catch2/catch.hpp>
#include <set>
#include <vector>

namespace xj::test {

std::unique_ptr<InspectionWorld> MakeInspectionWorld(const WorldOptions& options) {
  auto w = std::make_unique<InspectionWorld>();
  OpenTaskWorld(*w, options);
  w->vc.platform = &w->platform;
  w->vc.tasks = &TaskServiceOf(DrawHost());
  w->vc.principal = ViewerOf("");
  w->vc.principal.id = "tester";
  auto cal = w->platform.Calendar();
  INFO(cal.status().message());
  REQUIRE(cal.ok());
  w->vc.calendar = cal.value();
  w->vc.today = w->clock.today;
  return w;
}

const WorkingDays* CalendarOfDir(const std::string& dir) {
  // The platform's calendar with calendar.dir set, as `--set calendar.dir=DIR` gives it (the
  // host keeps each calendar until exit; the platform is kept too, owned here so that the
  // leak checker sees it reachable).
  static std::deque<std::unique_ptr<PlatformImpl>> platforms;
  auto* platform = platforms.emplace_back(std::make_unique<PlatformImpl>()).get();
  platform->SetConfig({{"calendar.dir", dir}});
  auto cal = platform->Calendar();
  INFO(cal.status().message());
  REQUIRE(cal.ok());
  return cal.value();
}

inspection::Visit LoadVisit(InspectionWorld& w, const std::string& id) {
  auto v = inspection::LoadVisit(w.vc, id);
  INFO(id << ": " << v.status().message());
  REQUIRE(v.ok());
  return v.value();
}

std::string OfficerOn(const inspection::Visit& v, const std::string& department) {
  for (const auto& o : v.team)
    if (IsOf(o, department)) return o;
  FAIL("visit " << v.id << " has no officer of " << department);
  return "";
}

inspection::ResultEntry Entry(const std::string& visit, const std::string& item, const std::string& code,
                              const std::string& on, const std::string& by) {
  inspection::ResultEntry e;
  e.visit_id = visit;
  e.item_code = item;
  e.result_code = code;
  e.inspected_on = on;
  e.method = "on_site";
  e.by = by;
  return e;
}

inspection::Visit Start(InspectionWorld& w, const std::string& visit, const std::string& by) {
  auto v = inspection::StartVisit(w.vc, visit, by, "");
  INFO(visit << ": " << v.status().message());
  REQUIRE(v.ok());
  return v.value();
}

inspection::Visit Enter(InspectionWorld& w, const inspection::ResultEntry& e) {
  auto v = inspection::EnterResult(w.vc, e);
  INFO(e.visit_id << "/" << e.item_code << ": " << v.status().message());
  REQUIRE(v.ok());
  return v.value();
}

inspection::Visit Review(InspectionWorld& w, const std::string& visit, const std::string& dept, bool approve,
                         const std::string& reason, const std::string& item) {
  auto v = inspection::ReviewResults(w.vc, visit, dept, item, approve, reason);
  INFO(visit << " " << dept << ": " << v.status().message());
  REQUIRE(v.ok());
  return v.value();
}

inspection::Visit Publish(InspectionWorld& w, const std::string& visit, const std::string& dept) {
  auto v = inspection::PublishResults(w.vc, visit, dept);
  INFO(visit << " " << dept << ": " << v.status().message());
  REQUIRE(v.ok());
  return v.value();
}

void CompleteVisit(InspectionWorld& w, const std::string& id, const std::string& on) {
  inspection::Visit v = LoadVisit(w, id);
  if (v.state == "assigned") v = Start(w, id, v.team.front());
  std::set<std::string> departments;
  for (const auto& it : v.items) {
    departments.insert(it.department);
    if (it.state == "pending" || it.state == "returned")
      Enter(w, Entry(id, it.item_code, "no_problem", on, OfficerOn(v, it.department)));
  }
  for (const auto& d : departments) {
    bool entered = false;
    for (const auto& it : LoadVisit(w, id).items) entered = entered || (it.department == d && it.state == "entered");
    if (entered) Review(w, id, d, true);
    Publish(w, id, d);
  }
}

void PublishAll(InspectionWorld& w, const std::string& task, const std::string& on) {
  for (const auto& s : Selection(w, task)) CompleteVisit(w, VisitId(task, static_cast<int>(s.rank)), on);
}

}  // namespace xj::test
