"""/changes in headless Chromium against a `streamlit run` server on the hand-made lab of
tests/changes_lab.py (the expected events are worked out in tests/test_changes.py)."""
from __future__ import annotations

import pytest

from changes_lab import changes_tables
from dashboard import display
from dashboard.ingest import ingest
from pagelinks import pinned
from bench.server import wait_for_app
from browsing import metric_values, open_link_cell, open_page
from labdata import write_folder
from waits import streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def changes_store(tmp_path_factory):
    folder = write_folder(tmp_path_factory.mktemp("browser-changes-src") / "lab", changes_tables())
    store = tmp_path_factory.mktemp("browser-changes") / "lab.duckdb"
    ingest(folder, store, progress=lambda _: None, dataset="changes-lab")
    return store


@pytest.fixture(scope="module")
def server(changes_store, tmp_path_factory):
    with streamlit_server(changes_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as running:
        yield running


def test_counts_breaches_and_a_link_to_the_trajectory(page, server, changes_store, capsys):
    open_page(page, server, "/changes?since=2025-06-01&as_of=2025-06-03")
    assert metric_values(page) == {"Breaches (rule 2d)": "2", "Status changes": "1", "ASL changes": "0",
                                   "Regulatory lines": "0", "Evaluation rounds": "1", "Decisions": "0"}
    assert "2 deployment(s) started on a model with an open triggered evaluation" in \
        page.locator("[data-testid='stAlert']").first.inner_text()
    page.wait_for_selector("[data-testid='glide-cell-0-0']", state="attached")
    rows = [[page.locator(f"[data-testid='glide-cell-{column}-{row}']").text_content() for column in range(7)]
            for row in range(page.locator("[data-testid='stDataFrame'] tbody tr").count())]
    # Newest first: alpha's round, beta-d1 (a breach), alpha's status change, alpha-d2 (a breach).
    # Columns on screen: link, breach, date, kind, model ("Name (id)"), change (before -> after), detail.
    rows = [[pinned(row[0]), *row[1:]] for row in rows]
    assert rows == [
        ["./trajectory?model=alpha&as_of=2025-06-03", "", "2025-06-03", "evaluation_round", "Alpha (alpha)", "triggered", "cbrn"],
        ["./trajectory?model=beta&as_of=2025-06-03", "breach", "2025-06-03", "onboarding_while_triggered", "Beta (beta)", "",
         "beta-d1 (customer c1 Customer One)"],
        ["./trajectory?model=alpha&as_of=2025-06-03", "", "2025-06-03", "status_change", "Alpha (alpha)", "on_track → triggered", ""],
        ["./trajectory?model=alpha&as_of=2025-06-02", "breach", "2025-06-02", "onboarding_while_triggered", "Alpha (alpha)", "",
         "alpha-d2 (first-party consumer)"],
    ]

    # Clicking "open" on beta-d1's row opens beta's trajectory as of the event date.
    trajectory = open_link_cell(page, 2, row_height=display.wrapped_row_height(3))  # rows of three lines
    assert pinned(trajectory.url).endswith("/trajectory?model=beta&as_of=2025-06-03")
    assert trajectory.get_by_role("heading", name="Beta").is_visible()
    assert "viewing as of 2025-06-03" in trajectory.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()

    # The CSV download holds what the command line prints.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download changes.csv").click()
    downloaded = open(download.value.path(), encoding="utf-8").read()
    from dashboard.cli import main

    assert main(["--store", str(changes_store), "changes", "--since", "2025-06-01", "--as-of", "2025-06-03"]) == 0
    assert downloaded == capsys.readouterr().out
    assert download.value.suggested_filename == "changes-2025-06-01-2025-06-03.csv"


def test_default_window_is_the_week_before_the_as_of_date(page, server):
    open_page(page, server, "/changes?as_of=2025-06-10")
    assert "Events after 2025-06-03, up to and including 2025-06-10" in page.get_by_text("Events after").inner_text()
    # (06-03, 06-10]: alpha-d1, gamma-d1 and alpha-d3 are breaches (see tests/test_changes.py).
    assert metric_values(page)["Breaches (rule 2d)"] == "3"


@pytest.mark.parametrize("query, message", [
    ("since=2025-06-10&as_of=2025-06-10", "is not before the as-of date 2025-06-10"),
    ("since=2025-07-01&as_of=2025-06-10", "is not before the as-of date"),
    ("since=2020-01-01", "is before the data: its first date is 2025-01-01"),
    ("since=%3Cscript%3Ealert(1)%3C/script%3E", "is not a date"),
])
def test_bad_windows_show_a_message(page, server, query, message):
    open_page(page, server, f"/changes?{query}")
    alert = page.locator("[data-testid='stAlert']").first
    assert message in alert.inner_text().replace("\u2060", "")  # md_escape's invisible word joiner after ":"
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stDataFrame']").count() == 0


def test_since_shows_the_date_in_use_and_applies_a_typed_date_on_enter(page, server):
    open_page(page, server, "/changes?as_of=2025-06-10")
    since = page.get_by_label("Since (excluded)", exact=True)
    assert since.input_value() == "2025-06-03"  # the default window's start, shown where it is set
    since.click()
    since.press("Control+a")
    since.press_sequentially("2025-06-01")
    since.press("Enter")  # focus stays in the field: Enter alone applies the date
    page.wait_for_function("() => new URL(location.href).searchParams.get('since') === '2025-06-01'")
    page.get_by_text("Events after 2025-06-01, up to and including 2025-06-10").wait_for()
    wait_for_app(page)  # the run that applied it has finished drawing every tile
    assert since.input_value() == "2025-06-01"
    # (06-01, 06-10]: the two breaches of (06-01, 06-03] and the three of (06-03, 06-10].
    assert metric_values(page)["Breaches (rule 2d)"] == "5"
