CREATE TABLE typed_deployment_safeguards AS
SELECT rowid AS row_index,
       clean_text(deployment_id) AS deployment_id,
       clean_text(safeguard_id) AS safeguard_id,
       problems([
           chk_required('deployment_id', deployment_id, 'a deployment id'),
           chk_required('safeguard_id', safeguard_id, 'a safeguard id')
       ]) AS problems
FROM raw_deployment_safeguards;
