-- 009 accounts of the web platform (webui/src/accounts.h): users with roles and a department,
-- their sessions, and the failed sign-ins that throttle guessing. In the database so that
-- several `xinjian serve` nodes on one PostgreSQL server are one site.
CREATE TABLE users (
  login TEXT PRIMARY KEY,                     -- [a-z0-9._-], 2-64; an inspector's login is its inspector id
  display_name TEXT NOT NULL,
  department TEXT REFERENCES departments(code),  -- NULL: none (an admin or auditor of the whole platform)
  roles TEXT NOT NULL,                        -- ';'-separated: admin, supervisor, inspector, auditor
  password_hash TEXT NOT NULL,                -- argon2id, libsodium's crypto_pwhash_str format
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled = 0 OR disabled = 1),
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL
);

-- A session is known by the SHA-256 of its cookie token: a copy of the database opens none.
CREATE TABLE web_sessions (
  token_hash TEXT PRIMARY KEY,
  login TEXT NOT NULL REFERENCES users(login),
  csrf_token TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  last_seen_us BIGINT NOT NULL,               -- the idle timeout counts from here
  expires_at_us BIGINT NOT NULL               -- the absolute timeout
);
CREATE INDEX web_sessions_login ON web_sessions(login);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at_us);

-- Failed sign-ins per account ('login:<login>') and per address ('address:<ip>').
CREATE TABLE login_throttle (
  throttle_key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure_us BIGINT NOT NULL,
  locked_until_us BIGINT NOT NULL
);
