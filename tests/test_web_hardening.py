"""The web side: DNS rebinding (Host and Origin checks on HTTP and websocket), the audit
log's escaping and size limits, and sign-in links that survive Streamlit's clear-cache message."""
from __future__ import annotations

import json
import os
import signal
import urllib.request
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config as streamlit_config

from dashboard import auth
from dashboard.auth import host_allowed, host_name, serve_allowed_hosts
from bench.meeting import open_link_sync
from bench.server import CHROMIUM_ARGS, chromium_path, wait_for_app, wait_healthy
from pagelinks import open_link
from waits import WAIT_S, new_context, streamlit_server

# --- Item 5: which hosts are served --------------------------------------------------------------


def test_host_names_are_parsed_strictly():
    assert host_name("127.0.0.1:8501") == "127.0.0.1"
    assert host_name("[::1]:8501") == "::1"
    assert host_name("LocalHost.:8501") == "localhost"
    assert host_name("http://evil.example:8501") == "evil.example"
    assert host_name("https://dash.example.org/oauth2callback") is None  # a path is not a Host or an Origin
    assert host_name("https://dash.example.org") == "dash.example.org"
    for bad in (None, "", "user@localhost", "localhost:99999", "localhost:abc", "null"):
        assert host_name(bad) in (None, "null"), bad


@pytest.mark.parametrize("name, local, signed_in, open_server", [
    # name                 local  sign-in open (--insecure-allow-anyone)
    ("localhost", True, True, True),
    ("127.0.0.1", True, True, True),
    ("127.8.9.10", True, True, True),  # all of 127.0.0.0/8
    ("::1", True, True, True),
    ("evil.example", False, False, False),  # a rebound name is never served
    ("localhost.evil.example", False, False, False),
    ("127.0.0.1.nip.io", False, False, False),
    ("dash.example.org", False, True, True),  # the configured public host
    ("sub.dash.example.org", False, False, False),
    ("192.168.1.20", False, False, True),  # an IP address is never rebound: only an open server serves it
    ("null", False, False, False),
    (None, False, False, False),
])
def test_hosts_served_in_each_mode(name, local, signed_in, open_server):
    configured = {"dash.example.org"}
    assert host_allowed(name, signed_in_mode=False, open_mode=False, configured=configured) is local
    assert host_allowed(name, signed_in_mode=True, open_mode=False, configured=configured) is signed_in
    assert host_allowed(name, signed_in_mode=False, open_mode=True, configured=configured) is open_server


def test_serve_limits_streamlits_websocket_to_the_served_hosts(tmp_path, monkeypatch):
    monkeypatch.delenv("ASL_PUBLIC_URL", raising=False)
    assert serve_allowed_hosts("127.0.0.1", [], open_mode=False) == ["localhost", "127.0.0.1", "::1"]
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[auth]\n" + "\n".join(f'{key} = "x"' for key in auth.REQUIRED_AUTH_KEYS if key != "redirect_uri")
                       + '\nredirect_uri = "https://dash.example.org/oauth2callback"\n')
    assert serve_allowed_hosts("0.0.0.0", [secrets], open_mode=False) == ["localhost", "127.0.0.1", "::1",
                                                                          "dash.example.org"]
    monkeypatch.setenv("ASL_PUBLIC_URL", "https://asl.example.org/")
    assert serve_allowed_hosts("0.0.0.0", [secrets], open_mode=False)[-1] == "asl.example.org"
    assert serve_allowed_hosts("0.0.0.0", [], open_mode=True) == []  # the app still checks every request


@pytest.fixture(scope="module")
def lab_server(lab_store, tmp_path_factory):
    with streamlit_server(lab_store, log_path=tmp_path_factory.mktemp("logs") / "streamlit.log") as server:
        yield server


FORGED = [
    {"Host": "evil.example:{port}", "Origin": "http://evil.example:{port}"},  # DNS rebinding as a browser does it
    {"Host": "evil.example:{port}"},
    {"Host": "127.0.0.1:{port}", "Origin": "http://evil.example:{port}"},  # a foreign page's origin
    {"Host": "127.0.0.1:{port}", "Origin": "null"},
    {"Host": "localhost.evil.example:{port}", "Origin": "http://localhost.evil.example:{port}"},
]


