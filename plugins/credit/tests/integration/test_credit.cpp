// The credit plugin on a real database (SQLite file or PostgreSQL server, as the run says),
// through its commands run in this process as the CLI runs them, and through its service and
// subscriber as the loaded plugins use them: record imports (good, bad and hostile files),
// publicity and withdrawal, findings from published inspection results (exactly once), scores
// with breakdowns that add up, history "as of", models added, simulated and activated,
// resumable recomputes, risk classes that feed a draw's strata, intermediaries' grades, and the
// public API that never shows what is not public.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "credit/records_service.h"
#include "xinjian/digest.h"
#include "fake_http.h"
#include "task_world.h"
#include "test_support.h"

using namespace xj;
using namespace xj::test;
using nlohmann::json;

namespace {

std::unique_ptr<TaskWorld> MakeCreditWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG")};
  for (int i = 0; i < 10; ++i) {
    Subject s = TinySubject(1515, i);
    s.name = "宁海信用" + std::to_string(i) + "号商贸有限公司";
    s.risk_class = "";
    if (i >= 8) s.type = "intermediary";
    o.subjects.push_back(s);
  }
  for (int i = 1; i <= 4; ++i) o.inspectors.push_back(Officer("SCJG", i, "市监检查员" + std::to_string(i), ""));
  o.items = {"CR-FOOD,食品经营者的检查,SCJG,《食品安全法》第一百一十条,key,,,1,,,\n"};
  o.now = "2026-06-15T10:00:00";
  return MakeTaskWorld(o);
}

std::string U(const TaskWorld&, int i) { return TinySubject(1515, i).uscc; }

const char* kHeader = "uscc,kind,ref,category,occurred_on,value,heavy,authority,basis,title\n";

CommandRun Cmd(TaskWorld& w, const std::string& path, std::map<std::string, std::vector<std::string>> args,
               const std::string& department = "*") {
  return RunPluginCommand(w, path, std::move(args), department, true);
}

json Ok(TaskWorld& w, const std::string& path, std::map<std::string, std::vector<std::string>> args,
        const std::string& department = "*") {
  CommandRun r = Cmd(w, path, std::move(args), department);
  INFO(path << ": " << r.status.message() << "\n" << r.err << r.out.substr(0, 2000));
  REQUIRE(r.status.ok());
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

json ImportCsv(TaskWorld& w, const std::string& csv, int expect_exit = 0, const std::string& rejects = "") {
  const std::string path = WriteTemp("records.csv", csv);
  std::map<std::string, std::vector<std::string>> args{{"file", {path}}};
  if (!rejects.empty()) args["--rejects"] = {rejects};
  CommandRun r = Cmd(w, "credit import records", args);
  INFO(r.status.message() << "\n" << r.err << r.out);
  REQUIRE(r.status.ok());
  REQUIRE(r.exit_code == expect_exit);
  return json::parse(r.out);
}

json Explain(TaskWorld& w, const std::string& uscc, const std::string& as_of = "") {
  std::map<std::string, std::vector<std::string>> args{{"uscc", {uscc}}};
  if (!as_of.empty()) args["--as-of"] = {as_of};
  return Ok(w, "credit explain", args);
}

// The breakdown adds up: base + lines = points.
void RequireSums(const json& score) {
  std::int64_t sum = score["breakdown"]["base"].get<std::int64_t>();
  for (const json& l : score["breakdown"]["lines"]) sum += l["points"].get<std::int64_t>();
  REQUIRE(sum == score["points"].get<std::int64_t>());
}

std::int64_t Points(TaskWorld& w, const std::string& uscc) { return Explain(w, uscc)["points"].get<std::int64_t>(); }

long long RecordCount(TaskWorld& w) { return Count(*w.db, "SELECT COUNT(*) FROM credit_records"); }

const RegisteredRoute& CreditRoute() {
  for (const auto& r : DrawHost().routes())
    if (r.spec.pattern == "/api/v1/subjects/{uscc}/credit") return r;
  FAIL("no credit route");
  throw std::logic_error("unreachable");
}

credit::RecordsService& RecordsOf() {
  auto [service, provider] = DrawHost().FindService(credit::RecordsService::kServiceName);
  REQUIRE(service != nullptr);
  CHECK(provider == "credit");
  return *static_cast<credit::RecordsService*>(service);
}

}  // namespace

TEST_CASE("credit: the jobs expire records, recompute, classify and grade on their scheduled day", "[credit][jobs]") {
  auto w = MakeCreditWorld();
  ImportCsv(*w, std::string(kHeader) + U(*w, 0) + ",penalty,J-1,fine,2026-05-10,1000,0,局,依据,\n" + U(*w, 1) +
                    ",penalty,J-2,suspension,2026-05-10,100000,1,局,依据,\n");
  CHECK(Points(*w, U(*w, 0)) == 72000);
  // The daily publicity job on 2026-08-10 (the scheduled day, whatever the clock says).
  Status st = RunJob(*w, "credit.publicity", "2026-08-10T01:10:00");
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(EventCount(*w->db, "credit.record.expired") == 1);
  CHECK(Rows(*w->db, "SELECT CAST(is_public AS TEXT) FROM credit_records WHERE ref = 'J-1'") ==
        std::vector<std::vector<std::string>>{{"0"}});
  // The nightly recompute, the monthly risk classes, the yearly grades.
  REQUIRE(RunJob(*w, "credit.recompute", "2026-08-10T02:30:00").ok());
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM credit_scores") == 10);
  REQUIRE(RunJob(*w, "credit.risk", "2026-08-01T04:00:00").ok());
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM credit_risk_classes WHERE month = '2026-08'") == 10);
  CHECK(Rows(*w->db, "SELECT risk_class FROM subjects WHERE uscc = :k", U(*w, 1)) ==
        std::vector<std::vector<std::string>>{{"D"}});
  REQUIRE(RunJob(*w, "credit.grades", "2027-01-10T05:00:00").ok());
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM credit_intermediary_grades WHERE year = 2026") == 2);
  // A run again on the same day changes nothing more (a retried run).
  REQUIRE(RunJob(*w, "credit.publicity", "2026-08-10T01:10:00").ok());
  CHECK(EventCount(*w->db, "credit.record.expired") == 1);
}

