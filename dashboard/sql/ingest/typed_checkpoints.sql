CREATE TABLE typed_checkpoints AS
SELECT rowid AS row_index,
       clean_text(model_id) AS model_id,
       parse_int(step) AS step,
       parse_ts(recorded_at) AS recorded_at,
       parse_num(training_flop) AS training_flop,
       parse_num(effective_compute) AS effective_compute,
       problems([
           chk_required('model_id', model_id, 'a model id'),
           chk_int('step', step, false),
           chk_ts('recorded_at', recorded_at, false),
           chk_flop('training_flop', training_flop, false),
           chk_flop('effective_compute', effective_compute, false)
       ]) AS problems
FROM raw_checkpoints;
