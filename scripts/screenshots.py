"""Regenerate the README's screenshots: python scripts/screenshots.py [--store PATH] [--out docs/screenshots].

Each view at 1440 px (NAME.png) and 1280 px (NAME-1280.png) wide, the whole page long."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from dashboard import store as store_module  # noqa: E402
from dashboard.ingest import ensure_store  # noqa: E402
from bench.server import CHROMIUM_ARGS, StreamlitServer, chromium_path, wait_for_app  # noqa: E402

WIDTHS = ((1440, ""), (1280, "-1280"))
VIEWS = {
    "overview": "/",
    "trajectory": "/trajectory?model=cobalt-3",
    "reclassify": "/reclassify?model=borealis-2&asl=3&domain=cbrn",
    "changes": "/changes?since=2026-11-13",
    "obligations": "/obligations",
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--view", action="append", help="name=/path?query (repeatable; default: the README's views)")
    args = parser.parse_args()
    store = ensure_store(store_module.store_path(args.store))
    views = dict(item.split("=", 1) for item in args.view) if args.view else VIEWS
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with StreamlitServer(store) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for width, suffix in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in views.items():
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(server.url + path)
                wait_for_app(page)
                page.wait_for_timeout(1500)  # let Plotly finish drawing
                # The main area scrolls inside the page: grow the window to its full height.
                height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
                page.set_viewport_size({"width": width, "height": max(900, min(int(height) + 40, 6000))})
                wait_for_app(page)
                page.wait_for_timeout(1500)
                target = out / f"{name}{suffix}.png"
                page.screenshot(path=str(target))
                print(f"wrote {target}")
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