@pytest.mark.parametrize("headers", FORGED, ids=lambda headers: "+".join(f"{k}={v}" for k, v in headers.items()))
def test_a_forged_host_or_origin_gets_no_data_over_the_websocket(lab_server, audit_log, headers):
    forged = {key: value.format(port=lab_server.port) for key, value in headers.items()}
    lines_before = len(audit_log.read_text().splitlines()) if audit_log.exists() else 0
    answered_by_the_app = 0  # refusals past the handshake (the app's own refusal page)
    for link in ("/", "/reclassify?model=base&asl=3&domain=cbrn&as_of=2025-06-01", "/trajectory?model=on-track"):
        view = open_link_sync(lab_server.url, link, headers=forged)
        answered_by_the_app += not view.refused
        # Refused: either the handshake (server config) or the refusal page, and nothing else.
        assert view.refused or view.element_types == ["alert"], (link, view.element_types)
        text = view.text()
        assert "Data set" not in text and "On-Track" not in text and "base" not in text
    # The app logs each refusal it shows (a handshake Streamlit refused never reaches the app).
    # Other servers of the same test run write to the same log: look at this test's own lines.
    records = [json.loads(line) for line in audit_log.read_text().splitlines()[lines_before:]]
    refused = [record for record in records if record["access"] == "refused_host"
               and f":{lab_server.port}" in record["page"]]
    assert len(refused) >= min(answered_by_the_app, 1), records[-3:]
    assert all(record["user"] == "anonymous" for record in refused)