TEST_CASE("credit: another plugin adds a kind and writes records through the service credit.records",
          "[credit][service]") {
  auto w = MakeCreditWorld();
  credit::RecordsService& records = RecordsOf();
  credit::RecordKindSpec kind;
  kind.code = "test_tax_arrears";
  kind.zh = "欠税";
  kind.en = "tax arrears";
  kind.polarity = "negative";
  kind.publicity = "by_severity";
  kind.categories["arrears"] = {"欠缴税款", "arrears", "general"};
  Status added = records.AddKind(kind);
  CHECK((added.ok() || added.code() == StatusCode::kAlreadyExists));
  CHECK(records.AddKind(kind).code() == StatusCode::kAlreadyExists);
  credit::RecordKindSpec bad = kind;
  bad.code = "Bad Code";
  CHECK(records.AddKind(bad).code() == StatusCode::kInvalidArgument);
  credit::RecordSpec r;
  r.uscc = U(*w, 3);
  r.kind = "test_tax_arrears";
  r.ref = "TAX-1";
  r.category = "arrears";
  r.occurred_on = "2026-06-01";
  r.source = "tax";
  Status st = w->platform.RunInTransaction(Principal::System("tax"), [&](UnitOfWork& uow) { return records.Record(uow, r); });
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(Rows(*w->db, "SELECT severity, public_until, source FROM credit_records WHERE ref = 'TAX-1'") ==
        std::vector<std::vector<std::string>>{{"general", "2027-05-31", "tax"}});
  json e = Explain(*w, U(*w, 3));  // scored in the same unit (the model has no indicator for the kind)
  CHECK(e["points"] == 75000);
  r.category = "nonsense";
  st = w->platform.RunInTransaction(Principal::System("tax"), [&](UnitOfWork& uow) { return records.Record(uow, r); });
  CHECK(st.code() == StatusCode::kInvalidArgument);
  st = w->platform.RunInTransaction(Principal::System("tax"),
                                    [&](UnitOfWork& uow) { return records.Withdraw(uow, "test_tax_arrears", "TAX-1", "2026-06-10", "已缴清 / paid"); });
  REQUIRE(st.ok());
  CHECK(EventCount(*w->db, "credit.record.withdrawn") == 1);
}

TEST_CASE("credit: an import scores its subjects, explains every point and is idempotent", "[credit][import]") {
  auto w = MakeCreditWorld();
  const std::string csv = std::string(kHeader) +
                          U(*w, 0) + ",penalty,甬市监罚〔2026〕1号,fine,2026-05-10,3000,0,宁波市市场监督管理局,《广告法》第五十八条,虚假广告\n" +
                          U(*w, 1) + ",penalty,甬市监罚〔2026〕2号,suspension,2026-04-01,200000,1,宁波市市场监督管理局,《食品安全法》第一百二十二条,无证生产\n" +
                          U(*w, 2) + ",honour,甬政〔2026〕9号,province,2026-01-20,,,宁波市人民政府,,守合同重信用\n";
  json sum = ImportCsv(*w, csv);
  CHECK(sum["read"] == 3);
  CHECK(sum["inserted"] == 3);
  CHECK(sum["rejected"] == 0);
  CHECK(RecordCount(*w) == 3);
  CHECK(AuditCount(*w->db, "credit.record.insert", "penalty/甬市监罚〔2026〕1号") == 1);

  json a = Explain(*w, U(*w, 0));
  RequireSums(a);
  CHECK(a["model"] == "enterprise-default");
  CHECK(a["points"] == 75000 - 3000);
  CHECK(a["grade"] == "fair");
  json b = Explain(*w, U(*w, 1));
  RequireSums(b);
  CHECK(b["grade"] == "poor");  // a heavy penalty in publicity: vetoed
  CHECK_FALSE(b["breakdown"]["vetoes"].empty());
  json c = Explain(*w, U(*w, 2));
  CHECK(c["points"] == 75000 + 5000);
  // The text form names the records and says that the lines add up.
  CommandRun text = RunPluginCommand(*w, "credit explain", {{"uscc", {U(*w, 1)}}}, "*", false);
  CHECK(text.out.find("penalty/甬市监罚〔2026〕2号") != std::string::npos);
  CHECK(text.out.find("= 得分 / = points") != std::string::npos);
  CHECK(text.out.find("公示期内的行政处罚 / administrative penalties in publicity") != std::string::npos);

  // The same file again: nothing changes, no new audit record or score history.
  const long long history = Count(*w->db, "SELECT COUNT(*) FROM credit_score_history");
  sum = ImportCsv(*w, csv);
  CHECK(sum["unchanged"] == 3);
  CHECK(sum["inserted"] == 0);
  CHECK(AuditCount(*w->db, "credit.record.insert", "penalty/甬市监罚〔2026〕1号") == 1);
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM credit_score_history") == history);
  // A changed row updates the record, and the score follows.
  sum = ImportCsv(*w, std::string(kHeader) + U(*w, 0) +
                          ",penalty,甬市监罚〔2026〕1号,license_revoked,2026-05-10,3000,0,宁波市市场监督管理局,《广告法》第五十八条,虚假广告\n");
  CHECK(sum["updated"] == 1);
  CHECK(Points(*w, U(*w, 0)) == 75000 - 20000);
  CHECK(AuditChainVerifies(*w->db));
}

