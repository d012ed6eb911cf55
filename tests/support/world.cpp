#include "world.h"

#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "clock.h"
#include "generator.h"
#include "importer.h"
#include "journal.h"
#include "plugin_migrations.h"
#include "scan.h"
#include "test_support.h"

namespace xj::test {

const PluginHost& Plugins() {
  static PluginHost* host = [] {
    auto* h = new PluginHost(HostOptions{{XJ_BINARY_DIR "/plugins"}, {"draw", "entropy", "inspection"}, {}});
    // A failure is not cached: the next caller loads again and fails the same way (the
    // failed host is kept, like every host: plugins are never unloaded).
    Status s = h->LoadAll();
    INFO("plugins of the build tree: " << s.message());
    REQUIRE(s.ok());
    return h;
  }();
  return *host;
}

// ---------------------------------------------------------------------------------------------

std::int64_t ShanghaiMicros(int year, int month, int day, int hour) {
  std::tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  return (static_cast<std::int64_t>(timegm(&t)) - 8 * 3600) * 1000000;
}

std::map<std::string, std::string> TestClock::Env() const {
  if (now.empty()) return {};
  return {{kNowEnvVar, now}};
}

TestClock ClockAt(const std::string& xinjian_now) {
  TestClock c;
  if (xinjian_now.empty()) return c;
  auto us = ParseNowOverride(xinjian_now);
  INFO(xinjian_now << ": " << us.status().message());
  REQUIRE(us.ok());
  c.now = xinjian_now;
  c.now_us = us.value();
  const std::time_t shanghai = static_cast<std::time_t>(c.now_us / 1000000 + 8 * 3600);
  std::tm t{};
  gmtime_r(&shanghai, &t);
  char date[48];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
  c.today = date;
  return c;
}

// ---------------------------------------------------------------------------------------------

Department NingboDepartment(const std::string& code) {
  static const std::vector<Department> kAll{
      {"SCJG", "宁波市市场监督管理局", "city", "3302", "浙B"},
      {"WJW", "宁波市卫生健康委员会", "city", "3302", "浙W"},
      {"ZJJ", "宁波市住房和城乡建设局", "city", "3302", "浙J"},
  };
  for (const auto& d : kAll)
    if (d.code == code) return d;
  FAIL("no test department " << code);
  return {};
}

Subject TinySubject(std::uint64_t seed, int i) {
  Subject s;
  s.uscc = gen::SubjectUscc(seed, "33", static_cast<std::uint64_t>(i));
  s.name = "宁海小池" + std::to_string(i) + "号超市有限公司";
  s.region = "330226";
  s.registered_on = "2015-05-01";
  s.risk_class = "B";
  s.labels = "小池";
  s.address = "浙江省宁波市宁海县测试路" + std::to_string(i + 1) + "号";
  return s;
}

Inspector Officer(const std::string& department, int n, const std::string& name, const std::string& qualifications) {
  const Department d = NingboDepartment(department);
  char id[16], certificate[16];
  std::snprintf(id, sizeof id, "-%02d", n);
  std::snprintf(certificate, sizeof certificate, "%05d", n);
  Inspector i;
  i.id = department + id;
  i.name = name;
  i.department = department;
  i.unit = d.name;
  i.certificate_no = d.certificate_prefix + certificate;
  i.qualifications = qualifications;
  return i;
}

const char* const kDepartmentsHeader = "code,name,level,jurisdiction\n";
const char* const kSubjectsHeader = "uscc,name,type,region,industry,registered_on,status,risk_class,labels,address\n";
const char* const kInspectorsHeader =
    "id,name,department,unit,office_region,certificate_no,certificate_expires,qualifications,expert,status,"
    "id_number\n";
const char* const kItemsHeader =
    "code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,"
    "qualification\n";
const char* const kRelationsHeader = "inspector_id,uscc,relation,note\n";

namespace {
std::string Line(const std::vector<std::string>& fields) {
  std::string s;
  for (std::size_t i = 0; i < fields.size(); ++i) s += (i ? "," : "") + fields[i];
  return s + "\n";
}

template <typename T>
std::string Csv(const char* header, const std::vector<T>& rows) {
  std::string s = header;
  for (const auto& r : rows) s += Row(r);
  return s;
}
}  // namespace

std::string Row(const Department& d) { return Line({d.code, d.name, d.level, d.jurisdiction}); }
std::string Row(const Subject& s) {
  return Line(
      {s.uscc, s.name, s.type, s.region, s.industry, s.registered_on, s.status, s.risk_class, s.labels, s.address});
}
std::string Row(const Inspector& i) {
  return Line({i.id, i.name, i.department, i.unit, i.office_region, i.certificate_no, i.certificate_expires,
               i.qualifications, i.expert ? "1" : "0", i.status, i.id_number});
}
std::string Row(const Relation& r) { return Line({r.inspector_id, r.uscc, r.relation, r.note}); }

std::string DepartmentsCsv(const std::vector<Department>& rows) { return Csv(kDepartmentsHeader, rows); }
std::string SubjectsCsv(const std::vector<Subject>& rows) { return Csv(kSubjectsHeader, rows); }
std::string InspectorsCsv(const std::vector<Inspector>& rows) { return Csv(kInspectorsHeader, rows); }
std::string RelationsCsv(const std::vector<Relation>& rows) { return Csv(kRelationsHeader, rows); }
std::string ItemsCsv(const std::vector<std::string>& lines) {
  std::string s = kItemsHeader;
  for (const auto& l : lines) s += l;
  return s;
}

// ---------------------------------------------------------------------------------------------

void OpenWorld(World& w, const WorldOptions& o) {
  w.url = FreshDatabaseUrl();
  auto db = Database::Open(w.url);
  INFO(db.status().message());
  REQUIRE(db.ok());
  w.db = std::move(db).value();
  w.host = &Plugins();
  // The plugins' tables (the draw's tasks, the inspection's visits…), as `xinjian init` makes them.
  auto migrations = w.host->Migrations(w.db->dialect());
  INFO(migrations.status().message());
  REQUIRE(migrations.ok());
  auto applied = ApplyPluginMigrations(*w.db, migrations.value());
  INFO(applied.status().message());
  REQUIRE(applied.ok());
  w.clock = ClockAt(o.now);
  Database& d = *w.db;
  if (!o.departments.empty()) Import(d, DirectoryKind::kDepartments, DepartmentsCsv(o.departments));
  if (o.generated_subjects > 0 || !o.subjects.empty()) {
    std::string csv = kSubjectsHeader;
    if (o.generated_subjects > 0) {
      gen::Options g;
      g.count = o.generated_subjects;
      g.seed = o.generated_seed;
      std::ostringstream generated;
      REQUIRE(gen::WriteCsv("subjects", g, generated).ok());
      csv = generated.str();
    }
    for (const auto& s : o.subjects) csv += Row(s);
    Import(d, DirectoryKind::kSubjects, csv);
  }
  if (!o.inspectors.empty()) Import(d, DirectoryKind::kInspectors, InspectorsCsv(o.inspectors));
  if (!o.items.empty()) Import(d, DirectoryKind::kItems, ItemsCsv(o.items));
  if (!o.relations.empty()) Import(d, DirectoryKind::kRelations, RelationsCsv(o.relations));
}

// ---------------------------------------------------------------------------------------------

std::string WriteTemp(const std::string& name, const std::string& data) {
  std::string p = TempDir() + "/" + name;
  WriteFile(p, data);
  return p;
}

void Import(Database& db, DirectoryKind kind, const std::string& csv) {
  ImportOptions o;
  o.kind = kind;
  o.path = WriteTemp("import.csv", csv);
  o.actor = "tester";
  auto s = ImportFile(db, o);
  INFO(s.status().message());
  REQUIRE(s.ok());
  std::string why;
  for (const auto& r : s->sample_rejects) why += r + "\n";
  INFO(why);
  REQUIRE(s->rejected == 0);
}

// ---------------------------------------------------------------------------------------------

std::string GeneratedUscc(std::uint64_t seed, const std::string& province, std::uint64_t i) {
  return gen::SubjectUscc(seed, province, i);
}

bool AuditChainVerifies(Database& db) {
  auto verified = VerifyAudit(db);
  INFO(verified.status().message());
  REQUIRE(verified.ok());
  return verified->ok;
}

long long Count(Database& db, const std::string& sql) {
  long long n = 0;
  db.session() << sql, soci::into(n);
  return n;
}

long long CountFor(Database& db, const std::string& sql, const std::string& key) {
  long long n = 0;
  std::string k = key;
  db.session() << sql, soci::use(k), soci::into(n);
  return n;
}

namespace {
void ReadRows(soci::rowset<soci::row>& rs, std::vector<std::vector<std::string>>& out) {
  for (const soci::row& r : rs) {
    std::vector<std::string> v;
    for (std::size_t i = 0; i < r.size(); ++i)
      v.push_back(r.get_indicator(i) == soci::i_null ? "" : r.get<std::string>(i));
    out.push_back(std::move(v));
  }
}
}  // namespace

std::vector<std::vector<std::string>> Rows(Database& db, const std::string& sql) {
  std::vector<std::vector<std::string>> out;
  soci::rowset<soci::row> rs = (db.session().prepare << sql);
  ReadRows(rs, out);
  return out;
}

std::vector<std::vector<std::string>> Rows(Database& db, const std::string& sql, const std::string& key) {
  std::vector<std::vector<std::string>> out;
  std::string k = key;
  soci::rowset<soci::row> rs = (db.session().prepare << sql, soci::use(k));
  ReadRows(rs, out);
  return out;
}

long long AuditCount(Database& db, const std::string& action, const std::string& key) {
  long long n = 0;
  REQUIRE(ScanRows(db, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_key = ?", {action, key},
                   [&](const ScanRow& r) {
                     n = std::stoll(std::string(r.values[0]));
                     return false;
                   })
              .ok());
  return n;
}

std::vector<StoredEvent> Events(Database& db) {
  std::vector<StoredEvent> out;
  for (const auto& r : Rows(db, "SELECT topic, entity_key, payload FROM events ORDER BY id"))
    out.push_back({r[0], r[1], r[2]});
  return out;
}

long long EventCount(Database& db, const std::string& topic) {
  return CountFor(db, "SELECT COUNT(*) FROM events WHERE topic = :t", topic);
}

std::vector<nlohmann::json> EventPayloads(Database& db, const std::string& key, const std::string& topic) {
  std::vector<nlohmann::json> out;
  std::string k = key, t = topic;
  soci::rowset<std::string> rs =
      (db.session().prepare << "SELECT payload FROM events WHERE entity_key = :k AND topic = :t ORDER BY id",
       soci::use(k), soci::use(t));
  for (const auto& p : rs) out.push_back(nlohmann::json::parse(p));
  return out;
}

}  // namespace xj::test
