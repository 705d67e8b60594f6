"""What the pages keep between runs besides the questions' answers (cached in dashboard/questions):
the snapshot, and the figures drawn from the answers."""
from __future__ import annotations

import logging

import plotly.graph_objects as go
import streamlit as st

from dashboard import page_runs, store as store_module
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
