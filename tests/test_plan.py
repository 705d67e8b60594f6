"""The safeguard plan of DESIGN section 5 (queries/safeguard_plan.sql), on hand-made work sets whose
order was worked out by hand, with a tie on every criterion; then against an independent plain-Python
implementation on the demo store; then the `plan` command.

Safeguard ids of the hand-made lab (tests/labdata.py), in id order:
  I = input_classifier < M = monitoring < O = output_classifier < W = weight_security
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from clirun import run_cli
from dashboard.questions import reclassify as views
from dashboard.questions.snapshot import resolve_scope
from dashboard.plan import PLAN_COLUMNS, plan_frame, safeguards_known, with_unknown_safeguards
from dashboard.store import snapshot

I, M, O, W = "input_classifier", "monitoring", "output_classifier", "weight_security"


def work(*rows):
    """at_risk-shaped rows: (deployment_id, action, missing list, monthly requests or None)."""
    return pd.DataFrame({
        "deployment_id": [row[0] for row in rows],
        "action": [row[1] for row in rows],
        "missing_safeguards": [";".join(sorted(row[2])) for row in rows],
        "monthly_requests": pd.array([row[3] for row in rows], dtype="Int64"),
    })


@pytest.fixture(scope="module")
def snap(reclassify_store):
    return snapshot(reclassify_store)


def steps(plan):
    return [tuple(row) for row in plan[["safeguard_id", "lacking", "newly_covered", "covered_total",
                                        "requests_covered_total"]].itertuples(index=False)]


def test_every_criterion_decides_a_step(snap):
    # Work set (add_safeguards unless said): a {I} 10, b {M} 10, c {I,O} 5, e {O,W} NULL, f {I,M,W} 1000,
    # k {O} 10 (emergency_review). Not in the work set: g (halt_onboarding, lacks all, 999999), h (covered).
    frame = work(("a", "add_safeguards", [I], 10), ("b", "add_safeguards", [M], 10), ("c", "add_safeguards", [I, O], 5),
                 ("e", "add_safeguards", [O, W], None), ("f", "add_safeguards", [I, M, W], 1000),
                 ("g", "halt_onboarding", [I, M, O, W], 999999), ("h", "covered", [], 7),
                 ("k", "emergency_review", [O], 10))
    plan = plan_frame(snap, frame)
    assert list(plan.columns) == PLAN_COLUMNS
    # Step 1: newly covered I 1 (a), M 1 (b), O 1 (k), W 0 -> tie I, M, O on (1);
    #   lacking I 3 (a, c, f), O 3 (c, e, k), M 2 -> tie I, O on (2);
    #   requests I 10+5+1000 = 1015, O 5+0+10 = 15 -> I by (3). Covered: a (10 requests).
    # Step 2: left b {M}, c {O}, e {O,W}, f {M,W}, k {O}: newly O 2 (c, k), M 1 (b), W 0 -> O by (1).
    #   O lacking 3 (c, e, k); covered a, c, k: 3, requests 10+5+10 = 25.
    # Step 3: left b {M}, e {W}, f {M,W}: newly M 1, W 1; lacking M 2, W 2 (ties on (1), (2));
    #   requests M 10+1000 = 1010, W 0+1000 = 1000 -> M by (3). Covered + b: 4, 35.
    # Step 4: W, lacking 2 (e, f), both newly covered: 6 deployments, 35+0+1000 = 1035 requests.
    assert steps(plan) == [(I, 3, 1, 1, 10), (O, 3, 2, 3, 25), (M, 2, 1, 4, 35), (W, 2, 2, 6, 1035)]
    assert list(plan["step"]) == [1, 2, 3, 4]
    assert list(plan["name"]) == ["Input classifier", "Output classifier", "Usage monitoring", "Weight security"]
    assert list(plan["kind"]) == ["deployment", "deployment", "deployment", "security"]


def test_newly_covered_beats_lacking(snap):
    # d1 {W}, d2 {I,M}, d3 {I,O}, d4 {I,O}.
    # Step 1: W covers d1 (newly 1) though I is lacking in 3: W by (1).
    # Step 2: nobody is completed by one safeguard (newly 0 for I, M, O): lacking I 3, O 2, M 1 -> I by (2).
    # Step 3: left d2 {M}, d3 {O}, d4 {O}: newly O 2, M 1 -> O. Step 4: M.
    frame = work(("d1", "add_safeguards", [W], 1), ("d2", "add_safeguards", [I, M], 1),
                 ("d3", "add_safeguards", [I, O], 1), ("d4", "add_safeguards", [I, O], 1))
    assert steps(plan_frame(snap, frame)) == [(W, 1, 1, 1, 1), (I, 3, 0, 1, 1), (O, 2, 2, 3, 3), (M, 1, 1, 4, 4)]


def test_lacking_beats_requests(snap):
    # x {M} 100, y {O} 1, z {O,W} 1. Step 1: newly M 1, O 1 (tie on (1)); lacking O 2 > M 1 -> O by (2),
    # although M's deployments carry 100 requests against O's 2. Step 2: x {M} 100, z {W} 1: ties on (1)
    # and (2) -> M by (3). Step 3: W.
    frame = work(("x", "add_safeguards", [M], 100), ("y", "add_safeguards", [O], 1), ("z", "add_safeguards", [O, W], 1))
    assert steps(plan_frame(snap, frame)) == [(O, 2, 1, 1, 1), (M, 1, 1, 2, 101), (W, 1, 1, 3, 102)]


def test_ties_on_everything_go_to_the_smallest_id(snap):
    # Three deployments, each lacking one safeguard, 50 requests each: ties on (1), (2) and (3) at every
    # step -> monitoring < output_classifier < weight_security.
    frame = work(("p", "add_safeguards", [W], 50), ("q", "emergency_review", [M], 50), ("r", "add_safeguards", [O], 50))
    assert steps(plan_frame(snap, frame)) == [(M, 1, 1, 1, 50), (O, 1, 1, 2, 100), (W, 1, 1, 3, 150)]
    # Missing requests count as 0: NULL ties with 0, so the id decides again.
    frame = work(("p", "add_safeguards", [W], None), ("q", "add_safeguards", [M], 0))
    assert steps(plan_frame(snap, frame)) == [(M, 1, 1, 1, 0), (W, 1, 1, 2, 0)]


def test_nothing_to_plan(snap):
    assert plan_frame(snap, work(("h", "covered", [], 7), ("g", "halt_onboarding", [I], 5))).empty
    assert list(plan_frame(snap, work()).columns) == PLAN_COLUMNS


def test_the_reclassify_lab_scenario(snap):
    # test_reclassify.py's scenario (base to ASL-3, cbrn): work set d1 {I,W} 1000, d9 {I,W} 700 (emergency
    # review), d12 {I,M,W} 50, d4 {W} 5000; d3 is onboarding, d2 covered.
    # Step 1: newly W 1 (d4), I 0, M 0 -> W (lacking 4). Covered d4: 5000.
    # Step 2: left d1 {I}, d9 {I}, d12 {I,M}: newly I 2, M 0 -> I (lacking 3). Covered + d1, d9: 3, 6700.
    # Step 3: M completes d12: 4, 6750.
    deployments = views.at_risk_frame(snap, views.ViewScope(dt.date(2025, 6, 1), None, False),
                                      views.resolve_scenario(snap, "base", "3", "cbrn"))
    assert steps(plan_frame(snap, deployments)) == [(W, 4, 1, 1, 5000), (I, 3, 2, 3, 6700), (M, 1, 1, 4, 6750)]


def test_grouping_alike_deployments_changes_nothing(demo_store):
    # plan_frame passes deployments with the same action and missing set once, with their count; the
    # query given one item per deployment must order the same way.
    snap = snapshot(demo_store)
    deployments = views.at_risk_frame(snap, resolve_scope(snap, None, None),
                                      views.resolve_scenario(snap, "borealis-2", "3", "cbrn"))
    one_by_one = snap.query("safeguard_plan", actions=list(deployments["action"]),
                            missing_safeguards=list(deployments["missing_safeguards"].fillna("")),
                            deployments=[1] * len(deployments),
                            monthly_requests=[None if pd.isna(value) else int(value) for value in deployments["monthly_requests"]])
    pd.testing.assert_frame_equal(one_by_one[PLAN_COLUMNS], plan_frame(snap, deployments))


# --- An independent implementation of DESIGN 5's plan, compared on the demo data --------------------

def reference_plan(deployments: pd.DataFrame) -> list[tuple]:
    """DESIGN section 5, written from the text with sets, independently of the SQL."""
    work_set = deployments[deployments["action"].isin(["emergency_review", "add_safeguards"])]
    left = {row.deployment_id: set(filter(None, (row.missing_safeguards or "").split(";")))
            for row in work_set.itertuples()}
    requests = {row.deployment_id: (0 if pd.isna(row.monthly_requests) else int(row.monthly_requests))
                for row in work_set.itertuples()}
    result, step = [], 0
    while any(left.values()):
        candidates = sorted({safeguard for missing in left.values() for safeguard in missing})

        def score(safeguard):
            lacking = [d for d, missing in left.items() if safeguard in missing]
            newly = sum(1 for d in lacking if left[d] == {safeguard})
            return (-newly, -len(lacking), -sum(requests[d] for d in lacking), safeguard)

        best = min(candidates, key=score)
        newly_covered, lacking = -score(best)[0], -score(best)[1]
        for missing in left.values():
            missing.discard(best)
        step += 1
        covered = [d for d, missing in left.items() if not missing]
        result.append((step, best, lacking, newly_covered, len(covered), sum(requests[d] for d in covered)))
    return result


@pytest.mark.parametrize("model_id, level, domain", [
    ("borealis-2", "3", "cbrn"), ("borealis-2", "4", None), ("aster-1", "3", None), ("cobalt-1", "4", "cyber"),
    ("dune-1", "3", "autonomy"),
])
def test_plan_matches_an_independent_implementation_on_the_demo(demo_store, model_id, level, domain):
    snap = snapshot(demo_store)
    scope = resolve_scope(snap, None, None)
    deployments = views.at_risk_frame(snap, scope, views.resolve_scenario(snap, model_id, level, domain))
    plan = plan_frame(snap, deployments)
    expected = reference_plan(deployments)
    assert len(expected) >= 3  # a real plan, not an empty agreement
    assert [tuple(row) for row in plan[["step", "safeguard_id", "lacking", "newly_covered", "covered_total",
                                        "requests_covered_total"]].itertuples(index=False)] == expected


# --- Unknown safeguards and the command ---------------------------------------------------------------

def test_unknown_safeguards_are_marked_not_listed():
    assert not safeguards_known({"row_counts_json": '{"deployment_safeguards": 0}'})
    assert safeguards_known({"row_counts_json": '{"deployment_safeguards": 3}'})
    frame = work(("a", "add_safeguards", [I, M], 1), ("b", "covered", [], 1))
    assert list(with_unknown_safeguards(frame, False)["missing_safeguards"]) == ["unknown", ""]
    assert with_unknown_safeguards(frame, True) is frame


def test_cli_plan_prints_the_contract_columns(reclassify_store):
    result = run_cli("--store", str(reclassify_store), "plan", "--model", "base", "--asl", "3", "--domain", "cbrn",
                     "--as-of", "2025-06-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "step,safeguard_id,name,kind,lacking,newly_covered,covered_total,requests_covered_total\n"
        "1,weight_security,Weight security,security,4,1,1,5000\n"
        "2,input_classifier,Input classifier,deployment,3,2,3,6700\n"
        "3,monitoring,Usage monitoring,deployment,1,1,4,6750\n")
    table = run_cli("--store", str(reclassify_store), "plan", "--model", "base", "--asl", "3", "--as-of",
                    "2025-06-01", "--format", "table")
    assert table.returncode == 0 and table.stdout.split()[:3] == ["step", "safeguard_id", "name"]


@pytest.mark.parametrize("args, message", [
    (["--model", "nope", "--asl", "3"], "model 'nope' is unknown"),
    (["--model", "base", "--asl", "2"], "already at ASL-2"),
    (["--model", "base", "--asl", "3", "--as-of", "2025-02-30"], "is not a real calendar date"),
])
def test_cli_plan_refuses_bad_scenarios(reclassify_store, args, message):
    result = run_cli("--store", str(reclassify_store), "plan", *args)
    assert result.returncode != 0
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_docs_document_plan_brief_and_public_url():
    from dashboard.sqlfiles import REPO_ROOT

    docs = "".join(path.read_text(encoding="utf-8") for path in sorted((REPO_ROOT / "docs").glob("*.md")))
    for needle in ("asl-dashboard plan --model ID", "asl-dashboard brief --model ID", "ASL_PUBLIC_URL",
                   "queries/safeguard_plan.sql", "step, safeguard_id, name, kind, lacking, newly_covered, covered_total, "
                   "requests_covered_total"):
        assert needle in docs, needle
