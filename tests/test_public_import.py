"""import-public on excerpts of the real files (tests/data/public, with attribution there).

The Epoch excerpt has 20 rows: 15 with a usable training compute estimate, 2 with a real but tiny
one (ADALINE 6,600 FLOP, Perceptron Mark I), 3 without (Solar Open 100B, whose name has a newline,
and Claude Opus 4 / Claude Sonnet 4, which join as models for their announced ASL level).
The models.dev excerpt has 5 providers and 10 listings; 7 match (2 by base_model, 4 by id, 1 by
name) and 3 do not (Nova Pro, GPT-4o and DeepSeek-V4 are not in the excerpt's Epoch rows).
"""
from __future__ import annotations

import csv
import filecmp

from pathlib import Path

import pandas as pd
import pytest

from dashboard.ingest import ingest
from dashboard.public_import import import_public, normalise, word_key
from dashboard.store import snapshot

DATA = Path(__file__).resolve().parent / "data" / "public"
EPOCH = DATA / "epoch_excerpt.csv"
PROVIDERS = DATA / "models-dev" / "providers"


def run(tmp_path, epoch=EPOCH, providers=PROVIDERS, name="out"):
    out = tmp_path / name
    report = import_public(epoch, providers, out, progress=lambda _: None)
    return report, out


def read(out, table):
    return pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)


def test_report_figures(tmp_path):
    report, _ = run(tmp_path)
    assert report.rows_read == 20
    assert report.models_with_compute == 15
    assert report.announced_without_compute == 2
    assert report.skipped == {"no compute estimate": 3, "compute below 1e6 FLOP (kept in public_models only)": 2}
    assert (report.providers, report.listings_total, report.listings_matched, report.listings_unmatched) == (5, 10, 7, 3)
    assert dict(report.match_by) == {"base_model": 2, "id": 4, "name": 1}
    assert any("matched 7" in line for line in report.lines())


def test_public_models_keep_every_row_and_the_exact_compute_text(tmp_path):
    _, out = run(tmp_path)
    public = read(out, "public_models").set_index("name")
    assert len(public) == 20
    assert public.loc["Claude 3.5 Sonnet", "training_compute_flop"] == "2.700000000000001e+25"
    assert public.loc["ADALINE", "training_compute_flop"] == "6600.0"  # tiny but real: kept
    assert public.loc["Solar Open 100B", "training_compute_flop"] == ""
    assert "Solar Open 100B" in public.index  # the newline in the name is gone
    assert set(public["source"]) == {"Epoch AI, Notable AI Models (CC BY 4.0)"}


def test_models_checkpoints_lineage_and_announced_levels(tmp_path):
    _, out = run(tmp_path)
    models = read(out, "models").set_index("model_id")
    assert len(models) == 17
    assert models.loc["gpt-4-jun-2023", "parent_model_id"] == "gpt-4-mar-2023"
    assert models.loc["gpt-4-jun-2023", "derivation"] == "fine-tune"
    assert models.loc["qwen2-5-instruct-72b", "parent_model_id"] == "qwen2-5-72b"
    assert models.loc["llama-3-1-nemotron-70b-instruct", "parent_model_id"] == ""  # its base is not in the data
    assert models.loc["claude-opus-4", "asl_level"] == "3" and models.loc["claude-sonnet-4", "asl_level"] == "2"
    assert models.loc["claude-3-5-sonnet", "policy_id"] == "rsp-v1.0"  # before RSP v2.0 (2024-10-15)
    assert models.loc["claude-3-7-sonnet", "policy_id"] == "rsp-v2.0"
    assert models.loc["gemini-1-0-ultra", "policy_id"] == "fsf-v1.0" and models.loc["grok-4", "policy_id"] == "rsp-v1.0"
    checkpoints = read(out, "checkpoints").set_index("model_id")
    assert len(checkpoints) == 15 and "claude-opus-4" not in checkpoints.index
    row = checkpoints.loc["claude-3-5-sonnet"]
    assert (row["step"], row["recorded_at"]) == ("0", "2024-06-20T00:00:00")
    assert row["training_flop"] == row["effective_compute"] == "2.700000000000001e+25"  # no multiplier
    history = read(out, "asl_history").set_index("model_id")
    assert history.loc["claude-opus-4", "reason"].startswith("Anthropic, Activating ASL-3 protections")
    assert read(out, "evaluations").empty and read(out, "deployment_safeguards").empty


def test_listings_become_deployments(tmp_path):
    _, out = run(tmp_path)
    deployments = read(out, "deployments").set_index("deployment_id")
    assert len(deployments) == 7
    vertex = deployments.loc["google-vertex:claude-opus-4@20250514"]  # matched through base_model
    assert (vertex["model_id"], vertex["status"], vertex["started_at"]) == ("claude-opus-4", "ended", "2025-05-22")
    assert deployments.loc["sap-ai-core:anthropic--claude-3.7-sonnet", "model_id"] == "claude-3-7-sonnet"
    assert deployments.loc["anthropic:claude-opus-4-0", "model_id"] == "claude-opus-4"  # by name "Claude Opus 4 (latest)"
    assert deployments.loc["anthropic:claude-3-5-sonnet-20240620", "status"] == "ended"  # deprecated
    unmatched = read(out, "unmatched_listings")
    assert sorted(unmatched["listing_id"]) == ["amazon.nova-pro-v1:0", "deepseek/deepseek-v4-pro", "openai/gpt-4o"]
    customers = read(out, "customers")
    assert len(customers) == 5 and set(customers["segment"]) == {"provider"}


