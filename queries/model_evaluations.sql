-- model_evaluations: every evaluation of one model up to the as-of date, newest first.
SELECT e.eval_id, e.step, e.completed_at, e.domain, e.kind, e.target_asl_level, e.outcome, e.score,
       e.trigger_score, e.elicitation, c.effective_compute
FROM evaluations e
LEFT JOIN checkpoints c ON c.model_id = e.model_id AND c.step = e.step
WHERE e.model_id = $model_id AND CAST(e.completed_at AS DATE) <= CAST($as_of AS DATE)
ORDER BY e.completed_at DESC, e.step DESC, e.domain
