"""`asl-dashboard bench --snapshots --scale m|l`: the snapshot history (DESIGN 11) at scale.

Two snapshots of the synthetic lab are published into a scratch store (the second with one policy's
name changed, so its content differs); then each is opened cold, in a new process each time (no
cache of any kind in the process: the store opened, the overview's status question asked), the
older one by id from the history folder and the latest as the store itself, alternating, median of
`repeats`. Target: both within 2 s, and the ratio old / latest is printed. Disk: each snapshot's
file size and blocks, and the history folder's total (the latest is a hard link of the store).
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

import pandas as pd

from dashboard.ingest import ingest
from dashboard.sqlfiles import REPO_ROOT

TARGET_S = 2.0


def lab_variant(folder: Path, target: Path) -> Path:
    """The lab folder with one policy renamed: every other file a hard link (no copy of the big ones)."""
    target.mkdir()
    for path in folder.iterdir():
        if path.name == "policies.parquet":
            policies = pd.read_parquet(path)
            policies.loc[0, "name"] = str(policies.loc[0, "name"]) + " (corrected)"
            policies.to_parquet(target / path.name, index=False)
        elif path.name == "policies.csv":
            policies = pd.read_csv(path, dtype=str, keep_default_na=False)
            policies.loc[0, "name"] = policies.loc[0, "name"] + " (corrected)"
            policies.to_csv(target / path.name, index=False)
        elif path.is_file() and not path.name.startswith("."):
            os.link(path, target / path.name)
    return target


def open_cold(store: Path, snapshot_id: str | None) -> float:
    """Seconds to open the snapshot and answer the overview's status question, in a new process."""
    output = subprocess.run([sys.executable, "-m", "bench.snapshots", str(store), snapshot_id or ""],
                            capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    return float(output.stdout.strip().splitlines()[-1])


def run(scale: str, *, repeats: int = 3, say=print) -> dict:
    from bench.run import ensure_synth

    folder = ensure_synth(scale, say=say)
    results: dict = {"scale": scale}
    with tempfile.TemporaryDirectory(dir=REPO_ROOT / "data" / "synth") as scratch:
        store = Path(scratch) / "asl.duckdb"
        say("ingest: snapshot A ...")
        first = ingest(folder, store, progress=lambda _: None, dataset=f"synthetic-{scale}")
        say("ingest: the same data again ...")
        again = ingest(folder, store, progress=lambda _: None, dataset=f"synthetic-{scale}")
        results["unchanged_ingest_added_none"] = again.unchanged
        say("ingest: snapshot B (one policy renamed) ...")
        second = ingest(lab_variant(folder, Path(scratch) / "variant"), store, progress=lambda _: None,
                        dataset=f"synthetic-{scale}")
        if second.unchanged:
            raise RuntimeError("the variant of the lab was not published as a new snapshot")
        results["ingest_s"] = round(first.seconds, 1)
        results["old_id"], results["latest_id"] = first.snapshot_id, second.snapshot_id
        say("opening each cold ...")
        old, latest = [], []
        for _ in range(repeats):
            old.append(open_cold(store, first.snapshot_id))
            latest.append(open_cold(store, None))
        results["old_cold_s"] = round(statistics.median(old), 3)
        results["latest_cold_s"] = round(statistics.median(latest), 3)
        results["old_over_latest"] = round(results["old_cold_s"] / results["latest_cold_s"], 2)
        history = store.with_name("asl.snapshots")
        files = sorted(history.glob("*.duckdb"))
        results["snapshot_bytes"] = [path.stat().st_size for path in files]
        results["snapshot_disk_bytes"] = [path.stat().st_blocks * 512 for path in files]
        results["history_disk_bytes"] = sum({path.stat().st_ino: path.stat().st_blocks * 512 for path in files}.values())
        results["store_shares_latest_file"] = store.stat().st_ino == (history / f"{second.snapshot_id}.duckdb").stat().st_ino
    return results


def report(results: dict) -> str:
    mb = 1024 * 1024
    each = ", ".join(f"{size / mb:,.0f} MB" for size in results["snapshot_disk_bytes"])
    ok = results["old_cold_s"] <= TARGET_S and results["latest_cold_s"] <= TARGET_S
    return "\n".join([
        f"snapshot history, scale {results['scale']}",
        f"  open cold + status: old snapshot {results['old_cold_s']:.2f} s, latest {results['latest_cold_s']:.2f} s, "
        f"ratio {results['old_over_latest']:.2f} (target <= {TARGET_S:g} s each: {'met' if ok else 'MISSED'})",
        f"  disk per snapshot: {each}; history folder {results['history_disk_bytes'] / mb:,.0f} MB "
        f"(the store is the latest's file: {'yes' if results['store_shares_latest_file'] else 'no'})",
        f"  unchanged ingest added no snapshot: {'yes' if results['unchanged_ingest_added_none'] else 'NO'}",
    ])


def json_line(results: dict) -> str:
    return json.dumps(results)


def _open_and_ask(store: Path, snapshot_id: str | None) -> float:
    from dashboard import store as store_module
    from dashboard.questions.snapshot import resolve_scope
    from dashboard.questions.status import status_frame

    began = time.perf_counter()
    snap = store_module.open_snapshot(store, snapshot_id)
    status_frame(snap, resolve_scope(snap, None, None))
    return time.perf_counter() - began


if __name__ == "__main__":  # one cold open, in this new process: python -m bench.snapshots STORE [ID]
    print(_open_and_ask(Path(sys.argv[1]), sys.argv[2] or None))
