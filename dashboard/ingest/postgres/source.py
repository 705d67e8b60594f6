"""A PostgreSQL schema as an ingest source (issue 18): `asl-dashboard ingest postgresql://...?schema=NAME`.

The tables (or views) of DESIGN section 3 are read from one schema through the ADBC PostgreSQL
driver (Arrow, binary COPY under the hood), in one REPEATABLE READ, READ ONLY transaction so every
table is read as of the same moment. Each table becomes raw_<table> in the ingest's DuckDB database:
every column as the text the contract describes (DuckDB's text of a number, date or timestamp; an
array joined with ';'), so the very same checks as for CSV and Parquet run on it (dashboard/ingest.py
and dashboard/sql/ingest/). Problems name the table, the row's key and the column:
`deployments (deployment_id=d07): started_at "..." is not ...`. Before a table's rows are read, the
server is asked (on the same snapshot) for values the ingest cannot take: longer than the CSV path's
limits (csvscan.MAX_FIELD_BYTES, MAX_RECORD_BYTES), arrays of several dimensions or holding a NULL,
dates 'infinity'; such rows are refused as bad input and never pulled. Binary and json columns are
refused by their type, which is matched with its schema (only pg_catalog's types are built-ins).

What a scheduled job meets (server down, wrong password, a table locked by a long transaction, the
connection dropped or stalled in the middle of a read) raises SourceError with one line that never
holds a secret (redact_url: no user-info, no secret parameter); nothing is published.
"""
from __future__ import annotations

import os
import queue
import re
import socket
import threading
import time
import urllib.parse
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from dashboard import csvscan
from dashboard.ingest.publish import Problem, SourceError, TableSource, _check_columns, _show_value
from dashboard.sqlfiles import internal_sql
from dashboard.tables import TABLES, TableSpec

SCHEMES = ("postgresql", "postgres")
READERS = 3  # tables read at the same time, each on its own connection sharing one snapshot
DEFAULT_SCHEMA = "public"

# The columns that name a row in a problem (the table's key); other tables are named by their first column.
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "asl_required_safeguards": ("asl_level", "safeguard_id"),
    "checkpoints": ("model_id", "step"),
    "deployment_safeguards": ("deployment_id", "safeguard_id"),
    "asl_history": ("model_id", "effective_from"),
    "obligation_records": ("obligation_id", "model_id"),
}

# PostgreSQL types (of pg_catalog only) the driver hands over as Arrow types whose DuckDB text is the
# contract's text. Of these, only the text types can hold a value of any length.
NATIVE_TYPES = {"text", "varchar", "bpchar", "name", "int2", "int4", "int8", "float4", "float8", "bool",
                "date", "timestamp", "timestamptz"}
FIXED_SIZE_TYPES = {"int2", "int4", "int8", "float4", "float8", "bool", "date", "timestamp", "timestamptz"}
DATE_TYPES = {"date", "timestamp", "timestamptz"}
# pg_catalog types whose text is not a value of the contract: bytes, and documents of their own.
REFUSED_TYPES = {"bytea": "binary", "json": "json", "jsonb": "json", "jsonpath": "json path"}
UNFIT_ROWS_NAMED = 10  # rows named per table when values are too long or of a shape the contract has not

# libpq parameters (and ones like them) whose value is a secret: never printed, stored or shown.
SECRET_PARAMETER = re.compile(r"password|passfile|secret|token", re.IGNORECASE)

# Every exchange with the server ends within --statement-timeout plus this (a stalled proxy or network
# otherwise keeps a read waiting for ever), unless --stall-timeout says otherwise.
STALL_GRACE_SECONDS = 60.0

# TCP keepalives and a send timeout, so a peer that vanished is noticed by the kernel (libpq names).
TCP_DEFAULTS = (("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"),
                ("keepalives_count", "6"), ("tcp_user_timeout", "90000"))


def is_source_url(text: str) -> bool:
    return urllib.parse.urlsplit(str(text)).scheme.lower() in SCHEMES


def _malformed(text: str) -> bool:
    """Whether text cannot be read as one URL for sure: a password holding an unencoded / ? # or @
    shifts the user-info into the path, query or fragment (or doubles the @), where libpq and
    urllib would each read it differently."""
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return True
    return (parts.netloc.count("@") > 1 or bool(parts.fragment) or "#" in text
            or "@" in parts.path or "@" in parts.query)


