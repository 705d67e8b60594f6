-- The read transaction's snapshot, so the other connections of this ingest read the very same data.
SELECT pg_export_snapshot()
