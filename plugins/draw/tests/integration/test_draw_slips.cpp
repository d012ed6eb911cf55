// Slips a new user makes with a draw (issue 12), each of which weakened the draw or passed
// silently before:
// - a full-width entropy value ("７．８．１１", what a Chinese input method types) was hashed as
//   typed and could never be corrected: now it goes through the source's declared format
//   (converted with the conversions shown, or refused with the reason), is shown back and
//   recorded with who entered it, and can be replaced once before the draw, with a reason;
// - `task reveal` right after the draw published the selection before anyone visited: now a
//   reveal waits for the published results unless --before-inspection --reason says why;
// - a due date in the past was accepted;
// - the default exclusion of open tasks covered every department, so `visits merge` never
//   found two departments' tasks on the same subject;
// - unknown inspector and department names printed nothing with exit 0.
// Runs on SQLite and PostgreSQL (FreshDatabaseUrl), on fixed instants (never today's date).
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "draw_world.h"
#include "test_support.h"

using namespace xj;
using namespace xj::test;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

constexpr int kTiny = 12;

// Departments SCJG and WJW (宁波, 3302); 12 active subjects in 330226 labelled 小池; four
// officers of each department; items SCJG-KEY and SCJG-AD of SCJG, WJW-PUB of WJW, without
// ratio bounds or qualifications. The clock is Monday 2026-06-15, 10:00 Beijing time.
std::unique_ptr<DrawWorld> MakeWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"), NingboDepartment("WJW")};
  for (int i = 0; i < kTiny; ++i) o.subjects.push_back(TinySubject(4545, i));
  for (int i = 1; i <= 4; ++i) {
    o.inspectors.push_back(Officer("SCJG", i, "检查员" + std::to_string(i), ""));
    o.inspectors.push_back(Officer("WJW", i, "卫生监督员" + std::to_string(i), ""));
  }
  o.items = {"SCJG-KEY,特种设备使用单位的检查,SCJG,《特种设备安全法》第五十七条,key,,,2,,,\n",
             "SCJG-AD,广告发布的检查,SCJG,《广告法》第四十九条,key,,,1,,,\n",
             "WJW-PUB,公共场所卫生的检查,WJW,《公共场所卫生管理条例》第十一条,key,,,1,,,\n"};
  o.now = "2026-06-15T10:00:00";
  auto w = MakeDrawWorld(o);
  for (const auto& s : o.subjects) w->tiny.push_back(s.uscc);
  return w;
}

// A task of `department` over the 12 subjects drawing `count`, with the default exclusions
// unless `exclusions` is given.
json Spec(const std::string& id, const std::string& department, const std::string& item, int count,
          const json& entropy = json{{"source", "manual"}, {"description", "中国福利彩票双色球第 2026068 期开奖号码"}},
          const json& exclusions = json()) {
  json s{{"id", id},
         {"title", "疏失测试 " + id},
         {"department", department},
         {"items", json::array({item})},
         {"filters", {{"labels", json::array({"小池"})}}},
         {"rule", {{"count", count}}},
         {"team", {{"slots", json::array({json{{"group", department}, {"count", 2}}})}}},
         {"entropy", entropy}};
  if (!exclusions.is_null()) s["exclusions"] = exclusions;
  return s;
}

const json kLottery{{"source", "lottery"}, {"description", "中国福利彩票双色球第 2026068 期开奖号码"}};

