"""`asl-dashboard bench --corrections --scale m|l`: the corrections between two snapshots of the
synthetic lab that differ in 1% of checkpoints (their training FLOP) and 5% of evaluations (their
outcome), against the targets: at most 15 s and 2 GB peak memory at scale l.

Builds (or reuses) data/synth/<scale>/ (bench/run.py ensure_synth), writes the corrected copy beside
it, publishes both into a store of their own (data/synth/corrections-<scale>/asl.duckdb: snapshot A,
then B), and measures in a fresh process per run (so its peak resident memory is the diff's own):
the row changes of every table, the consequences as of A's date, and both together."""
from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bench.run import ensure_synth
from dashboard.ingest import ingest
from dashboard.questions import corrections as corrections_questions
from dashboard.questions import snapshot as snapshot_questions
from dashboard.snapshots import list_snapshots, make_snapshot_id
from dashboard.sqlfiles import REPO_ROOT

TARGETS = {"seconds": 15.0, "peak_rss_mb": 2048}
CHECKPOINT_SHARE, EVALUATION_SHARE = 0.01, 0.05
SEED = 20261207


def corrected_copy(source: Path, target: Path) -> dict[str, int]:
    """source's files in target, with the training FLOP of 1% of checkpoints raised by 1% (effective
    compute untouched, so it still never decreases) and the outcome of 5% of evaluations flipped."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    rng = np.random.default_rng(SEED)
    checkpoints = pq.read_table(source / "checkpoints.parquet")
    picked = rng.random(checkpoints.num_rows) < CHECKPOINT_SHARE
    flop = checkpoints.column("training_flop")
    raised = pc.if_else(pa.array(picked), pc.multiply(pc.cast(flop, pa.float64()), 1.01), pc.cast(flop, pa.float64()))
    pq.write_table(checkpoints.set_column(checkpoints.schema.get_field_index("training_flop"), "training_flop",
                                          pc.cast(raised, flop.type)), target / "checkpoints.parquet")
    evaluations = pq.read_table(source / "evaluations.parquet")
    flipped = rng.random(evaluations.num_rows) < EVALUATION_SHARE
    outcome = evaluations.column("outcome")
    new_outcome = pc.if_else(pc.equal(outcome, "triggered"), "below_threshold", "triggered")
    pq.write_table(evaluations.set_column(evaluations.schema.get_field_index("outcome"), "outcome",
                                          pc.if_else(pa.array(flipped), new_outcome, outcome)),
                   target / "evaluations.parquet")
    return {"checkpoints": int(picked.sum()), "evaluations": int(flipped.sum()),
            "checkpoint_rows": checkpoints.num_rows, "evaluation_rows": evaluations.num_rows}


def _publish_after(store: Path, folder: Path, previous: str | None, say) -> str:
    """Publish folder into store in a later second than previous (ids sort by their second)."""
    while previous and make_snapshot_id(dt.datetime.now(dt.timezone.utc), "0" * 8)[:16] <= previous[:16]:
        time.sleep(0.1)
    return ingest(folder, store, progress=say, dataset=folder.name).snapshot_id


def prepare(scale: str, say=print) -> tuple[Path, str, str, dict]:
    source = ensure_synth(scale, say=say)
    work = REPO_ROOT / "data" / "synth" / f"corrections-{scale}"
    store = work / "asl.duckdb"
    marker = work / "pair.json"
    fingerprint = (source / ".generated-by").read_text()
    if marker.is_file():
        saved = json.loads(marker.read_text())
        kept = {entry.snapshot_id for entry in list_snapshots(store)}
        if saved["fingerprint"] == fingerprint and {saved["older"], saved["newer"]} <= kept:
            return store, saved["older"], saved["newer"], saved["changed"]
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    say(f"writing the corrected copy of scale {scale} ...")
    changed = corrected_copy(source, work / f"{scale}-corrected")
    say("publishing snapshot A ...")
    older = _publish_after(store, source, None, say)
    say("publishing snapshot B ...")
    newer = _publish_after(store, work / f"{scale}-corrected", older, say)
    shutil.rmtree(work / f"{scale}-corrected")
    marker.write_text(json.dumps({"fingerprint": fingerprint, "older": older, "newer": newer, "changed": changed}))
    return store, older, newer, changed


def measure_once(store: Path, older: str, newer: str) -> dict:
    """In this process: open the pair, time the row changes and the consequences, peak memory."""
    started, cpu_started = time.perf_counter(), time.process_time()
    pair = corrections_questions.open_pair(store, older, newer)
    rows = corrections_questions.row_changes(pair)
    rows_s = time.perf_counter() - started
    as_of = snapshot_questions.snapshot_date(pair.older)
    consequences = corrections_questions.consequences(pair, as_of, None)
    total_s = time.perf_counter() - started
    return {"rows_s": round(rows_s, 2), "total_s": round(total_s, 2), "consequences_s": round(total_s - rows_s, 2),
            "cpu_s": round(time.process_time() - cpu_started, 2), "load_1min": round(os.getloadavg()[0], 1),
            "row_changes": len(rows), "models_moved": len(consequences),
            "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> int:
    """This process's peak resident memory since it started: VmHWM (ru_maxrss would also count the
    parent's peak before exec, here the ingest that published the snapshots)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def run(scale: str, *, repeats: int = 3, say=print) -> dict:
    store, older, newer, changed = prepare(scale, say=say)
    runs = []
    for number in range(repeats):
        say(f"measuring run {number + 1} of {repeats} ...")
        child = subprocess.run(
            [sys.executable, "-c", "import json, sys; from pathlib import Path; from bench.corrections import measure_once; "
             "print(json.dumps(measure_once(Path(sys.argv[1]), sys.argv[2], sys.argv[3])))", str(store), older, newer],
            cwd=REPO_ROOT, capture_output=True, text=True, check=True)
        runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
    results = {key: round(statistics.median(run[key] for run in runs), 2)
               for key in ("rows_s", "consequences_s", "total_s", "cpu_s", "load_1min", "peak_rss_mb")}
    results.update(scale=scale, older=older, newer=newer, changed=changed, runs=runs,
                   row_changes=runs[-1]["row_changes"], models_moved=runs[-1]["models_moved"],
                   snapshot_mb=round(store.stat().st_size / 2**20))
    return results


