"""Who may see the dashboard: sign-in through Streamlit's own OIDC (`st.login`), an allowlist, a
safe local mode, and an audit log of who opened which view when.

Configuration lives in `.streamlit/secrets.toml` (never committed; see secrets.example.toml):
[auth] for the identity provider (redirect_uri, cookie_secret, client_id, client_secret,
server_metadata_url) and [access] for the allowlist (emails, domains, groups, contact).
Without [auth] the app runs in local mode: it serves only on a loopback address, unless
`asl-dashboard serve --insecure-allow-anyone` (env ASL_INSECURE_ALLOW_ANYONE=1) says otherwise.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard.params import md_escape
from dashboard.sqlfiles import REPO_ROOT

AUDIT_LOG = REPO_ROOT / "audit" / "views.jsonl"
REQUIRED_AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
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
    if not email:
        return False
    email = email.strip().lower()
    emails = {item.strip().lower() for item in access.get("emails", [])}
    domains = {item.strip().lower().lstrip("@") for item in access.get("domains", [])}
    allowed_groups = {item.strip() for item in access.get("groups", [])}
    domain = email.rsplit("@", 1)[-1] if "@" in email else ""
    user_groups = set(groups) if isinstance(groups, (list, tuple, set)) else ({groups} if groups else set())
    return email in emails or domain in domains or bool(allowed_groups & user_groups)


@st.cache_resource
def _pending_links() -> dict:
    """Deep links opened while signed out, by browser (its XSRF cookie), until sign-in completes."""
    return {}


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


def gate(page, pages_by_path: dict) -> Viewer:
    """Run before the page: show sign-in, not-authorised or local-mode notices; stop when needed."""
    if not auth_configured():
        address = _server_address()
        if not is_loopback(address) and os.environ.get("ASL_INSECURE_ALLOW_ANYONE") != "1":
            st.error(f"No sign-in is configured and this server listens on {md_escape(address or 'every address')}: "
                     "it serves only on a loopback address (127.0.0.1) without sign-in. Configure [auth] in "
                     ".streamlit/secrets.toml, or start it with `asl-dashboard serve --insecure-allow-anyone`.",
                     icon=":material/lock:")
            st.stop()
        st.sidebar.caption(":material/lock_open: Local mode, no sign-in")
        return Viewer(email="local", local=True)
    if not st.user.is_logged_in:
        key = _browser_key()
        if key and (page.url_path or st.query_params):
            _pending_links()[key] = _current_link(page)
        st.title("ASL compute dashboard")
        st.write("Sign in with your lab account to see this view. You will come back to the link you opened.")
        st.button("Sign in", icon=":material/login:", on_click=st.login, type="primary")
        st.stop()
    email = str(st.user.get("email") or "")
    access = _section("access")
    if not is_allowed(email, st.user.get("groups"), access):
        st.title("Not authorised")
        contact = access.get("contact", "the dashboard's owners")
        st.error(f"You are signed in as {md_escape(email or 'an account without an e-mail')}, which may not see this "
                 f"dashboard. Ask {md_escape(contact)} for access.", icon=":material/block:")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    key = _browser_key()
    pending = _pending_links().pop(key, None) if key else None
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


def audit(viewer: Viewer, page) -> None:
    """Append who opened which view when, once per view per session (not on every widget rerun)."""
    view = {"page": "/" + page.url_path, "params": {key: st.query_params.get_all(key) for key in sorted(st.query_params)}}
    if st.session_state.get("_audited_view") == view:
        return
    st.session_state["_audited_view"] = view
    path = Path(os.environ.get("ASL_AUDIT_LOG") or AUDIT_LOG)
    record = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "user": viewer.email, **view}
    with _audit_lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
