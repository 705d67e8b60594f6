"""Issue 12 in a real browser: what a person clicks, reads and copies on the demo data
(headless Chromium against a `streamlit run` server the tests start; see tests/test_browser.py)."""
from __future__ import annotations

import urllib.parse

import pytest

from dashboard.server import wait_for_app

pytestmark = pytest.mark.browser

SNAPSHOT_DATE = "2026-11-20"  # the demo data's own date


def open_page(page, server, path, *, width=1440, height=900):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server.url + path)
    wait_for_app(page)
    return page


def url_params(page) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)


def buffer_map_point(page):
    """A marker of the overview's buffer map, as drawn in the DOM, that no other marker overlaps,
    with the model id it carries (Plotly binds each drawn point to its calcdata, index i, and each
    trace group to its trace)."""
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.locator(".scatterlayer .trace .points path.point").first.wait_for()
    points = chart.locator(".scatterlayer .trace .points path.point").evaluate_all("""els => els.map(el => {
        const box = el.getBoundingClientRect();
        const trace = el.closest('.trace').__data__[0].trace;
        return {x: box.x + box.width / 2, y: box.y + box.height / 2,
                id: trace.customdata ? trace.customdata[el.__data__.i][0] : null};
    })""")
    markers = [point for point in points if point["id"]]
    for point in markers:
        if all(abs(point["x"] - other["x"]) + abs(point["y"] - other["y"]) > 20 for other in points if other is not point):
            return point
    raise AssertionError("every marker on the buffer map overlaps another")


def test_clicking_a_point_on_the_buffer_map_opens_that_models_trajectory(page, demo_server, demo_store):
    # Issue 12 item 1: the click broke the page (StreamlitAPIException: 'as_of' is bound to a widget).
    open_page(page, demo_server, "/?as_of=2026-10-01&policy=rsp-v1.0")
    point = buffer_map_point(page)
    model_id = point["id"]
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("() => location.pathname === '/trajectory'", timeout=30000)
    wait_for_app(page)
    assert urllib.parse.urlparse(page.url).path == "/trajectory"
    assert url_params(page) == {"model": [model_id], "as_of": ["2026-10-01"], "policy": ["rsp-v1.0"]}
    from dashboard.store import snapshot

    name = snapshot(demo_store).query("model_detail", model_id=model_id).iloc[0]["name"]
    assert page.locator("h1").first.inner_text().strip() == name
    header = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
    assert "viewing as of 2026-10-01" in header and "policy: rsp-v1.0" in header
    assert page.get_by_text("Something went wrong").count() == 0


def test_address_bar_keeps_the_as_of_date(page, demo_server):
    # Issue 12 item 10: a pinned link at the snapshot's own date lost as_of from the address bar
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
    page.wait_for_function("() => new URLSearchParams(location.search).get('model') === 'aster-1'", timeout=30000)
    wait_for_app(page)
    page.wait_for_timeout(500)
    params = url_params(page)
    assert params["as_of"] == ["2026-09-01"] and params["policy"] == ["fsf-v1.0"]
    assert "viewing as of 2026-09-01" in page.locator(
        "[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
