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
(1.2e2x, +1e25, 1_000), NaN, infinity, zero, negative and unparseable dates are reported with their
Epoch line (the header is line 1, as a text editor counts), counted by reason and skipped as models;
rows_read = models_with_compute + sum(rows_skipped). Output is sorted and byte-for-byte the same for
the same input, whatever the order of the Epoch rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import tomllib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.synth import LEVELS, POLICIES, SAFEGUARDS
from dashboard.tables import TABLES, TABLES_BY_NAME

SOURCE = "Epoch AI, Notable AI Models (CC BY 4.0)"
EPOCH_URL = "https://epochai.org/data/notable-ai-models"
MODELS_DEV_URL = "https://models.dev"
UNMATCHED_COLUMNS = ("provider", "listing_id", "name", "base_model", "reason")
MIN_EFFECTIVE_COMPUTE = 1e6  # the ingest's floor for effective compute (below: a log10 unit mistake)
SNAPSHOT_DAYS = 31  # a dated listing fits an Epoch row published this close to its date

# Column names differ between Epoch exports: looked up by any of these names (case and spacing
# ignored). model and compute are required; the others may be missing (reported).
COLUMN_ALIASES = {
    "model": ["Model", "System", "Model name"],
    "organization": ["Organization", "Organisation", "Organization(s)", "Organizations"],
    "published": ["Publication date", "Publication Date", "Published", "Release date"],
    "compute": ["Training compute (FLOP)", "Training compute (FLOPs)", "Training compute (FLOPS)",
                "Training compute"],
    "base_model": ["Base model", "Base Model"],
    "accessibility": ["Model accessibility", "Accessibility"],
    "frontier": ["Frontier model", "Frontier Model", "Frontier"],
}
FRONTIER_TRUE = {"true", "checked", "yes", "y", "1", "x", "✓", "✔"}

# Publicly announced classifications: (model name as Epoch writes it, level, effective from, source).
# Only facts stated in the labs' own public documents; a name missing from the Epoch file is ignored.
ANNOUNCED_ASL = [
    ("Claude 2", 2, "2023-09-19",
     "Anthropic, Responsible Scaling Policy v1.0 (September 2023): current models, Claude included, are ASL-2"),
    ("Claude 3 Opus", 2, "2024-03-04", "Anthropic, Claude 3 model card (March 2024): ASL-2"),
    ("Claude 3 Sonnet", 2, "2024-03-04", "Anthropic, Claude 3 model card (March 2024): ASL-2"),
    ("Claude 3.5 Sonnet", 2, "2024-06-20", "Anthropic, Claude 3.5 Sonnet model card addendum (June 2024): ASL-2"),
    ("Claude 3.7 Sonnet", 2, "2025-02-24", "Anthropic, Claude 3.7 Sonnet system card (February 2025): ASL-2"),
    ("Claude Sonnet 4", 2, "2025-05-22", "Anthropic, Claude Opus 4 and Claude Sonnet 4 system card (May 2025): ASL-2"),
    ("Claude Opus 4", 3, "2025-05-22", "Anthropic, Activating ASL-3 protections (May 2025): ASL-3"),
    ("Claude Opus 4.1", 3, "2025-08-05", "Anthropic, Claude Opus 4.1 system card addendum (August 2025): ASL-3"),
    ("Claude Sonnet 4.5", 3, "2025-09-29", "Anthropic, Claude Sonnet 4.5 system card (September 2025): ASL-3"),
    ("Claude Haiku 4.5", 2, "2025-10-15", "Anthropic, Claude Haiku 4.5 system card (October 2025): ASL-2"),
    ("Claude Opus 4.5", 3, "2025-11-24", "Anthropic, Claude Opus 4.5 system card (November 2025): ASL-3"),
]
ACCESSIBLE = ("api", "hosted", "open weights")

# Skip reasons (rows that do not become a model with compute); rows_read = models_with_compute + sum.
NO_NAME = "no model name"
NO_COMPUTE = "no compute estimate"
NOT_A_NUMBER = "compute not a number"
NOT_FINITE = "compute not finite (NaN or infinity)"
NOT_POSITIVE = "compute not above zero"
TINY = "compute below 1e6 FLOP (kept in public_models only)"
NO_DATE = "compute but no usable publication date"


