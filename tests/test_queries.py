"""Every file in queries/ runs against the demo store, and the downsampling keeps its promises."""
from __future__ import annotations

import datetime as dt

import pytest

from dashboard.ingest import ensure_store, ingest
from dashboard.sqlfiles import parameters_of, query_names, query_text
from dashboard.store import snapshot
from labdata import add_model, base_tables, write_folder

AS_OF = dt.date(2026, 11, 20)

# Sample parameters for each query; a new query file must be added here (the test below fails otherwise).
SAMPLE_PARAMS = {
    "status": {"as_of": AS_OF, "policy_id": None},
    "snapshot_info": {},
    "policies": {},
    "models": {},
    "deployments_by_status_surface": {"as_of": AS_OF},
    "normalised_trajectories": {"as_of": AS_OF, "model_ids": ["x"], "eval_steps": [0], "points_per_model": 50},
    "trajectory": {"as_of": AS_OF, "model_id": "x", "max_points": 2000},
    "evaluation_rounds": {"as_of": AS_OF, "model_id": "x", "policy_id": None},
    "preliminary_triggers": {"as_of": AS_OF, "model_id": "x"},
    "model_evaluations": {"as_of": AS_OF, "model_id": "x"},
    "model_detail": {"model_id": "x"},
    "model_asl_history": {"as_of": AS_OF, "model_id": "x"},
    "public_models": {"as_of": AS_OF},
    "model_positions": {"as_of": AS_OF},
    "at_risk": {"as_of": AS_OF, "model_id": "x", "asl_level": 4, "domain": None},
    "at_risk_models": {"as_of": AS_OF, "model_id": "x", "asl_level": 4, "domain": None},
    "asl_levels": {},
    "at_risk_safeguard_gaps": {"as_of": AS_OF, "model_id": "x", "asl_level": 4, "domain": None},
    "capability_domains": {},
    "training_flop_crossings": {"as_of": AS_OF, "model_id": "x", "thresholds": [1e25, 1e26]},
    "model_levels": {"as_of": AS_OF},
    "changes": {"since": AS_OF - dt.timedelta(days=7), "as_of": AS_OF, "model_id": None, "policy_id": None},
    "data_first_date": {},
    "triggering_evaluations": {"as_of": AS_OF, "model_ids": ["x"]},
    "model_deployments_by_month": {"as_of": AS_OF, "model_id": "x"},
    "obligations": {"as_of": AS_OF},
    "obligation_list": {},
    "safeguard_plan": {"actions": ["add_safeguards"], "missing_safeguards": ["input_classifier"], "deployments": [2],
                       "monthly_requests": [None]},
}


# Each query's columns, in order: the contract between the SQL and what pages, CLI and exports show.
QUERY_COLUMNS = {
    "asl_levels": ["asl_level", "name", "description"],
    "at_risk": ["deployment_id", "model_id", "customer_id", "customer_name", "surface", "use_case", "status",
                "business_critical", "monthly_requests", "missing_safeguards", "action"],
    "at_risk_models": ["model_id", "name", "parent_model_id", "depth", "path", "asl_level", "status"],
    "at_risk_safeguard_gaps": ["safeguard_id", "name", "kind", "required_from"],
    "capability_domains": ["domain"],
    "changes": ["event_date", "kind", "model_id", "model_name", "before", "after", "detail"],
    "data_first_date": ["first_date"],
    "deployments_by_status_surface": ["surface", "status", "deployments"],
    "preliminary_triggers": ["eval_id", "step", "domain", "completed_at", "recorded_at", "effective_compute", "score",
                             "trigger_score", "elicitation"],
    "evaluation_rounds": ["step", "round_outcome", "missing_domains", "completed_at", "recorded_at", "effective_compute",
                          "details"],
    "model_asl_history": ["asl_level", "effective_from", "reason"],
    "model_detail": ["model_id", "name", "family", "parent_model_id", "parent_name", "derivation", "asl_level",
                     "policy_id", "status", "children"],
    "model_evaluations": ["eval_id", "step", "completed_at", "domain", "kind", "target_asl_level", "outcome", "score",
                          "trigger_score", "elicitation", "effective_compute"],
    "model_positions": ["model_id", "name", "family", "asl_level", "recorded_at", "effective_compute"],
    "models": ["model_id", "name", "family", "parent_model_id", "derivation", "asl_level", "policy_id", "status"],
    "model_deployments_by_month": ["month", "started", "ended"],
    "model_levels": ["model_id", "asl_level"],
    "normalised_trajectories": ["model_id", "step", "recorded_at", "multiple"],
    "obligation_list": ["obligation_id", "name", "jurisdiction", "threshold_flop", "measure", "clock", "deadline_days",
                        "applies_from", "source", "deadline_hours", "categories"],
    "obligations": ["model_id", "model_name", "obligation_id", "obligation_name", "jurisdiction", "threshold_flop",
                    "measure", "clock", "deadline_days", "applies_from", "crossed_on", "start_on", "due_on", "done_on",
                    "reference", "state", "projected_on", "days_left"],
    "policies": ["policy_id", "name", "eval_compute_multiple", "buffer_multiple", "eval_interval_days", "source"],
    "safeguard_plan": ["step", "safeguard_id", "name", "kind", "lacking", "newly_covered", "covered_total",
                       "requests_covered_total"],
    "public_models": ["public_model_id", "name", "organization", "published_on", "training_compute_flop",
                      "accessibility", "source"],
    "snapshot_info": ["published_at", "source", "dataset", "row_counts_json", "notes", "snapshot_date"],
    "status": ["model_id", "name", "family", "asl_level", "policy_id", "c_now", "c_eval", "compute_multiple",
               "next_eval_compute", "buffer_edge_compute", "buffer_used_pct", "days_since_eval", "next_eval_date",
               "status", "eval_step", "last_checkpoint_on", "is_training", "eval_completed_on", "next_eval_crossed_on",
               "buffer_edge_crossed_on", "triggered_on", "triggered_step", "triggered_domains", "triggered_eval_ids",
               "overdue_by", "overdue_since", "due_soon_since", "severity"],
    "training_flop_crossings": ["threshold", "step", "recorded_at", "training_flop"],
    "triggering_evaluations": ["eval_id", "model_id", "model_name", "step", "completed_at", "domain", "kind",
                               "target_asl_level", "score", "trigger_score", "elicitation"],
    "trajectory": ["step", "recorded_at", "training_flop", "effective_compute", "exact"],
}


