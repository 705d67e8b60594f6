"""Figures are cached on the chart builder and the value of every argument: no key is written by
hand, so an input left out of a key cannot show a stale figure."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.ui import cache

built: list[tuple] = []


def counted_chart(frame: pd.DataFrame, scale: float, *, title: str = "") -> go.Figure:
    built.append((len(frame), scale, title))
    return go.Figure(go.Scatter(x=frame["x"], y=frame["y"] * scale), layout={"title": title})


def other_chart(frame: pd.DataFrame, scale: float, *, title: str = "") -> go.Figure:
    built.append(("other", len(frame)))
    return go.Figure()


def test_a_figure_is_drawn_again_when_any_argument_changes_and_only_then():
    built.clear()
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [1.0, 2.0, 4.0]})
    first = cache.figure(counted_chart, frame, 2.0, title="a")
    again = cache.figure(counted_chart, frame.copy(), 2.0, title="a")  # equal content: the cached figure
    assert first == again and built == [(3, 2.0, "a")]
    # The built Figure itself, shared: st.plotly_chart takes a Figure's dict as it is, where it would
    # validate a dict anew on every page run.
    assert isinstance(first, go.Figure) and again is first
    changed = frame.assign(y=[1.0, 2.0, 5.0])  # one cell differs
    assert cache.figure(counted_chart, changed, 2.0, title="a") != first
    cache.figure(counted_chart, frame, 3.0, title="a")  # a positional argument
    cache.figure(counted_chart, frame, 2.0, title="b")  # a keyword argument
    cache.figure(other_chart, frame, 2.0, title="a")  # another builder, same arguments
    assert built == [(3, 2.0, "a"), (3, 2.0, "a"), (3, 3.0, "a"), (3, 2.0, "b"), ("other", 3)]
