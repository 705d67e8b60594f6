"""In a real browser: what a person clicks, reads and copies on the demo data
(headless Chromium against a `streamlit run` server the tests start; see tests/test_browser.py)."""
from __future__ import annotations

import urllib.parse

import pytest

from dashboard import display

from pagelinks import pinned
from bench.server import wait_for_app
import browsing
from browsing import open_link_cell
from clirun import run_cli
from waits import new_context

pytestmark = pytest.mark.browser

SNAPSHOT_DATE = "2026-11-20"  # the demo data's own date


def open_page(page, server, path, *, width=1440, height=900):
    """browsing.open_page at this file's default size, the screenshots' 1440 x 900."""
    return browsing.open_page(page, server, path, width=width, height=height)


def url_params(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


def buffer_map_point(page):
    """A marker of the overview's buffer map, as drawn in the DOM, that no other marker overlaps,
    with the model id it carries."""
    points = browsing.buffer_map_markers(page)
    markers = [point for point in points if point["id"]]
    for point in markers:
        if all(abs(point["x"] - other["x"]) + abs(point["y"] - other["y"]) > 20 for other in points if other is not point):
            return point
    raise AssertionError("every marker on the buffer map overlaps another")


def test_clicking_a_point_on_the_buffer_map_opens_that_models_trajectory(page, demo_server, demo_store):
    # The click once broke the page (StreamlitAPIException: 'as_of' is bound to a widget).
    open_page(page, demo_server, "/?as_of=2026-10-01&policy=rsp-v1.0")
    point = buffer_map_point(page)
    model_id = point["id"]
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("() => location.pathname === '/trajectory'")
    wait_for_app(page)
    assert urllib.parse.urlparse(page.url).path == "/trajectory"
    assert pinned(page.url) and {key: value for key, value in url_params(page).items() if key != "snapshot"} == \
        {"model": [model_id], "as_of": ["2026-10-01"], "policy": ["rsp-v1.0"]}
    from dashboard.store import snapshot

    name = snapshot(demo_store).query("model_detail", model_id=model_id).iloc[0]["name"]
    assert page.locator("h1").first.inner_text().strip() == name
    header = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
    assert "viewing as of 2026-10-01" in header and "policy: Anthropic RSP v1.0" in header  # its name, not its id
    assert page.get_by_text("Something went wrong").count() == 0


def test_address_bar_keeps_the_as_of_date(page, demo_server):
    # A pinned link at the snapshot's own date once lost as_of from the address bar
    # (Streamlit drops a bound widget's default), so a URL copied later read another date.
    open_page(page, demo_server, f"/trajectory?model=aster-2&as_of={SNAPSHOT_DATE}")
    page.wait_for_timeout(500)
    assert url_params(page)["as_of"] == [SNAPSHOT_DATE]
    # Opened without a date, the address bar names the snapshot's date: the copy reads the same later.
    open_page(page, demo_server, "/")
    page.wait_for_timeout(500)
    assert url_params(page)["as_of"] == [SNAPSHOT_DATE]


def test_lineage_link_carries_the_view(page, demo_server):
    # A link to another page keeps as_of and policy in the address bar it opens.
    open_page(page, demo_server, "/trajectory?model=aster-1-nano&as_of=2026-09-01&policy=fsf-v1.0")
    page.get_by_role("link", name="Parent:").first.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('model') === 'aster-1'")
    wait_for_app(page)
    page.wait_for_timeout(500)
    params = url_params(page)
    assert params["as_of"] == ["2026-09-01"] and params["policy"] == ["fsf-v1.0"]
    assert "viewing as of 2026-09-01" in page.locator(
        "[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()


# --- Item 6: attention first, within the first screen at 1280x720 ------------------------------


def test_overview_attention_first_at_1280x720(page, demo_server):
    open_page(page, demo_server, f"/?as_of={SNAPSHOT_DATE}", width=1280, height=720)
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.locator(".scatterlayer .trace").first.wait_for()
    box = chart.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 720, box  # the whole map, no scrolling
    # Each count tile is drawn in the colour the map gives that status.
    markers = chart.locator(".js-plotly-plot").evaluate(
        "gd => Object.fromEntries(gd.data.filter(t => t.mode === 'markers').map(t => [t.name, t.marker.color]))")
    tiles = page.locator("[class*='st-key-count-']")
    colours = {}
    for index in range(tiles.count()):
        tile = tiles.nth(index)
        label = tile.locator("[data-testid='stMetricLabel']").inner_text().strip()
        colours[label] = tile.evaluate("el => getComputedStyle(el).borderLeftColor")
        assert tile.bounding_box()["y"] + tile.bounding_box()["height"] <= 720
    assert markers and set(markers) <= set(colours)
    for name, hex_colour in markers.items():
        rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        assert colours[name] == f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})", name
    # The models that need attention are named on the map itself, not only in hovers.
    names = chart.locator(".annotation-text").evaluate_all("els => els.map(el => el.textContent)")
    assert "Cobalt 2" in names and "Cobalt 3" in names  # buffer breached; triggered


