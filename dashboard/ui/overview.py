"""The overview's questions and figures for a view, written once for the page
(dashboard/app_pages/overview.py) and for the warm-up after a new snapshot (dashboard/warm.py): both ask
exactly the same cached questions and draw the same kept figures and print copy, so what the warm-up
fills is what the page's first viewer finds. Each view is a function of the snapshot, the scope and
the filters alone (values), so it is kept by them (ui.figure_of, print_copy_of) without hashing a frame."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, display, store as store_module
from dashboard.questions import cached
from dashboard.questions import obligations as obligation_questions
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions import status as status_questions
from dashboard.questions.snapshot import ViewScope
from dashboard.ui.cache import figure_of
from dashboard.ui.layout import grid_of, print_copy_of, row_counts, shown_frame, snapshot_summary_tables
from dashboard.ui.url import link_query


@dataclass(frozen=True)
class ModelFilter:
    """The overview's filters, each empty for all: families, statuses, ASL levels."""
    families: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    levels: tuple[int, ...] = ()


def shown_models(snap: store_module.Snapshot, scope: ViewScope, chosen: ModelFilter) -> pd.DataFrame:
    """The status rows of the models the filters keep."""
    return display.rows_chosen(status_questions.status_frame(snap, scope),
                               {"family": chosen.families, "status": chosen.statuses, "asl_level": chosen.levels})


def map_policy(shown_models: pd.DataFrame, scope: ViewScope) -> str | None:
    """The policy whose lines the map draws: the view's, else the shown models' most common (None: no model)."""
    return scope.policy_id or shown_models["policy_id"].mode().iat[0] if len(shown_models) else None


def policy_lines(policies: pd.DataFrame, policy_id: str) -> tuple[float, float | None, float | None]:
    """(evaluation compute multiple, buffer multiple, evaluation interval in days) of a policy
    (policies indexed by policy_id); None where the policy sets none."""
    row = policies.loc[policy_id]
    b, t = row["buffer_multiple"], row["eval_interval_days"]
    return float(row["eval_compute_multiple"]), None if pd.isna(b) else float(b), None if pd.isna(t) else float(t)


def _policies(snap: store_module.Snapshot) -> pd.DataFrame:
    return snapshot_questions.policies(snap).set_index("policy_id")


def buffer_map_figure(snap: store_module.Snapshot, scope: ViewScope, chosen: ModelFilter) -> go.Figure:
    """The buffer map of the shown models under the map policy's lines (map_policy: there are models)."""
    shown, policies = shown_models(snap, scope, chosen), _policies(snap)
    policy_id = map_policy(shown, scope)
    k, b, t = policy_lines(policies, policy_id)
    return charts.buffer_map(shown, k, b, t, display.policy_name(policies.reset_index(), policy_id), as_of=scope.as_of)


def buffer_map(snap: store_module.Snapshot, scope: ViewScope, chosen: ModelFilter) -> go.Figure:
    return figure_of(buffer_map_figure, snap, scope, chosen)


def trajectories_figure(snap: store_module.Snapshot, scope: ViewScope, chosen: ModelFilter) -> go.Figure | None:
    """Every evaluated shown model's trajectory, normalised to its last clean evaluation (None: none evaluated)."""
    shown = shown_models(snap, scope, chosen)
    evaluated = shown.dropna(subset=["eval_step"])
    if not len(evaluated):
        return None
    paths = status_questions.normalised_trajectories(
        snap, scope.as_of, tuple(evaluated["model_id"]), tuple(int(step) for step in evaluated["eval_step"]),
        max(8, min(200, 4000 // max(len(evaluated), 1))))
    paths = paths.merge(evaluated[["model_id", "name", "status"]], on="model_id")
    k, b, _t = policy_lines(_policies(snap), map_policy(shown, scope))
    return charts.normalised_trajectories(paths, k, b, now=pd.Timestamp(scope.as_of))


def trajectories(snap: store_module.Snapshot, scope: ViewScope, chosen: ModelFilter) -> go.Figure | None:
    return figure_of(trajectories_figure, snap, scope, chosen)


def frontier_figure(snap: store_module.Snapshot, scope: ViewScope, chosen: ModelFilter) -> go.Figure:
    """The shown models at their latest checkpoint against the public frontier (Epoch AI); on the public
    data set the models are the public models themselves, drawn once, as the frontier."""
    positions = status_questions.model_positions(snap, scope.as_of)
    positions = positions[positions["model_id"].isin(shown_models(snap, scope, chosen)["model_id"])]
    return charts.frontier(positions, snapshot_questions.public_models(snap, scope.as_of),
                           own_models=snapshot_questions.snapshot_info(snap)["dataset"] != "public")


@cached  # with the answers: a copy per run (the page styles it)
def status_table(snap: store_module.Snapshot, scope: ViewScope, chosen: ModelFilter) -> pd.DataFrame:
    """The shown models' status table as the screen shows it: most urgent first, policies by name, a link
    to each model's trajectory, text made visible (shown_frame)."""
    table = display.status_table(shown_models(snap, scope, chosen), scope.as_of, _policies(snap).reset_index())
    table.insert(1, "open", "./trajectory?" + table["model_id"].map(lambda model_id: link_query({"model": model_id}, scope)))
    return shown_frame(table)


def status_grid(snap: store_module.Snapshot, scope: ViewScope, chosen: ModelFilter) -> pd.DataFrame:
    """The status table as its grid draws it: each status label a list of one, which the grid shows as a
    label in its status's colour (the page's MultiselectColumn)."""
    table = status_table(snap, scope, chosen)
    return table.assign(status_label=[[label] for label in table["status_label"]])


def printed_status_table(snap: store_module.Snapshot, scope: ViewScope, chosen: ModelFilter) -> pd.DataFrame:
    """The status table's print copy: the screen's columns and headings, without the links."""
    return status_table(snap, scope, chosen).drop(columns=["status", "open"]).rename(columns=display.STATUS_TABLE_COLUMNS)


def warm_default_view(snap: store_module.Snapshot) -> ViewScope:
    """Ask what the overview asks for a link without parameters (the snapshot's own date, each model's
    own policy, no filter), through the same caches: its questions answered, its figures drawn, its
    print copies and the snapshot summary's grids made. The public frontier is left out (drawn by
    default only on the public data set)."""
    info = snapshot_questions.snapshot_info(snap)
    scope = snapshot_questions.resolve_scope(snap, None, None)
    chosen = ModelFilter()
    status = status_questions.status_frame(snap, scope)
    if map_policy(status, scope) is None:  # no model: the page stops before its views
        return scope
    if row_counts(info).get("obligations", 0) > 0:
        obligation_questions.obligations_frame(snap, scope.as_of)
    grid_of(status_grid, snap, scope, chosen)
    if status["compute_multiple"].notna().any():
        buffer_map(snap, scope, chosen)
    trajectories(snap, scope, chosen)
    print_copy_of(printed_status_table, snap, scope, chosen)
    snapshot_summary_tables(snap, scope)
    return scope
