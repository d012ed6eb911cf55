// Unit tests of core/src/generator.h (`xinjian gen`): determinism, index addressing,
// validity of every generated identifier and region, referential integrity of relations.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "csv.h"
#include "generator.h"
#include "identifiers.h"
#include "regions.h"
#include "text.h"

namespace {

using Row = std::vector<std::string>;

std::string Gen(const std::string& kind, const xj::gen::Options& o) {
  std::ostringstream os;
  xj::Status s = xj::gen::WriteCsv(kind, o, os);
  REQUIRE(s.ok());
  return os.str();
}

// Header and rows, via the real reader; every record must parse.
std::vector<Row> Parse(const std::string& csv) {
  auto reader = xj::CsvReader::FromString(csv, {});
  std::vector<Row> rows;
  Row f;
  for (;;) {
    auto r = reader->Next(&f);
    REQUIRE(r.ok());
    if (!r.value()) break;
    rows.push_back(f);
  }
  return rows;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    std::size_t e = s.find(';', start);
    out.push_back(s.substr(start, e == std::string::npos ? std::string::npos : e - start));
    if (e == std::string::npos) break;
    start = e + 1;
  }
  return out;
}

bool IsDate(const std::string& s, const std::string& from, const std::string& to) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  return s >= from && s <= to;
}

double Percent(const std::string& s) { return std::stod(s); }

}  // namespace

TEST_CASE("gen: department codes and names", "[gen]") {
  CHECK(xj::gen::DepartmentCode(0) == "SCJG");
  CHECK(xj::gen::DepartmentCode(1) == "WJW");
  CHECK(xj::gen::DepartmentCode(2) == "YJGL");
  CHECK(xj::gen::DepartmentCode(3) == "ZJ");
  CHECK(xj::gen::DepartmentCode(4) == "STHJ");
  CHECK(xj::gen::DepartmentCode(5) == "D06");
  CHECK(xj::gen::DepartmentCode(6) == "D07");
  CHECK(xj::gen::DepartmentCode(99) == "D100");
  CHECK(xj::gen::DepartmentName(0) == "市场监督管理局");
  CHECK(xj::gen::DepartmentName(1) == "卫生健康委员会");
  CHECK(xj::gen::DepartmentName(2) == "应急管理局");
  CHECK(xj::gen::DepartmentName(3) == "住房和城乡建设局");
  CHECK(xj::gen::DepartmentName(4) == "生态环境局");
  CHECK_FALSE(xj::gen::DepartmentName(5).empty());
  CHECK(xj::gen::DepartmentName(5) != xj::gen::DepartmentName(6));
}

TEST_CASE("gen: bad arguments", "[gen]") {
  std::ostringstream os;
  xj::gen::Options o;
  xj::Status kind = xj::gen::WriteCsv("companies", o, os);
  CHECK(kind.code() == xj::StatusCode::kInvalidArgument);
  CHECK_THAT(kind.message(), Catch::Contains("unknown kind 'companies'") && Catch::Contains(" / "));
  for (const char* p : {"99", "3", "330", "", "ab", "00"}) {
    o.province = p;
    xj::Status s = xj::gen::WriteCsv("subjects", o, os);
    INFO(p);
    CHECK(s.code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), Catch::Contains("province"));
  }
  o.province = "33";
  o.departments = 0;
  CHECK_FALSE(xj::gen::WriteCsv("inspectors", o, os).ok());
  o.departments = 5;
  o.subjects = 0;
  CHECK_FALSE(xj::gen::WriteCsv("relations", o, os).ok());
  o.subjects = 10;
  o.inspectors = 10;
  o.count = 101;  // more pairs than exist
  CHECK_FALSE(xj::gen::WriteCsv("relations", o, os).ok());
  o.count = 100;
  CHECK(xj::gen::WriteCsv("relations", o, os).ok());
}

