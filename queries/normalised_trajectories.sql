-- normalised_trajectories: each model's effective compute since its last clean evaluation, as a
-- multiple of the compute at that evaluation, downsampled in SQL to about $points_per_model points
-- per model (the last checkpoint of each step bucket; the evaluation point and the latest point kept).
-- $model_ids and $eval_steps are parallel lists (from the status query), $as_of the as-of date.
WITH evaluated AS (
    SELECT unnest($model_ids::VARCHAR[]) AS model_id, unnest($eval_steps::BIGINT[]) AS eval_step
),
since_eval AS (
    SELECT c.model_id, c.step, c.recorded_at, c.effective_compute, e.eval_step
    FROM checkpoints c
    JOIN evaluated e ON e.model_id = c.model_id AND c.step >= e.eval_step
    WHERE CAST(c.recorded_at AS DATE) <= CAST($as_of AS DATE)
),
span AS (
    SELECT model_id, max(step) AS last_step,
           arg_min(effective_compute, step) AS c_eval
    FROM since_eval GROUP BY model_id
),
bucketed AS (
    SELECT s.model_id, s.step, s.recorded_at, s.effective_compute / span.c_eval AS multiple,
           CASE WHEN s.step = s.eval_step OR s.step = span.last_step THEN -s.step  -- always kept
                ELSE floor((s.step - s.eval_step) * CAST($points_per_model AS DOUBLE)
                           / greatest(span.last_step - s.eval_step, 1)) END AS bucket
    FROM since_eval s JOIN span USING (model_id)
)
SELECT model_id, max(step) AS step, max(recorded_at) AS recorded_at, arg_max(multiple, step) AS multiple
FROM bucketed
GROUP BY model_id, bucket
ORDER BY model_id, step
