"""Reading a CSV file into raw_<table>: an independent scan bounds every field and counts the
records first (dashboard/csvscan.py), then DuckDB's strict reader loads it; what the reader did not
return as written is found with Python's csv module and named by line."""
from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dashboard import csvscan
from dashboard.csvscan import LongRecord, StrayQuote, scan_csv
from dashboard.ingest.folder import SourceFile
from dashboard.ingest.problems import Problem, Kept
from dashboard.ingest.sources import check_columns


# csv fields may be large (long descriptions); the default limit is 128 KiB.
csv.field_size_limit(2**31 - 1)


def _decode_problems(path: Path) -> list[Problem]:
    """Lines that are not valid UTF-8, numbered as a text editor would (read line by line: the scan
    has bounded every line's length)."""
    problems = Kept(path.name)
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                bad = line[error.start:error.start + 4]
                problems.add(Problem(path.name, number, f"bytes {bad!r} are not valid UTF-8 (save the file as UTF-8)"))
    return problems.result()


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


def _structure_problems(source: SourceFile, width: int) -> list[Problem]:
    """Ragged rows, bad quoting and encoding errors, found by reading the file with Python's csv module."""
    problems = Kept(source.label)
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


def scan_problem(source: SourceFile, found) -> Problem:
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


def record_lines(source: SourceFile, wanted: set[int]) -> dict[int, int]:
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


def first_unread_line(con: duckdb.DuckDBPyConnection, source: SourceFile, header: list[str]) -> int | None:
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


def load_csv(con: duckdb.DuckDBPyConnection, source: SourceFile, warnings: list[str]) -> tuple[int, list[Problem]]:
    """Make raw_<table> of a CSV file, read once into a table (the strict reader finds structural
    problems up front); the number of rows read and the problems found."""
    spec = source.spec
    # First an independent pass: bounds every field before anything holds it, and counts the records.
    scan = scan_csv(source.path, csvscan.MAX_FIELD_BYTES, csvscan.MAX_RECORD_BYTES)
    if scan.problem is not None:
        return 0, [scan_problem(source, scan.problem)]
    header, problems = _csv_header(source)
    if problems:
        return 0, problems
    problems = check_columns(source, header, warnings)
    if problems:
        return 0, problems
    spec = source.spec  # without the optional columns the file leaves out
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
        line = first_unread_line(con, source, header)
        if line is not None:
            where = (f"the reader returned more rows than the file holds ({count:,}, not {data_records:,})"
                     if line == 0 else "this row (and maybe later ones) did not reach the snapshot as written")
            return count, [Problem(source.label, line or None,
                                   f"{where}: DuckDB's CSV reader returned {count:,} data row(s), the file "
                                   f"holds {data_records:,}; refused rather than publish a partial table")]
        data_records = count  # Python's csv module reads every row as DuckDB did
    source.rows = data_records
    return count, []
