// The lists plugin on a real database (SQLite file or PostgreSQL server, as the run says),
// through its commands run in this process as the CLI runs them (as named supervisors, so that
// the four-eyes rule can be exercised), its writing subscriber and jobs as the loaded plugin
// uses them, and its routes through a fake HTTP context: every shipped list type from entry to
// each of its exits, the directory's listings column and the draws that read it, the rules
// (inspection findings, the 1 July annual-report rule), permissions and the order of the steps,
// hostile input, a randomized history checked against the invariant after every step, and the
// public API, pages and feed, which never show a proposal or a natural person.
//
// The plugin's library (xj_lists) is linked for its reads (Listings::Load, ListingOfRow) and
// the invariant (InvariantProblem); every write goes through the loaded plugin's commands.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fake_http.h"
#include "lifecycle.h"
#include "listings.h"
#include "task_world.h"
#include "test_support.h"
#include "xinjian/opendata.h"
#include "xinjian/text.h"

using namespace xj;
using namespace xj::test;
using nlohmann::json;
namespace L = xj::lists;

namespace {

using Args = std::map<std::string, std::vector<std::string>>;

// ---------------------------------------------------------------------------------------------
// The world: two departments, 13 subjects of every directory type, four SCJG officers, one item.

constexpr std::uint64_t kSeed = 4242;
constexpr int kSubjects = 13;
const char* const kScriptName = "<script>alert(1)</script>测试&公司";

std::string U(int i) { return TinySubject(kSeed, i).uscc; }

// 0-5 enterprises, 6 an individual business, 7-8 intermediaries, 9 a social organisation,
// 10 a public institution, 11 an enterprise with a hostile name, 12 a revoked enterprise.
Subject ListSubject(int i) {
  Subject s = TinySubject(kSeed, i);
  s.name = "宁海名单" + std::to_string(i) + "号商贸有限公司";
  if (i == 6) {
    s.type = "individual";
    s.name = "宁海名单6号个体商户";
  }
  if (i == 7 || i == 8) {
    s.type = "intermediary";
    s.name = "宁海名单" + std::to_string(i) + "号评估咨询有限公司";
  }
  if (i == 9) {
    s.type = "social_org";
    s.name = "宁海名单9号行业协会";
  }
  if (i == 10) {
    s.type = "public_institution";
    s.name = "宁海名单10号检测中心";
  }
  if (i == 11) s.name = kScriptName;
  if (i == 12) s.status = "revoked";
  return s;
}

std::unique_ptr<TaskWorld> MakeListsWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"), NingboDepartment("WJW")};
  for (int i = 0; i < kSubjects; ++i) o.subjects.push_back(ListSubject(i));
  for (int i = 1; i <= 4; ++i) o.inspectors.push_back(Officer("SCJG", i, "市监检查员" + std::to_string(i), ""));
  o.items = {"CR-FOOD,食品经营者的检查,SCJG,《食品安全法》第一百一十条,key,,,1,,,\n"};
  o.now = "2026-06-15T10:00:00";  // a Monday
  return MakeTaskWorld(o);
}

// ---------------------------------------------------------------------------------------------
// Who acts: three SCJG supervisors (proposer, reviewer, decider), two of WJW, admins.

Principal User(const std::string& id, const std::string& department) {
  Principal p = ViewerOf(department);
  p.id = id;
  return p;
}
Principal Alice() { return User("alice", "SCJG"); }
Principal Bob() { return User("bob", "SCJG"); }
Principal Carol() { return User("carol", "SCJG"); }
Principal Dave() { return User("dave", "WJW"); }
Principal Erin() { return User("erin", "WJW"); }
Principal Admin(const std::string& id = "ops") {
  Principal p;
  p.id = id;
  p.roles = {kRoleAdmin};
  return p;
}

CommandRun As(TaskWorld& w, const Principal& who, const std::string& path, Args args) {
  return RunPluginCommandAs(w, who, path, std::move(args), true);
}

json OkAs(TaskWorld& w, const Principal& who, const std::string& path, Args args) {
  CommandRun r = As(w, who, path, std::move(args));
  INFO(path << " as " << who.id << ": " << r.status.message() << "\n" << r.err << r.out.substr(0, 2000));
  REQUIRE(r.status.ok());
  REQUIRE(r.exit_code == 0);
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

void SetToday(TaskWorld& w, const std::string& date) {
  auto d = CivilDate::Parse(date);
  REQUIRE(d.ok());
  w.platform.SetNow(ShanghaiMicros(d.value().year(), d.value().month(), d.value().day(), 10));
}

CivilDate Date(const std::string& text) {
  auto d = CivilDate::Parse(text);
  REQUIRE(d.ok());
  return d.value();
}

int decision_counter = 0;
std::string NextDecisionNo() { return "甬市监信列〔2026〕" + std::to_string(++decision_counter) + "号"; }

std::string Propose(TaskWorld& w, const std::string& list, const std::string& uscc, const std::string& ground,
                    const Principal& who = Alice(),
                    const std::string& reason = "受到较重行政处罚 / a heavy penalty (甬市监罚〔2026〕1号)") {
  json j = OkAs(w, who, "lists propose",
                {{"--list", {list}},
                 {"--uscc", {uscc}},
                 {"--ground", {ground}},
                 {"--reason", {reason}},
                 {"--evidence", {"document:甬市监罚〔2026〕1号", "record:penalty/甬市监罚〔2026〕1号"}}});
  CHECK(j["state"] == "proposed");
  CHECK(j["proposed_by"] == who.id);
  return j["id"].get<std::string>();
}

json Review(TaskWorld& w, const std::string& id, const Principal& who = Bob()) {
  json j = OkAs(w, who, "lists review", {{"id", {id}}, {"--approve", {}}, {"--note", {"材料齐全 / complete"}}});
  CHECK(j["state"] == "reviewed");
  return j;
}

json Decide(TaskWorld& w, const std::string& id, const std::string& ends = "", const Principal& who = Carol()) {
  Args a{{"id", {id}}, {"--approve", {}}, {"--decision-no", {NextDecisionNo()}}};
  if (!ends.empty()) a["--ends"] = {ends};
  json j = OkAs(w, who, "lists decide", a);
  CHECK(j["state"] == "in_force");
  return j;
}

// Proposed by Alice, reviewed by Bob, decided by Carol: in force today.
std::string InForce(TaskWorld& w, const std::string& list, const std::string& uscc, const std::string& ground,
                    const std::string& ends = "") {
  const std::string id = Propose(w, list, uscc, ground);
  Review(w, id);
  Decide(w, id, ends);
  return id;
}

json End(TaskWorld& w, const std::string& id, const std::string& exit, const Principal& who = Carol(),
         const std::string& on = "") {
  Args a{{"id", {id}}, {"--exit", {exit}}, {"--note", {"移出 / ended: " + exit}}};
  if (!on.empty()) a["--on"] = {on};
  json j = OkAs(w, who, "lists end", a);
  CHECK(j["state"] == "ended");
  CHECK(j["end_reason"] == exit);
  return j;
}

// The daily rules for `on` ("" for today), run on that day: the clock moves to it first (the
// rules never run for a day still to come), so the tests go forward in time.
json Run(TaskWorld& w, const std::string& on = "") {
  Args a;
  if (!on.empty()) {
    SetToday(w, on);
    a["--on"] = {on};
  }
  return OkAs(w, Admin(), "lists run", a);
}

// ---------------------------------------------------------------------------------------------
// Reads.

L::Listing Get(TaskWorld& w, const std::string& id) {
  auto r = ReadValue<std::optional<L::Listing>>(w.platform, [&](Sql& sql) { return L::Listings::Load(sql, id); });
  INFO(id << ": " << r.status().message());
  REQUIRE(r.ok());
  REQUIRE(r.value().has_value());
  return *r.value();
}

std::vector<L::Listing> All(TaskWorld& w) {
  std::vector<L::Listing> out;
  Status st = w.platform.Read([&](Sql& sql) {
    return sql.Query(std::string("SELECT ") + L::kListingColumns + " FROM lists_listings ORDER BY id", {},
                     [&](const SqlRow& r) {
                       out.push_back(L::ListingOfRow(r));
                       return true;
                     });
  });
  INFO(st.message());
  REQUIRE(st.ok());
  return out;
}

std::vector<L::Listing> AllOf(TaskWorld& w, const std::string& list) {
  std::vector<L::Listing> out;
  for (auto& l : All(w))
    if (l.list == list) out.push_back(l);
  return out;
}

std::string ListingsOf(TaskWorld& w, const std::string& uscc) {
  auto r = Rows(*w.db, "SELECT listings FROM subjects WHERE uscc = :k", uscc);
  REQUIRE(r.size() == 1);
  return r[0][0];
}

long long Transitions(TaskWorld& w) { return Count(*w.db, "SELECT COUNT(*) FROM lists_transitions"); }

// The trail of a listing: its transitions in order, each with exactly one audit record
// "lists.listing.<action>" and one event of that topic, in the same order. Returns the actions.
std::vector<std::string> Trail(TaskWorld& w, const std::string& id) {
  std::vector<std::string> t, a, e, want;
  for (auto& r : Rows(*w.db, "SELECT action FROM lists_transitions WHERE listing_id = :k ORDER BY seq", id))
    t.push_back(r[0]);
  for (auto& r :
       Rows(*w.db, "SELECT action FROM audit_log WHERE entity = 'listing' AND entity_key = :k ORDER BY seq", id))
    a.push_back(r[0]);
  for (auto& r :
       Rows(*w.db, "SELECT topic FROM events WHERE entity_key = :k AND topic LIKE 'lists.listing.%' ORDER BY id", id))
    e.push_back(r[0]);
  for (const auto& x : t) want.push_back("lists.listing." + x);
  INFO("the trail of listing " << id);
  CHECK(a == want);
  CHECK(e == want);
  return t;
}

std::vector<std::string> Actors(TaskWorld& w, const std::string& id) {
  std::vector<std::string> out;
  for (auto& r : Rows(*w.db, "SELECT actor FROM lists_transitions WHERE listing_id = :k ORDER BY seq", id))
    out.push_back(r[0]);
  return out;
}

// Nothing is ever deleted: every listing seen before is still there, with at least the
// transitions it had; the audit log and the outbox only grow.
class Ledger {
 public:
  void Check(TaskWorld& w) {
    std::map<std::string, long long> now;
    for (auto& r : Rows(*w.db,
                        "SELECT l.id, CAST(COUNT(t.seq) AS TEXT) FROM lists_listings l LEFT JOIN lists_transitions t "
                        "ON t.listing_id = l.id GROUP BY l.id"))
      now[r[0]] = std::stoll(r[1]);
    for (const auto& [id, n] : seen_) {
      INFO("listing " << id << " with " << n << " transitions before");
      REQUIRE(now.count(id) == 1);
      CHECK(now[id] >= n);
    }
    seen_ = now;
    const long long audit = Count(*w.db, "SELECT COUNT(*) FROM audit_log");
    const long long events = Count(*w.db, "SELECT COUNT(*) FROM events");
    CHECK(audit >= audit_);
    CHECK(events >= events_);
    audit_ = audit;
    events_ = events;
  }

 private:
  std::map<std::string, long long> seen_;
  long long audit_ = 0, events_ = 0;
};

// Everything a refused command must leave as it was.
struct Snapshot {
  std::vector<std::string> listings;
  std::vector<std::vector<std::string>> subjects;
  long long transitions = 0, audit = 0, events = 0, reports = 0, counters = 0;
  bool operator==(const Snapshot&) const = default;
};

Snapshot Snap(TaskWorld& w) {
  Snapshot s;
  for (const auto& l : All(w)) s.listings.push_back(L::ListingJson(l, nullptr, true));
  s.subjects = Rows(*w.db, "SELECT uscc, listings FROM subjects ORDER BY uscc");
  s.transitions = Transitions(w);
  s.audit = Count(*w.db, "SELECT COUNT(*) FROM audit_log");
  s.events = Count(*w.db, "SELECT COUNT(*) FROM events");
  s.reports = Count(*w.db, "SELECT COUNT(*) FROM lists_annual_reports");
  s.counters = Count(*w.db, "SELECT COUNT(*) FROM lists_counters");
  return s;
}

// A command that must be refused (not OK, non-zero exit) with `code` (kOk: any) and a message
// containing `needle`, changing nothing.
void Refused(TaskWorld& w, const Principal& who, const std::string& path, Args args, StatusCode code,
             const std::string& needle) {
  const Snapshot before = Snap(w);
  CommandRun r = As(w, who, path, std::move(args));
  INFO(path << " as " << who.id << " → " << r.status.message() << "\n" << r.err << r.out.substr(0, 120));
  CHECK_FALSE(r.status.ok());
  CHECK(r.exit_code != 0);
  if (code != StatusCode::kOk) CHECK(r.status.code() == code);
  CHECK_THAT(r.status.message(), Catch::Contains(needle));
  CHECK((Snap(w) == before));
}

// A command line the command itself finds wrong (Usage: the CLI exits 2; RunCommandInProcess
// reports every failed command as exit 1, so the status is what is checked): refused as an
// invalid argument, changing nothing.
void UsageError(TaskWorld& w, const Principal& who, const std::string& path, Args args) {
  Refused(w, who, path, std::move(args), StatusCode::kInvalidArgument, "");
}

// ---------------------------------------------------------------------------------------------
// Files.

const char* const kCourtHeader = "uscc,name,subject_type,case_no,court,listed_on,removed_on\n";

std::string CourtRow(const std::string& uscc, const std::string& name, const std::string& type,
                     const std::string& case_no, const std::string& listed_on, const std::string& removed_on = "") {
  return uscc + "," + name + "," + type + "," + case_no + ",宁海县人民法院," + listed_on + "," + removed_on + "\n";
}

CommandRun ImportCourt(TaskWorld& w, const std::string& csv, const Principal& who = Alice()) {
  static int n = 0;
  return As(w, who, "lists import court", {{"file", {WriteTemp("court-" + std::to_string(++n) + ".csv", csv)}}});
}

json ImportCourtOk(TaskWorld& w, const std::string& csv, int exit_code = 0) {
  CommandRun r = ImportCourt(w, csv);
  INFO(r.status.message() << "\n" << r.err << r.out);
  REQUIRE(r.status.ok());
  CHECK(r.exit_code == exit_code);
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

// A file the size of `bytes` without writing them (a sparse file), starting with `head`.
std::string SparseFile(const std::string& name, const std::string& head, std::uintmax_t bytes) {
  const std::string path = WriteTemp(name, head);
  std::filesystem::resize_file(path, bytes);
  return path;
}

// ---------------------------------------------------------------------------------------------
// Routes, sections and jobs of the loaded plugin.

const RegisteredRoute& RouteOf(const std::string& pattern) {
  for (const auto& r : DrawHost().routes())
    if (r.plugin == "lists" && r.spec.pattern == pattern) return r;
  FAIL("no route " << pattern);
  throw std::logic_error("unreachable");
}

struct Got {
  Status status;
  HttpResponse response;
  json Json() const {
    json j = json::parse(response.body, nullptr, false);
    INFO(response.body.substr(0, 500));
    REQUIRE_FALSE(j.is_discarded());
    return j;
  }
};

Got Get(TaskWorld& w, const Principal& who, const std::string& pattern, std::map<std::string, std::string> params = {},
        std::multimap<std::string, std::string> query = {}) {
  HttpRequest req;
  req.path = pattern;
  req.path_params = std::move(params);
  req.query = std::move(query);
  FakeHttp http(w.platform, who, req);
  Got g;
  g.status = RouteOf(pattern).fn(http);
  g.response = http.response();
  return g;
}

std::string SubjectSection(TaskWorld& w, const std::string& uscc) {
  for (const RegisteredSection* s : DrawHost().sections("subject"))
    if (s->plugin == "lists") {
      FakeHttp http(w.platform, Public(), std::map<std::string, std::string>{});
      auto r = s->fn(http, uscc);
      INFO(r.status().message());
      REQUIRE(r.ok());
      return r.value();
    }
  FAIL("the lists plugin has no section on the subject page");
  return "";
}

// A small well-formedness check of an XML document: the declaration first, one root element,
// start and end tags nested and matched, attribute values quoted without '<', '&' only as one
// of the five entities or a character reference, no text outside the root, no control
// characters but tab and line ends, valid UTF-8. "" when it holds, else the first problem.
std::string XmlProblem(const std::string& x) {
  if (!utf8::IsValid(x)) return "not UTF-8";
  if (x.rfind("<?xml", 0) != 0) return "no XML declaration first";
  std::size_t i = x.find("?>");
  if (i == std::string::npos) return "unterminated declaration";
  i += 2;
  auto name_char = [](char c) {
    const unsigned char u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == ':' || c == '_' || c == '-' || c == '.' || u >= 0x80;
  };
  auto entity_at = [&](std::size_t at) -> std::size_t {  // the length of a reference at `at`, 0 if none
    const std::size_t semi = x.find(';', at);
    if (semi == std::string::npos || semi - at > 12) return 0;
    const std::string e = x.substr(at + 1, semi - at - 1);
    if (e == "amp" || e == "lt" || e == "gt" || e == "quot" || e == "apos") return semi - at + 1;
    if (e.size() >= 2 && e[0] == '#') {
      const bool hex = e[1] == 'x';
      const std::string digits = e.substr(hex ? 2 : 1);
      if (digits.empty()) return 0;
      for (char c : digits)
        if (!(hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c))))
          return 0;
      return semi - at + 1;
    }
    return 0;
  };
  std::vector<std::string> stack;
  int roots = 0;
  while (i < x.size()) {
    const char c = x[i];
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') return "a control character at " + std::to_string(i);
    if (c == '<') {
      if (x.compare(i, 2, "</") == 0) {
        const std::size_t e = x.find('>', i);
        if (e == std::string::npos) return "unterminated end tag at " + std::to_string(i);
        std::string name = x.substr(i + 2, e - i - 2);
        while (!name.empty() && name.back() == ' ') name.pop_back();
        if (stack.empty() || stack.back() != name) return "mismatched </" + name + "> at " + std::to_string(i);
        stack.pop_back();
        i = e + 1;
        continue;
      }
      if (x.compare(i, 4, "<!--") == 0) {
        const std::size_t e = x.find("-->", i);
        if (e == std::string::npos) return "unterminated comment";
        i = e + 3;
        continue;
      }
      if (x.compare(i, 2, "<?") == 0 || x.compare(i, 2, "<!") == 0) return "unexpected markup at " + std::to_string(i);
      std::size_t j = i + 1;
      while (j < x.size() && name_char(x[j])) ++j;
      const std::string name = x.substr(i + 1, j - i - 1);
      if (name.empty()) return "a '<' that starts no tag at " + std::to_string(i);
      if (stack.empty() && ++roots > 1) return "a second root element <" + name + ">";
      bool closed = false;
      while (true) {
        while (j < x.size() && (x[j] == ' ' || x[j] == '\n' || x[j] == '\t' || x[j] == '\r')) ++j;
        if (j >= x.size()) return "unterminated tag <" + name + ">";
        if (x[j] == '>') {
          ++j;
          break;
        }
        if (x.compare(j, 2, "/>") == 0) {
          j += 2;
          closed = true;
          break;
        }
        const std::size_t a = j;
        while (j < x.size() && name_char(x[j])) ++j;
        if (j == a || j >= x.size() || x[j] != '=') return "a bad attribute in <" + name + ">";
        ++j;
        if (j >= x.size() || (x[j] != '"' && x[j] != '\'')) return "an unquoted attribute in <" + name + ">";
        const char q = x[j];
        const std::size_t end = x.find(q, j + 1);
        if (end == std::string::npos) return "an unterminated attribute in <" + name + ">";
        for (std::size_t k = j + 1; k < end; ++k) {
          if (x[k] == '<') return "'<' in an attribute of <" + name + ">";
          if (x[k] == '&' && entity_at(k) == 0) return "a bare '&' in an attribute of <" + name + ">";
        }
        j = end + 1;
      }
      if (!closed) stack.push_back(name);
      i = j;
      continue;
    }
    if (c == '&') {
      const std::size_t n = entity_at(i);
      if (n == 0) return "a bare '&' at " + std::to_string(i);
      if (stack.empty()) return "text outside the root element";
      i += n;
      continue;
    }
    if (stack.empty() && !(c == ' ' || c == '\n' || c == '\t' || c == '\r')) return "text outside the root element";
    ++i;
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  if (roots != 1) return "no root element";
  return "";
}

}  // namespace

