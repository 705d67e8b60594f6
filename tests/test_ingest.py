"""Ingest (DESIGN sections 2 and 3): every validation rule, one broken folder per defect, and the
atomic publish.

Each broken folder starts from a valid lab with a row in every table (full_tables), carries ONE
defect, and is ingested over an already-published store. It must be refused with exactly one
problem (one mistake is reported once) that names the file, the line as a text editor counts it
(header = line 1), the column and what was expected; the store's bytes must not change and no build
file may be left beside it. Then: several problems at once, valid variations (BOM, header-only,
extra column, Parquet), the command line, leftovers of a dead ingest, two ingests at once, and
SIGKILL at several moments of a larger ingest.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
import pytest

from dashboard.snapshots import history_dir, is_snapshot_id
from dashboard.ingest import IngestBusy, IngestError, Problem, ingest
from dashboard.sqlfiles import internal_sql
from dashboard.tables import TABLES, TABLES_BY_NAME
from labdata import base_tables, write_folder
from clirun import run_cli
from waits import WAIT_S

REPO = Path(__file__).resolve().parent.parent


def quiet(_message: str) -> None:
    pass


# --- The valid lab ------------------------------------------------------------------------------


def full_tables() -> dict[str, list[dict]]:
    """base_tables() with at least one valid row in every table, so that each can be broken.

    Lines (header = line 1): policies 2-4 (rsp-v1.0, no-buffer, compute-only); asl_levels 2-5 (1..4);
    safeguards 2-5; asl_required_safeguards 2-5; models 2 base, 3 ft (child of base); checkpoints
    2 base@100, 3 base@200, 4 ft@10; evaluations 2 e1 (base@100), 3 e2 (base@200); customers 2 c1,
    3 c2; deployments 2 d1 (c1, open), 3 d2 (first party, ended); deployment_safeguards 2-3 (d1);
    asl_history 2; public_models 2 gpt-4, 3 (compute unknown).
    """
    tables = base_tables()
    tables["models"].append({"model_id": "ft", "name": "Fine-tune", "family": "fam", "parent_model_id": "base",
                             "derivation": "fine-tune", "asl_level": "2", "policy_id": "no-buffer",
                             "status": "training"})
    tables["checkpoints"] += [
        {"model_id": "base", "step": "200", "recorded_at": "2025-02-01T00:00:00", "training_flop": "2e24",
         "effective_compute": "2e24"},
        {"model_id": "ft", "step": "10", "recorded_at": "2025-02-10T08:30:00Z", "training_flop": "2.1e24",
         "effective_compute": "2.1e24"},
    ]
    tables["evaluations"] = [
        {"eval_id": "e1", "model_id": "base", "step": "100", "completed_at": "2025-01-05T12:00:00", "domain": "cbrn",
         "kind": "comprehensive", "target_asl_level": "3", "outcome": "below_threshold", "score": "0.2",
         "trigger_score": "0.5", "elicitation": "best-of-16"},
        {"eval_id": "e2", "model_id": "base", "step": "200", "completed_at": "2025-02-03T09:00:00", "domain": "cyber",
         "kind": "preliminary", "target_asl_level": "3", "outcome": "inconclusive", "score": "",
         "trigger_score": "", "elicitation": ""},
    ]
    tables["customers"].append({"customer_id": "c2", "name": "Customer Two", "segment": "startup",
                                "sector": "retail", "region": "us", "business_critical": ""})
    tables["deployments"] = [
        {"deployment_id": "d1", "model_id": "base", "customer_id": "c1", "surface": "api", "use_case": "chat",
         "risk_domains": "cbrn;cyber", "status": "active", "started_at": "2025-01-10", "ended_at": "",
         "monthly_requests": "100"},
        {"deployment_id": "d2", "model_id": "base", "customer_id": "", "surface": "consumer", "use_case": "assistant",
         "risk_domains": "", "status": "ended", "started_at": "2025-02-01", "ended_at": "2025-03-01",
         "monthly_requests": ""},
    ]
    tables["deployment_safeguards"] = [{"deployment_id": "d1", "safeguard_id": "monitoring"},
                                       {"deployment_id": "d1", "safeguard_id": "input_classifier"}]
    tables["asl_history"] = [{"model_id": "base", "asl_level": "2", "effective_from": "2025-01-01",
                              "reason": "initial"}]
    tables["public_models"] = [
        {"public_model_id": "gpt-4", "name": "GPT-4", "organization": "OpenAI", "published_on": "2023-03-15",
         "training_compute_flop": "2.1e25", "base_model_name": "", "accessibility": "API access",
         "source": "Epoch AI"},
        {"public_model_id": "mystery", "name": "Mystery", "organization": "Lab", "published_on": "",
         "training_compute_flop": "", "base_model_name": "", "accessibility": "", "source": "Epoch AI"},
    ]
    return tables


FULL_COUNTS = {"policies": 3, "asl_levels": 4, "safeguards": 4, "asl_required_safeguards": 4, "models": 2,
               "checkpoints": 3, "evaluations": 2, "customers": 2, "deployments": 2, "deployment_safeguards": 2,
               "asl_history": 1, "public_models": 2, "obligations": 0, "obligation_records": 0}


# --- Helpers ------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(store: Path) -> list[str]:
    """Anything beside the store but the store itself, its lock file and its snapshot history; and in
    the history anything but kept snapshots (no partial copy)."""
    history = history_dir(store)
    stray = sorted(f"{history.name}/{path.name}" for path in history.iterdir()
                   if not (path.suffix == ".duckdb" and is_snapshot_id(path.stem))) if history.is_dir() else []
    return sorted(path.name for path in store.parent.iterdir()
                  if path.name not in (store.name, f".{store.name}.lock", history.name)) + stray


def row_counts(store: Path) -> dict[str, int]:
    """Rows per input table in a published store, read the way the app reads it (attached read-only)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH $path AS s (READ_ONLY)", {"path": str(store)})
        return {spec.name: con.execute(f"SELECT count(*) FROM s.{spec.name}").fetchone()[0] for spec in TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def published_template(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("template") / "asl.duckdb"
    ingest(write_folder(tmp_path_factory.mktemp("template-src") / "good", full_tables()), store, progress=quiet)
    return store


@pytest.fixture()
def published(tmp_path, published_template) -> Path:
    """A store already published from full_tables(), in a folder of its own."""
    store = tmp_path / "store" / "asl.duckdb"
    store.parent.mkdir()
    shutil.copyfile(published_template, store)
    return store


def refuse(folder: Path, store: Path) -> list[Problem]:
    """Ingest folder over store: it must be refused and leave the store byte-identical, with no leftovers."""
    before = sha256(store)
    with pytest.raises(IngestError) as raised:
        ingest(folder, store, progress=quiet)
    assert sha256(store) == before, "a refused ingest changed the published store"
    assert leftovers(store) == [], "a refused ingest left files beside the store"
    assert raised.value.problems, "IngestError without problems"
    report = raised.value.report()
    assert "The published store was not changed." in report
    return raised.value.problems


def assert_names(problem: Problem, file: str, line: int | None, column: str | None, *expected: str,
                 row_label: str = "line") -> None:
    text = str(problem)
    where = f"{file} {row_label} {line}: " if line is not None else f"{file}: "
    assert text.startswith(where), f"expected the problem at {where!r}, got {text!r}"
    assert problem.file == file and problem.line == line
    if column is not None:
        assert problem.message.startswith((f"{column} ", f'{column} "')), f"column {column} not named first: {text!r}"
    for fragment in expected:
        assert fragment in text, f"{fragment!r} not in {text!r}"


def the_problem(problems: list[Problem], file: str, line: int | None, column: str | None, *expected: str,
                row_label: str = "line") -> Problem:
    """The single problem of a one-defect folder, checked to name file, line, column and expectation."""
    assert len(problems) == 1, "one defect must give exactly one problem:\n" + "\n".join(map(str, problems))
    assert_names(problems[0], file, line, column, *expected, row_label=row_label)
    return problems[0]


# --- Row defects: one changed value (or added row) in full_tables() -------------------------------


@dataclass(frozen=True)
class Defect:
    id: str
    change: Callable[[dict], None]
    file: str
    line: int
    column: str
    expected: tuple[str, ...]

    def __str__(self) -> str:
        return self.id


def set_value(table: str, row: int, column: str, value: str):
    def change(tables):
        tables[table][row][column] = value
    return change


def add_row(table: str, like: int, **values):
    def change(tables):
        tables[table].append({**tables[table][like], **values})
    return change


def defect(id, change, file, line, column, *expected) -> Defect:
    return Defect(id, change, file, line, column, expected)


def at(table, row, column, value, *expected, id=None) -> Defect:
    """Set one value; the problem is expected on that row's line (header = line 1, first row = line 2)."""
    return defect(id or f"{table}.{column}={value or 'empty'}", set_value(table, row, column, value),
                  f"{table}.csv", row + 2, column, *expected)


# Every numeric column: (table, row to break, column, kind).
NUMERIC_COLUMNS = [
    ("policies", 0, "eval_compute_multiple", "number"),
    ("policies", 1, "buffer_multiple", "number"),
    ("policies", 1, "eval_interval_days", "number"),
    ("asl_levels", 1, "asl_level", "whole"),
    ("asl_required_safeguards", 1, "asl_level", "whole"),
    ("models", 1, "asl_level", "whole"),
    ("checkpoints", 1, "step", "whole"),
    ("checkpoints", 1, "training_flop", "number"),
    ("checkpoints", 1, "effective_compute", "number"),
    ("evaluations", 1, "step", "whole"),
    ("evaluations", 0, "target_asl_level", "whole"),
    ("evaluations", 0, "score", "number"),
    ("evaluations", 0, "trigger_score", "number"),
    ("deployments", 0, "monthly_requests", "whole"),
    ("asl_history", 0, "asl_level", "whole"),
    ("public_models", 0, "training_compute_flop", "number"),
]
BAD_NUMBERS = [("text", "2.4e2x"), ("nan", "NaN"), ("inf", "inf"), ("minus-inf", "-inf")]


def numeric_defects() -> list[Defect]:
    found = []
    for table, row, column, kind in NUMERIC_COLUMNS:
        for name, value in BAD_NUMBERS:
            if kind == "whole":
                expected = f'{column} "{value}" is not a whole number'
            elif name == "text":
                expected = f'{column} "{value}" is not a number'
            else:
                expected = f'{column} "{value}" is not a finite number (not NaN or infinity)'
            found.append(at(table, row, column, value, expected, id=f"{table}.{column}-{name}"))
    return found


LOG10_HINT = "this looks like log10 FLOP (a unit mistake)"

VALUE_DEFECTS = numeric_defects() + [
    # More bad numbers.
    at("checkpoints", 1, "step", "1.5", 'step "1.5" is not a whole number'),
    at("checkpoints", 1, "step", "1e3", 'step "1e3" is not a whole number'),
    at("policies", 0, "eval_compute_multiple", "Infinity", "is not a finite number"),
    at("evaluations", 0, "score", "1,5", 'score "1,5" is not a number'),
    at("deployments", 0, "monthly_requests", "-5", 'monthly_requests "-5" is not a count of 0 or more'),
    # FLOP counts: finite and > 0 ...
    at("checkpoints", 0, "training_flop", "0", 'training_flop "0" is not a FLOP count greater than 0'),
    at("checkpoints", 0, "training_flop", "-1e24", 'training_flop "-1e24" is not a FLOP count greater than 0'),
    at("checkpoints", 1, "effective_compute", "0", 'effective_compute "0" is not a FLOP count greater than 0'),
    at("checkpoints", 1, "effective_compute", "-2e24", 'effective_compute "-2e24" is not a FLOP count greater than 0'),
    at("checkpoints", 1, "effective_compute", "1e-400", "is not a FLOP count greater than 0"),
    at("public_models", 0, "training_compute_flop", "0",
       'training_compute_flop "0" is not a FLOP count greater than 0'),
    at("public_models", 0, "training_compute_flop", "-2.1e25", "is not a FLOP count greater than 0"),
    # ... and not log10 FLOP by mistake (with a hint).
    at("checkpoints", 1, "effective_compute", "24.5", 'effective_compute "24.5" is not a FLOP count of at least 1e6',
       LOG10_HINT, "write 3e24", id="log10-effective_compute-24.5"),
    at("checkpoints", 0, "training_flop", "25", 'training_flop "25" is not a FLOP count of at least 1e6', LOG10_HINT,
       id="log10-training_flop-25"),
    at("checkpoints", 2, "effective_compute", "24.32", LOG10_HINT, id="log10-effective_compute-other-model"),
    # Required values missing.
    at("checkpoints", 1, "recorded_at", "", "recorded_at is empty, expected an ISO-8601 timestamp"),
    at("checkpoints", 1, "effective_compute", "", "effective_compute is empty, expected a number"),
    at("models", 1, "policy_id", "", "policy_id is empty, expected a policy id"),
    at("evaluations", 0, "domain", " ", "domain is empty, expected a capability domain"),
    at("deployments", 0, "started_at", "", "started_at is empty, expected an ISO-8601 date"),
    at("deployment_safeguards", 1, "safeguard_id", "", "safeguard_id is empty, expected a safeguard id"),
    # Booleans.
    at("customers", 0, "business_critical", "yes", 'business_critical "yes" is not true or false'),
    # Policy rules.
    at("policies", 0, "eval_compute_multiple", "1", 'eval_compute_multiple "1" is not a multiple greater than 1'),
    at("policies", 2, "eval_compute_multiple", "0.5", 'eval_compute_multiple "0.5" is not a multiple greater than 1'),
    at("policies", 0, "buffer_multiple", "4",
       'buffer_multiple "4" is not empty, or greater than eval_compute_multiple (4)', id="policies.buffer-equals-eval"),
    at("policies", 0, "buffer_multiple", "3",
       'buffer_multiple "3" is not empty, or greater than eval_compute_multiple (4)', id="policies.buffer-below-eval"),
    at("policies", 0, "eval_interval_days", "0",
       'eval_interval_days "0" is not empty, or a number of days greater than 0'),
    at("policies", 1, "eval_interval_days", "-30",
       'eval_interval_days "-30" is not empty, or a number of days greater than 0'),
    # Enums: every enum column, a wrong word, a wrong case and nothing at all.
    at("safeguards", 0, "kind", "legal", 'kind "legal" is not one of deployment, security'),
    at("models", 1, "derivation", "merge", 'derivation "merge" is not one of pretrain, fine-tune, distillation, '
       "snapshot, other"),
    at("models", 0, "status", "live", 'status "live" is not one of training, evaluating, deployed, retired'),
    at("models", 0, "status", "Deployed", 'status "Deployed" is not one of training'),
    at("models", 1, "status", "", "status is empty, expected one of training, evaluating, deployed, retired"),
    at("evaluations", 0, "kind", "full", 'kind "full" is not one of comprehensive, preliminary'),
    at("evaluations", 1, "outcome", "pass", 'outcome "pass" is not one of below_threshold, triggered, inconclusive'),
    at("deployments", 0, "surface", "email",
       'surface "email" is not one of api, cloud, consumer, enterprise, internal'),
    at("deployments", 1, "status", "live", 'status "live" is not one of onboarding, active, paused, ended'),
    # Dates and timestamps: no month 13, no 30 February, no words.
    *[at(table, row, column, value, f'{column} "{value}" is not an ISO-8601 {what}')
      for table, row, column, what in [
          ("checkpoints", 1, "recorded_at", "timestamp"),
          ("evaluations", 0, "completed_at", "timestamp"),
          ("deployments", 0, "started_at", "date"),
          ("deployments", 1, "ended_at", "date"),
          ("asl_history", 0, "effective_from", "date"),
          ("public_models", 0, "published_on", "date")]
      for value in ("2024-13-01", "2024-02-30", "yesterday")],
    at("checkpoints", 0, "recorded_at", "infinity", 'recorded_at "infinity" is not an ISO-8601 timestamp'),
    at("deployments", 0, "started_at", "epoch", 'started_at "epoch" is not an ISO-8601 date'),
    at("evaluations", 1, "completed_at", "2025-02-03T25:00:00", "is not an ISO-8601 timestamp"),
    at("deployments", 1, "ended_at", "2025-01-15",
       'ended_at "2025-01-15" is not empty, or a date on or after started_at (2025-02-01)', id="ended-before-started"),
    # Unknown references (every reference of section 3).
    at("models", 1, "parent_model_id", "ghost", 'parent_model_id "ghost" is not empty, or a model_id listed in models'),
    at("models", 0, "policy_id", "rsp-v9", 'policy_id "rsp-v9" is not a policy_id listed in policies'),
    at("models", 1, "asl_level", "7", 'asl_level "7" is not an asl_level listed in asl_levels'),
    at("checkpoints", 2, "model_id", "ghost", 'model_id "ghost" is not a model_id listed in models'),
    at("evaluations", 0, "step", "150", 'step "150" is not a (model_id, step) listed in checkpoints',
       "base has no step 150", id="evaluations.no-such-checkpoint"),
    defect("evaluations.other-model-no-such-step", set_value("evaluations", 1, "model_id", "ft"), "evaluations.csv", 3,
           "step", 'step "200" is not a (model_id, step) listed in checkpoints', "ft has no step 200"),
    at("evaluations", 1, "model_id", "ghost", 'model_id "ghost" is not a model_id listed in models'),
    at("deployments", 0, "model_id", "ghost", 'model_id "ghost" is not a model_id listed in models'),
    at("deployments", 0, "customer_id", "c9",
       'customer_id "c9" is not empty (first-party surface), or a customer_id listed in customers'),
    at("deployment_safeguards", 1, "deployment_id", "d9",
       'deployment_id "d9" is not a deployment_id listed in deployments'),
    at("deployment_safeguards", 0, "safeguard_id", "magic",
       'safeguard_id "magic" is not a safeguard_id listed in safeguards'),
    at("asl_required_safeguards", 0, "asl_level", "9", 'asl_level "9" is not an asl_level listed in asl_levels'),
    at("asl_required_safeguards", 2, "safeguard_id", "magic",
       'safeguard_id "magic" is not a safeguard_id listed in safeguards'),
    at("asl_history", 0, "model_id", "ghost", 'model_id "ghost" is not a model_id listed in models'),
    at("asl_history", 0, "asl_level", "9", 'asl_level "9" is not an asl_level listed in asl_levels'),
    # Lineage cycles.
    at("models", 0, "parent_model_id", "base",
       'parent_model_id "base" leads back to this model: lineage cycles are not allowed', id="cycle-self-parent"),
    # Effective compute never decreases as step grows.
    at("checkpoints", 1, "effective_compute", "5e23", 'effective_compute "5e+23" is lower than 1e+24',
       "must never decrease as step grows", "(see line 2)", id="decreasing-compute"),
    # Duplicate keys, in every keyed table: the later row is named, and the first one too.
    defect("duplicate-policies", add_row("policies", 0), "policies.csv", 5, "policy_id",
           'policy_id "rsp-v1.0" is not a unique policy_id (see line 2)'),
    defect("duplicate-asl_levels", add_row("asl_levels", 2), "asl_levels.csv", 6, "asl_level",
           'asl_level "3" is not a unique asl_level (see line 4)'),
    defect("duplicate-asl_levels-written-differently", add_row("asl_levels", 2, asl_level="03"), "asl_levels.csv", 6,
           "asl_level", "is not a unique asl_level (see line 4)"),
    defect("duplicate-safeguards", add_row("safeguards", 2), "safeguards.csv", 6, "safeguard_id",
           'safeguard_id "monitoring" is not a unique safeguard_id (see line 4)'),
    defect("duplicate-models", add_row("models", 1), "models.csv", 4, "model_id",
           'model_id "ft" is not a unique model_id (see line 3)'),
    defect("duplicate-checkpoints", add_row("checkpoints", 0), "checkpoints.csv", 5, "step",
           'step "100" is not a unique (model_id, step): base step 100 appears twice (see line 2)'),
    defect("duplicate-checkpoints-other-values", add_row("checkpoints", 0, effective_compute="3e24"),
           "checkpoints.csv", 5, "step", "base step 100 appears twice (see line 2)"),
    defect("duplicate-evaluations", add_row("evaluations", 0), "evaluations.csv", 4, "eval_id",
           'eval_id "e1" is not a unique eval_id (see line 2)'),
    defect("duplicate-customers", add_row("customers", 0), "customers.csv", 4, "customer_id",
           'customer_id "c1" is not a unique customer_id (see line 2)'),
    defect("duplicate-deployments", add_row("deployments", 1), "deployments.csv", 4, "deployment_id",
           'deployment_id "d2" is not a unique deployment_id (see line 3)'),
    defect("duplicate-public_models", add_row("public_models", 0), "public_models.csv", 4, "public_model_id",
           'public_model_id "gpt-4" is not a unique public_model_id (see line 2)'),
]


def test_every_defect_id_is_unique():
    ids = [str(item) for item in VALUE_DEFECTS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("case", VALUE_DEFECTS, ids=str)
def test_one_bad_value_is_refused_with_file_line_column(tmp_path, published, case: Defect):
    tables = full_tables()
    case.change(tables)
    problems = refuse(write_folder(tmp_path / "bad", tables), published)
    the_problem(problems, case.file, case.line, case.column, *case.expected)


def test_numbers_in_every_numeric_column_are_checked():
    """The table above lists every numeric column of the contract, each with text, NaN, inf and -inf."""
    listed = {(table, column) for table, _, column, _ in NUMERIC_COLUMNS}
    assert listed == {("policies", "eval_compute_multiple"), ("policies", "buffer_multiple"),
                      ("policies", "eval_interval_days"), ("asl_levels", "asl_level"),
                      ("asl_required_safeguards", "asl_level"), ("models", "asl_level"), ("checkpoints", "step"),
                      ("checkpoints", "training_flop"), ("checkpoints", "effective_compute"),
                      ("evaluations", "step"), ("evaluations", "target_asl_level"), ("evaluations", "score"),
                      ("evaluations", "trigger_score"), ("deployments", "monthly_requests"),
                      ("asl_history", "asl_level"), ("public_models", "training_compute_flop")}


def test_decreasing_compute_is_found_when_rows_are_out_of_step_order(tmp_path, published):
    tables = full_tables()
    base_100, base_200, ft_10 = tables["checkpoints"]
    # Line 2: ft@10; line 3: base@200 (less compute than base@100); line 4: base@100.
    tables["checkpoints"] = [ft_10, {**base_200, "effective_compute": "5e23"}, base_100]
    problem = the_problem(refuse(write_folder(tmp_path / "bad", tables), published), "checkpoints.csv", 3,
                          "effective_compute", 'effective_compute "5e+23" is lower than 1e+24',
                          "must never decrease as step grows", "(see line 4)")
    assert "base" in problem.message


def test_equal_compute_at_the_next_step_is_fine(tmp_path):
    tables = full_tables()
    tables["checkpoints"][1]["effective_compute"] = tables["checkpoints"][0]["effective_compute"]
    result = ingest(write_folder(tmp_path / "ok", tables), tmp_path / "ok.duckdb", progress=quiet)
    assert result.row_counts["checkpoints"] == 3


def test_lineage_cycle_of_three_models_names_each_model(tmp_path, published):
    tables = full_tables()
    model = tables["models"][1]
    tables["models"] += [{**model, "model_id": "a", "parent_model_id": "c"},   # line 4
                         {**model, "model_id": "b", "parent_model_id": "a"},   # line 5
                         {**model, "model_id": "c", "parent_model_id": "b"}]   # line 6
    tables["models"].append({**model, "model_id": "d", "parent_model_id": "a"})  # below the cycle, not on it
    problems = refuse(write_folder(tmp_path / "bad", tables), published)
    assert len(problems) == 3, problems
    for problem, line, parent in zip(problems, (4, 5, 6), "cab"):
        assert_names(problem, "models.csv", line, "parent_model_id",
                     f'parent_model_id "{parent}" leads back to this model: lineage cycles are not allowed')


def test_lineage_cycle_of_two_models(tmp_path, published):
    tables = full_tables()
    tables["models"][0]["parent_model_id"] = "ft"  # base <- ft <- base
    problems = refuse(write_folder(tmp_path / "bad", tables), published)
    assert [(p.file, p.line) for p in problems] == [("models.csv", 2), ("models.csv", 3)]
    assert all("lineage cycles are not allowed" in p.message for p in problems)


# --- File defects: the bytes of one file ---------------------------------------------------------


def header(table: str) -> str:
    return ",".join(TABLES_BY_NAME[table].columns) + "\n"


MODELS_HEADER = header("models")
CHECKPOINTS_HEADER = header("checkpoints")
CUSTOMERS_HEADER = header("customers")


@dataclass(frozen=True)
class FileDefect:
    id: str
    file: str
    content: bytes
    line: int | None
    column: str | None
    expected: tuple[str, ...]

    def __str__(self) -> str:
        return self.id


def file_defect(id, file, content, line, column, *expected) -> FileDefect:
    return FileDefect(id, file, content if isinstance(content, bytes) else content.encode("utf-8"), line, column,
                      expected)


QUOTED_NEWLINE_MODEL = 'base,"Base\nmodel, the first",fam,,pretrain,2,rsp-v1.0,deployed\n'  # lines 2 and 3
FT_MODEL = "ft,Fine-tune,fam,base,fine-tune,2,no-buffer,training\n"

FILE_DEFECTS = [
    file_defect("ragged-too-many-fields", "checkpoints.csv",
                CHECKPOINTS_HEADER + "base,100,2025-01-01T00:00:00,1e24,1e24\n"
                "base,200,2025-02-01T00:00:00,2e24,2e24,extra\nft,10,2025-02-10T00:00:00,2.1e24,2.1e24\n",
                3, None, "row has 6 field(s), expected 5 like the header"),
    file_defect("ragged-too-few-fields", "checkpoints.csv",
                CHECKPOINTS_HEADER + "base,100,2025-01-01T00:00:00,1e24\n"
                "base,200,2025-02-01T00:00:00,2e24,2e24\nft,10,2025-02-10T00:00:00,2.1e24,2.1e24\n",
                2, None, "row has 4 field(s), expected 5 like the header"),
    file_defect("ragged-trailing-empty-field", "checkpoints.csv",
                CHECKPOINTS_HEADER + "base,100,2025-01-01T00:00:00,1e24,1e24\n"
                "base,200,2025-02-01T00:00:00,2e24,2e24,\nft,10,2025-02-10T00:00:00,2.1e24,2.1e24\n",
                3, None, "row has 6 field(s), expected 5 like the header"),
    file_defect("ragged-after-quoted-newline", "models.csv",
                MODELS_HEADER + QUOTED_NEWLINE_MODEL + "ft,Fine-tune,fam,base,fine-tune,2,no-buffer\n",
                4, None, "row has 7 field(s), expected 8 like the header"),
    file_defect("ragged-too-many-after-quoted-newline", "models.csv",
                MODELS_HEADER + QUOTED_NEWLINE_MODEL + FT_MODEL.replace("\n", ",x\n"),
                4, None, "row has 9 field(s), expected 8 like the header"),
    file_defect("bad-value-after-quoted-newline", "models.csv",
                MODELS_HEADER + QUOTED_NEWLINE_MODEL + FT_MODEL.replace("training", "live"),
                4, "status", 'status "live" is not one of training'),
    file_defect("bad-value-after-blank-lines", "models.csv",
                MODELS_HEADER + "base,Base,fam,,pretrain,2,rsp-v1.0,deployed\n\n\n"
                + FT_MODEL.replace("training", "live"),
                5, "status", 'status "live" is not one of training'),
    file_defect("bad-value-with-crlf-line-ends", "models.csv",
                (MODELS_HEADER + QUOTED_NEWLINE_MODEL + FT_MODEL.replace("fine-tune", "merge")).replace("\n", "\r\n"),
                4, "derivation", 'derivation "merge" is not one of pretrain'),
    file_defect("unterminated-quote", "models.csv",
                MODELS_HEADER + "base,Base,fam,,pretrain,2,rsp-v1.0,deployed\n"
                'ft,"Fine-tune,fam,base,fine-tune,2,no-buffer,training\n',
                3, None, "quoted field", "never closed"),
    file_defect("non-utf8-in-the-middle", "customers.csv",
                CUSTOMERS_HEADER.encode() + b"c1,Acme,enterprise,finance,eu,true\n"
                b"c2,Caf\xe9 Ltd,startup,retail,eu,false\n",
                3, None, "are not valid UTF-8", "save the file as UTF-8"),
    file_defect("non-utf8-in-a-quoted-multiline-field", "customers.csv",
                CUSTOMERS_HEADER.encode() + b'c1,"Acme\nGmbH",enterprise,finance,eu,true\n'
                b"c2,Two,startup,retail,eu,\xff\n",
                4, None, "are not valid UTF-8"),
    file_defect("non-utf8-utf16-file", "customers.csv",
                (CUSTOMERS_HEADER + "c1,Acme,enterprise,finance,eu,true\nc2,Two,startup,retail,eu,false\n")
                .encode("utf-16"), 1, None, "not valid UTF-8"),
    file_defect("empty-file", "policies.csv", b"", 1, None, "file is empty", "expected a header row",
                "policy_id, name, eval_compute_multiple"),
    file_defect("empty-optional-file", "public_models.csv", b"", 1, None, "file is empty"),
    file_defect("missing-column", "checkpoints.csv",
                "model_id,step,recorded_at,training_flop\nbase,100,2025-01-01,1e24\n",
                1, None, "missing column(s) effective_compute", "expected columns model_id, step, recorded_at"),
    file_defect("missing-columns-renamed", "deployments.csv",
                header("deployments").replace("started_at", "start_date").replace("surface", "channel"),
                1, None, "missing column(s) surface, started_at"),
    file_defect("duplicate-column", "customers.csv",
                CUSTOMERS_HEADER.replace("\n", ",region\n") + "c1,Acme,enterprise,finance,eu,true,eu\n",
                1, None, 'column "region" appears twice in the header'),
    file_defect("header-row-blank", "safeguards.csv", b"\n\n", 1, None, "header row is empty"),
]


@pytest.mark.parametrize("case", FILE_DEFECTS, ids=str)
def test_one_broken_file_is_refused_with_file_and_line(tmp_path, published, case: FileDefect):
    folder = write_folder(tmp_path / "bad", full_tables())
    (folder / case.file).write_bytes(case.content)
    problems = refuse(folder, published)
    the_problem(problems, case.file, case.line, case.column, *case.expected)


@pytest.mark.parametrize("table", [spec.name for spec in TABLES if spec.required])
def test_missing_required_file(tmp_path, published, table):
    folder = write_folder(tmp_path / "bad", full_tables())
    (folder / f"{table}.csv").unlink()
    the_problem(refuse(folder, published), f"{table}.csv", None, None, "required file is missing",
                f"expected {table}.csv or {table}.parquet in {folder}")


def test_a_folder_that_does_not_exist(tmp_path, published):
    problems = refuse(tmp_path / "nowhere", published)
    assert "is not a folder" in str(problems[0])


def test_csv_and_parquet_of_the_same_table(tmp_path, published):
    folder = write_folder(tmp_path / "bad", full_tables())
    pd.read_csv(folder / "customers.csv", dtype=str, keep_default_na=False).to_parquet(folder / "customers.parquet")
    the_problem(refuse(folder, published), "customers.csv", None, None,
                "both customers.csv and customers.parquet exist; keep only one")


def to_parquet(folder: Path, table: str, edit=None) -> None:
    """Replace table.csv by table.parquet with string columns (as pandas writes them)."""
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    if edit:
        edit(frame)
    frame.to_parquet(folder / f"{table}.parquet", index=False)
    (folder / f"{table}.csv").unlink()


def test_parquet_with_a_bad_value_names_the_row(tmp_path, published):
    folder = write_folder(tmp_path / "bad", full_tables())

    def edit(frame):
        frame.loc[1, "effective_compute"] = "24.5"
    to_parquet(folder, "checkpoints", edit)
    the_problem(refuse(folder, published), "checkpoints.parquet", 2, "effective_compute",
                'effective_compute "24.5" is not a FLOP count of at least 1e6', LOG10_HINT, row_label="row")


def test_parquet_with_a_duplicate_names_both_rows(tmp_path, published):
    folder = write_folder(tmp_path / "bad", full_tables())
    to_parquet(folder, "customers", lambda frame: frame.__setitem__("customer_id", ["c1", "c1"]))
    the_problem(refuse(folder, published), "customers.parquet", 2, "customer_id",
                'customer_id "c1" is not a unique customer_id (see row 1)', row_label="row")


def test_parquet_missing_a_column(tmp_path, published):
    folder = write_folder(tmp_path / "bad", full_tables())
    to_parquet(folder, "customers", lambda frame: frame.pop("business_critical"))
    the_problem(refuse(folder, published), "customers.parquet", None, None, "missing column(s) business_critical")


def test_a_file_that_is_not_parquet(tmp_path, published):
    folder = write_folder(tmp_path / "bad", full_tables())
    (folder / "customers.csv").rename(folder / "customers.parquet")
    the_problem(refuse(folder, published), "customers.parquet", None, None, "cannot be read as Parquet")


def test_a_parquet_file_damaged_inside_is_reported_not_raised(tmp_path, published):
    """Parquet is opened lazily (its footer only) and read while typing: damage found then is a problem too."""
    folder = write_folder(tmp_path / "bad", full_tables())
    to_parquet(folder, "checkpoints")
    path = folder / "checkpoints.parquet"
    data = bytearray(path.read_bytes())
    footer = int.from_bytes(data[-8:-4], "little") + 8
    data[4:len(data) - footer] = b"\xff" * (len(data) - footer - 4)  # every page, footer intact
    path.write_bytes(bytes(data))
    the_problem(refuse(folder, published), "checkpoints.parquet", None, None, "cannot be read as Parquet")


# --- The parse macros: a fast path for the plain form, the general rule for the rest --------------------

PARSED = [
    ("parse_int", "12", 12), ("parse_int", " 12 ", 12), ("parse_int", "+5", 5), ("parse_int", "-3", -3),
    ("parse_int", "1.5", None), ("parse_int", "1e3", None), ("parse_int", "1_000", None), ("parse_int", "0x10", None),
    ("parse_int", "1234567890123456789", None), ("parse_int", "", None),
    ("parse_num", "1e24", 1e24), ("parse_num", " 2.5 ", 2.5), ("parse_num", "abc", None), ("parse_num", "", None),
    ("parse_ts", "2025-01-05T10:00:00", dt.datetime(2025, 1, 5, 10)),
    ("parse_ts", "2025-01-05 10:00:00", dt.datetime(2025, 1, 5, 10)),
    ("parse_ts", " 2025-01-05T10:00:00 ", dt.datetime(2025, 1, 5, 10)),
    ("parse_ts", "2025-01-05T10:00:00+02:00", dt.datetime(2025, 1, 5, 8)),
    ("parse_ts", "2025-01-05T10:00:00Z", dt.datetime(2025, 1, 5, 10)),
    ("parse_ts", "2025-01-05", dt.datetime(2025, 1, 5)),
    ("parse_ts", "2025-1-5T10:00:00", None), ("parse_ts", "epoch", None), ("parse_ts", "infinity", None),
    ("parse_ts", "2025-13-05T10:00:00", None),
    ("parse_date", "2025-01-05", dt.date(2025, 1, 5)), ("parse_date", " 2025-01-05", dt.date(2025, 1, 5)),
    ("parse_date", "2025-01-05T23:30:00-02:00", dt.date(2025, 1, 6)), ("parse_date", "2025-1-5", None),
    ("parse_date", "2025-02-30", None),
    ("clean_text", " a ", "a"), ("clean_text", "a", "a"), ("clean_text", "", None), ("clean_text", "  ", None),
    ("parse_list", "cbrn; cyber", ["cbrn", "cyber"]), ("parse_list", "cbrn;;cyber;", ["cbrn", "cyber"]),
    ("parse_list", "", []), ("parse_list", None, []),
]


@pytest.fixture(scope="module")
def macros():
    con = duckdb.connect(":memory:")
    con.execute(internal_sql("ingest/session.sql"))
    con.execute(internal_sql("ingest/macros.sql"))
    yield con
    con.close()


@pytest.mark.parametrize("macro, text, expected", PARSED, ids=[f"{m}({t!r})" for m, t, _ in PARSED])
def test_parse_macros(macros, macro, text, expected):
    assert macros.execute(f"SELECT {macro}($text)", {"text": text}).fetchone()[0] == expected


def mangled_values(count: int = 6000, seed: int = 7) -> list[str]:
    """Plain values of every parsed kind, each mangled a few times: characters inserted, dropped or
    replaced (digits, separators, signs, zones, white space, letters), padding, truncation."""
    rng = random.Random(seed)
    plain = ["12", "0", "-3", "123456789012345678", "1e24", "2.5", "2025-01-05T10:00:00", "2025-01-05 10:00:00",
             "2025-01-05", "2025-01-05T10:00:00Z", "2025-01-05T10:00:00+02:00", "2024-02-29T23:59:59.5",
             "cbrn;cyber", "base", "a b", "cbrn; bio;", "",
             # the edges of the date fast path: space or tab around, 19 bytes with a zone, wide characters
             "2025-01-05 ", " 2025-01-05", "2025-01-05\t", "2025-01-05T10:00+01", "2025-01-05T10:00Z",
             "\uff12025-01-05", "2025-01-05T10:00:0\u00e9", "2025-1-5", "0000-00-00", "9999-12-31T23:59:59"]
    alphabet = "0123456789-:T +Z.e_;xt\t"
    values = set(plain)
    while len(values) < count:
        value = list(rng.choice(plain))
        for _ in range(rng.randint(1, 3)):
            where = rng.randint(0, len(value))
            action = rng.random()
            if action < 0.4:
                value.insert(where, rng.choice(alphabet))
            elif action < 0.7 and value:
                del value[min(where, len(value) - 1)]
            elif value:
                value[min(where, len(value) - 1)] = rng.choice(alphabet)
        text = "".join(value)
        values.add(rng.choice(["", " ", "  "]) + text + rng.choice(["", " "]) if rng.random() < 0.3 else text)
    return sorted(values)


@pytest.mark.parametrize("fast, rule", [("parse_int", "parse_int_rule"), ("parse_num", "parse_num_rule"),
                                        ("parse_ts", "parse_ts_rule"), ("parse_date", "parse_date_rule"),
                                        ("parse_list", "parse_list_rule"), ("clean_text", "clean_text_rule")])
def test_fast_paths_give_the_rules_result(macros, fast, rule):
    """Each parse macro's fast path (what ten million rows take) must agree with the general rule."""
    values = mangled_values() + [None]
    differ = macros.execute(f"SELECT value, {fast}(value), {rule}(value) FROM unnest($values) AS t(value) "
                            f"WHERE {fast}(value) IS DISTINCT FROM {rule}(value)", {"values": values}).fetchall()
    assert differ == []
    parsed = macros.execute(f"SELECT count(*) FROM unnest($values) AS t(value) WHERE {fast}(value) IS NOT NULL",
                            {"values": values}).fetchone()[0]
    assert parsed >= 50, "the mangled values must include many that parse, or the comparison proves little"


# --- Checks across rows follow key order, whatever the file order ----------------------------------------


def test_neighbour_checks_follow_the_key_order_not_the_file_order(tmp_path, published):
    """Checkpoints are compared with their predecessor in (model_id, step) order, in one pass over rows
    sorted once. Worked by hand: sorted, the rows are base@100 (line 5), base@200 (7), base@200 (8),
    base@300 (3), ft@10 (4), ft@20 (6), ft@30 (2). Line 8 repeats line 7's key; ft@20 has less compute
    than ft@10. ft@10 has far less compute than base@300 before it, but that is another model."""
    tables = full_tables()
    row = dict(tables["checkpoints"][0])

    def checkpoint(model, step, compute):
        return {**row, "model_id": model, "step": str(step), "training_flop": compute, "effective_compute": compute}
    tables["checkpoints"] = [checkpoint("ft", 30, "3e24"), checkpoint("base", 300, "9e24"),
                             checkpoint("ft", 10, "2.1e24"), checkpoint("base", 100, "1e24"),
                             checkpoint("ft", 20, "1.5e24"), checkpoint("base", 200, "2e24"),
                             checkpoint("base", 200, "2e24")]
    problems = refuse(write_folder(tmp_path / "bad", tables), published)
    assert [str(problem) for problem in problems] == [
        'checkpoints.csv line 6: effective_compute "1.5e+24" is lower than 2.1e+24 at the previous step of ft: '
        "effective compute must never decrease as step grows (see line 4)",
        'checkpoints.csv line 8: step "200" is not a unique (model_id, step): base step 200 appears twice (see line 7)',
    ]


def test_checkpoints_of_models_missing_from_models_are_still_compared_in_key_order(tmp_path, published):
    """The checkpoints are sorted on the models' codes; a model missing from models.csv has none, and
    its rows are sorted again by id so that each model's steps stay together. Worked by hand: lines 5-7
    are ghost@100, ghost2@100, ghost@100; in key order ghost@100 (5), ghost@100 (7), ghost2@100 (6),
    so line 7 repeats line 5's key, and each of the three names a model that is not listed."""
    tables = full_tables()
    row = dict(tables["checkpoints"][0])
    tables["checkpoints"] += [{**row, "model_id": model} for model in ("ghost", "ghost2", "ghost")]
    problems = refuse(write_folder(tmp_path / "bad", tables), published)
    assert [str(problem) for problem in problems] == [
        'checkpoints.csv line 5: model_id "ghost" is not a model_id listed in models',
        'checkpoints.csv line 6: model_id "ghost2" is not a model_id listed in models',
        'checkpoints.csv line 7: step "100" is not a unique (model_id, step): ghost step 100 appears twice (see line 5)',
        'checkpoints.csv line 7: model_id "ghost" is not a model_id listed in models',
    ]


def test_checkpoints_of_models_past_the_code_bound_are_published_in_key_order(tmp_path):
    """More models than typed_checkpoints.sql gives codes to (100,000): the last ids have none, and their
    checkpoints, interleaved in the file, are published in (model_id, step) order all the same."""
    tables = full_tables()
    model = dict(tables["models"][0])
    tables["models"] += [{**model, "model_id": f"m{index:06d}"} for index in range(100_001)]
    row = dict(tables["checkpoints"][0])
    tables["checkpoints"] += [{**row, "model_id": model_id, "step": step}
                              for model_id, step in (("m100000", "20"), ("m099999", "20"), ("m100000", "10"),
                                                     ("m099999", "10"), ("m000000", "10"))]
    store = tmp_path / "asl.duckdb"
    ingest(write_folder(tmp_path / "many", tables), store, progress=quiet)
    con = duckdb.connect(str(store), read_only=True)
    try:
        assert con.execute("SELECT model_id, step FROM checkpoints").fetchall() == [
            ("base", 100), ("base", 200), ("ft", 10), ("m000000", 10), ("m099999", 10), ("m099999", 20),
            ("m100000", 10), ("m100000", 20)]
    finally:
        con.close()


def test_checkpoints_of_a_model_with_an_id_too_long_for_a_code_are_published_in_key_order(tmp_path):
    """An id over 256 bytes gets no code (typed_checkpoints.sql): its checkpoints, which sort before base's
    by text, are published first all the same."""
    tables = full_tables()
    long_id = "a" * 300
    tables["models"].append({**tables["models"][0], "model_id": long_id})
    row = dict(tables["checkpoints"][0])
    tables["checkpoints"] += [{**row, "model_id": long_id, "step": "20"}, {**row, "model_id": long_id, "step": "10"}]
    store = tmp_path / "asl.duckdb"
    ingest(write_folder(tmp_path / "long", tables), store, progress=quiet)
    con = duckdb.connect(str(store), read_only=True)
    try:
        assert con.execute("SELECT model_id, step FROM checkpoints").fetchall() == [
            (long_id, 10), (long_id, 20), ("base", 100), ("base", 200), ("ft", 10)]
    finally:
        con.close()


def test_published_checkpoints_are_in_key_order_and_safeguards_are_distinct_pairs(tmp_path):
    tables = full_tables()
    tables["checkpoints"] = [tables["checkpoints"][2], tables["checkpoints"][1], tables["checkpoints"][0]]
    tables["deployment_safeguards"].append(dict(tables["deployment_safeguards"][0]))  # a repeated pair
    store = tmp_path / "asl.duckdb"
    ingest(write_folder(tmp_path / "good", tables), store, progress=quiet)
    con = duckdb.connect(str(store), read_only=True)
    try:
        assert con.execute("SELECT model_id, step FROM checkpoints").fetchall() == [
            ("base", 100), ("base", 200), ("ft", 10)]
        assert con.execute("SELECT deployment_id, safeguards FROM deployments ORDER BY deployment_id").fetchall() == [
            ("d1", ["input_classifier", "monitoring"]), ("d2", [])]
        assert sorted(con.execute("SELECT deployment_id, safeguard_id FROM deployment_safeguards").fetchall()) == [
            ("d1", "input_classifier"), ("d1", "monitoring")]
    finally:
        con.close()


# --- Several problems at once -----------------------------------------------------------------------


def test_every_problem_is_reported_sorted_by_file_and_line(tmp_path, published):
    tables = full_tables()
    tables["models"][1]["status"] = "live"                     # models.csv line 3
    tables["checkpoints"][2]["training_flop"] = "nan"          # checkpoints.csv line 4
    tables["checkpoints"][0]["effective_compute"] = "x"        # checkpoints.csv line 2
    tables["deployments"][1]["surface"] = "fax"                # deployments.csv line 3
    tables["customers"].append(dict(tables["customers"][0]))   # customers.csv line 4 (duplicate)
    tables["policies"][2]["eval_interval_days"] = "-1"         # policies.csv line 4
    problems = refuse(write_folder(tmp_path / "bad", tables), published)
    assert [(p.file, p.line) for p in problems] == [
        ("checkpoints.csv", 2), ("checkpoints.csv", 4), ("customers.csv", 4), ("deployments.csv", 3),
        ("models.csv", 3), ("policies.csv", 4)]


def test_file_problems_and_row_problems_of_other_files_are_all_reported(tmp_path, published):
    tables = full_tables()
    tables["models"][1]["status"] = "live"                     # models.csv line 3 (a row problem)
    tables["deployments"][0]["started_at"] = "2024-02-30"      # deployments.csv line 2 (a row problem)
    folder = write_folder(tmp_path / "bad", tables)
    (folder / "customers.csv").write_bytes(CUSTOMERS_HEADER.encode() + b"c1,Acme,x,y,eu\n")  # ragged, line 2
    (folder / "evaluations.csv").unlink()                      # a missing file
    problems = refuse(folder, published)
    assert [(p.file, p.line) for p in problems] == [
        ("customers.csv", 2), ("deployments.csv", 2), ("evaluations.csv", None), ("models.csv", 3)]


def test_the_report_caps_a_flood_of_problems(tmp_path, published):
    tables = full_tables()
    tables["checkpoints"] = [{**tables["checkpoints"][0], "step": str(step), "effective_compute": "24"}
                             for step in range(1200)]
    with pytest.raises(IngestError) as raised:
        ingest(write_folder(tmp_path / "bad", tables), published, progress=quiet)
    assert len(raised.value.problems) == 1200
    report = raised.value.report()
    assert "checkpoints.csv line 2: " in report and "and 700 more problem(s) not shown" in report
    assert "Refused: 1,200 problem(s)" in report


# --- Valid variations ------------------------------------------------------------------------------


def test_a_valid_folder_publishes_counts_and_snapshot_date(tmp_path, published):
    messages = []
    before = sha256(published)
    tables = full_tables()
    tables["checkpoints"].append({"model_id": "ft", "step": "20", "recorded_at": "2025-02-20T23:30:00-05:00",
                                  "training_flop": "3e24", "effective_compute": "3e24"})
    result = ingest(write_folder(tmp_path / "next", tables), published, progress=messages.append)
    assert result.row_counts == {**FULL_COUNTS, "checkpoints": 4}
    assert row_counts(published) == result.row_counts
    assert sha256(published) != before
    # The latest date in checkpoints, evaluations and deployments (2025-02-20 23:30 -05:00 is 2025-02-21 UTC,
    # but d2 ended on 2025-03-01).
    assert str(result.snapshot_date) == "2025-03-01"
    con = duckdb.connect(":memory:")
    con.execute("ATTACH $path AS s (READ_ONLY)", {"path": str(published)})
    snapshot_date, dataset = con.execute("SELECT snapshot_date, dataset FROM s.snapshot_info").fetchone()
    recorded = con.execute("SELECT recorded_at FROM s.checkpoints WHERE model_id = 'ft' AND step = 20").fetchone()[0]
    con.close()
    assert str(snapshot_date) == "2025-03-01" and dataset == "next"
    assert str(recorded) == "2025-02-21 04:30:00"  # a zone is converted to UTC
    assert leftovers(published) == []
    assert "rows/s" in result.summary()


def test_snapshot_date_follows_the_data(tmp_path):
    tables = full_tables()
    tables["deployments"][1]["ended_at"] = ""
    tables["deployments"][1]["status"] = "active"
    result = ingest(write_folder(tmp_path / "ok", tables), tmp_path / "ok.duckdb", progress=quiet)
    assert str(result.snapshot_date) == "2025-02-10"  # ft@10, recorded 2025-02-10


def test_header_only_files_bom_and_extra_column_are_accepted(tmp_path):
    tables = full_tables()
    tables["customers"][0]["account_manager"] = "Jo"  # an unknown column: ignored with a warning
    folder = write_folder(tmp_path / "ok", tables)
    (folder / "evaluations.csv").write_text(header("evaluations"), encoding="utf-8")        # header only
    (folder / "public_models.csv").write_text(header("public_models").rstrip("\n"), encoding="utf-8")  # no newline
    (folder / "asl_history.csv").unlink()                                                    # optional
    models = (folder / "models.csv").read_bytes()
    (folder / "models.csv").write_bytes(b"\xef\xbb\xbf" + models)                           # a byte-order mark
    messages = []
    store = tmp_path / "store" / "asl.duckdb"
    result = ingest(folder, store, progress=messages.append)
    assert result.row_counts == {**FULL_COUNTS, "evaluations": 0, "public_models": 0, "asl_history": 0}
    assert row_counts(store) == result.row_counts
    assert "customers.csv: ignoring unknown column(s) account_manager" in result.warnings
    assert any("ignoring unknown column(s) account_manager" in message for message in messages)
    con = duckdb.connect(":memory:")
    con.execute("ATTACH $path AS s (READ_ONLY)", {"path": str(store)})
    assert con.execute("SELECT model_id FROM s.models ORDER BY model_id").fetchall() == [("base",), ("ft",)]
    assert "account_manager" not in [row[0] for row in con.execute("DESCRIBE s.customers").fetchall()]
    con.close()


def test_parquet_input_is_accepted(tmp_path):
    folder = write_folder(tmp_path / "ok", full_tables())
    for table in ("checkpoints", "deployments", "public_models"):
        to_parquet(folder, table)
    store = tmp_path / "store" / "asl.duckdb"
    result = ingest(folder, store, progress=quiet)
    assert result.row_counts == FULL_COUNTS
    assert row_counts(store) == FULL_COUNTS
    con = duckdb.connect(":memory:")
    con.execute("ATTACH $path AS s (READ_ONLY)", {"path": str(store)})
    assert con.execute("SELECT effective_compute FROM s.checkpoints WHERE step = 200").fetchone()[0] == 2e24
    assert con.execute("SELECT customer_id FROM s.deployments WHERE deployment_id = 'd2'").fetchone()[0] is None
    con.close()


def test_parquet_with_typed_columns_gives_the_same_snapshot_as_csv(tmp_path):
    """A lab's own export may type its Parquet columns (integers, floats, timestamps, dates):
    they read as the text the contract describes, and the snapshot is the one the CSV gives."""
    from_csv = tmp_path / "csv.duckdb"
    ingest(write_folder(tmp_path / "csv", full_tables()), from_csv, progress=quiet)
    folder = write_folder(tmp_path / "typed", full_tables())

    def typed_checkpoints(frame):
        frame["step"] = frame["step"].astype("int64")
        frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True, format="ISO8601")  # zone-aware
        for column in ("training_flop", "effective_compute"):
            frame[column] = frame[column].astype("float64")

    def typed_deployments(frame):
        frame["started_at"] = pd.to_datetime(frame["started_at"]).dt.date
        frame["ended_at"] = pd.to_datetime(frame["ended_at"].replace("", None)).dt.date
        frame["monthly_requests"] = pd.to_numeric(frame["monthly_requests"].replace("", None)).astype("Int64")

    to_parquet(folder, "checkpoints", typed_checkpoints)
    to_parquet(folder, "deployments", typed_deployments)
    types = dict(duckdb.connect().execute("SELECT name, type FROM parquet_schema($path)",
                                          {"path": str(folder / "checkpoints.parquet")}).fetchall())
    assert types["step"] == "INT64" and types["effective_compute"] == "DOUBLE" and types["recorded_at"] == "INT64"
    from_parquet = tmp_path / "parquet.duckdb"
    ingest(folder, from_parquet, progress=quiet)
    con = duckdb.connect(":memory:")
    con.execute("ATTACH $path AS a (READ_ONLY)", {"path": str(from_csv)})
    con.execute("ATTACH $path AS b (READ_ONLY)", {"path": str(from_parquet)})
    for table in ("checkpoints", "deployments", "checkpoint_days", "evaluated_checkpoints"):
        csv_rows = con.execute(f"SELECT * FROM a.{table} ORDER BY ALL").fetchall()
        assert csv_rows and con.execute(f"SELECT * FROM b.{table} ORDER BY ALL").fetchall() == csv_rows, table
    con.close()


def test_quoted_fields_with_commas_and_newlines_are_values(tmp_path):
    folder = write_folder(tmp_path / "ok", full_tables())
    (folder / "models.csv").write_text(MODELS_HEADER + QUOTED_NEWLINE_MODEL + FT_MODEL, encoding="utf-8")
    store = tmp_path / "ok.duckdb"
    ingest(folder, store, progress=quiet)
    con = duckdb.connect(":memory:")
    con.execute("ATTACH $path AS s (READ_ONLY)", {"path": str(store)})
    assert con.execute("SELECT name FROM s.models WHERE model_id = 'base'").fetchone()[0] == "Base\nmodel, the first"
    con.close()


# --- The command line ------------------------------------------------------------------------------




def test_cli_refuses_a_broken_folder_and_publishes_a_valid_one(tmp_path, published):
    tables = full_tables()
    tables["checkpoints"][1]["effective_compute"] = "24.5"
    tables["models"][1]["derivation"] = "merge"
    before = sha256(published)
    refused = run_cli("--store", str(published), "ingest", str(write_folder(tmp_path / "bad", tables)))
    assert refused.returncode != 0
    assert 'checkpoints.csv line 3: effective_compute "24.5"' in refused.stderr
    assert LOG10_HINT in refused.stderr
    assert 'models.csv line 3: derivation "merge" is not one of' in refused.stderr
    assert "The published store was not changed." in refused.stderr
    assert refused.stdout == ""
    assert sha256(published) == before and leftovers(published) == []

    tables = full_tables()
    tables["customers"].append({**tables["customers"][0], "customer_id": "c3"})
    good = run_cli("--store", str(published), "ingest", str(write_folder(tmp_path / "good", tables)))
    assert good.returncode == 0, good.stderr
    assert "Published" in good.stderr
    assert row_counts(published)["customers"] == 3
    assert leftovers(published) == []


# --- Crash safety and concurrency ------------------------------------------------------------------


def test_leftovers_of_a_dead_ingest_are_removed_by_the_next_one(tmp_path, published):
    build = published.with_name(f".{published.name}.build-12345")
    build.write_bytes(b"half a database")
    published.with_name(build.name + ".wal").write_bytes(b"half a log")
    messages = []
    ingest(write_folder(tmp_path / "again", full_tables()), published, progress=messages.append)
    assert leftovers(published) == []
    assert any(".build-12345" in message and "did not finish" in message for message in messages)


def test_leftovers_are_removed_by_a_refused_ingest_too(tmp_path, published):
    published.with_name(f".{published.name}.build-12345").write_bytes(b"half a database")
    tables = full_tables()
    tables["models"][0]["status"] = "live"
    refuse(write_folder(tmp_path / "bad", tables), published)  # asserts no leftovers


def test_a_second_ingest_at_the_same_time_is_refused(tmp_path, published):
    before = sha256(published)
    folder = write_folder(tmp_path / "second", full_tables())
    with open(published.with_name(f".{published.name}.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another ingest is running
        started = time.monotonic()
        with pytest.raises(IngestBusy) as raised:
            ingest(folder, published, progress=quiet, wait_seconds=0.5)
        waited = time.monotonic() - started
    message = str(raised.value)
    assert "another ingest is publishing to" in message and str(published) in message
    assert "waited 0.5 s" in message and "Try again" in message
    assert 0.4 < waited < 5
    assert sha256(published) == before and leftovers(published) == []
    ingest(folder, published, progress=quiet)  # the lock was released


CHILD = """
import sys
from dashboard.ingest import ingest
print("ingesting", flush=True)
ingest(sys.argv[1], sys.argv[2], progress=lambda message: print(message.strip(), flush=True))
print("published", flush=True)
"""


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory) -> Path:
    """full_tables() with 300,000 checkpoints: an ingest long enough to be killed midway."""
    folder = write_folder(tmp_path_factory.mktemp("big") / "big", full_tables())
    with open(folder / "checkpoints.csv", "w", encoding="utf-8") as handle:
        handle.write(CHECKPOINTS_HEADER)
        handle.writelines(f"base,{step},2025-01-01T00:00:00,{1e22 + step:.6e},{1e22 + step * 1e16:.9e}\n"
                          for step in range(1, 300_000))
        handle.write("ft,10,2025-02-10T08:30:00Z,2.1e24,2.1e24\n")
    return folder


def build_files(store: Path) -> list[Path]:
    return list(store.parent.glob(f".{store.name}.build-*"))


def wait_for_line(child: subprocess.Popen, prefix: str) -> None:
    for line in child.stdout:
        if line.startswith(prefix):
            return
    pytest.fail(f"the ingest ended without printing {prefix!r}")


# A moment is a time after the child starts its ingest, or a phase it reports (deterministic).
KILL_MOMENTS = ["after-0.2s", "after-0.5s", "after-1.0s", "while-checking", "while-writing"]


@pytest.mark.parametrize("moment", KILL_MOMENTS)
def test_sigkill_during_an_ingest_leaves_the_published_store(tmp_path, published, big_folder, moment):
    before = sha256(published)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(big_folder), str(published)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        wait_for_line(child, "ingesting")
        if moment == "while-checking":
            wait_for_line(child, "checking every row")
        elif moment == "while-writing":
            wait_for_line(child, "writing the new snapshot")
            deadline = time.monotonic() + WAIT_S
            while not build_files(published) and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
            assert build_files(published), "the ingest never wrote its build file"
        else:
            time.sleep(float(moment.removeprefix("after-").rstrip("s")))
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=WAIT_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode in (0, -signal.SIGKILL)
    if sha256(published) == before:
        assert row_counts(published) == FULL_COUNTS  # still readable, with the old rows
    else:
        # Only a timed kill may come after the atomic swap (on a fast machine): then the new snapshot
        # is published whole.
        assert moment.startswith("after-"), f"the store changed although the kill came {moment}"
        assert row_counts(published)["checkpoints"] == 300_000
    if moment == "while-writing":
        assert child.returncode == -signal.SIGKILL
        assert build_files(published), "the kill came after the build file was gone"
    # The next ingest removes what the dead one left, and publishes.
    messages = []
    result = ingest(write_folder(tmp_path / "after", full_tables()), published, progress=messages.append)
    assert result.row_counts == FULL_COUNTS
    assert row_counts(published) == FULL_COUNTS
    assert leftovers(published) == []
    if moment == "while-writing":
        assert any("left by an ingest that did not finish" in message for message in messages)


# --- Dates after the publish time ----------------------------------------------------------------


FUTURE_DEFECTS = [
    at("checkpoints", 1, "recorded_at", "2099-12-31T00:00:00", 'recorded_at "2099-12-31T00:00:00" is after the time of this ingest'),
    at("evaluations", 1, "completed_at", "2099-12-31T09:00:00Z", 'completed_at "2099-12-31T09:00:00Z" is after the time of this ingest'),
    at("public_models", 0, "published_on", "2099-12-31", 'published_on "2099-12-31" is after the time of this ingest'),
]


@pytest.mark.parametrize("case", FUTURE_DEFECTS, ids=str)
def test_a_date_after_the_publish_time_is_refused_with_file_and_line(tmp_path, published, case: Defect):
    """One mistyped year must not become every page's "now": it is refused like any bad value."""
    tables = full_tables()
    case.change(tables)
    the_problem(refuse(write_folder(tmp_path / "bad", tables), published), case.file, case.line, case.column,
                *case.expected, "one day of clock difference allowed")


def test_dates_up_to_a_day_ahead_are_clock_difference_and_the_snapshot_date_never_passes_the_publish_day(tmp_path):
    """A checkpoint a few hours ahead (another machine's clock) is accepted, and a deployment planned
    to start in the future is accepted too; neither moves the snapshot's date past the day it is published."""
    tables = full_tables()
    ahead = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    tables["checkpoints"][2]["recorded_at"] = ahead
    tables["deployments"].append({**tables["deployments"][0], "deployment_id": "d-planned", "status": "onboarding",
                                  "started_at": "2099-12-31"})
    result = ingest(write_folder(tmp_path / "ok", tables), tmp_path / "ok.duckdb", progress=quiet)
    published_at = duckdb.connect(str(tmp_path / "ok.duckdb"), read_only=True).execute(
        "SELECT published_at FROM snapshot_info").fetchone()[0]
    assert result.snapshot_date == published_at.date()


def test_a_public_epoch_row_dated_in_the_future_is_reported_and_does_not_move_the_snapshot_date(tmp_path):
    """import-public reports an Epoch row dated 2099 with its line and leaves its date out (as an
    unparseable date), so the ingest publishes the data as of the real latest date."""
    from dashboard.public_import import import_public

    epoch = REPO / "tests" / "data" / "public" / "epoch_excerpt.csv"
    text = epoch.read_text(encoding="utf-8")
    assert ",Upstage,2025-12-31," in text
    (tmp_path / "epoch.csv").write_text(text.replace(",Upstage,2025-12-31,", ",Upstage,2099-12-31,")
                                        .replace(",OpenAI,2023-03-15,", ",OpenAI,2099-12-31,", 1), encoding="utf-8")
    report = import_public(tmp_path / "epoch.csv", None, tmp_path / "out", progress=quiet)
    future = [problem for problem in report.problems if "'2099-12-31' is in the future" in problem]
    assert len(future) == 2 and all(problem.startswith("line ") for problem in future), report.problems
    result = ingest(tmp_path / "out", tmp_path / "public.duckdb", progress=quiet)
    assert result.snapshot_date <= dt.datetime.now(dt.timezone.utc).date()
    public = pd.read_csv(tmp_path / "out" / "public_models.csv", dtype=str, keep_default_na=False)
    assert "2099-12-31" not in set(public["published_on"])


# --- Ids with characters that change how text reads -------------------------------------------------

INVISIBLE_IN_IDS = [("bel", "\x07", "\\x07"), ("esc", "\x1b[31m", "\\x1b"), ("del", "\x7f", "\\x7f"),
                    ("c1-csi", "\x9b", "\\x9b"), ("rlo", "\u202e", "\\u202e"), ("lre", "\u202a", "\\u202a"),
                    ("isolate", "\u2066", "\\u2066"), ("rlm", "\u200f", "\\u200f"), ("alm", "\u061c", "\\u061c"),
                    ("zwsp", "\u200b", "\\u200b"), ("zwj", "\u200d", "\\u200d"), ("word-joiner", "\u2060", "\\u2060"),
                    ("bom", "\ufeff", "\\ufeff")]


@pytest.mark.parametrize("name, char, shown", INVISIBLE_IN_IDS, ids=[case[0] for case in INVISIBLE_IN_IDS])
def test_an_id_with_a_control_bidi_or_zero_width_character_is_refused(tmp_path, published, name, char, shown):
    """One id posing as another (rtl<U+202E>gnp.exe reads as rtlexe.png) or carrying a terminal
    sequence is refused with file, line and column; the report shows the character as an escape."""
    tables = full_tables()
    tables["policies"].append({**tables["policies"][2], "policy_id": f"rtl{char}gnp.exe"})
    problem = the_problem(refuse(write_folder(tmp_path / "bad", tables), published), "policies.csv", 5, "policy_id",
                          f'policy_id "rtl{shown}', "is not usable as a policy id", "control, bidirectional or zero-width")
    assert char not in str(problem)


def test_a_model_id_with_a_right_to_left_override_is_refused(tmp_path, published):
    tables = full_tables()
    tables["models"].append({**tables["models"][1], "model_id": "rtl\u202egnp.exe"})
    the_problem(refuse(write_folder(tmp_path / "bad", tables), published), "models.csv", 4, "model_id",
                'model_id "rtl\\u202egnp.exe" is not usable as a model id')