@pytest.mark.parametrize("name", query_names())
def test_every_query_runs_on_the_demo_store_with_its_pinned_columns(demo_store, name):
    assert name in SAMPLE_PARAMS, f"add sample parameters for queries/{name}.sql to SAMPLE_PARAMS"
    snap = snapshot(demo_store)
    params = dict(SAMPLE_PARAMS[name])
    if "model_id" in params:
        params["model_id"] = snap.query("models")["model_id"].iloc[0]
    if "model_ids" in params:
        status = snap.query("status", as_of=AS_OF, policy_id=None).dropna(subset=["eval_step"])
        params["model_ids"] = list(status["model_id"])
        params["eval_steps"] = [int(step) for step in status["eval_step"]]
    params = {key: value for key, value in params.items() if key in parameters_of(query_text(name))}
    frame = snap.query(name, **params)
    assert name in QUERY_COLUMNS, f"pin the columns of queries/{name}.sql in QUERY_COLUMNS"
    assert list(frame.columns) == QUERY_COLUMNS[name]


def test_every_query_starts_with_a_comment_saying_what_it_answers():
    for name in query_names():
        assert query_text(name).lstrip().startswith("--"), name


@pytest.fixture(scope="module")
def long_run(tmp_path_factory):
    """One model with 10,000 checkpoints (compute doubling every 1,000 steps) and rounds at 3 steps."""
    tables = base_tables()
    add_model(tables, "long", [], [])
    for step in range(10_000):
        compute = f"{1e22 * 2 ** (step / 1000):.6e}"
        stamp = (dt.datetime(2025, 1, 1) + dt.timedelta(minutes=10 * step)).isoformat()
        tables["checkpoints"].append({"model_id": "long", "step": str(step), "recorded_at": stamp,
                                      "training_flop": compute, "effective_compute": compute})
    for step in (1234, 4321, 8765):
        tables["evaluations"].append({"eval_id": f"e{step}", "model_id": "long", "step": str(step),
                                      "completed_at": "2025-03-15T00:00:00", "domain": "cbrn", "kind": "comprehensive",
                                      "target_asl_level": "3", "outcome": "below_threshold", "score": "", "trigger_score": "",
                                      "elicitation": ""})
    folder = write_folder(tmp_path_factory.mktemp("long") / "src", tables)
    store = tmp_path_factory.mktemp("longstore") / "long.duckdb"
    ingest(folder, store, progress=lambda _: None)
    return store


def test_trajectory_is_downsampled_in_sql_keeping_evaluation_points(long_run):
    points = snapshot(long_run).query("trajectory", model_id="long", as_of=dt.date(2025, 6, 1), max_points=2000)
    assert 1500 <= len(points) <= 2010
    steps = set(points["step"])
    assert {0, 1234, 4321, 8765, 9999} <= steps  # first, evaluated and latest checkpoints kept exactly
    exact = points.set_index("step").loc[4321, "effective_compute"]
    assert exact == pytest.approx(1e22 * 2 ** 4.321, rel=1e-6)
    assert points["effective_compute"].is_monotonic_increasing


def test_trajectory_respects_the_as_of_date(long_run):
    # 10 minutes a step: 2025-01-02 00:00 is step 144; later checkpoints do not count.
    points = snapshot(long_run).query("trajectory", model_id="long", as_of=dt.date(2025, 1, 1), max_points=2000)
    assert points["step"].max() == 143


def test_normalised_trajectories_are_downsampled_per_model(long_run):
    frame = snapshot(long_run).query("normalised_trajectories", as_of=dt.date(2025, 6, 1), model_ids=["long"],
                                     eval_steps=[8765], points_per_model=50)
    assert 40 <= len(frame) <= 53
    assert frame["step"].min() == 8765 and frame["step"].max() == 9999
    assert frame["multiple"].iloc[0] == pytest.approx(1.0)
    assert frame["multiple"].iloc[-1] == pytest.approx(2 ** ((9999 - 8765) / 1000), rel=1e-6)


def test_a_missing_default_store_is_built_from_the_demo(tmp_path, monkeypatch):
    from dashboard import store as store_module

    default = tmp_path / "asl.duckdb"
    monkeypatch.setattr(store_module, "DEFAULT_STORE", default)
    said = []
    ensure_store(default, say=said.append)
    assert default.exists() and "building it from the bundled demo data" in said[0]
    assert len(snapshot(default).query("models")) >= 40


def test_a_missing_other_store_is_an_error_with_the_fix(tmp_path):
    from dashboard.store import StoreError

    with pytest.raises(StoreError, match="publish one with `asl-dashboard ingest DIR --store"):
        ensure_store(tmp_path / "elsewhere.duckdb")