// The real binary on the world's database as operator-cli, on the world's clock.
test::CommandResult Cli(DrawWorld& w, std::vector<std::string> args) {
  args.insert(args.begin(), {"--db", w.url, "--actor", "operator-cli"});
  return test::RunCli(args, w.clock.Env());
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. Entropy through the source's format.

TEST_CASE("full-width entropy is read in the source's format, shown back and recorded with who entered it",
          "[draw][slips][entropy]") {
  auto w = MakeWorld();
  // manual ("text"): full-width forms are read as ASCII, and the conversion is listed.
  Create(*w, Spec("SLIP-MAN", "SCJG", "SCJG-KEY", 3));
  Announce(*w, "SLIP-MAN");
  w->ctx.principal.id = "operator-1";
  auto supplied = draw::SupplyEntropy(w->ctx, "SLIP-MAN", "７．８．１１");
  w->ctx.principal.id = "tester";
  INFO(supplied.status().message());
  REQUIRE(supplied.ok());
  CHECK(supplied->entropy_supplied == "7.8.11");
  CHECK(supplied->entropy_supplied_input == "７．８．１１");
  CHECK(supplied->entropy_supplied_by == "operator-1");
  REQUIRE(supplied->entropy_conversions.size() == 1);
  CHECK_THAT(supplied->entropy_conversions[0], Contains("７→7") && Contains("．→.") && Contains("full-width"));
  {
    const auto ev = EventPayloads(*w->db, "SLIP-MAN", "draw.task.entropy_supplied");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0]["entropy"] == "7.8.11");
    CHECK(ev[0]["input"] == "７．８．１１");
    CHECK(ev[0]["by"] == "operator-1");
  }
  {
    const json view = json::parse(draw::TaskViewJson(w->platform, Load(*w, "SLIP-MAN"), Public()).value());
    CHECK(view["entropy_supplied"] == "7.8.11");
    CHECK(view["entropy_supplied_input"] == "７．８．１１");
  }
  // Typing it again either way changes nothing; the draw hashes the ASCII bytes.
  REQUIRE(draw::SupplyEntropy(w->ctx, "SLIP-MAN", "7.8.11").ok());
  REQUIRE(draw::SupplyEntropy(w->ctx, "SLIP-MAN", "７．８．１１").ok());
  CHECK(TaskAuditCount(*w, "SLIP-MAN", "task.entropy") == 1);
  auto drawn = draw::DrawIfReady(w->ctx, "SLIP-MAN");
  INFO(drawn.status().message());
  REQUIRE(drawn.ok());
  REQUIRE(drawn->has_value());
  CHECK(drawn.value()->entropy == "7.8.11");

  // lottery ("rfc3797"): only digits, '.' and '/'; full-width forms, '。' and leading zeros
  // are converted, anything else refused with the reason; nothing refused is recorded.
  Create(*w, Spec("SLIP-LOT", "SCJG", "SCJG-AD", 3, kLottery));
  Announce(*w, "SLIP-LOT");
  struct Refusal {
    std::string name, typed, expect;
  };
  const std::vector<Refusal> refusals{
      {"spaces between numbers", "7 8 11",
       "character 2 ' ' (U+0020) is not a digit, '.' or '/': numbers are separated by '.'"},
      {"an ideographic comma", "7、8、11./", "character 2 '、' (U+3001)"},
      {"a letter", "7.8.a./", "character 5 'a' (U+0061) is not a digit"},
      {"no final slash", "7.8.11", "did you mean 7.8.11./?"},
      {"full-width without the RFC form", "７．８．１１",
       "(converted: 7.8.11) does not have the form: did you mean 7.8.11./?"},
      {"a number without its '.'", "7.8.11/", "did you mean 7.8.11./?"},
      {"an empty group", "7.8./ /", "is not a digit"},
      {"two slashes", "7.8.//", "did you mean 7.8./?"},
      {"only separators", "./", "holds no number"},
      {"empty", "", "must not be empty"},
      {"a newline", "7.8./\n9./", "control character"},
      {"a right-to-left override", "7.8.\u202e11./", "invisible formatting character U+202E"},
      {"invalid UTF-8", "7.8.\xff./", "not valid UTF-8"},
      {"4097 bytes", std::string(4097, '7'), "longer than 4096 bytes"},
  };
  for (const auto& c : refusals) {
    INFO(c.name);
    ExpectRefused(draw::SupplyEntropy(w->ctx, "SLIP-LOT", c.typed), StatusCode::kInvalidArgument, c.expect);
  }
  CHECK(Load(*w, "SLIP-LOT").entropy_supplied.empty());
  CHECK(TaskAuditCount(*w, "SLIP-LOT", "task.entropy") == 0);
  auto lot = draw::SupplyEntropy(w->ctx, "SLIP-LOT", "０７．０８．１１。／２。／");
  INFO(lot.status().message());
  REQUIRE(lot.ok());
  CHECK(lot->entropy_supplied == "7.8.11./2./");
  CHECK(lot->entropy_supplied_input == "０７．０８．１１。／２。／");
  const std::string conversions = [&] {
    std::string s;
    for (const auto& c : lot->entropy_conversions) s += c + "\n";
    return s;
  }();
  CHECK_THAT(conversions, Contains("０→0") && Contains("／→/") && Contains("'。' read as '.'") &&
                              Contains("leading zeros dropped: 07→7, 08→8"));
  // A value already in the form is recorded as typed, with no conversion and no input column.
  Create(*w, Spec("SLIP-LOT2", "WJW", "WJW-PUB", 3, kLottery));
  Announce(*w, "SLIP-LOT2");
  auto plain = draw::SupplyEntropy(w->ctx, "SLIP-LOT2", "9319./2.5.8.10.12./");
  REQUIRE(plain.ok());
  CHECK(plain->entropy_supplied == "9319./2.5.8.10.12./");
  CHECK(plain->entropy_supplied_input.empty());
  CHECK(plain->entropy_conversions.empty());
  // `task draw --entropy` reads the value the same way.
  Create(*w, Spec("SLIP-LOT3", "SCJG", "SCJG-KEY", 2, kLottery, json{{"open_tasks", false}}));
  Announce(*w, "SLIP-LOT3");
  ExpectRefused(draw::DrawTask(w->ctx, "SLIP-LOT3", "7 8 11"), StatusCode::kInvalidArgument, "is not a digit");
  auto direct = draw::DrawTask(w->ctx, "SLIP-LOT3", "７．８．１１．／");
  INFO(direct.status().message());
  REQUIRE(direct.ok());
  CHECK(direct->entropy == "7.8.11./");
  CHECK_FALSE(direct->entropy_conversions.empty());
  CHECK(EventPayloads(*w->db, "SLIP-LOT3", "draw.task.drawn")[0]["entropy_input"] == "７．８．１１．／");

  // The CLI shows what was typed, what is recorded, the conversions and who entered it.
  Create(*w, Spec("SLIP-CLI", "WJW", "WJW-PUB", 2, json{{"source", "manual"}, {"description", "双色球"}},
                  json{{"open_tasks", false}}));
  Announce(*w, "SLIP-CLI");
  auto out = Cli(*w, {"task", "entropy", "SLIP-CLI", "７．８．１１"});
  INFO(out.out << out.err);
  REQUIRE(out.exit_code == 0);
  CHECK_THAT(out.out, Contains("entropy supplied: 7.8.11（operator-cli") && Contains("as typed: ７．８．１１") &&
                          Contains("７→7"));
  Create(*w, Spec("SLIP-CLI2", "WJW", "WJW-PUB", 2, kLottery, json{{"open_tasks", false}}));
  Announce(*w, "SLIP-CLI2");
  auto as_json = Cli(*w, {"task", "entropy", "SLIP-CLI2", "０７．０８．１１．／", "--json"});
  INFO(as_json.err);
  REQUIRE(as_json.exit_code == 0);
  const json shown = json::parse(as_json.out);
  CHECK(shown["entropy_supplied"] == "7.8.11./");
  CHECK(shown["entropy_supplied_input"] == "０７．０８．１１．／");
  CHECK(shown["entropy_conversions"].size() == 2);
  auto refused = Cli(*w, {"task", "entropy", "SLIP-LOT2", "--replace", "--reason", "测试", "7 8 11"});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Contains("is not a digit, '.' or '/'") && Contains("7.8.11.17.19.25.46./"));
}

