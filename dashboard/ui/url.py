"""The URL as the source of a view: parameters read and checked, clear messages for bad links,
widgets kept in the address bar, and the link to this exact view."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import links
from dashboard.params import ParamError, carried_scope, check_choice_values, check_flag_value, single_value
from dashboard.text import md_escape
from dashboard.questions.snapshot import ViewScope


# Query parameters every page accepts (DESIGN section 6).
SCOPE_PARAMS = ("as_of", "policy", "snapshot")


def raw_param(name: str) -> str | None:
    """The URL's value for name, or None. A repeated or overlong parameter is refused."""
    return single_value(name, st.query_params.get_all(name))


def check_choices(name: str, allowed, *, page_path: str) -> None:
    """A multi-valued URL parameter (a bound multiselect): every value must be one of allowed."""
    try:
        check_choice_values(name, st.query_params.get_all(name), allowed)
    except ParamError as error:
        stop_with_problem(str(error), page_path)


def check_flag(name: str, *, page_path: str) -> None:
    """A toggle in the URL: true or false, once."""
    try:
        check_flag_value(name, raw_param(name))
    except ParamError as error:
        stop_with_problem(str(error), page_path)


def stop_with_problem(message: str, page_path: str = "") -> None:
    """A clear message and a way back instead of a traceback. Text only: never rendered as HTML."""
    st.error(md_escape(message), icon=":material/link_off:")
    st.page_link(_page_for(page_path), label="Open this page without the bad parameters", icon=":material/arrow_back:")
    st.stop()


def _page_for(page_path: str):
    return {"": "app_pages/overview.py", "trajectory": "app_pages/trajectory.py", "reclassify": "app_pages/reclassify.py",
            "changes": "app_pages/changes.py", "obligations": "app_pages/obligations.py",
            "corrections": "app_pages/corrections.py", "reviews": "app_pages/reviews.py", "review": "app_pages/review.py"}.get(
        page_path, "app_pages/overview.py")


def write_to_url(key: str) -> None:
    """on_change of a widget kept in the URL by hand: write its value to the address bar, so a URL
    copied from it reopens the view."""
    value = st.session_state.get(key)
    if value is None or value == "":
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = value.isoformat() if isinstance(value, dt.date) else str(value)


def write_list_to_url(key: str, name: str) -> None:
    """on_change of a multiselect kept in the URL by hand under another name (its key is its own, so it
    never meets another page's widget of that name): every value as a repeated parameter."""
    values = [str(value) for value in st.session_state.get(key) or []]
    if values:
        st.query_params[name] = values
    elif name in st.query_params:
        del st.query_params[name]


def put_in_url(key: str, value: str) -> None:
    """A value the page chose itself (a default) written to the address bar, so the URL names the
    view it shows and a copy of it reopens the same view."""
    st.query_params[key] = value


def show_in_widget(key: str, value) -> None:
    """Show the URL's value in the widget with this key (call before drawing it). With the URL as
    the source, a link to the same page with another value (a lineage link) changes the widget."""
    if key not in st.session_state or st.session_state[key] != value:
        if key in st.session_state and key in st.query_params:
            # A link to this same page with another value: the browser kept the old address, so
            # send the current parameters to it again.
            st.query_params[key] = st.query_params.get_all(key)
        st.session_state[key] = value


def view_url(page_path: str, params: dict, scope: ViewScope) -> str:
    """The URL of this exact view with the as-of date and the snapshot pinned, so it reads the same
    next month, after later ingests too."""
    return links.view_url(st.context.url, page_path, params, scope.as_of, scope.policy_id, scope.snapshot_id)


def link_to_this_view(page_path: str, params: dict, scope: ViewScope) -> None:
    url = view_url(page_path, params, scope)
    with st.popover("Link to this view", icon=":material/link:"):
        st.caption("This link pins the as-of date and the snapshot, so it reopens these exact numbers later, "
                   "after new data has been published too.")
        st.code(url, language=None)


def scope_query_params(scope: ViewScope) -> dict:
    """as_of, policy and snapshot for a link to another page, carrying the current view along."""
    return links.scope_query_params(scope.as_of, scope.policy_id, scope.snapshot_id)


def link_query(params: dict, scope: ViewScope) -> str:
    return links.link_query(params, scope.as_of, scope.policy_id, scope.snapshot_id)


def page_for(page_path: str):
    """The page file of a page path ("" is the overview)."""
    return _page_for(page_path)


def page_menu(pages: list) -> None:
    """The list of pages in the sidebar. Streamlit's own list drops the address bar's parameters on a
    page switch, which would silently move a pinned view (an old snapshot, an as-of date) to the
    latest data; these links carry as_of, policy and snapshot along."""
    carried = carried_scope({name: st.query_params.get_all(name) for name in SCOPE_PARAMS})
    with st.sidebar.container(key="page_menu"):
        for page in pages:
            if page.visibility == "hidden":  # reached from other pages only (a review from its list)
                continue
            st.page_link(page, label=page.title, icon=page.icon, query_params=carried)
