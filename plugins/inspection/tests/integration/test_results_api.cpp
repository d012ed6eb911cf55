// The published results as open data (results.h, routes.h; issue 14), in this process on SQLite
// and PostgreSQL: the result notices a publication makes (one per task, subject and
// department, moved by a later publication), what the queries read (published results only,
// personal numbers masked, no team), and the routes through a context of the test's own
// (statuses, downloads matching the JSON, 304, refusals). tests/e2e/results_api.sh asks the
// same routes through the real server.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "fake_http.h"
#include "results.h"
#include "routes.h"
#include "test_support.h"
#include "visit_world.h"
#include "xinjian/opendata.h"

using namespace xj;
using namespace xj::test;
using nlohmann::json;

namespace {

constexpr int kSubjects = 8;

// SCJG and WJW of Ningbo, 8 active subjects labelled 开放 (one of them an individual business),
// four officers each with ID numbers in the directory, one item each.
std::unique_ptr<InspectionWorld> MakeWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"), NingboDepartment("WJW")};
  for (int i = 0; i < kSubjects; ++i) {
    Subject s = TinySubject(7171, i);
    s.name = "宁海开放" + std::to_string(i) + "号商贸有限公司";
    s.labels = "开放";
    o.subjects.push_back(s);
  }
  const char* ids[] = {"33020319800101001X", "330205197506150024", "330212198808080031", "330203199202290040",
                       "330225198511110051", "33020319700707006X", "11010519491231002X", "440304198511110018"};
  for (int i = 1; i <= 4; ++i) {
    Inspector a = Officer("SCJG", i, "市监检查员" + std::to_string(i), "食品安全");
    a.id_number = ids[i - 1];
    o.inspectors.push_back(a);
    Inspector b = Officer("WJW", i, "卫生监督员" + std::to_string(i), "卫生监督");
    b.id_number = ids[i + 3];
    o.inspectors.push_back(b);
  }
  o.items = {"OD-FOOD,食品经营者的检查,SCJG,《食品安全法》第一百一十条,key,,,1,,,食品安全\n",
             "OD-SHOP,食品销售者的检查,SCJG,《食品安全法》第一百一十条,key,,,1,,,食品安全\n",
             "OD-PUB,公共场所卫生的检查,WJW,《公共场所卫生管理条例》第十一条,key,,,1,,,卫生监督\n"};
  o.now = "2025-01-06T10:00:00";  // Monday
  return MakeInspectionWorld(o);
}

json Spec(const std::string& id, int count) {
  return {{"id", id},
          {"title", "开放数据测试 " + id},
          {"department", "SCJG"},
          {"participants", {"WJW"}},
          {"items", {"OD-FOOD", "OD-PUB"}},
          {"filters", {{"labels", json::array({"开放"})}}},
          {"rule", {{"count", count}}},
          {"exclusions", {{"same_item_within_days", 0}, {"open_tasks", false}}},
          {"team", {{"slots", {{{"group", "SCJG"}, {"count", 1}}, {{"group", "WJW"}, {"count", 1}}}}}},
          {"entropy_source", "中国福利彩票双色球第 2025003 期开奖号码"}};
}

struct Answer {
  Status status;
  HttpResponse response;
};

// GET `pattern` (a route's pattern) with `query` and `headers`, `task` filling {task}.
Answer Get(InspectionWorld& w, const std::string& pattern, std::multimap<std::string, std::string> query = {},
           std::map<std::string, std::string> headers = {}, const std::string& task = "",
           inspection::RouteOptions options = {}) {
  for (auto& [spec, fn] : inspection::ResultRoutes(&TaskServiceOf(Plugins()), options)) {
    if (spec.pattern != pattern) continue;
    HttpRequest req;
    req.path = pattern;
    req.query = std::move(query);
    req.headers = std::move(headers);
    if (!task.empty()) req.path_params["task"] = task;
    test::FakeHttp call(w.platform, Principal::Anonymous(), req);
    Status st = fn(call);
    return Answer{st, call.response()};
  }
  FAIL("no route " << pattern);
  return {};
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

}  // namespace

