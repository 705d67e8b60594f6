-- model_levels: every model's ASL level as of a date (DESIGN 4a): the asl_level of the model's
-- latest asl_history row with effective_from <= $as_of; before its first row, that first row's
-- level; without history, the models.csv asl_level. (Rows of one model on one date: the higher
-- level counts.) status.sql, at_risk.sql and at_risk_models.sql apply the same rule: keep the four
-- in step (tests/test_reclassify.py checks that they agree).
WITH history AS (
    SELECT h.model_id,
           arg_max(h.asl_level, (h.effective_from, h.asl_level)) FILTER (WHERE h.effective_from <= CAST($as_of AS DATE)) AS level_then,
           arg_min(h.asl_level, (h.effective_from, -h.asl_level)) AS first_level
    FROM asl_history h
    GROUP BY h.model_id
)
SELECT m.model_id, coalesce(h.level_then, h.first_level, m.asl_level) AS asl_level
FROM models m
LEFT JOIN history h ON h.model_id = m.model_id
ORDER BY m.model_id
