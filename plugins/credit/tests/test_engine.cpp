// The scoring engine xj-points-v1 and the record rules, without a database: the shipped
// models, each kind of indicator, decay, bounds, vetoes, the property that the lines add up
// to the score over random records, refused model files; severity and publicity of records.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>

#include "engine.h"
#include "models_data.h"
#include "records.h"

namespace xj::credit {
namespace {

using nlohmann::json;

std::shared_ptr<const ScoringModel> Compile(std::string_view body) {
  PointsEngine engine;
  auto m = engine.Compile(std::string(body));
  INFO(m.status().message());
  REQUIRE(m.ok());
  return m.value();
}

CreditFact Fact(const std::string& id, const std::string& kind, const std::string& category, const std::string& severity,
                const std::string& on, const std::string& public_until) {
  CreditFact f;
  f.id = id;
  f.kind = kind;
  f.category = category;
  f.severity = severity;
  f.occurred_on = on;
  f.public_until = public_until;
  return f;
}

ScoreResult Score(const ScoringModel& m, std::vector<CreditFact> facts, const std::string& as_of = "2026-06-30",
                  const std::string& kind = "enterprise", std::vector<std::string> listings = {}) {
  ScoreInput in;
  in.uscc = "91330200MA2AAAAA0X";
  in.subject_kind = kind;
  in.as_of = as_of;
  in.records = std::move(facts);
  in.listings = std::move(listings);
  ScoreResult r;
  Status st = m.Score(in, &r);
  INFO(st.message());
  REQUIRE(st.ok());
  REQUIRE(SumOfLines(r) == r.points);
  return r;
}

const ScoreLine* Line(const ScoreResult& r, const std::string& indicator) {
  for (const auto& l : r.lines)
    if (l.indicator == indicator) return &l;
  return nullptr;
}

}  // namespace

TEST_CASE("every shipped model compiles and gives a clean subject its base points", "[credit][engine]") {
  for (std::string_view body : ShippedModels()) {
    auto m = Compile(body);
    const json j = json::parse(body);
    INFO(m->info().name);
    CHECK(m->info().name == j["name"].get<std::string>());
    CHECK(m->info().version == j["version"].get<std::string>());
    const std::string kind = m->info().subject_kinds.front();
    ScoreResult r = Score(*m, {}, "2026-06-30", kind);
    CHECK(r.base == static_cast<std::int64_t>(j["base"].get<double>() * 100));
    // Only "when none" lines apply to a subject without records.
    std::int64_t when_none = 0;
    for (const auto& l : r.lines) when_none += l.points;
    CHECK(r.points == r.base + when_none);
    CHECK(r.vetoes.empty());
  }
  auto credit = Compile(kModelEnterprise);
  CHECK(credit->info().max_points == 100000);
  REQUIRE(credit->info().grades.size() == 4);
  CHECK(credit->info().grades[0].zh == "优秀");
  CHECK(credit->info().grades[3].zh == "较差");
  CHECK(Score(*credit, {}).grade == "good");
}

TEST_CASE("a penalty counts while in publicity, withdrawn or future ones never", "[credit][engine]") {
  auto m = Compile(kModelEnterprise);
  const auto fine = Fact("penalty/A1", "penalty", "fine", "general", "2026-05-01", "2026-07-31");
  ScoreResult r = Score(*m, {fine});
  const ScoreLine* l = Line(r, "penalty");
  REQUIRE(l != nullptr);
  CHECK(l->points == -3000);
  CHECK(l->record_ids == std::vector<std::string>{"penalty/A1"});
  CHECK(l->record_points == std::vector<std::int64_t>{-3000});
  CHECK(r.points == 75000 - 3000);
  // Out of publicity: the same record counts for nothing.
  CHECK(Line(Score(*m, {fine}, "2026-08-01"), "penalty") == nullptr);
  // Withdrawn.
  auto w = fine;
  w.withdrawn = true;
  CHECK(Score(*m, {w}).points == 75000);
  // Not yet happened as of the date.
  CHECK(Score(*m, {fine}, "2026-04-30").points == 75000);
}

TEST_CASE("decay by age, bounds of an indicator and of a dimension are lines that add up", "[credit][engine]") {
  auto m = Compile(kModelEnterprise);
  // 400 days old: the second decay step (70 %).
  const auto old = Fact("penalty/OLD", "penalty", "suspension", "serious", "2025-05-26", "2028-05-25");
  ScoreResult r = Score(*m, {old});
  const ScoreLine* l = Line(r, "penalty");
  REQUIRE(l != nullptr);
  CHECK(l->record_points == std::vector<std::int64_t>{-12000 * 70 / 100});
  CHECK(l->note.find("decayed") != std::string::npos);
  // Ten recent licence revocations: the indicator is bounded at -400.
  std::vector<CreditFact> many;
  for (int i = 0; i < 10; ++i)
    many.push_back(Fact("penalty/R" + std::to_string(i), "penalty", "license_revoked", "serious", "2026-06-01", "2029-05-31"));
  r = Score(*m, many);
  l = Line(r, "penalty");
  REQUIRE(l != nullptr);
  CHECK(l->points == -40000);
  CHECK(l->note.find("bounded to -400.00") != std::string::npos);
  // Heavy penalties and a court entry too: the dimension's bound (-600) adds its own line.
  for (auto& f : many) f.attributes.emplace_back("heavy", "1");
  many.push_back(Fact("court_dishonest/C1", "court_dishonest", "listed", "serious", "2026-06-01", "2029-05-31"));
  r = Score(*m, many);
  const ScoreLine* cap = Line(r, "cap:compliance");
  REQUIRE(cap != nullptr);
  CHECK(cap->points == -60000 - (-40000 - 30000 - 20000));
  CHECK(r.points == SumOfLines(r));
  // The serious records veto the grade whatever the points.
  CHECK(r.grade == "poor");
  CHECK_FALSE(r.vetoes.empty());
}

TEST_CASE("a veto gives the lowest grade without changing the points", "[credit][engine]") {
  auto m = Compile(kModelEnterprise);
  // Honours bring a subject to 优秀; a listing vetoes it.
  std::vector<CreditFact> honours;
  for (int i = 0; i < 3; ++i)
    honours.push_back(Fact("honour/H" + std::to_string(i), "honour", "national", "general", "2026-01-0" + std::to_string(i + 1), "2026-12-31"));
  ScoreResult clean = Score(*m, honours);
  CHECK(clean.grade == "excellent");
  ScoreResult listed = Score(*m, honours, "2026-06-30", "enterprise", {"serious_illegal"});
  CHECK(listed.points == clean.points);
  CHECK(listed.grade == "poor");
  CHECK(listed.grade_zh == "较差");
  CHECK(listed.vetoes == std::vector<std::string>{"serious-dishonesty-list"});
}

TEST_CASE("an intermediary's grade from the average of its evaluations", "[credit][engine]") {
  auto m = Compile(kModelIntermediaryGrade);
  auto eval = [](const std::string& id, double v, bool on_time) {
    CreditFact f = Fact(id, "intermediary_evaluation", "engagement", "minor", "2026-03-01", "");
    f.value = v;
    f.attributes.emplace_back("on_time", on_time ? "1" : "0");
    f.attributes.emplace_back("fee_within", "1");
    return f;
  };
  ScoreResult a = Score(*m, {eval("e/1", 95, true), eval("e/2", 91, true)}, "2026-06-30", "intermediary");
  CHECK(a.grade == "A");
  CHECK(Line(a, "evaluation")->points == 6000);
  ScoreResult b = Score(*m, {eval("e/1", 75, false), eval("e/2", 70, false)}, "2026-06-30", "intermediary");
  CHECK(b.grade == "B");
  CHECK(Line(b, "late")->points == -600);
  ScoreResult none = Score(*m, {}, "2026-06-30", "intermediary");
  CHECK(Line(none, "evaluation")->points == 3000);
  CHECK(none.grade == "B");
  // A model refuses a kind it does not apply to.
  ScoreInput in;
  in.subject_kind = "enterprise";
  in.as_of = "2026-06-30";
  ScoreResult r;
  CHECK(m->Score(in, &r).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("over random records the lines always add up to the score", "[credit][engine][property]") {
  std::mt19937_64 rng(20261204);
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kinds = {
      {"penalty", {"warning", "criticism", "fine", "confiscation", "suspension", "license_revoked", "other"}},
      {"honour", {"county", "city", "province", "national"}},
      {"inspection_finding", {"no_problem", "unreachable", "false_information", "corrected"}},
      {"annual_report", {"filed", "late", "missed"}},
      {"commitment", {"made", "kept", "breached"}},
      {"complaint", {"upheld"}},
      {"court_dishonest", {"listed"}},
      {"intermediary_evaluation", {"engagement"}}};
  static const char* kSeverities[] = {"minor", "general", "serious"};
  std::vector<std::shared_ptr<const ScoringModel>> models;
  for (std::string_view body : ShippedModels()) models.push_back(Compile(body));
  const CivilDate as_of = CivilDate::Parse("2026-06-30").value();
  for (int round = 0; round < 2000; ++round) {
    std::vector<CreditFact> facts;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      const auto& [kind, cats] = kinds[rng() % kinds.size()];
      const auto on = CivilDate::FromDays(as_of.days() - static_cast<std::int32_t>(rng() % 2500) + 30);
      std::string until;
      if (rng() % 3) until = CivilDate::FromDays(on.days() + static_cast<std::int32_t>(rng() % 1200)).ToString();
      CreditFact f = Fact(kind + "/" + std::to_string(i), kind, cats[rng() % cats.size()], kSeverities[rng() % 3],
                          on.ToString(), until);
      f.value = static_cast<double>(rng() % 10001) / 100;
      f.withdrawn = rng() % 10 == 0;
      if (rng() % 4 == 0) f.attributes.emplace_back("heavy", "1");
      if (rng() % 3 == 0) f.attributes.emplace_back("on_time", rng() % 2 ? "1" : "0");
      facts.push_back(std::move(f));
    }
    std::vector<std::string> listings;
    if (rng() % 8 == 0) listings.push_back("serious_illegal");
    for (const auto& m : models) {
      ScoreInput in;
      in.uscc = "X";
      in.subject_kind = m->info().subject_kinds.front();
      in.as_of = as_of.ToString();
      in.records = facts;
      in.listings = listings;
      ScoreResult r1, r2;
      REQUIRE(m->Score(in, &r1).ok());
      REQUIRE(m->Score(in, &r2).ok());
      INFO(m->info().name << " round " << round);
      REQUIRE(SumOfLines(r1) == r1.points);
      REQUIRE(r1.points >= 0);
      REQUIRE(r1.points <= m->info().max_points);
      REQUIRE(r1.points == r2.points);
      REQUIRE(r1.grade == r2.grade);
      bool known = false;
      for (const auto& g : m->info().grades) known = known || g.code == r1.grade;
      REQUIRE(known);
      if (!r1.vetoes.empty()) REQUIRE(r1.grade == m->info().grades.back().code);
      // Each line over records is the sum of its records' points, or bounded (named in the note).
      for (const auto& l : r1.lines) {
        REQUIRE(l.record_points.size() <= l.record_ids.size());
        if (l.record_points.empty()) continue;
        std::int64_t s = 0;
        for (auto p : l.record_points) s += p;
        if (s != l.points) REQUIRE(l.note.find("bounded") != std::string::npos);
      }
    }
  }
}

TEST_CASE("model files the engine refuses, each with the field named", "[credit][engine][hostile]") {
  PointsEngine engine;
  const json good = json::parse(kModelEnterprise);
  auto refused = [&](const json& model, const std::string& needle) {
    auto m = engine.Compile(model.dump());
    INFO(model.dump().substr(0, 200));
    REQUIRE_FALSE(m.ok());
    CHECK(m.status().code() == StatusCode::kInvalidArgument);
    INFO(m.status().message());
    CHECK(m.status().message().find(needle) != std::string::npos);
  };
  CHECK_FALSE(engine.Compile("{not json").ok());
  CHECK_FALSE(engine.Compile("[]").ok());
  CHECK_FALSE(engine.Compile(std::string(5u << 20, ' ')).ok());
  CHECK_FALSE(engine.Compile(std::string(100000, '[') + std::string(100000, ']')).ok());
  json j = good;
  j.erase("engine");
  refused(j, "$.engine");
  j = good;
  j["engine"] = "other-v9";
  refused(j, "$.engine");
  j = good;
  j["surprise"] = 1;
  refused(j, "$.surprise");
  j = good;
  j["version"] = "1; DROP TABLE";
  refused(j, "$.version");
  j = good;
  j["name"] = "Bad Name";
  refused(j, "$.name");
  j = good;
  j["subject_kinds"] = json::array({"enterprise", "person"});
  refused(j, "$.subject_kinds");
  j = good;
  j["base"] = 2000;
  refused(j, "$.base");
  j = good;
  j["dimensions"][0]["indicators"][0]["points"] = -30.125;
  refused(j, "points");
  j = good;
  j["dimensions"][0]["indicators"][0]["points"] = 1e300;
  refused(j, "points");
  j = good;
  j["dimensions"][0]["indicators"][0]["filter"]["severity"] = json::array({"terrible"});
  refused(j, "severity");
  j = good;
  j["dimensions"][0]["indicators"][0]["decay"] = json::array({{{"within_days", 700}, {"percent", 50}}, {{"within_days", 300}, {"percent", 20}}});
  refused(j, "decay[1].within_days");
  j = good;
  j["dimensions"][0]["indicators"][0]["decay"][0]["percent"] = 150;
  refused(j, "percent");
  j = good;
  j["dimensions"][1]["indicators"][0]["id"] = "penalty";
  refused(j, "repeated");
  j = good;
  std::swap(j["grades"][0], j["grades"][1]);
  refused(j, "grades[1].min");
  j = good;
  j["grades"][3]["min"] = 100;
  refused(j, "$.grades");
  j = good;
  j["dimensions"] = json::array();
  refused(j, "$.dimensions");
  j = good;
  j["vetoes"][0].erase("listing");
  refused(j, "vetoes[0]");
  j = good;
  j["dimensions"][0]["indicators"][0]["aggregate"] = "median";
  refused(j, "aggregate");
  j = good;
  j["dimensions"][0]["indicators"][0]["label"] = "罚款";
  refused(j, "label");
}

TEST_CASE("records: severity, publicity by the rules and refused fields", "[credit][records]") {
  auto kinds = Kinds::Parse(kKindsJson);
  REQUIRE(kinds.ok());
  const PublicityRules rules;
  auto make = [&](RecordInput in) { return NormaliseRecord(*kinds.value(), rules, in); };
  RecordInput fine;
  fine.uscc = "91110000600037341L";
  fine.kind = "penalty";
  fine.ref = "甬市监罚〔2026〕12号";
  fine.category = "fine";
  fine.occurred_on = "2026-01-15";
  fine.value = "5000";
  fine.authority = "宁波市市场监督管理局";
  fine.basis = "《中华人民共和国广告法》第五十八条";
  auto low = make(fine);
  REQUIRE(low.ok());
  CHECK(low->severity == "general");
  CHECK(low->public_from == "2026-01-15");
  CHECK(low->public_until == "2026-04-14");  // 3 months (总局令45: a low fine)
  CHECK(low->PublicOn("2026-04-14"));
  CHECK_FALSE(low->PublicOn("2026-04-15"));
  fine.value = "50000";
  auto high = make(fine);
  REQUIRE(high.ok());
  CHECK(high->public_until == "2029-01-14");  // 3 years
  fine.heavy = "1";
  auto heavy = make(fine);
  REQUIRE(heavy.ok());
  CHECK(heavy->severity == "serious");
  fine.heavy = "";
  fine.category = "warning";
  fine.value = "";
  CHECK(make(fine)->public_until == "2026-04-14");
  CHECK(LastDayAfterMonths("2026-01-31", 1) == "2026-02-27");
  CHECK(LastDayAfterMonths("2024-11-30", 3) == "2025-02-27");
  // A minor record of another kind is not published (0 months by default).
  RecordInput report;
  report.uscc = fine.uscc;
  report.kind = "annual_report";
  report.ref = "2025";
  report.category = "filed";
  report.occurred_on = "2026-03-01";
  auto filed = make(report);
  REQUIRE(filed.ok());
  CHECK(filed->public_until.empty());
  CHECK_FALSE(filed->PublicOn("2026-03-01"));
  report.category = "missed";
  CHECK(make(report)->public_until == "2027-02-28");  // general: 12 months

  auto bad = [&](RecordInput in, const std::string& needle) {
    auto r = make(in);
    REQUIRE_FALSE(r.ok());
    INFO(r.status().message());
    CHECK(r.status().message().find(needle) != std::string::npos);
  };
  RecordInput in = fine;
  in.category = "fine";
  in.value = "100";
  in.uscc = "91110000600037341X";
  bad(in, "uscc");
  in = fine;
  in.uscc = "9111000060003734";
  bad(in, "uscc");
  in = fine;
  in.kind = "gossip";
  bad(in, "kind");
  in = fine;
  in.category = "flogging";
  bad(in, "category");
  in = fine;
  in.occurred_on = "2026-02-30";
  bad(in, "occurred_on");
  in = fine;
  in.ref = "";
  bad(in, "ref");
  in = fine;
  in.ref = std::string("A\x01" "B");
  bad(in, "ref");
  in = fine;
  in.authority = "";
  bad(in, "authority");
  in = fine;
  in.value = "-5";
  bad(in, "value");
  in = fine;
  in.value = "1e400";
  bad(in, "value");
  in = fine;
  in.value = "12abc";
  bad(in, "value");
  in = fine;
  in.severity = "catastrophic";
  bad(in, "severity");
  in = fine;
  in.heavy = "yes";
  bad(in, "heavy");
  in = fine;
  in.attributes = "[1,2]";
  bad(in, "attributes");
  in = fine;
  in.attributes = std::string(5000, 'x');
  bad(in, "attributes");
  in = fine;
  in.title = std::string(600, 'x');
  bad(in, "title");
  in = fine;
  in.basis = std::string("\xff\xfe");
  bad(in, "basis");
  in = fine;
  in.withdrawn_on = "2025-01-01";
  bad(in, "withdrawn_on");
  // Configuration outside the rules' bounds is refused by name.
  auto cfg = PublicityRules::FromConfig([](const std::string& k, const std::string& f) {
    return k == "publicity_months_general" ? std::string("13") : f;
  });
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.status().message().find("publicity_months_general") != std::string::npos);
}

}  // namespace xj::credit