def redact_url(text: str) -> str:
    """The URL as it may be printed, stored in the snapshot and shown: without its user-info (user
    and password) and without any parameter that bears a secret (password, sslpassword, passfile,
    oauth_client_secret, ...). A URL that cannot be read for sure is shown as its scheme alone."""
    text = str(text)
    scheme = text.split("://", 1)[0] if "://" in text else ""
    bare = f"{scheme}://" if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,30}", scheme) else "(a URL that cannot be read)"
    if not scheme or _malformed(text):
        return bare
    parts = urllib.parse.urlsplit(text)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    query = [(name, value) for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if not SECRET_PARAMETER.search(name)]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, urllib.parse.urlencode(query), ""))


def quote_ident(name: str) -> str:
    """PostgreSQL's quote_ident: always quoted, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------
# The URL


class SourceURL:
    """postgresql://USER[:PASSWORD]@HOST[:PORT]/DB?schema=NAME[&other libpq parameters].

    `schema` is ours (default public); every other query parameter goes to libpq as it is
    (sslmode, connect_timeout, options, ...). The password, from the URL, PGPASSWORD or ~/.pgpass,
    is only ever handed to libpq: redacted is redact_url's URL, for messages and the snapshot.
    """

    def __init__(self, url: str):
        self.raw = str(url)
        parts = urllib.parse.urlsplit(self.raw)
        if parts.scheme.lower() not in SCHEMES:
            raise SourceError("a database source is a URL postgresql://USER@HOST:PORT/DB?schema=NAME")
        self.redacted = redact_url(self.raw)
        try:
            parts.port  # noqa: B018 (raises on a port that is not a number)
        except ValueError:
            raise SourceError(f"the port in {self.redacted} is not a number") from None
        if _malformed(self.raw):
            raise SourceError(f"the source URL cannot be read ({self.redacted}...): percent-encode a / ? # or @ "
                              "in the user name or password (%2F %3F %23 %40), or give the password by "
                              "PGPASSWORD or ~/.pgpass")
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        schemas = [value for name, value in query if name == "schema"]
        self.schema = schemas[-1] if schemas and schemas[-1] else DEFAULT_SCHEMA
        self.password = urllib.parse.unquote(parts.password) if parts.password else None
        self.database = urllib.parse.unquote(parts.path.lstrip("/")) or None
        libpq_query = [(name, value) for name, value in query if name != "schema"]
        names = {name for name, _ in libpq_query}
        if "password" in names:
            self.password = [value for name, value in libpq_query if name == "password"][-1] or self.password
        if "connect_timeout" not in names:
            libpq_query.append(("connect_timeout", "10"))  # an unreachable host fails in 10 s, not minutes
        if "application_name" not in names:
            libpq_query.append(("application_name", "asl-dashboard ingest"))
        libpq_query += [(name, value) for name, value in TCP_DEFAULTS if name not in names]
        self.libpq = urllib.parse.urlunsplit(
            ("postgresql", parts.netloc, parts.path, urllib.parse.urlencode(libpq_query, quote_via=urllib.parse.quote), ""))
        self.secrets = {value for value in (self.password, parts.password) if value}
        self.secrets |= {value for name, value in query if SECRET_PARAMETER.search(name) and value}

    def scrub(self, text: str) -> str:
        """text without the secrets or the full URL (a driver's message may quote them)."""
        text = text.replace(self.raw, self.redacted).replace(self.libpq, self.redacted)
        for secret in sorted(self.secrets, key=len, reverse=True):
            for form in {secret, urllib.parse.unquote(secret), urllib.parse.quote(secret, safe="")}:
                text = text.replace(form, "***")
        return text


# ---------------------------------------------------------------------------------------------
# Errors of the driver, as one line


def _first_line(error: BaseException, url: SourceURL) -> str:
    text = url.scrub(str(error)).strip()  # before anything is cut, so no part of a password is left
    # ADBC prefixes: "IO: [libpq] Failed to connect: ...", "INTERNAL: ...": keep libpq's own words.
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = ". ".join(line.rstrip(".") for line in lines[:3]) if lines else type(error).__name__
    # Wrappers of the driver, Arrow and DuckDB around libpq's own words.
    message = re.sub(r"^(?:(?:[A-Z][A-Za-z ]*Error|[A-Z_]+|Failed to connect|reading the Arrow source failed"
                     r"|Execution error \[[A-Z_]+\]|\[libpq\]):\s*|\[libpq\]\s+)+", "", message)
    message = re.sub(r"\s+", " ", message)
    return message[:300]


def _sqlstate(error: BaseException) -> str | None:
    state = getattr(error, "sqlstate", None)
    if state:
        return state
    match = re.search(r"SQLSTATE[: ]+([0-9A-Z]{5})", str(error))
    return match.group(1) if match else None


def _explain(error: BaseException, url: SourceURL, doing: str, table: str | None = None,
             timeouts: tuple[float, float] | None = None) -> SourceError:
    """One clear line for a failure of the driver, the server or the connection."""
    state = _sqlstate(error)
    text = str(error)
    lowered = text.lower()
    where = f"{url.schema}.{table}" if table else url.redacted
    if state == "55P03" or "lock timeout" in lowered:
        waited = f"waited {timeouts[0]:g} s, --lock-timeout" if timeouts else "waited lock_timeout"
        return SourceError(f"{where} is locked by another transaction ({waited}): nothing was "
                           "published; try again when that transaction has finished")
    if state == "57014" or "statement timeout" in lowered:
        limit = f"{timeouts[1]:g} s (--statement-timeout)" if timeouts else "statement_timeout"
        return SourceError(f"reading {where} took longer than {limit}: nothing was published")
    if state == "28P01" or "password authentication failed" in lowered:
        return SourceError(f"cannot connect to {url.redacted}: password authentication failed "
                           "(check PGPASSWORD, ~/.pgpass or the password in ASL_SOURCE_URL)")
    if state in ("57P01", "57P02", "57P03") or state and state.startswith("08") or any(
            words in lowered for words in ("terminating connection", "server closed the connection",
                                           "connection to server", "no connection", "could not receive data",
                                           "could not send data", "connection refused", "eof detected",
                                           "ssl syscall")):
        if doing == "connect":
            return SourceError(f"cannot connect to {url.redacted}: {_first_line(error, url)}")
        return SourceError(f"the connection to {url.redacted} was lost while {doing}"
                           f"{' ' + where if table else ''}: {_first_line(error, url)}; nothing was published")
    if doing == "connect":
        return SourceError(f"cannot connect to {url.redacted}: {_first_line(error, url)}")
    return SourceError(f"failed while {doing} {where}: {_first_line(error, url)}")


# ---------------------------------------------------------------------------------------------
# The source


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

    def __init__(self, source: "PostgresSource", spec: TableSpec, columns: dict[str, ColumnType]):
        self.source = source
        self.spec = spec
        self.columns = columns  # name -> its type, in the table's order
        self.label = spec.name

    @property
    def key_columns(self) -> tuple[str, ...]:
        return ROW_KEYS.get(self.spec.name, (self.spec.key,))

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
                    message = f'{column} "{_show_value(detail)}" is not a date the contract can hold (leave it empty)'
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
        """Make raw_<table> (row_index, every column as text), as dashboard.ingest._load_raw does for a file."""
        problems = _check_columns(self, list(self.columns), warnings)
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
    return ", ".join(f"{column}={_show_value(value)}" for column, value in zip(key_columns, values))


def _in_utc(column: str, arrow_type: pa.DataType) -> duckdb.Expression:
    """The column as it comes, but a timestamp with a zone as the UTC timestamp without one (the
    contract reads a timestamp without zone as UTC): the same instant, and as text (DuckDB's text
    of each value is what the checks read) the plain form they parse fastest."""
    expression = duckdb.ColumnExpression(column)
    if pa.types.is_timestamp(arrow_type) and arrow_type.tz is not None:
        expression = expression.cast(duckdb.sqltypes.TIMESTAMP)  # the ingest's session runs in UTC
    return expression.alias(column)


class PostgresSource(TableSource):
    """The tables of one schema of a PostgreSQL database. Use as a context manager (closes the connection)."""

    def __init__(self, url: str, *, lock_timeout: float = 30.0, statement_timeout: float = 1800.0,
                 stall_timeout: float | None = None, progress=print):
        self.url = SourceURL(url)
        self.lock_timeout = lock_timeout
        self.statement_timeout = statement_timeout
        # The longest any one exchange with the server may take on this side (see _Watchdog).
        self.stall_timeout = stall_timeout if stall_timeout is not None else statement_timeout + STALL_GRACE_SECONDS
        self.progress = progress
        self.description = self.url.redacted
        self.name = self.url.schema
        self._connection = None
        self._tables: list[PostgresTable] = []
        # Reading in parallel: the main connection's snapshot, the readers' connections, the reads.
        self._snapshot: str | None = None
        self._readers: queue.Queue = queue.Queue()
        self._reader_connections: list = []
        self._executor: ThreadPoolExecutor | None = None
        self._reads: dict[str, Future] | None = None
        self._watchdog = _Watchdog(self.stall_timeout)

    def __enter__(self) -> "PostgresSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._stop_reads()
        for connection in [*self._reader_connections, self._connection]:
            if connection is not None:
                try:
                    connection.close()
                except Exception:  # noqa: BLE001 - a dropped connection may refuse to close cleanly
                    pass
        self._reader_connections = []
        self._connection = None
        self._watchdog.close()

    def _explain(self, error: BaseException, doing: str, table: str | None = None) -> SourceError:
        if self._watchdog.stalled:
            where = f" {self.url.schema}.{table}" if table else ""
            return SourceError(f"{self.url.redacted} sent nothing for {self.stall_timeout:g} s while {doing}{where} "
                               "(--stall-timeout): the connection was given up (a stalled network or proxy?); "
                               "nothing was published")
        return _explain(error, self.url, doing, table, (self.lock_timeout, self.statement_timeout))

    # -- connecting ----------------------------------------------------------------------------

    def _open(self, snapshot: str | None = None):
        """A connection in a REPEATABLE READ, READ ONLY transaction (on snapshot, if given) with the timeouts."""
        try:
            import adbc_driver_postgresql.dbapi as adbc
        except ImportError:  # pragma: no cover - it is a dependency of the package
            raise SourceError("the PostgreSQL driver is not installed: pip install adbc-driver-postgresql") from None
        try:  # libpq's connect_timeout bounds the connecting itself
            connection = self._watchdog.connect(lambda: adbc.connect(self.url.libpq, autocommit=True))
        except Exception as error:  # noqa: BLE001 - every driver failure becomes one clear line
            raise _explain(error, self.url, "connect") from None
        try:
            with self._watchdog.exchange(), connection.cursor() as cursor:
                cursor.execute(internal_sql("postgres/begin.sql"))
                if snapshot is not None:
                    cursor.execute(internal_sql("postgres/set_snapshot.sql").format(snapshot=snapshot))
                cursor.execute(internal_sql("postgres/timeouts.sql"),
                               parameters=[f"{int(self.lock_timeout * 1000)}ms", f"{int(self.statement_timeout * 1000)}ms"])
                cursor.fetchall()
        except Exception as error:  # noqa: BLE001
            _close_quietly(connection)
            raise self._explain(error, "starting a read of") from None
        return connection

    def _connect(self) -> None:
        """The main connection, and the snapshot the readers share (none where the server cannot export it)."""
        self._connection = self._open()
        try:
            with self._watchdog.exchange(), self._connection.cursor() as cursor:
                cursor.execute(internal_sql("postgres/export_snapshot.sql"))
                snapshot = cursor.fetchone()[0]
            self._snapshot = snapshot if re.fullmatch(r"[0-9A-Fa-f-]+", str(snapshot)) else None
        except Exception as error:  # noqa: BLE001 - then every table is read on the main connection, in turn
            if self._watchdog.stalled:
                raise self._explain(error, "starting a read of") from None
            _close_quietly(self._connection)
            self._connection = self._open()
            self._snapshot = None
        if self._snapshot is not None:
            # Every reader connects now, so a server that goes away later is met in the middle of a read;
            # all at once, since each connection waits on the server's authentication and type catalog.
            with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="asl-pg-connect") as pool:
                opening = [pool.submit(self._open, self._snapshot) for _ in range(READERS)]
            failure = None
            for future in opening:
                try:
                    connection = future.result()
                except SourceError as error:
                    failure = failure or error
                    continue
                self._reader_connections.append(connection)
                self._readers.put(connection)
            if failure is not None:
                raise failure  # the caller's close() closes the readers that did connect

    def _fetch(self, sql_name: str, parameters: list) -> list[tuple]:
        try:
            with self._watchdog.exchange(), self._connection.cursor() as cursor:
                cursor.execute(internal_sql(sql_name), parameters=parameters)
                return cursor.fetchall()
        except Exception as error:  # noqa: BLE001
            raise self._explain(error, "reading the catalog of") from None

    # -- what the ingest calls -----------------------------------------------------------------

    def find_sources(self) -> tuple[list[PostgresTable], list[Problem]]:
        """The contract's tables found in the schema, and what is missing (tables, columns, rights)."""
        self.progress(f"  connecting to {self.url.redacted} ...")
        self._connect()
        schema = self.url.schema
        found = self._fetch("postgres/schema.sql", [schema])
        if not found:
            raise SourceError(f"schema \"{schema}\" does not exist in {self.url.redacted} "
                              "(name it with ?schema=NAME)")
        if not found[0][1]:
            raise SourceError(f"the role may not use schema \"{schema}\" (GRANT USAGE ON SCHEMA {quote_ident(schema)} TO ...)")
        columns: dict[str, dict[str, ColumnType]] = {}
        readable: dict[str, bool] = {}
        for table, column, *kind, may_read in self._fetch("postgres/columns.sql", [schema]):
            columns.setdefault(table, {})[column] = ColumnType(*kind)
            readable[table] = may_read
        sources, problems = [], []
        for spec in TABLES:
            if spec.name not in columns:
                if spec.required:
                    problems.append(Problem(spec.name, None, f"required table is missing: expected a table or view "
                                                             f"{schema}.{spec.name} with columns " + ", ".join(spec.columns)))
                continue
            if not readable[spec.name]:
                problems.append(Problem(spec.name, None, f"the role may not read {schema}.{spec.name} "
                                                         f"(GRANT SELECT ON ALL TABLES IN SCHEMA {quote_ident(schema)} TO ...)"))
                continue
            sources.append(PostgresTable(self, spec, columns[spec.name]))
        self._tables = sources
        return sources, problems

    def read(self, con: duckdb.DuckDBPyConnection, table: PostgresTable) -> tuple[float, list[Problem]]:
        """Make rows_<table>; the seconds its read took, and the table's unfit rows (then nothing is read).
        The first call starts reading every table (READERS at a time, each reader on its own connection
        with the main one's snapshot, so all tables are still read as of one moment); each call waits
        for its own table."""
        if self._snapshot is None:
            began = time.perf_counter()
            problems = self._read_into(self._connection, con, table)
            return time.perf_counter() - began, problems
        if self._reads is None:
            self._executor = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="asl-pg-read")
            self._reads = {each.spec.name: self._executor.submit(self._read_in_reader, con.cursor(), each)
                           for each in self._tables if each.complete and not each.type_problems()}
        try:
            return self._reads[table.spec.name].result()
        except BaseException:
            self._stop_reads()  # before the ingest closes its database under the other readers
            raise

    def _stop_reads(self) -> None:
        """Cancel the reads still running on the server, and wait for the readers to give up."""
        if self._executor is None:
            return
        for read in self._reads.values():
            read.cancel()
        # A cancel request is a new connection to the same address: after a stall it could hang too
        # (the readers' sockets are shut, so they are not waiting).
        for connection in self._reader_connections if not self._watchdog.stalled else ():
            try:
                connection.adbc_cancel()
            except Exception:  # noqa: BLE001 - a connection already gone has nothing to cancel
                pass
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = None

    def _read_in_reader(self, duck: duckdb.DuckDBPyConnection, table: PostgresTable) -> tuple[float, list[Problem]]:
        began = time.perf_counter()
        connection = self._readers.get()
        try:
            problems = self._read_into(connection, duck, table)
        finally:
            self._readers.put(connection)
            duck.close()
        return time.perf_counter() - began, problems

    def _read_into(self, connection, con: duckdb.DuckDBPyConnection, table: PostgresTable) -> list[Problem]:
        """rows_<table>: the table's rows, streamed from the server (a timestamp with a zone as UTC);
        first, on the same snapshot, the rows too long or of a shape the contract has not: when there
        are any, they are the problems and nothing is read."""
        name = table.spec.name
        try:
            with self._watchdog.exchange(), connection.cursor() as cursor:
                cursor.execute(table.unfit_rows_sql(), parameters=[
                    csvscan.MAX_FIELD_BYTES, csvscan.MAX_RECORD_BYTES, UNFIT_ROWS_NAMED])
                unfit = cursor.fetchall()
                if unfit:
                    problems = table.unfit_problems(unfit)
                    if len(unfit) == UNFIT_ROWS_NAMED:
                        problems.append(Problem(table.label, None, f"the first {UNFIT_ROWS_NAMED} rows found like "
                                                                   "these are named; more may follow"))
                    return problems
                cursor.execute(table.select_sql())
                reader = cursor.fetch_record_batch()
                con.from_arrow(reader).select(*[_in_utc(column, reader.schema.field(column).type)
                                                for column in table.spec.columns]).create(f"rows_{name}")
        except Exception as error:  # noqa: BLE001 - the driver, Arrow or DuckDB reports a failed stream
            raise self._explain(error, "reading", name) from None
        return []

    def notes(self) -> str | None:
        return None


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a dropped connection may refuse to close cleanly
        pass


