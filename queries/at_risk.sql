-- at_risk: one row per live deployment of a model that a reclassification affects (DESIGN section 5).
-- $model_id: the model reclassified; $asl_level: the new level L; $domain: the capability domain that
-- triggered it (NULL when not given); $as_of: the date the deployments are live on.
-- Affected models: M and every descendant through parent_model_id at any depth, each kept only when
-- its own asl_level as of the date is below L (a descendant at or above L is not affected, its children below L
-- are). The lineage walk is the same as in at_risk_models.sql: keep the two in step. The path check
-- stops the walk on a cycle (ingest refuses cycles; this is the guard if one ever got through).
WITH RECURSIVE lineage(model_id, path) AS (
    SELECT model_id, [model_id] FROM models WHERE model_id = $model_id
    UNION ALL
    SELECT child.model_id, list_append(lineage.path, child.model_id)
    FROM lineage
    JOIN models child ON child.parent_model_id = lineage.model_id
    WHERE NOT list_contains(lineage.path, child.model_id)
),
-- Levels as of the date (DESIGN 4a, section 5): the rule of model_levels.sql, kept in step with it.
history AS (
    SELECT h.model_id,
           arg_max(h.asl_level, (h.effective_from, h.asl_level)) FILTER (WHERE h.effective_from <= CAST($as_of AS DATE)) AS level_then,
           arg_min(h.asl_level, (h.effective_from, -h.asl_level)) AS first_level
    FROM asl_history h
    WHERE h.model_id IN (SELECT model_id FROM lineage)
    GROUP BY h.model_id
),
affected AS (
    SELECT m.model_id FROM lineage JOIN models m USING (model_id)
    LEFT JOIN history h USING (model_id)
    WHERE coalesce(h.level_then, h.first_level, m.asl_level) < CAST($asl_level AS INTEGER)
),
-- Safeguards are required cumulatively: every level up to and including L.
required AS (
    SELECT coalesce(list(DISTINCT safeguard_id ORDER BY safeguard_id), []) AS safeguards
    FROM asl_required_safeguards WHERE asl_level <= CAST($asl_level AS INTEGER)
),
live AS (
    SELECT d.* FROM deployments d
    WHERE d.model_id IN (SELECT model_id FROM affected)
      AND d.started_at <= CAST($as_of AS DATE)
      AND (d.ended_at IS NULL OR d.ended_at > CAST($as_of AS DATE))
      AND d.status <> 'ended'
),
-- Each deployment's own safeguards are a sorted list on the deployment (built at ingest).
missing AS (
    SELECT live.*, array_to_string(list_filter(required.safeguards, lambda s: NOT list_contains(live.safeguards, s)), ';')
               AS missing_safeguards
    FROM live, required
),
decided AS (
    SELECT missing.deployment_id, missing.model_id, missing.customer_id, c.name AS customer_name, missing.surface,
           missing.use_case, missing.status, coalesce(c.business_critical, false) AS business_critical,
           missing.monthly_requests, missing.missing_safeguards,
           CASE
               WHEN missing.status = 'onboarding' THEN 'halt_onboarding'
               WHEN missing.missing_safeguards = '' THEN 'covered'
               WHEN CAST($domain AS VARCHAR) IS NOT NULL AND list_contains(missing.risk_domains, CAST($domain AS VARCHAR))
                   THEN 'emergency_review'
               ELSE 'add_safeguards'
           END AS action
    FROM missing
    LEFT JOIN customers c ON c.customer_id = missing.customer_id
)
SELECT deployment_id, model_id, customer_id, customer_name, surface, use_case, status, business_critical,
       monthly_requests, missing_safeguards, action
FROM decided
ORDER BY CASE action WHEN 'emergency_review' THEN 0 WHEN 'halt_onboarding' THEN 1
                     WHEN 'add_safeguards' THEN 2 ELSE 3 END,
         deployment_id
