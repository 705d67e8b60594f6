"""Validated ingest of an input folder (or a database schema) into a new snapshot, published
atomically (DESIGN 2 and 3). One module per step, in the order a run takes them:

- folder.py: find a folder's input files (regular files inside it only) and its ATTRIBUTION.md;
  postgres/: a PostgreSQL schema as the source instead (url, failures, tables, watchdog, source, command).
- csv_file.py, parquet_file.py: read each file into raw_<table> (sources.py: what every source makes).
- checks.py: type every value and check every row, across rows and tables; prove every row arrived.
- build.py: build the new DuckDB file beside the store (publish.sql, snapshot_info).
- store_file.py, lock.py, publish.py: what may be replaced, one ingest at a time, the swap (ingest()).
- problems.py, outcome.py: what is reported (problems, errors, the result and the exit status).
- demo_store.py: the default store built from the bundled demo data when it is missing.

The names other modules use are importable from here. The PostgreSQL source is not imported here
(it loads its driver): import it from dashboard.ingest.postgres.
"""
from dashboard.ingest.demo_store import ensure_store
from dashboard.ingest.folder import SourceFile
from dashboard.ingest.outcome import IngestResult, ingest_outcome
from dashboard.ingest.problems import (MAX_PROBLEMS_KEPT, MAX_PROBLEMS_SHOWN, IngestBusy, IngestError, Problem,
                                       PublishError, SourceError)
from dashboard.ingest.publish import ingest
from dashboard.ingest.sources import TableSource

__all__ = ["MAX_PROBLEMS_KEPT", "MAX_PROBLEMS_SHOWN", "IngestBusy", "IngestError", "IngestResult", "Problem",
           "PublishError", "SourceError", "SourceFile", "TableSource", "ensure_store", "ingest", "ingest_outcome"]