TEST_CASE("credit: bad rows are rejected with their line and reason, good rows kept", "[credit][import][hostile]") {
  auto w = MakeCreditWorld();
  const std::string rejects = WriteTemp("rejects.csv", "");
  const std::string csv = std::string(kHeader) +
                          U(*w, 0) + ",penalty,R-1,fine,2026-05-10,100,0,局,依据,好行\n" +           // line 2: good
                          "91110000600037341X,penalty,R-2,fine,2026-05-10,100,0,局,依据,\n" +        // 3: check char
                          U(*w, 0) + ",gossip,R-3,fine,2026-05-10,100,0,局,依据,\n" +                // 4: kind
                          U(*w, 0) + ",penalty,R-4,fine,2026-02-30,100,0,局,依据,\n" +               // 5: date
                          U(*w, 0) + ",penalty,R-5,fine,2026-05-10,-1,0,局,依据,\n" +                // 6: value
                          U(*w, 0) + ",penalty,R-6,fine,2026-05-10,100,0,,依据,\n" +                 // 7: authority
                          U(*w, 0) + ",penalty,R-7,fine,2026-05-10,100,0,局\n" +                     // 8: fields
                          "91110000600037341L,penalty,R-8,fine,2026-05-10,100,0,局,依据,\n" +        // 9: not in directory
                          U(*w, 1) + ",penalty,\"=HYPERLINK(\"\"x\"\")\",fine,2026-05-10,1e999,0,局,依据,\n" +  // 10
                          U(*w, 1) + ",honour,H-1,county,2026-05-10,,,县政府,,好行\n";               // 11: good
  json sum = ImportCsv(*w, csv, 3, rejects);
  CHECK(sum["read"] == 10);
  CHECK(sum["inserted"] == 2);
  CHECK(sum["rejected"] == 8);
  CHECK(RecordCount(*w) == 2);
  std::ifstream in(rejects);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string r = buf.str();
  for (const char* needle : {"\n3,", "\n4,", "\n5,", "\n6,", "\n7,", "\n8,", "\n9,", "\n10,", "uscc", "kind",
                             "occurred_on", "authority", "value", "fields", "not in the directory"})
    CHECK(r.find(needle) != std::string::npos);
  CHECK(r.find("'=HYPERLINK") != std::string::npos);  // neutralised for spreadsheets
  CHECK(r.find("\n2,") == std::string::npos);
}

TEST_CASE("credit: hostile files are refused whole and change nothing", "[credit][import][hostile]") {
  auto w = MakeCreditWorld();
  ImportCsv(*w, std::string(kHeader) + U(*w, 0) + ",penalty,KEEP-1,fine,2026-05-10,100,0,局,依据,\n");
  const long long before = RecordCount(*w);
  auto refused = [&](const std::string& name, const std::string& data, const std::string& needle) {
    const std::string path = WriteTemp(name, data);
    CommandRun r = Cmd(*w, "credit import records", {{"file", {path}}});
    INFO(name << ": " << r.status.message());
    CHECK_FALSE(r.status.ok());
    CHECK(r.status.message().find(needle) != std::string::npos);
    CHECK(RecordCount(*w) == before);
  };
  refused("empty.csv", "", "empty");
  refused("noref.csv", "uscc,kind,category,occurred_on\n" + U(*w, 0) + ",penalty,fine,2026-05-10\n", "ref");
  refused("twice.csv", "uscc,kind,ref,ref,category,occurred_on\n", "twice");
  refused("array.json", "[1, 2", "not a valid array");
  CommandRun missing = Cmd(*w, "credit import records", {{"file", {"/nonexistent/records.csv"}}});
  CHECK(missing.status.code() == StatusCode::kUnavailable);
  // JSON Lines: a broken line and a wrong type are rejected rows; the good one is kept.
  const std::string jl = WriteTemp("r.jsonl", "{\"uscc\": \"" + U(*w, 2) +
                                                  "\", \"kind\": \"complaint\", \"ref\": \"C-1\", \"category\": \"upheld\", "
                                                  "\"occurred_on\": \"2026-06-01\", \"attributes\": {\"channel\": \"12315\"}}\n"
                                                  "{broken\n"
                                                  "{\"uscc\": [\"x\"], \"kind\": \"complaint\"}\n"
                                                  "\"a string\"\n");
  CommandRun r = Cmd(*w, "credit import records", {{"file", {jl}}});
  REQUIRE(r.status.ok());
  CHECK(r.exit_code == 3);
  json sum = json::parse(r.out);
  CHECK(sum["inserted"] == 1);
  CHECK(sum["rejected"] == 3);
  // A record of 100 KiB in a CSV is rejected as a row; an oversized field too.
  const std::string big = std::string(kHeader) + U(*w, 3) + ",penalty,BIG," + std::string(100 * 1024, 'x') + ",2026-05-10,,,局,依据,\n" +
                          U(*w, 3) + ",penalty,OK-3,fine,2026-05-10,10,0,局,依据,\n";
  sum = ImportCsv(*w, big, 3);
  CHECK(sum["inserted"] == 1);
  CHECK(sum["rejected"] == 1);
  // GB18030: what Excel saves on Chinese Windows.
  const std::string gb = "uscc,kind,ref,category,occurred_on,authority\n" + U(*w, 4) +
                         ",honour,\xb8\xdf\xd0\xc2-1,city,2026-03-01,\xca\xd0\xd5\xfe\xb8\xae\n";  // 高新-1, 市政府
  sum = ImportCsv(*w, gb);
  CHECK(sum["inserted"] == 1);
  CHECK(Rows(*w->db, "SELECT authority FROM credit_records WHERE kind = 'honour' AND uscc = :k", U(*w, 4)) ==
        std::vector<std::vector<std::string>>{{"市政府"}});
}

