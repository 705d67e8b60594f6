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
signed-in run that lands on the bare root. Each client address keeps a few such links at most, so
sessions with made-up cookies cannot push out another person's.

An audit log that cannot be written (read-only, full disk, a folder in its place) stops no page:
the failure is logged once and the pages show a notice; `serve` refuses to start in that state.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import os
import threading
import time
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit import config
from email_validator import EmailNotValidError, ValidatedEmail, validate_email

from dashboard import settings
from dashboard.reviews.actions import ReviewRefused, os_actor
from dashboard.text import md_escape
from dashboard.sqlfiles import REPO_ROOT

AUDIT_LOG = REPO_ROOT / "audit" / "views.jsonl"
REQUIRED_AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
PENDING_LINK_SECONDS = 15 * 60  # a link opened while signed out is kept this long for the sign-in round trip
PENDING_LINK_LIMIT = 10_000
_audit_lock = threading.Lock()
log = logging.getLogger("asl_dashboard")


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


def _auth_in(paths) -> dict:
    auth: dict = {}
    for path in paths:
        try:
            data = tomllib.loads(Path(path).expanduser().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data.get("auth"), dict):
            auth.update(data["auth"])
    return auth


def sign_in_configured_in(paths) -> bool:
    """For `asl-dashboard serve`, before Streamlit starts: do these secrets files (merged in order, as
    Streamlit merges them) configure [auth] completely? An unreadable or malformed file counts as none."""
    auth = _auth_in(paths)
    return all(auth.get(key) for key in REQUIRED_AUTH_KEYS)


def serve_allowed_hosts(address: str, paths, *, open_mode: bool) -> list[str]:
    """Streamlit's server.allowedHosts for `asl-dashboard serve`: its websocket then refuses any other
    Host (the app checks again, Origin included). Empty (accept any) only for an open server
    (--insecure-allow-anyone), which the app still limits to IP addresses and configured names."""
    if open_mode:
        return []
    hosts = ["localhost", "127.0.0.1", "::1"]
    if is_loopback(address) and host_name(address) not in hosts:
        hosts.append(host_name(address))
    if sign_in_configured_in(paths):
        for url in (_auth_in(paths).get("redirect_uri"), settings.public_url().base):
            name = url_host(url)
            if name and name not in hosts:
                hosts.append(name)
    return hosts


def is_loopback(address: str | None) -> bool:
    if not address:
        return False  # Streamlit's empty address means every interface
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(value: str | None) -> str | None:
    """The host name of a Host header value ("example.org:8501", "[::1]:8501") or an Origin or URL
    ("https://example.org"), lower case, without port or trailing dot; None when malformed."""
    if not value:
        return None
    text = value.strip()
    try:
        parts = urllib.parse.urlsplit(text if "://" in text else "//" + text)
        _ = parts.port  # a malformed port raises
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.password is not None or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        return None
    return parts.hostname.lower().rstrip(".")


def url_host(url: str | None) -> str | None:
    """The host name of a configured URL (redirect_uri, ASL_PUBLIC_URL), paths allowed."""
    try:
        name = urllib.parse.urlsplit((url or "").strip()).hostname
    except ValueError:
        return None
    return name.lower().rstrip(".") if name else None


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def configured_hosts() -> set[str]:
    """Host names configured for this server besides loopback: [auth] redirect_uri's host,
    ASL_PUBLIC_URL's host and Streamlit's own server.allowedHosts (exact names; "*.x" patterns)."""
    hosts = {url_host(_section("auth").get("redirect_uri")), url_host(settings.public_url().base)}
    try:
        hosts |= {str(item).strip().lower().rstrip(".") for item in (config.get_option("server.allowedHosts") or [])}
    except Exception:  # noqa: BLE001 - an unknown option in another Streamlit version: nothing configured
        pass
    return {host for host in hosts if host}


