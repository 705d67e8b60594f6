"""The default store, built from the bundled demo data when it is missing, so a fresh clone just works."""
from __future__ import annotations

from pathlib import Path

from dashboard import store
from dashboard.ingest.publish import ingest


def ensure_store(path: Path, say=print) -> Path:
    """Build the default store from data/demo/ when it is missing or was published by an older version
    (any other missing store is an error; any other store is read as it is)."""
    if path.exists():
        if path != store.DEFAULT_STORE.resolve():
            return path
        try:
            store.read_identity(path)
            return path
        except store.OutdatedStore:  # the bundled demo, published by an older version: publish it again
            say(f"The store at {path} was published by an older version: building it again from the bundled demo data.")
            ingest(store.DEMO_DIR, path, progress=say)
            return path
        except store.StoreError:
            return path  # damaged or foreign: the reader says so, nothing is replaced here
    if path != store.DEFAULT_STORE.resolve():
        raise store.StoreError(f"no store at {path}: publish one with `asl-dashboard ingest DIR --store {path}`")
    say(f"No store at {path}: building it from the bundled demo data ({store.DEMO_DIR}).")
    ingest(store.DEMO_DIR, path, progress=say)
    return path
