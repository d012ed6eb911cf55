// The inspection plugin as a plugin (issue 13, step 4b): the writing subscriber that creates
// the visits of a drawn task (exactly once, however often draw.task.drawn is delivered; a task
// cancelled since does not block it), loading without the draw plugin (refused, naming both),
// and its commands through the real binary under hostile input (a clear bilingual error,
// nothing changed). Runs on SQLite and PostgreSQL.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "test_support.h"
#include "visit_world.h"

using namespace xj;
using namespace xj::test;
using Catch::Matchers::Contains;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int kSubjects = 6;

std::unique_ptr<InspectionWorld> MakeWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"), NingboDepartment("WJW")};
  for (int i = 0; i < kSubjects; ++i) {
    Subject s = TinySubject(4242, i);
    s.labels = "小池";
    o.subjects.push_back(s);
  }
  for (int i = 1; i <= 4; ++i) o.inspectors.push_back(Officer("SCJG", i, "市监检查员" + std::to_string(i), ""));
  for (int i = 1; i <= 2; ++i) o.inspectors.push_back(Officer("WJW", i, "卫生监督员" + std::to_string(i), ""));
  o.items = {"SCJG-FOOD,食品经营者的检查,SCJG,《食品安全法》第一百一十条,key,,,1,,,\n",
             "WJW-PUB,公共场所卫生的检查,WJW,《公共场所卫生管理条例》第十一条,key,,,1,,,\n"};
  o.now = "2025-01-06T10:00:00";
  auto w = MakeInspectionWorld(o);
  for (int i = 0; i < kSubjects; ++i) w->tiny.push_back(TinySubject(4242, i).uscc);
  return w;
}

json Spec(const std::string& id, const std::string& department, const std::string& item, int count) {
  return json{{"id", id},
              {"title", "插件测试 " + id},
              {"department", department},
              {"items", {item}},
              {"filters", {{"labels", json::array({"小池"})}}},
              {"rule", {{"count", count}}},
              {"exclusions", {{"same_item_within_days", 0}, {"open_tasks", false}}},
              {"team", {{"slots", json::array({json{{"group", department}, {"count", 2}}})}}},
              {"entropy_source", "插件测试固定值 / plugin test fixed value"}};
}

long long VisitsOf(Database& db, const std::string& task) {
  return CountFor(db, "SELECT COUNT(*) FROM visits WHERE id LIKE :p", task + "-%");
}

// Every text of the stored visits and items, to compare before and after hostile commands.
std::vector<std::vector<std::string>> Snapshot(Database& db) {
  auto rows = Rows(db,
                   "SELECT v.id, v.state, v.team, COALESCE(v.started_on, ''), vi.item_code, vi.state, "
                   "COALESCE(vi.result_code, ''), vi.findings, COALESCE(vi.due_date, ''), vi.review_reason "
                   "FROM visits v JOIN visit_items vi ON vi.visit_id = v.id ORDER BY v.id, vi.item_code");
  return rows;
}

// A copy of the build tree's plugin folder `name` under `dir` (plugin.so, plugin.json,
// migrations), or only its manifest.
void CopyPlugin(const std::string& name, const std::string& dir, bool manifest_only = false) {
  const fs::path from = fs::path(XJ_BINARY_DIR) / "plugins" / name;
  const fs::path to = fs::path(dir) / name;
  fs::create_directories(to);
  if (manifest_only) {
    fs::copy_file(from / "plugin.json", to / "plugin.json");
    return;
  }
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

}  // namespace

