-- model_deployments_by_month: one model's deployments started and ended per calendar month, up to
-- the as-of date (the model timeline on /trajectory). month is the month's first day.
WITH params AS (SELECT CAST($as_of AS DATE) AS as_of, CAST($model_id AS VARCHAR) AS model_id),
moves AS (
    SELECT date_trunc('month', d.started_at) AS month, 1 AS started, 0 AS ended
    FROM deployments d, params
    WHERE d.model_id = params.model_id AND d.started_at <= params.as_of
    UNION ALL
    SELECT date_trunc('month', d.ended_at), 0, 1
    FROM deployments d, params
    WHERE d.model_id = params.model_id AND d.ended_at <= params.as_of
)
SELECT CAST(month AS DATE) AS month, CAST(sum(started) AS INTEGER) AS started, CAST(sum(ended) AS INTEGER) AS ended
FROM moves
GROUP BY month
ORDER BY month
