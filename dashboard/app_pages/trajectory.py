"""Trajectory (/trajectory?model=ID): one model's effective compute against its evaluation envelopes."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, display, links, ui, ui_timeline
from dashboard.charts import timeline as charts_timeline
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions import reviews as review_questions
from dashboard.questions import trajectory as trajectory_questions
from dashboard.questions.status import status_frame
from dashboard.export import to_download_csv
from dashboard.params import ParamError, check_model
from dashboard.text import md_escape
from dashboard.projection import project, projection_line

MAX_POINTS = 2000

context = ui.page_context("trajectory")
snap, scope = context.snapshot, context.scope
models = snapshot_questions.models(snap)

# --- Which model (validated before the bound widget sees the URL) -------------------------------
try:
    requested = check_model(ui.raw_param("model"), models["model_id"])
except ParamError as error:
    ui.stop_with_problem(str(error), "trajectory")

if not requested:
    # Opened without a model: the most urgent one (the status table's first row), named in the URL.
    most_urgent = status_frame(snap, scope)["model_id"]
    if len(most_urgent):
        requested = str(most_urgent.iloc[0])
        ui.put_in_url("model", requested)
ui.check_flag("refs", page_path="trajectory")
ui.check_flag("public", page_path="trajectory")
ui.show_in_widget("model", requested or None)
model_id = st.selectbox("Model", list(models["model_id"]), index=None, key="model", on_change=ui.write_to_url,
                        args=("model",), format_func=ui.model_labels(models).get,
                        placeholder="Type a name or id to search", help="Search by the model's name or id.")
with st.sidebar:
    st.header("Chart")
    show_reference = st.toggle("1e25 / 1e26 FLOP lines", value=True, key="refs", bind="query-params")
    has_public = ui.row_counts(context.info).get("public_models", 0) > 0
    show_public = st.toggle("Public frontier (Epoch AI)", value=context.info["dataset"] == "public", key="public",
                            bind="query-params", disabled=not has_public,
                            help="Public reference models by organisation, on the same compute axis.")
if not model_id:
    st.info("Choose a model to see its compute trajectory.")
    st.stop()
with st.sidebar:  # downloads near the top of the keyboard order
    st.header("Export")
    exports = st.container()

detail = trajectory_questions.model_detail(snap, model_id).iloc[0]
status_row = status_frame(snap, scope).set_index("model_id").loc[model_id]
policy = snapshot_questions.policies(snap).set_index("policy_id").loc[status_row["policy_id"]]
k = float(policy["eval_compute_multiple"])
b = None if pd.isna(policy["buffer_multiple"]) else float(policy["buffer_multiple"])

st.title(md_escape(detail["name"]))
ui.data_caveats(context.info)
st.caption(f"{md_escape(model_id)} · family {md_escape(detail['family'])} · {detail['derivation']} · "
           f"ASL-{status_row['asl_level']} on {scope.as_of:%Y-%m-%d} · {detail['status']} · "
           f"policy {md_escape(display.policy_with_source(snapshot_questions.policies(snap), status_row['policy_id']))}")

# --- Where it stands: the figures that matter for its status (DESIGN 4a) -------------------------
ui.metric_rows(display.headline(status_row, scope.as_of), status=status_row["status"])
training = bool(status_row["is_training"])
st.caption(display.training_text(status_row, scope.as_of))

# --- The chart -----------------------------------------------------------------------------------
points = trajectory_questions.trajectory(snap, model_id, scope.as_of, MAX_POINTS)
rounds = trajectory_questions.evaluation_rounds(snap, model_id, scope.as_of, scope.policy_id)
history = trajectory_questions.asl_history(snap, model_id, scope.as_of)
# Preliminary evaluations that triggered count for nothing in the status, but a lead must see them.
preliminary_triggers = trajectory_questions.preliminary_triggers(snap, model_id, scope.as_of)
# A triggered model opens its reclassification scenario: next level, triggering domain.
reclassify = links.reclassify_params(model_id, status_row["status"], status_row["asl_level"], rounds,
                                     snapshot_questions.asl_levels(snap)["asl_level"])
if reclassify:
    st.link_button("Reclassify this model", "reclassify?" + ui.link_query(reclassify, scope), icon=":material/policy:")
as_of_time = pd.Timestamp(scope.as_of) + pd.Timedelta(days=1)
crossings = trajectory_questions.training_flop_crossings(
    snap, model_id, scope.as_of, tuple(value for value, _ in charts.REFERENCE_LINES))
crossings["label"] = crossings["threshold"].map(dict(charts.REFERENCE_LINES))

targets = {}
if pd.notna(status_row["next_eval_compute"]):
    targets["next evaluation"] = float(status_row["next_eval_compute"])
if pd.notna(status_row["buffer_edge_compute"]):
    targets["buffer edge"] = float(status_row["buffer_edge_compute"])
# Only a model training on the as-of date gets a projection (DESIGN 4a).
projection = project(points, targets) if targets and training else None
projection_points, projected_dates = None, {}
if projection is not None:
    projected_dates = {label: date for label, date in projection.reached.items() if date is not None}
    until = max([projection.fit_end + pd.Timedelta(days=30), *projected_dates.values()])
    projection_points = projection_line(points, projection, until)
reevaluate_on = status_row["next_eval_date"] if pd.notna(status_row["next_eval_date"]) else None


# The model's events and its review decisions as they stood on the as-of date, also drawn on the chart.
timeline = review_questions.timeline_with_decisions(snap, scope, model_id, ui.review_decisions(scope.as_of))


def trajectory_figure(points, rounds, history, timeline, public, **options):
    """The trajectory chart, the public frontier when asked for (public is None otherwise), and the
    timeline's marks."""
    figure = charts.trajectory(points, rounds, history, **options)
    if public is not None:
        charts.public_frontier(figure, public)
    charts_timeline.annotate_timeline(figure, timeline)
    return figure


