// Unit tests of core/src/csv.h: the streaming CSV reader (encodings, quoting, hostile input,
// chunk boundaries, resynchronisation) and AppendCsvRecord.
#include <catch2/catch.hpp>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "csv.h"
#include "generator.h"
#include "test_support.h"
#include "text.h"

namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;  // the reader's chunk size

// One outcome of Next(): a record or an error, with the line the reader reported.
struct Item {
  bool error = false;
  std::vector<std::string> fields;
  std::string message;
  std::uint64_t line = 0;
};

std::vector<Item> ReadAll(xj::CsvReader& reader, std::size_t limit = 1000000) {
  std::vector<Item> items;
  std::vector<std::string> fields;
  while (items.size() < limit) {
    auto r = reader.Next(&fields);
    Item it;
    it.line = reader.record_line();
    if (!r.ok()) {
      it.error = true;
      it.message = r.status().message();
      CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
    } else if (!r.value()) {
      break;
    } else {
      it.fields = fields;
    }
    items.push_back(std::move(it));
  }
  return items;
}

std::vector<Item> Read(std::string data, xj::CsvOptions options = {}) {
  auto reader = xj::CsvReader::FromString(std::move(data), options);
  return ReadAll(*reader);
}

using Row = std::vector<std::string>;

// Records only (errors dropped), for compact expectations.
std::vector<Row> Rows(const std::vector<Item>& items) {
  std::vector<Row> rows;
  for (const Item& it : items)
    if (!it.error) rows.push_back(it.fields);
  return rows;
}

std::string Gb(const std::string& utf8) {
  auto r = xj::text::Utf8ToGb18030(utf8);
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace

TEST_CASE("csv: encodings by name", "[csv]") {
  CHECK(xj::ParseEncoding("utf-8").value() == xj::Encoding::kUtf8);
  CHECK(xj::ParseEncoding("UTF8").value() == xj::Encoding::kUtf8);
  CHECK(xj::ParseEncoding("GB18030").value() == xj::Encoding::kGb18030);
  CHECK(xj::ParseEncoding("auto").value() == xj::Encoding::kAuto);
  auto bad = xj::ParseEncoding("gbk");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("unknown encoding 'gbk'") && Catch::Contains("未知的编码"));
}

