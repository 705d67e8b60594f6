"""How numbers, dates and statuses read on screen. Pure functions, no Streamlit: the pages format
with them, the tests pin them. Exports (CSV) never go through here: they keep full precision.

- FLOP: three significant figures, exponent without "+" or leading zeros: 2.52e25.
- Multiples: two decimals and an x: 3.16x. Percentages: whole numbers: 39%.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from dashboard.text import md_escape
from dashboard.reference import STATUSES

# Each reads on the light and the dark theme (contrast at least 3:1 on both backgrounds): triggered,
# past red, is purple as on an air-quality scale (a dark red disappeared on the dark theme).
STATUS_COLOURS = {
    "triggered": "#c026d3",
    "buffer_breached": "#dc2626",
    "eval_overdue": "#ea580c",
    "eval_due_soon": "#ca8a04",
    "on_track": "#16a34a",
    "never_evaluated": "#6b7280",
    "no_checkpoint": "#cbd5e1",
}
STATUS_LABELS = {
    "triggered": "Triggered",
    "buffer_breached": "Buffer breached",
    "eval_overdue": "Evaluation overdue",
    "eval_due_soon": "Evaluation due soon",
    "on_track": "On track",
    "never_evaluated": "Never evaluated",
    "no_checkpoint": "No checkpoint yet",
}
# A status label in a table: a light tint of the status colour (the grid draws dark text on it),
# readable on the light and the dark theme alike.
STATUS_TINTS = {
    "triggered": "#f5d0fe",
    "buffer_breached": "#fee2e2",
    "eval_overdue": "#ffedd5",
    "eval_due_soon": "#fef9c3",
    "on_track": "#dcfce7",
    "never_evaluated": "#e5e7eb",
    "no_checkpoint": "#f1f5f9",
}
# The statuses whose models are named on the buffer map (not only in its hovers).
MAP_NAMED_STATUSES = ("triggered", "buffer_breached", "eval_overdue")


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def flop(value) -> str:
    """2.5176180000000002e+25 -> '2.52e25'; empty for a missing value."""
    if _missing(value):
        return ""
    mantissa, exponent = f"{float(value):.2e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def multiple(value) -> str:
    """3.16227766 -> '3.16x'."""
    return "" if _missing(value) else f"{float(value):.2f}x"


def percent(value) -> str:
    """38.68528 -> '39%'."""
    return "" if _missing(value) else f"{float(value):.0f}%"


def day(value) -> str:
    """A date as YYYY-MM-DD (empty when missing)."""
    if _missing(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def distinct_names(model_ids, names) -> list[str]:
    """Each model's name as shown beside the others given: its name, with its id in brackets where
    another of them has the same name ("Fjord 2 2025-11 (fjord-2-2025-11-2)"); its id where it has
    no name. In the order given."""
    shown = [str(model_id) if _missing(name) or str(name).strip() == "" else str(name)
             for model_id, name in zip(model_ids, names)]
    counts: dict[str, int] = {}
    for name in shown:
        counts[name] = counts.get(name, 0) + 1
    return [f"{name} ({model_id})" if counts[name] > 1 and name != str(model_id) else name
            for model_id, name in zip(model_ids, shown)]


def severity_order(status: pd.DataFrame) -> pd.DataFrame:
    """Most urgent first (DESIGN 4 order, no_checkpoint last), then model_id: status.sql's severity
    column where the frame has it, else the order of reference.STATUSES."""
    rank = status["severity"] if "severity" in status else status["status"].map(
        {name: index for index, name in enumerate(STATUSES)})
    return (status.assign(_rank=rank.astype(float)).sort_values(["_rank", "model_id"], kind="stable")
            .drop(columns="_rank").reset_index(drop=True))


# The statuses for which no date is a re-evaluation deadline still ahead: due now, or past evaluating.
DUE_NOW_STATUSES = ("triggered", "buffer_breached", "eval_overdue")


def reevaluation(next_eval_date, as_of: dt.date, status: str | None = None, *, overdue_since=None, overdue_by=None,
                 triggered_on=None) -> tuple[str, str]:
    """(kind, text) of a model's re-evaluation deadline as of as_of (DESIGN 4a: a date is never
    presented as a deadline still ahead for a model that is overdue, past its buffer or triggered).

    kind: "ahead" (text: the date), "past" (text: "was due DATE"), "overdue" (overdue or buffer
    breached while next_eval_date, the time limit, is still ahead: compute made it due; text:
    "overdue since DATE (by compute)"), "triggered" (no re-evaluation deadline: it triggered; text:
    "none: triggered on DATE"), or "" (no date, text "")."""
    if status == "triggered":
        on = day(triggered_on)
        return "triggered", f"none: triggered on {on}" if on else "none: triggered"
    date = None if _missing(next_eval_date) else pd.Timestamp(next_eval_date).date()
    if date is None and status not in DUE_NOW_STATUSES:
        return "", ""
    if date is not None and date < as_of:
        return "past", f"was due {date:%Y-%m-%d}"
    if status in DUE_NOW_STATUSES:
        since, by = day(overdue_since), OVERDUE_BY_TEXT.get(overdue_by)
        return "overdue", ("overdue" + (f" since {since}" if since else " now") + (f" (by {by})" if by else ""))
    return "ahead", f"{date:%Y-%m-%d}"


def reevaluation_text(next_eval_date, as_of: dt.date, status: str | None = None, **figures) -> str:
    """The re-evaluation cell of a table: the date ahead, 'was due DATE' when already past on the
    as-of date, 'overdue since ...' or 'none: triggered ...' (reevaluation)."""
    return reevaluation(next_eval_date, as_of, status, **figures)[1]


def reevaluation_sentence(next_eval_date, as_of: dt.date, status: str | None = None, **figures) -> str:
    """The same as a phrase for a hover or a chart label: 're-evaluate by DATE', 're-evaluation was
    due DATE', 're-evaluation overdue since DATE (by compute)', 're-evaluation: none: triggered ...'."""
    kind, text = reevaluation(next_eval_date, as_of, status, **figures)
    return {"": "", "ahead": f"re-evaluate by {text}", "past": f"re-evaluation {text}",
            "overdue": f"re-evaluation {text}", "triggered": f"re-evaluation: {text}"}[kind]


