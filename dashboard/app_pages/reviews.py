"""Reviews (/reviews?state=S&model=ID, DESIGN 12): every review, open ones first, each row a link to its
page; filters by state and model; a link that opens a new review pinned to this view."""
from __future__ import annotations

import streamlit as st

from dashboard import auth, display, settings, ui
from dashboard.export import to_download_csv
from dashboard.params import ParamError
from dashboard.text import md_escape
from dashboard.questions import reviews as review_questions

STATES = list(review_questions.STATES)
LIST_HEADINGS = {"review_id": "review", "title": "title", "state": "state", "scenario": "scenario",
                 "incident_category": "incident", "aware_at": "aware since", "opened_by": "opened by",
                 "opened_at": "opened at", "decisions": "decisions", "in_effect": "in effect",
                 "as_of": "pinned as of", "snapshot_id": "pinned snapshot"}

context = ui.page_context("reviews")
snap, scope = context.snapshot, context.scope
st.title("Reviews: what was decided, by whom, on which view")
try:
    approvals_needed = settings.approvals_needed()
except ParamError as error:  # ASL_REVIEW_APPROVALS set but invalid: no page counts approvals on a guess
    ui.stop_with_problem(str(error), "")
reviews = review_questions.review_list(review_questions.page_ledger(), approvals_needed)
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
shown_rows = reviews
if states:
    shown_rows = shown_rows[shown_rows["state"].isin(states)]
if models:
    shown_rows = shown_rows[shown_rows["model_id"].isin(models)]

counts = reviews["state"].value_counts()
for column, name in zip(st.columns(len(STATES)), STATES):
    column.metric(name.capitalize(), int(counts.get(name, 0)))
filters = ([f"state {', '.join(states)}"] if states else []) + \
          ([f"model {', '.join(md_escape(model) for model in models)}"] if models else [])
st.caption(f"Counts: all {len(reviews):,} reviews in the ledger."
           + (f" Filtered to {'; '.join(filters)}: the table shows {len(shown_rows):,} of them." if filters else ""))
# NOT BUILT HERE: "soonest clock first" within the open reviews needs the incident clocks
# (dashboard/incident_clocks.py, another piece of work); when it is merged, review_list orders by them.
ui.screen_hint("Open reviews first, the most recently opened first. Click a review's *open* to see its "
               "decisions and sign-offs.", "order")

if shown_rows.empty:
    st.info("No review yet." if reviews.empty else "No review matches these filters.")
else:
    table = shown_rows.copy()
    for column in ("incident_category", "aware_at", "policy", "snapshot_id", "as_of"):
        table[column] = table[column].map(lambda value: "" if value is None else str(value))
    table.insert(0, "open", "./review?" + table["review_id"].map(lambda review_id: f"id={review_id}"))
    st.dataframe(
        ui.shown_frame(table), hide_index=True, width="stretch", row_height=display.wrapped_row_height(2),
        column_order=["open", "review_id", "title", "state", "scenario", "incident_category", "opened_by", "opened_at",
                      "decisions", "in_effect"],
        column_config={
            "open": st.column_config.LinkColumn("Review", display_text="open", width=60),
            "review_id": st.column_config.TextColumn("Id", width=55),
            "title": st.column_config.TextColumn("Title", width=280),
            "state": st.column_config.TextColumn("State", width=70),
            "scenario": st.column_config.TextColumn("Scenario", width=170),
            "incident_category": st.column_config.TextColumn("Incident", width=130),
            "opened_by": st.column_config.TextColumn("Opened by", width=160),
            "opened_at": st.column_config.TextColumn("Opened at", width=150),
            "decisions": st.column_config.NumberColumn("Decisions", width=75),
            "in_effect": st.column_config.NumberColumn("In effect", width=70),
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