public = snapshot_questions.public_models(snap, scope.as_of) if show_public and has_public else None
st.plotly_chart(ui.figure(trajectory_figure, points, rounds, history, timeline, public, k=k, b=b, as_of=as_of_time,
                          model_label=dict(zip(models["model_id"], display.distinct_names(models["model_id"], models["name"])))[model_id],
                          projection_points=projection_points,
                          projected_dates=projected_dates, show_reference_lines=show_reference,
                          now=pd.Timestamp(scope.as_of), training=training, reevaluate_on=reevaluate_on,
                          crossings=crossings, preliminary_triggers=preliminary_triggers,
                          **{name: status_row[name] for name in ("status", "overdue_since", "overdue_by", "triggered_on")}),
                key="trajectory", width="stretch")
st.caption(f"{len(points):,} points drawn (downsampled in the database to at most about {MAX_POINTS:,}; "
           "checkpoints with evaluations are exact). Shaded: between the next evaluation (k x C at the last "
           "clean round) and the buffer edge (b x C), from each round's completion until the next. "
           "A dotted line joins an evaluated checkpoint to the day its round completed."
           + (" An open diamond: a round still missing a domain its policy requires (incomplete: it counts as no "
              "clean round)." if (rounds["round_outcome"] == "incomplete").any() else "")
           + (" An open red triangle (at the compute it tested, on the day it completed): a preliminary "
              f"evaluation that triggered ({len(preliminary_triggers)}); preliminary evaluations form no round "
              "and do not change the status."
              if len(preliminary_triggers) else "")
           + (" The regulatory lines count training FLOP (the dotted grey line), not effective compute; "
              "a star marks where it crossed one." if show_reference else ""))
if show_reference and len(crossings):
    st.markdown("\n".join(f"- {md_escape(row['label'])}: training FLOP crossed it on "
                          f"**{pd.Timestamp(row['recorded_at']):%Y-%m-%d}** (step {int(row['step'])}, "
                          f"{display.flop(row['training_flop'])} FLOP)" for _, row in crossings.iterrows()))