TEST_CASE("result notices: published results only, one notice per task, subject and department",
          "[results][opendata]") {
  auto w = MakeWorld();
  const std::string id = "2025-OD-0001";
  Create(*w, Spec(id, 4));
  Announce(*w, id);
  Draw(*w, id);
  REQUIRE(inspection::CreateVisits(w->vc, id).ok());
  const auto v1 = LoadVisit(*w, VisitId(id, 1)), v2 = LoadVisit(*w, VisitId(id, 2)), v3 = LoadVisit(*w, VisitId(id, 3));
  w->vc.today = "2025-01-08";
  w->platform.SetNow(1736301600000000);  // 2025-01-08T02:00:00Z, 10:00 in Beijing
  // Visit 1: SCJG's result with findings naming a person's numbers, published; WJW's entered.
  auto e = Entry(v1.id, "OD-FOOD", "corrected", "2025-01-08", OfficerOn(v1, "SCJG"));
  e.findings = "负责人身份证330225198511110051，电话13912345678，已责令改正";
  e.follow_up.kind = "correct";
  e.follow_up.deadline = "2025-01-20";
  Enter(*w, e);
  Enter(*w, Entry(v1.id, "OD-PUB", "no_problem", "2025-01-08", OfficerOn(v1, "WJW")));
  Review(*w, v1.id, "SCJG", true);
  Publish(*w, v1.id, "SCJG");
  // Visit 2: both departments publish, WJW a day later; visit 3: approved, not published.
  Enter(*w, Entry(v2.id, "OD-FOOD", "no_problem", "2025-01-08", OfficerOn(v2, "SCJG")));
  Enter(*w, Entry(v2.id, "OD-PUB", "no_problem", "2025-01-08", OfficerOn(v2, "WJW")));
  Review(*w, v2.id, "SCJG", true);
  Review(*w, v2.id, "WJW", true);
  Publish(*w, v2.id, "SCJG");
  auto secret = Entry(v3.id, "OD-FOOD", "no_problem", "2025-01-08", OfficerOn(v3, "SCJG"));
  secret.findings = "UNPUBLISHED";
  Enter(*w, secret);
  Review(*w, v3.id, "SCJG", true);
  w->vc.today = "2025-01-09";
  w->platform.SetNow(1736388000000000);  // 2025-01-09T02:00:00Z
  Publish(*w, v2.id, "WJW");

  const draw::TaskService& tasks = TaskServiceOf(Plugins());
  inspection::ResultQuery q;
  auto page = ReadValue<inspection::NoticePage>(w->platform, [&](Sql& sql) { return inspection::QueryNotices(sql, tasks, q); });
  REQUIRE(page.ok());
  REQUIRE(page->total == 3);
  REQUIRE(page->notices.size() == 3);
  // The latest publication, or a later change of a name shown (the directory was imported on the
  // process clock).
  CHECK(page->last_changed_us >= 1736388000000000);
  // Newest first: WJW's notice of visit 2, then SCJG's two of the 8th (by task, USCC, department
  // descending among equals).
  const auto& n0 = page->notices[0];
  CHECK(n0.uscc == v2.uscc);
  CHECK(n0.department == "WJW");
  CHECK(n0.published_on == "2025-01-09");
  CHECK(n0.task_title == "开放数据测试 " + id);
  CHECK(n0.department_name == "宁波市卫生健康委员会");
  REQUIRE(n0.items.size() == 1);
  CHECK(n0.items[0].item == "OD-PUB");
  CHECK(n0.items[0].item_name == "公共场所卫生的检查");
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& n : page->notices) keys.insert({n.uscc, n.department});
  CHECK(keys == std::set<std::pair<std::string, std::string>>{{v1.uscc, "SCJG"}, {v2.uscc, "SCJG"}, {v2.uscc, "WJW"}});
  for (const auto& n : page->notices)
    for (const auto& it : n.items) CHECK(it.findings != "UNPUBLISHED");
  auto found = std::find_if(page->notices.begin(), page->notices.end(), [&](const inspection::ResultNotice& n) {
    return n.uscc == v1.uscc && n.department == "SCJG";
  });
  REQUIRE(found != page->notices.end());
  const inspection::ResultNotice* scjg1 = &*found;
  REQUIRE(scjg1->items.size() == 1);  // WJW's entered result on the visit is not published
  CHECK(scjg1->items[0].findings == "负责人身份证330225********0051，电话139****5678，已责令改正");
  CHECK(scjg1->items[0].follow_up == "correct");
  CHECK(scjg1->items[0].follow_up_deadline == "2025-01-20");
  CHECK(scjg1->items[0].result_zh == "发现问题已责令改正");
  CHECK(scjg1->items[0].problem);

  // Filters: department, item, result, the day of the latest publication.
  q.department = "WJW";
  page = ReadValue<inspection::NoticePage>(w->platform, [&](Sql& sql) { return inspection::QueryNotices(sql, tasks, q); });
  REQUIRE(page.ok());
  CHECK(page->total == 1);
  q = {};
  q.result = "corrected";
  page = ReadValue<inspection::NoticePage>(w->platform, [&](Sql& sql) { return inspection::QueryNotices(sql, tasks, q); });
  REQUIRE(page.ok());
  REQUIRE(page->total == 1);
  CHECK(page->notices[0].uscc == v1.uscc);
  q = {};
  q.from_us = 1736352000000000;  // 2025-01-09 00:00 in Beijing
  page = ReadValue<inspection::NoticePage>(w->platform, [&](Sql& sql) { return inspection::QueryNotices(sql, tasks, q); });
  REQUIRE(page.ok());
  CHECK(page->total == 1);

  // Rows: one per published item, paged with `more`.
  q = {};
  q.limit = 2;
  page = ReadValue<inspection::NoticePage>(w->platform, [&](Sql& sql) { return inspection::QueryRows(sql, tasks, q); });
  REQUIRE(page.ok());
  CHECK(page->total == 2);
  CHECK(page->more);
  q.offset = 2;
  page = ReadValue<inspection::NoticePage>(w->platform, [&](Sql& sql) { return inspection::QueryRows(sql, tasks, q); });
  REQUIRE(page.ok());
  CHECK(page->total == 1);
  CHECK_FALSE(page->more);

  // The notice of a later publication of the same department moves; its first date stays.
  w->vc.today = "2025-01-10";
  w->platform.SetNow(1736474400000000);  // 2025-01-10T02:00:00Z
  Review(*w, v1.id, "WJW", true);
  Publish(*w, v1.id, "WJW");
  auto rows = Rows(*w->db,
                   "SELECT department, first_published_on, published_on FROM inspection_result_notices WHERE uscc = :u "
                   "ORDER BY department",
                   v1.uscc);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"SCJG", "2025-01-08", "2025-01-08"});
  CHECK(rows[1] == std::vector<std::string>{"WJW", "2025-01-10", "2025-01-10"});
}

