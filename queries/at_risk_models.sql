-- at_risk_models: the models a reclassification of $model_id to ASL $asl_level affects (DESIGN
-- section 5): the model and every model descended from it through parent_model_id, at any depth,
-- whose asl_level is below the new level. The walk goes through every descendant (a descendant
-- already at the new level is not affected, but its own children below it are). depth and path
-- give the lineage tree; rows come in tree order (each model right after its parent, siblings in
-- id order), ordered by the path as a list: a text sort of "p/a-b" and "p/a/c" would put a-b between
-- a and its child c, because '-' sorts before '/'.
-- The lineage walk is the same as in at_risk.sql: keep the two in step (tests/test_reclassify.py
-- checks that they agree on every model and level of its labs).
-- $domain and $as_of are accepted for symmetry with at_risk and not used: the affected models do
-- not depend on them.
WITH RECURSIVE lineage(model_id, depth, path) AS (
    SELECT model_id, 0, [model_id] FROM models WHERE model_id = $model_id
    UNION ALL
    SELECT child.model_id, lineage.depth + 1, list_append(lineage.path, child.model_id)
    FROM lineage
    JOIN models child ON child.parent_model_id = lineage.model_id
    WHERE NOT list_contains(lineage.path, child.model_id)  -- ingest forbids cycles; never loop anyway
)
SELECT m.model_id, m.name, m.parent_model_id, lineage.depth, array_to_string(lineage.path, '/') AS path,
       m.asl_level, m.status
FROM lineage
JOIN models m ON m.model_id = lineage.model_id
WHERE m.asl_level < CAST($asl_level AS INTEGER)
ORDER BY lineage.path