// =============================================================================================
// 1. Each shipped list type from entry to each of its exits.

TEST_CASE("lists: the shipped list types and their rules", "[lists][types]") {
  auto w = MakeListsWorld();
  json types = OkAs(*w, Admin(), "lists types", {});
  std::map<std::string, json> by_code;
  for (const json& t : types) by_code[t["code"].get<std::string>()] = t;
  CHECK(by_code.size() == 7);
  for (const char* code : {"abnormal_operations", "serious_illegal", "red_trustworthy", "intermediary_red",
                           "intermediary_black", "intermediary_ban", "dishonest_judgment_debtors"}) {
    INFO(code);
    REQUIRE(by_code.count(code) == 1);
    REQUIRE(w->platform.FindListPolicy(code) != nullptr);
    CHECK(CheckListPolicy(*w->platform.FindListPolicy(code)).ok());
    // Every type has an exit: a maximum, or the source's removal.
    const json& t = by_code[code];
    const auto exits = t["exits"].get<std::vector<std::string>>();
    CHECK((t["max_months"].get<int>() > 0 || std::find(exits.begin(), exits.end(), "source_removed") != exits.end()));
  }
  CHECK(by_code["serious_illegal"]["min_months"] == 12);
  CHECK(by_code["serious_illegal"]["max_months"] == 36);
  CHECK(by_code["abnormal_operations"]["move_to"] == "serious_illegal");
  CHECK(by_code["abnormal_operations"]["correction_working_days"] == 5);
  CHECK(by_code["red_trustworthy"]["validity_by_decision"] == true);
  CHECK(by_code["intermediary_ban"]["subject_types"] == json::array({"intermediary"}));
}

TEST_CASE("lists: serious_illegal from proposal to decision, repair, objection, penalty revoked, revoked and expiry",
          "[lists][life]") {
  auto w = MakeListsWorld();
  Ledger ledger;
  // Five listings decided on Monday 2026-06-15.
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    const std::string id = Propose(*w, "serious_illegal", U(i), "heavy_penalty");
    CHECK(ListingsOf(*w, U(i)).empty());  // a proposal puts nobody on a list
    json r = Review(*w, id);
    CHECK(r["reviewed_by"] == "bob");
    CHECK(ListingsOf(*w, U(i)).empty());
    json d = Decide(*w, id);
    CHECK(d["decided_by"] == "carol");
    CHECK(d["decided_on"] == "2026-06-15");
    CHECK(d["starts_on"] == "2026-06-15");
    CHECK(d["expires_on"] == "2029-06-15");  // 36 months
    CHECK(d["decision_no"].get<std::string>().rfind("甬市监信列〔2026〕", 0) == 0);
    CHECK(d["evidence"].size() == 2);
    CHECK(ListingsOf(*w, U(i)) == "serious_illegal");
    ids.push_back(id);
    ledger.Check(*w);
  }
  CHECK(ids[0].rfind("LST-2026-", 0) == 0);
  json payload = EventPayloads(*w->db, ids[0], "lists.listing.in_force").at(0);
  CHECK(payload["expires_on"] == "2029-06-15");
  CHECK(payload["kind"] == "black");
  CHECK(payload["uscc"] == U(0));
  CHECK(AuditCount(*w->db, "directory.subject.listings", U(0)) == 1);

  // Objection, penalty revoked and revoked: possible at any time, by the department.
  SetToday(*w, "2026-07-01");
  End(*w, ids[1], "objection");
  End(*w, ids[2], "penalty_revoked", Bob());
  End(*w, ids[3], "revoked", Admin("root"));
  for (int i = 1; i <= 3; ++i) {
    const L::Listing l = Get(*w, ids[i]);
    CHECK(l.state == L::State::kEnded);
    CHECK(l.ended_on == "2026-07-01");
    CHECK(ListingsOf(*w, U(i)).empty());
  }
  CHECK(Get(*w, ids[3]).ended_by == "root");
  ledger.Check(*w);

  // Repair: refused before 12 months, accepted on the day they are complete.
  SetToday(*w, "2027-06-14");
  Refused(*w, Carol(), "lists end", {{"id", {ids[0]}}, {"--exit", {"repaired"}}, {"--note", {"已修复 / repaired"}}},
          StatusCode::kFailedPrecondition, "12 months after the start");
  // An exit the list does not have.
  Refused(*w, Carol(), "lists end", {{"id", {ids[0]}}, {"--exit", {"corrected"}}, {"--note", {"x"}}},
          StatusCode::kInvalidArgument, "has no exit 'corrected'");
  SetToday(*w, "2027-06-15");
  json repaired = End(*w, ids[0], "repaired");
  CHECK(repaired["ended_on"] == "2027-06-15");
  CHECK(repaired["ended_by"] == "carol");
  CHECK(ListingsOf(*w, U(0)).empty());
  ledger.Check(*w);

  // Expiry by the daily rule on the day 36 months are complete, not the day before; once.
  json run = Run(*w, "2029-06-14");
  CHECK(run["expired"] == 0);
  CHECK(Get(*w, ids[4]).state == L::State::kInForce);
  run = Run(*w, "2029-06-15");
  CHECK(run["expired"] == 1);
  const L::Listing expired = Get(*w, ids[4]);
  CHECK(expired.state == L::State::kEnded);
  CHECK(expired.end_reason == "expired");
  CHECK(expired.ended_on == "2029-06-15");
  CHECK(ListingsOf(*w, U(4)).empty());
  CHECK(Run(*w, "2029-06-16")["expired"] == 0);
  // Nothing more can happen to an ended listing.
  Refused(*w, Carol(), "lists end", {{"id", {ids[4]}}, {"--exit", {"revoked"}}, {"--note", {"x"}}},
          StatusCode::kFailedPrecondition, "only a listing in force can end");

  // Every step left a transition, an audit record and an event; the history is shown.
  CHECK(Trail(*w, ids[0]) == std::vector<std::string>{"proposed", "reviewed", "in_force", "ended"});
  CHECK(Actors(*w, ids[0]) == std::vector<std::string>{"alice", "bob", "carol", "carol"});
  for (const auto& id : ids) CHECK(Trail(*w, id).size() == 4);
  json shown = OkAs(*w, Bob(), "lists show", {{"id", {ids[0]}}});
  REQUIRE(shown["history"].size() == 4);
  CHECK(shown["history"][3]["action"] == "ended");
  CHECK(shown["history"][3]["to"] == "ended");
  CHECK(shown["history"][0]["from"] == "");
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM lists_listings") == 5);
  ledger.Check(*w);
  CHECK(AuditChainVerifies(*w->db));
}

TEST_CASE(
    "lists: abnormal_operations ends after a correction, by hand or within 5 working days, and moves on after 3 years",
    "[lists][life]") {
  auto w = MakeListsWorld();
  Ledger ledger;
  std::vector<std::string> ids;
  const char* grounds[] = {"unreachable_address", "annual_report_missed", "false_information",
                           "information_not_published", "unreachable_address"};
  for (int i = 0; i < 5; ++i) ids.push_back(InForce(*w, "abnormal_operations", U(i), grounds[i]));
  for (int i = 0; i < 5; ++i) {
    CHECK(Get(*w, ids[i]).expires_on == "2029-06-15");
    CHECK(ListingsOf(*w, U(i)) == "abnormal_operations");
  }
  ledger.Check(*w);

  // 0: the correction confirmed on Monday 2026-07-06 (July has no holiday): it ends by the daily
  // rule on the 5th working day after, 2026-07-13, not before.
  SetToday(*w, "2026-07-06");
  json c =
      OkAs(*w, Bob(), "lists correct", {{"id", {ids[0]}}, {"--note", {"已变更登记住所 / address registered anew"}}});
  CHECK(c["correction_on"] == "2026-07-06");
  CHECK(c["correction_due"] == "2026-07-13");
  CHECK(c["state"] == "in_force");
  Refused(*w, Bob(), "lists correct", {{"id", {ids[0]}}, {"--note", {"again"}}}, StatusCode::kAlreadyExists,
          "was confirmed on 2026-07-06");

  // 1: corrected and ended at once by hand.
  OkAs(*w, Bob(), "lists correct", {{"id", {ids[1]}}, {"--note", {"已补报年度报告 / report filed"}}});
  json e1 = End(*w, ids[1], "corrected");
  CHECK(e1["ended_on"] == "2026-07-06");
  CHECK(ListingsOf(*w, U(1)).empty());

  // 2: an end by correction needs the correction confirmed first; an objection ends it.
  Refused(*w, Carol(), "lists end", {{"id", {ids[2]}}, {"--exit", {"corrected"}}, {"--note", {"x"}}},
          StatusCode::kFailedPrecondition, "confirm the correction first");
  Refused(*w, Carol(), "lists end", {{"id", {ids[2]}}, {"--exit", {"repaired"}}, {"--note", {"x"}}},
          StatusCode::kInvalidArgument, "has no exit 'repaired'");
  End(*w, ids[2], "objection");
  // 3: revoked.
  End(*w, ids[3], "revoked");
  ledger.Check(*w);

  // 0 ends by the daily rule on its due day, not before; 1 was ended already: nothing due.
  CHECK(Run(*w, "2026-07-10")["corrected"] == 0);
  CHECK(Get(*w, ids[0]).state == L::State::kInForce);
  json run = Run(*w, "2026-07-13");
  CHECK(run["corrected"] == 1);
  L::Listing l0 = Get(*w, ids[0]);
  CHECK(l0.state == L::State::kEnded);
  CHECK(l0.end_reason == "corrected");
  CHECK(l0.ended_on == "2026-07-13");
  CHECK(ListingsOf(*w, U(0)).empty());
  CHECK(Trail(*w, ids[0]) ==
        std::vector<std::string>{"proposed", "reviewed", "in_force", "correction_confirmed", "ended"});
  CHECK(Run(*w, "2026-07-14")["corrected"] == 0);

  // 4: still listed after 3 years: the notice 60 days before, then the move to serious_illegal.
  CHECK(Run(*w, "2029-04-15")["notices"] == 0);  // 61 days before
  run = Run(*w, "2029-04-16");                   // 60 days before
  CHECK(run["notices"] == 1);
  CHECK(Get(*w, ids[4]).notice_on == "2029-04-16");
  CHECK(Get(*w, ids[4]).state == L::State::kInForce);
  CHECK(Run(*w, "2029-04-17")["notices"] == 0);  // given once
  CHECK(EventCount(*w->db, "lists.listing.move_notice") == 1);
  CHECK(Run(*w, "2029-06-14")["moved"] == 0);
  run = Run(*w, "2029-06-15");
  CHECK(run["moved"] == 1);
  CHECK(run["expired"] == 0);
  const L::Listing moved = Get(*w, ids[4]);
  CHECK(moved.state == L::State::kEnded);
  CHECK(moved.end_reason == "moved");
  CHECK(moved.ended_on == "2029-06-15");
  REQUIRE_FALSE(moved.moved_to.empty());
  const L::Listing next = Get(*w, moved.moved_to);
  CHECK(next.list == "serious_illegal");
  CHECK(next.state == L::State::kInForce);
  CHECK(next.moved_from == ids[4]);
  CHECK(next.ground == "abnormal_three_years");
  CHECK(next.source == "move");
  CHECK(next.uscc == U(4));
  CHECK(next.department == "SCJG");
  CHECK(next.starts_on == "2029-06-15");
  CHECK(next.expires_on == "2032-06-15");
  CHECK_FALSE(next.decision_no.empty());
  CHECK(ListingsOf(*w, U(4)) == "serious_illegal");
  CHECK(Run(*w, "2029-06-16")["moved"] == 0);
  CHECK(AllOf(*w, "serious_illegal").size() == 1);
  CHECK(Trail(*w, ids[4]) == std::vector<std::string>{"proposed", "reviewed", "in_force", "move_notice", "ended"});
  CHECK(Trail(*w, next.id) == std::vector<std::string>{"proposed", "in_force"});
  for (const auto& id : ids) Trail(*w, id);
  ledger.Check(*w);
  CHECK(AuditChainVerifies(*w->db));
}

