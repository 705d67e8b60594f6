"""The decisions of reviews (DESIGN 12) read over time: a decision's state as of a date, its events
in `changes` (kind `decision`, DESIGN 8) and its mark on a model's timeline.

Pure: frames of the review ledger's views (dashboard/reviews/model.py: reviews_frame, decisions_frame,
signoffs_frame) in, frames out; no ledger, no snapshot, no clock. A superseded decision keeps the
effective_at of its coming into effect here (the questions layer puts it back: the ledger's view
empties it), so its history reads true for any date. Dates are UTC days, as the as-of
date is: a decision made (or brought into effect) at 23:59 UTC on the as-of date counts as of it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard.changes import COLUMNS, DECISION, REVIEW_ID

KIND = DECISION
# The events of changes (DESIGN 8's columns) and the review each decision belongs to, for its link.
EVENT_COLUMNS = [*COLUMNS, REVIEW_ID]
PROPOSED, IN_EFFECT, REJECTED, SUPERSEDED = "proposed", "in effect", "rejected", "superseded"


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or value == ""


def plain_value(value) -> str:
    """A ledger value as text ("" when empty); escaping is each output's (dashboard/text.py)."""
    return "" if _missing(value) else str(value)


def moment(value) -> pd.Timestamp | None:
    """A ledger time (ISO 8601 UTC text such as 2026-12-07T07:05:00Z, or a Timestamp) as an aware UTC
    Timestamp; None when empty."""
    if _missing(value):
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def day_of(value) -> dt.date | None:
    stamp = moment(value)
    return None if stamp is None else stamp.date()


def shown_time(value) -> str:
    """A ledger time as people read it: 2026-12-07 07:05 UTC."""
    stamp = moment(value)
    return "" if stamp is None else f"{stamp:%Y-%m-%d %H:%M} UTC"


def level_of(value) -> int | None:
    return None if _missing(value) else int(value)


def _by_id(frame: pd.DataFrame, column: str) -> dict:
    return {row[column]: row for _, row in frame.iterrows()}


def decision_model(decision, review) -> str | None:
    """The model a decision is about: its own model_id, else its review's scenario model."""
    own = plain_value(decision["model_id"])
    if own:
        return own
    return (plain_value(review["model_id"]) or None) if review is not None else None


def summary(decision, review=None) -> str:
    """What a decision decides, in a few words: `reclassify to ASL-3`, `halt onboarding`,
    `add safeguard sg-x (owner O, due 2026-12-20)`, `no action`, `other`."""
    kind = plain_value(decision["kind"])
    if kind == "reclassify":
        level = level_of(decision["asl"])
        if level is None and review is not None:
            level = level_of(review["asl"])
        return f"reclassify to ASL-{level}" if level is not None else "reclassify"
    if kind == "add_safeguard":
        terms = [f"owner {plain_value(decision['owner'])}" if plain_value(decision["owner"]) else "",
                 f"due {plain_value(decision['due_on'])[:10]}" if plain_value(decision["due_on"]) else ""]
        terms = [term for term in terms if term]
        safeguard = plain_value(decision["safeguard_id"])
        return (f"add safeguard {safeguard}" if safeguard else "add a safeguard") + (f" ({', '.join(terms)})" if terms else "")
    return kind.replace("_", " ")


def superseded_on(decision, decisions_by_id: dict) -> dt.date | None:
    """The day the decision was superseded: the day its correction came into effect (a correction
    needs its own approvals; until then the original stands: dashboard/reviews/model.py)."""
    later = decisions_by_id.get(plain_value(decision["superseded_by"]))
    return None if later is None else day_of(later["effective_at"])


def state_on(decision, on: dt.date, decisions_by_id: dict) -> str | None:
    """The decision's state as of the day on: None when it was not made yet; `superseded` once a later
    decision replaced it; `rejected` when someone rejected it; `in effect` from the day it came into
    effect; `proposed` until then. The rejections and approvals are those of the frame: the questions
    layer builds it from the ledger's rows up to that day."""
    made = day_of(decision["made_at"])
    if made is None or made > on:
        return None
    replaced = superseded_on(decision, decisions_by_id)
    if replaced is not None and replaced <= on:
        return SUPERSEDED
    if not _missing(decision["rejections"]) and int(decision["rejections"]) > 0:
        return REJECTED
    effective = day_of(decision["effective_at"])
    if effective is not None and effective <= on:
        return IN_EFFECT
    return PROPOSED


def approvers(decision, signoffs: pd.DataFrame, until=None) -> list[str]:
    """Who approved the decision (its maker's own approval never counts), up to the time until,
    each person once, in the order they signed."""
    if signoffs is None or not len(signoffs):
        return []
    rows = signoffs[(signoffs["decision_id"] == decision["decision_id"]) & (signoffs["verdict"] == "approve")
                    & (signoffs["signed_by"] != decision["made_by"])]
    limit = moment(until)
    names = []
    for _, row in rows.assign(_at=rows["signed_at"].map(moment)).sort_values("_at", kind="stable").iterrows():
        if limit is not None and row["_at"] > limit:
            continue
        if row["signed_by"] not in names:
            names.append(row["signed_by"])
    return names


def detail_of(decision, review, signed_by: list[str] | None = None) -> str:
    """The event's detail: the kind, the review (id and title), the decision's text, who made it and
    (for its coming into effect) who signed it. Plain text: every output escapes it."""
    parts = [plain_value(decision["kind"]),
             f"review {plain_value(decision['review_id'])}" + (f" {plain_value(review['title'])}" if review is not None else ""),
             plain_value(decision["detail"]),
             f"made by {plain_value(decision['made_by'])}"]
    if signed_by:
        parts.append(f"approved by {', '.join(signed_by)}")
    return " · ".join(part for part in parts if part)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).astype(object)


