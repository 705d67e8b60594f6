-- Whether the schema $1 exists and the role may use it.
SELECT n.nspname, has_schema_privilege(n.oid, 'USAGE') AS usable
FROM pg_catalog.pg_namespace n
WHERE n.nspname = $1
