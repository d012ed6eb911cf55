// Unit tests of the task spec parser, the pool predicate and the compact FrozenPool path
// (which must give byte-identical results to the reference std::vector<PoolEntry> path).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>

#include "draw_v1.h"
#include "pool.h"
#include "task_spec.h"
#include "test_support.h"

using namespace xj::draw;
using xj::SubjectFacts;  // xinjian/directory.h
using Catch::Matchers::Contains;

namespace {

const char* kGood = R"({
  "title": "2026 年企业公示信息抽查", "department": "SCJG", "items": ["SCJG-2026-001"],
  "filters": {"regions": ["3302"], "types": ["enterprise"], "registered_before": "2025-01-01"},
  "strata": "risk_class",
  "rule": {"ratio_percent": {"A": 1, "B": "4", "C": 8.5, "D": "20.0001", "none": 1}, "min": {"D": 2}, "max": {"A": 100}},
  "team": {"slots": [{"group": "SCJG", "count": 2}], "expert": {"group": "SCJG", "count": 1}},
  "entropy_source": "福彩 3D 2026001 期", "due_date": "2026-12-31"})";

std::string Uscc(std::mt19937_64& rng) {
  static const char* kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  std::string u = "91330";
  while (u.size() < 18) u += kAlphabet[rng() % 31];
  return u;
}

}  // namespace

TEST_CASE("A valid task spec parses, percentages become ppm exactly", "[draw][spec]") {
  auto r = ParseTaskSpec(kGood);
  REQUIRE(r.ok());
  const TaskSpec& s = r.value();
  CHECK(s.department == "SCJG");
  CHECK(s.strata == StrataKind::kRiskClass);
  const auto& rule = std::get<RatioRule>(s.rule);
  CHECK(rule.ppm.at("A") == 10000);
  CHECK(rule.ppm.at("C") == 85000);
  CHECK(rule.ppm.at("D") == 200001);
  CHECK(rule.min.at("D") == 2);
  REQUIRE(s.expert_slot);
  CHECK(s.expert_slot->count == 1);
  CHECK(s.sampler == "xj-draw-v1");
  CHECK_FALSE(s.exclusions.same_item_within_days.has_value());  // default: the calendar year
  CHECK(s.exclusions.open_tasks == OpenTasks::kOwn);            // default: own department and items
  CHECK(s.conflicts.declared_relations);
  CHECK(s.conflicts.previous_inspector);
  CHECK_FALSE(s.conflicts.same_office);
  // The normalised JSON parses back to the same spec.
  auto again = ParseTaskSpec(SpecToJson(s));
  REQUIRE(again.ok());
  CHECK(SpecToJson(again.value()) == SpecToJson(s));
}

TEST_CASE("The entropy: the new shape, the older entropy_source, and what is refused", "[draw][spec][entropy]") {
  const std::string head = R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 3},
    "team": {"slots": [{"group": "SCJG", "count": 2}]}, )";
  auto old_shape = ParseTaskSpec(head + R"("entropy_source": "福彩 3D 2026001 期"})");
  REQUIRE(old_shape.ok());
  CHECK(old_shape->entropy_source_name == "manual");
  CHECK(old_shape->entropy_source == "福彩 3D 2026001 期");
  auto manual = ParseTaskSpec(head + R"("entropy": {"description": "福彩 3D 2026001 期"}})");
  REQUIRE(manual.ok());
  CHECK(SpecToJson(manual.value()) == SpecToJson(old_shape.value()));  // the same task either way
  auto none = ParseTaskSpec(head + R"("entropy": {"source": "none"}})");
  REQUIRE(none.ok());
  CHECK(none->entropy_source_name == "none");
  CHECK(none->entropy_source.empty());
  auto again = ParseTaskSpec(SpecToJson(none.value()));
  REQUIRE(again.ok());
  CHECK(again->entropy_source_name == "none");
  CHECK(SpecToJson(again.value()) == SpecToJson(none.value()));
  auto beacon = ParseTaskSpec(head + R"("entropy": {"source": "drand.quicknet-v1", "description": "round after announce"}})");
  REQUIRE(beacon.ok());  // any registered name; whether it is loaded is the service's check
  CHECK(beacon->entropy_source_name == "drand.quicknet-v1");
  for (const auto& [tail, expect] : std::vector<std::pair<std::string, std::string>>{
           {R"("entropy": {"source": "manual"}})", "entropy.description: is required when the source is manual"},
           {R"("entropy": {"source": "-none"}})", "entropy.source: must be the name"},
           {R"("entropy": {"source": ""}, "entropy_source": "x"})", "not both"},
           {R"("entropy": "none"})", "entropy: must be an object"},
           {R"("comment": "no entropy"})", "entropy: is required"}}) {
    INFO(tail);
    auto r = ParseTaskSpec(head + tail);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Contains(expect));
  }
}

