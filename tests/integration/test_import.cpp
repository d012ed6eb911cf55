// Directory imports end to end through the library: validation, rejects, idempotent
// upserts, encodings, JSON, references, masking. Runs on SQLite and PostgreSQL.
#include <catch2/catch.hpp>
#include <soci/soci.h>

#include <fstream>
#include <sstream>

#include "database.h"
#include "generator.h"
#include "identifiers.h"
#include "importer.h"
#include "journal.h"
#include "test_support.h"
#include "text.h"

using namespace xj;

namespace {

std::unique_ptr<Database> NewDb() {
  auto db = Database::Open(test::FreshDatabaseUrl());
  REQUIRE(db.ok());
  return std::move(db.value());
}

std::string GenCsv(const std::string& kind, std::uint64_t count, std::uint64_t seed = 11) {
  gen::Options o;
  o.count = count;
  o.seed = seed;
  std::ostringstream out;
  REQUIRE(gen::WriteCsv(kind, o, out).ok());
  return out.str();
}

std::string WriteTemp(const std::string& name, const std::string& data) {
  std::string p = test::TempDir() + "/" + name;
  test::WriteFile(p, data);
  return p;
}

ImportSummary Import(Database& db, DirectoryKind kind, const std::string& path, const std::string& rejects = "",
                     Encoding enc = Encoding::kAuto) {
  ImportOptions o;
  o.kind = kind;
  o.path = path;
  o.rejects_path = rejects;
  o.encoding = enc;
  o.actor = "tester";
  o.chunk_rows = 500;
  auto s = ImportFile(db, o);
  INFO(s.status().message());
  REQUIRE(s.ok());
  return s.value();
}

long long Count(Database& db, const std::string& sql) {
  long long n = 0;
  db.session() << sql, soci::into(n);
  return n;
}

const char* kSubjectHeader = "uscc,name,type,region,industry,registered_on,status,risk_class,labels,address\n";

}  // namespace

TEST_CASE("importing the same file twice changes nothing the second time", "[import]") {
  auto db = NewDb();
  std::string path = WriteTemp("subjects.csv", GenCsv("subjects", 3000));
  ImportSummary a = Import(*db, DirectoryKind::kSubjects, path);
  CHECK(a.read == 3000);
  CHECK(a.inserted == 3000);
  CHECK(a.updated == 0);
  CHECK(a.rejected == 0);
  ImportSummary b = Import(*db, DirectoryKind::kSubjects, path);
  CHECK(b.read == 3000);
  CHECK(b.inserted == 0);
  CHECK(b.updated == 0);
  CHECK(b.unchanged == 3000);
  CHECK(Count(*db, "SELECT count(*) FROM subjects") == 3000);
  // Every change is in the audit log, once.
  CHECK(Count(*db, "SELECT count(*) FROM audit_log WHERE entity = 'subject'") == 3000);
  auto v = VerifyAudit(*db);
  REQUIRE(v.ok());
  CHECK(v->ok);
  CHECK(v->records == 3000);
}

TEST_CASE("a changed row is an update with before and after digests", "[import]") {
  auto db = NewDb();
  std::string csv = GenCsv("subjects", 50);
  std::string path = WriteTemp("s.csv", csv);
  Import(*db, DirectoryKind::kSubjects, path);
  // Change the status of the first data row.
  std::string line2 = csv.substr(csv.find('\n') + 1);
  std::string uscc = line2.substr(0, 18);
  std::string before;
  db->session() << "SELECT digest FROM subjects WHERE uscc = :u", soci::use(uscc), soci::into(before);
  std::string changed = csv;
  auto pos = changed.find(",active,", changed.find(uscc));
  if (pos == std::string::npos || pos > changed.find('\n', changed.find(uscc))) {
    pos = changed.find(',', changed.find(uscc));  // fall back: rename
    changed.insert(pos + 1, "新");
  } else {
    changed.replace(pos, 8, ",revoked,");
  }
  ImportSummary s = Import(*db, DirectoryKind::kSubjects, WriteTemp("s2.csv", changed));
  CHECK(s.updated == 1);
  CHECK(s.inserted == 0);
  CHECK(s.unchanged == 49);
  std::string after, ab, aa;
  db->session() << "SELECT digest FROM subjects WHERE uscc = :u", soci::use(uscc), soci::into(after);
  db->session() << "SELECT before_digest, after_digest FROM audit_log WHERE action = 'update' AND entity_key = :u",
      soci::use(uscc), soci::into(ab), soci::into(aa);
  CHECK(ab == before);
  CHECK(aa == after);
  CHECK(before != after);
}

