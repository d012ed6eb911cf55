// The web platform's accounts (webui/src/accounts.h) on a real database of each backend:
// users and their rules, argon2id hashes, sessions with idle and absolute timeouts, the
// throttling of failed sign-ins per account and per address, and what ends a session. The
// platform clock is fixed (PlatformImpl::SetNow), so no test waits or depends on the time.
#include <catch2/catch.hpp>
#include <string>

#include "accounts.h"
#include "platform_impl.h"
#include "test_support.h"
#include "world.h"

using namespace xj;
using namespace xj::web;
using Catch::Matchers::Contains;

namespace {

constexpr std::int64_t kMinute = 60LL * 1'000'000;
constexpr std::int64_t kT0 = 1'780'000'000LL * 1'000'000;  // 2026-05-28, any fixed instant
const char* kGood = "correct horse battery";

struct AccountsWorld : test::World {
  PlatformImpl platform;
  Principal admin = [] {
    Principal p;
    p.id = "root-operator";
    p.roles = {kRoleAdmin};
    return p;
  }();
  AccountsWorld() {
    test::WorldOptions o;
    o.departments = {test::NingboDepartment("SCJG"), test::NingboDepartment("WJW")};
    o.inspectors = {test::Officer("SCJG", 1, "张三", ""), test::Officer("WJW", 1, "李四", "")};
    test::OpenWorld(*this, o);
    platform.Attach(db.get());
    platform.SetNow(kT0);
  }
  ~AccountsWorld() override { platform.Attach(nullptr); }
  User Supervisor(const std::string& login = "wang.supervisor") {
    User u;
    u.login = login;
    u.display_name = "王监管";
    u.department = "SCJG";
    u.roles = {kRoleSupervisor};
    return u;
  }
  Result<Session> In(const std::string& login, const std::string& password, const std::string& address = "10.0.0.1",
                     std::int64_t* retry = nullptr) {
    std::int64_t r = 0;
    auto s = SignIn(platform, AccountPolicy{}, login, password, address, &r);
    if (retry) *retry = r;
    return s;
  }
};

}  // namespace

