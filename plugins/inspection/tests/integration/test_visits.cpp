// Visits and results end to end (issue 4): a joint task (SCJG with WJW) from the draw to
// published results and its automatic reveal, joint tasks over any item, the refusals of
// joint specs, merging separate tasks' visits into joint visits, publication deadlines on the
// 2025 working-day calendar (yellow and red cards, their events, per-item and per-department
// days, a year without data), credit events, hostile results files, confidentiality (events
// and `visit show` through the real binary), statistics and notices.
// Runs on SQLite and PostgreSQL (FreshDatabaseUrl). The clock is fixed: tasks are drawn on
// Monday 2025-01-06 (the world's platform clock, PlatformImpl::SetNow) and each step sets
// VisitContext::today.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "test_support.h"
#include "visit_world.h"

using namespace xj;
using namespace xj::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// The directory every test starts from.
//
// Departments SCJG, WJW and ZJJ, all with the jurisdiction 3302 (宁波市).
// Subjects: 12 active ones in 330226 labelled 小池 (so a label filter gives a pool of
// exactly 12), subject i carrying also 食品经营 and 住宿 (i % 3 == 0), only 食品经营
// (i % 3 == 1) or only 住宿 (i % 3 == 2); one revoked subject labelled 小池 too.
// Inspectors: SCJG-01..06 (食品安全), WJW-01..04 (卫生监督), ZJJ-01..02.
// Items: SCJG-FOOD (needs 食品安全, every subject), SCJG-SHOP (subjects labelled 食品经营),
// WJW-PUB (needs 卫生监督, every subject), WJW-HOTEL (subjects labelled 住宿, needs 卫生监督),
// ZJJ-BUILD (ZJJ's). No ratio bounds: the count rules below draw up to the whole pool.

constexpr int kTiny = 12;

std::string TinyUscc(int i) { return TinySubject(9191, i).uscc; }

const char* TinyLabels(int i) {
  switch (i % 3) {
    case 0:
      return "小池;食品经营;住宿";
    case 1:
      return "小池;食品经营";
    default:
      return "小池;住宿";
  }
}

std::unique_ptr<InspectionWorld> MakeWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"), NingboDepartment("WJW"), NingboDepartment("ZJJ")};
  for (int i = 0; i <= kTiny; ++i) {
    Subject s = TinySubject(9191, i);
    s.name = "宁海小池" + std::to_string(i) + "号商贸有限公司";
    s.registered_on = "2015-05-0" + std::to_string(1 + i % 9);
    s.status = i == kTiny ? "revoked" : "active";
    s.labels = TinyLabels(i);
    s.address = "浙江省宁波市宁海县跃龙街道测试路" + std::to_string(i + 1) + "号";
    o.subjects.push_back(s);
  }
  for (int i = 1; i <= 6; ++i) o.inspectors.push_back(Officer("SCJG", i, "市监检查员" + std::to_string(i), "食品安全"));
  for (int i = 1; i <= 4; ++i) o.inspectors.push_back(Officer("WJW", i, "卫生监督员" + std::to_string(i), "卫生监督"));
  for (int i = 1; i <= 2; ++i) o.inspectors.push_back(Officer("ZJJ", i, "建设监察员" + std::to_string(i), "建设监察"));
  o.items = {"SCJG-FOOD,食品经营者的检查,SCJG,《食品安全法》第一百一十条,key,,,1,,,食品安全\n",
             "SCJG-SHOP,食品销售者的检查,SCJG,《食品安全法》第一百一十条,key,,,1,,食品经营,\n",
             "WJW-PUB,公共场所卫生的检查,WJW,《公共场所卫生管理条例》第十一条,key,,,1,,,卫生监督\n",
             "WJW-HOTEL,住宿场所卫生的检查,WJW,《公共场所卫生管理条例》第十一条,key,,,1,,住宿,卫生监督\n",
             "ZJJ-BUILD,建筑工地的检查,ZJJ,《建筑法》第四十三条,key,,,1,,,\n"};
  o.now = "2025-01-06T10:00:00";  // Monday 2025-01-06, 10:00
  auto w = MakeInspectionWorld(o);
  for (int i = 0; i < kTiny; ++i) w->tiny.push_back(TinyUscc(i));
  return w;
}

// ---------------------------------------------------------------------------------------------
// Specs, tasks and visits.

struct SlotSpec {
  std::string group;
  int count;
};

// A task over the 12 subjects labelled 小池, drawing `count` of them, exclusions off (the
// tests draw the same small pool several times on purpose).
json TaskSpecJson(const std::string& id, const std::string& department, const std::vector<std::string>& items,
                  const std::vector<std::string>& participants, const std::vector<SlotSpec>& slots, int count,
                  const std::string& scope = "") {
  json s{{"id", id},
         {"title", "联合抽查测试 " + id},
         {"department", department},
         {"items", items},
         {"filters", {{"labels", json::array({"小池"})}}},
         {"rule", {{"count", count}}},
         {"exclusions", {{"same_item_within_days", 0}, {"open_tasks", false}}},
         {"entropy_source", "中国福利彩票双色球第 2025003 期开奖号码"}};
  json sl = json::array();
  for (const auto& x : slots) sl.push_back({{"group", x.group}, {"count", x.count}});
  s["team"] = {{"slots", sl}};
  if (!participants.empty()) s["participants"] = participants;
  if (!scope.empty()) s["scope"] = scope;
  return s;
}

const inspection::VisitItem& ItemOf(const inspection::Visit& v, const std::string& code) {
  auto it =
      std::find_if(v.items.begin(), v.items.end(), [&](const inspection::VisitItem& x) { return x.item_code == code; });
  INFO("visit " << v.id << " item " << code);
  REQUIRE(it != v.items.end());
  return *it;
}

std::set<std::string> ItemCodes(const inspection::Visit& v) {
  std::set<std::string> out;
  for (const auto& it : v.items) out.insert(it.item_code);
  return out;
}

// An active officer of `department` (SCJG or WJW) who is not on the visit's team.
std::string OfficerNotOn(const inspection::Visit& v, const std::string& department) {
  const int n = department == "SCJG" ? 6 : 4;
  for (int i = 1; i <= n; ++i) {
    const std::string o = department + "-0" + std::to_string(i);
    if (std::find(v.team.begin(), v.team.end(), o) == v.team.end()) return o;
  }
  FAIL("every " << department << " officer is on visit " << v.id);
  return "";
}

// Events of the draw and visit services whose key or payload names one of `usccs`, as
// "topic key" lines. (The directory's own events name its subjects, of course.)
std::vector<std::string> EventsNaming(Database& db, const std::set<std::string>& usccs,
                                      const std::function<bool(const StoredEvent&)>& allowed = nullptr) {
  std::vector<std::string> out;
  for (const auto& e : Events(db)) {
    if (e.topic.rfind("directory.", 0) == 0) continue;
    if (allowed && allowed(e)) continue;
    for (const auto& u : usccs)
      if (e.key.find(u) != std::string::npos || e.payload.find(u) != std::string::npos) {
        out.push_back(e.topic + " " + e.key);
        break;
      }
  }
  return out;
}

// Checks that no event names a drawn subject (the list says which do).
#define CHECK_NO_EVENT_NAMING(...)                              \
  do {                                                          \
    const std::string leaks_ = Join(EventsNaming(__VA_ARGS__)); \
    INFO("events naming a drawn subject:\n" << leaks_);         \
    CHECK(leaks_.empty());                                      \
  } while (false)

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

CivilDate D(const std::string& s) { return CivilDate::Parse(s).value(); }