TEST_CASE("credit: publicity ends by itself, a withdrawn record stops counting, both with events", "[credit][publicity]") {
  auto w = MakeCreditWorld();
  // A low fine on 2026-05-10: public until 2026-08-09.
  ImportCsv(*w, std::string(kHeader) + U(*w, 0) + ",penalty,P-1,fine,2026-05-10,1000,0,局,依据,\n" + U(*w, 1) +
                    ",penalty,P-2,fine,2026-05-10,50000,0,局,依据,\n");
  CHECK(Points(*w, U(*w, 0)) == 72000);
  w->platform.SetNow(ShanghaiMicros(2026, 8, 10, 9));
  json changed = Ok(*w, "credit publicity", {});
  CHECK(changed["changed"] == 1);
  CHECK(EventCount(*w->db, "credit.record.expired") == 1);
  CHECK(Points(*w, U(*w, 0)) == 75000);
  CHECK(Rows(*w->db, "SELECT CAST(is_public AS TEXT) FROM credit_records WHERE ref = :k", "P-1") ==
        std::vector<std::vector<std::string>>{{"0"}});
  // The history answers "as of" the day before.
  CHECK(Explain(*w, U(*w, 0), "2026-08-09")["points"] == 72000);
  CHECK(Explain(*w, U(*w, 0), "2026-08-10")["points"] == 75000);
  CommandRun none = Cmd(*w, "credit explain", {{"uscc", {U(*w, 0)}}, {"--as-of", {"2026-01-01"}}});
  CHECK(none.status.code() == StatusCode::kNotFound);
  // The penalty revoked: withdrawn at once.
  Ok(*w, "credit withdraw", {{"kind", {"penalty"}}, {"ref", {"P-2"}}, {"--reason", {"行政复议撤销 / revoked on review"}}});
  CHECK(EventCount(*w->db, "credit.record.withdrawn") == 1);
  CHECK(Points(*w, U(*w, 1)) == 75000);
  CommandRun again = Cmd(*w, "credit withdraw", {{"kind", {"penalty"}}, {"ref", {"P-2"}}, {"--reason", {"x"}}});
  CHECK(again.status.code() == StatusCode::kFailedPrecondition);
  CommandRun nothing = Cmd(*w, "credit withdraw", {{"kind", {"penalty"}}, {"ref", {"NOPE"}}, {"--reason", {"x"}}});
  CHECK(nothing.status.code() == StatusCode::kNotFound);
  CHECK(AuditChainVerifies(*w->db));
}

TEST_CASE("credit: published inspection results become findings exactly once", "[credit][findings]") {
  auto w = MakeCreditWorld();
  json spec = {{"id", "2026-CR-0001"},
               {"title", "信用测试"},
               {"department", "SCJG"},
               {"items", {"CR-FOOD"}},
               {"filters", {{"types", {"enterprise"}}}},
               {"rule", {{"count", 3}}},
               {"team", {{"slots", {{{"group", "SCJG"}, {"count", 2}}}}}},
               {"entropy", {{"source", "manual"}, {"description", "测试"}}},
               {"due_date", "2026-12-31"}};
  draw::TaskInfo t = Drawn(*w, spec);
  PublishAllResults(*w, t.id, "2026-06-15");
  const long long findings = Count(*w->db, "SELECT COUNT(*) FROM credit_records WHERE kind = 'inspection_finding'");
  CHECK(findings == 3);
  auto rows = Rows(*w->db, "SELECT category, authority, basis, source FROM credit_records WHERE kind = 'inspection_finding' "
                           "ORDER BY ref LIMIT 1");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0] == "no_problem");
  CHECK(rows[0][1] == "宁波市市场监督管理局");
  CHECK(rows[0][2] == "《食品安全法》第一百一十条");
  CHECK(rows[0][3].rfind("event:", 0) == 0);
  // Delivered again (a retried delivery): nothing new.
  DeliverEvents(*w);
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM credit_records WHERE kind = 'inspection_finding'") == findings);
  // Each finding's subject is scored with it.
  for (const auto& s : Selection(*w, t.id)) {
    json e = Explain(*w, s.uscc);
    RequireSums(e);
    bool clean = false;
    for (const json& l : e["breakdown"]["lines"]) clean = clean || l["indicator"] == "finding_clean";
    CHECK(clean);
  }
}

