-- The reviews ledger (DESIGN 12): one append-only table, the same text on SQLite and PostgreSQL.
-- Every row carries the hash of the previous row (prev_hash) and its own (row_hash); see
-- dashboard/reviews/ledger.py for the hash and docs/reviews.md for the rules.
CREATE TABLE ledger (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    entry_id TEXT NOT NULL UNIQUE,
    review_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL
)
