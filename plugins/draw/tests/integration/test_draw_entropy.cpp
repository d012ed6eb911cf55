// Entropy sources of draw tasks (issue 5): a "none" task draws at once through DrawIfReady and
// says so in its notice, view and proof (which both verifiers accept); a "manual" task waits
// until its value is supplied (SupplyEntropy, `xinjian task entropy`) and then draws with
// exactly that value; the refusals (a value for none, a second different value, the wrong
// state, hostile values, unknown sources, bad spec shapes); the older spec shape. Runs on
// SQLite and PostgreSQL (FreshDatabaseUrl) with a directory of a dozen subjects.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "draw_world.h"
#include "test_support.h"

using namespace xj;
using namespace xj::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Catch::Matchers::Contains;

// Department SCJG (宁波, 3302), 12 active subjects in 330226 labelled 小池, four qualified
// officers, one item without ratio bounds. The process clock.
std::unique_ptr<DrawWorld> MakeWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG")};
  for (int i = 0; i < 12; ++i) o.subjects.push_back(TinySubject(4343, i));
  for (int i = 1; i <= 4; ++i) o.inspectors.push_back(Officer("SCJG", i, "检查员" + std::to_string(i), "食品安全"));
  o.items = {"SCJG-KEY,特种设备使用单位的检查,SCJG,《特种设备安全法》第五十七条,key,,,2,,,\n"};
  return MakeDrawWorld(o);
}

// A spec over the 12 subjects drawing 5, with the given entropy (the new shape) or, when
// `entropy` is a string, the older "entropy_source".
json Spec(const std::string& id, const json& entropy) {
  json s{{"id", id},
         {"title", "随机源测试 " + id},
         {"department", "SCJG"},
         {"items", json::array({"SCJG-KEY"})},
         {"filters", {{"labels", json::array({"小池"})}}},
         {"exclusions", {{"same_item_within_days", 0}, {"open_tasks", false}}},
         {"rule", {{"count", 5}}},
         {"team", {{"slots", json::array({json{{"group", "SCJG"}, {"count", 2}}})}}}};
  if (entropy.is_string()) {
    s["entropy_source"] = entropy;
  } else {
    s["entropy"] = entropy;
  }
  return s;
}

