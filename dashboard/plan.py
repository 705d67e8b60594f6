"""The safeguard plan of a reclassification (DESIGN section 5) and what a scenario needs besides it:
whether per-deployment safeguards are known at all, the scenario's shareable link, and the
"Reclassify this model" link from a triggered model's trajectory.

The plan's rule lives in queries/safeguard_plan.sql; here it is only fed at_risk.sql's result.
"""
from __future__ import annotations

import datetime as dt
import json
import urllib.parse

import pandas as pd

from dashboard import public_url
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


# --- Links ---------------------------------------------------------------------------------------

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"}


def public_base_url(request_url: str | None = None, environ=None) -> str | None:
    """The base URL colleagues can open: ASL_PUBLIC_URL when set and valid (dashboard/public_url.py),
    else the request's own address under the same rule; None when neither is known (the command
    line without ASL_PUBLIC_URL)."""
    configured = public_url.configured(environ).base
    if configured or not request_url:
        return configured
    try:
        parts = urllib.parse.urlsplit(request_url.strip())
    except ValueError:
        return None
    return public_url.base_url(urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))


def is_loopback(url: str | None) -> bool:
    host = urllib.parse.urlsplit(url or "").hostname or ""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def scenario_link(base: str | None, model_id: str, asl_level: int, domain: str | None, as_of: dt.date,
                  policy_id: str | None = None) -> str:
    """The link that reopens /reclassify on this scenario, as of its date (a path alone without a base)."""
    params = {"model": model_id, "asl": asl_level}
    if domain:
        params["domain"] = domain
    params["as_of"] = as_of.isoformat()
    if policy_id:
        params["policy"] = policy_id
    return f"{public_url.link_base(base)}/reclassify?{urllib.parse.urlencode(params)}"


def reclassify_params(model_id: str, status: str, level, rounds: pd.DataFrame, levels) -> dict | None:
    """Query parameters for "Reclassify this model" on a triggered model's trajectory: the model, its
    level + 1 (None when that level is not defined) and the domain of its latest triggered round
    (the first in alphabetical order when several triggered). None when the model has not triggered."""
    if status != "triggered" or pd.isna(level) or int(level) + 1 not in {int(value) for value in levels}:
        return None
    params = {"model": model_id, "asl": str(int(level) + 1)}
    triggered = rounds[rounds["round_outcome"] == "triggered"].sort_values("step")
    if len(triggered):
        domains = sorted(item["domain"] for item in triggered.iloc[-1]["details"] if item["outcome"] == "triggered")
        if domains:
            params["domain"] = domains[0]
    return params
