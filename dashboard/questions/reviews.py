"""Reviews (DESIGN 12): the ledger a page or a command uses, the reviews and one review's decisions,
sign-offs and reports, the chain's verification, and a new review's view checked against its
snapshot. Pages and commands ask here, never the ledger directly.

The ledger is not a snapshot: its answers are never cached (every write changes them)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from dashboard import changes, display, settings
from dashboard import store as store_module
from dashboard.decisions import ReviewsView, decision_events, timeline_marks
from dashboard.incident_clocks import clocks_table, hours_left_text, utc_text
from dashboard.params import ParamError, shown
from dashboard.questions import changes as changes_questions
from dashboard.questions import question
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions import trajectory as trajectory_questions
from dashboard.questions.obligations import incident_clock_rows
from dashboard.questions.reclassify import Scenario, decision_summary, resolve_scenario
from dashboard.questions.snapshot import ViewScope, resolve_scope
from dashboard.questions.status import status_frame
from dashboard.reviews.actions import (MAX_TEXT, MAX_TITLE, ReviewRefused, close_review, decide, open_review,
                                      record_report as record_report_entry, sign)
from dashboard.reviews.ledger import Ledger, LedgerError, is_postgres, ledger_location, open_ledger
from dashboard.reviews.model import (
    DECISION_COLUMNS,
    DECISION_KINDS,
    REPORT_COLUMNS,
    REVIEW_COLUMNS,
    SIGNOFF_COLUMNS,
    STATES,
    decisions_frame,
    reports_frame,
    reviews_frame,
    signoffs_frame,
)
from dashboard.snapshots import PinsUnknown
from dashboard.store import Snapshot, store_path

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


@question(["safeguard_id", "name", "kind"])
def safeguards(snap: Snapshot) -> pd.DataFrame:
    """Every safeguard the snapshot defines."""
    return snap.query("safeguards")


def check_decision_values(snap: Snapshot, model_text: str | None, asl_text: str | None,
                          safeguard_text: str | None = None, as_of: dt.date | None = None) -> None:
    """A decision's model, level and safeguard checked against its review's snapshot (ParamError,
    one line). A reclassify decision's level must be above the model's level as of the review's date."""
    if model_text or asl_text:
        resolve_scenario(snap, model_text, asl_text, None, partial=True, as_of=as_of)
    if safeguard_text and safeguard_text not in set(safeguards(snap)["safeguard_id"]):
        raise ParamError(f"safeguard {shown(safeguard_text)} is unknown in the review's snapshot")


# --- The pages: /reviews and /review (what they read, what they write) ------------------------------

# What a page refuses in one line: an action refused, the ledger unreachable, a value the snapshot
# does not know (ParamError also covers an invalid ASL_REVIEW_APPROVALS).
REFUSALS = (ReviewRefused, LedgerError, ParamError)
TITLE_LIMIT = MAX_TITLE
TEXT_LIMIT = MAX_TEXT
PAGE_LIST_COLUMNS = LIST_COLUMNS + ["decisions", "in_effect", "scenario", "next_clock", "next_due_at"]
OPEN_CLOCK_STATES = ("due", "overdue")
# The incident categories DESIGN 12's bundled obligations name, offered by the new review's form.
INCIDENT_CATEGORIES = ("critical_safety_incident", "imminent_risk", "critical_infrastructure", "cybersecurity",
                       "weights_exfiltration", "death", "serious_harm")


def page_ledger() -> str:
    """The ledger the pages read and write: $ASL_REVIEWS_URL, else the file beside the store."""
    return ledger_location(None, store_path())


def _kept(location: str) -> bool:
    """Whether the ledger may hold anything: reading never creates the local file."""
    return is_postgres(location) or "://" in location or Path(location).expanduser().is_file()


def _entries_at(location: str) -> pd.DataFrame | None:
    """Every row of the ledger at location; None when it is a file that does not exist (no reviews)."""
    if not _kept(location):
        return None
    with open_ledger(location) as ledger:
        return ledger.entries()


def present(value):
    """A ledger value, or None for a missing one (None, NaN, NA or an empty text)."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else value


def scenario_text(model_id, asl_level, domain) -> str:
    """A review's scenario in words: "base to ASL-3 (cyber)", "base", or ""."""
    model_id, domain = (value if isinstance(value, str) and value else None for value in (model_id, domain))
    if model_id is None:
        return ""
    if asl_level is None or pd.isna(asl_level):
        return model_id
    return f"{model_id} to ASL-{int(asl_level)}" + (f" ({domain})" if domain else "")


