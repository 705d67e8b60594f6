"""Every page's frame: the as-of date and policy in the sidebar, the header line, and errors
reported under an id."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import display, links
from dashboard import store as store_module
from dashboard.params import AS_OF_MAX, AS_OF_MIN, ParamError, as_of_notice, check_snapshot_id, parse_as_of, shown
from dashboard.snapshots import UnknownSnapshot
from dashboard.text import md_escape, neutralise
from dashboard.questions import snapshot as snapshot_questions
from dashboard.questions.snapshot import ViewScope
from dashboard.ui.cache import current_snapshot
from dashboard.ui.layout import page_styles
from dashboard.ui.url import page_for, raw_param, show_in_widget, stop_with_problem, write_to_url

log = logging.getLogger("asl_dashboard")


@dataclass(frozen=True)
class PageContext:
    snapshot: store_module.Snapshot
    info: dict
    scope: ViewScope


def model_labels(models: pd.DataFrame) -> dict[str, str]:
    """A model picker's labels, "Name (id)", so typing either a name or an id finds the model
    (option labels are plain text in Streamlit's select boxes)."""
    names = models["name"].where(models["name"].notna() & (models["name"] != ""), models["model_id"])
    return {model_id: neutralise(model_id if name == model_id else f"{name} ({model_id})")
            for model_id, name in zip(models["model_id"], names)}


def scope_controls(snap: store_module.Snapshot, info: dict, page_path: str) -> ViewScope:
    """The sidebar's as-of date and policy, kept in the URL (as_of=, policy=).

    Not bound with Streamlit's bind="query-params": a bound parameter belongs to one page's widget,
    so Streamlit drops it on a page switch and refuses st.switch_page(query_params=...) that sets it,
    and it drops the default value from the address bar. Kept by hand instead: the URL is the source,
    the widgets show it and write it back when changed, and as_of is always in the address bar, so a
    URL copied from it reopens the same view (the snapshot's date would change with a new snapshot)."""
    snapshot_date = info["snapshot_date"]
    policies = snapshot_questions.policies(snap)
    try:
        as_of_text = raw_param("as_of")
        as_of = parse_as_of(as_of_text, snapshot_date)
        policy_text = raw_param("policy")
        if policy_text and policy_text not in set(policies["policy_id"]):
            raise ParamError(f"policy {shown(policy_text)} is unknown: choose one of {', '.join(policies['policy_id'])}")
    except ParamError as error:
        stop_with_problem(str(error), page_path)
    if as_of_text != as_of.isoformat():
        st.query_params["as_of"] = as_of.isoformat()  # pinned: the address bar always names the date
    if policy_text == "":
        del st.query_params["policy"]
    policy = policy_text or None
    show_in_widget("as_of", as_of)
    show_in_widget("policy", policy)
    # The view's date and policy on a button that opens their controls: the controls' code (the date
    # picker's alone about 200 KB) loads when the button is first opened, not with every pasted link.
    policy_label = neutralise(display.policy_name(policies, policy)) if policy else "each model's own policy"
    with st.sidebar.popover(md_escape(f"As of {as_of:%Y-%m-%d} · {policy_label}"), icon=":material/event:",
                            width="stretch"):
        st.date_input(
            "As of", min_value=AS_OF_MIN, max_value=AS_OF_MAX, key="as_of",
            on_change=write_to_url, args=("as_of",), format="YYYY-MM-DD",
            help="Show the dashboard as it stood on this date: later rows do not count. "
                 "Default: the snapshot's own date.")
        # Shown by name (the id stays the value, in the URL): "Google DeepMind FSF v1.0 (fsf-v1.0)".
        st.selectbox(
            "Policy", options=list(policies["policy_id"]), index=None, key="policy", on_change=write_to_url,
            args=("policy",), placeholder="Each model's own policy",
            format_func=lambda policy_id: neutralise(display.policy_option(policies, policy_id)),
            help="Recompute every figure under one policy's numbers instead of each model's own.")
    if policy:  # under the button, in sight: the numbers every figure is recomputed with
        row = policies.set_index("policy_id").loc[policy]
        source = display.policy_source(policies, policy)
        with st.sidebar:
            st.caption(f"{md_escape(display.policy_name(policies, policy))}: evaluate every "
                       f"{row['eval_compute_multiple']:g}x effective compute"
                       + (f", re-evaluate every {row['eval_interval_days']:g} days" if pd.notna(row['eval_interval_days']) else "")
                       + (f", buffer {row['buffer_multiple']:g}x" if pd.notna(row['buffer_multiple']) else ", no fixed buffer")
                       + (f". Source: {md_escape(source)}" if source else ""))
    notice = as_of_notice(as_of, snapshot_date)  # a date after the snapshot's: accepted, with this warning
    if notice:
        st.warning(notice, icon=":material/event_busy:")
    return ViewScope(as_of=as_of, policy_id=policy, as_of_is_default=as_of == snapshot_date and not as_of_text,
                     snapshot_id=snap.snapshot_id)


def header(info: dict, scope: ViewScope, policies: pd.DataFrame | None = None) -> None:
    published = pd.Timestamp(info["published_at"]).strftime("%Y-%m-%d %H:%M UTC")
    policy = md_escape(display.policy_name(policies, scope.policy_id)) if scope.policy_id else "each model's own"
    snapshot_id = f"**{scope.snapshot_id}**, " if scope.snapshot_id else ""
    st.caption(
        f"Data set **{md_escape(info['dataset'])}** · snapshot {snapshot_id}of {info['snapshot_date']:%Y-%m-%d} "
        f"(published {published}) · viewing as of **{scope.as_of:%Y-%m-%d}** · policy: **{policy}**")


def chosen_snapshot(page_path: str) -> tuple[store_module.Snapshot, store_module.Snapshot]:
    """(the snapshot the URL names, the latest). Without snapshot= the latest, and its id is written
    into the address bar, so a URL copied from it reopens the same data after later ingests (DESIGN 11).
    A malformed id, or one that is not kept, stops the page with a clear message."""
    latest = current_snapshot()
    try:
        wanted = check_snapshot_id(raw_param("snapshot"))
    except ParamError as error:
        stop_with_problem(str(error), page_path)
    try:
        snap = store_module.open_snapshot(store_module.store_path(), wanted)
    except UnknownSnapshot as error:
        stop_with_unknown_snapshot(str(error), page_path, latest)
    if snap.snapshot_id:
        # Also when the URL names it already: after a link to this same page (the notice's "on the
        # latest"), the browser keeps the old address until the parameters are sent to it again.
        st.query_params["snapshot"] = snap.snapshot_id
    return snap, latest


def stop_with_unknown_snapshot(message: str, page_path: str, latest: store_module.Snapshot) -> None:
    st.error(md_escape(message), icon=":material/history_toggle_off:")
    st.page_link(page_for(page_path), label="Open this view on the latest snapshot", icon=":material/update:",
                 query_params=_same_view(latest.snapshot_id))
    st.stop()


def _same_view(snapshot_id: str | None) -> dict:
    """This page's URL parameters, on another snapshot."""
    params = {name: st.query_params.get_all(name) for name in st.query_params if name != "snapshot"}
    params = {name: values[0] if len(values) == 1 else values for name, values in params.items()}
    return {**params, "snapshot": snapshot_id} if snapshot_id else params


def older_snapshot_notice(info: dict, latest: store_module.Snapshot, scope: ViewScope, page_path: str) -> None:
    """An older snapshot is shown exactly as it was, with what has been published since."""
    latest_info = snapshot_questions.snapshot_info(latest)
    published = pd.Timestamp(info["published_at"]).strftime("%Y-%m-%d %H:%M UTC")
    latest_published = pd.Timestamp(latest_info["published_at"]).strftime("%Y-%m-%d %H:%M UTC")
    corrections = "." + links.corrections_path(scope.snapshot_id, latest.snapshot_id, scope.as_of, scope.policy_id)
    with st.container(key="older-snapshot"):
        st.warning(
            f"You are viewing an older snapshot, **{scope.snapshot_id}**, published {published}: the data as it "
            f"was then. The latest is **{latest.snapshot_id}**, published {latest_published} (data as of "
            f"{latest_info['snapshot_date']:%Y-%m-%d}). [What the newer data corrects]({corrections})",
            icon=":material/history:")
        st.page_link(page_for(page_path), label="Open this view on the latest snapshot", icon=":material/update:",
                     query_params=_same_view(latest.snapshot_id))


def page_context(page_path: str) -> PageContext:
    page_styles()
    snap, latest = chosen_snapshot(page_path)
    info = snapshot_questions.snapshot_info(snap)
    scope = scope_controls(snap, info, page_path)
    header(info, scope, snapshot_questions.policies(snap))
    if snap.snapshot_id and latest.snapshot_id and snap.snapshot_id != latest.snapshot_id:
        older_snapshot_notice(info, latest, scope, page_path)
    return PageContext(snapshot=snap, info=info, scope=scope)


def pinned_context(snapshot_id: str | None, as_of: dt.date, policy_id: str | None) -> PageContext | None:
    """A view a record pins (a review, DESIGN 12): that snapshot, as-of date and policy whatever the URL
    says, with no controls to change them; the header names it, and a notice says when a newer snapshot
    exists (with what it corrects). None, with a warning, when the snapshot is no longer kept."""
    page_styles()
    latest = current_snapshot()
    try:
        snap = store_module.open_snapshot(store_module.store_path(), snapshot_id)
    except UnknownSnapshot as error:
        st.warning(f"The view this review pins cannot be shown: {md_escape(str(error))}", icon=":material/history_toggle_off:")
        return None
    info = snapshot_questions.snapshot_info(snap)
    scope = ViewScope(as_of=as_of, policy_id=policy_id, as_of_is_default=False, snapshot_id=snap.snapshot_id)
    header(info, scope, snapshot_questions.policies(snap))
    if snap.snapshot_id and latest.snapshot_id and snap.snapshot_id != latest.snapshot_id:
        corrections = "." + links.corrections_path(snap.snapshot_id, latest.snapshot_id, as_of, policy_id)
        st.caption(f"This is snapshot **{snap.snapshot_id}**, the data as it was when the review was opened; the latest "
                   f"is **{latest.snapshot_id}**. [What the newer data corrects]({corrections})")
    return PageContext(snapshot=snap, info=info, scope=scope)


def report_unexpected(error: Exception) -> None:
    """Log the traceback on the server under an id; show the viewer only the id."""
    incident = uuid.uuid4().hex[:8]
    log.exception("unexpected error %s", incident, exc_info=error)
    st.error(f"Something went wrong while drawing this page (error id {incident}). "
             "The details are in the server log under that id.", icon=":material/error:")
