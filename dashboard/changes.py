"""What changed between two dates (DESIGN section 8), shared by the /changes page, the `changes`
command and the model timeline on /trajectory.

The rules live in two places, each once: queries/changes.sql (evaluation_round, asl_change,
threshold_crossed, onboarding_while_triggered) and status_changes() below, which compares
queries/status.sql run as of `since` and as of `as_of` under the same policy choice.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from dashboard import display, links
from dashboard.params import MAX_PARAM_LENGTH, ParamError, shown
from dashboard.text import digest_text
from dashboard.store import Snapshot

COLUMNS = ["event_date", "kind", "model_id", "model_name", "before", "after", "detail"]
REVIEW_ID = "review_id"  # a decision's review, for its link (the review page); not one of DESIGN 8's columns

# The event kinds of DESIGN section 8, in the order the page and the digest show them: the breach first.
BREACH = "onboarding_while_triggered"
DECISION = "decision"  # a review's decision made or come into effect (DESIGN 12; dashboard/decisions.py)
KINDS = [BREACH, DECISION, "status_change", "asl_change", "threshold_crossed", "evaluation_round"]
KIND_LABELS = {
    BREACH: "Onboarding while triggered (breach of rule 2d)",
    DECISION: "Review decisions",
    "status_change": "Status changes",
    "asl_change": "ASL level changes",
    "threshold_crossed": "Regulatory lines crossed",
    "evaluation_round": "Evaluation rounds",
}

SHORT_LABELS = {BREACH: "Breaches (rule 2d)", DECISION: "Decisions", "status_change": "Status changes", "asl_change": "ASL changes",
                "threshold_crossed": "Regulatory lines", "evaluation_round": "Evaluation rounds"}

DEFAULT_DAYS = 7


def status_changes(before: pd.DataFrame, after: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """status_change events: models whose status as of since (before) differs from their status as of
    as_of (after). Both frames are queries/status.sql output (model_id, name, status) under the same
    policy choice. One row per model that changed, dated as_of; before/after are the two statuses."""
    merged = before[["model_id", "status"]].merge(after[["model_id", "name", "status"]], on="model_id",
                                                  suffixes=("_before", "_after"), validate="one_to_one")
    changed = merged[merged["status_before"].astype(str) != merged["status_after"].astype(str)]
    return pd.DataFrame({
        "event_date": [as_of] * len(changed),
        "kind": "status_change",
        "model_id": changed["model_id"].to_numpy(),
        "model_name": changed["name"].to_numpy(),
        "before": changed["status_before"].to_numpy(),
        "after": changed["status_after"].to_numpy(),
        "detail": None,
    }, columns=COLUMNS)


def sort_events(frame: pd.DataFrame) -> pd.DataFrame:
    """DESIGN section 8's order: event_date descending, then kind, then model_id (then detail and
    after, so that two events of one model, kind and day always come in the same order). The columns
    are COLUMNS, and review_id when the frame has it (the decisions' events)."""
    keys = frame.assign(_detail=frame["detail"].fillna(""), _after=frame["after"].fillna(""))
    ordered = keys.sort_values(["event_date", "kind", "model_id", "_detail", "_after"],
                               ascending=[False, True, True, True, True], kind="stable")
    return ordered[_columns_of(frame)].reset_index(drop=True)


def _columns_of(frame: pd.DataFrame) -> list[str]:
    return [*COLUMNS, REVIEW_ID] if REVIEW_ID in frame.columns else COLUMNS


def first_date(snap: Snapshot) -> dt.date | None:
    value = snap.query("data_first_date")["first_date"].iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value).date()


