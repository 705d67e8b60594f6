-- capability_domains: every capability domain the snapshot knows, from evaluations and from the
-- risk domains of deployments' use cases.
SELECT DISTINCT domain FROM (
    SELECT domain FROM evaluations
    UNION ALL
    SELECT unnest(risk_domains) AS domain FROM deployments
)
WHERE domain IS NOT NULL
ORDER BY domain
