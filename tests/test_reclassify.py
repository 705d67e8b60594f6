"""Reclassification rules of DESIGN section 5 on a hand-made lab; every expected answer worked out by hand.

Lineage (ASL level in brackets):            Required safeguards (cumulative):
  base [2]                                    ASL-2: monitoring
  ├── ft1 [2]                                 ASL-3: input_classifier, weight_security
  │   └── ft1-ft [2]      (depth two)         ASL-4: output_classifier
  └── dist [3]            (already at 3)
      └── dist-child [2]  (below 3, under a model that is not affected)
  other [2]               (unrelated)
As of 2025-06-01.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from dashboard.brief import incident_brief
from dashboard.params import ParamError
from dashboard.store import snapshot
from dashboard.views import AT_RISK_COLUMNS, ViewScope, at_risk_frame, at_risk_summary, resolve_scenario

AS_OF = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def store(reclassify_store):
    return reclassify_store


def at_risk(store, model_id, level, domain=None, as_of=AS_OF):
    snap = snapshot(store)
    scenario = resolve_scenario(snap, model_id, str(level), domain)
    return at_risk_frame(snap, ViewScope(as_of, None, False), scenario)


def rows(frame):
    return [(row.deployment_id, row.missing_safeguards, row.action) for row in frame.itertuples()]


def test_the_whole_scenario(store):
    frame = at_risk(store, "base", 3, "cbrn")
    assert list(frame.columns) == AT_RISK_COLUMNS
    # Emergency reviews first, then halted onboarding, then safeguards to add, then covered.
    assert rows(frame) == [
        ("d1", "input_classifier;weight_security", "emergency_review"),
        ("d9", "input_classifier;weight_security", "emergency_review"),  # via dist, which is not affected
        ("d3", "input_classifier;monitoring;weight_security", "halt_onboarding"),
        ("d12", "input_classifier;monitoring;weight_security", "add_safeguards"),  # no risk domains
        ("d4", "weight_security", "add_safeguards"),  # depth two; cyber, not cbrn
        ("d2", "", "covered"),
    ]
    # Not live on 2025-06-01: d5 ended, d6 ended 05-15, d7 starts 07-01, d11 ends on the day itself.
    # Not affected: d8 (dist is already ASL-3), d10 (unrelated model).


def test_first_party_deployment_has_no_customer(store):
    first_party = at_risk(store, "base", 3, "cbrn").set_index("deployment_id").loc["d4"]
    assert first_party.isna()["customer_id"] and first_party.isna()["customer_name"]
    assert not first_party["business_critical"]


def test_without_a_domain_nothing_is_an_emergency(store):
    frame = at_risk(store, "base", 3).set_index("deployment_id")
    assert frame.loc["d1", "action"] == "add_safeguards" and frame.loc["d9", "action"] == "add_safeguards"
    assert "emergency_review" not in set(frame["action"])


def test_domain_not_in_any_use_case(store):
    frame = at_risk(store, "base", 3, "cyber").set_index("deployment_id")
    assert frame.loc["d4", "action"] == "emergency_review" and frame.loc["d9", "action"] == "emergency_review"
    assert frame.loc["d1", "action"] == "add_safeguards"


def test_higher_level_adds_models_and_safeguards(store):
    frame = at_risk(store, "base", 4).set_index("deployment_id")
    # dist (ASL-3) is now below the new level: its deployment d8 counts.
    assert "d8" in frame.index
    # Level 4 adds output_classifier on top of levels 2 and 3.
    assert frame.loc["d2", "missing_safeguards"] == "output_classifier"
    assert frame.loc["d2", "action"] == "add_safeguards"
    assert frame.loc["d8", "missing_safeguards"] == "input_classifier;output_classifier;weight_security"


def test_the_as_of_date_decides_what_is_live(store):
    later = at_risk(store, "base", 3, "cbrn", as_of=dt.date(2025, 7, 1)).set_index("deployment_id")
    assert "d7" in later.index  # started 2025-07-01
    assert "d12" not in later.index  # ended 2025-06-02
    early = at_risk(store, "base", 3, "cbrn", as_of=dt.date(2025, 4, 30)).set_index("deployment_id")
    assert {"d6", "d11"} <= set(early.index)  # both still running on 2025-04-30


def test_status_ended_is_never_live(store):
    early = at_risk(store, "base", 3, "cbrn", as_of=dt.date(2025, 4, 30))
    assert "d5" not in set(early["deployment_id"])


def test_summary(store):
    frame = at_risk(store, "base", 3, "cbrn")
    affected = snapshot(store).query("at_risk_models", model_id="base", asl_level=3)
    # In lineage-tree order (by path): base, base/dist/dist-child, base/ft1, base/ft1/ft1-ft.
    assert list(affected["model_id"]) == ["base", "dist-child", "ft1", "ft1-ft"]
    assert dict(zip(affected["model_id"], affected["depth"])) == {"base": 0, "ft1": 1, "ft1-ft": 2, "dist-child": 2}
    summary = at_risk_summary(frame, affected)
    assert summary["actions"] == {"emergency_review": 2, "halt_onboarding": 1, "add_safeguards": 2, "covered": 1}
    assert summary["customers"] == 3  # c1, c2, c3
    assert summary["business_critical_customers"] == 2  # c1, c3
    assert summary["monthly_requests_at_risk"] == 1000 + 700 + 300 + 50 + 5000  # all but covered d2
    gaps = summary["safeguard_gaps"]
    assert list(zip(gaps["safeguard_id"], gaps["deployments_missing"])) == [
        ("weight_security", 5), ("input_classifier", 4), ("monitoring", 2)]


@pytest.mark.parametrize("model_id, level, domain, message", [
    ("nope", "3", None, "model 'nope' is unknown"),
    ("base", "2", None, "base is already at ASL-2: choose a level above it"),
    ("dist", "3", None, "dist is already at ASL-3"),
    ("base", "9", None, "ASL-9 is not defined"),
    ("base", "three", None, "is not a level"),
    ("base", "3", "weather", "is not a known capability domain"),
])
def test_bad_scenarios_are_refused(store, model_id, level, domain, message):
    with pytest.raises(ParamError, match=message):
        resolve_scenario(snapshot(store), model_id, level, domain)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True, text=True)


def test_cli_at_risk_csv(store):
    result = run_cli("--store", str(store), "at-risk", "--model", "ft1-ft", "--asl", "3", "--domain", "cyber",
                     "--as-of", "2025-06-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "deployment_id,model_id,customer_id,customer_name,surface,use_case,status,business_critical,"
        "monthly_requests,missing_safeguards,action\n"
        "d4,ft1-ft,,,consumer,chat,active,false,5000,weight_security,emergency_review\n")


def test_cli_at_risk_full_scenario_matches_the_view(store):
    result = run_cli("--store", str(store), "at-risk", "--model", "base", "--asl", "3", "--domain", "cbrn",
                     "--as-of", "2025-06-01")
    lines = result.stdout.splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["d1", "d9", "d3", "d12", "d4", "d2"]
    assert lines[1] == "d1,base,c1,Acme Bio,api,chat,active,true,1000,input_classifier;weight_security,emergency_review"


@pytest.mark.parametrize("args, message", [
    (["--model", "nope", "--asl", "3"], "model 'nope' is unknown"),
    (["--model", "base", "--asl", "2"], "already at ASL-2"),
])
def test_cli_refuses_bad_scenarios(store, args, message):
    result = run_cli("--store", str(store), "at-risk", *args)
    assert result.returncode != 0
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_incident_brief(store):
    frame = at_risk(store, "base", 3, "cbrn")
    affected = snapshot(store).query("at_risk_models", model_id="base", asl_level=3)
    brief = incident_brief(model_id="base", model_name="Base <script>", current_level=2, new_level=3, domain="cbrn",
                           as_of=AS_OF, link="http://x/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01",
                           dataset="lab", snapshot_date=AS_OF, summary=at_risk_summary(frame, affected),
                           deployments=frame)
    assert brief.startswith("# Reclassification brief: Base \\<script\\> (base) to ASL-3")
    assert "- Monthly requests at risk: 7,050." in brief
    assert "## Emergency review (2 deployment(s))" in brief
    assert "| d1 | Acme Bio | api | chat | 1,000 | input\\_classifier;weight\\_security |" in brief
    assert "<http://x/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01>" in brief
