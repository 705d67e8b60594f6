"""Load SQL files by name: queries/NAME.sql (questions) and dashboard/sql/... (ingest steps)."""
from __future__ import annotations

import functools
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
INTERNAL_SQL_DIR = Path(__file__).resolve().parent / "sql"

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")


@functools.cache
def query_text(name: str) -> str:
    """The text of queries/NAME.sql. Names are plain identifiers, never paths."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"not a query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query named {name!r} (looked for {path})")
    return path.read_text(encoding="utf-8")


@functools.cache
def internal_sql(relative: str) -> str:
    return (INTERNAL_SQL_DIR / relative).read_text(encoding="utf-8")


@functools.cache
def parameters_of(sql: str) -> frozenset[str]:
    """The $names a SQL text binds (comments ignored)."""
    return frozenset(_PARAMETER.findall(_LINE_COMMENT.sub("", sql)))


def query_names() -> list[str]:
    return sorted(path.stem for path in QUERIES_DIR.glob("*.sql"))
