-- The tables and views of both snapshots and their columns, in their order (which tables and
-- columns the two have in common is decided by the caller from the input contract).
SELECT database_name AS snapshot, table_name, column_name
FROM duckdb_columns()
WHERE database_name IN ('older', 'newer') AND schema_name = 'main'
ORDER BY database_name, table_name, column_index;
