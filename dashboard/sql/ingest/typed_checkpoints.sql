-- Each model's place among the models' ids, in id order: sorting ten million checkpoints on this
-- small code is faster than on the text and gives the same order. Bounded (100,000 ids of at most
-- 256 bytes: an enum is held in memory outside the ingest's cap), so that a models file of millions
-- of ids, or of very long ones, cannot make a huge type: ids without a code have their checkpoints
-- sorted by text instead (checkpoints_in_id_order.sql). typed_models is typed before this file runs.
CREATE OR REPLACE TYPE model_code AS ENUM (
    SELECT DISTINCT model_id FROM typed_models WHERE model_id IS NOT NULL AND strlen(model_id) <= 256
    ORDER BY model_id LIMIT 100000);
-- Parse every value once. Ten million rows are kept here, so each row carries only a flag for
-- "some value is missing or out of range"; the detailed problems (structs naming column and value)
-- are built by checkpoint_problems, a view that reads again only the flagged rows, and only when
-- row_problems.sql asks for them.
CREATE OR REPLACE VIEW parsed_checkpoints AS
SELECT row_index,
       clean_text(model_id) AS model_id,
       parse_int(step) AS step,
       parse_ts(recorded_at) AS recorded_at,
       parse_num(training_flop) AS training_flop,
       parse_num(effective_compute) AS effective_compute,
       model_id AS raw_model_id, step AS raw_step, recorded_at AS raw_recorded_at,
       training_flop AS raw_training_flop, effective_compute AS raw_effective_compute
FROM raw_checkpoints;
-- The rows are stored in (model_id, step) order, the one sort of ten million rows in the ingest:
-- the checks across rows then compare each row with the one before it in one streaming pass
-- (relations.sql). They are stored straight into the new snapshot (attached as "out"): written
-- once, compressed, where ten million typed rows in memory would pass the ingest's memory cap and
-- spill. publish.sql then only drops the columns the checks needed (row_index, model_code,
-- flagged); typed_checkpoints is the view the checks read them through.
-- The sort key is each model's place among the models' ids (model_code above), a small number that
-- sorts faster than the text. A checkpoint of a model without a code (not in models.csv: the ingest
-- is refused) is sorted again by its text (checkpoints_in_id_order.sql), so that the checks across
-- rows still compare each model's own steps.
CREATE OR REPLACE TABLE out.checkpoints AS
SELECT row_index, model_id, TRY_CAST(model_id AS model_code) AS model_code, step, recorded_at, training_flop,
       effective_compute,
       coalesce(model_id IS NULL OR step IS NULL OR recorded_at IS NULL OR is_future(recorded_at)
                OR training_flop IS NULL OR NOT isfinite(training_flop) OR training_flop < 1e6
                OR effective_compute IS NULL OR NOT isfinite(effective_compute) OR effective_compute < 1e6,
                true) AS flagged
FROM parsed_checkpoints
ORDER BY model_code, step, row_index;
CREATE OR REPLACE VIEW typed_checkpoints AS SELECT * FROM out.checkpoints;
CREATE OR REPLACE VIEW checkpoint_problems AS
SELECT row_index,
       problems([
           chk_required('model_id', raw_model_id, 'a model id'),
           chk_int('step', raw_step, false),
           chk_ts('recorded_at', raw_recorded_at, false),
           chk_not_future('recorded_at', raw_recorded_at, recorded_at),
           chk_flop('training_flop', raw_training_flop, false),
           chk_flop('effective_compute', raw_effective_compute, false)
       ]) AS problems
FROM parsed_checkpoints
SEMI JOIN (SELECT row_index FROM typed_checkpoints WHERE flagged) USING (row_index);
