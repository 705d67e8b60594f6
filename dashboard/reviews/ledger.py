"""The reviews ledger's storage (DESIGN 12): one append-only table of reviews, decisions, sign-offs,
closes and reports, every row chained to the previous one by hash.

Where it lives: a SQLite file beside the store by default (`data/asl.reviews.sqlite`), or a lab's
PostgreSQL database (`ASL_REVIEWS_URL=postgresql://...` or `--reviews`). The same SQL files
(dashboard/sql/reviews/*.sql, `:name` parameters) run on both; for psycopg they are translated to
`%(name)s` in one place (_postgres_text). SQLite, not DuckDB: several dashboard processes (`serve
--replicas`) read and write the same ledger, and a DuckDB file opened for writing by one process
locks out every other.

Every append is one transaction that takes the write lock first (SQLite `BEGIN IMMEDIATE`;
PostgreSQL an advisory transaction lock), reads the last row and inserts seq + 1 with the last
row's hash: two appenders at the same moment both land, in turn, with no gap. Every wait is
bounded (SQLite's busy timeout; PostgreSQL's connect_timeout, lock_timeout and statement_timeout)
and a timeout, like every other failure, is one line (LedgerError) that never holds a password.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd
import psycopg

from dashboard import settings
from dashboard.ingest.postgres.failures import first_line
from dashboard.ingest.postgres.url import SourceURL, redact_url
from dashboard.ingest.problems import SourceError
from dashboard.sqlfiles import internal_sql

COLUMNS = ["seq", "kind", "entry_id", "review_id", "recorded_at", "recorded_by", "body", "prev_hash", "row_hash"]
PREFIXES = {"review": "R", "decision": "D", "signoff": "S", "close": "C", "report": "P"}
GENESIS_HASH = "0" * 64  # the prev_hash of seq 1

BUSY_TIMEOUT_S = 10.0  # SQLite: how long an append waits for another writer
CONNECT_TIMEOUT_S = 10  # PostgreSQL: how long connecting may take
LOCK_TIMEOUT_S = 10.0  # PostgreSQL: how long an append waits for another appender
STATEMENT_TIMEOUT_S = 30.0  # PostgreSQL: how long one statement may run
# The advisory lock every appender takes (any fixed 64-bit number; this one spells "asl-rvw").
LOCK_KEY = 0x61736C2D727677

MAX_ACTOR = 320  # an e-mail address's limit
MAX_BODY = 64_000  # characters of canonical JSON: far above what the actions' caps allow
_REVIEW_ID = re.compile(r"R[1-9][0-9]{0,9}")
_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


class LedgerError(Exception):
    """The ledger cannot be used or written: one line, without a password (unreachable database,
    locked too long, refused input)."""


# --- the chain: pure -------------------------------------------------------------------------------

def canonical_json(value) -> str:
    """The one JSON text of a value: keys sorted, no spaces, characters as they are."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(seq: int, kind: str, entry_id: str, review_id: str, recorded_at: str, recorded_by: str, body: str,
             prev_hash: str) -> str:
    """sha256 (hex) of the canonical JSON of the row's fields in order; body is the canonical JSON text."""
    fields = [int(seq), kind, entry_id, review_id, recorded_at, recorded_by, body, prev_hash]
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def utc_text(moment: dt.datetime | None = None) -> str:
    """A moment as the ledger writes it: UTC, ISO 8601 to the second, with Z (2026-12-07T07:05:00Z)."""
    moment = moment or dt.datetime.now(dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_id_of(kind: str, seq: int) -> str:
    return f"{PREFIXES[kind]}{int(seq)}"


def chain(records: Iterable[dict]) -> pd.DataFrame:
    """Ledger entries made from records (dicts with kind, review_id (None for a review), recorded_at,
    recorded_by, body (a dict)), numbered from 1 and chained as the ledger would: for hand-made
    entries in tests, and the one place a row's fields are put together."""
    rows: list[tuple] = []
    previous = GENESIS_HASH
    for seq, record in enumerate(records, start=1):
        row = _row(seq, previous, record["kind"], record.get("review_id"), record["recorded_at"],
                   record["recorded_by"], record["body"])
        rows.append(row)
        previous = row[-1]
    return frame_of(rows)


def _row(seq: int, previous: str, kind: str, review_id: str | None, recorded_at: str, recorded_by: str,
         body: dict) -> tuple:
    entry_id = entry_id_of(kind, seq)
    review_id = entry_id if kind == "review" else review_id
    text = canonical_json(body)
    return (seq, kind, entry_id, review_id, recorded_at, recorded_by, text, previous,
            row_hash(seq, kind, entry_id, review_id, recorded_at, recorded_by, text, previous))


def frame_of(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(row) for row in rows], columns=COLUMNS)
    frame["seq"] = frame["seq"].astype("int64")
    for column in COLUMNS[1:]:
        frame[column] = frame[column].astype(object)
    return frame


