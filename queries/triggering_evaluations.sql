-- triggering_evaluations: the evidence behind a reclassification: every evaluation of the models
-- $model_ids that came out triggered (comprehensive or preliminary), completed on or before the as-of
-- date, oldest first; with its score and the score that triggers (either may be empty).
SELECT e.eval_id, e.model_id, m.name AS model_name, e.step, e.completed_at, e.domain, e.kind,
       e.target_asl_level, e.score, e.trigger_score, e.elicitation
FROM evaluations e
JOIN models m ON m.model_id = e.model_id
WHERE list_contains(CAST($model_ids AS VARCHAR[]), e.model_id)
  AND evaluation_triggered(e.outcome)  -- dashboard/sql/rules.sql
  AND CAST(e.completed_at AS DATE) <= CAST($as_of AS DATE)
ORDER BY e.completed_at, e.model_id, e.eval_id
