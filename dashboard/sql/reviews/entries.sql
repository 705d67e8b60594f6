-- Every row of the ledger, in seq order.
SELECT seq, kind, entry_id, review_id, recorded_at, recorded_by, body, prev_hash, row_hash
FROM ledger ORDER BY seq
