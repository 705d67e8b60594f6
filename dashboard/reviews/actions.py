"""What a person does to a review (DESIGN 12): open it, decide, sign a decision, close it, record a
report. Each action checks its values, then appends one row; the checks against the ledger so far
(the review exists and is not closed, the decision exists, the signer is not its maker) run inside
the append's transaction, so they still hold when the row lands. A refusal raises ReviewRefused with
one line (no markup, no traceback)."""
from __future__ import annotations

import datetime as dt
import getpass
import re

import pandas as pd

from dashboard.reviews.ledger import Ledger, utc_text
from dashboard.reviews.model import DECISION_KINDS, reviews_frame
from dashboard.text import neutralise_changes_any

MAX_TITLE = 200
MAX_TEXT = 2_000  # detail, comment, reference
MAX_NAME = 200  # owner, ids
MAX_LEVEL = 99
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}")  # a model, safeguard or obligation id
_CATEGORY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_SNAPSHOT = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_REVIEW_ID = re.compile(r"R[1-9][0-9]{0,9}")
_DECISION_ID = re.compile(r"D[1-9][0-9]{0,9}")
_FUTURE_SLACK = dt.timedelta(minutes=5)  # clocks drift: a moment this far ahead is still "now"


class ReviewRefused(Exception):
    """An action refused: one line saying why."""


def os_actor() -> str:
    """The operating-system user as the ledger records them: os:<user> (the command line, and `serve
    --single-user`)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        raise ReviewRefused("the operating-system user cannot be found: nothing was recorded") from None
    return f"os:{user}"


# --- checking values -----------------------------------------------------------------------------

def _text(name: str, value, limit: int, *, lines: bool = False, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise ReviewRefused(f"{name} is empty: give one")
        return None
    if not isinstance(value, str):
        raise ReviewRefused(f"{name} must be text")
    if len(value) > limit:
        raise ReviewRefused(f"{name} is longer than {limit:,} characters")
    if neutralise_changes_any([value], keep_newlines=lines):
        allowed = " (line breaks are allowed)" if lines else ""
        raise ReviewRefused(f"{name} holds control, bidirectional or zero-width characters{allowed}")
    if not value.strip():
        raise ReviewRefused(f"{name} is blank: give one")
    return value


def _identifier(name: str, value, pattern: re.Pattern = _ID, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise ReviewRefused(f"no {name} given")
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ReviewRefused(f"{name} {_shown(value)} is not a valid id")
    return value


def _shown(value) -> str:
    text = str(value)
    text = text if len(text) <= 40 else text[:40] + "..."
    return repr(text) if not neutralise_changes_any([text]) else "(a value with control characters)"


def _level_value(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LEVEL:
        raise ReviewRefused(f"asl {_shown(value)} is not a level: a whole number such as 3")
    return value


def _date(name: str, value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ReviewRefused(f"{name} {_shown(value)} is not a date: write it as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ReviewRefused(f"{name} {_shown(value)} is not a real calendar date") from None


def parse_moment(name: str, value, *, now: dt.datetime | None = None) -> str | None:
    """A moment given by a person (ISO 8601 with a time zone: 2026-12-07T07:05:00Z or +01:00; a
    datetime with tzinfo) as the ledger's UTC text; None when empty. A moment without a time zone, or
    in the future, is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        if not isinstance(value, str) or len(value) > 40 or not re.fullmatch(r"[0-9T:.+\-Z ]+", value):
            # Not repeated: text with characters no moment has may be anything pasted, a password too.
            raise ReviewRefused(f"{name} is not a moment: write it as 2026-12-07T07:05:00Z")
        try:
            moment = dt.datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            raise ReviewRefused(f"{name} {_shown(value)} is not a moment: write it as 2026-12-07T07:05:00Z") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ReviewRefused(f"{name} {_shown(value)} has no time zone: end it with Z (UTC) or an offset such as +01:00")
    now = now or dt.datetime.now(dt.timezone.utc)
    if moment > now + _FUTURE_SLACK:
        raise ReviewRefused(f"{name} {utc_text(moment)} is in the future")
    return utc_text(moment)


