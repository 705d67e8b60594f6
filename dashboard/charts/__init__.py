"""Chart builders: DataFrames in, Plotly figures out. No Streamlit here, so they test on their own.
This module holds the status, trajectory and frontier charts; dashboard/charts/plan.py the safeguard
plan, dashboard/charts/timeline.py the model timeline drawn on a trajectory.

Data is never markup, in ONE place: Plotly renders a subset of HTML (<b>, <a href>, <br>, <span
style>, entities) in every text it draws (hover labels, legend, axis and tick labels, annotations,
titles) and substitutes %{...} in templates. So every public function of every module of this
package is wrapped (at the end of this file, automatically, modules and builders added later
included) so that it receives its data already escaped: every string in its DataFrames, Series,
lists, dicts and plain arguments goes through escape() (dashboard.text.chart_text) before the
builder sees it. A builder writes data into any field, and its own templates stay markup. Builders
must not escape again.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib
import inspect
import math
import pkgutil
import threading

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import labels
from dashboard.display import (MAP_NAMED_STATUSES, STATUS_COLOURS, STATUS_LABELS, distinct_names, flop,
                               reevaluation, reevaluation_sentence)
from dashboard.text import chart_text
from dashboard.reference import DUE_SOON_FRACTION

OUTCOME_COLOURS = {"below_threshold": "#16a34a", "triggered": STATUS_COLOURS["triggered"], "inconclusive": "#ca8a04"}
# A model's compute and the as-of date: a blue that reads on the light and the dark theme alike
# (contrast at least 3:1 on both backgrounds, tests/test_browser_charts.py).
COMPUTE_COLOUR = "#2563eb"
ROUND_INCOMPLETE_COLOUR = "#64748b"  # slate: a round still missing a required domain (DESIGN 4)
# Regulatory lines count real training FLOP, not effective compute (DESIGN 1 and 9). The 2023 US
# executive order's 1e26 reporting line was revoked in January 2025 and is not drawn.
REGULATORY_COLOUR = "#8b5cf6"  # violet: reads on the light and the dark theme
REFERENCE_LINES = ((1e25, "EU AI Act Art. 51(2) (1e25 training FLOP)"), (1e26, "California SB 53 frontier model (1e26)"))
ORGANISATION_PALETTE = ("#64748b", "#0ea5e9", "#a855f7", "#f97316", "#14b8a6", "#e11d48", "#84cc16", "#6366f1")
# WebGL only for a trace of many points, as Plotly Express's render_mode="auto" does: below this an
# SVG trace draws as fast, prints as vector graphics and does not use up one of the few WebGL
# contexts a browser allows a page (each WebGL chart takes one).
WEBGL_MIN_POINTS = 1000
MARGIN = {"l": 60, "r": 20, "t": 52, "b": 40}
# Behind a name written on a chart: light on both themes, so the name's colour reads on either.
LABEL_BACKGROUND = "rgba(255, 255, 255, 0.8)"


def scatter(point_count: int, **trace) -> go.Scatter | go.Scattergl:
    """A scatter trace: WebGL (Scattergl) for more than WEBGL_MIN_POINTS points, SVG otherwise."""
    return (go.Scattergl if point_count > WEBGL_MIN_POINTS else go.Scatter)(**trace)


# The one escaping rule of chart text (dashboard/text.py).
escape = chart_text


def _plain(value):
    """value with every string inside it escaped (DataFrames, Series, arrays, lists, dicts), else as is."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, pd.DataFrame):
        frame = value.copy()
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                frame[column] = frame[column].map(_plain, na_action="ignore")
        frame.columns = [_plain(column) for column in frame.columns]
        return frame
    if isinstance(value, pd.Series):
        if value.dtype == object or pd.api.types.is_string_dtype(value):
            return value.map(_plain, na_action="ignore").rename(_plain(value.name))
        return value
    if isinstance(value, np.ndarray):
        return np.array([_plain(item) for item in value.tolist()], dtype=object) if value.dtype.kind in "OUS" else value
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    return value


_building = threading.local()


def plain_text_inputs(builder):
    """builder(...) called with every string in its arguments escaped; only the outermost builder
    escapes (a builder calling another passes data that is escaped already)."""
    @functools.wraps(builder)
    def wrapper(*args, **kwargs):
        if getattr(_building, "active", False):
            return builder(*args, **kwargs)
        _building.active = True
        try:
            return builder(*[_plain(arg) for arg in args], **{key: _plain(arg) for key, arg in kwargs.items()})
        finally:
            _building.active = False

    wrapper.plain_text_inputs = True
    return wrapper


def original_value(shown: str, candidates) -> str | None:
    """The data value a figure shows as `shown` (a clicked point's customdata), among candidates."""
    for candidate in candidates:
        if escape(candidate) == shown:
            return candidate
    return None


def _layout(fig: go.Figure, *, title: str, y_title: str, x_title: str, height: int = 460) -> go.Figure:
    """Title top left, legend under the plot (never over the title or the toolbar, at any width).
    No template: Streamlit's theme gives the light or dark look the viewer chose."""
    fig.update_layout(
        # The title at the top of the figure: the strip between it and the plot holds lines' labels.
        title=dict(text=title, x=0, xanchor="left", y=1, yref="container", yanchor="top", pad=dict(t=6),
                   font=dict(size=16)), height=height,
        margin=dict(MARGIN),
        # At the bottom of the figure (container coordinates): the plot makes room for it, so it
        # meets neither the x axis title nor, on a phone, the toolbar at the top.
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0, xanchor="left"),
        hoverlabel=dict(align="left"))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title)
    return fig


class _Marks:
    """Shapes and annotations gathered as plain values and set on a figure at once (apply). Each of
    Plotly's add_shape and add_annotation calls copies and validates every one added before it (a
    figure with n of them costs n squared): about a third of the buffer map's build. Takes the same
    add_shape and add_annotation calls as a figure."""

    def __init__(self):
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []

    def add_shape(self, **shape) -> None:
        self.shapes.append(shape)

    def add_annotation(self, **annotation) -> None:
        self.annotations.append(annotation)

    def apply(self, fig: go.Figure) -> None:
        fig.update_layout(shapes=[*fig.layout.shapes, *self.shapes],
                          annotations=[*fig.layout.annotations, *self.annotations])


