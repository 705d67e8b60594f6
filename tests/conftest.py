"""Shared fixtures: real DuckDB stores built by the real ingest, a real `streamlit run` server,
and Playwright on the system Chromium (no browser download is possible here)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # bench/ (the harness) beside dashboard/

from dashboard.ingest import ingest  # noqa: E402
from bench.server import CHROMIUM_ARGS, chromium_path  # noqa: E402
from dashboard.store import DEMO_DIR  # noqa: E402
from browsing import give_tab_back, take_tab  # noqa: E402
from labdata import status_lab_tables, write_folder  # noqa: E402
from waits import streamlit_server  # noqa: E402


def quiet(_message: str) -> None:
    pass


@pytest.fixture(scope="session", autouse=True)
def audit_log(tmp_path_factory):
    """Keep the tests' page views out of the repository's audit/ folder."""
    path = tmp_path_factory.mktemp("audit") / "views.jsonl"
    with pytest.MonkeyPatch.context() as session_patch:
        session_patch.setenv("ASL_AUDIT_LOG", str(path))
        yield path


@pytest.fixture(autouse=True)
def store_variable_restored(monkeypatch):
    """ASL_STORE as it was before each test, whatever the test set (pagelinks.open_link points
    AppTest at a store through it): monkeypatch restores the saved value afterwards."""
    monkeypatch.delenv("ASL_STORE", raising=False)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """The bundled demo data (data/demo) published into a fresh store."""
    store = tmp_path_factory.mktemp("demo") / "asl.duckdb"
    ingest(DEMO_DIR, store, progress=quiet, dataset="demo")
    return store


@pytest.fixture(scope="session")
def lab_store(tmp_path_factory) -> Path:
    """The hand-made lab of tests/labdata.py (one model per status as of 2025-06-01)."""
    folder = write_folder(tmp_path_factory.mktemp("labsrc") / "lab", status_lab_tables())
    store = tmp_path_factory.mktemp("lab") / "lab.duckdb"
    ingest(folder, store, progress=quiet)
    return store


@pytest.fixture(scope="session")
def demo_server(demo_store, tmp_path_factory):
    with streamlit_server(demo_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, pointed at Debian's Chromium (its headless shell where installed)."""
    executable = chromium_path(headless_shell=True)
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no Chromium found: CI must run the browser tests (apt-get install chromium)")
        pytest.skip("no system Chromium: install Debian's chromium to run the browser tests")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item (item.report_call ...), for fixtures that tidy up after a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser_tab(browser):
    """One tab per worker that the browser tests take turns on (see `page`)."""
    held = {}
    yield held
    if held.get("context"):
        held["context"].close()


@pytest.fixture()
def page(browser_tab, browser, request):
    """pytest-playwright's `page`, but the same tab for every test of a worker, left as a new one is.
    A page load in a tab that has run the app before costs Chromium half the CPU of one in a new tab
    (measured 1.7 against 3.5 CPU seconds), and Chromium is about a third of the suite's CPU. A test
    that needs its own cookies or a clean browser opens a context of its own; a test that fails
    leaves its tab closed, not reused (tests/test_browser.py checks the reset)."""
    yield take_tab(browser_tab, browser)
    give_tab_back(browser_tab, failed=any(getattr(getattr(request.node, f"report_{when}", None), "failed", False)
                                          for when in ("setup", "call")))


@pytest.fixture(scope="session")
def reclassify_store(tmp_path_factory) -> Path:
    """The hand-made reclassification lab of tests/labdata.py (see tests/test_reclassify.py)."""
    from labdata import reclassify_tables

    folder = write_folder(tmp_path_factory.mktemp("reclassify-src") / "lab", reclassify_tables())
    store = tmp_path_factory.mktemp("reclassify") / "reclassify.duckdb"
    ingest(folder, store, progress=quiet)
    return store


# The slowest files first (measured with --durations=0): with `-n 3 --dist loadfile` (scripts/test.sh)
# each file runs whole on one worker, in collection order, so the long ones start at once and the
# short ones fill in behind them instead of one long file running alone at the end.
SLOWEST_FIRST = ["test_proxy.py", "test_ingest.py", "test_browser_ui.py", "test_ingest_postgres.py", "test_browser.py",
                 "test_data_is_never_markup.py", "test_auth.py", "test_ingest_hardening.py",
                 "test_browser_changes.py", "test_app.py", "test_reclassify.py", "test_web_hardening.py",
                 "test_refresh_under_load.py"]


def pytest_collection_modifyitems(session, config, items):
    rank = {name: index for index, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's own order is kept