TEST_CASE("Risk-class strata without a rule take the configured preset", "[draw][spec]") {
  auto r = ParseTaskSpec(R"({"title": "t", "department": "SCJG", "items": ["I"], "strata": "risk_class",
    "team": {"slots": [{"group": "SCJG", "count": 2}]}, "entropy_source": "x"})");
  REQUIRE(r.ok());
  CHECK(r.value().rule_preset == "henan-2020");
  const auto& rule = std::get<RatioRule>(r.value().rule);
  CHECK(rule.ppm.at("A") == 10000);
  CHECK(rule.ppm.at("D") == 200000);
  SpecOptions o;
  o.default_preset = "guangzhou-2021";
  auto g = ParseTaskSpec(R"({"title": "t", "department": "SCJG", "items": ["I"], "strata": "risk_class",
    "team": {"slots": [{"group": "SCJG", "count": 2}]}, "entropy_source": "x"})", o);
  REQUIRE(g.ok());
  CHECK(std::get<RatioRule>(g.value().rule).ppm.at("D") == 500000);
}

TEST_CASE("Bad task specs are refused with the field named", "[draw][spec]") {
  struct Case {
    std::string text;
    std::string expect;
  };
  const std::string base_team = R"("team": {"slots": [{"group": "SCJG", "count": 2}]}, "entropy_source": "x")";
  const std::vector<Case> cases = {
      {"not json", "not valid JSON"},
      {"[1, 2]", "must be a JSON object"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 5}, "colour": 1, )" + base_team + "}",
       "colour: unknown field"},
      {R"({"title": "a\tb", "department": "SCJG", "items": ["I"], "rule": {"count": 5}, )" + base_team + "}",
       "title: contains a control character"},
      {R"({"title": "t", "department": "SCJG", "items": [], "rule": {"count": 5}, )" + base_team + "}", "at least one item"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"ratio_percent": {"*": "3.00001"}}, )" + base_team +
           "}",
       "at most 4 decimals"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"ratio_percent": {"*": 101}}, )" + base_team + "}",
       "cannot exceed 100"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": -3}, )" + base_team + "}",
       "non-negative integer"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 5, "ratio_percent": {"*": 3}}, )" +
           base_team + "}",
       "exactly one of"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 5},
          "team": {"slots": [{"group": "SCJG", "count": 1}]}, "entropy_source": "x"})",
       "at least 2 officers"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 5}, "filters": {"regions": ["33x"]}, )" +
           base_team + "}",
       "filters.regions[0]"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 5}, "filters": {"regions": ["9999"]}, )" +
           base_team + "}",
       "no such region"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 5}, "filters": {"status": "revoked"}, )" +
           base_team + "}",
       "only active subjects"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 5}, "due_date": "2026-02-30", )" +
           base_team + "}",
       "due_date"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "strata": "colour", "rule": {"count": 5}, )" + base_team +
           "}",
       "strata"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"ratio_percent": {"A": 3}}, )" + base_team + "}",
       "use \"*\" when the task has no strata"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"preset": "mars"}, "strata": "risk_class", )" +
           base_team + "}",
       "no ratio preset named mars"},
      {R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 5}, "id": "bad id!", )" + base_team + "}",
       "id: may contain only"},
      {R"({"department": "SCJG", "items": ["I"], "rule": {"count": 5}, )" + base_team + "}", "title: is required"},
      {std::string("{\"title\": \"") + std::string(3 << 20, 'x') + "\"}", "larger than 1 MiB"},
      {"{\"title\": \"\xff\xfe\"}", "not valid UTF-8"},
  };
  // With the platform's GB/T 2260 codes, as the CLI parses (without them only the form of a
  // region is checked here, and CreateTask checks the codes).
  SpecOptions with_regions;
  with_regions.regions = &xj::test::Gb2260();
  for (const auto& c : cases) {
    INFO(c.text.substr(0, 200));
    auto r = ParseTaskSpec(c.text, with_regions);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Contains(c.expect));
    CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Region codes are checked against the platform's GB/T 2260 codes when given", "[draw][spec]") {
  const std::string spec = R"({"title": "t", "department": "SCJG", "items": ["I"], "rule": {"count": 5},
      "filters": {"regions": ["33", "3302", "330226", "9999"]}, "team": {"slots": [{"group": "SCJG", "count": 2}]},
      "entropy": {"source": "none"}})";
  // Without the codes only the form is checked (CreateTask checks the codes on the platform).
  auto form_only = ParseTaskSpec(spec);
  INFO(form_only.status().message());
  REQUIRE(form_only.ok());
  SpecOptions with_regions;
  with_regions.regions = &xj::test::Gb2260();
  auto checked = ParseTaskSpec(spec, with_regions);
  REQUIRE_FALSE(checked.ok());
  CHECK_THAT(checked.status().message(), Contains("filters.regions[3]") && Contains("no such region in GB/T 2260: 9999"));
  xj::Status st = CheckRegionCodes(form_only.value().filters.regions, xj::test::Gb2260());
  CHECK(st.code() == xj::StatusCode::kInvalidArgument);
  CHECK_THAT(st.message(), Contains("filters.regions[3]"));
  CHECK(CheckRegionCodes({"33", "3302", "330226"}, xj::test::Gb2260()).ok());
}

