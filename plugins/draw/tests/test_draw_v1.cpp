// xj-draw-v1 (plugins/draw/src/draw_v1.h): every example of specs/draw-v1.md, the edge cases
// of allocation, selection and team assignment, and proof folders checked by the independent
// Python verifier tools/verify_draw.py.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "draw_v1.h"
#include "test_support.h"

namespace {

using Catch::Matchers::Contains;
namespace d = xj::draw;

std::vector<d::PoolEntry> ExamplePool() {
  std::ifstream f(XJ_SOURCE_DIR "/plugins/draw/tests/data/draw-v1-example-pool.tsv", std::ios::binary);
  REQUIRE(f);
  std::vector<d::PoolEntry> pool;
  std::string line;
  while (std::getline(f, line)) {
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    pool.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  REQUIRE(pool.size() == 20);
  return pool;
}

d::TeamInputs ExampleTeams() {
  d::TeamInputs t;
  t.groups["SCJG"] = {"SCJG001", "SCJG002", "SCJG003", "SCJG004", "SCJG005", "SCJG006"};
  t.slots = {{"SCJG", 2}};
  t.conflicts = {{"913302250YEB5K3F1A", "SCJG001"}};
  return t;
}

d::DrawInputs RatioExample() {
  d::DrawInputs in;
  in.task_id = "2026-XS-0001";
  in.secret = d::FromHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff").value();
  in.entropy = "7.8.11.17.19.25.46./";
  in.pool = ExamplePool();
  in.rule = d::RatioRule{{{"A", 100000}, {"B", 250000}, {"C", 500000}, {"D", 1000000}}, {}, {}};
  in.teams = ExampleTeams();
  return in;
}

d::DrawInputs CountExample() {
  d::DrawInputs in;
  in.task_id = "2026-XS-0002";
  in.secret = std::string(32, '\xff');
  in.entropy = "";
  in.pool = ExamplePool();
  in.rule = d::CountRule{7};
  return in;
}

std::vector<std::string> Usccs(const d::Selection& s) {
  std::vector<std::string> out;
  for (const auto& m : s.members) out.push_back(m.uscc);
  return out;
}

std::string Verify(const std::string& dir, int* exit_code) {
  const auto r = xj::test::RunShell("python3 '" XJ_SOURCE_DIR "/tools/verify_draw.py' '" + dir + "' 2>&1");
  *exit_code = r.exit_code;
  return r.out + r.err;
}

// A pool of `n` distinct 18-character ids that look like USCCs, over `strata` labels.
std::vector<d::PoolEntry> RandomPool(std::mt19937_64& rng, std::size_t n, const std::vector<std::string>& strata) {
  static const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  std::set<std::string> seen;
  std::vector<d::PoolEntry> pool;
  while (pool.size() < n) {
    std::string u = "91" + std::to_string(110000 + rng() % 550000);
    while (u.size() < 18) u += alphabet[rng() % alphabet.size()];
    if (!seen.insert(u).second) continue;
    pool.push_back({u, strata[rng() % strata.size()]});
  }
  return pool;
}

}  // namespace

TEST_CASE("draw: the ratio example of the spec", "[draw]") {
  const auto in = RatioExample();
  auto r = d::Draw(in);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->pool_hash == "5f305052667c9f07bfab216e384ac905150dcf9148eb1f2eac847a6926cc6396");
  CHECK(d::PoolHash(r->pool) == r->pool_hash);
  CHECK(r->commitment == "4773d12e2371bb935b9a0f5439b4a1c3ad3f2414b86980f8418d1cfabdfadfef");
  CHECK(d::Commitment(in.secret) == r->commitment);
  CHECK(d::ToHex(r->seed) == "f806e0a6c6ad600c4e3086e8b0ad5e78261dd131cdd012b310083f35d6743aed");
  CHECK(r->allocation == d::StratumCounts{{"A", 1}, {"B", 2}, {"C", 3}, {"D", 5}});
  CHECK(Usccs(r->selection) ==
        std::vector<std::string>{"91330225J3Y7LLJY1P", "91330225DD272HD1T8", "91330225JRE2T2Y8FA",
                                 "9133022523GD5QA4X2", "913302256Q94P7CCXC", "913302250YEB5K3F1A",
                                 "91330225HDQAEJXEBK", "913302253BJ1XG612X", "91330225HN2J1K6FMJ",
                                 "91330225NM21PN9LJA", "91330225UF25ECH8W3"});
  REQUIRE(!r->selection.members.empty());
  CHECK(r->selection.members[0].stratum == "D");
  CHECK(d::ToHex(r->selection.members[0].ticket).substr(0, 8) == "002139c1");
  CHECK(r->selection.members[1].stratum == "C");
  CHECK(r->selection.file.substr(0, 31) == "1\t91330225J3Y7LLJY1P\tD\t002139c1");
  CHECK(r->selection.hash == "2a4235971e7ab1eb241121fcfb9fbc55a0c7c2065e827f718da6ab11c93eb0c5");
  REQUIRE(r->assignment);
  const auto& teams = r->assignment->teams;
  REQUIRE(teams.size() == 11);
  CHECK(teams[0] == std::vector<std::string>{"SCJG003", "SCJG006"});
  CHECK(teams[1] == std::vector<std::string>{"SCJG001", "SCJG002"});
  CHECK(teams[2] == std::vector<std::string>{"SCJG005", "SCJG004"});
  CHECK(r->assignment->file.rfind("91330225J3Y7LLJY1P\tSCJG003,SCJG006\n91330225DD272HD1T8\tSCJG001,SCJG002\n", 0) == 0);
  CHECK(r->assignment->hash == "92aac8a8428fa11cac617da65a2e40908d515f926c11c5f9693afdd0f8b8c772");
}

