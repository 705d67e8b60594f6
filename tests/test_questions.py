"""The questions layer (dashboard/questions): each question's answer has exactly the columns it
declares, on the demo store; only that package runs the query files; its cache keys on values."""
from __future__ import annotations

import ast
import datetime as dt
import pathlib

import pytest

from dashboard import questions
from dashboard.questions import changes, corrections, obligations, reclassify, snapshot, status, trajectory  # noqa: F401 - each registers its questions
from dashboard.questions.reclassify import Scenario
from dashboard.questions.snapshot import ViewScope
from dashboard.store import snapshot as open_snapshot, snapshot_pair

DASHBOARD = pathlib.Path(questions.__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 20)


def arguments(snap, name: str) -> tuple:
    """Arguments that make each question answer rows on the demo store."""
    scope = ViewScope(as_of=AS_OF, policy_id=None, as_of_is_default=False)
    ranked = status.status_frame(snap, scope)
    evaluated = ranked.dropna(subset=["eval_step"]).iloc[0]
    model_id = str(evaluated["model_id"])
    level = int(evaluated["asl_level"])
    scenario = Scenario(model_id=model_id, asl_level=level + 1, domain=None, current_level=level)
    return {
        "changes.changes_frame": (scope, AS_OF - dt.timedelta(days=90)),
        "corrections.consequences": (AS_OF, None),
        "corrections.row_changes": (),
        "obligations.obligation_list": (),
        "obligations.obligations_frame": (AS_OF,),
        "reclassify.at_risk_frame": (scope, scenario),
        "reclassify.at_risk_models_frame": (scenario, AS_OF),
        "reclassify.levels_as_of": (AS_OF,),
        "reclassify.safeguard_plan": (scope, scenario),
        "reclassify.safeguards_required": (level + 1,),
        "reviews.safeguards": (),
        "reclassify.triggering_evaluations": (tuple(ranked["model_id"]), AS_OF),
        "reclassify.rule_2d_breaches": (tuple(ranked["model_id"]), AS_OF - dt.timedelta(days=90), AS_OF),
        "snapshot.asl_levels": (),
        "snapshot.capability_domains": (),
        "snapshot.info": (),
        "snapshot.models": (),
        "snapshot.policies": (),
        "snapshot.public_models": (AS_OF,),
        "status.deployments_by_status_surface": (AS_OF,),
        "status.model_positions": (AS_OF,),
        "status.normalised_trajectories": (AS_OF, (model_id,), (int(evaluated["eval_step"]),), 8),
        "status.status_frame": (scope,),
        "trajectory.asl_history": (model_id, AS_OF),
        "trajectory.evaluation_rounds": (model_id, AS_OF),
        "trajectory.evaluations": (model_id, AS_OF),
        "trajectory.preliminary_triggers": (model_id, AS_OF),
        "trajectory.model_detail": (model_id,),
        "trajectory.timeline": (scope, model_id),
        "trajectory.training_flop_crossings": (model_id, AS_OF, (1e24, 1e25, 1e26)),
        "trajectory.trajectory": (model_id, AS_OF, 500),
    }[name]


@pytest.mark.parametrize("name", sorted(questions.QUESTIONS))
def test_each_question_answers_exactly_its_declared_columns(demo_store, name):
    asked = questions.QUESTIONS[name]
    snap = open_snapshot(demo_store)
    # The corrections' questions ask two snapshots attached together (here the demo store twice).
    first = snapshot_pair(snap, snap) if name.startswith("corrections.") else snap
    answer = asked(first, *arguments(snap, name))
    assert list(answer.columns) == asked.columns


def test_only_the_questions_layer_runs_the_query_files():
    """No page imports the store's query runner or the SQL files, nor calls Snapshot.query (or
    ui.query, which is gone): pages ask dashboard/questions."""
    runners = {"dashboard.store", "dashboard.sqlfiles", "duckdb"}
    for path in sorted((DASHBOARD / "app_pages").glob("*.py")) + [DASHBOARD / "ui_timeline.py"]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module not in runners, f"{path.name} imports {node.module}"
            elif isinstance(node, ast.Import):
                assert not {alias.name for alias in node.names} & runners, path.name
            elif isinstance(node, ast.Attribute):
                assert node.attr not in {"query", "view", "memo"} or not (
                    isinstance(node.value, ast.Name) and node.value.id in {"ui", "snap"}), \
                    f"{path.name} line {node.lineno}: {ast.unparse(node)}"


def test_the_scope_and_the_scenario_compare_and_hash_by_value():
    scope = ViewScope(as_of=AS_OF, policy_id=None, as_of_is_default=False)
    assert scope == ViewScope(as_of=AS_OF, policy_id=None, as_of_is_default=False)
    assert hash(scope) == hash(ViewScope(as_of=AS_OF, policy_id=None, as_of_is_default=False))
    assert scope != ViewScope(as_of=AS_OF, policy_id="rsp-v2", as_of_is_default=False)
    assert hash(Scenario("m", 3, None, 2)) == hash(Scenario("m", 3, None, 2))


def test_outside_streamlit_a_question_just_runs(demo_store):
    """The command line asks the same functions; with no Streamlit run they are not cached."""
    calls = []

    @questions.cached
    def counted(snap, value):
        calls.append(value)
        return value

    snap = open_snapshot(demo_store)
    assert counted(snap, 1) == 1 and counted(snap, 1) == 1 and calls == [1, 1]


def test_in_a_streamlit_run_a_question_is_asked_once_per_snapshot_and_arguments(demo_store):
    """In a Streamlit run the one cache serves equal arguments (a scope equal by value) without asking
    again, and another as-of date asks again; each call is a step of the page run."""
    from streamlit.testing.v1 import AppTest

    script = f'''
import datetime as dt
import streamlit as st
from dashboard import page_runs, questions
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.status import status_frame
from dashboard.store import snapshot

calls, steps = [], []
step = page_runs.step
def counted_step():
    steps.append(1)
    return step()
page_runs.step = counted_step

@questions.cached
def counted(snap, scope):
    calls.append(scope)
    return status_frame.uncached(snap, scope)

snap = snapshot({str(demo_store)!r})
first = counted(snap, ViewScope(dt.date(2026, 11, 1), None, False))
again = counted(snap, ViewScope(dt.date(2026, 11, 1), None, False))
other = counted(snap, ViewScope(dt.date(2026, 10, 1), None, False))
page_runs.step = step
st.write(f"calls {{len(calls)}} steps {{len(steps)}} same {{again.equals(first)}} other {{not other.equals(first)}}")
'''
    app = AppTest.from_string(script, default_timeout=60).run()
    assert not app.exception, app.exception
    assert app.markdown[0].value == "calls 2 steps 3 same True other True"
