"""The model timeline drawn on a trajectory figure: a chart builder that takes the model's events
(dashboard.changes.model_timeline) and adds them to a Plotly figure as annotations. No Streamlit here.

Drawn: evaluation rounds (coloured by outcome), ASL level changes and regulatory lines crossed, each
as a dotted vertical line with a short label at the bottom of the plot (the top holds the
trajectory chart's own labels); the full text is in the label's
hover. Review decisions (kind `decision`, dashboard/decisions.py timeline_marks) are their own
marks: a dashed vertical line and a diamond near the top of the plot, filled when the decision is in
effect as of the view's date, whose hover says what was decided, its state, the review and who made it. Every text from the data arrives escaped (Plotly renders a subset of HTML in annotations): the
package wraps every builder (dashboard/charts/__init__.py)."""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import labels
from dashboard.decisions import IN_EFFECT
from dashboard.display import STATUS_COLOURS
from dashboard.text import chart_text_shortened

ANNOTATED_KINDS = ("evaluation_round", "asl_change", "threshold_crossed")
ROUND_COLOURS = {"clean": "#16a34a", "triggered": STATUS_COLOURS["triggered"], "incomplete": "#64748b",
                 "inconclusive": "#ca8a04"}
LEVEL_COLOUR = "#7c3aed"
LINE_COLOUR = "#334155"
MAX_LABEL = 32
DECISION_KIND = "decision"
DECISION_COLOUR = "#0e7490"
DECISION_AXIS = "y9"  # an invisible 0..1 axis over the plot: the diamonds sit near its top at any scale
DECISION_TOP, DECISION_STEP = 0.96, 0.06


