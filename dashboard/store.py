"""Read-only access to the published snapshot (DESIGN section 2).

Each snapshot file is attached READ_ONLY into a fresh in-memory database. The attachment is keyed
by the file's (inode, mtime, size): when ingest swaps in a new file, the next query opens the new
one, so no reader ever mixes two snapshots within one query. Every query runs on its own cursor,
because one DuckDB connection shared across Streamlit's threads raises "connection is busy".

A kept older snapshot (DESIGN 11, dashboard/snapshots.py) opens the same way from its file in the
history folder: open_snapshot(store, snapshot_id). Each snapshot knows its own id (snapshot_id),
and the questions' cache is keyed by it (cache_key).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard import settings
from dashboard.snapshots import UnknownSnapshot, is_snapshot_id, resolve_snapshot
from dashboard.sqlfiles import REPO_ROOT, internal_sql, parameters_of, query_text

DEFAULT_STORE = REPO_ROOT / "data" / "asl.duckdb"
DEMO_DIR = REPO_ROOT / "data" / "demo"


class StoreError(RuntimeError):
    """The store cannot be read: missing, or not a snapshot. The message is for people."""


class OutdatedStore(StoreError):
    """The store was published by an older version of asl-dashboard, without columns this one reads."""


def store_path(explicit: str | os.PathLike | None = None) -> Path:
    """The store to read: --store, else $ASL_STORE, else data/asl.duckdb."""
    return settings.store_path(explicit, DEFAULT_STORE)


@dataclass(frozen=True)
class SnapshotKey:
    path: str
    inode: int
    mtime_ns: int
    size: int


def snapshot_key(path: Path) -> SnapshotKey:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise StoreError(f"no store at {path}") from None
    return SnapshotKey(str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)


class _AttachedSnapshots:
    """An in-memory DuckDB with snapshot files attached read-only; closed with the object."""

    _database: duckdb.DuckDBPyConnection

    def _run(self, name: str, sql: str, params: dict, damaged: str, setup: str | None = None) -> pd.DataFrame:
        """sql (the file NAME) with its $parameters bound from params, on a cursor of its own (after
        setup); a damaged file raises StoreError naming damaged."""
        wanted = parameters_of(sql)
        missing = wanted - params.keys()
        if missing:
            raise TypeError(f"query {name} needs parameters {sorted(missing)}")
        cursor = self._database.cursor()
        try:
            if setup:
                cursor.execute(setup)
            return _to_frame(cursor.sql(sql, params={key: params[key] for key in wanted}).to_arrow_table())
        except duckdb.Error as error:
            if _is_damage(error):
                raise StoreError(f"{damaged} cannot be read, the file is damaged: "
                                 f"{str(error).strip().splitlines()[0]} (publish it again with ingest)") from None
            raise
        finally:
            cursor.close()

    def close(self) -> None:
        self._database.close()

    def __del__(self) -> None:
        try:
            self._database.close()
        except Exception:  # interpreter shutdown: nothing left to release
            pass


class Snapshot(_AttachedSnapshots):
    """One published snapshot, attached read-only. Safe to query from many threads."""

    def __init__(self, key: SnapshotKey):
        self.key = key
        self._database = duckdb.connect(":memory:")
        self._database.execute(internal_sql("store_session.sql"))
        try:
            self._database.execute(internal_sql("attach_store.sql"), {"path": key.path})
        except duckdb.Error as error:
            self._database.close()
            raise StoreError(f"{key.path} is not a readable snapshot: {str(error).strip().splitlines()[0]}") from None
        try:
            self._database.execute(internal_sql("store_columns.sql"))
        except duckdb.BinderException:
            self._database.close()
            raise OutdatedStore(f"{key.path} was published by an older version of asl-dashboard: publish it again "
                                "with `asl-dashboard ingest` from the folder or database it came from") from None
        self._database.execute(internal_sql("shared_rules.sql"))  # the rules the ingest applies too
        self._database.execute(internal_sql("rules.sql"))  # the shared rules, in memory (not the read-only store)
        self._use_store = internal_sql("use_store.sql")
        try:
            self.snapshot_id, self.content_hash = _identity(self._database)
        except duckdb.Error as error:
            self._database.close()
            if _is_damage(error):
                raise _damaged(key.path, error) from None
            raise

    @property
    def cache_key(self):
        """What the questions' cache is keyed by: the snapshot's id (the same content under the store's
        path and in the history folder), or the file's identity for a store published without one."""
        return self.snapshot_id or self.key

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run queries/NAME.sql with its $parameters bound from params."""
        return self._run(name, query_text(name), params, self.key.path, setup=self._use_store)


def _identity(database) -> tuple[str | None, str | None]:
    try:
        row = database.execute(internal_sql("snapshot_identity.sql")).fetchone()
    except duckdb.BinderException:  # published before snapshots had ids
        return None, None
    if not row or not is_snapshot_id(row[0]):  # an id is only ever of its form: safe in any text and link
        return None, None
    return row[0], row[1]


def read_identity(path: Path) -> tuple[str | None, str | None]:
    """The (snapshot_id, content_hash) the snapshot file at path names itself by ((None, None) when
    published before snapshots had ids). StoreError when it is not a readable snapshot."""
    snap = Snapshot(snapshot_key(path))
    try:
        return snap.snapshot_id, snap.content_hash
    finally:
        snap.close()


def _damaged(path: str, error: duckdb.Error) -> StoreError:
    return StoreError(f"{path} cannot be read, the file is damaged: "
                      f"{str(error).strip().splitlines()[0]} (publish it again with ingest)")


def _is_damage(error: duckdb.Error) -> bool:
    """Whether a query failed because the snapshot file is damaged (not because of the query)."""
    if isinstance(error, (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException)):
        return True
    text = str(error)
    return any(marker in text for marker in ("Corrupt database file", "checksum", "IO Error"))


def _to_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas, keeping whole-number columns whole when they hold NULLs (Int64, not float)."""
    frame = table.to_pandas()
    for field in table.schema:
        if pa.types.is_integer(field.type) and frame[field.name].dtype.kind == "f":
            frame[field.name] = frame[field.name].astype("Int64")
    return frame


