"""No string from the data becomes markup, a link, an image or formatting,
in Markdown (md_escape, proven on a matrix of attacks in a real browser) and in every chart (Plotly
hover, legend, axis, annotation, title; every chart of every page drawn from a hostile store)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts
from dashboard.ingest import ingest
from dashboard.text import WORD_JOINER, md_escape, neutralise, one_line
from bench.server import free_port, wait_for_app, wait_healthy
from browsing import PRINT_COPY, give_tab_back, take_tab, wait_for_print_copies
from labdata import status_lab_tables, write_folder
from waits import WAIT_S, streamlit_server

# The attack of the issue: a model id that drew a giant green "ON TRACK", a fake figure and a link.
ISSUE_ID = ('"><b style="font-size:60px;color:green">ON TRACK</b><br>buffer used 0%<br>'
            '<a href="https://evil.example/">details</a>')
PHISH = "[Acknowledge the breach here](https://evil.example/phish)"
BARE = "see https://evil.example/x and www.evil.example and boss@evil.example"
MIXED = "<img src=x onerror=alert(1)> **bold** _em_ :rocket: :red[red] %{customdata[0]} $x$ &lt;i&gt; {y}"
BREAKS = "line\nbreak\u2028sep\u2029par\x85nel"  # (a bare \r would end the CSV row: csv does not quote it)
# A name posing as another: U+202E (right-to-left override) shows it as "rtlexe.png".
RTL_NAME = "rtl\u202egnp.exe"
RTL_SHOWN = "rtl\\u202egnp.exe"  # what a page shows instead: the override as a visible escape
# Characters no page may show as they are (U+2060 is left out: md_escape puts it after every ":" itself).
INVISIBLE_JS = r"/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/"

MATRIX = [
    PHISH, "https://evil.example/phish", "http://evil.example", "HTTPS://EVIL.EXAMPLE/x", "www.evil.example",
    "WwW.evil.example/path", "boss@evil.example", "mailto:boss@evil.example", "xmpp:boss@evil.example",
    "<https://evil.example>", "<boss@evil.example>", "![img](https://evil.example/x.png)",
    "[x][ref]\n\n[ref]: https://evil.example", "<img src=x onerror=alert(1)>", '<a href="https://evil.example">x</a>',
    "<b>bold</b>", "**bold** __bold__ *em* _em_ ~~del~~ ~del~ `code` ```fence```", "# heading", "> quote", "- item",
    "+ item", "* item", "1. item", "1) item", "---", "===", "| a | b |", "a | b", ":rocket: :smile: :+1:",
    ":red[red] :blue-badge[badge] :small[small] :material/home: :streamlit:", "$x^2$ and $$y$$", "\\(x\\) \\[y\\]",
    "&lt;b&gt;bold&lt;/b&gt; &amp; &#x3C;i> &copy;", "line\rbreak\u2028sep\u2029par\x85nel\x0bvt\x0cff\x1cfs\nnl",
    "    indented code", "trailing  \nbreak", "\ttab", "\\*not\\* \\\\*x\\\\*", "[^1] footnote\n\n[^1]: https://evil.example",
    "javascript:alert(1)", "evil.example", "ftp://evil.example", ISSUE_ID, BARE, MIXED,
    "a@b.co:8080/x https://evil.example/a_b_c_ www.x.y)", "<!-- comment --> <script>alert(1)</script>",
]
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def plain(text: str) -> str:
    """What a person should read: the characters themselves, white space runs as one space."""
    return " ".join(one_line(text).split())


# --- Item 4: md_escape ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", MATRIX)
def test_md_escape_leaves_no_markdown_no_autolink_no_line_break(text):
    escaped = md_escape(text)
    assert not any(char in escaped for char in LINE_BREAKS)
    assert "  " not in escaped and "\t" not in escaped
    unescaped = escaped.replace(WORD_JOINER, "")
    index = 0
    while index < len(unescaped):  # every Markdown syntax character is backslash-escaped
        char = unescaped[index]
        if char == "\\":
            assert index + 1 < len(unescaped) and unescaped[index + 1] in "\\`*_{}[]()<>#+-.!|~$:&@", escaped
            index += 2
            continue
        assert char not in "`*_{}[]()<>#+-.!|~$:&@", (char, escaped)
        index += 1
    lowered = escaped.lower()
    assert "://" not in lowered.replace("\\", "") and "www\\." not in lowered  # scheme and www broken by U+2060
    assert all(escaped[at + 1] == WORD_JOINER for at in range(len(escaped) - 1) if escaped[at] in ":@")
    assert escaped.replace(WORD_JOINER, "").replace("\\", "") == one_line(text).replace("\\", "")


def test_md_escape_keeps_plain_text_readable():
    assert md_escape("Claude Opus 4") == "Claude Opus 4"
    assert md_escape("a\u2028b") == "a b"


# --- Control, bidirectional and zero-width characters -------------------------------------------

INVISIBLE = {"\x00": "\\x00", "\x07": "\\x07", "\x1b": "\\x1b", "\x7f": "\\x7f", "\x9b": "\\x9b",
             "\u202a": "\\u202a", "\u202e": "\\u202e", "\u2066": "\\u2066", "\u2069": "\\u2069",
             "\u200e": "\\u200e", "\u200f": "\\u200f", "\u061c": "\\u061c", "\u200b": "\\u200b",
             "\u200d": "\\u200d", "\u2060": "\\u2060", "\ufeff": "\\ufeff"}


@pytest.mark.parametrize("char, shown", INVISIBLE.items(), ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_neutralise_shows_each_invisible_character_as_an_escape(char, shown):
    assert neutralise(f"a{char}b") == f"a{shown}b"


def test_neutralise_on_hand_made_strings():
    assert neutralise("rtl\u202egnp.exe") == "rtl\\u202egnp.exe"  # no longer reads "rtlexe.png"
    assert neutralise("\x1b[31mred\x1b[0m\x07") == "\\x1b[31mred\\x1b[0m\\x07"
    assert neutralise("pay\u200bpal") == "pay\\u200bpal"
    assert neutralise("Claude Opus 4 · 日本語 עברית é") == "Claude Opus 4 · 日本語 עברית é"  # text stays text
    assert neutralise(neutralise("a\u202eb")) == neutralise("a\u202eb")


HOSTILE_NAME = "rtl\u202egnp.exe \x1b[2J\x07 pay\u200bpal \ufeff"


def _no_invisible(text: str) -> None:
    assert not any(char in text for char in INVISIBLE if char != WORD_JOINER), repr(text)
    assert "202e" in text and "x1b" in text and "200b" in text, repr(text)


def test_every_escaping_function_neutralises():
    """Markdown, Plotly text, timeline labels, the brief (Markdown and HTML), the digest, print
    copies and tables on pages: none passes a control, bidirectional or zero-width character on."""
    from dashboard import brief, changes
    from dashboard.charts import timeline as charts_timeline
    from dashboard.text import brief_md
    from dashboard.ui.layout import _print_cell, shown_frame

    crossed = pd.Series({"event_date": "2025-06-01", "kind": "threshold_crossed", "detail": HOSTILE_NAME,
                         "before": None, "after": None})
    for text in (md_escape(HOSTILE_NAME), charts.escape(HOSTILE_NAME), charts_timeline.label_of(crossed)[1],
                 brief_md(HOSTILE_NAME), brief_md(HOSTILE_NAME, cell=True), brief.plain(HOSTILE_NAME),
                 changes.digest_text(HOSTILE_NAME), _print_cell(HOSTILE_NAME),
                 shown_frame(pd.DataFrame({"name": [HOSTILE_NAME]}))["name"].iloc[0]):
        _no_invisible(text)
    assert charts_timeline._short("\u202e" * 40).startswith("\\u202e")
    # md_escape still adds its own word joiner after ":", and the data's own one is shown as an escape.
    assert md_escape("a:b\u2060c") == "a\\:" + WORD_JOINER + "b\\\\u2060c"  # Markdown shows a\:b\u2060c


def test_every_figure_builder_of_every_chart_module_is_wrapped():
    """Found independently of the package's own list: every module of dashboard/charts (pkgutil),
    every public function in it that returns a figure, is wrapped; the plan and timeline charts,
    built from hostile data, hold no raw markup."""
    import importlib
    import inspect
    import pkgutil

    from dashboard.charts import plan as charts_plan
    from dashboard.charts import timeline as charts_timeline

    modules = [charts] + [importlib.import_module(f"dashboard.charts.{info.name}") for info in pkgutil.iter_modules(charts.__path__)]
    figure_builders = []
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            original = inspect.unwrap(function)
            if original.__module__ == module.__name__ and not name.startswith("_") \
                    and "Figure" in str(inspect.signature(original).return_annotation):
                figure_builders.append(f"{module.__name__}.{name}")
                assert getattr(function, "plain_text_inputs", False), f"{module.__name__}.{name} is not wrapped"
    assert {"dashboard.charts.plan.safeguard_plan", "dashboard.charts.timeline.annotate_timeline",
            "dashboard.charts.trajectory"} <= set(figure_builders)

    plan = pd.DataFrame({"step": [1], "safeguard_id": [ISSUE_ID], "name": [PHISH + BREAKS], "kind": ["deployment"],
                         "lacking": [1], "newly_covered": [1], "covered_total": [1], "requests_covered_total": [10]})
    events = pd.DataFrame({"event_date": pd.to_datetime(["2025-06-01", "2025-06-02"]),
                           "kind": ["threshold_crossed", "asl_change"], "detail": [PHISH + BREAKS, MIXED],
                           "before": [None, ISSUE_ID], "after": [None, MIXED]})
    figures = [charts_plan.safeguard_plan(plan, work_set_size=1, work_set_requests=10),
               charts_timeline.annotate_timeline(go.Figure(), events)]
    for figure in figures:
        for text in _strings(figure.to_plotly_json()):
            assert "<" not in text and ">" not in text and "%{" not in text and "\u2028" not in text, text


@pytest.fixture(scope="module")
def matrix_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    cases = folder / "cases.json"
    cases.write_text(json.dumps(MATRIX), encoding="utf-8")
    port = free_port()
    app = Path(__file__).parent / "apps" / "markdown_matrix.py"
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        env=dict(os.environ, ASL_MARKDOWN_MATRIX=str(cases)), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, WAIT_S)
        yield url
    finally:
        process.terminate()
        process.wait(10)


FORMATTING = ("img, strong, em, b, i, del, s, code, pre, blockquote, ul, ol, li, hr, h2, h3, h4, h5, h6, sup, "
              "input, script, iframe, .katex, .stMarkdownColoredText, .stMarkdownBadge")


@pytest.mark.browser
def test_md_escape_in_a_real_browser_shows_every_attack_as_plain_text(page, matrix_server):
    """Each case in st.markdown, st.caption, st.title, st.error, a table cell and a page_link label:
    no link, image, emphasis, emoji, colour, math or extra line from the data; the text reads as written."""
    page.goto(matrix_server)
    wait_for_app(page)
    page.wait_for_selector(f".st-key-case-{len(MATRIX) - 1}")
    problems = []
    for index, text in enumerate(MATRIX):
        case = page.locator(f".st-key-case-{index}")
        expected = plain(text)
        found = case.locator(FORMATTING)
        if found.count():
            problems.append((text, "formatting", found.first.evaluate("e => e.outerHTML")[:200]))
        for href in case.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href') || '')"):
            # Only the page link itself and the title's own "#anchor" (both the app's): nothing elsewhere.
            if not urllib.parse.urljoin(matrix_server + "/", href).startswith(matrix_server + "/"):
                problems.append((text, "link", href))
        if case.locator("h1").count() != 1 or case.locator("table").count() != 1:
            problems.append((text, "structure", case.locator("h1").count(), case.locator("table").count()))
        cells = case.locator("table tbody tr").first.locator("td").all_inner_texts()
        if case.locator("table tbody tr").count() != 1 or len(cells) != 2:
            problems.append((text, "table row", cells))
        shown = {
            "markdown": case.locator("[data-testid='stMarkdown']").first.inner_text(),
            "caption": case.locator("[data-testid='stCaptionContainer']").first.inner_text(),
            "title": case.locator("h1").first.inner_text(),
            "error": case.locator("[data-testid='stAlertContentError']").first.inner_text(),
            "cell": cells[0] if cells else "",
            "page link": case.locator("[data-testid='stPageLink']").first.inner_text(),
        }
        for element, value in shown.items():
            if " ".join(value.replace(WORD_JOINER, "").split()) != expected:
                problems.append((text, element, value))
    assert not problems, "\n".join(map(repr, problems))


# --- The hostile store: attacks in every text field the pages or charts show ----------------------


def hostile_tables():
    tables = status_lab_tables()
    renames = {"on-track": ISSUE_ID, "breached": MIXED, "triggered": "trig " + PHISH}
    for table in ("models", "checkpoints", "evaluations"):
        for row in tables[table]:
            row["model_id"] = renames.get(row["model_id"], row["model_id"])
            if "eval_id" in row:
                row["eval_id"] = row["eval_id"].replace("on-track", "ot").replace("breached", "br").replace("triggered", "tr")
    names = {ISSUE_ID: PHISH, MIXED: BARE, "due-compute": ISSUE_ID, "overdue-time": MIXED, "never": BREAKS}
    for row in tables["models"]:
        row["name"] = names.get(row["model_id"], row["name"])
        row["family"] = {"due-time": PHISH, "overdue-compute": BARE}.get(row["model_id"], row["family"])
        if row["model_id"] == "due-time":
            row["name"] = RTL_NAME
    tables["models"][-1]["policy_id"] = "no-buffer"  # two policies in use: the overview names the one drawn
    for row in tables["policies"]:
        if row["policy_id"] == "rsp-v1.0":
            row["name"] = PHISH
            row["source"] = BARE
    for row in tables["models"]:
        if row["policy_id"] == "rsp-v1.0":
            row["policy_id"] = "rsp " + PHISH
    for row in tables["policies"]:
        if row["policy_id"] == "rsp-v1.0":
            row["policy_id"] = "rsp " + PHISH
    for row in tables["evaluations"]:
        row["elicitation"] = ISSUE_ID
    tables["safeguards"][0]["name"] = ISSUE_ID
    tables["safeguards"][1]["name"] = MIXED
    tables["customers"][0]["name"] = PHISH + " " + BREAKS + " | x | \x1b[31mred\x1b[0m \u200b\x07"
    tables["deployments"] = [{
        "deployment_id": "d1 " + BARE, "model_id": ISSUE_ID, "customer_id": "c1", "surface": "api", "use_case": MIXED,
        "risk_domains": "cbrn", "status": "active", "started_at": "2025-01-01", "ended_at": "", "monthly_requests": "5"}]
    tables["asl_history"] = [{"model_id": ISSUE_ID, "asl_level": "2", "effective_from": "2025-01-01", "reason": PHISH}]
    tables["public_models"] = [
        {"public_model_id": f"pub-{index}", "name": name, "organization": organisation, "published_on": "2025-03-01",
         "training_compute_flop": "3e24", "base_model_name": "", "accessibility": "open", "source": BARE}
        for index, (name, organisation) in enumerate([(ISSUE_ID, MIXED), (PHISH, ISSUE_ID)])]
    return tables


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    folder = write_folder(tmp_path_factory.mktemp("hostile-src") / "src", hostile_tables())
    store = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    ingest(folder, store, progress=lambda _: None, dataset="lab " + PHISH)
    return store


# --- Item 3: charts ------------------------------------------------------------------------------


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if not key.endswith("template"):
                yield from _strings(item)
    elif isinstance(value, (list, tuple, np.ndarray)):
        for item in (value.tolist() if isinstance(value, np.ndarray) else value):
            yield from _strings(item)


def test_every_builder_is_wrapped_and_escapes_every_field():
    """Every public function of every module of dashboard/charts gets its inputs escaped, so charts
    (and chart modules) added later are covered too; a figure built from hostile data holds no raw
    markup anywhere."""
    import inspect

    for module in [charts, *charts.MODULES]:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_") and name not in charts.ESCAPING_HELPERS:
                assert getattr(function, "plain_text_inputs", False), f"{module.__name__}.{name} is not wrapped"
    assert {"buffer_map", "normalised_trajectories", "trajectory", "frontier", "safeguard_gaps"} <= set(charts.BUILDERS)
    status = pd.DataFrame([{"model_id": ISSUE_ID, "name": PHISH + BREAKS, "policy_id": MIXED, "status": "on_track",
                            "compute_multiple": 2.0, "days_since_eval": 10, "buffer_used_pct": 38.7,
                            "next_eval_date": "2025-08-01", "c_now": 2e24, "c_eval": 1e24}])
    public = pd.DataFrame({"name": [ISSUE_ID], "organization": [MIXED], "published_on": pd.to_datetime(["2025-01-01"]),
                           "training_compute_flop": [1e25]})
    figures = [charts.buffer_map(status, 4, 6, 90, MIXED),
               charts.frontier(status.assign(recorded_at=pd.to_datetime(["2025-01-01"]), effective_compute=[1e25]), public),
               charts.safeguard_gaps(pd.DataFrame({"safeguard_id": [ISSUE_ID], "name": [MIXED], "kind": ["deployment"],
                                                   "deployments_missing": [3]}), title=ISSUE_ID)]
    for figure in figures:
        spec = figure.to_plotly_json()
        for text in _strings(spec):
            assert "<" not in text and ">" not in text and "%{" not in text and "\u2028" not in text, text
            assert "&" not in text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").replace(
                "&#123;", "").replace("&#36;", ""), text
    # The clicked point's id maps back to the model.
    shown = figures[0].data[0].customdata[0][0]
    assert charts.original_value(shown, ["x", ISSUE_ID]) == ISSUE_ID


@pytest.fixture(scope="module")
def hostile_server(hostile_store, tmp_path_factory):
    with streamlit_server(hostile_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


def hostile_links() -> list[str]:
    def link(path, **params):
        return path + "?" + urllib.parse.urlencode({**params, "as_of": "2025-06-01"})

    return [
        link("/", public="true"),
        link("/", public="true", policy="rsp " + PHISH),
        link("/trajectory", model=ISSUE_ID, public="true"),
        link("/trajectory", model="trig " + PHISH),
        link("/trajectory", model=MIXED, policy="rsp " + PHISH),
        link("/trajectory", model="never"),
        link("/reclassify", model=ISSUE_ID, asl="3", domain="cbrn"),
    ]


# Pixel position of the points of every trace, for hovering like a person would: one point for each
# different text a hover can show (the trace's name and the point's text, hover text and custom
# data: what the data puts in a label), since points alike in those draw the same label but for
# their numbers; at most 40 a trace.
_POINTS_JS = """
(plot) => {
  const layout = plot._fullLayout, out = [];
  const box = plot.getBoundingClientRect();
  (plot.calcdata || []).forEach((trace, curve) => {
    const full = plot._fullData[curve];
    if (!full || full.visible !== true || full.hoverinfo === 'skip') return;
    const xa = layout[(full.xaxis || 'x').replace('x', 'xaxis')], ya = layout[(full.yaxis || 'y').replace('y', 'yaxis')];
    if (!xa || !ya) return;
    const at = (values, i) => Array.isArray(values) ? values[i] : values;
    const labels = new Set();
    trace.filter((point, index) => {
      const i = point.i === undefined ? index : point.i;
      const label = JSON.stringify([at(full.text, i), at(full.hovertext, i), full.customdata ? full.customdata[i] : null]);
      if (labels.has(label)) return false;
      labels.add(label);
      return true;
    }).slice(0, 40).forEach((point) => {
      let x = point.x, y = point.y;
      if (full.type === 'bar') { if (full.orientation === 'h') { x = point.s / 2; y = point.p; } else { x = point.p; y = point.s / 2; } }
      if (x === undefined || y === undefined || x === null || y === null) return;
      const px = xa.c2p(x) + xa._offset, py = ya.c2p(y) + ya._offset;
      if (isFinite(px) && isFinite(py)) out.push([box.left + px, box.top + py]);
    });
  });
  return out;
}
"""
# What Markdown or HTML would make of the attacks: bare fragments, formatted or linked on their own.
MADE_BY_MARKUP = {"ON TRACK", "details", "Acknowledge the breach here", "bold", "em", "red", "x",
                  "https://evil.example/x", "www.evil.example", "boss@evil.example", "https://evil.example/phish"}


def _chart_problems(page, link: str, seen: dict) -> list:
    """Every chart of the page: static elements, and the hover label of every point (capped)."""
    problems = []
    plots = page.locator(".js-plotly-plot")
    for index in range(plots.count()):
        plot = plots.nth(index)
        plot.scroll_into_view_if_needed()
        seen["charts"] += 1
        problems += [(link, index, "static", item) for item in _plot_problems(plot)]
        for x, y in plot.evaluate(_POINTS_JS):
            page.mouse.move(x, y)
            # Plotly draws a hover at most every 50 ms: read the label once it is drawn.
            text, found = plot.evaluate(_HOVER_JS)
            if text:
                seen["hovered"] += 1
                seen["issue_text"] |= '"><b style="font-size:60px;color:green">ON TRACK</b>' in text
                seen["hover_texts"].append((link, text))
                problems += [(link, index, "hover", item) for item in found]
        page.mouse.move(1, 1)
    return problems


def _markup_problems(page, server, link: str) -> list:
    """No <a> pointing anywhere but the app; no text from data formatted, linked or made an emoji."""
    problems = []
    for href in page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href') || '')"):
        target = urllib.parse.urljoin(server.url + link, href)
        if not target.startswith(server.url + "/"):
            problems.append((link, "link", href))
    formatted = page.locator("[data-testid='stMain'] :is(strong, em, b, i, del, code, a, img), "
                             "[data-testid='stSidebar'] :is(strong, em, b, i, del, code, a, img)")
    for text in formatted.all_inner_texts():
        # The page's own bold around a value is fine (it shows the value's literal characters);
        # formatting the data made shows a bare fragment of it.
        if text.strip() in MADE_BY_MARKUP:
            problems.append((link, "formatted", text[:120]))
    if "\U0001F680" in page.locator("body").inner_text():  # :rocket: became an emoji
        problems.append((link, "emoji", ""))
    return problems


# Any element in a print copy but a table's own (a line may break after ';': <wbr>).
_PRINT_COPY_PROBLEMS = f"""() => [...document.querySelectorAll("{PRINT_COPY} *")]
  .map(element => element.tagName.toLowerCase())
  .filter(tag => !['table', 'thead', 'tbody', 'tr', 'th', 'td', 'wbr'].includes(tag))"""
_PRINT_CELLS = f"() => [...document.querySelectorAll(\"{PRINT_COPY} td\")].map(cell => cell.textContent)"


@pytest.fixture(scope="module")
def hostile_pages(browser, browser_tab, hostile_server):
    """Every page of the hostile store opened once in a real browser at 1440x900 (no parameters
    too), read for both checks below: each page load costs seconds of Chromium's time."""
    page = take_tab(browser_tab, browser)
    page.set_viewport_size({"width": 1440, "height": 900})
    found = {"charts": [], "markup": [], "errors": [], "invisible": [], "print": []}
    seen = {"charts": 0, "hovered": 0, "issue_text": False, "rtl_shown": [], "hover_texts": [], "print_cells": []}
    failed = True
    try:
        for link in ["/", "/trajectory", "/reclassify", *hostile_links()]:
            page.goto(hostile_server.url + link)
            wait_for_app(page)
            page.wait_for_timeout(500)
            if page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count():
                found["errors"].append((link, page.locator("[data-testid='stMain']").inner_text()[:300]))
            # Every print copy drawn (the page draws them when the browser is idle), then read with the rest.
            wait_for_print_copies(page)
            found["print"] += [(link, problem) for problem in page.evaluate(_PRINT_COPY_PROBLEMS)]
            seen["print_cells"] += page.evaluate(_PRINT_CELLS)
            found["markup"] += _markup_problems(page, hostile_server, link)
            if link in hostile_links():
                found["charts"] += _chart_problems(page, link, seen)
            found["invisible"] += _invisible_problems(page, link, seen)
        failed = False
    finally:
        give_tab_back(browser_tab, failed=failed)
    return found, seen