def host_allowed(name: str | None, *, signed_in_mode: bool, open_mode: bool, configured: set[str]) -> bool:
    """May a request naming this host (from its Host or Origin header) be answered?

    A browser always sends the host of the address it opened, so a page on evil.example whose name
    was rebound to 127.0.0.1 sends Host: evil.example. Loopback names and addresses are always
    served (no web page can make a browser send them for its own origin); with sign-in also the
    configured public host(s); an open server (--insecure-allow-anyone) also any IP address, since
    an IP address is never rebound."""
    if name is None:
        return False
    if name == "localhost" or is_loopback(name):
        return True
    if (signed_in_mode or open_mode) and _matches(name, configured):
        return True
    return open_mode and _is_ip_literal(name)


def _matches(name: str, patterns: set[str]) -> bool:
    return any(pattern == "*" or name == pattern or (pattern.startswith("*.") and name.endswith(pattern[1:]))
               for pattern in patterns)


def foreign_request() -> str | None:
    """Why this session's request must not be answered (its Host or Origin names a host this
    server does not serve), or None. A request without Host or Origin (not a browser) passes."""
    headers = st.context.headers
    signed_in_mode = auth_configured()
    open_mode = not signed_in_mode and settings.insecure_allow_anyone()
    configured = configured_hosts()
    for header in ("Host", "Origin"):
        value = headers.get(header)
        if value is None:
            continue
        if not host_allowed(host_name(value), signed_in_mode=signed_in_mode, open_mode=open_mode, configured=configured):
            return f"{header} {capped(value, 100)!r}"
    return None


def refuse_foreign_host() -> None:
    """Before anything else runs: a request addressed to a host this server does not serve (DNS
    rebinding: a web page whose name now points at this machine) gets a refusal and no data."""
    reason = foreign_request()
    if reason is None:
        return
    record = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "user": "anonymous",
              "page": capped(st.context.url or ""), "params": {}, "access": "refused_host", "reason": reason}
    if st.session_state.get("_audited_view") != record["reason"]:
        st.session_state["_audited_view"] = record["reason"]
        write_audit(record)
    st.error("This dashboard answers only at its own address (localhost, or the host configured for sign-in). "
             "The address this page was opened at is not one of them.", icon=":material/block:")
    st.stop()


