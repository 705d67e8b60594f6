-- The moment this ingest publishes (UTC), known before any row is checked: no date in the data may
-- be after it (a mistyped year would otherwise become the snapshot's "now").
SET VARIABLE ingest_published_at = CAST($published_at AS TIMESTAMP);
