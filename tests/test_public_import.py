"""import-public on excerpts of the real files (tests/data/public, attribution in its README.md).

The figures below are worked out by hand from the excerpts:

Epoch excerpt, 32 rows: 23 with a usable compute estimate (>= 1e6 FLOP); 7 without one (Solar Open
100B, Claude Opus 4.5, Claude Sonnet 4, Claude Opus 4, GPT-4o (Aug 2024), GPT-4o (May 2024),
Claude 3 Opus), of which the 4 Claude models join as models for their announced ASL level; 2 real
but tiny estimates (ADALINE 6,600 FLOP, Perceptron Mark I) stay in public_models only. 14 rows carry
the frontier flag. Base model: 5 parents linked (both DeepSeek-R1 rows -> DeepSeek-V3, Qwen2.5
Instruct (72B) -> Qwen2.5-72B, NVLM-D 72B -> Qwen2-72B (first of "Qwen2-72B,InternViT-6B"), GPT-4
(Jun 2023) -> GPT-4 (Mar 2023)); Llama-3.1-Nemotron's "Llama 3.1-70B" is not in the excerpt.

models.dev excerpt, 4 providers, 19 listings: 12 matched (8 by id, 1 by base_model, 1 by
base_model with -instruct dropped, 1 by id in another word order, 1 by name with "(latest)"
dropped), 7 unmatched (3 no Epoch model, 2 snapshot/dating, 1 Epoch row without compute, 1 link
to a missing file); 2 matched listings are deprecated (ended).
"""
from __future__ import annotations

import csv
import filecmp
import random
from pathlib import Path

import pandas as pd
import pytest

from dashboard.ingest import ingest
from dashboard.public_data.epoch import ANNOUNCED_ASL, _assign_ids, _read_epoch, parse_compute, parse_date
from dashboard.public_data.matching import _EpochIndex, match_listing
from dashboard.public_data.names import ListingSnapshot, epoch_key, listing_key, slug
from dashboard.public_data.report import ImportReport
from dashboard.public_import import import_public
from dashboard.store import snapshot
from dashboard.tables import TABLES
from clirun import run_cli

DATA = Path(__file__).resolve().parent / "data" / "public"
EPOCH = DATA / "epoch_excerpt.csv"
CHECKOUT = DATA / "models-dev"  # the checkout: providers/ and LICENSE
PROVIDERS = CHECKOUT / "providers"
QUIET = {"progress": lambda _line: None}


def run(tmp_path, epoch=EPOCH, providers=CHECKOUT, name="out"):
    out = tmp_path / name
    return import_public(epoch, providers, out, **QUIET), out


def read(out, table):
    return pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def excerpt(tmp_path_factory):
    return run(tmp_path_factory.mktemp("excerpt"))


# ----------------------------------------------------------------------------- report figures

def test_report_figures_on_the_excerpt(excerpt):
    report, out = excerpt
    assert (report.rows_read, report.public_models, report.frontier_rows) == (32, 32, 14)
    assert (report.models_with_compute, report.models_without_compute, report.models) == (23, 4, 27)
    assert report.rows_skipped == {"no compute estimate": 7, "compute below 1e6 FLOP (kept in public_models only)": 2}
    assert report.rows_read == report.models_with_compute + sum(report.rows_skipped.values())
    assert report.problems == [] and report.missing_columns == []
    assert (report.parents_linked, report.base_models_without_compute, report.base_models_not_found) == (5, 0, 1)
    assert report.asl_announcements == 7
    assert (report.providers, report.listings_total, report.listings_matched, report.listings_unmatched) == (4, 19, 12, 7)
    assert report.match_by == {"id": 8, "base_model": 1, "base_model (suffix dropped)": 1, "id (word order)": 1,
                               "name (suffix dropped)": 1}
    assert report.unmatched_reasons == {"no Epoch model with this name": 3, "snapshot date does not fit": 2,
                                        "Epoch row without usable compute": 1, "link to a missing file": 1}
    assert (report.link_files, report.inherited_from_base, report.deployments_ended) == (2, 1, 2)
    assert report.unmatched_file == out / "unmatched_listings.csv"
    assert report.row_counts == {"policies": 4, "asl_levels": 4, "safeguards": 12, "asl_required_safeguards": 12,
                                 "models": 27, "checkpoints": 23, "evaluations": 0, "customers": 4, "deployments": 12,
                                 "deployment_safeguards": 0, "asl_history": 7, "public_models": 32,
                                 "obligations": 9, "obligation_records": 0}
    lines = report.lines()
    assert "Epoch rows read: 32 (epoch_excerpt.csv); frontier-flagged: 14" in lines
    assert any("matched 12, unmatched 7" in line for line in lines)
    assert any(line.startswith("match rule: ") and "base_model, then id, then name" in line for line in lines)
    assert "effective compute = Epoch training compute: no algorithmic multiplier is applied" in lines