def first_break(entries: pd.DataFrame) -> tuple[int | None, str]:
    """(None, "") when every row's seq follows the previous one's, its prev_hash is the previous
    row's row_hash and its row_hash is its fields' hash; else (the first row that does not match,
    one line saying how). Pure: `Ledger.verify` runs it on the stored rows."""
    previous_seq, previous_hash = 0, GENESIS_HASH
    for row in entries[COLUMNS].itertuples(index=False):
        seq = int(row.seq)
        if seq != previous_seq + 1:
            if seq <= previous_seq:
                return seq, f"row {seq} repeats or goes back from row {previous_seq}"
            missing = f"row {previous_seq + 1}" if seq == previous_seq + 2 else f"rows {previous_seq + 1} to {seq - 1}"
            return seq, f"row {seq} follows row {previous_seq}: {missing} missing (deleted?)"
        if row.prev_hash != previous_hash:
            return seq, f"row {seq}'s prev_hash is not row {previous_seq}'s hash (rows removed, reordered or replaced)"
        expected_id = entry_id_of(row.kind, seq) if row.kind in PREFIXES else None
        if expected_id is None or row.entry_id != expected_id:
            return seq, f"row {seq}'s kind or entry id does not match its seq (edited)"
        if row.kind == "review" and row.review_id != row.entry_id:
            return seq, f"row {seq} is a review whose review_id is not its own id (edited)"
        recomputed = row_hash(seq, row.kind, row.entry_id, row.review_id, row.recorded_at, row.recorded_by,
                              row.body, row.prev_hash)
        if row.row_hash != recomputed:
            return seq, f"row {seq}'s content does not match its hash (edited after it was written)"
        previous_seq, previous_hash = seq, row.row_hash
    return None, ""


# --- where the ledger lives ----------------------------------------------------------------------

def default_location(store: Path) -> Path:
    """The file beside the store: data/asl.duckdb -> data/asl.reviews.sqlite."""
    store = Path(store)
    return store.parent / f"{store.stem}.reviews.sqlite"


def ledger_location(explicit: str | None, store: Path) -> str:
    """The ledger to use: explicit (--reviews), else $ASL_REVIEWS_URL, else the file beside the store."""
    return str(explicit or settings.reviews_url() or default_location(store))


def is_postgres(location: str) -> bool:
    return location.split("://", 1)[0].lower() in ("postgresql", "postgres") and "://" in location


def shown_location(location: str) -> str:
    """The location as it may be printed: a URL without its user-info or any secret parameter."""
    return redact_url(location) if "://" in str(location) else str(location)


def open_ledger(location: str) -> "Ledger":
    """The ledger at location (a file path or a postgresql:// URL), its table created when missing.
    LedgerError (one line) when it cannot be opened."""
    location = str(location)
    if is_postgres(location):
        return Ledger(_Postgres(location))
    if "://" in location:
        raise LedgerError(f"the reviews ledger {shown_location(location)} is neither a file path nor a "
                          "postgresql:// URL")
    return Ledger(_SQLite(Path(location).expanduser()))


def _check_text(name: str, value: str, limit: int) -> None:
    if not isinstance(value, str) or not value or len(value) > limit or _INVISIBLE.search(value):
        raise LedgerError(f"{name} must be 1 to {limit} characters without control characters")


