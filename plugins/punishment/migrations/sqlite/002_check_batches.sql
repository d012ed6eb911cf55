-- 002 the credit check's log at the rate the check answers (docs/punishment.md, "The log").
-- A batch request is one row: its checks, one line each in request order, the fields
-- tab-separated: the index in the request, the USCC, the answer, the listing ids and the
-- measure codes (';'-separated). An item's check id is the batch's id, a hyphen and its index
-- (chk_…-17).
CREATE TABLE punishment_check_batches (
  batch_id TEXT PRIMARY KEY,
  key_name TEXT NOT NULL,
  department TEXT NOT NULL,
  action TEXT NOT NULL,
  checks INTEGER NOT NULL,
  items TEXT NOT NULL,
  at_us BIGINT NOT NULL
);
CREATE INDEX punishment_check_batches_at ON punishment_check_batches(at_us);
-- Nothing reads the checks by subject, and this index cost a random B-tree insertion per check.
DROP INDEX punishment_checks_uscc;
