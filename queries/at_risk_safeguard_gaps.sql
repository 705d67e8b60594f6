-- at_risk_safeguard_gaps: the safeguards a reclassification to ASL $asl_level requires (DESIGN
-- section 5), cumulatively over every level up to and including it, with their name, kind and the
-- lowest level that requires each (required_from).
-- This is the catalogue the gaps are counted against, not the counts: how many considered
-- deployments lack each safeguard is counted in Python (views.at_risk_safeguard_gaps) from the
-- missing_safeguards column of at_risk.sql, so which deployment lacks what is decided in one place.
-- $model_id, $domain and $as_of are accepted for symmetry with at_risk and not used.
SELECT r.safeguard_id, s.name, s.kind, min(r.asl_level) AS required_from
FROM asl_required_safeguards r
JOIN safeguards s USING (safeguard_id)
WHERE r.asl_level <= CAST($asl_level AS INTEGER)
GROUP BY r.safeguard_id, s.name, s.kind
ORDER BY r.safeguard_id
