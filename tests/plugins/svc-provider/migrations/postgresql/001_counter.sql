-- The provider's table (tests: plugin migrations are ordered by "requires").
CREATE TABLE xj_test_svc_counter (n BIGINT PRIMARY KEY);
