"""Convert public sources into an input folder (DESIGN section 3): Epoch AI's "Notable AI Models"
(CC BY 4.0) and the models.dev provider catalogue (MIT).

What becomes what:
- public_models.csv: every Epoch row; names with their whitespace and newlines folded; compute
  exactly as Epoch writes it (the same text); unknown compute left empty.
- models.csv: every Epoch model with a valid training compute estimate, plus the models with a
  publicly announced ASL classification (their compute may be unknown: no checkpoint then).
  family = the (first) organisation; parent through `Base model` where that model is present
  (derivation fine-tune, else pretrain); asl_level 2 unless announced otherwise; policy by lab:
  Anthropic rsp-v1.0 before 2024-10-15 and rsp-v2.0 after, Google / DeepMind fsf-v1.0, OpenAI
  pf-beta, everyone else rsp-v1.0 (a reference policy: those labs publish their own);
  status deployed when Epoch lists API, hosted or open-weights access, retired otherwise
  (unreleased: never served).
- checkpoints.csv: one per model with compute, at its publication date, effective compute =
  training compute: NO algorithmic multiplier is applied (public data has none).
- customers.csv: the providers of models.dev; deployments.csv: each provider listing matched to a
  model (deprecated listings ended).
- evaluations.csv and deployment_safeguards.csv: header only. Evaluations and per-deployment
  safeguards are not public; nothing is invented. The pages say so.

The match rule (listing -> model), conservative because a wrong match is worse than none:
normalise a name to lowercase letters and digits only, after dropping a vendor prefix ("openai/",
"anthropic."), a trailing date (-20240620, -2024-06-20), a version tag (-v1:0, @001) and the
suffixes -instruct, -chat, -latest, -preview; then try, in order, the listing's `base_model`, its
id, and its `name` against the normalised Epoch names, and for the name also the same words in any
order ("Claude Sonnet 3.5" = "Claude 3.5 Sonnet"). A key that fits two Epoch models matches none.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.synth import LEVELS, POLICIES, SAFEGUARDS
from dashboard.tables import TABLES_BY_NAME

SOURCE = "Epoch AI, Notable AI Models (CC BY 4.0)"
# Column names differ between Epoch exports: look them up by any of these names.
COLUMN_ALIASES = {
    "model": ["Model", "System", "Model name"],
    "organization": ["Organization", "Organisation", "Organization(s)"],
    "published": ["Publication date", "Publication Date", "Release date"],
    "compute": ["Training compute (FLOP)", "Training compute (FLOPs)", "Training Compute (FLOP)", "Training compute"],
    "base_model": ["Base model", "Base Model"],
    "accessibility": ["Model accessibility", "Accessibility"],
    "frontier": ["Frontier model", "Frontier Model"],
}
# Publicly announced classifications (model name as Epoch writes it, level, date, source).
ANNOUNCED_ASL = [
    ("Claude 3 Opus", 2, "2024-03-04", "Anthropic, Claude 3 model card (March 2024): ASL-2"),
    ("Claude 3.5 Sonnet", 2, "2024-06-20", "Anthropic, Claude 3.5 Sonnet model card addendum (June 2024): ASL-2"),
    ("Claude 3.7 Sonnet", 2, "2025-02-24", "Anthropic, Claude 3.7 Sonnet system card (February 2025): ASL-2"),
    ("Claude Sonnet 4", 2, "2025-05-22", "Anthropic, Claude 4 system card (May 2025): ASL-2"),
    ("Claude Opus 4", 3, "2025-05-22", "Anthropic, Activating ASL-3 protections (May 2025): ASL-3"),
    ("Claude Opus 4.1", 3, "2025-08-05", "Anthropic, Claude Opus 4.1 system card addendum (August 2025): ASL-3"),
    ("Claude Sonnet 4.5", 3, "2025-09-29", "Anthropic, Claude Sonnet 4.5 system card (September 2025): ASL-3"),
    ("Claude Haiku 4.5", 2, "2025-10-15", "Anthropic, Claude Haiku 4.5 system card (October 2025): ASL-2"),
    ("Claude Opus 4.5", 3, "2025-11-24", "Anthropic, Claude Opus 4.5 system card (November 2025): ASL-3"),
]
ACCESSIBLE = ("api", "hosted", "open weights")
_VENDOR_PREFIX = re.compile(r"^(?:[a-z0-9_-]+/)+|^(?:global|us|eu|apac|anthropic|meta|amazon|mistral|cohere|ai21|openai|"
                            r"deepseek|qwen|google|writer|moonshotai|nvidia)\.", re.IGNORECASE)
_SUFFIXES = re.compile(r"(?:[-_@:](?:v\d+(?::\d+)?|\d{8}|\d{4}-\d{2}-\d{2}|\d{3}|instruct|chat|latest|preview|free))+$",
                       re.IGNORECASE)


def fold(text: str | None) -> str:
    """Whitespace and newlines folded to single spaces, ends trimmed."""
    return " ".join((text or "").split())


_QUALIFIER = re.compile(r"\s*\((?:latest|preview|beta|new|legacy)\)", re.IGNORECASE)


def normalise(name: str) -> str:
    text = _QUALIFIER.sub("", fold(name)).lower()
    text = text.replace("--", "/")  # SAP's "anthropic--claude-3.7-sonnet"
    while True:
        stripped = _VENDOR_PREFIX.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = _SUFFIXES.sub("", text)
    return re.sub(r"[^a-z0-9]", "", text)


def word_key(name: str) -> str:
    words = re.findall(r"[a-z]+|\d+(?:\.\d+)?", _SUFFIXES.sub("", _QUALIFIER.sub("", fold(name)).lower()))
    return " ".join(sorted(words))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "model"


@dataclass
class ImportReport:
    rows_read: int = 0
    models_with_compute: int = 0
    announced_without_compute: int = 0
    skipped: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    providers: int = 0
    listings_total: int = 0
    listings_matched: int = 0
    unmatched_file: Path | None = None
    match_by: Counter = field(default_factory=Counter)

    @property
    def listings_unmatched(self) -> int:
        return self.listings_total - self.listings_matched

    def lines(self) -> list[str]:
        lines = [f"Epoch rows read: {self.rows_read:,}",
                 f"models with a training compute estimate: {self.models_with_compute:,}",
                 f"models added for a public ASL classification (compute unknown): {self.announced_without_compute}"]
        lines += [f"rows without a model: {count:,} ({reason})" for reason, count in sorted(self.skipped.items())]
        lines += [f"  {problem}" for problem in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more")
        if self.listings_total:
            lines += [f"models.dev providers: {self.providers:,}; listings: {self.listings_total:,}; "
                      f"matched {self.listings_matched:,} (" + ", ".join(f"by {key} {value:,}" for key, value in
                                                                          sorted(self.match_by.items())) + f"); unmatched "
                      f"{self.listings_unmatched:,}, listed in {self.unmatched_file}",
                      "match rule: normalised base_model, then id, then name (or the same words in any order) "
                      "against normalised Epoch names; a key that fits two models matches none"]
        return lines


def _column(header: list[str], key: str) -> str | None:
    for alias in COLUMN_ALIASES[key]:
        if alias in header:
            return alias
    return None


def _parse_compute(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def _parse_date(text: str) -> str | None:
    text = fold(text)
    for candidate in (text[:10], text):
        try:
            return dt.date.fromisoformat(candidate).isoformat()
        except ValueError:
            continue
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01"
    return None


def _policy_for(organization: str, published: str) -> str:
    lowered = organization.lower()
    if "anthropic" in lowered:
        return "rsp-v2.0" if published >= "2024-10-15" else "rsp-v1.0"
    if "google" in lowered or "deepmind" in lowered:
        return "fsf-v1.0"
    if "openai" in lowered:
        return "pf-beta"
    return "rsp-v1.0"


def import_public(epoch_csv: Path, models_dev_dir: Path | None, out_dir: Path, progress=print) -> ImportReport:
    report = ImportReport()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(epoch_csv, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = [fold(name) for name in next(reader)]
        columns = {key: _column(header, key) for key in COLUMN_ALIASES}
        if columns["model"] is None or columns["compute"] is None:
            raise ValueError(f"{epoch_csv}: no model or training compute column (found: {', '.join(header[:12])} ...)")
        index = {key: header.index(name) for key, name in columns.items() if name is not None}
        records = []
        next_line = 2
        for fields in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(field.strip() for field in fields):
                continue
            report.rows_read += 1
            value = {key: (fields[position] if position < len(fields) else "") for key, position in index.items()}
            records.append((line, value))

    public_rows, used_ids, by_name = [], set(), {}
    for line, value in records:
        name = fold(value.get("model"))
        if not name:
            report.skipped["no model name"] += 1
            report.problems.append(f"line {line}: no model name")
            continue
        public_id = slug(name)
        candidate, number = public_id, 2
        while candidate in used_ids:
            candidate, number = f"{public_id}-{number}", number + 1
        used_ids.add(candidate)
        compute_text = fold(value.get("compute"))
        published = _parse_date(value.get("published", ""))
        if value.get("published") and not published:
            report.problems.append(f"line {line}: publication date {fold(value.get('published'))!r} is not a date")
        compute = _parse_compute(compute_text) if compute_text else None
        if compute_text and compute is None:
            report.skipped["malformed compute"] += 1
            report.problems.append(f"line {line}: {name}: training compute {compute_text!r} is not a usable FLOP count")
            compute_text = ""
        elif not compute_text:
            report.skipped["no compute estimate"] += 1
        public_rows.append({"public_model_id": candidate, "name": name, "organization": fold(value.get("organization")),
                            "published_on": published or "", "training_compute_flop": compute_text,
                            "base_model_name": fold(value.get("base_model")), "accessibility": fold(value.get("accessibility")),
                            "source": SOURCE})
        if compute is not None and compute < 1e6:
            # Real but tiny (early perceptrons): kept in public_models; as a model's effective compute
            # the ingest would read it as a log10 unit mistake.
            report.skipped["compute below 1e6 FLOP (kept in public_models only)"] += 1
            continue
        if compute is not None and not published:
            report.skipped["compute but no usable date"] += 1
            report.problems.append(f"line {line}: {name}: has compute but no usable publication date")
            continue
        by_name.setdefault(name, []).append((candidate, compute_text, published))

    announced = {name: (level, date, source) for name, level, date, source in ANNOUNCED_ASL}
    model_rows, checkpoint_rows, history_rows = [], [], []
    row_of = {row["public_model_id"]: row for row in public_rows}
    for name, entries in sorted(by_name.items()):
        for public_id, compute_text, published in entries:
            has_compute = bool(compute_text)
            if not has_compute and name not in announced:
                continue
            row = row_of[public_id]
            organization = row["organization"].split(",")[0].strip() or "unknown"
            level, level_date, level_source = announced.get(name, (2, None, None))
            access = row["accessibility"].lower()
            model_rows.append({"model_id": public_id, "name": name, "family": organization, "parent_model_id": "",
                               "derivation": "pretrain", "asl_level": str(level),
                               "policy_id": _policy_for(organization, published or ""),
                               "status": "deployed" if any(word in access for word in ACCESSIBLE) else "retired",
                               "_base": row["base_model_name"], "_published": published or ""})
            if has_compute:
                report.models_with_compute += 1
                checkpoint_rows.append({"model_id": public_id, "step": "0", "recorded_at": f"{published}T00:00:00",
                                        "training_flop": compute_text, "effective_compute": compute_text})
            else:
                report.announced_without_compute += 1
            if level_date:
                history_rows.append({"model_id": public_id, "asl_level": str(level), "effective_from": level_date,
                                     "reason": level_source})
    # Parents through Base model, where that model is present (and not the model itself).
    ids_by_name = {}
    for row in model_rows:
        ids_by_name.setdefault(normalise(row["name"]), []).append(row["model_id"])
    published_on = {row["model_id"]: row.pop("_published") for row in model_rows}
    for row in model_rows:
        base = row.pop("_base")
        parents = ids_by_name.get(normalise(base), []) if base else []
        if len(parents) == 1 and parents[0] != row["model_id"]:
            row["parent_model_id"], row["derivation"] = parents[0], "fine-tune"
    _break_cycles(model_rows)

    customers, deployments, unmatched = [], [], []
    if models_dev_dir is not None:
        customers, deployments, unmatched = _providers(Path(models_dev_dir), model_rows, published_on, report)
    report.unmatched_file = out_dir / "unmatched_listings.csv"

    tables = {
        "policies": [dict(zip(TABLES_BY_NAME["policies"].columns, policy)) for policy in POLICIES],
        "asl_levels": [dict(zip(TABLES_BY_NAME["asl_levels"].columns, (str(a), b, c))) for a, b, c in LEVELS],
        "safeguards": [dict(zip(TABLES_BY_NAME["safeguards"].columns,
                                (a, b, c, "generic reference safeguard: not any lab's published list"))) for a, b, c, _ in SAFEGUARDS],
        "asl_required_safeguards": [{"asl_level": str(d), "safeguard_id": a} for a, _b, _c, d in SAFEGUARDS],
        "models": sorted(model_rows, key=lambda row: row["model_id"]),
        "checkpoints": sorted(checkpoint_rows, key=lambda row: row["model_id"]),
        "evaluations": [],
        "customers": customers,
        "deployments": deployments,
        "deployment_safeguards": [],
        "asl_history": sorted(history_rows, key=lambda row: (row["model_id"], row["effective_from"])),
        "public_models": public_rows,
    }
    for name, rows in tables.items():
        frame = pd.DataFrame(rows, columns=list(TABLES_BY_NAME[name].columns))
        frame.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n")
    pd.DataFrame(unmatched, columns=["provider", "listing_id", "name", "base_model", "reason"]).to_csv(
        report.unmatched_file, index=False, lineterminator="\n")
    _write_attribution(out_dir, models_dev_dir)
    for line in report.lines():
        progress(line)
    return report


def _break_cycles(model_rows: list[dict]) -> None:
    """Base-model links in public data can loop (A's base is B, B's is A): drop the link that closes it."""
    parent = {row["model_id"]: row["parent_model_id"] for row in model_rows}
    for row in model_rows:
        seen, current = {row["model_id"]}, row["parent_model_id"]
        while current:
            if current in seen:
                row["parent_model_id"], row["derivation"] = "", "pretrain"
                parent[row["model_id"]] = ""
                break
            seen.add(current)
            current = parent.get(current, "")


def _providers(root: Path, model_rows, published: dict[str, str], report: ImportReport):
    keys: dict[str, dict[str, set]] = {"exact": {}, "words": {}}
    for row in model_rows:
        keys["exact"].setdefault(normalise(row["name"]), set()).add(row["model_id"])
        keys["words"].setdefault(word_key(row["name"]), set()).add(row["model_id"])

    def one(table: str, key: str) -> str | None:
        found = keys[table].get(key, set())
        return next(iter(found)) if len(found) == 1 else None

    customers, deployments, unmatched = [], [], []
    for provider_dir in sorted(path for path in root.iterdir() if path.is_dir()):
        provider_file = provider_dir / "provider.toml"
        try:
            provider = tomllib.loads(provider_file.read_text(encoding="utf-8")) if provider_file.is_file() else {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            provider = {}
        report.providers += 1
        customers.append({"customer_id": provider_dir.name, "name": fold(provider.get("name")) or provider_dir.name,
                          "segment": "provider", "sector": "ai-platform", "region": "", "business_critical": "false"})
        models_dir = provider_dir / "models"
        if not models_dir.is_dir():
            continue
        for listing_file in sorted(models_dir.rglob("*.toml")):
            listing_id = listing_file.relative_to(models_dir).with_suffix("").as_posix()
            report.listings_total += 1
            try:
                listing = tomllib.loads(listing_file.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                unmatched.append((provider_dir.name, listing_id, "", "", f"unreadable TOML: {error}"))
                continue
            name, base = fold(str(listing.get("name", ""))), fold(str(listing.get("base_model", "")))
            model_id, rule = None, None
            for rule_name, key_table, key in (("base_model", "exact", normalise(base) if base else ""),
                                              ("id", "exact", normalise(listing_id)),
                                              ("name", "exact", normalise(name) if name else ""),
                                              ("name words", "words", word_key(name) if name else "")):
                if key and (found := one(key_table, key)):
                    model_id, rule = found, rule_name
                    break
            if model_id is None:
                unmatched.append((provider_dir.name, listing_id, name, base, "no Epoch model with this name"))
                continue
            report.listings_matched += 1
            report.match_by[rule] += 1
            released = _parse_date(str(listing.get("release_date", ""))) or _parse_date(str(listing.get("last_updated", "")))
            # A listing without dates started serving no earlier than the model's publication.
            started = released or published.get(model_id) or "2020-01-01"
            deprecated = str(listing.get("status", "")).lower() == "deprecated"
            ended = (_parse_date(str(listing.get("last_updated", ""))) or started) if deprecated else ""
            if ended and ended < started:
                ended = started
            deployments.append({"deployment_id": f"{provider_dir.name}:{listing_id}", "model_id": model_id,
                                "customer_id": provider_dir.name, "surface": "api",
                                "use_case": fold(str(listing.get("family", ""))), "risk_domains": "",
                                "status": "ended" if deprecated else "active", "started_at": started, "ended_at": ended,
                                "monthly_requests": ""})
    return customers, deployments, unmatched


def _write_attribution(out_dir: Path, models_dev_dir: Path | None) -> None:
    text = [
        "# Public data: sources and licences",
        "",
        "- Epoch AI, \"Notable AI Models\", https://epochai.org/data/notable-ai-models, CC BY 4.0.",
        "  Data: Epoch AI (epochai.org). Factual columns only (no abstracts or notes).",
        "- models.dev provider catalogue, https://models.dev, MIT licence (below).",
        "",
        "Effective compute here is Epoch's training compute estimate: no algorithmic multiplier is applied.",
        "Evaluations and per-deployment safeguards are not public: those tables are empty, not invented.",
        "ASL classifications in asl_history are the ones the lab announced, with their source.",
        "Policies, ASL levels and safeguards are generic reference tables, not any lab's internal data.",
        "",
    ]
    licence = Path(models_dev_dir).parent / "LICENSE" if models_dev_dir else None
    if licence and licence.is_file():
        text += ["## models.dev licence", "", "```", licence.read_text(encoding="utf-8").strip(), "```", ""]
    (out_dir / "ATTRIBUTION.md").write_text("\n".join(text), encoding="utf-8")
