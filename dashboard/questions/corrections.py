"""Corrections between two snapshots (DESIGN 11): the /corrections page and `asl-dashboard
corrections`. The row changes come from dashboard/sql/corrections/table_changes.sql, once per input
table (the tables, their columns and keys from the input contract, dashboard/tables.py); the status
of each model on each snapshot is the status question itself; dashboard/corrections.py compares."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dashboard import corrections
from dashboard.params import ParamError
from dashboard.questions import question
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.status import status_frame
from dashboard.store import SnapshotPair, open_snapshot, snapshot_pair, store_path
from dashboard.tables import TABLES

ROW_LIMIT = 100_000  # row changes listed per table (the count of all of them is kept)
ROW_FRAME_COLUMNS = corrections.ROW_COLUMNS + ["model_id", "table_total"]


def open_pair(store: Path | None, from_id: str, to_id: str | None) -> SnapshotPair:
    """In the store (None: the pages' store, $ASL_STORE or data/asl.duckdb), snapshot from_id (older) and to_id (newer; None: the latest) attached together. An id that is
    not kept raises UnknownSnapshot (its message names the oldest kept); a from newer than to, ParamError."""
    store = store_path() if store is None else store
    newer = open_snapshot(store, to_id)
    older = open_snapshot(store, from_id)
    if older.snapshot_id and newer.snapshot_id and older.snapshot_id > newer.snapshot_id:
        raise ParamError(f"from {older.snapshot_id} is newer than to {newer.snapshot_id}: "
                         "corrections go from the older snapshot to the newer one (swap them)")
    return snapshot_pair(older, newer)


def compared_tables(columns: pd.DataFrame) -> list[dict]:
    """For each input table either snapshot holds: its key, the columns both hold (of the contract's),
    and where to read it. A table in one snapshot only is read from that one on both sides, with no
    rows on the other (all its rows added, or all removed)."""
    held = {side: {table: list(group["column_name"]) for table, group in frame.groupby("table_name", sort=False)}
            for side, frame in columns.groupby("snapshot")}
    older, newer = held.get("older", {}), held.get("newer", {})
    plans = []
    for spec in sorted(TABLES, key=lambda spec: spec.name):
        in_older, in_newer = spec.name in older, spec.name in newer
        if not (in_older or in_newer):
            continue
        present = [older.get(spec.name), newer.get(spec.name)]
        compared = [column for column in spec.columns if all(column in side for side in present if side is not None)]
        if not all(key in compared for key in spec.key_columns):
            continue  # a table without its key cannot be matched row by row
        source = "older" if in_older else "newer"
        plans.append({
            "table": spec.name,
            "older_table": f"{'older' if in_older else source}.main.{spec.name}",
            "newer_table": f"{'newer' if in_newer else source}.main.{spec.name}",
            "in_older": in_older, "in_newer": in_newer,
            "keys": list(spec.key_columns), "compared": compared,
            "has_model": "model_id" in compared, "model_column": "model_id" if "model_id" in compared else compared[0],
            "key_unique": spec.key_unique,
        })
    return plans


@question(ROW_FRAME_COLUMNS)
def row_changes(pair: SnapshotPair) -> pd.DataFrame:
    """Every input table's row changes, sorted by table, key and column: the contract's columns
    (corrections.ROW_COLUMNS), then the model each row belongs to (empty for tables without one) and
    the table's count of row changes (above ROW_LIMIT, only the first ROW_LIMIT are listed)."""
    if "row_changes" not in pair.kept:
        frames = [pair.query("table_changes", row_limit=ROW_LIMIT, **plan)
                  for plan in compared_tables(pair.query("table_columns"))]
        frames = [frame.rename(columns={"total_rows": "table_total"}) for frame in frames if not frame.empty]
        pair.kept["row_changes"] = (pd.concat(frames, ignore_index=True)[ROW_FRAME_COLUMNS] if frames else
                                    pd.DataFrame({column: pd.Series(dtype=object) for column in ROW_FRAME_COLUMNS}))
    return pair.kept["row_changes"].copy()


def truncated(rows: pd.DataFrame) -> dict[str, int]:
    """The tables whose row changes are listed only in part, with their count of row changes."""
    totals = rows.groupby("table")["table_total"].max() if not rows.empty else pd.Series(dtype="int64")
    return {table: int(total) for table, total in totals.items() if total > ROW_LIMIT}


@question(corrections.CONSEQUENCE_COLUMNS)
def consequences(pair: SnapshotPair, as_of: dt.date, policy_id: str | None) -> pd.DataFrame:
    """The models whose status as of the date differs between the two snapshots, and why."""
    older = ViewScope(as_of=as_of, policy_id=policy_id, as_of_is_default=False, snapshot_id=pair.older.snapshot_id)
    newer = ViewScope(as_of=as_of, policy_id=policy_id, as_of_is_default=False, snapshot_id=pair.newer.snapshot_id)
    return corrections.consequences(status_frame(pair.older, older), status_frame(pair.newer, newer),
                                    row_changes(pair), as_of, policy_id)
