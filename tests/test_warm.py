"""The overview is warmed before the first viewer after a server start (dashboard/asgi.py) and after
each new snapshot (dashboard/warm.py), against a real `streamlit run` server: Streamlit's own cache
counters (/_stcore/metrics) show the warm-up made the answers and figures, and the first viewer found
them all made; the viewer still sees the new snapshot. Then what the page and the warm-up share (dashboard/ui/overview.py), on
hand-made data, and a warm-up that fails."""
from __future__ import annotations

import datetime as dt
import re
import urllib.request

import pandas as pd

from bench.meeting import open_link_sync
from bench.snapshots import lab_variant
from dashboard import warm
from dashboard.ingest import ingest
from dashboard.sqlfiles import REPO_ROOT
from dashboard.questions.snapshot import ViewScope
from dashboard.store import DEMO_DIR, read_identity
from dashboard.ui import overview
from waits import WAIT_S, streamlit_server, wait_for

PAGE_SCRIPT = REPO_ROOT / "dashboard" / "app.py"
CACHES = {"answers": ("dashboard.questions._answer",),
          "views": ("dashboard.ui.cache._kept_view", "dashboard.ui.cache._kept_table")}


def cache_lookups(server) -> dict[tuple[str, str], int]:
    """(cache, "hit" or "miss") -> lookups so far, for the questions' answers and the kept views (figures,
    grids and print copies)."""
    with urllib.request.urlopen(f"{server.url}/_stcore/metrics", timeout=WAIT_S) as response:
        text = response.read().decode()
    counts = {}
    for name, caches in CACHES.items():
        for result in ("hit", "miss"):
            counts[name, result] = 0
            for cache in caches:
                found = re.search(rf'^cache_lookups_total\{{cache="{re.escape(cache)}",[^}}]*result="{result}"\}} (\d+)',
                                  text, re.MULTILINE)
                counts[name, result] += int(found.group(1)) if found else 0
    return counts


def view_lookups(counts: dict) -> int:
    return counts["views", "hit"] + counts["views", "miss"]


def test_the_server_warms_the_overview_before_its_first_viewer_and_each_new_snapshot_before_its_own(tmp_path):
    store = tmp_path / "asl.duckdb"
    ingest(DEMO_DIR, store, progress=lambda _: None)
    with streamlit_server(store, log_path=tmp_path / "streamlit.log") as server:
        # Healthy means warmed (dashboard/asgi.py): no viewer yet, and the map, the trajectories, the
        # status table's grid and print copy and the snapshot summary's two tables and their print
        # copies are made.
        started = cache_lookups(server)
        assert started["views", "miss"] == 8 and view_lookups(started) == 8
        first = open_link_sync(server.url, "/", timeout=WAIT_S)
        assert first.ok, first.problem or first.exceptions or first.errors
        before = cache_lookups(server)
        assert before["views", "miss"] == 8 and view_lookups(before) == 16  # the first viewer made nothing
        assert before["answers", "miss"] == started["answers", "miss"]

        ingest(lab_variant(DEMO_DIR, tmp_path / "variant"), store, progress=lambda _: None)
        new_id = read_identity(store)[0]
        # No viewer yet: the warm-up alone asks the new snapshot's questions and makes its eight views
        # (kept by snapshot, so all are made again, none served from the old snapshot).
        warmed = wait_for(lambda: view_lookups(counts := cache_lookups(server)) == 24 and counts)
        assert warmed["views", "miss"] == 16
        assert warmed["answers", "miss"] > before["answers", "miss"]

        view = open_link_sync(server.url, "/", timeout=WAIT_S)
        assert view.ok, view.problem or view.exceptions or view.errors
        assert any(new_id in text for text in view.texts)  # the header names the new snapshot
        after = cache_lookups(server)
        assert after["views", "miss"] == warmed["views", "miss"]  # every view was made already
        assert after["answers", "miss"] == warmed["answers", "miss"]  # and every answer
        assert view_lookups(after) == 32  # and its eight views were looked up (found)


def test_served_as_the_plain_page_script_the_first_viewer_makes_the_overview(tmp_path):
    """`streamlit run dashboard/app.py` still serves the dashboard; it runs no app code before a first
    session, so nothing is warmed at start and its first viewer makes the views."""
    store = tmp_path / "asl.duckdb"
    ingest(DEMO_DIR, store, progress=lambda _: None)
    with streamlit_server(store, app=PAGE_SCRIPT, log_path=tmp_path / "streamlit.log") as server:
        assert view_lookups(cache_lookups(server)) == 0
        first = open_link_sync(server.url, "/", timeout=WAIT_S)
        assert first.ok, first.problem or first.exceptions or first.errors
        made = cache_lookups(server)
        assert made["views", "miss"] == 8 and view_lookups(made) == 8


def test_a_store_that_cannot_be_read_at_start_is_logged_and_the_viewer_told(tmp_path):
    not_a_store = tmp_path / "asl.duckdb"
    not_a_store.write_text("not a database")
    log = tmp_path / "streamlit.log"
    with streamlit_server(not_a_store, log_path=log) as server:
        view = open_link_sync(server.url, "/", timeout=WAIT_S)
        assert any("The data store cannot be read" in text for text in view.errors), view.errors or view.texts
    assert "warming the overview of the latest snapshot" in log.read_text()


def test_the_map_policy_is_the_views_else_the_shown_models_most_common():
    models = pd.DataFrame({"policy_id": ["p2", "p1", "p2"]})
    each_own = ViewScope(dt.date(2026, 1, 31), None, True)
    assert overview.map_policy(models, each_own) == "p2"
    assert overview.map_policy(models, ViewScope(dt.date(2026, 1, 31), "p1", False)) == "p1"
    assert overview.map_policy(models.iloc[:0], each_own) is None  # no model shown: no map


def test_a_policy_without_buffer_or_interval_draws_no_such_line():
    policies = pd.DataFrame({"policy_id": ["full", "bare"], "eval_compute_multiple": [4, 2.5],
                             "buffer_multiple": [6.0, None], "eval_interval_days": [90, None]}).set_index("policy_id")
    assert overview.policy_lines(policies, "full") == (4.0, 6.0, 90.0)
    assert overview.policy_lines(policies, "bare") == (2.5, None, None)


def test_a_failed_warm_up_is_logged_and_leaves_the_viewers_run_to_compute(tmp_path, caplog):
    not_a_store = tmp_path / "asl.duckdb"
    not_a_store.write_text("not a database")
    assert warm.warm(not_a_store) is None
    assert "warming the overview of the latest snapshot" in caplog.text


def test_a_store_path_of_100_000_characters_costs_the_log_one_short_line(tmp_path):
    log = tmp_path / "streamlit.log"
    with streamlit_server(tmp_path / ("x" * 100_000), log_path=log):
        pass  # healthy: started, and no warm-up
    lines = [line for line in log.read_text().splitlines() if "warm-up" in line]
    assert lines == [lines[0]] and "no warm-up at start" in lines[0] and len(lines[0]) < 200, lines