// The plugin's raw configuration as --set gives it ("plugins.inspection.KEY" => value).
inspection::VisitOptions::RawLookup Lookup(std::map<std::string, std::string> set) {
  return [set](const std::string& key, const std::string& fallback) {
    auto it = set.find("plugins.inspection." + key);
    return it == set.end() ? fallback : it->second;
  };
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Joint tasks.

TEST_CASE("a joint task goes from the draw to published results and is revealed when the last one is published",
          "[visits][joint]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const std::string id = "2025-JOINT-0001";
  const draw::TaskInfo announced = CreateAndAnnounce(
      *w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, {{"SCJG", 2}, {"WJW", 1}}, kTiny));
  CHECK(announced.pool_size == kTiny);
  CHECK(announced.departments == std::vector<std::string>{"SCJG", "WJW"});
  const draw::TaskInfo t = Draw(*w, id);
  CHECK(t.draw_date == "2025-01-06");

  // One team per subject: 2 SCJG officers and 1 WJW officer, never anyone else.
  const auto sel = Selection(*w, id);
  REQUIRE(sel.size() == static_cast<std::size_t>(kTiny));
  for (const auto& s : sel) {
    INFO(s.uscc);
    int scjg = 0, wjw = 0, other = 0;
    for (const auto& o : s.team) ++(IsOf(o, "SCJG") ? scjg : IsOf(o, "WJW") ? wjw : other);
    CHECK(scjg == 2);
    CHECK(wjw == 1);
    CHECK(other == 0);
    CHECK(s.team.size() >= 2);
    CHECK(std::set<std::string>(s.team.begin(), s.team.end()).size() == s.team.size());
  }

  // The visits: one per drawn subject, each carrying both departments' items, pending.
  auto n = inspection::CreateVisits(w->vc, id);
  INFO(n.status().message());
  REQUIRE(n.ok());
  CHECK(n.value() == kTiny);
  auto again = inspection::CreateVisits(w->vc, id);
  REQUIRE(again.ok());
  CHECK(again.value() == 0);  // idempotent
  CHECK(CountFor(db, "SELECT COUNT(*) FROM visits WHERE id LIKE :p", id + "-%") == kTiny);
  CHECK(CountFor(db, "SELECT COUNT(*) FROM visit_items WHERE task_id = :t", id) == 2 * kTiny);
  for (const auto& s : sel) {
    const inspection::Visit v = LoadVisit(*w, VisitId(id, static_cast<int>(s.rank)));
    CHECK(v.uscc == s.uscc);
    CHECK(v.state == "assigned");
    CHECK(v.period == "2025-01");
    CHECK(v.team == s.team);
    REQUIRE(v.items.size() == 2);
    CHECK(ItemOf(v, "SCJG-FOOD").department == "SCJG");
    CHECK(ItemOf(v, "WJW-PUB").department == "WJW");
    for (const auto& it : v.items) {
      CHECK(it.state == "pending");
      CHECK(it.task_id == id);
      CHECK(it.due_date.empty());
    }
  }
  // The inspector's list holds the visits he is on.
  {
    const std::string officer = sel.front().team.back();
    auto mine = inspection::VisitsFor(w->vc, officer);
    REQUIRE(mine.ok());
    std::size_t expected = 0;
    for (const auto& s : sel) expected += std::count(s.team.begin(), s.team.end(), officer);
    CHECK(mine->size() == expected);
  }

  w->vc.today = "2025-01-13";
  const std::string v1 = VisitId(id, 1);
  inspection::Visit v = LoadVisit(*w, v1);
  const std::string scjg = OfficerOn(v, "SCJG"), wjw = OfficerOn(v, "WJW");

  SECTION("who may start and enter") {
    auto outsider = inspection::StartVisit(w->vc, v1, OfficerNotOn(v, "SCJG"), "");
    CHECK(outsider.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(outsider.status().message(), Catch::Contains("is not on the team"));
    v = Start(*w, v1, wjw);
    CHECK(v.state == "in_progress");
    CHECK(v.started_by == wjw);
    CHECK(v.started_on == "2025-01-13");
    auto twice = inspection::StartVisit(w->vc, v1, wjw, "");
    CHECK(twice.status().code() == StatusCode::kFailedPrecondition);
    // A visit starts on a real date, not before its draw and not in the future (as the
    // inspection date of a result).
    int k = 2;
    for (const char* bad : {"2025-13-01", "2025/01/13", "2025-01-05", "2025-01-14", "2031-01-01"}) {
      const std::string vid = VisitId(id, k++);
      INFO(vid << " started on " << bad << " (drawn 2025-01-06, today 2025-01-13)");
      auto r = inspection::StartVisit(w->vc, vid, LoadVisit(*w, vid).team.front(), bad);
      CHECK(r.status().code() == StatusCode::kInvalidArgument);
      CHECK(LoadVisit(*w, vid).state == "assigned");
    }

    // 谁检查、谁录入: an SCJG officer may not enter the WJW item, nor an officer off the team.
    auto cross = inspection::EnterResult(w->vc, Entry(v1, "WJW-PUB", "no_problem", "2025-01-13", scjg));
    CHECK(cross.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(cross.status().message(), Catch::Contains("is entered by WJW"));
    auto cross2 = inspection::EnterResult(w->vc, Entry(v1, "SCJG-FOOD", "no_problem", "2025-01-13", wjw));
    CHECK(cross2.status().code() == StatusCode::kInvalidArgument);
    auto off_team =
        inspection::EnterResult(w->vc, Entry(v1, "SCJG-FOOD", "no_problem", "2025-01-13", OfficerNotOn(v, "SCJG")));
    CHECK(off_team.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(off_team.status().message(), Catch::Contains("is not on the team"));
    auto other_dept = inspection::EnterResult(w->vc, Entry(v1, "SCJG-FOOD", "no_problem", "2025-01-13", "ZJJ-01"));
    CHECK(other_dept.status().code() == StatusCode::kInvalidArgument);
    v = LoadVisit(*w, v1);
    CHECK(ItemOf(v, "SCJG-FOOD").state == "pending");
    CHECK(ItemOf(v, "WJW-PUB").state == "pending");
  }

  SECTION("the whole lifecycle") {
    const std::set<std::string> usccs = SelectedUsccs(*w, id);
    // Every visit: started, each department enters its own item.
    for (const auto& s : sel) {
      const std::string vid = VisitId(id, static_cast<int>(s.rank));
      inspection::Visit x = Start(*w, vid, s.team.front());
      x = Enter(*w, Entry(vid, "SCJG-FOOD", "no_problem", "2025-01-13", OfficerOn(x, "SCJG")));
      CHECK(ItemOf(x, "SCJG-FOOD").state == "entered");
      CHECK(ItemOf(x, "SCJG-FOOD").due_date ==
            "2025-02-14");              // 20 working days after 2025-01-13 (see the deadline test)
      CHECK(x.state == "in_progress");  // the WJW item is still pending
      x = Enter(*w, Entry(vid, "WJW-PUB", "no_problem", "2025-01-13", OfficerOn(x, "WJW")));
      CHECK(x.state == "entered");
    }
    // Review: SCJG returns the first visit's result with a reason; it is entered again and
    // approved. A return needs a reason; only entered results are reviewed.
    auto no_reason = inspection::ReviewResults(w->vc, v1, "SCJG", "", false, "");
    CHECK(no_reason.status().code() == StatusCode::kInvalidArgument);
    v = Review(*w, v1, "SCJG", false, "检查记录缺少现场照片");
    CHECK(ItemOf(v, "SCJG-FOOD").state == "returned");
    CHECK(ItemOf(v, "SCJG-FOOD").review_reason == "检查记录缺少现场照片");
    CHECK(ItemOf(v, "SCJG-FOOD").reviewed_by == "tester");
    CHECK(ItemOf(v, "WJW-PUB").state == "entered");  // the other department's result is untouched
    CHECK(v.state == "in_progress");
    auto nothing = inspection::ReviewResults(w->vc, v1, "SCJG", "", true, "");
    CHECK(nothing.status().code() == StatusCode::kFailedPrecondition);
    auto not_entered = inspection::ReviewResults(w->vc, v1, "SCJG", "SCJG-FOOD", true, "");
    CHECK(not_entered.status().code() == StatusCode::kFailedPrecondition);
    auto publish_early = inspection::PublishResults(w->vc, v1, "SCJG");
    CHECK(publish_early.status().code() == StatusCode::kFailedPrecondition);
    auto foreign = inspection::ReviewResults(w->vc, v1, "ZJJ", "", true, "");
    CHECK(foreign.status().code() == StatusCode::kFailedPrecondition);
    w->vc.today = "2025-01-14";
    inspection::ResultEntry again_entry = Entry(v1, "SCJG-FOOD", "no_problem", "2025-01-14", scjg);
    again_entry.findings = "已补充现场照片";
    v = Enter(*w, again_entry);
    CHECK(ItemOf(v, "SCJG-FOOD").state == "entered");
    CHECK(ItemOf(v, "SCJG-FOOD").due_date == "2025-02-17");  // one working day later
    w->vc.today = "2025-01-15";
    for (const auto& s : sel) {
      const std::string vid = VisitId(id, static_cast<int>(s.rank));
      Review(*w, vid, "SCJG", true);
      inspection::Visit x = Review(*w, vid, "WJW", true);
      CHECK(x.state == "reviewed");
      auto locked =
          inspection::EnterResult(w->vc, Entry(vid, "WJW-PUB", "no_problem", "2025-01-13", OfficerOn(x, "WJW")));
      CHECK(locked.status().code() == StatusCode::kFailedPrecondition);
    }
    // Before any publication, no event names a drawn subject.
    CHECK_NO_EVENT_NAMING(db, usccs);

    // Publication, department by department (谁公开): publishing SCJG leaves WJW's approved.
    w->vc.today = "2025-01-16";
    v = Publish(*w, v1, "SCJG");
    CHECK(ItemOf(v, "SCJG-FOOD").state == "published");
    CHECK(ItemOf(v, "SCJG-FOOD").published_on == "2025-01-16");
    CHECK(ItemOf(v, "WJW-PUB").state == "approved");
    CHECK(v.state == "reviewed");
    auto twice = inspection::PublishResults(w->vc, v1, "SCJG");
    CHECK(twice.status().code() == StatusCode::kFailedPrecondition);
    v = Publish(*w, v1, "WJW");
    CHECK(v.state == "published");
    for (std::size_t i = 1; i < sel.size(); ++i) {
      const std::string vid = VisitId(id, static_cast<int>(sel[i].rank));
      Publish(*w, vid, "WJW");
      CHECK(Load(*w, id).state == "drawn");
      if (i + 1 < sel.size()) Publish(*w, vid, "SCJG");
    }
    // A published result is public (its notice names the subject); before the reveal no
    // event but the publications names a subject.
    CHECK_NO_EVENT_NAMING(db, usccs, [](const StoredEvent& e) { return e.topic == "visit.result.published"; });
    CHECK(Load(*w, id).state == "drawn");
    // The last result published reveals the task.
    v = Publish(*w, VisitId(id, static_cast<int>(sel.back().rank)), "SCJG");
    CHECK(v.state == "published");
    const draw::TaskInfo revealed = Load(*w, id);
    CHECK(revealed.state == "revealed");
    CHECK(EventCount(db, "draw.task.revealed") == 1);
    CHECK(CountFor(db, "SELECT COUNT(*) FROM visit_items WHERE task_id = :t AND state = 'published'", id) == 2 * kTiny);
    CHECK(CountFor(db, "SELECT COUNT(*) FROM visits WHERE id LIKE :p AND state = 'published'", id + "-%") == kTiny);
    ExpectProofVerifies(*w, id);
    // Nothing is left on the inspectors' lists.
    for (const auto& o : sel.front().team) {
      auto mine = inspection::VisitsFor(w->vc, o);
      REQUIRE(mine.ok());
      CHECK(mine->empty());
    }
  }
}

TEST_CASE("a joint task over any item gives each visit only the items that apply to its subject", "[visits][joint]") {
  auto w = MakeWorld();
  // all_items: only the subjects labelled both 食品经营 and 住宿 (i % 3 == 0).
  const draw::TaskInfo all = CreateAndAnnounce(
      *w, TaskSpecJson("2025-ALL-0001", "SCJG", {"SCJG-SHOP", "WJW-HOTEL"}, {"WJW"}, {{"SCJG", 1}, {"WJW", 1}}, 4));
  CHECK(all.pool_size == 4);
  const std::string id = "2025-ANY-0001";
  const draw::TaskInfo any = CreateAndAnnounce(
      *w, TaskSpecJson(id, "SCJG", {"SCJG-SHOP", "WJW-HOTEL"}, {"WJW"}, {{"SCJG", 1}, {"WJW", 1}}, kTiny, "any_item"));
  CHECK(any.pool_size == kTiny);
  Draw(*w, id);
  auto n = inspection::CreateVisits(w->vc, id);
  REQUIRE(n.ok());
  CHECK(n.value() == kTiny);
  int both = 0, shop = 0, hotel = 0;
  for (const auto& s : Selection(*w, id)) {
    const inspection::Visit v = LoadVisit(*w, VisitId(id, static_cast<int>(s.rank)));
    const auto at = std::find(w->tiny.begin(), w->tiny.end(), v.uscc);
    REQUIRE(at != w->tiny.end());
    const int i = static_cast<int>(at - w->tiny.begin());
    INFO("subject " << i << " labels " << TinyLabels(i));
    std::set<std::string> expected;
    if (i % 3 != 2) expected.insert("SCJG-SHOP");
    if (i % 3 != 1) expected.insert("WJW-HOTEL");
    CHECK(ItemCodes(v) == expected);
    both += expected.size() == 2;
    shop += expected == std::set<std::string>{"SCJG-SHOP"};
    hotel += expected == std::set<std::string>{"WJW-HOTEL"};
    // The team still has one officer of each department.
    REQUIRE(v.team.size() == 2);
    CHECK(((IsOf(v.team[0], "SCJG") && IsOf(v.team[1], "WJW")) || (IsOf(v.team[0], "WJW") && IsOf(v.team[1], "SCJG"))));
    if (expected == std::set<std::string>{"WJW-HOTEL"}) {
      // SCJG has nothing to enter or publish on this visit.
      w->vc.today = "2025-01-13";
      auto e =
          inspection::EnterResult(w->vc, Entry(v.id, "SCJG-SHOP", "no_problem", "2025-01-13", OfficerOn(v, "SCJG")));
      CHECK(e.status().code() == StatusCode::kNotFound);
      auto p = inspection::PublishResults(w->vc, v.id, "SCJG");
      CHECK_FALSE(p.ok());
    }
  }
  CHECK(both == 4);
  CHECK(shop == 4);
  CHECK(hotel == 4);
  CHECK(CountFor(*w->db, "SELECT COUNT(*) FROM visit_items WHERE task_id = :t", id) == 16);
  // Completing every visit reveals the task and its proof verifies.
  w->vc.today = "2025-01-13";
  for (const auto& s : Selection(*w, id)) CompleteVisit(*w, VisitId(id, static_cast<int>(s.rank)), "2025-01-13");
  CHECK(Load(*w, id).state == "revealed");
  ExpectProofVerifies(*w, id);
}

TEST_CASE("joint tasks are refused without an item or a slot per department and with an outside item or slot",
          "[visits][joint][refusals]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const long long events0 = Count(db, "SELECT COUNT(*) FROM events");
  struct Case {
    std::string name;
    json spec;
    std::string expect;
  };
  const std::vector<SlotSpec> two{{"SCJG", 1}, {"WJW", 1}};
  std::vector<Case> cases{
      {"a participant without an item", TaskSpecJson("R-1", "SCJG", {"SCJG-FOOD"}, {"WJW"}, two, 4),
       "participating department WJW brings no item"},
      {"an item of a department not in the task",
       TaskSpecJson("R-2", "SCJG", {"SCJG-FOOD", "WJW-PUB", "ZJJ-BUILD"}, {"WJW"}, two, 4),
       "item ZJJ-BUILD belongs to department ZJJ"},
      {"another department's item in a task of one department",
       TaskSpecJson("R-3", "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {}, {{"SCJG", 2}}, 4),
       "item WJW-PUB belongs to department WJW"},
      {"a participating department without a slot",
       TaskSpecJson("R-4", "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, {{"SCJG", 2}}, 4), "no slot for department WJW"},
      {"the initiating department without a slot",
       TaskSpecJson("R-5", "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, {{"WJW", 2}}, 4), "no slot for department SCJG"},
      {"a slot of an outside department",
       TaskSpecJson("R-6", "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, {{"SCJG", 1}, {"WJW", 1}, {"ZJJ", 1}}, 4),
       "team slot department ZJJ is not the task's department"},
      {"a slot of another department in a task of one department",
       TaskSpecJson("R-7", "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 1}, {"WJW", 1}}, 4), "team slot department WJW"},
      {"an unknown participant", TaskSpecJson("R-8", "SCJG", {"SCJG-FOOD"}, {"NOPE"}, two, 4), "NOPE"},
      {"the initiator listed as a participant",
       TaskSpecJson("R-9", "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"SCJG", "WJW"}, two, 4), "is not a participant"},
      {"a participant listed twice", TaskSpecJson("R-10", "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW", "WJW"}, two, 4),
       "participants[1]"},
      {"an unknown scope", TaskSpecJson("R-11", "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, two, 4, "some_items"),
       "must be all_items"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Status st = TryCreate(*w, c.spec);
    INFO(st.message());
    CHECK_FALSE(st.ok());
    CHECK(st.code() != StatusCode::kInternal);
    CHECK_THAT(st.message(), Catch::Contains(c.expect));
  }
  CHECK(Count(db, "SELECT COUNT(*) FROM draw_tasks") == 0);
  CHECK(Count(db, "SELECT COUNT(*) FROM events") == events0);
  // The same departments and items, properly staffed, are accepted.
  CHECK(TryCreate(*w, TaskSpecJson("R-OK", "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, two, 4)).ok());
}

// ---------------------------------------------------------------------------------------------
// Merging.

TEST_CASE("visits of separate tasks that drew the same subject in one month merge into joint visits",
          "[visits][merge]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  // SCJG draws all 12 subjects, WJW 6 of the same 12: 6 subjects are visited twice.
  const std::string a = "2025-MA-0001", b = "2025-MB-0001";
  Drawn(*w, TaskSpecJson(a, "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, kTiny));
  w->platform.SetNow(ShanghaiMicros(2025, 1, 8, 15));
  Drawn(*w, TaskSpecJson(b, "WJW", {"WJW-PUB"}, {}, {{"WJW", 2}}, 6));
  // A third task in February is another period.
  w->platform.SetNow(ShanghaiMicros(2025, 2, 5, 9));
  const std::string c = "2025-MC-0001";
  Drawn(*w, TaskSpecJson(c, "SCJG", {"SCJG-SHOP"}, {}, {{"SCJG", 2}}, 4));
  w->vc.today = "2025-02-05";

  std::map<std::string, std::string> a_visit, b_visit;  // uscc -> visit
  std::map<std::string, std::vector<std::string>> team_of;
  for (const auto& s : Selection(*w, a)) a_visit[s.uscc] = VisitId(a, static_cast<int>(s.rank));
  for (const auto& s : Selection(*w, b)) b_visit[s.uscc] = VisitId(b, static_cast<int>(s.rank));
  REQUIRE(a_visit.size() == 12);
  REQUIRE(b_visit.size() == 6);
  for (const auto& [u, vid] : b_visit) REQUIRE(a_visit.count(u) == 1);
  auto active = [&] { return Count(db, "SELECT COUNT(*) FROM visits WHERE state <> 'merged'"); };
  const long long active_before = active();
  CHECK(active_before == 12 + 6 + 4);

  // Proposed only: one joint visit per shared subject, nothing changed.
  auto proposed = inspection::MergeVisits(w->vc, "2025-01", false);
  INFO(proposed.status().message());
  REQUIRE(proposed.ok());
  CHECK_FALSE(proposed->applied);
  REQUIRE(proposed->proposals.size() == 6);
  CHECK(proposed->visits_before == 12);
  CHECK(proposed->visits_after == 6);
  CHECK(proposed->saved == 6);
  CHECK(active() == active_before);
  CHECK(Count(db, "SELECT COUNT(*) FROM events WHERE topic = 'visit.merged'") == 0);
  for (const auto& p : proposed->proposals) {
    INFO(p.uscc);
    REQUIRE(b_visit.count(p.uscc) == 1);
    CHECK(std::set<std::string>(p.visits.begin(), p.visits.end()) ==
          std::set<std::string>{a_visit[p.uscc], b_visit[p.uscc]});
    CHECK(p.tasks == std::vector<std::string>{a, b});
    CHECK(p.departments == std::vector<std::string>{"SCJG", "WJW"});
    CHECK(p.items == std::vector<std::string>{"SCJG-FOOD", "WJW-PUB"});
    std::set<std::string> union_team;
    for (const auto& vid : p.visits)
      for (const auto& o : LoadVisit(*w, vid).team) union_team.insert(o);
    CHECK(std::set<std::string>(p.team.begin(), p.team.end()) == union_team);
    CHECK(p.team.size() == union_team.size());
    CHECK(p.team.size() == 4);
    team_of[p.uscc] = p.team;
  }
  // Another period: February has one department only; a bad period is refused.
  auto feb = inspection::MergeVisits(w->vc, "2025-02", false);
  REQUIRE(feb.ok());
  CHECK(feb->proposals.empty());
  CHECK(feb->saved == 0);
  for (const char* bad : {"2025-1", "2025-13", "202501", "2025-01-01", ""}) {
    INFO(bad);
    auto r = inspection::MergeVisits(w->vc, bad, true);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
  }

  // Applied.
  auto applied = inspection::MergeVisits(w->vc, "2025-01", true);
  INFO(applied.status().message());
  REQUIRE(applied.ok());
  CHECK(applied->applied);
  CHECK(applied->saved == 6);
  CHECK(active_before - active() == applied->saved);
  CHECK(Count(db, "SELECT COUNT(*) FROM visits WHERE state = 'merged'") == 12);
  CHECK(EventCount(db, "visit.merged") == 6);
  for (const auto& p : applied->proposals) {
    INFO(p.uscc);
    for (const auto& vid : {a_visit[p.uscc], b_visit[p.uscc]}) {
      const inspection::Visit old = LoadVisit(*w, vid);
      CHECK(old.state == "merged");
      CHECK(old.merged_into == p.joint_id);
      CHECK(old.items.empty());
      auto start = inspection::StartVisit(w->vc, vid, old.team.front(), "");
      CHECK(start.status().code() == StatusCode::kFailedPrecondition);
      CHECK_THAT(start.status().message(), Catch::Contains(p.joint_id));
    }
    const inspection::Visit joint = LoadVisit(*w, p.joint_id);
    CHECK(joint.uscc == p.uscc);
    CHECK(joint.state == "assigned");
    CHECK(joint.period == "2025-01");
    CHECK(std::set<std::string>(joint.team.begin(), joint.team.end()) ==
          std::set<std::string>(team_of[p.uscc].begin(), team_of[p.uscc].end()));
    REQUIRE(joint.items.size() == 2);
    CHECK(ItemOf(joint, "SCJG-FOOD").task_id == a);
    CHECK(ItemOf(joint, "WJW-PUB").task_id == b);
    CHECK(CountFor(db, "SELECT COUNT(*) FROM visit_inspectors WHERE visit_id = :v", p.joint_id) == 4);
    // The joint visit is on every member's list; the merged ones are on nobody's.
    for (const auto& o : joint.team) {
      auto mine = inspection::VisitsFor(w->vc, o);
      REQUIRE(mine.ok());
      bool has_joint = false;
      for (const auto& x : mine.value()) {
        has_joint = has_joint || x.id == p.joint_id;
        CHECK(x.state != "merged");
      }
      CHECK(has_joint);
    }
  }
  // Nothing more to merge.
  auto second = inspection::MergeVisits(w->vc, "2025-01", true);
  REQUIRE(second.ok());
  CHECK(second->proposals.empty());
  CHECK(second->saved == 0);
  CHECK_FALSE(second->applied);
  CHECK(EventCount(db, "visit.merged") == 6);

  // A third department drawn later in January joins: a subject that has a joint visit gets
  // the new item on that joint visit (reused, its team grown), the others a new joint visit.
  std::map<std::string, std::string> joint_of;
  for (const auto& p : applied->proposals) joint_of[p.uscc] = p.joint_id;
  w->platform.SetNow(ShanghaiMicros(2025, 1, 20, 9));
  const std::string z = "2025-MZ-0001";
  Drawn(*w, TaskSpecJson(z, "ZJJ", {"ZJJ-BUILD"}, {}, {{"ZJJ", 2}}, 5));
  std::map<std::string, std::string> z_visit;
  for (const auto& s : Selection(*w, z)) z_visit[s.uscc] = VisitId(z, static_cast<int>(s.rank));
  REQUIRE(z_visit.size() == 5);
  const long long active_z = active();
  auto third = inspection::MergeVisits(w->vc, "2025-01", true);
  INFO(third.status().message());
  REQUIRE(third.ok());
  CHECK(third->applied);
  REQUIRE(third->proposals.size() == 5);
  CHECK(third->saved == 5);
  CHECK(active_z - active() == third->saved);
  for (const auto& p : third->proposals) {
    INFO(p.uscc);
    REQUIRE(z_visit.count(p.uscc) == 1);
    CHECK(LoadVisit(*w, z_visit[p.uscc]).merged_into == p.joint_id);
    const inspection::Visit joint = LoadVisit(*w, p.joint_id);
    CHECK(joint.state == "assigned");
    if (joint_of.count(p.uscc)) {
      CHECK(p.joint_id == joint_of[p.uscc]);
      CHECK(ItemCodes(joint) == std::set<std::string>{"SCJG-FOOD", "WJW-PUB", "ZJJ-BUILD"});
      CHECK(joint.team.size() == 6);
      CHECK(CountFor(db, "SELECT COUNT(*) FROM visit_inspectors WHERE visit_id = :v", p.joint_id) == 6);
    } else {
      CHECK(ItemCodes(joint) == std::set<std::string>{"SCJG-FOOD", "ZJJ-BUILD"});
      CHECK(joint.team.size() == 4);
      CHECK(LoadVisit(*w, a_visit[p.uscc]).merged_into == p.joint_id);
    }
    CHECK(ItemOf(joint, "ZJJ-BUILD").task_id == z);
  }

  // The joint visits are inspected like any other: each department its own item. Once every
  // result is published the tasks are revealed, and each task's proof still verifies.
  w->vc.today = "2025-02-06";
  for (const auto& p : applied->proposals) {
    const inspection::Visit joint = LoadVisit(*w, p.joint_id);
    auto cross = inspection::EnterResult(
        w->vc, Entry(p.joint_id, "WJW-PUB", "no_problem", "2025-02-06", OfficerOn(joint, "SCJG")));
    CHECK(cross.status().code() == StatusCode::kInvalidArgument);
    CompleteVisit(*w, p.joint_id, "2025-02-06");
    CHECK(LoadVisit(*w, p.joint_id).state == "published");
  }
  CHECK(Load(*w, b).state == "revealed");  // all of WJW's visits were merged
  CHECK(Load(*w, a).state == "drawn");
  std::vector<std::string> open;
  for (const auto& r :
       Rows(db, "SELECT id FROM visits WHERE period = '2025-01' AND state NOT IN ('merged', 'published') ORDER BY id"))
    open.push_back(r[0]);
  // Left: SCJG's 6 subjects not drawn by WJW, each as SCJG's own visit or as a joint one with ZJJ.
  CHECK(open.size() == 6);
  for (const auto& vid : open) CompleteVisit(*w, vid, "2025-02-06");
  for (const auto& t : {a, b, z}) {
    INFO(t);
    CHECK(Load(*w, t).state == "revealed");
    ExpectProofVerifies(*w, t);
  }
  auto stats = inspection::VisitStatistics(w->vc, b, "");
  REQUIRE(stats.ok());
  REQUIRE(stats->size() == 1);
  CHECK(stats.value()[0]["drawn"] == 6);
  CHECK(stats.value()[0]["published"] == 6);
  CHECK(Count(db, "SELECT COUNT(*) FROM visit_items WHERE state <> 'published'") ==
        Count(db, "SELECT COUNT(*) FROM visit_items WHERE task_id = '2025-MC-0001'"));  // February's task is untouched
}

TEST_CASE("merged joint visits name no drawn subject in events before the reveal", "[visits][merge][confidentiality]") {
  auto w = MakeWorld();
  const std::string a = "2025-MA-0002", b = "2025-MB-0002";
  Drawn(*w, TaskSpecJson(a, "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, 6));
  Drawn(*w, TaskSpecJson(b, "WJW", {"WJW-PUB"}, {}, {{"WJW", 2}}, kTiny));
  auto rep = inspection::MergeVisits(w->vc, "2025-01", true);
  INFO(rep.status().message());
  REQUIRE(rep.ok());
  REQUIRE(rep->proposals.size() == 6);
  std::set<std::string> usccs = SelectedUsccs(*w, a);
  for (const auto& u : SelectedUsccs(*w, b)) usccs.insert(u);
  // Neither task is revealed: the selection is confidential (docs/draw.md, who sees what),
  // so the merge events, and every later event about a joint visit, must not carry it.
  CHECK(Load(*w, a).state == "drawn");
  CHECK(Load(*w, b).state == "drawn");
  CHECK_NO_EVENT_NAMING(*w->db, usccs);
  w->vc.today = "2025-01-13";
  const inspection::Visit joint = LoadVisit(*w, rep->proposals.front().joint_id);
  Start(*w, joint.id, joint.team.front());
  Enter(*w, Entry(joint.id, "SCJG-FOOD", "no_problem", "2025-01-13", OfficerOn(joint, "SCJG")));
  CHECK_NO_EVENT_NAMING(*w->db, usccs);
}

TEST_CASE("merging two tasks of one department with the same item beside another department's task",
          "[visits][merge]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  // SCJG draws the same 12 subjects twice for the same item (exclusions off), WJW draws them
  // too: each subject has three assigned visits in January.
  Drawn(*w, TaskSpecJson("2025-MD-0001", "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, kTiny));
  Drawn(*w, TaskSpecJson("2025-MD-0002", "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, kTiny));
  Drawn(*w, TaskSpecJson("2025-MD-0003", "WJW", {"WJW-PUB"}, {}, {{"WJW", 2}}, kTiny));
  const long long items_before = Count(db, "SELECT COUNT(*) FROM visit_items");
  auto rep = inspection::MergeVisits(w->vc, "2025-01", true);
  // Either merged (every item kept, once per task) or refused with a clear error; never a
  // database error, never an item lost.
  INFO(rep.status().message());
  CHECK(rep.status().code() != StatusCode::kInternal);
  CHECK(Count(db, "SELECT COUNT(*) FROM visit_items") == items_before);
  CHECK(Count(db, "SELECT COUNT(*) FROM visit_items vi JOIN visits v ON v.id = vi.visit_id WHERE v.state = 'merged'") ==
        0);
  if (rep.ok()) CHECK(rep->saved > 0);  // at least the WJW visit joins an SCJG one
}

// ---------------------------------------------------------------------------------------------
// Deadlines on the working-day calendar.

TEST_CASE("publication deadlines follow the 2025 calendar with yellow and red cards and one event per change",
          "[visits][deadlines]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const std::string id = "2025-DL-0001";
  Drawn(*w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, {{"SCJG", 1}, {"WJW", 1}}, 6));
  const std::string v1 = VisitId(id, 1), v2 = VisitId(id, 2), v3 = VisitId(id, 3);

  // Inspected on Monday 2025-01-20; 20 working days later, counted by hand on the 2025
  // calendar (国办发明电〔2024〕12号): Spring Festival 01-28..02-04 off, make-up days 01-26 (Sun)
  // and 02-08 (Sat) worked.
  //   Jan 21 22 23 24 (1-4), Sun 26 (5, make-up), Mon 27 (6), 28 Jan - 4 Feb off,
  //   Feb 5 6 7 (7-9), Sat 8 (10, make-up), Feb 10-14 (11-15), Feb 17-21 (16-20)
  // => due Friday 2025-02-21. (Without the holiday and make-up days it would be 2025-02-17.)
  CHECK(w->vc.calendar->AddWorkingDays(D("2025-01-20"), 20).value() == D("2025-02-21"));
  w->vc.today = "2025-01-20";
  inspection::Visit v = LoadVisit(*w, v1);
  Start(*w, v1, v.team.front());
  v = Enter(*w, Entry(v1, "SCJG-FOOD", "no_problem", "2025-01-20", OfficerOn(v, "SCJG")));
  CHECK(ItemOf(v, "SCJG-FOOD").due_date == "2025-02-21");
  CHECK(ItemOf(v, "SCJG-FOOD").card == "none");
  v = Enter(*w, Entry(v1, "WJW-PUB", "no_problem", "2025-01-20", OfficerOn(v, "WJW")));
  CHECK(ItemOf(v, "WJW-PUB").due_date == "2025-02-21");
  // v2: the same inspection day, published on time on 2025-02-10.
  inspection::Visit x = LoadVisit(*w, v2);
  Enter(*w, Entry(v2, "SCJG-FOOD", "no_problem", "2025-01-20", OfficerOn(x, "SCJG")));
  w->vc.today = "2025-02-10";
  Review(*w, v2, "SCJG", true);
  x = Publish(*w, v2, "SCJG");
  CHECK(ItemOf(x, "SCJG-FOOD").published_on == "2025-02-10");

  auto list = [&](const std::string& dept, const std::string& state, bool published = false) {
    auto r = inspection::ListDeadlines(w->vc, inspection::DeadlineQuery{dept, state, published, 0});
    INFO(r.status().message());
    REQUIRE(r.ok());
    return r.value();
  };
  auto refresh = [&] {
    auto r = inspection::RefreshDeadlines(w->vc);
    INFO(r.status().message());
    REQUIRE(r.ok());
    return r.value();
  };

  // Thursday 2025-02-13: 6 working days left (14, 17, 18, 19, 20, 21): green.
  w->vc.today = "2025-02-13";
  auto d = list("SCJG", "");
  REQUIRE(d.size() == 1);
  CHECK(d[0].visit_id == v1);
  CHECK(d[0].item_code == "SCJG-FOOD");
  CHECK(d[0].department == "SCJG");
  CHECK(d[0].task_id == id);
  CHECK(d[0].due_date == "2025-02-21");
  CHECK(d[0].card == "green");
  CHECK(d[0].working_days_left == 6);
  CHECK(list("SCJG", "yellow").empty());
  CHECK(list("SCJG", "red").empty());
  auto r = refresh();
  CHECK(r.yellow == 0);
  CHECK(r.red == 0);
  CHECK(EventCount(db, "visit.deadline.yellow") == 0);

  // Friday 2025-02-14: 5 working days left: yellow (the default 5).
  w->vc.today = "2025-02-14";
  d = list("SCJG", "");
  REQUIRE(d.size() == 1);
  CHECK(d[0].card == "yellow");
  CHECK(d[0].working_days_left == 5);
  CHECK(list("SCJG", "yellow").size() == 1);
  CHECK(list("", "yellow").size() == 2);
  CHECK(list("WJW", "yellow").size() == 1);
  CHECK(list("SCJG", "red").empty());
  {
    inspection::VisitOptions saved = w->vc.options;
    w->vc.options.yellow_working_days = 2;  // plugins.inspection.yellow_days=2: still green
    d = list("SCJG", "");
    REQUIRE(d.size() == 1);
    CHECK(d[0].card == "green");
    w->vc.options = saved;
  }
  r = refresh();
  CHECK(r.yellow == 2);
  CHECK(r.red == 0);
  CHECK(EventCount(db, "visit.deadline.yellow") == 2);
  r = refresh();  // the same day again: nothing changes, no duplicate event
  CHECK(r.yellow == 0);
  CHECK(EventCount(db, "visit.deadline.yellow") == 2);
  CHECK(ItemOf(LoadVisit(*w, v1), "SCJG-FOOD").card == "yellow");

  // v4, entered on Monday 2025-02-17 for the inspection of 2025-01-20 (due 2025-02-21): yellow
  // at once (4 working days left), then published on time the same day. Its card no longer
  // warns: ListDeadlines calls it green, and LoadVisit must not keep showing a yellow card
  // for a result published in time.
  w->vc.today = "2025-02-17";
  const std::string v4 = VisitId(id, 4);
  x = LoadVisit(*w, v4);
  Enter(*w, Entry(v4, "SCJG-FOOD", "no_problem", "2025-01-20", OfficerOn(x, "SCJG")));
  r = refresh();
  CHECK(r.yellow == 1);
  CHECK(EventCount(db, "visit.deadline.yellow") == 3);
  CHECK(ItemOf(LoadVisit(*w, v4), "SCJG-FOOD").card == "yellow");
  Review(*w, v4, "SCJG", true);
  x = Publish(*w, v4, "SCJG");
  CHECK(ItemOf(x, "SCJG-FOOD").published_on == "2025-02-17");
  CHECK(ItemOf(x, "SCJG-FOOD").card != "yellow");
  CHECK(ItemOf(x, "SCJG-FOOD").card != "red");

  // Friday 2025-02-21, the due date itself: 0 left, still yellow, no new event.
  w->vc.today = "2025-02-21";
  d = list("SCJG", "");
  REQUIRE(d.size() == 1);
  CHECK(d[0].card == "yellow");
  CHECK(d[0].working_days_left == 0);
  r = refresh();
  CHECK(r.yellow + r.red == 0);

  // Monday 2025-02-24: passed, red; one red event per item, once.
  w->vc.today = "2025-02-24";
  d = list("SCJG", "red");
  REQUIRE(d.size() == 1);
  CHECK(d[0].card == "red");
  CHECK(d[0].working_days_left == -1);
  CHECK(list("SCJG", "yellow").empty());
  CHECK(list("", "red").size() == 2);
  r = refresh();
  CHECK(r.red == 2);
  CHECK(r.yellow == 0);
  r = refresh();
  CHECK(r.red == 0);
  CHECK(EventCount(db, "visit.deadline.red") == 2);
  CHECK(EventCount(db, "visit.deadline.yellow") == 3);
  for (const auto& e : Events(db))
    if (e.topic == "visit.deadline.red") {
      const json p = json::parse(e.payload);
      CHECK(p["visit"] == v1);
      CHECK(p["due_date"] == "2025-02-21");
    }

  // Published late on 2025-02-25: stays red, in the listing with the published results, in
  // LoadVisit's card, and not on time in the statistics. No second red event.
  w->vc.today = "2025-02-25";
  Review(*w, v1, "SCJG", true);
  v = Publish(*w, v1, "SCJG");
  CHECK(ItemOf(v, "SCJG-FOOD").state == "published");
  CHECK(ItemOf(v, "SCJG-FOOD").published_on == "2025-02-25");
  CHECK(ItemOf(v, "SCJG-FOOD").card == "red");
  CHECK(EventCount(db, "visit.deadline.red") == 2);
  CHECK(list("SCJG", "").empty());  // nothing of SCJG is open any more
  auto all = list("SCJG", "", true);
  REQUIRE(all.size() == 3);
  std::map<std::string, inspection::Deadline> by_visit;
  for (const auto& x2 : all) by_visit[x2.visit_id] = x2;
  CHECK(by_visit.at(v1).card == "red");
  CHECK(by_visit.at(v1).published_on == "2025-02-25");
  CHECK(by_visit.at(v1).state == "published");
  CHECK(by_visit.at(v2).card == "green");
  CHECK(by_visit.at(v2).published_on == "2025-02-10");
  CHECK(by_visit.at(v4).card == "green");
  // --limit bounds the whole listing, published results included.
  {
    auto limited = inspection::ListDeadlines(w->vc, inspection::DeadlineQuery{"", "", true, 2});
    REQUIRE(limited.ok());
    CHECK(limited->size() == 2);
    auto one = inspection::ListDeadlines(w->vc, inspection::DeadlineQuery{"SCJG", "red", true, 1});
    REQUIRE(one.ok());
    CHECK(one->size() == 1);
  }
  auto red_all = list("SCJG", "red", true);
  REQUIRE(red_all.size() == 1);
  CHECK(red_all[0].visit_id == v1);
  CHECK(list("SCJG", "yellow", true).empty());
  CHECK(list("WJW", "red").size() == 1);  // WJW's result of v1 is still open and late

  // v3: a result entered after its due date and published at once: red, with one red event
  // raised by the publication itself.
  w->vc.today = "2025-02-26";
  x = LoadVisit(*w, v3);
  x = Enter(*w, Entry(v3, "SCJG-FOOD", "no_problem", "2025-01-20", OfficerOn(x, "SCJG")));
  CHECK(ItemOf(x, "SCJG-FOOD").due_date == "2025-02-21");
  CHECK(list("SCJG", "red").size() == 1);  // red as soon as it is listed
  Review(*w, v3, "SCJG", true);
  x = Publish(*w, v3, "SCJG");
  CHECK(ItemOf(x, "SCJG-FOOD").card == "red");
  CHECK(EventCount(db, "visit.deadline.red") == 3);
  r = refresh();
  CHECK(r.red + r.yellow == 0);
  CHECK(EventCount(db, "visit.deadline.red") == 3);
  CHECK(list("SCJG", "red", true).size() == 2);

  // Statistics: four SCJG results published, two of them on time.
  auto stats = inspection::VisitStatistics(w->vc, id, "SCJG");
  REQUIRE(stats.ok());
  REQUIRE(stats->size() == 1);
  CHECK(stats.value()[0]["published"] == 4);
  CHECK(stats.value()[0]["published_on_time"] == 2);
}

TEST_CASE("per-item and per-department publication days change the due date", "[visits][deadlines][config]") {
  // Defaults and precedence: item over department over plugins.inspection.publish_days.
  auto o = inspection::VisitOptions::FromConfig("inspection",
                                                Lookup({{"plugins.inspection.publish_days", "30"},
                                                        {"plugins.inspection.publish_days.item.SCJG-FOOD", "10"},
                                                        {"plugins.inspection.publish_days.department.WJW", "15"},
                                                        {"plugins.inspection.publish_days.item.WJW-HOTEL", "5"},
                                                        {"plugins.inspection.yellow_days", "3"},
                                                        {"unrelated.key", "x"}}));
  INFO(o.status().message());
  REQUIRE(o.ok());
  CHECK(o->PublishDays("SCJG-FOOD", "SCJG").value() == 10);
  CHECK(o->PublishDays("SCJG-SHOP", "SCJG").value() == 30);
  CHECK(o->PublishDays("WJW-PUB", "WJW").value() == 15);
  CHECK(o->PublishDays("WJW-HOTEL", "WJW").value() == 5);
  CHECK(o->yellow_working_days == 3);
  CHECK(inspection::VisitOptions{}.PublishDays("ANY", "ANY").value() == 20);
  CHECK(inspection::VisitOptions{}.yellow_working_days == 5);
  // A bad value is refused naming its key: the global ones when read, the per-item and
  // per-department ones when a due date needs them.
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"plugins.inspection.publish_days", "0"},
                                                        {"plugins.inspection.publish_days", "366"},
                                                        {"plugins.inspection.publish_days", "abc"},
                                                        {"plugins.inspection.publish_days", ""},
                                                        {"plugins.inspection.publish_days", "-1"},
                                                        {"plugins.inspection.publish_days", "1e3"},
                                                        {"plugins.inspection.publish_days.item.SCJG-FOOD", "0"},
                                                        {"plugins.inspection.publish_days.department.WJW", "20 "},
                                                        {"plugins.inspection.yellow_days", "61"},
                                                        {"plugins.inspection.yellow_days", "99999"}}) {
    INFO(key << "=" << value);
    auto read = inspection::VisitOptions::FromConfig("inspection", Lookup({{key, value}}));
    const Status bad = !read.ok() ? read.status() : read->PublishDays("SCJG-FOOD", "WJW").status();
    CHECK(bad.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(bad.message(), Catch::Contains(key));
  }

  auto w = MakeWorld();
  const std::string id = "2025-CF-0001";
  Drawn(*w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, {{"SCJG", 1}, {"WJW", 1}}, 3));
  w->vc.today = "2025-01-20";
  auto enter_both = [&](const std::string& vid) {
    inspection::Visit v = LoadVisit(*w, vid);
    v = Enter(*w, Entry(vid, "SCJG-FOOD", "no_problem", "2025-01-20", OfficerOn(v, "SCJG")));
    return Enter(*w, Entry(vid, "WJW-PUB", "no_problem", "2025-01-20", OfficerOn(v, "WJW")));
  };
  // Default: 20 working days for both (2025-02-21).
  inspection::Visit v = enter_both(VisitId(id, 1));
  CHECK(ItemOf(v, "SCJG-FOOD").due_date == "2025-02-21");
  CHECK(ItemOf(v, "WJW-PUB").due_date == "2025-02-21");
  // Item SCJG-FOOD 10 days: Jan 21-24 (1-4), Sun 26 (5), Mon 27 (6), Feb 5-7 (7-9), Sat 8 (10)
  // => Saturday 2025-02-08, a make-up working day. Department WJW 15 days: Feb 10-14 (11-15)
  // => 2025-02-14.
  auto cfg = inspection::VisitOptions::FromConfig("inspection",
                                                  Lookup({{"plugins.inspection.publish_days.item.SCJG-FOOD", "10"},
                                                          {"plugins.inspection.publish_days.department.WJW", "15"}}));
  REQUIRE(cfg.ok());
  w->vc.options = cfg.value();
  v = enter_both(VisitId(id, 2));
  CHECK(ItemOf(v, "SCJG-FOOD").due_date == "2025-02-08");
  CHECK(ItemOf(v, "WJW-PUB").due_date == "2025-02-14");
  // Item WJW-PUB 5 days beats its department's 15: Jan 21-24 (1-4), Sun 26 (5) => the
  // make-up Sunday 2025-01-26.
  cfg = inspection::VisitOptions::FromConfig("inspection",
                                             Lookup({{"plugins.inspection.publish_days.item.WJW-PUB", "5"},
                                                     {"plugins.inspection.publish_days.department.WJW", "15"}}));
  REQUIRE(cfg.ok());
  w->vc.options = cfg.value();
  v = enter_both(VisitId(id, 3));
  CHECK(ItemOf(v, "SCJG-FOOD").due_date == "2025-02-21");
  CHECK(ItemOf(v, "WJW-PUB").due_date == "2025-01-26");
}

// A fictional notice for 2027 (test only) in a calendar.dir folder: 元旦 with the days off
// `last_day_off` back to Friday 1 January, and `makeup` (a Saturday, or none) as a make-up
// working day.
const WorkingDays* CalendarWith2027(int last_day_off, const std::string& makeup) {
  const std::string dir = test::TempDir();
  std::string off;
  for (int d = 1; d <= last_day_off; ++d)
    off += std::string(off.empty() ? "" : ", ") + "\"2027-01-0" + std::to_string(d) + "\"";
  test::WriteFile(dir + "/2027.json", R"({"format": "xj-calendar/1", "year": 2027,
    "source": {"issuer": "测试", "title": "测试通知（2027）", "document_number": "测试〔2026〕1号",
               "published": "2026-11-01", "url": "https://example.invalid/2027"},
    "holidays": [{"name_zh": "元旦", "name_en": "New Year's Day", "days_off": [)" +
                                          off + R"(],
                  "makeup_workdays": [)" + (makeup.empty() ? "" : "\"" + makeup + "\"") +
                                          "]}]}");
  const WorkingDays* cal = CalendarOfDir(dir);
  REQUIRE_FALSE(cal->IsProvisional(2027));
  return cal;
}

TEST_CASE("a deadline in a year without a notice is provisional and moves when the notice is loaded",
          "[visits][deadlines][provisional]") {
  auto w = MakeWorld();
  REQUIRE(w->vc.calendar->IsProvisional(2027));  // when 2027 ships, move this test to the first year without one
  w->platform.SetNow(ShanghaiMicros(2026, 12, 1, 10));
  const std::string id = "2026-YE-0001";
  Drawn(*w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD", "SCJG-SHOP"}, {}, {{"SCJG", 2}}, 3));
  w->vc.today = "2026-12-20";
  // Friday 18 December 2026 + 20 working days: Dec 21-25 (5), Dec 28-31 (9), Friday 1 January
  // 2027 is 元旦 (statutory), Jan 4-8 (14), Jan 11-15 (19), Monday 18 January (20).
  inspection::Visit v = LoadVisit(*w, VisitId(id, 1));
  v = Enter(*w, Entry(v.id, "SCJG-FOOD", "no_problem", "2026-12-18", v.team.front()));
  CHECK(ItemOf(v, "SCJG-FOOD").due_date == "2027-01-18");
  CHECK(ItemOf(v, "SCJG-FOOD").due_provisional);
  CHECK(inspection::VisitJson(v)["items"][0]["due_provisional"] == true);
  // A deadline inside 2026 is not provisional: 5 working days after 2026-12-18 is 2026-12-25.
  inspection::Visit v2 = LoadVisit(*w, VisitId(id, 2));
  auto opts = w->vc.options;
  w->vc.options.publish_working_days = 5;
  v2 = Enter(*w, Entry(v2.id, "SCJG-FOOD", "no_problem", "2026-12-18", v2.team.front()));
  w->vc.options = opts;
  CHECK(ItemOf(v2, "SCJG-FOOD").due_date == "2026-12-25");
  CHECK_FALSE(ItemOf(v2, "SCJG-FOOD").due_provisional);
  // A third one, whose card turns yellow before the notice arrives.
  inspection::Visit v3 = LoadVisit(*w, VisitId(id, 3));
  v3 = Enter(*w, Entry(v3.id, "SCJG-FOOD", "no_problem", "2026-12-18", v3.team.front()));

  // The listing, the task and the notices say so.
  auto list = inspection::ListDeadlines(w->vc, inspection::DeadlineQuery{});
  REQUIRE(list.ok());
  int provisional = 0;
  for (const auto& d : list.value()) provisional += d.provisional ? 1 : 0;
  CHECK(provisional == 2);
  auto notice = inspection::TaskNotice(w->vc, id);
  REQUIRE(notice.ok());
  CHECK(notice.value()["results_due"] == "2027-01-18");
  CHECK(notice.value()["results_due_provisional"] == true);
  const auto task_json = PluginJson(*w, "task show", {{"id", {id}}});  // the draw plugin's view, as the public sees it
  CHECK(task_json["results_due_provisional"] == true);

  // Nothing moves while the calendar is still provisional.
  w->vc.today = "2027-01-12";  // 4 working days before 18 January: yellow
  auto r = inspection::RefreshDeadlines(w->vc);
  REQUIRE(r.ok());
  CHECK(r->moved == 0);
  CHECK(r->confirmed == 0);
  CHECK(ItemOf(LoadVisit(*w, v3.id), "SCJG-FOOD").card == "yellow");

  // The notice is loaded: 4 January is a day off, so the deadlines move to Tuesday 19
  // January, lose their mark, and each move is audited with both dates and raises one event.
  const long long moved_events = EventCount(*w->db, "visit.deadline.moved");
  const long long yellow_events = EventCount(*w->db, "visit.deadline.yellow");
  w->vc.calendar = CalendarWith2027(4, "");
  r = inspection::RefreshDeadlines(w->vc);
  REQUIRE(r.ok());
  CHECK(r->moved == 2);
  CHECK(EventCount(*w->db, "visit.deadline.moved") == moved_events + 2);
  for (const auto& vid : {v.id, v3.id}) {
    const auto it = ItemOf(LoadVisit(*w, vid), "SCJG-FOOD");
    CHECK(it.due_date == "2027-01-19");
    CHECK_FALSE(it.due_provisional);
    CHECK(AuditCount(*w->db, "visit.deadline.move", vid + "/SCJG-FOOD: 2027-01-18 -> 2027-01-19") == 1);
  }
  // The yellow card given for the 18th was taken back and given again for the 19th
  // (5 working days left from the 12th: still yellow).
  CHECK(ItemOf(LoadVisit(*w, v3.id), "SCJG-FOOD").card == "yellow");
  CHECK(EventCount(*w->db, "visit.deadline.yellow") == yellow_events);  // the same card: no second event
  CHECK(ItemOf(LoadVisit(*w, v2.id), "SCJG-FOOD").due_date == "2026-12-25");
  // A second refresh changes nothing.
  r = inspection::RefreshDeadlines(w->vc);
  REQUIRE(r.ok());
  CHECK(r->moved == 0);
  CHECK(EventCount(*w->db, "visit.deadline.moved") == moved_events + 2);
  list = inspection::ListDeadlines(w->vc, inspection::DeadlineQuery{});
  REQUIRE(list.ok());
  for (const auto& d : list.value()) CHECK_FALSE(d.provisional);
}

TEST_CASE("a provisional deadline moved earlier by a notice is audited with both dates, one kept loses its mark",
          "[visits][deadlines][provisional]") {
  auto w = MakeWorld();
  w->platform.SetNow(ShanghaiMicros(2026, 12, 1, 10));
  const std::string id = "2026-YE-0002";
  Drawn(*w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, 2));
  w->vc.today = "2026-12-20";
  inspection::Visit v = LoadVisit(*w, VisitId(id, 1));
  v = Enter(*w, Entry(v.id, "SCJG-FOOD", "no_problem", "2026-12-18", v.team.front()));
  REQUIRE(ItemOf(v, "SCJG-FOOD").due_date == "2027-01-18");
  w->vc.today = "2027-01-12";
  REQUIRE(inspection::RefreshDeadlines(w->vc).ok());
  REQUIRE(ItemOf(LoadVisit(*w, v.id), "SCJG-FOOD").card == "yellow");

  SECTION("earlier") {
    // The notice makes Saturday 9 January a working day: Dec 21-31 (9), Jan 4-8 (14), Sat 9
    // (15), Jan 11-14 (19), Friday 15 January (20).
    w->vc.calendar = CalendarWith2027(1, "2027-01-09");
    auto r = inspection::RefreshDeadlines(w->vc);
    REQUIRE(r.ok());
    CHECK(r->moved == 1);
    const auto it = ItemOf(LoadVisit(*w, v.id), "SCJG-FOOD");
    CHECK(it.due_date == "2027-01-15");
    CHECK_FALSE(it.due_provisional);
    CHECK(it.card == "yellow");  // 3 working days left: the card given stays
    CHECK(AuditCount(*w->db, "visit.deadline.move", v.id + "/SCJG-FOOD: 2027-01-18 -> 2027-01-15") == 1);
  }
  SECTION("kept") {
    // The notice agrees with the law for January: the date stays, the mark goes, no event.
    const long long moved_events = EventCount(*w->db, "visit.deadline.moved");
    w->vc.calendar = CalendarWith2027(1, "");
    auto r = inspection::RefreshDeadlines(w->vc);
    REQUIRE(r.ok());
    CHECK(r->moved == 0);
    CHECK(r->confirmed == 1);
    const auto it = ItemOf(LoadVisit(*w, v.id), "SCJG-FOOD");
    CHECK(it.due_date == "2027-01-18");
    CHECK_FALSE(it.due_provisional);
    CHECK(EventCount(*w->db, "visit.deadline.moved") == moved_events);
    CHECK(AuditCount(*w->db, "visit.deadline.confirm", v.id + "/SCJG-FOOD: 2027-01-18 -> 2027-01-18") == 1);
  }
  SECTION("published") {
    // Published on Tuesday 19 January, a day after the provisional date: late, red. The
    // notice takes 4 January off, the date becomes the 19th: published in time after all.
    REQUIRE(inspection::ReviewResults(w->vc, v.id, "SCJG", "", true, "").ok());
    w->vc.today = "2027-01-19";
    REQUIRE(inspection::PublishResults(w->vc, v.id, "SCJG").ok());
    REQUIRE(ItemOf(LoadVisit(*w, v.id), "SCJG-FOOD").card == "red");
    w->vc.calendar = CalendarWith2027(4, "");
    auto r = inspection::RefreshDeadlines(w->vc);
    REQUIRE(r.ok());
    CHECK(r->moved == 1);
    const auto it = ItemOf(LoadVisit(*w, v.id), "SCJG-FOOD");
    CHECK(it.due_date == "2027-01-19");
    CHECK_FALSE(it.due_provisional);
    CHECK(it.card == "none");
    auto notices = inspection::ResultNotices(w->vc, id, "");
    REQUIRE(notices.ok());
    REQUIRE(notices->size() == 1);
    CHECK(notices.value()[0]["due_provisional"] == false);
    CHECK(AuditCount(*w->db, "visit.deadline.move", v.id + "/SCJG-FOOD: 2027-01-18 -> 2027-01-19") == 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Credit events.

TEST_CASE("approving unreachable and false-information results raises credit events", "[visits][credit]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const std::string id = "2025-CR-0001";
  Drawn(*w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, 4));
  w->vc.today = "2025-01-20";
  std::vector<inspection::Visit> v;
  for (int i = 1; i <= 4; ++i) v.push_back(LoadVisit(*w, VisitId(id, i)));
  Enter(*w, Entry(v[0].id, "SCJG-FOOD", "unreachable", "2025-01-20", v[0].team.front()));
  inspection::ResultEntry fi = Entry(v[1].id, "SCJG-FOOD", "false_information", "2025-01-20", v[1].team.front());
  fi.follow_up.kind = "correct";
  fi.follow_up.deadline = "2025-02-20";
  Enter(*w, fi);
  Enter(*w, Entry(v[2].id, "SCJG-FOOD", "no_problem", "2025-01-20", v[2].team.front()));
  inspection::ResultEntry np = Entry(v[3].id, "SCJG-FOOD", "not_published", "2025-01-20", v[3].team.front());
  np.follow_up.kind = "correct";
  np.follow_up.deadline = "2025-02-20";
  Enter(*w, np);
  auto credit = [&] { return Count(db, "SELECT COUNT(*) FROM events WHERE topic LIKE 'credit.%'"); };
  CHECK(credit() == 0);  // entering raises nothing for the credit side
  Review(*w, v[0].id, "SCJG", false, "地址核查记录不全");
  CHECK(credit() == 0);  // nor does a return
  Enter(*w, Entry(v[0].id, "SCJG-FOOD", "unreachable", "2025-01-20", v[0].team.front()));

  // Approved on Wednesday 2025-01-22: listing due 10 working days later, by hand: Jan 23, 24
  // (1, 2), Sun 26 (3, make-up), Mon 27 (4), Feb 5, 6, 7 (5-7), Sat 8 (8, make-up), Mon 10
  // (9), Tue 11 (10) => 2025-02-11.
  w->vc.today = "2025-01-22";
  for (const auto& x : v) Review(*w, x.id, "SCJG", true);
  CHECK(credit() == 2);
  std::map<std::string, json> by_topic;
  for (const auto& e : Events(db))
    if (e.topic.rfind("credit.", 0) == 0) {
      CHECK(by_topic.count(e.topic) == 0);
      by_topic[e.topic] = json::parse(e.payload);
      by_topic[e.topic]["_key"] = e.key;
    }
  REQUIRE(by_topic.count("credit.finding.unreachable_address") == 1);
  REQUIRE(by_topic.count("credit.finding.false_information") == 1);
  const json& un = by_topic["credit.finding.unreachable_address"];
  CHECK(un["uscc"] == v[0].uscc);
  CHECK(un["_key"] == v[0].uscc);
  CHECK(un["visit"] == v[0].id);
  CHECK(un["item"] == "SCJG-FOOD");
  CHECK(un["department"] == "SCJG");
  CHECK(un["result"] == "unreachable");
  CHECK(un["inspected_on"] == "2025-01-20");
  CHECK(un["verified_on"] == "2025-01-22");
  CHECK(un["listing_due"] == "2025-02-11");
  const json& fa = by_topic["credit.finding.false_information"];
  CHECK(fa["uscc"] == v[1].uscc);
  CHECK(fa["_key"] == v[1].uscc);
  CHECK(fa["result"] == "false_information");
  CHECK(fa["listing_due"] == "2025-02-11");
  // no_problem and not_published raise none: no credit event names their subjects.
  CHECK_NO_EVENT_NAMING(db, {v[2].uscc, v[3].uscc});
  // Publishing raises no further credit event.
  w->vc.today = "2025-01-23";
  for (const auto& x : v) Publish(*w, x.id, "SCJG");
  CHECK(credit() == 2);
}

// ---------------------------------------------------------------------------------------------
// Results files.

namespace {

const char* kResultsHeader =
    "visit_id,item,result,inspected_on,method,findings,follow_up,follow_up_deadline,transfer_to,case_no,inspector\n";

std::string Line(const std::vector<std::string>& f) {
  std::string s;
  for (std::size_t i = 0; i < f.size(); ++i) s += (i ? "," : "") + f[i];
  return s + "\n";
}

// The rejects file's records (parsed back with the host's reader, Platform::OpenTable).
std::vector<std::vector<std::string>> ReadCsv(Platform& platform, const std::string& path) {
  std::vector<std::vector<std::string>> out;
  TableReaderOptions o;
  o.max_record_bytes = 1 << 22;
  auto r = platform.OpenTable(path, o);
  REQUIRE(r.ok());
  std::vector<std::string> f;
  while (true) {
    auto n = r.value()->Next(&f);
    REQUIRE(n.ok());
    if (!n.value()) break;
    out.push_back(f);
  }
  return out;
}

}  // namespace

TEST_CASE("a results file enters its good lines and rejects each bad line with its number and reason",
          "[visits][import][hostile]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const std::string id = "2025-IM-0001";
  Drawn(*w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, {{"SCJG", 1}, {"WJW", 1}}, kTiny));
  w->vc.today = "2025-01-20";
  std::vector<inspection::Visit> v{inspection::Visit{}};  // v[1]..v[12]
  for (int i = 1; i <= kTiny; ++i) v.push_back(LoadVisit(*w, VisitId(id, i)));
  auto sc = [&](int i) { return OfficerOn(v[i], "SCJG"); };
  auto wj = [&](int i) { return OfficerOn(v[i], "WJW"); };

  // Line numbers are physical lines: the header is line 1, and the good line with a quoted
  // two-line finding takes lines 4 and 5.
  std::string file = std::string("\xEF\xBB\xBF") + kResultsHeader;
  struct Bad {
    int line;
    std::string reason;
  };
  std::vector<Bad> bad;
  int line = 1;
  // `line` is the last physical line written.
  auto good = [&](const std::string& text) {
    file += text;
    line += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  };
  auto reject = [&](const std::string& text, const std::string& reason) {
    file += text;
    bad.push_back({line + 1, reason});
    line += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  };
  const std::string v1 = v[1].id, v2 = v[2].id, v3 = v[3].id, v4 = v[4].id, v5 = v[5].id;
  good(Line({v1, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "店内卫生良好，证照齐全", "", "", "", "", sc(1)}));
  good(Line({v1, "WJW-PUB", "corrected", "2025-01-15", "documents", "\"发现问题, 已责令改正\"", "correct", "2025-02-15",
             "", "", wj(1)}));
  good(Line({v2, "SCJG-FOOD", "case_filed", "2025-01-16", "on_site", "\"第一行\n第二行\"", "case", "", "",
             "(2025)甬市监案字第1号", sc(2)}));
  good(Line({v2, "WJW-PUB", "non_cooperation", "2025-01-16", "on_site", "拒绝检查", "transfer", "", "ZJJ", "", wj(2)}));
  REQUIRE(line == 6);
  reject(Line({id + "-99", "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "", "", "", "", "", sc(3)}),
         "no visit " + id + "-99");
  reject(Line({v3, "SCJG-NOPE", "no_problem", "2025-01-15", "on_site", "", "", "", "", "", sc(3)}),
         "has no item SCJG-NOPE");
  reject(Line({v3, "SCJG-FOOD", "fine", "2025-01-15", "on_site", "", "", "", "", "", sc(3)}),
         "unknown result code: fine");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-02-30", "on_site", "", "", "", "", "", sc(3)}), "valid YYYY-MM-DD");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025/01/15", "on_site", "", "", "", "", "", sc(3)}), "valid YYYY-MM-DD");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-21", "on_site", "", "", "", "", "", sc(3)}), "is in the future");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-05", "on_site", "", "", "", "", "", sc(3)}), "before the draw");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "", "", "", "", "", OfficerNotOn(v[3], "SCJG")}),
         "is not on the team");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "", "", "", "", "", "NOBODY-1"}),
         "is not on the team");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "", "", "", "", "", wj(3)}),
         "is entered by SCJG");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "", "correct", "2025-02-01", "", "", sc(3)}),
         "takes no follow-up");
  reject(Line({v3, "SCJG-FOOD", "corrected", "2025-01-15", "on_site", "", "case", "", "", "X-1", sc(3)}),
         "needs the follow-up correct");
  reject(Line({v3, "SCJG-FOOD", "corrected", "2025-01-15", "on_site", "", "correct", "", "", "", sc(3)}),
         "needs a deadline");
  reject(Line({v3, "SCJG-FOOD", "corrected", "2025-01-15", "on_site", "", "correct", "2025-01-10", "", "", sc(3)}),
         "needs a deadline");
  reject(Line({v3, "SCJG-FOOD", "non_cooperation", "2025-01-15", "on_site", "", "transfer", "", "NOPE", "", sc(3)}),
         "a transfer names an existing department: NOPE");
  reject(Line({v3, "SCJG-FOOD", "non_cooperation", "2025-01-15", "on_site", "", "transfer", "", "SCJG", "", sc(3)}),
         "a transfer goes to another department");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "phone", "=cmd|' /C calc'!A0", "", "", "", "", sc(3)}),
         "unknown inspection method: phone");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", std::string("nul\0byte", 8), "", "", "", "",
               sc(3)}),
         "NUL");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", std::string(100 * 1024, 'x'), "", "", "", "",
               sc(3)}),
         "65536");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "", "", "", "", "", sc(3), "extra"}),
         "12 fields, the header has 11");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "", sc(3)}), "7 fields, the header has 11");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "bad \"quote\" here", "", "", "", "", sc(3)}),
         "quote inside an unquoted field");
  reject(Line({v3, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", std::string(2001, 'y'), "", "", "", "", sc(3)}),
         "limited to 2,000 characters");
  reject(std::string(40, ',') + "\n", "more than 32 fields");
  // Good lines after the bad ones: the reader resynchronised.
  good(Line({v4, "SCJG-FOOD", "no_problem", "2025-01-17", "expert", "", "", "", "", "", sc(4)}));
  good(Line({v5, "WJW-PUB", "unreachable", "2025-01-17", "on_site", "", "", "", "", "", wj(5)}));
  const std::string path = WriteTemp("results.csv", file);
  const std::string rejects = test::TempDir() + "/rejects.csv";

  auto sum = inspection::ImportResults(w->vc, path, rejects);
  INFO(sum.status().message());
  REQUIRE(sum.ok());
  INFO(Join(sum->sample_rejects));
  CHECK(sum->entered == 6);
  CHECK(sum->rejected == static_cast<std::int64_t>(bad.size()));
  CHECK(sum->lines == 6 + static_cast<std::int64_t>(bad.size()));
  CHECK(sum->rejects_path == rejects);
  // The summary shows the first 20 rejects with their line numbers and reasons.
  CHECK(sum->sample_rejects.size() == std::min<std::size_t>(20, bad.size()));
  for (std::size_t i = 0; i < sum->sample_rejects.size() && i < bad.size(); ++i) {
    const auto& b = bad[i];
    INFO("line " << b.line << ": " << b.reason);
    const std::string& s = sum->sample_rejects[i];
    CHECK(s.rfind("line " + std::to_string(b.line) + ": ", 0) == 0);
    CHECK_THAT(s, Catch::Contains(b.reason));
  }

  // The good lines are entered exactly as written.
  inspection::Visit x = LoadVisit(*w, v1);
  CHECK(ItemOf(x, "SCJG-FOOD").state == "entered");
  CHECK(ItemOf(x, "SCJG-FOOD").findings == "店内卫生良好，证照齐全");
  CHECK(ItemOf(x, "SCJG-FOOD").entered_by == sc(1));
  CHECK(ItemOf(x, "SCJG-FOOD").inspected_on == "2025-01-15");
  CHECK(ItemOf(x, "SCJG-FOOD").due_date == "2025-02-18");  // 20 working days after 2025-01-15
  CHECK(ItemOf(x, "WJW-PUB").result_code == "corrected");
  CHECK(ItemOf(x, "WJW-PUB").findings == "发现问题, 已责令改正");
  CHECK(ItemOf(x, "WJW-PUB").method == "documents");
  CHECK(ItemOf(x, "WJW-PUB").follow_up.kind == "correct");
  CHECK(ItemOf(x, "WJW-PUB").follow_up.deadline == "2025-02-15");
  x = LoadVisit(*w, v2);
  CHECK(ItemOf(x, "SCJG-FOOD").findings == "第一行\n第二行");
  CHECK(ItemOf(x, "SCJG-FOOD").follow_up.kind == "case");
  CHECK(ItemOf(x, "SCJG-FOOD").follow_up.case_no == "(2025)甬市监案字第1号");
  CHECK(ItemOf(x, "WJW-PUB").follow_up.kind == "transfer");
  CHECK(ItemOf(x, "WJW-PUB").follow_up.to_department == "ZJJ");
  CHECK(ItemOf(LoadVisit(*w, v4), "SCJG-FOOD").method == "expert");
  CHECK(ItemOf(LoadVisit(*w, v5), "WJW-PUB").result_code == "unreachable");
  // Nothing of the bad lines was entered.
  for (const auto& it : LoadVisit(*w, v3).items) CHECK(it.state == "pending");
  CHECK(Count(db, "SELECT COUNT(*) FROM visit_items WHERE state = 'entered'") == 6);
  CHECK(EventCount(db, "visit.result.entered") == 6);

  // The rejects file: every bad line with its line number (as the directory imports' rejects
  // files have: beyond the 20 in the summary it is the only way back to the line) and its
  // reason, formulas neutralised.
  const auto rows = ReadCsv(w->platform, rejects);
  REQUIRE(rows.size() == bad.size() + 1);
  CHECK(rows[0].back() == "reason");
  const auto line_col = std::find(rows[0].begin(), rows[0].end(), "line");
  CHECK(line_col != rows[0].end());
  if (line_col != rows[0].end()) {
    const std::size_t lc = static_cast<std::size_t>(line_col - rows[0].begin());
    for (std::size_t i = 0; i < bad.size(); ++i) {
      INFO("line " << bad[i].line << ": " << bad[i].reason);
      REQUIRE(rows[i + 1].size() > lc);
      CHECK(rows[i + 1][lc] == std::to_string(bad[i].line));
      CHECK_THAT(rows[i + 1].back(), Catch::Contains(bad[i].reason));
    }
  } else {
    for (std::size_t i = 0; i < bad.size(); ++i) {
      INFO("line " << bad[i].line << ": " << bad[i].reason);
      CHECK_THAT(rows[i + 1].back(), Catch::Contains(bad[i].reason));
    }
  }
  for (const auto& r : rows)
    for (const auto& f : r) {
      INFO(f);
      CHECK((f.empty() || (f[0] != '=' && f[0] != '+' && f[0] != '-' && f[0] != '@')));
    }
  const std::string text = test::ReadFile(rejects);
  CHECK_THAT(text, Catch::Contains("'=cmd|' /C calc'!A0"));
  CHECK(std::count_if(rows.begin(), rows.end(), [](const auto& r) {
          return std::find(r.begin(), r.end(), "'=cmd|' /C calc'!A0") != r.end();
        }) == 1);

  // The same file again: the entered lines are entered again (allowed before review), the bad
  // ones rejected again.
  auto again = inspection::ImportResults(w->vc, path, "");
  REQUIRE(again.ok());
  CHECK(again->entered == 6);
  CHECK(again->rejected == static_cast<std::int64_t>(bad.size()));
}

TEST_CASE("a results file with invalid UTF-8 on one line keeps the other lines and their text intact",
          "[visits][import][hostile]") {
  auto w = MakeWorld();
  const std::string id = "2025-IU-0001";
  Drawn(*w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, 3));
  w->vc.today = "2025-01-20";
  std::vector<inspection::Visit> v;
  for (int i = 1; i <= 3; ++i) v.push_back(LoadVisit(*w, VisitId(id, i)));
  std::string file = kResultsHeader;
  file += Line({v[0].id, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "店内卫生良好，证照齐全", "", "", "", "",
                v[0].team[0]});
  file += Line({v[1].id, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "bad \xC3\x28 byte \xFF", "", "", "", "",
                v[1].team[0]});
  file += Line({v[2].id, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "从业人员健康证明齐全", "", "", "", "",
                v[2].team[0]});
  const std::string rejects = test::TempDir() + "/rejects.csv";
  auto sum = inspection::ImportResults(w->vc, WriteTemp("utf8.csv", file), rejects);
  INFO(sum.status().message());
  REQUIRE(sum.ok());
  INFO(Join(sum->sample_rejects));
  CHECK(ItemOf(LoadVisit(*w, v[0].id), "SCJG-FOOD").findings == "店内卫生良好，证照齐全");
  CHECK(ItemOf(LoadVisit(*w, v[2].id), "SCJG-FOOD").findings == "从业人员健康证明齐全");
  CHECK(ItemOf(LoadVisit(*w, v[1].id), "SCJG-FOOD").state == "pending");
  CHECK(sum->lines == 3);
  CHECK(sum->entered == 2);
  CHECK(sum->rejected == 1);
  CHECK(sum->sample_rejects.size() == 1);
  if (!sum->sample_rejects.empty()) CHECK(sum->sample_rejects[0].rfind("line 3: ", 0) == 0);
}

