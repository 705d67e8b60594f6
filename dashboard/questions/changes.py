"""What changed between two dates (DESIGN 8): the /changes page and `asl-dashboard changes`. The
rules are queries/changes.sql and dashboard/changes.py; this module asks them."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import changes
from dashboard.questions import cached, question
from dashboard.questions.snapshot import ViewScope
from dashboard.store import Snapshot


@cached
def first_date(snap: Snapshot) -> dt.date | None:
    """The earliest date in the snapshot's data (no window starts before it)."""
    return changes.first_date(snap)


@question(changes.COLUMNS)
def changes_frame(snap: Snapshot, scope: ViewScope, since: dt.date) -> pd.DataFrame:
    """Every event after since, up to and including the view's date, newest first."""
    return changes.changes_frame(snap, since, scope.as_of, scope.policy_id)
