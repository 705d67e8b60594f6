-- at_risk_models: the models a reclassification of $model_id to ASL $asl_level affects (DESIGN
-- section 5): the model and every model descended from it through parent_model_id, at any depth,
-- whose asl_level as of the date is below the new level. The walk goes through every descendant (a descendant
-- already at the new level is not affected, but its own children below it are). depth and path
-- give the lineage tree; rows come in tree order (each model right after its parent, siblings in
-- id order), ordered by the path as a list: a text sort of "p/a-b" and "p/a/c" would put a-b between
-- a and its child c, because '-' sorts before '/'.
-- The lineage walk is the same as in at_risk.sql: keep the two in step (tests/test_reclassify.py
-- checks that they agree on every model and level of its labs).
-- asl_level is the level as of $as_of (DESIGN 4a; the rule of model_levels.sql). $domain is accepted
-- for symmetry with at_risk and not used: the affected models do not depend on it.
WITH RECURSIVE lineage(model_id, depth, path) AS (
    SELECT model_id, 0, [model_id] FROM models WHERE model_id = $model_id
    UNION ALL
    SELECT child.model_id, lineage.depth + 1, list_append(lineage.path, child.model_id)
    FROM lineage
    JOIN models child ON child.parent_model_id = lineage.model_id
    WHERE NOT list_contains(lineage.path, child.model_id)  -- ingest forbids cycles; never loop anyway
),
-- Levels as of the date (DESIGN 4a, section 5): the rule of model_levels.sql, kept in step with it.
history AS (
    SELECT h.model_id,
           arg_max(h.asl_level, (h.effective_from, h.asl_level)) FILTER (WHERE h.effective_from <= CAST($as_of AS DATE)) AS level_then,
           arg_min(h.asl_level, (h.effective_from, -h.asl_level)) AS first_level
    FROM asl_history h
    WHERE h.model_id IN (SELECT model_id FROM lineage)
    GROUP BY h.model_id
),
leveled AS (
    SELECT m.model_id, m.name, m.parent_model_id, lineage.depth, lineage.path AS path_list,
           coalesce(h.level_then, h.first_level, m.asl_level) AS asl_level, m.status
    FROM lineage
    JOIN models m ON m.model_id = lineage.model_id
    LEFT JOIN history h ON h.model_id = lineage.model_id
)
SELECT model_id, name, parent_model_id, depth, array_to_string(path_list, '/') AS path, asl_level, status
FROM leveled
WHERE asl_level < CAST($asl_level AS INTEGER)
ORDER BY path_list
