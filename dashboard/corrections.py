"""Corrections between two snapshots (DESIGN 11): what a later snapshot changed in what an earlier
one said. The row changes are computed in SQL (dashboard/sql/corrections/table_changes.sql, asked
by dashboard/questions/corrections.py); this module holds the pure rules on top of them: which
models' status the changes moved, and why, and the Markdown of both parts."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import links
from dashboard.text import brief_md, plain

ROW_COLUMNS = ["table", "key", "change", "column", "before", "after"]
CONSEQUENCE_COLUMNS = ["model_id", "model_name", "as_of", "status_in_a", "status_in_b", "because"]
CHANGES = ("added", "removed", "changed")
BECAUSE_LIMIT = 5  # changed rows named per model; the rest are counted


def change_text(table: str, key: str, change: str, column, before, after) -> str:
    """One row change in words: `evaluations e123 outcome below_threshold -> triggered`."""
    if change != "changed":
        return f"{table} {key} {change}"
    shown_before = "(empty)" if _empty(before) else before
    shown_after = "(empty)" if _empty(after) else after
    return f"{table} {key} {column} {shown_before} -> {shown_after}"


def _empty(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def because(lines: list[tuple], positions) -> str:
    """The changed rows at these positions of lines ((table, key, change, column, before, after)
    each), in words, `; `-joined: the first BECAUSE_LIMIT, then how many more."""
    if len(positions) == 0:
        return "no row of this model changed (its status moved with other rows)"
    texts = [change_text(*lines[position]) for position in positions[:BECAUSE_LIMIT]]
    more = len(positions) - BECAUSE_LIMIT
    return "; ".join(texts) + (f"; and {more} more" if more > 0 else "")


def consequences(status_a: pd.DataFrame, status_b: pd.DataFrame, rows: pd.DataFrame, as_of: dt.date,
                 policy_id: str | None) -> pd.DataFrame:
    """The models whose status as of the date differs between A and B (a model in one snapshot only
    has an empty status in the other), with the changed rows that explain it: its own rows (any
    table with a model_id) and those of the policies its status is computed under. Sorted by model_id."""
    a = status_a.set_index("model_id")
    b = status_b.set_index("model_id")
    rows = rows.reset_index(drop=True)
    lines = list(rows[ROW_COLUMNS].astype(object).itertuples(index=False, name=None))
    # Row positions (the index, reset) per model and per policy, in table, key, column order.
    own = {model: list(labels) for model, labels in rows.groupby("model_id", sort=False).groups.items()}
    policy_rows = {key: list(labels) for key, labels in
                   rows[rows["table"] == "policies"].groupby("key", sort=False).groups.items()}
    out = []
    for model_id in sorted(set(a.index) | set(b.index)):
        in_a = a["status"].get(model_id)
        in_b = b["status"].get(model_id)
        if in_a == in_b:
            continue
        name = b["name"].get(model_id) if model_id in b.index else a["name"].get(model_id)
        policies = {policy_id} if policy_id else {
            frame["policy_id"].get(model_id) for frame in (a, b) if model_id in frame.index} - {None}
        positions = sorted(set(own.get(model_id, ())).union(*(policy_rows.get(policy, ()) for policy in policies)))
        out.append({"model_id": model_id, "model_name": name, "as_of": as_of, "status_in_a": in_a,
                    "status_in_b": in_b, "because": because(lines, positions)})
    return pd.DataFrame(out, columns=CONSEQUENCE_COLUMNS)


def with_links(frame: pd.DataFrame, older_id: str, newer_id: str, policy_id: str | None) -> pd.DataFrame:
    """The consequences with the link paths of each model's trajectory on both snapshots."""
    out = frame.copy()
    out["trajectory_in_a"] = [links.trajectory_path(model, as_of, policy_id, snapshot_id=older_id)
                              for model, as_of in zip(frame["model_id"], frame["as_of"])]
    out["trajectory_in_b"] = [links.trajectory_path(model, as_of, policy_id, snapshot_id=newer_id)
                              for model, as_of in zip(frame["model_id"], frame["as_of"])]
    return out


def markdown(consequence_frame: pd.DataFrame, rows: pd.DataFrame, *, older_id: str, newer_id: str,
             as_of: dt.date, policy_id: str | None, truncated: dict[str, int]) -> str:
    """Both parts as GitHub-flavoured Markdown: the consequences, then the row changes per table."""
    policy = brief_md(policy_id) if policy_id else "each model's own"
    lines = [f"# Corrections from snapshot {older_id} to {newer_id}", "",
             f"Statuses as of {as_of:%Y-%m-%d}, policy: {policy}.", "",
             "## Consequences", ""]
    if consequence_frame.empty:
        lines.append(f"No model's status as of {as_of:%Y-%m-%d} differs between the two snapshots.")
    else:
        lines += _table(consequence_frame, CONSEQUENCE_COLUMNS)
    lines += ["", "## Row changes", ""]
    if rows.empty:
        lines.append("No row of any input table differs between the two snapshots.")
    else:
        lines += _table(rows, ROW_COLUMNS)
    for table, total in sorted(truncated.items()):
        lines += ["", f"Only the first rows of {table} are listed: {total} row changes in all."]
    return "\n".join(lines) + "\n"


def _table(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    def cell(value) -> str:
        if _empty(value):
            return ""
        if isinstance(value, (dt.date, pd.Timestamp)):
            return f"{value:%Y-%m-%d}"
        return brief_md(plain(value), cell=True)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for values in frame[columns].itertuples(index=False, name=None):
        lines.append("| " + " | ".join(cell(value) for value in values) + " |")
    return lines
