-- xinjian: adopts core 006_deadline_provisional
-- 006 provisional deadlines (issue 11). A publication deadline counted over a year for which
-- no State Council holiday notice was loaded (the calendar built from the holiday law alone)
-- is provisional: marked 1 here, and recomputed on the real calendar by the next deadlines
-- refresh once the notice is loaded (each moved deadline audited with both dates).
ALTER TABLE visit_items ADD COLUMN due_provisional INTEGER NOT NULL DEFAULT 0;
CREATE INDEX visit_items_provisional ON visit_items(due_provisional) WHERE due_provisional = 1;