TEST_CASE("credit: a model is a new version, simulated without changes, activated by an admin only", "[credit][models]") {
  auto w = MakeCreditWorld();
  ImportCsv(*w, std::string(kHeader) + U(*w, 0) + ",penalty,M-1,fine,2026-05-10,1000,0,局,依据,\n" + U(*w, 2) +
                    ",honour,M-2,national,2026-01-20,,,国务院,,\n");
  json models = Ok(*w, "credit models list", {});
  int active = 0;
  for (const json& m : models) active += m["state"] == "active";
  CHECK(active == 7);
  // A stricter version: fines cost 100.
  json model = json::parse(std::ifstream(std::string(XJ_SOURCE_DIR) + "/plugins/credit/data/models/enterprise-default.json"));
  model["version"] = "2026.2";
  model["dimensions"][0]["indicators"][0]["by_category"]["fine"] = -100;
  const std::string path = WriteTemp("model.json", model.dump());
  const long long audit_before = Count(*w->db, "SELECT COUNT(*) FROM audit_log");
  const auto digests = Rows(*w->db, "SELECT uscc, digest FROM credit_scores ORDER BY uscc");
  json sim = Ok(*w, "credit simulate", {{"--model", {path}}});
  CHECK(sim["version"] == "2026.2");
  CHECK(sim["subjects"] == 8);  // the enterprises
  REQUIRE_FALSE(sim["movers"].empty());
  CHECK(sim["movers"][0]["uscc"] == U(*w, 0));
  CHECK(sim["movers"][0]["points_then"].get<std::int64_t>() == 65000);
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM audit_log") == audit_before);
  CHECK(Rows(*w->db, "SELECT uscc, digest FROM credit_scores ORDER BY uscc") == digests);
  // Add, then activate: a supervisor may not; an admin may, audited.
  Ok(*w, "credit models add", {{"file", {path}}});
  CommandRun sup = Cmd(*w, "credit models activate", {{"name", {"enterprise-default"}}, {"version", {"2026.2"}}}, "SCJG");
  CHECK(sup.status.code() == StatusCode::kPermissionDenied);
  Ok(*w, "credit models activate", {{"name", {"enterprise-default"}}, {"version", {"2026.2"}}});
  CHECK(AuditCount(*w->db, "credit.model.activate", "enterprise-default@2026.2") == 1);
  CHECK(Rows(*w->db, "SELECT state FROM credit_models WHERE name = 'enterprise-default' AND version = '2026.1'") ==
        std::vector<std::vector<std::string>>{{"retired"}});
  // The same name and version with another content is refused.
  model["dimensions"][0]["indicators"][0]["by_category"]["fine"] = -99;
  CommandRun clash = Cmd(*w, "credit models add", {{"file", {WriteTemp("model2.json", model.dump())}}});
  CHECK(clash.status.code() == StatusCode::kAlreadyExists);
  // Scores name the version they came from after a recompute.
  json rec = Ok(*w, "credit recompute", {});
  CHECK(rec["subjects"] == 10);
  json e = Explain(*w, U(*w, 0));
  CHECK(e["version"] == "2026.2");
  CHECK(e["points"] == 65000);
  // A hostile model file is refused with the field named.
  CommandRun bad = Cmd(*w, "credit simulate", {{"--model", {WriteTemp("bad.json", "{\"engine\": \"xj-points-v1\"}")}}});
  CHECK_FALSE(bad.status.ok());
  CHECK(bad.status.message().find("$.") != std::string::npos);
}

TEST_CASE("credit: a killed recompute goes on from where it stopped", "[credit][recompute]") {
  auto w = MakeCreditWorld();
  json first = Ok(*w, "credit recompute", {{"--step", {"3"}}});
  CHECK(first["subjects"] == 10);
  CHECK(first["resumed"] == false);
  // A run left "running" after its fourth subject (as a kill -9 leaves it).
  std::vector<std::string> usccs;
  for (const auto& r : Rows(*w->db, "SELECT uscc FROM subjects ORDER BY uscc")) usccs.push_back(r[0]);
  REQUIRE(usccs.size() == 10);
  REQUIRE(w->db->ExecScript("UPDATE credit_runs SET state = 'running', cursor = '" + usccs[3] + "', done = 4").ok());
  json resumed = Ok(*w, "credit recompute", {{"--step", {"4"}}});
  CHECK(resumed["resumed"] == true);
  CHECK(resumed["subjects"] == 10);  // 4 before, 6 now
  CHECK(resumed["steps"] == 2);
  CHECK(Rows(*w->db, "SELECT state, CAST(done AS TEXT) FROM credit_runs WHERE id = 'recompute:all'") ==
        std::vector<std::vector<std::string>>{{"done", "10"}});
  CommandRun bad = Cmd(*w, "credit recompute", {{"--step", {"0"}}});
  CHECK(bad.status.code() == StatusCode::kInvalidArgument);
}

TEST_CASE("credit: risk classes are set by the risk model and feed a draw's strata", "[credit][risk]") {
  auto w = MakeCreditWorld();
  // Serious records for subjects 0 and 1; subject 2 has a few penalties.
  ImportCsv(*w, std::string(kHeader) + U(*w, 0) + ",penalty,K-1,suspension,2026-05-10,1000,1,局,依据,\n" + U(*w, 1) +
                    ",court_dishonest,K-2,listed,2026-05-10,,,法院,,\n" + U(*w, 2) + ",penalty,K-3,fine,2026-05-10,10,0,局,依据,\n");
  json n = Ok(*w, "credit risk classify", {});
  CHECK(n["month"] == "2026-06");
  CHECK(n["classified"] == 10);
  auto cls = [&](int i) { return Rows(*w->db, "SELECT COALESCE(risk_class, '') FROM subjects WHERE uscc = :k", U(*w, i))[0][0]; };
  CHECK(cls(0) == "D");
  CHECK(cls(1) == "D");
  CHECK(cls(2) == "B");
  CHECK(cls(3) == "A");
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM credit_risk_classes WHERE month = '2026-06'") == 10);
  CHECK(AuditCount(*w->db, "directory.subject.classify", U(*w, 0)) == 1);
  CHECK(AuditChainVerifies(*w->db));
  // Again: nothing changes in the directory.
  Ok(*w, "credit risk classify", {{"--restart", {}}});
  CHECK(AuditCount(*w->db, "directory.subject.classify", U(*w, 0)) == 1);
  // The subject index (what draws use) sees the classes.
  {
    auto lease = w->platform.Subjects();
    REQUIRE(lease.ok());
    int d = 0;
    (*lease.value()).Scan({}, [&](std::size_t, const SubjectFacts& f) { d += f.risk_class == "D"; });
    CHECK(d == 2);
  }
  // A draw of every D subject and nobody else.
  json spec = {{"id", "2026-CR-0002"},
               {"title", "高风险抽查"},
               {"department", "SCJG"},
               {"items", {"CR-FOOD"}},
               {"filters", {{"types", {"enterprise"}}}},
               {"strata", "risk_class"},
               {"rule", {{"ratio_percent", {{"D", 100}, {"*", 0}}}}},
               {"team", {{"slots", {{{"group", "SCJG"}, {"count", 2}}}}}},
               {"entropy", {{"source", "manual"}, {"description", "测试"}}},
               {"due_date", "2026-12-31"}};
  draw::TaskInfo t = Drawn(*w, spec);
  std::set<std::string> drawn;
  for (const auto& s : Selection(*w, t.id)) {
    CHECK(s.stratum == "D");
    drawn.insert(s.uscc);
  }
  CHECK(drawn == std::set<std::string>{U(*w, 0), U(*w, 1)});
  CommandRun bad = Cmd(*w, "credit risk classify", {{"--month", {"2026-13"}}});
  CHECK(bad.status.code() == StatusCode::kInvalidArgument);
}

