-- The directory plugin's search index over the subjects' names (SQLite), kept by the plugin
-- (src/search_index.cpp): built once from the subjects table in bounded, resumable steps,
-- then caught up with the directory changes the audit log records (entity 'subject').
--
-- directory_search_docs: one row per subject: its key (the name with ASCII capitals folded
--   to lower case; the text every match is checked against) and the id both FTS5 tables use.
-- directory_search_tri: FTS5 trigram over the keys, for queries of 3 or more characters.
-- directory_search_bi: FTS5 over the keys' bigrams (each pair of adjacent characters, written
--   as 12 hex digits, e.g. 534e4e3a for 华为), for 2-character queries, which the trigram
--   tokenizer does not match (ENGINEERING.md). Both contentless and detail=none: postings
--   only; a row is deleted with the key kept in directory_search_docs.
-- directory_search_state: where the index stands (one row).

CREATE TABLE directory_search_docs (
  id INTEGER PRIMARY KEY,
  uscc TEXT NOT NULL UNIQUE,
  key TEXT NOT NULL
);

CREATE VIRTUAL TABLE directory_search_tri USING fts5(key, content = '', detail = 'none',
  tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE directory_search_bi USING fts5(grams, content = '', detail = 'none', tokenize = 'ascii');

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
