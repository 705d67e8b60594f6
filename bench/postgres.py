"""`asl-dashboard bench --source postgres --scale m|l [--source-url URL] [--json]`.

Measures rows per second (median of --repeats runs, the two ways alternating) of a whole ingest from a PostgreSQL schema (read through ADBC, every row
validated, the snapshot published) against the usual way, in the same run on the same server:
`pandas.read_sql_table` (what `pandas.read_sql` does with a table name) through SQLAlchemy and
psycopg, each DataFrame stored into DuckDB, nothing validated. Target: at least 2x that baseline.

Without --source-url (or ASL_BENCH_SOURCE_URL) it starts a throwaway server with the tests' helper
(bench/pgserver.py, so from a checkout) and COPYs the synthetic lab data/synth/<scale> into a schema
with PostgreSQL types. With a URL, the schema named there must already hold the synthetic lab.

The benchmark is kept in this module alone (it is no part of what a viewer reaches), so it can move
to a top-level bench/ with the rest of the harness.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import duckdb


TARGET_RATIO = 2.0
SCHEMA = "asl_bench"


def _synth_folder(scale: str, say) -> Path:
    """data/synth/<scale>, built (as `bench` does) when missing or made by another generator version."""
    from bench.run import ensure_synth

    return ensure_synth(scale, say=say)


def _test_server():
    from bench import pgserver

    return pgserver.PostgresServer()


def _baseline(url, target: Path, tables: list[str]) -> float:
    """The usual way: pandas.read_sql of each table through SQLAlchemy + psycopg, stored into DuckDB."""
    import pandas as pd
    import sqlalchemy

    started = time.perf_counter()
    engine = sqlalchemy.create_engine(sqlalchemy.engine.URL.create(
        "postgresql+psycopg", username=url.user, password=url.password, host=url.host, port=url.port,
        database=url.database))
    con = duckdb.connect(str(target))
    try:
        with engine.connect() as connection:
            for name in tables:
                frame = pd.read_sql_table(name, connection, schema=url.schema)
                con.from_df(frame).create(name)
    finally:
        con.close()
        engine.dispose()
    return time.perf_counter() - started


def _read_only(source_url: str, target: Path) -> tuple[float, int]:
    """The ingest's read alone, like for like with the baseline: every table from PostgreSQL into a
    DuckDB file through the ingest's own reader (ADBC, parallel readers on one snapshot), no checks."""
    from dashboard.ingest.postgres import PostgresSource

    started = time.perf_counter()
    con = duckdb.connect(str(target))
    rows = 0
    try:
        with PostgresSource(source_url, progress=lambda _: None) as source:
            tables, _problems = source.find_sources()
            for table in tables:
                source.read(con, table)
                rows += con.table(f"rows_{table.spec.name}").count("*").fetchall()[0][0]
    finally:
        con.close()
    return time.perf_counter() - started, rows


class _Where:
    """What the baseline needs of the URL (SQLAlchemy takes its parts)."""

    def __init__(self, text: str):
        import urllib.parse

        from dashboard.ingest.postgres import SourceURL

        parsed = SourceURL(text)
        parts = urllib.parse.urlsplit(text)
        self.user = urllib.parse.unquote(parts.username) if parts.username else None
        self.password = parsed.password or os.environ.get("PGPASSWORD")
        self.host = parts.hostname
        self.port = parts.port
        self.database = parsed.database
        self.schema = parsed.schema


