// The world an integration test starts from: a fresh database on the backend the run uses
// (XINJIAN_TEST_BACKEND, see test_support.h), the plugin host loaded as the product loads
// it, a directory (departments, subjects, inspectors, items, relations) imported through
// the core importer from CSV, and a test clock. Nothing here knows a feature: the draw and
// inspection helpers are in draw_world.h, on top of this file.
//
// Every function that can fail fails the running Catch2 test (REQUIRE) with the message of
// the status it got; none returns an error. The functions are for the test thread only.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "database.h"
#include "directory.h"
#include "plugin_host.h"

namespace xj::test {

// ---------------------------------------------------------------------------------------------
// The plugin host.

// The test process's plugin host: every plugin of the build tree's plugin folder
// (XJ_BINARY_DIR/plugins, where `xinjian` run from the build tree finds them), with "draw",
// "entropy" and "inspection" required, loaded once on first use; a failed load fails the test that first
// asks. Owned by the process and never destroyed (plugins are never unloaded). Callers only
// read it.
const PluginHost& Plugins();

// ---------------------------------------------------------------------------------------------
// The test clock.

// Epoch microseconds of a wall-clock hour in Asia/Shanghai (UTC+8, no DST).
std::int64_t ShanghaiMicros(int year, int month, int day, int hour);

// A fixed instant given the way XINJIAN_NOW gives it (core/src/clock.h): "2026-06-15" is
// 10:00 that day in Asia/Shanghai, "2026-06-15T08:30:00" that Shanghai time,
// "2026-06-15T00:30:00Z" that UTC instant. An empty value means the process clock (what
// the service contexts do with a zero `now_us` and an empty `today`).
struct TestClock {
  std::string now;          // the XINJIAN_NOW value; empty: the process clock
  std::int64_t now_us = 0;  // the instant as UTC epoch microseconds; 0 with an empty `now`
  std::string today;        // the Shanghai date of the instant (YYYY-MM-DD); empty with an empty `now`

  // The environment that gives a child process (RunCli) the same clock: XINJIAN_NOW=now,
  // or nothing for the process clock.
  std::map<std::string, std::string> Env() const;
};

// The clock at `xinjian_now` (see TestClock); fails the test when the value is refused by
// ParseNowOverride. An empty value gives the process clock.
TestClock ClockAt(const std::string& xinjian_now);

// ---------------------------------------------------------------------------------------------
// Directory rows, in the import format of docs/import.md. Each row type prints as one CSV
// line (with its newline); the *Csv functions add the header.

// The departments the tests use, all city level with the jurisdiction 3302 (宁波市):
// SCJG 宁波市市场监督管理局, WJW 宁波市卫生健康委员会, ZJJ 宁波市住房和城乡建设局.
// `certificate_prefix` is what their officers' certificate numbers start with (浙B, 浙W, 浙J).
struct Department {
  std::string code, name, level = "city", jurisdiction = "3302", certificate_prefix;
};
// One of the departments above by code; fails the test for another code.
Department NingboDepartment(const std::string& code);

struct Subject {
  std::string uscc, name;
  std::string type = "enterprise";
  std::string region;
  std::string industry = "F5212";
  std::string registered_on;
  std::string status = "active";
  std::string risk_class;  // A-D, or empty
  std::string labels;      // ";"-separated
  std::string address;
};
// Subject `i` of a hand-made set with the generator's USCC for (`seed`, province 33, i):
// 宁海小池{i}号超市有限公司, an active enterprise (F5212) in 宁海县 (330226) registered on
// 2015-05-01, risk class B, labelled 小池, at 浙江省宁波市宁海县测试路{i+1}号. Suites change
// the fields their data differs in.
Subject TinySubject(std::uint64_t seed, int i);

struct Inspector {
  std::string id, name, department, unit;
  std::string office_region = "330203";
  std::string certificate_no;
  std::string certificate_expires = "2099-12-31";
  std::string qualifications;  // ";"-separated
  bool expert = false;
  std::string status = "active";
  std::string id_number;
};
// Officer number `n` (1-99) of one of the departments above: id "{department}-{n:02}",
// the given name, the department's name as unit, office in 330203, certificate
// "{prefix}{n:05}" valid until 2099-12-31, the given qualifications (";"-separated), not an
// expert, active.
Inspector Officer(const std::string& department, int n, const std::string& name, const std::string& qualifications);

struct Relation {
  std::string inspector_id, uscc, relation, note;
};

extern const char* const kDepartmentsHeader;
extern const char* const kSubjectsHeader;
extern const char* const kInspectorsHeader;
extern const char* const kItemsHeader;
extern const char* const kRelationsHeader;

std::string Row(const Department& d);
std::string Row(const Subject& s);
std::string Row(const Inspector& i);
std::string Row(const Relation& r);
std::string DepartmentsCsv(const std::vector<Department>& rows);
std::string SubjectsCsv(const std::vector<Subject>& rows);
std::string InspectorsCsv(const std::vector<Inspector>& rows);
// `lines` are item rows without the header, each ending in a newline.
std::string ItemsCsv(const std::vector<std::string>& lines);
std::string RelationsCsv(const std::vector<Relation>& rows);

// ---------------------------------------------------------------------------------------------
// The world.

// What a world holds, imported in this order: departments, subjects (the generator's first,
// when `generated_subjects` > 0, then `subjects`), inspectors, items, relations. An empty
// list imports nothing of that kind. Two worlds made from equal options hold equal data.
struct WorldOptions {
  std::vector<Department> departments;
  std::uint64_t generated_subjects = 0;  // gen::WriteCsv("subjects") with this count…
  std::uint64_t generated_seed = 1;      // …and this seed (province 33)
  std::vector<Subject> subjects;
  std::vector<Inspector> inspectors;
  std::vector<std::string> items;  // item rows without the header (see ItemsCsv)
  std::vector<Relation> relations;
  std::string now;  // the clock (TestClock); empty: the process clock
};

// A database and what was imported into it. Owns the database; not copyable or movable
// (feature contexts built on it point into it).
struct World {
  World() = default;
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  virtual ~World() = default;