const json kNone{{"source", "none"}};
const json kManual{{"source", "manual"}, {"description", "中国福利彩票双色球第 2026001 期开奖号码"}};

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("a none task draws at once with DrawIfReady, says so in public, and its proof verifies", "[draw][entropy]") {
  auto w = MakeWorld();
  const std::string id = "ENT-NONE-1";
  const draw::TaskRecord created = Create(*w, Spec(id, kNone));
  CHECK(created.entropy_source_name == "none");
  CHECK(created.entropy_source.empty());
  CHECK_THAT(created.entropy_notice,
             Contains("不使用外部公开随机数") && Contains(" / This task uses no outside public entropy"));
  CHECK(json::parse(created.spec_json)["entropy"] == json({{"source", "none"}, {"description", ""}}));

  // Not before the announcement.
  {
    auto r = draw::DrawIfReady(w->ctx, id);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(r.status().message(), Contains("is draft; cannot draw it"));
  }
  const draw::TaskRecord announced = Announce(*w, id);
  CHECK_THAT(announced.entropy_notice, Contains("depends only on the secret committed to in this notice"));
  // The announcement (event and public notice) names the source and carries its sentence.
  {
    const auto ev = EventPayloads(*w->db, id, "draw.task.announced");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0]["entropy_source_name"] == "none");
    CHECK(ev[0]["entropy_notice"] == announced.entropy_notice);
    const nlohmann::json notice = TaskNoticeJson(*w, id);
    CHECK(notice["entropy_source_name"] == "none");
    CHECK_THAT(notice["entropy_notice"].get<std::string>(), Contains("no outside public entropy"));
  }
  // A none task takes no value: neither supplied nor given to the draw.
  ExpectRefused(draw::SupplyEntropy(w->ctx, id, "1.2.3./"), StatusCode::kFailedPrecondition,
                "is none: it takes no value");
  ExpectRefused(draw::DrawTask(w->ctx, id, "1.2.3./"), StatusCode::kInvalidArgument, "it takes no value");
  CHECK(Load(*w, id).state == "announced");
  CHECK(TaskAuditCount(*w, id, "task.entropy") == 0);

  // Ready at once, without allow_empty_entropy.
  REQUIRE_FALSE(w->ctx.allow_empty_entropy);
  const auto drawn = IfReady(*w, id);
  REQUIRE(drawn.has_value());
  CHECK(drawn->state == "drawn");
  CHECK(drawn->entropy.empty());
  CHECK(CountFor(*w->db, "SELECT COUNT(*) FROM draw_selection WHERE task_id = :t", id) == 5);
  // Idempotent: asking again returns the same drawn task and draws nothing.
  const auto again = IfReady(*w, id);
  REQUIRE(again.has_value());
  CHECK(again->selection_hash == drawn->selection_hash);
  CHECK(again->drawn_at_us == drawn->drawn_at_us);
  CHECK(TaskAuditCount(*w, id, "task.draw") == 1);
  CHECK(EventPayloads(*w->db, id, "draw.task.drawn").size() == 1);
  CHECK(EventPayloads(*w->db, id, "draw.task.drawn")[0]["entropy_source_name"] == "none");

  // The public view and the CLI say which source and why the entropy is empty.
  const json view = json::parse(draw::TaskViewJson(w->platform, Load(*w, id), Public()).value());
  CHECK(view["entropy_source_name"] == "none");
  CHECK(view["entropy"] == "");
  CHECK_THAT(view["entropy_notice"].get<std::string>(), Contains("no outside public entropy"));
  auto show = test::RunCli({"--db", w->url, "task", "show", id});
  INFO(show.err);
  REQUIRE(show.exit_code == 0);
  CHECK_THAT(show.out, Contains("entropy source: none") && Contains("entropy notice: 本任务不使用外部公开随机数"));

  // Reveal: the proof names the source, and both verifiers accept it.
  REQUIRE(draw::RevealTask(w->ctx, id, draw::RevealOptions{true, "测试：只核对证明 / test: proofs only"}).ok());
  const std::string dir = test::TempDir() + "/proof-none";
  Status st = draw::WriteTaskProof(w->platform, id, dir);
  INFO(st.message());
  REQUIRE(st.ok());
  const json proof = json::parse(test::ReadFile(dir + "/proof.json"));
  CHECK(proof["entropy"] == "");
  CHECK(proof["entropy_source_name"] == "none");
  CHECK_THAT(proof["entropy_notice"].get<std::string>(), Contains("no outside public entropy"));
  ExpectVerified(dir);
  // A none proof with an entropy slipped in: both verifiers name the entropy, alike.
  {
    const std::string bad = test::TempDir() + "/proof-none-tampered";
    fs::copy(dir, bad, fs::copy_options::recursive);
    json p = proof;
    p["entropy"] = "7.8.11./";
    test::WriteFile(bad + "/proof.json", p.dump(2) + "\n");
    Status v = draw::VerifyProofFolder(bad, DrawPlugins());
    CHECK(v.code() == StatusCode::kConflict);
    CHECK_THAT(v.message(), Contains("mismatch: entropy: the entropy source \"none\" gives another value than the "
                                     "proof's"));
    auto py = test::RunShell(PythonVerifier(bad));
    CHECK(py.exit_code != 0);
    CHECK(py.out == "mismatch: entropy: the entropy source \"none\" gives another value than the proof's\n");
  }
}

