"""What a person gets from the pages' tables in headless Chromium on the demo data: printed, every
table whole and no hint meant for the screen; at 1440 px, no column cut off and no long cell cut at
its column's edge."""
from __future__ import annotations

import pytest

from browsing import open_page

pytestmark = pytest.mark.browser

SNAPSHOT_DATE = "2026-11-20"  # the demo data's own date
EVERY_PAGE = ["/", "/trajectory?model=cobalt-3", "/reclassify?model=borealis-2&asl=3&domain=cbrn",
              "/changes", "/obligations"]
SCREEN_HINTS = ["Click a column header to sort", "Click a point", "in the sidebar"]


def grid_rows(page) -> list[int]:
    """Rows of every scrolling grid of the page, in page order (its accessible table counts the header)."""
    return [int(count) - 1 for count in page.locator("[data-testid='stDataFrame'] table[role='grid']").evaluate_all(
        "tables => tables.map(table => table.getAttribute('aria-rowcount'))")]


@pytest.mark.parametrize("path", EVERY_PAGE)
def test_print_shows_every_table_whole_and_no_screen_hint(page, demo_server, path):
    joiner = "&" if "?" in path else "?"
    # Tall enough for every grid to be drawn (a grid below the fold is drawn when scrolled to).
    open_page(page, demo_server, f"{path}{joiner}as_of={SNAPSHOT_DATE}", width=1280, height=5000)
    grids = page.locator("[data-testid='stDataFrame']")
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stDataFrame]')]"
                           ".every(grid => grid.querySelector('table[role=grid]'))")
    on_screen = grid_rows(page)
    assert len(on_screen) == grids.count() > 0
    page.emulate_media(media="print")
    printed = page.locator("[class*='st-key-print-'] table.print-table")
    # One printed copy per table, in the same order, each with every row, each visible on paper (the
    # safeguard gaps, a chart on screen, print as a table of their own).
    copies = page.locator("[class*='st-key-print-']:not([class*='st-key-print-gaps']) table.print-table")
    assert [table.locator("tbody tr").count() for table in copies.all()] == on_screen
    assert all(table.is_visible() for table in printed.all())
    assert not page.locator("[data-testid='stDataFrame']").first.is_visible()
    for hint in SCREEN_HINTS:
        assert not any(element.is_visible() for element in page.get_by_text(hint).all()), (path, hint)
    if path.startswith("/reclassify"):
        # The plan's table and the collapsed "Minimum additional safeguards" print their rows.
        plan = page.locator("[class*='st-key-print-plan'] table")
        gaps = page.locator("[class*='st-key-print-gaps'] table")
        assert plan.is_visible() and plan.locator("tbody tr").count() > 0
        assert gaps.is_visible() and gaps.locator("tbody tr").count() > 0
        assert page.get_by_text("Minimum additional safeguards: live deployments lacking each").is_visible()
    page.emulate_media(media="screen")
    assert not printed.first.is_visible()


# The grid draws on a canvas: its columns' edges are the lines at the top of its header row, and a
# cell's text is measured in the grid's own font (bold, as in a highlighted row: the wider case).
COLUMN_EDGES = """grid => {
  const canvas = grid.querySelector('canvas[data-testid=data-grid-canvas]');
  const line = canvas.getContext('2d', {willReadFrequently: true}).getImageData(0, 3, canvas.width, 1).data;
  const background = [line[20], line[21], line[22]];
  const edges = [];
  for (let x = 0; x < canvas.width; x++) {
    if (Math.abs(line[4 * x] - background[0]) + Math.abs(line[4 * x + 1] - background[1])
        + Math.abs(line[4 * x + 2] - background[2]) > 6) edges.push(x);
  }
  const scroller = grid.querySelector('.dvn-scroller');
  return {edges, total: scroller.scrollWidth, visible: scroller.clientWidth};
}"""
WRAPPED_LINES = """([text, width]) => {
  const context = document.createElement('canvas').getContext('2d');
  context.font = '600 14px "Source Sans"';
  let lines = 1, current = '', longest = 0;
  for (const word of text.split(/\\s+/).filter(Boolean)) {
    longest = Math.max(longest, context.measureText(word).width);
    const candidate = current ? current + ' ' + word : word;
    if (current && context.measureText(candidate).width > width) { lines += 1; current = word; } else { current = candidate; }
  }
  return {lines, longest};
}"""
CELL_PADDING = 16  # the grid's 8 px each side


