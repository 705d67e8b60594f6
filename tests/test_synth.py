"""The synthetic lab: deterministic, the committed demo matches its generator, and it is realistic."""
from __future__ import annotations

import filecmp

import pandas as pd
import pytest

from dashboard import synth
from dashboard.store import DEMO_DIR, snapshot
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.status import STATUSES, status_frame


def test_same_seed_same_bytes_different_seed_different(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    synth.generate("s", first, progress=lambda _: None)
    synth.generate("s", second, progress=lambda _: None)
    synth.generate("s", other, seed=7, progress=lambda _: None)
    names = sorted(path.name for path in first.iterdir())
    assert filecmp.cmpfiles(first, second, names, shallow=False)[0] == names
    assert not filecmp.cmp(first / "checkpoints.csv", other / "checkpoints.csv", shallow=False)


def test_committed_demo_is_what_the_generator_makes(tmp_path):
    synth.generate("s", tmp_path, progress=lambda _: None)
    names = sorted(path.name for path in DEMO_DIR.glob("*.csv"))
    assert names == sorted(path.name for path in tmp_path.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(DEMO_DIR, tmp_path, names, shallow=False)
    assert not mismatch and not errors, f"data/demo drifted from dashboard/synth.py: {mismatch}; run python -m dashboard.synth"


def test_demo_is_a_believable_lab():
    models = pd.read_csv(DEMO_DIR / "models.csv")
    assert models["family"].nunique() >= 5 and len(models) >= 40
    parents = dict(zip(models["model_id"], models["parent_model_id"].fillna("")))

    def depth(model_id):
        return 0 if not parents[model_id] else 1 + depth(parents[model_id])

    assert max(depth(model_id) for model_id in models["model_id"]) >= 2
    assert {"fine-tune", "distillation"} <= set(models["derivation"])
    assert set(models["status"]) == {"training", "evaluating", "deployed", "retired"}
    checkpoints = pd.read_csv(DEMO_DIR / "checkpoints.csv")
    assert checkpoints["effective_compute"].min() < 1e22 * 1.5 and checkpoints["effective_compute"].max() > 3e26
    assert (checkpoints.sort_values(["model_id", "step"]).groupby("model_id")["effective_compute"]
            .apply(lambda series: series.is_monotonic_increasing).all())
    customers = pd.read_csv(DEMO_DIR / "customers.csv")
    assert len(customers) >= 300 and customers["sector"].nunique() >= 10
    deployments = pd.read_csv(DEMO_DIR / "deployments.csv")
    assert len(deployments) >= 2000
    assert set(deployments["surface"]) == {"api", "cloud", "consumer", "enterprise", "internal"}
    assert set(deployments["status"]) == {"onboarding", "active", "paused", "ended"}
    safeguards = pd.read_csv(DEMO_DIR / "deployment_safeguards.csv")
    per_deployment = safeguards.groupby("deployment_id").size()
    assert per_deployment.nunique() > 4  # uneven coverage
    assert len(pd.read_csv(DEMO_DIR / "asl_history.csv")) >= len(models)
    assert len(pd.read_csv(DEMO_DIR / "public_models.csv")) > 100


def test_demo_shows_every_status_on_its_snapshot_date(demo_store):
    snap = snapshot(demo_store)
    frame = status_frame(snap, ViewScope(as_of=synth.SNAPSHOT_DATE, policy_id=None, as_of_is_default=True))
    # Every status of DESIGN 4 (no_checkpoint, DESIGN 4a, cannot occur on the snapshot's own date for a
    # model with checkpoints: the demo's models all have some).
    assert set(frame["status"]) == set(STATUSES) - {"no_checkpoint"}
    evaluated = frame.dropna(subset=["compute_multiple"])
    # Overdue both ways, and due soon both ways (by compute and by time).
    overdue, due = evaluated[evaluated["status"] == "eval_overdue"], evaluated[evaluated["status"] == "eval_due_soon"]
    assert (overdue["compute_multiple"] >= 4).any() and ((overdue["compute_multiple"] < 4) & (overdue["days_since_eval"] > 90)).any()
    assert (due["compute_multiple"] >= 4 ** 0.75).any() and ((due["compute_multiple"] < 4 ** 0.75) & (due["days_since_eval"] > 67)).any()


@pytest.mark.parametrize("scale", ["m"])
def test_larger_scales_have_their_sizes(tmp_path, scale):
    pytest.importorskip("pyarrow")
    counts = synth.generate(scale, tmp_path, progress=lambda _: None)
    assert counts["checkpoints"] == synth.SCALES[scale].checkpoints
    assert counts["models"] == synth.SCALES[scale].models
    assert counts["deployments"] == synth.SCALES[scale].deployments
    assert (tmp_path / "checkpoints.parquet").is_file()
