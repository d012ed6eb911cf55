// xj-draw-v1 (plugins/draw/src/draw_v1.h) against its specification, docs/draw-v1.md: the
// test vectors of docs/draw-v1/vectors (read at run time from the folder CMake passes in as
// XJ_DRAW_V1_VECTORS, never copied into this file: a vector file that is altered fails these
// tests), the edge cases of allocation, selection and team assignment, and proof folders
// checked by the independent Python verifier tools/verify_draw.py.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
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
using nlohmann::json;

const std::string kVectors = XJ_DRAW_V1_VECTORS;  // docs/draw-v1/vectors
const std::string kSpec = XJ_DRAW_V1_SPEC;        // docs/draw-v1.md

// The rows of a canonical two-column file (pool.tsv, groups.tsv, conflicts.tsv).
std::vector<std::pair<std::string, std::string>> ReadPairs(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  INFO(path);
  REQUIRE(f);
  std::vector<std::pair<std::string, std::string>> rows;
  std::string line;
  while (std::getline(f, line)) {
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    rows.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return rows;
}

template <typename T>
std::map<std::string, T> CountsFromJson(const json& j) {
  std::map<std::string, T> out;
  for (const auto& [k, v] : j.items()) out[k] = v.template get<T>();
  return out;
}

// The "rule" of proof.json (docs/draw-v1.md, "The proof folder").
d::Rule RuleFromJson(const json& j) {
  if (j.at("type") == "count") return d::CountRule{j.at("count").get<std::uint64_t>()};
  REQUIRE(j.at("type") == "ratio");
  return d::RatioRule{CountsFromJson<std::uint32_t>(j.at("ppm")), CountsFromJson<std::uint64_t>(j.at("min")),
                      CountsFromJson<std::uint64_t>(j.at("max"))};
}

// A test vector: a proof folder of docs/draw-v1/vectors. Its inputs (task id, secret,
// entropy, rule, pool, and when teams were drawn the groups, slots and conflicts) are read
// back into DrawInputs; proof.json and the other files hold the expected results.
struct Vector {
  std::string dir;
  json proof;
  d::DrawInputs inputs;
};

Vector LoadVector(const std::string& name) {
  Vector v;
  v.dir = kVectors + "/" + name;
  v.proof = json::parse(xj::test::ReadFile(v.dir + "/proof.json"));
  d::DrawInputs& in = v.inputs;
  in.task_id = v.proof.at("task_id").get<std::string>();
  in.secret = d::FromHex(v.proof.at("secret").get<std::string>()).value();
  in.entropy = v.proof.at("entropy").get<std::string>();
  in.rule = RuleFromJson(v.proof.at("rule"));
  for (const auto& [uscc, stratum] : ReadPairs(v.dir + "/pool.tsv")) in.pool.push_back({uscc, stratum});
  if (!v.proof.at("slots").is_null()) {
    d::TeamInputs t;
    for (const auto& [group, id] : ReadPairs(v.dir + "/groups.tsv")) t.groups[group].push_back(id);
    for (const auto& slot : v.proof.at("slots"))
      t.slots.push_back({slot.at(0).get<std::string>(), slot.at(1).get<std::uint32_t>()});
    for (const auto& pair : ReadPairs(v.dir + "/conflicts.tsv")) t.conflicts.insert(pair);
    in.teams = t;
  }
  return v;
}

// The ratio vector: the example pool, four strata, one group of six, one conflict.
d::DrawInputs RatioExample() { return LoadVector("ratio").inputs; }
// The count vector: the same pool, count 7, empty entropy, no teams.
d::DrawInputs CountExample() { return LoadVector("count").inputs; }
std::vector<d::PoolEntry> ExamplePool() { return CountExample().pool; }

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
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

// Each vector is a proof folder: the draw recomputed from its inputs writes the same folder.
// The text files must be equal byte for byte, proof.json value for value; the Python verifier
// accepts the folder as it is; and docs/draw-v1.md quotes the vector's hashes, so the
// specification and its vectors cannot drift apart.
TEST_CASE("draw: the test vectors of docs/draw-v1.md", "[draw]") {
  const std::string spec = xj::test::ReadFile(kSpec);
  const std::string root = xj::test::TempDir();
  for (const std::string name : {"ratio", "count", "joint"}) {
    INFO("vector " << name);
    const Vector v = LoadVector(name);
    auto r = d::Draw(v.inputs);
    INFO(r.status().message());
    REQUIRE(r.ok());
    CHECK(d::Commitment(v.inputs.secret) == v.proof.at("commitment"));
    CHECK(d::ToHex(r->seed) == v.proof.at("seed"));
    const std::string out = root + "/" + name;
    REQUIRE(d::WriteProofFolder(out, v.inputs, r.value()).ok());
    REQUIRE(FilesIn(out) == FilesIn(v.dir));
    for (const auto& file : FilesIn(v.dir)) {
      INFO(file);
      if (file == "proof.json")
        CHECK(json::parse(xj::test::ReadFile(out + "/" + file)) == v.proof);
      else
        CHECK(xj::test::ReadFile(out + "/" + file) == xj::test::ReadFile(v.dir + "/" + file));
    }
    for (const char* key : {"pool_hash", "commitment", "seed", "selection_hash", "assignment_hash"}) {
      if (v.proof.at(key).is_null()) continue;
      INFO(key << " is not quoted in " << kSpec);
      CHECK(spec.find(v.proof.at(key).get<std::string>()) != std::string::npos);
    }
    int rc = -1;
    const auto verified = Verify(v.dir, &rc);
    INFO(verified);
    CHECK(rc == 0);
    CHECK(verified == "verified\n");
  }
}

// docs/draw-v1/vectors/allocation.json: the allocation rules alone, against this
// implementation and against tools/verify_draw.py.
TEST_CASE("draw: the allocation vectors of docs/draw-v1.md", "[draw]") {
  const std::string path = kVectors + "/allocation.json";
  const json cases = json::parse(xj::test::ReadFile(path)).at("cases");
  REQUIRE(cases.size() >= 10);
  for (const auto& c : cases) {
    INFO(c.at("name").get<std::string>());
    auto k = d::Allocate(RuleFromJson(c.at("rule")), CountsFromJson<std::uint64_t>(c.at("sizes")));
    if (c.contains("error")) {
      CHECK(!k.ok());
      CHECK(k.status().code() == xj::StatusCode::kInvalidArgument);
    } else {
      INFO(k.status().message());
      REQUIRE(k.ok());
      CHECK(k.value() == CountsFromJson<std::uint64_t>(c.at("allocation")));
    }
  }
  const std::string script = xj::test::TempDir() + "/allocation.py";
  xj::test::WriteFile(script, R"(import json, sys
sys.path.insert(0, sys.argv[1])
import verify_draw as v
bad = 0
for c in json.load(open(sys.argv[2], encoding="utf-8"))["cases"]:
    sizes = dict(sorted((k.encode(), n) for k, n in c["sizes"].items()))
    try:
        got = {k.decode(): n for k, n in v.allocate(c["rule"], sizes).items()}
    except v.Mismatch:
        got = "error"
    want = "error" if "error" in c else c["allocation"]
    if got != want:
        bad += 1
        print("%s: expected %r, got %r" % (c["name"], want, got))
print("bad %d" % bad)
)");
  const auto r = xj::test::RunShell("python3 '" + script + "' '" XJ_SOURCE_DIR "/tools' '" + path + "' 2>&1");
  INFO(r.out + r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "bad 0\n");
}

TEST_CASE("draw: the pool is canonical whatever the input order", "[draw]") {
  const Vector v = LoadVector("count");
  auto pool = v.inputs.pool;
  std::reverse(pool.begin(), pool.end());
  auto c = d::CanonicalPool(pool);
  REQUIRE(c.ok());
  CHECK(d::PoolHash(c.value()) == v.proof.at("pool_hash"));
  CHECK(d::PoolFile(c.value()) == xj::test::ReadFile(v.dir + "/pool.tsv"));
}

// The allocation rules themselves are the vectors of allocation.json (above); here only what
// the vectors do not say: the messages, and the caps applied by the selection and the draw.
TEST_CASE("draw: allocation errors and caps", "[draw]") {
  const d::StratumCounts sizes{{"A", 5}, {"B", 10}, {"C", 3}};
  SECTION("a stratum without a ratio and without a default is named") {
    auto k = d::Allocate(d::RatioRule{{{"A", 1}, {"B", 1}}, {}, {}}, sizes);
    REQUIRE(!k.ok());
    CHECK(k.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(k.status().message(), Contains("\"C\""));
  }
  SECTION("selection caps k at the stratum size") {
    auto pool = d::CanonicalPool(ExamplePool()).value();
    const auto seed = d::Sha256("seed");
    auto sel = d::Select(pool, d::Tickets(seed, pool), {{"A", 1000}, {"B", 0}});
    const auto sizes_pool = d::StratumSizes(pool);
    CHECK(sel.members.size() == sizes_pool.at("A"));
    for (std::size_t i = 1; i < sel.members.size(); ++i) CHECK(sel.members[i - 1].ticket < sel.members[i].ticket);
  }
  SECTION("a count above N draws everyone") {
    auto in = CountExample();
    in.rule = d::CountRule{1000};
    auto r = d::Draw(in);
    REQUIRE(r.ok());
    CHECK(r->selection.members.size() == 20);
    CHECK(r->allocation == d::StratumSizes(r->pool));
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
  auto plain = in;
  plain.teams.reset();
  const auto order = Usccs(d::Draw(plain)->selection);
  auto pos = [&order](const std::string& u) { return std::find(order.begin(), order.end(), u) - order.begin(); };
  std::vector<std::string> named{"91330225DD272HD1T8", "913302253BJ1XG612X", "91330225UF25ECH8W3"};
  std::sort(named.begin(), named.end(), [&](const auto& a, const auto& b) { return pos(a) < pos(b); });
  CHECK(m.find(named[0] + " (group") < m.find(named[1] + " (group"));
  CHECK(m.find(named[1] + " (group") < m.find(named[2] + " (group"));
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

  SECTION("the two examples of the spec, and corruptions of their proofs") {
    const auto ratio = RatioExample();
    auto r = d::Draw(ratio);
    REQUIRE(r.ok());
    REQUIRE(d::WriteProofFolder(root + "/ratio", ratio, r.value()).ok());
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
    const auto at = bad.find("\"entropy\": \"" + ratio.entropy + "\"");
    REQUIRE(!ratio.entropy.empty());
    REQUIRE(at != std::string::npos);
    bad[at + 12] = bad[at + 12] == '1' ? '2' : '1';  // the first character of the entropy
    xj::test::WriteFile(root + "/ratio/proof.json", bad);
    out = Verify(root + "/ratio", &rc);
    INFO(out);
    CHECK(rc == 1);
    CHECK_THAT(out, Contains("mismatch: seed"));
    xj::test::WriteFile(root + "/ratio/proof.json", proof);

    const std::string asg = xj::test::ReadFile(root + "/ratio/assignment.tsv");
    // Another lead: the first two members of the first team change places.
    const auto tab = asg.find('\t'), comma = asg.find(',', tab), end = asg.find_first_of(",\n", comma + 1);
    REQUIRE(end != std::string::npos);
    const std::string first = asg.substr(tab + 1, comma - tab - 1), second = asg.substr(comma + 1, end - comma - 1);
    const std::string swapped = asg.substr(0, tab + 1) + second + "," + first + asg.substr(end);
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
