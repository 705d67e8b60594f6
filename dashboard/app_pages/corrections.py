"""Corrections (/corrections?from=A&to=B[&as_of=D][&policy=P]): what snapshot B corrected in the
older snapshot A (DESIGN 11). Consequences first (the models whose status as of D moved, each linked
to its trajectory on both snapshots), then the row changes per input table; CSV of both parts. The
rules are dashboard/corrections.py and dashboard/sql/corrections/table_changes.sql."""
from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from dashboard import corrections, links, ui
from dashboard.export import to_download_csv
from dashboard.params import ParamError, check_snapshot_id
from dashboard.questions import corrections as corrections_questions
from dashboard.questions import snapshot as snapshot_questions
from dashboard.snapshots import UnknownSnapshot
from dashboard.text import md_escape

SHOWN_ROWS = 1_000  # row changes drawn per table (the CSV holds all of them)

ui.page_styles()
st.title("Corrections between two snapshots")

# --- The two snapshots (an unknown or malformed id stops here, with a clear message) ----------------
try:
    from_id = check_snapshot_id(ui.raw_param("from"), "from")
    to_id = check_snapshot_id(ui.raw_param("to"), "to")
    if from_id is None:
        raise ParamError("from is missing: open this page with from=ID, the older snapshot "
                         "(`asl-dashboard snapshots` lists the kept ones), and optionally to=ID (default: the latest)")
    pair = corrections_questions.open_pair(None, from_id, to_id)
except (ParamError, UnknownSnapshot) as error:
    ui.stop_with_problem(str(error), "corrections")
older_id, newer_id = pair.older.snapshot_id, pair.newer.snapshot_id
if to_id is None and newer_id:
    st.query_params["to"] = newer_id  # pinned: the link keeps naming the same two snapshots

# Statuses are compared as of A's own date unless the link names another (the date the meeting saw).
older_info = snapshot_questions.snapshot_info(pair.older)
newer_info = snapshot_questions.snapshot_info(pair.newer)
scope = ui.scope_controls(pair.older, older_info, "corrections")
try:
    snapshot_questions.resolve_scope(pair.newer, None, scope.policy_id)
except ParamError as error:
    ui.stop_with_problem(f"{error} (in snapshot B)", "corrections")


def described(snapshot_id, info) -> str:
    published = pd.Timestamp(info["published_at"]).strftime("%Y-%m-%d %H:%M UTC")
    return f"**{md_escape(snapshot_id or 'without an id')}** (published {published}, data as of {info['snapshot_date']:%Y-%m-%d})"


policy_text = md_escape(scope.policy_id) if scope.policy_id else "each model's own"
st.caption(f"From snapshot A {described(older_id, older_info)} to snapshot B {described(newer_id, newer_info)}. "
           f"Statuses as of **{scope.as_of:%Y-%m-%d}** · policy: **{policy_text}**.")

rows = corrections_questions.row_changes(pair)
consequence_frame = corrections_questions.consequences(pair, scope.as_of, scope.policy_id)

# --- 1. Consequences ---------------------------------------------------------------------------------
st.subheader(f"Consequences as of {scope.as_of:%Y-%m-%d}")
if consequence_frame.empty:
    st.info(f"No model's status as of {scope.as_of:%Y-%m-%d} differs between the two snapshots.",
            icon=":material/check_circle:")
else:
    st.caption(f"{len(consequence_frame)} model(s) whose status as of {scope.as_of:%Y-%m-%d} is not the same in B "
               "as in A, and the corrected rows of each.")
    linked = corrections.with_links(consequence_frame, older_id, newer_id, scope.policy_id)
    table = linked.astype({"status_in_a": object, "status_in_b": object}).fillna("")
    table["trajectory_in_a"] = "." + table["trajectory_in_a"]
    table["trajectory_in_b"] = "." + table["trajectory_in_b"]
    table = ui.shown_frame(table[["trajectory_in_a", "trajectory_in_b", "model_id", "model_name", "status_in_a",
                                  "status_in_b", "because"]])
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 600), column_config={
        "trajectory_in_a": st.column_config.LinkColumn("In A", display_text="open", width=60,
                                                       help="The model's trajectory on snapshot A, as of this date"),
        "trajectory_in_b": st.column_config.LinkColumn("In B", display_text="open", width=60,
                                                       help="The model's trajectory on snapshot B, as of this date"),
        "model_id": st.column_config.TextColumn("Model", width=150),
        "model_name": st.column_config.TextColumn("Name", width=140),
        "status_in_a": st.column_config.TextColumn("Status in A", width=120),
        "status_in_b": st.column_config.TextColumn("Status in B", width=120),
        "because": st.column_config.TextColumn("Because", width=520),
    })
st.download_button(
    "Download consequences.csv", data=lambda: to_download_csv(consequence_frame),
    file_name=f"consequences-{older_id}-{newer_id}-{scope.as_of}.csv", mime="text/csv", icon=":material/download:",
    help="Exactly what `asl-dashboard corrections` prints (spreadsheet formulas neutralised).", on_click="ignore")

# --- 2. Row changes per table ------------------------------------------------------------------------
st.subheader("Row changes")
cut = corrections_questions.truncated(rows)
if rows.empty:
    st.info("No row of any input table differs between the two snapshots.", icon=":material/check_circle:")
else:
    tally = rows.drop_duplicates(["table", "key", "change"]).groupby(["table", "change"]).size().unstack(fill_value=0)
    tally = tally.reindex(columns=list(corrections.CHANGES), fill_value=0).reset_index()
    st.caption("Rows matched by each table's key: added, removed, or changed (one line per changed column).")
    st.dataframe(tally, hide_index=True, height=38 + 35 * len(tally), column_config={
        "table": st.column_config.TextColumn("Table"), "added": st.column_config.NumberColumn("Rows added"),
        "removed": st.column_config.NumberColumn("Rows removed"),
        "changed": st.column_config.NumberColumn("Rows changed")})
    for table_name, changes_of_table in rows.groupby("table", sort=True):
        st.markdown(f"**{md_escape(table_name)}**")
        if table_name in cut:
            st.caption(f"Only the first {corrections_questions.ROW_LIMIT} of {cut[table_name]} row changes are kept.")
        if len(changes_of_table) > SHOWN_ROWS:
            st.caption(f"The first {SHOWN_ROWS} of {len(changes_of_table)} lines are shown; the CSV holds all of them.")
        shown = ui.shown_frame(changes_of_table[corrections.ROW_COLUMNS[1:]].head(SHOWN_ROWS)
                               .astype(object).fillna(""))
        st.dataframe(shown, hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 420), key=f"rows-{table_name}")
st.download_button(
    "Download row-changes.csv", data=lambda: to_download_csv(rows[corrections.ROW_COLUMNS]),
    file_name=f"row-changes-{older_id}-{newer_id}.csv", mime="text/csv", icon=":material/download:",
    help="Exactly what `asl-dashboard corrections --rows` prints (spreadsheet formulas neutralised).", on_click="ignore")

# The two snapshots are from= and to=; no snapshot= (the page reads both).
ui.link_to_this_view("corrections", {"from": from_id, "to": newer_id or to_id}, dataclasses.replace(scope, snapshot_id=None))
