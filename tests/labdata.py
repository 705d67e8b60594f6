"""Small hand-made labs for unit tests: tables as lists of dicts, written as an input folder."""
from __future__ import annotations

import csv
import copy
import datetime as dt
import time
from pathlib import Path

from dashboard.ingest import ingest
from dashboard.snapshots import make_snapshot_id
from dashboard.tables import TABLES, TABLES_BY_NAME
from waits import WAIT_S


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


def published_lab(tables: dict[str, list[dict]], tmp_path_factory, name: str) -> tuple[Path, Path]:
    """tables written as a folder and published by the real ingest: (folder, store)."""
    folder = write_folder(tmp_path_factory.mktemp(f"{name}-src") / name, tables)
    store = tmp_path_factory.mktemp(name) / f"{name}.duckdb"
    ingest(folder, store, progress=lambda _: None)
    return folder, store


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


# --- The brief's evidence lab (tests/test_brief_evidence.py works out its answers by hand) ---------

# Markup in an evaluation id (ingest refuses control characters in ids) and markup with control
# characters (ESC, BEL, a right-to-left override, a zero-width space, a line break) in a model name:
# the brief shows both as text.
HOSTILE_EVAL_ID = "ev-<b>x</b> **y** | [z](http://e.vil) &amp; @here ~~s~~"
HOSTILE_EVAL_MODEL = "Ft <i>1</i> `ft` _x_ | \x1b[2J\x07\u202eevil\u200b\nnl"


def evaluation(eval_id, model_id, completed, domain, kind, outcome, score="", trigger_score="", elicitation=""):
    return {"eval_id": eval_id, "model_id": model_id, "step": "1", "completed_at": f"{completed}T12:00:00",
            "domain": domain, "kind": kind, "target_asl_level": "3", "outcome": outcome, "score": score,
            "trigger_score": trigger_score, "elicitation": elicitation}


def brief_evidence_tables():
    """reclassify_tables() with evaluations and deployments for the brief's evidence, as of 2025-06-01,
    scenario base -> ASL-3 (cbrn). The halted models are base, ft1, ft1-ft and dist-child.

    Triggered by 2025-06-01 on them: ft1-ft cbrn 2025-03-01 (hostile id, no score, trigger 0.5), base
    cbrn 2025-04-10 (0.72 against 0.6), ft1 cyber 2025-05-20 (preliminary: no round; 0.81 against 0.8).
    Not evidence: base cyber below threshold, base autonomy triggered 2025-06-10 (after the date), other
    and dist (not halted).
    Started while triggered (rule 2d): d13 on ft1-ft 2025-04-01 (Beta Bank) and d14 on base 2025-05-01
    (Gamma Gov). Not breaches: d15 on other (not halted), d16 on base 2025-04-05 (before base
    triggered), d3 on ft1 (only a preliminary evaluation triggered), d7 (after the date)."""
    tables = reclassify_tables()
    for row in tables["models"]:
        if row["model_id"] == "ft1-ft":
            row["name"] = HOSTILE_EVAL_MODEL
    tables["evaluations"] = [
        evaluation(HOSTILE_EVAL_ID, "ft1-ft", "2025-03-01", "cbrn", "comprehensive", "triggered", "", "0.5"),
        evaluation("ev-base-cbrn", "base", "2025-04-10", "cbrn", "comprehensive", "triggered", "0.72", "0.6", "tool use"),
        evaluation("ev-base-cyber", "base", "2025-04-10", "cyber", "comprehensive", "below_threshold", "0.3", "0.5"),
        evaluation("ev-base-late", "base", "2025-06-10", "autonomy", "comprehensive", "triggered", "0.9", "0.6"),
        evaluation("ev-ft1-pre", "ft1", "2025-05-20", "cyber", "preliminary", "triggered", "0.81", "0.8"),
        evaluation("ev-other", "other", "2025-02-01", "cbrn", "comprehensive", "triggered", "0.7", "0.6"),
        evaluation("ev-dist", "dist", "2025-02-01", "cyber", "comprehensive", "triggered", "0.7", "0.6"),
    ]
    tables["deployments"] += [
        lab_deployment("d13", "ft1-ft", "c2", "api", "active", "2025-04-01", "", 400, ""),
        lab_deployment("d14", "base", "c3", "api", "active", "2025-05-01", "", 10, ""),
        lab_deployment("d15", "other", "c1", "api", "active", "2025-05-01", "", 20, ""),
        lab_deployment("d16", "base", "c2", "api", "ended", "2025-04-05", "2025-04-20", 30, ""),
    ]
    tables["deployment_safeguards"].append({"deployment_id": "d14", "safeguard_id": "monitoring"})
    return tables


