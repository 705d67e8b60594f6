-- capability_domains: every capability domain the snapshot knows, from evaluations, from the risk
-- domains of deployments' use cases and from the domains the policies require a round to cover (a
-- data set without evaluations, such as the public one, still names the domains it is judged on).
SELECT DISTINCT domain FROM (
    SELECT domain FROM evaluations
    UNION ALL
    SELECT unnest(risk_domains) AS domain FROM deployments
    UNION ALL
    SELECT unnest(required_domains) AS domain FROM policies
)
WHERE domain IS NOT NULL
ORDER BY domain
