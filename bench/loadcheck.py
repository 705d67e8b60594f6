"""Refresh under load: browser sessions read every page while new snapshots are published.

`python scripts/refresh_under_load.py` runs the full version (8 sessions, 20 snapshots); the tests
run a smaller one. Two input folders alternate: the second is the first plus one probe model whose
checkpoint is dated a day later, so the snapshot date and the model count change with every
publish. A session fails the check when a page shows an exception, an error message, a lock or busy
message, or mixed data (the model count on the overview does not belong to the snapshot date in
its header).
"""
from __future__ import annotations

import asyncio
import csv
import datetime as dt
import re
import shutil
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.ingest import ingest
from bench.server import CHROMIUM_ARGS, StreamlitServer, chromium_path

PAGES = ("/", "/trajectory?model={model}", "/reclassify?model={model}&asl={level}")
_SNAPSHOT_DATE = re.compile(r"snapshot (?:[0-9TZa-f-]+, )?of (\d{4}-\d{2}-\d{2})")  # the header: "snapshot ID, of DATE"


def make_variant(source: Path, target: Path, probe_day: dt.date) -> None:
    """source plus one probe model with a checkpoint on probe_day (a later snapshot date)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    with open(target / "models.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, first = reader.fieldnames, next(reader)
    probe = dict.fromkeys(columns, "")
    probe.update(model_id="refresh-probe", name="Refresh probe", family=first["family"], derivation="pretrain",
                 asl_level=first["asl_level"], policy_id=first["policy_id"], status="training")
    with open(target / "models.csv", "a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=columns, lineterminator="\n").writerow(probe)
    with open(target / "checkpoints.csv", newline="", encoding="utf-8") as handle:
        columns = csv.DictReader(handle).fieldnames
    row = dict.fromkeys(columns, "")
    row.update(model_id="refresh-probe", step="1", recorded_at=f"{probe_day.isoformat()}T12:00:00",
               training_flop="1e22", effective_compute="1e22")
    with open(target / "checkpoints.csv", "a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=columns, lineterminator="\n").writerow(row)


@dataclass
class LoadResult:
    sessions: int
    page_loads: int = 0
    snapshots_published: int = 0
    errors: list[str] = field(default_factory=list)
    page_seconds: list[float] = field(default_factory=list)
    final_dates_seen: set[str] = field(default_factory=set)

    def percentile(self, q: float) -> float:
        if not self.page_seconds:
            return float("nan")
        ordered = sorted(self.page_seconds)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def report(self) -> str:
        return (f"sessions {self.sessions}, page loads {self.page_loads}, snapshots published "
                f"{self.snapshots_published}, errors {len(self.errors)}, page time p50 {self.percentile(0.5):.2f} s, "
                f"p95 {self.percentile(0.95):.2f} s (median of {len(self.page_seconds)} loads "
                f"{statistics.median(self.page_seconds) if self.page_seconds else float('nan'):.2f} s)")


async def _session(browser, server_url: str, index: int, paths: list[str], stop: threading.Event,
                   expected_models: dict[str, int], result: LoadResult, final_date: str) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    turn = index  # sessions start on different pages
    finishing_round = None
    try:
        while True:
            path = paths[turn % len(paths)]
            turn += 1
            started = time.perf_counter()
            await page.goto(server_url + path)
            await page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=60000)
            await page.wait_for_timeout(200)
            await page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60000)
            result.page_seconds.append(time.perf_counter() - started)
            result.page_loads += 1
            text = await page.locator("[data-testid='stMain']").inner_text()
            if await page.locator("[data-testid='stException']").count():
                result.errors.append(f"session {index} {path}: exception shown")
            for alert in await page.locator("[data-testid='stAlertContentError']").all_inner_texts():
                result.errors.append(f"session {index} {path}: error message: {alert[:120]}")
            lowered = text.lower()
            if "lock" in lowered and "conflicting lock" in lowered or "connection is busy" in lowered:
                result.errors.append(f"session {index} {path}: lock message")
            match = _SNAPSHOT_DATE.search(text)
            if not match:
                result.errors.append(f"session {index} {path}: no snapshot date in the header")
                continue
            date = match.group(1)
            if path == "/":
                shown_models = await _model_count(page)
                if shown_models is not None and shown_models != expected_models.get(date):
                    result.errors.append(f"session {index}: mixed data: {shown_models} models under snapshot {date}")
            if stop.is_set():
                if finishing_round is None:
                    finishing_round = 0
                finishing_round += 1
                if finishing_round >= len(paths):
                    if date != final_date:
                        result.errors.append(f"session {index} {path}: still shows {date} after {final_date} was published")
                    result.final_dates_seen.add(date)
                    break
    finally:
        await context.close()


async def _model_count(page) -> int | None:
    values = await page.locator("[data-testid='stMetricValue']").all_inner_texts()
    if len(values) < 6:
        return None
    return sum(int(value) for value in values[:6])


def run(source: Path, workdir: Path, *, sessions: int = 8, snapshots: int = 20, interval: float = 1.0,
        model: str | None = None, level: int = 4, say=print) -> LoadResult:
    """Publish `snapshots` snapshots while `sessions` browser sessions read every page."""
    from playwright.async_api import async_playwright

    from dashboard.store import snapshot
    from dashboard.questions.snapshot import ViewScope, snapshot_date
    from dashboard.questions.status import status_frame

    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / "load.duckdb"
    base_date = None
    folders = [workdir / "a", workdir / "b"]
    if folders[0].exists():
        shutil.rmtree(folders[0])
    shutil.copytree(source, folders[0])
    ingest(folders[0], store, progress=lambda _: None, dataset="load-a")
    snap = snapshot(store)
    base_date = snapshot_date(snap)
    count_a = len(status_frame(snap, ViewScope(base_date, None, True)))
    probe_day = base_date + dt.timedelta(days=1)
    make_variant(folders[0], folders[1], probe_day)
    expected = {base_date.isoformat(): count_a, probe_day.isoformat(): count_a + 1}
    model = model or snap.query("models")["model_id"].iloc[0]
    paths = [path.format(model=model, level=level) for path in PAGES]
    final_folder = folders[(snapshots - 1) % 2]
    final_date = (probe_day if final_folder == folders[1] else base_date).isoformat()
    result = LoadResult(sessions=sessions)
    stop = threading.Event()

    def publisher() -> None:
        for number in range(snapshots):
            time.sleep(interval)
            folder = folders[number % 2]
            ingest(folder, store, progress=lambda _: None, dataset=f"load-{folder.name}")
            result.snapshots_published += 1
            say(f"published snapshot {number + 1}/{snapshots} ({folder.name})")
        stop.set()

    async def readers(server_url: str) -> None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                await asyncio.gather(*[_session(browser, server_url, index, paths, stop, expected, result, final_date)
                                       for index in range(sessions)])
            finally:
                await browser.close()

    with StreamlitServer(store, log_path=workdir / "streamlit.log") as server:
        thread = threading.Thread(target=publisher, daemon=True)
        thread.start()
        asyncio.run(readers(server.url))
        thread.join()
    return result