ui_timeline.section(timeline, scope)

# --- Projection ----------------------------------------------------------------------------------
st.subheader("Projection from recent growth")
if not training:
    st.write(f"No projection: the model is not training on {scope.as_of:%Y-%m-%d} "
             "(no checkpoint in the 14 days up to it).")
elif projection is None:
    st.write("Not enough recent checkpoints, or no clean evaluation to project against.")
else:
    doubling = f"doubling every {projection.doubling_days:.1f} days" if projection.doubling_days else "not growing"
    lines = [f"Fitted over {projection.points_used} checkpoints from {projection.fit_start:%Y-%m-%d} to "
             f"{projection.fit_end:%Y-%m-%d}: effective compute is {doubling}."]
    crossed_on = {"next evaluation": status_row["next_eval_crossed_on"],
                  "buffer edge": status_row["buffer_edge_crossed_on"]}
    for label in targets:
        target = display.flop(targets[label])
        if projection.already.get(label):
            when = display.day(crossed_on.get(label))
            lines.append(f"- **{label}** ({target}): already reached" + (f" on **{when}**." if when else "."))
        elif projection.reached.get(label) is not None:
            lines.append(f"- **{label}** ({target}): reached about **{projection.reached[label]:%Y-%m-%d}** at this rate.")
        else:
            lines.append(f"- **{label}** ({target}): not reached within ten years at this rate.")
    st.markdown("\n".join(lines))
    st.caption("How: a straight line through log10(effective compute) against time over the last 60 days of "
               "checkpoints (at least 3), continued from the latest checkpoint. Training runs slow down, so read "
               "the dates as the earliest plausible ones, not a forecast.")

# --- Evaluations ---------------------------------------------------------------------------------
st.subheader("Evaluations")
evaluations = trajectory_questions.evaluations(snap, model_id, scope.as_of)
if evaluations.empty:
    st.write("No evaluations up to this date.")
else:
    shown_evaluations = evaluations.assign(effective_compute=evaluations["effective_compute"].map(display.flop))
    st.dataframe(ui.shown_frame(shown_evaluations), hide_index=True, width="stretch", column_config={
        "completed_at": st.column_config.DatetimeColumn("completed", format="YYYY-MM-DD HH:mm"),
        "effective_compute": st.column_config.TextColumn("C at step (FLOP)"),
        "score": st.column_config.NumberColumn("score", format="%.3g"),
        "trigger_score": st.column_config.NumberColumn("trigger score", format="%.3g"),
    })
    ui.print_table(shown_evaluations)
    exports.download_button(f"Download evaluations.csv ({len(evaluations):,} rows)", lambda: to_download_csv(evaluations),
                            file_name=f"evaluations-{model_id}-{scope.as_of}.csv", mime="text/csv",
                            icon=":material/download:", help="The evaluations table above, every number in full.", on_click="ignore")

# --- Lineage -------------------------------------------------------------------------------------
st.subheader("Lineage")
carried = ui.scope_query_params(scope)
if pd.notna(detail["parent_model_id"]):
    st.page_link("app_pages/trajectory.py", label=f"Parent: {md_escape(detail['parent_name'])} ({md_escape(detail['parent_model_id'])})",
                 query_params={"model": detail["parent_model_id"], **carried}, icon=":material/north_west:")
else:
    st.write("No parent: a pretrained base model.")
children = detail["children"] if detail["children"] is not None else []
for child in children:
    st.page_link("app_pages/trajectory.py", label=f"Child: {md_escape(child['name'])} ({md_escape(child['model_id'])}, {child['derivation']})",
                 query_params={"model": child["model_id"], **carried}, icon=":material/subdirectory_arrow_right:")
with exports:
    ui.link_to_this_view("trajectory", {"model": model_id, "refs": None if show_reference else "false",
                                    "public": None if show_public == (context.info["dataset"] == "public")
                                    else str(show_public).lower()}, scope)
