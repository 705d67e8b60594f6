"""At most a few page runs at once in one server process.

Streamlit runs each session's script on its own thread, and the page code holds Python's GIL for
most of a run: forty sessions opening the same link at once (a meeting) made forty threads take
turns on two cores, each run slowed by the others' switching, and every viewer waited for the
slowest. Runs beyond the limit wait their turn (blocked, using no CPU) and then run at full speed:
measured with `asl-dashboard bench --meeting 40`, see the README's "Meeting load".

The limit is ASL_PAGE_RUNS (a whole number from 1 to 64), or the number of cores, at least 2.
Only the page's own run is limited; the sign-in gate and the host check run before it.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading

log = logging.getLogger("asl_dashboard")
ENVIRONMENT_VARIABLE = "ASL_PAGE_RUNS"


def limit_from(value: str | None, cores: int | None) -> int:
    """The number of page runs allowed at once: the variable's value when it is a whole number from 1
    to 64, otherwise the number of cores (at least 2, at most 64)."""
    default = min(64, max(2, cores or 2))
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if not 1 <= number <= 64:
        log.warning("%s=%r is not a whole number from 1 to 64: using %d", ENVIRONMENT_VARIABLE, value[:20], default)
        return default
    return number


LIMIT = limit_from(os.environ.get(ENVIRONMENT_VARIABLE), os.cpu_count())
_slots = threading.BoundedSemaphore(LIMIT)


@contextlib.contextmanager
def slot():
    """Hold one of the LIMIT slots for the length of a page run (released however the run ends:
    finished, st.stop, a rerun or an error)."""
    with _slots:
        yield