class Ledger:
    """The reviews ledger: append a row, read every row, verify the chain. A context manager (closes
    its connection); its methods may be called from several threads (one at a time)."""

    def __init__(self, backend: "_SQLite | _Postgres"):
        self._backend = backend
        self._lock = threading.Lock()
        self.location = backend.shown

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._backend.close()

    def append(self, kind: str, review_id: str | None, body: dict, *, actor: str,
               check: Callable[[pd.DataFrame], None] | None = None) -> str:
        """Append one row in one transaction and return its entry_id (for kind review, review_id is
        None and the id is R<seq>). check, when given, is called inside the transaction with every
        row so far and may raise to refuse (nothing is written): what it checked still holds when the
        row lands."""
        if kind not in PREFIXES:
            raise LedgerError(f"{kind!r} is not a kind of ledger row: one of {', '.join(PREFIXES)}")
        if (kind == "review") != (review_id is None):
            raise LedgerError("a review row names no review; every other row names its review")
        if review_id is not None and (not isinstance(review_id, str) or not _REVIEW_ID.fullmatch(review_id)):
            raise LedgerError("a review id is R and a number, such as R1")
        _check_text("the person recording", actor, MAX_ACTOR)
        text = canonical_json(body)
        if not isinstance(body, dict) or len(text) > MAX_BODY:
            raise LedgerError(f"a row's body is a JSON object of at most {MAX_BODY} characters")
        with self._lock, self._backend.write() as run:
            if check is not None:
                check(frame_of(run("entries")))
            last = run("last_entry")
            seq, previous = (int(last[0][0]) + 1, last[0][1]) if last else (1, GENESIS_HASH)
            row = _row(seq, previous, kind, review_id, utc_text(), actor, body)
            run("insert_entry", **dict(zip(COLUMNS, row)))
        return row[2]

    def entries(self) -> pd.DataFrame:
        """Every row (COLUMNS), in seq order."""
        with self._lock:
            return frame_of(self._backend.read("entries"))

    def verify(self) -> tuple[int | None, str]:
        """(None, "") when the chain holds, else (the first row that does not match, one line)."""
        return first_break(self.entries())


# --- SQLite ------------------------------------------------------------------------------------------

def _sqlite_failure(error: sqlite3.Error, shown: str, doing: str) -> LedgerError:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    if "locked" in text or "busy" in text:
        return LedgerError(f"the reviews ledger {shown} stayed locked by another writer for more than "
                           f"{BUSY_TIMEOUT_S:g} s while {doing}: nothing was recorded; try again")
    return LedgerError(f"cannot use the reviews ledger {shown} ({doing}): {text[:200]}")


class _SQLite:
    """A local file: WAL, synchronous=FULL, every append BEGIN IMMEDIATE ... COMMIT."""

    def __init__(self, path: Path):
        self.shown = str(path)
        if not path.parent.is_dir():
            raise LedgerError(f"cannot create the reviews ledger {path}: its folder {path.parent} does not exist")
        try:
            self._con = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                        check_same_thread=False)
        except sqlite3.Error as error:
            raise _sqlite_failure(error, self.shown, "opening it") from None
        try:
            self._con.executescript(internal_sql("reviews/sqlite_session.sql"))
            try:
                self._con.execute(internal_sql("reviews/probe_ledger.sql")).fetchall()
            except sqlite3.OperationalError as error:
                if "no such table" not in str(error):
                    raise
                self._con.execute(internal_sql("reviews/create_ledger.sql"))
        except sqlite3.Error as error:
            self._con.close()
            if "already exists" in str(error):  # another process created it a moment ago
                self.__init__(path)
                return
            raise _sqlite_failure(error, self.shown, "opening it") from None

    def _run(self, name: str, **params) -> list[tuple]:
        return self._con.execute(internal_sql(f"reviews/{name}.sql"), params).fetchall()

    @contextmanager
    def write(self):
        try:
            self._con.execute(internal_sql("reviews/begin_sqlite.sql"))
        except sqlite3.Error as error:
            raise _sqlite_failure(error, self.shown, "waiting to write") from None
        try:
            yield self._run
            self._con.commit()
        except sqlite3.Error as error:
            self._con.rollback()
            raise _sqlite_failure(error, self.shown, "writing") from None
        except BaseException:
            self._con.rollback()
            raise

    def read(self, name: str, **params) -> list[tuple]:
        try:
            return self._run(name, **params)
        except sqlite3.Error as error:
            raise _sqlite_failure(error, self.shown, "reading") from None

    def close(self) -> None:
        self._con.close()


