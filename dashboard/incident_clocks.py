"""The clocks an incident starts (DESIGN 12): the obligations with clock after_awareness, per review
that records an incident. Pure: the obligations (the snapshot's), the reviews and reports (the
ledger's, dashboard/reviews/model.py) and the time `at` in, one row per clock out."""
from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import pandas as pd

COLUMNS = ["review_id", "title", "obligation_id", "obligation_name", "jurisdiction", "incident_category", "aware_at",
           "due_at", "hours_left", "done_at", "reported_by", "reference", "state"]
STATES = ("overdue", "due", "done_late", "done")
STATE_LABELS = {"overdue": "Overdue", "due": "Due", "done_late": "Done late", "done": "Done"}
AWARENESS_CLOCK = "after_awareness"


def utc_time(value) -> pd.Timestamp | None:
    """An ISO 8601 time (or a datetime) as a UTC timestamp; a time without a zone is taken as UTC.
    None for an empty or unreadable value."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return None
    if stamp is pd.NaT:
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def category_words(categories) -> frozenset[str]:
    """An obligation's categories: the published text ("a;b") or a list of words."""
    if categories is None or (isinstance(categories, float) and math.isnan(categories)):
        return frozenset()
    items = categories.split(";") if isinstance(categories, str) else list(categories)
    return frozenset(str(item).strip() for item in items if str(item).strip())


def _applies_from(value) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10]) if value.strip() else None
    return pd.Timestamp(value).date()


def _first_reports(reports: pd.DataFrame, at: pd.Timestamp) -> dict[tuple[str, str], dict]:
    """Per (review, obligation): the earliest report made on or before `at` (as of `at`, a later one
    is not known yet); on equal times the one recorded first."""
    first: dict[tuple[str, str], dict] = {}
    for report in reports.to_dict("records"):
        when = utc_time(report.get("reported_at"))
        if when is None or when > at:
            continue
        key = (str(report["review_id"]), str(report["obligation_id"]))
        if key not in first or when < first[key]["when"]:
            first[key] = {**report, "when": when}
    return first


