-- Whether a checkpoint names a model that has no model_code (not in models.csv, or past the bound):
-- typed_checkpoints is then not in (model_id, step) order yet. Those rows are sorted last, so the
-- row groups' statistics answer this without reading the rest.
SELECT EXISTS (SELECT 1 FROM typed_checkpoints WHERE model_code IS NULL AND model_id IS NOT NULL);
