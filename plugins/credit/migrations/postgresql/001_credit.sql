-- 001 credit: credit records, scoring models, scores with their breakdowns and history, risk
-- classes, intermediaries (issue 15, docs/credit.md). PostgreSQL dialect.
-- Instants are integer UTC epoch microseconds; dates are YYYY-MM-DD (Asia/Shanghai). Points
-- are integers in hundredths (81250 = 812.50 points).

-- Credit records (信用信息), one per (kind, ref): ref is the record's natural key within its
-- kind (a penalty's decision number, "<visit>/<item>" for an inspection finding, …).
-- A subject's records, and a run of subjects' records (a recompute's step), are read by USCC
-- from the covering index credit_records_uscc alone (an index-only scan: every column the
-- scoring reads is in it).
CREATE TABLE credit_records (
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  uscc TEXT NOT NULL,
  category TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('minor', 'general', 'serious')),
  occurred_on TEXT NOT NULL,            -- the decision or the event
  public_from TEXT,                     -- first day of publicity; NULL when never public
  public_until TEXT,                    -- last day of publicity; NULL when never public
  is_public INTEGER NOT NULL DEFAULT 0, -- in publicity now (the publicity job keeps it)
  value DOUBLE PRECISION NOT NULL DEFAULT 0,        -- a fine in yuan, an evaluation's points, …
  heavy INTEGER NOT NULL DEFAULT 0,     -- 较重处罚
  authority TEXT NOT NULL DEFAULT '',
  basis TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  attributes TEXT NOT NULL DEFAULT '{}',-- a JSON object of strings
  withdrawn_on TEXT,                    -- revoked or withdrawn: no longer counts or shows
  withdrawn_reason TEXT,
  source TEXT NOT NULL,                 -- 'import:<file name>', 'event:<id>', 'demo', …
  digest TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (kind, ref)
);
CREATE INDEX credit_records_uscc ON credit_records(uscc) INCLUDE (kind, ref, category, severity, occurred_on,
  public_until, value, heavy, attributes, withdrawn_on);
CREATE INDEX credit_records_publicity ON credit_records(is_public, public_until);

-- Scoring models (data files), every version ever added. state: 'available' | 'active' |
-- 'retired'. purpose: 'credit' (the public evaluation), 'risk' (risk classes A-D, internal),
-- 'intermediary' (the intermediaries' yearly grade).
CREATE TABLE credit_models (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('credit', 'risk', 'intermediary')),
  engine TEXT NOT NULL,
  subject_kinds TEXT NOT NULL,          -- ';'-separated
  body TEXT NOT NULL,                   -- the model file
  digest TEXT NOT NULL,                 -- SHA-256 of body
  state TEXT NOT NULL CHECK (state IN ('available', 'active', 'retired')),
  added_at_us BIGINT NOT NULL,
  activated_at_us BIGINT,
  activated_by TEXT,
  PRIMARY KEY (name, version)
);

-- The current score of each subject (公共信用评价). Its breakdown (JSON) is the history row
-- (uscc, at_us): written once.
CREATE TABLE credit_scores (
  uscc TEXT PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  model TEXT NOT NULL,
  model_version TEXT NOT NULL,
  points BIGINT NOT NULL,
  grade TEXT NOT NULL,
  as_of TEXT NOT NULL,
  at_us BIGINT NOT NULL,                -- its row of credit_score_history
  digest TEXT NOT NULL,                 -- of the model, its version and the breakdown: unchanged scores are not rewritten
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX credit_scores_grade ON credit_scores(model, grade);

-- Scores of a step being written in bulk (a recompute): copied in, merged into credit_scores
-- with one statement, then removed (the history rows are copied into their table directly).
-- token: the writing step's.
CREATE UNLOGGED TABLE credit_score_stage (
  token TEXT NOT NULL,
  uscc TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  model TEXT NOT NULL,
  model_version TEXT NOT NULL,
  points BIGINT NOT NULL,
  grade TEXT NOT NULL,
  as_of TEXT NOT NULL,
  digest TEXT NOT NULL,
  PRIMARY KEY (token, uscc)
);

-- The labels of the lines of each model version (the stored breakdowns name the indicator
-- only: the labels are the same for every subject).
CREATE TABLE credit_model_labels (
  model TEXT NOT NULL,
  version TEXT NOT NULL,
  indicator TEXT NOT NULL,
  zh TEXT NOT NULL,
  en TEXT NOT NULL,
  PRIMARY KEY (model, version, indicator)
);

-- Every score a subject had: a row whenever it changed. "As of a date" answers from here.
CREATE TABLE credit_score_history (
  uscc TEXT NOT NULL,
  at_us BIGINT NOT NULL,
  effective_on TEXT NOT NULL,           -- the local date of at_us
  model TEXT NOT NULL,
  model_version TEXT NOT NULL,
  points BIGINT NOT NULL,
  grade TEXT NOT NULL,
  breakdown TEXT NOT NULL,
  PRIMARY KEY (uscc, at_us)
);

-- Risk classes (信用风险分类, internal, never public): one row per subject and month.
CREATE TABLE credit_risk_classes (
  uscc TEXT NOT NULL,
  month TEXT NOT NULL,                  -- YYYY-MM
  risk_class TEXT NOT NULL CHECK (risk_class IN ('A', 'B', 'C', 'D')),
  model TEXT NOT NULL,
  model_version TEXT NOT NULL,
  points BIGINT NOT NULL,
  breakdown TEXT NOT NULL,
  at_us BIGINT NOT NULL,
  PRIMARY KEY (uscc, month)
);

-- A recompute in steps (`credit recompute`, the nightly job): where it got to, so that a
-- killed run goes on from there.
CREATE TABLE credit_runs (
  id TEXT PRIMARY KEY,                  -- 'recompute:<kind or all>', 'risk:<YYYY-MM>', 'grades:<YYYY>'
  cursor TEXT NOT NULL DEFAULT '',      -- the last USCC done
  done BIGINT NOT NULL DEFAULT 0,
  total BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('running', 'done')),
  as_of TEXT NOT NULL,
  started_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL
);

-- Intermediaries (中介机构): service categories and qualifications.
CREATE TABLE credit_intermediaries (
  uscc TEXT PRIMARY KEY,
  categories TEXT NOT NULL,             -- ';'-separated service categories
  qualifications TEXT NOT NULL DEFAULT '',
  updated_at_us BIGINT NOT NULL
);

-- The yearly intermediary grade (A / B / C) with its breakdown.
CREATE TABLE credit_intermediary_grades (
  uscc TEXT NOT NULL,
  year INTEGER NOT NULL,
  grade TEXT NOT NULL,
  points BIGINT NOT NULL,
  model TEXT NOT NULL,
  model_version TEXT NOT NULL,
  breakdown TEXT NOT NULL,
  at_us BIGINT NOT NULL,
  PRIMARY KEY (uscc, year)
);
