-- Write the validated tables into the new snapshot (attached as "out"), sorted by their keys so
-- that per-model range scans read few row groups. (Measured at scale l: sorting the million
-- deployments by model costs half a second of ingest and takes the at-risk query from about 70 to
-- 55 ms, as the scan then skips the row groups of other models.)
CREATE TABLE out.policies AS
    SELECT policy_id, name, eval_compute_multiple, buffer_multiple, eval_interval_days, source,
           list_sort(required_domains) AS required_domains
    FROM typed_policies ORDER BY policy_id;
CREATE TABLE out.asl_levels AS
    SELECT CAST(asl_level AS INTEGER) AS asl_level, name, description FROM typed_asl_levels ORDER BY asl_level;
CREATE TABLE out.safeguards AS
    SELECT safeguard_id, name, kind, description FROM typed_safeguards ORDER BY safeguard_id;
CREATE TABLE out.asl_required_safeguards AS
    SELECT DISTINCT CAST(asl_level AS INTEGER) AS asl_level, safeguard_id
    FROM typed_asl_required_safeguards ORDER BY asl_level, safeguard_id;
CREATE TABLE out.models AS
    SELECT model_id, name, family, parent_model_id, derivation, CAST(asl_level AS INTEGER) AS asl_level,
           policy_id, status
    FROM typed_models ORDER BY model_id;
-- The checkpoints were typed into out.checkpoints in (model_id, step) order (typed_checkpoints.sql):
-- only the columns the checks needed are dropped.
ALTER TABLE out.checkpoints DROP COLUMN row_index;
ALTER TABLE out.checkpoints DROP COLUMN model_code;
ALTER TABLE out.checkpoints DROP COLUMN flagged;
CREATE TABLE out.evaluations AS
    SELECT eval_id, model_id, step, completed_at, domain, kind, CAST(target_asl_level AS INTEGER) AS target_asl_level,
           outcome, score, trigger_score, elicitation
    FROM typed_evaluations ORDER BY model_id, step, eval_id;
CREATE TABLE out.customers AS
    SELECT customer_id, name, segment, sector, region, business_critical FROM typed_customers ORDER BY customer_id;
-- Each deployment carries its own safeguards as a sorted list, so the reclassification query
-- needs no join with millions of deployment_safeguards rows. The lists are gathered as codes of
-- an enum (sorted like the names): lists of millions of small codes are built, deduplicated, sorted
-- and carried through the join and the sort several times faster than lists of strings.
CREATE TYPE safeguard_code AS ENUM (
    SELECT DISTINCT safeguard_id FROM typed_deployment_safeguards WHERE safeguard_id IS NOT NULL ORDER BY safeguard_id);
-- DuckDB would hash the deployments (every column) and stream the lists past them, as it estimates
-- the lists' side larger; hashing the lists (an id and a short list each) is faster by a tenth.
SET disabled_optimizers = 'build_side_probe_side';
CREATE TABLE out.deployments AS
    SELECT d.deployment_id, d.model_id, d.customer_id, d.surface, d.use_case, d.risk_domains, d.status, d.started_at,
           d.ended_at, d.monthly_requests, CAST(coalesce(own.safeguards, []) AS VARCHAR[]) AS safeguards
    FROM typed_deployments d
    -- Each list sorted, then a repeated pair dropped by comparing each code with the one before it:
    -- a third faster than list_distinct's hashing, with the same result (NULLs dropped likewise).
    LEFT JOIN (SELECT deployment_id,
                      list_filter(codes, lambda code, i: code IS NOT NULL AND (i = 1 OR code <> codes[i - 1])) AS safeguards
               FROM (SELECT deployment_id, list_sort(list(CAST(safeguard_id AS safeguard_code)), 'ASC', 'NULLS LAST') AS codes
                     FROM typed_deployment_safeguards GROUP BY deployment_id)) own USING (deployment_id)
    ORDER BY d.model_id, d.deployment_id;
RESET disabled_optimizers;
-- The same pairs, read from the lists: every pair of the input, each once.
CREATE VIEW out.deployment_safeguards AS
    SELECT deployment_id, unnest(safeguards) AS safeguard_id FROM deployments;
CREATE TABLE out.asl_history AS
    SELECT model_id, CAST(asl_level AS INTEGER) AS asl_level, effective_from, reason
    FROM typed_asl_history ORDER BY model_id, effective_from;
CREATE TABLE out.public_models AS
    SELECT public_model_id, name, organization, published_on, training_compute_flop, base_model_name,
           accessibility, source
    FROM typed_public_models ORDER BY published_on, public_model_id;
-- DESIGN section 9: always present, empty when the folder has no obligation files.
CREATE TABLE out.obligations AS
    SELECT obligation_id, name, jurisdiction, threshold_flop, measure, clock,
           CAST(deadline_days AS INTEGER) AS deadline_days, applies_from, source,
           CAST(deadline_hours AS INTEGER) AS deadline_hours, categories
    FROM typed_obligations ORDER BY obligation_id;
CREATE TABLE out.obligation_records AS
    SELECT obligation_id, model_id, done_on, reference
    FROM typed_obligation_records ORDER BY obligation_id, model_id, done_on;
-- A summary for queries/obligations.sql (which applies the rule), so that it need not search every
-- checkpoint: per obligation and model, the lowest step whose measure reaches the threshold, that
-- checkpoint's date, and the earliest date of any checkpoint reaching it. Reaching and the first
-- checkpoint are the rule's own macros (dashboard/sql/shared_rules.sql).
CREATE TABLE out.obligation_crossings AS
    SELECT o.obligation_id, c.model_id, crossing_step(c.step) AS first_step,
           CAST(at_crossing(c.recorded_at, c.step) AS DATE) AS first_step_on,
           CAST(min(c.recorded_at) AS DATE) AS earliest_on
    FROM out.checkpoints c
    JOIN typed_obligations o
      ON o.clock <> 'after_awareness' AND reaches_line(o.measure, o.threshold_flop, c.training_flop, c.effective_compute)
    GROUP BY o.obligation_id, c.model_id
    ORDER BY o.obligation_id, c.model_id;

-- Summaries for fast as-of views (DESIGN section 4 counts whole days): per model and day, the
-- highest step recorded that day and its effective compute; and the checkpoints that carry an
-- evaluation, so C at an evaluation is a small lookup.
CREATE TABLE out.checkpoint_days AS
    SELECT model_id, CAST(recorded_at AS DATE) AS day, max(step) AS last_step,
           arg_max(effective_compute, step) AS effective_compute, max(recorded_at) AS last_recorded_at
    FROM out.checkpoints GROUP BY model_id, CAST(recorded_at AS DATE) ORDER BY model_id, day;
CREATE TABLE out.evaluated_checkpoints AS
    SELECT c.model_id, c.step, c.recorded_at, c.effective_compute
    FROM out.checkpoints c
    SEMI JOIN typed_evaluations e ON e.model_id = c.model_id AND e.step = c.step
    ORDER BY c.model_id, c.step;
