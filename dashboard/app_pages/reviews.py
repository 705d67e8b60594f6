"""Reviews (/reviews?state=S&model=ID, DESIGN 12): every review, open ones first and the soonest
incident clock first, each row a link to its page; filters by state and model; a link that opens a new
review pinned to this view."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import auth, display, settings, ui
from dashboard.export import to_download_csv
from dashboard.incident_clocks import clock_time
from dashboard.params import ParamError
from dashboard.text import md_escape
from dashboard.questions import reviews as review_questions

STATES = list(review_questions.STATES)
LIST_HEADINGS = {"review_id": "review", "title": "title", "state": "state", "scenario": "scenario",
                 "incident_category": "incident", "aware_at": "aware since", "next_clock": "next clock",
                 "next_due_at": "next clock due at", "opened_by": "opened by",
                 "opened_at": "opened at", "decisions": "decisions", "in_effect": "in effect",
                 "as_of": "pinned as of", "snapshot_id": "pinned snapshot"}

context = ui.page_context("reviews")
snap, scope = context.snapshot, context.scope
st.title("Reviews: what was decided, by whom, on which view")
try:
    approvals_needed = settings.approvals_needed()
except ParamError as error:  # ASL_REVIEW_APPROVALS set but invalid: no page counts approvals on a guess
    ui.stop_with_problem(str(error), "")
# The incident clocks are read at the wall clock (UTC), or with an as-of date in the past at the end of
# that day (as /obligations reads them): a deadline already past is never shown as ahead.
read_at = clock_time(dt.datetime.now(dt.timezone.utc), None if scope.as_of_is_default else scope.as_of)
reviews = review_questions.review_list(review_questions.page_ledger(), approvals_needed, snap, read_at.at)
reviewed_models = sorted({model for model in reviews["model_id"] if isinstance(model, str) and model})

# --- Filters, kept in the URL as state= and model= (checked first: a pasted link gets a clear message)
ui.check_choices("state", STATES, page_path="reviews")
ui.check_choices("model", reviewed_models, page_path="reviews")
with st.sidebar:
    st.header("Filter reviews")
    # Keys of their own: "state" and "model" are other pages' widgets, holding other values.
    states = st.multiselect("State", STATES, default=st.query_params.get_all("state"), key="reviews_state",
                            on_change=ui.write_list_to_url, args=("reviews_state", "state"))
    models = st.multiselect("Model", reviewed_models, default=st.query_params.get_all("model"), key="reviews_model",
                            on_change=ui.write_list_to_url, args=("reviews_model", "model"))
    st.header("Export")
    exports = st.container()
shown_rows = display.rows_chosen(reviews, {"state": states, "model_id": models})

counts = reviews["state"].value_counts()
for column, name in zip(st.columns(len(STATES)), STATES):
    column.metric(name.capitalize(), int(counts.get(name, 0)))
filters = ([f"state {', '.join(states)}"] if states else []) + \
          ([f"model {', '.join(md_escape(model) for model in models)}"] if models else [])
st.caption(f"Counts: all {len(reviews):,} reviews in the ledger."
           + (f" Filtered to {'; '.join(filters)}: the table shows {len(shown_rows):,} of them." if filters else ""))
ui.screen_hint("Open reviews first; within each state the soonest incident clock still running first, then the "
               f"most recently opened. Next clock: {read_at.statement}. Click a review's *open* to see its "
               "decisions, sign-offs and clocks.", "order")

if shown_rows.empty:
    st.info("No review yet." if reviews.empty else "No review matches these filters.")
else:
    table = shown_rows.copy()
    for column in ("incident_category", "aware_at", "policy", "snapshot_id", "as_of", "next_clock", "next_due_at"):
        table[column] = table[column].map(lambda value: "" if value is None else str(value))
    table.insert(0, "open", "./review?" + table["review_id"].map(lambda review_id: f"id={review_id}"))
    st.dataframe(
        ui.shown_frame(table), hide_index=True, width="stretch", row_height=display.wrapped_row_height(2),
        column_order=["open", "review_id", "title", "state", "next_clock", "decisions", "in_effect", "scenario",
                      "incident_category", "opened_by", "opened_at"],
        column_config={
            "open": st.column_config.LinkColumn("Review", display_text="open", width=60),
            "review_id": st.column_config.TextColumn("Id", width=55),
            "title": st.column_config.TextColumn("Title", width=220),
            "state": st.column_config.TextColumn("State", width=70),
            "next_clock": st.column_config.TextColumn(
                "Next clock", width=200, help=f"The soonest incident clock still running ({read_at.statement})"),
            "scenario": st.column_config.TextColumn("Scenario", width=170),
            "incident_category": st.column_config.TextColumn("Incident", width=130),
            "opened_by": st.column_config.TextColumn("Opened by", width=160),
            "opened_at": st.column_config.TextColumn("Opened at", width=150),
            "decisions": st.column_config.NumberColumn("Decisions", width=80),
            "in_effect": st.column_config.NumberColumn("In effect", width=75),
        })
    ui.print_table(table[list(LIST_HEADINGS)].rename(columns=LIST_HEADINGS), "reviews")
ui.shown_and_all_downloads(
    exports, "reviews", "reviews", "reviews", len(shown_rows), len(reviews),
    lambda: to_download_csv(shown_rows), lambda: to_download_csv(reviews),
    shown_help="The reviews of the table above (spreadsheet formulas neutralised).",
    all_help="Every review in the ledger, unfiltered.")

st.subheader("Open a review")
actor = auth.current_actor()
if actor is None:
    st.info(auth.READ_ONLY_REVIEWS, icon=":material/edit_off:")
else:
    st.page_link("app_pages/review.py", label="Open a review of this view", icon=":material/rate_review:",
                 query_params=ui.scope_query_params(scope),
                 help="A review pinned to the snapshot, as-of date and policy of this view. To review a "
                      "reclassification scenario, open it from the reclassify page.")
