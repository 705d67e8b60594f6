-- The rows of one table the ingest cannot take as they are, found on the server before any row is
-- read, so that a huge value is never pulled into memory. Only identifiers and expressions built from
-- them are filled in by dashboard/ingest/postgres/ (quote_ident rules), no value:
--   {keys}      the row's key columns as text, cut to 100 characters;
--   {findings}  one expression per contract column, NULL when its value is fine, else what is wrong:
--               'bytes:N' (longer than $1 bytes), 'dimensions:N' (an array of more than one
--               dimension), 'null element' (an array holding a NULL), 'infinite:TEXT' (a date or
--               timestamp 'infinity');
--   {row_bytes} the bytes of the row's values together (its limit is $2);
--   {table}     "schema"."table".
-- $3: how many rows to name at most.
SELECT *
FROM (SELECT {keys}, ARRAY[{findings}]::text[] AS findings, {row_bytes} AS row_bytes FROM {table}) AS checked
WHERE cardinality(array_remove(findings, NULL)) > 0 OR row_bytes > $2
LIMIT $3
