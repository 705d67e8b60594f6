"""What the pages keep between runs besides the questions' answers (cached in dashboard/questions):
the snapshot, the figures drawn from the answers and the views made of them (print copies)."""
from __future__ import annotations

import inspect
import logging

import plotly.graph_objects as go
import streamlit as st

from dashboard import page_runs, questions, store as store_module
from dashboard.ingest import ensure_store

log = logging.getLogger("asl_dashboard")


def current_snapshot() -> store_module.Snapshot:
    path = store_module.store_path()
    if not path.exists():
        with st.spinner("First start: building the store from the bundled demo data ..."):
            ensure_store(path, say=lambda message: log.info(message))
        st.toast(f"Built {path.name} from the bundled demo data (data/demo).")
    return store_module.snapshot(path)


@st.cache_resource(show_spinner=False, max_entries=256)
def _cached_figure(builder_name: str, _builder, args: tuple, kwargs: dict) -> go.Figure:
    # Building and validating a figure costs more than the queries behind it. Kept as the built
    # Figure, shared by every run (cache_resource: not copied), never changed after it is built:
    # st.plotly_chart validates a dict anew on every run (Figure(**dict), about half of the
    # reclassify page's CPU per viewer) but takes a Figure's own dict as it is. Keyed on the
    # builder's name and the value of every argument (frames by content), so no input can be left
    # out of the key.
    return _builder(*args, **kwargs)


def figure(builder, *args, **kwargs) -> go.Figure:
    """builder(*args, **kwargs), a chart builder's figure, drawn once per builder and argument
    values and shared by every run: draw it, never change it."""
    with page_runs.step():
        return _cached_figure(f"{builder.__module__}.{builder.__qualname__}", builder, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=256)
def _kept_view(view: str, snapshot_key, name: str, arguments: str, _make):
    # Keyed on what the view is made of (questions.call_key), never on its frames' content: hashing
    # a frame for a key cost about a fifth of a page run. Kept as made and shared by every run: only
    # what is never changed after it is made (a Figure, a string, an Arrow table) is kept here.
    return _make()


@st.cache_resource(show_spinner=False, max_entries=64)
def _kept_table(view: str, snapshot_key, name: str, arguments: str, _make):
    # As _kept_view, for grids and print copies: a few megabytes each at scale m, so fewer are kept.
    return _make()


def _function_name(function) -> str:
    plain = inspect.unwrap(function)  # a question: its own function
    if plain.__closure__ or "<" in plain.__qualname__:  # <lambda>, <locals>
        raise TypeError(f"{plain.__qualname__}: a view is made by module-level functions of the snapshot and its "
                        "arguments alone (what a lambda or a closure captured would be in no key)")
    return f"{function.__module__}.{function.__qualname__}"


def kept_view(view, derive, snap, args: tuple, kwargs: dict, *, table: bool = False):
    """view(derive(snap, *args, **kwargs)), kept per view function, snapshot, derive function and
    argument values, and shared by every run. derive asks the questions layer (or is a question);
    both are module-level functions, so the key names every input. table: a large view (a grid, a
    print copy), kept among fewer."""
    view_name, _ = _function_name(view), _function_name(derive)
    snapshot_key, name, arguments = questions.call_key(derive, snap, args, kwargs)
    with page_runs.step():
        return (_kept_table if table else _kept_view)(view_name, snapshot_key, name, arguments,
                                                      lambda: view(derive(snap, *args, **kwargs)))


def _drawn(figure: go.Figure | None) -> go.Figure | None:
    if figure is not None and not isinstance(figure, go.Figure):
        raise TypeError(f"a figure is a plotly Figure (or None: nothing to draw), not a {type(figure).__name__}")
    return figure


def figure_of(draw, snap, *args, **kwargs) -> go.Figure | None:
    """draw(snap, *args, **kwargs): a figure drawn from the snapshot's questions, kept per snapshot,
    function and argument values (no frame is hashed) and shared by every run: draw it, never change it."""
    return kept_view(_drawn, draw, snap, args, kwargs)


def _written(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"a text is a str, not a {type(text).__name__}")
    return text


def text_of(write, snap, *args, **kwargs) -> str:
    """write(snap, *args, **kwargs): Markdown or text written from the snapshot's questions, kept per
    snapshot, function and argument values."""
    return kept_view(_written, write, snap, args, kwargs)
