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

import pytest

from dashboard.params import ParamError
from dashboard.store import snapshot
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.reclassify import (ACTIONS, AT_RISK_COLUMNS, AT_RISK_GAP_COLUMNS, Scenario, at_risk_frame,
                                          at_risk_models_frame, at_risk_safeguard_gaps, at_risk_summary,
                                          known_domains, resolve_scenario)
from clirun import run_cli

AS_OF = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def store(reclassify_store):
    return reclassify_store


def at_risk(store, model_id, level, domain=None, as_of=AS_OF):
    snap = snapshot(store)
    scenario = resolve_scenario(snap, model_id, str(level), domain, as_of=as_of)
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
    affected = snapshot(store).query("at_risk_models", model_id="base", asl_level=3, as_of=AS_OF)
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


def test_cli_at_risk_exact_csv_of_the_whole_scenario(store):
    """Every column as printed: empty customer for first-party, empty missing list when covered, true/false."""
    result = run_cli("--store", str(store), "at-risk", "--model", "base", "--asl", "3", "--domain", "cbrn",
                     "--as-of", "2025-06-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "deployment_id,model_id,customer_id,customer_name,surface,use_case,status,business_critical,"
        "monthly_requests,missing_safeguards,action\n"
        "d1,base,c1,Acme Bio,api,chat,active,true,1000,input_classifier;weight_security,emergency_review\n"
        "d9,dist-child,c3,Gamma Gov,api,chat,paused,true,700,input_classifier;weight_security,emergency_review\n"
        "d3,ft1,c1,Acme Bio,cloud,chat,onboarding,true,300,input_classifier;monitoring;weight_security,halt_onboarding\n"
        "d12,ft1,c2,Beta Bank,api,chat,active,false,50,input_classifier;monitoring;weight_security,add_safeguards\n"
        "d4,ft1-ft,,,consumer,chat,active,false,5000,weight_security,add_safeguards\n"
        "d2,base,c2,Beta Bank,enterprise,chat,active,false,2000,,covered\n")