def fold(text) -> str:
    """Whitespace and newlines folded to single spaces, ends trimmed."""
    return " ".join(str(text if text is not None else "").split())


def _ascii(text) -> str:
    """Lowercase ASCII: accents dropped (NÜWA -> nuwa), other characters a space (DALL·E -> dall e),
    a closing '+' spelt out (Command R+ -> command r plus, as providers write it; A + B stays a join)."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _CLOSING_PLUS.sub(" plus ", re.sub(r"[^\x00-\x7f]", " ", kept)).lower()


_CLOSING_PLUS = re.compile(r"(?<=[A-Za-z0-9+])\+(?![A-Za-z0-9])")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text)).strip("-") or "model"


# ----------------------------------------------------------------------------- match keys

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EPOCH_QUALIFIER = re.compile(r"\s*\((?:" + "|".join(_MONTHS) + r")[a-z]*\.?\s+(?:19|20)\d{2}\)\s*$")
_NAME_PREFIX = re.compile(r"^[a-z][a-z0-9 ._-]*:\s+")
_PATH_PREFIX = re.compile(r"^(?:[a-z0-9][a-z0-9._-]*/)+(?=[a-z])")
_DOTTED_PREFIX = re.compile(r"^[a-z][a-z-]+\.(?=[a-z])")
_VENDOR_WORD = re.compile(r"^(?:meta|cohere|mistralai|microsoft|nvidia|ibm|amazon|anthropic|openai|google|xai|moonshot|"
                          r"moonshotai)[- ](?=[a-z])")
_VERSION_TAG = re.compile(r"(?:-v?\d+:\d+|@\d{3}|:free)$")
_FULL_DATE = re.compile(r"[-_@ ]\(?((?:19|20)\d{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])\)?$")
_FOUR_DIGITS = re.compile(r"[-_@ ]\(?(\d{2})(\d{2})\)?$")
_ROLE_SUFFIX = re.compile(r"(?:[-_ :]|\s\()(?:instruct|chat|it|hf|latest|preview|exp|free|fp4|fp8|fp16|bf16|int4|int8|awq)\)?$")


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class Snapshot:
    """A snapshot date carried by a listing id or name; year None for a month-day tag (-0528)."""
    year: int | None
    month: int
    day: int | None

    def fits(self, references: list[dt.date]) -> bool:
        """Within SNAPSHOT_DAYS of one of an Epoch row's dates (publication, month qualifier)."""
        for ref in references:
            years = [self.year] if self.year is not None else [ref.year - 1, ref.year, ref.year + 1]
            for year in years:
                when = _date_or_none(year, self.month, self.day or 15)
                if when is not None and abs((when - ref).days) <= SNAPSHOT_DAYS:
                    return True
        return False

    def __str__(self) -> str:
        return "-".join(part for part in (f"{self.year:04d}" if self.year else "", f"{self.month:02d}",
                                          f"{self.day:02d}" if self.day else "") if part)


def _strip_listing(text, loose: bool = False) -> tuple[str, Snapshot | None]:
    """A listing string without vendor prefix and trailing tags, and the snapshot date it carries."""
    s = _ascii(text).replace("--", "/")
    previous = None
    while previous != s:
        previous = s
        for pattern in (_NAME_PREFIX, _PATH_PREFIX, _DOTTED_PREFIX, _VENDOR_WORD):
            s = pattern.sub("", s)
    snapshot, previous = None, None
    while previous != s:
        previous = s
        s = _VERSION_TAG.sub("", s).rstrip()
        if (found := _FULL_DATE.search(s)) and _date_or_none(*map(int, found.groups())):
            snapshot = snapshot or Snapshot(*map(int, found.groups()))
            s = s[:found.start()]
        elif found := _FOUR_DIGITS.search(s):
            first, second = int(found.group(1)), int(found.group(2))
            if 18 <= first <= 39 and 1 <= second <= 12:  # -2507: July 2025
                snapshot, s = snapshot or Snapshot(2000 + first, second, None), s[:found.start()]
            elif _date_or_none(2024, first, second):  # -0528: 28 May (leap year: 0229 allowed)
                snapshot, s = snapshot or Snapshot(None, first, second), s[:found.start()]
        if loose:
            s = _ROLE_SUFFIX.sub("", s)
    return s.strip(" -_."), snapshot


