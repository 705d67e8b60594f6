-- Readers share the machine with ingest and other sessions: cap DuckDB's buffer pool so a page's
-- memory stays bounded (it spills or streams instead of caching the whole snapshot).
SET memory_limit = '1GB';
