// Unit tests of the SDK's table reading (xinjian/table_reader.h, host API 7): the host's
// reader behind Platform::OpenTable (encodings, a byte-order mark, quoted fields, bad records
// named by line and skipped, the bounds), and the header-only CSV writer against the host's
// own (core/src/csv.h: the same bytes).
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "csv.h"
#include "platform_impl.h"
#include "test_support.h"
#include "xinjian/table_reader.h"

using Catch::Matchers::Contains;

namespace {

std::vector<std::vector<std::string>> ReadAll(xj::TableReader& r, std::vector<std::string>* errors = nullptr,
                                              std::vector<std::uint64_t>* lines = nullptr) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> f;
  while (true) {
    auto n = r.Next(&f);
    if (!n.ok()) {
      if (errors) errors->push_back(n.status().message());
      if (lines) lines->push_back(r.record_line());
      continue;
    }
    if (!n.value()) break;
    out.push_back(f);
    if (lines) lines->push_back(r.record_line());
  }
  return out;
}

}  // namespace

TEST_CASE("sdk table: the host's reader behind Platform::OpenTable", "[sdk][table]") {
  xj::PlatformImpl platform;  // no database: reading files needs none
  const std::string dir = xj::test::TempDir();
  SECTION("UTF-8 with a byte-order mark, quoted fields over two lines") {
    const std::string path = dir + "/a.csv";
    xj::test::WriteFile(path, "\xEF\xBB\xBFname,note\r\n甲,\"第一行\n第二行\"\r\n乙,\"a, \"\"b\"\"\"\n");
    auto r = platform.OpenTable(path, {});
    REQUIRE(r.ok());
    std::vector<std::uint64_t> lines;
    const auto rows = ReadAll(*r.value(), nullptr, &lines);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0] == std::vector<std::string>{"name", "note"});  // no byte-order mark in the first field
    CHECK(rows[1] == std::vector<std::string>{"甲", "第一行\n第二行"});
    CHECK(rows[2] == std::vector<std::string>{"乙", "a, \"b\""});
    CHECK(lines == std::vector<std::uint64_t>{1, 2, 4});
    CHECK(r.value()->encoding() == "utf-8");
  }
  SECTION("GB18030, told or detected") {
    const std::string path = dir + "/gb.csv";
    xj::test::WriteFile(path, "code,name\nA,\xD6\xD0\xCE\xC4\n");  // 中文 in GB18030
    for (const std::string enc : {"auto", "gb18030", "GB18030"}) {
      INFO(enc);
      xj::TableReaderOptions o;
      o.encoding = enc;
      auto r = platform.OpenTable(path, o);
      REQUIRE(r.ok());
      const auto rows = ReadAll(*r.value());
      REQUIRE(rows.size() == 2);
      CHECK(rows[1][1] == "中文");
      CHECK(r.value()->encoding() == "gb18030");
    }
  }
  SECTION("a bad record is an error naming its line, and reading goes on") {
    const std::string path = dir + "/bad.csv";
    xj::test::WriteFile(path, "a,b\n1,bad \"quote\" here\n" + std::string(300, 'x') + ",y\n2,ok\n,,,,,\n3,end\n");
    xj::TableReaderOptions o;
    o.max_record_bytes = 200;
    o.max_fields = 4;
    auto r = platform.OpenTable(path, o);
    REQUIRE(r.ok());
    std::vector<std::string> errors;
    const auto rows = ReadAll(*r.value(), &errors);
    REQUIRE(rows.size() == 3);
    CHECK(rows[1] == std::vector<std::string>{"2", "ok"});
    CHECK(rows[2] == std::vector<std::string>{"3", "end"});
    REQUIRE(errors.size() == 3);
    CHECK_THAT(errors[0], Contains("第 2 行") && Contains("quote inside an unquoted field"));
    CHECK_THAT(errors[1], Contains("200"));
    CHECK_THAT(errors[2], Contains("more than 4 fields"));
  }
  SECTION("what is refused when opening") {
    auto missing = platform.OpenTable(dir + "/none.csv", {});
    CHECK(missing.status().code() == xj::StatusCode::kUnavailable);
    CHECK_THAT(missing.status().message(), Contains("none.csv"));
    const std::string path = dir + "/big.csv";
    xj::test::WriteFile(path, "a,b\n1,2\n");
    xj::TableReaderOptions small;
    small.max_file_bytes = 4;
    auto big = platform.OpenTable(path, small);
    CHECK(big.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(big.status().message(), Contains("larger than 4 bytes") && Contains("big.csv"));
    xj::TableReaderOptions latin;
    latin.encoding = "latin-1";
    auto enc = platform.OpenTable(path, latin);
    CHECK(enc.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK_THAT(enc.status().message(), Contains("latin-1"));
  }
}

TEST_CASE("sdk table: the header-only CSV writer writes the host's bytes", "[sdk][table]") {
  const std::vector<std::vector<std::string>> cases{
      {"plain", "a,b", "say \"hi\"", "l1\nl2", "cr\r", "", "中文"},
      {"=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx", "ok", "a=b"},
      {"=1,2", "=\"x\""},
      {""},
      {},
      {"", ""},
  };
  for (bool neutralise : {false, true})
    for (const auto& fields : cases) {
      std::string ours, host;
      xj::csv::AppendCsvRecord(&ours, fields, neutralise);
      xj::AppendCsvRecord(&host, fields, neutralise);
      CHECK(ours == host);
    }
  // Random fields of the characters that matter.
  std::mt19937 rng(2026);
  const std::string alphabet = "a,\"\r\n=+-@\t ";
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::string> fields(rng() % 4);
    for (auto& f : fields)
      for (std::size_t n = rng() % 6; n > 0; --n) f += alphabet[rng() % alphabet.size()];
    std::string ours, host;
    const bool neutralise = rng() % 2 == 0;
    xj::csv::AppendCsvRecord(&ours, fields, neutralise);
    xj::AppendCsvRecord(&host, fields, neutralise);
    REQUIRE(ours == host);
  }
}
