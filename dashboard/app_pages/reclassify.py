"""Reclassify (/reclassify?model=ID&asl=N&domain=D): which deployments are at risk, and what to do."""
from __future__ import annotations

import streamlit as st

from dashboard import links, plan, settings, ui
from dashboard.questions import reclassify as questions
from dashboard.questions import snapshot as snapshot_questions
from dashboard.reference import ACTIONS, SURFACES
from dashboard.brief import ACTION_TEXT, build_brief, to_html, to_markdown
from dashboard.export import to_download_csv
from dashboard.params import ParamError
from dashboard.text import md_escape
from dashboard.ui import reclassify as views

context = ui.page_context("reclassify")
snap, scope = context.snapshot, context.scope
models = snapshot_questions.models(snap)
levels = snapshot_questions.asl_levels(snap)
domains = questions.known_domains(snap)

st.title("If this model were reclassified, which deployments are at risk?")
ui.data_caveats(context.info)
known = plan.safeguards_known(context.info)
if not known:
    st.warning("Per-deployment safeguards are not in this data set: they are **unknown, not missing**. "
               "No deployment is called covered, no safeguard plan is made and no requests figure is built on them; "
               "*confirm safeguards* means check that the safeguards the new level requires are in place.",
               icon=":material/help:")

# --- The scenario, from the link (checked before the bound widgets see it) ----------------------
try:
    link = (ui.raw_param("model"), ui.raw_param("asl"), ui.raw_param("domain"))
    # Checked once per snapshot and link, not on every rerun (a refused link raises again: errors are not cached).
    requested = questions.checked_scenario(snap, *link, partial=True, as_of=scope.as_of)
except ParamError as error:
    ui.stop_with_problem(str(error), "reclassify")
ui.check_choices("action", ACTIONS, page_path="reclassify")
ui.check_choices("surface", SURFACES, page_path="reclassify")

pick_model, pick_level, pick_domain = st.columns([3, 1, 1])
ui.show_in_widget("model", requested.model_id)
with pick_model:
    model_id = st.selectbox("Model", list(models["model_id"]), index=None, key="model", on_change=ui.write_to_url,
                            args=("model",), format_func=ui.model_labels(models).get,
                            placeholder="Type a name or id to search")
levels_then = questions.model_levels(snap, scope.as_of)  # DESIGN 4a
current_level = int(levels_then.loc[model_id]) if model_id else None
higher = [int(level) for level in levels["asl_level"] if current_level is None or int(level) > current_level]
new_level = pick_level.selectbox("New ASL level", higher, index=None, key="asl", bind="query-params",
                                 placeholder="Choose", disabled=not model_id or not higher,
                                 help="Only levels above the model's current one.")
domain = pick_domain.selectbox("Triggering domain (optional)", domains, index=None, key="domain",
                               bind="query-params", placeholder="Not given")
if not model_id:
    st.info("Choose a model, then the level it would move to.")
    st.stop()
if not higher:
    st.warning(f"{md_escape(model_id)} is already at the highest level defined (ASL-{current_level}).")
    st.stop()
if new_level is None:
    st.info(f"{md_escape(model_id)} is at ASL-{current_level}: choose the level it would move to.")
    st.stop()

# The widgets only offer valid values, and the link was checked above: no second round of lookups.
scenario = questions.Scenario(model_id=model_id, asl_level=new_level, domain=domain, current_level=current_level)
deployments = questions.at_risk_frame(snap, scope, scenario)
summary = questions.decision_summary(snap, scope, scenario)
steps = questions.safeguard_plan(snap, scope, scenario) if known else None
model_name = models.set_index("model_id").loc[model_id, "name"]

# --- Decision summary ----------------------------------------------------------------------------
st.subheader("Decision summary")
st.markdown(
    f"Reclassifying **{md_escape(model_name)}** from ASL-{current_level} to **ASL-{new_level}**"
    + (f" after a **{md_escape(domain)}** trigger" if domain else "")
    + f" as of {scope.as_of:%Y-%m-%d} halts onboarding of new customers on **{len(summary['halted_models'])}** "
      "model(s), and "
    + (("asks for the minimum safeguards that keep existing customers served." if known else
        "asks to confirm, on each live deployment, the safeguards the new level requires.") if len(deployments)
       else "affects no live deployment: none of these models serves anyone on that date."))
action_columns = st.columns(4)
for column, action in zip(action_columns, ACTIONS):
    if known:
        column.metric(action.replace("_", " ").capitalize(), summary["actions"][action], help=ACTION_TEXT[action])
    elif action == "add_safeguards":
        column.metric("Confirm safeguards", summary["actions"][action] + summary["actions"]["covered"],
                      help="Live deployments to check: their safeguards are unknown in this data set.")
    elif action == "covered":
        column.metric("Covered", "unknown", help="Per-deployment safeguards are not in this data set.")
    else:
        column.metric(action.replace("_", " ").capitalize(), summary["actions"][action], help=ACTION_TEXT[action])
