-- model_positions: each model's latest checkpoint as of a date (when, and its effective compute),
-- for drawing the lab's models against the public frontier (latest_checkpoints() in dashboard/sql/rules.sql).
SELECT m.model_id, m.name, m.family, m.asl_level, latest.recorded_at, latest.effective_compute
FROM models m
JOIN latest_checkpoints($as_of) latest USING (model_id)
ORDER BY m.model_id