@pytest.mark.browser
def test_every_chart_on_every_page_shows_hostile_data_as_text(hostile_pages):
    """Every chart of every page, drawn from the hostile store: the legend, titles, axes and
    annotations and the hover label of every point hold no element the data put there (no <a>,
    no styled or bold text from data), and the attack reads as the characters it is made of."""
    found, seen = hostile_pages
    problems = found["charts"] + [(link, "error on page", text) for link, text in found["errors"]
                                  if link in hostile_links()]
    assert not problems, "\n".join(map(repr, problems[:20]))
    assert seen["charts"] >= 8 and seen["hovered"] >= 20, seen
    assert seen["issue_text"]  # the attack is shown as the characters it is made of


@pytest.mark.browser
def test_print_copies_on_every_page_are_text(hostile_pages):
    """Every page's print copies, drawn in the browser from the hostile store: only a table's own
    elements, and the attack in a model's name reads as its characters in the overview's copy."""
    found, seen = hostile_pages
    assert not found["print"], found["print"][:20]
    assert any('"><b style="font-size:60px;color:green">ON TRACK</b>' in cell for cell in seen["print_cells"])


def _plot_problems(locator) -> list:
    """Elements inside a plot (or its hover layer) that came from data: links, text styled by the
    data (Plotly turns <b style=...>, <i>, <span style> into styled tspans), lines split by <br>."""
    return locator.evaluate(_PROBLEMS_JS)


