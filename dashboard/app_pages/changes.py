"""Changes (/changes?since=DATE): what changed between since (excluded) and the as-of date (included),
DESIGN section 8. The rules are in queries/changes.sql and dashboard/changes.py."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import changes, display, links, settings, ui
from dashboard.export import to_download_csv
from dashboard.params import ParamError
from dashboard.text import md_escape
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions.changes import first_date
from dashboard.questions.reviews import changes_with_decisions

context = ui.page_context("changes")
snap, scope = context.snapshot, context.scope
earliest = first_date(snap)

st.title("What changed since the last review?")

# --- The window: the link's since, or the default; the field shows the date in use -----------------
# A text field, not a date picker: it applies when Enter is pressed (the picker's typed date only when
# focus leaves it). The URL is the source: a date typed is written there (empty: the default, which
# follows the as-of date), and the field shows the URL's date or the default.
default_since = scope.as_of - dt.timedelta(days=changes.DEFAULT_DAYS)
try:
    since_text = ui.raw_param("since")
except ParamError as error:
    ui.stop_with_problem(str(error), "changes")
ui.show_in_widget("since", since_text or default_since.isoformat())
st.columns([1, 3])[0].text_input(
    "Since (excluded)", key="since", on_change=ui.write_to_url, args=("since",), placeholder="YYYY-MM-DD",
    help="Events after this date and up to the as-of date (in the sidebar) are listed. Type a date (YYYY-MM-DD) "
         f"and press Enter; empty: {changes.DEFAULT_DAYS} days before the as-of date.")
try:
    since = changes.resolve_since(since_text, scope.as_of, earliest)
except ParamError as error:
    st.error(md_escape(str(error)), icon=":material/date_range:")
    st.stop()
st.caption(f"Events after **{since:%Y-%m-%d}**, up to and including **{scope.as_of:%Y-%m-%d}**, newest first"
           + ("." if since_text else f" (the default window: the {changes.DEFAULT_DAYS} days up to the as-of date).")
           + " Statuses are compared as of both dates under the view's policy (named above).")

# The snapshot's events and the review decisions as the ledger stood at the end of the as-of date.
events = changes_with_decisions(snap, scope, since, ui.review_decisions(scope.as_of))

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
    table.insert(0, "open", ["." + changes.event_path(model, date, review or None, scope.policy_id, scope.snapshot_id)
                             for model, date, review in zip(table["model_id"], table["event_date"], table["review_id"])])
    table.insert(1, "breach", ["breach" if kind == changes.BREACH else "" for kind in table["kind"]])
    # On screen, before and after read as one change; the CSV keeps DESIGN 8's columns.
    table["change"] = [f"{before} → {after}" if before else after for before, after in zip(table["before"], table["after"])]
    # One column names the model, "Name (id)" as the pickers do (the CSV keeps both columns).
    table["model"] = [f"{name} ({model_id})" for name, model_id in zip(table["model_name"], table["model_id"])]
    table = ui.shown_frame(table[["open", "breach", "event_date", "kind", "model", "change", "detail", "model_id",
                                  "model_name"]])
    styled = table.style.apply(
        lambda row: ["background-color: #fee2e2; color: #7f1d1d; font-weight: 600" if row["kind"] == changes.BREACH
                     else "" for _ in row], axis=1)
    # At 1440 px every column fits (975 px) and is wide enough for its longest word (bold in a breach
    # row), its text wrapping onto three lines: nothing is cut at a cell's edge.
    st.dataframe(styled, hide_index=True, width="stretch", row_height=display.wrapped_row_height(3),
                 column_order=["open", "breach", "event_date", "kind", "model", "change", "detail"],
                 height=display.table_height(len(table), display.wrapped_row_height(3)), column_config={
        "open": st.column_config.LinkColumn("Open", display_text="open", width=70,
                                            help="The model's trajectory as of the event date; a decision's review"),
        "breach": st.column_config.TextColumn("Breach", width=60),
        "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD", width=85),
        "kind": st.column_config.TextColumn("Kind", width=200),
        "model": st.column_config.TextColumn("Model", width=200),
        "change": st.column_config.TextColumn("Change", width=140),
        "detail": st.column_config.TextColumn("Detail", width=220),
    })
    ui.print_table(table.drop(columns=["open", "model"]).rename(
        columns={"event_date": "date", "model_id": "model", "model_name": "model name"}), "events")
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
                           base_url=base, policies=snapshot_questions.policies(snap)), language="markdown")
    st.caption("`asl-dashboard changes --since DATE --format markdown` prints the same; `--post URL` sends it to a webhook.")

ui.link_to_this_view("changes", {"since": since.isoformat()}, scope)