def _clocks(snap: Snapshot | None, entries: pd.DataFrame, at) -> pd.DataFrame:
    """The incident clocks of the ledger's reviews (dashboard/incident_clocks.py), the obligations read
    from snap, at `at`; none without a snapshot or a time."""
    if snap is None or at is None or entries.empty:
        return pd.DataFrame(columns=incident_clock_rows.columns)
    # A review's state (which needs the lab's number of approvals) does not move its clocks.
    return incident_clock_rows(snap, reviews_frame(entries, settings.DEFAULT_APPROVALS), reports_frame(entries), at)


def review_list(location: str, approvals_needed: int, snap: Snapshot | None = None, at=None) -> pd.DataFrame:
    """reviews_list for the /reviews page (PAGE_LIST_COLUMNS): with each review's number of decisions,
    how many are in effect, its scenario in words, and its soonest open incident clock (due or overdue
    at `at`, the obligations read from snap) in words and its due time. Open first, then decided, then
    closed; within each, the soonest open clock first, then the reviews without one, newest first."""
    entries = _entries_at(location)
    if entries is None:
        listed, decisions = pd.DataFrame(columns=LIST_COLUMNS), pd.DataFrame(columns=DECISION_COLUMNS)
        clocks = pd.DataFrame(columns=incident_clock_rows.columns)
    else:
        listed = reviews_frame(entries, approvals_needed)[LIST_COLUMNS]
        decisions = decisions_frame(entries, approvals_needed)
        clocks = _clocks(snap, entries, at)
    made = decisions.groupby("review_id").size()
    effective = decisions[decisions["in_effect"].astype(bool)].groupby("review_id").size()
    running = clocks[clocks["state"].isin(OPEN_CLOCK_STATES)].sort_values("due_at", kind="stable")
    soonest = {row["review_id"]: row for row in running.drop_duplicates("review_id").to_dict("records")}
    due_at = pd.to_datetime(pd.Series([soonest[review_id]["due_at"] if review_id in soonest else None
                                       for review_id in listed["review_id"]], index=listed.index, dtype=object),
                            utc=True)
    listed = listed.assign(
        decisions=listed["review_id"].map(made).fillna(0).astype("int64"),
        in_effect=listed["review_id"].map(effective).fillna(0).astype("int64"),
        scenario=[scenario_text(model, level, domain)
                  for model, level, domain in zip(listed["model_id"], listed["asl"], listed["domain"])],
        next_clock=[f"{soonest[review_id]['obligation_id']}: "
                    f"{hours_left_text(soonest[review_id]['state'], soonest[review_id]['hours_left'])}"
                    if review_id in soonest else "" for review_id in listed["review_id"]],
        next_due_at=[utc_text(value) for value in due_at],
        _order=listed["state"].map({state: rank for rank, state in enumerate(STATES)}),
        _due=due_at, _number=-listed["review_id"].str[1:].astype("int64"))
    return listed.sort_values(["_order", "_due", "_number"], na_position="last", kind="stable").reset_index(
        drop=True)[PAGE_LIST_COLUMNS]


def review_clocks(location: str, snap: Snapshot | None, review_id: str, at) -> pd.DataFrame:
    """The incident clocks of one review as the command and the CSV give them (clocks_table's columns),
    the obligations read from snap, at `at` (a pd.Timestamp, UTC); soonest due first."""
    entries = _entries_at(location) if snap is not None else None
    if entries is None:
        clocks = pd.DataFrame(columns=incident_clock_rows.columns)
    else:
        clocks = _clocks(snap, entries, at)
        clocks = clocks[clocks["review_id"] == review_id]
    return clocks_table(clocks, utc_text(at))


def review_record(location: str, review_id: str, approvals_needed: int) -> ReviewDetail | None:
    """review_detail for the /review page; None when the ledger holds no review of that id."""
    if not _kept(location):
        return None
    with open_ledger(location) as ledger:
        try:
            return review_detail(ledger, review_id, approvals_needed)
        except ReviewRefused:
            return None


def record_review(location: str, snap: Snapshot, scope: ViewScope, *, actor: str, title: str, model_id=None,
                  asl=None, domain=None, incident_category=None, aware_at=None) -> str:
    """Open a review pinned to this view (its snapshot, as-of date and policy), its scenario checked
    against that snapshot as the command line checks it; the new review's id."""
    view = check_review_view(snap, scope.as_of.isoformat(), scope.policy_id, model_id,
                             None if asl is None else str(asl), domain)
    scenario = view.scenario
    with open_ledger(location) as ledger:
        return open_review(ledger, actor=actor, title=title, snapshot_id=view.snapshot_id,
                           as_of=view.scope.as_of.isoformat(), policy=view.scope.policy_id,
                           model_id=scenario.model_id if scenario else None,
                           asl=scenario.asl_level if scenario else None, domain=scenario.domain if scenario else None,
                           incident_category=incident_category, aware_at=aware_at)


