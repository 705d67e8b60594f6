-- Whether the attached database (as "store") is a snapshot this tool published: every snapshot
-- has the snapshot_info table. Ingest replaces nothing else.
SELECT count(*) > 0 AS published
FROM duckdb_tables()
WHERE database_name = 'store' AND schema_name = 'main' AND table_name = 'snapshot_info';
