"""Views (figures, print copies, grids) are kept by what they are made of: the snapshot, a module-level
function and the value of every argument (dashboard/ui/cache.py kept_view), never by a frame's
content. On real stores: another snapshot, date, filter or scenario is never served another's view,
and what cannot be named fully in a key (a frame, a lambda, a closure) is refused."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import pytest

from bench.snapshots import lab_variant
from dashboard import questions
from dashboard.ingest import ingest
from dashboard.questions import reclassify as reclassify_questions
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions.snapshot import ViewScope
from dashboard.store import DEMO_DIR, snapshot
from dashboard.ui import cache, layout, overview
from dashboard.ui import reclassify as reclassify_views

made: list[tuple] = []


def counted_models(snap, as_of, chosen):
    """The shown models as of the date, counting each time it is made. Its arguments do not name the
    snapshot (a ViewScope does): the key's snapshot alone keeps two snapshots apart."""
    made.append((snap.cache_key, as_of, chosen))
    scope = ViewScope(as_of=as_of, policy_id=None, as_of_is_default=False)
    return overview.shown_models(snap, scope, chosen)[["model_id", "name", "status", "asl_level"]]


def counted_figure(snap, as_of, chosen):
    shown = counted_models(snap, as_of, chosen)
    return go.Figure(go.Bar(x=list(shown["model_id"]), y=[1] * len(shown)))


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory):
    """The demo lab published, then a variant of it (one policy renamed) as a newer snapshot."""
    folder = tmp_path_factory.mktemp("views")
    older, newer = folder / "older.duckdb", folder / "newer.duckdb"
    ingest(DEMO_DIR, older, progress=lambda _: None, dataset="demo")
    ingest(lab_variant(DEMO_DIR, folder / "variant"), newer, progress=lambda _: None, dataset="demo")
    first, second = snapshot(older), snapshot(newer)
    assert first.cache_key != second.cache_key
    return first, second


def scope_of(snap, as_of: dt.date | None = None):
    return snapshot_questions.resolve_scope(snap, as_of.isoformat() if as_of else None, None)


def test_a_view_is_made_once_per_snapshot_date_and_filter(two_snapshots):
    older, newer = two_snapshots
    made.clear()
    scope, chosen = scope_of(older), overview.ModelFilter()
    first = cache.figure_of(counted_figure, older, scope.as_of, chosen)
    assert cache.figure_of(counted_figure, older, scope_of(older).as_of, overview.ModelFilter()) is first  # equal values
    assert len(made) == 1
    triggered = overview.ModelFilter(statuses=("triggered",))
    views = [cache.figure_of(counted_figure, newer, scope.as_of, chosen),  # another snapshot
             cache.figure_of(counted_figure, older, dt.date(2026, 1, 31), chosen),  # another date
             cache.figure_of(counted_figure, older, scope.as_of, triggered)]  # another filter
    assert len(made) == 4 and all(view is not first for view in views)
    assert made[1][0] == newer.cache_key and made[2][1] == dt.date(2026, 1, 31) and made[3][2] == triggered
    # Each is the view of its own inputs.
    shown_triggered = overview.shown_models(older, scope, triggered)
    assert list(views[2].data[0].x) == list(shown_triggered["model_id"]) and 0 < len(shown_triggered) < 48


def test_a_print_copy_and_a_grid_are_those_of_their_own_frame(two_snapshots):
    older, newer = two_snapshots
    scope, chosen = scope_of(older), overview.ModelFilter(levels=(3,))
    frame = counted_models(older, scope.as_of, chosen)
    cells, rows = layout.print_copy_of(counted_models, older, scope.as_of, chosen)
    assert cells == layout.print_cells(frame) and rows == len(frame)
    # The same function and arguments under another view function (a grid) are another view.
    grid = layout.grid_of(counted_models, older, scope.as_of, chosen)
    assert isinstance(grid, pa.Table) and grid.to_pandas().equals(layout.shown_frame(frame))
    assert layout.print_copy_of(counted_models, older, scope.as_of, chosen) == (cells, rows)
    other_cells, other_rows = layout.print_copy_of(counted_models, older, scope.as_of, overview.ModelFilter(levels=(2,)))
    assert other_cells != cells and other_rows == len(overview.shown_models(older, scope, overview.ModelFilter(levels=(2,))))