def column_widths(grid) -> tuple[list[int], list[str]]:
    """The drawn width (px) and heading of each column of a grid that fits its width (no column beyond the right edge)."""
    layout = grid.evaluate(COLUMN_EDGES)
    assert layout["total"] <= layout["visible"], layout
    edges = [0, *layout["edges"], layout["total"]]
    widths = [right - left for left, right in zip(edges, edges[1:]) if right - left > 2]
    headers = grid.locator("th[role='columnheader']").all_inner_texts()
    assert len(widths) == len(headers), (widths, headers)
    return widths, headers


def assert_fits(page, header: str, text: str, width: int, lines: int) -> dict:
    """Every word of text fits a cell of width px, and the text wraps onto at most lines lines."""
    fit = page.evaluate(WRAPPED_LINES, [text, width - CELL_PADDING])
    assert fit["longest"] <= width - CELL_PADDING, (header, text, width)
    assert fit["lines"] <= lines, (header, text, width, fit)
    return fit


@pytest.mark.parametrize("path, lines", [
    ("/changes?since=2026-11-16", 3),  # breaches (bold), long model ids, the obligations' names as detail
    ("/obligations?state=done_late&state=done", 4),  # the records, the longest cells of the page
])
def test_long_cells_are_not_cut_at_1440_px(page, demo_server, path, lines):
    open_page(page, demo_server, f"{path}&as_of={SNAPSHOT_DATE}", width=1440, height=900)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.locator("[data-testid='glide-cell-1-0']").wait_for(state="attached")
    widths, headers = column_widths(grid)
    checked = 0
    for row in range(grid.locator("tbody tr").count()):
        for column in range(1, len(headers)):  # column 0 is the link "open"
            text = grid.locator(f"[data-testid='glide-cell-{column}-{row}']").text_content().strip()
            if not text:
                continue
            assert_fits(page, headers[column], text, widths[column], lines)
            checked += 1
    assert checked > 20


# Pixels of the grid's canvas in a box (x, y, width, height) whose colour is within 8 of rgb in each channel.
PIXELS_OF_COLOUR = """([grid, box, rgb]) => {
  const canvas = grid.querySelector('canvas[data-testid=data-grid-canvas]');
  const scale = canvas.width / canvas.getBoundingClientRect().width;
  const data = canvas.getContext('2d', {willReadFrequently: true})
    .getImageData(box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - rgb[0]) <= 8 && Math.abs(data[i + 1] - rgb[1]) <= 8 && Math.abs(data[i + 2] - rgb[2]) <= 8) count++;
  }
  return count;
}"""


def test_the_overview_shows_each_status_as_a_label_tinted_with_its_colour(page, demo_server):
    from dashboard.display import STATUS_LABELS, STATUS_TINTS

    open_page(page, demo_server, f"/?as_of={SNAPSHOT_DATE}", width=1440, height=900)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    grid.locator("[data-testid='glide-cell-0-0']").wait_for(state="attached")
    row_height = 35  # the grid's rows (and its header row)
    seen = {}
    for row in range(grid.locator("tbody tr").count()):
        label = grid.locator(f"[data-testid='glide-cell-0-{row}']").text_content().strip()
        seen.setdefault(label, row)
    assert {"Triggered", "Never evaluated", "Buffer breached"} <= set(seen)  # the rows drawn (the grid draws what shows)
    for name, label in STATUS_LABELS.items():
        if label not in seen or (seen[label] + 2) * row_height > 400:  # only rows drawn without scrolling the grid
            continue
        tint = [int(STATUS_TINTS[name][index:index + 2], 16) for index in (1, 3, 5)]
        box = [2, (seen[label] + 1) * row_height + 4, 180, row_height - 8]  # the cell inside its lines
        assert page.evaluate(PIXELS_OF_COLOUR, [grid.element_handle(), box, tint]) > 600, (label, box)  # a label's area
        # and no other status's tint in that cell (but the two greys, too close to tell apart by pixels)
        for other, other_tint in STATUS_TINTS.items():
            rgb = [int(other_tint[index:index + 2], 16) for index in (1, 3, 5)]
            if max(abs(a - b) for a, b in zip(rgb, tint)) > 24:
                assert page.evaluate(PIXELS_OF_COLOUR, [grid.element_handle(), box, rgb]) < 100, (label, other)