TEST_CASE("csv: well-formed input", "[csv]") {
  struct Case {
    std::string name, in;
    std::vector<Row> rows;
  };
  const std::vector<Case> cases = {
      {"empty input", "", {}},
      {"header only", "a,b,c\n", {{"a", "b", "c"}}},
      {"header only, no newline", "a,b,c", {{"a", "b", "c"}}},
      {"LF", "a,b\n1,2\n", {{"a", "b"}, {"1", "2"}}},
      {"CRLF", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
      {"bare CR", "a,b\r1,2\r", {{"a", "b"}, {"1", "2"}}},
      {"BOM and CRLF",
       "\xEF\xBB\xBF"
       "a,b\r\n1,2\r\n",
       {{"a", "b"}, {"1", "2"}}},
      {"only a BOM", "\xEF\xBB\xBF", {}},
      {"empty lines skipped", "\n\na,b\n\r\n\n1,2\n\n", {{"a", "b"}, {"1", "2"}}},
      {"empty fields", ",\n,,\na,,b\n", {{"", ""}, {"", "", ""}, {"a", "", "b"}}},
      {"trailing comma at EOF", "a,", {{"a", ""}}},
      {"quoted comma", "\"a,b\",c\n", {{"a,b", "c"}}},
      {"doubled quotes", "\"say \"\"hi\"\"\",\"\"\"\"\n", {{"say \"hi\"", "\""}}},
      {"empty quoted", "\"\",\"\"\n", {{"", ""}}},
      {"embedded LF", "\"line 1\nline 2\",x\n", {{"line 1\nline 2", "x"}}},
      {"embedded CRLF", "\"l1\r\nl2\",x\r\n", {{"l1\r\nl2", "x"}}},
      {"quoted at EOF", "a,\"b\"", {{"a", "b"}}},
      {"spaces kept", " a , b \n", {{" a ", " b "}}},
      {"Chinese",
       "名称,地址\n宁波市海曙区恒达贸易有限公司,\"浙江省宁波市,海曙区\"\n",
       {{"名称", "地址"}, {"宁波市海曙区恒达贸易有限公司", "浙江省宁波市,海曙区"}}},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto items = Read(c.in);
    for (const Item& it : items) CHECK_FALSE(it.error);
    CHECK(Rows(items) == c.rows);
  }
}

TEST_CASE("csv: physical line numbers", "[csv]") {
  auto items = Read("h1,h2\n\n\"a\nb\nc\",x\n\r\nnext,1\n\"q\"\"\n\",2\nlast,3");
  REQUIRE(items.size() == 5);
  CHECK(items[0].line == 1);
  CHECK(items[1].line == 3);  // after an empty line
  CHECK(items[1].fields == Row{"a\nb\nc", "x"});
  CHECK(items[2].line == 7);  // the quoted field spanned lines 3-5, then an empty CRLF line
  CHECK(items[3].line == 8);
  CHECK(items[3].fields == Row{"q\"\n", "2"});
  CHECK(items[4].line == 10);
}

TEST_CASE("csv: fields vector is resized per record", "[csv]") {
  auto reader = xj::CsvReader::FromString("a,b,c,d\n1\n2,3\n", {});
  std::vector<std::string> f = {"stale"};
  REQUIRE(reader->Next(&f).value());
  CHECK(f.size() == 4);
  REQUIRE(reader->Next(&f).value());
  CHECK(f == Row{"1"});
  REQUIRE(reader->Next(&f).value());
  CHECK(f == Row{"2", "3"});
  CHECK_FALSE(reader->Next(&f).value());
  CHECK_FALSE(reader->Next(&f).value());  // stays at the end
}

TEST_CASE("csv: malformed quotes are errors naming the line, and reading continues", "[csv]") {
  SECTION("quote inside an unquoted field") {
    auto items = Read("a,b\nx,ab\"c\ny,z\n");
    REQUIRE(items.size() == 3);
    CHECK(items[1].error);
    CHECK(items[1].line == 2);
    CHECK_THAT(items[1].message, Catch::Contains("line 2: quote inside an unquoted field") &&
                                     Catch::Contains("第 2 行") && Catch::Contains(" / "));
    CHECK(items[2].fields == Row{"y", "z"});
    CHECK(items[2].line == 3);
  }
  SECTION("text after a closing quote") {
    auto items = Read("a,b\n\"x\"y,1\n\"ok\",2\n");
    REQUIRE(items.size() == 3);
    CHECK(items[1].error);
    CHECK_THAT(items[1].message, Catch::Contains("line 2: unexpected character after a closing quote"));
    CHECK(items[2].fields == Row{"ok", "2"});
  }
  SECTION("space after a closing quote") {
    auto items = Read("\"x\" ,1\n");
    REQUIRE(items.size() == 1);
    CHECK(items[0].error);
  }
  SECTION("unterminated quote at EOF: the lines after it are recovered") {
    auto items = Read("a,b\n1,\"open\n2,y\n3,z\n");
    REQUIRE(items.size() == 4);
    CHECK(items[0].fields == Row{"a", "b"});
    CHECK(items[1].error);
    CHECK(items[1].line == 2);
    CHECK_THAT(items[1].message, Catch::Contains("line 2: unterminated quoted field") && Catch::Contains("引号未闭合"));
    CHECK(items[2].fields == Row{"2", "y"});
    CHECK(items[2].line == 3);
    CHECK(items[3].fields == Row{"3", "z"});
    CHECK(items[3].line == 4);
  }
  SECTION("unterminated quote on the last line") {
    auto items = Read("a,b\n1,\"open");
    REQUIRE(items.size() == 2);
    CHECK(items[1].error);
  }
  SECTION("a lone quote") {
    auto items = Read("\"");
    REQUIRE(items.size() == 1);
    CHECK(items[0].error);
  }
  SECTION("an error inside a multi-line record names the line where it is") {
    auto items = Read("h\n\"a\nb\"x,1\nok,2\n");
    REQUIRE(items.size() >= 2);
    CHECK(items[1].error);
    CHECK(items[1].line == 2);
    CHECK_THAT(items[1].message, Catch::Contains("line 3:"));
    CHECK(Rows(items).back() == Row{"ok", "2"});
  }
}

TEST_CASE("csv: hostile bytes", "[csv]") {
  SECTION("embedded NUL") {
    auto items = Read(std::string("a,b\nx,y\0z\nok,1\n", 15));
    REQUIRE(items.size() == 3);
    CHECK(items[1].error);
    CHECK_THAT(items[1].message, Catch::Contains("line 2: contains a NUL byte") && Catch::Contains("NUL 字节"));
    CHECK(items[2].fields == Row{"ok", "1"});
  }
  SECTION("invalid UTF-8 in a UTF-8 file") {
    xj::CsvOptions o;
    o.encoding = xj::Encoding::kUtf8;
    auto items = Read("a,b\n\"x\ny\",\xC0\x80\nok,1\n", o);
    REQUIRE(items.size() == 3);
    CHECK(items[1].error);
    CHECK_THAT(items[1].message, Catch::Contains("line 3: invalid UTF-8") && Catch::Contains("gb18030"));
    CHECK(items[2].fields == Row{"ok", "1"});
    CHECK(items[2].line == 4);
  }
  SECTION("UTF-16 is refused once") {
    auto items =
        Read(std::string("\xFF\xFE"
                         "a\0,\0b\0",
                         8));
    REQUIRE(items.size() == 1);
    CHECK(items[0].error);
    CHECK_THAT(items[0].message, Catch::Contains("UTF-16"));
  }
  SECTION("too many fields") {
    xj::CsvOptions o;
    o.max_fields = 3;
    auto items = Read("a,b,c\n1,2,3,4\n5,6,7\n", o);
    REQUIRE(items.size() == 3);
    CHECK(items[1].error);
    CHECK_THAT(items[1].message, Catch::Contains("line 2: more than 3 fields"));
    CHECK(items[2].fields == Row{"5", "6", "7"});
  }
  SECTION("random bytes never crash and always end") {
    std::uint64_t s = 12345;
    for (int iter = 0; iter < 300; ++iter) {
      std::string data;
      std::size_t n = s % 400;
      for (std::size_t k = 0; k < n; ++k) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        const char alphabet[] = {',', '"', '\n', '\r', 'a', '\0', '\xE4', '\xB8', '\xAD', '\xFF', ' '};
        data += alphabet[(s >> 33) % sizeof alphabet];
      }
      for (xj::Encoding e : {xj::Encoding::kAuto, xj::Encoding::kUtf8, xj::Encoding::kGb18030}) {
        xj::CsvOptions o;
        o.encoding = e;
        o.max_record_bytes = 64;
        auto items = Read(data, o);
        std::size_t lines = 1;
        for (char c : data) lines += c == '\n' || c == '\r';
        CHECK(items.size() <= lines);  // every error consumes at least one line
        for (const Item& it : items) {
          if (!it.error) {
            for (const std::string& f : it.fields) CHECK(xj::text::IsValidUtf8(f));
          }
        }
      }
    }
  }
}