def incident_clocks(obligations: pd.DataFrame, reviews: pd.DataFrame, reports: pd.DataFrame,
                    at: dt.datetime) -> pd.DataFrame:
    """One row per review with an incident (incident_category and aware_at set, aware_at on or before
    `at`: as of a past day, an incident learnt of later starts nothing yet) and obligation with
    clock after_awareness whose categories hold the review's incident_category and whose applies_from
    (empty: always) is on or before aware_at's date (UTC).

    due_at = aware_at + deadline_hours (UTC); done_at: the earliest report for that review and
    obligation made on or before `at`, with who reported it and its reference; state: done (done_at
    <= due_at), done_late, overdue (no report and due_at < at), due (no report, due_at >= at);
    hours_left = due_at - at in hours for an open (due or overdue) clock, negative when overdue,
    empty when done. Sorted soonest due first (then review, obligation)."""
    now = utc_time(at)
    if now is None:
        raise ValueError("incident_clocks needs the time `at`")
    rules = [rule for rule in obligations.to_dict("records") if rule.get("clock") == AWARENESS_CLOCK]
    first = _first_reports(reports, now) if len(reports) else {}
    rows = []
    for review in reviews.to_dict("records"):
        category = review.get("incident_category")
        aware_at = utc_time(review.get("aware_at"))
        if not isinstance(category, str) or not category.strip() or aware_at is None or aware_at > now:
            continue  # no incident, or one the lab was not aware of yet at `at` (DESIGN 4a)
        category = category.strip()
        for rule in rules:
            applies_from = _applies_from(rule.get("applies_from"))
            if category not in category_words(rule.get("categories")):
                continue
            if applies_from is not None and aware_at.date() < applies_from:
                continue
            due_at = aware_at + pd.Timedelta(hours=int(rule["deadline_hours"]))
            report = first.get((str(review["review_id"]), str(rule["obligation_id"])))
            if report is not None:
                state = "done" if report["when"] <= due_at else "done_late"
                hours_left = None
            else:
                state = "overdue" if due_at < now else "due"
                hours_left = (due_at - now) / pd.Timedelta(hours=1)
            rows.append({
                "review_id": review["review_id"], "title": review.get("title"),
                "obligation_id": rule["obligation_id"], "obligation_name": rule.get("name"),
                "jurisdiction": rule.get("jurisdiction"), "incident_category": category,
                "aware_at": aware_at, "due_at": due_at, "hours_left": hours_left,
                "done_at": report["when"] if report is not None else None,
                "reported_by": report.get("reported_by") if report is not None else None,
                "reference": report.get("reference") if report is not None else None,
                "state": state})
    rows.sort(key=lambda row: (row["due_at"], str(row["review_id"]), str(row["obligation_id"])))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("aware_at", "due_at", "done_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["hours_left"] = pd.to_numeric(frame["hours_left"]).astype("float64")
    for column in ("reported_by", "reference"):  # no report: None, as the ledger's own empty values
        frame[column] = pd.Series([row[column] for row in rows], index=frame.index, dtype=object)
    return frame


def utc_text(value) -> str:
    """A time as people read it on the page, the command and the CSV: "2026-12-09 14:00 UTC"."""
    stamp = utc_time(value)
    return "" if stamp is None else f"{stamp:%Y-%m-%d %H:%M} UTC"


def hours_left_text(state: str, hours_left) -> str:
    """Whole hours left, or overdue by, in words: a time already past never reads as a deadline ahead."""
    if state not in ("due", "overdue") or hours_left is None or pd.isna(hours_left):
        return ""
    if state == "overdue" or hours_left < 0:
        hours = math.floor(-hours_left)
        return "overdue by less than 1 h" if hours < 1 else f"overdue by {hours:,} h"
    hours = math.floor(hours_left)
    return "less than 1 h left" if hours < 1 else f"{hours:,} h left"


# The columns of `asl-dashboard obligations --incidents` and the page's CSV (docs/cli.md), in this order.
CLI_COLUMNS = ["review_id", "title", "obligation_id", "obligation_name", "jurisdiction", "incident_category",
               "aware_at", "due_at", "hours_left", "left_or_overdue", "hours_left_at", "state", "done_at",
               "reported_by", "reference"]


class ClockTime(NamedTuple):
    """The time the clocks are read at, and how the page and the CSV say it."""
    at: pd.Timestamp
    text: str  # "2026-12-07 07:10 UTC"
    statement: str  # "hours left at 2026-12-07 07:10 UTC (now)"


def clock_time(now: dt.datetime, as_of: dt.date | None = None) -> ClockTime:
    """The wall clock (UTC) by default; with an as_of date given, the end of that day (midnight UTC
    after it), never later than now: a time not reached yet would call clocks overdue that are not."""
    now_utc = utc_time(now)
    if as_of is not None:
        day_end = pd.Timestamp(as_of + dt.timedelta(days=1), tz="UTC")
        if day_end < now_utc:
            text = utc_text(day_end)
            return ClockTime(day_end, text, f"hours left at the end of {as_of:%Y-%m-%d} ({text})")
    text = utc_text(now_utc)
    return ClockTime(now_utc, text, f"hours left at {text} (now)")


def clocks_table(clocks: pd.DataFrame, at_text: str) -> pd.DataFrame:
    """The clocks as the command and the CSV give them (CLI_COLUMNS): times as "YYYY-MM-DD HH:MM UTC",
    hours left to a tenth (empty when done) and in words, and the time they were read at."""
    table = clocks.copy()
    for column in ("aware_at", "due_at", "done_at"):
        table[column] = [utc_text(value) for value in clocks[column]]
    table["left_or_overdue"] = [hours_left_text(state, hours) for state, hours in zip(clocks["state"], clocks["hours_left"])]
    table["hours_left"] = [None if pd.isna(hours) else round(float(hours), 1) for hours in clocks["hours_left"]]
    table["hours_left_at"] = at_text
    return table[CLI_COLUMNS].reset_index(drop=True)
