"""One table of the schema as the ingest sees a source file: its columns' types, the SQL that reads
it (and first finds its unfit rows), its rows named by their keys in problems."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from dashboard import csvscan
from dashboard.ingest.problems import Problem, show_value
from dashboard.ingest.sources import check_columns
from dashboard.sqlfiles import internal_sql
from dashboard.tables import TableSpec


# The columns that name a row in a problem (the table's key); other tables are named by their first column.
# PostgreSQL types (of pg_catalog only) the driver hands over as Arrow types whose DuckDB text is the
# contract's text. Of these, only the text types can hold a value of any length.
NATIVE_TYPES = {"text", "varchar", "bpchar", "name", "int2", "int4", "int8", "float4", "float8", "bool",
                "date", "timestamp", "timestamptz"}


FIXED_SIZE_TYPES = {"int2", "int4", "int8", "float4", "float8", "bool", "date", "timestamp", "timestamptz"}


DATE_TYPES = {"date", "timestamp", "timestamptz"}


# pg_catalog types whose text is not a value of the contract: bytes, and documents of their own.
REFUSED_TYPES = {"bytea": "binary", "json": "json", "jsonb": "json", "jsonpath": "json path"}


def quote_ident(name: str) -> str:
    """PostgreSQL's quote_ident: always quoted, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class ColumnType:
    """A column's type as the catalog names it: with its schema, its base type (a domain's) and, for
    an array, its element's type (columns.sql)."""

    schema: str
    name: str
    category: str
    base_schema: str = "pg_catalog"
    base_name: str = ""
    element_schema: str | None = None
    element_name: str | None = None

    @property
    def native(self) -> bool:
        return self.schema == "pg_catalog" and self.name in NATIVE_TYPES

    @property
    def array(self) -> bool:
        return self.category == "A"

    @property
    def refused(self) -> str | None:
        """What the contract has no place for: binary or json (as such, under a domain, or in an array)."""
        for schema, name in ((self.base_schema, self.base_name), (self.element_schema, self.element_name)):
            if schema == "pg_catalog" and name in REFUSED_TYPES:
                return REFUSED_TYPES[name] if name == self.base_name else f"an array of {REFUSED_TYPES[name]}"
        return None