TEST_CASE("a key repeated in the file: the later row wins, in file order, in and across chunks", "[import]") {
  auto db = NewDb();
  std::string csv = GenCsv("subjects", 1200);
  std::vector<std::string> lines;
  std::istringstream in(csv);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 1201);
  // Row 10 again with another name, right after it (same chunk of 500) and at the end (a
  // later chunk, where every other key is new); then the original once more.
  std::string row = lines[10];
  std::string uscc = row.substr(0, 18);
  std::string renamed = row;
  renamed.insert(19, "甲");
  std::string renamed2 = row;
  renamed2.insert(19, "乙");
  std::string file = lines[0] + "\n";
  for (std::size_t i = 1; i < lines.size(); ++i) {
    file += lines[i] + "\n";
    if (i == 10) file += renamed + "\n";
  }
  file += renamed2 + "\n";
  ImportSummary s = Import(*db, DirectoryKind::kSubjects, WriteTemp("rep.csv", file));
  CHECK(s.read == 1202);
  CHECK(s.inserted == 1200);
  CHECK(s.updated == 2);
  CHECK(s.unchanged == 0);
  std::string name;
  db->session() << "SELECT name FROM subjects WHERE uscc = :u", soci::use(uscc), soci::into(name);
  CHECK(name.rfind("乙", 0) == 0);
  // The audit records of that key follow the file: insert, update, update.
  soci::rowset<soci::row> rs = (db->session().prepare << "SELECT action FROM audit_log WHERE entity_key = :u ORDER BY seq",
                                soci::use(uscc));
  std::string actions;
  for (const soci::row& r : rs) actions += r.get<std::string>(0) + ";";
  CHECK(actions == "insert;update;update;");
  auto v = VerifyAudit(*db);
  REQUIRE(v.ok());
  CHECK(v->ok);
  CHECK(v->records == 1202);
  // Again: the three rows of that key update it back and forth and end where they were.
  ImportSummary again = Import(*db, DirectoryKind::kSubjects, WriteTemp("rep.csv", file));
  CHECK(again.inserted == 0);
  CHECK(again.updated == 3);
  CHECK(again.unchanged == 1199);
}

TEST_CASE("bad rows go to the rejects file with line, column, value and reason while good rows stay", "[import][hostile]") {
  auto db = NewDb();
  std::string good = GenCsv("subjects", 3);
  std::string body = good.substr(good.find('\n') + 1);
  std::string bad_check = "91110000600037341M,坏校验码公司,enterprise,110101,,2010-01-01,active,A,,\n";
  std::string bad_region = "91110000600037341L,无效区划公司,enterprise,999999,,2010-01-01,active,A,,\n";
  std::string bad_date = "91330225J3Y7LLJY1P,日期错误公司,enterprise,330225,,2010-02-30,active,A,,\n";
  std::string bad_enum = "91330225DD272HD1T8,类型错误公司,company,330225,,2010-01-01,active,A,,\n";
  std::string control = "91330225JRE2T2Y8FA,\"控制\x01字符\",enterprise,330225,,2010-01-01,active,A,,\n";
  std::string huge = "9133022523GD5QA4X2," + std::string(5000, 'x') + ",enterprise,330225,,2010-01-01,active,A,,\n";
  std::string formula = "\"=HYPERLINK(\"\"x\"\")\",公式,enterprise,330225,,2010-01-01,active,A,,\n";
  std::string short_row = "913302256Q94P7CCXC,缺列\n";
  std::string csv = std::string(kSubjectHeader) + body + bad_check + bad_region + bad_date + bad_enum + control + huge +
                    formula + short_row;
  std::string rejects = test::TempDir() + "/rejects.csv";
  ImportSummary s = Import(*db, DirectoryKind::kSubjects, WriteTemp("bad.csv", csv), rejects);
  CHECK(s.read == 11);
  CHECK(s.inserted == 3);
  CHECK(s.rejected == 8);
  CHECK(Count(*db, "SELECT count(*) FROM subjects") == 3);
  std::string r = test::ReadFile(rejects);
  CHECK(r.rfind("\xEF\xBB\xBFline,column,value,reason_zh,reason_en", 0) == 0);
  CHECK_THAT(r, Catch::Contains("5,uscc,91110000600037341M"));   // line 5 = first bad row
  CHECK_THAT(r, Catch::Contains("check character"));
  CHECK_THAT(r, Catch::Contains("6,region,999999"));
  CHECK_THAT(r, Catch::Contains("7,registered_on,2010-02-30"));
  CHECK_THAT(r, Catch::Contains("8,type,company"));
  CHECK_THAT(r, Catch::Contains("control character"));
  CHECK_THAT(r, Catch::Contains("exceeds the limit"));
  CHECK_THAT(r, Catch::Contains("bytes)"));                       // a huge value is cut in the report
  CHECK(r.find(",=HYPERLINK") == std::string::npos);             // formulas are neutralised
  CHECK_THAT(r, Catch::Contains("'=HYPERLINK"));
  CHECK_THAT(r, Catch::Contains("fields, the header has"));
}

