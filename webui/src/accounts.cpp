#include "accounts.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "xinjian/digest.h"
#include "xinjian/text.h"

namespace xj::web {
namespace {

using digest::Sha256Hex;

constexpr std::size_t kMaxPassword = 256;
constexpr std::int64_t kTouchEveryUs = 60LL * 1'000'000;

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no secure random source: nothing may be signed in
  });
}

Status Invalid(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

std::string JoinRoles(const std::vector<std::string>& roles) {
  std::string out;
  for (const auto& r : roles) out += (out.empty() ? "" : ";") + r;
  return out;
}

std::vector<std::string> SplitRoles(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The digest of a user's public fields: what the audit records bind (never the password hash).
std::string UserDigest(const User& u) {
  nlohmann::json j{{"login", u.login},
                   {"display_name", u.display_name},
                   {"department", u.department},
                   {"roles", JoinRoles(u.roles)},
                   {"disabled", u.disabled}};
  return Sha256Hex(j.dump());
}

constexpr const char* kUserColumns =
    "login, display_name, COALESCE(department, ''), roles, disabled, created_at_us, updated_at_us";

User UserOf(const SqlRow& r, int first = 0) {
  User u;
  u.login = r.Text(first);
  u.display_name = r.Text(first + 1);
  u.department = r.Text(first + 2);
  u.roles = SplitRoles(r.Text(first + 3));
  u.disabled = r.Int(first + 4) != 0;
  u.created_at_us = r.Int(first + 5);
  u.updated_at_us = r.Int(first + 6);
  return u;
}

Result<std::optional<User>> FindUser(Sql& sql, const std::string& login, std::string* hash = nullptr) {
  std::optional<User> found;
  Status st = sql.Query(std::string("SELECT ") + kUserColumns + ", password_hash FROM users WHERE login = ?", {login},
                        [&](const SqlRow& r) {
                          found = UserOf(r);
                          if (hash) *hash = r.Text(7);
                          return true;
                        });
  if (!st.ok()) return st;
  return found;
}

Status NoUser(const std::string& login) {
  return Status::Error(StatusCode::kNotFound, "没有用户 " + login, "no user " + login);
}

std::string Base64Url(const unsigned char* bytes, std::size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// A hash of a random password: what an unknown login is checked against, so that it costs the
// same time as a known one.
const std::string& DummyHash() {
  static const std::string hash = [] {
    auto h = HashPassword(RandomToken());
    return h.ok() ? h.value() : std::string();
  }();
  return hash;
}

struct Throttle {
  int failures = 0;
  std::int64_t last_failure_us = 0;
  std::int64_t locked_until_us = 0;
};

Result<Throttle> ReadThrottle(Sql& sql, const std::string& key) {
  Throttle t;
  Status st = sql.Query("SELECT failures, last_failure_us, locked_until_us FROM login_throttle WHERE throttle_key = ?",
                        {key}, [&](const SqlRow& r) {
                          t.failures = static_cast<int>(r.Int(0));
                          t.last_failure_us = r.Int(1);
                          t.locked_until_us = r.Int(2);
                          return true;
                        });
  if (!st.ok()) return st;
  return t;
}

// Counts one failure under `key` (threshold: failures before locks begin).
Status CountFailure(Sql& sql, const AccountPolicy& p, const std::string& key, int threshold, std::int64_t now) {
  auto t = ReadThrottle(sql, key);
  if (!t.ok()) return t.status();
  Throttle v = t.value();
  if (v.failures > 0 && now - v.last_failure_us > p.forget_us) v = Throttle{};
  v.failures += 1;
  v.last_failure_us = now;
  if (v.failures >= threshold) {
    std::int64_t lock = p.first_lock_us;
    for (int i = threshold; i < v.failures && lock < p.max_lock_us; ++i) lock *= 2;
    v.locked_until_us = now + std::min(lock, p.max_lock_us);
  }
  auto n = sql.Exec("UPDATE login_throttle SET failures = ?, last_failure_us = ?, locked_until_us = ? WHERE throttle_key = ?",
                    {v.failures, v.last_failure_us, v.locked_until_us, key});
  if (!n.ok()) return n.status();
  if (n.value() == 0) {
    auto ins = sql.Exec(
        "INSERT INTO login_throttle (throttle_key, failures, last_failure_us, locked_until_us) VALUES (?, ?, ?, ?)",
        {key, v.failures, v.last_failure_us, v.locked_until_us});
    if (!ins.ok()) return ins.status();
  }
  return Status::Ok();
}

Result<std::int64_t> ParseBounded(const std::map<std::string, std::string>& config, const std::string& key,
                                  std::int64_t lo, std::int64_t hi, std::int64_t fallback) {
  auto it = config.find(key);
  if (it == config.end()) return fallback;
  const std::string& v = it->second;
  std::int64_t n = 0;
  bool ok = !v.empty() && v.size() <= 9;
  for (char c : v) ok = ok && c >= '0' && c <= '9';
  if (ok) n = std::atoll(v.c_str());
  if (!ok || n < lo || n > hi)
    return Invalid("配置 " + key + " 须为 " + std::to_string(lo) + " 至 " + std::to_string(hi) + " 的整数",
                   key + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return n;
}

Status CheckRolesAndDepartment(Sql& sql, const User& u) {
  if (u.roles.empty()) return Invalid("至少需要一个角色", "at least one role is needed");
  static const std::vector<std::string> kKnown = {kRoleAdmin, kRoleSupervisor, kRoleInspector, kRoleAuditor};
  for (const auto& r : u.roles)
    if (std::find(kKnown.begin(), kKnown.end(), r) == kKnown.end())
      return Invalid("未知角色 " + r + "（可用：admin、supervisor、inspector、auditor）",
                     "unknown role " + r + " (admin, supervisor, inspector, auditor)");
  const bool needs_dept = u.HasRoleFor(kRoleSupervisor) || u.HasRoleFor(kRoleInspector);
  if (needs_dept && u.department.empty())
    return Invalid("监管人员和检查人员须属于一个部门（--department）",
                   "a supervisor or an inspector belongs to a department (--department)");
  if (!u.department.empty()) {
    auto n = sql.QueryInt("SELECT COUNT(*) FROM departments WHERE code = ?", {u.department});
    if (!n.ok()) return n.status();
    if (n.value() == 0) return Invalid("没有部门 " + u.department, "no department " + u.department);
  }
  if (u.HasRoleFor(kRoleInspector)) {
    auto dept = sql.QueryText("SELECT department FROM inspectors WHERE id = ?", {u.login});
    if (!dept.ok()) return dept.status();
    if (!dept.value())
      return Invalid("检查人员账号的登录名须为名录中的检查人员编号，没有检查人员 " + u.login,
                     "an inspector's login is its inspector id in the directory; there is no inspector " + u.login);
    if (*dept.value() != u.department)
      return Invalid("检查人员 " + u.login + " 属于部门 " + *dept.value() + "，不是 " + u.department,
                     "inspector " + u.login + " belongs to department " + *dept.value() + ", not " + u.department);
  }
  return Status::Ok();
}

}  // namespace

bool User::HasRoleFor(const std::string& role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

Result<AccountPolicy> PolicyFromConfig(const std::map<std::string, std::string>& config) {
  AccountPolicy p;
  auto idle = ParseBounded(config, "web.session_idle_minutes", 1, 1440, 30);
  if (!idle.ok()) return idle.status();
  auto hours = ParseBounded(config, "web.session_hours", 1, 720, 12);
  if (!hours.ok()) return hours.status();
  p.idle_us = idle.value() * 60 * 1'000'000;
  p.absolute_us = hours.value() * 3600 * 1'000'000;
  return p;
}

Status CheckLogin(const std::string& login) {
  const bool ok = login.size() >= 2 && login.size() <= 64 &&
                  std::all_of(login.begin(), login.end(),
                              [](char c) {
                                return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                       c == '.' || c == '_' || c == '-';
                              }) &&
                  std::isalnum(static_cast<unsigned char>(login[0]));
  if (!ok)
    return Invalid("登录名须为 2 至 64 个字母、数字、. _ -，以字母或数字开头",
                   "a login is 2 to 64 letters, digits, . _ or -, starting with a letter or digit");
  return Status::Ok();
}

Status CheckPassword(const std::string& login, const std::string& password) {
  if (password.size() > kMaxPassword) return Invalid("密码过长（至多 256 字节）", "the password is too long (at most 256 bytes)");
  if (!utf8::IsValid(password) || utf8::HasControlChar(password))
    return Invalid("密码含有控制字符或无效的 UTF-8", "the password contains a control character or invalid UTF-8");
  if (utf8::CodePointCount(password) < 10) return Invalid("密码至少 10 个字符", "a password has at least 10 characters");
  if (password == login) return Invalid("密码不能与登录名相同", "the password may not be the login");
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password[0]; }))
    return Invalid("密码不能由同一个字符重复组成", "the password may not repeat one character");
  return Status::Ok();
}

Result<std::string> HashPassword(const std::string& password) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Status::Error(StatusCode::kInternal, "无法计算密码散列（内存不足）", "cannot hash the password (out of memory)");
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  InitSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES || password.size() > kMaxPassword) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string RandomToken() {
  InitSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return Base64Url(bytes, sizeof bytes);
}