_PROBLEMS_JS = """(root) => {
      const found = [];
      root.querySelectorAll('a').forEach(a => found.push('link ' + (a.getAttribute('href') || a.getAttribute('xlink:href'))));
      root.querySelectorAll('tspan[style], text[style]').forEach(t => {
        const style = t.getAttribute('style') || '';
        if (/font-size:\\s*60px|color:\\s*green/i.test(style)) found.push('styled ' + style);
      });
      // What the issue's id made of a hover: its own bold "ON TRACK", a fake line "buffer used 0%"
      // (from <br>) and a link "details". Escaped, these only ever appear inside the literal text.
      root.querySelectorAll('tspan, text').forEach(t => {
        if (['ON TRACK', 'details'].includes(t.textContent.trim())) found.push('made by data: ' + t.textContent);
      });
      const all = root.textContent, at = all.indexOf('ON TRACK');
      if (at >= 0 && !all.slice(at).startsWith('ON TRACK</b><br>buffer used 0%<br><a href=')) found.push('markup read: ' + all.slice(at, at + 60));
      root.querySelectorAll('img, image, foreignObject').forEach(e => found.push('element ' + e.tagName));
      return found;
    }"""
# The hover label a plot shows 60 ms after the mouse moved: its text and the problems in it.
_HOVER_JS = "async (plot) => { await new Promise(done => setTimeout(done, 60)); " \
            "const hover = plot.querySelector('.hoverlayer'); " \
            f"return [hover ? hover.textContent : '', hover ? ({_PROBLEMS_JS})(hover) : []]; }}"