TEST_CASE("Effective region prefixes stay inside the jurisdiction", "[draw][spec]") {
  auto all = EffectivePrefixes("", {});
  REQUIRE(all.ok());
  CHECK(all.value().empty());
  auto j = EffectivePrefixes("3302;3303", {});
  REQUIRE(j.ok());
  CHECK(j.value() == std::vector<std::string>{"3302", "3303"});
  auto narrowed = EffectivePrefixes("33", {"330203", "3303"});
  REQUIRE(narrowed.ok());
  CHECK(narrowed.value() == std::vector<std::string>{"330203", "3303"});
  auto widened = EffectivePrefixes("3302", {"330000"});  // the province filter is cut to the jurisdiction
  REQUIRE(widened.ok());
  CHECK(widened.value() == std::vector<std::string>{"3302"});
  auto outside = EffectivePrefixes("3302", {"3301"});
  REQUIRE_FALSE(outside.ok());
  CHECK_THAT(outside.status().message(), Contains("outside the department's jurisdiction"));
}

TEST_CASE("The pool predicate applies status, region, filters, items and strata", "[draw][spec]") {
  auto spec = ParseTaskSpec(R"({"title": "t", "department": "SCJG", "items": ["I"], "strata": "label",
    "strata_labels": ["food", "drugs"], "rule": {"ratio_percent": {"*": 5}},
    "filters": {"types": ["enterprise", "individual"], "industries": ["F51"], "labels": ["food", "drugs"],
                "registered_before": "2025-01-01"},
    "team": {"slots": [{"group": "SCJG", "count": 2}]}, "entropy_source": "x"})");
  REQUIRE(spec.ok());
  PoolFilter f(spec.value(), {"3302"}, {ItemScope{"I", {"enterprise"}, {}}});
  SubjectFacts s{"91330203MA2AAAAA1X", "enterprise", "330203", "F5123", "2020-01-01", "active", "B", "drugs;food", ""};
  CHECK(f.Matches(s));
  CHECK(f.StratumOf(s) == "food");  // the first listed label the subject has
  auto with = [&](auto mutate) {
    SubjectFacts t = s;
    mutate(t);
    return f.Matches(t);
  };
  CHECK_FALSE(with([](SubjectFacts& t) { t.status = "suspended"; }));
  CHECK_FALSE(with([](SubjectFacts& t) { t.region = "330102"; }));
  CHECK_FALSE(with([](SubjectFacts& t) { t.type = "individual"; }));  // the item wants enterprises
  CHECK_FALSE(with([](SubjectFacts& t) { t.industry = "G54"; }));
  CHECK_FALSE(with([](SubjectFacts& t) { t.labels = "toys"; }));
  CHECK_FALSE(with([](SubjectFacts& t) { t.registered_on = "2025-01-01"; }));  // "before" is exclusive
  SubjectFacts d = s;
  d.labels = "drugs";
  CHECK(f.StratumOf(d) == "drugs");
}