TEST_CASE("draw: the count example of the spec", "[draw]") {
  auto r = d::Draw(CountExample());
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(d::ToHex(r->seed) == "2e25116774dcdb92cc1870c94438fb0db5e079fd90f3d80b2c597b9197501994");
  CHECK(r->allocation == d::StratumCounts{{"A", 2}, {"B", 2}, {"C", 2}, {"D", 1}});
  CHECK(Usccs(r->selection) == std::vector<std::string>{"9133022523GD5QA4X2", "91330225JJC171HU4A",
                                                        "913302259GFWAPE9K9", "91330225RWTAANBKF3",
                                                        "913302253BJ1XG612X", "91330225AY4CL12THR",
                                                        "91330225JRE2T2Y8FA"});
  CHECK(r->selection.hash == "b66a3801ae4ab66512cc52526edc37447a728b242ca5265a67d3f00de75201d7");
  CHECK(!r->assignment);
  CHECK(r->conflicts_hash.empty());
}

TEST_CASE("draw: the pool is canonical whatever the input order", "[draw]") {
  auto pool = ExamplePool();
  std::reverse(pool.begin(), pool.end());
  auto c = d::CanonicalPool(pool);
  REQUIRE(c.ok());
  CHECK(d::PoolHash(c.value()) == "5f305052667c9f07bfab216e384ac905150dcf9148eb1f2eac847a6926cc6396");
  CHECK(d::PoolFile(c.value()).rfind("913302250YEB5K3F1A\tB\n9133022523GD5QA4X2\tD\n", 0) == 0);
}

