"""How the pages draw what they share: styles, metric tiles, print copies of tables, the
snapshot summary and the data set's caveats."""
from __future__ import annotations

import json
import numbers
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from dashboard import store as store_module
from dashboard.display import STATUS_COLOURS, STATUS_LABELS
from dashboard.text import md_escape, neutralise, neutralise_changes_any, neutralise_changes_any_arrow, one_line, print_text
from dashboard.questions import reviews as review_questions
from dashboard.questions.snapshot import ViewScope
from dashboard.questions.status import deployments_by_status_surface, models_by_level_and_status, status_frame
from dashboard.ui.cache import kept_view


PRINT_ROWS = 2000  # a print-only table holds at most this many rows


# Page styles: no data in here. Status tiles take the map's colours; the tables' own CSV icon is
# hidden (the page's buttons export what is shown, and the full set beside it); print hides the
# sidebar, widgets, buttons and the hints meant for the screen, shows whole tables instead of the
# ten-row scrolling grids, and opens every expander (a chart in one prints as its table: a chart
# drawn while collapsed has no size).
_STYLE = """
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem; padding-bottom: 3rem; }
@media (max-width: 640px) { [data-testid="stMainBlockContainer"] { padding-top: 4rem; } }
[data-testid="stElementToolbar"] button[aria-label="Download as CSV"] { display: none; }
[class*="st-key-print-"] { display: none; }
.print-table { border-collapse: collapse; width: 100%; font-size: 0.8rem; }
.print-table th, .print-table td { border: 1px solid #cbd5e1; padding: 0.15rem 0.35rem; text-align: left;
                                   overflow-wrap: break-word; }
[class*="st-key-count-"] { border-left: 6px solid var(--status); border-radius: 6px; padding: 0.1rem 0 0.1rem 0.6rem;
                           background: color-mix(in srgb, var(--status) 9%, transparent); }
[class*="st-key-count-"] [data-testid="stMetricValue"] { font-size: 1.9rem; }
[class*="st-key-count-"] [data-testid="stMetricLabel"] * { white-space: normal !important; overflow: visible !important;
                                                           text-overflow: clip !important; line-height: 1.2; }
.st-key-headline [data-testid="stMetricValue"] { font-size: 1.6rem; }
.st-key-headline [data-testid="stMetricValue"] * { white-space: normal !important; overflow-wrap: anywhere; }
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stDownloadButton"],
  [data-testid="stPopover"], [data-testid="stDataFrame"], [data-testid="stSelectbox"],
  [data-testid="stMultiSelect"], [data-testid="stDateInput"], [data-testid="stTextInput"], [data-testid="stCheckbox"],
  [data-testid="stPageLink"], [data-testid="stButton"], .modebar-container { display: none !important; }
  [class*="st-key-print-"] { display: block !important; }
  [class*="st-key-screen-"], [data-testid="stExpander"] [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]),
  [data-testid="stElementContainer"]:has(> [data-testid="stFullScreenFrame"] > [data-testid="stDataFrame"]) { display: none !important; }
  [data-testid="stExpander"] details::details-content { content-visibility: visible !important; display: block !important;
                                                        height: auto !important; }
  [data-testid="stExpanderDetails"] { display: block !important; height: auto !important; border: none !important; }
  [data-testid="stMain"] { margin-left: 0 !important; }
  pre, pre code { white-space: pre-wrap !important; overflow-wrap: anywhere; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stPlotlyChart"], [data-testid="stMetric"] { break-inside: avoid; }
  tr { break-inside: avoid; }
  .print-table thead { display: table-header-group; }
}
""" + "".join(f"[class*=\"st-key-count-{name}\"] {{ --status: {colour}; }}\n" for name, colour in STATUS_COLOURS.items())


def page_styles() -> None:
    st.html(f"<style>{_STYLE}</style>")


