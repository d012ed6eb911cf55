// rfc3797 (plugins/rfc3797/src/rfc3797.h): the worked example of RFC 3797 section 6, the key
// string formatting, the sampler's refusals and guarantees, and the built plugin loaded through
// the real PluginHost (tests/support/plugin_probe.h).
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "plugin_probe.h"
#include "rfc3797.h"

namespace {

using Catch::Matchers::Contains;
namespace r = xj::rfc3797;

// RFC 3797 section 6: the sources, the key string, the 25 volunteers and the output table
// (index 1 … 16, MD5 value, divisor, selected number). Ten are selected; the rest of the table
// is the order of the alternates.
const std::vector<std::string> kRfcSources = {"9319", "2 5 12 8 10", "9 18 26 34 41 45"};
const char* kRfcKey = "9319./2.5.8.10.12./9.18.26.34.41.45./";

struct RfcRow {
  std::uint32_t divisor;
  std::uint32_t selected;
  const char* md5;  // as the RFC prints it (upper case)
};

const std::vector<RfcRow> kRfcTable = {
    {25, 17, "990DD0A5692A029A98B5E01AA28F3459"}, {24, 7, "3691E55CB63FCC37914430B2F70B5EC6"},
    {23, 2, "FE814EDF564C190AC1D25753979990FA"},  {22, 16, "1863CCACEB568C31D7DDBDF1D4E91387"},
    {21, 25, "F4AB33DF4889F0AF29C513905BE1D758"}, {20, 23, "13EAEB529F61ACFB9A29D0BA3A60DE4A"},
    {19, 8, "992DB77C382CA2BDB9727001F3CDCCD9"},  {18, 24, "63AB4258ECA922976811C7F55C383CE7"},
    {17, 19, "DFBC5AC97CED01B3A6E348E3CC63F40D"}, {16, 13, "31CB111C4A4EBE9287CEAE16FE51B909"},
    {15, 22, "07FA46C122F164C215BBC72793B189A3"}, {14, 5, "AC52F8D75CCBE2E61AFEB3387637D501"},
    {13, 18, "53306F73E14FC0B2FBF434218D25948E"}, {12, 9, "B5D1403501A81F9A47318BE7893B347C"},
    {11, 1, "85B10B356AA06663EF1B1B407765100A"},  {10, 4, "3269E6CE559ABD57E2BA6AAB495EB9BD"},
};

const std::vector<std::string> kRfcNames = {
    "John",      "Mary",      "Bashful",   "Dopey",   "Sleepy", "Grouchy", "Doc",       "Sneazy", "Handsome",
    "Cassandra", "Pollyanna", "Pendragon", "Pandora", "Faith",  "Hope",    "Charity",   "Lee",    "Longsuffering",
    "Chastity",  "Smith",     "Pride",     "Sloth",   "Envy",   "Anger",   "Kasczynski"};

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// n USCC-like ids "91330225" + i as 10 digits (i = 1 … n), in canonical (byte) order, all in
// stratum `stratum`: member i is pool.uscc(i - 1).
xj::FrozenPool Pool(std::size_t n, const std::string& stratum = "") {
  xj::FrozenPool pool;
  for (std::size_t i = 1; i <= n; ++i) {
    const std::string tail = std::to_string(i);
    pool.usccs += "91330225" + std::string(10 - tail.size(), '0') + tail;
  }
  pool.stratum_index.assign(n, 0);
  pool.labels = {stratum};
  return pool;
}

xj::SampleRequest Request(const xj::FrozenPool* pool, std::uint64_t k) {
  xj::SampleRequest req;
  req.task_id = "2026-XS-R001";
  req.secret = std::string(32, '\x11');
  req.entropy = kRfcKey;
  req.pool_hash = "2663f176d296fee0a32e2d7e8737a03bd300b239b59490fcc1e3e5e44d72410a";
  req.pool = pool;
  req.allocation[""] = k;
  return req;
}

std::string SeedHex(const xj::Digest256& seed) {
  return r::ToHex(std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()));
}

}  // namespace

