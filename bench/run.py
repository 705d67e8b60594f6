"""`asl-dashboard bench --scale m|l [--browser] [--json]`: measured figures and ratios, in one run.

Builds (or reuses) the synthetic lab data/synth/<scale>/ and its store, then measures medians over
repeated runs: ingest rows per second against a plain pandas-to-DuckDB load of the same files,
and beside them the floor, DuckDB's own plain copy of those files (read_parquet or read_csv into
tables, nothing validated);
`status` and `at-risk` query time (at-risk for the model with the most descendants); each page's
server-side run time warm and cold against a baseline page; chart bytes per page; peak memory of
the process that runs the pages; and with --browser the time until each page is drawn in
headless Chromium against the baseline page. Targets are checked here, never in timed tests.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.ingest import ingest
from dashboard.sqlfiles import REPO_ROOT

BASELINE_APP = REPO_ROOT / "bench" / "baseline_app.py"
from dashboard.store import Snapshot, snapshot_key
from dashboard.tables import TABLES

TARGETS = {  # at scale l on the 2-core machine
    "status_ms": 100, "at_risk_ms": 100, "page_warm_ratio": 1.5, "page_cold_ms": 2000, "chart_bytes": 500_000,
    "ingest_rows_per_s": 1_000_000, "ingest_to_pandas": 1.1, "peak_rss_mb": 2048, "browser_ratio": 1.3,
}


def _median_ms(function, repeats: int) -> float:
    function()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1)


def _pandas_baseline(folder: Path, target: Path) -> float:
    """The plain way: pandas reads every file, DuckDB stores each DataFrame. No validation."""
    started = time.perf_counter()
    con = duckdb.connect(str(target))
    for spec in TABLES:
        path = folder / f"{spec.name}.parquet"
        frame = pd.read_parquet(path) if path.exists() else pd.read_csv(folder / f"{spec.name}.csv", dtype=str)
        con.from_df(frame).create(spec.name)
    con.close()
    return time.perf_counter() - started


def _duckdb_floor(folder: Path, target: Path) -> float:
    """The floor: DuckDB's own readers copy every file into a table of the same name (read_parquet,
    read_csv with its defaults), nothing validated, typed by hand or sorted. No ingest of the same
    rows into a DuckDB file can be faster by much."""
    started = time.perf_counter()
    con = duckdb.connect(str(target))
    for spec in TABLES:
        path = folder / f"{spec.name}.parquet"
        reader = "read_parquet" if path.exists() else "read_csv"
        path = path if path.exists() else folder / f"{spec.name}.csv"
        if path.exists():
            con.execute(f"CREATE TABLE {spec.name} AS SELECT * FROM {reader}(?)", [str(path)])
    con.close()
    return time.perf_counter() - started


def _synth_fingerprint(scale: str) -> str:
    """What the synthetic lab is made from: the generator's code, its reference data, scale and seed."""
    from dashboard import synth

    digest = hashlib.sha256()
    for path in (Path(synth.__file__), synth.PUBLIC_REFERENCE):
        digest.update(path.read_bytes())
    return json.dumps({"scale": scale, "seed": synth.DEFAULT_SEED, "sha256": digest.hexdigest()})


def _most_descendants(models: pd.DataFrame) -> str:
    children = models.groupby("parent_model_id")["model_id"].apply(list).to_dict()

    def count(model_id: str) -> int:
        return sum(1 + count(child) for child in children.get(model_id, []))

    return max(models["model_id"], key=lambda model_id: (count(model_id), model_id))


def ensure_synth(scale: str, say=print) -> Path:
    """data/synth/<scale>/, built (again) unless it was written by this version of the generator."""
    from dashboard import synth

    folder = REPO_ROOT / "data" / "synth" / scale
    marker = folder / ".generated-by"
    fingerprint = _synth_fingerprint(scale)
    if not marker.is_file() or marker.read_text() != fingerprint:
        # Missing, or written by another version of the generator: figures must describe this one.
        say(f"building the synthetic lab (scale {scale}) in {folder} ...")
        if folder.exists():
            shutil.rmtree(folder)
        synth.generate(scale, folder, progress=say)
        marker.write_text(fingerprint)
    return folder


