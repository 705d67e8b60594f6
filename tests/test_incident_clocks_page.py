"""The incident clocks (DESIGN 12) on /obligations and `obligations --incidents`, from a real reviews
ledger: reviews opened and a report recorded with the ledger's own actions on a temporary SQLite
ledger beside a hand-made store (the lab of tests/test_obligations.py with the bundled incident rows)."""
from __future__ import annotations

import csv
import io

import pytest

from dashboard.ingest import ingest
from dashboard.obligations import BUNDLED_OBLIGATIONS
from dashboard.reviews import actions
from dashboard.reviews.ledger import default_location, open_ledger
from dashboard.store import snapshot
from clirun import run_cli
from labdata import write_folder
from pagelinks import open_link
from test_obligations import lab_tables
from bench.server import wait_for_app
from browsing import open_page, wait_for_print_copies
from waits import streamlit_server
from test_browser_tables import assert_fits, column_widths

PAGE = "app_pages/obligations.py"
TITLE = "Weights **copied** <b>x</b> [link](http://example.com)"  # data: must stay text


@pytest.fixture(scope="module")
def incident_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("incident-clocks")
    tables = lab_tables()
    tables["obligations"] += [dict(row) for row in BUNDLED_OBLIGATIONS if row["clock"] == "after_awareness"]
    store = root / "lab.duckdb"
    ingest(write_folder(root / "src", tables), store, progress=lambda _: None)
    snapshot_id = snapshot(store).snapshot_id
    with open_ledger(str(default_location(store))) as ledger:
        def opened(title, category, aware_at):
            return actions.open_review(ledger, actor="os:alice", title=title, snapshot_id=snapshot_id,
                                       as_of="2026-02-01", incident_category=category, aware_at=aware_at)

        # Worked out by hand, read at the end of 2026-04-02 (2026-04-03 00:00 UTC):
        # R1: cybersecurity (120 h) from 04-01 10:00 -> due 04-06 10:00, 82 h left.
        opened(TITLE, "weights_exfiltration", "2026-04-01T10:00:00Z")
        # R2: imminent risk (24 h) from 04-01 12:00 -> due 04-02 12:00, overdue by 12 h (no New York
        # clock: aware in 2026, the RAISE Act applies from 2027-01-01).
        opened("Imminent risk", "imminent_risk", "2026-04-01T12:00:00Z")
        # R3: critical safety incident (15 days) from 03-01 00:00 -> due 03-16 00:00, reported 03-10: done.
        third = opened("Critical incident", "critical_safety_incident", "2026-03-01T00:00:00Z")
        actions.record_report(ledger, third, actor="os:bob", obligation_id="ca-sb53-incident",
                              reference="OES <i>7</i>", reported_at="2026-03-10T08:00:00Z")
    return store


EXPECTED = [  # review_id, obligation_id, due_at, left_or_overdue, state, reference
    ("R3", "ca-sb53-incident", "2026-03-16 00:00 UTC", "", "done", "OES <i>7</i>"),
    ("R2", "ca-sb53-imminent", "2026-04-02 12:00 UTC", "overdue by 12 h", "overdue", ""),
    ("R1", "eu-cop-cybersecurity", "2026-04-06 10:00 UTC", "82 h left", "due", ""),
]


def test_the_command_prints_the_clocks_at_the_end_of_a_past_day(incident_store):
    done = run_cli("--store", incident_store, "obligations", "--incidents", "--as-of", "2026-04-02")
    assert done.returncode == 0, done.stderr
    assert "note: hours left at the end of 2026-04-02 (2026-04-03 00:00 UTC)" in done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(row["review_id"], row["obligation_id"], row["due_at"], row["left_or_overdue"], row["state"],
             row["reference"]) for row in rows] == EXPECTED
    assert rows[1]["hours_left"] == "-12.0" and rows[2]["hours_left"] == "82.0" and rows[0]["hours_left"] == ""
    assert rows[2]["title"] == TITLE and rows[0]["done_at"] == "2026-03-10 08:00 UTC" and rows[0]["reported_by"] == "os:bob"
    assert {row["hours_left_at"] for row in rows} == {"2026-04-03 00:00 UTC"}
    assert rows[2]["jurisdiction"] == "EU" and rows[2]["aware_at"] == "2026-04-01 10:00 UTC"


