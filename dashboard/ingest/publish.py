"""Validated ingest of an input folder into a new snapshot, published atomically (DESIGN 2 and 3).

The published store is never written in place. Ingest builds a complete new DuckDB file beside it,
validates every row, and only when nothing is wrong does it CHECKPOINT and os.replace the new file
over the old one. A failed or killed ingest leaves the published file byte-identical; the next
ingest removes what a dead one left behind.

Every published snapshot is also kept in the history folder beside the store under its id (DESIGN
11, dashboard/snapshots.py): linked there before the store is replaced, so the latest is always in
the history too. An ingest whose content equals the latest's publishes nothing. After publishing,
the retention rule removes the snapshots it no longer keeps (an unlink: a reader that has one open
keeps reading it).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import datetime as dt

import duckdb

from dashboard.ingest.build import build_snapshot
from dashboard.ingest.lock import build_prefix, remove_leftovers, store_lock
from dashboard.ingest.outcome import IngestResult
from dashboard.ingest.problems import IngestError, Problem, PublishError
from dashboard.ingest.sources import TableSource
from dashboard.ingest.store_file import check_store_path, why_not_replaceable
from dashboard.snapshots import (DEFAULT_RETENTION, PinsUnknown, Retention, history_dir, list_snapshots,
                                 pinned_snapshot_ids, snapshot_file, snapshots_to_keep)
from dashboard.store import StoreError, read_identity


def ingest(src: Path | str, store: Path | str, *, progress=print, dataset: str | None = None,
           wait_seconds: float = 30.0, retention: Retention = DEFAULT_RETENTION, pinned=None) -> IngestResult:
    """Validate the folder src and publish it as the snapshot at store.

    Raises IngestError (every problem found), IngestBusy or PublishError (the store path cannot take a
    snapshot: checked before any work where possible); in every case the store is untouched.
    src may also be a TableSource (a database schema), whose own errors pass through as they are.
    retention: which kept snapshots stay after publishing (dashboard/snapshots.py). pinned: a function
    returning the snapshot ids reviews pin, called after publishing (a review opened meanwhile counts);
    when it raises PinsUnknown nothing is removed and progress gets one line saying why.
    """
    store = Path(store).resolve()
    if not isinstance(src, TableSource):
        src = Path(src).resolve()
        if not src.is_dir():
            raise IngestError([Problem(str(src), None, "is not a folder of input files")])
    check_store_path(store, wait_seconds)
    started = time.perf_counter()
    with store_lock(store, wait_seconds, progress):
        remove_leftovers(store, progress)
        refusal = why_not_replaceable(store, open_it=False)  # again, now that no other ingest can publish
        if refusal:
            raise PublishError(f"{store} {refusal}")
        build = store.with_name(f"{build_prefix(store)}{os.getpid()}")
        spill = build.with_name(build.name + ".tmp")
        _wait_past_newest(store)
        try:
            result = build_snapshot(src, build, spill, progress, dataset or src.name)
            latest_id, latest_hash = _latest_identity(store)
            if latest_hash is not None and latest_hash == result.content_hash:
                result.unchanged = True
                result.snapshot_id = latest_id
                _keep_in_history(store, store, latest_id)  # a history folder removed by hand gets it back
            else:
                _keep_in_history(store, build, result.snapshot_id)
                os.replace(build, store)
                fsync_dir(store.parent)
                try:
                    pins = pinned_snapshot_ids(pinned)
                except PinsUnknown as error:
                    result.retention_refused = str(error)
                    progress(f"warning: no older snapshot removed: {error}")
                else:
                    result.removed = remove_expired(store, result.published_at, retention, keep={result.snapshot_id},
                                                    pinned=pins)
        except (OSError, duckdb.Error) as error:
            if isinstance(error, duckdb.Error) and not _is_io_error(error):
                raise
            raise PublishError(f"{store} was not published: {_cause(error)}") from None
        finally:
            for path in (build, build.with_name(build.name + ".wal")):
                if path.exists():
                    path.unlink()
            shutil.rmtree(spill, ignore_errors=True)
    result.store = store
    result.seconds = time.perf_counter() - started
    return result


def _wait_past_newest(store: Path) -> None:
    """Ids name the publish time to the second: start after the newest kept snapshot's second, so a
    new id sorts after every kept one (at most a second's wait, for ingests in quick succession)."""
    kept = list_snapshots(store)
    if not kept:
        return
    newest = kept[0].published_at.replace(tzinfo=dt.timezone.utc)
    deadline = time.monotonic() + 2.0  # a clock set back by more is not waited for
    while dt.datetime.now(dt.timezone.utc).replace(microsecond=0) <= newest and time.monotonic() < deadline:
        time.sleep(0.05)


def _latest_identity(store: Path) -> tuple[str | None, str | None]:
    if not store.exists():
        return None, None
    try:
        return read_identity(store)
    except StoreError:
        return None, None


def _keep_in_history(store: Path, source: Path, snapshot_id: str | None) -> None:
    """Put the file source into the history folder as <snapshot_id>.duckdb, atomically: a hard link
    (no extra disk), else a copy under a temporary name renamed into place."""
    if snapshot_id is None:
        return
    target = snapshot_file(store, snapshot_id)
    if target.exists():
        return
    folder = history_dir(store)
    folder.mkdir(exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        return
    except OSError:  # no hard links here (another file system, or none allowed): copy
        partial = folder / f".{snapshot_id}.copy-{os.getpid()}"
        try:
            shutil.copyfile(source, partial)
            with open(partial, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()
    fsync_dir(folder)


def remove_expired(store: Path, now: dt.datetime, retention: Retention = DEFAULT_RETENTION,
                   keep=frozenset(), pinned=frozenset()) -> list[str]:
    """Remove the kept snapshots the retention rule no longer keeps at time now (UTC), besides keep
    and pinned (those reviews pin); the ids removed, oldest first. Each removal is one unlink: a reader
    that has the file open keeps reading it (the space is freed when it closes)."""
    kept = list_snapshots(store)
    keeping = snapshots_to_keep([entry.snapshot_id for entry in kept], now, retention, pinned) | set(keep)
    removed = []
    for entry in reversed(kept):
        if entry.snapshot_id not in keeping:
            try:
                entry.path.unlink()
            except FileNotFoundError:
                continue
            removed.append(entry.snapshot_id)
    if removed:
        fsync_dir(history_dir(store))
    return removed


_IO_MARKERS = ("No space left on device", "Read-only file system", "Permission denied", "Disk quota exceeded",
               "File too large", "Input/output error")


def _is_io_error(error: duckdb.Error) -> bool:
    """A DuckDB error caused by the disk (full, read-only, ...), not by the data or the SQL."""
    return (isinstance(error, (duckdb.IOException, duckdb.OutOfMemoryException))
            or any(marker in str(error) for marker in _IO_MARKERS))


def _cause(error: Exception) -> str:
    """The one line that says what went wrong (for DuckDB's errors, without its advice paragraphs)."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}" + (f" ({error.filename})" if error.filename else "")
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    for marker in _IO_MARKERS:
        if marker in str(error):
            return f"{marker} ({text})"
    return text


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