TEST_CASE("csv: a record longer than the limit is an error, not an allocation", "[csv]") {
  const std::string big(2 * kChunk, 'x');  // 2 MiB
  SECTION("unquoted") {
    auto items = Read("a,b\n1," + big + ",3\nok,1\n");
    REQUIRE(items.size() == 3);
    CHECK(items[1].error);
    CHECK(items[1].line == 2);
    CHECK_THAT(items[1].message, Catch::Contains("line 2: record longer than 1048576 bytes"));
    CHECK(items[2].fields == Row{"ok", "1"});
    CHECK(items[2].line == 3);
  }
  SECTION("quoted") {
    auto items = Read("a,b\n1,\"" + big + "\",3\r\nok,1\r\n");
    REQUIRE(items.size() == 3);
    CHECK(items[1].error);
    CHECK(items[2].fields == Row{"ok", "1"});
  }
  SECTION("an unclosed quote followed by many lines: the lines are recovered") {
    std::string data = "a,b\n1,\"oops\n";
    std::size_t n = 0;
    while (data.size() < 3 * kChunk) data += "row" + std::to_string(n++) + ",value\n";
    auto items = Read(data);
    REQUIRE(items.size() == n + 2);
    CHECK(items[1].error);
    CHECK_THAT(items[1].message, Catch::Contains("maybe an unclosed quote"));
    CHECK(items[2].fields == Row{"row0", "value"});
    CHECK(items[2].line == 3);
    CHECK(items.back().fields == Row{"row" + std::to_string(n - 1), "value"});
    CHECK(items.back().line == n + 2);
  }
  SECTION("a smaller limit") {
    xj::CsvOptions o;
    o.max_record_bytes = 10;
    auto items = Read("short,1\nthis line is long,2\nok,3\n", o);
    REQUIRE(items.size() == 3);
    CHECK(items[1].error);
    CHECK_THAT(items[1].message, Catch::Contains("longer than 10 bytes"));
    CHECK(items[2].fields == Row{"ok", "3"});
  }
  SECTION("just below the limit spanning chunks is fine") {
    std::string field(kChunk - 100, 'y');
    auto items = Read("a\n" + field + "\n" + field + "\n");
    REQUIRE(items.size() == 3);
    CHECK_FALSE(items[1].error);
    CHECK(items[2].fields == Row{field});
  }
}

