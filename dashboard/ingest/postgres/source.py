"""The tables of one schema of a PostgreSQL database, read in one REPEATABLE READ, READ ONLY
transaction (READERS tables at a time, each reader on its own connection sharing the main one's
snapshot) through the ADBC PostgreSQL driver."""
from __future__ import annotations

import queue
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor

import duckdb

from dashboard import csvscan
from dashboard.ingest.postgres.failures import explain_failure
from dashboard.ingest.postgres.tables import ColumnType, PostgresTable, in_utc, quote_ident
from dashboard.ingest.postgres.url import SourceURL
from dashboard.ingest.postgres.watchdog import Watchdog
from dashboard.ingest.problems import Problem, SourceError
from dashboard.ingest.sources import TableSource
from dashboard.sqlfiles import internal_sql
from dashboard.tables import TABLES

try:  # a dependency of the package; loaded only by a database ingest (dashboard.ingest does not import this)
    import adbc_driver_postgresql.dbapi as adbc
except ImportError:  # pragma: no cover
    adbc = None


READERS = 3  # tables read at the same time, each on its own connection sharing one snapshot


UNFIT_ROWS_NAMED = 10  # rows named per table when values are too long or of a shape the contract has not


# Every exchange with the server ends within --statement-timeout plus this (a stalled proxy or network
# otherwise keeps a read waiting for ever), unless --stall-timeout says otherwise.
STALL_GRACE_SECONDS = 60.0


class PostgresSource(TableSource):
    """The tables of one schema of a PostgreSQL database. Use as a context manager (closes the connection)."""

    def __init__(self, url: str, *, lock_timeout: float = 30.0, statement_timeout: float = 1800.0,
                 stall_timeout: float | None = None, progress=print):
        self.url = SourceURL(url)
        self.lock_timeout = lock_timeout
        self.statement_timeout = statement_timeout
        # The longest any one exchange with the server may take on this side (see Watchdog).
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
        self._watchdog = Watchdog(self.stall_timeout)

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
        return explain_failure(error, self.url, doing, table, (self.lock_timeout, self.statement_timeout))

    # -- connecting ----------------------------------------------------------------------------

    def _open(self, snapshot: str | None = None):
        """A connection in a REPEATABLE READ, READ ONLY transaction (on snapshot, if given) with the timeouts."""
        if adbc is None:  # pragma: no cover - it is a dependency of the package
            raise SourceError("the PostgreSQL driver is not installed: pip install adbc-driver-postgresql")
        try:  # libpq's connect_timeout bounds the connecting itself
            connection = self._watchdog.connect(lambda: adbc.connect(self.url.libpq, autocommit=True))
        except Exception as error:  # noqa: BLE001 - every driver failure becomes one clear line
            raise explain_failure(error, self.url, "connect") from None
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
            sources.append(PostgresTable(self, spec.present_in(columns[spec.name]), columns[spec.name]))
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
                con.from_arrow(reader).select(*[in_utc(column, reader.schema.field(column).type)
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
