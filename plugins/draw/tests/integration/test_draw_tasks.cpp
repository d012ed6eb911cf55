// Draw tasks end to end (issue 3): the task service from draft to revealed, the CLI, proofs
// checked by both verifiers (ours and tools/verify_draw.py) and rejected when tampered with,
// the refusals, unstaffable subjects, exclusions, the previous-inspector rule,
// confidentiality before the reveal, audit records and events, hostile spec files, pools and
// strata by the lists subjects are on.
// Runs on SQLite and PostgreSQL (FreshDatabaseUrl); small hand-made directories plus a few
// hundred generated subjects keep it to a few seconds per backend.

#include <algorithm>
#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "draw_world.h"
#include "proof.h"
#include "test_support.h"
#include "xinjian/digest.h"

using namespace xj;
using namespace xj::test;
using nlohmann::json;
using nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// The directory every test starts from.
//
// Departments SCJG and WJW, both with the jurisdiction 3302 (宁波市).
// Subjects: generated ones (province 33, so some in 3302 and most elsewhere) plus "tiny"
// subjects made by hand in 330226 (宁海县) labelled 小池: 12 active ones, one revoked and one
// outside the jurisdiction (330106, 杭州), so a label filter gives a pool of exactly 12.
// Inspectors of SCJG: SCJG-01..08 eligible for SCJG-FOOD (active, certificate valid,
// qualified 食品安全); SCJG-09 inactive, SCJG-10 with an expired certificate, SCJG-11 without
// the qualification, SCJG-X1 an expert: none of these may ever be on a SCJG-FOOD team.
// Items: SCJG-FOOD (ratio 2 %–30 %, needs 食品安全), SCJG-AD (up to 50 %, no qualification),
// SCJG-KEY (key item, no bounds, needs 食品安全), WJW-PUB (another department's item).

constexpr int kTiny = 12;
const std::set<std::string> kEligible{"SCJG-01", "SCJG-02", "SCJG-03", "SCJG-04",
                                      "SCJG-05", "SCJG-06", "SCJG-07", "SCJG-08"};

std::string TinyUscc(int i) { return GeneratedUscc(4242, "33", static_cast<std::uint64_t>(i)); }

// A hand-made subject labelled 小池 (and 食品经营), number `i`.
Subject Tiny(int i, const std::string& status, const std::string& region) {
  const char* risks[] = {"A", "B", "C", "D", ""};
  Subject s = TinySubject(4242, i);
  s.region = region;
  s.registered_on = "2015-05-0" + std::to_string(1 + i % 9);
  s.status = status;
  s.risk_class = risks[i % 5];
  s.labels = "小池;食品经营";
  s.address = "浙江省宁波市宁海县跃龙街道测试路" + std::to_string(i + 1) + "号";
  return s;
}

// `generated` subjects of the generator (with `seed`) before the hand-made ones; the process
// clock (tests that need a fixed instant set it: w->platform.SetNow).
std::unique_ptr<DrawWorld> MakeWorld(std::uint64_t generated = 1200, std::uint64_t seed = 7) {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"), NingboDepartment("WJW")};
  o.generated_subjects = generated;
  o.generated_seed = seed;
  for (int i = 0; i < kTiny + 2; ++i)
    o.subjects.push_back(Tiny(i, i == kTiny ? "revoked" : "active", i == kTiny + 1 ? "330106" : "330226"));
  for (int i = 1; i <= 8; ++i)
    o.inspectors.push_back(Officer("SCJG", i, "检查员" + std::to_string(i), "食品安全;特种设备"));
  Inspector away = Officer("SCJG", 9, "离岗人员", "食品安全");
  away.status = "inactive";
  Inspector expired = Officer("SCJG", 10, "证件过期", "食品安全");
  expired.certificate_expires = "2020-01-01";
  Inspector expert = Officer("SCJG", 12, "专家", "食品安全");
  expert.id = "SCJG-X1";
  expert.expert = true;
  o.inspectors.insert(o.inspectors.end(), {away, expired, Officer("SCJG", 11, "无资格人员", "广告监管"), expert});
  const char* wjw[] = {"卫生监督员一", "卫生监督员二", "卫生监督员三"};
  for (int i = 1; i <= 3; ++i) o.inspectors.push_back(Officer("WJW", i, wjw[i - 1], "卫生监督"));
  o.items = {"SCJG-FOOD,食品经营者的检查,SCJG,《食品安全法》第一百一十条,general,2,30,1,,,食品安全\n",
             "SCJG-AD,广告发布的检查,SCJG,《广告法》第四十九条,general,,50,1,,,\n",
             "SCJG-KEY,特种设备使用单位的检查,SCJG,《特种设备安全法》第五十七条,key,,,2,,,食品安全\n",
             "WJW-PUB,公共场所卫生的检查,WJW,《公共场所卫生管理条例》第十一条,general,,20,1,,,卫生监督\n"};
  auto w = MakeDrawWorld(o);
  for (int i = 0; i < kTiny; ++i) w->tiny.push_back(TinyUscc(i));
  return w;
}

// ---------------------------------------------------------------------------------------------
// Specs and task helpers.

json Spec(const std::string& id, const std::string& item = "SCJG-FOOD") {
  return json{{"id", id},
              {"title", "测试任务 " + id},
              {"department", "SCJG"},
              {"items", json::array({item})},
              {"rule", {{"ratio_percent", {{"*", 10}}}}},
              {"team", {{"slots", json::array({json{{"group", "SCJG"}, {"count", 2}}})}}},
              {"entropy_source", "中国福利彩票双色球第 2026001 期开奖号码"}};
}

// A spec over the 12 tiny subjects, drawing all of them.
json TinySpec(const std::string& id, const std::string& item = "SCJG-KEY") {
  json s = Spec(id, item);
  s["filters"] = {{"labels", json::array({"小池"})}};
  s["rule"] = {{"count", kTiny}};
  s["exclusions"] = {{"same_item_within_days", 0}, {"open_tasks", false}};
  return s;
}

// Replaces one file of a folder by `edit` of its content (which must change it).
void EditFile(const std::string& path, const std::function<std::string(const std::string&)>& edit) {
  const std::string before = test::ReadFile(path);
  const std::string after = edit(before);
  REQUIRE(after != before);
  test::WriteFile(path, after);
}

std::string Hex64(std::mt19937_64& rng) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 64; ++i) s += d[rng() % 16];
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

void ImportRelations(DrawWorld& w, const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<Relation> rows;
  for (const auto& [i, u] : pairs) rows.push_back({i, u, "relative", "近亲属在该单位任职"});
  Import(*w.db, DirectoryKind::kRelations, RelationsCsv(rows));
}

