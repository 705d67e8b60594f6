"""Access control: allow and deny through AppTest's user, local mode, the refusal to serve
openly without sign-in, the audit log, and the whole sign-in flow in a real browser against a
local OpenID Connect provider (oidc-provider-mock) started by the test."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from dashboard import auth
from dashboard.auth import is_allowed, is_loopback, sign_in_configured_in
from bench.server import free_port, wait_for_app
from dashboard.sqlfiles import REPO_ROOT
from pagelinks import APP, open_link
from waits import WAIT_S, new_context, streamlit_server

ACCESS = {"emails": ["lead@partner.org"], "domains": ["example.com"], "groups": ["asl-viewers"],
          "contact": "the safety team (#asl-dashboard)"}
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-secret", "client_id": "asl",
        "client_secret": "secret", "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}


def open_as(store, user: dict | None, page=None, **params) -> AppTest:
    return open_link(store, page, secrets={"auth": AUTH, "access": ACCESS}, user=user, **params)


def test_allowlist_rules():
    assert is_allowed("Someone@Example.com", None, ACCESS)  # domain, any case
    assert is_allowed("lead@partner.org", None, ACCESS)  # exact address
    assert is_allowed("x@other.org", ["asl-viewers", "staff"], ACCESS)  # group
    assert not is_allowed("x@other.org", ["staff"], ACCESS)
    assert not is_allowed("x@example.com.evil.org", None, ACCESS)
    assert not is_allowed(None, None, ACCESS)
    assert not is_allowed("example.com", None, ACCESS)  # no address at all
    assert not is_allowed("x@other.org", "staff", ACCESS) and is_allowed("x@other.org", "asl-viewers", ACCESS)


@pytest.mark.parametrize("email", [
    "eve@evil.org\n@example.com",  # the text after the last @ is on the list, the address is not one
    "eve@evil.org\r\n@example.com", '"eve@evil.org"@example.com', "eve@evil.org @example.com",
    "Eve <eve@example.com>", "@example.com", "eve@@example.com", "eve@example.com.", "eve@example.com\n",
])
def test_only_a_well_formed_address_counts(email):
    assert not is_allowed(email, None, ACCESS)


def test_a_well_formed_address_on_the_list_still_counts():
    assert is_allowed("First.Last+tag@EXAMPLE.com", None, ACCESS)
    assert is_allowed("someone@example.com", None, {"domains": ["@Example.COM "]})
    assert is_allowed("admin@corp.internal", None, {"domains": ["corp.internal"]})  # a lab's own domain
    assert is_allowed("someone@b\u00fccher.example", None, {"domains": ["xn--bcher-kva.example"]})


@pytest.mark.parametrize("claim", [False, "false", "False ", 0, "0", "no", None, ""])
def test_an_email_verified_claim_other_than_true_is_refused(lab_store, claim):
    app = open_as(lab_store, {"is_logged_in": True, "email": "boss@example.com", "email_verified": claim})
    assert app.title[0].value == "Not authorised" and not app.metric


@pytest.mark.parametrize("claim", [True, "true"])
def test_a_true_email_verified_claim_is_accepted(lab_store, claim):
    app = open_as(lab_store, {"is_logged_in": True, "email": "boss@example.com", "email_verified": claim},
                  as_of="2025-06-01")
    assert app.metric


@pytest.mark.parametrize("user", [
    {"is_logged_in": True, "email": "analyst@example.com"},
    {"is_logged_in": True, "email": "lead@partner.org"},
    {"is_logged_in": True, "email": "guest@other.org", "groups": ["asl-viewers"]},
], ids=["domain", "email", "group"])
def test_allowed_people_see_the_dashboard(lab_store, user):
    app = open_as(lab_store, user, as_of="2025-06-01")
    assert {metric.label for metric in app.metric} >= {"Triggered", "On track"}
    assert any(user["email"] in caption.value.replace("\\", "").replace("\u2060", "") for caption in app.sidebar.caption)


def test_a_person_not_on_the_list_sees_only_not_authorised(lab_store):
    app = open_as(lab_store, {"is_logged_in": True, "email": "eve@evil.org"}, "app_pages/trajectory.py", model="on-track")
    assert app.title[0].value == "Not authorised"
    message = app.error[0].value.replace("\\", "").replace("\u2060", "")
    assert "the safety team" in message and "eve@evil.org" in message
    assert not app.metric and not app.dataframe


def test_an_unverified_address_is_refused_even_on_the_allowlist(lab_store, audit_log):
    app = open_as(lab_store, {"is_logged_in": True, "email": "boss@example.com", "email_verified": False})
    assert app.title[0].value == "Not authorised"
    assert not app.metric
    record = json.loads(audit_log.read_text().splitlines()[-1])
    assert record["user"] == "boss@example.com" and record["access"] == "denied" and record["page"] == "/"


def test_signed_out_people_get_a_sign_in_button_and_no_data(lab_store):
    app = open_as(lab_store, {"is_logged_in": False})
    assert app.button[0].label == "Sign in"
    assert not app.metric and not app.dataframe


def test_local_mode_without_an_identity_provider(lab_store, monkeypatch):
    monkeypatch.setenv("ASL_STORE", str(lab_store))
    app = AppTest.from_file(APP, default_timeout=WAIT_S)
    app.run()
    assert any("Local mode, no sign-in" in caption.value for caption in app.sidebar.caption)


def test_no_sign_in_on_an_open_address_is_refused(lab_store, monkeypatch):
    monkeypatch.setenv("ASL_STORE", str(lab_store))
    previous = streamlit_config.get_option("server.address")
    streamlit_config.set_option("server.address", "0.0.0.0")
    try:
        app = AppTest.from_file(APP, default_timeout=WAIT_S)
        app.run()
    finally:
        streamlit_config.set_option("server.address", previous)
    assert "No sign-in is configured" in app.error[0].value
    assert not app.metric
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")


@pytest.mark.parametrize("server, viewer, allow_anyone, refused", [
    ("127.0.0.1", None, False, False),  # a browser on this machine
    ("127.0.0.1", "127.1.0.5", False, False),  # another loopback address
    ("127.0.0.1", "203.0.113.9", False, True),  # another machine, through a proxy on this one
    ("127.0.0.1", "2001:db8::1", False, True),
    ("0.0.0.0", None, False, True),  # listening on every address
    ("0.0.0.0", "203.0.113.9", True, False),  # --insecure-allow-anyone
    ("127.0.0.1", "203.0.113.9", True, False),
])
def test_without_sign_in_only_viewers_on_this_machine_see_data(server, viewer, allow_anyone, refused):
    assert auth.open_access_refused(server, viewer, allow_anyone=allow_anyone) is refused


def test_serve_refuses_an_open_address_without_sign_in():
    result = subprocess.run([sys.executable, "-m", "dashboard", "serve", "--address", "0.0.0.0"],
                            capture_output=True, text=True, timeout=WAIT_S)
    assert result.returncode == 2 and "refusing to serve on 0.0.0.0 without sign-in" in result.stderr


def test_serve_counts_only_a_complete_auth_section(tmp_path):
    complete = "\n".join(f'{key} = "x"' for key in auth.REQUIRED_AUTH_KEYS)
    (tmp_path / "commented.toml").write_text("# [auth]\n# client_id = 'x'\n")
    (tmp_path / "partial.toml").write_text('[auth]\nclient_id = "x"\n')
    (tmp_path / "complete.toml").write_text("[auth]\n" + complete + "\n")
    (tmp_path / "broken.toml").write_text("[auth\n")
    assert not sign_in_configured_in([tmp_path / "commented.toml", tmp_path / "missing.toml"])
    assert not sign_in_configured_in([tmp_path / "partial.toml", tmp_path / "broken.toml"])
    assert sign_in_configured_in([tmp_path / "broken.toml", tmp_path / "complete.toml"])


def test_a_link_kept_for_sign_in_expires_and_the_latest_link_wins(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    link = {"url_path": "trajectory", "params": {"model": ["a"]}}
    auth._remember_link("browser-1", link, client="192.0.2.1")
    assert auth._take_link("browser-1") == link
    assert auth._take_link("browser-1") is None  # taken once
    auth._remember_link("browser-1", link, client="192.0.2.1")
    auth._remember_link("browser-1", None, client="192.0.2.1")  # then the home page was opened: nothing to restore
    assert auth._take_link("browser-1") is None
    auth._remember_link("browser-1", link, client="192.0.2.1")
    clock[0] += auth.PENDING_LINK_SECONDS + 1
    assert auth._take_link("browser-1") is None


def test_a_flood_of_sessions_cannot_evict_a_link_kept_for_sign_in(monkeypatch):
    """Anyone can open sessions with made-up cookies: 10,050 of them from one address, then from
    10,050 addresses, leave the link another person keeps for after sign-in where it was."""
    monkeypatch.setattr(auth, "_pending", {})
    monkeypatch.setattr(auth, "_pending_by_client", {})
    kept = {"url_path": "reclassify", "params": {"model": ["base"], "asl": ["3"]}}
    flood = {"url_path": "trajectory", "params": {"model": ["x"]}}
    auth._remember_link("person", kept, client="192.0.2.10")
    for number in range(10_050):
        auth._remember_link(f"flood-{number}", flood, client="198.51.100.66")
    assert len(auth._pending_by_client["198.51.100.66"]) == auth.PENDING_LINKS_PER_CLIENT
    assert auth._take_link(f"flood-{10_049}") == flood  # the client's own latest links are kept
    for number in range(10_050):
        auth._remember_link(f"spread-{number}", flood, client=f"10.0.{number // 256}.{number % 256}")
    assert len(auth._pending) <= auth.PENDING_LINK_LIMIT
    assert auth._take_link("person") == kept


def test_pending_links_are_counted_by_client_address():
    assert auth.client_address(None) == "loopback"  # Streamlit gives no address for a loopback peer
    assert auth.client_address("203.0.113.7") == "203.0.113.7"
    assert auth.client_address("::ffff:203.0.113.7") == "203.0.113.7"
    # One IPv6 subscriber holds a whole /64: its addresses are one client.
    assert auth.client_address("2001:db8:1:2::1") == auth.client_address("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert auth.client_address("2001:db8:1:3::1") != auth.client_address("2001:db8:1:2::1")


def test_audit_log_records_who_opened_which_view(lab_store, audit_log):
    before = audit_log.read_text().splitlines() if audit_log.exists() else []
    open_as(lab_store, {"is_logged_in": True, "email": "analyst@example.com"}, "app_pages/trajectory.py",
            model="on-track", as_of="2025-06-01")
    records = [json.loads(line) for line in audit_log.read_text().splitlines()[len(before):]]
    assert records[-1]["user"] == "analyst@example.com"
    assert records[-1]["page"] == "/trajectory"
    assert records[-1]["params"] == {"as_of": ["2025-06-01"], "model": ["on-track"]}
    assert records[-1]["at"].endswith("+00:00")
    assert records[-1]["access"] == "allowed"


# --- The whole flow in a real browser ------------------------------------------------------------


def sign_in_home(home: Path, port: int, provider_port: int) -> Path:
    """A folder to run Streamlit in: the repository's config and secrets signing in at the provider."""
    (home / ".streamlit").mkdir()
    shutil.copy(REPO_ROOT / ".streamlit" / "config.toml", home / ".streamlit" / "config.toml")
    write_sign_in_secrets(home / ".streamlit", port, provider_port)
    return home