def _key(text: str) -> str:
    """Letter and digit runs joined, '.' between two digit runs: 'claude-3-5-sonnet' -> claude3.5sonnet."""
    out, last_digit = [], False
    for token in re.findall(r"[a-z]+|\d+", text):
        digit = token.isdigit()
        if digit and last_digit:
            out.append(".")
        out.append(token)
        last_digit = digit
    return "".join(out)


def _words(text: str) -> str:
    return " ".join(sorted(re.findall(r"[a-z]+|\d+(?:\.\d+)*", text)))


def _epoch_base(name: str) -> tuple[str, dt.date | None]:
    """An Epoch name folded to ASCII lowercase without its month qualifier, and the qualifier's mid-month."""
    text = _ascii(name)
    found = _EPOCH_QUALIFIER.search(text)
    if not found:
        return text, None
    month_text, year_text = re.findall(r"[a-z]+|\d+", found.group(0))
    return text[:found.start()], dt.date(int(year_text), _MONTHS.index(month_text[:3]) + 1, 15)


def _epoch_loose(base: str) -> str:
    previous = None
    while previous != base:
        previous, base = base, _ROLE_SUFFIX.sub("", base).strip(" -_.")
    return base


def listing_key(text, loose: bool = False) -> str:
    return _key(_strip_listing(text, loose)[0])


def epoch_key(name: str) -> str:
    return _key(_epoch_base(name)[0])


# ----------------------------------------------------------------------------- report

@dataclass
class ImportReport:
    epoch_file: str = ""
    rows_read: int = 0
    public_models: int = 0
    frontier_rows: int = 0
    models_with_compute: int = 0
    models_without_compute: int = 0  # added for a publicly announced ASL classification
    rows_skipped: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    parents_linked: int = 0
    base_models_without_compute: int = 0
    base_models_not_found: int = 0
    asl_announcements: int = 0
    providers: int = 0
    listings_total: int = 0
    listings_matched: int = 0
    match_by: Counter = field(default_factory=Counter)
    unmatched_reasons: Counter = field(default_factory=Counter)
    link_files: int = 0
    inherited_from_base: int = 0
    deployments_ended: int = 0
    ended_before_start: int = 0
    unmatched_file: Path | None = None
    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> Counter:
        return self.rows_skipped

    @property
    def listings_unmatched(self) -> int:
        return self.listings_total - self.listings_matched

    @property
    def models(self) -> int:
        return self.models_with_compute + self.models_without_compute

    def lines(self, max_problems: int = 50) -> list[str]:
        lines = [f"Epoch rows read: {self.rows_read:,} ({self.epoch_file}); frontier-flagged: {self.frontier_rows:,}",
                 f"models with a training compute estimate: {self.models_with_compute:,}; "
                 f"added without compute for a public ASL classification: {self.models_without_compute:,}",
                 f"rows skipped as models: {sum(self.rows_skipped.values()):,}"]
        lines += [f"  {count:,} {reason}" for reason, count in sorted(self.rows_skipped.items())]
        lines += [f"column not found: {column}" for column in self.missing_columns]
        lines += [f"  {problem}" for problem in self.problems[:max_problems]]
        if len(self.problems) > max_problems:
            lines.append(f"  ... and {len(self.problems) - max_problems:,} more")
        lines.append(f"parents through Base model: {self.parents_linked:,} linked; "
                     f"{self.base_models_without_compute:,} base models without usable compute; "
                     f"{self.base_models_not_found:,} not found or ambiguous")
        lines.append(f"public ASL classifications: {self.asl_announcements} (asl_history.csv)")
        if self.providers:
            lines += [f"models.dev providers: {self.providers:,}; listings: {self.listings_total:,} "
                      f"({self.link_files:,} link files, {self.inherited_from_base:,} inherit a base_model "
                      f"listing); matched {self.listings_matched:,}, unmatched {self.listings_unmatched:,}",
                      "  matched by: " + ", ".join(f"{rule} {count:,}" for rule, count in sorted(self.match_by.items())),
                      "  unmatched: " + ", ".join(f"{reason} {count:,}" for reason, count in
                                                  sorted(self.unmatched_reasons.items())),
                      f"  deployments ended (deprecated listings): {self.deployments_ended:,}"
                      + (f"; {self.ended_before_start:,} with last_updated before release_date ended on release_date"
                         if self.ended_before_start else ""),
                      f"  unmatched listings written to {self.unmatched_file}"]
        lines.append("match rule: " + MATCH_RULE)
        lines.append("effective compute = Epoch training compute: no algorithmic multiplier is applied")
        return lines


