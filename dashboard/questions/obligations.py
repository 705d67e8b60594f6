"""Regulatory and framework clocks (DESIGN 9): the /obligations page, the overview's count and
`asl-dashboard obligations`. The arithmetic is queries/obligations.sql; the clocks an incident starts
(DESIGN 12) are dashboard/incident_clocks.py on the reviews ledger's frames."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.incident_clocks import COLUMNS as INCIDENT_COLUMNS, incident_clocks
from dashboard.questions import question
from dashboard.store import Snapshot


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