// Puts subjects on lists (their whole sets) as the lists plugin does: Platform::SetListings in
// a unit of work of its own.
void PutOnLists(DrawWorld& w, const std::vector<Platform::ListingsChange>& changes) {
  auto n = TransactValue<std::int64_t>(w.platform, Principal::System("lists"),
                                       [&](UnitOfWork& uow) { return w.platform.SetListings(uow, changes); });
  INFO(n.status().message());
  REQUIRE(n.ok());
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST_CASE("a task goes from draft to revealed through the service and both verifiers accept its proof",
          "[draw][tasks]") {
  auto w = MakeWorld();
  Database& db = *w->db;
  json spec = Spec("2026-SCJG-LIFE");
  spec["strata"] = "risk_class";
  spec["rule"] = {{"ratio_percent", {{"A", 5}, {"B", 10}, {"C", "12.5"}, {"D", 25}, {"*", 10}}}};
  spec["due_date"] = "2026-12-31";
  // A fixed instant, never the day the test runs (a due date before today is refused):
  // 2026-06-15T12:00 Beijing time.
  w->platform.SetNow(1781496000LL * 1000000);

  // Draft: no pool, no commitment.
  draw::TaskRecord t = Create(*w, spec);
  CHECK(t.id == "2026-SCJG-LIFE");
  CHECK(t.pool_size == 0);
  CHECK(t.commitment.empty());
  CHECK(t.items == std::vector<std::string>{"SCJG-FOOD"});
  CHECK(StoredFile(db, t.id, "pool.tsv").empty());

  // Announce: the pool is every active subject of the jurisdiction (no filter, no item
  // restriction, nothing excluded yet), each with its risk class as stratum.
  t = Announce(*w, t.id);
  const long long eligible = Count(db, "SELECT COUNT(*) FROM subjects WHERE status = 'active' AND region LIKE '3302%'");
  REQUIRE(eligible > 50);
  CHECK(t.pool_size == eligible);
  const std::string pool_file = StoredFile(db, t.id, "pool.tsv");
  CHECK(t.pool_hash == digest::Sha256Hex(pool_file));
  CHECK(t.pool_hash.size() == 64);
  const auto pool = Pool(db, t.id);
  REQUIRE(pool.size() == static_cast<std::size_t>(eligible));
  CHECK(std::is_sorted(pool.begin(), pool.end()));
  for (const auto& [u, stratum] : pool) {
    auto rows = Rows(db, "SELECT region, status, COALESCE(risk_class, '') FROM subjects WHERE uscc = :u", u);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0][0].rfind("3302", 0) == 0);
    CHECK(rows[0][1] == "active");
    CHECK(stratum == (rows[0][2].empty() ? "none" : rows[0][2]));
  }
  for (const auto& u : w->tiny)
    CHECK(std::find_if(pool.begin(), pool.end(), [&](auto& p) { return p.first == u; }) != pool.end());
  CHECK(std::find_if(pool.begin(), pool.end(), [&](auto& p) { return p.first == TinyUscc(kTiny); }) == pool.end());
  CHECK(std::find_if(pool.begin(), pool.end(), [&](auto& p) { return p.first == TinyUscc(kTiny + 1); }) == pool.end());
  REQUIRE(t.commitment.size() == 64);
  REQUIRE(t.secret_hex.size() == 64);  // stored, for the service only
  {
    auto secret = draw::FromHex(t.secret_hex);
    REQUIRE(secret.ok());
    CHECK(draw::Commitment(secret.value()) == t.commitment);
    CHECK(t.commitment == digest::Sha256Hex(secret.value()));
  }
  for (const std::string& view : {draw::TaskViewJson(w->platform, t, Public()).value(),
                                  draw::TaskViewJson(w->platform, t, ViewerOf("SCJG")).value()}) {
    CHECK_THAT(view, !Catch::Contains(t.secret_hex));
    const json j = json::parse(view);
    CHECK(j["state"] == "announced");
    CHECK(j["pool_size"] == eligible);
    CHECK(j["pool_hash"] == t.pool_hash);
    CHECK(j["commitment"] == t.commitment);
    CHECK(j["algorithm"] == "xj-draw-v1");
    CHECK_FALSE(j.contains("secret"));
  }

  // Relations: SCJG-01 is related to every subject of the pool, SCJG-02 to every other one.
  std::vector<std::pair<std::string, std::string>> rel;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    rel.emplace_back("SCJG-01", pool[i].first);
    if (i % 2 == 0) rel.emplace_back("SCJG-02", pool[i].first);
  }
  ImportRelations(*w, rel);
  const std::set<std::pair<std::string, std::string>> related(rel.begin(), rel.end());

  // Draw: the selection follows the allocation; the teams are two distinct eligible officers
  // of the department, never one related to the subject.
  t = Draw(*w, t.id, "07.11.19.23.28.31./12./");
  CHECK(t.entropy == "07.11.19.23.28.31./12./");
  CHECK(t.seed_hex.size() == 64);
  const json allocation = json::parse(t.allocation_json);
  std::uint64_t total = 0;
  for (auto it = allocation.begin(); it != allocation.end(); ++it) total += it.value().get<std::uint64_t>();
  const auto sel = Selection(*w, t.id);
  REQUIRE(total > 0);
  CHECK(sel.size() == total);
  std::map<std::string, std::uint64_t> per_stratum;
  std::set<std::string> seen;
  std::map<std::string, int> visits;
  const std::set<std::string> pool_set = PoolUsccs(db, t.id);
  for (std::size_t i = 0; i < sel.size(); ++i) {
    const auto& s = sel[i];
    CHECK(s.rank == static_cast<std::int64_t>(i + 1));
    CHECK(pool_set.count(s.uscc) == 1);
    CHECK(seen.insert(s.uscc).second);
    ++per_stratum[s.stratum];
    REQUIRE(s.team.size() == 2);
    CHECK(s.team[0] != s.team[1]);
    for (const auto& officer : s.team) {
      CHECK(kEligible.count(officer) == 1);
      CHECK(related.count({officer, s.uscc}) == 0);
      ++visits[officer];
    }
    if (i > 0) CHECK(sel[i - 1].ticket < s.ticket);
  }
  for (auto it = allocation.begin(); it != allocation.end(); ++it)
    CHECK(per_stratum[it.key()] == it.value().get<std::uint64_t>());
  CHECK(visits.count("SCJG-01") == 0);
  // The database agrees with the hard-coded eligible set.
  {
    std::set<std::string> from_db;
    for (const auto& row : Rows(db,
                                "SELECT id FROM inspectors WHERE department = 'SCJG' AND status = 'active' AND "
                                "certificate_expires >= :t AND qualifications LIKE '%食品安全%' AND expert = 0",
                                t.draw_date))
      from_db.insert(row.at(0));
    CHECK(from_db == kEligible);
  }
  // The conflicts file holds the declared pairs of the selected subjects.
  const std::string conflicts = StoredFile(db, t.id, "conflicts.tsv");
  CHECK(digest::Sha256Hex(conflicts) == t.conflicts_hash);
  for (const auto& s : sel) CHECK_THAT(conflicts, Catch::Contains(s.uscc + "\tSCJG-01\n"));
  // Before the reveal, the public view holds no selected subject.
  {
    const std::string pub = draw::TaskViewJson(w->platform, t, Public()).value();
    for (const auto& s : sel) CHECK_THAT(pub, !Catch::Contains(s.uscc));
    CHECK_THAT(pub, !Catch::Contains(t.secret_hex));
  }
  // No proof before the reveal.
  const std::string early = test::TempDir() + "/early";
  CHECK_FALSE(draw::WriteTaskProof(w->platform, t.id, early).ok());
  CHECK_FALSE(fs::exists(early + "/proof.json"));

  // Reveal, then the proof.
  t = Reveal(*w, t.id);
  {
    const json pub = json::parse(draw::TaskViewJson(w->platform, t, Public()).value());
    CHECK(pub["secret"] == t.secret_hex);
    CHECK(pub["selection"].size() == sel.size());
    CHECK(pub["selection"][0]["uscc"] == sel[0].uscc);
    CHECK(pub["selection"][0]["lead"] == sel[0].team[0]);
  }
  const std::string dir = test::TempDir() + "/proof";
  Status st = draw::WriteTaskProof(w->platform, t.id, dir);
  INFO(st.message());
  REQUIRE(st.ok());
  for (const char* f : {"proof.json", "pool.tsv", "selection.tsv", "assignment.tsv", "groups.tsv", "conflicts.tsv"})
    CHECK(fs::exists(dir + "/" + f));
  const json proof = json::parse(test::ReadFile(dir + "/proof.json"));
  CHECK(proof["algorithm"] == "xj-draw-v1");
  CHECK(proof["task_id"] == t.id);
  CHECK(proof["commitment"] == t.commitment);
  CHECK(proof["secret"] == t.secret_hex);
  CHECK(proof["pool_hash"] == t.pool_hash);
  CHECK(proof["pool_size"] == eligible);
  CHECK(proof["selection_hash"] == digest::Sha256Hex(test::ReadFile(dir + "/selection.tsv")));
  CHECK(proof["assignment_hash"] == digest::Sha256Hex(test::ReadFile(dir + "/assignment.tsv")));
  CHECK(proof["slots"] == json::parse(R"([["SCJG", 2]])"));
  CHECK(test::ReadFile(dir + "/pool.tsv") == pool_file);
  // groups.tsv: exactly the eligible officers, sorted.
  std::string groups;
  for (const auto& id : kEligible) groups += "SCJG\t" + id + "\n";
  CHECK(test::ReadFile(dir + "/groups.tsv") == groups);
  ExpectVerified(dir);
}

