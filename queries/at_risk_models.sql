-- at_risk_models: the models a reclassification of $model_id to ASL $asl_level affects (DESIGN
-- section 5): the model and every model descended from it through parent_model_id, at any depth,
-- whose asl_level as of the date is below the new level. The walk goes through every descendant (a descendant
-- already at the new level is not affected, but its own children below it are). depth and path
-- give the lineage tree; rows come in tree order (each model right after its parent, siblings in
-- id order), ordered by the path as a list: a text sort of "p/a-b" and "p/a/c" would put a-b between
-- a and its child c, because '-' sorts before '/'.
-- The lineage walk is lineage() and the level rule levels_as_of(), both in dashboard/sql/rules.sql.
-- asl_level is the level as of $as_of (DESIGN 4a). $domain is accepted
-- for symmetry with at_risk and not used: the affected models do not depend on it.
WITH leveled AS (
    SELECT m.model_id, m.name, m.parent_model_id, walk.depth, walk.path AS path_list, level.asl_level, m.status
    FROM lineage($model_id) walk
    JOIN models m ON m.model_id = walk.model_id
    JOIN levels_as_of($as_of) level ON level.model_id = walk.model_id
)
SELECT model_id, name, parent_model_id, depth, array_to_string(path_list, '/') AS path, asl_level, status
FROM leveled
WHERE asl_level < CAST($asl_level AS INTEGER)
ORDER BY path_list