MATCH_RULE = ("vendor prefixes and trailing version tags dropped, a snapshot date set aside (it must fall within "
              f"{SNAPSHOT_DAYS} days of the Epoch row's month qualifier or publication date; latest/preview/exp "
              "aliases use their release_date; undated listings fit only undated Epoch names); letter and digit runs "
              "compared; base_model, then id, then name, then each as words in any order; then all again with "
              "-instruct/-chat/-it/-latest/-preview/-exp/quantisation dropped; a step that fits two Epoch rows decides "
              "nothing; an Epoch row without usable compute is not a model")


# ----------------------------------------------------------------------------- Epoch

@dataclass
class EpochRow:
    line: int
    name: str
    organization: str
    published: str  # ISO date or ""
    compute_text: str  # usable compute text or ""
    compute: float | None
    base_model: str
    accessibility: str
    frontier: bool
    public_id: str = ""
    is_model: bool = False


_PLAIN_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # ASCII digits only


def parse_compute(text: str) -> tuple[float | None, str | None]:
    """(value, None) for a usable FLOP count, else (None, the skip reason)."""
    if not text:
        return None, NO_COMPUTE
    if _PLAIN_NUMBER.fullmatch(text):
        value = float(text)
    else:
        try:
            value = float(text)
        except ValueError:
            return None, NOT_A_NUMBER
        if math.isfinite(value) and value > 0:  # '+1e25', '1_000', other digits: not plain text
            return None, NOT_A_NUMBER
    if not math.isfinite(value):
        return None, NOT_FINITE
    if value <= 0:
        return None, NOT_POSITIVE
    return value, None


_ISO_DATE = re.compile(r"((?:1[0-9]|20)[0-9]{2})[-/]([0-9]{1,2})(?:[-/]([0-9]{1,2}))?(?:[T ].*)?")


def parse_date(text) -> str | None:
    """An ISO date from 'YYYY-MM-DD' (a time after it ignored) or 'YYYY-MM' (the 1st); else None."""
    if isinstance(text, dt.datetime):
        return text.date().isoformat()
    if isinstance(text, dt.date):
        return text.isoformat()
    found = _ISO_DATE.fullmatch(fold(text))
    if not found:
        return None
    year, month, day = int(found.group(1)), int(found.group(2)), int(found.group(3) or 1)
    when = _date_or_none(year, month, day)
    return when.isoformat() if when else None


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    text = raw.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def _header_key(name: str) -> str:
    return fold(name).replace("\ufeff", "").lower()