def metric_rows(figures: list[tuple[str, str]], per_row: int = 4, status: str | None = None) -> None:
    """Figures as metrics, per_row to a row; a "Status" figure takes its status colour."""
    with st.container(key="headline"):
        for start in range(0, len(figures), per_row):
            columns = st.columns(per_row)
            for column, (label, value) in zip(columns, figures[start:start + per_row]):
                label, value = neutralise(one_line(label)), neutralise(one_line(value))  # values from data: shown as text
                if label == "Status" and status:
                    with column.container(key=f"count-{status}"):
                        st.metric(label, value)
                else:
                    column.metric(label, value)


def status_counts(counts: dict[str, int], statuses: list[str]) -> None:
    """One tile per status, each in the colour the map gives that status."""
    columns = st.columns(len(statuses))
    for column, name in zip(columns, statuses):
        with column.container(key=f"count-{name}"):
            st.metric(STATUS_LABELS[name], int(counts.get(name, 0)))


def _needs_neutralising(column: pd.Series) -> bool:
    """Whether neutralise (keeping lines) changes any text cell of column: one search of the whole
    column, Arrow's for an Arrow string column (walking its cells one by one costs about 10 us each)."""
    if hasattr(column.array, "__arrow_array__") and pd.api.types.is_string_dtype(column.dtype):
        stored = column.array.__arrow_array__()
        if pa.types.is_string(stored.type) or pa.types.is_large_string(stored.type) or pa.types.is_string_view(stored.type):
            return neutralise_changes_any_arrow(stored, keep_newlines=True)
    return neutralise_changes_any([value for value in column.tolist() if isinstance(value, str)], keep_newlines=True)