def _invisible_problems(page, link: str, seen: dict) -> list:
    """Control, bidirectional and zero-width characters in what the page shows: its text (the tables'
    cells included), its charts' SVG text and the hover labels read on it."""
    # Every text node of the page; Plotly writes a lone U+200B into the SVG text of an empty label.
    text = page.evaluate("""() => {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), parts = [];
      while (walker.nextNode()) { if (walker.currentNode.data !== '\\u200b') parts.push(walker.currentNode.data); }
      return parts.join(' ');
    }""")
    if RTL_SHOWN in text:
        seen["rtl_shown"].append(link)
    texts = [("page", text)] + [("hover", hover) for at, hover in seen["hover_texts"] if at == link]
    return [(link, where, found) for where, content in texts
            for found in page.evaluate(f"(text) => (text.match(new RegExp({INVISIBLE_JS}.source, 'g')) || [])"
                                       ".map(c => c.codePointAt(0).toString(16))", content)]


@pytest.mark.browser
def test_no_name_poses_as_another_and_no_control_character_is_shown(hostile_pages):
    """A model named rtl<U+202E>gnp.exe must not read "rtlexe.png" on the overview (its table, its
    charts and their hovers): every page shows the override, and every other control, bidirectional
    or zero-width character of the data (ESC, BEL, U+200B, NEL), as a visible escape instead."""
    found, seen = hostile_pages
    assert not found["invisible"], "\n".join(map(repr, found["invisible"][:20]))
    assert "/" in seen["rtl_shown"], seen["rtl_shown"]  # the overview's table names the model, escaped