def _hline(fig, y: float, line: dict) -> None:
    """A horizontal line across the plot at y (as Figure.add_hline draws it on a single plot)."""
    fig.add_shape(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y, line=line)


def _vline(fig, x, line: dict) -> None:
    """A vertical line across the plot at x (as Figure.add_vline draws it on a single plot)."""
    fig.add_shape(type="line", xref="x", x0=x, x1=x, yref="y domain", y0=0, y1=1, line=line)


def _hband(fig, y0: float, y1: float, colour: str) -> None:
    """A faint band across the plot from y0 to y1 (as Figure.add_hrect draws it on a single plot)."""
    fig.add_shape(type="rect", xref="x domain", x0=0, x1=1, yref="y", y0=y0, y1=y1, fillcolor=colour, opacity=0.08,
                  line=dict(width=0))


def log_hline(fig, y: float, text: str, *, colour: str, dash: str = "solid", width: float = 1.5,
              position: str = "left", side: str = "bottom") -> None:
    """A labelled horizontal line on a log y axis (fig: a figure or its _Marks). Plotly places
    annotations on log axes in log10 units, so the label is added by hand rather than through
    add_hline's annotation."""
    _hline(fig, y, dict(color=colour, dash=dash, width=width))
    fig.add_annotation(x=0.005 if position == "left" else 0.995, xref="paper", y=math.log10(y), yref="y", text=text,
                       showarrow=False, xanchor=position, yanchor=side, font=dict(size=11, color=colour))


def multiple_text(value: float) -> str:
    """A tick of a multiple axis: 0.5x, 1x, 20x, 200x."""
    return f"{value:.12g}x"


def flop_tick_text(value: float) -> str:
    """A tick of a FLOP axis as FLOP read everywhere on screen: 1e25, 2e25 (display.flop's form)."""
    exponent = math.floor(math.log10(value) + 1e-9)
    return f"{round(value / 10.0 ** exponent, 6):g}e{exponent}"


def log_ticks(low: float, high: float, text=multiple_text) -> tuple[list[float], list[str]]:
    """Ticks of a log axis from low to high (data values, not log10), every one labelled with its
    full value (Plotly's own log ticks label the ticks between decades with a bare digit: "2" for 200).
    Within about a decade 1, 2, 3 and 5 of each decade; within three, 1, 2 and 5; within five, 1 and
    3; beyond, decades only (a phone's plot holds about ten labels). One decade more on each side,
    so a slight pan keeps labelled ticks."""
    span = math.log10(high) - math.log10(low)
    mantissas = (1, 2, 3, 5) if span < 1.5 else (1, 2, 5) if span < 3 else (1, 3) if span < 5 else (1,)
    values = [mantissa * 10.0 ** exponent
              for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 2)
              for mantissa in mantissas]
    values = [float(f"{value:.12g}") for value in values]  # 0.30000000000000004 -> 0.3
    return values, [text(value) for value in values]


def _log_axis(fig: go.Figure, low: float, high: float, text=multiple_text, **axis) -> None:
    """A log y axis showing low..high, its ticks labelled with their full values (log_ticks)."""
    values, texts = log_ticks(low, high, text)
    fig.update_yaxes(type="log", range=[math.log10(low), math.log10(high)], tickmode="array", tickvals=values,
                     ticktext=texts, **axis)


def _threshold_texts(k: float, b: float | None) -> list[tuple[float, str]]:
    """(value, label) of the due soon (k^DUE_SOON_FRACTION), next evaluation (k) and buffer edge (b) lines."""
    lines = [(k ** DUE_SOON_FRACTION, f"due soon {k ** DUE_SOON_FRACTION:.2f}x"), (k, f"evaluation due {k:g}x")]
    return lines + ([(b, f"buffer edge {b:g}x")] if b is not None and not pd.isna(b) else [])


def _threshold_lines(fig, k: float, b: float | None, position: str = "left") -> None:
    """Due soon, next evaluation and buffer edge (_threshold_texts) as labelled horizontal lines."""
    styles = ((STATUS_COLOURS["eval_due_soon"], "dot", 1), (STATUS_COLOURS["eval_overdue"], "dash", 1.5),
              (STATUS_COLOURS["buffer_breached"], "solid", 2))
    for (value, text), (colour, dash, width) in zip(_threshold_texts(k, b), styles):
        log_hline(fig, value, text, colour=colour, dash=dash, width=width, position=position)


def _top_line_labels(fig, lines: list[tuple]) -> int:
    """Labels of vertical lines in a strip above the plot (clear of every point and name in it), in
    as many rows as they need so they meet neither each other nor the page's edges at the narrowest
    plot (labels.MIN_PLOT). lines: (x, x as a fraction of the plot's width, text, colour or None for
    the theme's, preferred side "left" or "right"). Returns the number of rows."""
    width = labels.MIN_PLOT[0]
    rows: list[list[labels.Box]] = []
    for x, fraction, text, colour, side in lines:
        px, text_px = fraction * width, labels.text_width(text)
        fits = {"left": px - text_px >= -MARGIN["l"], "right": px + text_px <= width + MARGIN["r"]}
        side = side if fits[side] else ("right" if side == "left" else "left")
        box = labels.Box(px - text_px if side == "left" else px, 0, px if side == "left" else px + text_px, 1)
        row = next((index for index, taken in enumerate(rows) if not any(box.meets(other) for other in taken)), len(rows))
        if row == len(rows):
            rows.append([])
        rows[row].append(box)
        fig.add_annotation(x=x, xref="x", y=1, yref="paper", yanchor="bottom", yshift=2 + labels.LABEL_HEIGHT * row,
                           xanchor="right" if side == "left" else "left", text=text, showarrow=False,
                           font=dict(size=11, **({"color": colour} if colour else {})))
    return len(rows)


def _strip_margin(rows: int) -> int:
    """The top margin that holds the title and rows of line labels (MARGIN's holds one row)."""
    return MARGIN["t"] + int(labels.LABEL_HEIGHT) * max(rows - 1, 0)


