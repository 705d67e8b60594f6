-- What the new snapshot holds, per published input table: its rows and the sum of every row's hash
-- (independent of row order). Ingest hashes these lines into the snapshot's content hash: equal
-- content, equal hash (an ingest of unchanged data adds no snapshot); the id starts from it.
-- deployment_safeguards is published inside deployments (each deployment's list).
SELECT 'policies' AS table_name, count(*) AS row_count, CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) AS hash_sum FROM out.policies t
UNION ALL SELECT 'asl_levels', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.asl_levels t
UNION ALL SELECT 'safeguards', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.safeguards t
UNION ALL SELECT 'asl_required_safeguards', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.asl_required_safeguards t
UNION ALL SELECT 'models', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.models t
UNION ALL SELECT 'checkpoints', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.checkpoints t
UNION ALL SELECT 'evaluations', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.evaluations t
UNION ALL SELECT 'customers', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.customers t
UNION ALL SELECT 'deployments', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.deployments t
UNION ALL SELECT 'asl_history', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.asl_history t
UNION ALL SELECT 'public_models', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.public_models t
UNION ALL SELECT 'obligations', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.obligations t
UNION ALL SELECT 'obligation_records', count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM out.obligation_records t;