TEST_CASE("lists: red_trustworthy needs an end date within 36 months and expires on it", "[lists][life]") {
  auto w = MakeListsWorld();
  Ledger ledger;
  const std::string id = Propose(*w, "red_trustworthy", U(9), "trustworthy");
  Review(*w, id);
  Args decide{{"id", {id}}, {"--approve", {}}, {"--decision-no", {"甬信红〔2026〕1号"}}};
  Refused(*w, Carol(), "lists decide", decide, StatusCode::kInvalidArgument, "give the end date (--ends)");
  decide["--ends"] = {"2029-06-16"};  // a day past 36 months
  Refused(*w, Carol(), "lists decide", decide, StatusCode::kInvalidArgument, "cannot exceed 36 months");
  decide["--ends"] = {"2026-06-15"};
  Refused(*w, Carol(), "lists decide", decide, StatusCode::kInvalidArgument, "must be after the start");
  decide["--ends"] = {"2026-06-31"};
  Refused(*w, Carol(), "lists decide", decide, StatusCode::kInvalidArgument, "");
  decide["--ends"] = {"2027-06-14"};
  json d = OkAs(*w, Carol(), "lists decide", decide);
  CHECK(d["state"] == "in_force");
  CHECK(d["expires_on"] == "2027-06-14");
  CHECK(ListingsOf(*w, U(9)) == "red_trustworthy");
  CHECK(EventPayloads(*w->db, id, "lists.listing.in_force").at(0)["kind"] == "red");
  // A list with a period set by the rules takes no end date.
  const std::string si = Propose(*w, "serious_illegal", U(0), "heavy_penalty");
  Review(*w, si);
  Refused(*w, Carol(), "lists decide",
          {{"id", {si}}, {"--approve", {}}, {"--decision-no", {"X-1"}}, {"--ends", {"2027-01-01"}}},
          StatusCode::kInvalidArgument, "an end date cannot be given");
  // The maximum itself is allowed.
  const std::string longest = InForce(*w, "red_trustworthy", U(10), "trustworthy", "2029-06-15");
  CHECK(Get(*w, longest).expires_on == "2029-06-15");
  // It expires on its end date.
  CHECK(Run(*w, "2027-06-13")["expired"] == 0);
  CHECK(Run(*w, "2027-06-14")["expired"] == 1);
  const L::Listing l = Get(*w, id);
  CHECK(l.state == L::State::kEnded);
  CHECK(l.end_reason == "expired");
  CHECK(l.ended_on == "2027-06-14");
  CHECK(ListingsOf(*w, U(9)).empty());
  // 'replaced' is one of its exits (a new decision).
  End(*w, longest, "replaced");
  CHECK(ListingsOf(*w, U(10)).empty());
  CHECK(Trail(*w, id) == std::vector<std::string>{"proposed", "reviewed", "in_force", "ended"});
  CHECK(Trail(*w, longest) == std::vector<std::string>{"proposed", "reviewed", "in_force", "ended"});
  ledger.Check(*w);
}

TEST_CASE(
    "lists: dishonest_judgment_debtors come from the courts' file, in force at once, until the court removes them",
    "[lists][life][court]") {
  auto w = MakeListsWorld();
  Ledger ledger;
  const std::string outside = GeneratedUscc(99, "33", 5);  // a valid USCC not in the directory
  const std::string person = "330226199001011234";
  const std::string file =
      std::string(kCourtHeader) +
      CourtRow(U(6), "宁海名单6号个体商户", "individual", "(2026)浙0226执101号", "2026-05-01") +
      CourtRow(outside, "宁波外地贸易有限公司", "enterprise", "(2026)浙0226执102号", "2026-05-02") +
      CourtRow(person, "张某某", "natural_person", "(2026)浙0226执103号", "2026-05-03");
  json sum = ImportCourtOk(*w, file);
  CHECK(sum["listed"] == 3);
  CHECK(sum["rejected"] == 0);
  auto rows = AllOf(*w, "dishonest_judgment_debtors");
  REQUIRE(rows.size() == 3);
  for (const auto& l : rows) {
    INFO(l.id);
    CHECK(l.state == L::State::kInForce);
    CHECK(l.expires_on.empty());  // no fixed end: the court's removal is its exit
    CHECK(l.source == "import");
    CHECK(l.department == "SCJG");
    CHECK(Trail(*w, l.id) == std::vector<std::string>{"proposed", "in_force"});
  }
  CHECK(rows[0].starts_on == "2026-05-01");
  CHECK(rows[0].decision_no == "(2026)浙0226执101号");
  CHECK(rows[0].source_ref == "court:(2026)浙0226执101号");
  CHECK(ListingsOf(*w, U(6)) == "dishonest_judgment_debtors");
  ledger.Check(*w);

  // The same file again, the same day and a day later: nothing new, nothing counted as listed.
  const Snapshot before = Snap(*w);
  sum = ImportCourtOk(*w, file);
  CHECK(sum["unchanged"] == 3);
  CHECK(sum["listed"] == 0);
  CHECK((Snap(*w) == before));
  SetToday(*w, "2026-06-16");
  sum = ImportCourtOk(*w, file);
  CHECK(sum["unchanged"] == 3);
  CHECK(sum["listed"] == 0);
  CHECK((Snap(*w) == before));

  // The court removed the individual business: ended 'source_removed' on that date.
  const std::string removal = std::string(kCourtHeader) + CourtRow(U(6), "宁海名单6号个体商户", "individual",
                                                                   "(2026)浙0226执101号", "2026-05-01", "2026-06-10");
  sum = ImportCourtOk(*w, removal);
  CHECK(sum["removed"] == 1);
  const L::Listing ended = Get(*w, rows[0].id);
  CHECK(ended.state == L::State::kEnded);
  CHECK(ended.end_reason == "source_removed");
  CHECK(ended.ended_on == "2026-06-10");
  CHECK(ListingsOf(*w, U(6)).empty());
  CHECK(Trail(*w, rows[0].id) == std::vector<std::string>{"proposed", "in_force", "ended"});
  sum = ImportCourtOk(*w, removal);  // again: nothing to remove
  CHECK(sum["removed"] == 0);
  CHECK(sum["unchanged"] == 1);
  CHECK(Trail(*w, rows[0].id).size() == 3);

  // A natural person is never public: not counted, not listed, not shown, not in the feed.
  L::Listing p;
  for (const auto& l : AllOf(*w, "dishonest_judgment_debtors"))
    if (l.subject_type == "natural_person") p = l;
  REQUIRE(p.uscc == person);
  json types = Get(*w, Public(), "/api/v1/lists").Json();
  for (const json& t : types["lists"])
    if (t["code"] == "dishonest_judgment_debtors") CHECK(t["in_force"] == 1);
  Got list = Get(*w, Public(), "/api/v1/lists/{code}", {{"code", "dishonest_judgment_debtors"}});
  REQUIRE(list.status.ok());
  CHECK(list.Json()["total"] == 1);
  Got one = Get(*w, Public(), "/api/v1/listings/{id}", {{"id", p.id}});
  CHECK(one.status.code() == StatusCode::kNotFound);
  Got page = Get(*w, Public(), "/lists/{code}", {{"code", "dishonest_judgment_debtors"}});
  Got feed = Get(*w, Public(), "/feeds/lists.atom");
  for (const std::string& body : {types.dump(), list.response.body, page.response.body, feed.response.body}) {
    CHECK_THAT(body, !Catch::Contains(person));
    CHECK_THAT(body, !Catch::Contains("张某某"));
    CHECK_THAT(body, !Catch::Contains(p.id));
  }
  CHECK(SubjectSection(*w, person).empty());
  // The daily rules never end the others, however long they stay.
  CHECK(Run(*w, "2036-01-01")["expired"] == 0);
  for (const auto& l : AllOf(*w, "dishonest_judgment_debtors"))
    if (l.id != rows[0].id) CHECK(l.state == L::State::kInForce);
  ledger.Check(*w);
}

TEST_CASE("lists: the intermediaries' lists take intermediaries only", "[lists][life]") {
  auto w = MakeListsWorld();
  for (const char* list : {"intermediary_ban", "intermediary_red", "intermediary_black"}) {
    const std::string ground = std::string(list) == "intermediary_ban"   ? "serious_misconduct"
                               : std::string(list) == "intermediary_red" ? "grade_a"
                                                                         : "grade_c";
    for (int i : {0, 6, 9}) {
      INFO(list << " for subject " << i);
      Refused(*w, Alice(), "lists propose",
              {{"--list", {list}}, {"--uscc", {U(i)}}, {"--ground", {ground}}, {"--reason", {"出具虚假报告"}}},
              StatusCode::kInvalidArgument, "(allowed: intermediary)");
    }
  }
  // A market ban: 36 months, no repair, ended by revocation. The grades' lists: 13 months.
  const std::string ban = InForce(*w, "intermediary_ban", U(7), "serious_misconduct");
  CHECK(Get(*w, ban).expires_on == "2029-06-15");
  CHECK(ListingsOf(*w, U(7)) == "intermediary_ban");
  const std::string red = InForce(*w, "intermediary_red", U(8), "grade_a");
  CHECK(Get(*w, red).expires_on == "2027-07-15");
  const std::string black = InForce(*w, "intermediary_black", U(7), "grade_c");
  CHECK(ListingsOf(*w, U(7)) == "intermediary_ban;intermediary_black");
  End(*w, black, "replaced");
  CHECK(ListingsOf(*w, U(7)) == "intermediary_ban");
  SetToday(*w, "2027-07-01");
  Refused(*w, Carol(), "lists end", {{"id", {ban}}, {"--exit", {"repaired"}}, {"--note", {"x"}}},
          StatusCode::kInvalidArgument, "has no exit 'repaired'");
  End(*w, ban, "revoked");
  CHECK(ListingsOf(*w, U(7)).empty());
  CHECK(Run(*w, "2027-07-14")["expired"] == 0);
  CHECK(Run(*w, "2027-07-15")["expired"] == 1);
  CHECK(Get(*w, red).end_reason == "expired");
  for (const auto& id : {ban, red, black}) CHECK(Trail(*w, id).size() == 4);
}

TEST_CASE("lists: the intermediaries' A and C lists follow their yearly grade, however often delivered",
          "[lists][grades]") {
  auto w = MakeListsWorld();
  auto graded = [&](const std::string& uscc, int year, const std::string& grade, const std::string& before) {
    const json p{{"uscc", uscc}, {"year", year}, {"grade", grade}, {"before", before}, {"points", 91.5}};
    REQUIRE(w->platform
                .RunInTransaction(Principal::System("credit.grades"),
                                  [&](UnitOfWork& uow) { return uow.Publish("credit.intermediary.graded", uscc, p.dump()); })
                .ok());
    DeliverEvents(*w);
  };
  auto of_list = [&](const std::string& list, const std::string& uscc) {
    std::vector<L::Listing> out;
    for (const auto& l : AllOf(*w, list))
      if (l.uscc == uscc) out.push_back(l);
    return out;
  };
  // 2026: U(7) graded C, U(8) graded A: in force at once, the grade being the decision.
  graded(U(7), 2026, "C", "");
  graded(U(8), 2026, "A", "");
  CHECK(ListingsOf(*w, U(7)) == "intermediary_black");
  CHECK(ListingsOf(*w, U(8)) == "intermediary_red");
  auto red = of_list("intermediary_red", U(8));
  REQUIRE(red.size() == 1);
  CHECK(red[0].decision_no == "中介信用评价〔2026〕A类");
  CHECK(red[0].source == "grade");
  CHECK(red[0].source_ref == "grade:2026:" + U(8));
  CHECK(red[0].ground == "grade_a");
  CHECK_FALSE(red[0].department.empty());
  CHECK(red[0].expires_on == "2027-07-15");  // 13 months
  CHECK_THAT(red[0].reason, Catch::Contains("91.5"));
  // Delivered again from the start (a retried delivery): nothing more.
  REQUIRE(w->db->ExecScript("UPDATE event_positions SET position = 0 WHERE subscriber = 'lists.grades'").ok());
  DeliverEvents(*w);
  CHECK(of_list("intermediary_red", U(8)).size() == 1);
  CHECK(of_list("intermediary_black", U(7)).size() == 1);
  // 2027: A again replaces the 2026 listing with the 2027 one; B ends the black listing; a
  // change from A to C within a year moves the subject from one list to the other.
  SetToday(*w, "2027-03-01");
  graded(U(8), 2027, "A", "");
  graded(U(7), 2027, "B", "");
  red = of_list("intermediary_red", U(8));
  REQUIRE(red.size() == 2);
  CHECK(red[0].state == L::State::kEnded);
  CHECK(red[0].end_reason == "replaced");
  CHECK(red[1].state == L::State::kInForce);
  CHECK(red[1].source_ref == "grade:2027:" + U(8));
  CHECK(ListingsOf(*w, U(8)) == "intermediary_red");
  CHECK(ListingsOf(*w, U(7)).empty());
  CHECK(of_list("intermediary_black", U(7))[0].end_reason == "replaced");
  graded(U(8), 2027, "C", "A");
  CHECK(ListingsOf(*w, U(8)) == "intermediary_black");
  CHECK(of_list("intermediary_red", U(8))[1].end_reason == "replaced");
  // Not an intermediary, not in the directory, or a malformed year: nothing, and the events
  // after it are delivered.
  graded(U(0), 2027, "A", "");
  graded("91330200MA2XXXXXXX", 2027, "A", "");
  graded(U(9), 1999, "A", "");
  CHECK(ListingsOf(*w, U(0)).empty());
  CHECK(ListingsOf(*w, U(9)).empty());
  graded(U(7), 2027, "A", "B");
  CHECK(ListingsOf(*w, U(7)) == "intermediary_red");
  CHECK(AuditChainVerifies(*w->db));
}

TEST_CASE("lists: a decision whose period ended before it puts nothing in force", "[lists][life][hostile]") {
  auto w = MakeListsWorld();
  // A red list's validity is the decision's: started a year ago (allowed) and ended half a year
  // ago, the listing would be in force, on the public pages and in the draws until the next
  // daily run, with an end before the decision.
  const std::string past = Propose(*w, "red_trustworthy", U(8), "trustworthy");
  Review(*w, past);
  Refused(*w, Carol(), "lists decide",
          {{"id", {past}},
           {"--approve", {}},
           {"--decision-no", {"甬信红〔2026〕2号"}},
           {"--starts", {"2025-07-01"}},
           {"--ends", {"2026-01-01"}}},
          StatusCode::kOk, "");
  CHECK(ListingsOf(*w, U(8)).empty());
  // A validity from today is fine.
  const std::string fine = Propose(*w, "red_trustworthy", U(7), "trustworthy");
  Review(*w, fine);
  json d = Decide(*w, fine, "2026-12-31");
  CHECK(d["starts_on"] == "2026-06-15");
  CHECK(ListingsOf(*w, U(7)) == "red_trustworthy");
}

// =============================================================================================
// 2. The directory's listings column, and the draws that read it.

TEST_CASE("lists: subjects.listings follows the listings in force and a draw by listing strata reads it",
          "[lists][directory][draw]") {
  auto w = MakeListsWorld();
  std::vector<std::string> abnormal;
  for (int i = 0; i < 3; ++i) abnormal.push_back(InForce(*w, "abnormal_operations", U(i), "unreachable_address"));
  const std::string serious = InForce(*w, "serious_illegal", U(0), "heavy_penalty");
  const std::string pending = Propose(*w, "abnormal_operations", U(3), "unreachable_address");
  Review(*w, pending);  // reviewed, not decided: not on the list
  CHECK(ListingsOf(*w, U(0)) == "abnormal_operations;serious_illegal");
  CHECK(ListingsOf(*w, U(1)) == "abnormal_operations");
  CHECK(ListingsOf(*w, U(2)) == "abnormal_operations");
  CHECK(ListingsOf(*w, U(3)).empty());
  // Ended: cleared; the other list stays.
  End(*w, abnormal[2], "objection");
  CHECK(ListingsOf(*w, U(2)).empty());
  End(*w, serious, "revoked");
  CHECK(ListingsOf(*w, U(0)) == "abnormal_operations");
  // Each change of the column has its own audit record (on, off: two for subject 2).
  CHECK(AuditCount(*w->db, "directory.subject.listings", U(2)) == 2);
  CHECK(AuditCount(*w->db, "directory.subject.listings", U(3)) == 0);
  // Only the directory: no other subject carries a listing.
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM subjects WHERE listings <> ''") == 2);

  // A draw of every subject on the abnormal operations list and nobody else.
  json spec = {{"id", "2026-LS-0001"},
               {"title", "经营异常名录主体抽查"},
               {"department", "SCJG"},
               {"items", {"CR-FOOD"}},
               {"filters", {{"types", {"enterprise"}}}},
               {"strata", "listing"},
               {"strata_listings", {"abnormal_operations"}},
               {"rule", {{"ratio_percent", {{"abnormal_operations", 100}, {"other", 0}}}}},
               {"team", {{"slots", {{{"group", "SCJG"}, {"count", 2}}}}}},
               {"entropy", {{"source", "manual"}, {"description", "测试"}}},
               {"due_date", "2026-12-31"}};
  draw::TaskInfo t = Drawn(*w, spec);
  std::set<std::string> drawn;
  for (const auto& s : Selection(*w, t.id)) {
    CHECK(s.stratum == "abnormal_operations");
    drawn.insert(s.uscc);
  }
  CHECK(drawn == std::set<std::string>{U(0), U(1)});
}

