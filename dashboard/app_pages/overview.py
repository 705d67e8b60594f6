"""Overview (/): where every model stands against its evaluation cadence and safety buffer."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, display, links, ui
from dashboard.text import md_escape, neutralise
from dashboard.export import to_download_csv
from dashboard.obligations import DUE_SOON_DAYS, attention_counts
from dashboard.questions import obligations as obligation_questions
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions import status as status_questions
from dashboard.questions.status import STATUS_COLUMNS, STATUSES
from dashboard.ui import overview

context = ui.page_context("")
snap, scope = context.snapshot, context.scope

st.title("Models against their safety thresholds")
ui.data_caveats(context.info)
status = status_questions.status_frame(snap, scope)
policies = snapshot_questions.policies(snap).set_index("policy_id")

# --- Filters (bound to the URL; values in a pasted link are checked first) -----------------------
family_options = sorted(status["family"].dropna().unique())
level_options = sorted(int(level) for level in status["asl_level"].dropna().unique())
ui.check_choices("family", family_options, page_path="")
ui.check_choices("status", STATUSES, page_path="")
ui.check_choices("level", level_options, page_path="")
ui.check_flag("public", page_path="")
has_public = ui.row_counts(context.info).get("public_models", 0) > 0
with st.sidebar:
    # On a button, as the view's date and policy: their code loads when it is first opened.
    filters = st.popover("Filter models", icon=":material/filter_list:", width="stretch")
    families = filters.multiselect("Family", family_options, key="family", bind="query-params", format_func=neutralise)
    chosen_statuses = filters.multiselect("Status", STATUSES, key="status", bind="query-params",
                                          format_func=lambda name: name)
    levels = filters.multiselect("ASL level", level_options, key="level", bind="query-params")
    show_public = filters.toggle("Public frontier (Epoch AI)", value=context.info["dataset"] == "public", key="public",
                                 bind="query-params", disabled=not has_public,
                                 help="Public reference models by organisation on the same compute axis.")
    filtered = [name for name, values in (("family", families), ("status", chosen_statuses), ("ASL level", levels)) if values]
    st.caption(f"Filtered by {', '.join(filtered)}." if filtered else "No filter: every model.")
    # Downloads near the top of the keyboard order (a dozen tab stops, not fifty past the charts).
    st.header("Export")
    exports = st.container()
chosen = overview.ModelFilter(tuple(families), tuple(chosen_statuses), tuple(levels))
shown_models = overview.shown_models(snap, scope, chosen)

# --- Counts per status, coloured like the map ---------------------------------------------------
counts = shown_models["status"].value_counts().to_dict()
# no_checkpoint: models that did not exist yet on the as-of date; a tile only when there are some.
ui.status_counts(counts, [name for name in STATUSES if name != "no_checkpoint" or counts.get(name)])

# --- Buffer map ----------------------------------------------------------------------------------
line_policy = overview.map_policy(shown_models, scope)
if line_policy is None:
    st.info("No model matches these filters.")
    st.stop()
if shown_models["compute_multiple"].notna().any():
    map_figure = overview.buffer_map(snap, scope, chosen)
    event = st.plotly_chart(map_figure, key="buffer_map", on_select="rerun", selection_mode="points", width="stretch")
    unnamed = [charts.original_value(model_id, shown_models["model_id"])  # named nowhere on the map for lack of room
               for model_id in map_figure["layout"]["meta"]["unnamed_model_ids"]]
else:
    event, unnamed = None, []
    st.markdown("**Buffer map:** no model here has a clean evaluation yet, so there is nothing to place on it.")
mixed = shown_models["policy_id"].nunique() > 1
shown_names = dict(zip(shown_models["model_id"], display.distinct_names(shown_models["model_id"], shown_models["name"])))
if event is not None:  # how to read the map, only under a map that is drawn
    ui.screen_hint("Click a point to open that model's trajectory.", "map")
    st.caption(
        "Named: the models triggered, past the buffer edge or overdue"
        + (f" (no room on the map for {', '.join(md_escape(shown_names[model_id]) for model_id in unnamed)})" if unnamed else "")
        + ". " + (f"Lines and bands show {md_escape(display.policy_with_source(policies.reset_index(), line_policy))}; "
                  "models under other policies keep their own status." if mixed else ""))
# Regulatory clocks under the map: the counts and the map fill the first screen at 1280x720.
if ui.row_counts(context.info).get("obligations", 0) > 0:  # regulatory clocks (DESIGN 9), whatever the filters
    overdue, due_soon = attention_counts(obligation_questions.obligations_frame(snap, scope.as_of))
    overdue_link, due_soon_link = st.columns(2, width=560)  # each figure opens the rows it counts
    overdue_link.page_link("app_pages/obligations.py", label=f"Obligations: {overdue} overdue", icon=":material/gavel:",
                           query_params=links.obligations_filter_params(scope.as_of, scope.policy_id, state="overdue", snapshot_id=scope.snapshot_id))
    due_soon_link.page_link("app_pages/obligations.py", label=f"{due_soon} due within {DUE_SOON_DAYS} days",
                            icon=":material/schedule:",
                            query_params=links.obligations_filter_params(scope.as_of, scope.policy_id, due_soon=True, snapshot_id=scope.snapshot_id))
# Never evaluated: no clean evaluation, so not on the map; named here, largest compute first.
never = shown_models[shown_models["status"] == "never_evaluated"].sort_values("c_now", ascending=False)
if len(never):
    listed = ", ".join(f"{md_escape(shown_names[row['model_id']])} ({display.flop(row['c_now'])} FLOP)" for _, row in never.head(8).iterrows())
    more = f", and {len(never) - 8:,} more (Status filter: never_evaluated)" if len(never) > 8 else ""
    st.info(f"**{len(never):,} never evaluated** (no clean evaluation, so not on the map): {listed}{more}.",
            icon=":material/help:")
selected = event.selection.points if event and event.selection else []
model_id = charts.original_value(selected[0]["customdata"][0], shown_models["model_id"]) if selected else None
if model_id:  # the point shows the id escaped (charts.escape): map it back to the model
    st.switch_page("app_pages/trajectory.py", query_params={"model": model_id, **ui.scope_query_params(scope)})

# --- Every trajectory, normalised to its last clean evaluation ----------------------------------
trajectories = overview.trajectories(snap, scope, chosen)
if trajectories is not None:
    st.plotly_chart(trajectories, key="normalised", width="stretch")

# --- Against the public frontier -----------------------------------------------------------------
if show_public and has_public:
    # On the public data set the models are the public models themselves: drawn once, as the frontier.
    own_models = context.info["dataset"] != "public"
    st.plotly_chart(ui.figure_of(overview.frontier_figure, snap, scope, chosen), key="frontier", width="stretch")
    st.caption("Public models: Epoch AI, Notable AI Models (CC BY 4.0), training compute as published. "
               + ("This lab's models: effective compute at their latest checkpoint." if own_models else
                  "This data set's models are these public models, so they are not drawn a second time as a "
                  "lab's own."))

# --- The status table: most urgent first, status first, numbers as they read --------------------
st.subheader("Status of every model")
st.dataframe(
    ui.grid_of(overview.status_grid, snap, scope, chosen), hide_index=True, width="stretch", placeholder="",
    column_order=["status_label", "open", *[name for name in display.STATUS_TABLE_COLUMNS if name != "status_label"]],
    column_config={
        **{name: st.column_config.TextColumn(heading) for name, heading in display.STATUS_TABLE_COLUMNS.items()},
        # Each status a label tinted with the map's colour for it (a read-only grid's coloured labels).
        "status_label": st.column_config.MultiselectColumn(
            "Status", options=list(display.STATUS_LABELS.values()),
            color=[display.STATUS_TINTS[name] for name in display.STATUS_LABELS], pinned=True, width="medium"),
        "open": st.column_config.LinkColumn("Trajectory", display_text="open", width="small"),
        "buffer_used_pct": st.column_config.ProgressColumn("Buffer used", format="%.0f%%", min_value=0, max_value=100),
        "days_since_eval": st.column_config.NumberColumn("Days since eval", format="%d"),
        "asl_level": st.column_config.NumberColumn("ASL", width="small"),
    })
st.caption("Most urgent first. FLOP to three significant figures; the CSV has every number in full.")
ui.print_table_of("status", overview.printed_status_table, snap, scope, chosen)
ui.screen_hint("Downloads and the link to this view: **Export**, in the sidebar.", "exports")
ui.shown_and_all_downloads(
    exports, "status", "models", f"status-{scope.as_of}", len(shown_models), len(status),
    lambda: to_download_csv(display.severity_order(shown_models)[STATUS_COLUMNS]),
    lambda: to_download_csv(status[STATUS_COLUMNS]),
    shown_help="The rows of the table above in its order, with the columns of `asl-dashboard status`, numbers in full "
               "(spreadsheet formulas neutralised).",
    all_help="Every model, unfiltered: exactly what `asl-dashboard status` prints for this as-of date and policy.")
with exports:
    ui.link_to_this_view("", {"family": families, "status": chosen_statuses, "level": levels,
                              "public": None if show_public == (context.info["dataset"] == "public") else str(show_public).lower()},
                         scope)

# --- What the snapshot holds ---------------------------------------------------------------------
ui.snapshot_summary(snap, context.info, scope)
