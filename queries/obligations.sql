-- obligations: the regulatory and framework clocks of DESIGN section 9, one row per model and
-- obligation that has a state as of $as_of (only rows dated on or before it count).
--
-- crossed_on   the recorded_at date of the model's first checkpoint (lowest step) whose measure
--              (training_flop or effective_compute) reaches threshold_flop;
-- start_on     the later of crossed_on and applies_from (the rule's entry into force);
-- due_on       after_crossing: start_on + deadline_days; before_first_deployment: the later of
--              start_on and the earliest started_at among the model's deployments (started on or
--              before $as_of) not ended before crossed_on, empty while it has none;
-- done_on      the earliest obligation_records row dated on or before $as_of (its reference too);
-- state        done (done_on <= due_on, or no due date), done_late, overdue (no record and
--              due_on < $as_of), due (no record, due_on >= $as_of or not set yet), projected (not
--              crossed, but the model is training as of $as_of and the projection reaches the
--              threshold within 90 days: projected_on <= $as_of + 90); no row otherwise;
-- projected_on the date the projection reaches the threshold. The projection is the trajectory
--              page's (dashboard/projection.py), applied to the obligation's measure: a
--              least-squares line through log10(measure) against time over the checkpoints of the
--              last 60 days before the latest one (at least the latest 3), anchored at the latest
--              checkpoint, growing (slope > 0) and reaching the threshold within 3650 days.
--              "Training as of D" (DESIGN 4a): a checkpoint dated within the 14 days up to D.
-- days_left    due_on - $as_of in days for an open (due or overdue) row; negative: overdue.
-- Rows are sorted by urgency: overdue (longest overdue first), due (soonest first, no date yet
-- last), projected (soonest first), done_late, done; then model_id, obligation_id.
WITH params AS (
    SELECT CAST($as_of AS DATE) AS as_of
),
visible AS (
    SELECT c.model_id, c.step, c.recorded_at, c.training_flop, c.effective_compute
    FROM checkpoints c, params
    WHERE CAST(c.recorded_at AS DATE) <= params.as_of
),
measured AS (
    SELECT o.obligation_id, v.model_id, v.step, v.recorded_at,
           CASE o.measure WHEN 'training_flop' THEN v.training_flop ELSE v.effective_compute END AS value,
           o.threshold_flop
    FROM obligations o CROSS JOIN visible v
),
crossings AS (
    SELECT obligation_id, model_id, CAST(arg_min(recorded_at, step) AS DATE) AS crossed_on
    FROM measured
    WHERE value >= threshold_flop
    GROUP BY obligation_id, model_id
),
-- Models training as of D, and their latest checkpoint time.
training AS (
    SELECT v.model_id, max(v.recorded_at) AS end_at
    FROM visible v, params
    GROUP BY v.model_id
    HAVING date_diff('day', CAST(max(v.recorded_at) AS DATE), any_value(params.as_of)) <= 14
),
-- The fit window of dashboard/projection.py: the checkpoints of the last 60 days up to the latest
-- one, or the latest 3 when the window holds fewer (the latest 3 lie inside any window of 3 or more).
fit_points AS (
    SELECT m.obligation_id, m.model_id, m.step, m.recorded_at, m.value, m.threshold_flop, t.end_at,
           row_number() OVER (PARTITION BY m.obligation_id, m.model_id ORDER BY m.recorded_at DESC, m.step DESC) AS recency
    FROM measured m
    JOIN training t ON t.model_id = m.model_id
    WHERE NOT EXISTS (SELECT 1 FROM crossings x WHERE x.obligation_id = m.obligation_id AND x.model_id = m.model_id)
),
fit_window AS (
    SELECT *, min(recorded_at) OVER (PARTITION BY obligation_id, model_id) AS fit_start
    FROM fit_points
    WHERE recorded_at >= end_at - INTERVAL 60 DAY OR recency <= 3
),
fits AS (
    SELECT obligation_id, model_id, any_value(end_at) AS end_at, any_value(threshold_flop) AS threshold_flop,
           arg_min(value, recency) AS current_value,
           count(*) AS points,
           regr_slope(log10(value), epoch(recorded_at - fit_start) / 86400.0) AS slope
    FROM fit_window
    GROUP BY obligation_id, model_id
),
projections AS (
    SELECT obligation_id, model_id,
           CAST(end_at + to_seconds(round(86400.0 * (log10(threshold_flop) - log10(current_value)) / slope))
                AS DATE) AS projected_on
    FROM fits
    WHERE points >= 2 AND isfinite(slope) AND slope > 0
      AND (log10(threshold_flop) - log10(current_value)) / slope <= 3650
),
first_records AS (
    SELECT r.obligation_id, r.model_id, min(r.done_on) AS done_on, arg_min(r.reference, r.done_on) AS reference
    FROM obligation_records r, params
    WHERE r.done_on <= params.as_of
    GROUP BY r.obligation_id, r.model_id
),
pairs AS (
    SELECT m.model_id, m.name AS model_name, o.obligation_id, o.name AS obligation_name, o.jurisdiction,
           o.threshold_flop, o.measure, o.clock, o.deadline_days, o.applies_from,
           x.crossed_on,
           CASE WHEN x.crossed_on IS NOT NULL THEN greatest(x.crossed_on, coalesce(o.applies_from, x.crossed_on)) END
               AS start_on,
           p.projected_on, fr.done_on, fr.reference
    FROM models m
    CROSS JOIN obligations o
    LEFT JOIN crossings x ON x.model_id = m.model_id AND x.obligation_id = o.obligation_id
    LEFT JOIN projections p ON p.model_id = m.model_id AND p.obligation_id = o.obligation_id
    LEFT JOIN first_records fr ON fr.model_id = m.model_id AND fr.obligation_id = o.obligation_id
),
dated AS (
    SELECT pairs.*,
           CASE pairs.clock
               WHEN 'after_crossing' THEN pairs.start_on + pairs.deadline_days
               ELSE (SELECT CASE WHEN min(d.started_at) IS NOT NULL THEN greatest(pairs.start_on, min(d.started_at)) END
                     FROM deployments d
                     WHERE d.model_id = pairs.model_id AND d.started_at <= params.as_of
                       AND (d.ended_at IS NULL OR d.ended_at >= pairs.crossed_on))
           END AS due_on,
           params.as_of
    FROM pairs, params
    WHERE pairs.crossed_on IS NOT NULL
),
stated AS (
    SELECT *,
           CASE
               WHEN done_on IS NOT NULL AND (due_on IS NULL OR done_on <= due_on) THEN 'done'
               WHEN done_on IS NOT NULL THEN 'done_late'
               WHEN due_on < as_of THEN 'overdue'
               ELSE 'due'
           END AS state
    FROM dated
    UNION ALL
    SELECT pairs.*, NULL AS due_on, params.as_of, 'projected' AS state
    FROM pairs, params
    WHERE pairs.crossed_on IS NULL AND pairs.projected_on <= params.as_of + 90
)
SELECT model_id, model_name, obligation_id, obligation_name, jurisdiction, threshold_flop, measure, clock,
       deadline_days, applies_from, crossed_on, start_on, due_on, done_on, reference, state, projected_on,
       CASE WHEN state IN ('due', 'overdue') THEN date_diff('day', as_of, due_on) END AS days_left
FROM stated
ORDER BY CASE state WHEN 'overdue' THEN 1 WHEN 'due' THEN 2 WHEN 'projected' THEN 3 WHEN 'done_late' THEN 4 ELSE 5 END,
         coalesce(due_on, projected_on) NULLS LAST, model_id, obligation_id
