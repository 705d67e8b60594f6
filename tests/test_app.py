"""The pages through Streamlit's AppTest, opened from deep links (a fresh session per link)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pagelinks import APP, open_link

def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_overview_counts_every_status(lab_store):
    app = open_link(lab_store, as_of="2025-06-01")
    # No model without a checkpoint on this date: no "No checkpoint yet" tile (issue 12: attention first).
    assert metrics(app) == {"Triggered": "1", "Never evaluated": "3", "Buffer breached": "1",
                            "Evaluation overdue": "2", "Evaluation due soon": "3", "On track": "3"}
    assert app.date_input(key="as_of").value.isoformat() == "2025-06-01"


def test_overview_default_as_of_is_the_snapshot_date(lab_store):
    app = open_link(lab_store)
    assert app.date_input(key="as_of").value.isoformat() == "2025-06-02"
    assert "viewing as of **2025-06-02**" in app.caption[0].value


def test_overview_policy_override(lab_store):
    app = open_link(lab_store, as_of="2025-06-01", policy="compute-only")
    # Under k = 2 with no buffer and no interval (see test_status.py).
    assert metrics(app)["Buffer breached"] == "0"
    assert "policy: **compute-only**" in app.caption[0].value


def test_overview_filters_from_the_link(lab_store):
    app = open_link(lab_store, as_of="2025-06-01", status="on_track")
    assert metrics(app)["On track"] == "3"
    assert metrics(app)["Triggered"] == "0"


@pytest.mark.parametrize("params, message", [
    ({"as_of": "2025-13-45"}, "not a real calendar date"),
    ({"as_of": "yesterday"}, "is not a date"),
    ({"policy": "' OR 1=1 --"}, "is unknown"),
])
def test_overview_bad_links_get_a_clear_message(lab_store, params, message):
    app = open_link(lab_store, **params)
    assert message in app.error[0].value
    assert not app.metric


def test_trajectory_deep_link(lab_store):
    app = open_link(lab_store, "app_pages/trajectory.py", model="on-track", as_of="2025-06-01")
    assert metrics(app) == {
        "Status": "On track", "Next evaluation by": "2025-08-08", "Next evaluation at": "4.00e24",
        "C now (FLOP-equivalent)": "2.00e24", "Multiple since last clean eval": "2.00x",
        "Buffer used": "39%", "Days since last clean eval": "22"}


@pytest.mark.parametrize("model, message", [
    ("no-such-model", "is unknown in this snapshot"),
    ("<script>alert(1)</script>", "is unknown in this snapshot"),
])
def test_trajectory_unknown_model(lab_store, model, message):
    app = open_link(lab_store, "app_pages/trajectory.py", model=model)
    assert message in app.error[0].value
    assert "<script>" not in app.error[0].value  # markdown/HTML made inert


def test_trajectory_without_a_model_asks_for_one(lab_store):
    app = open_link(lab_store, "app_pages/trajectory.py")
    assert "Choose a model" in app.info[0].value


HOSTILE_VALUES = ["' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "x" * 10_000, "模型\u202e", "**bold** [x](javascript:alert(1))"]
PAGE_PARAMS = {
    None: ["as_of", "policy", "family", "status", "level", "public"],
    "app_pages/trajectory.py": ["as_of", "policy", "model", "refs", "public"],
    "app_pages/reclassify.py": ["as_of", "policy", "model", "asl", "domain", "action", "surface"],
}


@pytest.mark.parametrize("page, name", [(page, name) for page, names in PAGE_PARAMS.items() for name in names])
@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=["sql", "script", "path", "long", "unicode", "markdown"])
def test_hostile_values_in_every_parameter(lab_store, page, name, value):
    params = {"model": "on-track"} if page and name != "model" else {}
    app = open_link(lab_store, page, **params, **{name: value})
    assert app.error, f"no message for {name}={value[:20]!r}"
    message = app.error[0].value
    assert name in message.replace("\\", "")
    assert "<script>" not in message and "](javascript" not in message  # inert: escaped for markdown
    assert len(message) < 400  # a 10,000-character value is not echoed back


def test_repeated_parameter_is_refused(lab_store):
    import os

    os.environ["ASL_STORE"] = str(lab_store)
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["as_of"] = ["2025-06-01", "2025-06-02"]
    app.run()
    assert "given 2 times" in app.error[0].value


def test_empty_parameters_mean_the_default(lab_store):
    app = open_link(lab_store, as_of="", policy="")
    assert not app.error
    assert app.date_input(key="as_of").value.isoformat() == "2025-06-02"


def test_reclassify_deep_link(reclassify_store):
    app = open_link(reclassify_store, "app_pages/reclassify.py", model="base", asl="3", domain="cbrn", as_of="2025-06-01")
    figures = metrics(app)
    assert figures["Emergency review"] == "2" and figures["Halt onboarding"] == "1"
    assert figures["Add safeguards"] == "2" and figures["Covered"] == "1"
    assert figures["Distinct customers"] == "3" and figures["Business-critical customers"] == "2"
    assert figures["Monthly requests at risk"] == "7,050"
    table = app.dataframe[0].value
    assert list(table["deployment_id"]) == ["d1", "d9", "d3", "d12", "d4", "d2"]


def test_reclassify_with_no_live_deployment_says_so(reclassify_store):
    """Before any deployment started there is nothing at risk: the page says so, not that every
    deployment is covered."""
    app = open_link(reclassify_store, "app_pages/reclassify.py", model="base", asl="3", as_of="2024-01-01")
    assert set(metrics(app).values()) == {"0"}
    text = " ".join(block.value for block in app.markdown)
    assert "affects no live deployment" in text and "no live deployment to secure" in text
    assert "keep existing customers served" not in text and "every live deployment has" not in text


def test_reclassify_filters_from_the_link(reclassify_store):
    app = open_link(reclassify_store, "app_pages/reclassify.py", model="base", asl="3", domain="cbrn",
                    as_of="2025-06-01", action="add_safeguards")
    assert list(app.dataframe[0].value["deployment_id"]) == ["d12", "d4"]


@pytest.mark.parametrize("params, message", [
    ({"model": "nope", "asl": "3"}, "is unknown in this snapshot"),
    ({"model": "base", "asl": "2"}, "already at ASL"),
    ({"model": "base", "asl": "x"}, "is not a level"),
    ({"model": "base", "asl": "3", "domain": "<b>x</b>"}, "is not a known capability domain"),
    ({"model": "base", "asl": "3", "action": "launch"}, "is not one of"),
])
def test_reclassify_bad_links(reclassify_store, params, message):
    app = open_link(reclassify_store, "app_pages/reclassify.py", **params)
    assert message in app.error[0].value.replace("\\", "")


def test_reclassify_asks_for_a_level(reclassify_store):
    app = open_link(reclassify_store, "app_pages/reclassify.py", model="base")
    assert any("choose the level" in info.value for info in app.info)