// =============================================================================================
// 3. Rules.

TEST_CASE("lists: an approved 'unreachable' result proposes one abnormal-operations listing, however often delivered",
          "[lists][rules][findings]") {
  auto w = MakeListsWorld();
  json spec = {{"id", "2026-LS-0002"},
               {"title", "住所核查"},
               {"department", "SCJG"},
               {"items", {"CR-FOOD"}},
               {"filters", {{"types", {"enterprise"}}}},
               {"rule", {{"count", 2}}},
               {"team", {{"slots", {{{"group", "SCJG"}, {"count", 2}}}}}},
               {"entropy", {{"source", "manual"}, {"description", "测试"}}},
               {"due_date", "2026-12-31"}};
  draw::TaskInfo t = Drawn(*w, spec);
  const std::string visit = VisitId(t.id, 1);
  json v = PluginJson(*w, "visit show", {{"id", {visit}}}, "*");
  std::string uscc;
  for (const auto& s : Selection(*w, t.id))
    if (s.rank == 1) uscc = s.uscc;
  REQUIRE_FALSE(uscc.empty());
  const auto team = v["team"].get<std::vector<std::string>>();
  REQUIRE_FALSE(team.empty());
  PluginJson(*w, "visit start", {{"id", {visit}}, {"--by", {team.front()}}}, "*");
  PluginJson(*w, "visit result",
             {{"id", {visit}},
              {"--item", {"CR-FOOD"}},
              {"--code", {"unreachable"}},
              {"--date", {"2026-06-15"}},
              {"--method", {"on_site"}},
              {"--findings", {"登记住所无人 / nobody at the registered address"}},
              {"--by", {team.front()}}},
             "SCJG");
  CHECK(AllOf(*w, "abnormal_operations").empty());  // entering proposes nothing
  SetToday(*w, "2026-06-17");
  PluginJson(*w, "visit review", {{"id", {visit}}, {"--approve", {}}}, "SCJG");  // delivers the events
  const auto findings = EventPayloads(*w->db, uscc, "credit.finding.unreachable_address");
  REQUIRE(findings.size() == 1);
  const std::string due = findings[0]["listing_due"].get<std::string>();
  CHECK(due == "2026-07-02");  // 10 working days after Wednesday 17 June (19 June is 端午)

  auto check_one = [&] {
    const auto rows = AllOf(*w, "abnormal_operations");
    REQUIRE(rows.size() == 1);
    const L::Listing& l = rows[0];
    CHECK(l.uscc == uscc);
    CHECK(l.state == L::State::kProposed);
    CHECK(l.ground == "unreachable_address");
    CHECK(l.due_on == due);
    CHECK(l.source == "rule");
    CHECK(l.source_ref == "finding:" + visit + "/CR-FOOD");
    CHECK(l.department == "SCJG");
    CHECK(l.proposed_on == "2026-06-17");
    CHECK(l.proposed_by == "subscriber:lists.findings");
    CHECK(json::parse(l.evidence_json) == json::array({{{"kind", "result"}, {"ref", visit + "/CR-FOOD"}}}));
    CHECK(Trail(*w, l.id) == std::vector<std::string>{"proposed"});
    return l.id;
  };
  const std::string id = check_one();
  // Delivered again from the start (a retried delivery): still exactly one.
  REQUIRE(Count(*w->db, "SELECT COUNT(*) FROM event_positions WHERE subscriber = 'lists.findings'") == 1);
  REQUIRE(w->db->ExecScript("UPDATE event_positions SET position = 0 WHERE subscriber = 'lists.findings'").ok());
  DeliverEvents(*w);
  CHECK(check_one() == id);
  // A supervisor reviews and another decides: in force.
  Review(*w, id);
  Decide(*w, id);
  CHECK(ListingsOf(*w, uscc) == "abnormal_operations");
  REQUIRE(w->db->ExecScript("UPDATE event_positions SET position = 0 WHERE subscriber = 'lists.findings'").ok());
  DeliverEvents(*w);
  CHECK(AllOf(*w, "abnormal_operations").size() == 1);
  CHECK(Trail(*w, id).size() == 3);
}

TEST_CASE("lists: the 1 July rule proposes abnormal-operations listings for the annual reports not filed, once",
          "[lists][rules][annual]") {
  auto w = MakeListsWorld();
  const std::string bad = U(5).substr(0, 17) + (U(5)[17] == '0' ? "1" : "0");
  const std::string reports = std::string("uscc,year,filed_on\n") +  //
                              U(0) + ",2025,2026-03-01\n" +          // 2
                              U(1) + ",2025,2026-06-30\n" +          // 3
                              U(2) + ",2024,2025-04-01\n" +          // 4: the year before only
                              U(3) + ",2025,2025-12-01\n" +          // 5: filed within the year reported
                              bad + ",2025,2026-03-01\n" +           // 6: a bad USCC
                              U(4) + ",20x5,2026-03-01\n" +          // 7: a bad year
                              U(4) + ",2025\n";                      // 8: two fields
  CommandRun imp = As(*w, Alice(), "lists annual-reports import", {{"file", {WriteTemp("reports.csv", reports)}}});
  INFO(imp.status.message() << "\n" << imp.err);
  REQUIRE(imp.status.ok());
  CHECK(imp.exit_code == 3);
  json sum = json::parse(imp.out);
  CHECK(sum["imported"] == 3);
  CHECK(sum["rejected"] == 4);
  for (const char* line : {"line 5", "line 6", "line 7", "line 8"}) CHECK_THAT(imp.err, Catch::Contains(line));
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM lists_annual_reports") == 3);
  Refused(*w, Alice(), "lists annual-reports import",
          {{"file", {WriteTemp("h.csv", "uscc,year\n" + U(0) + ",2025\n")}}}, StatusCode::kInvalidArgument,
          "uscc,year,filed_on");

  // Before 1 July: the window is open.
  SetToday(*w, "2026-06-30");
  Refused(*w, Admin(), "lists annual-reports check", {{"year", {"2025"}}}, StatusCode::kFailedPrecondition,
          "has not closed");
  Refused(*w, Admin(), "lists annual-reports check", {{"year", {"2025"}}, {"--on", {"2026-06-30"}}},
          StatusCode::kFailedPrecondition, "has not closed");
  UsageError(*w, Admin(), "lists annual-reports check", {{"year", {"1999"}}, {"--on", {"2026-07-01"}}});

  // 1 July (a Wednesday): the active enterprises, individual businesses and intermediaries
  // without a 2025 report; not the social organisation, the public institution or the revoked one.
  SetToday(*w, "2026-07-01");
  json r = OkAs(*w, Admin(), "lists annual-reports check", {{"year", {"2025"}}, {"--on", {"2026-07-01"}}});
  CHECK(r["proposed"] == 8);
  std::set<std::string> want{U(2), U(3), U(4), U(5), U(6), U(7), U(8), U(11)}, got;
  for (const auto& l : AllOf(*w, "abnormal_operations")) {
    INFO(l.id);
    got.insert(l.uscc);
    CHECK(l.state == L::State::kProposed);
    CHECK(l.ground == "annual_report_missed");
    CHECK(l.source == "rule");
    CHECK(l.source_ref == "annual-report:2025:" + l.uscc);
    CHECK(l.department == "SCJG");
    CHECK(l.proposed_on == "2026-07-01");
    CHECK(l.due_on == "2026-07-15");  // 10 working days
    CHECK(Trail(*w, l.id) == std::vector<std::string>{"proposed"});
  }
  CHECK(got == want);
  // Again the same day, by the job, and the day after: nothing new, nothing counted.
  const Snapshot before = Snap(*w);
  r = OkAs(*w, Admin(), "lists annual-reports check", {{"year", {"2025"}}, {"--on", {"2026-07-01"}}});
  CHECK(r["proposed"] == 0);
  CHECK((Snap(*w) == before));
  Status job = RunJob(*w, "lists.annual-reports", "2026-07-01T06:00:00");
  INFO(job.message());
  CHECK(job.ok());
  CHECK((Snap(*w) == before));
  SetToday(*w, "2026-07-02");
  r = OkAs(*w, Admin(), "lists annual-reports check", {{"year", {"2025"}}});
  CHECK(r["proposed"] == 0);
  CHECK((Snap(*w) == before));
  // The job in June does nothing.
  CHECK(RunJob(*w, "lists.annual-reports", "2027-06-01T06:00:00").ok());
  CHECK((Snap(*w) == before));
  // The proposals go the usual way: reviewed, decided.
  const std::string first = AllOf(*w, "abnormal_operations").front().id;
  Review(*w, first);
  Decide(*w, first);
  CHECK(Get(*w, first).expires_on == "2029-07-02");
}

// =============================================================================================
// 4. Four eyes, departments and the order of the steps.

TEST_CASE("lists: four eyes, the deciding department and the order of the steps", "[lists][permissions]") {
  auto w = MakeListsWorld();
  Ledger ledger;
  const std::string id = Propose(*w, "serious_illegal", U(0), "heavy_penalty");
  const Args approve{{"id", {id}}, {"--approve", {}}};
  const Args decide{{"id", {id}}, {"--approve", {}}, {"--decision-no", {"甬市监信列〔2026〕99号"}}};
  const Args end{{"id", {id}}, {"--exit", {"revoked"}}, {"--note", {"撤销"}}};
  const Args correct{{"id", {id}}, {"--note", {"已改正"}}};
  // The proposer does not review their own proposal; another department does not review.
  Refused(*w, Alice(), "lists review", approve, StatusCode::kPermissionDenied, "need different people");
  Refused(*w, Dave(), "lists review", approve, StatusCode::kPermissionDenied, "only department SCJG can review");
  Refused(*w, Public(), "lists review", approve, StatusCode::kOk, "");
  // Out of order: a proposal is not decided, ended or corrected.
  Refused(*w, Carol(), "lists decide", decide, StatusCode::kFailedPrecondition, "only a reviewed listing is decided");
  Refused(*w, Carol(), "lists end", end, StatusCode::kFailedPrecondition, "only a listing in force can end");
  Refused(*w, Carol(), "lists correct", correct, StatusCode::kFailedPrecondition, "is not in force");
  // Neither or both of --approve and --reject: a usage error.
  UsageError(*w, Bob(), "lists review", {{"id", {id}}});
  UsageError(*w, Bob(), "lists review", {{"id", {id}}, {"--approve", {}}, {"--reject", {}}});
  Review(*w, id, Bob());
  // Reviewed twice: refused.
  Refused(*w, Carol(), "lists review", approve, StatusCode::kFailedPrecondition, "only a proposed listing is reviewed");
  // Neither the reviewer nor the proposer decides; nor another department.
  Refused(*w, Bob(), "lists decide", decide, StatusCode::kPermissionDenied, "need different people");
  Refused(*w, Alice(), "lists decide", decide, StatusCode::kPermissionDenied, "need different people");
  Refused(*w, Dave(), "lists decide", decide, StatusCode::kPermissionDenied, "only department SCJG can decide");
  Refused(*w, Carol(), "lists end", end, StatusCode::kFailedPrecondition, "only a listing in force can end");
  // No decision number: a usage error, nothing changed.
  UsageError(*w, Carol(), "lists decide", {{"id", {id}}, {"--approve", {}}});
  Decide(*w, id, "", Carol());
  Refused(*w, Erin(), "lists decide", decide, StatusCode::kFailedPrecondition, "only a reviewed listing is decided");
  Refused(*w, Dave(), "lists end", end, StatusCode::kPermissionDenied, "only department SCJG can end");
  Refused(*w, Dave(), "lists show", {{"id", {id}}}, StatusCode::kPermissionDenied, "only the deciding department");
  CHECK(OkAs(*w, Dave(), "lists list", {}).empty());  // another department's listings are not listed
  CHECK(OkAs(*w, Bob(), "lists list", {}).size() == 1);

  // Rejections need a note, and a rejected listing goes no further.
  const std::string r1 = Propose(*w, "serious_illegal", U(1), "heavy_penalty");
  Refused(*w, Bob(), "lists review", {{"id", {r1}}, {"--reject", {}}}, StatusCode::kInvalidArgument, "is required");
  json rejected =
      OkAs(*w, Bob(), "lists review", {{"id", {r1}}, {"--reject", {}}, {"--note", {"证据不足 / not enough"}}});
  CHECK(rejected["state"] == "rejected");
  Refused(*w, Carol(), "lists review", {{"id", {r1}}, {"--approve", {}}}, StatusCode::kFailedPrecondition,
          "is rejected");
  Refused(*w, Carol(), "lists decide", {{"id", {r1}}, {"--approve", {}}, {"--decision-no", {"X"}}},
          StatusCode::kFailedPrecondition, "is rejected");
  Refused(*w, Carol(), "lists end", {{"id", {r1}}, {"--exit", {"revoked"}}, {"--note", {"x"}}},
          StatusCode::kFailedPrecondition, "is rejected");
  const std::string r2 = Propose(*w, "serious_illegal", U(2), "heavy_penalty");
  Review(*w, r2);
  Refused(*w, Carol(), "lists decide", {{"id", {r2}}, {"--reject", {}}}, StatusCode::kInvalidArgument, "is required");
  json r2j = OkAs(*w, Carol(), "lists decide", {{"id", {r2}}, {"--reject", {}}, {"--note", {"不属严重违法情形"}}});
  CHECK(r2j["state"] == "rejected");
  CHECK(r2j["starts_on"] == "");
  CHECK(ListingsOf(*w, U(1)).empty());
  CHECK(ListingsOf(*w, U(2)).empty());
  CHECK(Trail(*w, r1) == std::vector<std::string>{"proposed", "rejected"});
  CHECK(Trail(*w, r2) == std::vector<std::string>{"proposed", "reviewed", "rejected"});

  // An admin is held to four eyes too: the admin who proposed does not review.
  Principal root = Admin("root");
  root.department = "SCJG";
  const std::string a = Propose(*w, "serious_illegal", U(3), "heavy_penalty", root);
  Refused(*w, root, "lists review", {{"id", {a}}, {"--approve", {}}}, StatusCode::kPermissionDenied,
          "need different people");
  Review(*w, a, Admin("root2"));
  Refused(*w, Admin("root2"), "lists decide", {{"id", {a}}, {"--approve", {}}, {"--decision-no", {"X"}}},
          StatusCode::kPermissionDenied, "need different people");
  // Unknown listings.
  Refused(*w, Bob(), "lists review", {{"id", {"LST-2026-999999"}}, {"--approve", {}}}, StatusCode::kNotFound,
          "no listing LST-2026-999999");
  Refused(*w, Bob(), "lists show", {{"id", {std::string(5000, 'L')}}}, StatusCode::kNotFound, "no listing");
  ledger.Check(*w);
  CHECK(AuditChainVerifies(*w->db));
}

// =============================================================================================
// 5. Hostile input.

