"""The model timeline drawn on a trajectory figure: a chart builder that takes the model's events
(dashboard.changes.model_timeline) and adds them to a Plotly figure as annotations. No Streamlit here.

Drawn: evaluation rounds (coloured by outcome), ASL level changes and regulatory lines crossed, each
as a dotted vertical line with a short label at the bottom of the plot (the top holds the
trajectory chart's own labels); the full text is in the label's
hover. Every text from the data arrives escaped (Plotly renders a subset of HTML in annotations): the
package wraps every builder (dashboard/charts/__init__.py)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.text import chart_text_shortened

ANNOTATED_KINDS = ("evaluation_round", "asl_change", "threshold_crossed")
ROUND_COLOURS = {"clean": "#16a34a", "triggered": "#b91c1c", "incomplete": "#64748b", "inconclusive": "#ca8a04"}
LEVEL_COLOUR = "#7c3aed"
LINE_COLOUR = "#334155"
MAX_LABEL = 32


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


def annotate_timeline(fig: go.Figure, events: pd.DataFrame) -> go.Figure:
    """Add the events of ANNOTATED_KINDS to fig (a figure with a date x axis) and return it."""
    shown = events[events["kind"].isin(ANNOTATED_KINDS)] if len(events) else events
    for _, row in shown.sort_values("event_date").iterrows():
        label, hover, colour = label_of(row)
        x = pd.Timestamp(row["event_date"])
        fig.add_shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="paper",
                      line=dict(color=colour, width=1, dash="dot"), layer="below")
        fig.add_annotation(x=x, xref="x", y=0, yref="paper", text=label, hovertext=hover, showarrow=False,
                           textangle=-90, xanchor="right", yanchor="bottom", font=dict(size=10, color=colour),
                           bgcolor="rgba(255,255,255,0.75)")
    return fig
