-- PostgreSQL only: one appender at a time, held to the end of the transaction (released by COMMIT
-- or ROLLBACK, or when the connection dies). lock_timeout bounds the wait.
SELECT pg_advisory_xact_lock(:lock_key)
