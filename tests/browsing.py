"""What the browser tests share: open a page of a running server and wait as Streamlit's own e2e
harness does; read the metric tiles a person sees."""
from __future__ import annotations

from bench.server import wait_for_app
from waits import new_context


# A print copy of a table (dashboard/ui/print_copy.js) is drawn when the browser is next idle.
PRINT_COPY = "[class*='st-key-print-'] [data-testid='stBidiComponentRegular']"
PRINT_COPIES_DRAWN = f"() => [...document.querySelectorAll(\"{PRINT_COPY}\")].every(copy => copy.querySelector('table'))"


def wait_for_print_copies(page) -> None:
    """Wait until every print copy of a table on the page is drawn."""
    page.wait_for_function(PRINT_COPIES_DRAWN)


def open_page(page, server, path, *, width: int | None = None, height: int | None = None):
    """Open path of server's app in page (at width x height when given) and wait until it is drawn,
    its print copies too."""
    if width and height:
        page.set_viewport_size({"width": width, "height": height})
    page.goto(server.url + path)
    wait_for_app(page)
    wait_for_print_copies(page)
    return page


def open_link_cell(page, row: int, row_height: int = 35):
    """Click the link in the first column of a table's row (from 1; rows row_height px high) the way a
    person does (a first click selects the cell of Streamlit's canvas grid, the second follows the
    link); the page it opens in a new tab, drawn."""
    canvas = page.locator("[data-testid='stDataFrame'] canvas").first.bounding_box()
    x, y = canvas["x"] + 15, canvas["y"] + 35 + row_height * (row - 1) + row_height // 2  # the header, then the row's middle
    with page.context.expect_page() as opened:
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
    wait_for_app(opened.value)
    return opened.value


def buffer_map_markers(page) -> list[dict]:
    """The overview's buffer map markers as drawn in the DOM: the centre of each and the model id it
    carries (Plotly binds each drawn point to its calcdata, index i, and each trace group to its
    trace); id None for a point without one."""
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.locator(".scatterlayer .trace .points path.point").first.wait_for()
    return chart.locator(".scatterlayer .trace .points path.point").evaluate_all("""els => els.map(el => {
        const box = el.getBoundingClientRect();
        const trace = el.closest('.trace').__data__[0].trace;
        return {x: box.x + box.width / 2, y: box.y + box.height / 2,
                id: trace.customdata ? trace.customdata[el.__data__.i][0] : null};
    })""")


def dialogs_recorded(page, request) -> list[str]:
    """Every dialog page opens from now until the test ends (an alert() some text managed to run),
    dismissed; the listener removed after the test (the tab is shared: conftest.page)."""
    seen = []

    def dismiss(dialog):
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    request.addfinalizer(lambda: page.remove_listener("dialog", dismiss))
    return seen


def metric_values(page) -> dict[str, str]:
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values)}


DEFAULT_VIEWPORT = {"width": 1280, "height": 720}  # pytest-playwright's own


def take_tab(browser_tab: dict, browser):
    """The worker's shared tab (a new one after a failure)."""
    if browser_tab.get("page") is None or browser_tab["page"].is_closed():
        if browser_tab.get("context"):
            browser_tab["context"].close()
        browser_tab["context"] = new_context(browser, viewport=DEFAULT_VIEWPORT)
        browser_tab["page"] = browser_tab["context"].new_page()
    return browser_tab["page"]


def give_tab_back(browser_tab: dict, *, failed: bool) -> None:
    """The shared tab left as a new one is: other tabs closed, storage, cookies, routes, emulated media
    and size reset, and the app's session ended (about:blank). After a failure, or when anything of
    that goes wrong, the context is closed and the next test gets a new one."""
    tab, context = browser_tab["page"], browser_tab["context"]
    try:
        for other in context.pages:
            if other is not tab:
                other.close()
        if failed:
            raise RuntimeError("a failed test's tab is not reused")
        tab.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (error) {} }")
        tab.goto("about:blank")
        tab.unroute_all(behavior="ignoreErrors")
        tab.emulate_media(media="null", color_scheme="null")
        tab.set_viewport_size(DEFAULT_VIEWPORT)
        context.clear_cookies()
    except Exception:  # noqa: BLE001 - whatever went wrong, the next test gets a new context
        context.close()
        browser_tab.clear()


def open_view_controls(page) -> None:
    """Open the sidebar's button that holds the as-of date and the policy (unless it is open)."""
    if not page.get_by_test_id("stDateInput").is_visible():
        page.get_by_test_id("stSidebar").get_by_role("button", name="As of").click()
        page.get_by_test_id("stDateInput").wait_for(state="visible")