# --- Item 10: exports are what is shown ------------------------------------------------------------


def test_downloads_hold_what_is_shown_and_the_full_set_beside(page, demo_server, demo_store):
    open_page(page, demo_server, f"/?as_of={SNAPSHOT_DATE}&status=eval_overdue")
    with page.expect_download() as shown_info:
        page.get_by_role("button", name="Download the 6 models shown").click()
    shown = open(shown_info.value.path(), encoding="utf-8").read().splitlines()
    assert len(shown) == 1 + 6 and all(line.endswith(",eval_overdue") for line in shown[1:])
    # A download does not rerun the page (on_click="ignore"): a rerun used to drop the file a click had
    # asked for, so a quick second click sometimes downloaded nothing. The next click comes at once.
    with page.expect_download() as all_info:
        page.get_by_role("button", name="Download all 48 models").click()
    everything = open(all_info.value.path(), encoding="utf-8").read()
    cli = run_cli("--store", demo_store, "status", "--as-of", SNAPSHOT_DATE).stdout
    assert everything == cli and shown[0] == cli.splitlines()[0]
    # The table's own CSV icon (a third version) is not offered.
    page.locator("[data-testid='stDataFrame']").first.hover()
    page.wait_for_timeout(300)
    assert page.get_by_role("button", name="Download as CSV").filter(visible=True).count() == 0


# --- Item 8: nothing drawn over anything else, at three widths ------------------------------------


def boxes(chart, selector):
    return chart.locator(selector).evaluate_all(
        "els => els.map(el => { const b = el.getBoundingClientRect(); "
        "return {x: b.x, y: b.y, w: b.width, h: b.height, text: el.textContent}; })"
        ".filter(b => b.w > 0 && b.h > 0)")


def overlap(a, b) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


@pytest.mark.parametrize("width, height", [(1440, 900), (1280, 720), (390, 844)])
def test_no_overlaps_on_the_charts(page, demo_server, width, height):
    for path in (f"/?as_of={SNAPSHOT_DATE}", f"/trajectory?model=cobalt-3&as_of={SNAPSHOT_DATE}"):
        open_page(page, demo_server, path, width=width, height=height)
        charts = page.locator("[data-testid='stPlotlyChart']")
        charts.first.locator(".main-svg").first.wait_for()
        page.wait_for_timeout(800)
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            chart.hover()  # shows the toolbar
            page.wait_for_timeout(200)
            titles, legends = boxes(chart, ".gtitle"), boxes(chart, ".legend")
            toolbar = boxes(chart, ".modebar")
            for legend in legends:
                assert not any(overlap(legend, title) for title in titles), (path, width, "legend over title")
                assert not any(overlap(legend, bar) for bar in toolbar), (path, width, "legend over toolbar")
            labels = boxes(chart, ".annotation-text")
            days = [label for label in labels if "days" in label["text"]]
            if len(days) == 2:  # the buffer map's 0.75 T and T labels
                assert not overlap(days[0], days[1]), (width, "day labels")
                points = boxes(chart, ".scatterlayer .point")
                assert not any(overlap(label, point) for label in days for point in points), (width, "labels on markers")
            rules = [label for label in labels if "training FLOP" in label["text"] or "SB 53" in label["text"]]
            projected = [label for label in labels if label["text"].startswith(("next evaluation:", "buffer edge:"))]
            assert not any(overlap(rule, other) for rule in rules for other in projected), (path, width, "rule labels")


