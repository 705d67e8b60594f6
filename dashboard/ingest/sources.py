"""What every source gives the ingest: raw_<table> in the ingest's DuckDB database (row_index and
every column as text), whatever it was read from (a folder's CSV or Parquet file, a database table)."""
from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.ingest.problems import Problem
from dashboard.tables import TableSpec


class TableSource:
    """A source that is not a folder (a database schema: dashboard/ingest/postgres/).

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


def check_columns(source, header: list[str], warnings: list[str]) -> list[Problem]:
    """The problems of a header (a file's, or a table's columns): a column twice, a column missing.
    source is a folder's SourceFile or a database table (spec, label, kind)."""
    problems = []
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(source.label, 1 if source.kind == "csv" else None,
                                    f'column "{name}" appears twice in the header'))
        seen.add(name)
    missing = [column for column in source.spec.columns if column not in seen and column not in source.spec.optional]
    if missing:
        problems.append(Problem(source.label, 1 if source.kind == "csv" else None,
                                "missing column(s) " + ", ".join(missing)
                                + "; expected columns " + ", ".join(source.spec.columns)))
    extra = [name for name in header if name not in source.spec.columns]
    if extra:
        warnings.append(f"{source.label}: ignoring unknown column(s) " + ", ".join(extra))
    if not problems:  # the loaders read the columns the source has; build.py adds the optional ones it lacks
        source.spec = source.spec.present_in(seen)
    return problems


def add_absent_optional(con: duckdb.DuckDBPyConnection, spec: TableSpec, source) -> None:
    """raw_<table> with every optional column the source left out, as empty values."""
    absent = [column for column in spec.columns if column not in source.spec.columns]
    if not absent:
        return
    con.execute(f'ALTER VIEW "raw_{spec.name}" RENAME TO "raw_{spec.name}_read"')
    con.table(f"raw_{spec.name}_read").select(
        duckdb.StarExpression(), *[duckdb.ConstantExpression(None).cast(duckdb.sqltypes.VARCHAR).alias(column)
                                   for column in absent]).create_view(f"raw_{spec.name}")


def create_empty_raw(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> None:
    empty = pd.DataFrame({"row_index": pd.Series([], dtype="int64"),
                          **{column: pd.Series([], dtype="object") for column in spec.columns}})
    con.from_df(empty).select(duckdb.ColumnExpression("row_index"),
                              *[duckdb.ColumnExpression(column).cast(duckdb.sqltypes.VARCHAR).alias(column)
                                for column in spec.columns]).create(f"empty_{spec.name}")
    con.table(f"empty_{spec.name}").create_view(f"raw_{spec.name}")  # replaces a view of an unreadable file
