-- 004 scheduler: persistent jobs, their runs and the nodes that run them (issue 5). PostgreSQL.
-- A run is keyed by (job, scheduled time): the key makes it idempotent, it is what the
-- handler receives, and a second node can never insert the same run twice.
-- Instants are integer UTC epoch microseconds.

CREATE TABLE scheduler_jobs (
  name TEXT PRIMARY KEY,
  schedule TEXT NOT NULL,                  -- 5-field cron or a working-day schedule
  time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
  handler TEXT NOT NULL,                   -- registered by the host or a plugin
  payload TEXT NOT NULL DEFAULT '{}',      -- JSON object given to the handler
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  misfire TEXT NOT NULL DEFAULT 'fire_once_now' CHECK (misfire IN ('fire_once_now', 'skip', 'catch_up_all')),
  overlap TEXT NOT NULL DEFAULT 'forbid' CHECK (overlap IN ('forbid', 'allow')),
  starting_deadline_s BIGINT NOT NULL DEFAULT 0,  -- 0: none; a run not started by then is missed
  max_retries INTEGER NOT NULL DEFAULT 0,
  backoff_s BIGINT NOT NULL DEFAULT 60,    -- doubled at each retry
  timeout_s BIGINT NOT NULL DEFAULT 3600,
  recover INTEGER NOT NULL DEFAULT 1 CHECK (recover IN (0, 1)),  -- re-run a dead node's run after its lease
  next_fire_us BIGINT,                     -- the next scheduled time not yet turned into a run
  created_at_us BIGINT NOT NULL,
  updated_at_us BIGINT NOT NULL
);
CREATE INDEX scheduler_jobs_next ON scheduler_jobs(enabled, next_fire_us);

CREATE TABLE scheduler_runs (
  job TEXT NOT NULL,
  scheduled_us BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('due', 'running', 'succeeded', 'failed', 'skipped', 'missed', 'abandoned')),
  attempt INTEGER NOT NULL DEFAULT 0,
  not_before_us BIGINT NOT NULL,           -- a retry waits until then
  node TEXT,
  lease_until_us BIGINT,
  started_at_us BIGINT,
  finished_at_us BIGINT,
  message TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (job, scheduled_us)
);
-- Partial indexes over the few open runs, so that the scheduler's queries stay fast however
-- long the history grows: due runs by time (claim), each job's earliest due run, running runs
-- by job (overlap; heartbeats and recovery scan the few running runs); finished runs by age
-- (retention).
CREATE INDEX scheduler_runs_due ON scheduler_runs(not_before_us) WHERE state = 'due';
CREATE INDEX scheduler_runs_due_job ON scheduler_runs(job, scheduled_us) WHERE state = 'due';
CREATE INDEX scheduler_runs_running ON scheduler_runs(job) WHERE state = 'running';
CREATE INDEX scheduler_runs_finished ON scheduler_runs(finished_at_us) WHERE finished_at_us IS NOT NULL;

CREATE TABLE scheduler_nodes (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid BIGINT NOT NULL,
  started_at_us BIGINT NOT NULL,
  heartbeat_us BIGINT NOT NULL,
  stopped_at_us BIGINT
);