TEST_CASE("credit: intermediaries are graded A, B or C from their evaluations", "[credit][intermediary]") {
  auto w = MakeCreditWorld();
  std::string csv = "uscc,kind,ref,category,occurred_on,value,attributes\n";
  for (int k = 0; k < 3; ++k) {
    csv += U(*w, 8) + ",intermediary_evaluation,E8-" + std::to_string(k) + ",engagement,2026-0" + std::to_string(k + 3) +
           "-01,95,\"{\"\"on_time\"\": \"\"1\"\", \"\"fee_within\"\": \"\"1\"\"}\"\n";
    csv += U(*w, 9) + ",intermediary_evaluation,E9-" + std::to_string(k) + ",engagement,2026-0" + std::to_string(k + 3) +
           "-01,50,\"{\"\"on_time\"\": \"\"0\"\", \"\"fee_within\"\": \"\"0\"\"}\"\n";
  }
  json sum = ImportCsv(*w, csv);
  CHECK(sum["inserted"] == 6);
  json g = Ok(*w, "credit grades", {{"--year", {"2026"}}});
  CHECK(g["graded"] == 2);
  CHECK(Rows(*w->db, "SELECT grade FROM credit_intermediary_grades WHERE uscc = :k", U(*w, 8)) ==
        std::vector<std::vector<std::string>>{{"A"}});
  CHECK(Rows(*w->db, "SELECT grade FROM credit_intermediary_grades WHERE uscc = :k", U(*w, 9)) ==
        std::vector<std::vector<std::string>>{{"C"}});
  CHECK(EventCount(*w->db, "credit.intermediary.graded") == 2);
  json e = Ok(*w, "credit explain", {{"uscc", {U(*w, 9)}}, {"--purpose", {"intermediary"}}});
  RequireSums(e);
  CHECK(e["grade"] == "C");
  // An evaluation outside 0-100 is rejected.
  sum = ImportCsv(*w, "uscc,kind,ref,category,occurred_on,value\n" + U(*w, 8) + ",intermediary_evaluation,EX,engagement,2026-05-01,101\n", 3);
  CHECK(sum["rejected"] == 1);
}

TEST_CASE("credit: the API shows the public part to the public, everything to the subject's supervisor, never a risk class",
          "[credit][web]") {
  auto w = MakeCreditWorld();
  // A public fine and a warning of 2025 whose three months ended.
  ImportCsv(*w, std::string(kHeader) + U(*w, 0) + ",penalty,W-1,fine,2026-05-10,50000,0,局,《广告法》,公开的\n" + U(*w, 0) +
                    ",penalty,W-2,warning,2025-01-10,,0,局,依据,过期的\n");
  Ok(*w, "credit risk classify", {});
  auto get = [&](const Principal& who) {
    FakeHttp http(w->platform, who, std::map<std::string, std::string>{{"uscc", U(*w, 0)}});
    Status st = CreditRoute().fn(http);
    INFO(st.message());
    REQUIRE(st.ok());
    return json::parse(http.response().body);
  };
  json pub = get(Public());
  CHECK(pub["scope"] == "public");
  REQUIRE(pub["records"].size() == 1);
  CHECK(pub["records"][0]["id"] == "penalty/W-1");
  CHECK(pub["records"][0]["basis"] == "《广告法》");
  CHECK(pub["score"]["model_version"] == "2026.1");
  REQUIRE_FALSE(pub["score"]["breakdown"]["lines"].empty());
  CHECK(pub["score"]["breakdown"]["lines"][0]["zh"] == "公示期内的行政处罚");
  const std::string body = pub.dump();
  CHECK(body.find("W-2") == std::string::npos);
  CHECK(body.find("risk") == std::string::npos);
  CHECK(body.find("\"D\"") == std::string::npos);
  Principal sup = ViewerOf("SCJG");
  json full = get(sup);
  CHECK(full["scope"] == "full");
  CHECK(full["records"].size() == 2);
  CHECK(full.dump().find("risk") == std::string::npos);
  // Bad and unknown codes.
  for (const std::string& bad : std::vector<std::string>{"x", "91110000600037341L", std::string(18, '\'')}) {
    FakeHttp http(w->platform, Public(), std::map<std::string, std::string>{{"uscc", bad}});
    Status st = CreditRoute().fn(http);
    CHECK_FALSE(st.ok());
  }
}

