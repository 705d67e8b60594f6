-- The domain rules that several queries share, written once as macros. They are created in the
-- reader's in-memory database, after the store is attached (a table macro is bound to its tables
-- when created); queries call them by name (use_store.sql puts memory.main on the search path) and
-- read the store's tables through them. The rules the ingest applies too are in shared_rules.sql,
-- loaded before this file.

-- The orders of DESIGN 4 (statuses, most urgent first) and 5 (actions), and the fraction of the
-- cadence at which an evaluation is due soon (k^0.75, 0.75 T). tests/test_rules_once.py pins each
-- to dashboard/reference.py, where the Python side reads them.
CREATE OR REPLACE MACRO status_order() AS
    ['triggered', 'never_evaluated', 'buffer_breached', 'eval_overdue', 'eval_due_soon', 'on_track', 'no_checkpoint'];
CREATE OR REPLACE MACRO action_order() AS ['emergency_review', 'halt_onboarding', 'add_safeguards', 'covered'];
CREATE OR REPLACE MACRO due_soon_fraction() AS 0.75;
-- The obligation states of DESIGN 9, most urgent first: queries/obligations.sql sorts by it, and
-- tests/test_rules_once.py pins it to the order the obligations page shows (dashboard/obligations.py).
CREATE OR REPLACE MACRO obligation_state_order() AS ['overdue', 'due', 'projected', 'done_late', 'done'];
-- DESIGN 4a: a model is training as of D when it has a checkpoint dated within this many days up to D;
-- the projection fits the checkpoints of this many days before the latest one (dashboard/projection.py).
CREATE OR REPLACE MACRO training_days() AS 14;
CREATE OR REPLACE MACRO projection_window_days() AS 60;
-- Training as of D (DESIGN 4a), given the date of the model's latest checkpoint dated <= D.
CREATE OR REPLACE MACRO is_training(last_checkpoint_on, as_of) AS
    date_diff('day', last_checkpoint_on, CAST(as_of AS DATE)) <= training_days();

-- The latest checkpoint (highest step) of every model as of a date (DESIGN 4: C_now), read from the
-- ingest's per-day summary (day, highest step that day, its effective compute, the day's latest
-- recorded_at): its effective compute and recorded_at, and the latest day with a checkpoint.
CREATE OR REPLACE MACRO latest_checkpoints(as_of) AS TABLE
    SELECT d.model_id, arg_max(d.effective_compute, d.last_step) AS effective_compute,
           arg_max(d.last_recorded_at, d.last_step) AS recorded_at, max(d.day) AS last_checkpoint_on
    FROM store.checkpoint_days d
    WHERE d.day <= CAST(as_of AS DATE)
    GROUP BY d.model_id;

-- The level of every model as of a date (DESIGN 4a): the asl_level of its latest asl_history row with
-- effective_from <= as_of; before its first row, that first row's level; without history, the
-- models.csv level. (Two rows of one model on one date: the higher level counts.)
CREATE OR REPLACE MACRO levels_as_of(as_of) AS TABLE
    WITH history AS (
        SELECT h.model_id,
               arg_max(h.asl_level, (h.effective_from, h.asl_level)) FILTER (WHERE h.effective_from <= CAST(as_of AS DATE))
                   AS level_then,
               arg_min(h.asl_level, (h.effective_from, -h.asl_level)) AS first_level
        FROM store.asl_history h
        GROUP BY h.model_id
    )
    SELECT m.model_id, coalesce(h.level_then, h.first_level, m.asl_level) AS asl_level
    FROM store.models m
    LEFT JOIN history h ON h.model_id = m.model_id;

-- A model and everything derived from it through parent_model_id, at any depth (DESIGN 5): depth
-- from the root and the path of ids from it. The path check stops the walk on a cycle (ingest
-- refuses cycles; this is the guard if one ever got through).
CREATE OR REPLACE MACRO lineage(root) AS TABLE
    WITH RECURSIVE walk(model_id, depth, path) AS (
        SELECT model_id, 0, [model_id] FROM store.models WHERE model_id = root
        UNION ALL
        SELECT child.model_id, walk.depth + 1, list_append(walk.path, child.model_id)
        FROM walk
        JOIN store.models child ON child.parent_model_id = walk.model_id
        WHERE NOT list_contains(walk.path, child.model_id)
    )
    SELECT model_id, depth, path FROM walk;

