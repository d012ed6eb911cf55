-- The search index in buckets, so that a search stops once it has enough matches
-- (PostgreSQL; src/search_index.cpp: Search, PgApply).
--
-- A GIN index cannot stop early: a query builds the bitmap of every match before the first
-- row comes back. On 10,000,000 subjects a frequent substring (a district's name, 有限公司)
-- has hundreds of thousands of matches, and the planner's way out, a scan of the table that
-- stops at the cap, is slow exactly when the matches cluster (subjects in USCC order are in
-- region order): both took close to a second. Docs now go into buckets of 40,000 in the order
-- they are added (the build adds them in USCC order), so a bucket's rows lie together in the
-- table, and both GIN indexes lead with the bucket (btree_gin). directory_search_find asks
-- bucket after bucket, each a small bitmap over a few hundred pages, and returns as soon as
-- it has `cap` matches: a frequent substring costs a bucket or two, a rare one a small index
-- probe per bucket. Buckets decide speed only: any bucket is correct for any doc.
-- directory_search_state.docs_built counts the docs ever added since the build began; a new
-- doc goes into bucket docs_built / 40000 (src/search_index.cpp: kPgBucketRows).
--
-- This copies directory_search_docs in USCC order and builds both indexes again: a minute
-- or two on a directory of 10,000,000. btree_gin is a trusted extension from PostgreSQL 13,
-- like pg_trgm.

CREATE EXTENSION IF NOT EXISTS btree_gin;

ALTER TABLE directory_search_state ADD COLUMN docs_built BIGINT NOT NULL DEFAULT 0;

CREATE TABLE directory_search_docs_bucketed AS
  SELECT uscc, key, grams, CAST((row_number() OVER (ORDER BY uscc) - 1) / 40000 AS INTEGER) AS bucket
  FROM directory_search_docs ORDER BY uscc;
UPDATE directory_search_state SET docs_built = (SELECT COUNT(*) FROM directory_search_docs_bucketed) WHERE id = 1;
DROP TABLE directory_search_docs;
ALTER TABLE directory_search_docs_bucketed RENAME TO directory_search_docs;
ALTER TABLE directory_search_docs ALTER COLUMN key SET NOT NULL, ALTER COLUMN grams SET NOT NULL,
  ALTER COLUMN bucket SET NOT NULL, ADD PRIMARY KEY (uscc);
ALTER TABLE directory_search_docs ALTER COLUMN key SET STATISTICS 1000;
ALTER TABLE directory_search_docs ALTER COLUMN grams SET STATISTICS 1000;
CREATE INDEX directory_search_docs_trgm ON directory_search_docs USING gin (bucket, key gin_trgm_ops);
CREATE INDEX directory_search_docs_grams ON directory_search_docs USING gin (bucket, grams);
ANALYZE directory_search_docs;

-- The USCCs of up to `cap` docs matching, bucket by bucket:
--   pattern not NULL: key LIKE pattern (3 or more characters, pg_trgm);
--   else: grams @> codes (the bigram codes), and strpos(key, needle) > 0 when needle is not
--   NULL (outside the Basic Multilingual Plane, or where pg_trgm sees no Chinese).
CREATE FUNCTION directory_search_find(pattern TEXT, codes INTEGER[], needle TEXT, cap INTEGER)
RETURNS SETOF TEXT LANGUAGE plpgsql STABLE AS $$
DECLARE
  last INTEGER;
  b INTEGER;
  n INTEGER := 0;
  r TEXT;
BEGIN
  IF cap <= 0 THEN
    RETURN;
  END IF;
  SELECT CAST(docs_built / 40000 AS INTEGER) INTO last FROM directory_search_state WHERE id = 1;
  FOR b IN 0..COALESCE(last, 0) LOOP
    IF pattern IS NOT NULL THEN
      FOR r IN SELECT uscc FROM directory_search_docs WHERE bucket = b AND key LIKE pattern LOOP
        RETURN NEXT r;
        n := n + 1;
        IF n >= cap THEN RETURN; END IF;
      END LOOP;
    ELSIF needle IS NULL THEN
      FOR r IN SELECT uscc FROM directory_search_docs WHERE bucket = b AND grams @> codes LOOP
        RETURN NEXT r;
        n := n + 1;
        IF n >= cap THEN RETURN; END IF;
      END LOOP;
    ELSE
      FOR r IN SELECT uscc FROM directory_search_docs WHERE bucket = b AND grams @> codes AND strpos(key, needle) > 0 LOOP
        RETURN NEXT r;
        n := n + 1;
        IF n >= cap THEN RETURN; END IF;
      END LOOP;
    END IF;
  END LOOP;
END
$$;
