// Unit tests of the SDK's open-data writers (xinjian/opendata.h): CSV in UTF-8 with a BOM and in
// GB18030 (bytes of known Chinese text, checked against Python's independent codec), RFC 4180
// quoting and the formula prefix, JSON Lines, the host's .xlsx (opened as a zip by Python's
// zipfile, the sheet's XML read back), the Atom feed (parsed by Python's XML parser, hostile
// text round-tripped), HTTP dates, ETags and the 304 rules of RFC 9110, and the masking of
// personal numbers in free text.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "platform_impl.h"
#include "xinjian/opendata.h"

namespace od = xj::opendata;
using nlohmann::json;

namespace {

std::string Hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

od::Table TwoColumns(std::vector<std::vector<std::string>> rows) {
  od::Table t;
  t.columns = {{"name", "名称", "name"}, {"note", "说明", "note"}};
  t.rows = std::move(rows);
  return t;
}

// A scratch folder removed at the end of the test.
struct Scratch {
  std::filesystem::path dir;
  Scratch() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "xj-opendata-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string Write(const std::string& name, const std::string& bytes) const {
    const auto p = dir / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
};

// Runs `python3 -c script args…` and returns its standard output; fails the test on a non-zero
// exit.
std::string Python(const Scratch& s, const std::string& script, const std::vector<std::string>& args) {
  const std::string py = s.Write("check.py", script);
  std::string cmd = "python3 " + py;
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " > " + (s.dir / "out.txt").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(s.dir / "out.txt");
  std::stringstream out;
  out << in.rdbuf();
  INFO(out.str());
  REQUIRE(rc == 0);
  return out.str();
}

std::map<std::string, std::string> Headers(const xj::HttpResponse& r) {
  std::map<std::string, std::string> h;
  for (const auto& [k, v] : r.headers) h[k] = v;
  return h;
}

}  // namespace

TEST_CASE("opendata: CSV in UTF-8 starts with a BOM, quotes as RFC 4180 and ends records with CRLF",
          "[sdk][opendata][csv]") {
  od::CsvReport report;
  auto csv = od::WriteCsv(TwoColumns({{"宁波,北仑", "he said \"hi\""}, {"two\nlines", "plain"}, {"", "cr\rhere"}}),
                          od::CsvEncoding::kUtf8Bom, &report);
  REQUIRE(csv.ok());
  CHECK(csv.value() ==
        "\xEF\xBB\xBF"
        "名称/name,说明/note\r\n"
        "\"宁波,北仑\",\"he said \"\"hi\"\"\"\r\n"
        "\"two\nlines\",plain\r\n"
        ",\"cr\rhere\"\r\n");
  CHECK(report.neutralised == 0);
  CHECK(report.replaced_invalid == 0);
}

TEST_CASE("opendata: CSV cells that a spreadsheet would run as a formula get a leading quote", "[sdk][opendata][csv]") {
  od::CsvReport report;
  auto csv = od::WriteCsv(TwoColumns({{"=1+1", "+cmd|' /C calc'!A0"},
                                      {"-2", "@SUM(A1)"},
                                      {"\tTAB", "\rCR"},
                                      {"a=1", "ok-"}}),
                          od::CsvEncoding::kUtf8Bom, &report);
  REQUIRE(csv.ok());
  CHECK(csv.value() ==
        "\xEF\xBB\xBF"
        "名称/name,说明/note\r\n"
        "\"'=1+1\",\"'+cmd|' /C calc'!A0\"\r\n"
        "\"'-2\",\"'@SUM(A1)\"\r\n"
        "\"'\tTAB\",\"'\rCR\"\r\n"
        "a=1,ok-\r\n");
  CHECK(report.neutralised == 6);
  CHECK(od::LooksLikeFormula("=x"));
  CHECK_FALSE(od::LooksLikeFormula(" =x"));
  CHECK_FALSE(od::LooksLikeFormula(""));
}

