-- 003 objections and repair of credit records (docs/credit.md, "Objections and repair"; the
-- lists plugin decides them through the service credit.records).
-- disputed: an objection is open (the public pages say 异议处理中 / disputed).
-- publicity_ended_on: the publicity stopped early on that day, by an approved credit repair
-- ('repaired') or an objection's decision ('stop_disclosure'). The record is no longer public
-- from that day and counts as out of publicity for scoring; an import of the same record
-- leaves these columns as they are.
ALTER TABLE credit_records ADD COLUMN disputed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE credit_records ADD COLUMN publicity_ended_on TEXT;
ALTER TABLE credit_records ADD COLUMN publicity_end_reason TEXT;
