"""Chart builders on hand-made DataFrames: traces, shapes, axis types; and the projection."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts
from dashboard.charts import labels
from dashboard.charts.timeline import fitted_label
from dashboard.ingest import ingest
from dashboard.projection import project, projection_line
from dashboard.store import snapshot
from labdata import same_name_lab_tables, write_folder


def status_rows():
    return pd.DataFrame([
        {"model_id": "a", "name": "A <b>bold</b>", "policy_id": "rsp-v1.0", "status": "on_track", "compute_multiple": 2.0,
         "days_since_eval": 10, "buffer_used_pct": 38.7, "next_eval_date": dt.date(2025, 8, 1), "c_now": 2e24, "c_eval": 1e24},
        {"model_id": "b", "name": "B", "policy_id": "rsp-v1.0", "status": "buffer_breached", "compute_multiple": 7.0,
         "days_since_eval": 40, "buffer_used_pct": 108.6, "next_eval_date": dt.date(2025, 7, 1), "c_now": 7e24, "c_eval": 1e24},
        {"model_id": "c", "name": "C", "policy_id": "rsp-v1.0", "status": "never_evaluated", "compute_multiple": None,
         "days_since_eval": None, "buffer_used_pct": None, "next_eval_date": None, "c_now": 1e24, "c_eval": None},
    ])


def test_buffer_map_points_lines_and_bands():
    fig = charts.buffer_map(status_rows(), k=4, b=6, t=90, policy_label="rsp-v1.0")
    assert fig.layout.yaxis.type == "log"
    names = [trace.name for trace in fig.data]
    assert names == ["Buffer breached", "On track"]  # never-evaluated models have no point
    assert list(fig.data[1].x) == [10.0] and list(fig.data[1].y) == [2.0]
    hlines = sorted(shape.y0 for shape in fig.layout.shapes if shape.type == "line" and shape.y0 == shape.y1)
    assert hlines == pytest.approx([4 ** 0.75, 4, 6])
    vlines = sorted(shape.x0 for shape in fig.layout.shapes if shape.type == "line" and shape.x0 == shape.x1)
    assert vlines == [67.5, 90]
    bands = [shape for shape in fig.layout.shapes if shape.type == "rect"]
    assert len(bands) == 3
    labels = [annotation.text for annotation in fig.layout.annotations]
    assert "buffer edge 6x" in labels and "evaluation due 4x" in labels
    # Labels on a log axis sit at log10 of the value.
    edge = next(a for a in fig.layout.annotations if a.text == "buffer edge 6x")
    assert edge.y == pytest.approx(math.log10(6))
    # Names from data are escaped before they reach Plotly's HTML-ish hover labels.
    assert "A &lt;b&gt;bold&lt;/b&gt;" in list(fig.data[1].customdata[0])


def test_buffer_map_without_buffer_or_interval():
    fig = charts.buffer_map(status_rows(), k=2, b=None, t=None, policy_label="pf-beta")
    assert not [shape for shape in fig.layout.shapes if shape.type == "line" and shape.x0 == shape.x1]
    assert "buffer edge" not in " ".join(a.text for a in fig.layout.annotations)


def test_normalised_trajectories_one_trace_per_status_with_gaps():
    paths = pd.DataFrame({
        "model_id": ["a", "a", "b", "b", "d", "d"], "name": ["A", "A", "B", "B", "D", "D"],
        "status": ["on_track", "on_track", "on_track", "on_track", "eval_overdue", "eval_overdue"],
        "recorded_at": pd.to_datetime(["2025-01-01", "2025-02-01"] * 3), "multiple": [1, 2, 1, 3, 1, 5]})
    fig = charts.normalised_trajectories(paths, k=4, b=6)
    assert [trace.name for trace in fig.data] == ["Evaluation overdue", "On track"]
    gaps = [None if math.isnan(value) else value for value in fig.data[1].y]  # NaN is drawn as a gap
    assert gaps == [1, 2, None, 1, 3, None]
    assert list(fig.data[1].x)[2] is None and fig.data[1].connectgaps is False
    # Dates, not the integers numpy makes of nanosecond datetimes (drawn as numbers near 1.7e18).
    assert [None if x is None else pd.Timestamp(x) for x in fig.data[1].x] == [
        pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01"), None, pd.Timestamp("2025-01-01"),
        pd.Timestamp("2025-02-01"), None]
    assert '"2025-02-01' in fig.to_json()
    assert fig.layout.yaxis.type == "log"


def rounds_frame():
    return pd.DataFrame([
        {"step": 100, "round_outcome": "clean", "completed_at": pd.Timestamp("2025-01-10"),
         "recorded_at": pd.Timestamp("2025-01-05"), "effective_compute": 1e24,
         "details": [{"domain": "cbrn", "outcome": "below_threshold", "score": 0.2, "trigger_score": 0.5,
                      "elicitation": "<i>scaffold</i>", "target_asl_level": 3}]},
        {"step": 200, "round_outcome": "clean", "completed_at": pd.Timestamp("2025-02-10"),
         "recorded_at": pd.Timestamp("2025-02-05"), "effective_compute": 3e24, "details": []},
        {"step": 300, "round_outcome": "triggered", "completed_at": pd.Timestamp("2025-03-10"),
         "recorded_at": pd.Timestamp("2025-03-05"), "effective_compute": 9e24, "details": []},
    ])


def test_envelopes_run_from_each_clean_round_to_the_next():
    env = charts.envelopes(rounds_frame(), k=4, b=6, as_of=pd.Timestamp("2025-04-01"))
    assert list(env["start"]) == [pd.Timestamp("2025-01-10"), pd.Timestamp("2025-02-10")]
    assert list(env["end"]) == [pd.Timestamp("2025-02-10"), pd.Timestamp("2025-04-01")]
    assert list(env["next_eval"]) == pytest.approx([4e24, 12e24]) and list(env["buffer_edge"]) == pytest.approx([6e24, 18e24])


def test_trajectory_figure():
    points = pd.DataFrame({"step": [100, 200, 300, 400],
                           "recorded_at": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-03-05", "2025-03-20"]),
                           "effective_compute": [1e24, 3e24, 9e24, 1.2e25]})
    history = pd.DataFrame({"asl_level": [2, 3], "effective_from": [dt.date(2024, 12, 1), dt.date(2025, 3, 10)],
                            "reason": ["initial", "triggered cbrn"]})
    fig = charts.trajectory(points, rounds_frame(), history, k=4, b=6, as_of=pd.Timestamp("2025-04-01"),
                            model_label="M", show_reference_lines=True)
    names = [trace.name for trace in fig.data]
    assert "effective compute" in names and "evaluation round: clean" in names and "evaluation round: triggered" in names
    assert fig.layout.yaxis.type == "log"
    texts = [annotation.text for annotation in fig.layout.annotations]
    assert "ASL threshold reached" in texts
    # The earliest level of concern: b x the last clean C before the trigger = 6 x 3e24.
    assert any(text.startswith("earliest level of concern 1.80e25") for text in texts)
    assert "ASL-3" in texts and "ASL-2" in texts  # background bands from asl_history
    assert "EU AI Act Art. 51(2) (1e25 training FLOP)" in texts  # DESIGN 9's rule, not a bare "1e25 FLOP"
    clean_hover = fig.data[[t.name for t in fig.data].index("evaluation round: clean")].customdata[0][2]
    assert "&lt;i&gt;scaffold&lt;/i&gt;" in clean_hover and "score 0.2 / trigger 0.5" in clean_hover


def test_projection_of_exponential_growth():
    # Doubling every 10 days exactly: 1e24 on day 0, 2e24 on day 10, 4e24 on day 20.
    points = pd.DataFrame({"recorded_at": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-01-21"]),
                           "effective_compute": [1e24, 2e24, 4e24]})
    result = project(points, {"next evaluation": 8e24, "buffer edge": 4e24, "far": 1e200})
    assert result.doubling_days == pytest.approx(10)
    assert result.reached["next evaluation"] == pd.Timestamp("2025-01-31")  # one more doubling
    assert result.already["buffer edge"] is True and result.reached["buffer edge"] is None
    assert result.reached["far"] is None  # beyond ten years at this rate
    line = projection_line(points, result, pd.Timestamp("2025-01-31"))
    assert list(line["effective_compute"]) == pytest.approx([4e24, 8e24])


def test_projection_needs_growth_and_points():
    flat = pd.DataFrame({"recorded_at": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-01-21"]),
                         "effective_compute": [1e24, 1e24, 1e24]})
    assert project(flat, {"next": 4e24}).reached["next"] is None
    single = flat.head(1)
    assert project(single, {"next": 4e24}) is None


def test_projection_uses_only_the_recent_window():
    # Slow growth long ago, fast growth in the last 60 days: the rate comes from the recent part.
    dates = pd.to_datetime(["2024-01-01", "2024-06-01", "2025-01-01", "2025-01-11", "2025-01-21"])
    points = pd.DataFrame({"recorded_at": dates, "effective_compute": [1e20, 1e21, 1e24, 2e24, 4e24]})
    assert project(points, {"x": 8e24}).doubling_days == pytest.approx(10)


def test_safeguard_gaps_leaves_room_for_the_longest_count():
    gaps = pd.DataFrame({"safeguard_id": ["a", "b"], "name": ["Alpha", "Beta"], "kind": ["deployment", "security"],
                         "deployments_missing": [154, 40]})
    fig = charts.safeguard_gaps(gaps)
    bar = fig.data[0]
    assert list(bar.y) == ["Beta", "Alpha"] and list(bar.x) == [40, 154]  # longest bar on top
    low, high = fig.layout.xaxis.range
    assert low == 0 and high > 154 * 1.1  # the "154" drawn outside the bar is not cut off
    assert len(charts.safeguard_gaps(gaps.iloc[0:0]).data[0].x) == 0


# --- The trajectory as of a date, regulatory lines, names on the map, legends clear of titles and
# toolbars ------------------------------------------------------------------------------------------


def stopped_model():
    """A model whose last checkpoint (2025-01-01) is 100 days before the as-of date 2025-04-11, with a
    clean round at step 100 done on 2025-01-10 (t_eval + 90 days = 2025-04-10) and a round at step 200
    done on 2025-03-20, 2.5 months after its checkpoint of 2025-01-01."""
    points = pd.DataFrame({"step": [100, 200], "recorded_at": pd.to_datetime(["2024-12-01", "2025-01-01"]),
                           "training_flop": [5e24, 1.2e25], "effective_compute": [1e25, 2.4e25]})
    rounds = pd.DataFrame([
        {"step": 100, "round_outcome": "clean", "completed_at": pd.Timestamp("2024-12-05"),
         "recorded_at": pd.Timestamp("2024-12-01"), "effective_compute": 1e25, "details": []},
        {"step": 200, "round_outcome": "clean", "completed_at": pd.Timestamp("2025-03-20"),
         "recorded_at": pd.Timestamp("2025-01-01"), "effective_compute": 2.4e25, "details": []},
    ])
    return points, rounds


def trace(fig, prefix):
    return next(t for t in fig.data if (t.name or "").startswith(prefix))


def test_trajectory_now_is_the_as_of_date_and_compute_stays_flat_when_not_training():
    points, rounds = stopped_model()
    now = pd.Timestamp("2025-04-11")
    fig = charts.trajectory(points, rounds, pd.DataFrame(columns=["asl_level", "effective_from", "reason"]), k=4, b=6,
                            as_of=now + pd.Timedelta(days=1), model_label="M", now=now, training=False,
                            reevaluate_on=dt.date(2025, 4, 10), show_reference_lines=False)
    flat = trace(fig, "no checkpoint since 2025-01-01")
    assert [pd.Timestamp(x) for x in flat.x] == [pd.Timestamp("2025-01-01"), now] and list(flat.y) == [2.4e25, 2.4e25]
    assert [pd.Timestamp(x) for x in trace(fig, "now").x] == [now]  # "now" at the as-of date, not the last checkpoint
    assert not [t for t in fig.data if (t.name or "").startswith("projection")]
    vlines = {pd.Timestamp(shape.x0) for shape in fig.layout.shapes if shape.type == "line" and shape.x0 == shape.x1}
    assert {now, pd.Timestamp("2025-04-10")} <= vlines  # the time limit t_eval + T is drawn
    texts = [annotation.text for annotation in fig.layout.annotations]
    assert "re-evaluation was due 2025-04-10" in texts and not any("re-evaluate by" in text for text in texts)
    # The x axis reaches the as-of date.
    assert pd.Timestamp(fig.layout.xaxis.range[1]) > now


def test_a_round_done_long_after_its_checkpoint_is_joined_to_its_completion():
    points, rounds = stopped_model()
    fig = charts.trajectory(points, rounds, pd.DataFrame(columns=["asl_level", "effective_from", "reason"]), k=4, b=6,
                            as_of=pd.Timestamp("2025-04-12"), model_label="M", now=pd.Timestamp("2025-04-11"),
                            training=False, show_reference_lines=False)
    joined = trace(fig, "checkpoint evaluated -> round completed")
    # Only the late round (2025-01-01 -> 2025-03-20, at its compute 2.4e25); the first was done in 4 days.
    assert [None if x is None else pd.Timestamp(x) for x in joined.x] == [
        pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-20"), None]
    assert list(joined.y)[:2] == [2.4e25, 2.4e25]
    # Its envelope starts at the completion: 4 x 2.4e25 from 2025-03-20.
    env = charts.envelopes(rounds, 4, 6, pd.Timestamp("2025-04-12"))
    assert env.iloc[-1]["start"] == pd.Timestamp("2025-03-20") and env.iloc[-1]["next_eval"] == pytest.approx(9.6e25)


def test_regulatory_lines_count_training_flop_with_design_9_labels():
    points, rounds = stopped_model()
    crossings = pd.DataFrame({"threshold": [1e25], "step": [200], "recorded_at": pd.to_datetime(["2025-01-01"]),
                              "training_flop": [1.2e25], "label": ["EU AI Act Art. 51(2) (1e25 training FLOP)"]})
    fig = charts.trajectory(points, rounds, pd.DataFrame(columns=["asl_level", "effective_from", "reason"]), k=4, b=6,
                            as_of=pd.Timestamp("2025-04-12"), model_label="M", now=pd.Timestamp("2025-04-11"),
                            training=False, crossings=crossings)
    assert list(trace(fig, "training FLOP").y) == [5e24, 1.2e25]  # the measure the rules count
    star = trace(fig, "training FLOP crosses a regulatory line")
    assert list(star.y) == [1.2e25] and [pd.Timestamp(x) for x in star.x] == [pd.Timestamp("2025-01-01")]
    texts = [annotation.text for annotation in fig.layout.annotations]
    assert "EU AI Act Art. 51(2) (1e25 training FLOP)" in texts
    assert "California SB 53 frontier model (1e26)" in texts  # within a decade of the model's top
    assert "EO" not in fig.to_json() and "2023" not in " ".join(texts)  # the revoked order is gone
    assert charts.REFERENCE_LINES == ((1e25, "EU AI Act Art. 51(2) (1e25 training FLOP)"),
                                      (1e26, "California SB 53 frontier model (1e26)"))


def test_public_frontier_does_not_shrink_the_models_own_trajectory():
    points, rounds = stopped_model()
    fig = charts.trajectory(points, rounds, pd.DataFrame(columns=["asl_level", "effective_from", "reason"]), k=4, b=6,
                            as_of=pd.Timestamp("2025-04-12"), model_label="M", now=pd.Timestamp("2025-04-11"),
                            training=False, show_reference_lines=False)
    before = (tuple(fig.layout.xaxis.range), tuple(fig.layout.yaxis.range))
    public = pd.DataFrame({"published_on": pd.to_datetime(["1957-01-01", "2012-06-01"]), "training_compute_flop": [1e5, 1e18],
                           "organization": ["Cornell", "Google"], "name": ["Perceptron", "Cat"]})
    charts.public_frontier(fig, public)
    assert (tuple(fig.layout.xaxis.range), tuple(fig.layout.yaxis.range)) == before
    # y: from a factor of 2 below the lowest value (1e25) to the buffer edge 6 x 2.4e25, in log10.
    assert fig.layout.yaxis.range[0] == pytest.approx(25 - 0.3)


def test_buffer_map_names_the_models_that_need_attention():
    rows = status_rows()
    rows = pd.concat([rows, pd.DataFrame([
        {"model_id": "d", "name": "Dee", "policy_id": "rsp-v1.0", "status": "eval_overdue", "compute_multiple": 1.0,
         "days_since_eval": 120, "buffer_used_pct": 0.0, "next_eval_date": dt.date(2025, 3, 1), "c_now": 1e24, "c_eval": 1e24},
        {"model_id": "e", "name": "Eve", "policy_id": "rsp-v1.0", "status": "eval_overdue", "compute_multiple": 1.0,
         "days_since_eval": 125, "buffer_used_pct": 0.0, "next_eval_date": dt.date(2025, 3, 1), "c_now": 1e24, "c_eval": 1e24},
    ])], ignore_index=True)
    fig = charts.buffer_map(rows, k=4, b=6, t=90, policy_label="rsp-v1.0")
    names = {annotation.text: annotation for annotation in fig.layout.annotations if annotation.showarrow}
    assert set(names) == {"B", "Dee", "Eve"}  # breached and overdue; not the on-track "A <b>bold</b>"
    # Dee and Eve are 5 days apart at the same height: their labels are stacked, not on top of each other.
    assert names["Dee"].ay != names["Eve"].ay
    # The 0.75 T and T labels sit above the plot, on opposite sides of their lines or in two rows (T
    # is too near the right edge here for its label to go right of it on a phone).
    vlabels = {a.text: a for a in fig.layout.annotations if "days" in a.text}
    soon, due = vlabels["due soon after 67.5 days"], vlabels["re-evaluate at 90 days"]
    assert soon.yref == due.yref == "paper" and soon.y == due.y == 1 and soon.yanchor == due.yanchor == "bottom"
    assert (soon.xanchor, due.xanchor) == ("right", "left") or soon.yshift != due.yshift


def test_legends_sit_under_the_plot_clear_of_title_and_toolbar():
    for fig in (charts.buffer_map(status_rows(), k=4, b=6, t=90, policy_label="p"),
                charts.normalised_trajectories(pd.DataFrame(columns=["model_id", "name", "status", "recorded_at", "multiple"]),
                                               k=4, b=6),
                charts.frontier(pd.DataFrame(columns=["recorded_at", "effective_compute", "name", "model_id"]), None)):
        assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0 and fig.layout.legend.yanchor == "bottom"
        # No template of our own (plotly_white forced a white chart on the dark theme): Plotly's default,
        # which Streamlit's theme replaces with the viewer's light or dark one.
        assert fig.layout.template == go.Figure().layout.template


# --- Log axes labelled with their values; no deadline ahead for a model due now; shared names;
# labels clear of each other at a phone's width ----------------------------------------------------


def tick_value(text: str) -> float:
    """The value a tick label states: "200x", "0.9x", "1e25", "2e25"."""
    return float(text[:-1]) if text.endswith("x") else float(text)


def test_log_ticks_state_their_own_value():
    values, texts = charts.log_ticks(0.85, 300)
    assert "2x" in texts and "200x" in texts and "0.9x" not in texts and "9" not in texts
    assert all(tick_value(text) == pytest.approx(value) for value, text in zip(values, texts))
    values, texts = charts.log_ticks(2e23, 3e26, charts.flop_tick_text)
    assert "1e25" in texts and "3e25" in texts and "3e23" in texts
    assert all(tick_value(text) == pytest.approx(value) for value, text in zip(values, texts))
    # Many decades: decades only.
    assert set(charts.log_ticks(1e12, 1e27, charts.flop_tick_text)[1]) <= {f"1e{e}" for e in range(0, 40)}


def every_log_axis(fig):
    return [axis for name, axis in fig.layout.to_plotly_json().items() if name.startswith("yaxis") and axis.get("type") == "log"]


def test_every_log_axis_of_every_chart_labels_each_tick_with_its_value():
    rows = status_rows()
    rows.loc[1, "compute_multiple"] = 240.0  # a model at 240x: a tick must not read a bare "2" for 200x
    paths = pd.DataFrame({"model_id": ["a", "a"], "name": ["A", "A"], "status": ["on_track"] * 2,
                          "recorded_at": pd.to_datetime(["2025-01-01", "2025-02-01"]), "multiple": [1, 240]})
    points, rounds = stopped_model()
    positions = pd.DataFrame({"recorded_at": pd.to_datetime(["2025-01-01"]), "effective_compute": [2e25], "name": ["M"],
                              "model_id": ["m"]})
    figures = [charts.buffer_map(rows, k=4, b=6, t=90, policy_label="p"), charts.normalised_trajectories(paths, k=4, b=6),
               charts.trajectory(points, rounds, pd.DataFrame(columns=["asl_level", "effective_from", "reason"]), k=4,
                                 b=6, as_of=pd.Timestamp("2025-04-12"), model_label="M", now=pd.Timestamp("2025-04-11")),
               charts.frontier(positions, None)]
    for fig in figures:
        axes = every_log_axis(fig)
        assert axes, fig.layout.title.text
        for axis in axes:
            assert axis["tickmode"] == "array", fig.layout.title.text
            assert all(tick_value(text) == pytest.approx(value) for value, text in zip(axis["tickvals"], axis["ticktext"]))
    assert "200x" in every_log_axis(figures[0])[0]["ticktext"]


def overdue_by_compute_rows():
    """Cobalt 2 of the demo as of 2026-11-20: past its buffer, overdue by compute since 2026-10-23,
    its time limit (2026-12-05) still ahead; and an on-track model whose deadline is ahead."""
    return pd.DataFrame([
        {"model_id": "cobalt-2", "name": "Cobalt 2", "policy_id": "rsp-v1.0", "status": "buffer_breached",
         "compute_multiple": 8.9, "days_since_eval": 75, "buffer_used_pct": 122.0, "next_eval_date": dt.date(2026, 12, 5),
         "c_now": 3.06e25, "c_eval": 3.44e24, "overdue_since": dt.date(2026, 10, 23), "overdue_by": "compute",
         "triggered_on": None},
        {"model_id": "ok", "name": "Ok", "policy_id": "rsp-v1.0", "status": "on_track", "compute_multiple": 1.0,
         "days_since_eval": 10, "buffer_used_pct": 0.0, "next_eval_date": dt.date(2027, 2, 8), "c_now": 1e24,
         "c_eval": 1e24, "overdue_since": None, "overdue_by": None, "triggered_on": None},
    ])


def test_the_map_hover_of_a_model_due_now_shows_no_deadline_ahead():
    fig = charts.buffer_map(overdue_by_compute_rows(), k=4, b=6, t=90, policy_label="p", as_of=dt.date(2026, 11, 20))
    hovers = {}
    for trace_ in fig.data:
        for row in trace_.customdata:
            hovers[row[0]] = trace_.hovertemplate.replace("%{customdata[4]}", row[4])
    assert "re-evaluation overdue since 2026-10-23 (by compute)" in hovers["cobalt-2"]
    assert "2026-12-05" not in hovers["cobalt-2"] and "due 20" not in hovers["cobalt-2"]
    assert "re-evaluate by 2027-02-08" in hovers["ok"]


def test_the_trajectory_of_a_model_due_now_labels_no_deadline_ahead():
    points = pd.DataFrame({"step": [100, 200], "recorded_at": pd.to_datetime(["2026-09-01", "2026-11-19"]),
                           "training_flop": [2e24, 1.5e25], "effective_compute": [3.44e24, 3.06e25]})
    rounds = pd.DataFrame([{"step": 100, "round_outcome": "clean", "completed_at": pd.Timestamp("2026-09-06"),
                            "recorded_at": pd.Timestamp("2026-09-01"), "effective_compute": 3.44e24, "details": []}])
    history = pd.DataFrame(columns=["asl_level", "effective_from", "reason"])
    common = dict(k=4, b=6, as_of=pd.Timestamp("2026-11-21"), model_label="Cobalt 2", now=pd.Timestamp("2026-11-20"),
                  reevaluate_on=dt.date(2026, 12, 5))
    fig = charts.trajectory(points, rounds, history, status="buffer_breached", overdue_since=dt.date(2026, 10, 23),
                            overdue_by="compute", **common)
    texts = [annotation.text for annotation in fig.layout.annotations]
    assert "re-evaluation overdue since 2026-10-23 (by compute)" in texts
    assert not any("2026-12-05" in text or "re-evaluate by" in text for text in texts)
    vlines = {pd.Timestamp(shape.x0) for shape in fig.layout.shapes if shape.type == "line" and shape.x0 == shape.x1}
    assert pd.Timestamp("2026-10-23") in vlines and pd.Timestamp("2026-12-05") not in vlines
    # Triggered: no re-evaluation line; on track: the deadline ahead.
    triggered = charts.trajectory(points, rounds, history, status="triggered", triggered_on=dt.date(2026, 11, 18), **common)
    assert not any("re-evaluat" in annotation.text for annotation in triggered.layout.annotations)
    on_track = charts.trajectory(points, rounds, history, status="on_track", **common)
    assert "re-evaluate by 2026-12-05" in [annotation.text for annotation in on_track.layout.annotations]


def test_a_name_two_models_share_carries_the_model_id_on_the_map(tmp_path):
    store = tmp_path / "twins.duckdb"
    ingest(write_folder(tmp_path / "twins", same_name_lab_tables()), store, progress=lambda _message: None)
    status = snapshot(store).query("status", as_of=dt.date(2025, 6, 1), policy_id=None)
    assert dict(zip(status["model_id"], status["status"]))["twin-late"] == "eval_overdue"
    assert dict(zip(status["model_id"], status["status"]))["twin-fresh"] == "on_track"
    fig = charts.buffer_map(status, k=4, b=6, t=90, policy_label="rsp-v1.0", as_of=dt.date(2025, 6, 1))
    named = [annotation.text for annotation in fig.layout.annotations if annotation.showarrow]
    assert "Twin (twin-late)" in named and "Twin" not in named and "Solo" in named
    shown = {row[0]: row[1] for trace_ in fig.data for row in trace_.customdata}
    assert shown["twin-late"] == "Twin (twin-late)" and shown["twin-fresh"] == "Twin (twin-fresh)" and shown["solo"] == "Solo"


def test_place_labels_keeps_labels_apart_inside_the_plot_and_off_the_points():
    # Four models in a row 5 % of the width apart at the bottom, one alone near the top right corner.
    wanted = [(0.30, 0.05, "Aster 1 2025-06 Edu"), (0.33, 0.05, "Fjord 2 2025-11"), (0.35, 0.05, "Cobalt 1 Lite"),
              (0.38, 0.05, "Dune 2 Chat Med"), (0.97, 0.95, "Cobalt 2")]
    points = [(x, y) for x, y, _ in wanted] + [(0.5, 0.3)]
    placements = labels.place_labels(wanted, points)
    width, height = labels.MIN_PLOT
    boxes = [labels._label_box(x * width, y * height, labels.text_width(text), placement)
             for (x, y, text), placement in zip(wanted, placements) if placement is not None]
    assert len(boxes) >= 4
    assert all(box.inside(width, height) for box in boxes)
    assert not any(a.meets(b) for index, a in enumerate(boxes) for b in boxes[index + 1:])
    assert not any(box.meets(labels.point_box(x * width, y * height)) for box in boxes for x, y in points)
    # The corner label goes below its point and to its left (the only room there).
    assert placements[-1] == labels.Placement(ay=12, xanchor="right", yanchor="top")


def test_a_timeline_label_stays_clear_of_a_line_label_it_would_cross():
    size = (270, 280)
    rule = labels.Box(1, 60, 182, 76)  # a regulatory line's label 60 px above the bottom, across the left
    assert fitted_label("ASL-2 → ASL-3", 0.9, [rule], size) == ("ASL-2 → ASL-3", "bottom")  # right of it: whole
    assert fitted_label("ASL-2 → ASL-3", 0.5, [rule], size) == ("ASL-2 → ASL-3", "top")  # 135 px in: from the top
    high = labels.Box(1, 220, 182, 236)  # and another line's label 44 px under the top
    assert fitted_label("ASL-2 → ASL-3", 0.5, [rule, high], size) == ("ASL-2…", "bottom")  # shortened under it
    low = labels.Box(1, 20, 182, 36)
    assert fitted_label("round: clean", 0.5, [low, labels.Box(1, 250, 182, 266)], size) == ("", "bottom")  # no room
    assert fitted_label("round: clean", None, [rule], size) == ("round: clean", "bottom")


def test_marks_set_at_once_draw_what_plotly_s_own_lines_bands_and_labels_draw():
    """The buffer map and the normalised trajectories gather their lines, bands and labels and set them
    in one assignment (charts._Marks): the figure is the one Plotly's add_hline, add_vline, add_hrect
    and add_annotation make, shape for shape and label for label, in the same order."""
    def drawn(fig):
        fig.update_yaxes(type="log")
        return fig

    own = drawn(go.Figure(go.Scatter(x=[0, 100], y=[1, 8])))
    own.add_hrect(y0=2.83, y1=4, fillcolor="#ca8a04", opacity=0.08, line_width=0)
    own.add_hline(y=6, line=dict(color="#dc2626", dash="solid", width=2))
    own.add_annotation(x=0.995, xref="paper", y=math.log10(6), yref="y", text="buffer edge 6x", showarrow=False,
                       xanchor="right", yanchor="bottom", font=dict(size=11, color="#dc2626"))
    own.add_vline(x=90, line=dict(color="#ea580c", dash="dash", width=1.5))

    gathered = drawn(go.Figure(go.Scatter(x=[0, 100], y=[1, 8])))
    marks = charts._Marks()
    charts._hband(marks, 2.83, 4, "#ca8a04")
    charts.log_hline(marks, 6, "buffer edge 6x", colour="#dc2626", width=2, position="right")
    charts._vline(marks, 90, dict(color="#ea580c", dash="dash", width=1.5))
    marks.apply(gathered)
    assert gathered.to_plotly_json() == own.to_plotly_json()
    # Marks set on a figure that has some already come after them.
    gathered_again = charts._Marks()
    charts._vline(gathered_again, 10, dict(color="#000000", width=1))
    gathered_again.apply(gathered)
    assert [shape.x0 for shape in gathered.layout.shapes] == [0, 0, 90, 10]
