"""Every URL the dashboard builds, on one base: ASL_PUBLIC_URL when set and valid (dashboard/settings.py),
else the address the request came to, under the same rule; a path alone when neither is known.

- page links: the link to this exact view, as_of and policy carried to another page;
- the brief's link (scenario_link), the "Reclassify this model" link's parameters (reclassify_params);
- the digest's links and the changes and obligations tables' links (trajectory_path);
- reviews (DESIGN 12): a review's page, the view a review pins, and opening a review of a scenario.

Every value goes into a link percent-encoded; a base that did not pass settings.base_url is refused.
No Streamlit here: the pages pass their own address in.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse

import pandas as pd

from dashboard import auth, settings

PAGES = settings.PAGES  # a page's path, dropped from an address to get the base


def link_base(base: str | None) -> str:
    """The base a link is built on: "" for none (links are paths), the validated base otherwise.
    ValueError for an invalid one: whoever builds links passes a base from public_base_url()."""
    if not base:
        return ""
    valid = settings.base_url(base)
    if valid is None:
        raise ValueError("a link's base URL must come from dashboard.settings (it did not pass its rule)")
    return valid


def public_base_url(request_url: str | None = None, environ=None) -> str | None:
    """The base URL colleagues can open: ASL_PUBLIC_URL when set and valid (dashboard/settings.py),
    else the request's own address under the same rule; None when neither is known (the command
    line without ASL_PUBLIC_URL)."""
    configured = settings.public_url(environ).base
    if configured or not request_url:
        return configured
    try:
        parts = urllib.parse.urlsplit(request_url.strip())
    except ValueError:
        return None
    return settings.base_url(urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))


# --- The brief and the trajectory's "Reclassify this model" ----------------------------------------

def opens_only_here(url: str) -> bool:
    """A link on a loopback address (127.0.0.0/8, ::1, localhost): it opens only on the computer
    running the dashboard, never for someone it is pasted to."""
    host = auth.url_host(url)
    return host is not None and auth.is_loopback(host)


def scenario_link(base: str | None, model_id: str, asl_level: int, domain: str | None, as_of: dt.date,
                  policy_id: str | None = None, snapshot_id: str | None = None) -> str:
    """The link that reopens /reclassify on this scenario, as of its date, on its snapshot (a path alone
    without a base)."""
    params = {"model": model_id, "asl": asl_level}
    if domain:
        params["domain"] = domain
    params["as_of"] = as_of.isoformat()
    if policy_id:
        params["policy"] = policy_id
    if snapshot_id:
        params["snapshot"] = snapshot_id
    return f"{link_base(base)}/reclassify?{urllib.parse.urlencode(params)}"


def reclassify_params(model_id: str, status: str, level, rounds: pd.DataFrame, levels) -> dict | None:
    """Query parameters for "Reclassify this model" on a triggered model's trajectory: the model, its
    level + 1 (None when that level is not defined) and the domain of its latest triggered round
    (the first in alphabetical order when several triggered). None when the model has not triggered."""
    if status != "triggered" or pd.isna(level) or int(level) + 1 not in {int(value) for value in levels}:
        return None
    params = {"model": model_id, "asl": str(int(level) + 1)}
    triggered = rounds[rounds["round_outcome"] == "triggered"].sort_values("step")
    if len(triggered):
        domains = sorted(item["domain"] for item in triggered.iloc[-1]["details"] if item["outcome"] == "triggered")
        if domains:
            params["domain"] = domains[0]
    return params


# --- The changes: the digest's and the tables' links ----------------------------------------------

def trajectory_path(model_id: str, event_date: dt.date, policy_id: str | None = None,
                    snapshot_id: str | None = None) -> str:
    """The trajectory page as of the event date: /trajectory?model=ID&as_of=DATE[&policy=ID][&snapshot=ID]."""
    params = {"model": model_id, "as_of": pd.Timestamp(event_date).date().isoformat()}
    if policy_id:
        params["policy"] = policy_id
    if snapshot_id:
        params["snapshot"] = snapshot_id
    return "/trajectory?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def review(review_id: str) -> str:
    """A review's page (DESIGN 12): /review?id=ID."""
    return "/review?" + urllib.parse.urlencode({"id": review_id}, quote_via=urllib.parse.quote)


