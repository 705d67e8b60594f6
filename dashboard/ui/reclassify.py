"""The reclassify page's views made of its questions: the halted models' tree, the plan and gaps
figures, the grids and the print copies, each a function of the snapshot and value arguments alone,
so they are kept per snapshot, function and arguments (ui.text_of, ui.figure_of, ui.grid_of,
ui.print_table_of) without hashing a frame."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, display, plan
from dashboard.charts import plan as charts_plan
from dashboard.questions import reclassify as questions
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.status import status_frame
from dashboard.store import Snapshot

PRINTED_DEPLOYMENT_COLUMNS = ["action", "deployment_id", "model_id", "customer_name", "surface", "use_case", "status",
                              "business_critical", "monthly_requests", "missing_safeguards"]


def plan_figure(snap: Snapshot, scope: ViewScope, scenario: questions.Scenario) -> go.Figure:
    """The safeguard plan's steps against the deployments it works on (under emergency review or adding
    safeguards) and their monthly requests."""
    deployments = questions.at_risk_frame(snap, scope, scenario)
    work_set = deployments[deployments["action"].isin(plan.PLAN_ACTIONS)]
    return charts_plan.safeguard_plan(questions.safeguard_plan(snap, scope, scenario), work_set_size=len(work_set),
                                      work_set_requests=int(work_set["monthly_requests"].fillna(0).sum()))


def halted_models_markdown(snap: Snapshot, scope: ViewScope, scenario: questions.Scenario) -> str:
    """The models whose onboarding halts as a lineage tree, each with its own status as of the date."""
    statuses = status_frame(snap, scope).set_index("model_id")["status"]
    return display.lineage_tree_markdown(questions.at_risk_models_frame(snap, scenario, scope.as_of), statuses,
                                         scenario.asl_level)


def safeguard_gaps(snap: Snapshot, scope: ViewScope, scenario: questions.Scenario) -> pd.DataFrame:
    """The decision summary's safeguard gaps, each safeguard named (questions.at_risk_safeguard_gaps)."""
    return questions.at_risk_safeguard_gaps(snap, scenario, questions.decision_summary(snap, scope, scenario)["safeguard_gaps"])


def safeguard_gaps_figure(snap: Snapshot, scope: ViewScope, scenario: questions.Scenario) -> go.Figure:
    return charts.safeguard_gaps(safeguard_gaps(snap, scope, scenario))


def shown_deployments(snap: Snapshot, scope: ViewScope, scenario: questions.Scenario, known: bool,
                      actions: tuple[str, ...], surfaces: tuple[str, ...]) -> pd.DataFrame:
    """The deployments with these actions and surfaces as shown (questions.deployments_shown)."""
    return questions.deployments_shown(snap, scope, scenario, known, actions, surfaces)[1]


def printed_deployments(snap: Snapshot, scope: ViewScope, scenario: questions.Scenario, known: bool,
                        actions: tuple[str, ...], surfaces: tuple[str, ...]) -> pd.DataFrame:
    """The deployments shown in the columns a print copy has."""
    return shown_deployments(snap, scope, scenario, known, actions, surfaces)[PRINTED_DEPLOYMENT_COLUMNS]
