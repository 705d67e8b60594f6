"""How the pages draw what they share: styles, metric tiles, print copies of tables, the
snapshot summary and the data set's caveats."""
from __future__ import annotations

import io
import json

import pandas as pd
import streamlit as st

from dashboard import store as store_module
from dashboard.display import STATUS_COLOURS, STATUS_LABELS
from dashboard.params import md_escape
from dashboard.ui.cache import query
from dashboard.views import ViewScope


PRINT_ROWS = 2000  # a print-only table holds at most this many rows


# Page styles: no data in here. Status tiles take the map's colours; the tables' own CSV icon is
# hidden (the page's buttons export what is shown, and the full set beside it); print hides the
# sidebar, widgets and buttons and shows whole tables instead of the ten-row scrolling grids.
_STYLE = """
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem; padding-bottom: 3rem; }
@media (max-width: 640px) { [data-testid="stMainBlockContainer"] { padding-top: 4rem; } }
[data-testid="stElementToolbar"] button[aria-label="Download as CSV"] { display: none; }
[class*="st-key-print-"] { display: none; }
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
  [data-testid="stMultiSelect"], [data-testid="stDateInput"], [data-testid="stCheckbox"],
  [data-testid="stPageLink"], [data-testid="stButton"], .modebar-container { display: none !important; }
  [class*="st-key-print-"] { display: block !important; }
  [data-testid="stMain"] { margin-left: 0 !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stPlotlyChart"], [data-testid="stMetric"] { break-inside: avoid; }
  tr { break-inside: avoid; }
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


@st.cache_data(show_spinner=False, max_entries=64)
def _print_copy(frame: pd.DataFrame) -> pd.DataFrame:
    # Keyed on the frame's content: escaping every cell is the costliest step of a page run, and the
    # same view's table is escaped once, not once per viewer (issue 13, meeting load).
    shown = frame.head(PRINT_ROWS).reset_index(drop=True)
    # st.table renders its cells as Markdown: data goes in escaped, so it stays plain text.
    shown = shown.apply(lambda column: column.map(md_escape, na_action="ignore")
                        if column.dtype == object or pd.api.types.is_string_dtype(column) else column)
    shown.columns = [md_escape(column) for column in shown.columns]
    return shown


def print_table(frame: pd.DataFrame, name: str = "table") -> None:
    """A whole copy of a table for print only (the screen shows the scrolling grid)."""
    with st.container(key=f"print-{name}"):
        st.table(_print_copy(frame))
        if len(frame) > PRINT_ROWS:
            st.caption(f"First {PRINT_ROWS:,} of {len(frame):,} rows: the CSV download has all of them.")


def snapshot_summary(snap: store_module.Snapshot, info: dict, scope: ViewScope, status: pd.DataFrame) -> None:
    """What the store holds as of the view's date: models by ASL level and safety status, deployments
    started by then by surface and status on that date (DESIGN 4a: nothing dated later shows)."""
    from dashboard.views import models_by_level_and_status

    st.subheader("This snapshot")
    published = pd.Timestamp(info["published_at"]).strftime("%Y-%m-%d %H:%M UTC")
    st.markdown(f"Published **{published}** from {md_escape(info['source'])} (data set **{md_escape(info['dataset'])}**). "
                f"Its own date, the latest date in its data, is **{info['snapshot_date']:%Y-%m-%d}**.")
    models = models_by_level_and_status(status)
    deployments = query(snap, "deployments_by_status_surface", as_of=scope.as_of)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Models by ASL level and status, as of {scope.as_of:%Y-%m-%d}**")
        if models.empty:
            st.caption("No models.")
        else:
            st.dataframe(models.rename(columns=STATUS_LABELS), width="stretch")
    with right:
        st.markdown(f"**Deployments started by {scope.as_of:%Y-%m-%d}, by surface and status on that date**")
        if deployments.empty:
            st.caption("No deployment had started by then.")
        else:
            st.dataframe(deployments.pivot_table(index="surface", columns="status", values="deployments",
                                                 fill_value=0, aggfunc="sum"), width="stretch")
    counts = pd.read_json(io.StringIO(info["row_counts_json"]), typ="series") if info.get("row_counts_json") else None
    if counts is not None:
        st.caption("Rows in the whole snapshot: " + ", ".join(f"{name} {int(count):,}" for name, count in counts.items()))


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
