-- evaluation_rounds: one model's comprehensive rounds as of a date (DESIGN section 4; the rule is the
-- rounds() macro of dashboard/sql/rules.sql): one row per step with its outcome (clean / triggered /
-- incomplete / inconclusive) under the policy in use ($policy_id: NULL for the model's own), the
-- required domains an incomplete round misses, completion time, the checkpoint's compute and time,
-- and the per-domain details for the hover.
SELECT r.step, r.round_outcome, r.missing_domains, r.completed_at, c.recorded_at, c.effective_compute, r.details
FROM rounds($as_of, $policy_id) r
JOIN checkpoints c ON c.model_id = r.model_id AND c.step = r.step
WHERE r.model_id = $model_id
ORDER BY r.step