TEST_CASE("a malformed CSV record is rejected and the reader goes on", "[import][hostile]") {
  auto db = NewDb();
  std::string good = GenCsv("subjects", 4);
  std::istringstream in(good);
  std::string header, l1, l2, l3, l4;
  std::getline(in, header);
  std::getline(in, l1);
  std::getline(in, l2);
  std::getline(in, l3);
  std::getline(in, l4);
  std::string csv = header + "\n" + l1 + "\n" + "9133022523GD5QA4X2,a\"b,enterprise,330225,,2010-01-01,active,A,,\n" + l2 + "\n";
  ImportSummary s = Import(*db, DirectoryKind::kSubjects, WriteTemp("m.csv", csv));
  CHECK(s.inserted == 2);
  CHECK(s.rejected == 1);
}

TEST_CASE("a file that cannot be processed is an error and writes nothing", "[import][hostile]") {
  auto db = NewDb();
  ImportOptions o;
  o.kind = DirectoryKind::kSubjects;
  SECTION("missing file") {
    o.path = test::TempDir() + "/nope.csv";
    auto s = ImportFile(*db, o);
    CHECK_FALSE(s.ok());
  }
  SECTION("missing required column") {
    o.path = WriteTemp("h.csv", "uscc,name\n91110000600037341L,x\n");
    auto s = ImportFile(*db, o);
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("missing required column") && Catch::Contains("type"));
  }
  SECTION("duplicate column") {
    o.path = WriteTemp("d.csv", "uscc,uscc,name,type,region,registered_on,status\n");
    auto s = ImportFile(*db, o);
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("appears twice"));
  }
  SECTION("empty file") {
    o.path = WriteTemp("e.csv", "");
    CHECK_FALSE(ImportFile(*db, o).ok());
  }
  SECTION("malformed JSON array") {
    o.path = WriteTemp("x.json", "[{\"uscc\": \"91110000600037341L\",");
    auto s = ImportFile(*db, o);
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("malformed JSON"));
  }
  CHECK(Count(*db, "SELECT count(*) FROM subjects") == 0);
}

TEST_CASE("hostile text is stored literally, never executed", "[import][hostile]") {
  auto db = NewDb();
  std::string csv = std::string(kSubjectHeader) +
                    "91110000600037341L,\"x'); DROP TABLE subjects; --\",enterprise,110101,,2010-01-01,active,,,\"多行\n地址, 含\"\"引号\"\"\"\n";
  ImportSummary s = Import(*db, DirectoryKind::kSubjects, WriteTemp("h.csv", csv));
  REQUIRE(s.inserted == 1);
  std::string name, address;
  db->session() << "SELECT name, address FROM subjects", soci::into(name), soci::into(address);
  CHECK(name == "x'); DROP TABLE subjects; --");
  CHECK(address == "多行\n地址, 含\"引号\"");
}