def _name_labels(fig, named: pd.DataFrame, points: pd.DataFrame, texts: pd.Series, *,
                 x_range: tuple[float, float], y_range: tuple[float, float], obstacles: list) -> list:
    """The names of the models in named (most urgent first) next to their points, placed clear of
    every point, of each other and of the obstacles (labels.place_labels); returns the index labels
    of the rows left off (no free place)."""
    def fraction(x, y):
        return ((float(x) - x_range[0]) / (x_range[1] - x_range[0]),
                (math.log10(float(y)) - y_range[0]) / (y_range[1] - y_range[0]))
    wanted = [(*fraction(row["days_since_eval"], row["compute_multiple"]), texts[index]) for index, row in named.iterrows()]
    every_point = [fraction(x, y) for x, y in zip(points["days_since_eval"], points["compute_multiple"])]
    left_off = []
    for (index, row), placement in zip(named.iterrows(), labels.place_labels(wanted, every_point, obstacles)):
        if placement is None:
            left_off.append(index)
            continue
        colour = STATUS_COLOURS[row["status"]]
        fig.add_annotation(x=float(row["days_since_eval"]), y=math.log10(float(row["compute_multiple"])), xref="x", yref="y",
                           text=texts[index], showarrow=True, arrowhead=0, arrowwidth=1, arrowcolor=colour, ax=0,
                           ay=placement.ay, xanchor=placement.xanchor, yanchor=placement.yanchor,
                           font=dict(size=11, color=colour), bgcolor=LABEL_BACKGROUND, borderpad=1)
    return left_off


def buffer_map(status: pd.DataFrame, k: float, b: float | None, t: float | None, policy_label: str, *,
               max_named: int = 15, as_of: dt.date | None = None) -> go.Figure:
    """One point per model with a clean evaluation: x = days since it, y = compute multiple since it.

    The models that need attention (MAP_NAMED_STATUSES, most urgent first, at most max_named) are
    named on the map itself, not only in the hovers, where a free place is found at every width
    (dashboard/charts/labels.py); a name two models share carries the model id (display.distinct_names).
    With as_of, each hover says where the model's re-evaluation stands on that date (display.reevaluation)."""
    points = status.dropna(subset=["compute_multiple", "days_since_eval"])
    fig = go.Figure()
    top = max([(b or 0) * 1.25, k * 1.5, *(points["compute_multiple"].astype(float) * 1.3)]) if len(points) else k * 2
    right = max([(t or 90) * 1.25, *(points["days_since_eval"].astype(float) * 1.1 + 5)]) if len(points) else 120
    x_range, y_range = (-2.0, float(right)), (math.log10(0.85), math.log10(top))
    marks = _Marks()
    # Bands between the lines, so the zones read at a glance.
    _hband(marks, k ** DUE_SOON_FRACTION, k, STATUS_COLOURS["eval_due_soon"])
    _hband(marks, k, b if b and not pd.isna(b) else top, STATUS_COLOURS["eval_overdue"])
    if b and not pd.isna(b):
        _hband(marks, b, top, STATUS_COLOURS["buffer_breached"])
    _threshold_lines(marks, k, b, position="right")  # on the right: recently evaluated models sit on the left
    # The threshold lines' labels (right-aligned, just above their lines): no name goes over them.
    width, height = labels.MIN_PLOT
    obstacles = [labels.Box(width * 0.995 - labels.text_width(text), (math.log10(value) - y_range[0]) / (y_range[1] - y_range[0]) * height,
                            width * 0.995, (math.log10(value) - y_range[0]) / (y_range[1] - y_range[0]) * height + labels.LABEL_HEIGHT)
                 for value, text in _threshold_texts(k, b)]
    strip_rows = 0
    if t and not pd.isna(t):
        # Labels above the plot, each on the outer side of its line where it fits: they meet neither
        # each other nor the markers nor the names.
        _vline(marks, DUE_SOON_FRACTION * t, dict(color=STATUS_COLOURS["eval_due_soon"], dash="dot", width=1))
        _vline(marks, t, dict(color=STATUS_COLOURS["eval_overdue"], dash="dash", width=1.5))
        strip_rows = _top_line_labels(marks, [
            (x, (x - x_range[0]) / (x_range[1] - x_range[0]), text, colour, side) for x, text, colour, side in (
                (DUE_SOON_FRACTION * t, f"due soon after {DUE_SOON_FRACTION * t:g} days", STATUS_COLOURS["eval_due_soon"], "left"),
                (t, f"re-evaluate at {t:g} days", STATUS_COLOURS["eval_overdue"], "right"))])
    names = pd.Series(distinct_names(status["model_id"], status["name"]), index=status.index)
    reevaluations = pd.Series([
        "" if as_of is None else reevaluation_sentence(date, as_of, state, overdue_since=since, overdue_by=by, triggered_on=on)
        for date, state, since, by, on in zip(*(status[column] if column in status else [None] * len(status) for column in
                                               ("next_eval_date", "status", "overdue_since", "overdue_by", "triggered_on")))],
        index=status.index)
    for status_name, colour in STATUS_COLOURS.items():
        group = points[points["status"] == status_name]
        if group.empty:
            continue
        fig.add_trace(go.Scatter(
            x=group["days_since_eval"].astype(float), y=group["compute_multiple"].astype(float), mode="markers",
            name=STATUS_LABELS[status_name], marker=dict(color=colour, size=11, line=dict(color="white", width=1)),
            customdata=np.column_stack([
                group["model_id"].astype(str), names[group.index].astype(str), group["policy_id"].astype(str),
                group["buffer_used_pct"].astype(float).round(0),
                reevaluations[group.index].replace("", "no re-evaluation time limit"),
                group["c_now"].map(flop), group["c_eval"].map(flop)]),
            hovertemplate=("<b>%{customdata[1]}</b> (%{customdata[0]})<br>"
                           "%{y:.2f}x since last clean evaluation, %{x} days ago<br>"
                           "buffer used %{customdata[3]}%<br>" + ("%{customdata[4]}<br>" if as_of is not None else "") +
                           "C now %{customdata[5]}, C at eval %{customdata[6]}<br>"
                           "policy %{customdata[2]}<extra>" + STATUS_LABELS[status_name] + "</extra>"),
        ))
    # Names of the models that need attention, written next to their points, most urgent first.
    rank = {name: index for index, name in enumerate(MAP_NAMED_STATUSES)}
    named = points[points["status"].isin(MAP_NAMED_STATUSES)].copy()
    named["_rank"] = named["status"].map(rank)
    named = named.sort_values(["_rank", "compute_multiple"], ascending=[True, False]).head(max_named)
    left_off = _name_labels(marks, named, points, names, x_range=x_range, y_range=y_range, obstacles=obstacles)
    marks.apply(fig)
    # The page names these in words (charts.original_value maps the ids back).
    fig.update_layout(meta={"unnamed_model_ids": [str(model_id) for model_id in named.loc[left_off, "model_id"]]})
    _layout(fig, title=f"Buffer map (lines: {policy_label})", y_title="Compute since last clean eval (x, log)",
            # 400 high and a row more per further row of line labels: with the counts, the first screen
            x_title="Days since last clean evaluation", height=400 + _strip_margin(strip_rows) - MARGIN["t"])
    fig.update_layout(margin=dict(t=_strip_margin(strip_rows)))
    _log_axis(fig, 0.85, top)
    fig.update_xaxes(range=list(x_range))
    return fig