def run(scale: str, *, browser: bool = False, repeats: int = 3, say=print) -> dict:
    folder = ensure_synth(scale, say=say)
    store = REPO_ROOT / "data" / "synth" / f"{scale}.duckdb"
    results: dict = {"scale": scale, "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                                                 f"DuckDB {duckdb.__version__}"}

    say("ingest ...")
    seconds, rows = [], 0
    for _ in range(repeats):
        result = ingest(folder, store, progress=lambda _: None, dataset=f"synthetic-{scale}")
        seconds.append(result.seconds)
        rows = result.total_rows
    baseline_seconds, floor_seconds = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for index in range(repeats):
            baseline_seconds.append(_pandas_baseline(folder, Path(scratch) / f"baseline-{index}.duckdb"))
            floor_seconds.append(_duckdb_floor(folder, Path(scratch) / f"floor-{index}.duckdb"))
    results["rows"] = rows
    results["ingest_rows_per_s"] = round(rows / statistics.median(seconds))
    results["baseline_ingest_rows_per_s"] = round(rows / statistics.median(baseline_seconds))
    results["floor_ingest_rows_per_s"] = round(rows / statistics.median(floor_seconds))

    say("queries ...")
    snap = Snapshot(snapshot_key(store))
    info = snap.query("snapshot_info").iloc[0]
    as_of = info["snapshot_date"]
    models = snap.query("models")
    target = _most_descendants(models)
    level = int(models.set_index("model_id").loc[target, "asl_level"]) + 1
    results["status_ms"] = _median_ms(lambda: snap.query("status", as_of=as_of, policy_id=None), 7)
    results["at_risk_ms"] = _median_ms(
        lambda: snap.query("at_risk", model_id=target, asl_level=level, domain="cbrn", as_of=as_of), 7)
    results["at_risk_model"] = target
    longest = snap.query("status", as_of=as_of, policy_id=None).sort_values("c_now", ascending=False)["model_id"].iloc[0]

    say("pages ...")
    plan = {"repeats": 5, "pages": {
        "overview": {"page": None, "params": {}},
        "trajectory": {"page": "app_pages/trajectory.py", "params": {"model": longest}},
        "reclassify": {"page": "app_pages/reclassify.py", "params": {"model": target, "asl": str(level), "domain": "cbrn"}},
    }}
    with tempfile.TemporaryDirectory() as scratch:
        plan["baseline_payload"] = str(Path(scratch) / "baseline.pickle")
        plan_path = Path(scratch) / "plan.json"
        plan_path.write_text(json.dumps(plan))
        output = subprocess.run([sys.executable, "-m", "bench.pages", str(store), str(plan_path)],
                                capture_output=True, text=True, cwd=REPO_ROOT)
        if output.returncode != 0:
            raise RuntimeError(f"page benchmark failed:\n{output.stderr[-3000:]}")
        results.update(json.loads(output.stdout.strip().splitlines()[-1]))
        if browser:
            say("browser ...")
            results.update(_browser(store, plan))
    return results


def _browser(store: Path, plan: dict) -> dict:
    import urllib.parse

    from playwright.sync_api import sync_playwright

    from bench.server import CHROMIUM_ARGS, StreamlitServer, chromium_path, wait_for_app

    paths = {"overview": "/", "trajectory": "/trajectory", "reclassify": "/reclassify"}
    timings: dict[str, list[float]] = {name: [] for name in [*paths, "baseline"]}
    # The baseline page has its own entry script and server: the app a viewer reaches has no bench hook.
    with StreamlitServer(store) as server, \
            StreamlitServer(store, app=BASELINE_APP, extra_env={"ASL_BENCH_BASELINE": plan["baseline_payload"]}) as baseline, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        urls = {name: server.url + path + ("?" + urllib.parse.urlencode(plan["pages"][name]["params"])
                                          if plan["pages"][name]["params"] else "") for name, path in paths.items()}
        urls["baseline"] = baseline.url + "/"
        for _round in range(4):
            for name, url in urls.items():
                started = time.perf_counter()
                page.goto(url)
                wait_for_app(page, timeout_ms=120000)
                page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')]"
                                       ".every(plot => plot.querySelector('.main-svg'))", timeout=120000)
                if _round:  # the first round warms the server and the browser cache
                    timings[name].append(time.perf_counter() - started)
        browser.close()
    return {"browser_ms": {name: round(statistics.median(values) * 1000, 1) for name, values in timings.items()
                           if name != "baseline"},
            "baseline_browser_ms": round(statistics.median(timings["baseline"]) * 1000, 1)}


