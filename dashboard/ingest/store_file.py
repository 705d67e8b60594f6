"""What is at the store's path: ingest replaces only a store it published (a DuckDB file with its
snapshot_info), never a folder, a device or another program's database; and a bad --wait."""
from __future__ import annotations

import math
import os
from pathlib import Path

import duckdb

from dashboard.ingest.problems import PublishError
from dashboard.sqlfiles import internal_sql


DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 11 of every DuckDB database file


def why_not_replaceable(store: Path, open_it: bool = True) -> str | None:
    """Why ingest must not replace what is at store (None: nothing there, or a store this tool published).

    open_it=False checks only the kind of file and DuckDB's magic bytes (no attach: about 40 ms less).
    """
    if not os.path.lexists(store):
        return None
    if store.is_dir():
        return "is a folder, not a store file: give the path of a file, e.g. --store " + str(store / "asl.duckdb")
    if not store.is_file():
        return "is not a regular file: ingest replaces only a store it published"
    try:
        with open(store, "rb") as handle:
            head = handle.read(16)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if head[8:12] != DUCKDB_MAGIC:
        return ("is not a DuckDB file, so not a store this tool published: it is left as it is "
                "(choose another --store, or move the file away)")
    if not open_it:
        return None
    con = duckdb.connect(":memory:")
    try:
        con.execute(internal_sql("attach_store.sql"), {"path": str(store)})
        marked = con.execute(internal_sql("ingest/published_marker.sql")).fetchone()[0]
    except duckdb.Error as error:
        return (f"is a DuckDB file that cannot be read ({str(error).splitlines()[0]}): it is left as it is; "
                "if it is a damaged store, delete it and ingest again")
    finally:
        con.close()
    if not marked:
        return ("is a DuckDB database that this tool did not publish (it has no snapshot_info table): it is "
                "left as it is (choose another --store, or move the file away)")
    return None


def check_store_path(store: Path, wait_seconds: float) -> None:
    """Everything about the store that can be checked before any work starts."""
    if not isinstance(wait_seconds, (int, float)) or not math.isfinite(wait_seconds) or wait_seconds < 0:
        raise PublishError(f"--wait {wait_seconds!r} is not a number of seconds: give a finite number >= 0")
    refusal = why_not_replaceable(store)
    if refusal:
        raise PublishError(f"{store} {refusal}")
    parent = store.parent
    if os.path.lexists(parent) and not parent.is_dir():
        raise PublishError(f"{store} cannot be written: {parent} is not a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(f"{store} cannot be written: cannot create the folder {parent} ({error.strerror})") from None
