"""Review decisions over time (dashboard/decisions.py): their `decision` events in changes, their
marks on a model's timeline, true for the view's as-of date. Hand-made frames of the review ledger's
views (the contract's shape), with the answers worked out by hand below."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import changes, decisions

D = dt.date

REVIEWS = pd.DataFrame([
    {"review_id": "R1", "title": "Alpha <script>alert(1)</script> review", "opened_at": "2026-12-01T09:00:00Z",
     "opened_by": "lead@lab", "snapshot_id": "20261201T080000Z-00000001", "as_of": "2026-11-30", "policy": None,
     "model_id": "alpha", "asl": 3, "domain": "cbrn", "incident_category": None, "aware_at": None, "state": "decided"},
    {"review_id": "R4", "title": "No model", "opened_at": "2026-12-01T10:00:00Z", "opened_by": "lead@lab",
     "snapshot_id": "20261201T080000Z-00000001", "as_of": "2026-11-30", "policy": None, "model_id": None, "asl": None,
     "domain": None, "incident_category": None, "aware_at": None, "state": "open"},
])


def decision(decision_id, review_id, kind, made_at, *, model_id=None, asl=None, detail="", effective_at="",
             rejections=0, superseded_by=None, safeguard_id=None, owner=None, due_on=None, made_by="a@lab"):
    return {"decision_id": decision_id, "review_id": review_id, "kind": kind, "detail": detail, "model_id": model_id,
            "asl": asl, "safeguard_id": safeguard_id, "owner": owner, "due_on": due_on, "made_by": made_by,
            "made_at": made_at, "approvals": 2 if effective_at else 0, "rejections": rejections,
            "in_effect": bool(effective_at) and superseded_by is None, "effective_at": effective_at,
            "superseded_by": superseded_by}


DECISIONS = pd.DataFrame([
    # On R1's scenario model (alpha) and level (3); in effect on 12-04; superseded by D7 when D7 came
    # into effect on 12-06.
    decision("D2", "R1", "reclassify", "2026-12-02T10:00:00Z", detail="raise **now**",
             effective_at="2026-12-04T09:00:00Z", superseded_by="D7"),
    # Its own model; made one second before midnight UTC: still 12-03.
    decision("D3", "R1", "halt_onboarding", "2026-12-03T23:59:59Z", model_id="beta"),
    # About no model at all: no model's event.
    decision("D5", "R4", "other", "2026-12-03T08:00:00Z", detail="call the regulator"),
    decision("D6", "R1", "add_safeguard", "2026-12-05T00:00:00Z", model_id="alpha", safeguard_id="sg-1",
             owner="ops", due_on="2026-12-20", rejections=1),
    decision("D7", "R1", "reclassify", "2026-12-06T08:00:00Z", model_id="alpha", asl=4,
             effective_at="2026-12-06T11:00:00Z"),
    # A correction of D6 still waiting for its approvals: D6 is not superseded yet.
    decision("D8", "R1", "add_safeguard", "2026-12-06T09:00:00Z", model_id="beta", safeguard_id="sg-2"),
])

SIGNOFFS = pd.DataFrame([
    {"signoff_id": "S8", "decision_id": "D2", "signed_by": "b@lab", "signed_at": "2026-12-03T12:00:00Z",
     "verdict": "approve", "comment": ""},
    {"signoff_id": "S9", "decision_id": "D2", "signed_by": "a@lab", "signed_at": "2026-12-03T13:00:00Z",
     "verdict": "approve", "comment": "the maker's own: never counts"},
    {"signoff_id": "S10", "decision_id": "D2", "signed_by": "c@lab", "signed_at": "2026-12-04T09:00:00Z",
     "verdict": "approve", "comment": ""},
    {"signoff_id": "S11", "decision_id": "D2", "signed_by": "d@lab", "signed_at": "2026-12-05T09:00:00Z",
     "verdict": "approve", "comment": "after it came into effect"},
])

NAMES = {"alpha": "Alpha", "beta": "Beta"}
R1 = "review R1 Alpha <script>alert(1)</script> review"
D2_MADE = f"reclassify · {R1} · raise **now** · made by a@lab"


def rows(frame):
    return [tuple(row) for row in frame.itertuples(index=False)]


def test_decision_events_of_a_window_made_and_come_into_effect():
    events = changes.combine([decisions.decision_events(DECISIONS, REVIEWS, SIGNOFFS, D(2026, 12, 1), D(2026, 12, 4),
                                                        NAMES)])
    assert list(events.columns) == decisions.EVENT_COLUMNS
    assert rows(events) == [
        # D2 came into effect with b's and c's approvals (a made it; d signed later).
        (D(2026, 12, 4), "decision", "alpha", "Alpha", "reclassify to ASL-3: proposed", "in effect",
         D2_MADE + " · approved by b@lab, c@lab", "R1"),
        (D(2026, 12, 3), "decision", "beta", "Beta", None, "halt onboarding: proposed",
         f"halt_onboarding · {R1} · made by a@lab", "R1"),
        (D(2026, 12, 2), "decision", "alpha", "Alpha", None, "reclassify to ASL-3: proposed", D2_MADE, "R1"),
    ]
    # The window excludes since: D2's coming into effect on 12-04 is not in (12-04, 12-06].
    later = changes.combine([decisions.decision_events(DECISIONS, REVIEWS, SIGNOFFS, D(2026, 12, 4), D(2026, 12, 6),
                                                       NAMES, model_id="alpha")])
    assert [(row.event_date, row.before, row.after) for row in later.itertuples()] == [
        (D(2026, 12, 6), "reclassify to ASL-4: proposed", "in effect"),
        (D(2026, 12, 6), None, "reclassify to ASL-4: proposed"),
        (D(2026, 12, 5), None, "add safeguard sg-1 (owner ops, due 2026-12-20): proposed"),
    ]
    # A model the snapshot does not hold reads as its id.
    assert set(decisions.decision_events(DECISIONS, REVIEWS, SIGNOFFS, D(2026, 12, 1), D(2026, 12, 4),
                                         {})["model_name"]) == {"alpha", "beta"}


def test_decision_rows_link_to_their_review_and_the_csv_keeps_design_8s_columns():
    store_events = pd.DataFrame([{"event_date": D(2026, 12, 3), "kind": "asl_change", "model_id": "alpha",
                                  "model_name": "Alpha", "before": "2", "after": "3", "detail": "raised"}])
    events = changes.with_decisions(store_events, decisions.decision_events(
        DECISIONS, REVIEWS, SIGNOFFS, D(2026, 12, 2), D(2026, 12, 4), NAMES, model_id="alpha"))
    linked = changes.with_links(events, None, "20261201T080000Z-00000001")
    assert list(linked.columns) == [*changes.COLUMNS, "link"]
    assert list(zip(linked["kind"], linked["link"])) == [
        ("decision", "/review?id=R1"),
        ("asl_change", "/trajectory?model=alpha&as_of=2026-12-03&snapshot=20261201T080000Z-00000001"),
    ]
    assert changes.counts(events)["decision"] == 1


def test_the_digest_lists_decisions_with_their_review_link_and_escapes_their_text():
    events = changes.with_decisions(changes.combine([]), decisions.decision_events(
        DECISIONS, REVIEWS, SIGNOFFS, D(2026, 12, 1), D(2026, 12, 2), NAMES))
    text = changes.digest(events, since=D(2026, 12, 1), as_of=D(2026, 12, 2),
                          info={"snapshot_date": "2026-11-30", "dataset": "lab", "snapshot_id": None},
                          policy_id=None, base_url=None)
    assert "### Review decisions: 1" in text and "Review decisions 1" in text
    line = next(line for line in text.splitlines() if line.startswith("- 2026-12-02"))
    assert line.endswith("· `/review?id=R1`")
    assert "<script>" not in text and "**now**" not in text
    assert "\\<script\\>" in line and "\\*\\*now\\*\\*" in line


def test_timeline_marks_are_true_for_the_views_date():
    def marks(as_of):
        return [(row.event_date, row.after, row.detail)
                for row in decisions.timeline_marks(DECISIONS, REVIEWS, SIGNOFFS, as_of, "alpha", "Alpha").itertuples()]

    # Before D2 was made: nothing.
    assert marks(D(2026, 12, 1)) == []
    # Made, in effect only from 12-04: proposed as of 12-03.
    assert marks(D(2026, 12, 3)) == [(D(2026, 12, 2), "reclassify to ASL-3: proposed", D2_MADE)]
    assert marks(D(2026, 12, 4)) == [(D(2026, 12, 2), "reclassify to ASL-3: in effect",
                                      D2_MADE + " · approved by b@lab, c@lab")]
    # D7 superseded D2 when it came into effect on 12-06; D6 was rejected; D3 and D8 are beta's.
    assert [mark[:2] for mark in marks(D(2026, 12, 6))] == [
        (D(2026, 12, 2), "reclassify to ASL-3: superseded"),
        (D(2026, 12, 5), "add safeguard sg-1 (owner ops, due 2026-12-20): rejected"),
        (D(2026, 12, 6), "reclassify to ASL-4: in effect"),
    ]
    # On 12-05 D7 was not made yet and D2 stood.
    assert [mark[1] for mark in marks(D(2026, 12, 5))] == ["reclassify to ASL-3: in effect",
                                                           "add safeguard sg-1 (owner ops, due 2026-12-20): rejected"]


def test_ledger_times_are_utc_days():
    assert decisions.day_of("2026-12-03T23:59:59Z") == D(2026, 12, 3)
    assert decisions.day_of("2026-12-04T01:00:00+02:00") == D(2026, 12, 3)
    assert decisions.day_of("") is None and decisions.day_of(None) is None
    assert decisions.shown_time("2026-12-07T07:05:00Z") == "2026-12-07 07:05 UTC"
