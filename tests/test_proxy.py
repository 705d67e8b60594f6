"""`asl-dashboard serve --replicas 2`: two real dashboard processes behind a real nginx on 127.0.0.1.

Sessions stay on their process, a link opens the same view on either, a new snapshot reaches both,
sign-in works through the proxy, and a killed process's viewers reconnect to the other."""
from __future__ import annotations

import json
import os
import shutil
import signal
import urllib.request

import pytest

from bench.server import free_port, wait_for_app
from browsing import open_view_controls
from clirun import run_cli
from conftest import quiet
from dashboard.ingest import ingest
from dashboard.proxy import ProxyError, find_nginx, listen_directive, nginx_config
from dashboard.replicas import healthy
from labdata import status_lab_tables, write_folder
from test_auth import sign_in_as, write_sign_in_secrets
from waits import WAIT_S, new_context, replicated_server, wait_for

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None and not os.path.exists("/usr/sbin/nginx")
                                and os.environ.get("CI") != "true", reason="nginx is not installed")


# --- The configuration, without a server -------------------------------------------------------


def test_the_configuration_spreads_sessions_by_a_route_cookie(tmp_path):
    config = nginx_config(address="127.0.0.1", port=8080, process_ports=[9001, 9002], work_dir=tmp_path,
                          worker_user=None)
    assert "hash $asl_route consistent;" in config
    assert "server 127.0.0.1:9001 " in config and "server 127.0.0.1:9002 " in config
    assert "listen 127.0.0.1:8080;" in config
    assert "asl-dashboard-routing.conf" in config and "asl-dashboard-location.conf" in config


@pytest.mark.parametrize("address, expected", [("127.0.0.1", "127.0.0.1:80"), ("::1", "[::1]:80"),
                                               ("[::]", "[::]:80"), ("localhost", "localhost:80")])
def test_listen_directive(address, expected):
    assert listen_directive(address, 80) == expected


@pytest.mark.parametrize("address", ["example.org", "1.2.3.4; include /etc/passwd", "", "127.0.0.1:80"])
def test_an_address_that_is_not_an_ip_address_is_refused(address):
    with pytest.raises(ProxyError):
        listen_directive(address, 80)


def test_a_path_nginx_would_read_as_syntax_is_refused(tmp_path):
    with pytest.raises(ProxyError, match="quote"):
        nginx_config(address="127.0.0.1", port=80, process_ports=[1], work_dir=tmp_path / 'a";b', worker_user=None)


def test_serve_replicas_without_nginx_says_so_in_one_line(tmp_path, monkeypatch, demo_store):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("dashboard.proxy._NGINX_PLACES", ())
    with pytest.raises(ProxyError, match="nginx is not installed"):
        find_nginx()
    result = run_cli("serve", "--store", demo_store, "--replicas", "2", "--port", free_port())
    assert result.returncode == 2 and result.stderr.strip().count("\n") == 0
    assert "nginx is not installed" in result.stderr


@pytest.mark.parametrize("value", ["0", "-1", "65", "two", "1e3"])
def test_a_replica_count_out_of_range_is_refused(value):
    result = run_cli("serve", "--replicas", value)
    assert result.returncode == 2 and "--replicas" in result.stderr


# --- Two processes behind nginx ------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """serve --replicas 2 with sign-in (a mock identity provider), on a lab store of its own."""
    from oidc_provider_mock import User, run_server_in_thread

    home = tmp_path_factory.mktemp("proxyhome")
    folder = write_folder(home / "lab", status_lab_tables())
    store = home / "store" / "lab.duckdb"
    store.parent.mkdir()
    ingest(folder, store, progress=quiet, dataset="first data set")
    users = [User(sub="lead", claims={"email": "lead@example.com", "name": "Lead"}),
             User(sub="product", claims={"email": "product@example.com", "name": "Product"})]
    port = free_port()
    audit = home / "views.jsonl"
    with run_server_in_thread(user_claims=users) as provider:
        (home / ".streamlit").mkdir()
        write_sign_in_secrets(home / ".streamlit", port, provider.server_port)
        with replicated_server(store, 2, home / "serve.log", port=port, host="localhost",
                               extra_env={"HOME": str(home), "ASL_AUDIT_LOG": str(audit)}) as server:
            server.folder, server.audit = folder, audit
            yield server


