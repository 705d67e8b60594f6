"""Epoch AI's "Notable AI Models" CSV: reading it by column name, parsing compute and dates, and
turning rows into models (ids, parents, announced ASL levels)."""
from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from dashboard.public_data.limits import MAX_RECORD_BYTES, over_limit, path_text, shown, too_long
from dashboard.public_data.names import _ascii, _date_or_none, _key, fold, slug
from dashboard.public_data.report import ImportReport


SOURCE = "Epoch AI, Notable AI Models (CC BY 4.0)"


EPOCH_URL = "https://epochai.org/data/notable-ai-models"
ACCESSIBLE = ("api", "hosted", "open weights")


MIN_EFFECTIVE_COMPUTE = 1e6  # the ingest's floor for effective compute (below: a log10 unit mistake)


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


# Skip reasons (rows that do not become a model with compute); rows_read = models_with_compute + sum.
NO_NAME = "no model name"


NO_COMPUTE = "no compute estimate"


NOT_A_NUMBER = "compute not a number"


NOT_FINITE = "compute not finite (NaN or infinity)"


NOT_POSITIVE = "compute not above zero"


TINY = "compute below 1e6 FLOP (kept in public_models only)"


NO_DATE = "compute but no usable publication date"


TOO_LONG = "a value over the ingest's size limits (row left out)"


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


class _RecordTooLong(Exception):
    def __init__(self, line: int, size: int):
        super().__init__(line, size)
        self.line, self.size = line, size


class _BoundedLines:
    """The lines of a text file for csv.reader, one record at most MAX_RECORD_BYTES (ingest's limit
    for one row): a longer record is skipped to its end (quotes counted, as ingest's scan counts
    them) and _RecordTooLong raised, so memory stays a small multiple of that limit whatever the
    file holds. The reader starts afresh at the next record. The file is read in chunks and split
    with one regular expression per chunk (a file of millions of short lines costs no readline
    each). lines counts the file's lines read."""

    def __init__(self, handle):
        self.handle = handle
        self.pieces: deque[str] = deque()
        self.at_end = False
        self.lines = 0
        self.start_record()

    def start_record(self) -> None:
        self.record_bytes, self.inside, self.first_line = 0, False, self.lines + 1

    def __iter__(self):
        return self

    def _take(self) -> str | None:
        """The next line, or part of a long one; None at the end of the file. Counts its bytes and quotes."""
        while not self.pieces:
            if self.at_end:
                return None
            chunk = self.handle.read(_CHUNK_CHARS)
            if chunk.endswith("\r"):
                chunk += self.handle.read(1)  # keep a CRLF whole
            if not chunk:
                self.at_end = True
            self.pieces.extend(_pieces(chunk))
        piece = self.pieces.popleft()
        self.record_bytes += len(piece) if piece.isascii() else len(piece.encode("utf-8", "backslashreplace"))
        self.inside ^= bool(piece.count('"') & 1)
        if piece.endswith(("\n", "\r")):
            self.lines += 1
        return piece

    def __next__(self) -> str:
        parts = []
        while (piece := self._take()) is not None:
            if self.record_bytes > MAX_RECORD_BYTES:
                while piece is not None and not (piece.endswith(("\n", "\r")) and not self.inside):
                    piece = self._take()
                if piece is None:
                    self.lines += 1  # the last line, without a line break
                raise _RecordTooLong(self.first_line, self.record_bytes)
            parts.append(piece)
            if piece.endswith(("\n", "\r")):
                break
        if not parts:
            raise StopIteration
        if not parts[-1].endswith(("\n", "\r")):
            self.lines += 1
        return "".join(parts).replace("\x00", "")


_CHUNK_CHARS = 1 << 20
_PIECES = re.compile(r"[^\r\n]*+(?:\r\n|\r|\n)?")


def _pieces(chunk: str) -> list[str]:
    """The chunk's lines, each with its line break (LF, CRLF or a lone CR); the last may have none."""
    if "\r" in chunk:
        return [piece for piece in _PIECES.findall(chunk) if piece]
    lines = chunk.split("\n")  # the common case, at memory speed
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _open_export(epoch_csv: Path):
    """The export as text, read as it streams: UTF-16 when it starts with its byte-order mark, else
    UTF-8 (a byte-order mark dropped); bytes that do not decode become U+FFFD."""
    with open(epoch_csv, "rb") as raw:
        start = raw.read(2)
    encoding = "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    return open(epoch_csv, encoding=encoding, errors="replace", newline="")


def _header_key(name: str) -> str:
    return fold(name).replace("\ufeff", "").lower()


