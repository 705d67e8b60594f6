"""Opening a Parquet file as raw_<table>: its column types checked against the contract, every
value as text under the same limits as a CSV file's, its row count from the footer."""
from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import csvscan
from dashboard.ingest.folder import SourceFile
from dashboard.ingest.problems import Problem
from dashboard.ingest.sources import check_columns


def load_parquet(con: duckdb.DuckDBPyConnection, source: SourceFile, warnings: list[str]) -> tuple[int, list[Problem]]:
    """Make raw_<table> of a Parquet file. The file is only opened: raw_<table> is a view, so its rows
    are read once, while typing. The size limits ride on that read: a value over them stops it
    (OVERSIZED), and oversized_problems() then names the rows."""
    spec = source.spec
    try:
        relation = con.read_parquet(str(source.path), file_row_number=True)
        problems = check_columns(source, [name for name in relation.columns if name != "file_row_number"], warnings)
        if problems:
            return 0, problems
        spec = source.spec  # without the optional columns the file leaves out
        problems = _parquet_type_problems(source, relation)
        if problems:
            return 0, problems
        texts = [duckdb.ColumnExpression(column).cast(duckdb.sqltypes.VARCHAR).alias(column) for column in spec.columns]
        relation.select(duckdb.ColumnExpression("file_row_number").alias("row_index"), *texts) \
            .create_view(f"unchecked_{spec.name}")
        # Every row the typing reads passes the limits first: row_index (which every typing reads) is
        # an error for a row over them, so the file is read once for both.
        row_index = duckdb.CaseExpression(_too_long(spec.columns), duckdb.FunctionExpression(
            "error", duckdb.ConstantExpression(OVERSIZED))).otherwise(duckdb.ColumnExpression("row_index"))
        con.table(f"unchecked_{spec.name}").select(row_index.alias("row_index"),
                                                   *[duckdb.ColumnExpression(c) for c in spec.columns]) \
            .create_view(f"raw_{spec.name}")
        count = con.table(f"unchecked_{spec.name}").count("*").fetchall()[0][0]
    except duckdb.Error as error:
        return 0, [unreadable_parquet(source, error)]
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


# The message of the error that stops a read at a value over the limits (the Parquet value is not in it).
OVERSIZED = "a value over the size limits"


def _sizes(columns: list[str]) -> tuple[list, duckdb.Expression]:
    """Each column's length as text (0 when empty) and the row's, as expressions."""
    sizes = [duckdb.CoalesceOperator(duckdb.FunctionExpression("strlen", duckdb.ColumnExpression(c)),
                                     duckdb.ConstantExpression(0)) for c in columns]
    row_bytes = sizes[0]
    for size in sizes[1:]:
        row_bytes = row_bytes + size
    return sizes, row_bytes


def _too_long(columns: list[str]) -> duckdb.Expression:
    """A row with a value (as text) over the field limit, or all of them together over the row limit:
    the same limits as a CSV file's."""
    sizes, row_bytes = _sizes(columns)
    too_long = row_bytes > duckdb.ConstantExpression(csvscan.MAX_RECORD_BYTES)
    for size in sizes:
        too_long = too_long | (size > duckdb.ConstantExpression(csvscan.MAX_FIELD_BYTES))
    return too_long


def oversized_problems(con: duckdb.DuckDBPyConnection, source: SourceFile, named: int = 10) -> list[Problem]:
    """The first rows of the file with a value over the limits (_too_long), after a read stopped at
    one: the file is read again, only on that path."""
    sizes, row_bytes = _sizes(source.spec.columns)
    found = (con.table(f"unchecked_{source.spec.name}").filter(_too_long(source.spec.columns))
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


def unreadable_parquet(source: SourceFile, error: duckdb.Error) -> Problem:
    return Problem(source.label, None, f"cannot be read as Parquet: {str(error).splitlines()[0]}")