def _read_epoch(epoch_csv: Path, report: ImportReport) -> list[EpochRow]:
    text = _decode(Path(epoch_csv).read_bytes()).replace("\x00", "")
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header, rows, next_line = None, [], 1
        try:
            for fields in reader:
                line, next_line = next_line, reader.line_num + 1
                if not any(cell.strip() for cell in fields):
                    continue
                if header is None:
                    header = [_header_key(cell) for cell in fields]
                    continue
                rows.append((line, fields))
        except csv.Error as error:
            report.problems.append(f"line {next_line}: the CSV cannot be read from here on ({error})")
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise ValueError(f"{epoch_csv}: empty file, expected an Epoch AI CSV export with a header row")
    index = {}
    for key, aliases in COLUMN_ALIASES.items():
        position = next((header.index(alias.lower()) for alias in aliases if alias.lower() in header), None)
        if position is not None:
            index[key] = position
        elif key in ("model", "compute"):
            raise ValueError(f"{epoch_csv}: no {' / '.join(repr(a) for a in aliases)} column "
                             f"(found: {', '.join(header[:15])}{' ...' if len(header) > 15 else ''})")
        else:
            report.missing_columns.append(f"{key} (looked for {' / '.join(aliases)})")

    out = []
    for line, fields in rows:
        report.rows_read += 1
        value = {key: (fields[position] if position < len(fields) else "") for key, position in index.items()}
        name = fold(value["model"])
        if not name:
            report.rows_skipped[NO_NAME] += 1
            report.problems.append(f"line {line}: no model name (row left out)")
            continue
        compute_text = value["compute"].strip()
        compute, reason = parse_compute(compute_text)
        if reason and reason != NO_COMPUTE:
            report.problems.append(f"line {line}: {name}: training compute {compute_text!r}: {reason}")
        raw_date = fold(value.get("published", ""))
        published = parse_date(raw_date) or ""
        if raw_date and not published:
            report.problems.append(f"line {line}: {name}: publication date {raw_date!r} is not an ISO date")
        frontier = _ascii(value.get("frontier", "")) in FRONTIER_TRUE or fold(value.get("frontier", "")) in FRONTIER_TRUE
        report.frontier_rows += frontier
        row = EpochRow(line, name, fold(value.get("organization", "")), published,
                       compute_text if compute is not None else "", compute, fold(value.get("base_model", "")),
                       fold(value.get("accessibility", "")), frontier)
        if reason:
            report.rows_skipped[reason] += 1
        elif compute < MIN_EFFECTIVE_COMPUTE:
            report.rows_skipped[TINY] += 1
        elif not published:
            report.rows_skipped[NO_DATE] += 1
        else:
            row.is_model = True
            report.models_with_compute += 1
        out.append(row)
    return out


def _assign_ids(rows: list[EpochRow]) -> None:
    groups: dict[str, list[EpochRow]] = defaultdict(list)
    for row in rows:
        groups[slug(row.name)].append(row)
    used = set(groups)
    for base in sorted(groups):
        members = sorted(groups[base], key=lambda r: (r.published or "9999", r.organization, r.compute_text,
                                                     r.name, r.line))
        members[0].public_id, number = base, 2
        for row in members[1:]:
            while f"{base}-{number}" in used:
                number += 1
            row.public_id = f"{base}-{number}"
            used.add(row.public_id)


def _policy_for(organization: str, published: str) -> str:
    lowered = organization.lower()
    if "anthropic" in lowered:
        return "rsp-v2.0" if published >= "2024-10-15" else "rsp-v1.0"
    if "google" in lowered or "deepmind" in lowered:
        return "fsf-v1.0"
    if "openai" in lowered:
        return "pf-beta"
    return "rsp-v1.0"


def _build_models(rows: list[EpochRow], report: ImportReport):
    announced: dict[str, tuple] = {}
    by_folded: dict[str, list[EpochRow]] = defaultdict(list)
    by_key: dict[str, list[EpochRow]] = defaultdict(list)
    for row in rows:
        by_folded[row.name.lower()].append(row)
        by_key[_key(_ascii(row.name))].append(row)
    for name, level, date, source in ANNOUNCED_ASL:
        found = by_folded.get(name.lower(), [])
        if len(found) == 1:
            announced[found[0].public_id] = (level, date, source)
            if not found[0].is_model and found[0].compute_text == "":
                found[0].is_model = True
                report.models_without_compute += 1
        elif len(found) > 1:
            report.problems.append(f"announced ASL level for {name!r} not applied: {len(found)} Epoch rows have that name")
    report.asl_announcements = len(announced)

    models, checkpoints, history = {}, [], []
    for row in sorted((row for row in rows if row.is_model), key=lambda r: r.public_id):
        organization = row.organization.split(",")[0].strip() or "unknown"
        level, date, source = announced.get(row.public_id, (2, None, None))
        access = row.accessibility.lower()
        models[row.public_id] = {
            "model_id": row.public_id, "name": row.name, "family": organization, "parent_model_id": "",
            "derivation": "pretrain", "asl_level": str(level), "policy_id": _policy_for(organization, row.published),
            "status": "deployed" if any(word in access for word in ACCESSIBLE) else "retired"}
        if row.compute_text:
            checkpoints.append({"model_id": row.public_id, "step": "0", "recorded_at": f"{row.published}T00:00:00",
                                "training_flop": row.compute_text, "effective_compute": row.compute_text})
        if date:
            history.append({"model_id": row.public_id, "asl_level": str(level), "effective_from": date,
                            "reason": source})

    # Parents through Base model.
    for row in sorted((row for row in rows if row.is_model), key=lambda r: r.public_id):
        if not row.base_model:
            continue
        candidates = [row.base_model] + [part.strip() for part in row.base_model.split(",") if part.strip()]
        outcome = "not found"
        for candidate in dict.fromkeys(candidates):
            found = by_folded.get(fold(candidate).lower()) or by_key.get(_key(_ascii(candidate))) or []
            if len(found) != 1 or found[0].public_id == row.public_id:
                continue
            if found[0].is_model:
                models[row.public_id].update(parent_model_id=found[0].public_id, derivation="fine-tune")
                outcome = "linked"
                break
            outcome = "without compute"
        if outcome == "linked":
            report.parents_linked += 1
        elif outcome == "without compute":
            report.base_models_without_compute += 1
        else:
            report.base_models_not_found += 1
    report.parents_linked -= _break_cycles(models)
    return models, checkpoints, history