def well_formed_email(value) -> ValidatedEmail | None:
    """The address when it is one well-formed address (email-validator's syntax rules: no line
    breaks, quotes, display names or second @), else None. Deliverability is not looked up, and a
    lab's own non-public domain (corp.internal, lab.local) is a domain like any other."""
    if not isinstance(value, str):
        return None
    try:
        return validate_email(value, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError:
        return None


def is_allowed(email: str | None, groups, access: dict) -> bool:
    """On the allowlist: the exact e-mail, its domain, or one of the provider's groups. The e-mail
    counts only when it is a well-formed address."""
    address = well_formed_email(email)
    if address is None:
        return False
    emails = {item.strip().lower() for item in access.get("emails", [])}
    domains = {item.strip().lower().lstrip("@") for item in access.get("domains", [])}
    allowed_groups = {item.strip() for item in access.get("groups", [])}
    user_groups = set(groups) if isinstance(groups, (list, tuple, set)) else ({groups} if groups else set())
    return (address.normalized.lower() in emails or address.domain.lower() in domains
            or address.ascii_domain.lower() in domains or bool(allowed_groups & user_groups))


def email_verified_ok(claim) -> bool:
    """The provider's email_verified claim: absent (not every provider sends it) or true. Anything
    else (false, "false", 0, "no", null) means the address is not known to be the person's."""
    return claim is _ABSENT or claim is True or (isinstance(claim, str) and claim.strip().lower() == "true")


_ABSENT = object()


# Deep links opened while signed out, by browser (its XSRF cookie): key -> (link, time stored, client).
# A plain module-level store with its own lock, NOT st.cache_*: any websocket client may send
# Streamlit's clear-cache message, and caches may be emptied at any time without losing anything.
# The module is imported once per server process and lives as long as it. Anyone can open sessions
# with made-up cookies, so each client address keeps at most PENDING_LINKS_PER_CLIENT links (its own
# oldest goes first), and a full store keeps no new link rather than drop another client's.
_pending: dict[str, tuple[dict, float, str]] = {}
_pending_by_client: dict[str, list[str]] = {}  # client address -> its keys, oldest first
_pending_lock = threading.Lock()
PENDING_LINKS_PER_CLIENT = 4


def _forget_link(key: str) -> tuple[dict, float, str] | None:
    """Remove one kept link (the caller holds _pending_lock)."""
    entry = _pending.pop(key, None)
    if entry is not None:
        keys = _pending_by_client[entry[2]]
        keys.remove(key)
        if not keys:
            del _pending_by_client[entry[2]]
    return entry


def _remember_link(key: str, link: dict | None, *, client: str) -> bool:
    """Keep the link this browser opened for after its sign-in; False when it is not kept."""
    with _pending_lock:
        _forget_link(key)
        if link is None:  # the latest link opened was the home page: nothing to restore
            return True
        now = time.monotonic()
        # Links are stored in time order (dicts keep insertion order): the expired ones come first.
        while _pending and now - next(iter(_pending.values()))[1] > PENDING_LINK_SECONDS:
            _forget_link(next(iter(_pending)))
        own = _pending_by_client.get(client, [])
        while len(own) >= PENDING_LINKS_PER_CLIENT:
            _forget_link(own[0])
        if len(_pending) >= PENDING_LINK_LIMIT:
            return False
        _pending[key] = (link, now, client)
        _pending_by_client.setdefault(client, []).append(key)
        return True


def _take_link(key: str | None) -> dict | None:
    if not key:
        return None
    with _pending_lock:
        entry = _forget_link(key)
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


def client_address(peer: str | None) -> str:
    """Whose pending links these are: the connection's peer address (uvicorn, Streamlit's server,
    takes it from X-Forwarded-For when the peer is a proxy on 127.0.0.1), an IPv6 address by its /64,
    the block one subscriber usually holds whole. Streamlit gives no address for loopback peers."""
    if not peer:
        return "loopback"
    try:
        address = ipaddress.ip_address(peer.strip("[]"))
    except ValueError:
        return capped(peer, 100)
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _current_link(page) -> dict:
    return {"url_path": page.url_path, "params": {key: st.query_params.get_all(key) for key in st.query_params}}


def _open_address_refused() -> bool:
    peer = st.context.ip_address  # None for a loopback peer; a proxy's X-Forwarded-For otherwise
    return open_access_refused(_server_address(), peer if isinstance(peer, str) else None,
                               allow_anyone=settings.insecure_allow_anyone())


def open_access_refused(server_address: str | None, viewer_address: str | None, *, allow_anyone: bool) -> bool:
    """Without sign-in, only viewers on this machine may see data: the server listens on loopback,
    and the viewer is not another machine whose address a proxy on loopback forwards (nginx in front
    of `serve --replicas`, or a lab's own proxy). viewer_address None: a loopback peer."""
    if allow_anyone:
        return False
    return not is_loopback(server_address) or not (viewer_address is None or is_loopback(viewer_address))


def _user_email() -> str:
    return str(st.user.get("email") or "")


def _signed_in_allowed() -> bool:
    """On the allowlist, and the provider has not said the e-mail is unverified."""
    claim = st.user["email_verified"] if "email_verified" in st.user else _ABSENT
    if not email_verified_ok(claim):
        return False
    return is_allowed(_user_email(), st.user.get("groups"), _section("access"))


def access_state() -> str:
    """One of "local", "refused" (no sign-in on an open address), "signed_out", "denied", "allowed"."""
    if not auth_configured():
        return "refused" if _open_address_refused() else "local"
    if not st.user.is_logged_in:
        return "signed_out"
    return "allowed" if _signed_in_allowed() else "denied"


def may_see_pages() -> bool:
    """Whether this viewer sees the list of pages: people who may not see data do not."""
    return access_state() in ("local", "allowed")


def gate(page, pages_by_path: dict) -> Viewer:
    """Run before the page: show sign-in, not-authorised or local-mode notices; stop when needed."""
    state = access_state()
    if state == "refused":
        address = _server_address()
        audit(Viewer(email="anonymous", local=True), page, access="refused_open_address")
        where = (f"this server listens on {md_escape(address or 'every address')}" if not is_loopback(address)
                 else "this view was asked for from another machine, through a proxy")
        st.error(f"No sign-in is configured and {where}: without sign-in the dashboard serves only viewers on "
                 "this machine (127.0.0.1). Configure [auth] in .streamlit/secrets.toml, or start it with "
                 "`asl-dashboard serve --insecure-allow-anyone`.", icon=":material/lock:")
        st.stop()
    if state == "local":
        st.sidebar.caption(":material/lock_open: Local mode, no sign-in" + _single_user_note())
        return Viewer(email="local", local=True)
    key = _browser_key()
    if state == "signed_out":
        if key:
            _remember_link(key, _current_link(page) if (page.url_path or st.query_params) else None,
                           client=client_address(st.context.ip_address))
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


# --- Who writes a review (DESIGN 12) ---------------------------------------------------------------

READ_ONLY_REVIEWS = ("Reviews are read-only here: no sign-in is configured, so this dashboard cannot tell who you are. "
                     "To record reviews, configure sign-in ([auth] in .streamlit/secrets.toml), or start it for one "
                     "person on this machine with `asl-dashboard serve --single-user` (recorded as the operating-system "
                     "user), or use `asl-dashboard reviews` on the command line.")


def actor_for(state: str, email: str | None, *, single_user: bool, os_user: str) -> str | None:
    """Who a review written in this page run is recorded as, from the server's own view of the session
    only: the signed-in person's e-mail (allowed, a well-formed address), os_user (`os:<user>`) in
    local mode under `serve --single-user`, else None (read-only). Pure: access_state, the e-mail and
    the settings are its inputs."""
    if state == "allowed":
        address = well_formed_email(email)
        return address.normalized if address is not None else None
    if state == "local" and single_user:
        return os_user
    return None


def _single_user_note() -> str:
    """What the sidebar adds under `serve --single-user`: who the pages record reviews as."""
    if not settings.single_user():
        return ""
    try:
        return f" · single-user: reviews are recorded as **{md_escape(os_actor())}**"
    except ReviewRefused:
        return ""


def current_actor() -> str | None:
    """The actor of this page run (actor_for): the identity Streamlit holds for the session (the
    provider's ID token, in a cookie signed with cookie_secret), never a form field, URL parameter
    or header a viewer can set."""
    state = access_state()
    single_user = settings.single_user() and state == "local"
    try:
        os_user = os_actor() if single_user else ""
    except ReviewRefused:  # no name for the account this server runs as: nobody to record
        return None
    return actor_for(state, _user_email() if state == "allowed" else None, single_user=single_user, os_user=os_user)


def client_key(viewer: Viewer) -> str:
    """Whose page run this is, for sharing the page-run slots fairly (dashboard/page_runs.py): the
    signed-in user, else the client's address as `client_address` counts it (a proxy on this
    machine that sends no X-Forwarded-For makes all its viewers one client)."""
    if not viewer.local:
        return "user:" + viewer.email
    return "address:" + client_address(st.context.ip_address)


def _server_address() -> str:
    return str(config.get_option("server.address") or "")


AUDIT_VALUE_LIMIT = 200  # characters kept of each logged value (user, page, parameter name or value)
AUDIT_PARAMS_LIMIT = 20  # parameters logged per view
AUDIT_VALUES_LIMIT = 10  # values logged per parameter


def capped(value, limit: int = AUDIT_VALUE_LIMIT) -> str:
    """A logged value at most `limit` characters long, plus a marker saying how long it was."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[cut: {len(text):,} characters]"


def _audit_params(params: dict[str, list[str]]) -> dict:
    logged: dict = {}
    names = sorted(params)
    for name in names[:AUDIT_PARAMS_LIMIT]:
        values = params[name]
        logged[capped(name)] = [capped(value) for value in values[:AUDIT_VALUES_LIMIT]] + (
            [f"...[cut: {len(values) - AUDIT_VALUES_LIMIT} more values]"] if len(values) > AUDIT_VALUES_LIMIT else [])
    if len(names) > AUDIT_PARAMS_LIMIT:
        logged["...[cut]"] = [f"{len(names) - AUDIT_PARAMS_LIMIT} more parameters"]
    return logged


def audit_line(record: dict) -> str:
    """One audit record as one line of ASCII JSON: every non-ASCII character (U+2028, U+2029, NEL,
    ...) is written as a \\u escape, so a reader that splits on any line break gets whole records."""
    return json.dumps(record, ensure_ascii=True) + "\n"


def audit_log_path() -> Path:
    return settings.audit_log(AUDIT_LOG)


def _append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_NONBLOCK: a FIFO put in the log's place fails at once instead of holding the page run forever.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o640)
    with open(descriptor, "a", encoding="ascii") as handle:
        handle.write(text)


def audit_log_problem(path: Path) -> str | None:
    """For `asl-dashboard serve`, before Streamlit starts: why the audit log cannot be written
    (its folder made or the file opened for appending), or None. Appends nothing."""
    try:
        _append(path, "")
    except OSError as error:
        return error.strerror or type(error).__name__
    return None


# True while the audit log cannot be written: the failure is logged once when it starts (not on
# every view), and every page shows a notice until a write succeeds again.
_audit_failing = False


def write_audit(record: dict) -> bool:
    """Append one record; False (and the failure logged once) when the log cannot be written."""
    global _audit_failing
    path = audit_log_path()
    line = audit_line(record)
    with _audit_lock:
        try:
            _append(path, line)
        except OSError as error:
            if not _audit_failing:
                log.error("the audit log %s cannot be written (%s): views are not recorded until it can be",
                          path, error.strerror or type(error).__name__)
            _audit_failing = True
            return False
        if _audit_failing:
            log.warning("the audit log %s can be written again", path)
        _audit_failing = False
        return True


def audit_failing() -> bool:
    return _audit_failing


def show_audit_notice() -> None:
    """The page goes on; the viewer (and through them the operators) learns views are not recorded."""
    if _audit_failing:
        st.warning("The audit log cannot be written, so this view is not recorded. "
                   "Please tell the dashboard's operators.", icon=":material/warning:")


def audit(viewer: Viewer, page, access: str = "allowed") -> None:
    """Append who opened which view when, once per view per session (not on every widget rerun).

    One JSON object a line, ASCII only, each value at most AUDIT_VALUE_LIMIT characters (longer ones
    end with a "...[cut: N characters]" marker): {"at": UTC ISO time, "user": e-mail, "local" or
    "anonymous", "page": "/trajectory", "params": {name: [values]}, "access": "allowed", "denied",
    "refused_open_address" or "refused_host"}. A view the log could not take is tried again on the
    session's next run, and an allowed view says on the page that it is not recorded."""
    params = {key: st.query_params.get_all(key) for key in sorted(st.query_params)}
    view = {"page": capped("/" + (page.url_path if page is not None else "")), "params": _audit_params(params)}
    seen = {**view, "user": capped(viewer.email), "access": access}
    if st.session_state.get("_audited_view") != seen:
        record = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "user": capped(viewer.email), **view, "access": access}
        if write_audit(record):  # a view not recorded is tried again on the next run
            st.session_state["_audited_view"] = seen
    if access == "allowed":
        show_audit_notice()
