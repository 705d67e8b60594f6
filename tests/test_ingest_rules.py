"""Every rule of DESIGN section 3: one broken folder per defect, each refused with the file, the line
(as an editor counts: header = line 1) and the column named, and the published store byte-identical."""
from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from dashboard.ingest import IngestBusy, IngestError, ingest
from dashboard.store import snapshot
from labdata import base_tables, write_folder
from clirun import run_cli


def full_tables():
    """base_tables() with one valid row in every table, so each can be broken."""
    tables = base_tables()
    tables["checkpoints"].append({"model_id": "base", "step": "200", "recorded_at": "2025-02-01T00:00:00",
                                  "training_flop": "2e24", "effective_compute": "2e24"})
    tables["evaluations"] = [{"eval_id": "e1", "model_id": "base", "step": "100", "completed_at": "2025-01-05T00:00:00",
                              "domain": "cbrn", "kind": "comprehensive", "target_asl_level": "3",
                              "outcome": "below_threshold", "score": "0.2", "trigger_score": "0.5", "elicitation": ""}]
    tables["deployments"] = [{"deployment_id": "d1", "model_id": "base", "customer_id": "c1", "surface": "api",
                              "use_case": "chat", "risk_domains": "cbrn;cyber", "status": "active",
                              "started_at": "2025-01-10", "ended_at": "", "monthly_requests": "100"}]
    tables["deployment_safeguards"] = [{"deployment_id": "d1", "safeguard_id": "monitoring"}]
    tables["asl_history"] = [{"model_id": "base", "asl_level": "2", "effective_from": "2025-01-01", "reason": "initial"}]
    tables["public_models"] = [{"public_model_id": "gpt-4", "name": "GPT-4", "organization": "OpenAI",
                                "published_on": "2023-03-15", "training_compute_flop": "2.1e25", "base_model_name": "",
                                "accessibility": "API access", "source": "Epoch AI"}]
    return tables


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def published(tmp_path):
    store = tmp_path / "store" / "asl.duckdb"
    ingest(write_folder(tmp_path / "good", full_tables()), store, progress=lambda _: None)
    return store


def refused(tmp_path, store, tables=None, edit=None):
    """Ingest a broken folder over store; return the problems as strings, checking nothing changed."""
    before = sha256(store)
    folder = write_folder(tmp_path / "bad", tables or full_tables())
    if edit:
        edit(folder)
    with pytest.raises(IngestError) as raised:
        ingest(folder, store, progress=lambda _: None)
    assert sha256(store) == before, "a refused ingest changed the published store"
    assert [path.name for path in store.parent.iterdir() if ".build-" in path.name] == []
    return [str(problem) for problem in raised.value.problems]


def set_value(table, row, column, value):
    def change(tables):
        tables[table][row][column] = value
    return change


def append_row(table, **values):
    def change(tables):
        tables[table].append({**tables[table][0], **values})
    return change