TEST_CASE("opendata: GB18030 CSV has the codes of known Chinese text and never drops a character",
          "[sdk][opendata][csv][gb18030]") {
  // The bytes Python's gb18030 codec (an implementation of its own) gives for the same text.
  auto gb = od::Utf8ToGb18030("宁波市市场监督管理局");
  REQUIRE(gb.ok());
  CHECK(Hex(gb.value()) == "c4 fe b2 a8 ca d0 ca d0 b3 a1 bc e0 b6 bd b9 dc c0 ed be d6");
  CHECK(Hex(od::Utf8ToGb18030("€，").value()) == "a2 e3 a3 ac");
  CHECK(Hex(od::Utf8ToGb18030("\xF0\x9F\x98\x80").value()) == "94 39 fc 36");  // U+1F600: four bytes
  CHECK(Hex(od::Utf8ToGb18030("\xEF\xBF\xBD").value()) == "84 31 a4 37");      // U+FFFD

  // A private-use character glibc's converter refuses (Python maps it to A6 D9) is written as
  // a character reference, counted, and the text around it is kept.
  std::size_t escaped = 0;
  auto pua = od::Utf8ToGb18030("甲\xEE\x9E\x8D乙", &escaped);  // 甲 U+E78D 乙
  REQUIRE(pua.ok());
  CHECK(escaped == 1);
  CHECK(pua.value() == "\xBC\xD7&#xE78D;\xD2\xD2");

  od::CsvReport report;
  auto csv = od::WriteCsv(TwoColumns({{"宁波", "x\xEE\x9E\x8Dy"}, {"bad \xFF byte", "=1"}}), od::CsvEncoding::kGb18030,
                          &report);
  REQUIRE(csv.ok());
  CHECK(csv.value().rfind("\xC3\xFB\xB3\xC6/name,", 0) == 0);  // 名称/name, no byte-order mark
  CHECK(csv.value().find("\xC4\xFE\xB2\xA8,x&#xE78D;y\r\n") != std::string::npos);
  CHECK(csv.value().find("bad \x84\x31\xA4\x37 byte,\"'=1\"\r\n") != std::string::npos);  // U+FFFD, formula prefix
  CHECK(report.escaped_unmappable == 1);
  CHECK(report.replaced_invalid == 1);
  CHECK(report.neutralised == 1);
}

TEST_CASE("opendata: a table whose rows do not match its columns, or with bad keys, is refused", "[sdk][opendata]") {
  CHECK(od::WriteCsv(TwoColumns({{"only one"}}), od::CsvEncoding::kUtf8Bom).status().code() ==
        xj::StatusCode::kInvalidArgument);
  CHECK_THAT(od::WriteJsonLines(TwoColumns({{"a", "b"}, {"a", "b", "c"}})).status().message(),
             Catch::Contains("row 2 has 3 cells, not 2"));
  od::Table t = TwoColumns({});
  t.columns[1].key = "name";
  CHECK_THAT(od::CheckTable(t).message(), Catch::Contains("repeated column key"));
  t.columns[1].key = "Bad Key";
  CHECK_THAT(od::CheckTable(t).message(), Catch::Contains("invalid column key"));
  CHECK(od::CheckTable(od::Table{}).code() == xj::StatusCode::kInvalidArgument);
}

TEST_CASE("opendata: JSON Lines is one object per row in column order, every line valid JSON", "[sdk][opendata][jsonl]") {
  const std::string hostile = "\"quoted\" \\ back\nline\ttab \x01 </script> \xE2\x80\xA8 宁波";
  auto lines = od::WriteJsonLines(TwoColumns({{"甲", hostile}, {"=1+1", "bad \xC3 byte"}}));
  REQUIRE(lines.ok());
  std::vector<std::string> split;
  std::stringstream ss(lines.value());
  for (std::string line; std::getline(ss, line);) split.push_back(line);
  REQUIRE(split.size() == 2);
  CHECK(lines.value().back() == '\n');
  CHECK(split[0].find('\n') == std::string::npos);
  CHECK(split[0].rfind("{\"name\": \"甲\", \"note\": ", 0) == 0);
  const json first = json::parse(split[0]);
  CHECK(first["note"] == hostile);
  const json second = json::parse(split[1]);
  CHECK(second["name"] == "=1+1");  // data, not a spreadsheet: unchanged
  CHECK(second["note"] == "bad \xEF\xBF\xBD byte");
  CHECK(split[0].find("\\u2028") != std::string::npos);
  CHECK(split[0].find("\\u0001") != std::string::npos);
}

