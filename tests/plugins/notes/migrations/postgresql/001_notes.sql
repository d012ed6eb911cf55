-- The test plugin "xj-test-notes": one note per event it reacted to.
CREATE TABLE xj_test_notes (
  id BIGSERIAL PRIMARY KEY,
  event_id BIGINT NOT NULL UNIQUE,
  text TEXT NOT NULL
);
