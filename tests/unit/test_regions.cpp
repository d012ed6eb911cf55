// Unit tests of core/src/regions.h: the embedded GB/T 2260 table.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "regions.h"
#include "test_support.h"

TEST_CASE("regions: the embedded table", "[regions]") {
  const xj::RegionTable& t = xj::RegionTable::Builtin();
  CHECK(&t == &xj::RegionTable::Builtin());  // built once
  CHECK(t.size() > 3000);
  const xj::Region* r = t.Find("330225");
  REQUIRE(r != nullptr);
  CHECK(r->code == "330225");
  CHECK(r->county == "象山县");
  CHECK(r->prefecture == "宁波市");
  CHECK(r->province == "浙江省");
  CHECK(t.Find("330200") == nullptr);  // Find: county codes only
  CHECK(t.Find("33022") == nullptr);
  CHECK(t.Find("") == nullptr);
  CHECK(t.Find("999999") == nullptr);

  // The table lists the same codes as the shipped file.
  std::string tsv = xj::test::ReadFile(std::string(XJ_SOURCE_DIR) + "/schemas/data/gb2260.tsv");
  std::size_t data_lines = 0;
  for (std::size_t pos = 0; pos < tsv.size();) {
    std::size_t end = tsv.find('\n', pos);
    if (end == std::string::npos) end = tsv.size();
    if (end > pos && tsv[pos] >= '0' && tsv[pos] <= '9') ++data_lines;
    pos = end + 1;
  }
  CHECK(t.size() == data_lines);
}

TEST_CASE("regions: validity of county, prefecture and province codes", "[regions]") {
  const xj::RegionTable& t = xj::RegionTable::Builtin();
  struct Case {
    const char* code;
    bool valid;
  };
  for (Case c :
       {Case{"330225", true}, Case{"330200", true}, Case{"330000", true}, Case{"110101", true}, Case{"110000", true},
        Case{"110100", true}, Case{"659001", true}, Case{"330299", false}, Case{"339900", false}, Case{"990000", false},
        Case{"000000", false}, Case{"33022", false}, Case{"3302250", false}, Case{"33022a", false}, Case{"", false},
        Case{" 330225", false}, Case{"３３０２２５", false}}) {
    INFO(c.code);
    CHECK(t.IsValid(c.code) == c.valid);
    CHECK(t.Validate(c.code).ok() == c.valid);
  }
  xj::Status shape = t.Validate("33022");
  CHECK(shape.code() == xj::StatusCode::kInvalidArgument);
  CHECK_THAT(shape.message(), Catch::Contains("6 digits") && Catch::Contains("6 位数字") && Catch::Contains("'33022'"));
  xj::Status unknown = t.Validate("330299");
  CHECK_THAT(unknown.message(), Catch::Contains("unknown region code 330299") && Catch::Contains("未知"));

  // Every listed county is valid, and so are its prefecture and province.
  for (const xj::Region* r : t.CountiesUnder("")) {
    INFO(r->code);
    REQUIRE(t.IsValid(r->code));
    REQUIRE(t.IsValid(r->code.substr(0, 4) + "00"));
    REQUIRE(t.IsValid(r->code.substr(0, 2) + "0000"));
  }
}

TEST_CASE("regions: counties under a prefix", "[regions]") {
  const xj::RegionTable& t = xj::RegionTable::Builtin();
  auto ningbo = t.CountiesUnder("3302");
  REQUIRE(ningbo.size() >= 10);
  CHECK(std::is_sorted(ningbo.begin(), ningbo.end(), [](auto a, auto b) { return a->code < b->code; }));
  for (const xj::Region* r : ningbo) {
    CHECK(r->code.substr(0, 4) == "3302");
    CHECK(r->prefecture == "宁波市");
  }
  CHECK(std::any_of(ningbo.begin(), ningbo.end(), [](auto r) { return r->county == "象山县"; }));
  auto zhejiang = t.CountiesUnder("33");
  CHECK(zhejiang.size() == 103);
  CHECK(t.CountiesUnder("330225").size() == 1);
  CHECK(t.CountiesUnder("99").empty());
  CHECK(t.CountiesUnder("").size() == t.size());
}

TEST_CASE("regions: parsing the TSV format", "[regions]") {
  auto ok = xj::RegionTable::Parse(
      "# comment\r\ncode\tcounty\tprefecture\tprovince\r\n330226\t宁海县\t宁波市\t浙江省\r\n"
      "330225\t象山县\t宁波市\t浙江省\n\n");
  REQUIRE(ok.ok());
  CHECK(ok.value().size() == 2);
  REQUIRE(ok.value().Find("330225") != nullptr);
  CHECK(ok.value().Find("330225")->province == "浙江省");    // CR stripped
  CHECK(ok.value().CountiesUnder("")[0]->code == "330225");  // sorted
  CHECK(ok.value().IsValid("330200"));
  CHECK_FALSE(ok.value().IsValid("110000"));

  struct Case {
    const char* tsv;
    const char* says;
  };
  for (Case c : {Case{"330225\t象山县\t宁波市\n", "line 1: expected 4 tab-separated columns"},
                 Case{"330225\t象山县\t宁波市\t浙江省\textra\n", "expected 4"},
                 Case{"# x\n33022\t象山县\t宁波市\t浙江省\n", "line 2: code '33022' is not 6 digits"},
                 Case{"330200\t象山县\t宁波市\t浙江省\n", "not a county code"},
                 Case{"330225\t\t宁波市\t浙江省\n", "name is empty"},
                 Case{"330225\t象山县\t宁波市\t浙江省\n330225\t象山县\t宁波市\t浙江省\n", "duplicate code 330225"}}) {
    auto r = xj::RegionTable::Parse(c.tsv);
    INFO(c.tsv);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains(c.says) && Catch::Contains(" / "));
  }
}
