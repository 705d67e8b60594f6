-- Timestamps without a zone are UTC (DESIGN section 3).
SET TimeZone = 'UTC';
