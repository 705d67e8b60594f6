"""Convert public sources into an input folder (DESIGN section 3): Epoch AI's "Notable AI Models"
(CC BY 4.0, "Data: Epoch AI (epochai.org)") and the models.dev provider catalogue (MIT).

    import_public(epoch_csv, models_dev_dir, out_dir, progress=print) -> ImportReport

What becomes what
-----------------
- public_models.csv: every Epoch row that has a model name, sorted by id. public_model_id is a slug
  of the name (ASCII, lowercase, runs of other characters -> "-"); names that give the same slug are
  told apart deterministically (ordered by publication date, organisation, compute text, line: the
  first keeps the bare slug, the others get -2, -3, ...). The name is folded (surrounding whitespace
  and newlines trimmed, inner runs of whitespace and newlines -> one space). training_compute_flop is
  Epoch's text exactly (trimmed, never reformatted through float); empty when Epoch gives none or
  gives something that is not a usable FLOP count (those are reported with their Epoch line).
- models.csv: every Epoch row with a usable training compute estimate (a plain decimal number,
  finite, > 0 and >= 1e6 FLOP: smaller real estimates such as ADALINE's 6,600 FLOP stay in
  public_models only, since the ingest reads effective compute below 1e6 as a log10 unit mistake) and
  a usable publication date; plus the few models with a publicly announced ASL classification whose
  compute Epoch does not estimate (Claude Opus 4 ...): they get no checkpoint, but the
  reclassification view needs them, and their provider listings need a model to land on.
  model_id = public_model_id.
  * family: the first organisation Epoch names ("NVIDIA,Meta AI" -> NVIDIA), else "unknown".
  * parent_model_id: through `Base model`, where that base model is itself a model here: the whole
    text, then each comma-separated name in order (Epoch writes "Qwen2-72B,InternViT-6B" for a model
    built on both; the first present one is the parent), matched by folded name, then by the
    normalised key below; a name that fits two Epoch rows gives no parent. derivation fine-tune with
    a parent, pretrain without. A base-model loop (none in the real data) is cut where it closes.
  * asl_level: 2, except where the lab announced otherwise (ANNOUNCED_ASL, each with its public
    source; those also go to asl_history.csv).
  * policy_id (a choice: public data says nothing about which policy tracks which model): Anthropic
    models rsp-v1.0, or rsp-v2.0 when published on or after RSP v2.0 (2024-10-15); Google / Google
    DeepMind / DeepMind fsf-v1.0; OpenAI pf-beta; every other lab rsp-v1.0 as a reference policy
    (those labs publish their own, with other numbers).
  * status: deployed when Epoch records API access, hosted access or open weights, or when a
    models.dev listing of it is active; retired otherwise (unreleased or unknown: not served).
- checkpoints.csv: one per model with compute: step 0, recorded_at = publication date T00:00:00,
  training_flop = effective_compute = Epoch's compute text. NO algorithmic multiplier is applied:
  effective compute here is raw training compute (ATTRIBUTION.md says so; the pages show it).
- customers.csv: one per models.dev provider folder: customer_id = folder name, name from
  provider.toml, segment provider, sector ai-platform, region empty, business_critical false.
- deployments.csv: each provider listing (providers/<p>/models/**/<id>.toml, ids may contain "/")
  matched to a model: deployment_id "<provider>:<listing id>", surface api, use_case = the
  listing's family, risk_domains and monthly_requests empty; status ended when the listing's
  status is deprecated (ended_at = last_updated, else release_date, never before started_at), else
  active (alpha and beta listings serve traffic: active); started_at = release_date, else
  last_updated, else the model's publication date ("2025-06" reads as 2025-06-01).
  A listing file whose whole content is a relative path to another .toml (a git symlink stored as
  text) is read from that file (inside the providers folder only). A listing with `base_model =
  "<provider>/<id>"` inherits that listing's fields (except those in `base_model_omit`), as
  models.dev itself does: its own fields win.
- policies.csv: the four policies of DESIGN section 1; asl_levels.csv (1..4), safeguards.csv and
  asl_required_safeguards.csv: generic reference tables (shared with the synthetic lab), not any
  lab's published data. fsf-v1.0's buffer (6x) equals its evaluation multiple (6x), which the input
  rule "buffer_multiple empty or > eval_compute_multiple" forbids: its buffer is left empty (a
  buffer equal to the cadence gives no margin).
- evaluations.csv and deployment_safeguards.csv: header only. Evaluations and per-deployment
  safeguards are not public; nothing is invented.
- unmatched_listings.csv (provider, listing_id, name, base_model, reason) and ATTRIBUTION.md.

The match rule (listing -> Epoch row), conservative: a wrong match is worse than none
--------------------------------------------------------------------------------------
1. Listing strings (its `base_model`, its id, its `name`) are folded to ASCII lowercase; a vendor
   prefix is dropped: path parts ("openrouter/anthropic/"), a Bedrock-style dotted prefix
   ("us.anthropic."), a name prefix ("Anthropic: "), SAP's "anthropic--", and a lab's name
   ("meta-", "Amazon ", "xAI ", ...: a fixed list) before the model's; then trailing tags: an API
   version (-v1:0, -1:0, @001, :free) and a snapshot date (-20240620, -2024-06-20, @20250514, "(20251001)",
   -0528 (month-day), -2507 (year-month)).
2. Key: the letter runs and digit runs of what is left, joined, with "." between two digit runs
   ("Claude 3.5 Sonnet", "claude-3-5-sonnet" -> claude3.5sonnet; "Qwen2.5-7B" -> qwen2.5.7b stays
   apart from "Qwen2-57B" -> qwen2.57b). Epoch names get the same key, after their month qualifier
   ("GPT-4o (Aug 2024)") is set aside; a name that starts with its one-word organisation is
   also known without it ("Amazon Nova Pro" by Amazon = "Nova Pro").
3. A listing with a snapshot date only fits an Epoch row whose month qualifier (the 15th of that
   month), or else publication date, is within 31 days of it (so claude-3-5-sonnet-20241022, the
   October model, does not land on Epoch's June "Claude 3.5 Sonnet", gpt-4-0613 lands on "GPT-4
   (Jun 2023)" and
   deepseek-r1-0528 on "DeepSeek-R1 (May 2025)"). A moving alias (a listing whose id or name says
   latest, preview, exp or experimental) carries its release_date as its snapshot date (no
   release_date: no match), because "mistral-large-latest" or "qwq-32b-preview" is not what Epoch
   measured under that name unless it was released then. A listing without a snapshot date only
   fits an Epoch name without a month qualifier (plain "gpt-4o" fits none of Epoch's dated GPT-4o
   rows).
4. Tried in order, the first step that fits exactly one Epoch row decides: the key of base_model,
   of the id, of the name; the same three as words in any order ("Claude 4.5 Haiku" = "Claude
   Haiku 4.5", "Qwen2.5 72B Instruct" = "Qwen2.5 Instruct (72B)"); then those six again with a
   trailing -instruct, -chat, -it, -hf, -latest, -preview, -exp, -free or a quantisation
   (-fp4/-fp8/-fp16/-bf16/-int4/-int8/-awq) dropped from both sides. A step that fits two or more
   rows decides nothing. When Epoch has the listing's exact key but rule 3 set those rows aside,
   the relaxed steps are not tried (they would find another version).
5. The listing stays unmatched when the row found is not a model (Epoch has no usable compute
   estimate for it), or when the listing is a distillation ("distill" in its id or name) and the
   row found is not (models.dev gives one such listing base_model deepseek/deepseek-r1).

Reading an Epoch export as it comes
-----------------------------------
Columns are looked up by name, case and spacing ignored, with aliases (COLUMN_ALIASES: "Training
compute (FLOP)" / "(FLOPs)", "Publication date" / "Publication Date", ...); only the model and
compute columns are required, a missing optional one is reported. A UTF-8 byte-order mark, UTF-16,
CRLF line ends, NUL bytes, quoted fields with newlines, huge fields, short or long rows and blank
lines are taken as they come; bytes that are not UTF-8 become U+FFFD. The frontier flag (True,
checked, yes, 1, x, a tick) is counted in the report (no input column takes it). Malformed compute
(1.2e2x, +1e25, 1_000), NaN, infinity, zero, negative, unparseable and future dates are reported with their
Epoch line (the header is line 1, as a text editor counts), counted by reason and skipped as models;
rows_read = models_with_compute + sum(rows_skipped). Output is sorted and byte-for-byte the same for
the same input, whatever the order of the Epoch rows.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from dashboard.obligations import BUNDLED_OBLIGATIONS
from dashboard.reference import LEVELS, POLICIES, SAFEGUARDS
from dashboard.tables import TABLES, TABLES_BY_NAME
from dashboard.public_data.epoch import EPOCH_URL, SOURCE, _assign_ids, _build_models, _read_epoch
from dashboard.public_data.models_dev import (MODELS_DEV_URL, UNMATCHED_COLUMNS, _licence_text, _models_dev_root,
                                              _providers)
from dashboard.public_data.report import ImportReport
from dashboard.public_data.names import MATCH_RULE


def _write_csv(path: Path, columns, rows) -> int:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([str(row.get(column, "")) for column in columns] if isinstance(row, dict) else row)
    _replace_file(path, buffer.getvalue())
    return len(rows)


def _replace_file(path: Path, text: str) -> None:
    """Write a new regular file at path through a temporary file and os.replace: a symbolic link
    already at path is replaced itself, never followed (it could point at a file elsewhere)."""
    if path.is_dir() and not path.is_symlink():
        raise ValueError(f"{path} is a folder: cannot write the output file there")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def import_public(epoch_csv: Path, models_dev_dir: Path | None, out_dir: Path, progress=print) -> ImportReport:
    """Convert an Epoch AI CSV export (and a models.dev providers folder) into an input folder."""
    report = ImportReport(epoch_file=Path(epoch_csv).name)
    out_dir = Path(out_dir)
    progress(f"reading Epoch AI export {epoch_csv} ...")
    rows = _read_epoch(Path(epoch_csv), report)
    _assign_ids(rows)
    report.public_models = len(rows)
    models, checkpoints, history = _build_models(rows, report)

    customers, deployments, unmatched = [], [], []
    if models_dev_dir is not None:
        root = _models_dev_root(Path(models_dev_dir))
        progress(f"reading models.dev providers in {root} ...")
        customers, deployments, unmatched = _providers(root, rows, models, report)

    out_dir.mkdir(parents=True, exist_ok=True)
    report.unmatched_file = out_dir / "unmatched_listings.csv"
    public_rows = [{"public_model_id": row.public_id, "name": row.name, "organization": row.organization,
                    "published_on": row.published, "training_compute_flop": row.compute_text,
                    "base_model_name": row.base_model, "accessibility": row.accessibility, "source": SOURCE}
                   for row in sorted(rows, key=lambda r: r.public_id)]
    tables = {
        # DESIGN section 1's four policies (shared with the synthetic lab). fsf-v1.0 evaluates every 6x
        # with a 6x buffer; the input rule "buffer_multiple empty or > eval_compute_multiple" forbids a
        # buffer equal to the cadence (it gives no margin), so its buffer is empty there.
        "policies": [dict(zip(TABLES_BY_NAME["policies"].columns, policy)) for policy in POLICIES],
        "asl_levels": [{"asl_level": str(level), "name": name, "description": description}
                       for level, name, description in LEVELS],
        "safeguards": [{"safeguard_id": sid, "name": name, "kind": kind,
                        "description": f"generic reference safeguard introduced at ASL-{level}, not a lab's published list"}
                       for sid, name, kind, level in SAFEGUARDS],
        "asl_required_safeguards": [{"asl_level": str(level), "safeguard_id": sid} for sid, _n, _k, level in SAFEGUARDS],
        "models": [models[model_id] for model_id in sorted(models)],
        "checkpoints": checkpoints,
        "evaluations": [],
        "customers": customers,
        "deployments": deployments,
        "deployment_safeguards": [],
        "asl_history": sorted(history, key=lambda h: (h["model_id"], h["effective_from"])),
        "public_models": public_rows,
        # DESIGN section 9's two bundled regulatory clocks; no records: what a lab filed is not public.
        "obligations": [dict(row) for row in BUNDLED_OBLIGATIONS],
        "obligation_records": [],
    }
    for spec in TABLES:
        report.row_counts[spec.name] = _write_csv(out_dir / f"{spec.name}.csv", spec.columns, tables[spec.name])
        if (out_dir / f"{spec.name}.parquet").exists():
            progress(f"warning: {out_dir / (spec.name + '.parquet')} is left from before; the ingest refuses a "
                     f"folder with both {spec.name}.csv and {spec.name}.parquet: remove it")
    _write_csv(report.unmatched_file, UNMATCHED_COLUMNS, unmatched)
    _replace_file(out_dir / "ATTRIBUTION.md", _attribution(report, _licence_text(
        Path(models_dev_dir) if models_dev_dir is not None else None), models_dev_dir is not None))
    for line in report.lines():
        progress(line)
    return report


def _attribution(report: ImportReport, licence: str | None, with_models_dev: bool) -> str:
    text = [
        "# Public data: sources, licences and caveats",
        "",
        "## Sources",
        "",
        f"- Epoch AI, \"Notable AI Models\", {EPOCH_URL}. Licence: CC BY 4.0",
        "  (https://creativecommons.org/licenses/by/4.0/). **Data: Epoch AI (epochai.org).**",
        "  Factual columns only (name, organisation, publication date, training compute, base model,",
        "  accessibility); no prose columns. Converted from the export "
        f"`{report.epoch_file}`: names folded, compute kept as Epoch writes it.",
    ]
    if with_models_dev:
        text += [f"- models.dev, the provider catalogue, {MODELS_DEV_URL} (repository anomalyco/models.dev).",
                 "  Licence: MIT (text below). Providers become customers; provider listings matched to a",
                 "  model become deployments (who serves the model, not how much traffic: monthly_requests empty)."]
    text += [
        "",
        "## Notes",
        "",
        "- Effective compute = Epoch's training compute estimate: no algorithmic multiplier is applied.",
        "  A model's compute multiple between evaluations is therefore a multiple of raw training FLOP.",
        "- One checkpoint per model, at its publication date: public data has no training trajectory.",
        "- Evaluations and per-deployment safeguards are not public: those tables are empty, not invented.",
        "- Obligations: the EU AI Act Art. 52(1) notification (1e25 training FLOP) and California SB 53's",
        "  transparency report (1e26), as DESIGN section 9 bundles them; no obligation records (not public).",
        "- ASL levels: 2 unless the lab announced otherwise; the announcements are in asl_history with",
        "  their source. Models of other labs are shown against Anthropic's ASL scale for reference only.",
        "- Policies: Anthropic models rsp-v1.0 (rsp-v2.0 from 2024-10-15), Google DeepMind fsf-v1.0,",
        "  OpenAI pf-beta, other labs rsp-v1.0 as a reference policy. Policies, ASL levels and safeguards",
        "  are generic reference tables, not any lab's internal data. fsf-v1.0's buffer is left empty: its",
        "  6x buffer equals its 6x evaluation multiple, and the input rule wants a buffer above the multiple.",
        f"- Listing match rule: {MATCH_RULE}. Unmatched listings are in unmatched_listings.csv.",
        "",
        "## This import",
        "",
        f"- Epoch rows: {report.rows_read:,}; models with compute: {report.models_with_compute:,}; "
        f"added without compute for a public ASL classification: {report.models_without_compute:,}.",
    ]
    if with_models_dev:
        text.append(f"- models.dev providers: {report.providers:,}; listings: {report.listings_total:,}; "
                    f"matched: {report.listings_matched:,}; unmatched: {report.listings_unmatched:,}.")
    text.append("")
    if with_models_dev:
        text += ["## models.dev licence", "", "```", licence or "MIT licence (the LICENSE file was not found "
                 "next to the providers folder; see https://github.com/anomalyco/models.dev).", "```", ""]
    return "\n".join(text)
