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

What ingest would refuse is not written
---------------------------------------
- The export is read as it streams, a chunk at a time, with ingest's own limits (csvscan's
  MAX_FIELD_BYTES for a field as the output file holds it, MAX_RECORD_BYTES for a row): a row over
  them is left out and reported with its line and size, never with its value; memory stays a small
  multiple of the row limit whatever the file holds (a 300 MB export with ten 30 MB rows: 168 MB).
  A value quoted in a report line is cut to its first 80 characters. Each table is scanned with
  ingest's scan_csv before the folder is swapped in.
- In the models.dev folder only regular files inside the folder given are read (ingest's rule for
  an input folder): a provider folder, provider.toml, listing or LICENSE that is a link leading out
  of it, a FIFO or a device is skipped and reported; LICENSE is read from the folder given only (give
  the models.dev checkout, the folder holding providers/ and LICENSE). A TOML file over
  MAX_RECORD_BYTES, nested too deeply, or with a name, base_model or family over MAX_FIELD_BYTES,
  and a provider folder or listing whose name is not UTF-8, are reported and skipped.
- Base-model loops are cut in one pass over the models (linear in the rows).
- The output folder is written beside --out (.NAME.import-PID) and swapped in whole (renameat2's
  exchange, else two renames): a failed run (a full or read-only disk) leaves --out as it was. An
  --out that is a file or a symbolic link, that holds the --epoch or --models-dev input, or that
  holds files the importer does not write, is refused before any work: the folder is replaced as a
  whole, so nothing else in it may be lost.
"""
from __future__ import annotations

import csv
import ctypes
import errno
import glob
import os
import shutil
from pathlib import Path

from dashboard.csvscan import scan_csv
from dashboard.ingest.csv_file import scan_problem
from dashboard.ingest.folder import SourceFile
from dashboard.ingest.publish import fsync_dir
from dashboard.obligations import BUNDLED_OBLIGATIONS
from dashboard.reference import LEVELS, POLICIES, SAFEGUARDS
from dashboard.tables import TABLES, TABLES_BY_NAME
from dashboard.public_data.epoch import EPOCH_URL, SOURCE, _assign_ids, _build_models, _read_epoch
from dashboard.public_data.limits import path_text, shown
from dashboard.public_data.models_dev import (MODELS_DEV_URL, UNMATCHED_COLUMNS, _licence_text, _models_dev_root,
                                              _providers)
from dashboard.public_data.report import ImportReport
from dashboard.public_data.names import MATCH_RULE


class ImportRefused(ValueError):
    """The import was refused or could not write its folder: one line naming the path and the cause.
    The output folder is as it was."""


# Everything the importer writes; the output folder is replaced as a whole, so a folder holding
# anything else is refused rather than emptied.
OUTPUT_FILES = frozenset([f"{spec.name}.csv" for spec in TABLES] + ["unmatched_listings.csv", "ATTRIBUTION.md"])


def _check_out(out_dir: Path, inputs: dict[str, Path | None]) -> None:
    """Everything about --out that can be checked before any work."""
    shown_out = path_text(out_dir)
    if os.path.islink(out_dir):
        raise ImportRefused(f"--out {shown_out} is a symbolic link (to {path_text(os.path.realpath(out_dir))}): "
                            "give the folder itself")
    if os.path.lexists(out_dir) and not out_dir.is_dir():
        raise ImportRefused(f"--out {shown_out} is not a folder: give a new folder, or one import-public wrote")
    real_out = Path(os.path.realpath(out_dir))
    for option, path in inputs.items():
        if path is not None and Path(os.path.realpath(path)).is_relative_to(real_out):
            raise ImportRefused(f"--out {shown_out} holds the {option} input {path_text(path)}: the output folder "
                                "is replaced as a whole; give another --out")
    if out_dir.is_dir():
        try:
            foreign = sorted(entry.name for entry in out_dir.iterdir() if entry.name not in OUTPUT_FILES)
        except OSError as error:
            raise ImportRefused(f"--out {shown_out} cannot be read ({error.strerror})") from None
        if foreign:
            names = ", ".join(shown(path_text(name)) for name in foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise ImportRefused(f"--out {shown_out} holds files import-public does not write ({names}): the folder "
                                "is replaced as a whole; give a new or empty folder, or move those files away")


def _write_csv(path: Path, columns, rows) -> int:
    with open(path, "x", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([str(row.get(column, "")) for column in columns] if isinstance(row, dict) else row)
        handle.flush()
        os.fsync(handle.fileno())
    return len(rows)


def _write_text(path: Path, text: str) -> None:
    with open(path, "x", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where it is not offered."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Put the finished folder at out_dir: in one step where the system offers it; the old folder,
    if any, ends at staging's path (removed by the caller)."""
    if not os.path.lexists(out_dir):
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        return
    old = staging.with_name(staging.name + ".old")
    os.rename(out_dir, old)
    os.rename(staging, out_dir)
    os.rename(old, staging)


