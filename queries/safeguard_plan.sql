-- safeguard_plan: the order in which to add the missing safeguards of a reclassification (DESIGN
-- section 5, "Safeguard plan"). This file is the rule; nothing else restates it.
-- Input: at_risk.sql's result for the scenario, passed as four parallel lists, one item per
-- deployment or per group of deployments with the same action and missing safeguards (the caller
-- may group them; it changes nothing): $actions, $missing_safeguards (`;`-joined, as at_risk prints
-- it), $deployments (how many deployments the item stands for) and $monthly_requests (their total;
-- NULL counts as 0). Which deployment lacks what, and its action, are decided in at_risk.sql only.
-- Work set: the deployments whose action is emergency_review or add_safeguards.
-- Greedy, one safeguard per step, until every missing safeguard is placed. Among the safeguards
-- still missing somewhere in the work set, pick the one that
--   (1) makes the most deployments fully covered at this step (it is the only one they still lack),
--   (2) then is missing in the most deployments not yet covered,
--   (3) then is missing in the deployments with the most monthly requests not yet covered,
--   (4) then has the smallest safeguard_id,
-- and add it to every deployment.
-- One row per step: lacking = deployments not yet covered that lack it before this step;
-- newly_covered = those it completes; covered_total and requests_covered_total = the work-set
-- deployments (and their monthly requests) with nothing left missing after this step.
WITH RECURSIVE work AS MATERIALIZED (
    SELECT coalesce(deployments, 1) AS deployments, coalesce(requests, 0) AS requests,
           list_sort(list_filter(string_split(coalesce(missing, ''), ';'), lambda s: s <> '')) AS missing
    FROM (SELECT unnest(CAST($actions AS VARCHAR[])) AS action,
                 unnest(CAST($missing_safeguards AS VARCHAR[])) AS missing,
                 unnest(CAST($deployments AS BIGINT[])) AS deployments,
                 unnest(CAST($monthly_requests AS BIGINT[])) AS requests)
    WHERE action IN ('emergency_review', 'add_safeguards')
),
-- Deployments that lack the same set are alike for the plan: each set once, with how many
-- deployments lack it and their requests (a few hundred sets at most, however many deployments).
sets AS MATERIALIZED (
    SELECT missing, CAST(sum(deployments) AS BIGINT) AS deployments, CAST(sum(requests) AS BIGINT) AS requests
    FROM work GROUP BY missing
),
-- placed: the safeguards added so far, in order; each recursion adds the best remaining one.
steps(step, safeguard_id, lacking, newly_covered, placed) AS (
    SELECT 0, CAST(NULL AS VARCHAR), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST([] AS VARCHAR[])
    UNION ALL
    SELECT steps.step + 1, pick.safeguard_id, pick.lacking, pick.newly_covered,
           list_append(steps.placed, pick.safeguard_id)
    FROM steps, LATERAL (
        SELECT candidate.safeguard_id,
               CAST(coalesce(sum(still.deployments) FILTER (WHERE len(still.missing) = 1), 0) AS BIGINT) AS newly_covered,
               CAST(sum(still.deployments) AS BIGINT) AS lacking,
               sum(still.requests) AS requests_lacking
        FROM (SELECT s.deployments, s.requests,
                     list_filter(s.missing, lambda m: NOT list_contains(steps.placed, m)) AS missing
              FROM sets s) still,
             LATERAL (SELECT unnest(still.missing) AS safeguard_id) candidate
        GROUP BY candidate.safeguard_id
        ORDER BY newly_covered DESC, lacking DESC, requests_lacking DESC, candidate.safeguard_id ASC
        LIMIT 1
    ) pick
)
SELECT steps.step, steps.safeguard_id, s.name, s.kind, steps.lacking, steps.newly_covered,
       covered.covered_total, covered.requests_covered_total
FROM steps
LEFT JOIN safeguards s ON s.safeguard_id = steps.safeguard_id
CROSS JOIN LATERAL (
    SELECT CAST(coalesce(sum(c.deployments), 0) AS BIGINT) AS covered_total,
           CAST(coalesce(sum(c.requests), 0) AS BIGINT) AS requests_covered_total
    FROM sets c
    WHERE list_has_all(steps.placed, c.missing)
) covered
WHERE steps.step > 0
ORDER BY steps.step