TEST_CASE("csv: encoding detection", "[csv]") {
  const std::string utf8 = "名称,地址\n宁波市海曙区恒达贸易有限公司,\"浙江省,宁波市\"\n象山县张记小吃店,丹东街道\n";
  SECTION("UTF-8") {
    auto reader = xj::CsvReader::FromString(utf8, {});
    auto items = ReadAll(*reader);
    CHECK(reader->encoding() == xj::Encoding::kUtf8);
    REQUIRE(items.size() == 3);
    CHECK(items[1].fields == Row{"宁波市海曙区恒达贸易有限公司", "浙江省,宁波市"});
  }
  SECTION("GB18030 is detected and converted") {
    auto reader = xj::CsvReader::FromString(Gb(utf8), {});
    auto items = ReadAll(*reader);
    CHECK(reader->encoding() == xj::Encoding::kGb18030);
    REQUIRE(items.size() == 3);
    CHECK(items[1].fields == Row{"宁波市海曙区恒达贸易有限公司", "浙江省,宁波市"});
    CHECK(items[2].fields == Row{"象山县张记小吃店", "丹东街道"});
  }
  SECTION("GB18030 with its byte order mark") {
    auto reader = xj::CsvReader::FromString("\x84\x31\x95\x33" + Gb(utf8), {});
    auto items = ReadAll(*reader);
    CHECK(reader->encoding() == xj::Encoding::kGb18030);
    REQUIRE(items.size() == 3);
    CHECK(items[0].fields == Row{"名称", "地址"});
  }
  SECTION("explicit GB18030") {
    xj::CsvOptions o;
    o.encoding = xj::Encoding::kGb18030;
    auto reader = xj::CsvReader::FromString(Gb("中文,x\n"), o);
    auto items = ReadAll(*reader);
    REQUIRE(items.size() == 1);
    CHECK(items[0].fields == Row{"中文", "x"});
  }
  SECTION("invalid GB18030 bytes are an error for that record only") {
    auto items = Read(Gb("名称,值\n") + "\x81\x20,1\n" + Gb("好,2\n"));
    REQUIRE(items.size() == 3);
    CHECK(items[1].error);
    CHECK_THAT(items[1].message, Catch::Contains("line 2: invalid GB18030"));
    CHECK(items[2].fields == Row{"好", "2"});
  }
  SECTION("a GB18030 file truncated in the middle of a character") {
    std::string data = Gb("名称\n好");
    data.pop_back();
    auto items = Read(data);
    REQUIRE(items.size() == 2);
    CHECK(items[1].error);
  }
}

