"""The default store, built from the bundled demo data when it is missing, so a fresh clone just works."""
from __future__ import annotations

from pathlib import Path

from dashboard import store
from dashboard.ingest.publish import ingest


def ensure_store(path: Path, say=print) -> Path:
    """Build the default store from data/demo/ when it is missing (any other missing store is an error)."""
    if path.exists():
        return path
    if path != store.DEFAULT_STORE.resolve():
        raise store.StoreError(f"no store at {path}: publish one with `asl-dashboard ingest DIR --store {path}`")
    say(f"No store at {path}: building it from the bundled demo data ({store.DEMO_DIR}).")
    ingest(store.DEMO_DIR, path, progress=say)
    return path
