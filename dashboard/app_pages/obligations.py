"""Obligations (/obligations): every regulatory or framework clock a compute crossing starts (DESIGN 9)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.export import to_download_csv
from dashboard.obligations import CLI_COLUMNS, STATE_LABELS, STATES, time_left
from dashboard.questions.obligations import obligation_list, obligations_frame

context = ui.page_context("obligations")
snap, scope = context.snapshot, context.scope

st.title("Which regulatory and framework clocks are running?")
ui.data_caveats(context.info)
rules = obligation_list(snap)
if rules.empty:
    st.info("This snapshot holds no obligations: add obligations.csv (and obligation_records.csv) to the input "
            "folder to track the clocks a compute crossing starts (see the README).", icon=":material/info:")
    st.stop()
if ui.row_counts(context.info).get("obligation_records", 0) == 0:
    st.warning("This data set holds no obligation records (what a lab filed is not public): **overdue** here means "
               "no record in the data, not a missed deadline.", icon=":material/help:")
clocks = obligations_frame(snap, scope.as_of)

# --- Filters (bound to the URL; values in a pasted link are checked first) -----------------------
ui.check_choices("state", STATES, page_path="obligations")
ui.check_choices("obligation", list(rules["obligation_id"]), page_path="obligations")
with st.sidebar:
    st.header("Filter obligations")
    # The options show as they are in the URL: a bound widget keeps its formatted labels there.
    states = st.multiselect("State", STATES, key="state", bind="query-params", format_func=lambda name: name)
    chosen = st.multiselect("Obligation", list(rules["obligation_id"]), key="obligation", bind="query-params")
shown_rows = clocks
if states:
    shown_rows = shown_rows[shown_rows["state"].isin(states)]
if chosen:
    shown_rows = shown_rows[shown_rows["obligation_id"].isin(chosen)]

# --- Counts per state ----------------------------------------------------------------------------
counts = shown_rows["state"].value_counts()
for column, name in zip(st.columns(len(STATES)), STATES):
    column.metric(STATE_LABELS[name], int(counts.get(name, 0)))

# --- Every model and obligation, most urgent first -----------------------------------------------
st.subheader(f"Clocks as of {scope.as_of:%Y-%m-%d}")
if shown_rows.empty:
    st.info("No model has a clock in this view: nothing crossed a line, is projected to within 90 days, "
            "or matches these filters.")
else:
    table = shown_rows[["model_id", "model_name", "obligation_id", "state", "crossed_on", "due_on",
                        "done_on", "projected_on", "reference"]].copy()
    table.insert(6, "time_left", [time_left(state, days, clock, projected) for state, days, clock, projected
                                  in zip(shown_rows["state"], shown_rows["days_left"], shown_rows["clock"],
                                         shown_rows["projected_on"])])
    # A date not set yet reads as an empty cell, not "None" (as on every other page).
    for column in ("crossed_on", "due_on", "done_on", "projected_on", "reference"):
        table[column] = table[column].map(lambda value: "" if value is None or pd.isna(value) else str(value))
    table.insert(0, "open", "./trajectory?" + table["model_id"].map(lambda model_id: ui.link_query({"model": model_id}, scope)))
    st.dataframe(
        ui.shown_frame(table), hide_index=True, width="stretch",
        column_config={
            "open": st.column_config.LinkColumn("Trajectory", display_text="open", width="small"),
            "model_id": st.column_config.TextColumn("Model"),
            "model_name": st.column_config.TextColumn("Name"),
            "obligation_id": st.column_config.TextColumn("Obligation"),
            "state": st.column_config.TextColumn("State"),
            "crossed_on": st.column_config.TextColumn("Crossed on", width=100),
            "due_on": st.column_config.TextColumn("Due on", width=100),
            "time_left": st.column_config.TextColumn("Days left or overdue"),
            "done_on": st.column_config.TextColumn("Done on", width=100),
            "projected_on": st.column_config.TextColumn("Projected on", width=110, help="Training models only: the "
                                                        "trajectory page's log-linear fit over the last 60 days."),
            "reference": st.column_config.TextColumn("Record"),
        })
st.download_button(
    "Download obligations.csv", data=lambda: to_download_csv(shown_rows[CLI_COLUMNS]),
    file_name=f"obligations-{scope.as_of}.csv", mime="text/csv", icon=":material/download:",
    help="The rows shown, with the columns `asl-dashboard obligations` prints for this as-of date "
         "(without filters, exactly its rows; spreadsheet formulas neutralised).", on_click="ignore")
ui.link_to_this_view("obligations", {"state": states, "obligation": chosen}, scope)

# --- The rules -----------------------------------------------------------------------------------
st.subheader("The obligations in this snapshot")
rules_table = rules[["obligation_id", "jurisdiction", "threshold_flop", "measure", "clock", "deadline_days", "applies_from",
                     "name", "source"]].copy()
rules_table["threshold_flop"] = rules_table["threshold_flop"].map(lambda value: f"{value:.3g} FLOP")
rules_table["deadline_days"] = rules_table["deadline_days"].map(lambda value: "" if pd.isna(value) else f"{int(value)}")
rules_table["applies_from"] = rules_table["applies_from"].map(lambda value: "" if pd.isna(value) else str(value))
st.dataframe(
    ui.shown_frame(rules_table), hide_index=True, width="stretch",
    column_config={
        "obligation_id": st.column_config.TextColumn("Obligation"),
        "jurisdiction": st.column_config.TextColumn("Where"),
        "threshold_flop": st.column_config.TextColumn("Threshold"),
        "measure": st.column_config.TextColumn("Measure"),
        "clock": st.column_config.TextColumn("Clock"),
        "deadline_days": st.column_config.TextColumn("Days", help="after_crossing: days from the start of the clock"),
        "applies_from": st.column_config.TextColumn("Applies from", width=100),
        "name": st.column_config.TextColumn("What", width="large"),
        "source": st.column_config.TextColumn("Source", width="large"),
    })
st.caption(
    "A model crosses a line on the date of its first checkpoint whose training FLOP (or effective compute, as the "
    "obligation says) reaches the threshold. The clock starts at the later of that date and the date the rule "
    "applies from. after_crossing: due that many days later; before_first_deployment: due at the later of the start "
    "and the model's first deployment not ended before the crossing (no due date while it has none). Done: the "
    "earliest record on or before the as-of date. Projected: not crossed yet, training (a checkpoint in the last 14 "
    "days), and projected to cross within 90 days. The rule is queries/obligations.sql.")