TEST_CASE("draw: ratio allocation edge cases", "[draw]") {
  const d::StratumCounts sizes{{"A", 5}, {"B", 10}, {"C", 3}};
  SECTION("ceil in integer arithmetic") {
    auto k = d::Allocate(d::RatioRule{{{"*", 100000}}, {}, {}}, sizes);
    REQUIRE(k.ok());
    CHECK(k.value() == d::StratumCounts{{"A", 1}, {"B", 1}, {"C", 1}});
  }
  SECTION("ppm 0 and 1 000 000") {
    auto k = d::Allocate(d::RatioRule{{{"A", 0}, {"B", 1000000}, {"*", 0}}, {}, {}}, sizes);
    REQUIRE(k.ok());
    CHECK(k.value() == d::StratumCounts{{"A", 0}, {"B", 10}, {"C", 0}});
  }
  SECTION("min raises, max lowers, N caps") {
    auto k = d::Allocate(d::RatioRule{{{"*", 100000}}, {{"A", 3}, {"C", 100}}, {{"B", 0}}}, sizes);
    REQUIRE(k.ok());
    CHECK(k.value() == d::StratumCounts{{"A", 3}, {"B", 0}, {"C", 3}});
  }
  SECTION("max is applied after min") {
    auto k = d::Allocate(d::RatioRule{{{"*", 500000}}, {{"B", 8}}, {{"B", 6}}}, sizes);
    REQUIRE(k.ok());
    CHECK(k.value().at("B") == 6);
  }
  SECTION("a stratum without a ratio and without a default is an error") {
    auto k = d::Allocate(d::RatioRule{{{"A", 1}, {"B", 1}}, {}, {}}, sizes);
    REQUIRE(!k.ok());
    CHECK(k.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(k.status().message(), Contains("\"C\""));
  }
  SECTION("a ratio above 1 000 000 ppm is an error") {
    auto k = d::Allocate(d::RatioRule{{{"*", 1000001}}, {}, {}}, sizes);
    REQUIRE(!k.ok());
    CHECK(k.status().code() == xj::StatusCode::kInvalidArgument);
  }
  SECTION("selection caps k at the stratum size") {
    auto pool = d::CanonicalPool(ExamplePool()).value();
    const auto seed = d::Sha256("seed");
    auto sel = d::Select(pool, d::Tickets(seed, pool), {{"A", 1000}, {"B", 0}});
    const auto sizes_pool = d::StratumSizes(pool);
    CHECK(sel.members.size() == sizes_pool.at("A"));
    for (std::size_t i = 1; i < sel.members.size(); ++i) CHECK(sel.members[i - 1].ticket < sel.members[i].ticket);
  }
}

TEST_CASE("draw: count allocation, ties and caps", "[draw]") {
  SECTION("k above N is capped at N: everyone is drawn") {
    auto in = CountExample();
    in.rule = d::CountRule{1000};
    auto r = d::Draw(in);
    REQUIRE(r.ok());
    CHECK(r->selection.members.size() == 20);
    CHECK(r->allocation == d::StratumSizes(r->pool));
  }
  SECTION("equal remainders go to the smaller label (bytes)") {
    auto k = d::Allocate(d::CountRule{2}, {{"C", 1}, {"A", 1}, {"B", 1}});
    REQUIRE(k.ok());
    CHECK(k.value() == d::StratumCounts{{"A", 1}, {"B", 1}, {"C", 0}});
  }
  SECTION("the larger remainder wins before the label") {
    // N = 3, k = 2: X base 1 rem 1, Y base 0 rem 2: the leftover goes to Y.
    auto k = d::Allocate(d::CountRule{2}, {{"X", 2}, {"Y", 1}});
    REQUIRE(k.ok());
    CHECK(k.value() == d::StratumCounts{{"X", 1}, {"Y", 1}});
  }
  SECTION("labels compare as unsigned bytes") {
    auto k = d::Allocate(d::CountRule{1}, {{"\xE5\x9F\x8E", 1}, {"Z", 1}});  // 城 sorts after Z
    REQUIRE(k.ok());
    CHECK(k.value().at("Z") == 1);
  }
  SECTION("an empty pool draws nothing") {
    auto k = d::Allocate(d::CountRule{5}, {});
    REQUIRE(k.ok());
    CHECK(k.value().empty());
  }
}

TEST_CASE("draw: an unstratified pool uses the empty label", "[draw]") {
  auto in = CountExample();
  for (auto& e : in.pool) e.stratum.clear();
  in.rule = d::CountRule{3};
  auto r = d::Draw(in);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->allocation == d::StratumCounts{{"", 3}});
  REQUIRE(r->selection.members.size() == 3);
  CHECK(r->selection.file.rfind("1\t" + r->selection.members[0].uscc + "\t\t", 0) == 0);
  CHECK(r->pool_file.find("\t\n") != std::string::npos);
}

