-- model_asl_history: one model's ASL classification over time, up to the as-of date.
SELECT asl_level, effective_from, reason
FROM asl_history
WHERE model_id = $model_id AND effective_from <= CAST($as_of AS DATE)
ORDER BY effective_from
