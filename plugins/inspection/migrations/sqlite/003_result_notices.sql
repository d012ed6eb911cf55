-- 003 result notices (issue 14): one row per task, subject and department (谁检查、谁公开) that
-- has published results: what the results API, its downloads and the feed of new notices page
-- over (an index range instead of grouping every published visit item at each request). A row
-- is written by the unit of work that publishes the department's first result of that subject
-- in that task, and its latest publication updated by each later one (PublishResults); the
-- results themselves stay in visit_items. Instants are UTC epoch microseconds, dates
-- YYYY-MM-DD (Asia/Shanghai). The rows of results published before this migration are made
-- from visit_items here.
CREATE TABLE inspection_result_notices (
  task_id TEXT NOT NULL,
  uscc TEXT NOT NULL,
  department TEXT NOT NULL,
  first_published_at_us BIGINT NOT NULL,
  last_published_at_us BIGINT NOT NULL,
  first_published_on TEXT NOT NULL,
  published_on TEXT NOT NULL,           -- the date of the latest publication
  PRIMARY KEY (task_id, uscc, department)
) WITHOUT ROWID;
CREATE INDEX inspection_result_notices_latest ON inspection_result_notices(last_published_at_us, task_id, uscc, department);
CREATE INDEX inspection_result_notices_department ON inspection_result_notices(department, last_published_at_us);
CREATE INDEX inspection_result_notices_uscc ON inspection_result_notices(uscc);
-- A notice's published items, looked up from the notice while its rows are read in order.
CREATE INDEX visit_items_published ON visit_items(uscc, task_id, department, item_code) WHERE state = 'published';
INSERT INTO inspection_result_notices (task_id, uscc, department, first_published_at_us, last_published_at_us,
                                       first_published_on, published_on)
  SELECT task_id, uscc, department, MIN(COALESCE(published_at_us, 0)), MAX(COALESCE(published_at_us, 0)),
         MIN(published_on), MAX(published_on)
  FROM visit_items WHERE state = 'published' AND published_on IS NOT NULL
  GROUP BY task_id, uscc, department;
