"""Reclassify (/reclassify?model=ID&asl=N&domain=D): which deployments are at risk, and what to do."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, display, ui, views
from dashboard.brief import ACTION_TEXT, incident_brief
from dashboard.export import to_download_csv
from dashboard.params import ParamError, md_escape

context = ui.page_context("reclassify")
snap, scope = context.snapshot, context.scope
models = ui.query(snap, "models")
levels = ui.query(snap, "asl_levels")
domains = views.known_domains(snap)

st.title("If this model were reclassified, which deployments are at risk?")
ui.data_caveats(context.info, safeguards_matter=True)

# --- The scenario, from the link (checked before the bound widgets see it) ----------------------
try:
    requested = views.resolve_scenario(snap, ui.raw_param("model"), ui.raw_param("asl"), ui.raw_param("domain"),
                                       partial=True, as_of=scope.as_of)
except ParamError as error:
    ui.stop_with_problem(str(error), "reclassify")
ui.check_choices("action", views.ACTIONS, page_path="reclassify")
ui.check_choices("surface", views.SURFACES, page_path="reclassify")

pick_model, pick_level, pick_domain = st.columns([3, 1, 1])
ui.show_in_widget("model", requested.model_id)
with pick_model:
    model_id = st.selectbox("Model", list(models["model_id"]), index=None, key="model", on_change=ui.write_to_url,
                            args=("model",), format_func=ui.model_labels(models).get,
                            placeholder="Type a name or id to search")
levels_then = ui.query(snap, "model_levels", as_of=scope.as_of).set_index("model_id")["asl_level"]  # DESIGN 4a
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
scenario = views.Scenario(model_id=model_id, asl_level=new_level, domain=domain, current_level=current_level)
deployments = ui.query(snap, "at_risk", model_id=model_id, asl_level=new_level, domain=domain, as_of=scope.as_of)
affected = ui.query(snap, "at_risk_models", model_id=model_id, asl_level=new_level, domain=domain, as_of=scope.as_of)
scenario_key = (snap.key, scope, model_id, new_level, domain)
summary = ui.memo(("summary", *scenario_key), lambda: views.at_risk_summary(deployments, affected))
model_name = models.set_index("model_id").loc[model_id, "name"]

# --- Decision summary ----------------------------------------------------------------------------
st.subheader("Decision summary")
st.markdown(
    f"Reclassifying **{md_escape(model_name)}** from ASL-{current_level} to **ASL-{new_level}**"
    + (f" after a **{md_escape(domain)}** trigger" if domain else "")
    + f" as of {scope.as_of:%Y-%m-%d} halts onboarding of new customers on **{len(summary['halted_models'])}** "
      "model(s), and "
    + ("asks for the minimum safeguards that keep existing customers served." if len(deployments)
       else "affects no live deployment: none of these models serves anyone on that date."))
action_columns = st.columns(4)
for column, action in zip(action_columns, views.ACTIONS):
    column.metric(action.replace("_", " ").capitalize(), summary["actions"][action], help=ACTION_TEXT[action])
figure_columns = st.columns(3)
figure_columns[0].metric("Distinct customers", summary["customers"])
figure_columns[1].metric("Business-critical customers", summary["business_critical_customers"])
figure_columns[2].metric("Monthly requests at risk", f"{summary['monthly_requests_at_risk']:,}",
                         help="Monthly requests of the live deployments whose action is not 'covered'.")

left, right = st.columns([2, 3])
with left:
    st.markdown("**Models whose onboarding halts** (the model and every derived model below the new level)")
    tree = []
    included = set(affected["model_id"])
    for _, row in affected.iterrows():  # already in lineage-tree order
        ancestors = row["path"].split("/")[:-1]
        shown_depth = sum(ancestor in included for ancestor in ancestors)
        skipped = [ancestor for ancestor in ancestors if ancestor not in included]
        via = f" (via {', '.join(md_escape(a) for a in skipped)}, already at or above ASL-{new_level})" if skipped else ""
        tree.append(f"{'    ' * shown_depth}- **{md_escape(row['name'])}** ({md_escape(row['model_id'])}), "
                    f"ASL-{row['asl_level']}, {row['status']}{via}")
    st.markdown("\n".join(tree) if tree else "None.")
with right:
    gaps = summary["safeguard_gaps"]
    if len(gaps):
        unknown = ui.row_counts(context.info).get("deployment_safeguards", 0) == 0
        title = (f"Safeguards ASL-{new_level} requires (in place: unknown)" if unknown
                 else "Minimum additional safeguards: deployments lacking each")
        # With names and kinds for the chart; built once per scenario and snapshot.
        gaps_figure = ui.figure(("gaps", *scenario_key, title), lambda: charts.safeguard_gaps(
            views.at_risk_safeguard_gaps(snap, scenario, gaps), title=title))
        st.plotly_chart(gaps_figure, key="gaps", width="stretch")
    elif len(deployments):
        st.markdown("**Minimum additional safeguards:** none: every live deployment has the required safeguards.")
    else:
        st.markdown("**Minimum additional safeguards:** none: there is no live deployment to secure.")

# --- The deployments -----------------------------------------------------------------------------
st.subheader("Deployments and what must happen to each")
filter_action, filter_surface = st.columns(2)
chosen_actions = filter_action.multiselect("Action", views.ACTIONS, key="action", bind="query-params")
chosen_surfaces = filter_surface.multiselect("Surface", views.SURFACES, key="surface", bind="query-params")
table = deployments
if chosen_actions:
    table = table[table["action"].isin(chosen_actions)]
if chosen_surfaces:
    table = table[table["surface"].isin(chosen_surfaces)]
# On screen, a first-party deployment (no customer) reads "first-party (surface)", not an empty cell.
shown_table = table.assign(customer_name=[display.surface_customer(name, surface)
                                          for name, surface in zip(table["customer_name"], table["surface"])])
st.dataframe(shown_table, hide_index=True, width="stretch",
             column_order=["action", "deployment_id", "model_id", "customer_name", "surface", "use_case", "status",
                           "business_critical", "monthly_requests", "missing_safeguards", "customer_id"],
             column_config={
    "customer_name": st.column_config.TextColumn("customer"),
    "monthly_requests": st.column_config.NumberColumn("monthly requests", format="localized"),
    "business_critical": st.column_config.CheckboxColumn("business critical"),
})
filtered = len(table) < len(deployments)
st.caption(f"{len(table):,} of {len(deployments):,} live deployments shown; emergency reviews first. "
           "Click a column header to sort.")
ui.print_table(shown_table[["action", "deployment_id", "model_id", "customer_name", "surface", "use_case", "status",
                            "business_critical", "monthly_requests", "missing_safeguards"]], "deployments")

link = ui.view_url("reclassify", {"model": model_id, "asl": new_level, "domain": domain,
                                  "action": chosen_actions, "surface": chosen_surfaces}, scope)
st.caption("Downloads, the incident brief and the link to this view: **Export**, in the sidebar.")
with st.sidebar:  # downloads near the top of the keyboard order
    st.header("Export")
    exports = st.container()
exports.download_button(
    (f"Download the {len(table):,} deployments shown (at-risk.csv)" if filtered
     else f"Download at-risk.csv ({len(deployments):,} deployments)"),
    data=lambda: to_download_csv(table[views.AT_RISK_COLUMNS]),
    file_name=f"at-risk-{model_id}-asl{new_level}-{scope.as_of}{'-filtered' if filtered else ''}.csv", mime="text/csv",
    icon=":material/download:", key="download_shown",
    help="The rows of the table above, with the columns of `asl-dashboard at-risk` (spreadsheet formulas neutralised).")
if filtered:
    exports.download_button(
        f"Download all {len(deployments):,} deployments", data=lambda: to_download_csv(deployments[views.AT_RISK_COLUMNS]),
        file_name=f"at-risk-{model_id}-asl{new_level}-{scope.as_of}.csv", mime="text/csv", icon=":material/download:",
        key="download_all",
        help="Every live deployment, unfiltered: exactly what `asl-dashboard at-risk` prints for this scenario.")
exports.download_button(
    "Download incident brief (Markdown)", icon=":material/description:", mime="text/markdown",
    file_name=f"incident-brief-{model_id}-asl{new_level}-{scope.as_of}.md",
    data=lambda: incident_brief(model_id=model_id, model_name=model_name, current_level=current_level, new_level=new_level,
                        domain=domain, as_of=scope.as_of, link=link, dataset=context.info["dataset"],
                        snapshot_date=context.info["snapshot_date"], summary=summary, deployments=deployments))
with exports:
    ui.link_to_this_view("reclassify", {"model": model_id, "asl": new_level, "domain": domain,
                                        "action": chosen_actions, "surface": chosen_surfaces}, scope)