TEST_CASE("a manual task waits until its value is supplied, then draws with exactly that value", "[draw][entropy]") {
  auto w = MakeWorld();
  const std::string id = "ENT-MAN-1";
  // The older spec shape: "entropy_source" is the description of a manual source.
  const draw::TaskRecord created = Create(*w, Spec(id, "中国福利彩票双色球第 2026001 期开奖号码"));
  CHECK(created.entropy_source_name == "manual");
  CHECK(created.entropy_source == "中国福利彩票双色球第 2026001 期开奖号码");
  CHECK(json::parse(created.spec_json)["entropy"] == kManual);
  CHECK_THAT(created.entropy_notice, Contains("“中国福利彩票双色球第 2026001 期开奖号码”"));
  Announce(*w, id);

  // Waiting: nothing happens, however often a scheduler asks.
  for (int i = 0; i < 3; ++i) CHECK_FALSE(IfReady(*w, id).has_value());
  CHECK(Load(*w, id).state == "announced");
  CHECK(TaskAuditCount(*w, id, "task.draw") == 0);

  // A value with a stray space is refused and not recorded.
  ExpectRefused(draw::SupplyEntropy(w->ctx, id, "07.11.19.23.28.31./12./ "), StatusCode::kInvalidArgument,
                "starts or ends with a space");
  CHECK(Load(*w, id).entropy_supplied.empty());

  const std::string value = "07.11.19.23.28.31./12./";
  w->ctx.principal.id = "operator-1";
  auto supplied = draw::SupplyEntropy(w->ctx, id, value);
  INFO(supplied.status().message());
  REQUIRE(supplied.ok());
  w->ctx.principal.id = "tester";
  CHECK(supplied->state == "announced");  // recorded, not drawn
  CHECK(supplied->entropy_supplied == value);
  CHECK(supplied->entropy_supplied_by == "operator-1");
  CHECK(supplied->entropy_supplied_at_us > 0);
  CHECK(supplied->entropy.empty());
  CHECK(CountFor(*w->db, "SELECT COUNT(*) FROM draw_selection WHERE task_id = :t", id) == 0);
  CHECK(TaskAuditCount(*w, id, "task.entropy") == 1);
  const auto ev = EventPayloads(*w->db, id, "draw.task.entropy_supplied");
  REQUIRE(ev.size() == 1);
  CHECK(ev[0]["entropy"] == value);
  CHECK(ev[0]["entropy_source_name"] == "manual");
  CHECK(json::parse(draw::TaskViewJson(w->platform, Load(*w, id), Public()).value())["entropy_supplied"] == value);

  // The same value again changes nothing; another value is refused, for supply and draw.
  REQUIRE(draw::SupplyEntropy(w->ctx, id, value).ok());
  CHECK(TaskAuditCount(*w, id, "task.entropy") == 1);
  ExpectRefused(draw::SupplyEntropy(w->ctx, id, "01.02.03.04.05.06./07./"), StatusCode::kConflict, "cannot be changed");
  ExpectRefused(draw::DrawTask(w->ctx, id, "01.02.03.04.05.06./07./"), StatusCode::kConflict,
                "can only be drawn with that value");
  CHECK(Load(*w, id).entropy_supplied == value);

  const auto drawn = IfReady(*w, id);
  REQUIRE(drawn.has_value());
  CHECK(drawn->state == "drawn");
  CHECK(drawn->entropy == value);
  CHECK(EventPayloads(*w->db, id, "draw.task.drawn")[0]["entropy"] == value);
  // Repeats after the draw: DrawIfReady returns the task, the same value is accepted, another
  // is refused because the task is drawn.
  CHECK(IfReady(*w, id)->selection_hash == drawn->selection_hash);
  REQUIRE(draw::SupplyEntropy(w->ctx, id, value).ok());
  ExpectRefused(draw::SupplyEntropy(w->ctx, id, "1./"), StatusCode::kFailedPrecondition,
                "is drawn; cannot supply its entropy value");
  CHECK(TaskAuditCount(*w, id, "task.draw") == 1);

  // The draw used exactly the supplied bytes: the proof verifies with them.
  REQUIRE(draw::RevealTask(w->ctx, id, draw::RevealOptions{true, "测试：只核对证明 / test: proofs only"}).ok());
  const std::string dir = test::TempDir() + "/proof-manual";
  REQUIRE(draw::WriteTaskProof(w->platform, id, dir).ok());
  const json proof = json::parse(test::ReadFile(dir + "/proof.json"));
  CHECK(proof["entropy"] == value);
  CHECK(proof["entropy_source_name"] == "manual");
  CHECK(proof["entropy_source"] == "中国福利彩票双色球第 2026001 期开奖号码");
  ExpectVerified(dir);

  // DrawTask with the value, as before sources were plugins, still works (another task).
  Create(*w, Spec("ENT-MAN-2", kManual));
  Announce(*w, "ENT-MAN-2");
  auto direct = draw::DrawTask(w->ctx, "ENT-MAN-2", value);
  INFO(direct.status().message());
  REQUIRE(direct.ok());
  CHECK(direct->entropy == value);
  CHECK(direct->entropy_supplied.empty());
}