@pytest.fixture(scope="module")
def signed_in_server(lab_store, tmp_path_factory):
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub="lead", claims={"email": "lead@example.com", "name": "Lead"}),
             User(sub="eve", claims={"email": "eve@evil.org", "name": "Eve"}),
             User(sub="eve-newline", claims={"email": "eve@evil.org\n@example.com", "name": "Eve"}),
             User(sub="unverified", claims={"email": "boss@example.com", "email_verified": False, "name": "Boss"})]
    with run_server_in_thread(user_claims=users) as provider:
        port = free_port()
        home = sign_in_home(tmp_path_factory.mktemp("signin"), port, provider.server_port)
        with streamlit_server(lab_store, port=port, cwd=home, host="localhost",
                              log_path=home / "streamlit.log") as server:
            yield server


def write_sign_in_secrets(folder, port: int, provider_port: int) -> None:
    """A secrets.toml in folder: sign-in at the mock identity provider, example.com allowed."""
    (folder / "secrets.toml").write_text(f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "a-test-cookie-secret-of-some-length"
client_id = "asl-dashboard"
client_secret = "test-secret"
server_metadata_url = "http://localhost:{provider_port}/.well-known/openid-configuration"

[access]
domains = ["example.com"]
contact = "the safety team"
""")


def sign_in_as(page, subject: str) -> None:
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name='sub']")
    page.fill("input[name='sub']", subject)
    page.get_by_role("button", name="Authorize").click()
    wait_for_app(page)


@pytest.mark.browser
def test_sign_in_keeps_the_deep_link_and_sign_out_works(browser, signed_in_server):
    context = new_context(browser)
    page = context.new_page()
    page.goto(signed_in_server.url + "/trajectory?model=on-track&as_of=2025-06-01")
    wait_for_app(page)
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert page.locator("[data-testid='stMetricValue']").count() == 0
    assert page.locator(".st-key-page_menu").count() == 0  # not even the list of pages
    sign_in_as(page, "lead")
    page.wait_for_selector("[data-testid='stMetricValue']")
    wait_for_app(page)
    assert "/trajectory" in page.url and "model=on-track" in page.url and "as_of=2025-06-01" in page.url
    assert page.get_by_role("heading", name="On-Track").is_visible()
    assert page.get_by_text("lead@\u2060example.com").is_visible()  # a word joiner after @ stops a mail link
    assert page.locator(".st-key-page_menu").count() == 1
    page.get_by_role("button", name="Sign out").click()
    # Streamlit ends the session at the provider too (OIDC end_session), which asks to confirm.
    page.get_by_role("button", name="End session").click()
    page.wait_for_selector("button:has-text('Sign in')")
    assert page.locator("[data-testid='stMetricValue']").count() == 0
    context.close()


@pytest.mark.browser
def test_a_denied_person_sees_not_authorised(browser, signed_in_server):
    context = new_context(browser)
    page = context.new_page()
    page.goto(signed_in_server.url + "/")
    wait_for_app(page)
    sign_in_as(page, "eve")
    page.wait_for_selector("text=Not authorised")
    assert page.get_by_text("Ask the safety team for access").is_visible()
    assert page.locator("[data-testid='stMetricValue']").count() == 0
    page.goto(signed_in_server.url + "/reclassify?model=on-track&asl=3")  # a deep link shows no more
    wait_for_app(page)
    assert page.get_by_role("heading", name="Not authorised").is_visible()
    assert page.locator("[data-testid='stMetricValue']").count() == 0
    assert page.locator(".st-key-page_menu").count() == 0
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("subject", ["eve-newline", "unverified"])
def test_a_malformed_or_unverified_address_from_the_provider_is_not_authorised(browser, signed_in_server, subject):
    """The provider's ID token says `eve@evil.org\n@example.com` (ends in an allowed domain) or
    `boss@example.com` with email_verified false: neither gets in."""
    context = new_context(browser)
    page = context.new_page()
    page.goto(signed_in_server.url + "/?as_of=2025-06-01")
    wait_for_app(page)
    sign_in_as(page, subject)
    page.wait_for_selector("text=Not authorised")
    assert page.locator("[data-testid='stMetricValue']").count() == 0
    assert page.locator(".st-key-page_menu").count() == 0
    context.close()


def kept_link_survives(browser, server, while_at_provider) -> None:
    """Open a deep link signed out and click Sign in (its last signed-out run keeps the link); while
    the browser is at the identity provider, run while_at_provider; then finish signing in and
    check the browser comes back to that link."""
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url + "/reclassify?model=base&asl=3&as_of=2025-06-01")
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("input[name='sub']")
    while_at_provider()
    page.fill("input[name='sub']", "lead")
    page.get_by_role("button", name="Authorize").click()
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stMetricValue']")
    wait_for_app(page)
    assert "/reclassify" in page.url and "model=base" in page.url and "asl=3" in page.url
    context.close()


@pytest.mark.browser
def test_sessions_from_another_address_leave_a_kept_link_alone(browser, signed_in_server):
    """The real server counts kept links by client address: more sessions than one client may keep,
    from an address a proxy on 127.0.0.1 forwards (X-Forwarded-For, which uvicorn honours only from
    there), each with a cookie of its own, do not evict the link this browser keeps."""
    from bench.meeting import open_link_sync

    def flood():
        for number in range(auth.PENDING_LINKS_PER_CLIENT + 1):
            view = open_link_sync(signed_in_server.url, f"/trajectory?model=on-track&n={number}",
                                  headers={"X-Forwarded-For": "203.0.113.7", "Cookie": f"_streamlit_xsrf=flood-{number}"})
            assert view.finished and not view.refused

    kept_link_survives(browser, signed_in_server, flood)


@pytest.mark.browser
def test_the_deep_link_survives_a_clear_cache_message_during_sign_in(browser, signed_in_server):
    """Any websocket client may send Streamlit's clear-cache message; a link kept
    for after sign-in must not live in a cache that message empties."""
    from bench.meeting import open_link_sync

    def clear_every_cache():
        # An anonymous client, as anyone could write it, empties every st.cache_data and st.cache_resource.
        cleared = open_link_sync(signed_in_server.url, "/", clear_cache=True)
        assert cleared.finished and not cleared.refused

    kept_link_survives(browser, signed_in_server, clear_every_cache)
