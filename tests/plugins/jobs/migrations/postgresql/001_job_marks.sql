-- The test plugin "xj-test-jobs": one mark per run of its job handlers, keyed by the run
-- (job, scheduled time): a retried or recovered run writes the same key.
CREATE TABLE xj_test_job_marks (
  job TEXT NOT NULL,
  scheduled_us BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  units INTEGER NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (job, scheduled_us)
);
