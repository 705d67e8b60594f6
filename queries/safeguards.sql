-- safeguards: every safeguard, for naming the gaps.
SELECT safeguard_id, name, kind, description FROM safeguards ORDER BY safeguard_id
