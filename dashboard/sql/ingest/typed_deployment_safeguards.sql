CREATE TABLE typed_deployment_safeguards AS
SELECT row_index,
       clean_text(deployment_id) AS deployment_id,
       clean_text(safeguard_id) AS safeguard_id,
       CASE WHEN clean_text(deployment_id) IS NULL OR clean_text(safeguard_id) IS NULL THEN problems([
           chk_required('deployment_id', deployment_id, 'a deployment id'),
           chk_required('safeguard_id', safeguard_id, 'a safeguard id')
       ]) END AS problems
FROM raw_deployment_safeguards;
