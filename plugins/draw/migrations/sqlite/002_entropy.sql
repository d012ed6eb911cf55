-- xinjian: adopts core 005_entropy
-- 005 entropy: the entropy source of a draw task, a plugin capability (issue 5). SQLite dialect.
-- draw_tasks.entropy_source (002) stays what it always was: the declared description of the
-- public source, shown in the notice. The columns below name the source that provides the
-- value ("manual": an operator enters it; "none": no outside value) and keep what it said
-- and what was supplied. Tasks created before this migration were all 'manual'.

ALTER TABLE draw_tasks ADD COLUMN entropy_source_name TEXT NOT NULL DEFAULT 'manual';
-- The source's sentence for the public notice ("中文 / English"), fixed at the announcement.
ALTER TABLE draw_tasks ADD COLUMN entropy_notice TEXT NOT NULL DEFAULT '';
-- The value an operator supplied (xinjian task entropy) before the draw uses it, who
-- supplied it and when. NULL until then; never changed once set.
ALTER TABLE draw_tasks ADD COLUMN entropy_supplied TEXT;
ALTER TABLE draw_tasks ADD COLUMN entropy_supplied_at_us BIGINT;
ALTER TABLE draw_tasks ADD COLUMN entropy_supplied_by TEXT;

-- Announced tasks waiting for their entropy are looked up by state (the scheduler's
-- draws.pending job, every minute).
CREATE INDEX draw_tasks_state ON draw_tasks(state);
