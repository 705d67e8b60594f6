-- Each model's place among the models' ids, in id order: sorting ten million checkpoints on this
-- small code is faster than on the text and gives the same order. Bounded (100,000 ids of at most
-- 256 bytes: an enum is held in memory outside the ingest's cap), so that a models file of millions
-- of ids, or of very long ones, cannot make a huge type: ids without a code have their checkpoints
-- sorted by text instead (checkpoints_in_id_order.sql).
CREATE OR REPLACE TYPE model_code AS ENUM (
    SELECT DISTINCT model_id FROM typed_models WHERE model_id IS NOT NULL AND strlen(model_id) <= 256
    ORDER BY model_id LIMIT 100000);
