"""/trajectory in a real browser on the hand-made lab of tests/labdata.py (status_lab_tables, as of
its snapshot date 2025-06-02): opened without a model it shows the most urgent one and names it in the
address bar; a preliminary evaluation that triggered is drawn, and its hover says it is preliminary.

By hand: the status table's order is severity, then model_id. The only triggered model is `triggered`
(severity 1), so it comes first. The model `inconclusive` has a preliminary cbrn evaluation that
triggered at step 200 (checkpoint 2025-05-10, 2e24, completed 2025-05-12): drawn on 2025-05-12 at 2e24,
where no other point is (the checkpoint's own point and the flat line from it start on 2025-05-10)."""
from __future__ import annotations

import re
import urllib.parse

import pytest

from browsing import open_page
from waits import WAIT_MS, streamlit_server

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module")
def lab_server(lab_store, tmp_path_factory):
    with streamlit_server(lab_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


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