# --- Item 11: the viewer's theme, print, keyboard ----------------------------------------------------


def luminance(css_colour: str) -> float:
    parts = [float(value) for value in css_colour[css_colour.index("(") + 1:-1].split(",")[:3]]
    return (0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]) / 255


def test_follows_a_dark_setting(browser, demo_server):
    context = new_context(browser, color_scheme="dark", viewport={"width": 1280, "height": 720})
    page = context.new_page()
    open_page(page, demo_server, f"/?as_of={SNAPSHOT_DATE}", width=1280, height=720)
    background = page.locator("[data-testid='stApp']").evaluate("el => getComputedStyle(el).backgroundColor")
    text = page.locator("h1").first.evaluate("el => getComputedStyle(el).color")
    assert luminance(background) < 0.2 and luminance(text) > 0.7
    context.close()


def test_print_layout_hides_the_controls_and_keeps_whole_tables(page, demo_server):
    open_page(page, demo_server, f"/?as_of={SNAPSHOT_DATE}")
    page.locator("[class*='st-key-print-status'] table").wait_for(state="attached")
    page.emulate_media(media="print")
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert not page.locator("[data-testid='stDataFrame']").first.is_visible()
    printed = page.locator("[class*='st-key-print-status'] table")
    assert printed.is_visible()
    assert printed.locator("tbody tr").count() == 48  # every model, not ten rows of a scrolling grid
    page.emulate_media(media="screen")
    assert not printed.is_visible()


def test_keyboard_reaches_the_downloads_in_a_few_tab_stops(page, demo_server):
    open_page(page, demo_server, f"/?as_of={SNAPSHOT_DATE}")
    page.locator("[data-testid='stDownloadButton']").first.wait_for()
    for presses in range(1, 26):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('[data-testid=stDownloadButton]')"):
            break
    else:
        raise AssertionError("no download button within 25 tab stops")
    assert "status.csv" in page.evaluate("() => document.activeElement.innerText")


# --- What a person does with a link: copy it from the address bar, open it elsewhere ----------------


def test_a_link_copied_from_the_address_bar_reopens_the_view_in_a_fresh_browser(page, browser, demo_server):
    """A filtered overview: the URL in the address bar, opened in a new browser context (no shared
    session or cookies), shows the same filters and the same counts."""
    open_page(page, demo_server, "/?as_of=2025-09-15&status=eval_overdue&status=eval_due_soon")
    page.wait_for_timeout(500)
    copied = page.url
    first = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    context = new_context(browser, viewport={"width": 1280, "height": 720})
    try:
        fresh = context.new_page()
        fresh.goto(copied)
        wait_for_app(fresh)
        assert url_params(fresh)["as_of"] == ["2025-09-15"]
        assert sorted(url_params(fresh)["status"]) == ["eval_due_soon", "eval_overdue"]
        assert fresh.locator("[data-testid='stMetricValue']").all_inner_texts() == first
        assert "viewing as of 2025-09-15" in fresh.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
    finally:
        context.close()


def test_the_open_link_of_an_obligation_opens_that_models_trajectory(page, demo_server):
    """/obligations: "open" in the first row's Trajectory cell opens that model's page as of the view's date."""
    page.set_viewport_size({"width": 1440, "height": 900})
    open_page(page, demo_server, f"/obligations?as_of={SNAPSHOT_DATE}")
    trajectory = open_link_cell(page, 1, row_height=display.wrapped_row_height(4))  # rows of four lines
    # The most urgent clock on the demo's date: cobalt-3's EU notification, overdue.
    assert pinned(trajectory.url).endswith(f"/trajectory?model=cobalt-3&as_of={SNAPSHOT_DATE}")
    assert trajectory.get_by_role("heading", name="Cobalt 3").is_visible()


