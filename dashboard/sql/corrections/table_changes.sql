-- The row changes of one input table between the older and the newer snapshot (DESIGN 11, rows):
-- rows matched by the table's key ($keys); `added`, `removed`, or `changed` with one row per changed
-- column. Which table and which columns come from the input contract (dashboard/tables.py) and are
-- bound, never formatted in: $older_table / $newer_table name the attached tables (a table missing
-- from one snapshot is read from the other with $in_older / $in_newer false, so it has no rows
-- there), $compared are the key and the other columns both snapshots hold.
--
-- Rows are first compared by a hash of their compared columns, so only rows that differ are taken
-- apart column by column; values are compared as text (a type that changed between two versions of
-- the ingest is not a correction). A key the ingest does not hold unique ($key_unique false) is told
-- apart by its occurrence, in the order of the rows' hashes, written `#2`, `#3`, ... after the key.
WITH
older_rows AS NOT MATERIALIZED (
    SELECT *, concat_ws('/', *COLUMNS(lambda c: list_contains($keys, c))) AS row_key,
           hash(*COLUMNS(lambda c: list_contains($compared, c))) AS row_hash,
           CASE WHEN $has_model THEN CAST(coalesce(NULL, *COLUMNS(lambda c: c = $model_column)) AS VARCHAR) END AS row_model
    FROM query_table($older_table) WHERE $in_older
),
newer_rows AS NOT MATERIALIZED (
    SELECT *, concat_ws('/', *COLUMNS(lambda c: list_contains($keys, c))) AS row_key,
           hash(*COLUMNS(lambda c: list_contains($compared, c))) AS row_hash,
           CASE WHEN $has_model THEN CAST(coalesce(NULL, *COLUMNS(lambda c: c = $model_column)) AS VARCHAR) END AS row_model
    FROM query_table($newer_table) WHERE $in_newer
),
older_keyed AS NOT MATERIALIZED (
    SELECT *, CASE WHEN $key_unique THEN 1 ELSE row_number() OVER (PARTITION BY row_key ORDER BY row_hash) END AS occurrence
    FROM older_rows
),
newer_keyed AS NOT MATERIALIZED (
    SELECT *, CASE WHEN $key_unique THEN 1 ELSE row_number() OVER (PARTITION BY row_key ORDER BY row_hash) END AS occurrence
    FROM newer_rows
),
differing AS (
    SELECT coalesce(o.row_key, n.row_key) AS row_key, coalesce(o.occurrence, n.occurrence) AS occurrence,
           CASE WHEN o.row_key IS NULL THEN 'added' WHEN n.row_key IS NULL THEN 'removed' ELSE 'changed' END AS change,
           coalesce(n.row_model, o.row_model) AS model_id
    FROM (SELECT row_key, occurrence, row_hash, row_model FROM older_keyed) o
    FULL JOIN (SELECT row_key, occurrence, row_hash, row_model FROM newer_keyed) n
      ON o.row_key = n.row_key AND o.occurrence = n.occurrence
    WHERE o.row_hash IS DISTINCT FROM n.row_hash
),
-- The rows that changed, every compared column as text, then taken apart column by column.
older_changed AS (
    SELECT row_key, occurrence, CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM older_keyed SEMI JOIN (SELECT row_key, occurrence FROM differing WHERE change = 'changed') USING (row_key, occurrence)
),
newer_changed AS (
    SELECT row_key, occurrence, CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM newer_keyed SEMI JOIN (SELECT row_key, occurrence FROM differing WHERE change = 'changed') USING (row_key, occurrence)
),
older_values AS (
    SELECT * FROM older_changed
    UNPIVOT INCLUDE NULLS (value FOR column_name IN (COLUMNS(lambda c: list_contains($compared, c))))
),
newer_values AS (
    SELECT * FROM newer_changed
    UNPIVOT INCLUDE NULLS (value FOR column_name IN (COLUMNS(lambda c: list_contains($compared, c))))
),
changes AS (
    SELECT d.row_key, d.occurrence, d.change, NULL AS column_name, NULL AS before, NULL AS after, d.model_id
    FROM differing d WHERE d.change <> 'changed'
    UNION ALL
    SELECT d.row_key, d.occurrence, 'changed', o.column_name, o.value, n.value, d.model_id
    FROM differing d
    JOIN older_values o ON o.row_key = d.row_key AND o.occurrence = d.occurrence
    JOIN newer_values n ON n.row_key = d.row_key AND n.occurrence = d.occurrence AND n.column_name = o.column_name
    WHERE d.change = 'changed' AND o.value IS DISTINCT FROM n.value
)
SELECT $table AS "table",
       CASE WHEN occurrence = 1 THEN row_key ELSE row_key || '#' || occurrence END AS "key",
       change, column_name AS "column", before, after, model_id,
       count(*) OVER () AS total_rows
FROM changes
ORDER BY "key", "column" NULLS FIRST
LIMIT $row_limit;
