-- Migrations owned by plugins (xinjian/plugin.h, docs/plugins.md): one row per applied
-- plugins/<name>/migrations/<dialect>/NNN_*.sql, keyed by (owner, version). The core's own
-- migrations stay in schema_migrations.
CREATE TABLE plugin_migrations (
  owner TEXT NOT NULL,            -- the plugin's name
  version INTEGER NOT NULL,       -- NNN of the file
  name TEXT NOT NULL,             -- NNN_name, without .sql
  checksum TEXT NOT NULL,         -- SHA-256 (hex) of the file as applied
  applied_at_us BIGINT NOT NULL,
  adopted BOOLEAN NOT NULL DEFAULT FALSE,  -- recorded without running: its tables came from a core migration of an older release
  PRIMARY KEY (owner, version)
);
