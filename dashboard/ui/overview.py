"""The overview's questions and figures for a view, written once for the page
(dashboard/app_pages/overview.py) and for the warm-up after a new snapshot (dashboard/warm.py): both ask
exactly the same cached questions and draw the same cached figures, so what the warm-up fills is what
the page's first viewer finds."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, display, store as store_module
from dashboard.questions import obligations as obligation_questions
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions import status as status_questions
from dashboard.questions.snapshot import ViewScope
from dashboard.ui.cache import figure
from dashboard.ui.layout import row_counts


def map_policy(shown_models: pd.DataFrame, scope: ViewScope) -> str | None:
    """The policy whose lines the map draws: the view's, else the shown models' most common (None: no model)."""
    return scope.policy_id or shown_models["policy_id"].mode().iat[0] if len(shown_models) else None


def policy_lines(policies: pd.DataFrame, policy_id: str) -> tuple[float, float | None, float | None]:
    """(evaluation compute multiple, buffer multiple, evaluation interval in days) of a policy
    (policies indexed by policy_id); None where the policy sets none."""
    row = policies.loc[policy_id]
    b, t = row["buffer_multiple"], row["eval_interval_days"]
    return float(row["eval_compute_multiple"]), None if pd.isna(b) else float(b), None if pd.isna(t) else float(t)


def buffer_map(shown_models: pd.DataFrame, policies: pd.DataFrame, policy_id: str, scope: ViewScope) -> go.Figure:
    """The buffer map of the shown models under policy_id's lines (policies indexed by policy_id)."""
    k, b, t = policy_lines(policies, policy_id)
    return figure(charts.buffer_map, shown_models, k, b, t, display.policy_name(policies.reset_index(), policy_id),
                  as_of=scope.as_of)


def trajectories(snap: store_module.Snapshot, scope: ViewScope, shown_models: pd.DataFrame, policies: pd.DataFrame,
                 policy_id: str) -> go.Figure | None:
    """Every evaluated shown model's trajectory, normalised to its last clean evaluation (None: none evaluated)."""
    evaluated = shown_models.dropna(subset=["eval_step"])
    if not len(evaluated):
        return None
    paths = status_questions.normalised_trajectories(
        snap, scope.as_of, tuple(evaluated["model_id"]), tuple(int(step) for step in evaluated["eval_step"]),
        max(8, min(200, 4000 // max(len(evaluated), 1))))
    paths = paths.merge(evaluated[["model_id", "name", "status"]], on="model_id")
    k, b, _t = policy_lines(policies, policy_id)
    return figure(charts.normalised_trajectories, paths, k, b, now=pd.Timestamp(scope.as_of))


def warm_default_view(snap: store_module.Snapshot) -> ViewScope:
    """Ask what the overview asks for a link without parameters (the snapshot's own date, each model's
    own policy, no filter), through the same caches: its questions answered, its figures drawn. The
    public frontier is left out (drawn by default only on the public data set)."""
    info = snapshot_questions.snapshot_info(snap)
    scope = snapshot_questions.resolve_scope(snap, None, None)
    status = status_questions.status_frame(snap, scope)
    policies = snapshot_questions.policies(snap).set_index("policy_id")
    policy_id = map_policy(status, scope)
    if policy_id is not None:
        if status["compute_multiple"].notna().any():
            buffer_map(status, policies, policy_id, scope)
        if row_counts(info).get("obligations", 0) > 0:
            obligation_questions.obligations_frame(snap, scope.as_of)
        trajectories(snap, scope, status, policies, policy_id)
    status_questions.deployments_by_status_surface(snap, scope.as_of)
    return scope
