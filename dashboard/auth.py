"""Who may see the dashboard: sign-in through Streamlit's own OIDC (`st.login`), an allowlist, a
safe local mode, and an audit log of who opened which view when.

Configuration lives in `.streamlit/secrets.toml` (never committed; see secrets.example.toml):
[auth] for the identity provider (redirect_uri, cookie_secret, client_id, client_secret,
server_metadata_url) and [access] for the allowlist (emails, domains, groups, contact).
Without [auth] the app runs in local mode: it serves only on a loopback address, unless
`asl-dashboard serve --insecure-allow-anyone` (env ASL_INSECURE_ALLOW_ANYONE=1) says otherwise.

The link opened while signed out survives sign-in although Streamlit's OAuth callback always returns
to the app's root: st.login takes no return address and its OIDC `state` is Authlib's own, and a
script cannot set a cookie. So the page and query parameters are kept server-side for 15 minutes,
keyed by the browser's XSRF token (a cookie Streamlit keeps for the same browser across the round
trip, and always sets when [auth] is configured), and restored with st.switch_page on the first
signed-in run that lands on the bare root.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard.params import md_escape
from dashboard.sqlfiles import REPO_ROOT

AUDIT_LOG = REPO_ROOT / "audit" / "views.jsonl"
REQUIRED_AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
PENDING_LINK_SECONDS = 15 * 60  # a link opened while signed out is kept this long for the sign-in round trip
PENDING_LINK_LIMIT = 10_000
_audit_lock = threading.Lock()


@dataclass(frozen=True)
class Viewer:
    email: str  # "local" in local mode
    local: bool


def _section(name: str) -> dict:
    try:
        return dict(st.secrets[name]) if name in st.secrets else {}
    except Exception:  # no secrets.toml at all: nothing configured
        return {}


def auth_configured() -> bool:
    auth = _section("auth")
    return all(auth.get(key) for key in REQUIRED_AUTH_KEYS)


def sign_in_configured_in(paths) -> bool:
    """For `asl-dashboard serve`, before Streamlit starts: do these secrets files (merged in order, as
    Streamlit merges them) configure [auth] completely? An unreadable or malformed file counts as none."""
    auth: dict = {}
    for path in paths:
        try:
            data = tomllib.loads(Path(path).expanduser().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data.get("auth"), dict):
            auth.update(data["auth"])
    return all(auth.get(key) for key in REQUIRED_AUTH_KEYS)


def is_loopback(address: str | None) -> bool:
    if not address:
        return False  # Streamlit's empty address means every interface
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def is_allowed(email: str | None, groups, access: dict) -> bool:
    """On the allowlist: the exact e-mail, its domain, or one of the provider's groups."""
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    emails = {item.strip().lower() for item in access.get("emails", [])}
    domains = {item.strip().lower().lstrip("@") for item in access.get("domains", [])}
    allowed_groups = {item.strip() for item in access.get("groups", [])}
    domain = email.rsplit("@", 1)[-1]
    user_groups = set(groups) if isinstance(groups, (list, tuple, set)) else ({groups} if groups else set())
    return email in emails or domain in domains or bool(allowed_groups & user_groups)


@st.cache_resource
def _pending_links() -> dict:
    """Deep links opened while signed out, by browser (its XSRF cookie): key -> (link, time stored)."""
    return {}


def _remember_link(key: str, link: dict | None) -> None:
    pending = _pending_links()
    pending.pop(key, None)
    if link is None:  # the latest link opened was the home page: nothing to restore
        return
    now = time.monotonic()
    if len(pending) >= PENDING_LINK_LIMIT:
        for old_key, (_, stored) in list(pending.items()):
            if now - stored > PENDING_LINK_SECONDS:
                pending.pop(old_key, None)
        while len(pending) >= PENDING_LINK_LIMIT:  # still full: drop the oldest (dicts keep insertion order)
            pending.pop(next(iter(pending)), None)
    pending[key] = (link, now)


def _take_link(key: str | None) -> dict | None:
    if not key:
        return None
    entry = _pending_links().pop(key, None)
    if entry is None or time.monotonic() - entry[1] > PENDING_LINK_SECONDS:
        return None
    return entry[0]