def record_decision(location: str, snap: Snapshot | None, as_of: dt.date, review_id: str, *, actor: str, kind: str,
                    detail: str, model_id=None, asl=None, **fields) -> str:
    """Record a decision of a review, its model and level checked against the review's snapshot (when
    it is still kept); the decision's id."""
    if snap is not None:
        check_decision_values(snap, model_id, None if asl is None else str(asl),
                              safeguard_text=fields.get("safeguard_id"), as_of=as_of)
    with open_ledger(location) as ledger:
        return decide(ledger, review_id, actor=actor, kind=kind, detail=detail, model_id=model_id, asl=asl, **fields)


def record_signoff(location: str, decision_id: str, *, actor: str, approve: bool, comment: str = "") -> str:
    """Approve or reject a decision (its maker is refused); the sign-off's id."""
    with open_ledger(location) as ledger:
        return sign(ledger, decision_id, actor=actor, approve=approve, comment=comment)


def record_close(location: str, review_id: str, *, actor: str) -> str:
    with open_ledger(location) as ledger:
        return close_review(ledger, review_id, actor=actor)


def record_report(location: str, review_id: str, *, actor: str, obligation_id: str, reference: str,
                  reported_at: str | None = None) -> str:
    """Record that the incident's report under an obligation was made (its clock is then done), when
    (ISO 8601 with a zone; empty: now) and its reference; the report's id."""
    with open_ledger(location) as ledger:
        return record_report_entry(ledger, review_id, actor=actor, obligation_id=obligation_id, reference=reference,
                                   reported_at=reported_at or None)


def pinned_figures(snap: Snapshot, scope: ViewScope, model_id: str | None, asl_level, domain: str | None) -> dict:
    """The pinned view's headline figures (DESIGN 12): the scenario model's status as of the pinned date
    in the pinned snapshot and its figures (display.headline), and for a scenario the live deployments
    at risk (their action is not `covered`) and the models whose onboarding halts. {} without a model;
    "problem" names what cannot be shown."""
    if not model_id:
        return {}
    status = status_frame(snap, scope)
    found = status[status["model_id"] == model_id]
    if found.empty:
        return {"problem": f"model {model_id} is not in the pinned snapshot"}
    row = found.iloc[0]
    figures = {"status": row["status"], "headline": display.headline(row, scope.as_of)}
    if asl_level is None or pd.isna(asl_level):
        return figures
    try:
        scenario = resolve_scenario(snap, model_id, str(int(asl_level)), domain, as_of=scope.as_of)
    except ParamError as error:
        return {**figures, "problem": str(error)}
    summary = decision_summary(snap, scope, scenario)
    actions = summary["actions"]
    return {**figures, "at_risk": sum(count for action, count in actions.items() if action != "covered"),
            "live": sum(actions.values()), "halted": len(summary["halted_models"])}


def decision_standing(decisions: pd.DataFrame, approvals_needed: int) -> list[str]:
    """Where each decision stands, in words: "in effect since T", "superseded by D9", "rejected (1)",
    "awaiting N more approval(s)"."""
    standing = []
    for row in decisions.to_dict("records"):
        if row["superseded_by"]:
            standing.append(f"superseded by {row['superseded_by']}")
        elif row["in_effect"]:
            standing.append(f"in effect since {row['effective_at']}")
        elif row["rejections"]:
            standing.append(f"rejected ({int(row['rejections'])})")
        else:
            missing = max(0, approvals_needed - int(row["approvals"]))
            standing.append(f"awaiting {missing} more approval{'' if missing == 1 else 's'}")
    return standing


def decision_target(decision: dict) -> str:
    """What a decision acts on, after its kind: ": base to ASL-3", ": base", ": sg-1 (owner O, due D)"."""
    def given(name):
        return present(decision.get(name))

    if decision["kind"] == "reclassify" and given("model_id") and given("asl") is not None:
        return f": {given('model_id')} to ASL-{int(given('asl'))}"
    if decision["kind"] == "add_safeguard" and given("safeguard_id"):
        extra = ", ".join(part for part in (f"owner {given('owner')}" if given("owner") else "",
                                            f"due {given('due_on')}" if given("due_on") else "") if part)
        return f": {given('safeguard_id')}" + (f" ({extra})" if extra else "")
    return f": {given('model_id')}" if given("model_id") else ""