TEST_CASE("the writing subscriber creates a drawn task's visits exactly once, however often draw.task.drawn arrives",
          "[inspection][plugin][subscriber]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const std::string id = "2025-SUB-0001";
  CreateAndAnnounce(*w, Spec(id, "SCJG", "SCJG-FOOD", kSubjects));
  Draw(*w, id);
  // Drawn, not delivered yet: no visits.
  CHECK(VisitsOf(db, id) == 0);
  DeliverEvents(*w);
  CHECK(VisitsOf(db, id) == kSubjects);
  CHECK(CountFor(db, "SELECT COUNT(*) FROM visit_items WHERE task_id = :t", id) == kSubjects);
  CHECK(AuditCount(db, "visits.create", id) == 1);
  CHECK(EventCount(db, "visit.created") == 1);
  // Written in the unit of work of the delivery, as the subscriber's system principal.
  CHECK(CountFor(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'visits.create' AND actor = :a",
                 "subscriber:inspection.visits") == 1);
  // Each visit has the team of its selection row, the lead first.
  for (const auto& s : Selection(*w, id)) {
    const inspection::Visit v = LoadVisit(*w, VisitId(id, static_cast<int>(s.rank)));
    CHECK(v.uscc == s.uscc);
    CHECK(v.team == s.team);
    CHECK(v.state == "assigned");
    CHECK(v.period == "2025-01");
  }
  const auto before = Snapshot(db);

  SECTION("delivered again from the start of the outbox") {
    // The position goes back (as a restored backup would have it) and every event comes again.
    REQUIRE(db.ExecScript("UPDATE event_positions SET position = 0 WHERE subscriber = 'inspection.visits'").ok());
    DeliverEvents(*w);
    CHECK(Snapshot(db) == before);
    CHECK(AuditCount(db, "visits.create", id) == 1);
    CHECK(EventCount(db, "visit.created") == 1);
  }
  SECTION("the same event handed to the subscriber twice more") {
    const auto& writers = DrawHost().writing_subscribers();
    REQUIRE(writers.count("inspection.visits") == 1);
    WritingSubscriber* sub = writers.at("inspection.visits").get();
    CHECK(sub->TopicPrefix() == "draw.task.drawn");
    const auto rows = Rows(db,
                           "SELECT CAST(id AS TEXT), topic, entity_key, payload, CAST(at_us AS TEXT) FROM events "
                           "WHERE topic = 'draw.task.drawn'");
    REQUIRE(rows.size() == 1);
    Event e;
    e.id = std::stoll(rows[0][0]);
    e.topic = rows[0][1];
    e.key = rows[0][2];
    e.payload_json = rows[0][3];
    e.at_us = std::stoll(rows[0][4]);
    for (int i = 0; i < 2; ++i) {
      Status st = w->platform.RunInTransaction(Principal::System("subscriber:inspection.visits"),
                                               [&](UnitOfWork& uow) { return sub->OnEvent(e, uow); });
      INFO(st.message());
      CHECK(st.ok());
    }
    CHECK(Snapshot(db) == before);
    CHECK(AuditCount(db, "visits.create", id) == 1);
    // Other topics under the prefix and payloads without a task are refused or ignored, never
    // half-applied.
    Event other = e;
    other.topic = "draw.task.drawn.extra";
    CHECK(
        w->platform.RunInTransaction(Principal::System("t"), [&](UnitOfWork& uow) { return sub->OnEvent(other, uow); })
            .ok());
    Event broken = e;
    broken.payload_json = "{\"department\": \"SCJG\"}";
    Status st = w->platform.RunInTransaction(Principal::System("t"),
                                             [&](UnitOfWork& uow) { return sub->OnEvent(broken, uow); });
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), Contains("has no task id"));
    CHECK(Snapshot(db) == before);
  }
  SECTION("a task cancelled before the delivery gets no visits and blocks nothing") {
    const std::string cancelled = "2025-SUB-0002", later = "2025-SUB-0003";
    CreateAndAnnounce(*w, Spec(cancelled, "WJW", "WJW-PUB", 2));
    Draw(*w, cancelled);
    Cancel(*w, cancelled, "测试：抽取后撤销 / test: cancelled after the draw");
    CreateAndAnnounce(*w, Spec(later, "WJW", "WJW-PUB", 3));
    Draw(*w, later);
    DeliverEvents(*w);
    CHECK(VisitsOf(db, cancelled) == 0);
    CHECK(VisitsOf(db, later) == 3);
    CHECK(Snapshot(db).size() == before.size() + 3);
  }
}