def _browser_key() -> str | None:
    """A key that stays the same for one browser across the sign-in round trip: the XSRF token.

    Its cookie is written "2|mask|masked token|timestamp" and re-masked on every response, so the
    token is unmasked here (XOR with the 4-byte mask, as Tornado writes it)."""
    value = st.context.cookies.get("_streamlit_xsrf")
    if not value:
        return None
    parts = value.split("|")
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
            return bytes(byte ^ mask[index % 4] for index, byte in enumerate(masked)).hex()
        except ValueError:
            return None
    return value


def _current_link(page) -> dict:
    return {"url_path": page.url_path, "params": {key: st.query_params.get_all(key) for key in st.query_params}}


def _open_address_refused() -> bool:
    return not is_loopback(_server_address()) and os.environ.get("ASL_INSECURE_ALLOW_ANYONE") != "1"


def _user_email() -> str:
    return str(st.user.get("email") or "")


def _signed_in_allowed() -> bool:
    """On the allowlist, and the provider has not said the e-mail is unverified."""
    if st.user.get("email_verified") is False or str(st.user.get("email_verified")).lower() == "false":
        return False
    return is_allowed(_user_email(), st.user.get("groups"), _section("access"))


def access_state() -> str:
    """One of "local", "refused" (no sign-in on an open address), "signed_out", "denied", "allowed"."""
    if not auth_configured():
        return "refused" if _open_address_refused() else "local"
    if not st.user.is_logged_in:
        return "signed_out"
    return "allowed" if _signed_in_allowed() else "denied"


def nav_position() -> str:
    """For st.navigation: people who may not see data do not see the list of pages either."""
    return "sidebar" if access_state() in ("local", "allowed") else "hidden"


def gate(page, pages_by_path: dict) -> Viewer:
    """Run before the page: show sign-in, not-authorised or local-mode notices; stop when needed."""
    state = access_state()
    if state == "refused":
        address = _server_address()
        st.error(f"No sign-in is configured and this server listens on {md_escape(address or 'every address')}: "
                 "it serves only on a loopback address (127.0.0.1) without sign-in. Configure [auth] in "
                 ".streamlit/secrets.toml, or start it with `asl-dashboard serve --insecure-allow-anyone`.",
                 icon=":material/lock:")
        st.stop()
    if state == "local":
        st.sidebar.caption(":material/lock_open: Local mode, no sign-in")
        return Viewer(email="local", local=True)
    key = _browser_key()
    if state == "signed_out":
        if key:
            _remember_link(key, _current_link(page) if (page.url_path or st.query_params) else None)
        st.title("ASL compute dashboard")
        st.write("Sign in with your lab account to see this view. You will come back to the link you opened.")
        st.button("Sign in", icon=":material/login:", on_click=st.login, type="primary")
        st.stop()
    email = _user_email()
    pending = _take_link(key)  # taken even when denied, so it never outlives this sign-in
    if state == "denied":
        audit(Viewer(email=email or "(no e-mail)", local=False), page, access="denied")
        st.title("Not authorised")
        contact = _section("access").get("contact", "the dashboard's owners")
        st.error(f"You are signed in as {md_escape(email or 'an account without an e-mail')}, which may not see this "
                 f"dashboard. Ask {md_escape(contact)} for access.", icon=":material/block:")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    if pending and not page.url_path and not st.query_params:
        target = pages_by_path.get(pending["url_path"])
        if target is not None:
            st.switch_page(target, query_params=pending["params"])
    with st.sidebar:
        st.caption(f":material/person: {md_escape(email)}")
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")
    return Viewer(email=email, local=False)


def _server_address() -> str:
    from streamlit import config

    return str(config.get_option("server.address") or "")


def audit(viewer: Viewer, page, access: str = "allowed") -> None:
    """Append who opened which view when, once per view per session (not on every widget rerun).

    One JSON object a line: {"at": UTC ISO time, "user": e-mail or "local", "page": "/trajectory",
    "params": {name: [values]}, "access": "allowed" or "denied"}."""
    view = {"page": "/" + page.url_path, "params": {key: st.query_params.get_all(key) for key in sorted(st.query_params)}}
    seen = {**view, "user": viewer.email, "access": access}
    if st.session_state.get("_audited_view") == seen:
        return
    st.session_state["_audited_view"] = seen
    path = Path(os.environ.get("ASL_AUDIT_LOG") or AUDIT_LOG)
    record = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "user": viewer.email, **view,
              "access": access}
    with _audit_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
