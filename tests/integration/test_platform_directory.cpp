// What the platform gives a feature beyond storage (xinjian/platform.h, xinjian/directory.h),
// as the host implements it: other plugins' samplers and entropy sources, the GB/T 2260 codes,
// typed reads of the directories, the in-memory subject index (loaded on first use, caught
// up with committed directory changes, shared by readers), and the lists a subject is on
// (Platform::SetListings, host API 12). Runs on SQLite and on PostgreSQL
// (XINJIAN_TEST_BACKEND).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <thread>

#include "platform_impl.h"
#include "scan.h"
#include "world.h"
#include "xinjian/digest.h"
#include "xinjian/directory.h"
#include "xinjian/entropy.h"
#include "xinjian/platform.h"
#include "xinjian/sampler.h"

using namespace xj;
using namespace xj::test;

namespace {

// Two departments, 300 generated subjects of province 33 (seed 3) and three hand-made ones (the
// generator's USCCs of seed 99, so they are other subjects), two items.
WorldOptions Directory() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"), NingboDepartment("WJW")};
  o.generated_subjects = 300;
  o.generated_seed = 3;
  for (int i = 0; i < 3; ++i) o.subjects.push_back(TinySubject(99, i));
  o.items = {
      "SCJG-FOOD,食品经营抽查,SCJG,《食品安全法》第一百一十条,key,2.5,,1,enterprise;individual,食品经营;小池,\n",
      "WJW-PUB,公共场所卫生抽查,WJW,《公共场所卫生管理条例》,general,1,10.0001,1,,,卫生监督\n",
  };
  return o;
}

// The subjects table as the index holds it: (uscc, status, region, labels) in byte order.
std::vector<std::vector<std::string>> SubjectRows(Database& db) {
  std::vector<std::vector<std::string>> out;
  REQUIRE(ScanRows(db, "SELECT uscc, status, region, labels FROM subjects", {}, [&](const ScanRow& r) {
            out.push_back({std::string(r.values[0]), std::string(r.values[1]), std::string(r.values[2]),
                           std::string(r.values[3])});
            return true;
          }).ok());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::vector<std::string>> IndexRows(const SubjectIndex& index) {
  std::vector<std::vector<std::string>> out;
  index.Scan({}, [&](std::size_t, const SubjectFacts& f) {
    out.push_back({std::string(f.uscc), std::string(f.status), std::string(f.region), std::string(f.labels)});
  });
  return out;
}

// The position of `uscc` in the index (sorted by USCC); fails the test when it is not there.
std::size_t IndexOf(const SubjectIndex& index, const std::string& uscc) {
  std::size_t lo = 0, hi = index.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (index.uscc(mid) < std::string_view(uscc))
      lo = mid + 1;
    else
      hi = mid;
  }
  INFO(uscc);
  REQUIRE(lo < index.size());
  REQUIRE(index.uscc(lo) == std::string_view(uscc));
  return lo;
}

// Platform::SetListings in a unit of work of its own (as the lists plugin calls it): the
// number of subjects changed, or the error (and then the unit wrote nothing).
Result<std::int64_t> SetListingsIn(PlatformImpl& platform, const std::vector<Platform::ListingsChange>& changes) {
  return TransactValue<std::int64_t>(platform, Principal::System("test"),
                                     [&](UnitOfWork& uow) { return platform.SetListings(uow, changes); });
}

// A subject's stored listings column.
std::string StoredListings(Database& db, const std::string& uscc) {
  auto rows = Rows(db, "SELECT listings FROM subjects WHERE uscc = :u", uscc);
  INFO(uscc);
  REQUIRE(rows.size() == 1);
  return rows[0][0];
}

}  // namespace