TEST_CASE("credit: a recompute in bulk steps writes the same scores as one subject at a time", "[credit][recompute]") {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG")};
  o.generated_subjects = 300;
  o.generated_seed = 77;
  o.now = "2026-06-15T10:00:00";
  auto w = MakeTaskWorld(o);
  std::vector<std::string> usccs;
  for (const auto& r : Rows(*w->db, "SELECT uscc FROM subjects ORDER BY uscc")) usccs.push_back(r[0]);
  REQUIRE(usccs.size() == 300);
  std::string csv = kHeader;
  for (std::size_t i = 0; i < usccs.size(); i += 3)
    csv += usccs[i] + ",penalty,B-" + std::to_string(i) + "," + (i % 2 ? "fine" : "warning") + ",2026-0" +
           std::to_string(1 + i % 5) + "-10,100,0,局,依据,\n";
  ImportCsv(*w, csv + usccs[1] + ",honour,BH-1,national,2026-02-01,,,国务院,,\n", 0);
  REQUIRE(w->db->ExecScript("DELETE FROM credit_scores; DELETE FROM credit_score_history").ok());
  json bulk = Ok(*w, "credit recompute", {{"--step", {"128"}}});
  CHECK(bulk["subjects"] == 300);
  CHECK(bulk["changed"] == 300);
  // Two steps of 128 wrote in bulk, each with one event of its grade changes; the last 44 one by one.
  CHECK(EventCount(*w->db, "credit.grades.changed") == 2);
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM credit_score_stage") == 0);
  const auto by_bulk = Rows(*w->db, "SELECT uscc, digest, grade, CAST(points AS TEXT) FROM credit_scores ORDER BY uscc");
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM credit_score_history") == 300);
  REQUIRE(w->db->ExecScript("DELETE FROM credit_scores; DELETE FROM credit_score_history").ok());
  Ok(*w, "credit recompute", {{"--step", {"7"}}});
  CHECK(Rows(*w->db, "SELECT uscc, digest, grade, CAST(points AS TEXT) FROM credit_scores ORDER BY uscc") == by_bulk);
  // Nothing changed since: a third pass writes nothing.
  json again = Ok(*w, "credit recompute", {{"--step", {"128"}}});
  CHECK(again["changed"] == 0);
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM credit_score_history") == 300);
}

TEST_CASE("credit: intermediaries' profiles and evaluations weighted 70/10/20 make their grade", "[credit][intermediary]") {
  auto w = MakeCreditWorld();
  // Profiles: service categories and qualifications; a non-intermediary and bad rows rejected.
  const std::string profiles = WriteTemp("profiles.csv", "uscc,categories,qualifications\n" + U(*w, 8) +
                                                             ",测绘;评估,甲级测绘资质\n" + U(*w, 9) + ",环境影响评价,\n" +
                                                             U(*w, 0) + ",测绘,\n" + "91110000600037341X,测绘,\n" + U(*w, 9) +
                                                             ",,\n");
  CommandRun p = Cmd(*w, "credit intermediaries import", {{"file", {profiles}}});
  REQUIRE(p.status.ok());
  CHECK(p.exit_code == 3);
  json ps = json::parse(p.out);
  CHECK(ps["written"] == 2);
  CHECK(ps["rejected"] == 3);
  json list = Ok(*w, "credit intermediaries list", {{"--category", {"测绘"}}});
  REQUIRE(list.size() == 1);
  CHECK(list[0]["uscc"] == U(*w, 8));
  CHECK(list[0]["categories"] == json::array({"测绘", "评估"}));
  // Evaluations: the marks weighted 70 / 10 / 20; late and overcharged engagements recorded.
  const std::string evals =
      "uscc,engagement,service_category,evaluated_on,client_score,department_score,office_score,promised_days,"
      "actual_days,declared_fee,charged_fee\n" +
      U(*w, 8) + ",ENG-1,测绘,2026-05-01,100,50,80,10,8,10000,9000\n" +     // 70+5+16 = 91
      U(*w, 8) + ",ENG-2,测绘,2026-05-20,90,,90,10,12,10000,12000\n" +     // 90 (no department mark)
      U(*w, 0) + ",ENG-3,测绘,2026-05-20,90,90,90,,,,\n" +                 // not an intermediary
      U(*w, 8) + ",ENG-4,测绘,2026-05-20,101,90,90,,,,\n" +                // a mark over 100
      U(*w, 8) + ",ENG-5,,2026-05-20,90,90,90,,,,\n" +                     // no service category
      U(*w, 8) + ",ENG-6,测绘,2026-05-20,,,,,,,\n";                        // no mark
  const std::string path = WriteTemp("evals.csv", evals);
  CommandRun r = Cmd(*w, "credit import evaluations", {{"file", {path}}});
  REQUIRE(r.status.ok());
  CHECK(r.exit_code == 3);
  json sum = json::parse(r.out);
  CHECK(sum["inserted"] == 2);
  CHECK(sum["rejected"] == 4);
  auto rows = Rows(*w->db, "SELECT ref, CAST(value AS TEXT), attributes FROM credit_records WHERE kind = 'intermediary_evaluation' "
                           "ORDER BY ref");
  REQUIRE(rows.size() == 2);
  CHECK(std::stod(rows[0][1]) == Approx(91.0));
  CHECK(std::stod(rows[1][1]) == Approx(90.0));
  json a1 = json::parse(rows[0][2]), a2 = json::parse(rows[1][2]);
  CHECK(a1["on_time"] == "1");
  CHECK(a1["fee_within"] == "1");
  CHECK(a2["on_time"] == "0");
  CHECK(a2["fee_within"] == "0");
  CHECK_FALSE(a2.contains("department_score"));
  json g = Ok(*w, "credit grades", {{"--year", {"2026"}}});
  CHECK(g["graded"] == 2);
  json e = Ok(*w, "credit explain", {{"uscc", {U(*w, 8)}}, {"--purpose", {"intermediary"}}});
  RequireSums(e);
  bool late = false;
  for (const json& l : e["breakdown"]["lines"]) late = late || (l["indicator"] == "late" && l["points"] == -300);
  CHECK(late);
  list = Ok(*w, "credit intermediaries list", {});
  CHECK(list.size() == 2);
  CHECK_FALSE(list[0]["grade"].get<std::string>().empty());
}