bool SameToken(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Principal PrincipalOf(const User& user) {
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.id = user.login;
  p.department = user.department;
  p.roles = user.roles;
  p.authenticated = true;
  return p;
}

Status AddUser(Platform& platform, const Principal& actor, const User& user, const std::string& password) {
  if (Status st = CheckLogin(user.login); !st.ok()) return st;
  if (user.display_name.empty() || user.display_name.size() > 200 || !utf8::IsValid(user.display_name) ||
      utf8::HasControlChar(user.display_name))
    return Invalid("姓名须为 1 至 200 字节、不含控制字符", "the name is 1 to 200 bytes without control characters");
  if (Status st = CheckPassword(user.login, password); !st.ok()) return st;
  auto hash = HashPassword(password);  // before the transaction: it takes a while
  if (!hash.ok()) return hash.status();
  return platform.RunInTransaction(actor, [&](UnitOfWork& uow) -> Status {
    if (Status st = CheckRolesAndDepartment(uow.sql(), user); !st.ok()) return st;
    auto existing = FindUser(uow.sql(), user.login);
    if (!existing.ok()) return existing.status();
    if (existing.value()) return Status::Error(StatusCode::kAlreadyExists, "用户 " + user.login + " 已存在", "user " + user.login + " exists already");
    User u = user;
    u.disabled = false;
    u.created_at_us = u.updated_at_us = uow.now_us();
    auto n = uow.sql().Exec(
        "INSERT INTO users (login, display_name, department, roles, password_hash, disabled, created_at_us, "
        "updated_at_us) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
        {u.login, u.display_name, u.department.empty() ? SqlValue() : SqlValue(u.department), JoinRoles(u.roles),
         hash.value(), u.created_at_us, u.updated_at_us});
    if (!n.ok()) return n.status();
    return uow.Audit({"account.user.added", "user", u.login, "", UserDigest(u)});
  });
}

Status SetPassword(Platform& platform, const Principal& actor, const std::string& login, const std::string& password) {
  if (Status st = CheckLogin(login); !st.ok()) return st;
  if (Status st = CheckPassword(login, password); !st.ok()) return st;
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  return platform.RunInTransaction(actor, [&](UnitOfWork& uow) -> Status {
    auto found = FindUser(uow.sql(), login);
    if (!found.ok()) return found.status();
    if (!found.value()) return NoUser(login);
    auto n = uow.sql().Exec("UPDATE users SET password_hash = ?, updated_at_us = ? WHERE login = ?",
                            {hash.value(), uow.now_us(), login});
    if (!n.ok()) return n.status();
    auto gone = uow.sql().Exec("DELETE FROM web_sessions WHERE login = ?", {login});
    if (!gone.ok()) return gone.status();
    const std::string d = UserDigest(*found.value());
    return uow.Audit({"account.user.password", "user", login, d, d});
  });
}

Status SetDisabled(Platform& platform, const Principal& actor, const std::string& login, bool disabled) {
  if (Status st = CheckLogin(login); !st.ok()) return st;
  return platform.RunInTransaction(actor, [&](UnitOfWork& uow) -> Status {
    auto found = FindUser(uow.sql(), login);
    if (!found.ok()) return found.status();
    if (!found.value()) return NoUser(login);
    User u = *found.value();
    const std::string before = UserDigest(u);
    u.disabled = disabled;
    auto n = uow.sql().Exec("UPDATE users SET disabled = ?, updated_at_us = ? WHERE login = ?",
                            {disabled ? 1 : 0, uow.now_us(), login});
    if (!n.ok()) return n.status();
    if (disabled) {
      auto gone = uow.sql().Exec("DELETE FROM web_sessions WHERE login = ?", {login});
      if (!gone.ok()) return gone.status();
    }
    return uow.Audit({disabled ? "account.user.disabled" : "account.user.enabled", "user", login, before, UserDigest(u)});
  });
}

Result<std::vector<User>> ListUsers(Platform& platform) {
  std::vector<User> out;
  Status st = platform.Read([&](Sql& sql) {
    return sql.Query(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY login", {}, [&](const SqlRow& r) {
      out.push_back(UserOf(r));
      return true;
    });
  });
  if (!st.ok()) return st;
  return out;
}

