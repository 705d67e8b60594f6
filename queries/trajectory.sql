-- trajectory: one model's checkpoints up to the as-of date, downsampled in SQL to about
-- $max_points points (the last checkpoint of each step bucket). Checkpoints that carry an
-- evaluation, the first and the latest are always kept exactly.
WITH visible AS (
    SELECT step, recorded_at, training_flop, effective_compute
    FROM checkpoints
    WHERE model_id = $model_id AND CAST(recorded_at AS DATE) <= CAST($as_of AS DATE)
),
span AS (SELECT min(step) AS first_step, max(step) AS last_step FROM visible),
evaluated_steps AS (
    SELECT DISTINCT step FROM evaluations
    WHERE model_id = $model_id AND CAST(completed_at AS DATE) <= CAST($as_of AS DATE)
),
bucketed AS (
    SELECT v.*, CASE
        WHEN v.step IN (SELECT step FROM evaluated_steps) OR v.step = span.first_step OR v.step = span.last_step
            THEN -1 - v.step  -- a bucket of its own: kept exactly
        ELSE floor((v.step - span.first_step) * CAST($max_points AS DOUBLE) / greatest(span.last_step - span.first_step, 1))
    END AS bucket
    FROM visible v, span
)
SELECT max(step) AS step, max(recorded_at) AS recorded_at,
       arg_max(training_flop, step) AS training_flop, arg_max(effective_compute, step) AS effective_compute,
       bool_or(bucket < 0) AS exact
FROM bucketed
GROUP BY bucket
ORDER BY step
