CREATE TABLE typed_models AS
SELECT row_index,
       clean_text(model_id) AS model_id,
       clean_text(name) AS name,
       clean_text(family) AS family,
       clean_text(parent_model_id) AS parent_model_id,
       clean_text(derivation) AS derivation,
       parse_int(asl_level) AS asl_level,
       clean_text(policy_id) AS policy_id,
       clean_text(status) AS status,
       problems([
           chk_id('model_id', model_id, 'a model id'),
           chk_enum('derivation', derivation, derivations()),
           chk_int('asl_level', asl_level, false),
           chk_required('policy_id', policy_id, 'a policy id'),
           chk_enum('status', status, model_statuses())
       ]) AS problems
FROM raw_models;