def resolve_since(since_text: str | None, as_of: dt.date, earliest: dt.date | None, *,
                  default_days: int | None = DEFAULT_DAYS) -> dt.date:
    """Validate the start of a window (since, as_of]. Without a value: as_of minus default_days (when
    allowed). A since on or after as_of, before the data or malformed raises ParamError."""
    if since_text is None or since_text == "":
        if default_days is None:
            raise ParamError("no since date given: give the start of the window as YYYY-MM-DD")
        since = as_of - dt.timedelta(days=default_days)
    else:
        example = (as_of - dt.timedelta(days=DEFAULT_DAYS)).isoformat()
        if len(since_text) > MAX_PARAM_LENGTH or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since_text):
            raise ParamError(f"since {shown(since_text)} is not a date: write it as YYYY-MM-DD, for example {example}")
        try:
            since = dt.date.fromisoformat(since_text)
        except ValueError:
            raise ParamError(f"since {shown(since_text)} is not a real calendar date (YYYY-MM-DD)") from None
    return check_window(since, as_of, earliest)


def check_window(since: dt.date, as_of: dt.date, earliest: dt.date | None) -> dt.date:
    if since >= as_of:
        raise ParamError(f"since {since.isoformat()} is not before the as-of date {as_of.isoformat()}: "
                         "the window (since, as of] would be empty; choose an earlier since date")
    if earliest is not None and since < earliest - dt.timedelta(days=1):
        raise ParamError(f"since {since.isoformat()} is before the data: its first date is {earliest.isoformat()}, "
                         f"so choose {(earliest - dt.timedelta(days=1)).isoformat()} or later")
    return since


def changes_frame(snap: Snapshot, since: dt.date, as_of: dt.date, policy_id: str | None,
                  model_id: str | None = None) -> pd.DataFrame:
    """Every event in (since, as_of], DESIGN section 8's columns and order."""
    events = snap.query("changes", since=since, as_of=as_of, model_id=model_id, policy_id=policy_id)
    before = snap.query("status", as_of=since, policy_id=policy_id)
    after = snap.query("status", as_of=as_of, policy_id=policy_id)
    if model_id is not None:
        before, after = before[before["model_id"] == model_id], after[after["model_id"] == model_id]
    return combine([events, status_changes(before, after, as_of)])


def model_timeline(snap: Snapshot, model_id: str, as_of: dt.date, policy_id: str | None) -> pd.DataFrame:
    """One model's events over all time up to as_of, for the timeline on /trajectory: every kind of
    DESIGN 8 in the window from the day before the data starts to as_of (changes_frame: its
    status_change compares the status before the data, no_checkpoint, with the status as of as_of),
    and per month the deployments started and ended (kind `deployments`, dated the month's first day)."""
    first = first_date(snap)
    start = (first or as_of) - dt.timedelta(days=1)
    if start >= as_of:
        return combine([])
    events = changes_frame(snap, start, as_of, policy_id, model_id)
    monthly = snap.query("model_deployments_by_month", model_id=model_id, as_of=as_of)
    name = snap.query("model_detail", model_id=model_id)["name"]
    deployments = pd.DataFrame({
        "event_date": monthly["month"].map(lambda value: pd.Timestamp(value).date()),
        "kind": "deployments", "model_id": model_id, "model_name": name.iloc[0] if len(name) else model_id,
        "before": None, "after": None,
        "detail": [f"{started} started, {ended} ended in {pd.Timestamp(month):%Y-%m}"
                   for month, started, ended in zip(monthly["month"], monthly["started"], monthly["ended"])],
    }, columns=COLUMNS)
    return combine([events, deployments])


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The events of frames in one frame, DESIGN 8's order; with review_id when any frame has it."""
    columns = [*COLUMNS, REVIEW_ID] if any(REVIEW_ID in frame.columns for frame in frames) else COLUMNS
    parts = [frame.reindex(columns=columns).astype(object) for frame in frames if len(frame)]
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    frame = pd.concat(parts, ignore_index=True)
    frame["event_date"] = frame["event_date"].map(lambda value: pd.Timestamp(value).date())
    frame = frame.astype({"before": object, "after": object, "detail": object})
    return sort_events(frame.where(frame.notna(), None))


def counts(frame: pd.DataFrame) -> dict[str, int]:
    """Events per kind, every kind listed (zero included), in KINDS order."""
    found = frame["kind"].value_counts()
    return {kind: int(found.get(kind, 0)) for kind in KINDS}