TEST_CASE("rfc3797 reproduces the worked example of RFC 3797 section 6", "[rfc3797]") {
  auto key = r::KeyString(kRfcSources);
  REQUIRE(key.ok());
  CHECK(key.value() == kRfcKey);

  // The whole table: 16 picks of 25, with the RFC's MD5 values and divisors.
  auto picks = r::Select(kRfcKey, 25, 16);
  REQUIRE(picks.ok());
  REQUIRE(picks->size() == kRfcTable.size());
  for (std::size_t j = 0; j < kRfcTable.size(); ++j) {
    INFO("RFC index " << j + 1);
    CHECK(picks->at(j).number == kRfcTable[j].selected);
    CHECK(picks->at(j).hash == Lower(kRfcTable[j].md5));
    // The hash of selection j (0-based) brackets the key with j as two big-endian bytes.
    const r::Md5 h = r::SelectionHash(kRfcKey, static_cast<std::uint16_t>(j));
    CHECK(r::ToHex(std::string_view(reinterpret_cast<const char*>(h.data()), h.size())) == Lower(kRfcTable[j].md5));
    CHECK(r::Remainder(h, kRfcTable[j].divisor) + 1 <= kRfcTable[j].divisor);
  }

  // The ten selected, in order, by name; the next one (the first alternate) is Sloth.
  auto ten = r::Select(kRfcKey, 25, 10);
  REQUIRE(ten.ok());
  std::vector<std::string> names;
  for (const auto& p : ten.value()) names.push_back(kRfcNames.at(p.number - 1));
  CHECK(names == std::vector<std::string>{"Lee", "Doc", "Mary", "Charity", "Kasczynski", "Envy", "Sneazy", "Anger",
                                          "Chastity", "Pandora"});
  CHECK(kRfcNames.at(picks->at(10).number - 1) == "Sloth");
}

TEST_CASE("rfc3797 remainders follow the RFC's long division", "[rfc3797]") {
  // The first two rows of the RFC: 0x990D…59 mod 25 = 16 (17th of 1…25), 0x3691…C6 mod 24 = 6.
  CHECK(r::Remainder(r::SelectionHash(kRfcKey, 0), 25) == 16);
  CHECK(r::Remainder(r::SelectionHash(kRfcKey, 1), 24) == 6);
  r::Md5 ones{};
  ones.fill(0xFF);  // 2^128 − 1 is divisible by 2^8 − 1 and 2^16 − 1 (and so by 3)
  CHECK(r::Remainder(ones, 3) == 0);
  CHECK(r::Remainder(ones, 255) == 0);
  CHECK(r::Remainder(ones, 65535) == 0);
  CHECK(r::Remainder(ones, 1) == 0);
  r::Md5 one{};
  one[15] = 1;
  CHECK(r::Remainder(one, 65535) == 1);
  CHECK_THROWS_AS(r::Remainder(one, 0), std::invalid_argument);
}

TEST_CASE("rfc3797 formats random sources as the RFC does", "[rfc3797]") {
  auto f = [](const std::string& s) {
    auto out = r::FormatSource(s);
    INFO(s << ": " << out.status().message());
    REQUIRE(out.ok());
    return out.value();
  };
  CHECK(f("9 18 19 20 26") == "9.18.19.20.26./");
  CHECK(f("2 5 12 8 10") == "2.5.8.10.12./");  // by value, not as text
  CHECK(f("9319") == "9319./");
  CHECK(f("  7,46 11\t8\n17, 25 19 ") == "7.8.11.17.19.25.46./");
  CHECK(f("007 010 0 00") == "0.0.7.10./");  // leading zeros dropped
  CHECK(f("3 3 1") == "1.3.3./");            // repeats kept (dice)
  CHECK(f("123456789012345678901234567890 99999999999999999999 5") ==
        "5.99999999999999999999.123456789012345678901234567890./");

  for (const std::string bad : {"", "   ", " , ", "1 x", "-3", "+3", "1.5", "１２"}) {
    INFO("'" << bad << "'");
    auto out = r::FormatSource(bad);
    CHECK_FALSE(out.ok());
    CHECK(out.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(out.status().message(), Contains(" / "));
  }

  auto none = r::KeyString({});
  CHECK(none.status().code() == xj::StatusCode::kInvalidArgument);
  auto bad = r::KeyString({"1 2", "3 y"});
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Contains("source 2"));
}

