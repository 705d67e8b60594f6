-- Each model's place among the models' ids, in id order: sorting ten million checkpoints on this
-- small code is faster than on the text and gives the same order. Bounded, so that a models file of
-- millions of ids cannot make a huge type: ids past the bound have no code, and their checkpoints
-- are sorted by text instead (checkpoints_in_id_order.sql).
CREATE OR REPLACE TYPE model_code AS ENUM (
    SELECT DISTINCT model_id FROM typed_models WHERE model_id IS NOT NULL ORDER BY model_id LIMIT 100000);
