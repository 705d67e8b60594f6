"""One ingest per store at a time (a lock file beside it), and the build files of ingests that died
removed by the next one."""
from __future__ import annotations

import errno
import fcntl
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from dashboard.ingest.problems import IngestBusy, PublishError


def build_prefix(store: Path) -> str:
    return f".{store.name}.build-"


@contextmanager
def store_lock(store: Path, wait_seconds: float, progress):
    """One ingest per store at a time. A second one waits up to wait_seconds, then is refused."""
    lock_path = store.with_name(f".{store.name}.lock")
    try:
        handle = open(lock_path, "a+")
    except OSError as error:
        raise PublishError(f"{store} cannot be written: {error.strerror} ({lock_path})") from None
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IngestBusy(
                        f"another ingest is publishing to {store} right now; waited {wait_seconds:g} s. "
                        "Try again when it has finished.") from None
                if not told:
                    progress(f"Another ingest is publishing to {store}: waiting for it (up to {wait_seconds:g} s)...")
                    told = True
                time.sleep(0.2)
        yield
    finally:
        handle.close()  # closing releases the lock, also when the process dies


def remove_leftovers(store: Path, progress) -> None:
    """Remove build files (and spill folders) of ingests that died (we hold the lock, so none is alive)."""
    for leftover in sorted(store.parent.glob(build_prefix(store) + "*")):
        try:
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
            progress(f"Removed {leftover.name}, left by an ingest that did not finish.")
        except FileNotFoundError:
            pass
