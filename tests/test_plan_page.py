"""On the pages: the plan chart (escaped, coloured by kind), /reclassify with the plan, the
models' own safety status and unknown safeguards (AppTest), "Reclassify this model" on a triggered
model's trajectory, and the whole path in a real browser down to the downloaded briefs.

The lab is tests/labdata.py's reclassification lab (test_reclassify.py) with ft1-ft's own cbrn
evaluation triggered on 2025-03-01, so ft1-ft is `triggered` as of 2025-06-01."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from dashboard.charts import plan as charts_plan
from dashboard.links import reclassify_params
from bench.server import wait_for_app
from labdata import published_lab, reclassify_tables
from pagelinks import open_link, pinned
from waits import streamlit_server

PUBLIC = "https://asl.example.com"


def triggered_tables(with_safeguards=True):
    tables = reclassify_tables()
    tables["evaluations"] = [{"eval_id": "e1", "model_id": "ft1-ft", "step": "1", "completed_at": "2025-03-01T12:00:00",
                              "domain": "cbrn", "kind": "comprehensive", "target_asl_level": "3",
                              "outcome": "triggered", "score": "", "trigger_score": "", "elicitation": ""}]
    if not with_safeguards:
        tables["deployment_safeguards"] = []
    return tables


@pytest.fixture(scope="module")
def triggered_store(tmp_path_factory):
    return published_lab(triggered_tables(), tmp_path_factory, "triggered")[1]


@pytest.fixture(scope="module")
def unknown_store(tmp_path_factory):
    return published_lab(triggered_tables(False), tmp_path_factory, "unknown-page")[1]


# --- Pure parts -----------------------------------------------------------------------------------------

def rounds(*rows):
    return pd.DataFrame({"step": [row[0] for row in rows], "round_outcome": [row[1] for row in rows],
                         "details": [[{"domain": d, "outcome": o} for d, o in row[2]] for row in rows]})


def test_reclassify_params():
    history = rounds((1, "triggered", [("cyber", "triggered")]), (2, "clean", [("cbrn", "below_threshold")]),
                     (3, "triggered", [("cyber", "triggered"), ("autonomy", "triggered"), ("cbrn", "below_threshold")]))
    # The latest triggered round is step 3; of its triggered domains the first alphabetically; level 2 + 1.
    assert reclassify_params("m", "triggered", 2, history, [1, 2, 3, 4]) == {"model": "m", "asl": "3", "domain": "autonomy"}
    assert reclassify_params("m", "on_track", 2, history, [1, 2, 3, 4]) is None  # not triggered: no link
    assert reclassify_params("m", "triggered", 4, history, [1, 2, 3, 4]) is None  # no ASL-5 defined
    # Triggered without any round detail (no domain known): model and level only.
    assert reclassify_params("m", "triggered", 2, rounds(), [2, 3]) == {"model": "m", "asl": "3"}


def test_plan_chart_names_steps_escaped_and_coloured_by_kind():
    plan = pd.DataFrame({"step": [1, 2], "safeguard_id": ["a_b", "c"], "name": ["<b>x</b> & y", "Weights"],
                         "kind": ["deployment", "security"], "lacking": [3, 1], "newly_covered": [1, 1],
                         "covered_total": [1, 2], "requests_covered_total": [100, 250]})
    figure = charts_plan.safeguard_plan(plan, work_set_size=2, work_set_requests=250)
    lines = [trace for trace in figure.data if trace.mode == "lines"]
    assert [list(trace.y) for trace in lines] == [[0, 1, 2], [0, 100, 250]]
    assert list(lines[0].x) == ["start", "1. &lt;b&gt;x&lt;/b&gt; &amp; y", "2. Weights"]
    markers = {(trace.name, trace.marker.color) for trace in figure.data if trace.mode == "markers"}
    assert markers == {("deployment safeguard", "#2563eb"), ("security safeguard", "#d97706")}
    deployment = next(trace for trace in figure.data if trace.mode == "markers" and trace.name == "deployment safeguard")
    assert deployment.customdata[0][0] == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert "<b>x</b>" not in figure.to_json()


# --- The pages (AppTest) -----------------------------------------------------------------------------------

def reclassify_links(app):
    return [button.proto for button in app.get("link_button") if button.proto.label == "Reclassify this model"]


def test_trajectory_of_a_triggered_model_offers_its_scenario(triggered_store):
    app = open_link(triggered_store, "app_pages/trajectory.py", model="ft1-ft", as_of="2025-06-01")
    # A relative link (works under any base path), opened as a new session: a page switch inside the
    # session would drop the parameters of widgets bound on both pages (model, as_of).
    assert [pinned(link.url) for link in reclassify_links(app)] == ["reclassify?model=ft1-ft&asl=3&domain=cbrn&as_of=2025-06-01"]
    app = open_link(triggered_store, "app_pages/trajectory.py", model="ft1", as_of="2025-06-01")  # never evaluated
    assert not reclassify_links(app)


def test_reclassify_shows_the_plan_and_each_models_safety_status(triggered_store):
    app = open_link(triggered_store, "app_pages/reclassify.py", model="base", asl="3", domain="cbrn", as_of="2025-06-01")
    tree = next(item.value for item in app.markdown if "safety status" in item.value)
    assert "(ft1\\-ft), ASL-2, deployed; safety status: **:red[triggered]**" in tree
    assert "(base), ASL-2, deployed; safety status: never evaluated" in tree
    assert "Safeguard plan: the order in which to add them" in [header.value for header in app.subheader]
    plan = next(frame.value for frame in app.dataframe if "newly_covered" in frame.value.columns)
    assert list(plan["safeguard_id"]) == ["weight_security", "input_classifier", "monitoring"]
    assert {metric.label: metric.value for metric in app.metric}["Monthly requests at risk"] == "7,050"


def test_reclassify_with_unknown_safeguards_shows_no_plan_and_no_covered(unknown_store):
    app = open_link(unknown_store, "app_pages/reclassify.py", model="base", asl="3", domain="cbrn", as_of="2025-06-01")
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Covered"] == "unknown" and "Monthly requests at risk" not in metrics
    assert metrics["Monthly requests of live deployments"] == "9,050" and metrics["Confirm safeguards"] == "2"
    assert metrics["Emergency review"] == "3"  # d1, d2, d9: cbrn in their use case, safeguards unknown
    assert "unknown, not missing" in app.warning[0].value
    assert "Safeguard plan: the order in which to add them" not in [header.value for header in app.subheader]
    table = next(frame.value for frame in app.dataframe if "missing_safeguards" in frame.value.columns)
    assert set(table["missing_safeguards"]) == {"unknown"}


# --- In a real browser ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def public_server(triggered_store, tmp_path_factory):
    with streamlit_server(triggered_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log",
                         extra_env={"ASL_PUBLIC_URL": PUBLIC}) as server:
        yield server


@pytest.mark.browser
def test_from_trajectory_to_plan_to_brief(page, public_server, tmp_path):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(public_server.url + "/trajectory?model=ft1-ft&as_of=2025-06-01")
    wait_for_app(page)
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Reclassify this model").click()
    scenario = opened.value
    wait_for_app(scenario)
    assert pinned(scenario.url) == public_server.url + "/reclassify?model=ft1-ft&asl=3&domain=cbrn&as_of=2025-06-01"
    assert scenario.get_by_text("safety status: triggered").is_visible()
    scenario.close()
    # The whole lineage's scenario: the plan chart, named steps, and the briefs.
    page.goto(public_server.url + "/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot")
    chart = page.locator(".js-plotly-plot").first.inner_text()
    assert "Safeguard plan" in chart and "1. Weight security" in chart and "security safeguard" in chart
    assert page.get_by_text("Safeguard plan: the order in which to add them").is_visible()
    with page.expect_download() as markdown_download:  # the brief is built on the click
        page.get_by_role("button", name="Download brief (Markdown)").click()
    markdown = Path(markdown_download.value.path()).read_text(encoding="utf-8")
    link = re.search(r"^- Link: <([^>]+)>", markdown, re.M).group(1)
    assert pinned(link) == f"{PUBLIC}/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01"
    assert "127.0.0.1" not in markdown and "localhost" not in markdown
    assert "**Already triggered on its own evaluations**: Ft1-Ft (ft1-ft)." in markdown
    wait_for_app(page)  # a download button's click reruns the page: click the next one once it is drawn again
    with page.expect_download() as html_download:
        page.get_by_role("button", name="Download brief (HTML)").click()
    saved = tmp_path / "brief.html"
    html_download.value.save_as(saved)
    page.goto(saved.as_uri())
    assert page.get_by_role("heading", name="Safeguard plan").is_visible()
    assert [pinned(href) for href in page.locator("a").evaluate_all("links => links.map(a => a.href)")] == [
        f"{PUBLIC}/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01"]
    assert page.locator("table").count() >= 5