  std::string url;                   // the database URL, for RunCli("--db", url)
  std::unique_ptr<Database> db;      // open on `url`
  const PluginHost* host = nullptr;  // Plugins()
  TestClock clock;
  // The hand-made subjects a suite singles out (its own data; OpenWorld leaves it empty).
  std::vector<std::string> tiny;
};

// Opens a fresh database of the current backend into `w` (FreshDatabaseUrl) with the
// migrations of the core and of every plugin of the host (as `xinjian init` makes it), sets
// its host and clock, and imports `options`' directory. Fails the test on any error or rejected row.
// Call it once per World, on the test thread.
void OpenWorld(World& w, const WorldOptions& options);

// ---------------------------------------------------------------------------------------------
// Import and files.

// Writes `data` to a file named `name` in a new temporary folder; returns its path.
std::string WriteTemp(const std::string& name, const std::string& data);

// Imports one directory file through the core importer (ImportFile, actor "tester"); fails
// the test unless the import succeeds and rejects no row (the reasons are in the message).
void Import(Database& db, DirectoryKind kind, const std::string& csv);

// ---------------------------------------------------------------------------------------------
// Queries. `sql` is run as given; a `key` is bound to its one placeholder (":k" style).

// The single integer a COUNT query returns.
// The USCC the generator (`xinjian gen`) gives subject `i` of `seed` in `province`.
std::string GeneratedUscc(std::uint64_t seed, const std::string& province, std::uint64_t i);
// The audit chain of `db` verifies (fails the test when it cannot be read).
bool AuditChainVerifies(Database& db);
long long Count(Database& db, const std::string& sql);
long long CountFor(Database& db, const std::string& sql, const std::string& key);

// Rows of a query as strings (text columns only; NULL as ""), without or with one key.
std::vector<std::vector<std::string>> Rows(Database& db, const std::string& sql);
std::vector<std::vector<std::string>> Rows(Database& db, const std::string& sql, const std::string& key);

// Audit records with this action and entity key.
long long AuditCount(Database& db, const std::string& action, const std::string& key);

// The outbox: every event in order, the number of one topic, and the parsed payloads of one
// topic for one entity key in order.
struct StoredEvent {
  std::string topic, key, payload;
};
std::vector<StoredEvent> Events(Database& db);
long long EventCount(Database& db, const std::string& topic);
std::vector<nlohmann::json> EventPayloads(Database& db, const std::string& key, const std::string& topic);

}  // namespace xj::test