def _break_cycles(models: dict[str, dict]) -> int:
    """Base-model links in public data could loop (A's base is B, B's is A): drop the link that closes it."""
    cut = 0
    for model_id in sorted(models):
        path, current = [model_id], models[model_id]["parent_model_id"]
        while current:
            if current in path:  # path[-1] -> current closes the loop
                models[path[-1]].update(parent_model_id="", derivation="pretrain")
                cut += 1
                break
            path.append(current)
            current = models.get(current, {}).get("parent_model_id", "")
    return cut


# ----------------------------------------------------------------------------- models.dev

class _ListingError(Exception):
    pass


def _read_toml(path: Path, root: Path, report: ImportReport | None, depth: int = 0) -> dict:
    """A listing's TOML; a file holding only a relative path to another .toml is followed."""
    if depth > 8:
        raise _ListingError("link loop")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise _ListingError(f"unreadable file: {error.strerror or error}") from None
    stripped = text.strip()
    if stripped.endswith(".toml") and "\n" not in stripped and "=" not in stripped:
        if report is not None and depth == 0:
            report.link_files += 1
        target = (path.parent / stripped).resolve()
        if not target.is_relative_to(root.resolve()) or not target.is_file():
            raise _ListingError(f"link to a missing file: {stripped}")
        return _read_toml(target, root, None, depth + 1)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _ListingError(f"unreadable TOML: {error}") from None


def _with_base(listing: dict, root: Path, report: ImportReport, depth: int = 0) -> dict:
    """The listing with the fields of its base_model listing filled in, as models.dev does."""
    base = listing.get("base_model")
    if not isinstance(base, str) or "/" not in base or depth > 8:
        return listing
    provider, _, model = base.partition("/")
    path = root / provider / "models" / f"{model}.toml"
    if not path.resolve().is_relative_to(root.resolve()) or not path.is_file():
        return listing
    try:
        inherited = _with_base(_read_toml(path, root, None), root, report, depth + 1)
    except _ListingError:
        return listing
    omit = listing.get("base_model_omit")
    # Only whole top-level fields matter here ("limit.input" and the like are nested).
    omitted = {item for item in omit if isinstance(item, str) and "." not in item} if isinstance(omit, list) else set()
    merged = {key: value for key, value in inherited.items() if key not in omitted and key != "base_model"}
    merged.update(listing)
    if depth == 0:
        report.inherited_from_base += 1
    return merged