def import_public(epoch_csv: Path, models_dev_dir: Path | None, out_dir: Path, progress=print) -> ImportReport:
    """Convert an Epoch AI CSV export (and a models.dev providers folder) into an input folder.

    The folder is written beside out_dir and swapped in whole: a failed run leaves out_dir as it was.
    Raises ImportRefused (a ValueError) with one line on a refusal or a write that failed.
    """
    report = ImportReport(epoch_file=path_text(Path(epoch_csv).name))
    out_dir = Path(os.path.abspath(out_dir))
    _check_out(out_dir, {"--epoch": Path(epoch_csv), "--models-dev": models_dev_dir})
    progress(f"reading Epoch AI export {path_text(epoch_csv)} ...")
    try:
        rows = _read_epoch(Path(epoch_csv), report)
    except OSError as error:
        raise ImportRefused(f"{path_text(epoch_csv)} cannot be read ({error.strerror or error})") from None
    _assign_ids(rows)
    report.public_models = len(rows)
    models, checkpoints, history = _build_models(rows, report)

    customers, deployments, unmatched, licence = [], [], [], None
    if models_dev_dir is not None:
        root = _models_dev_root(Path(models_dev_dir))
        progress(f"reading models.dev providers in {path_text(root)} ...")
        try:
            customers, deployments, unmatched = _providers(root, rows, models, report,
                                                           Path(os.path.realpath(models_dev_dir)))
            licence = _licence_text(Path(models_dev_dir), report)
        except OSError as error:
            raise ImportRefused(f"{path_text(models_dev_dir)} cannot be read ({error.strerror or error}"
                                f"{': ' + path_text(error.filename) if error.filename else ''})") from None
        if licence is None:
            progress(f"note: no LICENSE in {path_text(models_dev_dir)}: ATTRIBUTION.md names models.dev's MIT "
                     "licence without its text; give the models.dev checkout (the folder holding providers/ and "
                     "LICENSE) to include it")

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
        # DESIGN sections 9 and 12's bundled clocks; no records: what a lab filed is not public.
        "obligations": [dict(row) for row in BUNDLED_OBLIGATIONS],
        "obligation_records": [],
    }
    _write_folder(out_dir, tables, unmatched, _attribution(report, licence, models_dev_dir is not None), report)
    for line in report.lines():
        progress(line)
    return report


def _remove_leftovers(parent: Path, name: str) -> None:
    """Remove the folders that runs which died left beside out_dir (their process is gone)."""
    prefix = f".{name}.import-"
    for leftover in parent.glob(glob.escape(prefix) + "*"):
        pid = leftover.name[len(prefix):].removesuffix(".old")
        if not pid.isdigit() or leftover.is_symlink():
            continue
        try:
            os.kill(int(pid), 0)
            if int(pid) != os.getpid():
                continue  # another import is writing beside the same folder
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(leftover, ignore_errors=True)


def _write_folder(out_dir: Path, tables: dict, unmatched: list, attribution: str, report: ImportReport) -> None:
    """Write every file into a folder beside out_dir, check each table as ingest will (its field and
    row limits), and swap the folder in whole."""
    parent = out_dir.parent
    staging = parent / f".{out_dir.name}.import-{os.getpid()}"
    current = staging  # what is being written: an error from write() names no file
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(parent, out_dir.name)
        staging.mkdir()
        for spec in TABLES:
            current = staging / f"{spec.name}.csv"
            report.row_counts[spec.name] = _write_csv(current, spec.columns, tables[spec.name])
            # ingest's own scan: a value over its limits that got this far is a bug, not a published folder
            found = scan_csv(current).problem
            if found is not None:
                problem = scan_problem(SourceFile(spec, current, "csv"), found)
                raise ImportRefused(f"ingest would refuse {problem}: nothing was written to {path_text(out_dir)}")
        current = staging / "unmatched_listings.csv"
        _write_csv(current, UNMATCHED_COLUMNS, unmatched)
        current = staging / "ATTRIBUTION.md"
        _write_text(current, attribution)
        current = out_dir
        fsync_dir(staging)
        _swap_in(staging, out_dir)
        fsync_dir(parent)
    except OSError as error:
        raise ImportRefused(f"{path_text(out_dir)} was not written: {error.strerror or error} "
                            f"({path_text(error.filename or current)}); it is as it was") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
        "  transparency report (1e26), as DESIGN section 9 bundles them, and the incident reporting clocks",
        "  of DESIGN section 12 (SB 53, the EU Code of Practice, New York's RAISE Act); no obligation",
        "  records (not public).",
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
        text += ["## models.dev licence", "", "```", licence or "MIT licence (the LICENSE file was not in the folder given; see "
                 "https://github.com/anomalyco/models.dev).", "```", ""]
    return "\n".join(text)