# --- the ledger so far, checked inside the append's transaction ----------------------------------

def _open_review(entries: pd.DataFrame, review_id: str) -> dict:
    """The review's body; ReviewRefused when there is no such review or it is closed. Reads only the
    review's own rows (one pass over the entries: an append's check stays cheap on a long ledger)."""
    own = entries[entries["review_id"] == review_id]
    opened = own[own["kind"] == "review"]
    if opened.empty:
        raise ReviewRefused(f"there is no review {review_id}")
    if (own["kind"] == "close").any():
        raise ReviewRefused(f"review {review_id} is closed: open a new review")
    return reviews_frame(opened, approvals_needed=1).iloc[0].to_dict()


# --- the actions -----------------------------------------------------------------------------------

def open_review(ledger: Ledger, *, actor: str, title: str, snapshot_id: str, as_of, policy=None, model_id=None,
                asl=None, domain=None, incident_category=None, aware_at=None) -> str:
    """Open a review of the pinned view (snapshot, as-of date, policy), optionally of a scenario
    (model, level, domain) and an incident (category, when the lab became aware of it). The caller
    has checked model, level and domain against that snapshot (the questions layer)."""
    body = {"title": _text("the title", title, MAX_TITLE),
            "snapshot_id": _identifier("snapshot", snapshot_id, _SNAPSHOT, required=True),
            "as_of": _date("as_of", as_of), "policy": _identifier("policy", policy),
            "model_id": _identifier("model", model_id), "asl": _level_value(asl),
            "domain": _identifier("domain", domain),
            "incident_category": _identifier("incident category", incident_category, _CATEGORY),
            "aware_at": parse_moment("aware_at", aware_at)}
    if body["as_of"] is None:
        raise ReviewRefused("no as-of date given: a review pins the date of its view")
    if (body["asl"] is not None or body["domain"] is not None) and body["model_id"] is None:
        raise ReviewRefused("a level or a domain needs the model it is about (--model ID)")
    if body["model_id"] is not None and body["asl"] is None:
        raise ReviewRefused("a scenario needs the level the model would be reclassified to (--asl N)")
    if (body["incident_category"] is None) != (body["aware_at"] is None):
        raise ReviewRefused("an incident needs both its category and when the lab became aware of it "
                            "(--incident-category C --aware-at TIMESTAMP)")
    return ledger.append("review", None, body, actor=actor)


def decide(ledger: Ledger, review_id: str, *, actor: str, kind: str, detail: str, model_id=None, asl=None,
           safeguard_id=None, owner=None, due_on=None, supersedes=None) -> str:
    """Record a decision of an open review. reclassify names a model (default: the review's) and a
    level; halt_onboarding a model (default: the review's); add_safeguard a safeguard, an owner and
    a due date. supersedes: an earlier decision of the same review this one corrects."""
    review_id = _identifier("review", review_id, _REVIEW_ID, required=True)
    if kind not in DECISION_KINDS:
        raise ReviewRefused(f"kind {_shown(kind)} is not a kind of decision: one of {', '.join(DECISION_KINDS)}")
    body = {"kind": kind, "detail": _text("the detail", detail, MAX_TEXT, lines=True),
            "model_id": _identifier("model", model_id), "asl": _level_value(asl),
            "safeguard_id": _identifier("safeguard", safeguard_id),
            "owner": _text("the owner", owner, MAX_NAME, required=False), "due_on": _date("due", due_on),
            "supersedes": _identifier("supersedes", supersedes, _DECISION_ID)}
    if kind == "add_safeguard" and None in (body["safeguard_id"], body["owner"], body["due_on"]):
        raise ReviewRefused("add_safeguard needs the safeguard, its owner and a due date (--safeguard ID --owner O --due DATE)")
    if kind != "add_safeguard" and any(body[name] is not None for name in ("safeguard_id", "owner", "due_on")):
        raise ReviewRefused("a safeguard, owner and due date belong to an add_safeguard decision")
    if kind not in ("reclassify",) and body["asl"] is not None:
        raise ReviewRefused("a level belongs to a reclassify decision")

    def check(entries: pd.DataFrame) -> None:
        review = _open_review(entries, review_id)
        if kind in ("reclassify", "halt_onboarding") and body["model_id"] is None:
            body["model_id"] = review["model_id"]
            if body["model_id"] is None:
                raise ReviewRefused(f"{kind} needs the model it is about (--model ID): the review names none")
        if kind == "reclassify" and body["asl"] is None:
            if review["model_id"] == body["model_id"] and not pd.isna(review["asl"]):
                body["asl"] = int(review["asl"])
            else:
                raise ReviewRefused("reclassify needs the level (--asl N)")
        if body["supersedes"] is not None:
            earlier = entries[(entries["kind"] == "decision") & (entries["entry_id"] == body["supersedes"])]
            if earlier.empty or earlier.iloc[0]["review_id"] != review_id:
                raise ReviewRefused(f"review {review_id} has no decision {body['supersedes']} to supersede")

    return ledger.append("decision", review_id, body, actor=actor, check=check)