Result<Session> SignIn(Platform& platform, const AccountPolicy& policy, const std::string& login,
                       const std::string& password, const std::string& address, std::int64_t* retry_after_s) {
  *retry_after_s = 0;
  if (Status st = CheckLogin(login); !st.ok()) return st;
  if (password.size() > kMaxPassword) return Invalid("密码过长（至多 256 字节）", "the password is too long (at most 256 bytes)");
  const std::string account_key = "login:" + login, address_key = "address:" + address.substr(0, 64);
  // 1. Locked? (read only: no write lock is held while the password is hashed)
  std::string hash;
  std::optional<User> user;
  std::int64_t locked_until = 0;
  Status st = platform.Read([&](Sql& sql) -> Status {
    for (const std::string& key : {account_key, address_key}) {
      auto t = ReadThrottle(sql, key);
      if (!t.ok()) return t.status();
      locked_until = std::max(locked_until, t->locked_until_us);
    }
    auto u = FindUser(sql, login, &hash);
    if (!u.ok()) return u.status();
    user = u.value();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  const std::int64_t now = platform.NowMicros();
  if (locked_until > now) {
    *retry_after_s = (locked_until - now + 999'999) / 1'000'000;
    return Status::Error(StatusCode::kResourceExhausted,
                         "登录失败次数过多，请 " + std::to_string(*retry_after_s) + " 秒后再试",
                         "too many failed sign-ins; try again in " + std::to_string(*retry_after_s) + " s");
  }
  // 2. The password, outside any transaction; an unknown login costs the same.
  const bool known = user.has_value() && !user->disabled;
  const bool good = VerifyPassword(known ? hash : DummyHash(), password) && known;
  // 3. Count the failure, or open the session.
  Session session;
  Principal actor = known ? PrincipalOf(*user) : Principal::System("web");
  st = platform.RunInTransaction(actor, [&](UnitOfWork& uow) -> Status {
    const std::int64_t t = uow.now_us();
    if (!good) {
      if (Status s = CountFailure(uow.sql(), policy, account_key, policy.account_failures, t); !s.ok()) return s;
      return CountFailure(uow.sql(), policy, address_key, policy.address_failures, t);
    }
    auto cleared = uow.sql().Exec("DELETE FROM login_throttle WHERE throttle_key = ?", {account_key});
    if (!cleared.ok()) return cleared.status();
    // Expired sessions go when someone signs in: the table stays the size of the live ones.
    auto expired = uow.sql().Exec("DELETE FROM web_sessions WHERE expires_at_us <= ? OR last_seen_us <= ?",
                                  {t, t - policy.idle_us});
    if (!expired.ok()) return expired.status();
    session.token = RandomToken();
    session.csrf_token = RandomToken();
    session.user = *user;
    session.expires_at_us = t + policy.absolute_us;
    auto n = uow.sql().Exec(
        "INSERT INTO web_sessions (token_hash, login, csrf_token, created_at_us, last_seen_us, expires_at_us) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {Sha256Hex(session.token), login, session.csrf_token, t, t, session.expires_at_us});
    if (!n.ok()) return n.status();
    return uow.Audit({"account.session.created", "user", login, "", ""});
  });
  if (!st.ok()) return st;
  if (!good)
    return Status::Error(StatusCode::kUnauthenticated, "用户名或密码错误", "wrong login or password");
  return session;
}

Result<std::optional<Session>> Resume(Platform& platform, const AccountPolicy& policy, const std::string& token) {
  if (token.size() != 43) return std::optional<Session>();
  const std::string token_hash = Sha256Hex(token);
  std::optional<Session> found;
  std::int64_t last_seen = 0;
  Status st = platform.Read([&](Sql& sql) {
    return sql.Query(std::string("SELECT s.csrf_token, s.last_seen_us, s.expires_at_us, u.") +
                         "login, u.display_name, COALESCE(u.department, ''), u.roles, u.disabled, u.created_at_us, "
                         "u.updated_at_us FROM web_sessions s JOIN users u ON u.login = s.login WHERE s.token_hash = ?",
                     {token_hash}, [&](const SqlRow& r) {
                       Session s;
                       s.csrf_token = r.Text(0);
                       last_seen = r.Int(1);
                       s.expires_at_us = r.Int(2);
                       s.user = UserOf(r, 3);
                       found = std::move(s);
                       return true;
                     });
  });
  if (!st.ok()) return st;
  if (!found) return found;
  const std::int64_t now = platform.NowMicros();
  if (found->user.disabled || now >= found->expires_at_us || now - last_seen >= policy.idle_us) return std::optional<Session>();
  if (now - last_seen >= kTouchEveryUs) {
    st = platform.RunInTransaction(PrincipalOf(found->user), [&](UnitOfWork& uow) -> Status {
      return uow.sql().Exec("UPDATE web_sessions SET last_seen_us = ? WHERE token_hash = ?", {uow.now_us(), token_hash}).status();
    });
    if (!st.ok()) return st;
  }
  return found;
}

Status SignOut(Platform& platform, const std::string& token) {
  if (token.size() != 43) return Status::Ok();
  return platform.RunInTransaction(Principal::System("web"), [&](UnitOfWork& uow) -> Status {
    return uow.sql().Exec("DELETE FROM web_sessions WHERE token_hash = ?", {Sha256Hex(token)}).status();
  });
}

}  // namespace xj::web
