"""The safeguard plan of a reclassification (DESIGN section 5) and what a scenario needs besides it:
whether per-deployment safeguards are known at all. (The scenario's shareable link and the
"Reclassify this model" link are built in dashboard/links.py.)

The plan's rule lives in queries/safeguard_plan.sql; here it is only fed at_risk.sql's result.
"""
from __future__ import annotations

import json

import pandas as pd

from dashboard.store import Snapshot

PLAN_COLUMNS = ["step", "safeguard_id", "name", "kind", "lacking", "newly_covered", "covered_total",
                "requests_covered_total"]

# The actions whose deployments the plan secures (the work set of DESIGN section 5).
PLAN_ACTIONS = ("emergency_review", "add_safeguards")

UNKNOWN = "unknown"
UNKNOWN_NOTE = ("this snapshot holds no per-deployment safeguards (deployment_safeguards is empty), so what each "
                "deployment has is unknown, not missing: there is no safeguard plan, no 'covered' count and no "
                "requests figure built on safeguards")


def safeguards_known(info: dict) -> bool:
    """False when the snapshot holds no deployment_safeguards rows at all (the public data set)."""
    try:
        counts = json.loads(info.get("row_counts_json") or "{}")
    except ValueError:
        counts = {}
    return int(counts.get("deployment_safeguards", 0) or 0) > 0


def plan_frame(snap: Snapshot, deployments: pd.DataFrame) -> pd.DataFrame:
    """The safeguard plan for a scenario, from its at-risk rows (at_risk.sql's columns).

    Deployments with the same action and missing safeguards are passed once, with their count and
    total requests: a hundred thousand deployments bind as a few hundred items (no rule here)."""
    groups = (deployments.assign(missing_safeguards=deployments["missing_safeguards"].fillna("").astype(str),
                                 action=deployments["action"].astype(str))
              .groupby(["action", "missing_safeguards"], sort=True)
              .agg(deployments=("deployment_id", "size"), requests=("monthly_requests", "sum"))
              .reset_index())
    return snap.query(
        "safeguard_plan",
        actions=list(groups["action"]),
        missing_safeguards=list(groups["missing_safeguards"]),
        deployments=[int(value) for value in groups["deployments"]],
        monthly_requests=[int(value) for value in groups["requests"]],
    )[PLAN_COLUMNS]


def with_unknown_safeguards(deployments: pd.DataFrame, known: bool) -> pd.DataFrame:
    """The at-risk rows as exported: when safeguards are unknown, missing_safeguards says `unknown`
    instead of listing every required safeguard as if it were known to be missing."""
    if known:
        return deployments
    marked = deployments.copy()
    marked["missing_safeguards"] = marked["missing_safeguards"].where(marked["missing_safeguards"].fillna("") == "",
                                                                      UNKNOWN)
    return marked
