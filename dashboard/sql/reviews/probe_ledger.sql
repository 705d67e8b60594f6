-- Whether the ledger table exists: fails when it does not (then create_ledger.sql runs). Asked
-- before creating, because CREATE TABLE IF NOT EXISTS needs the CREATE privilege even when the
-- table is there, and a lab's database user may have only SELECT and INSERT.
SELECT seq FROM ledger WHERE seq = 0