TEST_CASE("gen: deterministic and index-addressable", "[gen]") {
  xj::gen::Options o;
  o.count = 3000;
  o.seed = 42;
  for (const char* kind : {"subjects", "inspectors", "items", "relations", "departments"}) {
    INFO(kind);
    std::string a = Gen(kind, o), b = Gen(kind, o);
    CHECK(a == b);
    xj::gen::Options other = o;
    other.seed = 43;
    if (std::string(kind) != "departments") CHECK(Gen(kind, other) != a);
    // A shorter run is a prefix of a longer one: record i depends on i only.
    xj::gen::Options shorter = o;
    shorter.count = 1000;
    std::string s = Gen(kind, shorter);
    CHECK(a.compare(0, s.size(), s) == 0);
  }
  // Another province changes regions, hence USCCs.
  xj::gen::Options bj = o;
  bj.province = "11";
  CHECK(xj::gen::SubjectUscc(42, "11", 0) != xj::gen::SubjectUscc(42, "33", 0));
  CHECK(Gen("subjects", bj) != Gen("subjects", o));
  // SubjectUscc and InspectorId give exactly what the files contain.
  auto subjects = Parse(Gen("subjects", o));
  for (std::size_t i = 1; i < subjects.size(); ++i) REQUIRE(subjects[i][0] == xj::gen::SubjectUscc(42, "33", i - 1));
  auto inspectors = Parse(Gen("inspectors", o));
  for (std::size_t i = 1; i < inspectors.size(); ++i) REQUIRE(inspectors[i][0] == xj::gen::InspectorId(42, 5, i - 1));
  CHECK(xj::gen::InspectorId(42, 5, 0) == "SCJG000001");
}

TEST_CASE("gen: subjects are valid and realistic", "[gen]") {
  xj::gen::Options o;
  o.count = 20000;
  o.seed = 7;
  const std::string csv = Gen("subjects", o);
  CHECK(csv.rfind("uscc,name,type,region,industry,registered_on,status,risk_class,labels,address\n", 0) == 0);
  auto rows = Parse(csv);
  REQUIRE(rows.size() == o.count + 1);
  const xj::RegionTable& regions = xj::RegionTable::Builtin();
  const std::set<std::string> labels = {"食品经营", "特种设备", "直销",       "网络交易", "广告",
                                        "药品零售", "医疗器械", "危险化学品", "出版物",   "二手车"};
  std::map<std::string, int> types, statuses, risks;
  std::set<std::string> counties, industries;
  std::size_t in_province = 0, with_labels = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const Row& r = rows[i];
    INFO("row " << i << ": " << r[0] << " " << r[1]);
    REQUIRE(r.size() == 10);
    REQUIRE(xj::ids::ValidateUscc(r[0]).ok());
    REQUIRE(regions.Validate(r[3]).ok());
    REQUIRE(regions.Find(r[3]) != nullptr);  // a county, not a prefecture
    CHECK(r[0].substr(2, 6) == r[3]);        // USCC positions 3-8: the region
    REQUIRE(xj::ids::ValidateIndustry(r[4]).ok());
    CHECK(r[4].size() == 5);
    CHECK(IsDate(r[5], "1995-01-01", "2025-12-31"));
    const std::string& type = r[2];
    ++types[type];
    ++statuses[r[6]];
    ++risks[r[7]];
    std::string head = r[0].substr(0, 2);
    if (type == "enterprise") CHECK((head == "91" || head == "93"));
    if (type == "intermediary") CHECK(head == "91");
    if (type == "individual") CHECK(head == "92");
    if (type == "social_org") CHECK((head == "51" || head == "52" || head == "53"));
    if (type == "public_institution") CHECK(head == "12");
    CHECK(xj::text::IsValidUtf8(r[1]));
    CHECK_FALSE(xj::text::HasControlChar(r[1]));
    CHECK(xj::text::CodePointCount(r[1]) >= 5);
    CHECK(xj::text::CodePointCount(r[1]) <= 40);
    auto ls = Split(r[8]);
    CHECK(ls.size() <= 2);
    for (const std::string& l : ls) CHECK(labels.count(l) == 1);
    if (ls.size() == 2) CHECK(ls[0] != ls[1]);
    with_labels += !ls.empty();
    const xj::Region* reg = regions.Find(r[3]);
    CHECK(r[9].find(reg->county) != std::string::npos);  // the address names the county
    CHECK(r[9].find("号") != std::string::npos);
    in_province += r[3].compare(0, 2, "33") == 0;
    counties.insert(r[3]);
    industries.insert(r[4]);
  }
  const double n = static_cast<double>(o.count);
  CHECK(types["enterprise"] / n > 0.65);
  CHECK(types["enterprise"] / n < 0.75);
  CHECK(types["individual"] / n > 0.18);
  CHECK(types["individual"] / n < 0.26);
  CHECK(types.size() == 5);
  CHECK(statuses["active"] / n > 0.88);
  CHECK(statuses["active"] / n < 0.96);
  CHECK(statuses.size() == 4);
  CHECK(risks["A"] / n > 0.44);
  CHECK(risks["A"] / n < 0.56);
  CHECK(risks["D"] / n > 0.03);
  CHECK(risks["D"] / n < 0.07);
  CHECK(risks[""] > 0);
  CHECK(in_province / n > 0.93);
  CHECK(in_province / n < 0.97);
  CHECK(counties.size() > 120);  // all of Zhejiang's and many elsewhere
  CHECK(industries.size() > 40);
  CHECK(with_labels / n > 0.2);
  // Typical names appear.
  CHECK(csv.find("有限公司,enterprise") != std::string::npos);
  CHECK(csv.find("记") != std::string::npos);
}