def review_url(base: str | None, review_id: str) -> str:
    """A review's page on the base (the brief's link; a path alone without a base)."""
    return link_base(base) + review(review_id)


# --- Snapshots (DESIGN 11) ------------------------------------------------------------------------

def corrections_path(from_id: str, to_id: str, as_of: dt.date, policy_id: str | None = None) -> str:
    """The corrections between two snapshots, for the view's date and policy:
    /corrections?from=OLD&to=NEW&as_of=DATE[&policy=ID]."""
    params = {"from": from_id, "to": to_id, "as_of": as_of.isoformat()}
    if policy_id:
        params["policy"] = policy_id
    return "/corrections?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


# --- Reviews (DESIGN 12) ------------------------------------------------------------------------

def review_path(review_id: str) -> str:
    """A review's own page: /review?id=R12."""
    return "/review?" + urllib.parse.urlencode({"id": review_id})


def pinned_view_path(model_id: str | None, asl_level: int | None, domain: str | None, as_of: dt.date,
                     policy_id: str | None, snapshot_id: str | None) -> str:
    """The view a review pins, opened exactly: its scenario on /reclassify (model, asl, domain), a model
    alone on /trajectory, else the overview; always as of its date, under its policy, on its snapshot."""
    scope = scope_query_params(as_of, policy_id, snapshot_id)
    if model_id and asl_level is not None:
        return scenario_link(None, model_id, int(asl_level), domain, as_of, policy_id, snapshot_id)
    if model_id:
        return "/trajectory?" + urllib.parse.urlencode({"model": model_id, **scope})
    return "/?" + urllib.parse.urlencode(scope)


def new_review_params(model_id: str, asl_level: int, domain: str | None, as_of: dt.date, policy_id: str | None,
                      snapshot_id: str | None) -> dict:
    """The parameters of /review that open the form for a new review of this scenario, pinned to this
    view (the reclassify page's "Open a review of this scenario"). The level and domain travel as
    new_asl= and trigger=: asl= and domain= are the reclassify page's bound widgets, which Streamlit
    drops from a link that leaves that page."""
    params = {"model": model_id, "new_asl": str(int(asl_level))}
    if domain:
        params["trigger"] = domain
    return {**params, **scope_query_params(as_of, policy_id, snapshot_id)}


# --- Page links (the pages' "Link to this view" and links between pages) ---------------------------

def scope_query_params(as_of: dt.date, policy_id: str | None, snapshot_id: str | None = None) -> dict:
    """as_of, policy and snapshot for a link to another page, carrying the current view along."""
    params = {"as_of": as_of.isoformat()}
    if policy_id:
        params["policy"] = policy_id
    if snapshot_id:
        params["snapshot"] = snapshot_id
    return params


def obligations_filter_params(as_of: dt.date, policy_id: str | None, *, state: str | None = None,
                               due_soon: bool = False, snapshot_id: str | None = None) -> dict:
    """The parameters of /obligations filtered to one state, or to the clocks due soon (due_soon=true),
    carrying the current view along: the overview's obligation counts link to the rows they count."""
    params = {"state": state} if state else {}
    if due_soon:
        params["due_soon"] = "true"
    return {**params, **scope_query_params(as_of, policy_id, snapshot_id)}


def link_query(params: dict, as_of: dt.date, policy_id: str | None, snapshot_id: str | None = None) -> str:
    """The query of a link to another page: params and the current view's as_of, policy and snapshot."""
    return urllib.parse.urlencode({**params, **scope_query_params(as_of, policy_id, snapshot_id)}, doseq=True)


def view_url(request_url: str | None, page_path: str, params: dict, as_of: dt.date, policy_id: str | None,
             snapshot_id: str | None = None) -> str:
    """The URL of this exact view (on the address the request came to) with the as-of date and the
    snapshot pinned, so it reads the same next month, after later ingests too (DESIGN 11)."""
    pinned = {key: value for key, value in params.items() if value not in (None, "", [])}
    pinned.update(scope_query_params(as_of, policy_id, snapshot_id))
    root = (request_url or "").split("?")[0].rstrip("/")
    for suffix in PAGES:
        if root.endswith(suffix):
            root = root[: -len(suffix)]
    return f"{root}/{page_path}?{urllib.parse.urlencode(pinned, doseq=True)}"
