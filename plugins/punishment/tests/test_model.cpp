// The punishment plugin's pure parts (src/model.h): catalogue and memoranda validation with
// line- and field-precise messages, proportionality, the credit check's answer and the cards.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "model.h"

using namespace xj;
using namespace xj::punishment;
using nlohmann::json;

namespace {

ListPolicy Policy(const std::string& code, ListKind kind) {
  ListPolicy p;
  p.code = code;
  p.name_zh = code;
  p.name_en = code;
  p.kind = kind;
  return p;
}

const std::map<std::string, ListPolicy>& Policies() {
  static const std::map<std::string, ListPolicy> k{
      {"serious_illegal", Policy("serious_illegal", ListKind::kBlack)},
      {"abnormal_operations", Policy("abnormal_operations", ListKind::kAbnormal)},
      {"red_trustworthy", Policy("red_trustworthy", ListKind::kRed)},
      {"intermediary_black", Policy("intermediary_black", ListKind::kBlack)},
      {"intermediary_red", Policy("intermediary_red", ListKind::kRed)},
      {"intermediary_ban", Policy("intermediary_ban", ListKind::kBlack)},
      {"dishonest_judgment_debtors", Policy("dishonest_judgment_debtors", ListKind::kBlack)}};
  return k;
}

CatalogueWorld World(const std::map<std::string, Measure>* measures = nullptr) {
  CatalogueWorld w;
  w.list_policy = [](const std::string& c) -> const ListPolicy* {
    auto it = Policies().find(c);
    return it == Policies().end() ? nullptr : &it->second;
  };
  w.department_exists = [](const std::string& d) {
    return d == "SCJG" || d == "CZJ" || d == "ZJJ" || d == "ZRZYJ" || d == "FGW" || d == "FY" || d == "SWJ";
  };
  w.measure = [measures](const std::string& c) -> const Measure* {
    if (measures == nullptr) return nullptr;
    auto it = measures->find(c);
    return it == measures->end() ? nullptr : &it->second;
  };
  return w;
}

std::string ReadDoc(const std::string& name) {
  std::ifstream in(std::string(XJ_SOURCE_DIR) + "/docs/examples/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json GoodMeasure() {
  return json{{"code", "deny_procurement"},
              {"name_zh", "禁止参加政府采购"},
              {"name_en", "barred from government procurement"},
              {"kind", "punishment"},
              {"department", "CZJ"},
              {"legal_basis", "《政府采购法》第二十二条"},
              {"lists", {"serious_illegal"}},
              {"actions", {"government_procurement"}},
              {"effect", "deny"},
              {"published_on", "2026-01-01"}};
}

std::vector<Problem> MeasureProblems(const std::string& text) {
  std::vector<Measure> out;
  std::vector<Problem> problems;
  const bool ok = ParseMeasures(text, World(), &out, &problems);
  CHECK(ok == problems.empty());
  if (!ok) CHECK(out.size() <= 1000000);
  return problems;
}

std::string Messages(const std::vector<Problem>& ps) {
  std::string s;
  for (const auto& p : ps) s += p.Text() + "\n";
  return s;
}

}  // namespace

TEST_CASE("punishment: the example catalogue and memoranda are valid", "[punishment][catalogue]") {
  std::vector<Measure> measures;
  std::vector<Problem> problems;
  REQUIRE(ParseMeasures(ReadDoc("measures.json"), World(), &measures, &problems));
  INFO(Messages(problems));
  CHECK(measures.size() >= 10);
  std::map<std::string, Measure> by_code;
  for (const auto& m : measures) by_code[m.code] = m;
  std::vector<Memorandum> memoranda;
  problems.clear();
  const bool ok = ParseMemoranda(ReadDoc("memoranda.json"), World(&by_code), &memoranda, &problems);
  INFO(Messages(problems));
  REQUIRE(ok);
  CHECK(memoranda.size() >= 2);
}

TEST_CASE("punishment: a measure's every field is checked, with its line and field", "[punishment][catalogue]") {
  SECTION("good") { CHECK(MeasureProblems(json::array({GoodMeasure()}).dump(2)).empty()); }
  struct Case {
    const char* field;
    json value;
    const char* expect;
  };
  const Case cases[] = {
      {"code", "Bad-Code", "code"},
      {"code", 12, "must be a string"},
      {"name_zh", "", "must not be empty"},
      {"kind", "fine", "punishment or reward"},
      {"department", "NOPE", "no department 'NOPE'"},
      {"legal_basis", "", "must not be empty"},
      {"lists", json::array(), "non-empty array"},
      {"lists", {"no_such_list"}, "not registered"},
      {"actions", {"fly"}, "unknown action 'fly'"},
      {"actions", {"bidding", "bidding"}, "given twice"},
      {"effect", "ban", "deny, restrict or ease"},
      {"published_on", "2026-13-01", "YYYY-MM-DD"},
      {"name_en", "a\u0001b", "control characters"},
  };
  for (const Case& c : cases) {
    json m = GoodMeasure();
    m["code"] = "second_measure";
    m[c.field] = c.value;
    const std::string text = json::array({GoodMeasure(), m}).dump(2);
    auto ps = MeasureProblems(text);
    INFO(c.field << " = " << c.value.dump() << "\n" << Messages(ps));
    REQUIRE(ps.size() >= 1);
    if (std::string(c.field) != "code" || c.value.is_string()) {
      // The second entry only (the first is fine; for a duplicate code it is the second too).
    }
    CHECK(Messages(ps).find(c.expect) != std::string::npos);
    CHECK(ps.front().entry == 2);
    CHECK(ps.front().field == c.field);
    // The line of the field in the second element (dump(2): one field per line).
    std::istringstream lines(text);
    int n = 0, want = 0, elements = 0;
    for (std::string line; std::getline(lines, line);) {
      ++n;
      if (line == "  {") ++elements;
      if (elements == 2 && want == 0 && line.find(std::string("\"") + c.field + "\"") != std::string::npos) want = n;
    }
    CHECK(ps.front().line == want);
  }
  SECTION("a missing field and an unknown one") {
    json m = GoodMeasure();
    m.erase("effect");
    m["extra"] = 1;
    auto ps = MeasureProblems(json::array({m}).dump());
    CHECK(Messages(ps).find("field effect") != std::string::npos);
    CHECK(Messages(ps).find("field extra: unknown field") != std::string::npos);
  }
  SECTION("a code given twice in the file") {
    auto ps = MeasureProblems(json::array({GoodMeasure(), GoodMeasure()}).dump());
    CHECK(Messages(ps).find("given twice in the file") != std::string::npos);
  }
}

TEST_CASE("punishment: hostile files are refused whole, with where", "[punishment][catalogue][hostile]") {
  CHECK(Messages(MeasureProblems("{\"code\": 1}")).find("JSON array") != std::string::npos);
  auto ps = MeasureProblems("[\n{\"code\": \"a\",\n \"name_zh\": }\n]");
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].line == 3);
  CHECK(Messages(ps).find("not valid JSON") != std::string::npos);
  CHECK(Messages(MeasureProblems(std::string(30, '[') + std::string(30, ']'))).find("nested deeper") !=
        std::string::npos);
  CHECK(Messages(MeasureProblems("[\"\xff\xfe\"]")).find("not UTF-8") != std::string::npos);
  CHECK(Messages(MeasureProblems(std::string(5 * 1024 * 1024, ' '))).find("4 MiB") != std::string::npos);
  json many = json::array();
  for (int i = 0; i < 10001; ++i) many.push_back(1);
  CHECK(Messages(MeasureProblems(many.dump())).find("more than 10000") != std::string::npos);
  CHECK(Messages(MeasureProblems("[]")).find("no measures") != std::string::npos);
  json sqlish = GoodMeasure();
  sqlish["code"] = "x'; DROP TABLE punishment_measures; --";
  CHECK(Messages(MeasureProblems(json::array({sqlish}).dump())).find("field code") != std::string::npos);
  json long_name = GoodMeasure();
  long_name["name_zh"] = std::string(201 * 3, 'a');
  CHECK(Messages(MeasureProblems(json::array({long_name}).dump())).find("longer than 200") != std::string::npos);
}