def test_every_table_is_written_with_its_header(excerpt):
    _, out = excerpt
    for spec in TABLES:
        with open(out / f"{spec.name}.csv", encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == list(spec.columns), spec.name
    assert read(out, "evaluations").empty and read(out, "deployment_safeguards").empty
    assert list(read(out, "unmatched_listings").columns) == ["provider", "listing_id", "name", "base_model", "reason"]


# ----------------------------------------------------------------------------- Epoch conversion

def test_public_models_keep_every_row_and_the_exact_compute_text(excerpt):
    _, out = excerpt
    public = read(out, "public_models")
    assert list(public["public_model_id"]) == sorted(public["public_model_id"])
    with open(EPOCH, encoding="utf-8", newline="") as handle:
        raw = {" ".join(row["Model"].split()): row["Training compute (FLOP)"] for row in csv.DictReader(handle)}
    by_name = public.set_index("name")
    assert set(by_name.index) == set(raw)
    for name, text in raw.items():
        assert by_name.loc[name, "training_compute_flop"] == text.strip(), name  # the same text, not float()'s
    assert by_name.loc["Claude 3.5 Sonnet", "training_compute_flop"] == "2.700000000000001e+25"
    assert by_name.loc["Grok 4", "training_compute_flop"] == "5.0000000000001e+26"
    assert by_name.loc["ADALINE", "training_compute_flop"] == "6600.0"  # tiny but real: kept here
    assert by_name.loc["Solar Open 100B", "training_compute_flop"] == ""  # its name had a newline
    assert by_name.loc["GPT-3.5 (davinci-002)", "public_model_id"] == "gpt-3-5-davinci-002"
    assert by_name.loc["NVLM-D 72B", "base_model_name"] == "Qwen2-72B,InternViT-6B"
    assert by_name.loc["Llama-3.1-Nemotron-70B-Instruct", "organization"] == "NVIDIA,Meta AI"
    assert set(public["source"]) == {"Epoch AI, Notable AI Models (CC BY 4.0)"}


def test_models_checkpoints_and_lineage(excerpt):
    _, out = excerpt
    models = read(out, "models").set_index("model_id")
    parents = {model_id: parent for model_id, parent in models["parent_model_id"].items() if parent}
    assert parents == {"deepseek-r1": "deepseek-v3", "deepseek-r1-may-2025": "deepseek-v3",
                       "qwen2-5-instruct-72b": "qwen2-5-72b", "nvlm-d-72b": "qwen2-72b",
                       "gpt-4-jun-2023": "gpt-4-mar-2023"}
    assert set(models.loc[list(parents), "derivation"]) == {"fine-tune"}
    assert (models["derivation"] == "pretrain").sum() == 27 - 5
    assert models.loc["llama-3-1-nemotron-70b-instruct", "family"] == "NVIDIA"  # the first organisation
    assert models.loc["claude-3-5-sonnet", "policy_id"] == "rsp-v1.0"  # before RSP v2.0 (2024-10-15)
    assert models.loc["claude-3-7-sonnet", "policy_id"] == "rsp-v2.0"
    assert models.loc["gemini-1-0-ultra", "policy_id"] == "fsf-v1.0" and models.loc["gpt-5", "policy_id"] == "pf-beta"
    assert models.loc["grok-4", "policy_id"] == "rsp-v1.0"  # other labs: the reference policy
    assert models.loc["llama-4-behemoth-preview", "status"] == "retired"  # Epoch: Unreleased
    assert (models["status"] == "deployed").sum() == 26
    levels = models["asl_level"].to_dict()
    assert {model_id for model_id, level in levels.items() if level == "3"} == {"claude-opus-4", "claude-opus-4-5"}
    assert "solar-open-100b" not in models.index and "adaline" not in models.index and "gpt-4o-may-2024" not in models.index
    checkpoints = read(out, "checkpoints").set_index("model_id")
    assert len(checkpoints) == 23 and "claude-opus-4" not in checkpoints.index  # no compute: no checkpoint
    row = checkpoints.loc["claude-3-5-sonnet"]
    assert (row["step"], row["recorded_at"]) == ("0", "2024-06-20T00:00:00")
    assert row["training_flop"] == row["effective_compute"] == "2.700000000000001e+25"  # no multiplier
    assert (checkpoints["training_flop"] == checkpoints["effective_compute"]).all()


def test_asl_history_holds_only_announced_levels_with_their_source(excerpt):
    _, out = excerpt
    history = read(out, "asl_history").set_index("model_id")
    assert sorted(history.index) == ["claude-2", "claude-3-5-sonnet", "claude-3-7-sonnet", "claude-3-opus",
                                     "claude-opus-4", "claude-opus-4-5", "claude-sonnet-4"]
    opus = history.loc["claude-opus-4"]
    assert (opus["asl_level"], opus["effective_from"]) == ("3", "2025-05-22")
    assert opus["reason"] == "Anthropic, Activating ASL-3 protections (May 2025): ASL-3"
    assert all(reason.startswith("Anthropic, ") for reason in history["reason"])
    models = read(out, "models").set_index("model_id")
    for model_id, level in history["asl_level"].items():
        assert models.loc[model_id, "asl_level"] == level
    assert {name for name, *_ in ANNOUNCED_ASL} >= set(models.loc[history.index, "name"])


# ----------------------------------------------------------------------------- models.dev conversion

def test_listings_become_deployments(excerpt):
    _, out = excerpt
    deployments = read(out, "deployments").set_index("deployment_id")
    assert deployments["model_id"].to_dict() == {
        "amazon-bedrock:amazon.nova-pro-v1:0": "amazon-nova-pro",  # "Amazon Nova Pro" by Amazon = "Nova Pro"
        "amazon-bedrock:openai.gpt-oss-120b-1:0": "gpt-oss-120b",
        "anthropic:claude-3-5-sonnet-20240620": "claude-3-5-sonnet",
        "anthropic:claude-3-7-sonnet-20250219": "claude-3-7-sonnet",
        "anthropic:claude-opus-4-0": "claude-opus-4",  # "Claude Opus 4 (latest)", released 2025-05-22
        "anthropic:claude-opus-4-20250514": "claude-opus-4",
        "anthropic:claude-opus-4-5": "claude-opus-4-5",
        "openrouter:anthropic/claude-opus-4.5": "claude-opus-4-5",  # base_model anthropic/claude-opus-4-5
        "openrouter:deepseek/deepseek-r1-0528": "deepseek-r1-may-2025",  # the snapshot, not January's R1
        "openrouter:meta-llama/llama-3.3-70b-instruct:free": "llama-3-3-70b",
        "openrouter:qwen/qwen-2.5-72b-instruct": "qwen2-5-instruct-72b",  # the instruct model, not its base
        "vercel:anthropic/claude-opus-4": "claude-opus-4",  # a link file to anthropic's listing
    }
    assert list(deployments.index) == sorted(deployments.index)
    assert set(deployments["surface"]) == {"api"} and set(deployments["customer_id"]) <= set(read(out, "customers")["customer_id"])
    ended = deployments[deployments["status"] == "ended"]
    assert ended[["started_at", "ended_at"]].to_dict("index") == {
        "anthropic:claude-3-5-sonnet-20240620": {"started_at": "2024-06-20", "ended_at": "2024-06-20"},
        "anthropic:claude-3-7-sonnet-20250219": {"started_at": "2025-02-19", "ended_at": "2025-02-19"}}
    assert set(deployments.drop(ended.index)["status"]) == {"active"}
    assert set(deployments.drop(ended.index)["ended_at"]) == {""}
    reserved = deployments.loc["openrouter:anthropic/claude-opus-4.5"]  # inherits anthropic's listing
    assert (reserved["started_at"], reserved["use_case"]) == ("2025-11-24", "claude-opus")
    assert set(deployments["risk_domains"]) == {""} and set(deployments["monthly_requests"]) == {""}
    customers = read(out, "customers")
    assert customers.to_dict("list") == {
        "customer_id": ["amazon-bedrock", "anthropic", "openrouter", "vercel"],
        "name": ["Amazon Bedrock", "Anthropic", "OpenRouter", "Vercel AI Gateway"],
        "segment": ["provider"] * 4, "sector": ["ai-platform"] * 4, "region": [""] * 4,
        "business_critical": ["false"] * 4}


def test_unmatched_listings_say_why(excerpt):
    _, out = excerpt
    unmatched = read(out, "unmatched_listings")
    reasons = {f"{row.provider}:{row.listing_id}": row.reason for row in unmatched.itertuples()}
    assert list(reasons) == sorted(reasons)
    assert reasons == {
        "amazon-bedrock:global.anthropic.claude-opus-4-6-v1": "no Epoch model with this name",
        "anthropic:claude-3-5-sonnet-20241022":
            "snapshot date does not fit: snapshot 2024-10-22 is not Epoch's Claude 3.5 Sonnet (2024-06-20)",
        "anthropic:claude-sonnet-4-6": "no Epoch model with this name",
        "openrouter:deepseek/deepseek-r1-distill-llama-70b": "no Epoch model with this name",
        "openrouter:openai/gpt-4o": "snapshot date does not fit: the listing has no snapshot date and Epoch has "
                                    "only dated versions: GPT-4o (Aug 2024) (2024-08-06); GPT-4o (May 2024) (2024-05-13)",
        "openrouter:openai/gpt-4o-2024-08-06":
            "Epoch row without usable compute: GPT-4o (Aug 2024) (Epoch line 20) is not a model",
        "vercel:openai/gpt-4o": "link to a missing file: ../../../openai/models/gpt-4o.toml",
    }


# ----------------------------------------------------------------------------- the match rule

@pytest.fixture(scope="module")
def index():
    rows = _read_epoch(EPOCH, ImportReport())
    _assign_ids(rows)
    return _EpochIndex.build(rows)


def matched(index, listing_id, **fields):
    row, rule = match_listing(listing_id, fields, index)
    return (row.name if row else None), rule


def test_match_keys():
    assert listing_key("claude-3-5-sonnet-20240620") == epoch_key("Claude 3.5 Sonnet") == "claude3.5sonnet"
    assert listing_key("us.anthropic.claude-3-5-sonnet-20240620-v1:0") == "claude3.5sonnet"
    assert listing_key("openrouter/meta-llama/llama-3.1-405b-instruct", loose=True) == epoch_key("Llama 3.1-405B")
    assert listing_key("Anthropic: Claude Opus 4") == listing_key("anthropic--claude-opus-4") == "claudeopus4"
    assert listing_key("claude-opus-4@20250514") == "claudeopus4"
    assert epoch_key("GPT-4o (Aug 2024)") == "gpt4o"  # the qualifier is set aside, not lost (see below)
    assert epoch_key("Qwen2.5-7B") != epoch_key("Qwen2-57B")  # digit runs keep their boundary
    assert listing_key("qwen2.5-72b-instruct") != epoch_key("Qwen2.5-72B")  # -instruct only dropped when relaxed
    assert listing_key("qwen2.5-72b-instruct", loose=True) == epoch_key("Qwen2.5-72B")
    assert listing_key("deepseek-v3") == "deepseekv3"  # a -v3 that is part of the name stays


def test_snapshot_dates():
    assert ListingSnapshot(2024, 10, 22).fits([parse_date_obj("2024-10-01")])
    assert not ListingSnapshot(2024, 10, 22).fits([parse_date_obj("2024-06-20")])
    assert ListingSnapshot(None, 5, 28).fits([parse_date_obj("2025-05-15")])  # -0528, year unknown
    assert ListingSnapshot(2025, 7, None).fits([parse_date_obj("2025-07-25")])  # -2507
    assert not ListingSnapshot(2025, 7, None).fits([])


def parse_date_obj(text):
    import datetime as dt
    return dt.date.fromisoformat(text)


def test_match_rule_on_the_excerpt(index):
    assert matched(index, "claude-3-5-sonnet-20240620") == ("Claude 3.5 Sonnet", "id")
    assert matched(index, "claude-3-5-sonnet-20241022")[0] is None  # the October model is another one
    assert matched(index, "x", name="Claude Sonnet 3.5 v2")[0] is None
    assert matched(index, "gpt-4-0613") == ("GPT-4 (Jun 2023)", "id")  # by its month qualifier
    assert matched(index, "gpt-4-0314") == ("GPT-4 (Mar 2023)", "id")
    assert matched(index, "gpt-4")[1].startswith("snapshot date does not fit: the listing has no snapshot date")
    assert matched(index, "deepseek-r1") == ("DeepSeek-R1", "id")
    assert matched(index, "deepseek/deepseek-r1-0528") == ("DeepSeek-R1 (May 2025)", "id")
    assert matched(index, "mystery", base_model="deepseek/deepseek-r1") == ("DeepSeek-R1", "base_model")
    # base_model first: a re-serve named after the provider's own id still lands on the base model
    assert matched(index, "my-opus", base_model="anthropic/claude-opus-4-20250514", name="House model") == (
        "Claude Opus 4", "base_model")
    assert matched(index, "x", name="Claude 3.7 Sonnet") == ("Claude 3.7 Sonnet", "name")
    assert matched(index, "x", name="Claude Sonnet 3.7") == ("Claude 3.7 Sonnet", "name (word order)")
    # a moving alias fits only when it was released with the Epoch model; without a date, never
    assert matched(index, "claude-opus-4-latest", release_date="2025-05-22") == ("Claude Opus 4", "id (suffix dropped)")
    assert matched(index, "claude-opus-4-latest", release_date="2025-11-01")[0] is None
    assert matched(index, "claude-opus-4-latest")[1].startswith("a moving alias")
    # a distillation is not the model it was distilled from, whatever base_model says
    assert matched(index, "deepseek-r1-distill-qwen-32b", base_model="deepseek/deepseek-r1")[1].startswith(
        "a distillation")
    assert matched(index, "llama-3.3-70b-instruct-fp8") == ("Llama 3.3 70B", "id (suffix dropped)")
    assert matched(index, "gemini-2.5-pro") == (None, "no Epoch model with this name")


def test_a_key_that_fits_two_rows_matches_none(tmp_path):
    epoch = tmp_path / "twins.csv"
    epoch.write_text("Model,Organization,Publication date,Training compute (FLOP)\n"
                     "Twin-7B,Lab A,2024-01-01,1e24\nTwin 7B,Lab B,2024-02-01,2e24\n", encoding="utf-8")
    rows = _read_epoch(epoch, ImportReport())
    _assign_ids(rows)
    name, reason = match_listing("twin-7b", {}, _EpochIndex.build(rows))
    assert name is None and reason == "ambiguous: fits 2 Epoch rows: Twin 7B; Twin-7B"
    assert sorted(row.public_id for row in rows) == ["twin-7b", "twin-7b-2"]


# ----------------------------------------------------------------------------- Epoch exports as they come

@pytest.mark.parametrize("variant", ["epoch_bom.csv", "epoch_reordered.csv", "epoch_checked.csv"])
def test_epoch_exports_as_they_come(tmp_path, excerpt, variant):
    baseline_report, baseline = excerpt
    report, out = run(tmp_path, epoch=DATA / variant)
    for table in ("public_models", "models", "checkpoints", "deployments", "asl_history", "unmatched_listings"):
        assert (out / f"{table}.csv").read_bytes() == (baseline / f"{table}.csv").read_bytes(), table
    assert (report.rows_read, report.frontier_rows, report.models_with_compute) == (32, 14, 23)
    assert report.rows_skipped == baseline_report.rows_skipped and report.problems == []


def test_a_renamed_column_is_found_by_its_alias(tmp_path):
    report, _ = run(tmp_path, epoch=DATA / "epoch_reordered.csv")
    assert report.missing_columns == []  # Training compute (FLOPs), Publication Date: aliases


def test_malformed_values_are_reported_with_their_line_skipped_and_counted(tmp_path):
    report, out = run(tmp_path, epoch=DATA / "epoch_malformed.csv")
    assert report.rows_read == 35 and report.public_models == 34  # 32 + a duplicate + a nameless + a short row
    assert report.rows_skipped == {"no compute estimate": 8, "compute not a number": 1,
                                   "compute not finite (NaN or infinity)": 3, "compute not above zero": 2,
                                   "compute but no usable publication date": 1, "no model name": 1,
                                   "compute below 1e6 FLOP (kept in public_models only)": 2}
    assert report.models_with_compute == 17 and report.models_without_compute == 5  # Claude 2 (-5) joins for ASL
    assert report.rows_read == report.models_with_compute + sum(report.rows_skipped.values())
    assert report.problems == [  # Epoch lines as a text editor counts them (the blank line 6 included)
        "line 8: Grok 4: training compute '1.2e2x': compute not a number",
        "line 15: DeepSeek-V3: publication date 'sometime' is not an ISO date",
        "line 16: Llama 3.3 70B: training compute '0': compute not above zero",
        "line 17: Amazon Nova Pro: training compute '1e999': compute not finite (NaN or infinity)",
        "line 22: Mistral Large 2: training compute 'inf': compute not finite (NaN or infinity)",
        "line 29: Gemini 1.0 Ultra: training compute 'nan': compute not finite (NaN or infinity)",
        "line 30: Claude 2: training compute '-5': compute not above zero",
        "line 38: no model name (row left out)",
    ]
    assert any(line == "  line 8: Grok 4: training compute '1.2e2x': compute not a number" for line in report.lines())
    public = read(out, "public_models").set_index("public_model_id")
    assert public.loc["grok-4", "training_compute_flop"] == "" and public.loc["deepseek-v3", "published_on"] == ""
    # The same name twice: ordered by publication date, the later one gets -2.
    assert public.loc[["qwen2-72b", "qwen2-72b-2"], "published_on"].tolist() == ["2024-06-07", "2024-09-01"]
    models = read(out, "models").set_index("model_id")
    assert models.loc["nvlm-d-72b", "parent_model_id"] == ""  # "Qwen2-72B" now names two rows
    assert models.loc["deepseek-r1", "parent_model_id"] == ""  # DeepSeek-V3 lost its date: not a model
    assert "claude-2" in models.index and "claude-2" not in read(out, "checkpoints")["model_id"].tolist()
    assert (report.parents_linked, report.base_models_without_compute, report.base_models_not_found) == (2, 2, 2)


def test_compute_and_date_parsing():
    assert parse_compute("3.35e+25") == (3.35e25, None) and parse_compute("6600.0") == (6600.0, None)
    assert parse_compute("") == (None, "no compute estimate")
    for text in ("1.2e2x", "+1e25", "1_000", "1,000", "\u0661\u0662", "0x10", "e25", "1e25 FLOP"):
        assert parse_compute(text) == (None, "compute not a number"), text
    for text in ("nan", "NaN", "inf", "-inf", "Infinity", "1e999"):
        assert parse_compute(text) == (None, "compute not finite (NaN or infinity)"), text
    for text in ("0", "-5", "0.0", "-1e25"):
        assert parse_compute(text) == (None, "compute not above zero"), text
    assert parse_date("2025-05-22") == "2025-05-22" and parse_date("2025-05-22 00:00:00") == "2025-05-22"
    assert parse_date("2025-05") == "2025-05-01" and parse_date(" 2025/5/2 ") == "2025-05-02"
    for text in ("sometime", "2025-02-30", "2025", "22/05/2025", "", None, "20250522x"):
        assert parse_date(text) is None, text


def test_weird_exports_never_crash(tmp_path):
    header = "Model,Organization,Publication date,Training compute (FLOP),Base model\n"
    body = ('"Spaced\n  Out\tModel ",Lab,2024-01-01,1e24,\n'
            "Nul\x00Model,Lab,2024-01-02,2e24,\n"
            "Ünïcödé Σ-Model,Lab,2024-01-03,3e24,\n"
            '"Huge",Lab,2024-01-04,4e24,"' + "x" * 300_000 + '"\n'
            "Extra,Lab,2024-01-05,5e24,,unexpected,cells\n"
            "Loop A,Lab,2024-01-06,6e24,Loop B\nLoop B,Lab,2024-01-07,7e24,Loop A\n"
            "Self,Lab,2024-01-08,8e24,Self\nAaa,Lab,2024-01-09,9e24,Loop A\n")
    (tmp_path / "utf16.csv").write_text(header + body, encoding="utf-16")
    (tmp_path / "latin1.csv").write_bytes((header + "Caf\xe9 model,Lab,2024-01-01,1e24,\n").encode("latin-1"))
    report, out = run(tmp_path, epoch=tmp_path / "utf16.csv", providers=None, name="utf16")
    models = read(out, "models").set_index("model_id")
    assert report.models_with_compute == 9
    assert models.loc["spaced-out-model", "name"] == "Spaced Out Model"
    assert "nulmodel" in models.index and models.loc["unicode-model", "name"] == "Ünïcödé Σ-Model"
    loop = models.loc[["loop-a", "loop-b"], "parent_model_id"].tolist()
    assert loop.count("") == 1  # the base-model loop is cut where it closes,
    assert models.loc["aaa", "parent_model_id"] == "loop-a"  # not on the way into it
    assert models.loc["self", "parent_model_id"] == ""
    result = ingest(out, tmp_path / "weird.duckdb", progress=lambda _: None)
    assert result.row_counts["models"] == 9
    report, out = run(tmp_path, epoch=tmp_path / "latin1.csv", providers=None, name="latin1")
    assert report.models_with_compute == 1 and read(out, "models")["name"].tolist() == ["Caf\ufffd model"]


@pytest.mark.parametrize("text, message", [
    ("", "empty file"),
    ("\n\n", "empty file"),
    ("Name,Compute\nA,1e24\n", "no 'Model' / 'System' / 'Model name' column"),
    ("Model,Organization\nA,Lab\n", "no 'Training compute (FLOP)'"),
])
def test_an_export_without_the_needed_columns_is_refused_clearly(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_public(path, None, tmp_path / "out", **QUIET)


def test_a_header_only_export_gives_empty_tables(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("\ufeffModel,Training compute (FLOP)\n", encoding="utf-8")
    report, out = run(tmp_path, epoch=path, providers=None)
    assert report.rows_read == 0 and report.missing_columns  # organisation, date ... reported
    assert read(out, "models").empty and read(out, "public_models").empty
    assert ingest(out, tmp_path / "empty.duckdb", progress=lambda _: None).row_counts["models"] == 0


def test_models_dev_quirks_never_crash(tmp_path):
    root = tmp_path / "providers"
    (root / "lab" / "models" / "sub").mkdir(parents=True)
    (root / "lab" / "provider.toml").write_text('name = "The Lab"\n')
    (root / "noname" / "models").mkdir(parents=True)
    (root / "noname" / "provider.toml").write_text("this is = not [toml\n")
    (root / "bare").mkdir()
    models = root / "lab" / "models"
    (models / "claude-3-7-sonnet.toml").write_text('name = 42\nrelease_date = 2025-03-01\nstatus = "deprecated"\n'
                                                   'last_updated = 2025-02-01\n')  # TOML dates; updated < released
    (models / "sub" / "claude-2.toml").write_text('name = "Claude 2"\n')  # no dates at all
    (models / "broken.toml").write_text('name = "unterminated\n')
    (models / "loop.toml").write_text("loop.toml")  # a link file to itself
    (models / "escape.toml").write_text("../../../../etc/passwd.toml")
    (models / "outside.toml").write_text('base_model = "../../../etc/x"\nname = "GPT-5"\nrelease_date = "2025-08"\n')
    (models / "omit.toml").write_text('base_model = "lab/sub/claude-2"\nbase_model_omit = "name"\n')
    (models / "odd-status.toml").write_text('name = "Grok 4"\nstatus = ["beta"]\nfamily = 7\n')
    report, out = run(tmp_path, providers=root, name="quirks")
    deployments = read(out, "deployments").set_index("deployment_id")
    assert deployments.loc["lab:claude-3-7-sonnet", ["status", "started_at", "ended_at"]].tolist() == [
        "ended", "2025-03-01", "2025-03-01"]  # never ended before it started
    assert report.ended_before_start == 1
    assert deployments.loc["lab:sub/claude-2", "started_at"] == "2023-07-11"  # Epoch's publication date
    assert deployments.loc["lab:outside", ["model_id", "started_at"]].tolist() == ["gpt-5", "2025-08-01"]
    assert deployments.loc["lab:omit", "model_id"] == "claude-2"
    assert deployments.loc["lab:odd-status", ["status", "use_case"]].tolist() == ["active", ""]
    unmatched = read(out, "unmatched_listings").set_index("listing_id")["reason"]
    assert unmatched["broken"].startswith("unreadable TOML")
    assert unmatched["loop"] == "link loop" and unmatched["escape"].startswith("link to a missing file")
    customers = read(out, "customers").set_index("customer_id")["name"].to_dict()
    assert customers == {"bare": "bare", "lab": "The Lab", "noname": "noname"}
    assert ingest(out, tmp_path / "quirks.duckdb", progress=lambda _: None).row_counts["deployments"] == 5


# ----------------------------------------------------------------------------- output as a whole

def test_the_output_is_accepted_by_ingest(tmp_path, excerpt):
    _, out = excerpt
    result = ingest(out, tmp_path / "public.duckdb", progress=lambda _: None, dataset="public")
    assert result.row_counts["models"] == 27 and result.row_counts["deployments"] == 12
    at_risk = snapshot(tmp_path / "public.duckdb").query(
        "at_risk", model_id="claude-opus-4", asl_level=4, domain=None, as_of="2025-12-31")
    assert sorted(at_risk["deployment_id"]) == ["anthropic:claude-opus-4-0", "anthropic:claude-opus-4-20250514",
                                                "vercel:anthropic/claude-opus-4"]
    malformed, _ = run(tmp_path, epoch=DATA / "epoch_malformed.csv", name="malformed")
    assert ingest(tmp_path / "malformed", tmp_path / "m.duckdb", progress=lambda _: None).row_counts["models"] == 22


def test_attribution(excerpt):
    _, out = excerpt
    text = (out / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needed in ("CC BY 4.0", "Data: Epoch AI (epochai.org)", "https://epochai.org/data/notable-ai-models",
                   "https://models.dev", "MIT", "Permission is hereby granted, free of charge",
                   "no algorithmic multiplier is applied", "not public", "unmatched_listings.csv"):
        assert needed in text, needed
    assert (CHECKOUT / "LICENSE").read_text(encoding="utf-8").strip() in text
    assert str(out) not in text  # no machine paths: the file is committed


def test_without_models_dev(tmp_path):
    report, out = run(tmp_path, providers=None)
    assert report.listings_total == 0 and read(out, "customers").empty and read(out, "deployments").empty
    assert read(out, "unmatched_listings").empty
    models = read(out, "models").set_index("model_id")
    assert models.loc["grok-4", "status"] == "deployed" and len(models) == 27
    assert "models.dev" not in (out / "ATTRIBUTION.md").read_text(encoding="utf-8")


def test_deterministic_and_independent_of_row_order(tmp_path):
    _, first = run(tmp_path, name="a")
    _, second = run(tmp_path, name="b")
    names = sorted(path.name for path in first.iterdir())
    assert filecmp.cmpfiles(first, second, names, shallow=False)[0] == names
    with open(DATA / "epoch_malformed.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    shuffled = rows[1:]
    random.Random(7).shuffle(shuffled)
    for name, body in (("m1", rows[1:]), ("m2", shuffled)):
        with open(tmp_path / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([rows[0]] + body)
        run(tmp_path, epoch=tmp_path / f"{name}.csv", name=name)
    for table in TABLES:
        assert filecmp.cmp(tmp_path / "m1" / f"{table.name}.csv", tmp_path / "m2" / f"{table.name}.csv",
                           shallow=False), table.name


def test_slugs():
    assert slug("GPT-4 (Mar 2023)") == "gpt-4-mar-2023" and slug("DALL·E 3") == "dall-e-3"
    assert slug("NÜWA") == "nuwa" and slug("ResNeXt-101 (64×4d)") == "resnext-101-64-4d"
    assert slug("PointNet++") == "pointnet-plus-plus" and listing_key("command-r-plus") == epoch_key("Command R+")
    assert slug("  ") == "model" and slug("λ") == "model"


def test_cli_import_public_then_ingest(tmp_path):
    out = tmp_path / "cli"
    result = run_cli("import-public", "--epoch", EPOCH, "--models-dev", PROVIDERS, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Epoch rows read: 32" in result.stderr and "matched 12, unmatched 7" in result.stderr
    assert (out / "ATTRIBUTION.md").read_text(encoding="utf-8").count("CC BY 4.0") >= 1
    missing = run_cli("import-public", "--epoch", tmp_path / "nope.csv", "--out", out)
    assert missing.returncode != 0 and "no Epoch AI CSV" in missing.stderr
