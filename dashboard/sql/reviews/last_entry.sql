-- The ledger's last row: the next row's seq and prev_hash come from it (inside the write transaction).
SELECT seq, row_hash FROM ledger ORDER BY seq DESC LIMIT 1
