"""Changes (/changes?since=DATE): what changed between since (excluded) and the as-of date (included),
DESIGN section 8. The rules are in queries/changes.sql and dashboard/changes.py."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import changes, links, settings, ui
from dashboard.export import to_download_csv
from dashboard.params import ParamError
from dashboard.text import md_escape
from dashboard.questions.changes import changes_frame, first_date

context = ui.page_context("changes")
snap, scope = context.snapshot, context.scope
earliest = first_date(snap)

st.title("What changed since the last review?")

# --- The window (the link's since is checked before the bound widget sees it) -------------------
try:
    changes.resolve_since(ui.raw_param("since"), scope.as_of, earliest)
except ParamError as error:
    ui.stop_with_problem(str(error), "changes")
# Empty means the default (7 days before the as-of date), so the window follows the as-of date.
picked = st.columns([1, 3])[0].date_input(
    "Since (excluded)", value=None, min_value=dt.date(1950, 1, 1), max_value=dt.date(2200, 12, 31), key="since",
    bind="query-params", format="YYYY-MM-DD",
    help="Events after this date and up to the as-of date (in the sidebar) are listed. "
         f"Empty: {changes.DEFAULT_DAYS} days before the as-of date.")
try:
    since = changes.check_window(picked or scope.as_of - dt.timedelta(days=changes.DEFAULT_DAYS), scope.as_of, earliest)
except ParamError as error:
    st.error(md_escape(str(error)), icon=":material/date_range:")
    st.stop()
st.caption(f"Events after **{since:%Y-%m-%d}**, up to and including **{scope.as_of:%Y-%m-%d}**, newest first. "
           "Statuses are compared as of both dates under the policy chosen in the sidebar.")

events = changes_frame(snap, scope, since)

# --- Counts per kind -------------------------------------------------------------------------------
tally = changes.counts(events)
for column, kind in zip(st.columns(len(changes.KINDS)), changes.KINDS):
    column.metric(changes.SHORT_LABELS[kind], tally[kind], help=changes.KIND_LABELS[kind])
if tally[changes.BREACH]:
    st.error(f"**{tally[changes.BREACH]} deployment(s) started on a model with an open triggered evaluation** "
             "and no ASL level raise since: a breach of RSP rule 2d (halt deployment to new customers). "
             "They are marked *breach* in the table.", icon=":material/report:")

# --- The events --------------------------------------------------------------------------------------
if events.empty:
    st.info(f"Nothing changed after {since:%Y-%m-%d} up to {scope.as_of:%Y-%m-%d}.")
else:
    table = events.astype({"before": object, "after": object, "detail": object}).fillna("")
    table.insert(0, "open", ["." + links.trajectory_path(model, date, scope.policy_id, scope.snapshot_id)
                             for model, date in zip(table["model_id"], table["event_date"])])
    table.insert(1, "breach", ["breach" if kind == changes.BREACH else "" for kind in table["kind"]])
    # On screen, before and after read as one change; the CSV keeps DESIGN 8's columns.
    table["change"] = [f"{before} → {after}" if before else after for before, after in zip(table["before"], table["after"])]
    table = ui.shown_frame(table[["open", "breach", "event_date", "kind", "model_id", "change", "detail", "model_name"]])
    styled = table.style.apply(
        lambda row: ["background-color: #fee2e2; color: #7f1d1d; font-weight: 600" if row["kind"] == changes.BREACH
                     else "" for _ in row], axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 740), column_config={
        "open": st.column_config.LinkColumn("Trajectory", display_text="open", width=70,
                                            help="The model's trajectory as of the event date"),
        "breach": st.column_config.TextColumn("Breach", width=60),
        "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD", width=90),
        "kind": st.column_config.TextColumn("Kind", width=185),
        "model_id": st.column_config.TextColumn("Model", width=170),
        "change": st.column_config.TextColumn("Change", width=190),
        "detail": st.column_config.TextColumn("Detail", width=330),
        "model_name": st.column_config.TextColumn("Name", width=160),
    })
st.download_button(
    "Download changes.csv", data=lambda: to_download_csv(changes.with_links(events, scope.policy_id, scope.snapshot_id)),
    file_name=f"changes-{since}-{scope.as_of}.csv", mime="text/csv", icon=":material/download:",
    help="Exactly the rows and columns `asl-dashboard changes` prints (spreadsheet formulas neutralised).", on_click="ignore")

with st.expander("Digest for a chat channel or an e-mail (Markdown)"):
    public_url_problem = settings.public_url().problem
    if public_url_problem:
        st.warning(md_escape(public_url_problem) + ". The digest's links use this page's address instead.")
    base = links.public_base_url(st.context.url)  # ASL_PUBLIC_URL when valid, else this page's address
    st.code(changes.digest(events, since=since, as_of=scope.as_of, info=context.info, policy_id=scope.policy_id,
                           base_url=base), language="markdown")
    st.caption("`asl-dashboard changes --since DATE --format markdown` prints the same; `--post URL` sends it to a webhook.")

ui.link_to_this_view("changes", {"since": since.isoformat()}, scope)