TEST_CASE("GB18030, BOM and CRLF files import like UTF-8", "[import]") {
  auto db = NewDb();
  std::string csv = GenCsv("subjects", 400);
  std::string crlf;
  for (char c : csv) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto gbk = text::Utf8ToGb18030(crlf);
  REQUIRE(gbk.ok());
  ImportSummary g = Import(*db, DirectoryKind::kSubjects, WriteTemp("gb.csv", gbk.value()), "", Encoding::kGb18030);
  CHECK(g.inserted == 400);
  CHECK(g.rejected == 0);
  // The same data as UTF-8 with a BOM is unchanged: the stored text is identical.
  ImportSummary u = Import(*db, DirectoryKind::kSubjects, WriteTemp("u.csv", "\xEF\xBB\xBF" + csv));
  CHECK(u.unchanged == 400);
  CHECK(u.inserted + u.updated == 0);
  // Auto-detection finds GB18030 by itself.
  ImportSummary a = Import(*db, DirectoryKind::kSubjects, WriteTemp("gb2.csv", gbk.value()));
  CHECK(a.unchanged == 400);
  CHECK(a.encoding == "gb18030");
}

TEST_CASE("JSON arrays and JSON Lines import", "[import]") {
  auto db = NewDb();
  std::string arr =
      R"([{"uscc":"91110000600037341L","name":"北京某公司","type":"enterprise","region":"110101","registered_on":"2001-05-06","status":"active","labels":["食品经营","直销"]}])";
  ImportSummary a = Import(*db, DirectoryKind::kSubjects, WriteTemp("a.json", arr));
  CHECK(a.inserted == 1);
  std::string labels;
  db->session() << "SELECT labels FROM subjects", soci::into(labels);
  CHECK(labels == "食品经营;直销");
  std::string lines =
      "{\"uscc\":\"91110000600037341L\",\"name\":\"北京某公司\",\"type\":\"enterprise\",\"region\":\"110101\",\"registered_on\":\"2001-05-06\",\"status\":\"active\",\"labels\":\"食品经营;直销\"}\n"
      "not json\n"
      "{\"uscc\":{\"nested\":1}}\n";
  ImportSummary b = Import(*db, DirectoryKind::kSubjects, WriteTemp("b.jsonl", lines));
  CHECK(b.read == 3);
  CHECK(b.unchanged == 1);
  CHECK(b.rejected == 2);
}

ImportSummary ImportWith(Database& db, DirectoryKind kind, const std::string& path, bool create_departments,
                         const std::string& rejects = "") {
  ImportOptions o;
  o.kind = kind;
  o.path = path;
  o.rejects_path = rejects;
  o.actor = "tester";
  o.chunk_rows = 3;  // several chunks even for small files
  o.create_departments = create_departments;
  auto s = ImportFile(db, o);
  INFO(s.status().message());
  REQUIRE(s.ok());
  return s.value();
}

std::string Text(Database& db, const std::string& sql) {
  std::string v;
  soci::indicator ind;
  db.session() << sql, soci::into(v, ind);
  return ind == soci::i_ok ? v : "<null>";
}

