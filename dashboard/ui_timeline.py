"""The model timeline block of /trajectory: the model's events over all time (DESIGN 8 kinds, and
deployments started and ended per month) as a list under the chart. The same events are drawn on
the chart by dashboard/charts/timeline.py; the events are the question
dashboard/questions/trajectory.py timeline."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import changes, ui
from dashboard.questions.snapshot import ViewScope


def section(timeline: pd.DataFrame, scope: ViewScope) -> None:
    st.subheader("Timeline")
    st.caption(f"What was known, and when: every event of this model up to {scope.as_of:%Y-%m-%d}, newest first "
               "(rounds, ASL level, regulatory lines and review decisions are also marked on the chart). The status change "
               "compares the status before the data with the status now; a decision reads as it stood on this date "
               "(proposed until it came into effect); **open** shows the page as of the event's date, or the "
               "decision's review.")
    if timeline.empty:
        st.write("No events up to this date.")
        return
    table = timeline.astype({"before": object, "after": object, "detail": object}).fillna("")
    reviews = table[changes.REVIEW_ID] if changes.REVIEW_ID in table.columns else [None] * len(table)
    table.insert(0, "open", ["." + changes.event_path(model, date, review or None, scope.policy_id, scope.snapshot_id)
                             for model, date, review in zip(table["model_id"], table["event_date"], reviews)])
    table["change"] = [f"{before} → {after}" if before else after for before, after in zip(table["before"], table["after"])]
    table = ui.shown_frame(table[["open", "event_date", "kind", "change", "detail"]])
    styled = table.style.apply(
        lambda row: ["background-color: #fee2e2; color: #7f1d1d; font-weight: 600" if row["kind"] == changes.BREACH
                     else "" for _ in row], axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 420), column_config={
        "open": st.column_config.LinkColumn("As of then", display_text="open", width=80),
        "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD", width=100),
        "kind": st.column_config.TextColumn("Kind", width=200),
        "change": st.column_config.TextColumn("Change", width=220),
        "detail": st.column_config.TextColumn("Detail", width="large"),
    })
    ui.print_table(table.drop(columns=["open"]), "timeline")