def _socket_fds() -> set[tuple[int, str]]:
    """This process's open sockets, as (descriptor, inode) pairs."""
    found = set()
    for entry in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{entry}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add((int(entry), target))
    return found


class _Watchdog:
    """A deadline on this side for every exchange with the server.

    libpq waits for the server's answer without a limit of its own; TCP keepalives notice a peer that
    is gone, not a proxy that stays connected and stops forwarding. So the sockets of the source's
    connections are noted as each one connects, and when an exchange outlasts its deadline they are
    shut down: the waiting read then fails at once, the ingest says the connection stalled (exit 4),
    and the store's lock is released as for any failed read."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.stalled = False
        self._sockets: dict[str, socket.socket] = {}  # by inode: connections made at once see each other's
        self._lock = threading.Lock()

    def connect(self, open_connection):
        """open_connection(), noting the sockets that appeared meanwhile (this source's connections
        are opened in parallel, so one may note another's: all of them are shut together)."""
        before = _socket_fds()
        connection = open_connection()
        with self._lock:
            for fd, inode in _socket_fds() - before:
                if inode not in self._sockets:
                    try:
                        self._sockets[inode] = socket.socket(fileno=os.dup(fd))
                    except OSError:
                        pass
        return connection

    @contextmanager
    def exchange(self):
        timer = threading.Timer(self.seconds, self._give_up)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _give_up(self) -> None:
        with self._lock:
            self.stalled = True
            for sock in self._sockets.values():
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        with self._lock:
            for sock in self._sockets.values():
                sock.close()
            self._sockets = {}


# ---------------------------------------------------------------------------------------------
# The command line: asl-dashboard ingest postgresql://... (dashboard/cli.py hands it over)


def cli_ingest(args, store, say) -> int:
    """Exit 0 published; 1 refused (problems in the data); 2 a bad URL or a store that cannot be
    published to; 3 another ingest is running; 4 the source could not be read (connection, password,
    rights, locks, timeouts)."""
    from dashboard.ingest import ingest, ingest_outcome

    try:
        url = SourceURL(args.dir)
    except SourceError as error:
        say(f"error: {error}")
        return 2
    if url.password and not getattr(args, "from_env", False):
        say("warning: a password in the command line stays in the shell history and the process list: "
            "set ASL_SOURCE_URL, PGPASSWORD or ~/.pgpass instead")
    say(f"Ingesting {url.redacted} into {store} ...")

    def run():
        with PostgresSource(args.dir, lock_timeout=args.lock_timeout, statement_timeout=args.statement_timeout,
                            stall_timeout=getattr(args, "stall_timeout", None), progress=say) as source:
            return ingest(source, store, progress=say, dataset=args.dataset, wait_seconds=args.wait)

    return ingest_outcome(run, say, url.scrub)