TEST_CASE("entropy refusals: wrong state, hostile values, unknown sources, bad spec shapes",
          "[draw][entropy][hostile]") {
  auto w = MakeWorld();
  // Spec shapes.
  {
    struct Case {
      std::string name;
      json spec;
      std::string expect;
    };
    json both = Spec("X", kManual);
    both["entropy_source"] = "双色球";
    json neither = Spec("X", kManual);
    neither.erase("entropy");
    json extra = Spec("X", kManual);
    extra["entropy"]["colour"] = "red";
    const std::vector<Case> cases{
        {"both shapes", both, "give either entropy or the older entropy_source, not both"},
        {"no entropy", neither, "task spec field entropy: is required"},
        {"manual without a description", Spec("X", json{{"source", "manual"}}),
         "entropy.description: is required when the source is manual"},
        {"the default source without a description", Spec("X", json::object()), "entropy.description: is required"},
        {"a bad source name", Spec("X", json{{"source", "Beacon Round"}}), "entropy.source: must be the name"},
        {"a source that is not a string", Spec("X", json{{"source", 3}}), "entropy.source: must be a string"},
        {"not an object", Spec("X", json::array({"none"})), "entropy: must be an object"},
        {"an unknown field", extra, "entropy.colour: unknown field"},
        {"a control character in the description",
         Spec("X", json{{"source", "manual"}, {"description", "双色球\n第 1 期"}}),
         "entropy.description: contains a control character"},
    };
    for (const auto& c : cases) {
      INFO(c.name);
      Status st = TryCreate(*w, c.spec);
      INFO(st.message());
      CHECK(st.code() == StatusCode::kInvalidArgument);
      CHECK_THAT(st.message(), Contains(c.expect));
    }
  }
  // An unknown source: refused at create and announce when plugins are loaded; accepted
  // without them, but never drawn.
  {
    Status st = TryCreate(*w, Spec("ENT-BEACON", json{{"source", "beacon"}}));
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(),
               Contains("no entropy source named beacon (loaded: lottery, manual, none; plugin missing?)"));
    CHECK(CountFor(*w->db, "SELECT COUNT(*) FROM draw_tasks WHERE id = :t", "ENT-BEACON") == 0);
    w->platform.SetPlugins(nullptr);
    const draw::TaskRecord t = Create(*w, Spec("ENT-BEACON", json{{"source", "beacon"}}));
    CHECK(t.entropy_source_name == "beacon");
    CHECK(t.entropy_notice.empty());
    w->platform.SetPlugins(&DrawHost());
    ExpectRefused(draw::AnnounceTask(w->ctx, "ENT-BEACON"), StatusCode::kInvalidArgument,
                  "no entropy source named beacon");
    CHECK(Load(*w, "ENT-BEACON").state == "draft");
    w->platform.SetPlugins(nullptr);
    Announce(*w, "ENT-BEACON");
    w->platform.SetPlugins(&DrawHost());
    auto r = draw::DrawIfReady(w->ctx, "ENT-BEACON");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kNotFound);
    CHECK_THAT(r.status().message(), Contains("no entropy source named beacon"));
    ExpectRefused(draw::DrawTask(w->ctx, "ENT-BEACON", "1./"), StatusCode::kNotFound, "no entropy source named beacon");
    ExpectRefused(draw::SupplyEntropy(w->ctx, "ENT-BEACON", "1./"), StatusCode::kNotFound, "plugin missing?");
    CHECK(Load(*w, "ENT-BEACON").state == "announced");
  }
  // Supplying in the wrong state: before the announcement, after a cancellation.
  const std::string id = "ENT-MAN-R";
  Create(*w, Spec(id, kManual));
  ExpectRefused(draw::SupplyEntropy(w->ctx, id, "1.2.3./"), StatusCode::kFailedPrecondition,
                "is draft; cannot supply its entropy value");
  Announce(*w, id);
  // Hostile values: nothing is recorded.
  {
    struct Case {
      std::string name, value, expect;
    };
    const std::vector<Case> cases{
        {"empty", "", "the entropy value must not be empty"},
        {"4097 bytes", std::string(4097, '9'), "longer than 4096 bytes"},
        {"a newline", "1.2./\n3./", "control character"},
        {"an escape sequence", "\x1b]0;owned\x07", "control character"},
        {"invalid UTF-8", "1.2.\xc3", "not valid UTF-8"},
        {"a right-to-left override", "1.2.\u202e3./", "invisible formatting character U+202E"},
        {"a zero-width space", "1.2.\u200b3./", "invisible formatting character U+200B"},
        {"an ideographic space at the end", "1.2.3./\u3000", "starts or ends with a space"},
    };
    for (const auto& c : cases) {
      INFO(c.name);
      ExpectRefused(draw::SupplyEntropy(w->ctx, id, c.value), StatusCode::kInvalidArgument, c.expect);
    }
    CHECK(Load(*w, id).entropy_supplied.empty());
    CHECK(TaskAuditCount(*w, id, "task.entropy") == 0);
    CHECK_FALSE(IfReady(*w, id).has_value());
  }
  // Without plugins nothing can be checked: refused.
  w->platform.SetPlugins(nullptr);
  ExpectRefused(draw::SupplyEntropy(w->ctx, id, "1.2.3./"), StatusCode::kFailedPrecondition, "no plugins loaded");
  CHECK_FALSE(draw::DrawIfReady(w->ctx, id).ok());
  w->platform.SetPlugins(&DrawHost());
  // An empty entropy for a manual task stays a demo-only override.
  ExpectRefused(draw::DrawTask(w->ctx, id, ""), StatusCode::kInvalidArgument, "--allow-empty-entropy");
  REQUIRE(draw::CancelTask(w->ctx, id, "测试撤销").ok());
  ExpectRefused(draw::SupplyEntropy(w->ctx, id, "1.2.3./"), StatusCode::kFailedPrecondition,
                "is cancelled; cannot supply its entropy value");
  {
    auto r = draw::DrawIfReady(w->ctx, id);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Contains("is cancelled; cannot draw it"));
  }
  CHECK(TaskAuditCount(*w, id, "task.entropy") == 0);
}