@dataclass
class _EpochIndex:
    strict: dict[str, list[EpochRow]]
    words: dict[str, list[EpochRow]]
    loose: dict[str, list[EpochRow]]
    loose_words: dict[str, list[EpochRow]]
    dates: dict[str, list[dt.date]]  # per public id: its month qualifier, else its publication date
    qualified: set[str]

    @classmethod
    def build(cls, rows: list[EpochRow]) -> "_EpochIndex":
        strict, words, loose, loose_words = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
        dates, qualified = {}, set()
        for row in rows:
            base, qualifier = _epoch_base(row.name)
            # The month qualifier names the version (Epoch dates "GPT-4 (Jun 2023)" 2023-03-15).
            dates[row.public_id] = ([qualifier] if qualifier is not None else
                                    [dt.date.fromisoformat(row.published)] if row.published else [])
            if qualifier is not None:
                qualified.add(row.public_id)
            names = [base]
            organization = _ascii(row.organization.split(",")[0])
            if organization and " " not in organization and base.startswith(organization + " "):
                names.append(base[len(organization) + 1:])  # "Amazon Nova Pro" by Amazon is also "Nova Pro"
            for table, keys in ((strict, {_key(name) for name in names}),
                                (words, {_words(name) for name in names}),
                                (loose, {_key(_epoch_loose(name)) for name in names}),
                                (loose_words, {_words(_epoch_loose(name)) for name in names})):
                for key in keys:
                    table[key].append(row)
        return cls(strict, words, loose, loose_words, dates, qualified)

    def candidates(self, table: str, key: str, snapshot: Snapshot | None) -> tuple[list[EpochRow], list[EpochRow]]:
        """(the rows that fit, the rows with this key that the snapshot rule set aside)."""
        rows = getattr(self, table).get(key, []) if key else []
        if snapshot is None:
            fit = [row for row in rows if row.public_id not in self.qualified]
        else:
            fit = [row for row in rows if snapshot.fits(self.dates[row.public_id])]
        return fit, [row for row in rows if row not in fit]


AMBIGUOUS = "ambiguous"
SET_ASIDE = "snapshot date does not fit"
NOT_FOUND = "no Epoch model with this name"
WITHOUT_COMPUTE = "Epoch row without usable compute"
NO_RELEASE = "a moving alias (latest, preview, exp) without a release_date"
DISTILLED = "a distillation, not the model it was distilled from"
_ALIAS = re.compile(r"(?<![a-z])(?:latest|preview|exp|experimental)(?![a-z])")
NO_START = "no release date, last_updated or publication date to start the deployment"


def match_listing(listing_id: str, listing: dict, index: _EpochIndex) -> tuple[EpochRow | None, str]:
    """(the Epoch row, the rule that found it) or (None, why not: one of the kinds above, then details)."""
    sources = [("base_model", listing.get("base_model")), ("id", listing_id), ("name", listing.get("name"))]
    sources = [(label, fold(value)) for label, value in sources if isinstance(value, str) and fold(value)]
    snapshot = next((snap for _label, value in sources if (snap := _strip_listing(value, loose=True)[1])), None)
    if snapshot is None and any(_ALIAS.search(_ascii(value)) for _label, value in sources):
        released = parse_date(listing.get("release_date"))
        if not released:
            return None, f"{NO_RELEASE}: {_ALIAS.search(' '.join(_ascii(v) for _l, v in sources)).group(0)}"
        snapshot = Snapshot(*map(int, released.split("-")))
    distilled = any("distill" in _ascii(value) for _label, value in sources)
    steps = [(label, "strict", _key(_strip_listing(value)[0])) for label, value in sources]
    steps += [(f"{label} (word order)", "words", _words(_strip_listing(value)[0])) for label, value in sources]
    steps += [(f"{label} (suffix dropped)", "loose", _key(_strip_listing(value, loose=True)[0]))
              for label, value in sources]
    steps += [(f"{label} (suffix dropped, word order)", "loose_words", _words(_strip_listing(value, loose=True)[0]))
              for label, value in sources]
    ambiguous, set_aside = [], []
    for rule, table, key in steps:
        if table.startswith("loose") and set_aside:
            break  # Epoch has this very name, in another version: relaxing the key would find the wrong one
        fit, aside = index.candidates(table, key, snapshot)
        if distilled and fit and all("distill" not in row.name.lower() for row in fit):
            return None, f"{DISTILLED}: {'; '.join(sorted(row.name for row in fit))}"
        if len(fit) == 1:
            return fit[0], rule
        if len(fit) > 1:
            ambiguous.append(fit)
        set_aside += aside
    if set_aside:
        shown = "; ".join(sorted({f"{row.name} ({row.published or 'no date'})" for row in set_aside}))
        if snapshot is None:
            return None, f"{SET_ASIDE}: the listing has no snapshot date and Epoch has only dated versions: {shown}"
        return None, f"{SET_ASIDE}: snapshot {snapshot} is not Epoch's {shown}"
    if ambiguous:
        names = sorted({row.name for row in ambiguous[0]})
        return None, f"{AMBIGUOUS}: fits {len(names)} Epoch rows: {'; '.join(names)}"
    return None, NOT_FOUND


