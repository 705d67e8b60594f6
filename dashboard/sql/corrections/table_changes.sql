-- The row changes of one input table between the older and the newer snapshot (DESIGN 11, rows):
-- rows matched by the table's key ($keys); `added`, `removed`, or `changed` with one row per changed
-- column. Which table and which columns come from the input contract (dashboard/tables.py) and are
-- bound, never formatted in: $older_table / $newer_table name the attached tables (a table missing
-- from one snapshot is read from the other with $in_older / $in_newer false, so it has no rows
-- there), $compared are the key and the other columns both snapshots hold.
--
-- Speed (scale l: ten million checkpoints a side): the whole tables are compared by two hashes per
-- row only, one of the key and one of the compared columns; the text of keys and values is made
-- for the rows that differ, and the keys are then matched by their text (so two keys that share a
-- hash are still told apart). Values are compared as text (a type that changed between two
-- versions of the ingest is not a correction). Where the ingest does not hold the key unique
-- ($key_unique false: histories, records; small tables), rows found identical on both sides are set
-- aside first, the rest of a key's rows are paired in the order of their values, and the second and
-- later of a key are written `#2`, `#3`.
WITH
older_rows AS NOT MATERIALIZED (
    SELECT *, hash(*COLUMNS(lambda c: list_contains($keys, c))) AS key_hash,
           hash(*COLUMNS(lambda c: list_contains($compared, c))) AS row_hash,
           CASE WHEN $has_model THEN CAST(coalesce(NULL, *COLUMNS(lambda c: c = $model_column)) AS VARCHAR) END AS row_model
    FROM query_table($older_table) WHERE $in_older
),
newer_rows AS NOT MATERIALIZED (
    SELECT *, hash(*COLUMNS(lambda c: list_contains($keys, c))) AS key_hash,
           hash(*COLUMNS(lambda c: list_contains($compared, c))) AS row_hash,
           CASE WHEN $has_model THEN CAST(coalesce(NULL, *COLUMNS(lambda c: c = $model_column)) AS VARCHAR) END AS row_model
    FROM query_table($newer_table) WHERE $in_newer
),
-- Keys held unique: the keys whose row is missing on one side or not the same on both.
unique_differing AS (
    SELECT coalesce(o.key_hash, n.key_hash) AS key_hash, o.key_hash IS NOT NULL AS in_older,
           n.key_hash IS NOT NULL AS in_newer
    FROM (SELECT key_hash, row_hash FROM older_rows WHERE $key_unique) o
    FULL JOIN (SELECT key_hash, row_hash FROM newer_rows WHERE $key_unique) n ON o.key_hash = n.key_hash
    WHERE o.row_hash IS DISTINCT FROM n.row_hash
),
-- Keys that may repeat: identical copies matched first, the rest of a key's rows in value order.
older_copies AS (
    SELECT *, concat_ws('/', *COLUMNS(lambda c: list_contains($keys, c))) AS row_key,
           concat_ws(chr(31), *COLUMNS(lambda c: list_contains($compared, c))) AS row_text,
           row_number() OVER (PARTITION BY key_hash, row_hash) AS copy
    FROM older_rows WHERE NOT $key_unique
),
newer_copies AS (
    SELECT *, concat_ws('/', *COLUMNS(lambda c: list_contains($keys, c))) AS row_key,
           concat_ws(chr(31), *COLUMNS(lambda c: list_contains($compared, c))) AS row_text,
           row_number() OVER (PARTITION BY key_hash, row_hash) AS copy
    FROM newer_rows WHERE NOT $key_unique
),
older_left AS (
    SELECT *, row_number() OVER (PARTITION BY row_key ORDER BY row_text, row_hash) AS occurrence
    FROM (SELECT * FROM older_copies o ANTI JOIN newer_copies n USING (row_key, row_hash, copy))
),
newer_left AS (
    SELECT *, row_number() OVER (PARTITION BY row_key ORDER BY row_text, row_hash) AS occurrence
    FROM (SELECT * FROM newer_copies n ANTI JOIN older_copies o USING (row_key, row_hash, copy))
),
-- Each side's rows that differ, keys and values as text.
older_side AS MATERIALIZED (
    SELECT concat_ws('/', *COLUMNS(lambda c: list_contains($keys, c))) AS row_key, 1 AS occurrence, row_model,
           CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM older_rows
    WHERE $key_unique AND key_hash IN (SELECT key_hash FROM unique_differing WHERE in_older)
    UNION ALL BY NAME
    SELECT row_key, occurrence, row_model, CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM older_left
),
newer_side AS MATERIALIZED (
    SELECT concat_ws('/', *COLUMNS(lambda c: list_contains($keys, c))) AS row_key, 1 AS occurrence, row_model,
           CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM newer_rows
    WHERE $key_unique AND key_hash IN (SELECT key_hash FROM unique_differing WHERE in_newer)
    UNION ALL BY NAME
    SELECT row_key, occurrence, row_model, CAST(COLUMNS(lambda c: list_contains($compared, c)) AS VARCHAR)
    FROM newer_left
),
pairs AS (
    SELECT coalesce(o.row_key, n.row_key) AS row_key, coalesce(o.occurrence, n.occurrence) AS occurrence,
           CASE WHEN o.row_key IS NULL THEN 'added' WHEN n.row_key IS NULL THEN 'removed' ELSE 'changed' END AS change,
           coalesce(n.row_model, o.row_model) AS model_id
    FROM (SELECT row_key, occurrence, row_model FROM older_side) o
    FULL JOIN (SELECT row_key, occurrence, row_model FROM newer_side) n
      ON o.row_key = n.row_key AND o.occurrence = n.occurrence
),
-- A changed row taken apart column by column.
older_values AS (
    SELECT * FROM (SELECT row_key, occurrence, COLUMNS(lambda c: list_contains($compared, c)) FROM older_side)
    UNPIVOT INCLUDE NULLS (value FOR column_name IN (COLUMNS(lambda c: list_contains($compared, c))))
),
newer_values AS (
    SELECT * FROM (SELECT row_key, occurrence, COLUMNS(lambda c: list_contains($compared, c)) FROM newer_side)
    UNPIVOT INCLUDE NULLS (value FOR column_name IN (COLUMNS(lambda c: list_contains($compared, c))))
),
changes AS (
    SELECT row_key, occurrence, change, NULL AS column_name, NULL AS before, NULL AS after, model_id
    FROM pairs WHERE change <> 'changed'
    UNION ALL
    SELECT p.row_key, p.occurrence, 'changed', o.column_name, o.value, n.value, p.model_id
    FROM pairs p
    JOIN older_values o ON o.row_key = p.row_key AND o.occurrence = p.occurrence
    JOIN newer_values n ON n.row_key = p.row_key AND n.occurrence = p.occurrence AND n.column_name = o.column_name
    WHERE p.change = 'changed' AND o.value IS DISTINCT FROM n.value
)
SELECT $table AS "table",
       CASE WHEN occurrence = 1 THEN row_key ELSE row_key || '#' || occurrence END AS "key",
       change, column_name AS "column", before, after, model_id,
       count(*) OVER () AS total_rows
FROM changes
ORDER BY "key", "column" NULLS FIRST
LIMIT $row_limit;
