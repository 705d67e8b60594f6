-- deployments_by_status_surface: how many deployments per surface and status.
SELECT surface, status, count(*) AS deployments FROM deployments GROUP BY surface, status ORDER BY surface, status