TEST_CASE("a wrongly entered entropy value can be replaced once before the draw, with a reason shown on the notice",
          "[draw][slips][entropy]") {
  auto w = MakeWorld();
  const std::string id = "SLIP-FIX";
  Create(*w, Spec(id, "SCJG", "SCJG-KEY", 3, kLottery));
  Announce(*w, id);
  w->ctx.principal.id = "operator-1";
  REQUIRE(draw::SupplyEntropy(w->ctx, id, "1.2.3./").ok());
  // Supplying another value is not the way to correct it.
  ExpectRefused(draw::SupplyEntropy(w->ctx, id, "4.5.6./"), StatusCode::kConflict, "--replace --reason");
  // Replacing needs a reason, a value in the format and a different value.
  w->ctx.principal.id = "operator-2";
  ExpectRefused(draw::ReplaceEntropy(w->ctx, id, "4.5.6./", ""), StatusCode::kInvalidArgument, "needs a reason");
  ExpectRefused(draw::ReplaceEntropy(w->ctx, id, "4.5.6./", "录错\n了"), StatusCode::kInvalidArgument,
                "needs a reason");
  ExpectRefused(draw::ReplaceEntropy(w->ctx, id, "4 5 6", "录错了"), StatusCode::kInvalidArgument, "is not a digit");
  ExpectRefused(draw::ReplaceEntropy(w->ctx, id, "１．２．３．／", "录错了"), StatusCode::kInvalidArgument,
                "is the value recorded already");
  CHECK(TaskAuditCount(*w, id, "task.entropy.replace") == 0);
  auto fixed = draw::ReplaceEntropy(w->ctx, id, "４．５．６．／", "看错了期号：应为第 2026068 期");
  INFO(fixed.status().message());
  REQUIRE(fixed.ok());
  CHECK(fixed->entropy_supplied == "4.5.6./");
  CHECK(fixed->entropy_supplied_by == "operator-2");
  CHECK(fixed->entropy_supplied_input == "４．５．６．／");
  CHECK(fixed->entropy_replaced == "1.2.3./");
  CHECK(fixed->entropy_replaced_by == "operator-1");
  CHECK(fixed->entropy_replace_reason == "看错了期号：应为第 2026068 期");
  CHECK(TaskAuditCount(*w, id, "task.entropy.replace") == 1);
  {
    const auto ev = EventPayloads(*w->db, id, "draw.task.entropy_replaced");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0]["replaced"] == "1.2.3./");
    CHECK(ev[0]["entropy"] == "4.5.6./");
    CHECK(ev[0]["reason"] == "看错了期号：应为第 2026068 期");
    CHECK(ev[0]["by"] == "operator-2");
  }
  // Once only.
  ExpectRefused(draw::ReplaceEntropy(w->ctx, id, "7.8.9./", "又错了"), StatusCode::kConflict, "replaced once already");
  ExpectRefused(draw::SupplyEntropy(w->ctx, id, "7.8.9./"), StatusCode::kConflict, "replaced once already");
  // The notice shows both values and the reason: the public view, the task notice, the CLI.
  const json view = json::parse(draw::TaskViewJson(w->platform, Load(*w, id), Public()).value());
  CHECK(view["entropy_supplied"] == "4.5.6./");
  CHECK(view["entropy_replaced"]["value"] == "1.2.3./");
  CHECK(view["entropy_replaced"]["reason"] == "看错了期号：应为第 2026068 期");
  const json notice = TaskNoticeJson(*w, id);
  CHECK(notice["entropy_replaced"]["value"] == "1.2.3./");
  auto shown = Cli(*w, {"task", "show", id});
  REQUIRE(shown.exit_code == 0);
  CHECK_THAT(shown.out,
             Contains("entropy replaced: 1.2.3./") && Contains("4.5.6./") && Contains("看错了期号：应为第 2026068 期"));
  // The draw uses the replacement; after the draw nothing can be replaced, and the notice still
  // shows both.
  auto drawn = draw::DrawIfReady(w->ctx, id);
  REQUIRE(drawn.ok());
  REQUIRE(drawn->has_value());
  CHECK(drawn.value()->entropy == "4.5.6./");
  ExpectRefused(draw::ReplaceEntropy(w->ctx, id, "7.8.9./", "抽取后"), StatusCode::kFailedPrecondition,
                "is drawn; cannot replace its entropy value");
  CHECK(json::parse(draw::TaskViewJson(w->platform, Load(*w, id), Public()).value())["entropy_replaced"]["value"] ==
        "1.2.3./");
  // Nothing to replace before a value was supplied; the CLI needs --reason with --replace.
  Create(*w, Spec("SLIP-FIX2", "WJW", "WJW-PUB", 3, kLottery));
  Announce(*w, "SLIP-FIX2");
  ExpectRefused(draw::ReplaceEntropy(w->ctx, "SLIP-FIX2", "1.2./", "测试"), StatusCode::kFailedPrecondition,
                "no entropy value has been supplied");
  auto no_reason = Cli(*w, {"task", "entropy", "SLIP-FIX2", "1.2./", "--replace"});
  CHECK(no_reason.exit_code == 2);
  CHECK_THAT(no_reason.err, Contains("--reason"));
  auto reason_only = Cli(*w, {"task", "entropy", "SLIP-FIX2", "1.2./", "--reason", "x"});
  CHECK(reason_only.exit_code == 2);
  CHECK_THAT(reason_only.err, Contains("--replace"));
}