figure_columns = st.columns(3)
figure_columns[0].metric("Distinct customers", summary["customers"])
figure_columns[1].metric("Business-critical customers", summary["business_critical_customers"])
if known:
    figure_columns[2].metric("Monthly requests at risk", f"{summary['monthly_requests_at_risk']:,}",
                             help="Monthly requests of the live deployments whose action is not 'covered'.")
else:
    requests = deployments["monthly_requests"]
    figure_columns[2].metric("Monthly requests of live deployments",
                             "unknown" if len(requests) and requests.isna().all() else f"{int(requests.fillna(0).sum()):,}",
                             help="Every live deployment considered: how many are at risk depends on safeguards "
                                  "that are unknown in this data set.")
# A review records what is decided about this scenario, pinned to this view (DESIGN 12).
st.page_link("app_pages/review.py", label="Open a review of this scenario", icon=":material/rate_review:",
             query_params=links.new_review_params(model_id, new_level, domain, scope.as_of, scope.policy_id,
                                                  scope.snapshot_id),
             help="Record the decisions taken on this scenario and who signs them, pinned to this view: its "
                  "snapshot, as-of date and policy.")

left, right = st.columns([2, 3])
with left:
    st.markdown("**Models whose onboarding halts** (the model and every derived model below the new level)")
    st.markdown(ui.text_of(views.halted_models_markdown, snap, scope, scenario))
    st.caption("Lifecycle status, then the model's own safety status (as of the date, DESIGN 4).")
with right:
    work_set_size = int(deployments["action"].isin(plan.PLAN_ACTIONS).sum())
    if not known:
        required = questions.safeguards_required(snap, new_level)
        st.markdown(f"**Safeguard plan:** none: what each deployment has is unknown. ASL-{new_level} requires: "
                    + ", ".join(f"{md_escape(row['name'])} ({md_escape(row['safeguard_id'])})"
                                for _, row in required.iterrows()) + ".")
    elif len(steps):
        st.plotly_chart(ui.figure_of(views.plan_figure, snap, scope, scenario), key="plan", width="stretch")
    elif len(deployments):
        st.markdown("**Safeguard plan:** none needed: no deployment under emergency review or adding safeguards "
                    "lacks a required safeguard.")
    else:
        st.markdown("**Safeguard plan:** none: there is no live deployment to secure.")

# --- The deployments -----------------------------------------------------------------------------
st.subheader("Deployments and what must happen to each")
filter_action, filter_surface = st.columns(2)
chosen_actions = filter_action.multiselect("Action", ACTIONS, key="action", bind="query-params")
chosen_surfaces = filter_surface.multiselect("Surface", SURFACES, key="surface", bind="query-params")

# On screen, a first-party deployment (no customer) reads "first-party (surface)", not an empty cell.
shown_filter = (known, tuple(chosen_actions), tuple(chosen_surfaces))
grid = ui.grid_of(views.shown_deployments, snap, scope, scenario, *shown_filter)
shown_count = grid.num_rows  # the rows themselves are read only for a download (8,000 rows copied per run otherwise)
st.dataframe(grid, hide_index=True, width="stretch",
             column_order=["action", "deployment_id", "model_id", "customer_name", "surface", "use_case", "status",
                           "business_critical", "monthly_requests", "missing_safeguards", "customer_id"],
             column_config={
    "monthly_requests": st.column_config.NumberColumn("monthly requests", format="localized"),
    "business_critical": st.column_config.CheckboxColumn("business critical"),
    "customer_name": st.column_config.TextColumn("customer"),
})
st.caption(f"{shown_count:,} of {len(deployments):,} live deployments shown; emergency reviews first.")
ui.screen_hint("Click a column header to sort.", "sort")
filtered = shown_count < len(deployments)
ui.print_table_of("deployments", views.printed_deployments, snap, scope, scenario, *shown_filter)
ui.screen_hint("Downloads (the deployments, the plan, the incident brief) and the link to this view: **Export**, "
               "in the sidebar.", "exports")
with st.sidebar:  # downloads near the top of the keyboard order
    st.header("Export")
    exports = st.container()