# (defect id, change to full_tables(), the problem expected: file, line, text)
ROW_DEFECTS = [
    ("number-text", set_value("checkpoints", 1, "effective_compute", "2.4e2x"),
     'checkpoints.csv line 3: effective_compute "2.4e2x" is not a number'),
    ("number-nan", set_value("checkpoints", 1, "training_flop", "NaN"),
     'checkpoints.csv line 3: training_flop "NaN" is not a finite number'),
    ("number-inf", set_value("checkpoints", 0, "effective_compute", "inf"),
     'checkpoints.csv line 2: effective_compute "inf" is not a finite number'),
    ("number-minus-inf", set_value("checkpoints", 0, "training_flop", "-inf"),
     'checkpoints.csv line 2: training_flop "-inf" is not a finite number'),
    ("flop-zero", set_value("checkpoints", 0, "training_flop", "0"),
     'checkpoints.csv line 2: training_flop "0" is not a FLOP count greater than 0'),
    ("flop-negative", set_value("checkpoints", 0, "effective_compute", "-1e24"),
     'checkpoints.csv line 2: effective_compute "-1e24" is not a FLOP count greater than 0'),
    ("log10-effective", set_value("checkpoints", 1, "effective_compute", "24.5"),
     'checkpoints.csv line 3: effective_compute "24.5" is not a FLOP count of at least 1e6; this looks like log10 FLOP'),
    ("log10-training", set_value("checkpoints", 0, "training_flop", "25"),
     'checkpoints.csv line 2: training_flop "25" is not a FLOP count of at least 1e6; this looks like log10 FLOP'),
    ("public-compute-negative", set_value("public_models", 0, "training_compute_flop", "-2e25"),
     'public_models.csv line 2: training_compute_flop "-2e25" is not a FLOP count greater than 0'),
    ("decreasing-compute", set_value("checkpoints", 1, "effective_compute", "5e23"),
     'checkpoints.csv line 3: effective_compute "5e+23" is lower than 1e+24 at the previous step of base'),
    ("step-not-whole", set_value("checkpoints", 1, "step", "1.5"), 'checkpoints.csv line 3: step "1.5" is not a whole number'),
    ("score-text", set_value("evaluations", 0, "score", "high"), 'evaluations.csv line 2: score "high" is not a number'),
    ("requests-text", set_value("deployments", 0, "monthly_requests", "lots"),
     'deployments.csv line 2: monthly_requests "lots" is not a whole number'),
    ("requests-negative", set_value("deployments", 0, "monthly_requests", "-5"),
     'deployments.csv line 2: monthly_requests "-5" is not a count of 0 or more'),
    ("policy-multiple", set_value("policies", 0, "eval_compute_multiple", "1"),
     'policies.csv line 2: eval_compute_multiple "1" is not a multiple greater than 1'),
    ("policy-buffer", set_value("policies", 0, "buffer_multiple", "3"),
     'policies.csv line 2: buffer_multiple "3" is not empty, or greater than eval_compute_multiple (4)'),
    ("policy-interval", set_value("policies", 0, "eval_interval_days", "0"),
     'policies.csv line 2: eval_interval_days "0" is not empty, or a number of days greater than 0'),
    ("level-not-integer", set_value("asl_levels", 1, "asl_level", "two"), 'asl_levels.csv line 3: asl_level "two" is not a whole number'),
    ("bool", set_value("customers", 0, "business_critical", "yes"), 'customers.csv line 2: business_critical "yes" is not true or false'),
    ("required-empty", set_value("models", 0, "policy_id", ""), "models.csv line 2: policy_id is empty, expected a policy id"),
    # Duplicate keys.
    ("dup-policy", append_row("policies"), 'policies.csv line 5: policy_id "rsp-v1.0" is not a unique policy_id (see line 2)'),
    ("dup-level", append_row("asl_levels"), 'asl_levels.csv line 6: asl_level "1" is not a unique asl_level (see line 2)'),
    ("dup-safeguard", append_row("safeguards"), 'safeguards.csv line 6: safeguard_id "input_classifier" is not a unique safeguard_id'),
    ("dup-model", append_row("models"), 'models.csv line 3: model_id "base" is not a unique model_id (see line 2)'),
    ("dup-checkpoint", append_row("checkpoints", step="200"), 'checkpoints.csv line 4: step "200" is not a unique (model_id, step)'),
    ("dup-evaluation", append_row("evaluations"), 'evaluations.csv line 3: eval_id "e1" is not a unique eval_id'),
    ("dup-customer", append_row("customers"), 'customers.csv line 3: customer_id "c1" is not a unique customer_id'),
    ("dup-deployment", append_row("deployments"), 'deployments.csv line 3: deployment_id "d1" is not a unique deployment_id'),
    ("dup-public", append_row("public_models"), 'public_models.csv line 3: public_model_id "gpt-4" is not a unique public_model_id'),
    # Unknown references.
    ("ref-parent", set_value("models", 0, "parent_model_id", "ghost"),
     'models.csv line 2: parent_model_id "ghost" is not empty, or a model_id listed in models'),
    ("ref-policy", set_value("models", 0, "policy_id", "rsp-v9"), 'models.csv line 2: policy_id "rsp-v9" is not a policy_id listed in policies'),
    ("ref-model-level", set_value("models", 0, "asl_level", "7"), 'models.csv line 2: asl_level "7" is not an asl_level listed in asl_levels'),
    ("ref-checkpoint-model", set_value("checkpoints", 0, "model_id", "ghost"),
     'checkpoints.csv line 2: model_id "ghost" is not a model_id listed in models'),
    ("ref-evaluation-step", set_value("evaluations", 0, "step", "150"),
     'evaluations.csv line 2: step "150" is not a (model_id, step) listed in checkpoints'),
    ("ref-deployment-model", set_value("deployments", 0, "model_id", "ghost"),
     'deployments.csv line 2: model_id "ghost" is not a model_id listed in models'),
    ("ref-deployment-customer", set_value("deployments", 0, "customer_id", "c9"),
     'deployments.csv line 2: customer_id "c9" is not empty (first-party surface), or a customer_id listed in customers'),
    ("ref-ds-deployment", set_value("deployment_safeguards", 0, "deployment_id", "d9"),
     'deployment_safeguards.csv line 2: deployment_id "d9" is not a deployment_id listed in deployments'),
    ("ref-ds-safeguard", set_value("deployment_safeguards", 0, "safeguard_id", "magic"),
     'deployment_safeguards.csv line 2: safeguard_id "magic" is not a safeguard_id listed in safeguards'),
    ("ref-required-level", set_value("asl_required_safeguards", 0, "asl_level", "9"),
     'asl_required_safeguards.csv line 2: asl_level "9" is not an asl_level listed in asl_levels'),
    ("ref-required-safeguard", set_value("asl_required_safeguards", 0, "safeguard_id", "magic"),
     'asl_required_safeguards.csv line 2: safeguard_id "magic" is not a safeguard_id listed in safeguards'),
    ("ref-history-model", set_value("asl_history", 0, "model_id", "ghost"),
     'asl_history.csv line 2: model_id "ghost" is not a model_id listed in models'),
    # Cycles.
    ("cycle-self", set_value("models", 0, "parent_model_id", "base"),
     'models.csv line 2: parent_model_id "base" leads back to this model: lineage cycles are not allowed'),
    # Enums.
    ("enum-derivation", set_value("models", 0, "derivation", "merge"), 'models.csv line 2: derivation "merge" is not one of pretrain, fine-tune'),
    ("enum-model-status", set_value("models", 0, "status", "live"), 'models.csv line 2: status "live" is not one of training, evaluating'),
    ("enum-kind", set_value("evaluations", 0, "kind", "full"), 'evaluations.csv line 2: kind "full" is not one of comprehensive, preliminary'),
    ("enum-outcome", set_value("evaluations", 0, "outcome", "pass"), 'evaluations.csv line 2: outcome "pass" is not one of below_threshold'),
    ("enum-safeguard-kind", set_value("safeguards", 0, "kind", "legal"), 'safeguards.csv line 2: kind "legal" is not one of deployment, security'),
    ("enum-surface", set_value("deployments", 0, "surface", "email"), 'deployments.csv line 2: surface "email" is not one of api, cloud'),
    ("enum-deployment-status", set_value("deployments", 0, "status", "live"), 'deployments.csv line 2: status "live" is not one of onboarding'),
    # Dates.
    ("date-month", set_value("checkpoints", 0, "recorded_at", "2024-13-01"),
     'checkpoints.csv line 2: recorded_at "2024-13-01" is not an ISO-8601 timestamp'),
    ("date-day", set_value("deployments", 0, "started_at", "2024-02-30"),
     'deployments.csv line 2: started_at "2024-02-30" is not an ISO-8601 date YYYY-MM-DD'),
    ("date-word", set_value("evaluations", 0, "completed_at", "yesterday"),
     'evaluations.csv line 2: completed_at "yesterday" is not an ISO-8601 timestamp'),
    ("ended-before-started", set_value("deployments", 0, "ended_at", "2025-01-01"),
     'deployments.csv line 2: ended_at "2025-01-01" is not empty, or a date on or after started_at (2025-01-10)'),
    ("history-date", set_value("asl_history", 0, "effective_from", "soon"),
     'asl_history.csv line 2: effective_from "soon" is not an ISO-8601 date'),
]


