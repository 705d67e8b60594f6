"""A PostgreSQL schema as an ingest source: `asl-dashboard ingest postgresql://...?schema=NAME`.

The tables (or views) of DESIGN section 3 are read from one schema through the ADBC PostgreSQL
driver (Arrow, binary COPY under the hood), in one REPEATABLE READ, READ ONLY transaction so every
table is read as of the same moment. Each table becomes raw_<table> in the ingest's DuckDB database:
every column as the text the contract describes (DuckDB's text of a number, date or timestamp; an
array joined with ';'), so the very same checks as for CSV and Parquet run on it (dashboard/ingest/
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
from dashboard.ingest.postgres.command import cli_ingest
from dashboard.ingest.postgres.source import PostgresSource
from dashboard.ingest.postgres.tables import ColumnType, PostgresTable
from dashboard.ingest.postgres.url import SourceURL, redact_url

__all__ = ["ColumnType", "PostgresSource", "PostgresTable", "SourceURL", "cli_ingest", "redact_url"]
