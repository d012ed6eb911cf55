-- 002 repair and objections for credit records too (docs/lists.md, "Repair" and "Objections"):
-- an application or an objection is about a listing (listing_id) or a credit record of the
-- credit plugin (record_id, "KIND/REF"), exactly one of them.
ALTER TABLE lists_repairs ALTER COLUMN listing_id DROP NOT NULL;
ALTER TABLE lists_repairs ADD COLUMN record_id TEXT;
ALTER TABLE lists_repairs ADD CONSTRAINT lists_repairs_one_target CHECK ((listing_id IS NULL) <> (record_id IS NULL));
CREATE INDEX lists_repairs_record ON lists_repairs(record_id);

ALTER TABLE lists_objections ALTER COLUMN listing_id DROP NOT NULL;
ALTER TABLE lists_objections ADD COLUMN record_id TEXT;
ALTER TABLE lists_objections ADD CONSTRAINT lists_objections_one_target CHECK ((listing_id IS NULL) <> (record_id IS NULL));
CREATE INDEX lists_objections_record ON lists_objections(record_id, state);