def verdicts(results: dict) -> list[tuple[str, str, bool]]:
    """(figure, measured against target, met) for every target."""
    rows = [
        ("status", f"{results['status_ms']} ms <= {TARGETS['status_ms']} ms", results["status_ms"] <= TARGETS["status_ms"]),
        ("at-risk", f"{results['at_risk_ms']} ms <= {TARGETS['at_risk_ms']} ms", results["at_risk_ms"] <= TARGETS["at_risk_ms"]),
        ("ingest", f"{results['ingest_rows_per_s']:,} rows/s >= {TARGETS['ingest_rows_per_s']:,} and >= "
                   f"{TARGETS['ingest_to_pandas']} x pandas {results['baseline_ingest_rows_per_s']:,}",
         results["ingest_rows_per_s"] >= TARGETS["ingest_rows_per_s"]
         and results["ingest_rows_per_s"] >= TARGETS["ingest_to_pandas"] * results["baseline_ingest_rows_per_s"]),
        ("peak memory", f"{results['peak_rss_mb']} MB <= {TARGETS['peak_rss_mb']} MB", results["peak_rss_mb"] <= TARGETS["peak_rss_mb"]),
    ]
    for name, warm in results["page_ms"].items():
        ratio = warm / results["baseline_page_ms"]
        rows.append((f"{name} warm", f"{warm} ms = {ratio:.2f} x baseline {results['baseline_page_ms']} ms (<= 1.5 x)",
                     ratio <= TARGETS["page_warm_ratio"]))
        cold = results["page_cold_ms"][name]
        rows.append((f"{name} cold", f"{cold} ms <= {TARGETS['page_cold_ms']} ms", cold <= TARGETS["page_cold_ms"]))
        size = results["chart_bytes"][name]
        rows.append((f"{name} chart data", f"{size:,} bytes <= {TARGETS['chart_bytes']:,}", size <= TARGETS["chart_bytes"]))
    for name, value in results.get("browser_ms", {}).items():
        ratio = value / results["baseline_browser_ms"]
        rows.append((f"{name} in the browser", f"{value} ms = {ratio:.2f} x baseline {results['baseline_browser_ms']} ms (<= 1.3 x)",
                     ratio <= TARGETS["browser_ratio"]))
    return rows


def report(results: dict) -> str:
    judged = results["scale"] == "l"  # the targets are set at scale l; other scales are for reference
    lines = [f"Benchmark at scale {results['scale']} ({results['rows']:,} rows) on {results['machine']}"]
    if not judged:
        lines.append("The targets apply at scale l; here they are shown for reference.")
    lines.append("")
    width = max(len(name) for name, _, _ in verdicts(results))
    for name, text, met in verdicts(results):
        verdict = "ok" if met else ("MISSED" if judged else "(not met; target is for scale l)")
        lines.append(f"  {name:<{width}}  {text}  {verdict}")
    lines.extend(ingest_ratios(results))
    return "\n".join(lines)


def ingest_ratios(results: dict) -> list[str]:
    """The ingest against pandas and against the floor (DuckDB's plain copy of the same files)."""
    ingest_rate, pandas_rate = results["ingest_rows_per_s"], results["baseline_ingest_rows_per_s"]
    lines = [f"  ingest {ingest_rate:,} rows/s = {ingest_rate / pandas_rate:.2f} x pandas {pandas_rate:,} rows/s"]
    floor = results.get("floor_ingest_rows_per_s")
    if floor:
        lines.append(f"  floor: DuckDB's plain copy of the same files (no validation) {floor:,} rows/s; "
                     f"the ingest runs at {ingest_rate / floor:.2f} x the floor")
    return lines


KEYS = ["ingest_rows_per_s", "baseline_ingest_rows_per_s", "floor_ingest_rows_per_s", "status_ms", "at_risk_ms", "page_ms", "page_cold_ms",
        "baseline_page_ms", "chart_bytes", "peak_rss_mb", "browser_ms", "baseline_browser_ms"]


def json_line(results: dict) -> str:
    return json.dumps({key: results[key] for key in KEYS if key in results} | {
        "scale": results["scale"], "rows": results["rows"], "at_risk_model": results["at_risk_model"],
        "elements": results.get("elements"), "baseline_elements": results.get("baseline_elements")})
