-- One new row of the ledger; seq is the last row's seq + 1, read in the same transaction.
INSERT INTO ledger (seq, kind, entry_id, review_id, recorded_at, recorded_by, body, prev_hash, row_hash)
VALUES (:seq, :kind, :entry_id, :review_id, :recorded_at, :recorded_by, :body, :prev_hash, :row_hash)
