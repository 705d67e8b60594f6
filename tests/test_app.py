"""The pages through Streamlit's AppTest, opened from deep links (a fresh session per link)."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from pagelinks import APP, open_link
from waits import WAIT_S

def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_overview_counts_every_status(lab_store):
    app = open_link(lab_store, as_of="2025-06-01")
    # No model without a checkpoint on this date: no "No checkpoint yet" tile (attention first).
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
    assert "policy: **Compute only**" in app.caption[0].value  # by its name (the id stays in the URL)


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


def test_trajectory_without_a_model_opens_the_most_urgent_one(lab_store):
    """The status table's first row (severity, then model_id): the lab's one triggered model."""
    app = open_link(lab_store, "app_pages/trajectory.py")
    assert app.title[0].value == "Triggered" and not app.info
    assert app.query_params["model"] == "triggered"


HOSTILE_VALUES = ["' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "x" * 10_000, "模型\u202e", "**bold** [x](javascript:alert(1))"]


def url_checks(snap):
    """Each page's URL parameters with the check the page runs on them before any widget sees them
    (dashboard/params.py; the pages call these through dashboard/ui/url.py)."""
    from dashboard import params
    from dashboard import reference
    from dashboard.questions import reclassify as views
    from dashboard.questions import status as status_questions

    policies, models, status = snap.query("policies"), snap.query("models"), snap.query("status", as_of="2025-06-01",
                                                                                               policy_id=None)
    one = params.single_value  # what ui.raw_param applies to every single-valued parameter
    checks = {
        "as_of": lambda name, v: params.parse_as_of(one(name, [v]), dt.date(2025, 6, 2)),
        "policy": lambda name, v: params.check_policy(one(name, [v]), policies),
        "model": lambda name, v: params.check_model(one(name, [v]), models["model_id"]),
        "asl": lambda name, v: views.resolve_scenario(snap, "on-track", one(name, [v]), None, partial=True),
        "domain": lambda name, v: views.resolve_scenario(snap, "on-track", None, one(name, [v]), partial=True),
        "family": lambda name, v: params.check_choice_values(name, [v], status["family"].dropna().unique()),
        "status": lambda name, v: params.check_choice_values(name, [v], status_questions.STATUSES),
        "level": lambda name, v: params.check_choice_values(name, [v], status["asl_level"].dropna().unique()),
        "action": lambda name, v: params.check_choice_values(name, [v], reference.ACTIONS),
        "surface": lambda name, v: params.check_choice_values(name, [v], reference.SURFACES),
        "refs": lambda name, v: params.check_flag_value(name, one(name, [v])),
        "public": lambda name, v: params.check_flag_value(name, one(name, [v])),
    }
    return checks


PAGE_PARAMS = {
    None: ["as_of", "policy", "family", "status", "level", "public"],
    "app_pages/trajectory.py": ["as_of", "policy", "model", "refs", "public"],
    "app_pages/reclassify.py": ["as_of", "policy", "model", "asl", "domain", "action", "surface"],
}


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=["sql", "script", "path", "long", "unicode", "markdown"])
def test_hostile_values_in_every_parameter(lab_store, value):
    """Every parameter of every page refuses every hostile value with a short, inert message naming
    the parameter (the checks themselves: one AppTest per page below proves the pages run them)."""
    from dashboard.params import ParamError
    from dashboard.text import md_escape
    from dashboard.store import snapshot

    checks = url_checks(snapshot(lab_store))
    for page_file, names in PAGE_PARAMS.items():
        for name in names:
            with pytest.raises(ParamError) as refused:
                checks[name](name, value)
            message = md_escape(str(refused.value))  # as ui.stop_with_problem shows it
            assert name in message.replace("\\", ""), (page_file, name)
            assert "<script>" not in message and "](javascript" not in message  # inert: escaped for markdown
            assert len(message) < 400  # a 10,000-character value is not echoed back


@pytest.mark.parametrize("page_file, name", [(None, "status"), ("app_pages/trajectory.py", "refs"),
                                        ("app_pages/reclassify.py", "surface")])
def test_each_page_refuses_a_hostile_parameter(lab_store, page_file, name):
    params = {"model": "on-track"} if page_file else {}
    app = open_link(lab_store, page_file, **params, **{name: "<script>alert(1)</script>"})
    assert app.error, f"no message for {name}"
    message = app.error[0].value
    assert name in message.replace("\\", "") and "<script>" not in message


def test_repeated_parameter_is_refused(lab_store, monkeypatch):
    monkeypatch.setenv("ASL_STORE", str(lab_store))
    app = AppTest.from_file(APP, default_timeout=WAIT_S)
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


def test_this_snapshot_tables_follow_the_as_of_date(demo_store):
    """Under an old as-of date the overview's "This snapshot" tables count what existed
    then: deployments started by the date (ended ones as ended only once their end date has passed),
    models by their level and status on the date. Checked against the demo CSV files directly."""
    import pandas as pd

    from dashboard.store import DEMO_DIR

    as_of = "2025-06-01"
    app = open_link(demo_store, as_of=as_of)
    tables = [frame.value for frame in app.dataframe]
    models_table = next(frame for frame in tables if frame.index.name == "ASL level")
    deployments_table = next(frame for frame in tables if frame.index.name == "surface")
    deployments = pd.read_csv(DEMO_DIR / "deployments.csv", parse_dates=["started_at", "ended_at"])
    started = deployments[deployments["started_at"] <= as_of]
    assert int(deployments_table.to_numpy().sum()) == len(started) < len(deployments)
    ended_by_then = started[(started["ended_at"] <= as_of) | ((started["status"] == "ended") & started["ended_at"].isna())]
    assert int(deployments_table.get("ended", pd.Series(dtype=int)).sum()) == len(ended_by_then)
    checkpoints = pd.read_csv(DEMO_DIR / "checkpoints.csv", parse_dates=["recorded_at"])
    existing = checkpoints[checkpoints["recorded_at"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)]["model_id"].nunique()
    models = pd.read_csv(DEMO_DIR / "models.csv")
    assert int(models_table.to_numpy().sum()) == len(models)
    assert int(models_table["No checkpoint yet"].sum()) == len(models) - existing > 0


def test_pages_and_the_command_line_share_one_function_per_question(lab_store):
    """The questions layer's one cache runs the same function the CLI runs, once per snapshot and
    arguments: a second call with equal arguments is served from the cache, other arguments run it again."""
    from dashboard import questions
    from dashboard.questions.snapshot import ViewScope
    from dashboard.questions.status import status_frame
    from dashboard.store import snapshot

    snap = snapshot(lab_store)
    calls = []

    def counted_status(snap, scope):
        calls.append(scope)
        return status_frame(snap, scope)

    scope = ViewScope(as_of=dt.date(2025, 6, 1), policy_id=None, as_of_is_default=False)
    first = questions.cached_call(counted_status, snap, scope)
    again = questions.cached_call(counted_status, snap, ViewScope(as_of=dt.date(2025, 6, 1), policy_id=None,
                                                                  as_of_is_default=False))
    other = questions.cached_call(counted_status, snap, ViewScope(as_of=dt.date(2025, 1, 1), policy_id=None,
                                                                  as_of_is_default=False))
    assert len(calls) == 2 and calls[1].as_of == dt.date(2025, 1, 1)
    assert first.equals(status_frame(snap, scope)) and again.equals(first) and not other.equals(first)
    # The pages ask the CLI's questions through its functions, never through the query files again.
    import pathlib

    pages = "".join(path.read_text() for path in pathlib.Path(APP).parent.joinpath("app_pages").glob("*.py"))
    for shared in ('"status"', '"at_risk"', '"at_risk_models"', '"obligations"', '"model_levels"', '"capability_domains"'):
        assert f"ui.query(snap, {shared}" not in pages, shared