TEST_CASE("lists: hostile input is refused with a clear error and changes nothing", "[lists][hostile]") {
  auto w = MakeListsWorld();
  Ledger ledger;
  const std::string listed = InForce(*w, "serious_illegal", U(0), "heavy_penalty");
  auto propose = [&](std::map<std::string, std::vector<std::string>> over) {
    Args a{{"--list", {"serious_illegal"}},
           {"--uscc", {U(1)}},
           {"--ground", {"heavy_penalty"}},
           {"--reason", {"受到较重行政处罚"}},
           {"--evidence", {"document:甬市监罚〔2026〕7号"}}};
    for (auto& [k, v] : over) a[k] = v;
    return a;
  };
  const std::string bad_uscc = U(1).substr(0, 17) + (U(1)[17] == '0' ? "1" : "0");
  Refused(*w, Alice(), "lists propose", propose({{"--list", {"no_such_list"}}}), StatusCode::kNotFound,
          "no list type 'no_such_list'");
  Refused(*w, Alice(), "lists propose", propose({{"--list", {std::string(10000, 'x')}}}), StatusCode::kNotFound,
          "no list type");
  Refused(*w, Alice(), "lists propose", propose({{"--ground", {"gossip"}}}), StatusCode::kInvalidArgument,
          "has no ground 'gossip' (grounds: heavy_penalty, abnormal_three_years)");
  Refused(*w, Alice(), "lists propose", propose({{"--uscc", {U(10)}}}), StatusCode::kInvalidArgument,
          "cannot list a subject of type public_institution");
  Refused(*w, Alice(), "lists propose", propose({{"--uscc", {bad_uscc}}}), StatusCode::kInvalidArgument,
          "check character");
  Refused(*w, Alice(), "lists propose", propose({{"--uscc", {"91330226"}}}), StatusCode::kInvalidArgument,
          "18 characters");
  Refused(*w, Alice(), "lists propose", propose({{"--uscc", {U(1).substr(0, 17) + "'"}}}), StatusCode::kInvalidArgument,
          "");
  Refused(*w, Alice(), "lists propose", propose({{"--uscc", {GeneratedUscc(99, "33", 7)}}}), StatusCode::kNotFound,
          "in the directory");
  Refused(*w, Alice(), "lists propose", propose({{"--reason", {std::string(5000, 'x')}}}), StatusCode::kInvalidArgument,
          "longer than 2000 characters");
  Refused(*w, Alice(), "lists propose", propose({{"--reason", {"   \t "}}}), StatusCode::kInvalidArgument,
          "is required");
  Refused(*w, Alice(), "lists propose", propose({{"--reason", {"违法\x01事实"}}}), StatusCode::kInvalidArgument,
          "control characters");
  Refused(*w, Alice(), "lists propose", propose({{"--reason", {"违法\x7f事实"}}}), StatusCode::kInvalidArgument,
          "control characters");
  Refused(*w, Alice(), "lists propose", propose({{"--reason", {"bad \xff\xfe utf-8"}}}), StatusCode::kInvalidArgument,
          "not valid UTF-8");
  Refused(*w, Alice(), "lists propose", propose({{"--reason", {"\xe8\xbf"}}}), StatusCode::kInvalidArgument,
          "not valid UTF-8");
  Refused(*w, Alice(), "lists propose", propose({{"--due", {"2026-02-30"}}}), StatusCode::kInvalidArgument,
          "no such date");
  Refused(*w, Alice(), "lists propose", propose({{"--due", {"next week"}}}), StatusCode::kInvalidArgument,
          "YYYY-MM-DD");
  // Evidence: a known kind, a reference, bounded, printable, valid UTF-8.
  for (const std::string& e :
       std::vector<std::string>{"photo:1", "record:", "nocolon", ":x", "result:" + std::string(401, 'v'),
                                "record:a\x01"
                                "b",
                                "document:\xff\xfe", "RECORD:penalty/1"}) {
    INFO("evidence " << e.substr(0, 40));
    Refused(*w, Alice(), "lists propose", propose({{"--evidence", {e}}}), StatusCode::kInvalidArgument, "evidence");
  }
  std::vector<std::string> many;
  for (int i = 0; i < 51; ++i) many.push_back("document:D-" + std::to_string(i));
  Refused(*w, Alice(), "lists propose", propose({{"--evidence", many}}), StatusCode::kInvalidArgument, "at most 50");
  // Free text elsewhere: notes and decision numbers.
  const std::string p = Propose(*w, "serious_illegal", U(2), "heavy_penalty");
  Refused(*w, Bob(), "lists review", {{"id", {p}}, {"--reject", {}}, {"--note", {"退回\x02"}}},
          StatusCode::kInvalidArgument, "control characters");
  Review(*w, p);
  Refused(*w, Carol(), "lists decide", {{"id", {p}}, {"--approve", {}}, {"--decision-no", {std::string(101, '9')}}},
          StatusCode::kInvalidArgument, "longer than 100 characters");
  Refused(*w, Carol(), "lists decide", {{"id", {p}}, {"--approve", {}}, {"--decision-no", {"甬\x1b[31m"}}},
          StatusCode::kInvalidArgument, "control characters");
  Refused(*w, Carol(), "lists decide",
          {{"id", {p}}, {"--approve", {}}, {"--decision-no", {"X-2"}}, {"--starts", {"2020-01-01"}}},
          StatusCode::kInvalidArgument, "within a year of today");
  Refused(*w, Carol(), "lists decide",
          {{"id", {p}}, {"--approve", {}}, {"--decision-no", {"X-2"}}, {"--starts", {"2026-6-1"}}},
          StatusCode::kInvalidArgument, "YYYY-MM-DD");
  Refused(*w, Carol(), "lists end", {{"id", {listed}}, {"--exit", {"revoked"}}, {"--note", {std::string(2001, 'n')}}},
          StatusCode::kInvalidArgument, "longer than 2000");
  // Bad dates on the commands that take one.
  Refused(*w, Admin(), "lists run", {{"--on", {"2026-13-01"}}}, StatusCode::kInvalidArgument, "");
  Refused(*w, Admin(), "lists run", {{"--on", {"'; DROP TABLE lists_listings; --"}}}, StatusCode::kInvalidArgument,
          "YYYY-MM-DD");
  Refused(*w, Carol(), "lists end",
          {{"id", {listed}}, {"--exit", {"revoked"}}, {"--note", {"x"}}, {"--on", {"2026/07/01"}}},
          StatusCode::kInvalidArgument, "YYYY-MM-DD");
  Refused(*w, Carol(), "lists end",
          {{"id", {listed}}, {"--exit", {"revoked"}}, {"--note", {"x"}}, {"--on", {"2026-06-14"}}},
          StatusCode::kInvalidArgument, "cannot be before the start");
  UsageError(*w, Carol(), "lists end",
             {{"id", {listed}}, {"--exit", {"expired"}}, {"--note", {"x"}}});  // the daily rule's
  // An end dated after today would let a repair skip its minimum period (12 months): refused.
  Refused(*w, Carol(), "lists end",
          {{"id", {listed}}, {"--exit", {"repaired"}}, {"--note", {"修复"}}, {"--on", {"2027-06-15"}}}, StatusCode::kOk,
          "");
  const std::string future = InForce(*w, "serious_illegal", U(6), "heavy_penalty");
  Refused(*w, Carol(), "lists end",
          {{"id", {future}}, {"--exit", {"revoked"}}, {"--note", {"x"}}, {"--on", {"2030-01-01"}}}, StatusCode::kOk,
          "");
  const std::string ab = InForce(*w, "abnormal_operations", U(3), "unreachable_address");
  Refused(*w, Bob(), "lists correct", {{"id", {ab}}, {"--note", {"x"}}, {"--confirmed-on", {"2026-02-29"}}},
          StatusCode::kInvalidArgument, "no such date");
  Refused(*w, Bob(), "lists correct", {{"id", {ab}}, {"--note", {"x"}}, {"--confirmed-on", {"2026-06-01"}}},
          StatusCode::kInvalidArgument, "cannot be before the start");
  Refused(*w, Bob(), "lists correct", {{"id", {ab}}, {"--note", {"\x01"}}}, StatusCode::kInvalidArgument,
          "control characters");
  // A correction confirmed on a day still to come is not a confirmation: refused.
  Refused(*w, Bob(), "lists correct", {{"id", {ab}}, {"--note", {"x"}}, {"--confirmed-on", {"2026-12-01"}}},
          StatusCode::kOk, "");
  ledger.Check(*w);

  // SQL-ish text is data: stored verbatim, harmless.
  const std::string sqlish = "Robert'); DROP TABLE lists_listings; -- \" OR 1=1 /*";
  json s = OkAs(*w, Alice(), "lists propose",
                propose({{"--uscc", {U(4)}}, {"--reason", {sqlish}}, {"--evidence", {"document:' OR '1'='1"}}}));
  const L::Listing stored = Get(*w, s["id"].get<std::string>());
  CHECK(stored.reason == sqlish);
  CHECK(json::parse(stored.evidence_json)[0]["ref"] == "' OR '1'='1");
  CHECK(OkAs(*w, Bob(), "lists list", {{"--uscc", {"' OR '1'='1"}}}).empty());
  CHECK(OkAs(*w, Bob(), "lists list", {{"--list", {"serious_illegal' OR 'a'='a"}}}).empty());
  Refused(*w, Bob(), "lists show", {{"id", {"' OR '1'='1"}}}, StatusCode::kNotFound, "no listing");
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM lists_listings") == 5);
  // The longest reason allowed, in Chinese (2000 characters, 6000 bytes), is kept whole.
  std::string longest;
  for (int i = 0; i < 2000; ++i) longest += "违";
  json lj = OkAs(*w, Alice(), "lists propose", propose({{"--uscc", {U(5)}}, {"--reason", {longest}}}));
  CHECK(Get(*w, lj["id"].get<std::string>()).reason == longest);
  ledger.Check(*w);
}

TEST_CASE("lists: evidence must have the documented shape", "[lists][hostile]") {
  auto w = MakeListsWorld();
  // record:KIND/REF and result:VISIT/ITEM (listings.h): a reference without its two parts, or
  // with a DEL character (a control character, refused in every other text), is malformed.
  for (const std::string& e : std::vector<std::string>{"result:V1", "record:penalty", "result:/",
                                                       "record:a\x7f"
                                                       "b/c"}) {
    INFO("evidence " << e);
    Refused(*w, Alice(), "lists propose",
            {{"--list", {"serious_illegal"}},
             {"--uscc", {U(1)}},
             {"--ground", {"heavy_penalty"}},
             {"--reason", {"受到较重行政处罚"}},
             {"--evidence", {e}}},
            StatusCode::kInvalidArgument, "evidence");
  }
}

TEST_CASE("lists: the courts' file: bad rows rejected by line, good rows kept, hostile files refused whole",
          "[lists][hostile][court]") {
  auto w = MakeListsWorld();
  Ledger ledger;
  const std::string outside = GeneratedUscc(99, "33", 5);
  const std::string bad_uscc = U(1).substr(0, 17) + (U(1)[17] == '0' ? "1" : "0");
  const std::string csv =
      std::string(kCourtHeader) +
      CourtRow(U(6), "宁海名单6号个体商户", "individual", "(2026)浙0226执201号", "2026-05-01") +      // 2 good
      CourtRow(bad_uscc, "某公司", "enterprise", "(2026)浙0226执202号", "2026-05-01") +               // 3
      CourtRow("33022619900101123", "张某", "natural_person", "(2026)浙0226执203号", "2026-05-01") +  // 4
      CourtRow(U(0), "某公司", "enterprise", "", "2026-05-01") +                                      // 5
      CourtRow(U(1), "某公司", "enterprise", "(2026)浙0226执205号", "2026-02-30") +                   // 6
      U(2) + ",某公司,enterprise,(2026)浙0226执206号,宁海县人民法院\n" +                              // 7
      CourtRow(U(3), "某公司", "alien", "(2026)浙0226执207号", "2026-05-01") +                        // 8
      CourtRow(U(4), "某公司", "enterprise", "(2026)浙0226执208号", "2026-05-01", "2026-04-01") +     // 9
      CourtRow(U(5), "某公司", "enterprise", "(2026)浙0226执209号", "2026-05-01", "2026-13-01") +     // 10
      CourtRow(U(5), "某公司", "enterprise", std::string(101, '9'), "2026-05-01") +                   // 11
      CourtRow(outside, "宁波外地贸易有限公司", "enterprise", "(2026)浙0226执211号", "2026-05-02");   // 12 good
  CommandRun r = ImportCourt(*w, csv);
  INFO(r.status.message() << "\n" << r.err << r.out);
  REQUIRE(r.status.ok());
  CHECK(r.exit_code == 3);
  json sum = json::parse(r.out);
  CHECK(sum["listed"] == 2);
  CHECK(sum["rejected"] == 9);
  for (int line = 3; line <= 11; ++line) CHECK_THAT(r.err, Catch::Contains("line " + std::to_string(line) + ":"));
  CHECK_THAT(r.err, !Catch::Contains("line 2:"));
  CHECK_THAT(r.err, !Catch::Contains("line 12:"));
  CHECK(AllOf(*w, "dishonest_judgment_debtors").size() == 2);
  CHECK(ListingsOf(*w, U(4)).empty());  // row 9 left nothing behind (its unit rolled back)
  CHECK(ListingsOf(*w, U(5)).empty());
  ledger.Check(*w);

  // Hostile files are refused whole and change nothing.
  const Snapshot before = Snap(*w);
  auto refused_file = [&](const std::string& what, const std::string& path, const std::string& needle) {
    CommandRun x = As(*w, Alice(), "lists import court", {{"file", {path}}});
    INFO(what << ": " << x.status.message() << "\n" << x.err);
    CHECK_FALSE(x.status.ok());
    CHECK(x.exit_code != 0);
    CHECK_THAT(x.status.message(), Catch::Contains(needle));
    CHECK((Snap(*w) == before));
  };
  refused_file("wrong header",
               WriteTemp("wrong.csv", "uscc,name,type,case,court,listed,removed\n" +
                                          CourtRow(U(7), "x", "intermediary", "(2026)浙0226执301号", "2026-05-01")),
               "the header must be");
  refused_file("a header in another order",
               WriteTemp("order.csv", "name,uscc,subject_type,case_no,court,listed_on,removed_on\n"),
               "the header must be");
  refused_file("empty", WriteTemp("empty.csv", ""), "");
  refused_file("missing", TempDir() + "/no-such-file.csv", "");
  refused_file("oversized (512 MiB + 1)", SparseFile("huge.csv", kCourtHeader, (512ull << 20) + 1), "larger than");
  ledger.Check(*w);
}

TEST_CASE("lists: the courts' names are checked like every other text of a listing", "[lists][hostile][court]") {
  auto w = MakeListsWorld();
  const Snapshot before = Snap(*w);
  const std::string csv =
      std::string(kCourtHeader) +
      CourtRow(U(5), "坏\x01公司", "enterprise", "(2026)浙0226执401号", "2026-05-01") +  // 2 control
      CourtRow(GeneratedUscc(99, "33", 6), std::string(5000, 'N'), "enterprise", "(2026)浙0226执402号",
               "2026-05-01");  // 3 length
  CommandRun r = ImportCourt(*w, csv);
  INFO(r.status.message() << "\n" << r.err << r.out);
  REQUIRE(r.status.ok());
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("line 2:"));
  CHECK_THAT(r.err, Catch::Contains("line 3:"));
  CHECK((Snap(*w) == before));
  // Whatever is stored, the feed stays well-formed XML (its writer neutralises control characters).
  const std::string feed = Get(*w, Public(), "/feeds/lists.atom").response.body;
  CHECK(XmlProblem(feed) == "");
}

TEST_CASE("lists: a malformed record in a file is one rejected line, not the end of the import",
          "[lists][hostile][court]") {
  auto w = MakeListsWorld();
  // Line 3 has a quote inside an unquoted field (the table reader refuses the record and moves on).
  const std::string court =
      std::string(kCourtHeader) +
      CourtRow(U(6), "宁海名单6号个体商户", "individual", "(2026)浙0226执501号", "2026-05-01") +
      CourtRow(U(0), "坏\"名", "enterprise", "(2026)浙0226执502号", "2026-05-01") +
      CourtRow(U(1), "宁海名单1号商贸有限公司", "enterprise", "(2026)浙0226执503号", "2026-05-01");
  CommandRun r = ImportCourt(*w, court);
  INFO(r.status.message() << "\n" << r.err << r.out);
  CHECK(r.status.ok());
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err + r.status.message(), Catch::Contains("line 3"));
  CHECK(AllOf(*w, "dishonest_judgment_debtors").size() == 2);
  const std::string reports = std::string("uscc,year,filed_on\n") + U(0) + ",2025,2026-03-01\n" + U(1) +
                              ",20\"25,2026-03-01\n" + U(2) + ",2025,2026-03-01\n";
  CommandRun a = As(*w, Alice(), "lists annual-reports import", {{"file", {WriteTemp("reports.csv", reports)}}});
  INFO(a.status.message() << "\n" << a.err << a.out);
  CHECK(a.status.ok());
  CHECK(a.exit_code == 3);
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM lists_annual_reports") == 2);
}

// =============================================================================================
// 6. Random histories against the invariant.