def shown_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """frame as a table on a page shows it: every text cell with its control, bidirectional and
    zero-width characters as visible escapes (neutralise; a cell may keep its lines), so no name
    poses as another ("rtl<U+202E>gnp.exe" would read "rtlexe.png" in the grid)."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or pd.api.types.is_string_dtype(shown[column]):
            if not _needs_neutralising(shown[column]):
                continue  # the usual case: nothing to make visible, and one search instead of a map per cell
            shown[column] = shown[column].map(lambda value: neutralise(value, keep_newlines=True)
                                              if isinstance(value, str) else value)
    return shown


def _grid_table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(shown_frame(frame))


def grid_of(derive, snap, *args, **kwargs) -> pa.Table:
    """shown_frame of derive(snap, *args, **kwargs) (a question, or a module-level function asking
    questions) as an Arrow table for st.dataframe, kept per snapshot, function and argument values and
    shared by every run: an Arrow table cannot be changed, and st.dataframe sends it as it is instead
    of making text visible and converting a frame to Arrow on every run."""
    return kept_view(_grid_table, derive, snap, args, kwargs, table=True)


def _print_cell(value) -> str:
    """One cell of a print copy as text a person reads (data as text: it is never markup)."""
    if value is None or (not isinstance(value, (str, bytes, list, tuple)) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and float(value).is_integer()
                                               and abs(value) < 1e15):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):.3g}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    return print_text(value)


def print_cells(frame: pd.DataFrame) -> bytes:
    """A print copy's content: its headings and the text of every cell of its first PRINT_ROWS rows,
    as JSON ({"columns": [...], "rows": [[...], ...]}) that the page draws as one plain table (not
    st.table: 2,000 rows of React cells drawn on every page load, although only print shows them)."""
    shown = frame.head(PRINT_ROWS)
    return json.dumps({"columns": [print_text(column) for column in shown.columns],
                       "rows": [[_print_cell(value) for value in row] for row in shown.itertuples(index=False, name=None)]},
                      separators=(",", ":")).encode("ascii")  # every other character as \uXXXX: any text encodes


# Cached on the frame's content: made once per view, not once per viewer (print_table_of keeps it
# without hashing the frame).
_print_cells = st.cache_data(show_spinner=False, max_entries=64)(print_cells)

# Drawn by the page when the browser is next idle, or at once when printing (print_copy.js): a copy
# sent as HTML was sanitised on the browser's main thread before the charts could be drawn (a
# quarter of a second for the overview's 2,000-row copy at scale m).
_print_copy_element = st.components.v2.component(
    "asl_print_copy", js=(Path(__file__).parent / "print_copy.js").read_text(), isolate_styles=False)


def _show_print_copy(cells: bytes, rows: int, name: str) -> None:
    with st.container(key=f"print-{name}"):
        _print_copy_element(data=cells, key=f"copy-{name}")  # no "print-": st-key-print-* is the copy as a whole
        if rows > PRINT_ROWS:
            st.caption(f"First {PRINT_ROWS:,} of {rows:,} rows: the CSV download has all of them.")


def print_table(frame: pd.DataFrame, name: str = "table") -> None:
    """A whole copy of a table for print only (the screen shows the scrolling grid)."""
    _show_print_copy(_print_cells(frame), len(frame), name)


def _print_copy(frame: pd.DataFrame) -> tuple[bytes, int]:
    return print_cells(frame), len(frame)


def print_copy_of(derive, snap, *args, **kwargs) -> tuple[bytes, int]:
    """The content of derive(snap, *args, **kwargs)'s print copy (print_cells) and its number of rows,
    kept per snapshot, function and argument values: no frame is hashed. derive is a question or a
    module-level function asking questions."""
    return kept_view(_print_copy, derive, snap, args, kwargs, table=True)


def print_table_of(name: str, derive, snap, *args, **kwargs) -> None:
    """print_table of derive(snap, *args, **kwargs), kept as print_copy_of keeps it."""
    _show_print_copy(*print_copy_of(derive, snap, *args, **kwargs), name)


def shown_and_all_downloads(container, name: str, noun: str, file_stem: str, shown_count: int, total: int,
                            shown_csv, all_csv, shown_help: str, all_help: str) -> None:
    """The download of the rows shown and, with a filter on, a second of the whole set (what the
    command line prints): "Download the 6 models shown (status.csv)" and "Download all 48 models".
    shown_csv and all_csv make the CSV text when clicked."""
    filtered = shown_count < total
    container.download_button(
        f"Download the {shown_count:,} {noun} shown ({name}.csv)" if filtered else f"Download {name}.csv ({total:,} {noun})",
        data=shown_csv, file_name=f"{file_stem}{'-filtered' if filtered else ''}.csv", mime="text/csv",
        icon=":material/download:", key="download_shown", help=shown_help, on_click="ignore")
    if filtered:
        container.download_button(f"Download all {total:,} {noun}", data=all_csv, file_name=f"{file_stem}.csv",
                                  mime="text/csv", icon=":material/download:", key="download_all", help=all_help,
                                  on_click="ignore")


def screen_hint(text: str, name: str) -> None:
    """A caption that tells a person what to do on the screen (click, sort, the sidebar): not printed.
    text is the page's own Markdown, never data."""
    with st.container(key=f"screen-{name}"):
        st.caption(text)


def models_by_level(snap: store_module.Snapshot, scope: ViewScope) -> pd.DataFrame:
    """Models by ASL level and safety status as of the view's date, the statuses by their labels."""
    return models_by_level_and_status(status_frame(snap, scope)).rename(columns=STATUS_LABELS)


def deployments_by_surface(snap: store_module.Snapshot, scope: ViewScope) -> pd.DataFrame:
    """Deployments started by the view's date, one row per surface, one column per status on that date."""
    deployments = deployments_by_status_surface(snap, scope.as_of)
    if deployments.empty:
        return pd.DataFrame()
    return deployments.pivot_table(index="surface", columns="status", values="deployments", fill_value=0, aggfunc="sum")


def printed_models_by_level(snap: store_module.Snapshot, scope: ViewScope) -> pd.DataFrame:
    return models_by_level(snap, scope).reset_index()


def printed_deployments_by_surface(snap: store_module.Snapshot, scope: ViewScope) -> pd.DataFrame:
    return deployments_by_surface(snap, scope).reset_index()


