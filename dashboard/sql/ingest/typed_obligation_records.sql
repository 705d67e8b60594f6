-- DESIGN section 9: a record that an obligation was met for a model, on a date. Both ids must exist
-- (relations.sql); several records per model and obligation are allowed (the earliest counts).
CREATE TABLE typed_obligation_records AS
SELECT row_index,
       clean_text(obligation_id) AS obligation_id,
       clean_text(model_id) AS model_id,
       parse_date(done_on) AS done_on,
       clean_text(reference) AS reference,
       problems([
           chk_required('obligation_id', obligation_id, 'an obligation id'),
           chk_required('model_id', model_id, 'a model id'),
           chk_date('done_on', done_on, false)
       ]) AS problems
FROM raw_obligation_records;
