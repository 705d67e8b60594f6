"""/corrections in headless Chromium against a `streamlit run` server on the hand-made pair of
tests/labdata.py (corrections_tables; the expected changes are worked out in tests/test_corrections.py):
both parts on the page, both CSV downloads equal to the command's output, a trajectory link followed,
and the messages for ids that name no kept snapshot."""
from __future__ import annotations

import pytest

from browsing import open_link_cell, open_page
from clirun import run_cli
from labdata import corrections_tables, publish_in_turn, write_folder
from waits import streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-corrections")
    a, b = corrections_tables()
    store = root / "store" / "lab.duckdb"
    store.parent.mkdir()
    older, newer = publish_in_turn(store, [write_folder(root / "a", a), write_folder(root / "b", b)])
    return {"store": store, "older": older, "newer": newer}


@pytest.fixture(scope="module")
def server(pair, tmp_path_factory):
    with streamlit_server(pair["store"], log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as running:
        yield running


def downloaded(page, name: str) -> str:
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download {name}").click()
    return open(download.value.path(), encoding="utf-8").read()


def test_both_parts_their_csv_and_a_trajectory_link(page, server, pair):
    open_page(page, server, f"/corrections?from={pair['older']}")
    # The latest's id and A's own date are written into the link.
    assert f"to={pair['newer']}" in page.url and "as_of=2025-06-02" in page.url
    headings = page.locator("[data-testid='stMain'] h3").all_inner_texts()
    assert headings[:2] == ["Consequences as of 2025-06-02", "Row changes"]
    frames = page.locator("[data-testid='stDataFrame']")
    # The consequences, the counts per table, then one table per input table (every one changed).
    assert frames.count() == 2 + 14
    # The consequences' own cell: another grid's cell of that name may be drawn first.
    consequence = frames.first.locator("[data-testid='glide-cell-2-0']")
    consequence.wait_for(state="attached")
    first_model = consequence.text_content()

    # The first model's trajectory on snapshot A, as of the date compared.
    frames.first.scroll_into_view_if_needed()
    trajectory = open_link_cell(page, 1)
    assert trajectory.url.endswith(f"/trajectory?model={first_model}&as_of=2025-06-02&snapshot={pair['older']}")
    assert trajectory.get_by_role("heading", name=first_model.title()).is_visible()
    trajectory.close()

    consequences = run_cli("--store", pair["store"], "corrections", "--from", pair["older"])
    assert downloaded(page, "consequences.csv") == consequences.stdout
    assert len(consequences.stdout.splitlines()) > 1 and first_model == consequences.stdout.splitlines()[1].split(",")[0]
    rows = run_cli("--store", pair["store"], "corrections", "--from", pair["older"], "--rows")
    assert downloaded(page, "row-changes.csv") == rows.stdout


@pytest.mark.parametrize("query, message", [
    ("from=20200101T000000Z-00000000", "the oldest kept is"),
    ("from=%3Cb%3Ehi%3C/b%3E", "is not a snapshot id"),
    ("", "from is missing"),
])
def test_ids_that_name_no_kept_snapshot_get_a_message(page, server, pair, query, message):
    open_page(page, server, f"/corrections?{query}")
    alert = page.locator("[data-testid='stAlert']").first.inner_text()
    assert message in alert
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_role("link", name="Open this page without the bad parameters").is_visible()


def test_from_newer_than_to_gets_a_message(page, server, pair):
    open_page(page, server, f"/corrections?from={pair['newer']}&to={pair['older']}")
    assert "is newer than" in page.locator("[data-testid='stAlert']").first.inner_text()