TEST_CASE("inspectors: unknown departments are created on request, id numbers stored masked", "[import]") {
  auto db = NewDb();
  std::string id = "330225198501011234";
  id[17] = ids::ResidentIdCheckChar(id.substr(0, 17));
  std::string csv =
      "id,name,department,unit,office_region,certificate_no,certificate_expires,qualifications,expert,status,id_number\n"
      "SCJG000001,张三,SCJG,象山县市场监督管理局,330225,浙33020012345,2030-12-31,食品安全;特种设备,0,active," + id + "\n"
      "SCJG000002,李四,SCJG,象山县市场监督管理局,330225,浙33020012346,2030-12-31,食品安全,0,active,330225198501011230\n";
  std::string rejects = test::TempDir() + "/r.csv";
  ImportSummary s = ImportWith(*db, DirectoryKind::kInspectors, WriteTemp("i.csv", csv), true, rejects);
  CHECK(s.inserted == 1);
  CHECK(s.rejected == 1);
  REQUIRE(s.departments_created.size() == 1);
  // The audit log says the department was made by the import, with no jurisdiction limit.
  CHECK(Count(*db, "SELECT count(*) FROM audit_log WHERE action = 'department.auto-create' AND entity_key = "
                   "'SCJG: level=province, jurisdiction=unlimited (created by the inspectors import, --create-departments)'") == 1);
  CHECK(s.departments_created[0] == "SCJG");
  std::string masked, jur;
  db->session() << "SELECT id_number_masked FROM inspectors", soci::into(masked);
  CHECK(masked == ids::MaskResidentId(id));
  CHECK(masked.find("19850101") == std::string::npos);
  db->session() << "SELECT jurisdiction FROM departments WHERE code = 'SCJG'", soci::into(jur);
  CHECK(jur.empty());
  // The rejects file never shows a full id number either.
  std::string r = test::ReadFile(rejects);
  CHECK(r.find("330225198501011230") == std::string::npos);
  CHECK_THAT(r, Catch::Contains("id_number"));
}

TEST_CASE("relations must name an existing inspector and subject", "[import]") {
  auto db = NewDb();
  Import(*db, DirectoryKind::kSubjects, WriteTemp("s.csv", GenCsv("subjects", 20, 5)));
  Import(*db, DirectoryKind::kDepartments, WriteTemp("d.csv", GenCsv("departments", 5, 5)));
  Import(*db, DirectoryKind::kInspectors, WriteTemp("i.csv", GenCsv("inspectors", 10, 5)));
  std::string uscc = gen::SubjectUscc(5, "33", 0);
  std::string ins = gen::InspectorId(5, 5, 0);
  std::string csv = "inspector_id,uscc,relation,note\n" + ins + "," + uscc + ",spouse,配偶任职\n" + "NOBODY," + uscc +
                    ",relative,\n" + ins + ",91110000600037341L,shareholding,\n";
  ImportSummary s = Import(*db, DirectoryKind::kRelations, WriteTemp("r.csv", csv));
  CHECK(s.inserted == 1);
  CHECK(s.rejected == 2);
  CHECK(Count(*db, "SELECT count(*) FROM relations") == 1);
}

TEST_CASE("items: ratios become exact ppm, general items must be limited", "[import]") {
  auto db = NewDb();
  Import(*db, DirectoryKind::kDepartments, WriteTemp("d.csv", GenCsv("departments", 5, 5)));
  std::string csv =
      "code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,qualification\n"
      "SCJG-1,企业公示信息的检查,SCJG,《企业信息公示暂行条例》第十四条,general,3,12.5001,1,enterprise;individual,,\n"
      "SCJG-2,食品经营者检查,SCJG,《食品安全法》第一百一十条,key,5,,2,enterprise,食品经营,食品安全\n"
      "SCJG-3,无上限的一般事项,SCJG,某法,general,3,,1,enterprise,,\n"
      "SCJG-4,小数过多,SCJG,某法,general,3,1.00001,1,enterprise,,\n"
      "SCJG-5,最低大于最高,SCJG,某法,general,30,10,1,enterprise,,\n";
  ImportSummary s = Import(*db, DirectoryKind::kItems, WriteTemp("items.csv", csv));
  CHECK(s.inserted == 2);
  CHECK(s.rejected == 3);
  long long mn = 0, mx = 0;
  db->session() << "SELECT ratio_min_ppm, ratio_max_ppm FROM items WHERE code = 'SCJG-1'", soci::into(mn), soci::into(mx);
  CHECK(mn == 30000);
  CHECK(mx == 125001);
}