def normalised_trajectories(paths: pd.DataFrame, k: float, b: float | None, *, now=None) -> go.Figure:
    """Every model's multiple since its last clean evaluation over time, one line each, by status.

    paths: model_id, name, status, recorded_at, multiple (rows in time order per model)."""
    fig = go.Figure()
    for status_name, colour in STATUS_COLOURS.items():
        group = paths[paths["status"] == status_name]
        if group.empty:
            continue
        # One trace per status; models are separated by a gap (a missing point) so each stays its
        # own line. Built with array operations: a thousand models must not cost a Python loop each.
        group = group.sort_values(["model_id", "recorded_at"], kind="stable")
        labels_of = (group["name"].astype(str) + " (" + group["model_id"].astype(str) + ")").to_numpy(dtype=object)
        ends = np.flatnonzero(group["model_id"].to_numpy() != np.roll(group["model_id"].to_numpy(), -1)) + 1
        # Microseconds: numpy turns datetime64[ns] into plain integers (not datetimes) as objects,
        # which Plotly would draw as numbers around 1.7e18.
        xs = np.insert(group["recorded_at"].to_numpy(dtype="datetime64[us]").astype(object), ends, None)
        ys = np.insert(group["multiple"].astype(float).to_numpy(), ends, np.nan)
        labels = np.insert(labels_of, ends, "")
        fig.add_trace(scatter(
            len(xs), x=xs, y=ys, mode="lines", name=STATUS_LABELS[status_name], line=dict(color=colour, width=1.5),
            text=labels, hovertemplate="<b>%{text}</b><br>%{x|%Y-%m-%d}: %{y:.2f}x<extra></extra>",
            connectgaps=False))
    marks = _Marks()
    _threshold_lines(marks, k, b)
    marks.apply(fig)
    _layout(fig, title="Every model since its last clean evaluation", y_title="Multiple of C at last clean evaluation (log)",
            x_title="Date")
    top = max([b or 0, k * 1.5, *(paths["multiple"].astype(float) * 1.2)]) if len(paths) else k * 2
    _log_axis(fig, 0.9, top)
    if len(paths):
        # The last 200 days up to now (the as-of date): a served model's line is one old point at 1x;
        # a run in progress is recent.
        latest = max([pd.to_datetime(paths["recorded_at"]).max(), *([pd.Timestamp(now)] if now is not None else [])])
        fig.update_xaxes(range=[latest - pd.Timedelta(days=200), latest + pd.Timedelta(days=5)])
    return fig


def public_frontier(fig: go.Figure, public: pd.DataFrame, *, max_organisations: int = 7) -> go.Figure:
    """Overlay public reference models (e.g. Epoch AI) by organisation: date against training compute."""
    public = public.dropna(subset=["published_on", "training_compute_flop"])
    if public.empty:
        return fig
    top = public["organization"].fillna("other").value_counts().index[:max_organisations]
    organisation = public["organization"].fillna("other").where(public["organization"].isin(top), "other organisations")
    for index, (name, group) in enumerate(public.groupby(organisation, sort=True)):
        fig.add_trace(scatter(
            len(group), x=group["published_on"], y=group["training_compute_flop"].astype(float), mode="markers",
            name=f"public: {name}", legendgroup="public", opacity=0.55,
            marker=dict(symbol="diamond", size=7, color=ORGANISATION_PALETTE[index % len(ORGANISATION_PALETTE)]),
            text=group["name"], customdata=np.full(len(group), name, dtype=object),
            hovertemplate="<b>%{text}</b> (public)<br>%{x|%Y-%m-%d}: %{y:.3g} FLOP<extra>%{customdata}</extra>"))
    return fig


def reference_lines(fig: go.Figure) -> go.Figure:
    for value, label in REFERENCE_LINES:
        # The lower line's label under it, the upper's above it: close lines keep their labels apart.
        log_hline(fig, value, label, colour=REGULATORY_COLOUR, dash="longdash", width=1, position="left",
                  side="top" if value == REFERENCE_LINES[0][0] else "bottom")
    return fig


ASL_BAND_COLOURS = {1: "#f0fdf4", 2: "#eff6ff", 3: "#fef9c3", 4: "#fee2e2", 5: "#fae8ff"}


def envelopes(rounds: pd.DataFrame, k: float, b: float | None, as_of: pd.Timestamp) -> pd.DataFrame:
    """After each clean round, the envelope it opens: from its completion until the next clean
    round's completion (or the as-of date), next evaluation at k x C_eval and buffer edge at b x C_eval."""
    clean = rounds[rounds["round_outcome"] == "clean"].sort_values("step")
    rows = []
    for index, (_, row) in enumerate(clean.iterrows()):
        start = pd.Timestamp(row["completed_at"])
        end = pd.Timestamp(clean["completed_at"].iloc[index + 1]) if index + 1 < len(clean) else as_of
        rows.append({"start": start, "end": max(end, start), "c_eval": float(row["effective_compute"]),
                     "next_eval": k * float(row["effective_compute"]),
                     "buffer_edge": b * float(row["effective_compute"]) if b else None})
    return pd.DataFrame(rows, columns=["start", "end", "c_eval", "next_eval", "buffer_edge"])


