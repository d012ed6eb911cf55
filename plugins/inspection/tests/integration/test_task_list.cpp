// The inspector's task list and a department's visits (task_list.h; the pages GET /my/visits and
// /department/visits), in this process: an inspector's own visits only, by the tasks' due dates;
// another team's visit is "none" exactly like one that does not exist; the team by name, never
// an ID number; published visits only when asked; a department's visits. tests/e2e/
// inspection_pages.sh asks the same through the real server and its pages.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "task_list.h"
#include "test_support.h"
#include "visit_world.h"

using namespace xj;
using namespace xj::test;
using nlohmann::json;

namespace {

const char* kIdNumbers[] = {"33020319800101001X", "330205197506150024", "330212198808080031", "330203199202290040",
                            "330225198511110051", "33020319700707006X", "11010519491231002X", "440304198511110018"};

std::unique_ptr<InspectionWorld> MakeWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"), NingboDepartment("WJW")};
  for (int i = 0; i < 8; ++i) {
    Subject s = TinySubject(7272, i);
    s.name = "宁海任务" + std::to_string(i) + "号商贸有限公司";
    s.labels = "任务";
    o.subjects.push_back(s);
  }
  for (int i = 1; i <= 4; ++i) {
    Inspector a = Officer("SCJG", i, "市监检查员" + std::to_string(i), "食品安全");
    a.id_number = kIdNumbers[i - 1];
    o.inspectors.push_back(a);
    Inspector b = Officer("WJW", i, "卫生监督员" + std::to_string(i), "卫生监督");
    b.id_number = kIdNumbers[i + 3];
    o.inspectors.push_back(b);
  }
  o.items = {"TL-FOOD,食品经营者的检查,SCJG,《食品安全法》第一百一十条,key,,,1,,,食品安全\n",
             "TL-PUB,公共场所卫生的检查,WJW,《公共场所卫生管理条例》第十一条,key,,,1,,,卫生监督\n"};
  o.now = "2025-01-06T10:00:00";  // Monday
  return MakeInspectionWorld(o);
}

json Spec(const std::string& id, int count, const std::string& due) {
  return {{"id", id},
          {"title", "任务清单测试 " + id},
          {"department", "SCJG"},
          {"participants", {"WJW"}},
          {"items", {"TL-FOOD", "TL-PUB"}},
          {"filters", {{"labels", json::array({"任务"})}}},
          {"rule", {{"count", count}}},
          {"exclusions", {{"same_item_within_days", 0}, {"open_tasks", false}}},
          {"team", {{"slots", {{{"group", "SCJG"}, {"count", 1}}, {{"group", "WJW"}, {"count", 1}}}}}},
          {"due_date", due},
          {"entropy_source", "中国福利彩票双色球第 2025003 期开奖号码"}};
}

std::vector<std::string> Ids(const inspection::VisitList& l) {
  std::vector<std::string> out;
  for (const auto& v : l.visits) out.push_back(v.id);
  return out;
}

}  // namespace