-- Evaluation rounds as of a date (DESIGN 4): the comprehensive evaluations of one model at one step
-- (preliminary ones form no round; rows completed after the date do not count), under the policy in
-- use (policy_override when given, else the model's own). triggered when any row triggered; clean when
-- every row is below_threshold and the round holds a row in each of the policy's required_domains;
-- incomplete when every row is below_threshold but a required domain is missing (missing_domains,
-- sorted, ;-joined); else inconclusive. completed_at: the round's latest completion; fired_domains
-- and fired_eval_ids: the rows that triggered, sorted, ;-joined; details: every row's figures by
-- domain (for hovers). Queries that do not read a column do not pay for it.
CREATE OR REPLACE MACRO rounds(as_of, policy_override) AS TABLE
    WITH grouped AS (
        SELECT e.model_id, e.step,
               bool_and(e.outcome = 'below_threshold') AS all_below,
               bool_or(e.outcome = 'triggered') AS any_triggered,
               list_filter(coalesce(any_value(p.required_domains), []),
                           lambda domain: NOT list_contains(list(e.domain), domain)) AS missing,
               max(e.completed_at) AS completed_at,
               array_to_string(list_sort(list_distinct(list(e.domain) FILTER (WHERE e.outcome = 'triggered'))), ';')
                   AS fired_domains,
               array_to_string(list_sort(list(e.eval_id) FILTER (WHERE e.outcome = 'triggered')), ';') AS fired_eval_ids,
               list({'domain': e.domain, 'outcome': e.outcome, 'score': e.score, 'trigger_score': e.trigger_score,
                     'elicitation': e.elicitation, 'target_asl_level': e.target_asl_level} ORDER BY e.domain) AS details
        FROM store.evaluations e
        JOIN store.models m ON m.model_id = e.model_id
        LEFT JOIN store.policies p ON p.policy_id = coalesce(CAST(policy_override AS VARCHAR), m.policy_id)
        WHERE e.kind = 'comprehensive' AND CAST(e.completed_at AS DATE) <= CAST(as_of AS DATE)
        GROUP BY e.model_id, e.step
    )
    SELECT model_id, step,
           CASE WHEN any_triggered THEN 'triggered'
                WHEN all_below AND len(missing) = 0 THEN 'clean'
                WHEN all_below THEN 'incomplete'
                ELSE 'inconclusive' END AS round_outcome,
           CASE WHEN all_below AND len(missing) > 0 THEN array_to_string(list_sort(list_distinct(missing)), ';') END
               AS missing_domains,
           completed_at, fired_domains, fired_eval_ids, details
    FROM grouped;

-- Preliminary evaluations that triggered, completed on or before the date (DESIGN 4: they form no round
-- and change no status; the trajectory draws them so a lead sees them). Beside rounds(): every reading
-- of an outcome is in this file.
CREATE OR REPLACE MACRO preliminary_triggers(as_of) AS TABLE
    SELECT e.eval_id, e.model_id, e.step, e.domain, e.completed_at, e.score, e.trigger_score, e.elicitation
    FROM store.evaluations e
    WHERE e.kind = 'preliminary' AND e.outcome = 'triggered' AND CAST(e.completed_at AS DATE) <= CAST(as_of AS DATE);

-- One evaluation row that triggered, whatever its kind (a preliminary one forms no round, but the
-- brief cites it as evidence all the same).
CREATE OR REPLACE MACRO evaluation_triggered(outcome) AS outcome = 'triggered';

-- Crossing dates (DESIGN 4a and 9): for each model and line (a threshold on a measure, training_flop
-- or effective_compute), the first checkpoint (lowest step) dated on or before as_of whose measure
-- reaches the threshold: its step, recorded_at and value. Lines come as three lists of one length.
-- What reaching and first mean is shared with the ingest: reaches_line(), crossing_step() and
-- at_crossing() in shared_rules.sql.
CREATE OR REPLACE MACRO line_crossings(as_of, line_ids, thresholds, measures) AS TABLE
    WITH lines AS (
        SELECT unnest(line_ids) AS line_id, unnest(thresholds) AS threshold, unnest(measures) AS measure
    )
    SELECT c.model_id, lines.line_id, any_value(lines.threshold) AS threshold, crossing_step(c.step) AS step,
           at_crossing(c.recorded_at, c.step) AS recorded_at,
           at_crossing(measure_of(lines.measure, c.training_flop, c.effective_compute), c.step) AS value
    FROM lines
    JOIN store.checkpoints c
      ON reaches_line(lines.measure, lines.threshold, c.training_flop, c.effective_compute)
    WHERE CAST(c.recorded_at AS DATE) <= CAST(as_of AS DATE)
    GROUP BY c.model_id, lines.line_id;
