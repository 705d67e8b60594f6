-- typed_checkpoints sorted by the models' ids as text, for the checkpoints of models without a code.
CREATE OR REPLACE TABLE typed_checkpoints AS SELECT * FROM typed_checkpoints ORDER BY model_id, step, row_index;
