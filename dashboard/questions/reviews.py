"""Reviews (DESIGN 12): the ledger a page or a command uses, the reviews and one review's decisions,
sign-offs and reports, the chain's verification, and a new review's view checked against its
snapshot. Pages and commands ask here, never the ledger directly.

The ledger is not a snapshot: its answers are never cached (every write changes them)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from dashboard import settings
from dashboard.questions.reclassify import Scenario, resolve_scenario
from dashboard.questions.snapshot import ViewScope, resolve_scope
from dashboard.reviews.actions import ReviewRefused
from dashboard.reviews.ledger import Ledger, ledger_location, open_ledger
from dashboard.reviews.model import (
    DECISION_COLUMNS,
    REPORT_COLUMNS,
    REVIEW_COLUMNS,
    SIGNOFF_COLUMNS,
    STATES,
    decisions_frame,
    reports_frame,
    reviews_frame,
    signoffs_frame,
)
from dashboard.store import Snapshot

LIST_COLUMNS = REVIEW_COLUMNS
# `reviews show`: one row per decision.
SHOW_COLUMNS = ["decision_id", "kind", "detail", "made_by", "made_at", "approvals", "rejections", "in_effect"]
VERIFY_COLUMNS = ["rows", "first_bad_row", "problem", "last_hash"]


class ReviewDetail(NamedTuple):
    review: dict  # one row of reviews_frame (REVIEW_COLUMNS)
    decisions: pd.DataFrame  # DECISION_COLUMNS, in the order made
    signoffs: pd.DataFrame  # SIGNOFF_COLUMNS of the review's decisions, in the order signed
    reports: pd.DataFrame  # REPORT_COLUMNS, in the order recorded
    approvals_needed: int


def review_ledger(store: Path, explicit: str | None = None) -> Ledger:
    """The ledger for this store: explicit (--reviews), else $ASL_REVIEWS_URL, else the file beside
    the store (data/asl.reviews.sqlite). LedgerError (one line) when it cannot be opened."""
    return open_ledger(ledger_location(explicit, Path(store)))


def _needed(approvals_needed: int | None) -> int:
    return settings.approvals_needed() if approvals_needed is None else approvals_needed


def reviews_list(ledger: Ledger, approvals_needed: int | None = None) -> pd.DataFrame:
    """Every review (LIST_COLUMNS): open first, then decided, then closed; newest first within each."""
    frame = reviews_frame(ledger.entries(), _needed(approvals_needed))
    order = frame["state"].map({state: rank for rank, state in enumerate(STATES)})
    number = frame["review_id"].str[1:].astype("int64")
    return frame.assign(_order=order, _number=-number).sort_values(["_order", "_number"]).drop(
        columns=["_order", "_number"]).reset_index(drop=True)[LIST_COLUMNS]


def review_detail(ledger: Ledger, review_id: str, approvals_needed: int | None = None) -> ReviewDetail:
    """One review with its decisions, their sign-offs and its reports. ReviewRefused when there is none."""
    needed = _needed(approvals_needed)
    entries = ledger.entries()
    reviews = reviews_frame(entries, needed)
    found = reviews[reviews["review_id"] == review_id]
    if found.empty:
        raise ReviewRefused(f"there is no review {str(review_id)[:40]!r}")
    decisions = decisions_frame(entries, needed)
    decisions = decisions[decisions["review_id"] == review_id].reset_index(drop=True)
    signoffs = signoffs_frame(entries)
    signoffs = signoffs[signoffs["decision_id"].isin(set(decisions["decision_id"]))].reset_index(drop=True)
    reports = reports_frame(entries)
    reports = reports[reports["review_id"] == review_id].reset_index(drop=True)
    return ReviewDetail(found.iloc[0].to_dict(), decisions[DECISION_COLUMNS], signoffs[SIGNOFF_COLUMNS],
                        reports[REPORT_COLUMNS], needed)


def review_decisions(ledger: Ledger, review_id: str, approvals_needed: int | None = None) -> pd.DataFrame:
    """`reviews show`: one row per decision of the review (SHOW_COLUMNS)."""
    return review_detail(ledger, review_id, approvals_needed).decisions[SHOW_COLUMNS]


def ledger_verification(ledger: Ledger) -> pd.DataFrame:
    """`reviews verify`: one row: how many rows, the first that does not match (empty when the chain
    holds), why, and the last row's hash (write it down: a chain cannot show its own latest rows
    removed, a copy of the last hash can)."""
    entries = ledger.entries()
    bad, problem = ledger.verify()
    last = entries["row_hash"].iloc[-1] if len(entries) else ""
    return pd.DataFrame([{"rows": len(entries), "first_bad_row": bad, "problem": problem, "last_hash": last}],
                        columns=VERIFY_COLUMNS).astype({"rows": "int64", "first_bad_row": "Int64"})


class ReviewView(NamedTuple):
    """A new review's pinned view and scenario, checked against its snapshot."""
    snapshot_id: str
    scope: ViewScope
    scenario: Scenario | None


def check_review_view(snap: Snapshot, as_of_text: str | None, policy_text: str | None, model_text: str | None,
                      asl_text: str | None, domain_text: str | None) -> ReviewView:
    """The view a review pins (as-of date: default the snapshot's own; policy), and its scenario
    when a model is given, checked against snap as the pages check them (ParamError, one line)."""
    scope = resolve_scope(snap, as_of_text, policy_text)
    scenario = None
    if model_text or asl_text or domain_text:
        scenario = resolve_scenario(snap, model_text, asl_text, domain_text, as_of=scope.as_of)
    return ReviewView(snap.snapshot_id, scope, scenario)


def check_decision_values(snap: Snapshot, model_text: str | None, asl_text: str | None,
                          as_of: dt.date | None = None) -> None:
    """A decision's model and level checked against its review's snapshot (ParamError, one line)."""
    if model_text or asl_text:
        resolve_scenario(snap, model_text, asl_text, None, partial=True, as_of=as_of)