TEST_CASE("List filters and listing strata: parsed, in the canonical form only when used, and checked",
          "[draw][spec][listings]") {
  using nlohmann::json;
  const std::string head = R"({"title": "t", "department": "SCJG", "items": ["I"],
      "team": {"slots": [{"group": "SCJG", "count": 2}]}, "entropy": {"source": "none"}, )";
  auto parse = [&](const std::string& rest) { return ParseTaskSpec(head + rest + "}"); };

  // A spec that uses none of them keeps the canonical form it always had.
  auto plain = parse(R"("rule": {"count": 5})");
  INFO(plain.status().message());
  REQUIRE(plain.ok());
  CHECK_THAT(SpecToJson(plain.value()), !Contains("listings"));

  auto r = parse(R"("filters": {"listings": ["abnormal_operations", "red_x"], "not_listings": ["serious_illegal"]},
      "strata": "listing", "strata_listings": ["red_x", "abnormal_operations"],
      "rule": {"ratio_percent": {"abnormal_operations": 100, "*": 0}})");
  INFO(r.status().message());
  REQUIRE(r.ok());
  const TaskSpec& s = r.value();
  CHECK(s.filters.listings == std::vector<std::string>{"abnormal_operations", "red_x"});
  CHECK(s.filters.not_listings == std::vector<std::string>{"serious_illegal"});
  CHECK(s.strata == StrataKind::kListing);
  CHECK(s.strata_listings == std::vector<std::string>{"red_x", "abnormal_operations"});  // order kept: it decides
  const auto& rule = std::get<RatioRule>(s.rule);
  CHECK(rule.ppm.at("abnormal_operations") == 1000000);
  CHECK(rule.ppm.at("*") == 0);
  const json canon = json::parse(SpecToJson(s));
  CHECK(canon["filters"]["listings"] == json::array({"abnormal_operations", "red_x"}));
  CHECK(canon["filters"]["not_listings"] == json::array({"serious_illegal"}));
  CHECK(canon["strata"] == "listing");
  CHECK(canon["strata_listings"] == json::array({"red_x", "abnormal_operations"}));
  auto again = ParseTaskSpec(SpecToJson(s));
  INFO(again.status().message());
  REQUIRE(again.ok());
  CHECK(SpecToJson(again.value()) == SpecToJson(s));
  // Only the one used appears.
  auto only_not = parse(R"("filters": {"not_listings": ["red_x"]}, "rule": {"count": 5})");
  REQUIRE(only_not.ok());
  const json only_not_canon = json::parse(SpecToJson(only_not.value()));
  CHECK(only_not_canon["filters"]["not_listings"] == json::array({"red_x"}));
  CHECK_FALSE(only_not_canon["filters"].contains("listings"));
  CHECK_FALSE(only_not_canon.contains("strata_listings"));

  // The pool predicate and the stratum: whole codes, the first listed code the subject is on.
  PoolFilter f(s, {"3302"}, {});
  const SubjectFacts on{"91330203MA2AAAAA1X", "enterprise", "330203", "F5123", "2020-01-01", "active", "B", "",
                        "abnormal_operations"};
  CHECK(f.Matches(on));
  CHECK(f.StratumOf(on) == "abnormal_operations");
  auto with = [&](std::string_view listings) {
    SubjectFacts t = on;
    t.listings = listings;
    return t;
  };
  CHECK(f.StratumOf(with("abnormal_operations;red_x")) == "red_x");  // red_x comes first in strata_listings
  CHECK(f.Matches(with("red_x")));
  CHECK_FALSE(f.Matches(with("")));                                     // on none of filters.listings
  CHECK_FALSE(f.Matches(with("abnormal_operations_old")));              // a code is matched whole
  CHECK_FALSE(f.Matches(with("abnormal_operations;serious_illegal")));  // on a list of not_listings
  auto strata_only = parse(R"("strata": "listing", "strata_listings": ["abnormal_operations"],
      "rule": {"ratio_percent": {"*": 5}})");
  INFO(strata_only.status().message());
  REQUIRE(strata_only.ok());
  PoolFilter g(strata_only.value(), {"3302"}, {});
  CHECK(g.Matches(with("")));
  CHECK(g.StratumOf(with("")) == "other");
  CHECK(g.StratumOf(with("red_x")) == "other");
  CHECK(g.StratumOf(with("abnormal_operations;red_x")) == "abnormal_operations");

  // Refused, the field named.
  struct Case {
    std::string rest, expect;
  };
  const std::vector<Case> cases = {
      {R"("filters": {"listings": ["Red-X"]}, "rule": {"count": 5})",
       "filters.listings[0]: must be a list code ([a-z][a-z0-9_]*, at most 48 characters), got Red-X"},
      {R"("filters": {"not_listings": ["red_x", "abnormal operations"]}, "rule": {"count": 5})",
       "filters.not_listings[1]: must be a list code"},
      {R"("filters": {"listings": [")" + std::string(49, 'a') + R"("]}, "rule": {"count": 5})",
       "filters.listings[0]: must be a list code ([a-z][a-z0-9_]*, at most 48 characters)"},
      {R"("filters": {"listings": ["1st"]}, "rule": {"count": 5})", "filters.listings[0]"},
      {R"("filters": {"listings": [""]}, "rule": {"count": 5})", "filters.listings[0]"},
      {R"("filters": {"listings": ["red_x", "red_x"]}, "rule": {"count": 5})", "filters.listings[1]: duplicate: red_x"},
      {R"("filters": {"not_listings": "red_x"}, "rule": {"count": 5})",
       "filters.not_listings: must be an array of strings"},
      {R"("filters": {"listing": ["red_x"]}, "rule": {"count": 5})", "filters.listing: unknown field"},
      {R"("strata": "listing", "strata_listings": ["Abnormal"], "rule": {"ratio_percent": {"*": 5}})",
       "strata_listings[0]: must be a list code"},
      {R"("strata": "listing", "strata_listings": ["red_x", "other"], "rule": {"ratio_percent": {"*": 5}})",
       "strata_listings[1]: must be a list code ([a-z][a-z0-9_]*, at most 48 characters, not 'other'), got other"},
      {R"("strata": "listing", "rule": {"ratio_percent": {"*": 5}})",
       "strata_listings: must list the lists when strata is listing"},
      {R"("strata": "listing", "strata_listings": [], "rule": {"ratio_percent": {"*": 5}})",
       "strata_listings: must list the lists when strata is listing"},
      {R"("strata_listings": ["red_x"], "rule": {"count": 5})", "strata_listings: is only used when strata is listing"},
      {R"("strata": "label", "strata_labels": ["food"], "strata_listings": ["red_x"], "rule": {"count": 5})",
       "strata_listings: is only used when strata is listing"},
      {R"("strata": "listing", "strata_labels": ["food"], "rule": {"count": 5})",
       "strata_labels: is only used when strata is label"},
      {R"("strata": "listings", "rule": {"count": 5})",
       "must be risk_class, region, label, listing or none, got listings"},
  };
  for (const auto& c : cases) {
    INFO(c.rest);
    auto bad = parse(c.rest);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(bad.status().message(), Contains(c.expect));
  }
}

