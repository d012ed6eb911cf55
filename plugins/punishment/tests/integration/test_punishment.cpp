// The punishment plugin on a real database (SQLite file or PostgreSQL server, as the run says):
// the catalogue and memoranda through its commands, subjects put on lists through the lists
// plugin's commands (propose, review, decide by three people), the cases the writing subscriber
// opens, the departments' responses, feedback and stops with their cards on a moved clock, and
// the credit check through its routes (keys, 401/403, batches, hostile bodies, the log, the
// index following a change on this and on a second platform of the same database).
//
// Every write goes through the loaded plugins' commands and routes, but one: the plugin's
// library (xj_punishment) is linked for its pure parts and for LogChecks, whose statements of
// many rows a test drives directly.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fake_http.h"
#include "model.h"
#include "punishment.h"
#include "task_world.h"
#include "test_support.h"
#include "xinjian/digest.h"

using namespace xj;
using namespace xj::test;
using nlohmann::json;

namespace {

using Args = std::map<std::string, std::vector<std::string>>;

constexpr std::uint64_t kSeed = 7171;
std::string U(int i) { return TinySubject(kSeed, i).uscc; }

Department Dept(const std::string& code, const std::string& name) {
  Department d;
  d.code = code;
  d.name = name;
  d.certificate_prefix = "浙X";
  return d;
}

std::unique_ptr<TaskWorld> MakeWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"),
                   NingboDepartment("ZJJ"),
                   Dept("CZJ", "宁波市财政局"),
                   Dept("FGW", "宁波市发展和改革委员会"),
                   Dept("ZRZYJ", "宁波市自然资源和规划局"),
                   Dept("FY", "宁波市中级人民法院")};
  for (int i = 0; i < 6; ++i) {
    Subject s = TinySubject(kSeed, i);
    s.name = "宁海奖惩" + std::to_string(i) + "号贸易有限公司";
    o.subjects.push_back(s);
  }
  o.now = "2026-06-15T10:00:00";  // a Monday
  return MakeTaskWorld(o);
}

Principal User(const std::string& id, const std::string& department) {
  Principal p = ViewerOf(department);
  p.id = id;
  return p;
}
Principal Alice() { return User("alice", "SCJG"); }
Principal Bob() { return User("bob", "SCJG"); }
Principal Carol() { return User("carol", "SCJG"); }
Principal Of(const std::string& department) { return User("staff-" + department, department); }

CommandRun As(TaskWorld& w, const Principal& who, const std::string& path, Args args) {
  return RunPluginCommandAs(w, who, path, std::move(args), true);
}

json OkAs(TaskWorld& w, const Principal& who, const std::string& path, Args args) {
  CommandRun r = As(w, who, path, std::move(args));
  INFO(path << " as " << who.id << ": " << r.status.message() << "\n" << r.err << r.out.substr(0, 2000));
  REQUIRE(r.status.ok());
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out, nullptr, false);
  if (j.is_discarded()) {
    // Several JSON lines (respond/feedback print the task): the first.
    j = json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
  }
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

void SetToday(TaskWorld& w, const std::string& date) {
  auto d = CivilDate::Parse(date);
  REQUIRE(d.ok());
  w.platform.SetNow(ShanghaiMicros(d.value().year(), d.value().month(), d.value().day(), 10));
}

int decision = 0;

std::string InForce(TaskWorld& w, const std::string& list, const std::string& uscc, const std::string& ground,
                    const std::string& ends = "") {
  json p = OkAs(w, Alice(), "lists propose",
                {{"--list", {list}},
                 {"--uscc", {uscc}},
                 {"--ground", {ground}},
                 {"--reason", {"测试 / test"}},
                 {"--evidence", {"document:甬市监罚〔2026〕9号"}}});
  const std::string id = p["id"].get<std::string>();
  OkAs(w, Bob(), "lists review", {{"id", {id}}, {"--approve", {}}});
  Args a{{"id", {id}}, {"--approve", {}}, {"--decision-no", {"甬市监信〔2026〕" + std::to_string(++decision) + "号"}}};
  if (!ends.empty()) a["--ends"] = {ends};
  json d = OkAs(w, Carol(), "lists decide", a);
  REQUIRE(d["state"] == "in_force");
  return id;
}

void EndListing(TaskWorld& w, const std::string& id, const std::string& exit) {
  json j = OkAs(w, Carol(), "lists end", {{"id", {id}}, {"--exit", {exit}}, {"--note", {"移出 / ended"}}});
  REQUIRE(j["state"] == "ended");
}

void LoadCatalogue(TaskWorld& w) {
  const std::string dir = std::string(XJ_SOURCE_DIR) + "/docs/examples/";
  json m = OkAs(w, Alice(), "punishment measures import", {{"file", {dir + "measures.json"}}});
  CHECK(m["added"] == 14);
  json mm = OkAs(w, Alice(), "punishment memoranda import", {{"file", {dir + "memoranda.json"}}});
  CHECK(mm["added"] == 3);
}

// ---- Routes. ----

const RegisteredRoute& RouteOf(HttpMethod method, const std::string& pattern) {
  for (const auto& r : DrawHost().routes())
    if (r.plugin == "punishment" && r.spec.pattern == pattern && r.spec.method == method) return r;
  FAIL("no route " << pattern);
  throw std::logic_error("unreachable");
}

struct Got {
  Status status;
  HttpResponse response;
  int Code() const {
    if (status.ok()) return response.status;
    switch (status.code()) {
      case StatusCode::kInvalidArgument:
        return 400;
      case StatusCode::kUnauthenticated:
        return 401;
      case StatusCode::kPermissionDenied:
        return 403;
      case StatusCode::kNotFound:
        return 404;
      case StatusCode::kAlreadyExists:
      case StatusCode::kConflict:
      case StatusCode::kFailedPrecondition:
        return 409;
      default:
        return 500;
    }
  }
  json Json() const {
    json j = json::parse(response.body, nullptr, false);
    INFO(response.body.substr(0, 500));
    REQUIRE_FALSE(j.is_discarded());
    return j;
  }
};

