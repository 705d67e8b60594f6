-- PostgreSQL only: bound every wait of this transaction (values in milliseconds, as text).
SELECT set_config('lock_timeout', :lock_timeout_ms, true), set_config('statement_timeout', :statement_timeout_ms, true)