@pytest.mark.browser
def test_no_link_from_data_on_any_page(hostile_pages):
    """Item 4: on every page of the hostile store (no parameters too), no <a> points anywhere but
    the app itself, and no text from the data is formatted, linked or turned into an emoji."""
    found, _ = hostile_pages
    assert not found["markup"], "\n".join(map(repr, found["markup"][:20]))


def test_the_brief_keeps_every_table_row_on_one_line(hostile_store):
    """Item 4: \\r, U+2028, U+2029, NEL (any line break) in a name no longer splits a row of the
    incident brief's tables, and no cell gains a column from a | in the data."""
    import datetime as dt
    import re

    from dashboard.brief import build_brief, to_markdown
    from dashboard.store import snapshot

    snap = snapshot(hostile_store)
    frame = snap.query("at_risk", model_id=ISSUE_ID, asl_level=3, domain="cbrn", as_of="2025-06-01")
    assert len(frame) == 1 and BREAKS in frame["customer_name"].iloc[0]
    info = snap.query("snapshot_info").iloc[0].to_dict()
    brief = to_markdown(build_brief(snap, model_id=ISSUE_ID, new_level=3, domain="cbrn", as_of=dt.date(2025, 6, 1),
                                    policy_id=None, info=info, link="http://127.0.0.1:8501/reclassify"))
    lines = brief.splitlines()  # Python splits on every Unicode line break
    assert lines == brief.rstrip("\n").split("\n")
    rows = [line for line in lines if line.startswith("|")]
    assert len(rows) >= 5
    width = None
    for index, line in enumerate(lines):  # each table's rows have as many cells as its header
        pipes = len(re.findall(r"(?<!\\)\|", line))
        if not line.startswith("|"):
            width = None
        elif width is None:
            assert lines[index + 1].startswith("|---"), line
            width = pipes
        else:
            assert pipes == width, line  # no line break or | from the data split a row
    assert "https://" not in brief.replace("http://127.0.0.1:8501/reclassify", "")