@pytest.mark.parametrize("defect, change, expected", ROW_DEFECTS, ids=[row[0] for row in ROW_DEFECTS])
def test_each_row_defect_is_refused_with_file_line_and_column(tmp_path, published, defect, change, expected):
    tables = full_tables()
    change(tables)
    problems = refused(tmp_path, published, tables)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_three_model_cycle(tmp_path, published):
    tables = full_tables()
    tables["models"] += [{**tables["models"][0], "model_id": "a", "parent_model_id": "c"},
                         {**tables["models"][0], "model_id": "b", "parent_model_id": "a"},
                         {**tables["models"][0], "model_id": "c", "parent_model_id": "b"}]
    problems = refused(tmp_path, published, tables)
    assert {problem.split(":")[0] for problem in problems} == {"models.csv line 3", "models.csv line 4", "models.csv line 5"}


def test_decreasing_compute_found_when_rows_are_out_of_step_order(tmp_path, published):
    tables = full_tables()
    # step 200 (line 2) has less compute than step 100 (line 3).
    tables["checkpoints"] = [dict(tables["checkpoints"][1], effective_compute="5e23"), tables["checkpoints"][0]]
    problems = refused(tmp_path, published, tables)
    assert problems == ['checkpoints.csv line 2: effective_compute "5e+23" is lower than 1e+24 at the previous step of base: '
                        'effective compute must never decrease as step grows (see line 3)']


