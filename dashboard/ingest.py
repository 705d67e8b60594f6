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
import math
import os
import shutil
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import csvscan
from dashboard.csvscan import LongRecord, StrayQuote, scan_csv
from dashboard.params import neutralise
from dashboard.sqlfiles import internal_sql
from dashboard.store import StoreError
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


# Problems kept per check: a folder with millions of bad rows is refused with the first ones and an
# exact count, without holding millions of messages in memory.
MAX_PROBLEMS_KEPT = 10_000


class IngestError(Exception):
    """The input folder was refused. problems lists the problems found (at most MAX_PROBLEMS_KEPT of
    each check); total counts them all."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = problems
        self.total = len(problems) if total is None else total
        super().__init__(f"{self.total} problem(s) in the input folder")

    def report(self, limit: int = MAX_PROBLEMS_SHOWN) -> str:
        lines = [str(problem) for problem in self.problems[:limit]]
        hidden = self.total - min(limit, len(self.problems))
        if hidden > 0:
            lines.append(f"... and {hidden:,} more problem(s) not shown")
        lines.append(f"Refused: {self.total:,} problem(s). The published store was not changed.")
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


class SourceError(Exception):
    """A database source could not be read (connection, permissions, timeouts). One line, no password."""


def ingest_outcome(run, say, scrub=lambda text: text) -> int:
    """Run an ingest (run() returns its IngestResult) and turn its outcome into the command's exit
    status and one message, for a folder and a database alike: 0 published, 1 refused (problems in
    the data), 2 the store cannot be published to, 3 another ingest is running, 4 the source could
    not be read. scrub: what every message goes through (a database URL's password is taken out)."""
    try:
        result = run()
    except IngestError as error:
        say(scrub(error.report()))
        return 1
    except PublishError as error:
        say(f"error: {scrub(str(error))}")
        return 2
    except IngestBusy as error:
        say(f"error: {scrub(str(error))}")
        return 3
    except SourceError as error:
        say(f"error: {scrub(str(error))}")
        return 4
    say(result.summary())
    return 0


class PublishError(StoreError):
    """The store cannot be published to (a folder, a file this tool did not publish, a read-only or
    full disk, a bad --wait). The message is one line naming the path and the cause. A StoreError, so
    the app and every command that builds the default store show it as one line too."""


# DuckDB's memory for one ingest: its buffer pool spills to a folder beside the store above this,
# so the whole process (Python, pandas, pyarrow and DuckDB) stays under 1 GB on any input folder.
INGEST_MEMORY_LIMIT = "500MB"


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
    try:
        handle = open(lock_path, "a+")
    except OSError as error:
        raise PublishError(f"{store} cannot be written: {error.strerror} ({lock_path})") from None
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
    """Remove build files (and spill folders) of ingests that died (we hold the lock, so none is alive)."""
    for leftover in sorted(store.parent.glob(_build_prefix(store) + "*")):
        try:
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
            progress(f"Removed {leftover.name}, left by an ingest that did not finish.")
        except FileNotFoundError:
            pass


DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 11 of every DuckDB database file


def _why_not_replaceable(store: Path, open_it: bool = True) -> str | None:
    """Why ingest must not replace what is at store (None: nothing there, or a store this tool published).

    open_it=False checks only the kind of file and DuckDB's magic bytes (no attach: about 40 ms less).
    """
    if not os.path.lexists(store):
        return None
    if store.is_dir():
        return "is a folder, not a store file: give the path of a file, e.g. --store " + str(store / "asl.duckdb")
    if not store.is_file():
        return "is not a regular file: ingest replaces only a store it published"
    try:
        with open(store, "rb") as handle:
            head = handle.read(16)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if head[8:12] != DUCKDB_MAGIC:
        return ("is not a DuckDB file, so not a store this tool published: it is left as it is "
                "(choose another --store, or move the file away)")
    if not open_it:
        return None
    con = duckdb.connect(":memory:")
    try:
        con.execute(internal_sql("attach_store.sql"), {"path": str(store)})
        marked = con.execute(internal_sql("ingest/published_marker.sql")).fetchone()[0]
    except duckdb.Error as error:
        return (f"is a DuckDB file that cannot be read ({str(error).splitlines()[0]}): it is left as it is; "
                "if it is a damaged store, delete it and ingest again")
    finally:
        con.close()
    if not marked:
        return ("is a DuckDB database that this tool did not publish (it has no snapshot_info table): it is "
                "left as it is (choose another --store, or move the file away)")
    return None


def _check_store_path(store: Path, wait_seconds: float) -> None:
    """Everything about the store that can be checked before any work starts."""
    if not isinstance(wait_seconds, (int, float)) or not math.isfinite(wait_seconds) or wait_seconds < 0:
        raise PublishError(f"--wait {wait_seconds!r} is not a number of seconds: give a finite number >= 0")
    refusal = _why_not_replaceable(store)
    if refusal:
        raise PublishError(f"{store} {refusal}")
    parent = store.parent
    if os.path.lexists(parent) and not parent.is_dir():
        raise PublishError(f"{store} cannot be written: {parent} is not a folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(f"{store} cannot be written: cannot create the folder {parent} ({error.strerror})") from None


# ---------------------------------------------------------------------------------------------
# Reading files


@dataclass
class SourceFile:
    spec: TableSpec
    path: Path
    kind: str  # "csv" or "parquet"
    rows: int | None = None  # data rows counted without DuckDB's reader (the CSV scan, the Parquet footer)

    @property
    def label(self) -> str:
        return self.path.name

    @property
    def row_label(self) -> str:
        return "line" if self.kind == "csv" else "row"


def _not_a_regular_file(src: Path, path: Path) -> str | None:
    """Why ingest will not read path (an entry of the folder src), or None for a regular file in src.

    Ingest reads only regular files inside the input folder: a symbolic link leading out of it could
    put any file of the machine (a secret, /proc/self/environ) into the snapshot, and a FIFO or a
    device could block or never end.
    """
    try:
        info = os.lstat(path)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(src):
            return (f"is a symbolic link leading outside the input folder (to {target}): ingest reads only "
                    "regular files inside the folder; copy the file into it instead")
        try:
            info = os.stat(path)
        except OSError as error:
            return f"is a symbolic link to {target}, which cannot be read ({error.strerror})"
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]
    for test, kind in kinds:
        if test(info.st_mode):
            return f"is {kind}, not a regular file: ingest reads only regular files"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file: ingest reads only regular files"
    return None


def _find_sources(src: Path) -> tuple[list[SourceFile], list[Problem]]:
    sources, problems = [], []
    for spec in TABLES:
        csv_path, parquet_path = src / f"{spec.name}.csv", src / f"{spec.name}.parquet"
        found = [p for p in (csv_path, parquet_path) if os.path.lexists(p)]
        if len(found) == 2:
            problems.append(Problem(csv_path.name, None,
                                    f"both {csv_path.name} and {parquet_path.name} exist; keep only one"))
        elif found:
            refusal = _not_a_regular_file(src, found[0])
            if refusal:
                problems.append(Problem(found[0].name, None, refusal))
            else:
                sources.append(SourceFile(spec, found[0], "csv" if found[0].suffix == ".csv" else "parquet"))
        elif spec.required:
            problems.append(Problem(csv_path.name, None,
                                    f"required file is missing (expected {csv_path.name} or {parquet_path.name} in {src})"))
    return sources, problems


def _decode_problems(path: Path) -> list[Problem]:
    """Lines that are not valid UTF-8, numbered as a text editor would (read line by line: the scan
    has bounded every line's length)."""
    problems = _Kept(path.name)
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                bad = line[error.start:error.start + 4]
                problems.add(Problem(path.name, number, f"bytes {bad!r} are not valid UTF-8 (save the file as UTF-8)"))
    return problems.result()


class _Kept:
    """At most MAX_PROBLEMS_KEPT problems of one file; the rest are counted and said in one more line."""

    def __init__(self, label: str):
        self.label, self.problems, self.hidden = label, [], 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)
        else:
            self.hidden += 1

    def result(self) -> list[Problem]:
        if not self.hidden:
            return self.problems
        return self.problems + [Problem(self.label, None, f"and {self.hidden:,} more line(s) with problems like these")]