Got Call(Platform& platform, HttpMethod method, const std::string& pattern, const std::string& key,
         std::multimap<std::string, std::string> query = {}, std::string body = "",
         std::map<std::string, std::string> params = {}) {
  HttpRequest req;
  req.method = method;
  req.path = pattern;
  req.query = std::move(query);
  req.body = std::move(body);
  req.path_params = std::move(params);
  if (!key.empty()) req.headers["authorization"] = "Bearer " + key;
  FakeHttp http(platform, Public(), req);
  Got g;
  g.status = RouteOf(method, pattern).fn(http);
  g.response = http.response();
  return g;
}

Got Check(TaskWorld& w, const std::string& key, const std::string& uscc, const std::string& action) {
  return Call(w.platform, HttpMethod::kGet, "/api/v1/credit-check", key, {{"uscc", uscc}, {"action", action}});
}

// The test's own statements on the database while the platform's threads (the check log's
// writer, the index's refresher) use it: under the platform's lock, as the host's own are. The
// world has one connection, and a connection used by two threads at once loses its protocol
// (PostgreSQL: "portal does not exist", then a client waiting forever).
template <typename Fn>
auto Locked(TaskWorld& w, Fn&& fn) {
  auto held = w.platform.Lock();
  return fn(*w.db);
}
long long Count(TaskWorld& w, const std::string& sql) {
  return Locked(w, [&](Database& db) { return xj::test::Count(db, sql); });
}
long long CountFor(TaskWorld& w, const std::string& sql, const std::string& key) {
  return Locked(w, [&](Database& db) { return xj::test::CountFor(db, sql, key); });
}
long long EventCount(TaskWorld& w, const std::string& topic) {
  return Locked(w, [&](Database& db) { return xj::test::EventCount(db, topic); });
}
long long AuditCount(TaskWorld& w, const std::string& action, const std::string& key) {
  return Locked(w, [&](Database& db) { return xj::test::AuditCount(db, action, key); });
}
bool AuditChainVerifies(TaskWorld& w) {
  return Locked(w, [&](Database& db) { return xj::test::AuditChainVerifies(db); });
}
std::vector<std::vector<std::string>> Rows(TaskWorld& w, const std::string& sql, const std::string& key) {
  return Locked(w, [&](Database& db) { return xj::test::Rows(db, sql, key); });
}
void ExecSql(TaskWorld& w, const std::string& sql) {
  Status st = w.platform.RunInTransaction(Principal::System("test"),
                                          [&](UnitOfWork& uow) { return uow.sql().Exec(sql).status(); });
  REQUIRE(st.ok());
}

// The check log's queue written now: the platform's database detached (Platform::AtDetach: the
// log's writer writes what waits and stops) and attached again.
void FlushLog(TaskWorld& w) {
  w.platform.Attach(nullptr);
  w.platform.Attach(w.db.get());
}

// The checks the log holds: single rows and the lines of grouped rows (batches, and the single
// checks the batched log groups by key and action).
long long LoggedCount(TaskWorld& w) {
  return Count(w, "SELECT COUNT(*) FROM punishment_checks") +
         Count(w, "SELECT COALESCE(SUM(checks), 0) FROM punishment_check_batches");
}

// A logged check by its id: key_name, department, uscc, action, answer, listing ids, measure
// codes; empty when it is not in the log.
std::vector<std::string> LoggedCheck(TaskWorld& w, const std::string& check_id) {
  auto single =
      Rows(w,
           "SELECT key_name, department, uscc, action, answer, listing_ids, measure_codes FROM punishment_checks "
           "WHERE check_id = :k",
           check_id);
  if (!single.empty()) return single[0];
  const auto dash = check_id.rfind('-');
  if (dash == std::string::npos) return {};
  auto rows = Rows(w, "SELECT key_name, department, action, items FROM punishment_check_batches WHERE batch_id = :k",
                   check_id.substr(0, dash));
  if (rows.empty()) return {};
  const std::string head = check_id.substr(dash + 1) + "\t";
  std::istringstream items(rows[0][3]);
  for (std::string line; std::getline(items, line);) {
    if (line.rfind(head, 0) != 0) continue;
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
    f.resize(6);
    return {rows[0][0], rows[0][1], f[1], rows[0][2], f[2], f[3], f[4]};
  }
  return {};
}

