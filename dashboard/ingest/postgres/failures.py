"""A failure of the driver, the server or the connection, as one line that holds no secret."""
from __future__ import annotations

import re

from dashboard.ingest.postgres.url import SourceURL
from dashboard.ingest.problems import SourceError


def first_line(error: BaseException, url: SourceURL) -> str:
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


def explain_failure(error: BaseException, url: SourceURL, doing: str, table: str | None = None,
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
            return SourceError(f"cannot connect to {url.redacted}: {first_line(error, url)}")
        return SourceError(f"the connection to {url.redacted} was lost while {doing}"
                           f"{' ' + where if table else ''}: {first_line(error, url)}; nothing was published")
    if doing == "connect":
        return SourceError(f"cannot connect to {url.redacted}: {first_line(error, url)}")
    return SourceError(f"failed while {doing} {where}: {first_line(error, url)}")
