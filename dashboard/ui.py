"""What every page shares: the snapshot, cached queries, the view scope (as_of, policy) bound to the
URL, the header, clear messages for bad links, and the "link to this view" control."""
from __future__ import annotations

import datetime as dt
import io
import json
import logging
import urllib.parse
import uuid
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import store as store_module
from dashboard.display import STATUS_COLOURS, STATUS_LABELS
from dashboard.params import (AS_OF_MAX, AS_OF_MIN, ParamError, as_of_notice, check_choice_values, check_flag_value,
                              md_escape, parse_as_of, shown, single_value)
from dashboard.views import ViewScope

log = logging.getLogger("asl_dashboard")

# Query parameters every page accepts (DESIGN section 6).
SCOPE_PARAMS = ("as_of", "policy")


@dataclass(frozen=True)
class PageContext:
    snapshot: store_module.Snapshot
    info: dict
    scope: ViewScope


def current_snapshot() -> store_module.Snapshot:
    path = store_module.store_path()
    if not path.exists():
        with st.spinner("First start: building the store from the bundled demo data ..."):
            store_module.ensure_store(path, say=lambda message: log.info(message))
        st.toast(f"Built {path.name} from the bundled demo data (data/demo).")
    return store_module.snapshot(path)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(snapshot_key: store_module.SnapshotKey, _snap: store_module.Snapshot, name: str,
                  params: tuple) -> pd.DataFrame:
    # Keyed on the snapshot's identity (inode, mtime, size); _snap itself is not hashed.
    return _snap.query(name, **{key: list(value) if isinstance(value, tuple) else value for key, value in params})


def query(snap: store_module.Snapshot, name: str, **params) -> pd.DataFrame:
    """queries/NAME.sql, cached per snapshot: a new snapshot has a new key, so nothing stale is served."""
    frozen = tuple(sorted((key, tuple(value) if isinstance(value, list) else value) for key, value in params.items()))
    return _cached_query(snap.key, snap, name, frozen)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_figure(key: tuple, _build) -> dict:
    # The figure as Plotly's JSON-ready dict: building and validating a figure costs more than the
    # queries behind it, and a view's figure changes only with its snapshot and parameters.
    return _build().to_plotly_json()


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_result(key: tuple, _build):
    return _build()


def memo(key: tuple, build):
    """build() once per key (which must name the snapshot and every input): derived figures such
    as a scenario's summary, recomputed only when the snapshot or the view changes."""
    return _cached_result(key, build)


def figure(key: tuple, build) -> dict:
    """build() (a chart builder call) once per key; key must name the snapshot and every input."""
    return _cached_figure(key, build)


def raw_param(name: str) -> str | None:
    """The URL's value for name, or None. A repeated or overlong parameter is refused."""
    return single_value(name, st.query_params.get_all(name))


def check_choices(name: str, allowed, *, page_path: str) -> None:
    """A multi-valued URL parameter (a bound multiselect): every value must be one of allowed."""
    try:
        check_choice_values(name, st.query_params.get_all(name), allowed)
    except ParamError as error:
        stop_with_problem(str(error), page_path)


def check_flag(name: str, *, page_path: str) -> None:
    """A toggle in the URL: true or false, once."""
    try:
        check_flag_value(name, raw_param(name))
    except ParamError as error:
        stop_with_problem(str(error), page_path)


def stop_with_problem(message: str, page_path: str = "") -> None:
    """A clear message and a way back instead of a traceback. Text only: never rendered as HTML."""
    st.error(md_escape(message), icon=":material/link_off:")
    st.page_link(_page_for(page_path), label="Open this page without the bad parameters", icon=":material/arrow_back:")
    st.stop()


def _page_for(page_path: str):
    return {"": "app_pages/overview.py", "trajectory": "app_pages/trajectory.py", "reclassify": "app_pages/reclassify.py",
            "changes": "app_pages/changes.py", "obligations": "app_pages/obligations.py"}.get(
        page_path, "app_pages/overview.py")


def write_to_url(key: str) -> None:
    """on_change of a widget kept in the URL by hand: write its value to the address bar, so a URL
    copied from it reopens the view."""
    value = st.session_state.get(key)
    if value is None or value == "":
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = value.isoformat() if isinstance(value, dt.date) else str(value)


def show_in_widget(key: str, value) -> None:
    """Show the URL's value in the widget with this key (call before drawing it). With the URL as
    the source, a link to the same page with another value (a lineage link) changes the widget."""
    if key not in st.session_state or st.session_state[key] != value:
        if key in st.session_state and key in st.query_params:
            # A link to this same page with another value: the browser kept the old address, so
            # send the current parameters to it again.
            st.query_params[key] = st.query_params.get_all(key)
        st.session_state[key] = value


def model_labels(models: pd.DataFrame) -> dict[str, str]:
    """A model picker's labels, "Name (id)", so typing either a name or an id finds the model
    (option labels are plain text in Streamlit's select boxes)."""
    names = models["name"].where(models["name"].notna() & (models["name"] != ""), models["model_id"])
    return {model_id: (model_id if name == model_id else f"{name} ({model_id})")
            for model_id, name in zip(models["model_id"], names)}