TEST_CASE("credit: 公开比选 ranks the category's pool, excludes C-class and listed intermediaries, and draws a verifiable winner",
          "[credit][selection]") {
  auto w = MakeCreditWorld();
  const std::string profiles = WriteTemp("profiles.csv", "uscc,categories,qualifications\n" + U(*w, 8) + ",测绘,\n" +
                                                             U(*w, 9) + ",测绘;评估,\n");
  REQUIRE(Cmd(*w, "credit intermediaries import", {{"file", {profiles}}}).exit_code == 0);
  const std::string evals =
      "uscc,engagement,service_category,evaluated_on,client_score,department_score,office_score,promised_days,"
      "actual_days,declared_fee,charged_fee\n" +
      U(*w, 8) + ",ENG-1,测绘,2026-05-01,90,90,90,10,8,10000,9000\n" + U(*w, 9) + ",ENG-2,测绘,2026-05-20,60,60,60,10,12,10000,12000\n";
  REQUIRE(Cmd(*w, "credit import evaluations", {{"file", {WriteTemp("evals.csv", evals)}}}).exit_code == 0);
  auto create = [&](const std::string& code, std::map<std::string, std::vector<std::string>> over) {
    std::map<std::string, std::vector<std::string>> a{{"--project-code", {code}},
                                                      {"--project-name", {"道路测绘"}},
                                                      {"--category", {"测绘"}},
                                                      {"--budget-yuan", {"100000"}},
                                                      {"--weights", {"25,25,25,25"}},
                                                      {"--k", {"2"}}};
    for (auto& [k, v] : over) a[k] = v;
    return Cmd(*w, "credit selection create", a, "SCJG");
  };
  // Hostile and out-of-rule input: refused, nothing stored.
  for (auto [over, needle] : std::vector<std::pair<std::map<std::string, std::vector<std::string>>, std::string>>{
           {{{"--budget-yuan", {"500000"}}}, "public tender"},
           {{{"--budget-yuan", {"0"}}}, "positive"},
           {{{"--weights", {"30,30,30,30"}}}, "adding up to 100"},
           {{{"--weights", {"25,25,25"}}}, "adding up to 100"},
           {{{"--weights", {"'; DROP TABLE credit_selections; --"}}}, "adding up to 100"},
           {{{"--k", {"0"}}}, "k must be"},
           {{{"--k", {"21"}}}, "k must be"},
           {{{"--category", {"不存在的类别"}}}, "no eligible intermediary"},
           {{{"--project-name", {std::string("a\x01")}}}, "control characters"},
           {{{"--project-code", {std::string(300, 'x')}}}, "too long"}}) {
    CommandRun r = create("P-BAD", over);
    INFO(needle << ": " << r.status.message());
    CHECK_FALSE(r.status.ok());
    CHECK_THAT(r.status.message(), Catch::Contains(needle));
  }
  CHECK(Rows(*w->db, "SELECT id FROM credit_selections").empty());
  // Ranked: U8 (on time, within the fee, 90) before U9.
  CommandRun made = create("P-1", {});
  INFO(made.status.message() << made.err);
  REQUIRE(made.status.ok());
  json sel = json::parse(made.out);
  const std::string id = sel["id"];
  CHECK(sel["ranking"][0]["uscc"] == U(*w, 8));
  CHECK(sel["ranking"][0]["rank"] == 1);
  CHECK(sel["pool"].size() == 2);
  CHECK(create("P-1", {}).status.code() == StatusCode::kAlreadyExists);
  // Before the draw the public sees the commitment, never the secret.
  auto get = [&](const std::string& sel_id) {
    const RegisteredRoute* route = nullptr;
    for (const auto& r : DrawHost().routes())
      if (r.spec.pattern == "/api/v1/selections/{id}") route = &r;
    REQUIRE(route != nullptr);
    FakeHttp http(w->platform, Public(), std::map<std::string, std::string>{{"id", sel_id}});
    Status st = route->fn(http);
    INFO(st.message());
    REQUIRE(st.ok());
    return json::parse(http.response().body);
  };
  json pub = get(id);
  CHECK(pub["commitment"] == sel["commitment"]);
  CHECK_FALSE(pub.contains("secret"));
  // The draw: the winner is one of the best two, the secret matches the commitment, verify re-runs it.
  json drawn = Ok(*w, "credit selection draw", {{"id", {id}}, {"--entropy", {"2026153 03 11 19 24 28 31 07"}}}, "SCJG");
  const std::string winner = drawn["winner"];
  CHECK((winner == U(*w, 8) || winner == U(*w, 9)));
  json after = get(id);
  CHECK(after["winner"] == winner);
  CHECK(xj::digest::Sha256Hex([&] {
          std::string hex = after["secret"], raw;
          for (std::size_t i = 0; i < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
          return raw;
        }()) == after["commitment"]);
  CHECK(Ok(*w, "credit selection verify", {{"id", {id}}})["verified"] == true);
  CHECK(Cmd(*w, "credit selection draw", {{"id", {id}}, {"--entropy", {"x"}}}, "SCJG").status.code() ==
        StatusCode::kFailedPrecondition);
  // Tampering with the stored winner is caught by verify (exit 3).
  REQUIRE(w->db->ExecScript("UPDATE credit_selections SET winner = 'X' WHERE id = '" + id + "'").ok());
  CommandRun v = Cmd(*w, "credit selection verify", {{"id", {id}}});
  CHECK(v.exit_code == 3);
  // A C-class or banned intermediary is excluded, with its reason.
  REQUIRE(w->db->ExecScript("UPDATE subjects SET listings = 'intermediary_ban' WHERE uscc = '" + U(*w, 9) + "'").ok());
  json sel2 = json::parse(create("P-2", {}).out);
  CHECK(sel2["pool"].size() == 1);
  CHECK(sel2["ranking"][1]["excluded"].get<std::string>().find("intermediary_ban") != std::string::npos);
}
