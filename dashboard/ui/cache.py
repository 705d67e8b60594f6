"""What the pages keep between runs: the snapshot, the queries on it and what is derived from them,
each cached per snapshot (a new snapshot has a new key, so nothing stale is served)."""
from __future__ import annotations

import logging

import pandas as pd
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


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(snapshot_key: store_module.SnapshotKey, _snap: store_module.Snapshot, name: str,
                  params: tuple) -> pd.DataFrame:
    # Keyed on the snapshot's identity (inode, mtime, size); _snap itself is not hashed.
    return _snap.query(name, **{key: list(value) if isinstance(value, tuple) else value for key, value in params})


def query(snap: store_module.Snapshot, name: str, **params) -> pd.DataFrame:
    """queries/NAME.sql, cached per snapshot: a new snapshot has a new key, so nothing stale is served.
    For what only a page reads (a chart's points, a picker's options); a question the command line
    asks too goes through its one function with view()."""
    frozen = tuple(sorted((key, tuple(value) if isinstance(value, list) else value) for key, value in params.items()))
    with page_runs.step():
        return _cached_query(snap.key, snap, name, frozen)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_view(snapshot_key: store_module.SnapshotKey, question: str, arguments: str, _function, _snap, _args):
    # Keyed on the snapshot, the question's name and the arguments' repr (dates, ids and frozen
    # dataclasses such as ViewScope and Scenario, whose repr names every field).
    return _function(_snap, *_args)


def view(function, snap: store_module.Snapshot, *args):
    """function(snap, *args), a question the command line asks too (dashboard/views.py,
    dashboard/obligations.py), cached per snapshot: the pages and the CLI share one function per
    question. args: values whose repr names them fully (dates, ids, ViewScope, Scenario)."""
    with page_runs.step():
        return _cached_view(snap.key, f"{function.__module__}.{function.__qualname__}", repr(args), function, snap, args)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_figure(key: tuple, _build) -> dict:
    # The figure as Plotly's JSON-ready dict: building and validating a figure costs more than the
    # queries behind it, and a view's figure changes only with its snapshot and parameters.
    return _build().to_plotly_json()


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_result(key: tuple, _build):
    return _build()


def memo(key: tuple, build):
    """build() once per key (which must name the snapshot and every input): derived figures such
    as a scenario's summary, recomputed only when the snapshot or the view changes."""
    with page_runs.step():
        return _cached_result(key, build)


def figure(key: tuple, build) -> dict:
    """build() (a chart builder call) once per key; key must name the snapshot and every input."""
    with page_runs.step():
        return _cached_figure(key, build)