TEST_CASE("gen: USCCs are unique over 200000 subjects", "[gen]") {
  std::unordered_set<std::string> seen;
  seen.reserve(400000);
  for (std::uint64_t i = 0; i < 200000; ++i) seen.insert(xj::gen::SubjectUscc(1, "33", i));
  CHECK(seen.size() == 200000);
  // Different seeds give (practically) disjoint sets.
  std::size_t overlap = 0;
  for (std::uint64_t i = 0; i < 20000; ++i) overlap += seen.count(xj::gen::SubjectUscc(2, "33", i));
  CHECK(overlap == 0);
}

TEST_CASE("gen: other provinces", "[gen]") {
  const xj::RegionTable& regions = xj::RegionTable::Builtin();
  for (const char* p : {"11", "44", "65", "54"}) {
    xj::gen::Options o;
    o.count = 2000;
    o.province = p;
    auto rows = Parse(Gen("subjects", o));
    std::size_t home = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
      INFO(p << " " << rows[i][0] << " " << rows[i][1]);
      REQUIRE(xj::ids::ValidateUscc(rows[i][0]).ok());
      REQUIRE(regions.Validate(rows[i][3]).ok());
      home += rows[i][3].compare(0, 2, p) == 0;
      CHECK(rows[i][1].find("市辖区") == std::string::npos);
    }
    CHECK(home > 1800);
    auto inspectors = Parse(Gen("inspectors", o));
    for (std::size_t i = 1; i < inspectors.size(); ++i) {
      REQUIRE(inspectors[i][4].compare(0, 2, p) == 0);
      REQUIRE(xj::ids::ValidateResidentId(inspectors[i][10]).ok());
    }
  }
}

