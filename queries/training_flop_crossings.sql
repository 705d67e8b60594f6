-- training_flop_crossings: where one model's real training FLOP first reaches each regulatory line
-- (DESIGN 9: the rules count training FLOP, not effective compute), as of a date.
-- $model_id; $thresholds: the lines in FLOP (a list); $as_of: only checkpoints dated on or before it.
-- One row per line reached: threshold, step, recorded_at, training_flop of the first checkpoint
-- (lowest step) whose training_flop reaches it (line_crossings() in dashboard/sql/rules.sql).
SELECT x.threshold, x.step, x.recorded_at, x.value AS training_flop
FROM line_crossings($as_of, CAST($thresholds AS DOUBLE[]), CAST($thresholds AS DOUBLE[]),
                    list_transform(CAST($thresholds AS DOUBLE[]), lambda t: 'training_flop')) x
WHERE x.model_id = $model_id
ORDER BY x.threshold
