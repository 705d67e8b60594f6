"""Real-browser tests: headless Chromium (Playwright) against a `streamlit run` server the tests
start on a free port, asserting what a person sees."""
from __future__ import annotations

import re
import urllib.parse

import pytest

from browsing import DEFAULT_VIEWPORT, give_tab_back, metric_values, open_page, take_tab
from clirun import run_cli
from waits import WAIT_MS, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab_server(lab_store, tmp_path_factory):
    with streamlit_server(lab_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


def test_overview_shows_counts_chart_and_table(page, lab_server):
    open_page(page, lab_server, "/?as_of=2025-06-01")
    assert metric_values(page)["Buffer breached"] == "1"
    assert metric_values(page)["Never evaluated"] == "3"
    page.wait_for_selector(".js-plotly-plot")
    assert page.get_by_text("Buffer map").first.is_visible()
    assert page.locator(".js-plotly-plot").count() >= 2
    assert page.get_by_text("Status of every model").is_visible()
    assert "viewing as of 2025-06-01" in page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()


def test_trajectory_deep_link_reopens_the_view(page, lab_server):
    open_page(page, lab_server, "/trajectory?model=on-track&as_of=2025-06-01")
    page.wait_for_selector(".js-plotly-plot")
    values = metric_values(page)
    assert values["Status"] == "On track"
    assert values["Multiple since last clean eval"] == "2.00x"
    assert values["Days since last clean eval"] == "22"
    assert page.get_by_role("heading", name="On-Track").is_visible()
    assert "Effective compute of On-Track" in page.locator(".js-plotly-plot").first.inner_text()
    # The URL still carries the view (bound query parameters).
    assert "model=on-track" in page.url and "as_of=2025-06-01" in page.url


def test_bad_link_shows_a_message_not_a_traceback(page, lab_server):
    open_page(page, lab_server, "/trajectory?model=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    alert = page.locator("[data-testid='stAlert']").first
    assert "is unknown in this snapshot" in alert.inner_text()
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0


def test_navigation_lists_the_three_pages(page, lab_server):
    # Opened straight on a sub-page: st.navigation must own the routing (not a legacy pages/ folder).
    open_page(page, lab_server, "/trajectory?model=on-track")
    nav = page.locator(".st-key-page_menu").inner_text()
    assert "Overview" in nav and "Trajectory" in nav and "Reclassify" in nav and "Reviews" in nav
    assert "app" not in nav.split()
    assert "Review\n" not in nav + "\n"  # one review is opened from the list, never from the menu


@pytest.fixture(scope="module")
def reclassify_server(reclassify_store, tmp_path_factory):
    with streamlit_server(reclassify_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


def test_reclassify_link_figures_and_csv_download(page, reclassify_server, reclassify_store):
    open_page(page, reclassify_server, "/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01")
    values = metric_values(page)
    assert values["Emergency review"] == "2" and values["Monthly requests at risk"] == "7,050"
    assert page.get_by_text("Minimum additional safeguards").first.is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download at-risk.csv").click()
    downloaded = open(download_info.value.path(), encoding="utf-8").read()
    cli = run_cli("--store", reclassify_store, "at-risk", "--model", "base", "--asl", "3", "--domain", "cbrn",
                  "--as-of", "2025-06-01").stdout
    assert downloaded == cli  # no cell here starts with a formula character, so the two are identical
    assert downloaded.splitlines()[1].startswith("d1,base,c1,Acme Bio,")


def test_a_filtered_reclassify_link_prints_and_downloads_the_rows_shown(page, reclassify_server, reclassify_store):
    # The print copy is kept per filter, and the download reads the filtered rows when clicked: both
    # are the two add_safeguards rows of the command line's six, never the unfiltered set seen before.
    cli = run_cli("--store", reclassify_store, "at-risk", "--model", "base", "--asl", "3", "--domain", "cbrn",
                  "--as-of", "2025-06-01").stdout.splitlines()
    action = cli[0].split(",").index("action")
    wanted = [cli[0]] + [line for line in cli[1:] if line.split(",")[action] == "add_safeguards"]
    assert 0 < len(wanted) - 1 < len(cli) - 1
    for link in ("/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01",
                 "/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01&action=add_safeguards"):
        open_page(page, reclassify_server, link)
    assert page.locator(".st-key-print-deployments tbody tr").count() == len(wanted) - 1
    with page.expect_download() as download_info:
        page.get_by_role("button", name=f"Download the {len(wanted) - 1} deployments shown (at-risk.csv)").click()
    assert open(download_info.value.path(), encoding="utf-8").read().splitlines() == wanted


@pytest.fixture(scope="module")
def public_server(tmp_path_factory):
    from dashboard.ingest import ingest
    from dashboard.sqlfiles import REPO_ROOT

    store = tmp_path_factory.mktemp("public") / "public.duckdb"
    ingest(REPO_ROOT / "data" / "public", store, progress=lambda _: None, dataset="public")
    with streamlit_server(store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


def test_public_data_set_overview(page, public_server):
    open_page(page, public_server, "/")
    header = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
    assert "Data set public" in header
    assert page.get_by_text("no algorithmic multiplier is applied").first.is_visible()
    assert page.get_by_text("holds no capability evaluations").first.is_visible()
    # The frontier overlay is on by default for the public data set.
    assert "public: OpenAI" in page.locator(".js-plotly-plot").first.inner_text() or \
        page.get_by_text("against the public frontier").first.is_visible()
    # DESIGN 4a: the 8 models with an announced level but no compute (no checkpoint) are no_checkpoint.
    assert metric_values(page)["Never evaluated"] == "512" and metric_values(page)["No checkpoint yet"] == "8"


def test_the_shared_tab_is_left_as_a_new_one_is(browser, lab_server):
    """conftest's `page` hands every browser test of a worker the same tab: what one test changed
    (size, print media, dark scheme, storage, cookies, another tab) must not reach the next, and a
    failed test's tab is not handed out again."""
    held = {}
    try:
        tab = take_tab(held, browser)
        open_page(tab, lab_server, "/?as_of=2025-06-01")
        tab.set_viewport_size({"width": 390, "height": 844})
        tab.emulate_media(media="print", color_scheme="dark")
        tab.evaluate("() => { localStorage.setItem('left', 'behind'); sessionStorage.setItem('left', 'behind'); }")
        tab.context.add_cookies([{"name": "left", "value": "behind", "url": lab_server.url}])
        tab.context.new_page()
        give_tab_back(held, failed=False)
        again = take_tab(held, browser)
        assert again is tab and again.url == "about:blank" and again.context.pages == [again]
        assert again.viewport_size == DEFAULT_VIEWPORT and again.context.cookies() == []
        open_page(again, lab_server, "/?as_of=2025-06-01")
        assert again.evaluate("() => [matchMedia('print').matches, matchMedia('(prefers-color-scheme: dark)').matches,"
                              " localStorage.getItem('left'), sessionStorage.getItem('left')]") == [False, False, None, None]
        give_tab_back(held, failed=True)
        assert held == {} and tab.is_closed()
        assert take_tab(held, browser) is not tab
    finally:
        if held.get("context"):
            held["context"].close()


def test_public_data_set_models_are_not_drawn_as_the_labs_own_and_cbrn_can_be_tried(page, public_server):
    """On the public data set the models are the public models: the frontier chart draws them once, as
    the frontier (no "this lab's models" over it); the buffer map is empty (no model has a clean
    evaluation), so no "click a point" under it; and the incident flow takes the domain cbrn, which
    the data set's policies require (a reclassification with a domain opens, not refused)."""
    open_page(page, public_server, "/")
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("The public frontier").first.wait_for()
    legends = " ".join(page.locator(".js-plotly-plot .legend").all_text_contents())
    assert "public: OpenAI" in legends and "this lab's models" not in legends
    assert "Click a point" not in main.inner_text()
    assert "no model here has a clean evaluation yet" in main.inner_text()
    open_page(page, public_server, "/reclassify?model=claude-haiku-4-5&asl=3&domain=cbrn")
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "not a known capability domain" not in text
    assert "after a cbrn trigger" in text


# --- /trajectory: on the hand-made lab of tests/labdata.py (status_lab_tables, as of
# its snapshot date 2025-06-02): opened without a model it shows the most urgent one and names it in the
# address bar; a preliminary evaluation that triggered is drawn, and its hover says it is preliminary.
#
# By hand: the status table's order is severity, then model_id. The only triggered model is `triggered`
# (severity 1), so it comes first. The model `inconclusive` has a preliminary cbrn evaluation that
# triggered at step 200 (checkpoint 2025-05-10, 2e24, completed 2025-05-12): drawn on 2025-05-12 at 2e24,
# where no other point is (the checkpoint's own point and the flat line from it start on 2025-05-10).

# The page position of every point of the trace whose legend name starts with the given text.
_TRACE_POINTS_JS = """
(plot, name) => {
  const layout = plot._fullLayout, box = plot.getBoundingClientRect(), out = [];
  (plot.calcdata || []).forEach((trace, curve) => {
    const full = plot._fullData[curve];
    if (!full || !String(full.name).startsWith(name)) return;
    const xa = layout.xaxis, ya = layout.yaxis;
    trace.forEach((point) => out.push([box.left + xa.c2p(point.x) + xa._offset, box.top + ya.c2p(point.y) + ya._offset]));
  });
  return out;
}
"""


def test_trajectory_without_a_model_opens_the_most_urgent_one(page, lab_server):
    open_page(page, lab_server, "/trajectory")
    page.get_by_role("heading", name="Triggered").wait_for(timeout=WAIT_MS)
    page.wait_for_function("() => new URL(location.href).searchParams.get('model') === 'triggered'", timeout=WAIT_MS)
    assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["model"] == ["triggered"]
    assert page.locator(".js-plotly-plot").count() >= 1  # the chart is drawn, not "choose a model"
    # The URL now reopens the same view.
    open_page(page, lab_server, "/trajectory?" + urllib.parse.urlparse(page.url).query)
    page.get_by_role("heading", name="Triggered").wait_for(timeout=WAIT_MS)


def test_a_preliminary_trigger_is_drawn_and_its_hover_says_it_is_preliminary(page, lab_server):
    open_page(page, lab_server, "/trajectory?model=inconclusive")
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for(timeout=WAIT_MS)
    plot.scroll_into_view_if_needed()
    legend = plot.locator(".legend").text_content()
    assert "preliminary evaluation triggered (no round: status unchanged)" in legend
    points = plot.evaluate(_TRACE_POINTS_JS, "preliminary evaluation triggered")
    assert len(points) == 1
    x, y = points[0]
    page.mouse.move(x, y)
    hover = plot.locator(".hoverlayer")
    page.wait_for_function("(plot) => /preliminary evaluation triggered/.test(plot.querySelector('.hoverlayer').textContent)",
                           arg=plot.element_handle(), timeout=WAIT_MS)
    text = hover.text_content()
    assert "cbrn" in text and "inconclusive-200-preliminary-cbrn" in text
    assert re.search(r"does not change the\s*status", text), text
    assert "completed 2025-05-12" in text
    # The page says it too, next to the chart.
    assert "a preliminary evaluation that triggered (1)" in page.locator("[data-testid='stMain']").inner_text()