TEST_CASE("rfc3797 selection is deterministic and extends with k", "[rfc3797]") {
  auto a = r::Select(kRfcKey, 300, 40);
  auto b = r::Select(kRfcKey, 300, 40);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.value() == b.value());

  // The first k picks for a smaller k are a prefix (the RFC's alternates).
  auto prefix = r::Select(kRfcKey, 300, 7);
  REQUIRE(prefix.ok());
  CHECK(std::vector<r::Pick>(a->begin(), a->begin() + 7) == prefix.value());

  // Another key gives another selection.
  auto other = r::Select("9319./2.5.8.10.13./9.18.26.34.41.45./", 300, 40);
  REQUIRE(other.ok());
  CHECK(other.value() != a.value());

  auto none = r::Select(kRfcKey, 300, 0);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("rfc3797 with k equal to N selects everyone exactly once", "[rfc3797]") {
  for (const std::uint32_t n : {1u, 2u, 25u, 1000u}) {
    INFO("n = " << n);
    auto all = r::Select(kRfcKey, n, n);
    REQUIRE(all.ok());
    REQUIRE(all->size() == n);
    std::set<std::uint32_t> seen;
    for (const auto& p : all.value()) {
      CHECK(p.number >= 1);
      CHECK(p.number <= n);
      CHECK(p.hash.size() == 32);
      seen.insert(p.number);
    }
    CHECK(seen.size() == n);
  }
  // The largest pool the 16-bit counters allow, every member drawn.
  auto max = r::Select(kRfcKey, r::kMaxCandidates, r::kMaxCandidates);
  REQUIRE(max.ok());
  std::vector<bool> seen(r::kMaxCandidates + 1, false);
  std::size_t distinct = 0;
  for (const auto& p : max.value()) {
    if (p.number >= 1 && p.number <= r::kMaxCandidates && !seen[p.number]) {
      seen[p.number] = true;
      ++distinct;
    }
  }
  CHECK(distinct == r::kMaxCandidates);
}

TEST_CASE("rfc3797 Select refuses pools above 65535 and k above N", "[rfc3797]") {
  auto big = r::Select(kRfcKey, 65536, 1);
  CHECK(big.status().code() == xj::StatusCode::kInvalidArgument);
  CHECK_THAT(big.status().message(), Contains("65535"));
  auto over = r::Select(kRfcKey, 5, 6);
  CHECK(over.status().code() == xj::StatusCode::kInvalidArgument);
}

TEST_CASE("rfc3797 Sample maps picks to pool positions, tickets and the seed", "[rfc3797]") {
  const auto pool = Pool(25);
  auto res = r::Sample(Request(&pool, 10));
  INFO(res.status().message());
  REQUIRE(res.ok());
  REQUIRE(res->members.size() == 10);
  for (std::size_t j = 0; j < 10; ++j) {
    CHECK(res->members[j].index == kRfcTable[j].selected - 1);
    CHECK(res->members[j].ticket == Lower(kRfcTable[j].md5));
  }
  // SHA-256("rfc3797\n2026-XS-R001\n" || pool_hash || "\n" || "11"×32 || "\n" || key), from Python hashlib.
  CHECK(SeedHex(res->seed) == "f57b923e7b849cf1c1976b418bcb853845d067008854086ed5db74be04eb426e");
  CHECK(res->seed == r::Seed("2026-XS-R001", "2663f176d296fee0a32e2d7e8737a03bd300b239b59490fcc1e3e5e44d72410a",
                             std::string(32, '\x11'), kRfcKey));

  // Same request, same result; the secret changes the seed but not the selection.
  auto again = r::Sample(Request(&pool, 10));
  REQUIRE(again.ok());
  CHECK(again->seed == res->seed);
  auto other_secret = Request(&pool, 10);
  other_secret.secret = std::string(32, '\x22');
  auto res2 = r::Sample(other_secret);
  REQUIRE(res2.ok());
  CHECK(res2->seed != res->seed);
  for (std::size_t j = 0; j < 10; ++j) CHECK(res2->members[j].index == res->members[j].index);

  // k = N: everyone once. k = 0: nobody.
  auto all = r::Sample(Request(&pool, 25));
  REQUIRE(all.ok());
  std::set<std::uint32_t> idx;
  for (const auto& m : all->members) idx.insert(m.index);
  CHECK(idx.size() == 25);
  CHECK(*idx.rbegin() == 24);
  auto none = r::Sample(Request(&pool, 0));
  REQUIRE(none.ok());
  CHECK(none->members.empty());

  // One stratum that holds the whole pool is an unstratified draw under another label.
  const auto labelled = Pool(25, "A");
  auto req = Request(&labelled, 10);
  req.allocation = {{"A", 10}};
  auto lab = r::Sample(req);
  REQUIRE(lab.ok());
  CHECK(lab->members[0].index == 16);
}

