-- status: one row per model, where it stands against its policy as of a date (DESIGN sections 4
-- and 4a), most urgent first.
-- $as_of: the as-of date (only rows dated on or before it count).
-- $policy_id: NULL for each model's own policy, or one policy applied to every model.
-- Columns: the contract of DESIGN section 6 first (model_id ... status, in that order), then the
-- figures the pages need: eval_step, last_checkpoint_on, is_training, eval_completed_on,
-- next_eval_crossed_on, buffer_edge_crossed_on, triggered_on, triggered_step, triggered_domains,
-- triggered_eval_ids, overdue_by, overdue_since, due_soon_since, severity.
WITH params AS (
    SELECT CAST($as_of AS DATE) AS as_of, CAST($policy_id AS VARCHAR) AS policy_override
),
-- The level as of the date (DESIGN 4a): the latest asl_history row with effective_from <= as_of;
-- before the model's first row, that first row's level; without history, the models.csv level.
-- (Rows of one model on one date: the higher level counts.) The rule is model_levels.sql's; at_risk.sql
-- and at_risk_models.sql apply it too: keep the four in step (tests/test_reclassify.py checks them).
history AS (
    SELECT h.model_id,
           arg_max(h.asl_level, (h.effective_from, h.asl_level)) FILTER (WHERE h.effective_from <= params.as_of) AS level_then,
           arg_min(h.asl_level, (h.effective_from, -h.asl_level)) AS first_level
    FROM asl_history h, params
    GROUP BY h.model_id
),
model_policy AS (
    SELECT m.model_id, m.name, m.family, coalesce(h.level_then, h.first_level, m.asl_level) AS asl_level, p.policy_id,
           p.eval_compute_multiple AS k, p.buffer_multiple AS b, p.eval_interval_days AS t
    FROM models m
    CROSS JOIN params
    JOIN policies p ON p.policy_id = coalesce(params.policy_override, m.policy_id)
    LEFT JOIN history h ON h.model_id = m.model_id
),
-- The latest checkpoint (highest step) dated on or before the as-of date, from the per-day summary,
-- and the latest day with a checkpoint.
latest_checkpoint AS (
    SELECT d.model_id, arg_max(d.effective_compute, d.last_step) AS c_now, max(d.day) AS last_checkpoint_on
    FROM checkpoint_days d, params
    WHERE d.day <= params.as_of
    GROUP BY d.model_id
),
-- A round: the comprehensive evaluations of one model at one step. Preliminary ones form none.
-- fired_domains, fired_eval_ids: its rows that triggered (sorted).
rounds AS (
    SELECT e.model_id, e.step,
           CASE WHEN bool_and(e.outcome = 'below_threshold') THEN 'clean'
                WHEN bool_or(e.outcome = 'triggered') THEN 'triggered'
                ELSE 'inconclusive' END AS round_outcome,
           max(e.completed_at) AS completed_at,
           array_to_string(list_sort(list_distinct(list(e.domain) FILTER (WHERE e.outcome = 'triggered'))), ';') AS fired_domains,
           array_to_string(list_sort(list(e.eval_id) FILTER (WHERE e.outcome = 'triggered')), ';') AS fired_eval_ids
    FROM evaluations e, params
    WHERE e.kind = 'comprehensive' AND CAST(e.completed_at AS DATE) <= params.as_of
    GROUP BY e.model_id, e.step
),
latest_clean AS (
    SELECT model_id, max(step) AS eval_step, arg_max(completed_at, step) AS t_eval
    FROM rounds WHERE round_outcome = 'clean'
    GROUP BY model_id
),
-- The triggering round: the triggered round at the lowest step above the latest clean round (any
-- triggered round when there is no clean round): when the model triggered, in which domains, by
-- which evaluations.
triggering AS (
    SELECT r.model_id, min(r.step) AS triggered_step, arg_min(r.completed_at, r.step) AS triggered_at,
           arg_min(r.fired_domains, r.step) AS triggered_domains, arg_min(r.fired_eval_ids, r.step) AS triggered_eval_ids
    FROM rounds r
    LEFT JOIN latest_clean clean ON clean.model_id = r.model_id
    WHERE r.round_outcome = 'triggered' AND (clean.eval_step IS NULL OR r.step > clean.eval_step)
    GROUP BY r.model_id
),
figures AS (
    SELECT mp.*, lc.c_now, lc.last_checkpoint_on, eval_checkpoint.effective_compute AS c_eval, clean.eval_step,
           clean.t_eval, trig.triggered_step, trig.triggered_at, trig.triggered_domains, trig.triggered_eval_ids,
           lc.c_now / eval_checkpoint.effective_compute AS compute_multiple,
           date_diff('day', CAST(clean.t_eval AS DATE), params.as_of) AS days_since_eval
    FROM model_policy mp
    CROSS JOIN params
    LEFT JOIN latest_checkpoint lc ON lc.model_id = mp.model_id
    LEFT JOIN latest_clean clean ON clean.model_id = mp.model_id
    LEFT JOIN evaluated_checkpoints eval_checkpoint
           ON eval_checkpoint.model_id = clean.model_id AND eval_checkpoint.step = clean.eval_step
    LEFT JOIN triggering trig ON trig.model_id = mp.model_id
),
-- Crossing dates (DESIGN 4a): the recorded_at date of the first checkpoint (lowest step) above the
-- latest clean round, dated on or before the as-of date, whose effective compute reaches k x C_eval
-- (next evaluation), b x C_eval (buffer edge) or k^0.75 x C_eval (due soon). "Reaches" is tested as
-- the status tests it, C / C_eval >= multiple, so a model is buffer_breached exactly when it has a
-- buffer crossing date. Read from the per-day summary (day, highest step that day, its compute):
-- as effective compute never decreases as step grows, the first day whose highest step is above the
-- clean round and reaches the value is the day of that first checkpoint, for checkpoints recorded in
-- step order (a lab's normal case; a checkpoint recorded before a lower step would count from its
-- own date). The summary keeps this query off the ten million checkpoints at scale l.
crossings AS (
    SELECT f.model_id,
           min(d.day) FILTER (WHERE d.effective_compute / f.c_eval >= f.k) AS next_eval_crossed_on,
           min(d.day) FILTER (WHERE d.effective_compute / f.c_eval >= f.b) AS buffer_edge_crossed_on,
           min(d.day) AS due_soon_crossed_on
    FROM figures f, params
    JOIN checkpoint_days d ON d.model_id = f.model_id AND d.last_step > f.eval_step
    WHERE d.day <= params.as_of AND d.effective_compute / f.c_eval >= pow(f.k, 0.75)
    GROUP BY f.model_id
),
classified AS (
    SELECT f.*, x.next_eval_crossed_on, x.buffer_edge_crossed_on, x.due_soon_crossed_on,
           CAST(f.t_eval AS DATE) + CAST(f.t AS INTEGER) AS next_eval_date,
           f.compute_multiple >= f.k AS overdue_by_compute,
           f.t IS NOT NULL AND f.days_since_eval > f.t AS overdue_by_time,
           f.compute_multiple >= pow(f.k, 0.75) AS due_soon_by_compute,
           f.t IS NOT NULL AND f.days_since_eval > 0.75 * f.t AS due_soon_by_time,
           CASE
               WHEN f.c_now IS NULL THEN 'no_checkpoint'
               WHEN f.triggered_step IS NOT NULL THEN 'triggered'
               WHEN f.eval_step IS NULL THEN 'never_evaluated'
               WHEN f.b IS NOT NULL AND f.compute_multiple >= f.b THEN 'buffer_breached'
               WHEN f.compute_multiple >= f.k OR (f.t IS NOT NULL AND f.days_since_eval > f.t) THEN 'eval_overdue'
               WHEN f.compute_multiple >= pow(f.k, 0.75) OR (f.t IS NOT NULL AND f.days_since_eval > 0.75 * f.t) THEN 'eval_due_soon'
               ELSE 'on_track'
           END AS status
    FROM figures f
    LEFT JOIN crossings x ON x.model_id = f.model_id
)
SELECT c.model_id, c.name, c.family, c.asl_level, c.policy_id, c.c_now, c.c_eval, c.compute_multiple,
       c.k * c.c_eval AS next_eval_compute,
       c.b * c.c_eval AS buffer_edge_compute,
       100 * ln(c.compute_multiple) / ln(c.b) AS buffer_used_pct,
       c.days_since_eval,
       c.next_eval_date,
       c.status,
       -- For the pages (after the contract's columns).
       c.eval_step,
       c.last_checkpoint_on,
       coalesce(date_diff('day', c.last_checkpoint_on, params.as_of) <= 14, false) AS is_training,
       CAST(c.t_eval AS DATE) AS eval_completed_on,
       c.next_eval_crossed_on,
       c.buffer_edge_crossed_on,
       CAST(c.triggered_at AS DATE) AS triggered_on,
       c.triggered_step,
       c.triggered_domains,
       c.triggered_eval_ids,
       -- What made it overdue (buffer_breached and eval_overdue) and since when: the crossing date
       -- for compute, the day after next_eval_date for time; the earlier of both.
       CASE WHEN c.status IN ('buffer_breached', 'eval_overdue') THEN
           CASE WHEN c.overdue_by_compute AND c.overdue_by_time THEN 'compute_and_time'
                WHEN c.overdue_by_compute THEN 'compute'
                WHEN c.overdue_by_time THEN 'time' END
       END AS overdue_by,
       CASE WHEN c.status IN ('buffer_breached', 'eval_overdue') THEN
           least(CASE WHEN c.overdue_by_compute THEN c.next_eval_crossed_on END,
                 CASE WHEN c.overdue_by_time THEN c.next_eval_date + 1 END)
       END AS overdue_since,
       -- The date it became due soon (eval_due_soon only): the k^0.75 crossing date for compute, the
       -- first day more than 0.75 T days after t_eval for time; the earlier of both.
       CASE WHEN c.status = 'eval_due_soon' THEN
           least(CASE WHEN c.due_soon_by_compute THEN c.due_soon_crossed_on END,
                 CASE WHEN c.due_soon_by_time
                      THEN CAST(c.t_eval AS DATE) + CAST(floor(0.75 * c.t) + 1 AS INTEGER) END)
       END AS due_soon_since,
       CASE c.status WHEN 'triggered' THEN 1 WHEN 'never_evaluated' THEN 2 WHEN 'buffer_breached' THEN 3
                     WHEN 'eval_overdue' THEN 4 WHEN 'eval_due_soon' THEN 5 WHEN 'on_track' THEN 6
                     ELSE 7 END AS severity
FROM classified c
CROSS JOIN params
ORDER BY severity, c.model_id
