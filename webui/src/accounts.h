// Accounts of the web platform: users with roles and a department, their sessions, and the
// throttling of failed sign-ins. Everything lives in the database (schemas/*/009_accounts.sql)
// so that several `xinjian serve` nodes on one PostgreSQL server are one site: a session made
// on one node is good on every other, and so is a lock.
//
// - Passwords are hashed with argon2id (libsodium crypto_pwhash_str, its "interactive"
//   limits); the hash string keeps its parameters, so stronger limits later still verify old
//   hashes. A password is 10 to 256 bytes of UTF-8 without control characters, not the login.
// - A session is a 256-bit random token in an HttpOnly, SameSite=Strict cookie; the database
//   keeps only its SHA-256. It ends after `idle` without a request, after `absolute` in any
//   case, on sign-out, and when its user's password changes or the user is disabled.
// - Every session has its CSRF token (256 bits, base64url), which every state-changing request
//   must carry (web_server.h).
// - Failed sign-ins count per account and per address. From the 5th failure of an account
//   (the 20th of an address: offices share one) every further attempt is refused with
//   kResourceExhausted until a lock ends: 30 s, doubled at each further failure, at most 15
//   minutes. A lock refuses the right password too (the caller learns nothing while locked);
//   a success clears the account's count; a count is forgotten 24 hours after its last
//   failure. An unknown login costs the same hashing time as a known one.
//
// Roles (principal.h): admin (every department), supervisor and inspector (one department
// each, required), auditor (reads everything, optionally of one department). An inspector's
// login is its inspector id in the directory (principal.id names the inspector whose visits
// the inspection plugin shows), and its department is the inspector's.
//
// Every change of a user is audited (entity "user", actions account.user.added | password |
// disabled | enabled) and so is every sign-in (account.session.created); the audit records
// carry the digest of the user's public fields, never a password hash.
//
// Thread safety: free functions over a Platform, which is safe to share (platform.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xinjian/platform.h"
#include "xinjian/principal.h"
#include "xinjian/status.h"

namespace xj::web {

struct User {
  std::string login;
  std::string display_name;
  std::string department;  // "" for none
  std::vector<std::string> roles;
  bool disabled = false;
  std::int64_t created_at_us = 0;
  std::int64_t updated_at_us = 0;
  bool HasRoleFor(const std::string& role) const;  // holds `role`
};

struct AccountPolicy {
  std::int64_t idle_us = 30LL * 60 * 1'000'000;           // 30 minutes without a request
  std::int64_t absolute_us = 12LL * 3600 * 1'000'000;     // 12 hours in any case
  int account_failures = 5;                               // failures of a login before locks begin
  int address_failures = 20;                              // failures from one address before locks begin
  std::int64_t first_lock_us = 30LL * 1'000'000;          // the first lock; doubled at each further failure
  std::int64_t max_lock_us = 15LL * 60 * 1'000'000;       // at most this
  std::int64_t forget_us = 24LL * 3600 * 1'000'000;       // a count is forgotten this long after its last failure
};

// The policy from the server's configuration: web.session_idle_minutes (1-1440, default 30)
// and web.session_hours (1-720, default 12). kInvalidArgument naming a bad key.
Result<AccountPolicy> PolicyFromConfig(const std::map<std::string, std::string>& config);

// kInvalidArgument (zh / en) when `login` is not 2-64 of [a-z0-9._-] starting with a letter or digit.
Status CheckLogin(const std::string& login);
// kInvalidArgument when `password` breaks the rules above (for `login`).
Status CheckPassword(const std::string& login, const std::string& password);
// argon2id; kInternal when libsodium cannot (out of memory).
Result<std::string> HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);

// Adds a user: checks the login, password, roles and department (it exists; an inspector's
// login is an inspector of it). kAlreadyExists for a taken login.
Status AddUser(Platform& platform, const Principal& actor, const User& user, const std::string& password);
// A new password; every session of the user ends. kNotFound for an unknown login.
Status SetPassword(Platform& platform, const Principal& actor, const std::string& login, const std::string& password);
// Disables (sessions end, sign-in refused) or enables a user. kNotFound for an unknown login.
Status SetDisabled(Platform& platform, const Principal& actor, const std::string& login, bool disabled);
// Every user, by login.
Result<std::vector<User>> ListUsers(Platform& platform);

struct Session {
  std::string token;       // the cookie's value (only ever in the reply that creates it)
  std::string csrf_token;  // to be sent back with every state-changing request
  User user;
  std::int64_t expires_at_us = 0;  // the absolute end
};

// The principal of a session's user.
Principal PrincipalOf(const User& user);

// Signs in from `address`. kUnauthenticated "用户名或密码错误 / wrong login or password" for
// an unknown or disabled login or a wrong password (one message for all); kResourceExhausted
// while the account or the address is locked, `*retry_after_s` then set to the seconds left;
// kInvalidArgument for a malformed login or an oversized password.
Result<Session> SignIn(Platform& platform, const AccountPolicy& policy, const std::string& login,
                       const std::string& password, const std::string& address, std::int64_t* retry_after_s);
// The session of a cookie token, its idle time renewed (at most once a minute, to spare the
// database); nullopt for an unknown, ended, expired or idle session, or a disabled user.
Result<std::optional<Session>> Resume(Platform& platform, const AccountPolicy& policy, const std::string& token);
// Ends the session of `token` (nothing when there is none).
Status SignOut(Platform& platform, const std::string& token);

// 32 random bytes as base64url without padding (43 characters).
std::string RandomToken();
// Constant-time comparison of two tokens.
bool SameToken(const std::string& a, const std::string& b);

}  // namespace xj::web
