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


__all__ = ["TABLES", "base_tables", "write_folder"]