TEST_CASE("a department's later publication on the same subject moves its notice, its first date stays",
          "[results][opendata]") {
  auto w = MakeWorld();
  const std::string id = "2025-OD-0004";
  json spec = Spec(id, 1);
  spec.erase("participants");
  spec["items"] = {"OD-FOOD", "OD-SHOP"};
  spec["team"] = {{"slots", {{{"group", "SCJG"}, {"count", 2}}}}};
  Create(*w, spec);
  Announce(*w, id);
  Draw(*w, id);
  REQUIRE(inspection::CreateVisits(w->vc, id).ok());
  const auto v = LoadVisit(*w, VisitId(id, 1));
  w->vc.today = "2025-01-08";
  w->platform.SetNow(1736301600000000);
  Enter(*w, Entry(v.id, "OD-FOOD", "no_problem", "2025-01-08", OfficerOn(v, "SCJG")));
  Enter(*w, Entry(v.id, "OD-SHOP", "no_problem", "2025-01-08", OfficerOn(v, "SCJG")));
  Review(*w, v.id, "SCJG", true, "", "OD-FOOD");
  Publish(*w, v.id, "SCJG");
  const std::string q = "SELECT first_published_on, published_on FROM inspection_result_notices WHERE uscc = :u";
  CHECK(Rows(*w->db, q, v.uscc) == std::vector<std::vector<std::string>>{{"2025-01-08", "2025-01-08"}});
  w->vc.today = "2025-01-10";
  w->platform.SetNow(1736474400000000);
  Review(*w, v.id, "SCJG", true, "", "OD-SHOP");
  Publish(*w, v.id, "SCJG");
  CHECK(Rows(*w->db, q, v.uscc) == std::vector<std::vector<std::string>>{{"2025-01-08", "2025-01-10"}});
  const draw::TaskService& tasks = TaskServiceOf(Plugins());
  auto page = ReadValue<inspection::NoticePage>(
      w->platform, [&](Sql& sql) { return inspection::QueryNotices(sql, tasks, inspection::ResultQuery{}); });
  REQUIRE(page.ok());
  REQUIRE(page->notices.size() == 1);
  CHECK(page->notices[0].first_published_us == 1736301600000000);
  CHECK(page->notices[0].last_published_us == 1736474400000000);
  REQUIRE(page->notices[0].items.size() == 2);
  CHECK(page->notices[0].items[0].published_on == "2025-01-08");
  CHECK(page->notices[0].items[1].published_on == "2025-01-10");
}