# --- PostgreSQL ------------------------------------------------------------------------------------

def _postgres_text(sql: str) -> str:
    """A SQL file's `:name` parameters as psycopg's `%(name)s` (the one translation)."""
    return _PARAMETER.sub(lambda match: f"%({match.group(1)})s", sql)


def _quoted_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _postgres_failure(error: Exception, url: SourceURL, doing: str) -> LedgerError:
    state = getattr(error, "sqlstate", None)
    where = f"the reviews database {url.redacted}"
    if state == "55P03":
        return LedgerError(f"{where} stayed locked by another writer for more than {LOCK_TIMEOUT_S:g} s while "
                           f"{doing}: nothing was recorded; try again")
    if state == "57014":
        return LedgerError(f"{where} took longer than {STATEMENT_TIMEOUT_S:g} s while {doing}: nothing was recorded")
    if state == "42501":
        return LedgerError(f"{where}: the database user may not do this while {doing} ({first_line(error, url)}); "
                           "on the first run it needs CREATE on the schema, or create the ledger table "
                           "beforehand (docs/reviews.md)")
    if state is None or isinstance(error, psycopg.OperationalError):
        return LedgerError(f"cannot reach {where} while {doing}: {first_line(error, url)}")
    return LedgerError(f"{where} refused {doing}: {first_line(error, url)}")


class _Postgres:
    """A lab's PostgreSQL database: the same statements; an append takes pg_advisory_xact_lock first."""

    def __init__(self, location: str):
        try:
            self._url = SourceURL(location)
        except SourceError as error:
            raise LedgerError(f"the reviews URL: {error}") from None
        self.shown = self._url.redacted
        try:
            self._con = psycopg.connect(self._url.libpq, autocommit=True, application_name="asl-dashboard reviews",
                                        connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as error:
            raise _postgres_failure(error, self._url, "connecting") from None
        try:
            self._con.execute(self._text("search_path_postgres"),
                              {"search_path": _quoted_identifier(self._url.schema)})
            with self._con.transaction():
                self._bound()
                try:
                    with self._con.transaction():  # a savepoint: the failed probe is undone alone
                        self._con.execute(self._text("probe_ledger")).fetchall()
                except psycopg.errors.UndefinedTable:
                    self._con.execute(self._text("lock_postgres"), {"lock_key": LOCK_KEY})
                    self._con.execute(self._text("create_ledger"))
        except psycopg.errors.DuplicateTable:  # another process created it a moment ago
            pass
        except psycopg.Error as error:
            self._con.close()
            raise _postgres_failure(error, self._url, "opening the ledger") from None

    @staticmethod
    def _text(name: str) -> str:
        return _postgres_text(internal_sql(f"reviews/{name}.sql"))

    def _bound(self) -> None:
        self._con.execute(self._text("session_postgres"),
                          {"lock_timeout_ms": str(int(LOCK_TIMEOUT_S * 1000)),
                           "statement_timeout_ms": str(int(STATEMENT_TIMEOUT_S * 1000))})

    def _run(self, name: str, **params) -> list[tuple]:
        cursor = self._con.execute(self._text(name), params or None)
        return cursor.fetchall() if cursor.description else []

    @contextmanager
    def write(self):
        try:
            with self._con.transaction():
                self._bound()
                self._run("lock_postgres", lock_key=LOCK_KEY)
                yield self._run
        except psycopg.Error as error:
            raise _postgres_failure(error, self._url, "writing") from None

    def read(self, name: str, **params) -> list[tuple]:
        try:
            with self._con.transaction():
                self._bound()
                return self._run(name, **params)
        except psycopg.Error as error:
            raise _postgres_failure(error, self._url, "reading") from None

    def close(self) -> None:
        self._con.close()
