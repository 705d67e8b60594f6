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




__all__ = ["TABLES", "add_model", "base_tables", "clean", "status_lab_tables", "write_folder"]