def _records(epoch_csv: Path, report: ImportReport):
    """(line, fields) of every non-blank record; (line, _RecordTooLong) for one over ingest's row limit."""
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_RECORD_BYTES + 2)  # a record is bounded by _BoundedLines
    try:
        with _open_export(epoch_csv) as handle:
            lines = _BoundedLines(handle)
            reader = csv.reader(lines)
            while True:
                lines.start_record()
                line = lines.first_line
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except _RecordTooLong as error:
                    yield error.line, error
                    continue
                except csv.Error as error:
                    report.problem(f"line {line}: the CSV cannot be read from here on ({error})")
                    return
                if any(cell.strip() for cell in fields):
                    yield line, fields
    finally:
        csv.field_size_limit(old_limit)


def _read_epoch(epoch_csv: Path, report: ImportReport) -> list[EpochRow]:
    records = _records(epoch_csv, report)
    header = next((fields for _line, fields in records), None)
    if isinstance(header, _RecordTooLong):
        raise ValueError(f"{path_text(epoch_csv)}: the header row is longer than {MAX_RECORD_BYTES:,} bytes, the "
                         "ingest's limit for one row: not an Epoch AI CSV export")
    if header is not None:
        header = [_header_key(cell) for cell in header]
    if header is None:
        raise ValueError(f"{path_text(epoch_csv)}: empty file, expected an Epoch AI CSV export with a header row")
    index = {}
    for key, aliases in COLUMN_ALIASES.items():
        position = next((header.index(alias.lower()) for alias in aliases if alias.lower() in header), None)
        if position is not None:
            index[key] = position
        elif key in ("model", "compute"):
            raise ValueError(f"{path_text(epoch_csv)}: no {' / '.join(repr(a) for a in aliases)} column "
                             f"(found: {', '.join(shown(cell) for cell in header[:15])}{' ...' if len(header) > 15 else ''})")
        else:
            report.missing_columns.append(f"{key} (looked for {' / '.join(aliases)})")

    # A publication date after today (one day of clock difference allowed) is a mistake: as a model's
    # checkpoint it would be refused by the ingest, and it must never become the snapshot's "now".
    latest_date = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).date().isoformat()
    out = []
    for line, fields in records:
        report.rows_read += 1
        if isinstance(fields, _RecordTooLong):
            report.rows_skipped[TOO_LONG] += 1
            report.problem(f"line {line}: row longer than {MAX_RECORD_BYTES:,} bytes, the ingest's limit for one "
                           f"row (it has at least {fields.size:,}): row left out")
            continue
        value = {key: (fields[position] if position < len(fields) else "") for key, position in index.items()}
        oversized = next((key for key in index if too_long(fold(value[key]))), None)
        if oversized is not None:
            report.rows_skipped[TOO_LONG] += 1
            report.problem(f"line {line}: {oversized} column {over_limit(fold(value[oversized]))}: "
                                   "row left out")
            continue
        name = fold(value["model"])
        if not name:
            report.rows_skipped[NO_NAME] += 1
            report.problem(f"line {line}: no model name (row left out)")
            continue
        compute_text = value["compute"].strip()
        compute, reason = parse_compute(compute_text)
        if reason and reason != NO_COMPUTE:
            report.problem(f"line {line}: {shown(name)}: training compute {shown(compute_text)!r}: {reason}")
        raw_date = fold(value.get("published", ""))
        published = parse_date(raw_date) or ""
        if raw_date and not published:
            report.problem(f"line {line}: {shown(name)}: publication date {shown(raw_date)!r} is not an ISO date")
        elif published > latest_date:
            report.problem(f"line {line}: {shown(name)}: publication date {shown(raw_date)!r} is in the future "
                           f"(after {latest_date}): a mistake, read as no date")
            published = ""
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
            report.problem(f"announced ASL level for {name!r} not applied: {len(found)} Epoch rows have that name")
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
    """Base-model links in public data could loop (A's base is B, B's is A): drop the link that closes
    it. Each model is walked once (a chain already walked ends without a loop), so a chain of n models
    costs n steps, not n squared or cubed."""
    cut, done = 0, set()
    for model_id in sorted(models):
        path, on_path, current = [model_id], {model_id}, models[model_id]["parent_model_id"]
        while current and current not in done:
            if current in on_path:  # path[-1] -> current closes the loop
                models[path[-1]].update(parent_model_id="", derivation="pretrain")
                cut += 1
                break
            path.append(current)
            on_path.add(current)
            current = models.get(current, {}).get("parent_model_id", "")
        done.update(path)
    return cut