class _BadQuoting(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _csv_records(handle, strict: bool = False):
    """Yield (start_line, fields) for every non-blank record of a text file opened with newline="",
    counting lines like an editor. Records are read one at a time: memory stays small.

    strict: raise _BadQuoting (with the record's first line) for a quote that is never closed or a
    character after a closing quote, instead of reading on as the loose csv module does.
    """
    reader = csv.reader(handle, strict=strict)
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


@contextmanager
def _open_text(path: Path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        yield handle


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
    problems = _Kept(source.label)
    try:
        with _open_text(source.path) as handle:
            for start, fields in _csv_records(handle, strict=True):
                if start == 1:
                    continue
                if len(fields) != width:
                    problems.add(Problem(source.label, start,
                                         f"row has {len(fields)} field(s), expected {width} like the header"))
    except _BadQuoting as error:
        problems.add(Problem(source.label, error.line, str(error)))
    except UnicodeDecodeError:
        return _decode_problems(source.path)
    return problems.result()


def _scan_problem(source: SourceFile, found) -> Problem:
    """The problem the CSV scan stopped at, with the column named from the header when it can be read."""
    if isinstance(found, StrayQuote):
        return Problem(source.label, found.line,
                       'a quote inside a field that does not start with one, or text after a closing quote: '
                       'quote the whole field and double each quote inside it ("say ""hi""")')
    if isinstance(found, LongRecord):
        return Problem(source.label, found.line,
                       f"row is longer than {csvscan.MAX_RECORD_BYTES:,} bytes, the limit for one row "
                       f"(it has at least {found.size:,})")
    name = f"column {found.column + 1}" + (" of the header" if found.line == 1 else "")
    if found.line > 1:
        header, problems = _csv_header(source)
        if not problems and found.column < len(header):
            name = header[found.column]
    return Problem(source.label, found.line,
                   f"{name} is longer than {csvscan.MAX_FIELD_BYTES:,} bytes, the limit for one field "
                   f"(it has at least {found.size:,}; if it should be shorter, a quote opened in it is never closed)")


def _record_lines(source: SourceFile, wanted: set[int]) -> dict[int, int]:
    """Start line of the data records at the wanted places (from 0, in load order), in one pass."""
    lines: dict[int, int] = {}
    if not wanted:
        return lines
    last = max(wanted)
    with _open_text(source.path) as handle:
        index = -1
        for start, _ in _csv_records(handle):
            if start == 1:
                continue
            index += 1
            if index in wanted:
                lines[index] = start
            if index >= last:
                break
    return lines


def _first_unread_line(con: duckdb.DuckDBPyConnection, source: SourceFile, header: list[str]) -> int | None:
    """The line of the first record that DuckDB's reader did not return as Python's csv module reads
    it; 0 when the reader returned rows after the file's last record; None when both agree on every row."""
    positions = [header.index(column) for column in source.spec.columns]
    rows = (con.table(f"rows_{source.spec.name}").sort(duckdb.ColumnExpression("rowid"))
            .select(*[duckdb.ColumnExpression(column) for column in source.spec.columns]))
    batches = rows.to_arrow_reader(10_000)
    pending: list[tuple] = []
    with _open_text(source.path) as handle:
        for start, fields in _csv_records(handle):
            if start == 1:
                continue
            if not pending:
                try:
                    batch = batches.read_next_batch()
                except StopIteration:
                    return start  # the reader returned fewer rows than the file holds
                pending = list(zip(*(column.to_pylist() for column in batch.columns)))[::-1]
                if not pending:
                    return start
            row = pending.pop()
            read = tuple("" if value is None else value for value in row)
            if tuple(fields[p] if p < len(fields) else "" for p in positions) != read:
                return start
    if pending:
        return 0
    for batch in batches:
        if batch.num_rows:
            return 0
    return None


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
        # First an independent pass: bounds every field before anything holds it, and counts the records.
        scan = scan_csv(source.path, csvscan.MAX_FIELD_BYTES, csvscan.MAX_RECORD_BYTES)
        if scan.problem is not None:
            return 0, [_scan_problem(source, scan.problem)]
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
                auto_detect=False, encoding="utf-8", max_line_size=csvscan.MAX_RECORD_BYTES + 2,
                buffer_size=2 * csvscan.MAX_RECORD_BYTES + 4)  # not DuckDB's 16 x max_line_size per thread
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
        data_records = max(scan.records - 1, 0)
        if scan.commas != (len(header) - 1) * scan.records:
            # DuckDB's reader drops empty fields at the end of a row ("a,b," under the header "a,b"):
            # the commas outside quotes show that some row is not as wide as the header.
            problems = _structure_problems(source, len(header))
            if problems:
                return count, problems  # the rows were read all the same: they are checked too
        if count != data_records:
            line = _first_unread_line(con, source, header)
            if line is not None:
                where = (f"the reader returned more rows than the file holds ({count:,}, not {data_records:,})"
                         if line == 0 else "this row (and maybe later ones) did not reach the snapshot as written")
                return count, [Problem(source.label, line or None,
                                       f"{where}: DuckDB's CSV reader returned {count:,} data row(s), the file "
                                       f"holds {data_records:,}; refused rather than publish a partial table")]
            data_records = count  # Python's csv module reads every row as DuckDB did
        source.rows = data_records
        return count, []
    try:
        relation = con.read_parquet(str(source.path), file_row_number=True)
        problems = _check_columns(source, [name for name in relation.columns if name != "file_row_number"], warnings)
        if problems:
            return 0, problems
        problems = _parquet_type_problems(source, relation)
        if problems:
            return 0, problems
        relation.select(duckdb.ColumnExpression("file_row_number").alias("row_index"),
                        *[duckdb.ColumnExpression(column).cast(duckdb.sqltypes.VARCHAR).alias(column)
                          for column in spec.columns]).create_view(f"raw_{spec.name}")
        problems = _oversized_values(con, source)
        if problems:
            return 0, problems
        count = con.table(f"raw_{spec.name}").count("*").fetchall()[0][0]
    except duckdb.Error as error:
        return 0, [_unreadable_parquet(source, error)]
    try:  # the footer as pyarrow reads it: the count the snapshot is checked against
        source.rows = pq.ParquetFile(source.path).metadata.num_rows
    except (OSError, ValueError, pa.ArrowException) as error:
        return 0, [Problem(source.label, None, f"cannot be read as Parquet: {str(error).splitlines()[0]}")]
    return count, []


# The Parquet column types that hold what the contract describes (text, whole numbers, numbers,
# booleans, dates, timestamps); each value is read as text and checked like a CSV value. Lists,
# structs, maps, binary and the rest have no place in the contract.
PARQUET_TYPES = frozenset({
    "varchar", "boolean", "tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint",
    "uinteger", "ubigint", "uhugeint", "float", "double", "decimal", "date", "timestamp", "timestamp_s",
    "timestamp_ms", "timestamp_ns", "timestamp with time zone", "null"})


def _parquet_type_problems(source: SourceFile, relation: duckdb.DuckDBPyRelation) -> list[Problem]:
    types = dict(zip(relation.columns, relation.dtypes))
    return [Problem(source.label, None,
                    f"{column} has the Parquet type {types[column]}, which the contract has no place for: "
                    "write it as a string column (or a number, boolean, date or timestamp where the contract has one)")
            for column in source.spec.columns if types[column].id not in PARQUET_TYPES]


def _oversized_values(con: duckdb.DuckDBPyConnection, source: SourceFile, named: int = 10) -> list[Problem]:
    """The first rows of raw_<table> with a value (as text) over the field limit, or all of them
    together over the row limit: the same limits as a CSV file's, before anything is typed."""
    sizes = [duckdb.CoalesceOperator(duckdb.FunctionExpression("strlen", duckdb.ColumnExpression(c)),
                                     duckdb.ConstantExpression(0)) for c in source.spec.columns]
    row_bytes = sizes[0]
    for size in sizes[1:]:
        row_bytes = row_bytes + size
    too_long = row_bytes > duckdb.ConstantExpression(csvscan.MAX_RECORD_BYTES)
    for size in sizes:
        too_long = too_long | (size > duckdb.ConstantExpression(csvscan.MAX_FIELD_BYTES))
    found = (con.table(f"raw_{source.spec.name}").filter(too_long)
             .select(duckdb.ColumnExpression("row_index"), *[size.alias(c) for size, c in zip(sizes, source.spec.columns)],
                     row_bytes.alias("row_bytes"))
             .sort(duckdb.ColumnExpression("row_index")).limit(named).fetchall())
    problems = []
    for row_index, *column_sizes, total in found:
        over = [(c, size) for c, size in zip(source.spec.columns, column_sizes) if size > csvscan.MAX_FIELD_BYTES]
        messages = [f"{c} is longer than {csvscan.MAX_FIELD_BYTES:,} bytes, the limit for one field (it has {size:,})"
                    for c, size in over] or [f"row is longer than {csvscan.MAX_RECORD_BYTES:,} bytes, the limit for "
                                             f"one row (it has {total:,})"]
        problems += [Problem(source.label, row_index + 1, message, source.row_label) for message in messages]
    return problems


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
    text = neutralise(value)  # \r and \n as \x0d and \x0a; no ESC sequence reaches the terminal
    return text if len(text) <= 80 else text[:77] + "..."


def _kept_rows(con: duckdb.DuckDBPyConnection, name: str) -> tuple[list[tuple], int]:
    """The rows of ingest/NAME (at most MAX_PROBLEMS_KEPT, the first by table and row) and their count."""
    relation = con.sql(internal_sql(name))
    rows = relation.limit(MAX_PROBLEMS_KEPT + 1).fetchall()
    if len(rows) <= MAX_PROBLEMS_KEPT:
        return rows, len(rows)
    total = relation.count("*").fetchall()[0][0]
    table, row = (duckdb.ColumnExpression(column) for column in relation.columns[:2])
    return relation.sort(table, row).limit(MAX_PROBLEMS_KEPT).fetchall(), total


def _row_problems(con: duckdb.DuckDBPyConnection, sources: dict[str, SourceFile],
                  across_rows: bool = True) -> tuple[list[Problem], int]:
    """The problems of rows (kept ones) and how many there are in all."""
    found, total = _kept_rows(con, "ingest/row_problems.sql")
    if across_rows:
        more, more_total = _kept_rows(con, "ingest/relations.sql")
        found, total = found + more, total + more_total
    if not found:
        return [], total
    # A database table names its rows by their keys, looked up once for the rows with problems.
    keys = {table: source.row_keys(con, {r[1] for r in found if r[0] == table} | {r[5] for r in found if r[0] == table})
            for table, source in sources.items() if hasattr(source, "row_keys")}
    wanted: dict[str, set[int]] = {}
    for table, row_index, _column, _value, _expected, other_row in found:
        if sources[table].kind == "csv":
            wanted.setdefault(table, set()).update(i for i in (row_index, other_row) if i is not None)
    line_maps = {table: _record_lines(sources[table], indexes) for table, indexes in wanted.items()}

    def where(table: str, row_index: int | None) -> int | None:
        if row_index is None:
            return None
        source = sources[table]
        if source.kind != "csv":
            return row_index + 1
        return line_maps[table].get(row_index, row_index + 2)

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
    return problems, total


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

    Raises IngestError (every problem found), IngestBusy or PublishError (the store path cannot take a
    snapshot: checked before any work where possible); in every case the store is untouched.
    src may also be a TableSource (a database schema), whose own errors pass through as they are.
    """
    store = Path(store).resolve()
    if not isinstance(src, TableSource):
        src = Path(src).resolve()
        if not src.is_dir():
            raise IngestError([Problem(str(src), None, "is not a folder of input files")])
    _check_store_path(store, wait_seconds)
    started = time.perf_counter()
    with _store_lock(store, wait_seconds, progress):
        _remove_leftovers(store, progress)
        refusal = _why_not_replaceable(store, open_it=False)  # again, now that no other ingest can publish
        if refusal:
            raise PublishError(f"{store} {refusal}")
        build = store.with_name(f"{_build_prefix(store)}{os.getpid()}")
        spill = build.with_name(build.name + ".tmp")
        try:
            result = _build_snapshot(src, build, spill, progress, dataset or src.name)
            os.replace(build, store)
            _fsync_dir(store.parent)
        except (OSError, duckdb.Error) as error:
            if isinstance(error, duckdb.Error) and not _is_io_error(error):
                raise
            raise PublishError(f"{store} was not published: {_cause(error)}") from None
        finally:
            for path in (build, build.with_name(build.name + ".wal")):
                if path.exists():
                    path.unlink()
            shutil.rmtree(spill, ignore_errors=True)
    result.store = store
    result.seconds = time.perf_counter() - started
    return result


def _prove_every_row_arrived(con: duckdb.DuckDBPyConnection, sources: dict[str, SourceFile],
                             row_counts: dict[str, int]) -> None:
    """Every data row of every file is in the snapshot: the rows counted without DuckDB's reader
    (SourceFile.rows) are the rows read, typed and published, or the ingest is refused."""
    problems = []
    for table, typed_rows, published_rows in con.execute(internal_sql("ingest/published_counts.sql")).fetchall():
        source = sources.get(table)
        # A folder's files are counted without DuckDB's reader; a database table's rows are what it sent.
        counted = getattr(source, "rows", None)
        expected = counted if counted is not None else row_counts[table]
        for step, rows in (("read", row_counts[table]), ("typed", typed_rows), ("published", published_rows)):
            if rows is not None and rows != expected:
                label = source.label if source is not None else f"{table}.csv"
                problems.append(Problem(label, None, f"the file holds {expected:,} data row(s) but {rows:,} were {step}: "
                                                     "refused rather than publish a partial table"))
                break
    if problems:
        raise IngestError(problems)


_IO_MARKERS = ("No space left on device", "Read-only file system", "Permission denied", "Disk quota exceeded",
               "File too large", "Input/output error")


def _is_io_error(error: duckdb.Error) -> bool:
    """A DuckDB error caused by the disk (full, read-only, ...), not by the data or the SQL."""
    return (isinstance(error, (duckdb.IOException, duckdb.OutOfMemoryException))
            or any(marker in str(error) for marker in _IO_MARKERS))


def _cause(error: Exception) -> str:
    """The one line that says what went wrong (for DuckDB's errors, without its advice paragraphs)."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}" + (f" ({error.filename})" if error.filename else "")
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    for marker in _IO_MARKERS:
        if marker in str(error):
            return f"{marker} ({text})"
    return text


def _attribution(src: Path) -> tuple[str | None, Problem | None]:
    """An optional ATTRIBUTION.md in the folder (sources, licences, caveats) travels with the snapshot.
    Like the data files, it is read only when it is a regular file inside the folder (a link to a
    secret would show the secret to every viewer), and only its first 20,000 characters."""
    path = src / "ATTRIBUTION.md"
    if not os.path.lexists(path):
        return None, None
    refusal = _not_a_regular_file(src, path)
    if refusal:
        return None, Problem(path.name, None, refusal)
    with open(path, "rb") as handle:
        return handle.read(80_000).decode("utf-8", errors="replace")[:20000], None


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _build_snapshot(src: Path, build: Path, spill: Path, progress, dataset: str) -> IngestResult:
    warnings: list[str] = []
    if isinstance(src, TableSource):
        sources, problems = src.find_sources()
        notes = src.notes()
    else:
        sources, problems = _find_sources(src)
        notes, notes_problem = _attribution(src)
        if notes_problem:
            problems.append(notes_problem)
    # The publish time, fixed before any row is checked: no date in the data may be after it.
    published_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    con = duckdb.connect(":memory:", config={"memory_limit": INGEST_MEMORY_LIMIT, "temp_directory": str(spill)})
    try:
        con.execute(internal_sql("ingest/session.sql"))
        con.execute(internal_sql("ingest/publish_time.sql"), {"published_at": published_at})
        con.execute(internal_sql("ingest/macros.sql"))
        con.execute(internal_sql("shared_rules.sql"))  # the rules the readers apply too (publish.sql)
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
        kept, row_total = _row_problems(con, by_table, across_rows=not problems)
        total = len(problems) + row_total
        problems += kept
        if problems:
            problems.sort(key=lambda p: (p.file, p.key or "", p.line if p.line is not None else -1))
            raise IngestError(problems, total)
        progress("  writing the new snapshot ...")
        con.execute(internal_sql("ingest/attach_build.sql"), {"path": str(build)})
        con.execute(internal_sql("ingest/publish.sql"))
        _prove_every_row_arrived(con, by_table, row_counts)
        con.execute(internal_sql("ingest/snapshot_info.sql"), {
            "published_at": published_at,
            "source": src.description if isinstance(src, TableSource) else str(src),
            "dataset": dataset,
            "row_counts": json.dumps(row_counts),
            "notes": notes,
        })
        snapshot_date = con.execute(internal_sql("ingest/snapshot_date.sql")).fetchone()[0]
        con.execute(internal_sql("ingest/detach_build.sql"))
        return IngestResult(store=build, row_counts=row_counts, seconds=0.0, warnings=warnings,
                            snapshot_date=snapshot_date)
    finally:
        con.close()
