"""Validated ingest of an input folder into a new snapshot, published atomically (DESIGN 2 and 3).

The published store is never written in place. Ingest builds a complete new DuckDB file beside it,
validates every row, and only when nothing is wrong does it CHECKPOINT and os.replace the new file
over the old one. A failed or killed ingest leaves the published file byte-identical; the next
ingest removes what a dead one left behind.
"""
from __future__ import annotations

import csv
import datetime as dt
import errno
import fcntl
import io
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.sqlfiles import internal_sql
from dashboard.tables import TABLES, TableSpec

# csv fields may be large (long descriptions); the default limit is 128 KiB.
csv.field_size_limit(2**31 - 1)

MAX_PROBLEMS_SHOWN = 500


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None  # as a text editor counts it: the header is line 1
    message: str
    row_label: str = "line"
    key: str | None = None  # a database row is named by its key: "deployments (deployment_id=d07): ..."

    def __str__(self) -> str:
        if self.key is not None:
            return f"{self.file} ({self.key}): {self.message}"
        where = f" {self.row_label} {self.line}" if self.line is not None else ""
        return f"{self.file}{where}: {self.message}"


class IngestError(Exception):
    """The input folder was refused. problems lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the input folder")

    def report(self, limit: int = MAX_PROBLEMS_SHOWN) -> str:
        lines = [str(problem) for problem in self.problems[:limit]]
        hidden = len(self.problems) - limit
        if hidden > 0:
            lines.append(f"... and {hidden:,} more problem(s) not shown")
        lines.append(f"Refused: {len(self.problems):,} problem(s). The published store was not changed.")
        return "\n".join(lines)


class IngestBusy(Exception):
    """Another ingest holds the store's lock."""


class TableSource:
    """A source that is not a folder (a database schema: dashboard/ingest_postgres.py).

    find_sources() returns objects that stand for source files (spec, label, kind, row_label) with
    load_raw(con, warnings) making raw_<table> and row_keys(con, row_indexes) naming rows in
    problems, and the problems found (missing tables or columns). description is recorded as the
    snapshot's source and must hold no secret; name is the default dataset name.
    """

    description: str = ""
    name: str = ""

    def find_sources(self) -> tuple[list, list[Problem]]:
        raise NotImplementedError

    def notes(self) -> str | None:
        return None


@dataclass
class IngestResult:
    store: Path
    row_counts: dict[str, int]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    snapshot_date: dt.date | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())

    def summary(self) -> str:
        rate = self.total_rows / self.seconds if self.seconds > 0 else float("inf")
        counts = ", ".join(f"{name} {count:,}" for name, count in self.row_counts.items())
        return (f"Published {self.store} ({self.total_rows:,} rows in {self.seconds:.1f} s, "
                f"{rate:,.0f} rows/s; data as of {self.snapshot_date}): {counts}")


# ---------------------------------------------------------------------------------------------
# Locking and leftovers


def _build_prefix(store: Path) -> str:
    return f".{store.name}.build-"


@contextmanager
def _store_lock(store: Path, wait_seconds: float, progress):
    """One ingest per store at a time. A second one waits up to wait_seconds, then is refused."""
    lock_path = store.with_name(f".{store.name}.lock")
    handle = open(lock_path, "a+")
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise IngestBusy(
                        f"another ingest is publishing to {store} right now; waited {wait_seconds:g} s. "
                        "Try again when it has finished.") from None
                if not told:
                    progress(f"Another ingest is publishing to {store}: waiting for it (up to {wait_seconds:g} s)...")
                    told = True
                time.sleep(0.2)
        yield
    finally:
        handle.close()  # closing releases the lock, also when the process dies


def _remove_leftovers(store: Path, progress) -> None:
    """Remove build files of ingests that died (we hold the lock, so none is alive)."""
    for leftover in sorted(store.parent.glob(_build_prefix(store) + "*")):
        try:
            leftover.unlink()
            progress(f"Removed {leftover.name}, left by an ingest that did not finish.")
        except FileNotFoundError:
            pass