def routes_by_process(server, count: int = 2) -> dict[str, str]:
    """upstream (127.0.0.1:port) -> a route cookie value nginx sends there, for each process."""
    found: dict[str, str] = {}
    for index in range(200):
        value = f"probe-{index}"
        request = urllib.request.Request(server.url + "/_stcore/health", headers={"Cookie": f"asl_route={value}"})
        with urllib.request.urlopen(request, timeout=WAIT_S) as answer:
            assert answer.status == 200
        upstream = wait_for(lambda: next((row["upstream"] for row in server.requests() if row["route"] == value), None))
        found.setdefault(upstream, value)
        if len(found) == count:
            return found
    raise AssertionError(f"200 route cookies reached only {sorted(found)}")


def open_on(browser, server, route: str | None, path: str):
    """A new browser (context) whose route cookie is route, signed in as the lead, at path."""
    context = new_context(browser)
    if route:
        context.add_cookies([{"name": "asl_route", "value": route, "url": server.url}])
    page = context.new_page()
    page.goto(server.url + path)
    wait_for_app(page)
    sign_in_as(page, "lead")
    page.wait_for_selector(".st-key-page_menu")
    wait_for_app(page)
    return context, page


def route_of(context) -> str:
    return next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "asl_route")


def choose_policy(page, index: int) -> str:
    """Pick the sidebar's policy option at index (a rerun); the policy id the URL then carries."""
    before = page.evaluate("() => new URLSearchParams(location.search).get('policy')")
    open_view_controls(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Policy").click()
    page.get_by_role("option").nth(index).click()
    page.wait_for_function("before => (new URLSearchParams(location.search).get('policy') || null) !== before",
                           arg=before)
    wait_for_app(page)
    return page.evaluate("() => new URLSearchParams(location.search).get('policy')")


@pytest.mark.browser
def test_a_session_stays_on_its_process_through_many_reruns(browser, proxied):
    context, page = open_on(browser, proxied, None, "/trajectory?model=on-track")
    route = route_of(context)

    def streams():
        return [row for row in proxied.requests() if row["route"] == route and row["path"].startswith("/_stcore/stream")]

    before_sign_in = wait_for(streams)  # the page before sign-in closed its websocket when it left
    chosen = [choose_policy(page, index % 2) for index in range(8)]
    assert len(set(chosen)) == 2 and all(chosen)
    assert page.evaluate("() => new URLSearchParams(location.search).get('model')") == "on-track"
    context.close()
    # A websocket's line is written when it closes: one for the whole signed-in session, on the
    # process that served every other request of this browser.
    wait_for(lambda: len(streams()) > len(before_sign_in))
    assert len(streams()) == len(before_sign_in) + 1, streams()
    upstreams = {row["upstream"] for row in proxied.requests() if row["route"] == route}
    assert len(upstreams) == 1, upstreams


@pytest.mark.browser
def test_a_link_opens_the_same_view_through_either_process(browser, proxied):
    routes = routes_by_process(proxied)
    link = "/reclassify?model=triggered&asl=3&as_of=2025-06-01"
    seen = {}
    for upstream, route in routes.items():
        context, page = open_on(browser, proxied, route, link)
        assert "model=triggered" in page.url and "asl=3" in page.url
        seen[upstream] = page.locator("[data-testid='stMain']").inner_text()
        context.close()
    first, second = seen.values()
    assert first == second and "Triggered" in first
    served = {row["upstream"] for row in proxied.requests() if row["route"] in routes.values()}
    assert served == set(routes)
    # Both processes recorded their views, under the signed-in person, in the one audit log.
    records = [json.loads(line) for line in proxied.audit.read_text().splitlines()]
    assert sum(1 for record in records if record.get("user") == "lead@example.com"
               and record.get("page") == "/reclassify") >= 2


@pytest.mark.browser
def test_a_snapshot_published_mid_session_reaches_both_processes(browser, proxied, tmp_path):
    routes = routes_by_process(proxied)
    opened = [open_on(browser, proxied, route, "/") for route in routes.values()]
    for _, page in opened:
        page.get_by_text("first data set").first.wait_for()
    corrected = status_lab_tables()
    corrected["models"][0]["name"] = "Base, renamed"  # new content: an equal one would add no snapshot
    ingest(write_folder(tmp_path / "corrected", corrected), proxied.store, progress=quiet, dataset="second data set")
    for context, page in opened:
        page.goto(proxied.url + "/")
        wait_for_app(page)
        page.get_by_text("second data set").first.wait_for()
        context.close()


@pytest.mark.browser
def test_a_killed_process_s_viewers_reconnect_to_the_other(browser, proxied):
    routes = routes_by_process(proxied)
    (victim_upstream, victim_route), (other_upstream, other_route) = routes.items()
    victim_context, victim_page = open_on(browser, proxied, victim_route, "/trajectory?model=on-track")
    other_context, other_page = open_on(browser, proxied, other_route, "/trajectory?model=due-time")
    number, (port, pid) = next((number, entry) for number, entry in proxied.processes().items()
                               if f"127.0.0.1:{entry[0]}" == victim_upstream)
    os.kill(pid, signal.SIGKILL)
    # The browser reconnects by itself; nginx sends it to the other process, which runs the page again.
    victim_page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    wait_for_app(victim_page)
    assert victim_page.get_by_role("heading", name="On-Track").is_visible()
    assert "model=on-track" in victim_page.url
    # Going on from there: another page, then a change of policy, both on the other process.
    victim_page.get_by_role("link", name="Overview").click()
    # On a busy machine the overview's run can start after wait_for_app's settle time: a policy chosen
    # on the trajectory page still shown would be dropped by that run. Wait for the overview itself.
    victim_page.wait_for_function("!location.pathname.includes('trajectory')")
    victim_page.get_by_role("button", name="Filter models").wait_for()
    wait_for_app(victim_page)
    choose_policy(victim_page, 1)
    assert any(row["route"] == victim_route and row["upstream"] == other_upstream for row in proxied.requests())
    # The other process's viewer never noticed.
    choose_policy(other_page, 1)
    assert other_page.get_by_role("heading", name="Due-Time").is_visible()
    # serve starts the killed process again on its port.
    restarted = wait_for(lambda: proxied.processes()[number][1] != pid and proxied.processes()[number])
    assert restarted[0] == port
    wait_for(lambda: healthy(port))
    victim_context.close()
    other_context.close()


def test_stopping_serve_stops_every_process_and_nginx(tmp_path, demo_store):
    with replicated_server(demo_store, 2, tmp_path / "serve.log") as server:
        pids = [pid for _, pid in server.processes().values()]
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
        with urllib.request.urlopen(server.url + "/_stcore/health", timeout=WAIT_S) as answer:
            assert answer.status == 200
        serve = server.process
    assert serve.returncode == 0
    wait_for(lambda: not any(_alive(pid) for pid in pids))
    assert "nginx" not in _children_of_nobody_left(server.port)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def _children_of_nobody_left(port: int) -> str:
    """Whatever still listens on the proxy's port ('' when nothing)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
            return "nginx still answers"
    except OSError:
        return ""


def test_a_small_meeting_through_nginx_with_two_processes_and_with_one():
    """bench --meeting 4 --replicas 2 on the demo data, for real (no figure judged: that is the
    benchmark's job): both configurations run, every session finishes, each session's page and
    websocket share one route cookie and one process, and every session is counted on a process."""
    from bench import meeting
    from dashboard.store import DEMO_DIR

    results = meeting.run_replicas(4, 2, scale="s", folder=DEMO_DIR, say=quiet)
    assert [configuration["replicas"] for configuration in results["configurations"]] == [2, 1]
    for configuration in results["configurations"]:
        assert configuration["errors"] == 0, configuration["error_examples"]
        assert sum(configuration["spread"].values()) == 4 and len(configuration["spread"]) == configuration["replicas"]
        assert configuration["routes"] == 4 and configuration["requests_logged"] == 8
        assert configuration["split_routes"] == 0 and configuration["unattributed"] == 0
        assert configuration["clients"] == 4 and not configuration["restarted"]
        assert configuration["cpu_per_session_s"] > 0 and configuration["snapshot_published"]
        after = configuration["after_snapshot"]  # the same sessions just after another snapshot
        assert after["errors"] == 0, after["error_examples"]
        assert after["publish_s"] > 0 and after["p95_s"] >= after["p50_s"] > 0 and after["cpu_per_session_s"] > 0
    assert set(results["ratios"]) == {"p50_s", "p95_s", "sessions_per_s", "cpu_per_session_s"}
    assert "2 processes against 1 (both through nginx, same run)" in meeting.report(results)
