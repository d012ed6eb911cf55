-- 001 the lists plugin (docs/lists.md): listings with their whole life, their transitions,
-- the annual reports the 1 July rule reads, and the numbering of listings.
CREATE TABLE lists_listings (
  id TEXT PRIMARY KEY,                    -- LST-YYYY-NNNNNN
  list TEXT NOT NULL,                     -- the list type's code (xinjian/list_policy.h)
  uscc TEXT NOT NULL,
  subject_name TEXT NOT NULL,
  subject_type TEXT NOT NULL,
  ground TEXT NOT NULL,
  reason TEXT NOT NULL,
  evidence TEXT NOT NULL DEFAULT '[]',    -- JSON array of {kind, ref}
  department TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('proposed', 'reviewed', 'in_force', 'ended', 'rejected')),
  source TEXT NOT NULL,
  source_ref TEXT NOT NULL DEFAULT '',
  proposed_by TEXT NOT NULL,
  proposed_on TEXT NOT NULL,
  due_on TEXT NOT NULL DEFAULT '',
  reviewed_by TEXT NOT NULL DEFAULT '',
  reviewed_on TEXT NOT NULL DEFAULT '',
  review_note TEXT NOT NULL DEFAULT '',
  decided_by TEXT NOT NULL DEFAULT '',
  decided_on TEXT NOT NULL DEFAULT '',
  decision_no TEXT NOT NULL DEFAULT '',
  starts_on TEXT NOT NULL DEFAULT '',
  expires_on TEXT NOT NULL DEFAULT '',
  correction_on TEXT NOT NULL DEFAULT '',
  correction_due TEXT NOT NULL DEFAULT '',
  notice_on TEXT NOT NULL DEFAULT '',
  ended_on TEXT NOT NULL DEFAULT '',
  end_reason TEXT NOT NULL DEFAULT '',
  end_note TEXT NOT NULL DEFAULT '',
  ended_by TEXT NOT NULL DEFAULT '',
  moved_from TEXT NOT NULL DEFAULT '',
  moved_to TEXT NOT NULL DEFAULT '',
  disputed INTEGER NOT NULL DEFAULT 0,
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX lists_listings_uscc ON lists_listings(uscc, state);
CREATE INDEX lists_listings_list ON lists_listings(list, state, starts_on);
CREATE INDEX lists_listings_state ON lists_listings(state, expires_on);
CREATE UNIQUE INDEX lists_listings_source ON lists_listings(list, source_ref) WHERE source_ref <> '';

-- Every change of a listing, in order (the public page's history and the audit's detail).
CREATE TABLE lists_transitions (
  listing_id TEXT NOT NULL REFERENCES lists_listings(id),
  seq INTEGER NOT NULL,
  at_us BIGINT NOT NULL,
  on_date TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (listing_id, seq)
);
CREATE INDEX lists_transitions_at ON lists_transitions(at_us);

-- Annual reports filed (企业年度报告): the 1 July rule proposes listings for the missing ones.
CREATE TABLE lists_annual_reports (
  uscc TEXT NOT NULL,
  year INTEGER NOT NULL,
  filed_on TEXT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (uscc, year)
);

-- The numbering of listings (LST), repairs (REP) and objections (OBJ) per year.
CREATE TABLE lists_counters (
  series TEXT NOT NULL,
  year INTEGER NOT NULL,
  next INTEGER NOT NULL,
  PRIMARY KEY (series, year)
);

-- Credit repair applications (信用修复): decided within the configured working days.
CREATE TABLE lists_repairs (
  id TEXT PRIMARY KEY,                    -- REP-YYYY-NNNNNN
  listing_id TEXT NOT NULL REFERENCES lists_listings(id),
  uscc TEXT NOT NULL,
  submitted_on TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  evidence TEXT NOT NULL DEFAULT '[]',
  commitment TEXT NOT NULL,               -- the credit commitment (信用承诺)
  obligations_met INTEGER NOT NULL DEFAULT 0,
  due_on TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'refused')),
  decided_by TEXT NOT NULL DEFAULT '',
  decided_on TEXT NOT NULL DEFAULT '',
  reasons TEXT NOT NULL DEFAULT '',       -- JSON array of the outcome's reasons
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX lists_repairs_listing ON lists_repairs(listing_id);

-- Objections (异议) to published listings: the listing is disputed at once; decided within
-- 5 working days, extendable once to 20 (configuration).
CREATE TABLE lists_objections (
  id TEXT PRIMARY KEY,                    -- OBJ-YYYY-NNNNNN
  listing_id TEXT NOT NULL REFERENCES lists_listings(id),
  objector TEXT NOT NULL,                 -- who objects (never public)
  contact TEXT NOT NULL DEFAULT '',       -- never public
  grounds TEXT NOT NULL,
  submitted_on TEXT NOT NULL,
  due_on TEXT NOT NULL,
  extended INTEGER NOT NULL DEFAULT 0,
  extension_reason TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('open', 'decided')),
  outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'keep', 'correct', 'stop_disclosure', 'remove')),
  decision TEXT NOT NULL DEFAULT '',
  decided_by TEXT NOT NULL DEFAULT '',
  decided_on TEXT NOT NULL DEFAULT '',
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX lists_objections_listing ON lists_objections(listing_id, state);
