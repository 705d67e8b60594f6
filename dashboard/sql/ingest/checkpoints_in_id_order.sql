-- The typed checkpoints sorted by the models' ids as text, for the checkpoints of models without a code.
CREATE OR REPLACE TABLE out.checkpoints AS SELECT * FROM out.checkpoints ORDER BY model_id, step, row_index;