TEST_CASE("The compact FrozenPool path is byte-identical to the reference path", "[draw][spec]") {
  std::mt19937_64 rng(20261122);
  for (int round = 0; round < 20; ++round) {
    std::vector<PoolEntry> entries;
    const int n = 1 + static_cast<int>(rng() % 3000);
    std::set<std::string> seen;
    while (static_cast<int>(entries.size()) < n) {
      std::string u = Uscc(rng);
      if (!seen.insert(u).second) continue;
      static const char* kStrata[] = {"A", "B", "C", "D", "none", ""};
      entries.push_back({u, kStrata[rng() % (round % 2 == 0 ? 6 : 1)]});
    }
    auto canon = CanonicalPool(entries);
    REQUIRE(canon.ok());
    auto frozen = FreezePool(entries);
    REQUIRE(frozen.ok());
    CHECK(Unfreeze(frozen.value()) == canon.value());
    CHECK(PoolFile(frozen.value()) == PoolFile(canon.value()));
    CHECK(PoolHash(frozen.value()) == PoolHash(canon.value()));
    CHECK(StratumSizes(frozen.value()) == StratumSizes(canon.value()));
    const Digest seed = Seed("T-" + std::to_string(round), PoolHash(canon.value()), "secret", "1.2.3./");
    const auto t_ref = Tickets(seed, canon.value());
    const auto t_fast = Tickets(seed, frozen.value(), 2);
    CHECK(t_ref == t_fast);
    RatioRule rule;
    rule.ppm["*"] = static_cast<std::uint32_t>(rng() % 1000001);
    auto alloc = Allocate(rule, StratumSizes(canon.value()));
    REQUIRE(alloc.ok());
    const auto a = Select(canon.value(), t_ref, alloc.value());
    const auto b = Select(frozen.value(), t_fast, alloc.value());
    CHECK(a.file == b.file);
    CHECK(a.hash == b.hash);
  }
  // A large pool crosses the multi-threaded ticket path.
  std::vector<PoolEntry> big;
  std::set<std::string> seen;
  while (big.size() < 70000) {
    std::string u = Uscc(rng);
    if (seen.insert(u).second) big.push_back({u, ""});
  }
  auto canon = CanonicalPool(big);
  auto frozen = FreezePool(big);
  REQUIRE(frozen.ok());
  const Digest seed = Seed("BIG", PoolHash(canon.value()), "s", "");
  CHECK(Tickets(seed, canon.value()) == Tickets(seed, frozen.value(), 3));
}

TEST_CASE("FreezePool refuses what the canonical pool refuses, and non-18-character USCCs", "[draw][spec]") {
  CHECK_FALSE(FreezePool({{"91330203MA2AAAAA1X", "A"}, {"91330203MA2AAAAA1X", "B"}}).ok());
  CHECK_FALSE(FreezePool({{"9133\t0203MA2AAAA1X", "A"}}).ok());
  auto short_id = FreezePool({{"SHORT", "A"}});
  REQUIRE_FALSE(short_id.ok());
  CHECK_THAT(short_id.status().message(), Contains("18 characters"));
}
