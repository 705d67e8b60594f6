"""What the browser tests share: open a page of a running server and wait as Streamlit's own e2e
harness does; read the metric tiles a person sees."""
from __future__ import annotations

from bench.server import wait_for_app


def open_page(page, server, path):
    page.goto(server.url + path)
    wait_for_app(page)
    return page


def open_link_cell(page, row: int):
    """Click the link in the first column of a table's row (from 1) the way a person does (a first
    click selects the cell of Streamlit's canvas grid, the second follows the link); the page it
    opens in a new tab, drawn."""
    canvas = page.locator("[data-testid='stDataFrame'] canvas").first.bounding_box()
    x, y = canvas["x"] + 15, canvas["y"] + 35 + 35 * (row - 1) + 17  # the header row, then the row's middle
    with page.context.expect_page(timeout=15000) as opened:
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
    wait_for_app(opened.value)
    return opened.value


def metric_values(page) -> dict[str, str]:
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values)}