TEST_CASE("punishment: proportionality of kind, effect and list", "[punishment][proportionality]") {
  struct Row {
    const char* kind;
    const char* effect;
    ListKind list;
    bool ok;
  };
  const Row rows[] = {
      {"punishment", "deny", ListKind::kBlack, true},     {"punishment", "restrict", ListKind::kBlack, true},
      {"punishment", "deny", ListKind::kAbnormal, false}, {"punishment", "restrict", ListKind::kAbnormal, true},
      {"punishment", "restrict", ListKind::kRed, false},  {"punishment", "ease", ListKind::kBlack, false},
      {"reward", "ease", ListKind::kRed, true},           {"reward", "restrict", ListKind::kRed, false},
      {"reward", "deny", ListKind::kRed, false},          {"reward", "ease", ListKind::kBlack, false},
      {"reward", "ease", ListKind::kAbnormal, false},     {"punishment", "deny", ListKind::kRed, false},
  };
  for (const Row& r : rows) {
    INFO(r.kind << " " << r.effect << " " << ListKindName(r.list));
    Status st = CheckProportionate(r.kind, r.effect, r.list, "x");
    CHECK(st.ok() == r.ok);
    if (!st.ok()) CHECK(st.message().find(" / not proportionate") != std::string::npos);
  }
  // In a file: a deny measure on the abnormal list is refused at import.
  json m = GoodMeasure();
  m["lists"] = {"serious_illegal", "abnormal_operations"};
  auto ps = MeasureProblems(json::array({m}).dump());
  CHECK(Messages(ps).find("black lists only") != std::string::npos);
  json r = GoodMeasure();
  r["kind"] = "reward";
  r["effect"] = "ease";
  CHECK(Messages(MeasureProblems(json::array({r}).dump())).find("red lists only") != std::string::npos);
}