// ---------------------------------------------------------------------------------------------
// 2. No reveal before the inspections.

TEST_CASE("a task is revealed after its inspections' results are published, or early only with a reason",
          "[draw][slips][reveal]") {
  auto w = MakeWorld();
  const std::string id = "SLIP-REV";
  Drawn(*w, Spec(id, "SCJG", "SCJG-KEY", 3));
  ExpectRefused(draw::RevealTask(w->ctx, id), StatusCode::kFailedPrecondition,
                "3 of its 3 drawn subjects have no published inspection result yet");
  ExpectRefused(draw::RevealTask(w->ctx, id, draw::RevealOptions{true, ""}), StatusCode::kInvalidArgument,
                "needs a reason");
  ExpectRefused(draw::RevealTask(w->ctx, id, draw::RevealOptions{false, "为什么"}), StatusCode::kInvalidArgument,
                "--before-inspection");
  // Through the CLI: refused with the way out named; the public still sees no selection.
  auto cli = Cli(*w, {"task", "reveal", id});
  CHECK(cli.exit_code == 1);
  CHECK_THAT(cli.err, Contains("--before-inspection --reason"));
  CHECK(Load(*w, id).state == "drawn");
  CHECK_FALSE(json::parse(draw::TaskViewJson(w->platform, Load(*w, id), Public()).value()).contains("selection"));
  CHECK(TaskAuditCount(*w, id, "task.reveal") == 0);

  // Publishing every result reveals the task, as a normal reveal (no reason recorded).
  PublishAllResults(*w, id, "2026-06-15");
  const draw::TaskRecord revealed = Load(*w, id);
  CHECK(revealed.state == "revealed");
  CHECK(revealed.reveal_reason.empty());
  CHECK_FALSE(json::parse(draw::TaskViewJson(w->platform, revealed, Public()).value()).contains("revealed_before_inspection"));

  // An early reveal: audited, with the reason and the count on every notice.
  const std::string early = "SLIP-EARLY";
  Drawn(*w, Spec(early, "WJW", "WJW-PUB", 2));
  auto ok = Cli(*w, {"task", "reveal", early, "--before-inspection", "--reason", "企业已注销，检查取消"});
  INFO(ok.out << ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK_THAT(ok.out, Contains("revealed before the inspections") && Contains("企业已注销，检查取消"));
  const draw::TaskRecord e = Load(*w, early);
  CHECK(e.state == "revealed");
  CHECK(e.reveal_reason == "企业已注销，检查取消");
  CHECK(e.reveal_unpublished == 2);
  const json view = json::parse(draw::TaskViewJson(w->platform, e, Public()).value());
  CHECK(view["revealed_before_inspection"]["reason"] == "企业已注销，检查取消");
  CHECK(view["revealed_before_inspection"]["unpublished"] == 2);
  const json notice = TaskNoticeJson(*w, early);
  CHECK(notice["revealed_before_inspection"]["reason"] == "企业已注销，检查取消");
  CHECK(TaskAuditCount(*w, early, "task.reveal") == 1);
  const auto ev = EventPayloads(*w->db, early, "draw.task.revealed");
  REQUIRE(ev.size() == 1);
  CHECK(ev[0]["before_inspection"] == true);
  CHECK(ev[0]["reason"] == "企业已注销，检查取消");
  CHECK(ev[0]["unpublished"] == 2);
}

// ---------------------------------------------------------------------------------------------
// 3. Due dates.

TEST_CASE("a due date before today (the process clock) is refused at create and at announce", "[draw][slips][due]") {
  auto w = MakeWorld();  // today is 2026-06-15
  for (const std::string past : {"2020-01-01", "2026-06-14"}) {
    INFO(past);
    json s = Spec("SLIP-DUE", "SCJG", "SCJG-KEY", 2);
    s["due_date"] = past;
    Status st = TryCreate(*w, s);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), Contains("due date " + past + " is before today (2026-06-15)"));
  }
  CHECK_FALSE(draw::LoadTask(w->platform, "SLIP-DUE").ok());
  json today = Spec("SLIP-DUE-0", "SCJG", "SCJG-KEY", 2);
  today["due_date"] = "2026-06-15";
  Create(*w, today);
  json later = Spec("SLIP-DUE-1", "SCJG", "SCJG-AD", 2);
  later["due_date"] = "2026-06-20";
  Create(*w, later);
  // A draft whose due date passed before its announcement is not announced.
  w->platform.SetNow(ShanghaiMicros(2026, 6, 22, 9));
  ExpectRefused(draw::AnnounceTask(w->ctx, "SLIP-DUE-1"), StatusCode::kInvalidArgument,
                "due date 2026-06-20 is before today (2026-06-22)");
  CHECK(Load(*w, "SLIP-DUE-1").state == "draft");
  // The CLI counts on --now / XINJIAN_NOW, never on the machine's date.
  json cli_spec = Spec("SLIP-DUE-CLI", "WJW", "WJW-PUB", 2);
  cli_spec["due_date"] = "2026-06-14";
  const std::string file = test::TempDir() + "/due.json";
  test::WriteFile(file, cli_spec.dump());
  auto refused = Cli(*w, {"task", "create", "--spec", file});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Contains("2026-06-14") && Contains("before today (2026-06-15)"));
  auto accepted = test::RunCli({"--db", w->url, "--now", "2026-06-01", "task", "create", "--spec", file});
  INFO(accepted.err);
  CHECK(accepted.exit_code == 0);
}

