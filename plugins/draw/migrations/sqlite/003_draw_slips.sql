-- xinjian: adopts core 007_draw_slips
-- 007 draw slips (issue 12): what a slip of the operator leaves on a draw task. SQLite dialect.
--
-- The entropy value as typed, when the source's format converted it (full-width digits from an
-- input method, leading zeros…): entropy_supplied (005) holds the value in the format, the one
-- the draw hashes; entropy_supplied_input what the operator typed. NULL when they are equal.
ALTER TABLE draw_tasks ADD COLUMN entropy_supplied_input TEXT;
-- A supplied value replaced before the draw (once, with a reason): the replaced value, who had
-- entered it and when, and why it was replaced. The replacement is in entropy_supplied*, with
-- who replaced it and when. NULL unless a value was replaced.
ALTER TABLE draw_tasks ADD COLUMN entropy_replaced TEXT;
ALTER TABLE draw_tasks ADD COLUMN entropy_replaced_by TEXT;
ALTER TABLE draw_tasks ADD COLUMN entropy_replaced_at_us BIGINT;
ALTER TABLE draw_tasks ADD COLUMN entropy_replace_reason TEXT;
-- A reveal before the inspections' results were all published (task reveal
-- --before-inspection --reason): the reason and how many drawn subjects were still
-- unpublished then. NULL for a reveal after the results.
ALTER TABLE draw_tasks ADD COLUMN reveal_reason TEXT;
ALTER TABLE draw_tasks ADD COLUMN reveal_unpublished BIGINT;
