-- data_first_date: the earliest date in the snapshot's data (checkpoints, evaluations, deployments,
-- ASL history): a changes window (DESIGN section 8) starting earlier than the day before it is refused.
SELECT least(
    (SELECT min(day) FROM checkpoint_days),
    (SELECT CAST(min(completed_at) AS DATE) FROM evaluations),
    (SELECT min(started_at) FROM deployments),
    (SELECT min(effective_from) FROM asl_history)) AS first_date
