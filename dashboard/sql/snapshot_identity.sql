-- The attached store's own snapshot id and content hash (DESIGN 11). A store published before
-- snapshots had ids has neither column: the reader then treats it as having no id.
SELECT snapshot_id, content_hash FROM store.main.snapshot_info