def report(results: dict) -> str:
    judged = results["scale"] == "l"
    changed = results["changed"]
    lines = [f"Corrections at scale {results['scale']}: snapshot {results['older']} -> {results['newer']} "
             f"({results['snapshot_mb']} MB each), {changed['checkpoints']:,} of {changed['checkpoint_rows']:,} "
             f"checkpoints and {changed['evaluations']:,} of {changed['evaluation_rows']:,} evaluations changed; "
             f"{results['row_changes']:,} row changes listed, {results['models_moved']} models' status moved "
             f"(median of {len(results['runs'])} runs, each in a fresh process)"]
    if not judged:
        lines.append("The targets apply at scale l; here they are shown for reference.")
    for name, value, unit, target in (
            ("time, both parts", results["total_s"], "s", TARGETS["seconds"]),
            ("peak memory", results["peak_rss_mb"], "MB", TARGETS["peak_rss_mb"])):
        met = value <= target
        verdict = "ok" if met else ("MISSED" if judged else "(not met; target is for scale l)")
        lines.append(f"  {name:<18} {value:g} {unit} <= {target:g} {unit}: ratio {value / target:.2f}  {verdict}")
    lines.append(f"  (row changes {results['rows_s']} s, consequences {results['consequences_s']} s; CPU time of the "
                 f"process {results['cpu_s']} s on {os.cpu_count()} cores; load average {results['load_1min']} "
                 "while it ran: on a shared machine the time waits for the CPU)")
    return "\n".join(lines)