TEST_CASE("gen: inspectors", "[gen]") {
  xj::gen::Options o;
  o.count = 3000;
  o.seed = 9;
  const std::string csv = Gen("inspectors", o);
  CHECK(csv.rfind("id,name,department,unit,office_region,certificate_no,certificate_expires,qualifications,expert,"
                  "status,id_number\n",
                  0) == 0);
  auto rows = Parse(csv);
  REQUIRE(rows.size() == o.count + 1);
  const xj::RegionTable& regions = xj::RegionTable::Builtin();
  std::set<std::string> ids, certificates;
  std::map<std::string, int> per_dept;
  std::map<std::string, std::set<std::string>> quals_of_dept;
  int expired = 0, experts = 0, active = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const Row& r = rows[i];
    INFO("row " << i << ": " << r[0]);
    REQUIRE(r.size() == 11);
    CHECK(ids.insert(r[0]).second);
    CHECK(r[0].rfind(r[2], 0) == 0);  // the id starts with the department code
    CHECK(r[0].size() == r[2].size() + 6);
    ++per_dept[r[2]];
    CHECK(xj::text::CodePointCount(r[1]) >= 2);
    CHECK(xj::text::CodePointCount(r[1]) <= 4);
    CHECK_FALSE(r[3].empty());
    REQUIRE(regions.Validate(r[4]).ok());
    CHECK(r[4].compare(0, 2, "33") == 0);
    CHECK(r[5].rfind("浙" + r[4].substr(0, 4) + "00", 0) == 0);
    CHECK(certificates.insert(r[5]).second);
    CHECK((IsDate(r[6], "2027-01-01", "2031-12-31") || IsDate(r[6], "2023-01-01", "2025-12-31")));
    expired += r[6] < "2026-01-01";
    auto q = Split(r[7]);
    CHECK(q.size() >= 1);
    CHECK(q.size() <= 3);
    CHECK(std::set<std::string>(q.begin(), q.end()).size() == q.size());
    quals_of_dept[r[2]].insert(q.begin(), q.end());
    CHECK((r[8] == "0" || r[8] == "1"));
    experts += r[8] == "1";
    CHECK((r[9] == "active" || r[9] == "inactive"));
    active += r[9] == "active";
    REQUIRE(xj::ids::ValidateResidentId(r[10]).ok());
    CHECK(
        IsDate(r[10].substr(6, 4) + "-" + r[10].substr(10, 2) + "-" + r[10].substr(12, 2), "1965-01-01", "2000-12-31"));
  }
  // Department 0 has the largest share; all five departments appear.
  REQUIRE(per_dept.size() == 5);
  for (const auto& [code, n] : per_dept)
    if (code != "SCJG") CHECK(per_dept["SCJG"] > n);
  CHECK(expired > 30);
  CHECK(expired < 180);
  CHECK(experts > 60);
  CHECK(experts < 260);
  CHECK(active > 2800);
  CHECK(quals_of_dept["SCJG"].count("食品安全") == 1);
  // Items' qualifications are held by some inspector of the same department.
  o.count = 200;
  auto items = Parse(Gen("items", o));
  for (std::size_t i = 1; i < items.size(); ++i) {
    if (items[i][10].empty()) continue;
    INFO(items[i][0] << " requires " << items[i][10]);
    CHECK(quals_of_dept[items[i][2]].count(items[i][10]) == 1);
  }
}

