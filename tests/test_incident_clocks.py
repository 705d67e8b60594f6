"""DESIGN 12's incident clocks (dashboard/incident_clocks.py) on hand-made frames whose answers were
worked out by hand, and against an independent reading (tests/incident_clocks_reference.py) on
generated cases."""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from dashboard.incident_clocks import (CLI_COLUMNS, COLUMNS, clock_time, clocks_table, hours_left_text, incident_clocks,
                                      utc_text)
from dashboard.obligations import BUNDLED_OBLIGATIONS
from incident_clocks_reference import reference_clocks

UTC = dt.timezone.utc
AT = dt.datetime(2026, 12, 7, 7, 10, tzinfo=UTC)


def rule(obligation_id, categories, hours, applies_from, clock="after_awareness"):
    return {"obligation_id": obligation_id, "name": f"Report {obligation_id}", "jurisdiction": obligation_id[:2].upper(),
            "clock": clock, "deadline_hours": hours, "categories": categories, "applies_from": applies_from}


OBLIGATIONS = [
    rule("ca-incident", "critical_safety_incident", 360, "2026-01-01"),
    rule("ca-imminent", "imminent_risk", 24, "2026-01-01"),
    rule("eu-cyber", "cybersecurity;weights_exfiltration", 120, "2025-08-02"),
    rule("ny", "critical_safety_incident;imminent_risk", 72, "2027-01-01"),
    # A compute clock: never an incident's, whatever its (empty) categories.
    rule("eu-art52", None, None, "2025-08-02", clock="after_crossing"),
]


def review(review_id, category, aware_at):
    return {"review_id": review_id, "title": f"Review {review_id}", "incident_category": category, "aware_at": aware_at}


REVIEWS = [
    review("R1", "critical_safety_incident", "2026-12-01T14:00:00Z"),  # CA due 12-16 14:00; aware before NY applies
    review("R2", "weights_exfiltration", "2026-12-04T14:00:00Z"),      # EU due 12-09 14:00 (120 h)
    review("R3", "imminent_risk", "2027-01-02T09:30:00+01:00"),        # 08:30 UTC: CA due 01-03 08:30, NY 01-05 08:30
    review("R4", None, None),                                          # no incident: no clock
    review("R5", "death", "2026-12-01T00:00:00Z"),                     # no obligation of that category here
    review("R6", "imminent_risk", "2026-12-06T00:00:00Z"),             # CA due 12-07 00:00, reported 02:00: late
    review("R7", "critical_safety_incident", "2026-11-20T07:10:00Z"),  # CA due 12-05 07:10: overdue by 48 h at AT
]


def report(report_id, review_id, obligation_id, reported_at, reference):
    return {"report_id": report_id, "review_id": review_id, "obligation_id": obligation_id, "reference": reference,
            "reported_by": f"os:{report_id.lower()}", "reported_at": reported_at}


REPORTS = [
    report("P10", "R6", "ca-imminent", "2026-12-07T05:00:00Z", "second"),
    report("P11", "R6", "ca-imminent", "2026-12-07T02:00:00Z", "first"),    # the earliest counts
    report("P12", "R1", "ca-incident", "2026-12-05T10:00:00Z", "OES-1"),    # on time
    report("P13", "R2", "ca-incident", "2026-12-05T00:00:00Z", "wrong"),    # another obligation: R2 has no CA clock
    report("P14", "R1", "eu-cyber", "2026-12-05T00:00:00Z", "wrong"),       # another review's obligation
    report("P15", "R2", "eu-cyber", "2026-12-08T09:00:00Z", "AI Office"),  # after AT: not known at AT
]


def clocks(at=AT, reports=REPORTS, reviews=REVIEWS, obligations=OBLIGATIONS):
    return incident_clocks(pd.DataFrame(obligations), pd.DataFrame(reviews), pd.DataFrame(reports), at)


def utc(text):
    return pd.Timestamp(text, tz="UTC")