_lock = threading.Lock()
_current: dict[str, Snapshot] = {}
MAX_OPEN_KEPT = 8  # older snapshots kept open at once (each holds its own DuckDB buffers)


def snapshot(path: Path) -> Snapshot:
    """The current snapshot at path, reopened when a new one has been published.

    An older snapshot is not closed here: a page run that started on it keeps its reference and
    finishes on the data it began with; the connection closes when the last reference goes.
    """
    key = snapshot_key(path)
    with _lock:
        current = _current.get(key.path)
        if current is not None and current.key == key:
            return current
        current = Snapshot(key)
        _current[key.path] = current
        return current


def open_snapshot(store: Path, snapshot_id: str | None = None) -> Snapshot:
    """The snapshot a view or command asks for: the latest (the store itself) without an id or with
    the latest's id, else the kept snapshot of that id from the history folder.
    Raises dashboard.snapshots.UnknownSnapshot (a clear message naming the oldest kept) for an id
    that is not kept, StoreError when the file cannot be read."""
    if snapshot_id is None:
        return snapshot(store)
    try:
        path = resolve_snapshot(store, snapshot_id)
    except UnknownSnapshot:
        latest = snapshot(store)  # the store's own id, with its history folder gone
        if latest.snapshot_id == snapshot_id:
            return latest
        raise
    if _same_file(path, store):  # the latest: its history entry is a hard link of the store
        return snapshot(store)
    try:
        opened = snapshot(path)
    except StoreError:
        if not path.exists():  # removed by retention between finding and opening it
            resolve_snapshot(store, snapshot_id)
        raise
    with _lock:
        kept = [name for name in _current if name != str(store) and name != str(path)]
        for name in kept[: max(0, len(kept) - MAX_OPEN_KEPT + 1)]:
            _current.pop(name, None)  # closed when the last page run using it lets go
    return opened


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


class SnapshotPair(_AttachedSnapshots):
    """Two snapshots attached read-only into one in-memory database, as `older` and `newer`, for the
    corrections between them (DESIGN 11). Its SQL lives in dashboard/sql/corrections/; every query
    runs on its own cursor, under the readers' memory cap (store_session.sql)."""

    def __init__(self, older: Snapshot, newer: Snapshot):
        self.older, self.newer = older, newer
        self.cache_key = (older.cache_key, newer.cache_key)  # the questions' cache (both ids)
        # Answers kept for the pair's life, outside Streamlit's cache too (the command line asks the
        # row changes for both parts): the two files never change, so neither do the answers.
        self.kept: dict[str, pd.DataFrame] = {}
        self._database = duckdb.connect(":memory:")
        self._database.execute(internal_sql("store_session.sql"))
        for name, key in (("older", older.key), ("newer", newer.key)):
            try:
                self._database.execute(internal_sql(f"corrections/attach_{name}.sql"), {"path": key.path})
            except duckdb.Error as error:
                self._database.close()
                raise StoreError(f"{key.path} is not a readable snapshot: {str(error).strip().splitlines()[0]}") from None

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run dashboard/sql/corrections/NAME.sql with its $parameters bound from params."""
        if not name.isidentifier():
            raise ValueError(f"not a query name: {name!r}")
        return self._run(name, internal_sql(f"corrections/{name}.sql"), params,
                         f"{self.older.key.path} or {self.newer.key.path}")


_pairs: dict[tuple, SnapshotPair] = {}
MAX_OPEN_PAIRS = 4


def snapshot_pair(older: Snapshot, newer: Snapshot) -> SnapshotPair:
    """The two snapshots attached together (kept open for the next question on the same pair)."""
    wanted = (older.key, newer.key)
    with _lock:
        pair = _pairs.get(wanted)
        if pair is None:
            pair = SnapshotPair(older, newer)
            _pairs[wanted] = pair
            for stale in list(_pairs)[: max(0, len(_pairs) - MAX_OPEN_PAIRS)]:
                _pairs.pop(stale)  # closed when the last run using it lets go
        return pair
