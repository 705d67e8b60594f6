"""The snapshot history (DESIGN 11): every kept snapshot of a store, newest first, with what each
names itself in its own snapshot_info row."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from dashboard.snapshots import list_snapshots
from dashboard.store import Snapshot, StoreError, snapshot_key

HISTORY_COLUMNS = ["snapshot_id", "published_at", "source", "dataset", "snapshot_date", "rows", "bytes"]


def kept_snapshots(store: Path) -> pd.DataFrame:
    """One row per kept snapshot, newest first. A file removed by the retention rule while the list is
    read is left out; one that cannot be read is listed with its id, size and an empty summary."""
    rows = []
    for entry in list_snapshots(store):
        try:
            key = snapshot_key(entry.path)
        except StoreError:  # removed since it was listed
            continue
        row = {"snapshot_id": entry.snapshot_id, "published_at": pd.Timestamp(entry.published_at), "source": None,
               "dataset": None, "snapshot_date": None, "rows": None, "bytes": key.size}
        try:
            snap = Snapshot(key)
        except StoreError:
            rows.append(row)
            continue
        try:
            info = snap.query("snapshot_info").iloc[0]
        finally:
            snap.close()
        counts = json.loads(info["row_counts_json"] or "{}")
        row.update(published_at=pd.Timestamp(info["published_at"]), source=info["source"], dataset=info["dataset"],
                   snapshot_date=info["snapshot_date"], rows=sum(counts.values()))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    frame["rows"] = frame["rows"].astype("Int64")
    frame["bytes"] = frame["bytes"].astype("Int64")
    return frame