TEST_CASE("punishment: memoranda name existing measures of their departments, fitting the list",
          "[punishment][memoranda]") {
  std::map<std::string, Measure> ms;
  Measure deny;
  deny.code = "deny_procurement";
  deny.kind = "punishment";
  deny.effect = "deny";
  deny.department = "CZJ";
  deny.lists = {"serious_illegal"};
  deny.actions = {"government_procurement"};
  ms[deny.code] = deny;
  Measure green = deny;
  green.code = "green_channel";
  green.kind = "reward";
  green.effect = "ease";
  green.department = "SCJG";
  green.lists = {"red_trustworthy"};
  ms[green.code] = green;
  auto problems = [&](const json& memo) {
    std::vector<Memorandum> out;
    std::vector<Problem> ps;
    (void)ParseMemoranda(json::array({memo}).dump(2), World(&ms), &out, &ps);
    return Messages(ps);
  };
  json good{{"code", "m1"},
            {"title", "备忘录"},
            {"departments", {"CZJ", "SCJG"}},
            {"signed_on", "2026-01-01"},
            {"entries", {{{"list", "serious_illegal"}, {"measures", {"deny_procurement"}}}}}};
  CHECK(problems(good).empty());
  json m = good;
  m["entries"][0]["measures"] = {"unknown_measure"};
  CHECK(problems(m).find("not in the catalogue") != std::string::npos);
  m = good;
  m["entries"][0]["list"] = "red_trustworthy";
  CHECK(problems(m).find("does not apply to the list red_trustworthy") != std::string::npos);
  m = good;
  m["departments"] = {"SCJG"};
  CHECK(problems(m).find("not a department of the memorandum") != std::string::npos);
  m = good;
  m["departments"] = {"CZJ", "GHOST"};
  CHECK(problems(m).find("no department 'GHOST'") != std::string::npos);
  m = good;
  m["entries"] = {{{"list", "abnormal_operations"}, {"measures", {"deny_procurement"}}}};
  const std::string msg = problems(m);
  CHECK(msg.find("does not apply") != std::string::npos);
  CHECK(msg.find("black lists only") != std::string::npos);
}

