-- 003 the check log's lines compressed with lz4 instead of pglz where the server has it
-- (PostgreSQL 14 and later built with lz4, as Debian's and most distributions' are): the same
-- size on disk for about a fifth of the CPU (a row of 126 KB of lines: 0.43 ms instead of
-- 2.35 ms in the server process, which at full rate shares the machine with the check).
-- Rows written before keep their compression; a server without lz4 keeps pglz.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
    EXECUTE 'ALTER TABLE punishment_check_batches ALTER COLUMN items SET COMPRESSION lz4';
  END IF;
END
$$;