class PostgresTable:
    """One table of the schema, as the ingest sees a source file (spec, label, kind, row_label)."""

    kind = "postgres"
    row_label = "row"

    def __init__(self, source, spec: TableSpec, columns: dict[str, ColumnType]):
        self.source = source  # the PostgresSource that reads it
        self.spec = spec
        self.columns = columns  # name -> its type, in the table's order
        self.label = spec.name

    @property
    def key_columns(self) -> tuple[str, ...]:
        return self.spec.key_columns

    @property
    def table_sql(self) -> str:
        return f"{quote_ident(self.source.url.schema)}.{quote_ident(self.spec.name)}"

    def _text(self, column: str) -> str:
        """The column as the read takes it: natively, an array joined with ';', or PostgreSQL's text."""
        kind, name = self.columns[column], quote_ident(column)
        if kind.native:
            return name
        if kind.array:
            return f"array_to_string({name}, ';')"
        return f"CAST({name} AS text)"  # numeric, enums, domains, uuid, types of the lab's own, ...

    def select_sql(self) -> str:
        expressions = [name if (name := quote_ident(c)) == self._text(c) else f"{self._text(c)} AS {name}"
                       for c in self.spec.columns]
        return internal_sql("postgres/read_table.sql").format(columns=", ".join(expressions), table=self.table_sql)

    def unfit_rows_sql(self) -> str:
        """unfit_rows.sql for this table: $1 the limit of one value in bytes, $2 of one row, $3 rows named."""
        findings, sizes = [], []
        for column in self.spec.columns:
            kind, name, text = self.columns[column], quote_ident(column), self._text(column)
            if kind.native and kind.name in DATE_TYPES:
                findings.append(f"CASE WHEN NOT isfinite({name}) THEN 'infinite:' || CAST({name} AS text) END")
                continue
            if kind.native and kind.name in FIXED_SIZE_TYPES:
                findings.append("NULL")
                continue
            size = f"octet_length({text})"
            too_long = f"WHEN {size} > $1 THEN 'bytes:' || {size}"
            if kind.array:  # in this order: array_position refuses an array of several dimensions
                findings.append(f"CASE WHEN array_ndims({name}) > 1 THEN 'dimensions:' || array_ndims({name}) "
                                f"WHEN array_position({name}, NULL) IS NOT NULL THEN 'null element' {too_long} END")
            else:
                findings.append(f"CASE {too_long} END")
            sizes.append(f"COALESCE(CAST({size} AS bigint), 0)")
        keys = [f"left(CAST({quote_ident(c)} AS text), 100)" for c in self.key_columns]
        return internal_sql("postgres/unfit_rows.sql").format(
            keys=", ".join(keys), findings=", ".join(findings), row_bytes=" + ".join(sizes) or "0",
            table=self.table_sql)

    def unfit_problems(self, rows: list[tuple]) -> list[Problem]:
        """The rows unfit_rows.sql found, each as problems naming the table, the row's key and the column."""
        problems = []
        for *keys, findings, row_bytes in rows:
            key = _key_label(self.key_columns, keys)
            for column, finding in zip(self.spec.columns, findings):
                if finding is None:
                    continue
                what, _, detail = finding.partition(":")
                if what == "bytes":
                    message = (f"{column} is longer than {csvscan.MAX_FIELD_BYTES:,} bytes, the limit for one "
                               f"field (it has {int(detail):,})")
                elif what == "dimensions":
                    message = (f"{column} is an array of {detail} dimensions: the contract's list is an array "
                               "of one dimension")
                elif what == "infinite":
                    message = f'{column} "{show_value(detail)}" is not a date the contract can hold (leave it empty)'
                else:
                    message = f"{column} is an array holding a NULL element: the contract's list has no empty entry"
                problems.append(Problem(self.label, None, message, self.row_label, key))
            if row_bytes > csvscan.MAX_RECORD_BYTES and not any(findings):
                problems.append(Problem(self.label, None, f"row is longer than {csvscan.MAX_RECORD_BYTES:,} bytes, "
                                                          f"the limit for one row (it has {row_bytes:,})",
                                        self.row_label, key))
        return problems

    @property
    def complete(self) -> bool:
        return all(column in self.columns for column in self.spec.columns)

    def load_raw(self, con: duckdb.DuckDBPyConnection, warnings: list[str]) -> tuple[int, list[Problem]]:
        """Make raw_<table> (row_index, every column as text), as dashboard.ingest.build.load_raw does for a file."""
        problems = check_columns(self, list(self.columns), warnings)
        if problems:
            return 0, problems
        problems = self.type_problems()
        if problems:
            return 0, problems
        seconds, problems = self.source.read(con, self)
        if problems:
            return 0, problems
        # The rows are kept in their own types (compact, quick to store); the view gives the checks
        # each value as text, cast once while the rows are typed, as a Parquet file's view does.
        con.table(f"rows_{self.spec.name}").select(
            duckdb.ColumnExpression("rowid").alias("row_index"),
            *[duckdb.ColumnExpression(column).cast(duckdb.sqltypes.VARCHAR).alias(column)
              for column in self.spec.columns]).create_view(f"raw_{self.spec.name}")
        count = con.table(f"rows_{self.spec.name}").count("*").fetchall()[0][0]
        self.source.progress(f"  read {self.source.url.schema}.{self.spec.name}: {count:,} rows "
                             f"({seconds:.1f} s, {count / max(seconds, 1e-9):,.0f} rows/s)")
        return count, []

    def type_problems(self) -> list[Problem]:
        """Columns of types the contract has no place for, as the Parquet path refuses them."""
        return [Problem(self.label, None, f"{column} has the PostgreSQL type {self.columns[column].name} "
                                          f"({refused}), which the contract has no place for: give it as text "
                                          "(a view can convert it)")
                for column in self.spec.columns if (refused := self.columns[column].refused)]

    def row_keys(self, con: duckdb.DuckDBPyConnection, row_indexes: set[int]) -> dict[int, str]:
        """How each of these rows is named in a problem: its key (`model_id=m1, step=200`)."""
        key_columns = self.key_columns
        wanted = sorted(index for index in row_indexes if index is not None)
        if not wanted:
            return {}
        rows = con.from_arrow(pa.table({"wanted_index": pa.array(wanted, pa.int64())}))
        found = con.table(f"raw_{self.spec.name}").join(rows, "row_index = wanted_index").select(
            duckdb.ColumnExpression("row_index"), *[duckdb.ColumnExpression(c) for c in key_columns]).fetchall()
        return {row_index: _key_label(key_columns, values, row_index) for row_index, *values in found}


def _key_label(key_columns: tuple[str, ...], values, row_index: int | None = None) -> str:
    """A row as a problem names it: `model_id=m1, step=200` (or its place, when its key is empty)."""
    if all(value is None or not str(value).strip() for value in values):
        place = f"row {row_index + 1}, " if row_index is not None else ""
        return f"{place}{'/'.join(key_columns)} empty"
    return ", ".join(f"{column}={show_value(value)}" for column, value in zip(key_columns, values))


def in_utc(column: str, arrow_type: pa.DataType) -> duckdb.Expression:
    """The column as it comes, but a timestamp with a zone as the UTC timestamp without one (the
    contract reads a timestamp without zone as UTC): the same instant, and as text (DuckDB's text
    of each value is what the checks read) the plain form they parse fastest."""
    expression = duckdb.ColumnExpression(column)
    if pa.types.is_timestamp(arrow_type) and arrow_type.tz is not None:
        expression = expression.cast(duckdb.sqltypes.TIMESTAMP)  # the ingest's session runs in UTC
    return expression.alias(column)
