"""What every command of the asl-dashboard command line shares: the --store option, opening the
snapshot, the pages' scope rules, printing a frame (CSV or a table) and errors on stderr."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

from dashboard import store as store_module
from dashboard.export import to_csv
from dashboard.ingest import ensure_store
from dashboard.params import ParamError, as_of_notice, check_snapshot_id
from dashboard.text import brief_md, neutralise, one_line
from dashboard.questions import snapshot as snapshot_questions


def print_err(message: str) -> None:
    print(message, file=sys.stderr)


def store_option(command) -> None:
    """--store after the command name too (the same as before it; hidden from the command's help)."""
    command.add_argument("--store", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def seconds(text: str) -> float:
    """--wait: a finite number of seconds >= 0 (nan or inf would wait without bound)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of seconds >= 0")
    return value


def whole_number(minimum: int):
    """An option's type: a whole number >= minimum (bounded: at most a million)."""
    def parse(text: str) -> int:
        if not text.isdigit() or len(text) > 7 or int(text) < minimum:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number >= {minimum}")
        return int(text)
    return parse


def folder_or_url(text: str):
    return text if "://" in text else Path(text)


def snapshot_option(command) -> None:
    """--snapshot ID on a reading command (DESIGN 11): read that kept snapshot instead of the latest."""
    command.add_argument("--snapshot", metavar="ID", type=snapshot_id,
                         help="read this kept snapshot (the snapshots command lists them; default: the latest)")


def reviews_option(command) -> None:
    """--reviews PATH_OR_URL on a command that reads the reviews ledger's decisions (DESIGN 12)."""
    command.add_argument("--reviews", metavar="PATH_OR_URL",
                         help="the reviews ledger to read decisions from (default: $ASL_REVIEWS_URL, else the file "
                              "beside the store; none there: no decisions)")


def snapshot_id(text: str) -> str:
    try:
        return check_snapshot_id(text)
    except ParamError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def open_snapshot(args):
    """The snapshot a command reads: --snapshot's, else the latest (the store, built from the demo
    data when missing). An id that is not kept raises UnknownSnapshot (main prints its message)."""
    path = ensure_store(store_module.store_path(args.store), say=print_err)
    return store_module.open_snapshot(path, getattr(args, "snapshot", None))


def shown_text(frame, keep_lines: bool = False):
    """frame with every text cell neutralised (controls, bidirectional and zero-width characters as
    visible escapes: no ESC sequence from the data reaches a terminal); line breaks become spaces
    unless keep_lines (CSV quotes them)."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or str(shown[column].dtype) in ("string", "str"):
            shown[column] = shown[column].map(
                lambda value: value if not isinstance(value, str)
                else neutralise(value, keep_newlines=True) if keep_lines else neutralise(one_line(value)))
    return shown


def print_frame(frame, fmt: str) -> None:
    if fmt == "table":
        # For reading: an empty cell stays empty (not NaN, <NA> or None); floats keep pandas' format.
        readable = shown_text(frame)
        for column in readable.columns:
            values = readable[column]
            if values.dtype.kind != "f" and values.isna().any():
                readable[column] = values.astype(object).where(values.notna(), "")
        if readable.empty:  # the column names, not pandas' "Empty DataFrame" summary
            print(" ".join(str(column) for column in readable.columns))
            return
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250):
            print(readable.to_string(index=False, na_rep=""))
    elif sys.stdout.isatty():
        # CSV read on a terminal: neutralised like the table. Piped or redirected, it is the exact data.
        sys.stdout.write(to_csv(shown_text(frame, keep_lines=True)))
    else:
        sys.stdout.write(to_csv(frame))


def markdown_table(frame) -> str:
    """frame as a GitHub-flavoured Markdown table: every cell inert text (brief_md), an empty cell empty."""
    def cell(value) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return ""
        return brief_md(value, cell=True)

    columns = [str(column) for column in frame.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(value) for value in values) + " |"
              for values in frame.itertuples(index=False, name=None)]
    return "\n".join(lines) + "\n"


def resolve_scope(snap, as_of_text, policy_text):
    """The pages' scope rules (dashboard/params.py parse_as_of); a date after the snapshot's own
    date is accepted with the pages' notice, printed on stderr. Every command with --as-of uses it."""
    scope = snapshot_questions.resolve_scope(snap, as_of_text, policy_text)
    note_as_of_after_snapshot(snap, scope.as_of)
    return scope


def note_as_of_after_snapshot(snap, as_of) -> None:
    """The pages' notice for an as-of date after the snapshot's own date, on stderr."""
    notice = as_of_notice(as_of, snapshot_questions.snapshot_date(snap))
    if notice:
        print_err(f"note: {notice}")


# serve --replicas and bench --replicas: how many dashboard processes one machine may start.
MAX_REPLICAS = 64


def replica_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_REPLICAS:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_REPLICAS}")
    return count
