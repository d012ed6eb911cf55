-- One reminder per drawn task: the department must enter the inspections' results by due_date.
CREATE TABLE reminders_tasks (
  task_id      TEXT PRIMARY KEY,
  department   TEXT NOT NULL,
  selected     BIGINT NOT NULL,
  drawn_event  BIGINT NOT NULL,
  due_date     TEXT NOT NULL,          -- YYYY-MM-DD, Asia/Shanghai
  provisional  INTEGER NOT NULL DEFAULT 0,
  state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'overdue', 'done')),
  note         TEXT NOT NULL DEFAULT '',
  done_by      TEXT NOT NULL DEFAULT '',
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX reminders_tasks_state ON reminders_tasks(state, due_date);
