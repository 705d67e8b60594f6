"""Small hand-made labs for unit tests: tables as lists of dicts, written as an input folder."""
from __future__ import annotations

import csv
import copy
from pathlib import Path

from dashboard.tables import TABLES, TABLES_BY_NAME


def base_tables() -> dict[str, list[dict]]:
    """A tiny valid lab: one policy per kind, levels 1-4, a base model with a two-level lineage."""
    return copy.deepcopy({
        "policies": [
            {"policy_id": "rsp-v1.0", "name": "RSP v1.0", "eval_compute_multiple": "4", "buffer_multiple": "6",
             "eval_interval_days": "90", "source": "Anthropic RSP v1.0"},
            {"policy_id": "no-buffer", "name": "No buffer", "eval_compute_multiple": "4", "buffer_multiple": "",
             "eval_interval_days": "182", "source": "test"},
            {"policy_id": "compute-only", "name": "Compute only", "eval_compute_multiple": "2", "buffer_multiple": "",
             "eval_interval_days": "", "source": "test"},
        ],
        "asl_levels": [
            {"asl_level": str(level), "name": f"ASL-{level}", "description": ""} for level in (1, 2, 3, 4)
        ],
        "safeguards": [
            {"safeguard_id": "input_classifier", "name": "Input classifier", "kind": "deployment", "description": ""},
            {"safeguard_id": "output_classifier", "name": "Output classifier", "kind": "deployment", "description": ""},
            {"safeguard_id": "monitoring", "name": "Usage monitoring", "kind": "deployment", "description": ""},
            {"safeguard_id": "weight_security", "name": "Weight security", "kind": "security", "description": ""},
        ],
        "asl_required_safeguards": [
            {"asl_level": "2", "safeguard_id": "monitoring"},
            {"asl_level": "3", "safeguard_id": "input_classifier"},
            {"asl_level": "3", "safeguard_id": "weight_security"},
            {"asl_level": "4", "safeguard_id": "output_classifier"},
        ],
        "models": [
            {"model_id": "base", "name": "Base", "family": "fam", "parent_model_id": "", "derivation": "pretrain",
             "asl_level": "2", "policy_id": "rsp-v1.0", "status": "deployed"},
        ],
        "checkpoints": [
            {"model_id": "base", "step": "100", "recorded_at": "2025-01-01T00:00:00", "training_flop": "1e24",
             "effective_compute": "1e24"},
        ],
        "evaluations": [],
        "customers": [
            {"customer_id": "c1", "name": "Customer One", "segment": "enterprise", "sector": "finance",
             "region": "eu", "business_critical": "true"},
        ],
        "deployments": [],
        "deployment_safeguards": [],
    })


