-- 002 公开比选 (docs/credit.md, "Choosing an intermediary"): an intermediary chosen for a
-- government-investment project below the threshold, from the pre-selection pool of its service
-- category, ranked with published weights, the winner drawn among the best k with xj-draw-v1's
-- commitment and reveal.
CREATE TABLE credit_selections (
  id TEXT PRIMARY KEY,                    -- SEL-YYYY-NNNNNN
  project_code TEXT NOT NULL,
  project_name TEXT NOT NULL,
  category TEXT NOT NULL,
  budget_yuan BIGINT NOT NULL,
  department TEXT NOT NULL,
  k INTEGER NOT NULL,
  weights TEXT NOT NULL,                  -- JSON {efficiency, price, quality, integrity}
  ranking TEXT NOT NULL,                  -- JSON: every candidate with its components, score and rank; the excluded with the reason
  pool TEXT NOT NULL,                     -- the best k as pool.tsv (uscc TAB LF, sorted)
  pool_hash TEXT NOT NULL,
  commitment TEXT NOT NULL,
  secret TEXT NOT NULL,                   -- hex; confidential until the draw
  state TEXT NOT NULL CHECK (state IN ('announced', 'drawn')),
  entropy TEXT NOT NULL DEFAULT '',
  winner TEXT NOT NULL DEFAULT '',
  ticket TEXT NOT NULL DEFAULT '',
  seed TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  drawn_at_us BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX credit_selections_project ON credit_selections(project_code);
