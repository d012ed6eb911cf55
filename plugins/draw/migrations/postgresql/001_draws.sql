-- xinjian: adopts core 002_draws
-- 002 draws: 双随机 tasks, their frozen pools, selections and teams. PostgreSQL dialect.
-- A task moves draft -> announced -> drawn -> revealed, or to cancelled with a reason; a
-- cancelled task stays. There is no redraw: a replacement is a new task naming the old one.
-- Instants are integer UTC epoch microseconds.

CREATE TABLE draw_tasks (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  department TEXT NOT NULL REFERENCES departments(code),
  sampler TEXT NOT NULL,                      -- algorithm name, e.g. xj-draw-v1
  state TEXT NOT NULL CHECK (state IN ('draft','announced','drawn','revealed','cancelled')),
  spec TEXT NOT NULL,                         -- the normalised task spec (JSON)
  entropy_source TEXT NOT NULL,               -- the public source's description
  replaces TEXT REFERENCES draw_tasks(id),
  replace_reason TEXT NOT NULL DEFAULT '',
  cancel_reason TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  announced_at_us BIGINT,
  drawn_at_us BIGINT,
  revealed_at_us BIGINT,
  cancelled_at_us BIGINT,
  announce_date TEXT,                         -- YYYY-MM-DD (Asia/Shanghai)
  draw_date TEXT,                             -- YYYY-MM-DD (Asia/Shanghai): certificates valid on it
  due_date TEXT,                              -- YYYY-MM-DD, inspections due (optional)
  pool_size BIGINT,
  pool_hash TEXT,
  strata TEXT,                                -- JSON {label: N_s}
  commitment TEXT,
  secret TEXT,                                -- hex; confidential until revealed
  entropy TEXT,
  seed TEXT,
  allocation TEXT,                            -- JSON {label: k_s}
  selection_hash TEXT,
  slots TEXT,                                 -- JSON [[group, count], ...]
  assignment_hash TEXT,
  conflicts_hash TEXT,
  digest TEXT NOT NULL,                       -- SHA-256 of the public state, chained by the audit log
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX draw_tasks_department ON draw_tasks(department, state);

CREATE TABLE draw_task_items (
  task_id TEXT NOT NULL REFERENCES draw_tasks(id),
  item_code TEXT NOT NULL REFERENCES items(code),
  PRIMARY KEY (task_id, item_code)
);
CREATE INDEX draw_task_items_item ON draw_task_items(item_code);

-- Canonical files of a task (pool.tsv at announce; groups.tsv and conflicts.tsv at the draw).
CREATE TABLE draw_files (
  task_id TEXT NOT NULL REFERENCES draw_tasks(id),
  name TEXT NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (task_id, name)
);
-- Pool files are large (about 21 bytes per subject) and hashed already: store them
-- uncompressed rather than spend seconds in pglz on every announce.
ALTER TABLE draw_files ALTER COLUMN content SET STORAGE EXTERNAL;

-- The selection in draw order (rank from 1) with each subject's team (inspector ids joined
-- by ',', the lead (主检) first). Confidential until the task is revealed.
-- No foreign key on task_id: the task service writes these
-- rows in the transaction that moves its task to drawn, and a per-row key check costs more
-- than the insert itself at province scale (hundreds of thousands of rows).
CREATE TABLE draw_selection (
  task_id TEXT NOT NULL,
  rank BIGINT NOT NULL,
  uscc TEXT NOT NULL,
  stratum TEXT NOT NULL,
  ticket TEXT NOT NULL,
  team TEXT NOT NULL,
  PRIMARY KEY (task_id, rank)
);