def _steps(frame: pd.DataFrame, column: str) -> tuple[list, list]:
    """Step-line points for piecewise-constant levels over [start, end), with gaps between pieces."""
    xs, ys = [], []
    for _, row in frame.iterrows():
        xs += [row["start"], row["end"], None]
        ys += [row[column], row[column], None]
    return xs, ys


def _round_hover(details) -> str:
    lines = []
    for item in details if details is not None else []:
        score = "" if item.get("score") is None or pd.isna(item.get("score")) else f" score {item['score']:.3g}"
        trigger = ("" if item.get("trigger_score") is None or pd.isna(item.get("trigger_score"))
                   else f" / trigger {item['trigger_score']:.3g}")
        elicitation = f"<br>   elicitation: {item.get('elicitation')}" if item.get("elicitation") else ""
        lines.append(f"{item.get('domain')}: {item.get('outcome')}{score}{trigger}{elicitation}")
    return "<br>".join(lines)


def _preliminary_trigger_markers(fig: go.Figure, triggers: pd.DataFrame) -> None:
    """Preliminary evaluations that triggered (DESIGN 4: they form no round and change no status): an
    open red triangle at the checkpoint's compute on the day it completed (apart from the checkpoint's
    own point and its round's diamond, so its hover is the one a person gets), said to be preliminary
    in the legend and the hover."""
    def figures(row) -> str:
        score = "" if pd.isna(row["score"]) else f"score {row['score']:.3g}"
        trigger = "" if pd.isna(row["trigger_score"]) else f" / trigger {row['trigger_score']:.3g}"
        elicitation = f"<br>elicitation: {row['elicitation']}" if isinstance(row["elicitation"], str) and row["elicitation"] else ""
        return (score + trigger or "no score recorded") + elicitation
    fig.add_trace(go.Scatter(
        x=triggers["completed_at"], y=triggers["effective_compute"].astype(float), mode="markers",
        name="preliminary evaluation triggered (no round: status unchanged)",
        marker=dict(color=OUTCOME_COLOURS["triggered"], size=13, symbol="triangle-up-open", line=dict(width=2.5)),
        customdata=np.column_stack([triggers["eval_id"].astype(str), triggers["domain"].astype(str),
                                    triggers["step"].astype(str),
                                    pd.to_datetime(triggers["recorded_at"]).dt.strftime("%Y-%m-%d"),
                                    pd.to_datetime(triggers["completed_at"]).dt.strftime("%Y-%m-%d"),
                                    triggers.apply(figures, axis=1).astype(object)]),
        hovertemplate=("<b>preliminary evaluation triggered</b>: %{customdata[1]} (%{customdata[0]})<br>step "
                       "%{customdata[2]}, checkpoint %{customdata[3]}, completed %{customdata[4]}<br>C %{y:.3g}<br>"
                       "%{customdata[5]}<br>preliminary: forms no round and does not change the status;<br>"
                       "a comprehensive round decides<extra></extra>")))


def _regulatory_lines(fig: go.Figure, *, visible_top: float | None = None) -> None:
    for value, label in REFERENCE_LINES:
        if visible_top is None or value <= visible_top:
            log_hline(fig, value, label, colour=REGULATORY_COLOUR, dash="longdash", width=1, position="left",
                      side="top" if value == REFERENCE_LINES[0][0] else "bottom")


def _threshold_reached_labels(fig: go.Figure, triggered: pd.DataFrame, x_range: tuple) -> None:
    """"ASL threshold reached" at each triggered round, placed clear of the lines' labels on a phone's
    plot (labels.place_labels); left out where there is no room (the round's marker and legend stay)."""
    y_range = fig.layout.yaxis.range
    if triggered.empty or y_range is None:
        return
    size = labels.MIN_TRAJECTORY_PLOT
    wanted = [((pd.Timestamp(row["recorded_at"]) - x_range[0]) / (x_range[1] - x_range[0]),
               (math.log10(float(row["effective_compute"])) - y_range[0]) / (y_range[1] - y_range[0]),
               "ASL threshold reached") for _, row in triggered.iterrows()]
    obstacles = labels.line_label_boxes(fig.layout.annotations, y_range, size)
    placements = labels.place_labels(wanted, [(x, y) for x, y, _ in wanted], obstacles, size)
    for (_, row), placement in zip(triggered.iterrows(), placements):
        if placement is not None:
            fig.add_annotation(x=row["recorded_at"], y=math.log10(float(row["effective_compute"])),
                               text="ASL threshold reached", showarrow=True, arrowhead=2, arrowcolor=OUTCOME_COLOURS["triggered"],
                               ax=0, ay=placement.ay, xanchor=placement.xanchor, yanchor=placement.yanchor,
                               font=dict(size=11, color=OUTCOME_COLOURS["triggered"]), bgcolor=LABEL_BACKGROUND)


