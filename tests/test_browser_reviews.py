"""A review as three signed-in people make it, in a real browser against a local OpenID Connect
provider (oidc-provider-mock): the first opens a review of a scenario from the reclassify page and
decides to reclassify the model to ASL-3, and gets no sign button for their own decision; the second
and the third approve (two approvals needed), which brings it into effect; `reviews verify` finds the
ledger's chain whole. Everything typed is hostile text (HTML, Markdown emphasis, a javascript: link) that
must show as typed, never as markup, on /review, on /reviews and in the downloads."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.server import free_port, wait_for_app
from dashboard.reviews.ledger import ledger_location, open_ledger
from dashboard.sqlfiles import REPO_ROOT
from browsing import wait_for_print_copies
from labdata import published_lab, status_lab_tables
from test_auth import sign_in_as, sign_in_home
from waits import new_context, streamlit_server

pytestmark = pytest.mark.browser

HOSTILE_TITLE = "<img src=x onerror=alert(1)> **bold** review"
HOSTILE_DETAIL = "**bold** [link](https://evil.example) [a](javascript:alert(1)) <b>not bold</b>"
HOSTILE_COMMENT = "<img src=x onerror=alert(1)> agreed"
SCENARIO = "/reclassify?model=base&asl=3&as_of=2025-06-01"
SIGNED = {"Approve": "Approved", "Reject": "Rejected"}  # what the page says after each button


@pytest.fixture(scope="module")
def review_store(tmp_path_factory):
    """A store of its own (the ledger lives beside it: no other test sees these reviews)."""
    return published_lab(status_lab_tables(), tmp_path_factory, "reviews")[1]


@pytest.fixture(scope="module")
def reviews_server(review_store, tmp_path_factory):
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub="maker", claims={"email": "maker@example.com", "name": "Maker"}),
             User(sub="second", claims={"email": "second@example.com", "name": "Second"}),
             User(sub="third", claims={"email": "third@example.com", "name": "Third"})]
    with run_server_in_thread(user_claims=users) as provider:
        port = free_port()
        home = sign_in_home(tmp_path_factory.mktemp("reviews-signin"), port, provider.server_port)
        with streamlit_server(review_store, port=port, cwd=home, host="localhost", log_path=home / "streamlit.log",
                              extra_env={"ASL_REVIEW_APPROVALS": "2"}) as server:
            yield server


def text_of(locator) -> str:
    """What a person reads: the word joiners that stop autolinks after ':' and '@' left out."""
    return locator.inner_text().replace("\u2060", "")


def downloaded(page, name: str) -> str:
    with page.expect_download() as download:
        page.get_by_role("button", name=name).click()
    return open(download.value.path(), encoding="utf-8").read()


def no_markup_from_data(page) -> None:
    """Nothing typed became an element: no image, no bold, no link to evil.example or javascript:."""
    assert page.locator("img[src='x']").count() == 0 and page.locator("main b").count() == 0
    assert page.locator("a[href^='javascript'], a[href*='evil.example']").count() == 0


def signed_in(browser, server, path: str, subject: str):
    """A browser of its own (its own cookies), path opened signed out, then signed in as subject: back
    on path (the deep link survives the sign-in)."""
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url + path)
    wait_for_app(page)
    sign_in_as(page, subject)
    # The sidebar names the person (a word joiner after @ stops a mail link).
    page.locator("[data-testid='stSidebar']").get_by_text(f"{subject}@\u2060example.com").wait_for()
    wait_for_app(page)
    return context, page


def approve(browser, server, subject: str, comment: str, decision: str = "D2", verdict: str = "Approve") -> str:
    """subject signs decision on R1 in a browser of their own (verdict: Approve or Reject); the
    decision's box as shown afterwards."""
    context, page = signed_in(browser, server, "/review?id=R1", subject)
    try:
        assert "id=R1" in page.url
        form = page.locator("[data-testid='stForm']").filter(has_text=f"Sign {decision}")
        form.get_by_label("Comment").fill(comment)
        form.get_by_role("button", name=f"{verdict} {decision}").click()
        page.wait_for_selector(f"text={SIGNED[verdict]} {decision}")
        wait_for_app(page)
        return text_of(page.locator(f"[class*='st-key-decision-{decision}']"))
    finally:
        context.close()


def record_decision(page, kind: str, detail: str) -> None:
    decide = page.locator("[data-testid='stForm']").filter(has_text="Record a decision")
    choice = decide.locator("[data-testid='stSelectbox']").filter(has_text="Kind")
    choice.scroll_into_view_if_needed()  # a click that scrolls the page closes the list it opens
    choice.click()
    page.get_by_role("option", name=kind, exact=True).click()
    decide.get_by_label("Detail").fill(detail)
    decide.get_by_role("button", name="Record the decision").click()


