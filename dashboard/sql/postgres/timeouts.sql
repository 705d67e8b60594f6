-- For this read only: wait at most $lock_timeout for a table another transaction has locked, and at
-- most $statement_timeout for one table's rows (PostgreSQL durations such as '30s').
SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)