TEST_CASE("draw: ids with control characters and duplicate subjects are rejected", "[draw]") {
  SECTION("uscc with a tab") {
    auto in = CountExample();
    in.pool[3].uscc = "91330225\tBAD";
    auto r = d::Draw(in);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Contains("91330225\\x09BAD") && Contains("uscc"));
  }
  SECTION("stratum with a newline") {
    auto in = CountExample();
    in.pool[0].stratum = "A\nB";
    auto r = d::Draw(in);
    REQUIRE(!r.ok());
    CHECK_THAT(r.status().message(), Contains("A\\x0aB"));
  }
  SECTION("task id with a carriage return") {
    auto in = CountExample();
    in.task_id = "2026\r";
    auto r = d::Draw(in);
    REQUIRE(!r.ok());
    CHECK_THAT(r.status().message(), Contains("task_id"));
  }
  SECTION("inspector id with DEL and group with a control character") {
    auto in = RatioExample();
    in.teams->groups["SCJG"].push_back("SCJG\x7f");
    auto r = d::Draw(in);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Contains("SCJG\\x7f"));
    in = RatioExample();
    in.teams->groups["W\x01J"] = {"W1"};
    r = d::Draw(in);
    REQUIRE(!r.ok());
    CHECK_THAT(r.status().message(), Contains("W\\x01J"));
  }
  SECTION("conflict ids are checked too") {
    auto in = RatioExample();
    in.teams->conflicts.insert({"91330225J3Y7LLJY1P", "X\tY"});
    CHECK(!d::Draw(in).ok());
  }
  SECTION("invalid UTF-8 is rejected") {
    CHECK(!d::ValidateId("uscc", "9133\xff").ok());
    CHECK(d::ValidateId("stratum", "", true).ok());
    CHECK(!d::ValidateId("uscc", "").ok());
  }
  SECTION("duplicate uscc") {
    auto in = CountExample();
    in.pool.push_back({in.pool[5].uscc, "A"});
    auto r = d::Draw(in);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Contains(in.pool[5].uscc));
  }
  SECTION("an inspector listed twice in a group, a slot of an unknown group") {
    auto in = RatioExample();
    in.teams->groups["SCJG"].push_back("SCJG001");
    CHECK_THAT(d::Draw(in).status().message(), Contains("SCJG001"));
    in = RatioExample();
    in.teams->slots.push_back({"WJW", 1});
    CHECK_THAT(d::Draw(in).status().message(), Contains("WJW"));
  }
}

TEST_CASE("draw: subjects that cannot be staffed fail the draw and are all named", "[draw]") {
  auto in = RatioExample();
  in.teams->groups["SCJG"] = {"SCJG001", "SCJG002"};
  in.teams->groups["WJW"] = {"WJW001"};
  in.teams->slots = {{"SCJG", 2}, {"WJW", 1}};
  // Two subjects lose an SCJG member, one loses the only WJW member.
  in.teams->conflicts = {{"91330225DD272HD1T8", "SCJG001"},
                         {"91330225UF25ECH8W3", "SCJG002"},
                         {"913302253BJ1XG612X", "WJW001"}};
  auto r = d::Draw(in);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == xj::StatusCode::kFailedPrecondition);
  const std::string m = r.status().message();
  CHECK_THAT(m, Contains("91330225DD272HD1T8 (group SCJG)"));
  CHECK_THAT(m, Contains("91330225UF25ECH8W3 (group SCJG)"));
  CHECK_THAT(m, Contains("913302253BJ1XG612X (group WJW)"));
  CHECK_THAT(m, Contains("无法配齐"));
  // The order of the list is the draw order.
  CHECK(m.find("91330225DD272HD1T8 (group") < m.find("913302253BJ1XG612X (group"));
  CHECK(m.find("913302253BJ1XG612X (group") < m.find("91330225UF25ECH8W3 (group"));
}

TEST_CASE("draw: a member in conflict goes to the deferred list and leads the next team", "[draw]") {
  auto in = RatioExample();
  in.teams->conflicts.clear();
  auto free = d::Draw(in);
  REQUIRE(free.ok());
  const auto& a = free->assignment->teams;
  // Without conflicts the sixth subject's first member X comes straight from the stream.
  const std::string u6 = free->selection.members[5].uscc;
  const std::string x = a[5][0];
  in.teams->conflicts = {{u6, x}};
  auto with = d::Draw(in);
  REQUIRE(with.ok());
  const auto& b = with->assignment->teams;
  for (std::size_t i = 0; i < 5; ++i) CHECK(a[i] == b[i]);
  // With (u6, X) in conflict, X is drawn from the stream for u6, set aside on the deferred
  // list, and is the first member the next subject takes: its lead.
  REQUIRE(b[5].size() == 2);
  CHECK(std::find(b[5].begin(), b[5].end(), x) == b[5].end());
  CHECK(b[5][0] == a[5][1]);
  CHECK(b[6][0] == x);
  CHECK(with->assignment->hash != free->assignment->hash);
  CHECK(with->conflicts_hash == d::ToHex(d::Sha256(u6 + "\t" + x + "\n")));
  // The empty conflict list hashes as an empty file.
  CHECK(free->conflicts_hash == d::ToHex(d::Sha256("")));
}

