-- evaluation_rounds: one model's comprehensive rounds as of a date (DESIGN section 4): one row per
-- step with its outcome (clean / triggered / inconclusive), completion time, the checkpoint's
-- compute and time, and the per-domain details for the hover.
SELECT e.step,
       CASE WHEN bool_and(e.outcome = 'below_threshold') THEN 'clean'
            WHEN bool_or(e.outcome = 'triggered') THEN 'triggered'
            ELSE 'inconclusive' END AS round_outcome,
       max(e.completed_at) AS completed_at,
       any_value(c.recorded_at) AS recorded_at,
       any_value(c.effective_compute) AS effective_compute,
       list({'domain': e.domain, 'outcome': e.outcome, 'score': e.score, 'trigger_score': e.trigger_score,
             'elicitation': e.elicitation, 'target_asl_level': e.target_asl_level} ORDER BY e.domain) AS details
FROM evaluations e
JOIN checkpoints c ON c.model_id = e.model_id AND c.step = e.step
WHERE e.model_id = $model_id AND e.kind = 'comprehensive' AND CAST(e.completed_at AS DATE) <= CAST($as_of AS DATE)
GROUP BY e.step
ORDER BY e.step
