"""The hand-made lab of tests/test_changes.py: every event kind of DESIGN section 8 in and around the
window (2025-06-01, 2025-06-10]. Policy rsp-v1.0 (k = 4, b = 6, T = 90) for every model.
tests/test_changes.py works out each expected event by hand."""
from __future__ import annotations

from labdata import base_tables


def checkpoint(model_id, step, date, training, effective=None):
    return {"model_id": model_id, "step": str(step), "recorded_at": f"{date}T00:00:00",
            "training_flop": training, "effective_compute": effective or training}


def evaluation(model_id, step, domain, outcome, date, kind="comprehensive"):
    return {"eval_id": f"{model_id}-{step}-{kind}-{domain}", "model_id": model_id, "step": str(step),
            "completed_at": f"{date}T12:00:00", "domain": domain, "kind": kind, "target_asl_level": "3",
            "outcome": outcome, "score": "", "trigger_score": "", "elicitation": ""}


def deployment(deployment_id, model_id, started, customer="c1", surface="api", ended=""):
    return {"deployment_id": deployment_id, "model_id": model_id, "customer_id": customer, "surface": surface,
            "use_case": "chat", "risk_domains": "cbrn", "status": "ended" if ended else "active", "started_at": started,
            "ended_at": ended, "monthly_requests": "100"}


def model(model_id, level="2"):
    return {"model_id": model_id, "name": model_id.title(), "family": "fam", "parent_model_id": "",
            "derivation": "pretrain", "asl_level": level, "policy_id": "rsp-v1.0", "status": "deployed"}


def changes_tables() -> dict[str, list[dict]]:
    tables = base_tables()  # keeps model "base": one checkpoint 2025-01-01 at 1e24, no evaluations
    tables["models"] += [model(name) for name in ("alpha", "beta", "gamma", "delta", "epsilon", "theta", "zeta")]
    tables["checkpoints"] += [
        checkpoint("alpha", 100, "2025-05-01", "5e24"),
        checkpoint("alpha", 200, "2025-06-01", "1e25"),   # reaches 1e25 on since: not in the window
        checkpoint("alpha", 300, "2025-06-10", "1e26"),   # reaches 1e26 on as_of: in the window
        checkpoint("beta", 100, "2025-05-01", "1e24"),
        checkpoint("beta", 200, "2025-05-20", "2e24"),
        checkpoint("gamma", 100, "2025-04-01", "1e24"),
        checkpoint("gamma", 200, "2025-05-01", "2e24"),
        checkpoint("gamma", 300, "2025-05-15", "3e24"),
        checkpoint("delta", 100, "2025-05-01", "1e24"),
        checkpoint("delta", 200, "2025-05-28", "1.5e24"),
        checkpoint("delta", 300, "2025-06-09", "1.6e24"),
        checkpoint("epsilon", 100, "2025-05-20", "1e24"),
        # theta: effective compute is past 1e25 from the start, training FLOP only on 2025-06-07.
        checkpoint("theta", 100, "2025-05-01", "5e24", "2e25"),
        checkpoint("theta", 200, "2025-06-07", "2e25", "8e25"),
        checkpoint("zeta", 100, "2025-06-08", "1e24"),  # no checkpoint yet on since
    ]
    tables["evaluations"] += [
        *[evaluation("alpha", 100, domain, "below_threshold", "2025-05-03") for domain in ("cbrn", "cyber")],
        evaluation("alpha", 200, "cbrn", "triggered", "2025-06-02"),
        evaluation("alpha", 200, "cyber", "below_threshold", "2025-06-03"),
        *[evaluation("beta", 100, domain, "below_threshold", "2025-05-05") for domain in ("cbrn", "cyber")],
        *[evaluation("beta", 200, domain, "triggered", "2025-05-25") for domain in ("cbrn", "cyber")],
        evaluation("gamma", 200, "cbrn", "triggered", "2025-05-10"),
        *[evaluation("gamma", 300, domain, "below_threshold", "2025-06-06") for domain in ("cbrn", "cyber")],
        *[evaluation("delta", 100, domain, "below_threshold", "2025-05-02") for domain in ("cbrn", "cyber")],
        evaluation("delta", 200, "cbrn", "below_threshold", "2025-05-30"),
        evaluation("delta", 200, "cyber", "inconclusive", "2025-06-10"),
        *[evaluation("delta", 300, domain, "below_threshold", "2025-06-12") for domain in ("cbrn", "cyber")],
        *[evaluation("epsilon", 100, domain, "below_threshold", "2025-06-01") for domain in ("cbrn", "cyber")],
        evaluation("epsilon", 100, "bio", "triggered", "2025-06-05", kind="preliminary"),
    ]
    tables["asl_history"] = [
        {"model_id": "alpha", "asl_level": "2", "effective_from": "2025-05-01", "reason": "initial classification"},
        {"model_id": "alpha", "asl_level": "3", "effective_from": "2025-05-20", "reason": "precaution"},
        {"model_id": "beta", "asl_level": "2", "effective_from": "2025-01-01", "reason": "initial classification"},
        {"model_id": "beta", "asl_level": "3", "effective_from": "2025-06-04", "reason": "triggered cbrn"},
        {"model_id": "delta", "asl_level": "2", "effective_from": "2025-03-01", "reason": "initial classification"},
        {"model_id": "delta", "asl_level": "3", "effective_from": "2025-06-10", "reason": "review"},
        {"model_id": "epsilon", "asl_level": "2", "effective_from": "2025-06-01", "reason": "initial classification"},
        {"model_id": "epsilon", "asl_level": "1", "effective_from": "2025-06-09", "reason": "downgrade"},
        {"model_id": "theta", "asl_level": "3", "effective_from": "2025-06-08", "reason": "initial classification"},
    ]
    tables["deployments"] = [
        deployment("alpha-d1", "alpha", "2025-06-05"),
        deployment("alpha-d2", "alpha", "2025-06-02", customer="", surface="consumer"),
        deployment("alpha-d3", "alpha", "2025-06-10"),
        deployment("alpha-d4", "alpha", "2025-06-11"),
        deployment("beta-d1", "beta", "2025-06-03"),
        deployment("beta-d2", "beta", "2025-06-04"),
        deployment("beta-d3", "beta", "2025-06-08"),
        deployment("gamma-d0", "gamma", "2025-04-10", ended="2025-06-04"),  # before any round: no breach
        deployment("gamma-d1", "gamma", "2025-06-05"),
        deployment("gamma-d2", "gamma", "2025-06-06"),
        deployment("gamma-d3", "gamma", "2025-06-01"),
        deployment("delta-d1", "delta", "2025-06-05"),
    ]
    return tables


def obligations() -> list[dict]:
    """Two regulatory lines of the lab's own (DESIGN 9): they replace the default 1e25 / 1e26 lines."""
    return [
        {"obligation_id": "x-1e25", "name": "Line X: 1e25 training FLOP", "jurisdiction": "EU", "threshold_flop": "1e25",
         "measure": "training_flop", "clock": "after_crossing", "deadline_days": "14", "applies_from": "",
         "source": "test"},
        {"obligation_id": "y-5e25", "name": "Line Y: 5e25 effective compute", "jurisdiction": "US", "threshold_flop": "5e25",
         "measure": "effective_compute", "clock": "before_first_deployment", "deadline_days": "",
         "applies_from": "2030-01-01", "source": "test"},
    ]
