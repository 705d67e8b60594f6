"""The dashboard as served (`asl-dashboard serve` runs `streamlit run dashboard/asgi.py`): the pages of
dashboard/app.py, with the overview of the latest snapshot made before the server answers anyone.

`streamlit run dashboard/app.py` serves the same pages, but Streamlit runs no app code before a first
session there, so the first viewer after every start paid the imports and the overview's cold run
(about 2 s more than a later viewer on the demo data). Served as an st.App, its lifespan runs first:
the server answers its health check and its first viewer once the warm-up is done, or after at most
warm.START_SECONDS (the warm-up then goes on beside the viewers). A failed warm-up is logged and the
server starts as before."""
from __future__ import annotations

import asyncio
import logging
import sys
from contextlib import asynccontextmanager
from pathlib import Path

# `streamlit run dashboard/asgi.py` puts dashboard/ on the path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

# What the first page run imports (app.py's own imports): imported as the server starts, not by its
# first viewer. Declared before Streamlit's runtime exists, a cache makes Streamlit log "No runtime
# found, using MemoryCacheStorageManager": only page runs and the warm-up use the caches, both once the
# runtime has started, so that line would only mislead the operator reading the start's log.
_caching_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
_caching_log_level = _caching_log.level
_caching_log.setLevel(logging.ERROR)
from dashboard import auth, page_runs, ui, warm  # noqa: E402,F401
from dashboard.params import shown  # noqa: E402
from dashboard.store import store_path  # noqa: E402
_caching_log.setLevel(_caching_log_level)

log = logging.getLogger("asl_dashboard")


@asynccontextmanager
async def warmed_at_start(_app):
    try:
        await asyncio.wait_for(asyncio.to_thread(warm.at_start, store_path()), timeout=warm.START_SECONDS)
    except TimeoutError:
        log.warning("the overview's warm-up took more than %g s: serving while it goes on", warm.START_SECONDS)
    except Exception as error:  # noqa: BLE001 - a page run reports what is wrong to its viewer
        log.warning("no warm-up at start: %s", shown(str(error)))  # one short line, whatever the path
    yield


app = st.App("app.py", lifespan=warmed_at_start)
