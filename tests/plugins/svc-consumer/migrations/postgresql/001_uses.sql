-- The consumer's table refers to its provider's: it can only be made after the provider's
-- migrations (PostgreSQL refuses a foreign key to a table that does not exist yet).
CREATE TABLE xj_test_svc_uses (n BIGINT NOT NULL REFERENCES xj_test_svc_counter(n));