def test_the_timeline_opens_an_event_as_of_its_date_and_the_evaluations_download(page, demo_server, demo_store):
    """/trajectory: "open" in the timeline's third row (cobalt-3 crossing the SB 53 line on 2026-11-14)
    opens the model's page as of that date; the sidebar's evaluations download holds every evaluation
    up to the view's date with every number in full, as the store has them."""
    import io

    import pandas as pd

    from dashboard.export import to_download_csv
    from dashboard.store import snapshot

    open_page(page, demo_server, f"/trajectory?model=cobalt-3&as_of={SNAPSHOT_DATE}")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download evaluations.csv (21 rows)").click()
    downloaded = open(download_info.value.path(), encoding="utf-8").read()
    expected = snapshot(demo_store).query("model_evaluations", model_id="cobalt-3", as_of=SNAPSHOT_DATE)
    assert downloaded == to_download_csv(expected)
    assert len(pd.read_csv(io.StringIO(downloaded))) == 21
    page.locator("[data-testid='stDataFrame']").first.scroll_into_view_if_needed()
    event = open_link_cell(page, 3)
    assert pinned(event.url).endswith("/trajectory?model=cobalt-3&as_of=2026-11-14")
    assert "viewing as of 2026-11-14" in event.locator(
        "[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
    assert event.get_by_role("heading", name="Cobalt 3").is_visible()


def test_the_view_and_the_filters_open_from_the_sidebar_and_change_the_view(page, demo_server):
    """The as-of date and policy, and the overview's filters, sit behind buttons that say what is in
    use: open one, change a value, and the page, the address bar and the button follow."""
    open_page(page, demo_server, "/")
    sidebar = page.get_by_test_id("stSidebar")
    view_button = sidebar.get_by_role("button", name=f"As of {SNAPSHOT_DATE} · each model's own policy")
    assert view_button.is_visible()
    assert page.get_by_test_id("stDateInput").count() == 0  # not drawn until the button is opened
    view_button.click()
    assert page.get_by_role("spinbutton", name="year, As of").inner_text() == SNAPSHOT_DATE[:4]
    page.get_by_test_id("stSelectbox").filter(has_text="Policy").click()
    page.get_by_role("option", name="Anthropic RSP v1.0 (rsp-v1.0)").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('policy') === 'rsp-v1.0'")
    wait_for_app(page)
    page.keyboard.press("Escape")
    assert sidebar.get_by_role("button", name=f"As of {SNAPSHOT_DATE} · Anthropic RSP v1.0").is_visible()
    # The chosen policy's numbers, in sight under the button.
    assert sidebar.get_by_text("Anthropic RSP v1.0: evaluate every 4x effective compute").is_visible()
    header = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
    assert "policy: Anthropic RSP v1.0" in header

    assert sidebar.get_by_text("No filter: every model.").is_visible()
    sidebar.get_by_role("button", name="Filter models").click()
    status = page.get_by_test_id("stMultiSelect").filter(has_text="Status")
    status.wait_for(state="visible")
    status.click()
    page.get_by_role("option", name="eval_overdue").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('status') === 'eval_overdue'")
    wait_for_app(page)
    page.keyboard.press("Escape")
    assert sidebar.get_by_text("Filtered by status.").is_visible()
    assert url_params(page)["policy"] == ["rsp-v1.0"]  # the view's policy kept
    tiles = browsing.metric_values(page)
    assert tiles["Evaluation overdue"] != "0" and all(value == "0" for label, value in tiles.items()
                                                      if label != "Evaluation overdue"), tiles
    # The print copy is drawn again from the filtered rows (the same run, no new page).
    printed = page.locator("[class*='st-key-print-status'] tbody tr")
    page.wait_for_function("count => document.querySelectorAll(\"[class*='st-key-print-status'] tbody tr\").length === count",
                           arg=int(tiles["Evaluation overdue"]))
    assert set(printed.locator("td:first-child").all_inner_texts()) == {"Evaluation overdue"}
