"""The /obligations page and the overview's obligation counts (AppTest from deep links, one real browser
test for the CSV download), on the hand-made lab of tests/test_obligations.py."""
from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest

from dashboard.ingest import ingest
from dashboard.obligations import BUNDLED_OBLIGATIONS, attention_counts, time_left
from labdata import write_folder
from pagelinks import metrics, open_link, pinned
from test_obligations import lab_tables
from clirun import run_cli
from bench.server import wait_for_app
from browsing import metric_values, open_page

PAGE = "app_pages/obligations.py"


@pytest.fixture(scope="module")
def lab_store_obligations(tmp_path_factory):
    root = tmp_path_factory.mktemp("obligations-page")
    store = root / "lab.duckdb"
    tables = lab_tables()
    # A name that would be markup if it were rendered as Markdown or HTML: it must stay text.
    tables["models"][0]["name"] = "**First** <b>x</b> [link](http://example.com)"
    ingest(write_folder(root / "src", tables), store, progress=lambda _: None)
    return store



def test_time_left_in_words():
    assert time_left("overdue", -31, "after_crossing") == "31 days overdue"
    assert time_left("overdue", -1, "after_crossing") == "1 day overdue"
    assert time_left("due", 0, "after_crossing") == "due today"
    assert time_left("due", 13, "after_crossing") == "13 days left"
    assert time_left("due", pd.NA, "before_first_deployment") == "no due date yet: not deployed"
    assert time_left("projected", pd.NA, "after_crossing", dt.date(2026, 11, 22)) == "not crossed yet: projected 2026-11-22"
    assert time_left("done", -5, "after_crossing") == ""


def test_attention_counts():
    frame = pd.DataFrame({"state": ["overdue", "overdue", "due", "due", "due", "due", "done"],
                          "days_left": pd.array([-3, -1, 0, 14, 15, None, None], dtype="Int64")})
    # due within 14 days: 0 and 14 count; 15 and no date do not.
    assert attention_counts(frame) == (2, 2)


def test_page_counts_rows_and_links(lab_store_obligations):
    app = open_link(lab_store_obligations, PAGE, as_of="2026-04-01")
    # test_every_row_and_the_urgency_order: 10 overdue, 1 due, 2 done late, 1 done.
    assert metrics(app) == {"Overdue": "10", "Due": "1", "Projected": "0", "Done late": "2", "Done": "1"}
    table = app.dataframe[0].value
    assert list(table["model_id"][1:3]) == ["eff", "eff"] and list(table["state"][1:3]) == ["overdue", "overdue"]
    assert list(table["time_left"][1:3]) == ["178 days overdue", "168 days overdue"]  # 2025-10-05 and 10-15 to 04-01
    assert pinned(table["open"].iloc[1]) == "./trajectory?model=eff&as_of=2026-04-01"
    undeployed = table[(table["model_id"] == "undeployed") & (table["obligation_id"] == "ca")].iloc[0]
    assert undeployed["time_left"] == "no due date yet: not deployed"
    assert "**First** <b>x</b> [link](http://example.com)" in set(table["model_name"])  # shown as plain text


def test_page_filters_from_the_link(lab_store_obligations):
    app = open_link(lab_store_obligations, PAGE, as_of="2026-04-01", state="overdue", obligation="ca")
    # The counts stay the whole set's, the filters named beside them; the table is filtered.
    assert metrics(app) == {"Overdue": "10", "Due": "1", "Projected": "0", "Done late": "2", "Done": "1"}
    assert "Counts: all 14 clocks as of 2026-04-01. Filtered to state overdue; obligation ca: the table shows 1 of them." \
        in [caption.value for caption in app.caption]
    assert list(app.dataframe[0].value["model_id"]) == ["deployed"]


def test_page_due_soon_filter_from_the_link(lab_store_obligations):
    # As of 2025-10-05 (see the overview's count below): eff eu due in 10 days and eff int due today.
    app = open_link(lab_store_obligations, PAGE, as_of="2025-10-05", due_soon="true")
    table = app.dataframe[0].value
    assert sorted(zip(table["model_id"], table["obligation_id"])) == [("eff", "eu"), ("eff", "int")]
    assert list(table["time_left"]) == ["due today", "10 days left"]
    assert metrics(app)["Overdue"] == "2"  # the whole set's count
    assert "'soon' must be true or false" in open_link(lab_store_obligations, PAGE, due_soon="soon").error[0].value


def test_page_projected_rows(lab_store_obligations):
    app = open_link(lab_store_obligations, PAGE, as_of="2025-10-01", state="projected")
    table = app.dataframe[0].value
    assert list(zip(table["model_id"], table["obligation_id"], table["projected_on"].astype(str))) == [
        ("growing", "eu", "2025-10-04"), ("growing", "int", "2025-10-27"), ("growing", "ca", "2025-11-06")]


