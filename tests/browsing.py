"""What the browser tests share: open a page of a running server and wait as Streamlit's own e2e
harness does; read the metric tiles a person sees."""
from __future__ import annotations

from bench.server import wait_for_app


def open_page(page, server, path):
    page.goto(server.url + path)
    wait_for_app(page)
    return page


def metric_values(page) -> dict[str, str]:
    labels = page.locator("[data-testid='stMetricLabel']").all_inner_texts()
    values = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return {label.strip(): value.strip() for label, value in zip(labels, values)}