TEST_CASE("a department that does not exist is a rejected row naming the code", "[import][hostile]") {
  auto db = NewDb();
  Import(*db, DirectoryKind::kDepartments, WriteTemp("d.csv", "code,name,level,jurisdiction\nSCJG,宁波市市场监督管理局,city,3302\n"));
  std::string csv =
      "id,name,department,unit,office_region,certificate_no,certificate_expires,qualifications,expert,status\n"
      "SCJG000001,张三,SCJG,象山县市场监督管理局,330225,浙33020012345,2030-12-31,食品安全,0,active\n"
      "SCJG000002,李四,SCGJ,象山县市场监督管理局,330225,浙33020012346,2030-12-31,食品安全,0,active\n"
      "SCJG000003,王五,SCJG,象山县市场监督管理局,330225,浙33020012347,2030-12-31,食品安全,0,active\n";
  std::string rejects = test::TempDir() + "/r.csv";
  ImportSummary s = ImportWith(*db, DirectoryKind::kInspectors, WriteTemp("i.csv", csv), false, rejects);
  CHECK(s.inserted == 2);
  CHECK(s.rejected == 1);
  CHECK(s.departments_created.empty());
  CHECK(Count(*db, "SELECT count(*) FROM departments") == 1);
  CHECK(Count(*db, "SELECT count(*) FROM departments WHERE code = 'SCGJ'") == 0);
  std::string r = test::ReadFile(rejects);
  CHECK_THAT(r, Catch::Contains("SCGJ") && Catch::Contains("no such department") && Catch::Contains("--create-departments"));
  // Items too, and a whole chunk of unknown departments writes nothing.
  std::string items =
      "code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year\n"
      "X-1,甲,NOPE,某法,key,1,2,1\nX-2,乙,NOPE,某法,key,1,2,1\nX-3,丙,NOPE2,某法,key,1,2,1\n";
  ImportSummary si = ImportWith(*db, DirectoryKind::kItems, WriteTemp("items.csv", items), false);
  CHECK(si.inserted == 0);
  CHECK(si.rejected == 3);
  CHECK(Count(*db, "SELECT count(*) FROM items") == 0);
  CHECK(Count(*db, "SELECT count(*) FROM departments") == 1);
}