TEST_CASE("csv: characters cut by chunk boundaries", "[csv]") {
  // Lines of Chinese text with a varying ASCII prefix, so that multi-byte characters fall on
  // every possible offset of the 1 MiB chunk boundaries; a four-byte character (😀, 𠀀) too.
  std::string utf8 = "id,text\n";
  std::vector<Row> expected = {{"id", "text"}};
  for (int i = 0; utf8.size() < 3 * kChunk + 12345; ++i) {
    std::string id(static_cast<std::size_t>(i % 7), 'p');
    id += std::to_string(i);
    std::string text = i % 5 == 0 ? "统一社会信用代码😀𠀀,\"引号\"\"\n换行\"" : "浙江省宁波市象山县丹东街道";
    utf8 +=
        id + "," + (i % 5 == 0 ? "\"" + std::string("统一社会信用代码😀𠀀,\"\"引号\"\"\"\"\n换行") + "\"" : text) + "\n";
    expected.push_back({id, i % 5 == 0 ? "统一社会信用代码😀𠀀,\"引号\"\"\n换行" : text});
  }
  SECTION("UTF-8") {
    auto reader = xj::CsvReader::FromString(utf8, {});
    auto items = ReadAll(*reader);
    CHECK(reader->encoding() == xj::Encoding::kUtf8);
    CHECK(Rows(items) == expected);
    CHECK(items.size() == expected.size());
  }
  SECTION("GB18030, detected") {
    std::string gb = Gb(utf8);
    REQUIRE(gb.size() > 2 * kChunk);
    auto reader = xj::CsvReader::FromString(gb, {});
    auto items = ReadAll(*reader);
    CHECK(reader->encoding() == xj::Encoding::kGb18030);
    CHECK(Rows(items) == expected);
    CHECK(items.size() == expected.size());
  }
  SECTION("a character exactly across the first boundary") {
    const std::string filler(kChunk / 2, 'f');
    for (std::size_t shift = 1; shift <= 4; ++shift) {
      // UTF-8: 中 (3 bytes) starts `shift` bytes before the boundary.
      std::string head = "h\n" + filler + "\n";
      std::string pad(kChunk - shift - head.size(), 'a');
      std::string data = head + pad + "中,1\n";
      REQUIRE(data.substr(kChunk - shift, 3) == "中");
      auto reader = xj::CsvReader::FromString(data, {});
      auto items = ReadAll(*reader);
      INFO("shift " << shift);
      CHECK(reader->encoding() == xj::Encoding::kUtf8);
      REQUIRE(items.size() == 3);
      CHECK_FALSE(items[2].error);
      CHECK(items[2].fields == Row{pad + "中", "1"});
      // GB18030: a four-byte character across the boundary.
      std::string gb = head + pad + Gb("😀") + Gb("中") + ",1\n";
      REQUIRE(gb.substr(kChunk - shift, 4) == Gb("😀"));
      auto gr = xj::CsvReader::FromString(gb, {});
      auto gitems = ReadAll(*gr);
      CHECK(gr->encoding() == xj::Encoding::kGb18030);
      REQUIRE(gitems.size() == 3);
      CHECK_FALSE(gitems[2].error);
      CHECK(gitems[2].fields == Row{pad + "😀中", "1"});
    }
  }
}