def sign(ledger: Ledger, decision_id: str, *, actor: str, approve: bool, comment: str = "") -> str:
    """Approve or reject a decision. Its maker cannot sign it; a person may sign again (their latest
    verdict counts); nobody signs a decision of a closed review."""
    decision_id = _identifier("decision", decision_id, _DECISION_ID, required=True)
    if not isinstance(approve, bool):
        raise ReviewRefused("a sign-off approves or rejects")
    body = {"decision_id": decision_id, "verdict": "approve" if approve else "reject",
            "comment": _text("the comment", comment, MAX_TEXT, lines=True, required=False) or ""}
    # A row names its review: found by a first read, and checked again inside the transaction.
    review_id = _decision_review(ledger.entries(), decision_id)

    def check(entries: pd.DataFrame) -> None:
        if _decision_review(entries, decision_id) != review_id:
            raise ReviewRefused(f"there is no decision {decision_id}")
        maker = entries.loc[entries["entry_id"] == decision_id, "recorded_by"].iloc[0]
        if maker == actor:
            raise ReviewRefused("you made this decision: another person must sign it")
        _open_review(entries, review_id)

    return ledger.append("signoff", review_id, body, actor=actor, check=check)


def _decision_review(entries: pd.DataFrame, decision_id: str) -> str:
    rows = entries[(entries["kind"] == "decision") & (entries["entry_id"] == decision_id)]
    if rows.empty:
        raise ReviewRefused(f"there is no decision {decision_id}")
    return rows.iloc[0]["review_id"]


def close_review(ledger: Ledger, review_id: str, *, actor: str) -> str:
    """Close a review: no more decisions, sign-offs or reports on it."""
    review_id = _identifier("review", review_id, _REVIEW_ID, required=True)
    return ledger.append("close", review_id, {}, actor=actor, check=lambda entries: _open_review(entries, review_id))


def record_report(ledger: Ledger, review_id: str, *, actor: str, obligation_id: str, reference: str,
                  reported_at=None) -> str:
    """Record that an incident's report under an obligation was made (the clock it started is done):
    the obligation, the report's reference and when it was made (default: now)."""
    review_id = _identifier("review", review_id, _REVIEW_ID, required=True)
    body = {"obligation_id": _identifier("obligation", obligation_id, required=True),
            "reference": _text("the reference", reference, MAX_TEXT, lines=True),
            "reported_at": parse_moment("reported_at", reported_at) or utc_text()}

    def check(entries: pd.DataFrame) -> None:
        review = _open_review(entries, review_id)
        if review["aware_at"] is None:
            raise ReviewRefused(f"review {review_id} records no incident: it starts no clock to report under")
        if body["reported_at"] < review["aware_at"]:
            raise ReviewRefused(f"reported_at {body['reported_at']} is before the lab became aware of the incident "
                                f"({review['aware_at']})")

    return ledger.append("report", review_id, body, actor=actor, check=check)