def write_text(name, text):
    def edit(folder):
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return edit


CHECKPOINT_HEADER = "model_id,step,recorded_at,training_flop,effective_compute\n"

FILE_DEFECTS = [
    ("ragged-long", write_text("checkpoints.csv", CHECKPOINT_HEADER + "base,100,2025-01-01T00:00:00,1e24,1e24\n"
                               "base,200,2025-02-01T00:00:00,2e24,2e24,extra\n"),
     ["checkpoints.csv line 3: row has 6 field(s), expected 5 like the header"]),
    ("ragged-short", write_text("checkpoints.csv", CHECKPOINT_HEADER + "base,100,2025-01-01T00:00:00,1e24\n"),
     ["checkpoints.csv line 2: row has 4 field(s), expected 5 like the header"]),
    ("ragged-after-quoted-newline", write_text(
        "models.csv", "model_id,name,family,parent_model_id,derivation,asl_level,policy_id,status\n"
        'base,"Base\nmodel",fam,,pretrain,2,rsp-v1.0,deployed\n'
        "other,Other,fam,,pretrain,2,rsp-v1.0\n"),
     ["models.csv line 4: row has 7 field(s), expected 8 like the header"]),
    ("non-utf8", write_text("customers.csv", b"customer_id,name,segment,sector,region,business_critical\n"
                            b"c1,Acme,enterprise,finance,eu,true\nc2,Caf\xe9 Ltd,startup,retail,eu,false\n"),
     ["customers.csv line 3: bytes b'\\xe9 Lt' are not valid UTF-8 (save the file as UTF-8)"]),
    ("empty-file", write_text("policies.csv", b""), ["policies.csv line 1: file is empty: expected a header row"]),
    ("missing-column", write_text("checkpoints.csv", "model_id,step,recorded_at,training_flop\nbase,100,2025-01-01,1e24\n"),
     ["checkpoints.csv line 1: missing column(s) effective_compute"]),
]


@pytest.mark.parametrize("defect, edit, expected", FILE_DEFECTS, ids=[row[0] for row in FILE_DEFECTS])
def test_each_file_defect_is_refused(tmp_path, published, defect, edit, expected):
    problems = refused(tmp_path, published, edit=edit)
    for prefix in expected:
        assert any(problem.startswith(prefix) for problem in problems), problems


def test_missing_required_file(tmp_path, published):
    problems = refused(tmp_path, published, edit=lambda folder: (folder / "evaluations.csv").unlink())
    assert problems == [f"evaluations.csv: required file is missing (expected evaluations.csv or evaluations.parquet in "
                        f"{tmp_path / 'bad'})"]


def test_both_csv_and_parquet(tmp_path, published):
    def edit(folder):
        pd.read_csv(folder / "customers.csv", dtype=str).to_parquet(folder / "customers.parquet")
    problems = refused(tmp_path, published, edit=edit)
    assert problems[0].startswith("customers.csv: both customers.csv and customers.parquet exist")


def test_every_problem_is_reported_sorted_by_file_and_line(tmp_path, published):
    tables = full_tables()
    tables["models"][0]["status"] = "live"
    tables["checkpoints"][1]["effective_compute"] = "x"
    tables["checkpoints"][0]["training_flop"] = "nan"
    tables["deployments"][0]["surface"] = "fax"
    problems = refused(tmp_path, published, tables)
    assert [problem.split(":")[0] for problem in problems] == [
        "checkpoints.csv line 2", "checkpoints.csv line 3", "deployments.csv line 2", "models.csv line 2"]


# --- Valid variations ---------------------------------------------------------------------------


def test_header_only_bom_extra_column_and_parquet_are_accepted(tmp_path):
    tables = full_tables()
    tables["evaluations"] = []  # header only
    tables["customers"][0]["account_manager"] = "Jo"  # unknown column: ignored with a warning
    folder = write_folder(tmp_path / "ok", tables)
    text = (folder / "models.csv").read_text(encoding="utf-8")
    (folder / "models.csv").write_bytes("\ufeff".encode("utf-8") + text.encode("utf-8"))  # byte-order mark
    frame = pd.read_csv(folder / "deployments.csv", dtype=str, keep_default_na=False)
    frame.to_parquet(folder / "deployments.parquet")
    (folder / "deployments.csv").unlink()
    messages = []
    result = ingest(folder, tmp_path / "s.duckdb", progress=messages.append)
    assert result.row_counts["evaluations"] == 0 and result.row_counts["deployments"] == 1
    assert any("ignoring unknown column(s) account_manager" in message for message in messages)
    snap = snapshot(tmp_path / "s.duckdb")
    assert list(snap.query("models")["model_id"]) == ["base"]


