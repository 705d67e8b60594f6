-- preliminary_triggers: one model's preliminary evaluations that triggered, completed on or before the
-- as-of date (the preliminary_triggers() macro of dashboard/sql/rules.sql: they form no round and change
-- no status; a lead still needs to see them), with the checkpoint evaluated, oldest first.
SELECT p.eval_id, p.step, p.domain, p.completed_at, c.recorded_at, c.effective_compute, p.score, p.trigger_score,
       p.elicitation
FROM preliminary_triggers($as_of) p
JOIN checkpoints c ON c.model_id = p.model_id AND c.step = p.step
WHERE p.model_id = $model_id
ORDER BY p.completed_at, p.step, p.domain