TEST_CASE("csv: files", "[csv]") {
  std::string dir = xj::test::TempDir();
  auto missing = xj::CsvReader::Open(dir + "/nope.csv", {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == xj::StatusCode::kUnavailable);
  CHECK_THAT(missing.status().message(), Catch::Contains("nope.csv") && Catch::Contains("无法打开"));
  auto directory = xj::CsvReader::Open(dir, {});
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().code() == xj::StatusCode::kUnavailable);

  // A generated file bigger than several chunks, read back field by field.
  xj::gen::Options o;
  o.count = 30000;
  o.seed = 3;
  std::ostringstream os;
  REQUIRE(xj::gen::WriteCsv("subjects", o, os).ok());
  const std::string data = os.str();
  REQUIRE(data.size() > 2 * kChunk);
  xj::test::WriteFile(dir + "/s.csv", data);
  xj::test::WriteFile(dir + "/s-gb.csv", Gb(data));
  auto from_file = xj::CsvReader::Open(dir + "/s.csv", {});
  REQUIRE(from_file.ok());
  CHECK(from_file.value()->total_bytes() == data.size());
  auto file_items = ReadAll(*from_file.value());
  CHECK(from_file.value()->bytes_read() == data.size());
  auto mem_items = Read(data);
  REQUIRE(file_items.size() == 30001);
  CHECK(Rows(file_items) == Rows(mem_items));
  auto gb_file = xj::CsvReader::Open(dir + "/s-gb.csv", {});
  REQUIRE(gb_file.ok());
  auto gb_items = ReadAll(*gb_file.value());
  CHECK(gb_file.value()->encoding() == xj::Encoding::kGb18030);
  CHECK(Rows(gb_items) == Rows(mem_items));
  // Re-serialising the records gives back the file byte for byte.
  std::string again;
  for (const Item& it : file_items) xj::AppendCsvRecord(&again, it.fields);
  CHECK(again == data);
}

TEST_CASE("csv: AppendCsvRecord quotes when needed and neutralises formulas", "[csv]") {
  std::string out;
  xj::AppendCsvRecord(&out, {"plain", "a,b", "say \"hi\"", "l1\nl2", "cr\r", "", "中文"});
  CHECK(out == "plain,\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"cr\r\",,中文\n");
  out.clear();
  xj::AppendCsvRecord(&out, {"=SUM(A1)", "+1", "-2", "@x", "\tx", "ok", "a=b"}, true);
  CHECK(out == "'=SUM(A1),'+1,'-2,'@x,'\tx,ok,a=b\n");
  out.clear();
  xj::AppendCsvRecord(&out, {"=1,2", "=\"x\""}, true);
  CHECK(out == "\"'=1,2\",\"'=\"\"x\"\"\"\n");
  out.clear();
  xj::AppendCsvRecord(&out, {"=x"}, false);
  CHECK(out == "=x\n");
  out.clear();
  xj::AppendCsvRecord(&out, {""});  // not an empty line, which a reader would skip
  CHECK(out == "\"\"\n");
  out.clear();
  xj::AppendCsvRecord(&out, {});
  CHECK(out == "\n");
}

TEST_CASE("csv: write then read round trip of random fields", "[csv]") {
  std::uint64_t s = 777;
  auto next = [&s] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s >> 33;
  };
  const std::vector<std::string> pieces = {"a", ",", "\"", "\n", "\r\n", "\r", " ", "中", "😀", "=", "x y", "''"};
  std::vector<Row> records;
  std::string data;
  for (int i = 0; i < 2000; ++i) {
    Row r(1 + next() % 6);
    for (std::string& f : r) {
      std::size_t n = next() % 6;
      for (std::size_t k = 0; k < n; ++k) f += pieces[next() % pieces.size()];
    }
    if (r.size() == 1 && r[0].empty()) r[0] = "x";
    records.push_back(r);
    xj::AppendCsvRecord(&data, r);
  }
  auto items = Read(data);
  for (const Item& it : items) CHECK_FALSE(it.error);
  CHECK(Rows(items) == records);
}
