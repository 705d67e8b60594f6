CREATE TABLE typed_asl_history AS
SELECT row_index,
       clean_text(model_id) AS model_id,
       parse_int(asl_level) AS asl_level,
       parse_date(effective_from) AS effective_from,
       clean_text(reason) AS reason,
       problems([
           chk_required('model_id', model_id, 'a model id'),
           chk_int('asl_level', asl_level, false),
           chk_date('effective_from', effective_from, false)
       ]) AS problems
FROM raw_asl_history;
