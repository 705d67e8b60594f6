"""One model over time (/trajectory): its detail and lineage, checkpoints, evaluation rounds, ASL
history, regulatory-line crossings, evaluations and timeline of events."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import changes
from dashboard.questions import question
from dashboard.questions.snapshot import ViewScope
from dashboard.store import Snapshot


@question([
    "model_id", "name", "family", "parent_model_id", "parent_name", "derivation", "asl_level", "policy_id",
    "status", "children"
])
def model_detail(snap: Snapshot, model_id: str) -> pd.DataFrame:
    """The model's one row: name, family, derivation, lifecycle status, parent and children."""
    return snap.query("model_detail", model_id=model_id)


@question(["step", "recorded_at", "training_flop", "effective_compute", "exact"])
def trajectory(snap: Snapshot, model_id: str, as_of: dt.date, max_points: int) -> pd.DataFrame:
    """The model's checkpoints up to the date, downsampled in the database to about max_points."""
    return snap.query("trajectory", model_id=model_id, as_of=as_of, max_points=max_points)


@question(["step", "round_outcome", "missing_domains", "completed_at", "recorded_at", "effective_compute", "details"])
def evaluation_rounds(snap: Snapshot, model_id: str, as_of: dt.date, policy_id: str | None = None) -> pd.DataFrame:
    """The model's rounds as of the date under the policy in use (None: the model's own)."""
    return snap.query("evaluation_rounds", model_id=model_id, as_of=as_of, policy_id=policy_id)


@question(["eval_id", "step", "domain", "completed_at", "recorded_at", "effective_compute", "score", "trigger_score",
           "elicitation"])
def preliminary_triggers(snap: Snapshot, model_id: str, as_of: dt.date) -> pd.DataFrame:
    """The model's preliminary evaluations that triggered by the date: no round, no status, but drawn."""
    return snap.query("preliminary_triggers", model_id=model_id, as_of=as_of)


@question(["asl_level", "effective_from", "reason"])
def asl_history(snap: Snapshot, model_id: str, as_of: dt.date) -> pd.DataFrame:
    return snap.query("model_asl_history", model_id=model_id, as_of=as_of)


@question(["threshold", "step", "recorded_at", "training_flop"])
def training_flop_crossings(snap: Snapshot, model_id: str, as_of: dt.date,
                            thresholds: tuple[float, ...]) -> pd.DataFrame:
    """The first checkpoint whose training FLOP reached each threshold, up to the date."""
    return snap.query("training_flop_crossings", model_id=model_id, as_of=as_of, thresholds=list(thresholds))


@question([
    "eval_id", "step", "completed_at", "domain", "kind", "target_asl_level", "outcome", "score",
    "trigger_score", "elicitation", "effective_compute"
])
def evaluations(snap: Snapshot, model_id: str, as_of: dt.date) -> pd.DataFrame:
    return snap.query("model_evaluations", model_id=model_id, as_of=as_of)


@question(changes.COLUMNS)
def timeline(snap: Snapshot, scope: ViewScope, model_id: str) -> pd.DataFrame:
    """The model's events over all time up to the view's date (DESIGN 8 kinds, deployments per month)."""
    return changes.model_timeline(snap, model_id, scope.as_of, scope.policy_id)
