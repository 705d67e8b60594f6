"""Server-side page timings for the benchmark, run in a process of its own (its peak memory is the
server's): `python -m bench.pages STORE PLAN.json` prints one JSON object.

Each page is run through Streamlit's AppTest, the way the server runs it: cold (the first run after
a new snapshot: caches emptied, the snapshot attached anew) and warm (a new session with the
caches filled), against a baseline page that draws the same number of elements of each kind from
precomputed data (bench/baseline_app.py, its own entry script: the app a viewer reaches has no benchmark page).
"""
from __future__ import annotations

import json
import os
import pickle
import resource
import statistics
import sys
import time
from pathlib import Path

from dashboard.sqlfiles import REPO_ROOT

APP = str(REPO_ROOT / "dashboard" / "app.py")
BASELINE = str(REPO_ROOT / "bench" / "baseline_app.py")


_COMPONENTS: list = []  # the custom components, discovered once per process as a server does


def _run(path: str, page: str | None, params: dict):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(path, default_timeout=300)
    # A server discovers the installed custom components once, at start; each new AppTest scans every
    # installed package's metadata again (about 0.35 s here), a cost no session of a server pays. The
    # first run's discovery is handed to the next ones (AppTest keeps it in a private attribute;
    # without it, each run scans again and the figures include that cost, as before).
    if _COMPONENTS and hasattr(app, "_bidi_component_manager"):
        app._bidi_component_manager = _COMPONENTS[0]
    for key, value in params.items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    started = time.perf_counter()
    app.run()
    elapsed = time.perf_counter() - started
    if not _COMPONENTS and getattr(app, "_bidi_component_manager", None) is not None:
        _COMPONENTS.append(app._bidi_component_manager)
    if app.exception:
        raise RuntimeError(f"{page}: {app.exception[0].value}")
    return app, elapsed


def _charts(app) -> list[str]:
    return [element.proto.spec for element in app.get("plotly_chart")]


def _counts(app) -> dict:
    return {"metric": len(app.metric), "plotly_chart": len(app.get("plotly_chart")), "dataframe": len(app.dataframe),
            "markdown": len(app.markdown), "caption": len(app.caption)}


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM). getrusage's ru_maxrss would also count the
    launching process's memory at the fork before exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> int:
    store, plan_path = sys.argv[1], sys.argv[2]
    os.environ["ASL_STORE"] = store
    plan = json.loads(Path(plan_path).read_text())
    repeats = int(plan.get("repeats", 5))
    import streamlit as st

    from dashboard import store as store_module

    def new_snapshot() -> None:
        # As after a publish: nothing cached, the snapshot attached anew. The previous one is
        # closed, as it is once no session reads it any more.
        st.cache_data.clear()
        st.cache_resource.clear()  # the figures
        for previous in store_module._current.values():
            previous.close()
        store_module._current.clear()

    # A running server has imported its modules long before a snapshot is published: one untimed
    # run of every page, so that the first cold figure is not the process's start-up.
    for view in plan["pages"].values():
        _run(APP, view["page"], view["params"])

    results = {"page_ms": {}, "page_cold_ms": {}, "chart_bytes": {}, "elements": {}}
    payload = {"metric": 0, "plotly_chart": [], "dataframe": [], "markdown": 0, "caption": 0}
    for name, view in plan["pages"].items():
        cold = []
        for _ in range(3):
            new_snapshot()
            app, seconds = _run(APP, view["page"], view["params"])
            cold.append(seconds)
        warm = [_run(APP, view["page"], view["params"])[1] for _ in range(repeats)]
        results["page_cold_ms"][name] = round(statistics.median(cold) * 1000, 1)
        results["page_ms"][name] = round(statistics.median(warm) * 1000, 1)
        charts = _charts(app)
        results["chart_bytes"][name] = sum(len(spec.encode("utf-8")) for spec in charts)
        counts = _counts(app)
        results["elements"][name] = counts
        # The baseline draws as many elements as the largest page, each kind from precomputed data.
        for kind in ("metric", "markdown", "caption"):
            payload[kind] = max(payload[kind], counts[kind])
        if len(charts) > len(payload["plotly_chart"]):
            payload["plotly_chart"] = charts
        # The tables the page showed, as data: the baseline draws the same volume, precomputed.
        frames = [element.value for element in app.dataframe]
        if sum(len(frame) for frame in frames) > sum(len(frame) for frame in payload["dataframe"]):
            payload["dataframe"] = frames
    payload_path = plan["baseline_payload"]
    with open(payload_path, "wb") as handle:
        pickle.dump(payload, handle)
    os.environ["ASL_BENCH_BASELINE"] = payload_path
    _run(BASELINE, None, {})
    baseline = [_run(BASELINE, None, {})[1] for _ in range(repeats)]
    results["baseline_page_ms"] = round(statistics.median(baseline) * 1000, 1)
    results["baseline_elements"] = {kind: (len(value) if isinstance(value, list) else value) for kind, value in payload.items()}
    results["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
