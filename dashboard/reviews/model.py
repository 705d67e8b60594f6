"""Pure views of the ledger's entries (DESIGN 12): the reviews, the decisions with their approvals,
the sign-offs and the reports, each a DataFrame. No I/O: entries is `Ledger.entries()` (or
`ledger.chain(...)` in tests).

The rules, written once here:
- each person's latest verdict on a decision counts, once; the decision's maker's own never counts;
- a decision is in effect when approvals >= approvals_needed and rejections == 0 and it is not
  superseded; effective_at is the sign-off that last brought it into effect;
- a decision is superseded by a later decision of the same review that names it in `supersedes`
  and is itself in effect (a correction needs its own approvals: until then the original stands);
- a review is `closed` after a close row, else `decided` once any of its decisions is in effect,
  else `open`.
Times and dates stay the ledger's text (ISO 8601 UTC with Z; dates YYYY-MM-DD); a missing value is None.
"""
from __future__ import annotations

import json

import pandas as pd

from dashboard import settings

REVIEW_COLUMNS = ["review_id", "title", "opened_at", "opened_by", "snapshot_id", "as_of", "policy", "model_id",
                  "asl", "domain", "incident_category", "aware_at", "state"]
DECISION_COLUMNS = ["decision_id", "review_id", "kind", "detail", "model_id", "asl", "safeguard_id", "owner",
                    "due_on", "made_by", "made_at", "approvals", "rejections", "in_effect", "effective_at",
                    "superseded_by"]
SIGNOFF_COLUMNS = ["signoff_id", "decision_id", "signed_by", "signed_at", "verdict", "comment"]
REPORT_COLUMNS = ["report_id", "review_id", "obligation_id", "reference", "reported_by", "reported_at"]

STATES = ("open", "decided", "closed")
DECISION_KINDS = ("reclassify", "halt_onboarding", "add_safeguard", "no_action", "other")
VERDICTS = ("approve", "reject")