@pytest.mark.parametrize("args, message", [
    (["--model", "base", "--asl", "9"], "ASL-9 is not defined in this snapshot: levels are ASL-1, ASL-2, ASL-3, ASL-4"),
    (["--model", "base", "--asl", "three"], "asl 'three' is not a level: give a whole number such as 3"),
    (["--model", "base", "--asl", "3", "--domain", "weather"], "domain 'weather' is not a known capability domain: cbrn, cyber"),
    (["--model", "dist", "--asl", "3"], "dist is already at ASL-3: choose a level above it"),
    (["--model", "base", "--asl", "3", "--as-of", "2025-13-01"], "is not a real calendar date"),
])
def test_cli_refuses_bad_levels_domains_and_dates(store, args, message):
    result = run_cli("--store", str(store), "at-risk", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and message in result.stderr


def test_cli_at_risk_table_format(store):
    result = run_cli("--store", str(store), "at-risk", "--model", "ft1-ft", "--asl", "3", "--as-of", "2025-06-01",
                     "--format", "table")
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == AT_RISK_COLUMNS
    assert "NaN" not in row and "<NA>" not in row and "None" not in row  # empty customer cells stay empty
    assert row.split() == ["d4", "ft1-ft", "consumer", "chat", "active", "False", "5000", "weight_security",
                           "add_safeguards"]


def test_the_query_read_literally_when_the_model_itself_is_not_below_the_level(store):
    """The page and CLI refuse it, but the rule is per model: dist (ASL-3) is not affected by a move to
    ASL-3, its child dist-child (ASL-2) is, because it descends from dist."""
    snap = snapshot(store)
    frame = snap.query("at_risk", model_id="dist", asl_level=3, domain=None, as_of=AS_OF)
    assert rows(frame) == [("d9", "input_classifier;weight_security", "add_safeguards")]
    affected = snap.query("at_risk_models", model_id="dist", asl_level=3, as_of=AS_OF)
    assert list(affected["model_id"]) == ["dist-child"] and list(affected["depth"]) == [1]


def test_summary_names_the_safeguards_and_their_kind(store):
    snap = snapshot(store)
    scenario = resolve_scenario(snap, "base", "3", "cbrn")
    frame = at_risk_frame(snap, ViewScope(AS_OF, None, False), scenario)
    summary = at_risk_summary(frame, at_risk_models_frame(snap, scenario))
    gaps = at_risk_safeguard_gaps(snap, scenario, summary["safeguard_gaps"])
    assert list(gaps.columns) == AT_RISK_GAP_COLUMNS
    # weight_security: d1, d9, d3 (onboarding counts too), d12, d4; input_classifier: d1, d9, d3, d12;
    # monitoring: d3, d12. d2 (covered) lacks nothing.
    assert gaps.values.tolist() == [
        ["weight_security", "Weight security", "security", 3, 5],
        ["input_classifier", "Input classifier", "deployment", 3, 4],
        ["monitoring", "Usage monitoring", "deployment", 2, 2],
    ]


def test_scenario_type_and_domains(store):
    snap = snapshot(store)
    scenario = resolve_scenario(snap, "base", "3", "cyber")
    assert isinstance(scenario, Scenario)
    assert (scenario.model_id, scenario.asl_level, scenario.domain, scenario.current_level) == ("base", 3, "cyber", 2)
    # Known domains are those the snapshot names (evaluations, deployments' risk domains): this lab
    # has no evaluations, and its deployments name cbrn and cyber only.
    assert known_domains(snap) == ["cbrn", "cyber"]
    with pytest.raises(ParamError, match="domain 'autonomy' is not a known capability domain"):
        resolve_scenario(snap, "base", "3", "autonomy")
    assert resolve_scenario(snap, "base", "3", "").domain is None


# --- A second lab: edge cases of the rules -----------------------------------------------------
#
#   p [2]
#   ├── a [2]
#   │   └── c [2]
#   │       └── d [4]          (not affected by ASL-3)
#   │           └── e [2]      (depth four, affected: it descends from p)
#   └── a-b [2]                (a sibling whose id sorts between "p/a" and "p/a/c" as text)
#
# As of 2025-06-01, moving p to ASL-3 with domain cyber (required: monitoring; input_classifier,
# weight_security):
#   x1 on p:   onboarding, has all three             -> halt_onboarding (first match wins), missing ""
#   x2 on a:   status ended, ended_at empty          -> not live
#   x3 on a-b: active, started on the as-of date, has all three -> covered
#   x4 on e:   internal (first party), ends 2025-06-02, risk autonomy;cyber, has weight_security
#                                                     -> emergency_review, missing input_classifier;monitoring
#   x5 on d:   active                                 -> d is not affected
#   x6 on c:   onboarding, starts 2025-06-02          -> not live yet
#   x7 on c:   paused, c1, no safeguards, no risk domains -> add_safeguards, missing all three
#   x8 on a:   active, ended 2025-06-01 (the as-of date itself) -> not live


def edge_tables():
    from labdata import base_tables, lab_deployment, lab_model

    tables = base_tables()
    tables["models"] = [lab_model("p", "", 2), lab_model("a", "p", 2), lab_model("c", "a", 2), lab_model("d", "c", 4),
                        lab_model("e", "d", 2), lab_model("a-b", "p", 2)]
    tables["checkpoints"] = [{"model_id": row["model_id"], "step": "1", "recorded_at": "2025-01-01T00:00:00",
                              "training_flop": "1e24", "effective_compute": "1e24"} for row in tables["models"]]
    tables["customers"].append({"customer_id": "c2", "name": "Second", "segment": "startup", "sector": "retail",
                                "region": "us", "business_critical": "false"})
    tables["deployments"] = [
        lab_deployment("x1", "p", "c2", "api", "onboarding", "2025-05-20", "", 100, "cbrn"),
        lab_deployment("x2", "a", "c1", "api", "ended", "2025-01-01", "", 9, "cyber"),
        lab_deployment("x3", "a-b", "c2", "enterprise", "active", "2025-06-01", "", 1000, "cyber"),
        lab_deployment("x4", "e", "", "internal", "active", "2025-01-01", "2025-06-02", 20000, "autonomy;cyber", "agents"),
        lab_deployment("x5", "d", "c1", "api", "active", "2025-01-01", "", 7, "cyber"),
        lab_deployment("x6", "c", "c1", "api", "onboarding", "2025-06-02", "", 8, "cyber"),
        lab_deployment("x7", "c", "c1", "cloud", "paused", "2025-02-01", "", 3, ""),
        lab_deployment("x8", "a", "c1", "api", "active", "2025-01-01", "2025-06-01", 11, "cyber"),
    ]
    own = {"x1": ["monitoring", "input_classifier", "weight_security"],
           "x3": ["monitoring", "input_classifier", "weight_security"], "x4": ["weight_security"]}
    tables["deployment_safeguards"] = [{"deployment_id": deployment_id, "safeguard_id": safeguard}
                                       for deployment_id, safeguards in own.items() for safeguard in safeguards]
    return tables


@pytest.fixture(scope="module")
def edge_store(tmp_path_factory):
    from dashboard.ingest import ingest
    from labdata import write_folder

    folder = write_folder(tmp_path_factory.mktemp("edge-src") / "lab", edge_tables())
    path = tmp_path_factory.mktemp("edge") / "edge.duckdb"
    ingest(folder, path, progress=lambda _: None)
    return path


def test_edge_lab_deployments(edge_store):
    frame = at_risk(edge_store, "p", 3, "cyber")
    assert [tuple(row) for row in frame[["deployment_id", "model_id", "customer_id", "status", "business_critical",
                                         "monthly_requests", "missing_safeguards", "action"]].astype(object)
            .where(frame.notna(), None).itertuples(index=False)] == [
        ("x4", "e", None, "active", False, 20000, "input_classifier;monitoring", "emergency_review"),
        ("x1", "p", "c2", "onboarding", False, 100, "", "halt_onboarding"),
        ("x7", "c", "c1", "paused", True, 3, "input_classifier;monitoring;weight_security", "add_safeguards"),
        ("x3", "a-b", "c2", "active", False, 1000, "", "covered"),
    ]


def test_edge_lab_without_the_domain_the_emergency_becomes_safeguards(edge_store):
    frame = at_risk(edge_store, "p", 3)
    assert rows(frame) == [
        ("x1", "", "halt_onboarding"),
        ("x4", "input_classifier;monitoring", "add_safeguards"),
        ("x7", "input_classifier;monitoring;weight_security", "add_safeguards"),
        ("x3", "", "covered"),
    ]


def test_edge_lab_lineage_tree_order(edge_store):
    affected = at_risk_models_frame(snapshot(edge_store), resolve_scenario(snapshot(edge_store), "p", "3", None))
    assert list(affected.columns[:4]) == ["model_id", "name", "parent_model_id", "depth"]
    # Tree order: c (child of a) comes before a's sibling a-b; d (ASL-4) is left out, e (below it) is in.
    assert affected["parent_model_id"].isna().tolist() == [True, False, False, False, False]
    assert [(row.model_id, row.parent_model_id, row.depth, row.path) for row in affected.fillna("").itertuples()] == [
        ("p", "", 0, "p"), ("a", "p", 1, "p/a"), ("c", "a", 2, "p/a/c"), ("e", "d", 4, "p/a/c/d/e"),
        ("a-b", "p", 1, "p/a-b")]


def test_edge_lab_at_level_four_the_asl4_model_is_still_not_below(edge_store):
    frame = at_risk(edge_store, "p", 4, "cyber")
    # Level 4 adds output_classifier for everyone; d (ASL-4) is not below 4, so x5 stays out.
    assert rows(frame) == [
        ("x3", "output_classifier", "emergency_review"),  # covered at ASL-3, not at ASL-4; cyber use case
        ("x4", "input_classifier;monitoring;output_classifier", "emergency_review"),
        ("x1", "output_classifier", "halt_onboarding"),
        ("x7", "input_classifier;monitoring;output_classifier;weight_security", "add_safeguards"),
    ]


def test_edge_lab_summary(edge_store):
    snap = snapshot(edge_store)
    scenario = resolve_scenario(snap, "p", "3", "cyber")
    frame = at_risk_frame(snap, ViewScope(AS_OF, None, False), scenario)
    summary = at_risk_summary(frame, at_risk_models_frame(snap, scenario))
    assert summary["halted_models"] == ["p", "a", "c", "e", "a-b"]
    assert summary["actions"] == {"emergency_review": 1, "halt_onboarding": 1, "add_safeguards": 1, "covered": 1}
    assert summary["customers"] == 2  # c1 (x7), c2 (x1, x3); x4 is first party
    assert summary["business_critical_customers"] == 1  # c1
    assert summary["monthly_requests_at_risk"] == 20000 + 100 + 3  # x4, x1, x7; not the covered x3
    gaps = at_risk_safeguard_gaps(snap, scenario, summary["safeguard_gaps"])
    assert gaps[["safeguard_id", "kind", "deployments_missing"]].values.tolist() == [
        ["input_classifier", "deployment", 2], ["monitoring", "deployment", 2], ["weight_security", "security", 1]]


def test_summary_when_nothing_is_live(edge_store):
    snap = snapshot(edge_store)
    scenario = resolve_scenario(snap, "p", "3", "cyber")
    frame = at_risk_frame(snap, ViewScope(dt.date(2024, 1, 1), None, False), scenario)
    assert len(frame) == 0 and list(frame.columns) == AT_RISK_COLUMNS
    summary = at_risk_summary(frame, at_risk_models_frame(snap, scenario))
    assert summary["halted_models"] == ["p", "a", "c", "e", "a-b"]  # onboarding halts whatever is live
    assert summary["actions"] == {"emergency_review": 0, "halt_onboarding": 0, "add_safeguards": 0, "covered": 0}
    assert (summary["customers"], summary["business_critical_customers"], summary["monthly_requests_at_risk"]) == (0, 0, 0)
    assert len(summary["safeguard_gaps"]) == 0
    assert len(at_risk_safeguard_gaps(snap, scenario, summary["safeguard_gaps"])) == 0


def test_edge_lab_cli_csv(edge_store):
    result = run_cli("--store", str(edge_store), "at-risk", "--model", "c", "--asl", "3", "--domain", "autonomy",
                     "--as-of", "2025-06-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "deployment_id,model_id,customer_id,customer_name,surface,use_case,status,business_critical,"
        "monthly_requests,missing_safeguards,action\n"
        "x4,e,,,internal,agents,active,false,20000,input_classifier;monitoring,emergency_review\n"
        "x7,c,c1,Customer One,cloud,chat,paused,true,3,input_classifier;monitoring;weight_security,add_safeguards\n")


# --- The rules once more, as plain Python over the source rows, on every scenario of both labs ----
# at_risk.sql and at_risk_models.sql each walk the lineage; this checks them against each other and
# against a direct reading of DESIGN section 5.


def level_as_of(tables, model_id, as_of):
    """DESIGN 4a: the latest asl_history row on or before the date; before the first, the first; else models.csv."""
    rows = sorted((dt.date.fromisoformat(row["effective_from"]), int(row["asl_level"]))
                  for row in tables.get("asl_history", []) if row["model_id"] == model_id)
    if not rows:
        return int(next(row["asl_level"] for row in tables["models"] if row["model_id"] == model_id))
    known = [level for day, level in rows if day <= as_of]
    return known[-1] if known else rows[0][1]


def reference(tables, model_id, level, domain, as_of):
    affected, frontier = [], [model_id]
    while frontier:
        current = frontier.pop()
        if level_as_of(tables, current, as_of) < level:
            affected.append(current)
        frontier += [row["model_id"] for row in tables["models"] if row["parent_model_id"] == current]
    required = {row["safeguard_id"] for row in tables["asl_required_safeguards"] if int(row["asl_level"]) <= level}
    own = {}
    for row in tables["deployment_safeguards"]:
        own.setdefault(row["deployment_id"], set()).add(row["safeguard_id"])
    result = {}
    for row in tables["deployments"]:
        started = dt.date.fromisoformat(row["started_at"])
        ended = dt.date.fromisoformat(row["ended_at"]) if row["ended_at"] else None
        if row["model_id"] not in affected or started > as_of or (ended and ended <= as_of) or row["status"] == "ended":
            continue
        missing = sorted(required - own.get(row["deployment_id"], set()))
        if row["status"] == "onboarding":
            action = "halt_onboarding"
        elif not missing:
            action = "covered"
        elif domain and domain in row["risk_domains"].split(";"):
            action = "emergency_review"
        else:
            action = "add_safeguards"
        result[row["deployment_id"]] = (";".join(missing), action)
    return set(affected), result


@pytest.mark.parametrize("lab", ["reclassify", "edge"])
def test_every_scenario_agrees_with_a_plain_reading_of_the_rules(lab, reclassify_store, edge_store):
    from labdata import reclassify_tables

    tables, path = (reclassify_tables(), reclassify_store) if lab == "reclassify" else (edge_tables(), edge_store)
    snap = snapshot(path)
    checked = 0
    for model in tables["models"]:
        for level in (2, 3, 4):
            for domain in (None, "cbrn", "cyber"):
                for as_of in (dt.date(2025, 1, 15), dt.date(2025, 5, 15), AS_OF, dt.date(2025, 7, 1)):
                    affected, expected = reference(tables, model["model_id"], level, domain, as_of)
                    frame = snap.query("at_risk", model_id=model["model_id"], asl_level=level, domain=domain, as_of=as_of)
                    assert {row.deployment_id: (row.missing_safeguards, row.action) for row in frame.itertuples()} == expected
                    order = [(ACTIONS.index(row.action), row.deployment_id) for row in frame.itertuples()]
                    assert order == sorted(order)  # emergency reviews first, then by deployment_id
                    checked += 1
                    models = snap.query("at_risk_models", model_id=model["model_id"], asl_level=level, as_of=as_of)
                    assert set(models["model_id"]) == affected
                    assert all(row.asl_level == level_as_of(tables, row.model_id, as_of) for row in models.itertuples())
    assert checked == len(tables["models"]) * 3 * 3 * 4


# --- Levels as of the date (DESIGN 4a, section 5 last bullet) ------------------------------------
# labdata.reclassify_tables: dist is ASL-2 until 2025-05-20 then ASL-3; ft1 is ASL-2 from
# 2025-02-01 and ASL-3 from 2025-06-15. models.csv says dist 3, ft1 2.


def test_a_model_below_the_level_on_the_date_is_affected(store):
    # As of 2025-05-15 dist is still ASL-2: moving base to ASL-3 affects it, and its deployment d8
    # (active since 2025-01-01, has monitoring only) needs input_classifier and weight_security.
    early = at_risk(store, "base", 3, "cbrn", as_of=dt.date(2025, 5, 15)).set_index("deployment_id")
    assert early.loc["d8", ["missing_safeguards", "action"]].tolist() == ["input_classifier;weight_security",
                                                                          "emergency_review"]
    affected = snapshot(store).query("at_risk_models", model_id="base", asl_level=3, as_of=dt.date(2025, 5, 15))
    assert list(affected["model_id"]) == ["base", "dist", "dist-child", "ft1", "ft1-ft"]
    assert dict(zip(affected["model_id"], affected["asl_level"]))["dist"] == 2
    # As of 2025-06-01 dist is ASL-3: not affected (test_the_whole_scenario).
    assert "d8" not in set(at_risk(store, "base", 3, "cbrn")["deployment_id"])


def test_a_model_raised_before_the_date_is_not_affected(store):
    # As of 2025-07-01 ft1 is ASL-3: it is not affected (its onboarding d3 drops out), its child
    # ft1-ft (ASL-2) still is (d4).
    later = at_risk(store, "base", 3, "cbrn", as_of=dt.date(2025, 7, 1))
    assert "d3" not in set(later["deployment_id"]) and "d4" in set(later["deployment_id"])
    affected = snapshot(store).query("at_risk_models", model_id="base", asl_level=3, as_of=dt.date(2025, 7, 1))
    assert list(affected["model_id"]) == ["base", "dist-child", "ft1-ft"]


def test_already_at_the_level_is_judged_on_the_date(store):
    snap = snapshot(store)
    assert resolve_scenario(snap, "dist", "3", None, as_of=dt.date(2025, 5, 15)).current_level == 2
    with pytest.raises(ParamError, match="dist is already at ASL-3"):
        resolve_scenario(snap, "dist", "3", None, as_of=dt.date(2025, 5, 20))
    with pytest.raises(ParamError, match="ft1 is already at ASL-3"):
        resolve_scenario(snap, "ft1", "3", None, as_of=dt.date(2025, 6, 15))
    # Without a date: the snapshot's own date (2025-07-01, d7's start), when ft1 is ASL-3.
    with pytest.raises(ParamError, match="ft1 is already at ASL-3"):
        resolve_scenario(snap, "ft1", "3", None)


def test_cli_at_risk_uses_the_level_on_the_date(store):
    accepted = run_cli("--store", str(store), "at-risk", "--model", "dist", "--asl", "3", "--as-of", "2025-05-15")
    assert accepted.returncode == 0, accepted.stderr
    # dist (ASL-2 then): d8 (dist) and d9 (dist-child) are live.
    assert [line.split(",")[0] for line in accepted.stdout.splitlines()[1:]] == ["d8", "d9"]
    refused = run_cli("--store", str(store), "at-risk", "--model", "dist", "--asl", "3", "--as-of", "2025-05-20")
    assert refused.returncode == 2 and "dist is already at ASL-3" in refused.stderr


def test_the_level_rule_agrees_in_every_query(store, reclassify_store, lab_store):
    """model_levels.sql states the rule; status.sql, at_risk_models.sql and the reference above apply it."""
    from labdata import reclassify_tables

    tables = reclassify_tables()
    snap = snapshot(store)
    for as_of in (dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2025, 5, 19), dt.date(2025, 5, 20),
                  dt.date(2025, 6, 14), dt.date(2025, 6, 15), dt.date(2099, 1, 1)):
        levels = snap.query("model_levels", as_of=as_of).set_index("model_id")["asl_level"].to_dict()
        assert levels == {row["model_id"]: level_as_of(tables, row["model_id"], as_of) for row in tables["models"]}
        status = snap.query("status", as_of=as_of, policy_id=None).set_index("model_id")["asl_level"].to_dict()
        assert status == levels
        tree = snap.query("at_risk_models", model_id="base", asl_level=99, as_of=as_of)
        assert dict(zip(tree["model_id"], tree["asl_level"])) == {key: levels[key] for key in tree["model_id"]}