# ---------------------------------------------------------------------------------------------
# Reading files


@dataclass
class SourceFile:
    spec: TableSpec
    path: Path
    kind: str  # "csv" or "parquet"

    @property
    def label(self) -> str:
        return self.path.name

    @property
    def row_label(self) -> str:
        return "line" if self.kind == "csv" else "row"


def _find_sources(src: Path) -> tuple[list[SourceFile], list[Problem]]:
    sources, problems = [], []
    for spec in TABLES:
        csv_path, parquet_path = src / f"{spec.name}.csv", src / f"{spec.name}.parquet"
        found = [p for p in (csv_path, parquet_path) if p.is_file()]
        if len(found) == 2:
            problems.append(Problem(csv_path.name, None,
                                    f"both {csv_path.name} and {parquet_path.name} exist; keep only one"))
        elif found:
            sources.append(SourceFile(spec, found[0], "csv" if found[0].suffix == ".csv" else "parquet"))
        elif spec.required:
            problems.append(Problem(csv_path.name, None,
                                    f"required file is missing (expected {csv_path.name} or {parquet_path.name} in {src})"))
    return sources, problems


def _decode_problems(path: Path, raw: bytes) -> list[Problem]:
    """Lines that are not valid UTF-8, numbered as a text editor would."""
    problems = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            bad = line[error.start:error.start + 4]
            problems.append(Problem(path.name, number,
                                    f"bytes {bad!r} are not valid UTF-8 (save the file as UTF-8)"))
    return problems


