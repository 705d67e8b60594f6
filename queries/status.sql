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
model_policy AS (
    -- The level as of the date (DESIGN 4a): levels_as_of() in dashboard/sql/rules.sql.
    SELECT m.model_id, m.name, m.family, level.asl_level, p.policy_id,
           p.eval_compute_multiple AS k, p.buffer_multiple AS b, p.eval_interval_days AS t
    FROM models m
    CROSS JOIN params
    JOIN policies p ON p.policy_id = coalesce(params.policy_override, m.policy_id)
    JOIN levels_as_of($as_of) level ON level.model_id = m.model_id
),
-- The latest checkpoint (highest step) dated on or before the as-of date, and the latest day with a
-- checkpoint: latest_checkpoints() in dashboard/sql/rules.sql.
latest_checkpoint AS (
    SELECT model_id, effective_compute AS c_now, last_checkpoint_on FROM latest_checkpoints($as_of)
),
-- Rounds as of the date (DESIGN 4): rounds() in dashboard/sql/rules.sql, with fired_domains and
-- fired_eval_ids (its rows that triggered, sorted).
rounds AS (
    SELECT model_id, step, round_outcome, completed_at, fired_domains, fired_eval_ids FROM rounds($as_of, $policy_id)
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
    WHERE d.day <= params.as_of AND d.effective_compute / f.c_eval >= pow(f.k, due_soon_fraction())
    GROUP BY f.model_id
),
classified AS (
    SELECT f.*, x.next_eval_crossed_on, x.buffer_edge_crossed_on, x.due_soon_crossed_on,
           CAST(f.t_eval AS DATE) + CAST(f.t AS INTEGER) AS next_eval_date,
           f.compute_multiple >= f.k AS overdue_by_compute,
           f.t IS NOT NULL AND f.days_since_eval > f.t AS overdue_by_time,
           f.compute_multiple >= pow(f.k, due_soon_fraction()) AS due_soon_by_compute,
           f.t IS NOT NULL AND f.days_since_eval > due_soon_fraction() * f.t AS due_soon_by_time,
           CASE
               WHEN f.c_now IS NULL THEN 'no_checkpoint'
               WHEN f.triggered_step IS NOT NULL THEN 'triggered'
               WHEN f.eval_step IS NULL THEN 'never_evaluated'
               WHEN f.b IS NOT NULL AND f.compute_multiple >= f.b THEN 'buffer_breached'
               WHEN f.compute_multiple >= f.k OR (f.t IS NOT NULL AND f.days_since_eval > f.t) THEN 'eval_overdue'
               WHEN f.compute_multiple >= pow(f.k, due_soon_fraction()) OR (f.t IS NOT NULL AND f.days_since_eval > due_soon_fraction() * f.t) THEN 'eval_due_soon'
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
       coalesce(is_training(c.last_checkpoint_on, params.as_of), false) AS is_training,  -- rules.sql
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
                      THEN CAST(c.t_eval AS DATE) + CAST(floor(due_soon_fraction() * c.t) + 1 AS INTEGER) END)
       END AS due_soon_since,
       list_position(status_order(), c.status) AS severity  -- DESIGN 4 order (rules.sql)
FROM classified c
CROSS JOIN params
ORDER BY severity, c.model_id
