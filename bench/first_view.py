"""`asl-dashboard bench --first-view`: the overview as the first page of a pasted link, opened in a new
browser (a fresh Chromium context: empty cache, no cookies), beside the baseline page (bench/baseline_app.py,
the same elements from precomputed data: the Streamlit floor), on the demo data and on the synthetic lab.

For each of `starts` server starts (the app's and the baseline's servers started together), in this
order, app and baseline taking turns:

- after_start: the first viewer after the server started;
- new_browser: `views` new browsers, one after another, on the warm server;
- cache_warm: one browser that has the page cached, reloading it `views` times (for reference);
- after_snapshot: `views` times, the folder is published again as a new snapshot, with one model
  renamed (content equal to the latest would publish nothing, and the app's caches keyed on the old
  snapshot's id would still serve it), then a new browser opens the link; the baseline page reads no
  snapshot, so its figure at that moment is a new browser's. As many views as a new browser's, so
  neither median rests on one view per start.

A view is timed in the page, from navigation start until the app is connected, its script run has
finished (its charts are there and it is not running), no element is still loading and every chart is drawn (performance.now(), so the harness's
own polling adds nothing). Each view also records what went over the wire: the static assets (count,
bytes) and the websocket (when it opened, its last message, bytes), and the CPU time of the page's
renderer process and main thread (Chromium's Performance metrics ProcessTime and ThreadTime), which
depend far less than the wall time on how busy the shared machine is. Medians per phase; the ratio of
the app to the baseline is taken in the same run. The machine's load average is recorded before and
after, as the figures depend on it.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.snapshots import lab_variant
from dashboard.ingest import ingest
from dashboard.sqlfiles import REPO_ROOT
from dashboard.store import DEMO_DIR

PHASES = ("after_start", "new_browser", "cache_warm", "after_snapshot")
JUDGED = ("after_start", "new_browser", "after_snapshot")  # a pasted link in a new browser
TARGET_RATIO = 1.2  # the app's first view against the floor's
VIEWPORT = {"width": 1400, "height": 1000}

# Recorded in the page from its first script on: the websocket's traffic, and the first moment the
# page is drawn (reset if a rerun starts again), on a 10 ms tick. Drawn needs the run's charts, not a
# tick that saw the run going: a busy page's ticks can miss a short run altogether (it then waited forever).
_MARKS = """
(() => {
  const m = window.__firstView = {wsOpen: null, wsLast: null, wsBytes: 0, drawn: null};
  const Native = window.WebSocket;
  function Recording(...args) {
    const socket = new Native(...args);
    socket.addEventListener('open', () => { m.wsOpen = performance.now(); });
    socket.addEventListener('message', (event) => {
      m.wsLast = performance.now();
      m.wsBytes += event.data.byteLength || event.data.size || event.data.length || 0;
    });
    return socket;
  }
  Recording.prototype = Native.prototype;
  Object.assign(Recording, Native);
  window.WebSocket = Recording;
  setInterval(() => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app) return;
    const state = app.dataset.testScriptState;
    const plots = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
    const drawn = state === 'notRunning' && app.dataset.testConnectionState === 'CONNECTED'
      && !document.querySelector('[data-testid=stSkeleton]') && plots.length > 0
      && plots.every((plot) => plot.querySelector('.main-svg'));
    if (!drawn) m.drawn = null;
    else if (m.drawn === null) m.drawn = performance.now();
  }, 10);
})();
"""
_SETTLED = "() => window.__firstView && window.__firstView.drawn !== null && performance.now() - window.__firstView.drawn > 500"
_FIGURES = """() => {
  const m = window.__firstView;
  const assets = performance.getEntriesByType('resource');
  return {ms: m.drawn, ws_open_ms: m.wsOpen, ws_last_ms: m.wsLast, ws_bytes: m.wsBytes, resources: assets.length,
          resource_bytes: assets.reduce((sum, entry) => sum + entry.transferSize, 0)};
}"""


def _view(context, url: str, timeout_ms: float) -> dict:
    page = context.new_page()
    try:
        devtools = context.new_cdp_session(page)
        devtools.send("Performance.enable")
        page.goto(url, timeout=timeout_ms)
        page.wait_for_function(_SETTLED, timeout=timeout_ms)
        figures = page.evaluate(_FIGURES)
        # CPU time of the page's renderer process and of its main thread, in seconds since the page
        # opened: unlike the time to drawn, it hardly depends on how busy the shared machine is.
        metrics = {metric["name"]: metric["value"] for metric in devtools.send("Performance.getMetrics")["metrics"]}
        figures["renderer_cpu_ms"] = metrics.get("ProcessTime", float("nan")) * 1000
        figures["main_thread_cpu_ms"] = metrics.get("ThreadTime", float("nan")) * 1000
        return figures
    finally:
        page.close()


def _new_context(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(_MARKS)
    return context


def _in_new_browser(browser, url: str, timeout_ms: float) -> dict:
    context = _new_context(browser)
    try:
        return _view(context, url, timeout_ms)
    finally:
        context.close()


def median_figures(views: list[dict]) -> dict:
    """Per figure, the median over the views (ms rounded to 0.1, counts and bytes to whole numbers)."""
    if not views:
        return {}
    medians = {}
    for key in views[0]:
        value = statistics.median(view[key] for view in views)
        medians[key] = round(value, 1) if key.endswith("_ms") or key == "ms" else round(value)
    return medians


def measure(app_server, baseline_server, browser, publish, *, views: int = 3, timeout_ms: float = 300_000) -> dict:
    """One server start's views: {"app": {phase: [view, ...]}, "baseline": {...}}. publish(): a new snapshot."""
    urls = {"app": app_server.url + "/", "baseline": baseline_server.url + "/"}
    seen: dict[str, dict[str, list]] = {name: {phase: [] for phase in PHASES} for name in urls}
    for name in urls:  # each server's first viewer, before either has served anyone
        seen[name]["after_start"].append(_in_new_browser(browser, urls[name], timeout_ms))
    for _ in range(views):
        for name, url in urls.items():
            seen[name]["new_browser"].append(_in_new_browser(browser, url, timeout_ms))
    for name, url in urls.items():
        context = _new_context(browser)
        try:
            _view(context, url, timeout_ms)  # fills this browser's cache
            seen[name]["cache_warm"] = [_view(context, url, timeout_ms) for _ in range(views)]
        finally:
            context.close()
    for _ in range(views):
        publish()
        for name, url in urls.items():
            seen[name]["after_snapshot"].append(_in_new_browser(browser, url, timeout_ms))
    return seen