@pytest.mark.parametrize("params, message", [
    ({"state": "late"}, "state 'late' is not one of"),
    ({"obligation": "<b>eu</b>"}, "is not one of"),
    ({"as_of": "2026-02-30"}, "not a real calendar date"),
])
def test_page_bad_links_get_a_clear_message(lab_store_obligations, params, message):
    app = open_link(lab_store_obligations, PAGE, **params)
    assert message in app.error[0].value
    assert not app.dataframe


def test_page_without_obligations_says_so(lab_store):
    app = open_link(lab_store, PAGE)
    assert "holds no obligations" in app.info[0].value
    assert not app.metric


def test_overview_counts_overdue_and_due_within_14_days(lab_store_obligations):
    # As of 2025-10-05: first eu overdue (due 09-15), odd eu overdue (due 10-04); eff eu due 10-15
    # (10 days), eff int due today (0); early eu done late. -> 2 overdue, 2 due within 14 days.
    app = open_link(lab_store_obligations, as_of="2025-10-05")
    links = {element.proto.label: element.proto.query_string for element in app.get("page_link")}
    # Each figure opens the rows it counts.
    assert pinned(links["Obligations: 2 overdue"]) == "state=overdue&as_of=2025-10-05"
    assert pinned(links["2 due within 14 days"]) == "due_soon=true&as_of=2025-10-05"


def test_overview_without_obligations_shows_no_count(lab_store):
    app = open_link(lab_store)
    # (the sidebar's list of pages links "Obligations" itself; the overview's figures read "Obligations: N ...")
    assert not [element for element in app.get("page_link") if "Obligations:" in element.proto.label
                or "due within" in element.proto.label]


@pytest.fixture(scope="module")
def obligations_server(lab_store_obligations, tmp_path_factory):
    from waits import streamlit_server

    with streamlit_server(lab_store_obligations, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


def download(page, name: str) -> str:
    with page.expect_download() as download_info:
        page.get_by_role("button", name=name).click()
    return open(download_info.value.path(), encoding="utf-8").read()


@pytest.mark.browser
def test_the_download_is_the_cli_output(page, obligations_server, lab_store_obligations):
    open_page(page, obligations_server, "/obligations?as_of=2026-04-01")
    assert page.get_by_text("Clocks as of 2026-04-01", exact=True).is_visible()
    downloaded = download(page, "Download obligations.csv (14 clocks)")
    cli = run_cli("--store", lab_store_obligations, "obligations", "--as-of", "2026-04-01").stdout
    assert downloaded == cli


@pytest.mark.browser
def test_a_filter_keeps_the_counts_and_offers_the_rows_shown_and_all(page, obligations_server, lab_store_obligations):
    open_page(page, obligations_server, "/obligations?as_of=2026-04-01")
    whole = {"Overdue": "10", "Due": "1", "Projected": "0", "Done late": "2", "Done": "1"}
    assert metric_values(page) == whole
    # Pick the state "overdue" in the sidebar's filter, as a person does.
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="overdue").click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => new URL(location.href).searchParams.get('state') === 'overdue'")
    page.get_by_text("Filtered to state overdue: the table shows 10 of them.").wait_for()
    wait_for_app(page)
    assert metric_values(page) == whole  # the tiles stay the whole set's
    cli = run_cli("--store", lab_store_obligations, "obligations", "--as-of", "2026-04-01").stdout
    header, *rows = cli.splitlines(keepends=True)
    state = next(csv.reader([header])).index("state")
    overdue = [row for row in rows if next(csv.reader([row]))[state] == "overdue"]
    assert len(overdue) == 10
    assert download(page, "Download the 10 clocks shown (obligations.csv)") == header + "".join(overdue)
    wait_for_app(page)  # a download's click reruns the page
    assert download(page, "Download all 14 clocks") == cli


@pytest.mark.browser
def test_the_overview_figure_opens_the_clocks_due_within_14_days(page, obligations_server):
    open_page(page, obligations_server, "/?as_of=2025-10-05")
    page.get_by_role("link", name="2 due within 14 days").click()
    page.wait_for_url("**/obligations?**")
    wait_for_app(page)
    assert "due_soon=true" in page.url and "as_of=2025-10-05" in page.url
    page.locator("[data-testid='stDataFrame'] table[role='grid']").first.wait_for(state="attached")
    grid = page.locator("[data-testid='stDataFrame'] table[role='grid']").first
    assert grid.get_attribute("aria-rowcount") == "3"  # eff's eu (10 days left) and int (due today), and the header
    assert page.get_by_label("Due within 14 days", exact=True).is_checked()  # the filter shows on


def test_public_data_says_records_are_not_public(tmp_path_factory):
    from dashboard.sqlfiles import REPO_ROOT

    store = tmp_path_factory.mktemp("public-obligations") / "public.duckdb"
    ingest(REPO_ROOT / "data" / "public", store, progress=lambda _: None, dataset="public")
    app = open_link(store, PAGE)
    assert "holds no obligation records" in app.warning[0].value
    # The compute clocks' rows and DESIGN 12's incident rows (no incident review here: no incident table).
    assert set(app.dataframe[1].value["obligation_id"]) == {row["obligation_id"] for row in BUNDLED_OBLIGATIONS}
    assert "No incident review is open" in app.info[-1].value
