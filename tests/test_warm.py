"""A new snapshot's overview is warmed before its first viewer (dashboard/warm.py), against a real
`streamlit run` server: Streamlit's own cache counters (/_stcore/metrics) show the warm-up made the
answers and figures, and the first viewer after the new snapshot found them all made; the viewer
still sees the new snapshot."""
from __future__ import annotations

import re
import time
import urllib.request

from bench.meeting import open_link_sync
from bench.snapshots import lab_variant
from dashboard.ingest import ingest
from dashboard.store import DEMO_DIR, read_identity
from waits import WAIT_S, streamlit_server

CACHES = {"answers": "dashboard.questions._answer", "figures": "dashboard.ui.cache._cached_figure"}


def cache_lookups(server) -> dict[tuple[str, str], int]:
    """(cache, "hit" or "miss") -> lookups so far, for the questions' answers and the figures."""
    with urllib.request.urlopen(f"{server.url}/_stcore/metrics", timeout=WAIT_S) as response:
        text = response.read().decode()
    counts = {}
    for name, cache in CACHES.items():
        for result in ("hit", "miss"):
            found = re.search(rf'^cache_lookups_total\{{cache="{re.escape(cache)}",[^}}]*result="{result}"\}} (\d+)',
                              text, re.MULTILINE)
            counts[name, result] = int(found.group(1)) if found else 0
    return counts


def figure_lookups(counts: dict) -> int:
    return counts["figures", "hit"] + counts["figures", "miss"]


def wait_for(condition):
    deadline = time.monotonic() + WAIT_S
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def test_a_new_snapshot_is_warmed_before_its_first_viewer(tmp_path):
    store = tmp_path / "asl.duckdb"
    ingest(DEMO_DIR, store, progress=lambda _: None)
    with streamlit_server(store, log_path=tmp_path / "streamlit.log") as server:
        first = open_link_sync(server.url, "/", timeout=WAIT_S)  # the first page run starts the warm-up's watch
        assert first.ok, first.problem or first.exceptions or first.errors
        before = cache_lookups(server)
        assert before["figures", "miss"] == 2  # the map and the trajectories, drawn for the first viewer

        ingest(lab_variant(DEMO_DIR, tmp_path / "variant"), store, progress=lambda _: None)
        new_id = read_identity(store)[0]
        # No viewer yet: the warm-up alone asks the new snapshot's questions and looks up its two figures
        # (a figure whose data the variant leaves as it was is found made: figures are keyed by content).
        warmed = wait_for(lambda: figure_lookups(counts := cache_lookups(server)) == 4 and counts)
        assert warmed["figures", "miss"] == 3  # the map names the renamed policy: drawn again
        assert warmed["answers", "miss"] > before["answers", "miss"]

        view = open_link_sync(server.url, "/", timeout=WAIT_S)
        assert view.ok, view.problem or view.exceptions or view.errors
        assert any(new_id in text for text in view.texts)  # the header names the new snapshot
        after = cache_lookups(server)
        assert after["figures", "miss"] == warmed["figures", "miss"]  # every figure was made already
        assert after["answers", "miss"] == warmed["answers", "miss"]  # and every answer
        assert figure_lookups(after) == 6  # and its two figures were looked up (found)