TEST_CASE("opendata: the host's .xlsx is a zip with the sheet's XML holding every cell as text",
          "[sdk][opendata][xlsx]") {
  xj::PlatformImpl platform;  // no database needed
  od::Table t = TwoColumns({{"宁波市市场监督管理局", "=HYPERLINK(\"http://x\")"},
                            {"</t><script>alert(1)</script>", "line\r\nbreak \x01 ctl"},
                            {"", "91330200MA2AAAAA1X"},
                            {"bad \xFF", "0012"}});
  od::XlsxOptions o;
  o.sheet_name = "results";
  o.title = "抽查检查结果 / inspection results";
  o.created_us = 1795395600000000;  // 2026-11-23T01:00:00Z
  auto book = od::WriteXlsx(platform, t, o);
  REQUIRE(book.ok());
  CHECK(book.value().rfind("PK\x03\x04", 0) == 0);
  // The same table and options give the same bytes (a strong ETag of them stays valid).
  auto again = od::WriteXlsx(platform, t, o);
  REQUIRE(again.ok());
  CHECK(again.value() == book.value());

  Scratch s;
  const std::string path = s.Write("t.xlsx", book.value());
  const std::string script = R"PY(
import json, sys, zipfile, xml.etree.ElementTree as ET
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = z.namelist()
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
wb = ET.fromstring(z.read("xl/workbook.xml"))
sheets = [s.get("name") for s in wb.find("m:sheets", ns)]
sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
shared = []
if "xl/sharedStrings.xml" in names:
    for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
        shared.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
rows = []
formulas = 0
for row in sheet.find("m:sheetData", ns):
    cells = {}
    for c in row:
        formulas += len(c.findall("m:f", ns))
        assert c.get("t") in ("inlineStr", "s"), c.get("t")  # text cells only: no number, no formula result
        if c.get("t") == "s":
            cells[c.get("r")] = shared[int(c.find("m:v", ns).text)]
        else:
            cells[c.get("r")] = "".join(t.text or "" for t in c.iter("{%s}t" % ns["m"]))
    rows.append(cells)
core = z.read("docProps/core.xml").decode()
print(json.dumps({"names": names, "sheets": sheets, "rows": rows, "formulas": formulas,
                  "frozen": sheet.find("m:sheetViews/m:sheetView/m:pane", ns) is not None,
                  "filter": sheet.find("m:autoFilter", ns).get("ref"),
                  "created": "2026-11-23T01:00:00Z" in core, "title": "抽查检查结果" in core}, ensure_ascii=False))
)PY";
  const json out = json::parse(Python(s, script, {path}));
  CHECK(out["sheets"] == json::array({"results"}));
  CHECK(out["formulas"] == 0);
  CHECK(out["frozen"] == true);
  CHECK(out["filter"] == "A1:B5");
  CHECK(out["created"] == true);
  CHECK(out["title"] == true);
  const json rows = out["rows"];
  REQUIRE(rows.size() == 5);
  CHECK(rows[0]["A1"] == "名称/name");
  CHECK(rows[0]["B1"] == "说明/note");
  CHECK(rows[1]["A2"] == "宁波市市场监督管理局");
  CHECK(rows[1]["B2"] == "=HYPERLINK(\"http://x\")");  // text, not a formula, no prefix
  CHECK(rows[2]["A3"] == "</t><script>alert(1)</script>");
  CHECK(rows[2]["B3"] == "line\nbreak \xEF\xBF\xBD ctl");
  CHECK_FALSE(rows[3].contains("A4"));  // an empty cell is not written
  CHECK(rows[3]["B4"] == "91330200MA2AAAAA1X");
  CHECK(rows[4]["A5"] == "bad \xEF\xBF\xBD");
  CHECK(rows[4]["B5"] == "0012");  // leading zeros kept: a string, not a number

  o.sheet_name = "bad/name";
  CHECK(od::WriteXlsx(platform, t, o).status().code() == xj::StatusCode::kInvalidArgument);
  o.sheet_name = "results";
  CHECK(od::WriteXlsx(platform, TwoColumns({{"one"}}), o).status().code() == xj::StatusCode::kInvalidArgument);
  CHECK_THAT(od::WriteXlsx(platform, TwoColumns({{std::string(32768, 'x'), ""}}), o).status().message(),
             Catch::Contains("32,767"));
}

