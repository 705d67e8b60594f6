-- obligations: the regulatory and framework clocks of DESIGN section 9, one row per model and
-- obligation that has a state as of $as_of (only rows dated on or before it count). The clocks an
-- incident starts (clock after_awareness, DESIGN 12) are not a model's: dashboard/incident_clocks.py.
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
-- Rows are sorted by urgency (obligation_state_order() in dashboard/sql/rules.sql): overdue (longest
-- overdue first), due (soonest first, no date yet last), projected (soonest first), done_late,
-- done; then model_id, obligation_id.
WITH params AS (
    SELECT CAST($as_of AS DATE) AS as_of
),
visible AS NOT MATERIALIZED (
    SELECT c.model_id, c.step, c.recorded_at, c.training_flop, c.effective_compute
    FROM checkpoints c, params
    WHERE CAST(c.recorded_at AS DATE) <= params.as_of
),
-- The crossing as of D: the lowest step reaching the line among checkpoints dated <= D (the rule:
-- reaches_line() and at_crossing() in dashboard/sql/shared_rules.sql). When that step's date is
-- also the earliest date any checkpoint reached the line (step and time agree, as they do in a
-- training run), it is the crossing from that date on: a lookup in the ingest's summary. Otherwise
-- (a lower step recorded later) the model's checkpoints are searched.
crossings AS (
    SELECT x.obligation_id, x.model_id, x.first_step_on AS crossed_on
    FROM obligation_crossings x, params
    WHERE x.first_step_on = x.earliest_on AND x.first_step_on <= params.as_of
    UNION ALL
    SELECT x.obligation_id, v.model_id, CAST(at_crossing(v.recorded_at, v.step) AS DATE) AS crossed_on
    FROM obligation_crossings x
    JOIN obligations o ON o.obligation_id = x.obligation_id
    JOIN visible v ON v.model_id = x.model_id
    WHERE x.first_step_on <> x.earliest_on
      AND reaches_line(o.measure, o.threshold_flop, v.training_flop, v.effective_compute)
    GROUP BY x.obligation_id, v.model_id
),
-- Models training as of D (DESIGN 4a: a checkpoint in the 14 days up to D), from the per-day summary:
-- the latest checkpoint time, and the third-latest day with a checkpoint (the latest 3 checkpoints
-- lie on or after it).
training AS (
    SELECT d.model_id, max(d.last_recorded_at) AS end_at, list_min(max(d.day, 3)) AS third_day
    FROM checkpoint_days d, params
    WHERE d.day <= params.as_of
    GROUP BY d.model_id
    HAVING is_training(max(d.day), any_value(params.as_of))  -- rules.sql
),
-- The fit window of dashboard/projection.py: the checkpoints of the last 60 days up to the latest
-- one, or the latest 3 when those are fewer.
near AS (
    SELECT v.model_id, v.step, v.recorded_at, v.training_flop, v.effective_compute, t.end_at
    FROM visible v
    JOIN training t ON t.model_id = v.model_id
    WHERE v.recorded_at >= least(t.end_at - to_days(projection_window_days()), CAST(t.third_day AS TIMESTAMP))
),
fit_from AS (
    SELECT model_id,
           CASE WHEN count(*) FILTER (WHERE recorded_at >= end_at - to_days(projection_window_days())) >= 3
                THEN any_value(end_at) - to_days(projection_window_days())
                ELSE list_min(max(recorded_at, 3)) END AS fit_from
    FROM near
    GROUP BY model_id
),
fit_window AS (
    SELECT n.* FROM near n JOIN fit_from f ON f.model_id = n.model_id AND n.recorded_at >= f.fit_from
),
-- One least-squares line through log10(value) against days per model and measure.
fits AS (
    SELECT model_id, any_value(end_at) AS end_at, count(*) AS points,
           arg_max(training_flop, recorded_at) AS current_training_flop,
           arg_max(effective_compute, recorded_at) AS current_effective_compute,
           regr_slope(log10(training_flop), epoch(recorded_at) / 86400.0) AS slope_training_flop,
           regr_slope(log10(effective_compute), epoch(recorded_at) / 86400.0) AS slope_effective_compute
    FROM fit_window
    GROUP BY model_id
),
fit_per_obligation AS (
    SELECT o.obligation_id, f.model_id, f.end_at, f.points, o.threshold_flop,
           measure_of(o.measure, f.current_training_flop, f.current_effective_compute) AS current_value,
           measure_of(o.measure, f.slope_training_flop, f.slope_effective_compute) AS slope
    FROM fits f CROSS JOIN obligations o
    WHERE o.clock <> 'after_awareness'
),
projections AS (
    SELECT obligation_id, model_id,
           CAST(end_at + to_seconds(round(86400.0 * (log10(threshold_flop) - log10(current_value)) / slope))
                AS DATE) AS projected_on
    FROM fit_per_obligation
    WHERE points >= 2 AND isfinite(slope) AND slope > 0 AND current_value < threshold_flop
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
    WHERE o.clock <> 'after_awareness'  -- an incident starts those clocks (dashboard/incident_clocks.py)
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
ORDER BY list_position(obligation_state_order(), state),
         coalesce(due_on, projected_on) NULLS LAST, model_id, obligation_id