class _BadQuoting(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _csv_records(text: str, strict: bool = False):
    """Yield (start_line, fields) for every non-blank record, counting lines like an editor.

    strict: raise _BadQuoting (with the record's first line) for a quote that is never closed or a
    character after a closing quote, instead of reading on as the loose csv module does.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
    next_start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "end of data" in str(error) or "EOF" in str(error):
                message = ('a quoted field opened on this line is never closed (a " without its closing "): '
                           'quote whole fields, and double a quote inside one ("")')
            else:
                message = f'malformed quoting ({error}): quote whole fields, and double a quote inside one ("")'
            raise _BadQuoting(next_start, message) from None
        start, next_start = next_start, reader.line_num + 1
        if fields:  # blank lines are skipped by the loader too
            yield start, fields


def _read_text(path: Path) -> tuple[str | None, list[Problem]]:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return None, _decode_problems(path, raw)


def _csv_header(source: SourceFile) -> tuple[list[str] | None, list[Problem]]:
    path = source.path
    if path.stat().st_size == 0:
        return None, [Problem(path.name, 1, "file is empty: expected a header row with columns "
                              + ", ".join(source.spec.columns))]
    with open(path, "rb") as handle:
        first = handle.readline()
    # The header may hold quoted newlines only in pathological files; read a whole record.
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError:
        try:
            first.decode("utf-8")
        except UnicodeDecodeError:
            return None, [Problem(path.name, 1, "header is not valid UTF-8 (save the file as UTF-8)")]
        header = next(csv.reader(io.StringIO(first.decode("utf-8-sig"))), None)
    if not header or all(not name.strip() for name in header):
        return None, [Problem(path.name, 1, "header row is empty: expected columns " + ", ".join(source.spec.columns))]
    return [name.strip() for name in header], []


def _check_columns(source: SourceFile, header: list[str], warnings: list[str]) -> list[Problem]:
    problems = []
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(source.label, 1 if source.kind == "csv" else None,
                                    f'column "{name}" appears twice in the header'))
        seen.add(name)
    missing = [column for column in source.spec.columns if column not in seen]
    if missing:
        problems.append(Problem(source.label, 1 if source.kind == "csv" else None,
                                "missing column(s) " + ", ".join(missing)
                                + "; expected columns " + ", ".join(source.spec.columns)))
    extra = [name for name in header if name not in source.spec.columns]
    if extra:
        warnings.append(f"{source.label}: ignoring unknown column(s) " + ", ".join(extra))
    return problems


def _structure_problems(source: SourceFile, width: int) -> list[Problem]:
    """Ragged rows, bad quoting and encoding errors, found by reading the file with Python's csv module."""
    text, problems = _read_text(source.path)
    if text is None:
        return problems
    try:
        for start, fields in _csv_records(text, strict=True):
            if start == 1:
                continue
            if len(fields) != width:
                problems.append(Problem(source.label, start,
                                        f"row has {len(fields)} field(s), expected {width} like the header"))
    except _BadQuoting as error:
        problems.append(Problem(source.label, error.line, str(error)))
    return problems


def _may_have_extra_fields(path: Path, width: int, records: int) -> bool:
    """Whether a CSV the loader accepted may still hold rows with too many fields.

    DuckDB's reader silently drops empty fields at the end of a row ("a,b," under the header "a,b"),
    so such ragged rows must be found another way. Without quotes every record is one line of
    width - 1 commas (fewer fail the loader), so counting commas settles it in one fast pass; a
    file with quotes gets the exact check.
    """
    commas = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            if b'"' in chunk:
                return True
            commas += chunk.count(b",")
    return commas != (width - 1) * (records + 1)


def _record_lines(source: SourceFile) -> list[int]:
    """Start line of each data record, in load order (only needed when reporting problems)."""
    text, _ = _read_text(source.path)
    if text is None:
        return []
    return [start for start, _ in _csv_records(text) if start != 1]


def _load_raw(con: duckdb.DuckDBPyConnection, source: SourceFile, warnings: list[str]) -> tuple[int, list[Problem]]:
    """Make raw_<table>: row_index (the record's place in the file, from 0) and every column as text.

    A CSV is read once into a table (the strict reader finds structural problems up front). A
    Parquet file is only opened: raw_<table> is a view, so its rows are read once, while typing.
    A database table (a TableSource's) loads itself.
    """
    spec = source.spec
    if hasattr(source, "load_raw"):
        return source.load_raw(con, warnings)
    if source.kind == "csv":
        header, problems = _csv_header(source)
        if problems:
            return 0, problems
        problems = _check_columns(source, header, warnings)
        if problems:
            return 0, problems
        try:
            relation = con.read_csv(
                str(source.path), header=True, columns={name: "VARCHAR" for name in header},
                delimiter=",", quotechar='"', escapechar='"', strict_mode=True, null_padding=False,
                auto_detect=False, encoding="utf-8")
            relation.select(*[duckdb.ColumnExpression(column) for column in spec.columns]).create(f"rows_{spec.name}")
        except duckdb.Error as error:
            problems = _structure_problems(source, len(header))
            if not problems:
                problems = [Problem(source.label, None, f"cannot be read as CSV: {str(error).splitlines()[0]}")]
            return 0, problems
        con.table(f"rows_{spec.name}").select(
            duckdb.ColumnExpression("rowid").alias("row_index"),
            *[duckdb.ColumnExpression(column) for column in spec.columns]).create_view(f"raw_{spec.name}")
        count = con.table(f"raw_{spec.name}").count("*").fetchall()[0][0]
        if _may_have_extra_fields(source.path, len(header), count):
            problems = _structure_problems(source, len(header))
            if problems:
                return count, problems  # the rows were read all the same: they are checked too
        return count, []
    try:
        relation = con.read_parquet(str(source.path), file_row_number=True)
        problems = _check_columns(source, [name for name in relation.columns if name != "file_row_number"], warnings)
        if problems:
            return 0, problems
        relation.select(duckdb.ColumnExpression("file_row_number").alias("row_index"),
                        *[duckdb.ColumnExpression(column).cast(duckdb.sqltypes.VARCHAR).alias(column)
                          for column in spec.columns]).create_view(f"raw_{spec.name}")
        count = con.table(f"raw_{spec.name}").count("*").fetchall()[0][0]
    except duckdb.Error as error:
        return 0, [_unreadable_parquet(source, error)]
    return count, []


def _unreadable_parquet(source: SourceFile, error: duckdb.Error) -> Problem:
    return Problem(source.label, None, f"cannot be read as Parquet: {str(error).splitlines()[0]}")


def _create_empty_raw(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> None:
    empty = pd.DataFrame({"row_index": pd.Series([], dtype="int64"),
                          **{column: pd.Series([], dtype="object") for column in spec.columns}})
    con.from_df(empty).select(duckdb.ColumnExpression("row_index"),
                              *[duckdb.ColumnExpression(column).cast(duckdb.sqltypes.VARCHAR).alias(column)
                                for column in spec.columns]).create(f"empty_{spec.name}")
    con.table(f"empty_{spec.name}").create_view(f"raw_{spec.name}")  # replaces a view of an unreadable file


def _show_value(value) -> str:
    if value is None:
        return ""
    text = str(value).replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= 80 else text[:77] + "..."


def _row_problems(con: duckdb.DuckDBPyConnection, sources: dict[str, SourceFile],
                  across_rows: bool = True) -> list[Problem]:
    found = con.execute(internal_sql("ingest/row_problems.sql")).fetchall()
    if across_rows:
        found += con.execute(internal_sql("ingest/relations.sql")).fetchall()
    if not found:
        return []
    line_maps: dict[str, list[int]] = {}
    # A database table names its rows by their keys, looked up once for the rows with problems.
    keys = {table: source.row_keys(con, {r[1] for r in found if r[0] == table} | {r[5] for r in found if r[0] == table})
            for table, source in sources.items() if hasattr(source, "row_keys")}

    def where(table: str, row_index: int | None) -> int | None:
        if row_index is None:
            return None
        source = sources[table]
        if source.kind != "csv":
            return row_index + 1
        if table not in line_maps:
            line_maps[table] = _record_lines(source)
        lines = line_maps[table]
        return lines[row_index] if row_index < len(lines) else row_index + 2

    problems = []
    for table, row_index, column, value, expected, other_row in found:
        source = sources[table]
        if value is None or str(value).strip() == "":
            message = f"{column} is empty, expected {expected}"
        elif expected.startswith(("is ", "leads ")):
            message = f'{column} "{_show_value(value)}" {expected}'
        else:
            message = f'{column} "{_show_value(value)}" is not {expected}'
        if table in keys:
            if other_row is not None:
                other = keys[table].get(other_row)
                message += " (another row has the same key)" if other == keys[table].get(row_index) else f" (see {other})"
            key = None if row_index is None else keys[table].get(row_index, f"row {row_index + 1}")
            problems.append(Problem(source.label, None if row_index is None else row_index + 1, message,
                                    source.row_label, key))
            continue
        if other_row is not None:
            message += f" (see {source.row_label} {where(table, other_row)})"
        problems.append(Problem(source.label, where(table, row_index), message, source.row_label))
    return problems


def _type_rows(con: duckdb.DuckDBPyConnection, spec: TableSpec, source: SourceFile | None, rows: int,
               progress) -> list[Problem]:
    """Run typed_<table>.sql: every value parsed once, each row's own problems listed.

    A Parquet file is first read here, so a damaged one is reported here; its rows are then left out.
    """
    began = time.perf_counter()
    try:
        con.execute(internal_sql(f"ingest/typed_{spec.name}.sql"))
    except duckdb.Error as error:
        if source is None or source.kind != "parquet":
            raise
        _create_empty_raw(con, spec)
        con.execute(internal_sql(f"ingest/typed_{spec.name}.sql"))
        return [_unreadable_parquet(source, error)]
    seconds = time.perf_counter() - began
    if seconds >= 0.5:
        progress(f"  {spec.name}: {rows:,} rows typed and checked ({seconds:.1f} s, {rows / seconds:,.0f} rows/s)")
    return []


# ---------------------------------------------------------------------------------------------
# The ingest


def ingest(src: Path | str, store: Path | str, *, progress=print, dataset: str | None = None,
           wait_seconds: float = 30.0) -> IngestResult:
    """Validate the folder src and publish it as the snapshot at store.

    Raises IngestError (every problem found) or IngestBusy; in both cases the store is untouched.
    src may also be a TableSource (a database schema), whose own errors pass through as they are.
    """
    store = Path(store).resolve()
    if not isinstance(src, TableSource):
        src = Path(src).resolve()
        if not src.is_dir():
            raise IngestError([Problem(str(src), None, "is not a folder of input files")])
    store.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with _store_lock(store, wait_seconds, progress):
        _remove_leftovers(store, progress)
        build = store.with_name(f"{_build_prefix(store)}{os.getpid()}")
        try:
            result = _build_snapshot(src, build, progress, dataset or src.name)
            os.replace(build, store)
            _fsync_dir(store.parent)
        finally:
            for path in (build, build.with_name(build.name + ".wal")):
                if path.exists():
                    path.unlink()
    result.store = store
    result.seconds = time.perf_counter() - started
    return result


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _build_snapshot(src: Path, build: Path, progress, dataset: str) -> IngestResult:
    warnings: list[str] = []
    sources, problems = src.find_sources() if isinstance(src, TableSource) else _find_sources(src)
    con = duckdb.connect(":memory:")
    try:
        con.execute(internal_sql("ingest/session.sql"))
        con.execute(internal_sql("ingest/macros.sql"))
        row_counts: dict[str, int] = {}
        by_table = {source.spec.name: source for source in sources}
        for spec in TABLES:
            source = by_table.get(spec.name)
            if source is None:
                _create_empty_raw(con, spec)
                row_counts[spec.name] = 0
                continue
            began = time.perf_counter()
            count, file_problems = _load_raw(con, source, warnings)
            problems += file_problems
            if file_problems:
                if not count:  # nothing could be read: the file's rows are not checked
                    _create_empty_raw(con, spec)
            elif source.kind == "csv":
                seconds = time.perf_counter() - began
                progress(f"  read {source.label}: {count:,} rows ({seconds:.1f} s, {count / max(seconds, 1e-9):,.0f} rows/s)")
            row_counts[spec.name] = count
        for warning in warnings:
            progress(f"  warning: {warning}")
        progress("  checking every row ...")
        for spec in TABLES:
            problems += _type_rows(con, spec, by_table.get(spec.name), row_counts[spec.name], progress)
        # With a file missing or unreadable, only each row's own values are checked: checks across
        # rows and tables on a half-read folder would only add noise.
        problems += _row_problems(con, by_table, across_rows=not problems)
        if problems:
            problems.sort(key=lambda p: (p.file, p.key or "", p.line if p.line is not None else -1))
            raise IngestError(problems)
        progress("  writing the new snapshot ...")
        con.execute(internal_sql("ingest/attach_build.sql"), {"path": str(build)})
        con.execute(internal_sql("ingest/publish.sql"))
        con.execute(internal_sql("ingest/snapshot_info.sql"), {
            "published_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            "source": src.description if isinstance(src, TableSource) else str(src),
            "dataset": dataset,
            "row_counts": json.dumps(row_counts),
            # An optional ATTRIBUTION.md in the folder (sources, licences, caveats) travels with the snapshot.
            "notes": src.notes() if isinstance(src, TableSource)
            else (src / "ATTRIBUTION.md").read_text(encoding="utf-8", errors="replace")[:20000]
            if (src / "ATTRIBUTION.md").is_file() else None,
        })
        snapshot_date = con.execute(internal_sql("ingest/snapshot_date.sql")).fetchone()[0]
        con.execute(internal_sql("ingest/detach_build.sql"))
        return IngestResult(store=build, row_counts=row_counts, seconds=0.0, warnings=warnings,
                            snapshot_date=snapshot_date)
    finally:
        con.close()
