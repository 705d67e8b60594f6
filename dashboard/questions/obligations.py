"""Regulatory and framework clocks (DESIGN 9): the /obligations page, the overview's count and
`asl-dashboard obligations`. The arithmetic is queries/obligations.sql; the clocks an incident starts
(DESIGN 12) are dashboard/incident_clocks.py on the reviews ledger's frames."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dashboard import settings
from dashboard.incident_clocks import COLUMNS as INCIDENT_COLUMNS, incident_clocks
from dashboard.questions import question
from dashboard.reviews.ledger import LedgerError, default_location, is_postgres, ledger_location, open_ledger, shown_location
from dashboard.reviews.model import REPORT_COLUMNS, REVIEW_COLUMNS, reports_frame, reviews_frame
from dashboard.store import Snapshot, store_path


@question([
    "model_id", "model_name", "obligation_id", "obligation_name", "jurisdiction", "threshold_flop",
    "measure", "clock", "deadline_days", "applies_from", "crossed_on", "start_on", "due_on", "done_on",
    "reference", "state", "projected_on", "days_left"
])
def obligations_frame(snap: Snapshot, as_of: dt.date) -> pd.DataFrame:
    """Every model and obligation with a state as of the date, most urgent first."""
    return snap.query("obligations", as_of=as_of)


@question([
    "obligation_id", "name", "jurisdiction", "threshold_flop", "measure", "clock", "deadline_days",
    "applies_from", "source", "deadline_hours", "categories"
])
def obligation_list(snap: Snapshot) -> pd.DataFrame:
    """The obligations the snapshot holds (the rules, not the clocks)."""
    return snap.query("obligation_list")


def incident_clock_rows(snap: Snapshot, reviews: pd.DataFrame, reports: pd.DataFrame, at: dt.datetime) -> pd.DataFrame:
    """The clocks the reviews' incidents start (DESIGN 12, dashboard/incident_clocks.py): the snapshot's
    obligations with clock after_awareness, the ledger's reviews and reports, read at `at`; soonest
    due first. Not cached: the ledger changes with every report (the obligations are)."""
    return incident_clocks(obligation_list(snap), reviews, reports, at)


incident_clock_rows.columns = list(INCIDENT_COLUMNS)


def incident_clocks_of_ledger(snap: Snapshot, at: dt.datetime, store: str | Path | None = None,
                              reviews: str | None = None) -> pd.DataFrame:
    """The incident clocks of the reviews ledger (reviews: --reviews, else $ASL_REVIEWS_URL, else the
    file beside the store: --store, else $ASL_STORE, else data/asl.duckdb), read at `at`.
    LedgerError (one line) when the ledger cannot be read. Reading never creates the ledger: without
    the default file no review was ever opened, and there is no clock (a ledger named and missing is
    an error)."""
    store = store_path(store)
    location = ledger_location(reviews, store)
    if not is_postgres(location) and not Path(location).expanduser().exists():
        if location != str(default_location(store)):
            raise LedgerError(f"there is no reviews ledger at {shown_location(location)}")
        return incident_clock_rows(snap, pd.DataFrame(columns=REVIEW_COLUMNS), pd.DataFrame(columns=REPORT_COLUMNS), at)
    with open_ledger(location) as ledger:
        entries = ledger.entries()
    # A review's state (which needs the lab's number of approvals) does not move its clocks.
    return incident_clock_rows(snap, reviews_frame(entries, settings.DEFAULT_APPROVALS), reports_frame(entries), at)


incident_clocks_of_ledger.columns = list(INCIDENT_COLUMNS)