TEST_CASE("visits dispatch and deadlines --refresh create missing visits once, like the subscriber",
          "[inspection][plugin][subscriber]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const std::string id = "2025-SUB-0004";
  CreateAndAnnounce(*w, Spec(id, "SCJG", "SCJG-FOOD", 4));
  Draw(*w, id);
  // The command first (before any delivery), then the delivery: the visits exist once.
  json d = PluginJson(*w, "visits dispatch", {{"task", {id}}});
  CHECK(d["visits_created"] == 4);
  DeliverEvents(*w);
  CHECK(VisitsOf(db, id) == 4);
  CHECK(AuditCount(db, "visits.create", id) == 1);
  d = PluginJson(*w, "visits dispatch", {{"task", {id}}});
  CHECK(d["visits_created"] == 0);
  auto r = inspection::RefreshDeadlines(w->vc);
  REQUIRE(r.ok());
  CHECK(r->visits_created == 0);
  // An unknown task and a task not drawn yet are errors naming them.
  CommandRun missing = RunPluginCommand(*w, "visits dispatch", {{"task", {"NO-SUCH-TASK"}}});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.status.message(), Contains("no draw task NO-SUCH-TASK"));
  CreateAndAnnounce(*w, Spec("2025-SUB-0005", "SCJG", "SCJG-FOOD", 2));
  CommandRun early = RunPluginCommand(*w, "visits dispatch", {{"task", {"2025-SUB-0005"}}});
  CHECK(early.exit_code == 1);
  CHECK_THAT(early.status.message(), Contains("任务 2025-SUB-0005 尚未抽取") && Contains("is not drawn"));
}

TEST_CASE("the inspection plugin does not load without the draw plugin, and says so naming both",
          "[inspection][plugin][load]") {
  SECTION("no draw plugin at all") {
    const std::string dir = TempDir();
    CopyPlugin("inspection", dir);
    PluginHost host(HostOptions{{dir}, {}, {}});
    REQUIRE(host.LoadAll().ok());  // not required: the host goes on without it
    REQUIRE(host.records().size() == 1);
    const PluginRecord& r = host.records()[0];
    CHECK(r.manifest.name == "inspection");
    CHECK(r.state == "failed");
    CHECK_THAT(r.error, Contains("plugin inspection requires the service 'draw.tasks', which no plugin provides") &&
                            Contains("plugin draw") && Contains("插件 inspection") && Contains("插件 draw"));
    CHECK(host.commands().empty());
    CHECK(host.writing_subscribers().empty());
    CHECK(host.FindJobHandler("deadlines.refresh") == nullptr);
    // Required, it fails the load as a whole, with the same reason.
    PluginHost required(HostOptions{{dir}, {"inspection"}, {}});
    const Status st = required.LoadAll();
    CHECK_FALSE(st.ok());
    CHECK_THAT(st.message(), Contains("draw.tasks") && Contains("plugin draw"));
    // Through the binary: its commands are unknown, and the note says why.
    auto cli = RunCli({"--plugin-dir", dir, "deadlines"});
    CHECK(cli.exit_code == 2);
    CHECK_THAT(cli.err,
               Contains("deadlines") && Contains("requires the service 'draw.tasks'") && Contains("plugin draw"));
    auto list = RunCli({"--plugin-dir", dir, "plugins", "list", "--json"});
    REQUIRE(list.exit_code == 0);
    const json j = json::parse(list.out);
    REQUIRE(j.size() == 1);
    CHECK(j[0]["state"] == "failed");
  }
  SECTION("a draw plugin that failed to load") {
    const std::string dir = TempDir();
    CopyPlugin("inspection", dir);
    CopyPlugin("draw", dir, /*manifest_only=*/true);  // its plugin.so is missing
    PluginHost host(HostOptions{{dir}, {}, {}});
    REQUIRE(host.LoadAll().ok());
    const PluginRecord* inspection = nullptr;
    for (const auto& r : host.records())
      if (r.manifest.name == "inspection") inspection = &r;
    REQUIRE(inspection != nullptr);
    CHECK(inspection->state == "failed");
    CHECK_THAT(inspection->error,
               Contains("plugin inspection requires the service 'draw.tasks' of plugin draw, which failed to load"));
  }
  SECTION("with the draw plugin it loads, after it") {
    const PluginHost& host = DrawHost();
    const PluginRecord* inspection = nullptr;
    for (const auto& r : host.records())
      if (r.manifest.name == "inspection") inspection = &r;
    REQUIRE(inspection != nullptr);
    CHECK(inspection->state == "loaded");
    CHECK(inspection->registered.at("subscriber") == std::vector<std::string>{"inspection.visits"});
    CHECK(inspection->registered.at("job") == std::vector<std::string>{"deadlines.refresh"});
    CHECK(host.commands().count("visit result") == 1);
    CHECK(host.commands().at("deadlines").plugin == "inspection");
    CHECK(&TaskServiceOf(host) != nullptr);
  }
}

