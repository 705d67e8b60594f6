-- Parse every value once; run the detailed checks (which build problem structs) only on rows
-- whose parsed values are missing or out of range: the rest cannot have a problem.
-- The rows are stored in (model_id, step) order, the one sort of ten million rows in the ingest:
-- the checks across rows then compare each row with the one before it in one streaming pass
-- (relations.sql), and the snapshot is written in this order without sorting again.
CREATE TABLE typed_checkpoints AS
SELECT row_index, model_id, step, recorded_at, training_flop, effective_compute,
       CASE WHEN model_id IS NULL OR step IS NULL OR recorded_at IS NULL OR is_future(recorded_at)
                 OR training_flop IS NULL OR NOT isfinite(training_flop) OR training_flop < 1e6
                 OR effective_compute IS NULL OR NOT isfinite(effective_compute) OR effective_compute < 1e6
            THEN problems([
                chk_required('model_id', raw_model_id, 'a model id'),
                chk_int('step', raw_step, false),
                chk_ts('recorded_at', raw_recorded_at, false),
                chk_not_future('recorded_at', raw_recorded_at, recorded_at),
                chk_flop('training_flop', raw_training_flop, false),
                chk_flop('effective_compute', raw_effective_compute, false)
            ])
       END AS problems
FROM (
    SELECT row_index,
           clean_text(model_id) AS model_id,
           parse_int(step) AS step,
           parse_ts(recorded_at) AS recorded_at,
           parse_num(training_flop) AS training_flop,
           parse_num(effective_compute) AS effective_compute,
           model_id AS raw_model_id, step AS raw_step, recorded_at AS raw_recorded_at,
           training_flop AS raw_training_flop, effective_compute AS raw_effective_compute
    FROM raw_checkpoints
)
ORDER BY model_id, step, row_index;