TEST_CASE("a partial re-import keeps what the file does not carry, a present empty column clears", "[import]") {
  auto db = NewDb();
  const std::string u1 = gen::SubjectUscc(7, "33", 0), u2 = gen::SubjectUscc(7, "33", 1), u3 = gen::SubjectUscc(7, "33", 2);
  std::string full = "uscc,name,type,region,industry,registered_on,status,risk_class,labels,address\n" +
                     u1 + ",甲公司,enterprise,330225,F5211,2015-03-01,active,B,食品经营,象山县丹东街道1号\n" +
                     u2 + ",乙公司,enterprise,330225,F5211,2016-03-01,active,C,,象山县丹东街道2号\n" +
                     u3 + ",丙公司,enterprise,330225,,2017-03-01,active,,,\n";
  ImportSummary a = ImportWith(*db, DirectoryKind::kSubjects, WriteTemp("full.csv", full), false);
  REQUIRE(a.inserted == 3);
  CHECK(a.not_carried.empty());

  SECTION("CSV without the optional columns: stored values kept, the summary names the columns") {
    std::string part = "uscc,name,type,region,registered_on,status\n" + u1 + ",甲公司（更名）,enterprise,330225,2015-03-01,active\n" +
                       u2 + ",乙公司,enterprise,330225,2016-03-01,active\n";
    ImportSummary b = ImportWith(*db, DirectoryKind::kSubjects, WriteTemp("part.csv", part), false);
    CHECK(b.updated == 1);
    CHECK(b.unchanged == 1);  // same values: the merged row has the stored digest
    CHECK(b.not_carried == std::vector<std::string>{"industry", "risk_class", "labels", "address"});
    CHECK(Text(*db, "SELECT name FROM subjects WHERE uscc = '" + u1 + "'") == "甲公司（更名）");
    CHECK(Text(*db, "SELECT industry FROM subjects WHERE uscc = '" + u1 + "'") == "F5211");
    CHECK(Text(*db, "SELECT risk_class FROM subjects WHERE uscc = '" + u1 + "'") == "B");
    CHECK(Text(*db, "SELECT labels FROM subjects WHERE uscc = '" + u1 + "'") == "食品经营");
    CHECK(Text(*db, "SELECT address FROM subjects WHERE uscc = '" + u1 + "'") == "象山县丹东街道1号");
    // The digest of the merged row is the digest a full import of the same values gives.
    std::string again = "uscc,name,type,region,industry,registered_on,status,risk_class,labels,address\n" + u1 +
                        ",甲公司（更名）,enterprise,330225,F5211,2015-03-01,active,B,食品经营,象山县丹东街道1号\n";
    ImportSummary c = ImportWith(*db, DirectoryKind::kSubjects, WriteTemp("again.csv", again), false);
    CHECK(c.unchanged == 1);
    CHECK(c.updated == 0);
  }
  SECTION("a column present and empty clears the field") {
    std::string clear = "uscc,name,type,region,registered_on,status,risk_class,address\n" + u1 +
                        ",甲公司,enterprise,330225,2015-03-01,active,,\n";
    ImportSummary b = ImportWith(*db, DirectoryKind::kSubjects, WriteTemp("clear.csv", clear), false);
    CHECK(b.updated == 1);
    CHECK(b.not_carried == std::vector<std::string>{"industry", "labels"});
    CHECK(Text(*db, "SELECT risk_class FROM subjects WHERE uscc = '" + u1 + "'") == "<null>");
    CHECK(Text(*db, "SELECT address FROM subjects WHERE uscc = '" + u1 + "'") == "<null>");
    CHECK(Text(*db, "SELECT industry FROM subjects WHERE uscc = '" + u1 + "'") == "F5211");
  }
  SECTION("JSON: a key absent from a record keeps the stored value; null or \"\" clears it") {
    std::string js = "{\"uscc\":\"" + u1 + "\",\"name\":\"甲公司\",\"type\":\"enterprise\",\"region\":\"330225\","
                     "\"registered_on\":\"2015-03-01\",\"status\":\"active\",\"address\":null}\n"
                     "{\"uscc\":\"" + u2 + "\",\"name\":\"乙公司\",\"type\":\"enterprise\",\"region\":\"330225\","
                     "\"registered_on\":\"2016-03-01\",\"status\":\"active\",\"industry\":\"\",\"risk_class\":\"C\","
                     "\"labels\":\"\",\"address\":\"象山县丹东街道2号\"}\n";
    ImportSummary b = ImportWith(*db, DirectoryKind::kSubjects, WriteTemp("part.jsonl", js), false);
    CHECK(b.updated == 2);
    CHECK(b.not_carried == std::vector<std::string>{"industry", "risk_class", "labels"});
    CHECK(Text(*db, "SELECT risk_class FROM subjects WHERE uscc = '" + u1 + "'") == "B");
    CHECK(Text(*db, "SELECT address FROM subjects WHERE uscc = '" + u1 + "'") == "<null>");
    CHECK(Text(*db, "SELECT industry FROM subjects WHERE uscc = '" + u2 + "'") == "<null>");
  }
  SECTION("a new key without the optional columns gets them empty; a key twice merges with its previous row") {
    const std::string u4 = gen::SubjectUscc(7, "33", 3);
    std::string part = "uscc,name,type,region,registered_on,status,risk_class\n" + u4 +
                       ",丁公司,enterprise,330225,2018-03-01,active,A\n" + u4 + ",丁公司（更名）,enterprise,330225,2018-03-01,active,\n" + u4 +
                       ",丁公司（二次更名）,enterprise,330225,2018-03-01,active,D\n";
    ImportSummary b = ImportWith(*db, DirectoryKind::kSubjects, WriteTemp("new.csv", part), false);
    CHECK(b.inserted == 1);
    CHECK(b.updated == 2);
    CHECK(Text(*db, "SELECT name FROM subjects WHERE uscc = '" + u4 + "'") == "丁公司（二次更名）");
    CHECK(Text(*db, "SELECT risk_class FROM subjects WHERE uscc = '" + u4 + "'") == "D");
    CHECK(Text(*db, "SELECT industry FROM subjects WHERE uscc = '" + u4 + "'") == "<null>");
  }
  // The audit chain stays intact through merged updates.
  auto v = VerifyAudit(*db);
  REQUIRE(v.ok());
  CHECK(v->ok);
}