TEST_CASE("accounts: users are added with checked logins, roles, departments and passwords", "[accounts]") {
  AccountsWorld w;
  REQUIRE(AddUser(w.platform, w.admin, w.Supervisor(), kGood).ok());
  CHECK(AddUser(w.platform, w.admin, w.Supervisor(), kGood).code() == StatusCode::kAlreadyExists);

  // The stored hash is argon2id and verifies; the password is nowhere in the database.
  auto rows = test::Rows(*w.db, "SELECT password_hash FROM users WHERE login = 'wang.supervisor'");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0].rfind("$argon2id$", 0) == 0);
  CHECK(VerifyPassword(rows[0][0], kGood));
  CHECK_FALSE(VerifyPassword(rows[0][0], "correct horse battery "));
  CHECK(test::Count(*w.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.user.added'") == 1);
  CHECK(test::AuditChainVerifies(*w.db));

  User u = w.Supervisor("x");
  CHECK_THAT(AddUser(w.platform, w.admin, u, kGood).message(), Contains("login"));  // too short
  u.login = "bad login";
  CHECK(AddUser(w.platform, w.admin, u, kGood).code() == StatusCode::kInvalidArgument);
  u.login = "'; DROP TABLE users; --";
  CHECK(AddUser(w.platform, w.admin, u, kGood).code() == StatusCode::kInvalidArgument);
  u.login = std::string(65, 'a');
  CHECK(AddUser(w.platform, w.admin, u, kGood).code() == StatusCode::kInvalidArgument);
  u.login = "li.si";
  CHECK_THAT(AddUser(w.platform, w.admin, u, "short").message(), Contains("10"));
  CHECK_THAT(AddUser(w.platform, w.admin, u, "aaaaaaaaaaaaaa").message(), Contains("repeat"));
  CHECK_THAT(AddUser(w.platform, w.admin, u, std::string(257, 'x') + "y").message(), Contains("256"));
  CHECK(AddUser(w.platform, w.admin, u, "password\x01with control").code() == StatusCode::kInvalidArgument);
  CHECK(AddUser(w.platform, w.admin, u, "bad utf8 \xff\xfe here").code() == StatusCode::kInvalidArgument);
  u.roles = {"superuser"};
  CHECK_THAT(AddUser(w.platform, w.admin, u, kGood).message(), Contains("unknown role superuser"));
  u.roles = {kRoleSupervisor};
  u.department = "";
  CHECK_THAT(AddUser(w.platform, w.admin, u, kGood).message(), Contains("department"));
  u.department = "NOPE";
  CHECK_THAT(AddUser(w.platform, w.admin, u, kGood).message(), Contains("no department NOPE"));
  u.display_name = "";
  u.department = "SCJG";
  CHECK(AddUser(w.platform, w.admin, u, kGood).code() == StatusCode::kInvalidArgument);

  // An inspector's login is an inspector of its department.
  User i;
  i.display_name = "张三";
  i.roles = {kRoleInspector};
  i.department = "SCJG";
  i.login = "SCJG-99";
  CHECK_THAT(AddUser(w.platform, w.admin, i, kGood).message(), Contains("no inspector SCJG-99"));
  i.login = "WJW-01";
  CHECK_THAT(AddUser(w.platform, w.admin, i, kGood).message(), Contains("belongs to department WJW"));
  i.login = "SCJG-01";
  REQUIRE(AddUser(w.platform, w.admin, i, kGood).ok());

  auto all = ListUsers(w.platform);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK(all->at(0).login == "SCJG-01");
  CHECK(all->at(1).login == "wang.supervisor");
  CHECK(all->at(1).department == "SCJG");
}

TEST_CASE("accounts: a session gives the user's principal and ends on idle, absolute time and sign-out",
          "[accounts]") {
  AccountsWorld w;
  REQUIRE(AddUser(w.platform, w.admin, w.Supervisor(), kGood).ok());
  auto s = w.In("wang.supervisor", kGood);
  REQUIRE(s.ok());
  CHECK(s->token.size() == 43);
  CHECK(s->csrf_token.size() == 43);
  CHECK(s->token != s->csrf_token);
  CHECK(s->expires_at_us == kT0 + AccountPolicy{}.absolute_us);
  // The database keeps only the token's digest.
  CHECK(test::Count(*w.db, "SELECT COUNT(*) FROM web_sessions WHERE token_hash = '" + s->token + "'") == 0);
  CHECK(test::Count(*w.db, "SELECT COUNT(*) FROM web_sessions") == 1);

  const Principal p = PrincipalOf(s->user);
  CHECK(p.id == "wang.supervisor");
  CHECK(p.authenticated);
  CHECK(p.department == "SCJG");
  CHECK(p.HasRole(kRoleSupervisor));
  CHECK_FALSE(p.ActsFor("WJW"));

  const AccountPolicy policy;
  SECTION("idle") {
    w.platform.SetNow(kT0 + 29 * kMinute);
    auto r = Resume(w.platform, policy, s->token);
    REQUIRE(r.ok());
    REQUIRE(r->has_value());  // and renewed: the idle time counts from here
    w.platform.SetNow(kT0 + 58 * kMinute);
    r = Resume(w.platform, policy, s->token);
    REQUIRE(r.ok());
    CHECK(r->has_value());
    w.platform.SetNow(kT0 + 88 * kMinute);
    r = Resume(w.platform, policy, s->token);
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());
  }
  SECTION("absolute") {
    for (int m = 20; m < 12 * 60; m += 20) {
      w.platform.SetNow(kT0 + m * kMinute);
      auto r = Resume(w.platform, policy, s->token);
      REQUIRE(r.ok());
      REQUIRE(r->has_value());
    }
    w.platform.SetNow(kT0 + 12 * 60 * kMinute);
    auto r = Resume(w.platform, policy, s->token);
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());
  }
  SECTION("sign-out, a new password, disabling") {
    auto second = w.In("wang.supervisor", kGood);
    REQUIRE(second.ok());
    REQUIRE(SignOut(w.platform, s->token).ok());
    CHECK_FALSE(Resume(w.platform, policy, s->token)->has_value());
    CHECK(Resume(w.platform, policy, second->token)->has_value());
    REQUIRE(SetPassword(w.platform, w.admin, "wang.supervisor", "another good password").ok());
    CHECK_FALSE(Resume(w.platform, policy, second->token)->has_value());
    CHECK(w.In("wang.supervisor", kGood).status().code() == StatusCode::kUnauthenticated);
    auto third = w.In("wang.supervisor", "another good password");
    REQUIRE(third.ok());
    REQUIRE(SetDisabled(w.platform, w.admin, "wang.supervisor", true).ok());
    CHECK_FALSE(Resume(w.platform, policy, third->token)->has_value());
    CHECK(w.In("wang.supervisor", "another good password").status().code() == StatusCode::kUnauthenticated);
    REQUIRE(SetDisabled(w.platform, w.admin, "wang.supervisor", false).ok());
    CHECK(w.In("wang.supervisor", "another good password").ok());
    CHECK(SetPassword(w.platform, w.admin, "nobody", kGood).code() == StatusCode::kNotFound);
    CHECK(SetDisabled(w.platform, w.admin, "nobody", true).code() == StatusCode::kNotFound);
    CHECK(test::Count(*w.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.user.password'") == 1);
    CHECK(test::Count(*w.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.user.disabled'") == 1);
    CHECK(test::AuditChainVerifies(*w.db));
  }
  SECTION("forged and malformed tokens") {
    for (const std::string& t : {std::string(), std::string(43, 'A'), s->csrf_token, s->token + "x",
                                 s->token.substr(0, 42) + (s->token[42] == 'A' ? "B" : "A"), std::string(100000, 'z'),
                                 std::string("' OR '1'='1")}) {
      auto r = Resume(w.platform, policy, t);
      REQUIRE(r.ok());
      CHECK_FALSE(r->has_value());
    }
  }
}

TEST_CASE("accounts: failed sign-ins lock the account, then the address, with backoff", "[accounts]") {
  AccountsWorld w;
  REQUIRE(AddUser(w.platform, w.admin, w.Supervisor(), kGood).ok());
  REQUIRE(AddUser(w.platform, w.admin, w.Supervisor("zhao.supervisor"), kGood).ok());
  std::int64_t retry = 0;
  // An unknown login and a wrong password get the same answer.
  auto unknown = w.In("nobody", kGood);
  auto wrong = w.In("zhao.supervisor", "wrong password!!");
  CHECK(unknown.status().message() == wrong.status().message());
  CHECK(unknown.status().code() == StatusCode::kUnauthenticated);

  for (int i = 0; i < 4; ++i) CHECK(w.In("wang.supervisor", "wrong password " + std::to_string(i)).status().code() == StatusCode::kUnauthenticated);
  CHECK(w.In("wang.supervisor", "wrong password 5").status().code() == StatusCode::kUnauthenticated);  // the 5th: locked now
  // Locked: even the right password is refused, with the time left.
  auto locked = w.In("wang.supervisor", kGood, "10.0.0.2", &retry);
  CHECK(locked.status().code() == StatusCode::kResourceExhausted);
  CHECK(retry == 30);
  // Another account is not locked by it.
  CHECK(w.In("zhao.supervisor", kGood, "10.0.0.3").ok());
  // After the lock a failure locks again, twice as long.
  w.platform.SetNow(kT0 + 31 * 1'000'000LL);
  CHECK(w.In("wang.supervisor", "wrong again", "10.0.0.2").status().code() == StatusCode::kUnauthenticated);
  CHECK(w.In("wang.supervisor", kGood, "10.0.0.2", &retry).status().code() == StatusCode::kResourceExhausted);
  CHECK(retry == 60);
  // At most 15 minutes.
  std::int64_t now = kT0 + 31 * 1'000'000LL;
  for (int i = 0; i < 10; ++i) {
    now += 16 * kMinute;
    w.platform.SetNow(now);
    CHECK(w.In("wang.supervisor", "wrong " + std::to_string(i), "10.0.0.4").status().code() == StatusCode::kUnauthenticated);
  }
  CHECK(w.In("wang.supervisor", kGood, "10.0.0.4", &retry).status().code() == StatusCode::kResourceExhausted);
  CHECK(retry == 15 * 60);
  // When the lock ends the right password works and clears the count.
  now += 15 * kMinute;
  w.platform.SetNow(now);
  REQUIRE(w.In("wang.supervisor", kGood, "10.0.0.5").ok());
  CHECK(w.In("wang.supervisor", "one wrong", "10.0.0.5").status().code() == StatusCode::kUnauthenticated);
  CHECK(w.In("wang.supervisor", kGood, "10.0.0.5").ok());

  // An address: 20 failures over many logins lock it for every login.
  for (int i = 0; i < 20; ++i)
    CHECK(w.In("guess" + std::to_string(i), "wrong password", "10.1.1.1").status().code() == StatusCode::kUnauthenticated);
  CHECK(w.In("zhao.supervisor", kGood, "10.1.1.1", &retry).status().code() == StatusCode::kResourceExhausted);
  CHECK(w.In("zhao.supervisor", kGood, "10.0.0.9").ok());
  // Malformed input is refused before any lookup, and counts nothing.
  CHECK(w.In("'; DROP TABLE users; --", kGood, "10.0.0.9").status().code() == StatusCode::kInvalidArgument);
  CHECK(w.In("zhao.supervisor", std::string(100000, 'p'), "10.0.0.9").status().code() == StatusCode::kInvalidArgument);
  CHECK(test::Count(*w.db, "SELECT COUNT(*) FROM users") == 2);
}
