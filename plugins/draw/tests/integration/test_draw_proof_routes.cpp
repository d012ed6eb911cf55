// Proofs of revealed tasks in their two variants (proof.h) and the draw plugin's proof routes
// (routes.cpp), called as the web server calls them, with the callers that sign-in will bring:
// the public variant of a risk-stratified task for everyone, its full variant for its own
// departments and auditors only, the 404 before the reveal, hostile names, ETags. Runs on
// SQLite and PostgreSQL. The routes over real HTTP: tests/e2e/web_proof.sh.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "draw_world.h"
#include "fake_http.h"
#include "proof.h"
#include "test_support.h"
#include "xinjian/http.h"

using namespace xj;
using namespace xj::test;
using nlohmann::json;

namespace {

std::unique_ptr<DrawWorld> MakeWorld() {
  WorldOptions o;
  o.departments = {NingboDepartment("SCJG"), NingboDepartment("WJW")};
  o.generated_subjects = 1500;
  o.generated_seed = 11;
  for (int i = 1; i <= 6; ++i) o.inspectors.push_back(Officer("SCJG", i, "检查员" + std::to_string(i), "广告监管"));
  for (int i = 1; i <= 3; ++i) o.inspectors.push_back(Officer("WJW", i, "卫生监督员" + std::to_string(i), "卫生监督"));
  o.items = {"SCJG-AD,广告发布的检查,SCJG,《广告法》第四十九条,key,,,1,,,\n"};
  return MakeDrawWorld(o);
}

json Spec(const std::string& id) {
  return json{{"id", id},
              {"title", "证明测试 " + id},
              {"department", "SCJG"},
              {"items", json::array({"SCJG-AD"})},
              {"rule", {{"count", 12}}},
              {"exclusions", {{"same_item_within_days", 0}, {"open_tasks", false}}},
              {"team", {{"slots", json::array({json{{"group", "SCJG"}, {"count", 2}}})}}},
              {"entropy", {{"source", "manual"}, {"description", "测试 / test"}}},
              {"due_date", "2026-12-31"}};
}

// The host's side of one request, as webui/ builds it.
const RegisteredRoute& Route(const std::string& pattern) {
  for (const auto& r : DrawHost().routes())
    if (r.spec.pattern == pattern) return r;
  FAIL("no route " << pattern);
  throw std::logic_error("unreachable");
}

Principal User(const std::string& department, std::vector<std::string> roles) {
  Principal p;
  p.id = "user-" + (department.empty() ? std::string("none") : department);
  p.department = department;
  p.roles = std::move(roles);
  return p;
}

struct Answer {
  Status status;
  HttpResponse response;
};

Answer Get(DrawWorld& w, const std::string& pattern, const Principal& who, const std::string& id,
           const std::string& file = "", const std::string& if_none_match = "") {
  std::map<std::string, std::string> params{{"id", id}};
  if (!file.empty()) params["file"] = file;
  FakeHttp http(w.platform, who, params);
  if (!if_none_match.empty()) http.mutable_request().headers["if-none-match"] = if_none_match;
  const Status st = Route(pattern).fn(http);
  return {st, http.response()};
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

}  // namespace

TEST_CASE("a risk-stratified proof: the public variant for everyone, the full one for its departments and auditors",
          "[draw][proof]") {
  auto w = MakeWorld();
  w->platform.SetNow(1781496000LL * 1000000);  // 2026-06-15T12:00 Beijing time, never today
  json risk = Spec("PR-RISK");
  risk["strata"] = "risk_class";
  risk["rule"] = {{"ratio_percent", {{"*", 3}, {"D", 30}}}};
  Drawn(*w, risk);
  Reveal(*w, "PR-RISK");
  Drawn(*w, Spec("PR-PLAIN"));
  Reveal(*w, "PR-PLAIN");
  Drawn(*w, Spec("PR-DRAWN"));

  // The files: the public variant is the documented transformation of the full one.
  draw::ProofFiles full_files, public_files;
  REQUIRE(w->platform
              .Read([&](Sql& sql) -> Status {
                auto f = draw::FullProofFiles(sql, "PR-RISK");
                if (!f.ok()) return f.status();
                full_files = f.value();
                auto t = draw::LoadTask(sql, "PR-RISK");
                if (!t.ok()) return t.status();
                CHECK(draw::StrataWithheld(t.value()));
                auto p = draw::PublishedProofFiles(sql, t.value());
                if (!p.ok()) return p.status();
                public_files = p.value();
                return Status::Ok();
              })
              .ok());
  CHECK(draw::FindProofFile(public_files, "pool.tsv") == nullptr);
  CHECK(draw::FindProofFile(public_files, "selection.tsv") == nullptr);
  const json proof = json::parse(draw::FindProofFile(public_files, "proof.json")->content);
  const json full_proof = json::parse(draw::FindProofFile(full_files, "proof.json")->content);
  CHECK(proof["withheld"] == json::array({"stratum"}));
  CHECK(proof["pool_hash"] == full_proof["pool_hash"]);
  CHECK(proof["selection_hash"] == full_proof["selection_hash"]);
  std::uint64_t total = 0;
  for (const auto& [label, n] : proof["stratum_sizes"].items()) total += n.get<std::uint64_t>();
  CHECK(total == proof["pool_size"].get<std::uint64_t>());
  const std::string pool_public = draw::FindProofFile(public_files, "pool-public.tsv")->content;
  CHECK(pool_public.find('\t') == std::string::npos);

  // Written and verified: both variants, by our verifier and by the Python one.
  const std::string pub_dir = TempDir() + "/pr-public", full_dir = TempDir() + "/pr-full";
  REQUIRE(draw::WriteTaskProof(w->platform, "PR-RISK", pub_dir, true).ok());
  REQUIRE(draw::WriteTaskProof(w->platform, "PR-RISK", full_dir).ok());
  const draw::ProofVerdict pv = draw::VerifyProof(pub_dir, DrawPlugins());
  INFO(pv.status.message());
  CHECK(pv.status.ok());
  CHECK(pv.public_variant);
  CHECK(pv.not_checked.size() == 2);
  ExpectVerified(full_dir);
  auto py = RunShell(PythonVerifier(pub_dir));
  CHECK(py.exit_code == 0);
  CHECK(py.out.rfind("verified (public variant: the strata are withheld)\nnot checked: ", 0) == 0);
  // --public of a task not stratified by risk writes the full folder.
  const std::string plain_pub = TempDir() + "/plain-public", plain_full = TempDir() + "/plain-full";
  REQUIRE(draw::WriteTaskProof(w->platform, "PR-PLAIN", plain_pub, true).ok());
  REQUIRE(draw::WriteTaskProof(w->platform, "PR-PLAIN", plain_full).ok());
  for (const char* f : {"proof.json", "pool.tsv", "selection.tsv", "assignment.tsv", "groups.tsv", "conflicts.tsv"})
    CHECK(ReadFile(plain_pub + "/" + f) == ReadFile(plain_full + "/" + f));

  // The routes, as the server calls them.
  const Principal anonymous = Principal::Anonymous();
  const std::string kPublic = "/api/v1/tasks/{id}/proof/{file}", kFull = "/api/v1/tasks/{id}/proof-full/{file}";
  CHECK(Route(kFull).spec.access == RouteAccess::kSignedIn);
  CHECK(Route("/api/v1/tasks/{id}/proof-full").spec.access == RouteAccess::kSignedIn);
  CHECK(Route(kPublic).spec.access == RouteAccess::kPublic);

  Answer a = Get(*w, "/api/v1/tasks/{id}/proof", anonymous, "PR-RISK");
  REQUIRE(a.status.ok());
  CHECK(a.response.body == draw::FindProofFile(public_files, "proof.json")->content);
  CHECK(a.response.content_type == "application/json; charset=utf-8");
  a = Get(*w, kPublic, anonymous, "PR-RISK", "pool-public.tsv");
  REQUIRE(a.status.ok());
  CHECK(a.response.body == pool_public);
  CHECK(a.response.content_type == "text/tab-separated-values; charset=utf-8");
  CHECK(Header(a.response, "Cache-Control") == "public, max-age=3600");
  const std::string etag = Header(a.response, "ETag");
  CHECK(etag.size() == 34);
  a = Get(*w, kPublic, anonymous, "PR-RISK", "pool-public.tsv", etag);
  CHECK(a.response.status == 304);
  CHECK(a.response.body.empty());
  a = Get(*w, kPublic, anonymous, "PR-RISK", "pool.tsv");
  CHECK(a.status.code() == StatusCode::kNotFound);
  CHECK_THAT(a.status.message(), Catch::Contains("pool-public.tsv"));

  // The full variant: the task's department, an auditor, an admin; not another department.
  for (const Principal& who : {User("SCJG", {kRoleSupervisor}), User("", {kRoleAuditor}), User("", {kRoleAdmin})}) {
    INFO(who.id);
    a = Get(*w, kFull, who, "PR-RISK", "pool.tsv");
    REQUIRE(a.status.ok());
    CHECK(a.response.body == draw::FindProofFile(full_files, "pool.tsv")->content);
    CHECK(Header(a.response, "Cache-Control") == "private, no-store");
  }
  a = Get(*w, kFull, User("WJW", {kRoleSupervisor}), "PR-RISK", "selection.tsv");
  CHECK(a.status.code() == StatusCode::kPermissionDenied);
  CHECK(a.response.body.empty());
  // Nothing is withheld from a task not stratified by risk.
  a = Get(*w, kFull, User("WJW", {kRoleSupervisor}), "PR-PLAIN", "pool.tsv");
  CHECK(a.status.ok());
  a = Get(*w, kPublic, anonymous, "PR-PLAIN", "pool.tsv");
  CHECK(a.status.ok());
  CHECK(a.response.body == ReadFile(plain_full + "/pool.tsv"));

  // Before the reveal: a 404 saying when, even to the department.
  for (const Principal& who : {anonymous, User("SCJG", {kRoleSupervisor})}) {
    a = Get(*w, who.authenticated ? kFull : kPublic, who, "PR-DRAWN", "proof.json");
    CHECK(a.status.code() == StatusCode::kNotFound);
    CHECK_THAT(a.status.message(), Catch::Contains("2026-12-31") && Catch::Contains("revealed"));
  }
  // Names that are no proof file, ids that are no task.
  const std::vector<std::string> hostile_files{"../pool.tsv", "..", std::string("pool-public.tsv\0x", 17),
                                               "proof.json.bak", "POOL-PUBLIC.TSV", std::string(3000, 'a')};
  for (const std::string& file : hostile_files) {
    a = Get(*w, kPublic, anonymous, "PR-RISK", file);
    CHECK(a.status.code() == StatusCode::kNotFound);
  }
  for (const std::string& id : {std::string("../PR-RISK"), std::string("PR-RISK\n"), std::string(500, 'A'),
                                std::string("NOPE-1")}) {
    a = Get(*w, kPublic, anonymous, id, "proof.json");
    CHECK(a.status.code() == StatusCode::kNotFound);
  }

  // The script.
  for (const auto& r : DrawHost().routes()) {
    if (r.spec.pattern != "/assets/draw/verify-draw.js") continue;
    FakeHttp http(w->platform, anonymous, HttpRequest{});
    REQUIRE(r.fn(http).ok());
    CHECK(http.response().content_type == "application/javascript; charset=utf-8");
    CHECK(http.response().body == ReadFile(std::string(XJ_SOURCE_DIR) + "/plugins/draw/web/verify-draw.js"));
  }
}