TEST_CASE("results routes: JSON, downloads equal to it, 304, refusals, nothing unpublished or personal",
          "[results][opendata][http]") {
  auto w = MakeWorld();
  const std::string id = "2025-OD-0002";
  Create(*w, Spec(id, 3));
  Announce(*w, id);
  Draw(*w, id);
  REQUIRE(inspection::CreateVisits(w->vc, id).ok());
  const auto v1 = LoadVisit(*w, VisitId(id, 1)), v2 = LoadVisit(*w, VisitId(id, 2));
  w->vc.today = "2025-01-08";
  w->platform.SetNow(1736301600000000);
  auto e = Entry(v1.id, "OD-FOOD", "no_problem", "2025-01-08", OfficerOn(v1, "SCJG"));
  e.findings = "=1+1, \"quoted\"\n第二行";
  Enter(*w, e);
  Review(*w, v1.id, "SCJG", true);
  Publish(*w, v1.id, "SCJG");
  Enter(*w, Entry(v2.id, "OD-FOOD", "no_problem", "2025-01-08", OfficerOn(v2, "SCJG")));

  auto list = Get(*w, "/api/v1/results");
  REQUIRE(list.status.ok());
  const json body = json::parse(list.response.body);
  REQUIRE(body["total"] == 1);
  CHECK(body["items"][0]["uscc"] == v1.uscc);
  CHECK(body["items"][0]["items"][0]["findings"] == "=1+1, \"quoted\"\n第二行");
  // Last-Modified: the publication, or a later change of a name it shows (the directory was
  // imported on the process clock).
  const std::string last_modified = HeaderOf(list.response, "Last-Modified");
  REQUIRE(opendata::ParseHttpDate(last_modified).has_value());
  CHECK(*opendata::ParseHttpDate(last_modified) >= 1736301600);
  const std::string etag = HeaderOf(list.response, "ETag");
  CHECK(etag == opendata::StrongEtag(list.response.body));
  for (const std::string& u : {v2.uscc}) CHECK(list.response.body.find(u) == std::string::npos);

  auto again = Get(*w, "/api/v1/results", {}, {{"if-none-match", etag}});
  REQUIRE(again.status.ok());
  CHECK(again.response.status == 304);
  CHECK(again.response.body.empty());
  again = Get(*w, "/api/v1/results", {}, {{"if-modified-since", last_modified}});
  CHECK(again.response.status == 304);
  const std::int64_t day_before = (*opendata::ParseHttpDate(last_modified) - 86400) * 1000000;
  again = Get(*w, "/api/v1/results", {}, {{"if-modified-since", opendata::HttpDate(day_before)}});
  CHECK(again.response.status == 200);

  // The downloads: the same row in each format.
  auto csv = Get(*w, "/api/v1/results.csv");
  REQUIRE(csv.status.ok());
  CHECK(csv.response.content_type == opendata::kCsvUtf8Type);
  CHECK(HeaderOf(csv.response, "Content-Disposition") == "attachment; filename=\"results.csv\"");
  CHECK(csv.response.body.rfind("\xEF\xBB\xBF任务/task,", 0) != 0);  // the header says 抽查任务/task
  CHECK(csv.response.body.rfind("\xEF\xBB\xBF抽查任务/task,任务名称/task_title,", 0) == 0);
  CHECK(csv.response.body.find(",\"'=1+1, \"\"quoted\"\"\n第二行\",") != std::string::npos);
  auto gb = Get(*w, "/api/v1/results.csv", {{"encoding", "gb18030"}});
  REQUIRE(gb.status.ok());
  CHECK(gb.response.content_type == opendata::kCsvGb18030Type);
  CHECK(gb.response.body.find("\xB3\xE9\xB2\xE9\xC8\xCE\xCE\xF1/task") == 0);  // 抽查任务
  auto jsonl = Get(*w, "/api/v1/results.jsonl");
  REQUIRE(jsonl.status.ok());
  const json row = json::parse(jsonl.response.body);
  CHECK(row["uscc"] == v1.uscc);
  CHECK(row["findings"] == "=1+1, \"quoted\"\n第二行");
  CHECK(row["problem"] == "false");
  auto xlsx = Get(*w, "/api/v1/results.xlsx");
  REQUIRE(xlsx.status.ok());
  CHECK(xlsx.response.body.rfind("PK", 0) == 0);
  CHECK(Get(*w, "/api/v1/results.xlsx").response.body == xlsx.response.body);
  auto feed = Get(*w, "/feeds/results.atom");
  REQUIRE(feed.status.ok());
  CHECK(feed.response.body.find(v1.uscc) != std::string::npos);
  CHECK(feed.response.body.find(v2.uscc) == std::string::npos);

  // Paging of a download: one row, and a Link to the next page only when rows follow.
  inspection::RouteOptions small;
  small.download_rows = 1;
  auto one = Get(*w, "/api/v1/results.jsonl", {}, {}, "", small);
  REQUIRE(one.status.ok());
  CHECK(HeaderOf(one.response, "Link").empty());
  CHECK(Get(*w, "/api/v1/results.jsonl", {{"limit", "2"}}, {}, "", small).status.code() == StatusCode::kInvalidArgument);

  // One task's results; a draft's id and an unknown one are "no announced task".
  auto task = Get(*w, "/api/v1/results/{task}", {}, {}, id);
  REQUIRE(task.status.ok());
  CHECK(json::parse(task.response.body)["task"]["selected"] == 3);
  Create(*w, Spec("2025-OD-0003", 1));
  CHECK(Get(*w, "/api/v1/results/{task}", {}, {}, "2025-OD-0003").status.code() == StatusCode::kNotFound);
  CHECK(Get(*w, "/api/v1/results", {{"task", "2025-OD-0003"}}).status.code() == StatusCode::kNotFound);
  CHECK(Get(*w, "/api/v1/results/{task}", {}, {}, "x' OR '1'='1").status.code() == StatusCode::kNotFound);

  // Refusals: 400 for what is malformed, 404 for a name that does not exist.
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"task", "x' OR 1=1 --"}, {"department", "SCJG'--"}, {"uscc", "91330200MA2AAAAA1"},
           {"uscc", "' OR ''='"}, {"item", "OD FOOD"}, {"result", "bogus"}, {"published_from", "2025-02-30"},
           {"published_to", "2025/01/01"}, {"published_from", "1999-12-31"}, {"order", "up"}, {"limit", "0"},
           {"limit", "501"}, {"offset", "-1"}, {"bogus", "1"}}) {
    INFO(k << "=" << v);
    auto a = Get(*w, "/api/v1/results", {{k, v}});
    CHECK(a.status.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(a.status.message(), Catch::Contains(" / "));
  }
  CHECK(Get(*w, "/api/v1/results", {{"department", "SCJG"}, {"department", "WJW"}}).status.code() ==
        StatusCode::kInvalidArgument);
  CHECK(Get(*w, "/api/v1/results", {{"published_from", "2025-01-09"}, {"published_to", "2025-01-08"}}).status.code() ==
        StatusCode::kInvalidArgument);
  CHECK(Get(*w, "/api/v1/results", {{"department", "NOPE"}}).status.code() == StatusCode::kNotFound);
  CHECK(Get(*w, "/api/v1/results", {{"item", "NOPE"}}).status.code() == StatusCode::kNotFound);
  CHECK(Get(*w, "/api/v1/results.csv", {{"encoding", "utf-16"}}).status.code() == StatusCode::kInvalidArgument);
  CHECK(Get(*w, "/feeds/results.atom", {{"offset", "1"}}).status.code() == StatusCode::kInvalidArgument);

  // Nothing served names an inspector or an ID number of the directory.
  for (const std::string* b : {&list.response.body, &csv.response.body, &jsonl.response.body, &feed.response.body,
                               &task.response.body}) {
    for (const char* word : {"SCJG-01", "SCJG-02", "SCJG-03", "SCJG-04", "市监检查员", "33020319800101001X",
                             "330205********0024", "risk_class"})
      CHECK(b->find(word) == std::string::npos);
  }
}