def _row_figures(row) -> dict:
    """The status row's figures reevaluation reads besides the date and status (missing ones None)."""
    return {name: row.get(name) for name in ("overdue_since", "overdue_by", "triggered_on")}


# The on-screen status table: column -> heading. FLOP columns are text ("2.52e25").
STATUS_TABLE_COLUMNS = {
    "status_label": "Status",
    "name": "Model",
    "model_id": "Id",
    "multiple": "Multiple since eval",
    "buffer_used_pct": "Buffer used",
    "days_since_eval": "Days since eval",
    "reevaluate_by": "Re-evaluate by",
    "c_now": "C now (FLOP)",
    "c_eval": "C at last clean eval",
    "next_eval_compute": "Next eval at",
    "buffer_edge_compute": "Buffer edge at",
    "asl_level": "ASL",
    "family": "Family",
    "policy_id": "Policy",
}


def status_table(status: pd.DataFrame, as_of: dt.date, policies: pd.DataFrame | None = None) -> pd.DataFrame:
    """The status rows as shown: most urgent first, status label first, numbers as they read; each
    model's policy by its name (policies: the policies question; without it, the ids)."""
    rows = severity_order(status)
    return pd.DataFrame({
        "status": rows["status"],
        "status_label": rows["status"].map(STATUS_LABELS),
        "name": rows["name"],
        "model_id": rows["model_id"],
        "multiple": rows["compute_multiple"].map(multiple),
        "buffer_used_pct": pd.to_numeric(rows["buffer_used_pct"], errors="coerce").round(0),
        "days_since_eval": pd.to_numeric(rows["days_since_eval"], errors="coerce").astype(float),
        "reevaluate_by": _reevaluation_cells(rows, as_of),
        "c_now": rows["c_now"].map(flop),
        "c_eval": rows["c_eval"].map(flop),
        "next_eval_compute": rows["next_eval_compute"].map(flop),
        "buffer_edge_compute": rows["buffer_edge_compute"].map(flop),
        "asl_level": rows["asl_level"],
        "family": rows["family"],
        # Named once per policy, not per row: a lookup in the policies table per model was a third of
        # the overview's CPU on a lab of 2,000 models.
        "policy_id": rows["policy_id"].map({policy_id: policy_name(policies, policy_id)
                                            for policy_id in rows["policy_id"].dropna().unique()}).fillna(""),
    })