TEST_CASE("the CLI runs a task end to end from generated data to a verified proof", "[draw][tasks][cli]") {
  const std::string url = test::FreshDatabaseUrl();
  const std::string dir = test::TempDir();
  // A fixed day: the generated inspectors' certificates expire from 2027 on, so on the real
  // date the pool of officers would empty in a few years.
  const std::map<std::string, std::string> at{{"XINJIAN_NOW", "2026-06-15T10:00:00"}};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", url});
    auto r = test::RunCli(args, at);
    INFO(args.back() << ": " << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  run({"init"});
  REQUIRE(test::RunCli({"gen", "subjects", "--count", "1000", "--seed", "3", "-o", dir + "/s.csv"}).exit_code == 0);
  REQUIRE(test::RunCli({"gen", "departments", "--count", "5", "--seed", "3", "-o", dir + "/d.csv"}).exit_code == 0);
  REQUIRE(test::RunCli({"gen", "inspectors", "--count", "60", "--seed", "3", "-o", dir + "/i.csv"}).exit_code == 0);
  REQUIRE(test::RunCli({"gen", "items", "--count", "10", "--seed", "3", "-o", dir + "/it.csv"}).exit_code == 0);
  REQUIRE(test::RunCli({"gen", "relations", "--count", "200", "--seed", "3", "--subjects", "1000", "--inspectors", "60",
                        "-o", dir + "/r.csv"})
              .exit_code == 0);
  for (auto [kind, file] : std::vector<std::pair<std::string, std::string>>{{"departments", "d.csv"},
                                                                            {"subjects", "s.csv"},
                                                                            {"inspectors", "i.csv"},
                                                                            {"items", "it.csv"},
                                                                            {"relations", "r.csv"}})
    run({"import", kind, dir + "/" + file});
  // The first generated item: SCJG's, a general item (3 %–15 %) for enterprises that needs no
  // particular qualification.
  const std::string item = "SCJG-2026-001";
  REQUIRE_THAT(test::ReadFile(dir + "/it.csv"), Catch::Contains("\n" + item + ","));
  INFO("item " << item);
  json spec = Spec("2026-CLI-0001", item);
  spec["rule"] = {{"ratio_percent", {{"*", 5}}}};
  spec["strata"] = "none";
  test::WriteFile(dir + "/spec.json", spec.dump(2));
  auto created = run({"task", "create", "--spec", dir + "/spec.json", "--json"});
  CHECK(json::parse(created.out)["state"] == "draft");
  auto announced = run({"task", "announce", "2026-CLI-0001", "--json"});
  const json a = json::parse(announced.out);
  CHECK(a["state"] == "announced");
  CHECK(a["pool_size"].get<long long>() > 0);
  CHECK(a["commitment"].get<std::string>().size() == 64);
  CHECK_FALSE(a.contains("secret"));
  auto drawn = run({"task", "draw", "2026-CLI-0001", "--entropy", "1.2.3.4.5.6./7./"});
  CHECK_THAT(drawn.out, Catch::Contains("drawn"));
  run({"task", "reveal", "2026-CLI-0001", "--before-inspection", "--reason", "测试：只核对证明 / test: proofs only"});
  auto listed = run({"task", "list"});
  CHECK_THAT(listed.out, Catch::Contains("2026-CLI-0001\trevealed"));
  run({"task", "proof", "2026-CLI-0001", "--out", dir + "/proof"});
  auto v = test::RunCli({"verify", dir + "/proof", "--json"});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(json::parse(v.out)["verified"] == true);
  ExpectVerified(dir + "/proof");
  auto audit = run({"audit", "verify"});
  (void)audit;
}

TEST_CASE("both verifiers agree on proofs of random tasks and both reject tampered proofs", "[draw][tasks]") {
  auto w = MakeWorld(1200, 11);
  std::random_device rd;
  const std::uint64_t seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  INFO("entropy seed " << seed);
  std::mt19937_64 rng(seed);
  std::vector<json> specs;
  {
    json s = Spec("RND-ratio-plain", "SCJG-FOOD");
    s["rule"] = {{"ratio_percent", {{"*", "7.5"}}}};
    s["team"]["expert"] = {{"group", "SCJG"}, {"count", 1}};  // SCJG-X1 joins every team
    specs.push_back(s);
  }
  {
    json s = Spec("RND-count-risk", "SCJG-KEY");
    s["strata"] = "risk_class";
    s["rule"] = {{"count", 17 + rng() % 20}};
    specs.push_back(s);
  }
  {
    json s = Spec("RND-ratio-region", "SCJG-AD");
    s["strata"] = "region";
    s["rule"] = {
        {"ratio_percent", {{"*", 10}, {"330226", "20.25"}}}, {"min", {{"330226", 3}}}, {"max", {{"330203", 5}}}};
    specs.push_back(s);
  }
  {
    json s = Spec("RND-ratio-label", "SCJG-AD");
    s["strata"] = "label";
    s["strata_labels"] = json::array({"食品经营", "特种设备"});
    s["rule"] = {{"ratio_percent", {{"食品经营", "12.5"}, {"特种设备", 20}, {"other", "4.0001"}}}};
    specs.push_back(s);
  }
  {
    json s = TinySpec("RND-count-tiny");
    s["rule"] = {{"count", 5}};
    s["strata"] = "risk_class";
    specs.push_back(s);
  }
  std::vector<std::string> dirs;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    json s = specs[i];
    s["exclusions"] = {{"same_item_within_days", 0}, {"open_tasks", false}};
    const std::string id = s["id"];
    INFO("task " << id);
    Create(*w, s);
    Announce(*w, id);
    std::string entropy;
    if (i + 1 == specs.size()) {
      w->ctx.allow_empty_entropy = true;  // the demo case: reproducible, not protected
    } else {
      entropy = Hex64(rng).substr(0, 8 + rng() % 40);
    }
    draw::TaskRecord t = Draw(*w, id, entropy);
    w->ctx.allow_empty_entropy = false;
    const auto sel = Selection(*w, id);
    CHECK(sel.size() > 0);
    for (const auto& m : sel) {
      if (id == "RND-ratio-plain") {
        REQUIRE(m.team.size() == 3);
        CHECK(m.team[2] == "SCJG-X1");
      } else {
        REQUIRE(m.team.size() == 2);
        CHECK(m.team[0] != "SCJG-X1");
        CHECK(m.team[1] != "SCJG-X1");
      }
    }
    Reveal(*w, id);
    const std::string dir = test::TempDir() + "/" + id;
    Status st = draw::WriteTaskProof(w->platform, id, dir);
    INFO(st.message());
    REQUIRE(st.ok());
    ExpectVerified(dir);
    dirs.push_back(dir);
  }
  // Empty entropy is flagged in the public view.
  CHECK(json::parse(draw::TaskViewJson(w->platform, Load(*w, "RND-count-tiny"), Public()).value()).contains("warning"));

  // Tampering: one edited line in each file in turn.
  const std::string good = dirs[0];
  const std::vector<std::string> pool_lines = Lines(test::ReadFile(good + "/pool.tsv"));
  const std::vector<std::string> sel_lines = Lines(test::ReadFile(good + "/selection.tsv"));
  REQUIRE(sel_lines.size() >= 2);
  std::set<std::string> selected;
  for (const auto& l : sel_lines) selected.insert(l.substr(l.find('\t') + 1, 18));
  std::string unselected;
  for (const auto& l : pool_lines)
    if (!selected.count(l.substr(0, 18))) unselected = l.substr(0, 18);
  REQUIRE(!unselected.empty());

  struct Tamper {
    std::string name, file, expect;
    std::function<std::string(const std::string&)> edit;
  };
  const std::vector<Tamper> tampers{
      {"selection: another subject on line 2", "selection.tsv", "selection.tsv",
       [&](const std::string& text) {
         auto lines = Lines(text);
         const std::string& l = lines[1];
         const auto a = l.find('\t');
         lines[1] = l.substr(0, a + 1) + unselected + l.substr(a + 19);
         return JoinLines(lines);
       }},
      {"secret: last hex digit changed", "proof.json", "commitment",
       [&](const std::string& text) {
         json p = json::parse(text);
         std::string s = p["secret"];
         s.back() = s.back() == '0' ? '1' : '0';
         p["secret"] = s;
         return p.dump(2) + "\n";
       }},
      {"pool: last line removed", "pool.tsv", "pool.tsv",
       [&](const std::string& text) {
         auto lines = Lines(text);
         lines.pop_back();
         return JoinLines(lines);
       }},
      {"pool: a stratum changed", "pool.tsv", "pool.tsv",
       [&](const std::string& text) {
         auto lines = Lines(text);
         lines[0] = lines[0].substr(0, 18) + "\tX";
         return JoinLines(lines);
       }},
      {"assignment: lead and second officer swapped on line 1", "assignment.tsv", "assignment.tsv",
       [&](const std::string& text) {
         auto lines = Lines(text);
         const auto tab = lines[0].find('\t'), comma = lines[0].find(',');
         REQUIRE(comma != std::string::npos);
         lines[0] =
             lines[0].substr(0, tab + 1) + lines[0].substr(comma + 1) + "," + lines[0].substr(tab + 1, comma - tab - 1);
         return JoinLines(lines);
       }},
  };
  for (const auto& tp : tampers) {
    INFO("tampered: " << tp.name);
    ExpectTamperRejected(
        good, [&](const std::string& dir) { EditFile(dir + "/" + tp.file, tp.edit); }, tp.expect);
  }
  // Not a file with a hash, but canonical: both verifiers refuse a reordered groups.tsv.
  ExpectTamperRejected(
      good,
      [&](const std::string& dir) {
        EditFile(dir + "/groups.tsv", [](const std::string& text) {
          auto lines = Lines(text);
          REQUIRE(lines.size() >= 2);
          std::swap(lines[0], lines[1]);
          return JoinLines(lines);
        });
      },
      "groups.tsv");
  // Other errors: exit 1 from ours, non-zero from Python.
  {
    const std::string empty = test::TempDir();
    auto cli = test::RunCli({"verify", empty});
    CHECK(cli.exit_code == 1);
    CHECK_THAT(cli.out + cli.err, Catch::Contains("proof.json"));
    CHECK(test::RunShell(PythonVerifier(empty)).exit_code != 0);
    const std::string broken = test::TempDir() + "/broken";
    fs::copy(good, broken, fs::copy_options::recursive);
    test::WriteFile(broken + "/proof.json", "{\"algorithm\": ");
    CHECK(test::RunCli({"verify", broken}).exit_code == 1);
    CHECK(test::RunShell(PythonVerifier(broken)).exit_code != 0);
  }
}

TEST_CASE("refused tasks name the reason and store nothing", "[draw][tasks]") {
  auto w = MakeWorld(600, 5);
  Database& db = *w->db;
  auto nothing_stored = [&](long long tasks, long long audit, long long events) {
    CHECK(Count(db, "SELECT COUNT(*) FROM draw_tasks") == tasks);
    CHECK(Count(db, "SELECT COUNT(*) FROM draw_task_items") == tasks);
    CHECK(Count(db, "SELECT COUNT(*) FROM audit_log") == audit);
    CHECK(Count(db, "SELECT COUNT(*) FROM events") == events);
  };
  const long long audit0 = Count(db, "SELECT COUNT(*) FROM audit_log");
  const long long events0 = Count(db, "SELECT COUNT(*) FROM events");

  auto refused = [&](const json& spec, const std::string& expect) {
    INFO("expecting: " << expect);
    Status st = TryCreate(*w, spec);
    INFO(st.message());
    CHECK_FALSE(st.ok());
    CHECK_THAT(st.message(), Catch::Contains(expect));
    nothing_stored(0, audit0, events0);
  };

  SECTION("at create") {
    // An unstratified ratio outside the item's bounds (2 %–30 %).
    json low = Spec("R-LOW");
    low["rule"] = {{"ratio_percent", {{"*", 1}}}};
    refused(low, "below the minimum 2% of item SCJG-FOOD");
    json high = Spec("R-HIGH");
    high["rule"] = {{"ratio_percent", {{"*", "30.5"}}}};
    refused(high, "above the maximum 30% of item SCJG-FOOD");
    // A team of fewer than 2 officers: the parser refuses it ...
    json one = Spec("R-ONE");
    one["team"]["slots"][0]["count"] = 1;
    refused(one, "a team needs at least 2 officers");
    // ... and so does the service for a spec built in code.
    {
      auto parsed = draw::ParseTaskSpec(Spec("R-ONE-CODE").dump());
      REQUIRE(parsed.ok());
      draw::TaskSpec s = parsed.value();
      s.slots[0].count = 1;
      auto r = draw::CreateTask(w->ctx, s);
      INFO(r.status().message());
      CHECK_FALSE(r.ok());
      CHECK_THAT(r.status().message(), Catch::Contains("at least 2"));
      nothing_stored(0, audit0, events0);
    }
    // Another department's team or item.
    json other_team = Spec("R-TEAM");
    other_team["team"]["slots"][0]["group"] = "WJW";
    refused(other_team, "team slot department WJW is not the task's department SCJG");
    json other_item = Spec("R-ITEM");
    other_item["items"] = json::array({"SCJG-FOOD", "WJW-PUB"});
    refused(other_item, "item WJW-PUB belongs to department WJW, not SCJG");
    json no_item = Spec("R-NOITEM", "SCJG-NONE");
    refused(no_item, "no item SCJG-NONE");
    json no_dept = Spec("R-NODEPT");
    no_dept["department"] = "NOPE";
    refused(no_dept, "no department NOPE");
    // A filter region outside the jurisdiction (3302): Hangzhou.
    json outside = Spec("R-OUT");
    outside["filters"] = {{"regions", json::array({"330226", "3301"})}};
    refused(outside, "filter region 3301 lies outside the department's jurisdiction");
    // An unknown sampler.
    json sampler = Spec("R-SAMPLER");
    sampler["sampler"] = "coin-flip";
    refused(sampler, "no sampler named coin-flip");
    // A risk-class rule that leaves a class without a ratio.
    json partial = Spec("R-PARTIAL");
    partial["strata"] = "risk_class";
    partial["rule"] = {{"ratio_percent", {{"A", 5}, {"B", 5}}}};
    refused(partial, "no ratio for risk class C");
    // Replacing a task that does not exist.
    json repl = Spec("R-REPL");
    repl["replaces"] = {{"task", "NO-SUCH-TASK"}, {"reason", "参数错误"}};
    refused(repl, "NO-SUCH-TASK");
  }

  SECTION("at announce") {
    auto announce_refused = [&](const json& spec, const std::string& expect) {
      INFO("expecting: " << expect);
      const std::string id = spec["id"];
      Create(*w, spec);
      const long long audit = Count(db, "SELECT COUNT(*) FROM audit_log");
      const long long events = Count(db, "SELECT COUNT(*) FROM events");
      auto r = draw::AnnounceTask(w->ctx, id);
      INFO(r.status().message());
      CHECK_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kInvalidArgument);
      CHECK_THAT(r.status().message(), Catch::Contains(expect));
      const draw::TaskRecord t = Load(*w, id);
      CHECK(t.state == "draft");
      CHECK(t.pool_size == 0);
      CHECK(t.commitment.empty());
      CHECK(t.secret_hex.empty());
      CHECK(CountFor(db, "SELECT COUNT(*) FROM draw_files WHERE task_id = :t", id) == 0);
      CHECK(Count(db, "SELECT COUNT(*) FROM audit_log") == audit);
      CHECK(Count(db, "SELECT COUNT(*) FROM events") == events);
    };
    // Stratified: the per-stratum ratios add up above the item's maximum.
    json strat = Spec("A-HIGH");
    strat["strata"] = "risk_class";
    strat["rule"] = {{"ratio_percent", {{"*", 60}}}};
    announce_refused(strat, "above the maximum ratio 30% of item SCJG-FOOD");
    // A count rule that draws too little or too much for the item.
    json few = Spec("A-FEW");
    few["rule"] = {{"count", 1}};
    announce_refused(few, "below the minimum ratio 2% of item SCJG-FOOD");
    json count = Spec("A-COUNT");
    count["rule"] = {{"count", 100000}};
    announce_refused(count, "above the maximum ratio 30% of item SCJG-FOOD");
    // An empty pool: a label nobody carries, or a type nobody in the tiny set has.
    json nobody = Spec("A-EMPTY-LABEL");
    nobody["filters"] = {{"labels", json::array({"无人拥有的标签"})}};
    announce_refused(nobody, "the pool of task A-EMPTY-LABEL is empty");
    json none2 = Spec("A-EMPTY-MIX", "SCJG-KEY");
    none2["filters"] = {{"labels", json::array({"小池"})}, {"types", json::array({"public_institution"})}};
    announce_refused(none2, "is empty");
    json region = Spec("A-EMPTY-REGION", "SCJG-KEY");
    region["filters"] = {{"regions", json::array({"330203"})}, {"labels", json::array({"小池"})}};
    announce_refused(region, "is empty");
    // The refused drafts can still be cancelled, with their reason.
    auto c = draw::CancelTask(w->ctx, "A-HIGH", "比例超出事项上限，重新发起");
    INFO(c.status().message());
    REQUIRE(c.ok());
    CHECK(c->state == "cancelled");
  }
}