def decision_events(decisions: pd.DataFrame, reviews: pd.DataFrame, signoffs: pd.DataFrame, since: dt.date,
                    as_of: dt.date, model_names: dict, model_id: str | None = None) -> pd.DataFrame:
    """The `decision` events of the window (since, as_of] (DESIGN 8 and 12), EVENT_COLUMNS:

    - a decision made in the window: dated the day it was made; after `<summary>: proposed`;
    - a decision that came into effect in the window: dated that day; `<summary>: proposed` ->
      `in effect` (read together: `reclassify to ASL-3: proposed -> in effect`); its detail names
      who approved it.

    On the decision's model (its own, else its review's scenario model); a decision about no model
    is no event of a model and is left out. model_names: model_id -> name (a model the snapshot does
    not hold reads as its id). model_id: only that model's."""
    reviews_by_id = _by_id(reviews, "review_id")
    rows = []
    for _, decision in decisions.iterrows():
        review = reviews_by_id.get(decision["review_id"])
        model = decision_model(decision, review)
        if model is None or (model_id is not None and model != model_id):
            continue
        what = summary(decision, review)
        common = {"kind": KIND, "model_id": model, "model_name": model_names.get(model, model),
                  "review_id": decision["review_id"]}
        made = day_of(decision["made_at"])
        if made is not None and since < made <= as_of:
            rows.append({**common, "event_date": made, "before": None, "after": f"{what}: {PROPOSED}",
                         "detail": detail_of(decision, review)})
        effective = day_of(decision["effective_at"])
        if effective is not None and since < effective <= as_of:
            rows.append({**common, "event_date": effective, "before": f"{what}: {PROPOSED}", "after": IN_EFFECT,
                         "detail": detail_of(decision, review, approvers(decision, signoffs, decision["effective_at"]))})
    return _frame(rows)


def timeline_marks(decisions: pd.DataFrame, reviews: pd.DataFrame, signoffs: pd.DataFrame, as_of: dt.date,
                   model_id: str, model_name: str) -> pd.DataFrame:
    """One mark per decision on the model made by as_of, for its timeline (EVENT_COLUMNS): dated the
    day it was made; after `<summary>: <state as of as_of>` (a decision in effect only after as_of
    reads `proposed`; one made after as_of is not there); detail as decision_events' (with who
    approved it when it is in effect)."""
    reviews_by_id = _by_id(reviews, "review_id")
    decisions_by_id = _by_id(decisions, "decision_id")
    rows = []
    for _, decision in decisions.iterrows():
        review = reviews_by_id.get(decision["review_id"])
        if decision_model(decision, review) != model_id:
            continue
        state = state_on(decision, as_of, decisions_by_id)
        if state is None:
            continue
        signed = approvers(decision, signoffs, decision["effective_at"]) if state == IN_EFFECT else None
        rows.append({"event_date": day_of(decision["made_at"]), "kind": KIND, "model_id": model_id,
                     "model_name": model_name, "before": None, "after": f"{summary(decision, review)}: {state}",
                     "detail": detail_of(decision, review, signed), "review_id": decision["review_id"]})
    return _frame(rows)


def current_state(decision) -> str:
    """The decision's state as the ledger's rows read it (the brief): superseded, rejected, in effect or
    proposed, in that order (state_on's, without a date)."""
    if plain_value(decision["superseded_by"]):
        return SUPERSEDED
    if not _missing(decision["rejections"]) and int(decision["rejections"]) > 0:
        return REJECTED
    return IN_EFFECT if (not _missing(decision["in_effect"]) and bool(decision["in_effect"])) else PROPOSED


@dataclass(frozen=True)
class ReviewsView:
    """The review ledger's views (dashboard/reviews/model.py's frames): what the questions layer
    answers and the brief, the changes and the timeline read. An empty view: no reviews."""
    reviews: pd.DataFrame
    decisions: pd.DataFrame
    signoffs: pd.DataFrame


def scenario_reviews(view: ReviewsView, model_id: str, asl_level: int, snapshot_id: str | None) -> ReviewsView:
    """The reviews of one scenario (DESIGN 12: its model and level, on this snapshot), oldest first,
    with their decisions (in the order made) and those decisions' sign-offs (in the order signed)."""
    reviews = view.reviews
    if not len(reviews) or not snapshot_id:
        return ReviewsView(reviews.iloc[0:0], view.decisions.iloc[0:0], view.signoffs.iloc[0:0])
    levels = reviews["asl"].map(level_of)
    chosen = reviews[(reviews["model_id"] == model_id) & (levels == int(asl_level))
                     & (reviews["snapshot_id"] == snapshot_id)]
    chosen = chosen.assign(_at=chosen["opened_at"].map(moment)).sort_values(["_at", "review_id"], kind="stable")
    decisions = view.decisions[view.decisions["review_id"].isin(chosen["review_id"])]
    decisions = decisions.assign(_at=decisions["made_at"].map(moment)).sort_values("_at", kind="stable")
    signoffs = view.signoffs[view.signoffs["decision_id"].isin(decisions["decision_id"])]
    signoffs = signoffs.assign(_at=signoffs["signed_at"].map(moment)).sort_values("_at", kind="stable")
    return ReviewsView(chosen.drop(columns="_at"), decisions.drop(columns="_at"), signoffs.drop(columns="_at"))
