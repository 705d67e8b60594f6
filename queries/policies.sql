-- policies: every policy a view can be recomputed under.
SELECT policy_id, name, eval_compute_multiple, buffer_multiple, eval_interval_days, source
FROM policies ORDER BY policy_id