TEST_CASE(
    "transitions happen only in order: no early draw, reveal or proof, no redraw, replacement only of a cancelled task",
    "[draw][tasks]") {
  auto w = MakeWorld(600, 5);
  Database& db = *w->db;
  const std::string id = "2026-SCJG-0001";
  Create(*w, Spec(id));

  auto wrong_state = [&](const Result<draw::TaskRecord>& r, const std::string& expect, const std::string& state) {
    INFO(r.status().message());
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(r.status().message(), Catch::Contains(expect));
    CHECK(Load(*w, id).state == state);
  };
  // Draw before announce, reveal before draw.
  wrong_state(draw::DrawTask(w->ctx, id, "1.2.3./"), "is draft; cannot draw it", "draft");
  wrong_state(draw::RevealTask(w->ctx, id), "is draft; cannot reveal it", "draft");
  Announce(*w, id);
  wrong_state(draw::AnnounceTask(w->ctx, id), "is announced; cannot announce it", "announced");
  wrong_state(draw::RevealTask(w->ctx, id), "is announced; cannot reveal it", "announced");
  // The entropy is required unless explicitly allowed.
  {
    auto r = draw::DrawTask(w->ctx, id, "");
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("--entropy"));
    CHECK(Load(*w, id).state == "announced");
  }
  Draw(*w, id, "5.9.13./");
  const draw::TaskRecord drawn = Load(*w, id);
  const auto sel = Selection(*w, id);
  const long long rows = CountFor(db, "SELECT COUNT(*) FROM draw_selection WHERE task_id = :t", id);
  // No redraw: a second draw fails and changes nothing.
  wrong_state(draw::DrawTask(w->ctx, id, "another.entropy./"), "is drawn; cannot draw it", "drawn");
  CHECK(CountFor(db, "SELECT COUNT(*) FROM draw_selection WHERE task_id = :t", id) == rows);
  CHECK(Load(*w, id).selection_hash == drawn.selection_hash);
  CHECK(Load(*w, id).entropy == "5.9.13./");
  // Proof before reveal: refused, through the CLI too (exit 1), nothing written.
  CHECK_FALSE(draw::WriteTaskProof(w->platform, id, test::TempDir() + "/p").ok());
  const std::string out = test::TempDir() + "/cli-proof";
  auto proof = test::RunCli({"--db", w->url, "task", "proof", id, "--out", out});
  CHECK(proof.exit_code == 1);
  CHECK_THAT(proof.err, Catch::Contains("the proof is published only after the reveal"));
  CHECK_FALSE(fs::exists(out + "/proof.json"));
  CHECK_FALSE(fs::exists(out + "/selection.tsv"));
  // Cancelling needs a reason (service and CLI).
  {
    auto r = draw::CancelTask(w->ctx, id, "");
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("needs a reason"));
    auto r2 = draw::CancelTask(w->ctx, id, "有\n换行");
    CHECK_FALSE(r2.ok());
    auto cli = test::RunCli({"--db", w->url, "task", "cancel", id, "--reason", ""});
    CHECK(cli.exit_code == 1);
    CHECK_THAT(cli.err, Catch::Contains("needs a reason"));
    CHECK(Load(*w, id).state == "drawn");
  }
  // A replacement must name a cancelled task: not a drawn one.
  {
    json repl = Spec("2026-SCJG-0002");
    repl["replaces"] = {{"task", id}, {"reason", "抽取范围有误"}};
    Status st = TryCreate(*w, repl);
    CHECK_FALSE(st.ok());
    CHECK_THAT(st.message(), Catch::Contains("only a cancelled task can be replaced"));
    CHECK(CountFor(db, "SELECT COUNT(*) FROM draw_tasks WHERE id = :t", "2026-SCJG-0002") == 0);
  }
  // The officers see the drawn task in their lists ...
  {
    auto list = draw::TasksForInspector(w->platform, sel[0].team[0]);
    REQUIRE(list.ok());
    CHECK(std::any_of(list->begin(), list->end(), [&](const draw::InspectorTask& it) { return it.task_id == id; }));
  }
  // Cancel with a reason (through the CLI), then replace.
  const std::string reason = "筛选条件遗漏了新设立的市场主体";
  auto cancel = test::RunCli({"--db", w->url, "task", "cancel", id, "--reason", reason});
  INFO(cancel.err);
  REQUIRE(cancel.exit_code == 0);
  CHECK(Load(*w, id).state == "cancelled");
  {
    // ... and no longer once it is cancelled.
    auto list = draw::TasksForInspector(w->platform, sel[0].team[0]);
    REQUIRE(list.ok());
    for (const auto& it : list.value()) CHECK(it.task_id != id);
  }
  wrong_state(draw::RevealTask(w->ctx, id), "is cancelled; cannot reveal it", "cancelled");
  wrong_state(draw::DrawTask(w->ctx, id, "5.9.13./"), "is cancelled; cannot draw it", "cancelled");
  wrong_state(draw::AnnounceTask(w->ctx, id), "is cancelled; cannot announce it", "cancelled");
  wrong_state(draw::CancelTask(w->ctx, id, "再撤销一次"), "is cancelled; cannot cancel it", "cancelled");
  json repl = Spec("2026-SCJG-0002");
  repl["replaces"] = {{"task", id}, {"reason", "原任务已撤销：" + reason}};
  const draw::TaskRecord r = Create(*w, repl);
  CHECK(r.replaces == id);
  CHECK(r.replace_reason == "原任务已撤销：" + reason);
  // A cancelled task can be replaced once.
  {
    json again = Spec("2026-SCJG-0003");
    again["replaces"] = {{"task", id}, {"reason", "再次替代"}};
    Status st = TryCreate(*w, again);
    CHECK_FALSE(st.ok());
    CHECK_THAT(st.message(), Catch::Contains("already replaced by 2026-SCJG-0002"));
  }
  // The old task stays visible: cancelled, with its reason and its replacement.
  const draw::TaskRecord old = Load(*w, id);
  CHECK(old.state == "cancelled");
  CHECK(old.cancel_reason == reason);
  CHECK(old.replaced_by == "2026-SCJG-0002");
  CHECK(old.selection_hash == drawn.selection_hash);
  auto show = test::RunCli({"--db", w->url, "task", "show", id});
  INFO(show.err);
  REQUIRE(show.exit_code == 0);
  CHECK_THAT(show.out, Catch::Contains("cancelled"));
  CHECK_THAT(show.out, Catch::Contains(reason));
  CHECK_THAT(show.out, Catch::Contains("replaced by: 2026-SCJG-0002"));
  for (const auto& s : sel) CHECK_THAT(show.out, !Catch::Contains(s.uscc));
  auto show_json = test::RunCli({"--db", w->url, "task", "show", id, "--json"});
  REQUIRE(show_json.exit_code == 0);
  const json j = json::parse(show_json.out);
  CHECK(j["state"] == "cancelled");
  CHECK(j["cancel_reason"] == reason);
  CHECK(j["replaced_by"] == "2026-SCJG-0002");
  CHECK_FALSE(j.contains("secret"));
  auto show_new = test::RunCli({"--db", w->url, "task", "show", "2026-SCJG-0002", "--json"});
  REQUIRE(show_new.exit_code == 0);
  CHECK(json::parse(show_new.out)["replaces"]["task"] == id);
  // A revealed task cannot be cancelled.
  Announce(*w, "2026-SCJG-0002");
  Draw(*w, "2026-SCJG-0002");
  Reveal(*w, "2026-SCJG-0002");
  auto c = draw::CancelTask(w->ctx, "2026-SCJG-0002", "太晚了");
  CHECK_FALSE(c.ok());
  CHECK(Load(*w, "2026-SCJG-0002").state == "revealed");
}