__all__ = ["HOSTILE_EVAL_ID", "HOSTILE_EVAL_MODEL", "TABLES", "add_model", "asof_lab_tables", "base_tables",
           "brief_evidence_tables", "clean", "corrections_tables", "publish_in_turn", "published_lab", "reclassify_tables",
           "same_name_lab_tables", "status_lab_tables", "write_folder"]


# --- Two snapshots of one lab for the corrections (tests/test_corrections.py lists each change) ----


def corrections_tables() -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Snapshot A (the status lab with a history, public models, obligations and deployments) and
    snapshot B, which adds, removes and changes rows in every table, changes a checkpoint's and an
    evaluation's key, and moves some models' status as of 2025-06-01."""
    a = status_lab_tables()
    a["asl_levels"][0]["description"] = "lowest"
    a["customers"].append({"customer_id": "c3", "name": "Customer Three", "segment": "startup", "sector": "legal",
                           "region": "us", "business_critical": "false"})
    a["deployments"] = [
        lab_deployment("d1", "base", "c1", "api", "active", "2025-01-01", "", 1000, "cbrn"),
        lab_deployment("d2", "base", "c3", "api", "active", "2025-02-01", "", 200, ""),
    ]
    a["deployment_safeguards"] = [{"deployment_id": "d1", "safeguard_id": "monitoring"},
                                  {"deployment_id": "d2", "safeguard_id": "monitoring"}]
    a["asl_history"] = [
        {"model_id": "base", "asl_level": "2", "effective_from": "2025-01-01", "reason": "initial"},
        {"model_id": "base", "asl_level": "3", "effective_from": "2025-05-15", "reason": "raised"},
    ]
    a["public_models"] = [
        {"public_model_id": "p1", "name": "Public One", "organization": "Org", "published_on": "2024-01-01",
         "training_compute_flop": "1e25", "base_model_name": "", "accessibility": "open", "source": "epoch"},
        {"public_model_id": "p2", "name": "Public Two", "organization": "Org", "published_on": "2024-06-01",
         "training_compute_flop": "2e25", "base_model_name": "", "accessibility": "api", "source": "epoch"},
    ]
    a["obligations"] = [
        {"obligation_id": "eu", "name": "EU notify", "jurisdiction": "EU", "threshold_flop": "1e25",
         "measure": "training_flop", "clock": "after_crossing", "deadline_days": "14", "applies_from": "2025-01-01",
         "source": "AI Act"},
        {"obligation_id": "ca", "name": "CA report", "jurisdiction": "US-CA", "threshold_flop": "1e26",
         "measure": "training_flop", "clock": "before_first_deployment", "deadline_days": "", "applies_from": "",
         "source": "SB 53"},
    ]
    a["obligation_records"] = [
        {"obligation_id": "eu", "model_id": "breached", "done_on": "2025-05-25", "reference": "ref-1"},
        {"obligation_id": "ca", "model_id": "base", "done_on": "2025-05-01", "reference": "ref-ca"},
    ]
    # Level 4 and its required safeguard exist in A only (B drops them, and the safeguard).
    b = copy.deepcopy(a)

    def row(table, **match):
        return next(r for r in b[table] if all(r[k] == v for k, v in match.items()))

    # policies: changed (T 90 -> 120), removed (compute-only, used by no model), added.
    row("policies", policy_id="rsp-v1.0")["eval_interval_days"] = "120"
    b["policies"] = [r for r in b["policies"] if r["policy_id"] != "compute-only"]
    b["policies"].append({"policy_id": "fsf", "name": "FSF", "eval_compute_multiple": "6", "buffer_multiple": "",
                          "eval_interval_days": "90", "source": "test"})
    # asl_levels: changed, removed (4), added (5); asl_required_safeguards: removed (4), added (5).
    row("asl_levels", asl_level="1")["description"] = "the lowest level"
    b["asl_levels"] = [r for r in b["asl_levels"] if r["asl_level"] != "4"]
    b["asl_levels"].append({"asl_level": "5", "name": "ASL-5", "description": ""})
    b["asl_required_safeguards"] = [r for r in b["asl_required_safeguards"] if r["asl_level"] != "4"]
    b["asl_required_safeguards"].append({"asl_level": "5", "safeguard_id": "red_team"})
    # safeguards: changed, removed, added.
    row("safeguards", safeguard_id="monitoring")["name"] = "Monitoring"
    b["safeguards"] = [r for r in b["safeguards"] if r["safeguard_id"] != "output_classifier"]
    b["safeguards"].append({"safeguard_id": "red_team", "name": "Red team", "kind": "deployment", "description": ""})
    # models: changed (a name), removed (future-rows, with its checkpoints and evaluations), added.
    row("models", model_id="split-round")["name"] = "Split Round v2"
    b["models"] = [r for r in b["models"] if r["model_id"] != "future-rows"]
    b["checkpoints"] = [r for r in b["checkpoints"] if r["model_id"] != "future-rows"]
    b["evaluations"] = [r for r in b["evaluations"] if r["model_id"] != "future-rows"]
    add_model(b, "newcomer", [(100, "2025-05-01", "1e24")])
    # checkpoints: changed (breached's compute 6e24 -> 5e24), a key change (never: step 100 -> 150).
    row("checkpoints", model_id="breached", step="200")["effective_compute"] = "5e24"
    row("checkpoints", model_id="never", step="100")["step"] = "150"
    # evaluations: changed (on-track's cbrn row triggers), a key change (an id renamed), removed, and
    # added (a first clean round for never).
    row("evaluations", eval_id="on-track-100-comprehensive-cbrn")["outcome"] = "triggered"
    row("evaluations", eval_id="triggered-200-comprehensive-cyber")["eval_id"] = "triggered-200-comprehensive-cyber-v2"
    b["evaluations"] = [r for r in b["evaluations"] if r["eval_id"] != "inconclusive-200-preliminary-cbrn"]
    add_model({"models": [], "checkpoints": [], "evaluations": b["evaluations"]}, "never",
              [], [(150, "comprehensive", clean("2025-05-20"))])
    # customers: changed, removed (c3), added (c2); deployments: changed, removed (d2), added (d3).
    row("customers", customer_id="c1")["name"] = "Customer One Ltd"
    b["customers"] = [r for r in b["customers"] if r["customer_id"] != "c3"]
    b["customers"].append({"customer_id": "c2", "name": "Customer Two", "segment": "enterprise", "sector": "finance",
                           "region": "us", "business_critical": "true"})
    row("deployments", deployment_id="d1")["monthly_requests"] = "1500"
    b["deployments"] = [r for r in b["deployments"] if r["deployment_id"] != "d2"]
    b["deployments"].append(lab_deployment("d3", "base", "c2", "cloud", "onboarding", "2025-05-01", "", 50, ""))
    # deployment_safeguards: removed (d1 and d2's monitoring), added (d1's input classifier).
    b["deployment_safeguards"] = [{"deployment_id": "d1", "safeguard_id": "input_classifier"}]
    # asl_history: changed (a reason), removed (the first row), added.
    b["asl_history"] = [
        {"model_id": "base", "asl_level": "3", "effective_from": "2025-05-15", "reason": "raised after review"},
        {"model_id": "triggered", "asl_level": "3", "effective_from": "2025-05-10", "reason": "triggered"},
    ]
    # public_models: changed, removed (p2), added (p3).
    row("public_models", public_model_id="p1")["training_compute_flop"] = "1.5e25"
    b["public_models"] = [r for r in b["public_models"] if r["public_model_id"] != "p2"]
    b["public_models"].append({"public_model_id": "p3", "name": "Public Three", "organization": "Lab",
                               "published_on": "2025-03-01", "training_compute_flop": "", "base_model_name": "",
                               "accessibility": "closed", "source": "epoch"})
    # obligations: changed (14 -> 10 days), removed (ca, with its record), added; records: changed, added.
    row("obligations", obligation_id="eu")["deadline_days"] = "10"
    b["obligations"] = [r for r in b["obligations"] if r["obligation_id"] != "ca"]
    b["obligations"].append({"obligation_id": "uk", "name": "UK notice", "jurisdiction": "UK",
                             "threshold_flop": "5e24", "measure": "effective_compute", "clock": "after_crossing",
                             "deadline_days": "30", "applies_from": "", "source": "test"})
    b["obligation_records"] = [
        {"obligation_id": "eu", "model_id": "breached", "done_on": "2025-05-25", "reference": "ref-2"},
        {"obligation_id": "uk", "model_id": "base", "done_on": "2025-05-30", "reference": "ref-uk"},
    ]
    return a, b


def publish_in_turn(store: Path, folders: list[Path]) -> list[str]:
    """Publish each folder into store, each in a later second than the one before (snapshot ids sort
    by their second), and return the snapshot ids, oldest first."""
    ids = []
    for folder in folders:
        if ids:
            deadline = time.monotonic() + WAIT_S
            while make_snapshot_id(dt.datetime.now(dt.timezone.utc), "0" * 8)[:16] <= ids[-1][:16]:
                assert time.monotonic() < deadline, "the clock does not move"
                time.sleep(0.05)
        ids.append(ingest(folder, store, progress=lambda _message: None, dataset=folder.name).snapshot_id)
    return ids
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