def test_every_clock_by_hand_soonest_first():
    frame = clocks()
    assert list(frame.columns) == COLUMNS
    got = [(row.review_id, row.obligation_id, row.due_at, row.state, row.reference) for row in frame.itertuples()]
    assert got == [
        ("R7", "ca-incident", utc("2026-12-05 07:10"), "overdue", None),
        ("R6", "ca-imminent", utc("2026-12-07 00:00"), "done_late", "first"),
        ("R2", "eu-cyber", utc("2026-12-09 14:00"), "due", None),
        ("R1", "ca-incident", utc("2026-12-16 14:00"), "done", "OES-1"),
    ]  # R3's incident is learnt of in 2027: at AT it starts nothing yet
    by_key = frame.set_index(["review_id", "obligation_id"])
    # hours left at 2026-12-07 07:10: overdue by exactly two days; 2 days 6 h 50 min ahead; none when done.
    assert by_key.loc[("R7", "ca-incident"), "hours_left"] == -48
    assert by_key.loc[("R2", "eu-cyber"), "hours_left"] == pytest.approx(54 + 50 / 60)
    assert pd.isna(by_key.loc[("R6", "ca-imminent"), "hours_left"])
    late = by_key.loc[("R6", "ca-imminent")]
    assert late["done_at"] == utc("2026-12-07 02:00") and late["reported_by"] == "os:p11"
    assert by_key.loc[("R1", "ca-incident"), "title"] == "Review R1"
    assert by_key.loc[("R2", "eu-cyber"), "incident_category"] == "weights_exfiltration"


def test_an_incident_starts_its_clocks_when_the_lab_becomes_aware_of_it():
    before = clocks(at=dt.datetime(2027, 1, 2, 8, 29, tzinfo=UTC))
    assert "R3" not in set(before["review_id"])
    frame = clocks(at=dt.datetime(2027, 1, 2, 8, 30, tzinfo=UTC))
    mine = frame[frame["review_id"] == "R3"]
    assert [(row.obligation_id, row.aware_at, row.due_at, row.state, row.hours_left) for row in mine.itertuples()] == [
        ("ca-imminent", utc("2027-01-02 08:30"), utc("2027-01-03 08:30"), "due", 24),  # +01:00 read as UTC
        ("ny", utc("2027-01-02 08:30"), utc("2027-01-05 08:30"), "due", 72)]


def test_a_report_counts_from_its_time_on():
    later = clocks(at=dt.datetime(2026, 12, 10, tzinfo=UTC)).set_index(["review_id", "obligation_id"])
    assert later.loc[("R2", "eu-cyber"), "state"] == "done"  # reported 12-08 09:00, due 12-09 14:00
    assert later.loc[("R2", "eu-cyber"), "reference"] == "AI Office"
    # Without that report the same clock is overdue by 10 hours at 12-10 00:00.
    bare = clocks(at=dt.datetime(2026, 12, 10, tzinfo=UTC), reports=REPORTS[:-1]).set_index(["review_id", "obligation_id"])
    assert bare.loc[("R2", "eu-cyber"), "state"] == "overdue" and bare.loc[("R2", "eu-cyber"), "hours_left"] == -10


def test_due_at_the_very_moment_is_still_due_and_a_naive_at_is_utc():
    frame = clocks(at=dt.datetime(2026, 12, 9, 14, 0), reports=REPORTS[:-1]).set_index(["review_id", "obligation_id"])
    assert frame.loc[("R2", "eu-cyber"), "state"] == "due" and frame.loc[("R2", "eu-cyber"), "hours_left"] == 0
    one_minute = clocks(at=dt.datetime(2026, 12, 9, 14, 1, tzinfo=UTC), reports=REPORTS[:-1]).set_index(["review_id", "obligation_id"])
    assert one_minute.loc[("R2", "eu-cyber"), "state"] == "overdue"