TEST_CASE("subjects that cannot be staffed fail the draw, all named, and nothing is saved", "[draw][tasks]") {
  auto w = MakeWorld(300, 5);
  Database& db = *w->db;
  const std::string id = "2026-SCJG-TINY";
  Create(*w, TinySpec(id));
  draw::TaskRecord t = Announce(*w, id);
  REQUIRE(t.pool_size == kTiny);  // the revoked one and the one outside the jurisdiction are out
  CHECK(PoolUsccs(db, id) == std::set<std::string>(w->tiny.begin(), w->tiny.end()));
  // Every eligible officer is related to tiny[0]; all but SCJG-08 to tiny[1].
  std::vector<std::pair<std::string, std::string>> rel;
  for (const auto& o : kEligible) {
    rel.emplace_back(o, w->tiny[0]);
    if (o != "SCJG-08") rel.emplace_back(o, w->tiny[1]);
  }
  rel.emplace_back("SCJG-01", w->tiny[2]);  // one conflict is fine
  ImportRelations(*w, rel);
  const long long audit = Count(db, "SELECT COUNT(*) FROM audit_log");
  const long long events = Count(db, "SELECT COUNT(*) FROM events");

  auto r = draw::DrawTask(w->ctx, id, "8.16.23./");
  INFO(r.status().message());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(r.status().message(), Catch::Contains("cannot be staffed"));
  CHECK_THAT(r.status().message(), Catch::Contains(w->tiny[0]));
  CHECK_THAT(r.status().message(), Catch::Contains(w->tiny[1]));
  for (int i = 2; i < kTiny; ++i) CHECK_THAT(r.status().message(), !Catch::Contains(w->tiny[i]));
  auto nothing_saved = [&] {
    const draw::TaskRecord after = Load(*w, id);
    CHECK(after.state == "announced");
    CHECK(after.selection_hash.empty());
    CHECK(after.entropy.empty());
    CHECK(after.drawn_at_us == 0);
    CHECK(CountFor(db, "SELECT COUNT(*) FROM draw_selection WHERE task_id = :t", id) == 0);
    CHECK(CountFor(db, "SELECT COUNT(*) FROM draw_files WHERE task_id = :t AND name = 'groups.tsv'", id) == 0);
    CHECK(CountFor(db, "SELECT COUNT(*) FROM draw_files WHERE task_id = :t", id) == 1);  // pool.tsv only
    CHECK(Count(db, "SELECT COUNT(*) FROM audit_log") == audit);
    CHECK(Count(db, "SELECT COUNT(*) FROM events") == events);
  };
  nothing_saved();
  // The CLI says the same and exits 1.
  auto cli = test::RunCli({"--db", w->url, "task", "draw", id, "--entropy", "8.16.23./"});
  CHECK(cli.exit_code == 1);
  CHECK_THAT(cli.err, Catch::Contains(w->tiny[0]));
  CHECK_THAT(cli.err, Catch::Contains(w->tiny[1]));
  nothing_saved();

  // Too few eligible officers for the team size: 9 needed, 8 eligible.
  const std::string big = "2026-SCJG-NINE";
  json nine = TinySpec(big);
  nine["team"]["slots"][0]["count"] = 9;
  nine["filters"]["labels"] = json::array({"食品经营"});
  nine["rule"] = {{"count", 3}};
  Create(*w, nine);
  Announce(*w, big);
  auto r9 = draw::DrawTask(w->ctx, big, "1./");
  INFO(r9.status().message());
  CHECK_FALSE(r9.ok());
  CHECK(r9.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(r9.status().message(), Catch::Contains("department SCJG has only 8 eligible officers"));
  CHECK(Load(*w, big).state == "announced");
  CHECK(CountFor(db, "SELECT COUNT(*) FROM draw_selection WHERE task_id = :t", big) == 0);
}

TEST_CASE("exclusions: subjects of open tasks and of the same item this year stay out of the next pool",
          "[draw][tasks]") {
  auto w = MakeWorld(1200, 5);
  Database& db = *w->db;
  // Some pools come from the platform's in-memory subject index instead of a table scan: same
  // result. The index is loaded now and caught up at each indexed announce.
  {
    auto index = w->platform.Subjects();
    INFO(index.status().message());
    REQUIRE(index.ok());
    CHECK(index.value()->size() >= 1200);
  }
  auto announce_indexed = [&](const std::string& id) {
    w->ctx.subject_index = true;
    Announce(*w, id);
    w->ctx.subject_index = false;
  };
  Create(*w, Spec("EX-1", "SCJG-FOOD"));
  Announce(*w, "EX-1");
  const std::set<std::string> pool1 = PoolUsccs(db, "EX-1");
  Draw(*w, "EX-1");
  const std::set<std::string> s1 = SelectedUsccs(*w, "EX-1");
  REQUIRE(s1.size() >= 5);
  std::set<std::string> rest = pool1;
  for (const auto& u : s1) rest.erase(u);

  // EX-1 is open (drawn, not revealed): its subjects are out of any other task's pool, even
  // for another item.
  Create(*w, Spec("EX-2", "SCJG-AD"));
  Announce(*w, "EX-2");
  CHECK(PoolUsccs(db, "EX-2") == rest);
  // Unless the task says open tasks do not matter and no same-item window applies.
  {
    json s = Spec("EX-2b", "SCJG-AD");
    s["exclusions"] = {{"open_tasks", false}};
    Create(*w, s);
    announce_indexed("EX-2b");
    CHECK(PoolUsccs(db, "EX-2b") == pool1);
  }

  Reveal(*w, "EX-1");
  // Revealed: still excluded for the same item within the calendar year (the default) ...
  Create(*w, Spec("EX-3", "SCJG-FOOD"));
  Announce(*w, "EX-3");
  CHECK(PoolUsccs(db, "EX-3") == rest);
  // ... or within 30 days ...
  {
    json s = Spec("EX-3b", "SCJG-FOOD");
    s["exclusions"] = {{"same_item_within_days", 30}};
    Create(*w, s);
    announce_indexed("EX-3b");
    CHECK(PoolUsccs(db, "EX-3b") == rest);
  }
  // ... but not for another item (open_tasks is satisfied: EX-1 is no longer open) ...
  Create(*w, Spec("EX-4", "SCJG-AD"));
  Announce(*w, "EX-4");
  CHECK(PoolUsccs(db, "EX-4") == pool1);
  // ... nor for the same item when the window is 0 days.
  {
    json s = Spec("EX-5", "SCJG-FOOD");
    s["exclusions"] = {{"same_item_within_days", 0}, {"open_tasks", true}};
    Create(*w, s);
    announce_indexed("EX-5");
    CHECK(PoolUsccs(db, "EX-5") == pool1);
  }
  // A task with both items is excluded by either.
  {
    json s = Spec("EX-6", "SCJG-AD");
    s["items"] = json::array({"SCJG-AD", "SCJG-FOOD"});
    Create(*w, s);
    Announce(*w, "EX-6");
    CHECK(PoolUsccs(db, "EX-6") == rest);
  }
  // A cancelled drawn task excludes nothing.
  Draw(*w, "EX-4");
  const std::set<std::string> s4 = SelectedUsccs(*w, "EX-4");
  REQUIRE(draw::CancelTask(w->ctx, "EX-4", "测试撤销").ok());
  Create(*w, Spec("EX-7", "SCJG-AD"));
  Announce(*w, "EX-7");
  const std::set<std::string> pool7 = PoolUsccs(db, "EX-7");
  for (const auto& u : s4) CHECK(pool7.count(u) == 1);

  // The default window is the calendar year: a draw for the item last year does not exclude,
  // a window of 3660 days does.
  {
    // Fixed instants, never the day the test runs: drawn on 15 June 2025, the rest on 15 June
    // 2026 (12:00 Beijing time).
    constexpr std::int64_t kJune15_2025 = 1749960000LL * 1000000;  // 2025-06-15T04:00:00Z
    constexpr std::int64_t kJune15_2026 = 1781496000LL * 1000000;  // 2026-06-15T04:00:00Z
    json old = TinySpec("EX-OLD");
    old.erase("exclusions");
    old["rule"] = {{"count", 4}};
    Create(*w, old);
    Announce(*w, "EX-OLD");
    w->platform.SetNow(kJune15_2025);
    Draw(*w, "EX-OLD");
    w->platform.SetNow(kJune15_2026);
    Reveal(*w, "EX-OLD");
    const std::set<std::string> s_old = SelectedUsccs(*w, "EX-OLD");
    REQUIRE(s_old.size() == 4);
    json cur = TinySpec("EX-CUR");
    cur.erase("exclusions");
    cur["rule"] = {{"count", 1}};
    Create(*w, cur);
    Announce(*w, "EX-CUR");
    CHECK(PoolUsccs(db, "EX-CUR") == std::set<std::string>(w->tiny.begin(), w->tiny.end()));
    json win = TinySpec("EX-WIN");
    win["exclusions"] = {{"same_item_within_days", 3660}};
    win["rule"] = {{"count", 1}};
    Create(*w, win);
    Announce(*w, "EX-WIN");
    const std::set<std::string> pool_win = PoolUsccs(db, "EX-WIN");
    CHECK(pool_win.size() == static_cast<std::size_t>(kTiny) - 4);
    for (const auto& u : s_old) CHECK(pool_win.count(u) == 0);
  }

  // Directory changes after the index was loaded reach the next pool: a new subject, and one
  // that is no longer active.
  Import(db, DirectoryKind::kSubjects, SubjectsCsv({Tiny(100, "active", "330226"), Tiny(5, "revoked", "330226")}));
  for (const char* id : {"EX-8", "EX-9"}) {
    json s = TinySpec(id);
    s["rule"] = {{"count", 1}};
    Create(*w, s);
  }
  announce_indexed("EX-8");
  Announce(*w, "EX-9");
  const std::set<std::string> pool8 = PoolUsccs(db, "EX-8");
  CHECK(pool8 == PoolUsccs(db, "EX-9"));
  CHECK(pool8.count(TinyUscc(100)) == 1);
  CHECK(pool8.count(w->tiny[5]) == 0);
  CHECK(pool8.size() == static_cast<std::size_t>(kTiny));
}

TEST_CASE("the officer who inspected a subject last time for the same item is not sent again", "[draw][tasks]") {
  auto w = MakeWorld(300, 5);
  Database& db = *w->db;
  auto teams_of = [&](const std::string& id) {
    std::map<std::string, std::vector<std::string>> m;
    for (const auto& s : Selection(*w, id)) m[s.uscc] = s.team;
    return m;
  };
  // Three tasks for SCJG-KEY over the same 12 subjects, each drawing all of them.
  Create(*w, TinySpec("PI-1"));
  Announce(*w, "PI-1");
  Draw(*w, "PI-1", "1.2./");
  Reveal(*w, "PI-1");
  const auto t1 = teams_of("PI-1");
  REQUIRE(t1.size() == static_cast<std::size_t>(kTiny));
  CHECK(StoredFile(db, "PI-1", "conflicts.tsv").empty());

  Create(*w, TinySpec("PI-2"));
  Announce(*w, "PI-2");
  Draw(*w, "PI-2", "3.4./");
  const auto t2 = teams_of("PI-2");
  REQUIRE(t2.size() == static_cast<std::size_t>(kTiny));
  std::string expected_conflicts;
  {
    std::set<std::string> lines;
    for (const auto& [u, team] : t1)
      for (const auto& o : team) lines.insert(u + "\t" + o + "\n");
    for (const auto& l : lines) expected_conflicts += l;
  }
  CHECK(StoredFile(db, "PI-2", "conflicts.tsv") == expected_conflicts);
  for (const auto& [u, team] : t2) {
    INFO(u);
    for (const auto& o : team) CHECK(std::find(t1.at(u).begin(), t1.at(u).end(), o) == t1.at(u).end());
  }

  // The third task looks at the latest earlier one (PI-2, still open: drawn counts).
  Create(*w, TinySpec("PI-3"));
  Announce(*w, "PI-3");
  Draw(*w, "PI-3", "5.6./");
  const auto t3 = teams_of("PI-3");
  {
    std::set<std::string> lines;
    for (const auto& [u, team] : t2)
      for (const auto& o : team) lines.insert(u + "\t" + o + "\n");
    std::string expect;
    for (const auto& l : lines) expect += l;
    CHECK(StoredFile(db, "PI-3", "conflicts.tsv") == expect);
  }
  for (const auto& [u, team] : t3)
    for (const auto& o : team) CHECK(std::find(t2.at(u).begin(), t2.at(u).end(), o) == t2.at(u).end());

  // Another item: the earlier visits for SCJG-KEY are no conflict.
  json other = TinySpec("PI-OTHER", "SCJG-AD");
  other["rule"] = {{"count", kTiny / 2}};  // SCJG-AD allows at most 50 %
  Create(*w, other);
  Announce(*w, "PI-OTHER");
  Draw(*w, "PI-OTHER", "7./");
  CHECK(StoredFile(db, "PI-OTHER", "conflicts.tsv").empty());
  // The rule switched off: no conflicts either.
  json off = TinySpec("PI-OFF");
  off["conflicts"] = {{"previous_inspector", false}};
  Create(*w, off);
  Announce(*w, "PI-OFF");
  Draw(*w, "PI-OFF", "8./");
  CHECK(StoredFile(db, "PI-OFF", "conflicts.tsv").empty());

  // The proofs of the tasks with previous-inspector conflicts verify.
  Reveal(*w, "PI-2");
  const std::string dir = test::TempDir() + "/pi2";
  REQUIRE(draw::WriteTaskProof(w->platform, "PI-2", dir).ok());
  ExpectVerified(dir);
  REQUIRE(Lines(test::ReadFile(dir + "/conflicts.tsv")).size() == 2 * static_cast<std::size_t>(kTiny));
  // Hiding a conflict, or publishing the list out of order (even with its hash updated),
  // is caught by both verifiers.
  ExpectTamperRejected(
      dir,
      [](const std::string& d) {
        EditFile(d + "/conflicts.tsv", [](const std::string& text) {
          auto lines = Lines(text);
          lines.erase(lines.begin() + 3);
          return JoinLines(lines);
        });
      },
      "conflicts");
  ExpectTamperRejected(
      dir,
      [](const std::string& d) {
        EditFile(d + "/conflicts.tsv", [](const std::string& text) {
          auto lines = Lines(text);
          std::reverse(lines.begin(), lines.end());
          return JoinLines(lines);
        });
        EditFile(d + "/proof.json", [&](const std::string& text) {
          ordered_json p = ordered_json::parse(text);
          p["conflicts_hash"] = digest::Sha256Hex(test::ReadFile(d + "/conflicts.tsv"));
          return p.dump(2) + "\n";
        });
      },
      "conflicts.tsv");
}

TEST_CASE("before the reveal only the task's department sees the selection, and nobody the secret",
          "[draw][tasks][cli]") {
  auto w = MakeWorld(800, 5);
  const std::string url = w->url;
  const std::string id = "2026-SCJG-CONF";
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", url});
    auto r = test::RunCli(args);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  Create(*w, Spec(id));
  auto announced = cli({"task", "announce", id});
  const draw::TaskRecord a = Load(*w, id);
  CHECK_THAT(announced.out, Catch::Contains(a.commitment));
  CHECK_THAT(announced.out, Catch::Contains(a.pool_hash));
  CHECK_THAT(announced.out, !Catch::Contains(a.secret_hex));
  auto drawn = cli({"task", "draw", id, "--entropy", "2.7.18.28./"});
  auto drawn_json = cli({"task", "show", id, "--json"});
  const draw::TaskRecord t = Load(*w, id);
  const auto sel = Selection(*w, id);
  REQUIRE(!sel.empty());
  auto none_of_them = [&](const std::string& text) {
    for (const auto& s : sel) CHECK_THAT(text, !Catch::Contains(s.uscc));
    CHECK_THAT(text, !Catch::Contains(t.secret_hex));
  };
  none_of_them(drawn.out + drawn.err);
  none_of_them(drawn_json.out);
  CHECK(json::parse(drawn_json.out).contains("selection_visibility"));
  CHECK_FALSE(json::parse(drawn_json.out).contains("selection"));
  none_of_them(cli({"task", "show", id}).out);
  none_of_them(cli({"task", "show", id, "--department", "WJW"}).out);
  none_of_them(cli({"task", "show", id, "--json", "--department", "WJW"}).out);
  none_of_them(cli({"task", "list"}).out);
  none_of_them(cli({"task", "list", "--json"}).out);
  // The task's department sees the selection and teams, still not the secret.
  const std::string dept = cli({"task", "show", id, "--department", "SCJG"}).out;
  for (const auto& s : sel) CHECK_THAT(dept, Catch::Contains(s.uscc));
  CHECK_THAT(dept, !Catch::Contains(t.secret_hex));
  const json dj = json::parse(cli({"task", "show", id, "--json", "--department", "SCJG"}).out);
  REQUIRE(dj["selection"].size() == sel.size());
  CHECK(dj["selection"][0]["uscc"] == sel[0].uscc);
  CHECK(dj["selection"][0]["team"] == json(sel[0].team));
  CHECK_FALSE(dj.contains("secret"));
  CHECK_FALSE(dj["selection"][0].contains("ticket"));

  // An inspector's list: each of his subjects with team and lead.
  std::map<std::string, std::vector<const draw::SelectedSubject*>> by_officer;
  for (const auto& s : sel)
    for (const auto& o : s.team) by_officer[o].push_back(&s);
  REQUIRE(!by_officer.empty());
  std::size_t asked = 0;
  for (const auto& [officer, subjects] : by_officer) {
    INFO(officer);
    // The CLI for a few officers, the service (what the CLI prints) for every one.
    json list = json::array();
    if (asked++ < 3) {
      list = json::parse(cli({"tasks", "for", officer, "--json"}).out);
    } else {
      auto r = draw::TasksForInspector(w->platform, officer);
      REQUIRE(r.ok());
      for (const auto& t : r.value())
        list.push_back({{"task_id", t.task_id},
                        {"uscc", t.uscc},
                        {"rank", t.rank},
                        {"team", t.team},
                        {"lead", t.lead},
                        {"is_lead", t.is_lead},
                        {"items", t.items},
                        {"address", t.address}});
    }
    REQUIRE(list.size() == subjects.size());
    for (std::size_t i = 0; i < subjects.size(); ++i) {
      CHECK(list[i]["task_id"] == id);
      CHECK(list[i]["uscc"] == subjects[i]->uscc);
      CHECK(list[i]["rank"] == subjects[i]->rank);
      CHECK(list[i]["team"] == json(subjects[i]->team));
      CHECK(list[i]["lead"] == subjects[i]->team[0]);
      CHECK(list[i]["is_lead"] == (subjects[i]->team[0] == officer));
      CHECK(list[i]["items"] == json::array({"SCJG-FOOD"}));
      CHECK_FALSE(list[i]["address"].get<std::string>().empty());
    }
  }
  CHECK(json::parse(cli({"tasks", "for", "SCJG-09", "--json"}).out).empty());
  CHECK_THAT(cli({"tasks", "for", "SCJG-09"}).out, Catch::Contains("no inspections assigned"));

  // After the reveal everyone sees the selection and the secret.
  cli({"task", "reveal", id, "--before-inspection", "--reason", "测试：只核对证明 / test: proofs only"});
  const std::string pub = cli({"task", "show", id}).out;
  for (const auto& s : sel) CHECK_THAT(pub, Catch::Contains(s.uscc));
  CHECK_THAT(pub, Catch::Contains(t.secret_hex));
  const json pj = json::parse(cli({"task", "show", id, "--json"}).out);
  CHECK(pj["secret"] == t.secret_hex);
  CHECK(pj["selection"].size() == sel.size());
  CHECK(pj["selection"][0]["ticket"] == sel[0].ticket);
}

TEST_CASE("every transition leaves an audit record and an event, and the drawn event holds no selection",
          "[draw][tasks]") {
  auto w = MakeWorld(600, 5);
  Database& db = *w->db;
  Create(*w, Spec("AU-1"));
  Announce(*w, "AU-1");
  Draw(*w, "AU-1");
  Reveal(*w, "AU-1");
  Create(*w, Spec("AU-2", "SCJG-AD"));
  Announce(*w, "AU-2");
  REQUIRE(draw::CancelTask(w->ctx, "AU-2", "重复立项").ok());

  auto audit_of = [&](const std::string& id) {
    return Rows(db,
                "SELECT action, before_digest, after_digest, actor FROM audit_log WHERE entity = 'draw_task' AND "
                "entity_key = :k ORDER BY seq",
                id);
  };
  const auto a1 = audit_of("AU-1");
  REQUIRE(a1.size() == 4);
  CHECK(a1[0][0] == "task.create");
  CHECK(a1[1][0] == "task.announce");
  CHECK(a1[2][0] == "task.draw");
  CHECK(a1[3][0] == "task.reveal");
  CHECK(a1[0][1].empty());
  for (std::size_t i = 1; i < a1.size(); ++i) CHECK(a1[i][1] == a1[i - 1][2]);
  for (const auto& r : a1) CHECK(r[3] == "tester");
  CHECK(a1[3][2] == Load(*w, "AU-1").digest);
  const auto a2 = audit_of("AU-2");
  REQUIRE(a2.size() == 3);
  CHECK(a2[2][0] == "task.cancel");
  CHECK(AuditChainVerifies(db));
  auto cli = test::RunCli({"--db", w->url, "audit", "verify"});
  INFO(cli.out << cli.err);
  CHECK(cli.exit_code == 0);

  auto events_of = [&](const std::string& id) {
    std::map<std::string, json> m;
    for (const auto& r : Rows(db, "SELECT topic, payload FROM events WHERE entity_key = :k ORDER BY id", id))
      m[r[0]] = json::parse(r[1]);
    return m;
  };
  const auto e1 = events_of("AU-1");
  for (const char* topic : {"draw.task.created", "draw.task.announced", "draw.task.drawn", "draw.task.revealed"})
    CHECK(e1.count(topic) == 1);
  const draw::TaskRecord t1 = Load(*w, "AU-1");
  const std::string drawn = e1.at("draw.task.drawn").dump();
  for (const auto& s : Selection(*w, "AU-1")) CHECK_THAT(drawn, !Catch::Contains(s.uscc));
  CHECK_THAT(drawn, !Catch::Contains(t1.secret_hex));
  CHECK(e1.at("draw.task.drawn")["selection_hash"] == t1.selection_hash);
  CHECK_THAT(e1.at("draw.task.announced").dump(), !Catch::Contains(t1.secret_hex));
  CHECK(e1.at("draw.task.announced")["commitment"] == t1.commitment);
  CHECK(e1.at("draw.task.revealed")["secret"] == t1.secret_hex);
  const auto e2 = events_of("AU-2");
  REQUIRE(e2.count("draw.task.cancelled") == 1);
  CHECK(e2.at("draw.task.cancelled")["reason"] == "重复立项");
  CHECK_THAT(e2.at("draw.task.cancelled").dump(), !Catch::Contains(Load(*w, "AU-2").secret_hex));
}

TEST_CASE("bad spec files are refused with a clear error and no task is stored", "[draw][tasks][cli][hostile]") {
  auto w = MakeWorld(200, 5);
  const std::string dir = test::TempDir();
  const json good = Spec("BAD-0001");
  struct Case {
    std::string name, text, expect;
    bool cli = false;  // also through the CLI (the parser alone otherwise, to keep the run short)
  };
  std::vector<Case> cases;
  cases.push_back({"malformed JSON", R"({"title": "x", )", "not valid JSON", true});
  cases.push_back({"a JSON array", "[" + good.dump() + "]", "must be a JSON object", true});
  cases.push_back({"a JSON string", R"("hello")", "must be a JSON object"});
  {
    json j = good;
    j["colour"] = "red";
    cases.push_back({"an unknown field", j.dump(), "colour: unknown field", true});
    json k = good;
    k["filters"] = {{"region", json::array({"3302"})}};
    cases.push_back({"an unknown nested field", k.dump(), "filters.region: unknown field"});
  }
  {
    json j = good;
    j["title"] = std::string("年度\x01抽查");
    cases.push_back({"a control character in the title", j.dump(), "title: contains a control character", true});
    json k = good;
    k["title"] = "第一行\n第二行";
    cases.push_back({"a newline in the title", k.dump(), "title: contains a control character"});
  }
  {
    json j = good;
    j["comment"] = std::string(2 << 20, 'x');
    cases.push_back({"a 2 MiB file", j.dump(), "larger than 1 MiB", true});
  }
  {
    json j = good;
    j["rule"] = {{"ratio_percent", {{"*", "10.12345"}}}};
    cases.push_back({"a ratio with 5 decimals (string)", j.dump(),
                     "rule.ratio_percent.*: a percentage has at most 4 decimals", true});
    std::string text = good.dump();
    const std::string from = R"("ratio_percent":{"*":10})";
    REQUIRE(text.find(from) != std::string::npos);
    text.replace(text.find(from), from.size(), R"("ratio_percent":{"*":10.12345})");
    cases.push_back({"a ratio with 5 decimals (number)", text, "at most 4 decimals"});
    json k = good;
    k["rule"] = {{"ratio_percent", {{"*", "100.5"}}}};
    cases.push_back({"a ratio above 100", k.dump(), "cannot exceed 100"});
  }
  {
    json j = good;
    j["rule"] = {{"count", -5}};
    cases.push_back({"a negative count", j.dump(), "rule.count: must be a non-negative integer", true});
    json k = good;
    k["rule"] = {{"count", 2.5}};
    cases.push_back({"a fractional count", k.dump(), "rule.count: must be a non-negative integer"});
    json m = good;
    m["team"]["slots"][0]["count"] = -2;
    cases.push_back({"a negative team size", m.dump(), "team.slots[0].count: must be a non-negative integer"});
  }
  {
    json j = good;
    j.erase("title");
    cases.push_back({"no title", j.dump(), "title: is required"});
    json k = good;
    k["items"] = json::array();
    cases.push_back({"no item", k.dump(), "items: needs at least one item"});
    json m = good;
    m["id"] = "bad id/..";
    cases.push_back({"a bad id", m.dump(), "id: may contain only"});
    json n = good;
    n["due_date"] = "2026-02-30";
    cases.push_back({"an impossible date", n.dump(), "due_date: must be an existing date"});
    json p = good;
    p["rule"] = {{"ratio_percent", {{"*", 10}}}, {"count", 5}};
    cases.push_back({"two rules", p.dump(), "needs exactly one of"});
  }
  cases.push_back({"invalid UTF-8", std::string("{\"title\": \"\xff\xfe\"}"), "not valid UTF-8"});
  cases.push_back({"an empty file", "", "not valid JSON"});

  for (const auto& c : cases) {
    INFO("case: " << c.name);
    // The parser alone ...
    auto parsed = draw::ParseTaskSpec(c.text);
    CHECK_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(parsed.status().message(), Catch::Contains(c.expect));
    // ... and the CLI: exit 1, the reason on stderr, nothing stored.
    if (!c.cli) continue;
    const std::string path = dir + "/spec.json";
    test::WriteFile(path, c.text);
    auto r = test::RunCli({"--db", w->url, "task", "create", "--spec", path});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(c.expect));
    CHECK(r.out.empty());
    CHECK(Count(*w->db, "SELECT COUNT(*) FROM draw_tasks") == 0);
  }
  auto missing = test::RunCli({"--db", w->url, "task", "create", "--spec", dir + "/does-not-exist.json"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("cannot read the task spec"));
  // The good spec passes, so the failures above are the edits.
  test::WriteFile(dir + "/good.json", good.dump());
  auto ok = test::RunCli({"--db", w->url, "task", "create", "--spec", dir + "/good.json"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM draw_tasks") == 1);
  // Without an id the service numbers the department's tasks of the year.
  json unnamed = good;
  unnamed.erase("id");
  w->platform.SetNow(1781496000LL * 1000000);  // 2026-06-15T12:00 Beijing time, not the day the test runs
  const draw::TaskRecord first = Create(*w, unnamed);
  const draw::TaskRecord second = Create(*w, unnamed);
  const std::string year = "2026";
  CHECK(first.id == "SCJG-" + year + "-0001");
  CHECK(second.id == "SCJG-" + year + "-0002");
}

TEST_CASE("the in-memory index and the table scan give the same pool for every filter and kind of strata",
          "[draw][tasks][index]") {
  auto w = MakeWorld(3000, 11);
  Database& db = *w->db;
  {
    auto index = w->platform.Subjects();
    INFO(index.status().message());
    REQUIRE(index.ok());
  }
  // Each variation is announced twice, once from a scan of the table and once from the
  // index (whose memoised filter must decide exactly as the plain one).
  std::vector<std::pair<std::string, json>> variations;
  auto base = [](const std::string& id) {
    json s = Spec(id, "SCJG-AD");
    s["exclusions"] = {{"same_item_within_days", 0}, {"open_tasks", false}};
    return s;
  };
  variations.push_back({"plain", json::object()});
  variations.push_back({"risk", {{"strata", "risk_class"}}});
  variations.push_back({"county", {{"strata", "region"}}});
  variations.push_back({"prefecture", {{"strata", "region"}, {"region_digits", 4}}});
  variations.push_back({"label", {{"strata", "label"}, {"strata_labels", json::array({"食品经营", "药品零售"})}}});
  variations.push_back({"types", {{"filters", {{"types", json::array({"individual"})}}}, {"strata", "risk_class"}}});
  variations.push_back({"industry", {{"filters", {{"industries", json::array({"F52", "H62"})}}}}});
  variations.push_back(
      {"labels", {{"filters", {{"labels", json::array({"食品经营", "小池"})}}}, {"strata", "region"}}});
  variations.push_back({"before", {{"filters", {{"registered_before", "2016-01-01"}}}, {"strata", "risk_class"}}});
  variations.push_back({"county-filter", {{"filters", {{"regions", json::array({"330226", "330203"})}}}}});
  int nonempty = 0;
  for (const auto& [name, extra] : variations) {
    INFO(name);
    json a = base("IX-" + name + "-scan"), b = base("IX-" + name + "-index");
    a.update(extra);
    b.update(extra);
    Create(*w, a);
    Create(*w, b);
    w->ctx.subject_index = false;
    auto ra = draw::AnnounceTask(w->ctx, a["id"]);
    w->ctx.subject_index = true;
    auto rb = draw::AnnounceTask(w->ctx, b["id"]);
    w->ctx.subject_index = false;
    w->ctx.cached_pool = {};
    REQUIRE(ra.ok() == rb.ok());
    if (!ra.ok()) {
      CHECK(ra.status().message() == rb.status().message());
      continue;
    }
    ++nonempty;
    CHECK(ra->pool_size > 0);
    CHECK(ra->pool_hash == rb->pool_hash);
    CHECK(ra->strata_json == rb->strata_json);
    CHECK(StoredFile(db, a["id"], "pool.tsv") == StoredFile(db, b["id"], "pool.tsv"));
  }
  CHECK(nonempty >= 8);
}

TEST_CASE("pools and strata follow the lists subjects are on: filters.listings, not_listings and strata listing",
          "[draw][tasks][listings]") {
  auto w = MakeWorld(600, 5);
  Database& db = *w->db;
  const std::vector<std::string>& t = w->tiny;
  // Loaded before the lists change, so that the index's pools below come from its catch-up.
  {
    auto index = w->platform.Subjects();
    INFO(index.status().message());
    REQUIRE(index.ok());
  }
  // As the lists plugin keeps them: tiny 0-2 on the abnormal operations list, 3 on a red list,
  // 4 on both, the rest on none (the revoked one is listed too, and stays out of every pool).
  PutOnLists(*w, {{t[0], {"abnormal_operations"}},
                  {t[1], {"abnormal_operations"}},
                  {t[2], {"abnormal_operations"}},
                  {t[3], {"red_trustworthy"}},
                  {t[4], {"red_trustworthy", "abnormal_operations"}},
                  {TinyUscc(kTiny), {"abnormal_operations"}}});
  const std::set<std::string> tiny(t.begin(), t.end());
  const std::set<std::string> abnormal{t[0], t[1], t[2], t[4]}, red{t[3], t[4]};
  auto minus = [](std::set<std::string> a, const std::set<std::string>& b) {
    for (const auto& x : b) a.erase(x);
    return a;
  };
  // A spec over the 12 tiny subjects (labelled 小池), all of them drawn unless `extra` says else.
  auto spec = [](const std::string& id, const json& extra) {
    json s = TinySpec(id);
    s["rule"] = {{"ratio_percent", {{"*", 100}}}};
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      if (it.key() == "filters")
        s["filters"].update(it.value());
      else
        s[it.key()] = it.value();
    }
    return s;
  };
  // Announced twice, from a scan of the table and from the index: the same pool and strata.
  auto pool_of = [&](const std::string& id, const json& extra) {
    Create(*w, spec(id + "-SCAN", extra));
    Create(*w, spec(id + "-INDEX", extra));
    w->ctx.subject_index = false;
    auto a = draw::AnnounceTask(w->ctx, id + "-SCAN");
    w->ctx.subject_index = true;
    auto b = draw::AnnounceTask(w->ctx, id + "-INDEX");
    w->ctx.subject_index = false;
    w->ctx.cached_pool = {};
    INFO(id << ": " << a.status().message() << " | " << b.status().message());
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->pool_hash == b->pool_hash);
    CHECK(a->strata_json == b->strata_json);
    CHECK(StoredFile(db, id + "-SCAN", "pool.tsv") == StoredFile(db, id + "-INDEX", "pool.tsv"));
    return Pool(db, id + "-SCAN");
  };
  auto usccs = [](const std::vector<std::pair<std::string, std::string>>& pool) {
    std::set<std::string> out;
    for (const auto& [u, stratum] : pool) out.insert(u);
    return out;
  };

  // Off a list: the red-listed subjects stay out.
  CHECK(usccs(pool_of("LS-NOT-RED", {{"filters", {{"not_listings", json::array({"red_trustworthy"})}}}})) == minus(tiny, red));
  // On a list: at least one of those given.
  CHECK(usccs(pool_of("LS-RED", {{"filters", {{"listings", json::array({"red_trustworthy"})}}}})) == red);
  CHECK(usccs(pool_of("LS-ANY", {{"filters", {{"listings", json::array({"abnormal_operations", "red_trustworthy"})}}}})) ==
        std::set<std::string>{t[0], t[1], t[2], t[3], t[4]});
  CHECK(usccs(pool_of("LS-BOTH", {{"filters",
                                   {{"listings", json::array({"abnormal_operations"})},
                                    {"not_listings", json::array({"red_trustworthy"})}}}})) ==
        std::set<std::string>{t[0], t[1], t[2]});
  // A list nobody is on: the listings filter leaves nothing (refused at announce), not_listings
  // everything.
  {
    Create(*w, spec("LS-NOBODY", {{"filters", {{"listings", json::array({"intermediary_black"})}}}}));
    auto r = draw::AnnounceTask(w->ctx, "LS-NOBODY");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("the pool of task LS-NOBODY is empty"));
  }
  CHECK(usccs(pool_of("LS-NOT-BLACK", {{"filters", {{"not_listings", json::array({"intermediary_black"})}}}})) == tiny);
  // Strata: the first of strata_listings the subject is on, else "other".
  {
    const auto pool = pool_of(
        "LS-STRATA", {{"strata", "listing"}, {"strata_listings", json::array({"red_trustworthy", "abnormal_operations"})}});
    REQUIRE(pool.size() == tiny.size());
    for (const auto& [u, stratum] : pool) {
      INFO(u);
      CHECK(stratum == (red.count(u) ? "red_trustworthy" : abnormal.count(u) ? "abnormal_operations" : "other"));
    }
  }

  // Drawn: 100 % of the abnormal operations stratum and nothing of the rest draws exactly
  // the subjects on that list.
  json ratio = spec("LS-DRAW", {{"strata", "listing"}, {"strata_listings", json::array({"abnormal_operations"})}});
  ratio["rule"] = {{"ratio_percent", {{"abnormal_operations", 100}, {"*", 0}}}};
  draw::TaskRecord drawn = Drawn(*w, ratio);
  CHECK(drawn.pool_size == static_cast<std::int64_t>(tiny.size()));
  CHECK(SelectedUsccs(*w, drawn.id) == abnormal);
  for (const auto& s : Selection(*w, drawn.id)) CHECK(s.stratum == "abnormal_operations");
  const json allocation = json::parse(drawn.allocation_json);
  CHECK(allocation["abnormal_operations"] == abnormal.size());
  CHECK(allocation.value("other", 0) == 0);
  // The listings are public: the proof everyone gets is the full one, with the strata.
  drawn = Reveal(*w, drawn.id);
  CHECK_FALSE(draw::StrataWithheld(drawn));
  const std::string dir = test::TempDir() + "/public";
  Status st = draw::WriteTaskProof(w->platform, drawn.id, dir, /*for_public=*/true);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(fs::exists(dir + "/pool.tsv"));
  CHECK_FALSE(fs::exists(dir + "/pool-public.tsv"));
  CHECK_THAT(test::ReadFile(dir + "/pool.tsv"), Catch::Contains(t[0] + "\tabnormal_operations\n"));
  ExpectProofVerifies(*w, drawn.id);

  // The pool is frozen at announce: a later listing changes the next task's pool only.
  const std::string frozen = StoredFile(db, "LS-NOT-RED-SCAN", "pool.tsv");
  PutOnLists(*w, {{t[5], {"red_trustworthy"}}});
  CHECK(StoredFile(db, "LS-NOT-RED-SCAN", "pool.tsv") == frozen);
  CHECK(usccs(pool_of("LS-NOT-RED-2", {{"filters", {{"not_listings", json::array({"red_trustworthy"})}}}})) ==
        minus(tiny, {t[3], t[4], t[5]}));

  // Bad list codes and strata_listings without listing strata are refused at create, and
  // nothing is stored.
  const long long tasks = Count(db, "SELECT COUNT(*) FROM draw_tasks");
  auto refused = [&](const json& s, const std::string& expect) {
    INFO("expecting: " << expect);
    Status r = TryCreate(*w, s);
    INFO(r.message());
    CHECK(r.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(r.message(), Catch::Contains(expect));
    CHECK(Count(db, "SELECT COUNT(*) FROM draw_tasks") == tasks);
  };
  refused(spec("LS-BAD-1", {{"filters", {{"listings", json::array({"Red-X"})}}}}),
          "filters.listings[0]: must be a list code ([a-z][a-z0-9_]*, at most 48 characters), got Red-X");
  refused(spec("LS-BAD-2", {{"filters", {{"not_listings", json::array({"red_trustworthy", "红名单"})}}}}),
          "filters.not_listings[1]: must be a list code");
  refused(spec("LS-BAD-3", {{"strata", "listing"}, {"strata_listings", json::array({"abnormal-operations"})}}),
          "strata_listings[0]: must be a list code");
  refused(spec("LS-BAD-4", {{"strata_listings", json::array({"abnormal_operations"})}}),
          "strata_listings: is only used when strata is listing");
  refused(spec("LS-BAD-5", {{"strata", "listing"}}), "strata_listings: must list the lists when strata is listing");
  // A list type no loaded plugin registered: a typo must not make an empty pool or stratum.
  refused(spec("LS-BAD-6", {{"filters", {{"not_listings", json::array({"red_trustworthy", "red_x"})}}}}),
          "filters.not_listings[1]: the list type red_x is not registered");
  refused(spec("LS-BAD-7", {{"strata", "listing"}, {"strata_listings", json::array({"blacklist"})}}),
          "strata_listings[0]: the list type blacklist is not registered");
}

TEST_CASE("filter regions are GB/T 2260 codes of the platform, also in a spec built in code", "[draw][tasks]") {
  auto w = MakeWorld(100, 5);
  json s = Spec("RG-1");
  s["filters"] = {{"regions", json::array({"3302", "330299"})}};  // 330299: inside 3302, but no county
  // Parsed with the platform's codes (as the CLI does): refused while parsing.
  {
    auto refused = draw::ParseTaskSpec(s.dump(), w->ctx.spec_options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(refused.status().message(), Catch::Contains("filters.regions[1]: no such region in GB/T 2260: 330299"));
  }
  // Parsed without them: CreateTask checks on the platform, and nothing is stored.
  auto parsed = draw::ParseTaskSpec(s.dump(), draw::SpecOptions{});
  INFO(parsed.status().message());
  REQUIRE(parsed.ok());
  ExpectRefused(draw::CreateTask(w->ctx, parsed.value()), StatusCode::kInvalidArgument,
                "filters.regions[1]: no such region in GB/T 2260: 330299");
  CHECK(CountFor(*w->db, "SELECT COUNT(*) FROM draw_tasks WHERE id = :t", "RG-1") == 0);
  CHECK(TaskAuditCount(*w, "RG-1", "task.create") == 0);
}

TEST_CASE("the task service needs a platform, and writes as the context's principal", "[draw][tasks]") {
  auto w = MakeWorld(100, 5);
  draw::TaskContext bare;
  auto parsed = draw::ParseTaskSpec(Spec("PR-1").dump(), w->ctx.spec_options);
  REQUIRE(parsed.ok());
  ExpectRefused(draw::CreateTask(bare, parsed.value()), StatusCode::kFailedPrecondition, "no platform");
  ExpectRefused(draw::AnnounceTask(bare, "PR-1"), StatusCode::kFailedPrecondition, "no platform");
  // An anonymous caller cannot write.
  w->ctx.principal = Principal::Anonymous();
  ExpectRefused(draw::CreateTask(w->ctx, parsed.value()), StatusCode::kUnauthenticated, "anonymous");
  // The principal's id is the audit actor and the task's creator.
  w->ctx.principal = ViewerOf("SCJG");
  w->ctx.principal.id = "clerk-7";
  const draw::TaskRecord t = Create(*w, Spec("PR-1"));
  CHECK(t.created_by == "clerk-7");
  CHECK(CountFor(*w->db, "SELECT COUNT(*) FROM audit_log WHERE entity_key = :k AND actor = 'clerk-7'", "PR-1") == 1);
  // Before the reveal the selection is for principals acting for the task's department.
  CHECK(draw::MaySeeSelection(t, ViewerOf("SCJG")));
  CHECK_FALSE(draw::MaySeeSelection(t, ViewerOf("WJW")));
  CHECK_FALSE(draw::MaySeeSelection(t, ViewerOf("")));
  CHECK_FALSE(draw::MaySeeSelection(t, Public()));
  CHECK(draw::MaySeeSelection(t, Principal::System("scheduler:job")));
  Principal admin = ViewerOf("WJW");
  admin.roles.push_back(kRoleAdmin);
  CHECK(draw::MaySeeSelection(t, admin));
  draw::TaskRecord revealed = t;
  revealed.state = "revealed";
  CHECK(draw::MaySeeSelection(revealed, Public()));
}