def test_a_new_snapshot_gets_its_own_print_copy_and_map(two_snapshots):
    older, newer = two_snapshots
    renamed = snapshot_questions.policies(newer)
    renamed = renamed.loc[renamed["name"].str.endswith(" (corrected)"), "name"].iat[0]
    chosen = overview.ModelFilter()
    old_cells, _ = layout.print_copy_of(overview.printed_status_table, older, scope_of(older), chosen)
    new_cells, _ = layout.print_copy_of(overview.printed_status_table, newer, scope_of(newer), chosen)
    assert not any(renamed in cell for row in json.loads(old_cells)["rows"] for cell in row)
    assert any(renamed in cell for row in json.loads(new_cells)["rows"] for cell in row)
    old_map, new_map = overview.buffer_map(older, scope_of(older), chosen), overview.buffer_map(newer, scope_of(newer), chosen)
    assert old_map is not new_map


def test_each_scenario_and_filter_of_the_reclassify_page_has_its_own_views(two_snapshots):
    older, _ = two_snapshots
    scope = scope_of(older)
    models = snapshot_questions.models(older)
    levels = reclassify_questions.model_levels(older, scope.as_of)
    scenarios = [reclassify_questions.Scenario(model_id=model_id, asl_level=int(levels[model_id]) + 1, domain=None,
                                               current_level=int(levels[model_id]))
                 for model_id in models["model_id"] if int(levels[model_id]) < 4]
    with_deployments = [scenario for scenario in scenarios
                        if len(reclassify_questions.at_risk_frame(older, scope, scenario)) > 2][:2]
    assert len(with_deployments) == 2
    for scenario in with_deployments:
        everything = (True, (), ())
        cells, rows = layout.print_copy_of(reclassify_views.printed_deployments, older, scope, scenario, *everything)
        expected = reclassify_views.printed_deployments(older, scope, scenario, *everything)
        assert cells == layout.print_cells(expected) and rows == len(reclassify_questions.at_risk_frame(older, scope, scenario))
        action = expected["action"].iat[0]
        _, filtered_rows = layout.print_copy_of(reclassify_views.printed_deployments, older, scope, scenario, True,
                                                (action,), ())
        assert filtered_rows == int((expected["action"] == action).sum())
    trees = [cache.text_of(reclassify_views.halted_models_markdown, older, scope, scenario) for scenario in with_deployments]
    assert trees[0] != trees[1]
    assert trees == [reclassify_views.halted_models_markdown(older, scope, scenario) for scenario in with_deployments]
    figures = [cache.figure_of(reclassify_views.safeguard_gaps_figure, older, scope, scenario) for scenario in with_deployments]
    assert figures[0] is not figures[1]
    for figure, scenario in zip(figures, with_deployments):
        gaps = reclassify_views.safeguard_gaps(older, scope, scenario)
        assert sorted(figure.data[0].x) == sorted(gaps["deployments_missing"])


def not_module_level_views():
    def closure(snap, scope):
        return made
    return [lambda snap, scope: None, closure]


def test_what_a_key_cannot_name_is_refused(two_snapshots):
    older, _ = two_snapshots
    scope = scope_of(older)
    status = overview.shown_models(older, scope, overview.ModelFilter())
    for argument in (status, status["model_id"], status["model_id"].to_numpy(), {"a": 1}, {1, 2}):
        with pytest.raises(TypeError, match="cannot be part of a cache key"):
            cache.figure_of(counted_figure, older, scope.as_of, argument)
        with pytest.raises(TypeError, match="cannot be part of a cache key"):
            questions.cached_call(counted_models, older, scope.as_of, argument)
    for function in not_module_level_views():
        with pytest.raises(TypeError, match="module-level functions"):
            cache.figure_of(function, older, scope)

    @dataclasses.dataclass
    class Changeable:
        as_of: dt.date

    @dataclasses.dataclass(frozen=True)
    class PartlyHidden:
        as_of: dt.date
        hidden: str = dataclasses.field(default="", repr=False)

    for argument in (Changeable(scope.as_of), PartlyHidden(scope.as_of)):
        with pytest.raises(TypeError, match="cannot be part of a cache key"):
            questions.call_key(counted_models, older, (argument,), {})
    # Values a repr names fully are keys.
    key = questions.call_key(counted_models, older, (scope, ("a", 1, 2.5, None, np.int64(3), [True])),
                             {"when": dt.date(2026, 1, 2), "step": pd.Timestamp("2026-01-02 03:04")})
    assert key[0] == older.cache_key and key[1] == f"{__name__}.counted_models" and "2026, 1, 2" in key[2]
