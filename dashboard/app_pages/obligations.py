"""Obligations (/obligations): every regulatory or framework clock a compute crossing starts (DESIGN 9),
and the clocks incident reviews started (DESIGN 12)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import display, ui
from dashboard.export import to_download_csv
from dashboard.obligations import CLI_COLUMNS, DUE_SOON_DAYS, STATE_LABELS, STATES, due_within, time_left
from dashboard.incident_clocks import clock_time, clocks_table
from dashboard.text import md_escape, one_line
from dashboard.questions.obligations import incident_clocks_of_ledger, obligation_list, obligations_frame
from dashboard.reviews.ledger import LedgerError

# The print copy's headings: what each column holds.
CLOCK_HEADINGS = {"model_id": "model", "model_name": "model name", "obligation_id": "obligation", "crossed_on": "crossed on",
                  "due_on": "due on", "time_left": "days left or overdue", "done_on": "done on",
                  "projected_on": "projected on", "reference": "record"}

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
ui.check_flag("due_soon", page_path="obligations")
with st.sidebar:
    st.header("Filter obligations")
    # The options show as they are in the URL: a bound widget keeps its formatted labels there.
    states = st.multiselect("State", STATES, key="state", bind="query-params", format_func=lambda name: name)
    chosen = st.multiselect("Obligation", list(rules["obligation_id"]), key="obligation", bind="query-params")
    due_soon = st.toggle(f"Due within {DUE_SOON_DAYS} days", key="due_soon", bind="query-params",
                         help=f"Only the clocks still due whose due date is today or within the next {DUE_SOON_DAYS} "
                              "days: what the overview counts.")
    # Downloads near the top of the keyboard order, as on the other pages.
    st.header("Export")
    exports = st.container()
shown_rows = display.rows_chosen(clocks, {"state": states, "obligation_id": chosen})
if due_soon:
    shown_rows = shown_rows[due_within(shown_rows)]
filters = ([f"state {', '.join(states)}"] if states else []) + \
          ([f"obligation {', '.join(md_escape(name) for name in chosen)}"] if chosen else []) + \
          ([f"due within {DUE_SOON_DAYS} days"] if due_soon else [])

# --- Counts per state: always the whole set, whatever the filters -------------------------------
counts = clocks["state"].value_counts()
for column, name in zip(st.columns(len(STATES)), STATES):
    column.metric(STATE_LABELS[name], int(counts.get(name, 0)))
st.caption(f"Counts: all {len(clocks):,} clocks as of {scope.as_of:%Y-%m-%d}."
           + (f" Filtered to {'; '.join(filters)}: the table shows {len(shown_rows):,} of them." if filters else ""))

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
    # On screen one column names the model, "Name (id)" as the pickers do; the projected date is in
    # "left or overdue" (the CSV keeps every column). At 1440 px every column fits (971 px), each wide
    # enough for its longest word, the text wrapping onto four lines: nothing is cut at a cell's edge.
    table.insert(0, "model", [f"{name} ({model_id})" for name, model_id in zip(table["model_name"], table["model_id"])])
    table.insert(0, "open", "./trajectory?" + table["model_id"].map(lambda model_id: ui.link_query({"model": model_id}, scope)))
    screen_columns = ["open", "model", "obligation_id", "state", "crossed_on", "due_on", "time_left", "done_on", "reference"]
    st.dataframe(
        ui.shown_frame(table), hide_index=True, width="stretch", column_order=screen_columns,
        row_height=display.wrapped_row_height(4), height=display.table_height(len(table), display.wrapped_row_height(4)),
        column_config={
            "open": st.column_config.LinkColumn("Trajectory", display_text="open", width=70),
            "model": st.column_config.TextColumn("Model", width=200),
            "obligation_id": st.column_config.TextColumn("Obligation", width=125),
            "state": st.column_config.TextColumn("State", width=85),
            "crossed_on": st.column_config.TextColumn("Crossed on", width=82),
            "due_on": st.column_config.TextColumn("Due on", width=82),
            "time_left": st.column_config.TextColumn(
                "Left or overdue", width=115, help="Days left or overdue. Projected (training models only): the date the "
                "trajectory page's log-linear fit over the last 60 days reaches the line."),
            "done_on": st.column_config.TextColumn("Done on", width=82),
            "reference": st.column_config.TextColumn("Record", width=130),
        })
    ui.print_table(table[["model_id", "model_name", "obligation_id", "state", "crossed_on", "due_on", "time_left",
                          "done_on", "projected_on", "reference"]].rename(columns=CLOCK_HEADINGS), "clocks")
ui.shown_and_all_downloads(
    exports, "obligations", "clocks", f"obligations-{scope.as_of}", len(shown_rows), len(clocks),
    lambda: to_download_csv(shown_rows[CLI_COLUMNS]), lambda: to_download_csv(clocks[CLI_COLUMNS]),
    shown_help="The rows of the table above, with the columns `asl-dashboard obligations` prints for this as-of date "
               "(spreadsheet formulas neutralised).",
    all_help="Every clock, unfiltered: exactly what `asl-dashboard obligations` prints for this as-of date.")
with exports:
    ui.link_to_this_view("obligations", {"state": states, "obligation": chosen,
                                         "due_soon": "true" if due_soon else None}, scope)

# --- Incident clocks (DESIGN 12): the reporting deadlines incident reviews started -----------------
# Read at the wall clock (UTC), or with an as-of date in the past at the end of that day.
st.subheader("Incident clocks")
read_at = clock_time(dt.datetime.now(dt.timezone.utc), None if scope.as_of_is_default else scope.as_of)
try:
    incidents = incident_clocks_of_ledger(snap, read_at.at)
except LedgerError as error:
    incidents = None
    st.warning(f"The reviews ledger could not be read: {md_escape(one_line(error))}", icon=":material/warning:")
if incidents is not None:
    st.caption(f"The reports an incident obliges the lab to make: due at the time the lab became aware of it plus "
               f"the obligation's hours, in UTC; done when the review records the report. The {read_at.statement}.")
    incident_csv = clocks_table(incidents, read_at.text)  # what the command prints; the screen's copy below
    if incidents.empty:
        st.info("No incident review is open: no review records an incident (its category and when the lab became "
                "aware of it) that an obligation here applies to.", icon=":material/info:")
    else:
        incident_table = incident_csv.copy()
        incident_table.insert(0, "review", [f"{title} ({review_id})" for title, review_id
                                            in zip(incident_table["title"], incident_table["review_id"])])
        incident_table["reference"] = incident_table["reference"].map(lambda value: "" if value is None else str(value))
        # A clock that is done says when it was reported where the others say the hours left.
        incident_table["left_or_overdue"] = [f"reported {done_at}" if done_at else left for left, done_at
                                             in zip(incident_table["left_or_overdue"], incident_table["done_at"])]
        st.dataframe(
            ui.shown_frame(incident_table), hide_index=True, width="stretch",
            column_order=["review", "obligation_id", "jurisdiction", "due_at", "left_or_overdue", "state", "reference"],
            row_height=display.wrapped_row_height(3),  # a review's title wraps onto up to three lines
            height=display.table_height(len(incident_table), display.wrapped_row_height(3)),
            column_config={
                "review": st.column_config.TextColumn("Review", width=200),
                "obligation_id": st.column_config.TextColumn("Obligation", width=160),
                "jurisdiction": st.column_config.TextColumn("Where", width=90),
                "due_at": st.column_config.TextColumn("Due at (UTC)", width=160),
                "left_or_overdue": st.column_config.TextColumn(
                    "Left or reported", width=130, help=f"Whole hours to the due time, or past it: the "
                                                        f"{read_at.statement}; when done, the time of the report"),
                "state": st.column_config.TextColumn("State", width=85),
                "reference": st.column_config.TextColumn("Report", width=150),
            })
        ui.print_table(incident_table.drop(columns=["review"]), "incidents")
    exports.download_button(
        f"Download incident-clocks.csv ({len(incidents):,} clocks)", data=lambda: to_download_csv(incident_csv),
        file_name=f"incident-clocks-{read_at.at:%Y%m%dT%H%MZ}.csv", mime="text/csv", icon=":material/download:",
        key="download_incidents", on_click="ignore",
        help=f"Every incident clock with the columns `asl-dashboard obligations --incidents` prints; the "
             f"{read_at.statement} (spreadsheet formulas neutralised).")

# --- The rules -----------------------------------------------------------------------------------
st.subheader("The obligations in this snapshot")
rules_table = rules[["obligation_id", "jurisdiction", "threshold_flop", "measure", "clock", "deadline_days", "applies_from",
                     "deadline_hours", "categories", "name", "source"]].copy()
rules_table["threshold_flop"] = rules_table["threshold_flop"].map(lambda value: "" if pd.isna(value) else f"{value:.3g} FLOP")
for column in ("deadline_days", "deadline_hours"):
    rules_table[column] = rules_table[column].map(lambda value: "" if pd.isna(value) else f"{int(value)}")
for column in ("applies_from", "measure", "categories"):
    rules_table[column] = rules_table[column].map(lambda value: "" if value is None or pd.isna(value) else str(value))
# On screen the line (threshold and measure) and the clock (kind and days, or hours and the incident
# categories) read as one column each, so that at 1440 px the table fits and the rule's name and source
# wrap whole (the print copy has every column).
rules_table["line"] = [f"{flop} {measure}" if flop else "" for flop, measure in
                       zip(rules_table["threshold_flop"], rules_table["measure"])]
rules_table["clock_days"] = [
    f"{clock}, {hours} h: {categories.replace(';', ', ')}" if hours else f"{clock}, {days} days" if days else clock
    for clock, days, hours, categories in zip(rules_table["clock"], rules_table["deadline_days"],
                                              rules_table["deadline_hours"], rules_table["categories"])]
st.dataframe(
    ui.shown_frame(rules_table), hide_index=True, width="stretch", row_height=display.wrapped_row_height(5),
    column_order=["obligation_id", "jurisdiction", "line", "clock_days", "applies_from", "name", "source"],
    column_config={
        "obligation_id": st.column_config.TextColumn("Obligation", width=125),
        "jurisdiction": st.column_config.TextColumn("Where", width=90),
        "line": st.column_config.TextColumn("Line", width=110, help="The threshold and the measure it counts"),
        "clock_days": st.column_config.TextColumn(
            "Clock", width=170, help="after_crossing: days from the start of the clock; after_awareness: hours from "
                                     "when the lab became aware of an incident of these categories"),
        "applies_from": st.column_config.TextColumn("Applies from", width=95),
        "name": st.column_config.TextColumn("What", width=190),
        "source": st.column_config.TextColumn("Source", width=190),
    })
ui.print_table(rules_table.drop(columns=["line", "clock_days"]), "rules")
st.caption(
    "A model crosses a line on the date of its first checkpoint whose training FLOP (or effective compute, as the "
    "obligation says) reaches the threshold. The clock starts at the later of that date and the date the rule "
    "applies from. after_crossing: due that many days later; before_first_deployment: due at the later of the start "
    "and the model's first deployment not ended before the crossing (no due date while it has none). Done: the "
    "earliest record on or before the as-of date. Projected: not crossed yet, training (a checkpoint in the last 14 "
    "days), and projected to cross within 90 days. The rule is queries/obligations.sql. after_awareness: due that many "
    "hours after the lab became aware of an incident of one of the categories (the incident clocks above).")