def test_parquet_problem_names_the_row(tmp_path, published):
    def edit(folder):
        frame = pd.read_csv(folder / "deployments.csv", dtype=str, keep_default_na=False)
        frame.loc[0, "surface"] = "pigeon"
        frame.to_parquet(folder / "deployments.parquet")
        (folder / "deployments.csv").unlink()
    problems = refused(tmp_path, published, edit=edit)
    assert problems == ['deployments.parquet row 1: surface "pigeon" is not one of api, cloud, consumer, enterprise, internal']


def test_timestamps_with_a_zone_are_converted_to_utc(tmp_path):
    tables = full_tables()
    tables["checkpoints"][0]["recorded_at"] = "2025-01-01T02:00:00+02:00"
    ingest(write_folder(tmp_path / "tz", tables), tmp_path / "tz.duckdb", progress=lambda _: None)
    frame = snapshot(tmp_path / "tz.duckdb").query("trajectory", model_id="base", as_of="2025-12-31", max_points=10)
    assert str(frame["recorded_at"].iloc[0]) == "2025-01-01 00:00:00"


def test_valid_ingest_reports_counts_and_snapshot_date(tmp_path):
    result = ingest(write_folder(tmp_path / "ok", full_tables()), tmp_path / "ok.duckdb", progress=lambda _: None)
    assert result.row_counts["checkpoints"] == 2 and result.row_counts["models"] == 1
    assert str(result.snapshot_date) == "2025-02-01"  # the latest date in checkpoints/evaluations/deployments
    assert "rows/s" in result.summary()


# --- The command line, crashes and concurrency ---------------------------------------------------




def test_cli_refuses_and_leaves_the_store(tmp_path, published):
    tables = full_tables()
    tables["checkpoints"][1]["effective_compute"] = "24.5"
    before = sha256(published)
    result = run_cli("--store", str(published), "ingest", str(write_folder(tmp_path / "bad", tables)))
    assert result.returncode == 1
    assert 'checkpoints.csv line 3: effective_compute "24.5"' in result.stderr
    assert "The published store was not changed." in result.stderr
    assert sha256(published) == before
    good = run_cli("--store", str(published), "ingest", str(write_folder(tmp_path / "good2", full_tables())))
    assert good.returncode == 0 and "Published" in good.stderr


def test_leftovers_of_a_dead_ingest_are_removed(tmp_path, published):
    leftover = published.with_name(f".{published.name}.build-99999")
    leftover.write_bytes(b"half a database")
    messages = []
    ingest(write_folder(tmp_path / "again", full_tables()), published, progress=messages.append)
    assert not leftover.exists()
    assert any("left by an ingest that did not finish" in message for message in messages)


def test_a_second_ingest_waits_then_is_refused(tmp_path, published):
    before = sha256(published)
    lock = open(published.with_name(f".{published.name}.lock"), "a+")
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        with pytest.raises(IngestBusy, match="another ingest is publishing"):
            ingest(write_folder(tmp_path / "second", full_tables()), published, progress=lambda _: None, wait_seconds=0.5)
    finally:
        lock.close()
    assert sha256(published) == before


def big_folder(folder, rows):
    tables = full_tables()
    write_folder(folder, tables)
    with open(folder / "checkpoints.csv", "w", encoding="utf-8") as handle:
        handle.write(CHECKPOINT_HEADER)
        for step in range(rows):
            handle.write(f"base,{step},2025-01-01T00:00:00,{1e22 + step:.6e},{1e22 + step * 1e16:.9e}\n")
    return folder


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5])
def test_sigkill_mid_ingest_leaves_the_store_readable(tmp_path, published, delay):
    before = sha256(published)
    counts_before = snapshot(published).query("models_by_level_status")
    folder = big_folder(tmp_path / "big", 300_000)
    process = subprocess.Popen([sys.executable, "-m", "dashboard", "--store", str(published), "ingest", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    if sha256(published) != before:  # the kill came after the atomic swap: then the new one is complete
        assert len(snapshot(published).query("trajectory", model_id="base", as_of="2030-01-01", max_points=100)) > 0
    else:
        assert snapshot(published).query("models_by_level_status").equals(counts_before)
    result = ingest(write_folder(tmp_path / "after", full_tables()), published, progress=lambda _: None)
    assert result.row_counts["checkpoints"] == 2
    assert [path.name for path in published.parent.iterdir() if ".build-" in path.name] == []