def with_decisions(events: pd.DataFrame, decision_events: pd.DataFrame) -> pd.DataFrame:
    """The snapshot's events and the reviews' decision events (dashboard/decisions.py) in one frame,
    DESIGN 8's order, with review_id (empty but on the decisions' rows)."""
    return combine([events.assign(**{REVIEW_ID: None}), decision_events])


def event_path(model_id: str, event_date, review_id, policy_id: str | None, snapshot_id: str | None) -> str:
    """Where an event links: a decision's review page, else the model's trajectory as of the event date
    (on the same snapshot)."""
    if isinstance(review_id, str) and review_id:
        return links.review(review_id)
    return links.trajectory_path(model_id, event_date, policy_id, snapshot_id)


def with_links(frame: pd.DataFrame, policy_id: str | None, snapshot_id: str | None = None) -> pd.DataFrame:
    """The events (COLUMNS) with a last column `link`: the path of the model's trajectory as of the
    event date (on the same snapshot), or of a decision's review page."""
    reviews = frame[REVIEW_ID] if REVIEW_ID in frame.columns else [None] * len(frame)
    out = frame[COLUMNS].copy()
    out["link"] = [event_path(model, date, review, policy_id, snapshot_id)
                   for model, date, review in zip(out["model_id"], out["event_date"], reviews)]
    return out


# --- The digest (Markdown for a chat channel or an e-mail) ------------------------------------

def digest(frame: pd.DataFrame, *, since: dt.date, as_of: dt.date, info: dict, policy_id: str | None,
           base_url: str | None, policies: pd.DataFrame | None = None) -> str:
    """The changes as a Markdown digest: a title with the window and snapshot, counts per kind, then
    the events grouped by kind, each with its link (base_url + path, or the path alone). base_url comes
    from dashboard.links.public_base_url; the path's values are percent-encoded, so no ( ) [ ] < > or space.
    The policy reads by its name and source (policies: the policies question); its id stays in the links."""
    base = links.link_base(base_url)  # validated: nothing in it can end a Markdown link
    snapshot_date = pd.Timestamp(info["snapshot_date"]).date().isoformat()
    policy = (f"policy {digest_text(display.policy_with_source(policies, policy_id))}" if policy_id
              else "each model's own policy")
    lines = [f"## What changed from {since.isoformat()} to {as_of.isoformat()}",
             "",
             f"Window: after {since.isoformat()}, up to and including {as_of.isoformat()} · "
             f"data set {digest_text(info.get('dataset'))}, snapshot "
             + (f"{info['snapshot_id']} " if info.get("snapshot_id") else "") + f"of {snapshot_date} · {policy}",
             ""]
    total = len(frame)
    if total == 0:
        lines.append("No changes in this window.")
        return "\n".join(lines) + "\n"
    tally = counts(frame)
    lines.append(f"**{total} event{'s' if total != 1 else ''}**: "
                 + " · ".join(f"{KIND_LABELS[kind]} {tally[kind]}" for kind in KINDS))
    for kind in KINDS:
        group = frame[frame["kind"] == kind]
        if group.empty:
            continue
        lines += ["", f"### {KIND_LABELS[kind]}: {len(group)}", ""]
        for row in group.itertuples(index=False):
            review_id = getattr(row, REVIEW_ID, None)
            path = event_path(row.model_id, row.event_date, review_id, policy_id, info.get("snapshot_id"))
            label = "review" if isinstance(review_id, str) and review_id else "trajectory"
            link = f"[{label}]({base}{path})" if base else f"`{path}`"
            change = ""
            if row.before is not None or row.after is not None:
                change = (f": {digest_text(row.before)} → {digest_text(row.after)}" if row.before is not None
                          else f": {digest_text(row.after)}")
            detail = f" · {digest_text(row.detail)}" if row.detail is not None else ""
            lines.append(f"- {row.event_date.isoformat()} · {digest_text(row.model_name)} "
                         f"({digest_text(row.model_id)}){change}{detail} · {link}")
    return "\n".join(lines) + "\n"