TEST_CASE("a results file that is empty or has a bad header or is over 64 MiB is refused whole",
          "[visits][import][hostile]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const std::string id = "2025-IH-0001";
  Drawn(*w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, 2));
  w->vc.today = "2025-01-20";
  const inspection::Visit v = LoadVisit(*w, VisitId(id, 1));
  const std::string good =
      Line({v.id, "SCJG-FOOD", "no_problem", "2025-01-15", "on_site", "", "", "", "", "", v.team[0]});
  const std::string dir = test::TempDir();
  struct Case {
    std::string name, content, expect;
  };
  std::vector<Case> cases{
      {"an empty file", "", "the results file is empty"},
      {"only blank lines", "\n\n\r\n", "the results file is empty"},
      {"an unknown header column",
       "visit_id,item,result,inspected_on,method,findings,colour,inspector\n" + v.id +
           ",SCJG-FOOD,no_problem,2025-01-15,on_site,,red," + v.team[0] + "\n",
       "unknown column in the results header: colour"},
      {"a duplicate header column",
       "visit_id,item,result,inspected_on,method,item,inspector\n" + v.id +
           ",SCJG-FOOD,no_problem,2025-01-15,on_site,SCJG-FOOD," + v.team[0] + "\n",
       "column listed twice in the results header: item"},
      {"a missing required column",
       "visit_id,item,result,inspected_on,method,findings\n" + v.id + ",SCJG-FOOD,no_problem,2025-01-15,on_site,\n",
       "lacks the column inspector"},
      {"a UTF-16 file", std::string("\xFF\xFE", 2) + "v\0i\0", "UTF-16"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const std::string rejects = dir + "/rej-" + std::to_string(&c - cases.data()) + ".csv";
    auto r = inspection::ImportResults(w->vc, WriteTemp("h.csv", c.content), rejects);
    INFO(r.status().message());
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() != StatusCode::kInternal);
    CHECK_THAT(r.status().message(), Catch::Contains(c.expect));
    CHECK_FALSE(fs::exists(rejects));
  }
  // Larger than 64 MiB: a sparse file (a valid header and a good line, then holes).
  {
    const std::string big = dir + "/big.csv";
    test::WriteFile(big, kResultsHeader + good);
    fs::resize_file(big, (64ull << 20) + 1);
    auto r = inspection::ImportResults(w->vc, big, dir + "/big-rejects.csv");
    INFO(r.status().message());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::Contains("larger than 64 MiB"));
  }
  {
    auto r = inspection::ImportResults(w->vc, dir + "/does-not-exist.csv", "");
    CHECK(r.status().code() == StatusCode::kUnavailable);
  }
  CHECK(Count(db, "SELECT COUNT(*) FROM visit_items WHERE state <> 'pending'") == 0);
  // The header alone is an empty import.
  {
    auto r = inspection::ImportResults(w->vc, WriteTemp("hdr.csv", kResultsHeader), "");
    REQUIRE(r.ok());
    CHECK(r->lines == 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Confidentiality through the real binary.

TEST_CASE("visit show refuses a department without items on the visit before publication",
          "[visits][cli][confidentiality]") {
  auto w = MakeWorld();
  const std::string joint = "2025-CL-0001", single = "2025-CL-0002";
  Drawn(*w, TaskSpecJson(joint, "SCJG", {"SCJG-FOOD", "WJW-PUB"}, {"WJW"}, {{"SCJG", 1}, {"WJW", 1}}, 2));
  Drawn(*w, TaskSpecJson(single, "SCJG", {"SCJG-SHOP"}, {}, {{"SCJG", 2}}, 2));
  const std::string jv = VisitId(joint, 1), sv = VisitId(single, 1);
  auto show = [&](const std::string& visit, const std::string& dept) {
    std::vector<std::string> args{"--db", w->url, "visit", "show", visit, "--json"};
    if (!dept.empty()) args.insert(args.end(), {"--department", dept});
    return test::RunCli(args);
  };
  for (const auto& [visit, dept] :
       std::vector<std::pair<std::string, std::string>>{{jv, "SCJG"}, {jv, "WJW"}, {sv, "SCJG"}}) {
    auto r = show(visit, dept);
    INFO(visit << " " << dept << ": " << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const json j = json::parse(r.out);
    CHECK(j["id"] == visit);
    CHECK(j["uscc"] == LoadVisit(*w, visit).uscc);
  }
  for (const auto& [visit, dept] :
       std::vector<std::pair<std::string, std::string>>{{jv, "ZJJ"}, {sv, "WJW"}, {sv, "ZJJ"}}) {
    auto r = show(visit, dept);
    INFO(visit << " " << dept << ": " << r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains("not visible"));
    CHECK_THAT(r.err, !Catch::Contains(LoadVisit(*w, visit).uscc));
  }
  // Before publication, no department means not visible; an unknown department is named.
  auto no_dept = show(sv, "");
  CHECK(no_dept.exit_code == 1);
  CHECK(no_dept.out.empty());
  CHECK_THAT(no_dept.err, Catch::Contains("not published") && Catch::Contains("--department"));
  CHECK_THAT(no_dept.err, !Catch::Contains(LoadVisit(*w, sv).uscc));
  auto nope = show(sv, "NOPE");
  CHECK(nope.exit_code == 1);
  CHECK(nope.out.empty());
  CHECK_THAT(nope.err, Catch::Contains("no such department: NOPE"));

  // Once published, anyone may look: another department, or nobody in particular.
  w->vc.today = "2025-01-13";
  CompleteVisit(*w, sv, "2025-01-13");
  auto r = show(sv, "WJW");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  auto anyone = show(sv, "");
  INFO(anyone.out << anyone.err);
  REQUIRE(anyone.exit_code == 0);
  CHECK(json::parse(anyone.out)["id"] == sv);
  // The deadlines listing through the binary.
  auto dl =
      test::RunCli({"--db", w->url, "deadlines", "--department", "SCJG", "--all", "--today", "2025-01-14", "--json"});
  INFO(dl.out << dl.err);
  REQUIRE(dl.exit_code == 0);
  const json list = json::parse(dl.out);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["visit"] == sv);
  CHECK(list[0]["card"] == "green");
  CHECK(list[0]["due_date"] == "2025-02-14");  // 20 working days after 2025-01-13
  // Published: when and whether in time, no countdown.
  CHECK(list[0]["published_on"] == "2025-01-13");
  CHECK(list[0]["on_time"] == true);
  CHECK(list[0]["working_days_left"].is_null());
  auto human = test::RunCli({"--db", w->url, "deadlines", "--department", "SCJG", "--all", "--today", "2025-01-14"});
  INFO(human.out << human.err);
  CHECK_THAT(human.out, Catch::Contains("已公示/published 2025-01-13 按时/on time"));
  CHECK_THAT(human.out, !Catch::Contains("\t20\t"));
}

// ---------------------------------------------------------------------------------------------
// Statistics and notices.

TEST_CASE("statistics and notices of a known scenario", "[visits][stats]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const std::string id = "2025-ST-0001";
  json spec = TaskSpecJson(id, "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, 6);
  Create(*w, spec);
  auto draft = inspection::TaskNotice(w->vc, id);
  CHECK(draft.status().code() == StatusCode::kFailedPrecondition);
  const draw::TaskInfo announced = Announce(*w, id);

  // Before the draw: what the public may know, and no selection.
  auto notice = inspection::TaskNotice(w->vc, id);
  INFO(notice.status().message());
  REQUIRE(notice.ok());
  const json& n = notice.value();
  CHECK(n["kind"] == "task_notice");
  CHECK(n["task_id"] == id);
  CHECK(n["department"] == "SCJG");
  CHECK(n["state"] == "announced");
  CHECK(n["pool_size"] == kTiny);
  CHECK(n["pool_hash"] == announced.pool_hash);
  CHECK(n["pool_hash"].get<std::string>().size() == 64);
  CHECK(n["commitment"] == announced.commitment);
  CHECK_FALSE(n["commitment"].get<std::string>().empty());
  CHECK(n["entropy_source"] == "中国福利彩票双色球第 2025003 期开奖号码");
  REQUIRE(n["items"].size() == 1);
  CHECK(n["items"][0]["code"] == "SCJG-FOOD");
  CHECK(n["items"][0]["legal_basis"] == "《食品安全法》第一百一十条");
  for (const char* key : {"selected", "selection", "entropy", "secret", "seed", "selection_hash"}) {
    INFO(key);
    CHECK_FALSE(n.contains(key));
  }
  for (const auto& u : w->tiny) CHECK_THAT(n.dump(), !Catch::Contains(u));

  Draw(*w, id);
  REQUIRE(inspection::CreateVisits(w->vc, id).ok());
  notice = inspection::TaskNotice(w->vc, id);
  REQUIRE(notice.ok());
  CHECK(notice.value()["selected"] == 6);
  CHECK(notice.value()["state"] == "drawn");
  CHECK_FALSE(notice.value().contains("secret"));
  for (const auto& u : SelectedUsccs(*w, id)) CHECK_THAT(notice.value().dump(), !Catch::Contains(u));

  // The scenario, inspected 2025-01-20 (due 2025-02-21):
  //   1 no_problem, published 2025-02-10 (on time)
  //   2 corrected (a problem), published 2025-02-24 (late)
  //   3 case_filed (a problem), approved, not published
  //   4 no_problem entered, returned
  //   5 started, nothing entered
  //   6 untouched
  std::vector<inspection::Visit> v{inspection::Visit{}};
  for (int i = 1; i <= 6; ++i) v.push_back(LoadVisit(*w, VisitId(id, i)));
  w->vc.today = "2025-01-20";
  Enter(*w, Entry(v[1].id, "SCJG-FOOD", "no_problem", "2025-01-20", v[1].team[0]));
  inspection::ResultEntry corrected = Entry(v[2].id, "SCJG-FOOD", "corrected", "2025-01-20", v[2].team[0]);
  corrected.follow_up.kind = "correct";
  corrected.follow_up.deadline = "2025-02-20";
  corrected.findings = "未按规定公示年度报告";
  Enter(*w, corrected);
  inspection::ResultEntry filed = Entry(v[3].id, "SCJG-FOOD", "case_filed", "2025-01-20", v[3].team[0]);
  filed.follow_up.kind = "case";
  filed.follow_up.case_no = "甬市监案〔2025〕3号";
  Enter(*w, filed);
  Enter(*w, Entry(v[4].id, "SCJG-FOOD", "no_problem", "2025-01-20", v[4].team[0]));
  Start(*w, v[5].id, v[5].team[0]);
  w->vc.today = "2025-01-21";
  for (int i : {1, 2, 3}) Review(*w, v[i].id, "SCJG", true);
  Review(*w, v[4].id, "SCJG", false, "缺少检查记录表");
  w->vc.today = "2025-02-10";
  Publish(*w, v[1].id, "SCJG");
  w->vc.today = "2025-02-24";
  Publish(*w, v[2].id, "SCJG");

  auto stats = inspection::VisitStatistics(w->vc, id, "");
  INFO(stats.status().message());
  REQUIRE(stats.ok());
  REQUIRE(stats->size() == 1);
  const json& s = stats.value()[0];
  INFO(s.dump());
  CHECK(s["task_id"] == id);
  CHECK(s["department"] == "SCJG");
  CHECK(s["drawn"] == 6);
  CHECK(s["visited"] == 4);
  CHECK(s["problems"] == 2);
  CHECK(s["published"] == 2);
  CHECK(s["published_on_time"] == 1);
  CHECK(s["items"] == 6);
  auto by_dept = inspection::VisitStatistics(w->vc, "", "SCJG");
  REQUIRE(by_dept.ok());
  CHECK(by_dept.value() == stats.value());
  auto none = inspection::VisitStatistics(w->vc, id, "WJW");
  REQUIRE(none.ok());
  CHECK(none->empty());

  // Result notices: the published results only, in publication order.
  auto notices = inspection::ResultNotices(w->vc, id, "");
  INFO(notices.status().message());
  REQUIRE(notices.ok());
  REQUIRE(notices->size() == 2);
  const json& a = notices.value()[0];
  const json& b = notices.value()[1];
  CHECK(a["kind"] == "result_notice");
  CHECK(a["uscc"] == v[1].uscc);
  CHECK(a["name"] == v[1].name);
  CHECK(a["item"] == "SCJG-FOOD");
  CHECK(a["item_name"] == "食品经营者的检查");
  CHECK(a["result"] == "no_problem");
  CHECK(a["result_text"]["zh"] == "未发现问题");
  CHECK(a["inspected_on"] == "2025-01-20");
  CHECK(a["department"] == "SCJG");
  CHECK(a["published_on"] == "2025-02-10");
  CHECK(a["task_id"] == id);
  CHECK(b["uscc"] == v[2].uscc);
  CHECK(b["result"] == "corrected");
  CHECK(b["published_on"] == "2025-02-24");
  for (int i : {3, 4, 5, 6}) CHECK_THAT(notices.value().dump(), !Catch::Contains(v[i].uscc));
  CHECK(inspection::ResultNotices(w->vc, "", "WJW")->empty());
  CHECK(inspection::ResultNotices(w->vc, "", "SCJG")->size() == 2);
  CHECK(Load(*w, id).state == "drawn");
  CHECK(Count(db, "SELECT COUNT(*) FROM visit_items WHERE state = 'published'") == 2);
}

// ---------------------------------------------------------------------------------------------
// Chinese names of result codes, and filters that name nothing.

TEST_CASE("result codes, methods and follow-ups by Chinese name, unknown ones list both names", "[visits][results]") {
  auto w = MakeWorld();
  const std::string id = "2025-ZH-0001";
  Drawn(*w, TaskSpecJson(id, "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, 2));
  const std::string vid = VisitId(id, 1);
  w->vc.today = "2025-01-13";
  inspection::Visit v = Start(*w, vid, LoadVisit(*w, vid).team.front());
  const std::string officer = OfficerOn(v, "SCJG");

  auto bad = Entry(vid, "SCJG-FOOD", "没有问题", "2025-01-13", officer);
  auto refused = inspection::EnterResult(w->vc, bad);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("no_problem 未发现问题") && Catch::Contains("没有问题"));
  auto bad_method = Entry(vid, "SCJG-FOOD", "no_problem", "2025-01-13", officer);
  bad_method.method = "现场";
  auto refused_m = inspection::EnterResult(w->vc, bad_method);
  REQUIRE_FALSE(refused_m.ok());
  CHECK_THAT(refused_m.status().message(), Catch::Contains("on_site 实地核查"));

  auto e = Entry(vid, "SCJG-FOOD", " 发现问题已责令改正 ", "2025-01-13", officer);
  e.method = "书面检查";
  e.follow_up.kind = "责令限期改正";
  e.follow_up.deadline = "2025-02-13";
  inspection::Visit entered = Enter(*w, e);
  const auto& it = entered.items.front();
  CHECK(it.result_code == "corrected");
  CHECK(it.method == "documents");
  CHECK(it.follow_up.kind == "correct");

  // Through the binary: the Chinese name is accepted, and the listing shows both names.
  const std::string vid2 = VisitId(id, 2);
  inspection::Visit v2 = Start(*w, vid2, LoadVisit(*w, vid2).team.front());
  auto r =
      test::RunCli({"--db", w->url, "--now", "2025-01-13", "visit", "result", vid2, "--item", "SCJG-FOOD", "--code",
                    "未发现问题", "--date", "2025-01-13", "--method", "实地核查", "--by", OfficerOn(v2, "SCJG")});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("未发现问题 / no problem found"));
  CHECK(LoadVisit(*w, vid2).items.front().result_code == "no_problem");
}

TEST_CASE("filters that name no task, department or inspector are errors naming them", "[visits][cli][hostile]") {
  auto w = MakeWorld();
  Drawn(*w, TaskSpecJson("2025-NF-0001", "SCJG", {"SCJG-FOOD"}, {}, {{"SCJG", 2}}, 2));
  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  for (const Case& c : std::vector<Case>{{{"stats", "--task", "NOPE"}, "no such task: NOPE"},
                                         {{"stats", "--department", "NOPE"}, "no such department: NOPE"},
                                         {{"notices", "results", "--task", "NOPE"}, "no such task: NOPE"},
                                         {{"notices", "results", "--department", "NOPE"}, "no such department: NOPE"},
                                         {{"deadlines", "--department", "NOPE"}, "no such department: NOPE"},
                                         {{"visits", "for", "NOBODY"}, "no such inspector: NOBODY"},
                                         {{"stats", "--task", "' OR 1=1 --"}, "no such task: ' OR 1=1 --"}}) {
    std::vector<std::string> args{"--db", w->url};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = test::RunCli(args);
    INFO(c.args[0] << " " << c.args[1] << ": " << r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains(c.named));
  }
  // Known names still answer.
  auto ok = test::RunCli({"--db", w->url, "stats", "--task", "2025-NF-0001", "--department", "SCJG", "--json"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(json::parse(ok.out).size() == 1);
}
