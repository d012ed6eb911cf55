-- 002 repair and objections for credit records too (docs/lists.md, "Repair" and "Objections"):
-- an application or an objection is about a listing (listing_id) or a credit record of the
-- credit plugin (record_id, "KIND/REF"), exactly one of them. SQLite cannot drop a NOT NULL,
-- so both tables are rebuilt with their rows.
CREATE TABLE lists_repairs_new (
  id TEXT PRIMARY KEY,                    -- REP-YYYY-NNNNNN
  listing_id TEXT REFERENCES lists_listings(id),
  record_id TEXT,                         -- KIND/REF of a credit record
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
  updated_at_us BIGINT NOT NULL,
  CHECK ((listing_id IS NULL) <> (record_id IS NULL))
);
INSERT INTO lists_repairs_new (id, listing_id, record_id, uscc, submitted_on, submitted_by, evidence, commitment,
                               obligations_met, due_on, state, decided_by, decided_on, reasons, updated_at_us)
  SELECT id, listing_id, NULL, uscc, submitted_on, submitted_by, evidence, commitment, obligations_met, due_on, state,
         decided_by, decided_on, reasons, updated_at_us FROM lists_repairs;
DROP TABLE lists_repairs;
ALTER TABLE lists_repairs_new RENAME TO lists_repairs;
CREATE INDEX lists_repairs_listing ON lists_repairs(listing_id);
CREATE INDEX lists_repairs_record ON lists_repairs(record_id);

CREATE TABLE lists_objections_new (
  id TEXT PRIMARY KEY,                    -- OBJ-YYYY-NNNNNN
  listing_id TEXT REFERENCES lists_listings(id),
  record_id TEXT,                         -- KIND/REF of a credit record
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
  updated_at_us BIGINT NOT NULL,
  CHECK ((listing_id IS NULL) <> (record_id IS NULL))
);
INSERT INTO lists_objections_new (id, listing_id, record_id, objector, contact, grounds, submitted_on, due_on, extended,
                                  extension_reason, state, outcome, decision, decided_by, decided_on, updated_at_us)
  SELECT id, listing_id, NULL, objector, contact, grounds, submitted_on, due_on, extended, extension_reason, state,
         outcome, decision, decided_by, decided_on, updated_at_us FROM lists_objections;
DROP TABLE lists_objections;
ALTER TABLE lists_objections_new RENAME TO lists_objections;
CREATE INDEX lists_objections_listing ON lists_objections(listing_id, state);
CREATE INDEX lists_objections_record ON lists_objections(record_id, state);