exports.download_button(
    (f"Download the {shown_count:,} deployments shown (at-risk.csv)" if filtered
     else f"Download at-risk.csv ({len(deployments):,} deployments)"),
    data=lambda: to_download_csv(questions.deployments_shown(snap, scope, scenario, *shown_filter)[0][questions.AT_RISK_COLUMNS]),
    file_name=f"at-risk-{model_id}-asl{new_level}-{scope.as_of}{'-filtered' if filtered else ''}.csv", mime="text/csv",
    icon=":material/download:", key="download_shown",
    help="The rows of the table above, with the columns of `asl-dashboard at-risk` (spreadsheet formulas neutralised).", on_click="ignore")
if filtered:
    exports.download_button(
        f"Download all {len(deployments):,} deployments",
        data=lambda: to_download_csv(plan.with_unknown_safeguards(deployments, known)[questions.AT_RISK_COLUMNS]),
        file_name=f"at-risk-{model_id}-asl{new_level}-{scope.as_of}.csv", mime="text/csv", icon=":material/download:",
        key="download_all",
        help="Every live deployment, unfiltered: exactly what `asl-dashboard at-risk` prints for this scenario.", on_click="ignore")

# --- The safeguard plan (DESIGN 5) --------------------------------------------------------------
if known and steps is not None and len(steps):
    st.subheader("Safeguard plan: the order in which to add them")
    st.caption("Each step adds the safeguard that fully covers the most deployments, then is lacking in the most, "
               "then in the most monthly requests, then has the smallest id (DESIGN 5), for the "
               f"{work_set_size:,} deployments under emergency review or adding safeguards.")
    st.dataframe(ui.grid_of(questions.safeguard_plan, snap, scope, scenario), hide_index=True, width="stretch", column_config={
        "requests_covered_total": st.column_config.NumberColumn("requests_covered_total", format="localized")})
    ui.print_table_of("plan", questions.safeguard_plan, snap, scope, scenario)
    exports.download_button("Download safeguard-plan.csv", data=lambda: to_download_csv(steps), mime="text/csv",
                       file_name=f"safeguard-plan-{model_id}-asl{new_level}-{scope.as_of}.csv",
                       icon=":material/download:", help="Exactly what `asl-dashboard plan` prints for this scenario.", on_click="ignore")
if known and len(summary["safeguard_gaps"]):
    with st.expander("Minimum additional safeguards: live deployments lacking each (any action)"):
        st.plotly_chart(ui.figure_of(views.safeguard_gaps_figure, snap, scope, scenario), key="gaps", width="stretch")
        ui.print_table_of("gaps", views.safeguard_gaps, snap, scope, scenario)  # print shows the chart's figures as a table

brief_base = links.public_base_url(st.context.url)
brief_link = links.scenario_link(brief_base, model_id, new_level, domain, scope.as_of, scope.policy_id, scope.snapshot_id)
brief_reviews = ui.review_decisions()  # the brief's reviews of this scenario, as the ledger holds them now


def the_brief():
    return build_brief(snap, model_id=model_id, new_level=new_level, domain=domain, as_of=scope.as_of,
                       policy_id=scope.policy_id, info=context.info, link=brief_link, deployments=deployments,
                       affected=questions.at_risk_models_frame(snap, scenario, scope.as_of), plan=steps, reviews=brief_reviews, base_url=brief_base)


st.subheader("Incident brief")
st.caption("The scenario, the decision summary, the evidence (triggering evaluations, breaches of rule 2d), the "
           "halted models with their own status, the plan and the deployments per action, ready to paste into an "
           "incident document or print.")
ui.screen_hint("Download it (Markdown or HTML): **Export**, in the sidebar.", "brief")
public_url_problem = settings.public_url().problem
if public_url_problem:
    st.warning(md_escape(public_url_problem) + ". The brief's link uses this page's address instead.")
# Built only when asked for (like the downloads): the evidence's queries stay off every other page run.
if st.toggle("Show the brief on this page", key="show_brief",
             help="The Markdown brief as text, the same as the download and `asl-dashboard brief`."):
    st.code(to_markdown(the_brief()), language="markdown", wrap_lines=True)
exports.download_button(
    "Download brief (Markdown)", icon=":material/description:", mime="text/markdown",
    file_name=f"incident-brief-{model_id}-asl{new_level}-{scope.as_of}.md", data=lambda: to_markdown(the_brief()),
    help="Clean GitHub-flavoured Markdown to paste into an incident document (`asl-dashboard brief`).", on_click="ignore")
exports.download_button(
    "Download brief (HTML)", icon=":material/print:", mime="text/html",
    file_name=f"incident-brief-{model_id}-asl{new_level}-{scope.as_of}.html", data=lambda: to_html(the_brief()),
    help="The same brief as a self-contained page that prints well.", on_click="ignore")
with exports:
    ui.link_to_this_view("reclassify", {"model": model_id, "asl": new_level, "domain": domain,
                                        "action": chosen_actions, "surface": chosen_surfaces}, scope)
