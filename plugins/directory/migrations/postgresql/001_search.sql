-- The directory plugin's search index over the subjects' names (PostgreSQL), kept by the
-- plugin (src/search_index.cpp): built once from the subjects table in bounded, resumable
-- steps, then caught up with the directory changes the audit log records (entity 'subject').
--
-- directory_search_docs: one row per subject: its key (the name with ASCII capitals folded to
--   lower case: the text every match is checked against) and grams, the codes of the key's
--   bigrams (each pair of adjacent characters; src/search_text.h: BigramCodes).
--   directory_search_docs_trgm (pg_trgm) answers queries of 3 or more characters (key LIKE
--   '%q%'); directory_search_docs_grams answers 2-character queries (grams @> '{code}'), which
--   pg_trgm cannot: a 2-character LIKE pattern yields no trigram and scans the whole index.
--   In a database whose LC_CTYPE is C, pg_trgm sees no word characters in Chinese text and
--   extracts nothing; the plugin then answers every query from the bigrams (grams @> all the
--   query's codes, then the substring check).
--   The build drops both GIN indexes and creates them again at its end (faster than keeping
--   them during millions of inserts). The statistics target of 1000 gives the planner
--   estimates fine enough (0.1 %) to choose between the indexes and a scan that stops early.
-- directory_search_state: where the index stands (one row).
--
-- pg_trgm is a trusted extension from PostgreSQL 13: the database's owner may create it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE directory_search_docs (
  uscc TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  grams INTEGER[] NOT NULL
);
ALTER TABLE directory_search_docs ALTER COLUMN key SET STATISTICS 1000;
ALTER TABLE directory_search_docs ALTER COLUMN grams SET STATISTICS 1000;
CREATE INDEX directory_search_docs_trgm ON directory_search_docs USING gin (key gin_trgm_ops);
CREATE INDEX directory_search_docs_grams ON directory_search_docs USING gin (grams);

CREATE TABLE directory_search_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  phase TEXT NOT NULL CHECK (phase = 'build' OR phase = 'ready'),
  build_after TEXT NOT NULL DEFAULT '',        -- the last USCC the build has indexed
  audit_seq BIGINT,                             -- audit_log.seq the index reflects (NULL: build not started)
  build_started_at_us BIGINT,
  build_finished_at_us BIGINT,
  updated_at_us BIGINT
);
INSERT INTO directory_search_state(id, phase) VALUES (1, 'build');
