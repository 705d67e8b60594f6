-- Every table, view, materialized view and foreign table of the schema $1 with its columns, in
-- column order: their types decide how each column is read (native types as they are, arrays joined
-- with ';', anything else as PostgreSQL's own text) and which are refused (binary, json), and
-- whether the role may read each one. A type is named with its schema: only pg_catalog's types are
-- the built-ins (a type of the lab's own called float8 is not); a domain is also named by its base
-- type, and an array by its element's type.
SELECT c.relname AS table_name,
       a.attname AS column_name,
       tn.nspname AS type_schema,
       t.typname AS type_name,
       t.typcategory AS type_category,
       bn.nspname AS base_schema,
       b.typname AS base_name,
       en.nspname AS element_schema,
       e.typname AS element_name,
       has_table_privilege(c.oid, 'SELECT') AS readable
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
JOIN pg_catalog.pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
JOIN pg_catalog.pg_namespace bn ON bn.oid = b.typnamespace
LEFT JOIN pg_catalog.pg_type e ON e.oid = b.typelem AND b.typcategory = 'A'
LEFT JOIN pg_catalog.pg_namespace en ON en.oid = e.typnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
ORDER BY c.relname, a.attnum