def test_the_print_copy_of_a_table_is_text_only():
    """A print copy's content is the text of its headings and cells, nothing else: whatever a cell
    holds (tags, entities, Markdown, line breaks), it reads as its characters on one line, and the
    page sets it as text (print_copy.js; drawn in a browser by test_print_copies_on_every_page_are_text)."""
    from dashboard.ui.layout import print_cells

    hostile = ['<a href="https://evil.example">x</a>;&amp;', '<img src=x onerror=alert(1)>', "&lt;b&gt;", "**bold** [l](http://e)",
               "line\u2028break\r\nhere", '"><script>alert(1)</script>', "\u202e\u00e9"]
    content = print_cells(pd.DataFrame({"<th>name": hostile, "n": range(len(hostile))}))
    assert content.isascii()  # every other character as an escape: any text encodes
    # Line breaks one space; a bidirectional override a visible escape; the rest as it is.
    shown = [*hostile[:4], "line break here", hostile[5], "\\u202e\u00e9"]
    assert json.loads(content) == {"columns": ["<th>name", "n"], "rows": [[text, str(index)] for index, text in enumerate(shown)]}


def test_a_table_is_searched_at_once_and_shown_as_each_cell_neutralised():
    """shown_frame searches a whole column for the characters neutralise changes (Arrow's search for
    an Arrow string column) and walks the cells only where one is found: the same table as each text
    cell neutralised, for every such character, in Arrow, pandas-object and sliced columns."""
    import pyarrow as pa

    from dashboard.text import neutralise_changes_any, neutralise_changes_any_arrow
    from dashboard.ui.layout import shown_frame

    characters = [chr(code) for code in range(0x30000) if not 0xD800 <= code < 0xE000]
    changed = [char for char in characters if neutralise(char) != char]
    changed_but_newline = [char for char in characters if neutralise(char, keep_newlines=True) != char]
    assert "\n" in changed and "\n" not in changed_but_newline and "\u202e" in changed_but_newline
    for keep_newlines, expected in ((False, changed), (True, changed_but_newline)):
        # Found wherever neutralise changes a character, and nowhere else (all others in one array).
        assert [char for char in characters if neutralise_changes_any([f"a{char}b"], keep_newlines)] == expected
        assert all(neutralise_changes_any_arrow(pa.array([f"a{char}b"]), keep_newlines) for char in expected)
        others = set(expected)
        assert not neutralise_changes_any_arrow(pa.array([f"a{char}b" for char in characters if char not in others]),
                                                keep_newlines)
    assert not neutralise_changes_any_arrow(pa.array(["plain", None])) and not neutralise_changes_any_arrow(pa.array([None], pa.string()))

    plain = [f"deployment-{index}" for index in range(50)]
    for hostile in changed_but_newline + ["two\nlines"]:
        values = plain + [f"x{hostile}y", None]
        frame = pd.DataFrame({"arrow": pd.Series(values, dtype="str"), "objects": pd.Series(values, dtype=object),
                              "mixed": pd.Series([["a list"], 3.5, *values[2:]], dtype=object),
                              "large": pd.Series(values, dtype=pd.ArrowDtype(pa.large_string())),
                              "number": range(len(values))})
        for table in (frame, frame.iloc[40:], frame.iloc[:45]):  # slices: Arrow keeps the whole buffer
            shown = shown_frame(table)
            for column in ("arrow", "objects", "mixed", "large"):
                want = [neutralise(value, keep_newlines=True) if isinstance(value, str) else value
                        for value in table[column].tolist()]
                got = shown[column].tolist()
                assert [None if pd.isna(v) else v for v in got if not isinstance(v, list)] == \
                       [None if pd.isna(v) else v for v in want if not isinstance(v, list)], (repr(hostile), column)
            assert shown["number"].tolist() == table["number"].tolist()
