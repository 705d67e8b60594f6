-- Problems that span rows or tables (DESIGN section 3): unique keys, references, lineage cycles,
-- monotone effective compute. Rows that already failed their own checks (NULL keys) are skipped
-- so one mistake is reported once.
WITH
-- A table with a key that could not be read (reported on its own row) may hold the row a reference
-- looks for: references into it are not checked, or one bad key would be reported on every row
-- that refers to it.
complete AS (
    SELECT NOT EXISTS (SELECT 1 FROM typed_policies WHERE policy_id IS NULL) AS policies,
           NOT EXISTS (SELECT 1 FROM typed_asl_levels WHERE asl_level IS NULL) AS asl_levels,
           NOT EXISTS (SELECT 1 FROM typed_safeguards WHERE safeguard_id IS NULL) AS safeguards,
           NOT EXISTS (SELECT 1 FROM typed_models WHERE model_id IS NULL) AS models,
           -- Such a checkpoint is flagged: on good data the row groups' statistics answer without a scan.
           NOT EXISTS (SELECT 1 FROM typed_checkpoints WHERE flagged AND (model_id IS NULL OR step IS NULL)) AS checkpoints,
           NOT EXISTS (SELECT 1 FROM typed_customers WHERE customer_id IS NULL) AS customers,
           NOT EXISTS (SELECT 1 FROM typed_deployments WHERE deployment_id IS NULL) AS deployments,
           NOT EXISTS (SELECT 1 FROM typed_obligations WHERE obligation_id IS NULL) AS obligations
),
dup_policies AS (
    SELECT 'policies' AS table_name, row_index, 'policy_id' AS col, policy_id AS value,
           'a unique policy_id' AS expected,
           min(row_index) OVER (PARTITION BY policy_id) AS other_row
    FROM typed_policies WHERE policy_id IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY policy_id) > 1 AND row_index <> other_row
),
dup_levels AS (
    SELECT 'asl_levels', row_index, 'asl_level', CAST(asl_level AS VARCHAR), 'a unique asl_level',
           min(row_index) OVER (PARTITION BY asl_level) AS other_row
    FROM typed_asl_levels WHERE asl_level IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY asl_level) > 1 AND row_index <> other_row
),
dup_safeguards AS (
    SELECT 'safeguards', row_index, 'safeguard_id', safeguard_id, 'a unique safeguard_id',
           min(row_index) OVER (PARTITION BY safeguard_id) AS other_row
    FROM typed_safeguards WHERE safeguard_id IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY safeguard_id) > 1 AND row_index <> other_row
),
required_refs AS (
    SELECT 'asl_required_safeguards', r.row_index, 'asl_level', CAST(r.asl_level AS VARCHAR),
           'an asl_level listed in asl_levels', NULL::BIGINT
    FROM typed_asl_required_safeguards r
    WHERE r.asl_level IS NOT NULL AND (SELECT asl_levels FROM complete)
      AND r.asl_level NOT IN (SELECT asl_level FROM typed_asl_levels WHERE asl_level IS NOT NULL)
    UNION ALL
    SELECT 'asl_required_safeguards', r.row_index, 'safeguard_id', r.safeguard_id,
           'a safeguard_id listed in safeguards', NULL
    FROM typed_asl_required_safeguards r
    WHERE r.safeguard_id IS NOT NULL AND (SELECT safeguards FROM complete)
      AND r.safeguard_id NOT IN (SELECT safeguard_id FROM typed_safeguards WHERE safeguard_id IS NOT NULL)
),
dup_models AS (
    SELECT 'models', row_index, 'model_id', model_id, 'a unique model_id',
           min(row_index) OVER (PARTITION BY model_id) AS other_row
    FROM typed_models WHERE model_id IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY model_id) > 1 AND row_index <> other_row
),
model_refs AS (
    SELECT 'models', m.row_index, 'parent_model_id', m.parent_model_id,
           'empty, or a model_id listed in models', NULL::BIGINT
    FROM typed_models m
    WHERE m.parent_model_id IS NOT NULL AND (SELECT models FROM complete)
      AND m.parent_model_id NOT IN (SELECT model_id FROM typed_models WHERE model_id IS NOT NULL)
    UNION ALL
    SELECT 'models', m.row_index, 'policy_id', m.policy_id, 'a policy_id listed in policies', NULL
    FROM typed_models m
    WHERE m.policy_id IS NOT NULL AND (SELECT policies FROM complete)
      AND m.policy_id NOT IN (SELECT policy_id FROM typed_policies WHERE policy_id IS NOT NULL)
    UNION ALL
    SELECT 'models', m.row_index, 'asl_level', CAST(m.asl_level AS VARCHAR), 'an asl_level listed in asl_levels', NULL
    FROM typed_models m
    WHERE m.asl_level IS NOT NULL AND (SELECT asl_levels FROM complete)
      AND m.asl_level NOT IN (SELECT asl_level FROM typed_asl_levels WHERE asl_level IS NOT NULL)
),
-- Walk up the parent chain; a model that meets itself is on a cycle. The depth bound stops the walk.
lineage_walk AS (
    WITH RECURSIVE walk(model_id, ancestor_id, depth) AS (
        SELECT model_id, parent_model_id, 1 FROM typed_models
        WHERE model_id IS NOT NULL AND parent_model_id IS NOT NULL
        UNION ALL
        SELECT walk.model_id, parent.parent_model_id, walk.depth + 1
        FROM walk JOIN typed_models parent ON parent.model_id = walk.ancestor_id
        WHERE parent.parent_model_id IS NOT NULL
          AND walk.ancestor_id <> walk.model_id
          AND walk.depth <= (SELECT count(*) FROM typed_models)
    )
    SELECT DISTINCT model_id FROM walk WHERE ancestor_id = model_id
),
model_cycles AS (
    SELECT 'models', m.row_index, 'parent_model_id', m.parent_model_id,
           'leads back to this model: lineage cycles are not allowed', NULL::BIGINT
    FROM typed_models m WHERE m.model_id IN (SELECT model_id FROM lineage_walk)
),
-- One ordered pass over the checkpoints finds both duplicate (model_id, step) keys and effective
-- compute that decreases as step grows. typed_checkpoints is stored sorted by (model_id, step,
-- row_index), so each row's predecessor in that order is simply the row before it: lag() over the
-- stored order is a streaming pass, where a window partitioned by model would sort ten million
-- rows again. A predecessor of another model does not count.
-- Compute is compared only between rows without problems of their own, and not with a duplicated
-- step: a bad value or a duplicate is reported once, as itself.
checkpoint_neighbours AS (
    SELECT row_index, model_id, step, effective_compute,
           NOT flagged AS good,
           lag(model_id) OVER () AS previous_model,
           lag(step) OVER () AS previous_step,
           lag(model_id, 2) OVER () AS model_before_previous,
           lag(step, 2) OVER () AS step_before_previous,
           lag(effective_compute) OVER () AS previous_compute,
           lag(NOT flagged) OVER () AS previous_good,
           lag(row_index) OVER () AS previous_row
    FROM typed_checkpoints
    WHERE model_id IS NOT NULL AND step IS NOT NULL
),
checkpoint_sequence AS (
    SELECT row_index, model_id, step, effective_compute, good, previous_compute, previous_good, previous_row,
           CASE WHEN previous_model = model_id THEN previous_step END AS previous_step,
           CASE WHEN model_before_previous = model_id THEN step_before_previous END AS step_before_previous
    FROM checkpoint_neighbours
    WHERE previous_model = model_id
),
dup_checkpoints AS (
    SELECT 'checkpoints', row_index, 'step', CAST(step AS VARCHAR),
           'a unique (model_id, step): ' || model_id || ' step ' || step || ' appears twice', previous_row
    FROM checkpoint_sequence WHERE step = previous_step
),
checkpoint_refs AS (
    SELECT 'checkpoints', c.row_index, 'model_id', c.model_id, 'a model_id listed in models', NULL::BIGINT
    FROM typed_checkpoints c
    -- A listed model has a code, but for ids past model_code's bounds (typed_checkpoints.sql): only rows
    -- without a code are looked up, and on good data the row groups' statistics find none without a scan.
    WHERE c.model_id IS NOT NULL AND c.model_code IS NULL AND (SELECT models FROM complete)
      AND c.model_id NOT IN (SELECT model_id FROM typed_models WHERE model_id IS NOT NULL)
),
checkpoint_monotone AS (
    SELECT 'checkpoints', row_index, 'effective_compute', CAST(effective_compute AS VARCHAR),
           'is lower than ' || CAST(previous_compute AS VARCHAR) || ' at the previous step of ' || model_id
               || ': effective compute must never decrease as step grows',
           previous_row
    FROM checkpoint_sequence
    WHERE effective_compute < previous_compute AND step <> previous_step AND good AND previous_good
      AND step_before_previous IS DISTINCT FROM previous_step
),
dup_evaluations AS (
    SELECT 'evaluations', row_index, 'eval_id', eval_id, 'a unique eval_id',
           min(row_index) OVER (PARTITION BY eval_id) AS other_row
    FROM typed_evaluations WHERE eval_id IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY eval_id) > 1 AND row_index <> other_row
),
evaluation_refs AS (
    SELECT 'evaluations', e.row_index, 'model_id', e.model_id, 'a model_id listed in models', NULL::BIGINT
    FROM typed_evaluations e
    WHERE e.model_id IS NOT NULL AND (SELECT models FROM complete)
      AND e.model_id NOT IN (SELECT model_id FROM typed_models WHERE model_id IS NOT NULL)
    UNION ALL
    SELECT 'evaluations', e.row_index, 'step', CAST(e.step AS VARCHAR),
           'a (model_id, step) listed in checkpoints: ' || e.model_id || ' has no step ' || e.step, NULL::BIGINT
    FROM typed_evaluations e
    WHERE e.model_id IS NOT NULL AND e.step IS NOT NULL AND (SELECT checkpoints FROM complete)
      AND e.model_id IN (SELECT model_id FROM typed_models WHERE model_id IS NOT NULL)
      -- The few evaluations are hashed and the ten million checkpoints stream past them, rather than
      -- the checkpoints hashed for an anti-join.
      AND e.row_index NOT IN (SELECT found.row_index FROM typed_evaluations found
                              JOIN typed_checkpoints c ON c.model_id = found.model_id AND c.step = found.step)
),
dup_customers AS (
    SELECT 'customers', row_index, 'customer_id', customer_id, 'a unique customer_id',
           min(row_index) OVER (PARTITION BY customer_id) AS other_row
    FROM typed_customers WHERE customer_id IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY customer_id) > 1 AND row_index <> other_row
),
dup_deployments AS (
    SELECT 'deployments', row_index, 'deployment_id', deployment_id, 'a unique deployment_id',
           min(row_index) OVER (PARTITION BY deployment_id) AS other_row
    FROM typed_deployments WHERE deployment_id IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY deployment_id) > 1 AND row_index <> other_row
),
deployment_refs AS (
    SELECT 'deployments', d.row_index, 'model_id', d.model_id, 'a model_id listed in models', NULL::BIGINT
    FROM typed_deployments d
    WHERE d.model_id IS NOT NULL AND (SELECT models FROM complete)
      AND d.model_id NOT IN (SELECT model_id FROM typed_models WHERE model_id IS NOT NULL)
    UNION ALL
    SELECT 'deployments', d.row_index, 'customer_id', d.customer_id,
           'empty (first-party surface), or a customer_id listed in customers', NULL
    FROM typed_deployments d
    WHERE d.customer_id IS NOT NULL AND (SELECT customers FROM complete)
      AND d.customer_id NOT IN (SELECT customer_id FROM typed_customers WHERE customer_id IS NOT NULL)
),
deployment_safeguard_refs AS (
    SELECT 'deployment_safeguards', s.row_index, 'deployment_id', s.deployment_id,
           'a deployment_id listed in deployments', NULL::BIGINT
    FROM typed_deployment_safeguards s
    WHERE s.deployment_id IS NOT NULL AND (SELECT deployments FROM complete)
      AND s.deployment_id NOT IN (SELECT deployment_id FROM typed_deployments WHERE deployment_id IS NOT NULL)
    UNION ALL
    SELECT 'deployment_safeguards', s.row_index, 'safeguard_id', s.safeguard_id,
           'a safeguard_id listed in safeguards', NULL
    FROM typed_deployment_safeguards s
    WHERE s.safeguard_id IS NOT NULL AND (SELECT safeguards FROM complete)
      AND s.safeguard_id NOT IN (SELECT safeguard_id FROM typed_safeguards WHERE safeguard_id IS NOT NULL)
),
history_refs AS (
    SELECT 'asl_history', h.row_index, 'model_id', h.model_id, 'a model_id listed in models', NULL::BIGINT
    FROM typed_asl_history h
    WHERE h.model_id IS NOT NULL AND (SELECT models FROM complete)
      AND h.model_id NOT IN (SELECT model_id FROM typed_models WHERE model_id IS NOT NULL)
    UNION ALL
    SELECT 'asl_history', h.row_index, 'asl_level', CAST(h.asl_level AS VARCHAR), 'an asl_level listed in asl_levels', NULL
    FROM typed_asl_history h
    WHERE h.asl_level IS NOT NULL AND (SELECT asl_levels FROM complete)
      AND h.asl_level NOT IN (SELECT asl_level FROM typed_asl_levels WHERE asl_level IS NOT NULL)
),
dup_public AS (
    SELECT 'public_models', row_index, 'public_model_id', public_model_id, 'a unique public_model_id',
           min(row_index) OVER (PARTITION BY public_model_id) AS other_row
    FROM typed_public_models WHERE public_model_id IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY public_model_id) > 1 AND row_index <> other_row
),
dup_obligations AS (
    SELECT 'obligations', row_index, 'obligation_id', obligation_id, 'a unique obligation_id',
           min(row_index) OVER (PARTITION BY obligation_id) AS other_row
    FROM typed_obligations WHERE obligation_id IS NOT NULL
    QUALIFY count(*) OVER (PARTITION BY obligation_id) > 1 AND row_index <> other_row
),
obligation_record_refs AS (
    SELECT 'obligation_records', r.row_index, 'obligation_id', r.obligation_id,
           'an obligation_id listed in obligations', NULL::BIGINT
    FROM typed_obligation_records r
    WHERE r.obligation_id IS NOT NULL AND (SELECT obligations FROM complete)
      AND r.obligation_id NOT IN (SELECT obligation_id FROM typed_obligations WHERE obligation_id IS NOT NULL)
    UNION ALL
    SELECT 'obligation_records', r.row_index, 'model_id', r.model_id, 'a model_id listed in models', NULL
    FROM typed_obligation_records r
    WHERE r.model_id IS NOT NULL AND (SELECT models FROM complete)
      AND r.model_id NOT IN (SELECT model_id FROM typed_models WHERE model_id IS NOT NULL)
)
SELECT * FROM dup_policies
UNION ALL SELECT * FROM dup_levels
UNION ALL SELECT * FROM dup_safeguards
UNION ALL SELECT * FROM required_refs
UNION ALL SELECT * FROM dup_models
UNION ALL SELECT * FROM model_refs
UNION ALL SELECT * FROM model_cycles
UNION ALL SELECT * FROM dup_checkpoints
UNION ALL SELECT * FROM checkpoint_refs
UNION ALL SELECT * FROM checkpoint_monotone
UNION ALL SELECT * FROM dup_evaluations
UNION ALL SELECT * FROM evaluation_refs
UNION ALL SELECT * FROM dup_customers
UNION ALL SELECT * FROM dup_deployments
UNION ALL SELECT * FROM deployment_refs
UNION ALL SELECT * FROM deployment_safeguard_refs
UNION ALL SELECT * FROM history_refs
UNION ALL SELECT * FROM dup_public
UNION ALL SELECT * FROM dup_obligations
UNION ALL SELECT * FROM obligation_record_refs