def test_the_real_host_still_gets_the_page(lab_server):
    port = lab_server.port
    for headers in ({}, {"Host": f"127.0.0.1:{port}", "Origin": f"http://127.0.0.1:{port}"},
                    {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"}):
        view = open_link_sync(lab_server.url, "/trajectory?model=on-track&as_of=2025-06-01", headers=headers)
        assert view.ok, (headers, view.problem, view.errors)
        assert "Data set" in view.text() and "metric" in view.element_types


def test_a_forged_host_gets_no_data_over_http(lab_server):
    """HTTP serves only the static shell (no data ever travels outside the websocket)."""
    for path in ("/", "/trajectory?model=on-track", "/_stcore/host-config", "/_stcore/health"):
        request = urllib.request.Request(lab_server.url + path, headers={"Host": "evil.example",
                                                                          "Origin": "http://evil.example"})
        try:
            with urllib.request.urlopen(request, timeout=WAIT_S) as response:
                body = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
        assert "On-Track" not in body and "rsp-v1.0" not in body and "Data set" not in body


@pytest.mark.browser
def test_dns_rebinding_in_a_real_browser(browser_type, lab_server):
    """Chromium resolves evil.example to 127.0.0.1, exactly as a rebound name would: the page shows
    the refusal and no data, while the same server on 127.0.0.1 shows the page."""
    executable = chromium_path(headless_shell=True)
    if executable is None:
        pytest.skip("no system Chromium")
    browser = browser_type.launch(executable_path=executable,
                                  args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"])
    try:
        page = new_context(browser).new_page()
        page.goto(f"http://evil.example:{lab_server.port}/trajectory?model=on-track&as_of=2025-06-01")
        wait_for_app(page)
        main = page.locator("[data-testid='stMain']").inner_text()
        assert "answers only at its own address" in main
        assert "On-Track" not in main and "Data set" not in main
        assert page.locator("[data-testid='stMetricValue']").count() == 0
        assert page.locator(".st-key-page_menu").count() == 0
        page.goto(f"{lab_server.url}/trajectory?model=on-track&as_of=2025-06-01")
        page.wait_for_selector("[data-testid='stMetricValue']")
    finally:
        browser.close()


# --- Item 9: the audit log -----------------------------------------------------------------------


def test_audit_lines_are_ascii_and_capped(lab_store, audit_log):
    before = len(audit_log.read_text().splitlines()) if audit_log.exists() else 0
    long_value = "x" * 60_000
    open_link(lab_store, "app_pages/trajectory.py", model="on\u2028track\u2029\u0085\r\n\"}", note=long_value)
    raw = audit_log.read_bytes()
    assert raw.isascii()
    # A reader that splits on every Unicode line break still gets whole records.
    lines = raw.decode("ascii").splitlines()
    assert len(lines) == before + 1
    record = json.loads(lines[-1])
    assert record["params"]["model"] == ["on\u2028track\u2029\u0085\r\n\"}"]
    assert record["params"]["note"][0].startswith("x" * auth.AUDIT_VALUE_LIMIT + "...[cut: 60,000 characters]")
    assert len(lines[-1]) < 1000


def test_audit_caps_the_number_of_parameters():
    params = {f"p{index:03}": [str(index)] * 50 for index in range(100)}
    logged = auth._audit_params(params)
    assert len(logged) == auth.AUDIT_PARAMS_LIMIT + 1 and logged["...[cut]"] == ["80 more parameters"]
    assert logged["p000"][-1] == "...[cut: 40 more values]" and len(logged["p000"]) == auth.AUDIT_VALUES_LIMIT + 1


def test_the_refusal_on_an_open_address_is_logged(lab_store, audit_log):
    previous = streamlit_config.get_option("server.address")
    streamlit_config.set_option("server.address", "0.0.0.0")
    try:
        app = open_link(lab_store, "app_pages/reclassify.py", model="base")
    finally:
        streamlit_config.set_option("server.address", previous)
    assert "No sign-in is configured" in app.error[0].value
    record = json.loads(audit_log.read_text().splitlines()[-1])
    assert record["access"] == "refused_open_address" and record["page"] == "/reclassify"
    assert record["params"] == {"model": ["base"]}


# --- Item 10: caches may be emptied at any time ---------------------------------------------------


def test_a_pending_sign_in_link_survives_clearing_every_cache():
    link = {"url_path": "reclassify", "params": {"model": ["base"], "asl": ["3"]}}
    auth._remember_link("browser-cleared", link, client="192.0.2.1")
    st.cache_data.clear()
    st.cache_resource.clear()
    assert auth._take_link("browser-cleared") == link


# --- Item 11: the meeting bench (a smoke test of its report: no timing is asserted) --------------


def test_meeting_bench_reports_its_figures_with_no_errors():
    from bench import meeting as bench_meeting
    from dashboard.store import DEMO_DIR

    results = bench_meeting.run(3, scale="demo", folder=DEMO_DIR, singles=1, say=lambda _: None)
    assert results["errors"] == 0, results["error_examples"]
    assert results["snapshot_published"] and results["sessions"] == 3
    assert results["link"].startswith("/reclassify?model=")
    for key in ("single_s", "single_cpu_s", "p50_s", "p95_s", "sessions_per_s", "cpu_per_session_s", "cpu_ratio"):
        assert isinstance(results[key], (int, float)) and results[key] >= 0, key
    fair = results["fairness"]  # another viewer's cached overview while 127.0.0.2's sessions load the server
    assert fair["errors"] == 0, fair["error_examples"]
    assert fair["sessions"] == 3 and fair["load_runs_finished"] >= 1 and fair["load_errors"] == 0
    for key in ("unloaded_s", "loaded_s", "ratio"):
        assert isinstance(fair[key], (int, float)) and fair[key] > 0, key
    text = bench_meeting.report(results)
    assert "3 sessions" in text and "p95" in text and "CPU per session" in text
    assert f"alone {fair['unloaded_s']:.2f} s, and {fair['loaded_s']:.2f} s while 3 sessions from 127.0.0.2" in text
    assert f"= {fair['ratio']} x unloaded" in text and "(<= 2 x" in text
    line = json.loads(bench_meeting.json_line(results))
    assert line["errors"] == 0 and line["fairness"]["ratio"] == fair["ratio"]


@pytest.mark.parametrize(("value", "cores", "limit"), [
    (None, 2, 2), (None, 1, 2), (None, None, 2), (None, 16, 16), (None, 512, 64), ("", 8, 8), (" 3 ", 2, 3),
    ("1", 2, 1), ("0", 2, 2), ("-4", 2, 2), ("65", 2, 2), ("two", 2, 2), ("nan", 4, 4), ("1e9", 2, 2)])
def test_page_run_limit_from_the_variable_or_the_cores(value, cores, limit):
    from dashboard.settings import page_runs_limit_from as limit_from

    assert limit_from(value, cores) == limit


def test_page_runs_beyond_the_limit_wait_their_turn():
    """The meeting fix: with every slot held, one more run waits, and runs when a slot is
    released, however the holder's run ended (here: an exception, as st.stop and reruns raise)."""
    import threading

    from dashboard import page_runs

    holders_in, release = threading.Barrier(page_runs.LIMIT + 1), threading.Event()
    entered = threading.Event()

    def holder(client):
        try:
            with page_runs.slot(client):
                holders_in.wait(5)
                release.wait(5)
                raise RuntimeError("the run stopped")
        except RuntimeError:
            pass

    def one_more():
        with page_runs.slot("one more"):
            entered.set()

    # One client's runs hold all slots but one: each holder is another client.
    threads = [threading.Thread(target=holder, args=(f"holder {index}",)) for index in range(page_runs.LIMIT)]
    for thread in threads:
        thread.start()
    holders_in.wait(5)
    extra = threading.Thread(target=one_more)
    extra.start()
    assert not entered.wait(0.3), "a run started although every slot was held"
    release.set()
    assert entered.wait(5), "the waiting run never started after the slots were released"
    for thread in threads + [extra]:
        thread.join(5)


def test_serve_makes_streamlits_own_websocket_refuse_a_foreign_host(lab_store, tmp_path):
    """`asl-dashboard serve` passes the served host names to Streamlit's server.allowedHosts: the
    websocket handshake itself is refused for evil.example, before the app runs at all."""
    import subprocess
    import sys

    from bench.server import free_port

    port = free_port()
    env = dict(os.environ, ASL_STORE=str(lab_store))
    env.pop("ASL_INSECURE_ALLOW_ANYONE", None)
    process = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, WAIT_S)
        forged = open_link_sync(url, "/", headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"})
        assert forged.refused and not forged.element_types  # closed by Streamlit, nothing rendered
        assert open_link_sync(url, "/?as_of=2025-06-01").ok
    finally:
        os.killpg(process.pid, 15)
        process.wait(15)


# --- An audit log that cannot be written ---------------------------------------------------------


def test_an_unwritable_audit_log_is_logged_once_not_per_view(caplog, monkeypatch):
    monkeypatch.setenv("ASL_AUDIT_LOG", "/dev/full")  # a full disk, for root too
    monkeypatch.setattr(auth, "_audit_failing", False, raising=False)
    record = {"at": "2026-01-01T00:00:00+00:00", "user": "local", "page": "/", "params": {}, "access": "allowed"}
    with caplog.at_level("WARNING", logger="asl_dashboard"):
        assert [auth.write_audit(record) for _ in range(3)] == [False, False, False]
    failures = [entry for entry in caplog.records if "cannot be written" in entry.getMessage()]
    assert len(failures) == 1 and "/dev/full" in failures[0].getMessage() and not failures[0].exc_info


def test_a_full_disk_under_the_audit_log_leaves_the_page_working_with_a_notice(lab_store, monkeypatch):
    monkeypatch.setenv("ASL_AUDIT_LOG", "/dev/full")
    app = open_link(lab_store, as_of="2025-06-01")  # open_link asserts no exception
    assert {metric.label for metric in app.metric} >= {"Triggered", "On track"}
    assert any("audit log cannot be written" in warning.value for warning in app.warning)


@pytest.fixture(scope="module")
def server_without_audit_log(lab_store, tmp_path_factory):
    """A server whose audit log path is an existing folder: opening it for appending fails, for root too."""
    folder = tmp_path_factory.mktemp("audit-is-a-folder")
    log_path = tmp_path_factory.mktemp("logs") / "streamlit.log"
    with streamlit_server(lab_store, extra_env={"ASL_AUDIT_LOG": str(folder)}, log_path=log_path) as server:
        yield server, log_path


@pytest.mark.browser
def test_an_unwritable_audit_log_leaves_the_pages_working_with_a_notice(page, server_without_audit_log):
    server, log_path = server_without_audit_log
    for link in ("/?as_of=2025-06-01", "/trajectory?model=on-track&as_of=2025-06-01"):
        page.goto(server.url + link)
        page.wait_for_selector("[data-testid='stMetricValue']")
        wait_for_app(page)
        assert page.get_by_text("The audit log cannot be written").is_visible()
        assert page.locator("[data-testid='stException']").count() == 0
    log = log_path.read_text()
    assert log.count("cannot be written") == 1, log  # once, not once per view
    assert "Traceback" not in log


@pytest.mark.parametrize("where", ["a folder in its place", "under /proc"])
def test_serve_refuses_to_start_when_the_audit_log_cannot_be_written(lab_store, tmp_path, where):
    import subprocess
    import sys

    from bench.server import free_port

    (tmp_path / "folder").mkdir()
    audit_path = {"a folder in its place": tmp_path / "folder", "under /proc": "/proc/asl-audit/views.jsonl"}[where]
    env = dict(os.environ, ASL_STORE=str(lab_store), ASL_AUDIT_LOG=str(audit_path))
    process = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(free_port())], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # it started a server after all
        os.killpg(process.pid, 9)
        process.communicate()
        pytest.fail("serve started although its audit log cannot be written")
    assert process.returncode == 2
    assert err.startswith(f"error: the audit log {audit_path} cannot be written (") and err.count("\n") == 1, err
    assert out == ""


# --- Stopping `serve` stops its server -----------------------------------------------------------


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = {int(child) for child in (task / "children").read_text().split()}
            except OSError:
                continue
            todo.extend(children - found)
            found |= children
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (state Z or X in /proc/<pid>/stat)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] not in "ZX"


def _serves(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_stopping_serve_stops_its_server(lab_store, signal_number):
    """`kill <pid of asl-dashboard serve>` (SIGTERM, or SIGHUP when its terminal goes) leaves no server
    on the port and no process behind."""
    import subprocess
    import sys
    import time

    from bench.server import free_port

    port = free_port()
    env = dict(os.environ, ASL_STORE=str(lab_store))
    process = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, timeout=WAIT_S)
        started = {process.pid} | _descendants(process.pid)
        process.send_signal(signal_number)
        process.wait(WAIT_S)
        deadline = time.monotonic() + WAIT_S
        while (_serves(port) or any(_running(pid) for pid in started)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _serves(port), "a server still answers on the port"
        assert not [pid for pid in started if _running(pid)], "processes left running"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the session it started
        except ProcessLookupError:
            pass
        process.wait(15)
