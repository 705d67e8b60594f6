-- at_risk: one row per live deployment of a model that a reclassification affects (DESIGN section 5).
-- $model_id: the model reclassified; $asl_level: the new level L; $domain: the capability domain that
-- triggered it (NULL when not given); $as_of: the date the deployments are live on.
-- Affected models: M and every descendant through parent_model_id at any depth, each kept only when
-- its own asl_level as of the date is below L (a descendant at or above L is not affected, its children below L
-- are). The lineage walk is lineage() and the level rule levels_as_of(), in dashboard/sql/rules.sql.
WITH affected AS (
    SELECT walk.model_id FROM lineage($model_id) walk
    JOIN levels_as_of($as_of) level ON level.model_id = walk.model_id
    WHERE level.asl_level < CAST($asl_level AS INTEGER)
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
ORDER BY list_position(action_order(), action), deployment_id  -- DESIGN 5 order (rules.sql)
