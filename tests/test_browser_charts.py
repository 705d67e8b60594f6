"""In a real browser, on the demo data: what the charts say and where they say it. Tick labels read
from the drawn SVG, a hover read after pointing at a marker, label boxes measured at a phone's
width, colours measured on the dark theme."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from browsing import buffer_map_markers, open_page
from dashboard.display import MAP_NAMED_STATUSES, distinct_names
from dashboard.store import snapshot
from waits import new_context

pytestmark = pytest.mark.browser

SNAPSHOT_DATE = "2026-11-20"  # the demo data's own date
OVERVIEW = f"/?as_of={SNAPSHOT_DATE}"
# Cobalt 2 on that date: past its buffer, overdue by compute since 2026-10-23, its time limit
# (t_eval + 90 days = 2026-12-05) still ahead. Cobalt 3: triggered, ASL bands and regulatory lines.
COBALT_2 = f"/trajectory?model=cobalt-2&as_of={SNAPSHOT_DATE}"
COBALT_3 = f"/trajectory?model=cobalt-3&as_of={SNAPSHOT_DATE}"


def drawn_charts(page):
    charts = page.locator("[data-testid='stPlotlyChart']")
    charts.first.locator(".main-svg").first.wait_for()
    charts.first.locator(".scatterlayer .trace").first.wait_for()
    assert page.locator("[data-testid='stException']").count() == 0
    return [charts.nth(index) for index in range(charts.count())]


def y_ticks(chart) -> list[tuple[str, float, str]]:
    """(axis type, the value at the tick's place, its label as drawn) of every y tick label."""
    return chart.locator(".js-plotly-plot").evaluate("""gd => {
        const out = [];
        const axis = gd._fullLayout.yaxis;
        gd.querySelectorAll('.ytick text').forEach(el => {
            const place = el.__data__.x;  // on a log axis, log10 of the value
            out.push([axis.type, axis.type === 'log' ? Math.pow(10, place) : place, el.textContent]);
        });
        return out;
    }""")


def stated_value(text: str) -> float | None:
    """The value a tick label states: 200x, 0.9x, 2e25 (a bare "2" states 2; Plotly's own 10^25,
    drawn "1025", states 1025)."""
    number = re.fullmatch(r"(\d+(?:\.\d+)?(?:e-?\d+)?)x?", text.replace("\u200b", "").replace("−", "-"))
    return float(number.group(1)) if number else None


def test_every_log_axis_tick_states_its_own_value(page, demo_server):
    # Plotly's own log ticks label 2..9 between decades with a bare digit: "9" where 0.9x is meant,
    # "2" for 200x or for 2e25. Every label drawn must state the value at its place.
    for path in (OVERVIEW, COBALT_2):
        open_page(page, demo_server, path, width=1280, height=720)
        seen = 0
        for chart in drawn_charts(page):
            for axis_type, value, text in y_ticks(chart):
                if axis_type != "log":
                    continue
                seen += 1
                assert stated_value(text) == pytest.approx(value, rel=1e-6), (path, text, value)
        assert seen >= 3, path


def test_an_overdue_model_is_shown_no_deadline_ahead(page, demo_server):
    open_page(page, demo_server, OVERVIEW, width=1280, height=720)
    point = next(marker for marker in buffer_map_markers(page) if marker["id"] == "cobalt-2")
    page.mouse.move(point["x"] - 30, point["y"] - 30)
    page.mouse.move(point["x"], point["y"])
    hover = page.locator("[data-testid='stPlotlyChart'] .hoverlayer .hovertext").first
    hover.wait_for()
    text = hover.text_content()
    assert "Cobalt 2" in text and "overdue since 2026-10-23 (by compute)" in text, text
    assert "2026-12-05" not in text, text
    # The trajectory: no line labelled with a deadline ahead; a line where it became overdue.
    open_page(page, demo_server, COBALT_2, width=1280, height=720)
    chart = drawn_charts(page)[0]
    labels = chart.locator(".annotation-text").evaluate_all("els => els.map(el => el.textContent)")
    assert "re-evaluation overdue since 2026-10-23 (by compute)" in labels, labels
    assert not any("2026-12-05" in label or "re-evaluate by" in label for label in labels), labels


def text_boxes(chart, selector: str) -> list[dict]:
    return chart.locator(selector).evaluate_all(
        "els => els.map(el => { const b = el.getBoundingClientRect(); "
        "return {x: b.x, y: b.y, w: b.width, h: b.height, text: el.textContent}; }).filter(b => b.w > 0 && b.h > 0)")


def overlap(a, b, slack: float = 0.5) -> bool:
    return (a["x"] + slack < b["x"] + b["w"] and b["x"] + slack < a["x"] + a["w"]
            and a["y"] + slack < b["y"] + b["h"] and b["y"] + slack < a["y"] + a["h"])


def crossings(first: list[dict], second: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for a in first for b in second if a is not b and overlap(a, b)]


def test_at_a_phones_width_no_label_covers_a_label_a_point_or_an_axis(page, demo_server, demo_store):
    open_page(page, demo_server, OVERVIEW, width=390, height=844)
    buffer_map = drawn_charts(page)[0]
    buffer_map.scroll_into_view_if_needed()
    labels = text_boxes(buffer_map, ".annotation-text")
    # Every model that needs attention is named: on the map, or under it where the map had no room.
    status = snapshot(demo_store).query("status", as_of=dt.date(2026, 11, 20), policy_id=None)
    shown = dict(zip(status["model_id"], distinct_names(status["model_id"], status["name"])))
    caption = page.get_by_text("Named: the models triggered").inner_text()
    for model_id in status[status["status"].isin(MAP_NAMED_STATUSES)]["model_id"]:
        assert shown[model_id] in [label["text"] for label in labels] or shown[model_id] in caption, shown[model_id]
    names = [label for label in labels if label["text"] in {"Cobalt 2", "Cobalt 3", "Borealis 3", "Fjord 3"}]
    assert names, labels  # the most urgent models are named on the map
    points = text_boxes(buffer_map, ".scatterlayer .point")
    ticks = text_boxes(buffer_map, ".xtick text") + text_boxes(buffer_map, ".ytick text")
    assert not crossings(labels, labels), crossings(labels, labels)
    assert not crossings(labels, points), crossings(labels, points)
    assert not crossings(labels, ticks), crossings(labels, ticks)
    plot = buffer_map.locator(".nsewdrag").first.bounding_box()
    for name in names:  # inside the plot, clear of the axes
        assert plot["x"] <= name["x"] and name["x"] + name["w"] <= plot["x"] + plot["width"], name
    for path in (COBALT_2, COBALT_3):
        open_page(page, demo_server, path, width=390, height=844)
        chart = drawn_charts(page)[0]
        chart.scroll_into_view_if_needed()
        labels = text_boxes(chart, ".annotation-text")
        as_of = [label for label in labels if label["text"].startswith("as of")]
        assert as_of and not crossings(as_of, labels), (path, crossings(as_of, labels))
        levels = [label for label in labels if label["text"].startswith("ASL-")]
        rules = [label for label in labels if "SB 53" in label["text"] or "EU AI Act Art" in label["text"]]
        assert levels and not crossings(levels, rules + levels), (path, crossings(levels, rules + levels))
        window = page.viewport_size["width"]
        assert all(0 <= label["x"] and label["x"] + label["w"] <= window for label in as_of + levels), path


def contrast(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """WCAG contrast ratio of two sRGB colours (0-255)."""
    def luminance(rgb):
        linear = [(c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgb(css: str) -> tuple[float, ...]:
    if css.startswith("#"):
        return tuple(int(css[index:index + 2], 16) for index in (1, 3, 5))
    return tuple(float(part) for part in css[css.index("(") + 1:-1].split(",")[:3])


def test_on_the_dark_theme_as_of_and_triggered_read(browser, demo_server):
    context = new_context(browser, color_scheme="dark", viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        open_page(page, demo_server, OVERVIEW, width=1280, height=720)
        background = rgb(page.locator("[data-testid='stApp']").evaluate("el => getComputedStyle(el).backgroundColor"))
        assert contrast(background, (0, 0, 0)) < 1.5  # the dark theme is on
        for chart in drawn_charts(page)[:2]:  # the buffer map and every model since its last clean evaluation
            colours = chart.locator(".js-plotly-plot").evaluate(
                "gd => gd.data.filter(t => t.name === 'Triggered').map(t => (t.marker && t.marker.color) || t.line.color)")
            assert colours and all(contrast(rgb(colour), background) >= 3 for colour in colours), colours
        open_page(page, demo_server, COBALT_3, width=1280, height=720)
        chart = drawn_charts(page)[0]
        fills = chart.locator(".annotation-text").evaluate_all(
            "els => els.filter(el => el.textContent.startsWith('as of')).map(el => getComputedStyle(el).fill)")
        assert fills and all(contrast(rgb(fill), background) >= 3 for fill in fills), fills
    finally:
        context.close()
