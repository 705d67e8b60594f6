-- deployments_by_status_surface: the deployments started on or before $as_of, per surface and their
-- status on that date: 'ended' once ended_at is on or before it (or ended with no date recorded),
-- 'ended after' for one recorded as ended later (live on the date), else its recorded status.
SELECT surface,
       CASE WHEN ended_at <= CAST($as_of AS DATE) OR (status = 'ended' AND ended_at IS NULL) THEN 'ended'
            WHEN status = 'ended' THEN 'ended after'
            ELSE status END AS status,
       count(*) AS deployments
FROM deployments
WHERE started_at <= CAST($as_of AS DATE)
GROUP BY ALL
ORDER BY surface, status
