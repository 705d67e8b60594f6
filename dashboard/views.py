"""The views shared by the command line and the pages: each takes validated parameters and
returns the DataFrame a person sees, with the contract's column names (DESIGN section 6)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.params import check_policy, parse_as_of
from dashboard.store import Snapshot

STATUS_COLUMNS = [
    "model_id", "name", "family", "asl_level", "policy_id", "c_now", "c_eval", "compute_multiple",
    "next_eval_compute", "buffer_edge_compute", "buffer_used_pct", "days_since_eval", "next_eval_date",
    "status",
]

# The statuses of DESIGN section 4, in order of urgency.
STATUSES = ["triggered", "never_evaluated", "buffer_breached", "eval_overdue", "eval_due_soon", "on_track"]


@dataclass(frozen=True)
class ViewScope:
    """What every view is computed for: the as-of date and the policy override (None: each model's)."""
    as_of: dt.date
    policy_id: str | None
    as_of_is_default: bool


def snapshot_info(snap: Snapshot) -> dict:
    return snap.query("snapshot_info").iloc[0].to_dict()


def snapshot_date(snap: Snapshot) -> dt.date:
    value = snapshot_info(snap)["snapshot_date"]
    return value if isinstance(value, dt.date) else dt.date.today()


def resolve_scope(snap: Snapshot, as_of_text: str | None, policy_text: str | None) -> ViewScope:
    """Validate as_of and policy. Without an as-of date, the snapshot's own date is used."""
    default = snapshot_date(snap)
    as_of = parse_as_of(as_of_text, default)
    policy = check_policy(policy_text, snap.query("policies"))
    return ViewScope(as_of=as_of, policy_id=policy, as_of_is_default=not as_of_text)


def status_frame(snap: Snapshot, scope: ViewScope) -> pd.DataFrame:
    """Every model's figures and status (with eval_step, used by the charts, after the contract columns)."""
    return snap.query("status", as_of=scope.as_of, policy_id=scope.policy_id)