TEST_CASE("opendata: dates in RFC 3339 and HTTP dates in the three forms RFC 9110 accepts", "[sdk][opendata][http]") {
  const std::int64_t rfc_example = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(od::HttpDate(rfc_example * 1000000 + 999999) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(od::Rfc3339(rfc_example * 1000000) == "1994-11-06T08:49:37Z");
  CHECK(od::Rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(od::HttpDate(1795395600000000) == "Mon, 23 Nov 2026 01:00:00 GMT");
  CHECK(od::Rfc3339(951782400000000) == "2000-02-29T00:00:00Z");
  CHECK(od::ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT") == rfc_example);
  CHECK(od::ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT") == rfc_example);
  CHECK(od::ParseHttpDate("Sun Nov  6 08:49:37 1994") == rfc_example);
  CHECK(od::ParseHttpDate(od::HttpDate(1795395600000000)) == 1795395600);
  for (const char* bad : {"", "yesterday", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z",
                          "Sun, 06 Nov 1994 08:49:37 GMT; length=12", "Sun, 29 Feb 2100 00:00:00 GMT"})
    CHECK_FALSE(od::ParseHttpDate(bad).has_value());
}

TEST_CASE("opendata: conditional GET: a strong ETag of the bytes, If-None-Match wins over If-Modified-Since",
          "[sdk][opendata][http]") {
  const std::int64_t changed = 1795395600123456;  // 2026-11-23T01:00:00.123456Z
  const std::string body = R"({"items": []})";
  const std::string etag = od::StrongEtag(body);
  CHECK(etag == "\"" + xj::digest::Sha256Hex(body) + "\"");
  auto ask = [&](std::map<std::string, std::string> headers) {
    xj::HttpRequest req;
    req.headers = std::move(headers);
    xj::HttpResponse res;
    res.body = body;
    const bool not_modified = od::AnswerConditional(req, changed, &res);
    CHECK(not_modified == (res.status == 304));
    return res;
  };
  // No condition: 200 with the validators.
  xj::HttpResponse plain = ask({});
  CHECK(plain.status == 200);
  CHECK(plain.body == body);
  CHECK(Headers(plain)["ETag"] == etag);
  CHECK(Headers(plain)["Last-Modified"] == "Mon, 23 Nov 2026 01:00:00 GMT");
  CHECK(Headers(plain)["Cache-Control"] == "public, no-cache");
  // If-None-Match: the same tag (strong, weak, in a list, or *) is 304 with an empty body and
  // the validators; another tag is 200.
  for (const std::string& inm : std::vector<std::string>{etag, "W/" + etag, "\"other\", " + etag, "*", " " + etag + " "}) {
    xj::HttpResponse r = ask({{"if-none-match", inm}});
    CHECK(r.status == 304);
    CHECK(r.body.empty());
    CHECK(Headers(r)["ETag"] == etag);
    CHECK(Headers(r)["Last-Modified"] == "Mon, 23 Nov 2026 01:00:00 GMT");
  }
  for (const std::string& inm : std::vector<std::string>{"\"other\"", "", "garbage", etag.substr(1), "W/\"x\", \"y\""})
    CHECK(ask({{"if-none-match", inm}}).status == 200);
  // If-None-Match decides alone: a stale tag with a current date is 200, a current tag with an
  // old date is 304.
  CHECK(ask({{"if-none-match", "\"stale\""}, {"if-modified-since", "Mon, 23 Nov 2026 01:00:00 GMT"}}).status == 200);
  CHECK(ask({{"if-none-match", etag}, {"if-modified-since", "Thu, 01 Jan 1970 00:00:00 GMT"}}).status == 304);
  // If-Modified-Since alone, in whole seconds: not changed after the date is 304.
  CHECK(ask({{"if-modified-since", "Mon, 23 Nov 2026 01:00:00 GMT"}}).status == 304);
  CHECK(ask({{"if-modified-since", "Mon, 23 Nov 2026 01:00:01 GMT"}}).status == 304);
  CHECK(ask({{"if-modified-since", "Mon, 23 Nov 2026 00:59:59 GMT"}}).status == 200);
  CHECK(ask({{"if-modified-since", "Monday, 23-Nov-26 01:00:00 GMT"}}).status == 304);
  CHECK(ask({{"if-modified-since", "not a date"}}).status == 200);
  // Only a 200 is touched.
  xj::HttpRequest req;
  req.headers = {{"if-none-match", "*"}};
  xj::HttpResponse err;
  err.status = 404;
  err.body = "{}";
  CHECK_FALSE(od::AnswerConditional(req, changed, &err));
  CHECK(err.status == 404);
  CHECK(err.headers.empty());
  // Without a last-changed time, If-Modified-Since cannot answer.
  xj::HttpResponse unknown;
  unknown.body = body;
  xj::HttpRequest ims;
  ims.headers = {{"if-modified-since", "Mon, 23 Nov 2099 01:00:00 GMT"}};
  CHECK_FALSE(od::AnswerConditional(ims, 0, &unknown));
  CHECK(Headers(unknown).count("Last-Modified") == 0);
}

TEST_CASE("opendata: the Atom feed is well-formed XML with hostile text escaped and stable ids", "[sdk][opendata][atom]") {
  const std::string hostile = "</title><script>alert(\"x\")</script> & 'quote' \x01\xEF\xBF\xBE";
  od::AtomFeed feed;
  feed.id = od::StableId("xinjian:feed:results", "");
  feed.title = "抽查检查结果公示 / published inspection results";
  feed.self_link = "/feeds/results.atom?department=A&task=B";
  feed.author = "信监 <XinJian>";
  feed.updated_us = 1795395600000000;
  od::AtomEntry e;
  e.id = od::StableId("xinjian:result-notice", "T\nU\nD");
  e.title = hostile;
  e.summary = "第一行\n" + hostile;
  e.link = "/api/v1/results/T?uscc=U&department=D";
  e.updated_us = 1795395600000000;
  e.published_us = 1795309200000000;
  e.categories = {"SCJG", "a\"b"};
  feed.entries.push_back(e);
  const std::string xml = od::WriteAtom(feed);
  CHECK(xml.find("<script>") == std::string::npos);
  CHECK(xml.find("&lt;/title&gt;&lt;script&gt;") != std::string::npos);

  // Stable ids: version 8 UUIDs, the same for the same key on every run, different otherwise.
  CHECK(e.id == od::StableId("xinjian:result-notice", "T\nU\nD"));
  CHECK(e.id != od::StableId("xinjian:result-notice", "T\nU\nE"));
  CHECK(e.id.size() == 45);
  CHECK(e.id.rfind("urn:uuid:", 0) == 0);
  CHECK(e.id[9 + 14] == '8');
  CHECK(std::string("89ab").find(e.id[9 + 19]) != std::string::npos);

  Scratch s;
  const std::string path = s.Write("feed.xml", xml);
  const std::string script = R"PY(
import json, sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
feed = ET.parse(sys.argv[1]).getroot()
assert feed.tag == A + "feed", feed.tag
entry = feed.find(A + "entry")
print(json.dumps({
  "feed_id": feed.find(A + "id").text, "updated": feed.find(A + "updated").text,
  "author": feed.find(A + "author/" + A + "name").text,
  "self": [l.get("href") for l in feed.findall(A + "link") if l.get("rel") == "self"],
  "entry_id": entry.find(A + "id").text, "title": entry.find(A + "title").text,
  "title_type": entry.find(A + "title").get("type"), "summary": entry.find(A + "summary").text,
  "published": entry.find(A + "published").text, "link": entry.find(A + "link").get("href"),
  "categories": [c.get("term") for c in entry.findall(A + "category")],
  "elements": sorted({el.tag for el in feed.iter()})}, ensure_ascii=False))
)PY";
  const json out = json::parse(Python(s, script, {path}));
  CHECK(out["feed_id"] == feed.id);
  CHECK(out["updated"] == "2026-11-23T01:00:00Z");
  CHECK(out["author"] == "信监 <XinJian>");
  CHECK(out["self"] == json::array({"/feeds/results.atom?department=A&task=B"}));
  CHECK(out["entry_id"] == e.id);
  // The hostile title comes back as the same text (the control character and U+FFFE, which XML
  // cannot carry, as U+FFFD), never as markup.
  CHECK(out["title"] == "</title><script>alert(\"x\")</script> & 'quote' \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(out["title_type"] == "text");
  CHECK(out["summary"] == "第一行\n</title><script>alert(\"x\")</script> & 'quote' \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(out["published"] == "2026-11-22T01:00:00Z");
  CHECK(out["link"] == "/api/v1/results/T?uscc=U&department=D");
  CHECK(out["categories"] == json::array({"SCJG", "a\"b"}));
  for (const auto& tag : out["elements"]) CHECK(tag.get<std::string>().rfind("{http://www.w3.org/2005/Atom}", 0) == 0);
}

TEST_CASE("opendata: resident ID and mobile numbers in free text are masked, other numbers kept",
          "[sdk][opendata][mask]") {
  CHECK(od::MaskPersonalNumbers("负责人身份证号330225199001011234，已整改") == "负责人身份证号330225********1234，已整改");
  CHECK(od::MaskPersonalNumbers("ID:11010519491231002X.") == "ID:110105********002X.");
  CHECK(od::MaskPersonalNumbers("id 11010519491231002x") == "id 110105********002x");
  CHECK(od::MaskPersonalNumbers("ID440304198511110018") == "ID440304********0018");
  CHECK(od::MaskPersonalNumbers("旧证 330225900101123 号") == "旧证 *************23 号");
  CHECK(od::MaskPersonalNumbers("电话13812345678") == "电话138****5678");
  CHECK(od::MaskPersonalNumbers("电话 12812345678") == "电话 12812345678");       // not a mobile prefix
  CHECK(od::MaskPersonalNumbers("330225199001011235") == "330225199001011235");    // bad check digit
  CHECK(od::MaskPersonalNumbers("3302251990010112345") == "3302251990010112345");  // 19 digits
  CHECK(od::MaskPersonalNumbers("91330200MA2AAAAA1X") == "91330200MA2AAAAA1X");    // a USCC
  CHECK(od::MaskPersonalNumbers("甬市监案〔2026〕123号") == "甬市监案〔2026〕123号");
  CHECK(od::MaskPersonalNumbers("") == "");
}

TEST_CASE("opendata: attachment names are plain file names", "[sdk][opendata][http]") {
  CHECK(od::Attachment("results-SCJG-2026-0001.csv") == "attachment; filename=\"results-SCJG-2026-0001.csv\"");
  CHECK(od::Attachment("../etc/passwd\r\nX: y") == "attachment; filename=\"_.._etc_passwd__X__y\"");
  CHECK(od::Attachment("结果.csv") == "attachment; filename=\"______.csv\"");
}

namespace {
// AppendJsonString as it was written first, a byte at a time: the reference the faster one
// (runs appended whole) must match byte for byte.
std::string ReferenceJsonString(std::string_view s) {
  std::string fixed = xj::utf8::FindInvalid(s) != std::string_view::npos ? od::ValidUtf8(s) : std::string(s);
  std::string out = "\"";
  for (std::size_t i = 0; i < fixed.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(fixed[i]);
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\b')
      out += "\\b";
    else if (c == '\f')
      out += "\\f";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (c == 0xE2 && i + 2 < fixed.size() && static_cast<unsigned char>(fixed[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(fixed[i + 2]) == 0xA8 || static_cast<unsigned char>(fixed[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(fixed[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}
}  // namespace

TEST_CASE("opendata: JSON strings match the byte-at-a-time reference on random text", "[sdk][opendata][json]") {
  // Pieces that need escaping, that look like it and do not, and plain text, in random order.
  const std::vector<std::string> pieces{
      "\"",   "\\",      "\b",           "\f",           "\n",           "\r",       "\t",   "\x01",
      "\x1f", "\x7f",    "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\x94", "\xE2\x80", "\xE2", "宁波",
      "a",    "abc def", "\xC3",         "\xFF",         "</script>",    ""};
  std::mt19937 rng(20261205);
  for (int round = 0; round < 5000; ++round) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    std::string out = "prefix";
    od::AppendJsonString(&out, s);
    REQUIRE(out == "prefix" + ReferenceJsonString(s));
    const json back = json::parse(out.substr(6));  // valid JSON, whatever went in
    CHECK(back.is_string());
  }
  std::string out;
  od::AppendJsonString(&out, "");
  CHECK(out == "\"\"");
}
