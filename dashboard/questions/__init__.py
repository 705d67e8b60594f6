"""The questions layer: every page and every command asks its data here, by name.

One module per area (snapshot, status, trajectory, reclassify, changes, obligations). A question is a
function `(snapshot, scope or other values, ...) -> DataFrame` declared with `@question(columns)`:
its result has exactly those columns (tests/test_questions.py checks each one on the demo store).
Only this package runs the query files (Snapshot.query); pages and commands never do.

Caching wraps this layer once, here: in a `streamlit run`, a question's answer is kept per snapshot
(its key: the snapshot's id, else inode, mtime, size) and arguments (compared by value: dates, ids, the frozen ViewScope and
Scenario), so a new snapshot or another input is never served a stale answer and no page builds a key
by hand. Outside Streamlit (the command line) a question just runs. Each cached call is one step of
a page run (dashboard/page_runs.py): a busy client's run may pause before it, never inside it."""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools

import numpy as np
import streamlit as st
from streamlit import runtime

from dashboard import page_runs

QUESTIONS: dict[str, object] = {}  # "area.name" -> the question (with .columns), for the layer's tests


def _answer(snapshot_key, question: str, arguments: str, _function, _snap, _args, _kwargs):
    # Keyed on the snapshot's identity, the question's name and the arguments' repr (every argument
    # is a value whose repr names it fully); _snap, _args and _kwargs themselves are not hashed.
    return _function(_snap, *_args, **_kwargs)


@functools.cache
def _answers():
    # Made on first use, not at import: outside a Streamlit run st.cache_data logs a warning, and the
    # command line imports this package without ever caching.
    return st.cache_data(show_spinner=False, max_entries=512)(_answer)


# Values whose repr names them fully; tuples, lists and frozen dataclasses of them are values too.
_VALUE_TYPES = (type(None), bool, int, float, str, dt.date, dt.time, dt.timedelta, np.generic)


def _check_value(value) -> None:
    if isinstance(value, _VALUE_TYPES):
        return
    if isinstance(value, (tuple, list)):
        for item in value:
            _check_value(item)
        return
    if (dataclasses.is_dataclass(value) and not isinstance(value, type) and value.__dataclass_params__.frozen
            and all(field.repr for field in dataclasses.fields(value))):
        for field in dataclasses.fields(value):
            _check_value(getattr(value, field.name))
        return
    raise TypeError(f"a {type(value).__name__} cannot be part of a cache key: its repr does not name it fully "
                    "(a frame's shows a few rows); pass the values it is made of")


def call_key(function, snap, args: tuple, kwargs: dict) -> tuple:
    """What function(snap, *args, **kwargs) is kept by: the snapshot's identity, the function's name and
    the arguments' repr. Every argument must be a value whose repr names it fully (dates, ids, numbers,
    tuples, the frozen ViewScope and Scenario): anything else is refused, never keyed by a partial repr."""
    for value in (*args, *kwargs.values()):
        _check_value(value)
    return snap.cache_key, f"{function.__module__}.{function.__qualname__}", repr((args, sorted(kwargs.items())))


def cached_call(function, snap, *args, **kwargs):
    """function(snap, *args, **kwargs) through the one cache, as one step of a page run."""
    snapshot_key, name, arguments = call_key(function, snap, args, kwargs)
    with page_runs.step():
        return _answers()(snapshot_key, name, arguments, function, snap, args, kwargs)


def cached(function):
    """Cache function(snap, ...) per snapshot and arguments in a Streamlit run; call it through elsewhere."""
    @functools.wraps(function)
    def asked(snap, *args, **kwargs):
        if runtime.exists():
            return cached_call(function, snap, *args, **kwargs)
        return function(snap, *args, **kwargs)

    asked.uncached = function
    return asked


def question(columns):
    """Declare a question and its output columns (in their order); the question is cached (see cached)."""
    def declare(function):
        asked = cached(function)
        asked.columns = list(columns)
        QUESTIONS[f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}"] = asked
        return asked

    return declare