def ratios(figures: dict) -> dict:
    """The app's median time per phase over the baseline's, measured in the same run."""
    return {phase: round(figures["app"][phase]["ms"] / figures["baseline"][phase]["ms"], 2)
            for phase in PHASES if figures["app"].get(phase) and figures["baseline"].get(phase)}


def publish_variant(published: list[Path], store: Path, scratch: Path, dataset: str):
    """Publish a new snapshot: a variant of the last folder published (published[-1], one policy renamed
    once more), so new content each time (an ingest equal to the latest publishes nothing, and the
    app's caches keyed on the latest snapshot's id would still serve it). Appends the variant."""
    published.append(lab_variant(published[-1], scratch / f"variant-{len(published)}"))
    outcome = ingest(published[-1], store, progress=lambda _: None, dataset=dataset)
    if outcome.unchanged:
        raise RuntimeError(f"the variant {published[-1]} published no new snapshot")
    return outcome


def _baseline_payload(store: Path, scratch: Path) -> str:
    """The pickle the baseline page draws: the overview's own elements, as bench/pages.py builds it."""
    plan = {"repeats": 1, "pages": {"overview": {"page": None, "params": {}}},
            "baseline_payload": str(scratch / "baseline.pickle")}
    plan_path = scratch / "plan.json"
    plan_path.write_text(json.dumps(plan))
    output = subprocess.run([sys.executable, "-m", "bench.pages", str(store), str(plan_path)],
                            capture_output=True, text=True, cwd=REPO_ROOT)
    if output.returncode != 0:
        raise RuntimeError(f"baseline payload failed:\n{output.stderr[-3000:]}")
    return plan["baseline_payload"]