TEST_CASE("rfc3797 Sample refuses strata, empty entropy and oversized requests", "[rfc3797]") {
  const auto pool = Pool(25);

  SECTION("two strata with k > 0") {
    auto mixed = Pool(25);
    mixed.labels = {"A", "B"};
    for (std::size_t i = 0; i < mixed.size(); i += 2) mixed.stratum_index[i] = 1;
    auto req = Request(&mixed, 0);
    req.allocation = {{"A", 2}, {"B", 3}};
    auto res = r::Sample(req);
    CHECK(res.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK(res.status().message() ==
          "rfc3797 抽样不支持分层 / rfc3797 sampling does not support strata; use xj-draw-v1");

    // Only one stratum allocated, but the pool has members of another: still strata.
    req.allocation = {{"A", 2}, {"B", 0}};
    auto one = r::Sample(req);
    CHECK(one.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(one.status().message(), Contains("does not support strata"));
  }

  SECTION("empty entropy") {
    auto req = Request(&pool, 3);
    req.entropy.clear();
    auto res = r::Sample(req);
    CHECK(res.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(res.status().message(), Contains("entropy is empty"));
    CHECK_THAT(res.status().message(), Contains(" / "));
  }

  SECTION("pool above 65535 members") {
    const auto big = Pool(65536);
    auto res = r::Sample(Request(&big, 1));
    CHECK(res.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(res.status().message(), Contains("65536 members"));
    CHECK_THAT(res.status().message(), Contains("65535"));
  }

  SECTION("k above 65535 or above the pool") {
    auto res = r::Sample(Request(&pool, 65536));
    CHECK(res.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(res.status().message(), Contains("at most 65535"));
    auto over = r::Sample(Request(&pool, 26));
    CHECK(over.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(over.status().message(), Contains("cannot select 26 of a pool of 25"));
  }

  SECTION("no pool") {
    auto res = r::Sample(Request(nullptr, 1));
    CHECK(res.status().code() == xj::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("rfc3797 plugin loads through the PluginHost and samples", "[rfc3797][plugin]") {
  const xj::test::PluginProbe probe({.required = {"rfc3797"}});
  const auto& st = probe.status();
  INFO(st.message());
  REQUIRE(st.ok());
  const xj::test::ProbedPlugin* record = probe.Plugin("rfc3797");
  REQUIRE(record != nullptr);
  CHECK(record->state == "loaded");
  CHECK(record->capabilities == std::vector<std::string>{"sampler"});

  const xj::Sampler* sampler = probe.FindSampler("rfc3797");
  REQUIRE(sampler != nullptr);
  CHECK_THAT(sampler->Description(), Contains(" / "));

  const auto pool = Pool(25);
  auto res = sampler->Sample(Request(&pool, 10));
  INFO(res.status().message());
  REQUIRE(res.ok());
  REQUIRE(res->members.size() == 10);
  std::vector<std::string> names;
  for (const auto& m : res->members) names.push_back(kRfcNames.at(m.index));
  CHECK(names == std::vector<std::string>{"Lee", "Doc", "Mary", "Charity", "Kasczynski", "Envy", "Sneazy", "Anger",
                                          "Chastity", "Pandora"});
  CHECK(res->members[0].ticket == "990dd0a5692a029a98b5e01aa28f3459");
  CHECK(SeedHex(res->seed) == "f57b923e7b849cf1c1976b418bcb853845d067008854086ed5db74be04eb426e");

  auto strata = Request(&pool, 0);
  strata.allocation = {{"", 1}, {"B", 1}};
  auto refused = sampler->Sample(strata);
  CHECK(refused.status().code() == xj::StatusCode::kInvalidArgument);
  CHECK_THAT(refused.status().message(), Contains("use xj-draw-v1"));
}
