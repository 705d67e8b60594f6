-- Every table, view, materialized view and foreign table of the schema $1 with its columns, in
-- column order: their types decide how each column is read (native types as they are, arrays joined
-- with ';', anything else as PostgreSQL's own text), and whether the role may read each one.
SELECT c.relname AS table_name,
       a.attname AS column_name,
       t.typname AS type_name,
       t.typcategory AS type_category,
       has_table_privilege(c.oid, 'SELECT') AS readable
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
ORDER BY c.relname, a.attnum