def write_folder(folder: Path, tables: dict[str, list[dict]]) -> Path:
    """Write tables as CSV files with the contract's column order (extra keys become extra columns)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = list(TABLES_BY_NAME[name].columns) if name in TABLES_BY_NAME else []
        for row in rows:
            columns += [key for key in row if key not in columns]
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def status_lab_tables() -> dict[str, list[dict]]:
    """base_tables() plus one model per status of DESIGN section 4, as of 2025-06-01 (see test_status.py)."""
    tables = base_tables()
    # multiple 2, eval finished 2025-05-10 (the later of its two domains): 22 days -> on track.
    add_model(tables, "on-track", [(100, "2025-05-01", "1e24"), (200, "2025-05-20", "2e24")],
              [(100, "comprehensive", clean("2025-05-05", "2025-05-10"))])
    # multiple 3 >= 2.83 -> due soon by compute.
    add_model(tables, "due-compute", [(100, "2025-05-01", "1e24"), (200, "2025-05-20", "3e24")],
              [(100, "comprehensive", clean("2025-05-10"))])
    # multiple 1.5, eval 2025-03-20: 73 days > 67.5 -> due soon by time.
    add_model(tables, "due-time", [(100, "2025-03-01", "1e24"), (200, "2025-05-20", "1.5e24")],
              [(100, "comprehensive", clean("2025-03-20"))])
    # multiple 5: >= 4 but < 6 -> overdue by compute.
    add_model(tables, "overdue-compute", [(100, "2025-05-01", "1e24"), (200, "2025-05-20", "5e24")],
              [(100, "comprehensive", clean("2025-05-10"))])
    # multiple 1.5, eval 2025-02-01: 120 days > 90 -> overdue by time.
    add_model(tables, "overdue-time", [(100, "2025-01-15", "1e24"), (200, "2025-05-20", "1.5e24")],
              [(100, "comprehensive", clean("2025-02-01"))])
    # multiple exactly 6 -> buffer breached (>= b wins over overdue).
    add_model(tables, "breached", [(100, "2025-05-01", "1e24"), (200, "2025-05-20", "6e24")],
              [(100, "comprehensive", clean("2025-05-10"))])
    # a triggered round at a higher step than the latest clean one.
    add_model(tables, "triggered", [(100, "2025-04-01", "1e24"), (200, "2025-05-01", "2e24")],
              [(100, "comprehensive", clean("2025-04-05")),
               (200, "comprehensive", [("cbrn", "triggered", "2025-05-05"), ("cyber", "below_threshold", "2025-05-06")])])
    # triggered at step 100, clean at step 200: the later clean round wins -> numbers decide (on track).
    add_model(tables, "trigger-then-clean", [(100, "2025-04-01", "1e24"), (200, "2025-05-01", "2e24")],
              [(100, "comprehensive", [("cbrn", "triggered", "2025-04-05"), ("cyber", "below_threshold", "2025-04-05")]),
               (200, "comprehensive", clean("2025-05-10"))])
    # no evaluation at all.
    add_model(tables, "never", [(100, "2025-05-01", "1e24")])
    # only an inconclusive round (one domain inconclusive) and a triggered preliminary: no clean round,
    # and preliminary evaluations form no round -> never evaluated.
    add_model(tables, "inconclusive", [(100, "2025-05-01", "1e24"), (200, "2025-05-10", "2e24")],
              [(100, "comprehensive", [("cbrn", "below_threshold", "2025-05-05"), ("cyber", "inconclusive", "2025-05-05")]),
               (200, "preliminary", [("cbrn", "triggered", "2025-05-12")])])
    # later rows than the as-of date: a checkpoint (8e24) and a clean round completed 2025-06-02.
    add_model(tables, "future-rows", [(100, "2025-05-01", "1e24"), (200, "2025-05-20", "2e24"), (300, "2025-06-02", "8e24")],
              [(100, "comprehensive", clean("2025-05-02")), (200, "comprehensive", clean("2025-05-25", "2025-06-02"))])
    # a round whose domains completed on different days: t_eval is the later one.
    add_model(tables, "split-round", [(100, "2025-01-01", "1e24"), (200, "2025-05-20", "1.2e24")],
              [(100, "comprehensive", clean("2025-02-15", "2025-03-03"))])
    return tables


def add_model(tables, model_id, checkpoints, rounds=(), policy_id="rsp-v1.0"):
    """checkpoints: [(step, date, effective_compute)]; rounds: [(step, kind, [(domain, outcome, completed)])]."""
    tables["models"].append({
        "model_id": model_id, "name": model_id.title(), "family": "fam", "parent_model_id": "",
        "derivation": "pretrain", "asl_level": "2", "policy_id": policy_id, "status": "deployed"})
    for step, date, compute in checkpoints:
        tables["checkpoints"].append({"model_id": model_id, "step": str(step), "recorded_at": f"{date}T00:00:00",
                                      "training_flop": compute, "effective_compute": compute})
    for step, kind, rows in rounds:
        for domain, outcome, completed in rows:
            tables["evaluations"].append({
                "eval_id": f"{model_id}-{step}-{kind}-{domain}", "model_id": model_id, "step": str(step),
                "completed_at": f"{completed}T12:00:00", "domain": domain, "kind": kind, "target_asl_level": "3",
                "outcome": outcome, "score": "", "trigger_score": "", "elicitation": ""})


def clean(completed_a, completed_b=None):
    """A clean comprehensive round in two domains, possibly completed on different days."""
    return [("cbrn", "below_threshold", completed_a), ("cyber", "below_threshold", completed_b or completed_a)]



def asof_lab_tables() -> dict[str, list[dict]]:
    """base_tables() plus models for the as-of rules of DESIGN 4a (see test_status.py for the hand
    calculations). Policy rsp-v1.0: k = 4, b = 6, T = 90 days."""
    tables = base_tables()
    # First checkpoint on 2025-03-01; classified ASL-2 from 2025-02-01, ASL-3 from 2025-04-01.
    add_model(tables, "late", [(100, "2025-03-01", "1e24")])
    tables["models"][-1]["asl_level"] = "3"
    tables["asl_history"] = [
        {"model_id": "late", "asl_level": "2", "effective_from": "2025-02-01", "reason": "initial"},
        {"model_id": "late", "asl_level": "3", "effective_from": "2025-04-01", "reason": "evaluations"},
    ]
    # Clean round at step 100 (2025-01-05), then compute grows 2x, 3x, 4.5x, 7x.
    add_model(tables, "cross", [(100, "2025-01-01", "1e24"), (200, "2025-01-20", "2e24"), (300, "2025-02-10", "3e24"),
                                (400, "2025-03-01", "4.5e24"), (500, "2025-03-20", "7e24")],
              [(100, "comprehensive", clean("2025-01-05"))])
    # One checkpoint, clean round 2025-01-10: next evaluation date 2025-04-10.
    add_model(tables, "stale", [(100, "2025-01-01", "1e24")], [(100, "comprehensive", clean("2025-01-10"))])
    # Clean at 100; triggered at 200 (cbrn 2025-02-05, autonomy below 2025-02-06, cyber 2025-02-07)
    # and again at 300 (cyber 2025-03-05).
    add_model(tables, "trig", [(100, "2025-01-01", "1e24"), (200, "2025-02-01", "2e24"), (300, "2025-03-01", "3e24")],
              [(100, "comprehensive", clean("2025-01-05")),
               (200, "comprehensive", [("cbrn", "triggered", "2025-02-05"), ("autonomy", "below_threshold", "2025-02-06"),
                                       ("cyber", "triggered", "2025-02-07")]),
               (300, "comprehensive", [("cyber", "triggered", "2025-03-05")])])
    return tables


# --- The reclassification lab (tests/test_reclassify.py explains its shape) -----------------


def lab_model(model_id, parent, level, derivation="fine-tune"):
    return {"model_id": model_id, "name": model_id.title(), "family": "fam", "parent_model_id": parent,
            "derivation": derivation if parent else "pretrain", "asl_level": str(level), "policy_id": "rsp-v1.0",
            "status": "deployed"}


def lab_deployment(deployment_id, model_id, customer, surface, status, started, ended, requests, risk, use_case="chat"):
    return {"deployment_id": deployment_id, "model_id": model_id, "customer_id": customer, "surface": surface,
            "use_case": use_case, "risk_domains": risk, "status": status, "started_at": started, "ended_at": ended,
            "monthly_requests": str(requests)}


def reclassify_tables():
    tables = base_tables()
    tables["models"] = [lab_model("base", "", 2), lab_model("ft1", "base", 2), lab_model("ft1-ft", "ft1", 2),
                        lab_model("dist", "base", 3, "distillation"), lab_model("dist-child", "dist", 2), lab_model("other", "", 2)]
    tables["checkpoints"] = [{"model_id": row["model_id"], "step": "1", "recorded_at": "2025-01-01T00:00:00",
                              "training_flop": "1e24", "effective_compute": "1e24"} for row in tables["models"]]
    tables["customers"] = [
        {"customer_id": "c1", "name": "Acme Bio", "segment": "enterprise", "sector": "biotech", "region": "eu", "business_critical": "true"},
        {"customer_id": "c2", "name": "Beta Bank", "segment": "enterprise", "sector": "finance", "region": "us", "business_critical": "false"},
        {"customer_id": "c3", "name": "Gamma Gov", "segment": "public-sector", "sector": "government", "region": "us", "business_critical": "true"},
    ]
    tables["deployments"] = [
        lab_deployment("d1", "base", "c1", "api", "active", "2025-01-01", "", 1000, "cbrn"),
        lab_deployment("d2", "base", "c2", "enterprise", "active", "2025-01-01", "", 2000, "cbrn"),
        lab_deployment("d3", "ft1", "c1", "cloud", "onboarding", "2025-05-01", "", 300, "cbrn"),
        lab_deployment("d4", "ft1-ft", "", "consumer", "active", "2025-01-01", "", 5000, "cyber"),
        lab_deployment("d5", "base", "c3", "api", "ended", "2025-01-01", "2025-05-01", 10, "cbrn"),
        lab_deployment("d6", "base", "c3", "api", "active", "2025-01-01", "2025-05-15", 20, "cbrn"),
        lab_deployment("d7", "base", "c3", "api", "active", "2025-07-01", "", 30, "cbrn"),
        lab_deployment("d8", "dist", "c1", "api", "active", "2025-01-01", "", 40, "cbrn"),
        lab_deployment("d9", "dist-child", "c3", "api", "paused", "2025-02-01", "", 700, "cbrn;cyber"),
        lab_deployment("d10", "other", "c1", "api", "active", "2025-01-01", "", 60, "cbrn"),
        lab_deployment("d11", "base", "c2", "api", "active", "2025-01-01", "2025-06-01", 70, "cbrn"),
        lab_deployment("d12", "ft1", "c2", "api", "active", "2025-01-01", "2025-06-02", 50, ""),
    ]
    own = {"d1": ["monitoring"], "d2": ["monitoring", "input_classifier", "weight_security"],
           "d4": ["monitoring", "input_classifier"], "d8": ["monitoring"], "d9": ["monitoring"], "d10": ["monitoring"]}
    tables["deployment_safeguards"] = [{"deployment_id": deployment_id, "safeguard_id": safeguard}
                                       for deployment_id, safeguards in own.items() for safeguard in safeguards]
    # Levels over time (DESIGN 4a): dist was ASL-2 until 2025-05-20, ft1 becomes ASL-3 on 2025-06-15.
    # On 2025-06-01 both are at their models.csv level (dist 3, ft1 2).
    tables["asl_history"] = [
        {"model_id": "dist", "asl_level": "2", "effective_from": "2025-01-01", "reason": "initial"},
        {"model_id": "dist", "asl_level": "3", "effective_from": "2025-05-20", "reason": "evaluations"},
        {"model_id": "ft1", "asl_level": "2", "effective_from": "2025-02-01", "reason": "initial"},
        {"model_id": "ft1", "asl_level": "3", "effective_from": "2025-06-15", "reason": "evaluations"},
    ]
    return tables


__all__ = ["TABLES", "add_model", "asof_lab_tables", "base_tables", "clean", "reclassify_tables", "status_lab_tables", "write_folder"]


def same_name_lab_tables() -> dict[str, list[dict]]:
    """base_tables() plus two models both named "Twin" as of 2025-06-01 (policy rsp-v1.0: k = 4, b = 6,
    T = 90 days): twin-late, clean round done 2025-02-01 (120 days: overdue by time), and twin-fresh,
    clean round done 2025-05-10 (22 days, multiple 1: on track); and "Solo", overdue by compute
    (multiple 5 >= 4, clean round 2025-05-10, so its time limit 2025-08-08 is still ahead)."""
    tables = base_tables()
    add_model(tables, "twin-late", [(100, "2025-01-15", "1e24"), (200, "2025-05-20", "1e24")],
              [(100, "comprehensive", clean("2025-02-01"))])
    add_model(tables, "twin-fresh", [(100, "2025-05-01", "1e24"), (200, "2025-05-20", "1e24")],
              [(100, "comprehensive", clean("2025-05-10"))])
    add_model(tables, "solo", [(100, "2025-05-01", "1e24"), (200, "2025-05-20", "5e24")],
              [(100, "comprehensive", clean("2025-05-10"))])
    for model in tables["models"]:
        if model["model_id"].startswith("twin-"):
            model["name"] = "Twin"
    return tables
