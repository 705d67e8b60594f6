"""Checking the rows: every value typed once (typed_<table>.sql), each row's own problems and those
across rows and tables (row_problems.sql, relations.sql), and, once written, that every row counted
in the source arrived in the snapshot."""
from __future__ import annotations

import time

import duckdb

from dashboard.ingest.csv_file import record_lines
from dashboard.ingest.folder import SourceFile
from dashboard.ingest.parquet_file import oversized_problems, unreadable_parquet
from dashboard.ingest.problems import MAX_PROBLEMS_KEPT, IngestError, Problem, show_value
from dashboard.ingest.sources import create_empty_raw
from dashboard.sqlfiles import internal_sql
from dashboard.tables import TableSpec


def _kept_rows(con: duckdb.DuckDBPyConnection, name: str) -> tuple[list[tuple], int]:
    """The rows of ingest/NAME (at most MAX_PROBLEMS_KEPT, the first by table and row) and their count."""
    relation = con.sql(internal_sql(name))
    rows = relation.limit(MAX_PROBLEMS_KEPT + 1).fetchall()
    if len(rows) <= MAX_PROBLEMS_KEPT:
        return rows, len(rows)
    total = relation.count("*").fetchall()[0][0]
    table, row = (duckdb.ColumnExpression(column) for column in relation.columns[:2])
    return relation.sort(table, row).limit(MAX_PROBLEMS_KEPT).fetchall(), total


def row_problems(con: duckdb.DuckDBPyConnection, sources: dict[str, SourceFile],
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
    line_maps = {table: record_lines(sources[table], indexes) for table, indexes in wanted.items()}

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
            message = f'{column} "{show_value(value)}" {expected}'
        else:
            message = f'{column} "{show_value(value)}" is not {expected}'
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


def type_rows(con: duckdb.DuckDBPyConnection, spec: TableSpec, source: SourceFile | None, rows: int,
               progress) -> list[Problem]:
    """Run typed_<table>.sql: every value parsed once, each row's own problems listed.

    A Parquet file is first read here, so a damaged one, or one with a value over the size limits
    (parquet_file.py), is reported here; its rows are then left out.
    """
    began = time.perf_counter()
    try:
        con.execute(internal_sql(f"ingest/typed_{spec.name}.sql"))
    except duckdb.Error as error:
        if source is None or source.kind != "parquet":
            raise
        try:
            problems = oversized_problems(con, source) or [unreadable_parquet(source, error)]
        except duckdb.Error:
            problems = [unreadable_parquet(source, error)]
        create_empty_raw(con, spec)
        con.execute(internal_sql(f"ingest/typed_{spec.name}.sql"))
        return problems
    seconds = time.perf_counter() - began
    if seconds >= 0.5:
        progress(f"  {spec.name}: {rows:,} rows typed and checked ({seconds:.1f} s, {rows / seconds:,.0f} rows/s)")
    return []


def keep_checkpoints_in_id_order(con: duckdb.DuckDBPyConnection) -> None:
    """typed_checkpoints is sorted on the models' codes (typed_checkpoints.sql); when some checkpoint's
    model has none, sort it again by the text, so that it is in (model_id, step) order all the same."""
    if con.execute(internal_sql("ingest/checkpoints_without_code.sql")).fetchall()[0][0]:
        con.execute(internal_sql("ingest/checkpoints_in_id_order.sql"))


def prove_every_row_arrived(con: duckdb.DuckDBPyConnection, sources: dict[str, SourceFile],
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