// ---------------------------------------------------------------------------------------------
// 4. Open tasks and merging.

TEST_CASE(
    "by default open tasks exclude only their own department's and items' subjects, so two departments overlap "
    "and visits merge proposes the joint visits",
    "[draw][slips][merge]") {
  auto w = MakeWorld();
  // SCJG draws all 12 subjects; WJW, with default exclusions, draws 6 of the same 12.
  Drawn(*w, Spec("SLIP-A", "SCJG", "SCJG-KEY", kTiny));
  CHECK(json::parse(Load(*w, "SLIP-A").spec_json)["exclusions"]["open_tasks"] == "own");
  Drawn(*w, Spec("SLIP-B", "WJW", "WJW-PUB", 6));
  CHECK(PoolUsccs(*w->db, "SLIP-B") == std::set<std::string>(w->tiny.begin(), w->tiny.end()));
  const std::set<std::string> b = SelectedUsccs(*w, "SLIP-B");
  REQUIRE(b.size() == 6);
  const json merge = PluginJson(*w, "visits merge", {{"--period", {"2026-06"}}});
  CHECK(merge["applied"] == false);
  CHECK(merge["proposals"].size() == 6);
  CHECK(merge["saved"] == 6);
  for (const auto& p : merge["proposals"]) {
    CHECK(b.count(p["uscc"].get<std::string>()) == 1);
    CHECK(p["departments"].get<std::vector<std::string>>() == std::vector<std::string>{"SCJG", "WJW"});
  }
  auto cli = Cli(*w, {"visits", "merge", "--period", "2026-06"});
  INFO(cli.out << cli.err);
  CHECK(cli.exit_code == 0);
  CHECK_THAT(cli.out, Contains("proposed: 6"));

  // The department's own open task still excludes its subjects, for any of its items ...
  Create(*w, Spec("SLIP-C", "SCJG", "SCJG-AD", 1));
  ExpectRefused(draw::AnnounceTask(w->ctx, "SLIP-C"), StatusCode::kInvalidArgument, "pool of task SLIP-C is empty");
  // ... and the stricter rule, asked for with "all", excludes every department's open tasks.
  Create(*w, Spec("SLIP-D", "WJW", "WJW-PUB", 1, json{{"source", "none"}},
                  json{{"open_tasks", "all"}, {"same_item_within_days", 0}}));
  ExpectRefused(draw::AnnounceTask(w->ctx, "SLIP-D"), StatusCode::kInvalidArgument, "pool of task SLIP-D is empty");
  // A task of another department sharing an item with an open task is excluded from its
  // subjects too (a joint task of WJW with SCJG's item).
  json joint = Spec("SLIP-E", "WJW", "WJW-PUB", 1, json{{"source", "none"}}, json{{"same_item_within_days", 0}});
  joint["items"] = json::array({"WJW-PUB", "SCJG-AD"});
  joint["participants"] = json::array({"SCJG"});
  joint["team"]["slots"] = json::array({json{{"group", "WJW"}, {"count", 1}}, json{{"group", "SCJG"}, {"count", 1}}});
  Create(*w, joint);
  ExpectRefused(draw::AnnounceTask(w->ctx, "SLIP-E"), StatusCode::kInvalidArgument, "pool of task SLIP-E is empty");
  // true is the default ("own"), false and "none" switch the exclusion off; anything else is refused.
  for (const auto& [value, normal] : std::vector<std::pair<json, std::string>>{
           {true, "own"}, {"own", "own"}, {false, "none"}, {"none", "none"}, {"all", "all"}}) {
    json s = Spec("SLIP-F", "SCJG", "SCJG-AD", 1, json{{"source", "none"}}, json{{"open_tasks", value}});
    auto parsed = draw::ParseTaskSpec(s.dump());
    INFO(value.dump() << " " << parsed.status().message());
    REQUIRE(parsed.ok());
    CHECK(json::parse(draw::SpecToJson(parsed.value()))["exclusions"]["open_tasks"] == normal);
  }
  for (const json& bad : {json("some"), json(1), json::array({"all"}), json("ALL")}) {
    INFO(bad.dump());
    Status st =
        TryCreate(*w, Spec("SLIP-G", "SCJG", "SCJG-AD", 1, json{{"source", "none"}}, json{{"open_tasks", bad}}));
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), Contains("exclusions.open_tasks") && Contains("\"own\"") && Contains("\"all\""));
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Unknown names.