def _body(text) -> dict:
    """A row's body; a body that is not a JSON object (an edited ledger: verify names it) reads as {}."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _rows(entries: pd.DataFrame, kind: str) -> list[tuple[dict, dict]]:
    """(the row, its body) of every row of kind, in seq order."""
    if entries is None or len(entries) == 0:
        return []
    chosen = entries[entries["kind"] == kind].sort_values("seq")
    return [(row, _body(row["body"])) for row in chosen.to_dict("records")]


def _frame(rows: list[dict], columns: list[str], integers=(), booleans=()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column in integers:
            frame[column] = pd.array(frame[column], dtype="Int64")
        elif column in booleans:
            frame[column] = frame[column].astype(bool)
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _level(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def signoffs_frame(entries: pd.DataFrame) -> pd.DataFrame:
    """Every sign-off, in the order recorded (a person who signed twice has two rows; the latest counts)."""
    rows = [{"signoff_id": row["entry_id"], "decision_id": body.get("decision_id"), "signed_by": row["recorded_by"],
             "signed_at": row["recorded_at"], "verdict": body.get("verdict"), "comment": body.get("comment") or ""}
            for row, body in _rows(entries, "signoff")]
    return _frame(rows, SIGNOFF_COLUMNS)


def _counts(verdicts: dict[str, str]) -> tuple[int, int]:
    values = list(verdicts.values())
    return values.count("approve"), values.count("reject")


def decisions_frame(entries: pd.DataFrame, approvals_needed: int) -> pd.DataFrame:
    """Every decision, in the order made, with its approvals and rejections (each person's latest
    verdict, the maker's own left out), whether it is in effect, since when, and what superseded it."""
    decisions = _rows(entries, "decision")
    signoffs = _rows(entries, "signoff")
    rows = []
    for row, body in decisions:
        maker = row["recorded_by"]
        verdicts: dict[str, str] = {}
        effective_at = None
        for signoff, signed in signoffs:
            if signed.get("decision_id") != row["entry_id"] or signoff["recorded_by"] == maker:
                continue
            if signed.get("verdict") not in VERDICTS:
                continue
            verdicts[signoff["recorded_by"]] = signed["verdict"]
            approvals, rejections = _counts(verdicts)
            in_effect = approvals >= approvals_needed and rejections == 0
            if in_effect and effective_at is None:
                effective_at = signoff["recorded_at"]
            elif not in_effect:
                effective_at = None
        approvals, rejections = _counts(verdicts)
        rows.append({"decision_id": row["entry_id"], "review_id": row["review_id"], "kind": body.get("kind"),
                     "detail": body.get("detail"), "model_id": body.get("model_id"), "asl": _level(body.get("asl")),
                     "safeguard_id": body.get("safeguard_id"), "owner": body.get("owner"),
                     "due_on": body.get("due_on"), "made_by": maker, "made_at": row["recorded_at"],
                     "approvals": approvals, "rejections": rejections,
                     "in_effect": approvals >= approvals_needed and rejections == 0,
                     "effective_at": effective_at, "superseded_by": None,
                     "_supersedes": body.get("supersedes")})
    # Latest first: a correction is always recorded after what it corrects, so whether it is in
    # effect is known when the decision it names is reached.
    by_id = {row["decision_id"]: row for row in rows}
    for row in reversed(rows):
        if row["superseded_by"] is not None:
            row["in_effect"] = False
            row["effective_at"] = None
        elif not row["in_effect"]:
            row["effective_at"] = None
        target = by_id.get(row["_supersedes"])
        if (row["in_effect"] and target is not None and target["review_id"] == row["review_id"]
                and _seq(target["decision_id"]) < _seq(row["decision_id"])):
            if target["superseded_by"] is None or _seq(row["decision_id"]) < _seq(target["superseded_by"]):
                target["superseded_by"] = row["decision_id"]
    for row in rows:
        del row["_supersedes"]
    return _frame(rows, DECISION_COLUMNS, integers=("asl", "approvals", "rejections"), booleans=("in_effect",))


def _seq(entry_id: str) -> int:
    return int(entry_id[1:])


def reviews_frame(entries: pd.DataFrame, approvals_needed: int | None = None) -> pd.DataFrame:
    """Every review, in the order opened, with its state. approvals_needed: the lab's number
    (default: settings.approvals_needed(), ASL_REVIEW_APPROVALS)."""
    needed = settings.approvals_needed() if approvals_needed is None else approvals_needed
    decisions = decisions_frame(entries, needed)
    decided = set(decisions.loc[decisions["in_effect"], "review_id"])
    closed = {row["review_id"] for row, _ in _rows(entries, "close")}
    rows = []
    for row, body in _rows(entries, "review"):
        review_id = row["entry_id"]
        state = "closed" if review_id in closed else "decided" if review_id in decided else "open"
        rows.append({"review_id": review_id, "title": body.get("title"), "opened_at": row["recorded_at"],
                     "opened_by": row["recorded_by"], "snapshot_id": body.get("snapshot_id"),
                     "as_of": body.get("as_of"), "policy": body.get("policy"), "model_id": body.get("model_id"),
                     "asl": _level(body.get("asl")), "domain": body.get("domain"),
                     "incident_category": body.get("incident_category"), "aware_at": body.get("aware_at"),
                     "state": state})
    return _frame(rows, REVIEW_COLUMNS, integers=("asl",))


def reports_frame(entries: pd.DataFrame) -> pd.DataFrame:
    """Every report recorded against an incident's obligation (an incident clock marked done)."""
    rows = [{"report_id": row["entry_id"], "review_id": row["review_id"], "obligation_id": body.get("obligation_id"),
             "reference": body.get("reference"), "reported_by": row["recorded_by"],
             "reported_at": body.get("reported_at")}
            for row, body in _rows(entries, "report")]
    return _frame(rows, REPORT_COLUMNS)