def trajectory(points: pd.DataFrame, rounds: pd.DataFrame, history: pd.DataFrame, *, k: float, b: float | None,
               as_of: pd.Timestamp, model_label: str, projection_points: pd.DataFrame | None = None,
               projected_dates: dict | None = None, show_reference_lines: bool = True, now: pd.Timestamp | None = None,
               training: bool = True, reevaluate_on=None, crossings: pd.DataFrame | None = None,
               preliminary_triggers: pd.DataFrame | None = None,
               status: str | None = None, overdue_since=None, overdue_by=None, triggered_on=None) -> go.Figure:
    """A model's effective compute over time against the envelopes its clean evaluations open.

    as_of: where the envelopes end (the end of the as-of day). now: the as-of date, drawn as "now"
    (DESIGN 4a: not the last checkpoint); a model that is not training has its compute drawn flat
    from its last checkpoint to now. reevaluate_on: the time limit t_eval + T, a vertical line labelled
    as display.reevaluation reads it for status (with overdue_since, overdue_by, triggered_on): a
    deadline ahead only for a model neither overdue, past its buffer nor triggered; an overdue one
    gets a line where it became overdue instead, a triggered one none.
    With show_reference_lines, training FLOP (the regulatory measure, DESIGN 9) is drawn too, with
    the 1e25 and 1e26 lines and, from crossings (label, recorded_at, training_flop), where it
    crossed each. preliminary_triggers (queries/preliminary_triggers.sql): preliminary evaluations
    that triggered, drawn apart from the rounds (they count for nothing in the status)."""
    fig = go.Figure()
    now = pd.Timestamp(now) if now is not None else pd.Timestamp(as_of)
    last_time = pd.Timestamp(points["recorded_at"].iloc[-1]) if len(points) else None
    if last_time is not None and last_time > now:
        now = last_time
    due = None if reevaluate_on is None or pd.isna(reevaluate_on) else pd.Timestamp(reevaluate_on)
    due_kind, _ = reevaluation(due, now.date(), status, overdue_since=overdue_since, overdue_by=overdue_by,
                               triggered_on=triggered_on)
    due_label = reevaluation_sentence(due, now.date(), status, overdue_since=overdue_since, overdue_by=overdue_by,
                                      triggered_on=triggered_on)
    if due_kind == "overdue":  # the time limit is no deadline any more: the line goes where it became due
        due = None if overdue_since is None or pd.isna(overdue_since) else pd.Timestamp(overdue_since)
    elif due_kind not in ("ahead", "past"):
        due = None
    # The x axis: from the first checkpoint to now, the projection's end or the time limit.
    start = pd.Timestamp(points["recorded_at"].iloc[0]) if len(points) else now
    x_ends = [now, *([due] if due is not None else [])]
    if projection_points is not None and len(projection_points):
        x_ends.append(pd.Timestamp(projection_points["recorded_at"].max()))
    x_end = max(x_ends)
    pad = max((x_end - start) * 0.04, pd.Timedelta(days=3))

    def label_side(x: pd.Timestamp) -> str:
        """A vertical line's label goes right of it, or left when the line is near the right edge."""
        return "left" if x - start > (x_end - start) * 0.75 else "right"
    x_range = (start - pad, x_end + pad)
    top_labels = []  # (x, text, colour, side): written above the plot, clear of its lines' labels

    def fraction(x: pd.Timestamp) -> float:
        return (x - x_range[0]) / (x_range[1] - x_range[0])
    # ASL level over time as background bands, each named above the plot where it starts.
    if not history.empty:
        history = history.sort_values("effective_from")
        ends = list(history["effective_from"].iloc[1:]) + [as_of]
        for (_, row), end in zip(history.iterrows(), ends):
            level = int(row["asl_level"])
            fig.add_vrect(x0=pd.Timestamp(row["effective_from"]), x1=pd.Timestamp(end), line_width=0, layer="below",
                          fillcolor=ASL_BAND_COLOURS.get(level, "#f5f5f5"), opacity=0.3)
            top_labels.append((max(pd.Timestamp(row["effective_from"]), x_range[0]), f"ASL-{level}", None, "right"))
    env = envelopes(rounds, k, b, as_of)
    if not env.empty:
        xs, ys = _steps(env, "next_eval")
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"next evaluation ({k:g}x C at eval)",
                                 line=dict(color=STATUS_COLOURS["eval_overdue"], dash="dash", width=1.5),
                                 hovertemplate="next evaluation due at %{y:.3g}<extra></extra>"))
        if b:
            bxs, bys = _steps(env, "buffer_edge")
            fig.add_trace(go.Scatter(x=bxs, y=bys, mode="lines", name=f"buffer edge ({b:g}x C at eval)",
                                     line=dict(color=STATUS_COLOURS["buffer_breached"], width=2),
                                     hovertemplate="buffer edge at %{y:.3g}<extra></extra>"))
            for _, piece in env.iterrows():  # the band between next evaluation and buffer edge
                fig.add_shape(type="rect", x0=piece["start"], x1=piece["end"], y0=piece["next_eval"],
                              y1=piece["buffer_edge"], fillcolor="rgba(234, 88, 12, 0.12)", line_width=0, layer="below")
    fig.add_trace(scatter(
        len(points), x=points["recorded_at"], y=points["effective_compute"].astype(float), mode="lines", name="effective compute",
        line=dict(color=COMPUTE_COLOUR, width=2), customdata=np.column_stack([points["step"].astype(str),
                                                                         points["effective_compute"].map(flop)])
        if len(points) else None,
        hovertemplate="step %{customdata[0]}<br>%{x|%Y-%m-%d %H:%M}<br>%{customdata[1]} FLOP-equivalent<extra></extra>"))
    if show_reference_lines and "training_flop" in points and len(points):
        fig.add_trace(scatter(
            len(points), x=points["recorded_at"], y=points["training_flop"].astype(float), mode="lines", name="training FLOP",
            line=dict(color="#94a3b8", width=1.5, dash="dot"), customdata=points["training_flop"].map(flop),
            hovertemplate="%{x|%Y-%m-%d}<br>%{customdata} training FLOP<extra></extra>"))
    if len(points):
        last_c = float(points["effective_compute"].iloc[-1])
        if not training and now > last_time:
            # Not training on the as-of date: compute stays where the last checkpoint left it.
            fig.add_trace(go.Scatter(
                x=[last_time, now], y=[last_c, last_c], mode="lines",
                name=f"no checkpoint since {last_time:%Y-%m-%d} (not training)",
                line=dict(color=COMPUTE_COLOUR, width=2, dash="dash"), opacity=0.6,
                hovertemplate="no checkpoint since " + f"{last_time:%Y-%m-%d}" + "<br>%{y:.3g}<extra></extra>"))
        fig.add_trace(go.Scatter(
            x=[now], y=[last_c], mode="markers+text", name=f"now ({now:%Y-%m-%d})",
            marker=dict(color=COMPUTE_COLOUR, size=13, symbol="circle-open", line=dict(width=3)),
            text=["now"], textposition="middle left", showlegend=False,
            hovertemplate=f"as of {now:%Y-%m-%d}" + "<br>%{y:.3g}<extra></extra>"))
    fig.add_vline(x=now, line=dict(color=COMPUTE_COLOUR, width=1, dash="dot"))
    top_labels.append((now, f"as of {now:%Y-%m-%d}", COMPUTE_COLOUR, label_side(now)))
    if due is not None:
        # The time limit t_eval + T: a past one reads "was due", never as a deadline ahead; for an
        # overdue model, the day it became overdue.
        fig.add_vline(x=due, line=dict(color=STATUS_COLOURS["eval_overdue"], width=1.5, dash="dash"))
        top_labels.append((due, due_label, STATUS_COLOURS["eval_overdue"], label_side(due)))
    strip_rows = _top_line_labels(fig, [(x, fraction(x), text, colour, side) for x, text, colour, side in top_labels])
    # Evaluation rounds: the diamond at the checkpoint evaluated, a thin line at its compute to the
    # round's completion (where its envelope starts): a round done long after its checkpoint reads
    # as one piece (rounds done within a week of their checkpoint need no line).
    late = rounds[pd.to_datetime(rounds["completed_at"]) > pd.to_datetime(rounds["recorded_at"]) + pd.Timedelta(days=7)]
    if not late.empty:
        xs, ys, texts = [], [], []
        for _, row in late.iterrows():
            xs += [pd.Timestamp(row["recorded_at"]), pd.Timestamp(row["completed_at"]), None]
            ys += [float(row["effective_compute"])] * 2 + [None]
            text = (f"round at step {row['step']}: checkpoint {pd.Timestamp(row['recorded_at']):%Y-%m-%d}, "
                    f"completed {pd.Timestamp(row['completed_at']):%Y-%m-%d}")
            texts += [text, text, ""]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines+markers", name="checkpoint evaluated -> round completed",
            line=dict(color="#15803d", width=1.5, dash="dot"),
            marker=dict(symbol="line-ns", size=12, line=dict(width=2, color="#15803d")),
            text=texts, hovertemplate="%{text}<extra></extra>", connectgaps=False))
    for outcome, colour in (("clean", OUTCOME_COLOURS["below_threshold"]), ("triggered", OUTCOME_COLOURS["triggered"]),
                            ("incomplete", ROUND_INCOMPLETE_COLOUR), ("inconclusive", OUTCOME_COLOURS["inconclusive"])):
        group = rounds[rounds["round_outcome"] == outcome]
        if group.empty:
            continue
        # An incomplete round (DESIGN 4) lacks a domain its policy requires: it opens no envelope.
        missing = (group["missing_domains"] if "missing_domains" in group else pd.Series(None, index=group.index))
        missing_text = missing.map(lambda domains: "" if pd.isna(domains) or not domains else
                                   "<br>not clean: no evaluation yet in " + str(domains).replace(";", ", "))
        fig.add_trace(go.Scatter(
            x=group["recorded_at"], y=group["effective_compute"].astype(float), mode="markers",
            name=f"evaluation round: {outcome}" + (" (a required domain missing)" if outcome == "incomplete" else ""),
            marker=dict(color=colour, size=12, symbol={"triggered": "x", "incomplete": "diamond-open"}.get(outcome, "diamond"),
                        line=dict(color=colour if outcome == "incomplete" else "white", width=2 if outcome == "incomplete" else 1)),
            customdata=np.column_stack([group["step"].astype(str),
                                        pd.to_datetime(group["completed_at"]).dt.strftime("%Y-%m-%d"),
                                        group["details"].map(_round_hover),
                                        pd.to_datetime(group["recorded_at"]).dt.strftime("%Y-%m-%d"),
                                        missing_text.astype(object)]),
            hovertemplate=("<b>round at step %{customdata[0]}</b>: " + outcome + "%{customdata[4]}<br>checkpoint %{customdata[3]}, "
                           "completed %{customdata[1]}<br>C %{y:.3g}<br>%{customdata[2]}<extra></extra>")))
    if preliminary_triggers is not None and len(preliminary_triggers):
        _preliminary_trigger_markers(fig, preliminary_triggers)
    # Where a round triggered: the ASL threshold was reached there. The earliest possible level of
    # concern is b x C of the last clean round before it.
    for _, row in rounds[rounds["round_outcome"] == "triggered"].iterrows():
        earlier = rounds[(rounds["round_outcome"] == "clean") & (rounds["step"] < row["step"])]
        if b and not earlier.empty:
            concern = b * float(earlier.sort_values("step")["effective_compute"].iloc[-1])
            log_hline(fig, concern, f"earliest level of concern {flop(concern)} ({b:g}x last clean C)",
                      colour=OUTCOME_COLOURS["triggered"], dash="dot", side="top")  # under it: clear of the band labels
    if projection_points is not None and len(projection_points):
        fig.add_trace(go.Scatter(x=projection_points["recorded_at"], y=projection_points["effective_compute"],
                                 mode="lines", name="projection (recent growth)",
                                 line=dict(color=COMPUTE_COLOUR, dash="dot", width=1.5),
                                 hovertemplate="projected %{y:.3g} on %{x|%Y-%m-%d}<extra></extra>"))
        # Projected dates: a dotted vertical line each, named in the legend (a label on the plot would
        # meet the regulatory labels on a narrow screen).
        for index, (label, date) in enumerate((projected_dates or {}).items()):
            if date is not None:
                fig.add_trace(go.Scatter(
                    x=[date, date], y=[0, 1], yaxis="y2", mode="lines", name=f"{label} about {date:%Y-%m-%d} (projected)",
                    line=dict(color="#475569", dash=("dot", "dashdot")[index % 2], width=1),
                    hovertemplate=f"{label}: about {date:%Y-%m-%d} at the recent growth rate<extra></extra>"))
        fig.update_layout(yaxis2=dict(range=[0, 1], overlaying="y", visible=False, fixedrange=True))
    # The axes fit this model (not the public frontier or far-away regulatory lines).
    values = [float(v) for v in points["effective_compute"]] if len(points) else []
    values += [float(v) for v in env["next_eval"]] + ([float(v) for v in env["buffer_edge"].dropna()] if b else [])
    if projection_points is not None and len(projection_points):
        values += [float(v) for v in projection_points["effective_compute"]]
    if show_reference_lines and "training_flop" in points and len(points):
        values += [float(v) for v in points["training_flop"]]
    if values:
        low, high = min(values), max(values)
        visible_top = high * 10  # a regulatory line within a decade of the model is drawn and kept in view
        if show_reference_lines:
            _regulatory_lines(fig, visible_top=visible_top)
            drawn = [value for value, _ in REFERENCE_LINES if value <= visible_top]
            low, high = min([low, *drawn]), max([high, *drawn])
        _log_axis(fig, low / 10 ** 0.3, high * 10 ** 0.25, flop_tick_text)
        fig.update_xaxes(range=list(x_range))
    elif show_reference_lines:
        _regulatory_lines(fig)
    _threshold_reached_labels(fig, rounds[rounds["round_outcome"] == "triggered"], x_range)
    if show_reference_lines and crossings is not None and len(crossings):
        fig.add_trace(go.Scatter(
            x=crossings["recorded_at"], y=crossings["training_flop"].astype(float), mode="markers",
            name="training FLOP crosses a regulatory line",
            marker=dict(symbol="star", size=14, color=REGULATORY_COLOUR, line=dict(color="white", width=1)),
            customdata=np.column_stack([crossings["label"].astype(str),
                                        pd.to_datetime(crossings["recorded_at"]).dt.strftime("%Y-%m-%d")]),
            hovertemplate="%{customdata[0]}<br>crossed on %{customdata[1]}<extra></extra>"))
    _layout(fig, title=f"Effective compute of {model_label}", y_title="FLOP (log)", x_title="Date",
            height=560 + _strip_margin(strip_rows) - MARGIN["t"])
    fig.update_layout(margin=dict(t=_strip_margin(strip_rows)))
    if not values:  # no range of its own: Plotly's, labelled at decades only (never a bare digit between)
        fig.update_yaxes(type="log", exponentformat="power", dtick=1)
    return fig