TEST_CASE("unknown inspectors and departments are errors naming them", "[draw][slips][cli]") {
  auto w = MakeWorld();
  Drawn(*w, Spec("SLIP-N", "SCJG", "SCJG-KEY", 2));
  auto nobody = Cli(*w, {"tasks", "for", "NOBODY"});
  CHECK(nobody.exit_code == 1);
  CHECK_THAT(nobody.err, Contains("NOBODY") && Contains("no inspector NOBODY"));
  CHECK(nobody.out.empty());
  auto nobody_json = Cli(*w, {"tasks", "for", "NOBODY", "--json"});
  CHECK(nobody_json.exit_code == 1);
  auto r = draw::TasksForInspector(w->platform, "NOBODY");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kNotFound);
  // A known inspector without visits is a normal, empty answer.
  auto idle = Cli(*w, {"tasks", "for", "WJW-04"});
  CHECK(idle.exit_code == 0);
  CHECK_THAT(idle.out, Contains("no inspections assigned"));

  auto nope = Cli(*w, {"task", "show", "SLIP-N", "--department", "NOPE"});
  CHECK(nope.exit_code == 1);
  CHECK_THAT(nope.err, Contains("no department NOPE"));
  CHECK(nope.out.empty());
  auto nope_json = Cli(*w, {"task", "show", "SLIP-N", "--department", "NOPE", "--json"});
  CHECK(nope_json.exit_code == 1);
  CHECK(nope_json.out.empty());
  auto list = Cli(*w, {"task", "list", "--department", "NOPE"});
  CHECK(list.exit_code == 1);
  CHECK_THAT(list.err, Contains("no department NOPE"));
  auto missing = Cli(*w, {"task", "show", "NO-SUCH-TASK"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Contains("no draw task NO-SUCH-TASK"));
  // Known names still work: another department sees the notice without the selection.
  auto other = Cli(*w, {"task", "show", "SLIP-N", "--department", "WJW"});
  CHECK(other.exit_code == 0);
  CHECK_THAT(other.out, Contains("visible only to the task's department"));
}
