#include "draw_world.h"

#include <soci/soci.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "test_support.h"

namespace xj::test {

std::unique_ptr<DrawWorld> MakeDrawWorld(const WorldOptions& options) {
  auto w = std::make_unique<DrawWorld>();
  OpenTaskWorld(*w, options);
  // The draw code linked into this suite asks the same follow-up (the loaded inspection
  // plugin's) as the loaded draw plugin does.
  if (const draw::FollowUp* follow_up = TaskServiceOf(DrawHost()).follow_up()) REQUIRE(draw::SetFollowUp(follow_up));
  w->ctx.platform = &w->platform;
  w->ctx.principal = ViewerOf("");
  w->ctx.principal.id = "tester";
  w->ctx.spec_options.regions = &w->platform.Regions();
  return w;
}

// ---------------------------------------------------------------------------------------------

Status TryCreate(DrawWorld& w, const nlohmann::json& spec) {
  auto s = draw::ParseTaskSpec(spec.dump(), w.ctx.spec_options);
  if (!s.ok()) return s.status();
  return draw::CreateTask(w.ctx, std::move(s).value()).status();
}

draw::TaskRecord Create(DrawWorld& w, const nlohmann::json& spec) {
  auto s = draw::ParseTaskSpec(spec.dump(), w.ctx.spec_options);
  INFO(s.status().message());
  REQUIRE(s.ok());
  auto t = draw::CreateTask(w.ctx, std::move(s).value());
  INFO(t.status().message());
  REQUIRE(t.ok());
  CHECK(t->state == "draft");
  return t.value();
}

draw::TaskRecord Announce(DrawWorld& w, const std::string& id) {
  auto t = draw::AnnounceTask(w.ctx, id);
  INFO(t.status().message());
  REQUIRE(t.ok());
  CHECK(t->state == "announced");
  return t.value();
}

draw::TaskRecord CreateAndAnnounce(DrawWorld& w, const nlohmann::json& spec) { return Announce(w, Create(w, spec).id); }

draw::TaskRecord Draw(DrawWorld& w, const std::string& id, const std::string& entropy) {
  auto t = draw::DrawTask(w.ctx, id, entropy);
  INFO(t.status().message());
  REQUIRE(t.ok());
  REQUIRE(t->state == "drawn");
  return t.value();
}

draw::TaskRecord Drawn(DrawWorld& w, const nlohmann::json& spec) {
  const draw::TaskRecord a = CreateAndAnnounce(w, spec);
  const draw::TaskRecord t = Draw(w, a.id);
  DeliverEvents(w);  // the inspection plugin creates the visits
  return t;
}

const draw::RevealOptions kEarly{true, "测试：只核对证明，不上门检查 / test: proofs only, no inspections"};

draw::TaskRecord Reveal(DrawWorld& w, const std::string& id) {
  auto t = draw::RevealTask(w.ctx, id, kEarly);
  INFO(t.status().message());
  REQUIRE(t.ok());
  CHECK(t->state == "revealed");
  return t.value();
}

std::optional<draw::TaskRecord> IfReady(DrawWorld& w, const std::string& id) {
  auto r = draw::DrawIfReady(w.ctx, id);
  INFO(r.status().message());
  REQUIRE(r.ok());
  return r.value();
}

draw::TaskRecord Load(DrawWorld& w, const std::string& id) {
  auto t = draw::LoadTask(w.platform, id);
  INFO(t.status().message());
  REQUIRE(t.ok());
  return t.value();
}

std::vector<draw::SelectedSubject> Selection(DrawWorld& w, const std::string& id) {
  auto s = draw::LoadSelection(w.platform, id);
  INFO(s.status().message());
  REQUIRE(s.ok());
  return s.value();
}

std::set<std::string> SelectedUsccs(DrawWorld& w, const std::string& id) {
  std::set<std::string> out;
  for (const auto& s : Selection(w, id)) out.insert(s.uscc);
  return out;
}

std::string StoredFile(Database& db, const std::string& task, const std::string& name) {
  std::string content, t = task, n = name;
  soci::indicator ind = soci::i_null;
  db.session() << "SELECT content FROM draw_files WHERE task_id = :t AND name = :n", soci::use(t), soci::use(n),
      soci::into(content, ind);
  return ind == soci::i_ok ? content : std::string();
}

std::vector<std::pair<std::string, std::string>> Pool(Database& db, const std::string& task) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(StoredFile(db, task, "pool.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    out.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return out;
}

std::set<std::string> PoolUsccs(Database& db, const std::string& task) {
  std::set<std::string> out;
  for (const auto& [u, s] : Pool(db, task)) out.insert(u);
  return out;
}

long long TaskAuditCount(DrawWorld& w, const std::string& id, const std::string& action) {
  long long n = 0;
  std::string k = id, a = action;
  w.db->session() << "SELECT COUNT(*) FROM audit_log WHERE entity = 'draw_task' AND entity_key = :k AND action = :a",
      soci::use(k), soci::use(a), soci::into(n);
  return n;
}

void ExpectRefused(const Result<draw::TaskRecord>& r, StatusCode code, const std::string& expect) {
  INFO(r.status().message());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == code);
  CHECK_THAT(r.status().message(), Catch::Contains(expect));
}

// ---------------------------------------------------------------------------------------------

std::string PythonVerifier(const std::string& dir) {
  return std::string("/usr/bin/python3 '") + XJ_SOURCE_DIR + "/tools/verify_draw.py' '" + dir + "' 2>&1";
}

void ExpectVerified(const std::string& dir) {
  Status st = draw::VerifyProofFolder(dir, DrawPlugins());
  INFO(st.message());
  CHECK(st.ok());
  auto cli = RunCli({"verify", dir});
  INFO(cli.out << cli.err);
  CHECK(cli.exit_code == 0);
  CHECK_THAT(cli.out, Catch::Contains("verified"));
  auto py = RunShell(PythonVerifier(dir));
  INFO(py.out);
  CHECK(py.exit_code == 0);
  CHECK(py.out == "verified\n");
}

void ExpectTamperRejected(const std::string& good, const std::function<void(const std::string&)>& edit,
                          const std::string& expect) {
  const std::string dir = TempDir() + "/tampered";
  std::filesystem::copy(good, dir, std::filesystem::copy_options::recursive);
  edit(dir);
  Status st = draw::VerifyProofFolder(dir, DrawPlugins());
  INFO(st.message());
  CHECK_FALSE(st.ok());
  CHECK(st.code() == StatusCode::kConflict);
  CHECK_THAT(st.message(), Catch::Contains(expect));
  auto cli = RunCli({"verify", dir});
  INFO(cli.out << cli.err);
  CHECK(cli.exit_code == 3);
  CHECK_THAT(cli.out + cli.err, Catch::Contains(expect));
  CHECK_THAT(cli.out, !Catch::Contains("\nverified"));
  auto py = RunShell(PythonVerifier(dir));
  INFO(py.out);
  CHECK(py.exit_code != 0);
  CHECK_THAT(py.out, Catch::Contains("mismatch"));
}

void ExpectProofVerifies(DrawWorld& w, const std::string& task) {
  const std::string dir = TempDir() + "/proof-" + task;
  Status st = draw::WriteTaskProof(w.platform, task, dir);
  INFO(st.message());
  REQUIRE(st.ok());
  st = draw::VerifyProofFolder(dir, DrawPlugins());
  INFO(st.message());
  CHECK(st.ok());
}

}  // namespace xj::test
