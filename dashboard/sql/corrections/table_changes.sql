-- The row changes of one input table between the older and the newer snapshot (DESIGN 11, rows):
-- rows matched by the table's key ($keys); `added`, `removed`, or `changed` with one row per changed
-- column. Which table and which columns come from the input contract (dashboard/tables.py) and are
-- bound, never formatted in: $older_table / $newer_table name the attached tables (a table missing
-- from one snapshot is read from the other with $in_older / $in_newer false, so it has no rows
-- there), $compared are the key and the other columns both snapshots hold.
--
-- Rows are compared by a hash of their compared columns first, so only rows that differ are taken
-- apart column by column; values are compared as text (a type that changed between two versions of
-- the ingest is not a correction). Where the ingest does not hold the key unique ($key_unique false:
-- histories, records), rows found identical on both sides are set aside first, and the rest of a
-- key's rows are paired in the order of their values; the second and later are written `#2`, `#3`.
WITH
older_rows AS NOT MATERIALIZED (
    SELECT *, concat_ws('/', *COLUMNS(lambda c: list_contains($keys, c))) AS row_key,
           hash(*COLUMNS(lambda c: list_contains($compared, c))) AS row_hash,
           concat_ws(chr(31), *COLUMNS(lambda c: list_contains($compared, c))) AS row_text,
           CASE WHEN $has_model THEN CAST(coalesce(NULL, *COLUMNS(lambda c: c = $model_column)) AS VARCHAR) END AS row_model
    FROM query_table($older_table) WHERE $in_older
),
newer_rows AS NOT MATERIALIZED (
    SELECT *, concat_ws('/', *COLUMNS(lambda c: list_contains($keys, c))) AS row_key,
           hash(*COLUMNS(lambda c: list_contains($compared, c))) AS row_hash,
           concat_ws(chr(31), *COLUMNS(lambda c: list_contains($compared, c))) AS row_text,
           CASE WHEN $has_model THEN CAST(coalesce(NULL, *COLUMNS(lambda c: c = $model_column)) AS VARCHAR) END AS row_model
    FROM query_table($newer_table) WHERE $in_newer
),
-- Keys held unique: a row differs when the other side has no row of its key with its hash.
unique_differing AS (
    SELECT coalesce(o.row_key, n.row_key) AS row_key, 1 AS occurrence,
           CASE WHEN o.row_key IS NULL THEN 'added' WHEN n.row_key IS NULL THEN 'removed' ELSE 'changed' END AS change,
           coalesce(n.row_model, o.row_model) AS model_id
    FROM (SELECT row_key, row_hash, row_model FROM older_rows WHERE $key_unique) o
    FULL JOIN (SELECT row_key, row_hash, row_model FROM newer_rows WHERE $key_unique) n ON o.row_key = n.row_key
    WHERE o.row_hash IS DISTINCT FROM n.row_hash
),
-- Repeated keys: identical copies matched first, the rest paired by hash order within the key.
older_copies AS (
    SELECT row_key, row_hash, row_text, row_model, row_number() OVER (PARTITION BY row_key, row_hash) AS copy
    FROM older_rows WHERE NOT $key_unique
),
newer_copies AS (
    SELECT row_key, row_hash, row_text, row_model, row_number() OVER (PARTITION BY row_key, row_hash) AS copy
    FROM newer_rows WHERE NOT $key_unique
),
older_left AS (
    SELECT row_key, row_hash, row_model, row_number() OVER (PARTITION BY row_key ORDER BY row_text, row_hash) AS occurrence
    FROM (SELECT * FROM older_copies o ANTI JOIN newer_copies n USING (row_key, row_hash, copy))
),
newer_left AS (
    SELECT row_key, row_hash, row_model, row_number() OVER (PARTITION BY row_key ORDER BY row_text, row_hash) AS occurrence
    FROM (SELECT * FROM newer_copies n ANTI JOIN older_copies o USING (row_key, row_hash, copy))
),
repeated_differing AS (
    SELECT coalesce(o.row_key, n.row_key) AS row_key, coalesce(o.occurrence, n.occurrence) AS occurrence,
           CASE WHEN o.row_key IS NULL THEN 'added' WHEN n.row_key IS NULL THEN 'removed' ELSE 'changed' END AS change,
           coalesce(n.row_model, o.row_model) AS model_id, o.row_hash AS older_hash, n.row_hash AS newer_hash
    FROM older_left o FULL JOIN newer_left n ON o.row_key = n.row_key AND o.occurrence = n.occurrence
),
differing AS (
    SELECT row_key, occurrence, change, model_id FROM unique_differing
    UNION ALL
    SELECT row_key, occurrence, change, model_id FROM repeated_differing
),
-- The rows that changed, every compared column as text, then taken apart column by column.
older_changed AS (
    SELECT row_key, 1 AS occurrence, CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM older_rows
    WHERE $key_unique AND row_key IN (SELECT row_key FROM unique_differing WHERE change = 'changed')
    UNION ALL BY NAME
    SELECT row_key, paired_occurrence AS occurrence, CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM older_rows
    JOIN (SELECT row_key AS paired_key, older_hash AS paired_hash, occurrence AS paired_occurrence
          FROM repeated_differing WHERE change = 'changed') ON paired_key = row_key AND paired_hash = row_hash
    WHERE NOT $key_unique
),
newer_changed AS (
    SELECT row_key, 1 AS occurrence, CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM newer_rows
    WHERE $key_unique AND row_key IN (SELECT row_key FROM unique_differing WHERE change = 'changed')
    UNION ALL BY NAME
    SELECT row_key, paired_occurrence AS occurrence, CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM newer_rows
    JOIN (SELECT row_key AS paired_key, newer_hash AS paired_hash, occurrence AS paired_occurrence
          FROM repeated_differing WHERE change = 'changed') ON paired_key = row_key AND paired_hash = row_hash
    WHERE NOT $key_unique
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