// The voluntary context switches of this process's check log writers (threads named
// xj-check-log), and how many there are: a writer asleep adds none.
std::pair<long long, long long> WriterSwitches() {
  long long switches = 0, threads = 0;
  for (const auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(t.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name != "xj-check-log") continue;
    ++threads;
    std::ifstream status(t.path() / "status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) switches += std::stoll(line.substr(24));
  }
  return {switches, threads};
}

// Waits (a bound for a loaded machine) until the log holds `n` checks; returns what it holds.
long long WaitLogged(TaskWorld& w, long long n) {
  long long got = 0;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(120)) {
    got = LoggedCount(w);
    if (got == n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return got;
}

std::string AddKey(TaskWorld& w, const std::string& name, const std::string& department, const std::string& actions) {
  json k = OkAs(w, Of(department), "punishment keys add", {{"--name", {name}}, {"--actions", {actions}}});
  const std::string key = k["key"].get<std::string>();
  CHECK(key.rfind("xjk_", 0) == 0);
  CHECK(key.size() == 68);
  return key;
}

json Tasks(TaskWorld& w, const Principal& who, Args args = {}) {
  return OkAs(w, who, "punishment cases list", std::move(args));
}

json TaskOf(TaskWorld& w, const std::string& case_id, const std::string& department) {
  json all = Tasks(w, Of(department));
  for (const auto& t : all)
    if (t["case"] == case_id) return t;
  FAIL("no task of " << department << " in " << case_id);
  return {};
}

}  // namespace

TEST_CASE(
    "punishment: a serious_illegal listing fans out to the departments, which respond, feed back and stop, with cards",
    "[punishment][cases]") {
  auto w = MakeWorld();
  LoadCatalogue(*w);
  // Idempotent: the same files again change nothing.
  const std::string dir = std::string(XJ_SOURCE_DIR) + "/docs/examples/";
  CHECK(OkAs(*w, Alice(), "punishment measures import", {{"file", {dir + "measures.json"}}})["unchanged"] == 14);
  CHECK(OkAs(*w, Alice(), "punishment memoranda import", {{"file", {dir + "memoranda.json"}}})["unchanged"] == 3);

  const std::string listing = InForce(*w, "serious_illegal", U(0), "heavy_penalty");
  const std::string case_id = "JC-" + listing;
  json shown = OkAs(*w, Of("SCJG"), "punishment cases show", {{"case", {case_id}}});
  CHECK(shown["state"] == "open");
  CHECK(shown["uscc"] == U(0));
  std::map<std::string, json> tasks;
  for (const auto& t : shown["tasks"]) tasks[t["department"].get<std::string>()] = t;
  // Every department with a published measure on serious_illegal; not the unpublished one.
  CHECK(tasks.size() == 5);
  for (const char* d : {"SCJG", "CZJ", "FGW", "ZRZYJ", "ZJJ"}) CHECK(tasks.count(d) == 1);
  CHECK(tasks["ZJJ"]["measures"] == json::array({"restrict_qualifications"}));  // deny_franchises is published in 2030
  CHECK(tasks["CZJ"]["respond_due"] ==
        "2026-06-23");  // 5 working days from Monday 15 June; 19 June (端午) is a holiday
  CHECK(tasks["CZJ"]["feedback_due"] == "2026-06-30");  // 10 working days
  CHECK(tasks["CZJ"]["card"] == "green");
  CHECK(EventCount(*w, "punishment.case.opened") == 1);
  CHECK(AuditCount(*w, "punishment.case.open", case_id) == 1);
  // The event again (delivered twice): no second case.
  DeliverEvents(*w);
  CHECK(EventCount(*w, "punishment.case.opened") == 1);

  // Each department sees its own tasks.
  CHECK(Tasks(*w, Of("CZJ")).size() == 1);
  CHECK(Tasks(*w, Of("WJW")).empty());

  // Responses: accept, and a decline needs a reason; only a department with a task.
  OkAs(*w, Of("CZJ"), "punishment respond", {{"case", {case_id}}, {"--accept", {}}});
  CommandRun no_reason = As(*w, Of("FGW"), "punishment respond", {{"case", {case_id}}, {"--decline", {}}});
  CHECK_FALSE(no_reason.status.ok());
  CHECK_THAT(no_reason.status.message(), Catch::Contains("needs a reason"));
  OkAs(*w, Of("FGW"), "punishment respond",
       {{"case", {case_id}}, {"--decline", {}}, {"--reason", {"本系统无相关审批 / no such approvals here"}}});
  CommandRun stranger = As(*w, Of("WJW"), "punishment respond", {{"case", {case_id}}, {"--accept", {}}});
  CHECK(stranger.status.code() == StatusCode::kPermissionDenied);
  CommandRun twice = As(*w, Of("CZJ"), "punishment respond", {{"case", {case_id}}, {"--accept", {}}});
  CHECK(twice.status.code() == StatusCode::kConflict);
  CHECK(EventCount(*w, "punishment.case.responded") == 2);

  // Feedback: only an accepted task, only its measures, a date not in the future.
  OkAs(*w, Of("CZJ"), "punishment feedback",
       {{"case", {case_id}},
        {"--measure", {"deny_government_procurement"}},
        {"--applied-on", {"2026-06-15"}},
        {"--note", {"已在采购平台标注"}}});
  CHECK(As(*w, Of("CZJ"), "punishment feedback",
           {{"case", {case_id}}, {"--measure", {"deny_bidding"}}, {"--applied-on", {"2026-06-15"}}})
            .status.code() == StatusCode::kInvalidArgument);
  CHECK(As(*w, Of("CZJ"), "punishment feedback",
           {{"case", {case_id}}, {"--measure", {"restrict_subsidies"}}, {"--applied-on", {"2026-07-01"}}})
            .status.code() == StatusCode::kInvalidArgument);
  CHECK(As(*w, Of("FGW"), "punishment feedback",
           {{"case", {case_id}}, {"--measure", {"deny_bidding"}}, {"--applied-on", {"2026-06-15"}}})
            .status.code() == StatusCode::kConflict);
  CHECK(EventCount(*w, "punishment.case.fed_back") == 1);

  // Cards on a moved clock: SCJG has not responded (due Tuesday 23 June).
  SetToday(*w, "2026-06-18");  // Thursday: two working days left (19 June is a holiday)
  CHECK(TaskOf(*w, case_id, "SCJG")["card"] == "green");
  SetToday(*w, "2026-06-22");  // Monday: one working day left
  json scjg = TaskOf(*w, case_id, "SCJG");
  CHECK(scjg["due_what"] == "respond");
  CHECK(scjg["working_days_left"] == 1);
  CHECK(scjg["card"] == "yellow");
  CHECK(TaskOf(*w, case_id, "CZJ")["card"] == "");  // feedback given: nothing due
  SetToday(*w, "2026-06-24");
  CHECK(TaskOf(*w, case_id, "SCJG")["card"] == "red");
  CHECK(Tasks(*w, Of("SCJG"), {{"--card", {"red"}}}).size() == 1);
  CHECK(Tasks(*w, Of("CZJ"), {{"--card", {"red"}}}).empty());
  // A late response counts as not in time.
  OkAs(*w, Of("SCJG"), "punishment respond", {{"case", {case_id}}, {"--accept", {}}});
  json stats = OkAs(*w, Of("SCJG"), "punishment stats", {});
  std::map<std::string, json> by;
  for (const auto& s : stats) by[s["department"].get<std::string>()] = s;
  CHECK(by["SCJG"]["received"] == 1);
  CHECK(by["SCJG"]["answered_in_time"] == 0);
  CHECK(by["CZJ"]["answered_in_time"] == 1);
  CHECK(by["CZJ"]["measures_applied"] == 1);
  CHECK(by["FGW"]["declined"] == 1);

  // The listing ends (objection): every task is asked to stop, and confirms.
  EndListing(*w, listing, "objection");
  shown = OkAs(*w, Of("SCJG"), "punishment cases show", {{"case", {case_id}}});
  CHECK(shown["state"] == "stop_requested");
  for (const auto& t : shown["tasks"]) {
    CHECK(t["stop_state"] == "requested");
    CHECK(t["stop_due"] == "2026-07-01");  // 5 working days from Wednesday 24 June
    CHECK(t["due_what"] == "confirm_stop");
  }
  CHECK(EventCount(*w, "punishment.case.stop_requested") == 1);
  CHECK(As(*w, Of("ZJJ"), "punishment respond", {{"case", {case_id}}, {"--accept", {}}}).status.code() ==
        StatusCode::kConflict);
  SetToday(*w, "2026-07-02");
  CHECK(TaskOf(*w, case_id, "ZRZYJ")["card"] == "red");
  for (const char* d : {"SCJG", "CZJ", "FGW", "ZRZYJ"})
    OkAs(*w, Of(d), "punishment confirm-stop", {{"case", {case_id}}});
  CHECK(As(*w, Of("CZJ"), "punishment confirm-stop", {{"case", {case_id}}}).status.code() == StatusCode::kConflict);
  CHECK(OkAs(*w, Of("SCJG"), "punishment cases show", {{"case", {case_id}}})["state"] == "stop_requested");
  OkAs(*w, Of("ZJJ"), "punishment confirm-stop", {{"case", {case_id}}});
  CHECK(OkAs(*w, Of("SCJG"), "punishment cases show", {{"case", {case_id}}})["state"] == "closed");
  CHECK(EventCount(*w, "punishment.case.stop_confirmed") == 5);
  stats = OkAs(*w, Of("SCJG"), "punishment stats", {});
  for (const auto& s : stats) CHECK(s["stops_confirmed"] == 1);
  CHECK(AuditChainVerifies(*w));
}

TEST_CASE("punishment: imports refuse bad or disproportionate files whole, naming line and field",
          "[punishment][catalogue]") {
  auto w = MakeWorld();
  auto refused = [&](const std::string& path, const std::string& text, const std::string& needle) {
    const std::string file = WriteTemp("in.json", text);
    const long long before =
        Count(*w, "SELECT COUNT(*) FROM punishment_measures") + Count(*w, "SELECT COUNT(*) FROM punishment_memoranda");
    CommandRun r = As(*w, Alice(), path, {{"file", {file}}});
    INFO(r.status.message());
    CHECK_FALSE(r.status.ok());
    CHECK_THAT(r.status.message(), Catch::Contains(needle));
    CHECK(Count(*w, "SELECT COUNT(*) FROM punishment_measures") +
              Count(*w, "SELECT COUNT(*) FROM punishment_memoranda") ==
          before);
  };
  json good = json::array({{{"code", "deny_bidding"},
                            {"name_zh", "限制招投标"},
                            {"name_en", "no bidding"},
                            {"kind", "punishment"},
                            {"department", "FGW"},
                            {"legal_basis", "《招标投标法实施条例》"},
                            {"lists", {"serious_illegal"}},
                            {"actions", {"bidding"}},
                            {"effect", "deny"},
                            {"published_on", "2026-01-01"}}});
  json bad = good;
  bad.push_back(good[0]);
  bad[1]["code"] = "restrict_abnormal";
  bad[1]["lists"] = {"abnormal_operations"};  // deny on the abnormal list
  refused("punishment measures import", bad.dump(2), "line 27, entry 2, field lists");
  refused("punishment measures import", bad.dump(2), "black lists only");
  bad = good;
  bad[0]["department"] = "NOPE";
  refused("punishment measures import", bad.dump(2), "no department 'NOPE'");
  refused("punishment measures import", "[{\"code\": \"x'); DROP TABLE punishment_measures; --\"}]", "field code");
  refused("punishment measures import", "not json", "not valid JSON");
  refused("punishment measures import", std::string(100, '[') + std::string(100, ']'), "nested deeper");
  // Memoranda: a measure not in the catalogue.
  refused("punishment memoranda import",
          json::array({{{"code", "m"},
                        {"title", "t"},
                        {"departments", {"FGW"}},
                        {"signed_on", "2026-01-01"},
                        {"entries", {{{"list", "serious_illegal"}, {"measures", {"deny_bidding"}}}}}}})
              .dump(),
          "not in the catalogue");
  // A good file goes in; a changed measure that no longer fits a memorandum is refused.
  OkAs(*w, Alice(), "punishment measures import", {{"file", {WriteTemp("m.json", good.dump())}}});
  OkAs(*w, Alice(), "punishment memoranda import",
       {{"file",
         {WriteTemp("mm.json",
                    json::array({{{"code", "m"},
                                  {"title", "t"},
                                  {"departments", {"FGW"}},
                                  {"signed_on", "2026-01-01"},
                                  {"entries", {{{"list", "serious_illegal"}, {"measures", {"deny_bidding"}}}}}}})
                        .dump())}}});
  json moved = good;
  moved[0]["department"] = "CZJ";
  refused("punishment measures import", moved.dump(), "no longer fits memorandum m");
  // A huge file.
  refused("punishment measures import", std::string(5 * 1024 * 1024, ' '), "4 MiB");
}

TEST_CASE("punishment: the credit check answers from listings and measures, with keys, scopes, batches and the log",
          "[punishment][check]") {
  auto w = MakeWorld();
  LoadCatalogue(*w);
  const std::string key = AddKey(*w, "czj-procurement", "CZJ", "government_procurement,subsidies");
  const std::string other = AddKey(*w, "fgw-bidding", "FGW", "bidding");
  // Keys are listed without the key; only its digest is stored.
  json keys = OkAs(*w, Of("CZJ"), "punishment keys list", {});
  REQUIRE(keys.size() == 1);
  CHECK(keys[0]["name"] == "czj-procurement");
  CHECK(CountFor(*w, "SELECT COUNT(*) FROM punishment_keys WHERE key_sha256 = :k", xj::digest::Sha256Hex(key)) == 1);
  CHECK(Count(*w, "SELECT COUNT(*) FROM punishment_keys WHERE key_sha256 LIKE 'xjk_%'") == 0);

  // 401 without a key, with a wrong one; 403 outside the scope; 400 for a bad USCC or action.
  CHECK(Check(*w, "", U(0), "government_procurement").Code() == 401);
  CHECK(Check(*w, "xjk_" + std::string(64, '0'), U(0), "government_procurement").Code() == 401);
  CHECK(Check(*w, "garbage' OR 1=1 --", U(0), "government_procurement").Code() == 401);
  CHECK(Check(*w, key, U(0), "bidding").Code() == 403);
  CHECK(Check(*w, key, "91330203MA2H00001X", "government_procurement").Code() == 400);
  CHECK(Check(*w, key, U(0), "'; DROP TABLE punishment_checks; --").Code() == 400);

  // Nobody listed: allowed.
  Got g = Check(*w, key, U(0), "government_procurement");
  REQUIRE(g.Code() == 200);
  json a = g.Json();
  CHECK(a["answer"] == "allowed");
  CHECK(a["listings"].empty());
  CHECK(a["check_id"].get<std::string>().rfind("chk_", 0) == 0);

  // On serious_illegal: procurement denied, subsidies restricted; the listing and measures named.
  const std::string listing = InForce(*w, "serious_illegal", U(0), "heavy_penalty");
  // The abnormal list restricts at most.
  InForce(*w, "abnormal_operations", U(1), "unreachable_address");
  auto poll = [&](const std::string& k, const std::string& uscc, const std::string& action, const std::string& want) {
    const auto start = std::chrono::steady_clock::now();
    json last;
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(120)) {  // a bound for a loaded machine
      Got r = Check(*w, k, uscc, action);
      INFO(r.status.message());
      if (r.Code() == 401) {  // a key added a moment ago: every node knows it within the index's freshness
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      REQUIRE(r.Code() == 200);
      last = r.Json();
      if (last["answer"] == want) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL("the answer stayed " << last.dump());
    return last;
  };
  a = poll(key, U(0), "government_procurement", "denied");
  REQUIRE(a["listings"].size() == 1);
  CHECK(a["listings"][0]["id"] == listing);
  CHECK(a["listings"][0]["name_zh"] == "严重违法失信名单");
  CHECK(a["listings"][0]["expires_on"] == "2029-06-15");
  REQUIRE(a["measures"].size() == 1);
  CHECK(a["measures"][0]["code"] == "deny_government_procurement");
  CHECK(a["measures"][0]["department"] == "CZJ");
  CHECK_FALSE(a["measures"][0]["legal_basis"].get<std::string>().empty());
  CHECK(poll(key, U(0), "subsidies", "restricted")["measures"][0]["code"] == "restrict_subsidies");
  CHECK(poll(key, U(1), "government_procurement", "restricted")["measures"][0]["effect"] == "restrict");
  // The unpublished measure (deny_franchises, 2030) is not applied.
  const std::string franchise_key = AddKey(*w, "zjj", "ZJJ", "franchises");
  json fr = poll(franchise_key, U(0), "franchises", "restricted");
  for (const auto& m : fr["measures"]) CHECK(m["code"] != "deny_franchises");

  // The log: every check, with who, the answer, the listings and measures.
  FlushLog(*w);
  const std::string check_id = a["check_id"].get<std::string>();
  CHECK(LoggedCheck(*w, check_id) == std::vector<std::string>{"czj-procurement", "CZJ", U(0), "government_procurement", "denied", listing,
                                            "deny_government_procurement"});

  // The department reports back what it applied against the check; another department cannot.
  const std::string applied = "/api/v1/credit-check/{check_id}/applied";
  const json report{{"measure", "deny_government_procurement"}, {"applied_on", "2026-06-15"}, {"note", "不予受理投标"}};
  CHECK(Call(w->platform, HttpMethod::kPost, applied, other, {}, report.dump(), {{"check_id", check_id}}).Code() ==
        404);
  CHECK(Call(w->platform, HttpMethod::kPost, applied, key, {}, "{not json", {{"check_id", check_id}}).Code() == 400);
  CHECK(Call(w->platform, HttpMethod::kPost, applied, key, {},
             json{{"measure", "deny_bidding"}, {"applied_on", "2026-06-15"}}.dump(), {{"check_id", check_id}})
            .Code() == 400);
  Got ok = Call(w->platform, HttpMethod::kPost, applied, key, {}, report.dump(), {{"check_id", check_id}});
  CHECK(ok.Code() == 201);
  CHECK(Call(w->platform, HttpMethod::kPost, applied, key, {}, report.dump(), {{"check_id", check_id}}).Code() == 409);
  CHECK(EventCount(*w, "punishment.check.applied") == 1);

  // Batch: 1000 subjects in one request, bad USCCs reported per item, all good ones logged.
  const auto logged_checks = [&] { return LoggedCount(*w); };
  const long long logged = logged_checks();
  FlushLog(*w);
  const long long grouped_rows = Count(*w, "SELECT COUNT(*) FROM punishment_check_batches");
  json usccs = json::array();
  for (int i = 0; i < 998; ++i) usccs.push_back(GeneratedUscc(99, "33", static_cast<std::uint64_t>(i)));
  usccs.push_back(U(0));
  usccs.push_back("NOT-A-USCC");
  Got b = Call(w->platform, HttpMethod::kPost, "/api/v1/credit-check/batch", key, {},
               json{{"action", "government_procurement"}, {"usccs", usccs}}.dump());
  REQUIRE(b.Code() == 200);
  json results = b.Json()["results"];
  REQUIRE(results.size() == 1000);
  CHECK(results[998]["answer"] == "denied");
  CHECK(results[0]["answer"] == "allowed");
  CHECK(results[999].contains("error"));
  CHECK_THAT(results[999]["error"]["message"].get<std::string>(), Catch::Contains("18 characters"));
  FlushLog(*w);
  CHECK(logged_checks() == logged + 999);
  // The batch is one row of the log, its items' check ids the batch's and their index.
  CHECK(Count(*w, "SELECT COUNT(*) FROM punishment_check_batches") == grouped_rows + 1);
  const std::string batch_item = results[998]["check_id"].get<std::string>();
  CHECK(batch_item == results[0]["check_id"].get<std::string>().substr(0, 28) + "-998");
  CHECK_FALSE(results[999].contains("check_id"));
  // A measure reported against an item of the batch; hostile item ids are 404.
  CHECK(Call(w->platform, HttpMethod::kPost, applied, key, {}, report.dump(), {{"check_id", batch_item}}).Code() == 201);
  CHECK(Call(w->platform, HttpMethod::kPost, applied, other, {}, report.dump(), {{"check_id", batch_item}}).Code() ==
        404);
  CHECK(Call(w->platform, HttpMethod::kPost, applied, key, {}, report.dump(), {{"check_id", batch_item}}).Code() == 409);
  // Item 0 is allowed: no measure to report.
  CHECK(Call(w->platform, HttpMethod::kPost, applied, key, {}, report.dump(),
             {{"check_id", results[0]["check_id"].get<std::string>()}})
            .Code() == 400);
  const std::string batch_id = batch_item.substr(0, 28);
  for (const std::string& bad : {batch_id + "-999", batch_id + "-1000", batch_id + "-01", batch_id + "-", batch_id + "-x",
                                batch_id + "--1", batch_id + "-99\t", batch_id + "-998\n0", batch_id.substr(0, 27) + "Z"})
    CHECK(Call(w->platform, HttpMethod::kPost, applied, key, {}, report.dump(), {{"check_id", bad}}).Code() == 404);
  // Hostile batches: 1001 codes, a huge body, malformed JSON, a wrong shape, a wrong scope.
  usccs.push_back(U(2));
  CHECK(Call(w->platform, HttpMethod::kPost, "/api/v1/credit-check/batch", key, {},
             json{{"action", "government_procurement"}, {"usccs", usccs}}.dump())
            .Code() == 413);
  Got huge = Call(w->platform, HttpMethod::kPost, "/api/v1/credit-check/batch", key, {}, std::string(300 * 1024, ' '));
  CHECK(huge.Code() == 413);
  CHECK(huge.Json()["error"]["code"] == "payload_too_large");
  CHECK(Call(w->platform, HttpMethod::kPost, "/api/v1/credit-check/batch", key, {}, "{\"action\": ").Code() == 400);
  CHECK(Call(w->platform, HttpMethod::kPost, "/api/v1/credit-check/batch", key, {}, "[1,2]").Code() == 400);
  CHECK(Call(w->platform, HttpMethod::kPost, "/api/v1/credit-check/batch", key, {},
             json{{"action", "government_procurement"}, {"usccs", "x"}}.dump())
            .Code() == 400);
  CHECK(Call(w->platform, HttpMethod::kPost, "/api/v1/credit-check/batch", key, {},
             json{{"action", "bidding"}, {"usccs", json::array({U(0)})}}.dump())
            .Code() == 403);
  CHECK(Call(w->platform, HttpMethod::kPost, "/api/v1/credit-check/batch", "", {}, "{}").Code() == 401);
  FlushLog(*w);
  CHECK(logged_checks() == logged + 999);

  // The listing ends: the answer changes (within the poll bound), on this platform and on a
  // second one over the same database (another `serve` process).
  auto second_db = Database::Open(w->url);
  REQUIRE(second_db.ok());
  PlatformImpl second;
  second.SetPlugins(&DrawHost());
  second.SetNow(w->clock.now_us);
  second.Attach(second_db.value().get());
  auto check_on = [&](Platform& p) {
    HttpRequest req;
    req.headers["authorization"] = "Bearer " + key;
    req.query = {{"uscc", U(0)}, {"action", "government_procurement"}};
    FakeHttp http(p, Public(), req);
    REQUIRE(RouteOf(HttpMethod::kGet, "/api/v1/credit-check").fn(http).ok());
    return json::parse(http.response().body)["answer"].get<std::string>();
  };
  CHECK(check_on(second) == "denied");
  EndListing(*w, listing, "objection");
  poll(key, U(0), "government_procurement", "allowed");
  const auto start = std::chrono::steady_clock::now();
  std::string answer;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(120)) {  // a bound for a loaded machine
    answer = check_on(second);
    if (answer == "allowed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(answer == "allowed");

  // A revoked key is refused on both.
  OkAs(*w, Of("CZJ"), "punishment keys revoke", {{"name", {"czj-procurement"}}});
  const auto start2 = std::chrono::steady_clock::now();
  int code = 200;
  while (std::chrono::steady_clock::now() - start2 < std::chrono::seconds(120)) {  // a bound for a loaded machine
    code = Check(*w, key, U(1), "government_procurement").Code();
    if (code == 401) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(code == 401);
  second.Attach(nullptr);
  FlushLog(*w);

  // The retention job deletes log rows older than 10 years, and nothing newer.
  const long long all = logged_checks();
  JobHandler* job = DrawHost().FindJobHandler("punishment.retention");
  REQUIRE(job != nullptr);
  TestJobServices services(*w);
  JobInvocation inv;
  inv.job = "t";
  inv.handler = "punishment.retention";
  inv.scheduled_us = ShanghaiMicros(2036, 6, 14, 3);
  REQUIRE(job->Run(inv, services).ok());
  CHECK(logged_checks() == all);
  inv.scheduled_us = ShanghaiMicros(2036, 6, 16, 3);
  REQUIRE(job->Run(inv, services).ok());
  CHECK(logged_checks() == 0);
  CHECK(AuditChainVerifies(*w));
}

TEST_CASE("punishment: a memorandum imported after a listing came into force opens its case",
          "[punishment][cases]") {
  auto w = MakeWorld();
  // In force before any catalogue: no measure, no case.
  const std::string listing = InForce(*w, "serious_illegal", U(3), "heavy_penalty");
  CHECK(CountFor(*w, "SELECT COUNT(*) FROM punishment_cases WHERE listing_id = :k", listing) == 0);
  const std::string dir = std::string(XJ_SOURCE_DIR) + "/docs/examples/";
  json m = OkAs(*w, Alice(), "punishment measures import", {{"file", {dir + "measures.json"}}});
  CHECK(m["cases_opened"] == 0);  // measures alone trigger nothing: the memoranda do
  // A first memorandum names one measure of one department for the list: the case opens with
  // that department's task.
  const std::string first = test::TempDir() + "/xj-memo-" + U(3) + ".json";
  {
    std::ofstream f(first);
    f << json::array({{{"code", "serious_illegal_2026"},
                       {"title", "关于对严重违法失信主体实施联合惩戒的合作备忘录（第一版）"},
                       {"departments", {"SCJG", "CZJ"}},
                       {"signed_on", "2026-01-15"},
                       {"entries", {{{"list", "serious_illegal"}, {"measures", {"deny_government_procurement"}}}}}}})
             .dump();
  }
  json mm = OkAs(*w, Alice(), "punishment memoranda import", {{"file", {first}}});
  std::filesystem::remove(first);
  CHECK(mm["cases_opened"] == 1);
  CHECK(CountFor(*w, "SELECT COUNT(*) FROM punishment_cases WHERE listing_id = :k", listing) == 1);
  const auto tasks = [&] {
    return CountFor(*w,
                    "SELECT COUNT(*) FROM punishment_tasks t JOIN punishment_cases c ON c.id = t.case_id "
                    "WHERE c.listing_id = :k",
                    listing);
  };
  CHECK(tasks() == 1);
  // The full memorandum brings more departments: the open case fans out to them too.
  json full = OkAs(*w, Alice(), "punishment memoranda import", {{"file", {dir + "memoranda.json"}}});
  CHECK(full["cases_opened"] == 0);
  CHECK(full["tasks_added"].get<int>() >= 2);
  CHECK(tasks() == 1 + full["tasks_added"].get<int>());
  CHECK(EventCount(*w, "punishment.case.widened") == 1);
  // Imported again: nothing more.
  json again = OkAs(*w, Alice(), "punishment memoranda import", {{"file", {dir + "memoranda.json"}}});
  CHECK(again["cases_opened"] == 0);
  CHECK(again["tasks_added"] == 0);
  CHECK(again["unchanged"] == 3);
  CHECK(AuditChainVerifies(*w));
}

TEST_CASE("punishment: the check log is written in batches by its own thread, and nothing waits at a detach",
          "[punishment][check][log]") {
  auto w = MakeWorld();
  LoadCatalogue(*w);
  const std::string key = AddKey(*w, "czj-log", "CZJ", "government_procurement");
  const long long before = LoggedCount(*w);
  // Answers are sent before their rows are written; the writer writes them within its
  // interval (20 ms by default; the bound here is generous for a busy machine).
  for (int i = 0; i < 200; ++i) REQUIRE(Check(*w, key, U(i % 6), "government_procurement").Code() == 200);
  CHECK(WaitLogged(*w, before + 200) == before + 200);
  // Idle, the writer sleeps until the next row comes: it is not woken every interval (the
  // voluntary context switches of the writer threads stand still; one more each for a round
  // finishing now).
  const auto woken = WriterSwitches();
  REQUIRE(woken.second >= 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // 15 intervals of 20 ms
  CHECK(WriterSwitches().first - woken.first <= woken.second);
  // What waits when the database is detached (serve stopping) is written by the hook, before
  // the detach returns: every answered check has its row.
  std::vector<std::string> ids;
  for (int i = 0; i < 300; ++i) {
    Got g = Check(*w, key, U(i % 6), "government_procurement");
    REQUIRE(g.Code() == 200);
    ids.push_back(g.Json()["check_id"].get<std::string>());
  }
  w->platform.Attach(nullptr);
  CHECK(LoggedCount(*w) == before + 500);
  // Single checks are grouped by key and action: a few rows, not one per check.
  CHECK(Count(*w, "SELECT COUNT(*) FROM punishment_check_batches") < 100);
  // Check ids are unique and sort by time (the log's key grows at its end).
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
  CHECK(ids.front().substr(0, 16) <= ids.back().substr(0, 16));
  for (const std::string& id : {ids.front(), ids[150], ids.back()}) {
    INFO(id);
    const auto logged = LoggedCheck(*w, id);
    REQUIRE(logged.size() == 7);
    CHECK(logged[0] == "czj-log");
    CHECK(logged[3] == "government_procurement");
  }
  // Attached again, the writer starts again.
  w->platform.Attach(w->db.get());
  REQUIRE(Check(*w, key, U(0), "government_procurement").Code() == 200);
  FlushLog(*w);
  CHECK(LoggedCount(*w) == before + 501);
  CHECK(AuditChainVerifies(*w));
}

TEST_CASE(
    "punishment: a check log round that fails is kept and retried, less often while it fails, and nothing is lost",
    "[punishment][check][log]") {
  auto w = MakeWorld();
  LoadCatalogue(*w);
  const std::string key = AddKey(*w, "czj-retry", "CZJ", "government_procurement");
  const long long before = LoggedCount(*w);
  REQUIRE(Check(*w, key, U(0), "government_procurement").Code() == 200);
  REQUIRE(WaitLogged(*w, before + 1) == before + 1);
  // The log's table gone: every round fails; the answers still go out, their rows kept.
  ExecSql(*w, "ALTER TABLE punishment_check_batches RENAME TO punishment_check_batches_away");
  for (int i = 0; i < 100; ++i) REQUIRE(Check(*w, key, U(i % 6), "government_procurement").Code() == 200);
  // Failing, the writer waits twice as long after each round (20, 40, 80, … ms, at most 1 s):
  // a handful of rounds in 1.5 s, not 75.
  const auto before_wait = WriterSwitches();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const long long switches = WriterSwitches().first - before_wait.first;
  INFO("the writer's voluntary context switches in 1.5 s: " << switches);
  CHECK(switches <= 30);
  CHECK(Count(*w, "SELECT COUNT(*) FROM punishment_checks") +
            Count(*w, "SELECT COALESCE(SUM(checks), 0) FROM punishment_check_batches_away") ==
        before + 1);
  // The table back: the kept rows are written at the next round, every one.
  ExecSql(*w, "ALTER TABLE punishment_check_batches_away RENAME TO punishment_check_batches");
  CHECK(WaitLogged(*w, before + 101) == before + 101);
  REQUIRE(Check(*w, key, U(1), "government_procurement").Code() == 200);
  CHECK(WaitLogged(*w, before + 102) == before + 102);
}

TEST_CASE("punishment: a round of many groups is written whole in statements of many rows, or not at all",
          "[punishment][check][log]") {
  auto w = MakeWorld();
  const long long before = LoggedCount(*w);
  // 150 groups: statements of 64, 64 and 22 rows.
  const auto round = [](int groups, int first) {
    punishment::LogRows rows;
    for (int i = 0; i < groups; ++i) {
      punishment::CheckBatchRecord b;
      b.batch_id = punishment::NewCheckId();
      b.key_name = "k" + std::to_string(i % 7);
      b.department = "CZJ";
      b.action = i % 2 ? "bidding" : "subsidies";
      b.checks = 2;
      b.items = "0\t" + U(first + i) + "\tallowed\t\t\t" + std::to_string(1000 + i) + "\n1\t" + U(first + i + 1) +
                "\tdenied\tL" + std::to_string(i) + "\tM1\t" + std::to_string(1001 + i) + "\n";
      b.at_us = 1000 + i;
      rows.batches.push_back(b);
    }
    return rows;
  };
  const punishment::LogRows first = round(150, 0);
  REQUIRE(punishment::LogChecks(w->platform, first).ok());
  CHECK(LoggedCount(*w) == before + 300);
  for (int i : {0, 63, 64, 127, 128, 149}) {
    INFO(i);
    const auto& b = first.batches[static_cast<std::size_t>(i)];
    CHECK(LoggedCheck(*w, b.batch_id + "-0") ==
          std::vector<std::string>{b.key_name, "CZJ", U(i), b.action, "allowed", "", ""});
    CHECK(LoggedCheck(*w, b.batch_id + "-1") ==
          std::vector<std::string>{b.key_name, "CZJ", U(i + 1), b.action, "denied", "L" + std::to_string(i), "M1"});
  }
  // A row that cannot be written (a group id already in the log) in the second statement:
  // the whole round is rolled back, the rows of the first statement too.
  punishment::LogRows second = round(100, 200);
  second.batches[80].batch_id = first.batches[5].batch_id;
  CHECK_FALSE(punishment::LogChecks(w->platform, second).ok());
  CHECK(LoggedCount(*w) == before + 300);
  CHECK(LoggedCheck(*w, second.batches[0].batch_id + "-0").empty());
}

TEST_CASE("punishment: the public catalogue, memoranda and pages", "[punishment][public]") {
  auto w = MakeWorld();
  LoadCatalogue(*w);
  Got m = Call(w->platform, HttpMethod::kGet, "/api/v1/measures", "");
  REQUIRE(m.Code() == 200);
  json ms = m.Json()["measures"];
  CHECK(ms.size() == 13);  // the one published in 2030 is not shown
  for (const auto& x : ms) CHECK(x["code"] != "deny_franchises");
  Got memo = Call(w->platform, HttpMethod::kGet, "/api/v1/memoranda", "");
  REQUIRE(memo.Code() == 200);
  CHECK(memo.Json()["memoranda"].size() == 3);
  Got page = Call(w->platform, HttpMethod::kGet, "/measures", "");
  REQUIRE(page.Code() == 200);
  CHECK_THAT(page.response.body, Catch::Contains("禁止参加政府采购活动"));
  CHECK_THAT(page.response.body, Catch::Contains("《中华人民共和国政府采购法》"));
  Got mp = Call(w->platform, HttpMethod::kGet, "/memoranda", "");
  REQUIRE(mp.Code() == 200);
  CHECK_THAT(mp.response.body, Catch::Contains("关于对严重违法失信主体实施联合惩戒的合作备忘录"));
  // A hostile title is escaped on the page.
  const std::string file =
      WriteTemp("m.json", json::array({{{"code", "evil"},
                                        {"title", "<script>alert(1)</script>"},
                                        {"departments", {"SCJG"}},
                                        {"signed_on", "2026-01-01"},
                                        {"entries", {{{"list", "red_trustworthy"}, {"measures", {"green_channel"}}}}}}})
                              .dump());
  OkAs(*w, Alice(), "punishment memoranda import", {{"file", {file}}});
  mp = Call(w->platform, HttpMethod::kGet, "/memoranda", "");
  CHECK(mp.response.body.find("<script>") == std::string::npos);
  CHECK_THAT(mp.response.body, Catch::Contains("&lt;script&gt;"));
}
