"""Building the new DuckDB file beside the store: every source read into raw_<table>, every row
checked, and only when nothing is wrong the snapshot written (publish.sql) with its snapshot_info."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path

import duckdb

from dashboard.ingest.checks import keep_checkpoints_in_id_order, prove_every_row_arrived, row_problems, type_rows
from dashboard.ingest.csv_file import load_csv
from dashboard.ingest.folder import SourceFile, attribution, find_sources
from dashboard.ingest.outcome import IngestResult
from dashboard.ingest.parquet_file import load_parquet
from dashboard.ingest.problems import IngestError, Problem
from dashboard.ingest.sources import TableSource, add_absent_optional, create_empty_raw
from dashboard.snapshots import make_snapshot_id
from dashboard.sqlfiles import internal_sql
from dashboard.tables import TABLES


# DuckDB's memory for one ingest: its buffer pool spills to a folder beside the store above this,
# so the whole process (Python, pandas, pyarrow and DuckDB) stays under 1 GB on any input folder.
INGEST_MEMORY_LIMIT = "500MB"


def load_raw(con: duckdb.DuckDBPyConnection, source: SourceFile, warnings: list[str]) -> tuple[int, list[Problem]]:
    """Make raw_<table>: row_index (the record's place in the file, from 0) and every column as text.

    A CSV is read once into a table (the strict reader finds structural problems up front). A
    Parquet file is only opened: raw_<table> is a view, so its rows are read once, while typing.
    A database table (a TableSource's) loads itself.
    """
    if hasattr(source, "load_raw"):
        return source.load_raw(con, warnings)
    if source.kind == "csv":
        return load_csv(con, source, warnings)
    return load_parquet(con, source, warnings)


def hash_content(con: duckdb.DuckDBPyConnection, notes: str | None) -> str:
    """The content hash of the new snapshot: sha-256 of each published table's name, row count and sum
    of row hashes (content_hash.sql), and of the notes (ATTRIBUTION.md: viewers read them too), in hex.
    Row order, publish time, source and data set name do not count."""
    lines = con.execute(internal_sql("ingest/content_hash.sql")).fetchall()
    text = "".join(f"{name}:{count}:{total}\n" for name, count, total in lines) + f"notes:{notes!r}\n"
    return hashlib.sha256(text.encode()).hexdigest()


def build_snapshot(src: Path, build: Path, spill: Path, progress, dataset: str) -> IngestResult:
    warnings: list[str] = []
    if isinstance(src, TableSource):
        sources, problems = src.find_sources()
        notes = src.notes()
    else:
        sources, problems = find_sources(src)
        notes, notes_problem = attribution(src)
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
        # The new snapshot's file, attached from the start: the checkpoints are typed straight into it
        # (typed_checkpoints.sql), compressed on disk rather than spilled from the memory cap.
        con.execute(internal_sql("ingest/attach_build.sql"), {"path": str(build)})
        row_counts: dict[str, int] = {}
        by_table = {source.spec.name: source for source in sources}
        for spec in TABLES:
            source = by_table.get(spec.name)
            if source is None:
                create_empty_raw(con, spec)
                row_counts[spec.name] = 0
                continue
            began = time.perf_counter()
            count, file_problems = load_raw(con, source, warnings)
            problems += file_problems
            if file_problems and not count:  # nothing could be read: the file's rows are not checked
                create_empty_raw(con, spec)
            else:
                add_absent_optional(con, spec, source)
            if not file_problems and source.kind == "csv":
                seconds = time.perf_counter() - began
                progress(f"  read {source.label}: {count:,} rows ({seconds:.1f} s, {count / max(seconds, 1e-9):,.0f} rows/s)")
            row_counts[spec.name] = count
        for warning in warnings:
            progress(f"  warning: {warning}")
        progress("  checking every row ...")
        for spec in TABLES:
            problems += type_rows(con, spec, by_table.get(spec.name), row_counts[spec.name], progress)
        keep_checkpoints_in_id_order(con)
        # With a file missing or unreadable, only each row's own values are checked: checks across
        # rows and tables on a half-read folder would only add noise.
        kept, row_total = row_problems(con, by_table, across_rows=not problems)
        total = len(problems) + row_total
        problems += kept
        if problems:
            problems.sort(key=lambda p: (p.file, p.key or "", p.line if p.line is not None else -1))
            raise IngestError(problems, total)
        progress("  writing the new snapshot ...")
        con.execute(internal_sql("ingest/publish.sql"))
        prove_every_row_arrived(con, by_table, row_counts)
        content_hash = hash_content(con, notes)
        snapshot_id = make_snapshot_id(published_at, content_hash)
        con.execute(internal_sql("ingest/snapshot_info.sql"), {
            "published_at": published_at,
            "source": src.description if isinstance(src, TableSource) else str(src),
            "dataset": dataset,
            "row_counts": json.dumps(row_counts),
            "notes": notes,
            "snapshot_id": snapshot_id,
            "content_hash": content_hash,
        })
        snapshot_date = con.execute(internal_sql("ingest/snapshot_date.sql")).fetchone()[0]
        con.execute(internal_sql("ingest/detach_build.sql"))
        return IngestResult(store=build, row_counts=row_counts, seconds=0.0, warnings=warnings,
                            snapshot_date=snapshot_date, snapshot_id=snapshot_id, content_hash=content_hash,
                            published_at=published_at)
    finally:
        con.close()
