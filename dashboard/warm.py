"""The overview warmed after a new snapshot, off the viewers' path.

After a new snapshot every cached answer and figure is keyed on the old snapshot's id, so the first
viewer used to pay the whole cold run (opening the new file, its queries, and above all drawing its
figures: more than half of the server's time for that run). One thread per server process and
store looks at the store's file every POLL_SECONDS (one stat); when a new snapshot has been published
it opens it the same way a page run does (dashboard/store.py) and asks what the overview asks for a
link without parameters (dashboard/ui/overview.py), through the same caches. The first viewer then
finds the answers and figures made. The thread only reads; a viewer arriving meanwhile waits for the
entry being made instead of making it twice (Streamlit's per-entry lock); a failure is logged and the
viewer's run computes as it always did. Every page run still opens the latest snapshot itself, so
warmed or not, a new snapshot is picked up by every viewer.

A server started as `dashboard/asgi.py` (what `asl-dashboard serve` runs) warms the latest snapshot
and starts the watch before it answers anyone (at_start, from its lifespan): its first viewer finds the
modules imported and the overview made. Started as `streamlit run dashboard/app.py`, a server runs no
app code before a first session: the first page run starts the watch, and that first viewer runs cold.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from dashboard import store as store_module
from dashboard.params import shown
from dashboard.ui.overview import warm_default_view

log = logging.getLogger("asl_dashboard")

POLL_SECONDS = 0.2  # one stat per look: a viewer arriving right after a publish finds the warm-up going
START_SECONDS = 60.0  # the longest a server's start waits for its warm-up before it serves anyway
_lock = threading.Lock()
_watched: dict[str, threading.Thread] = {}


def start(path: Path) -> bool:
    """Watch the store at path and warm each new snapshot (once per process and store; later calls
    return False)."""
    with _lock:
        if str(path) in _watched:
            return False
        thread = threading.Thread(target=_watch, args=(path, _key(path)), name="asl-warm", daemon=True)
        _watched[str(path)] = thread
        thread.start()
        return True


def _key(path: Path) -> store_module.SnapshotKey | None:
    try:
        return store_module.snapshot_key(path)
    except store_module.StoreError:
        return None


def _watch(path: Path, seen: store_module.SnapshotKey | None) -> None:
    idle = threading.Event()  # never set: a wait of POLL_SECONDS between looks
    while True:
        idle.wait(POLL_SECONDS)
        key = _key(path)
        if key is None or key == seen:
            continue
        seen = key
        warm(path)


def warm(path: Path) -> str | None:
    """Warm the overview's default view of the latest snapshot at path; its id (None if it failed)."""
    try:
        snap = store_module.snapshot(path)
        warm_default_view(snap)
    except Exception:  # noqa: BLE001 - a viewer's run computes what the warm-up could not
        log.exception("warming the overview of the latest snapshot at %s failed", shown(str(path)))
        return None
    return snap.snapshot_id


def at_start(path: Path) -> str | None:
    """At a server's start, before it answers anyone: watch the store at path for new snapshots and
    warm its latest snapshot now (Plotly's validators and the first queries come with it). The id warmed,
    or None (no store yet: the first page run builds it; a failure is logged)."""
    start(path)
    if not path.exists():
        return None
    return warm(path)
