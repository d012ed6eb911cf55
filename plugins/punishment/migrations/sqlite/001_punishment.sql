-- 001 the punishment plugin (docs/punishment.md): the measures catalogue (清单制), the memoranda
-- (备忘录) and the (list, measure) pairs they trigger, the cases (联合惩戒案件) with one task per
-- department, the listings in force as this plugin learned them from the lists plugin's events,
-- the credit check's keys, log and reports back, and the sequence the in-memory index follows.
CREATE TABLE punishment_measures (
  code TEXT PRIMARY KEY,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('punishment', 'reward')),
  department TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  lists TEXT NOT NULL,          -- JSON array of list type codes
  actions TEXT NOT NULL,        -- JSON array of actions
  effect TEXT NOT NULL CHECK (effect IN ('deny', 'restrict', 'ease')),
  published_on TEXT NOT NULL,   -- YYYY-MM-DD; not applied before it
  digest TEXT NOT NULL,
  updated_at_us BIGINT NOT NULL
);

CREATE TABLE punishment_memoranda (
  code TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  departments TEXT NOT NULL,    -- JSON array of department codes
  signed_on TEXT NOT NULL,
  entries TEXT NOT NULL,        -- JSON array of {list, measures}
  digest TEXT NOT NULL,
  updated_at_us BIGINT NOT NULL
);

-- The pairs the memoranda name: list → measure (one row per memorandum entry and measure).
CREATE TABLE punishment_triggers (
  memorandum TEXT NOT NULL REFERENCES punishment_memoranda(code),
  list TEXT NOT NULL,
  measure TEXT NOT NULL REFERENCES punishment_measures(code),
  PRIMARY KEY (memorandum, list, measure)
);
CREATE INDEX punishment_triggers_list ON punishment_triggers(list, measure);

-- Listings in force (and ended), from lists.listing.in_force / .ended.
CREATE TABLE punishment_listings (
  id TEXT PRIMARY KEY,
  list TEXT NOT NULL,
  uscc TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('in_force', 'ended')),
  starts_on TEXT NOT NULL DEFAULT '',
  expires_on TEXT NOT NULL DEFAULT '',
  ended_on TEXT NOT NULL DEFAULT '',
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX punishment_listings_uscc ON punishment_listings(uscc, state);

CREATE TABLE punishment_cases (
  id TEXT PRIMARY KEY,                 -- JC-<listing id>
  listing_id TEXT NOT NULL UNIQUE,
  list TEXT NOT NULL,
  uscc TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'stop_requested', 'closed')),
  opened_on TEXT NOT NULL,
  ended_on TEXT NOT NULL DEFAULT '',
  end_reason TEXT NOT NULL DEFAULT '',
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX punishment_cases_state ON punishment_cases(state);

CREATE TABLE punishment_tasks (
  case_id TEXT NOT NULL REFERENCES punishment_cases(id),
  department TEXT NOT NULL,
  measures TEXT NOT NULL,              -- JSON array of measure codes
  state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined')),
  respond_due TEXT NOT NULL,
  feedback_due TEXT NOT NULL,
  responded_on TEXT NOT NULL DEFAULT '',
  responded_by TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  fed_back_on TEXT NOT NULL DEFAULT '',
  stop_state TEXT NOT NULL DEFAULT '' CHECK (stop_state IN ('', 'requested', 'confirmed')),
  stop_due TEXT NOT NULL DEFAULT '',
  stop_confirmed_on TEXT NOT NULL DEFAULT '',
  stop_confirmed_by TEXT NOT NULL DEFAULT '',
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (case_id, department)
);
CREATE INDEX punishment_tasks_department ON punishment_tasks(department, case_id);

CREATE TABLE punishment_feedback (
  case_id TEXT NOT NULL,
  department TEXT NOT NULL,
  measure TEXT NOT NULL,
  applied_on TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  reported_by TEXT NOT NULL,
  at_us BIGINT NOT NULL,
  PRIMARY KEY (case_id, department, measure),
  FOREIGN KEY (case_id, department) REFERENCES punishment_tasks(case_id, department)
);

CREATE TABLE punishment_keys (
  name TEXT PRIMARY KEY,
  department TEXT NOT NULL,
  actions TEXT NOT NULL,               -- JSON array
  key_sha256 TEXT NOT NULL UNIQUE,     -- the key itself is never stored
  created_by TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  revoked_at_us BIGINT NOT NULL DEFAULT 0
);

-- Every credit check answered (kept 10 years: the retention job deletes older rows).
CREATE TABLE punishment_checks (
  check_id TEXT PRIMARY KEY,
  key_name TEXT NOT NULL,
  department TEXT NOT NULL,
  uscc TEXT NOT NULL,
  action TEXT NOT NULL,
  answer TEXT NOT NULL,
  listing_ids TEXT NOT NULL,           -- ';'-separated
  measure_codes TEXT NOT NULL,         -- ';'-separated
  at_us BIGINT NOT NULL
);
CREATE INDEX punishment_checks_at ON punishment_checks(at_us);
CREATE INDEX punishment_checks_uscc ON punishment_checks(uscc, at_us);

-- A department's report that it applied a measure against a check.
CREATE TABLE punishment_applied (
  check_id TEXT NOT NULL,
  measure TEXT NOT NULL,
  department TEXT NOT NULL,
  key_name TEXT NOT NULL,
  applied_on TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  at_us BIGINT NOT NULL,
  PRIMARY KEY (check_id, measure)
);

-- The one row the index follows: every change that affects answers bumps seq in its unit of
-- work and adds a row to punishment_changes; epoch tells one database from another.
CREATE TABLE punishment_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  epoch TEXT NOT NULL
);
INSERT INTO punishment_state (id, seq, epoch) VALUES (1, 0, lower(hex(randomblob(16))));

CREATE TABLE punishment_changes (
  seq BIGINT PRIMARY KEY,
  what TEXT NOT NULL CHECK (what IN ('listing', 'catalogue', 'keys')),
  ref TEXT NOT NULL DEFAULT '',
  at_us BIGINT NOT NULL
);