TEST_CASE("draw: visits are balanced within one over a 1000-subject draw", "[draw]") {
  std::mt19937_64 rng(7);
  d::DrawInputs in;
  in.task_id = "BALANCE";
  in.secret = std::string(32, '\x42');
  in.entropy = "1.2.3./";
  in.pool = RandomPool(rng, 1000, {"A", "B"});
  in.rule = d::RatioRule{{{"*", 1000000}}, {}, {}};
  d::TeamInputs t;
  for (int i = 1; i <= 7; ++i) t.groups["SCJG"].push_back("S" + std::to_string(i));
  for (int i = 1; i <= 3; ++i) t.groups["WJW"].push_back("W" + std::to_string(i));
  t.slots = {{"SCJG", 2}, {"WJW", 1}};
  in.teams = t;
  auto r = d::Draw(in);
  REQUIRE(r.ok());
  REQUIRE(r->selection.members.size() == 1000);
  std::map<std::string, int> visits, leads;
  for (const auto& team : r->assignment->teams) {
    REQUIRE(team.size() == 3);
    CHECK(team[0] != team[1]);
    for (const auto& m : team) ++visits[m];
    ++leads[team[0]];
  }
  for (const char g : {'S', 'W'}) {
    int lo = 1 << 30, hi = 0;
    for (const auto& [id, v] : visits) {
      if (id[0] != g) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    INFO(g);
    CHECK(hi - lo <= 1);
  }
  CHECK(visits["W1"] + visits["W2"] + visits["W3"] == 1000);
  CHECK(leads.size() == 7);  // the lead is always an SCJG member (first slot), each of them leads
}

TEST_CASE("draw: proof folders are verified by tools/verify_draw.py", "[draw]") {
  const std::string root = xj::test::TempDir();
  int rc = -1;

  SECTION("the two examples of the spec") {
    const auto ratio = RatioExample();
    auto r = d::Draw(ratio);
    REQUIRE(r.ok());
    REQUIRE(d::WriteProofFolder(root + "/ratio", ratio, r.value()).ok());
    CHECK(xj::test::ReadFile(root + "/ratio/conflicts.tsv") == "913302250YEB5K3F1A\tSCJG001\n");
    CHECK(xj::test::ReadFile(root + "/ratio/groups.tsv").rfind("SCJG\tSCJG001\nSCJG\tSCJG002\n", 0) == 0);
    auto out = Verify(root + "/ratio", &rc);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out == "verified\n");

    const auto count = CountExample();
    auto c = d::Draw(count);
    REQUIRE(c.ok());
    REQUIRE(d::WriteProofFolder(root + "/count", count, c.value()).ok());
    out = Verify(root + "/count", &rc);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out == "verified\n");

    // Corruptions: each is named by the verifier.
    const std::string sel = xj::test::ReadFile(root + "/ratio/selection.tsv");
    auto lines = sel;
    const auto nl1 = lines.find('\n');
    const auto nl2 = lines.find('\n', nl1 + 1);
    // Flip lines 1 and 2 of the selection.
    const std::string l1 = lines.substr(0, nl1), l2 = lines.substr(nl1 + 1, nl2 - nl1 - 1);
    xj::test::WriteFile(root + "/ratio/selection.tsv", l2 + "\n" + l1 + "\n" + sel.substr(nl2 + 1));
    out = Verify(root + "/ratio", &rc);
    INFO(out);
    CHECK(rc == 1);
    CHECK_THAT(out, Contains("mismatch") && Contains("selection.tsv line 1"));
    xj::test::WriteFile(root + "/ratio/selection.tsv", sel);
    out = Verify(root + "/ratio", &rc);
    CHECK(rc == 0);

    const std::string proof = xj::test::ReadFile(root + "/ratio/proof.json");
    auto bad = proof;
    const auto at = bad.find("7.8.11.17.19.25.46./");
    REQUIRE(at != std::string::npos);
    bad.replace(at, 1, "6");
    xj::test::WriteFile(root + "/ratio/proof.json", bad);
    out = Verify(root + "/ratio", &rc);
    INFO(out);
    CHECK(rc == 1);
    CHECK_THAT(out, Contains("mismatch: seed"));
    xj::test::WriteFile(root + "/ratio/proof.json", proof);

    const std::string asg = xj::test::ReadFile(root + "/ratio/assignment.tsv");
    auto swapped = asg;
    swapped.replace(swapped.find("SCJG003,SCJG006"), 15, "SCJG006,SCJG003");  // another lead
    xj::test::WriteFile(root + "/ratio/assignment.tsv", swapped);
    out = Verify(root + "/ratio", &rc);
    INFO(out);
    CHECK(rc == 1);
    CHECK_THAT(out, Contains("assignment.tsv line 1"));
    xj::test::WriteFile(root + "/ratio/assignment.tsv", asg);

    xj::test::WriteFile(root + "/ratio/conflicts.tsv", "");
    out = Verify(root + "/ratio", &rc);
    CHECK(rc == 1);
    CHECK_THAT(out, Contains("conflicts_hash"));

    auto pool = xj::test::ReadFile(root + "/count/pool.tsv");
    pool[pool.size() - 2] = pool[pool.size() - 2] == 'A' ? 'B' : 'A';  // move a subject to another stratum
    xj::test::WriteFile(root + "/count/pool.tsv", pool);
    out = Verify(root + "/count", &rc);
    CHECK(rc == 1);
    CHECK_THAT(out, Contains("pool_hash"));
  }

  SECTION("a draw where a conflict defers an inspector, with a joint-inspection slot") {
    auto in = RatioExample();
    in.teams->conflicts.clear();
    in.teams->groups["WJW"] = {"WJW001", "WJW002", "SCJG004"};
    in.teams->slots = {{"SCJG", 2}, {"WJW", 1}};
    auto free = d::Draw(in);
    REQUIRE(free.ok());
    // Conflict with the first member of every second team: each is deferred.
    for (std::size_t i = 0; i < free->selection.members.size(); i += 2)
      in.teams->conflicts.insert({free->selection.members[i].uscc, free->assignment->teams[i][0]});
    auto r = d::Draw(in);
    INFO(r.status().message());
    REQUIRE(r.ok());
    CHECK(r->assignment->hash != free->assignment->hash);
    REQUIRE(d::WriteProofFolder(root + "/deferred", in, r.value()).ok());
    const auto out = Verify(root + "/deferred", &rc);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out == "verified\n");
  }

  SECTION("twenty random tasks") {
    std::mt19937_64 rng(20260101);
    for (int task = 0; task < 20; ++task) {
      d::DrawInputs in;
      in.task_id = "2026-RND-" + std::to_string(task);
      in.secret.clear();
      for (int i = 0; i < 32; ++i) in.secret += static_cast<char>(rng() & 0xFF);
      in.entropy = task % 4 == 0 ? "" : std::to_string(rng() % 50) + "." + std::to_string(rng() % 50) + "./";
      std::vector<std::string> strata;
      const int ns = 1 + static_cast<int>(rng() % 5);
      for (int s = 0; s < ns; ++s) strata.push_back(task % 5 == 1 && s == 0 ? "" : "S" + std::to_string(s));
      in.pool = RandomPool(rng, 50 + rng() % 451, strata);
      if (rng() % 2 == 0) {
        d::RatioRule rule;
        rule.ppm["*"] = static_cast<std::uint32_t>(rng() % 300001);
        for (const auto& s : strata) {
          if (rng() % 2) rule.ppm[s] = static_cast<std::uint32_t>(rng() % 1000001);
          if (rng() % 4 == 0) rule.min[s] = rng() % 20;
          if (rng() % 4 == 0) rule.max[s] = rng() % 40;
        }
        in.rule = rule;
      } else {
        in.rule = d::CountRule{rng() % 120};
      }
      if (task % 3 != 2) {
        d::TeamInputs t;
        const int groups = 1 + static_cast<int>(rng() % 3);
        for (int g = 0; g < groups; ++g) {
          const std::string name = "G" + std::to_string(g);
          const int members = 4 + static_cast<int>(rng() % 7);
          for (int m = 0; m < members; ++m) t.groups[name].push_back(name + "-" + std::to_string(m));
          t.slots.push_back({name, static_cast<std::uint32_t>(1 + (g == 0 ? rng() % 2 : 0))});
        }
        // Sometimes an inspector belongs to two groups (e.g. a joint inspection).
        if (groups >= 2 && task % 2 == 0) t.groups["G1"].push_back("G0-3");
        // Conflicts with G0-0 or G0-1 for a few subjects: G0 has at least 4 members and a slot
        // of at most 2, so a subject can always be staffed.
        for (int c = 0; c < 15; ++c) {
          const auto& u = in.pool[rng() % in.pool.size()].uscc;
          t.conflicts.insert({u, "G0-" + std::to_string(rng() % 2)});
        }
        in.teams = t;
      }
      auto r = d::Draw(in);
      INFO("task " << task << ": " << r.status().message());
      REQUIRE(r.ok());
      const std::string dir = root + "/task" + std::to_string(task);
      REQUIRE(d::WriteProofFolder(dir, in, r.value()).ok());
      const auto out = Verify(dir, &rc);
      INFO(out);
      CHECK(rc == 0);
      CHECK(out == "verified\n");
    }
  }
}
