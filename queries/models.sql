-- models: every model, for pickers and lineage.
SELECT model_id, name, family, parent_model_id, derivation, asl_level, policy_id, status
FROM models ORDER BY model_id
