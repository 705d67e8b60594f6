-- Timestamps without a zone are UTC (DESIGN section 3).
SET TimeZone = 'UTC';
-- Ingest prints its own progress (rows, rows per second).
SET enable_progress_bar = false;
