"""The safeguard plan as a step chart (DESIGN section 5): deployments and monthly requests covered
after each step, each step named by its safeguard and coloured by its kind. DataFrame in, figure out.
Every name reaches it escaped (the package wraps every builder: dashboard/charts/__init__.py)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.text import chart_text_shortened

KIND_COLOURS = {"deployment": "#2563eb", "security": "#d97706"}
KIND_LABELS = {"deployment": "deployment safeguard", "security": "security safeguard"}
MAX_LABEL = 28


def _label(step, name) -> str:
    return f"{int(step)}. {chart_text_shortened(str(name), MAX_LABEL)}"  # name: escaped already


def safeguard_plan(plan: pd.DataFrame, *, work_set_size: int, work_set_requests: int) -> go.Figure:
    """plan: queries/safeguard_plan.sql's rows. The top panel counts deployments covered after each
    step (out of work_set_size), the bottom one their monthly requests (out of work_set_requests)."""
    labels = ["start"] + [_label(row.step, row.name if pd.notna(row.name) else row.safeguard_id)
                          for row in plan.itertuples()]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(f"Deployments covered (of {work_set_size:,})",
                                        f"Monthly requests covered (of {work_set_requests:,})"))
    panels = ((1, "covered_total", "deployments"), (2, "requests_covered_total", "monthly requests"))
    for row_number, column, unit in panels:
        values = [0] + [int(value) for value in plan[column]]
        fig.add_trace(go.Scatter(x=labels, y=values, mode="lines", line=dict(shape="hv", color="#94a3b8", width=2),
                                 hoverinfo="skip", showlegend=False), row=row_number, col=1)
        for kind, colour in KIND_COLOURS.items():
            chosen = plan[plan["kind"] == kind]
            if chosen.empty:
                continue
            positions = [labels[int(step)] for step in chosen["step"]]
            customdata = list(zip(chosen["name"].fillna(""), chosen["safeguard_id"].fillna(""),
                                  chosen["lacking"].astype(int), chosen["newly_covered"].astype(int)))
            fig.add_trace(go.Scatter(
                x=positions, y=[int(value) for value in chosen[column]], mode="markers",
                marker=dict(color=colour, size=11, line=dict(color="white", width=1)),
                name=KIND_LABELS[kind], legendgroup=kind, showlegend=row_number == 1, customdata=customdata,
                hovertemplate=("<b>%{customdata[0]}</b> (%{customdata[1]})<br>lacking before this step: "
                               "%{customdata[2]:,}<br>newly covered: %{customdata[3]:,}<br>"
                               f"{unit} covered so far: " + "%{y:,}<extra>" + KIND_LABELS[kind] + "</extra>")),
                row=row_number, col=1)
    fig.update_layout(height=560, margin=dict(l=10, r=10, t=105, b=10), template="plotly_white",
                      title=dict(text="Safeguard plan: what each step covers", x=0, y=0.985, yanchor="top",
                                 font=dict(size=16)),
                      legend=dict(orientation="h", yanchor="bottom", y=1.07, x=0, xanchor="left"),
                      hovermode="closest")
    for annotation in fig.layout.annotations:  # the panel titles, left-aligned so a phone does not clip them
        annotation.update(x=0, xanchor="left", font=dict(size=13))
    fig.update_xaxes(type="category", tickangle=-30, automargin=True)
    fig.update_yaxes(rangemode="tozero", automargin=True)
    fig.update_yaxes(tickformat="~s", row=2, col=1)
    return fig