def run(scale: str, *, source_url: str | None = None, repeats: int = 3, say=print) -> dict:
    from dashboard.ingest import ingest
    from dashboard.ingest.postgres import PostgresSource
    from dashboard.tables import TABLES

    server = None
    source_url = source_url or os.environ.get("ASL_BENCH_SOURCE_URL") or None  # bench/ reads its own setting
    try:
        if source_url is None:
            folder = _synth_folder(scale, say)
            say("starting a throwaway PostgreSQL server ...")
            server = _test_server().start()
            say(f"loading {folder} into schema {SCHEMA} (COPY) ...")
            started = time.perf_counter()
            counts = server.load_folder(folder, SCHEMA)
            say(f"  {sum(counts.values()):,} rows loaded in {time.perf_counter() - started:.0f} s")
            source_url = server.url(schema=SCHEMA)
            os.environ["PGPASSWORD"] = server.password  # libpq reads it; the URL holds no password
        where = _Where(source_url)
        results: dict = {"scale": scale, "source": "postgres", "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}")}
        # The two alternate, so that a change in the machine's load falls on both alike.
        seconds, baseline, cpu, baseline_cpu, read, rows = [], [], [], [], [], 0
        with tempfile.TemporaryDirectory() as scratch:
            store = Path(scratch) / "pg.duckdb"
            for index in range(repeats):
                say(f"run {index + 1} of {repeats}: ingest from PostgreSQL ...")
                began = time.process_time()
                with PostgresSource(source_url, progress=lambda _: None) as source:
                    result = ingest(source, store, progress=lambda _: None)
                cpu.append(time.process_time() - began)
                seconds.append(result.seconds)
                rows = result.total_rows
                tables = [spec.name for spec in TABLES if result.row_counts.get(spec.name)]
                say(f"run {index + 1} of {repeats}: the ingest's read alone, into DuckDB ...")
                read.append(_read_only(source_url, Path(scratch) / f"read-{index}.duckdb")[0])
                say(f"run {index + 1} of {repeats}: baseline, pandas.read_sql into DuckDB ...")
                began = time.process_time()
                baseline.append(_baseline(where, Path(scratch) / f"baseline-{index}.duckdb", tables))
                baseline_cpu.append(time.process_time() - began)
        results["cpu_s"] = round(statistics.median(cpu), 2)
        results["baseline_cpu_s"] = round(statistics.median(baseline_cpu), 2)
        results["rows"] = rows
        results["ingest_rows_per_s"] = round(rows / statistics.median(seconds))
        results["baseline_rows_per_s"] = round(rows / statistics.median(baseline))
        results["ingest_s"] = round(statistics.median(seconds), 2)
        results["baseline_s"] = round(statistics.median(baseline), 2)
        results["ratio"] = round(results["ingest_rows_per_s"] / results["baseline_rows_per_s"], 2)
        results["read_rows_per_s"] = round(rows / statistics.median(read))
        results["read_s"] = round(statistics.median(read), 2)
        results["read_ratio"] = round(results["read_rows_per_s"] / results["baseline_rows_per_s"], 2)
        return results
    finally:
        if server is not None:
            server.stop()


def report(results: dict) -> str:
    def verdict(ratio: float) -> str:
        return f"{ratio:.2f} x baseline (target >= {TARGET_RATIO:g} x)  {'ok' if ratio >= TARGET_RATIO else 'MISSED'}"

    return "\n".join([
        f"Benchmark: ingest from PostgreSQL at scale {results['scale']} ({results['rows']:,} rows) on {results['machine']}",
        "",
        f"  ingest (ADBC, validated, published)  {results['ingest_rows_per_s']:,} rows/s "
        f"({results['ingest_s']} s; {results['cpu_s']} s CPU in this process)",
        f"  pandas.read_sql into DuckDB          {results['baseline_rows_per_s']:,} rows/s "
        f"({results['baseline_s']} s; {results['baseline_cpu_s']} s CPU)",
        f"  read alone, PostgreSQL to DuckDB     {results['read_rows_per_s']:,} rows/s ({results['read_s']} s)",
        "",
        f"  read, like for like with the baseline   {verdict(results['read_ratio'])}",
        f"  whole ingest (read + checks + publish)  {verdict(results['ratio'])}",
    ])


def json_line(results: dict) -> str:
    return json.dumps(results)
