"""The snapshot history beside the store (DESIGN 11): where each published snapshot is kept, its id,
and which snapshots the retention rule keeps.

Layout, for the store data/asl.duckdb:

- data/asl.duckdb: the latest snapshot (what every reader opens without an id), as before;
- data/asl.snapshots/<id>.duckdb: every kept snapshot, the latest included (a hard link to the
  same file as the store, or a copy where the file system has no hard links);
- <id> is the publish time in UTC and the start of the content hash of the published tables,
  e.g. 20261206T231200Z-3f9a1c2b: URL-safe, sorted by publish time, and the same content forever
  (the file never changes; the id is also written into its own snapshot_info row).

Nothing here opens a DuckDB file: this is names, paths and the pure retention rule. Publishing is
dashboard/ingest/publish.py, opening a snapshot by id dashboard/store.py (open_snapshot).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

SNAPSHOT_ID = re.compile(r"(\d{8}T\d{6}Z)-([0-9a-f]{8})")
_ID_TIME = "%Y%m%dT%H%M%SZ"
SUFFIX = ".duckdb"


class UnknownSnapshot(LookupError):
    """An id that names no kept snapshot (never published, or removed by retention). str() is for people."""


def make_snapshot_id(published_at: dt.datetime, content_hash: str) -> str:
    """The id of a snapshot published at published_at (UTC, naive or aware) with this content hash."""
    if published_at.tzinfo is not None:
        published_at = published_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return f"{published_at.strftime(_ID_TIME)}-{content_hash[:8]}"


def is_snapshot_id(text: str) -> bool:
    return isinstance(text, str) and SNAPSHOT_ID.fullmatch(text) is not None


def published_at_of(snapshot_id: str) -> dt.datetime:
    """The publish time (UTC, naive, to the second) an id names."""
    return dt.datetime.strptime(SNAPSHOT_ID.fullmatch(snapshot_id).group(1), _ID_TIME)


def history_dir(store: Path) -> Path:
    """The folder of kept snapshots beside the store: data/asl.duckdb -> data/asl.snapshots."""
    store = Path(store)
    return store.with_name(f"{store.stem}.snapshots")


def snapshot_file(store: Path, snapshot_id: str) -> Path:
    return history_dir(store) / f"{snapshot_id}{SUFFIX}"


@dataclass(frozen=True)
class KeptSnapshot:
    snapshot_id: str
    published_at: dt.datetime
    path: Path


def list_snapshots(store: Path) -> list[KeptSnapshot]:
    """Every kept snapshot of this store, newest first (by id, which sorts by publish time)."""
    folder = history_dir(store)
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    kept = []
    for name in names:
        if not name.endswith(SUFFIX):
            continue
        snapshot_id = name[: -len(SUFFIX)]
        if is_snapshot_id(snapshot_id):
            kept.append(KeptSnapshot(snapshot_id, published_at_of(snapshot_id), folder / name))
    return sorted(kept, key=lambda entry: entry.snapshot_id, reverse=True)


def resolve_snapshot(store: Path, snapshot_id: str) -> Path:
    """The file of a kept snapshot. UnknownSnapshot (naming the oldest kept) when there is none.
    The id must have passed dashboard.params.check_snapshot_id (a malformed one is refused there)."""
    if not is_snapshot_id(snapshot_id):
        raise UnknownSnapshot(f"snapshot {snapshot_id[:60]!r} is not a snapshot id")
    path = snapshot_file(store, snapshot_id)
    if path.is_file():
        return path
    raise UnknownSnapshot(unknown_message(snapshot_id, list_snapshots(store)))


def unknown_message(snapshot_id: str, kept: list[KeptSnapshot]) -> str:
    if not kept:
        return f"snapshot {snapshot_id} is not kept: this store has no snapshot history yet"
    oldest, latest = kept[-1], kept[0]
    when = "older than" if snapshot_id < oldest.snapshot_id else "not among"
    return (f"snapshot {snapshot_id} is not kept (never published here, or removed by the retention rule; "
            f"it is {when} the kept ones): the oldest kept is {oldest.snapshot_id} "
            f"(published {oldest.published_at:%Y-%m-%d %H:%M} UTC), the latest {latest.snapshot_id}")


# --- Retention -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Retention:
    """Which snapshots are kept: the last keep_last whatever their age, and the newest of each UTC
    day for the last daily_days days (today included), and every pinned one."""
    keep_last: int = 10
    daily_days: int = 90

    def __post_init__(self):
        if not isinstance(self.keep_last, int) or self.keep_last < 1:
            raise ValueError("keep_last must be a whole number >= 1 (the latest snapshot is always kept)")
        if not isinstance(self.daily_days, int) or self.daily_days < 0:
            raise ValueError("daily_days must be a whole number >= 0")


DEFAULT_RETENTION = Retention()


def snapshots_to_keep(snapshot_ids, now: dt.datetime, retention: Retention = DEFAULT_RETENTION,
                      pinned=frozenset()) -> set[str]:
    """The ids kept, of snapshot_ids, at the time now (UTC). Pure: the clock is a parameter.

    - the keep_last newest, whatever their age (so the latest always);
    - for each UTC day d with now's day - d < daily_days (today is day 0), the newest published that day;
    - every pinned id (a review pins the snapshot it was taken on; DESIGN 12).
    """
    ordered = sorted(set(snapshot_ids), reverse=True)
    keep = set(ordered[: retention.keep_last])
    today = (now.astimezone(dt.timezone.utc).replace(tzinfo=None) if now.tzinfo else now).date()
    newest_of_day: dict[dt.date, str] = {}
    for snapshot_id in ordered:  # newest first: the first seen of a day is its newest
        newest_of_day.setdefault(published_at_of(snapshot_id).date(), snapshot_id)
    for day, snapshot_id in newest_of_day.items():
        if (today - day).days < retention.daily_days:  # a day after now's (a clock set back) is kept too
            keep.add(snapshot_id)
    keep |= set(pinned) & set(ordered)
    return keep


class PinsUnknown(Exception):
    """The snapshots reviews pin could not be read (the reviews ledger is unreachable): the retention
    rule removes nothing then. str() is one line for people, without a secret."""


def pinned_snapshot_ids(read_pins=None) -> frozenset[str]:
    """The snapshots reviews pin (DESIGN 12): retention never removes them. read_pins: a function
    returning them (the command line passes dashboard.questions.reviews.pinned_snapshot_ids, which
    reads the store's ledger; this module cannot: the ledger's package imports the ingest, which
    imports this module); None: no ledger read, none pinned. PinsUnknown passes through."""
    return frozenset() if read_pins is None else frozenset(read_pins())
