"""Changes between two dates (DESIGN section 8) on the hand-made lab of tests/changes_lab.py, each
expected event worked out by hand; and against the independent implementation of
tests/changes_reference.py on the demo data at several windows.

The lab's window is (2025-06-01, 2025-06-10]: 2025-06-01 excluded, 2025-06-10 included.
Policy rsp-v1.0: k = 4, b = 6, T = 90; due soon from 4 ** 0.75 = 2.83x or 67.5 days.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from changes_lab import changes_tables
from changes_reference import Lab
from dashboard import changes, links
from dashboard.ingest import ingest
from dashboard.params import ParamError
from dashboard.store import DEMO_DIR, snapshot
from labdata import write_folder

SINCE, AS_OF = dt.date(2025, 6, 1), dt.date(2025, 6, 10)
D = dt.date


@pytest.fixture(scope="module")
def lab_folder(tmp_path_factory):
    return write_folder(tmp_path_factory.mktemp("changes-src") / "lab", changes_tables())


@pytest.fixture(scope="module")
def lab(lab_folder, tmp_path_factory):
    store = tmp_path_factory.mktemp("changes") / "changes.duckdb"
    ingest(lab_folder, store, progress=lambda _: None)
    return snapshot(store)


def events(snap, since=SINCE, as_of=AS_OF, policy_id=None, model_id=None) -> list[tuple]:
    frame = changes.changes_frame(snap, since, as_of, policy_id, model_id)
    assert list(frame.columns) == changes.COLUMNS
    return [tuple(row) for row in frame.itertuples(index=False)]


# Worked out by hand, newest first, then kind, then model (DESIGN 8's order):
EXPECTED = [
    # delta: 2025-03-01 ASL-2, 2025-06-10 ASL-3 "review": on as_of, included; level the day before: 2.
    (D(2025, 6, 10), "asl_change", "delta", "Delta", "2", "3", "review"),
    # delta step 200: cbrn below 05-30, cyber inconclusive 06-10 -> latest completion 06-10, inconclusive,
    # no domain triggered. (Its step 300 round completes 06-12, after as_of: not counted.)
    (D(2025, 6, 10), "evaluation_round", "delta", "Delta", None, "inconclusive", None),
    # alpha-d3 starts on as_of; alpha's step 200 round triggered (06-02/06-03), no clean round above
    # it, no raise from 06-03 to 06-10 (its raise to ASL-3 was on 05-20, before the round).
    (D(2025, 6, 10), "onboarding_while_triggered", "alpha", "Alpha", None, None, "alpha-d3 (customer c1 Customer One)"),
    # alpha as of 06-01: clean round at step 100 (C 5e24, done 05-03), C now 1e25 (step 200, 06-01):
    # 2x < 2.83x, 29 days < 67.5 -> on_track. As of 06-10 the step 200 round is triggered -> triggered.
    (D(2025, 6, 10), "status_change", "alpha", "Alpha", "on_track", "triggered", None),
    # gamma as of 06-01: only the triggered round at step 200 -> triggered. As of 06-10: clean round
    # at step 300 (06-06) above it, C now = C eval = 3e24 (1x), 4 days -> on_track.
    (D(2025, 6, 10), "status_change", "gamma", "Gamma", "triggered", "on_track", None),
    # zeta has no checkpoint on 06-01 (DESIGN 4a: no_checkpoint); on 06-10 one, no evaluation.
    (D(2025, 6, 10), "status_change", "zeta", "Zeta", "no_checkpoint", "never_evaluated", None),
    # alpha's training FLOP reaches 1e26 at step 300, recorded 06-10 (as_of: included). It reached
    # 1e25 at step 200 on 06-01 = since: excluded.
    (D(2025, 6, 10), "threshold_crossed", "alpha", "Alpha", None, None, "California SB 53 frontier model (1e26 training FLOP)"),
    # epsilon: ASL-2 from 06-01 (on since: excluded), ASL-1 from 06-09: 2 -> 1.
    (D(2025, 6, 9), "asl_change", "epsilon", "Epsilon", "2", "1", "downgrade"),
    # theta's first history row, 06-08 ASL-3: before its first row a model is at that row's level (4a).
    (D(2025, 6, 8), "asl_change", "theta", "Theta", "3", "3", "initial classification"),
    # theta: effective compute 2e25 since 05-01, but training FLOP reaches 1e25 only at step 200 (06-07).
    (D(2025, 6, 7), "threshold_crossed", "theta", "Theta", None, None, "EU AI Act Art. 51(2) (1e25 training FLOP)"),
    # gamma step 300: cbrn and cyber below threshold on 06-06 -> clean.
    (D(2025, 6, 6), "evaluation_round", "gamma", "Gamma", None, "clean", None),
    # alpha-d1 starts 06-05: alpha's open trigger completed 06-03, no raise 06-03..06-05.
    (D(2025, 6, 5), "onboarding_while_triggered", "alpha", "Alpha", None, None, "alpha-d1 (customer c1 Customer One)"),
    # gamma-d1 starts 06-05: the clean step 300 round completes only on 06-06, so step 200's trigger is open.
    (D(2025, 6, 5), "onboarding_while_triggered", "gamma", "Gamma", None, None, "gamma-d1 (customer c1 Customer One)"),
    # beta: 2025-01-01 ASL-2, 06-04 ASL-3 "triggered cbrn".
    (D(2025, 6, 4), "asl_change", "beta", "Beta", "2", "3", "triggered cbrn"),
    # alpha step 200: cbrn triggered 06-02, cyber below 06-03 -> completed 06-03, triggered in cbrn.
    (D(2025, 6, 3), "evaluation_round", "alpha", "Alpha", None, "triggered", "cbrn"),
    # beta-d1 starts 06-03: beta's step 200 round triggered 05-25; the raise comes 06-04, after the start.
    (D(2025, 6, 3), "onboarding_while_triggered", "beta", "Beta", None, None, "beta-d1 (customer c1 Customer One)"),
    # alpha-d2 (first-party, consumer) starts 06-02: the cbrn row triggered that very day (counts).
    (D(2025, 6, 2), "onboarding_while_triggered", "alpha", "Alpha", None, None, "alpha-d2 (first-party consumer)"),
]
# Not events: beta-d2 (06-04, raised that day) and beta-d3 (06-08); gamma-d2 (06-06, the clean round
# completed that day); gamma-d3 (06-01 = since) and alpha-d4 (06-11, after as_of); delta-d1 (delta
# never triggered); epsilon's clean round completed on since; its triggered preliminary evaluation
# forms no round; beta and delta keep their status (triggered; on_track at 1.5x/30 days and 1.6x/39 days).


def test_every_kind_in_the_window_worked_out_by_hand(lab):
    assert events(lab) == EXPECTED


def test_window_edges_since_excluded_as_of_included(lab):
    # (06-01, 06-02]: as of 06-02 alpha's step 200 round holds only the cbrn row (triggered on
    # 06-02), so the round is dated 06-02; alpha goes on_track -> triggered on 06-02.
    assert events(lab, D(2025, 6, 1), D(2025, 6, 2)) == [
        (D(2025, 6, 2), "evaluation_round", "alpha", "Alpha", None, "triggered", "cbrn"),
        (D(2025, 6, 2), "onboarding_while_triggered", "alpha", "Alpha", None, None, "alpha-d2 (first-party consumer)"),
        (D(2025, 6, 2), "status_change", "alpha", "Alpha", "on_track", "triggered", None),
    ]
    # (06-02, 06-03]: the round is complete on 06-03 (a round counts in the window of its latest row).
    assert events(lab, D(2025, 6, 2), D(2025, 6, 3)) == [
        (D(2025, 6, 3), "evaluation_round", "alpha", "Alpha", None, "triggered", "cbrn"),
        (D(2025, 6, 3), "onboarding_while_triggered", "beta", "Beta", None, None, "beta-d1 (customer c1 Customer One)"),
    ]
    # (05-31, 06-01]: now 06-01 is inside: alpha crosses 1e25, epsilon's round and first ASL row,
    # gamma-d3 onboards while gamma's step 200 trigger (05-10) is open.
    assert events(lab, D(2025, 5, 31), D(2025, 6, 1)) == [
        (D(2025, 6, 1), "asl_change", "epsilon", "Epsilon", "2", "2", "initial classification"),
        (D(2025, 6, 1), "evaluation_round", "epsilon", "Epsilon", None, "clean", None),
        (D(2025, 6, 1), "onboarding_while_triggered", "gamma", "Gamma", None, None, "gamma-d3 (customer c1 Customer One)"),
        # epsilon has no round as of 05-31 -> never_evaluated; clean on 06-01, 0 days, 1x -> on_track.
        (D(2025, 6, 1), "status_change", "epsilon", "Epsilon", "never_evaluated", "on_track", None),
        (D(2025, 6, 1), "threshold_crossed", "alpha", "Alpha", None, None, "EU AI Act Art. 51(2) (1e25 training FLOP)"),
    ]
    # (06-10, 06-11]: alpha-d4 on 06-11 is a breach too; delta's round is not re-dated.
    assert events(lab, D(2025, 6, 10), D(2025, 6, 11)) == [
        (D(2025, 6, 11), "onboarding_while_triggered", "alpha", "Alpha", None, None, "alpha-d4 (customer c1 Customer One)"),
    ]


@pytest.fixture(scope="module")
def lab_with_obligations(tmp_path_factory):
    from changes_lab import obligations

    tables = {**changes_tables(), "obligations": obligations()}
    folder = write_folder(tmp_path_factory.mktemp("changes-obl-src") / "lab", tables)
    store = tmp_path_factory.mktemp("changes-obl") / "changes.duckdb"
    ingest(folder, store, progress=lambda _: None)
    return folder, snapshot(store)


def test_regulatory_lines_come_from_the_obligations_table(lab_with_obligations):
    folder, snap = lab_with_obligations
    crossed = [row for row in events(snap) if row[1] == "threshold_crossed"]
    # One line per obligation row, its threshold on its measure; the default lines are gone:
    # alpha's effective compute reaches 5e25 only at step 300 (1e26, 06-10); its training FLOP reached
    # 1e25 on 06-01 (since: excluded). theta's training FLOP reaches 1e25 on 06-07 (2e25), and its
    # effective compute 5e25 the same day (8e25; 2e25 before). applies_from plays no part here.
    assert crossed == [
        (D(2025, 6, 10), "threshold_crossed", "alpha", "Alpha", None, None, "Line Y: 5e25 effective compute"),
        (D(2025, 6, 7), "threshold_crossed", "theta", "Theta", None, None, "Line X: 1e25 training FLOP"),
        (D(2025, 6, 7), "threshold_crossed", "theta", "Theta", None, None, "Line Y: 5e25 effective compute"),
    ]
    assert [row for row in events(snap) if row[1] != "threshold_crossed"] == \
        [row for row in EXPECTED if row[1] != "threshold_crossed"]
    assert Lab(folder).changes(SINCE, AS_OF) == events(snap)


def test_policy_choice_applies_to_both_dates(lab):
    # Under compute-only (k = 2, no buffer, no interval): alpha as of 06-01 is at 2x >= k -> eval_overdue;
    # delta as of 06-01 at 1.5x >= 2 ** 0.75 = 1.68? no -> on_track; as of 06-10 1.6x -> on_track.
    # gamma 06-10: 1x -> on_track. So only the before-status of alpha differs from the default policy.
    frame = changes.changes_frame(lab, SINCE, AS_OF, "compute-only")
    status = frame[frame["kind"] == "status_change"][["model_id", "before", "after"]].values.tolist()
    assert status == [["alpha", "eval_overdue", "triggered"], ["gamma", "triggered", "on_track"],
                      ["zeta", "no_checkpoint", "never_evaluated"]]


def test_one_models_events(lab):
    assert events(lab, model_id="beta") == [row for row in EXPECTED if row[2] == "beta"]
    assert events(lab, model_id="alpha") == [row for row in EXPECTED if row[2] == "alpha"]


def test_status_changes_is_a_pure_comparison():
    before = pd.DataFrame({"model_id": ["a", "b", "c"], "name": ["A", "B", "C"],
                           "status": ["on_track", "triggered", "no_checkpoint"]})
    after = pd.DataFrame({"model_id": ["a", "b", "c"], "name": ["A", "B", "C"],
                          "status": ["on_track", "on_track", "never_evaluated"]})
    got = changes.status_changes(before, after, D(2025, 1, 2))
    assert got.values.tolist() == [[D(2025, 1, 2), "status_change", "b", "B", "triggered", "on_track", None],
                                   [D(2025, 1, 2), "status_change", "c", "C", "no_checkpoint", "never_evaluated", None]]


@pytest.mark.parametrize("since_text, message", [
    ("2025-06-10", "is not before the as-of date 2025-06-10"),
    ("2025-07-01", "is not before the as-of date"),
    ("2024-12-30", "is before the data: its first date is 2025-01-01, so choose 2024-12-31 or later"),
    ("2025-6-1", "is not a date"),
    ("2025-02-30", "is not a real calendar date"),
    ("1900-01-01", "is before the data"),
    ("'; DROP TABLE models; --", "is not a date"),
])
def test_bad_windows_get_a_clear_message(since_text, message):
    with pytest.raises(ParamError, match=message.replace("(", r"\(").replace(")", r"\)")):
        changes.resolve_since(since_text, AS_OF, D(2025, 1, 1))


def test_window_defaults_and_limits():
    assert changes.resolve_since(None, AS_OF, D(2025, 1, 1)) == D(2025, 6, 3)  # as_of minus 7 days
    assert changes.resolve_since("2024-12-31", AS_OF, D(2025, 1, 1)) == D(2024, 12, 31)  # the day before the data
    assert changes.resolve_since("2025-06-09", AS_OF, D(2025, 1, 1)) == D(2025, 6, 9)


def test_links_and_the_independent_implementation_on_the_lab(lab, lab_folder):
    reference = Lab(lab_folder)
    assert reference.changes(SINCE, AS_OF) == EXPECTED
    assert links.trajectory_path("a b&c", D(2025, 6, 10), "rsp-v1.0") == "/trajectory?model=a%20b%26c&as_of=2025-06-10&policy=rsp-v1.0"


# --- The demo data against the independent implementation ------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = tmp_path_factory.mktemp("changes-demo") / "demo.duckdb"
    ingest(DEMO_DIR, store, progress=lambda _: None, dataset="demo")
    return snapshot(store)


@pytest.fixture(scope="module")
def demo_reference():
    return Lab(DEMO_DIR)


# The last demo model's first checkpoint is dated 2026-07-13: windows starting earlier hold no_checkpoint
# statuses; (2024-12-15, 2026-11-20] is all of the data.
@pytest.mark.parametrize("since, as_of, policy_id", [
    (D(2024, 12, 15), D(2026, 11, 20), None),
    (D(2025, 3, 1), D(2025, 9, 30), "rsp-v2.0"),
    (D(2026, 11, 13), D(2026, 11, 20), None),
    (D(2026, 10, 1), D(2026, 10, 31), None),
    (D(2026, 8, 31), D(2026, 9, 30), "fsf-v1.0"),
    (D(2026, 7, 13), D(2026, 11, 20), None),
    (D(2026, 7, 20), D(2026, 11, 1), "pf-beta"),
])
def test_demo_matches_the_independent_implementation(demo, demo_reference, since, as_of, policy_id):
    got = events(demo, since, as_of, policy_id)
    expected = demo_reference.changes(since, as_of, policy_id)
    assert got == expected
    assert got, "every window checked holds events"


def test_demo_has_onboarding_while_triggered(demo):
    frame = changes.changes_frame(demo, D(2026, 11, 13), D(2026, 11, 20), None)
    assert (frame["kind"] == changes.BREACH).sum() >= 1
