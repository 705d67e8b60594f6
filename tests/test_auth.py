"""Access control (issue 8): allow and deny through AppTest's user, local mode, the refusal to serve
openly without sign-in, the audit log, and the whole sign-in flow in a real browser against a
local OpenID Connect provider (oidc-provider-mock) started by the test."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

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
    auth._remember_link("browser-1", link)
    assert auth._take_link("browser-1") == link
    assert auth._take_link("browser-1") is None  # taken once
    auth._remember_link("browser-1", link)
    auth._remember_link("browser-1", None)  # then the home page was opened: nothing to restore
    assert auth._take_link("browser-1") is None
    auth._remember_link("browser-1", link)
    clock[0] += auth.PENDING_LINK_SECONDS + 1
    assert auth._take_link("browser-1") is None


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


@pytest.fixture(scope="module")
def signed_in_server(lab_store, tmp_path_factory):
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub="lead", claims={"email": "lead@example.com", "name": "Lead"}),
             User(sub="eve", claims={"email": "eve@evil.org", "name": "Eve"})]
    with run_server_in_thread(user_claims=users) as provider:
        port = free_port()
        home = tmp_path_factory.mktemp("signin")
        (home / ".streamlit").mkdir()
        shutil.copy(REPO_ROOT / ".streamlit" / "config.toml", home / ".streamlit" / "config.toml")
        (home / ".streamlit" / "secrets.toml").write_text(f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "a-test-cookie-secret-of-some-length"
client_id = "asl-dashboard"
client_secret = "test-secret"
server_metadata_url = "http://localhost:{provider.server_port}/.well-known/openid-configuration"

[access]
domains = ["example.com"]
contact = "the safety team"
""")
        with streamlit_server(lab_store, port=port, cwd=home, host="localhost",
                              log_path=home / "streamlit.log") as server:
            yield server


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
    assert page.locator("[data-testid='stSidebarNav']").count() == 0  # not even the list of pages
    sign_in_as(page, "lead")
    page.wait_for_selector("[data-testid='stMetricValue']")
    wait_for_app(page)
    assert "/trajectory" in page.url and "model=on-track" in page.url and "as_of=2025-06-01" in page.url
    assert page.get_by_role("heading", name="On-Track").is_visible()
    assert page.get_by_text("lead@\u2060example.com").is_visible()  # a word joiner after @ stops a mail link
    assert page.locator("[data-testid='stSidebarNav']").count() == 1
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
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    context.close()


@pytest.mark.browser
def test_the_deep_link_survives_a_clear_cache_message_during_sign_in(browser, signed_in_server):
    """Issue 13 item 10: any websocket client may send Streamlit's clear-cache message; a link kept
    for after sign-in must not live in a cache that message empties."""
    from bench.meeting import open_link_sync

    context = new_context(browser)
    page = context.new_page()
    page.goto(signed_in_server.url + "/reclassify?model=base&asl=3&as_of=2025-06-01")
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").click()  # the last signed-out run: the link is kept
    page.wait_for_selector("input[name='sub']")  # now at the identity provider
    # An anonymous client, as anyone could write it, empties every st.cache_data and st.cache_resource.
    cleared = open_link_sync(signed_in_server.url, "/", clear_cache=True)
    assert cleared.finished and not cleared.refused
    page.fill("input[name='sub']", "lead")
    page.get_by_role("button", name="Authorize").click()
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stMetricValue']")
    wait_for_app(page)
    assert "/reclassify" in page.url and "model=base" in page.url and "asl=3" in page.url
    context.close()