def test_two_other_people_bring_a_decision_into_effect(browser, reviews_server, review_store):
    # The maker opens a review of the scenario from the reclassify page, pinned to its view.
    context, page = signed_in(browser, reviews_server, SCENARIO, "maker")
    page.get_by_role("link", name="Open a review of this scenario").click()
    page.wait_for_selector("text=Open the review")
    wait_for_app(page)
    assert "model=base" in page.url and "new_asl=3" in page.url and "snapshot=" in page.url
    page.get_by_label("Title").fill(HOSTILE_TITLE)
    page.get_by_role("button", name="Open the review").click()
    page.wait_for_selector("text=Opened review R1")
    wait_for_app(page)
    assert "id=R1" in page.url
    heading = text_of(page.locator("h1").first)
    assert HOSTILE_TITLE in heading  # as typed: no image, no bold
    # The pinned view's figures: base's status as of the date, and the scenario's deployments at risk.
    assert page.get_by_text("Deployments at risk").is_visible()
    view_link = page.get_by_role("link", name="Open this view").get_attribute("href")
    assert "reclassify?model=base&asl=3&as_of=2025-06-01&snapshot=" in view_link
    # Pasted into another person's browser, the link opens that very view: the snapshot and date.
    pinned = view_link.split("snapshot=", 1)[1].split("&", 1)[0]
    other, other_page = signed_in(browser, reviews_server, "/" + view_link.split("/", 1)[1], "second")
    try:
        other_page.get_by_text("Decision summary").first.wait_for()
        shown = other_page.locator("[data-testid='stMain']").inner_text()
        assert f"snapshot {pinned}" in shown and "viewing as of 2025-06-01" in shown
    finally:
        other.close()

    # It decides to reclassify base to ASL-3.
    record_decision(page, "reclassify", HOSTILE_DETAIL)
    page.wait_for_selector("text=Recorded decision D2")
    wait_for_app(page)
    decision = page.locator("[class*='st-key-decision-D2']")
    assert "D2 · reclassify: base to ASL-3 · awaiting 2 more approvals" in text_of(decision)
    assert HOSTILE_DETAIL in text_of(decision)
    # The maker's own decision offers them no sign button.
    assert page.get_by_role("button", name="Approve D2").count() == 0
    assert page.get_by_text("You made D2: another person must sign it.").is_visible()
    no_markup_from_data(page)

    # Two other people approve: the first approval leaves it waiting, the second brings it into effect.
    assert "awaiting 1 more approval" in approve(browser, reviews_server, "second", HOSTILE_COMMENT)
    shown = approve(browser, reviews_server, "third", "fine")
    assert "in effect since" in shown and HOSTILE_COMMENT in shown

    # The maker sees it in effect; the print copy keeps the record and drops the forms.
    page.reload()
    wait_for_app(page)
    assert "in effect since" in text_of(page.locator("[class*='st-key-decision-D2']"))
    no_markup_from_data(page)
    # The download holds the text as typed (a CSV cell, not escaped for Markdown).
    decisions_csv = downloaded(page, "Download the decisions (1)")
    assert HOSTILE_DETAIL in decisions_csv and "\\" not in decisions_csv
    page.emulate_media(media="print")
    assert page.locator("[class*='st-key-decision-D2']").is_visible()
    assert not page.locator("[data-testid='stForm']").first.is_visible()
    page.emulate_media(media="screen")
    # The list shows it decided, the title as typed.
    page.goto(reviews_server.url + "/reviews")
    wait_for_app(page)
    wait_for_print_copies(page)
    # The print copy (the grid is a canvas).
    listed = page.locator("[class*='st-key-print-reviews']").text_content().replace("\u2060", "")
    assert "R1" in listed and HOSTILE_TITLE in listed and "decided" in listed
    no_markup_from_data(page)
    reviews_csv = downloaded(page, "Download reviews.csv (1 reviews)")
    assert HOSTILE_TITLE in reviews_csv and "\\" not in reviews_csv

    # A second decision, which another person rejects; then the maker closes the review.
    page.goto(reviews_server.url + "/review?id=R1")
    wait_for_app(page)
    record_decision(page, "no_action", "nothing more")
    page.wait_for_selector("text=Recorded decision D5")
    rejected = approve(browser, reviews_server, "second", "not yet", decision="D5", verdict="Reject")
    assert "D5 · no_action · rejected (1)" in rejected
    page.reload()
    wait_for_app(page)
    close = page.locator("[data-testid='stForm']").filter(has_text="Close the review")
    close.get_by_text("Close this review").click()
    close.get_by_role("button", name="Close the review").click()
    page.wait_for_selector("text=Closed review R1")
    wait_for_app(page)
    assert page.get_by_text("This review is closed: nothing more can be recorded on it.").is_visible()
    assert page.locator("[data-testid='stForm']").count() == 0
    context.close()

    # The ledger's chain holds, as `reviews verify` recomputes it; who did what, as the ledger holds it.
    verified = subprocess.run([sys.executable, "-m", "dashboard", "--store", str(review_store), "reviews", "verify"],
                              capture_output=True, text=True, cwd=REPO_ROOT, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert verified.returncode == 0 and verified.stderr.strip() == "the chain holds: 7 rows", verified.stderr
    with open_ledger(ledger_location(None, review_store)) as ledger:
        entries = ledger.entries()
    assert list(zip(entries["entry_id"], entries["recorded_by"])) == [
        ("R1", "maker@example.com"), ("D2", "maker@example.com"), ("S3", "second@example.com"),
        ("S4", "third@example.com"), ("D5", "maker@example.com"), ("S6", "second@example.com"),
        ("C7", "maker@example.com")]