TEST_CASE("lists: random histories keep every listing's invariant after every step", "[lists][random]") {
  const int worlds = 3;
  const int per_world = 50;  // histories (proposals and court rows) per world: 150 in all
  const std::vector<std::string> kLists{"serious_illegal",  "abnormal_operations", "red_trustworthy",
                                        "intermediary_ban", "intermediary_red",    "intermediary_black"};
  const std::vector<std::string> kExits{"repaired", "corrected",      "objection", "penalty_revoked",
                                        "revoked",  "source_removed", "replaced"};
  const std::vector<Principal> kUsers{Alice(), Bob(), Carol(), Dave(), Erin()};
  std::vector<Principal> actors = kUsers;
  actors.push_back(Admin("ops"));
  int histories = 0, ended = 0, moved = 0, refused = 0, steps_total = 0;
  for (int wi = 0; wi < worlds; ++wi) {
    const std::uint64_t seed = 20260615 + wi;
    auto w = MakeListsWorld();
    std::mt19937_64 rng(seed);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    // An actor: three times in four one the rules admit (when there is one), else anyone.
    auto actor = [&](const std::function<bool(const Principal&)>& admitted) {
      std::vector<Principal> ok;
      for (const auto& a : actors)
        if (admitted(a)) ok.push_back(a);
      if (!ok.empty() && pick(4) != 0) return ok[pick(ok.size())];
      return actors[pick(actors.size())];
    };
    CivilDate today = Date("2026-06-15");
    std::vector<L::Listing> rows;
    std::map<std::string, std::size_t> transitions_of;
    int made = 0, court_no = 0;
    const int steps = per_world * 6;
    for (int step = 0; step < steps; ++step) {
      ++steps_total;
      std::vector<const L::Listing*> proposed, reviewed, in_force, uncorrected, court;
      for (const auto& l : rows) {
        if (l.state == L::State::kProposed) proposed.push_back(&l);
        if (l.state == L::State::kReviewed) reviewed.push_back(&l);
        if (l.state == L::State::kInForce) in_force.push_back(&l);
        if (l.state == L::State::kInForce && l.list == "abnormal_operations" && l.correction_on.empty())
          uncorrected.push_back(&l);
        if (l.state == L::State::kInForce && l.list == "dishonest_judgment_debtors") court.push_back(&l);
      }
      // The operation: weights, falling back to a jump in time when there is nothing to act on.
      const int weights[] = {made < per_world ? 4 : 0, 3, 3, 1, 2, 2, made < per_world ? 1 : 0};
      int total = 0;
      for (int x : weights) total += x;
      int roll = static_cast<int>(pick(static_cast<std::size_t>(total))), op = 0;
      while (roll >= weights[op]) roll -= weights[op++];
      if ((op == 1 && proposed.empty()) || (op == 2 && reviewed.empty()) || (op == 3 && uncorrected.empty()) ||
          (op == 4 && in_force.empty()))
        op = 5;
      std::string what;
      bool expect = true;
      CommandRun r;
      const long long transitions_before = Transitions(*w);
      const long long audit_before = Count(*w->db, "SELECT COUNT(*) FROM audit_log");
      switch (op) {
        case 0: {  // propose
          const std::string list = kLists[pick(kLists.size())];
          const int subject = static_cast<int>(pick(kSubjects));
          const ListPolicy* policy = w->platform.FindListPolicy(list);
          REQUIRE(policy != nullptr);
          std::string ground = pick(10) == 0 ? "bogus" : policy->grounds[pick(policy->grounds.size())].code;
          const Principal who = kUsers[pick(kUsers.size())];
          const std::string type = ListSubject(subject).type;
          expect = ground != "bogus" && (policy->subject_types.empty() ||
                                         std::find(policy->subject_types.begin(), policy->subject_types.end(), type) !=
                                             policy->subject_types.end());
          what =
              "propose " + list + " " + ground + " subject " + std::to_string(subject) + " (" + type + ") by " + who.id;
          r = RunPluginCommandOnlyAs(*w, who, "lists propose",
                                     {{"--list", {list}},
                                      {"--uscc", {U(subject)}},
                                      {"--ground", {ground}},
                                      {"--reason", {"随机历史 " + std::to_string(step)}},
                                      {"--evidence", {"record:penalty/R-" + std::to_string(step)}}});
          if (expect) ++made;
          break;
        }
        case 1: {  // review
          const L::Listing& l = *proposed[pick(proposed.size())];
          const Principal who =
              actor([&](const Principal& a) { return a.ActsFor(l.department) && a.id != l.proposed_by; });
          const bool approve = pick(5) != 0;
          expect = who.ActsFor(l.department) && who.id != l.proposed_by;
          what = std::string(approve ? "approve " : "reject ") + l.id + " by " + who.id;
          Args a{{"id", {l.id}}, {"--note", {"初审意见"}}};
          a[approve ? "--approve" : "--reject"] = {};
          r = RunPluginCommandOnlyAs(*w, who, "lists review", a);
          break;
        }
        case 2: {  // decide
          const L::Listing& l = *reviewed[pick(reviewed.size())];
          const Principal who = actor([&](const Principal& a) {
            return a.ActsFor(l.department) && a.id != l.proposed_by && a.id != l.reviewed_by;
          });
          const bool approve = pick(6) != 0;
          const ListPolicy* policy = w->platform.FindListPolicy(l.list);
          REQUIRE(policy != nullptr);
          expect = who.ActsFor(l.department) && who.id != l.proposed_by && who.id != l.reviewed_by;
          Args a{{"id", {l.id}}, {"--note", {"审核意见"}}};
          a[approve ? "--approve" : "--reject"] = {};
          if (approve) a["--decision-no"] = {"甬随机〔" + std::to_string(step) + "〕号"};
          std::string ends;
          if (approve && policy->validity_by_decision) {
            const int months = 1 + static_cast<int>(pick(40));
            ends = L::AddMonths(today, months).ToString();
            a["--ends"] = {ends};
            expect = expect && months <= policy->max_months;
          }
          what = std::string(approve ? "decide " : "reject ") + l.id + " (" + l.list + ") by " + who.id +
                 (ends.empty() ? "" : " ends " + ends);
          r = RunPluginCommandOnlyAs(*w, who, "lists decide", a);
          break;
        }
        case 3: {  // correct
          const L::Listing& l = *uncorrected[pick(uncorrected.size())];
          const Principal who = actor([&](const Principal& a) { return a.ActsFor(l.department); });
          expect = who.ActsFor(l.department);
          what = "correct " + l.id + " by " + who.id;
          r = RunPluginCommandOnlyAs(*w, who, "lists correct", {{"id", {l.id}}, {"--note", {"已改正"}}});
          break;
        }
        case 4: {  // end by hand
          const L::Listing& l = *in_force[pick(in_force.size())];
          const Principal who = actor([&](const Principal& a) { return a.ActsFor(l.department); });
          const std::string exit = kExits[pick(kExits.size())];
          const ListPolicy* policy = w->platform.FindListPolicy(l.list);
          REQUIRE(policy != nullptr);
          expect = who.ActsFor(l.department) &&
                   std::find(policy->exits.begin(), policy->exits.end(), exit) != policy->exits.end();
          if (exit == "repaired") {
            const int months = policy->repair_after_months > 0 ? policy->repair_after_months : policy->min_months;
            expect = expect && (months == 0 || L::PassedMonths(l.starts_on, months, today));
          }
          if (exit == "corrected") expect = expect && !l.correction_on.empty();
          what = "end " + l.id + " (" + l.list + ", from " + l.starts_on + ") by " + exit + " by " + who.id;
          r = RunPluginCommandOnlyAs(*w, who, "lists end", {{"id", {l.id}}, {"--exit", {exit}}, {"--note", {"移出"}}});
          break;
        }
        case 5: {  // time passes; the daily rules run
          const std::size_t kind = pick(20);
          const int days = kind == 0   ? 0
                           : kind < 15 ? 1 + static_cast<int>(pick(60))
                                       : 60 + static_cast<int>(pick(340));
          today = today + days;
          SetToday(*w, today.ToString());
          what = "+" + std::to_string(days) + " days to " + today.ToString() + ", lists run";
          r = RunPluginCommandOnlyAs(*w, Admin("ops"), "lists run", {});
          break;
        }
        case 6: {  // the courts' file: a new case, or a removal of one in force
          std::string csv = kCourtHeader;
          if (!court.empty() && pick(3) == 0) {
            const L::Listing& l = *court[pick(court.size())];
            csv += CourtRow(l.uscc, "某某", l.subject_type, l.decision_no, l.starts_on, today.ToString());
            what = "court removes " + l.id;
          } else {
            const int subject = static_cast<int>(pick(kSubjects + 2));
            const std::string case_no = "(2026)浙0226执" + std::to_string(wi) + "-" + std::to_string(++court_no) + "号";
            const std::string listed_on = (today - static_cast<int>(pick(30))).ToString();
            if (subject >= kSubjects)
              csv += CourtRow("3302261990010" + std::to_string(10000 + court_no), "张某", "natural_person", case_no,
                              listed_on);
            else
              csv += CourtRow(U(subject), ListSubject(subject).name, ListSubject(subject).type, case_no, listed_on);
            what = "court lists subject " + std::to_string(subject) + " " + case_no;
            ++made;
          }
          r = RunPluginCommandOnlyAs(*w, Alice(), "lists import court", {{"file", {WriteTemp("court.csv", csv)}}});
          break;
        }
      }
      INFO("world " << wi << " (seed " << seed << "), step " << step << ", " << today.ToString() << ": " << what
                    << " → " << r.status.message() << " " << r.err);
      CHECK(r.status.ok() == expect);
      CHECK((r.exit_code == 0) == expect);
      if (!r.status.ok()) {
        ++refused;
        CHECK(Transitions(*w) == transitions_before);
        CHECK(Count(*w->db, "SELECT COUNT(*) FROM audit_log") == audit_before);
      }
      // After every step: every stored listing keeps the invariant, the daily rules left nothing
      // due, nothing was deleted, and the directory's column is the set of lists in force.
      rows = All(*w);
      std::string problems;
      std::map<std::string, std::set<std::string>> in_force_by_subject;
      std::set<std::string> ids;
      for (const auto& l : rows) {
        ids.insert(l.id);
        const ListPolicy* policy = w->platform.FindListPolicy(l.list);
        if (policy == nullptr) {
          problems += l.id + ": unknown list " + l.list + "\n";
          continue;
        }
        const std::string p = L::InvariantProblem(*policy, l);
        if (!p.empty()) problems += l.id + ": " + p + "\n";
        if (l.state == L::State::kInForce) {
          const bool has_exit = !l.expires_on.empty() || std::find(policy->exits.begin(), policy->exits.end(),
                                                                   "source_removed") != policy->exits.end();
          if (!has_exit) problems += l.id + ": in force without an exit\n";
          if (!l.expires_on.empty() && l.expires_on <= today.ToString())
            problems += l.id + ": in force after its end " + l.expires_on + "\n";
          if (!l.correction_due.empty() && l.correction_due <= today.ToString())
            problems += l.id + ": in force after its correction was due " + l.correction_due + "\n";
          in_force_by_subject[l.uscc].insert(l.list);
        }
      }
      for (const auto& [id, n] : transitions_of)
        if (!ids.count(id)) problems += id + ": deleted\n";
      for (const auto& row : Rows(*w->db, "SELECT uscc, listings FROM subjects ORDER BY uscc")) {
        std::string want;
        for (const auto& code : in_force_by_subject[row[0]]) want += (want.empty() ? "" : ";") + code;
        if (row[1] != want) problems += row[0] + ": listings '" + row[1] + "', in force '" + want + "'\n";
      }
      for (const auto& r2 :
           Rows(*w->db, "SELECT listing_id, CAST(COUNT(*) AS TEXT) FROM lists_transitions GROUP BY listing_id")) {
        const std::size_t n = std::stoul(r2[1]);
        if (n < transitions_of[r2[0]]) problems += r2[0] + ": lost transitions\n";
        transitions_of[r2[0]] = n;
      }
      INFO(problems);
      REQUIRE(problems.empty());
    }
    // The trail of every listing: each transition with its audit record and event.
    DeliverEvents(*w);
    for (const auto& l : rows) {
      const auto t = Trail(*w, l.id);
      CHECK(t.size() == transitions_of[l.id]);
      ended += l.state == L::State::kEnded;
      moved += l.end_reason == "moved";
    }
    CHECK(AuditChainVerifies(*w->db));
    histories += made;
  }
  // The runs went through the lives they were meant to: many listings, many ended, some moved.
  INFO(histories << " histories, " << ended << " ended, " << moved << " moved, " << refused << " refused in "
                 << steps_total << " steps");
  CHECK(histories >= worlds * per_world * 8 / 10);
  CHECK(ended > histories / 4);
  CHECK(refused > 0);
}

// =============================================================================================
// 7. The public API, the pages, the feed and the subject page.