TEST_CASE("punishment: the answer is the strongest published effect, and ease never restricts",
          "[punishment][answer]") {
  auto measure = [](const std::string& code, const std::string& effect, const std::string& published) {
    Measure m;
    m.code = code;
    m.effect = effect;
    m.published_on = published;
    return m;
  };
  const Measure deny = measure("deny_bid", "deny", "2026-01-01"),
                restrict = measure("restrict_bid", "restrict", "2026-01-01"),
                future = measure("future_deny", "deny", "2027-01-01"), ease = measure("green", "ease", "2026-01-01");
  std::map<std::pair<std::string, std::string>, std::vector<const Measure*>> t{
      {{"black", "bidding"}, {& restrict, &deny}},
      {{"abnormal", "bidding"}, {& restrict}},
      {{"abnormal", "subsidies"}, {&future}},
      {{"red", "bidding"}, {&ease}},
  };
  TriggeredFn fn = [&](const std::string& l, const std::string& a) -> const std::vector<const Measure*>* {
    auto it = t.find({l, a});
    return it == t.end() ? nullptr : &it->second;
  };
  const std::vector<ActiveListing> none;
  CHECK(ComputeAnswer(none, "bidding", "2026-06-15", fn).answer == "allowed");
  const std::vector<ActiveListing> black{{"L1", "black", "2026-01-01", ""}}, abnormal{{"L2", "abnormal", "", ""}},
      both{{"L2", "abnormal", "", ""}, {"L1", "black", "", ""}}, red{{"L3", "red", "", ""}};
  Answer a = ComputeAnswer(black, "bidding", "2026-06-15", fn);
  CHECK(a.answer == "denied");
  REQUIRE(a.measures.size() == 2);
  CHECK(a.measures[0]->code == "deny_bid");  // in code order
  CHECK(a.listings.size() == 1);
  CHECK(ComputeAnswer(abnormal, "bidding", "2026-06-15", fn).answer == "restricted");
  CHECK(ComputeAnswer(both, "bidding", "2026-06-15", fn).answer == "denied");
  CHECK(ComputeAnswer(both, "bidding", "2026-06-15", fn).measures.size() == 2);  // restrict named once
  // Not yet published: not applied, not named.
  Answer f = ComputeAnswer(abnormal, "subsidies", "2026-06-15", fn);
  CHECK(f.answer == "allowed");
  CHECK(f.measures.empty());
  CHECK(f.listings.empty());
  CHECK(ComputeAnswer(abnormal, "subsidies", "2027-01-01", fn).answer == "denied");
  Answer e = ComputeAnswer(red, "bidding", "2026-06-15", fn);
  CHECK(e.answer == "allowed");
  CHECK(e.measures.size() == 1);
  CHECK(ComputeAnswer(black, "land_supply", "2026-06-15", fn).answer == "allowed");
}

TEST_CASE("punishment: cards are yellow within a working day and red when passed", "[punishment][cards]") {
  CHECK(Card("2026-06-15", "", 0).empty());
  CHECK(Card("2026-06-15", "2026-06-22", 5) == "green");
  CHECK(Card("2026-06-15", "2026-06-16", 1) == "yellow");
  CHECK(Card("2026-06-15", "2026-06-15", 0) == "yellow");
  CHECK(Card("2026-06-16", "2026-06-15", -1) == "red");
  CHECK(Card("2026-06-15", "2026-06-17", 2) == "green");
  CHECK(Card("2026-06-15", "2026-06-17", 2, 2) == "yellow");
}

TEST_CASE("punishment: element lines of a top-level array", "[punishment][catalogue]") {
  CHECK(ElementLines("[\n {\"a\": \"[\"},\n\n {\"b\": 1}\n]") == std::vector<int>{2, 4});
  CHECK(ElementLines("[1, 2,\n3]") == std::vector<int>{1, 1, 2});
  CHECK(ElementLines("[]").empty());
}
