-- safeguards: every safeguard the snapshot defines (a review's add_safeguard decision names one).
SELECT safeguard_id, name, kind FROM safeguards ORDER BY safeguard_id