TEST_CASE("lists: the public sees listings in force only, never a proposal, a rejection or a natural person",
          "[lists][web]") {
  auto w = MakeListsWorld();
  const std::string script = InForce(*w, "serious_illegal", U(11), "heavy_penalty");
  const std::string proposal = Propose(*w, "serious_illegal", U(0), "heavy_penalty");
  const std::string rejected = Propose(*w, "serious_illegal", U(1), "heavy_penalty");
  OkAs(*w, Bob(), "lists review", {{"id", {rejected}}, {"--reject", {}}, {"--note", {"不予列入"}}});
  const std::string reviewed = Propose(*w, "abnormal_operations", U(2), "unreachable_address");
  Review(*w, reviewed);
  const std::string gone = InForce(*w, "abnormal_operations", U(3), "unreachable_address");
  End(*w, gone, "objection");
  const std::string person = "330226198507071234";
  ImportCourtOk(*w, std::string(kCourtHeader) +
                        CourtRow(person, "李某某", "natural_person", "(2026)浙0226执601号", "2026-05-01") +
                        CourtRow(U(6), "宁海名单6号个体商户", "individual", "(2026)浙0226执602号", "2026-05-01"));
  std::string person_id;
  for (const auto& l : AllOf(*w, "dishonest_judgment_debtors"))
    if (l.subject_type == "natural_person") person_id = l.id;
  REQUIRE_FALSE(person_id.empty());
  const std::vector<std::string> hidden{U(0),     U(1), U(2),   U(3),      proposal, rejected,
                                        reviewed, gone, person, person_id, "李某某"};
  auto none_hidden = [&](const std::string& body) {
    for (const auto& h : hidden) CHECK_THAT(body, !Catch::Contains(h));
  };

  // The list types with their counts in force.
  Got types = Get(*w, Public(), "/api/v1/lists");
  REQUIRE(types.status.ok());
  const json types_json = types.Json();
  std::map<std::string, json> by_code;
  for (const json& t : types_json["lists"]) by_code[t["code"].get<std::string>()] = t;
  CHECK(by_code.size() == 7);
  CHECK(by_code["serious_illegal"]["in_force"] == 1);
  CHECK(by_code["abnormal_operations"]["in_force"] == 0);
  CHECK(by_code["dishonest_judgment_debtors"]["in_force"] == 1);
  CHECK(by_code["serious_illegal"]["legal_basis"].get<std::string>().find("第44号") != std::string::npos);
  none_hidden(types.response.body);

  // A list: in force only, with the public fields.
  Got serious = Get(*w, Public(), "/api/v1/lists/{code}", {{"code", "serious_illegal"}});
  REQUIRE(serious.status.ok());
  json sj = serious.Json();
  CHECK(sj["total"] == 1);
  REQUIRE(sj["items"].size() == 1);
  CHECK(sj["items"][0]["id"] == script);
  CHECK(sj["items"][0]["subject_name"] == kScriptName);  // JSON carries the name as it is
  CHECK(sj["items"][0]["state"] == "in_force");
  CHECK(sj["items"][0]["authority"]["zh"] == "市场监督管理部门");
  CHECK_FALSE(sj["items"][0].contains("proposed_by"));
  CHECK_FALSE(sj["items"][0].contains("evidence"));
  none_hidden(serious.response.body);
  // The department sees the same public list; the abnormal list has nobody in force now, and
  // an ended listing is not public (no publicity after the end).
  CHECK(Get(*w, ViewerOf("SCJG"), "/api/v1/lists/{code}", {{"code", "serious_illegal"}}).Json()["total"] == 1);
  Got abnormal = Get(*w, Public(), "/api/v1/lists/{code}", {{"code", "abnormal_operations"}});
  CHECK(abnormal.Json()["total"] == 0);
  Got ended = Get(*w, Public(), "/api/v1/lists/{code}", {{"code", "abnormal_operations"}}, {{"state", "ended"}});
  REQUIRE(ended.status.ok());
  CHECK(ended.Json()["total"] == 0);
  none_hidden(abnormal.response.body + ended.response.body);
  CHECK(
      Get(*w, Public(), "/api/v1/lists/{code}", {{"code", "serious_illegal"}}, {{"state", "proposed"}}).status.code() ==
      StatusCode::kInvalidArgument);
  CHECK(Get(*w, Public(), "/api/v1/lists/{code}", {{"code", "no_such_list"}}).status.code() == StatusCode::kNotFound);
  CHECK(Get(*w, Public(), "/api/v1/lists/{code}", {{"code", "serious_illegal"}}, {{"limit", "-1"}}).status.code() ==
        StatusCode::kInvalidArgument);
  // Open data: the same rows and public fields as CSV, JSON Lines and Excel.
  {
    const std::map<std::string, std::string> code{{"code", "serious_illegal"}};
    Got csv = Get(*w, Public(), "/api/v1/lists/{code}/listings.csv", code);
    REQUIRE(csv.status.ok());
    CHECK(csv.response.content_type.rfind("text/csv", 0) == 0);
    CHECK(csv.response.body.rfind("\xEF\xBB\xBF", 0) == 0);  // UTF-8 with a BOM, as Excel wants it
    CHECK(std::count(csv.response.body.begin(), csv.response.body.end(), '\n') == 2);  // the head and one listing
    CHECK(csv.response.body.find(script) != std::string::npos);
    none_hidden(csv.response.body);
    Got gb = Get(*w, Public(), "/api/v1/lists/{code}/listings.csv", code, {{"encoding", "gb18030"}});
    REQUIRE(gb.status.ok());
    CHECK(gb.response.content_type.find("gb18030") != std::string::npos);
    Got lines = Get(*w, Public(), "/api/v1/lists/{code}/listings.jsonl", code);
    REQUIRE(lines.status.ok());
    const json first = json::parse(lines.response.body.substr(0, lines.response.body.find('\n')));
    CHECK(first["id"] == script);
    CHECK(first["subject_name"] == kScriptName);
    CHECK(first["list"] == "严重违法失信名单");
    CHECK_FALSE(first.contains("evidence"));
    none_hidden(lines.response.body);
    Got book = Get(*w, Public(), "/api/v1/lists/{code}/listings.xlsx", code);
    REQUIRE(book.status.ok());
    CHECK(book.response.body.rfind("PK", 0) == 0);
    // Bad parameters and unknown lists: 400 and 404, nothing else.
    CHECK(Get(*w, Public(), "/api/v1/lists/{code}/listings.csv", code, {{"encoding", "latin1"}}).status.code() ==
          StatusCode::kInvalidArgument);
    CHECK(Get(*w, Public(), "/api/v1/lists/{code}/listings.jsonl", code, {{"encoding", "gb18030"}}).status.code() ==
          StatusCode::kInvalidArgument);
    CHECK(Get(*w, Public(), "/api/v1/lists/{code}/listings.csv", code, {{"x", "1"}}).status.code() ==
          StatusCode::kInvalidArgument);
    CHECK(Get(*w, Public(), "/api/v1/lists/{code}/listings.xlsx", code, {{"limit", "10001"}}).status.code() ==
          StatusCode::kInvalidArgument);
    CHECK(Get(*w, Public(), "/api/v1/lists/{code}/listings.csv", {{"code", "no_such_list"}}).status.code() ==
          StatusCode::kNotFound);
    Got none = Get(*w, Public(), "/api/v1/lists/{code}/listings.csv", {{"code", "abnormal_operations"}});
    REQUIRE(none.status.ok());
    CHECK(std::count(none.response.body.begin(), none.response.body.end(), '\n') == 1);  // the head only
  }

  // One listing: 404 to the public unless in force; everything with its history to the department.
  for (const auto& id : {proposal, rejected, reviewed, gone, person_id}) {
    INFO(id);
    CHECK(Get(*w, Public(), "/api/v1/listings/{id}", {{"id", id}}).status.code() == StatusCode::kNotFound);
    CHECK(Get(*w, ViewerOf("WJW"), "/api/v1/listings/{id}", {{"id", id}}).status.code() == StatusCode::kNotFound);
  }
  CHECK(Get(*w, Public(), "/api/v1/listings/{id}", {{"id", "LST-2026-999999"}}).status.code() == StatusCode::kNotFound);
  Got pub = Get(*w, Public(), "/api/v1/listings/{id}", {{"id", script}});
  REQUIRE(pub.status.ok());
  json pj = pub.Json();
  CHECK(pj["state"] == "in_force");
  CHECK(pj["expires_on"] == "2029-06-15");
  CHECK_FALSE(pj.contains("history"));
  CHECK_FALSE(pj.contains("proposed_by"));
  CHECK_FALSE(pj.contains("evidence"));
  Got full = Get(*w, ViewerOf("SCJG"), "/api/v1/listings/{id}", {{"id", proposal}});
  REQUIRE(full.status.ok());
  json fj = full.Json();
  CHECK(fj["state"] == "proposed");
  CHECK(fj["proposed_by"] == "alice");
  REQUIRE(fj["history"].size() == 1);
  CHECK(fj["history"][0]["action"] == "proposed");
  json fs = Get(*w, ViewerOf("SCJG"), "/api/v1/listings/{id}", {{"id", script}}).Json();
  REQUIRE(fs["history"].size() == 3);
  CHECK(fs["history"][2]["actor"] == "carol");
  json fp = Get(*w, ViewerOf("SCJG"), "/api/v1/listings/{id}", {{"id", person_id}}).Json();
  // A natural person's ID number is masked wherever it is shown, the department's view too
  // (docs/lists.md); the department finds the person by the listing's id.
  CHECK(fp["uscc"] == xj::lists::MaskIdentifier(person));
  CHECK(fp["uscc"] != person);

  // Pages: the lists and one list, names escaped.
  Got lists_page = Get(*w, Public(), "/lists");
  REQUIRE(lists_page.status.ok());
  CHECK_THAT(lists_page.response.body, Catch::Contains("href=\"/lists/serious_illegal\""));
  CHECK_THAT(lists_page.response.body, Catch::Contains("严重违法失信名单"));
  CHECK_THAT(lists_page.response.body, Catch::Contains("href=\"/feeds/lists.atom\""));
  Got page = Get(*w, Public(), "/lists/{code}", {{"code", "serious_illegal"}});
  REQUIRE(page.status.ok());
  CHECK(page.response.content_type.rfind("text/html", 0) == 0);
  CHECK_THAT(page.response.body, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;测试&amp;公司"));
  CHECK_THAT(page.response.body, !Catch::Contains("<script>"));
  CHECK_THAT(page.response.body, Catch::Contains(U(11)));
  none_hidden(page.response.body);
  CHECK(Get(*w, Public(), "/lists/{code}", {{"code", "<script>"}}).status.code() == StatusCode::kNotFound);
  Got debtors_page = Get(*w, Public(), "/lists/{code}", {{"code", "dishonest_judgment_debtors"}});
  CHECK_THAT(debtors_page.response.body, Catch::Contains(U(6)));
  none_hidden(debtors_page.response.body);

  // The feed: well-formed Atom with the comings and goings, names escaped.
  auto entry = [](const std::string& id, const std::string& action) {
    return "<id>" + opendata::StableId("lists", id + ":" + action) + "</id>";
  };
  Got feed = Get(*w, Public(), "/feeds/lists.atom");
  REQUIRE(feed.status.ok());
  const std::string& x = feed.response.body;
  CHECK(feed.response.content_type.rfind("application/atom+xml", 0) == 0);
  CHECK(x.rfind("<?xml", 0) == 0);
  CHECK(XmlProblem(x) == "");
  CHECK_THAT(x, Catch::Contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
  CHECK_THAT(x, Catch::Contains(entry(script, "in_force")));
  CHECK_THAT(x, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;测试&amp;公司"));
  CHECK_THAT(x, !Catch::Contains("<script>"));
  CHECK_THAT(x, Catch::Contains(entry(gone, "in_force")));
  CHECK_THAT(x, Catch::Contains(entry(gone, "ended")));  // a removal is news
  CHECK_THAT(x, Catch::Contains("href=\"/api/v1/listings/" + script + "\""));
  for (const auto& id : {proposal, rejected, reviewed, person_id}) {
    CHECK_THAT(x, !Catch::Contains(entry(id, "in_force")));
    CHECK_THAT(x, !Catch::Contains(entry(id, "ended")));
    CHECK_THAT(x, !Catch::Contains("/api/v1/listings/" + id + "\""));
  }
  CHECK_THAT(x, !Catch::Contains(person));
  CHECK_THAT(x, !Catch::Contains("李某某"));
  // One list only (?list=), and a bad limit.
  Got only = Get(*w, Public(), "/feeds/lists.atom", {}, {{"list", "abnormal_operations"}});
  REQUIRE(only.status.ok());
  CHECK(XmlProblem(only.response.body) == "");
  CHECK_THAT(only.response.body, Catch::Contains(entry(gone, "ended")));
  CHECK_THAT(only.response.body, !Catch::Contains(entry(script, "in_force")));
  CHECK(Get(*w, Public(), "/feeds/lists.atom", {}, {{"limit", "0"}}).status.code() == StatusCode::kInvalidArgument);
  CHECK(XmlProblem("<?xml version=\"1.0\"?>\n<a><b>x &amp; y</b></a>") == "");  // the checker itself
  CHECK_FALSE(XmlProblem("<?xml version=\"1.0\"?>\n<a><b>x & y</b></a>").empty());
  CHECK_FALSE(XmlProblem("<?xml version=\"1.0\"?>\n<a><b></a></b>").empty());
  CHECK_FALSE(XmlProblem("<?xml version=\"1.0\"?>\n<a><script>x</a>").empty());

  // The subject page's section: the listings in force, escaped; nothing for the others.
  const std::string section = SubjectSection(*w, U(11));
  CHECK_THAT(section, Catch::Contains("&lt;script&gt;"));
  CHECK_THAT(section, !Catch::Contains("<script>"));
  CHECK_THAT(section, Catch::Contains("受到较重行政处罚且属严重违法失信情形"));  // the ground, in words
  for (int i : {0, 1, 2, 3}) CHECK(SubjectSection(*w, U(i)).empty());
  CHECK(SubjectSection(*w, person).empty());
  CHECK(SubjectSection(*w, "' OR '1'='1").empty());
  CHECK_THAT(SubjectSection(*w, U(6)), Catch::Contains("人民法院依法纳入失信被执行人名单"));
}

// ---------------------------------------------------------------------------------------------
// Objections and repair: listings and credit records (the credit plugin's, through its service).

namespace {

const RegisteredRoute& RouteIn(const std::string& plugin, const std::string& pattern) {
  for (const auto& r : DrawHost().routes())
    if (r.plugin == plugin && r.spec.pattern == pattern) return r;
  FAIL("no route " << pattern << " of " << plugin);
  throw std::logic_error("unreachable");
}

Got Call(TaskWorld& w, const Principal& who, const std::string& plugin, HttpMethod method, const std::string& pattern,
         std::map<std::string, std::string> params, const std::string& body = "") {
  HttpRequest req;
  req.method = method;
  req.path = pattern;
  req.path_params = std::move(params);
  req.body = body;
  FakeHttp http(w.platform, who, req);
  Got g;
  g.status = RouteIn(plugin, pattern).fn(http);
  g.response = http.response();
  return g;
}

const char* const kRecordHeader = "uscc,kind,ref,category,occurred_on,value,authority,basis,attributes\n";
std::string PenaltyRow(const std::string& uscc, const std::string& ref, const std::string& category,
                       const std::string& on, const std::string& value, const std::string& attributes = "") {
  return uscc + ",penalty," + ref + "," + category + "," + on + "," + value + ",宁波市市场监督管理局,《食品安全法》第一百二十四条," +
         (attributes.empty() ? "" : "\"" + attributes + "\"") + "\n";
}

json ImportRecordsOk(TaskWorld& w, const std::string& csv) {
  static int n = 0;
  return OkAs(w, Admin(), "credit import records", {{"file", {WriteTemp("records-" + std::to_string(++n) + ".csv", csv)}}});
}

// The record's row: is_public, disputed, publicity_ended_on, publicity_end_reason, withdrawn_on, title.
std::vector<std::string> RecordRow(TaskWorld& w, const std::string& ref) {
  auto r = Rows(*w.db,
                "SELECT CAST(is_public AS TEXT), CAST(disputed AS TEXT), COALESCE(publicity_ended_on, ''), "
                "COALESCE(publicity_end_reason, ''), COALESCE(withdrawn_on, ''), title, category FROM credit_records "
                "WHERE kind = 'penalty' AND ref = :k",
                ref);
  REQUIRE(r.size() == 1);
  return r[0];
}

long long Points(TaskWorld& w, const std::string& uscc) {
  auto r = Rows(*w.db, "SELECT CAST(points AS TEXT) FROM credit_scores WHERE uscc = :k", uscc);
  REQUIRE(r.size() == 1);
  return std::stoll(r[0][0]);
}

// The subject's records as the public sees them on the credit API: id → disputed.
std::map<std::string, bool> PublicRecords(TaskWorld& w, const std::string& uscc) {
  Got g = Call(w, Public(), "credit", HttpMethod::kGet, "/api/v1/subjects/{uscc}/credit", {{"uscc", uscc}});
  INFO(g.response.body.substr(0, 600));
  REQUIRE(g.status.ok());
  const json j = g.Json();
  REQUIRE(j["scope"] == "public");
  std::map<std::string, bool> out;
  for (const json& r : j["records"]) out[r["id"].get<std::string>()] = r["disputed"].get<bool>();
  return out;
}

std::string WorkingDaysAfter(TaskWorld& w, const std::string& from, int n) {
  auto cal = w.platform.Calendar();
  REQUIRE(cal.ok());
  auto d = cal.value()->AddWorkingDays(Date(from), n);
  REQUIRE(d.ok());
  return d.value().ToString();
}

}  // namespace

TEST_CASE("lists: an objection to a record or a listing is marked at once, carded, extended once and decided",
          "[lists][remedies]") {
  auto w = MakeListsWorld();
  const std::string listing = InForce(*w, "serious_illegal", U(0), "heavy_penalty");
  ImportRecordsOk(*w, std::string(kRecordHeader) + PenaltyRow(U(1), "甬市监罚〔2026〕201号", "fine", "2026-06-01", "50000") +
                          PenaltyRow(U(2), "甬市监罚〔2026〕202号", "fine", "2026-06-01", "50000") +
                          PenaltyRow(U(3), "甬市监罚〔2026〕203号", "fine", "2026-06-01", "50000") +
                          PenaltyRow(U(4), "甬市监罚〔2026〕204号", "fine", "2026-06-01", "50000") +
                          PenaltyRow(U(5), "甬市监罚〔2026〕205号", "fine", "2026-06-02", "50000"));
  const std::string r1 = "penalty/甬市监罚〔2026〕201号";
  CHECK(PublicRecords(*w, U(1)) == std::map<std::string, bool>{{r1, false}});

  // Anyone, through the public API: 201, the record is disputed at once; the answer never
  // names the objector or the contact.
  const json body{{"record", r1}, {"objector", "王某"}, {"contact", "13900000000"}, {"grounds", "处罚决定已被复议撤销"}};
  Got posted = Call(*w, Public(), "lists", HttpMethod::kPost, "/api/v1/subjects/{uscc}/credit/objections",
                    {{"uscc", U(1)}}, body.dump());
  INFO(posted.status.message());
  REQUIRE(posted.status.ok());
  CHECK(posted.response.status == 201);
  const json o1 = posted.Json();
  CHECK(o1["record"] == r1);
  CHECK(o1["listing"].is_null());
  CHECK(o1["due_on"] == WorkingDaysAfter(*w, "2026-06-15", 5));
  CHECK_THAT(posted.response.body, !Catch::Contains("王某") && !Catch::Contains("13900000000"));
  CHECK(PublicRecords(*w, U(1)) == std::map<std::string, bool>{{r1, true}});
  CHECK(RecordRow(*w, "甬市监罚〔2026〕201号")[1] == "1");
  CHECK(AuditCount(*w->db, "credit.record.dispute", r1) == 1);
  const long long points1 = Points(*w, U(1));

  // Through the API, a record is found only with its own subject and only while published.
  for (const auto& [uscc, rec] : std::vector<std::pair<std::string, std::string>>{
           {U(2), r1}, {U(1), "penalty/没有这条"}, {U(1), "penalty"}, {U(1), std::string(500, 'x')}}) {
    INFO(uscc << " " << rec.substr(0, 40));
    const auto before = Snap(*w);
    Got g = Call(*w, Public(), "lists", HttpMethod::kPost, "/api/v1/subjects/{uscc}/credit/objections", {{"uscc", uscc}},
                 json{{"record", rec}, {"objector", "王某"}, {"grounds", "理由"}}.dump());
    CHECK_FALSE(g.status.ok());
    CHECK((g.status.code() == StatusCode::kNotFound || g.status.code() == StatusCode::kInvalidArgument));
    CHECK((Snap(*w) == before));
  }
  for (const std::string& bad : {std::string("[]"), std::string("not json"), std::string("{\"record\": 5}"),
                                 json{{"record", "penalty/甬市监罚〔2026〕202号"}, {"objector", ""}, {"grounds", "x"}}.dump(),
                                 json{{"record", "penalty/甬市监罚〔2026〕202号"}, {"objector", "王某"},
                                      {"grounds", std::string(5000, 'x')}}.dump(),
                                 json{{"record", "penalty/甬市监罚〔2026〕202号"}, {"objector", "王\x01某"}, {"grounds", "x"}}.dump()}) {
    INFO(bad.substr(0, 60));
    const auto before = Snap(*w);
    Got g = Call(*w, Public(), "lists", HttpMethod::kPost, "/api/v1/subjects/{uscc}/credit/objections", {{"uscc", U(2)}}, bad);
    CHECK(g.status.code() == StatusCode::kInvalidArgument);
    CHECK((Snap(*w) == before));
    CHECK(RecordRow(*w, "甬市监罚〔2026〕202号")[1] == "0");
  }

  // By a supervisor: the other records and the listing.
  auto submit = [&](const std::string& target) {
    json j = OkAs(*w, Alice(), "lists objection submit",
                  {{"target", {target}}, {"--objector", {"李某"}}, {"--grounds", {"事实认定有误 / wrong facts"}}});
    CHECK(j["state"] == "open");
    return j["id"].get<std::string>();
  };
  const std::string o2 = submit("record:penalty/甬市监罚〔2026〕202号");
  const std::string o3 = submit("record:penalty/甬市监罚〔2026〕203号");
  const std::string o4 = submit("record:penalty/甬市监罚〔2026〕204号");
  const std::string o5 = submit("record:penalty/甬市监罚〔2026〕205号");
  const std::string ol = submit(listing);
  CHECK(Get(*w, listing).disputed);
  // What is not published cannot be objected to; a malformed target is refused.
  Refused(*w, Alice(), "lists objection submit",
          {{"target", {"record:penalty/没有这条"}}, {"--objector", {"李某"}}, {"--grounds", {"x"}}},
          StatusCode::kNotFound, "published credit record");
  Refused(*w, Alice(), "lists objection submit", {{"target", {"record:penalty"}}, {"--objector", {"李某"}}, {"--grounds", {"x"}}},
          StatusCode::kInvalidArgument, "record:KIND/REF");

  // Cards on the deadline: none before it, yellow on it, red after it.
  const std::string due = WorkingDaysAfter(*w, "2026-06-15", 5);
  auto card_of = [&](const std::string& id) {
    for (const json& o : OkAs(*w, Carol(), "lists objection list", {}))
      if (o["id"] == id) return o["card"].get<std::string>();
    FAIL("objection " << id << " not listed");
    return std::string();
  };
  CHECK(card_of(o1.value("id", std::string())).empty());
  SetToday(*w, due);
  CHECK(card_of(o2) == "yellow");
  CHECK(card_of(ol) == "yellow");
  // Only a department whose jurisdiction holds the subject handles a record's objection; the
  // listing's only its department.
  Principal stranger = User("zed", "NOPE");
  Principal inspector = User("ivan", "SCJG");
  inspector.roles = {kRoleInspector};
  Refused(*w, stranger, "lists objection extend", {{"id", {o2}}, {"--reason", {"需要调查"}}}, StatusCode::kPermissionDenied,
          "jurisdiction");
  Refused(*w, inspector, "lists objection extend", {{"id", {o2}}, {"--reason", {"需要调查"}}}, StatusCode::kPermissionDenied,
          "jurisdiction");
  CHECK(As(*w, stranger, "lists objection list", {}).out.find(o2) == std::string::npos);
  // Extended once, to 20 working days from the submission; not twice.
  json ext = OkAs(*w, Carol(), "lists objection extend", {{"id", {o2}}, {"--reason", {"需要向复议机关核实 / to be verified"}}});
  CHECK(ext["due_on"] == WorkingDaysAfter(*w, "2026-06-15", 20));
  CHECK(ext["extended"] == true);
  Refused(*w, Carol(), "lists objection extend", {{"id", {o2}}, {"--reason", {"again"}}}, StatusCode::kFailedPrecondition,
          "extended once");
  SetToday(*w, (Date(due) + 1).ToString());
  CHECK(card_of(o3) == "red");
  CHECK(card_of(o2).empty());
  Refused(*w, Carol(), "lists objection extend", {{"id", {o3}}, {"--reason", {"late"}}}, StatusCode::kFailedPrecondition,
          "overdue");

  // Decisions. Hostile ones first: each refused, nothing changed.
  Refused(*w, Carol(), "lists objection decide",
          {{"id", {o3}}, {"--outcome", {"correct"}}, {"--decision", {"更正"}}, {"--correct", {"owner=me"}}},
          StatusCode::kInvalidArgument, "FIELD=VALUE");
  Refused(*w, Carol(), "lists objection decide",
          {{"id", {o3}}, {"--outcome", {"correct"}}, {"--decision", {"更正"}}, {"--correct", {"title=a", "title=b"}}},
          StatusCode::kInvalidArgument, "twice");
  Refused(*w, Carol(), "lists objection decide",
          {{"id", {o3}}, {"--outcome", {"correct"}}, {"--decision", {"更正"}}, {"--correct", {"category=nope"}}},
          StatusCode::kInvalidArgument, "category");
  Refused(*w, Carol(), "lists objection decide",
          {{"id", {o3}}, {"--outcome", {"keep"}}, {"--decision", {"维持"}}, {"--correct", {"title=x"}}},
          StatusCode::kInvalidArgument, "--correct");
  Refused(*w, Carol(), "lists objection decide", {{"id", {o3}}, {"--outcome", {"correct"}}, {"--decision", {"更正"}}},
          StatusCode::kInvalidArgument, "--correct FIELD=VALUE");
  Refused(*w, Carol(), "lists objection decide",
          {{"id", {o3}}, {"--outcome", {"correct"}}, {"--decision", {"更正"}}, {"--corrected-reason", {"x"}}},
          StatusCode::kInvalidArgument, "--correct FIELD=VALUE");
  Refused(*w, stranger, "lists objection decide", {{"id", {o3}}, {"--outcome", {"keep"}}, {"--decision", {"维持"}}},
          StatusCode::kPermissionDenied, "jurisdiction");

  // keep: the mark goes, the record stays public, the score does not move.
  json d1 = OkAs(*w, Carol(), "lists objection decide",
                 {{"id", {o1["id"].get<std::string>()}}, {"--outcome", {"keep"}}, {"--decision", {"维持 / kept"}}});
  CHECK(d1["outcome"] == "keep");
  CHECK(PublicRecords(*w, U(1)) == std::map<std::string, bool>{{r1, false}});
  CHECK(Points(*w, U(1)) == points1);
  // correct: the record's fields rewritten (a warning, published 3 months instead of 36: no
  // longer public on this day), rescored; the mark goes.
  const long long points3 = Points(*w, U(3));
  OkAs(*w, Carol(), "lists objection decide",
       {{"id", {o3}}, {"--outcome", {"correct"}}, {"--decision", {"处罚种类更正为警告"}},
        {"--correct", {"category=warning", "title=更正后的标题"}}});
  CHECK(RecordRow(*w, "甬市监罚〔2026〕203号")[6] == "warning");
  CHECK(RecordRow(*w, "甬市监罚〔2026〕203号")[5] == "更正后的标题");
  CHECK(RecordRow(*w, "甬市监罚〔2026〕203号")[1] == "0");
  CHECK(Points(*w, U(3)) != points3);
  // stop_disclosure: the publicity ends on the day, the public no longer sees it, the score follows.
  const long long points4 = Points(*w, U(4));
  OkAs(*w, Carol(), "lists objection decide", {{"id", {o4}}, {"--outcome", {"stop_disclosure"}}, {"--decision", {"停止公示"}}});
  const auto row4 = RecordRow(*w, "甬市监罚〔2026〕204号");
  CHECK(row4[0] == "0");
  CHECK(row4[1] == "0");
  CHECK(row4[2] == (Date(due) + 1).ToString());
  CHECK(row4[3] == "stop_disclosure");
  CHECK(PublicRecords(*w, U(4)).empty());
  CHECK(Points(*w, U(4)) > points4);
  // An import of the same record does not bring its publicity back.
  ImportRecordsOk(*w, std::string(kRecordHeader) + PenaltyRow(U(4), "甬市监罚〔2026〕204号", "fine", "2026-06-01", "50000"));
  CHECK(RecordRow(*w, "甬市监罚〔2026〕204号")[0] == "0");
  CHECK(PublicRecords(*w, U(4)).empty());
  CHECK(OkAs(*w, Admin(), "credit publicity", {})["changed"] == 0);
  CHECK(RecordRow(*w, "甬市监罚〔2026〕204号")[0] == "0");
  // remove: the record is withdrawn.
  OkAs(*w, Carol(), "lists objection decide", {{"id", {o5}}, {"--outcome", {"remove"}}, {"--decision", {"撤销"}}});
  CHECK(RecordRow(*w, "甬市监罚〔2026〕205号")[4] == (Date(due) + 1).ToString());
  CHECK(PublicRecords(*w, U(5)).empty());
  // The listing's objection, kept: its mark goes.
  OkAs(*w, Carol(), "lists objection decide", {{"id", {ol}}, {"--outcome", {"keep"}}, {"--decision", {"维持"}}});
  CHECK_FALSE(Get(*w, listing).disputed);
  // A decided objection is not decided again; the open one (extended) is still listed.
  Refused(*w, Carol(), "lists objection decide", {{"id", {o4}}, {"--outcome", {"keep"}}, {"--decision", {"x"}}},
          StatusCode::kFailedPrecondition, "decided");
  const json open = OkAs(*w, Carol(), "lists objection list", {});
  REQUIRE(open.size() == 1);
  CHECK(open[0]["id"] == o2);
  CHECK(open[0]["record"] == "penalty/甬市监罚〔2026〕202号");
  // Every step has its audit record and event.
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM events WHERE topic = 'lists.objection.submitted'") == 6);
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM events WHERE topic = 'lists.objection.decided'") == 5);
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM events WHERE topic = 'credit.record.publicity_ended'") == 1);
  CHECK(AuditChainVerifies(*w->db));
}

TEST_CASE("lists: a record's repair waits for its minimum period, its obligations and no listing citing it",
          "[lists][remedies]") {
  auto w = MakeListsWorld();
  // U(0): a penalty cited by a listing in force (Propose's evidence); U(1): a plain penalty;
  // U(2): a food-safety penalty (12 months); U(3): a penalty followed by another one.
  ImportRecordsOk(*w, std::string(kRecordHeader) + PenaltyRow(U(0), "甬市监罚〔2026〕1号", "fine", "2026-06-01", "50000") +
                          PenaltyRow(U(1), "甬市监罚〔2026〕301号", "fine", "2026-06-01", "50000") +
                          PenaltyRow(U(2), "甬市监罚〔2026〕302号", "fine", "2026-06-01", "50000", "{\"\"domain\"\": \"\"food\"\"}") +
                          PenaltyRow(U(3), "甬市监罚〔2026〕303号", "fine", "2026-06-01", "50000") +
                          PenaltyRow(U(3), "甬市监罚〔2026〕304号", "fine", "2026-06-10", "20000"));
  const std::string listing = InForce(*w, "serious_illegal", U(0), "heavy_penalty");
  auto apply = [&](const std::string& ref) {
    json j = OkAs(*w, Alice(), "lists repair apply",
                  {{"target", {"record:penalty/" + ref}},
                   {"--evidence", {"document:罚款缴纳凭证"}},
                   {"--commitment", {"本企业承诺依法诚信经营"}}});
    CHECK(j["state"] == "submitted");
    CHECK(j["record"] == "penalty/" + ref);
    return j;
  };
  // Too early: refused, naming each unmet condition; the application is then refused.
  json early = apply("甬市监罚〔2026〕301号");
  CHECK(early["due_on"] == WorkingDaysAfter(*w, "2026-06-15", 10));
  Refused(*w, Alice(), "lists repair apply",
          {{"target", {"record:penalty/甬市监罚〔2026〕301号"}}, {"--evidence", {"document:x"}}, {"--commitment", {"承诺"}}},
          StatusCode::kAlreadyExists, "awaiting its decision");
  Refused(*w, Carol(), "lists repair decide", {{"id", {early["id"].get<std::string>()}}, {"--approve", {}}},
          StatusCode::kFailedPrecondition, "fewer than 6 months in publicity");
  Refused(*w, User("zed", "NOPE"), "lists repair decide",
          {{"id", {early["id"].get<std::string>()}}, {"--refuse", {}}, {"--reason", {"x"}}}, StatusCode::kPermissionDenied,
          "jurisdiction");
  OkAs(*w, Carol(), "lists repair decide",
       {{"id", {early["id"].get<std::string>()}}, {"--refuse", {}}, {"--reason", {"公示未满六个月 / too early"}}});
  CHECK(RecordRow(*w, "甬市监罚〔2026〕301号")[0] == "1");

  // Six months on: approved once the obligations are confirmed; the publicity ends, the score follows.
  SetToday(*w, "2026-12-01");
  const long long before = Points(*w, U(1));
  json again = apply("甬市监罚〔2026〕301号");
  Refused(*w, Carol(), "lists repair decide", {{"id", {again["id"].get<std::string>()}}, {"--approve", {}}},
          StatusCode::kFailedPrecondition, "obligations are not confirmed");
  json ok = OkAs(*w, Carol(), "lists repair decide",
                 {{"id", {again["id"].get<std::string>()}}, {"--approve", {}}, {"--obligations-met", {}}});
  CHECK(ok["state"] == "approved");
  const auto row = RecordRow(*w, "甬市监罚〔2026〕301号");
  CHECK(row[0] == "0");
  CHECK(row[2] == "2026-12-01");
  CHECK(row[3] == "repaired");
  CHECK(PublicRecords(*w, U(1)).empty());
  CHECK(Points(*w, U(1)) > before);
  // Nothing left to repair.
  Refused(*w, Alice(), "lists repair apply",
          {{"target", {"record:penalty/甬市监罚〔2026〕301号"}}, {"--evidence", {"document:x"}}, {"--commitment", {"承诺"}}},
          StatusCode::kFailedPrecondition, "not in publicity");

  // Food safety: 12 months. A later penalty of the same kind bars it. A listing citing it bars it.
  const std::string food = apply("甬市监罚〔2026〕302号")["id"];
  Refused(*w, Carol(), "lists repair decide", {{"id", {food}}, {"--approve", {}}, {"--obligations-met", {}}},
          StatusCode::kFailedPrecondition, "fewer than 12 months");
  const std::string later = apply("甬市监罚〔2026〕303号")["id"];
  Refused(*w, Carol(), "lists repair decide", {{"id", {later}}, {"--approve", {}}, {"--obligations-met", {}}},
          StatusCode::kFailedPrecondition, "new records of the same kind");
  const std::string cited = apply("甬市监罚〔2026〕1号")["id"];
  Refused(*w, Carol(), "lists repair decide", {{"id", {cited}}, {"--approve", {}}, {"--obligations-met", {}}},
          StatusCode::kFailedPrecondition, "listing " + listing + " in force cites the record");
  // Once the listing has ended, it can.
  End(*w, listing, "revoked");
  OkAs(*w, Carol(), "lists repair decide", {{"id", {cited}}, {"--approve", {}}, {"--obligations-met", {}}});
  CHECK(RecordRow(*w, "甬市监罚〔2026〕1号")[3] == "repaired");
  CHECK(Count(*w->db, "SELECT COUNT(*) FROM events WHERE topic = 'lists.repair.approved'") == 2);
  CHECK(AuditChainVerifies(*w->db));
}