@pytest.mark.parametrize("as_of", ["2025-05-15", "2025-06-01", "2025-07-01"])
def test_cli_at_risk_agrees_with_the_query(store, as_of):
    import io

    import pandas as pd

    result = run_cli("--store", str(store), "at-risk", "--model", "base", "--asl", "3", "--domain", "cbrn",
                     "--as-of", as_of)
    assert result.returncode == 0, result.stderr
    printed = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    frame = at_risk(store, "base", 3, "cbrn", as_of=dt.date.fromisoformat(as_of))
    assert list(printed.columns) == AT_RISK_COLUMNS
    assert rows(frame) == list(zip(printed["deployment_id"], printed["missing_safeguards"], printed["action"]))


def test_the_page_judges_the_level_on_the_date(store):
    from dashboard.text import md_escape
    from pagelinks import open_link

    # dist is ASL-2 on 2025-05-15: the scenario opens, from ASL-2.
    page = open_link(store, "app_pages/reclassify.py", model="dist", asl="3", as_of="2025-05-15")
    assert not page.error
    assert any("from ASL-2 to **ASL-3**" in text.value for text in page.markdown)
    # On 2025-06-01 it is ASL-3 already: the link is refused as the CLI refuses it.
    refused = open_link(store, "app_pages/reclassify.py", model="dist", asl="3", as_of="2025-06-01")
    assert [error.value for error in refused.error] == [md_escape("dist is already at ASL-3: choose a level above it")]


def test_cli_at_risk_after_the_snapshot_date_prints_the_notice(store):
    # The lab's own date is 2025-07-01 (d7's start); 2030-01-01 is after it: accepted, with the note.
    result = run_cli("--store", str(store), "at-risk", "--model", "ft1-ft", "--asl", "3", "--as-of", "2030-01-01")
    assert result.returncode == 0
    assert result.stderr == ("note: as of 2030-01-01 is after the snapshot's date 2025-07-01: "
                             "nothing after that date is known\n")
    assert result.stdout.splitlines()[1:] == ["d4,ft1-ft,,,consumer,chat,active,false,5000,weight_security,add_safeguards"]
