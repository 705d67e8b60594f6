"""Validation of view parameters (as_of, policy, snapshot, model, asl, domain, a review id) for the CLI and
the pages.

Every value arrives as untrusted text (a URL or a command line). A bad one raises ParamError with a
one-line message for people; nothing is ever formatted into SQL or rendered as HTML. (How values are
escaped for each output is dashboard/text.py.)
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from dashboard.snapshots import is_snapshot_id

MAX_PARAM_LENGTH = 200
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ParamError(ValueError):
    """A parameter value that does not name anything valid. str(error) is shown to people."""


def shown(value: str) -> str:
    """A value quoted for a message: shortened, control characters made visible."""
    text = value if len(value) <= 60 else value[:57] + "..."
    return repr(text)


# The as-of dates a view accepts (the pages' date picker offers the same range).
AS_OF_MIN = dt.date(1950, 1, 1)
AS_OF_MAX = dt.date(2200, 12, 31)


def single_value(name: str, values: list[str]) -> str | None:
    """A URL parameter that takes one value: None when absent; refused when repeated or overlong."""
    if not values:
        return None
    if len(values) > 1:
        raise ParamError(f"{name} is given {len(values)} times in the link: give it once")
    value = values[0]
    if len(value) > MAX_PARAM_LENGTH:
        raise ParamError(f"{name} is {len(value):,} characters long: that is not a valid value")
    return value


def check_choice_values(name: str, values: list[str], allowed) -> None:
    """A multi-valued parameter (a bound multiselect): every value must be one of allowed.
    Streamlit would silently drop an unknown value; a pasted link deserves a clear message."""
    allowed = {str(value) for value in allowed}
    for value in values:
        if len(value) > MAX_PARAM_LENGTH:
            raise ParamError(f"{name} is {len(value):,} characters long: that is not a valid value")
        if value and value not in allowed:
            known = ", ".join(sorted(allowed)[:12]) + (" ..." if len(allowed) > 12 else "")
            raise ParamError(f"{name} {shown(value)} is not one of: {known}")


def check_flag_value(name: str, value: str | None) -> None:
    """A toggle in the URL: true or false."""
    if value is not None and value not in ("true", "false"):
        raise ParamError(f"{name} {shown(value)} must be true or false")


def check_model(text: str | None, model_ids) -> str | None:
    if text is None or text == "":
        return None
    if text not in set(model_ids):
        raise ParamError(f"model {shown(text)} is unknown in this snapshot: pick one from the list")
    return text


def parse_as_of(text: str | None, default: dt.date) -> dt.date:
    """The one as-of date validator of the pages and the CLI: YYYY-MM-DD, a real calendar date,
    within AS_OF_MIN..AS_OF_MAX. Empty: default (the snapshot's own date)."""
    if text is None or text == "":
        return default
    if len(text) > MAX_PARAM_LENGTH or not _DATE.fullmatch(text):
        raise ParamError(f"as_of {shown(text)} is not a date: write it as YYYY-MM-DD, for example {default.isoformat()}")
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise ParamError(f"as_of {shown(text)} is not a real calendar date (YYYY-MM-DD)") from None
    if not AS_OF_MIN <= value <= AS_OF_MAX:
        raise ParamError(f"as_of {shown(text)} is outside the years {AS_OF_MIN.year} to {AS_OF_MAX.year}")
    return value


def as_of_notice(as_of: dt.date, snapshot_date: dt.date | None) -> str | None:
    """What a view must say when its as-of date is after the snapshot's own date (None otherwise):
    such a date is accepted, but the data stops at the snapshot's date. The pages show it as a
    warning, the CLI prints it on stderr."""
    if snapshot_date is None or as_of <= snapshot_date:
        return None
    return (f"as of {as_of.isoformat()} is after the snapshot's date {snapshot_date.isoformat()}: "
            "nothing after that date is known")


def check_policy(text: str | None, policies: pd.DataFrame) -> str | None:
    if text is None or text == "":
        return None
    if text not in set(policies["policy_id"]):
        known = ", ".join(policies["policy_id"])
        raise ParamError(f"policy {shown(text)} is unknown: choose one of {known}")
    return text


_POLICY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def carried_scope(values: dict[str, list[str]]) -> dict:
    """The view's as_of, policy and snapshot (each name's values from the address bar) for links to
    the other pages, so a page switch keeps the pinned view. A malformed or repeated value is not
    carried: the page it was on already said what is wrong with it."""
    carried = {}
    for name, well_formed in (("as_of", _DATE.fullmatch), ("policy", _POLICY_ID.fullmatch), ("snapshot", is_snapshot_id)):
        found = values.get(name) or []
        if len(found) == 1 and well_formed(found[0]):
            carried[name] = found[0]
    return carried


def check_snapshot_id(text: str | None, name: str = "snapshot") -> str | None:
    """A snapshot id (DESIGN 11): YYYYMMDDTHHMMSSZ- and 8 hex digits, e.g. 20261206T231200Z-3f9a1c2b.
    Empty: None (the latest). Only the form is checked here; whether it is kept, by the store."""
    if text is None or text == "":
        return None
    if not is_snapshot_id(text):
        raise ParamError(f"{name} {shown(text)} is not a snapshot id: it looks like 20261206T231200Z-3f9a1c2b "
                         "(the snapshots command lists them)")
    return text


_REVIEW_ID = re.compile(r"R[1-9][0-9]{0,11}")


def check_review_id(text: str | None) -> str | None:
    """A review id (DESIGN 12): R and the ledger row that opened it, R1, R2, ... Empty: None.
    Only the form is checked here; whether the review exists, by the ledger."""
    if text is None or text == "":
        return None
    if not _REVIEW_ID.fullmatch(text):
        raise ParamError(f"id {shown(text)} is not a review id: it looks like R12 (the reviews page lists them)")
    return text
