"""Regulatory and framework clocks (DESIGN 9): the /obligations page, the overview's count and
`asl-dashboard obligations`. The arithmetic is queries/obligations.sql."""
from __future__ import annotations

import datetime as dt

import pandas as pd

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