TEST_CASE("gen: items", "[gen]") {
  xj::gen::Options o;
  o.count = 300;
  o.seed = 11;
  o.departments = 7;
  const std::string csv = Gen("items", o);
  CHECK(csv.rfind("code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,"
                  "target_labels,qualification\n",
                  0) == 0);
  auto rows = Parse(csv);
  REQUIRE(rows.size() == o.count + 1);
  const std::set<std::string> types = {"enterprise", "individual", "intermediary", "social_org", "public_institution"};
  std::set<std::string> codes, departments;
  int key = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const Row& r = rows[i];
    INFO(r[0] << " " << r[1]);
    REQUIRE(r.size() == 11);
    CHECK(codes.insert(r[0]).second);
    CHECK(r[0].rfind(r[2] + "-2026-", 0) == 0);
    departments.insert(r[2]);
    CHECK((r[1].find("检查") != std::string::npos || r[1].find("抽查") != std::string::npos));
    CHECK(r[3].rfind("《", 0) == 0);
    CHECK((r[4] == "key" || r[4] == "general"));
    key += r[4] == "key";
    REQUIRE_FALSE(r[5].empty());
    CHECK(Percent(r[5]) > 0);
    if (r[4] == "general") REQUIRE_FALSE(r[6].empty());
    if (!r[6].empty()) CHECK(Percent(r[5]) <= Percent(r[6]));
    if (!r[6].empty()) CHECK(Percent(r[6]) <= 100);
    for (const std::string& v : {r[5], r[6]}) {
      auto dot = v.find('.');
      if (dot != std::string::npos) CHECK(v.size() - dot - 1 <= 4);
    }
    CHECK((r[7] == "1" || r[7] == "2"));
    for (const std::string& t : Split(r[8])) CHECK(types.count(t) == 1);
    CHECK_FALSE(r[8].empty());
  }
  CHECK(departments.size() == 7);
  CHECK(key > 50);
  CHECK(key < 130);
  CHECK(csv.find("企业公示信息的检查") != std::string::npos);
  CHECK(csv.find("食品经营者经营活动的检查") != std::string::npos);
}

TEST_CASE("gen: relations refer to existing subjects and inspectors", "[gen]") {
  xj::gen::Options o;
  o.seed = 5;
  o.subjects = 1000;
  o.inspectors = 60;
  o.count = 1500;  // more than subjects: the pairs must still be unique
  auto rows = Parse(Gen("relations", o));
  REQUIRE(rows.size() == o.count + 1);
  CHECK(rows[0] == Row{"inspector_id", "uscc", "relation", "note"});

  xj::gen::Options so = o;
  so.count = o.subjects;
  std::set<std::string> subjects;
  auto srows = Parse(Gen("subjects", so));
  for (std::size_t i = 1; i < srows.size(); ++i) subjects.insert(srows[i][0]);
  xj::gen::Options io = o;
  io.count = o.inspectors;
  std::set<std::string> inspectors;
  auto irows = Parse(Gen("inspectors", io));
  for (std::size_t i = 1; i < irows.size(); ++i) inspectors.insert(irows[i][0]);

  const std::set<std::string> kinds = {"spouse", "relative", "former_employer", "shareholding", "other"};
  std::set<std::pair<std::string, std::string>> pairs;
  std::set<std::string> used_subjects, used_kinds;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const Row& r = rows[i];
    INFO(r[0] << " " << r[1]);
    REQUIRE(r.size() == 4);
    CHECK(inspectors.count(r[0]) == 1);
    CHECK(subjects.count(r[1]) == 1);
    CHECK(kinds.count(r[2]) == 1);
    CHECK(pairs.insert({r[0], r[1]}).second);
    used_subjects.insert(r[1]);
    used_kinds.insert(r[2]);
  }
  CHECK(used_subjects.size() == 1000);  // a permutation: every subject once before any twice
  CHECK(used_kinds.size() == 5);
}

TEST_CASE("gen: departments", "[gen]") {
  xj::gen::Options o;
  o.departments = 7;
  auto rows = Parse(Gen("departments", o));
  REQUIRE(rows.size() == 8);
  CHECK(rows[0] == Row{"code", "name", "level", "jurisdiction"});
  CHECK(rows[1] == Row{"SCJG", "市场监督管理局", "province", "33"});
  CHECK(rows[6][0] == "D06");
  CHECK(rows[7][0] == "D07");
  CHECK(rows[6][2] == "city");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    INFO(rows[i][0]);
    CHECK(rows[i][0] == xj::gen::DepartmentCode(static_cast<std::uint32_t>(i - 1)));
    CHECK(rows[i][1] == xj::gen::DepartmentName(static_cast<std::uint32_t>(i - 1)));
    std::string j = rows[i][3];
    CHECK(xj::RegionTable::Builtin().IsValid(j + std::string(6 - j.size(), '0')));
  }
}
