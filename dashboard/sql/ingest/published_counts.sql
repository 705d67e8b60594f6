-- Rows per input table at each step after reading: typed (every row read, with or without
-- problems) and published (in the new snapshot, attached as "out"). Ingest compares them with the
-- rows counted without DuckDB's reader (the CSV scan, the Parquet footer): a row lost anywhere is
-- found. Two tables are published as distinct pairs, so only their typed rows are compared. The
-- checkpoints are typed straight into their published table (typed_checkpoints.sql): both counts
-- are that table's, compared with the file's count all the same.
SELECT 'policies' AS table_name, (SELECT count(*) FROM typed_policies) AS typed_rows,
       (SELECT count(*) FROM out.policies) AS published_rows
UNION ALL SELECT 'asl_levels', (SELECT count(*) FROM typed_asl_levels), (SELECT count(*) FROM out.asl_levels)
UNION ALL SELECT 'safeguards', (SELECT count(*) FROM typed_safeguards), (SELECT count(*) FROM out.safeguards)
UNION ALL SELECT 'asl_required_safeguards', (SELECT count(*) FROM typed_asl_required_safeguards), NULL
UNION ALL SELECT 'models', (SELECT count(*) FROM typed_models), (SELECT count(*) FROM out.models)
UNION ALL SELECT 'checkpoints', (SELECT count(*) FROM typed_checkpoints), (SELECT count(*) FROM out.checkpoints)
UNION ALL SELECT 'evaluations', (SELECT count(*) FROM typed_evaluations), (SELECT count(*) FROM out.evaluations)
UNION ALL SELECT 'customers', (SELECT count(*) FROM typed_customers), (SELECT count(*) FROM out.customers)
UNION ALL SELECT 'deployments', (SELECT count(*) FROM typed_deployments), (SELECT count(*) FROM out.deployments)
UNION ALL SELECT 'deployment_safeguards', (SELECT count(*) FROM typed_deployment_safeguards), NULL
UNION ALL SELECT 'asl_history', (SELECT count(*) FROM typed_asl_history), (SELECT count(*) FROM out.asl_history)
UNION ALL SELECT 'public_models', (SELECT count(*) FROM typed_public_models), (SELECT count(*) FROM out.public_models);