TEST_CASE("hostile input to the inspection commands gets a clear bilingual error and changes nothing",
          "[inspection][plugin][cli][hostile]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  const std::string id = "2025-HOS-0001";
  Drawn(*w, Spec(id, "SCJG", "SCJG-FOOD", 3));
  const std::string v1 = VisitId(id, 1);
  const inspection::Visit v = LoadVisit(*w, v1);
  const std::string lead = v.team.front();
  const std::string big(100 * 1024, 'x');
  const std::string sql = "x'; DELETE FROM visits; DROP TABLE visit_items; --";
  const auto before = Snapshot(db);
  const long long audit_before = Count(db, "SELECT COUNT(*) FROM audit_log");
  const long long events_before = Count(db, "SELECT COUNT(*) FROM events");
  auto result = [&](const std::string& item, const std::string& code, const std::string& date, const std::string& by,
                    const std::string& findings) {
    return std::vector<std::string>{"visit", "result",   v1,        "--item", item, "--code",     code,    "--date",
                                    date,    "--method", "on_site", "--by",   by,   "--findings", findings};
  };
  struct Case {
    std::string name;
    std::vector<std::string> args;
    int exit_code;
    std::string zh, en;
  };
  const std::vector<Case> cases{
      {"a 100 KB item", result(big, "no_problem", "2025-01-06", lead, ""), 1, "选项 --item 的值过长", "is too long"},
      {"a 100 KB visit id", {"visit", "show", big, "--department", "SCJG"}, 1, "过长", "the value of id is too long"},
      {"a 100 KB inspector", {"visits", "for", big}, 1, "过长", "the value of inspector is too long"},
      {"a 100 KB department", {"deadlines", "--department", big}, 1, "过长", "the value of --department is too long"},
      {"100 KB of findings", result("SCJG-FOOD", "no_problem", "2025-01-06", lead, big), 1, "检查情况最多 2000 字",
       "limited to 2,000 characters"},
      {"a 100 KB reason",
       {"visit", "review", v1, "--department", "SCJG", "--return", big},
       1,
       "退回须写明理由",
       "a return needs its reason"},
      {"SQL as an item", result(sql, "no_problem", "2025-01-06", lead, ""), 1, "没有抽查事项", "has no item"},
      {"SQL as a result code", result("SCJG-FOOD", sql, "2025-01-06", lead, ""), 1, "未知的检查结果代码",
       "unknown result code"},
      {"SQL as an inspector", result("SCJG-FOOD", "no_problem", "2025-01-06", sql, ""), 1, "不在检查记录",
       "is not on the team"},
      {"SQL as a visit id", {"visit", "start", sql, "--by", lead}, 1, "没有检查记录", "no visit"},
      {"SQL as a task", {"stats", "--task", sql}, 1, "任务不存在", "no such task"},
      {"SQL as a period",
       {"visits", "merge", "--period", sql, "--apply"},
       1,
       "期间须为 YYYY-MM",
       "the period must be YYYY-MM"},
      {"a date that does not exist", result("SCJG-FOOD", "no_problem", "2025-02-30", lead, ""), 1, "检查日期须为",
       "a valid YYYY-MM-DD"},
      {"a date in another format",
       {"visit", "start", v1, "--by", lead, "--date", "2025/01/06"},
       1,
       "日期须为 YYYY-MM-DD",
       "the date must be YYYY-MM-DD"},
      {"a date in the future", result("SCJG-FOOD", "no_problem", "2031-01-01", lead, ""), 1, "晚于今天",
       "is in the future"},
      {"a bad --today",
       {"deadlines", "--today", "2025-13-01"},
       2,
       "--today 须为 YYYY-MM-DD",
       "--today must be YYYY-MM-DD"},
      {"a negative --limit",
       {"deadlines", "--limit", "-1"},
       2,
       "选项 --limit 的值无效",
       "0 or a positive whole number"},
      {"control characters in an item", result("\x1b[31mSCJG\x07", "no_problem", "2025-01-06", lead, ""), 1, "控制字符",
       "contains a control character"},
      {"invalid UTF-8 in a visit id",
       {"visit", "start", "V\xff\xfe", "--by", lead},
       1,
       "无效的 UTF-8",
       "invalid UTF-8"},
      {"review without a verdict",
       {"visit", "review", v1, "--department", "SCJG"},
       2,
       "须指定 --approve 或 --return",
       "give --approve or --return"},
      {"review without a department",
       {"visit", "review", v1, "--approve"},
       2,
       "缺少必需的选项 --department",
       "--department is required"},
      {"publish without a department",
       {"visit", "publish", v1},
       2,
       "缺少必需的选项 --department",
       "--department is required"},
      {"approve and return at once",
       {"visit", "review", v1, "--department", "SCJG", "--approve", "--return", "x"},
       2,
       "选项 --approve 与 --return 不能同时使用",
       "--approve excludes --return"},
      {"a bad configuration value",
       {"--set", "plugins.inspection.publish_days=0", "deadlines"},
       2,
       "配置 plugins.inspection.publish_days 的值",
       "configuration plugins.inspection.publish_days"},
      {"a bad state", {"deadlines", "--state", "blue"}, 2, "", "blue"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    std::vector<std::string> args{"--db", w->url, "--now", "2025-01-06T11:00:00"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = RunCli(args);
    INFO("exit " << r.exit_code << "\n" << r.err.substr(0, 3000));
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.out.empty());
    if (!c.zh.empty()) CHECK_THAT(r.err, Contains(c.zh));
    CHECK_THAT(r.err, Contains(c.en));
    // Chinese first, then English, on one short line; nothing of the input runs on the terminal.
    CHECK(r.err.rfind("错误 / error: ", 0) == 0);
    CHECK(r.err.find('\x1b') == std::string::npos);
    CHECK(r.err.find('\x07') == std::string::npos);
    CHECK(r.err.size() < 8000);
  }
  // Nothing changed: the visits, the audit chain and the outbox are as they were.
  CHECK(Snapshot(db) == before);
  CHECK(Count(db, "SELECT COUNT(*) FROM audit_log") == audit_before);
  CHECK(Count(db, "SELECT COUNT(*) FROM events") == events_before);
  CHECK(Count(db, "SELECT COUNT(*) FROM visits") == 3);
  auto verify = RunCli({"--db", w->url, "audit", "verify"});
  CHECK(verify.exit_code == 0);
  // And the same commands with good values still work.
  auto ok = RunCli({"--db", w->url, "--now", "2025-01-06T11:00:00", "visit", "result", v1, "--item", "SCJG-FOOD",
                    "--code", "no_problem", "--date", "2025-01-06", "--method", "on_site", "--by", lead, "--json"});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK(json::parse(ok.out)["items"][0]["state"] == "entered");
}
