-- changes: what changed between two dates (DESIGN section 8), every event kind but status_change
-- (that one compares queries/status.sql run as of $since and as of $as_of: dashboard/changes.py).
-- Events in the window ($since, $as_of]: $since excluded, $as_of included. Only rows dated on or
-- before $as_of count (DESIGN section 4). $model_id: NULL for every model, or one model's events.
-- $policy_id: NULL for each model's own policy, or one policy for every model (its required_domains
-- decide which rounds are clean or incomplete).
-- Columns: event_date, kind, model_id, model_name, before, after, detail (one row per event).
WITH params AS (
    SELECT CAST($since AS DATE) AS since, CAST($as_of AS DATE) AS as_of, CAST($model_id AS VARCHAR) AS model_id
),
-- evaluation_round: a round (the comprehensive evaluations of one model at one step, as they stand
-- on $as_of) whose latest completed_at date is in the window; its outcome and the domains that
-- triggered (for an incomplete round, the required domains it misses).
rounds AS (
    SELECT r.model_id, r.step, r.round_outcome, CAST(r.completed_at AS DATE) AS completed_on,
           string_split(nullif(r.fired_domains, ''), ';') AS triggered_domains, r.missing_domains
    FROM rounds($as_of, $policy_id) r, params  -- the round rule: rounds() in dashboard/sql/rules.sql
    WHERE params.model_id IS NULL OR r.model_id = params.model_id
),
evaluation_round AS (
    SELECT r.completed_on AS event_date, 'evaluation_round' AS kind, r.model_id,
           CAST(NULL AS VARCHAR) AS before, r.round_outcome AS after,
           coalesce(nullif(array_to_string(coalesce(r.triggered_domains, []), ', '), ''),
                    'missing ' || replace(r.missing_domains, ';', ', ')) AS detail
    FROM rounds r, params
    WHERE r.completed_on > params.since AND r.completed_on <= params.as_of
),
-- A model's classification over time. previous_level is its level as of the day before the row
-- (levels_as_of() in dashboard/sql/rules.sql: DESIGN 4a). A row raises the level when it is above
-- previous_level.
levels AS (
    SELECT h.model_id, h.asl_level, h.effective_from, h.reason, previous.asl_level AS previous_level
    FROM asl_history h
    CROSS JOIN params
    CROSS JOIN LATERAL (SELECT l.asl_level FROM levels_as_of(h.effective_from - INTERVAL 1 DAY) l
                        WHERE l.model_id = h.model_id) previous
    WHERE params.model_id IS NULL OR h.model_id = params.model_id
),
asl_change AS (
    SELECT l.effective_from AS event_date, 'asl_change' AS kind, l.model_id,
           CAST(l.previous_level AS VARCHAR) AS before, CAST(l.asl_level AS VARCHAR) AS after, l.reason AS detail
    FROM levels l, params
    WHERE l.effective_from > params.since AND l.effective_from <= params.as_of
),
-- threshold_crossed: each regulatory line is one row of the obligations table (its threshold on its
-- measure, named by its name); with no obligations, 1e25 and 1e26 training FLOP. A model crosses a
-- line on the date of its first checkpoint (lowest step, dated on or before $as_of) reaching it.
lines AS (
    SELECT obligation_id AS line_id, name, threshold_flop, measure FROM obligations
    UNION ALL
    SELECT * FROM (VALUES
        ('eu-1e25', 'EU AI Act Art. 51(2) (1e25 training FLOP)', 1e25, 'training_flop'),
        ('ca-1e26', 'California SB 53 frontier model (1e26 training FLOP)', 1e26, 'training_flop')
    ) AS defaults(line_id, name, threshold_flop, measure)
    WHERE NOT EXISTS (SELECT 1 FROM obligations)
),
crossings AS (  -- line_crossings() in dashboard/sql/rules.sql: the first checkpoint reaching each line
    SELECT x.model_id, x.line_id, l.name, CAST(x.recorded_at AS DATE) AS crossed_on
    FROM line_crossings($as_of, (SELECT list(line_id ORDER BY line_id) FROM lines),
                        (SELECT list(threshold_flop ORDER BY line_id) FROM lines),
                        (SELECT list(measure ORDER BY line_id) FROM lines)) x
    JOIN lines l ON l.line_id = x.line_id
    CROSS JOIN params
    WHERE params.model_id IS NULL OR x.model_id = params.model_id
),
threshold_crossed AS (
    SELECT x.crossed_on AS event_date, 'threshold_crossed' AS kind, x.model_id,
           CAST(NULL AS VARCHAR) AS before, CAST(NULL AS VARCHAR) AS after, x.name AS detail
    FROM crossings x, params
    WHERE x.crossed_on > params.since AND x.crossed_on <= params.as_of
),
-- onboarding_while_triggered: a deployment started in the window on a model that, on its started_at
-- date, had a triggered round with no clean round at a higher step completed by then, and whose
-- level was not raised (a levels row above its previous level) from that round's completion date
-- to started_at, both days included. With several such rounds, the latest completed one counts
-- (a breach exists when any of them was not followed by a raise).
started AS (
    SELECT d.deployment_id, d.model_id, d.customer_id, d.surface, d.started_at
    FROM deployments d, params
    WHERE d.started_at > params.since AND d.started_at <= params.as_of
      AND (params.model_id IS NULL OR d.model_id = params.model_id)
),
rounds_at_start AS (
    SELECT s.deployment_id, r.step, r.round_outcome, CAST(r.completed_at AS DATE) AS completed_on
    FROM started s
    CROSS JOIN LATERAL (SELECT * FROM rounds(s.started_at, $policy_id) r WHERE r.model_id = s.model_id) r
),
open_trigger AS (
    SELECT t.deployment_id, max(t.completed_on) AS triggered_on
    FROM rounds_at_start t
    WHERE t.round_outcome = 'triggered'
      AND NOT EXISTS (SELECT 1 FROM rounds_at_start c
                      WHERE c.deployment_id = t.deployment_id AND c.round_outcome = 'clean' AND c.step > t.step)
    GROUP BY t.deployment_id
),
onboarding_while_triggered AS (
    SELECT s.started_at AS event_date, 'onboarding_while_triggered' AS kind, s.model_id,
           CAST(NULL AS VARCHAR) AS before, CAST(NULL AS VARCHAR) AS after,
           s.deployment_id || ' (' || coalesce('customer ' || s.customer_id || ' ' || cu.name,
                                               'first-party ' || s.surface) || ')' AS detail
    FROM started s
    JOIN open_trigger o ON o.deployment_id = s.deployment_id
    LEFT JOIN customers cu ON cu.customer_id = s.customer_id
    WHERE NOT EXISTS (SELECT 1 FROM levels l
                      WHERE l.model_id = s.model_id AND l.asl_level > l.previous_level
                        AND l.effective_from >= o.triggered_on AND l.effective_from <= s.started_at)
),
events AS (
    SELECT * FROM evaluation_round
    UNION ALL SELECT * FROM asl_change
    UNION ALL SELECT * FROM threshold_crossed
    UNION ALL SELECT * FROM onboarding_while_triggered
)
SELECT ev.event_date, ev.kind, ev.model_id, m.name AS model_name, ev.before, ev.after, ev.detail
FROM events ev
LEFT JOIN models m ON m.model_id = ev.model_id
ORDER BY ev.event_date DESC, ev.kind, ev.model_id, ev.detail, ev.after
