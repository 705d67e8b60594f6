-- preliminary_triggers: one model's preliminary evaluations that triggered, completed on or before the
-- as-of date (DESIGN 4: preliminary evaluations form no round and change no status; a lead still
-- needs to see them), with the checkpoint evaluated, oldest first.
SELECT e.eval_id, e.step, e.domain, e.completed_at, c.recorded_at, c.effective_compute, e.score, e.trigger_score,
       e.elicitation
FROM evaluations e
JOIN checkpoints c ON c.model_id = e.model_id AND c.step = e.step
WHERE e.model_id = $model_id AND e.kind = 'preliminary' AND e.outcome = 'triggered'
  AND CAST(e.completed_at AS DATE) <= CAST($as_of AS DATE)
ORDER BY e.completed_at, e.step, e.domain
