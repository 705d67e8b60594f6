"""The reviews ledger (DESIGN 12): what was decided, by whom, on which view.

- ledger.py: the storage (a SQLite file beside the store, or a lab's PostgreSQL), append-only and
  chained by hash; `open_ledger`, `Ledger`, `LedgerError`, `ledger_location`;
- model.py: pure views of the entries (reviews, decisions with their approvals, sign-offs, reports);
- actions.py: open, decide, sign, close, report: checked, then appended; `ReviewRefused`.
Pages and commands reach it through dashboard/questions/reviews.py."""
from dashboard.reviews.actions import (
    ReviewRefused,
    close_review,
    decide,
    open_review,
    os_actor,
    record_report,
    sign,
)
from dashboard.reviews.ledger import Ledger, LedgerError, chain, ledger_location, open_ledger
from dashboard.reviews.model import decisions_frame, reports_frame, reviews_frame, signoffs_frame

__all__ = ["Ledger", "LedgerError", "ReviewRefused", "chain", "close_review", "decide", "decisions_frame",
           "ledger_location", "open_ledger", "open_review", "os_actor", "record_report", "reports_frame",
           "reviews_frame", "sign", "signoffs_frame"]