TEST_CASE("the CLI: task entropy records the value, task draw without --entropy uses it", "[draw][entropy][cli]") {
  auto w = MakeWorld();
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", w->url});
    return test::RunCli(args);
  };
  const std::string spec_file = test::TempDir() + "/spec.json";
  test::WriteFile(spec_file, Spec("ENT-CLI-1", kManual).dump());
  REQUIRE(cli({"task", "create", "--spec", spec_file}).exit_code == 0);
  REQUIRE(cli({"task", "announce", "ENT-CLI-1"}).exit_code == 0);
  auto waiting = cli({"task", "draw", "ENT-CLI-1"});
  CHECK(waiting.exit_code == 1);
  CHECK_THAT(waiting.err,
             Contains("is still waiting for its entropy value") && Contains("xinjian task entropy ENT-CLI-1"));
  auto bad = cli({"task", "entropy", "ENT-CLI-1", "1.2.3./\n"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Contains("control character"));
  auto supplied = cli({"task", "entropy", "ENT-CLI-1", "4.8.15.16.23.42./"});
  INFO(supplied.err);
  REQUIRE(supplied.exit_code == 0);
  CHECK_THAT(supplied.out, Contains("entropy supplied: 4.8.15.16.23.42./") && Contains("state: 已公告 / announced"));
  auto drawn = cli({"task", "draw", "ENT-CLI-1", "--json"});
  INFO(drawn.err);
  REQUIRE(drawn.exit_code == 0);
  const json j = json::parse(drawn.out);
  CHECK(j["state"] == "drawn");
  CHECK(j["entropy"] == "4.8.15.16.23.42./");
  CHECK(j["entropy_source_name"] == "manual");

  // A none task: `task draw ID` alone draws it.
  test::WriteFile(spec_file, Spec("ENT-CLI-2", kNone).dump());
  REQUIRE(cli({"task", "create", "--spec", spec_file}).exit_code == 0);
  REQUIRE(cli({"task", "announce", "ENT-CLI-2"}).exit_code == 0);
  auto none = cli({"task", "entropy", "ENT-CLI-2", "1.2./"});
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Contains("it takes no value"));
  auto drawn2 = cli({"task", "draw", "ENT-CLI-2"});
  INFO(drawn2.err);
  REQUIRE(drawn2.exit_code == 0);
  CHECK(Load(*w, "ENT-CLI-2").state == "drawn");

  // The plugin list shows what the entropy plugin registered.
  auto plugins = test::RunCli({"plugins", "list"});
  REQUIRE(plugins.exit_code == 0);
  CHECK_THAT(plugins.out, Contains("entropy_source:lottery,manual,none"));
}
