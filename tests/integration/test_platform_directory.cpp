// What the platform gives a feature beyond storage (xinjian/platform.h, xinjian/directory.h),
// as the host implements it: other plugins' samplers and entropy sources, the GB/T 2260 codes,
// typed reads of the directories, and the in-memory subject index (loaded on first use,
// caught up with committed directory changes, shared by readers). Runs on SQLite and on
// PostgreSQL (XINJIAN_TEST_BACKEND).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <thread>

#include "platform_impl.h"
#include "scan.h"
#include "world.h"
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