def _plain(value) -> str:
    """A value of the events, escaped already (dashboard.text.chart_text), without surrounding spaces."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _short(value) -> str:
    return chart_text_shortened(_plain(value), MAX_LABEL)


def label_of(row) -> tuple[str, str, str]:
    """(short label, hover text, colour) of one timeline event."""
    date = pd.Timestamp(row["event_date"]).strftime("%Y-%m-%d")
    if row["kind"] == "evaluation_round":
        outcome = row["after"]
        # An incomplete round's detail names the required domains it misses ("missing cbrn").
        detail = (f" ({_plain(row['detail'])})" if outcome == "incomplete" else f" in {_plain(row['detail'])}") \
            if row["detail"] else ""
        return (f"round: {_plain(outcome)}", f"{date}: evaluation round {_plain(outcome)}{detail}",
                ROUND_COLOURS.get(outcome, LINE_COLOUR))
    if row["kind"] == "asl_change":
        label = (f"ASL-{_plain(row['after'])}" if row["before"] == row["after"]
                 else f"ASL-{_plain(row['before'])} → ASL-{_plain(row['after'])}")
        return (label,
                f"{date}: ASL-{_plain(row['before'])} → ASL-{_plain(row['after'])}: {_plain(row['detail'])}", LEVEL_COLOUR)
    return (_short(row["detail"]), f"{date}: crossed {_plain(row['detail'])}", LINE_COLOUR)


def fitted_label(label: str, x_fraction: float | None, obstacles: list[labels.Box],
                 size: tuple[float, float]) -> tuple[str, str]:
    """(text, end) of label drawn upright at x_fraction of the plot's width, from its bottom (end
    "bottom") or hanging from its top ("top"): whole at the end where it crosses no obstacle (a
    line's label), else shortened (or left out, "") at the end with more room."""
    if x_fraction is None:
        return label, "bottom"
    width, height = size
    px = x_fraction * width
    room = {"bottom": height, "top": height}
    for box in obstacles:
        if box.left < px and px - labels.LABEL_HEIGHT < box.right:
            room["bottom"] = min(room["bottom"], box.bottom - 4)
            room["top"] = min(room["top"], height - box.top - 4)
    for end in ("bottom", "top"):
        if labels.text_width(label) <= room[end]:
            return label, end
    end = max(room, key=room.get)
    characters = int((room[end] - 6) // labels.CHAR_PX) - 1
    return (chart_text_shortened(label, characters + 1).replace(" …", "…") if characters >= 4 else ""), end


def annotate_timeline(fig: go.Figure, events: pd.DataFrame) -> go.Figure:
    """Add the events of ANNOTATED_KINDS to fig (a figure with a date x axis) and return it. On a
    phone's plot, a label that would cross the label of a horizontal line (a regulatory line, the
    level of concern) hangs from the top instead, or is shortened; one that would cover the label
    just before it is left out (its dotted line stays; the timeline table lists every event)."""
    shown = events[events["kind"].isin(ANNOTATED_KINDS)] if len(events) else events
    size = labels.MIN_TRAJECTORY_PLOT
    obstacles = labels.line_label_boxes(fig.layout.annotations, fig.layout.yaxis.range, size)
    x_range = [pd.Timestamp(x) for x in fig.layout.xaxis.range] if fig.layout.xaxis.range else None
    last_drawn = {"bottom": -math.inf, "top": -math.inf}  # x in pixels of the last label at each end
    for _, row in shown.sort_values("event_date").iterrows():
        label, hover, colour = label_of(row)
        x = pd.Timestamp(row["event_date"])
        fig.add_shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="paper",
                      line=dict(color=colour, width=1, dash="dot"), layer="below")
        fraction = (x - x_range[0]) / (x_range[1] - x_range[0]) if x_range else None
        label, end = fitted_label(label, fraction, obstacles, size)
        if fraction is not None and fraction * size[0] - last_drawn[end] < labels.LABEL_HEIGHT:
            label = ""
        if label:
            if fraction is not None:
                last_drawn[end] = fraction * size[0]
            fig.add_annotation(x=x, xref="x", y=0 if end == "bottom" else 1, yref="paper", text=label, hovertext=hover,
                               showarrow=False, textangle=-90, xanchor="right", yanchor=end,
                               font=dict(size=10, color=colour), bgcolor="rgba(255,255,255,0.75)")
    _decision_marks(fig, events[events["kind"] == DECISION_KIND] if len(events) else events)
    return fig


def _decision_marks(fig: go.Figure, marks: pd.DataFrame) -> None:
    """A dashed vertical line and a diamond per decision; the hover: its date, what was decided and
    its state as of the view's date (the events' after), and the detail (kind, review, text, who)."""
    if not len(marks):
        return
    marks = marks.sort_values("event_date")
    dates = [pd.Timestamp(value) for value in marks["event_date"]]
    for x in dates:
        fig.add_shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="paper",
                      line=dict(color=DECISION_COLOUR, width=1, dash="dash"), layer="below")
    in_effect = [_plain(after).endswith(f": {IN_EFFECT}") for after in marks["after"]]
    # Several decisions of one day stand one under the other, each with its own hover.
    heights, seen = [], {}
    for x in dates:
        heights.append(DECISION_TOP - DECISION_STEP * seen.get(x, 0))
        seen[x] = seen.get(x, 0) + 1
    fig.add_trace(go.Scatter(
        x=dates, y=heights, yaxis=DECISION_AXIS, mode="markers", name="review decision",
        # Open while proposed (Plotly's open symbol: hollow on a light or a dark background alike).
        marker=dict(symbol=["diamond" if flag else "diamond-open" for flag in in_effect], size=12, color=DECISION_COLOUR,
                    line=dict(color=DECISION_COLOUR, width=2)),
        customdata=[[f"{date:%Y-%m-%d}", _plain(after), _plain(detail)]
                    for date, after, detail in zip(dates, marks["after"], marks["detail"])],
        hovertemplate="<b>decision</b> %{customdata[0]}: %{customdata[1]}<br>%{customdata[2]}<extra></extra>"))
    fig.update_layout({f"yaxis{DECISION_AXIS[1:]}": dict(range=[0, 1], overlaying="y", visible=False, fixedrange=True)})