def safeguard_gaps(gaps: pd.DataFrame, *, title: str = "Minimum additional safeguards: deployments lacking each") -> go.Figure:
    """How many live deployments lack each required safeguard: the few that restore most service."""
    gaps = gaps.sort_values("deployments_missing")
    labels = gaps["name"].fillna(gaps["safeguard_id"]) if "name" in gaps else gaps["safeguard_id"]
    kinds = gaps["kind"].fillna("") if "kind" in gaps else pd.Series("", index=gaps.index)
    fig = go.Figure(go.Bar(
        x=gaps["deployments_missing"], y=labels, orientation="h", marker_color="#ea580c",
        text=gaps["deployments_missing"], textposition="outside", customdata=kinds,
        hovertemplate="%{y} (%{customdata}): missing in %{x} live deployments<extra></extra>"))
    _layout(fig, title=title, y_title="",
            x_title="Live deployments lacking it", height=max(220, 60 + 36 * len(gaps)))
    fig.update_layout(showlegend=False)
    if len(gaps):
        # Room beyond the longest bar for its count, which is drawn outside the bar.
        fig.update_xaxes(range=[0, float(gaps["deployments_missing"].max()) * 1.15 + 1])
    return fig


def frontier(positions: pd.DataFrame, public: pd.DataFrame | None, *, show_reference_lines: bool = True,
             own_models: bool = True) -> go.Figure:
    """The lab's models where they stand now (date of their latest checkpoint, effective compute),
    with the public frontier (points by organisation) on the same axis. own_models=False (a data set
    whose models are the public models): the models only set the axes; the frontier alone is drawn."""
    fig = go.Figure()
    if public is not None:
        public_frontier(fig, public)
    if len(positions) and own_models:
        fig.add_trace(scatter(
            len(positions), x=positions["recorded_at"], y=positions["effective_compute"].astype(float), mode="markers", name="this lab's models",
            marker=dict(color=COMPUTE_COLOUR, size=10, symbol="circle", line=dict(color="white", width=1)),
            text=positions["name"], customdata=positions["model_id"],
            hovertemplate="<b>%{text}</b> (%{customdata})<br>latest checkpoint %{x|%Y-%m-%d}<br>%{y:.3g} FLOP-equivalent<extra></extra>"))
    if show_reference_lines:
        reference_lines(fig)
    _layout(fig, title="This lab's models against the public frontier" if own_models else "The public frontier",
            y_title="Effective / training compute (FLOP, log)",
            x_title="Date", height=480)
    fig.update_yaxes(type="log", exponentformat="power", dtick=1)  # decades only until the range is known
    if len(positions):
        # From 2015: the public list reaches back to 1950, which would squeeze the frontier flat.
        start = max(pd.Timestamp("2015-01-01"), pd.to_datetime(positions["recorded_at"]).min() - pd.Timedelta(days=365))
        fig.update_xaxes(range=[start, pd.to_datetime(positions["recorded_at"]).max() + pd.Timedelta(days=90)])
        # y: the lab's models and the public models of those years (not a 1950s perceptron at 1e5).
        values = list(positions["effective_compute"].astype(float))
        if public is not None and len(public):
            recent = public[pd.to_datetime(public["published_on"]) >= start]["training_compute_flop"].dropna().astype(float)
            if len(recent):
                values.append(float(recent.quantile(0.05)))
                values.append(float(recent.max()))
        low, high = max(min(values), 1e12), max([*values, *[value for value, _ in REFERENCE_LINES]])
        _log_axis(fig, low / 10 ** 0.5, high * 10 ** 0.5, flop_tick_text)
    return fig


# --- Data is never markup: every public function gets escaped inputs (module docstring) -----------
# Every public function defined in this module and in every module of this package, builders and
# modules added later included, except the escaping helpers themselves: a function that only takes
# numbers is unaffected, one that draws text is safe.
ESCAPING_HELPERS = {"escape", "original_value", "plain_text_inputs"}
BUILDERS = []  # "name" for this module, "module.name" for the others


def _wrap_public_functions(namespace: dict, module_name: str, prefix: str = "") -> None:
    for name, function in list(namespace.items()):
        if inspect.isfunction(function) and function.__module__ == module_name and not name.startswith("_") \
                and name not in ESCAPING_HELPERS and not getattr(function, "plain_text_inputs", False):
            namespace[name] = plain_text_inputs(function)
            BUILDERS.append(prefix + name)


_wrap_public_functions(globals(), __name__)
MODULES = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
for _module in MODULES:
    _wrap_public_functions(vars(_module), _module.__name__, _module.__name__.rsplit(".", 1)[1] + ".")
