"""An independent reading of DESIGN 12's incident clocks, for tests/test_incident_clocks.py: plain
Python on lists of dicts and the datetime module (no pandas), written from the design's text."""
from __future__ import annotations

import datetime as dt


def _parse(text):
    if text is None or text == "":
        return None
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def reference_clocks(obligations: list[dict], reviews: list[dict], reports: list[dict], at: dt.datetime) -> list[dict]:
    """One dict per clock: review_id, obligation_id, due_at, hours_left, done_at, reference, state."""
    at = at.astimezone(dt.timezone.utc)
    out = []
    for review in reviews:
        if not review.get("incident_category") or not review.get("aware_at"):
            continue
        aware = _parse(review["aware_at"])
        if aware > at:  # not known yet at that time
            continue
        for rule in obligations:
            if rule["clock"] != "after_awareness":
                continue
            words = [word.strip() for word in (rule["categories"] or "").split(";")]
            if review["incident_category"].strip() not in words:
                continue
            if rule.get("applies_from") and aware.date() < dt.date.fromisoformat(rule["applies_from"]):
                continue
            due = aware + dt.timedelta(hours=int(rule["deadline_hours"]))
            known = [report for report in reports
                     if report["review_id"] == review["review_id"] and report["obligation_id"] == rule["obligation_id"]
                     and _parse(report["reported_at"]) <= at]
            if known:
                earliest = known[0]
                for report in known[1:]:
                    if _parse(report["reported_at"]) < _parse(earliest["reported_at"]):
                        earliest = report
                done = _parse(earliest["reported_at"])
                out.append({"review_id": review["review_id"], "obligation_id": rule["obligation_id"], "due_at": due,
                            "hours_left": None, "done_at": done, "reference": earliest["reference"],
                            "state": "done" if done <= due else "done_late"})
            else:
                left = (due - at).total_seconds() / 3600
                out.append({"review_id": review["review_id"], "obligation_id": rule["obligation_id"], "due_at": due,
                            "hours_left": left, "done_at": None, "reference": None,
                            "state": "due" if left >= 0 else "overdue"})
    return sorted(out, key=lambda row: (row["due_at"], row["review_id"], row["obligation_id"]))
