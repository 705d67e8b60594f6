-- As for checkpoints: parse once, and build problem structs only for rows a parsed value flags.
CREATE TABLE typed_deployments AS
SELECT row_index, deployment_id, model_id, customer_id, surface, use_case, risk_domains, status, started_at, ended_at,
       monthly_requests,
       CASE WHEN deployment_id IS NULL OR has_invisible(raw_deployment_id) OR model_id IS NULL
                 OR surface IS NULL OR NOT list_contains(surfaces(), surface)
                 OR status IS NULL OR NOT list_contains(deployment_statuses(), status)
                 OR started_at IS NULL OR ended_at < started_at OR monthly_requests < 0
                 OR (ended_at IS NULL AND NOT blank(raw_ended_at))
                 OR (monthly_requests IS NULL AND NOT blank(raw_monthly_requests))
            THEN problems([
                chk_id('deployment_id', raw_deployment_id, 'a deployment id'),
                chk_required('model_id', raw_model_id, 'a model id'),
                chk_enum('surface', raw_surface, surfaces()),
                chk_enum('status', raw_status, deployment_statuses()),
                chk_date('started_at', raw_started_at, false),
                coalesce(chk_date('ended_at', raw_ended_at, true),
                         CASE WHEN ended_at < started_at
                              THEN problem('ended_at', raw_ended_at,
                                           'empty, or a date on or after started_at (' || trim(raw_started_at) || ')') END),
                coalesce(chk_int('monthly_requests', raw_monthly_requests, true),
                         CASE WHEN monthly_requests < 0
                              THEN problem('monthly_requests', raw_monthly_requests, 'a count of 0 or more') END)
            ])
       END AS problems
FROM (
    SELECT row_index,
           clean_text(deployment_id) AS deployment_id,
           clean_text(model_id) AS model_id,
           clean_text(customer_id) AS customer_id,
           clean_text(surface) AS surface,
           clean_text(use_case) AS use_case,
           parse_list(risk_domains) AS risk_domains,
           clean_text(status) AS status,
           parse_date(started_at) AS started_at,
           parse_date(ended_at) AS ended_at,
           parse_int(monthly_requests) AS monthly_requests,
           deployment_id AS raw_deployment_id, model_id AS raw_model_id, surface AS raw_surface,
           status AS raw_status, started_at AS raw_started_at, ended_at AS raw_ended_at,
           monthly_requests AS raw_monthly_requests
    FROM raw_deployments
);
