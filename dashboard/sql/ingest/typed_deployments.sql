CREATE TABLE typed_deployments AS
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
       problems([
           chk_required('deployment_id', deployment_id, 'a deployment id'),
           chk_required('model_id', model_id, 'a model id'),
           chk_enum('surface', surface, ['api', 'cloud', 'consumer', 'enterprise', 'internal']),
           chk_enum('status', status, ['onboarding', 'active', 'paused', 'ended']),
           chk_date('started_at', started_at, false),
           coalesce(chk_date('ended_at', ended_at, true),
                    CASE WHEN parse_date(ended_at) < parse_date(started_at)
                         THEN problem('ended_at', ended_at,
                                      'empty, or a date on or after started_at (' || trim(started_at) || ')') END),
           coalesce(chk_int('monthly_requests', monthly_requests, true),
                    CASE WHEN parse_int(monthly_requests) < 0
                         THEN problem('monthly_requests', monthly_requests, 'a count of 0 or more') END)
       ]) AS problems
FROM raw_deployments;