TEST_CASE("task list: an inspector sees his own visits only, by due date, another team's visit like a missing one",
          "[visits][web]") {
  auto w = MakeWorld();
  const std::string late = "2025-TL-0001", soon = "2025-TL-0002";
  for (const auto& [id, count, due] : {std::tuple{late, 4, "2025-01-31"}, std::tuple{soon, 3, "2025-01-20"}}) {
    Create(*w, Spec(id, count, due));
    Announce(*w, id);
    Draw(*w, id);
    REQUIRE(inspection::CreateVisits(w->vc, id).ok());
  }
  std::vector<inspection::Visit> all;
  for (int r = 1; r <= 4; ++r) all.push_back(LoadVisit(*w, VisitId(late, r)));
  for (int r = 1; r <= 3; ++r) all.push_back(LoadVisit(*w, VisitId(soon, r)));
  const std::string me = all.front().team.front();
  std::set<std::string> mine, theirs;
  for (const auto& v : all) (std::find(v.team.begin(), v.team.end(), me) != v.team.end() ? mine : theirs).insert(v.id);
  REQUIRE(!mine.empty());
  const draw::TaskService& tasks = TaskServiceOf(Plugins());

  auto list = ReadValue<inspection::VisitList>(w->platform, [&](Sql& sql) {
    return inspection::ListVisits(sql, tasks, inspection::VisitListQuery{me, "", false, 100, 0});
  });
  REQUIRE(list.ok());
  const auto ids = Ids(list.value());
  CHECK(std::set<std::string>(ids.begin(), ids.end()) == mine);
  CHECK(list->total == static_cast<std::int64_t>(mine.size()));
  // The task due first comes first; ties by visit id.
  for (std::size_t i = 1; i < list->visits.size(); ++i) {
    const auto& a = list->visits[i - 1];
    const auto& b = list->visits[i];
    CHECK(std::make_pair(a.due_date, a.id) < std::make_pair(b.due_date, b.id));
  }
  for (const auto& v : list->visits) {
    CHECK((v.due_date == "2025-01-20" || v.due_date == "2025-01-31"));
    CHECK(v.team.size() == 2);
    CHECK(std::count_if(v.team.begin(), v.team.end(), [](const auto& m) { return m.you; }) == 1);
    CHECK(v.team.front().lead);
    for (const auto& m : v.team) {
      CHECK(!m.name.empty());
      for (const char* n : kIdNumbers) CHECK(m.name.find(n) == std::string::npos);
    }
    CHECK(!v.items.empty());
  }
  // Paging.
  auto first = ReadValue<inspection::VisitList>(w->platform, [&](Sql& sql) {
    return inspection::ListVisits(sql, tasks, inspection::VisitListQuery{me, "", false, 1, 0});
  });
  REQUIRE(first.ok());
  CHECK(first->visits.size() == 1);
  CHECK(first->total == list->total);
  CHECK(first->visits.front().id == ids.front());

  // One visit: its own, yes; another team's and a missing one: the same "none".
  const auto one = [&](const std::string& id) {
    auto r = ReadValue<std::optional<inspection::ListedVisit>>(
        w->platform, [&](Sql& sql) { return inspection::VisitOfInspector(sql, tasks, id, me); });
    REQUIRE(r.ok());
    return r.value();
  };
  CHECK(one(*mine.begin()).has_value());
  for (const auto& id : theirs) CHECK_FALSE(one(id).has_value());
  CHECK_FALSE(one("2025-TL-0009-1").has_value());
  CHECK_FALSE(one("").has_value());

  // A department's visits: every visit has items of both departments here; none for another.
  auto dept = ReadValue<inspection::VisitList>(w->platform, [&](Sql& sql) {
    return inspection::ListVisits(sql, tasks, inspection::VisitListQuery{"", "WJW", false, 100, 0});
  });
  REQUIRE(dept.ok());
  CHECK(dept->total == 7);
  for (const auto& v : dept->visits)
    for (const auto& m : v.team) CHECK_FALSE(m.you);
  auto none = ReadValue<inspection::VisitList>(w->platform, [&](Sql& sql) {
    return inspection::ListVisits(sql, tasks, inspection::VisitListQuery{"", "NOPE", false, 100, 0});
  });
  REQUIRE(none.ok());
  CHECK(none->total == 0);

  // A published visit leaves the open list and stays in the full one.
  const std::string done = *mine.begin();
  w->vc.today = "2025-01-08";
  w->platform.SetNow(1736301600000000);  // 2025-01-08T02:00:00Z, 10:00 in Beijing
  CompleteVisit(*w, done, "2025-01-08");
  auto open = ReadValue<inspection::VisitList>(w->platform, [&](Sql& sql) {
    return inspection::ListVisits(sql, tasks, inspection::VisitListQuery{me, "", false, 100, 0});
  });
  auto every = ReadValue<inspection::VisitList>(w->platform, [&](Sql& sql) {
    return inspection::ListVisits(sql, tasks, inspection::VisitListQuery{me, "", true, 100, 0});
  });
  REQUIRE(open.ok());
  REQUIRE(every.ok());
  const auto open_ids = Ids(open.value()), every_ids = Ids(every.value());
  CHECK(std::find(open_ids.begin(), open_ids.end(), done) == open_ids.end());
  CHECK(std::find(every_ids.begin(), every_ids.end(), done) != every_ids.end());
  CHECK(every->total == static_cast<std::int64_t>(mine.size()));
}