def scope_controls(snap: store_module.Snapshot, info: dict, page_path: str) -> ViewScope:
    """The sidebar's as-of date and policy, kept in the URL (as_of=, policy=).

    Not bound with Streamlit's bind="query-params": a bound parameter belongs to one page's widget,
    so Streamlit drops it on a page switch and refuses st.switch_page(query_params=...) that sets it,
    and it drops the default value from the address bar. Kept by hand instead: the URL is the source,
    the widgets show it and write it back when changed, and as_of is always in the address bar, so a
    URL copied from it reopens the same view (the snapshot's date would change with a new snapshot)."""
    snapshot_date = info["snapshot_date"]
    policies = query(snap, "policies")
    try:
        as_of_text = raw_param("as_of")
        as_of = parse_as_of(as_of_text, snapshot_date)
        policy_text = raw_param("policy")
        if policy_text and policy_text not in set(policies["policy_id"]):
            raise ParamError(f"policy {shown(policy_text)} is unknown: choose one of {', '.join(policies['policy_id'])}")
    except ParamError as error:
        stop_with_problem(str(error), page_path)
    if as_of_text != as_of.isoformat():
        st.query_params["as_of"] = as_of.isoformat()  # pinned: the address bar always names the date
    if policy_text == "":
        del st.query_params["policy"]
    policy = policy_text or None
    show_in_widget("as_of", as_of)
    show_in_widget("policy", policy)
    with st.sidebar:
        st.header("View")
        st.date_input(
            "As of", min_value=AS_OF_MIN, max_value=AS_OF_MAX, key="as_of",
            on_change=write_to_url, args=("as_of",), format="YYYY-MM-DD",
            help="Show the dashboard as it stood on this date: later rows do not count. "
                 "Default: the snapshot's own date.")
        st.selectbox(
            "Policy", options=list(policies["policy_id"]), index=None, key="policy", on_change=write_to_url,
            args=("policy",), placeholder="Each model's own policy",
            help="Recompute every figure under one policy's numbers instead of each model's own.")
        chosen = policies.set_index("policy_id")
        if policy:
            row = chosen.loc[policy]
            st.caption(f"{md_escape(row['name'])}: evaluate every {row['eval_compute_multiple']:g}x effective compute"
                       + (f", re-evaluate every {row['eval_interval_days']:g} days" if pd.notna(row['eval_interval_days']) else "")
                       + (f", buffer {row['buffer_multiple']:g}x" if pd.notna(row['buffer_multiple']) else ", no fixed buffer"))
    notice = as_of_notice(as_of, snapshot_date)  # a date after the snapshot's: accepted, with this warning
    if notice:
        st.warning(notice, icon=":material/event_busy:")
    return ViewScope(as_of=as_of, policy_id=policy, as_of_is_default=as_of == snapshot_date and not as_of_text)


def header(info: dict, scope: ViewScope) -> None:
    published = pd.Timestamp(info["published_at"]).strftime("%Y-%m-%d %H:%M UTC")
    policy = md_escape(scope.policy_id) if scope.policy_id else "each model's own"
    st.caption(
        f"Data set **{md_escape(info['dataset'])}** · snapshot of {info['snapshot_date']:%Y-%m-%d} "
        f"(published {published}) · viewing as of **{scope.as_of:%Y-%m-%d}** · policy: **{policy}**")


def view_url(page_path: str, params: dict, scope: ViewScope) -> str:
    """The URL of this exact view with the as-of date pinned, so it reads the same next month."""
    pinned = {key: value for key, value in params.items() if value not in (None, "", [])}
    pinned["as_of"] = scope.as_of.isoformat()
    if scope.policy_id:
        pinned["policy"] = scope.policy_id
    base = (st.context.url or "").split("?")[0]
    root = base.rstrip("/")
    for suffix in ("/trajectory", "/reclassify", "/changes", "/obligations"):
        if root.endswith(suffix):
            root = root[: -len(suffix)]
    return f"{root}/{page_path}?{urllib.parse.urlencode(pinned, doseq=True)}"


def link_to_this_view(page_path: str, params: dict, scope: ViewScope) -> None:
    url = view_url(page_path, params, scope)
    with st.popover("Link to this view", icon=":material/link:"):
        st.caption("This link pins the as-of date, so it reopens these exact numbers later.")
        st.code(url, language=None)


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


def page_context(page_path: str) -> PageContext:
    page_styles()
    snap = current_snapshot()
    info = query(snap, "snapshot_info").iloc[0].to_dict()
    scope = scope_controls(snap, info, page_path)
    header(info, scope)
    return PageContext(snapshot=snap, info=info, scope=scope)


def report_unexpected(error: Exception) -> None:
    """Log the traceback on the server under an id; show the viewer only the id."""
    incident = uuid.uuid4().hex[:8]
    log.exception("unexpected error %s", incident, exc_info=error)
    st.error(f"Something went wrong while drawing this page (error id {incident}). "
             "The details are in the server log under that id.", icon=":material/error:")


def scope_query_params(scope: ViewScope) -> dict:
    """as_of and policy for a link to another page, carrying the current view along."""
    params = {"as_of": scope.as_of.isoformat()}
    if scope.policy_id:
        params["policy"] = scope.policy_id
    return params


def link_query(params: dict, scope: ViewScope) -> str:
    return urllib.parse.urlencode({**params, **scope_query_params(scope)}, doseq=True)


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