# The summary's tables: (the table, its print copy), each kept per snapshot and scope.
_SUMMARY_TABLES = {"snapshot-models": (models_by_level, printed_models_by_level),
                   "snapshot-deployments": (deployments_by_surface, printed_deployments_by_surface)}


def snapshot_summary_tables(snap: store_module.Snapshot, scope: ViewScope) -> dict[str, tuple]:
    """The snapshot summary's tables: each as a grid and, when it has rows, its print copy (else None),
    made as the page and the warm-up after a new snapshot both ask them."""
    tables = {}
    for name, (derive, printed) in _SUMMARY_TABLES.items():
        grid = grid_of(derive, snap, scope)
        tables[name] = grid, print_copy_of(printed, snap, scope) if grid.num_rows else None
    return tables


def snapshot_summary(snap: store_module.Snapshot, info: dict, scope: ViewScope) -> None:
    """What the store holds as of the view's date: models by ASL level and safety status, deployments
    started by then by surface and status on that date (DESIGN 4a: nothing dated later shows)."""
    st.subheader("This snapshot")
    published = pd.Timestamp(info["published_at"]).strftime("%Y-%m-%d %H:%M UTC")
    st.markdown(f"Published **{published}** from {md_escape(info['source'])} (data set **{md_escape(info['dataset'])}**). "
                f"Its own date, the latest date in its data, is **{info['snapshot_date']:%Y-%m-%d}**.")
    tables = snapshot_summary_tables(snap, scope)
    for column, name, heading, empty in zip(
            st.columns(2), _SUMMARY_TABLES,
            (f"**Models by ASL level and status, as of {scope.as_of:%Y-%m-%d}**",
             f"**Deployments started by {scope.as_of:%Y-%m-%d}, by surface and status on that date**"),
            ("No models.", "No deployment had started by then.")):
        grid, print_copy = tables[name]
        with column:
            st.markdown(heading)
            if print_copy is None:
                st.caption(empty)
            else:
                st.dataframe(grid, width="stretch")
                _show_print_copy(*print_copy, name)
    # Every snapshot holds its row counts (the ingest writes them for every table).
    st.caption("Rows in the whole snapshot: " + ", ".join(f"{name} {int(count):,}" for name, count in row_counts(info).items()))


def row_counts(info: dict) -> dict:
    try:
        return json.loads(info.get("row_counts_json") or "{}")
    except ValueError:
        return {}


def data_caveats(info: dict, *, safeguards_matter: bool = False) -> None:
    """Say plainly what the data set does not hold (public data: no evaluations, no safeguards)."""
    counts = row_counts(info)
    notes = info.get("notes") if isinstance(info.get("notes"), str) else ""
    if "no algorithmic multiplier" in notes.lower():
        st.caption("Effective compute in this data set is the published training compute estimate: "
                   "no algorithmic multiplier is applied.")
    if counts.get("evaluations", 0) == 0:
        st.info("This snapshot holds no capability evaluations (a public data set has none: they are not published), "
                "so no model has a clean evaluation: statuses read never_evaluated and no evaluation envelope is drawn.",
                icon=":material/info:")
    if safeguards_matter and counts.get("deployment_safeguards", 0) == 0:
        st.warning("Per-deployment safeguards are not in this data set: they are **unknown, not missing**. "
                   "The missing-safeguards column lists what the new level requires; "
                   "add_safeguards here means *confirm these safeguards are in place*.", icon=":material/help:")
    if notes:
        with st.expander("About this data (sources, licences, caveats)"):
            st.text(notes)


def review_decisions(until=None) -> review_questions.ReviewsView:
    """The reviews ledger's reviews and decisions for a page, as they stood at the end of the day until
    (None: now). A ledger that cannot be read: one warning line, and none (the page goes on)."""
    try:
        return review_questions.reviews_view(until=until)
    except review_questions.LedgerError as error:
        st.warning(md_escape(f"Review decisions are not shown: {error}"), icon=":material/gavel:")
        return review_questions.no_reviews()