def test_applies_from_is_compared_with_the_utc_date_of_awareness():
    ny = [OBLIGATIONS[3]]
    # 2026-12-31 23:30 in New York is 2027-01-01 04:30 UTC: the rule applies; 2026-12-31 23:59 UTC does not.
    cases = [review("A", "imminent_risk", "2026-12-31T23:30:00-05:00"), review("B", "imminent_risk", "2026-12-31T23:59:59Z"),
             review("C", "critical_safety_incident", "2027-01-01T00:00:00Z")]
    frame = clocks(reviews=cases, obligations=ny, reports=[], at=dt.datetime(2027, 1, 2, tzinfo=UTC))
    assert list(frame["review_id"]) == ["C", "A"]
    assert list(frame["due_at"]) == [utc("2027-01-04 00:00"), utc("2027-01-04 04:30")]


def test_no_incident_no_rows_with_the_columns():
    frame = clocks(reviews=[review("R4", None, None), review("R5", "death", "2026-12-01T00:00:00Z")], reports=[])
    assert frame.empty and list(frame.columns) == COLUMNS
    empty = incident_clocks(pd.DataFrame(OBLIGATIONS), pd.DataFrame(columns=["review_id", "title", "incident_category",
                                                                             "aware_at"]),
                            pd.DataFrame(columns=["review_id", "obligation_id", "reported_at"]), AT)
    assert empty.empty and list(empty.columns) == COLUMNS


def test_the_bundled_rows_of_design_12():
    """The seven rows with their deadlines in hours; an aware_at in 2026 starts no New York clock."""
    bundled = pd.DataFrame(list(BUNDLED_OBLIGATIONS))
    incident = bundled[bundled["clock"] == "after_awareness"].set_index("obligation_id")
    assert incident["deadline_hours"].to_dict() == {
        "ca-sb53-incident": "360", "ca-sb53-imminent": "24", "eu-cop-critical-infrastructure": "48",
        "eu-cop-cybersecurity": "120", "eu-cop-death": "240", "eu-cop-serious-harm": "360", "ny-raise-incident": "72"}
    assert incident.loc["eu-cop-cybersecurity", "categories"] == "cybersecurity;weights_exfiltration"
    assert incident.loc["ny-raise-incident", "applies_from"] == "2027-01-01"
    frame = incident_clocks(bundled, pd.DataFrame([review("R1", "critical_safety_incident", "2026-12-01T14:00:00Z"),
                                                   review("R2", "critical_safety_incident", "2027-02-01T14:00:00Z")]),
                            pd.DataFrame(columns=["review_id", "obligation_id", "reported_at"]),
                            dt.datetime(2027, 2, 2, tzinfo=UTC))
    assert [(row.review_id, row.obligation_id, row.due_at) for row in frame.itertuples()] == [
        ("R1", "ca-sb53-incident", utc("2026-12-16 14:00")),
        ("R2", "ny-raise-incident", utc("2027-02-04 14:00")),
        ("R2", "ca-sb53-incident", utc("2027-02-16 14:00"))]


def test_hours_left_in_words_never_call_a_past_time_ahead():
    assert hours_left_text("due", 31.9) == "31 h left"
    assert hours_left_text("due", 0.0) == "less than 1 h left"
    assert hours_left_text("overdue", -5.5) == "overdue by 5 h"
    assert hours_left_text("overdue", -0.2) == "overdue by less than 1 h"
    assert hours_left_text("due", -1.0) == "overdue by 1 h"  # a past time is never "left"
    assert hours_left_text("done", float("nan")) == "" and hours_left_text("done_late", None) == ""
    assert hours_left_text("due", 1234.0) == "1,234 h left"
    assert utc_text("2026-12-09T15:00:00+01:00") == "2026-12-09 14:00 UTC" and utc_text(None) == ""


def test_the_clocks_are_read_now_or_at_the_end_of_a_past_day():
    now = dt.datetime(2026, 12, 7, 7, 10, 42, tzinfo=UTC)
    assert clock_time(now).at == pd.Timestamp(now) and clock_time(now).statement == "hours left at 2026-12-07 07:10 UTC (now)"
    past = clock_time(now, dt.date(2026, 12, 5))
    assert past.at == utc("2026-12-06 00:00")
    assert past.statement == "hours left at the end of 2026-12-05 (2026-12-06 00:00 UTC)"
    # Today's end (or a later day's) is not reached yet: the clocks are read now.
    assert clock_time(now, dt.date(2026, 12, 7)).at == pd.Timestamp(now)
    assert clock_time(now, dt.date(2026, 12, 9)).at == pd.Timestamp(now)
    # A naive wall clock is UTC.
    assert clock_time(dt.datetime(2026, 12, 7, 7, 10)).text == "2026-12-07 07:10 UTC"