TEST_CASE("the platform finds other plugins' samplers and entropy sources and knows GB/T 2260 codes",
          "[platform][directory]") {
  PlatformImpl platform;  // no plugins, no database
  CHECK(platform.FindSampler("xj-draw-v1") == nullptr);
  CHECK(platform.FindEntropySource("manual") == nullptr);
  CHECK(platform.SamplerNames().empty());
  CHECK(platform.EntropySourceNames().empty());
  platform.SetPlugins(&Plugins());
  const Sampler* sampler = platform.FindSampler("xj-draw-v1");
  REQUIRE(sampler != nullptr);
  CHECK(sampler == Plugins().FindSampler("xj-draw-v1"));
  CHECK(platform.FindSampler("no-such-algorithm") == nullptr);
  const auto samplers = platform.SamplerNames();
  CHECK(std::is_sorted(samplers.begin(), samplers.end()));
  CHECK(std::find(samplers.begin(), samplers.end(), "xj-draw-v1") != samplers.end());
  REQUIRE(platform.FindEntropySource("none") != nullptr);
  CHECK_FALSE(platform.FindEntropySource("none")->NeedsValue());
  const auto sources = platform.EntropySourceNames();
  CHECK(std::find(sources.begin(), sources.end(), "manual") != sources.end());
  // The host's own platform answers from its registries too.
  CHECK(const_cast<PluginHost&>(Plugins()).platform().FindSampler("xj-draw-v1") == sampler);

  const RegionCodes& regions = platform.Regions();
  CHECK(regions.IsValid("330226"));  // 宁海县
  CHECK(regions.IsValid("330200"));  // 宁波市, a prefecture with counties
  CHECK(regions.IsValid("330000"));
  CHECK_FALSE(regions.IsValid("999900"));
  CHECK_FALSE(regions.IsValid("3302"));  // codes are 6 digits
}