def run_lab(name: str, folder: Path, *, starts: int = 3, views: int = 3, say=print) -> dict:
    """The first view on one lab (a folder of the input contract), starts server starts."""
    from playwright.sync_api import sync_playwright

    from bench.server import CHROMIUM_ARGS, StreamlitServer, chromium_path

    load_before = os.getloadavg()
    # Beside the lab: its variants hard-link the lab's files (bench.snapshots.lab_variant).
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch_name:
        scratch = Path(scratch_name)
        store = scratch / f"{name}.duckdb"
        say(f"first view ({name}): publishing {folder} ...")
        ingest(folder, store, progress=lambda _: None, dataset=f"first-view-{name}")
        payload = _baseline_payload(store, scratch)
        seen: dict[str, dict[str, list]] = {"app": {phase: [] for phase in PHASES},
                                            "baseline": {phase: [] for phase in PHASES}}
        published = [folder]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                for start in range(starts):
                    say(f"first view ({name}): server start {start + 1} of {starts} ...")
                    with StreamlitServer(store, start_timeout=300) as app_server, \
                            StreamlitServer(store, app=REPO_ROOT / "bench" / "baseline_app.py", start_timeout=300,
                                            extra_env={"ASL_BENCH_BASELINE": payload}) as baseline_server:
                        one = measure(app_server, baseline_server, browser,
                                      lambda: publish_variant(published, store, scratch, f"first-view-{name}"),
                                      views=views)
                    for target, phases in one.items():
                        for phase, figures in phases.items():
                            seen[target][phase].extend(figures)
            finally:
                browser.close()
    figures = {target: {phase: median_figures(values) for phase, values in phases.items()}
               for target, phases in seen.items()}
    return {**figures, "ratio": ratios(figures), "starts": starts, "views": views,
            "load": [round(load_before[0], 2), round(os.getloadavg()[0], 2)]}


def run(scale: str = "m", *, starts: int = 3, views: int = 3, say=print) -> dict:
    """The demo data and the synthetic lab at scale, one after the other."""
    from bench.run import ensure_synth

    labs = {"demo": DEMO_DIR, scale: ensure_synth(scale, say=say)}
    started = time.time()
    results = {"first_view": {name: run_lab(name, folder, starts=starts, views=views, say=say)
                              for name, folder in labs.items()}}
    results["seconds"] = round(time.time() - started)
    return results


def verdicts(results: dict) -> list[tuple[str, str, bool]]:
    """(figure, measured against target, met): each judged phase of each lab within TARGET_RATIO of the floor."""
    rows = []
    for lab, figures in results["first_view"].items():
        for phase in JUDGED:
            if phase not in figures["ratio"]:
                continue
            app, floor = figures["app"][phase]["ms"], figures["baseline"][phase]["ms"]
            ratio = figures["ratio"][phase]
            rows.append((f"{lab} {phase.replace('_', ' ')}",
                         f"{app:,.0f} ms = {ratio:.2f} x floor {floor:,.0f} ms (<= {TARGET_RATIO} x)",
                         ratio <= TARGET_RATIO))
    return rows


def report(results: dict) -> str:
    lines = ["The overview as the first page of a pasted link, in a new browser, against the bare baseline page"]
    for lab, figures in results["first_view"].items():
        load = figures["load"]
        lines.append(f"\n{lab}: medians over {figures['starts']} server starts, {figures['views']} views each; "
                     f"load average {load[0]:.1f} before, {load[1]:.1f} after")
        lines.append(f"  {'phase':<15} {'app ms':>9} {'floor ms':>9} {'ratio':>6}   app: renderer CPU ms (main thread) "
                     "against the floor's; ws open / last message ms, assets (count, bytes), ws bytes")
        for phase in PHASES:
            app, floor = figures["app"].get(phase), figures["baseline"].get(phase)
            if not app or not floor:
                continue
            lines.append(f"  {phase:<15} {app['ms']:>9,.0f} {floor['ms']:>9,.0f} {figures['ratio'][phase]:>5.2f}x"
                         f"   CPU {app['renderer_cpu_ms']:,.0f} ({app['main_thread_cpu_ms']:,.0f}) against "
                         f"{floor['renderer_cpu_ms']:,.0f} ({floor['main_thread_cpu_ms']:,.0f});"
                         f" {app['ws_open_ms']:,.0f} / {app['ws_last_ms']:,.0f}, {app['resources']} assets "
                         f"{app['resource_bytes']:,} B, ws {app['ws_bytes']:,} B"
                         f" (floor {floor['resources']} assets {floor['resource_bytes']:,} B, ws {floor['ws_bytes']:,} B)")
    lines.append("")
    width = max((len(name) for name, _, _ in verdicts(results)), default=0)
    for name, text, met in verdicts(results):
        lines.append(f"  {name:<{width}}  {text}  {'ok' if met else 'MISSED'}")
    return "\n".join(lines)


def json_line(results: dict) -> str:
    return json.dumps(results)
