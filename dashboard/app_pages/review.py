"""A review (/review?id=R12, DESIGN 12): the view it pins with that view's headline figures and a link
that reopens it, its decisions with their sign-offs, the incident clocks, and the forms to decide, sign
and close. Without id=, the form that opens a review of the view the link names (the reclassify page's
"Open a review of this scenario" fills in its scenario and pins its snapshot, as-of date and policy).

Who writes is the session's own identity (auth.current_actor): the signed-in person, or the
operating-system user under `serve --single-user`; nobody else may write, and no field of these forms
names who is writing. Everything typed into a review is data: shown escaped, never as markup."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import auth, display, links, settings, ui
from dashboard.export import to_download_csv
from dashboard.incident_clocks import clock_time
from dashboard.params import ParamError, check_review_id
from dashboard.text import md_escape
from dashboard.questions import reclassify as reclassify_questions
from dashboard.questions import reviews as review_questions
from dashboard.questions.reviews import present
from dashboard.questions import snapshot as snapshot_questions

FLASH = "review_flash"  # what the last write did, shown once after the page is drawn again


def show_flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(md_escape(message), icon=":material/check_circle:")


def written(message: str, **query) -> None:
    """After a write: say what was recorded on the page drawn again from the ledger."""
    st.session_state[FLASH] = message
    if query:
        st.switch_page("app_pages/review.py", query_params=query)
    st.rerun()


def who_writes(actor: str | None) -> None:
    if actor is None:
        st.info(auth.READ_ONLY_REVIEWS, icon=":material/edit_off:")
    else:
        st.caption(f":material/person: What you record here is recorded as **{md_escape(actor)}**.")


try:
    review_id = check_review_id(ui.raw_param("id"))
except ParamError as error:
    ui.stop_with_problem(str(error), "reviews")
actor = auth.current_actor()
location = review_questions.page_ledger()
try:
    approvals_needed = settings.approvals_needed()
except ParamError as error:  # ASL_REVIEW_APPROVALS set but invalid: no page counts approvals on a guess
    ui.stop_with_problem(str(error), "reviews")

# --- Without id=: open a review of the view the link names ----------------------------------------
if review_id is None:
    context = ui.page_context("review")
    snap, scope = context.snapshot, context.scope
    st.title("Open a review")
    try:
        requested = reclassify_questions.checked_scenario(snap, ui.raw_param("model"), ui.raw_param("new_asl"),
                                                          ui.raw_param("trigger"), partial=True, as_of=scope.as_of)
    except ParamError as error:
        ui.stop_with_problem(str(error), "review")
    st.markdown(f"The review pins this view: snapshot **{md_escape(scope.snapshot_id or 'the latest')}**, as of "
                f"**{scope.as_of:%Y-%m-%d}**, policy **{md_escape(scope.policy_id or 'each model’s own')}**. "
                "Its decisions and sign-offs are recorded beside it, and its page reopens this exact view.")
    who_writes(actor)
    if actor is None:
        st.stop()
    models = snapshot_questions.models(snap)
    model_ids = list(models["model_id"])
    levels = [int(level) for level in snapshot_questions.asl_levels(snap)["asl_level"]]
    domains = reclassify_questions.known_domains(snap)
    with st.form("open-review"):
        title = st.text_input("Title", max_chars=review_questions.TITLE_LIMIT,
                              placeholder="What is being reviewed, in a line")
        pick_model, pick_level, pick_domain = st.columns([3, 1, 1])
        model_id = pick_model.selectbox(
            "Model (optional)", model_ids, format_func=ui.model_labels(models).get, placeholder="No model",
            index=model_ids.index(requested.model_id) if requested.model_id else None)
        asl_level = pick_level.selectbox("Would move to ASL (optional)", levels, placeholder="No level",
                                         index=levels.index(requested.asl_level) if requested.asl_level else None)
        domain = pick_domain.selectbox("Triggering domain (optional)", domains, placeholder="Not given",
                                       index=domains.index(requested.domain) if requested.domain else None)
        pick_category, pick_day, pick_time = st.columns([3, 1, 1])
        category = pick_category.selectbox("Incident category (optional)", review_questions.INCIDENT_CATEGORIES,
                                           index=None, placeholder="No incident")
        aware_day = pick_day.date_input("Aware since (UTC date)", value=None, format="YYYY-MM-DD")
        aware_time = pick_time.time_input("at (UTC)", value=dt.time(0, 0), step=60)
        opened = st.form_submit_button("Open the review", type="primary", icon=":material/rate_review:")
    if opened:
        aware_at = (dt.datetime.combine(aware_day, aware_time).strftime("%Y-%m-%dT%H:%M:%SZ")
                    if aware_day else None)
        try:
            new_id = review_questions.record_review(
                location, snap, scope, actor=actor, title=title, model_id=model_id, asl=asl_level, domain=domain,
                incident_category=category, aware_at=aware_at)
        except review_questions.REFUSALS as error:
            st.error(md_escape(str(error)), icon=":material/block:")
        else:
            written(f"Opened review {new_id}.", id=new_id)
    st.stop()

# --- The review -----------------------------------------------------------------------------------
record = review_questions.review_record(location, review_id, approvals_needed)
if record is None:
    ui.stop_with_problem(f"review {review_id} is not in the ledger: the reviews page lists those it holds", "reviews")
review = record.review
as_of = dt.date.fromisoformat(str(review["as_of"]))
policy_id, model_id, domain = present(review["policy"]), present(review["model_id"]), present(review["domain"])
asl_level = None if present(review["asl"]) is None else int(review["asl"])
context = ui.pinned_context(present(review["snapshot_id"]), as_of, policy_id)

st.title(f"Review {review_id}: {md_escape(review['title'])}")
show_flash()
st.markdown(f"**{md_escape(review['state'])}**, opened {md_escape(review['opened_at'])} by "
            f"{md_escape(review['opened_by'])}."
            + (f" Incident: **{md_escape(review['incident_category'])}**, aware since "
               f"{md_escape(review['aware_at'])}." if present(review["incident_category"]) else ""))

# --- The pinned view: its headline figures and the link that reopens it ---------------------------
st.subheader("The view this review pins")
view_path = links.pinned_view_path(model_id, asl_level, domain, as_of, policy_id, present(review["snapshot_id"]))
scenario_text = (f"{md_escape(model_id)} to ASL-{asl_level}" + (f" after a {md_escape(domain)} trigger" if domain else "")
                 if model_id and asl_level is not None else (md_escape(model_id) if model_id else "no model"))
st.markdown(f"Scenario: **{scenario_text}**, as of **{as_of:%Y-%m-%d}**, policy "
            f"**{md_escape(policy_id or 'each model’s own')}**, snapshot **{md_escape(review['snapshot_id'])}**. "
            f"[Open this view]({'.' + view_path})")
if context is not None and model_id:
    figures = review_questions.pinned_figures(context.snapshot, context.scope, model_id, asl_level, domain)
    if figures.get("problem"):
        st.warning(md_escape(figures["problem"]), icon=":material/help:")
    if "headline" in figures:
        shown = list(figures["headline"])
        if "at_risk" in figures:
            shown += [("Deployments at risk", f"{figures['at_risk']:,} of {figures['live']:,} live"),
                      ("Models whose onboarding halts", f"{figures['halted']:,}")]
        ui.metric_rows(shown, status=figures["status"])
        st.caption(f"{md_escape(model_id)}'s status as of {as_of:%Y-%m-%d} in the pinned snapshot"
                   + (f"; at risk: the live deployments whose action under ASL-{asl_level} is not *covered*."
                      if "at_risk" in figures else "."))

# --- The decisions and their sign-offs --------------------------------------------------------------
st.subheader("Decisions")
decisions = record.decisions
if decisions.empty:
    st.info("No decision yet.")
else:
    standing = review_questions.decision_standing(decisions, approvals_needed)
    for (_, decision), where in zip(decisions.iterrows(), standing):
        with st.container(border=True, key=f"decision-{decision['decision_id']}"):
            what = md_escape(decision["kind"] + review_questions.decision_target(decision.to_dict()))
            st.markdown(f"**{decision['decision_id']} · {what}** · {md_escape(where)}")
            if present(decision["detail"]):
                st.markdown(md_escape(decision["detail"]))
            st.caption(f"Made by {md_escape(decision['made_by'])} at {md_escape(decision['made_at'])} · "
                       f"{int(decision['approvals'])} approval(s), {int(decision['rejections'])} rejection(s)")
            for _, signoff in record.signoffs[record.signoffs["decision_id"] == decision["decision_id"]].iterrows():
                comment = f": {md_escape(signoff['comment'])}" if present(signoff["comment"]) else ""
                st.markdown(f"- {signoff['signoff_id']} **{md_escape(signoff['verdict'])}** by "
                            f"{md_escape(signoff['signed_by'])} at {md_escape(signoff['signed_at'])}{comment}")
    st.caption(f"A decision takes effect with {approvals_needed} approval(s) from people other than its maker and "
               "no rejection (each person's latest verdict counts once); a later decision may supersede it.")

# --- The incident clocks ----------------------------------------------------------------------------
st.subheader("Incident clocks")
clocks = None  # the review's clocks, when it records an incident and its snapshot is kept
if not present(review["incident_category"]):
    st.caption("No incident: this review starts no reporting clock.")
elif context is None:
    st.caption("The pinned snapshot is no longer kept: the obligations whose clocks this incident starts cannot "
               "be read.")
else:
    # Read at the wall clock (UTC): a report is due at a moment, whatever date the review pins.
    read_at = clock_time(dt.datetime.now(dt.timezone.utc))
    clocks = review_questions.review_clocks(location, context.snapshot, review_id, read_at.at)
    if clocks.empty:
        st.caption(f"No obligation of the pinned snapshot has a reporting clock for a "
                   f"{md_escape(review['incident_category'])} incident the lab became aware of at "
                   f"{md_escape(review['aware_at'])}.")
    else:
        clock_table = clocks.copy()
        for column in ("reported_by", "reference"):  # no report yet: an empty cell, not "None"
            clock_table[column] = clock_table[column].map(lambda value: "" if value is None else str(value))
        st.dataframe(
            ui.shown_frame(clock_table), hide_index=True, width="stretch", key="review-clocks",
            row_height=display.wrapped_row_height(2),
            column_order=["obligation_name", "jurisdiction", "due_at", "left_or_overdue", "state", "done_at",
                          "reported_by", "reference"],
            column_config={
                "obligation_name": st.column_config.TextColumn("Obligation", width=200),
                "jurisdiction": st.column_config.TextColumn("Where", width=90),
                "due_at": st.column_config.TextColumn("Due at", width=120),
                "left_or_overdue": st.column_config.TextColumn("Left", width=120, help=read_at.statement),
                "state": st.column_config.TextColumn("State", width=75),
                "done_at": st.column_config.TextColumn("Reported at", width=120),
                "reported_by": st.column_config.TextColumn("Reported by", width=120),
                "reference": st.column_config.TextColumn("Reference", width=120)})
        command = f"`asl-dashboard reviews report {review_id}`"
        # The form is named only where this viewer sees it (someone who may write, the review still open).
        how = (f"below, under *Record a report* (or with {command})"
               if actor is not None and review["state"] != "closed" else f"with {command}")
        st.caption(f"Soonest due first; {read_at.statement}. A report is recorded {how}.")
        ui.print_table(clock_table[["obligation_id", "due_at", "left_or_overdue", "state", "done_at", "reference"]],
                       "review-clocks")

# --- Decide, sign, close ----------------------------------------------------------------------------
st.subheader("Record")
who_writes(actor)
if actor is not None and review["state"] == "closed":
    st.info("This review is closed: nothing more can be recorded on it.", icon=":material/lock:")
elif actor is not None:
    with st.container(key="screen-review-forms"):  # forms are for the screen: print shows what is recorded
        current = decisions[decisions["superseded_by"].map(lambda value: present(value) is None)] \
            if not decisions.empty else decisions
        own = current[current["made_by"] == actor] if not current.empty else current
        others = current[current["made_by"] != actor] if not current.empty else current
        for _, decision in others.iterrows():
            with st.form(f"sign-{decision['decision_id']}"):
                st.markdown(f"**Sign {decision['decision_id']}** ({md_escape(decision['kind'])}, made by "
                            f"{md_escape(decision['made_by'])}): {md_escape(decision['detail'])}")
                comment = st.text_area("Comment", key=f"comment-{decision['decision_id']}",
                                       max_chars=review_questions.TEXT_LIMIT, height=68)
                approve_column, reject_column = st.columns(2)
                approve = approve_column.form_submit_button(f"Approve {decision['decision_id']}", type="primary",
                                                            icon=":material/thumb_up:")
                reject = reject_column.form_submit_button(f"Reject {decision['decision_id']}",
                                                          icon=":material/thumb_down:")
            if approve or reject:
                try:
                    signoff_id = review_questions.record_signoff(location, decision["decision_id"], actor=actor,
                                                                 approve=bool(approve), comment=comment)
                except review_questions.REFUSALS as error:
                    st.error(md_escape(str(error)), icon=":material/block:")
                else:
                    written(f"{'Approved' if approve else 'Rejected'} {decision['decision_id']} ({signoff_id}).")
        for _, decision in own.iterrows():
            st.caption(f"You made {decision['decision_id']}: another person must sign it.")

        with st.form("decide"):
            st.markdown("**Record a decision**")
            kind_column, model_column, level_column = st.columns([2, 2, 1])
            kind = kind_column.selectbox("Kind", review_questions.DECISION_KINDS, index=None, placeholder="Choose")
            snap_models = snapshot_questions.models(context.snapshot) if context is not None else None
            model_choices = list(snap_models["model_id"]) if snap_models is not None else ([model_id] if model_id else [])
            decided_model = model_column.selectbox(
                "Model", model_choices, placeholder="None",
                index=model_choices.index(model_id) if model_id in model_choices else None)
            decided_level = level_column.number_input("ASL", min_value=1, max_value=10, step=1, value=asl_level)
            detail = st.text_area("Detail", max_chars=review_questions.TEXT_LIMIT, height=90)
            safeguard_column, owner_column, due_column = st.columns(3)
            safeguard = safeguard_column.text_input("Safeguard id (add_safeguard)", max_chars=100)
            owner = owner_column.text_input("Owner (add_safeguard)", max_chars=200)
            due = due_column.date_input("Due on (add_safeguard)", value=None, format="YYYY-MM-DD")
            superseded = list(current["decision_id"]) if not current.empty else []
            supersedes = st.selectbox("Supersedes (optional)", superseded, index=None, placeholder="None")
            decided = st.form_submit_button("Record the decision", type="primary", icon=":material/gavel:")
        if decided:
            try:
                decision_id = review_questions.record_decision(
                    location, context.snapshot if context is not None else None, as_of, review_id, actor=actor,
                    kind=kind, detail=detail, model_id=decided_model if kind in ("reclassify", "halt_onboarding") else None,
                    asl=int(decided_level) if kind == "reclassify" and decided_level is not None else None,
                    safeguard_id=safeguard or None, owner=owner or None, due_on=due.isoformat() if due else None,
                    supersedes=supersedes)
            except review_questions.REFUSALS as error:
                st.error(md_escape(str(error)), icon=":material/block:")
            else:
                written(f"Recorded decision {decision_id}.")

        if clocks is not None and not clocks.empty:
            with st.form("report"):
                st.markdown("**Record a report** (the clock of its obligation is then done)")
                names = dict(zip(clocks["obligation_id"], clocks["obligation_name"]))
                waiting = [obligation for obligation, state in zip(clocks["obligation_id"], clocks["state"])
                           if state not in ("done", "done late")]
                choices = list(names)
                obligation = st.selectbox(
                    "Obligation reported under", choices, index=choices.index(waiting[0]) if waiting else None,
                    placeholder="Choose", format_func=lambda obligation_id: f"{obligation_id}: {names[obligation_id]}")
                reference = st.text_input("Reference (the filing's number, or where the report is kept)",
                                          max_chars=review_questions.TEXT_LIMIT)
                reported_at = st.text_input("Reported at (ISO 8601 with a time zone, such as 2026-12-07T07:05:00Z; "
                                            "empty: now)", max_chars=40)
                reported = st.form_submit_button("Record the report", icon=":material/outgoing_mail:")
            if reported:
                try:
                    report_id = review_questions.record_report(
                        location, review_id, actor=actor, obligation_id=obligation, reference=reference,
                        reported_at=reported_at.strip())
                except review_questions.REFUSALS as error:
                    st.error(md_escape(str(error)), icon=":material/block:")
                else:
                    written(f"Recorded the report under {obligation} ({report_id}).")

        with st.form("close"):
            st.markdown("**Close the review** (nothing more can be recorded on it afterwards)")
            sure = st.checkbox("Close this review")
            close = st.form_submit_button("Close the review", icon=":material/lock:")
        if close and sure:
            try:
                review_questions.record_close(location, review_id, actor=actor)
            except review_questions.REFUSALS as error:
                st.error(md_escape(str(error)), icon=":material/block:")
            else:
                written(f"Closed review {review_id}.")
        elif close:
            st.warning("Tick *Close this review* first.")

with st.sidebar:
    st.header("Export")
    if not decisions.empty:
        st.download_button(
            f"Download the decisions ({len(decisions):,})", icon=":material/download:", mime="text/csv",
            data=lambda: to_download_csv(record.decisions), file_name=f"review-{review_id}-decisions.csv",
            help="Every decision of this review with its approvals, rejections and whether it is in effect "
                 "(spreadsheet formulas neutralised).", on_click="ignore")
    st.page_link("app_pages/reviews.py", label="All reviews", icon=":material/fact_check:")