TEST_CASE("AtDetach: hooks run once, newest first, with the database still attached", "[platform][detach]") {
  World w;
  OpenWorld(w, Directory());
  std::vector<std::string> ran;
  {
    PlatformImpl platform;
    CHECK(platform.AtDetach(nullptr).code() == StatusCode::kInvalidArgument);
    // Registered with no database: not run by the first attach, run by the next detach.
    REQUIRE(platform.AtDetach([&] { ran.push_back("early"); }).ok());
    platform.Attach(w.db.get());
    CHECK(ran.empty());
    REQUIRE(platform.AtDetach([&] {
                      // The database is still attached: the hook may read (and write).
                      auto n = ReadSingleValue<std::int64_t>(
                          platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM departments"); });
                      ran.push_back(n.ok() ? "late:" + std::to_string(n.value()) : "late:" + n.status().message());
                    })
                .ok());
    platform.Attach(w.db.get());  // the same database: nothing is detached
    CHECK(ran.empty());
    platform.Attach(nullptr);
    REQUIRE(ran.size() == 2);
    CHECK(ran[0].rfind("late:", 0) == 0);
    CHECK(std::atoi(ran[0].c_str() + 5) > 0);  // a number of departments, not an error
    CHECK(ran[1] == "early");
    platform.Attach(nullptr);  // once only
    CHECK(ran.size() == 2);
    // The destructor runs what was registered while a database is attached.
    platform.Attach(w.db.get());
    REQUIRE(platform.AtDetach([&] { ran.push_back("at destruction"); }).ok());
  }
  CHECK(ran.back() == "at destruction");
}

TEST_CASE("typed directory reads through Sql", "[platform][directory]") {
  World w;
  OpenWorld(w, Directory());
  PlatformImpl platform;
  platform.Attach(w.db.get());
  Status st = platform.Read([&](Sql& sql) -> Status {
    auto scjg = FindDepartment(sql, "SCJG");
    REQUIRE(scjg.ok());
    REQUIRE(scjg.value().has_value());
    CHECK(scjg.value()->name == "宁波市市场监督管理局");
    CHECK(scjg.value()->level == "city");
    CHECK(scjg.value()->jurisdiction == "3302");
    auto none = FindDepartment(sql, "NOPE");
    REQUIRE(none.ok());
    CHECK_FALSE(none.value().has_value());

    auto food = FindItem(sql, "SCJG-FOOD");
    REQUIRE(food.ok());
    REQUIRE(food.value().has_value());
    CHECK(food.value()->department == "SCJG");
    CHECK(food.value()->item_class == "key");
    CHECK(food.value()->ratio_min_ppm == 25000);
    CHECK(food.value()->ratio_max_ppm == -1);
    CHECK(food.value()->frequency_per_year == 1);
    CHECK(food.value()->target_types == std::vector<std::string>{"enterprise", "individual"});
    CHECK(food.value()->target_labels == std::vector<std::string>{"食品经营", "小池"});
    CHECK(food.value()->qualification.empty());
    auto pub = FindItem(sql, "WJW-PUB");
    REQUIRE(pub.ok());
    REQUIRE(pub.value().has_value());
    CHECK(pub.value()->ratio_min_ppm == 10000);
    CHECK(pub.value()->ratio_max_ppm == 100001);
    CHECK(pub.value()->target_types.empty());
    CHECK(pub.value()->qualification == "卫生监督");
    auto missing = FindItem(sql, "NOPE");
    REQUIRE(missing.ok());
    CHECK_FALSE(missing.value().has_value());
    return Status::Ok();
  });
  INFO(st.message());
  CHECK(st.ok());
  platform.Attach(nullptr);
}

TEST_CASE("the subject index loads on first use, catches up with committed directory changes and is shared",
          "[platform][directory][index]") {
  PlatformImpl platform;
  {
    auto none = platform.Subjects();
    REQUIRE_FALSE(none.ok());
    CHECK(none.status().code() == StatusCode::kFailedPrecondition);
  }
  World w;
  OpenWorld(w, Directory());
  platform.Attach(w.db.get());
  std::int64_t loaded_at = 0;
  {
    auto lease = platform.Subjects();
    INFO(lease.status().message());
    REQUIRE(lease.ok());
    const SubjectIndex& index = *lease.value();
    CHECK(index.size() == 303);
    for (std::size_t i = 1; i < index.size(); ++i) REQUIRE(index.uscc(i - 1) < index.uscc(i));
    CHECK(IndexRows(index) == SubjectRows(*w.db));
    loaded_at = index.audit_seq();
    CHECK(loaded_at > 0);
    // The hand-made subjects' facts, every field.
    const Subject tiny = TinySubject(99, 0);
    bool found = false;
    index.ScanIndices({"330226"}, [&](std::size_t i) {
      if (index.uscc(i) != tiny.uscc) return true;
      const SubjectFacts f = index.FactsOf(i);
      CHECK(f.type == "enterprise");
      CHECK(f.region == "330226");
      CHECK(f.industry == tiny.industry);
      CHECK(f.registered_on == tiny.registered_on);
      CHECK(f.status == "active");
      CHECK(f.risk_class == tiny.risk_class);
      CHECK(f.labels == tiny.labels);
      const SubjectFacts p = index.PlaceOf(i);
      CHECK(p.uscc == f.uscc);
      CHECK(p.region == f.region);
      CHECK(p.registered_on == f.registered_on);
      CHECK(p.status.empty());
      found = true;
      return false;  // stops the walk
    });
    CHECK(found);
    // Equal categorical facts, equal keys.
    std::size_t same = 0;
    for (std::size_t i = 0; i < index.size(); ++i)
      for (std::size_t j = i + 1; j < std::min(index.size(), i + 20); ++j) {
        const SubjectFacts a = index.FactsOf(i), b = index.FactsOf(j);
        const bool facts = a.type == b.type && a.status == b.status && a.risk_class == b.risk_class &&
                           a.industry == b.industry && a.labels == b.labels;
        CHECK(facts == (index.CategoryKey(i) == index.CategoryKey(j)));
        same += facts ? 1 : 0;
      }
    CHECK(same > 0);
    CHECK(index.MemoryBytes() >= index.size() * 34);
  }

  // Nothing committed since: a second lease while another thread holds one, at once.
  {
    std::promise<void> holding, release;
    std::thread holder([&] {
      auto lease = platform.Subjects();
      REQUIRE(lease.ok());
      holding.set_value();
      release.get_future().wait();
    });
    holding.get_future().wait();
    auto second = platform.Subjects();
    REQUIRE(second.ok());
    CHECK(second.value()->audit_seq() == loaded_at);
    release.set_value();
    holder.join();
  }

  // Committed changes: a subject deregistered, one relabelled, one new; the next lease has them.
  Subject changed = TinySubject(99, 1);
  changed.status = "deregistered";
  Subject relabelled = TinySubject(99, 2);
  relabelled.labels = "药品零售";
  Subject added = TinySubject(99, 7);
  Import(*w.db, DirectoryKind::kSubjects, SubjectsCsv({changed, relabelled, added}));
  {
    auto lease = platform.Subjects();
    REQUIRE(lease.ok());
    const SubjectIndex& index = *lease.value();
    CHECK(index.size() == 304);
    CHECK(index.audit_seq() > loaded_at);
    for (std::size_t i = 1; i < index.size(); ++i) REQUIRE(index.uscc(i - 1) < index.uscc(i));
    CHECK(IndexRows(index) == SubjectRows(*w.db));
  }
  // Inside a unit of work the catch-up sees the unit's own transaction.
  Status st = platform.RunInTransaction(Principal::System("test"), [&](UnitOfWork& uow) -> Status {
    auto n = uow.sql().Exec("UPDATE subjects SET status = 'suspended' WHERE uscc = ?", {added.uscc});
    if (!n.ok()) return n.status();
    if (auto a = uow.Audit({"update", "subject", added.uscc, "", ""}); !a.ok()) return a;
    return Status::Ok();
  });
  REQUIRE(st.ok());
  {
    auto lease = platform.Subjects();
    REQUIRE(lease.ok());
    CHECK(IndexRows(*lease.value()) == SubjectRows(*w.db));
  }
  // Another database drops the index; the next lease loads that one.
  platform.Attach(nullptr);
  World other;
  WorldOptions small;
  small.departments = {NingboDepartment("SCJG")};
  small.generated_subjects = 20;
  OpenWorld(other, small);
  platform.Attach(other.db.get());
  {
    auto lease = platform.Subjects();
    REQUIRE(lease.ok());
    CHECK(lease.value()->size() == 20);
  }
  platform.Attach(nullptr);
}

TEST_CASE("SetListings stores the lists each subject is on, audits and publishes each change, and the index follows",
          "[platform][directory][index][listings]") {
  World w;
  OpenWorld(w, Directory());
  Database& db = *w.db;
  PlatformImpl platform;
  CHECK(platform.FindListPolicy("abnormal_operations") == nullptr);  // no plugins: no list types
  CHECK(platform.ListPolicyNames().empty());
  platform.Attach(&db);
  const std::string a = TinySubject(99, 0).uscc, b = TinySubject(99, 1).uscc, c = TinySubject(99, 2).uscc;
  const std::string topic = "directory.subject.listings";
  // Every subject's listings as stored and as the index holds them agree.
  auto index_matches_table = [&](const SubjectIndex& index) {
    std::size_t n = 0;
    REQUIRE(ScanRows(db, "SELECT uscc, listings FROM subjects", {}, [&](const ScanRow& r) {
              const std::string u(r.values[0]);
              INFO(u);
              CHECK(index.FactsOf(IndexOf(index, u)).listings == r.values[1]);
              ++n;
              return true;
            }).ok());
    CHECK(n == index.size());
  };

  // A fresh directory: nobody is on a list, and the three hand-made subjects share every
  // categorical fact (so one category key). The index is loaded before the change, so what
  // follows is its catch-up.
  CHECK(Count(db, "SELECT COUNT(*) FROM subjects WHERE listings <> ''") == 0);
  {
    auto lease = platform.Subjects();
    INFO(lease.status().message());
    REQUIRE(lease.ok());
    const SubjectIndex& index = *lease.value();
    const std::size_t ia = IndexOf(index, a), ib = IndexOf(index, b), ic = IndexOf(index, c);
    CHECK(index.FactsOf(ia).listings.empty());
    CHECK(index.CategoryKey(ia) == index.CategoryKey(ib));
    CHECK(index.CategoryKey(ia) == index.CategoryKey(ic));
  }
  const std::string digest_a = Rows(db, "SELECT digest FROM subjects WHERE uscc = :u", a).at(0).at(0);
  const long long audit0 = Count(db, "SELECT COUNT(*) FROM audit_log");
  const long long events0 = Count(db, "SELECT COUNT(*) FROM events");

  // a: in any order, a code twice; c: the same set; b: none, as it was (left alone).
  auto n = SetListingsIn(
      platform, {{a, {"red_x", "abnormal_operations", "red_x"}}, {b, {}}, {c, {"abnormal_operations", "red_x"}}});
  INFO(n.status().message());
  REQUIRE(n.ok());
  CHECK(n.value() == 2);
  CHECK(StoredListings(db, a) == "abnormal_operations;red_x");  // sorted, each once
  CHECK(StoredListings(db, b).empty());
  CHECK(StoredListings(db, c) == "abnormal_operations;red_x");
  CHECK(Count(db, "SELECT COUNT(*) FROM audit_log") == audit0 + 2);
  CHECK(Count(db, "SELECT COUNT(*) FROM events") == events0 + 2);
  // Not part of the subject's digest.
  CHECK(Rows(db, "SELECT digest FROM subjects WHERE uscc = :u", a).at(0).at(0) == digest_a);
  // One audit record per changed subject: action, entity "subject", the USCC, the caller.
  const auto record_a = Rows(db,
                             "SELECT actor, entity, before_digest, after_digest FROM audit_log "
                             "WHERE action = 'directory.subject.listings' AND entity_key = :u",
                             a);
  REQUIRE(record_a.size() == 1);
  CHECK(record_a[0][0] == Principal::System("test").id);
  CHECK(record_a[0][1] == "subject");
  CHECK(record_a[0][2].size() == 64);
  CHECK(record_a[0][3].size() == 64);
  CHECK(record_a[0][2] != record_a[0][3]);
  CHECK(AuditCount(db, "directory.subject.listings", c) == 1);
  CHECK(AuditCount(db, "directory.subject.listings", b) == 0);
  CHECK(AuditChainVerifies(db));
  // One event per changed subject, keyed by the USCC, with the whole set.
  const nlohmann::json event_a = {{"uscc", a}, {"listings", nlohmann::json::array({"abnormal_operations", "red_x"})}};
  CHECK(EventPayloads(db, a, topic) == std::vector<nlohmann::json>{event_a});
  CHECK(EventPayloads(db, c, topic).size() == 1);
  CHECK(EventPayloads(db, b, topic).empty());

  // The next lease has caught up: listings in FactsOf, and in the category key.
  {
    auto lease = platform.Subjects();
    REQUIRE(lease.ok());
    const SubjectIndex& index = *lease.value();
    const std::size_t ia = IndexOf(index, a), ib = IndexOf(index, b), ic = IndexOf(index, c);
    CHECK(index.FactsOf(ia).listings == "abnormal_operations;red_x");
    CHECK(index.FactsOf(ib).listings.empty());
    CHECK(index.FactsOf(ic).listings == "abnormal_operations;red_x");
    CHECK(index.CategoryKey(ia) != index.CategoryKey(ib));
    CHECK(index.CategoryKey(ia) == index.CategoryKey(ic));
    // The other facts are untouched.
    const Subject tiny = TinySubject(99, 0);
    const SubjectFacts f = index.FactsOf(ia);
    CHECK(f.type == "enterprise");
    CHECK(f.risk_class == tiny.risk_class);
    CHECK(f.labels == tiny.labels);
    CHECK(f.status == "active");
    index_matches_table(index);
  }

  // The same sets again: nothing changes, nothing is recorded.
  n = SetListingsIn(platform, {{a, {"abnormal_operations", "red_x"}}, {b, {}}, {c, {"red_x", "abnormal_operations"}}});
  REQUIRE(n.ok());
  CHECK(n.value() == 0);
  CHECK(Count(db, "SELECT COUNT(*) FROM audit_log") == audit0 + 2);
  CHECK(Count(db, "SELECT COUNT(*) FROM events") == events0 + 2);
  n = SetListingsIn(platform, {});
  REQUIRE(n.ok());
  CHECK(n.value() == 0);

  // Off every list: an empty set, an empty list in the event; the audit records chain the
  // states (the second record's before is the first one's after).
  n = SetListingsIn(platform, {{c, {}}});
  REQUIRE(n.ok());
  CHECK(n.value() == 1);
  CHECK(StoredListings(db, c).empty());
  const auto records_c = Rows(db,
                              "SELECT before_digest, after_digest FROM audit_log "
                              "WHERE action = 'directory.subject.listings' AND entity_key = :u ORDER BY seq",
                              c);
  REQUIRE(records_c.size() == 2);
  CHECK(records_c[1][0] == records_c[0][1]);
  CHECK(records_c[1][1] == records_c[0][0]);  // the empty set again
  const auto payloads_c = EventPayloads(db, c, topic);
  REQUIRE(payloads_c.size() == 2);
  CHECK(payloads_c[1] == nlohmann::json{{"uscc", c}, {"listings", nlohmann::json::array()}});
  {
    auto lease = platform.Subjects();
    REQUIRE(lease.ok());
    const SubjectIndex& index = *lease.value();
    const std::size_t ib = IndexOf(index, b), ic = IndexOf(index, c);
    CHECK(index.FactsOf(ic).listings.empty());
    CHECK(index.CategoryKey(ic) == index.CategoryKey(ib));
  }

  // The limits: 32 codes, a code of 48 characters.
  std::vector<std::string> many;
  for (int i = 0; i < 31; ++i) many.push_back("list_" + std::to_string(100 + i));
  many.push_back("z" + std::string(47, '9'));
  n = SetListingsIn(platform, {{b, many}});
  INFO(n.status().message());
  REQUIRE(n.ok());
  CHECK(n.value() == 1);
  std::string joined;
  for (const auto& code : many) joined += (joined.empty() ? "" : ";") + code;
  CHECK(StoredListings(db, b) == joined);

  // A directory import of the same subjects (an update of a, a new subject beside it, and a
  // row as it is stored) neither reads nor changes the listings.
  Subject renamed = TinySubject(99, 0);
  renamed.name = "宁海小池零号超市有限公司";
  renamed.address = "浙江省宁波市宁海县改名路1号";
  Import(db, DirectoryKind::kSubjects, SubjectsCsv({renamed, TinySubject(99, 8)}));
  CHECK(Rows(db, "SELECT name FROM subjects WHERE uscc = :u", a).at(0).at(0) == renamed.name);
  CHECK(StoredListings(db, a) == "abnormal_operations;red_x");
  CHECK(StoredListings(db, TinySubject(99, 8).uscc).empty());
  Import(db, DirectoryKind::kSubjects, SubjectsCsv({renamed, TinySubject(99, 1)}));
  CHECK(StoredListings(db, a) == "abnormal_operations;red_x");
  CHECK(StoredListings(db, b) == joined);
  {
    auto lease = platform.Subjects();
    REQUIRE(lease.ok());
    const SubjectIndex& index = *lease.value();
    CHECK(index.size() == 304);
    CHECK(index.FactsOf(IndexOf(index, a)).listings == "abnormal_operations;red_x");
    CHECK(index.FactsOf(IndexOf(index, b)).listings == joined);
    index_matches_table(index);
  }
  // A fresh load (another platform on the same database) reads the column too.
  {
    PlatformImpl fresh;
    fresh.Attach(&db);
    {
      auto lease = fresh.Subjects();
      REQUIRE(lease.ok());
      CHECK(lease.value()->FactsOf(IndexOf(*lease.value(), a)).listings == "abnormal_operations;red_x");
      index_matches_table(*lease.value());
    }  // the lease ends before the platform lets the database go
    fresh.Attach(nullptr);
  }
  CHECK(AuditChainVerifies(db));
  platform.Attach(nullptr);
}

TEST_CASE("SetListings refuses a bad entry before writing anything, and an unknown subject rolls the unit back",
          "[platform][directory][listings]") {
  World w;
  OpenWorld(w, Directory());
  Database& db = *w.db;
  PlatformImpl platform;
  platform.Attach(&db);
  const std::string a = TinySubject(99, 0).uscc, b = TinySubject(99, 1).uscc;
  const std::string unknown = TinySubject(99, 50).uscc;  // the generator's form, not imported
  {
    auto lease = platform.Subjects();  // loaded first: a refused unit must not move it either
    REQUIRE(lease.ok());
  }
  const long long audit0 = Count(db, "SELECT COUNT(*) FROM audit_log");
  const long long events0 = Count(db, "SELECT COUNT(*) FROM events");
  std::vector<std::string> too_many;
  for (int i = 0; i < 33; ++i) too_many.push_back("list_" + std::to_string(i));

  struct Case {
    std::string name;
    std::vector<Platform::ListingsChange> changes;
    StatusCode code;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"a code with capitals and a hyphen",
       {{a, {"abnormal_operations"}}, {b, {"red_x", "Bad-Code"}}},
       StatusCode::kInvalidArgument,
       "entry 2 (" + b + "): the list code 'Bad-Code' is not [a-z][a-z0-9_]*"},
      {"a code of 49 characters",
       {{a, {"a" + std::string(48, 'b')}}},
       StatusCode::kInvalidArgument,
       "of at most 48 characters"},
      {"an empty code", {{a, {""}}}, StatusCode::kInvalidArgument, "entry 1 (" + a + "): the list code ''"},
      {"a code that starts with a digit", {{a, {"1st_list"}}}, StatusCode::kInvalidArgument, "'1st_list'"},
      {"a code with a space", {{a, {"red x"}}}, StatusCode::kInvalidArgument, "'red x'"},
      {"33 codes",
       {{a, {"red_x"}}, {b, too_many}},
       StatusCode::kInvalidArgument,
       "entry 2 (" + b + ") has more than 32 listings"},
      {"a USCC twice",
       {{a, {"red_x"}}, {b, {"red_x"}}, {a, {}}},
       StatusCode::kInvalidArgument,
       "the USCC " + a + " is given twice"},
      // The first two entries are written before the third is found missing: the unit's
      // error rolls them back.
      {"an unknown USCC",
       {{a, {"red_x"}}, {b, {"abnormal_operations"}}, {unknown, {"red_x"}}},
       StatusCode::kNotFound,
       "no subject with the USCC " + unknown + " in the directory"},
      {"a malformed USCC", {{"NOT-A-USCC", {"red_x"}}}, StatusCode::kNotFound, "NOT-A-USCC"},
  };
  for (const auto& c : cases) {
    INFO("case: " << c.name);
    auto r = SetListingsIn(platform, c.changes);
    INFO(r.status().message());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == c.code);
    CHECK_THAT(r.status().message(), Catch::Contains(c.expect));
    CHECK(Count(db, "SELECT COUNT(*) FROM subjects WHERE listings <> ''") == 0);
    CHECK(Count(db, "SELECT COUNT(*) FROM audit_log") == audit0);
    CHECK(Count(db, "SELECT COUNT(*) FROM events") == events0);
    auto lease = platform.Subjects();
    REQUIRE(lease.ok());
    CHECK(lease.value()->FactsOf(IndexOf(*lease.value(), a)).listings.empty());
    CHECK(lease.value()->FactsOf(IndexOf(*lease.value(), b)).listings.empty());
  }
  // The same first entries alone go through.
  auto ok = SetListingsIn(platform, {{a, {"red_x"}}, {b, {"abnormal_operations"}}});
  INFO(ok.status().message());
  REQUIRE(ok.ok());
  CHECK(ok.value() == 2);
  CHECK(AuditChainVerifies(db));
  platform.Attach(nullptr);
}