def test_the_output_is_accepted_by_ingest(tmp_path):
    _, out = run(tmp_path)
    result = ingest(out, tmp_path / "public.duckdb", progress=lambda _: None, dataset="public")
    assert result.row_counts["models"] == 17 and result.row_counts["deployments"] == 7
    at_risk = snapshot(tmp_path / "public.duckdb").query(
        "at_risk", model_id="claude-3-7-sonnet", asl_level=3, domain=None, as_of="2025-12-31")
    assert sorted(at_risk["customer_id"]) == ["sap-ai-core"]  # the anthropic listing is deprecated (ended)


def test_deterministic(tmp_path):
    _, first = run(tmp_path, name="a")
    _, second = run(tmp_path, name="b")
    names = sorted(path.name for path in first.iterdir())
    assert filecmp.cmpfiles(first, second, names, shallow=False)[0] == names


def variant(tmp_path, transform, name="variant.csv", encoding="utf-8"):
    frame = pd.read_csv(EPOCH, dtype=str, keep_default_na=False)
    frame = transform(frame)
    path = tmp_path / name
    text = frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize("label, transform, encoding", [
    ("bom", lambda frame: frame, "utf-8-sig"),
    ("reordered-dropped-added", lambda frame: frame[list(reversed(frame.columns))].drop(columns=["Domain", "Confidence"])
     .assign(**{"Hardware": "TPU"}), "utf-8"),
    ("checked-flags", lambda frame: frame.assign(**{"Frontier model": frame["Frontier model"].replace("True", "checked")}), "utf-8"),
    ("renamed-compute-column", lambda frame: frame.rename(columns={"Training compute (FLOP)": "Training compute (FLOPs)"}), "utf-8"),
])
def test_epoch_exports_as_they_come(tmp_path, label, transform, encoding):
    _, baseline = run(tmp_path, name="baseline")
    path = variant(tmp_path, transform, encoding=encoding)
    report, out = run(tmp_path, epoch=path, name=label)
    assert report.models_with_compute == 15
    for table in ("models", "checkpoints", "deployments"):
        assert read(out, table).equals(read(baseline, table)), table


def test_malformed_values_are_reported_skipped_and_counted(tmp_path):
    def spoil(frame):
        names = frame["Model"].str.strip()
        frame.loc[names == "Grok 4", "Training compute (FLOP)"] = "1.2e2x"
        frame.loc[names == "PaLM 2", "Training compute (FLOP)"] = "nan"
        frame.loc[names == "Claude 2", "Training compute (FLOP)"] = "-5"
        frame.loc[names == "DeepSeek-V3", "Publication date"] = "sometime"
        return frame
    report, out = run(tmp_path, epoch=variant(tmp_path, spoil))
    assert report.skipped["malformed compute"] == 3
    assert report.skipped["compute but no usable date"] == 1
    assert report.models_with_compute == 11
    assert any("Grok 4: training compute '1.2e2x' is not a usable FLOP count" in problem for problem in report.problems)
    assert any(problem.startswith("line ") for problem in report.problems)
    assert read(out, "public_models").set_index("name").loc["Grok 4", "training_compute_flop"] == ""


def test_match_keys():
    assert normalise("claude-3-5-sonnet-20240620") == normalise("Claude 3.5 Sonnet") == "claude35sonnet"
    assert normalise("anthropic.claude-3-5-sonnet-20240620-v1:0") == "claude35sonnet"
    assert normalise("meta-llama/llama-3.1-405b-instruct") == normalise("Llama 3.1-405B")
    assert normalise("Claude Opus 4 (latest)") == normalise("Claude Opus 4")
    assert word_key("Claude Sonnet 3.5") == word_key("Claude 3.5 Sonnet")
    assert normalise("GPT-4 (Mar 2023)") != normalise("GPT-4 (Jun 2023)")


def test_cli_import_public_then_ingest(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "cli"
    result = subprocess.run([sys.executable, "-m", "dashboard", "import-public", "--epoch", str(EPOCH), "--models-dev",
                             str(PROVIDERS), "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Epoch rows read: 20" in result.stderr and "matched 7" in result.stderr
    assert (out / "ATTRIBUTION.md").read_text().count("CC BY 4.0") >= 1
    missing = subprocess.run([sys.executable, "-m", "dashboard", "import-public", "--epoch", str(tmp_path / "nope.csv"),
                              "--out", str(out)], capture_output=True, text=True)
    assert missing.returncode != 0 and "no Epoch AI CSV" in missing.stderr