def _providers(root: Path, rows: list[EpochRow], models: dict, report: ImportReport):
    index = _EpochIndex.build(rows)
    published = {row.public_id: row.published for row in rows}
    customers, deployments, unmatched = [], [], []
    for provider_dir in sorted(path for path in root.iterdir() if path.is_dir()):
        provider = {}
        if (provider_dir / "provider.toml").is_file():
            try:
                provider = _read_toml(provider_dir / "provider.toml", root, None)
            except _ListingError:
                provider = {}
        report.providers += 1
        customers.append({"customer_id": provider_dir.name, "name": fold(provider.get("name")) or provider_dir.name,
                          "segment": "provider", "sector": "ai-platform", "region": "", "business_critical": "false"})
        models_dir = provider_dir / "models"
        if not models_dir.is_dir():
            continue
        for listing_file in sorted(models_dir.rglob("*.toml"), key=lambda p: p.relative_to(models_dir).as_posix()):
            if not listing_file.is_file():
                continue
            listing_id = listing_file.relative_to(models_dir).with_suffix("").as_posix()
            report.listings_total += 1
            try:
                listing = _with_base(_read_toml(listing_file, root, report), root, report)
            except _ListingError as error:
                reason = str(error).splitlines()[0]
                report.unmatched_reasons[reason.split(":")[0]] += 1
                unmatched.append((provider_dir.name, listing_id, "", "", reason))
                continue
            name = fold(listing.get("name")) if isinstance(listing.get("name"), str) else ""
            base = fold(listing.get("base_model")) if isinstance(listing.get("base_model"), str) else ""
            row, rule = match_listing(listing_id, listing, index)
            if row is not None and row.public_id not in models:
                row, rule = None, f"{WITHOUT_COMPUTE}: {row.name} (Epoch line {row.line}) is not a model"
            if row is None:
                report.unmatched_reasons[rule.split(":")[0]] += 1
                unmatched.append((provider_dir.name, listing_id, name, base, rule))
                continue
            started = (parse_date(listing.get("release_date")) or parse_date(listing.get("last_updated"))
                       or published.get(row.public_id))
            if not started:
                report.unmatched_reasons[NO_START] += 1
                unmatched.append((provider_dir.name, listing_id, name, base, f"{NO_START} (matched {row.name})"))
                continue
            report.listings_matched += 1
            report.match_by[rule] += 1
            deprecated = fold(listing.get("status")).lower() == "deprecated"
            ended = ""
            if deprecated:
                report.deployments_ended += 1
                ended = parse_date(listing.get("last_updated")) or parse_date(listing.get("release_date")) or started
                if ended < started:
                    report.ended_before_start += 1
                    ended = started
            family = listing.get("family")
            deployments.append({"deployment_id": f"{provider_dir.name}:{listing_id}", "model_id": row.public_id,
                                "customer_id": provider_dir.name, "surface": "api",
                                "use_case": fold(family) if isinstance(family, str) else "", "risk_domains": "",
                                "status": "ended" if deprecated else "active", "started_at": started,
                                "ended_at": ended, "monthly_requests": ""})
            if not deprecated:
                models[row.public_id]["status"] = "deployed"
    deployments.sort(key=lambda d: d["deployment_id"])
    return customers, deployments, sorted(unmatched)


# ----------------------------------------------------------------------------- output

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


def _models_dev_root(models_dev_dir: Path) -> Path:
    """The providers/ folder, given it or the models.dev checkout that holds it."""
    return models_dev_dir / "providers" if (models_dev_dir / "providers").is_dir() else models_dev_dir


def _licence_text(models_dev_dir: Path | None) -> str | None:
    if models_dev_dir is None:
        return None
    for folder in (models_dev_dir, models_dev_dir.parent, models_dev_dir.parent.parent):
        if (folder / "LICENSE").is_file():
            return (folder / "LICENSE").read_text(encoding="utf-8", errors="replace").strip()
    return None


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
