-- model_positions: each model's latest checkpoint as of a date (when, and its effective compute),
-- for drawing the lab's models against the public frontier.
SELECT m.model_id, m.name, m.family, m.asl_level, latest.recorded_at, latest.effective_compute
FROM models m
JOIN (
    SELECT model_id, arg_max(last_recorded_at, last_step) AS recorded_at,
           arg_max(effective_compute, last_step) AS effective_compute
    FROM checkpoint_days
    WHERE day <= CAST($as_of AS DATE)
    GROUP BY model_id
) latest USING (model_id)
ORDER BY m.model_id
