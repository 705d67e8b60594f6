-- snapshot_info: when and from what the snapshot was published, and its own as-of date.
SELECT published_at, source, dataset, row_counts_json, notes, snapshot_date FROM snapshot_info
