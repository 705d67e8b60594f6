"""How long the tests wait for a condition, in one place. A wait ends as soon as its condition holds
(a page drawn, a download started, a server healthy), so a generous limit costs nothing on a quiet
machine and keeps the suite green on a busy one. ASL_TEST_TIMEOUT_SCALE multiplies every limit
(for example 2 on a machine shared with heavy work)."""
from __future__ import annotations

import math
import os
import time


def timeout_scale(raw: str | None) -> float:
    """The factor ASL_TEST_TIMEOUT_SCALE sets (1 when unset); anything but a finite number > 0 is refused."""
    if raw is None or not raw.strip():
        return 1.0
    try:
        scale = float(raw)
    except ValueError:
        scale = math.nan
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"ASL_TEST_TIMEOUT_SCALE={raw!r} is not a finite number > 0")
    return scale


TIMEOUT_SCALE = timeout_scale(os.environ.get("ASL_TEST_TIMEOUT_SCALE"))
WAIT_S = 120 * TIMEOUT_SCALE  # any wait on a condition: a page run, a server start, a child process
WAIT_MS = WAIT_S * 1000  # the same for Playwright, which counts milliseconds


def new_context(browser, **options):
    """browser.new_context(**options) whose pages wait up to WAIT_MS for every condition
    (selectors, functions, downloads, new pages) unless a call says otherwise."""
    context = browser.new_context(**options)
    context.set_default_timeout(WAIT_MS)
    return context


def streamlit_server(store, **options):
    """bench.server.StreamlitServer, waiting up to WAIT_S for the server to become healthy."""
    from bench.server import StreamlitServer

    return StreamlitServer(store, start_timeout=WAIT_S, **options)


def replicated_server(store, replicas, log_path, **options):
    """bench.server.ReplicatedServer (serve --replicas), waiting up to WAIT_S for it to start."""
    from bench.server import ReplicatedServer

    return ReplicatedServer(store, replicas, log_path, start_timeout=WAIT_S, **options)


def wait_for(condition):
    """condition()'s first true value, asked every 0.2 s for up to WAIT_S (then the test fails)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)