# --- Decisions over time: changes, a model's timeline, the brief, retention (dashboard/decisions.py) ----

def no_reviews() -> ReviewsView:
    """An empty view: no reviews (what a page shows beside the one line saying the ledger could not be read)."""
    return ReviewsView(pd.DataFrame(columns=REVIEW_COLUMNS), pd.DataFrame(columns=DECISION_COLUMNS),
                       pd.DataFrame(columns=SIGNOFF_COLUMNS))


def ledger_entries(store: Path | None = None, explicit: str | None = None) -> pd.DataFrame | None:
    """Every row of the store's ledger (explicit, else $ASL_REVIEWS_URL, else the file beside the
    store; store None: the pages' store); None when that file does not exist: no reviews (reading
    never creates a ledger). LedgerError (one line) when the ledger cannot be read."""
    return _entries_at(ledger_location(explicit, Path(store) if store is not None else store_module.store_path()))


def view_of(entries: pd.DataFrame | None, until: dt.date | None = None,
            approvals_needed: int | None = None) -> ReviewsView:
    """The reviews, decisions and sign-offs as the ledger's rows stood at the end of the UTC day until
    (None: every row). A superseded decision keeps the time it came into effect (the ledger's view
    empties it once superseded; dashboard/decisions.py reads its history from it)."""
    if entries is None or not len(entries):
        return no_reviews()
    if until is not None:
        entries = entries[entries["recorded_at"].str[:10] <= until.isoformat()]
    needed = _needed(approvals_needed)
    made = decisions_frame(entries, needed)
    for index in made.index[made["superseded_by"].notna()]:
        # The decision as it stood without its correction: when it came into effect.
        without = decisions_frame(entries[entries["entry_id"] != made.at[index, "superseded_by"]], needed)
        made.at[index, "effective_at"] = without.set_index("decision_id").at[made.at[index, "decision_id"], "effective_at"]
    return ReviewsView(reviews_frame(entries, needed), made, signoffs_frame(entries))


def reviews_view(store: Path | None = None, explicit: str | None = None, until: dt.date | None = None) -> ReviewsView:
    """The store's ledger (store None: the pages' store) as its rows stood at the end of the day until
    (view_of); no ledger file: no reviews. LedgerError (one line) when the ledger cannot be read."""
    return view_of(ledger_entries(store, explicit), until)


def _model_names(snap: Snapshot) -> dict:
    models = snapshot_questions.models(snap)
    return dict(zip(models["model_id"], models["name"]))


def changes_with_decisions(snap: Snapshot, scope: ViewScope, since: dt.date, view: ReviewsView) -> pd.DataFrame:
    """The changes of (since, as of] (DESIGN 8) and the reviews' decision events (kind `decision`),
    with review_id (changes.with_decisions). view: reviews_view(..., until=scope.as_of)."""
    events = changes_questions.changes_frame(snap, scope, since)
    return changes.with_decisions(events, decision_events(
        view.decisions, view.reviews, view.signoffs, since, scope.as_of, _model_names(snap)))


def timeline_with_decisions(snap: Snapshot, scope: ViewScope, model_id: str, view: ReviewsView) -> pd.DataFrame:
    """The model's timeline (DESIGN 8 kinds, deployments per month) and its decisions as they stood
    on the view's date, one mark each (decisions.timeline_marks). view: reviews_view(..., until=scope.as_of)."""
    events = trajectory_questions.timeline(snap, scope, model_id)
    name = _model_names(snap).get(model_id, model_id)
    return changes.with_decisions(events, timeline_marks(
        view.decisions, view.reviews, view.signoffs, scope.as_of, model_id, name))


def pinned_snapshot_ids(store: Path, explicit: str | None = None) -> frozenset[str]:
    """The snapshots the store's reviews pin (DESIGN 11 and 12: every review's, open or closed; a
    review is never removed). No ledger file: none. PinsUnknown (one line, no password) when the
    ledger cannot be read: then the retention rule removes nothing."""
    try:
        entries = ledger_entries(store, explicit)
    except LedgerError as error:
        raise PinsUnknown(f"{error} (so the snapshots its reviews pin are unknown)") from None
    reviews = view_of(entries).reviews
    return frozenset(value for value in reviews["snapshot_id"] if isinstance(value, str) and value)
