"""Where every model stands (DESIGN 4 and 4a): the status frame the overview, the trajectory page and
`asl-dashboard status` share, and what the overview draws beside it."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.questions import question
from dashboard.questions.snapshot import ViewScope
from dashboard.reference import STATUSES
from dashboard.store import Snapshot

STATUS_COLUMNS = [
    "model_id", "name", "family", "asl_level", "policy_id", "c_now", "c_eval", "compute_multiple",
    "next_eval_compute", "buffer_edge_compute", "buffer_used_pct", "days_since_eval", "next_eval_date",
    "status",
]

# The columns status.sql adds after the contract's (DESIGN 4a figures the pages use).
STATUS_EXTRA_COLUMNS = [
    "eval_step", "last_checkpoint_on", "is_training", "eval_completed_on", "next_eval_crossed_on",
    "buffer_edge_crossed_on", "triggered_on", "triggered_step", "triggered_domains", "triggered_eval_ids",
    "overdue_by", "overdue_since", "due_soon_since", "severity",
]


@question(STATUS_COLUMNS + STATUS_EXTRA_COLUMNS)
def status_frame(snap: Snapshot, scope: ViewScope) -> pd.DataFrame:
    """Every model's figures and status, most urgent first (severity, then model_id): the contract's
    STATUS_COLUMNS, then STATUS_EXTRA_COLUMNS (eval_step, crossing dates, training flag, ...)."""
    return snap.query("status", as_of=scope.as_of, policy_id=scope.policy_id)


def models_by_level_and_status(status: pd.DataFrame) -> pd.DataFrame:
    """Models per ASL level and safety status, both as of the status frame's date (DESIGN 4a): one row
    per level, one column per status present, in DESIGN 4's order."""
    if status.empty:
        return pd.DataFrame()
    table = status.pivot_table(index="asl_level", columns="status", values="model_id", aggfunc="count", fill_value=0)
    return table[[name for name in STATUSES if name in table.columns]].rename_axis(index="ASL level", columns=None)


@question(["surface", "status", "deployments"])
def deployments_by_status_surface(snap: Snapshot, as_of: dt.date) -> pd.DataFrame:
    """Deployments started by the date, by surface and status on that date (the snapshot summary)."""
    return snap.query("deployments_by_status_surface", as_of=as_of)


@question(["model_id", "step", "recorded_at", "multiple"])
def normalised_trajectories(snap: Snapshot, as_of: dt.date, model_ids: tuple[str, ...], eval_steps: tuple[int, ...],
                            points_per_model: int) -> pd.DataFrame:
    """Each model's trajectory as a multiple of its compute at its last clean evaluation."""
    return snap.query("normalised_trajectories", as_of=as_of, model_ids=list(model_ids), eval_steps=list(eval_steps),
                      points_per_model=points_per_model)


@question(["model_id", "name", "family", "asl_level", "recorded_at", "effective_compute"])
def model_positions(snap: Snapshot, as_of: dt.date) -> pd.DataFrame:
    """Each model's effective compute at its latest checkpoint, for the public frontier chart."""
    return snap.query("model_positions", as_of=as_of)
