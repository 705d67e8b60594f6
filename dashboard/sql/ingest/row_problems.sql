-- Every per-row problem found while typing the tables, one row per problem (problems is NULL or
-- empty on a good row; the checkpoints' are built here, for the rows their typing flagged).
SELECT table_name, row_index, p.column AS col, p.value, p.expected, p.other_row
FROM (
    SELECT 'policies' AS table_name, row_index, unnest(problems) AS p FROM typed_policies
    UNION ALL SELECT 'asl_levels', row_index, unnest(problems) FROM typed_asl_levels
    UNION ALL SELECT 'safeguards', row_index, unnest(problems) FROM typed_safeguards
    UNION ALL SELECT 'asl_required_safeguards', row_index, unnest(problems) FROM typed_asl_required_safeguards
    UNION ALL SELECT 'models', row_index, unnest(problems) FROM typed_models
    UNION ALL SELECT 'checkpoints', row_index, unnest(problems) FROM checkpoint_problems
    UNION ALL SELECT 'evaluations', row_index, unnest(problems) FROM typed_evaluations
    UNION ALL SELECT 'customers', row_index, unnest(problems) FROM typed_customers
    UNION ALL SELECT 'deployments', row_index, unnest(problems) FROM typed_deployments
    UNION ALL SELECT 'deployment_safeguards', row_index, unnest(problems) FROM typed_deployment_safeguards
    UNION ALL SELECT 'asl_history', row_index, unnest(problems) FROM typed_asl_history
    UNION ALL SELECT 'public_models', row_index, unnest(problems) FROM typed_public_models
    UNION ALL SELECT 'obligations', row_index, unnest(problems) FROM typed_obligations
    UNION ALL SELECT 'obligation_records', row_index, unnest(problems) FROM typed_obligation_records
)
