-- status: one row per model, where it stands against its policy as of a date (DESIGN section 4).
-- $as_of: the as-of date (only rows dated on or before it count).
-- $policy_id: NULL for each model's own policy, or one policy applied to every model.
WITH params AS (
    SELECT CAST($as_of AS DATE) AS as_of, CAST($policy_id AS VARCHAR) AS policy_override
),
model_policy AS (
    SELECT m.model_id, m.name, m.family, m.asl_level, p.policy_id,
           p.eval_compute_multiple AS k, p.buffer_multiple AS b, p.eval_interval_days AS t
    FROM models m
    CROSS JOIN params
    JOIN policies p ON p.policy_id = coalesce(params.policy_override, m.policy_id)
),
-- The latest checkpoint (highest step) dated on or before the as-of date, from the per-day summary.
latest_checkpoint AS (
    SELECT d.model_id, arg_max(d.effective_compute, d.last_step) AS c_now
    FROM checkpoint_days d, params
    WHERE d.day <= params.as_of
    GROUP BY d.model_id
),
-- A round: the comprehensive evaluations of one model at one step. Preliminary ones form none.
rounds AS (
    SELECT e.model_id, e.step,
           CASE WHEN bool_and(e.outcome = 'below_threshold') THEN 'clean'
                WHEN bool_or(e.outcome = 'triggered') THEN 'triggered'
                ELSE 'inconclusive' END AS round_outcome,
           max(e.completed_at) AS completed_at
    FROM evaluations e, params
    WHERE e.kind = 'comprehensive' AND CAST(e.completed_at AS DATE) <= params.as_of
    GROUP BY e.model_id, e.step
),
latest_clean AS (
    SELECT model_id, max(step) AS eval_step, arg_max(completed_at, step) AS t_eval
    FROM rounds WHERE round_outcome = 'clean'
    GROUP BY model_id
),
latest_triggered AS (
    SELECT model_id, max(step) AS triggered_step
    FROM rounds WHERE round_outcome = 'triggered'
    GROUP BY model_id
),
figures AS (
    SELECT mp.*, lc.c_now, eval_checkpoint.effective_compute AS c_eval, clean.eval_step, clean.t_eval,
           trig.triggered_step,
           lc.c_now / eval_checkpoint.effective_compute AS compute_multiple,
           date_diff('day', CAST(clean.t_eval AS DATE), params.as_of) AS days_since_eval
    FROM model_policy mp
    CROSS JOIN params
    LEFT JOIN latest_checkpoint lc ON lc.model_id = mp.model_id
    LEFT JOIN latest_clean clean ON clean.model_id = mp.model_id
    LEFT JOIN evaluated_checkpoints eval_checkpoint
           ON eval_checkpoint.model_id = clean.model_id AND eval_checkpoint.step = clean.eval_step
    LEFT JOIN latest_triggered trig ON trig.model_id = mp.model_id
)
SELECT model_id, name, family, asl_level, policy_id, c_now, c_eval, compute_multiple,
       k * c_eval AS next_eval_compute,
       b * c_eval AS buffer_edge_compute,
       100 * ln(compute_multiple) / ln(b) AS buffer_used_pct,
       days_since_eval,
       CAST(t_eval AS DATE) + CAST(t AS INTEGER) AS next_eval_date,
       CASE
           WHEN triggered_step IS NOT NULL AND (eval_step IS NULL OR triggered_step > eval_step) THEN 'triggered'
           WHEN eval_step IS NULL THEN 'never_evaluated'
           WHEN b IS NOT NULL AND compute_multiple >= b THEN 'buffer_breached'
           WHEN compute_multiple >= k OR (t IS NOT NULL AND days_since_eval > t) THEN 'eval_overdue'
           WHEN compute_multiple >= pow(k, 0.75) OR (t IS NOT NULL AND days_since_eval > 0.75 * t) THEN 'eval_due_soon'
           ELSE 'on_track'
       END AS status,
       eval_step
FROM figures
ORDER BY model_id
