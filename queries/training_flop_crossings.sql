-- training_flop_crossings: where one model's real training FLOP first reaches each regulatory line
-- (DESIGN 9: the rules count training FLOP, not effective compute), as of a date.
-- $model_id; $thresholds: the lines in FLOP (a list); $as_of: only checkpoints dated on or before it.
-- One row per line reached: threshold, step, recorded_at, training_flop of the first checkpoint
-- (lowest step) whose training_flop reaches it.
WITH lines AS (SELECT unnest($thresholds::DOUBLE[]) AS threshold)
SELECT lines.threshold, min(c.step) AS step, arg_min(c.recorded_at, c.step) AS recorded_at,
       arg_min(c.training_flop, c.step) AS training_flop
FROM lines
JOIN checkpoints c ON c.model_id = $model_id AND c.training_flop >= lines.threshold
WHERE CAST(c.recorded_at AS DATE) <= CAST($as_of AS DATE)
GROUP BY lines.threshold
ORDER BY lines.threshold
