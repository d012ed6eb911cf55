-- xinjian: adopts core 003_visits
-- 003 visits: the inspection after the draw (issue 4). PostgreSQL dialect.
-- One visit per drawn subject (or one joint visit for several tasks' visits merged), its
-- team, and one row per inspected item with its result, review, publication and deadline.
-- A visit's items keep the task that drew them, so merging never touches a task's proof.
-- Instants are integer UTC epoch microseconds; dates are YYYY-MM-DD (Asia/Shanghai).

CREATE TABLE visits (
  id TEXT PRIMARY KEY,                  -- <task id>-<rank>, or <first merged visit id>@J for a joint visit made by merging
  uscc TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('assigned', 'in_progress', 'entered', 'reviewed', 'published', 'merged')),
  team TEXT NOT NULL,                   -- inspector ids joined by ',', the lead (主检) first
  merged_into TEXT,                     -- for state 'merged': the joint visit that replaced it
  period TEXT NOT NULL,                 -- YYYY-MM of the draw (merging looks within one period)
  started_on TEXT,
  started_by TEXT,
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX visits_uscc ON visits(uscc, period);
CREATE INDEX visits_period ON visits(period, state);

-- Who is on which visit (the inspector's task list).
CREATE TABLE visit_inspectors (
  inspector_id TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  PRIMARY KEY (inspector_id, visit_id)
);
CREATE INDEX visit_inspectors_visit ON visit_inspectors(visit_id);

-- One item inspected on a visit: pending -> entered -> approved -> published, or returned
-- (with a reason) -> entered again. Each department enters, reviews and publishes its own
-- items (谁检查、谁录入、谁公开).
CREATE TABLE visit_items (
  visit_id TEXT NOT NULL,
  item_code TEXT NOT NULL,
  task_id TEXT NOT NULL,
  department TEXT NOT NULL,
  uscc TEXT NOT NULL,                   -- the visit's subject (kept here for listings)
  state TEXT NOT NULL CHECK (state IN ('pending', 'entered', 'returned', 'approved', 'published')),
  result_code TEXT,
  findings TEXT NOT NULL DEFAULT '',
  follow_up TEXT NOT NULL DEFAULT '{}', -- JSON {kind, deadline, to_department, case_no}
  inspected_on TEXT,                    -- the end of the inspection of this item
  method TEXT,
  entered_by TEXT,
  review_reason TEXT NOT NULL DEFAULT '',
  reviewed_by TEXT,
  due_date TEXT,                        -- publication deadline: working days after inspected_on
  card TEXT NOT NULL DEFAULT 'none' CHECK (card IN ('none', 'yellow', 'red')),
  published_on TEXT,
  published_at_us BIGINT,
  updated_at_us BIGINT NOT NULL,
  PRIMARY KEY (visit_id, item_code)
);
CREATE INDEX visit_items_task ON visit_items(task_id, state);
-- Deadlines of a department: its unpublished items in due-date order. A partial index (the
-- published items, most of the table after a year, are not in it) that covers the listing.
CREATE INDEX visit_items_open ON visit_items(department, due_date, visit_id, item_code, task_id, uscc, state, card)
  WHERE state <> 'published';
CREATE INDEX visit_items_uscc ON visit_items(uscc);
