-- A second connection of the same read adopts the first one's snapshot (right after begin.sql).
-- SET takes no bound parameter: {snapshot} is the id pg_export_snapshot() returned, checked by
-- dashboard/ingest/postgres/ to be hexadecimal digits and dashes only.
SET TRANSACTION SNAPSHOT '{snapshot}'
