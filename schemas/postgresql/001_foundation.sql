-- 001 foundation: directories (一单两库), audit log, event outbox. PostgreSQL dialect.
-- Instants are INTEGER UTC epoch microseconds. Each directory row keeps `digest`, the
-- SHA-256 (hex) of its canonical form, which the audit log chains and imports compare.

CREATE TABLE departments (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('province','city','county')),
  jurisdiction TEXT NOT NULL DEFAULT '',      -- ';'-separated region prefixes, '' = unlimited
  digest TEXT NOT NULL,
  updated_at_us BIGINT NOT NULL
);

CREATE TABLE subjects (
  uscc TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('enterprise','individual','intermediary','social_org','public_institution')),
  region TEXT NOT NULL,
  industry TEXT,
  registered_on TEXT NOT NULL,               -- YYYY-MM-DD
  status TEXT NOT NULL CHECK (status IN ('active','suspended','revoked','deregistered')),
  risk_class TEXT CHECK (risk_class IN ('A','B','C','D')),
  labels TEXT NOT NULL DEFAULT '',            -- ';'-separated
  address TEXT,
  digest TEXT NOT NULL,
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX subjects_region ON subjects(region);

CREATE TABLE inspectors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  department TEXT NOT NULL REFERENCES departments(code),
  unit TEXT NOT NULL DEFAULT '',
  office_region TEXT NOT NULL,
  certificate_no TEXT NOT NULL,
  certificate_expires TEXT NOT NULL,          -- YYYY-MM-DD
  qualifications TEXT NOT NULL DEFAULT '',    -- ';'-separated
  expert INTEGER NOT NULL CHECK (expert IN (0,1)),
  status TEXT NOT NULL CHECK (status IN ('active','inactive')),
  id_number_masked TEXT,                      -- GB 11643, only ever stored masked
  digest TEXT NOT NULL,
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX inspectors_department ON inspectors(department);

CREATE TABLE items (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  department TEXT NOT NULL REFERENCES departments(code),
  legal_basis TEXT NOT NULL,
  class TEXT NOT NULL CHECK (class IN ('key','general')),
  ratio_min_ppm INTEGER,                      -- percent x 10 000, NULL = none
  ratio_max_ppm INTEGER,
  frequency_per_year INTEGER NOT NULL,
  target_types TEXT NOT NULL DEFAULT '',
  target_labels TEXT NOT NULL DEFAULT '',
  qualification TEXT NOT NULL DEFAULT '',
  digest TEXT NOT NULL,
  updated_at_us BIGINT NOT NULL
);

CREATE TABLE relations (
  inspector_id TEXT NOT NULL REFERENCES inspectors(id),
  uscc TEXT NOT NULL REFERENCES subjects(uscc),
  relation TEXT NOT NULL CHECK (relation IN ('spouse','relative','former_employer','shareholding','other')),
  note TEXT NOT NULL DEFAULT '',
  digest TEXT NOT NULL,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (inspector_id, uscc, relation)
);
CREATE INDEX relations_uscc ON relations(uscc);

-- Append-only audit log: each record's hash covers the hash of the previous record (the
-- previous record is the one with seq - 1, so its hash is not stored twice).
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at_us BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  before_digest TEXT NOT NULL,                -- '' when the entity did not exist
  after_digest TEXT NOT NULL,                 -- '' when the entity was removed
  hash TEXT NOT NULL
);
-- The head of the chain, so that removing the last records is detected too.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head(id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Durable outbox: written in the transaction of the change it describes.
CREATE TABLE events (
  id BIGSERIAL PRIMARY KEY,
  topic TEXT NOT NULL,
  entity_key TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL,
  at_us BIGINT NOT NULL
);
CREATE INDEX events_topic ON events(topic, id);
-- Each subscriber's position: the id of the last event it acknowledged.
CREATE TABLE event_positions (
  subscriber TEXT PRIMARY KEY,
  position BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL
);
