"""Snapshot links in headless Chromium against a `streamlit run` server (DESIGN 11): a link copied
on snapshot A reopens A byte for byte (the CSV download) after later ingests, with the notice and
its links; removed, unknown and malformed ids get a clear message and a way to the latest."""
from __future__ import annotations

import urllib.parse

import pytest

from browsing import open_page
from clirun import run_cli
from dashboard.ingest import ingest
from dashboard.snapshots import Retention
from test_snapshots import AT_RISK, lab_folder, quiet
from waits import streamlit_server

pytestmark = pytest.mark.browser

VIEW = "/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-snapshots")
    store = root / "lab.duckdb"
    ingest(lab_folder(root, 1000), store, progress=quiet)
    with streamlit_server(store, log_path=root / "streamlit.log") as server:
        yield root, store, server


def download_at_risk(page) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("button", name="Download at-risk.csv").click()
    return open(download.value.path(), "rb").read()


def wait_for_snapshot(page, snapshot_id: str) -> None:
    """Until the address bar names the snapshot (a page link navigates inside the app: no load event)."""
    page.wait_for_function("id => new URLSearchParams(location.search).get('snapshot') === id", arg=snapshot_id)


def snapshot_in(url: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["snapshot"][0]


def test_a_link_on_a_snapshot_reopens_it_exactly_after_later_ingests(page, history):
    root, store, server = history
    # Opened without snapshot=: the latest, whose id the page writes into the address bar.
    open_page(page, server, VIEW)
    page.wait_for_function("new URLSearchParams(location.search).has('snapshot')")
    link_a = page.url
    a = snapshot_in(link_a)
    csv_a = download_at_risk(page)
    assert csv_a.decode() == run_cli("--store", store, *AT_RISK, "--snapshot", a).stdout
    assert page.get_by_text("You are viewing an older snapshot").count() == 0

    b = ingest(lab_folder(root, 1500), store, progress=quiet).snapshot_id  # the nightly ingest corrects d1
    open_page(page, server, VIEW)  # the same view without an id: now the latest, B
    wait_for_snapshot(page, b)
    assert download_at_risk(page) != csv_a

    page.goto(link_a)  # the link pasted in the meeting notes
    notice = page.locator(".st-key-older-snapshot")
    notice.wait_for()
    text = notice.inner_text()
    assert f"older snapshot, {a}" in text and f"The latest is {b}" in text
    assert download_at_risk(page) == csv_a  # byte for byte

    # The sidebar's list of pages keeps the pin: another page, same old snapshot and date.
    page.locator(".st-key-page_menu").get_by_role("link", name="Overview").click()
    page.wait_for_function("!location.pathname.includes('reclassify')")
    wait_for_snapshot(page, a)
    assert "as_of=2025-06-01" in page.url and "model=" not in page.url
    page.locator(".st-key-older-snapshot").wait_for()
    page.goto(link_a)
    notice.wait_for()
    corrections = notice.get_by_role("link", name="What the newer data corrects").get_attribute("href")
    assert corrections == f"./corrections?from={a}&to={b}&as_of=2025-06-01"
    notice.get_by_role("link", name="Open this view on the latest snapshot").click()
    wait_for_snapshot(page, b)
    assert "model=base" in page.url and "as_of=2025-06-01" in page.url
    page.get_by_role("button", name="Download at-risk.csv").wait_for()
    assert page.locator(".st-key-older-snapshot").count() == 0

    # Retention removes A (keep only the newest): the old link now says so, naming the oldest kept.
    c = ingest(lab_folder(root, 2000), store, progress=quiet, retention=Retention(keep_last=1, daily_days=0)).snapshot_id
    page.goto(link_a)
    alert = page.locator("[data-testid='stAlert']").filter(has_text="is not kept")
    alert.wait_for()
    assert f"snapshot {a} is not kept" in alert.inner_text() and f"the oldest kept is {c}" in alert.inner_text()
    page.get_by_role("link", name="Open this view on the latest snapshot").click()
    wait_for_snapshot(page, c)
    assert "model=base" in page.url

    # Never published, and malformed: the same kind of message, never a traceback.
    open_page(page, server, VIEW + "&snapshot=20200101T000000Z-00000000")
    page.get_by_text("snapshot 20200101T000000Z-00000000 is not kept").wait_for()
    open_page(page, server, VIEW + "&snapshot=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    page.get_by_text("is not a snapshot id").wait_for()
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert "Traceback" not in page.content()