TEST_CASE("partial re-imports of inspectors, items, relations and departments keep the rest", "[import]") {
  auto db = NewDb();
  Import(*db, DirectoryKind::kDepartments,
         WriteTemp("d.csv", "code,name,level,jurisdiction\nSCJG,宁波市市场监督管理局,city,3302\n"));
  Import(*db, DirectoryKind::kDepartments, WriteTemp("d2.csv", "code,name,level\nSCJG,宁波市市场监督管理局（新）,city\n"));
  CHECK(Text(*db, "SELECT jurisdiction FROM departments WHERE code = 'SCJG'") == "3302");
  CHECK(Text(*db, "SELECT name FROM departments WHERE code = 'SCJG'") == "宁波市市场监督管理局（新）");

  Import(*db, DirectoryKind::kInspectors,
         WriteTemp("i.csv", "id,name,department,unit,office_region,certificate_no,certificate_expires,qualifications,expert,status\n"
                            "SCJG000001,张三,SCJG,象山县局,330225,浙001,2030-12-31,食品安全;特种设备,0,active\n"));
  Import(*db, DirectoryKind::kInspectors,
         WriteTemp("i2.csv", "id,name,department,office_region,certificate_no,certificate_expires,expert,status\n"
                             "SCJG000001,张三,SCJG,330225,浙001,2031-12-31,0,active\n"));
  CHECK(Text(*db, "SELECT qualifications FROM inspectors WHERE id = 'SCJG000001'") == "食品安全;特种设备");
  CHECK(Text(*db, "SELECT unit FROM inspectors WHERE id = 'SCJG000001'") == "象山县局");
  CHECK(Text(*db, "SELECT certificate_expires FROM inspectors WHERE id = 'SCJG000001'") == "2031-12-31");

  Import(*db, DirectoryKind::kItems,
         WriteTemp("it.csv", "code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types\n"
                             "SCJG-1,公示信息检查,SCJG,某法,general,3,12.5,1,enterprise\n"));
  // Without the ratio columns the stored ratios stay, and the general item keeps its limit.
  ImportSummary b = Import(*db, DirectoryKind::kItems,
                           WriteTemp("it2.csv", "code,name,department,legal_basis,class,frequency_per_year\n"
                                                "SCJG-1,公示信息检查（修订）,SCJG,某法,general,2\n"
                                                "SCJG-2,新的一般事项,SCJG,某法,general,1\n"));
  CHECK(b.updated == 1);
  CHECK(b.rejected == 1);  // a new general item needs a ratio_max, even when the file has no such column
  CHECK(Count(*db, "SELECT ratio_max_ppm FROM items WHERE code = 'SCJG-1'") == 125000);
  CHECK(Count(*db, "SELECT ratio_min_ppm FROM items WHERE code = 'SCJG-1'") == 30000);
  CHECK(Text(*db, "SELECT target_types FROM items WHERE code = 'SCJG-1'") == "enterprise");
  // A ratio_min above the stored ratio_max is caught after merging.
  ImportSummary c = Import(*db, DirectoryKind::kItems,
                           WriteTemp("it3.csv", "code,name,department,legal_basis,class,ratio_min,frequency_per_year\n"
                                                "SCJG-1,公示信息检查（修订）,SCJG,某法,general,20,2\n"));
  CHECK(c.rejected == 1);
  CHECK(Count(*db, "SELECT ratio_min_ppm FROM items WHERE code = 'SCJG-1'") == 30000);

  Import(*db, DirectoryKind::kSubjects, WriteTemp("s.csv", GenCsv("subjects", 3, 5)));
  const std::string uscc = gen::SubjectUscc(5, "33", 0);
  Import(*db, DirectoryKind::kRelations,
         WriteTemp("r.csv", "inspector_id,uscc,relation,note\nSCJG000001," + uscc + ",spouse,配偶任职\n"));
  ImportSummary r = Import(*db, DirectoryKind::kRelations,
                           WriteTemp("r2.csv", "inspector_id,uscc,relation\nSCJG000001," + uscc + ",spouse\n"));
  CHECK(r.unchanged == 1);
  CHECK(Text(*db, "SELECT note FROM relations WHERE inspector_id = 'SCJG000001'") == "配偶任职");
}
