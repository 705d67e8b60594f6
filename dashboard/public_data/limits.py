"""Ingest's limits, applied while importing: a value the ingest would refuse never reaches the
output folder, and no oversized value is echoed in a report line."""
from __future__ import annotations

import os
from pathlib import Path

from dashboard.csvscan import MAX_FIELD_BYTES, MAX_RECORD_BYTES

SHOWN_CHARS = 80  # a value quoted in a report line is cut to this many characters


def field_bytes(text: str) -> int:
    """Bytes the value takes as one field of a CSV file written by csv.writer, quotes included (as
    ingest's scan counts them): quotes are doubled and the field quoted."""
    quotes = text.count('"')
    return len(text.encode("utf-8", "backslashreplace")) + quotes + (2 if quotes or "," in text or "\n" in text
                                                                       or "\r" in text else 0)


def too_long(text: str) -> bool:
    return field_bytes(text) > MAX_FIELD_BYTES


def over_limit(text: str) -> str:
    return (f"longer than {MAX_FIELD_BYTES:,} bytes, the ingest's limit for one field "
            f"(it has {field_bytes(text):,})")


def shown(text: str) -> str:
    """The value for a report line: its start and its length when it is long, never the whole of it."""
    text = str(text)
    if len(text) <= SHOWN_CHARS:
        return text
    return f"{text[:SHOWN_CHARS]}... ({len(text):,} characters)"


def path_text(path: Path | str) -> str:
    """A path as it can be printed and written in UTF-8: bytes that are not UTF-8 as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


__all__ = ["MAX_FIELD_BYTES", "MAX_RECORD_BYTES", "field_bytes", "too_long", "over_limit", "shown", "path_text",
           "is_utf8"]