def test_the_command_reads_now_by_default_and_refuses_a_missing_ledger(incident_store, tmp_path):
    done = run_cli("--store", incident_store, "obligations", "--incidents", "--format", "table")
    assert done.returncode == 0, done.stderr
    assert "(now)" in done.stderr
    # Read now (December 2026 or later), R1 and R2 are overdue; R3 stays done.
    assert [line.split()[0] for line in done.stdout.splitlines()[1:]] == ["R3", "R2", "R1"]
    assert done.stdout.count("overdue by") == 2
    missing = run_cli("--store", incident_store, "obligations", "--incidents", "--reviews", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 2 and "there is no reviews ledger at" in missing.stderr
    assert "Traceback" not in missing.stderr and not (tmp_path / "none.sqlite").exists()


def test_the_page_shows_the_clocks_beside_the_compute_clocks(incident_store):
    app = open_link(incident_store, PAGE, as_of="2026-04-02")
    assert [header.value for header in app.subheader][:2] == ["Clocks as of 2026-04-02", "Incident clocks"]
    table = app.dataframe[1].value
    # On screen a clock that is done says when it was reported (the command's column is empty).
    assert [(row.review_id, row.obligation_id, row.due_at, row.left_or_overdue, row.state, row.reference)
            for row in table.itertuples()] == [("R3", "ca-sb53-incident", "2026-03-16 00:00 UTC",
                                                "reported 2026-03-10 08:00 UTC", "done", "OES <i>7</i>"), *EXPECTED[1:]]
    assert table["review"].iloc[2] == f"{TITLE} (R1)"  # the title as text, beside its id
    assert any("hours left at the end of 2026-04-02 (2026-04-03 00:00 UTC)" in caption.value for caption in app.caption)
    # The compute clocks are unchanged by the incident rows (test_page_counts_rows_and_links's 14 clocks).
    assert len(app.dataframe[0].value) == 14


def test_the_page_reads_now_by_default_and_never_calls_a_past_time_ahead(incident_store):
    app = open_link(incident_store, PAGE)
    table = app.dataframe[1].value
    assert list(table["state"]) == ["done", "overdue", "overdue"]
    assert all(text.startswith("overdue by ") for text in table["left_or_overdue"][1:])
    assert any("(now)" in caption.value for caption in app.caption)


def test_before_any_incident_the_page_says_no_incident_review_is_open(incident_store):
    # At the end of 2026-02-15 the lab was not aware of any of the three incidents yet.
    app = open_link(incident_store, PAGE, as_of="2026-02-15")
    assert "No incident review is open" in app.info[-1].value
    assert len(app.dataframe) == 2  # the compute clocks and the rules: no incident table


@pytest.fixture(scope="module")
def incident_server(incident_store, tmp_path_factory):
    with streamlit_server(incident_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


@pytest.mark.browser
def test_the_incident_download_is_the_command_output(page, incident_server, incident_store):
    open_page(page, incident_server, "/obligations?as_of=2026-04-02")
    page.get_by_text("Incident clocks", exact=True).wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download incident-clocks.csv (3 clocks)").click()
    downloaded = open(download_info.value.path(), encoding="utf-8").read()
    assert download_info.value.suggested_filename == "incident-clocks-20260403T0000Z.csv"
    cli = run_cli("--store", incident_store, "obligations", "--incidents", "--as-of", "2026-04-02").stdout
    # The same rows and columns; the spreadsheet-safe CSV differs only where a cell starts like a formula.
    assert downloaded == cli


@pytest.mark.browser
def test_at_1440_px_no_incident_cell_is_cut(page, incident_server):
    open_page(page, incident_server, "/obligations?as_of=2026-04-02", width=1440, height=1800)
    grid = page.locator("[data-testid='stDataFrame']").nth(1)
    grid.locator("[data-testid='glide-cell-1-0']").wait_for(state="attached")
    widths, headers = column_widths(grid)
    assert headers == ["Review", "Obligation", "Where", "Due at (UTC)", "Left or reported", "State", "Report"]
    texts = []
    for row in range(3):
        for column in range(len(headers)):
            text = grid.locator(f"[data-testid='glide-cell-{column}-{row}']").text_content().strip()
            texts.append(text)
            if text:
                fit = assert_fits(page, headers[column], text, widths[column], 3)
                assert headers[column] != "Due at (UTC)" or fit["lines"] == 1, text
    assert f"{TITLE} (R1)" in texts and "82 h left" in texts and "reported 2026-03-10 08:00 UTC" in texts and "overdue by 12 h" in texts


@pytest.mark.browser
def test_printed_the_incident_clocks_keep_every_row_and_typed_text_stays_text(page, incident_server):
    open_page(page, incident_server, "/obligations?as_of=2026-04-02", width=1280, height=1800)
    page.locator("[data-testid='stDataFrame']").nth(1).locator("table[role='grid']").wait_for(state="attached")
    page.emulate_media(media="print")
    printed = page.locator("[class*='st-key-print-incidents'] table.print-table")
    assert printed.is_visible()
    assert printed.locator("tbody tr").count() == 3
    # What was typed into the reviews is shown as typed: no element made of it, no link followed.
    assert printed.get_by_text(TITLE, exact=True).is_visible()
    assert printed.get_by_text("OES <i>7</i>", exact=True).is_visible()
    assert printed.locator("b, i, a").count() == 0
    page.emulate_media(media="screen")


@pytest.mark.browser
def test_a_report_recorded_in_the_browser_marks_its_clock_done(page, incident_store, tmp_path):
    """On /review, the person at this machine (serve --single-user) records R2's report with the form:
    the page says so, the clock reads done late (R2 was overdue), and the reference shows as typed."""
    import shutil

    from dashboard import settings
    from dashboard.reviews.actions import os_actor
    from dashboard.reviews.ledger import ledger_location

    store = tmp_path / incident_store.name  # a copy: the other tests read R2 as never reported
    shutil.copy(incident_store, store)
    shutil.copy(ledger_location(None, incident_store), ledger_location(None, store))
    with streamlit_server(store, log_path=tmp_path / "streamlit.log", extra_env={settings.SINGLE_USER: "1"}) as server:
        open_page(page, server, "/review?id=R2", width=1280, height=1800)
        form = page.locator("[data-testid='stForm']").filter(has_text="Record a report")
        form.scroll_into_view_if_needed()
        # The one clock still running is chosen already.
        chosen = form.locator("[data-testid='stSelectbox'] input").input_value()
        assert chosen.startswith("ca-sb53-imminent: California SB 53"), chosen
        form.get_by_label("Reference (the filing's number, or where the report is kept)").fill("CalOES <b>42</b>")
        form.get_by_role("button", name="Record the report").click()
        page.get_by_text("Recorded the report under ca-sb53-imminent", exact=False).wait_for()
        wait_for_app(page)  # the message is drawn first; the tables below it are the last run's until the run ends
        wait_for_print_copies(page)
        page.emulate_media(media="print")  # the print copy of the clocks: plain text, readable here
        printed = page.locator("[class*='st-key-print-review-clocks'] table.print-table")
        row = printed.locator("tbody tr").filter(has_text="ca-sb53-imminent")
        assert "done_late" in row.inner_text() and row.get_by_text("CalOES <b>42</b>", exact=True).is_visible()
        assert printed.locator("b").count() == 0
        page.emulate_media(media="screen")
    with open_ledger(str(default_location(store))) as ledger:
        last = ledger.entries().iloc[-1]
    assert (last["kind"], last["recorded_by"]) == ("report", os_actor())