# --- Policies: a person reads a policy's name and source; URLs and CSV keep its id -------------------

def _policy_row(policies: pd.DataFrame | None, policy_id):
    if policies is None or _missing(policy_id):
        return None
    # A list's search, not a frame's filter: a policies table has a handful of rows, and the filter cost
    # more than half a millisecond per name (the policy picker names every policy on every page run).
    ids = list(policies["policy_id"] if "policy_id" in policies.columns else policies.index)
    return policies.iloc[ids.index(policy_id)] if policy_id in ids else None


def _text(value) -> str:
    return "" if _missing(value) else str(value).strip()


def policy_name(policies: pd.DataFrame | None, policy_id) -> str:
    """A policy as a person names it: its name from the policies table (the policies question, by
    column or indexed by policy_id), its id where it has no name or is not in the table."""
    row = _policy_row(policies, policy_id)
    name = _text(row["name"]) if row is not None else ""
    return name or ("" if _missing(policy_id) else str(policy_id))


def policy_source(policies: pd.DataFrame | None, policy_id) -> str:
    """The document a policy's numbers come from (its source column), "" where none is given."""
    row = _policy_row(policies, policy_id)
    return _text(row["source"]) if row is not None else ""


def policy_with_source(policies: pd.DataFrame | None, policy_id) -> str:
    """"Name (source: Source)", or the name alone without a source. Plain text: the caller escapes it."""
    source = policy_source(policies, policy_id)
    name = policy_name(policies, policy_id)
    return f"{name} (source: {source})" if source and source != name else name


def policy_option(policies: pd.DataFrame | None, policy_id) -> str:
    """A policy picker's label, "Name (id)", so typing a name or an id finds it (the id stays the value)."""
    name = policy_name(policies, policy_id)
    return name if name == str(policy_id) else f"{name} ({policy_id})"


def _reevaluation_cells(rows: pd.DataFrame, as_of: dt.date) -> list[str]:
    """reevaluation_text of every row (columns zipped: a row loop over a large lab costs seconds)."""
    def column(name):
        return rows[name] if name in rows else [None] * len(rows)
    return [reevaluation_text(date, as_of, status, overdue_since=since, overdue_by=by, triggered_on=triggered)
            for date, status, since, by, triggered in zip(column("next_eval_date"), column("status"), column("overdue_since"),
                                                         column("overdue_by"), column("triggered_on"))]


def surface_customer(customer_name, surface) -> str:
    """A deployment's customer as read: its name, or 'first-party (surface)' where there is none."""
    if _missing(customer_name) or customer_name == "":
        return f"first-party ({surface})" if not _missing(surface) else "first-party"
    return str(customer_name)


def _listed(value, separator: str = ";") -> str:
    return "" if _missing(value) else ", ".join(part for part in str(value).split(separator) if part)


OVERDUE_BY_TEXT = {"compute": "compute", "time": "time", "compute_and_time": "compute and time"}


def headline(row, as_of: dt.date) -> list[tuple[str, str]]:
    """The figures that matter for a model's status (DESIGN 4a), as (label, value) pairs, most
    important first. row: one row of status.sql. A date in the past is never labelled as a deadline
    still ahead: past re-evaluation dates read 'was due'."""
    status = row["status"]
    figures: list[tuple[str, str]] = [("Status", STATUS_LABELS.get(status, status))]
    if status == "no_checkpoint":
        figures.append(("First checkpoint", f"none by {as_of:%Y-%m-%d}"))
        return figures
    if status == "triggered":
        figures += [("Triggered on", day(row.get("triggered_on")) or "-"),
                    ("Domain", _listed(row.get("triggered_domains")) or "-"),
                    ("Evaluation ids", _listed(row.get("triggered_eval_ids")) or "-")]
    elif status == "never_evaluated":
        figures.append(("Clean evaluation", "none yet"))
    elif status == "buffer_breached":
        figures += [("Buffer edge crossed on", day(row.get("buffer_edge_crossed_on")) or "-"),
                    (_overdue_label(row), day(row.get("overdue_since")) or "-")]
    elif status == "eval_overdue":
        figures += [("Overdue by", OVERDUE_BY_TEXT.get(row.get("overdue_by"), "-")),
                    (_overdue_label(row), day(row.get("overdue_since")) or "-")]
    elif status == "eval_due_soon":
        figures += [("Due soon since", day(row.get("due_soon_since")) or "-"),
                    ("Re-evaluate by", reevaluation_text(row.get("next_eval_date"), as_of, status, **_row_figures(row)) or "-"),
                    ("Next evaluation at", flop(row.get("next_eval_compute")) or "-")]
    elif status == "on_track":
        figures += [("Next evaluation by", reevaluation_text(row.get("next_eval_date"), as_of, status, **_row_figures(row))
                     or "-"),
                    ("Next evaluation at", flop(row.get("next_eval_compute")) or "-")]
    figures.append(("C now (FLOP-equivalent)", flop(row.get("c_now")) or "no checkpoint"))
    if not _missing(row.get("compute_multiple")):
        figures += [("Multiple since last clean eval", multiple(row.get("compute_multiple"))),
                    ("Buffer used", percent(row.get("buffer_used_pct")) or "-"),
                    ("Days since last clean eval", "-" if _missing(row.get("days_since_eval"))
                     else str(int(row.get("days_since_eval"))))]
    return figures


