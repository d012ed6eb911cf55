// Unit tests of core/src/identifiers.h: USCC (GB 32100-2015), resident ID (GB 11643),
// GB/T 4754 industry codes; python3-stdnum as an independent oracle.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "csv.h"
#include "generator.h"
#include "identifiers.h"
#include "test_support.h"

namespace {
std::string Msg(const xj::Status& s) { return s.message(); }
}  // namespace

TEST_CASE("ids: valid USCCs", "[ids]") {
  for (const char* code : {"91110000600037341L", "91330225MA2GR4F13W", "12100000400000011K", "51330000501846311X",
                           "92330203MA2H0X4H02", "913302001440687201"}) {
    std::string s = code;
    // Recompute the check character so that the table states the rule, not luck.
    s[17] = xj::ids::UsccCheckChar(s.substr(0, 17));
    INFO(s);
    CHECK(xj::ids::ValidateUscc(s).ok());
  }
  CHECK(xj::ids::UsccCheckChar("91110000600037341") == 'L');
  CHECK(xj::ids::ValidateUscc("91110000600037341L").ok());
  CHECK(xj::ids::UsccCheckChar("9111000060003734I") == '?');  // I is not in the alphabet
}

TEST_CASE("ids: invalid USCCs say which rule failed", "[ids]") {
  struct Case {
    std::string in;
    std::vector<std::string> says;
  };
  const std::vector<Case> cases = {
      {"", {"18", "got 0", "实际为 0 位"}},
      {"91110000600037341", {"must have 18 characters, got 17"}},
      {"91110000600037341LL", {"got 19"}},
      {"９1110000600037341L", {"got 18"}},  // a full-width digit: 18 characters but 20 bytes
      {"91110000600037341l", {"position 18", "'l'", "upper-cased", "小写"}},
      {"911100006000373I1L", {"position 16", "'I'", "第 16 位"}},
      {"91110000600037O41L", {"position 15", "'O'"}},
      {"Z1110000600037341L", {"position 1", "'Z'"}},
      {"911100 0600037341L", {"position 7", "0x20"}},
      {"91110000600037341\x01", {"position 18", "0x01"}},
      {"911A0000600037341L", {"position 4", "region code", "行政区划码"}},
      {"91110000600037341M", {"check character expected 'L' got 'M'", "校验位错误：应为 'L'，实际为 'M'"}},
      {"91110000600037342L", {"check character expected"}},
  };
  for (const Case& c : cases) {
    xj::Status s = xj::ids::ValidateUscc(c.in);
    INFO(c.in << " -> " << s.message());
    CHECK_FALSE(s.ok());
    CHECK(s.code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(Msg(s), Catch::Contains(" / "));
    for (const std::string& part : c.says) CHECK_THAT(Msg(s), Catch::Contains(part));
  }
}

TEST_CASE("ids: every single-character change of a USCC is detected", "[ids]") {
  const std::string good = "91110000600037341L";
  for (std::size_t pos = 0; pos < 18; ++pos) {
    for (char c : xj::ids::kUsccAlphabet) {
      if (c == good[pos]) continue;
      if (pos >= 2 && pos < 8 && (c < '0' || c > '9')) continue;
      std::string s = good;
      s[pos] = c;
      INFO(s);
      CHECK_FALSE(xj::ids::ValidateUscc(s).ok());
    }
  }
}

TEST_CASE("ids: resident identity numbers", "[ids]") {
  CHECK(xj::ids::ValidateResidentId("11010519491231002X").ok());
  CHECK(xj::ids::ValidateResidentId("360426199101010071").ok());
  CHECK(xj::ids::ResidentIdCheckChar("11010519491231002") == 'X');
  CHECK(xj::ids::ResidentIdCheckChar("36042619910101007") == '1');
  CHECK(xj::ids::ResidentIdCheckChar("3604261991010100A") == '?');

  struct Case {
    std::string in;
    std::vector<std::string> says;
  };
  const std::vector<Case> cases = {
      {"", {"got 0"}},
      {"11010519491231002", {"must have 18 characters, got 17"}},
      {"110105194912310021X", {"got 19"}},
      {"11010519491231002x", {"position 18", "upper-case X", "'x'"}},
      {"1101051949123100AX", {"position 17", "'A'"}},
      {"A1010519491231002X", {"position 1"}},
      {"110105194902300028", {"birth date 19490230 does not exist"}},
      {"110105194913010028", {"19491301"}},
      {"110105190002290028", {"19000229"}},  // 1900 was not a leap year
      {"110105189912310028", {"18991231"}},  // before 1900
      {"110105209912310028", {"in the future", "晚于今天"}},
      {"110105194912310021", {"check character expected 'X' got '1'"}},
  };
  for (const Case& c : cases) {
    xj::Status s = xj::ids::ValidateResidentId(c.in);
    INFO(c.in << " -> " << s.message());
    CHECK_FALSE(s.ok());
    CHECK_THAT(Msg(s), Catch::Contains(" / "));
    for (const std::string& part : c.says) CHECK_THAT(Msg(s), Catch::Contains(part));
  }
  // 2000-02-29 exists.
  std::string leap = "11010520000229001";
  leap += xj::ids::ResidentIdCheckChar(leap);
  CHECK(xj::ids::ValidateResidentId(leap).ok());
}

TEST_CASE("ids: masking of ID numbers", "[ids]") {
  CHECK(xj::ids::MaskResidentId("11010519491231002X") == "110105********002X");
  CHECK(xj::ids::MaskResidentId("110105491231002") == "*************02");  // 15-digit old form
  CHECK(xj::ids::MaskResidentId("") == "");
  CHECK(xj::ids::MaskResidentId("12") == "12");
  CHECK(xj::ids::MaskResidentId("123") == "*23");
  CHECK(xj::ids::MaskResidentId("身份证号") == "**证号");  // by character, never half a character
  std::string masked = xj::ids::MaskResidentId("330225199001011234");
  CHECK(masked.find("19900101") == std::string::npos);
}

TEST_CASE("ids: GB/T 4754 industry codes", "[ids]") {
  for (const char* ok :
       {"A", "C", "T", "C13", "C131", "C1311", "F5211", "I6513", "H6210", "A0111", "S9530", "T9700", "K70", "Q8411"}) {
    INFO(ok);
    CHECK(xj::ids::ValidateIndustry(ok).ok());
  }
  struct Case {
    const char* in;
    const char* says;
  };
  for (Case c :
       {Case{"", "malformed"}, Case{"c1311", "malformed"}, Case{"C1", "malformed"}, Case{"C13111", "malformed"},
        Case{"U1311", "malformed"}, Case{"Z", "malformed"}, Case{"CX311", "malformed"}, Case{"C 311", "malformed"},
        Case{"C5211", "division 52 is not in section C (expected 13-43)"},
        Case{"F1311", "division 13 is not in section F"}, Case{"A06", "not in section A"},
        Case{"T9600", "not in section T"}}) {
    xj::Status s = xj::ids::ValidateIndustry(c.in);
    INFO(c.in << " -> " << s.message());
    CHECK_FALSE(s.ok());
    CHECK_THAT(Msg(s), Catch::Contains(c.says) && Catch::Contains(" / "));
  }
}

// python3-stdnum (Debian package) is an independent implementation of both checks.
TEST_CASE("ids: generated USCCs and ID numbers are valid for python3-stdnum too", "[ids][oracle]") {
  const std::string python =
      xj::test::RunShell("test -x /usr/bin/python3").exit_code == 0 ? "/usr/bin/python3" : "python3";
  auto probe = xj::test::RunShell(python + " -c 'import stdnum.cn.uscc, stdnum.cn.ric'");
  if (probe.exit_code != 0) {
    FAIL("python3-stdnum is needed for this test (apt install python3-stdnum): " << probe.err);
  }
  // 2000 of each from the generator, then each corrupted by one character.
  std::vector<std::string> usccs, ids;
  for (std::uint64_t i = 0; i < 2000; ++i) usccs.push_back(xj::gen::SubjectUscc(11, "33", i * 7919));
  for (std::uint64_t i = 0; i < 500; ++i) usccs.push_back(xj::gen::SubjectUscc(3, "65", i));
  xj::gen::Options o;
  o.count = 2000;
  o.seed = 5;
  std::ostringstream inspectors;
  REQUIRE(xj::gen::WriteCsv("inspectors", o, inspectors).ok());
  auto reader = xj::CsvReader::FromString(inspectors.str(), {});
  std::vector<std::string> f;
  REQUIRE(reader->Next(&f).value());
  REQUIRE(f.back() == "id_number");
  while (reader->Next(&f).value()) ids.push_back(f.back());
  REQUIRE(ids.size() == 2000);

  auto corrupt = [](std::string s, std::size_t i, bool uscc) {
    std::size_t pos = uscc ? 8 + i % 10 : 6 + i % 12;  // org code + check / birth date, sequence, check
    if (uscc) {
      std::size_t k = xj::ids::kUsccAlphabet.find(s[pos]);
      s[pos] = xj::ids::kUsccAlphabet[(k + 1 + i % 29) % 31];
    } else {
      s[pos] = s[pos] == 'X' ? '0' : static_cast<char>('0' + (s[pos] - '0' + 1 + i % 8) % 10);
    }
    return s;
  };
  std::string input;
  std::vector<std::string> values;
  std::vector<bool> ours;
  for (std::size_t i = 0; i < usccs.size(); ++i) {
    for (bool bad : {false, true}) {
      std::string v = bad ? corrupt(usccs[i], i, true) : usccs[i];
      input += "uscc " + v + "\n";
      values.push_back(v);
      ours.push_back(xj::ids::ValidateUscc(v).ok());
    }
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (bool bad : {false, true}) {
      std::string v = bad ? corrupt(ids[i], i, false) : ids[i];
      input += "ric " + v + "\n";
      values.push_back(v);
      ours.push_back(xj::ids::ValidateResidentId(v).ok());
    }
  }
  std::string dir = xj::test::TempDir();
  xj::test::WriteFile(dir + "/codes.txt", input);
  xj::test::WriteFile(dir + "/check.py",
                      "import sys\n"
                      "from stdnum.cn import uscc, ric\n"
                      "for line in open(sys.argv[1]):\n"
                      "    kind, value = line.split()\n"
                      "    ok = (uscc if kind == 'uscc' else ric).is_valid(value)\n"
                      "    print('1' if ok else '0')\n");
  auto run = xj::test::RunShell(python + " " + dir + "/check.py " + dir + "/codes.txt");
  REQUIRE(run.exit_code == 0);
  std::vector<bool> theirs;
  for (char c : run.out)
    if (c == '0' || c == '1') theirs.push_back(c == '1');
  REQUIRE(theirs.size() == ours.size());
  std::size_t valid = 0, disagreements = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    bool expect_valid = i % 2 == 0;  // originals valid, corrupted invalid
    if (ours[i] != expect_valid || theirs[i] != expect_valid) {
      ++disagreements;
      UNSCOPED_INFO(values[i] << " (expected " << (expect_valid ? "valid" : "invalid") << "): ours=" << ours[i]
                              << " stdnum=" << theirs[i]);
    }
    valid += theirs[i];
  }
  CHECK(disagreements == 0);
  CHECK(valid == usccs.size() + ids.size());
}
