-- The search index in buckets, so that a search stops once it has enough matches
-- (PostgreSQL; src/search_index.cpp: Search).
--
-- A GIN index cannot stop early: a query builds the bitmap of every match before the first
-- row comes back. On 10,000,000 subjects a frequent substring (a district's name, 有限公司)
-- has hundreds of thousands of matches, and the planner's way out, a scan of the table that
-- stops at the cap, is slow exactly when the matches cluster (subjects sorted by USCC are
-- sorted by region): both took close to a second. Each doc now has a bucket, 0-255, from a
-- hash of its USCC, and both GIN indexes lead with it (btree_gin): directory_search_find
-- asks bucket after bucket, each a small bitmap, and returns as soon as it has `cap`
-- matches. A rare substring costs 256 small index probes; a frequent one, a bucket or two.
-- Buckets only decide speed: any value from 0 to 255 is correct, so a change of hashtext in
-- a later PostgreSQL release changes nothing but where new docs go.
--
-- This rewrites directory_search_docs and builds both indexes again: minutes on a directory
-- of millions. btree_gin is a trusted extension from PostgreSQL 13, like pg_trgm.

CREATE EXTENSION IF NOT EXISTS btree_gin;

DROP INDEX IF EXISTS directory_search_docs_trgm;
DROP INDEX IF EXISTS directory_search_docs_grams;
ALTER TABLE directory_search_docs ADD COLUMN bucket INTEGER NOT NULL GENERATED ALWAYS AS (hashtext(uscc) & 255) STORED;
CREATE INDEX directory_search_docs_trgm ON directory_search_docs USING gin (bucket, key gin_trgm_ops);
CREATE INDEX directory_search_docs_grams ON directory_search_docs USING gin (bucket, grams);

-- The USCCs of up to `cap` docs matching, bucket by bucket:
--   pattern not NULL: key LIKE pattern (3 or more characters, pg_trgm);
--   else: grams @> codes (the bigram codes), and strpos(key, needle) > 0 when needle is not
--   NULL (outside the Basic Multilingual Plane, or where pg_trgm sees no Chinese).
CREATE FUNCTION directory_search_find(pattern TEXT, codes INTEGER[], needle TEXT, cap INTEGER)
RETURNS SETOF TEXT LANGUAGE plpgsql STABLE AS $$
DECLARE
  b INTEGER;
  n INTEGER := 0;
  r TEXT;
BEGIN
  IF cap <= 0 THEN
    RETURN;
  END IF;
  FOR b IN 0..255 LOOP
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
