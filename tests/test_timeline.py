"""The model timeline on /trajectory: the events over all time on the hand-made lab
of tests/changes_lab.py (worked out by hand), the chart annotations, and the page block."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pytest

from changes_lab import changes_tables
from dashboard import changes
from dashboard.charts.timeline import annotate_timeline
from dashboard.display import STATUS_COLOURS
from dashboard.ingest import ingest
from dashboard.store import snapshot
from labdata import write_folder
from pagelinks import open_link, pinned

D = dt.date


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = write_folder(tmp_path_factory.mktemp("timeline-src") / "lab", changes_tables())
    path = tmp_path_factory.mktemp("timeline") / "lab.duckdb"
    ingest(folder, path, progress=lambda _: None)
    return path


def test_alpha_over_all_time(store):
    got = changes.model_timeline(snapshot(store), "alpha", D(2025, 6, 10), None)
    rows = [(row.event_date, row.kind, row.before, row.after, row.detail) for row in got.itertuples()]
    # The data starts 2025-01-01 (base's checkpoint, beta's first ASL row): the window is (2024-12-31, 2025-06-10].
    assert rows == [
        (D(2025, 6, 10), "onboarding_while_triggered", None, None, "alpha-d3 (customer c1 Customer One)"),
        # before the data alpha had no checkpoint; on 06-10 its step 200 round (triggered) is the latest.
        (D(2025, 6, 10), "status_change", "no_checkpoint", "triggered", None),
        (D(2025, 6, 10), "threshold_crossed", None, None, "California SB 53 frontier model (1e26 training FLOP)"),
        (D(2025, 6, 5), "onboarding_while_triggered", None, None, "alpha-d1 (customer c1 Customer One)"),
        (D(2025, 6, 3), "evaluation_round", None, "triggered", "cbrn"),
        (D(2025, 6, 2), "onboarding_while_triggered", None, None, "alpha-d2 (first-party consumer)"),
        # June up to 06-10: alpha-d2 (06-02), alpha-d1 (06-05), alpha-d3 (06-10); alpha-d4 (06-11) is later.
        (D(2025, 6, 1), "deployments", None, None, "3 started, 0 ended in 2025-06"),
        (D(2025, 6, 1), "threshold_crossed", None, None, "EU AI Act Art. 51(2) (1e25 training FLOP)"),
        (D(2025, 5, 20), "asl_change", "2", "3", "precaution"),
        (D(2025, 5, 3), "evaluation_round", None, "clean", None),
        (D(2025, 5, 1), "asl_change", "2", "2", "initial classification"),
    ]


def test_deployments_started_and_ended_per_month(store):
    got = changes.model_timeline(snapshot(store), "gamma", D(2025, 6, 10), None)
    monthly = got[got["kind"] == "deployments"][["event_date", "detail"]].values.tolist()
    # gamma-d0 starts 04-10 and ends 06-04; gamma-d3, d1, d2 start 06-01, 06-05, 06-06.
    assert monthly == [[D(2025, 6, 1), "3 started, 1 ended in 2025-06"], [D(2025, 4, 1), "1 started, 0 ended in 2025-04"]]
    # As of 06-03 the end (06-04) and two starts are not known yet.
    early = changes.model_timeline(snapshot(store), "gamma", D(2025, 6, 3), None)
    assert early[early["kind"] == "deployments"]["detail"].tolist() == ["1 started, 0 ended in 2025-06",
                                                                        "1 started, 0 ended in 2025-04"]


def test_annotations_mark_rounds_levels_and_lines_as_plain_text():
    events = pd.DataFrame([
        {"event_date": D(2025, 6, 3), "kind": "evaluation_round", "model_id": "m", "model_name": "M", "before": None,
         "after": "triggered", "detail": "cbrn"},
        {"event_date": D(2025, 5, 20), "kind": "asl_change", "model_id": "m", "model_name": "M", "before": "2",
         "after": "3", "detail": "<b>why</b>\nnew line"},
        {"event_date": D(2025, 6, 1), "kind": "threshold_crossed", "model_id": "m", "model_name": "M", "before": None,
         "after": None, "detail": "<img src=x onerror=alert(1)> a very long regulatory line name indeed"},
        {"event_date": D(2025, 6, 10), "kind": "status_change", "model_id": "m", "model_name": "M",
         "before": "on_track", "after": "triggered", "detail": None},
        {"event_date": D(2025, 6, 1), "kind": "deployments", "model_id": "m", "model_name": "M", "before": None,
         "after": None, "detail": "3 started, 0 ended in 2025-06"},
    ])
    fig = annotate_timeline(go.Figure(), events)
    notes = [(note.x, note.text, note.hovertext, note.font.color) for note in fig.layout.annotations]
    # Oldest first; status changes and deployment counts are in the list, not on the chart.
    assert [note[:2] for note in notes] == [
        (pd.Timestamp("2025-05-20"), "ASL-2 → ASL-3"),
        (pd.Timestamp("2025-06-01"), "&lt;img src=x onerror=alert(1)&gt; a …"),  # the first 31 characters
        (pd.Timestamp("2025-06-03"), "round: triggered"),
    ]
    assert notes[0][2] == "2025-05-20: ASL-2 → ASL-3: &lt;b&gt;why&lt;/b&gt; new line"
    assert notes[2][2] == "2025-06-03: evaluation round triggered in cbrn" and notes[2][3] == STATUS_COLOURS["triggered"]
    assert len(fig.layout.shapes) == 3


def test_trajectory_page_shows_the_timeline(store):
    app = open_link(store, "app_pages/trajectory.py", model="beta", as_of="2025-06-10")
    assert "Timeline" in [header.value for header in app.subheader]
    tables = [frame.value for frame in app.dataframe]
    timeline = next(table for table in tables if "kind" in table.columns and "change" in table.columns)
    # Newest first: beta's status (no_checkpoint before the data, triggered on 06-10), then its raise
    # to ASL-3 on 06-04 (beta-d2 and beta-d3 started after the raise: no breach).
    first = {**timeline.iloc[0].to_dict(), "open": pinned(timeline.iloc[0]["open"])}
    assert first == {"open": "./trajectory?model=beta&as_of=2025-06-10", "event_date": D(2025, 6, 10),
                                          "kind": "status_change", "change": "no_checkpoint → triggered", "detail": ""}
    second = {**timeline.iloc[1].to_dict(), "open": pinned(timeline.iloc[1]["open"])}
    assert second == {"open": "./trajectory?model=beta&as_of=2025-06-04", "event_date": D(2025, 6, 4),
                                          "kind": "asl_change", "change": "2 → 3", "detail": "triggered cbrn"}
    assert "onboarding_while_triggered" in set(timeline["kind"])


def test_decisions_are_their_own_marks_with_their_state_in_the_hover():
    events = pd.DataFrame([
        {"event_date": D(2026, 12, 2), "kind": "decision", "model_id": "m", "model_name": "M", "before": None,
         "after": "reclassify to ASL-3: in effect", "detail": "reclassify · review R1 <b>x</b> · made by a@lab",
         "review_id": "R1"},
        {"event_date": D(2026, 11, 30), "kind": "decision", "model_id": "m", "model_name": "M", "before": None,
         "after": "halt onboarding: proposed", "detail": "halt_onboarding · review R1 · made by a@lab",
         "review_id": "R1"},
        {"event_date": D(2026, 12, 1), "kind": "asl_change", "model_id": "m", "model_name": "M", "before": "2",
         "after": "3", "detail": "raised", "review_id": None},
    ])
    fig = annotate_timeline(go.Figure(), events)
    marks = [trace for trace in fig.data if trace.name == "review decision"]
    assert len(marks) == 1 and list(marks[0].x) == [pd.Timestamp("2026-11-30"), pd.Timestamp("2026-12-02")]
    assert [list(row) for row in marks[0].customdata] == [
        ["2026-11-30", "halt onboarding: proposed", "halt_onboarding · review R1 · made by a@lab"],
        ["2026-12-02", "reclassify to ASL-3: in effect", "reclassify · review R1 &lt;b&gt;x&lt;/b&gt; · made by a@lab"],
    ]
    # Filled when in effect, open while proposed; the decisions' lines are dashed, the level change's dotted.
    assert list(marks[0].marker.symbol) == ["diamond-open", "diamond"]
    assert sorted(shape.line.dash for shape in fig.layout.shapes) == ["dash", "dash", "dot"]
    assert [note.text for note in fig.layout.annotations] == ["ASL-2 → ASL-3"]
    # Two decisions of one day: one under the other, each hovered on its own.
    same_day = pd.concat([events.iloc[[0]], events.iloc[[0]].assign(after="no action: proposed")])
    marks = [trace for trace in annotate_timeline(go.Figure(), same_day).data if trace.name == "review decision"][0]
    assert list(marks.y) == pytest.approx([0.96, 0.90])
