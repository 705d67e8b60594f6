"""What a snapshot holds for every page and command: its summary row, the policies, models, ASL levels
and capability domains, the public reference models; and the view's scope (as-of date and policy)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.params import check_policy, parse_as_of
from dashboard.questions import question
from dashboard.store import Snapshot


@dataclass(frozen=True)
class ViewScope:
    """What every view is computed for: the as-of date and the policy override (None: each model's).
    Frozen, so it compares and hashes by value (the questions' cache relies on it)."""
    as_of: dt.date
    policy_id: str | None
    as_of_is_default: bool
    snapshot_id: str | None = None  # the snapshot the view reads (DESIGN 11): links carry it


@question(["published_at", "source", "dataset", "row_counts_json", "notes", "snapshot_date"])
def info(snap: Snapshot) -> pd.DataFrame:
    """The snapshot's one summary row: data set, source, dates, row counts, notes."""
    return snap.query("snapshot_info")


def snapshot_info(snap: Snapshot) -> dict:
    """The summary row, and the snapshot's own id (None for a store published before ids)."""
    return {**info(snap).iloc[0].to_dict(), "snapshot_id": snap.snapshot_id}


def snapshot_date(snap: Snapshot) -> dt.date:
    value = snapshot_info(snap)["snapshot_date"]
    return value if isinstance(value, dt.date) else dt.date.today()


@question(["policy_id", "name", "eval_compute_multiple", "buffer_multiple", "eval_interval_days", "source"])
def policies(snap: Snapshot) -> pd.DataFrame:
    return snap.query("policies")


@question(["model_id", "name", "family", "parent_model_id", "derivation", "asl_level", "policy_id", "status"])
def models(snap: Snapshot) -> pd.DataFrame:
    return snap.query("models")


@question(["asl_level", "name", "description"])
def asl_levels(snap: Snapshot) -> pd.DataFrame:
    return snap.query("asl_levels")


@question(["domain"])
def capability_domains(snap: Snapshot) -> pd.DataFrame:
    return snap.query("capability_domains")


@question([
    "public_model_id", "name", "organization", "published_on", "training_compute_flop", "accessibility",
    "source"
])
def public_models(snap: Snapshot, as_of: dt.date) -> pd.DataFrame:
    """The public reference models (Epoch AI) known by the date, for the frontier charts."""
    return snap.query("public_models", as_of=as_of)


def resolve_scope(snap: Snapshot, as_of_text: str | None, policy_text: str | None) -> ViewScope:
    """Validate as_of and policy. Without an as-of date, the snapshot's own date is used."""
    default = snapshot_date(snap)
    as_of = parse_as_of(as_of_text, default)
    policy = check_policy(policy_text, policies(snap))
    return ViewScope(as_of=as_of, policy_id=policy, as_of_is_default=not as_of_text, snapshot_id=snap.snapshot_id)