def _overdue_label(row) -> str:
    by = OVERDUE_BY_TEXT.get(row.get("overdue_by"))
    return f"Overdue ({by}) since" if by else "Overdue since"


def training_text(row, as_of: dt.date) -> str:
    """Whether the model is training on the as-of date (a checkpoint within the 14 days up to it)."""
    last = day(row.get("last_checkpoint_on"))
    if not last:
        return f"No checkpoint on or before {as_of:%Y-%m-%d}."
    if bool(row.get("is_training")):
        return f"Training: latest checkpoint {last}."
    days = (as_of - pd.Timestamp(last).date()).days
    return f"Not training: no checkpoint since {last} ({days} days before {as_of:%Y-%m-%d}); compute is drawn flat since."


def lineage_tree_markdown(affected: pd.DataFrame, statuses, new_level: int) -> str:
    """The models whose onboarding halts, as a nested Markdown list in lineage-tree order (the order
    of queries/at_risk_models.sql): each with its level, lifecycle status and own safety status
    (statuses: model_id -> status as of the date). A model below an ancestor that is already at or
    above the new level is listed under its nearest halted ancestor, naming the ones skipped."""
    tree = []
    included = set(affected["model_id"])
    for _, row in affected.iterrows():
        ancestors = row["path"].split("/")[:-1]
        shown_depth = sum(ancestor in included for ancestor in ancestors)
        skipped = [ancestor for ancestor in ancestors if ancestor not in included]
        via = f" (via {', '.join(md_escape(a) for a in skipped)}, already at or above ASL-{new_level})" if skipped else ""
        safety = statuses.get(row["model_id"], "unknown")
        safety_text = (f"**:red[{STATUS_LABELS[safety].lower()}]**" if safety == "triggered"
                       else STATUS_LABELS.get(safety, safety.replace("_", " ")).lower())
        tree.append(f"{'    ' * shown_depth}- **{md_escape(row['name'])}** ({md_escape(row['model_id'])}), "
                    f"ASL-{row['asl_level']}, {row['status']}; safety status: {safety_text}{via}")
    return "\n".join(tree) if tree else "None."


# Streamlit's grid wraps a cell's text only in rows taller than 4rem (64 px); a wrapped line of its
# 14 px text takes about 17 px. A long value then shows whole in a narrow column, on a few lines,
# instead of being cut at the cell's edge.
WRAPPED_LINE_PX = 17


def wrapped_row_height(lines: int) -> int:
    """The row height (px) of a grid whose cells wrap onto up to lines lines."""
    return max(65, WRAPPED_LINE_PX * lines + 12)


def table_height(rows: int, row_height: int = 35, most: int = 740) -> int:
    """The height of a grid that shows every row (and its header) up to most pixels, then scrolls."""
    return min(38 + row_height * rows, most)


def rows_chosen(frame: pd.DataFrame, choices: dict) -> pd.DataFrame:
    """The rows of frame whose value in each column is among that column's chosen values; a column
    with nothing chosen keeps every row (a page's multiselect filters)."""
    for column, chosen in choices.items():
        if chosen:
            frame = frame[frame[column].isin(chosen)]
    return frame