def test_the_command_and_csv_table():
    table = clocks_table(clocks(), "2026-12-07 07:10 UTC")
    assert list(table.columns) == CLI_COLUMNS
    first, late, ahead = (table.iloc[index].to_dict() for index in range(3))
    assert first["due_at"] == "2026-12-05 07:10 UTC" and first["aware_at"] == "2026-11-20 07:10 UTC"
    assert first["hours_left"] == -48.0 and first["left_or_overdue"] == "overdue by 48 h" and first["state"] == "overdue"
    assert first["done_at"] == "" and first["reference"] is None and first["hours_left_at"] == "2026-12-07 07:10 UTC"
    assert late["done_at"] == "2026-12-07 02:00 UTC" and pd.isna(late["hours_left"]) and late["left_or_overdue"] == ""
    assert ahead["hours_left"] == 54.8 and ahead["left_or_overdue"] == "54 h left"


# --- Against the independent reading on generated cases --------------------------------------------

WORDS = ["death", "serious_harm", "cybersecurity", "imminent_risk", "critical_safety_incident"]
OFFSETS = ["Z", "+00:00", "+01:00", "-05:00", "+05:30", ""]


def generated_case(rng: random.Random):
    def stamp(start: dt.datetime, spread_hours: int) -> str:
        when = start + dt.timedelta(minutes=rng.randrange(spread_hours * 60))
        return when.strftime("%Y-%m-%dT%H:%M:%S") + rng.choice(OFFSETS)

    base = dt.datetime(2026, 12, 1)
    obligations = [rule(f"o{index}", ";".join(rng.sample(WORDS, rng.randint(1, 3))), rng.choice([1, 24, 48, 72, 360]),
                        rng.choice(["", "2026-12-03", "2026-11-01", "2026-12-20"]),
                        clock=rng.choice(["after_awareness"] * 4 + ["after_crossing"]))
                   for index in range(rng.randint(0, 5))]
    reviews = [review(f"R{index}", rng.choice(WORDS + [None]), rng.choice([None, stamp(base, 24 * 30)]))
               for index in range(rng.randint(0, 6))]
    reports = [report(f"P{index}", f"R{rng.randrange(7)}", f"o{rng.randrange(6)}", stamp(base, 24 * 40), f"ref {index}")
               for index in range(rng.randint(0, 30))]
    at = base.replace(tzinfo=UTC) + dt.timedelta(minutes=rng.randrange(60 * 24 * 40))
    return obligations, reviews, reports, at


@pytest.mark.parametrize("seed", range(400))
def test_matches_the_independent_reading(seed):
    obligations, reviews, reports, at = generated_case(random.Random(seed))
    frame = incident_clocks(pd.DataFrame(obligations, columns=list(rule("x", "", 1, "").keys())),
                            pd.DataFrame(reviews, columns=["review_id", "title", "incident_category", "aware_at"]),
                            pd.DataFrame(reports, columns=["report_id", "review_id", "obligation_id", "reference",
                                                           "reported_by", "reported_at"]), at)
    expected = reference_clocks(obligations, reviews, reports, at)
    got = [{"review_id": row.review_id, "obligation_id": row.obligation_id, "due_at": row.due_at.to_pydatetime(),
            "hours_left": None if pd.isna(row.hours_left) else row.hours_left,
            "done_at": None if pd.isna(row.done_at) else row.done_at.to_pydatetime(),
            "reference": row.reference, "state": row.state} for row in frame.itertuples()]
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected):
        assert {key: value for key, value in mine.items() if key != "hours_left"} == \
               {key: value for key, value in theirs.items() if key != "hours_left"}
        assert (mine["hours_left"] is None) == (theirs["hours_left"] is None)
        if mine["hours_left"] is not None:
            assert mine["hours_left"] == pytest.approx(theirs["hours_left"])
